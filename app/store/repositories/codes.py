"""Per-station dossier numbers: each station owns a block of numbers per agency and day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.errors import CodeBlockExhaustedError, ValidationError
from app.store.models import CodeCounterRow

if TYPE_CHECKING:
    from app.core.codes import StationBlock

MAX_NUMBER = 9999
_T = CodeCounterRow.__table__


class CodeCounterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def allocate(self, agency: str, day: date, block: StationBlock) -> int:
        """The next free number of ``block`` for ``agency`` on ``day``.

        Atomic across processes: the counter row is created if missing (``INSERT ... ON CONFLICT
        DO NOTHING``) and bumped with one ``UPDATE ... RETURNING`` that only succeeds while the block
        has numbers left. The row stays write-locked until the session commits, so a concurrent
        allocation waits (PostgreSQL row lock; SQLite write lock with ``busy_timeout``); a rolled
        back session gives its number back. On SQLite, allocate first in the transaction or open
        the session with ``Database.session(write=True)``.
        """
        first, last = int(block.first), int(block.last)
        if not (1 <= first <= last <= MAX_NUMBER):
            raise ValidationError(f"invalid number block {first}-{last}",
                                  f"Dãy số hồ sơ {first}-{last} không hợp lệ (phải trong khoảng 1-9999).",
                                  field="block")
        if not agency:
            raise ValidationError("agency code is empty", "Chưa cấu hình mã cơ quan.", field="agency")
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(
            insert(_T)
            .values(agency=agency, day=day, block_first=first, block_last=last, last_number=first - 1)
            .on_conflict_do_nothing(index_elements=["agency", "day", "block_first"])
        )
        bumped = _T.c.last_number + 1
        number = self.session.execute(
            update(_T)
            .where(_T.c.agency == agency, _T.c.day == day, _T.c.block_first == first,
                   _T.c.last_number < last)
            .values(last_number=case((bumped < first, first), else_=bumped), block_last=last)
            .returning(_T.c.last_number)
        ).scalar_one_or_none()
        if number is None:
            raise CodeBlockExhaustedError(
                f"number block {first}-{last} of {agency} is used up for {day.isoformat()}",
                f"Trạm đã dùng hết dãy số hồ sơ {first}-{last} của ngày {day:%d/%m/%Y} "
                f"(cơ quan {agency}). Hãy liên hệ quản trị viên để cấp thêm dãy số.",
            )
        return int(number)
