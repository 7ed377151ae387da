"""The parsed ledger kept in the user's cache, so that a ledger read again is decoded, not parsed.

A ledger is read again and again: ``collect plan`` then ``collect letters`` on the same file, the
service checking an upload before it queues the job that reads it, last period's closing ledger
read as this period's opening one. Parsing and validating 100,000 loans costs seconds; decoding
what the first read gave costs a fraction of that.

An entry is a record file of the cache (``docgen.core.cache.RecordWriter``, ``read_records``),
written a block at a time while the ledger is parsed and read a block at a time, so memory holds
one block either way: a head (the unknown headers and the day of the parse), one record per block
of loans the parse yielded, and an end record (the loans counted and every problem). Its name is a
key of everything the result depends on (``find``): the file's bytes (SHA-256) and suffix, the
sheet, the vocabulary, the block size, the reading and validating code, the libraries it uses and
Python (its Unicode tables make full-width text half-width). One thing more moves with the day:
an ID number whose birth date is after today is refused. A ledger read without a problem refused
none, and what it accepted stays accepted on every later day, so its entry serves from the day it
was written on; a ledger with problems serves that day only, so its entry's name holds that day
too (``_dated``): another day's is not even opened (its blocks would be given before its end
record said it is not today's, and today's parse may accept more loans). Each record is a
``marshal`` of plain values only (text, numbers, tuples), a list per field: dates as ordinals,
amounts as their text, or as the numbers they were read from when every cell of the block's
column was a number or empty (each amount is then made from its number when decoded), and the
texts that differ from loan to loan (借据号, names, ID numbers) joined into one string; marshal
writes a value shared by several loans once (a branch, a date, an amount), so it is shared again
when decoded. Entries are read only from a folder of the user's
own (``private_folder``), and only files of the user's that nobody else can write. A damaged
entry is a miss: the ledger is parsed instead, from the block where decoding stopped on
(``docgen.loans.ledger.LedgerBlocks``). Only the last few entries are kept (``KEEP``): each can
be tens of MB.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import marshal
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, is_
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.core.cache import (
    DamagedEntry, RecordWriter, Unencodable, cache_dir, cache_key, code_digest, decode_value, encode_value, library_marks,
    read_records,
)
from docgen.core.problems import Problem
from docgen.core.regularfile import open_regular

if TYPE_CHECKING:
    from docgen.loans.ledger import Loan
    from docgen.loans.vocabulary import Vocabulary

__all__ = ["KEEP", "CachedBlock", "CachedLedger", "EntryWriter", "Lookup", "find"]

#: Ledger entries kept: the ledgers of a period's work (this period's, last period's, a corrected
#: one); each is about 0.3 KB a loan.
KEEP = 4
_KIND = "ledger"
_FORMAT = "docgen-ledger 3"
# What a parsed ledger depends on besides the file and the caller's choices.
_CODE = ("docgen.loans.ledger", "docgen.loans.ledger_cache", "docgen.loans.ledger_pipe", "docgen.loans.vocabulary", "docgen.loans.messages",
         "docgen.core.tabular", "docgen.core.xlsxstream", "docgen.core.xlsxbounds", "docgen.core.validation", "docgen.core.validator",
         "docgen.core.values", "docgen.core.idnumbers", "docgen.core.cells", "docgen.core.problems", "docgen.core.parties",
         "docgen.core.messages", "docgen.core.wording", "docgen.core.textcodec", "docgen.core.sniff",
         "docgen.core.cache")
_LIBRARIES = ("python_calamine_plus", "python_calamine", "stdnum", "cerberus", "charset_normalizer")

# How each field of a Loan is encoded, by its annotation.
_TEXT, _DATE, _AMOUNT, _FLAG, _NUMBER, _PARTIES = "s", "t", "d", "b", "i", "u"
# An amount column written as its cells (numbers, the empty text): ``_of_numbers``.
_NUMBERS = "n"
# A text column written as its values joined by _SEPARATOR (no value holds it): ``_encode_joined``.
# The reader's own (``docgen.core.tabular.Block.SEPARATOR``): the text it joined is written as it is
# (not imported: a warm read does not load the reader).
_JOINED, _SEPARATOR = "j", "\x00"
_NUMBER_CELLS = frozenset({int, float})
_DATES = {_dt.date}
_NUMBER_OR_EMPTY = _NUMBER_CELLS | {str}
_BY_ANNOTATION = {"str": _TEXT, "_dt.date": _DATE, "_dt.date | None": _DATE, "Decimal": _AMOUNT,
                  "Decimal | None": _AMOUNT, "bool": _FLAG, "int": _NUMBER, "tuple[str, ...]": _PARTIES}


# Fields whose values mostly differ from loan to loan: written without marshal's references
# (which cost a lookup and an entry per object written: four times the time for such a column).
# Not the guarantors' addresses: like the borrowers', they repeat (a few hundred villages), and
# written once each with references they take a fifth of the time to write and to read.
_DISTINCT = frozenset({"loan_no", "contract_no", "borrower", "id_number", "guarantors", "guarantor_ids", "row"})


def _loan_fields() -> tuple[type[Loan], tuple[str, ...], tuple[tuple[str, int], ...]]:
    """Return ``Loan``, its field names and each field's encoding (kind, marshal version)."""
    from docgen.loans.ledger import Loan

    found = fields(Loan)
    # A field of another type has no encoding yet: KeyError here, at the first read, in every test.
    return Loan, tuple(f.name for f in found), tuple((_BY_ANNOTATION[str(f.type)], 2 if f.name in _DISTINCT else 4)
                                                     for f in found)


