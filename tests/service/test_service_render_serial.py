"""A serial given in the data of ``POST /api/render/{template}`` follows ``docgen render``'s rules
(one library function, ``docgen.documents.render``): recorded in the register for its document,
the same document printed again under it, another document with it or this one under another
serial refused (409, the command's message), and a refused render reserves nothing."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.documents.register import Register
from docgen.service.users import ROLES
from docxtext import docx_text
from service_helpers import EXAMPLES

TEMPLATE = "demand-letter"
GIVEN = "催字〔2026〕第00001号"
OTHER_CONTRACT = "临农商借字2025第0999号"


def _data(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / "templates" / f"{TEMPLATE}.yaml").read_text(encoding="utf-8"))
    data.pop("serial", None)
    data.update(changes)
    return data


def _post(api: Any, data: dict[str, Any], role: str | None = "backoffice") -> Any:
    return api.client.post(f"/api/render/{TEMPLATE}", headers=api.headers(role),
                           content=json.dumps(data, ensure_ascii=False, default=str).encode())


def _records(api: Any) -> list[tuple[Any, ...]]:
    """Every record of the service's register, reservations included (empty before the first)."""
    path = api.settings.register_path
    if not Path(path).exists():
        return []
    with Register(path, readonly=True) as register:
        return [(r.serial, r.row_key, r.seq, r.file, r.sha256, r.completed) for r in register.records()]


def _cli_refusal(api: Any, data: dict[str, Any], tmp_path: Path) -> str:
    """What ``docgen render`` says of ``data`` with the service's register (its path shown as the
    service shows it: the file name); it must refuse and write nothing."""
    source = tmp_path / "data.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "letter.docx"
    register = api.settings.register_path
    result = CliRunner().invoke(main, ["render", TEMPLATE, "--data", str(source), "-o", str(out),
                                       "--register", str(register)])
    assert result.exit_code == 1 and not out.exists(), result.output
    return result.output.replace(str(register), Path(register).name)


def _as_cli_says(answer: Any) -> str:
    body = answer.json()
    return "错误：" + body["error"] + "\n" + "".join(f"  - {p['field']}：{p['message']}\n" for p in body["problems"])


def test_a_serial_in_the_data_is_recorded_printed_again_and_refused_for_another_document(api, tmp_path):
    letter = _data(serial=GIVEN)
    first = _post(api, letter)
    assert first.status_code == 200, first.text
    assert GIVEN in docx_text(first.content)
    recorded = _records(api)
    assert [r[:3] for r in recorded] == [(GIVEN, letter["contract_no"], 1)]
    assert Path(recorded[0][3]).name.startswith(GIVEN) and recorded[0][5]  # written, named with its serial
    # The same letter printed again under its serial: allowed, nothing new in the register.
    again = _post(api, letter)
    assert again.status_code == 200, again.text
    assert [r[:3] for r in _records(api)] == [r[:3] for r in recorded]

    # Another contract may not carry that number, and this contract may not carry a second one:
    # 409 with the command's own message, and the register as it was.
    before = _records(api)
    for name, refused in (("taken", _data(serial=GIVEN, contract_no=OTHER_CONTRACT)),
                          ("differs", _data(serial="催字〔2026〕第00009号"))):
        answer = _post(api, refused)
        assert answer.status_code == 409, answer.text
        assert answer.json()["problems"][0]["field"] == "serial"
        assert "/" not in answer.text  # the register by its file name, never the server's folders
        (tmp_path / name).mkdir()
        assert _as_cli_says(answer) == _cli_refusal(api, refused, tmp_path / name)
        assert _records(api) == before
    assert "已由登记簿 register.sqlite 出具给" in _post(api, _data(serial=GIVEN, contract_no=OTHER_CONTRACT)).text
    assert "不符，一份文书不能有两个编号" in _post(api, _data(serial="催字〔2026〕第00009号")).text

    # The register numbers the other contract around the recorded serial.
    issued = _post(api, _data(contract_no=OTHER_CONTRACT))
    assert issued.status_code == 200, issued.text
    assert "催字〔2026〕第00002号" in docx_text(issued.content)
    assert sorted(r[:3] for r in _records(api)) == [(GIVEN, letter["contract_no"], 1),
                                                    ("催字〔2026〕第00002号", OTHER_CONTRACT, 2)]
    # named with the serial the register issued while the file was open, not the stand-in's
    assert Path(max(_records(api), key=lambda r: r[2])[3]).name.startswith("催字〔2026〕第00002号")
    audit = api.client.get("/api/audit", headers=api.headers("admin")).json()
    assert sorted(s for entry in audit if entry["action"] == "render" for s in entry["serials"]) == [
        GIVEN, GIVEN, "催字〔2026〕第00002号"]  # the refused renders made no entry


@pytest.mark.parametrize("role", [None, *ROLES])
def test_only_backoffice_reaches_the_register_through_render(api, role):
    """Without a token 401, a role that may not render 403; backoffice's conflicting serial 409.
    None of them reserves anything."""
    # this letter's contract holds the serial (printed again when it already does)
    assert _post(api, _data(serial="催字〔2026〕第00040号", contract_no="临农商借字2025第0040号")).status_code == 200
    before = _records(api)
    answer = _post(api, _data(serial="催字〔2026〕第00040号", contract_no="临农商借字2025第0041号"), role)
    expected = 401 if role is None else 409 if role == "backoffice" else 403
    assert answer.status_code == expected, answer.text
    assert _records(api) == before
