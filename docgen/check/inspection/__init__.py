"""File inspection: what a file really is, whether it opens, and its fingerprint (DESIGN §5 ``files``).

Two modules, one concern each: ``kinds`` checks that a file of each kind opens (the kind told from
its content by ``docgen.core.sniff``, which the spreadsheet reader shares; a mismatch with the
extension is a ``wrong-type`` problem), and ``pool`` runs those checks in bounded worker
processes, since a client's file may be hostile.
"""
from __future__ import annotations

from docgen.check.inspection.kinds import FileInfo, inspect_bytes
from docgen.check.inspection.pool import inspect_bundle, inspect_path
from docgen.core.sniff import KINDS, extension_kind, extension_kinds, sniff_kind

__all__ = [
    "FileInfo",
    "KINDS",
    "extension_kinds",
    "extension_kind",
    "sniff_kind",
    "inspect_bytes",
    "inspect_bundle",
    "inspect_path",
]
