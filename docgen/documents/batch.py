"""Batch generation: one serial-numbered document per spreadsheet row, safe to re-run.

``generate`` is the whole pipeline for rows already read; ``run_batch`` reads the rows
first (``docgen.core.tabular``). The order of work is what makes a batch safe:

1. every row is checked (schema and the template's rules) before anything is written; any
   problem raises ``RowsError`` listing them all (row, column, what to fix) unless
   ``skip_invalid``;
2. serials are reserved in the register for the whole batch in one write transaction;
   a row already issued keeps its serial (no second letter, no new number);
3. each document is rendered into a hidden temporary file, optionally in several processes
   (``jobs``); once all are written (or the batch is interrupted), one durability barrier
   makes them durable and they are renamed into place;
4. only then does the register record file and SHA-256 (a killed batch leaves reservations,
   which the next run fills with the reserved serials -- no duplicates, no gaps);
5. ``manifest.csv`` and ``manifest.json`` list row, row key, serial, file and SHA-256;
   optional PDFs (LibreOffice) and one merged print PDF in serial order.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import io
import json
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.core.atomic import refuse_overwriting_inputs, write_text_atomic
from docgen.core.cells import csv_safe
from docgen.core.errors import InputError, Interrupted, OutputError, RowsError
from docgen.core.leftovers import mark, part_path, remove_stale
from docgen.core.procs import process_context, shares_memory
from docgen.documents.messages import MESSAGES
from docgen.documents.register import Register, Reservation, owner_id
from docgen.core.tabular import Row, Table, read_table
from docgen.documents.template import Template, load_template
from docgen.core.validation import Problem

__all__ = ["BatchDocument", "BatchResult", "check_rows", "generate", "read_rows", "resolve_template", "run_batch",
           "text_fields"]

#: ``progress(stage, done, total)``: stage is ``"render"`` or ``"pdf"``.
Progress = Callable[[str, int, int], None]

_ID_CHECKS = {"uscc", "resident_id", "uscc_or_resident_id"}
MANIFEST_FIELDS = ["row", "row_key", "serial", "file", "sha256", "status", "pdf"]


@dataclass
class BatchDocument:
    """One row's document. ``status`` is ``written`` (issued now), ``restored`` (issued
    before but its file was missing: written again with the same serial) or ``skipped``
    (issued before, file present: left alone)."""

    row: int | None
    row_key: str
    serial: str
    seq: int
    file: Path
    sha256: str
    status: str
    pdf: Path | None = None

    def to_dict(self, out_dir: Path | None = None) -> dict[str, Any]:
        """Return the manifest entry; paths are relative to ``out_dir`` when inside it."""
        return {
            "row": self.row, "row_key": self.row_key, "serial": self.serial,
            "file": _relative(self.file, out_dir), "sha256": self.sha256, "status": self.status,
            "pdf": _relative(self.pdf, out_dir) if self.pdf else None,
        }


@dataclass
class BatchResult:
    """What a batch did: documents (in serial order), invalid rows' problems, outputs."""

    template: str
    out_dir: Path
    documents: list[BatchDocument] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    manifest_csv: Path | None = None
    manifest_json: Path | None = None
    merged: Path | None = None
    in_progress: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[BatchDocument]:
        """Documents written by this run (new, or restored with their old serial)."""
        return [d for d in self.documents if d.status != "skipped"]

    @property
    def skipped(self) -> list[BatchDocument]:
        """Rows already issued whose file is in place: not written again."""
        return [d for d in self.documents if d.status == "skipped"]

    @property
    def invalid_rows(self) -> list[int | None]:
        """Sorted spreadsheet rows that were left out for their problems."""
        return sorted({p.row for p in self.invalid if p.row is not None})

    @property
    def pdfs(self) -> list[Path]:
        """PDFs of this batch's documents, in serial order."""
        return [d.pdf for d in self.documents if d.pdf is not None]

    def warning_lines(self) -> list[str]:
        """Return what the operator must be told beside the summary: rows another batch holds, bad rows."""
        lines = []
        if self.in_progress:
            lines.append(MESSAGES.text("batch-text/in-progress", {"serials": self.in_progress}))
        if self.invalid:
            lines.append(MESSAGES.text("batch-text/invalid-head", {"count": len(self.invalid_rows)}))
            lines += [f"  - {problem}" for problem in self.invalid]
        return lines

    def to_text(self) -> str:
        """Return the summary for people: counts, one line per document, merged PDF, manifests."""
        lines = [MESSAGES.text("batch-text/head", {
            "template": self.template, "written": len(self.written), "skipped": len(self.skipped),
            "invalid": len(self.invalid_rows) if self.invalid else None})]
        lines += [MESSAGES.text("batch-text/document", {
            "status": doc.status, "row": doc.row, "serial": doc.serial, "key": doc.row_key, "name": doc.file.name}) for doc in self.documents]
        if self.merged:
            lines.append(MESSAGES.text("batch-text/merged", {"path": self.merged}))
        lines.append(MESSAGES.text("batch-text/manifests", {"csv": self.manifest_csv, "json": self.manifest_json}))
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON summary (``docgen batch --format json`` and manifest.json)."""
        return {
            "template": self.template,
            "out_dir": str(self.out_dir),
            "written": len(self.written),
            "skipped": len(self.skipped),
            "invalid_rows": self.invalid_rows,
            "documents": [d.to_dict(self.out_dir) for d in self.documents],
            "problems": [p.to_dict() for p in self.invalid],
            "in_progress": list(self.in_progress),
            "merged_pdf": str(self.merged) if self.merged else None,
        }


def _relative(path: Path | None, base: Path | None) -> str | None:
    if path is None:
        return None
    if base is not None and Path(path).parent == Path(base):
        return Path(path).name  # the usual case, without a resolve() per document
    if base is not None:
        try:
            return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def text_fields(template: Template) -> list[str]:
    """Fields whose cells must be text in Excel: identity numbers (checked by checksum).

    A number in such a cell has lost digits or its final ``X``; ``read_table`` reports it.
    """
    out = []
    for name, rule in template.schema.items():
        checks = rule.get("check_with")
        checks = checks if isinstance(checks, (list, tuple)) else [checks]
        if any(c in _ID_CHECKS for c in checks if isinstance(c, str)):
            out.append(name)
    return out


def _cells_to_text(template: Template, values: dict[str, Any], row: Row | None) -> tuple[dict[str, Any], list[Problem]]:
    """Turn Excel numbers and dates in text fields into the text the user typed.

    A contract number typed as 20250312 arrives as the integer 20250312: its text is
    exact. Beyond 15 significant digits Excel has rounded it, which is a problem.
    """
    data = dict(values)
    problems: list[Problem] = []
    for name, value in values.items():
        rule = template.schema.get(name)
        if not isinstance(rule, dict) or rule.get("type") != "string" or value is None or isinstance(value, str):
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if len(str(abs(value))) > 15:
                column = row.columns.get(name) if row else None
                problems.append(MESSAGES.problem("number-truncated", name, row=row.number if row else None,
                                                 column=column, value=value, digits=len(str(abs(value)))))
            data[name] = str(value)
        elif isinstance(value, float):
            data[name] = str(int(value)) if value.is_integer() else repr(value)
        elif isinstance(value, Decimal):
            data[name] = str(value)
        elif isinstance(value, (_dt.date, _dt.datetime)):
            data[name] = value.isoformat()
    return data, problems


@dataclass
class _Item:
    row: int | None
    columns: dict[str, str] | None
    key: str
    context: dict[str, Any]
    out_name: str = ""
    reservation: Reservation | None = None


def _check_one(template: Template, item: Row | tuple[str, dict[str, Any]]) -> tuple[dict[str, Any], list[Problem]]:
    """Check one row (or ``(key, data)`` pair): the normalized context and its problems."""
    if isinstance(item, Row):
        # An empty cell is a value not given: a required field then reads "必填字段", an
        # optional one gets its default (and the fast validation path applies).
        present = {k: v for k, v in item.values.items() if v is not None}
        data, cell_problems = _cells_to_text(template, present, item)
        data.pop("serial", None)  # serials come from the register, never from the sheet
        context, found = template.check(data, row=item.number, columns=item.columns)
        return context, cell_problems + found
    given_key, data = item
    data = {k: v for k, v in dict(data).items() if k != "serial"}
    context, found = template.check(data)
    return context, [replace(p, message=MESSAGES.text("keyed", {"key": given_key, "message": p.message}),
                             facts={**p.facts, "key": given_key}) for p in found]


def _check_chunk(chunk: list[Any]) -> list[tuple[dict[str, Any], list[Problem]]]:
    assert _WORKER_TEMPLATE is not None
    return [_check_one(_WORKER_TEMPLATE, item) for item in chunk]


def _check_items(
    template: Template, items: Table | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
    pool: Any = None,
) -> tuple[list[_Item], list[Problem]]:
    """Validate every item (in ``pool``'s processes when given); return the valid ones (in
    input order) and all problems."""
    problems: list[Problem] = []
    rows: list[Any]
    if isinstance(items, Table):
        problems.extend(items.problems)
        rows = items.rows
    else:
        rows = list(items)
    if pool is not None and len(rows) > 1:
        size = max(1, min(200, len(rows) // 8 or 1))
        chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
        checked = [result for part in pool.map(_check_chunk, chunks) for result in part]
    else:
        checked = [_check_one(template, item) for item in rows]
    bad_rows = {p.row for p in problems if p.row is not None}
    # A cell the reader already flagged (an ID stored as a number) needs one message, not two.
    flagged = {(p.row, p.path) for p in problems}
    valid: list[_Item] = []
    seen: dict[str, int | None] = {}
    key_field = template.key_field
    for index, (item, (context, found)) in enumerate(zip(rows, checked), start=1):
        if isinstance(item, Row):
            found = [p for p in found if (p.row, p.path.split(".")[0].split("[")[0]) not in flagged]
            row_no: int | None = item.number
            columns: dict[str, str] | None = item.columns
            key = context.get(key_field) if not found else None
        else:
            row_no, columns, key = None, None, item[0]
        if found:
            problems.extend(found)
            continue
        if row_no in bad_rows:
            continue
        key_text = str(key).strip() if key is not None else ""
        if not key_text:
            problems.append(MESSAGES.problem("missing-key", key_field, row=row_no,
                                             column=(columns or {}).get(key_field), field=key_field))
            continue
        if key_text in seen:
            problems.append(MESSAGES.problem("duplicate-key", key_field, row=row_no,
                                             column=(columns or {}).get(key_field),
                                             key=key_text, field=key_field, earlier_row=seen[key_text]))
            continue
        seen[key_text] = row_no if row_no is not None else index
        valid.append(_Item(row_no, columns, key_text, context))
    return valid, problems


# ----------------------------------------------------------------------------- rendering

_WORKER_TEMPLATE: Template | None = None


def _init_worker(template: Template | tuple[str, str, str | None]) -> None:
    """Pool initializer: the template arrives as the object (fork) or as how to load it (spawn).

    Workers ignore Ctrl-C: the terminal sends it to the whole process group, and the
    batch itself stops them; a worker reacting on its own would only print a traceback.
    """
    global _WORKER_TEMPLATE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(template, Template):
        _WORKER_TEMPLATE = template
    else:
        name, path, meta = template
        _WORKER_TEMPLATE = load_template(name, path=path, meta=meta)


def _temp_path(path: Path, token: str) -> Path:
    return part_path(path, token)


def _render_one(template: Template, context: dict[str, Any], row: int | None, path: Path,
                token: str) -> tuple[str, str]:
    """Render one document into a hidden temporary file beside ``path``.

    Returns ``(sha256, temporary path)``. The file gets its final name only in ``_commit``,
    after its bytes are on disk, so a document is under its name complete or not at all.
    """
    data = template.render(context, row=row)
    temp = _temp_path(path, token)
    with open(temp, "wb") as fh:
        fh.write(data)
    return hashlib.sha256(data).hexdigest(), str(temp)


def _worker_task(task: tuple[int, dict[str, Any], int | None, str, str]) -> tuple[int, str, str]:
    index, context, row, path, token = task
    assert _WORKER_TEMPLATE is not None
    return (index, *_render_one(_WORKER_TEMPLATE, context, row, Path(path), token))


@contextlib.contextmanager
def _interrupt_deferred():
    """Hold Ctrl-C (SIGINT) until the block ends; yield the list that records whether it came.

    Only the main thread can handle signals: elsewhere the block runs as it is.
    """
    received: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except ValueError:  # not the main thread
        yield received
        return
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


def _commit(staged: list[tuple[str, Path]]) -> None:
    """Make staged files durable, then rename each to its final name.

    Called once per batch (one durability barrier): a ``sync`` for all the batch's files
    instead of an fsync per file (~4 ms each on a busy disk) or a ``sync`` per hundred files,
    each of which also waits for every other process's dirty pages.
    """
    if not staged:
        return
    if hasattr(os, "sync"):
        os.sync()
    else:  # Windows: no sync(); fsync each file
        for temp, _ in staged:
            with open(temp, "rb+") as fh:
                os.fsync(fh.fileno())
    folders = set()
    # Renamed entries leave the list one by one: a commit interrupted (Ctrl-C) and resumed by
    # the caller's clean-up renames only what is left, instead of failing on a file already
    # moved (which would be reported as an unwritable folder).
    staged.reverse()
    while staged:
        temp, final = staged[-1]
        os.replace(temp, final)
        staged.pop()
        folders.add(final.parent)
    if os.name == "posix":
        # The renames themselves must survive a power cut: fsync the folder.
        for folder in folders:
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _names_not_ours(out: Path, register: Register, ours: set[tuple[str, str]],
                    inputs: Sequence[str | os.PathLike[str] | None]) -> set[str]:
    """Names in ``out`` a new document must not take (lower-cased): files the register records
    for other rows (an earlier batch's letters, whatever the file-name pattern) and the
    batch's own input files."""
    taken = {Path(file).name.lower() for file, owner in register.recorded_files(out).items() if owner not in ours}
    folder = out.resolve()
    for source in inputs:
        if source is not None and Path(source).resolve().parent == folder:
            taken.add(Path(source).name.lower())
    return taken


def _unique_names(template: Template, items: list[_Item], taken: set[str]) -> None:
    """Give each item its output name; a clash (same borrower and serial pattern) gets ' (2)'."""
    for item in items:
        base = template.output_name(item.context)
        stem, suffix = base[: -len(".docx")], ".docx"
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem} ({n}){suffix}"
        taken.add(name.lower())
        item.out_name = name


