"""The OLE2 directory walk of ``docgen.core.sniff``: every sector of the chain, and no more."""
from __future__ import annotations

import io

import pytest
from hostile import ole_file

from docgen.core.sniff import OLE_DIRECTORY_LIMIT, ole_directory


class _CountingReader(io.BytesIO):
    """A file that counts the reads made of it."""

    reads = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        self.reads += 1
        return super().read(size)


def _walk(data: bytes) -> tuple[bytes, int]:
    """Return the directory read from ``data`` and how many reads it took."""
    stream = _CountingReader(data)
    return ole_directory(stream, data[:65536]), stream.reads


def test_the_directory_is_every_sector_of_its_chain_in_chain_order() -> None:
    names = [f"S{k}" for k in range(10)]
    directory, _ = _walk(ole_file(names, [7, 3, 5]))
    assert len(directory) == 3 * 512
    found = [directory[at:at + 64].decode("utf-16-le").rstrip("\0") for at in range(0, len(directory), 128)]
    assert found == ["Root Entry", *names, ""]


@pytest.mark.parametrize("then", [7, 3, 5])  # back to the first sector, the middle one, itself
def test_a_cyclic_fat_stops_at_the_first_sector_read_twice(then: int) -> None:
    directory, reads = _walk(ole_file([f"S{k}" for k in range(10)], [7, 3, 5], then=then))
    assert len(directory) == 3 * 512 and reads <= 2 * 3 + 1


def test_an_endless_chain_of_distinct_sectors_is_cut_at_the_limit() -> None:
    sectors = OLE_DIRECTORY_LIMIT // 512 + 100  # longer than a directory is read
    data = ole_file(["S"] * (4 * sectors - 1), list(range(5, 5 + sectors)))
    directory, reads = _walk(data)
    assert len(directory) == OLE_DIRECTORY_LIMIT and reads <= 2 * (OLE_DIRECTORY_LIMIT // 512) + 1


@pytest.mark.parametrize(("data", "holds"), [
    (b"", False), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", False),
    (ole_file(["S"], [3])[:1024], False),  # cut in the FAT, before the directory
    (ole_file(["S"], [3], then=0xFFFFFFF0), True), (ole_file(["S"], [3], then=0x7FFFFFF0), True),
])
def test_a_short_or_broken_file_gives_what_it_holds_never_an_exception(data: bytes, holds: bool) -> None:
    directory, _ = _walk(data)
    assert directory == (ole_file(["S"], [3])[2048:2560] if holds else b"")
