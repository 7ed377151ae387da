"""docgen: document checklists, Word templates and NPL reporting for bank credit operations.

The library's entry points, one per thing a caller does::

    import docgen

    report = docgen.check_bundle("华安置业资料/", stage="pre-application")
    docgen.render("demand-letter", {"borrower": "张三", ...}, "催收函.docx")
    result = docgen.run_batch("demand-letter", "催收名单.xlsx", "out/", register=docgen.Register())
    figures = docgen.npl_figures(docgen.read_ledger("台账.xlsx").loans, period=docgen.parse_period("2026Q3"))
    plan = docgen.collection_plan(ledger.loans, as_of)

Each name is imported on first use (PEP 562), so ``import docgen`` (and the command line's
start-up) does not pay for pypdf, docxtpl or openpyxl until a command needs them.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> (module, attribute in it).
_ENTRY_POINTS: dict[str, tuple[str, str]] = {
    # the bundle checker
    "check_bundle": ("docgen.check.report", "run_check"),
    "Report": ("docgen.check.report", "Report"),
    "load_checklist": ("docgen.check.checklist", "load_checklist"),
    "list_checklists": ("docgen.check.checklist", "list_checklists"),
    "open_bundle": ("docgen.check.bundle", "open_bundle"),
    "inspect_path": ("docgen.check.inspection", "inspect_path"),
    "scaffold": ("docgen.check.scaffold", "scaffold"),
    # Word templates
    "load_template": ("docgen.documents.template", "load_template"),
    "list_templates": ("docgen.documents.template", "list_templates"),
    "Template": ("docgen.documents.template", "Template"),
    "render": ("docgen.documents.render", "render"),
    "run_batch": ("docgen.documents.batch", "run_batch"),
    "lint_docx": ("docgen.documents.lint", "lint_docx"),
    "Register": ("docgen.documents.register", "Register"),
    "convert_to_pdf": ("docgen.documents.pdf", "convert_to_pdf"),
    # the loan ledger
    "read_ledger": ("docgen.loans.ledger", "read_ledger"),
    "parse_period": ("docgen.loans.npl", "parse_period"),
    "npl_figures": ("docgen.loans.npl", "compute_figures"),
    "npl_report": ("docgen.loans.npl_report", "build_report"),
    "load_policy": ("docgen.loans.plan", "load_policy"),
    "collection_plan": ("docgen.loans.plan", "build_plan"),
    # errors (exit 2: InputError and its kinds; exit 1: the others)
    "DocgenError": ("docgen.core.errors", "DocgenError"),
    "InputError": ("docgen.core.errors", "InputError"),
    "ProblemsError": ("docgen.core.errors", "ProblemsError"),
}

__all__ = ["__version__", *_ENTRY_POINTS]


def __getattr__(name: str) -> Any:
    """Return the entry point ``name``, importing its module on first use.

    Raises ``AttributeError`` for a name docgen does not export.
    """
    try:
        module, attribute = _ENTRY_POINTS[name]
    except KeyError:
        from docgen.core.messages import MESSAGES

        raise MESSAGES.fault(AttributeError, "no-attribute", module=__name__, name=name) from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ENTRY_POINTS))


if TYPE_CHECKING:  # type checkers see the real signatures
    from docgen.check.bundle import open_bundle
    from docgen.check.checklist import list_checklists, load_checklist
    from docgen.check.inspection import inspect_path
    from docgen.check.report import Report
    from docgen.check.report import run_check as check_bundle
    from docgen.check.scaffold import scaffold
    from docgen.core.errors import DocgenError, InputError, ProblemsError
    from docgen.documents.batch import run_batch
    from docgen.documents.lint import lint_docx
    from docgen.documents.pdf import convert_to_pdf
    from docgen.documents.register import Register
    from docgen.documents.render import render
    from docgen.documents.template import Template, list_templates, load_template
    from docgen.loans.ledger import read_ledger
    from docgen.loans.npl import compute_figures as npl_figures
    from docgen.loans.npl import parse_period
    from docgen.loans.npl_report import build_report as npl_report
    from docgen.loans.plan import build_plan as collection_plan
    from docgen.loans.plan import load_policy
