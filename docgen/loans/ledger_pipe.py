"""A large ledger read by two processes: a forked child reads the workbook into column blocks, this
process validates them as they come.

Reading a 100,000-loan ledger cold is two halves of about equal cost: the reader's (the workbook
opened, its rows decoded, turned into column blocks: ``docgen.core.tabular``) and the validation's
(each block converted into ``Loan``s, accepted, written to the cache, and the caller's work on the
loans). On two cores the halves overlap: ``PipedReader`` starts a child process (``fork``:
``docgen.core.procs.process_context``) that opens the ledger and sends its header and then each
``Block`` over a pipe, while this process works on the block before. The child runs at most one
block ahead (it sends a block only once the one before was taken), so memory holds about three
blocks whatever the ledger's length. The blocks are exactly the reader's: it runs unchanged in the
child, error cells and East-Asian date formats included.

The child's project errors (an unreadable file, a missing column, a sheet that cannot be read
further) are sent as they are, pickled (their code, facts and problems with them), and raised here
where the reader would have raised them. When the child dies otherwise (killed, out of memory) the
file is read here from the start, the blocks already given skipped: the same blocks come. When
this process stops early (too many bad rows, an error, Ctrl-C, a consumer that stops iterating)
the child is killed, not waited for.

Used only where forking is cheap and sound: a platform with ``fork`` (``spawn`` would import docgen
again in the child, more than the overlap saves), a second CPU, a file of at least
``docgen.core.procs.PARALLEL_MIN_BYTES``, and a caller reading no other ledger in parallel (the
NPL report's opening ledger, read in a worker process while this one reads the closing ledger:
two busy processes on two cores, not four). In the service the ledger commands run in worker
processes of their own (spawned, or Celery's prefork children), which fork this reader as they
fork the opening ledger's worker; a process that may not have children (a daemonic one) or that
cannot start one reads the ledger itself. A job's process has its lease's thread beside the one
reading (``docgen.service.jobs.Lease``, renewing in the job store's SQLite or PostgreSQL): what
another thread holds at the fork (a database connection, a lock) stays held in the child, which
touches none of it. The child reads the file and writes its pipe; its collector is off before it
opens the file, so ``collector_paused`` takes no lock in it (the one lock of docgen's it would meet).
"""
from __future__ import annotations

import datetime as _dt
import gc
import multiprocessing
import pickle
import signal
import struct
import weakref
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from docgen.core.errors import DocgenError
from docgen.core.procs import process_context, shares_memory, worth_a_process
from docgen.core.tabular import EXACT_TYPES, Block

__all__ = ["PipedReader", "worth_piping"]

# A column holding only cells of EXACT_TYPES, or of those and whole numbers without booleans, may have
# its equal cells made one object before it is sent.
_WHOLE_TYPES = EXACT_TYPES | {int}
_TEXT = {str}
# Cells pickle writes by value (equal cells need not be one object): numbers, None and the empty text.
_NUMBERS = frozenset({int, float, bool})
_BY_VALUE_TYPES = _NUMBERS | {type(None), str}
# Joins the cells of a text column (a cell holding it is sent as it is: see _pack).
_SEPARATOR = Block.SEPARATOR
# A column made one object per value with at least this many distinct dates has them sent as day numbers
# (``_dated``): below it, the arrays cost more than pickling the few dates.
_DATED_MIN = 16
_DATE = _dt.date
_TWO_BYTES = struct.Struct("=H").pack  # a code past 256, in the order memoryview.cast("H") reads it


def worth_piping(path: str | Path) -> bool:
    """Return True when the ledger at ``path`` should be read by ``PipedReader``: large enough,
    a second CPU, ``fork``, and a process allowed to have children."""
    return (worth_a_process(path) and shares_memory(process_context())
            and not multiprocessing.current_process().daemon)


