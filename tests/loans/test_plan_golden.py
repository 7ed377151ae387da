"""Plan entries pinned: what the code gave before its entries were made with fewer calls (commit
d837df8: each entry's JSON made by calls, every deadline watched by a closure, every timetable
condition asked of every loan) is what it must give now, for synthetic loans made to sit on the
edges the later code tests first.

``plan_golden.json`` holds, for each as-of date, register and policy below, a digest of the plan's
JSON (``Plan.to_list()``, each warning's sentence left out: wording may change, its code and facts
may not) or the error the plan raised, and for each overdue loan planned alone (``plan_entry``,
the policy shared by the loans before it) the digest of its entry or the code of its error and the
step it names. The loans: deadlines (limitation, enforcement, guarantee, claim against the
guarantor) on, a day before and a day after the as-of date, the warning window's and the service
margin's last days; amounts of any exponent and zeros of both signs; no, one or two guarantors of
either kind; every litigation state; once steps done or not (the register a set of keys, or one
that dates its letters, as ``letters.IssuedKeys``). The policies: the default; one whose
conditions read fields that are None; three whose conditions the sandbox refuses, on steps some
loans reach and others do not (past the step's window, no guarantor to call). Made again, only by a
change meant to change some entries, from the tree under review::

    python tests/loans/test_plan_golden.py /path/to/tree   # writes tests/loans/plan_golden.json

then compared with the file before, entry by entry (each scenario's ``entries``, one per overdue loan in
the order made): only the loans the change is about may differ, and the commit says which and why. A
key added to the JSON is left out of the digest while null (``_ADDED_WHEN_SET``), so the entries it is
null in keep theirs.

Comparing today's entries with themselves (shared answers, a policy per loan) cannot catch an entry
made wrong both ways; these can.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from collections.abc import Container
from decimal import Decimal
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).with_name("plan_golden.json")
SEED = 20261203
LOANS = 150
AS_OFS = (dt.date(2026, 3, 31), dt.date(2026, 11, 28), dt.date(2028, 2, 29), dt.date(2029, 7, 1))
REGISTERS = ("empty", "keys", "dated")
_BRANCHES = """\
letters:
  service_margin_days: {margin}
  branches:
    default: {{address: 杭州市西湖区文三路1号, phone: 0571-88000000, contact: 风险管理部}}
"""
#: name -> (timetable and other keys, or None for the default policy; its warning days and service margin)
POLICIES: dict[str, tuple[str | None, int, int]] = {
    "default": (None, 90, 15),
    "fields-none": ("""\
timetable:
  - {action: phone, from: 1, to: 3, when: "loan.penalty_rate >= 0.0005"}
  - {action: visit, from: 4, to: 6, when: loan.balance >= 100000}
  - {action: guarantor-demand, from: 4, to: 60, when: "loan.guarantor_demanded is none"}
  - {action: demand-letter, from: 7, due: 9, once: true, when: "loan.overdue_interest > 0"}
  - {action: guarantor-demand, from: 20, to: 90, when: "loan.guarantors | length > 1"}
  - {action: phone, from: 8, to: 90, when: "loan.judgment_due > loan.maturity"}
  - {action: legal-action, from: 61, once: true, when: "loan.balance | int >= 500000"}
  - {action: legal-action, from: 80, due: 95, once: true, when: "loan.litigation_filed.year > 2020"}
  - {action: phone, from: 91}
warning_days: 0
""", 0, 0),
    "refused-early": ("""\
timetable:
  - {action: phone, from: 1, to: 3}
  - {action: visit, from: 4, to: 6, when: "loan.borrower * 20000"}
  - {action: guarantor-demand, from: 4, to: 30, when: "loan.guarantors and loan.borrower * 30000"}
  - {action: demand-letter, from: 7, due: 7, once: true}
  - {action: phone, from: 8}
accelerate: true
warning_days: 400
""", 400, 365),
    "refused-rare": ("""\
timetable:
  - {action: phone, from: 1, to: 5}
  - {action: guarantor-demand, from: 1, to: 60, when: "loan.guarantors or loan.borrower * 20000"}
  - {action: visit, from: 6, to: 40, when: "loan.accelerated and loan.guarantors | length > 1 and loan.borrower * 20000"}
  - {action: demand-letter, from: 7, due: 8, once: true, when: "loan.penalty_rate is none or loan.penalty_rate > 0"}
  - {action: legal-action, from: 30, due: 45, once: true, when: "loan.balance > 0"}
  - {action: phone, from: 6}
""", 90, 15),
    "refused-late": ("""\
