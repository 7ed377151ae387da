"""A collection-letters job's page read in English (the ``lang`` cookie ``en``): its title, the serial
numbers, the letters that could not be issued and why a job failed, in English; the ledger's values, its
columns' own headers and the serials (the documents' numbers) as they are. The API's job keeps Chinese."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ledger_fixtures import row

from docgen.loans.ledger import write_ledger
from service_helpers import POLICY, wait_job
from test_service_english_loans import _docgen_worded_cjk, _letters_from_plan, _text, _user

_SERIAL = re.compile(r"催字〔\d{4}〕第\d{5}号")


def _letters(api, ledger: Path, policy: bool = True) -> dict:
    """Run the letters job on ``ledger`` (with the example policy unless not ``policy``); return it ended."""
    files = {"ledger": (ledger.name, ledger.read_bytes())}
    if policy:
        files["policy"] = (POLICY.name, POLICY.read_bytes())
    headers = api.headers("manager")
    started = api.client.post("/api/collect/letters", headers=headers, files=files, data={"as_of": "2026-06-30"})
    assert started.status_code == 202, started.text
    return wait_job(api.client, started.json()["job"], headers)


def test_a_letters_job_reads_in_english(api, tmp_path: Path) -> None:
    address = {"address": "陕西省宝鸡市眉县首善镇平阳街8号"}
    owed = {"overdue_principal": 5000, **address}
    ledger = write_ledger([row("B1", 200000, "关注", days=40, serial=1, overdue_principal=5000),  # no address
                           row("B2", 300000, "关注", days=40, serial=2, **owed),
                           row("B3", 400000, "关注", days=40, serial=3, **address),  # nothing owed to demand
                           row("B4", 500000, "关注", days=40, serial=5, **owed)], tmp_path / "台账.xlsx")
    job = _letters(api, ledger)
    assert job["state"] == "done" and len(job["result"]["serials"]) == 2, job["result"]
    assert job["result"]["refused"][0].startswith("B1：台账未填借款人地址")  # the API's answer stays Chinese
    english = _user(api, "manager", "en", "/jobs")
    page = english.get(f"/jobs/{job['id']}")
    assert page.status_code == 200
    text = _text(page.text)
    first, second = job["result"]["serials"]
    assert f"<title>Collection letters job {job['id']} · docgen</title>" in page.text
    assert f"Collection letters job {job['id']}" in text and re.search(r"State:\s+done", text)
    assert f"Serial numbers: {first}, {second}" in text
    assert ("<h2>Letters that could not be issued</h2>\n<ul class=\"error\"><li>B1: the ledger gives no borrower address "
            "(the address for service), so the overdue loan demand letter cannot be served and was not made; fill in "
            "the column 借款人地址</li>") in page.text
    assert re.search(r"<li>B3: every amount the ledger gives to claim is nil \(balance [^)]+\), so no overdue loan "
                     r"demand letter was made; ", page.text)
    zip_name = f"催收函-2026-06-30-{job['id']}.zip"  # the documents' own name, Chinese as they are
    assert _docgen_worded_cjk(page.text, [first, second, zip_name, "借款人地址"]) == []
    listed = english.get("/jobs")
    assert f"Collection letters {job['id']}" in _text(listed.text)
    assert _docgen_worded_cjk(listed.text, []) == []
    chinese = _user(api, "manager", "zh", "/jobs").get(f"/jobs/{job['id']}")
    assert f"催收函任务 {job['id']}" in chinese.text and f"编号：{first}、{second}" in _text(chinese.text)
    assert "<li>B1：台账未填借款人地址（送达地址），无法送达，未生成逾期贷款催收函；请在“借款人地址”列补填</li>" in chinese.text


def test_a_letters_job_without_a_policy_that_signs_letters_is_refused_before_it_starts(api, tmp_path: Path) -> None:
    # The shipped policy names no branch's contact nor the bank: the job failed once a letter was due,
    # naming the policy by its path on the server.
    ledger = write_ledger([row("C1", 200000, "关注", days=40, serial=4, address="眉县首善镇")], tmp_path / "台账.xlsx")
    jobs_before = len(api.client.get("/api/jobs", headers=api.headers("manager")).json())
    refused = api.client.post("/api/collect/letters", headers=api.headers("manager"),
                              files={"ledger": (ledger.name, ledger.read_bytes())}, data={"as_of": "2026-06-30"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == (
        "未上传催收策略，而 docgen 自带的默认催收策略没有填写各机构的联系方式（letters.branches）和银行法定名称"
        "（letters.bank_legal_name），催收文书无法署名和填写联系人；请上传填写了这两项的催收策略文件"
        "（示例见 examples/collection-policy.yaml）后重新提交")
    assert len(api.client.get("/api/jobs", headers=api.headers("manager")).json()) == jobs_before
    # the plan page's letters, in English: the same refusal, and no path of the server's
    letters = _letters_from_plan(api, ledger)
    assert letters.status_code == 400, letters.text
    assert ("no collection policy was uploaded, and docgen's default policy gives neither the branches' contact "
            "details (letters.branches) nor the bank's legal name (letters.bank_legal_name), so the letters cannot be "
            "signed or name a contact; upload a collection policy that gives both (see examples/collection-policy.yaml) "
            "and try again") in _text(letters.text)
    assert "collection-policy.yaml" not in _text(letters.text).replace("examples/collection-policy.yaml", "")
    assert _docgen_worded_cjk(letters.text, []) == []
    # an uploaded policy giving the bank but no branch: refused at once, named as the user called it
    unsigned = tmp_path / "本行策略.yaml"
    unsigned.write_text("letters:\n  bank_legal_name: 眉县农商银行\n", encoding="utf-8")
    files = {"ledger": (ledger.name, ledger.read_bytes()), "policy": (unsigned.name, unsigned.read_bytes())}
    branchless = api.client.post("/api/collect/letters", headers=api.headers("manager"), files=files,
                                 data={"as_of": "2026-06-30"})
    assert branchless.status_code == 400, branchless.text
    assert branchless.json()["error"].startswith("本行策略.yaml：letters.branches：催收策略没有任何机构的联系方式")
    assert str(api.settings.data_dir) not in branchless.json()["error"]
    assert len(api.client.get("/api/jobs", headers=api.headers("manager")).json()) == jobs_before


def test_a_job_interrupted_or_lost_is_said_in_english(api) -> None:
    import time

    from docgen.service.jobs import JobStore

    store = JobStore(api.settings.db_path)
    interrupted = store.create("letters", "manager", {"out": ""})
    assert store.mark_interrupted() == 1  # the service restarted before a worker took it
    english = _user(api, "manager", "en", "/jobs")
    page = english.get(f"/jobs/{interrupted}")
    assert ("<p id=\"job-error\" class=\"error\" >the job had not finished when the service restarted; run it again: "
            "no document already issued is issued twice</p>") in page.text
    assert _docgen_worded_cjk(page.text, []) == []
    lost = store.create("letters", "manager", {"out": ""})
    assert store.start(lost, lease=60) is not None
    assert store.expire(now=time.time() + 3600) == [lost]
    text = _text(english.get(f"/jobs/{lost}").text)
    assert re.search(r"the process \S+ running the job is gone \(the time it gave for the job to be still running, "
                     r"\S+, passed without renewal\) and the job did not finish; run it again", text), text
    chinese = _user(api, "manager", "zh", "/jobs").get(f"/jobs/{interrupted}")
    assert "服务重启时该任务尚未完成；可重新运行，已出具的文书不会重复出具" in chinese.text


def _held_service(tmp_path: Path):
    """A service whose jobs wait until the test runs them (``HeldRunner``), as ``Api``."""
    from fastapi.testclient import TestClient

    from conftest import Api
    from docgen.service.app import create_app
    from service_helpers import HeldRunner, make_settings

    settings = make_settings(tmp_path / "data")
    return TestClient(create_app(settings, runner=HeldRunner())), settings, Api


def test_why_an_npl_report_job_failed_is_said_in_english(tmp_path: Path) -> None:
    from docgen.service import work
    from docgen.service.jobs import JobStore
    from service_helpers import LEDGER, NOTES, OPENING

    client, settings, Api = _held_service(tmp_path)
    with client:
        api = Api(client, settings)
        files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "opening": (OPENING.name, OPENING.read_bytes()),
                 "notes": ("说明.yaml", NOTES.read_bytes())}
        started = client.post("/api/npl-report?format=docx", headers=api.headers("manager"), files=files,
                              data={"period": "2026Q2"})
        assert started.status_code == 202, started.text
        job_id = started.json()["job"]
        # The notes (no SHA-256 kept for them) rewritten on the server after the check: a list now.
        Path(JobStore(settings.db_path).get(job_id)["params"]["notes"]).write_text("- 总行\n", encoding="utf-8")
        assert work.execute_job(str(settings.data_dir), job_id) is None
        job = client.get(f"/api/jobs/{job_id}", headers=api.headers("manager")).json()
        assert job["state"] == "failed" and job["error"].startswith("说明.yaml："), job  # the API's stays Chinese
        page = _user(api, "manager", "en", "/jobs").get(f"/jobs/{job_id}")
        text = _text(page.text)
        assert f"NPL report job {job_id}" in text
        assert ("\n说明.yaml: the top level of the notes file should be a mapping ('key: value'), e.g. 'recipient: "
                "head office'\n") in text, text
        assert _docgen_worded_cjk(page.text, ["说明.yaml"]) == []
        chinese = _user(api, "manager", "zh", "/jobs").get(f"/jobs/{job_id}")
        assert f">{job['error']}</p>" in chinese.text


def test_why_a_batch_job_split_into_chunks_failed_is_said_in_english(tmp_path: Path, monkeypatch) -> None:
    import docgen.documents.batch as batch
    from service_helpers import eager_celery, rows_csv

    monkeypatch.setenv("DOCGEN_CHUNK_ROWS", "2")  # 4 rows: two chunks, then the assembly
    real = batch.generate

    def held_elsewhere(*args, **kwargs):  # another batch still running holds the chunk's first row
        result = real(*args, **kwargs)
        result.in_progress.append(next(iter(result.documents)).row_key)
        return result

    monkeypatch.setattr(batch, "generate", held_elsewhere)
    client, settings, Api = _held_service(tmp_path)
    with client:
        api = Api(client, settings)
        headers = api.headers("backoffice")
        started = client.post("/api/batch/demand-letter", headers=headers,
                              files={"rows": ("rows.csv", rows_csv(4), "text/csv")})
        job_id = started.json()["job"]
        eager_celery().tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert job["state"] == "failed" and job["error"].startswith("2 行（如 "), job
        page = _user(api, "backoffice", "en", "/jobs").get(f"/jobs/{job_id}")
        text = _text(page.text)
        assert f"Batch job {job_id}" in text
        held = re.search(r"2 rows \(such as (\S+)\) are being made by another batch still running; run this job "
                         r"again once it has ended: no document already issued is issued twice", text)
        assert held, text
        assert _docgen_worded_cjk(page.text, [held.group(1)]) == []  # the row's key, the user's data


def test_a_job_failed_by_a_full_disk_is_said_in_english(tmp_path: Path, monkeypatch) -> None:
    """Its third start refused in a row (``job-start-refused``) and a disk filling while it runs: the
    English page says both in English, naming the disk's folder; the API's error stays Chinese."""
    import errno

    from fastapi.testclient import TestClient
    from test_service_storage import InlineRunner

    from conftest import Api
    from docgen.service import work
    from docgen.service.app import create_app
    from docgen.service.jobs import JobStore
    from docgen.service.messages import MESSAGES as SERVICE
    from service_helpers import make_settings, rows_csv

    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    settings = make_settings(tmp_path / "data")
    runner = InlineRunner(settings)
    with TestClient(create_app(settings, runner=runner)) as client:
        api = Api(client, settings)
        client.app.state.service.ends.close()  # recorded here, not by its thread
        client.app.state.service.ends.every = 3600
        headers = api.headers("backoffice")
        job_id = client.post("/api/batch/demand-letter", headers=headers,
                             files={"rows": ("rows.csv", rows_csv(1), "text/csv")}).json()["job"]
        for _ in range(3):
            client.app.state.service.ends.record()
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        full = SERVICE.text("storage-full", {"path": str(settings.data_dir)})
        assert (job["state"], job["error"]) == ("failed", SERVICE.text("job-start-refused",
                                                                       {"count": 3, "problem": full})), job
        english = _user(api, "backoffice", "en", "/jobs")
        page = english.get(f"/jobs/{job_id}")
        assert (f"<p id=\"job-error\" class=\"error\" >the job could not be started 3 times in a row and is not tried "
                f"again: no space left on the disk of {settings.data_dir}, so the service cannot write; ask the "
                "administrator to free disk space, then try again; run it again once that is put right</p>") in page.text
        assert _docgen_worded_cjk(page.text, []) == []
        chinese = _user(api, "backoffice", "zh", "/jobs").get(f"/jobs/{job_id}")
        assert f">{job['error']}</p>" in chinese.text
        # Run again with room to start, the disk fills as its result is zipped.
        runner.full = False

        def zip_on_a_full_disk(*_, **__):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(work, "_zip", zip_on_a_full_disk)
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=headers).status_code == 202
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        out = JobStore(settings.db_path).get(job_id)["params"]["out"]
        assert (job["state"], job["error"]) == ("failed", SERVICE.text("storage-full", {"path": out})), job
        text = _text(english.get(f"/jobs/{job_id}").text)
        assert (f"\nno space left on the disk of {out}, so the service cannot write; ask the administrator to free "
                "disk space, then try again\n") in text, text


def _batch_job(settings, tmp_path: Path, template: str, *, pdf: bool = False) -> str:
    """A batch job of one row of the example sheet for ``template`` (a name or a .docx), queued as
    a started one is (its rows checked, its SHA-256 kept); returns its id."""
    from docgen.documents.register import sha256_file
    from docgen.service.jobs import JobStore
    from service_helpers import rows_csv

    rows = tmp_path / "rows.csv"
    rows.write_bytes(rows_csv(1))
    params = {"template": template, "rows": str(rows), "rows_name": "催收名单.csv", "rows_sha256": sha256_file(rows),
              "pdf": pdf, "shown": {str(rows): "催收名单.csv"}, "out": str(tmp_path / "out"), "role": "backoffice"}
    return JobStore(settings.db_path).create("batch", "backoffice", params)


def _failed_in_english(api, job_id: str) -> tuple[str, str, str]:
    """Return a failed job's error (the API's), its English page and its Chinese page (unescaped)."""
    job = api.client.get(f"/api/jobs/{job_id}", headers=api.headers("backoffice")).json()
    assert job["state"] == "failed", job
    page = html.unescape(_user(api, "backoffice", "en", "/jobs").get(f"/jobs/{job_id}").text)
    chinese = html.unescape(_user(api, "backoffice", "zh", "/jobs").get(f"/jobs/{job_id}").text)
    assert f">{job['error']}</p>" in chinese
    return job["error"], page, chinese


def test_why_a_batch_job_could_not_fill_its_template_is_said_in_english(tmp_path: Path) -> None:
    import docx

    from docgen.service import work
    from docgen.templates import __file__ as shipped

    folder = tmp_path / "bank"
    folder.mkdir()
    document = docx.Document(str(Path(shipped).parent / "demand-letter.docx"))
    document.add_paragraph("合计：{{ total / 0 }}")  # fails when filled, not when loaded
    document.save(str(folder / "本行催收函.docx"))
    (folder / "本行催收函.yaml").write_bytes((Path(shipped).parent / "demand-letter.yaml").read_bytes())
    client, settings, Api = _held_service(tmp_path)
    with client:
        api = Api(client, settings)
        job_id = _batch_job(settings, tmp_path, str(folder / "本行催收函.docx"))
        assert work.execute_job(str(settings.data_dir), job_id) is None
        error, page, _ = _failed_in_english(api, job_id)
        assert error.startswith("模板 本行催收函：无法填写（第"), error
        said = re.search(r'<p id="job-error" class="error" >template 本行催收函: cannot be filled \(paragraph \d+: '
                         r'合计：\{\{ total / 0 \}\}\): (.+?) \(row 2\)</p>', page)
        assert said, page
        assert _docgen_worded_cjk(page, ["本行催收函", "合计："]) == []


def test_why_a_batch_job_could_not_use_the_register_is_said_in_english(tmp_path: Path) -> None:
    from docgen.service import work

    client, settings, Api = _held_service(tmp_path)
    with client:
        api = Api(client, settings)
        job_id = _batch_job(settings, tmp_path, "demand-letter")
        Path(settings.register_path).write_bytes(b"not a register " * 100)  # damaged on the server
        assert work.execute_job(str(settings.data_dir), job_id) is None
        error, page, _ = _failed_in_english(api, job_id)
        assert error.startswith(f"{settings.register_path}：无法打开登记簿数据库（"), error
        assert re.search(rf"<p id=\"job-error\" class=\"error\" >{re.escape(str(settings.register_path))}: the "
                         r"register's database cannot be opened \([^)]+\); restore the register \(with its -wal file\) "
                         r"from a backup</p>", page), page
        assert _docgen_worded_cjk(page, []) == []


def test_why_a_batch_job_could_not_make_its_pdfs_is_said_in_english(tmp_path: Path, monkeypatch) -> None:
    from docgen.service import work

    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\necho 'source file could not be loaded' >&2\nexit 3\n", encoding="utf-8")
    soffice.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(soffice))
    client, settings, Api = _held_service(tmp_path)
    with client:
        api = Api(client, settings)
        job_id = _batch_job(settings, tmp_path, "demand-letter", pdf=True)
        assert work.execute_job(str(settings.data_dir), job_id) is None
        error, page, _ = _failed_in_english(api, job_id)
        assert error.startswith("LibreOffice 未能把 1 个文件转换为 PDF："), error
        said = re.search(r'<p id="job-error" class="error" >LibreOffice could not convert 1 file to PDF: (\S+\.docx) '
                         r'\(exit code 3; [^)]*\); check that the files open in Word or LibreOffice</p>', page)
        assert said, page
        assert _docgen_worded_cjk(page, [said.group(1)]) == []  # the letter's own file name
        # without LibreOffice at all
        monkeypatch.setenv("DOCGEN_SOFFICE", str(tmp_path / "none"))
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=api.headers("backoffice")).status_code == 202
        assert work.execute_job(str(settings.data_dir), job_id) is None
        error, page, _ = _failed_in_english(api, job_id)
        assert error.startswith(f"DOCGEN_SOFFICE 指向的 {tmp_path / 'none'} 不存在。"), error
        assert (f"<p id=\"job-error\" class=\"error\" >DOCGEN_SOFFICE names {tmp_path / 'none'}, which does not exist. "
                "LibreOffice (soffice) was not found, so no PDF can be made; install it and try again") in page, page
        assert _docgen_worded_cjk(page, []) == []
