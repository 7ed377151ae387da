"""The render engine: a template's .docx patched and compiled once, then rendered per document.

The .docx is preprocessed ONCE per template with docxtpl's own XML patching
(``DocxTemplate.patch_xml``: merges tags split across Word runs, handles ``{%tr %}``/``{%p %}``),
the Jinja source is compiled once, and each document only renders the parts holding tags and
appends them to a pre-built zip of the untouched members (``docgen.documents.package``). The
rendered XML is what docxtpl itself would produce for the same data and environment
(``jinja_environment()``), so a plain ``DocxTemplate(...).render(context, jinja_environment(),
autoescape=True)`` gives the same text (the bench compares them).

Safety: Jinja's ``SandboxedEnvironment`` with ``StrictUndefined`` and autoescape, so ``&``,
``<`` and quotes in a value are XML-escaped, ``{{`` in a value prints literally, a missing
field is a ``RenderError`` naming template, field and row, and a value that is ``None`` or
holds characters XML cannot carry never reaches the document silently.
"""
from __future__ import annotations

import io
import os
import pyexpat
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup

from docgen.core import cnformat
from docgen.core.cache import cache_key, code_digest, read_entry, write_entry
from docgen.core.errors import InvalidValueError, RenderError, TemplateError
from docgen.core.typography import FULL_WIDTH, fullwidth_in_chinese
from docgen.documents.bounds import BoundedSandbox, render_pieces
from docgen.documents.image import IMAGE_STATE, ImageState, has_images
from docgen.documents.messages import MESSAGES
from docgen.documents.package import DocxPackage
from docgen.documents.paragraphs import SourcePlaces, in_part, line_paragraphs, mark_paragraphs, places

__all__ = ["Engine", "cached_sources", "jinja_environment", "patched_sources"]

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TAG_RE = re.compile(r"\{\{|\{%|\{#")
# Characters XML 1.0 cannot carry; \t and \n stay (docxtpl turns them into <w:tab/> and <w:br/>).
_BAD_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_BAD_XML_CHARS = re.compile(f"[{_BAD_XML}]")
#: What ``_finalize`` may change in a text: a carriage return, a character XML cannot carry, an
#: ASCII mark of ``FULL_WIDTH`` (``fullwidth_in_chinese`` says whether it sits in Chinese).
_FULL_WIDTH_ASCII = re.escape("".join(FULL_WIDTH))
_FINALIZE_WORK = re.compile(f"[\r{_BAD_XML}{_FULL_WIDTH_ASCII}]")
_LINE_WORK = re.compile(f"[\r{_BAD_XML}]")


def _finalize(value: Any) -> Any:
    """Applied to every ``{{ value }}`` before escaping.

    ``None`` would print "None" where a letter needs a name or figure: an error instead.
    Windows line ends become ``\\n`` (rendered as ``<w:br/>``); control characters XML cannot
    carry are dropped so a pasted value never corrupts the file; ASCII marks a value typed on an
    English keyboard puts in Chinese text become full-width (GB/T 15834: the letter reads
    ``房产（眉房权证字第7号）`` whatever the ledger's cell had).
    """
    if value is None:
        raise MESSAGES.error(InvalidValueError, "value-none")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        # Most values hold none of these: one scan instead of the passes below.
        if _FINALIZE_WORK.search(value) is None:
            return value
        # An amount's commas or a time's colon: with no Chinese beside them, only the line ends and
        # control characters are work (isascii is a flag of the string, not a scan).
        ascii_only = value.isascii()
        if ascii_only and _LINE_WORK.search(value) is None:
            return value
        value = _BAD_XML_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        return value if ascii_only else fullwidth_in_chinese(value)
    return value


def jinja_environment() -> BoundedSandbox:
    """Return a new sandboxed Jinja environment configured as docgen renders templates.

    Strict undefined, XML autoescape, the ``docgen.core.cnformat`` filters. Pass it to
    ``DocxTemplate.render(context, jinja_environment(), autoescape=True)`` to get docxtpl's
    own rendering of the same template (what the bench and tests compare against).
    """
    env = BoundedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters.update(cnformat.FILTERS)
    return env


