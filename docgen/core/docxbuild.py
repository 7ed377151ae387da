"""Helpers that build Chinese bank documents with python-docx (templates and reports).

``new_document()`` returns an A4 document whose styles carry East-Asian fonts (``w:eastAsia``
on ``w:rFonts``) and ``w:lang w:eastAsia="zh-CN"``, so Word and LibreOffice pick Chinese faces;
it has a page-number footer (PAGE and NUMPAGES fields, ``第 N 页 共 M 页`` or ``Page N of M``).
The other helpers add a title, body paragraphs (first line indented two characters), tables,
signature and seal blocks; a title may start a new page. Text, including Jinja tags such as ``{{ borrower }}``,
is always written as ONE run per call so tags are never split across runs.

Styles defined (names used by the helpers): ``Normal`` 宋体 小四; ``Title`` 黑体 小二 centred;
``Heading 1`` 黑体 四号; ``Body Text`` 仿宋 四号 (letter body); ``Table Text`` 宋体 五号;
``Signature`` right-aligned; ``Footer``.

The document is saved slim: python-docx's default template carries 166 styles (a 352 KB
``styles.xml``) and a 438 KB ``stylesWithEffects.xml``, which LibreOffice imports for every
letter it converts; a document from ``new_document()`` keeps only the styles its parts use
(and what those are based on) and drops ``stylesWithEffects.xml``, which halves the time
LibreOffice takes per document.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from docgen.core.messages import PAGE_FOOTER
from docgen.core.typography import FULL_WIDTH

LATIN_FONT = "Times New Roman"
SONG = "宋体"
HEI = "黑体"
FANGSONG = "仿宋"


def _set_rfonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set explicit fonts on an ``w:rPr`` (removing theme fonts that would override them)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def set_run_font(run, east_asia: str, *, size: float | None = None, bold: bool | None = None,
                 latin: str = LATIN_FONT) -> None:
    """Give one run explicit Latin and East-Asian fonts, and optionally a size (pt) and weight."""
    _set_rfonts(run._element.get_or_add_rPr(), east_asia, latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _style(doc: DocumentType, name: str, east_asia: str, size: float, *, bold: bool = False,
           base: str | None = "Normal", kind=WD_STYLE_TYPE.PARAGRAPH):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, kind)
        if base:
            style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    _set_rfonts(rpr, east_asia)
    _set_lang(rpr)
    return style


def _first_line_chars(paragraph_format_element, chars: int = 2) -> None:
    """Indent the first line by ``chars`` Chinese characters (w:firstLineChars), not a fixed width."""
    ind = paragraph_format_element.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        paragraph_format_element.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(chars * 240))


#: The styles ``new_document`` sets up for Chinese documents; kept even when unused.
HOUSE_STYLES = ("Normal", "Title", "Heading 1", "Body Text", "Table Text", "Signature", "Footer")
_STYLE_REFS = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
_STYLE_LINKS = ("basedOn", "next", "link")
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _used_style_ids(parts) -> set[str]:
    """Style ids referenced from the given XML parts (paragraph, run, table styles)."""
    used: set[str] = set()
    for part in parts:
        for name in _STYLE_REFS:
            used.update(el.get(qn("w:val")) for el in part.iter(qn(f"w:{name}")))
    return used


def slim_styles(doc: DocumentType, house: Sequence[str] = HOUSE_STYLES) -> None:
    """Keep only the styles ``doc`` uses: those referenced from the body, headers and
    footers, the default style of each kind, the ``house`` styles (by name: what a bank's
    editor should find ready in Word), and everything those are based on or link to.
    Also drops ``stylesWithEffects.xml`` (a Word 2010 copy of the styles that Word rebuilds)
    and the latent-style table, and unlinks numbering levels from styles that are gone."""
    styles = doc.styles.element
    parts = [doc.element]
    for rel in doc.part.rels.values():
        if not rel.is_external and rel.reltype.endswith(("/header", "/footer")):
            parts.append(rel.target_part.element)
    keep = _used_style_ids(parts)
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    wanted = {name.lower() for name in house}  # Word stores built-in names in lower case
    for ident, style in by_id.items():
        name = style.find(qn("w:name"))
        if style.get(qn("w:default")) == "1" or (name is not None and name.get(qn("w:val")).lower() in wanted):
            keep.add(ident)
    pending = list(keep)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for name in _STYLE_LINKS:
            link = style.find(qn(f"w:{name}"))
            if link is not None and link.get(qn("w:val")) not in keep:
                keep.add(link.get(qn("w:val")))
                pending.append(link.get(qn("w:val")))
    for ident, style in by_id.items():
        if ident not in keep:
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rid)
        elif rel.reltype.endswith("/numbering"):
            for link in list(rel.target_part.element.iter(qn("w:pStyle"))):
                if link.get(qn("w:val")) not in keep:
                    link.getparent().remove(link)


class SlimDocument(DocumentType):
    """A python-docx document that is saved with ``slim_styles`` applied."""

    def save(self, path_or_stream) -> None:  # type: ignore[override]
        """Slim the styles (see ``slim_styles``), then save like python-docx."""
        slim_styles(self)
        super().save(path_or_stream)


def new_document(*, body_size: float = 12, letter_size: float = 12, line_spacing: float = 1.5,
                 lang: str = "zh") -> DocumentType:
    """Return a new A4 document with Chinese styles, margins and a page-number footer worded in
    ``lang`` (``zh`` or ``en``), saved with only the styles it uses (``SlimDocument``).

    Margins follow common bank letter practice (top 30 mm, bottom 25 mm, left 28 mm, right 26 mm).
    ``line_spacing`` (a multiple of single spacing) applies to ``Normal`` and ``Body Text``.
    """
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(12)

    # Document defaults: explicit fonts and zh-CN, so text outside any style still renders Chinese.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr_default, SONG)
    _set_lang(rpr_default)

    normal = _style(doc, "Normal", SONG, body_size, base=None)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing = line_spacing
    title = _style(doc, "Title", HEI, 18, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(12), Pt(12)
    # python-docx's Title carries a theme colour and bottom border; a bank letter wants plain black.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    h1 = _style(doc, "Heading 1", HEI, 14, bold=False)
    h1.paragraph_format.space_before, h1.paragraph_format.space_after = Pt(6), Pt(6)
    body = _style(doc, "Body Text", FANGSONG, letter_size)
    body.paragraph_format.line_spacing = line_spacing
    body.paragraph_format.space_before, body.paragraph_format.space_after = Pt(0), Pt(0)
    _first_line_chars(body.element.get_or_add_pPr())
    _style(doc, "Table Text", SONG, 10.5).paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    sig = _style(doc, "Signature", FANGSONG, letter_size)
    sig.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sig.paragraph_format.space_before, sig.paragraph_format.space_after = Pt(0), Pt(0)
    _style(doc, "Footer", SONG, 9)
    for name in ("Heading 2", "Heading 3", "Subtitle", "List Number", "List Bullet", "Caption"):
        try:
            _style(doc, name, HEI if name.startswith("Heading") else SONG, doc.styles[name].font.size.pt
                   if doc.styles[name].font.size else body_size, bold=bool(doc.styles[name].font.bold))
        except KeyError:
            pass
    # Built-in styles with only a Latin face (python-docx's "macro" etc.) get a Chinese one too.
    for style in doc.styles.element.findall(qn("w:style")):
        rfonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if rfonts is not None and rfonts.get(qn("w:eastAsia")) is None and rfonts.get(qn("w:eastAsiaTheme")) is None:
            rfonts.set(qn("w:eastAsia"), SONG)
    add_page_number_footer(doc, lang)
    doc.__class__ = SlimDocument  # same object, saved slim
    return doc


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a Word field (e.g. ``PAGE``) to ``paragraph``; Word and LibreOffice update it."""
    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
        return run

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._element.append(instr)
    fld("separate")
    paragraph.add_run(placeholder)
    fld("end")


