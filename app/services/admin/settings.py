"""The station's settings for administrators: list them, read one, change one (checked against its
type, audited). The keys, types and defaults are those of :mod:`app.core.settings_registry`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.errors import ValidationError
from app.core.settings_registry import Editor, Setting, all_settings, setting
from app.services.admin.auth import Officer, Permission, require
from app.services.context import AppContext
from app.store.repositories import AuditRepository, SettingsRepository

HIDDEN = "<đã ẩn>"
AUDIT_ACTION = "setting"


@dataclass(frozen=True)
class SettingValue:
    """A setting with what is stored for it (None: not set) and what it means now."""

    setting: Setting
    stored: str | None

    @property
    def value(self) -> str | None:
        """The stored value, else the default."""
        return self.stored if self.stored not in (None, "") else self.setting.default

    def shown(self) -> str | None:
        """The value as it may be shown (a secret is hidden)."""
        if self.setting.secret and self.value is not None:
            return HIDDEN
        return self.value


def read(session: Session, which: Setting) -> str | None:
    """The value of ``which`` inside the caller's session: stored, else its default."""
    stored = SettingsRepository(session).get(which.key)
    return stored if stored not in (None, "") else which.default


def list_settings(ctx: AppContext) -> list[SettingValue]:
    """Every setting of the registry with its stored value, in key order."""
    with ctx.session() as session:
        stored = SettingsRepository(session).all()
    return [SettingValue(s, stored.get(s.key)) for s in all_settings()]


def get_setting(ctx: AppContext, key: str) -> SettingValue:
    """The setting named ``key`` with its stored value (NotFoundError for an unknown key)."""
    which = setting(key)
    with ctx.session() as session:
        return SettingValue(which, SettingsRepository(session).get(which.key))


def set_setting(ctx: AppContext, officer: Officer, key: str, value: str) -> SettingValue:
    """Change setting ``key`` to ``value`` (administrators only); the value is checked against the
    setting's type, and the change is written to the audit log (a secret's value is not). The
    settings the application keeps itself (cursors, last run times) cannot be changed."""
    require(officer, Permission.MANAGE_SETTINGS)
    which = setting(key)
    if which.editor is Editor.SYSTEM:
        raise ValidationError(f"{which.key} is kept by the application and cannot be set",
                              f"Thiết lập “{which.key}” do phần mềm tự ghi, không sửa được.", field="key")
    text = which.parse(value)
    with ctx.session(write=True) as session:
        repo = SettingsRepository(session)
        previous = repo.get(which.key)
        repo.set(which.key, text)
        AuditRepository(session).append(officer.username, AUDIT_ACTION, details={
            "key": which.key,
            "previous": HIDDEN if which.secret and previous is not None else previous,
            "value": HIDDEN if which.secret else text,
        })
    return SettingValue(which, text)
