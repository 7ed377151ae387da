"""``docgen npl-report``: the periodic NPL report to head office, from the loan ledger."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import click

from docgen.core.atomic import refuse_overwriting_inputs
from docgen.cli.common import dump_json, handle_errors, ledger_head, rows_as_json
from docgen.cli.options import CheckedPath, as_of_option, format_option, output_option, policy_option
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.loans.messages import MESSAGES


def _period(ctx: click.Context, param: click.Parameter, value: str | None):
    from docgen.loans.npl import parse_period

    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_FILE = CheckedPath(exists=True, dir_okay=False, path_type=Path)


@click.command("npl-report", help=help_text("help/command/npl-report"))
@click.option("--ledger", "ledger", required=True, type=_FILE, metavar="END.xlsx|csv",
              help=help_text("help/npl-ledger"))
@click.option("--opening", type=_FILE, metavar="START.xlsx|csv", help=help_text("help/npl-opening"))
@click.option("--period", required=True, callback=_period, metavar="PERIOD",
              help=help_text("help/npl-period"))
@as_of_option(help_text("help/npl-as-of"), default_today=False)
@click.option("--targets", type=_FILE, metavar="FILE.yaml", help=help_text("help/npl-targets"))
@click.option("--notes", type=_FILE, metavar="FILE.yaml", help=help_text("help/npl-notes"))
@output_option(help_text("help/npl-output"), metavar="FILE.docx")
@click.option("--pdf", is_flag=True, help=help_text("help/npl-pdf"))
@click.option("--template", "template_path", type=_FILE, metavar="FILE.docx",
              help=help_text("help/npl-template"))
@policy_option("催收策略 YAML，与 collect plan 相同：其 vocabulary（诉讼状态、中断事由、保证方式的同义词）用于读两期台账，"
               "overdue_normal_grace_days 用于“逾期仍为正常”检查，timetable 决定应起诉名单。")
@format_option("text", "json", help=help_text("help/npl-format"))
@handle_errors
def npl_report(ledger: Path, opening: Path | None, period, as_of: _dt.date | None, targets: Path | None,
               notes: Path | None, output: Path | None, pdf: bool, template_path: Path | None,
               policy_path: Path | None, fmt: str) -> None:
    """``docgen npl-report``: its help is the cli table's ``help/command/npl-report``."""
    from docgen.core.gcpause import one_shot
    from docgen.loans.npl import render_text
    from docgen.loans.npl_report import build_report
    from docgen.loans.plan import load_policy

    if pdf and output is None:
        raise click.UsageError(CLI.text("option/pdf-needs-output"))
    if output is not None and output.suffix.lower() != ".docx":
        raise click.BadParameter(CLI.text("option/report-docx"), param_hint="-o/--output")
    if output is not None:
        refuse_overwriting_inputs(output, [ledger, opening, targets, notes, template_path, policy_path])
        refuse_overwriting_inputs(output.with_suffix(".pdf") if pdf else output, [ledger, opening, targets, notes])
    policy = load_policy(policy_path)
    # The process ends with the report: the loans read are frozen, not walked by collections.
    with rows_as_json(fmt, ledger_head), one_shot():
        result = build_report(ledger, period=period, opening=opening, as_of=as_of, targets=targets, notes=notes,
                              output=output, pdf=pdf, template_path=template_path, policy=policy)
    if fmt == "json":
        click.echo(dump_json(result.figures.to_dict()), nl=False)
    else:
        click.echo(render_text(result.figures), nl=False)
    for path in (result.docx, result.pdf):
        if path is not None:
            click.echo(MESSAGES.text("report-written", {"path": path}), err=True)


COMMANDS: list[click.Command] = [npl_report]
