#!/usr/bin/env python3
"""A bounded hostile-input round against docgen's web service and command line (a developer tool).

``service``: the app runs in this process (FastAPI's TestClient: no port is opened, nothing
leaves the machine) on a fresh data folder with one user per role. It is sent hostile bundle
zips (bombs, 12,000 members, nested zips, ``../`` and absolute names, links, encrypted and
duplicate members, lying sizes, broken directories), hostile uploads (names with control
characters, wrong types, empty files), broken multipart bodies, huge form fields, malformed
JSON, bad query parameters, forged tokens, tampered cookies and CSRF tokens. Every answer must
have an expected status (never 500), an API error a JSON ``error``, and an accepted job must
end without an internal error.

``cli``: ``python -m docgen`` runs in a child process per case (timeout, address-space limit)
with hostile option values: folders, FIFOs and devices where files are read, a file of mode 000
and a folder of mode 0300 (enterable, not listable) where inputs are read, outputs in missing
folders, in a folder of mode 0555, onto FIFOs and folders, or onto the command's own input. Run
as root, each child runs without root's override of file modes (``tools/file_modes.py``, as the
permission tests' children do; ``--privileged`` keeps it), so the permission cases test what a
clerk's account meets. Every run must exit 0, 1 or 2 without a traceback, an error must be one
``Error:`` line, a failed run must leave no output under its final name and no ``.part`` file,
and inputs must be unchanged.

Everything is written under one temporary folder, removed at the end (``--keep`` keeps it).
Prints one line per finding and a summary; exits 1 when anything broke the contract.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from file_modes import denied_prefix  # beside this script, which runs as tools/fuzz_hostile.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PASSWORD = "correct-horse-9"
#: Statuses a hostile request may get; anything else (a 500 above all) breaks the contract.
ALLOWED = {200, 202, 303, 400, 401, 403, 404, 405, 409, 413, 422, 429, 503}
Case = tuple[str, str, str, str, dict[str, Any]]  # name, role, method, path, request keywords


# ----------------------------------------------------------------------------- hostile files

def zipped(members: list[tuple[Any, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Return a zip of ``(name or ZipInfo, data)`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def member(name: str, data: bytes, *, mode: int | None = None, flags: int = 0) -> tuple[zipfile.ZipInfo, bytes]:
    """Return a member with Unix ``mode`` bits (a link, a FIFO) and extra flag bits (encrypted)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system, info.external_attr = 3, mode << 16
    info.flag_bits |= flags
    return info, data


def patched(data: bytes, signature: bytes, offset: int, fmt: str, value: int, name: bytes | None = None) -> bytes:
    """Return ``data`` with ``value`` packed at ``offset`` of every record starting ``signature``
    (of the central-directory entry of ``name`` only, when given)."""
    out, at = bytearray(data), 0
    while (at := out.find(signature, at)) != -1:
        if name is None or out[at + 46:at + 46 + len(name)] == name:
            struct.pack_into(fmt, out, at + offset, value)
        at += 4
    return bytes(out)


