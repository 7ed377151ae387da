"""Errors by identity, not wording: every sentence a user reads comes from a part's message table.

Every module under ``docgen/`` is parsed with ``ast`` and imported, so that the names its calls
use resolve to what they are at run time. Three rules follow:

- a ``DocgenError`` is never built directly (``raise InputError(f"…")``): it is built by its part's
  table, ``TABLE.error(InputError, "code", **facts)``, and so always carries ``code`` and ``facts``;
- no exception of any kind is built with a sentence written in the code, Chinese (a jinja
  ``SecurityError``, a click ``UsageError``) or English (a programmer's ``ValueError``): its wording
  comes from a table too (``TABLE.fault(ValueError, "code", **facts)`` for a program's own mistake);
- every code a module asks a table for (``error``/``text``/``problem``/``notice``/``fault`` with a
  literal code) has wording in that table, so a mistyped code fails here, not in front of a user.

Modules that lay out documents and reports (``WORDLESS``) hold no Chinese at all outside their
docstrings and comments: their headings, column titles and labels come from their part's table.
"""
from __future__ import annotations

import ast
import builtins
import importlib
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import docgen
from docgen.core.errors import DocgenError, InputError
from docgen.core.wording import MessageTable, joined, quoted, reason_of
from wordingkit import (bracket_problems, location_problems, punctuation_problems, renderings,
                        typed_syntax_problems)

ROOT = Path(docgen.__file__).parent
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_CODE = re.compile(r"[a-z0-9][a-z0-9/_.-]*")
_BUILDERS = {"error", "text", "problem", "notice", "fault"}
#: Modules that render documents, reports and tables: every Chinese word they print is in a table.
WORDLESS = ("docgen/loans/npl.py", "docgen/loans/plan_output.py", "docgen/check/formats.py",
            "docgen/check/bundledata.py")


def _modules(root: Path) -> Iterator[tuple[Path, str]]:
    """Yield ``(file, dotted module name)`` for every module under ``root`` (the package ``docgen``)."""
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield path, ".".join(parts)


def _resolve(node: ast.expr, module: ModuleType) -> Any:
    """Return what a ``Name`` or dotted ``Attribute`` refers to in ``module``, or None if unknown."""
    if isinstance(node, ast.Name):
        return getattr(module, node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, module)
        return None if owner is None else getattr(owner, node.attr, None)
    return None


def _worded(node: ast.expr) -> bool:
    """True when ``node`` builds a sentence in the code: a string literal, an f-string, or text
    joined, formatted or concatenated from one."""
    if isinstance(node, ast.Constant):  # a code (``migrate-source``) names a sentence, it is none
        return isinstance(node.value, str) and not _CODE.fullmatch(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _worded(node.left) or _worded(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "format"):
        return _worded(node.func.value)
    return False


def _has_cjk(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _CJK.search(n.value)
               for n in ast.walk(node))


def _is_exception(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseException)


def _pattern(code: ast.JoinedStr) -> re.Pattern[str]:
    """Return the codes an f-string code can be: its literal parts, anything between them."""
    return re.compile("".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                              for part in code.values))


def _is_table_method(obj: Any) -> bool:
    return isinstance(getattr(obj, "__self__", None), MessageTable)


Asked = tuple[str, MessageTable, "str | re.Pattern[str]", str]


