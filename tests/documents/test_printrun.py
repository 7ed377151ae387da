"""Print runs: many letters in one LibreOffice conversion per chunk, split back per letter."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.core.docxbuild import add_body, add_title, new_document
from docgen.core.errors import ConversionError
from docgen.documents.pdf import convert_to_pdf
from docgen.documents.printrun import CHUNK_MAX, CHUNK_MIN, assemble, chunk_sizes, plan_chunks, print_run


def _letter(path: Path, number: int, pages: int, *, title: str = "测试函") -> Path:
    """A letter of ``pages`` pages (page breaks), with the shared builder's footer
    ``第 N 页 共 M 页`` (PAGE and NUMPAGES)."""
    doc = new_document()
    add_title(doc, f"{title}{number}号")
    for page in range(pages):
        if page:
            doc.add_page_break()
        add_body(doc, f"第{number}号函第{page + 1}页正文。")
    doc.save(str(path))
    return path


def _page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(pdf)).pages]


def test_chunk_sizes_stay_in_bounds_and_cover_every_letter() -> None:
    assert chunk_sizes(0) == []
    assert chunk_sizes(7) == [7]
    assert chunk_sizes(7, workers=2) == [7]  # too few letters to be worth a second instance
    assert chunk_sizes(500) == [250, 250]
    assert chunk_sizes(500, workers=2) == [250, 250]
    assert chunk_sizes(300, workers=2) == [150, 150]
    for count in (1, 99, 100, 101, 249, 250, 251, 499, 1001, 20000):
        for workers in (1, 2):
            sizes = chunk_sizes(count, workers)
            assert sum(sizes) == count
            assert max(sizes) <= CHUNK_MAX
            assert count < CHUNK_MIN or min(sizes) >= CHUNK_MIN


def test_letters_of_other_templates_and_word_lists_get_their_own_chunks(tmp_path: Path) -> None:
    a = [_letter(tmp_path / f"a{i}.docx", i, 1) for i in range(3)]
    other = tmp_path / "other.docx"
    doc = new_document(line_spacing=2)  # other styles: cannot share the first letters' package
    add_body(doc, "另一模板")
    doc.save(str(other))
    listed = tmp_path / "listed.docx"
    doc = new_document()
    doc.add_paragraph("列表项", style="List Number")  # Word numbering would run on across letters
    doc.save(str(listed))
    b = _letter(tmp_path / "b.docx", 9, 1)
    plan = plan_chunks([*a, other, listed, b])
    assert [c.indexes for c in plan] == [[0, 1, 2], [3], [4], [5]]
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ConversionError, match="bad.docx"):
        plan_chunks([*a, bad])


def test_assembled_chunk_restarts_numbering_and_gives_each_letter_its_footer(tmp_path: Path) -> None:
    letters = [_letter(tmp_path / f"l{i}.docx", i, pages) for i, pages in enumerate([1, 3, 2])]
    chunk = tmp_path / "chunk.docx"
    names = assemble(letters, chunk)
    assert names == ["DocgenLetter0", "DocgenLetter1", "DocgenLetter2"]
    with zipfile.ZipFile(chunk) as archive:
        body = archive.read("word/document.xml").decode()
        footers = sorted(n for n in archive.namelist() if n.startswith("word/docgen-"))
        texts = [archive.read(n).decode() for n in footers]
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
    assert body.count('w:start="1"') == 3 and body.count("<w:sectPr") == 3
    assert len(footers) == 3
    assert sorted(t.count("PAGEREF DocgenEnd") for t in texts) == [1, 1, 1]
    assert all("NUMPAGES" not in t for t in texts)
    for name in footers:
        assert f'PartName="/{name}"' in types
        assert f'Target="{name[len("word/"):]}"' in rels


@pytest.mark.soffice
def test_print_run_pages_match_letter_by_letter_conversion(tmp_path: Path) -> None:
    pages = [1, 3, 2, 1]
    letters = [_letter(tmp_path / f"函{i}.docx", i, n) for i, n in enumerate(pages)]
    # Today's way, each letter converted on its own: the reference for every page's text.
    alone = convert_to_pdf(letters, tmp_path / "alone")
    targets = [tmp_path / "split" / f"函{i}.pdf" for i in range(len(letters))]
    targets[2] = None  # a letter whose own PDF is not wanted is still in the print file
    (tmp_path / "split").mkdir()
    merged = tmp_path / "print.pdf"
    progress: list[int] = []
    counts = print_run(letters, pdf_targets=targets, merged=merged, progress=progress.append)
    assert counts == pages
    assert progress[-1] == len(letters)
    expected = [_page_texts(p) for p in alone]
    for i, target in enumerate(targets):
        if target is None:
            assert not (tmp_path / "split" / f"函{i}.pdf").exists()
            continue
        texts = _page_texts(target)
        assert texts == expected[i]
        # Each letter's own footer: its page number and its own total, not the chunk's.
        for page, text in enumerate(texts, 1):
            assert f"第 {page} 页 共 {pages[i]} 页" in text
    assert _page_texts(merged) == [t for letter in expected for t in letter]
    assert not list(tmp_path.glob("split/.*"))


def test_a_killed_print_run_s_work_folder_is_removed_by_the_next(tmp_path, monkeypatch):
    import contextlib
    import os
    import tempfile

    from docgen.documents import pdf

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    dead = temp / "docgen-print-999999999-abcd1234-x"  # no such process
    dead.mkdir()
    (dead / "0001-函-3.docx").write_bytes(b"left by a killed run")
    alive = temp / f"docgen-print-{os.getppid()}-abcd1234-y"  # a running process's: kept
    alive.mkdir()
    seen: list[list[str]] = []

    @contextlib.contextmanager
    def failing(count, **kwargs):
        def convert(source, out_dir):
            seen.append(sorted(p.name for p in temp.iterdir()))
            raise ConversionError("LibreOffice 转换失败")
        yield convert

    monkeypatch.setattr(pdf, "instances", failing)
    letters = [_letter(tmp_path / f"l{i}.docx", i, 1) for i in range(2)]
    with pytest.raises(ConversionError):
        print_run(letters)
    assert not dead.exists() and alive.exists()
    assert len(seen[0]) == 2 and any(n.startswith(f"docgen-print-{os.getpid()}-") for n in seen[0])
    assert sorted(p.name for p in temp.iterdir()) == [alive.name]  # this run's folder is gone too


@pytest.mark.soffice
def test_chunks_are_assembled_and_split_while_libreoffice_converts(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk k+1 is assembled while chunk k converts, and chunk 1 is split before chunk 3 is
    converted: each step waits (bounded) for the one it should overlap, so run one after the
    other they would time out and the events below would say so."""
    import contextlib
    import threading

    from docgen.documents import pdf, printrun

    monkeypatch.setattr(printrun, "CHUNK_MAX", 1)  # one letter a chunk: three chunks
    monkeypatch.setattr(printrun, "CHUNK_MIN", 1)
    letters = [_letter(tmp_path / f"函{i}.docx", i, 1) for i in range(3)]
    events: list[str] = []
    started = [threading.Event() for _ in letters]
    split_first = threading.Event()
    real_instances, real_assemble, real_split = pdf.instances, printrun.assemble, printrun.split_pdf

    def assemble(paths, out_path):
        number = int(out_path.name[:4])
        if number > 1 and not started[number - 2].wait(60):
            events.append(f"assembled {number} before {number - 1} converted")
        events.append(f"assemble {number}")
        return real_assemble(paths, out_path)

    @contextlib.contextmanager
    def instances(count, **kwargs):
        with real_instances(count, **kwargs) as convert:
            def watched(source, out_dir):
                number = int(source.name[:4])
                started[number - 1].set()
                if number == 3 and not split_first.wait(60):
                    events.append("chunk 1 not split while the others converted")
                events.append(f"convert {number}")
                return convert(source, out_dir)
            yield watched

    def split(chunk_pdf, names, targets):
        events.append(f"split {chunk_pdf.name[:4]}")
        split_first.set()
        return real_split(chunk_pdf, names, targets)

    monkeypatch.setattr(pdf, "instances", instances)
    monkeypatch.setattr(printrun, "assemble", assemble)
    monkeypatch.setattr(printrun, "split_pdf", split)
    merged = tmp_path / "print.pdf"
    assert print_run(letters, merged=merged) == [1, 1, 1]
    assert not [e for e in events if " before " in e or " not " in e], events
    assert events.index("split 0001") < events.index("convert 3")
    assert len(PdfReader(str(merged)).pages) == 3


def test_a_failed_chunk_stops_the_chunks_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    from docgen.documents import pdf, printrun

    monkeypatch.setattr(printrun, "CHUNK_MAX", 1)
    monkeypatch.setattr(printrun, "CHUNK_MIN", 1)
    letters = [_letter(tmp_path / f"函{i}.docx", i, 1) for i in range(4)]
    tried: list[str] = []

    @contextlib.contextmanager
    def instances(count, **kwargs):
        def convert(source, out_dir):
            tried.append(source.name[:4])
            raise ConversionError(f"LibreOffice 转换失败：{source.name}")
        yield convert

    monkeypatch.setattr(pdf, "instances", instances)
    with pytest.raises(ConversionError, match="0001-函0-1.docx"):
        print_run(letters)
    assert tried[0] == "0001" and len(tried) < len(letters)
