"""Word templates: metadata, validation, and a strict, sandboxed and fast renderer.

A template is ``templates/NAME.docx`` (a docxtpl/Jinja2 Word file a bank can edit) plus
``templates/NAME.yaml`` (title, category, file-name and serial patterns, key field, cerberus
schema, Chinese header aliases, rules). ``load_template`` reads both; ``Template.prepare``
validates data and returns the normalized context; ``Template.render`` returns .docx bytes.

Speed: the .docx is preprocessed ONCE per ``Template`` with docxtpl's own XML patching
(``DocxTemplate.patch_xml``: merges tags split across Word runs, handles ``{%tr %}``/``{%p %}``),
the Jinja source is compiled once, and each document only renders the parts holding tags and
appends them to a pre-built zip of the untouched members. The rendered XML is what docxtpl
itself would produce for the same data and environment (``jinja_environment()``), so a
plain ``DocxTemplate(...).render(context, jinja_environment(), autoescape=True)`` gives the
same text (the bench compares them).

Safety: Jinja's ``SandboxedEnvironment`` with ``StrictUndefined`` and autoescape, so ``&``,
``<`` and quotes in a value are XML-escaped, ``{{`` in a value prints literally, a missing
field is a ``RenderError`` naming template, field and row, and a value that is ``None`` or
holds characters XML cannot carry never reaches the document silently.
"""
from __future__ import annotations

import contextvars
import copy
import datetime as _dt
import io
import os
import re
import string
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from docgen.core import cnformat

from docgen.core import resources
from docgen.core.atomic import write_bytes_atomic
from docgen.core.datafile import read_mapping
from docgen.core.errors import RenderError, TemplateError
from docgen.core.fastcheck import compile_schema
from docgen.documents.rules import RULES
from docgen.core.validation import Problem, validate

__all__ = [
    "Image",
    "Template",
    "jinja_environment",
    "list_templates",
    "load_template",
]

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TAG_RE = re.compile(r"\{\{|\{%|\{#")
# Characters XML 1.0 cannot carry; \t and \n stay (docxtpl turns them into <w:tab/> and <w:br/>).
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WINDOWS_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_MAX_NAME = 120  # characters of a file name, before the extension
# Linux file systems cap a name at 255 bytes (a Chinese character takes 3 in UTF-8); leave room
# for ".docx" and the batch's staging name (".NAME.docx.PID-RANDOM.part").
_MAX_NAME_BYTES = 180


# --------------------------------------------------------------------------- environment

def _finalize(value: Any) -> Any:
    """Applied to every ``{{ value }}`` before escaping.

    ``None`` would print "None" where a letter needs a name or figure: an error instead.
    Windows line ends become ``\\n`` (rendered as ``<w:br/>``); control characters XML cannot
    carry are dropped so a pasted value never corrupts the file.
    """
    if value is None:
        raise ValueError("值为空(None),模板中不能出现空白")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _BAD_XML_CHARS.sub("", value)
    return value


def jinja_environment() -> SandboxedEnvironment:
    """Return a new sandboxed Jinja environment configured as docgen renders templates.

    Strict undefined, XML autoescape, the ``docgen.core.cnformat`` filters. Pass it to
    ``DocxTemplate.render(context, jinja_environment(), autoescape=True)`` to get docxtpl's
    own rendering of the same template (what the bench and tests compare against).
    """
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters.update(cnformat.FILTERS)
    return env


# --------------------------------------------------------------------------- images

@dataclass
class _ImageState:
    """Per-render bookkeeping of pictures: relationship ids and drawing ids handed out."""

    rids: dict[int, tuple[str, str, "Image"]] = field(default_factory=dict)
    next_docpr: int = 9000
    enabled: bool = True


_IMAGE_STATE: contextvars.ContextVar[_ImageState | None] = contextvars.ContextVar("docgen_image_state", default=None)


