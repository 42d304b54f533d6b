"""Where MotCua Desk keeps its data on this machine."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "MotCuaDesk"
APP_AUTHOR = "MotCua"
DB_FILE_NAME = "motcua.db"
BACKUPS_DIR_NAME = "backups"
BLOBS_DIR_NAME = "blobs"
SPOOL_DIR_NAME = "spool"  # scanned pages as they arrive (app.services.scanning, scan_station)
BATCH_SPOOL_DIR_NAME = "batch-spool"  # pages of archive batches (app.services.batch)
SPOOL_DIR_NAMES = (SPOOL_DIR_NAME, BATCH_SPOOL_DIR_NAME)


def make_private_dir(path: Path) -> None:
    """Create a data folder only its owner may enter (POSIX mode 0700; on Windows the installer sets
    the ACLs). A folder that already exists keeps the permissions its administrator gave it."""
    path = Path(path)
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)


def keep_private(path: Path) -> None:
    """A file of the data folder (the database, a log) readable by its owner only (POSIX 0600).
    SQLite gives its -wal and -shm files the database file's mode."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:  # read-only media, another owner: nothing to tighten here
        pass


def default_data_dir() -> Path:
    """``$MOTCUA_DATA_DIR`` if set, else the per-user data folder of the platform.

    Linux: ``~/.local/share/MotCuaDesk``; Windows: ``%LOCALAPPDATA%\\MotCua\\MotCuaDesk``.
    The folder is not created here.
    """
    override = os.environ.get("MOTCUA_DATA_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
