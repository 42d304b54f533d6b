"""Encryption keys of the data folder, for the administrator: status, recovery secret, rotation,
recovery on a new machine (``motcua keys …``). See docs/security.md.

The desktop application's side (the first run and Quản trị → "Đặt mã khôi phục dữ liệu…"):
:func:`recovery_state`, :func:`new_secret`, :func:`recovery_slip` and :func:`set_recovery_secret`, on an
open :class:`AppContext` and for an officer with :attr:`Permission.MANAGE_KEYS` (administrators). A
secret is never logged nor written anywhere in clear: only its argon2id-wrapped data key is stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.clock import vn_today
from app.core.errors import ValidationError
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext, resolve_data_dir, resolve_db_url
from app.store import crypto, rotation
from app.store import keys as keystore
from app.store.database import Database
from app.store.repositories import AuditRepository


@dataclass(frozen=True)
class KeyStatus:
    data_dir: Path
    folder_id: str
    key_id: str
    state: str
    recovery_set: bool
    keyring_usable: bool
    key_store: str  # "keyring" or "station-file": where this machine keeps data keys
    unlocked: bool
    unlock_error: str | None
    copied_from: str | None = None  # this folder is a copy of that one and took its own identity


def secret_from_env(name: str | None) -> str | None:
    """The recovery secret held by the environment variable ``name`` (never a command argument:
    arguments show in the process list and shell history)."""
    if not name:
        return None
    value = os.environ.get(name, "")
    if not value.strip():
        raise ValidationError(f"the environment variable {name} is empty or not set",
                              f"Biến môi trường {name} chưa được đặt hoặc rỗng.", field="secret_env")
    return value.strip()


def status(data_dir: Path | str | None = None) -> KeyStatus:
    folder = resolve_data_dir(data_dir)
    path = keystore.key_file_path(folder)
    if not path.is_file():
        raise ValidationError(f"no key file in {folder}", f"Chưa có tệp khóa trong {folder}: hãy chạy "
                              "“motcua init”.", field="data_dir")
    error = None
    try:
        keystore.unlock(folder)  # a copy opened here for the first time takes its own identity now
    except keystore.DataKeyError as exc:
        error = exc.message_vi
    file = keystore.KeyFile.load(path)
    return KeyStatus(folder, file.folder_id, file.key_id, file.state, file.recovery is not None,
                     keystore.keyring_usable(), keystore.key_store_name(), error is None, error,
                     file.copied_from)


def set_secret(data_dir: Path | str | None, secret: str | None, *, old_secret: str | None = None) -> str:
    """Wrap the data key with a recovery secret (``secret`` None: a new one is generated and
    returned, to be printed once). Replacing a secret needs the old one."""
    folder = resolve_data_dir(data_dir)
    keys = keystore.unlock(folder)
    if keys.file.recovery is not None:
        rotation.check_secret(keys, old_secret)
    chosen = secret or keystore.generate_secret()
    keystore.set_secret(keys, chosen)
    return chosen


def rotate(data_dir: Path | str | None = None, db_url: str | None = None,
           secret: str | None = None) -> rotation.Rotation:
    return rotation.rotate(resolve_data_dir(data_dir), resolve_db_url(db_url), secret)


def recover(data_dir: Path | str | None, secret: str, key_file: Path | None = None) -> KeyStatus:
    """Put the data key back in this machine's keyring from the key file and the recovery secret,
    then check that the database opens with it."""
    folder = resolve_data_dir(data_dir)
    keystore.recover(folder, secret, key_file)
    with Database.open(resolve_db_url(None), folder, migrate=False):
        pass
    return status(folder)


# --------------------------------------------------------------------------- the desktop application


@dataclass(frozen=True)
class RecoveryState:
    """Whether the open data folder's key is protected by a recovery secret."""

    data_dir: Path
    folder_id: str
    recovery_set: bool


def _keys_folder(ctx: AppContext) -> Path | None:
    keys = ctx.db.keys
    return keys.data_dir if keys is not None else None


def recovery_state(ctx: AppContext) -> RecoveryState:
    """Read from the key file on disk (a ``motcua keys set-secret`` run meanwhile counts). A database
    opened without a key file (built by hand, in tests) has nothing to protect: reported as set."""
    folder = _keys_folder(ctx)
    if folder is None:
        return RecoveryState(ctx.data_dir, "", True)
    file = keystore.KeyFile.load(keystore.key_file_path(folder))
    return RecoveryState(folder, file.folder_id, file.recovery is not None)


def recovery_set(ctx: AppContext) -> bool:
    return recovery_state(ctx).recovery_set


def new_secret() -> str:
    """A new recovery secret (24 characters in 6 groups of 4), not stored anywhere: it is shown to the
    administrator, printed, and only then given to :func:`set_recovery_secret`."""
    return keystore.generate_secret()


def recovery_slip(ctx: AppContext, officer: Officer, secret: str, *, day: date | None = None) -> bytes:
    """The one-page slip (PDF bytes, in memory) that the administrator prints and keeps."""
    from app.documents.recovery import RecoverySlip, render_recovery_slip
    from app.services.printing import office_profile

    require(officer, Permission.MANAGE_KEYS)
    state = recovery_state(ctx)
    slip = RecoverySlip(office_profile(ctx), state.folder_id, str(state.data_dir), secret,
                        day or vn_today(), officer.full_name)
    return render_recovery_slip(slip)


def set_recovery_secret(ctx: AppContext, officer: Officer, secret: str, *,
                        old_secret: str | None = None) -> None:
    """Protect the data key of the open folder with ``secret`` (administrators only). Replacing a
    secret needs the old one (:class:`WrongSecret` otherwise). Audited, without the secret."""
    require(officer, Permission.MANAGE_KEYS)
    folder = _keys_folder(ctx)
    if folder is None:
        raise ValidationError("this database has no key file", "Cơ sở dữ liệu này không có tệp khóa.",
                              field="data_dir")
    if not secret:
        raise ValidationError("the recovery secret is empty", "Chưa có mã khôi phục.", field="secret")
    replaced = recovery_set(ctx)
    if replaced and not old_secret:
        raise ValidationError("a recovery secret is already set: the current one is needed to replace it",
                              "Thư mục dữ liệu đã có mã khôi phục: hãy nhập mã hiện tại để đặt mã mới.",
                              field="old_secret")
    set_secret(folder, secret, old_secret=old_secret)
    # The open database keeps its key file in memory (a conversion or rotation saves it): keep it current.
    ctx.db.keys.file = keystore.KeyFile.load(keystore.key_file_path(folder))  # type: ignore[union-attr]
    with ctx.session(write=True) as session:
        AuditRepository(session).append(officer.username, "recovery_secret_set",
                                        details={"replaced": replaced})


__all__ = ["KeyStatus", "RecoveryState", "WrongSecret", "new_secret", "recover", "recovery_set",
           "recovery_slip", "recovery_state", "rotate", "secret_from_env", "set_recovery_secret",
           "set_secret", "status"]
WrongSecret = crypto.WrongSecretError
