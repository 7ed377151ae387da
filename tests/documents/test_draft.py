"""``docgen draft``: every annex of 篇十三 from the example bundle's bundle.yaml, re-read as text."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from docgen.check.report import run_check
from docgen.core import cnformat
from docgen.core.errors import InputError
from docgen.core.typography import ascii_punctuation, date_styles
from docgen.documents.draft import annex_data, annex_templates, draft_annexes
from docxtext import docx_text
from example_helper import EXAMPLE_AS_OF, EXAMPLE_BUNDLE

ROOT = Path(__file__).resolve().parents[2]
ALL = list(range(1, 12))
#: The annexes a bundle without loan.contract_no can still have: they precede the contract.
WITHOUT_CONTRACT = {1, 7, 10}


def bundle_with(tmp_path: Path, change=None, name: str = "bundle") -> Path:
    """A bundle folder holding only the example bundle.yaml, changed by ``change(data)``."""
    data = yaml.safe_load((EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8"))
    if change:
        change(data)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _shown(value) -> list[str]:
    """How a bundle value appears in a document: text as is, amounts with separators, dates in 年月日."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _shown(v)]
    if isinstance(value, list):
        return [s for v in value for s in _shown(v)]
    if isinstance(value, dt.date):
        return [cnformat.date_cn(value)]
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if number >= 1000:
            return [cnformat.amount(number)]
        return [f"{number.normalize():f}"]
    return [str(value)]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    out = tmp_path_factory.mktemp("annexes")
    register = out / "register.sqlite"
    result = draft_annexes(EXAMPLE_BUNDLE, annexes=ALL, out_dir=out / "docs", register_path=register)
    return result, out


def test_every_annex_but_the_banks_contract_is_drafted(drafted):
    result, _ = drafted
    statuses = [(a.annex, a.status) for a in result.annexes]
    # 附件十一 once per drawdown: the example has two
    assert statuses == [(n, "drafted") for n in (1, 2, 3, 4, 5)] + [(6, "bank-template")] + \
        [(n, "drafted") for n in (7, 8, 9, 10, 11, 11)]
    assert not result.complete
    for entry in result.annexes:
        if entry.status == "drafted":
            assert entry.path.is_file() and entry.path.suffix == ".docx"
            assert entry.serial and entry.serial in entry.path.name
            assert entry.title in entry.path.name or "资金封闭运作个人保证声明书" in entry.path.name


@pytest.mark.parametrize("annex", [n for n in ALL if n != 6])
def test_each_annex_carries_every_bundle_value_with_chinese_typography(drafted, annex):
    result, _ = drafted
    documents = [a for a in result.annexes if a.annex == annex]
    mapped = annex_data(EXAMPLE_BUNDLE, annex)
    assert len(documents) == len(mapped)
    spec = annex_templates()[annex]
    for entry, (values, missing) in zip(documents, mapped):
        assert missing == []
        text = docx_text(entry.path)
        flat = "".join(text.split())
        assert text.startswith(f"附件{'一二三四五六七八九十'[annex - 1] if annex <= 10 else '十一'}\n")
        # the seed's title (附件二 is a resolution and, on its own page, the authorisation)
        assert all(part in flat for part in spec.title.split("及")), spec.title
        assert "{{" not in text and "{%" not in text and "}}" not in text
        assert ascii_punctuation(text) == [], [text[max(0, i - 10):i + 10] for i, _ in ascii_punctuation(text)]
        assert date_styles(text) == {"arabic"}  # one date style per document
        for key, value in values.items():
            if key == "drawdown_key":
                continue  # the register's key, not printed
            for shown in _shown(value):
                assert "".join(shown.split()) in flat, (annex, key, shown)


