"""PDF conversion (LibreOffice) and merged print PDFs (pypdf)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from batch_helpers import rows, write_xlsx
from pypdf import PdfReader

from docgen.documents.batch import run_batch
from docgen.core.cnformat import amount_in_words
from docgen.core.errors import ConversionError
from docgen.documents.pdf import convert_to_pdf, find_soffice, merge_pdfs
from docgen.documents.register import Register


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _compact(text: str) -> str:
    # LibreOffice's PDF text puts spaces around Latin digits inside Chinese text.
    return "".join(text.split())


@pytest.mark.soffice
def test_batch_to_pdfs_and_merged_print_pdf(tmp_path: Path) -> None:
    data = rows(3, seed=11)
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    out = tmp_path / "out"
    merged = tmp_path / "print" / "催收函-打印.pdf"
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, out, register=reg, pdf=True, merge_pdf=merged)
        assert [d.pdf.name for d in result.documents] == [d.file.with_suffix(".pdf").name for d in result.documents]
        for doc, row in zip(result.documents, data):
            text = _compact(_pdf_text(doc.pdf))
            assert row["借款人"] in text
            assert amount_in_words(Decimal(str(row["合计"]))) in text
            assert _compact(doc.serial) in text
        assert result.merged == merged
        reader = PdfReader(str(merged))
        per_letter = [len(PdfReader(str(d.pdf)).pages) for d in result.documents]
        assert len(reader.pages) == sum(per_letter)
        # Serial order: each letter's first page starts where the previous one ended.
        start = 0
        for doc, pages in zip(result.documents, per_letter):
            assert _compact(doc.serial) in _compact(reader.pages[start].extract_text())
            start += pages
        assert not list(out.glob(".pdf-*"))  # staging folders are gone

        # A re-run converts nothing (PDFs are up to date) but still builds the print file.
        mtimes = [d.pdf.stat().st_mtime_ns for d in result.documents]
        again = run_batch("demand-letter", sheet, out, register=reg, merge_pdf=merged)
        assert [d.pdf.stat().st_mtime_ns for d in again.documents] == mtimes
        assert len(PdfReader(str(merged)).pages) == sum(per_letter)


def _numbered_docs(folder: Path, stem: str, count: int, text: str) -> list[Path]:
    """Write ``count`` one-line documents ``{stem}{i}.docx`` reading ``第{i+1}号 {text}``."""
    import docx

    paths = []
    for i in range(count):
        document = docx.Document()
        document.add_paragraph(f"第{i + 1}号 {text}")
        path = folder / f"{stem}{i}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


@pytest.mark.soffice
def test_convert_many_files_in_chunks(tmp_path: Path) -> None:
    sources = _numbered_docs(tmp_path, "doc", 3, "测试文书")
    calls = []
    pdfs = convert_to_pdf(sources, tmp_path / "pdf", chunk=2, progress=calls.append)
    assert [p.name for p in pdfs] == ["doc0.pdf", "doc1.pdf", "doc2.pdf"]
    assert calls == [2, 3]
    assert "第3号" in _compact(_pdf_text(pdfs[2]))


def test_missing_soffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DOCGEN_SOFFICE", raising=False)
    with pytest.raises(ConversionError) as err:
        find_soffice()
    assert "apt-get install libreoffice-writer-nogui fonts-noto-cjk" in str(err.value)
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    with pytest.raises(ConversionError, match="未找到 LibreOffice"):
        convert_to_pdf([source], tmp_path)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    with pytest.raises(ConversionError, match="DOCGEN_SOFFICE"):
        find_soffice()


def test_failed_conversion_names_the_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A stand-in soffice that produces nothing: the error must name the file, not pass silently.
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(fake))
    source = tmp_path / "损坏的文书.docx"
    source.write_bytes(b"not a docx")
    with pytest.raises(ConversionError) as err:
        convert_to_pdf([source], tmp_path / "pdf")
    assert "损坏的文书.docx" in str(err.value)
    assert "source file could not be loaded" in str(err.value)
    assert not (tmp_path / "pdf" / "损坏的文书.pdf").exists()


def test_timeout_is_a_conversion_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(fake))
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    with pytest.raises(ConversionError, match="转换超时"):
        convert_to_pdf([source], tmp_path / "pdf", timeout=0.5)


def test_merge_pdfs_in_order_and_bad_input(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    paths = []
    for i in range(3):
        path = tmp_path / f"{i}.pdf"
        c = canvas.Canvas(str(path))
        c.drawString(72, 720, f"letter {i}")
        c.showPage()
        c.save()
        paths.append(path)
    merge_pdfs([paths[2], paths[0], paths[1]], tmp_path / "merged.pdf")
    texts = [p.extract_text().strip() for p in PdfReader(str(tmp_path / "merged.pdf")).pages]
    assert texts == ["letter 2", "letter 0", "letter 1"]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(ConversionError, match="bad.pdf"):
        merge_pdfs([paths[0], bad], tmp_path / "merged2.pdf")
    assert not (tmp_path / "merged2.pdf").exists()
    with pytest.raises(ConversionError, match="没有可合并的 PDF"):
        merge_pdfs([], tmp_path / "merged3.pdf")


def test_merge_streams_each_input_once_with_its_shared_objects(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    paths = []
    for i in range(3):
        path = tmp_path / f"chunk{i}.pdf"
        c = canvas.Canvas(str(path))
        for page in range(40):
            c.setFont("Helvetica", 12)
            c.drawString(72, 720, f"chunk {i} page {page}")
            c.showPage()
        c.save()
        paths.append(path)
    merged = tmp_path / "merged.pdf"
    merge_pdfs(paths, merged)
    reader = PdfReader(str(merged), strict=True)
    assert [p.extract_text().strip() for p in reader.pages] == [f"chunk {i} page {n}" for i in range(3)
                                                                for n in range(40)]
    # A font shared by an input's pages is written once per input, not once per page.
    fonts = {p["/Resources"]["/Font"]["/F1"].indirect_reference.idnum for p in reader.pages}
    assert len(fonts) == 3
    assert merged.stat().st_size <= 1.2 * sum(p.stat().st_size for p in paths)
    assert all(p.mediabox == reader.pages[0].mediabox for p in reader.pages)


def _inheriting_pdf(path: Path, text: str) -> Path:
    """A one-page PDF whose page takes its size and fonts from its page-tree node."""
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] "
               b"/Resources << /Font << /F1 4 0 R >> >> >>",
               b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(data))
    return path


def test_merge_keeps_what_pages_inherit_from_their_page_tree(tmp_path: Path) -> None:
    parts = [_inheriting_pdf(tmp_path / f"{n}.pdf", f"inherited {n}") for n in range(2)]
    merged = tmp_path / "merged.pdf"
    merge_pdfs(parts, merged)
    pages = PdfReader(str(merged), strict=True).pages
    assert [p.extract_text().strip() for p in pages] == ["inherited 0", "inherited 1"]
    assert all([float(x) for x in p.mediabox] == [0, 0, 200, 300] for p in pages)


@pytest.mark.soffice
def test_parallel_instances_keep_input_order(tmp_path: Path) -> None:
    sources = _numbered_docs(tmp_path, "p", 4, "并行转换")
    calls: list[int] = []
    pdfs = convert_to_pdf(sources, tmp_path / "pdf", parallel=2, progress=calls.append)
    assert [p.name for p in pdfs] == ["p0.pdf", "p1.pdf", "p2.pdf", "p3.pdf"]
    assert sorted(calls) == [2, 4]
    assert [f"第{i + 1}号" in _compact(_pdf_text(p)) for i, p in enumerate(pdfs)] == [True] * 4


def _fake_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> Path:
    """Install a stand-in soffice that logs when each profile starts and ends and runs ``body``
    (sh, with ``$out`` the output folder and ``$files`` the documents); return the log."""
    fake = tmp_path / "soffice"
    log = tmp_path / "soffice.log"
    fake.write_text(
        "#!/bin/sh\n"
        "profile=''; out=''; files=''\n"
        "while [ $# -gt 0 ]; do\n"
        "  case \"$1\" in\n"
        "    -env:UserInstallation=*) profile=\"${1#-env:UserInstallation=}\" ;;\n"
        "    --outdir) shift; out=\"$1\" ;;\n"
        "    --*|-*) ;;\n"
        "    *) files=\"$files $1\" ;;\n"
        "  esac\n"
        "  shift\n"
        "done\n"
        f"echo \"start $profile\" >> {log}\n"
        f"{body}\n"
        f"echo \"end $profile\" >> {log}\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(fake))
    return log


def _placeholders(folder: Path, stem: str, count: int) -> list[Path]:
    """``count`` files ``{stem}{i}.docx`` for a stand-in soffice (their content is never read)."""
    paths = [folder / f"{stem}{i}.docx" for i in range(count)]
    for path in paths:
        path.write_bytes(b"x")
    return paths


def test_parallel_instances_never_share_a_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = _fake_soffice(monkeypatch, tmp_path,
                        'sleep 0.2\nfor f in $files; do b=$(basename "$f" .docx); echo pdf > "$out/$b.pdf"; done')
    sources = _placeholders(tmp_path, "d", 6)
    calls: list[int] = []
    pdfs = convert_to_pdf(sources, tmp_path / "pdf", chunk=1, parallel=2, progress=calls.append)
    assert [p.name for p in pdfs] == [f"d{i}.pdf" for i in range(6)]
    assert sorted(calls) == [1, 2, 3, 4, 5, 6]
    running: set[str] = set()
    profiles: set[str] = set()
    for line in log.read_text().splitlines():
        event, profile = line.split(" ", 1)
        if event == "start":
            assert profile not in running  # one instance per profile at a time
            running.add(profile)
            profiles.add(profile)
        else:
            running.remove(profile)
    assert len(profiles) == 2


def test_parallel_failure_stops_new_chunks_and_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import threading

    log = _fake_soffice(monkeypatch, tmp_path, "sleep 0.3; echo 'Error: source file could not be loaded' >&2")
    sources = _placeholders(tmp_path, "坏", 8)
    before = threading.active_count()
    with pytest.raises(ConversionError, match="source file could not be loaded"):
        convert_to_pdf(sources, tmp_path / "pdf", chunk=1, parallel=2)
    assert threading.active_count() == before  # every worker thread has finished
    starts = [line for line in log.read_text().splitlines() if line.startswith("start")]
    assert len(starts) < len(sources)  # chunks not yet started when the first failed were not run


def test_libreoffice_gets_docgens_font_substitution(monkeypatch):
    """宋体/仿宋 render with a serif Simplified Chinese face and 黑体 with a sans one, not whatever fontconfig
    falls back to (a sans face, or the Japanese cut of a CJK family)."""
    import shutil
    import subprocess

    from docgen.documents.pdf import FONTS_CONF, soffice_environment

    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    env = soffice_environment()
    assert env["FONTCONFIG_FILE"] == str(FONTS_CONF) and FONTS_CONF.is_file()
    text = FONTS_CONF.read_text(encoding="utf-8")
    assert "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>" in text  # the system's config too
    assert soffice_environment({"FONTCONFIG_FILE": "/mine.conf"})["FONTCONFIG_FILE"] == "/mine.conf"
    if shutil.which("fc-match") is None:
        return
    def face(family):
        return subprocess.run(["fc-match", "-f", "%{family[0]}", family], env=env, capture_output=True,
                              text=True, check=True).stdout
    if "Noto Serif CJK SC" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        return  # fonts-noto-cjk not installed here (.ci/setup installs it)
    for family in ("宋体", "SimSun", "仿宋", "FangSong", "楷体"):
        assert face(family) == "Noto Serif CJK SC", family
    for family in ("黑体", "SimHei"):
        assert face(family) == "Noto Sans CJK SC", family


def test_kept_profiles_are_reused_and_killed_idle_or_surplus_ones_removed(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    import fcntl
    import os
    import time

    from docgen.documents import pdf

    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache))
    # The stand-in builds its profile as LibreOffice does and counts the starts it served. While the
    # gate file exists, each start waits (10 s at most) for a second one: the two instances of a
    # parallel run then each take one chunk, where on a loaded machine one thread could take both.
    gate, log = tmp_path / "gate", tmp_path / "soffice.log"
    _fake_soffice(monkeypatch, tmp_path,
                  f'n=0; while [ -e "{gate}" ] && [ $(( $(grep -c "^start" "{log}") % 2 )) -ne 0 ] '
                  '&& [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done\n'
                  'p="${profile#file://}"; mkdir -p "$p/user"; echo run >> "$p/user/runs"\n'
                  'for f in $files; do b=$(basename "$f" .docx); echo pdf > "$out/$b.pdf"; done')
    sources = _placeholders(tmp_path, "d", 2)
    gate.touch()

    def runs(slot: int) -> int:
        path = cache / f"lo-profile-{slot}" / "user" / "runs"
        return len(path.read_text().splitlines()) if path.exists() else 0

    convert_to_pdf(sources, tmp_path / "pdf", chunk=1, parallel=2)
    convert_to_pdf(sources, tmp_path / "pdf", chunk=1, parallel=2)
    assert (runs(0), runs(1)) == (2, 2)  # kept between runs
    assert sorted(p.name for p in cache.iterdir()) == ["lo-profile-0", "lo-profile-0.lock", "lo-profile-1",
                                                       "lo-profile-1.lock"]
    assert all(p.stat().st_size == 0 for p in cache.glob("*.lock"))  # no lease outstanding
    gate.unlink()

    (cache / "lo-profile-0.lock").write_text("4242")  # its run was killed while converting
    old = time.time() - (pdf.PROFILE_IDLE_DAYS + 1) * 86400
    os.utime(cache / "lo-profile-1.lock", (old, old))  # not leased for a month
    (cache / "lo-profile-9" / "user").mkdir(parents=True)  # beyond the slots kept
    (cache / "lo-profile-9.lock").touch()
    (cache / "lo-profile-2" / "user").mkdir(parents=True)  # idle too, but another run holds it now
    (cache / "lo-profile-2.lock").touch()
    os.utime(cache / "lo-profile-2.lock", (old, old))
    held = os.open(cache / "lo-profile-2.lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        convert_to_pdf(sources[:1], tmp_path / "pdf")
    finally:
        os.close(held)
    assert runs(0) == 1  # built anew, not reused half-written
    assert not (cache / "lo-profile-1").exists() and (cache / "lo-profile-1.lock").exists()
    assert not (cache / "lo-profile-9").exists() and not (cache / "lo-profile-9.lock").exists()
    assert (cache / "lo-profile-2" / "user").is_dir()
    assert all(p.stat().st_size == 0 for p in cache.glob("*.lock"))


def test_a_failed_conversion_removes_its_kept_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache))
    _fake_soffice(monkeypatch, tmp_path, 'p="${profile#file://}"; mkdir -p "$p/user"; echo broken >&2')
    with pytest.raises(ConversionError, match="broken"):
        convert_to_pdf(_placeholders(tmp_path, "d", 1), tmp_path / "pdf")
    assert not (cache / "lo-profile-0").exists()
    assert (cache / "lo-profile-0.lock").stat().st_size == 0
