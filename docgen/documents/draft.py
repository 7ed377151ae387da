"""``docgen draft``: the annexes of 篇十三 (附件一 … 附件十一) filled from a bundle's ``bundle.yaml``.

Which bundle.yaml key fills which template field is data, in each template's YAML under
``bundle:`` (DESIGN §10)::

    annex: 4                       # 附件四
    item: commitment-letter        # the checklist item the drafted file serves
    each: drawdowns                # optional: one document per entry (named `drawdown`, numbered `number`)
    bundle:
      borrower: borrower.name      # a sandboxed Jinja expression over bundle.yaml
      shareholders:                # a list field: one entry per element, the element named `item`
        each: shareholders
        fields: {name: item.name, id_number: item.uscc or item.id_number}

An annex whose required data is missing is not written: the result names every missing
bundle.yaml key (``loan.contract_no``, ``drawdowns[0].payee.bank``) and what to put there (the
bundle schema's label). Data that is present goes through the template's own schema and rules,
the register hands out the serial, and the file is written by the same strict renderer as
``docgen render``, under a name carrying the checklist item's title so ``docgen check`` matches it.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen.check.bundledata import SCHEMA as BUNDLE_SCHEMA
from docgen.check.bundledata import BundleData, key_label
from docgen.check.checklist import Checklist
from docgen.check.report import read_bundle_data, run_check
from docgen.core import resources
from docgen.core.conditions import Condition
from docgen.core.datafile import read_mapping
from docgen.core.errors import InputError, TemplateError
from docgen.documents.messages import MESSAGES
from docgen.documents.register import allocate_serial, record_issued
from docgen.documents.template import Template, load_template, title_in

__all__ = ["ANNEX_NUMERALS", "AnnexDraft", "DraftResult", "FieldMap", "annex_data", "annex_templates", "draft_annexes"]

#: 附件一 … 附件十一 as the checklist writes them, by number.
ANNEX_NUMERALS = {n: f"附件{c}" for n, c in enumerate("一二三四五六七八九十", start=1)} | {11: "附件十一"}

DRAFTED, MISSING_DATA, BANK_TEMPLATE = "drafted", "missing-data", "bank-template"

#: Names a mapping expression may use: bundle.yaml's top-level keys and what drafting binds.
_BOUND = {"item", "drawdown", "number", "witnessed"}
_NAMES = frozenset(BUNDLE_SCHEMA) | frozenset(_BOUND)
_PARSER = ImmutableSandboxedEnvironment()
#: Bound names that stand for a bundle.yaml key when reporting what is missing.
_ALIASES = {"witnessed": "attestations"}


# --------------------------------------------------------------------------- the mapping

def _paths(source: str) -> list[str]:
    """Return the bundle.yaml paths an expression reads (``loan.contract_no``, ``item.name``)."""
    tree = _PARSER.parse("{{ (" + source + ") }}")
    found: list[str] = []

    def path_of(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem):
            base = path_of(node.node)
            if base and isinstance(node.arg, nodes.Const):
                return f"{base}[{node.arg.value}]" if isinstance(node.arg.value, int) else f"{base}.{node.arg.value}"
            return base  # a computed key: the mapping it indexes is what to fill in
        return None

    def walk(node: nodes.Node) -> None:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            path = path_of(node)
            if path and path not in found:
                found.append(path)
            if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
                walk(node.arg)
            return
        for child in node.iter_child_nodes():
            walk(child)

    walk(tree)
    return [p for p in found if p not in ("true", "false", "none", "True", "False", "None")]


@dataclass
class _Expr:
    source: str
    condition: Condition
    paths: list[str]


@dataclass
class _Each:
    source: _Expr
    fields: dict[str, _Expr]


class FieldMap:
    """A template's ``bundle:`` mapping, compiled: ``build(data)`` returns the template data and
    the bundle.yaml keys that are missing.

    Raises ``TemplateError`` naming the template file and field for a malformed mapping.
    """

    def __init__(self, template_name: str, meta: dict[str, Any], where: str) -> None:
        self.name = template_name
        self.where = where
        mapping = meta.get("bundle")
        if not isinstance(mapping, dict) or not mapping:
            raise MESSAGES.error(TemplateError, "meta-bundle-missing", file=where)
        schema = meta.get("schema") or {}
        self.each = self._expr(str(meta["each"]), "each") if meta.get("each") else None
        self.fields: dict[str, _Expr | _Each] = {}
        for name, spec in mapping.items():
            if name not in schema:
                raise MESSAGES.error(TemplateError, "meta-bundle-field", file=where, field=name)
            if isinstance(spec, dict):
                if "each" not in spec or not isinstance(spec.get("fields"), dict):
                    raise MESSAGES.error(TemplateError, "meta-bundle-each", file=where, field=name)
                self.fields[name] = _Each(self._expr(str(spec["each"]), f"bundle.{name}.each"),
                                          {k: self._expr(str(v), f"bundle.{name}.fields.{k}")
                                           for k, v in spec["fields"].items()})
            else:
                self.fields[name] = self._expr(str(spec), f"bundle.{name}")
        self.required = {n for n, rule in schema.items() if isinstance(rule, dict) and rule.get("required")}
        self.item_required = {
            n: {k for k, r in ((rule.get("schema") or {}).get("schema") or {}).items() if isinstance(r, dict) and r.get("required")}
            for n, rule in schema.items() if isinstance(rule, dict) and rule.get("type") == "list"
        }

    def _expr(self, source: str, key: str) -> _Expr:
        condition = Condition(source, MESSAGES.text("where/key", {"where": self.where, "key": key}), names=_NAMES, error=TemplateError)
        return _Expr(source, condition, _paths(source))

    def entries(self, context: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Return the per-document entries (``each:``), or None when the template makes one document."""
        if self.each is None:
            return None
        value = self.each.condition.evaluate(context)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def build(self, context: dict[str, Any], aliases: dict[str, str]) -> tuple[dict[str, Any], list[str], dict[str, list[str]]]:
        """Return ``(data, missing keys, bundle keys per template field)`` for one document.

        ``context`` holds bundle.yaml's validated sections and the bound names; ``aliases`` maps a
        bound name to the bundle path it stands for (``drawdown`` -> ``drawdowns[1]``).
        """
        data: dict[str, Any] = {}
        missing: list[str] = []
        sources: dict[str, list[str]] = {}

        def note(paths: list[str], names: dict[str, str], ctx: dict[str, Any]) -> list[str]:
            # The keys to name: those the expression reads that are empty, else all it reads.
            keys = [p for p in paths if p.split(".")[0].split("[")[0] in BUNDLE_SCHEMA.keys() | names.keys()]
            empty = [p for p in keys if _blank(_lookup(ctx, p))]
            return [_display(p, names) for p in (empty or keys)]

        for name, spec in self.fields.items():
            if isinstance(spec, _Expr):
                sources[name] = [_display(p, aliases) for p in spec.paths]
                value = spec.condition.evaluate(context)
                if _blank(value):
                    if name in self.required:
                        missing += [m for m in note(spec.paths, aliases, context) if m not in missing]
                    continue
                data[name] = value
                continue
            sources[name] = [_display(p, aliases) for p in spec.source.paths]
            items = spec.source.condition.evaluate(context)
            if _blank(items) or not isinstance(items, list):
                if name in self.required:
                    missing += [m for m in note(spec.source.paths, aliases, context) if m not in missing]
                continue
            base = _display(spec.source.paths[0], aliases) if spec.source.paths else name
            rows = []
            for index, element in enumerate(items):
                names = {**aliases, "item": f"{base}[{index}]"}
                inner = {**context, "item": element}
                row = {}
                for sub, expr in spec.fields.items():
                    value = expr.condition.evaluate(inner)
                    if _blank(value):
                        if sub in self.item_required.get(name, set()):
                            missing += [m for m in note(expr.paths, names, inner) if m not in missing]
                        continue
                    row[sub] = value
                rows.append(row)
            data[name] = rows
        return data, missing, sources


