"""The bundle checker's message table: every Chinese and English sentence of a check.

Three tables, one per kind of identity:

- ``FINDINGS``: a finding's sentence by its stable ``code`` (DESIGN §5), with ``{detail}``;
- ``DETAILS``: the ``detail`` of a finding by its ``reason`` (which rule or which limit), filled
  from the finding's facts (item titles, years, ratios, sizes …);
- ``FILES``: what file inspection found, by the ``reason`` in ``FileInfo``.

Each entry is ``code: (Chinese, English)``: every finding is worded in both languages (a
bundle.yaml value's problem in core's table, ``docgen.core.messages``, also in both).

Besides them, the report formats' fixed phrases (``REPORT_LABELS``, ``REPORT_CODE_LABELS``,
``REPORT_PROVIDERS``, ``REPORT_DOCX_STATUS``) and what each bundle.yaml key holds
(``BUNDLE_LABELS``, by key path) are here: the report formats and the bundle.yaml schema write
no Chinese word themselves.

Codes and reasons are what programs and tests look at; the wording here may change.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.errors import DocgenError
from docgen.core.messages import CONTENT_NAMES, MESSAGES as CORE
from docgen.core.problems import Problem
from docgen.core.wording import MessageTable, english_of, joined

__all__ = ["ANNEX_PREFIX", "BUNDLE_LABELS", "DETAILS", "ERRORS", "FILES", "FINDINGS", "FOREIGN_NAMES", "KIND_LABELS", "KIND_NAMES",
           "KIND_NAMES_EN", "OUTPUT", "REPORT_CODE_LABELS", "REPORT_DOCX_STATUS", "REPORT_LABELS", "REPORT_PROVIDERS",
           "VOTES", "in_english", "problem_in_english", "spaced"]

#: The codes of a bundle's read errors (``BundleError``) that say why a file could not be given
#: other than damage: a compression method Python cannot inflate, a size over the cap, a file
#: swapped for a pipe or device.
_CAUSES_NOT_DAMAGE = frozenset({"bundle-compression-unsupported", "bundle-file-too-large", "bundle-not-regular-file"})


def _cause_named(facts: Mapping[str, Any]) -> bool:
    """Return whether an ``unreadable`` finding's detail names a cause other than damage: a
    permission refused (``denied``) or a read error's code (``read_error``) in ``_CAUSES_NOT_DAMAGE``."""
    return bool(facts.get("denied")) or facts.get("read_error") in _CAUSES_NOT_DAMAGE


FINDINGS = MessageTable.bilingual("check findings", {
    # English puts the item's title first and its state after a colon: a title may be plural
    # ("Audit reports of the last three years"), so no verb follows it
    "missing": ("缺少{title}",
        "{title_en}: missing"),
    # a file or folder this user may not read (``denied``), or one the bundle could not give for a
    # cause its detail names (``_cause_named``), is not damaged: its detail says so whole
    "unreadable": (lambda f: f["detail"] if _cause_named(f) else f"文件无法读取（损坏或不完整）：{f['detail']}",
        lambda f: f["detail_en"] if _cause_named(f) else f"file cannot be read (corrupt or truncated): {f['detail_en']}"),
    "encrypted": ("文件已加密，无密码无法打开",
        "file is encrypted and cannot be opened without a password"),
    "empty-file": ("文件为空（0 字节）",
        "file is empty (0 bytes)"),
    "wrong-type": ("文件类型不符：{detail}",
        "wrong file type: {detail_en}"),
    "expired": ("{title}已于{date}过期",
        "{title_en}: expired on {date}"),
    "stale": ("{title}已过时：{detail}",
        "{title_en}: out of date — {detail_en}"),
    "insufficient": ("{title}不满足要求：{detail}",
        "{title_en}: requirement not met — {detail_en}"),
    "incomplete-set": ("{title}不齐全：{detail}",
        "{title_en}: incomplete — {detail_en}"),
    "unattested": ("{title}需{detail}，尚无人确认（请在 bundle.yaml 的 attestations 中记录）",
        "{title_en}: awaiting confirmation of {detail_en} (record it under attestations in bundle.yaml)"),
    # a place that is a line of the file (``at_line``), not a field, is named as such
    "invalid-data": (lambda f: f"bundle.yaml {'' if f.get('at_line') else '字段 '}{f['field']}：{f['detail']}",
        lambda f: f"bundle.yaml{', ' if f.get('at_line') else ' field '}{f['field_en']}: {f['detail_en']}"),
    "unsafe-entry": ("资料包条目不安全，未读取：{detail}",
        "unsafe bundle entry, not read: {detail_en}"),
    # a .zip inside a folder bundle is never opened: its files count for nothing until unpacked
    "unmatched": (lambda f: ("压缩包未打开检查，其中的文件不算已提供；请解压到相应的阶段文件夹后重新检查"
                             if f.get("archive") else "文件未对应任何清单项目"),
        lambda f: ("zip archive not opened: its files do not count; unpack it into the stage folder and check again"
                   if f.get("archive") else "file serves no checklist item")),
})

#: Kind -> how a report names it next to an item (``wrong-type``: 营业执照不接受JPG文件).
KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "doc": "DOC", "xlsx": "XLSX", "xls": "XLS", "jpg": "JPG",
               "png": "PNG", "tiff": "TIFF", "zip": "ZIP", "text": "文本", "unknown": "无法识别"}

#: Kind -> its full name in what inspection says about a file.
KIND_NAMES = {
    "pdf": "PDF 文件", "docx": "Word 文档（.docx）", "doc": "Word 97-2003 文档（.doc）",
    "xlsx": "Excel 工作簿（.xlsx）", "xls": "Excel 97-2003 工作簿（.xls）", "jpg": "JPEG 图片",
    "png": "PNG 图片", "tiff": "TIFF 图片", "zip": "ZIP 压缩包", "text": "文本文件", "unknown": "无法识别的内容",
}
KIND_NAMES_EN = {
    "pdf": "PDF file", "docx": "Word document (.docx)", "doc": "Word 97-2003 document (.doc)",
    "xlsx": "Excel workbook (.xlsx)", "xls": "Excel 97-2003 workbook (.xls)", "jpg": "JPEG image",
    "png": "PNG image", "tiff": "TIFF image", "zip": "zip archive", "text": "text file", "unknown": "unrecognised content",
}


