"""A batch's per-letter records kept on disk instead of in memory.

A batch of 200,000 letters cannot keep every checked context, reservation and manifest row
as Python objects to the end (several kilobytes each). ``Spool`` appends records (pickled)
to an anonymous temporary file and keeps only their offsets (8 bytes a record), so a batch
holds at any time the records of the block it is working on.
"""
from __future__ import annotations

import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Spool"]


class Spool:
    """Records appended once, then read back by index or in order.

    The file is anonymous (removed when closed or collected); it lives in the system's
    temporary folder. Raises ``OSError`` when it cannot be written (disk full).
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="docgen-batch-")
        self._offsets = array("q")
        self._end = 0
        self._reading = False  # the file position is a reader's, not the end
        self._dirty = False  # appended bytes may still be in the write buffer

    def __len__(self) -> int:
        return len(self._offsets)

    def append(self, record: Any) -> int:
        """Store ``record``; return its index."""
        if self._reading:
            self._file.seek(self._end)
            self._reading = False
        data = pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
        self._offsets.append(self._end)
        self._file.write(data)
        self._end += len(data)
        self._dirty = True
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> Any:
        """Return record ``index`` (negative counts from the end); ``IndexError`` past the end."""
        offset = self._offsets[index]
        self._for_reading()
        self._file.seek(offset)
        return pickle.load(self._file)

    def read(self, indexes: Iterable[int] | None = None) -> Iterator[Any]:
        """Yield the records at ``indexes`` (default: all, in the order appended). Nothing may
        be appended while the iterator is in use."""
        self._for_reading()
        if indexes is None:
            self._file.seek(0)
            for _ in range(len(self._offsets)):
                yield pickle.load(self._file)
            return
        for index in indexes:
            # A seek inside the read buffer costs no system call: records read in order stay cheap.
            self._file.seek(self._offsets[index])
            yield pickle.load(self._file)

    def _for_reading(self) -> None:
        # A flush in read mode would drop the read buffer (a system call per record read).
        if self._dirty:
            self._file.flush()
            self._dirty = False
        self._reading = True

    def close(self) -> None:
        """Remove the file."""
        self._file.close()
