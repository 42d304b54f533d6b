"""The procedure catalogue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.errors import NotFoundError
from app.core.procedure import Procedure
from app.store.codec import procedure_values, row_to_procedure
from app.store.models import ProcedureRow


class ProcedureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, p: Procedure) -> None:
        """Insert the procedure or replace the stored one with the same code."""
        values = procedure_values(p, vn_now())
        row = self.session.get(ProcedureRow, p.code)
        if row is None:
            self.session.add(ProcedureRow(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        self.session.flush()

    def get(self, code: str) -> Procedure:
        row = self.session.get(ProcedureRow, code)
        if row is None:
            raise NotFoundError(f"procedure {code} not found", f"Không tìm thấy thủ tục có mã {code}.")
        return row_to_procedure(row)

    def list_all(self) -> list[Procedure]:
        rows = self.session.scalars(select(ProcedureRow).order_by(ProcedureRow.code))
        return [row_to_procedure(r) for r in rows]

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(ProcedureRow)) or 0
