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