def scan(root: Path = ROOT) -> tuple[list[str], list[Asked]]:
    """Return the rule breaches under ``root`` and every ``(place, table, code, language)`` a module asks for."""
    breaches: list[str] = []
    asked: list[Asked] = []
    for path, name in _modules(root):
        module = importlib.import_module(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raised = {id(n.exc) for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc is not None}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            callee = _resolve(node.func, module)
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if isinstance(callee, type) and issubclass(callee, DocgenError) and arguments:
                breaches.append(f"{where}: {callee.__name__} built directly; use its part's TABLE.error(…)")
            elif _is_exception(callee) and (any(_has_cjk(a) for a in arguments)
                                            or any(_worded(a) for a in node.args)):
                breaches.append(f"{where}: {callee.__name__} worded in the code; take the sentence from a table")
            elif (id(node) in raised and not _is_exception(callee) and not _is_table_method(callee)
                  and any(_worded(a) for a in arguments)):
                breaches.append(f"{where}: an exception raised with a sentence written in the code")
            if isinstance(node.func, ast.Attribute) and node.func.attr in _BUILDERS:
                table = _resolve(node.func.value, module)
                position = 1 if node.func.attr in ("error", "fault") else 0
                lang = "en" if node.func.attr == "fault" else "zh"
                if isinstance(table, MessageTable) and len(node.args) > position:
                    code = node.args[position]
                    if isinstance(code, ast.Constant) and isinstance(code.value, str):
                        asked.append((where, table, code.value, lang))
                    elif isinstance(code, ast.JoinedStr):  # f"register-unsound/{then}": a family of codes
                        asked.append((where, table, _pattern(code), lang))
    return breaches, asked


@pytest.fixture(scope="module")
def scanned() -> tuple[list[str], list[Asked]]:
    return scan()


def test_no_error_is_worded_in_the_code(scanned) -> None:
    breaches, _ = scanned
    assert breaches == []


def test_every_code_asked_for_has_wording(scanned) -> None:
    _, asked = scanned
    missing = [f"{where}: {table.name} has no {lang} {code!r}" for where, table, code, lang in asked
               if (code not in table.codes(lang) if isinstance(code, str)
                   else not any(code.fullmatch(known) for known in table.codes(lang)))]
    assert missing == []
    assert any(not isinstance(code, str) for _, _, code, _ in asked)  # families are checked too
    assert any(lang == "en" for _, _, _, lang in asked)  # and programmers' English


def test_the_scan_reads_every_part(scanned) -> None:
    """The rules above are only as good as the scan: it must see the tables used in every part."""
    _, asked = scanned
    parts = {where.split("/")[1] for where, _, _, _ in asked}
    assert {"core", "check", "documents", "loans", "cli", "service"} <= parts
    assert len(asked) > 300


@pytest.mark.parametrize("source, found", [
    ('raise InputError(f"{path}: 文件不存在")', "InputError built directly"),
    ('raise InputError("no such file")', "InputError built directly"),
    ('error = InputError\nraise error("坏了" + path)', "raised with a sentence written in the code"),
    ('raise ValueError(f"金额应为数字,收到 {path!r}")', "ValueError worded in the code"),
    ('raise make("no such " + path)', "raised with a sentence written in the code"),
    ('raise ValueError(f"unknown format {path!r}")', "ValueError worded in the code"),
    ('raise KeyError("no such item " + path)', "KeyError worded in the code"),
])
def test_a_worded_error_would_be_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        source: str, found: str) -> None:
    package = tmp_path / "fakepkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    body = "\n".join("    " + line for line in source.splitlines())
    (package / "mod.py").write_text(
        "from docgen.core.errors import InputError\n\ndef make(text):\n    return text\n\n"
        f"def f(path):\n{body}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    breaches, _ = scan(package)
    assert len(breaches) == 1 and found in breaches[0], breaches


def test_a_code_missing_from_its_table_would_be_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "fakepkg2"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "mod.py").write_text(
        "from docgen.core.errors import InputError\nfrom docgen.core.messages import MESSAGES\n\n"
        "def f():\n    raise MESSAGES.error(InputError, 'no-such-code-anywhere')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    breaches, asked = scan(package)
    assert breaches == []
    assert [(table.name, code) for _, table, code, _ in asked] == [("core", "no-such-code-anywhere")]


def test_an_error_built_by_a_table_carries_code_facts_and_extra_arguments() -> None:
    from docgen.core.errors import RowsError
    from docgen.core.messages import MESSAGES

    caught = MESSAGES.error(InputError, "table-not-found", path="台账.xlsx")
    assert (caught.code, dict(caught.facts), str(caught)) == ("table-not-found", {"path": "台账.xlsx"},
                                                               "台账.xlsx：文件不存在")
    rows = MESSAGES.error(RowsError, "table-empty", ["第2行"], path="a.csv")
    assert rows.problems == ["第2行"] and rows.code == "table-empty"
    with pytest.raises(KeyError, match="no-such-code"):
        MESSAGES.error(InputError, "no-such-code")


@pytest.mark.parametrize("value, shown", [
    ("2026Q5", "“2026Q5”"),
    (" 2026Q5 ", "“ 2026Q5 ”"),  # spaces at the ends show against the quotation marks
    ("a\tb\nc\r", "“a\\tb\\nc\\r”"),
    ("\u200b2026Q5\u202e", "“\\u200b2026Q5\\u202e”"),  # zero-width and bidi characters
    ("甲\u3000乙\x00", "“甲\\u3000乙\\x00”"),  # an ideographic space, a NUL
    ("C:\\a\\tb", "“C:\\\\a\\\\tb”"),  # a typed backslash is doubled: never read as an escape
    ("it's \"x\"", "“it's \"x\"”"),
    (Decimal("1E+20"), "“1E+20”"),
    # a number too long to read whole is written in scientific notation, as a float is
    pytest.param(int(1e308), "“1e+308”", id="int-of-1e308"),  # a whole-number cell of 1e308, read as a 309-digit int
    (-1e308, "“-1e+308”"),
    pytest.param(Decimal(10) ** 400, "“1e+400”", id="decimal-1e400"),
    (12345678901234567890, "“12345678901234567890”"),  # 20 digits (an account number) stay whole
    (-123456789012345678901, "“-1.23456789012346e+20”"),
    # a text too long to read is cut to QUOTE_LIMIT (120) characters, … the last
    ("x" * 120, "“" + "x" * 120 + "”"),
    pytest.param("1" + "0" * 308, "“1" + "0" * 118 + "…”", id="309-digit-text"),
    pytest.param("甲" * 118 + "\x00乙", "“" + "甲" * 118 + "…”", id="escape-at-the-cut"),  # never cut in two
    pytest.param("\\" * 70, "“" + "\\\\" * 59 + "…”", id="70-backslashes"),
    # a client folder four levels deep is shown whole
    ("华安置业发展有限公司/2026年/房地产开发贷款/放款前资料/补充材料（第二批）/股东会决议及授权书扫描件",
     "“华安置业发展有限公司/2026年/房地产开发贷款/放款前资料/补充材料（第二批）/股东会决议及授权书扫描件”"),
])
def test_a_value_the_user_gave_is_quoted_the_chinese_way_with_what_is_unseen_spelled_out(value: Any, shown: str) -> None:
    table = MessageTable("test", {"template": "报告期{text!q}：应为 {limit:,}", "joined": joined("报告期{text!q}；可用：{all}", "all"),
                                  "function": lambda f: f"报告期{quoted(f['text'])}"},
                         {"template": "unknown period {text!r}"})
    assert table.text("template", {"text": value, "limit": 1000}) == f"报告期{shown}：应为 1,000"
    assert table.text("joined", {"text": value, "all": ["甲", "乙"]}) == f"报告期{shown}；可用：甲、乙"
    assert table.text("function", {"text": value}) == f"报告期{shown}"
    assert table.text("template", {"text": value}, "en") == f"unknown period {value!r}"
    assert punctuation_problems(table.text("template", {"text": value, "limit": 1000})) == []
    with pytest.raises(ValueError, match="conversion"):  # a template read past ``fill`` fails loudly
        "{text!q}".format_map({"text": value})


@pytest.mark.parametrize(("exc", "said"), [
    (ValueError("invalid Zip archive: Could not find EOCD"), "invalid Zip archive: Could not find EOCD"),
    # a Rust or YAML error's context lines, a blank first line: the first line that says something
    (RuntimeError("\n  XmlError: unexpected end\n    at row 3\n"), "XmlError: unexpected end"),
    (OSError(), "OSError"),  # says nothing: its class
    (ValueError("x" * 500), "x" * 119 + "…"),  # one readable line, cut as a quoted value is
    (ValueError("x" * 120), "x" * 120),
])
def test_a_library_error_is_told_in_one_line_of_at_most_the_quote_limit(exc: BaseException, said: str) -> None:
    assert reason_of(exc) == said


def chinese_in_code(path: Path) -> list[str]:
    """Return ``file:line`` of every string in ``path`` with Chinese in it, docstrings apart: a
    string standing alone as a statement (a docstring, or an attribute's after its assignment)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aside = {id(node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return sorted({f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CJK.search(node.value)
                   and id(node) not in aside}, key=lambda place: int(place.rsplit(":", 1)[1]))


@pytest.mark.parametrize("module", WORDLESS)
def test_document_modules_hold_no_chinese_wording(module: str) -> None:
    assert chinese_in_code(ROOT.parent / module) == []


def test_chinese_wording_in_a_document_module_would_be_caught(tmp_path: Path) -> None:
    module = tmp_path / "mod.py"
    module.write_text('"""报告的格式。"""\nHEADERS = ("借据号", 18)\n\n\ndef f(n):\n    """第 n 行。"""\n'
                      '    # 注释不算\n    return f"共 {n} 笔"\n', encoding="utf-8")
    assert chinese_in_code(module) == ["mod.py:2", "mod.py:8"]


def message_tables() -> list[tuple[str, MessageTable]]:
    """Return ``(module.NAME, table)`` for every ``MessageTable`` a module under ``docgen`` holds."""
    found: dict[int, tuple[str, MessageTable]] = {}
    for _, name in _modules(ROOT):
        for attr, value in vars(importlib.import_module(name)).items():
            if isinstance(value, MessageTable) and (id(value) not in found or name.endswith(".messages")):
                found[id(value)] = (f"{name}.{attr}", value)  # named where it is defined
    return sorted(found.values(), key=lambda pair: pair[0])


#: The modules that hold the wording users read: the parts' tables and the pages' words.
WORDING_MODULES = ("docgen.core.messages", "docgen.check.messages", "docgen.documents.messages",
                   "docgen.loans.messages", "docgen.cli.messages", "docgen.service.messages",
                   "docgen.service.i18n")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Yield ``(place, text)`` for every string in a module constant, English parts (``en`` keys,
    ``…_EN`` names) apart."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "en":
                yield from _strings(item, f"{where}[{key!r}]")
    elif isinstance(value, (tuple, list, frozenset, set)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def test_every_message_table_is_found() -> None:
    names = {name for name, _ in message_tables()}
    assert {"docgen.core.messages.MESSAGES", "docgen.check.messages.FINDINGS", "docgen.check.messages.ERRORS",
            "docgen.documents.messages.MESSAGES", "docgen.loans.messages.MESSAGES", "docgen.cli.messages.MESSAGES",
            "docgen.service.messages.MESSAGES", "docgen.service.messages.FOLDERS"} <= names


#: Facts for the entries that look a fact up in a table of their own (a rule, a kind of file), so
#: that a made-up value will not do.
SAMPLES: dict[tuple[str, str], tuple[dict[str, Any], ...]] = {
    ("check details", "all-of-invalid"): ({"statuses": ["missing", "invalid"]},),
    # a checklist's schema problems: (key path, Chinese, English) each
    ("check errors", "checklist-schema"): ({"problems": [("items.营业执照.kinds", "不允许的取值“exe”",
                                                          "value 'exe' is not allowed")] * 6},),
    # every reference a checklist does not define, said together: (code, its facts) each
    ("check errors", "checklist-undefined"): ({"refs": [
        ("checklist-kind-set-undefined", {"where": "items.营业执照", "kinds": "扫描件"}),
        ("checklist-group-undefined", {"where": "items.营业执照", "group": "其他", "groups": ["申请人", "项目"]}),
        ("checklist-item-undefined", {"item": "会议纪要", "rule": 0, "ref": "许可证"}),
        ("checklist-stage-group-undefined", {"stage_index": 0, "entry_index": 1, "group": "其他"}),
        ("checklist-entry-item-undefined", {"stage_index": 1, "entry_index": 0, "item": "许可证"})]},),
    ("check details", "file"): ({"file_reason": "damaged"}, {"file_reason": "wrong-type", "kind": "jpg"}),
    ("check errors", "checklist-not-text"): tuple({"kind": kind} for kind in ("pdf", "xlsx", "zip", "jpg")),
    ("core", "condition-unsafe"): tuple({"rule": rule} for rule in ("call", "filter", "filter-argument", "power",
                                                                    "private-attribute", "private-key", "unknown-name")),
    ("documents", "ascii-punctuation"): ({"marks": [",", "("]},),
    ("documents", "batch-text/document"): tuple({"status": s} for s in ("written", "restored", "skipped")),
    **{("documents", f"register-unsound/{then}"): ({"issue": "altered"}, {"issue": "truncated"})
       for then in ("anchor", "issue", "migrate-copy", "migrate-source")},
    **{("service wording", f"register-unsound/{then}"): ({"issue": "replaced"}, {"issue": "truncated"})
       for then in ("anchor", "issue")},
    # an address: the host and port are never Chinese, and their colon is the URL's
    ("cli", "serve/listening"): ({"host": "127.0.0.1", "port": 8000},),
}


def test_chinese_wording_takes_full_width_punctuation() -> None:
    """GB/T 15834 on screen as in the documents: every Chinese entry of every table, rendered
    with sample facts (Chinese ones, as a name or a path often is), and every Chinese label the
    wording modules keep beside their tables."""
    found = []
    for where, table in message_tables():
        for code in sorted(table.codes("zh")):
            for text in renderings(table.entry(code), SAMPLES.get((table.name, code), ())):
                found += [f"{where} {code!r}: …{snippet}…" for snippet in punctuation_problems(text)]
    for module in WORDING_MODULES:
        for attr, value in vars(importlib.import_module(module)).items():
            if attr.isupper() and not attr.endswith("EN") and not isinstance(value, MessageTable):
                for where, text in _strings(value, f"{module}.{attr}"):
                    found += [f"{where}: …{snippet}…" for snippet in punctuation_problems(text)]
    assert found == []


def test_every_bracket_is_closed_by_its_own_kind() -> None:
    """A ``（`` is closed by ``）`` and a ``(`` by ``)``, in every entry of every table in both
    languages and in every label the wording modules keep (a lone mark, as a table of marks holds
    it, apart): an IME switched half-way through an aside leaves ``（… )``."""
    found = []
    for where, table in message_tables():
        for lang in ("zh", "en"):
            for code in sorted(table.codes(lang)):
                for text in renderings(table.entry(code, lang), SAMPLES.get((table.name, code), ())):
                    found += [f"{where} {lang} {code!r}: …{snippet}…" for snippet in bracket_problems(text)]
    for module in WORDING_MODULES:
        for attr, value in vars(importlib.import_module(module)).items():
            if attr.isupper() and not isinstance(value, MessageTable):
                found += [f"{where}: …{snippet}…" for where, text in _strings(value, f"{module}.{attr}")
                          if len(text) > 1 for snippet in bracket_problems(text)]
    assert found == []


def test_locations_and_typed_syntax_are_worded_as_gb_t_15834_asks() -> None:
    """A location heading a Chinese entry takes the full-width colon (``{where}.to：…``), and
    syntax the user types is quoted in its ASCII form (“键: 值”, “bundle:”), never given the
    full-width colon an IME would type and YAML would refuse."""
    found = []
    for where, table in message_tables():
        for code in sorted(table.codes("zh")):
            for text in renderings(table.entry(code), SAMPLES.get((table.name, code), ())):
                found += [f"{where} {code!r}: {snippet}"
                          for snippet in location_problems(text) + typed_syntax_problems(text)]
    assert found == []


@pytest.mark.parametrize("text, location, typed", [
    ("policy.yaml：timetable[1].to: once 步骤不设 to", False, False),  # the colon inside is a key's
    ("甲乙.to: once 步骤办结前一直待办", True, False),
    ("甲乙：甲乙.to：once 步骤", False, False),
    ("应为映射（键：值）", False, True),
    ("应为映射（“键: 值”）", False, False),
    ("缺少 bundle：（模板字段的对应关系）", False, True),
    ("缺少“bundle:”（模板字段的对应关系）", False, False),
    ("台账.csv: 缺少必需的列", True, False),
    ("need -o FILE: missing", False, False),
    ("serve: listening on 127.0.0.1:8000", False, False),
])
def test_a_location_or_typed_syntax_would_be_caught(text: str, location: bool, typed: bool) -> None:
    assert (bool(location_problems(text)), bool(typed_syntax_problems(text))) == (location, typed)


@pytest.mark.parametrize("text, flagged", [
    ("（须覆盖 2024 年度；填在 documents.a.years)", True),
    ("客户资料包(.zip）", True),
    ("缺少（甲（乙））", False),
    ("a (b (c)) d", False),
    ("未闭合（甲", True),
    ("多余）", True),
    ("用“(”开头的值（照录）", False),  # a quoted mark is data
])
def test_an_unbalanced_bracket_would_be_caught(text: str, flagged: bool) -> None:
    assert bool(bracket_problems(text)) is flagged


@pytest.mark.parametrize("entry, flagged", [
    ("{path}: 文件不存在", True),
    ("{path}：文件不存在", False),
    ("文件无法读取(损坏或不完整)", True),
    (lambda f: f"缺少 {'、'.join(f['names'])}" + (f"(另有 {f['more']} 处)" if f.get("more") else ""), True),
    ("字段 {field}:{detail}", True),  # between two facts: caught because a fact may be Chinese
    ("压缩比 {ratio:.0f}:1", False),  # a number's colon is no punctuation
    ("用“;”分隔,如“地址1;;地址3”", True),  # the comma is the sentence's, the quoted ones are data
    ("用“;”分隔，如“地址1;;地址3”", False),
    ("need -o FILE (docx)", False),
    ("无法识别的报告期 {text!r}：应为 2026Q2", True),  # repr's quotes, one space from the Chinese
    ("用户名 '{name}' 无效", True),
    ("无法识别的报告期{text!q}：应为 2026Q2", False),
    (lambda f: f"表达式{quoted(f['source'])}不安全", False),
    ("{name}（the bank's folder isn't there）", False),  # apostrophes inside English
    ("请安装（“pip install 'docgen[scale]'”）", False),  # typed syntax quoted verbatim
])
def test_ascii_punctuation_in_an_entry_would_be_caught(entry: Any, flagged: bool) -> None:
    assert bool([s for text in renderings(entry) for s in punctuation_problems(text)]) is flagged


def _chinese_of(value: Any) -> Iterator[str]:
    """Yield every text under a ``zh`` key of a loaded YAML document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "zh" and isinstance(item, str):
                yield item
            else:
                yield from _chinese_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from _chinese_of(item)