def _pack(block: Block) -> bytes:
    """Return ``block`` pickled for the pipe.

    Pickling writes an object met before as a reference, so a column whose cells repeat (dates,
    branches, classifications: a few hundred distinct values in a block of 4,096) has its equal
    cells made one object first, and its distinct cells (which the reader already made) go with it:
    a date is then pickled once per distinct value, not once per cell (0.17 s per 100,000). Equal
    cells of such a column are equal in type too (``tabular.EXACT_TYPES``, whole numbers without booleans).
    A column of text that mostly differs (借据号, names, ID numbers) goes as one string, its cells
    joined by a character none of them holds: one string to write and to split, not one per cell;
    the reader joined it already when asked to (``Block.joined``: no set of its cells made here).
    A column of one value (an optional column left empty) goes as that value once. A column of
    numbers and empty cells goes as it is, with its distinct cells: pickle writes a number by value
    whatever object holds it (and the empty text is one object), so making its equal cells one
    object first, and looking at each cell's type for a boolean hidden behind a 1, gains nothing.
    """
    count = len(block.numbers)
    raw: dict[str, Any] = {}
    joined: dict[str, str] = {}
    distinct: dict[str, set[Any]] = {}
    constant: dict[str, Any] = {}
    dated: dict[str, tuple[array[int], dict[int, Any], Any]] = {}
    for name, cells in block.raw.items():
        text = block.joined(name)
        if text is not None:
            joined[name] = text
            continue
        found = block.distinct(name)
        kinds = block.kinds(name)
        if count and len(found) * 2 <= count:
            if (kinds <= _BY_VALUE_TYPES and not _NUMBERS.isdisjoint(kinds)
                    and not any(value.__class__ is str and value for value in found)):
                distinct[name] = found
                # A boolean hides behind an equal 1 in the set, and -0.0 behind 0.0: sent once only
                # when every cell is of a type whose equal values are the same.
                if len(found) == 1 and kinds <= _WHOLE_TYPES and set(map(type, cells)) <= _WHOLE_TYPES:
                    (constant[name],) = found
                    continue
                raw[name] = cells
                continue
            if kinds <= EXACT_TYPES or (kinds <= _WHOLE_TYPES and set(map(type, cells)) <= _WHOLE_TYPES):
                distinct[name] = found
                if len(found) == 1:
                    (constant[name],) = found
                    continue
                if block.shared(name):
                    if _DATE in kinds:
                        coded = _dated(found, cells)
                        if coded is not None:
                            dated[name] = coded
                            raw[name] = None  # its place among the columns, filled in by _unpack
                            del distinct[name]  # made again from the values in the parent
                            continue
                    raw[name] = cells  # the reader made them one object as it read them
                    continue
                one = dict(zip(found, found))
                raw[name] = tuple(map(one.__getitem__, cells))
                continue
        elif kinds == _TEXT:
            text = _SEPARATOR.join(cells)
            if text.count(_SEPARATOR) == count - 1:  # no cell holds the separator
                joined[name] = text
                continue
        raw[name] = cells
    # The types of the distinct cells sent, found here already: the parent need not look at each again.
    kinds = {name: block.kinds(name) for name in (*distinct, *dated)}
    return pickle.dumps(("block", block.numbers, raw, joined, block.problems, distinct, constant, dated, kinds),
                        pickle.HIGHEST_PROTOCOL)


def _dated(found: set[Any], cells: Sequence[Any]) -> tuple[array[int], dict[int, Any], Any] | None:
    """Return a column of dates made one object per value (``cells``, whose distinct cells are
    ``found``) as its distinct cells' day numbers (``date.toordinal``), its other distinct cells by
    their place among the distinct ones, and each cell's place (a code); None when it has fewer than
    ``_DATED_MIN`` distinct dates.

    Pickling a date is a reduction (its class, a tuple, a 4-byte string): 0.8 µs a date, 2,000
    distinct dates in a block of 4,096 loans, where a day number in an array costs nothing; the
    parent makes the dates from their numbers at once and the column from the codes
    (``_undated``). The distinct cells keep their order (the set's): the parent's set is made by
    adding them in it, as unpickling the set did.
    """
    values = list(found)
    days = [value for value in values if value.__class__ is _DATE]
    if len(days) < _DATED_MIN or len(values) > 0x10000:
        return None
    others = {at: value for at, value in enumerate(values) if value.__class__ is not _DATE}
    # The cells are the very objects of ``found``: each look-up is an identity, its hash kept. A code is
    # a byte, or two (this machine's order, as the parent reads them) past 256 distinct cells: bytes
    # joined, no int converted per cell.
    if len(values) <= 0x100:
        codes = bytes(itemgetter(*cells)(dict(zip(values, range(len(values))))))
    else:
        codes = b"".join(itemgetter(*cells)(dict(zip(values, map(_TWO_BYTES, range(len(values)))))))
    return array("i", map(_DATE.toordinal, days)), others, codes


