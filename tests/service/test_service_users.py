"""Users: argon2 hashes, roles, disable and set-password; ``docgen users`` exit codes and messages."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.errors import UserError
from docgen.service.users import UserStore


@pytest.fixture
def store(tmp_path):
    return UserStore(tmp_path / "service.sqlite")


def test_passwords_are_argon2_hashes_and_verify(store, tmp_path):
    store.add("wang", "credit", "secret-pass-1")
    stored = sqlite3.connect(tmp_path / "service.sqlite").execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "secret-pass-1" not in stored
    assert store.authenticate("wang", "secret-pass-1").role == "credit"
    assert store.authenticate("wang", "wrong-pass-1") is None
    assert store.authenticate("nobody", "secret-pass-1") is None


def test_bad_names_roles_passwords_and_duplicates_are_refused(store):
    store.add("wang", "credit", "secret-pass-1")
    with pytest.raises(UserError, match="已存在"):
        store.add("wang", "admin", "secret-pass-2")
    with pytest.raises(UserError, match="角色“boss”无效"):
        store.add("li", "boss", "secret-pass-2")
    with pytest.raises(UserError, match="至少 8 个字符"):
        store.add("li", "credit", "short")
    with pytest.raises(UserError, match="用户名"):
        store.add("../li", "credit", "secret-pass-2")
    with pytest.raises(UserError, match="没有用户 zhao"):
        store.disable("zhao")


def test_disable_and_set_password_move_the_version(store):
    first = store.add("wang", "credit", "secret-pass-1")
    disabled = store.disable("wang")
    assert not disabled.active and disabled.version == first.version + 1
    assert store.authenticate("wang", "secret-pass-1") is None
    again = store.set_password("wang", "secret-pass-2")
    assert again.active and again.version == first.version + 2
    assert store.authenticate("wang", "secret-pass-2") is not None


def test_cli_add_list_disable_set_password(tmp_path, monkeypatch):
    data = str(tmp_path / "data")
    runner = CliRunner()
    monkeypatch.setenv("DOCGEN_PASSWORD", "secret-pass-1")
    added = runner.invoke(main, ["users", "add", "wang", "--role", "credit", "--data", data])
    assert added.exit_code == 0 and added.stdout == "已添加用户 wang（角色 credit）\n"
    again = runner.invoke(main, ["users", "add", "wang", "--role", "credit", "--data", data])
    assert again.exit_code == 1
    assert "用户 wang 已存在；改密码请用 docgen users set-password wang" in again.output
    bad_role = runner.invoke(main, ["users", "add", "li", "--role", "boss", "--data", data])
    assert bad_role.exit_code == 2
    listed = runner.invoke(main, ["users", "list", "--data", data, "--format", "json"])
    assert listed.exit_code == 0 and '"name": "wang"' in listed.stdout and '"active": true' in listed.stdout
    assert runner.invoke(main, ["users", "disable", "wang", "--data", data]).stdout == "已停用用户 wang\n"
    assert "已停用" in runner.invoke(main, ["users", "list", "--data", data]).stdout
    assert runner.invoke(main, ["users", "disable", "zhao", "--data", data]).exit_code == 1
    monkeypatch.delenv("DOCGEN_PASSWORD")
    changed = runner.invoke(main, ["users", "set-password", "wang", "--data", data],
                            input="secret-pass-2\nsecret-pass-2\n")
    assert changed.exit_code == 0, changed.output
    assert UserStore(tmp_path / "data" / "service.sqlite").authenticate("wang", "secret-pass-2") is not None


def test_cli_prompt_asks_twice_and_refuses_a_mismatch(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCGEN_PASSWORD", raising=False)
    data = str(tmp_path / "data")
    result = CliRunner().invoke(main, ["users", "add", "li", "--role", "manager", "--data", data],
                                input="secret-pass-1\nother-pass-1\nsecret-pass-1\nsecret-pass-1\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 2  # asked again after the mismatch
    short = CliRunner().invoke(main, ["users", "add", "zhao", "--role", "manager", "--data", data],
                               input="short\nshort\n")
    assert short.exit_code == 1 and "至少 8 个字符" in short.output
