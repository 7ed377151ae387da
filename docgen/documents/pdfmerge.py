"""Print files merged from many PDFs, streamed: one input in memory at a time.

A month-end print file is made of a hundred chunk PDFs of a few hundred pages each. Building
it with ``pypdf.PdfWriter`` holds every page, font and content stream of every input until
the end. Here pypdf only reads: each input's pages and the objects they reach (content
streams, fonts, images, annotations) are written to the output under new object numbers as
soon as they are read, and the input is dropped before the next one is opened. An object
shared by the pages of one input (a font subset embedded once per chunk) is written once.
Each input's pages hang under a page-tree node of their own; the catalog, the root of the
page tree and the cross-reference table are written at the end. Memory holds one input
and an offset per written object; the output's size is the sum of the inputs' pages.
"""
from __future__ import annotations

import os
from array import array
from io import BytesIO
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from docgen.core.atomic import atomic_output
from docgen.core.errors import ConversionError
from docgen.documents.messages import MESSAGES

__all__ = ["stream_merge"]

_CATALOG, _ROOT = 1, 2  # object numbers of the output's catalog and page-tree root
#: What a page may inherit from its page-tree ancestors (ISO 32000-1, 7.7.3.4).
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


class _Out:
    """The output file as objects are appended: each object's offset, by its number."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.at = 0
        self.offsets = array("q", [0, 0, 0])  # 0 is the free-list head; 1 and 2 are written last
        self.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.at += len(data)

    def allocate(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def put(self, number: int, obj: Any) -> None:
        self.offsets[number] = self.at
        body = BytesIO()
        obj.write_to_stream(body)
        self.write(b"%d 0 obj\n" % number + body.getvalue() + b"\nendobj\n")

    def finish(self, kids: list[int], count: int) -> None:
        self.put(_ROOT, _dictionary({"/Type": _name("/Pages"), "/Kids": _refs(kids), "/Count": _number(count)}))
        self.put(_CATALOG, _dictionary({"/Type": _name("/Catalog"), "/Pages": _ref(_ROOT)}))
        xref = self.at
        lines = [b"xref\n0 %d\n" % len(self.offsets), b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % offset for offset in self.offsets[1:]]
        self.write(b"".join(lines))
        self.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                   % (len(self.offsets), _CATALOG, xref))


def _name(value: str) -> Any:
    from pypdf.generic import NameObject

    return NameObject(value)


def _number(value: int) -> Any:
    from pypdf.generic import NumberObject

    return NumberObject(value)


def _ref(number: int) -> Any:
    from pypdf.generic import IndirectObject

    return IndirectObject(number, 0, None)


def _refs(numbers: list[int]) -> Any:
    from pypdf.generic import ArrayObject

    return ArrayObject(_ref(n) for n in numbers)


def _dictionary(items: dict[str, Any]) -> Any:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject(k): v for k, v in items.items()})


def _copy_input(out: _Out, reader: Any, node: int) -> int:
    """Write ``reader``'s pages under the page-tree node ``node`` and what they reach; return
    the page count. References to the input's catalog or page-tree nodes become null."""
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, EncodedStreamObject,
                               IndirectObject, NullObject, StreamObject)

    numbers: dict[tuple[int, int], int] = {}
    pending: list[tuple[int, Any]] = []
    excluded: set[tuple[int, int]] = set()
    root = reader.trailer.raw_get("/Root")
    if isinstance(root, IndirectObject):
        excluded.add((root.idnum, root.generation))
    nodes = [reader.trailer["/Root"].raw_get("/Pages")]
    while nodes:  # the input's page-tree nodes (pages themselves are mapped below)
        ref = nodes.pop()
        if not isinstance(ref, IndirectObject) or (ref.idnum, ref.generation) in excluded:
            continue
        obj = ref.get_object()
        if obj.get("/Type") == "/Pages":
            excluded.add((ref.idnum, ref.generation))
            nodes.extend(obj.get("/Kids", ArrayObject()))

    def copy(value: Any) -> Any:
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in excluded:
                return NullObject()
            if key not in numbers:
                numbers[key] = out.allocate()
                pending.append((numbers[key], value))
            return _ref(numbers[key])
        if isinstance(value, StreamObject):
            stream = EncodedStreamObject() if isinstance(value, EncodedStreamObject) else DecodedStreamObject()
            stream._data = value._data if isinstance(value, EncodedStreamObject) else value.get_data()
            for k, v in value.items():
                if k != "/Length":
                    stream[k] = copy(v)
            return stream
        if isinstance(value, DictionaryObject):
            return DictionaryObject((k, copy(v)) for k, v in value.items())
        if isinstance(value, ArrayObject):
            return ArrayObject(copy(v) for v in value)
        return value

    pages = reader.pages  # pypdf's list gives each page what it inherits from its ancestors
    kids = []
    for page in pages:
        ref = page.indirect_reference
        key = (ref.idnum, ref.generation)
        kids.append(numbers.setdefault(key, out.allocate()))
    for page, number in zip(pages, kids):
        entries = {k: copy(v) for k, v in page.items() if k != "/Parent"}
        parent = page.get("/Parent")
        while parent is not None and any(k not in entries for k in _INHERITED):
            for k in _INHERITED:
                if k not in entries and k in parent:
                    entries[k] = copy(parent.raw_get(k))
            parent = parent.get("/Parent")
        entries["/Parent"] = _ref(node)
        out.put(number, _dictionary(entries))
        while pending:  # what this page reaches, before the next page is read
            target, ref = pending.pop()
            out.put(target, copy(ref.get_object()))
    out.put(node, _dictionary({"/Type": _name("/Pages"), "/Parent": _ref(_ROOT), "/Kids": _refs(kids),
                               "/Count": _number(len(kids))}))
    return len(kids)


def stream_merge(pdf_paths: Sequence[str | os.PathLike[str]], out_path: str | os.PathLike[str]) -> int:
    """Concatenate the pages of ``pdf_paths`` in order into ``out_path`` (written atomically,
    one input read at a time); return the page count.

    Raises ``ConversionError`` when there is nothing to merge or an input is not a readable PDF.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    paths = [Path(p) for p in pdf_paths]
    if not paths:
        raise MESSAGES.error(ConversionError, "merge-nothing")
    nodes: list[int] = []
    count = 0
    with atomic_output(out_path, "wb") as fh:
        out = _Out(fh)
        for path in paths:
            nodes.append(out.allocate())
            try:
                count += _copy_input(out, PdfReader(str(path)), nodes[-1])
            except (OSError, PyPdfError, ValueError, KeyError, AttributeError) as exc:
                raise MESSAGES.error(ConversionError, "merge-unreadable", path=str(path), reason=str(exc)) from None
        out.finish(nodes, count)
    return count