def _undated(days: array[int], others: dict[int, Any], codes: Any) -> tuple[tuple[Any, ...], set[Any]]:
    """Return the cells and the distinct cells of a column ``_dated`` sent."""
    values = list(map(_DATE.fromordinal, days))
    for at in sorted(others):  # in order of place: each goes where the others before it are already
        values.insert(at, others[at])
    return itemgetter(*(codes if len(values) <= 0x100 else memoryview(codes).cast("H")))(values), set(values)


def _unpack(message: tuple[Any, ...]) -> Block:
    """Return the ``Block`` that ``_pack`` sent as ``message`` (unpickled)."""
    _, numbers, raw, joined, problems, distinct, constant, dated, kinds = message
    for name, text in joined.items():
        raw[name] = text.split(_SEPARATOR)
    count = len(numbers)
    for name, value in constant.items():
        raw[name] = (value,) * count
    for name, coded in dated.items():
        raw[name], distinct[name] = _undated(*coded)
    # A column sent with its distinct cells and no number among them has each cell one of them
    # (made so by the reader or by _pack, and pickled once with them): ``Block.shared``.
    shared = frozenset(name for name in distinct if _NUMBERS.isdisjoint(kinds[name]))
    # Only a column of text alone is sent joined: its kinds need no look at its cells here.
    kinds.update((name, {str}) for name in joined)
    return Block(numbers, raw, problems, distinct, kinds, joined, shared)


def _send_error(connection: Any, exc: DocgenError) -> None:
    try:
        data = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - facts that do not pickle: the parent reads the file itself
        return
    connection.send_bytes(data)


def _produce(connection: Any, other_end: Any, opener: Callable[[Path, str | None], Any], file: Path,
             sheet: str | None, block_rows: int | None, ahead: int, joining: frozenset[str] = frozenset()) -> None:
    """The child: open the ledger (``opener``), send its header, then its blocks (the ``joining``
    fields' columns of text joined by the reader), each once the parent took all but ``ahead`` of
    those sent, then ``end``; a project error is sent instead. Anything else ends the child
    without a word: the parent reads the file itself."""
    other_end.close()  # the parent's end: when the parent is gone, sending fails instead of waiting
    # Blocks of new objects and no cycles, as in the parent's reading; off before anything is read, so
    # collector_paused takes no lock here (one a thread of the parent held at the fork stays held).
    gc.disable()
    try:
        try:
            # The forking thread is this process's main one, even a service's thread that is not its
            # parent's: the handler is set. ValueError only where no handler may be set (a sub-interpreter).
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops this one
        except ValueError:
            pass  # a Ctrl-C then ends this process quietly below
        try:
            stream = opener(file, sheet)
            connection.send_bytes(pickle.dumps(("head", dict(stream.columns), list(stream.unknown_headers)),
                                               pickle.HIGHEST_PROTOCOL))
            sent = 0
            for block in stream.column_blocks(block_rows, joining, shared=True):
                data = _pack(block)
                del block
                if sent >= ahead:
                    connection.recv_bytes()  # the parent took one more block
                connection.send_bytes(data)
                sent += 1
                del data
        except DocgenError as exc:
            _send_error(connection, exc)
            return
        connection.send_bytes(pickle.dumps(("end",)))
    except BaseException:  # noqa: BLE001 - the parent gone or stopping this one, or a reader's fault
        raise SystemExit(1) from None
    finally:
        connection.close()


def _stop(process: Any, connection: Any) -> None:
    """Close this end of the pipe and kill the child (when still running), reaping it."""
    connection.close()
    if process.exitcode is None:
        process.kill()
    process.join()


