"""The JSON shapes of the loan outputs (NPL figures, collection plan), declared once.

``tools/gen_docs.py`` renders them into the README; the tests check real output against them
(``docgen.core.jsonshape.mismatches``), so a key added, renamed or moved fails the build until
both agree.
"""
from __future__ import annotations

from docgen.core.jsonshape import MapOf, Nullable
from docgen.documents.shapes import ROW_PROBLEM_JSON
from docgen.loans.ledger import CLASSIFICATIONS

_GROUP = {("name", "loans", "balance", "npl_balance", "off_balance", "recovered"): None}

#: ``NplFigures.to_dict()``: ``docgen npl-report --format json``.
NPL_FIGURES_JSON = {
    ("period", "period_start", "period_end", "as_of", "loans"): None,
    "on_balance": {("npl_balance", "npl_balance_opening", "change", "loan_balance", "npl_ratio",
                    "reduction_target", "reduction_completion", "npl_balance_corrected", "npl_ratio_corrected",
                    "overdue_balance", "overdue_balance_opening", "overdue_change", "overdue90_balance",
                    "deviation"): None},
    "off_balance": {("npl_balance", "recovered", "recovery_target", "recovery_completion"): None},
    "large_npl_threshold": None,
    "large_npls": [{("loan_no", "borrower", "balance", "officer", "classification", "on_balance", "leader"): None}],
    "by_category": {tuple(CLASSIFICATIONS): None},
    "litigation": {"cases": None, "recovered": None,
                   "loans": [{("loan_no", "borrower", "officer", "status", "balance", "recovered",
                               "on_balance"): None}]},
    "breakdowns": {("officer", "branch", "category"): [_GROUP]},
    "migration": Nullable({"from": None, "to": None, "counts": MapOf("from", MapOf("to", "n")),
                           "amounts": MapOf("from", MapOf("to", "yuan"))}),
    "flags": [{"loan_no": None, "code": "misclassified|overdue-normal|matured-unpaid|debtor-inconsistent",
               "message": None, "required": None, "facts": MapOf("fact", "value")}],
    "to_sue": [{("loan_no", "borrower", "balance", "officer", "days_past_due", "litigation", "on_balance"): None}],
}

#: ``PlanEntry.to_dict()``: one entry of ``docgen collect plan --format json`` (DESIGN §8's fields first).
PLAN_ENTRY_JSON = {
    ("loan_no", "borrower", "officer", "days_past_due", "bucket", "next_action", "next_action_due",
     "limitation_deadline", "guarantee_deadline", "warnings", "limitation_basis", "time_barred",
     "enforcement_deadline"): None,
    "guarantee": Nullable({("type", "period_end", "liable", "preserved", "basis", "reason", "disputed",
                             "declared_end", "maturity_end", "withdrawn"): None}),
    "warning_details": [{"code": None, "facts": MapOf("fact", "value"), "message": None}],
    ("seed_bucket", "actions", "branch", "overdue_since", "limitation_start", "balance", "overdue_principal",
     "overdue_interest", "litigation", "row"): None,
}

#: ``Plan.to_list()``: ``docgen collect plan --format json``, most urgent first.
PLAN_JSON = [PLAN_ENTRY_JSON]

#: ``docgen collect plan``, ``collect letters`` and ``npl-report`` with ``--format json`` when ledger
#: rows are bad (exit 1, nothing produced): the ledger holding them and each bad row.
LEDGER_ROWS_ERROR_JSON = {"file": None, "problems": [ROW_PROBLEM_JSON]}
