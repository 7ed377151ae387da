"""罚息 on a balance declared due early (宣布提前到期): the rest of the balance fell due only when the
declaration reached the borrower (《民法典》第一百三十七条第二款), and the register records the
declaring letter's issue date, not its service. A letter made after the declaring letter went out in
an earlier run therefore figures 罚息 on the overdue principal only, as before, and claims the rest in
a sentence of its own (《民法典》第五百七十七条、第六百七十六条), computed separately: never a figure
the bank could not prove, never silence; a loan matured since claims so the 罚息 up to maturity
(its figure runs from the day after). Loans not declared due early print no such sentence.
Each letter is re-opened with python-docx."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in

from docgen.documents.template import load_template

DAY = dt.timedelta(days=1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"

_CLAIM = ("上表罚息仅按逾期本金计算。贷款本金余额中其余部分自宣布提前到期生效之日（即该宣布到达{party}之日）起到期，"
          "依照借款合同约定及《中华人民共和国民法典》第五百七十七条、第六百七十六条的规定，自该日次日起按借款合同约定计收罚息；"
          "该部分罚息未列入上表，由我行另行计算并{to}主张。")
TO_GUARANTOR = _CLAIM.format(party="借款人", to="在保证范围内向贵方")
TO_BORROWER = _CLAIM.format(party="贵方", to="向贵方")
_MATURED = ("上表罚息中，贷款本金余额中逾期本金以外的部分自到期日次日起计算。我行此前已向{party}宣布该笔贷款提前到期；"
            "该宣布到达{party}之日（宣布提前到期生效之日）早于到期日的，该部分本金自该日起到期，依照借款合同约定及"
            "《中华人民共和国民法典》第五百七十七条、第六百七十六条的规定，自该日次日起至{maturity}止的罚息未列入上表，"
            "由我行另行计算并{to}主张。")
#: What only the reservation says: no other sentence of any letter holds it.
MARK = "宣布提前到期生效之日"


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def _loan(accelerated: bool = True, **fields):
    # Day 10 on AS_OF (overdue since 2026-11-19), 20,000.00 of 420,000.00 overdue, maturing 2027-11-30;
    # the guarantee period ends 95 days after AS_OF: the guarantor is called from AS_OF + 5 on.
    return make_loan("JJ0001", days=10, guarantors=["钱七"], guarantee_period_end=AS_OF + 95 * DAY,
                     accelerated=accelerated, **fields)


def _paragraphs(file: str) -> list[str]:
    return [p.text for p in docx.Document(file).paragraphs]


def _penalty_row(file: str) -> tuple[str, str]:
    (row,) = [r for t in docx.Document(file).tables for r in t.rows if r.cells[0].text.startswith("罚息")]
    return row.cells[0].text, row.cells[1].text


def _one(result, document: str):
    (outcome,) = [o for o in result.written if o.document == document]
    return outcome.file


def test_the_guarantor_notice_after_the_declaration_claims_the_balance_penalty_in_words(tmp_path, policy) -> None:
    first = issue_letters(tmp_path, policy, [_loan()], AS_OF)
    declaring = _one(first, "demand-letter")
    # The declaring letter: the rest of the balance is not due on its date; it claims no more.
    assert not any(MARK in p for p in _paragraphs(declaring))
    later = AS_OF + 6 * DAY
    notice = _one(issue_letters(tmp_path, policy, [_loan()], later), "guarantor-demand")
    paragraphs = _paragraphs(notice)
    assert "宣布该笔贷款全部提前到期" in "".join(paragraphs)  # asks for the balance after the declaration
    # The sentence follows the amounts it qualifies, before the demand on the guarantor.
    at = paragraphs.index(TO_GUARANTOR)
    assert paragraphs[at - 1].startswith("合计金额（大写）：") and paragraphs[at + 1].startswith("依照《中华人民共和国民法典》第六百八十八条")
    # A paragraph of the letter's body: indented by its style as the demand after it (none overridden).
    body = docx.Document(notice).paragraphs
    assert [(p.style.name, p._p.pPr is not None and p._p.pPr.ind is not None) for p in body[at:at + 2]] == [
        ("Body Text", False)] * 2
    # The figure is still 罚息 on the overdue principal alone: 20,000.00 × 0.05% × 16 days (11-19 to 12-04).
    assert _penalty_row(notice) == ("罚息（计至2026年12月4日，含当日）", f"{Decimal('20000') * Decimal('0.0005') * 16:,.2f}")


def test_a_declaring_letter_made_again_in_a_later_run_claims_it_too(tmp_path, policy) -> None:
    declaring = _one(issue_letters(tmp_path, policy, [_loan()], AS_OF), "demand-letter")
    Path(declaring).unlink()  # lost: made again under its serial, as of the later run
    later = issue_letters(tmp_path, policy, [_loan()], AS_OF + 7 * DAY)
    (restored,) = [o for o in later.outcomes if o.code == "restored"]
    assert restored.document == "demand-letter" and restored.facts == {"declares_acceleration": True}
    paragraphs = _paragraphs(restored.file)
    assert TO_BORROWER in paragraphs
    assert paragraphs[paragraphs.index(TO_BORROWER) - 1].endswith("欠息、罚息及复利按借款合同约定计收至实际清偿之日止。")


def test_a_notice_on_a_loan_matured_since_the_declaration_claims_the_penalty_up_to_maturity(tmp_path, policy) -> None:
    # Declared due early three days before maturity (2026-12-01); the guarantor is called after it.
    loan = _loan(maturity=AS_OF + 3 * DAY)
    assert _one(issue_letters(tmp_path, policy, [loan], AS_OF), "demand-letter")
    notice = _one(issue_letters(tmp_path, policy, [loan], AS_OF + 10 * DAY), "guarantor-demand")
    paragraphs = _paragraphs(notice)
    # Its balance fell due by the declaration (the notice's key and wording say so), and the loan matured since.
    (recital,) = [p for p in paragraphs if "宣布该笔贷款全部提前到期" in p]
    assert recital.startswith("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成违约，我行已依照借款合同约定"
                              "向借款人发出编号为催字〔2026〕第00001号")
    assert recital.endswith("宣布该笔贷款全部提前到期；该笔贷款亦已于2026年12月1日到期。截至2026年12月8日，借款人尚欠我行款项如下：")
    assert _MATURED.format(party="借款人", maturity="2026年12月1日", to="在保证范围内向贵方") in paragraphs
    assert TO_GUARANTOR not in paragraphs
    # The figure: the overdue 20,000.00 for 20 days (11-19 to 12-08) and the other 400,000.00 from
    # the day after maturity, 7 days (12-02 to 12-08), at 0.05% a day.
    fine = (Decimal(20000) * 20 + Decimal(400000) * 7) * Decimal("0.0005")
    assert _penalty_row(notice) == ("罚息（计至2026年12月8日，含当日）", f"{fine:,.2f}")


def test_loans_not_declared_due_early_print_no_such_sentence(tmp_path, policy) -> None:
    letters = []  # (case, document, file)

    def issue(case: str, loan, as_of: dt.date = AS_OF) -> None:
        letters.extend((case, o.document, o.file) for o in issue_letters(tmp_path / case, policy, [loan], as_of).written)

    # An ordinary loan's demand letter, then its guarantor notice in the next run.
    issue("plain", _loan(accelerated=False))
    issue("plain", _loan(accelerated=False), AS_OF + 6 * DAY)
    # A matured loan demands its whole balance without any declaration (its flag is moot).
    issue("matured", make_loan("JJ0002", days=40, maturity=AS_OF - 39 * DAY, guarantors=["钱七"],
                               guarantee_period_end=AS_OF + 60 * DAY, accelerated=True))
    # A loan declared due early whose guarantor is called in the run of the declaration: it has not
    # reached the borrower, and the notice asks only what is overdue.
    issue("same-run", _loan(), AS_OF + 5 * DAY)
    assert sorted((case, document) for case, document, _ in letters) == [
        (case, document) for case in ("matured", "plain", "same-run") for document in ("demand-letter", "guarantor-demand")]
    for case, document, file in letters:
        assert not any(MARK in p or "另行计算" in p for p in _paragraphs(file)), (case, document)


@pytest.mark.parametrize(("name", "fields", "sentence"), [
    ("demand-letter", {"accelerated": True, "penalty_reserved": True, "principal_label": "贷款本金余额"}, TO_BORROWER),
    ("demand-letter", {"accelerated": True, "principal_label": "贷款本金余额"}, None),  # the declaration itself
    ("demand-letter", {}, None),
    # matured since the declaration: a maturity before the letter date (the example's is to come).
    ("demand-letter", {"matured": True, "penalty_reserved": True, "principal_label": "贷款本金余额",
                       "maturity": "2026-11-20"},
     _MATURED.format(party="贵方", maturity="2026年11月20日", to="向贵方")),
    ("guarantor-demand", {"matured": False, "accelerated": True}, TO_GUARANTOR),
    ("guarantor-demand", {"penalty_reserved": True}, _MATURED.format(party="借款人", maturity="2026年8月20日",
                                                                     to="在保证范围内向贵方")),
    ("guarantor-demand", {}, None),  # the example: a matured loan
])
def test_the_templates_print_the_sentence_only_when_the_declaration_came_before(name, fields, sentence) -> None:
    template = load_template(name)
    data = {**yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")), **fields}
    context, problems = template.check(data)
    assert problems == []
    paragraphs = [p.text for p in docx.Document(io.BytesIO(template.render({**context, "serial": "1"}))).paragraphs]
    if sentence is None:
        assert not any(MARK in p for p in paragraphs)
    else:
        assert sentence in paragraphs


@pytest.mark.parametrize(("name", "sign_off"), [("demand-letter", "特此函告。"), ("guarantor-demand", "特此通知。")])
def test_a_letter_lengthened_by_the_sentence_keeps_its_close_together(name, sign_off) -> None:
    # The sentence may push the close past the page: it moves whole with the body's last paragraph, the
    # signature never alone.
    template = load_template(name)
    data = {**yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")),
            "matured": False, "accelerated": True, "penalty_reserved": True, "principal_label": "贷款本金余额"}
    context, problems = template.check(data)
    assert problems == []
    paragraphs = docx.Document(io.BytesIO(template.render({**context, "serial": "1"}))).paragraphs
    start = [p.text for p in paragraphs].index(sign_off)
    end = next(i for i, p in enumerate(paragraphs) if p.text == "2026年11月28日")
    assert paragraphs[start - 1].text.startswith(("依照《中华人民共和国民法典》第一百九十五条", "如对上述金额有异议"))
    assert paragraphs[start - 1].paragraph_format.keep_together
    assert [p.paragraph_format.keep_with_next for p in paragraphs[start - 1:end + 1]] == [True] * (end - start + 1) + [None]
