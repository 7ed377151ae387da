"""Builders for the checklist-engine tests: real PDFs, DOCX and JPG files in a tmp bundle."""
from __future__ import annotations

import io
from pathlib import Path

import yaml

from hostile import docx_bytes, jpeg_bytes, xlsx_bytes  # noqa: F401 - re-exported for the rules tests

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


# Office files and images come from the inspection tests' builders: one maker per kind.
jpg_bytes = jpeg_bytes

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


AS_OF = __import__("datetime").date(2026, 11, 28)

#: Items a reviewer must attest (seal/signature) in the dev-loan checklist.
ATTESTED = [
    "shareholder-resolution", "irrevocable-commitment", "commitment-letter", "personal-guarantee-statement",
    "closed-fund-agreement", "signature-specimen", "loan-contract", "mortgage-contract", "business-application",
    "related-party-declaration", "seal-witness-confirmation", "drawdown-application",
]


def complete_bundle(root: Path, **data_overrides: object) -> Path:
    """Build a bundle with every client item present and every rule satisfied on ``AS_OF``.

    Each file is named by the item's first alias, in its first stage's folder; bank items
    (B1–B6) are left out, as in a client's folder. Returns ``root``.
    """
    from docgen.check.checklist import load_checklist

    checklist = load_checklist()
    placed: set[str] = set()
    for stage in checklist.stages:
        for entry in stage.entries:
            item = entry.item
            if item.id in placed or item.provider == "bank" or not item.aliases:
                continue
            placed.add(item.id)
            put(root, f"{stage.folder}/{item.aliases[0]}.pdf")
    put(root, "01-申请前期/公司简历.docx", docx_bytes())
    documents = {
        "audit-reports": {"years": [2023, 2024, 2025], "issued": "2026-09-30"},
        "capital-reserve-audit": {"original": True, "copy": True},
        "environmental-assessment": {"original": True, "copy": True},
        "business-license": {"expires": "2041-04-07"},
        "progress-evidence": {"issued": "2026-11-20"},
    }
    # A compound item's one file holds all its parts (e.g. ID copy, specimen and CV bound together).
    for item in checklist.items.values():
        for rule in item.rules_of("parts"):
            documents.setdefault(item.id, {})["parts"] = [part["id"] for part in rule["parts"]]
    attestations = {item: {"signed": True, "sealed": True, "company_seal": True, "legal_rep_seal": True,
                           "shareholders_signed": True, "by": "王五", "date": "2026-11-20"} for item in ATTESTED}
    data = good_data(documents=documents, attestations=attestations)
    data.update(data_overrides)
    write_yaml(root, data)
    return root
