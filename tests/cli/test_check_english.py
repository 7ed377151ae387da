"""``docgen check --lang en`` words every finding in English: bundle.yaml's values (ID numbers,
dates, amounts, types, limits, unknown keys) and what file inspection found.

Before, a bad 统一社会信用代码, 居民身份证号, date or amount in bundle.yaml was printed in
Chinese in the English report, and so was a file whose content is text or a format no item
takes. Only what the user gave (a value, a key, a file name) may hold Chinese.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import main
from example_helper import EXAMPLE_AS_OF, make_bundle
from wordingkit import typed_values

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

#: (field path in bundle.yaml, the value a clerk typed, the English detail of its finding).
BAD_VALUES: list[tuple[str, Any, str]] = [
    # 统一社会信用代码
    ("borrower.uscc", "913301065783120435", "the unified social credit code has a wrong check character"),
    ("contractor.uscc", "12345", "the unified social credit code has the wrong length"),
    ("related_parties[0].uscc", "ABCDEFGHIJKLMNOPQR", "the unified social credit code is malformed"),
    # 居民身份证号
    ("borrower.legal_rep.id_number", "330106198403152138", "the resident ID number has a wrong check character"),
    ("meeting.agent.id_number", "33010619860712262", "a resident ID number has 18 characters, not 17"),
    ("actual_controller.id_number", "330106209903152134", "the birth date in the resident ID number is after today"),
    ("contractor.legal_rep.id_number", "330106198613052628",
     "the resident ID number contains an invalid part (such as a birth date or an area code)"),
    # dates
    ("borrower.established", "2026/13/45", "no such date: '2026/13/45'"),
    ("meeting.date", "下周三", "a date is written YYYY-MM-DD, not '下周三'"),
    ("loan.application_date", 46354, "a date is written YYYY-MM-DD, not 46354 (an Excel date serial, i.e. "
     "2026-11-28? format the column's cells as dates, or write 2026-11-28)"),
    ("loan.contract_date", "2026-11-20 13:00", "date '2026-11-20 13:00' carries the time of day 13:00: a date "
     "field holds a date only (the wrong column?); write the date alone, e.g. 2026-06-30"),
    # amounts
    ("borrower.registered_capital", "5000万", "amounts are written in yuan, not '5000万': write 50000000"),
    ("project.total_investment", "1.234,56", "amount '1.234,56' is ambiguous: the thousands separator is a "
     "comma every three digits and the decimal point a '.', as in 1,234.56"),
    ("project.invested", "一亿", "an amount should be a number, not '一亿'"),
    ("loan.amount", True, "an amount should be a number"),
    ("contractor.contract_amount", float("nan"), "an amount should be a finite number, not nan"),
    ("drawdowns[0].amount", "1e400", "amount '1e400' is out of range (at most 1,000,000,000,000,000 yuan); "
     "check for extra digits"),
    # types, limits, choices, formats, keys
    ("loan.rate", 50, "above the maximum of 36"),
    ("documents.audit-reports.years[0]", 1800, "below the minimum of 1900"),
    ("loan.term_months", "三十六", "should be a whole number"),
    ("loan.purpose", 123, "should be text"),
    ("bank.witnesses", "王晓明", "should be a list"),
    ("contractor.name", "", "cannot be empty"),
    ("loan.supervised_account.number", "账号", "does not have the required format"),
    ("meeting.votes.李文涛", "赞成", "value '赞成' is not allowed"),
    ("borower", {"name": "华安置业发展有限公司"}, "unknown field (check the spelling: did you mean borrower?)"),
]

#: Files whose content is not what their names say (inspection's findings).
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("附件/说明.pdf", "这是一份说明\n".encode(), "wrong file type: the content is a text file, but the extension is .pdf"),
    ("附件/现场照片.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
     "wrong file type: the content is a HEIC image (iPhone photo format), but the extension is .jpg"),
]

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    steps: list[Any] = [m[1] if m[1] is not None else int(m[2]) for m in _STEP.finditer(path)]
    node: Any = data
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = value


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle().build(tmp_path_factory.mktemp("en") / "complete", demo=False)


@pytest.fixture(scope="module")
def bad_bundle(complete: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("en") / "bundle"
    shutil.copytree(complete, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    for path, value, _ in BAD_VALUES:
        _put(data, path, value)
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for name, content, _ in BAD_FILES:
        (bundle / name).parent.mkdir(exist_ok=True)
        (bundle / name).write_bytes(content)
    # a monthly report whose name says no month
    (bundle / "03-放款前" / "工程监理报告2026年10月.pdf").rename(bundle / "03-放款前" / "工程监理报告.pdf")
    return bundle


def _check(bundle: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["check", str(bundle), "--as-of", EXAMPLE_AS_OF, "--lang", "en",
                                       "--no-progress", *args])
    assert result.exit_code == 1, result.output
    return result.output


def _expected() -> list[str]:
    return sorted(f"bundle.yaml field {path}: {detail}" for path, _, detail in BAD_VALUES)


def _unquoted(message: str) -> str:
    """``message`` without what the user gave: the values typed (as English wording quotes them),
    the keys and the file names."""
    for path, value, _ in BAD_VALUES:
        message = message.replace(repr(value), "").replace(path, "")
    for name, _, _ in BAD_FILES:
        message = message.replace(name, "")
    return message


def test_every_bad_bundle_yaml_value_is_worded_in_english_in_json(bad_bundle: Path) -> None:
    findings = json.loads(_check(bad_bundle, "--format", "json"))["findings"]
    invalid = sorted(f["message"] for f in findings if f["code"] == "invalid-data")
    assert invalid == _expected()
    by_path = {f["path"]: f["message"] for f in findings if f["code"] == "wrong-type"}
    assert by_path == {name: message for name, _, message in BAD_FILES}
    # the month in a file's name, as the English asks for it, is read (rules._YEAR_MONTH)
    assert {f["message"] for f in findings if f["code"] == "stale"} == {
        "Supervision reports and other evidence of construction progress: out of date — cannot tell whether it "
        "is from the last 45 days: write the month in the file name (e.g. 2026-10) or the date under "
        "documents.progress-evidence.issued"}
    chinese = [f["message"] for f in findings if _CJK.search(_unquoted(f["message"]))]
    assert chinese == []


def _finding_lines(text: str) -> tuple[list[str], list[str]]:
    """Return the text report's finding lines: the stages' and the others' (not tied to a stage)."""
    lines = text.splitlines()
    blocks: list[list[str]] = []
    for n, line in enumerate(lines):
        if line in ("  Findings:", "Other findings (not tied to a stage)"):
            block = lines[n + 1:]
            blocks.append(block[:block.index("")])
    return [line for block in blocks[:-1] for line in block], blocks[-1]


