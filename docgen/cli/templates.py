"""Commands ``docgen templates list|show|lint`` and ``docgen render``: a thin layer over
``docgen.documents.template`` and ``docgen.documents.lint``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from docgen.cli.common import dump_json, emit, handle_errors, worded_in
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.cli.options import CheckedPath, format_option, lang_option, output_option, register_option
from docgen.documents.lint import format_text, lint_docx
from docgen.documents.messages import in_english
from docgen.documents.render import render
from docgen.documents.template import Template, list_templates, load_template


@click.group("templates", help=help_text("help/command/templates"))
def templates_group() -> None:
    """``docgen templates``: its help is the cli table's ``help/command/templates``."""


@templates_group.command("list", help=help_text("help/command/templates-list"))
@format_option("text", "json")
@lang_option(help_text("help/templates-lang"))
@handle_errors
def list_command(fmt: str, lang: str) -> None:
    """``docgen templates list``: its help is the cli table's ``help/command/templates-list``."""
    with worded_in(lang, in_english):  # the folder unreadable, a template's file or metadata unusable
        templates = list_templates()
    items = [{"name": t.name, "title": t.title, "title_en": t.title_en, "category": t.category} for t in templates]
    if fmt == "json":
        emit(dump_json(items), None)
        return
    width = max((len(i["name"]) for i in items), default=4)
    english = lang == "en"
    lines = [CLI.text("templates-list/line", {**i, "title": t.title_en if english else t.title,
                                              "category": t.category_en if english else t.category, "width": width},
                      lang)
             for t, i in zip(templates, items)]
    emit("\n".join(lines) + "\n", None)


def _describe(template: Template) -> dict[str, Any]:
    return {
        "name": template.name,
        "title": template.title,
        "title_en": template.title_en,
        "category": template.category,
        "description": template.description,
        "key_field": template.key_field,
        "serial": template.serial_pattern,
        "filename": template.filename_pattern,
        "fields": template.fields(),
        "derived": template.derived_fields,
        "rules": template.rules,
    }


@templates_group.command("show", help=help_text("help/command/templates-show"))
@click.argument("name")
@format_option("text", "json")
@lang_option(help_text("help/templates-lang"))
@handle_errors
def show_command(name: str, fmt: str, lang: str) -> None:
    """``docgen templates show``: its help is the cli table's ``help/command/templates-show``."""
    with worded_in(lang, in_english):  # unknown, its folder or files unreadable, its metadata unusable
        template = load_template(name)
    if fmt == "json":
        emit(dump_json(_describe(template)), None)
        return
    english = lang == "en"
    head = {"name": template.name, "title": template.title_en if english else template.title,
            "category": template.category_en if english else template.category}
    lines = [CLI.text("templates-show/head", head, lang)]
    description = template.description_en if english else template.description
    if description:
        lines.append(description)
    lines += [CLI.text("templates-show/patterns", {"serial": template.serial_pattern, "key_field": template.key_field,
                                                   "filename": template.filename_pattern}, lang),
              "", CLI.text("templates-show/fields", lang=lang)]
    for entry in template.fields(lang):
        lines.append(CLI.text("templates-show/field", {**entry, "indent": "  "}, lang))
        for sub in entry.get("items", []):
            lines.append(CLI.text("templates-show/field", {**sub, "indent": "      - "}, lang))
    if template.rules:
        lines += ["", CLI.text("templates-show/rules", lang=lang)]
        lines += [f"  {json.dumps(r, ensure_ascii=False)}" for r in template.rules]
    emit("\n".join(lines) + "\n", None)


@templates_group.command("lint", help=help_text("help/command/templates-lint"))
@click.argument("file", metavar="FILE.docx", type=CheckedPath(exists=True, dir_okay=False, path_type=Path))
@click.option("--schema", "schema", metavar="NAME|FILE.yaml",
              help=help_text("help/lint-schema"))
@format_option("text", "json")
@handle_errors
def lint_command(file: Path, schema: str | None, fmt: str) -> None:
    """``docgen templates lint``: its help is the cli table's ``help/command/templates-lint``."""
    template = None
    if schema is not None or file.with_suffix(".yaml").exists():
        template = load_template(path=file, meta=schema, check_variables=False)
    report = lint_docx(file, template)
    emit(dump_json(report.to_dict()) if fmt == "json" else format_text(report), None)
    if not report.ok:
        raise click.exceptions.Exit(1)


@click.command("render", help=help_text("help/command/render"))
@click.argument("name", required=False)
@click.option("--data", "data_path", required=True, metavar="FILE.yaml|json",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path),
              help=help_text("help/render-data"))
@output_option(help_text("help/render-output"), required=True, metavar="OUT.docx")
@click.option("--template", "template_file", metavar="FILE.docx",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path),
              help=help_text("help/template-file"))
@click.option("--pdf", "pdf", is_flag=True, help=help_text("help/render-pdf"))
@register_option(help_text("help/render-register"))
@handle_errors
def render_command(name: str | None, data_path: Path, output: Path, template_file: Path | None,
                   pdf: bool, register_path: Path) -> None:
    """``docgen render``: its help is the cli table's ``help/command/render``."""
    if not name and not template_file:
        raise click.UsageError(CLI.text("option/render-what"))
    if output.suffix.lower() != ".docx":
        raise click.BadParameter(CLI.text("option/output-docx"), param_hint="-o/--output")
    done = render(name or "", data_path, output, template_file=template_file, register_path=register_path)
    click.echo(CLI.text("render/written", {"path": output, "serial": done.serial}), err=True)
    if pdf:
        from docgen.documents.pdf import convert_to_pdf  # only now: most renders need no PDF

        for path in convert_to_pdf([output], output.parent):
            click.echo(CLI.text("render/pdf", {"path": path}), err=True)


COMMANDS: list[click.Command] = [templates_group, render_command]
