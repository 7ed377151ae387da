"""Builders for the checklist-engine tests: real PDFs, DOCX and JPG files in a tmp bundle."""
from __future__ import annotations

import io
from pathlib import Path

import yaml

USCC_BORROWER = "91330100MA27U0KX1Q"
USCC_HOLDER = "91330106MA2GLR8H2D"
ID_LEGAL_REP = "11010519491231002X"
ID_HOLDER = "440301199006151236"


def pdf_bytes(text: str = "scan", pages: int = 1) -> bytes:
    """Return a real PDF of ``pages`` pages (reportlab)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"{text} {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def docx_bytes(text: str = "公司简历") -> bytes:
    """Return a real DOCX (python-docx)."""
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def jpg_bytes() -> bytes:
    """Return a real JPEG (Pillow)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 160)).save(buf, "JPEG")
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    """Return a real XLSX (openpyxl)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "资产负债表"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def put(root: Path, rel: str, data: bytes | None = None) -> Path:
    """Write ``data`` (default: a one-page PDF) at ``root/rel``; return the path."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(rel) if data is None else data)
    return path


def write_yaml(root: Path, data: dict, name: str = "bundle.yaml") -> Path:
    """Write ``data`` as ``bundle.yaml`` at the bundle root."""
    path = root / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def good_data(**overrides: object) -> dict:
    """Return a valid bundle.yaml mapping (borrower with USCC, established 2019)."""
    data = {
        "borrower": {"name": "华安置业发展有限公司", "uscc": USCC_BORROWER, "established": "2019-04-08",
                     "legal_rep": {"name": "张三", "id_number": ID_LEGAL_REP}, "registered_capital": 50000000},
        "shareholders": [
            {"name": "杭州某投资有限公司", "uscc": USCC_HOLDER, "share": 60},
            {"name": "李四", "id_number": ID_HOLDER, "share": 40},
        ],
        "project": {"name": "云栖花园一期", "total_investment": 300000000, "invested": 160000000},
        "loan": {"amount": 100000000, "term_months": 36},
        "contractor": {"name": "浙江某建设集团有限公司", "uscc": USCC_HOLDER},
    }
    data.update(overrides)
    return data