def test_every_bad_bundle_yaml_value_is_worded_in_english_in_text(bad_bundle: Path) -> None:
    staged, other = _finding_lines(_check(bad_bundle, "--format", "text"))
    assert sorted(line for line in other if " bundle.yaml field " in line) == sorted(
        f"  ✗ {message} (bundle.yaml)" for message in _expected())
    for name, _, message in BAD_FILES:  # a file no item takes: its problem is a warning
        assert f"  ! {message} ({name})" in other
    assert staged  # the items' own findings (the ratio bundle.yaml's amounts no longer give …)
    chinese = [line for line in staged + other if _CJK.search(_unquoted(line))]
    assert chinese == []


def test_the_chinese_report_keeps_its_wording(bad_bundle: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(bad_bundle), "--as-of", EXAMPLE_AS_OF, "--format", "json"])
    messages = {f["message"] for f in json.loads(result.output)["findings"]}
    assert {"bundle.yaml 字段 borrower.uscc：统一社会信用代码校验位错误",
            "bundle.yaml 字段 borrower.registered_capital：无法转换：金额以元为单位填写，收到“5000万”；请写作 50000000",
            "bundle.yaml 字段 borrower.established：无法转换：不存在的日期“2026/13/45”",
            "bundle.yaml 字段 actual_controller.id_number：居民身份证号中的出生日期晚于今天"} <= messages


