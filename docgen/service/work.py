"""The work the service does in worker processes: checks, row and ledger reading, and jobs.

Everything here runs in a spawned process (``ProcessRunner`` for jobs, the compute pool for
work a request waits for), so it takes and returns plain data. Errors that belong to the
user's input come back as ``Failure`` dicts (message, exit code, problems) rather than
exceptions, whose extra fields would not survive the trip between processes.
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import logging
import shutil
import time
import zipfile
from pathlib import Path
from collections.abc import Callable
from typing import Any

from docgen.core.errors import DocgenError, ProblemsError, SerialConflictError
from docgen.core.messages import MESSAGES as CORE
from docgen.core.userdirs import is_database_url
from docgen.service.i18n import LANGS
from docgen.service.jobs import RECORD_EVERY, JobEnd, discard_stale_run, run_folder, worded_error
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.settings import Settings
from docgen.service.storage import STATUS as UNAVAILABLE, StorageProblem, storage_problem

log = logging.getLogger("docgen.service")
#: The answer to a request the register's state refuses (as a job in the wrong state is refused).
CONFLICT = 409


def failure(exc: DocgenError, replace: dict[str, str] | None = None, lang: str = "zh") -> dict[str, Any]:
    """Return ``exc`` as plain data: ``{"error", "exit_code", "problems"}``; stored paths in the
    message are replaced by what the user called the file (``replace``: stored -> shown).

    ``lang`` ``en`` (the pages of a user who reads English) words the error and its problems in
    English by their codes and facts where the check, loans, documents and core tables have English for
    them (``docgen.check.messages.in_english``, as ``docgen check --lang en`` does; a ledger's, a plan's or
    a report's by the loans table; a template's data, its filling, the register's and a PDF conversion's
    by the documents table); else in Chinese.

    An error that is the service's storage failing (a result, the register or an upload that
    cannot be written: ``docgen.service.storage``) is that one line instead (in English only for
    ``en``), with ``"status":
    503`` and ``"kind": "storage"``; a serial the register refuses (``SerialConflictError``) has
    ``"status": 409``.
    """
    problem = storage_problem(exc)
    if problem is not None:
        return {"error": problem.english if lang == "en" else problem.message, "exit_code": 2, "problems": [],
                "kind": "storage", "status": UNAVAILABLE}
    said = _wording(lang)[0]
    message = _shown(said(exc).split("\n", 1)[0] if isinstance(exc, ProblemsError) else said(exc), replace or {})
    problems = problems_in(getattr(exc, "problems", []), lang, replace)
    out = {"error": message, "exit_code": exc.exit_code, "problems": problems,
           "kind": "rows" if isinstance(exc, ProblemsError) else "input"}
    if isinstance(exc, SerialConflictError):  # the register's state, not the data's form, refuses it
        out["status"] = CONFLICT
    return out


def problems_in(problems: list[Any], lang: str, replace: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Return ``problems`` (``Problem``) as their JSON form, worded in ``lang`` as ``failure`` words an
    error's problems, stored paths replaced by what the user called the file (``replace``)."""
    problem_said = _wording(lang)[1]
    out = [{**p.to_dict(), "message": _shown(problem_said(p), replace or {})} for p in problems]
    if lang == "en":  # a column is its letter and the sheet's own header: T（诉讼状态） reads T (诉讼状态)
        from docgen.core.messages import english_column

        out = [{**p, "column": english_column(p["column"])} if p.get("column") else p for p in out]
    return out


def worded(exc: DocgenError, lang: str) -> str:
    """Return ``exc``'s message in ``lang`` as ``failure`` words it (its own Chinese when ``lang`` is
    not ``en`` or no table has English for its code)."""
    return _wording(lang)[0](exc)


