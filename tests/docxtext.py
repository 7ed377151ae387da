"""Read a rendered Word document back as text, the way the tests assert on it."""
from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.document import Document


def docx_text(source: str | Path | bytes | Document, cell_sep: str = "\n") -> str:
    """Return the body paragraphs, then each table row's cells joined by ``cell_sep``, one per line."""
    if isinstance(source, Document):
        document = source
    elif isinstance(source, bytes):
        document = docx.Document(io.BytesIO(source))
    else:
        document = docx.Document(str(source))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(cell_sep.join(cell.text for cell in row.cells))
    return "\n".join(lines)
