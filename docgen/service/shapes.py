"""The JSON shapes the service adds to DESIGN §11, declared once.

``tools/gen_docs.py`` renders them into the README; the service tests check real answers
against them (``docgen.core.jsonshape.mismatches``).
"""
from __future__ import annotations

from docgen.core.jsonshape import Nullable

#: ``GET /api/bundles?path=REL``: the client folders under the bundle root.
BUNDLES_JSON = {
    "path": None,
    "parent": Nullable("str"),
    "bundle": None,
    "folders": [{("name", "path", "bundle"): None}],
    "truncated": None,
}