def _image_size(data: bytes) -> tuple[str, int, int]:
    """Return (extension, width px, height px) of PNG or JPEG bytes; raise ValueError otherwise."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:3] == b"\xff\xd8\xff":
        from PIL import Image as PILImage  # Pillow ships with matplotlib

        with PILImage.open(io.BytesIO(data)) as img:
            return "jpeg", img.width, img.height
    raise ValueError("图片应为 PNG 或 JPEG")


class Image:
    """A context value that renders as an inline picture: ``Image(png_bytes, width_mm)``.

    Use ``{{ chart }}`` alone in a paragraph of the main document body. The height follows the
    picture's aspect ratio unless ``height_mm`` is given. Raises ``ValueError`` for bytes that
    are neither PNG nor JPEG.
    """

    def __init__(self, data: bytes, width_mm: float, height_mm: float | None = None, *, name: str = "image") -> None:
        self.data = bytes(data)
        self.ext, px_w, px_h = _image_size(self.data)
        if width_mm <= 0:
            raise ValueError("图片宽度应大于零")
        self.width_emu = int(width_mm * 36000)
        self.height_emu = int((height_mm if height_mm else width_mm * px_h / max(px_w, 1)) * 36000)
        self.name = name

    def __html__(self) -> str:
        state = _IMAGE_STATE.get()
        if state is None or not state.enabled:
            raise ValueError("图片只能放在正文中(页眉、页脚不支持)")
        entry = state.rids.get(id(self))
        if entry is None:
            rid = f"rIdDocgenImg{len(state.rids) + 1}"
            target = f"media/docgen-image{len(state.rids) + 1}.{self.ext}"
            entry = state.rids[id(self)] = (rid, target, self)
        state.next_docpr += 1
        docpr = state.next_docpr
        cx, cy = self.width_emu, self.height_emu
        name = Markup.escape(self.name)
        return (
            '</w:t></w:r><w:r><w:drawing>'
            '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
            'distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{docpr}" name="{name} {docpr}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:nvPicPr><pic:cNvPr id="0" name="{name}.{self.ext}"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:embed="{entry[0]}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r><w:r><w:t xml:space="preserve">'
        )

    def __str__(self) -> str:
        return self.__html__()


def _has_images(value: Any) -> bool:
    if isinstance(value, Image):
        return True
    if isinstance(value, dict):
        return any(_has_images(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_images(v) for v in value)
    return False


# --------------------------------------------------------------------------- zip writing

# Fixed member timestamps make the output a function of the data alone (stable SHA-256 on re-runs).
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0


class _BaseZip:
    """The members no render changes, deflated once; ``finish`` appends new members per document.

    Writing the zip records by hand (local headers, central directory, end record) lets each
    document copy the untouched members' compressed bytes as one block instead of re-reading
    a zip directory per letter.
    """

    def __init__(self, members: list[tuple[str, bytes]]) -> None:
        self._local = bytearray()
        self._central = bytearray()
        self.count = len(members)
        for name, data in members:
            self._add(self._local, self._central, name, data, level=6)
        self._local = bytes(self._local)
        self._central = bytes(self._central)

    def _add(self, local: bytearray, central: bytearray, name: str, data: bytes, *, level: int) -> None:
        encoded = name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        crc = zlib.crc32(data) & 0xFFFFFFFF
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        offset = len(local)
        if offset > 0xFFFFFFFF or len(data) > 0xFFFFFFFF:
            raise ValueError("文档过大(超过 4 GB)")
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                             crc, len(packed), len(data), len(encoded), 0) + encoded + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                               crc, len(packed), len(data), len(encoded), 0, 0, 0, 0, 0o100644 << 16,
                               offset) + encoded

    def finish(self, members: list[tuple[str, bytes]], *, level: int = 1) -> bytes:
        """Return a complete zip: the base members followed by ``members`` (deflated at ``level``)."""
        local = bytearray(self._local)
        central = bytearray(self._central)
        for name, data in members:
            self._add(local, central, name, data, level=level)
        count = self.count + len(members)
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
        return bytes(local + central + end)


# --------------------------------------------------------------------------- compiled parts

@dataclass
class _Part:
    """One XML part holding tags, preprocessed and compiled once."""

    member: str                 # zip member name, e.g. word/document.xml
    source: str                 # patched Jinja source (lines start at each <w:p>)
    template: jinja2.Template
    head: str                   # text before the rendered XML (declaration, <w:document ...>)
    tail: str                   # text after it (</w:document>)
    images: bool                # pictures allowed here (main body only)
    fix_tables: bool            # the part uses {%tc %}: table grids must be recomputed


def _paragraph_text(xml_line: str) -> str:
    return re.sub(r"<[^>]+>", "", xml_line).strip()


def patched_sources(docx_bytes: bytes, name: str | os.PathLike[str] = "") -> list[tuple[str, str, str, str]]:
    """Return ``(member, patched_source, head, tail)`` for every part of a .docx that holds tags.

    The document body is patched by docxtpl exactly as ``DocxTemplate.build_xml`` does; headers,
    footers and footnotes likewise. Each ``<w:p`` starts a new line (as in docxtpl) so Jinja
    line numbers point at paragraphs. Raises ``TemplateError`` (starting with ``name``, the
    file) if the file is not a .docx.
    """
    try:
        tpl = DocxTemplate(io.BytesIO(docx_bytes))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several types for a non-docx file
        where = f"{name}: " if name else ""
        raise TemplateError(f"{where}不是有效的 Word .docx 文件,请在 Word 中打开并另存为 .docx({exc})") from None
    out: list[tuple[str, str, str, str]] = []
    document = tpl.docx
    # Head and tail of document.xml around the body, as python-docx would serialize it.
    full = etree.tostring(document.element, encoding="unicode")
    start = full.index("<w:body")
    end = full.rindex("</w:body>") + len("</w:body>")
    body_src = tpl.patch_xml(tpl.get_xml())
    # The body was serialized alone, so it repeats the root's namespace declarations: drop them.
    body_src = re.sub(r"^<w:body(?:\s+xmlns(?::\w+)?=\"[^\"]*\")*\s*>", "<w:body>", body_src, count=1)
    body_src = re.sub(r"<w:p([ >])", r"\n<w:p\1", body_src)
    out.append((document.part.partname.lstrip("/"), body_src, _XML_DECL + full[:start], full[end:]))
    parts = [rel.target_part for rel in document.part.rels.values()
             if not rel.is_external and rel.reltype in (_HEADER_REL, _FOOTER_REL)]
    parts += [p for p in document.part.package.parts
              if p.content_type.endswith("wordprocessingml.footnotes+xml")]
    seen: set[str] = set()
    for part in parts:
        member = str(part.partname).lstrip("/")
        if member in seen:
            continue
        seen.add(member)
        src = tpl.get_part_xml(part) if hasattr(part, "blob") else ""
        if not _TAG_RE.search(re.sub(r"<[^>]+>", "", src)):
            continue
        patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(src))
        out.append((member, patched, _XML_DECL, ""))
    return out


def _render_error(template: str, exc: BaseException, source: str | None, *, row: int | None) -> RenderError:
    """Translate a Jinja/filter exception into a RenderError naming template, field, row, place."""
    where = ""
    named: set[str] = set()
    if source is not None:
        lineno = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                lineno = tb.tb_lineno
            tb = tb.tb_next
        lineno = getattr(exc, "lineno", None) or lineno
        if lineno:
            lines = source.splitlines()
            if 0 < lineno <= len(lines):
                text = _paragraph_text(lines[lineno - 1])
                # the field a filter failed on: the paragraph's only {{ name … }}, when it has one
                named = set(re.findall(r"\{\{-?\s*([A-Za-z_]\w*)", text))
                snippet = text[:80]
                where = f"(第{lineno}段: {snippet})" if snippet else f"(第{lineno}段)"
    field_name = "?"
    if isinstance(exc, jinja2.UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(exc)) or re.search(r"has no attribute '([^']+)'", str(exc))
        field_name = m.group(1) if m else "?"
        message = f"模板 {template}: 字段 {field_name} 未提供{where}"
        detail = "未提供(模板需要此字段)"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = f"模板 {template}: 不安全的模板表达式{where}: {exc}"
        detail = f"不安全的模板表达式: {exc}"
    else:
        if len(named) == 1:
            field_name = named.pop()
        message = f"模板 {template}: 无法填写{where}: {exc}"
        detail = str(exc)
    row_text = f" 第{row}行" if row is not None else ""
    return RenderError(message + row_text, [Problem(field_name, detail + where, row=row)])


# --------------------------------------------------------------------------- the template

class Template:
    """A loaded Word template: metadata, schema, rules, and the compiled renderer."""

    def __init__(self, name: str, docx_path: Path, meta_path: Path | None, meta: dict[str, Any]) -> None:
        self.name = name
        self.path = docx_path
        self.meta_path = meta_path
        self.meta = meta
        self.title: str = str(meta.get("title", name))
        self.category: str = str(meta.get("category", ""))
        self.key_field: str = str(meta.get("key_field", "serial"))
        self.description: str = str(meta.get("description", ""))
        schema = copy.deepcopy(meta.get("schema") or {})
        # The caller injects `serial` (register or data file); the schema need not list it.
        schema.setdefault("serial", {"type": "string", "required": False, "coerce": "strip"})
        self.schema: dict[str, Any] = schema
        self.aliases: dict[str, list[str]] = {k: [str(a) for a in (v or [])] for k, v in (meta.get("aliases") or {}).items()}
        self.rules: list[dict[str, Any]] = list(meta.get("rules") or [])
        self.serial_pattern: str = str(meta.get("serial", "{seq:05d}"))
        self.filename_pattern: str = str(meta.get("filename", "{serial}_" + name))
        self.date_field: str | None = meta.get("date_field")
        self._check_meta()
        # Valid rows skip cerberus (milliseconds a row); doubtful ones get its exact messages.
        self._fast_check = compile_schema(self.schema)
        self._docx_bytes = self._read_docx()
        self._parts: list[_Part] | None = None
        self._base: _BaseZip | None = None
        self._base_no_rels: _BaseZip | None = None
        self._members: dict[str, bytes] = {}

    # ---- metadata --------------------------------------------------------------------
    def _where(self) -> str:
        return str(self.meta_path or self.path)

    def _check_meta(self) -> None:
        for key, pattern in (("serial", self.serial_pattern), ("filename", self.filename_pattern)):
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
            except ValueError as exc:
                raise TemplateError(f"{self._where()}: {key} 格式错误: {exc}") from None
            for f in fields:
                if not _FIELD_RE.match(f):
                    raise TemplateError(f"{self._where()}: {key} 中的占位符 {{{f}}} 只能是字段名")
        for rule in self.rules:
            if not isinstance(rule, dict) or rule.get("rule") not in RULES:
                raise TemplateError(f"{self._where()}: 未知规则 {rule!r}(可用: {', '.join(sorted(RULES))})")
        if self.key_field not in self.schema:
            raise TemplateError(f"{self._where()}: key_field {self.key_field} 不在 schema 中")
        for key in self.aliases:
            if key.split(".")[0] not in self.schema:
                raise TemplateError(f"{self._where()}: aliases 中的字段 {key} 不在 schema 中")

    def _read_docx(self) -> bytes:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise TemplateError(f"无法读取模板 {self.path}: {exc.strerror}") from None
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise TemplateError(f"{self.path}: 不是有效的 Word .docx 文件(应为 zip 格式;.doc 请在 Word 中另存为 .docx)")
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

    def fields(self) -> list[dict[str, Any]]:
        """Return one dict per top-level field: name, type, required, aliases, and nested fields."""
        out = []
        for name, rule in self.schema.items():
            entry = {
                "name": name,
                "type": rule.get("type", "any"),
                "required": bool(rule.get("required", False)),
                "aliases": self.aliases.get(name, []),
                "description": rule.get("meta", {}).get("label", "") if isinstance(rule.get("meta"), dict) else "",
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
        """A spreadsheet cell '张三、李四' for a list-of-text field becomes ['张三', '李四']."""
        result = dict(data)
        for name, rule in self.schema.items():
            value = result.get(name)
            if rule.get("type") == "list" and isinstance(value, str):
                sub = rule.get("schema") or {}
                if sub.get("type", "string") == "string":
                    result[name] = [p.strip() for p in re.split(r"[、;;,,\n]", value) if p.strip()]
        return result

    def check(
        self, data: dict[str, Any], *, row: int | None = None, columns: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Validate ``data`` against the schema, then the template's rules.

        Returns ``(context, problems)``: the normalized context (Decimal amounts, date objects,
        derived totals) and every problem found (path, Chinese message, row, column).
        """
        if not isinstance(data, dict):
            return {}, [Problem("(root)", "数据应为映射(字段: 值)", row=row)]
        prepared = self._split_lists(data)
        fast = self._fast_check(prepared) if self._fast_check is not None else None
        if fast is not None:
            context, problems = fast, []
        else:
            context, problems = validate(self.schema, prepared, row=row, columns=columns)
        if problems:
            return context, problems
        columns = columns or {}
        for rule in self.rules:
            params = {k: v for k, v in rule.items() if k != "rule"}
            for path, message in RULES[rule["rule"]](context, params):
                top = re.split(r"[.\[]", path, maxsplit=1)[0]
                problems.append(Problem(path, message, row=row, column=columns.get(top)))
        return context, problems

    def prepare(self, data: dict[str, Any], *, row: int | None = None, columns: dict[str, str] | None = None) -> dict[str, Any]:
        """Return the checked, normalized context; raise ``RenderError`` listing every problem."""
        context, problems = self.check(data, row=row, columns=columns)
        if problems:
            where = f" 第{row}行" if row is not None else ""
            raise RenderError(f"模板 {self.name}{where}: 数据未通过检查({len(problems)} 处问题)", problems)
        return context

    # ---- names ---------------------------------------------------------------------------
    def _pattern_values(self, context: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in context.items():
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
            raise TemplateError(f"{self._where()}: serial 格式 {self.serial_pattern!r} 无法使用: {exc}") from None

    def output_name(self, context: dict[str, Any]) -> str:
        """Return the output file name (``.docx``) from the file-name pattern, safe on Windows and Linux.

        Characters Windows forbids become ``_``; the stem is capped at 120 characters and
        180 UTF-8 bytes (Linux allows 255 bytes per name; Chinese takes 3 a character).
        Raises ``TemplateError`` if the pattern names a field the context lacks.
        """
        try:
            stem = self.filename_pattern.format(**self._pattern_values(context))
        except (KeyError, ValueError) as exc:
            raise TemplateError(f"{self._where()}: filename 格式 {self.filename_pattern!r} 缺少字段 {exc}") from None
        if stem.lower().endswith(".docx"):
            stem = stem[:-5]
        stem = _WINDOWS_BAD.sub("_", stem).strip(" .")
        stem = re.sub(r"\s+", " ", stem)[:_MAX_NAME]
        stem = stem.encode("utf-8")[:_MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .") or self.name
        if stem.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}:
            stem = "_" + stem
        return stem + ".docx"

    # ---- compiled template ---------------------------------------------------------------
    def _compile(self) -> list[_Part]:
        if self._parts is not None:
            return self._parts
        env = jinja_environment()
        parts: list[_Part] = []
        for member, source, head, tail in patched_sources(self._docx_bytes, self.path):
            try:
                compiled = env.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                lines = source.splitlines()
                snippet = _paragraph_text(lines[exc.lineno - 1])[:80] if 0 < (exc.lineno or 0) <= len(lines) else ""
                raise TemplateError(
                    f"{self.path}: {member} 第{exc.lineno}段模板标签有误({exc.message}): {snippet}"
                    f"。请运行 docgen templates lint {self.path} 查看详情"
                ) from None
            text = re.sub(r"<[^>]+>", "", source)
            parts.append(_Part(member, source, compiled, head, tail, member == "word/document.xml",
                               bool(re.search(r"\{[%{]-?\s*tc\s", text))))
        self._parts = parts
        self._build_base()
        return parts

    def _build_base(self) -> None:
        """Pre-build the zip of every member no render changes (written once, copied per document)."""
        dynamic = {p.member for p in self._parts or []}
        with zipfile.ZipFile(io.BytesIO(self._docx_bytes)) as src:
            members = {info.filename: src.read(info) for info in src.infolist()}
        ctypes = members.get("[Content_Types].xml", b"").decode("utf-8")
        # Pictures (the NPL report's chart) need their extensions declared; harmless otherwise.
        for ext, mime in (("png", "image/png"), ("jpeg", "image/jpeg")):
            if f'Extension="{ext}"' not in ctypes and ctypes:
                ctypes = ctypes.replace("</Types>", f'<Default Extension="{ext}" ContentType="{mime}"/></Types>', 1)
        if ctypes:
            members["[Content_Types].xml"] = ctypes.encode("utf-8")
        self._members = members

        def build(skip: set[str]) -> _BaseZip:
            order = ["[Content_Types].xml"] + [m for m in members if m != "[Content_Types].xml"]
            return _BaseZip([(m, members[m]) for m in order if m in members and m not in skip])

        self._base = build(dynamic)
        self._base_no_rels = None
        self._build = build  # kept for the picture case, built lazily
        self._dynamic = dynamic

    def variables(self) -> list[str]:
        """Return the sorted top-level names the template's tags use."""
        from jinja2 import meta as jmeta

        env = jinja_environment()
        names: set[str] = set()
        for part in self._compile():
            names |= jmeta.find_undeclared_variables(env.parse(part.source))
        return sorted(names)

    def render(self, context: dict[str, Any], *, row: int | None = None) -> bytes:
        """Return the .docx bytes of the template filled with ``context``.

        ``context`` is normally ``prepare()``'s result plus ``serial``. Raises ``RenderError``
        naming template, field (and ``row``) for an undefined field or a value a filter rejects,
        and if the result would not be well-formed XML.
        """
        parts = self._compile()
        images = _has_images(context)
        state = _ImageState()
        token = _IMAGE_STATE.set(state)
        rendered: list[tuple[str, bytes]] = []
        try:
            for part in parts:
                state.enabled = part.images
                try:
                    xml = part.template.render(context)
                except Exception as exc:  # jinja and filter errors of every kind
                    raise _render_error(self.name, exc, part.source, row=row) from None
                rendered.append((part.member, self._finish(part, xml, row).encode("utf-8")))
        finally:
            _IMAGE_STATE.reset(token)
        return self._zip(rendered, state if images else None)

    def _finish(self, part: _Part, xml: str, row: int | None) -> str:
        """docxtpl's post-processing of a rendered part, skipping steps that would be no-ops."""
        # Same effect as docxtpl's re.sub(r"\n<w:p([ >])", ...), without a regex per paragraph.
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "_" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\t\a\n\f"):
            xml = DocxTemplate.resolve_listing(None, xml)  # type: ignore[arg-type]  # uses no state
        full = part.head + xml + part.tail
        try:
            tree = etree.fromstring(full.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            where = f" 第{row}行" if row is not None else ""
            raise RenderError(
                f"模板 {self.name}{where}: 生成的 {part.member} 不是有效的 XML({exc});"
                f"请运行 docgen templates lint 检查模板标签", []
            ) from None
        if part.fix_tables:
            # {%tc %} loops change the cell count: recompute the table grids as docxtpl does.
            body = tree.find(f"{{{_W_NS}}}body")
            target = body if body is not None else tree
            fixed = DocxTemplate.fix_tables(None, etree.tostring(target, encoding="unicode"))  # type: ignore[arg-type]
            if body is not None:
                tree.replace(body, fixed)
            else:
                tree = fixed
            full = _XML_DECL + etree.tostring(tree, encoding="unicode")
        return full

    def _zip(self, rendered: list[tuple[str, bytes]], state: _ImageState | None) -> bytes:
        rels_member = "word/_rels/document.xml.rels"
        if state is None or not state.rids:
            assert self._base is not None
            return self._base.finish(rendered)
        if self._base_no_rels is None:
            self._base_no_rels = self._build(self._dynamic | {rels_member})
        rels = self._members[rels_member].decode("utf-8")
        new = "".join(
            f'<Relationship Id="{rid}" Type="{_IMAGE_REL}" Target="{target}"/>'
            for rid, target, _ in state.rids.values()
        )
        extra = [(rels_member, rels.replace("</Relationships>", new + "</Relationships>").encode("utf-8"))]
        extra += [("word/" + target, img.data) for _, target, img in state.rids.values()]
        return self._base_no_rels.finish(rendered + extra)

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
    meta = read_mapping(path, what="模板说明", error=TemplateError, hint="(title, schema, …)")
    if not isinstance(meta.get("schema"), dict):
        raise TemplateError(f"{path}: 缺少 schema(字段定义)")
    return meta


def load_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the field values in a .yaml/.yml/.json data file for ``render``.

    Raises ``InputError`` naming the file (and line and column of a syntax error).
    """
    return read_mapping(path, what="数据文件", hint=",如 borrower: 张三")


def _schema_path(meta: str | os.PathLike[str]) -> Path:
    """``--schema`` may be a template name or a path to a .yaml file."""
    candidate = Path(meta)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    shipped = resources.templates_dir() / f"{meta}.yaml"
    if not shipped.exists():
        known = ", ".join(t.name for t in list_templates()) or "无"
        raise TemplateError(f"未知模板 {meta}(可用: {known})")
    return shipped


def load_template(
    name: str | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    meta: str | os.PathLike[str] | None = None,
) -> Template:
    """Load a template by ``name`` (shipped) or from ``path`` (a bank-edited .docx).

    With ``path``, metadata comes from ``meta`` (a template name or .yaml path), else from the
    .yaml beside the .docx, else from the shipped template called ``name``. Returns the
    ``Template``; raises ``TemplateError`` (exit 2) naming the missing or unreadable file.
    """
    if path is None:
        if not name:
            raise TemplateError("请给出模板名称或 --template 文件")
        docx = resources.templates_dir() / f"{name}.docx"
        yml = resources.templates_dir() / f"{name}.yaml"
        if not docx.exists() or not yml.exists():
            known = ", ".join(t.name for t in list_templates()) or "无"
            raise TemplateError(f"未知模板 {name}(可用: {known})")
        return Template(name, docx, yml, _read_meta(yml))
    docx = Path(path)
    if not docx.exists():
        raise TemplateError(f"模板文件不存在: {docx}")
    if meta is not None:
        yml = _schema_path(meta)
    elif docx.with_suffix(".yaml").exists():
        yml = docx.with_suffix(".yaml")
    elif name:
        yml = _schema_path(name)
    else:
        raise TemplateError(f"{docx}: 找不到字段定义;请用 --schema 指定模板名称(如 demand-letter)或 .yaml 文件")
    tpl_name = name or (yml.stem if yml.parent == resources.templates_dir() else docx.stem)
    return Template(tpl_name, docx, yml, _read_meta(yml))


def list_templates() -> list[Template]:
    """Return every shipped template (a .docx with its .yaml), sorted by name."""
    folder = resources.templates_dir()
    out = []
    for yml in sorted(folder.glob("*.yaml")):
        docx = yml.with_suffix(".docx")
        if docx.exists():
            out.append(Template(yml.stem, docx, yml, _read_meta(yml)))
    return out