@dataclass
class Lookup:
    """What ``find`` found: the entry's ``key`` (None when nothing is cached: caching off, the file
    unreadable), the file's state when its bytes were hashed, and the entry when there is one."""

    path: Path
    key: str | None
    state: tuple[int, ...] = ()
    hit: CachedLedger | None = None

    def writer(self, unknown_headers: Sequence[str]) -> EntryWriter | None:
        """Return a writer of this ledger's entry (None when nothing is cached)."""
        if self.key is None:
            return None
        writer = EntryWriter(self, unknown_headers)
        return writer if writer.records.active else None


def _today() -> int:
    """Return today's date as an ordinal (the day an entry is written on: its head and end record hold it)."""
    return _dt.date.today().toordinal()


def _dated(key: str, day: int) -> str:
    """Return the name of the entry of ``key`` for a ledger with problems read on ``day``."""
    return f"{key}-{day}"


def _state(info: os.stat_result) -> tuple[int, ...]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def find(path: Path, *, sheet: str | None, vocabulary: Vocabulary, block_rows: int | None) -> Lookup:
    """Return the ``Lookup`` of the ledger at ``path`` read with these choices. Never raises: a
    file that cannot be read is left to the parser, which says why."""
    if cache_dir() is None:
        return Lookup(path, None)
    digest = hashlib.sha256()
    try:
        with open_regular(path) as stream:
            state = _state(os.fstat(stream.fileno()))
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except (OSError, ValueError):
        return Lookup(path, None)
    words = "\n".join(f"{name}={sorted(lookup.items())!r}" for name, lookup in sorted(vocabulary.lookup.items()))
    key = cache_key(_FORMAT, digest.digest(), path.suffix.lower(), repr(sheet), words, repr(block_rows),
                    code_digest(*_CODE), library_marks(*_LIBRARIES), sys.version)
    lookup = Lookup(path, key, state)
    records = read_records(_KIND, key)
    today = _today()
    if records is None:
        records = read_records(_KIND, _dated(key, today))
    if records is not None:
        try:
            head = marshal.loads(next(records))
            # An entry written on a later day (the clock was put back) is a miss before any block is given.
            if head[0] == _FORMAT and head[2] <= today and all(text.__class__ is str for text in head[1]):
                lookup.hit = CachedLedger(records, list(head[1]))
        except Exception:  # noqa: BLE001 -- whatever a damaged entry raises, it is a miss
            pass
    return lookup


