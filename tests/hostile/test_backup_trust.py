"""A forged backup is refused before anything is replaced: a rewritten manifest (with its marker), an
altered blob, a plain database where the manifest says encrypted, a backup turned "plain". The same
checks run in ``motcua verify --deep``."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.services import backup
from app.services.context import AppContext
from app.services.verify import verify_location
from app.store.backup_manifest import MANIFEST_NAME, MARKER_NAME, BackupError
from app.store.repositories import DossierRepository
from tests.security.test_encryption_at_rest import CCCD, populate, run


@pytest.fixture
def made(tmp_path: Path, small_catalogue: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    with AppContext.open(data) as ctx:
        populate(ctx, small_catalogue)
        folder = backup.create_backup(ctx, tmp_path / "dest").folder
        backup.set_schedule(ctx, tmp_path / "dest")
    return data, folder


def _rewrite(folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    """What a forger does: edit the manifest, then write the marker that matches it."""
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    change(manifest)
    raw = json.dumps(manifest).encode()
    (folder / MANIFEST_NAME).write_bytes(raw)
    (folder / MARKER_NAME).write_text(hashlib.sha256(raw).hexdigest())


def _set_file(manifest: dict, path: str, data: bytes) -> None:
    for item in manifest["files"]:
        if item["path"] == path:
            item["sha256"], item["size"] = hashlib.sha256(data).hexdigest(), len(data)


def _still_there(data: Path) -> None:
    with AppContext.open(data) as ctx, ctx.session() as session:
        assert DossierRepository(session).search(CCCD, limit=5)


def _refused(data: Path, folder: Path) -> str:
    before = sorted(p.name for p in data.iterdir())
    with pytest.raises(BackupError) as caught:
        backup.restore_backup(folder, data_dir=data)
    assert sorted(p.name for p in data.iterdir()) == before  # nothing moved aside, nothing replaced
    _still_there(data)
    return str(caught.value)


def test_an_altered_blob_with_a_rewritten_manifest_is_refused(made: tuple[Path, Path]) -> None:
    data, folder = made
    blob = next(p for p in (folder / "blobs").rglob("*") if p.is_file())
    raw = bytearray(blob.read_bytes())
    raw[-5] ^= 0x55
    blob.write_bytes(bytes(raw))
    rel = blob.relative_to(folder).as_posix()
    _rewrite(folder, lambda m: _set_file(m, rel, bytes(raw)))
    assert "cannot be trusted" in _refused(data, folder)


def test_a_blob_swapped_under_an_untouched_manifest_entry_is_refused(made: tuple[Path, Path]) -> None:
    """Even with the key (a forger on this station): the blob must decrypt to its name."""
    data, folder = made
    blob = next(p for p in (folder / "blobs").rglob("*") if p.is_file())
    with AppContext.open(data) as ctx:
        sealed = ctx.db.blobs.put_bytes(b"forged page")
        forged = ctx.db.blobs.path_of(sealed).read_bytes()
    blob.write_bytes(forged)
    rel = blob.relative_to(folder).as_posix()
    _rewrite(folder, lambda m: _set_file(m, rel, forged))
    assert "cannot be trusted" in _refused(data, folder)


def test_a_plain_database_where_the_manifest_says_encrypted_is_refused(made: tuple[Path, Path]) -> None:
    data, folder = made
    db = folder / "motcua.db"
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)")
    conn.commit()
    conn.close()
    _rewrite(folder, lambda m: _set_file(m, "motcua.db", db.read_bytes()))
    assert "cannot be trusted" in _refused(data, folder)


def test_a_backup_made_plain_by_hand_is_refused_into_an_encrypted_folder(made: tuple[Path, Path]) -> None:
    data, folder = made
    (folder / "manifest.json.mac").unlink(missing_ok=True)
    _rewrite(folder, lambda m: m.update(encryption=None))
    assert "plain, unauthenticated" in _refused(data, folder)


def test_a_genuine_backup_restores_and_verify_deep_passes(made: tuple[Path, Path]) -> None:
    data, folder = made
    assert verify_location(data, deep=True).ok
    backup.restore_backup(folder, data_dir=data)
    _still_there(data)


def test_verify_deep_reports_a_forged_backup(made: tuple[Path, Path]) -> None:
    data, folder = made
    _rewrite(folder, lambda m: m["counts"].update(dossiers=999))
    assert verify_location(data).ok  # the plain check does not look at backups
    result = run("verify", "--deep", "--json", data_dir=data)
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [p["kind"] for p in problems] == ["backup_untrusted"] and folder.name in problems[0]["detail"]
