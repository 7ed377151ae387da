"""A batch's per-letter records kept on disk instead of in memory, past the first few thousand.

A batch of 200,000 letters cannot keep every checked context, reservation and manifest row
as Python objects to the end (several kilobytes each). ``Spool`` keeps the first ``keep``
records as they are and appends the rest (pickled) to an anonymous temporary file, keeping
only their offsets (8 bytes a record), so a batch holds at any time a bounded number of
records whatever its size. The usual batch (hundreds to a few thousand letters) then never
pickles a record: writing each and reading it back twice or three times cost a tenth of a
letter's CPU.
"""
from __future__ import annotations

import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["KEEP", "Spool"]

#: Records a spool keeps in memory before it starts writing to disk (a batch has five spools:
#: a checked row's context is the largest record, a few kilobytes).
KEEP = 2048


class Spool:
    """Records appended once, then read back by index or in order.

    Records must not be changed once appended: while in memory, a read gives back the
    appended object itself. The file is anonymous (removed when closed or collected), made on
    the first record past ``keep``, in the system's temporary folder. Raises ``OSError`` when
    it cannot be written (disk full).
    """

    def __init__(self, keep: int | None = None) -> None:
        self._head: list[Any] = []
        self._keep = max(0, KEEP if keep is None else keep)  # read at each spool, so tests can lower it
        self._file: Any = None
        self._offsets = array("q")
        self._end = 0
        self._reading = False  # the file position is a reader's, not the end
        self._dirty = False  # appended bytes may still be in the write buffer

    def __len__(self) -> int:
        return len(self._head) + len(self._offsets)

    def append(self, record: Any) -> int:
        """Store ``record``; return its index."""
        if len(self._head) < self._keep:
            self._head.append(record)
            return len(self._head) - 1
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="docgen-batch-")
        if self._reading:
            self._file.seek(self._end)
            self._reading = False
        data = pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
        self._offsets.append(self._end)
        self._file.write(data)
        self._end += len(data)
        self._dirty = True
        return len(self) - 1

    def __getitem__(self, index: int) -> Any:
        """Return record ``index`` (negative counts from the end); ``IndexError`` past the end."""
        index = self._position(index)
        if index < len(self._head):
            return self._head[index]
        offset = self._offsets[index - len(self._head)]
        self._for_reading()
        self._file.seek(offset)
        return pickle.load(self._file)

    def read(self, indexes: Iterable[int] | None = None) -> Iterator[Any]:
        """Yield the records at ``indexes`` (default: all, in the order appended). Nothing may
        be appended while the iterator is in use."""
        kept = len(self._head)
        if indexes is None:
            yield from self._head[:]
            if self._offsets:
                self._for_reading()
                self._file.seek(0)
                for _ in range(len(self._offsets)):
                    yield pickle.load(self._file)
            return
        for index in map(self._position, indexes):
            if index < kept:
                yield self._head[index]
                continue
            # A seek inside the read buffer costs no system call: records read in order stay cheap.
            offset = self._offsets[index - kept]  # IndexError past the end, before any file is needed
            self._for_reading()
            self._file.seek(offset)
            yield pickle.load(self._file)

    def _position(self, index: int) -> int:
        """``index`` counted from the start (a negative one counts from the end); ``IndexError``
        before the first record (past the last, the offsets' lookup raises it)."""
        if index < 0:
            if index + len(self) < 0:
                raise IndexError(index)
            index += len(self)
        return index

    def _for_reading(self) -> None:
        # A flush in read mode would drop the read buffer (a system call per record read).
        if self._dirty:
            self._file.flush()
            self._dirty = False
        self._reading = True

    def close(self) -> None:
        """Drop the records and remove the file."""
        self._head = []
        if self._file is not None:
            self._file.close()