def _a(name: str) -> str:
    """Return ``name`` after its English article: ``a PDF file``, ``an Excel workbook (.xlsx)``."""
    return ("an " if name[:1] in "AEIOU" else "a ") + name


def spaced(name: str) -> str:
    """Return ``name`` with the space Chinese typesetting puts before a Latin word: 内容是 JPEG 图片."""
    return f" {name}" if name[:1].isascii() else name


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%".replace(".0%", "%")


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


_STATUS = {"zh": {"missing": "缺失", "invalid": "无效"}, "en": {"missing": "missing", "invalid": "invalid"}}


def _all_of(facts: Mapping[str, Any], lang: str) -> str:
    parts = [(t[lang], _STATUS[lang][s]) for t, s in zip(facts["titles"], facts["statuses"])]
    if lang == "zh":
        return "、".join(f"{title}（{status}）" for title, status in parts)
    return ", ".join(f"{title} ({status})" for title, status in parts)


DETAILS = MessageTable.bilingual("check details", {
    # a file's own problem, as inspection found it
    "file": (lambda f: FILES.text(f["file_reason"], f),
        lambda f: FILES.text(f["file_reason"], f, "en")),
    # item rules
    "item-kind": (lambda f: (f"{f['title']}不接受{KIND_LABELS.get(f['kind'], f['kind'])}文件"
                             f"（可接受：{'、'.join(KIND_LABELS.get(k, k) for k in f['accepted'])}）"),
        lambda f: f"a {f['kind']} file is not accepted for {f['title_en']} (accepted: {', '.join(f['accepted'])})"),
    "max-age": (lambda f: (f"{'文件名所示月份截至' if f.get('dated_by') == 'name' else '出具日期'} {f['issued']}，"
                           f"距检查日已 {f['days']} 天，超过 {f['max_days']} 天的有效期"),
        "issued {issued}, {days} days before the check, over the {max_days}-day limit"),
    "undated": ("无法判断是否为最近 {max_days} 天内的文件：请在文件名中写明年月（如 2026年10月），"
                "或在 bundle.yaml 的 documents.{item}.issued 中填写出具日期",
        "cannot tell whether it is from the last {max_days} days: write the month in the file "
        "name (e.g. 2026-10) or the date under documents.{item}.issued"),
    "parts": (lambda f: ("缺少" + "、".join(label["zh"] for label in f["labels"])
                         + f"（文件名中写明各部分；合订在一份文件中的，在 bundle.yaml 的 documents.{f['item']}.parts 中列出："
                           f"“{', '.join(f['ids'])}”）"),
        lambda f: ("missing " + " and ".join(label["en"] for label in f["labels"])
                   + f" (name each part in a file name; for parts bound in one file list them under "
                     f"documents.{f['item']}.parts: {', '.join(f['ids'])})")),
    "audit-years": (lambda f: (f"缺少 {'、'.join(str(y) for y in f['years'])} 年度审计报告"
                               f"（须覆盖 {_span(f['required'])} 年度；"
                               f"年度审计报告应于次年{f['due_month']}月{f['due_day']}日前出具；"
                               f"年度可写在文件名中或填在 bundle.yaml 的 documents.{f['item']}.years）"),
        lambda f: (f"audit reports missing for {', '.join(str(y) for y in f['years'])} (required: "
                   f"{_span(f['required'])}; put the year in the file name or list it under "
                   f"documents.{f['item']}.years)")),
    "below-ratio": (lambda f: f"{f['label']['zh']}为 {_percent(f['value'])}，低于 {_percent(f['threshold'])}",
        lambda f: f"{f['label']['en']} is {_percent(f['value'])}, below {_percent(f['threshold'])}"),
    "ratio-unknown": (lambda f: (f"bundle.yaml 缺少计算 {f['label']['zh']} 所需的数据，无法核对是否达到 "
                                 f"{_percent(f['threshold'])}，请人工核对"),
        lambda f: (f"bundle.yaml lacks the figures for {f['label']['en']}; check the "
                   f"{_percent(f['threshold'])} minimum by hand")),
    "kinds-set": (lambda f: "缺少" + "、".join(s["zh"] for s in f["sets"]),
        lambda f: "missing " + " and ".join(s["en"] for s in f["sets"])),
    "original-and-copy": ("需原件及复印件：请提供两份文件，或在 bundle.yaml 的 documents.{item} 中注明 original: true 和 copy: true",
        "needs the original and a copy: provide two files, or record original: true and copy: true "
        "under documents.{item}"),
    "attestation": (lambda f: f["need"]["zh"],
        lambda f: f["need"]["en"]),
    "all-of-missing": (lambda f: "、".join(t["zh"] for t in f["titles"]),
        lambda f: ", ".join(t["en"] for t in f["titles"])),
    "all-of-invalid": (lambda f: _all_of(f, "zh"),
        lambda f: _all_of(f, "en")),
    # bundle.yaml
    "no-such-file": ("资料包中没有文件 {file}（路径相对于资料包根目录，用 / 分隔）",
        "no file {file} in the bundle (paths are relative to the bundle's root, separated by /)"),
    "undecodable": ("无法解码：请保存为 UTF-8 编码",
        "cannot decode: save it as UTF-8"),
    # the line and column are the finding's place (``field/line``), named once there
    "yaml-syntax": ("YAML 语法错误：{problem}",
        "YAML syntax error: {problem}"),
    "too-many-values": ("内容展开后超过 {limit} 个值（别名 & / * 嵌套过多）；请直接写出各字段",
        "expands to over {limit} values (too many nested & / * aliases); write the fields out"),
    "not-mapping": ("bundle.yaml 应为映射（borrower: …、project: … 等键值）",
        "bundle.yaml must be a mapping (borrower:, project: …)"),
    "cannot-read": ("无法读取：{reason}",
        "cannot be read: {reason_en}"),
    "shareholder-id": ("股东须填写统一社会信用代码（uscc）或居民身份证号（id_number）",
        "a shareholder needs a unified social credit code (uscc) or a resident ID number (id_number)"),
    "shares-total": ("股东持股比例合计应为100，实际为{total}",
        "the shareholders' shares should add up to 100, not {total}"),
    "invested-over-total": ("已投入资金（{invested}）不能大于总投资（{total}）",
        "the funds invested ({invested}) cannot exceed the total investment ({total})"),
    "established-future": ("成立日期晚于今天",
        "the date of establishment is after today"),
    "unknown-item": ("清单 {checklist} 中没有项目{key!q}（请使用清单中的项目编号）",
        "checklist {checklist} has no item '{key}' (use the checklist's item ids)"),
    "vote-not-shareholder": (lambda f: f"{'、'.join(f['names'])} 不是 shareholders 中的股东",
        lambda f: f"{', '.join(f['names'])}: not among the shareholders"),
    "vote-missing": (lambda f: f"缺少股东 {'、'.join(f['names'])} 的表决意见（同意/反对/弃权）",
        lambda f: f"no vote (for, against or abstain) of shareholder {', '.join(f['names'])}"),
    # unsafe bundle entries
    "control-characters": ("名称含控制字符",
        "name contains control characters"),
    "absolute-path": ("绝对路径",
        "absolute path"),
    "drive-letter": ("含盘符的绝对路径",
        "absolute path with a drive letter"),
    "parent-path": ("路径含 “..”，可能写到压缩包之外",
        "path contains '..' and could escape the bundle"),
    "empty-name": ("名称为空",
        "empty name"),
    "symlink": ("符号链接，未跟随",
        "symbolic link, not followed"),
    "not-regular": ("不是普通文件",
        "not a regular file"),
    "encrypted-member": ("条目已加密",
        "encrypted member"),
    "too-large": ("文件过大（{size} 字节，上限 {limit} 字节）",
        "too large ({size} bytes, limit {limit})"),
    "zip-bomb": ("压缩比异常（{ratio:.0f}:1，上限 {limit:.0f}:1），疑似压缩炸弹",
        "compression ratio {ratio:.0f}:1 over {limit:.0f}:1, likely a zip bomb"),
    "too-many-members": ("压缩包条目过多（超过上限 {limit} 个），其余 {skipped} 个条目未读取",
        "too many members (limit {limit}); {skipped} more not read"),
    "duplicate-name": ("压缩包内有重名条目，无法确定读哪一个",
        "duplicate name in the archive; cannot tell which copy to read"),
    "total-too-large": ("资料包总大小超过上限 {limit} 字节，未读取",
        "bundle total size over the limit of {limit} bytes; not read"),
    "folder-symlink": ("指向文件夹的符号链接，未跟随",
        "symbolic link to a folder, not followed"),
    "symlink-outside": ("符号链接指向资料包之外，未跟随",
        "symbolic link pointing outside the bundle, not followed"),
    "special-file": ("不是普通文件（设备、管道等）",
        "not a regular file (device, pipe, ...)"),
    "cannot-access": ("无法访问（{error}）",
        "cannot access ({error})"),
    "too-many-files": ("资料包文件过多（超过上限 {limit} 个），其余 {skipped} 个文件未读取",
        "too many files (limit {limit}); {skipped} more not read"),
    "folder-inaccessible": ("文件夹无法访问（{error}），其中的文件未检查",
        "folder cannot be accessed ({error}); its files were not checked"),
    "folder-denied": ("无权读取该文件夹（权限不足），其中的文件未检查；请检查文件夹权限（须可读、可进入）后重新检查",
        "no permission to read the folder; its files were not checked: make it readable and enterable, then check again"),
    "entry-denied": ("无权访问该文件（权限不足），未检查；请检查其所在文件夹的权限（须可进入）后重新检查",
        "no permission to access it; not checked: check the permissions of its folder, then check again"),
    # bundle.yaml: where a problem of the file as a whole stands (a finding's ``field``), and the
    # cross-check a licence without a USCC fails
    "field/file": ("（文件）",
        "(the file)"),
    "field/root": ("（根）",
        "(top level)"),
    "field/line": ("第{line}行第{column}列",
        "line {line}, column {column}"),
    "uscc-missing": ("缺少统一社会信用代码：三证合一后营业执照均载有统一社会信用代码，"
                     "组织机构代码证、税务登记证已停止核发；请按营业执照填写",
        "unified social credit code missing: every business licence carries one since the three "
        "certificates were merged, and organization code and tax registration certificates are no "
        "longer issued; copy it from the business licence"),
})

