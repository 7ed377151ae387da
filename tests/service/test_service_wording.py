"""What the service says where the command line's sentence tells the user to pass an option
(``--policy``, ``--sheet``, ``--skip-invalid``, ``--new-register``): what to do on the service instead
(the form's field, an upload, the administrator), in Chinese and on the pages read in English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from ledger_fixtures import row

from docgen.loans.ledger import write_ledger
from service_helpers import wait_job
from test_service_english_loans import _csrf, _docgen_worded_cjk, _letters_from_plan, _text, _user

_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_a_policy_without_branches_is_refused_saying_where_to_upload_one(api, tmp_path: Path) -> None:
    ledger = write_ledger([row("W1", 200000, "关注", days=40, serial=4, address="眉县首善镇", overdue_principal=5000)],
                          tmp_path / "台账.xlsx")
    unsigned = tmp_path / "本行策略.yaml"
    unsigned.write_text("letters:\n  bank_legal_name: 眉县农商银行\n", encoding="utf-8")
    files = {"ledger": (ledger.name, ledger.read_bytes()), "policy": (unsigned.name, unsigned.read_bytes())}
    refused = api.client.post("/api/collect/letters", headers=api.headers("manager"), files=files,
                              data={"as_of": "2026-06-30"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == (
        "本行策略.yaml：letters.branches：催收策略没有任何机构的联系方式，催收文书无法填写联系人和电话；请在策略文件的 "
        "letters.branches 下填写各机构（或 default）的 address、phone、contact，在“催收策略”（policy）一栏上传后重新提交"
        "（示例见 examples/collection-policy.yaml）")
    letters = _letters_from_plan(api, ledger, unsigned)
    assert letters.status_code == 400, letters.text
    assert ("本行策略.yaml: letters.branches: the collection policy gives no branch's contact details, so the letters "
            "cannot name a contact or a phone; list each branch (or default) with its address, phone and contact under "
            "letters.branches in the policy file, upload it in the policy field and try again (see "
            "examples/collection-policy.yaml)") in _text(letters.text)
    assert _OPTION.findall(_text(letters.text)) == []
    assert _docgen_worded_cjk(letters.text, ["本行策略.yaml"]) == []


def test_a_letter_for_a_branch_the_policy_does_not_name_says_where_to_upload_the_policy(api, tmp_path: Path) -> None:
    ledger = write_ledger([row("W2", 200000, "关注", days=40, serial=5, address="眉县首善镇", overdue_principal=5000)],
                          tmp_path / "台账.xlsx")
    policy = tmp_path / "本行策略.yaml"
    policy.write_text("letters:\n  bank_legal_name: 眉县农商银行\n  branches:\n"
                      "    城关支行: {address: 眉县城关镇1号, phone: 0917-5541111, contact: 李四}\n", encoding="utf-8")
    files = {"ledger": (ledger.name, ledger.read_bytes()), "policy": (policy.name, policy.read_bytes())}
    started = api.client.post("/api/collect/letters", headers=api.headers("manager"), files=files,
                              data={"as_of": "2026-06-30"})
    assert started.status_code == 202, started.text
    job = wait_job(api.client, started.json()["job"], api.headers("manager"))
    assert job["state"] == "done", job
    assert job["result"]["refused"] == [
        "W2：催收策略中没有机构“眉县支行营业部”的联系方式（也没有 default）：请在策略文件 letters.branches 下添加"
        "“眉县支行营业部: {address: …, phone: …, contact: …}”，在“催收策略”（policy）一栏上传后重新出具"]
    page = _user(api, "manager", "en", "/jobs").get(f"/jobs/{job['id']}")
    assert ("<li>W2: the collection policy gives no contact details for branch '眉县支行营业部' (nor a default): add "
            "'眉县支行营业部: {address: …, phone: …, contact: …}' under letters.branches in the policy file, upload it "
            "in the policy field and issue the letters again</li>") in page.text.replace("&#39;", "'")
    assert _OPTION.findall(_text(page.text)) == []


def test_a_sheet_without_rows_is_refused_without_naming_an_option(api) -> None:
    from service_helpers import rows_csv

    header_only = rows_csv(0)
    for lang, said in (("zh", "名单.csv：表格中没有数据行（只有表头）；请检查是否上传错了文件（服务读取 Excel 显示的第一个工作表）"),
                       ("en", "名单.csv: the sheet has no data rows (only its header); check that the right file was "
                              "uploaded (the service reads the first sheet Excel shows)")):
        client = _user(api, "backoffice", lang, "/batch")
        answer = client.post("/batch", data={"csrf": _csrf(client.get("/batch").text), "template": "demand-letter"},
                             files={"rows": ("名单.csv", header_only, "text/csv")})
        assert answer.status_code == 400, answer.text
        assert said in _text(answer.text)
        assert _OPTION.findall(_text(answer.text)) == []


def _register_error(code: str, **facts):
    from docgen.core.errors import RegisterDamagedError, RowsError
    from docgen.documents.messages import MESSAGES as DOCUMENTS

    if code == "rows-rejected/error":
        return DOCUMENTS.error(RowsError, code, [], **facts)
    return DOCUMENTS.error(RegisterDamagedError, code, **facts)


@pytest.mark.parametrize(("code", "facts"), [
    ("rows-rejected/error", {"template": "demand-letter", "source": "名单.csv", "rows": [3, 5], "count": 2}),
    ("register-emptied", {"register": "register.sqlite", "records": 12, "last_template": "demand-letter",
                          "last_serial": "催字〔2026〕第00012号"}),
    ("register-unsound/issue", {"register": "register.sqlite", "issue": "replaced", "template": "", "serial": "",
                                "seq": None, "detail": "校验文件 .anchor 属于另一个登记簿或已损坏"}),
    ("register-unsound/anchor", {"register": "register.sqlite", "issue": "replaced", "template": "", "serial": "",
                                 "seq": None, "detail": "校验文件 .anchor 属于另一个登记簿或已损坏"}),
])
def test_a_job_ended_by_an_error_naming_an_option_says_what_to_do_on_the_service(code: str, facts: dict) -> None:
    """A batch's rows refused as it runs, the service's register emptied or replaced: the part's own
    sentence names --skip-invalid or --new-register; the job's error (the API's, Chinese) and its
    English page's say what to do on the service."""
    from docgen.service.work import failure

    exc = _register_error(code, **facts)
    assert _OPTION.findall(str(exc).split("\n")[0]), str(exc)  # the command line's sentence
    for lang in ("zh", "en"):
        said = failure(exc, {}, lang)["error"]
        assert _OPTION.findall(said) == [], said
        assert ("管理员" if lang == "zh" else "administrator") in said or "upload" in said or "上传" in said, said