def _wording(lang: str) -> tuple[Callable[[DocgenError], str], Callable[[Any], str]]:
    """Return how ``failure`` words an error and one of its problems in ``lang``."""
    from docgen.service.messages import ON_SERVICE

    if lang != "en":
        # a sentence telling the user to pass a command-line option says what to do on the service
        return (lambda exc: ON_SERVICE.text(exc.code, exc.facts) if exc.code in ON_SERVICE.codes() else str(exc),
                lambda problem: problem.message)
    from docgen.check.messages import in_english, problem_in_english
    from docgen.documents.messages import MESSAGES as DOCUMENTS
    from docgen.loans.messages import MESSAGES as LOANS

    tables = (LOANS, SERVICE, DOCUMENTS)

    def said(exc: DocgenError) -> str:
        # Parts share some codes (rows-rejected/stopped is the service's and the documents'): the
        # table that worded the error is the one whose Chinese is the error's own.
        if exc.code in ON_SERVICE.codes("en"):
            return ON_SERVICE.text(exc.code, exc.facts, "en")
        own = str(exc.args[0]) if exc.args else str(exc)
        for table in tables:
            if exc.code in table.codes("en") and table.text(exc.code, exc.facts) == own:
                return table.text(exc.code, exc.facts, "en")
        return in_english(exc)

    def problem_said(problem: Any) -> str:
        table = next((table for table in (LOANS, DOCUMENTS) if problem.code in table.codes("en")), CORE)
        said = problem_in_english(problem, table)
        # a batch item given with its key ((key, data), the letters job's) is named by it in its
        # message ("keyed"), which the code's English alone would drop
        key = problem.facts.get("key")
        if key is not None and said != problem.message and problem.message.startswith(
                DOCUMENTS.text("keyed", {"key": key, "message": ""})):
            said = DOCUMENTS.text("keyed", {"key": key, "message": said}, "en")
        return said

    return said, problem_said


# ------------------------------------------------------------------ work a request waits for

def check_task(bundle: str, shown: str, as_of: str, stage: str | None, lang: str) -> dict[str, Any]:
    """Check ``bundle`` (a stored upload) as ``docgen check`` would, with ``shown`` as its name.

    Returns ``{"report": §5 JSON dict, "lang", "outputs", "complete", "client", "stage_titles",
    "messages"}`` or a ``failure`` (worded in ``lang``). The report is in ``lang``; ``outputs`` holds its
    files in every language (``{"zh": {"json", "markdown", "docx" (base64)}, "en": {...}}``) and
    ``messages`` its findings' sentences (``{"zh": [...], "en": [...]}``, in the report's order), so
    that its page and its downloads can be read in either.
    """
    from docgen.check.output import render_report
    from docgen.check.report import run_check

    try:
        report = run_check(bundle, stage=stage, as_of=_dt.date.fromisoformat(as_of))
        rendered = {each: {fmt: render_report(report, fmt, each).rendered for fmt in ("json", "markdown", "docx")}
                    for each in LANGS}
    except DocgenError as exc:
        return {"failure": failure(exc, {bundle: shown}, lang)}

    def shown_as(text: str) -> str:
        return text.replace(json.dumps(bundle, ensure_ascii=False)[1:-1], json.dumps(shown, ensure_ascii=False)[1:-1])

    outputs = {each: {"json": shown_as(str(made["json"])), "markdown": str(made["markdown"]).replace(bundle, shown),
                      "docx": base64.b64encode(made["docx"]).decode()}  # type: ignore[arg-type]
               for each, made in rendered.items()}
    return {
        "report": json.loads(outputs[lang]["json"]), "lang": lang, "outputs": outputs,
        "complete": report.complete, "client": client_key(report.bundle_yaml, shown),
        "stage_titles": {stage.id: dict(stage.title) for stage in report.checklist.stages},
        "messages": {each: [f.message(each).replace(bundle, shown) for f in report.findings] for each in ("zh", "en")},
    }


def client_key(bundle_yaml: dict[str, Any] | None, shown: str) -> str:
    """Return who a bundle belongs to: the borrower's USCC, else its name, else the upload's name."""
    borrower = (bundle_yaml or {}).get("borrower")
    if isinstance(borrower, dict):
        for key in ("uscc", "name"):
            value = borrower.get(key)
            if isinstance(value, (str, int)) and str(value).strip():
                return str(value).strip()
    return shown


def draft_task(bundle: str, shown: str, annexes: list[int], out: str, register: str, pdf: bool,
               as_of: str, lang: str = "zh") -> dict[str, Any]:
    """Draft the annexes of an uploaded bundle into ``out`` (DESIGN §10); return
    ``{"bundle", "annexes"}`` with local paths, or a failure worded in ``lang``."""
    from docgen.documents.draft import draft_annexes

    try:
        result = draft_annexes(bundle, annexes=annexes or None, out_dir=out, pdf=pdf, register_path=register,
                               as_of=_dt.date.fromisoformat(as_of))
    except DocgenError as exc:
        return {"failure": failure(exc, {bundle: shown}, lang)}
    data = result.to_dict()
    data["bundle"] = shown
    data["complete"] = result.complete
    return data


