"""Shared pytest fixtures. Area-specific fixtures live beside their tests."""
from __future__ import annotations

import shutil

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``soffice`` need LibreOffice; CI installs it, so there they must run.

    Outside CI a developer without LibreOffice gets them skipped with the reason; in CI
    (``CI`` set) a missing soffice fails loudly instead of hiding the PDF tests.
    """
    import os

    if shutil.which("soffice") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) not installed: run `bash .ci/setup`")
    for item in items:
        if "soffice" in item.keywords:
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
