"""Reading the dossier register in chunks: bounded memory whatever the period.

Dossiers received in the period are read in keyset order (``received_at``, ``id``), one form set at
a time, ``chunk`` rows per statement; the moments of each chunk's status history (handed over, done,
first supplement request, returned) come from one grouped statement per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.orm import Session

from app.core.dossier import DossierStatus
from app.core.register import RegisterEntry
from app.store.repositories.indicators import D, H, Scope, scoped

CHUNK = 500
_COLUMNS = (D.c.id, D.c.code, D.c.procedure_name, D.c.sets_count, D.c.applicant_name, D.c.applicant,
            D.c.phone, D.c.received_at, D.c.due_at, D.c.status, D.c.returned_at, D.c.returned_to,
            D.c.form_set)


class RegisterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _in_period(self, scope: Scope, *columns: Any) -> Any:
        stmt = select(*columns).where(D.c.received_at >= scope.start, D.c.received_at < scope.end)
        return scoped(stmt, scope)

    def form_sets(self, scope: Scope) -> list[str]:
        """The form sets of the dossiers received in the period (each gets its own register)."""
        stmt = self._in_period(scope, D.c.form_set).distinct().order_by(D.c.form_set)
        return [str(x) for x in self.session.execute(stmt).scalars()]

    def count(self, scope: Scope) -> int:
        return int(self.session.execute(self._in_period(scope, func.count())).scalar_one())

    def chunks(self, scope: Scope, form_set: str, solving_agency: str,
               chunk: int = CHUNK) -> Iterator[list[RegisterEntry]]:
        """The register's entries of one form set, oldest first, ``chunk`` at a time."""
        after: tuple[Any, int] | None = None
        while True:
            stmt = self._in_period(scope, *_COLUMNS).where(D.c.form_set == form_set)
            if after is not None:
                stmt = stmt.where(tuple_(D.c.received_at, D.c.id) > tuple_(*after))
            rows = self.session.execute(stmt.order_by(D.c.received_at, D.c.id).limit(chunk)).all()
            if not rows:
                return
            moments = self._moments([r.id for r in rows])
            yield [_entry(r, moments.get(r.id), solving_agency) for r in rows]
            after = (rows[-1].received_at, rows[-1].id)

    def _moments(self, ids: list[int]) -> dict[int, Any]:
        def first(status: DossierStatus) -> Any:
            return func.min(case((H.c.status == int(status), H.c.at))).label(status.name.lower())

        stmt = (select(H.c.dossier_id, first(DossierStatus.PROCESSING), first(DossierStatus.DONE),
                       first(DossierStatus.SUPPLEMENT_REQUESTED), first(DossierStatus.RETURNED),
                       func.sum(case((H.c.status == int(DossierStatus.SUPPLEMENT_REQUESTED), 1), else_=0))
                       .label("supplements"))
                .where(H.c.dossier_id.in_(ids)).group_by(H.c.dossier_id))
        return {row.dossier_id: row for row in self.session.execute(stmt)}


def _entry(row: Any, moments: Any, solving_agency: str) -> RegisterEntry:
    applicant = row.applicant or {}
    returned_at = row.returned_at or (moments.returned if moments is not None else None)
    return RegisterEntry(
        code=row.code, procedure_name=row.procedure_name, sets_count=int(row.sets_count or 1),
        applicant_name=row.applicant_name, address=str(applicant.get("address") or ""), phone=row.phone,
        solving_agency=solving_agency, received_at=row.received_at, due_at=row.due_at,
        handed_over_at=moments.processing if moments is not None else None,
        done_at=moments.done if moments is not None else None,
        supplement_at=moments.supplement_requested if moments is not None else None,
        supplements=int(moments.supplements or 0) if moments is not None else 0,
        returned_at=returned_at, returned_to=row.returned_to or "", status=DossierStatus(row.status),
        form_set=row.form_set)
