"""Backup and restore on SQLite and PostgreSQL: consistent copies, verified restores, refusals."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.core.dossier import Attachment
from app.services import backup
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import ReceiveRequest, receive_dossier
from app.services.setup import init
from app.services.verify import verify, verify_location
from app.store.backup_manifest import (
    MANIFEST_NAME,
    MARKER_NAME,
    BackupCorruptError,
    BackupError,
    BackupIncompleteError,
)
from app.store.repositories import BlobRepository, DossierRepository
from app.store.restore import DatabaseInUseError
from tests.crash.driver import applicant
from tests.services.test_reception import BIRTH
from tests.timing import budget

AT = datetime(2025, 3, 18, 10, 30)
NOW = datetime(2026, 11, 20, 16, 30)


def _receive(ctx: AppContext, op: int, page: bytes | None = None) -> str:
    code = receive_dossier(ctx, ReceiveRequest(BIRTH, applicant(op), received_at=AT), SYSTEM_OFFICER).code
    if page is not None:
        sha = ctx.db.blobs.put_bytes(page)
        with ctx.session(write=True) as session:
            repo = DossierRepository(session)
            dossier = repo.get(code)
            dossier.attachments.append(Attachment(sha, "page.jpg", "image/jpeg", len(page)))
            BlobRepository(session).record(sha, len(page), "image/jpeg")
            repo.update(dossier)
    return code


@pytest.fixture
def sqlite_ctx(tmp_path: Path, small_catalogue: Path) -> Iterator[AppContext]:
    """For what works the same on both databases: SQLite only, to keep the suite short."""
    with AppContext.open(tmp_path / "data") as ctx:
        init(ctx, now=NOW, catalogue_path=small_catalogue)
        yield ctx


@pytest.fixture
def pg_ctx(pg_databases, small_catalogue: Path, tmp_path: Path) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    name = pg_databases.take()
    try:
        with AppContext.open(tmp_path / "data", pg_databases.server.url(name)) as ctx:
            init(ctx, now=NOW, catalogue_path=small_catalogue)
            yield ctx
    finally:
        pg_databases.drop(name)


def _codes(ctx: AppContext) -> list[str]:
    with ctx.session() as session:
        return sorted(s.code for s in DossierRepository(session).search(None, limit=1000))


def test_backup_then_restore_round_trip(app_ctx: AppContext, tmp_path: Path) -> None:
    """GIVEN dossiers with scanned pages WHEN backed up, changed, then restored THEN the store is
    exactly what was backed up, and what was replaced is kept."""
    first = _receive(app_ctx, 1, b"page one")
    _receive(app_ctx, 2, b"page two")
    result = backup.create_backup(app_ctx, tmp_path / "dest", now=NOW)
    assert result.folder.name == "motcua-20261120-163000" and result.blobs == 2
    manifest = json.loads((result.folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["counts"] == {"dossiers": 2, "blobs": 2}
    assert manifest["db_revision"] == app_ctx.db.current_revision()
    assert manifest["encryption"]["key_id"] == app_ctx.db.keys.key_id  # encrypted at rest, key file listed
    assert manifest["encryption"]["blobs"] == "aes-256-gcm-chunked"
    assert "motcua.key" in {f["path"] for f in manifest["files"]}
    marker = (result.folder / MARKER_NAME).read_text().strip()
    assert marker == hashlib.sha256((result.folder / MANIFEST_NAME).read_bytes()).hexdigest()
    before = _codes(app_ctx)
    _receive(app_ctx, 3, b"page three")  # after the backup: must disappear
    url = None if app_ctx.db.dialect == "sqlite" else app_ctx.db.url
    data_dir = app_ctx.data_dir
    app_ctx.db.close()  # the application is closed for a restore
    restored = backup.restore_backup(result.folder, data_dir=data_dir, db_url=url, now=NOW)
    assert restored.previous is not None and restored.previous.is_dir()
    with AppContext.open(data_dir, url) as ctx:
        assert _codes(ctx) == before and first in before
        report = verify(ctx)
        assert report.ok, report.problems
        assert report.checked["dossiers"] == 2


def test_backup_is_consistent_while_another_process_writes(tmp_path: Path) -> None:
    """GIVEN the crash driver receiving and attaching pages in another process WHEN backups are
    taken meanwhile THEN each restores to a sound store (every referenced page is in it)."""
    from tests.crash.harness import _Child, prepare

    data_dir = tmp_path / "live"
    prepare(data_dir)
    child = _Child(data_dir, seed=5, pages=2)
    try:
        assert child.wait_for(0, budget(60))  # READY: it is receiving
        folders = []
        with AppContext.open(data_dir) as ctx:
            for n in range(3):
                seen = len(child.lines)
                deadline = time.monotonic() + budget(30)
                while len(child.lines) <= seen + 1 and time.monotonic() < deadline:
                    time.sleep(0.05)  # let it commit something new, then copy while it goes on
                made = backup.create_backup(ctx, tmp_path / "dest", now=NOW + timedelta(seconds=n))
                folders.append(made.folder)
    finally:
        child.kill()
    for n, folder in enumerate(folders):
        target = tmp_path / f"restored-{n}"
        backup.restore_backup(folder, data_dir=target, now=NOW)
        report = verify_location(target)
        assert report.ok, report.problems
        assert report.checked["dossiers"] >= 1


def test_refuses_partial_and_corrupt_backups(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    _receive(sqlite_ctx, 1, b"page one")
    good = backup.create_backup(sqlite_ctx, tmp_path / "dest", now=NOW).folder
    sqlite_ctx.db.close()

    def variant(name: str) -> Path:
        folder = tmp_path / name
        shutil.copytree(good, folder)
        return folder

    no_marker = variant("no-marker")
    (no_marker / MARKER_NAME).unlink()
    missing_blob = variant("missing-blob")
    for path in (missing_blob / "blobs").rglob("*"):
        if path.is_file():
            path.unlink()
    flipped = variant("flipped")
    db_file = flipped / "motcua.db"
    data = bytearray(db_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    db_file.write_bytes(bytes(data))
    edited = variant("edited-manifest")
    (edited / MANIFEST_NAME).write_text((edited / MANIFEST_NAME).read_text() + " ")
    cases = [(no_marker, BackupIncompleteError, "hoàn tất"), (missing_blob, BackupIncompleteError, "thiếu"),
             (flipped, BackupCorruptError, "không khớp mã băm"), (edited, BackupCorruptError, "mã băm"),
             (tmp_path / "nothing", BackupError, "Không tìm thấy")]
    before = (sqlite_ctx.data_dir / "motcua.db").read_bytes()
    for folder, error, words in cases:
        with pytest.raises(error) as caught:
            backup.restore_backup(folder, data_dir=sqlite_ctx.data_dir)
        assert words in caught.value.message_vi, (folder.name, caught.value.message_vi)
    assert (sqlite_ctx.data_dir / "motcua.db").read_bytes() == before  # nothing was touched
    assert not (sqlite_ctx.data_dir / "backups").exists() or not any(
        p.name.startswith("pre-restore") for p in (sqlite_ctx.data_dir / "backups").iterdir())


def test_refuses_to_restore_over_a_database_in_use(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    _receive(sqlite_ctx, 1)
    folder = backup.create_backup(sqlite_ctx, tmp_path / "dest", now=NOW).folder
    with pytest.raises(DatabaseInUseError) as caught:  # sqlite_ctx still has the database open
        backup.restore_backup(folder, data_dir=sqlite_ctx.data_dir)
    assert "đang được sử dụng" in caught.value.message_vi
    assert _codes(sqlite_ctx)  # still works


def test_refuses_a_backup_of_a_newer_version(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    folder = backup.create_backup(sqlite_ctx, tmp_path / "dest", now=NOW).folder
    sqlite_ctx.db.close()
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["db_revision"] = "9999_future"
    raw = json.dumps(manifest).encode()
    (folder / MANIFEST_NAME).write_bytes(raw)
    (folder / MARKER_NAME).write_text(hashlib.sha256(raw).hexdigest())
    with pytest.raises(BackupError) as caught:
        backup.restore_backup(folder, data_dir=sqlite_ctx.data_dir)
    assert "mới hơn" in caught.value.message_vi


@pytest.mark.postgres
def test_pg_dump_missing_is_a_clear_error(pg_ctx: AppContext, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("app.store.backup.shutil.which", lambda _name: None)
    with pytest.raises(BackupError) as caught:
        backup.create_backup(pg_ctx, tmp_path / "dest", now=NOW)
    assert "pg_dump" in caught.value.message_vi
    assert not any((tmp_path / "dest").iterdir())  # no half-written folder left


def test_scheduled_backup_daily_keeping_n(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    _receive(sqlite_ctx, 1, b"a scanned page")
    assert backup.run_scheduled_backup(sqlite_ctx, NOW) is None  # no folder configured
    dest = tmp_path / "second-drive"
    (dest).mkdir()
    (dest / "my-notes.txt").write_text("not ours")
    backup.set_schedule(sqlite_ctx, dest, keep=2)
    results = [backup.run_scheduled_backup(sqlite_ctx, NOW)]
    assert results[0] is not None and results[0].linked == 0
    assert backup.run_scheduled_backup(sqlite_ctx, NOW + timedelta(hours=23)) is None  # not due yet
    for days in (1, 2, 3):
        results.append(backup.run_scheduled_backup(sqlite_ctx, NOW + timedelta(days=days, minutes=1)))
    assert all(r is not None for r in results)
    kept = sorted(p.name for p in dest.iterdir())
    assert kept == ["motcua-20261122-163100", "motcua-20261123-163100", "my-notes.txt"]
    assert results[-1].linked == 1  # the unchanged page was hard-linked, not copied again
    assert backup.get_schedule(sqlite_ctx).last_at == NOW + timedelta(days=3, minutes=1)
    with pytest.raises(Exception, match="absolute"):
        backup.set_schedule(sqlite_ctx, "relative/folder")


def test_cli_backup_restore_verify(tmp_path: Path) -> None:
    """The commands end to end, as an administrator would type them."""
    from tests.crash.conftest import motcua
    from tests.crash.harness import prepare

    data_dir = tmp_path / "data"
    prepare(data_dir)
    with AppContext.open(data_dir) as ctx:
        _receive(ctx, 1, b"page")
    made = motcua("backup", str(tmp_path / "dest"), "--json", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    info = json.loads(made.stdout)
    assert set(info) == {"folder", "created_at", "dialect", "db_revision", "files", "bytes", "blobs",
                         "linked", "warnings"}
    restored = motcua("restore", info["folder"], "--json", data_dir=tmp_path / "other")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["files"] == 3  # the database, the key file, one blob
    checked = motcua("verify", "--json", data_dir=tmp_path / "other")
    assert checked.returncode == 0 and json.loads(checked.stdout)["checked"]["dossiers"] == 1
    (Path(info["folder"]) / MARKER_NAME).unlink()
    refused = motcua("restore", info["folder"], data_dir=tmp_path / "third")
    assert refused.returncode == 1 and "không phải bản sao lưu hoàn chỉnh" in refused.stderr
    assert not (tmp_path / "third" / "motcua.db").exists()
