"""Encryption at rest: nothing personal readable from the data folder without the key; wrong keys,
rotation, conversion of a plain folder, tampered blobs, recovery and restore with the admin secret.

The OS keyring is the test session's file keyring (tests/keyring_backend.py); "a new machine" is
that keyring emptied.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from app.core.applicant import Applicant, Sex
from app.core.dossier import Attachment
from app.services import backup
from app.services import keys as key_service
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.drafts import save_draft
from app.services.logging_setup import configure_logging, remove_logging
from app.services.reception import ReceiveRequest, receive_dossier
from app.services.setup import init
from app.services.verify import verify, verify_location
from app.store import crypto
from app.store import keys as keystore
from app.store.backup_manifest import BackupError
from app.store.blobs import BlobCorruptedError, BlobStore
from app.store.database import Database, connect_file, connect_sqlite, is_plain_sqlite, key_works
from app.store.repositories import BlobRepository, DossierRepository
from tests.keyring_backend import forget_all

BIRTH = "1.001193"
AT = datetime(2026, 11, 18, 9, 15)
CCCD = "079303001234"
NAME = "Khổng Thị Quỳnh Giao"
FOLDED = "khong thi quynh giao"
PHONE = "0987654321"
SECRET = "MAT-KHAU-KHOI-PHUC-2026"
COMMAND = [str(Path(sys.executable).with_name("motcua"))]
if not Path(COMMAND[0]).exists():  # pragma: no cover
    COMMAND = [sys.executable, "-m", "app.cli"]


def needles() -> dict[str, bytes]:
    return {"cccd": CCCD.encode(), "name utf-8": NAME.encode("utf-8"),
            "name utf-16-le": NAME.encode("utf-16-le"), "name utf-16-be": NAME.encode("utf-16-be"),
            "folded": FOLDED.encode(), "folded upper": FOLDED.upper().encode(), "phone": PHONE.encode(),
            "surname token": b"quynh giao"}


def grep(folder: Path) -> list[str]:
    """Every (file, needle) where a needle is in the raw bytes of a file under ``folder``."""
    found = []
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        raw = path.read_bytes()
        found += [f"{path.relative_to(folder)}: {what}" for what, needle in needles().items()
                  if needle in raw]
    return found


def person() -> Applicant:
    return Applicant(full_name=NAME, id_number=CCCD, birth_date=datetime(2003, 5, 14).date(), sex=Sex.FEMALE,
                     address="25 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội", phone=PHONE)


def text_pdf() -> bytes:
    """A page with the person's CCCD and folded name as real (uncompressed) PDF text."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pageCompression=0)
    c.drawString(72, 720, f"{FOLDED.upper()} - CCCD {CCCD} - {FOLDED}")
    c.showPage()
    c.save()
    return out.getvalue()


def run(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment.update(PYTHONIOENCODING="utf-8", **(env or {}))
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=environment, timeout=120, check=False)


def populate(ctx: AppContext, catalogue: Path) -> str:
    """A dossier of the known person with a scanned page, a draft, a setting: the usual workload."""
    init(ctx, now=AT, catalogue_path=catalogue)
    code = receive_dossier(ctx, ReceiveRequest(BIRTH, person(), received_at=AT), SYSTEM_OFFICER).code
    pdf = text_pdf()
    assert CCCD.encode() in pdf and FOLDED.encode() in pdf  # the test could fail: the page holds them
    sha = ctx.db.blobs.put_bytes(pdf)
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        dossier = repo.get(code)
        dossier.attachments.append(Attachment(sha, "trang-1.pdf", "application/pdf", len(pdf)))
        BlobRepository(session).record(sha, len(pdf), "application/pdf")
        repo.update(dossier)
    save_draft(ctx, SYSTEM_OFFICER, "receive", {"full_name": NAME, "id_number": CCCD, "phone": PHONE})
    return code


@pytest.fixture
def folder(tmp_path: Path, small_catalogue: Path) -> Path:
    data = tmp_path / "data"
    with AppContext.open(data) as ctx:
        populate(ctx, small_catalogue)
    return data


