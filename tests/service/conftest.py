"""Fixtures of the service tests: one running app (worker pools started) per test module."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from docgen.service.app import create_app
from docgen.service.users import ROLES
from service_helpers import PASSWORD, make_settings


class Api:
    """A test client plus a bearer token per role."""

    def __init__(self, client: TestClient, settings: Any) -> None:
        self.client = client
        self.settings = settings
        self.tokens: dict[str, str] = {}

    def headers(self, role: str | None) -> dict[str, str]:
        """Return the Authorization header of ``role`` (none for None)."""
        if role is None:
            return {}
        if role not in self.tokens:
            answer = self.client.post("/api/token", data={"username": role, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            self.tokens[role] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A running service on a fresh data folder with the users credit, backoffice, … admin."""
    settings = make_settings(tmp_path_factory.mktemp("service") / "data")
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings)


@pytest.fixture(scope="module")
def roles() -> tuple[str, ...]:
    return ROLES


@pytest.fixture(scope="module")
def example_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from service_helpers import bundle_zip

    return bundle_zip(tmp_path_factory.mktemp("zip") / "华安置业.zip")


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The closing and opening ledgers only the bank's policy reads, and that policy (``bank_ledgers``)."""
    from service_helpers import bank_ledgers

    return bank_ledgers(tmp_path_factory.mktemp("bank"))
