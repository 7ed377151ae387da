"""Rows from Excel (.xlsx) or CSV files whose headers may be Chinese.

Back-office staff keep batch data and the loan ledger in Excel; what reaches us is an
``.xlsx`` workbook or a CSV saved by Excel (UTF-8, UTF-8 with BOM, or GB18030/GBK on
Chinese Windows). ``read_table`` maps each header to a canonical field name through the
aliases a template or ledger declares (``借款人`` -> ``borrower``), keeps the raw cell
values, and records cells that cannot be trusted -- an ID number Excel turned into a
number has already lost digits, so it is reported, never guessed back.

Used by ``docgen.batch`` and by the ledger reader of the NPL report.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.errors import InputError
from docgen.validation import Problem

__all__ = ["Row", "Table", "decode_text", "normalize_header", "read_table", "column_letter"]

_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}

# What Excel shows for a long digit string typed into a General cell and then saved as CSV.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
# A unit suffix that does not change the meaning of a header: 借款金额(元) is 借款金额.
_YUAN_SUFFIX = re.compile(r"[((]元[))]$")


@dataclass
class Row:
    """One data row.

    ``number`` is the spreadsheet row number as the user sees it (the header is row 1 when
    it is the first row); ``values`` maps canonical field -> raw cell value (``str``,
    ``int``, ``float``, ``datetime.date``, ``datetime.datetime`` or ``None`` for an empty
    cell); ``columns`` maps canonical field -> column label such as ``'D(证件号码)'``.
    """

    number: int
    values: dict[str, Any]
    columns: dict[str, str]


@dataclass
class Table:
    """A read spreadsheet: the canonical ``fields`` found, the ``rows`` (blank ones skipped),
    headers that matched no field (``unknown_headers``) and cell ``problems`` found while
    reading (numeric ID numbers and the like), each with row and column."""

    path: Path
    fields: list[str]
    rows: list[Row]
    unknown_headers: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def decode_text(data: bytes, source: str) -> str:
    """Return ``data`` decoded as text.

    Tries strict UTF-8 (a BOM is stripped), UTF-16 when a BOM says so (Excel's "Unicode
    text"), then strict GB18030 (a superset of GBK, what Excel writes on Chinese Windows),
    and only then charset-normalizer's best guess. Raises ``InputError`` naming ``source``
    when nothing decodes it.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - a detector failure is just "no guess"
        best = None
    if best is not None:
        return str(best)
    raise InputError(
        f"{source}: 无法识别文件编码(不是 UTF-8 或 GB18030/GBK)。请在 Excel 中另存为"
        "“CSV UTF-8(逗号分隔)”或 .xlsx 后重试"
    )


def normalize_header(text: Any) -> str:
    """Return the comparable form of a header: NFKC (full-width -> half-width), no spaces,
    lower case, a trailing '(元)' removed."""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"\s+", "", value).lower()
    value = value.lstrip("*")  # '*借款人' marks a required column in many bank sheets
    return _YUAN_SUFFIX.sub("", value)


def column_letter(index: int) -> str:
    """Return the Excel column letter of a 0-based column index (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _alias_map(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            key = normalize_header(name)
            if key and key not in lookup:
                lookup[key] = canonical
    return lookup


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    """Normalize one raw cell: stripped text, empty -> None, midnight datetimes -> date."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date()
        return value
    return value


# Built-in number formats that are dates. 14-22 and 45-47 everywhere; 27-36 and 50-58 are
# the East-Asian locale date formats (e.g. 31 = yyyy"年"m"月"d"日" on Chinese Excel).
_BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


