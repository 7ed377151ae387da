"""``docgen collect``: the collection plan of overdue loans and the demand letters due.

Thin layer over ``docgen.loans.plan`` (plan), ``docgen.loans.plan_output`` (text, xlsx) and
``docgen.loans.letters`` (letters through the batch machinery and the register).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import click

from docgen.core.atomic import refuse_overwriting_inputs
from docgen.cli.common import dump_json, emit, emit_json_items, handle_errors, ledger_head, rows_as_json
from docgen.cli.options import (
    CheckedPath, as_of_option, format_option, new_register_option, output_option, policy_option, progress_option,
    register_option,
)
from docgen.cli.progress import BATCH_STAGES, Progress
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.loans.messages import MESSAGES

_PROGRESS_MIN = 5000  # loans; below this the plan is instant and a bar is noise
_BIG_FILE = 2_000_000  # bytes of ledger (~10,000 loans in .xlsx)


def _announce(path: str) -> None:
    """Say on stderr that a big ledger is being read (reading is most of a big run)."""
    import os

    size = os.path.getsize(path)
    if size > _BIG_FILE:
        click.echo(MESSAGES.text("ledger-reading", {"path": path, "megabytes": size / 1e6}), err=True)


def _read_ledger(path: str, policy: Any) -> Any:
    """Read the ledger with the policy's vocabulary, announced when it is big."""
    from docgen.core.gcpause import one_shot
    from docgen.loans.ledger import read_ledger

    _announce(path)
    with one_shot():  # the process ends with the command: the loans are frozen, not walked by collections
        return read_ledger(path, vocabulary=policy.vocabulary)


@click.group("collect", help=help_text("help/command/collect"))
def collect() -> None:
    """``docgen collect``: its help is the cli table's ``help/command/collect``."""


@collect.command("plan", help=help_text("help/command/collect-plan"))
@click.option("--ledger", "ledger_path", required=True, metavar="FILE.xlsx|csv",
              type=CheckedPath(exists=True, dir_okay=False),
              help="贷款台账 .xlsx 或 .csv（UTF-8 / GB18030）。")
@as_of_option("计划日期 YYYY-MM-DD（默认今天）；逾期起始日为逾期第1天。")
@policy_option("催收策略 YAML（档次、时间表、预警天数）；未写的键用默认值。")
@register_option("登记簿：其中已出具的催收函视为已送达（默认与 collect letters 相同：$DOCGEN_REGISTER "
                 "或用户数据目录下的 register.sqlite；不存在时视为尚未发函）。")
@click.option("--branch", help="只列这个机构（台账“机构”列）的贷款。")
@click.option("--officer", help="只列这位客户经理（台账“客户经理”列）的贷款。")
@format_option("text", "json", "xlsx")
@output_option("输出文件（xlsx 必填；text/json 默认打印到屏幕）。")
@progress_option()
@handle_errors
def plan_command(ledger_path: str, as_of: _dt.date, policy_path: Path | None, register_path: Path,
                 branch: str | None, officer: str | None, fmt: str, output: Path | None,
                 progress: bool | None) -> None:
    """``docgen collect plan``: its help is the cli table's ``help/command/collect-plan``."""
    from docgen.core.gcpause import one_shot
    from docgen.loans.plan import load_policy, plan_ledger
    from docgen.loans.letters import issued_keys

    if fmt == "xlsx" and not output:
        raise click.UsageError(CLI.text("option/xlsx-needs-output"))
    if output:
        refuse_overwriting_inputs(output, [ledger_path, policy_path, register_path])
    from docgen.core.notices import notify

    policy = load_policy(policy_path)
    _announce(ledger_path)
    # The process ends with the command: what the plan keeps is frozen, not walked by collections.
    with rows_as_json(fmt, ledger_head), one_shot(), Progress(progress, min_total=_PROGRESS_MIN) as bars:
        plan = plan_ledger(ledger_path, as_of, policy, issued=lambda: issued_keys(register_path), branch=branch,
                           officer=officer, progress=bars.counter(CLI.text("progress/plan")))
    notice = plan.after_as_of_notice()
    if notice is not None:
        notify(notice)
    if fmt == "json":
        emit_json_items(plan.dicts(), output)
    elif fmt == "xlsx":
        from docgen.loans.plan_output import write_xlsx

        write_xlsx(plan, output)
    else:
        from docgen.loans.plan_output import render_text

        emit(render_text(plan), output)
    if output is not None and str(output) != "-":  # what was written where, whatever the format
        click.echo(MESSAGES.text("plan-written", {"output": output, "count": len(plan.entries)}), err=True)


