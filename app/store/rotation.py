"""Rotating the data key of a data folder: a new key for the database and every blob.

The new key is first recorded as *pending* (key file and keyring hold both keys), then every blob
and every file of the scan spools is re-sealed with it (one atomic file at a time; reads pick the
key named in each file's header), then the SQLite file is re-keyed with ``PRAGMA rekey`` (one
transaction), together with the copies kept in ``backups/``; last, the new key becomes current and
the old one is dropped from the key file and the keyring. A rotation stopped at any point is
finished by running it again; in between, the folder opens normally (the database is tried with
both keys, every sealed file names its key).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.store import crypto
from app.store import keys as keystore
from app.store.blobs import BlobStore
from app.store.database import Database, connect_sqlite, key_works
from app.store.faults import storage_errors
from app.store.identity import other_holders
from app.store.paths import BACKUPS_DIR_NAME, BLOBS_DIR_NAME, DB_FILE_NAME
from app.store.restore import DatabaseInUseError, sqlite_in_use
from app.store.sealer import seal_spools

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rotation:
    old_key_id: str
    new_key_id: str
    blobs: int  # re-sealed
    databases: int  # SQLite files re-keyed (the database and its copies in backups/)
    spool_files: int = 0  # files of the scan spools re-sealed


def check_secret(keys: keystore.DataKeys, secret: str | None) -> None:
    """An administrator action: when a recovery secret is set, it must be given and be right."""
    if keys.file.recovery is None:
        return
    if secret is None:
        raise keystore.DataKeyError("the recovery secret is required (--secret-env VAR)",
                                    "Cần mã khôi phục của quản trị viên (--secret-env TÊN_BIẾN).")
    if crypto.unwrap_key(keys.file.recovery, secret) != keys.current:
        raise crypto.WrongSecretError()


def require_recovery_secret(keys: keystore.DataKeys) -> None:
    """A key change is backed by the recovery secret: without one, a rotation that went wrong (or a
    machine lost meanwhile) would leave nothing to open the data with."""
    if keys.file.recovery is None:
        raise keystore.DataKeyError(
            "set a recovery secret before rotating the data key (motcua keys set-secret --generate)",
            "Hãy đặt mã khôi phục của quản trị viên trước khi đổi khóa dữ liệu "
            "(“motcua keys set-secret --generate”, hoặc Quản trị → Đặt mã khôi phục dữ liệu…).")


def _rekey(path: Path, keys: list[str], new: str) -> bool:
    for key in keys:
        if key_works(path, key):
            if key == new:
                return False
            conn = connect_sqlite(path, key, isolation_level=None)
            try:
                conn.execute(f'PRAGMA rekey = "{new}"')
            finally:
                conn.close()
            return True
    raise keystore.wrong_key(path)


def rotate(data_dir: Path, url: str | None = None, secret: str | None = None) -> Rotation:
    """Rotate the data key of ``data_dir`` (its SQLite database, or the PostgreSQL ``url``'s blobs)."""
    data_dir = Path(data_dir)
    db_path = data_dir / DB_FILE_NAME if url is None else None
    if db_path is not None and sqlite_in_use(db_path):
        raise DatabaseInUseError(str(db_path))
    keys = keystore.unlock(data_dir)
    old_id = keys.key_id
    require_recovery_secret(keys)
    check_secret(keys, secret)
    if secret is not None:
        keystore.check_secret_strength(secret)
    if keys.pending_id is not None and keys.pending_id in keys.keys:
        new_id = keys.pending_id
    else:
        new = crypto.new_data_key()
        new_id = crypto.key_id(new)
        keys.keys[new_id] = new
        keys.file.pending = {"key_id": new_id, "recovery": crypto.wrap_key(new, secret) if secret else None}
        keys.file.state = keystore.ROTATING
        keystore.install(keys)
        keys.save()
    all_sqlcipher = keys.sqlcipher_keys()
    new_sqlcipher = crypto.sqlcipher_key(keys.keys[new_id])
    view = keystore.DataKeys(data_dir, keystore.KeyFile(keys.file.folder_id, new_id), keys.keys)
    with Database.open(url, data_dir, migrate=False) as db:
        blob_roots = [db.blobs.root]
    backups = data_dir / BACKUPS_DIR_NAME
    blob_roots += sorted(backups.glob(f"*/{BLOBS_DIR_NAME}")) if backups.is_dir() else []
    sealed = rekeyed = 0
    with storage_errors(data_dir):
        for root in blob_roots:
            sealed += BlobStore(root, view).seal_all()
        spooled = seal_spools(data_dir, view)  # pages waiting in the scan spools
        files = [db_path] if db_path is not None else []
        files += sorted(backups.rglob("*.db")) if backups.is_dir() else []
        for path in files:
            try:
                rekeyed += _rekey(path, all_sqlcipher, new_sqlcipher)
            except keystore.WrongKeyError:
                if path == db_path:
                    raise
                log.warning("key rotation: %s opens with no key of this folder; left as it is", path.name)
        keys.file.key_id = new_id
        keys.file.recovery = keys.file.pending.get("recovery") if keys.file.pending else None
        keys.file.pending = None
        keys.file.state = keystore.READY
        keys.save()
        still_needed = {k: v for k, v in keys.keys.items()
                        if k != new_id and other_holders(keys, k)}
        if still_needed:  # another folder on this machine still opens with the old key: keep it
            log.warning("key rotation: the old key %s is kept on this machine, %s still uses it",
                        old_id, ", ".join(other_holders(keys, old_id)))
        keys.keys = {new_id: keys.keys[new_id], **still_needed}
        keystore.install(keys)
        keys.keys = {new_id: keys.keys[new_id]}
    log.info("data key rotated from %s to %s: %d blobs and %d spool files re-sealed, %d databases re-keyed",
             old_id, new_id, sealed, spooled, rekeyed)
    return Rotation(old_id, new_id, sealed, rekeyed, spooled)
