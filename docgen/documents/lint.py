"""Lint a Word template a bank edited: tags that cannot render, variables, East-Asian fonts.

``lint_docx(path, template=None)`` returns a ``LintReport``: ``variables`` (sorted top-level
names the tags use) and ``problems``, each ``{"code", "severity", "location", "message"}``.
Codes (stable):

- ``broken-tag`` (error): ``{{``/``}}`` or ``{%``/``%}`` unbalanced within a paragraph, or a tag
  running across paragraphs. Tags split across runs by Word but whole in the paragraph's text
  render fine (docxtpl merges them) and are not reported.
- ``unclosed-block`` / ``unexpected-end`` (error): ``{% if %}``/``{% for %}`` without its end tag,
  or an end tag without its opening tag.
- ``syntax`` (error): any other Jinja syntax error (e.g. ``{{ a b }}``, unknown tag).
- ``unknown-filter`` (error): ``{{ x|name }}`` where no filter ``name`` exists (a typo of
  ``amount_in_words`` …).
- ``unknown-variable`` (error): used in the document but not in the schema (rendering would fail).
- ``unused-variable`` (warning): required by the schema but used nowhere in the document (a
  field the schema declares unprinted, ``meta: {printed: false}``, is the metadata's alone).
- ``east-asian-font`` (warning for document defaults and styles, info for runs): a font is set
  without ``w:eastAsia``, so Chinese text falls back to whatever face the machine picks.
- ``east-asian-lang`` (warning): the document defaults do not declare ``w:lang w:eastAsia="zh-CN"``.
- ``ascii-punctuation`` (warning): ASCII ``, : ; ( ) ! ?`` beside Chinese text, where GB/T 15834
  wants the full-width ``，：；（）！？``, and ASCII quotes ``" '`` beside it, where it wants ``“…”``
  and ``‘…’`` (a tag counts as Chinese text: ``编号:{{ serial }}`` is flagged).

A location reads ``word/document.xml 第12段`` or ``word/document.xml 表格2 第3行 第1列``, and
the message quotes a snippet of the paragraph.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jmeta
from lxml import etree

from docgen.core.access import when_denied
from docgen.core import cnformat
from docgen.core.errors import TemplateError
from docgen.core.regularfile import read_regular
from docgen.core.typography import ascii_punctuation, ascii_quotes
from docgen.documents.engine import jinja_environment, paragraph_places, patched_sources, unknown_filter
from docgen.documents.messages import MESSAGES
from docgen.documents.paragraphs import SourcePlaces, in_part, places
from docgen.documents.template import Template, refuse_oversized_parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OPENERS = {"if", "for", "with", "macro", "call", "filter", "block", "raw", "set_block", "autoescape"}
_STATEMENT = re.compile(r"\{%-?\s*(?:(?:p|tr|tc|r)\s+)?([a-z_]+)([^%]*?)-?%\}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INJECTED = {"serial"}  # supplied by the register or the caller, not necessarily by the data


@dataclass
class LintProblem:
    """One finding of the linter: ``code`` and ``facts`` say what, ``message`` is their wording."""

    code: str
    severity: str  # error, warning, info
    location: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form: ``{"code", "severity", "location", "message"}``."""
        return {"code": self.code, "severity": self.severity, "location": self.location, "message": self.message}


