"""User accounts: username, full name, role and the argon2 password hash (hashing is the caller's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.errors import NotFoundError, ValidationError
from app.store.models_reception import UserRow


@dataclass(frozen=True)
class UserRecord:
    """A stored account. ``role`` is the role's value ("admin", "officer", ...)."""

    username: str
    full_name: str
    role: str
    password_hash: str
    active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None = None


def _record(row: UserRow) -> UserRecord:
    return UserRecord(row.username, row.full_name, row.role, row.password_hash, row.active, row.created_by,
                      row.created_at, row.updated_at, row.last_login_at)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self, *, active_only: bool = False) -> int:
        stmt = select(func.count()).select_from(UserRow)
        if active_only:
            stmt = stmt.where(UserRow.active.is_(True))
        return int(self.session.execute(stmt).scalar_one())

    def add(self, username: str, full_name: str, role: str, password_hash: str, *,
            created_by: str = "", now: datetime | None = None) -> UserRecord:
        """Store a new account; a username already taken is a ValidationError (field ``username``)."""
        if self.find(username) is not None:
            raise ValidationError(f"user {username} already exists",
                                  f"Tên đăng nhập “{username}” đã có người dùng.", field="username")
        now = now or vn_now()
        row = UserRow(username=username, full_name=full_name, role=role, password_hash=password_hash,
                      active=True, created_by=created_by, created_at=now, updated_at=now)
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def find(self, username: str) -> UserRecord | None:
        row = self._row(username)
        return None if row is None else _record(row)

    def get(self, username: str) -> UserRecord:
        row = self._row(username)
        if row is None:
            raise NotFoundError(f"user {username} not found",
                                f"Không tìm thấy tài khoản “{username}”.")
        return _record(row)

    def list_all(self) -> list[UserRecord]:
        return [_record(r) for r in self.session.scalars(select(UserRow).order_by(UserRow.username))]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        row = self._require(username)
        row.password_hash = password_hash
        row.updated_at = vn_now()
        self.session.flush()

    def set_active(self, username: str, active: bool) -> None:
        row = self._require(username)
        row.active = active
        row.updated_at = vn_now()
        self.session.flush()

    def set_role(self, username: str, role: str) -> None:
        row = self._require(username)
        row.role = role
        row.updated_at = vn_now()
        self.session.flush()

    def touch_login(self, username: str, at: datetime | None = None) -> None:
        row = self._require(username)
        row.last_login_at = at or vn_now()
        self.session.flush()

    def _row(self, username: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()

    def _require(self, username: str) -> UserRow:
        row = self._row(username)
        if row is None:
            raise NotFoundError(f"user {username} not found",
                                f"Không tìm thấy tài khoản “{username}”.")
        return row
