"""One document on its own (``docgen render``): filled, numbered from the register, recorded."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.core.atomic import atomic_output, refuse_overwriting_inputs
from docgen.documents.register import allocate_serial, record_issued, reserve_given_serial
from docgen.documents.template import Template, load_data, load_template

__all__ = ["Rendered", "render", "render_named"]


@dataclass(frozen=True)
class Rendered:
    """A document ``render`` wrote: its path and serial number."""

    path: Path
    serial: str


def render(
    template: str | Template,
    data: Mapping[str, Any] | str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    template_file: str | os.PathLike[str] | None = None,
    register_path: str | os.PathLike[str] | None = None,
) -> Rendered:
    """Fill ``template`` with ``data`` and write the .docx to ``output`` atomically; return what was written.

    ``template`` is a shipped template's name or a loaded ``Template``; ``template_file`` fills a
    bank-edited .docx with the named template's fields. ``data`` is a mapping or a .yaml/.json
    file. The serial is the data's ``serial``, recorded in the register at ``register_path`` for
    the document's key field so the register never issues it again (refused when the register
    holds it for another document, or holds another serial for this one), or, when absent, one
    from that register (the same key field keeps its serial). Either way the file is recorded so
    ``register verify`` checks it. Raises ``InputError`` for an unreadable data file,
    ``TemplateError`` for an unknown or broken template, ``RenderError`` listing every field
    problem (nothing written; ``SerialConflictError`` for the data's serial, nothing reserved),
    ``RegisterError`` and ``OutputError`` as the register and the write do.
    """
    if not isinstance(template, Template):
        template = load_template(template, path=template_file) if template_file else load_template(template)
    refuse_overwriting_inputs(output, [template.path, template.meta_path,
                                       None if isinstance(data, Mapping) else data])
    return _numbered(template, _context(template, data), lambda _: Path(output), register_path)


def render_named(template: Template, data: Mapping[str, Any], folder: str | os.PathLike[str], *,
                 register_path: str | os.PathLike[str] | None = None) -> Rendered:
    """Fill ``template`` with ``data`` into ``folder``, under the template's file name for it
    (``Template.output_name``: its pattern may name the serial, which the register issues while
    the file is open); return what was written. The serial is taken, recorded and refused as
    ``render`` does, and the same errors are raised."""
    return _numbered(template, _context(template, data), lambda context: Path(folder) / template.output_name(context),
                     register_path)


def _context(template: Template, data: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """The checked context of ``data`` (a mapping or a data file). Raises ``InputError``, ``RenderError``."""
    return template.prepare(dict(data) if isinstance(data, Mapping) else load_data(data))


def _numbered(template: Template, context: dict[str, Any], place: Callable[[dict[str, Any]], Path],
              register_path: str | os.PathLike[str] | None) -> Rendered:
    """Write the document of ``context`` at ``place(context)`` under the data's serial (recorded
    in the register) or one the register issues, and record the file; return it."""
    given = bool(context.get("serial"))
    stand_in = context if given else {**context, "serial": template.format_serial(0, context)}
    # Rendered before a serial is reserved (with a stand-in when the register numbers it): a value
    # or tag that cannot be rendered must fail before the register holds a serial never printed.
    content = template.render(stand_in)
    # The output is opened first for the same reason: a folder, a FIFO or no permission there is
    # refused before the register is touched. A name made from the serial is taken once it is known.
    with atomic_output(place(stand_in), final=lambda: place(context)) as fh:
        if given:
            reserve_given_serial(template, context, register_path)
        else:
            context["serial"] = allocate_serial(template, context, register_path)
            content = template.render(context)
        fh.write(content)
    output = place(context)
    record_issued(template, context, output, register_path)
    return Rendered(output, str(context["serial"]))