def rows_task(template: str, rows: str, shown: str, defaults: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """Read and check batch rows without generating; return ``{"rows", "problems", "stopped"}``
    (``stopped``: the row where checking stopped, past ``MAX_BAD_ROWS`` bad rows; else None) or a failure;
    the problems and the failure worded in ``lang``."""
    from docgen.documents.batch import check_rows, read_rows, resolve_template

    try:
        tpl = resolve_template(template)
        table = read_rows(tpl, rows, defaults=defaults)
        problems, stopped = check_rows(table, tpl)
    except DocgenError as exc:
        return {"failure": failure(exc, {rows: shown}, lang)}
    return {"rows": len(table.rows), "problems": problems_in(problems, lang, {rows: shown}), "stopped": stopped}


def render_task(template: str, data: dict[str, Any], register: str, out: str, pdf: bool,
                lang: str = "zh") -> dict[str, Any]:
    """Fill one template from ``data`` into ``out`` as ``docgen render`` does (``render_named``):
    the data's serial recorded in the register, or one the register issues by the key field.

    Returns ``{"docx", "pdf", "serial", "sha256"}`` or a failure worded in ``lang`` (``problems`` per
    field; a serial the register holds for another document, or another serial for this one, with
    ``status`` 409).
    The register is named by its file name only, never the server's folders.
    """
    from docgen.documents.register import sha256_file
    from docgen.documents.render import render_named
    from docgen.documents.template import load_template

    try:
        done = render_named(load_template(template), data, out, register_path=register)
        pdf_path = None
        if pdf:
            from docgen.documents.pdf import convert_to_pdf

            pdf_path = str(convert_to_pdf([done.path], done.path.parent)[0])
    except DocgenError as exc:
        return {"failure": failure(exc, {} if is_database_url(register) else
                                   {str(Path(register).expanduser()): Path(register).name}, lang)}
    return {"docx": str(done.path), "pdf": pdf_path, "serial": done.serial, "sha256": sha256_file(done.path)}


def ledger_task(ledger: str, shown: dict[str, str], policy: str | None, lang: str = "zh") -> dict[str, Any]:
    """Read the ledger at ``ledger`` as the letters job will: with the vocabulary of the collection
    policy at ``policy`` (None: the shipped one), loaded first, as the plan loads it; then check that
    the policy can sign letters (``check_letters_policy``), which the shipped one cannot.

    Every row is validated, a block at a time (no loan is kept), so a ledger's refusal is the plan's
    for the same files. Returns ``{"loans": count}`` or a failure worded in ``lang`` with what the user
    called the files (``shown``: stored path -> name); the shipped policy is named as such
    (``letters-default-policy``), never by its path on the server.
    """
    from docgen.core.errors import InputError
    from docgen.loans.ledger import iter_ledger_blocks
    from docgen.loans.letters import check_letters_policy
    from docgen.loans.plan import load_policy

    try:
        pol = load_policy(policy)
        loans = sum(len(block) for block in iter_ledger_blocks(ledger, vocabulary=pol.vocabulary))
        # Every letter the job issues is signed by the policy's bank and names a branch's contact: a
        # policy without them fails the job as soon as a letter is due, so it is refused here.
        if policy is None and not (pol.branches and pol.bank_legal_name):
            raise SERVICE.error(InputError, "letters-default-policy")
        check_letters_policy(pol)
        return {"loans": loans}
    except DocgenError as exc:
        return {"failure": failure(exc, shown, lang)}


def same_file(path: str, sha256: str | None, shown: dict[str, str]) -> None:
    """Raise ``InputError`` (exit 2) unless the file at ``path`` is there (with content ``sha256``
    when given): a job reads the input its request checked and audited, or nothing."""
    from docgen.core.errors import InputError
    from docgen.documents.register import sha256_file

    name = shown.get(path, Path(path).name)
    try:
        if not Path(path).is_file():  # the retention sweep took it (or a folder stands there)
            raise FileNotFoundError(path)
        found = sha256_file(path) if sha256 else None
    except OSError:
        raise SERVICE.error(InputError, "job-input-gone", name=name) from None
    if found != sha256:
        raise SERVICE.error(InputError, "job-input-changed", name=name, sha256=(sha256 or "")[:12])


def plan_task(ledger: str, shown: dict[str, str], as_of: str, policy: str | None, register: str,
              xlsx: str | None, lang: str = "zh") -> dict[str, Any]:
    """Build the collection plan (and its .xlsx at ``xlsx``); return ``{"plan"}`` or a failure worded
    in ``lang``.

    ``shown``: stored path -> what the user called the file (the ledger's, the policy's), for messages.
    """
    from docgen.loans.letters import issued_keys
    from docgen.loans.plan import load_policy, plan_ledger

    try:
        pol = load_policy(policy)  # its vocabulary reads the ledger, as `docgen collect plan --policy` does
        plan = plan_ledger(ledger, _dt.date.fromisoformat(as_of), pol, issued=lambda: issued_keys(register))
        if xlsx:
            from docgen.loans.plan_output import write_xlsx

            write_xlsx(plan, xlsx)
    except DocgenError as exc:
        return {"failure": failure(exc, shown, lang)}
    return {"plan": json.loads(json.dumps(plan.to_list(), ensure_ascii=False, default=str))}


def npl_task(ledger: str, opening: str | None, targets: str | None, notes: str | None, period: str,
             shown: dict[str, str], chart: bool, docx: str | None, report_later: bool = False,
             policy: str | None = None, lang: str = "zh") -> dict[str, Any]:
    """Compute the NPL figures (§8 JSON), optionally the chart (base64 PNG) and the .docx at ``docx``.

    ``report_later``: the .docx will be written by a job; refuse now what would make it fail
    (no unit to sign it). ``policy``: the collection policy file, read as ``npl-report --policy``
    reads it (its vocabulary reads both ledgers; its grace days and timetable drive the flags and
    ``to_sue``); None is the shipped policy. Returns ``{"figures", "warnings", "chart"?}`` or a failure;
    the chart and the failure are in ``lang``.
    """
    try:
        return _npl_figures(ledger, opening, targets, notes, period, shown, chart, docx, report_later, policy, lang)
    except DocgenError as exc:  # before ValueError: InvalidValueError is both, and names a stored file
        return {"failure": failure(exc, shown, lang)}
    except ValueError as exc:  # the period
        return {"failure": {"error": str(exc), "exit_code": 2, "problems": [], "kind": "input"}}


def _npl_figures(ledger: str, opening: str | None, targets: str | None, notes: str | None, period: str,
                 shown: dict[str, str], chart: bool, docx: str | None, report_later: bool, policy: str | None,
                 lang: str) -> dict[str, Any]:
    """Return what ``npl_task`` returns but a failure: raises the ``DocgenError`` (or the period's
    ``ValueError``) that stops the report, so that a job words it in both languages (``run_handler``)."""
    import warnings

    from docgen.loans.npl import parse_period
    from docgen.loans.npl_report import build_report, render_chart
    from docgen.loans.plan import load_policy

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        result = build_report(ledger, period=parse_period(period), opening=opening, targets=targets, notes=notes,
                              output=docx, check_unit=report_later, policy=load_policy(policy))
    out: dict[str, Any] = {"figures": json.loads(json.dumps(result.figures.to_dict(), default=str)),
                           "warnings": [_shown(str(w.message), shown) for w in caught]}
    if chart:
        out["chart"] = base64.b64encode(render_chart(result.figures, dpi=100, lang=lang)).decode()
    return out


#: Each job kind's stored inputs: parameter holding the path -> parameter holding its SHA-256 (None:
#: none recorded), as ``job_check_task`` finds them before the job is queued. The first is the job's
#: main input, always recorded: its SHA-256 is the one the job's audit entries name.
JOB_INPUTS: dict[str, dict[str, str | None]] = {
    "batch": {"rows": "rows_sha256"},
    "letters": {"ledger": "ledger_sha256", "policy": "policy_sha256"},
    "npl-report": {"ledger": "ledger_sha256", "opening": None, "targets": None, "notes": None,
                   "policy": "policy_sha256"},
}


def same_inputs(kind: str, params: dict[str, Any]) -> None:
    """Raise ``InputError`` (``same_file``) unless every stored input of a job of ``kind`` with
    ``params`` is there, with the SHA-256 recorded when it was checked."""
    for field, digest in JOB_INPUTS[kind].items():
        if params.get(field):
            same_file(params[field], params.get(digest) if digest else None, params.get("shown") or {})


def job_check_task(kind: str, params: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """Check the input of a job of ``kind`` with ``params`` as its handler will read it, before the
    job is queued: when it is started and when it is run again (a stored file since deleted,
    changed, or no longer valid under this version's rules is refused then, not by the job).

    Every stored input must be there, with its recorded SHA-256; then a letters job's ledger is read
    (``ledger_task``), a batch's rows checked (``rows_task``), an NPL report's figures computed as
    its job will (``npl_task``, ``report_later``). Returns what that task returns (a batch's
    ``problems`` and ``stopped`` included) or a failure worded with the names the user gave, in ``lang``.
    """
    shown = params.get("shown") or {}
    try:
        same_inputs(kind, params)
    except DocgenError as exc:
        return {"failure": failure(exc, shown, lang)}
    if kind == "letters":
        return ledger_task(params["ledger"], shown, params.get("policy"), lang)
    if kind == "batch":
        return rows_task(params["template"], params["rows"], params["rows_name"], params.get("defaults") or {}, lang)
    return npl_task(params["ledger"], params.get("opening"), params.get("targets"), params.get("notes"),
                    params["period"], shown, chart=False, docx=None, report_later=True, policy=params.get("policy"),
                    lang=lang)


def _shown(text: str, shown: dict[str, str]) -> str:
    """Return ``text`` with each stored path in ``shown`` replaced by what the user called the file."""
    for stored, name in shown.items():
        text = text.replace(stored, name)
    return text


# ------------------------------------------------------------------------------------ jobs

class _Progress:
    """Write the progress of the running ``job`` (in its run) to the database at most every 0.3 s
    (and at each stage's end)."""

    def __init__(self, store: Any, job: dict[str, Any], stages: int) -> None:
        self.store, self.job_id, self.run, self.stages = store, job["id"], job["run"], stages
        self.offset: dict[str, int] = {}
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.offset:
            self.offset[stage] = len(self.offset)
        index = self.offset[stage]
        now = time.monotonic()
        if done < total and now - self.last < 0.3:
            return
        self.last = now
        overall_total = total * self.stages
        self.store.progress(self.job_id, total * index + done, overall_total, run=self.run)


def _zip(target: Path, members: list[tuple[Path, str]]) -> None:
    from docgen.core.atomic import atomic_output

    with atomic_output(target) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, arcname in members:
            # A PDF's streams are compressed already: deflating it again costs time and saves nothing.
            zf.write(path, arcname, zipfile.ZIP_STORED if path.suffix.lower() == ".pdf" else None)


def _batch_job(settings: Settings, job: dict[str, Any], store: Any) -> dict[str, Any]:
    from docgen.documents.batch import generate, read_rows, resolve_template
    from docgen.documents.register import Register

    p = job["params"]
    out = run_folder(job)
    letters = out / "letters"
    merged = letters / f"{p['template']}-打印.pdf" if p["pdf"] else None
    progress = _Progress(store, job, 2 if p["pdf"] else 1)
    with Register(settings.register_path) as register:
        template = resolve_template(p["template"])
        table = read_rows(template, p["rows"], defaults=p.get("defaults") or {})
        result = generate(template, table, letters, register=register, pdf=p["pdf"], merge_pdf=merged,
                          progress=progress, rows_source=p["rows_name"])
    if result.in_progress:  # as a split batch's assembly: a job done without them would hide them
        raise _JobFailure.of("rows-held", {"count": len(result.in_progress), "first": result.in_progress[0]})
    members = [(d.file, f"letters/{d.file.name}") for d in result.documents if d.file.is_file()]
    members += [(d.pdf, f"letters/{d.pdf.name}") for d in result.documents if d.pdf and d.pdf.is_file()]
    extras = [x for x in (result.merged, result.manifest_csv, result.manifest_json) if x is not None]
    members += [(x, x.name) for x in extras]
    bundle = out / f"{p['template']}-{job['id']}.zip"
    _zip(bundle, members)
    store.add_file(job, bundle)
    for extra in extras:
        store.add_file(job, extra)
    serials = [d.serial for d in result.written]
    return {"template": p["template"], "written": len(result.written), "skipped": len(result.skipped),
            "serials": serials, "pdf": bool(p["pdf"]), "audit": {"action": "generate", "target": p["template"],
                                                                  "sha256": p["rows_sha256"], "serials": serials}}


def _letters_job(settings: Settings, job: dict[str, Any], store: Any) -> dict[str, Any]:
    from docgen.documents.register import Register
    from docgen.loans.ledger import read_ledger
    from docgen.loans.letters import make_letters
    from docgen.loans.plan import load_policy

    p = job["params"]
    out = run_folder(job)
    letters = out / "letters"
    merged = letters / "催收函-打印.pdf" if p["pdf"] else None
    policy = load_policy(p.get("policy"))
    loans = read_ledger(p["ledger"], vocabulary=policy.vocabulary).loans
    with Register(settings.register_path) as register:
        result = make_letters(loans, _dt.date.fromisoformat(p["as_of"]), letters, policy=policy, register=register,
                              pdf=p["pdf"], merge_pdf=merged, progress=_Progress(store, job, 2 if p["pdf"] else 1))
    if result.held:  # as a batch's rows held: a job done without them would hide them
        raise _JobFailure.of("letters-held", {"count": len(result.held), "first": result.held[0].loan_no})
    from docgen.core.atomic import write_text_atomic

    summary = result.to_dict()
    write_text_atomic(out / "letters.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")
    members = [(f, f"letters/{f.name}") for f in sorted(letters.glob("*")) if f.is_file() and not f.name.startswith(".")]
    members.append((out / "letters.json", "letters.json"))
    bundle = out / f"催收函-{p['as_of']}-{job['id']}.zip"
    _zip(bundle, members)
    store.add_file(job, bundle)
    serials = [o.serial for o in result.written if o.serial]
    return {"due": result.due, "written": len(result.written), "skipped": len(result.skipped),
            "refused": [SERVICE.text("letter-refused", {"loan_no": o.loan_no, "message": _refusal(o, "zh")})
                        for o in result.refused],
            # the English job page's list (the API's answer keeps the Chinese above)
            "refused_en": [SERVICE.text("letter-refused", {"loan_no": o.loan_no, "message": _refusal(o, "en")}, "en")
                           for o in result.refused], "serials": serials,
            "audit": {"action": "generate", "target": "demand-letter (collect letters)",
                      "sha256": p["ledger_sha256"], "serials": serials}}


def _refusal(outcome: Any, lang: str) -> str:
    """Return why the letters job could not issue a letter (``outcome``, refused) in ``lang``: as the
    service words it where the loans part tells the user to pass a command-line option (``ON_SERVICE``)."""
    from docgen.service.messages import ON_SERVICE

    if outcome.code in ON_SERVICE.codes(lang):
        return ON_SERVICE.text(outcome.code, outcome.facts, lang)
    return outcome.message if lang == "zh" else outcome.worded(lang)


def _npl_job(settings: Settings, job: dict[str, Any], store: Any) -> dict[str, Any]:
    """Write the NPL report .docx of the job's ledgers (checked by the request that started it)."""
    p = job["params"]
    store.progress(job["id"], 0, 1, run=job["run"])
    target = run_folder(job) / f"不良贷款报告-{p['period']}.docx"
    try:  # a DocgenError ends the job worded in both languages, as any job's (``run_handler``)
        done = _npl_figures(p["ledger"], p.get("opening"), p.get("targets"), p.get("notes"), p["period"],
                            p.get("shown") or {}, False, str(target), False, p.get("policy"), "zh")
    except DocgenError:
        raise
    except ValueError as exc:  # the period, checked when the job was started
        raise _JobFailure(str(exc)) from None
    store.add_file(job, target)
    store.progress(job["id"], 1, 1, run=job["run"])
    return {"period": p["period"], "warnings": done["warnings"],
            "audit": {"action": "report", "target": f"npl-report {p['period']}", "sha256": p["ledger_sha256"],
                      "serials": [], "detail": {"policy": p.get("policy_sha256")}}}


class _JobFailure(Exception):
    """A job could not finish for a reason already worded for the user: in Chinese (the job's error),
    and in English (``english``, for the job's page read in English) when it has English."""

    def __init__(self, message: str, english: str = "") -> None:
        super().__init__(message)
        self.english = english

    @classmethod
    def of(cls, code: str, facts: dict[str, Any] | None = None) -> _JobFailure:
        """Return the failure worded by the service's ``code`` with ``facts``, in both languages."""
        return cls(SERVICE.text(code, facts), SERVICE.text(code, facts, "en"))


HANDLERS = {"batch": _batch_job, "letters": _letters_job, "npl-report": _npl_job}


def execute_job(data_dir: str, job_id: str, register: str = "", record_wait: float | None = None,
                job_lease: float | None = None, refused: int = 0, attempt: str | None = None) -> JobEnd | None:
    """Run job ``job_id`` of the service whose data folder is ``data_dir`` (in a worker process).

    ``register``: the service's register when not the data folder's own; ``record_wait`` and
    ``job_lease``: the service's ``Settings`` (None: this process's); ``refused``: the starts of the
    job the database refused in a row before this one, in its queueing ``attempt`` (``run_job``).
    The job moves queued -> running -> done or failed; its result, files and audit entry are
    recorded. A job no longer queued (cancelled, or taken by another worker) is left alone.
    Returns None, or the job's end when the database refused it for the whole wait (``run_job``).
    """
    from docgen.service.jobs import JobStore

    settings = Settings(Path(data_dir), register=register, record_wait=record_wait, job_lease=job_lease)
    store = JobStore(settings.db_path)
    return run_job(settings, store, job_id, lambda: store.start(job_id, settings.job_lease),
                   lambda job: _run_job(settings, job, store), refused=refused, attempt=attempt)


def run_job(settings: Settings, store: Any, job_id: str, begin: Callable[[], dict[str, Any] | None],
            handler: Callable[[dict[str, Any]], dict[str, Any] | None], hand_on: float | None = None,
            run: str | None = None, refused: int = 0, attempt: str | None = None) -> JobEnd | None:
    """Take job ``job_id`` (``begin()``: the running job, or None to leave it alone) and run
    ``handler(job)`` for it (``run_handler``), renewing the job's lease (``Lease``,
    ``settings.job_lease``) meanwhile; a handler that hands the job on (returns None) leaves it a
    lease of ``hand_on`` seconds (None: the usual one, from its last renewal). ``run``: the run
    ``begin`` takes the job in (a Celery split's or assembly's); None when ``begin`` starts it (the
    run is made then) or for a job started before runs were kept.

    Returns None, or the job's ``JobEnd`` when the database refused ``begin`` or the job's end for
    the whole wait (``recorded``): failed with the storage's line (the job's own error when it had
    failed), its audit entry not yet made, for ``JobEnds`` to record once the database takes writes.
    The end of a refused ``begin`` names ``run``: a refused start's names none, and fails no job
    (``JobStore.give_up``: the job, still queued, is started again), and counts the starts refused in
    a row (``refused``: those before it; ``JobEnds`` fails the job at ``START_TRIES``) in the job's
    queueing (``attempt``: the one they were made in; a count of another than the job's now starts
    over, ``_counted``). Every write about the job names its run (``job["run"]``): one the job is no
    longer in changes nothing.
    """
    from docgen.service.jobs import Lease

    if run is None:  # a start
        refused, attempt = _counted(settings, store, job_id, refused, attempt)
    try:
        job = recorded(settings, begin)
    except NotRecorded as exc:
        return {"job": job_id, "run": run, "error": exc.problem.message, "audit": None, "refused": refused + 1,
                "attempt": attempt, "error_en": exc.problem.english}
    if job is None:
        return None
    with Lease(store, job_id, job["run"], settings.job_lease) as lease:
        def run() -> dict[str, Any] | None:
            result = handler(job)
            if result is None and hand_on is not None:
                lease.hand_on(hand_on)
            return result

        return run_handler(settings, store, job, run)


def _counted(settings: Settings, store: Any, job_id: str, refused: int, attempt: str | None) -> tuple[int, str | None]:
    """Return the starts of job ``job_id`` refused in a row before this one and the queueing they
    count in: the job's queueing now (read before the start: a job queued again while the start
    waited for the database keeps this one's count out of its own), with ``refused`` when they
    were counted in it (``attempt``), else none (logged: the job was run and queued again since,
    the start that carried them waiting in a queue meanwhile). A database that refuses even to be
    read leaves both as they were given."""
    try:
        job = store.get(job_id)
    except Exception as exc:  # noqa: BLE001 - only the storage's refusal is passed over: the start waits it out
        if storage_problem(exc, folder=settings.data_dir, database=settings.db_path) is None:
            raise
        return refused, attempt
    now = None if job is None else job.get("attempt")
    if refused and attempt != now:
        log.warning("job %s: the %d starts refused in a row counted for its queueing %s start over: it was run and "
                    "queued again since (now %s)", job_id, refused, attempt or "(none)", now or "(none)")
        refused = 0
    return refused, now


#: How often a worker tries again to write a job's state the database refused (its wait is
#: ``Settings.record_wait``).
_RECORD_EVERY = RECORD_EVERY


class NotRecorded(Exception):
    """The database refused a job's state for the whole wait; ``problem`` says why in one line."""

    def __init__(self, problem: StorageProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def recorded(settings: Settings, write: Callable[[], Any]) -> Any:
    """Return ``write()``, a change to the database (a job's state, its audit entry); while the
    service's storage refuses it (``docgen.service.storage``), log one line and try again every
    ``_RECORD_EVERY`` seconds. Raises ``NotRecorded`` once ``settings.record_wait`` seconds have
    passed; any other error propagates."""
    deadline = time.monotonic() + settings.record_wait
    said = False
    while True:
        try:
            return write()
        except Exception as exc:  # noqa: BLE001 - only the storage's refusal is waited out
            problem = storage_problem(exc, folder=settings.data_dir, database=settings.db_path)
            if problem is None:
                raise
            if not said:
                log.warning("job state not recorded, waiting for the database: %s", problem.message)
                said = True
            left = deadline - time.monotonic()
            if left <= 0:
                log.error("job state not recorded: %s", problem.message)
                raise NotRecorded(problem) from exc
        time.sleep(min(_RECORD_EVERY, left))


def _run_job(settings: Settings, job: dict[str, Any], store: Any) -> dict[str, Any] | None:
    """Run the handler of ``job`` on the inputs its request checked (``same_inputs``: a file deleted
    or changed since fails the job with one line, instead of a job made from another file)."""
    same_inputs(job["kind"], job["params"])
    return HANDLERS[job["kind"]](settings, job, store)


def run_handler(settings: Settings, store: Any, job: dict[str, Any],
                handler: Callable[[], dict[str, Any] | None]) -> JobEnd | None:
    """Run ``handler()`` for the running ``job`` and end the job: done with its result and audit
    entry, or failed with one line (a bug too, naming the job for the administrator). A handler
    returning None has handed the job on (split into chunks, it ends when its last chunk does).
    Returns None, or the job's ``JobEnd`` when the database refused its end for the whole wait."""
    job_id = job["id"]
    # The error in both languages where it is worded by code, kept in the result (``worded_error``): the
    # job's page read in English says it in English while the job's error (the API's) is the Chinese one.
    worded: dict[str, dict[str, str]] = {}
    try:
        run_folder(job).mkdir(parents=True, exist_ok=True)
        result = handler()
    except DocgenError as exc:
        error = failure(exc, job["params"].get("shown"))["error"]
        worded = worded_error(error, failure(exc, job["params"].get("shown"), "en")["error"])
    except _JobFailure as exc:
        error = str(exc)
        worded = worded_error(error, exc.english)
    except Exception as exc:  # noqa: BLE001 - a bug must still end the job, with a line the user can report
        problem = storage_problem(exc, folder=job["params"]["out"], database=settings.db_path)
        if problem is not None:  # the data folder, files/ or the database refused a write
            log.warning("job %s failed: %s", job_id, problem.message)
            error = problem.message
            worded = worded_error(error, problem.english)
        else:
            log.exception("job %s failed", job_id)
            facts = {"error": type(exc).__name__, "job_id": job_id}
            error = SERVICE.text("job-internal-error", facts)
            worded = worded_error(error, SERVICE.text("job-internal-error", facts, "en"))
    else:
        return None if result is None else finish_job(settings, store, job, result)
    try:
        ended = recorded(settings, lambda: store.finish(job_id, run=job["run"], error=error, result=worded))
    except NotRecorded:
        return {"job": job_id, "run": job["run"], "error": error, "audit": None}
    if not ended:
        discard_stale_run(store, job_id, job["run"])
    return None


def finish_job(settings: Settings, store: Any, job: dict[str, Any], result: dict[str, Any]) -> JobEnd | None:
    """Mark the finished ``job`` done with ``result`` and make its audit entry (``result["audit"]``,
    its ``detail`` beside the job's id) in one transaction, waiting out the storage's refusal
    (``recorded``), so the entry is made once. Returns None, or, when the database refused it for
    the whole wait, the ``JobEnd`` that records the job failed with the storage's line and the
    entry made then (what the job made is deleted: ``JobEnds``)."""
    job_id = job["id"]
    made = result.pop("audit")
    entry = {"user": job["owner"], "role": job["params"].get("role"), "action": made["action"],
             "target": made["target"], "sha256": made["sha256"], "serials": made["serials"],
             "detail": {"job": job_id, **made.get("detail", {})}}
    try:
        ended = recorded(settings, lambda: store.finish(job_id, run=job["run"], result=result, entry=entry))
    except NotRecorded as exc:
        return {"job": job_id, "run": job["run"], "error": exc.problem.message, "audit": entry}
    if not ended:  # the job is in another run: what this stale run made is deleted
        discard_stale_run(store, job_id, job["run"])
        return None
    # The uploads kept only for this job (an NPL report's ledgers) go once it is done: a failed or
    # interrupted one reads them again when run again, as does one whose worker died before its end.
    for upload in job["params"].get("uploads") or []:
        Path(upload).unlink(missing_ok=True)
    return None


def remove_tree(path: str) -> None:
    """Delete a job's or request's result folder (used when a request fails half-way)."""
    shutil.rmtree(path, ignore_errors=True)