timetable:
  - {action: phone, from: 1, to: 30}
  - {action: demand-letter, from: 7, due: 10, once: true, when: "loan.guarantee_type == '一般保证'"}
  - {action: legal-action, from: 200, once: true, when: "loan.officer * 20000"}
  - {action: guarantor-demand, from: 31, to: 120, when: "loan.guarantee_period_end is none or loan.guarantors"}
  - {action: phone, from: 31}
warning_days: 15
""", 15, 15),
}
AMOUNTS = ("0", "-0", "0.00", "0E+2", "-0.00", "1234.50", "1234.5", "1.2345E+3", "600000", "600000.00", "6E+5",
           "499999.99", "100000", "0.01", "1523.45", "99999.995")
LITIGATION = ("", "未起诉", "已起诉", "已判决", "执行中", "终结本次执行", "已撤诉", "已结案")


def _years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


def _months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise AssertionError(day)


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.6:
        return Decimal(rng.choice(AMOUNTS))
    return Decimal(rng.randrange(0, 10**8)) / Decimal(10 ** rng.choice((0, 1, 2, 3)))


def _edge(rng: random.Random, as_of: dt.date) -> dt.date:
    """Return a day on or beside the as-of date or the last day of a policy's window."""
    return as_of + dt.timedelta(days=rng.choice((-1, 0, 1, 14, 15, 16, 89, 90, 91, 364, 365, 366, 399, 400, 401))
                                + rng.choice((0, 0, 0, -1, 1)))


def synthetic_loans(rng: random.Random, as_of: dt.date) -> list[Any]:
    """Return ``LOANS`` loans around ``as_of``: most overdue, some current or dated after it."""
    from docgen.loans.ledger import Loan

    loans = []
    for i in range(LOANS):
        kind = rng.random()
        if kind < 0.25:  # the limitation period ends on an edge
            maturity = _years(_edge(rng, as_of), -3)
        elif kind < 0.45:  # the guarantee period
            maturity = _months(_edge(rng, as_of), -6)
        else:
            maturity = as_of + dt.timedelta(days=rng.randrange(-6 * 365, 2 * 365))
        kind = rng.random()
        if kind < 0.2:
            since = None
        elif kind < 0.3:
            since = maturity + dt.timedelta(days=rng.choice((-1, 0, 1, 2)))
        elif kind < 0.9:
            since = as_of - dt.timedelta(days=rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 60, 61, 79, 80, 89, 90,
                                                          91, 94, 95, 96, 120, 121, 199, 200, 400, 1200)))
        else:
            since = as_of + dt.timedelta(days=rng.randrange(1, 30))
        guarantors = rng.choice(((), (), ("甲",), ("甲", "乙"), ("保丙",)))
        kind_of = rng.choice(("连带责任保证", "连带责任保证", "一般保证", "")) if guarantors else rng.choice(("", "", "连带责任保证"))
        litigation = rng.choice(LITIGATION)
        filed = None
        if litigation not in ("", "未起诉") or rng.random() < 0.1:
            filed = as_of - dt.timedelta(days=rng.randrange(0, 2000))
        judgment = None
        if litigation in ("已判决", "执行中") and rng.random() < 0.85:
            judgment = (_years(_edge(rng, as_of), -2) if rng.random() < 0.8
                        else as_of - dt.timedelta(days=rng.randrange(0, 1500)))
        demanded = None
        if guarantors and rng.random() < 0.4:
            demanded = (_years(_edge(rng, as_of), -3) if rng.random() < 0.5
                        else maturity + dt.timedelta(days=rng.randrange(-60, 400)))
        interruption, event = None, ""
        if rng.random() < 0.25:
            interruption = (_years(_edge(rng, as_of), -3) if rng.random() < 0.5
                            else as_of - dt.timedelta(days=rng.randrange(0, 1500)))
            event = rng.choice(("催收送达", "债务人确认", "部分还款", "起诉", ""))
        agreed = None
        if rng.random() < 0.2:
            agreed = _edge(rng, as_of) if rng.random() < 0.5 else maturity + dt.timedelta(days=rng.randrange(-30, 900))
        disbursed = (min(maturity, as_of) - dt.timedelta(days=rng.choice((30, 365, 700))) if rng.random() > 0.03
                     else as_of + dt.timedelta(days=3))
        loans.append(Loan(
            loan_no=f"JJ{i:03d}" + (":x" if i % 37 == 0 else ""), contract_no=f"HT{i}",
            borrower=rng.choice(("借款人甲", "杭州云栖贸易有限公司")), id_number="110105198001010011",
            branch=rng.choice(("城东支行", "城西支行")), officer=rng.choice(("王五", "赵六")), product="小微经营贷",
            disbursed_on=disbursed, maturity=maturity, principal=Decimal("500000"), balance=_amount(rng),
            overdue_since=since, overdue_principal=_amount(rng), overdue_interest=_amount(rng),
            classification=rng.choice(("关注", "次级", "正常")), on_balance=True, recovered=Decimal(0),
            guarantors=guarantors, guarantee_period_end=agreed, litigation=litigation, last_interruption=interruption,
            row=i + 2, interruption_type=event, litigation_filed=filed, judgment_due=judgment, guarantee_type=kind_of,
            guarantor_demanded=demanded,
            penalty_rate=rng.choice((None, None, Decimal("0"), Decimal("0.0005"), Decimal("0.00050"), Decimal("0.0003"))),
            accelerated=rng.random() < 0.2, guarantor_addresses=tuple("杭州市西湖区文三路2号" for _ in guarantors)))
    return loans


