"""Matching bundle files to checklist items (DESIGN §3).

Each file is matched by the first of these that says anything about it:

1. the explicit ``documents.<id>.files`` mapping of ``bundle.yaml`` (the user said what it is);
2. item aliases found in the file name (then, failing that, in its folder names), compared after
   NFKC normalization, lower-casing and removing spaces, ``-``, ``_`` and ``.``, so
   ``Business License.pdf``, ``business_license.pdf`` and ``营业执照(副本).pdf`` all match. When
   one alias occurrence lies strictly inside a longer one of another item, only the longer counts:
   ``授信业务申请书`` is a credit application, not also a ``业务申请书``;
3. the item number as a prefix of the file name (``12-…``, ``12、…``, ``12_…``, ``B1 …``) when the
   file sits in that stage's folder (its ``folder`` name, id or Chinese title).

A file may serve several items (营业执照 serves stage 1 and 3, the land transfer contract two
items). Files that match nothing are returned as unmatched, to be reported (info).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from docgen.check.checklist import Checklist, Stage

_SEPARATORS = re.compile(r"[\s\-_.·・]+")
_LEADING_NUMBER = re.compile(r"^\d+")
_NUMBER_PREFIX = re.compile(r"^\s*([A-Za-z]?\d{1,3})(?:\s*[-_、.．,，)）:：\s]|$)")


def normalize(text: str) -> str:
    """Return ``text`` folded for comparison: NFKC, lower case, without spaces, -, _ and dots."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


@dataclass
class Matches:
    """The outcome: files per item (in bundle order) and items per file, plus unmatched files."""

    by_item: dict[str, list[str]] = field(default_factory=dict)
    by_file: dict[str, list[str]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)

    def files(self, item_id: str) -> list[str]:
        """Return the files serving ``item_id`` (possibly empty)."""
        return self.by_item.get(item_id, [])

    def add(self, path: str, item_id: str) -> None:
        """Record that ``path`` serves ``item_id`` (idempotent)."""
        if path not in self.by_item.setdefault(item_id, []):
            self.by_item[item_id].append(path)
        if item_id not in self.by_file.setdefault(path, []):
            self.by_file[path].append(item_id)


class Matcher:
    """Matches file paths to a checklist's items; build once per checklist, reuse per bundle."""

    def __init__(self, checklist: Checklist) -> None:
        self.checklist = checklist
        # (normalized alias, item id), longest aliases first so spans prefer them.
        pairs = {(normalize(a), item.id) for item in checklist.items.values() for a in item.aliases}
        self._aliases = sorted((p for p in pairs if p[0]), key=lambda p: (-len(p[0]), p[1]))
        self._stage_folders: dict[str, Stage] = {}
        for stage in checklist.stages:
            for label in (stage.folder, stage.id, stage.title.get("zh", "")):
                if label:
                    self._stage_folders[normalize(label)] = stage
                    # People renumber or drop the "01-" of a folder: "申请前期", "1 申请前期".
                    bare = _LEADING_NUMBER.sub("", normalize(label))
                    if bare:
                        self._stage_folders.setdefault(bare, stage)

    def items_by_alias(self, text: str) -> list[str]:
        """Return the ids of items whose aliases occur in ``text``, dropping occurrences nested
        strictly inside a longer occurrence of another item's alias. Order: first occurrence."""
        norm = normalize(text)
        spans: list[tuple[int, int, str]] = []
        for alias, item_id in self._aliases:
            start = norm.find(alias)
            while start != -1:
                spans.append((start, start + len(alias), item_id))
                start = norm.find(alias, start + 1)
        kept: list[tuple[int, str]] = []
        for s, e, item_id in spans:
            nested = any(
                other != item_id and s2 <= s and e <= e2 and (e2 - s2) > (e - s)
                for s2, e2, other in spans
            )
            if not nested:
                kept.append((s, item_id))
        seen: list[str] = []
        for _, item_id in sorted(kept):
            if item_id not in seen:
                seen.append(item_id)
        return seen

    def stage_of(self, path: str) -> Stage | None:
        """Return the stage whose folder contains ``path`` (nearest folder wins), or None."""
        for folder in reversed(path.split("/")[:-1]):
            stage = self._stage_folder(folder)
            if stage is not None:
                return stage
        return None

    def _stage_folder(self, folder: str) -> Stage | None:
        norm = normalize(folder)
        return self._stage_folders.get(norm) or self._stage_folders.get(_LEADING_NUMBER.sub("", norm))

    def items_by_number(self, path: str) -> list[str]:
        """Return the items whose stage number prefixes the file name, when it sits in that stage's folder."""
        stage = self.stage_of(path)
        if stage is None:
            return []
        m = _NUMBER_PREFIX.match(unicodedata.normalize("NFKC", path.rsplit("/", 1)[-1]))
        if not m:
            return []
        number = m.group(1).lstrip("0") or "0"
        if number[0].isalpha():
            number = number[0] + (number[1:].lstrip("0") or "0")
        return [e.item.id for e in stage.entries_numbered(number)]

    def match(self, paths: Iterable[str], explicit: dict[str, list[str]] | None = None) -> Matches:
        """Match ``paths`` (bundle-relative). ``explicit`` maps item id -> files from bundle.yaml.

        Explicit files not among ``paths`` are ignored here (the caller reports them).
        """
        paths = list(paths)
        result = Matches()
        claimed: set[str] = set()
        known = set(paths)
        for item_id, files in (explicit or {}).items():
            for f in files:
                path = clean_path(f)
                if path in known:
                    result.add(path, item_id)
                    claimed.add(path)
        for path in paths:
            if path in claimed:
                continue
            parts = path.split("/")
            items = self.items_by_alias(_stem(parts[-1]))
            if not items:
                for folder in reversed(parts[:-1]):
                    if self._stage_folder(folder) is not None:
                        continue
                    items = self.items_by_alias(folder)
                    if items:
                        break
            if not items:
                items = self.items_by_number(path)
            for item_id in items:
                result.add(path, item_id)
            if not items:
                result.unmatched.append(path)
        # Present per-item file lists in bundle order, whatever the matching order was.
        order = {p: i for i, p in enumerate(paths)}
        for files in result.by_item.values():
            files.sort(key=lambda p: order.get(p, len(order)))
        return result


def clean_path(path: str) -> str:
    """Return a user-written bundle path in the report's form: ``/``-separated, no ``./``."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)