def test_contractual_documents_carry_full_id_numbers(drafted):
    result, _ = drafted
    by_annex = {a.annex: docx_text(a.path) for a in result.annexes if a.path}
    data = yaml.safe_load((EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8"))
    legal_rep_id = data["borrower"]["legal_rep"]["id_number"]
    agent_id = data["meeting"]["agent"]["id_number"]
    assert legal_rep_id in by_annex[2] and agent_id in by_annex[2] and legal_rep_id in by_annex[5]
    assert all("****" not in text for text in by_annex.values())


def test_resolution_authorises_an_agent_and_states_the_voting_basis(drafted):
    result, _ = drafted
    text = docx_text(next(a.path for a in result.annexes if a.annex == 2))
    assert "授权王丽（居民身份证号：330106198607122626，职务：财务负责人）为公司经办人" in text
    assert "第六十六条" in text and "过半数表决权" in text and "另要求本决议经代表三分之二以上表决权的股东同意" in text
    assert "授 权 书" in text and "经办人签字样本" in text


def test_irrevocable_commitment_keeps_workers_wages_and_names_the_account(drafted):
    result, _ = drafted
    text = docx_text(next(a.path for a in result.annexes if a.annex == 3))
    assert "第八百零七条" in text and "法释〔2020〕25号" in text and "第四十二条" in text
    assert "不及于依法应当支付给建筑工人的工资部分" in text
    assert "账号201000456789012" in text and "建筑工程施工总承包壹级" in text
    assert "签字并加盖法人章" in text and "（公章）" in text


def test_commitment_letter_binds_no_shareholder_as_guarantor(drafted):
    result, _ = drafted
    text = docx_text(next(a.path for a in result.annexes if a.annex == 4))
    assert "连带责任" not in text
    assert "不构成任何股东为上述借款提供保证的意思表示" in text and "第六百九十二条" in text


def test_witness_confirmation_lists_the_attested_contract_documents(drafted):
    result, _ = drafted
    text = docx_text(next(a.path for a in result.annexes if a.annex == 9), cell_sep=" | ")
    assert "1 | 股东会决议及授权书 | 股东签字或盖章、借款单位盖章 | 全体股东签字或盖章、公章、签字、盖章 | 2026年11月20日" in text
    assert "不可撤销承诺函 | 施工单位盖公章和法人章 | 公章、法人章" in text
    assert "抵押合同" not in text  # not attested in the example
    assert "王晓明 |  | 2026年11月20日" in text and "陈静 |  | 2026年11月20日" in text


def test_one_drawdown_application_per_drawdown(drafted):
    result, _ = drafted
    texts = [docx_text(a.path, cell_sep=" | ") for a in result.annexes if a.annex == 11]
    assert len(texts) == 2
    assert "第1笔" in texts[0] and "人民币26,000,000.00元（大写：人民币贰仟陆佰万元整）" in texts[0]
    assert "收款人户名 | 杭州奥达电梯工程有限公司" in texts[1] and "第2笔" in texts[1]


def test_drafting_again_keeps_the_serials(drafted, tmp_path):
    result, out = drafted
    again = draft_annexes(EXAMPLE_BUNDLE, annexes=[4, 11], out_dir=tmp_path, register_path=out / "register.sqlite")
    before = {(a.annex, a.path.name) for a in result.annexes if a.annex in (4, 11)}
    assert {(a.annex, a.path.name) for a in again.annexes} == before


def test_example_template_data_tells_the_bundles_story():
    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    for number, spec in annex_templates().items():
        example = yaml.safe_load((ROOT / "examples" / "templates" / f"{spec.name}.yaml").read_text(encoding="utf-8"))
        assert "serial" not in example  # numbered by the register, as the draft numbers it
        values, missing = annex_data(EXAMPLE_BUNDLE, number)[0]
        assert missing == [] and plain(values) == example, spec.name


def test_missing_contract_number_drafts_the_others_and_names_the_key(tmp_path):
    bundle = bundle_with(tmp_path, lambda d: d["loan"].pop("contract_no"))
    result = draft_annexes(bundle, annexes=ALL, out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite")
    drafted = {a.annex for a in result.annexes if a.status == "drafted"}
    assert drafted == WITHOUT_CONTRACT
    for entry in result.annexes:
        if entry.annex in WITHOUT_CONTRACT or entry.annex == 6:
            continue
        assert entry.status == "missing-data" and entry.path is None
        assert entry.missing == ["loan.contract_no"]
        assert entry.hints["loan.contract_no"].startswith("固定资产借款合同编号")
    assert sorted(p.name.split("_")[-1] for p in (tmp_path / "out").iterdir()) == \
        ["授信业务申请书.docx", "有权人签字样本.docx", "股东或关联方关系声明函.docx"]


def test_missing_list_entries_are_named_with_their_index(tmp_path):
    def change(d):
        del d["drawdowns"][1]["payee"]["bank"]
        del d["meeting"]["votes"]
    bundle = bundle_with(tmp_path, change)
    result = draft_annexes(bundle, annexes=[2, 11], out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite")
    resolution, first, second = result.annexes
    assert resolution.missing == ["meeting.votes"] and "同意/反对/弃权" in resolution.hints["meeting.votes"]
    assert first.status == "drafted"
    assert second.missing == ["drawdowns[1].payee.bank"] and second.hints["drawdowns[1].payee.bank"] == "收款人开户行"


def test_invalid_bundle_value_is_reported_with_the_checkers_reason(tmp_path):
    bundle = bundle_with(tmp_path, lambda d: d["meeting"]["agent"].__setitem__("id_number", "330106198607122627"))
    entry = draft_annexes(bundle, annexes=[2], out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite").annexes[0]
    assert entry.missing == ["meeting.agent.id_number"]
    assert entry.hints["meeting.agent.id_number"] == "有误：居民身份证号校验位错误"


def test_dissenting_shareholder_is_never_a_guarantor(tmp_path):
    def change(d):
        d["shareholders"][1]["share"] = 30
        d["shareholders"].append({"name": "王五", "id_number": "110105198009211437", "share": 10})
        d["meeting"]["votes"]["王五"] = "反对"
    bundle = bundle_with(tmp_path, change)
    result = draft_annexes(bundle, annexes=[2, 4], out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite")
    assert [a.status for a in result.annexes] == ["drafted", "drafted"]
    for entry in result.annexes:
        text = docx_text(entry.path, cell_sep=" | ")
        assert "王五" in text  # he is recorded: the vote table, the signature table
        for line in text.splitlines():
            if "王五" in line:
                assert not any(word in line for word in ("保证", "担保", "连带", "偿还")), line
        assert "全体股东保证" not in text and "连带责任" not in text
    resolution = docx_text(result.annexes[0].path, cell_sep=" | ")
    assert "3 | 王五 | 110105198009211437 | 10% | 反对" in resolution
    assert "不构成任何股东为上述借款提供保证" in resolution


def test_votes_short_of_the_banks_requirement_name_the_votes_key(tmp_path):
    bundle = bundle_with(tmp_path, lambda d: d["meeting"]["votes"].__setitem__("李文涛", "反对"))
    entry = draft_annexes(bundle, annexes=[2], out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite").annexes[0]
    assert entry.status == "missing-data"
    assert "meeting.votes[item.name]" not in entry.missing
    assert any("贷款银行要求" in entry.hints[k] for k in entry.missing)


def test_default_drafts_what_the_check_reports_missing_into_the_stage_folder(tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_BUNDLE, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    del data["attestations"]["commitment-letter"]  # nobody has seen the letter signed yet
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = draft_annexes(bundle, register_path=tmp_path / "r.sqlite",
                           as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    assert [(a.annex, a.status) for a in result.annexes] == [(4, "drafted")]  # the missing 承诺函
    path = result.annexes[0].path
    assert path.parent == bundle / "02-签约前汇签"
    report = run_check(bundle, as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    item = report.item_result("commitment-letter")
    # the check matches the draft to its item: present, unattested until someone records the seals
    assert item.status == "ok" and item.files == [path.relative_to(bundle).as_posix()]
    assert [f.code for f in report.findings if f.item == "commitment-letter"] == ["unattested"]
    assert not [d for d in report.draftable if d.id == "commitment-letter"]


def test_the_banks_contract_is_drafted_from_its_own_file(tmp_path):
    from docgen.core.docxbuild import add_body, add_title, new_document

    doc = new_document()
    add_title(doc, "房地产项目资金封闭运作管理协议书")
    add_body(doc, "甲方：{{ bank }}{{ branch }}（地址：{{ bank_address }}）")
    add_body(doc, "乙方：{{ borrower }}，法定代表人{{ legal_rep }}（居民身份证号：{{ legal_rep_id }}）")
    add_body(doc, "借款合同编号：{{ contract_no }}；监管账户：{{ account_name }}，账号{{ account_number }}。")
    own = tmp_path / "我行协议书.docx"
    doc.save(own)
    result = draft_annexes(EXAMPLE_BUNDLE, annexes=[6], template_file=own, out_dir=tmp_path / "out",
                           register_path=tmp_path / "r.sqlite")
    entry = result.annexes[0]
    assert (entry.annex, entry.status) == (6, "drafted") and result.complete
    text = docx_text(entry.path)
    assert "乙方：华安置业发展有限公司，法定代表人张建华（居民身份证号：330106198403152137）" in text
    assert entry.path.name.endswith("_资金封闭运作管理协议书.docx")


def test_zip_bundle_needs_an_output_folder(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "b"), "zip", bundle_with(tmp_path))
    with pytest.raises(InputError, match="--out"):
        draft_annexes(archive, annexes=[4], register_path=tmp_path / "r.sqlite")
    result = draft_annexes(archive, annexes=[4], out_dir=tmp_path / "out", register_path=tmp_path / "r.sqlite")
    assert result.complete


@pytest.mark.soffice
def test_drafted_pdfs_read_like_their_word_files(tmp_path):
    from pypdf import PdfReader

    result = draft_annexes(EXAMPLE_BUNDLE, annexes=[n for n in ALL if n != 6], out_dir=tmp_path,
                           register_path=tmp_path / "r.sqlite", pdf=True)
    drafted = [a for a in result.annexes if a.status == "drafted"]
    assert drafted and all(a.pdf is not None and a.pdf.is_file() for a in drafted)
    for entry in drafted:
        pdf_text = "".join("".join(page.extract_text() or "" for page in PdfReader(entry.pdf).pages).split())
        for line in docx_text(entry.path, cell_sep="").splitlines():
            compact = "".join(line.split())
            assert compact in pdf_text, (entry.pdf.name, compact)


def test_check_matches_every_drafted_file_to_its_own_item(tmp_path):
    bundle = bundle_with(tmp_path)
    result = draft_annexes(bundle, annexes=[n for n in ALL if n != 6], register_path=tmp_path / "r.sqlite")
    report = run_check(bundle, as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    items = {f.path: f.items for f in report.files}
    shipped = annex_templates()
    for entry in result.annexes:
        relative = entry.path.relative_to(bundle).as_posix()
        expected = [shipped[entry.annex].item]
        if entry.annex == 7:
            expected.append("signature-specimens")  # the seed asks for the specimens again at disbursement
        # 授信业务申请书 is not also a 业务申请书, 不可撤销承诺函 not also a 承诺函
        assert items[relative] == expected, (relative, items[relative])
        assert relative.split("/")[0] in {s.folder for s in report.checklist.stages}


def test_init_writes_every_key_the_annexes_read(tmp_path):
    from docgen.check.scaffold import scaffold

    text = scaffold(tmp_path / "c").bundle_yaml.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for spec in annex_templates().values():
        for expr in spec.fieldmap.fields.values():
            sources = [expr] if hasattr(expr, "paths") else [expr.source, *expr.fields.values()]
            for source in sources:
                for path in source.paths:
                    root = path.split(".")[0].split("[")[0]
                    if root in ("item", "drawdown", "number", "witnessed"):
                        continue
                    node = data
                    for step in path.replace("[0]", "").split("."):
                        if node == []:
                            break  # a list key, written empty: its entries' keys are in the example line
                        assert isinstance(node, dict) and step in node, (spec.name, path)
                        node = node[step]
    for key in ("authorised_signatories", "related_parties", "drawdowns"):
        assert data[key] == [] and f"\n{key}: []" in text  # written empty, an example entry commented below


def test_an_example_rendered_after_the_draft_carries_the_serial_the_draft_gave_it(tmp_path):
    # The examples are the bundle's annexes: no fixed serial of their own, so a render through the
    # register the draft used prints the number the drafted annex carries, never a second one.
    from docgen.documents.render import render

    register = tmp_path / "r.sqlite"
    drafted = draft_annexes(EXAMPLE_BUNDLE, annexes=ALL, out_dir=tmp_path / "out", register_path=register)
    serials: dict[str, str] = {}
    for annex in drafted.annexes:
        if annex.status == "drafted":
            serials.setdefault(annex.template, annex.serial)  # the first drawdown's is the example's
    assert len(serials) == 10
    for name, serial in serials.items():
        example = ROOT / "examples" / "templates" / f"{name}.yaml"
        assert "serial" not in yaml.safe_load(example.read_text(encoding="utf-8")), name
        assert render(name, example, tmp_path / f"{name}.docx", register_path=register).serial == serial, name
