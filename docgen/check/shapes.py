"""The JSON shapes of the checker's machine output (DESIGN §5), declared once.

``tools/gen_docs.py`` renders them into the README; the tests check real output against them
(``docgen.core.jsonshape.mismatches``), so a key added, renamed or moved fails the build until
both agree.
"""
from __future__ import annotations

from docgen.check.inspection import FileInfo

#: ``Finding.to_dict``.
FINDING_JSON = {"code": None, "severity": None, "stage": None, "item": None, "path": None, "message": None}

#: ``Report.to_dict()``: ``docgen check --format json``.
REPORT_JSON = {
    ("checklist", "bundle", "as_of", "complete"): None,
    "stages": [{"id": None, "complete": None,
                "items": [{"id": None, "no": None, "title": {"zh": None, "en": None}, "status": None,
                           "files": None}]}],
    "files": [{("path", "kind", "size", "sha256", "pages", "encrypted", "items"): None}],
    "findings": [FINDING_JSON],
}

#: ``FileInfo.to_dict()``: ``docgen inspect --format json``.
FILE_INFO_JSON = {name: None for name in FileInfo.json_fields()}