class DatedKeys(frozenset):  # type: ignore[type-arg]
    """A register's keys that dates its letters as ``letters.IssuedKeys`` does (from given dates, not files)."""

    _bears: dict[str, dt.date]
    _dated: dict[str, dt.date]

    def __new__(cls, keys: set[str], bears: dict[str, dt.date], dated: dict[str, dt.date]) -> DatedKeys:
        self = super().__new__(cls, keys)
        self._bears, self._dated = bears, dated
        return self

    def recorded(self, key: str) -> bool:
        return super().__contains__(key)

    def bears_date(self, key: str) -> dt.date | None:
        return self._bears.get(key)

    def issued_on(self, key: str) -> dt.date | None:
        return self._dated.get(key) if key in self else None

    def loan_numbers(self) -> frozenset[str]:
        from docgen.loans.plan import key_beginnings

        return key_beginnings(self)


def synthetic_register(rng: random.Random, loans: list[Any], as_of: dt.date, kind: str) -> Container[str]:
    """Return a register of ``kind`` (``REGISTERS``) holding letters of some of ``loans``."""
    from docgen.loans.plan import letter_key, overdue_start

    if kind == "empty":
        return frozenset()
    keys: set[str] = set()
    bears: dict[str, dt.date] = {}
    dated: dict[str, dt.date] = {}
    for loan in loans:
        if overdue_start(loan) is None or rng.random() < 0.3:
            continue
        if rng.random() < 0.5:
            keys.add(letter_key(loan))
        if rng.random() < 0.15:
            keys.add(letter_key(loan, "debt-confirmation"))
        if rng.random() < 0.3:
            key = letter_key(loan, declaring=True)
            keys.add(key)
            dated[key] = as_of - dt.timedelta(days=rng.randrange(0, 400))
        for name in loan.guarantors:
            for way in ({}, {"declaring": True}, {"balance": True}):
                if rng.random() < 0.3:
                    key = letter_key(loan, "guarantor-demand", name, **way)
                    keys.add(key)
                    if rng.random() < 0.6:
                        bears[key] = loan.maturity + dt.timedelta(days=rng.choice((-10, 0, 1, 30)))
    return frozenset(keys) if kind == "keys" else DatedKeys(keys, bears, dated)


#: Keys of an entry's ``guarantee`` added after the file was first made: digested only when set.
_ADDED_WHEN_SET = ("withdrawn",)


