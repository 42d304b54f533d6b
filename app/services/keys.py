"""Encryption keys of the data folder, for the administrator: status, recovery secret, rotation,
recovery on a new machine (``motcua keys …``). See docs/security.md."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ValidationError
from app.services.context import resolve_data_dir, resolve_db_url
from app.store import crypto, rotation
from app.store import keys as keystore
from app.store.database import Database


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
    file = keystore.KeyFile.load(path)
    error = None
    try:
        keystore.unlock(folder)
    except keystore.DataKeyError as exc:
        error = exc.message_vi
    return KeyStatus(folder, file.folder_id, file.key_id, file.state, file.recovery is not None,
                     keystore.keyring_usable(), keystore.key_store_name(), error is None, error)


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


__all__ = ["KeyStatus", "WrongSecret", "recover", "rotate", "secret_from_env", "set_secret", "status"]
WrongSecret = crypto.WrongSecretError
