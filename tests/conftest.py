"""Shared pytest fixtures. Area-specific fixtures live beside their tests."""
from __future__ import annotations

import os
import shutil

import pytest


#: marker -> (is the tool there?, how to get it). CI installs both, so there they must run.
def _browser_present() -> bool:
    import importlib.util

    return os.path.exists("/usr/bin/chromium") and importlib.util.find_spec("playwright") is not None


NEEDS = {
    "soffice": (lambda: shutil.which("soffice") is not None,
                "LibreOffice (soffice) not installed: run `bash .ci/setup`"),
    "browser": (_browser_present, "chromium (/usr/bin/chromium) or playwright not installed: run `bash .ci/setup`"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``soffice`` need LibreOffice, tests marked ``browser`` Debian's chromium
    and playwright; CI installs them, so there they must run.

    Outside CI a developer without the tool gets those tests skipped with the reason; in CI
    (``CI`` set) a missing tool fails loudly instead of hiding the tests.
    """
    if os.environ.get("CI"):
        return
    for marker, (present, reason) in NEEDS.items():
        if present():
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test off the user's register and cache: each test gets its own.

    A test that needs a particular register still sets ``DOCGEN_REGISTER`` itself.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DOCGEN_REGISTER", str(home / "register.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture(scope="session")
def postgres() -> object:
    """A PostgreSQL cluster for the session (``servers.Postgres``); skipped locally, failed under CI, when missing."""
    from servers import Postgres, pg_bin, require

    require("PostgreSQL (Debian package postgresql)", pg_bin() is not None)
    require("psycopg (pip install -e '.[scale]')", _importable("psycopg"))
    server = Postgres()
    yield server
    server.stop()


@pytest.fixture()
def pg_register(postgres: object) -> str:
    """The URL of an empty PostgreSQL database of this test's own."""
    return postgres.new_database()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_server() -> object:
    """A Redis server for the session (``servers.Redis``); skipped locally, failed under CI, when missing."""
    from servers import Redis, require

    require("Redis (Debian package redis-server)", shutil.which("redis-server") is not None)
    server = Redis()
    yield server
    server.stop()


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