def _digest(item: dict[str, Any], entry: Any) -> str:
    """Return the digest of ``item`` (an entry's JSON object) without its warnings' sentences, with what
    the entry holds beside its JSON (``urgent_date``, ``balance_guarantors``, ``guarantors``), and
    without the ``_ADDED_WHEN_SET`` keys of its guarantee that are null."""
    guarantee = item["guarantee"]
    if guarantee is not None:
        item = {**item, "guarantee": {key: value for key, value in guarantee.items()
                                      if value is not None or key not in _ADDED_WHEN_SET}}
    item = {**item, "warning_details": [{**detail, "message": ""} for detail in item["warning_details"]],
            "~": [str(entry.urgent_date), entry.balance_guarantors, entry.guarantors]}
    # json writes a float as repr does (-0.0 keeps its sign), as the CLI's orjson does
    text = json.dumps(item, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _error(exc: Exception) -> str:
    where = str(getattr(exc, "facts", {}).get("where", ""))
    return f"{getattr(exc, 'code', None) or type(exc).__name__} {where.rpartition('：')[2]}"


def outcomes(folder: Path) -> dict[str, Any]:
    """Return each scenario's plan digest (or error) and its overdue loans' entry digests (or errors)."""
    from docgen.core.errors import DocgenError
    from docgen.loans.plan import build_plan, dated_after, is_overdue, load_policy, plan_entry

    policies = {}
    for name, (text, _, margin) in POLICIES.items():
        if text is None:
            policies[name] = load_policy()
        else:
            path = folder / f"{name}.yaml"
            path.write_text(text + _BRANCHES.format(margin=margin), encoding="utf-8")
            policies[name] = load_policy(path)
    rng = random.Random(SEED)
    out: dict[str, Any] = {}
    for as_of in AS_OFS:
        loans = synthetic_loans(rng, as_of)
        for kind in REGISTERS:
            issued = synthetic_register(rng, loans, as_of, kind)
            for name, policy in policies.items():
                try:
                    plan = build_plan(loans, as_of, policy, issued=issued)
                except DocgenError as exc:
                    whole = _error(exc)
                else:
                    whole = hashlib.sha256(json.dumps(
                        [[_digest(item, entry), entry.loan_no] for item, entry in zip(plan.to_list(), plan.entries)]
                        + [plan.after_as_of], ensure_ascii=False).encode()).hexdigest()[:16]
                each = []
                for loan in loans:
                    if dated_after(loan, as_of) or not is_overdue(loan, as_of):
                        continue
                    try:
                        entry = plan_entry(loan, as_of, policy, issued)
                    except DocgenError as exc:
                        each.append(_error(exc))
                    else:
                        each.append(_digest(entry.to_dict(), entry))
                out[f"{as_of.isoformat()} {kind} {name}"] = {"plan": whole, "entries": " | ".join(each)}
    return out


def test_the_plans_and_entries_are_those_pinned(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = outcomes(tmp_path)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name]["plan"] == expected[name]["plan"], name
        for at, (mine, pinned) in enumerate(zip(got[name]["entries"].split(" | "), expected[name]["entries"].split(" | "))):
            assert mine == pinned, (name, at)
        assert got[name]["entries"] == expected[name]["entries"], name


def test_the_scenarios_reach_the_edges_they_are_made_for(tmp_path: Path) -> None:
    # The loans above do sit where the code branches: deadlines on the windows' edges, zeros of both
    # signs, refused conditions raised and not reached, plans made and refused.
    from docgen.loans.plan import build_plan, load_policy

    policy = load_policy()
    rng = random.Random(SEED)
    edges: set[tuple[str, int]] = set()
    signs: set[str] = set()
    for as_of in AS_OFS:
        loans = synthetic_loans(rng, as_of)
        for kind in REGISTERS:
            synthetic_register(rng, loans, as_of, kind)  # as outcomes draws them
        for entry in build_plan(loans, as_of, policy).entries:
            for name, day in (("limitation", entry.limitation_deadline), ("enforcement", entry.enforcement_deadline),
                              ("guarantee", entry.guarantee_deadline)):
                if day is not None:
                    edges.add((name, (day - as_of).days))
            for value in (entry.balance, entry.overdue_interest):
                if not value:
                    signs.add(str(value)[:1])
    # (The default policy's window ends 90 days on; the one of fields-none on the as-of date.)
    assert {(name, days) for name in ("limitation", "guarantee") for days in (-1, 0, 1, 90, 91)} <= edges
    assert {("enforcement", days) for days in (-1, 0, 90, 91)} <= edges
    assert signs == {"0", "-"}
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    results = [value for scenario in golden.values() for value in scenario["entries"].split(" | ")]
    assert any(value.startswith("condition-refused") for value in results)
    assert sum(not value.startswith("condition-refused") for value in results) > 1000
    plans = [scenario["plan"] for name, scenario in golden.items() if "refused" in name]
    assert any(plan.startswith("condition-refused") for plan in plans)
    assert any(not plan.startswith("condition-refused") for plan in plans)


if __name__ == "__main__":  # python tests/loans/test_plan_golden.py OLD_TREE: write the golden file
    import subprocess
    import tempfile

    if len(sys.argv) == 2:
        subprocess.run([sys.executable, __file__, sys.argv[1], "-"], check=True,
                       env={"PYTHONPATH": sys.argv[1], "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    else:
        import docgen

        assert docgen.__file__.startswith(sys.argv[1]), docgen.__file__
        with tempfile.TemporaryDirectory() as scratch:
            GOLDEN.write_text(json.dumps(outcomes(Path(scratch)), ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                              encoding="utf-8")
