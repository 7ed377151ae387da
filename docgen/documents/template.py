"""Word templates: what a template is (metadata, schema, rules, file-name and serial patterns).

A template is ``templates/NAME.docx`` (a docxtpl/Jinja2 Word file a bank can edit) plus
``templates/NAME.yaml`` (title, category, file-name and serial patterns, key field, cerberus
schema, Chinese header aliases, rules). ``load_template`` reads both; ``Template.check`` and
``Template.prepare`` validate data and return the normalized context; ``Template.render``
returns .docx bytes through the render engine (``docgen.documents.engine``), whose zip writer
is ``docgen.documents.package``.
"""
from __future__ import annotations

import copy
import datetime as _dt
import functools
import io
import os
import re
import string
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.core.access import check_readable, when_denied
from docgen.core import resources
from docgen.core.atomic import write_bytes_atomic
from docgen.core.datafile import read_mapping
from docgen.core.regularfile import read_regular
from docgen.core.errors import RenderError, TemplateError
from docgen.core.fastcheck import compile_schema
from docgen.core.parties import split_guarantors
from docgen.core.textcodec import lone_surrogate
from docgen.core.validation import Problem, close_name, validate, yes_no_fields
from docgen.documents.engine import Engine, jinja_environment
from docgen.documents.image import Image
from docgen.documents.messages import MESSAGES
from docgen.documents.rules import RULES, apply_rule

__all__ = [
    "Image",
    "Template",
    "jinja_environment",
    "list_templates",
    "load_template",
    "meta_in",
    "title_in",
]

_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WINDOWS_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
#: Bidirectional controls: a right-to-left override makes "cod.exe" display as "exe.doc".
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MAX_NAME = 120  # characters of a file name, before the extension
# Linux file systems cap a name at 255 bytes (a Chinese character takes 3 in UTF-8); leave room
# for ".docx" and the batch's staging name (".NAME.docx.PID-RANDOM.part").
_MAX_NAME_BYTES = 180
# List fields naming guarantors (担保人): split as the ledger splits its 担保人 (``_split_lists``).
_GUARANTOR_LISTS = frozenset({"guarantors"})


@functools.lru_cache(maxsize=64)
def _named_fields(*patterns: str) -> tuple[str, ...]:
    """Return the names of the values ``patterns`` (``str.format`` patterns) look up, in order,
    once each: ``{contract_no}``, ``{debtor.name}`` and ``{seq:{width}}`` name ``contract_no``,
    ``debtor``, ``seq`` and ``width``. A pattern ``str.format`` cannot parse names nothing (its
    ``format`` raises the error its caller reports)."""
    names: list[str] = []
    for pattern in patterns:
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError:
            continue
        for _, field, spec, _ in parsed:
            if field is None:
                continue
            for name in (re.split(r"[.\[]", field, maxsplit=1)[0],
                         *(_named_fields(spec) if spec and "{" in spec else ())):
                if name not in names:
                    names.append(name)
    return tuple(names)


#: The most a part of a template .docx may hold once decompressed: a contract's document.xml is a
#: few MB; a 320 KB file whose document.xml unpacks to 200 MB of empty paragraphs kept
#: ``docgen templates lint`` busy for minutes and would fill memory in python-docx.
MAX_PART_BYTES = 64 << 20


def refuse_oversized_parts(archive: zipfile.ZipFile, path: str | os.PathLike[str]) -> None:
    """Raise ``TemplateError`` naming the first part of the open .docx ``archive`` (read from
    ``path``) that declares more than ``MAX_PART_BYTES`` decompressed. zipfile reads no more than
    a part declares, so the declared size bounds it."""
    for info in archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise MESSAGES.error(TemplateError, "template-part-too-large", path=str(path), member=info.filename,
                                 megabytes=info.file_size >> 20, limit=MAX_PART_BYTES >> 20)


def meta_in(meta: dict[str, Any], key: str, lang: str = "zh", default: str = "") -> str:
    """Return the metadata ``meta``'s ``key`` (``title``, ``category``, ``description``) in ``lang``:
    its ``KEY_en`` when ``lang`` is ``en`` and the metadata gives one (every shipped template does),
    else the Chinese ``key``, else ``default``. Pages and outputs in English show it; the documents
    a template makes print their own (Chinese) wording."""
    if lang == "en" and str(meta.get(f"{key}_en") or "").strip():
        return str(meta[f"{key}_en"]).strip()
    return str(meta.get(key, default))


