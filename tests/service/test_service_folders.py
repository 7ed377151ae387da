"""资料检查 of a client folder under the bundle root: listing, every role, refused paths, the same
report as ``docgen check --format json``, history across checks, audit, and the folder never written."""
from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.service.folders import MAX_NAME_BYTES, MAX_PATH_CHARS
from docgen.service.messages import FOLDERS
from docgen.service.shapes import BUNDLES_JSON
from docgen.service.access import ACCESS
from docgen.service.app import create_app
from docgen.service.users import ROLES
from service_helpers import AS_OF, EXAMPLES, PASSWORD, make_settings
from test_service_access import login

CLIENT = "华安置业"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder`` with its size and modification time (to prove nothing was written)."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle root: the example bundle as 客户/华安置业, a plain file, a link out of the root, a link inside."""
    base = tmp_path_factory.mktemp("root")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret").mkdir()
    (outside / "secret" / "bundle.yaml").write_text("borrower: {name: 外部}\n", encoding="utf-8")
    tree = base / "客户资料"
    shutil.copytree(EXAMPLES / "bundle", tree / "客户" / CLIENT)
    (tree / "客户" / "空文件夹").mkdir()
    (tree / "说明.txt").write_text("不是文件夹", encoding="utf-8")
    (tree / ".hidden").mkdir()
    os.symlink(outside / "secret", tree / "出口")
    os.symlink(outside, tree / "客户" / "深处出口")
    os.symlink(tree / "客户" / CLIENT, tree / "捷径")
    return tree


class Api:
    def __init__(self, client: TestClient, settings) -> None:
        self.client, self.settings, self.tokens = client, settings, {}

    def headers(self, role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        if role not in self.tokens:
            answer = self.client.post("/api/token", data={"username": role, "password": PASSWORD})
            self.tokens[role] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Iterator[Api]:
    settings = make_settings(tmp_path_factory.mktemp("service") / "data", bundle_root=root)
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings)


def _check(api: Api, role: str | None, folder: str | None, **data: str):
    form = {"as_of": AS_OF, **data}
    if folder is not None:
        form["folder"] = folder
    return api.client.post("/api/check/folder", headers=api.headers(role), data=form)