def _display(path: str, aliases: dict[str, str]) -> str:
    """``item.name`` with ``item`` bound to ``shareholders[1]`` reads ``shareholders[1].name``."""
    head, sep, rest = path.partition(".")
    root = head.split("[")[0]
    if root in aliases:
        return aliases[root] + head[len(root):] + (sep + rest if sep else "")
    return path


def _lookup(context: dict[str, Any], path: str) -> Any:
    node: Any = context
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


# --------------------------------------------------------------------------- the annex templates

@dataclass
class AnnexTemplate:
    """One annex's template as shipped: number, name, checklist item, metadata and its mapping."""

    annex: int
    name: str
    item: str
    meta: dict[str, Any]
    meta_path: Path
    fieldmap: FieldMap

    @property
    def bank_template(self) -> bool:
        """True for the bank's own contract (附件六): drafted only from the bank's .docx."""
        return bool(self.meta.get("bank_template"))

    @property
    def title(self) -> str:
        """The annex's Chinese title (its template's)."""
        return title_in(self.meta, self.name)

    @property
    def title_en(self) -> str:
        """The annex's English title (its template's ``title_en``, else the Chinese one)."""
        return title_in(self.meta, self.name, "en")


def annex_templates() -> dict[int, AnnexTemplate]:
    """Return the shipped annex templates by annex number (templates whose YAML has ``annex:``).

    Raises ``TemplateError`` when a shipped template's YAML or mapping is broken.
    """
    out: dict[int, AnnexTemplate] = {}
    for path in sorted(resources.templates_dir().glob("*.yaml")):
        meta = read_mapping(path, what=MESSAGES.text("file/template-meta"), error=TemplateError)
        if "annex" not in meta:
            continue
        annex = int(meta["annex"])
        out[annex] = AnnexTemplate(annex, path.stem, str(meta.get("item", path.stem)), meta, path,
                                   FieldMap(path.stem, meta, str(path)))
    return out