def in_english(error: DocgenError) -> str:
    """Return ``error`` (a ``BundleError`` of reading a bundle's file, or what stops a check: a
    bundle or checklist unusable, a stage unknown) worded in English by its code and facts: by this
    part's table, or by core's (a permission refused, a checklist condition, the report's file,
    Ctrl-C); its own (Chinese) text when neither has English for its code."""
    return english_of(error, ERRORS, CORE)


def problem_in_english(problem: Problem, table: MessageTable = CORE) -> str:
    """Return a validation ``problem`` worded in English by its code and facts from ``table`` (core's
    for a schema's problems), or its own (Chinese) message when the table has no English for it."""
    return table.text(problem.code, problem.facts, "en") if problem.code in table.codes("en") else problem.message


#: Formats no checklist item accepts, as a client may still upload them (``facts["format"]``).
FOREIGN_NAMES = {
    "heic": ("HEIC 图片（苹果手机照片格式）", "HEIC image (iPhone photo format)"),
    "gif": ("GIF 图片", "GIF image"),
    "webp": ("WebP 图片", "WebP image"),
    "bmp": ("BMP 图片", "BMP image"),
    "rar": ("RAR 压缩包", "RAR archive"),
    "7z": ("7z 压缩包", "7z archive"),
    "video": ("视频文件", "video file"),
}

_OFFICE = {"docx": ("Word 文档", "Word document"), "xlsx": ("Excel 工作簿", "Excel workbook")}