# ----------------------------------------------------------------------------------------- writing

def _encode_column(kind: str, column: list[Any]) -> tuple[Any, ...]:
    """Return ``column`` (one field of a block's loans) as values ``marshal`` writes; raises
    ``Unencodable`` for a date or amount column holding something else.

    Text, flags, numbers and guarantor tuples are the column itself: marshal writes each type as
    itself (anything else is refused: ``ValueError``) and a value shared by several loans once,
    then a reference to it, so they come back shared. A date is its ordinal and an amount its text,
    each made once per distinct value and shared the same way; a column of one value (an optional
    column left empty) is that value once.
    """
    if kind not in (_DATE, _AMOUNT):
        return ("m", column)
    first = column[0] if column else None
    if len(column) > 1 and (column.count(None) == len(column) if first is None
                            else all(map(is_, column, repeat(first)))):
        return (kind, _encode_column(kind, [first])[1], len(column))
    distinct = set(column)
    count = len(distinct)
    distinct.discard(None)
    if kind == _DATE:
        if not all(value.__class__ is _dt.date for value in distinct):
            raise Unencodable(kind)
        ordinals = {value: value.toordinal() for value in distinct}
        return (kind, list(map(ordinals.get, column)))
    if not all(value.__class__ is Decimal for value in distinct):
        raise Unencodable(kind)
    # Decimal("1.0") == Decimal("1.00"), and each must come back as written: when some equal amounts
    # are distinct objects (cells typed differently), each object is written as itself.
    if len(set(map(id, column))) == count:
        texts = {value: str(value) for value in distinct}
        return (kind, list(map(texts.get, column)))
    objects = dict(zip(map(id, column), column))
    texts = {key: str(value) for key, value in objects.items() if value is not None}
    return (kind, list(map(texts.get, map(id, column))))


def _encode_converted(kind: str, cells: Sequence[Any], table: dict[Any, Any]) -> tuple[Any, ...]:
    """Return what ``_encode_column(kind, column)`` returns for the column whose value in each row
    is ``table[cell]`` of its cell in ``cells`` (a reader's cells and the values they were converted
    to, one object per distinct cell: ``docgen.core.tabular.Block.convert``): each distinct value
    encoded once, then one look-up per row by its cell, without the values hashed again (a
    ``Decimal``'s hash is not kept) nor an ``id`` made per row. Raises ``Unencodable`` as
    ``_encode_column`` does."""
    values = list(table.values())
    first = values[0]
    if len(cells) > 1 and all(map(is_, values, repeat(first))):
        return (kind, _encode_column(kind, [first])[1], len(cells))
    if kind == _DATE:
        if all(map(is_, values, table)) and set(map(type, values)) == _DATES:
            # Every cell is a date and its own value: its ordinal straight from it (a call per cell
            # at C speed costs less than a table made of the distinct cells and a look-up per cell).
            return (kind, list(map(_dt.date.toordinal, cells)))
        # Each distinct cell's date as its ordinal at once; a cell of no date (None) stays None.
        codes = {cell: value.toordinal() for cell, value in table.items() if value.__class__ is _dt.date}
        if len(codes) + values.count(None) != len(values):
            raise Unencodable(kind)
        return (kind, list(map(codes.get, cells)))
    elif kind == _AMOUNT:
        empty = _of_numbers(table)
        if empty is not None:
            return (_NUMBERS, list(cells), empty[0])
        # As _encode_column: each object its own text (Decimal("1.0") == Decimal("1.00") reads otherwise).
        objects = {id(value): value for value in values if value is not None}
        if not all(value.__class__ is Decimal for value in objects.values()):
            raise Unencodable(kind)
        texts = {key: str(value) for key, value in objects.items()}
        codes = {cell: None if value is None else texts[id(value)] for cell, value in table.items()}
    else:
        raise Unencodable(kind)
    return (kind, list(map(codes.__getitem__, cells)))