def _letters_text(result: Any) -> str:
    lines = [CLI.text("letters-text/head", {
        "as_of": result.as_of.isoformat(), "due": result.due, "written": len(result.written),
        "skipped": len(result.skipped), "held": len(result.held), "refused": len(result.refused)})]
    for outcome in result.outcomes:
        lines.append(CLI.text("letters-text/outcome", {
            "row": outcome.row, "loan_no": outcome.loan_no, "message": outcome.message,
            "party": outcome.party if outcome.document == "guarantor-demand" else None,
            "file": outcome.file if outcome.code != "issued-before" else None}))
        if outcome.next_step:
            lines.append(f"      {outcome.next_step}")
    if result.merged_pdf:
        lines.append(CLI.text("letters-text/merged", {"path": result.merged_pdf}))
    return "\n".join(lines) + "\n"


@collect.command("letters", help=help_text("help/command/collect-letters"))
@click.option("--ledger", "ledger_path", required=True, metavar="FILE.xlsx|csv",
              type=CheckedPath(exists=True, dir_okay=False),
              help="贷款台账 .xlsx 或 .csv（UTF-8 / GB18030）。")
@as_of_option("发函日期 YYYY-MM-DD（默认今天）：到这一天应送达催收函的贷款都生成。")
@click.option("--out", "out_dir", required=True, type=CheckedPath(file_okay=False, writable=True),
              help="输出文件夹（催收函 .docx，及 --pdf 时的 PDF）。")
@policy_option("催收策略 YAML：罚息日利率、还款期限、各机构联系方式、时间表。")
@register_option("登记簿（SQLite；默认 $DOCGEN_REGISTER 或用户数据目录下的 register.sqlite）。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转成 PDF。")
@click.option("--merge-pdf", "merge_pdf", metavar="FILE.pdf", type=CheckedPath(dir_okay=False, writable=True),
              help="把本次所有催收函合并成一个 PDF（便于打印）。")
@new_register_option()
@format_option("text", "json")
@progress_option()
@handle_errors
def letters_command(ledger_path: str, as_of: _dt.date, out_dir: str, policy_path: Path | None,
                    register_path: Path, pdf: bool, merge_pdf: str | None, new_register: bool, fmt: str,
                    progress: bool | None) -> None:
    """``docgen collect letters``: its help is the cli table's ``help/command/collect-letters``."""
    from docgen.core.notices import notify
    from docgen.loans.plan import after_as_of_notice, load_policy
    from docgen.loans.letters import held_notice, make_letters
    from docgen.documents.register import Register

    policy = load_policy(policy_path)
    with rows_as_json(fmt, ledger_head):
        ledger = _read_ledger(ledger_path, policy)
    pdf = pdf or bool(merge_pdf)
    with Register(register_path, new_register=new_register) as register, \
            Progress(progress, labels=BATCH_STAGES) as bars:
        result = make_letters(ledger.loans, as_of, out_dir, policy=policy, register=register,
                              pdf=pdf, merge_pdf=merge_pdf, progress=bars.stage)
    if fmt == "json":
        click.echo(dump_json(result.to_dict()), nl=False)
    else:
        click.echo(_letters_text(result), nl=False)
    for notice in (after_as_of_notice(result.after_as_of, as_of), held_notice(result)):
        if notice is not None:
            notify(notice)
    if not result.complete:
        raise SystemExit(1)


COMMANDS: list[click.Command] = [collect]
