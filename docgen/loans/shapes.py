"""The JSON shapes of the loan outputs (NPL figures, collection plan), declared once.

``tools/gen_docs.py`` renders them into the README; the tests check real output against them
(``docgen.core.jsonshape.mismatches``), so a key added, renamed or moved fails the build until
both agree.
"""
from __future__ import annotations

from docgen.core.jsonshape import Literal, MapOf, Nullable
from docgen.loans.ledger import CLASSIFICATIONS

_GROUP = {("name", "loans", "balance", "npl_balance", "off_balance", "recovered"): None}

#: ``NplFigures.to_dict()``: ``docgen npl-report --format json``.
NPL_FIGURES_JSON = {
    ("period", "period_start", "period_end", "as_of", "loans"): None,
    "on_balance": {("npl_balance", "npl_balance_opening", "change", "loan_balance", "npl_ratio",
                    "reduction_target", "reduction_completion"): None},
    "off_balance": {("npl_balance", "recovered", "recovery_target", "recovery_completion"): None},
    "large_npl_threshold": None,
    "large_npls": [{("loan_no", "borrower", "balance", "officer", "classification", "on_balance"): None}],
    "by_category": {tuple(CLASSIFICATIONS): None},
    "litigation": {"cases": None, "recovered": None,
                   "loans": [{("loan_no", "borrower", "officer", "status", "balance", "recovered",
                               "on_balance"): None}]},
    "breakdowns": {("officer", "branch", "category"): [_GROUP]},
    "migration": Nullable({"from": None, "to": None, "counts": MapOf("from", MapOf("to", "n")),
                           "amounts": MapOf("from", MapOf("to", "yuan"))}),
    "flags": [{"loan_no": None, "code": Literal("misclassified"), "message": None}],
}

#: ``PlanEntry.to_dict()``: one entry of ``docgen collect plan --format json`` (DESIGN §8's fields first).
PLAN_ENTRY_JSON = {
    ("loan_no", "borrower", "officer", "days_past_due", "bucket", "next_action", "next_action_due",
     "limitation_deadline", "guarantee_deadline", "warnings", "seed_bucket", "actions", "branch",
     "overdue_since", "limitation_start", "balance", "overdue_principal", "overdue_interest", "row"): None,
}

#: ``Plan.to_list()``: ``docgen collect plan --format json``, most urgent first.
PLAN_JSON = [PLAN_ENTRY_JSON]
