"""Officers, roles and permissions; accounts with argon2 password hashes.

Permissions are enforced here, in the services: every use case that changes something calls
:func:`require`. The CLI runs as :data:`SYSTEM_OFFICER` (an administrator: whoever can run it can
open the database anyway); the desktop application signs an officer in with :func:`authenticate`,
and on its first run (:func:`needs_first_admin`) creates the administrator with ``by=None``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.errors import MotCuaError, ValidationError
from app.services.context import AppContext
from app.store.repositories import AuditRepository, UserRecord, UserRepository

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    CLERK = "clerk"
    SUPERVISOR = "supervisor"

    @property
    def label_vi(self) -> str:
        return ROLE_LABELS_VI[self]


class Permission(StrEnum):
    RECEIVE = "receive"
    RETURN_RESULT = "return_result"
    PRINT = "print"
    REPRINT = "reprint"
    SCAN = "scan"
    DIGITISE = "digitise"
    MANAGE_USERS = "manage_users"
    MANAGE_CALENDAR = "manage_calendar"
    VIEW_REPORTS = "view_reports"
    SYNC = "sync"
    MANAGE_SETTINGS = "manage_settings"  # the station's settings (app.services.admin.settings)
    MANAGE_KEYS = "manage_keys"  # the data folder's recovery secret (app.services.admin.data_keys)
    # The dossier's life after reception (the action table of app.core.lifecycle names these values).
    PROCESS = "process"  # hand over for processing, record the result as ready
    SUPPLEMENT = "supplement"  # request a supplement, receive it
    REFUSE = "refuse"
    POSTPONE = "postpone"
    STOP = "stop"
    WITHDRAW = "withdraw"

    @property
    def label_vi(self) -> str:
        return PERMISSION_LABELS_VI[self]


ROLE_LABELS_VI: dict[Role, str] = {
    Role.ADMIN: "Quản trị viên",
    Role.OFFICER: "Cán bộ tiếp nhận",
    Role.CLERK: "Nhân viên số hóa",
    Role.SUPERVISOR: "Lãnh đạo bộ phận",
}

PERMISSION_LABELS_VI: dict[Permission, str] = {
    Permission.RECEIVE: "tiếp nhận hồ sơ",
    Permission.RETURN_RESULT: "trả kết quả",
    Permission.PRINT: "in phiếu",
    Permission.REPRINT: "in lại phiếu",
    Permission.SCAN: "quét tài liệu",
    Permission.DIGITISE: "số hóa hồ sơ",
    Permission.MANAGE_USERS: "quản lý tài khoản",
    Permission.MANAGE_CALENDAR: "quản lý lịch làm việc",
    Permission.VIEW_REPORTS: "xem báo cáo",
    Permission.SYNC: "đồng bộ dữ liệu",
    Permission.MANAGE_SETTINGS: "thay đổi thiết lập của máy trạm",
    Permission.MANAGE_KEYS: "quản lý khóa mã hóa dữ liệu",
    Permission.PROCESS: "chuyển xử lý và cập nhật kết quả hồ sơ",
    Permission.SUPPLEMENT: "yêu cầu và nhận bổ sung hồ sơ",
    Permission.REFUSE: "từ chối tiếp nhận hồ sơ",
    Permission.POSTPONE: "hẹn lại ngày trả kết quả",
    Permission.STOP: "dừng giải quyết hồ sơ",
    Permission.WITHDRAW: "rút hồ sơ theo yêu cầu công dân",
}

_P = Permission
#: The counter officer records every step of the dossier's life (the decisions behind a
#: postponement or a stop are the agency's; the counter records and prints them).
_LIFECYCLE = frozenset({_P.PROCESS, _P.SUPPLEMENT, _P.REFUSE, _P.POSTPONE, _P.STOP, _P.WITHDRAW})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset({_P.RECEIVE, _P.RETURN_RESULT, _P.PRINT, _P.REPRINT, _P.SCAN, _P.DIGITISE,
                                _P.MANAGE_CALENDAR, _P.VIEW_REPORTS, _P.SYNC}) | _LIFECYCLE,
    Role.OFFICER: frozenset({_P.RECEIVE, _P.RETURN_RESULT, _P.PRINT, _P.REPRINT, _P.SCAN, _P.DIGITISE,
                             _P.SYNC}) | _LIFECYCLE,
    Role.CLERK: frozenset({_P.PRINT, _P.SCAN, _P.DIGITISE}),
}


class AuthError(MotCuaError):
    """Sign-in refused: unknown user, wrong password or disabled account (one message for all)."""


class PermissionDeniedError(MotCuaError):
    """The officer's role does not allow the action."""


@dataclass(frozen=True)
class Officer:
    """The person acting: who signs slips (``full_name``) and what they may do (``role``)."""

    username: str
    full_name: str
    role: Role

    def can(self, p: Permission) -> bool:
        return Permission(p) in ROLE_PERMISSIONS[Role(self.role)]


SYSTEM_OFFICER = Officer("cli", "Dòng lệnh", Role.ADMIN)


@dataclass(frozen=True)
class UserAccount:
    """An account as listed for administrators (never the password hash)."""

    username: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @property
    def officer(self) -> Officer:
        return Officer(self.username, self.full_name, self.role)


