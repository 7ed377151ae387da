"""The JSON shapes of the Word-template outputs (templates, lint, batch, register), declared once.

``tools/gen_docs.py`` renders them into the README; the tests check real output against them
(``docgen.core.jsonshape.mismatches``), so a key added, renamed or moved fails the build until
both agree.
"""
from __future__ import annotations

from docgen.core.jsonshape import Literal, MapOf
from docgen.documents.batch import MANIFEST_FIELDS

#: ``docgen templates list --format json``.
TEMPLATE_LIST_JSON = [{"name": None, "title": None, "title_en": None, "category": None}]

_FIELD = {("name", "type", "required", "aliases"): None}

#: ``docgen templates show NAME --format json``; ``items`` lists the fields of each entry of a list field.
TEMPLATE_JSON = {
    ("name", "title", "title_en", "category", "description", "key_field", "serial", "filename"): None,
    "fields": [{**_FIELD, "description": None, "items?": [_FIELD]}],
    ("derived", "rules"): None,
}

#: ``LintReport.to_dict()``: ``docgen templates lint FILE.docx --format json``.
LINT_JSON = {
    "variables": ["sorted top-level names"],
    "problems": [{("code", "severity", "location", "message"): None}],
}

#: ``Problem.to_dict()``: a bad row of a spreadsheet.
ROW_PROBLEM_JSON = {("row", "column", "field", "message"): None}

#: ``BatchDocument.to_dict()``: one document of a batch; also the columns of manifest.csv.
BATCH_DOCUMENT_JSON = {tuple(MANIFEST_FIELDS): None}

#: ``BatchResult.to_dict()``: ``docgen batch --format json``.
BATCH_JSON = {
    ("template", "out_dir", "written", "skipped"): None,
    "invalid_rows": ["row numbers"],
    "documents": [BATCH_DOCUMENT_JSON],
    "problems": [ROW_PROBLEM_JSON],
    "in_progress": ["row keys"],
    "merged_pdf": None,
}

#: ``docgen batch --format json`` when rows are bad (exit 1, nothing written).
BATCH_ROWS_ERROR_JSON = {"template": None, "written": Literal(0), "problems": [ROW_PROBLEM_JSON]}

#: ``DIR/manifest.json``: the batch summary plus the source file and when it was written.
MANIFEST_JSON = {**BATCH_JSON, ("rows", "generated"): None}

#: ``Record.to_dict()``: ``docgen register list --format json`` (a list of these).
RECORD_JSON = {("serial", "template", "row_key", "seq", "file", "sha256", "created", "completed"): None}

#: ``RegisterIssue.to_dict()``: what is wrong with the register itself; ``code`` is corrupt,
#: replaced, truncated, altered, gap or unanchored.
REGISTER_ISSUE_JSON = {("code", "template", "serial", "seq", "detail", "message"): None}

#: ``docgen register verify --format json``; ``status`` is changed, missing or incomplete.
VERIFY_JSON = {("register", "checked", "ok"): None, "register_issues": [REGISTER_ISSUE_JSON],
               "problems": [{**RECORD_JSON, "status": None}]}

#: ``docgen register list --format json``.
REGISTER_LIST_JSON = [RECORD_JSON]

#: ``AnnexDraft.to_dict()``: one annex document; ``status`` is drafted, missing-data or
#: bank-template; ``hints`` says what to put in each missing bundle.yaml key.
DRAFT_ANNEX_JSON = {
    ("annex", "template", "title", "title_en", "status", "path", "serial"): None,
    "missing": ["bundle.yaml keys"],
    "hints": MapOf("bundle.yaml key", None),
    "pdf": None,
}

#: ``DraftResult.to_dict()``: ``docgen draft BUNDLE --format json`` (DESIGN §10).
DRAFT_JSON = {"bundle": None, "annexes": [DRAFT_ANNEX_JSON]}
