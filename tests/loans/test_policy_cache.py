"""A collection policy read again is built from its validated form in the cache (``plan.load_policy``):
the same policy as read from its files, without YAML, cerberus or Jinja2; any change to a file
misses, a damaged entry is read past, a policy that fails its checks is never kept."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from collect_helpers import AS_OF, make_loan

from docgen.core.errors import InputError
from docgen.loans import plan as plan_module
from docgen.loans.plan import build_plan, load_policy

ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
warning_days: 45
timetable:
  - {action: phone, from: 1, to: 3}
  - {action: guarantor-demand, from: 4, to: 60, when: loan.guarantors}
  - {action: demand-letter, from: 7, due: 9, once: true}
  - {action: legal-action, from: 61, once: true, when: "loan.balance | int >= 500000"}
  - {action: phone, from: 8}
letters:
  bank_legal_name: 某某农村商业银行股份有限公司
"""


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/policy-*.json"))


def _same(first: plan_module.Policy, second: plan_module.Policy) -> None:
    """The two policies read alike: every field, each step's condition by its source and plan."""
    for name in ("buckets", "seed_buckets", "warning_days", "limitation_years", "guarantee_months", "pay_within_days",
                 "penalty_daily_rate", "branches", "source", "enforcement_years", "overdue_normal_grace_days",
                 "accelerate", "bank_legal_name", "service_margin_days"):
        assert getattr(first, name) == getattr(second, name), name
    assert first.vocabulary.lookup == second.vocabulary.lookup
    steps = [(dataclasses.replace(step, when=None), step.when and (step.when.source, step.when.plan))
             for step in first.timetable]
    assert steps == [(dataclasses.replace(step, when=None), step.when and (step.when.source, step.when.plan))
                     for step in second.timetable]


def _loans() -> list:
    return [make_loan(f"JJ{days:03d}{len(guarantors)}", days=days, guarantors=guarantors, balance=balance)
            for days in (2, 5, 8, 70) for guarantors, balance in (((), Decimal("50000")), (["甲"], Decimal("600000")))]


def test_a_policy_read_again_comes_from_the_cache_and_plans_alike(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    cache = Path(plan_module.__file__)  # any module: the folder is the test's own (conftest)
    del cache
    parsed = load_policy(path)
    (entry,) = _entries(tmp_path.parent.parent)  if False else _entries(_cache_folder())
    cached = load_policy(path)
    _same(parsed, cached)
    # The condition with a filter has no plan: from the cache Jinja2 compiles it when first asked.
    assert [step.when.plan is None for step in cached.timetable if step.when] == [False, True]
    loans = _loans()
    assert ([entry.to_dict() for entry in build_plan(loans, AS_OF, parsed).entries]
            == [entry.to_dict() for entry in build_plan(loans, AS_OF, cached).entries])
    assert entry.exists()


def _cache_folder() -> Path:
    from docgen.core.userdirs import cache_dir

    folder = cache_dir()
    assert folder is not None
    return folder


def test_a_process_reading_a_kept_policy_imports_neither_yaml_cerberus_nor_jinja2(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    probe = ("import sys; from docgen.loans.plan import load_policy; p = load_policy(sys.argv[1]); "
             "print(p.warning_days, p.bank_legal_name, sorted(m for m in ('yaml', 'cerberus', 'jinja2') "
             "if m in sys.modules))")
    env = {"DOCGEN_CACHE_DIR": str(tmp_path / "cache")}

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=120,
                              cwd=ROOT, env={**os.environ, **env})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.split()

    assert run() == ["45", "某某农村商业银行股份有限公司", "['cerberus',", "'jinja2',", "'yaml']"]
    assert run() == ["45", "某某农村商业银行股份有限公司", "[]"]


def test_a_changed_file_misses_and_a_damaged_entry_is_read_past(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    assert load_policy(path).warning_days == 45
    path.write_text(POLICY.replace("warning_days: 45", "warning_days: 30"), encoding="utf-8")
    assert load_policy(path).warning_days == 30
    for entry in _entries(_cache_folder()):
        entry.write_text('{"doc": ["m", [["warning_days", 1]]], "plans": {}}', encoding="utf-8")
    again = load_policy(path)
    assert again.warning_days == 30 and len(again.timetable) == 5
    for entry in _entries(_cache_folder()):
        entry.write_text("{not json", encoding="utf-8")
    assert load_policy(path).warning_days == 30
    # The same bytes named otherwise: the name is in its messages, so it is a policy of its own.
    other = tmp_path / "other.yaml"
    other.write_bytes(path.read_bytes())
    assert load_policy(other).source == str(other)


def test_a_policy_that_fails_its_checks_is_never_kept(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("warning_days: -1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            load_policy(path)
        assert "warning_days" in str(raised.value)
    assert _entries(_cache_folder()) == []


def test_the_default_policy_is_kept_beside_it_for_a_new_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    kept = tmp_path / "package" / "__pycache__" / "collection-policy.policy.json"
    monkeypatch.setattr(plan_module, "_kept_default", lambda: kept)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    first = load_policy()
    assert json.loads(kept.read_text(encoding="utf-8"))["key"]
    # A new account: an empty cache folder, the form kept beside the package serves.
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "new-account"))
    monkeypatch.setattr(plan_module, "_build_policy", _refuse_validation(plan_module._build_policy))
    _same(first, load_policy())
    # A kept form of other bytes (another docgen's default) is not used.
    data = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({**data, "key": "0" * 64}), encoding="utf-8")
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "third-account"))
    with pytest.raises(AssertionError, match="validated again"):
        load_policy()


def _refuse_validation(build: object) -> object:
    def built(raw: dict, source: str, *, plans: object = None, kept: object = None) -> object:
        assert plans is not None, "validated again"
        return build(raw, source, plans=plans, kept=kept)  # type: ignore[operator]
    return built