def add_page_number_footer(doc: DocumentType, lang: str = "zh") -> None:
    """Put the page number and count (PAGE and NUMPAGES fields), centred, in every section's
    footer, worded in ``lang``: ``第 N 页 共 M 页``, ``Page N of M``. Raises ``KeyError`` for a
    language without a footer."""
    # the wording's text between the fields, each piece one run (empty pieces skipped)
    pieces = re.split(r"\{(PAGE|NUMPAGES)\}", PAGE_FOOTER[lang])
    for section in doc.sections:
        footer = section.footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.style = doc.styles["Footer"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, piece in enumerate(pieces):
            if index % 2:
                _field(paragraph, piece)
            elif piece:
                paragraph.add_run(piece)


def add_title(doc: DocumentType, text: str, *, new_page: bool = False) -> Paragraph:
    """Add the document title (黑体, centred) and return it; with ``new_page`` it starts a new page
    itself (page break before), as a slip after a letter should: a paragraph holding a page break
    would be pushed over by a page filled to its last line, its break then leaving a blank page."""
    paragraph = doc.add_paragraph(text, style="Title")
    if new_page:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def add_heading(doc: DocumentType, text: str) -> Paragraph:
    """Add a section heading (黑体 四号) and return it."""
    return doc.add_paragraph(text, style="Heading 1")


def add_body(doc_or_cell, text: str, *, indent: bool = True, bold: bool = False,
             align: str | None = None, style: str = "Body Text") -> Paragraph:
    """Add a body paragraph as one run (tags stay whole); first line indented unless ``indent=False``.

    ``align`` is ``left``, ``center``, ``right`` or ``justify``.
    """
    paragraph = doc_or_cell.add_paragraph(style=style)
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if not indent:
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is None:
            ind = OxmlElement("w:ind")
            paragraph._p.get_or_add_pPr().append(ind)
        ind.set(qn("w:firstLineChars"), "0")
        ind.set(qn("w:firstLine"), "0")
    if align:
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
    return paragraph


def add_tag_paragraph(doc: DocumentType, tag: str) -> Paragraph:
    """Add a paragraph holding only a docxtpl paragraph tag such as ``{%p if guarantors %}``.

    docxtpl removes the whole paragraph when rendering, so it leaves no blank line.
    """
    paragraph = doc.add_paragraph(style="Normal")
    paragraph.add_run(tag)
    return paragraph


def add_numbered(doc: DocumentType, items: Sequence[str], *, style: str = "Body Text",
                 numerals: str = "chinese") -> list[Paragraph]:
    """Add numbered paragraphs (``一、`` … or ``1.`` …) and return them.

    Numbers are written in the text (Chinese official style), so they survive any editor.
    """
    marks = "一二三四五六七八九十"
    out = []
    for i, text in enumerate(items):
        mark = f"{marks[i]}、" if numerals == "chinese" and i < len(marks) else f"{i + 1}. "
        out.append(add_body(doc, mark + text, style=style))
    return out


def add_paragraphs(doc: DocumentType, texts: Sequence[str], style: str) -> list[Paragraph]:
    """Add one paragraph in ``style`` per text, at the end of the body; return them.

    For long lists (a report's findings on a 10,000-file bundle): python-docx's
    ``add_paragraph(text, style)`` looks the style up among all styles and searches the body
    for its end at every call, milliseconds each; here the first paragraph is added that way
    and each next one is a copy of its properties placed right after the one before.
    """
    if not texts:
        return []
    first = doc.add_paragraph(texts[0], style=style)
    out, last = [first], first._p
    properties = first._p.pPr
    for text in texts[1:]:
        element = OxmlElement("w:p")
        if properties is not None:
            element.append(copy.deepcopy(properties))
        last.addnext(element)
        paragraph = Paragraph(element, first._parent)
        paragraph.add_run(text)
        out.append(paragraph)
        last = element
    return out


def _cell_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def add_table(doc: DocumentType, header: Sequence[str] | None, rows: Sequence[Sequence[str]],
              widths_mm: Sequence[float], *, align: Sequence[str] | None = None,
              bold_rows: Sequence[int] = ()) -> Table:
    """Add a bordered table, centred; every cell's text is one run in style ``Table Text``.

    ``align`` gives per-column alignment (``left``/``center``/``right``); ``bold_rows`` are
    indexes into ``rows`` shown bold (e.g. a total). Returns the table.
    """
    n_rows = len(rows) + (1 if header else 0)
    table = doc.add_table(rows=n_rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_borders(table)
    aligns = list(align or ["center"] * len(widths_mm))
    mapping = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

    def fill(r: int, values: Sequence[str], bold: bool, header_row: bool) -> None:
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Mm(widths_mm[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["Table Text"]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if header_row else mapping[aligns[c]]
            run = paragraph.add_run(value)
            if bold or header_row:
                run.bold = True
                set_run_font(run, HEI if header_row else SONG)

    # LibreOffice lays tables out from the grid, Word from the cells: set both.
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        table._tbl.tblPr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    offset = 0
    if header:
        fill(0, header, False, True)
        offset = 1
    for i, values in enumerate(rows):
        fill(i + offset, values, i in bold_rows, False)
    return table


def add_signature_block(doc: DocumentType, lines: Sequence[str], *, space_before: int = 2) -> list[Paragraph]:
    """Add right-aligned signature/seal lines (e.g. ``借款人(盖章):``, the date) after blank lines."""
    out = []
    for _ in range(space_before):
        doc.add_paragraph(style="Normal")
    for line in lines:
        paragraph = doc.add_paragraph(style="Signature")
        paragraph.add_run(line)
        out.append(paragraph)
    return out


def set_core_properties(doc: DocumentType, title: str, subject: str = "", author: str = "docgen") -> None:
    """Set the document's title, subject and author (shown in Word's file properties)."""
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject, author
    props.language = "zh-CN"


_FULLWIDTH = str.maketrans(FULL_WIDTH)
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)


def fullwidth_punctuation(doc: DocumentType) -> None:
    """Turn ASCII ``:,;()!?`` in the document's text into their full-width forms (GB/T 15834),
    leaving docxtpl/Jinja tags (``{{ … }}``, ``{% … %}``) untouched. Run it on a built template."""
    for element in doc.element.body.iter(qn("w:t")):
        if element.text:
            parts = _TAG.split(element.text)
            element.text = "".join(p if i % 2 else p.translate(_FULLWIDTH) for i, p in enumerate(parts))


def save_templates(builders: Mapping[str, Callable[[], DocumentType]], names: Sequence[str] | None, out_dir: Path,
                   *, finish: Callable[[DocumentType], None] | None = None) -> list[Path]:
    """Build each named template (all of ``builders`` by default), run ``finish`` on it, and save it
    atomically as ``out_dir/<name>.docx``; return the paths written. Raises ``KeyError`` for an
    unknown name."""
    from docgen.core.atomic import atomic_output

    written = []
    for name in names or list(builders):
        doc = builders[name]()
        if finish is not None:
            finish(doc)
        path = Path(out_dir) / f"{name}.docx"
        with atomic_output(path, "wb") as fh:
            doc.save(fh)
        written.append(path)
    return written