def amount_of_number(number: int | float) -> Decimal:
    """Return the amount a ledger's cell holding ``number`` converts to (``docgen.loans.ledger``'s
    ``_opt_amount`` of the cleaned cell): a whole number (an int, or a float without fraction, as
    the reader cleans it) exactly, a fraction by its shortest text (``repr``: what was typed)."""
    if number.__class__ is float:
        return Decimal(int(number)) if number.is_integer() else Decimal(repr(number))
    return Decimal(number)


def _of_numbers(table: dict[Any, Any]) -> tuple[str | None] | None:
    """Return ``(text,)``, the text of the amount of an empty cell (None when that is None or no
    cell is empty), when every cell of ``table`` (an amount column's distinct cells and their
    values) is a number (not a boolean) or the empty text and its value ``amount_of_number`` of
    it: the column is then written as its cells, with nothing made per value. Else None."""
    kinds = set(map(type, table))
    if not kinds <= _NUMBER_CELLS and (not kinds <= _NUMBER_OR_EMPTY or "" not in table
                                       or sum(map(isinstance, table, repeat(str))) != 1):
        return None
    empty = table.get("")
    if empty is not None and empty.__class__ is not Decimal:
        return None
    number = next((cell for cell in table if cell.__class__ is not str), None)
    if number is None:
        return None
    # What the ledger's converters give a number (amount_of_number): one value is looked at.
    value = table[number]
    if value.__class__ is not Decimal or str(value) != str(amount_of_number(number)):
        return None
    return (None if empty is None else str(empty),)


def _encode_joined(column: Sequence[str], text: str | None = None) -> tuple[Any, ...]:
    """Return a column of texts that mostly differ (借据号, names: ``_DISTINCT``) as values ``marshal``
    writes: its values joined by ``_SEPARATOR`` (``text`` when the reader joined them already), one
    string to write and to split instead of one per loan; the column itself when a value holds the
    separator or is no text."""
    if text is None:
        try:
            text = _SEPARATOR.join(column)
        except TypeError:
            return _encode_column(_TEXT, list(column))
    if not column or text.count(_SEPARATOR) != len(column) - 1:
        return _encode_column(_TEXT, list(column))
    return (_JOINED, text)


def _encoded(names: Sequence[str], kinds: Sequence[tuple[str, int]], columns: Sequence[Sequence[Any]],
             given: dict[str, tuple[Any, ...]]) -> list[bytes]:
    """Return each of a block's ``columns`` (the fields ``names``, encoded as ``kinds`` says) as
    ``marshal`` writes it: from what ``given`` holds for its field when it does (a date or amount
    field's cells and each distinct cell's value: ``_encode_converted``; a text field's values
    joined: ``_encode_joined``), else from the column. Raises ``Unencodable``, or what marshal
    raises for a value it cannot write."""
    encoded = []
    for name, (kind, version), column in zip(names, kinds, columns):
        if kind == _TEXT and name in _DISTINCT:
            value = _encode_joined(column, given[name][0] if name in given else None)
        elif name not in given:
            value = _encode_column(kind, column)
        else:
            value = _encode_converted(kind, *given[name])
        # A column of amounts written as its cells holds numbers the loans do not share (a reader
        # makes one per cell): marshal's references would cost a look-up each.
        encoded.append(marshal.dumps(value, 2 if value[0] == _NUMBERS else version))
    return encoded


def _encode_problem(problem: Problem) -> tuple[Any, ...]:
    return (problem.path, problem.message, problem.row, problem.column, problem.code,
            encode_value(dict(problem.facts)))