def test_a_damaged_registers_detail_is_said_in_english_on_english_pages(tmp_path: Path) -> None:
    """The detail a register audit finds (an anchor of another register, records cut short, SQLite's
    integrity check, a database gone) is worded in English where the issue's sentence is."""
    import shutil

    from docgen.core.errors import RegisterDamagedError
    from docgen.documents.batch import generate, resolve_template
    from docgen.documents.register import Register, RegisterIssue, _detail, unsound
    from docgen.service.work import failure

    for name in ("ours", "other"):
        (tmp_path / name).mkdir()
        with Register(tmp_path / name / "reg.sqlite"):
            pass
    shutil.copy(tmp_path / "other" / "reg.sqlite.anchor", tmp_path / "ours" / "reg.sqlite.anchor")
    with pytest.raises(RegisterDamagedError) as replaced:
        with Register(tmp_path / "ours" / "reg.sqlite") as register:
            generate(resolve_template("demand-letter"), [], tmp_path / "out", register=register)
    assert "（校验文件 .anchor 属于另一个登记簿或已损坏）" in failure(replaced.value, {}, "zh")["error"]
    english = failure(replaced.value, {}, "en")["error"]
    assert "(the check file .anchor belongs to another register or is damaged)" in english, english
    assert not re.search(r"[\u4e00-\u9fff]", english), english
    for issue in (RegisterIssue("truncated", **_detail("short", {"records": 12, "last": "demand-letter X", "count": 9})),
                  RegisterIssue("corrupt", **_detail("integrity", {"first": "row 3 missing from index", "count": 3})),
                  RegisterIssue("replaced", **_detail("no-database", {"records": 12}))):
        for then in ("issue", "anchor"):
            english = failure(unsound("reg.sqlite", issue, then), {}, "en")["error"]
            assert not re.search(r"[\u4e00-\u9fff]", english), english
    assert "the check file vouches for 12 records, the last demand-letter X; there are 9" in failure(
        unsound("reg.sqlite", RegisterIssue("truncated", **_detail(
            "short", {"records": 12, "last": "demand-letter X", "count": 9})), "issue"), {}, "en")["error"]