class _Unsupported(Exception):
    """The fast reader met a workbook layout it does not handle; openpyxl takes over."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + (ord(ch) - 64)
        else:
            break
    return index - 1


_SI_RE = re.compile(r"<si>(.*?)</si>|<si/>", re.S)


def _shared_strings(data: bytes) -> list[str]:
    """The shared-string table. Plain XML is scanned with patterns (100,000 distinct names
    and loan numbers are common in a ledger); anything unusual goes through lxml."""
    text = data.decode("utf-8")
    items = _SI_RE.findall(text)
    if len(items) == text.count("<si>") + text.count("<si/>") and "<![CDATA[" not in text:
        out = []
        for body in items:
            if "<rPh" in body:  # phonetic guides are not part of the cell text
                body = _RPH_RE.sub("", body)
            out.append(_unescape("".join(_T_RE.findall(body))))
        return out
    from lxml import etree

    out = []
    for _, si in etree.iterparse(io.BytesIO(data), events=("end",), tag="{*}si"):
        out.append("".join(t.text or "" for t in si.iter("{*}t") if _local(t.getparent().tag) != "rPh"))
        si.clear()
    return out


def _xlsx_parts(archive: zipfile.ZipFile, sheet: str | None, path: Path) -> tuple[str, list[str], set[int], bool]:
    """Return (sheet part name, shared strings, date style indexes, 1904 epoch) of a workbook."""
    from lxml import etree
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    names = set(archive.namelist())
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    date1904 = False
    sheets: list[tuple[str, str]] = []
    for element in workbook.iter():
        local = _local(element.tag) if isinstance(element.tag, str) else ""
        if local == "workbookPr":
            date1904 = element.get("date1904", "0").lower() in ("1", "true")
        elif local == "sheet":
            rid = element.get(f"{{{_REL_NS}}}id") or element.get(f"{{{_STRICT_REL_NS}}}id")
            sheets.append((element.get("name", ""), rid or ""))
    if not sheets:
        raise _Unsupported("no sheets")
    if sheet is not None:
        chosen = [rid for name, rid in sheets if name == sheet]
        if not chosen:
            raise InputError(f"{path}: 找不到工作表 {sheet!r};现有工作表:{'、'.join(n for n, _ in sheets)}")
        rid = chosen[0]
    else:
        rid = sheets[0][1]
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = None
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
    if not target:
        raise _Unsupported("sheet relationship")
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    if part not in names:
        raise _Unsupported(part)

    strings: list[str] = []
    if "xl/sharedStrings.xml" in names:
        strings = _shared_strings(archive.read("xl/sharedStrings.xml"))

    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = etree.fromstring(archive.read("xl/styles.xml"))
        custom: dict[int, str] = {}
        for fmt in styles.iter("{*}numFmt"):
            try:
                custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
            except ValueError:
                continue
        for xfs in styles.iter("{*}cellXfs"):
            for index, xf in enumerate(x for x in xfs if _local(x.tag) == "xf"):
                try:
                    fmt_id = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
                if (fmt_id in _BUILTIN_DATE_IDS and fmt_id not in custom) or (code and is_date_format(code)):
                    date_styles.add(index)
    return part, strings, date_styles, date1904


def _lxml_rows(source: Any, ns: str, strings: list[str], date_styles: set[int], epoch: Any,
               expected: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """Rows of worksheet XML ``source`` (a file object) through lxml's iterparse."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel

    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    row_tag, v_tag, is_tag, t_tag, rph_tag = q("row"), q("v"), q("is"), q("t"), q("rPh")
    for _, row in etree.iterparse(source, events=("end",), tag=row_tag, huge_tree=True):
        number_text = row.get("r")
        number = int(number_text) if number_text else expected
        expected = number + 1
        values: list[Any] = []
        position = 0
        for cell in row:
            ref = cell.get("r")
            index = _column_index(ref) if ref else position
            position = index + 1
            kind = cell.get("t")
            value: Any = None
            if kind == "inlineStr":
                inline = cell.find(is_tag)
                if inline is None:
                    continue
                value = "".join(t.text or "" for t in inline.iter(t_tag) if t.getparent().tag != rph_tag)
            else:
                raw = cell.findtext(v_tag)
                if raw is None:
                    continue
                style = cell.get("s")
                value = _typed(kind or "n", raw, style is not None and int(style) in date_styles,
                               strings, epoch, from_excel, unescape=False)
            if index >= len(values):
                values.extend([None] * (index - len(values) + 1))
            values[index] = value
        row.clear()
        # Drop finished rows so memory stays flat on large sheets.
        parent = row.getparent()
        if parent is not None:
            while row.getprevious() is not None:
                del parent[0]
        yield number, values


