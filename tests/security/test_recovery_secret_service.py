"""The recovery secret from the application's side: administrators only, replacing needs the old one,
audited without the secret, masked in logs; ``motcua init`` reminds to set one."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import ValidationError
from app.core.privacy import mask_personal_data
from app.services.admin import auth
from app.services.admin import data_keys as key_service
from app.services.admin.logging_setup import configure_logging, log_path, remove_logging
from app.services.context import AppContext
from app.store import data_key as keystore
from app.store.repositories import AuditRepository

ADMIN = auth.Officer("ha", "Phạm Thu Hà", auth.Role.ADMIN)
COMMAND = [str(Path(sys.executable).with_name("motcua"))]
if not Path(COMMAND[0]).exists():  # pragma: no cover
    COMMAND = [sys.executable, "-m", "app.cli"]


def motcua(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=environment, timeout=120, check=False)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with AppContext.open(tmp_path / "data") as context:
        yield context


@pytest.mark.parametrize("role", [auth.Role.OFFICER, auth.Role.SUPERVISOR, auth.Role.CLERK])
def test_only_administrators_may_set_the_recovery_secret(ctx: AppContext, role: auth.Role) -> None:
    someone = auth.Officer("x", "Lê Văn X", role)
    assert not someone.can(auth.Permission.MANAGE_KEYS) and ADMIN.can(auth.Permission.MANAGE_KEYS)
    with pytest.raises(auth.PermissionDeniedError) as refused:
        key_service.set_recovery_secret(ctx, someone, key_service.new_secret())
    assert "quản lý khóa mã hóa dữ liệu" in refused.value.message_vi
    with pytest.raises(auth.PermissionDeniedError):
        key_service.recovery_slip(ctx, someone, key_service.new_secret())
    assert not key_service.recovery_set(ctx)


def test_setting_and_replacing_the_recovery_secret(ctx: AppContext) -> None:
    state = key_service.recovery_state(ctx)
    assert not state.recovery_set and len(state.folder_id) == 32
    first = key_service.new_secret()
    key_service.set_recovery_secret(ctx, ADMIN, first)
    assert key_service.recovery_set(ctx)
    assert ctx.db.keys is not None and ctx.db.keys.file.recovery is not None  # the open folder knows too
    second = key_service.new_secret()
    with pytest.raises(ValidationError) as missing:
        key_service.set_recovery_secret(ctx, ADMIN, second)
    assert "mã hiện tại" in missing.value.message_vi
    with pytest.raises(key_service.WrongSecret):
        key_service.set_recovery_secret(ctx, ADMIN, second, old_secret="SAI-MA-KHOI-PHUC-00")
    key_service.set_recovery_secret(ctx, ADMIN, second, old_secret=first)
    keystore.recover(ctx.data_dir, second)
    with pytest.raises(key_service.WrongSecret):
        keystore.recover(ctx.data_dir, first)
    with ctx.session() as session:
        rows = AuditRepository(session).entries(action="recovery_secret_set")
    assert [(r.officer, r.details) for r in rows] == [("ha", {"replaced": True}), ("ha", {"replaced": False})]
    assert first not in str(rows) and second not in str(rows)


def test_a_recovery_secret_never_reaches_the_log(ctx: AppContext) -> None:
    secret = key_service.new_secret()
    assert secret not in mask_personal_data(f"oops {secret}.")
    assert mask_personal_data("hồ sơ 000.00.22.H12-230601-0001") == "hồ sơ 000.00.22.H12-230601-0001"
    configure_logging(ctx.data_dir)
    try:
        logging.getLogger("app.test").warning("a careless line with %s", secret)
        key_service.set_recovery_secret(ctx, ADMIN, secret)
    finally:
        remove_logging()
    text = log_path(ctx.data_dir).read_text(encoding="utf-8")
    assert "a careless line with ****-****-****-****-****-****" in text and secret not in text


def test_init_reminds_to_set_a_recovery_secret(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = motcua("init", data_dir=folder)
    assert first.returncode == 0, first.stderr
    assert "chưa có mã khôi phục dữ liệu" in first.stdout
    assert "motcua keys set-secret --generate" in first.stdout
    assert json.loads(motcua("init", "--json", data_dir=folder).stdout)["recovery_set"] is False
    made = motcua("keys", "set-secret", "--generate", data_dir=folder)
    assert made.returncode == 0, made.stderr
    again = motcua("init", data_dir=folder)
    assert again.returncode == 0 and "set-secret" not in again.stdout
    assert json.loads(motcua("init", "--json", data_dir=folder).stdout)["recovery_set"] is True
