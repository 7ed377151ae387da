"""A plan looks up in the register only the keys of loans it holds some key of: a loan it holds
none of is planned as with an empty register, and planned the same."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from collect_helpers import AS_OF, make_loan

from docgen.loans import plan as plan_module
from docgen.loans.letters import IssuedKeys
from docgen.loans.plan import (
    balance_notices_due,
    build_plan,
    held_loans,
    key_beginnings,
    letter_key,
    load_policy,
    loan_guarantee,
    plan_entry,
)


class Asked(frozenset):
    """The register's keys, noting every key a plan asks of them."""

    def __new__(cls, keys):
        self = super().__new__(cls, keys)
        self.asked = []
        return self

    def __contains__(self, key: object) -> bool:
        self.asked.append(key)
        return super().__contains__(key)

    def loan_numbers(self) -> frozenset[str]:
        return key_beginnings(self)


def _entries(plan) -> list[dict]:
    return [entry.to_dict() for entry in plan.entries]


def test_a_keys_loan_number_is_any_of_its_beginnings_up_to_a_colon() -> None:
    assert key_beginnings(["JJ:1:demand-letter:2026-11-19", "JJ2:guarantor-demand:2026-11-19:甲", 7, "无冒号"]) == {
        "JJ", "JJ:1", "JJ:1:demand-letter", "JJ2", "JJ2:guarantor-demand", "JJ2:guarantor-demand:2026-11-19"}
    assert held_loans({"JJ1:demand-letter:2026-11-19"}) == {"JJ1", "JJ1:demand-letter"}
    assert held_loans(frozenset()) == frozenset()

    class Keys:  # a container that cannot list its keys: any loan may have one
        def __contains__(self, key: object) -> bool:
            return False

    assert held_loans(Keys()) is None


def test_the_registers_keys_name_the_loans_of_the_letters_they_are_read_into() -> None:
    # A declaring key is read into an earlier version's ordinary letter (its recorded file).
    keys = IssuedKeys(["JJ1:demand-letter:2026-11-19"], files={"JJ2:demand-letter:2026-11-19": ("a.docx", "0" * 64)})
    assert {"JJ1", "JJ2"} <= keys.loan_numbers()
    assert "JJ3" not in keys.loan_numbers() and IssuedKeys(()).loan_numbers() == frozenset()


def test_no_key_of_a_loan_the_register_holds_none_of_is_looked_up() -> None:
    policy = load_policy()
    held = make_loan("JJ1", days=20, guarantors=["甲"])
    others = [make_loan("JJ2", days=20, guarantors=["乙"]), make_loan("JJ:3", days=120, guarantors=["丙"],
                                                                       litigation="已起诉"),
              make_loan("JJ4", days=30, guarantors=["丁"], maturity=AS_OF - dt.timedelta(days=30),
                        guarantor_demanded=AS_OF - dt.timedelta(days=40))]
    loans = [held, *others]
    keys = Asked([letter_key(held), "JJ:demand-letter:2026-01-01"])
    plan = build_plan(loans, AS_OF, policy, issued=keys)
    assert keys.asked and all(key.startswith("JJ1:") for key in keys.asked)
    # Planned one by one with every key looked up: the same entries.
    alone = [plan_entry(loan, AS_OF, dataclasses.replace(policy), frozenset(keys)) for loan in loans]
    assert _entries(plan) == [entry.to_dict() for entry in sorted(alone, key=plan_module._order)]
    assert plan.entries[0].loan_no != "JJ1" or plan.entries[0].next_action != "demand-letter"


def test_an_empty_register_asks_no_step_whether_it_is_done_unless_the_loan_is_in_court(
        monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy()
    steps = plan_module._step_done

    def refused(step, loan, issued, since):
        assert loan.suit_filed, "asked of a loan no step of which can be done"
        return steps(step, loan, issued, since)

    monkeypatch.setattr(plan_module, "_step_done", refused)
    unsued = plan_entry(make_loan(days=120), AS_OF, policy)
    assert unsued.next_action == "demand-letter" and "legal-action-overdue" in unsued.warnings
    sued = plan_entry(make_loan(days=120, litigation="已起诉"), AS_OF, policy)
    assert sued.next_action not in ("demand-letter", "legal-action") and not sued.warnings


def _balance_loans() -> list:
    maturity = AS_OF - dt.timedelta(days=20)
    loans = []
    for demanded in (None, maturity - dt.timedelta(days=5), maturity, maturity + dt.timedelta(days=5)):
        for filed in (None, maturity - dt.timedelta(days=10), maturity + dt.timedelta(days=10)):
            for matures in (maturity, AS_OF, AS_OF + dt.timedelta(days=1)):
                loans.append(make_loan(f"JJ{len(loans)}", days=30, guarantors=["甲", "乙"], maturity=matures,
                                       guarantor_demanded=demanded, litigation_filed=filed,
                                       litigation="未起诉" if filed is None else "已起诉",
                                       balance=Decimal("300000")))
    return loans


def test_guarantors_to_ask_for_the_balance_are_those_the_register_would_name(monkeypatch) -> None:
    policy = load_policy()
    unrelated = frozenset({"JJX:guarantor-demand:2026-01-01:甲"})
    due = []
    for loan in _balance_loans():
        guarantee = loan_guarantee(loan, AS_OF, policy, frozenset())
        nothing = balance_notices_due(loan, AS_OF, policy, frozenset(), guarantee)
        assert nothing == balance_notices_due(loan, AS_OF, policy, unrelated, guarantee), loan
        due.append(bool(nothing))
    assert any(due) and not all(due)


def test_an_empty_register_makes_no_key_to_find_the_guarantors_asked_for_the_balance(monkeypatch) -> None:
    policy = load_policy()
    loans = _balance_loans()
    guarantees = [loan_guarantee(loan, AS_OF, policy, frozenset()) for loan in loans]

    def refused(*args, **kwargs):
        raise AssertionError("a key made for an empty register")

    monkeypatch.setattr(plan_module, "letter_key", refused)
    assert any(balance_notices_due(loan, AS_OF, policy, frozenset(), guarantee)
               for loan, guarantee in zip(loans, guarantees))
