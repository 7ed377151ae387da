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
from docgen.cli.messages import MESSAGES as CLI
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


@click.group("collect")
def collect() -> None:
    """催收：逾期贷款催收计划与到期催收函。Collection plan and demand letters due.

    \b
    Examples:
      docgen collect plan --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30
      docgen collect letters --ledger ledger.xlsx --as-of 2026-06-30 --policy examples/collection-policy.yaml --out letters/
    """


@collect.command("plan")
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
    """列出逾期贷款的下一步催收动作、诉讼时效与保证期间届满日。

    For every loan overdue on the as-of date: days past due, bucket (M1-M3+ and the seed's
    前期/中期/后期/长期), the next action of the timetable and its due date, the officer, the
    limitation and guarantee deadlines. Loans whose deadline falls within the warning window
    (default 90 days) or has passed come first. Exit 0 on success, 1 when ledger rows are
    invalid (each listed with row and column), 2 when a file cannot be read or an option is wrong.

    \b
    Examples:
      docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28
      docgen collect plan --ledger ledger.csv --as-of 2026-11-28 --format json -o plan.json
      docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28 --format xlsx -o 催收计划.xlsx
      docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28 --officer 王五
    """
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


@collect.command("letters")
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
    """为到期应发函的逾期贷款批量生成催收函、催收通知书（时效已届满）与保证人履行保证责任通知书。

    For every overdue loan, prints which document it issued or why none. A loan whose timetable
    has the letter due (day 7 of arrears by default) gets the 逾期贷款催收函 while its claim is
    inside the limitation period, else the 催收通知书 with a 债务确认回执 (never a sentence
    saying the period is interrupted); joint guarantors still liable get a 保证人履行保证责任
    通知书 when the plan calls on them (then enter the service date as 向保证人主张日). A
    催收函 dated within letters.service_margin_days of the limitation deadline says the period is
    interrupted only if served before it ends, and asks for service in person by that day; a
    保证人通知书 likewise when the guarantee period ends that soon. Each
    document takes a serial number from the register, so running again issues none twice.
    Exit 0 when every letter due exists, 1 when some could not be generated (no address, no
    contact), another running `collect letters` holds some, or ledger rows are invalid, 2 when
    a file cannot be read or an option is wrong.

    \b
    Optional ledger columns and what they drive:
      借款人地址 address              the borrower's 送达地址; without it no letter (reason printed)
      保证人地址 guarantor_addresses  each guarantor's 送达地址, in 担保人 order, ; between;
                                      a guarantor without one gets no notice (reason printed)
      保证人证件号码 guarantor_ids    printed in full in that guarantor's own notice only
      宣布提前到期 accelerated        when 是, a letter declares the loan due early, demands the balance
                                      (after an ordinary letter: a declaring letter of its own)
      抵质押物 collateral             the collateral clause (none when empty)
      罚息利率 penalty_rate           the penalty rate (else the policy's letters.penalty)
      保证方式、向保证人主张日        which guarantors are still liable (only they are named)

    \b
    Examples:
      docgen collect letters --ledger ledger.xlsx --as-of 2026-11-28 --out letters/ --policy policy.yaml
      docgen collect letters --ledger ledger.xlsx --as-of 2026-11-28 --out letters/ --merge-pdf letters.pdf
    """
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
