"""Load the project's scripts (``examples/make_*.py``, ``tools/build_*.py``) as modules in tests."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """Return the script at ``ROOT/relative`` as a module, loaded once per test session."""
    name = Path(relative).stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before running: dataclasses in the script look their module up by name.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fresh_python_prints(probe: str) -> list[str]:
    """Return the words ``probe`` (Python source) prints, run by a new interpreter at ``ROOT``: what a
    module does on import, which this session's imports have done already. Fails showing the
    probe's error when it prints nothing."""
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.stdout, run.stderr[-2000:]
    return run.stdout.split()
