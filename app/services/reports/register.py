"""The dossier register (Sổ theo dõi hồ sơ) of a period: PDF, spreadsheet or CSV, streamed.

Rows are read from the database one chunk at a time and handed to the writer, which draws (PDF) or
streams (xlsx, CSV) them at once: memory stays bounded whatever the period. The file is written
beside the target and renamed into place when complete, so a stopped export never leaves half a
register under the real name. Every export is written to the audit trail. Needs ``VIEW_REPORTS``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import MotCuaError, ValidationError
from app.documents.register_pdf import RegisterHeading, RegisterPdf
from app.documents.register_sheet import RegisterCsv, RegisterSheet
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.printing import office_profile
from app.services.reports.indicators import Period, scope_of
from app.store.repositories import AuditRepository
from app.store.repositories.register import RegisterRepository

FORMATS = ("pdf", "xlsx", "csv")
AUDIT_REGISTER = "register_export"
Progress = Callable[[int, int], None]  # rows written, rows in total


class RegisterExportError(MotCuaError):
    """The register could not be written."""


@dataclass(frozen=True)
class WrittenRegister:
    path: Path
    format: str
    rows: int
    pages: int  # 0 for spreadsheets and CSV


def format_of(out: Path) -> str:
    kind = out.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValidationError(f"--out must end in .pdf, .xlsx or .csv, not {out.name!r}",
                              f"Tệp ra phải có đuôi .pdf, .xlsx hoặc .csv (không phải “{out.name}”).",
                              field="out")
    return kind


def period_vi(period: Period) -> str:
    return f"Từ ngày {period.first:%d/%m/%Y} đến ngày {period.last:%d/%m/%Y}"


def filters_vi(period: Period) -> str:
    parts = []
    if period.field:
        parts.append(f"lĩnh vực {period.field}")
    if period.procedure_code:
        parts.append(f"thủ tục {period.procedure_code}")
    if period.officer:
        parts.append(f"cán bộ tiếp nhận {period.officer}")
    return ", ".join(parts)


def _writer(kind: str, path: Path, ctx: AppContext, period: Period) -> Any:
    profile = office_profile(ctx)
    if kind == "pdf":
        return RegisterPdf(path, RegisterHeading(profile.parent_agency, profile.unit_name, period_vi(period),
                                                 filters_vi(period)))
    if kind == "xlsx":
        return RegisterSheet(path, " — ".join(x for x in (profile.counter_name, period_vi(period),
                                                           filters_vi(period)) if x))
    return RegisterCsv(path)


def export(ctx: AppContext, officer: Officer, period: Period, out: Path, *,
           progress: Progress | None = None, chunk: int = 500) -> WrittenRegister:
    """Write the register of the dossiers received in ``period`` to ``out`` (.pdf, .xlsx or .csv)."""
    require(officer, Permission.VIEW_REPORTS)
    out = Path(out)
    kind = format_of(out)
    scope = scope_of(period)
    agency = office_profile(ctx).parent_agency
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    part = out.with_name(f".{out.name}.part")
    try:
        writer = _writer(kind, part, ctx, period)
        with ctx.session() as session:
            repo = RegisterRepository(session)
            total = repo.count(scope)
            for form_set in repo.form_sets(scope):
                writer.start(form_set)
                for entries in repo.chunks(scope, form_set, agency, chunk):
                    for entry in entries:
                        writer.add(entry)
                    if progress is not None:
                        progress(writer.rows, total)
                writer.finish()
        writer.close()
        part.replace(out)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    written = WrittenRegister(out, kind, writer.rows, getattr(writer, "pages", 0))
    with ctx.session(write=True) as session:
        AuditRepository(session).append(officer.username, AUDIT_REGISTER, details={
            "from": period.first.isoformat(), "to": period.last.isoformat(), "format": kind,
            "rows": written.rows, "field": period.field, "procedure": period.procedure_code,
            "officer": period.officer})
    return written


def _write_error(out: Path, exc: OSError) -> RegisterExportError:
    return RegisterExportError(f"cannot write {out}: {exc.strerror or exc}",
                               f"Không ghi được tệp {out}: {exc.strerror or exc}.")