def _typed(kind: str, raw: str, is_date: bool, strings: list[str], epoch: Any, from_excel: Any,
           unescape: bool) -> Any:
    """The Python value of a cell's ``<v>`` text given its type attribute ``t``."""
    if kind == "n":
        value: Any = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        if is_date:
            return from_excel(value, epoch)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if kind == "s":
        return strings[int(raw)]
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "d":
        return _dt.datetime.fromisoformat(raw.strip())
    # "str" (formula result) and "e" (error such as #N/A)
    return _unescape(raw) if unescape else raw


# Excel, LibreOffice, WPS, XlsxWriter and openpyxl all write a cell as <c r="B7" ...>, the
# reference first; a chunk where that does not hold for every cell is read by lxml instead.
_CELL_RE = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|><v>([^<]*)</v></c>|><is><t>([^<]*)</t></is></c>|>(.*?)</c>)', re.S)
_T_RE = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_RPH_RE = re.compile(r"<rPh\b.*?</rPh>", re.S)
_KIND_RE = re.compile(r'\st="(\w+)"')
_STYLE_RE = re.compile(r'\ss="(\d+)"')
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_CHUNK_CHARS = 1 << 22


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _ENTITIES[name]


def _unescape(text: str) -> str:
    return _ENTITY_RE.sub(_entity, text) if "&" in text else text