@dataclass
class LintReport:
    """What the linter found: the names the template uses and every problem."""

    path: str
    variables: list[str] = field(default_factory=list)
    problems: list[LintProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem is an error (the template can render)."""
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: ``{"variables": [...], "problems": [...]}``."""
        return {"variables": self.variables, "problems": [p.to_dict() for p in self.problems]}


def _found(code: str, severity: str, location: str, variant: str | None = None, **facts: Any) -> LintProblem:
    """Return a ``LintProblem`` worded by the message table (``code/variant`` when a code has several)."""
    message = MESSAGES.text(f"{code}/{variant}" if variant else code, facts)
    return LintProblem(code, severity, location, message, facts)


@dataclass
class _Para:
    part: str
    location: str
    text: str


def _snippet(text: str, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paragraphs(part: str, root: etree._Element) -> list[_Para]:
    """Every paragraph of a part with its place (``paragraphs.places``, as render errors name it)."""
    return [_Para(part, in_part(part, place), "".join(t.text or "" for t in p.iter(f"{W}t")))
            for p, place in zip(root.iter(f"{W}p"), places(root))]


def _balance(para: _Para) -> list[LintProblem]:
    """Unbalanced delimiters within one paragraph's text (what docxtpl sees after merging runs)."""
    problems = []
    text = para.text
    for opening, closing, label in (("{{", "}}", "{{ }}"), ("{%", "%}", "{% %}"), ("{#", "#}", "{# #}")):
        depth = 0
        broken = False
        for token in re.findall(re.escape(opening) + "|" + re.escape(closing), text):
            depth += 1 if token == opening else -1
            if depth < 0 or depth > 1:
                broken = True
                break
        if broken or depth != 0:
            problems.append(_found("broken-tag", "error", para.location, tag=label, snippet=_snippet(text)))
    return problems


def _blocks(paras: list[_Para]) -> list[LintProblem]:
    """Block statements opened and never closed, or closed without being opened."""
    problems = []
    stack: list[tuple[str, _Para]] = []
    for para in paras:
        for keyword, rest in _STATEMENT.findall(para.text):
            if keyword in _OPENERS or (keyword == "set" and "=" not in rest):
                stack.append((keyword, para))
            elif keyword.startswith("end"):
                wanted = keyword[3:]
                if stack and stack[-1][0] == wanted:
                    stack.pop()
                elif any(k == wanted for k, _ in stack):
                    while stack and stack[-1][0] != wanted:
                        k, p = stack.pop()
                        problems.append(_found("unclosed-block", "error", p.location, keyword=k,
                                               snippet=_snippet(p.text)))
                    stack.pop()
                else:
                    problems.append(_found("unexpected-end", "error", para.location, keyword=keyword,
                                           opening=wanted, snippet=_snippet(para.text)))
    for keyword, para in stack:
        problems.append(_found("unclosed-block", "error", para.location, keyword=keyword, snippet=_snippet(para.text)))
    return problems


def _first_use(paras: list[_Para], name: str) -> _Para | None:
    pattern = re.compile(r"\{[{%][^}%]*\b" + re.escape(name) + r"\b")
    return next((p for p in paras if pattern.search(p.text)), None)


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


def _punctuation_problems(paras: list[_Para]) -> list[LintProblem]:
    """One ``ascii-punctuation`` warning per paragraph with ASCII marks or quotes beside Chinese text."""
    problems = []
    for para in paras:
        # A value printed by a tag is Chinese text; the tag's own syntax is not text at all.
        text = _TAG.sub("〇", para.text)
        marks = sorted(ascii_punctuation(text) + ascii_quotes(text))
        if marks:
            found = list(dict.fromkeys(m for _, m in marks))
            problems.append(_found("ascii-punctuation", "warning", para.location, marks=found,
                                   snippet=_snippet(para.text)))
    return problems


def _font_problems(members: dict[str, bytes], parts: dict[str, list[_Para]]) -> list[LintProblem]:
    problems: list[LintProblem] = []
    styles_xml = members.get("word/styles.xml")
    if styles_xml is None:
        return [_found("east-asian-font", "warning", "word/styles.xml", "no-styles")]
    styles = etree.fromstring(styles_xml)
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    rfonts = defaults.find(f"{W}rFonts") if defaults is not None else None
    if rfonts is None or (rfonts.get(f"{W}eastAsia") is None and rfonts.get(f"{W}eastAsiaTheme") is None):
        problems.append(_found("east-asian-font", "warning", MESSAGES.text("lint-where/style-defaults"), "defaults"))
    lang = defaults.find(f"{W}lang") if defaults is not None else None
    if lang is None or lang.get(f"{W}eastAsia") != "zh-CN":
        problems.append(_found("east-asian-lang", "warning", MESSAGES.text("lint-where/lang-defaults"),
                               lang=lang.get(f"{W}eastAsia") if lang is not None else None))
    for style in styles.findall(f"{W}style"):
        rf = style.find(f"{W}rPr/{W}rFonts")
        if rf is None:
            continue
        latin = rf.get(f"{W}ascii") or rf.get(f"{W}hAnsi")
        if latin and rf.get(f"{W}eastAsia") is None and rf.get(f"{W}eastAsiaTheme") is None:
            name_el = style.find(f"{W}name")
            name = name_el.get(f"{W}val") if name_el is not None else style.get(f"{W}styleId")
            problems.append(_found("east-asian-font", "warning", MESSAGES.text("lint-where/style", {"style": name}), "style",
                                   style=name, latin=latin))
    for part, xml in members.items():
        if part not in parts:
            continue
        root = etree.fromstring(xml)
        for p_el, para in zip(root.iter(f"{W}p"), parts[part]):
            for run in p_el.iter(f"{W}r"):
                rf = run.find(f"{W}rPr/{W}rFonts")
                text = "".join(t.text or "" for t in run.iter(f"{W}t"))
                if rf is None or not _CJK.search(text):
                    continue
                latin = rf.get(f"{W}ascii") or rf.get(f"{W}hAnsi")
                if latin and rf.get(f"{W}eastAsia") is None and rf.get(f"{W}eastAsiaTheme") is None:
                    problems.append(_found("east-asian-font", "info", para.location, "run",
                                           latin=latin, snippet=_snippet(text)))
                    break  # one per paragraph is enough
    return problems


def lint_docx(path: str | os.PathLike[str], template: Template | None = None) -> LintReport:
    """Lint the .docx at ``path``; with ``template``, compare its variables with the schema.

    Returns a ``LintReport``. Raises ``TemplateError`` when the file is not a .docx at all.
    """
    path = Path(path)
    try:
        data = read_regular(path)
    except OSError as exc:
        when_denied(exc, TemplateError, path)
        raise MESSAGES.error(TemplateError, "lint-unreadable", path=str(path), reason=exc.strerror) from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise MESSAGES.error(TemplateError, "lint-not-docx", path=str(path)) from None
    members: dict[str, bytes] = {}
    with archive:
        refuse_oversized_parts(archive, path)
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            try:
                members[name] = archive.read(name)
            # A member cut short, a broken deflate stream, a bad CRC, a password or a method
            # zipfile does not know: the file is damaged, whatever the library calls it.
            except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
                raise MESSAGES.error(TemplateError, "lint-damaged", path=str(path), member=name,
                                     reason=str(exc)[:120] or type(exc).__name__) from None
    if "word/document.xml" not in members:
        raise MESSAGES.error(TemplateError, "lint-no-document", path=str(path))
    report = LintReport(str(path))

    # Paragraph-level checks on every part that can hold tags.
    tag_parts = [n for n in members if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes)\.xml", n)]
    paras_by_part: dict[str, list[_Para]] = {}
    structural = False
    for part in sorted(tag_parts, key=lambda n: (n != "word/document.xml", n)):
        try:
            root = etree.fromstring(members[part])
        except etree.XMLSyntaxError as exc:
            report.problems.append(_found("syntax", "error", part, "xml", error=str(exc)))
            structural = True
            continue
        paras = _paragraphs(part, root)
        paras_by_part[part] = paras
        for para in paras:
            found = _balance(para)
            structural |= bool(found)
            report.problems.extend(found)
        found = _blocks(paras)
        structural |= bool(found)
        report.problems.extend(found)

    # Jinja's own parse of docxtpl's preprocessed XML: the authority on what renders.
    env = jinja_environment()
    names: set[str] = set()
    parsed_all = True
    sources = patched_sources(data, path)
    located: dict[str, SourcePlaces] | None = None  # worked out for a syntax error only
    all_paras = [p for ps in paras_by_part.values() for p in ps]
    for member, source, _, _ in sources:
        try:
            names |= jmeta.find_undeclared_variables(env.parse(source))
            env.from_string(source)  # compiling resolves filter and test names
        except jinja2.TemplateAssertionError as exc:
            # Jinja names the variables only of a part it can compile: without them every field
            # would look unused, so the comparison waits until the filter is mended.
            parsed_all = False
            name = unknown_filter(exc)
            if name is not None:
                para = next((p for p in all_paras if re.search(r"\|\s*" + re.escape(name) + r"\b", p.text)), None)
                report.problems.append(_found(
                    "unknown-filter", "error", para.location if para else member, filter=name,
                    available=", ".join(sorted(cnformat.FILTERS)), snippet=_snippet(para.text) if para else ""))
            else:
                report.problems.append(_found("syntax", "error", member, "assertion", error=exc.message))
        except jinja2.TemplateSyntaxError as exc:
            parsed_all = False
            if structural:
                continue  # already reported precisely above
            lines = source.splitlines()
            text = re.sub(r"<[^>]+>", "", lines[exc.lineno - 1]) if 0 < (exc.lineno or 0) <= len(lines) else ""
            if located is None:
                located = paragraph_places(data, path)
            place = located[member].at(exc.lineno) if member in located else None
            where = (in_part(member, place) if place
                     else MESSAGES.text("lint-where/preprocessed", {"part": member, "line": exc.lineno}))
            report.problems.append(_found("syntax", "error", where, "parse",
                                          error=exc.message, line=exc.lineno, snippet=_snippet(text)))
    report.variables = sorted(names)

    if template is not None and parsed_all:
        for name in template.unknown_names(report.variables):
            para = _first_use(all_paras, name)
            report.problems.append(_found(
                "unknown-variable", "error", para.location if para else "word/document.xml",
                name=name, template=template.name, snippet=_snippet(para.text) if para else ""))
        used = names | _INJECTED | template.unprinted_fields
        for name, rule in template.schema.items():
            if rule.get("required") and name not in used:
                report.problems.append(_found("unused-variable", "warning", "word/document.xml", name=name))

    for paras in paras_by_part.values():
        report.problems.extend(_punctuation_problems(paras))
    report.problems.extend(_font_problems(members, paras_by_part))
    return report


def format_text(report: LintReport) -> str:
    """Return the report for people: one line per problem, then a summary line."""
    lines = [MESSAGES.text("lint-text/problem", {"severity": p.severity, "code": p.code, "location": p.location,
                                                 "message": p.message}) for p in report.problems]
    lines.append(MESSAGES.text("lint-text/variables", {"path": report.path, "variables": report.variables}))
    lines.append(MESSAGES.text("lint-text/summary", {
        "errors": sum(p.severity == "error" for p in report.problems),
        "warnings": sum(p.severity == "warning" for p in report.problems)}))
    return "\n".join(lines) + "\n"