_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong username costs the same time as a
    wrong password (no user enumeration by timing)."""
    return _hasher.hash("motcua-no-such-user")


def require(officer: Officer, permission: Permission) -> None:
    """Raise :class:`PermissionDeniedError` unless ``officer`` has ``permission``."""
    permission = Permission(permission)
    if officer.can(permission):
        return
    role = Role(officer.role)
    raise PermissionDeniedError(
        f"user {officer.username} ({role.value}) may not {permission.value}",
        f"Tài khoản {officer.full_name} ({role.label_vi}) không có quyền {permission.label_vi}.",
    )


def needs_first_admin(ctx: AppContext) -> bool:
    """True while there is no account at all: the first run creates the administrator."""
    with ctx.session() as session:
        return UserRepository(session).count() == 0


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


def _check_account(username: str, full_name: str, password: str) -> None:
    if not _USERNAME_RE.fullmatch(username):
        raise ValidationError(
            f"invalid username {username!r}: 2-64 characters a-z, 0-9, '.', '_' or '-'",
            "Tên đăng nhập phải dài 2–64 ký tự, chỉ gồm chữ cái không dấu, chữ số và các dấu “.”, “_”, “-”.",
            field="username")
    if not full_name:
        raise ValidationError("the full name is required", "Chưa nhập họ và tên.", field="full_name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                              f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("the password is too long", "Mật khẩu quá dài.", field="password")


def check_new_account(username: str, full_name: str, password: str) -> None:
    """Raise :class:`ValidationError` when a new account's answers are not acceptable (the set-up
    wizard checks its page before anything is stored)."""
    _check_account(username, full_name, password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(f"unknown role {role!r} (expected one of {choices})",
                              f"Vai trò “{role}” không hợp lệ (chọn một trong: {choices}).",
                              field="role") from None


def create_user(ctx: AppContext, username: str, full_name: str, password: str, role: Role | str, *,
                by: Officer | None) -> Officer:
    """Create an account. ``by`` needs MANAGE_USERS; ``by=None`` is allowed only for the very first
    account, which must be an administrator."""
    username = normalise_username(username)
    full_name = " ".join(unicodedata.normalize("NFC", full_name).split())
    role = _parse_role(role)
    _check_account(username, full_name, password)
    if by is not None:
        require(by, Permission.MANAGE_USERS)
    password_hash = _hasher.hash(password)
    with ctx.session(write=True) as session:
        users = UserRepository(session)
        if by is None:
            if users.count() > 0:
                raise PermissionDeniedError(
                    "only the first account can be created without an administrator",
                    "Chỉ tài khoản đầu tiên mới được tạo mà không cần quản trị viên đăng nhập.")
            if role is not Role.ADMIN:
                raise ValidationError("the first account must be an administrator",
                                      "Tài khoản đầu tiên phải là quản trị viên.", field="role")
        users.add(username, full_name, role.value, password_hash,
                  created_by=by.username if by is not None else "")
        AuditRepository(session).append(by.username if by is not None else username, "user_create",
                                        details={"username": username, "role": role.value})
    return Officer(username, full_name, role)


def authenticate(ctx: AppContext, username: str, password: str) -> Officer:
    """The officer whose password this is; :class:`AuthError` otherwise (same message whatever
    was wrong). Successful and failed sign-ins are written to the audit log."""
    username = normalise_username(username)
    with ctx.session() as session:
        record = UserRepository(session).find(username)
    verified = _verify(record, password)  # always run: same cost for unknown users
    if record is None or not verified:
        with ctx.session(write=True) as session:
            AuditRepository(session).append(username[:64] or "?", "login_failed")
        raise AuthError("wrong username or password, or the account is disabled",
                        "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa.")
    with ctx.session(write=True) as session:
        users = UserRepository(session)
        if _hasher.check_needs_rehash(record.password_hash):
            users.set_password_hash(username, _hasher.hash(password))
        users.touch_login(username)
        AuditRepository(session).append(username, "login")
    return Officer(record.username, record.full_name, Role(record.role))


def _verify(record: UserRecord | None, password: str) -> bool:
    target = record.password_hash if record is not None else _dummy_hash()
    try:
        _hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return record is not None and record.active


def list_users(ctx: AppContext, by: Officer) -> list[UserAccount]:
    """Every account, by username (needs MANAGE_USERS)."""
    require(by, Permission.MANAGE_USERS)
    with ctx.session() as session:
        records = UserRepository(session).list_all()
    return [UserAccount(r.username, r.full_name, Role(r.role), r.active, r.created_at, r.last_login_at)
            for r in records]


def set_password(ctx: AppContext, username: str, password: str, *, by: Officer) -> None:
    """Change a password: an officer their own, an administrator anyone's."""
    username = normalise_username(username)
    if by.username != username:
        require(by, Permission.MANAGE_USERS)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                              f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.", field="password")
    password_hash = _hasher.hash(password)
    with ctx.session(write=True) as session:
        UserRepository(session).set_password_hash(username, password_hash)
        AuditRepository(session).append(by.username, "user_password", details={"username": username})


def set_active(ctx: AppContext, username: str, active: bool, *, by: Officer) -> None:
    """Enable or disable an account (needs MANAGE_USERS; nobody disables their own account)."""
    require(by, Permission.MANAGE_USERS)
    username = normalise_username(username)
    if not active and by.username == username:
        raise ValidationError("you cannot disable your own account",
                              "Không thể tự khóa tài khoản của chính mình.", field="username")
    with ctx.session(write=True) as session:
        UserRepository(session).set_active(username, active)
        AuditRepository(session).append(by.username, "user_enable" if active else "user_disable",
                                        details={"username": username})
