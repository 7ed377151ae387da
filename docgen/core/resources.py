"""Where shipped data lives: ``checklists/`` and ``templates/`` as package data.

In a checkout they are the top-level folders; in an installed wheel they are the
``docgen.checklists`` and ``docgen.templates`` packages. Both resolve through importlib.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def _package_dir(package: str) -> Path:
    root = resources.files(package)
    # Shipped data is always plain files on disk (no zipped installs), so a Path is safe.
    return Path(str(root))


def checklists_dir() -> Path:
    """Return the folder holding the shipped checklist YAML files."""
    return _package_dir("docgen.checklists")


def templates_dir() -> Path:
    """Return the folder holding the shipped Word templates and their YAML metadata."""
    return _package_dir("docgen.templates")
