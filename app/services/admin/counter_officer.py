"""Who acts at the counter when the command line is used: a real, active officer account.

Slips name the officer who received the dossier, so the command line never acts as an anonymous
"system" user: it takes ``--officer USERNAME`` or the station's default officer (the setting
:data:`DEFAULT_OFFICER`, set with ``motcua user default USERNAME``).
"""

from __future__ import annotations

from app.core import settings_registry as registry
from app.core.errors import ValidationError
from app.services.admin.auth import Officer, Permission, Role, normalise_username, require
from app.services.context import AppContext
from app.store.repositories import SettingsRepository, UserRepository

#: Setting: the username the command line acts as when ``--officer`` is not given.
DEFAULT_OFFICER = registry.DEFAULT_OFFICER.key


def _active_officer(ctx: AppContext, username: str, source_vi: str) -> Officer:
    name = normalise_username(username)
    with ctx.session() as session:
        record = UserRepository(session).find(name)
    if record is None:
        raise ValidationError(f"no officer account {name!r}",
                              f"Không có tài khoản cán bộ “{name}” ({source_vi}). Xem “motcua user list”.",
                              field="officer")
    if not record.active:
        raise ValidationError(f"the officer account {name!r} is locked",
                              f"Tài khoản cán bộ “{name}” ({source_vi}) đã bị khóa.", field="officer")
    return Officer(record.username, record.full_name, Role(record.role))


def acting_officer(ctx: AppContext, username: str | None = None) -> Officer:
    """The officer ``username`` (an existing, active account), else the configured default officer;
    a :class:`ValidationError` saying how to choose one when neither is given."""
    if (username or "").strip():
        return _active_officer(ctx, str(username), "--officer")
    with ctx.session() as session:
        default = (SettingsRepository(session).get(DEFAULT_OFFICER) or "").strip()
    if default:
        return _active_officer(ctx, default, "cán bộ mặc định của máy trạm")
    raise ValidationError(
        "no officer: give --officer USERNAME or set a default with `motcua user default USERNAME`",
        "Chưa chọn cán bộ thực hiện: thêm “--officer TÊN_ĐĂNG_NHẬP” hoặc đặt cán bộ mặc định bằng "
        "“motcua user default TÊN_ĐĂNG_NHẬP”.",
        field="officer")


def default_officer(ctx: AppContext) -> str | None:
    """The configured default officer's username, if any."""
    with ctx.session() as session:
        return (SettingsRepository(session).get(DEFAULT_OFFICER) or "").strip() or None


def set_default_officer(ctx: AppContext, username: str, by: Officer) -> Officer:
    """Make ``username`` (an existing, active account) the default officer; needs MANAGE_USERS."""
    require(by, Permission.MANAGE_USERS)
    officer = _active_officer(ctx, username, "cán bộ mặc định")
    with ctx.session(write=True) as session:
        SettingsRepository(session).set(DEFAULT_OFFICER, officer.username)
    return officer
