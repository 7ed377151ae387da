"""``docgen checklist validate --lang en`` says in English whether a bank's checklist file is valid and,
when it is not, why (its YAML, its schema, what it refers to without defining it), by the same
tables as ``checklist show --lang en`` and ``check --lang en``; ``--lang zh`` says it in Chinese
alone; without ``--lang`` the valid line is in both languages and the errors in Chinese, as before.
Exit codes are the same in every language: 0 valid, 2 not.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.resources import checklists_dir
from wordingkit import typed_values

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

#: The smallest checklist the schema accepts, which the bad files below break one way each.
_GOOD = {
    "id": "bank",
    "title": {"zh": "我行清单", "en": "Our checklist"},
    "groups": {"basic": {"zh": "基本资料", "en": "Basic documents"}},
    "kinds": {"scan": ["pdf", "jpg"]},
    "items": {
        "licence": {"title": {"zh": "营业执照", "en": "Licence"}, "group": "basic", "kinds": "scan",
                    "rules": [{"rule": "waive", "when": "true", "reason": {"zh": "三证合一", "en": "merged"}}]},
        "minutes": {"title": {"zh": "会议纪要", "en": "Minutes"}, "kinds": ["pdf"],
                    "rules": [{"rule": "all-of", "items": ["licence"]}]},
    },
    "stages": [{"id": "first", "title": {"zh": "申请", "en": "Application"}, "folder": "01-申请",
                "entries": [{"no": "1", "item": "licence", "group": "basic"}, {"no": "2", "item": "minutes"}]}],
}


def _variant(change: Any) -> dict[str, Any]:
    """Return a copy of the good checklist with ``change`` (a function of the copy) applied."""
    doc = yaml.safe_load(yaml.safe_dump(_GOOD, allow_unicode=True))
    change(doc)
    return doc


def _set(path: str, value: Any) -> Any:
    """Return a change setting the key ``path`` (dots; numbers index lists) to ``value``."""
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for key in parents:
            doc = doc[key]
        doc[last] = value
    return change


def _drop(path: str) -> Any:
    """Return a change removing the key ``path``."""
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            doc = doc[int(key) if key.isdigit() else key]
        del doc[last]
    return change


#: Bad checklists as YAML documents, each broken in one place: (name, change).
_BROKEN = [
    ("schema-types", lambda d: d.update(items=3, title="x")),
    ("schema-many", lambda d: d.update(id="Bank!", stages=[], params={"equity_threshold": 2, "other": 1},
                                       kinds={"scan": ["exe"]}, extra=1)),
    ("schema-item", _set("items.licence", {"title": {"zh": ""}, "kinds": [], "provider": "nobody",
                                           "annex": "appendix", "rules": [{"rule": "nope", "days": 0}]})),
    ("schema-stage", _set("stages.0", {"id": "first", "title": {"en": "A"}, "folder": "..", "entries": "x"})),
    ("unsafe-when", _set("items.licence.rules.0.when", "borrower.__class__")),
    ("bad-when", _set("items.licence.rules.0.when", "borrower.(")),
    ("kind-set", _set("items.licence.kinds", "scans")),
    ("group", _set("items.licence.group", "other")),
    ("all-of-item", _set("items.minutes.rules.0.items", ["licence", "permit"])),
    ("all-of-cycle", _set("items.licence.rules", [{"rule": "all-of", "items": ["minutes"]}])),
    ("stage-twice", lambda d: d["stages"].append(dict(d["stages"][0]))),
    ("entry-item", _set("stages.0.entries.1.item", "permit")),
    ("entry-group", _set("stages.0.entries.0.group", "other")),
    ("rule-key", _set("items.licence.rules", [{"rule": "max-age"}])),
    ("no-title", _drop("title")),
]


#: What ``--lang en`` says after the file's name, for some of them.
_ENGLISH = {
    "schema-types": "items: should be a mapping; title: should be a mapping",
    "unsafe-when": ("items.licence.rules[0].when: expression 'borrower.__class__' is unsafe or invalid: the "
                    "attribute '__class__' begins with an underscore and is not allowed"),
    "kind-set": "items.licence.kinds: kind set 'scans' is not defined (define it under kinds, or list the file kinds)",
    "group": "items.licence.group: group 'other' is not defined (defined: basic)",
    "all-of-item": "items.minutes.rules[0].items: item 'permit' is not defined",
    "all-of-cycle": "items.minutes.rules: all-of refers to itself (licence → minutes → licence)",
    "stage-twice": "stages[1].id: stage id 'first' is used twice",
    "entry-item": "stages[0].entries[1].item: item 'permit' is not defined (define it under items first)",
    "entry-group": "stages[0].entries[0].group: group 'other' is not defined",
    "rule-key": "items.licence.rules[0].days: rule max-age needs the key days",
    "no-title": "title: required field missing",
}


def _validate(path: Path, *lang: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["checklist", "validate", str(path), *lang])
    return result.exit_code, result.output


def _write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_file_is_said_valid_in_the_language_asked_for(tmp_path: Path) -> None:
    good = _write(tmp_path, "我行清单", _GOOD)
    assert _validate(good, "--lang", "en") == (0, f"{good}: valid — bank: 1 stage, 2 items, 2 entries\n")
    assert _validate(good, "--lang", "zh") == (0, f"{good}：有效 — bank：1 个阶段，2 个项目，2 个清单条目\n")
    assert _validate(good) == (0, f"{good}：有效 / valid — bank：1 个阶段 / stages，2 个项目 / items，"
                                  "2 个清单条目 / entries\n")
    shipped = tmp_path / "dev-loan.yaml"
    shipped.write_text((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _validate(shipped, "--lang", "en") == (0, f"{shipped}: valid — dev-loan: 3 stages, 49 items, 59 entries\n")


def test_a_bad_file_is_said_bad_in_english_with_the_same_exit_code(tmp_path: Path) -> None:
    said = {name: _validate(_write(tmp_path, name, _variant(change)), "--lang", "en") for name, change in _BROKEN}
    assert {name: code for name, (code, _) in said.items()} == {name: 2 for name, _ in _BROKEN}
    assert {name: said[name][1] for name in _ENGLISH} == {
        name: f"Error: {tmp_path / name}.yaml: {english}\n" for name, english in _ENGLISH.items()}


def test_chinese_and_both_languages_say_a_bad_file_in_chinese_as_before(tmp_path: Path) -> None:
    bad = _write(tmp_path, "group", _variant(_set("items.licence.group", "other")))
    chinese = f"错误：{bad}：items.licence.group：未定义的分组“other”（可用：basic）\n"
    assert _validate(bad, "--lang", "zh") == _validate(bad) == (2, chinese)


def test_every_undefined_reference_is_named_with_where_it_is(tmp_path: Path) -> None:
    """Where only the first was named, a bank mending its copy learnt of the next at each run."""
    def spoil(doc: dict[str, Any]) -> None:
        doc["items"]["licence"].update(kinds="scans", group="other")
        doc["items"]["minutes"]["rules"][0]["items"] = ["permit", "licence", "seal"]
        doc["stages"][0]["entries"][0]["group"] = "misc"
        doc["stages"][0]["entries"].append({"no": "3", "item": "permit"})

    bad = _write(tmp_path, "我行清单", _variant(spoil))
    assert _validate(bad, "--lang", "en") == (2, (
        f"Error: {bad}: 6 references are not defined: items.licence.kinds: kind set 'scans' is not defined (define it "
        "under kinds, or list the file kinds); items.licence.group: group 'other' is not defined (defined: basic); "
        "items.minutes.rules[0].items: item 'permit' is not defined; items.minutes.rules[0].items: item 'seal' is not "
        "defined; stages[0].entries[0].group: group 'misc' is not defined; stages[0].entries[2].item: item 'permit' "
        "is not defined (define it under items first)\n"))
    chinese = (f"错误：{bad}：6 处引用未定义：items.licence.kinds：未定义的类型集合“scans”（请在 kinds 中定义，或直接列出文件类型）；"
               "items.licence.group：未定义的分组“other”（可用：basic）；items.minutes.rules[0].items：未定义的项目“permit”；"
               "items.minutes.rules[0].items：未定义的项目“seal”；stages[0].entries[0].group：未定义的分组“misc”；"
               "stages[0].entries[2].item：未定义的项目“permit”（请先在 items 中定义）\n")
    assert _validate(bad, "--lang", "zh") == _validate(bad) == (2, chinese)


def test_a_file_that_is_no_checklist_yaml_is_said_so_in_english(tmp_path: Path) -> None:
    syntax = tmp_path / "清单.yaml"
    syntax.write_text("id: bank\nitems: [\n", encoding="utf-8")
    assert _validate(syntax, "--lang", "en") == (
        2, f"Error: {syntax}, line 3, column 1: YAML syntax error: did not find expected node content\n")
    listed = tmp_path / "list.yaml"
    listed.write_text("- id: bank\n", encoding="utf-8")
    assert _validate(listed, "--lang", "en") == (
        2, f"Error: {listed}: the checklist file must be a YAML mapping (id, title, items, stages)\n")
    undecodable = tmp_path / "broken.yaml"
    undecodable.write_bytes(b"id: " + b"\x81\xff\x00" * 40 + b"\n")
    assert _validate(undecodable, "--lang", "en") == (
        2, f"Error: {undecodable}: the checklist file's encoding is not recognised (neither UTF-8 nor GB18030/GBK); "
           "save it as UTF-8 YAML\n")


def test_a_workbook_given_as_the_checklist_is_named_for_what_it_holds(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    workbook = tmp_path / "我行清单.yaml"
    workbook.write_bytes((examples / "ledger" / "ledger-2026Q1.xlsx").read_bytes())
    assert _validate(workbook, "--lang", "en") == (
        2, f"Error: {workbook}: the checklist file must be YAML text, but it holds an Excel workbook (.xlsx); "
           "check that the right file was given\n")
    assert _validate(workbook) == (2, f"错误：{workbook}：清单文件应为 YAML 文本（文件内容：Excel 工作簿）；请确认选对了文件\n")
    scan = tmp_path / "scan.yaml"
    scan.write_bytes((examples / "bundle" / "01-申请前期" / "营业执照.pdf").read_bytes())
    assert _validate(scan, "--lang", "en") == (
        2, f"Error: {scan}: the checklist file must be YAML text, but it holds a PDF file; check that the right file "
           "was given\n")


def test_a_file_not_there_or_a_folder_is_refused_with_exit_2_as_checklist_show_says_it(tmp_path: Path) -> None:
    none = tmp_path / "none.yaml"
    assert _validate(none, "--lang", "en") == (2, f"Error: no checklist file {none} (check the path)\n")
    assert _validate(none) == (2, f"错误：清单文件不存在：{none}（请检查路径）\n")
    assert _validate(tmp_path, "--lang", "en") == (
        2, f"Error: the checklist file {tmp_path} is a folder, pipe or device, not a regular file (give a .yaml file)\n")
    assert _validate(tmp_path, "--lang", "zh") == (
        2, f"错误：清单文件不是普通文件，而是文件夹、管道或设备：{tmp_path}（请给出 .yaml 文件）\n")
    for lang in ("zh", "en"):
        said = CliRunner().invoke(main, ["checklist", "show", str(none), "--lang", lang]).output
        assert _validate(none, "--lang", lang)[1] == said
    # a script's unset variable: an empty path is no folder, nor the working directory
    empty = [CliRunner().invoke(main, ["checklist", "validate", "", *lang]) for lang in (["--lang", "en"], [])]
    assert [(result.exit_code, result.output) for result in empty] == [
        (2, "Error: the checklist file's path is empty; give the path of a .yaml file\n"),
        (2, "错误：清单文件的路径为空；请给出 .yaml 文件的路径\n")]
    assert _validate(none, "--lang", "fr")[0] == 2


@pytest.mark.parametrize("name, change", _BROKEN, ids=[name for name, _ in _BROKEN])
def test_an_english_validation_words_nothing_in_chinese(tmp_path: Path, name: str, change: Any) -> None:
    """The sweep: each bad file's English refusal holds no CJK character once the file's name and
    what the bank typed in it are taken out, and says as much as the Chinese one (exit 2 in both)."""
    doc = _variant(change)
    folder = tmp_path / "我行"
    folder.mkdir()
    path = _write(folder, "清单", doc)
    code, english = _validate(path, "--lang", "en")
    assert (code, _validate(path, "--lang", "zh")[0]) == (2, 2)
    text = english.replace(str(path), "")
    for value in typed_values(doc):
        text = text.replace(value, "")
    assert not _CJK.search(text), english
    assert english.startswith(f"Error: {path}") and english.count("\n") == 1
