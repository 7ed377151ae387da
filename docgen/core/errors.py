"""The project's exceptions: one base class, each subclass saying when it is raised.

Problems *inside* a bundle or a batch are findings or row problems (data), not exceptions.
An exception means a command cannot do its job at all. ``exit_code`` follows DESIGN §9:
2 when the input could not be read or used, 1 for a domain failure.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType


class DocgenError(Exception):
    """Base of every error docgen raises on purpose.

    Every one is built by a part's message table (``docgen.core.wording.MessageTable.error``):
    ``code`` and ``facts`` are its identity, which programs and tests look at; the sentence
    (``str(error)``) is the table's wording of them and nothing branches on it.
    """

    exit_code = 1
    code: str | None = None
    facts: Mapping[str, object] = MappingProxyType({})


class InputError(DocgenError):
    """An input file (bundle, checklist, data file, spreadsheet, ledger) cannot be opened or parsed.

    The message names the file and, where known, the row, column or key, and says what to do.
    """

    exit_code = 2


class InvalidValueError(InputError, ValueError):
    """A value cannot be read as what it should be: a date, an amount, a voting ratio, an image.

    Also a ``ValueError``: the parsers raise it where a value is converted, and callers that turn
    a bad value into a problem of a row or a field catch ``ValueError``.
    """


class ChecklistError(InputError):
    """A checklist definition is missing or fails its schema; the message names the key."""


class BundleError(InputError):
    """A client bundle (folder or zip) cannot be opened at all."""


class TemplateError(InputError):
    """A template (.docx or its .yaml) is missing, unknown or cannot be parsed."""


class ProblemsError(DocgenError):
    """Data failed validation; ``problems`` holds every problem found, not just the first.

    Each problem is a ``docgen.core.validation.Problem`` (field path, message, and row when the
    data came from a spreadsheet).
    """

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class RenderError(ProblemsError):
    """A document cannot be rendered: missing or invalid fields, rule failures, template errors."""


class SerialConflictError(RenderError):
    """The serial a document's data gives clashes with the register: the register holds it for
    another document of the template, or holds another serial for this one. Nothing is written
    and nothing is reserved (exit 1, as any refused field; the service answers 409)."""


class RowsError(ProblemsError):
    """Rows of a spreadsheet or ledger failed validation (each problem names row and column)."""


class RegisterError(DocgenError):
    """The serial-number register cannot be opened, or a record conflicts with it."""


class RegisterBusyError(RegisterError):
    """Another program held the register longer than docgen waits; the message names it.
    Exit 2: the command could not run (nothing was reserved)."""

    exit_code = 2


class RegisterUnreachableError(RegisterError):
    """The register's database server cannot be reached or refused the login (a ``postgresql://``
    register); exit 2: the command could not run, nothing was reserved."""

    exit_code = 2


class RegisterDeniedError(RegisterError):
    """The register's file, or the folder it is kept in, may not be read or written by this user
    (file permissions); exit 2: the command could not run, nothing was reserved."""

    exit_code = 2


class RegisterDamagedError(RegisterError):
    """The register is not the one it was: corrupt, emptied, truncated, restored without its
    ``-wal``, or its records edited or deleted. No serial is issued from it (exit 2)."""

    exit_code = 2


class ConversionError(DocgenError):
    """PDF conversion failed: LibreOffice missing, timed out, or produced no file."""


class OutputExistsError(DocgenError):
    """A command would overwrite a file the user keeps (``docgen init`` and an existing bundle.yaml)
    and ``--force`` was not given; nothing is written."""


class OutputError(DocgenError):
    """An output file cannot be written: no such folder, a file where a folder should be, no
    permission, disk full. Nothing is left under the output's name. Exit 2: the command could
    not run with the output it was given."""

    exit_code = 2


class Interrupted(DocgenError):
    """The user stopped the command (Ctrl-C); what was finished is kept and a re-run goes on
    from there. Exit 130, as shells report a command ended by SIGINT."""

    exit_code = 130


class UserError(DocgenError):
    """A service user cannot be added or changed: name taken, unknown user, empty or
    mismatched password. The message names the user and says what to do."""