def bundle_zips() -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, zip bytes)``: the hostile bundles."""
    yaml_ok = (EXAMPLES / "bundle" / "bundle.yaml").read_bytes()
    pdf = next((EXAMPLES / "bundle").rglob("*.pdf")).read_bytes()
    good = zipped([("bundle.yaml", yaml_ok), ("a.pdf", pdf)])
    yield "ratio-bomb", zipped([("bundle.yaml", yaml_ok), ("a.pdf", b"\0" * (60 << 20))])
    yield "12000-members", zipped([(f"f{i}.pdf", b"x") for i in range(12_000)], zipfile.ZIP_STORED)
    yield "nested-bomb", zipped([("bundle.yaml", yaml_ok), ("inner.zip", zipped([("x.pdf", b"\0" * (30 << 20))]))])
    yield "traversal", zipped([(n, pdf) for n in ("../a.pdf", "/etc/x.pdf", "..\\b.pdf", "C:\\c.pdf",
                                                  "a/../../d.pdf")] + [("bundle.yaml", yaml_ok)])
    yield "60000-char-name", zipped([("a" * 60_000 + ".pdf", pdf), ("bundle.yaml", yaml_ok)])
    yield "deep-folders", zipped([("/".join(["d" * 200] * 100) + "/x.pdf", pdf), ("bundle.yaml", yaml_ok)])
    yield "case-duplicates", zipped([("营业执照.PDF", pdf), ("营业执照.pdf", pdf), ("bundle.yaml", yaml_ok)])
    yield "nfc-nfd-duplicates", zipped([(unicodedata.normalize(form, "章程（修订版）é.pdf"), pdf)
                                        for form in ("NFC", "NFD")] + [("bundle.yaml", yaml_ok)])
    yield "symlinks", zipped([member("link.pdf", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
                              member("bundle.yaml", b"/etc/shadow", mode=stat.S_IFLNK | 0o777)])
    yield "fifo-member", zipped([member("f.pdf", b"", mode=stat.S_IFIFO | 0o644), ("bundle.yaml", yaml_ok)])
    yield "encrypted", zipped([member("s.pdf", pdf, flags=1), member("bundle.yaml", yaml_ok, flags=1)])
    yield "control-names", zipped([("a\x01b.pdf", pdf), ("x\ny.pdf", pdf), ("\x1b[31m.pdf", pdf),
                                   ("bundle.yaml", yaml_ok)])
    yield "nul-name", zipped([("a\x00b.pdf", pdf), ("bundle.yaml", yaml_ok)])
    yield "yaml-deep", zipped([("bundle.yaml", b"a: " + b"[" * 30_000)])
    yield "yaml-laughs", zipped([("bundle.yaml", b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        b"%c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(9)))])
    yield "yaml-long-int", zipped([("bundle.yaml", b"borrower: {name: 1" + b"9" * 100_000 + b"}\n")])
    yield "yaml-binary", zipped([("bundle.yaml", b"\xff\xfe\x00\x00garbage\x00")])
    yield "yaml-40mb", zipped([("bundle.yaml", b"# " + b"x" * (40 << 20))])
    yield "empty-zip", zipped([])
    yield "only-folders", zipped([("a/", b""), ("b/", b"")])
    end = good.rfind(b"PK\x05\x06")
    yield "directory-count-65535", good[:end + 8] + struct.pack("<HH", 65535, 65535) + good[end + 12:]
    yield "directory-size-4gb", good[:end + 12] + struct.pack("<I", 0xFFFFFFF0) + good[end + 16:]
    yield "directory-offset-zip64", good[:end + 16] + struct.pack("<I", 0xFFFFFFFF) + good[end + 20:]
    yield "size-lie", patched(zipped([("bundle.yaml", yaml_ok), ("a.pdf", b"\0" * (50 << 20))]),
                              b"PK\x01\x02", 24, "<I", 1000, b"a.pdf")
    yield "truncated", good[: len(good) // 2]
    yield "not-a-zip", b"hello"
    yield "empty-file", b""


def junk_tables() -> Iterator[tuple[str, str, bytes]]:
    """Yield ``(case, file name, bytes)``: hostile sheets of rows and ledgers."""
    yield "empty-csv", "rows.csv", b""
    yield "binary-csv", "rows.csv", bytes(range(256)) * 64
    yield "utf16-csv", "rows.csv", "借款人,金额\r\n张三,1\r\n".encode("utf-16")
    yield "nul-csv", "rows.csv", b"a,b\n\x00\x00,\x00\n"
    yield "header-only-csv", "rows.csv", "借款人姓名,证件号码\n".encode()
    yield "5mb-cell-csv", "rows.csv", b"a\n" + b"x" * (5 << 20) + b"\n"
    yield "5000-columns-csv", "rows.csv", (",".join(f"c{i}" for i in range(5000)) + "\n").encode() * 3
    yield "not-a-zip-xlsx", "rows.xlsx", b"PK\x03\x04 broken"
    yield "garbage-xls", "rows.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    yield "bomb-xlsx", "rows.xlsx", zipped([("[Content_Types].xml", b"<Types/>"),
                                            ("xl/worksheets/sheet1.xml", b"<a>" + b" " * (60 << 20) + b"</a>")])


def hostile_yaml() -> Iterator[tuple[str, bytes]]:
    """Yield ``(case, bytes)``: hostile small YAML files (policy, targets, notes)."""
    yield "deep", b"a: " + b"[" * 50_000
    yield "laughs", b"a: &a [x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n" \
        b"d: [*c,*c,*c,*c,*c,*c,*c,*c]\n"
    yield "long-int", b"overdue_normal_grace_days: 1" + b"0" * 5000 + b"\n"
    yield "sexagesimal", b"overdue_normal_grace_days: " + b":".join([b"59"] * 20_000) + b"\n"
    yield "binary", b"\x00\xff\xfe" * 100
    yield "list", b"- a\n- b\n"
    yield "tabs-and-bom", b"\xef\xbb\xbf\ta:\t1\n"


# ----------------------------------------------------------------------------------- service

def service_cases(tokens: dict[str, dict[str, str]]) -> Iterator[Case]:
    """Yield the service cases (name, role, method, path, request keywords)."""
    for name, data in bundle_zips():
        for path in ("/api/check", "/api/draft"):
            yield f"bundle {name}", "credit", "POST", path, {"files": {"bundle": ("b.zip", data, "application/zip")},
                                                             "data": {"as_of": "2026-11-28"}}
    small = zipped([("bundle.yaml", (EXAMPLES / "bundle" / "bundle.yaml").read_bytes())])
    for filename in ("a\x01b.zip", "../../../etc/x.zip", "/abs/x.zip", "C:\\x\\y.zip", "x" * 10_000 + ".zip",
                     "\u202egpj.zip", "资料.ZIP", ".zip", " "):
        yield f"upload name {filename[:20]!r}", "credit", "POST", "/api/check", {
            "files": {"bundle": (filename, small, "application/zip")}}
    for content_type in ("text/html", "application/x-msdownload", "", "multipart/mixed; boundary=x"):
        yield f"upload type {content_type!r}", "credit", "POST", "/api/check", {
            "files": {"bundle": ("b.zip", small, content_type)}}
    yield "upload twice", "credit", "POST", "/api/check", {"files": [("bundle", ("a.zip", small)),
                                                                    ("bundle", ("b.zip", small))]}
    yield "upload as text field", "credit", "POST", "/api/check", {"data": {"bundle": "b.zip"}}
    yield "upload wrong field", "credit", "POST", "/api/check", {"files": {"other": ("b.zip", small)}}
    head = b'--XX\r\nContent-Disposition: form-data; name="bundle"; filename="b.zip"\r\n\r\n'
    for name, content_type, body in (
            ("no boundary", "multipart/form-data", head),
            ("empty boundary", "multipart/form-data; boundary=", head),
            ("cut in the file", "multipart/form-data; boundary=XX", head + small[:40]),
            ("cut in the headers", "multipart/form-data; boundary=XX", head[:30]),
            ("no parts", "multipart/form-data; boundary=XX", b"--XX--\r\n"),
            ("64kb header line", "multipart/form-data; boundary=XX",
             b'--XX\r\nContent-Disposition: form-data; name="' + b"a" * 65536 + b'"\r\n\r\nx\r\n--XX--\r\n'),
            ("urlencoded", "application/x-www-form-urlencoded; charset=zzz", b"as_of=%ff%fe&bundle=x"),
            ("json", "application/json", b'{"bundle": "x"}'),
            ("declared 1 TB", "multipart/form-data; boundary=XX", head)):
        headers = {"content-type": content_type}
        if name == "declared 1 TB":
            headers["content-length"] = str(1 << 40)
        yield f"body {name}", "credit", "POST", "/api/check", {"content": body, "headers": headers}
    yield "six files", "credit", "POST", "/api/check", {"files": [("bundle", (f"{i}.zip", small)) for i in range(6)]}
    yield "300 fields", "credit", "POST", "/api/check", {"data": {f"f{i}": "x" for i in range(300)}}
    yield "2 MB field", "credit", "POST", "/api/check", {"data": {"as_of": "x" * (2 << 20)}}
    for name, filename, data in junk_tables():
        yield f"rows {name}", "backoffice", "POST", "/api/batch/demand-letter", {"files": {"rows": (filename, data)}}
        ledger = {"ledger": (filename.replace("rows", "台账"), data)}
        yield f"ledger {name}", "manager", "POST", "/api/collect/plan", {"files": ledger, "data": {"as_of": "2026-06-30"}}
        yield f"ledger {name}", "manager", "POST", "/api/npl-report", {"files": ledger, "data": {"period": "2026Q2"}}
        yield f"ledger {name}", "manager", "POST", "/api/collect/letters", {"files": ledger,
                                                                          "data": {"as_of": "2026-06-30"}}
    for template in ("..%2F..%2Fetc", "a" * 300, "demand-letter%00", "模板", "demand_letter", "-"):
        yield f"template {template[:20]}", "backoffice", "POST", f"/api/batch/{template}", {
            "files": {"rows": ("r.csv", b"a\n1\n")}}
    ledger = (EXAMPLES / "ledger" / "ledger-2026Q2.xlsx").read_bytes()
    for name, data in hostile_yaml():
        files = {"ledger": ("台账.xlsx", ledger), "policy": ("策略.yaml", data)}
        yield f"policy {name}", "manager", "POST", "/api/collect/plan", {"files": files, "data": {"as_of": "2026-06-30"}}
        yield f"policy {name}", "manager", "POST", "/api/collect/letters", {"files": files,
                                                                          "data": {"as_of": "2026-06-30"}}
        for field in ("targets", "notes"):
            yield f"{field} {name}", "manager", "POST", "/api/npl-report", {
                "files": {"ledger": ("台账.xlsx", ledger), field: (f"{field}.yaml", data)}, "data": {"period": "2026Q2"}}
    for period in ("2026Q5", "0000Q1", "9" * 30, "2026-13", "２０２６Q2", "2026Q2\x00", ""):
        yield f"period {period!r}", "manager", "POST", "/api/npl-report", {
            "files": {"ledger": ("台账.xlsx", ledger)}, "data": {"period": period}}
    for as_of in ("9999-12-31", "0001-01-01", "2026-02-30", "20261128", "2026-W48-6", "x" * 1000, "2026-11-28\x00"):
        yield f"as_of {as_of[:20]!r}", "manager", "POST", "/api/collect/plan", {
            "files": {"ledger": ("台账.xlsx", ledger)}, "data": {"as_of": as_of}}
        yield f"as_of {as_of[:20]!r}", "manager", "POST", "/api/collect/letters", {
            "files": {"ledger": ("台账.xlsx", ledger)}, "data": {"as_of": as_of}}
    for name, body in (("deep list", b"[" * 100_000), ("deep object", b'{"a":' * 100_000),
                       ("long int", b'{"principal": 1' + b"0" * 5000 + b"}"), ("NaN", b'{"principal": NaN}'),
                       ("list", b"[1, 2]"), ("bad utf-8", b'{"a": "\xff\xfe"}'), ("BOM", b'\xef\xbb\xbf{}'),
                       ("empty", b""), ("5 MB value", b'{"borrower_name": "' + b"x" * (5 << 20) + b'"}'),
                       ("control keys", b'{"\\u0000\\u001b": 1, "__class__": 2}'),
                       ("100k items", b'{"items": [' + b",".join([b"{}"] * 100_000) + b"]}")):
        yield f"json {name}", "backoffice", "POST", "/api/render/demand-letter", {"content": body}
    for query in ("format=exe", "format=", "format=pdf%00"):
        yield f"render ?{query}", "backoffice", "POST", f"/api/render/demand-letter?{query}", {"content": b"{}"}
    for role, method, path in (("compliance", "GET", "/api/audit?limit=abc"), ("compliance", "GET", "/api/audit?limit=-5"),
                               ("compliance", "GET", "/api/audit?limit=" + "9" * 40),
                               ("compliance", "GET", "/api/audit?user=%00&action=" + "x" * 5000),
                               ("backoffice", "GET", "/api/register?date=%00&serial=" + "%" * 10),
                               ("credit", "GET", "/api/bundles?path=../.."), ("credit", "GET", "/api/bundles?path=%00"),
                               ("credit", "GET", "/api/jobs/..%2F..%2Fetc"), ("credit", "GET", "/api/jobs/" + "x" * 5000),
                               ("credit", "GET", "/api/files/%00"), ("credit", "POST", "/api/jobs/nope/rerun"),
                               ("manager", "POST", "/api/npl-report?format=xml"), ("credit", "GET", "/api/check"),
                               ("backoffice", "POST", "/api/register/verify?template=..%2F..")):
        yield f"query {path[:50]}", role, method, path, {}
    session = tokens["credit"]["Authorization"].split(" ", 1)[1]
    for name, value in (("junk", "Bearer junk"), ("100 KB", "Bearer " + "a" * 100_000), ("empty", "Bearer "),
                        ("basic", "Basic Y3JlZGl0OmNvcnJlY3QtaG9yc2UtOQ=="), ("no scheme", session),
                        ("tampered", "Bearer " + session[:-2] + ("AA" if not session.endswith("AA") else "BB")),
                        ("two tokens", f"Bearer {session}, Bearer {session}")):
        yield f"bearer {name}", "", "GET", "/api/jobs", {"headers": {"Authorization": value}}
    for name, data in (("1 MB password", {"username": "credit", "password": "x" * ((1 << 20) - 1)}),
                       ("nul name", {"username": "cre\x00dit", "password": PASSWORD}),
                       ("no password", {"username": "credit"})):
        yield f"token {name}", "", "POST", "/api/token", {"data": data}
    yield "token json", "", "POST", "/api/token", {"json": {"username": "credit", "password": PASSWORD}}
    yield from page_cases()


def page_cases() -> Iterator[Case]:
    """Yield page cases: logins, cookies and CSRF tokens tampered with (``role`` "page:NAME" logs in NAME)."""
    yield "login no csrf cookie", "", "POST", "/login", {"data": {"username": "credit", "password": PASSWORD,
                                                                  "csrf": "x"}}
    yield "login csrf mismatch", "", "POST", "/login", {"data": {"username": "credit", "password": PASSWORD,
                                                                 "csrf": "x"}, "cookies": {"docgen_login": "y"}}
    yield "login 1 MB csrf", "", "POST", "/login", {"data": {"csrf": "x" * 1_000_000},
                                                    "cookies": {"docgen_login": "x" * 4000}}
    yield "login next=//evil", "", "GET", "/login?next=//evil.example/", {}
    yield "lang next=\\\\evil", "", "GET", "/lang/en?next=/\\evil.example", {}
    yield "lang unknown", "", "GET", "/lang/" + "x" * 300, {}
    for name, cookie in (("junk", "junk"), ("tampered", None), ("huge", "x" * 4000), ("nul", "a%00b")):
        yield f"session cookie {name}", f"page-cookie:{cookie or ''}", "GET", "/check", {}
    yield "lang cookie junk", "page:credit", "GET", "/check", {"cookies": {"lang": "../../x"}}
    yield "page post no csrf", "page:credit", "POST", "/check", {"files": {"bundle": ("b.zip", b"PK")}}
    yield "page post wrong csrf", "page:credit", "POST", "/check", {"data": {"csrf": "0" * 64},
                                                                     "files": {"bundle": ("b.zip", b"PK")}}
    yield "page post csrf list", "page:credit", "POST", "/check", {"data": {"csrf": ["a", "b"]}}
    for name, path, data in (("check junk zip", "/check", {"files": {"bundle": ("b.zip", b"PK\x03\x04")}}),
                             ("check folder", "/check/folder", {"data": {"folder": "../../etc"}}),
                             ("check ?folder", "/check?folder=../../etc", {}),
                             ("batch unknown template", "/batch", {"data": {"template": "../x"},
                                                                   "files": {"rows": ("r.csv", b"a\n")}}),
                             ("letters foreign ledger", "/collect/letters", {"data": {"ledger": "nope",
                                                                                       "as_of": "9999-12-31"}}),
                             ("letters bad as_of", "/collect/letters", {"data": {"ledger": "", "as_of": "x"}}),
                             ("rerun unknown job", "/jobs/nope/rerun", {}),
                             ("render 300 fields", "/render/commitment-letter", {"data": {f"items[{i}].x": "1"
                                                                                          for i in range(300)}}),
                             ("npl bad period", "/npl", {"data": {"period": "x"}})):
        role = "page:manager" if path.startswith(("/collect", "/npl")) else \
            "page:backoffice" if path.startswith(("/batch", "/render")) else "page:credit"
        if path.startswith("/check?"):
            yield f"page {name}", role, "GET", path, {}
        else:
            yield f"page {name}", role, "POST", path, {**data, "csrf": True}


def run_service(args: argparse.Namespace, work: Path) -> list[str]:
    """Send the service cases; return the contract failures."""
    sys.path.insert(0, str(ROOT))
    from fastapi.testclient import TestClient

    from docgen.service.app import create_app
    from docgen.service.settings import Settings
    from docgen.service.users import ROLES, UserStore

    settings = Settings(work / "service", check_workers=1, job_workers=1)
    settings.prepare()
    users = UserStore(settings.db_path)
    for role in ROLES:
        users.add(role, role, PASSWORD)
    failures: list[str] = []
    sent = 0
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        tokens = {r: {"Authorization": "Bearer " + client.post("/api/token", data={"username": r, "password": PASSWORD})
                      .json()["access_token"]} for r in ROLES}
        sessions: dict[str, tuple[dict[str, str], str]] = {}

        def logged_in(name: str) -> tuple[dict[str, str], str]:
            if name not in sessions:
                browser = TestClient(client.app)  # its own cookie jar; the app is already started
                page = browser.get("/login")
                token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
                browser.post("/login", data={"username": name, "password": PASSWORD, "csrf": token},
                             follow_redirects=False)
                csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").text)
                sessions[name] = (dict(browser.cookies), csrf.group(1) if csrf else "")
            return sessions[name]

        for name, role, method, path, kwargs in service_cases(tokens):
            if sent >= args.max_requests:
                break
            kwargs = dict(kwargs)
            headers = dict(kwargs.pop("headers", {}))
            cookies = dict(kwargs.pop("cookies", {}))
            csrf = kwargs.pop("csrf", False)
            if role.startswith("page-cookie:"):
                value = role.split(":", 1)[1] or logged_in("credit")[0]["docgen_session"][:-3] + "xyz"
                cookies["docgen_session"] = value
            elif role.startswith("page:"):
                jar, token = logged_in(role.split(":", 1)[1])
                cookies = {**jar, **cookies}
                if csrf:
                    kwargs["data"] = {**kwargs.get("data", {}), "csrf": token}
            elif role:
                headers = {**tokens[role], **headers}
            client.cookies.clear()
            for key, value in cookies.items():
                client.cookies.set(key, value)
            sent += 1
            started = time.monotonic()
            signal.alarm(int(args.timeout))
            try:
                answer = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
            except TimeoutError:
                failures.append(f"service {name} {method} {path[:60]}: no answer within {args.timeout} s")
                break
            finally:
                signal.alarm(0)
            seconds = time.monotonic() - started
            problem = _service_problem(client, answer, path, tokens.get(role or "credit", {}), args.timeout)
            if args.verbose or problem:
                print(f"{answer.status_code} {seconds:5.1f}s {method} {path[:50]} [{name}] {problem or ''}", flush=True)
            if problem:
                failures.append(f"service {name} {method} {path[:60]}: {problem}")
        client.cookies.clear()
    leftovers = list(settings.uploads_dir.iterdir())
    print(f"service: {sent} requests, {len(failures)} failures, {len(leftovers)} uploads left in uploads/")
    return failures


def _service_problem(client: Any, answer: Any, path: str, headers: dict[str, str], timeout: float) -> str | None:
    """Return what breaks the contract in ``answer`` (None when nothing does)."""
    if answer.status_code not in ALLOWED:
        return f"status {answer.status_code}: {answer.text[:200]}"
    if answer.status_code >= 400:
        if path.startswith("/api/"):
            try:
                error = answer.json().get("error")
            except ValueError:
                return f"an API error that is not JSON: {answer.text[:120]}"
            if not isinstance(error, str) or not error.strip():
                return "an API error without a message"
        elif "text/html" not in answer.headers.get("content-type", ""):
            return f"a page error that is not HTML: {answer.headers.get('content-type')}"
    if answer.status_code == 202 and path.startswith("/api/"):
        job_id = answer.json().get("job")
        deadline = time.monotonic() + timeout
        while True:
            job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
            if job.get("state") not in ("queued", "running"):
                break
            if time.monotonic() > deadline:
                return f"job {job_id} still {job.get('state')} after {timeout} s"
            time.sleep(0.3)
        if "内部错误" in str(job.get("error") or ""):
            return f"job {job_id}: {job['error'][:200]}"
    return None


# --------------------------------------------------------------------------------------- cli

def cli_cases(work: Path) -> Iterator[tuple[list[str], list[Path]]]:
    """Yield ``(arguments, outputs)``: hostile option values, and the outputs that must not appear
    when the run exits 2. Every path is under ``work``, except /dev/null and /dev/zero, only read;
    ``folder``, ``fifo`` (and their .docx and .pdf twins) are a folder and FIFOs made beforehand."""
    ledger, rows, bundle = work / "台账.xlsx", work / "rows.xlsx", work / "bundle"
    data, policy = work / "data.yaml", work / "policy.yaml"
    fifo, folder, missing = work / "fifo", work / "folder", work / "no" / "such" / "folder"
    closed, read_only = work / "closed", work / "read-only"
    lint = ROOT / "docgen" / "templates" / "demand-letter.docx"
    readers = [
        (["check", "{}", "--as-of", "2026-11-28"], []),
        (["check", bundle, "--checklist", "{}", "--as-of", "2026-11-28"], []),
        (["render", "commitment-letter", "--data", "{}", "-o", work / "r.docx"], [work / "r.docx"]),
        (["render", "commitment-letter", "--data", data, "--template", "{}", "-o", work / "r.docx"], [work / "r.docx"]),
        (["batch", "demand-letter", "--rows", "{}", "--out", work / "b", "--no-progress"], []),
        (["batch", "demand-letter", "--rows", rows, "--template", "{}", "--out", work / "b", "--no-progress"], []),
        (["npl-report", "--ledger", "{}", "--period", "2026Q2"], []),
        (["npl-report", "--ledger", ledger, "--period", "2026Q2", "--opening", "{}"], []),
        (["npl-report", "--ledger", ledger, "--period", "2026Q2", "--targets", "{}"], []),
        (["npl-report", "--ledger", ledger, "--period", "2026Q2", "--notes", "{}"], []),
        (["collect", "plan", "--ledger", "{}", "--as-of", "2026-06-30"], []),
        (["collect", "plan", "--ledger", ledger, "--policy", "{}", "--as-of", "2026-06-30"], []),
        (["collect", "letters", "--ledger", ledger, "--policy", "{}", "--out", work / "l", "--no-progress"], []),
        (["inspect", "{}"], []),
        (["checklist", "validate", "{}"], []),
        (["checklist", "show", "{}"], []),
        (["templates", "lint", "{}"], []),
        (["templates", "lint", lint, "--schema", "{}"], []),
        (["draft", bundle, "--annex", "4", "--template", "{}", "--out", work / "d", "--as-of", "2026-11-28"], []),
        (["register", "list", "--register", "{}"], []),
        (["register", "verify", "--register", "{}"], []),
        (["users", "list", "--data", "{}"], []),
        (["init", "{}"], []),
    ]
    unreadable = work / "unreadable.yaml"
    for args, outputs in readers:
        for value in (folder, fifo, "/dev/null", "/dev/zero", work / "empty", unreadable, closed, work / "nope.yaml"):
            yield [str(value) if a == "{}" else str(a) for a in args], outputs
    writers = [
        ["check", bundle, "--as-of", "2026-11-28", "--format", "json", "-o", "{}"],
        ["check", bundle, "--as-of", "2026-11-28", "--format", "docx", "-o", "{}"],
        ["collect", "plan", "--ledger", ledger, "--as-of", "2026-06-30", "--format", "xlsx", "-o", "{}"],
        ["collect", "plan", "--ledger", ledger, "--as-of", "2026-06-30", "--format", "json", "-o", "{}"],
        ["checklist", "show", "dev-loan", "-o", "{}"],
        ["render", "commitment-letter", "--data", data, "-o", "{}.docx"],
        ["npl-report", "--ledger", ledger, "--period", "2026Q2", "-o", "{}.docx"],
        ["batch", "demand-letter", "--rows", rows, "--out", "{}", "--no-progress"],
        ["batch", "demand-letter", "--rows", rows, "--out", work / "b2", "--merge-pdf", "{}.pdf", "--no-progress"],
        ["collect", "letters", "--ledger", ledger, "--policy", policy, "--as-of", "2026-06-30", "--out", "{}",
         "--no-progress"],
        ["draft", bundle, "--annex", "4", "--out", "{}", "--as-of", "2026-11-28"],
    ]
    for args in writers:
        for value in (folder, fifo, missing / "out", work / "rows.xlsx" / "out", work / "trailing/", read_only / "out"):
            filled = [str(a).replace("{}", str(value)) for a in args]
            target = next(Path(a) for a in filled if str(value) in a)
            yield filled, [target] if not (target.exists() or target.is_symlink()) else []
    for args in (["render", "commitment-letter", "--data", data, "-o", data],
                 ["collect", "plan", "--ledger", ledger, "--as-of", "2026-06-30", "--format", "xlsx", "-o", ledger],
                 ["collect", "plan", "--ledger", ledger, "--policy", policy, "--format", "json", "-o", policy],
                 ["npl-report", "--ledger", ledger, "--period", "2026Q2", "-o", ledger],
                 ["check", bundle, "--format", "json", "-o", bundle / "bundle.yaml"],
                 ["batch", "demand-letter", "--rows", rows, "--out", work / "b3", "--merge-pdf", rows, "--no-progress"],
                 ["inspect", ledger, "--timeout", "0"], ["inspect", ledger, "--timeout", "1e308"],
                 ["check", bundle, "--jobs", "100000", "--as-of", "2026-11-28"],
                 ["check", work / "bundle-locked", "--as-of", "2026-11-28", "--format", "json"],
                 ["draft", work / "bundle-locked", "--annex", "4", "--out", read_only, "--as-of", "2026-11-28"],
                 ["batch", "demand-letter", "--rows", rows, "--out", work / "b4", "-j", "0", "--no-progress"],
                 ["batch", "demand-letter", "--rows", rows, "--out", work / "b5", "--sheet", "\x1b[31m", "--no-progress"],
                 ["batch", "demand-letter", "--rows", rows, "--out", work / "b6", "--set", "=", "--no-progress"],
                 ["serve", "--data", fifo, "--port", "1"], ["serve", "--bundle-root", fifo, "--data", work / "svc"],
                 ["users", "add", "x" * 500, "--role", "admin", "--data", work / "svc"]):
        yield [str(a) for a in args], []


def run_cli(args: argparse.Namespace, work: Path) -> list[str]:
    """Run the CLI cases; return the contract failures."""
    shutil.copy(EXAMPLES / "ledger" / "ledger-2026Q2.xlsx", work / "台账.xlsx")
    shutil.copy(EXAMPLES / "templates" / "demand-letters.xlsx", work / "rows.xlsx")
    shutil.copy(EXAMPLES / "templates" / "commitment-letter.yaml", work / "data.yaml")
    shutil.copy(EXAMPLES / "collection-policy.yaml", work / "policy.yaml")
    shutil.copytree(EXAMPLES / "bundle", work / "bundle")
    fifos = [work / name for name in ("fifo", "fifo.docx", "fifo.pdf")]
    for name in ("folder", "folder.docx", "folder.pdf"):
        (work / name).mkdir()
    for fifo in fifos:
        os.mkfifo(fifo)
    (work / "empty").write_bytes(b"")
    (work / "unreadable.yaml").write_text("a: 1\n", encoding="utf-8")
    os.chmod(work / "unreadable.yaml", 0)
    (work / "closed").mkdir()
    (work / "closed" / "bundle.yaml").write_text("a: 1\n", encoding="utf-8")
    os.chmod(work / "closed", 0o300)
    (work / "read-only").mkdir()
    os.chmod(work / "read-only", 0o555)
    locked = shutil.copytree(EXAMPLES / "bundle", work / "bundle-locked")  # a file and a stage folder closed
    os.chmod(next(locked.rglob("*.pdf")), 0)
    os.chmod(next(p for p in sorted(locked.iterdir()) if p.is_dir()), 0o300)
    prefix = [] if args.privileged else denied_prefix()
    env = {**os.environ, "DOCGEN_REGISTER": str(work / "reg.sqlite"), "DOCGEN_DATA": str(work / "svc"),
           "PYTHONPATH": str(ROOT)}
    limit = args.memory_mb << 20

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    inputs = [work / n for n in ("台账.xlsx", "rows.xlsx", "data.yaml", "policy.yaml")] + \
        sorted(p for p in (work / "bundle").rglob("*") if p.is_file())
    digest = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}
    failures: list[str] = []
    runs = 0
    for argv, outputs in cli_cases(work):
        if runs >= args.max_runs:
            break
        runs += 1
        started = time.monotonic()
        try:
            done = subprocess.run([*prefix, sys.executable, "-m", "docgen", *argv], capture_output=True, text=True,
                                  cwd=work, env=env, timeout=args.timeout, preexec_fn=limited, stdin=subprocess.DEVNULL)
            problem = _cli_problem(done.returncode, done.stderr, outputs, work)
        except subprocess.TimeoutExpired:
            done, problem = None, f"no exit within {args.timeout} s"
        for path in inputs:
            if hashlib.sha256(path.read_bytes()).hexdigest() != digest[path]:
                problem = (problem or "") + f" input {path.name} changed"
                digest[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        shown = " ".join(a.replace(str(work), "$W")[:60] for a in argv)
        if args.verbose or problem:
            last = (done.stderr.strip().splitlines() or [""])[-1][:160] if done else ""
            print(f"[{done.returncode if done else 'timeout'}] {time.monotonic() - started:5.1f}s {shown}"
                  f"\n      {problem or last}", flush=True)
        if problem:
            failures.append(f"cli {shown}: {problem}")
        for fifo in fifos:  # put back a FIFO a command replaced (the failure is already counted)
            if fifo.is_symlink() or not fifo.exists() or not stat.S_ISFIFO(fifo.stat().st_mode):
                if fifo.is_dir() and not fifo.is_symlink():
                    shutil.rmtree(fifo)
                else:
                    fifo.unlink(missing_ok=True)
                os.mkfifo(fifo)
    # Modes bind for every child but a root one that --privileged lets keep its override.
    binding = not (args.privileged and os.geteuid() == 0)
    print(f"cli: {runs} runs{' with file modes binding' if binding else ' as root'}, "
          f"{len(failures)} failures")
    return failures


def _cli_problem(code: int, stderr: str, outputs: list[Path], work: Path) -> str | None:
    """Return what breaks the contract in a finished run (None when nothing does)."""
    if code not in (0, 1, 2):
        return f"exit {code}: {stderr.strip()[-200:]}"
    if "Traceback" in stderr:
        return "traceback: " + stderr.strip().splitlines()[-1][:200]
    errors = [line for line in stderr.splitlines() if line.startswith("Error")]
    if code == 2 and len(errors) != 1:
        return f"{len(errors)} error lines: {stderr.strip()[-200:]}"
    if code == 2:  # exit 1 is a result (an incomplete bundle, rows refused), written as asked
        left = [str(p) for p in outputs if p.exists() or p.is_symlink()]
        if left:
            return f"failed but left {left}"
    parts = [str(p) for p in work.rglob("*.part")]
    if parts:
        for part in parts:
            Path(part).unlink()
        return f"left {parts}"
    return None


# -------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    """Run the round; return 1 when anything broke the contract, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python tools/fuzz_hostile.py --only service -v")
    parser.add_argument("--only", choices=["service", "cli"], help="Run one half only (default: both).")
    parser.add_argument("--max-requests", type=int, default=300, help="Service requests at most (default 300).")
    parser.add_argument("--max-runs", type=int, default=300, help="CLI runs at most (default 300).")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds one request (with its job) or one CLI run may take (default 120).")
    parser.add_argument("--memory-mb", type=int, default=4096,
                        help="Address-space limit of this process and every child, in MB (default 4096).")
    parser.add_argument("--privileged", action="store_true",
                        help="Run as root, CLI children keep root's override of file modes (mode 000 files "
                             "and 0555 folders then test nothing). Default: the override is dropped.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (its path is printed).")
    parser.add_argument("-v", "--verbose", action="store_true", help="One line per request or run, not only failures.")
    args = parser.parse_args(argv)
    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb << 20, args.memory_mb << 20))

    def too_slow(signum: int, frame: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, too_slow)
    work = Path(tempfile.mkdtemp(prefix="docgen-fuzz-"))
    failures: list[str] = []
    try:
        if args.only in (None, "service"):
            failures += run_service(args, work)
        if args.only in (None, "cli"):
            (work / "cli").mkdir()
            failures += run_cli(args, work / "cli")
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"peak memory: this process {usage[0].ru_maxrss // 1024} MB, largest child {usage[1].ru_maxrss // 1024} MB;"
              f" CPU {sum(u.ru_utime + u.ru_stime for u in usage):.0f} s")
        if args.keep:
            print(f"kept {work}")
        else:
            for path in work.rglob("*"):
                if not path.is_symlink():
                    os.chmod(path, 0o700 if path.is_dir() else 0o600)
            shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