# A value Jinja escaped can still break the XML if it is not plain text: a raw ``<``, ``>`` or
# quote, an ``&`` that does not start one of the entities ``escape`` writes, a character XML
# cannot carry, a surrogate, or ``]`` (``]]>`` is not allowed in text).
_UNSAFE_VALUE = re.compile("[<>\"'\\]\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                           "|&(?!(?:amp|lt|gt|quot|apos|#34|#39);)")
_SLOT = "\ue000"  # stands for a value when a shape is proven: private use, not a name character


class _Shapes:
    """Which sequences of template constants are known to give well-formed XML whatever
    plain-text values fill their slots.

    Values are escaped when rendered, so the document's markup comes only from the
    template's own text: which pieces of it appear, in which order, decides well-formedness.
    A render's *shape* is that sequence (the constant strings themselves, ``None`` where a
    value went). A shape is proven once, by parsing it with a stand-in character in every
    value slot and finding each stand-in in character data (not in a tag, an attribute, a
    comment or CDATA); from then on a render of that shape whose values are all plain text
    (``_UNSAFE_VALUE`` finds nothing) is well-formed without parsing it. Anything else
    (a value that is not plain text, a shape not proven, a value slot inside markup) is
    parsed in full as before. At most ``LIMIT`` shapes are kept per part.
    """

    LIMIT = 256

    def __init__(self) -> None:
        self._known: dict[tuple[str | None, ...], bool] = {}

    @staticmethod
    def of(pieces: list[str]) -> tuple[tuple[str | None, ...], list[str]] | None:
        """Return ``(shape, values)`` of a render, or None when a piece is neither a template
        constant (``str``) nor an escaped value (``Markup``)."""
        shape: list[str | None] = []
        values: list[str] = []
        for piece in pieces:
            kind = piece.__class__
            if kind is str:
                shape.append(piece)
            elif kind is Markup:
                shape.append(None)
                values.append(piece)
            else:
                return None
        return tuple(shape), values

    def vouches(self, shape: tuple[str | None, ...], values: list[str]) -> bool:
        """Whether this render is well-formed without being parsed."""
        return self._known.get(shape, False) and not _UNSAFE_VALUE.search(" ".join(values))

    def learn(self, shape: tuple[str | None, ...], head: str, tail: str) -> None:
        """Prove ``shape`` (after the render it came from parsed well-formed)."""
        if shape in self._known or len(self._known) >= self.LIMIT:
            return
        slots = shape.count(None)
        probe = head + _joined(_SLOT if piece is None else piece for piece in shape) + tail
        self._known[shape] = "<![CDATA[" not in probe and _slots_in_text(probe) == slots


def _joined(pieces: Any) -> str:
    """The rendered part as ``_finish`` sees it before the listing step (``<w:p`` lines joined)."""
    return "".join(pieces).replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")


def _slots_in_text(probe: str) -> int:
    """How many value stand-ins ``probe`` has in character data; -1 when it is not well-formed."""
    found: list[str] = []
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.CharacterDataHandler = lambda data: found.append(data) if _SLOT in data else None
    try:
        parser.Parse(probe, True)
    except pyexpat.ExpatError:
        return -1
    return sum(text.count(_SLOT) for text in found)


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
    #: Shapes of output already proven well-formed for any safe values (see ``_Shapes``).
    shapes: _Shapes = field(default_factory=_Shapes)


def unknown_filter(exc: jinja2.TemplateSyntaxError) -> str | None:
    """Return the filter (or test) name Jinja found none of (``{{ x|amount_in_word }}``), or None
    when ``exc`` is another syntax error. Jinja says it only in English, in the message."""
    m = re.search(r"No (?:filter|test) named '([^']+)'", exc.message or "")
    return m.group(1) if m else None


def _paragraph_text(xml_line: str) -> str:
    return re.sub(r"<[^>]+>", "", xml_line).strip()


def patched_sources(docx_bytes: bytes, name: str | os.PathLike[str] = "", *,
                    marked: bool = False) -> list[tuple[str, str, str, str]]:
    """Return ``(member, patched_source, head, tail)`` for every part of a .docx that holds tags.

    The document body is patched by docxtpl exactly as ``DocxTemplate.build_xml`` does; headers,
    footers and footnotes likewise. Each ``<w:p`` starts a new line (as in docxtpl) so Jinja
    line numbers point at paragraphs. With ``marked`` each paragraph carries its ordinal through
    the patching (``paragraphs.mark_paragraphs``): the sources then say which paragraph each
    line holds, and are not for rendering. Raises ``TemplateError`` (starting with ``name``, the
    file) if the file is not a .docx.
    """
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(docx_bytes))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several types for a non-docx file
        raise MESSAGES.error(TemplateError, "template-not-word", name=name or None, reason=str(exc)) from None
    out: list[tuple[str, str, str, str]] = []
    document = tpl.docx
    # Head and tail of document.xml around the body, as python-docx would serialize it.
    full = etree.tostring(document.element, encoding="unicode")
    start = full.index("<w:body")
    end = full.rindex("</w:body>") + len("</w:body>")
    mark = mark_paragraphs if marked else (lambda xml: xml)
    body_src = tpl.patch_xml(mark(tpl.get_xml()))
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
        patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(mark(src)))
        out.append((member, patched, _XML_DECL, ""))
    return out


def paragraph_places(docx_bytes: bytes, name: str | os.PathLike[str] = "") -> dict[str, SourcePlaces]:
    """Return, for every part of a .docx that holds tags, its preprocessed source read back to its
    paragraphs (``SourcePlaces``): what names the paragraph of a Jinja error's line as ``templates
    lint`` names it. Raises ``TemplateError`` as ``patched_sources`` does."""
    out: dict[str, SourcePlaces] = {}
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        members = set(archive.namelist())
        for member, source, _, _ in patched_sources(docx_bytes, name, marked=True):
            if member in members:  # python-docx read it: a part named otherwise in the zip goes unplaced
                out[member] = SourcePlaces(line_paragraphs(source), places(etree.fromstring(archive.read(member))))
    return out


def _docxtpl_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docxtpl")
    except PackageNotFoundError:  # pragma: no cover - docxtpl is a dependency
        return "?"


def cached_sources(docx_bytes: bytes, name: str | os.PathLike[str] = "") -> list[tuple[str, str, str, str]]:
    """``patched_sources`` kept in the user's cache under the .docx's SHA-256 (with docgen's
    and docxtpl's versions): a batch with an unchanged template skips docxtpl's preprocessing
    and the import of docxtpl and python-docx. Raises what ``patched_sources`` raises."""
    key = cache_key(docx_bytes, _docxtpl_version(), code_digest(__name__))
    entry = read_entry("template", key)
    if isinstance(entry, list) and all(isinstance(e, list) and len(e) == 4 and all(isinstance(x, str) for x in e)
                                       for e in entry):
        return [tuple(e) for e in entry]  # type: ignore[misc]
    sources = patched_sources(docx_bytes, name)
    write_entry("template", key, [list(s) for s in sources])
    return sources


def _check_xml(full: str) -> None:
    """Raise ``pyexpat.ExpatError`` unless ``full`` is well-formed, namespaces included.

    Values are escaped when rendered, so only the template's control flow can break the XML;
    expat checks that at about half the cost of building lxml's tree.
    """
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.Parse(full, True)


def _render_error(template: str, exc: BaseException, source: str | None, *, row: int | None,
                  locate: Callable[[int], str | None]) -> RenderError:
    """Translate a Jinja/filter exception into a RenderError naming template, field, row, place
    (``locate``: the paragraph of a line of ``source``, as ``templates lint`` names it)."""
    facts: dict[str, Any] = {"template": template, "place": None, "snippet": "", "error": str(exc)}
    english = _english_of(exc)
    if english is not None:
        facts["error_en"] = english
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
                facts.update(place=locate(lineno), snippet=text[:80])
    field_name = "?"
    if isinstance(exc, jinja2.UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(exc)) or re.search(r"has no attribute '([^']+)'", str(exc))
        field_name = m.group(1) if m else "?"
        code = "undefined-field"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        code = "unsafe-expression"
    else:
        if len(named) == 1:
            field_name = named.pop()
        code = "fill-failed"
    facts["field"] = field_name
    problem = MESSAGES.problem(code, field_name, row=row, **facts)
    return MESSAGES.error(RenderError, f"{code}/error", [problem], **{**facts, "row": row})


def _english_of(exc: Exception) -> str | None:
    """Return a filter's error (``cnformat``'s, worded by core's table) in English, or None when
    core's table has no English for it or did not word it (a Python or Jinja error: in English)."""
    from docgen.core.messages import MESSAGES as CORE

    code = getattr(exc, "code", None)
    if not isinstance(exc, InvalidValueError) or code is None or code not in CORE.codes("en"):
        return None
    facts = dict(getattr(exc, "facts", {}))
    return CORE.text(code, facts, "en") if CORE.text(code, facts) == str(exc) else None


_ESCAPES = {"{_{": "{{ '{{' }}", "}_}": "{{ '}}' }}", "{_%": "{{ '{%' }}", "%_}": "{{ '%}' }}"}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))


