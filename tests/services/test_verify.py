"""``verify``: it finds exactly what is wrong (and nothing when all is well), on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text, update

from app.services.admin.verify import verify, verify_location
from app.services.context import AppContext
from app.store.database import connect_file
from app.store.models_reception import AuditRow
from app.store.repositories import BlobRepository
from tests.crash.conftest import motcua
from tests.services.test_backup import _receive


def _kinds(report) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted((p.kind, p.ref) for p in report.problems)


def test_clean_store_is_ok(app_ctx: AppContext) -> None:
    _receive(app_ctx, 1, b"page one")
    report = verify(app_ctx)
    assert report.ok and report.problems == []
    assert report.checked == {"blobs": 1, "dossiers": 1, "audit_rows": 1}
    assert report.to_json() == {"ok": True, "problems": [], "checked": report.checked}


def test_every_kind_of_damage_is_reported_with_where(app_ctx: AppContext) -> None:
    """GIVEN a corrupted blob, a deleted page, a recorded blob gone and an edited audit row THEN each
    is reported once with its reference."""
    code = _receive(app_ctx, 1, b"page one")
    gone_code = _receive(app_ctx, 2, b"page two")
    blobs = app_ctx.db.blobs
    corrupt = blobs.put_bytes(b"page one")
    blobs.path_of(corrupt).write_bytes(b"page ONE")  # bit rot
    gone = blobs.put_bytes(b"page two")
    blobs.path_of(gone).unlink()
    recorded = blobs.put_bytes(b"orphan record")
    with app_ctx.session(write=True) as session:
        BlobRepository(session).record(recorded, 13, "image/jpeg")
        # Somebody with the database file in hand gets past the append-only triggers.
        guard = ("DROP TRIGGER audit_log_no_update" if app_ctx.db.dialect == "sqlite"
                 else "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        session.execute(text(guard))
        session.execute(update(AuditRow).where(AuditRow.id == 2).values(officer="mallory"))
    blobs.path_of(recorded).unlink()
    report = verify(app_ctx)
    assert not report.ok
    assert _kinds(report) == sorted([
        ("blob_corrupt", corrupt), ("blob_missing", gone), ("blob_missing", recorded),
        ("dossier_file_missing", gone_code), ("audit_chain", "2")])
    assert code not in {p.ref for p in report.problems}
    assert all(p.detail for p in report.problems)


def _corrupt_an_index(db_file: Path) -> None:
    conn = connect_file(db_file)  # keyed (SQLCipher)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_dossiers_received_at_id'"
                        ).fetchone()[0]
    conn.close()
    with open(db_file, "r+b") as f:
        f.seek((int(root) - 1) * int(page_size) + 8)
        f.write(b"\xff" * 64)


def test_damaged_sqlite_file_is_reported_and_the_command_exits_1(tmp_path: Path) -> None:
    from tests.crash.harness import prepare

    data_dir = tmp_path / "data"
    prepare(data_dir)
    with AppContext.open(data_dir) as ctx:
        for n in range(3):
            _receive(ctx, n)
    _corrupt_an_index(data_dir / "motcua.db")
    report = verify_location(data_dir)
    assert not report.ok and {p.kind for p in report.problems} == {"db_integrity"}
    result = motcua("verify", "--json", data_dir=data_dir)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problems"][0]["kind"] == "db_integrity"
    assert set(data) == {"ok", "problems", "checked"}
    text = motcua("verify", data_dir=data_dir)
    assert text.returncode == 1 and "Cơ sở dữ liệu" in text.stdout


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "motcua.db").write_bytes(b"this is not a database" * 200)
    report = verify_location(tmp_path)
    assert [p.kind for p in report.problems] == ["db_integrity"]
    result = motcua("catalog", "list", data_dir=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "hỏng" in result.stderr and "motcua verify" in result.stderr