def _file_names(facts: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The names inspection's sentences use, in ``lang``: ``kind_name`` and ``expected_name`` (kinds of
    file), ``format_name`` (a format no item accepts), ``office_name`` (a Word or Excel file). In Chinese
    a name set after a character gets the space typesetting wants before a Latin word (``*_after``)."""
    i = 0 if lang == "zh" else 1
    kinds = KIND_NAMES if i == 0 else KIND_NAMES_EN
    names = {"kind_name": kinds.get(facts.get("kind", "")), "expected_name": kinds.get(facts.get("expected", "")),
             "format_name": FOREIGN_NAMES.get(facts.get("format", ""), (None, None))[i],
             "office_name": _OFFICE.get(facts.get("kind", ""), (None, None))[i]}
    derived = {k: v for k, v in names.items() if v is not None}
    derived.update({k.replace("_name", "_after"): spaced(v) if i == 0 else v for k, v in derived.items()})
    return derived


FILES = MessageTable.bilingual("file inspection", {
    "empty": ("文件为空（0 字节）",
        "the file is empty (0 bytes)"),
    "damaged": ("文件结构损坏（{error}）",
        "the file structure is damaged ({error})"),
    "wrong-type": ("内容是{kind_after}，扩展名却是 {ext}",
        "the content is a {kind_name}, but the extension is {ext}"),
    "foreign-type": ("内容是{format_after}，扩展名却是 {ext}",
        "the content is a {format_name}, but the extension is {ext}"),
    "unrecognised": ("内容无法识别，不是有效的{expected_after}（文件损坏或只是改了扩展名）",
        "the content is not a valid {expected_name} (damaged, or only renamed)"),
    "not-office": ("{expected_name}不完整：缺少 {main}",
        "the {expected_name} is incomplete: {main} is missing"),
    "pdf-no-eof": ("PDF 文件不完整（缺少结尾标记 %%EOF），可能上传或复制时被截断",
        "the PDF is incomplete (no %%EOF end marker); it was probably cut short in upload or copy"),
    "pdf-damaged": ("PDF 结构损坏，无法打开（{error}）",
        "the PDF structure is damaged ({error})"),
    "pdf-undecryptable": ("PDF 已加密，无法解密（{error}）",
        "the PDF is encrypted and cannot be decrypted ({error})"),
    "pdf-password": ("PDF 设置了打开密码，没有密码无法查看",
        "the PDF has an open password and cannot be viewed without it"),
    "pdf-no-pages": ("PDF 没有任何页面",
        "the PDF has no pages"),
    "pdf-page-tree": ("PDF 页面树不完整：声明 {declared} 页，实际只能读到 {readable} 页",
        "the PDF page tree is incomplete: {declared} pages declared, {readable} readable"),
    # ``error``: pypdf's reason, or the page tree's fault (``page-tree/…``, then ``error_en`` too)
    "pdf-pages-unreadable": ("PDF 页面无法读取（{error}）",
        lambda f: f"the PDF pages cannot be read ({f.get('error_en') or f['error']})"),
    "office-part-missing": ("{office_name}不完整：缺少 {main}",
        "the {office_name} is incomplete: {main} is missing"),
    "office-encrypted": ("{office_name}已加密",
        "the {office_name} is encrypted"),
    "office-zip-bomb": ("{office_name}的 {main} 大小异常，疑似压缩炸弹",
        "the {office_name}'s {main} has an abnormal size (likely a zip bomb)"),
    "office-damaged": ("{office_name}已损坏，无法打开（{error}）",
        "the {office_name} is damaged ({error})"),
    "office-password": ("Office 文档设置了打开密码，没有密码无法查看",
        "the Office document has an open password and cannot be viewed without it"),
    "zip-damaged": ("ZIP 压缩包已损坏（{error}）",
        "the zip archive is damaged ({error})"),
    "ole-short": ("Office 97-2003 文件不完整（文件过短）",
        "the Office 97-2003 file is incomplete (too short)"),
    "ole-header": ("Office 97-2003 文件头损坏",
        "the Office 97-2003 file header is damaged"),
    "ole-truncated": ("Office 97-2003 文件不完整（目录区超出文件末尾），可能被截断",
        "the Office 97-2003 file is incomplete (its directory lies past the end); probably truncated"),
    "ole-directory": ("Office 97-2003 文件目录损坏",
        "the Office 97-2003 file directory is damaged"),
    "jpeg-damaged": ("JPEG 图片结构损坏",
        "the JPEG structure is damaged"),
    "jpeg-no-eoi": ("JPEG 图片不完整（缺少结束标记），可能被截断",
        "the JPEG is incomplete (no end-of-image marker); probably truncated"),
    "jpeg-no-data": ("JPEG 图片不完整（没有图像数据），可能被截断",
        "the JPEG is incomplete (no image data); probably truncated"),
    "png-truncated": ("PNG 图片不完整，可能被截断",
        "the PNG is incomplete; probably truncated"),
    "png-no-iend": ("PNG 图片不完整（缺少 IEND 块），可能被截断",
        "the PNG is incomplete (no IEND chunk); probably truncated"),
    "tiff-loop": ("TIFF 图片目录成环，结构损坏",
        "the TIFF directories loop; the file is damaged"),
    "tiff-directory-past-end": ("TIFF 图片不完整（图像目录超出文件末尾），可能被截断",
        "the TIFF is incomplete (a directory lies past the end); probably truncated"),
    "tiff-truncated": ("TIFF 图片不完整，可能被截断",
        "the TIFF is incomplete; probably truncated"),
    "tiff-data-past-end": ("TIFF 图片数据超出文件末尾，可能被截断",
        "the TIFF image data runs past the end; probably truncated"),
    # the bounded worker's own verdicts
    "out-of-memory": ("检查时内存不足（超过 {memory_mb} MB），文件可能是恶意构造的",
        "inspection ran out of memory (over {memory_mb} MB); the file may be crafted to harm"),
    # ``error``: why the bundle could not give the file's bytes (a ``BundleError``), ``error_en`` in English
    "read-failed": ("无法读取文件：{error}",
        lambda f: f"cannot read the file: {f.get('error_en') or f['error']}"),
    "read-denied": ("无权读取该文件（权限不足），内容未检查；请检查文件权限后重新检查",
        "no permission to read the file; its content was not checked: check its permissions, then check again"),
    "crashed": ("检查出错：{error}",
        "inspection failed: {error}"),
    "died": ("检查进程异常退出（可能内存耗尽），文件可能是恶意构造的",
        "the inspecting process died (perhaps out of memory); the file may be crafted to harm"),
    "timeout": ("检查超时（{timeout:g} 秒），文件可能是恶意构造的",
        "inspection timed out ({timeout:g} s); the file may be crafted to harm"),
    "too-large": ("文件过大（{size} 字节，上限 {limit} 字节），未检查",
        "too large ({size} bytes, limit {limit}); not inspected"),
    # why a PDF's page tree cannot be walked (the ``error`` of pdf-pages-unreadable)
    "page-tree/cycle": ("页面树存在循环引用", "the page tree loops"),
    "page-tree/bad-node": ("页面树中有无效节点（{node}）", "the page tree holds an invalid node ({node})"),
}, derive=_file_names)


def _counted(count: int, word: str, plural: str | None = None) -> str:
    """Return ``1 stage`` or ``3 stages`` (``plural`` when the word does not take an s: entries)."""
    return f"{count} " + (word if count == 1 else plural or word + "s")


#: What the checker tells the operator besides the report: a file written, a folder scaffolded.
OUTPUT = MessageTable.bilingual("check output", {
    "wrote": ("已写入 {path}", "wrote {path}"),
    # `docgen inspect`: both languages on one line, so the Chinese table holds them together
    "inspect/file": ("文件 file：{path}",),
    "inspect/field": ("  {label}：{value}",),
    "inspect/kind": ("类型 kind",),
    "inspect/size": ("大小 size",),
    "inspect/sha256": ("SHA-256",),
    "inspect/pages": ("页数 pages",),
    "inspect/encrypted": ("加密 encrypted",),
    "inspect/readable": ("可读 readable",),
    "inspect/signed": ("数字签名 signed",),
    "inspect/problem": ("问题 problem",),
    "inspect/problem-detail": ("{problem}：{detail}",),
    "inspect/yes": ("是 yes",),
    "inspect/no": ("否 no",),
    "inspect/bytes": ("{size} 字节 bytes",),
    "scaffold/created": ("已创建 {root}/",),
    "scaffold/folder": ("  {name}/",),
    "scaffold/bundle-yaml": (lambda f: f"  {f['name']}" + ("（已覆盖原文件）" if f["overwritten"] else ""),),
    "checklist/folder": ("文件夹", "folder"),
    "checklist/bank": ("银行提供", "provided by the bank"),
    "checklist/annex": ("{annex}", "annex {annex}"),
    "checklist/waivable": ("可免：{reason}", "waivable: {reason}"),
    # ``checklist validate``: in the language asked for, else both on one line
    "checklist/valid": ("{file}：有效 — {id}：{stages} 个阶段，{items} 个项目，{entries} 个清单条目",
        lambda f: (f"{f['file']}: valid — {f['id']}: {_counted(f['stages'], 'stage')}, "
                   f"{_counted(f['items'], 'item')}, {_counted(f['entries'], 'entry', 'entries')}")),
    "checklist/valid-both": ("{file}：有效 / valid — {id}：{stages} 个阶段 / stages，{items} 个项目 / items，"
                             "{entries} 个清单条目 / entries",),
    "scaffold/next": ("下一步：填写 {bundle_yaml}，放入资料文件后运行 docgen check {root}",),
    # the one summary line every report format ends with (``docgen.check.formats.summary_line``)
    "report/summary": (
        lambda f: ("完整" if f["complete"] else "不完整")
        + "：{stages} 个阶段，{items} 项，缺失 {missing}，无效 {invalid}，警告 {warnings}".format_map(f),
        lambda f: (("COMPLETE" if f["complete"] else "INCOMPLETE")
                   + f": {_counted(f['stages'], 'stage')}, {_counted(f['items'], 'item')}, {f['missing']} missing, "
                   f"{f['invalid']} invalid, {_counted(f['warnings'], 'warning')}")),
})


def _yaml_syntax(f: Mapping[str, Any]) -> str:
    # the position after a space when PyYAML gives one (a control character has none): no space before the colon
    at = " " + DETAILS.text("field/line", f) if f.get("line") is not None else ""
    return f"{f['label']}：YAML 语法错误{at}：{f['problem']}"


def _schema_failed(f: Mapping[str, Any], lang: str = "zh") -> str:
    # ``problems``: (key path, Chinese, English) of each; the first five are said
    problems = f["problems"]
    if lang == "en":
        details = "; ".join(f"{path}: {english}" for path, _, english in problems[:5])
        return f"{f['label']}: {details}" + (f" ({len(problems) - 5} more)" if len(problems) > 5 else "")
    details = "；".join(f"{path}：{message}" for path, message, _ in problems[:5])
    more = f"（另有 {len(problems) - 5} 处）" if len(problems) > 5 else ""
    return f"{f['label']}：{details}{more}"


#: What a file given as a bundle is when it is no zip archive, per language: (a format no item reads,
#: one of docgen's kinds, neither, then what to do).
_NOT_ZIP = {
    "zh": ("{root}：是{name}，不是客户资料文件夹或 .zip 压缩包", "{root}：是单个{name}，不是客户资料文件夹或 .zip 压缩包",
           "{root}：既不是文件夹也不是有效的 .zip 压缩包（文件损坏或格式不对）", "；请给出客户资料文件夹，或用“压缩为 ZIP”重新打包"),
    "en": ("{root}: a {name}, not a client folder or a .zip archive", "{root}: a single {name}, not a client folder "
           "or a .zip archive", "{root}: neither a folder nor a valid .zip archive (damaged, or another format)",
           "; give the client folder, or pack it again with 'Compress to ZIP'"),
}


def _not_zip(f: Mapping[str, Any], lang: str) -> str:
    foreign, single, neither, then = _NOT_ZIP[lang]
    i = 0 if lang == "zh" else 1
    kinds = KIND_NAMES if i == 0 else KIND_NAMES_EN
    if f.get("format") in FOREIGN_NAMES:
        said, name = foreign, FOREIGN_NAMES[f["format"]][i]
    elif f.get("kind") in kinds:
        said, name = single, kinds[f["kind"]]
    else:
        said, name = neither, ""
    # Chinese sets a space before a Latin word after a character (是 PDF 文件); English templates hold theirs
    return said.format(root=f["root"], name=spaced(name) if i == 0 else name) + then


#: A checklist's reference to what it does not define, by error code -> the entry saying where it stands
#: and what it names, without the file: ``checklist-undefined`` says the file once before them all.
UNDEFINED = {"checklist-kind-set-undefined": "undefined/kind-set", "checklist-group-undefined": "undefined/group",
             "checklist-item-undefined": "undefined/item", "checklist-stage-group-undefined": "undefined/stage-group",
             "checklist-entry-item-undefined": "undefined/entry-item"}


def _undefined(f: Mapping[str, Any], piece: str, lang: str = "zh") -> str:
    """One undefined reference of a checklist: the file's label, then where and what (``undefined/<piece>``)."""
    return f["label"] + ("：" if lang == "zh" else ": ") + ERRORS.text(f"undefined/{piece}", f, lang)