@pytest.mark.parametrize("path", sorted((ROOT / "checklists").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_checklists_word_chinese_with_full_width_punctuation(path: Path) -> None:
    """Titles, notes, hints and reasons of a shipped checklist are shown as they are written."""
    texts = list(_chinese_of(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert [(text, punctuation_problems(text)) for text in texts if punctuation_problems(text)] == []


#: Rule parameters a template's YAML words for people: a rule's message, and the labels and basis
#: its message names (``in_favour`` and the field names are data the rule compares, not wording).
_RULE_WORDING = ("message", "label", "labels", "basis")


def template_wording(meta: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield ``(place, text)`` for every text a template's metadata shows people: its title,
    category and description (``templates list|show``, the service pages), every field's
    ``meta.label`` at any depth (``templates show``), every header alias (``templates show``, the
    form labels, the missing-column message) and the wording of its rules (check problems)."""
    for key in ("title", "category", "description"):
        if isinstance(meta.get(key), str):
            yield key, meta[key]

    def labels(rules: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(rules, dict):
            label = rules.get("meta", {}).get("label") if isinstance(rules.get("meta"), dict) else None
            if isinstance(label, str):
                yield f"{where}.meta.label", label
            for key, rule in rules.items():
                if key != "meta":
                    yield from labels(rule, f"{where}.{key}")

    yield from labels(meta.get("schema"), "schema")
    for field, names in (meta.get("aliases") or {}).items():
        yield from ((f"aliases.{field}", str(name)) for name in names or ())
    for index, rule in enumerate(meta.get("rules") or ()):
        for key in _RULE_WORDING:
            values = rule.get(key) if isinstance(rule, dict) else None
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    yield f"rules[{index}].{key}", value


def _keys(value: Any) -> Iterator[Any]:
    """Yield every mapping key of a loaded YAML document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


TEMPLATE_METADATA = sorted((ROOT / "templates").glob("*.yaml"))


@pytest.mark.parametrize("path", TEMPLATE_METADATA, ids=lambda p: p.name)
def test_shipped_templates_word_chinese_with_full_width_punctuation(path: Path) -> None:
    """What a shipped template's YAML shows people follows GB/T 15834 as the tables do; and no
    Chinese text became a mapping key, which is what an ASCII comma in a flow mapping
    (``{message: 甲,乙}``) makes of the text after it, cutting the message short."""
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    shown = list(template_wording(meta))
    assert {place.split(".")[0] for place, _ in shown} >= {"title", "category", "description", "schema"}
    assert [(place, text, punctuation_problems(text) + bracket_problems(text)) for place, text in shown
            if punctuation_problems(text) or bracket_problems(text)] == []
    assert [key for key in _keys(meta) if isinstance(key, str) and _CJK.search(key)] == []


def test_ascii_marks_in_a_templates_wording_would_be_caught() -> None:
    meta = yaml.safe_load("title: 承诺函\ncategory: 开发贷\ndescription: 借款人出具的承诺函,需盖章。\n"
                          "schema:\n  term: {type: integer, meta: {label: 借款期限(月)}}\n"
                          "  people:\n    type: list\n    schema:\n      type: dict\n"
                          "      schema: {share: {type: number, meta: {label: 持股比例(%)}}}\n"
                          "aliases: {term: [期限(月)]}\n"
                          "rules:\n  - {rule: positive, field: term, message: 期限应大于零(月)}\n"
                          "  - {rule: total, total: term, parts: [term], labels: [期限(月)]}\n"
                          "  - {rule: date_order, earlier: a, later: b, message: 已届满,不应再通知}\n")
    flagged = sorted(place for place, text in template_wording(meta) if punctuation_problems(text))
    assert flagged == ["aliases.term", "description", "rules[0].message", "rules[1].labels",
                       "schema.people.schema.schema.share.meta.label", "schema.term.meta.label"]
    assert [key for key in _keys(meta) if isinstance(key, str) and _CJK.search(key)] == ["不应再通知"]
