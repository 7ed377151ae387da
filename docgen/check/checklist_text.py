"""A checklist as people read it (``docgen checklist show|validate``): per stage, per group, one
line per item, in Chinese, English or both; worded from ``docgen.check.messages.OUTPUT``."""
from __future__ import annotations

from typing import Any

from docgen.check.checklist import Checklist
from docgen.check.messages import OUTPUT, REPORT_LABELS

__all__ = ["checklist_json", "render_checklist", "validity_line"]


def _pick(text: dict[str, str] | None, lang: str | None) -> str:
    """Return ``text`` in ``lang``, or both languages (``中文 / English``) when ``lang`` is None."""
    if not text:
        return ""
    if lang:
        return text[lang]
    return f"{text['zh']} / {text['en']}"


def _word(code: str, lang: str | None, **facts: Any) -> str:
    """Return the table's wording of ``code`` in ``lang``, or both languages when ``lang`` is None."""
    return _pick({"zh": OUTPUT.text(code, facts, "zh"), "en": OUTPUT.text(code, facts, "en")}, lang)


def render_checklist(checklist: Checklist, stage: str | None = None, lang: str | None = None) -> str:
    """Return the checklist as plain text: per stage, per group, one line per item.

    ``lang`` 'zh' or 'en' prints one language; None prints both (an item's notes in Chinese).
    Raises ``ChecklistError`` for an unknown ``stage``.
    """
    stages = [checklist.stage(stage)] if stage else checklist.stages
    notes_lang = "en" if lang == "en" else "zh"
    # Chinese, alone or first of both languages, takes the full-width colon, aside and separator
    # (GB/T 15834): in both languages a folder's name and an aside open with Chinese (附件二,
    # 银行提供 / provided by the bank). English alone keeps the ASCII ones.
    marks = REPORT_LABELS["en" if lang == "en" else "zh"]
    lines = [_pick(checklist.title, lang) + f"  [{checklist.id}]", ""]
    for st in stages:
        lines.append(f"== {_pick(st.title, lang)}  [{st.id}]")
        lines.append(f"   {_word('checklist/folder', lang)}{marks['colon']}{st.folder}")
        group = object()
        for entry in st.entries:
            if entry.group != group:
                group = entry.group
                title = checklist.group_title(entry.group)
                if title:
                    lines.append(f"  -- {_pick(title, lang)}")
            item = entry.item
            extras = []
            if item.annex:
                extras.append(OUTPUT.text("checklist/annex", {"annex": item.annex}, notes_lang))
            if item.provider == "bank":
                extras.append(_word("checklist/bank", lang))
            waivers = item.rules_of("waive")
            reason = waivers[0].get("reason") if waivers else None
            if reason:
                extras.append(OUTPUT.text("checklist/waivable", {"reason": _pick(reason, lang)}, notes_lang))
            suffix = "  " + marks["aside"].format(marks["separator"].join(extras)).lstrip() if extras else ""
            lines.append(f"  {entry.no:>3}. {_pick(item.title, lang)}  [{item.id}]{suffix}")
        lines.append("")
    return "\n".join(lines)


def checklist_json(checklist: Checklist, stage: str | None = None) -> dict[str, Any]:
    """Return the checklist's JSON form, with only ``stage`` when given.

    Raises ``ChecklistError`` (naming the stages there are) for an unknown ``stage``.
    """
    data = checklist.to_dict()
    if stage is not None:
        checklist.stage(stage)
        data["stages"] = [s for s in data["stages"] if s["id"] == stage]
    return data


def validity_line(source: str, checklist: Checklist, lang: str | None = None) -> str:
    """Return the one line ``checklist validate`` prints for a valid file: in ``lang`` ('zh' or
    'en'), or in both languages when ``lang`` is None."""
    facts = {"file": source, "id": checklist.id, "stages": len(checklist.stages), "items": len(checklist.items),
             "entries": sum(len(s.entries) for s in checklist.stages)}
    return OUTPUT.text("checklist/valid", facts, lang) if lang else OUTPUT.text("checklist/valid-both", facts)