#: Why a checklist or a bundle cannot be used at all (``ChecklistError``/``BundleError``), by code.
ERRORS = MessageTable("check errors", {
    "checklist-no-stage": joined("清单 {checklist} 没有阶段{stage!q}；可用阶段：{stages}", "stages"),
    "checklist-not-found": "清单文件不存在：{path}（请检查路径）",
    "checklist-path-empty": "清单文件的路径为空；请给出 .yaml 文件的路径",
    "checklist-not-regular": "清单文件不是普通文件，而是文件夹、管道或设备：{path}（请给出 .yaml 文件）",
    "checklist-unknown": joined("未知清单{name!q}：可用清单为 {available}，或传入清单 YAML 文件的路径", "available"),
    "checklist-unreadable": "{label}：无法读取清单文件（{reason}）",
    "checklist-undecodable": "{label}：无法识别清单文件的编码（不是 UTF-8 或 GB18030/GBK）；请保存为 UTF-8 编码的 YAML",
    # ``kind``: what the file holds (``docgen.core.datafile.binary_content``), named as for a --data file
    "checklist-not-text": lambda f: (f"{f['label']}：清单文件应为 YAML 文本（文件内容：{CONTENT_NAMES[f['kind']]}）；"
                                     "请确认选对了文件"),
    "checklist-yaml-syntax": _yaml_syntax,
    "checklist-not-mapping": "{label}：清单文件应为 YAML 映射（id、title、items、stages）",
    "checklist-schema": _schema_failed,
    # where in a checklist file a problem is, after the file's label: the key path
    "where/item": "items.{item}",
    # a reference to what the checklist does not define: where it stands and what it names, after the
    # file's label (one such reference: its own code; several: checklist-undefined names them all)
    "undefined/kind-set": "{where}.kinds：未定义的类型集合{kinds!q}（请在 kinds 中定义，或直接列出文件类型）",
    "undefined/group": joined("{where}.group：未定义的分组{group!q}（可用：{groups}）", "groups"),
    "undefined/item": "items.{item}.rules[{rule}].items：未定义的项目{ref!q}",
    "undefined/stage-group": "stages[{stage_index}].entries[{entry_index}].group：未定义的分组{group!q}",
    "undefined/entry-item": "stages[{stage_index}].entries[{entry_index}].item：未定义的项目{item!q}（请先在 items 中定义）",
    "checklist-kind-set-undefined": lambda f: _undefined(f, "kind-set"),
    "checklist-group-undefined": lambda f: _undefined(f, "group"),
    "checklist-item-undefined": lambda f: _undefined(f, "item"),
    "checklist-undefined": lambda f: (f"{f['label']}：{len(f['refs'])} 处引用未定义：" + "；".join(
        ERRORS.text(UNDEFINED[code], facts) for code, facts in f["refs"])),
    "checklist-stage-duplicate": "{label}：stages[{stage_index}].id：阶段编号{stage!q}重复",
    "checklist-stage-group-undefined": lambda f: _undefined(f, "stage-group"),
    "checklist-all-of-cycle": joined("{label}：items.{item}.rules：all-of 循环引用（{cycle}）", "cycle", sep=" → "),
    "checklist-rule-key-missing": "{label}：{where}.{key}：规则 {rule} 缺少必填键 {key}",
    "bundle-file-too-large": "{label}：文件超过大小上限 {cap} 字节，停止读取",
    "bundle-read-failed": "{label}：读取失败（{reason}）",
    "bundle-not-regular-file": "{location}：不是普通文件",
    "bundle-compression-unsupported": "压缩方式不受支持（{reason}）；请用标准 ZIP（Deflate）重新打包",
    "bundle-entry-unreadable": "{location}：无法读取（{reason}）",
    "bundle-closed": "{root}：资料包已关闭，无法再读取",
    "bundle-not-found": "{root}：资料包不存在；请给出客户资料文件夹或 .zip 文件的路径",
    "bundle-not-zip": lambda f: _not_zip(f, "zh"),
    "bundle-not-folder-or-zip": "{root}：不是文件夹或 .zip 文件",
    "scaffold-file-in-the-way": "{root}：已存在同名文件，不是文件夹；请换一个文件夹名",
    "scaffold-bad-path": "{root}：无法创建资料包文件夹（{reason}）；请检查路径（每级文件夹名不超过 255 字节）",
    "scaffold-write-failed": "{root}：无法创建资料包文件夹（{reason}）；请检查路径和权限",
    "equity-threshold-range": "自筹资金比例下限应在 0 到 1 之间（如 0.5 表示 50%），收到 {threshold}",
    "checklist-entry-item-undefined": lambda f: _undefined(f, "entry-item"),
    "inspect-not-a-file": "{path}：文件不存在或不是普通文件",
    "bundle-yaml-too-large": "文件过大（{size} 字节，上限 {limit} 字节）；bundle.yaml 只应填写申请数据",
    "scaffold-exists": "{target} 已存在，未覆盖；如确需重新生成空白 bundle.yaml，请加 --force（原内容将被替换）",
    "bundle-zip-corrupt": "{root}：.zip 压缩包已损坏，无法读取目录（{reason}）；请重新打包后再检查",
}, {
    # why a checklist or a bundle cannot be used, which ``docgen check --lang en`` prints (exit 2)
    "checklist-no-stage": joined("checklist {checklist} has no stage '{stage}'; its stages: {stages}", "stages",
                                 sep=", "),
    "checklist-not-found": "no checklist file {path} (check the path)",
    "checklist-path-empty": "the checklist file's path is empty; give the path of a .yaml file",
    "checklist-not-regular": "the checklist file {path} is a folder, pipe or device, not a regular file (give a .yaml file)",
    "checklist-unknown": joined("unknown checklist '{name}': the checklists are {available}, or give the path of a "
                                "checklist YAML file", "available", sep=", "),
    "checklist-unreadable": "{label}: the checklist file cannot be read ({reason})",
    "checklist-undecodable": ("{label}: the checklist file's encoding is not recognised (neither UTF-8 nor "
                              "GB18030/GBK); save it as UTF-8 YAML"),
    "checklist-not-text": lambda f: (f"{f['label']}: the checklist file must be YAML text, but it holds "
                                     f"{_a(KIND_NAMES_EN[f['kind']])}; check that the right file was given"),
    "checklist-yaml-syntax": lambda f: (f"{f['label']}" + (f", line {f['line']}, column {f['column']}"
                                                            if f.get("line") is not None else "")
                                        + f": YAML syntax error: {f['problem']}"),
    "checklist-not-mapping": "{label}: the checklist file must be a YAML mapping (id, title, items, stages)",
    "checklist-schema": lambda f: _schema_failed(f, "en"),
    "undefined/kind-set": "{where}.kinds: kind set '{kinds}' is not defined (define it under kinds, or list the file kinds)",
    "undefined/group": joined("{where}.group: group '{group}' is not defined (defined: {groups})", "groups", sep=", "),
    "undefined/item": "items.{item}.rules[{rule}].items: item '{ref}' is not defined",
    "undefined/stage-group": "stages[{stage_index}].entries[{entry_index}].group: group '{group}' is not defined",
    "undefined/entry-item": ("stages[{stage_index}].entries[{entry_index}].item: item '{item}' is not defined (define "
                             "it under items first)"),
    "checklist-kind-set-undefined": lambda f: _undefined(f, "kind-set", "en"),
    "checklist-group-undefined": lambda f: _undefined(f, "group", "en"),
    "checklist-item-undefined": lambda f: _undefined(f, "item", "en"),
    "checklist-undefined": lambda f: (f"{f['label']}: {len(f['refs'])} references are not defined: " + "; ".join(
        ERRORS.text(UNDEFINED[code], facts, "en") for code, facts in f["refs"])),
    "checklist-stage-duplicate": "{label}: stages[{stage_index}].id: stage id '{stage}' is used twice",
    "checklist-stage-group-undefined": lambda f: _undefined(f, "stage-group", "en"),
    "checklist-all-of-cycle": joined("{label}: items.{item}.rules: all-of refers to itself ({cycle})", "cycle",
                                     sep=" → "),
    "checklist-rule-key-missing": "{label}: {where}.{key}: rule {rule} needs the key {key}",
    "checklist-entry-item-undefined": lambda f: _undefined(f, "entry-item", "en"),
    "equity-threshold-range": ("the minimum self-raised funds ratio must be between 0 and 1 (0.5 for 50%), "
                               "not {threshold}"),
    "bundle-closed": "{root}: the bundle is closed and cannot be read any more",
    "bundle-not-found": "{root}: no such bundle; give the path of a client folder or a .zip file",
    "bundle-not-zip": lambda f: _not_zip(f, "en"),
    "bundle-not-folder-or-zip": "{root}: not a folder or a .zip file",
    "bundle-zip-corrupt": "{root}: the .zip archive is damaged and its directory cannot be read ({reason}); pack it "
                          "again and check again",
    # why a bundle's file (bundle.yaml or any other) cannot be read, which the English report of a
    # check names (``in_english``: bundle.yaml's finding, a file's read-failed)
    "bundle-yaml-too-large": "too large ({size} bytes, limit {limit}): bundle.yaml holds the application data only",
    "bundle-file-too-large": "{label}: over the size limit of {cap} bytes; reading stopped",
    "bundle-read-failed": "{label}: reading failed ({reason})",
    "bundle-not-regular-file": "{location}: not a regular file",
    "bundle-compression-unsupported": ("compression not supported ({reason}); pack the bundle again as a standard "
                                       "zip (Deflate)"),
    "bundle-entry-unreadable": "{location}: cannot be read ({reason})",
    # a program's own mistakes (``ERRORS.fault``): read by programmers, so in English only
    "item-unknown": "unknown checklist item {item!r}",
    "item-not-reported": "item {item!r} not in the reported stages",
    "finding-code-unknown": "unknown finding code {code!r}",
    "report-format-unknown": "unknown report format {format!r}",
})