def test_a_bundle_yaml_read_from_the_cache_is_worded_in_english_too(bad_bundle: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The validated problems are kept by code and facts: a second check reads them from the cache
    # (validating again would fail here), and words them from those.
    from docgen.check import bundledata

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    bundle = tmp_path / "bundle"
    shutil.copytree(bad_bundle, bundle)
    for _ in range(2):
        findings = json.loads(_check(bundle, "--format", "json"))["findings"]
        assert sorted(f["message"] for f in findings if f["code"] == "invalid-data") == _expected()
        monkeypatch.setattr(bundledata, "validate_quickly", None)


def test_a_bundle_yaml_that_cannot_be_read_is_named_in_english(complete: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(complete, bundle)
    (bundle / "bundle.yaml").write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    findings = json.loads(_check(bundle, "--format", "json"))["findings"]
    assert [f["message"] for f in findings if f["code"] == "invalid-data"] == [
        "bundle.yaml field (the file): cannot be read: too large (1048579 bytes, limit 1048576): bundle.yaml "
        "holds the application data only"]


def test_a_bundle_yaml_this_user_may_not_read_is_named_in_english(tmp_path: Path) -> None:
    # (a permission refused is core's wording; running as root, the refusal is built, not met)
    from docgen.check.bundledata import unreadable_bundle_data
    from docgen.core.access import denied
    from docgen.core.errors import BundleError

    (tmp_path / "bundle.yaml").write_text("borrower: {}\n", encoding="utf-8")
    [finding] = unreadable_bundle_data(denied(BundleError, tmp_path / "bundle.yaml")).findings
    assert finding.message("en") == (
        f"bundle.yaml field (the file): cannot be read: {tmp_path / 'bundle.yaml'}: no permission to read the "
        "file; check its permissions, or ask an administrator to let this user read it")
    assert finding.message("zh").startswith("bundle.yaml 字段 （文件）：无法读取：")


def _zipped(folder: Path, target: Path, deflate64: str) -> Path:
    """Zip ``folder`` into ``target``, member ``deflate64`` marked as compressed with Deflate64 (what
    Windows' zipper uses for big files, and Python cannot inflate)."""
    import struct
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    data = bytearray(target.read_bytes())
    name = deflate64.encode()
    at = data.find(name)
    while at >= 0:
        # the method field: 8 bytes into a local header (name at 30), 10 into a central one (name at 46)
        for start, offset, signature in ((at - 30, 8, b"PK\x03\x04"), (at - 46, 10, b"PK\x01\x02")):
            if data[start:start + 4] == signature:
                data[start + offset:start + offset + 2] = struct.pack("<H", 9)
        at = data.find(name, at + 1)
    target.write_bytes(bytes(data))
    return target


def test_a_file_the_bundle_cannot_give_is_named_in_english(complete: Path, tmp_path: Path) -> None:
    member = "01-申请前期/公司章程.pdf"
    bundle = _zipped(complete, tmp_path / "bundle.zip", member)
    findings = json.loads(_check(bundle, "--format", "json"))["findings"]
    unreadable = {(f["path"], f["message"]) for f in findings if f["code"] == "unreadable"}
    # the cause is named (a compression method, not damage): the detail is said whole, once
    assert unreadable == {(member, "cannot read the file: compression not supported (That compression method is not "
                                   "supported); pack the bundle again as a standard zip (Deflate)")}
    chinese = CliRunner().invoke(main, ["check", str(bundle), "--as-of", EXAMPLE_AS_OF, "--format", "json"])
    assert {f["message"] for f in json.loads(chinese.output)["findings"] if f["code"] == "unreadable"} == {
        "无法读取文件：压缩方式不受支持（That compression method is not supported）；请用标准 ZIP（Deflate）重新打包"}


#: (finding code, its English sentence) for titles that are plural ("Audit reports …", "… approvals"):
#: the state follows the title after a colon, so no verb has to agree with it.
PLURAL_TITLES: list[tuple[str, str]] = [
    ("missing", "Land, planning and engineering design approvals: missing"),
    ("incomplete-set", "Audit reports of the last three years and recent financial statements: incomplete — audit "
     "reports missing for 2023 (required: 2023–2025; put the year in the file name or list it under "
     "documents.audit-reports.years)"),
    ("stale", "Supervision reports and other evidence of construction progress: out of date — cannot tell whether "
     "it is from the last 45 days: write the month in the file name (e.g. 2026-10) or the date under "
     "documents.progress-evidence.issued"),
    ("expired", "Land transfer contract, land premium invoices and deed-tax receipt: expired on 2026-01-01"),
    ("insufficient", "Proof of the project's self-raised funds: requirement not met — invested / total investment "
     "is 40%, below 50%"),
    ("unattested", "Authorized signatories' signature specimens: awaiting confirmation of the authorized "
     "signatories' own signatures (record it under attestations in bundle.yaml)"),
]


@pytest.fixture(scope="module")
def plural_bundle(complete: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("en") / "plural"
    shutil.copytree(complete, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    data["documents"]["audit-reports"]["years"] = [2024, 2025]
    data["documents"].setdefault("land-transfer", {})["expires"] = "2026-01-01"
    del data["attestations"]["signature-specimen"]
    data["project"]["invested"] = data["project"]["total_investment"] * 0.4
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (bundle / "01-申请前期" / "审计报告2023年度.pdf").unlink()
    (bundle / "03-放款前" / "土地规划及设计方案批复.pdf").unlink()
    (bundle / "03-放款前" / "工程监理报告2026年10月.pdf").rename(bundle / "03-放款前" / "工程监理报告.pdf")
    return bundle


def test_a_plural_title_reads_right_in_json(plural_bundle: Path) -> None:
    findings = json.loads(_check(plural_bundle, "--format", "json"))["findings"]
    assert {(f["code"], f["message"]) for f in findings} == set(PLURAL_TITLES)


@pytest.mark.parametrize("form", ["text", "markdown", "docx"])
def test_a_plural_title_reads_right_in_every_report(plural_bundle: Path, tmp_path: Path, form: str) -> None:
    from docxtext import docx_text

    target = tmp_path / f"report.{form}"
    _check(plural_bundle, "--format", form, "-o", str(target))
    report = docx_text(target) if form == "docx" else target.read_text(encoding="utf-8")
    flat = " ".join(report.split())
    for _, message in PLURAL_TITLES:
        assert message in flat, (form, message)


def test_a_yaml_syntax_error_names_its_line_once(complete: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(complete, bundle)
    (bundle / "bundle.yaml").write_text("borrower:\n  name: 华安\n  uscc: [91330100\nproject: {}\n", encoding="utf-8")
    english = json.loads(_check(bundle, "--format", "json"))["findings"]
    assert [f["message"] for f in english if f["code"] == "invalid-data"] == [
        "bundle.yaml, line 4, column 8: YAML syntax error: did not find expected ',' or ']'"]
    chinese = CliRunner().invoke(main, ["check", str(bundle), "--as-of", EXAMPLE_AS_OF, "--format", "json"])
    assert [f["message"] for f in json.loads(chinese.output)["findings"] if f["code"] == "invalid-data"] == [
        "bundle.yaml 第4行第8列：YAML 语法错误：did not find expected ',' or ']'"]


def test_a_damaged_member_is_still_called_damaged() -> None:
    # only a read error whose cause is not damage (compression, size, a pipe) drops the lead-in
    from docgen.check.inspection.kinds import file_info
    from docgen.check.rules import file_finding

    def finding(code: str, error: str, error_en: str) -> Any:
        return file_finding(file_info("a.pdf", "pdf", 10, "", readable=False, problem="unreadable",
                                      reason="read-failed", facts={"error": error, "error_en": error_en,
                                                                   "read_error": code}))

    damaged = finding("bundle-entry-unreadable", "a.pdf：无法读取（Bad CRC-32）", "a.pdf: cannot be read (Bad CRC-32)")
    assert damaged.message("en") == "file cannot be read (corrupt or truncated): cannot read the file: a.pdf: cannot " \
                                    "be read (Bad CRC-32)"
    assert damaged.message("zh") == "文件无法读取（损坏或不完整）：无法读取文件：a.pdf：无法读取（Bad CRC-32）"
    large = finding("bundle-file-too-large", "a.pdf：文件超过大小上限 5 字节，停止读取",
                    "a.pdf: over the size limit of 5 bytes; reading stopped")
    assert large.message("en") == "cannot read the file: a.pdf: over the size limit of 5 bytes; reading stopped"
    assert large.message("zh") == "无法读取文件：a.pdf：文件超过大小上限 5 字节，停止读取"


def _stopped(*args: str) -> tuple[str, str]:
    """Return what ``check`` prints on stderr when it cannot run, in English and in Chinese (exit 2)."""
    said = []
    for lang in ("en", "zh"):
        result = CliRunner().invoke(main, ["check", *args, "--as-of", EXAMPLE_AS_OF, "--lang", lang, "--no-progress"])
        assert result.exit_code == 2, result.output
        said.append(result.output.strip())
    return said[0], said[1]


def test_what_stops_a_check_is_said_in_english(complete: Path, tmp_path: Path) -> None:
    assert _stopped(str(complete), "--stage", "nope") == (
        "Error: checklist dev-loan has no stage 'nope'; its stages: pre-application, pre-contract, pre-disbursement",
        "错误：清单 dev-loan 没有阶段“nope”；可用阶段：pre-application、pre-contract、pre-disbursement")
    assert _stopped(str(complete), "--checklist", "nope") == (
        "Error: unknown checklist 'nope': the checklists are dev-loan, or give the path of a checklist YAML file",
        "错误：未知清单“nope”：可用清单为 dev-loan，或传入清单 YAML 文件的路径")
    broken = tmp_path / "bank.yaml"
    broken.write_text("id: bank\nitems: [\n", encoding="utf-8")
    assert _stopped(str(complete), "--checklist", str(broken)) == (
        f"Error: {broken}, line 3, column 1: YAML syntax error: did not find expected node content",
        f"错误：{broken}：YAML 语法错误 第3行第1列：did not find expected node content")
    broken.write_text("id: bank\nitems: 3\n", encoding="utf-8")
    assert _stopped(str(complete), "--checklist", str(broken)) == (
        f"Error: {broken}: items: should be a mapping; stages: required field missing; title: required field missing",
        f"错误：{broken}：items：类型应为映射；stages：必填字段，不能缺少；title：必填字段，不能缺少")
    broken.write_text("id: bank\ntitle: {zh: 清单, en: List}\nitems:\n  a: {title: {zh: 甲, en: A}, kinds: scans}\n"
                      "stages:\n  - {id: s, title: {zh: 一, en: One}, folder: s, entries: [{no: '1', item: a}]}\n",
                      encoding="utf-8")
    assert _stopped(str(complete), "--checklist", str(broken)) == (
        f"Error: {broken}: items.a.kinds: kind set 'scans' is not defined (define it under kinds, or list the file "
        "kinds)",
        f"错误：{broken}：items.a.kinds：未定义的类型集合“scans”（请在 kinds 中定义，或直接列出文件类型）")
    not_zip = tmp_path / "bundle.zip"
    not_zip.write_bytes(b"not a zip\n")
    assert _stopped(str(not_zip)) == (
        f"Error: {not_zip}: neither a folder nor a valid .zip archive (damaged, or another format); give the client "
        "folder, or pack it again with 'Compress to ZIP'",
        f"错误：{not_zip}：既不是文件夹也不是有效的 .zip 压缩包（文件损坏或格式不对）；请给出客户资料文件夹，"
        "或用“压缩为 ZIP”重新打包")


def test_every_error_that_stops_a_check_has_english() -> None:
    # the codes docgen.check raises (scaffolding and `docgen inspect` are not `check`): each worded in English
    import docgen.check as part
    from docgen.check.messages import ERRORS

    raised = set()
    for source in Path(part.__file__).parent.rglob("*.py"):
        raised |= set(re.findall(r'ERRORS\.error\(\w+, "([a-z-]+)"', source.read_text(encoding="utf-8")))
    others = {code for code in raised if code.startswith(("scaffold-", "inspect-"))}
    assert raised - others and raised - others <= ERRORS.codes("en")


def _bank_checklist(tmp_path: Path, when: str) -> Path:
    """Return a bank's own checklist: the shipped one with the first rule of org-code-cert (a waive)
    applying ``when``."""
    from docgen.core.resources import checklists_dir

    data = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    data["items"]["org-code-cert"]["rules"][0]["when"] = when
    target = tmp_path / "bank.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


_WHEN = "items.org-code-cert.rules[0].when"

#: (a checklist condition, what is wrong with it in English and in Chinese, after the file and the key path)
CONDITIONS_REFUSED_AT_LOAD: list[tuple[str, str, str]] = [
    ("borrower.uscc and", "syntax error in expression 'borrower.uscc and': unexpected ')'",
     "表达式“borrower.uscc and”语法错误：unexpected ')'"),
    ("borrower.name.upper()", "expression 'borrower.name.upper()' is unsafe or invalid: calling a function is not "
     "allowed", "表达式“borrower.name.upper()”不安全或无效：不允许调用函数"),
    ("'x'|center(9)", "expression \"'x'|center(9)\" is unsafe or invalid: the filter 'center' is not allowed "
     "(allowed: abs, count, d, default, first, float, int, join, last, length, list, lower, map, max, min, reject, "
     "rejectattr, round, select, selectattr, sort, string, sum, trim, unique, upper)",
     "表达式“'x'|center(9)”不安全或无效：不允许使用过滤器“center”（可用：abs、count、d、default、first、float、int、join、"
     "last、length、list、lower、map、max、min、reject、rejectattr、round、select、selectattr、sort、string、sum、trim、"
     "unique、upper）"),
    ("shareholders|map(attribute='_x')|list", "expression \"shareholders|map(attribute='_x')|list\" is unsafe or "
     "invalid: a filter's argument may not begin with an underscore",
     "表达式“shareholders|map(attribute='_x')|list”不安全或无效：过滤器参数不允许以下划线开头"),
    ("9 ** 9 ** 9", "expression '9 ** 9 ** 9' is unsafe or invalid: raising to a power (**) is not allowed",
     "表达式“9 ** 9 ** 9”不安全或无效：不允许乘方运算（**）"),
    ("''.__class__", "expression \"''.__class__\" is unsafe or invalid: the attribute '__class__' begins with an "
     "underscore and is not allowed", "表达式“''.__class__”不安全或无效：不允许访问以下划线开头的属性“__class__”"),
    ("borrower['_x']", "expression \"borrower['_x']\" is unsafe or invalid: the key '_x' begins with an underscore "
     "and is not allowed", "表达式“borrower['_x']”不安全或无效：不允许访问以下划线开头的键“_x”"),
    ("lipsum", "expression 'lipsum' is unsafe or invalid: unknown name 'lipsum' (known: as_of, attestation, "
     "borrower, company_age_years, contractor, documents, loan, project, shareholders)",
     "表达式“lipsum”不安全或无效：未知名称“lipsum”（可用：as_of、attestation、borrower、company_age_years、contractor、"
     "documents、loan、project、shareholders）"),
]

#: Conditions that pass the checks at load and that the sandbox refuses while the bundle is checked:
#: docgen's own limit (worded by its code) and Jinja2's (its sentence, which is English).
CONDITIONS_REFUSED_AT_RUN: list[tuple[str, str, str]] = [
    ("(borrower.name * 100000)|length > 0", "expression '(borrower.name * 100000)|length > 0' refused by the "
     "sandbox: a repeated sequence would have over 10000 items",
     "表达式“(borrower.name * 100000)|length > 0”被沙箱拒绝：重复生成的序列超过 10000 个元素"),
    ("borrower['__cl' ~ 'ass__'] > 1", "expression \"borrower['__cl' ~ 'ass__'] > 1\" refused by the sandbox: "
     "access to attribute '__class__' of 'dict' object is unsafe.",
     "表达式“borrower['__cl' ~ 'ass__'] > 1”被沙箱拒绝：access to attribute '__class__' of 'dict' object is unsafe."),
]


@pytest.mark.parametrize("when, english, chinese", CONDITIONS_REFUSED_AT_LOAD + CONDITIONS_REFUSED_AT_RUN)
def test_a_checklist_condition_that_fails_is_said_in_english(complete: Path, tmp_path: Path, when: str,
                                                               english: str, chinese: str) -> None:
    from docgen import check_bundle
    from docgen.check.messages import in_english
    from docgen.core.errors import ChecklistError

    bank = _bank_checklist(tmp_path, when)
    # the library: the error carries its code and facts, worded in either language
    with pytest.raises(ChecklistError) as caught:
        check_bundle(complete, checklist=bank, as_of=_dt.date.fromisoformat(EXAMPLE_AS_OF), jobs=1)
    assert caught.value.code.startswith("condition-")
    assert in_english(caught.value) == f"{bank}: {_WHEN}: {english}"
    assert str(caught.value) == f"{bank}：{_WHEN}：{chinese}"
    # the command (exit 2), in each language
    assert _stopped(str(complete), "--checklist", str(bank)) == (f"Error: {bank}: {_WHEN}: {english}",
                                                                 f"错误：{bank}：{_WHEN}：{chinese}")


def test_every_condition_code_has_english() -> None:
    from docgen.core.messages import MESSAGES

    conditions = {code for code in MESSAGES.codes() if code.startswith("condition-")}
    assert conditions == {"condition-syntax", "condition-refused", "condition-unsafe", "condition-repeat-too-large"}
    assert conditions <= MESSAGES.codes("en")


def _refused(*args: str) -> tuple[str, str]:
    """Return the last line ``check`` prints when it cannot run, in English and in Chinese (exit 2),
    ``args`` given as they are (no --as-of added)."""
    said = []
    for lang in ("en", "zh"):
        result = CliRunner().invoke(main, ["check", *args, "--lang", lang, "--no-progress"])
        assert result.exit_code == 2, result.output
        said.append(result.output.strip().splitlines()[-1])
    return said[0], said[1]


def test_a_bad_option_of_check_is_said_in_english(complete: Path, tmp_path: Path) -> None:
    bundle = str(complete)
    assert _refused(bundle, "--as-of", "2026-13-01") == (
        "Error: Invalid value for '--as-of': no such date: '2026-13-01' (e.g. --as-of 2026-11-28)",
        "错误：“--as-of”的取值无效：不存在的日期“2026-13-01”（例如 --as-of 2026-11-28）")
    assert _refused(bundle, "--as-of", "1800-01-01") == (
        "Error: Invalid value for '--as-of': 1800-01-01 is outside the years 1900–2199 (e.g. --as-of 2026-11-28)",
        "错误：“--as-of”的取值无效：日期“1800-01-01”超出可用范围 1900–2199 年（例如 --as-of 2026-11-28）")
    assert _refused(bundle, "--as-of", "下周三") == (
        "Error: Invalid value for '--as-of': a date is written YYYY-MM-DD, not '下周三' (e.g. --as-of 2026-11-28)",
        "错误：“--as-of”的取值无效：日期格式应为 YYYY-MM-DD，收到“下周三”（例如 --as-of 2026-11-28）")
    assert _refused(bundle, "--equity-threshold", "500") == (
        "Error: Invalid value for '--equity-threshold': '500' is not a percentage between 0 and 100; e.g. 50 for 50%",
        "错误：“--equity-threshold”的取值无效：“500”不是 0 到 100 之间的百分比；例如 50 表示 50%"
        "（expected a percentage 0-100）")
    assert _refused(bundle, "--format", "docx") == (
        "Error: Invalid value for '--format docx': a docx report needs an output file: give -o, e.g. -o checklist.docx",
        "错误：“--format docx”的取值无效：docx 报告须用 -o 指定输出文件，例如 -o 资料清单.docx（docx needs -o FILE）")
    folder = f"{tmp_path}/"
    assert _refused(bundle, "-o", folder) == (
        f"Error: Invalid value for '-o' / '--output': {folder} ends with a path separator, so it is a folder; give "
        f"the name of the file to write, e.g. {folder}report.json",
        f"错误：“-o”/“--output”的取值无效：{folder} 以路径分隔符结尾，是文件夹；请给出要写入的文件名，"
        f"例如 {folder}报告.json")
    # --lang is read first wherever it stands, so the options before it are worded in it too
    result = CliRunner().invoke(main, ["check", bundle, "--lang", "en", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and result.output.strip().splitlines()[-1] == (
        "Error: Invalid value for '--as-of': no such date: '2026-13-01' (e.g. --as-of 2026-11-28)")


def test_a_report_file_that_cannot_be_written_is_said_in_english(complete: Path, tmp_path: Path) -> None:
    import os

    bundle = str(complete)
    yaml_file = complete / "bundle.yaml"
    assert _refused(bundle, "--as-of", EXAMPLE_AS_OF, "-o", str(yaml_file)) == (
        f"Error: the output file {yaml_file} is the input {complete} (the same file, a link or an alias): writing "
        "would destroy the input; choose another output file name",
        f"错误：输出文件 {yaml_file} 就是输入文件 {complete}（同一文件、链接或别名），写入会毁掉输入；请换一个输出文件名")
    pipe = tmp_path / "report.json"
    os.mkfifo(pipe)
    assert _refused(bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "-o", str(pipe)) == (
        f"Error: {pipe} exists and is a folder, pipe or device, not a regular file: writing would replace it, so it "
        "was refused; choose another output file name",
        f"错误：{pipe} 已存在，不是普通文件，而是文件夹、管道或设备；写入会替换它，已拒绝；请换一个输出文件名")
    long_name = tmp_path / ("x" * 300 + ".json")
    assert _refused(bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "-o", str(long_name)) == (
        f"Error: cannot write {long_name} (File name too long); check the output path, write permission and disk "
        "space",
        f"错误：无法写入 {long_name}（File name too long）；请检查输出路径、写入权限和磁盘空间")


def test_a_bundle_this_user_may_not_read_is_said_in_english(complete: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (running as root, the refusal is built, not met: the check of the BUNDLE argument is made to fail)
    from docgen.core import access
    from docgen.core.errors import InputError

    def refuse(path: Any, cls: Any = InputError) -> None:
        raise access.MESSAGES.error(cls, "access-read", path=str(path))

    monkeypatch.setattr(access, "check_readable", refuse)
    assert _refused(str(complete), "--as-of", EXAMPLE_AS_OF) == (
        f"Error: {complete}: no permission to read the file; check its permissions, or ask an administrator to let "
        "this user read it",
        f"错误：{complete}：无权读取该文件（权限不足）；请检查文件权限，或请管理员为当前用户开放读取权限")


def test_a_check_stopped_by_ctrl_c_is_said_in_english(complete: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.check import output

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "check_report", interrupted)
    said = {}
    for lang in ("en", "zh"):
        result = CliRunner().invoke(main, ["check", str(complete), "--as-of", EXAMPLE_AS_OF, "--lang", lang])
        assert result.exit_code == 130, result.output  # as a shell says a command ended by SIGINT
        said[lang] = result.output.strip()
    assert said == {"en": "Error: interrupted; run it again to go on", "zh": "错误：已中断，重新运行可继续"}


@pytest.fixture(scope="module")
def many_findings(complete: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle with a finding of every code: bad bundle.yaml values, files missing, damaged, empty,
    encrypted, misnamed, expired, stale, short of years, short of funds, unattested, unsafe and unmatched."""
    import os

    import hostile

    bundle = tmp_path_factory.mktemp("en") / "many"
    shutil.copytree(complete, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    for path, value, _ in BAD_VALUES:
        _put(data, path, value)
    data["documents"]["audit-reports"]["years"] = [2024, 2025]
    data["documents"].setdefault("land-transfer", {})["expires"] = "2026-01-01"
    del data["attestations"]["signature-specimen"]
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for name, content, _ in BAD_FILES:
        (bundle / name).parent.mkdir(exist_ok=True)
        (bundle / name).write_bytes(content)
    (bundle / "01-申请前期" / "审计报告2023年度.pdf").unlink()
    (bundle / "03-放款前" / "土地规划及设计方案批复.pdf").unlink()
    (bundle / "03-放款前" / "工程监理报告2026年10月.pdf").rename(bundle / "03-放款前" / "工程监理报告.pdf")
    hostile.truncated_pdf(bundle / "01-申请前期" / "验资报告.pdf")
    hostile.empty_file(bundle / "01-申请前期" / "公司章程.pdf")
    hostile.user_password_pdf(bundle / "01-申请前期" / "开发资质证书.pdf")
    hostile.jpg_named_pdf(bundle / "01-申请前期" / "开户许可证.pdf")
    (bundle / "杂项.txt").write_text("备注\n", encoding="utf-8")
    hostile.utf8_zip(bundle / "补充材料.zip", ["补充/营业执照.pdf"])
    os.symlink("/etc/passwd", bundle / "外链.pdf")
    os.mkfifo(bundle / "管道.pdf")
    return bundle


def _typed(bundle: Path) -> list[str]:
    """What the user gave in ``bundle``: every key and value of its bundle.yaml (as typed and as English
    wording quotes it) and every file's path and name, longest first."""
    found = set(typed_values(yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))))
    for path in bundle.rglob("*"):
        relative = path.relative_to(bundle).as_posix()
        found.update({relative, *relative.split("/")})
    return sorted(found, key=len, reverse=True)


def _docgen_worded_cjk(text: str, typed: list[str]) -> list[str]:
    """Return the lines of ``text`` that still hold a CJK character once what the user typed is taken out."""
    for value in typed:
        text = text.replace(value, "")
    return [line for line in text.splitlines() if _CJK.search(line)]


def test_an_english_check_words_nothing_in_chinese(many_findings: Path, tmp_path: Path) -> None:
    """The sweep: a bundle with a finding of every code, in every format of ``check --lang en``; once
    the user's values, keys and file names are taken out, no CJK character is left (the checklist's
    Chinese titles aside: JSON gives each title in both languages)."""
    from docxtext import docx_text

    from docgen.check.findings import CODES

    typed = _typed(many_findings)
    report = json.loads(_check(many_findings, "--format", "json"))
    assert {f["code"] for f in report["findings"]} == set(CODES)
    for stage in report["stages"]:
        for item in stage["items"]:
            item["title"].pop("zh")
    assert _docgen_worded_cjk(json.dumps(report, ensure_ascii=False, indent=1), typed) == []
    said = {"text": _check(many_findings, "--format", "text")}
    for form in ("markdown", "docx"):
        target = tmp_path / f"report.{form}"
        _check(many_findings, "--format", form, "-o", str(target))
        said[form] = docx_text(target) if form == "docx" else target.read_text(encoding="utf-8")
    for form, text in said.items():
        assert _docgen_worded_cjk(text, typed) == [], form
    # the docx footer, which docx_text does not read, is English too
    import docx

    footer = docx.Document(str(tmp_path / "report.docx")).sections[0].footer.paragraphs[0].text
    assert footer == "Page 1 of 1"
