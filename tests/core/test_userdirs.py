"""Per-user folders: the register's default path and the cache folder, moved by environment variables."""
from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from docgen.core import userdirs


def test_register_path_comes_from_docgen_register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "x.sqlite"))
    assert userdirs.default_register_path() == tmp_path / "x.sqlite"
    assert userdirs.register_path(None) == tmp_path / "x.sqlite"
    assert userdirs.register_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"


def test_register_defaults_to_the_platform_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DOCGEN_REGISTER")
    expected = platformdirs.user_data_path("docgen", appauthor=False) / "register.sqlite"
    assert userdirs.default_register_path() == expected
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if platformdirs.user_data_path("docgen", appauthor=False).is_relative_to(tmp_path):  # XDG platforms
        assert userdirs.default_register_path() == tmp_path / "data" / "docgen" / "register.sqlite"


def test_cache_folder_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if platformdirs.user_cache_path("docgen", appauthor=False).is_relative_to(tmp_path):  # XDG platforms
        assert userdirs.cache_dir() == tmp_path / "xdg" / "docgen"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "mine"))
    assert userdirs.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    assert userdirs.cache_dir() is None