#: How an annex's name begins (``附件四``): the report reads its numeral after it.
ANNEX_PREFIX = "附件"

#: item status -> symbol in the printed 资料清单 (a reviewer ticks boxes: ✓, ✗ or 免).
REPORT_DOCX_STATUS: dict[str, dict[str, str]] = {
    "zh": {"ok": "✓", "missing": "✗", "invalid": "✗", "waived": "免"},
    "en": {"ok": "✓", "missing": "✗", "invalid": "✗", "waived": "n/a"},
}

#: Short labels of the finding codes (DESIGN §5), shown beside each finding.
REPORT_CODE_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "missing": "缺失", "unreadable": "无法读取", "encrypted": "已加密", "empty-file": "空文件",
        "wrong-type": "类型不符", "expired": "已过期", "stale": "已过时", "insufficient": "不满足",
        "incomplete-set": "不齐全", "unattested": "待确认", "invalid-data": "数据有误",
        "unsafe-entry": "不安全条目", "unmatched": "未对应",
    },
    "en": {
        "missing": "missing", "unreadable": "unreadable", "encrypted": "encrypted",
        "empty-file": "empty file", "wrong-type": "wrong type", "expired": "expired", "stale": "stale",
        "insufficient": "insufficient", "incomplete-set": "incomplete set", "unattested": "unattested",
        "invalid-data": "invalid data", "unsafe-entry": "unsafe entry", "unmatched": "unmatched",
    },
}

