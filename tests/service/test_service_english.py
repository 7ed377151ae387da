"""The check's pages read in English (the ``lang`` cookie ``en``): a check's findings, what changed since
the client's last check and why a check or a draft could not run are worded in English by the check
and core tables, as ``docgen check --lang en`` words them, whatever language the check was made in;
in Chinese they read as before. The API's report keeps its stable codes and its (Chinese) messages.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service_helpers import AS_OF, bundle_zip
from test_service_access import login
from wordingkit import page_problems

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_TAG = re.compile(r"<[^>]+>")

#: Findings of the example bundle, in English and in Chinese.
ENGLISH = ["wrong file type: the content is a JPEG image, but the extension is .pdf",
           "Project site plan: missing",
           "Proof of the project's self-raised funds: requirement not met — invested / total investment is 46.7%, "
           "below 50%",
           "Enterprise credit report: out of date — issued 2026-09-15, 74 days before the check, over the 30-day limit"]
CHINESE = ["文件类型不符：内容是 JPEG 图片，扩展名却是 .pdf", "缺少项目总平图"]
#: The example bundle's client, as its bundle.yaml names it.
CLIENT = "华安置业.zip"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _text(page: str) -> str:
    """Return the text ``page`` shows (tags out, entities read)."""
    return html.unescape(_TAG.sub("\n", page))


def _not_data(text: str) -> list[str]:
    """Return the lines of ``text`` holding Chinese that is not the user's data: the bundle's file
    and folder names, the upload's name, the language switch (中文)."""
    return [line.strip() for line in text.splitlines()
            if _CJK.search(re.sub(r"\S*(0[1-3]-\S+|会议纪要\S*|华安置业\S*)|中文", "", line))]


def _user(api, role: str, lang: str) -> TestClient:
    client = TestClient(api.client.app)
    login(client, role)
    client.get(f"/lang/{lang}?next=/check")
    return client


def _check(client: TestClient, archive: Path, **fields: str):
    form = client.get("/check")
    return client.post("/check", data={"csrf": _csrf(form.text), "as_of": AS_OF, **fields},
                       files={"bundle": (archive.name, archive.read_bytes(), "application/zip")})


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle_zip(tmp_path_factory.mktemp("english") / CLIENT)


@pytest.mark.parametrize("role", ["credit", "compliance"])
def test_a_check_made_in_english_reads_in_english(api, archive, role):
    answer = _check(_user(api, role, "en"), archive)
    assert answer.status_code == 200
    text = _text(answer.text)
    assert all(sentence in text for sentence in ENGLISH), text
    assert not any(sentence in text for sentence in CHINESE)
    assert "Checklist report .docx" in text and "资料清单 .docx" not in text
    # the files an item holds are listed with an English comma
    assert "01-申请前期/公司简历.docx, 01-申请前期/公司简历.pdf" in text
    assert _not_data(text) == []


@pytest.mark.parametrize("role", ["credit", "compliance"])
def test_a_check_reads_in_the_language_of_the_page_it_is_read_on(api, archive, role):
    other = "compliance" if role == "credit" else "credit"
    made = _check(_user(api, other, "zh"), archive)
    assert made.status_code == 200 and CHINESE[1] in made.text
    reader = _user(api, role, "en")
    text = _text(reader.get(str(made.url)).text)
    assert all(sentence in text for sentence in ENGLISH) and not any(sentence in text for sentence in CHINESE)
    assert _not_data(text) == []
    reader.get("/lang/zh?next=/check")
    again = reader.get(str(made.url)).text
    assert all(sentence in _text(again) for sentence in CHINESE) and ENGLISH[1] not in _text(again)
    assert page_problems(again) == []


def test_what_changed_since_the_last_check_reads_in_english(api, archive, tmp_path):
    client = _user(api, "credit", "zh")
    assert _check(client, archive).status_code == 200
    # the client brings the site plan: its finding is fixed
    second = tmp_path / CLIENT
    second.write_bytes(archive.read_bytes())
    with zipfile.ZipFile(second, "a") as zf:
        zf.writestr("bundle/01-申请前期/项目总平图.pdf", archive.read_bytes())
    made = _check(client, second)
    assert made.status_code == 200
    client.get("/lang/en?next=/check")
    changes = _text(client.get(str(made.url)).text).split("Since the last check")[1].split("Bundle check")[0]
    assert "✓ Project site plan: missing" in changes and "缺少" not in changes
    assert "01-申请前期/项目总平图.pdf" in changes.split("New files")[1].split("Replaced files")[0]


def _kept_without(api, made, *keys: str) -> dict:
    """Make the check the page ``made`` shows one kept by an earlier docgen, whose stored files held
    none of ``keys`` (each in both languages now); return what its files hold then."""
    import json

    from docgen.service.store import connect

    check_id = str(made.url).rsplit("/", 1)[1]
    with connect(api.settings.db_path) as db:
        files = json.loads(db.execute("SELECT files FROM checks WHERE id = ?", (check_id,)).fetchone()["files"])
        assert all(set(files.pop(key)) == {"zh", "en"} for key in keys)
        db.execute("UPDATE checks SET files = ? WHERE id = ?", (json.dumps(files), check_id))
    return files


def test_a_check_kept_before_its_sentences_were_shows_as_it_was_made(api, archive):
    # a check kept before checks kept their findings' sentences in both languages (files without
    # "messages"): the English page shows it in the language it was made in, and it still is the
    # check a later one is compared with
    client = _user(api, "credit", "zh")
    made = _check(client, archive)
    assert made.status_code == 200
    _kept_without(api, made, "messages", "reports")
    client.get("/lang/en?next=/check")
    answer = client.get(str(made.url))
    assert answer.status_code == 200
    text = _text(answer.text)
    assert all(sentence in text for sentence in CHINESE) and ENGLISH[1] not in text
    later = _text(client.get(str(_check(client, archive).url)).text)
    assert "Since the last check" in later and all(sentence in later for sentence in ENGLISH)


