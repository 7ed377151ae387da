"""Full-width marks in code must survive editing: a sequence or character class naming the same ASCII
mark twice is the sign of ；，％（） or ￥ folded into ASCII by an editor, which once left ledgers'
full-width separators, rates and amounts unrecognised. Such marks are written as escapes."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PAIR = re.compile(r"""(["'])([;,:%()!?¥])\1,\s*\1\2\1""")  # ";", ";"
_CLASS = re.compile(r"""(["'])[^"'\n]*(?<!\\)\[[^\]\n]*([;,:%()¥])\2[^\]\n]*\][^"'\n]*\1""")  # "[、;;,,]"
_STRIP = re.compile(r"""strip\((["'])([^"'\n])\2\1\)""")  # lstrip("¥¥")


def test_no_ascii_mark_is_named_twice_where_a_full_width_one_was_meant() -> None:
    found = []
    for path in sorted((ROOT / "docgen").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _PAIR.search(line) or _CLASS.search(line) or _STRIP.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_guard_sees_the_folded_forms() -> None:
    for folded in ('_SEPARATORS = ("、", ";", ";", ",", ",")', 're.split(r"[、;;,,\\n]", value)',
                   'value.lstrip("¥¥")', 'endswith(("%", "%"))', 're.compile(r"[((]元[))]$")'):
        assert _PAIR.search(folded) or _CLASS.search(folded) or _STRIP.search(folded), folded
