"""Print runs: many letters of one template as ONE Word document per chunk, converted once.

LibreOffice's cost is per document it imports and exports (seconds of start-up, then
~0.1-0.3 s per letter), so a print run of 500 letters converted letter by letter costs
minutes, and a print file merged from 500 PDFs embeds the fonts 500 times. Here the
letters' bodies go into one .docx per chunk, each letter in its own section(s):

* the letter's first section starts on a new page with page numbering restarted at 1;
* a header or footer that shows the page total (``NUMPAGES`` / ``SECTIONPAGES``) is copied
  for each letter with that field turned into ``PAGEREF`` to a bookmark at the end of the
  letter: ``NUMPAGES`` would count the whole chunk and LibreOffice does not compute
  ``SECTIONPAGES``, while the page number of a bookmark is computed with the restarted
  numbering, i.e. the letter's own page total;
* a bookmark at the start of each letter is exported as a named PDF destination, which
  gives the page where each letter starts, so per-letter PDFs are split out of the chunk's
  PDF by page range (pypdf) without guessing from the text.

Letters can share one chunk only when every package part other than ``document.xml`` is
byte-identical (same template, same styles, same relationships): ``plan_chunks`` starts a
new chunk where that changes. A letter whose numbering would run on across letters (Word
list numbering, ``w:numPr`` in the paragraph or its style) cannot share a chunk: it gets a
chunk of its own.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from docgen.core.errors import ConversionError
from docgen.core.leftovers import mark, remove_stale
from docgen.documents.messages import MESSAGES

__all__ = ["CHUNK_MAX", "CHUNK_MIN", "PDF_FILTER", "PrintChunk", "assemble", "chunk_sizes", "letter_starts", "plan_chunks", "print_run", "split_pdf"]

#: A chunk holds at most this many letters: LibreOffice's time per page grows on very long
#: documents, and one failed chunk should not cost the whole run.
CHUNK_MAX = 250
#: ... and, when there are more letters than that, at least this many.
CHUNK_MIN = 100
#: LibreOffice's PDF export with Writer bookmarks as named destinations (letter starts).
PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOC = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_TYPES = "[Content_Types].xml"
_TOTAL_FIELD = re.compile(rb"\b(?:NUMPAGES|SECTIONPAGES)\b")
_BOOKMARK_ID0 = 1_000_000  # far above any id a letter carries itself
_WORK_RE = re.compile(r"^docgen-print-(\d+)-")  # a print run's work folder (its pid)
_START, _END = "DocgenLetter", "DocgenEnd"  # letters and digits: kept as is in PDF names


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


@dataclass
class PrintChunk:
    """Letters that go into one assembled document (indexes into the caller's list)."""

    indexes: list[int]


def chunk_sizes(count: int, workers: int = 1) -> list[int]:
    """Split ``count`` letters into chunk sizes of ``CHUNK_MIN``..``CHUNK_MAX`` (as even as
    possible), at least one chunk per worker when there are enough letters for it."""
    if count <= 0:
        return []
    chunks = max(-(-count // CHUNK_MAX), min(workers, max(1, count // CHUNK_MIN)))
    base, extra = divmod(count, chunks)
    return [base + (1 if i < extra else 0) for i in range(chunks)]


def _signature(archive: zipfile.ZipFile) -> tuple:
    """What must be equal for two letters to share a chunk: every part but the body."""
    return tuple(sorted((info.filename, info.CRC, info.file_size)
                        for info in archive.infolist() if info.filename != _DOC))


_PSTYLE = re.compile(rb'<w:pStyle w:val="([^"]+)"')


def _numbered_styles(styles_xml: bytes | None) -> set[bytes]:
    """Paragraph styles that carry Word list numbering, directly or through ``basedOn``."""
    if not styles_xml:
        return set()
    based: dict[str, str | None] = {}
    numbered: set[str] = set()
    for style in etree.fromstring(styles_xml).iter(_w("style")):
        ident = style.get(_w("styleId"))
        parent = style.find(_w("basedOn"))
        based[ident] = parent.get(_w("val")) if parent is not None else None
        if style.find(f"{_w('pPr')}/{_w('numPr')}") is not None:
            numbered.add(ident)
    found = set()
    for ident in based:
        seen, current = set(), ident
        while current is not None and current not in seen:
            if current in numbered:
                found.add(ident.encode())
                break
            seen.add(current)
            current = based.get(current)
    return found


def plan_chunks(paths: Sequence[Path], workers: int = 1) -> list[PrintChunk]:
    """Group ``paths`` (in order) into chunks of compatible letters; a letter that cannot
    share (``chunkable`` false) gets a chunk of its own. Raises ``ConversionError`` for a
    file that is not a readable .docx."""
    runs: list[list[int]] = []
    last: tuple | None = None
    numbered: dict[tuple, set[bytes]] = {}
    for index, path in enumerate(paths):
        try:
            with zipfile.ZipFile(path) as archive:
                signature = _signature(archive)
                body = archive.read(_DOC)
                if signature not in numbered:
                    styles = archive.read("word/styles.xml") if "word/styles.xml" in archive.namelist() else None
                    numbered[signature] = _numbered_styles(styles)
        except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
            raise MESSAGES.error(ConversionError, "print-unreadable-docx", path=str(path), reason=str(exc)) from None
        alone = b"<w:numPr" in body or any(s in numbered[signature] for s in _PSTYLE.findall(body))
        if alone:
            runs.append([index])
            last = None
            continue
        if signature != last or not runs:
            runs.append([])
        runs[-1].append(index)
        last = signature
    chunks: list[PrintChunk] = []
    for run in runs:
        start = 0
        for size in chunk_sizes(len(run), workers):
            chunks.append(PrintChunk(run[start:start + size]))
            start += size
    return chunks


def _relationships(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data)
    return {rel.get("Id"): rel.get("Target") for rel in root}


def _part_name(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"word/{target}"


def _bookmark(kind: str, ident: int, name: str | None = None) -> etree._Element:
    el = etree.Element(_w(kind))
    el.set(_w("id"), str(ident))
    if name is not None:
        el.set(_w("name"), name)
    return el


def _first_section_starts_anew(sect: etree._Element) -> None:
    """Make ``sect`` start on a new page with page numbers from 1 (elements in schema order)."""
    kind = sect.find(_w("type"))
    if kind is None:
        kind = etree.Element(_w("type"))
        # w:type follows the header/footer references and w:footnotePr/w:endnotePr.
        refs = [c for c in sect if c.tag in (_w("headerReference"), _w("footerReference"),
                                             _w("footnotePr"), _w("endnotePr"))]
        sect.insert(sect.index(refs[-1]) + 1 if refs else 0, kind)
    if kind.get(_w("val")) not in ("nextPage", "oddPage", "evenPage"):
        kind.set(_w("val"), "nextPage")
    numbering = sect.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        # w:pgNumType comes after w:pgBorders / w:lnNumType / w:pgMar / w:pgSz.
        anchors = [c for c in sect if c.tag in (_w("pgSz"), _w("pgMar"), _w("paperSrc"), _w("pgBorders"),
                                                _w("lnNumType"))]
        sect.insert(sect.index(anchors[-1]) + 1 if anchors else len(sect), numbering)
    numbering.set(_w("start"), "1")


def assemble(paths: Sequence[Path], out_path: Path) -> list[str]:
    """Write the letters ``paths`` (compatible, see ``plan_chunks``) as one .docx at
    ``out_path``; return the bookmark name of each letter's start (PDF destinations).

    Raises ``ConversionError`` when a letter's body cannot be read.
    """
    base_path = paths[0]
    with zipfile.ZipFile(base_path) as base:
        members = {info.filename: base.read(info) for info in base.infolist()}
    rels = _relationships(members[_RELS])
    total_parts: dict[str, bytes] = {}
    for rid, target in rels.items():
        part = _part_name(target)
        if part in members and ("footer" in part or "header" in part) and _TOTAL_FIELD.search(members[part]):
            total_parts[rid] = members[part]

    new_parts: dict[str, bytes] = {}
    new_rels: list[tuple[str, str, str]] = []
    starts: list[str] = []
    body_items: list[etree._Element] = []
    root: etree._Element | None = None
    final_sect: etree._Element | None = None
    for number, path in enumerate(paths):
        try:
            with zipfile.ZipFile(path) as archive:
                tree = etree.fromstring(archive.read(_DOC))
        except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
            raise MESSAGES.error(ConversionError, "print-unreadable-body", path=str(path), reason=str(exc)) from None
        body = tree.find(_w("body"))
        children = list(body)
        sect = children.pop() if children and children[-1].tag == _w("sectPr") else None
        if sect is None:
            raise MESSAGES.error(ConversionError, "print-no-section", path=str(path))
        if not children or children[-1].tag != _w("p"):
            children.append(etree.Element(_w("p")))  # a section ends in a paragraph
        end_name, start_name = f"{_END}{number}", f"{_START}{number}"
        starts.append(start_name)

        # This letter's own copy of every header/footer that shows the page total.
        copies: dict[str, str] = {}
        for rid, xml in total_parts.items():
            new_rid = f"rIdDocgen{number}x{rid}"
            part = f"word/docgen-{number}-{rid}.xml"
            new_parts[part] = _TOTAL_FIELD.sub(f"PAGEREF {end_name}".encode(), xml)
            kind = "footer" if "footer" in rels[rid] else "header"
            new_rels.append((new_rid, kind, part[len("word/"):]))
            copies[rid] = new_rid
        sections = [s for p in children for s in p.iter(_w("sectPr"))] + [sect]
        for section in sections:
            for ref in section:
                if ref.tag in (_w("footerReference"), _w("headerReference")) and ref.get(f"{{{_R}}}id") in copies:
                    ref.set(f"{{{_R}}}id", copies[ref.get(f"{{{_R}}}id")])
        _first_section_starts_anew(sections[0])

        first = next(children[0].iter(_w("p"))) if children[0].tag != _w("p") else children[0]
        ppr = first.find(_w("pPr"))
        at = 1 if ppr is not None else 0
        first.insert(at, _bookmark("bookmarkStart", _BOOKMARK_ID0 + 2 * number, start_name))
        first.insert(at + 1, _bookmark("bookmarkEnd", _BOOKMARK_ID0 + 2 * number))
        last = children[-1]
        last.append(_bookmark("bookmarkStart", _BOOKMARK_ID0 + 2 * number + 1, end_name))
        last.append(_bookmark("bookmarkEnd", _BOOKMARK_ID0 + 2 * number + 1))
        if number < len(paths) - 1:
            ppr = last.find(_w("pPr"))
            if ppr is None:
                ppr = etree.Element(_w("pPr"))
                last.insert(0, ppr)
            ppr.append(sect)  # w:sectPr is the last child of w:pPr (after w:rPr too)
        else:
            final_sect = sect
        body_items.extend(children)
        if root is None:
            root = tree
    assert root is not None and final_sect is not None
    body = root.find(_w("body"))
    body[:] = body_items
    body.append(final_sect)
    members[_DOC] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    if new_parts:
        rels_root = etree.fromstring(members[_RELS])
        kinds = {"footer": f"{_R}/footer", "header": f"{_R}/header"}
        for rid, kind, target in new_rels:
            el = etree.SubElement(rels_root, f"{{{_PKG_REL}}}Relationship")
            el.set("Id", rid)
            el.set("Type", kinds[kind])
            el.set("Target", target)
        members[_RELS] = etree.tostring(rels_root, xml_declaration=True, encoding="UTF-8", standalone=True)
        types = etree.fromstring(members[_TYPES])
        for part, (_, kind, _t) in zip(new_parts, new_rels):
            el = etree.SubElement(types, f"{{{_CT}}}Override")
            el.set("PartName", "/" + part)
            el.set("ContentType", f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
        members[_TYPES] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
        members.update(new_parts)

    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.writestr(_TYPES, members.pop(_TYPES))
        for name, data in members.items():
            out.writestr(name, data)
    return starts


def letter_starts(reader, names: Sequence[str], source: Path) -> list[int]:
    """Return the page index where each letter starts, from the PDF's named destinations.

    Raises ``ConversionError`` when a destination is missing or the pages do not run in
    order (the per-letter split would be wrong).
    """
    destinations = reader.named_destinations
    pages: list[int] = []
    for name in names:
        dest = destinations.get(name, destinations.get(f"/{name}"))
        page = reader.get_destination_page_number(dest) if dest is not None else -1
        if page < 0 or (pages and page <= pages[-1]) or (not pages and page != 0):
            raise MESSAGES.error(ConversionError, "print-letter-start", path=str(source), number=len(pages) + 1)
        pages.append(page)
    return pages


def split_pdf(chunk_pdf: Path, names: Sequence[str], targets: Sequence[Path | None]) -> list[int]:
    """Write each letter's pages of ``chunk_pdf`` to its target (atomically; ``None``: not
    wanted); return the page count of each letter. Raises ``ConversionError`` on an
    unreadable PDF or one whose letter starts cannot be found."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    from docgen.core.atomic import atomic_output

    try:
        reader = PdfReader(str(chunk_pdf))
        starts = letter_starts(reader, names, chunk_pdf)
        bounds = [*starts, len(reader.pages)]
        counts = []
        for index, target in enumerate(targets):
            counts.append(bounds[index + 1] - bounds[index])
            if target is None:
                continue
            writer = PdfWriter()
            for page in range(bounds[index], bounds[index + 1]):
                writer.add_page(reader.pages[page])
            with atomic_output(target, "wb") as fh:
                writer.write(fh)
    except (OSError, PyPdfError, ValueError) as exc:
        raise MESSAGES.error(ConversionError, "print-split-failed", path=str(chunk_pdf), reason=str(exc)) from None
    return counts


def print_run(
    docx_paths: Sequence[Path],
    *,
    pdf_targets: Sequence[Path | None] | None = None,
    merged: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Convert the letters ``docx_paths`` (in order) with one LibreOffice call per chunk.

    ``pdf_targets`` names, per letter, where its own PDF goes (``None``: not wanted);
    ``merged`` is the print file of all letters in order. ``jobs`` LibreOffice instances
    convert chunks at once; ``progress`` is called with the number of letters converted so
    far. Returns each letter's page count. Raises ``ConversionError`` (LibreOffice missing
    or failing, a letter that cannot be read, a PDF that cannot be split); outputs appear
    complete under their final names or not at all.

    The work overlaps LibreOffice: each chunk is handed to an instance as soon as it is
    assembled, the next one assembled while it converts, and a converted chunk split into
    its letters' PDFs while the later ones convert.
    """
    from concurrent.futures import CancelledError, Future, ThreadPoolExecutor

    from docgen.documents.pdf import instances, merge_pdfs, stop_running

    paths = [Path(p) for p in docx_paths]
    targets = list(pdf_targets) if pdf_targets is not None else [None] * len(paths)
    if not paths:
        return []
    chunks = plan_chunks(paths, jobs)
    workers = max(1, min(jobs, len(chunks)))
    # Work folders of killed runs (their process gone) go first; this run's carries its pid.
    remove_stale(Path(tempfile.gettempdir()), _WORK_RE)
    work = Path(tempfile.mkdtemp(prefix=f"docgen-print-{mark()}-"))
    (work / "pdf").mkdir()
    converted = 0
    lock = threading.Lock()
    failed = threading.Event()

    def done(size: int) -> Callable[[Future], None]:
        def report(future: Future) -> None:
            nonlocal converted
            if future.cancelled():
                return
            if future.exception() is not None:
                failed.set()
                return
            with lock:
                converted += size
                count = converted
            if progress is not None:
                progress(count)
        return report

    futures: list[Future] = []
    try:
        with instances(workers, export_filter=PDF_FILTER) as convert, \
                ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-print") as threads:

            def run(source: Path) -> Path:
                if failed.is_set():  # another chunk failed: start no more LibreOffice
                    raise CancelledError
                return convert(source, work / "pdf")

            try:
                names = []
                for number, chunk in enumerate(chunks, 1):
                    if failed.is_set():
                        break  # a chunk failed: assemble no more, its error is raised below
                    first = paths[chunk.indexes[0]]
                    # Named after its first letter: a conversion error then points at real letters.
                    source = work / f"{number:04d}-{first.stem}-{len(chunk.indexes)}.docx"
                    names.append(assemble([paths[i] for i in chunk.indexes], source))
                    futures.append(threads.submit(run, source))
                    futures[-1].add_done_callback(done(len(chunk.indexes)))
                counts = [0] * len(paths)
                pdfs = []
                for chunk, future, chunk_names in zip(chunks, futures, names):
                    pdfs.append(future.result())
                    pages = split_pdf(pdfs[-1], chunk_names, [targets[i] for i in chunk.indexes])
                    for index, count in zip(chunk.indexes, pages):
                        counts[index] = count
            except BaseException as exc:
                for future in futures:
                    future.cancel()  # chunks not started yet are not converted
                if not isinstance(exc, ConversionError):
                    stop_running()  # interrupted: LibreOffice goes too, not left to finish
                raise
        if merged is not None:
            merge_pdfs(pdfs, merged)
        return counts
    finally:
        shutil.rmtree(work, ignore_errors=True)