def test_listing_shows_real_folders_only(api, root):
    answer = api.client.get("/api/bundles", headers=api.headers("credit"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert mismatches(body, BUNDLES_JSON) == []  # the shape the README documents
    assert body["path"] == "" and body["parent"] is None and body["truncated"] == 0
    assert [f["name"] for f in body["folders"]] == ["客户"]  # no file, no hidden folder, no link
    inner = api.client.get("/api/bundles", headers=api.headers("compliance"), params={"path": "客户"}).json()
    assert inner["parent"] == ""
    assert inner["folders"] == [{"name": CLIENT, "path": f"客户/{CLIENT}", "bundle": True},
                                {"name": "空文件夹", "path": "客户/空文件夹", "bundle": False}]
    deeper = api.client.get("/api/bundles", headers=api.headers("credit"), params={"path": f"客户/{CLIENT}"}).json()
    assert deeper["bundle"] is True and deeper["parent"] == "客户"
    assert "01-申请前期" in [f["name"] for f in deeper["folders"]]


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_role(api, role):
    listed = api.client.get("/api/bundles", headers=api.headers(role))
    checked = _check(api, role, f"客户/{CLIENT}")
    if role is None:
        assert listed.status_code == checked.status_code == 401
    elif role in ACCESS["check"]:
        assert listed.status_code == 200, listed.text
        assert checked.status_code == 200, checked.text
    else:
        assert listed.status_code == checked.status_code == 403
        assert checked.json()["error"] == f"角色 {role} 无权使用此功能（role {role} may not use check）"


REFUSED = [
    ("../", 400, "含 .."),
    ("客户/../../etc", 400, "含 .."),
    ("..\\..\\etc", 400, "含 .."),
    ("/etc", 400, "绝对路径"),
    ("C:/Windows", 400, "绝对路径"),
    ("\\\\server\\share", 400, "绝对路径"),
    ("客户\x00/华安置业", 400, "空字符"),
    ("客户/\x1b[31m", 400, "控制字符"),
    ("客户/" + "长" * 100, 400, "超过 255 字节"),
    ("a/" * 600, 400, "超过 1024 个字符"),
    ("出口", 400, "符号链接指向资料根目录之外"),
    ("客户/深处出口/secret", 400, "符号链接指向资料根目录之外"),
    ("说明.txt", 400, "是文件而不是文件夹"),
    ("没有这个", 404, "没有文件夹"),
    ("", 400, "缺少字段 folder"),
    (".", 400, "不能检查资料根目录本身"),
]


@pytest.mark.parametrize("folder,status,words", REFUSED, ids=[repr(r[0])[:30] for r in REFUSED])
def test_paths_leading_out_or_malformed_are_refused(api, folder, status, words):
    answer = _check(api, "credit", folder)
    assert answer.status_code == status, answer.text
    message = answer.json()["error"]
    assert words in message
    assert message in {FOLDERS.text(code, {"path": folder[:80], "limit": limit})
                       for code in FOLDERS.codes() for limit in (MAX_PATH_CHARS, MAX_NAME_BYTES)}  # the table's words
    assert str(api.settings.bundle_root) not in message and "/tmp" not in message  # the server's paths stay hidden
    if folder not in ("", "."):
        listed = api.client.get("/api/bundles", headers=api.headers("credit"), params={"path": folder})
        assert listed.status_code == status and listed.json()["error"] == message


def test_a_link_inside_the_root_is_followed_and_reported_by_its_name(api):
    answer = _check(api, "credit", "捷径")
    assert answer.status_code == 200, answer.text
    assert answer.json()["bundle"] == "捷径"


def test_report_is_exactly_the_cli_json_and_the_folder_is_not_written(api, root, monkeypatch):
    before = _snapshot(root)
    for stage in (None, "pre-application"):
        extra = {"stage": stage} if stage else {}
        answer = _check(api, "compliance", f"客户/{CLIENT}", **extra)
        assert answer.status_code == 200, answer.text
        monkeypatch.chdir(root)
        cli = CliRunner().invoke(main, ["check", f"客户/{CLIENT}", "--format", "json", "--as-of", AS_OF]
                                 + (["--stage", stage] if stage else []))
        assert cli.exit_code == 1
        assert answer.json() == json.loads(cli.stdout)
    site_plan = [i for s in answer.json()["stages"] for i in s["items"] if i["id"] == "site-plan"]
    assert site_plan[0]["status"] == "missing"
    assert _snapshot(root) == before


def test_audit_history_and_what_changed_work_for_folders(api, root, tmp_path):
    """A second check of the client's folder after a file was replaced says what changed; the audit
    log names the folder and its content hash; a zip of the same client joins the same history."""
    from docgen.service.folders import content_sha256
    from service_helpers import bundle_zip

    folder = root / "客户" / CLIENT
    first = _check(api, "credit", f"客户/{CLIENT}").json()
    entries = api.client.get("/api/audit", headers=api.headers("admin"), params={"action": "check"}).json()
    latest = entries[0]
    assert latest["target"] == f"客户/{CLIENT}" and latest["user"] == "credit"
    assert latest["sha256"] == content_sha256(first) and re.fullmatch(r"[0-9a-f]{64}", latest["sha256"])
    assert latest["detail"]["source"] == "folder"

    page = TestClient(api.client.app)
    login(page, "credit")
    meeting = folder / "会议纪要.pdf"
    saved = meeting.read_bytes()
    try:
        meeting.write_bytes(saved + b"\n%% amended\n")
        form = page.get("/check")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = page.post("/check/folder", data={"csrf": token, "folder": f"客户/{CLIENT}", "as_of": AS_OF},
                           follow_redirects=False)
        assert answer.status_code == 303, answer.text
        shown = page.get(answer.headers["location"])
    finally:
        meeting.write_bytes(saved)
    assert shown.status_code == 200
    assert f"资料检查：客户/{CLIENT}" in shown.text
    changed = re.search(r"<dt>更换的文件</dt><dd>(.*?)</dd>", shown.text).group(1)
    assert changed == "会议纪要.pdf"
    assert shown.text.count(f"<td>客户/{CLIENT}</td>") >= 2  # the client's earlier checks
    archive = bundle_zip(tmp_path / f"{CLIENT}.zip")
    zipped = api.client.post("/api/check", headers=api.headers("credit"), data={"as_of": AS_OF},
                             files={"bundle": (archive.name, archive.read_bytes(), "application/zip")})
    assert zipped.status_code == 200
    latest = api.client.get("/api/audit", headers=api.headers("admin"), params={"action": "check"}).json()[0]
    from docgen.service import history

    kept = history.load(api.settings.db_path, latest["detail"]["check"])
    assert [c["upload_name"] for c in history.earlier(api.settings.db_path, kept["client"])][:2] == \
        [archive.name, f"客户/{CLIENT}"]


def test_the_page_shows_the_picker_and_refuses_in_place(api):
    page = TestClient(api.client.app)
    login(page, "credit")
    form = page.get("/check", params={"folder": "客户"})
    assert form.status_code == 200
    assert f'value="客户/{CLIENT}"' in form.text and "上一级" in form.text
    bad = page.get("/check", params={"folder": "../.."})
    assert bad.status_code == 400 and "含 .." in bad.text and 'value="客户"' in bad.text
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    refused = page.post("/check/folder", data={"csrf": token, "folder": "出口"})
    assert refused.status_code == 400 and "符号链接指向资料根目录之外" in refused.text
    assert page.post("/check/folder", data={"folder": f"客户/{CLIENT}"}).status_code == 403  # no CSRF token


def test_without_a_root_there_is_no_picker_and_the_api_says_so(tmp_path):
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        page = TestClient(client.app)
        login(page, "credit")
        assert "folder-picker" not in page.get("/check").text
        token = client.post("/api/token", data={"username": "credit", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for answer in (client.get("/api/bundles", headers=headers),
                       client.post("/api/check/folder", headers=headers, data={"folder": "x"})):
            assert answer.status_code == 404
            assert "--bundle-root" in answer.json()["error"]


def test_a_missing_root_is_refused_at_start(tmp_path):
    from docgen.core.errors import InputError
    from docgen.service.settings import Settings

    with pytest.raises(InputError, match="资料根目录不存在"):
        Settings(tmp_path / "data", bundle_root=tmp_path / "nowhere").prepare()
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d"), "--bundle-root", str(tmp_path / "no")])
    assert result.exit_code == 2 and f"的取值无效：“{tmp_path / 'no'}”不存在" in result.output


#: In a child process file permissions bind: the app on a fresh data folder with the bundle root
#: ``sys.argv[2]``; the credit user lists and checks ``sys.argv[3]``; prints both answers.
_DENIED_SERVICE = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from fastapi.testclient import TestClient
from docgen.service.app import create_app
from service_helpers import PASSWORD, make_settings
settings = make_settings(Path(sys.argv[1]), bundle_root=Path(sys.argv[2]))
with TestClient(create_app(settings)) as client:
    token = client.post("/api/token", data={"username": "credit", "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    answers = [client.get("/api/bundles", params={"path": sys.argv[3]}, headers=headers),
               client.post("/api/check/folder", data={"folder": sys.argv[3]}, headers=headers)]
print(json.dumps([[a.status_code, a.json()] for a in answers], ensure_ascii=False))
"""


@pytest.mark.parametrize("mode", [0, 0o300], ids=["000", "0300"])
def test_a_client_folder_the_service_may_not_read_is_403_saying_so(tmp_path: Path, mode: int) -> None:
    from unprivileged import modes, python_denied

    tree = tmp_path / "root"
    shutil.copytree(EXAMPLES / "bundle", tree / CLIENT)
    with modes((tree / CLIENT, mode)):
        done = python_denied("-c", _DENIED_SERVICE, tmp_path / "data", tree, CLIENT, Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]
    message = FOLDERS.text("denied", {"path": CLIENT})
    assert json.loads(done.stdout) == [[403, {"error": message, "problems": []}]] * 2
    assert message.startswith(f"folder：服务无权读取“{CLIENT}”（权限不足）")
