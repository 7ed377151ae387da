"""Collection letters due: which loans, which letter, the ledger -> letter mapping, the register, the Word text."""
from __future__ import annotations

from docxtext import docx_text

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from collect_helpers import AS_OF, BANK, POLICY_TEXT, make_loan
from wordingkit import punctuation_problems

from docgen.loans.plan import build_plan, letter_key, load_policy
from docgen.loans.letters import issued_keys, letter_data, letters_due, make_letters, penalty
from docgen.core.errors import InputError
from docgen.documents.register import Register

@pytest.fixture()
def policy(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT, encoding="utf-8")
    return load_policy(path)


@pytest.fixture()
def loans():
    return [
        make_loan("JJ0001", days=6, row=2),                                   # letter due tomorrow
        make_loan("JJ0002", days=7, row=3, borrower="杭州云栖贸易有限公司"),   # due today
        make_loan("JJ0003", days=30, row=4, borrower="李小明", guarantors=["张三", "李四"],
                  overdue_principal=Decimal("100000"), overdue_interest=Decimal("2345.67")),
        make_loan("JJ0004", days=None, row=5),                                # not overdue
        make_loan("JJ0005", days=200, row=6, litigation="已起诉"),             # in court: no letter
        make_loan("JJ0006", days=12, row=7, branch="城西支行", borrower="赵六"),  # default contact
    ]


def test_exactly_the_loans_with_a_letter_due_are_picked(policy, loans) -> None:
    assert [loan.loan_no for loan in letters_due(loans, AS_OF, policy)] == ["JJ0002", "JJ0003", "JJ0006"]
    # One day later the day-6 loan is due too.
    tomorrow = AS_OF + dt.timedelta(days=1)
    assert [loan.loan_no for loan in letters_due(loans, tomorrow, policy)] == ["JJ0001", "JJ0002", "JJ0003", "JJ0006"]


def test_penalty_is_computed_never_blank(policy) -> None:
    loan = make_loan(days=30, overdue_principal=Decimal("100000"))
    # 100000 x 0.0005 x 30 days = 1500.00
    assert penalty(loan, AS_OF, policy) == Decimal("1500.00")
    assert penalty(make_loan(days=7, overdue_principal=Decimal("0")), AS_OF, policy) == Decimal("0.00")
    odd = make_loan(days=7, overdue_principal=Decimal("333.33"))
    assert penalty(odd, AS_OF, policy) == Decimal("1.17")  # 1.166655 rounded half-up


def test_letter_data_maps_the_ledger_and_policy(policy) -> None:
    loan = make_loan("JJ0003", days=30, borrower="李小明", guarantors=["张三", "李四"],
                     overdue_principal=Decimal("100000"), overdue_interest=Decimal("2345.67"))
    data = letter_data(loan, AS_OF, policy)
    assert data["letter_date"] == AS_OF
    assert data["pay_by"] == dt.date(2026, 12, 8)
    assert (data["principal"], data["interest"], data["penalty"]) == (
        Decimal("100000"), Decimal("2345.67"), Decimal("1500.00"))
    assert data["total"] == Decimal("103845.67")
    assert (data["loan_date"], data["loan_amount"]) == (loan.disbursed_on, loan.principal)
    assert data["guarantors"] == []  # named only when the plan says they are liable
    assert letter_data(loan, AS_OF, policy, ["张三"])["measures"] == ["credit", "guarantors", "suit"]
    assert (data["branch"], data["phone"], data["contact"]) == ("城东支行", "0571-87000000", "王五")
    assert data["bank_legal_name"] == BANK and data["borrower_address"] == loan.address
    other = letter_data(make_loan(branch="城西支行"), AS_OF, policy)
    assert (other["branch"], other["branch_address"]) == ("城西支行", "杭州市西湖区文三路1号")