class EntryWriter:
    """The entry of a ledger being parsed, written a block at a time (``block``) and put in place
    by ``finish`` when the file did not change while it was read; ``discard`` throws it away."""

    def __init__(self, lookup: Lookup, unknown_headers: Sequence[str]) -> None:
        assert lookup.key is not None
        self._lookup = lookup
        self._loan, self._names, self._kinds = _loan_fields()
        self.records = RecordWriter(_KIND, lookup.key, KEEP)
        self._day = _today()  # the day the ledger is parsed on
        self._add((_FORMAT, list(unknown_headers), self._day))

    def _add(self, value: Any) -> None:
        try:
            self.records.add(marshal.dumps(value))
        except (ValueError, Unencodable, TypeError, AttributeError):
            self.records.discard()  # a value marshal cannot write: this ledger is not kept

    def block(self, loans: Sequence[Loan], columns: Sequence[Sequence[Any]] | None = None,
              converted: dict[str, tuple[Any, ...]] | None = None) -> None:
        """Add a block of loans, given as the loans or, when they were built from them, as their
        ``columns`` (one list per field, in the Loan's field order: no attribute read per loan).
        ``converted`` gives, for some of the fields, what their column is encoded from instead
        (``_encoded``): a date or amount field's cells and each distinct cell's value, a text
        field's values joined."""
        if not self.records.active:
            return
        if columns is None:
            columns = [list(map(attrgetter(name), loans)) for name in self._names]
        try:
            encoded = _encoded(self._names, self._kinds, columns, converted or {})
        except (Unencodable, TypeError, AttributeError, ValueError):
            self.records.discard()
            return
        self._add(("b", len(loans), encoded))

    def finish(self, loans: int, problems: Sequence[Problem]) -> None:
        """End the entry with the count of loans accepted and every problem (sorted as raised), and
        put it in place unless the file changed since its bytes were hashed."""
        if not self.records.active:
            return
        today = self._day
        try:
            # Read on: from that day on (no problem) or that day only.
            end = ("e", loans, [_encode_problem(problem) for problem in problems], today, bool(problems))
            unchanged = _state(os.stat(self._lookup.path)) == self._lookup.state
        except (Unencodable, OSError):
            self.records.discard()
            return
        if not unchanged:
            self.records.discard()
            return
        self._add(end)
        self.records.commit(_dated(self.records.name, today) if problems else None)

    def discard(self) -> None:
        """Throw the entry away (the reading did not end)."""
        self.records.discard()


# ----------------------------------------------------------------------------------------- reading

def _load_column(packed: bytes, rows: int) -> tuple[list[Any], dict[Any, Any] | None, int]:
    """Return one column of a block of ``rows`` loans as the entry holds it: its values as written
    (ordinals, texts, or the values themselves), the objects written values stand for (None when
    the values are the column's own) and how many times the values repeat (a column of one value
    holds it once). Each date and amount is made here, once per distinct value, so that what
    cannot be decoded is found before the block is given. Raises ``DamagedEntry``, or what a
    damaged value makes ``marshal``, ``date`` or ``Decimal`` raise."""
    data = marshal.loads(packed)
    kind, values = data[0], data[1]
    if kind == _JOINED and len(data) == 2 and values.__class__ is str:
        values = values.split(_SEPARATOR)
        kind = "m"
    if values.__class__ is not list:
        raise DamagedEntry
    made = None
    times = 1
    if kind != "m":
        if kind == _DATE:
            fromordinal = _dt.date.fromordinal
            made = {number: fromordinal(number) for number in set(values) if number is not None}
        elif kind == _AMOUNT:
            made = {text: Decimal(text) for text in set(values) if text is not None}
        elif kind == _NUMBERS and len(data) == 3:
            made = _amounts_of(values, data[2])
        else:
            raise DamagedEntry
        if len(data) == 3 and kind != _NUMBERS:  # one value for the whole column
            times = data[2]
            if times.__class__ is not int:
                raise DamagedEntry
    if len(values) * times != rows:
        raise DamagedEntry
    return values, made, times


def _amounts_of(cells: list[Any], empty: str | None) -> dict[Any, Decimal | None]:
    """Return each distinct cell of an amount column written as its cells (``_of_numbers``) and its
    amount: ``amount_of_number`` of a number, ``empty`` of the empty text. Raises ``DamagedEntry``
    for any other cell."""
    made: dict[Any, Decimal | None] = {}
    for cell in set(cells):
        cls = cell.__class__
        if cls is int or cls is float:
            made[cell] = amount_of_number(cell)
        elif cell == "":
            made[cell] = None if empty is None else Decimal(empty)
        else:
            raise DamagedEntry
    return made


