"""README.md's generated sections (tools/gen_docs.py): current in the repository, and stale ones caught."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from scripts import ROOT, load_script

from docgen import cli


@pytest.fixture(scope="module")
def gen_docs():
    return load_script("tools/gen_docs.py")


def test_readme_is_current() -> None:
    """CI fails here when a command, an option or a JSON shape changed without regenerating."""
    result = subprocess.run([sys.executable, "tools/gen_docs.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_readme_keeps_its_first_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# docgen\n\n```bash\n"
                           "bash .ci/setup --demo && bash examples/demo.sh\n"
                           "bash .ci/setup && .venv/bin/python -m pytest -q\n```\n")


def _copy(tmp_path: Path, change=lambda text: text) -> Path:
    readme = tmp_path / "README.md"
    readme.write_text(change((ROOT / "README.md").read_text(encoding="utf-8")), encoding="utf-8")
    return readme


def test_a_renamed_option_makes_the_table_stale_and_regenerating_fixes_it(gen_docs, tmp_path, capsys) -> None:
    readme = _copy(tmp_path, lambda t: t.replace("[--skip-invalid]", "[--skip-bad-rows]", 1))
    assert gen_docs.run(check=True, readme=readme) == 1
    assert capsys.readouterr().err == "README.md: section 'commands' is stale; run: python tools/gen_docs.py\n"
    assert gen_docs.run(check=False, readme=readme) == 0
    assert readme.read_text(encoding="utf-8") == (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen_docs.run(check=True, readme=readme) == 0


def test_an_edited_shape_is_named(gen_docs, tmp_path, capsys) -> None:
    readme = _copy(tmp_path, lambda t: t.replace('"npl_ratio", ', "", 1))
    assert gen_docs.run(check=True, readme=readme) == 1
    assert "section 'shape docgen.loans.shapes:NPL_FIGURES_JSON' is stale" in capsys.readouterr().err


def _check_with(gen_docs, tmp_path: Path, capsys, appended: str) -> str:
    """Return what ``--check`` reports on the README with ``appended`` at its end (it must fail)."""
    readme = _copy(tmp_path, lambda t: t + appended)
    assert gen_docs.run(check=True, readme=readme) == 1
    return capsys.readouterr().err


def test_missing_constant_and_unknown_kind_are_errors(gen_docs, tmp_path, capsys) -> None:
    err = _check_with(gen_docs, tmp_path, capsys, "\n<!-- gen:shape docgen.loans.shapes:NO_SUCH -->\n<!-- /gen -->\n"
                                                  "<!-- gen:chart x --><!-- /gen -->\n")
    assert "section 'shape docgen.loans.shapes:NO_SUCH': docgen.loans.shapes:NO_SUCH does not exist" in err
    assert "section 'chart x': unknown kind 'chart' (known: commands, shape, values, table)" in err


def test_a_table_section_needs_rows_of_one_width(gen_docs, tmp_path, capsys) -> None:
    err = _check_with(gen_docs, tmp_path, capsys,
                      "\n<!-- gen:table docgen.loans.ledger_extensions:EXTENSION_COLUMNS -->\n<!-- /gen -->\n")
    assert ("section 'table docgen.loans.ledger_extensions:EXTENSION_COLUMNS': docgen.loans.ledger_extensions:"
            "EXTENSION_COLUMNS must give a header row and at least one row, all of one width") in err


def test_hand_written_commands_and_options_are_checked(gen_docs, tmp_path, capsys) -> None:
    err = _check_with(gen_docs, tmp_path, capsys, "\nRun `docgen check DIR --strict` or `docgen checks DIR`; "
                                                  "`--frobnicate FILE` does it all; it prints "
                                                  '`{"draft", "annex"}`.\n')
    assert "hand-written text 'docgen check DIR --strict': docgen check has no option --strict" in err
    assert "'docgen checks DIR': docgen needs one of its sub-commands" in err
    assert "'--frobnicate FILE': no docgen command has the option --frobnicate" in err
    assert "'{\"draft\", \"annex\"}'…: a JSON shape written by hand; declare it in docgen/<part>/shapes.py" in err


def test_a_new_command_needs_an_audience(gen_docs, tmp_path, monkeypatch, capsys) -> None:
    name = "example-new-command"  # never a real command: a real one would already have its audience
    assert name not in cli.COMMAND_MODULES

    @click.command(name)
    def new_command() -> None:
        """Do something new.

        \b
        Example:
          docgen example-new-command
        """

    monkeypatch.setitem(cli.COMMAND_MODULES, name, "fake")
    real_get = cli.LazyGroup.get_command
    monkeypatch.setattr(cli.LazyGroup, "get_command",
                        lambda self, ctx, cmd: new_command if cmd == name else real_get(self, ctx, cmd))
    readme = _copy(tmp_path)
    assert gen_docs.run(check=True, readme=readme) == 1
    assert (f"section 'commands': command '{name}' has no entry in docgen.cli.COMMAND_AUDIENCE: add who uses it"
            in capsys.readouterr().err)
    monkeypatch.setitem(cli.COMMAND_AUDIENCE, name, "credit staff")
    assert gen_docs.run(check=False, readme=readme) == 0
    assert f"| credit staff | `docgen {name}` | Do something new. |" in readme.read_text(encoding="utf-8")


def test_generating_twice_changes_nothing(gen_docs, tmp_path) -> None:
    readme = _copy(tmp_path)
    before = readme.read_text(encoding="utf-8")
    assert gen_docs.run(check=False, readme=readme) == 0
    assert readme.read_text(encoding="utf-8") == before


def test_the_demo_of_the_first_command_uses_real_commands_and_options() -> None:
    """examples/demo.sh (the README's first command) breaks with a renamed option: catch it here."""
    from docgen.cli.tree import example_problems

    script = (ROOT / "examples" / "demo.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = ["docgen " + line.split('"$DOCGEN" ', 1)[1] for line in script.splitlines()
             if line.lstrip().startswith('run "$DOCGEN" ')]
    assert len(lines) >= 10
    assert [p for line in lines for p in example_problems(cli.main, line)] == []
