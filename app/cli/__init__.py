"""The ``motcua`` command: Vietnamese text for people, ``--json`` for machines.

    motcua [--data-dir DIR] [--db-url URL] [--json] COMMAND ...

Global options may also follow the command (``motcua catalog list --json``); ``MOTCUA_DATA_DIR``
and ``MOTCUA_DB_URL`` are their fallbacks. Errors print one line and exit non-zero: 1 for an error of
the application (unknown code, invalid day...), 2 for a malformed command line; with ``--json``
the line is ``{"error": "<English message>"}`` on stdout, otherwise a Vietnamese message on stderr.
Unexpected failures are logged with their traceback to ``<data dir>/logs/motcua.log``.

Modules: ``common`` (output, formatting, JSON shapes, argument types), ``commands`` (init, catalog,
dossier, calendar), ``reception`` (receive, print, return, user), ``runner`` (parser and ``main``).
"""

from __future__ import annotations

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Output,
    UsageError,
    dossier_json,
    dossier_summary_json,
    fmt_date,
    fmt_dt,
    procedure_json,
    procedure_summary_json,
)
from app.cli.runner import build_parser, main

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "Output",
    "UsageError",
    "build_parser",
    "dossier_json",
    "dossier_summary_json",
    "fmt_date",
    "fmt_dt",
    "main",
    "procedure_json",
    "procedure_summary_json",
]
