"""``docgen checklist``: show the shipped (or a bank's own) checklist, bilingually."""
from __future__ import annotations

from pathlib import Path

import click

from docgen.check.checklist import Checklist, list_checklists, load_checklist
from docgen.cli.common import dump_json, emit, handle_errors
from docgen.cli.options import format_option, output_option

_PROVIDER = {"zh": {"bank": "银行提供"}, "en": {"bank": "provided by the bank"}}


def _pick(text: dict[str, str] | None, lang: str | None) -> str:
    """Return ``text`` in ``lang``, or both languages (``中文 / English``) when ``lang`` is None."""
    if not text:
        return ""
    if lang:
        return text[lang]
    return f"{text['zh']} / {text['en']}"


def render_checklist(checklist: Checklist, stage: str | None = None, lang: str | None = None) -> str:
    """Return the checklist as plain text: per stage, per group, one line per item.

    ``lang`` 'zh' or 'en' prints one language; None prints both. Raises ``ChecklistError`` for
    an unknown ``stage``.
    """
    stages = [checklist.stage(stage)] if stage else checklist.stages
    lines = [_pick(checklist.title, lang) + f"  [{checklist.id}]", ""]
    for st in stages:
        lines.append(f"== {_pick(st.title, lang)}  [{st.id}]")
        folder_label = {"zh": "文件夹", "en": "folder", None: "文件夹 / folder"}[lang]
        lines.append(f"   {folder_label}: {st.folder}")
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
                extras.append(item.annex if lang != "en" else f"annex {item.annex}")
            if item.provider == "bank":
                extras.append(_pick({k: v["bank"] for k, v in _PROVIDER.items()}, lang))
            if item.rules_of("waive"):
                reason = item.rules_of("waive")[0].get("reason")
                if reason:
                    extras.append(("可免:" if lang != "en" else "waivable: ") + _pick(reason, lang))
            suffix = f"  ({'; '.join(extras)})" if extras else ""
            lines.append(f"  {entry.no:>3}. {_pick(item.title, lang)}  [{item.id}]{suffix}")
        lines.append("")
    return "\n".join(lines)


@click.group("checklist")
def checklist_group() -> None:
    """清单:查看资料清单 / Show document checklists.

    \b
    Examples:
      docgen checklist list
      docgen checklist show
      docgen checklist show dev-loan --stage pre-contract --lang en
      docgen checklist show my-bank/dev-loan.yaml --format json
      docgen checklist validate my-bank/dev-loan.yaml
    """


@checklist_group.command("list")
def list_command() -> None:
    """List the shipped checklists / 列出内置清单.

    Each name can be given to `docgen checklist show NAME` or `docgen check --checklist NAME`.

    \b
    Example:
      docgen checklist list
    """
    for name in list_checklists():
        click.echo(name)


@checklist_group.command("show")
@click.argument("name", required=False, default="dev-loan", metavar="[NAME|FILE]")
@click.option("--stage", "-s", help="Only this stage (e.g. pre-application, pre-contract, pre-disbursement).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="One language only; both (中文 / English) by default.")
@format_option("text", "json")
@output_option("Write to this file instead of stdout.")
@handle_errors
def show_command(name: str, stage: str | None, lang: str | None, fmt: str, output: Path | None) -> None:
    """Print a checklist bilingually / 显示资料清单(中英文).

    NAME is a shipped checklist (default dev-loan) or the path of a bank's own YAML file.
    Exits 2 when the checklist or the stage is unknown.

    \b
    Examples:
      docgen checklist show
      docgen checklist show --stage pre-disbursement --lang zh
      docgen checklist show ./我行清单.yaml --format json
    """
    checklist = load_checklist(name)
    if stage is not None:
        checklist.stage(stage)  # ChecklistError (exit 2) naming the stages there are
    if fmt == "json":
        data = checklist.to_dict()
        if stage:
            data["stages"] = [s for s in data["stages"] if s["id"] == stage]
        emit(dump_json(data), output)
    else:
        emit(render_checklist(checklist, stage, lang), output)


@checklist_group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@handle_errors
def validate_command(file: str) -> None:
    """Validate a bank's own checklist FILE / 校验自定义清单文件.

    Prints a one-line summary and exits 0 when the file is valid; otherwise prints the key that
    fails (e.g. ``items.site-plan.kinds[1]: 不允许的取值 exe``) and exits 2.

    \b
    Example:
      docgen checklist validate ./我行清单.yaml
    """
    checklist = load_checklist(file)
    entries = sum(len(s.entries) for s in checklist.stages)
    click.echo(
        f"{file}: 有效 / valid — {checklist.id}:{len(checklist.stages)} 个阶段 / stages,"
        f"{len(checklist.items)} 个项目 / items,{entries} 个清单条目 / entries"
    )


COMMANDS: list[click.Command] = [checklist_group]
