"""Every API endpoint and every page × every role: 401 without login, 403 for a role that may
not, and for a role that may, the route's own answer to a minimal (mostly bad) request."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from docgen.service.access import ACCESS
from docgen.service.users import ROLES
from service_helpers import PASSWORD
from wordingkit import page_problems

#: method, path, capability, request keywords, status for an allowed role.
ENDPOINTS = [
    ("POST", "/api/check", "check", {}, 400),                                  # no bundle uploaded
    ("POST", "/api/check/folder", "check", {}, 404),                           # no bundle root configured
    ("GET", "/api/bundles", "check", {}, 404),                                 # no bundle root configured
    ("POST", "/api/draft", "draft", {}, 400),                                  # no bundle uploaded
    ("POST", "/api/render/demand-letter", "render", {"content": b"[1]"}, 400),  # body not an object
    ("POST", "/api/batch/demand-letter", "batch", {}, 400),                    # no rows uploaded
    ("GET", "/api/jobs", "jobs", {}, 200),
    ("GET", "/api/jobs/0000", "jobs", {}, 404),
    ("POST", "/api/jobs/0000/rerun", "jobs", {}, 404),
    ("GET", "/api/files/nothing", "jobs", {}, 404),
    ("GET", "/api/register", "register", {}, 200),
    ("POST", "/api/register/verify", "register", {}, 200),
    ("POST", "/api/npl-report", "npl-report", {}, 400),                        # no period
    ("POST", "/api/collect/plan", "collect", {}, 400),                         # no ledger
    ("POST", "/api/collect/letters", "collect", {}, 400),                      # no ledger
    ("GET", "/api/audit", "audit", {}, 200),
]
ROUTED = [e for e in ENDPOINTS if e[4] is not None]


@pytest.mark.parametrize("method,path,capability,kwargs,ok_status", ROUTED, ids=[f"{e[0]} {e[1]}" for e in ROUTED])
def test_api_without_a_token_is_401(api, method, path, capability, kwargs, ok_status):
    answer = api.client.request(method, path, **kwargs)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "未登录" in answer.json()["error"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,capability,kwargs,ok_status", ROUTED, ids=[f"{e[0]} {e[1]}" for e in ROUTED])
def test_api_by_role(api, role, method, path, capability, kwargs, ok_status):
    answer = api.client.request(method, path, headers=api.headers(role), **kwargs)
    if role in ACCESS[capability]:
        assert answer.status_code == ok_status, answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == f"角色 {role} 无权使用此功能（role {role} may not use {capability}）"


def test_a_forged_or_foreign_token_is_401(api):
    good = api.headers("credit")["Authorization"]
    for header in (good[:-2] + "xx", "Bearer ", "Basic abc", good.replace("Bearer", "Token")):
        assert api.client.get("/api/jobs", headers={"Authorization": header}).status_code == 401


def test_an_api_post_with_only_a_session_cookie_is_401(api):
    """A cookie alone would let another site post on the user's behalf: POSTs need the token."""
    client = TestClient(api.client.app)
    login(client, "compliance")
    assert client.get("/api/jobs").status_code == 200          # GET: the pages poll with the cookie
    assert client.post("/api/register/verify").status_code == 401


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    """Log ``client`` in through the login form (CSRF cookie and field)."""
    form = client.get("/login")
    token = form.cookies.get("docgen_login") or client.cookies.get("docgen_login")
    answer = client.post("/login", data={"username": name, "password": password, "csrf": token, "next": "/"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "docgen_session" in client.cookies


PAGES = [("/", "jobs"), ("/check", "check"), ("/draft", "draft"), ("/render", "render"), ("/render/commitment-letter", "render"),
         ("/batch", "batch"), ("/register", "register"), ("/npl", "npl-report"), ("/collect", "collect"),
         ("/jobs", "jobs"), ("/audit", "audit")]


@pytest.fixture(scope="module")
def browsers(api):
    """One logged-in page client per role (separate cookie jars)."""
    out = {}
    for role in ROLES:
        client = TestClient(api.client.app)
        login(client, role)
        out[role] = client
    return out


@pytest.mark.parametrize("path,capability", PAGES)
def test_pages_without_login_show_the_login_form_with_401(api, path, capability):
    answer = TestClient(api.client.app).get(path)
    assert answer.status_code == 401
    assert 'name="password"' in answer.text
    assert f'name="next" value="{path}"' in answer.text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,capability", PAGES)
def test_pages_by_role(browsers, role, path, capability):
    answer = browsers[role].get(path)
    if role in ACCESS[capability]:
        assert answer.status_code == 200, answer.text
        assert "<main>" in answer.text
        assert page_problems(answer.text) == []  # GB/T 15834 on the Chinese pages, templates' titles included
    else:
        assert answer.status_code == 403
        assert "你的角色不能使用这个页面。" in answer.text


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_only_the_roles_pages(browsers, role):
    text = browsers[role].get("/").text
    for path, capability in [p for p in PAGES[1:] if p[0].count("/") == 1]:
        assert (f'href="{path}"' in text) == (role in ACCESS[capability]), (role, path)


@pytest.mark.parametrize("role", ROLES)
def test_page_posts_need_the_csrf_token(browsers, role):
    """Every form POST without its token is refused, whoever is logged in."""
    client = browsers[role]
    answer = client.post("/register/verify", data={})
    if role in ACCESS["register"]:
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    else:
        assert answer.status_code == 403
        assert "你的角色不能使用这个页面。" in answer.text
