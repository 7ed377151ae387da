"""The package's import graph runs one way: cli -> parts -> core, and between parts one direction only.

Every module under ``docgen/`` is parsed (not imported) and each ``import``/``from … import`` it
contains, at any depth (function-local and ``TYPE_CHECKING`` imports included), is checked against the
layering below, so a back-edge fails here before it reaches a reviewer.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import docgen

PACKAGE = Path(docgen.__file__).resolve().parent

#: What each layer may import besides itself.  Order of the parts: core < check < documents < loans;
#: the web service sits on the parts and only the command line may use it.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "check": frozenset({"core"}),
    "documents": frozenset({"core", "check"}),
    "loans": frozenset({"core", "check", "documents"}),
    "service": frozenset({"core", "check", "documents", "loans"}),
    "cli": frozenset({"core", "check", "documents", "loans", "service"}),
    # data packages hold files only; they import nothing of docgen
    "checklists": frozenset(),
    "templates": frozenset(),
}
#: The root package: ``__init__`` is the facade (lazy, by name) and ``__main__`` starts the command line.
ROOT_ALLOWED: dict[str, frozenset[str]] = {
    "__init__": frozenset({"core", "check", "documents", "loans"}),
    "__main__": frozenset({"cli"}),
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """Return ``(line, imported module, names)`` for every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base, [alias.name for alias in node.names]))
    return found


def _layer(module: str) -> str | None:
    """Return the layer a ``docgen`` module belongs to (``None`` for the root package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _edges() -> list[tuple[str, int, str, str, str, list[str]]]:
    """Return ``(file, line, from layer, to layer, module, names)`` for every import of docgen in docgen."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        rel = path.relative_to(PACKAGE.parent).as_posix()
        source = _layer(module) if path.parent != PACKAGE else path.stem
        for line, target, names in _imports(path):
            if target != "docgen" and not target.startswith("docgen."):
                continue
            if target == "docgen":
                # ``from docgen import x``: the names are submodules (layers) or attributes of the facade
                for name in names:
                    layer = name if name in ALLOWED else "<facade>"
                    edges.append((rel, line, source, layer, f"docgen.{name}", [name]))
            else:
                edges.append((rel, line, source, _layer(target), target, names))
    return edges


def _forbidden() -> list[str]:
    bad = []
    for rel, line, source, target, module, names in _edges():
        if source == target:
            continue
        if target == "<facade>":
            # a part may read the version from the root package, but never reach back through the facade
            if names != ["__version__"]:
                bad.append(f"{rel}:{line}: {source} imports the facade ({', '.join(names)}); import the part")
            continue
        allowed = ROOT_ALLOWED.get(source) if source in ROOT_ALLOWED else ALLOWED.get(source)
        if allowed is None:
            bad.append(f"{rel}:{line}: module outside the known layers imports {module}")
        elif target not in allowed:
            bad.append(f"{rel}:{line}: {source} must not import {target} ({module})")
    return bad


def test_every_module_sits_in_a_known_layer() -> None:
    stray = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
             if p.parent != PACKAGE and p.relative_to(PACKAGE).parts[0] not in ALLOWED]
    assert stray == []
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert set(top) <= set(ROOT_ALLOWED), top


def test_imports_run_one_way() -> None:
    assert _forbidden() == []


def test_the_graph_is_actually_read() -> None:
    # the checker must see the real edges, or the test above passes on nothing
    seen = {(source, target) for _, _, source, target, _, _ in _edges()}
    assert {("cli", "check"), ("cli", "loans"), ("loans", "documents"), ("check", "core")} <= seen


@pytest.mark.parametrize(("source", "target"), [
    ("core", "check"), ("check", "documents"), ("check", "loans"), ("documents", "loans"),
    ("loans", "cli"), ("documents", "service"), ("core", "cli"),
])
def test_a_back_edge_would_be_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str,
                                     target: str) -> None:
    fake = tmp_path / "docgen"
    (fake / source).mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / source / "__init__.py").write_text("", encoding="utf-8")
    (fake / source / "mod.py").write_text(f"def f():\n    from docgen.{target}.x import y\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert _forbidden() == [f"docgen/{source}/mod.py:2: {source} must not import {target} (docgen.{target}.x)"]


def test_relative_imports_are_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "docgen"
    (fake / "check").mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "check" / "__init__.py").write_text("", encoding="utf-8")
    (fake / "check" / "mod.py").write_text("from ..documents import batch\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert _forbidden() == ["docgen/check/mod.py:1: check must not import documents (docgen.documents)"]


def test_the_facade_names_no_command_line_module() -> None:
    owners = {module for module, _ in docgen._ENTRY_POINTS.values()}
    assert owners and all(_layer(m) in {"core", "check", "documents", "loans"} for m in owners), owners
