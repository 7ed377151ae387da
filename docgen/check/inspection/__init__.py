"""File inspection: what a file really is, whether it opens, and its fingerprint (DESIGN §5 ``files``).

Three modules, one concern each: ``sniff`` tells the kind from the content (a mismatch with the
extension is a ``wrong-type`` problem), ``kinds`` checks that a file of each kind opens, and
``pool`` runs those checks in bounded worker processes, since a client's file may be hostile.
"""
from __future__ import annotations

from docgen.check.inspection.kinds import FileInfo, inspect_bytes
from docgen.check.inspection.pool import inspect_bundle, inspect_path
from docgen.check.inspection.sniff import KINDS, extension_kind, extension_kinds, sniff_kind

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