def test_letters_are_written_registered_and_not_issued_twice(tmp_path: Path, policy, loans) -> None:
    out = tmp_path / "letters"
    with Register(tmp_path / "register.sqlite") as register:
        first = make_letters(loans, AS_OF, out, policy=policy, register=register)
        assert first.complete
        assert first.due == 3
        assert [w.loan_no for w in first.written] == ["JJ0002", "JJ0003", "JJ0006"]
        assert [w.serial for w in first.written] == ["催字〔2026〕第00001号", "催字〔2026〕第00002号",
                                                       "催字〔2026〕第00003号"]
        assert letter_key(loans[2]) == "JJ0003:demand-letter:2026-10-30"
        assert sorted(p.name for p in out.glob("*.docx")) == sorted(Path(w.file).name for w in first.written)

        again = make_letters(loans, AS_OF, out, policy=policy, register=register)
        assert [s.loan_no for s in again.skipped] == ["JJ0002", "JJ0003", "JJ0006"]
        # JJ0003's letter is out: the plan moves on to its joint guarantors, one notice each.
        assert [(w.loan_no, w.document, w.party) for w in again.written] == [
            ("JJ0003", "guarantor-demand", "张三"), ("JJ0003", "guarantor-demand", "李四")]
        assert again.written[0].facts == {"deadline": "2028-05-30", "ledger_column": "向保证人主张日"}

        third = make_letters(loans, AS_OF, out, policy=policy, register=register)
        assert third.written == [] and len(third.skipped) == 3  # the notices are done: no longer due

        # A later day: the day-6 loan has become due and is the only new letter.
        later = make_letters(loans, AS_OF + dt.timedelta(days=1), out, policy=policy, register=register)
        assert [w.loan_no for w in later.written] == ["JJ0001"]
        assert later.written[0].serial == "催字〔2026〕第00004号"
    assert len(list(out.glob("*.docx"))) == 4
    assert len(list((out / "保证人通知书").glob("*.docx"))) == 2
    keys = issued_keys(tmp_path / "register.sqlite")
    assert keys == {letter_key(loan) for loan in loans if loan.loan_no in {"JJ0001", "JJ0002", "JJ0003", "JJ0006"}} | {
        letter_key(loans[2], "guarantor-demand", name) for name in ("张三", "李四")}


def test_a_new_arrears_episode_gets_a_new_letter(tmp_path: Path, policy) -> None:
    with Register(tmp_path / "register.sqlite") as register:
        make_letters([make_loan("JJ0001", days=10)], AS_OF, tmp_path / "out", policy=policy, register=register)
        # Repaid, then overdue again later: another overdue_since, another letter.
        later = AS_OF + dt.timedelta(days=60)
        again = make_letters([make_loan("JJ0001", days=8, as_of=later)], later, tmp_path / "out",
                             policy=policy, register=register)
    later_loan = make_loan("JJ0001", days=8, as_of=later)
    assert [(w.loan_no, w.code) for w in again.written] == [("JJ0001", "issued")]
    assert again.written[0].serial.startswith("催字〔2027〕")
    assert letter_key(later_loan) in issued_keys(tmp_path / "register.sqlite")


def test_the_letter_text_holds_borrower_amounts_and_words(tmp_path: Path, policy, loans) -> None:
    with Register(tmp_path / "register.sqlite") as register:
        result = make_letters(loans, AS_OF, tmp_path / "out", policy=policy, register=register)
    letter = next(w for w in result.written if w.loan_no == "JJ0003")
    text = docx_text(Path(letter.file))
    assert "李小明" in text
    assert "100,000.00" in text and "2,345.67" in text and "1,500.00" in text
    assert "103,845.67" in text
    assert "人民币壹拾万叁仟捌佰肆拾伍元陆角柒分" in text
    assert "2026年12月8日" in text
    assert "要求保证人张三、李四依照保证合同承担保证责任" in text  # joint guarantee, still alive
    assert "抵押物" not in text  # no collateral recorded
    assert f"债权人：{BANK}" in text and "经办机构：城东支行（公章）" in text
    # Principal, 欠息 and 罚息 claimed: each on its article (第六百七十五、六百七十四、六百七十六条).
    assert "第六百七十四条、第六百七十五条、第六百七十六条" in text and "第一百九十五条" in text
    assert "逾期本金" in text and "贷款本金余额" not in text  # not matured: the overdue amounts
    assert "0571-87000000" in text and "王五" in text
    assert "催字〔2026〕第00002号" in text


