"""Import ``examples/make_bundle.py`` (a script, not a package) for the check-report tests."""
from __future__ import annotations

from scripts import load_script

from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_BUNDLE = ROOT / "examples" / "bundle"
EXAMPLE_AS_OF = "2026-11-28"


def make_bundle() -> ModuleType:
    """Return the ``examples/make_bundle.py`` module (loaded once)."""
    return load_script("examples/make_bundle.py")