def test_nothing_personal_is_readable_in_the_raw_files(folder: Path, tmp_path: Path) -> None:
    """GIVEN a data folder that received a dossier of a known person, with a text PDF page, a draft,
    commands run (logs), a backup inside the folder and a database left with its -wal and -shm
    WHEN every file is grepped as raw bytes THEN no identifier, name or folded name is found;
    through the key everything is there."""
    configure_logging(folder)  # the application's log, as the desktop application sets it up
    second = AppContext.open(folder)  # left open: the -wal and -shm files exist while grepping
    try:
        logging.getLogger("app.test").warning("received dossier for id %s, phone %s", CCCD, PHONE)
        assert run("dossier", "list", "--json", data_dir=folder).returncode == 0
        assert run("verify", data_dir=folder).returncode == 0
        made = run("backup", str(folder / "backups" / "daily"), data_dir=folder)
        assert made.returncode == 0, made.stderr
        with second.session(write=True) as session:
            DossierRepository(session).search(CCCD, limit=5)
        names = {p.name for p in folder.rglob("*")}
        assert {"motcua.db", "motcua.db-wal", "motcua.key", "motcua.log", "manifest.json"} <= names
        assert grep(folder) == []
        # ... and the data is there for whoever holds the key
        conn = connect_file(folder / "motcua.db")
        try:
            assert conn.execute("SELECT count(*) FROM dossiers WHERE search_text LIKE ?",
                                (f"%{FOLDED}%",)).fetchone()[0] == 1
        finally:
            conn.close()
        assert verify(second).ok
    finally:
        second.db.close()
        remove_logging()
    assert not is_plain_sqlite(folder / "motcua.db")
    with open(folder / "motcua.db", "rb") as f:
        assert f.read(16) != b"SQLite format 3\x00"


def test_wrong_key_is_refused_clearly_and_changes_nothing(folder: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db_file = folder / "motcua.db"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}
    monkeypatch.setenv(keystore.ENV_DATA_KEY, os.urandom(32).hex())
    with pytest.raises(keystore.WrongKeyError) as wrong:
        Database.open(data_dir=folder)
    assert "Khóa" in wrong.value.message_vi and "không phải khóa" in wrong.value.message_vi
    monkeypatch.delenv(keystore.ENV_DATA_KEY)
    # another folder's database put in its place: the folder's key does not open it
    other = tmp_path / "other"
    Database.open(data_dir=other).close()
    shutil.copy(db_file, tmp_path / "saved.db")
    shutil.copy(other / "motcua.db", db_file)
    with pytest.raises(keystore.WrongKeyError) as wrong:
        Database.open(data_dir=folder)
    assert "Không mở được cơ sở dữ liệu" in wrong.value.message_vi
    assert "không bị thay đổi" in wrong.value.message_vi
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == hashlib.sha256(
        (other / "motcua.db").read_bytes()).hexdigest()
    shutil.copy(tmp_path / "saved.db", db_file)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}
    assert after == before
    result = run("dossier", "list", data_dir=folder, env={keystore.ENV_DATA_KEY: "00" * 32})
    assert result.returncode == 1 and "Traceback" not in result.stderr and "khóa" in result.stderr.lower()


def test_rotation_reencrypts_database_and_blobs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_service.set_secret(folder, SECRET)
    with Database.open(data_dir=folder) as db:
        old_key, old_sqlcipher = db.keys.key_id, db.sqlite_key
        names = db.blobs.names()
    with pytest.raises(crypto.WrongSecretError):
        key_service.rotate(folder, secret="not-the-right-secret")
    monkeypatch.setenv("ADMIN_SECRET", SECRET)
    result = run("keys", "rotate", "--secret-env", "ADMIN_SECRET", "--json", data_dir=folder)
    assert result.returncode == 0, result.stderr
    with Database.open(data_dir=folder) as db:
        assert db.keys.key_id != old_key and db.keys.file.pending is None
        assert set(db.keys.keys) == {db.keys.key_id}
        assert not key_works(folder / "motcua.db", old_sqlcipher)
        assert all(db.blobs.stored_key_id(n) == db.keys.key_id for n in names) and names
        ctx = AppContext(db, folder)
        with ctx.session() as session:
            assert DossierRepository(session).search(CCCD, limit=5)
        assert verify(ctx).ok
    assert all(not key_works(p, old_sqlcipher) for p in (folder / "backups").rglob("*.db"))
    # the recovery secret still opens the new key on a new machine
    forget_all()
    with pytest.raises(keystore.KeyUnavailableError):
        Database.open(data_dir=folder)
    key_service.recover(folder, SECRET)
    with Database.open(data_dir=folder) as db:
        assert db.blobs.read_bytes(names[0])