#: Who provides an item (``ReportMeta.providers``), per language.
REPORT_PROVIDERS: dict[str, dict[str, str]] = {
    "zh": {"client": "客户", "bank": "银行"},
    "en": {"client": "client", "bank": "bank"},
}

#: Every fixed phrase of the three report formats (``docgen.check.formats``), per language.
REPORT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "资料清单检查",
        "doc_title": "资料清单",
        "checklist": "清单",
        "bundle": "资料包",
        "borrower": "借款人",
        "project": "项目",
        "as_of": "检查日期",
        "result": "结论",
        "stage": "阶段",
        "complete": "完整",
        "incomplete": "不完整",
        "status": "状态",
        "no": "序号",
        "title": "资料名称",
        "provider": "提供方",
        "files": "文件",
        "findings": "发现的问题",
        "other_findings": "其他问题（不属于某一阶段）",
        "no_findings": "无",
        "draftable": "可立即起草的附件",
        "draftable_none": "暂无可立即起草的附件",
        "draft_folder": "起草/",
        "summary": "汇总",
        "legend": "图例：✓ 齐全 ✗ 缺失 ! 无效 ○ 免于提供",
        "signatures": "客户经理：____________    复核人：____________    日期：____________",
        "none": "—",
        # the punctuation the formats put between a label and its value, around an aside, between entries
        "colon": "：",
        "aside": "（{}）",
        "separator": "；",
    },
    "en": {
        "heading": "Document checklist check",
        "doc_title": "Document checklist",
        "checklist": "Checklist",
        "bundle": "Bundle",
        "borrower": "Borrower",
        "project": "Project",
        "as_of": "As of",
        "result": "Result",
        "stage": "Stage",
        "complete": "complete",
        "incomplete": "incomplete",
        "status": "Status",
        "no": "No.",
        "title": "Document",
        "provider": "Provider",
        "files": "Files",
        "findings": "Findings",
        "other_findings": "Other findings (not tied to a stage)",
        "no_findings": "none",
        "draftable": "Annexes that can be drafted now",
        "draftable_none": "No annex can be drafted yet",
        "draft_folder": "drafts/",
        "summary": "Summary",
        "legend": "Legend: ✓ present  ✗ missing  ! invalid  ○ waived",
        "signatures": "Account manager: ____________    Reviewer: ____________    Date: ____________",
        "none": "-",
        "colon": ": ",
        "aside": " ({})",
        "separator": "; ",
    },
}