@pytest.mark.parametrize("role", ["credit", "compliance"])
def test_why_a_check_cannot_run_is_said_in_english(api, archive, role, tmp_path):
    english, chinese = _user(api, role, "en"), _user(api, role, "zh")
    for client, said in ((english, "checklist dev-loan has no stage 'nope'; its stages: pre-application, "
                                   "pre-contract, pre-disbursement"),
                         (chinese, "清单 dev-loan 没有阶段“nope”；可用阶段：pre-application、pre-contract、pre-disbursement")):
        answer = _check(client, archive, stage="nope")
        assert answer.status_code == 400
        assert said in _text(answer.text)
    broken = tmp_path / "坏文件.zip"
    broken.write_bytes(b"not a zip\n")
    answer = _check(english, broken)
    assert answer.status_code == 400
    assert ("坏文件.zip: neither a folder nor a valid .zip archive (damaged, or another format); give the client "
            "folder, or pack it again with 'Compress to ZIP'") in _text(answer.text)
    answer = _check(chinese, broken)
    assert answer.status_code == 400
    assert ("坏文件.zip：既不是文件夹也不是有效的 .zip 压缩包（文件损坏或格式不对）；请给出客户资料文件夹，"
            "或用“压缩为 ZIP”重新打包") in _text(answer.text)
    form = english.get("/check").text
    assert '<option value="pre-contract">pre-contract</option>' in form and "签约前" not in form


def test_why_a_draft_cannot_run_is_said_in_english(api):
    client = _user(api, "credit", "en")
    form = client.get("/draft")
    answer = client.post("/draft", data={"csrf": _csrf(form.text)},
                         files={"bundle": ("坏文件.zip", b"not a zip\n", "application/zip")})
    assert answer.status_code == 400
    assert ("坏文件.zip: neither a folder nor a valid .zip archive (damaged, or another format)") in _text(answer.text)


def test_the_api_report_keeps_its_codes_and_chinese_messages(api, archive):
    # the pages' language cookie is not the API's: its report is docgen check --format json's
    client = TestClient(api.client.app, cookies={"lang": "en"})
    answer = client.post("/api/check", data={"as_of": AS_OF}, headers=api.headers("credit"),
                         files={"bundle": (archive.name, archive.read_bytes(), "application/zip")})
    assert answer.status_code == 200
    messages = {(f["code"], f["item"]): f["message"] for f in answer.json()["findings"]}
    assert messages[("missing", "site-plan")] == CHINESE[1]
    assert messages[("wrong-type", "account-permit")] == CHINESE[0]


def _downloads(page: str) -> tuple[list[str], list[str]]:
    """Return the page's report downloads (.docx, Markdown, JSON) and those in its other language."""
    main = re.search(r'<p class="downloads">(.*?)</p>', page, re.S).group(1)
    other = re.search(r'<p class="downloads other-language">(.*?)</p>', page, re.S)
    find = lambda text: re.findall(r'href="(/api/files/[^"]+)"', text)  # noqa: E731
    return find(main), find(other.group(1)) if other else []


def _report(client: TestClient, link: str) -> tuple[str, str]:
    """Return the name a download is given and its text (a .docx read back)."""
    from urllib.parse import unquote

    from docxtext import docx_text

    answer = client.get(link)
    assert answer.status_code == 200
    name = unquote(answer.headers["content-disposition"].split("filename*=utf-8''")[1])
    return name, docx_text(answer.content) if name.endswith(".docx") else answer.text


@pytest.mark.parametrize("made_in", ["zh", "en"])
def test_the_report_downloads_in_the_language_of_the_page(api, archive, made_in):
    client = _user(api, "credit", made_in)
    made = _check(client, archive)
    assert made.status_code == 200
    for lang, other, said, unsaid in (("en", "zh", ENGLISH, CHINESE), ("zh", "en", CHINESE, ENGLISH)):
        client.get(f"/lang/{lang}?next=/check")
        page = client.get(str(made.url)).text
        shown, others = _downloads(page)
        assert len(shown) == len(others) == 3
        stem = "checklist-report-华安置业" if lang == "en" else "资料清单-华安置业"
        for link, suffix in zip(shown, (".docx", ".md", ".json")):
            name, text = _report(client, link)
            assert name == stem + suffix
            assert all(sentence in text for sentence in said[:2]) and not any(s in text for s in unsaid[:2]), name
        # the other language's, asked for by its link
        name, text = _report(client, others[0])
        assert name == ("资料清单-华安置业.docx" if other == "zh" else "checklist-report-华安置业.docx")
        assert all(sentence in text for sentence in unsaid[:2])
    english = _user(api, "compliance", "en")  # whoever reads it: compliance sees every user's files
    assert "Project site plan: missing" in _report(english, _downloads(english.get(str(made.url)).text)[0][0])[1]


def test_a_check_kept_before_it_made_both_reports_downloads_as_it_was_made(api, archive):
    # kept after its findings' sentences were kept in both languages, before its downloads were
    client = _user(api, "credit", "zh")
    made = _check(client, archive)
    files = _kept_without(api, made, "reports")
    client.get("/lang/en?next=/check")
    shown, others = _downloads(client.get(str(made.url)).text)
    assert others == [] and shown == [f"/api/files/{files[fmt]}" for fmt in ("docx", "markdown", "json")]
    name, text = _report(client, shown[0])
    assert name == "资料清单-华安置业.docx" and CHINESE[1] in text
