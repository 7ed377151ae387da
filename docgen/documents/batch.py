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
import json
import os
import re
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice
from array import array
from json.encoder import encode_basestring as _encode_text
from pathlib import Path
from typing import Any

from docgen.core.access import when_denied
from docgen.core.atomic import atomic_output, refuse_overwriting_inputs
from docgen.core.cells import csv_safe
from docgen.core.errors import InputError, Interrupted, OutputError, RowsError
from docgen.core.gcpause import collector_paused, sweep_young
from docgen.core.leftovers import mark, part_name, part_path, remove_parts, remove_stale
from docgen.core.mergedcells import explain_empty
from docgen.core.messages import MESSAGES as CORE_MESSAGES
from docgen.core.procs import process_context, shares_memory
from docgen.documents.messages import MESSAGES
from docgen.documents.register import Register, Reservation, owner_id
from docgen.documents.spool import Spool
from docgen.core.tabular import (Row, Table, TableStream, alias_map, normalize_header, read_table, stream_table,
                                 where_read)
from docgen.documents.template import Template, load_template
from docgen.core.validation import Problem
from docgen.core.values import other_unit

__all__ = ["BatchDocument", "BatchResult", "check_rows", "generate", "read_rows", "resolve_template", "run_batch",
           "stream_rows",
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
        return _entry(self.row, self.row_key, self.serial, self.file, self.sha256, self.status, self.pdf, out_dir)


def _entry(row: int | None, key: str, serial: str, file: str | Path, sha256: str | None, status: str,
           pdf: str | Path | None, out_dir: Path | None) -> dict[str, Any]:
    """A document's manifest entry (``BatchDocument.to_dict``), from its fields."""
    return {"row": row, "row_key": key, "serial": serial, "file": _relative(file, out_dir), "sha256": sha256,
            "status": status, "pdf": _relative(pdf, out_dir) if pdf else None}


class _Documents(Sequence[BatchDocument]):
    """A batch's documents in serial order, read back from its spool as they are asked for
    (a batch of any size keeps none of them in memory)."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool

    def __len__(self) -> int:
        return len(self._spool)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _document(self._spool[index])

    def __iter__(self) -> Iterator[BatchDocument]:
        return map(_document, self._spool.read())

    def entries(self, out_dir: Path | None) -> Iterator[dict[str, Any]]:
        """Yield each document's manifest entry (``BatchDocument.to_dict``) straight from its record."""
        for row, key, serial, _, file, digest, status, pdf, *_ in self._spool.read():
            yield _entry(row, key, serial, file, digest, status, pdf, out_dir)


def _document(record: tuple[Any, ...]) -> BatchDocument:
    row, key, serial, seq, file, digest, status, pdf = record[:8]
    return BatchDocument(row, key, serial, seq, Path(file), digest, status, Path(pdf) if pdf else None)


@dataclass
class BatchResult:
    """What a batch did: documents (in serial order), invalid rows' problems, outputs."""

    template: str
    out_dir: Path
    documents: Sequence[BatchDocument] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    manifest_csv: Path | None = None
    manifest_json: Path | None = None
    merged: Path | None = None
    in_progress: list[str] = field(default_factory=list)
    #: how many documents were written and skipped (``None``: count ``documents``)
    counts: tuple[int, int] | None = None

    @property
    def written(self) -> list[BatchDocument]:
        """Documents written by this run (new, or restored with their old serial)."""
        return [d for d in self.documents if d.status != "skipped"]

    @property
    def skipped(self) -> list[BatchDocument]:
        """Rows already issued whose file is in place: not written again."""
        return [d for d in self.documents if d.status == "skipped"]

    def _counts(self) -> tuple[int, int]:
        if self.counts is not None:
            return self.counts
        skipped = sum(1 for d in self.documents if d.status == "skipped")
        return len(self.documents) - skipped, skipped

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
        return "".join(self.text_lines())

    def text_lines(self) -> Iterator[str]:
        """Yield ``to_text``'s lines (each ending in a newline) as the documents are read back:
        a batch of any size is printed without its whole summary in memory."""
        written, skipped = self._counts()
        yield MESSAGES.text("batch-text/head", {
            "template": self.template, "written": written, "skipped": skipped,
            "invalid": len(self.invalid_rows) if self.invalid else None}) + "\n"
        for doc in self.documents:
            yield MESSAGES.text("batch-text/document", {
                "status": doc.status, "row": doc.row, "serial": doc.serial, "key": doc.row_key,
                "name": doc.file.name}) + "\n"
        if self.merged:
            yield MESSAGES.text("batch-text/merged", {"path": self.merged}) + "\n"
        yield MESSAGES.text("batch-text/manifests", {"csv": self.manifest_csv, "json": self.manifest_json}) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON summary (``docgen batch --format json`` and manifest.json)."""
        head, tail = self._summary_parts()
        return {**head, "documents": [d.to_dict(self.out_dir) for d in self.documents], **tail}

    def _summary_parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The summary's entries before and after ``documents``."""
        written, skipped = self._counts()
        head = {"template": self.template, "out_dir": str(self.out_dir), "written": written, "skipped": skipped,
                "invalid_rows": self.invalid_rows}
        tail = {"problems": [p.to_dict() for p in self.invalid], "in_progress": list(self.in_progress),
                "merged_pdf": str(self.merged) if self.merged else None}
        return head, tail


def _relative(path: str | Path | None, base: Path | None) -> str | None:
    if path is None:
        return None
    if base is not None:
        # The usual case, a file right in ``base``, told from the text alone (a Path per call
        # costs more than the rest of a manifest entry).
        folder, name = os.path.split(os.fspath(path))
        if folder == os.fspath(base) and name not in ("", ".", ".."):
            return name
    if base is not None and Path(path).parent == Path(base):
        return Path(path).name  # the same, spelt differently: without a resolve() per document
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
    fields = list(template.schema.items())
    fields += [(f"{name}.{key}", template.schema[name]["schema"]["schema"][key])
               for name, keys in template.entry_fields.items() for key in keys]
    for name, rule in fields:
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


def _check_one(template: Template, item: Row | tuple[str, dict[str, Any]]) -> tuple[dict[str, Any], list[Problem]]:
    """Check one row (or ``(key, data)`` pair): the normalized context and its problems."""
    if isinstance(item, Row):
        # An empty cell is a value not given: a required field then reads "必填字段", an
        # optional one gets its default (and the fast validation path applies).
        present = {k: v for k, v in item.values.items() if v is not None}
        data, cell_problems = _cells_to_text(template, present, item)
        data.pop("serial", None)  # serials come from the register, never from the sheet
        data, columns, uneven = _gather_entries(template, data, item)
        if uneven:
            return {}, cell_problems + uneven
        context, found = template.check(data, row=item.number, columns=columns)
        return context, cell_problems + found
    given_key, data = item
    data = {k: v for k, v in dict(data).items() if k != "serial"}
    context, found = template.check(data)
    return context, [replace(p, message=MESSAGES.text("keyed", {"key": given_key, "message": p.message}),
                             facts={**p.facts, "key": given_key}) for p in found]


def _check_chunk(chunk: list[Any]) -> list[tuple[dict[str, Any], list[Problem]]]:
    assert _WORKER_TEMPLATE is not None
    return [_check_one(_WORKER_TEMPLATE, item) for item in chunk]


#: Rows checked, and letters rendered, per step: what a batch holds at once.
_BLOCK = 1000


def _row_blocks(items: Table | TableStream | Iterable[Any]) -> Iterator[tuple[list[Any], list[Problem]]]:
    """Yield ``(items, reading problems)`` a block at a time."""
    if isinstance(items, TableStream):
        for table in items.blocks():
            yield table.rows, table.problems
        return
    if isinstance(items, Table):
        yield items.rows, items.problems
        return
    iterator = iter(items)
    while True:
        chunk = list(islice(iterator, _BLOCK))
        if not chunk:
            return
        yield chunk, []


#: Bad rows after which a batch's rows are checked no further (``stop_after``): a sheet whose rows
#: are nearly all wrong (the wrong file or sheet, or a 16 KB .xlsx declaring 100,000 one-cell rows)
#: is reported by its first rows in seconds, not every row's problems after minutes.
MAX_BAD_ROWS = 1_000


@dataclass(frozen=True)
class _Stopped:
    """Where ``_check_items`` stopped checking, past ``stop_after`` bad rows or items: ``at`` is
    the row number, or for a ``(key, data)`` pair its position (1 for the first item) and ``key``
    the key it was given, as text (None for a row)."""

    at: int
    key: str | None = None


def _check_items(
    template: Template, items: Table | TableStream | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
    pool: Any = None, keep: Callable[[int | None, str, dict[str, Any]], None] | None = None,
    stop_after: int | None = None,
) -> tuple[list[Problem], dict[str, int | None], _Stopped | None]:
    """Validate every item, a block at a time (in ``pool``'s processes when given); hand each
    valid one to ``keep(row, key, context)`` in input order. Returns all problems (reading
    problems first), the valid row keys (key -> row, or position for ``(key, data)`` pairs) and
    None; with ``stop_after``, at the first row (or item) that makes more than that bad -- a
    problem of its own, of the reader's, a missing or repeated key --, the problems of the
    ``stop_after`` bad ones before it, the keys so far and where it stopped (``_Stopped``)."""
    reading: list[Problem] = []
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    bad: set[int] = set()  # rows (or positions) with a problem
    key_field = template.key_field
    # The key's name as the sheet's users know it (借款合同号), for the repeated-key message.
    key_rule = template.schema.get(key_field)
    key_meta = key_rule.get("meta") if isinstance(key_rule, dict) else None
    key_label = str(key_meta.get("label") or key_field) if isinstance(key_meta, dict) else key_field
    index = 0
    for rows, read_problems in _row_blocks(items):
        reading.extend(read_problems)
        checked: Iterable[tuple[dict[str, Any], list[Problem]]]
        if pool is not None and len(rows) > 1:
            size = max(1, min(200, len(rows) // 8 or 1))
            chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
            checked = [result for part in pool.map(_check_chunk, chunks) for result in part]
        else:
            checked = (_check_one(template, item) for item in rows)  # as the loop asks: it may stop
        bad_rows = {p.row for p in read_problems if p.row is not None}
        # A cell the reader already flagged (an ID stored as a number) needs one message, not two.
        flagged = {(p.row, p.path) for p in read_problems}
        for item, (context, found) in zip(rows, checked):
            index += 1
            if isinstance(item, Row):
                found = [p for p in found if (p.row, p.path.split(".")[0].split("[")[0]) not in flagged]
                row_no: int | None = item.number
                columns: dict[str, str] | None = item.columns
                key = context.get(key_field) if not found else None
            else:
                row_no, columns, key = None, None, item[0]
            at = row_no if row_no is not None else index
            if not found and row_no not in bad_rows:
                key_text = str(key).strip() if key is not None else ""
                # A sheet's row is named by its number; a program's item by its position.
                where = {"position": index} if row_no is None else {}
                if not key_text:
                    found = [MESSAGES.problem("missing-key", key_field, row=row_no,
                                              column=(columns or {}).get(key_field), field=key_field, **where)]
                elif key_text in seen:
                    earlier = ({"earlier_position": seen[key_text]} if row_no is None
                               else {"earlier_row": seen[key_text]})
                    found = [MESSAGES.problem("duplicate-key", key_field, row=row_no,
                                              column=(columns or {}).get(key_field),
                                              key=key_text, field=key_field, label=key_label, **where,
                                              **earlier)]
                else:
                    seen[key_text] = at
                    if keep is not None:
                        keep(row_no, key_text, context)
                    continue
            bad.add(at)
            if stop_after is not None and len(bad) > stop_after:
                # This row's problems are not listed; nor are the reader's of the rows after it.
                kept = bad - {at}
                stopped = _Stopped(at, None if row_no is not None else "" if key is None else str(key))
                return _explained(items, [p for p in reading + problems if p.row is None or p.row in kept]), seen, stopped
            problems.extend(found)
        del rows, checked
        sweep_young()  # a bad row's cerberus errors are cycles: freed a block at a time
    return _explained(items, reading + problems), seen, None


def _explained(items: Any, problems: list[Problem]) -> list[Problem]:
    """``problems``, those of a sheet's cell left empty under a merged cell or in a formula cell
    said to be so (``explain_empty``); the problems of items a program gave, as they are."""
    if not problems or not isinstance(items, (Table, TableStream)):
        return problems
    return explain_empty(items.path, items.sheet, problems)


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
        # The batch loaded (and so checked) it already: its tags' names need not be read again.
        _WORKER_TEMPLATE = load_template(name, path=path, meta=meta, check_variables=False)


def _temp_path(path: Path, token: str) -> Path:
    return part_path(path, token)


def _prefix(folder: Path) -> str:
    """The text before a file name in ``folder``: ``_prefix(folder) + name == str(folder / name)``
    for a plain name, without a Path per file (the batch's hot loops)."""
    return str(folder / "_")[:-1]


#: How ``open(temp, "wb")`` opens a file, for ``os.open``.
_STAGE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write_staged(temp: str, data: bytes) -> str:
    """Create the hidden temporary file ``temp`` holding ``data``; return its SHA-256.

    Written through the file descriptor (as ``open(temp, "wb")`` opens it, without the
    buffered file object, which costs three more system calls a file -- a status, a terminal
    check, a seek -- and a few microseconds of objects). Raises ``OSError``.
    """
    fd = os.open(temp, _STAGE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return hashlib.sha256(data).hexdigest()


def _render_one(template: Template, context: dict[str, Any], row: int | None, path: Path,
                token: str) -> tuple[str, str]:
    """Render one document into a hidden temporary file beside ``path``.

    Returns ``(sha256, temporary path)``. The file gets its final name only in ``_commit``,
    after its bytes are on disk, so a document is under its name complete or not at all.
    """
    data = template.render(context, row=row)
    temp = str(_temp_path(path, token))
    return _write_staged(temp, data), temp


class _Writer:
    """Staged files created and written by two threads while the next letters render.

    Creating a file is most of a letter's wall time on a busy disk (the file system's
    journal), and a thread waits on it without holding the interpreter lock; hashing the
    bytes releases it too. Files are handed over a few at a time (``GROUP``): a hand-over
    costs the interpreter more than writing a file's bytes. The batch waits for a block's
    files before it records them.
    """

    GROUP = 8

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._threads = ThreadPoolExecutor(2, thread_name_prefix="docgen-write")
        self._pending: list[Any] = []
        self._group: list[tuple[int, str, bytes]] = []

    def submit(self, position: int, temp: str, data: bytes) -> None:
        """Write ``data`` to ``temp`` in the background (``position`` names it in ``wait``)."""
        self._group.append((position, temp, data))
        if len(self._group) >= self.GROUP:
            self._send()

    def _send(self) -> None:
        if self._group:
            self._pending.append(self._threads.submit(_write_group, self._group))
            self._group = []

    def wait(self) -> tuple[dict[int, str], BaseException | None]:
        """Wait for every write submitted; return the SHA-256 of each written (by position)
        and the first error, ``KeyboardInterrupt`` when Ctrl-C came while waiting: it waits
        for the writes, so no thread is left creating a file the batch no longer knows about."""
        digests: dict[int, str] = {}
        error: BaseException | None = None
        with _interrupt_deferred() as received:
            self._send()
            for future in self._pending:
                done, failed = future.result()
                digests.update(done)
                error = error or failed
            self._pending.clear()
        return digests, KeyboardInterrupt() if received else error

    def close(self) -> None:
        """Stop the threads (after the writes submitted)."""
        self._group = []
        self._threads.shutdown(wait=True)


def _write_group(group: list[tuple[int, str, bytes]]) -> tuple[list[tuple[int, str]], Exception | None]:
    """Write each ``(position, temp, data)`` of ``group`` (``_write_staged``); return the
    ``(position, sha256)`` of those written and the first error (OSError mostly: the others
    are still tried, as one at a time)."""
    done: list[tuple[int, str]] = []
    error: Exception | None = None
    for position, temp, data in group:
        try:
            done.append((position, _write_staged(temp, data)))
        except Exception as exc:  # reported after the others were written
            error = error or exc
    return done, error


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


def _commit(journal: Spool, renamed: list[int], out: Path, token: str) -> None:
    """Make the staged files of ``journal`` (from ``renamed[0]`` on) durable, then rename each
    to its final name, counting them in ``renamed[0]``.

    Called once per batch (one durability barrier): a ``sync`` for all the batch's files
    instead of an fsync per file (~4 ms each on a busy disk) or a ``sync`` per hundred files,
    each of which also waits for every other process's dirty pages.
    """
    if renamed[0] >= len(journal):
        return
    pending = range(renamed[0], len(journal))
    prefix = _prefix(out)
    if hasattr(os, "sync"):
        os.sync()
    else:  # Windows: no sync(); fsync each file
        for _, name, _ in journal.read(pending):
            with open(prefix + part_name(name, token), "rb+") as fh:
                os.fsync(fh.fileno())
    # Renamed entries are counted one by one: a commit interrupted (Ctrl-C) and resumed by the
    # caller's clean-up renames only what is left, instead of failing on a file already moved
    # (which would be reported as an unwritable folder).
    for _, name, _ in journal.read(pending):
        os.replace(prefix + part_name(name, token), prefix + name)
        renamed[0] += 1
    if os.name == "posix":
        # The renames themselves must survive a power cut: fsync the folder.
        fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _names_not_ours(out: Path, register: Register, ours: Callable[[str, str], bool],
                    inputs: Sequence[str | os.PathLike[str] | None]) -> set[str]:
    """Names in ``out`` a new document must not take (lower-cased): files the register records
    for other rows (``ours(template, row_key)`` false: an earlier batch's letters, whatever the
    file-name pattern) and the batch's own input files."""
    taken = {Path(file).name.lower() for file, owner in register.recorded_files(out).items() if not ours(*owner)}
    folder = out.resolve()
    for source in inputs:
        if source is not None and Path(source).resolve().parent == folder:
            taken.add(Path(source).name.lower())
    return taken


def _unique_name(base: str, taken: set[str]) -> str:
    """Return the output name ``base`` (``Template.output_name``), or with ' (2)' … when
    ``taken`` has it (same borrower and serial pattern); the name is then taken."""
    stem, suffix = base[: -len(".docx")], ".docx"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem} ({n}){suffix}"
    taken.add(name.lower())
    return name


def _json_scalar(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)`` of a manifest entry's value, with the C encoder."""
    if value is None:
        return "null"
    if value.__class__ is str:
        return _encode_text(value)
    if value.__class__ is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def _json_entry(entry: dict[str, Any]) -> str:
    """``json.dumps(entry, ensure_ascii=False, indent=2)`` indented by four more spaces (a
    document in manifest.json's list), for an entry of scalars: the same text, without
    the pure-Python encoder ``indent`` selects."""
    return "{\n      " + ",\n      ".join(f"{_encode_text(k)}: {_json_scalar(v)}" for k, v in entry.items()) + "\n    }"


def _write_manifest(result: BatchResult, out_dir: Path, rows_source: str | None) -> None:
    """Write manifest.csv and manifest.json from the documents as they are read back, in one pass."""
    result.manifest_csv = out_dir / "manifest.csv"
    result.manifest_json = out_dir / "manifest.json"
    documents = result.documents
    entries = (documents.entries(out_dir) if isinstance(documents, _Documents)
               else (doc.to_dict(out_dir) for doc in documents))
    head, tail = result._summary_parts()
    tail["rows"] = rows_source
    tail["generated"] = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    with atomic_output(result.manifest_csv, "w") as table, atomic_output(result.manifest_json, "w") as fh:
        # BOM: Excel on Chinese Windows opens a UTF-8 CSV correctly only with it.
        table.write("\ufeff")
        writer = csv.writer(table, lineterminator="\r\n")
        writer.writerow(MANIFEST_FIELDS)
        # The same text as json.dumps(summary, indent=2), written a document at a time.
        fh.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "documents": [')
        first = True
        for entry in entries:
            writer.writerow(["" if entry[k] is None else csv_safe(entry[k]) for k in MANIFEST_FIELDS])
            fh.write(("\n    " if first else ",\n    ") + _json_entry(entry))
            first = False
        fh.write("],\n" if first else "\n  ],\n")
        fh.write(json.dumps(tail, ensure_ascii=False, indent=2)[2:] + "\n")


def _preflight(template: Template, item: tuple[int | None, str, dict[str, Any]], out: Path, pdf: bool) -> None:
    """Fail before any serial is reserved on what would stop the batch afterwards.

    Renders the first row (``(row, key, context)``) with a stand-in serial (a template whose
    tags cannot render, a serial or file-name pattern that cannot be filled), checks that a
    file can be created in ``out`` and, for PDFs, that LibreOffice is there. Raises what
    those raise.
    """
    row, _, context = item
    context = {**context, "serial": template.format_serial(0, context)}
    template.output_name(context)
    template.render(context, row=row)
    # A Ctrl-C between creating and removing the probe must not leave it behind in the user's
    # folder: it waits until the probe is gone.
    with _interrupt_deferred() as received:
        fd, probe = tempfile.mkstemp(prefix=".docgen-probe-", suffix=".part", dir=out)
        try:
            os.close(fd)
        finally:
            os.unlink(probe)
    if received:
        raise KeyboardInterrupt
    if pdf:
        from docgen.documents.pdf import find_soffice

        find_soffice()


def generate(
    template: Template,
    items: Table | TableStream | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
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

    ``items`` is a ``Table`` or ``TableStream`` (its reading problems count too), a list of
    ``Row`` or ``(row_key, data)`` pairs; it is worked through a block at a time, so the
    batch's memory does not grow with its number of rows. Raises ``RowsError`` listing every
    problem (nothing written, no serial reserved; those of the first ``MAX_BAD_ROWS`` bad rows or
    items when there are more, the rest not checked: ``rows-rejected/stopped`` names the row
    where checking stopped, ``items-rejected/stopped`` the position and key of a ``(row_key,
    data)`` pair) unless ``skip_invalid``, in which case invalid rows are left out
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
        when_denied(exc, OutputError, out_dir, writing=True)
        raise MESSAGES.error(OutputError, "batch-unwritable", where=str(exc.filename or out_dir),
                             reason=str(exc.strerror or exc), out_dir=str(out_dir)) from None
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _generate(template: Template, items: Table | TableStream | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
              out: Path, **options: Any) -> BatchResult:
    """Run the batch; Ctrl-C at any step is ``Interrupted`` saying how many documents were made.

    The render loop commits what it rendered before it says so; a Ctrl-C before it (checking
    rows, reserving serials) or after it (the manifest) has nothing half-made to commit.
    """
    made = [0]
    try:
        return _generate_into(made, template, items, out, **options)
    except KeyboardInterrupt:
        raise CORE_MESSAGES.error(Interrupted, "interrupted", made=made[0]) from None


_WRITTEN, _RESTORED, _SKIPPED, _BUSY = range(4)
_STATUS = {_WRITTEN: "written", _RESTORED: "restored", _SKIPPED: "skipped"}


def _generate_into(
    made: list[int],
    template: Template,
    items: Table | TableStream | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
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
    """The batch in steps that each hold a block of letters at most: rows checked into a
    spool, serials reserved (one transaction), names given in input order, documents rendered
    and staged in serial order, one commit, then PDFs and manifests read back from spools."""
    checked = Spool()  # (row, key, context) of every valid row, in input order
    reserved = Spool()  # (key, serial, seq, busy, complete, file, sha256, output name, row), same order
    plan = Spool()  # one entry per document of this batch, in input order
    # The rows, contexts and records a batch builds hold no reference cycles; a letter's render
    # leaves a few cyclic objects (~6 a letter: encoder closures and the like), which the young
    # sweep after each block of rows frees, so what is left is the same whatever the batch's size
    # (tested). The thousands of objects alive at once in the spools would make the collector run
    # full collections that find nothing (0.05 ms a letter): paused from reading the rows to the
    # commit; the PDFs (pypdf's objects) run with it on.
    try:
        with collector_paused():
            docs, result = _documents_of(made, template, items, out, checked, reserved, plan, register=register,
                                         pdf=pdf, merge_pdf=merge_pdf, jobs=jobs, skip_invalid=skip_invalid,
                                         progress=progress, rows_source=rows_source, pool=pool)
    finally:
        for spool in (checked, reserved, plan):
            spool.close()

    if pdf or merge_pdf is not None:
        try:
            _make_pdfs(result, docs, merge_pdf, progress, jobs, per_letter=pdf)
        except KeyboardInterrupt:
            raise CORE_MESSAGES.error(Interrupted, "interrupted", made=made[0], pdf_unfinished=True) from None
    _write_manifest(result, out, rows_source)
    return result


def _documents_of(
    made: list[int], template: Template,
    items: Table | TableStream | Sequence[Row] | Iterable[tuple[str, dict[str, Any]]],
    out: Path, checked: Spool, reserved: Spool, plan: Spool, *, register: Register, pdf: bool,
    merge_pdf: str | os.PathLike[str] | None, jobs: int, skip_invalid: bool, progress: Progress | None,
    rows_source: str | None, pool: Any,
) -> tuple[Spool, BatchResult]:
    """``_generate_into``'s steps up to the commit: rows checked into ``checked``, serials
    reserved into ``reserved``, names given in ``plan``, documents rendered, staged and
    committed. Returns the documents' spool and the result (documents and counts set)."""
    problems, seen, stopped = _check_items(template, items, pool,
                                           keep=lambda row, key, context: checked.append((row, key, context)),
                                           stop_after=None if skip_invalid else MAX_BAD_ROWS)
    if stopped is not None and stopped.key is not None:
        raise MESSAGES.error(RowsError, "items-rejected/stopped", problems, template=template.name,
                             position=stopped.at, key=stopped.key, count=MAX_BAD_ROWS)
    if stopped is not None:
        raise MESSAGES.error(RowsError, "rows-rejected/stopped", problems, template=template.name, row=stopped.at,
                             count=MAX_BAD_ROWS, source=rows_source)
    if problems and not skip_invalid:
        rows = sorted({p.row for p in problems if p.row is not None})
        raise MESSAGES.error(RowsError, "rows-rejected/error", problems, template=template.name, rows=rows,
                             count=len(problems), source=rows_source)
    result = BatchResult(template.name, out, invalid=problems if skip_invalid else [])
    out.mkdir(parents=True, exist_ok=True)

    inputs = [rows_source, template.path, template.meta_path]
    for output in (merge_pdf, out / "manifest.csv", out / "manifest.json"):
        if output is not None:
            refuse_overwriting_inputs(output, inputs)
    if len(checked):
        _preflight(template, checked[0], out, pdf or merge_pdf is not None)
    # One write transaction for the whole batch: fast, and the batch's serials are contiguous.
    # Each row's context is read once: the reservation hands back its serial while the
    # context is at hand (the register reads rows a chunk ahead and hands reservations back
    # in their order: first in, first out), and the file name made from both is kept with it.
    waiting: deque[tuple[int | None, dict[str, Any]]] = deque()

    def rows_to_reserve() -> Iterator[tuple[str, Callable[[int], str]]]:
        for row, key, context in checked.read():
            waiting.append((row, context))
            yield key, (lambda seq, ctx=context: template.format_serial(seq, ctx))

    def reserved_one(r: Reservation) -> None:
        row, context = waiting.popleft()
        base = None if r.busy else template.output_name({**context, "serial": r.serial})
        reserved.append((r.record.row_key, r.serial, r.seq, r.busy, r.record.is_complete, r.record.file,
                         r.record.sha256, base, row))

    register.reserve_many(template.name, rows_to_reserve(), owner=owner_id(), sink=reserved_one)
    # Rows another batch is writing right now (same rows run twice at once) are left to it.
    statuses = bytearray(len(reserved))
    not_fresh: set[str] = set()
    taken: set[str] = set()
    folder = out.resolve()
    for index, (key, _, _, busy, complete, file, _, _, _) in enumerate(reserved.read()):
        if busy:
            statuses[index] = _BUSY
            result.in_progress.append(key)
            not_fresh.add(key)
        elif complete and file and Path(file).is_file():
            statuses[index] = _SKIPPED
            not_fresh.add(key)
            if Path(file).parent.resolve() == folder:
                taken.add(Path(file).name.lower())
        elif complete:
            statuses[index] = _RESTORED
    taken |= _names_not_ours(out, register, lambda t, k: t == template.name and k in seen and k not in not_fresh,
                             inputs)
    # Names in input order (a clash gets ' (2)' in the order of the rows), then the work in
    # serial order, which is the manifest's.
    seqs = array("q")
    total = 0
    for index, (key, serial, seq, _, _, file, digest, base, row) in enumerate(reserved.read()):
        status = statuses[index]
        if status == _BUSY:
            continue
        if status == _SKIPPED:
            plan.append((index, row, key, serial, seq, status, file, digest))
        else:
            plan.append((index, row, key, serial, seq, status, _unique_name(base, taken), None))
            total += 1
        seqs.append(seq)
    del taken, statuses, not_fresh
    reserved.close()
    order = sorted(range(len(plan)), key=seqs.__getitem__)
    del seqs
    docs = _render_all(made, template, out, checked, plan, order, total, register=register, jobs=jobs,
                       progress=progress, pool=pool, pdf=pdf, merge_pdf=merge_pdf)
    result.documents = _Documents(docs)
    result.counts = (total, len(docs) - total)
    return docs, result


def _render_all(made: list[int], template: Template, out: Path, checked: Spool, plan: Spool, order: list[int],
                total: int, *, register: Register, jobs: int, progress: Progress | None, pool: Any,
                pdf: bool, merge_pdf: str | os.PathLike[str] | None) -> Spool:
    """Render and stage the documents of ``plan`` in ``order`` (serial order), a block at a
    time, then commit them and record them in the register. Returns the spool of the
    batch's documents (``_document`` records) in serial order. Raises ``Interrupted`` on
    Ctrl-C after committing what was rendered; ``made[0]`` counts the documents committed."""
    docs = Spool()
    journal = Spool()  # (key, name, sha256) of every staged file, in the order staged
    renamed, recorded = [0], [0]
    token = mark()  # this run's temporary-file mark
    remove_stale(out)  # staged files of a batch that was killed
    want_pdf = pdf or merge_pdf is not None
    prefix = _prefix(out)

    def flush() -> bool:
        # Files first, register second: a recorded document always exists in full. Ctrl-C
        # during this commit waits for its end (one sync, the renames, one transaction), so
        # the files under their names and the register never part; returns whether it came.
        with _interrupt_deferred() as received:
            _commit(journal, renamed, out, token)
            if renamed[0] > recorded[0]:
                register.complete_many(template.name, ((key, out / name, digest) for key, name, digest
                                                       in journal.read(range(recorded[0], renamed[0]))))
                recorded[0] = renamed[0]
            made[0] = recorded[0]
        return bool(received)

    def staged(fresh: list[tuple[int, tuple[Any, ...]]], digests: dict[int, str]) -> None:
        for position, entry in fresh:
            if position in digests:
                journal.append((entry[2], entry[6], digests[position]))
        made[0] = len(journal)

    if progress is not None:
        progress("render", 0, total)
    writer = _Writer() if pool is None or total <= 1 else None
    count = 0
    interrupted = clean = False
    try:
        for start in range(0, len(order), _BLOCK):
            entries = list(plan.read(order[start:start + _BLOCK]))
            fresh = [(position, entry) for position, entry in enumerate(entries) if entry[5] != _SKIPPED]
            digests: dict[int, str] = {}
            error: BaseException | None = None
            try:
                if writer is None:
                    payload = [(position, {**checked[entry[0]][2], "serial": entry[3]}, entry[1], str(out / entry[6]),
                                token) for position, entry in fresh]
                    chunk = max(1, min(50, len(payload) // (jobs * 4) or 1))
                    for position, digest, _ in pool.imap_unordered(_worker_task, payload, chunk):
                        digests[position] = digest
                        count += 1
                        if progress is not None:
                            progress("render", count, total)
                else:
                    for position, entry in fresh:
                        context = {**checked[entry[0]][2], "serial": entry[3]}
                        writer.submit(position, prefix + part_name(entry[6], token),
                                      template.render(context, row=entry[1]))
                        count += 1
                        if progress is not None:
                            progress("render", count, total)
            finally:
                # Whatever was written is staged and committed below, even when the block failed.
                if writer is not None:
                    done, error = writer.wait()
                    digests.update(done)
                staged(fresh, digests)
            if error is not None:
                raise error
            for position, entry in enumerate(entries):
                docs.append(_doc_record(entry, digests.get(position), prefix, want_pdf, pdf))
            sweep_young()
        clean = True
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if writer is not None:
            writer.close()
        # Whatever was rendered is committed and recorded, even when the batch is interrupted;
        # a commit that fails leaves no stray temporary files.
        try:
            interrupted = flush() or interrupted
        finally:
            if not clean or renamed[0] < len(journal):
                remove_parts(out, token)
            journal.close()
    if interrupted:
        docs.close()
        raise CORE_MESSAGES.error(Interrupted, "interrupted", made=made[0]) from None
    return docs


def _doc_record(entry: tuple[Any, ...], digest: str | None, prefix: str, want_pdf: bool,
                per_letter: bool) -> tuple[Any, ...]:
    """The spool record of one document (see ``_document``), with the PDF it will have and
    whether that PDF is to be made: a skipped document keeps a PDF newer than its .docx.
    ``prefix`` is the output folder's (``_prefix``)."""
    _, row, key, serial, seq, status, name, old_digest = entry
    file = name if status == _SKIPPED else prefix + name
    sha = old_digest if status == _SKIPPED else digest
    pdf, convert = None, False
    if want_pdf:
        target = Path(file).with_suffix(".pdf")
        if (status == _SKIPPED and target.is_file()
                and target.stat().st_mtime >= Path(file).stat().st_mtime):
            pdf = str(target)
        elif per_letter:
            pdf, convert = str(target), True
    return (row, key, serial, seq, file, sha, _STATUS[status], pdf, convert)


def _make_pdfs(result: BatchResult, docs: Spool, merge_pdf: str | os.PathLike[str] | None,
               progress: Progress | None, jobs: int = 1, per_letter: bool = True) -> None:
    """Make the batch's PDFs with one LibreOffice conversion per chunk of letters
    (``docgen.documents.printrun``): each document's own PDF when ``per_letter`` (skipped
    documents only when theirs is missing or older than the .docx), and the print file
    ``merge_pdf`` of every document in serial order, with ``jobs`` LibreOffice instances."""
    from docgen.documents.printrun import print_run

    files: list[Path] = []
    targets: list[Path | None] = []
    # The print file needs every letter converted; without it only the missing PDFs.
    for record in docs.read():
        file, pdf, convert = record[4], record[7], record[8]
        if merge_pdf is not None or convert:
            files.append(Path(file))
            targets.append(Path(pdf) if convert else None)
    if progress is not None:
        progress("pdf", 0, len(files))
    if not files:
        return
    merged = Path(merge_pdf) if merge_pdf is not None else None
    print_run(files, pdf_targets=targets, merged=merged, jobs=jobs,
              progress=(lambda count: progress("pdf", count, len(files))) if progress is not None else None)
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


def _named_defaults(template: Template, defaults: dict[str, Any] | None) -> dict[str, Any]:
    """``defaults`` keyed by field name: one given under a header the sheet may use for the field
    (``--set 发函日期=2026-11-28``, as the column is titled) is the field's (``letter_date``); any
    other key is kept as given, for ``_table_options`` to refuse."""
    lookup = alias_map({name: template.aliases.get(name, []) for name in template.schema})
    return {name if name in template.schema else lookup.get(normalize_header(name), name): value
            for name, value in (defaults or {}).items()}


def _table_options(template: Template, defaults: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    """The header aliases and required columns of ``template``'s rows, given ``defaults``.
    Raises ``InputError`` for a default the template has no field for."""
    unknown = [name for name in defaults if name not in template.schema or name == "serial"]
    if unknown:
        raise MESSAGES.error(InputError, "batch-unknown-defaults", template=template.name, unknown=unknown,
                             fields=[n for n in template.schema if n != "serial"])
    required = [name for name, rule in template.schema.items()
                if isinstance(rule, dict) and rule.get("required") and name != "serial" and name not in defaults]
    aliases = {name: template.aliases.get(name, []) for name in template.schema}
    for name, keys in template.entry_fields.items():
        # A list of entries (a resolution's shareholders) comes as one column per entry field,
        # each cell holding the entries' values in order: 股东名称 “甲公司、李四”.
        aliases.update({f"{name}.{key}": template.aliases.get(f"{name}.{key}", []) for key in keys})
        if name in required:
            rule = template.schema[name]["schema"]["schema"]
            at = required.index(name)
            required[at:at + 1] = [f"{name}.{key}" for key in keys if rule[key].get("required")]
    return aliases, required


_ENTRY_SEPARATORS = re.compile("[、;\uff1b\n]")


def _gather_entries(template: Template, data: dict[str, Any], row: Row) -> tuple[dict[str, Any], dict[str, str],
                                                                                  list[Problem]]:
    """Turn a row's entry columns (``shareholders.name`` …) into its list of entries; return the
    data, the columns (the list field named by its first entry column) and the problems (columns
    holding different numbers of entries)."""
    if not template.entry_fields:
        return data, row.columns, []
    columns = dict(row.columns)
    problems: list[Problem] = []
    for name, keys in template.entry_fields.items():
        labels = [row.columns[f"{name}.{key}"] for key in keys if f"{name}.{key}" in row.columns]
        if labels:  # a problem of the list (none given, an entry's field wrong) names its first column
            columns.setdefault(name, labels[0])
        given = {key: data.pop(f"{name}.{key}") for key in keys if f"{name}.{key}" in data}
        if not given:
            continue
        values = {key: [p.strip() for p in _ENTRY_SEPARATORS.split(v) if p.strip()] if isinstance(v, str) else [v]
                  for key, v in given.items()}
        counts = {len(v) for v in values.values()}
        if len(counts) > 1:
            problems.append(MESSAGES.problem(
                "entries-uneven", name, row=row.number, column=columns[name],
                counts=[(row.columns.get(f"{name}.{key}", key), len(v)) for key, v in values.items()]))
            continue
        data[name] = [dict(zip(values, entry)) for entry in zip(*values.values())]
    return data, columns, problems


def _fill_defaults(rows: Iterable[Row], defaults: dict[str, Any]) -> None:
    for row in rows:
        for name, value in defaults.items():
            if row.values.get(name) is None:
                row.values[name] = value


def _empty_sheet(rows_path: str | os.PathLike[str]) -> InputError:
    # An empty batch is a wrong file or sheet, not a success with an empty manifest.
    return MESSAGES.error(InputError, "batch-no-rows", path=str(rows_path))


def read_rows(template: Template, rows_path: str | os.PathLike[str], *, sheet: str | None = None,
              defaults: dict[str, Any] | None = None) -> Table:
    """Read ``rows_path`` with the template's header aliases; return the ``Table``.

    ``defaults`` (field -> value, e.g. the letter date of the whole batch; a field may be named by
    one of its headers, 发函日期) fill fields the sheet lacks or leaves empty; their columns are
    then not required. Raises ``InputError``
    (unreadable rows, a default for a field the template does not have, a sheet with only a
    header).
    """
    defaults = _named_defaults(template, defaults)
    aliases, required = _table_options(template, defaults)
    table = read_table(rows_path, aliases, required=required, text_fields=text_fields(template), sheet=sheet)
    _refuse_other_units(rows_path, table.other_titles, table.unknown_headers, aliases, sheet)
    if not table.rows and not table.problems:
        raise _empty_sheet(rows_path)
    _fill_defaults(table.rows, defaults)
    return table


class _RowStream(TableStream):
    """``stream_table``'s blocks with the batch's defaults filled in; ``InputError`` when the
    sheet has no data row."""

    def __init__(self, stream: TableStream, defaults: dict[str, Any], rows_path: str | os.PathLike[str]) -> None:
        self.__dict__.update(stream.__dict__)
        self._defaults = defaults
        self._rows_path = rows_path

    def blocks(self) -> Iterator[Table]:
        empty = True
        for table in super().blocks():
            empty = empty and not table.rows and not table.problems
            _fill_defaults(table.rows, self._defaults)
            yield table
        if empty:
            raise _empty_sheet(self._rows_path)


def stream_rows(template: Template, rows_path: str | os.PathLike[str], *, sheet: str | None = None,
                defaults: dict[str, Any] | None = None) -> TableStream:
    """``read_rows`` a block of rows at a time (what ``run_batch`` reads with): the header is
    read and checked now, the rows as ``generate`` takes them. Raises what ``read_rows``
    raises (a sheet without data rows when its blocks are read)."""
    defaults = _named_defaults(template, defaults)
    aliases, required = _table_options(template, defaults)
    stream = stream_table(rows_path, aliases, required=required, text_fields=text_fields(template), sheet=sheet,
                          block=_BLOCK)
    _refuse_other_units(rows_path, stream.other_titles, stream.unknown_headers, aliases, sheet)
    return _RowStream(stream, defaults, rows_path)


def _refuse_other_units(rows_path: str | os.PathLike[str], titles: Iterable[tuple[str, str]],
                        unread: Sequence[str], aliases: dict[str, list[str]], sheet: str | None) -> None:
    """Raise ``InputError`` (``batch-amount-unit``) when one of ``titles`` (the sheet's title or unit row
    above its header, a header cell no field is read from: ``unread``) states amounts in another unit
    than the yuan (``other_unit``, a header only for a field of ``aliases`` it names): a letter would
    demand 万元 as yuan. The error names the cell's sheet (``sheet``, or the one read by default)."""
    lookup = alias_map(aliases)
    found = other_unit(titles, unread, lambda text: normalize_header(text) in lookup)
    if found is not None:
        cell, text, unit = found
        raise MESSAGES.error(InputError, "batch-amount-unit", path=str(rows_path), cell=cell, text=text, unit=unit,
                             **where_read(rows_path, sheet))


def check_rows(table: Table, template: Template) -> tuple[list[Problem], int | None]:
    """Check ``table``'s rows (reading, schema, rules, duplicate keys) as ``generate`` would,
    without writing anything or touching the register.

    Returns ``(problems, stopped)``: every problem and None; or, when more than ``MAX_BAD_ROWS``
    rows are bad, the problems of the first ``MAX_BAD_ROWS`` of them and the row where checking
    stopped (what ``generate``'s ``rows-rejected/stopped`` error names)."""
    problems, _, stopped = _check_items(template, table, stop_after=MAX_BAD_ROWS)
    return problems, None if stopped is None else stopped.at


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
    rows = stream_rows(template, rows_path, sheet=sheet, defaults=defaults)
    return generate(template, rows, out_dir, register=register, rows_source=str(rows_path), **options)