#: The votes a shareholder can cast at the meeting (股东会表决意见), as bundle.yaml writes them.
VOTES = ("同意", "反对", "弃权")

#: What to put in each key of bundle.yaml, by its dotted path (list items without an index): the
#: scaffold's comments, the drafts' missing-data hints (``docgen.check.bundledata.key_label``).
BUNDLE_LABELS: dict[str, str] = {
    "bank": "贷款银行",
    "bank.name": "贷款银行法定名称，如 某某农村商业银行股份有限公司",
    "bank.branch": "经办支行全称",
    "bank.address": "经办支行地址",
    "bank.witnesses": "两名见证签字盖章的本行工作人员姓名，如“[王晓明, 陈静]”",
    "borrower": "借款人",
    "borrower.name": "借款人全称，与营业执照一致",
    "borrower.uscc": "借款人统一社会信用代码（18 位）",
    "borrower.established": "成立日期 YYYY-MM-DD",
    "borrower.legal_rep": "法定代表人",
    "borrower.legal_rep.name": "姓名",
    "borrower.legal_rep.id_number": "居民身份证号（18 位）",
    "borrower.registered_capital": "注册资本（元）",
    "borrower.address": "住所（与营业执照一致）",
    "borrower.phone": "联系电话",
    "shareholders": "股东",
    "shareholders.name": "股东名称或姓名",
    "shareholders.uscc": "法人股东的统一社会信用代码",
    "shareholders.id_number": "自然人股东的居民身份证号",
    "shareholders.share": "持股比例（%）",
    "project": "开发项目",
    "project.name": "项目名称",
    "project.location": "项目坐落",
    "project.total_investment": "项目总投资（元）",
    "project.invested": "已到位的自筹资金（元）",
    "loan": "贷款",
    "loan.amount": "贷款金额（元）",
    "loan.term_months": "贷款期限（月）",
    "loan.contract_no": "固定资产借款合同编号，如 临农商固借字2026第0045号",
    "loan.purpose": "借款用途，如 云栖花园一期项目开发建设",
    "loan.rate": "年利率（%），如 4.35",
    "loan.repayment_source": "还款来源，如 项目销售回笼款",
    "loan.collateral": "抵押物清单，每项写明名称及权证号",
    "loan.supervised_account": "监管账户（项目资金封闭运作的专户）",
    "loan.supervised_account.name": "户名",
    "loan.supervised_account.number": "账号（数字）",
    "loan.supervised_account.bank": "开户行全称",
    "loan.application_date": "授信申请日期 YYYY-MM-DD",
    "loan.contract_date": "签约前汇签资料的出具日期 YYYY-MM-DD",
    "contractor": "施工单位",
    "contractor.name": "施工单位全称",
    "contractor.uscc": "施工单位统一社会信用代码",
    "contractor.legal_rep": "施工单位法定代表人",
    "contractor.legal_rep.name": "姓名",
    "contractor.legal_rep.id_number": "居民身份证号（18 位）",
    "contractor.qualification": "施工资质等级及证书编号，如 建筑工程施工总承包壹级（D133012345）",
    "contractor.contract_no": "建设工程施工合同编号",
    "contractor.contract_amount": "施工合同价款（元）",
    "contractor.account": "施工单位在贷款银行开立的工程款收款账户",
    "contractor.account.name": "户名",
    "contractor.account.number": "账号（数字）",
    "contractor.account.bank": "开户行全称",
    "meeting": "审议借款的股东会",
    "meeting.date": "会议日期 YYYY-MM-DD",
    "meeting.place": "会议地点",
    "meeting.chair": "会议主持人",
    "meeting.recorder": "会议记录人",
    "meeting.votes": "每位股东的表决意见（同意/反对/弃权），如“{李文涛: 同意}”",
    "meeting.agent": "股东会授权办理借款的经办人",
    "meeting.agent.name": "姓名",
    "meeting.agent.id_number": "居民身份证号（18 位）",
    "meeting.agent.position": "职务，如 财务负责人",
    "authorised_signatories": "有权签字人（附件七签字样本）",
    "authorised_signatories.name": "姓名",
    "authorised_signatories.id_number": "居民身份证号（18 位）",
    "authorised_signatories.role": "身份，如 法定代表人、授权经办人、财务负责人",
    "actual_controller": "实际控制人",
    "actual_controller.name": "姓名或名称",
    "actual_controller.id_number": "居民身份证号（自然人）",
    "actual_controller.uscc": "统一社会信用代码（法人）",
    "related_parties": "关联方（附件十声明函）",
    "related_parties.name": "关联方名称或姓名",
    "related_parties.uscc": "统一社会信用代码（法人）",
    "related_parties.id_number": "居民身份证号（自然人）",
    "related_parties.relation": "关联关系，如 控股股东控制的其他企业",
    "drawdowns": "提款计划（附件十一，每笔一份提款申请书）",
    "drawdowns.amount": "提款金额（元）",
    "drawdowns.date": "提款日期 YYYY-MM-DD",
    "drawdowns.purpose": "提款用途，如 支付主体结构工程款",
    "drawdowns.payee": "受托支付的收款人",
    "drawdowns.payee.name": "收款人户名",
    "drawdowns.payee.account": "收款人账号",
    "drawdowns.payee.bank": "收款人开户行",
}
