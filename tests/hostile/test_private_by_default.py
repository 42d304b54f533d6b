"""A data folder the application creates is private (POSIX): the folder 0700, the database and the
log 0600; spool files carry no part of the original file name (it may hold a CCCD number)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from app.scanning.spool import Spool
from app.services.logging_setup import configure_logging, remove_logging
from tests.security.test_encryption_at_rest import run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows: ACLs set by the installer)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_folder_is_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    previous = os.umask(0o022)  # the usual umask: what the app makes must not depend on it
    try:
        result = run("init", "--json", data_dir=data)
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert mode(data / "motcua.db") == 0o600
    configure_logging(data)  # what the desktop application does at start
    try:
        logging.getLogger("app.test").warning("hồ sơ đã tiếp nhận")
    finally:
        remove_logging()
    logs = [p for p in data.rglob("*.log*") if p.is_file()]
    assert logs and all(mode(p) == 0o600 for p in logs)
    assert all(mode(p) & 0o077 == 0 for p in data.rglob("*") if p.is_file())


def test_spool_names_keep_no_part_of_the_original_name(tmp_path: Path) -> None:
    batch = Spool(tmp_path / "spool").new_batch()
    added = batch.add(b"%PDF-1.4 ...", "CCCD 079190001234 Nguyen Van An.PDF")
    adopted_from = tmp_path / "hot" / "079190001234_giay-khai-sinh.jpg"
    adopted_from.parent.mkdir()
    adopted_from.write_bytes(b"\xff\xd8\xff jpeg")
    adopted = batch.adopt(adopted_from)
    assert [added.name, adopted.name] == ["00001.pdf", "00002.jpg"]
    assert not any("0791" in p.name for p in batch.path.iterdir())
