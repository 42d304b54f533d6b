"""Backing up and restoring a station's data, and the daily backup kept in a second folder.

* :func:`create_backup` (``motcua backup DEST``): online and consistent while officers keep
  working; see :mod:`app.store.backup` for the folder layout and :mod:`app.store.backup_manifest`
  for the manifest.
* :func:`restore_backup` (``motcua restore SRC``): verifies every file first, refuses a partial or
  damaged backup and a database still in use, keeps what it replaces in
  ``<data_dir>/backups/pre-restore-<ts>/`` (:mod:`app.store.restore`).
* :func:`run_scheduled_backup`: the desktop application calls it at start-up and every hour; it
  backs up to the folder of the ``backup.folder`` setting when the last backup is more than 24 hours
  old, and keeps the newest ``backup.keep`` (default 7) there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app import __version__
from app.core.clock import vn_now
from app.core.errors import ValidationError
from app.services.context import AppContext, resolve_data_dir, resolve_db_url
from app.store import backup as store_backup
from app.store import restore as store_restore
from app.store.backup_manifest import BackupError, Manifest
from app.store.database import Database
from app.store.integrity import count_dossiers
from app.store.repositories import SettingsRepository

log = logging.getLogger(__name__)

BACKUP_FOLDER = "backup.folder"
BACKUP_KEEP = "backup.keep"
BACKUP_LAST_AT = "backup.last_at"
DEFAULT_KEEP = 7
INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    created_at: datetime
    dialect: str
    db_revision: str | None
    files: int
    bytes: int
    blobs: int
    linked: int
    warnings: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # old backups deleted by the schedule


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    created_at: datetime
    dialect: str
    files: int
    blobs: int
    previous: Path | None


@dataclass(frozen=True)
class BackupSchedule:
    folder: Path | None
    keep: int
    last_at: datetime | None

    def due(self, now: datetime) -> bool:
        return self.folder is not None and (self.last_at is None or now - self.last_at >= INTERVAL
                                            or self.last_at > now + timedelta(hours=1))


def create_backup(ctx: AppContext, dest: Path, *, now: datetime | None = None) -> BackupResult:
    """Write ``<dest>/motcua-<yyyymmdd-HHMMSS>/``; returns what was written."""
    now = (now or vn_now()).replace(microsecond=0)
    written = store_backup.write_backup(ctx.db, Path(dest), app_version=__version__, now=now,
                                        counts={"dossiers": count_dossiers(ctx.db)})
    for warning in written.warnings:
        log.warning("backup: %s", warning)
    m = written.manifest
    return BackupResult(folder=written.folder, created_at=m.created_at, dialect=m.dialect,
                        db_revision=m.db_revision, files=len(m.files), bytes=m.total_size,
                        blobs=len(m.blob_files), linked=written.linked, warnings=list(written.warnings))


def check_backup(src: Path) -> Manifest:
    """Verify a backup folder completely (marker, manifest, every file's hash); raises otherwise."""
    return store_backup.check_backup(_backup_folder(Path(src)))


def _backup_folder(src: Path) -> Path:
    if (src / store_backup.MANIFEST_NAME).exists() or (src / store_backup.MARKER_NAME).exists():
        return src
    found = store_backup.list_backups(src)
    if found:  # a destination folder was given: name the newest backup in it
        raise BackupError(f"{src} holds {len(found)} backups: give one of them, e.g. {found[-1]}",
                          f"Thư mục {src} chứa {len(found)} bản sao lưu; hãy chỉ rõ một bản, ví dụ "
                          f"{found[-1]} (bản mới nhất).")
    return src


def restore_backup(src: Path, *, data_dir: Path | str | None = None, db_url: str | None = None,
                   now: datetime | None = None, secret: str | None = None) -> RestoreResult:
    """Restore the backup folder ``src`` into the data folder (SQLite) or the database ``db_url``."""
    now = (now or vn_now()).replace(microsecond=0)
    folder = _backup_folder(Path(src))
    manifest = store_backup.check_backup(folder)
    target_dir = resolve_data_dir(data_dir)
    url = resolve_db_url(db_url)
    target_dialect = "sqlite" if url is None or url.startswith("sqlite") else "postgresql"
    if manifest.dialect != target_dialect:
        raise BackupError(f"a {manifest.dialect} backup cannot be restored into {target_dialect}",
                          f"Bản sao lưu của cơ sở dữ liệu {manifest.dialect} không khôi phục được vào "
                          f"{target_dialect}.")
    if target_dialect == "sqlite":
        if url is not None:
            raise ValidationError("restore a SQLite backup with --data-dir, not --db-url",
                                  "Hãy khôi phục bản sao lưu SQLite bằng --data-dir (thư mục dữ liệu).")
        outcome = store_restore.restore_sqlite(folder, manifest, target_dir, now, secret)
    else:
        with Database.open(url, target_dir, migrate=False) as db:
            blob_root = db.blobs.root
        outcome = store_restore.restore_postgres(folder, manifest, url, target_dir, blob_root, now,  # type: ignore[arg-type]
                                                 secret)
    log.info("restored backup %s (made %s) into %s", folder, manifest.created_at, target_dir)
    return RestoreResult(source=folder, created_at=manifest.created_at, dialect=manifest.dialect,
                         files=len(manifest.files), blobs=outcome.blobs, previous=outcome.previous)


# --------------------------------------------------------------------------- the daily backup


def get_schedule(ctx: AppContext) -> BackupSchedule:
    with ctx.session() as session:
        repo = SettingsRepository(session)
        folder, keep, last = repo.get(BACKUP_FOLDER), repo.get(BACKUP_KEEP), repo.get(BACKUP_LAST_AT)
    try:
        last_at = datetime.fromisoformat(last) if last else None
    except ValueError:
        last_at = None
    keep_n = int(keep) if keep and keep.strip().isdigit() and int(keep) > 0 else DEFAULT_KEEP
    return BackupSchedule(Path(folder) if folder and folder.strip() else None, keep_n, last_at)


def set_schedule(ctx: AppContext, folder: Path | str | None, keep: int | None = None) -> BackupSchedule:
    """Back up daily to ``folder`` (None or "" switches the daily backup off), keeping ``keep``."""
    if keep is not None and not 1 <= keep <= 365:
        raise ValidationError(f"keep must be 1-365, got {keep}", "Số bản sao lưu giữ lại phải từ 1 đến 365.",
                              field="keep")
    text = str(folder).strip() if folder is not None else ""
    if text and not Path(text).is_absolute():
        raise ValidationError(f"the backup folder must be an absolute path, got {text!r}",
                              "Thư mục sao lưu phải là đường dẫn đầy đủ (ví dụ E:\\SaoLuu hoặc /media/usb).",
                              field="folder")
    with ctx.session(write=True) as session:
        repo = SettingsRepository(session)
        if text:
            repo.set(BACKUP_FOLDER, text)
        else:
            repo.delete(BACKUP_FOLDER)
        if keep is not None:
            repo.set(BACKUP_KEEP, str(keep))
    return get_schedule(ctx)


def run_scheduled_backup(ctx: AppContext, now: datetime | None = None) -> BackupResult | None:
    """Back up when a folder is set and the last backup is 24 hours old or more; prune old copies.
    Returns None when nothing was due."""
    now = now or vn_now()
    schedule = get_schedule(ctx)
    if not schedule.due(now):
        return None
    assert schedule.folder is not None
    result = create_backup(ctx, schedule.folder, now=now)
    removed = store_backup.prune_backups(schedule.folder, schedule.keep)
    with ctx.session(write=True) as session:
        SettingsRepository(session).set(BACKUP_LAST_AT, now.replace(microsecond=0).isoformat())
    log.info("scheduled backup written to %s; %d old backup(s) removed", result.folder, len(removed))
    return BackupResult(**{**result.__dict__, "removed": removed})
