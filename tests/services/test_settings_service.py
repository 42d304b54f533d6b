"""The settings registry and the administrators' settings service."""

from __future__ import annotations

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.settings_registry import BACKUP_KEEP, SettingType, all_settings, defaults, setting
from app.services.admin import settings as settings_service
from app.services.admin.audit import entries
from app.services.admin.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.context import DEFAULT_SETTINGS


def test_registry_keys_are_unique_typed_and_seed_the_station() -> None:
    keys = [s.key for s in all_settings()]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)
    assert setting("backup.keep") is BACKUP_KEEP and BACKUP_KEEP.type is SettingType.INT
    assert set(defaults(seeded_only=True)) <= set(DEFAULT_SETTINGS)
    with pytest.raises(NotFoundError):
        setting("nope")


def test_only_administrators_change_settings_and_each_change_is_audited(app_ctx) -> None:  # type: ignore[no-untyped-def]
    officer = Officer("lan", "Nguyễn Thị Lan", Role.OFFICER)
    with pytest.raises(PermissionDeniedError):
        settings_service.set_setting(app_ctx, officer, "agency.phone", "0123")
    assert settings_service.get_setting(app_ctx, "agency.phone").stored is None
    done = settings_service.set_setting(app_ctx, SYSTEM_OFFICER, "agency.phone", " 0283 999 888 ")
    assert done.value == "0283 999 888"
    assert settings_service.get_setting(app_ctx, "agency.phone").value == "0283 999 888"
    last = entries(app_ctx, action="setting")[0]  # newest first
    assert last.details["key"] == "agency.phone" and last.details["value"] == "0283 999 888"
    with pytest.raises(ValidationError):
        settings_service.set_setting(app_ctx, SYSTEM_OFFICER, "sync.online", "1")  # kept by the application
    with pytest.raises(ValidationError):
        settings_service.set_setting(app_ctx, SYSTEM_OFFICER, "backup.keep", "bảy")
