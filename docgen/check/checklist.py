"""Checklist definitions: load, validate and query ``checklists/*.yaml`` (DESIGN §4).

A checklist file defines each item once (id, bilingual title, group, provider, accepted file
kinds, aliases for file-name matching, annex, rules) and lists, per stage, which items the stage
needs under which number. Files are validated against ``checklists/schema.yaml`` (cerberus) and
then cross-checked (stage entries name defined items, kind sets exist, rules carry their keys,
conditions compile in the sandbox). Any failure is a ``ChecklistError`` naming the file and key.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from docgen.core.access import when_denied
from docgen.core.cache import (
    cache_key, code_digest, keeps_beside_packages, package_cache, read_entry, read_json, write_entry, write_json,
)
from docgen.core.conditions import Condition, is_plan
from docgen.core.datafile import binary_content, parse_yaml, yaml_error_problem, yaml_error_where
from docgen.core.errors import ChecklistError
from docgen.core.fastcheck import validate_quickly
from docgen.core.regularfile import NotRegularFile, is_regular
from docgen.core.resources import checklists_dir
from docgen.core.textcodec import decode_chinese
from docgen.check.messages import ERRORS, problem_in_english
from docgen.core.wording import reason_of

DEFAULT_CHECKLIST = "dev-loan"
SCHEMA_FILE = "schema.yaml"
# libyaml's loader when present: ten times faster on a checklist this size, same results.

#: Keys each rule needs beyond ``rule`` (optional keys are documented in dev-loan.yaml).
_RULE_KEYS: dict[str, tuple[str, ...]] = {
    "waive": ("when",),
    "max-age": ("days",),
    "audit-years": ("count",),
    "min-ratio": ("value",),
    "kinds-set": ("sets",),
    "parts": ("parts",),
    "original-and-copy": (),
    "all-of": ("items",),
    "attestation": ("satisfied",),
}
#: Rule keys holding sandboxed expressions.
_EXPRESSION_KEYS = ("when", "young", "value", "satisfied")


@dataclass
class Item:
    """One document the bank asks for. ``rules`` are dicts; expression keys hold ``Condition``s."""

    id: str
    title: dict[str, str]
    group: str | None = None
    provider: str = "client"
    kinds: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    annex: str | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    note: dict[str, str] | None = None
    template: str | None = None

    def rules_of(self, name: str) -> list[dict[str, Any]]:
        """Return this item's rules named ``name`` (``waive``, ``max-age`` …), in file order."""
        return [r for r in self.rules if r["rule"] == name]

    def to_dict(self) -> dict[str, Any]:
        """Return the item as plain data (conditions shown as their source text)."""
        rules = [
            {k: (v.source if isinstance(v, Condition) else v) for k, v in rule.items()} for rule in self.rules
        ]
        return {
            "id": self.id, "title": dict(self.title), "group": self.group, "provider": self.provider,
            "kinds": list(self.kinds), "aliases": list(self.aliases), "annex": self.annex,
            "template": self.template, "note": self.note, "rules": rules,
        }


@dataclass
class StageItem:
    """An item as one stage lists it: the stage's number for it (``'1'``, ``'B1'``) and group."""

    no: str
    item: Item
    group: str | None = None


@dataclass
class Stage:
    """A stage of the checklist; ``folder`` is the sub-folder ``docgen init`` creates for it."""

    id: str
    title: dict[str, str]
    folder: str
    entries: list[StageItem] = field(default_factory=list)

    def entries_numbered(self, no: str) -> list[StageItem]:
        """Return the entries carrying number ``no`` (one number may list two items)."""
        return [e for e in self.entries if e.no.upper() == no.upper()]