def _literal_escapes(source: str) -> str:
    """Turn docxtpl's escapes for literal braces (``{_{`` …) into Jinja expressions printing them.

    docxtpl replaces them in the rendered text, which also rewrites the same characters
    in users' values (``a{_{b}_}`` printed as ``a{{b}}``); done on the template source,
    only what the template author wrote is affected.
    """
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], source) if "_" in source else source


class Engine:
    """One template's .docx, compiled on first use and rendered per document.

    ``name`` names the template in errors; ``path`` is the .docx file; ``docx_bytes`` its
    content (already read and checked to be a zip by the caller).
    """

    def __init__(self, name: str, path: Path, docx_bytes: bytes) -> None:
        self.name = name
        self.path = path
        self._docx_bytes = docx_bytes
        self._parts: list[_Part] | None = None
        self._package: DocxPackage | None = None
        self._places: dict[str, SourcePlaces] | None = None

    def _compile(self) -> tuple[list[_Part], DocxPackage]:
        """Return the compiled parts and the package of untouched members, built once.

        Raises ``TemplateError`` naming the part and paragraph of a tag Jinja cannot parse.
        """
        if self._parts is not None and self._package is not None:
            return self._parts, self._package
        env = jinja_environment()
        parts: list[_Part] = []
        for member, source, head, tail in cached_sources(self._docx_bytes, self.path):
            try:
                compiled = env.from_string(_literal_escapes(source))
            except jinja2.TemplateSyntaxError as exc:
                lines = source.splitlines()
                snippet = _paragraph_text(lines[exc.lineno - 1])[:80] if 0 < (exc.lineno or 0) <= len(lines) else ""
                name = unknown_filter(exc)
                reason = exc.message if name is None else MESSAGES.text(
                    "filter-unknown", {"filter": name, "available": ", ".join(sorted(cnformat.FILTERS))})
                place = self.place(member, exc.lineno)
                raise MESSAGES.error(TemplateError, "template-tag-syntax", path=str(self.path),
                                     where=in_part(member, place) if place else member, reason=reason,
                                     snippet=snippet) from None
            text = re.sub(r"<[^>]+>", "", source)
            parts.append(_Part(member, source, compiled, head, tail, member == "word/document.xml",
                               bool(re.search(r"\{[%{]-?\s*tc\s", text))))
        self._package = DocxPackage(self._docx_bytes, {p.member for p in parts})
        self._parts = parts
        return parts, self._package

    def place(self, member: str, lineno: int | None) -> str | None:
        """Return the paragraph line ``lineno`` of ``member``'s preprocessed source comes from,
        as ``templates lint`` names it (``第5段``, ``表格1 第2行 第1列``), or None (no such line,
        or not a paragraph's). Worked out when an error first asks, for every part at once."""
        if self._places is None:
            self._places = paragraph_places(self._docx_bytes, self.path)
        found = self._places.get(member)
        return found.at(lineno) if found else None

    def variables(self) -> list[str]:
        """Return the sorted top-level names the template's tags use."""
        from jinja2 import meta as jmeta

        env = jinja_environment()
        names: set[str] = set()
        for part in self._compile()[0]:
            names |= jmeta.find_undeclared_variables(env.parse(part.source))
        return sorted(names)

    def render(self, context: dict[str, Any], *, row: int | None = None) -> bytes:
        """Return the .docx bytes of the template filled with ``context``.

        Raises ``RenderError`` naming template, field (and ``row``) for an undefined field or a
        value a filter rejects, and if the result would not be well-formed XML.
        """
        parts, package = self._compile()
        images = has_images(context)
        state = ImageState()
        token = IMAGE_STATE.set(state)
        rendered: list[tuple[str, bytes]] = []
        try:
            for part in parts:
                state.enabled = part.images
                try:
                    pieces = render_pieces(part.template.generate(context))
                except Exception as exc:  # jinja and filter errors of every kind
                    raise _render_error(self.name, exc, part.source, row=row,
                                        locate=lambda line: self.place(part.member, line)) from None
                rendered.append((part.member, self._finish(part, pieces, row).encode("utf-8")))
        finally:
            IMAGE_STATE.reset(token)
        pictures = [(rid, target, img.data) for rid, target, img in state.rids.values()] if images else []
        return package.assemble(rendered, pictures)

    def _finish(self, part: _Part, pieces: list[str], row: int | None) -> str:
        """docxtpl's post-processing of a rendered part (its ``pieces``), skipping steps that
        would be no-ops; the part checked well-formed (``_Shapes`` spares the parse of a shape
        already proven). Raises ``RenderError`` when it is not."""
        # Same effect as docxtpl's re.sub(r"\n<w:p([ >])", ...), without a regex per paragraph.
        xml = _joined(pieces)
        listing = any(c in xml for c in "\t\a\n\f")
        if listing:
            from docxtpl import DocxTemplate

            xml = DocxTemplate.resolve_listing(None, xml)  # type: ignore[arg-type]  # uses no state
        full = part.head + xml + part.tail
        try:
            if not part.fix_tables:
                # The listing step turns values' line breaks into markup: such a render is parsed.
                shaped = None if listing else _Shapes.of(pieces)
                if shaped is not None and part.shapes.vouches(*shaped):
                    return full
                _check_xml(full)
                if shaped is not None:
                    part.shapes.learn(shaped[0], part.head, part.tail)
                return full
            tree = etree.fromstring(full.encode("utf-8"))
        except (etree.XMLSyntaxError, pyexpat.ExpatError) as exc:
            raise MESSAGES.error(RenderError, "invalid-xml/error", [], template=self.name, row=row, member=part.member,
                                 error=str(exc)) from None
        from docxtpl import DocxTemplate

        # {%tc %} loops change the cell count: recompute the table grids as docxtpl does.
        body = tree.find(f"{{{_W_NS}}}body")
        target = body if body is not None else tree
        fixed = DocxTemplate.fix_tables(None, etree.tostring(target, encoding="unicode"))  # type: ignore[arg-type]
        if body is not None:
            tree.replace(body, fixed)
        else:
            tree = fixed
        return _XML_DECL + etree.tostring(tree, encoding="unicode")