def _write_manifest(result: BatchResult, out_dir: Path, rows_source: str | None) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for doc in result.documents:
        entry = doc.to_dict(out_dir)
        writer.writerow({k: ("" if entry[k] is None else csv_safe(entry[k])) for k in MANIFEST_FIELDS})
    # BOM: Excel on Chinese Windows opens a UTF-8 CSV correctly only with it.
    result.manifest_csv = out_dir / "manifest.csv"
    result.manifest_json = out_dir / "manifest.json"
    write_text_atomic(result.manifest_csv, "\ufeff" + buf.getvalue())
    summary = result.to_dict()
    summary["rows"] = rows_source
    summary["generated"] = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    write_text_atomic(result.manifest_json, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")


def _preflight(template: Template, item: _Item, out: Path, pdf: bool) -> None:
    """Fail before any serial is reserved on what would stop the batch afterwards.

    Renders the first row with a stand-in serial (a template whose tags cannot render,
    a serial or file-name pattern that cannot be filled), checks that a file can be created
    in ``out`` and, for PDFs, that LibreOffice is there. Raises what those raise.
    """
    context = {**item.context, "serial": template.format_serial(0, item.context)}
    template.output_name(context)
    template.render(context, row=item.row)
    fd, probe = tempfile.mkstemp(prefix=".docgen-probe-", suffix=".part", dir=out)
    os.close(fd)
    os.unlink(probe)
    if pdf:
        from docgen.documents.pdf import find_soffice

        find_soffice()


def generate(
    template: Template,
    items: Table | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
    out_dir: str | os.PathLike[str],
    *,
    register: Register,
    pdf: bool = False,
    merge_pdf: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    rows_source: str | None = None,
) -> BatchResult:
    """Generate one document per item into ``out_dir``; return the ``BatchResult``.

    ``items`` is a ``Table`` (its reading problems count too), a list of ``Row`` or
    ``(row_key, data)`` pairs. Raises ``RowsError`` listing every problem (nothing written,
    no serial reserved) unless ``skip_invalid``, in which case invalid rows are left out
    and listed in ``BatchResult.invalid``. Raises ``RegisterError`` when the register
    fails, ``ConversionError`` when a PDF cannot be made, ``RenderError`` if a checked row
    still cannot be rendered, ``OutputError`` (exit 2) when the output cannot be written. ``jobs`` > 1
    renders in that many processes (and runs that many LibreOffice instances).
    """
    pool = None
    try:
        if jobs > 1:
            # One pool for checking and rendering; fork shares the loaded template, spawn
            # (Windows, macOS) reloads it in each worker.
            ctx = process_context()
            init_arg: Any = template if shares_memory(ctx) else (
                template.name, str(template.path), str(template.meta_path) if template.meta_path else None)
            pool = ctx.Pool(processes=jobs, initializer=_init_worker, initargs=(init_arg,))
        return _generate(template, items, Path(out_dir), register=register, pdf=pdf, merge_pdf=merge_pdf,
                         jobs=jobs, skip_invalid=skip_invalid, progress=progress, rows_source=rows_source,
                         pool=pool)
    except OSError as exc:
        # Disk full, no permission, a file where the folder should be: one clear line.
        where = exc.filename or out_dir
        raise OutputError(
            f"无法写入 {where}({exc.strerror or exc});请检查输出文件夹 {out_dir} 的写入权限和磁盘空间"
        ) from None
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _generate(template: Template, items: Table | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]], out: Path,
              **options: Any) -> BatchResult:
    """Run the batch; Ctrl-C at any step is ``Interrupted`` saying how many documents were made.

    The render loop commits what it rendered before it says so; a Ctrl-C before it (checking
    rows, reserving serials) or after it (the manifest) has nothing half-made to commit.
    """
    digests: dict[int, str] = {}
    try:
        return _generate_into(digests, template, items, out, **options)
    except KeyboardInterrupt:
        raise Interrupted(f"已中断，已生成 {len(digests)} 份，重新运行可继续") from None


