"""Import ``examples/make_bundle.py`` (a script, not a package) for the check-report tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_BUNDLE = ROOT / "examples" / "bundle"
EXAMPLE_AS_OF = "2026-11-28"


def make_bundle() -> ModuleType:
    """Return the ``examples/make_bundle.py`` module (loaded once)."""
    if "make_bundle" in sys.modules:
        return sys.modules["make_bundle"]
    spec = importlib.util.spec_from_file_location("make_bundle", ROOT / "examples" / "make_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_bundle"] = module
    spec.loader.exec_module(module)
    return module
