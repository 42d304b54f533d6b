"""Parsing the ``motcua`` command line, running the command and reporting errors."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from app.cli import (
    batch_digitising,
    commands,
    data_keys,
    fees,
    lifecycle,
    maintenance,
    ocr,
    reception,
    reports,
    scanning,
    settings,
    signing,
    sync,
    warehouse,
)
from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Output,
    Parser,
    UsageError,
    add_globals,
    log_unexpected,
)
from app.cli.i18n import pick, set_language, tr, use_environment_language
from app.core.errors import MotCuaError
from app.core.language import ENGLISH


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="motcua", description="MotCua Desk — công cụ dòng lệnh của Bộ phận Một cửa.")
    add_globals(parser, top=True)
    subcommands = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)

    def leaf(sub: Any, name: str, help_: str, handler: Callable[[argparse.Namespace, Output], int]) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        add_globals(p, top=False)
        p.set_defaults(handler=handler)
        return p

    commands.register(subcommands, leaf)
    reception.register(subcommands, leaf)
    lifecycle.register(subcommands, leaf)
    fees.register(subcommands, leaf)
    scanning.register(subcommands, leaf)
    batch_digitising.register(subcommands, leaf)
    maintenance.register(subcommands, leaf)
    sync.register(subcommands, leaf)
    data_keys.register(subcommands, leaf)
    settings.register(subcommands, leaf)
    signing.register(subcommands, leaf)
    warehouse.register(subcommands, leaf)
    ocr.register(subcommands, leaf)
    reports.register(subcommands, leaf)
    return parser


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8", errors="replace")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def _fail(out: Output, message_en: str, message_vi: str, code: int, shown: str | None = None) -> int:
    if out.as_json:
        out.json({"error": message_en})
    else:
        sys.stderr.write(f"{tr('Lỗi')}: {shown or pick(message_en, message_vi)}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    _configure_streams()
    use_environment_language()
    argv = list(sys.argv[1:] if argv is None else argv)
    out = Output(as_json="--json" in argv)
    if out.as_json:  # machines read English: {"error": ...} never carries the chosen language
        set_language(ENGLISH)
    parser = build_parser()
    if not argv or argv in (["-h"], ["--help"]):
        parser.print_help()
        return EXIT_OK if argv else EXIT_USAGE
    args = None
    try:
        args = parser.parse_args(argv)
        out.as_json = bool(args.json)
        return int(args.handler(args, out))
    except UsageError as exc:
        shown = tr("lệnh không hợp lệ: {error}. Xem “motcua --help”.").format(error=exc)
        return _fail(out, f"usage: {exc}", shown, EXIT_USAGE, shown)
    except MotCuaError as exc:
        return _fail(out, exc.message_en, exc.message_vi, EXIT_ERROR)
    except KeyboardInterrupt:
        return _fail(out, "interrupted", "đã dừng theo yêu cầu.", 130)
    except BrokenPipeError:  # e.g. `motcua ... | head`: the reader went away, nothing to report
        _silence_stdout()
        return EXIT_ERROR
    except SystemExit as exc:  # --help inside a sub-command
        return int(exc.code or 0) if isinstance(exc.code, int | None) else EXIT_USAGE
    except Exception as exc:
        data_dir = getattr(args, "data_dir", None) if args is not None else None
        log = log_unexpected(data_dir)
        summary = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return _fail(out, f"unexpected error: {summary} (details in {log})",
                     f"lỗi không mong đợi: {summary} (chi tiết trong {log})", EXIT_ERROR)

