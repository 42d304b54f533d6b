"""The service-quality indicators (Decision 766/QĐ-TTg) in SQL, with the dossiers behind each figure.

Every figure is a numerator over a denominator, counted by the database (one statement per
population, never a Python loop over dossiers), on SQLite and PostgreSQL alike:

* population *received*: dossiers received in the period (``received_at`` in ``[start, end)``);
  ``online`` (channel 2), ``synced`` (their national record accepted by the province),
  ``digitised_components`` (a file attached or a received component digitised:
  ``HoSoCoThanhPhanSoHoa``), ``reused`` (a component reused from the warehouse or taken from the
  citizen's national store) count over it.
* population *finished*: dossiers whose end time falls in the period. The end time is the first time
  the dossier reached 9 (Đã xử lý xong), else 10 (Đã trả kết quả), else 3 or 8 (refused, stopped),
  as the formulas rank them. ``on_time``: finished no later than the due; ``early``: on a day before
  the due day; ``late``: after the due. More than one supplement request (status 5 rows) makes a
  dossier late whatever its dates. The due is the dossier's current ``due_at`` (it already excludes
  the supplement pauses) unless a postponement kept the earlier one in
  ``dossier_report_facts.due_before_postponement``: a postponement never makes a late dossier on time.
* ``digitised_results``: finished dossiers that reached 9 or 10 and whose result is in the warehouse
  (``source_ref`` ``<code>#KQ``), over those that reached 9 or 10.
* ``paid_online``: dossiers received in the period with a fee, paid online (``paid_online`` 1 or 2),
  over those with a fee.
* ``satisfied``: ratings given in the period of level 2 or 3, over all ratings given in the period.

Filters (field, procedure, officer) apply to the dossier of every population.

The end time, result time, number of supplement requests and the digitised / reused flags are kept
on the dossier row (``ended_at``, ``result_at``, ``supplement_count``, ``components_digitised``,
``components_reused``, in the covering indexes ``ix_dossiers_report_received`` and
``ix_dossiers_report_ended``), computed from the dossier's status history and components at every
write (:mod:`app.core.timeliness`; migration 0012 filled them from ``dossier_status_history`` for older
rows): the figures come from index range scans, not from every dossier's history and JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from app.core.dossier import Channel, DossierStatus
from app.core.outbox import OutboxKind, OutboxStatus
from app.store.models import DossierRow, ProcedureRow, StatusHistoryRow
from app.store.models_reports import DossierReportFactsRow, SatisfactionRow
from app.store.models_sync import OutboxRow
from app.store.models_warehouse import WarehouseRecordRow

D = DossierRow.__table__
H = StatusHistoryRow.__table__
P = ProcedureRow.__table__
F = DossierReportFactsRow.__table__
R = SatisfactionRow.__table__
O = OutboxRow.__table__  # noqa: E741 - the outbox table
W = WarehouseRecordRow.__table__

RESULT_SUFFIX = "#KQ"
END_STATUSES = (DossierStatus.REJECTED, DossierStatus.STOPPED, DossierStatus.DONE, DossierStatus.RETURNED)
FIGURES = ("on_time", "early", "late", "online", "synced", "digitised_components", "digitised_results",
           "reused", "paid_online", "satisfied")
SATISFIED_LEVELS = (2, 3)


@dataclass(frozen=True)
class Scope:
    """A period ``[start, end)`` and optional filters on the dossier."""

    start: datetime
    end: datetime
    field: str | None = None
    procedure_code: str | None = None
    officer: str | None = None


@dataclass(frozen=True)
class Ratio:
    num: int
    den: int

    def to_json(self) -> dict[str, int]:
        return {"num": self.num, "den": self.den}

    @property
    def percent(self) -> float | None:
        return None if self.den == 0 else 100.0 * self.num / self.den


@dataclass(frozen=True)
class Indicators:
    scope: Scope
    received: int
    by_channel: dict[str, int]
    ratios: dict[str, Ratio]


# -- pieces ---------------------------------------------------------------------------------------
def _day(expr: Any, dialect: str) -> ColumnElement[Any]:
    return func.date(expr) if dialect == "sqlite" else cast(expr, Date)


def _synced() -> ColumnElement[bool]:
    return exists().where(O.c.dossier_code == D.c.code, O.c.kind == OutboxKind.DOSSIER_UPSERT.value,
                          O.c.status == OutboxStatus.SENT.value)


def _result_digitised() -> ColumnElement[bool]:
    return exists().where(W.c.source_ref == D.c.code + RESULT_SUFFIX)


# -- populations -----------------------------------------------------------------------------------
def scoped(stmt: Select[Any], scope: Scope) -> Select[Any]:
    if scope.procedure_code:
        stmt = stmt.where(D.c.procedure_code == scope.procedure_code)
    if scope.officer:
        stmt = stmt.where(D.c.officer == scope.officer)
    if scope.field:
        stmt = stmt.where(D.c.procedure_code.in_(select(P.c.code).where(P.c.field == scope.field)))
    return stmt


@dataclass(frozen=True)
class _Population:
    base: Select[Any]  # selects from the population (dossiers joined as ``dossiers``)
    conditions: dict[str, ColumnElement[bool]]  # figure -> numerator condition
    denominators: dict[str, ColumnElement[bool] | None]  # figure -> extra denominator condition


def _received(scope: Scope) -> _Population:
    base = scoped(select().select_from(D.outerjoin(F, F.c.dossier_id == D.c.id))
                  .where(D.c.received_at >= scope.start, D.c.received_at < scope.end), scope)
    fee = D.c.fee_vnd > 0
    return _Population(base, {
        "online": D.c.channel == int(Channel.ONLINE),
        "synced": _synced(),
        "digitised_components": D.c.components_digitised.is_(True),
        "reused": D.c.components_reused.is_(True),
        "paid_online": and_(fee, func.coalesce(F.c.paid_online, 0).in_((1, 2))),
    }, {"online": None, "synced": None, "digitised_components": None, "reused": None, "paid_online": fee})


def _finished(scope: Scope, dialect: str) -> _Population:
    due = func.coalesce(F.c.due_before_postponement, D.c.due_at)
    one_supplement_at_most = D.c.supplement_count <= 1
    base = scoped(select().select_from(D.outerjoin(F, F.c.dossier_id == D.c.id))
                  .where(D.c.ended_at >= scope.start, D.c.ended_at < scope.end), scope)
    has_result = D.c.result_at.is_not(None)
    return _Population(base, {
        "on_time": and_(D.c.ended_at <= due, one_supplement_at_most),
        "early": and_(_day(D.c.ended_at, dialect) < _day(due, dialect), one_supplement_at_most),
        "late": or_(D.c.ended_at > due, D.c.supplement_count > 1),
        "digitised_results": and_(has_result, _result_digitised()),
    }, {"on_time": None, "early": None, "late": None, "digitised_results": has_result})


def _ratings(scope: Scope) -> _Population:
    base = scoped(select().select_from(R.join(D, D.c.code == R.c.dossier_code))
                  .where(R.c.rated_at >= scope.start, R.c.rated_at < scope.end), scope)
    return _Population(base, {"satisfied": R.c.level.in_(SATISFIED_LEVELS)}, {"satisfied": None})


def _populations(scope: Scope, dialect: str) -> list[_Population]:
    return [_received(scope), _finished(scope, dialect), _ratings(scope)]


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# -- queries ----------------------------------------------------------------------------------------
class IndicatorRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    def compute(self, scope: Scope) -> Indicators:
        ratios: dict[str, Ratio] = {}
        received = 0
        by_channel = {str(int(c)): 0 for c in Channel}
        for index, population in enumerate(_populations(scope, self._dialect)):
            columns: list[Any] = [func.count().label("total")]
            names = list(population.conditions)
            for name in names:
                columns.append(_sum(population.conditions[name]).label(f"{name}_num"))
                extra = population.denominators[name]
                columns.append((_sum(extra) if extra is not None else func.count()).label(f"{name}_den"))
            if index == 0:
                for channel in Channel:
                    is_channel = (D.c.channel == int(channel)) if channel is not Channel.DIRECT else or_(
                        D.c.channel == int(channel), D.c.channel.is_(None))
                    columns.append(_sum(is_channel).label(f"channel_{int(channel)}"))
            row = self.session.execute(population.base.add_columns(*columns)).one()._mapping
            for name in names:
                ratios[name] = Ratio(int(row[f"{name}_num"]), int(row[f"{name}_den"]))
            if index == 0:
                received = int(row["total"])
                by_channel = {str(int(c)): int(row[f"channel_{int(c)}"]) for c in Channel}
        return Indicators(scope, received, by_channel, {name: ratios[name] for name in FIGURES})

    def codes(self, scope: Scope, figure: str, part: str = "num", *, limit: int | None = None) -> list[str]:
        """The codes of the dossiers behind a figure's numerator (``part="num"``) or denominator
        (``"den"``); ``figure="received"`` lists the dossiers received in the period."""
        if part not in ("num", "den"):
            raise ValueError(f"part must be num or den, not {part!r}")
        for population in _populations(scope, self._dialect):
            if figure == "received" and "online" in population.conditions:
                return self._codes(population.base, [], limit)
            if figure in population.conditions:
                wanted: list[ColumnElement[bool]] = []
                extra = population.denominators[figure]
                if extra is not None:
                    wanted.append(extra)
                if part == "num":
                    wanted.append(population.conditions[figure])
                return self._codes(population.base, wanted, limit)
        raise ValueError(f"unknown figure {figure!r}")

    def _codes(self, base: Select[Any], conditions: Iterable[ColumnElement[bool]],
               limit: int | None) -> list[str]:
        stmt = base.add_columns(D.c.code).where(*conditions).distinct().order_by(D.c.code)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [str(code) for code in self.session.execute(stmt).scalars()]

    def received_per_day(self, scope: Scope) -> list[tuple[str, int, int]]:
        """``(YYYY-MM-DD, channel, count)`` of the dossiers received in the period, by day."""
        day = _day(D.c.received_at, self._dialect)
        channel = func.coalesce(D.c.channel, int(Channel.DIRECT))
        stmt = scoped(select(day.label("day"), channel.label("channel"), func.count().label("n"))
                      .where(D.c.received_at >= scope.start, D.c.received_at < scope.end), scope)
        rows = self.session.execute(stmt.group_by(day, channel).order_by(day, channel))
        return [(str(r.day), int(r.channel), int(r.n)) for r in rows]

    def groups(self, scope: Scope, by: str) -> list[str]:
        """The fields (``by="field"``) or receiving officers (``"officer"``) with dossiers received or
        finished in the period."""
        if by == "officer":
            stmt = select(D.c.officer).where(D.c.received_at >= scope.start, D.c.received_at < scope.end)
            column = D.c.officer
        elif by == "field":
            stmt = (select(P.c.field).select_from(D.join(P, P.c.code == D.c.procedure_code))
                    .where(D.c.received_at >= scope.start, D.c.received_at < scope.end))
            column = P.c.field
        else:
            raise ValueError(f"cannot group by {by!r}")
        stmt = scoped(stmt, scope).distinct().order_by(column)
        return [str(x) for x in self.session.execute(stmt).scalars() if x]

    def deadlines(self, now: datetime, days: int = 2, *, limit: int = 500) -> list[Any]:
        """Dossiers still being handled (received, processing, waiting for payment) whose due is past
        or within the next ``days`` calendar days, most urgent first: rows of code, procedure name,
        officer, due_at, status."""
        open_statuses = [int(s) for s in (DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                                          DossierStatus.PAYMENT_REQUESTED)]
        horizon = datetime.combine(now.date(), datetime.min.time()) + timedelta(days=days)
        stmt = (select(D.c.code, D.c.procedure_name, D.c.officer, D.c.due_at, D.c.status)
                .where(D.c.status.in_(open_statuses), D.c.due_at < horizon)
                .order_by(D.c.due_at, D.c.id).limit(limit))
        return list(self.session.execute(stmt))