# --------------------------------------------------------------------------- results

@dataclass
class AnnexDraft:
    """What drafting one annex document gave: ``status`` drafted, missing-data or bank-template."""

    annex: int
    template: str
    title: str
    #: The title an English page shows (``AnnexTemplate.title_en``: the Chinese one where none is given).
    title_en: str
    status: str
    path: Path | None = None
    serial: str | None = None
    missing: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)
    pdf: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the DESIGN §10 entry (plus ``hints``: what to put in each missing key, ``pdf``, and
        ``title_en``: the template's English title beside its Chinese ``title``)."""
        return {"annex": self.annex, "template": self.template, "title": self.title,
                "title_en": self.title_en, "status": self.status,
                "path": str(self.path) if self.path else None, "serial": self.serial,
                "missing": list(self.missing), "hints": dict(self.hints),
                "pdf": str(self.pdf) if self.pdf else None}


@dataclass
class DraftResult:
    """Every annex drafted (or not) from one bundle."""

    bundle: str
    annexes: list[AnnexDraft] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every requested annex was written."""
        return all(a.status == DRAFTED for a in self.annexes)

    def to_text(self) -> str:
        """Return the people-facing summary: one line per annex, then each missing key and what to put there."""
        lines = []
        for entry in self.annexes:
            facts = {"label": f"{ANNEX_NUMERALS.get(entry.annex, entry.annex)} {entry.title}", "path": entry.path,
                     "serial": entry.serial, "pdf": entry.pdf, "template": entry.template}
            if entry.status == DRAFTED:
                lines.append(MESSAGES.text("draft-text/drafted", facts))
                if entry.pdf:
                    lines.append(MESSAGES.text("draft-text/pdf", facts))
            elif entry.status == BANK_TEMPLATE:
                lines.append(MESSAGES.text("draft-text/bank-template", facts))
            else:
                lines.append(MESSAGES.text("draft-text/missing", facts))
                lines += [MESSAGES.text("draft-text/hint", {"key": key, "hint": entry.hints.get(key, "")})
                          for key in entry.missing]
        drafted = sum(1 for a in self.annexes if a.status == DRAFTED)
        lines.append(MESSAGES.text("draft-text/total", {"total": len(self.annexes), "drafted": drafted,
                                                        "left": len(self.annexes) - drafted}))
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"bundle", "annexes": [...]}`` (DESIGN §10)."""
        return {"bundle": self.bundle, "annexes": [a.to_dict() for a in self.annexes]}


# --------------------------------------------------------------------------- drafting

_SEAL_WORDS = (
    ("shareholders_signed", "全体股东签字或盖章"),
    ("company_seal", "公章"),
    ("legal_rep_seal", "法人章"),
    ("signed", "签字"),
    ("sealed", "盖章"),
)


def witnessed(checklist: Checklist, data: BundleData, stage: str = "pre-contract") -> list[dict[str, Any]]:
    """Return ``{title, need, done, date}`` for each item of ``stage`` with a dated attestation."""
    out = []
    for found in checklist.stages:
        if found.id != stage:
            continue
        for entry in found.entries:
            record = data.attestation(entry.item.id)
            done = "、".join(word for key, word in _SEAL_WORDS if record.get(key))
            if not record.get("date") or not done:
                continue
            need = ""
            for rule in entry.item.rules_of("attestation"):
                text = rule.get("need")
                need = text.get("zh", "") if isinstance(text, dict) else str(text or "")
            out.append({"title": entry.item.title.get("zh", entry.item.id), "need": need or "签字或盖章",
                        "done": done, "date": record["date"]})
    return out


def _annex_number(label: str | None) -> int | None:
    for number, text in ANNEX_NUMERALS.items():
        if label == text:
            return number
    return None


def _stage_folder(checklist: Checklist, item_id: str) -> str | None:
    for stage in checklist.stages:
        if any(e.item.id == item_id for e in stage.entries):
            return stage.folder
    return None


def _hint(key: str, data: BundleData) -> str:
    """What to put in ``key``: the finding about it when bundle.yaml has one, else the schema label
    (naming the unknown key beside it that looks like its misspelling: ``loan.term_month``)."""
    parent, _, name = key.rpartition(".")
    misspelt = None
    for finding in data.findings:
        where = str(finding.params.get("field", ""))
        if where and (where == key or key.startswith(where + ".") or key.startswith(where + "[")):
            return MESSAGES.text("draft-hint/invalid", {"detail": finding.params.get("detail", "")})
        # The validator names the field an unknown key looks like a misspelling of (``known``).
        if (misspelt is None and finding.params.get("problem") == "unknown-field"
                and where.rpartition(".")[0] == parent and finding.params.get("known") == name):
            misspelt = where
    label = key_label(key) or MESSAGES.text("draft-hint/fill-in")
    return label if misspelt is None else MESSAGES.text("draft-hint/misspelt", {"label": label, "key": misspelt, "right": key})


def annex_data(bundle: str | os.PathLike[str], annex: int) -> list[tuple[dict[str, Any], list[str]]]:
    """Return, for each document of ``annex``, the template data mapped from ``bundle``'s
    bundle.yaml and the bundle.yaml keys still missing (what ``docgen render`` would need).

    Raises ``InputError`` for an annex number without a template, and what ``read_bundle_data`` raises.
    """
    shipped = annex_templates()
    if annex not in shipped:
        raise MESSAGES.error(InputError, "draft-no-annex", annex=annex)
    checklist, data = read_bundle_data(bundle)
    context = _context(checklist, data)
    return [shipped[annex].fieldmap.build(c, a)[:2] for c, a in _documents(shipped[annex], context)]


def _context(checklist: Checklist, data: BundleData) -> dict[str, Any]:
    context: dict[str, Any] = {k: v for k, v in data.data.items() if k in BUNDLE_SCHEMA}
    context["witnessed"] = witnessed(checklist, data)
    return context


def _documents(spec: AnnexTemplate, context: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """``(context, aliases)`` per document: one, or one per entry of the template's ``each:`` list."""
    entries = spec.fieldmap.entries(context)
    if entries is None:
        return [(context, dict(_ALIASES))]
    base = spec.fieldmap.each.paths[0] if spec.fieldmap.each and spec.fieldmap.each.paths else "?"
    return [({**context, "drawdown": e, "number": i + 1}, {**_ALIASES, "drawdown": f"{base}[{i}]"})
            for i, e in enumerate(entries)]


def draft_annexes(
    bundle: str | os.PathLike[str],
    *,
    annexes: list[int] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    pdf: bool = False,
    template_file: str | os.PathLike[str] | None = None,
    register_path: str | os.PathLike[str] | None = None,
    as_of: _dt.date | None = None,
) -> DraftResult:
    """Draft the requested annexes (default: every annex ``docgen check`` reports missing).

    Files go to ``out_dir``, else into the bundle folder's stage folder of each item (a .zip
    bundle needs ``out_dir``). ``template_file`` is the bank's own .docx for 附件六. Serials
    come from the register at ``register_path`` (default: the per-user register). Returns the
    ``DraftResult``; an annex lacking data is listed with its missing keys, never written.

    Raises ``BundleError``/``ChecklistError`` (exit 2) when the bundle cannot be read,
    ``InputError`` for an annex number without a template or a .zip bundle without ``out_dir``,
    ``TemplateError`` for a broken template, ``RegisterError``, ``OutputError`` and
    ``ConversionError`` as rendering, the register and PDF conversion raise them.
    """
    shipped = annex_templates()
    checklist, data = read_bundle_data(bundle)
    if annexes:
        wanted = sorted(dict.fromkeys(annexes))
    else:
        report = run_check(bundle, as_of=as_of, checklist=checklist.path or checklist.id)
        wanted = sorted({n for item in report.draftable if (n := _annex_number(item.annex)) in shipped})
    if template_file is not None and 6 not in wanted:
        wanted = sorted([*wanted, 6])
    unknown = [n for n in wanted if n not in shipped]
    if unknown:
        raise MESSAGES.error(InputError, "draft-unknown-annexes", unknown=unknown, known=sorted(shipped))
    root = Path(bundle)
    if out_dir is None and not root.is_dir():
        raise MESSAGES.error(InputError, "draft-zip-needs-out", bundle=str(bundle))

    context = _context(checklist, data)
    result = DraftResult(bundle=str(bundle))
    written: list[Path] = []
    for number in wanted:
        spec = shipped[number]
        target = Path(out_dir) if out_dir is not None else root / (_stage_folder(checklist, spec.item) or "")
        if spec.bank_template and template_file is None:
            result.annexes.append(AnnexDraft(number, spec.name, spec.title, spec.title_en, BANK_TEMPLATE))
            continue
        template = (load_template(spec.name, path=template_file, meta=spec.meta_path)
                    if spec.bank_template else load_template(spec.name))
        docs = _documents(spec, context)
        if not docs:
            each = spec.fieldmap.each.paths[0] if spec.fieldmap.each and spec.fieldmap.each.paths else "?"
            result.annexes.append(AnnexDraft(number, spec.name, spec.title, spec.title_en, MISSING_DATA, missing=[each],
                                             hints={each: _hint(each, data)}))
            continue
        for doc_context, aliases in docs:
            drafted = _draft_one(number, spec, template, doc_context, aliases, data, target, register_path)
            result.annexes.append(drafted)
            if drafted.path is not None:
                written.append(drafted.path)
    if pdf and written:
        from docgen.documents.pdf import convert_to_pdf  # only now: LibreOffice is slow to find

        by_folder: dict[Path, list[Path]] = {}
        for path in written:
            by_folder.setdefault(path.parent, []).append(path)
        pdfs: dict[Path, Path] = {}
        for folder, paths in by_folder.items():
            for made in convert_to_pdf(paths, folder):
                pdfs[made.with_suffix(".docx")] = made
        for entry in result.annexes:
            if entry.path is not None:
                entry.pdf = pdfs.get(entry.path)
    return result


def _draft_one(number: int, spec: AnnexTemplate, template: Template, context: dict[str, Any],
               aliases: dict[str, str], data: BundleData, target: Path,
               register_path: str | os.PathLike[str] | None) -> AnnexDraft:
    values, missing, sources = spec.fieldmap.build(context, aliases)
    entry = AnnexDraft(number, spec.name, spec.title, spec.title_en, MISSING_DATA)
    if not missing:
        prepared, problems = template.check(values)
        for problem in problems:
            top = problem.path.split(".")[0].split("[")[0]
            for key in sources.get(top) or [top]:
                if key not in missing:
                    missing.append(key)
                    entry.hints[key] = problem.message
        if not problems:
            prepared["serial"] = allocate_serial(template, prepared, register_path)
            path = target / template.output_name(prepared)
            template.write(prepared, path)
            record_issued(template, prepared, path, register_path)
            entry.status, entry.path, entry.serial = DRAFTED, path, prepared["serial"]
            return entry
    entry.missing = missing
    for key in missing:
        entry.hints.setdefault(key, _hint(key, data))
    return entry
