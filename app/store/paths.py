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
SPOOL_DIR_NAME = "spool"  # scanned pages as they arrive (app.services.scanning.dossier_scan, scan_station)
BATCH_SPOOL_DIR_NAME = "batch-spool"  # pages of archive batches (app.services.batch.engine)
SPOOL_DIR_NAMES = (SPOOL_DIR_NAME, BATCH_SPOOL_DIR_NAME)


def default_data_dir() -> Path:
    """``$MOTCUA_DATA_DIR`` if set, else the per-user data folder of the platform.

    Linux: ``~/.local/share/MotCuaDesk``; Windows: ``%LOCALAPPDATA%\\MotCua\\MotCuaDesk``.
    The folder is not created here.
    """
    override = os.environ.get("MOTCUA_DATA_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