@dataclass
class Checklist:
    """A loaded, validated checklist: items by id, stages in order, groups and parameters."""

    id: str
    title: dict[str, str]
    stages: list[Stage]
    items: dict[str, Item]
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def stage_ids(self) -> list[str]:
        """Return the stage ids in checklist order."""
        return [s.id for s in self.stages]

    def item(self, item_id: str) -> Item:
        """Return the item ``item_id``; raises ``KeyError`` naming it when unknown."""
        try:
            return self.items[item_id]
        except KeyError:
            raise ERRORS.fault(KeyError, "item-unknown", item=item_id) from None

    def stage(self, stage_id: str) -> Stage:
        """Return the stage ``stage_id``; raises ``ChecklistError`` listing the stages when unknown."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise ERRORS.error(ChecklistError, "checklist-no-stage", checklist=self.id, stage=stage_id,
                           stages=self.stage_ids)

    def stages_up_to(self, stage_id: str | None) -> list[Stage]:
        """Return the stages a check of ``stage_id`` reports: it and every earlier one (None: all).

        Raises ``ChecklistError`` for an unknown stage.
        """
        if stage_id is None:
            return list(self.stages)
        target = self.stage(stage_id)
        return self.stages[: self.stages.index(target) + 1]

    def group_title(self, group: str | None) -> dict[str, str] | None:
        """Return the bilingual title of ``group``, or None when it has none."""
        return self.groups.get(group) if group else None

    def to_dict(self) -> dict[str, Any]:
        """Return the checklist as plain data (what ``docgen checklist show --format json`` prints)."""
        return {
            "id": self.id,
            "title": dict(self.title),
            "groups": {k: dict(v) for k, v in self.groups.items()},
            "params": dict(self.params),
            "stages": [
                {
                    "id": s.id, "title": dict(s.title), "folder": s.folder,
                    "items": [{"no": e.no, "group": e.group, **e.item.to_dict()} for e in s.entries],
                }
                for s in self.stages
            ],
        }


def list_checklists() -> list[str]:
    """Return the names of the shipped checklists (file stems, schema excluded), sorted."""
    return sorted(
        p.stem for p in checklists_dir().glob("*.yaml") if p.name != SCHEMA_FILE
    )


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    with open(checklists_dir() / SCHEMA_FILE, encoding="utf-8") as fh:
        return parse_yaml(fh.read())


def resolve_checklist_path(name_or_path: str | os.PathLike[str] | None, *, file: bool = False) -> Path:
    """Return the file for a checklist name (shipped) or path (a bank's own file); with ``file``,
    ``name_or_path`` is a path even when it reads as a shipped name (a file ``dev-loan`` saved
    without its .yaml).

    Raises ``ChecklistError`` when neither exists, listing the shipped names, or the path is empty.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_CHECKLIST
    text = os.fspath(name_or_path)
    candidate = Path(text)
    looks_like_path = file or candidate.suffix in (".yaml", ".yml") or os.sep in text or "/" in text
    if looks_like_path:
        if not text:  # a script's unset variable: Path('') would be the working directory
            raise ERRORS.error(ChecklistError, "checklist-path-empty")
        try:
            if is_regular(candidate):
                return candidate
        except NotRegularFile:
            raise ERRORS.error(ChecklistError, "checklist-not-regular", path=text) from None
        raise ERRORS.error(ChecklistError, "checklist-not-found", path=text)
    shipped = checklists_dir() / f"{text}.yaml"
    if text != Path(SCHEMA_FILE).stem and shipped.is_file():
        return shipped
    if candidate.is_file():
        return candidate
    raise ERRORS.error(ChecklistError, "checklist-unknown", name=text, available=list_checklists())


def load_checklist(name_or_path: str | os.PathLike[str] | None = None, *, file: bool = False) -> Checklist:
    """Load and validate a checklist by name (``'dev-loan'``, the default) or path; with ``file``, by
    path alone (``resolve_checklist_path``).

    Returns a ``Checklist``. Raises ``ChecklistError`` naming the file and the failing key
    (e.g. ``items.site-plan.kinds[0]: 不允许的取值 exe``) when the file is unreadable, is no text
    (a workbook, a PDF, an image: named for what it holds), is not YAML, fails the schema, or fails
    a cross-check.
    """
    path = resolve_checklist_path(name_or_path, file=file)
    try:
        stat = path.stat()
    except OSError as exc:
        when_denied(exc, ChecklistError, path)
        raise ERRORS.error(ChecklistError, "checklist-unreadable", label=path, reason=reason_of(exc)) from None
    # Loaded checklists are never mutated, so one parse per file version serves every check.
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_cached(path_text: str, mtime_ns: int, size: int) -> Checklist:
    path = Path(path_text)
    label = _label(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        when_denied(exc, ChecklistError, path)
        raise ERRORS.error(ChecklistError, "checklist-unreadable", label=label, reason=reason_of(exc)) from None
    kind = binary_content(raw)
    if kind is not None:  # a workbook or a scan picked in place of the YAML: no encoding or syntax to fix
        raise ERRORS.error(ChecklistError, "checklist-not-text", label=label, kind=kind)
    # Decoded as a CSV and every data file are: a bank's checklist edited in Notepad is GBK.
    text = decode_chinese(raw)
    if text is None:
        raise ERRORS.error(ChecklistError, "checklist-undecodable", label=label)
    return parse_checklist(text, label, path=path)


def parse_checklist(text: str, label: str, path: Path | None = None) -> Checklist:
    """Parse checklist YAML ``text``; ``label`` names it in errors. See ``load_checklist``."""
    key = _cache_key(text)
    cached = _cache_read(key)
    if cached is None and (compiled := _compiled_path(path)) is not None:
        cached = _entry_parts(read_json(compiled), key)
    if cached is not None:
        doc, plans = cached
        try:
            return _build(doc, label, path, plans)
        except (KeyError, TypeError, AttributeError, ValueError, ChecklistError):
            pass  # a damaged entry (it built when it was written): read the file again
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as exc:
        where = yaml_error_where(exc)
        line, column = where if where else (None, None)
        raise ERRORS.error(ChecklistError, "checklist-yaml-syntax", label=label, line=line, column=column,
                           problem=yaml_error_problem(exc)) from None
    if not isinstance(raw, dict):
        raise ERRORS.error(ChecklistError, "checklist-not-mapping", label=label)
    _stringify_numbers(raw)
    doc, problems = validate_quickly(_schema(), raw)
    if problems:
        raise ERRORS.error(ChecklistError, "checklist-schema", label=label,
                           problems=[(p.path, p.message, problem_in_english(p)) for p in problems])
    checklist = _build(doc, label, path)
    plans = {cond.source: cond.plan for item in checklist.items.values() for rule in item.rules
             for cond in rule.values() if isinstance(cond, Condition)}
    _cache_write(key, doc, plans)
    if (compiled := _compiled_path(path)) is not None and keeps_beside_packages():
        write_json(compiled, {"key": key, "doc": doc, "plans": plans})
    return checklist


# ---- validation cache ------------------------------------------------------------------------
# Cerberus needs about 0.3 s to validate a 50-item checklist, a third of the time budget of a
# whole `docgen check` (a valid file is confirmed by the plain-Python fast path of
# docgen.core.fastcheck instead, cerberus only wording what is wrong), and compiling its
# conditions needs Jinja2. The validated document and
# the conditions' plans depend only on the file's text, the schema and docgen's code, so they
# are kept (as JSON) under that key in the user's cache folder: an identical file is neither
# parsed nor validated twice, and checking a bundle against it imports neither cerberus nor
# Jinja2 (see ``docgen.core.conditions``); any edit, to the checklist, the schema or the code,
# misses the cache and is validated again. Only checklists that loaded are cached, so every
# cached condition passed the sandbox's checks; cross-checks still run on every load. The
# folder is ``userdirs.cache_dir()`` (DOCGEN_CACHE_DIR moves it, DOCGEN_NO_CACHE=1 turns it
# off). An unwritable or damaged cache is ignored. A shipped checklist's entry is also kept in
# the package beside it (see ``_compiled_path``), so a first check on a new account finds it.


@lru_cache(maxsize=1)
def _schema_bytes() -> bytes:
    return (checklists_dir() / SCHEMA_FILE).read_bytes()


def _cache_key(text: str) -> str:
    return cache_key(text, _schema_bytes(), code_digest(__name__, "docgen.core.conditions", "docgen.core.sandbox",
                                                         "docgen.core.fastcheck"))


def _compiled_path(path: Path | None) -> Path | None:
    """Where a shipped checklist's compiled form (validated document and plans) is kept: in the
    package beside it, like bytecode, so even a first check on a new account neither validates
    the shipped checklist nor compiles its conditions. ``None`` for a bank's own file, and when
    caching is off. The entry carries its key (the file's text, the schema, docgen's version and
    code), so a stale or foreign one is never used; a read-only package simply never has one, and
    a Python told to write no bytecode reads one but writes none (``keeps_beside_packages``).
    """
    if path is None:
        return None
    shipped = checklists_dir()
    try:
        if path.resolve().parent != shipped.resolve():
            return None
    except OSError:
        return None
    return package_cache(shipped, f"{path.stem}.plan.json")


def _cache_read(key: str) -> tuple[dict[str, Any], dict[str, list[Any] | None]] | None:
    return _entry_parts(read_entry("checklist", key))


def _entry_parts(entry: Any, key: str | None = None) -> tuple[dict[str, Any], dict[str, list[Any] | None]] | None:
    """Return ``(doc, plans)`` of a cached checklist entry (whose ``key`` must be ``key`` when
    given), or None when it is missing or damaged."""
    if not isinstance(entry, dict) or not isinstance(entry.get("doc"), dict) \
            or not isinstance(entry.get("plans"), dict) or (key is not None and entry.get("key") != key):
        return None
    plans = entry["plans"]
    if not all(plan is None or is_plan(plan) for plan in plans.values()):
        return None
    return entry["doc"], plans


def _cache_write(key: str, doc: dict[str, Any], plans: dict[str, list[Any] | None]) -> None:
    write_entry("checklist", key, {"doc": doc, "plans": plans})


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(checklists_dir().resolve().parent))
    except ValueError:
        return str(path)


def _stringify_numbers(raw: dict[str, Any]) -> None:
    # YAML 1.1 reads the bare key `no` as the boolean False, and `no: 1` as a number: both are
    # natural to type, so take the key back as "no" and the number as text (it is a label).
    for stage in raw.get("stages") or []:
        if isinstance(stage, dict):
            for entry in stage.get("entries") or []:
                if not isinstance(entry, dict):
                    continue
                if False in entry and "no" not in entry:
                    entry["no"] = entry.pop(False)
                if isinstance(entry.get("no"), int) and not isinstance(entry.get("no"), bool):
                    entry["no"] = str(entry["no"])


def _build(doc: dict[str, Any], label: str, path: Path | None,
           plans: dict[str, list[Any] | None] | None = None) -> Checklist:
    """Return the checklist of the validated ``doc``; ``plans`` (from the cache) are the plans of
    its conditions, which then passed the checks before and are not compiled now."""
    kind_sets: dict[str, list[str]] = doc.get("kinds") or {}
    groups = doc.get("groups") or {}
    # Every reference to what the file does not define, (code, facts), said together once the
    # items and stages are read: a bank editing its copy mends them in one go.
    undefined: list[tuple[str, dict[str, Any]]] = []
    items: dict[str, Item] = {}
    for item_id, spec in doc["items"].items():
        where = ERRORS.text("where/item", {"item": item_id})
        kinds = spec["kinds"]
        if isinstance(kinds, str):
            if kinds not in kind_sets:
                undefined.append(("checklist-kind-set-undefined", {"where": where, "kinds": kinds}))
            kinds = kind_sets.get(kinds, [])
        group = spec.get("group")
        if group and groups and group not in groups:
            undefined.append(("checklist-group-undefined", {"where": where, "group": group, "groups": list(groups)}))
        rules = [_build_rule(rule, label, f"{where}.rules[{i}]", plans)
                 for i, rule in enumerate(spec.get("rules") or [])]
        items[item_id] = Item(
            id=item_id, title=dict(spec["title"]), group=group, provider=spec.get("provider", "client"),
            kinds=list(kinds), aliases=list(spec.get("aliases") or []), annex=spec.get("annex"),
            rules=rules, note=spec.get("note"), template=spec.get("template"),
        )
    for item in items.values():
        for i, rule in enumerate(item.rules):
            for ref in rule.get("items", []) if rule["rule"] == "all-of" else []:
                if ref not in items:
                    undefined.append(("checklist-item-undefined", {"item": item.id, "rule": i, "ref": ref}))
    stages: list[Stage] = []
    seen: set[str] = set()
    for si, spec in enumerate(doc["stages"]):
        if spec["id"] in seen:
            raise ERRORS.error(ChecklistError, "checklist-stage-duplicate", label=label, stage_index=si,
                               stage=spec["id"])
        seen.add(spec["id"])
        entries = []
        for ei, entry in enumerate(spec["entries"]):
            group = entry.get("group")
            if entry["item"] not in items:
                undefined.append(("checklist-entry-item-undefined",
                                  {"stage_index": si, "entry_index": ei, "item": entry["item"]}))
            if group and groups and group not in groups:
                undefined.append(("checklist-stage-group-undefined",
                                  {"stage_index": si, "entry_index": ei, "group": group}))
            if entry["item"] in items:
                entries.append(StageItem(no=entry["no"], item=items[entry["item"]], group=group))
        stages.append(Stage(id=spec["id"], title=dict(spec["title"]), folder=spec["folder"], entries=entries))
    if len(undefined) == 1:
        code, facts = undefined[0]
        raise ERRORS.error(ChecklistError, code, label=label, **facts)
    if undefined:
        raise ERRORS.error(ChecklistError, "checklist-undefined", label=label, refs=undefined)
    _refuse_all_of_cycles(items, label)
    return Checklist(
        id=doc["id"], title=dict(doc["title"]), stages=stages, items=items, groups=groups,
        params=dict(doc.get("params") or {}), path=path,
    )


def _refuse_all_of_cycles(items: dict[str, Item], label: str) -> None:
    """Raise ``ChecklistError`` when an ``all-of`` item needs itself, directly or through others."""
    def refs(item_id: str) -> list[str]:
        return [r for rule in items[item_id].rules_of("all-of") for r in rule["items"]]

    done: set[str] = set()
    for start in items:
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            item_id, depth = stack.pop()
            del path[depth:]
            if item_id in path:
                raise ERRORS.error(ChecklistError, "checklist-all-of-cycle", label=label, item=path[-1],
                                   cycle=[*path[path.index(item_id):], item_id])
            if item_id in done:
                continue
            path.append(item_id)
            stack.extend((r, depth + 1) for r in refs(item_id))
        done.add(start)


def _build_rule(rule: dict[str, Any], label: str, where: str,
                plans: dict[str, list[Any] | None] | None) -> dict[str, Any]:
    name = rule["rule"]
    for key in _RULE_KEYS[name]:
        if key not in rule:
            raise ERRORS.error(ChecklistError, "checklist-rule-key-missing", label=label, where=where, key=key,
                               rule=name)
    built = dict(rule)
    for key in _EXPRESSION_KEYS:
        if key in built:
            source = str(built[key])
            # a condition's own errors name the file too, as a fact of its own (each language
            # sets its punctuation between the file and the key path)
            place = f"{where}.{key}"
            if plans is not None and source in plans:
                built[key] = Condition.checked(source, place, plans[source], label=label)
            else:
                built[key] = Condition(source, place, label=label)
    return built