def test_a_loan_that_cannot_give_a_valid_letter_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(f"letters:\n  bank_legal_name: {BANK}\n  branches:\n"
                    "    城西支行: {address: 某路1号, phone: '0571-1', contact: 赵六}\n", encoding="utf-8")
    west_only = load_policy(path)
    loans = [make_loan("JJ0001", days=10, row=2), make_loan("JJ0002", days=10, row=3, branch="城西支行")]
    with Register(tmp_path / "register.sqlite") as register:
        result = make_letters(loans, AS_OF, tmp_path / "out", policy=west_only, register=register)
    assert not result.complete
    assert [w.loan_no for w in result.written] == ["JJ0002"]
    assert [(r.loan_no, r.row, r.code, r.facts) for r in result.refused] == [
        ("JJ0001", 2, "no-branch-contact", {"branch": "城东支行"})]
    assert result.refused[0].message.startswith("催收策略中没有机构“城东支行”的联系方式")


def test_a_policy_without_any_contacts_is_refused_once(tmp_path: Path) -> None:
    with Register(tmp_path / "register.sqlite") as register, pytest.raises(InputError) as info:
        make_letters([make_loan(days=10)], AS_OF, tmp_path / "out", policy=load_policy(), register=register)
    assert "letters.branches：催收策略没有任何机构的联系方式" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_missing_contract_number_is_reported_with_its_column(tmp_path: Path, policy) -> None:
    loans = [make_loan("JJ0001", days=10, row=2, contract_no=""), make_loan("JJ0002", days=10, row=3)]
    with Register(tmp_path / "register.sqlite") as register:
        result = make_letters(loans, AS_OF, tmp_path / "out", policy=policy, register=register)
    assert [w.loan_no for w in result.written] == ["JJ0002"]
    (refused,) = result.refused
    assert (refused.loan_no, refused.row) == ("JJ0001", 2)
    assert refused.code == "template-check"
    assert [(p.path, p.column) for p in refused.problems] == [("contract_no", "合同号")]
    assert refused.message.startswith("contract_no（合同号）：") and punctuation_problems(refused.message) == []


def test_issued_letters_move_the_plan_on(tmp_path: Path, policy) -> None:
    loan = make_loan("JJ0001", days=10)
    assert build_plan([loan], AS_OF, policy).entries[0].next_action == "demand-letter"
    with Register(tmp_path / "register.sqlite") as register:
        make_letters([loan], AS_OF, tmp_path / "out", policy=policy, register=register)
    entry = build_plan([loan], AS_OF, policy, issued=issued_keys(tmp_path / "register.sqlite")).entries[0]
    assert (entry.next_action, entry.warnings) == ("phone", [])


def test_issued_keys_of_a_register_not_yet_created(tmp_path: Path) -> None:
    assert issued_keys(tmp_path / "none.sqlite") == frozenset()
    assert not (tmp_path / "none.sqlite").exists()


def test_no_register_file_is_answered_without_the_registers_code(tmp_path: Path) -> None:
    import subprocess
    import sys

    # A fresh interpreter: what asking imported is exactly what the answer needed.
    probe = ("import sys; from docgen.loans.letters import issued_keys; "
             "print(sorted(issued_keys(sys.argv[1])), 'docgen.documents.register' in sys.modules, "
             "'sqlite3' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "none.sqlite")], capture_output=True,
                         text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert run.stdout.split() == ["[]", "False", "False"], run.stderr[-2000:]
    # A path the system refuses is still worded as the register's path, not read as "no letters".
    with pytest.raises(InputError, match="--register"):
        issued_keys(tmp_path / ("x" * 300))


def test_every_refusal_and_letter_has_english_for_the_service_job_page() -> None:
    # The English job page words every refused letter in English (Outcome.worded); a refusal or
    # letter added without English would end the job as an internal error, not a list of refusals.
    from docgen.loans.letters import DOCUMENTS, Outcome
    from docgen.loans.messages import DOCUMENT_NAMES_EN

    assert set(DOCUMENT_NAMES_EN) == set(DOCUMENTS)
    for code in sorted(Outcome.REFUSALS):
        for document in DOCUMENTS:
            outcome = Outcome(loan_no="L1", row=2, code=code, document=document)
            said = outcome.worded("en")  # the ledger's column names stay Chinese, as the clerk's headers are
            if code != "template-check":  # worded from its problems, none here
                assert said != outcome.worded("zh") and said[:1].isascii(), (code, said)
