"""The ``docgen`` command line: a thin layer over the library.

Each area keeps its commands in its own module here; this module only assembles them.
Exit codes (DESIGN §9): 0 success or complete, 1 incomplete or a domain error,
2 usage or unreadable input.
"""
from __future__ import annotations

import click

from docgen import __version__
from docgen.cli import batch, check, checklist, collect, inspect, npl, templates


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="docgen")
def main() -> None:
    """docgen: 开发贷资料清单检查、Word 模板批量生成、不良贷款报告。

    \b
    Check a client's development-loan bundle, fill Word templates from Excel,
    and compute the periodic NPL report and collection plan from the loan ledger.

    \b
    Examples:
      docgen check examples/bundle --stage pre-disbursement
      docgen batch demand-letter --rows examples/templates/demand-letters.xlsx --out out/
      docgen npl-report --ledger examples/ledger/ledger-2026Q2.xlsx --period 2026Q2 -o report.docx
    """


for _module in (check, checklist, inspect, templates, batch, npl, collect):
    for _command in _module.COMMANDS:
        main.add_command(_command)