def title_in(meta: dict[str, Any], name: str, lang: str = "zh") -> str:
    """Return the title of the template ``name`` whose metadata is ``meta`` in ``lang``
    (``meta_in``): its ``title_en`` in English, else its Chinese ``title``, else ``name``."""
    return meta_in(meta, "title", lang, name)


class Template:
    """A loaded Word template: metadata, schema, rules, and the compiled renderer."""

    def __init__(self, name: str, docx_path: Path, meta_path: Path | None, meta: dict[str, Any]) -> None:
        self.name = name
        self.path = docx_path
        self.meta_path = meta_path
        self.meta = meta
        self.title: str = title_in(meta, name)
        #: The title an English page or output shows (``title_en``; the Chinese one where none is given).
        self.title_en: str = title_in(meta, name, "en")
        self.category: str = meta_in(meta, "category")
        #: The category an English output shows (``category_en``; the Chinese one where none is given).
        self.category_en: str = meta_in(meta, "category", "en")
        self.key_field: str = str(meta.get("key_field", "serial"))
        self.description: str = meta_in(meta, "description")
        #: The description an English output shows (``description_en``; the Chinese one where none is given).
        self.description_en: str = meta_in(meta, "description", "en")
        schema = copy.deepcopy(meta.get("schema") or {})
        # The caller injects `serial` (register or data file); the schema need not list it.
        schema.setdefault("serial", {"type": "string", "required": False, "coerce": "strip"})
        # A yes/no field reads 是/否, true/false, 1/0 … as a CSV, a YAML string or --set gives them.
        yes_no_fields(schema)
        self.schema: dict[str, Any] = schema
        self.aliases: dict[str, list[str]] = {k: [str(a) for a in (v or [])] for k, v in (meta.get("aliases") or {}).items()}
        self.rules: list[dict[str, Any]] = list(meta.get("rules") or [])
        self.serial_pattern: str = str(meta.get("serial", "{seq:05d}"))
        self.filename_pattern: str = str(meta.get("filename", "{serial}_" + name))
        self.date_field: str | None = meta.get("date_field")
        self._check_meta()
        # Fields whose cell '张三、李四' is a list of text (``_split_lists``), found once.
        self._text_lists = [field for field, rule in schema.items() if isinstance(rule, dict)
                            and rule.get("type") == "list" and (rule.get("schema") or {}).get("type", "string") == "string"]
        # Lists whose entries are records (a resolution's shareholders: name, id_number, share, vote),
        # each with its entries' fields: what a batch sheet gives one column each; found once.
        self.entry_fields: dict[str, list[str]] = {
            field: list(rule["schema"]["schema"]) for field, rule in schema.items()
            if isinstance(rule, dict) and rule.get("type") == "list" and isinstance(rule.get("schema"), dict)
            and rule["schema"].get("type") == "dict" and rule["schema"].get("schema")}
        # Valid rows skip cerberus (milliseconds a row); doubtful ones get its exact messages.
        self._fast_check = compile_schema(self.schema)
        self._engine = Engine(name, docx_path, self._read_docx())

    # ---- metadata --------------------------------------------------------------------
    def _where(self) -> str:
        return str(self.meta_path or self.path)

    def _check_meta(self) -> None:
        for key, pattern in (("serial", self.serial_pattern), ("filename", self.filename_pattern)):
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
            except ValueError as exc:
                raise MESSAGES.error(TemplateError, "meta-pattern-syntax", file=self._where(), key=key,
                                     reason=str(exc)) from None
            for f in fields:
                if not _FIELD_RE.match(f):
                    raise MESSAGES.error(TemplateError, "meta-pattern-field", file=self._where(), key=key, field=f)
        for rule in self.rules:
            if not isinstance(rule, dict) or rule.get("rule") not in RULES:
                raise MESSAGES.error(TemplateError, "meta-unknown-rule", file=self._where(), rule=rule,
                                     available=sorted(RULES))
            for key in ("when", "unless"):
                if key in rule and str(rule[key]).split(".")[0] not in self.schema:
                    raise MESSAGES.error(TemplateError, "meta-rule-when-field", file=self._where(), rule=rule["rule"],
                                         key=key, field=rule[key])
        if self.key_field not in self.schema:
            raise MESSAGES.error(TemplateError, "meta-key-field", file=self._where(), key_field=self.key_field)
        for key in self.aliases:
            if key.split(".")[0] not in self.schema:
                raise MESSAGES.error(TemplateError, "meta-alias-field", file=self._where(), field=key)
        for name in sorted(self.unprinted_fields - self.metadata_fields):
            # Required and printed nowhere, it would be asked of every row for nothing.
            raise MESSAGES.error(TemplateError, "meta-unprinted-field", file=self._where(), field=name)

    def _read_docx(self) -> bytes:
        try:
            data = read_regular(self.path)
        except OSError as exc:
            when_denied(exc, TemplateError, self.path)
            raise MESSAGES.error(TemplateError, "template-unreadable", path=str(self.path), reason=exc.strerror) from None
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise MESSAGES.error(TemplateError, "template-not-docx", path=str(self.path))
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                refuse_oversized_parts(archive, self.path)
        except (zipfile.BadZipFile, ValueError, EOFError):
            pass  # a directory zipfile cannot read: the renderer names the damage when it opens the parts
        return data

    @property
    def derived_fields(self) -> list[str]:
        """Names the rules add to the context (e.g. ``favour_share``), usable in the document."""
        out = []
        for rule in self.rules:
            for key in ("favour_field", "total_field", "total"):
                if rule.get(key) and rule[key] not in out:
                    out.append(str(rule[key]))
        return out

    @property
    def metadata_fields(self) -> frozenset[str]:
        """Return the fields the metadata itself uses outside the document text: ``key_field``
        (the register's row key), ``date_field`` and those the serial and file-name patterns
        name (``{period_label}``)."""
        names = {self.key_field, *_named_fields(self.serial_pattern, self.filename_pattern)}
        if self.date_field:
            names.add(str(self.date_field))
        return frozenset(names)

    @property
    def unprinted_fields(self) -> frozenset[str]:
        """Return the fields the schema declares the document does not print (``meta: {printed:
        false}``): data the metadata alone needs, such as the report's ``period_label``, which keys
        the register and names the file while the text prints ``period_name``. ``_check_meta``
        refuses such a declaration on a field the metadata does not use."""
        return frozenset(name for name, rule in self.schema.items()
                         if isinstance(rule, dict) and isinstance(rule.get("meta"), dict)
                         and rule["meta"].get("printed") is False)

    @functools.cached_property
    def labels_en(self) -> dict[str, str]:
        """Return each field's English label (``meta: {label_en: …}`` in the schema, beside the
        Chinese ``label``) by its path: ``borrower``, and ``shareholders.name`` for a field of a
        list's entries. A field without one is not listed (a page then shows its Chinese label);
        what the documents print is not affected."""
        out: dict[str, str] = {}
        for name, rule in self.schema.items():
            if not isinstance(rule, dict):
                continue
            entries = rule.get("schema") if rule.get("type") == "list" else None
            fields = entries.get("schema") if isinstance(entries, dict) and entries.get("type") == "dict" else None
            for path, field in [(name, rule), *((f"{name}.{k}", v) for k, v in (fields or {}).items())]:
                meta = field.get("meta") if isinstance(field, dict) else None
                if isinstance(meta, dict) and str(meta.get("label_en") or "").strip():
                    out[path] = str(meta["label_en"]).strip()
        return out

    def fields(self, lang: str = "zh") -> list[dict[str, Any]]:
        """Return one dict per top-level field: name, type, required, aliases, its label (``description``:
        the Chinese ``label``; with ``lang`` ``en``, its ``label_en`` where the schema gives one), and
        nested fields."""
        english = self.labels_en if lang == "en" else {}
        out = []
        for name, rule in self.schema.items():
            label = rule.get("meta", {}).get("label", "") if isinstance(rule.get("meta"), dict) else ""
            entry = {
                "name": name,
                "type": rule.get("type", "any"),
                "required": bool(rule.get("required", False)),
                "aliases": self.aliases.get(name, []),
                "description": english.get(name, label),
            }
            sub = (rule.get("schema") or {}) if rule.get("type") == "list" else None
            if sub and sub.get("type") == "dict":
                entry["items"] = [
                    {"name": k, "type": v.get("type", "any"), "required": bool(v.get("required", False)),
                     "aliases": self.aliases.get(f"{name}.{k}", [])}
                    for k, v in (sub.get("schema") or {}).items()
                ]
            out.append(entry)
        return out

    # ---- validation --------------------------------------------------------------------
    def _split_lists(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return ``data`` with a spreadsheet cell '张三、李四' of a list-of-text field made ['张三', '李四'].

        The guarantors (``guarantors``, 担保人) are split by ``core.parties.split_guarantors``, the ledger's splitter
        (a slash separates too, never inside brackets; 无, N/A, / … name none), so that the same
        cell names the same guarantors in a batch and in the ledger's letters: a letter never
        names a party who is not a guarantor (《民法典》第六百八十一条)."""
        result = dict(data)
        for name in self._text_lists:
            value = result.get(name)
            if isinstance(value, str):
                if name in _GUARANTOR_LISTS:
                    result[name] = split_guarantors(value)
                else:
                    result[name] = [p.strip() for p in re.split("[、;\uff1b,\uff0c\n]", value) if p.strip()]
        return result

    def check(
        self, data: dict[str, Any], *, row: int | None = None, columns: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Validate ``data`` against the schema, then the template's rules.

        Returns ``(context, problems)``: the normalized context (Decimal amounts, date objects,
        derived totals) and every problem found (path, Chinese message, row, column).
        """
        if not isinstance(data, dict):
            return {}, [MESSAGES.problem("data-not-mapping", "(root)", row=row)]
        prepared = self._split_lists(data)
        bad_text = lone_surrogate(prepared)
        if bad_text is not None:
            return {}, [MESSAGES.problem("lone-surrogate", bad_text, row=row,
                                         column=(columns or {}).get(re.split(r"[.\[]", bad_text, maxsplit=1)[0]))]
        fast = self._fast_check(prepared) if self._fast_check is not None else None
        if fast is not None:
            context, problems = fast, []
        else:
            context, problems = validate(self.schema, prepared, row=row, columns=columns)
        if problems:
            return context, problems
        columns = columns or {}
        for rule in self.rules:
            for path, code, facts in apply_rule(context, rule):
                top = re.split(r"[.\[]", path, maxsplit=1)[0]
                problems.append(MESSAGES.problem(code, path, row=row, column=columns.get(top), **facts))
        return context, problems

    def prepare(self, data: dict[str, Any], *, row: int | None = None, columns: dict[str, str] | None = None) -> dict[str, Any]:
        """Return the checked, normalized context; raise ``RenderError`` listing every problem."""
        context, problems = self.check(data, row=row, columns=columns)
        if problems:
            raise MESSAGES.error(RenderError, "data-rejected/error", problems, template=self.name, row=row,
                                 count=len(problems))
        return context

    # ---- names ---------------------------------------------------------------------------
    def _pattern_values(self, context: dict[str, Any]) -> dict[str, Any]:
        """The values the patterns may use: the fields they name that the context holds as
        text, a number or a date (ISO text), and ``year``. Only the named fields are looked at
        (a batch makes a serial and a file name per row from a context of thirty fields)."""
        values: dict[str, Any] = {}
        # The patterns are public attributes a caller may change: the fields are those of the
        # patterns as they are now (parsed once per pair of patterns).
        for key in _named_fields(self.serial_pattern, self.filename_pattern):
            value = context.get(key)
            if isinstance(value, (str, int, Decimal)):
                values[key] = value
            elif isinstance(value, _dt.date):
                values[key] = value.isoformat()
        date_value = context.get(self.date_field) if self.date_field else None
        values["year"] = date_value.year if isinstance(date_value, _dt.date) else _dt.date.today().year
        return values

    def format_serial(self, seq: int, context: dict[str, Any]) -> str:
        """Return serial number ``seq`` in the template's pattern, e.g. ``催字〔2026〕第00012号``.

        The year comes from the template's ``date_field`` (the letter date) or today.
        Raises ``TemplateError`` if the pattern names a field the context lacks.
        """
        values = self._pattern_values(context)
        values["seq"] = int(seq)
        try:
            return self.serial_pattern.format(**values)
        except (KeyError, ValueError) as exc:
            raise MESSAGES.error(TemplateError, "serial-pattern-unusable", file=self._where(),
                                 pattern=self.serial_pattern, reason=str(exc)) from None

    def serial_number(self, serial: str, context: dict[str, Any]) -> int | None:
        """Return the sequence number ``serial`` (one given in the data) carries in this template's
        serial pattern, of the document's year or any other (``催字〔2025〕第00012号`` -> 12), or
        None when the pattern would never make it (another pattern, no ``{seq}``, a field the
        context lacks). Found by formatting each number it holds back into the pattern, so only
        an exact match counts. Raises nothing."""
        if "seq" not in _named_fields(self.serial_pattern):
            return None
        values = self._pattern_values(context)
        years = {values["year"], *map(int, re.findall(r"(?<!\d)\d{4}(?!\d)", serial))}
        for digits in re.findall(r"\d{1,18}", serial):
            for year in years:
                try:
                    if self.serial_pattern.format(**{**values, "year": year, "seq": int(digits)}) == serial:
                        return int(digits)
                except (KeyError, ValueError, IndexError, AttributeError, TypeError):
                    return None
        return None

    def output_name(self, context: dict[str, Any]) -> str:
        """Return the output file name (``.docx``) from the file-name pattern, safe on Windows and Linux.

        Characters Windows forbids become ``_``, bidirectional controls are dropped; the stem is capped at 120 characters and
        180 UTF-8 bytes (Linux allows 255 bytes per name; Chinese takes 3 a character).
        Raises ``TemplateError`` if the pattern names a field the context lacks.
        """
        try:
            stem = self.filename_pattern.format(**self._pattern_values(context))
        except (KeyError, ValueError) as exc:
            raise MESSAGES.error(TemplateError, "filename-pattern-field", file=self._where(),
                                 pattern=self.filename_pattern, reason=str(exc)) from None
        if stem.lower().endswith(".docx"):
            stem = stem[:-5]
        stem = _WINDOWS_BAD.sub("_", _BIDI_CONTROLS.sub("", stem)).strip(" .")
        stem = re.sub(r"\s+", " ", stem)[:_MAX_NAME]
        stem = stem.encode("utf-8")[:_MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .") or self.name
        if stem.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}:
            stem = "_" + stem
        return stem + ".docx"

    def unknown_names(self, names: list[str]) -> list[str]:
        """Return those of ``names`` (variables a .docx uses) that are neither a field of the
        schema nor one the rules derive, in the order given: what rendering would fail on."""
        known = set(self.schema) | set(self.derived_fields) | set(jinja_environment().globals)
        return [name for name in names if name not in known]

    def refuse_unknown_variables(self) -> None:
        """Raise ``TemplateError`` when the .docx uses a variable that is no field of the
        template (``{{ borower_uscc }}``, a typo of ``borrower_uscc``), naming each and the
        field it most resembles; a bank-edited copy is checked so, before any data is blamed."""
        unknown = self.unknown_names(self.variables())
        if unknown:
            fields = [f for f in self.schema if f != "serial"] + self.derived_fields
            like = [close_name(name, fields) for name in unknown]
            # How `templates lint` finds these fields again: beside the .docx, a shipped name, or the file.
            if self.meta_path is None or self.meta_path == self.path.with_suffix(".yaml"):
                schema = None
            else:
                schema = self.name if self.meta_path.parent == resources.templates_dir() else str(self.meta_path)
            raise MESSAGES.error(TemplateError, "template-unknown-variables", path=str(self.path), template=self.name,
                                 unknown=unknown, like=like, schema=schema)

    # ---- rendering -----------------------------------------------------------------------
    def variables(self) -> list[str]:
        """Return the sorted top-level names the template's tags use.

        Raises ``TemplateError`` when a tag cannot be parsed.
        """
        return self._engine.variables()

    def render(self, context: dict[str, Any], *, row: int | None = None) -> bytes:
        """Return the .docx bytes of the template filled with ``context``.

        ``context`` is normally ``prepare()``'s result plus ``serial``. Raises ``RenderError``
        naming template, field (and ``row``) for an undefined field or a value a filter rejects,
        and if the result would not be well-formed XML.
        """
        return self._engine.render(context, row=row)

    def write(self, context: dict[str, Any], path: str | os.PathLike[str], *, row: int | None = None) -> None:
        """Render ``context`` and write the .docx to ``path`` atomically (never half-written).

        Raises ``RenderError`` as ``render`` does and ``OutputError`` when ``path`` cannot be
        written (no such folder, a file where the folder should be, no permission, disk full).
        """
        data = self.render(context, row=row)
        write_bytes_atomic(path, data)

    def __repr__(self) -> str:
        return f"Template({self.name!r}, {str(self.path)!r})"


# --------------------------------------------------------------------------- loading

def _read_meta(path: Path) -> dict[str, Any]:
    meta = read_mapping(path, what=MESSAGES.text("file/template-meta"),
                        what_en=MESSAGES.text("file/template-meta", lang="en"), error=TemplateError,
                        hint=MESSAGES.text("file/template-meta-hint"),
                        hint_en=MESSAGES.text("file/template-meta-hint", lang="en"))
    if not isinstance(meta.get("schema"), dict):
        raise MESSAGES.error(TemplateError, "meta-no-schema", path=str(path))
    return meta


def load_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the field values in a .yaml/.yml/.json data file for ``render``.

    Raises ``InputError`` naming the file (and line and column of a syntax error).
    """
    return read_mapping(path, what=MESSAGES.text("file/data"), hint=MESSAGES.text("file/data-hint"))


def _schema_path(meta: str | os.PathLike[str]) -> Path:
    """``--schema`` may be a template name or a path to a .yaml file."""
    candidate = Path(meta)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    shipped = resources.templates_dir() / f"{meta}.yaml"
    if not shipped.exists():
        raise MESSAGES.error(TemplateError, "template-unknown", name=str(meta), known=[t.name for t in list_templates()])
    return shipped


def load_template(
    name: str | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    meta: str | os.PathLike[str] | None = None,
    check_variables: bool = True,
) -> Template:
    """Load a template by ``name`` (shipped) or from ``path`` (a bank-edited .docx).

    With ``path``, metadata comes from ``meta`` (a template name or .yaml path), else from the
    .yaml beside the .docx, else from the shipped template called ``name``; its variables are
    checked against the fields (``Template.refuse_unknown_variables``) unless
    ``check_variables`` is false (the linter, which reports them itself). Returns the
    ``Template``; raises ``TemplateError`` (exit 2) naming the missing or unreadable file, a tag
    that cannot be parsed or a variable that is no field.
    """
    if path is None:
        if not name:
            raise MESSAGES.error(TemplateError, "template-name-missing")
        docx = resources.templates_dir() / f"{name}.docx"
        yml = resources.templates_dir() / f"{name}.yaml"
        # os.path.isfile: a name too long for the file system (or holding NUL) is unknown, not an
        # OSError; a name with a folder in it is never a shipped template.
        if Path(name).name != name or not os.path.isfile(docx) or not os.path.isfile(yml):
            raise MESSAGES.error(TemplateError, "template-unknown", name=name, known=[t.name for t in list_templates()])
        return Template(name, docx, yml, _read_meta(yml))
    docx = Path(path)
    if not docx.exists():
        raise MESSAGES.error(TemplateError, "template-file-not-found", path=str(docx))
    if meta is not None:
        yml = _schema_path(meta)
    elif docx.with_suffix(".yaml").exists():
        yml = docx.with_suffix(".yaml")
    elif name:
        yml = _schema_path(name)
    else:
        raise MESSAGES.error(TemplateError, "template-no-schema-file", path=str(docx))
    tpl_name = name or (yml.stem if yml.parent == resources.templates_dir() else docx.stem)
    template = Template(tpl_name, docx, yml, _read_meta(yml))
    if check_variables:
        template.refuse_unknown_variables()
    return template


def list_templates() -> list[Template]:
    """Return every shipped template (a .docx with its .yaml), sorted by name. Raises ``TemplateError``
    (exit 2) when the templates' folder may not be listed or entered, where none were listed."""
    folder = resources.templates_dir()
    # glob finds nothing in a folder it may not read: without this the templates were just not there
    check_readable(folder, TemplateError)
    out = []
    for yml in sorted(folder.glob("*.yaml")):
        docx = yml.with_suffix(".docx")
        if docx.exists():
            out.append(Template(yml.stem, docx, yml, _read_meta(yml)))
    return out
