"""The ledger columns docgen reads beyond DESIGN §8, and what each one drives.

DESIGN §8 fixes the ledger's columns; docgen also accepts the optional columns below (their
headers are in ``docgen.loans.ledger.LEDGER_ALIASES`` like every other column's).
``EXTENSION_COLUMNS`` says what each column's cells hold and which output it drives;
``extension_table()`` is the README's table of them (``tools/gen_docs.py``, ``gen:table``), so
the documentation is written from the code and names every column the reader accepts.
"""
from __future__ import annotations

from docgen.loans.ledger import LEDGER_ALIASES, LEDGER_HEADERS

EXTENSION_COLUMNS: dict[str, tuple[str, str]] = {
    "accelerated": (
        "是/否 (also true/false, yes/no, Y/N, 1/0 in any case, a TRUE/FALSE cell), as a template's yes/no "
        "field; empty = 否",
        "`collect letters`: a demand letter declares the loan due early (宣布贷款提前到期) and demands the "
        "whole balance (flagged after the episode's letter went out: a declaring letter of its own, "
        "`declare-acceleration` in the plan); the policy's `accelerate: true` does so for every loan",
    ),
    "leader": (
        "a name",
        "`npl-report`: the 责任行领导 column of the large-NPL table (`large_npls[].leader` in JSON)",
    ),
    "guarantor_addresses": (
        "one address per name in 担保人, in its order, separated by ; (or 、 when the cell has no ;), never by "
        "a slash or a comma (`眉县城关镇3/5号`) nor inside brackets; an empty entry (`甲地;;丙地`) or a placeholder "
        "(无, N/A, /, - …) = that guarantor has none, a cell of them only = none",
        "`collect letters`: the 送达地址 of each guarantor's 保证人履行保证责任通知书 and its 送达回证; a "
        "guarantor without one gets no notice (`no-guarantor-address`, printed per loan)",
    ),
    "guarantor_ids": (
        "one 居民身份证号 or 统一社会信用代码 per name in 担保人, same separators, and / or ／ as 、 (not "
        "inside brackets); each checked like `id_number`; a placeholder (无, N/A, - …) = that guarantor's is "
        "not given, a cell of separators or placeholders only (a lone /) = none",
        "`collect letters`: printed in full in that guarantor's own notice and 送达回证 (the borrower's "
        "stays masked there); never printed in another party's letter",
    ),
}
"""Column -> (what its cells hold, what it drives). A wrong count of values against 担保人, or an
ID number that is neither a valid resident ID nor a USCC, is a row error naming row and column."""


def extension_table() -> list[list[str]]:
    """Return the Markdown table of the extension columns: a header row, then one row per column
    (canonical name, Chinese header and the other accepted headers, cells, what it drives)."""
    rows = [["column", "中文表头 (also accepted)", "cells", "drives"]]
    for name, (cells, drives) in EXTENSION_COLUMNS.items():
        others = [header for header in LEDGER_ALIASES[name] if header != LEDGER_HEADERS[name]]
        rows.append([f"`{name}`", f"{LEDGER_HEADERS[name]} ({'、'.join(others)})", cells, drives])
    return rows