class PipedReader:
    """A ledger's column blocks read by a child process: the ``TableStream`` of the ledger as far
    as ``docgen.loans.ledger.LedgerBlocks`` uses one (``columns``, ``unknown_headers``,
    ``column_blocks``), and ``close``.

    ``start`` starts the child and waits for the header (``joining``: the fields whose columns of
    text, cells mostly different, the child sends joined: ``Block.joined``). ``column_blocks``
    yields the child's blocks (its project error raised where the reader raises it); when the
    child dies it reads the ledger here with ``opener``, skipping the blocks given. ``close``
    (called when the blocks end, stop early or fail, and when the reader is collected unused)
    kills a child still running.
    """

    #: Blocks the child may send before the parent took them (one being validated here, one sent,
    #: one being read: memory holds about three blocks).
    AHEAD = 1

    def __init__(self, opener: Callable[[Path, str | None], Any], file: Path, sheet: str | None,
                 block_rows: int | None) -> None:
        self._opener, self._file, self._sheet, self._block_rows = opener, file, sheet, block_rows
        self.columns: dict[str, str] = {}
        self.unknown_headers: list[str] = []
        self._process: Any = None
        self._connection: Any = None
        self._local: Any = None  # the ledger's TableStream read here, once the child died
        self._given = 0  # blocks received from the child
        self._closer: Any = None

    @classmethod
    def start(cls, opener: Callable[[Path, str | None], Any], file: Path, sheet: str | None,
              block_rows: int | None, joining: frozenset[str] = frozenset()) -> PipedReader | None:
        """Start the child reading ``file`` and return the reader once its header is read.

        Returns None when no child could be started (the caller reads the file itself). Raises the
        ``InputError`` the header gives (``opener``'s: the file cannot be opened, or lacks a
        required column), from the child or, when the child died first, from reading it here.
        """
        ctx = process_context()
        here, there = ctx.Pipe(duplex=True)
        reader = cls(opener, file, sheet, block_rows)
        process = ctx.Process(target=_produce, args=(there, here, opener, file, sheet, block_rows, cls.AHEAD, joining),
                              name="docgen-ledger-reader", daemon=True)
        try:
            process.start()
        except Exception:  # noqa: BLE001 - no child (a daemonic process, no memory left for one)
            here.close()
            there.close()
            return None
        there.close()
        reader._process, reader._connection = process, here
        reader._closer = weakref.finalize(reader, _stop, process, here)
        try:
            head = reader._receive()
            if head is None:
                reader._read_here()
                stream = reader._local
                reader.columns, reader.unknown_headers = stream.columns, stream.unknown_headers
            elif head[0] == "error":
                raise head[1] from None
            else:
                _, reader.columns, reader.unknown_headers = head
        except BaseException:
            reader.close()
            raise
        return reader

    def _receive(self) -> tuple[Any, ...] | None:
        """Return the child's next message; None when the child is gone before sending it whole."""
        try:
            return pickle.loads(self._connection.recv_bytes())
        except Exception:  # noqa: BLE001 - end of file, a message cut short: the child died
            return None

    def _read_here(self) -> None:
        """Stop the child and open the ledger here (``opener``'s errors raised as they come)."""
        self.close()
        self._local = self._opener(self._file, self._sheet)

    def column_blocks(self, size: int | None = None) -> Iterator[Block]:
        """Yield the ledger's blocks (``TableStream.column_blocks`` of ``start``'s ``block_rows``;
        ``size`` is that, as ``LedgerBlocks`` passes it). Once only; raises the reader's
        ``InputError`` when the rest of the file cannot be read."""
        try:
            while self._local is None:
                message = self._receive()
                if message is None:
                    self._read_here()
                    break
                if message[0] == "end":
                    return
                if message[0] == "error":
                    raise message[1] from None
                self._given += 1
                try:
                    self._connection.send_bytes(b"")  # one more taken: the child may send the next
                except OSError:
                    pass  # the child is gone: its end of file comes next
                yield _unpack(message)
                del message
            blocks = self._local.column_blocks(size)
            for _ in islice(blocks, self._given):
                pass  # given by the child: read again only to come to the next one
            yield from blocks
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child (killed when still running, not waited for) and close the pipe. Idempotent."""
        if self._closer is not None:
            self._closer()