def _iter_xlsx_fast(path: Path, sheet: str | None) -> Iterator[tuple[int, Sequence[Any]]]:
    """Stream rows straight from the worksheet XML, several times faster than openpyxl.

    The worksheet is machine-written XML of a fixed shape, so each chunk of complete rows
    is scanned with one compiled pattern (no element objects: ~1 µs a cell instead of
    ~10); a chunk holding anything else is parsed by lxml. Shared strings, inline strings,
    booleans, formula results and date-formatted numbers come out as Excel shows them.
    This is what keeps a 100,000-loan ledger readable in seconds.
    """
    import codecs

    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    with zipfile.ZipFile(path) as archive:
        part, strings, date_styles, date1904 = _xlsx_parts(archive, sheet, path)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        with archive.open(part) as fh:
            decoder = codecs.getincrementaldecoder("utf-8")()
            buffer = ""
            ns: str | None = None
            attr_cache: dict[str, tuple[str, bool]] = {}
            col_cache: dict[str, int] = {}
            date_cache: dict[str, Any] = {}  # ledgers repeat the same dates thousands of times
            width = 0  # cells per row seen so far: rows start at this size, no growing
            current = -1
            values: list[Any] = []
            while True:
                block = fh.read(_CHUNK_CHARS)
                buffer += decoder.decode(block, final=not block)
                if ns is None:
                    root = re.search(r"<(?:(\w+):)?worksheet\b[^>]*>", buffer)
                    if root is None:
                        if block:
                            continue
                        raise _Unsupported("no worksheet element")
                    prefix = root.group(1)
                    found = re.search(rf'\sxmlns{":" + prefix if prefix else ""}="([^"]+)"', root.group(0))
                    ns = found.group(1) if found else ""
                    if prefix:
                        # <x:row><x:c …>: the patterns do not apply (and openpyxl's read-only
                        # mode sees no rows at all); lxml resolves the prefix.
                        with archive.open(part) as whole:
                            yield from _lxml_rows(whole, ns, strings, date_styles, epoch)
                        return
                end = buffer.rfind("</row>")
                if block and end < 0:
                    continue
                cut = end + len("</row>") if block else len(buffer)
                chunk, buffer = buffer[:cut], buffer[cut:]
                cells = _CELL_RE.findall(chunk)
                if len(cells) != chunk.count("<c ") or "<c>" in chunk or "<c/>" in chunk or "<![CDATA[" in chunk:
                    # Unusual markup: let lxml read this chunk's rows.
                    if current >= 0:
                        yield current, values
                        current, values = -1, []
                    first, last = chunk.find("<row"), chunk.rfind("</row>")
                    if first >= 0 and last > first:
                        fragment = f'<sheetData xmlns="{ns}">' if ns else "<sheetData>"
                        fragment += chunk[first:last + 6] + "</sheetData>"
                        yield from _lxml_rows(io.BytesIO(fragment.encode("utf-8")), ns, strings, date_styles,
                                              epoch)
                else:
                    for col, number_text, attrs, plain, inline, content in cells:
                        # ``plain``: the usual <c ...><v>x</v></c>, value already cut out;
                        # ``inline``: the usual inline string <is><t>x</t></is> (openpyxl).
                        number = int(number_text)
                        if number != current:
                            if current >= 0:
                                yield current, values
                            current, values = number, [None] * width
                        if not plain and not content:
                            if inline:
                                index = col_cache.get(col)
                                if index is None:
                                    index = col_cache[col] = _column_index(col)
                                if index >= width:
                                    values.extend([None] * (index - len(values) + 1))
                                    width = len(values)
                                values[index] = _unescape(inline)
                            continue
                        info = attr_cache.get(attrs)
                        if info is None:
                            kind_match, style_match = _KIND_RE.search(attrs), _STYLE_RE.search(attrs)
                            info = (kind_match.group(1) if kind_match else "n",
                                    bool(style_match) and int(style_match.group(1)) in date_styles)
                            attr_cache[attrs] = info
                        kind, is_date = info
                        index = col_cache.get(col)
                        if index is None:
                            index = col_cache[col] = _column_index(col)
                        if plain:
                            raw = plain
                            if kind == "s":
                                value: Any = strings[int(raw)]
                            elif is_date:
                                value = date_cache.get(raw)
                                if value is None:
                                    value = date_cache[raw] = _typed(kind, raw, True, strings, epoch, from_excel, True)
                            else:
                                value = _typed(kind, raw, False, strings, epoch, from_excel, unescape=True)
                        elif kind == "inlineStr":
                            if "<rPh" in content:
                                content = _RPH_RE.sub("", content)
                            value = _unescape("".join(_T_RE.findall(content)))
                        else:
                            start = content.find("<v>")
                            if start < 0:
                                found_v = re.search(r"<v(?:\s[^>]*)?>(.*?)</v>", content, re.S)
                                if found_v is None:
                                    continue
                                raw = found_v.group(1)
                            else:
                                raw = content[start + 3:content.find("</v>", start)]
                            if kind == "s":
                                value = strings[int(raw)]
                            elif is_date:
                                value = date_cache.get(raw)
                                if value is None:
                                    value = date_cache[raw] = _typed(kind, raw, True, strings, epoch, from_excel, True)
                            else:
                                value = _typed(kind, raw, False, strings, epoch, from_excel, unescape=True)
                        if index >= width:
                            values.extend([None] * (index - len(values) + 1))
                            width = len(values)
                        values[index] = value
                if not block:
                    break
            if current >= 0:
                yield current, values