def _column_values(loaded: tuple[list[Any], dict[Any, Any] | None, int]) -> list[Any]:
    values, made, times = loaded
    if made is None:
        return values
    values = list(map(made.get, values))
    if times != 1:
        values *= times
    return values


class CachedBlock:
    """A block of loans of an entry whose columns were read but whose loans are made only when
    asked for (``loans``), all of them or some: a plan of 100,000 loans needs the 8,000 overdue, found
    from a few columns (``column``). ``len()`` is its number of loans."""

    __slots__ = ("_loan", "_index", "_columns", "_values", "rows")

    def __init__(self, loan: type[Loan], names: Sequence[str],
                 columns: list[tuple[list[Any], dict[Any, Any] | None, int]], rows: int) -> None:
        self._loan = loan
        self._index = {name: i for i, name in enumerate(names)}
        self._columns = columns
        self._values: list[list[Any] | None] = [None] * len(columns)
        self.rows = rows

    def __len__(self) -> int:
        return self.rows

    def column(self, name: str) -> list[Any]:
        """Return the values of field ``name`` (a ``Loan`` field) of every loan of the block, in order;
        raises ``KeyError`` for a name that is not a field."""
        i = self._index[name]
        values = self._values[i]
        if values is None:
            values = self._values[i] = _column_values(self._columns[i])
        return values

    def loans(self, rows: Sequence[int] | None = None) -> list[Loan]:
        """Return the block's loans, or those of the positions ``rows`` (0 is the block's first
        loan) in that order, each field the object the whole block's would hold."""
        if rows is None:
            return list(map(self._loan, *map(self.column, self._index)))
        return list(map(self._loan, *(self._picked(i, rows) for i in range(len(self._columns)))))

    def _picked(self, i: int, rows: Sequence[int]) -> list[Any]:
        whole = self._values[i]
        if whole is not None:
            return list(map(whole.__getitem__, rows))
        values, made, times = self._columns[i]
        if made is None:
            return list(map(values.__getitem__, rows))
        if times != 1:
            return [made.get(values[0])] * len(rows)
        return list(map(made.get, map(values.__getitem__, rows)))


class CachedLedger:
    """A ledger's entry found in the cache: its ``unknown_headers``, then its blocks of loans
    (``blocks``), then, once they are all given, the ``loans`` counted and the ``problems``."""

    def __init__(self, records: Iterator[bytes], unknown_headers: list[str]) -> None:
        self.unknown_headers = unknown_headers
        self.loans = 0
        self.problems: list[Problem] = []
        self._records = records

    def blocks(self, lazy: bool = False) -> Iterator[list[Loan] | CachedBlock]:
        """Yield the blocks of loans as the parse gave them, each a list of loans or, when ``lazy``,
        a ``CachedBlock`` making its loans when asked; raises ``DamagedEntry`` or whatever else a
        damaged entry makes decoding raise (the caller parses instead), before the block it is in is
        given."""
        loan, names, _ = _loan_fields()
        for data in self._records:
            record = marshal.loads(data)
            if record[0] == "e":
                read_on, today = record[3], _today()
                if today < read_on or (record[4] and today != read_on):
                    raise DamagedEntry  # not today's: parsed again
                self.loans = int(record[1])
                self.problems = [Problem(path, message, row, column, code, decode_value(facts))
                                 for path, message, row, column, code, facts in record[2]]
                if next(self._records, None) is not None:
                    raise DamagedEntry
                return
            if record[0] != "b" or len(record[2]) != len(names):
                raise DamagedEntry
            rows = record[1]
            block = CachedBlock(loan, names, [_load_column(column, rows) for column in record[2]], rows)
            yield block if lazy else block.loans()
        raise DamagedEntry  # no end record: cut short between two records