def _generate_into(
    digests: dict[int, str],
    template: Template,
    items: Table | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
    out: Path,
    *,
    register: Register,
    pdf: bool,
    merge_pdf: str | os.PathLike[str] | None,
    jobs: int,
    skip_invalid: bool,
    progress: Progress | None,
    rows_source: str | None,
    pool: Any,
) -> BatchResult:
    valid, problems = _check_items(template, items, pool)
    if problems and not skip_invalid:
        rows = sorted({p.row for p in problems if p.row is not None})
        raise RowsError(MESSAGES.text("rows-rejected/error", {"template": template.name, "rows": rows,
                                                              "count": len(problems)}), problems)
    result = BatchResult(template.name, out, invalid=problems if skip_invalid else [])
    out.mkdir(parents=True, exist_ok=True)

    inputs = [rows_source, template.path, template.meta_path]
    for output in (merge_pdf, out / "manifest.csv", out / "manifest.json"):
        if output is not None:
            refuse_overwriting_inputs(output, inputs)
    if valid:
        _preflight(template, valid[0], out, pdf or merge_pdf is not None)
    # One write transaction for the whole batch: fast, and the batch's serials are contiguous.
    reservations = register.reserve_many(
        template.name,
        [(item.key, (lambda seq, ctx=item.context: template.format_serial(seq, ctx))) for item in valid],
        owner=owner_id(),
    )
    # Rows another batch is writing right now (same rows run twice at once) are left to it.
    result.in_progress = [item.key for item, r in zip(valid, reservations) if r.busy]
    pairs = [(item, r) for item, r in zip(valid, reservations) if not r.busy]
    valid = [item for item, _ in pairs]
    reservations = [r for _, r in pairs]
    status: dict[int, str] = {}
    taken: set[str] = set()
    for index, (item, reservation) in enumerate(zip(valid, reservations)):
        item.reservation = reservation
        item.context = {**item.context, "serial": reservation.serial}
        record = reservation.record
        if record.is_complete and record.file and Path(record.file).is_file():
            status[index] = "skipped"
            if Path(record.file).parent.resolve() == out.resolve():
                taken.add(Path(record.file).name.lower())
        elif record.is_complete:
            status[index] = "restored"
        else:
            status[index] = "written"
    fresh = [item for i, item in enumerate(valid) if status[i] != "skipped"]
    taken |= _names_not_ours(out, register, {(template.name, item.key) for item in fresh}, inputs)
    _unique_names(template, fresh, taken)

    total = len(fresh)
    staged: list[tuple[str, Path]] = []
    pending: list[tuple[str, str, str]] = []
    index_of = {id(item): i for i, item in enumerate(valid)}
    tasks = [(index_of[id(item)], item) for item in fresh]
    token = mark()  # this run's temporary-file mark
    remove_stale(out)  # staged files of a batch that was killed

    def flush() -> bool:
        # Files first, register second: a recorded document always exists in full. Ctrl-C
        # during this commit waits for its end (one sync, the renames, one transaction), so
        # the files under their names and the register never part; returns whether it came.
        with _interrupt_deferred() as received:
            _commit(staged)
            staged.clear()
            if pending:
                register.complete_many(template.name, pending)
                pending.clear()
        return bool(received)

    def done(index: int, digest: str, temp: str, count: int) -> None:
        item = valid[index]
        digests[index] = digest
        final = out / item.out_name
        staged.append((temp, final))
        pending.append((item.key, str(final), digest))
        if progress is not None:
            progress("render", count, total)

    if progress is not None:
        progress("render", 0, total)
    interrupted = False
    try:
        if pool is not None and len(tasks) > 1:
            payload = [(i, item.context, item.row, str(out / item.out_name), token) for i, item in tasks]
            chunk = max(1, min(50, len(payload) // (jobs * 4) or 1))
            for count, (index, digest, temp) in enumerate(pool.imap_unordered(_worker_task, payload, chunk), 1):
                done(index, digest, temp, count)
        else:
            for count, (index, item) in enumerate(tasks, 1):
                done(index, *_render_one(template, item.context, item.row, out / item.out_name, token), count)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Whatever was rendered is committed and recorded, even when the batch is interrupted;
        # a commit that fails leaves no stray temporary files.
        try:
            interrupted = flush() or interrupted
        finally:
            # Staged files a failed commit left, and files workers were writing when a
            # render failed: none may linger (they are hidden, but they are litter).
            for _, item in tasks:
                with contextlib.suppress(OSError):
                    os.unlink(_temp_path(out / item.out_name, token))
    if interrupted:
        raise Interrupted(f"已中断，已生成 {len(digests)} 份，重新运行可继续") from None

    for index, item in enumerate(valid):
        assert item.reservation is not None
        record = item.reservation.record
        if status[index] == "skipped":
            file, digest = Path(record.file or ""), record.sha256 or ""
        else:
            file, digest = out / item.out_name, digests[index]
        result.documents.append(BatchDocument(
            item.row, item.key, item.reservation.serial, item.reservation.seq, file, digest, status[index]))
    result.documents.sort(key=lambda d: d.seq)

    if pdf or merge_pdf is not None:
        try:
            _make_pdfs(result, merge_pdf, progress, jobs, per_letter=pdf)
        except KeyboardInterrupt:
            raise Interrupted(f"已中断，已生成 {len(digests)} 份（PDF 未全部完成），重新运行可继续") from None
    _write_manifest(result, out, rows_source)
    return result


def _make_pdfs(result: BatchResult, merge_pdf: str | os.PathLike[str] | None, progress: Progress | None,
               jobs: int = 1, per_letter: bool = True) -> None:
    """Make the batch's PDFs with one LibreOffice conversion per chunk of letters
    (``docgen.documents.printrun``): each document's own PDF when ``per_letter`` (skipped
    documents only when theirs is missing or older than the .docx), and the print file
    ``merge_pdf`` of every document in serial order, with ``jobs`` LibreOffice instances."""
    from docgen.documents.printrun import print_run

    need: list[BatchDocument] = []
    for doc in result.documents:
        target = doc.file.with_suffix(".pdf")
        if (doc.status == "skipped" and target.is_file()
                and target.stat().st_mtime >= doc.file.stat().st_mtime):
            doc.pdf = target
        elif per_letter:
            need.append(doc)
    wanted = {id(doc) for doc in need}
    # The print file needs every letter converted; without it only the missing PDFs.
    convert = result.documents if merge_pdf is not None else need
    if progress is not None:
        progress("pdf", 0, len(convert))
    if not convert:
        return
    targets = [doc.file.with_suffix(".pdf") if id(doc) in wanted else None for doc in convert]
    merged = Path(merge_pdf) if merge_pdf is not None else None
    print_run([doc.file for doc in convert], pdf_targets=targets, merged=merged, jobs=jobs,
              progress=(lambda count: progress("pdf", count, len(convert))) if progress is not None else None)
    for doc, target in zip(convert, targets):
        if target is not None:
            doc.pdf = target
    result.merged = merged


def resolve_template(template_name_or_path: str | os.PathLike[str] | Template,
                     template_file: str | os.PathLike[str] | None = None) -> Template:
    """Return the ``Template`` a batch fills: a shipped name, a ``Template``, a .docx path (its
    fields from the .yaml beside it), or a bank-edited ``template_file`` with the named template's
    fields. Raises ``TemplateError`` when it cannot be loaded."""
    if isinstance(template_name_or_path, Template):
        return template_name_or_path
    if template_file is not None:
        return load_template(str(template_name_or_path), path=template_file)
    if str(template_name_or_path).lower().endswith(".docx"):
        return load_template(path=template_name_or_path)
    return load_template(str(template_name_or_path))


def read_rows(template: Template, rows_path: str | os.PathLike[str], *, sheet: str | None = None,
              defaults: dict[str, Any] | None = None) -> Table:
    """Read ``rows_path`` with the template's header aliases; return the ``Table``.

    ``defaults`` (field -> value, e.g. the letter date of the whole batch) fill fields the sheet
    lacks or leaves empty; their columns are then not required. Raises ``InputError``
    (unreadable rows, a default for a field the template does not have, a sheet with only a
    header).
    """
    defaults = dict(defaults or {})
    unknown = [name for name in defaults if name not in template.schema or name == "serial"]
    if unknown:
        fields = "、".join(n for n in template.schema if n != "serial")
        raise InputError(f"模板 {template.name} 没有字段 {'、'.join(unknown)}(可用字段:{fields})")
    required = [name for name, rule in template.schema.items()
                if isinstance(rule, dict) and rule.get("required") and name != "serial" and name not in defaults]
    aliases = {name: template.aliases.get(name, []) for name in template.schema}
    table = read_table(rows_path, aliases, required=required, text_fields=text_fields(template), sheet=sheet)
    if not table.rows and not table.problems:
        # An empty batch is a wrong file or sheet, not a success with an empty manifest.
        raise InputError(f"{rows_path}: 表格中没有数据行(只有表头);请检查是否选错了文件或工作表(--sheet)")
    if defaults:
        for row in table.rows:
            for name, value in defaults.items():
                if row.values.get(name) is None:
                    row.values[name] = value
    return table


def check_rows(table: Table, template: Template) -> list[Problem]:
    """Return every problem of ``table``'s rows (reading, schema, rules, duplicate keys), as
    ``generate`` would find them, without writing anything or touching the register."""
    return _check_items(template, table)[1]


def run_batch(
    template_name_or_path: str | os.PathLike[str] | Template,
    rows_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    register: Register,
    template_file: str | os.PathLike[str] | None = None,
    sheet: str | None = None,
    defaults: dict[str, Any] | None = None,
    **options: Any,
) -> BatchResult:
    """Read ``rows_path`` with the template's header aliases and ``generate`` from it.

    ``template_name_or_path`` and ``template_file`` are ``resolve_template``'s; ``sheet`` and
    ``defaults`` are ``read_rows``'. Raises ``InputError`` (unreadable rows or template, a
    default for a field the template does not have, a sheet with only a header), and whatever
    ``generate`` raises.
    """
    template = resolve_template(template_name_or_path, template_file)
    table = read_rows(template, rows_path, sheet=sheet, defaults=defaults)
    return generate(template, table, out_dir, register=register, rows_source=str(rows_path), **options)
