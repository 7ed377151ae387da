"""JSON shapes: the README notation they render to, and what departs from them."""
from __future__ import annotations

import pytest

from docgen.core.jsonshape import Literal, MapOf, Nullable, mismatches, render

SHAPE = {
    ("id", "title"): None,
    "items": [{"no": None, "tags?": ["tag names"]}],
    ("a", "b"): [{"n": None}],
    "code": Literal("misclassified"),
    "migration": Nullable({"counts": MapOf("from", MapOf("to", "n"))}),
}

GOOD = {
    "id": 1, "title": "x", "items": [{"no": 1}, {"no": 2, "tags": ["p"]}], "a": [{"n": 1}], "b": [],
    "code": "misclassified", "migration": {"counts": {"正常": {"关注": 2}}},
}


def test_render_is_the_readme_notation() -> None:
    assert render(SHAPE) == (
        '{"id", "title", "items": [{"no", "tags"?: [tag names]}], "a"/"b": [{"n"}], '
        '"code": "misclassified", "migration": {"counts": {from: {to: n}}} | null}'
    )
    assert render([{"名": None}]) == '[{"名"}]'  # Chinese keys stay readable


def test_conforming_value_has_no_mismatch() -> None:
    assert mismatches(GOOD, SHAPE) == []
    assert mismatches({**GOOD, "migration": None}, SHAPE) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"extra": 1}, ["$: undocumented key 'extra'"]),
    ({"code": "other"}, ["$.code: 'other' is not 'misclassified'"]),
    ({"items": [{"no": 1, "tags": "p"}]}, ["$.items[0].tags: expected a list, got str"]),
    ({"b": [{"n": 1, "m": 2}]}, ["$.b[0]: undocumented key 'm'"]),
    ({"migration": {"counts": {"正常": 3}}}, ["$.migration.counts.正常: expected an object, got int"]),
])
def test_each_departure_is_named_by_its_path(change: dict, expected: list[str]) -> None:
    assert mismatches({**GOOD, **change}, SHAPE) == expected


def test_missing_key_and_key_order() -> None:
    missing = {k: v for k, v in GOOD.items() if k != "title"}
    assert mismatches(missing, SHAPE) == ["$: missing key 'title'"]
    swapped = {"title": "x", "id": 1, **{k: v for k, v in GOOD.items() if k not in ("id", "title")}}
    assert mismatches(swapped, SHAPE) == [
        "$: keys in order ['title', 'id', 'items', 'a', 'b', 'code', 'migration'], documented "
        "['id', 'title', 'items', 'a', 'b', 'code', 'migration']"
    ]


def test_not_a_shape_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        render({"x": 3})
    with pytest.raises(TypeError):
        mismatches({"x": 1}, {"x": 3.5})