def _iter_xlsx_openpyxl(path: Path, sheet: str | None) -> Iterator[tuple[int, Sequence[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise InputError(f"{path}: 找不到工作表 {sheet!r};现有工作表:{'、'.join(workbook.sheetnames)}")
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        # Files written by other tools often carry a wrong <dimension>; without this
        # read-only mode would silently drop rows or columns beyond it.
        worksheet.reset_dimensions()
        yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _iter_xlsx(path: Path, sheet: str | None) -> Iterator[tuple[int, Sequence[Any]]]:
    """Yield (row number, cell values) of a worksheet; InputError when it cannot be read."""
    try:
        try:
            yield from _iter_xlsx_fast(path, sheet)
            return
        except _Unsupported:
            pass
        yield from _iter_xlsx_openpyxl(path, sheet)
    except InputError:
        raise
    except zipfile.BadZipFile:
        raise InputError(f"{path}: 不是有效的 .xlsx 文件(文件损坏或并非 Excel 工作簿)。请用 Excel 另存为 .xlsx 后重试") from None
    except Exception as exc:  # damaged workbooks fail in many ways; the user needs one clear line
        raise InputError(f"{path}: 无法读取 Excel 文件({type(exc).__name__}: {exc})。请用 Excel 另存为 .xlsx 后重试") from None


def _iter_csv(path: Path) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: 无法读取文件({exc.strerror})") from None
    text = decode_text(data, str(path))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Row numbers count records, which is what Excel shows when it opens the CSV.
        for number, values in enumerate(reader, start=1):
            yield number, values
    except csv.Error as exc:
        raise InputError(f"{path}: 第{reader.line_num}行 CSV 格式错误({exc})") from None


def read_table(
    path: str | Path,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Iterable[str] = (),
    text_fields: Iterable[str] = (),
    sheet: str | None = None,
) -> Table:
    """Read ``path`` (.xlsx/.xlsm or .csv) into a ``Table`` of canonical fields.

    The header is the first non-blank row; each header cell is matched (after
    ``normalize_header``) to a canonical field by its name or one of its ``aliases``.
    Blank rows are skipped. For ``text_fields`` (ID numbers, contract numbers) a numeric
    cell, or CSV text in scientific notation, is recorded in ``Table.problems`` with its
    row and column: Excel has already lost digits or leading zeros.

    Raises ``InputError`` (naming the file) when the file cannot be read, has no header,
    lacks a ``required`` header, or has two columns for the same field.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"{path}: 文件不存在")
    if suffix in _EXCEL_SUFFIXES:
        source = _iter_xlsx(path, sheet)
    elif suffix in _CSV_SUFFIXES:
        source = _iter_csv(path)
    elif suffix == ".xls":
        raise InputError(f"{path}: 不支持旧版 .xls 格式。请在 Excel 中另存为 .xlsx 或 CSV UTF-8 后重试")
    else:
        raise InputError(f"{path}: 无法识别的表格格式 {suffix or '(无扩展名)'};请提供 .xlsx 或 .csv 文件")

    lookup = _alias_map(aliases)
    text_set = set(text_fields)
    header: list[tuple[int, str, str, str]] | None = None  # (index, field, column label, title)
    unknown: list[str] = []
    columns: dict[str, str] = {}
    rows: list[Row] = []
    problems: list[Problem] = []

    for number, values in source:
        if header is None:
            if all(_is_blank(v) for v in values):
                continue
            header = []
            seen: dict[str, str] = {}
            for index, cell in enumerate(values):
                if _is_blank(cell):
                    continue
                title = str(cell).strip()
                canonical = lookup.get(normalize_header(title))
                label = f"{column_letter(index)}({title})"
                if canonical is None:
                    unknown.append(title)
                    continue
                if canonical in seen:
                    raise InputError(
                        f"{path}: 表头重复:{seen[canonical]} 与 {label} 都对应字段 {canonical};请删除或改名其中一列"
                    )
                seen[canonical] = label
                header.append((index, canonical, label, title))
            columns = {canonical: label for _, canonical, label, _ in header}
            missing = [name for name in required if name not in columns]
            if missing:
                wanted = "、".join(
                    f"{(list(aliases.get(name, ())) or [name])[0]}({name})" for name in missing
                )
                raise InputError(f"{path}: 第{number}行表头缺少必需的列:{wanted};请在表头加上这些列")
            continue

        width = len(values)
        record: dict[str, Any] = {}
        blank = True
        for index, canonical, label, title in header:
            raw = values[index] if index < width else None
            value = _clean(raw)
            if value is not None:
                blank = False
            if canonical in text_set and value is not None:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    problems.append(Problem(
                        canonical,
                        f"{title}被 Excel 存成了数字(位数可能已丢失),"
                        "请把该列设为文本后重新录入",
                        row=number, column=label,
                    ))
                elif isinstance(value, str) and _SCIENTIFIC.match(value):
                    problems.append(Problem(
                        canonical,
                        f"{title}是科学计数法 {value}(Excel 已丢失位数),"
                        "请把该列设为文本后重新录入",
                        row=number, column=label,
                    ))
            record[canonical] = value
        if blank:
            continue
        rows.append(Row(number, record, columns))

    if header is None:
        raise InputError(f"{path}: 表格是空的,找不到表头行")
    return Table(path=path, fields=list(columns), rows=rows, unknown_headers=unknown,
                 problems=problems, columns=columns)