def test_an_interrupted_rotation_still_opens_and_finishes(folder: Path) -> None:
    """A rotation stopped after the blobs were re-sealed, before the database was re-keyed."""
    key_service.set_secret(folder, SECRET)
    keys = keystore.unlock(folder)
    new = crypto.new_data_key()
    kid = crypto.key_id(new)
    keys.keys[kid] = new
    keys.file.pending, keys.file.state = {"key_id": kid, "recovery": None}, keystore.ROTATING
    keystore.install(keys)
    keys.save()
    view = keystore.DataKeys(folder, keystore.KeyFile(keys.file.folder_id, kid), keys.keys)
    assert BlobStore(folder / "blobs", view).seal_all() >= 1
    with AppContext.open(folder) as ctx:  # blobs under the new key, database under the old: both read
        assert verify(ctx).ok
    done = key_service.rotate(folder, secret=SECRET)
    assert done.new_key_id == kid
    with AppContext.open(folder) as ctx:
        assert ctx.db.keys.key_id == kid and verify(ctx).ok


def _make_plain_legacy(folder: Path) -> None:
    """Turn an encrypted folder back into what an older version left: a plain database (with a
    plain pre-migration copy in backups/), plain blobs, no key file."""
    keys = keystore.unlock(folder)
    key = keys.sqlcipher_keys()[0]
    store = BlobStore(folder / "blobs", keys)
    for name in store.names():
        data = store.read_bytes(name)
        store.path_of(name).write_bytes(data)
    db = folder / "motcua.db"
    conn = connect_sqlite(db, key, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(folder / "plain.db"),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    for p in folder.glob("motcua.db*"):
        p.unlink()
    (folder / "plain.db").replace(db)
    shutil.rmtree(folder / "backups", ignore_errors=True)
    (folder / "backups").mkdir()
    shutil.copy(db, folder / "backups" / "motcua-20250101-000000-pre-migration.db")
    keystore.key_file_path(folder).unlink()
    keystore.keyring_forget(keys.file.folder_id)


@pytest.mark.parametrize("how", ["open", "motcua init"])
def test_a_plain_legacy_folder_is_converted_once(folder: Path, how: str, small_catalogue: Path) -> None:
    _make_plain_legacy(folder)
    assert is_plain_sqlite(folder / "motcua.db")
    assert {"cccd", "folded"} <= {f.split(": ")[1] for f in grep(folder)}  # the test could fail
    if how == "open":
        with AppContext.open(folder) as ctx:
            assert ctx.db.keys.file.state == keystore.READY
    else:
        result = run("init", data_dir=folder)
        assert result.returncode == 0, result.stderr
    assert not is_plain_sqlite(folder / "motcua.db")
    assert not list(folder.glob("*.plain*")) and not list(folder.glob("*.encrypting"))
    assert grep(folder) == []
    with AppContext.open(folder) as ctx:
        with ctx.session() as session:
            assert [s.id_number for s in DossierRepository(session).search(CCCD, limit=5)] == [CCCD]
        report = verify(ctx)
        assert report.ok, report.problems


def test_tampered_or_truncated_blobs_are_detected(folder: Path) -> None:
    keys = keystore.unlock(folder)
    store = BlobStore(folder / "blobs", keys)
    data = os.urandom(3 * crypto.CHUNK_SIZE + 1000)
    sha = store.put_bytes(data)
    path = store.path_of(sha)
    sealed = path.read_bytes()
    stride = crypto.CHUNK_SIZE + crypto.TAG_BYTES
    h = crypto.HEADER_BYTES
    chunks = [sealed[h + i * stride:h + (i + 1) * stride] for i in range(4)]
    damaged = {
        "bit flip": sealed[:h + 5000] + bytes([sealed[h + 5000] ^ 1]) + sealed[h + 5001:],
        "last chunk cut": sealed[:h + 3 * stride],
        "cut mid-chunk": sealed[:h + stride + 100],
        "chunks swapped": sealed[:h] + chunks[1] + chunks[0] + chunks[2] + chunks[3],
        "header key id": sealed[:4] + bytes(8) + sealed[12:],
        "header salt": sealed[:12] + bytes(16) + sealed[28:],
    }
    assert store.read_bytes(sha) == data
    for what, raw in damaged.items():
        path.write_bytes(raw)
        assert not store.verify(sha), what
        with pytest.raises(BlobCorruptedError):
            store.read_bytes(sha)
        with pytest.raises(BlobCorruptedError):
            store.open(sha)
    path.write_bytes(sealed[:h + 3 * stride])  # a file cut exactly at a chunk boundary, as verify sees it
    report = verify_location(folder)
    assert [p.kind for p in report.problems] == ["blob_corrupt"]
    path.write_bytes(sealed)
    assert store.verify(sha)


def test_blobs_are_streamed_with_flat_memory_and_seekable(tmp_path: Path, folder: Path) -> None:
    keys = keystore.unlock(folder)
    store = BlobStore(folder / "blobs", keys)
    big = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(big, "wb") as f:
        for i in range(48):  # 24 MiB
            block = hashlib.sha256(str(i).encode()).digest() * (512 * 1024 // 32)
            digest.update(block)
            f.write(block)
    tracemalloc.start()
    try:
        sha = store.put_file(big)
        with store.open(sha) as f:  # verified read: decrypted and hashed in chunks
            f.seek(5 * 1024 * 1024 + 7)
            piece = f.read(100_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sha == digest.hexdigest()
    with open(big, "rb") as f:
        f.seek(5 * 1024 * 1024 + 7)
        assert piece == f.read(100_000)
    assert peak < 4 * 1024 * 1024, peak  # a 24 MiB file never held in memory
    assert store.path_of(sha).stat().st_size > big.stat().st_size  # sealed: tags and header added


def test_recovery_from_the_admin_secret_on_a_new_machine(folder: Path) -> None:
    made = run("keys", "set-secret", "--generate", "--json", data_dir=folder)
    assert made.returncode == 0, made.stderr
    import json

    secret = json.loads(made.stdout)["secret"]
    forget_all()  # the OS was reinstalled: the keyring is empty
    refused = run("dossier", "list", data_dir=folder)
    assert refused.returncode == 1 and "motcua keys recover" in refused.stderr
    assert "Traceback" not in refused.stderr
    wrong = run("keys", "recover", "--secret-env", "S", data_dir=folder, env={"S": "WRONG-SECRET-123"})
    assert wrong.returncode == 1 and "Mã khôi phục" in wrong.stderr
    done = run("keys", "recover", "--secret-env", "S", "--json", data_dir=folder, env={"S": secret})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unlocked"] is True
    listed = run("dossier", "list", "--json", data_dir=folder)
    assert listed.returncode == 0 and CCCD in listed.stdout


def test_restore_of_an_encrypted_backup_on_a_new_machine(folder: Path, tmp_path: Path) -> None:
    key_service.set_secret(folder, SECRET)
    with AppContext.open(folder) as ctx:
        made = backup.create_backup(ctx, tmp_path / "usb")
    assert made.blobs >= 1 and grep(tmp_path / "usb") == []
    # same folder, same key: no secret needed
    backup.restore_backup(made.folder, data_dir=folder)
    assert verify_location(folder).ok
    # a new machine: empty keyring, empty data folder
    forget_all()
    target = tmp_path / "new-machine"
    with pytest.raises(BackupError) as refused:
        backup.restore_backup(made.folder, data_dir=target)
    assert "mã khôi phục" in refused.value.message_vi
    with pytest.raises(crypto.WrongSecretError):
        backup.restore_backup(made.folder, data_dir=target, secret="WRONG-SECRET-123")
    backup.restore_backup(made.folder, data_dir=target, secret=SECRET)
    report = verify_location(target)
    assert report.ok, report.problems
    with AppContext.open(target) as ctx, ctx.session() as session:
        assert [s.id_number for s in DossierRepository(session).search(CCCD, limit=5)] == [CCCD]
