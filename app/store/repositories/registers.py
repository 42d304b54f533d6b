"""The register book (Sổ theo dõi hồ sơ): one numbering per agency and year, shared by every station
of the database.

A number is taken with one ``UPDATE ... RETURNING`` on the counter row of the agency and year: the
row stays locked until the transaction ends, so two stations on one PostgreSQL database (or two
processes on one SQLite file) wait for each other and never get the same number; a rolled back
transaction gives its number back. The new number is also never below the highest one already on a
dossier (a counter restored from an older backup cannot hand out a used number), and the unique
index ``ix_dossiers_register`` refuses a duplicate whatever happens.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.errors import ValidationError
from app.store.models import DossierRow, RegisterCounterRow

_C = RegisterCounterRow.__table__
_D = DossierRow.__table__


class RegisterCounterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def allocate(self, agency: str, year: int) -> int:
        """The next "Số thứ tự" of ``agency``'s register of ``year`` (1 for the first dossier)."""
        if not agency:
            raise ValidationError("agency code is empty", "Chưa cấu hình mã cơ quan.", field="agency")
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(_C).values(agency=agency, year=year, last_seq=0)
                             .on_conflict_do_nothing(index_elements=["agency", "year"]))
        highest = (select(func.coalesce(func.max(_D.c.register_seq), 0))
                   .where(and_(_D.c.register_agency == agency, _D.c.register_year == year))
                   .scalar_subquery())
        number = self.session.execute(
            update(_C).where(_C.c.agency == agency, _C.c.year == year)
            .values(last_seq=case((_C.c.last_seq >= highest, _C.c.last_seq + 1), else_=highest + 1))
            .returning(_C.c.last_seq)
        ).scalar_one()
        return int(number)

    def last(self, agency: str, year: int) -> int:
        """The last number given (0 when the register of that year is still empty)."""
        value = self.session.execute(select(_C.c.last_seq).where(_C.c.agency == agency, _C.c.year == year)
                                     ).scalar_one_or_none()
        return int(value or 0)
