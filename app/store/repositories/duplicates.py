"""Earlier dossiers of the same person for the same procedure (the counter warns before receiving)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import DossierRow

_T = DossierRow.__table__


@dataclass(frozen=True)
class EarlierDossier:
    code: str
    received_at: datetime
    status: int


class EarlierDossierQuery:
    def __init__(self, session: Session) -> None:
        self.session = session

    def same_person_and_procedure(self, id_numbers: Iterable[str], procedure_code: str, *,
                                  statuses: Iterable[int], limit: int = 5) -> list[EarlierDossier]:
        """Dossiers of ``procedure_code`` whose owner's CCCD is one of ``id_numbers`` and whose
        status is one of ``statuses``, newest first (the indexed ``id_number`` drives the query)."""
        ids = [i for i in dict.fromkeys(id_numbers) if i]
        if not ids:
            return []
        query = (select(_T.c.code, _T.c.received_at, _T.c.status)
                 .where(_T.c.id_number.in_(ids),
                        _T.c.procedure_code == procedure_code, _T.c.status.in_(list(statuses)))
                 .order_by(_T.c.received_at.desc(), _T.c.id.desc()).limit(limit))
        return [EarlierDossier(r.code, r.received_at, int(r.status)) for r in self.session.execute(query)]
