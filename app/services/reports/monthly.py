"""The dashboard's data and the monthly report (one-page PDF, spreadsheet) of a period.

:func:`dashboard` gathers what the supervisors' dashboard shows: the figures, the dossiers received
per day and channel, the figures by field and by receiving officer (one SQL statement per group, not
per dossier). :func:`write_pdf` and :func:`write_xlsx` write the monthly report; the dashboard passes
the PNG images of its charts, the command line lets ReportLab draw the same charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.documents.monthly_report import FigureLine, MonthlyReport, render_monthly_pdf, write_monthly_xlsx
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.printing import office_profile, write_atomically
from app.services.reports.indicators import (
    FIGURE_LABELS_VI,
    FIGURES,
    FULL_MARKS,
    Indicators,
    Period,
    scope_of,
)
from app.services.reports.register import RegisterExportError, period_vi
from app.store.repositories import AuditRepository
from app.store.repositories.indicators import IndicatorRepository, Scope

AUDIT_REPORT = "report_export"


@dataclass(frozen=True)
class Dashboard:
    period: Period
    figures: Indicators
    per_day: list[tuple[str, int, int]]
    by_field: dict[str, Indicators]
    by_officer: dict[str, Indicators]


def dashboard(ctx: AppContext, officer: Officer, period: Period, *, groups: bool = True) -> Dashboard:
    """Everything the dashboard draws (needs ``VIEW_REPORTS``)."""
    require(officer, Permission.VIEW_REPORTS)
    scope = scope_of(period)
    with ctx.session() as session:
        repo = IndicatorRepository(session)
        figures = repo.compute(scope)
        per_day = repo.received_per_day(scope)
        by_field: dict[str, Indicators] = {}
        by_officer: dict[str, Indicators] = {}
        if groups:
            for name in repo.groups(scope, "field"):
                by_field[name] = repo.compute(_narrow(scope, field=name))
            for name in repo.groups(scope, "officer"):
                by_officer[name] = repo.compute(_narrow(scope, officer=name))
    return Dashboard(period, figures, per_day, by_field, by_officer)


def _narrow(scope: Scope, *, field: str | None = None, officer: str | None = None) -> Scope:
    return Scope(scope.start, scope.end, field=field or scope.field, procedure_code=scope.procedure_code,
                 officer=officer or scope.officer)


def report_content(ctx: AppContext, period: Period, figures: Indicators,
                   per_day: Sequence[tuple[str, int, int]] = (),
                   charts_png: Sequence[bytes] = ()) -> MonthlyReport:
    profile = office_profile(ctx)
    lines = [FigureLine(name, FIGURE_LABELS_VI[name], figures.ratios[name].num, figures.ratios[name].den,
                        FULL_MARKS.get(name)) for name in FIGURES]
    return MonthlyReport(profile.parent_agency, profile.unit_name,
                         period_vi(period) + (f" — lĩnh vực {period.field}" if period.field else ""),
                         figures.received, {int(k): v for k, v in figures.by_channel.items()}, lines,
                         tuple(per_day), tuple(charts_png))


def _per_day(ctx: AppContext, period: Period) -> list[tuple[str, int, int]]:
    with ctx.session() as session:
        return IndicatorRepository(session).received_per_day(scope_of(period))


def write_pdf(ctx: AppContext, officer: Officer, period: Period, figures: Indicators, out: Path,
              charts_png: Sequence[bytes] = ()) -> Path:
    require(officer, Permission.VIEW_REPORTS)
    content = report_content(ctx, period, figures, _per_day(ctx, period), charts_png)
    path = write_atomically(Path(out), render_monthly_pdf(content))
    _audit(ctx, officer, period, "pdf")
    return path


def write_xlsx(ctx: AppContext, officer: Officer, period: Period, figures: Indicators, out: Path) -> Path:
    require(officer, Permission.VIEW_REPORTS)
    content = report_content(ctx, period, figures, _per_day(ctx, period))
    out = Path(out)
    part = out.with_name(f".{out.name}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_monthly_xlsx(content, part)
        part.replace(out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise RegisterExportError(f"cannot write {out}: {exc.strerror or exc}",
                                  f"Không ghi được tệp {out}: {exc.strerror or exc}.") from exc
    _audit(ctx, officer, period, "xlsx")
    return out


def _audit(ctx: AppContext, officer: Officer, period: Period, kind: str) -> None:
    with ctx.session(write=True) as session:
        AuditRepository(session).append(officer.username, AUDIT_REPORT, details={
            "from": period.first.isoformat(), "to": period.last.isoformat(), "format": kind,
            "field": period.field})
