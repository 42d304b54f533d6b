"""Integrity checks of the store: the database file, every blob's hash, every dossier's files.

Each check yields :class:`Finding` objects (``kind``, English ``detail``, ``ref``); an empty result
means the part is sound. ``app.services.admin.verify`` puts them together for ``motcua verify``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from app.core.errors import MotCuaError
from app.store.backup import iter_blob_files
from app.store.blobs import BlobStore
from app.store.data_key import key_file_path, unlock
from app.store.database import Database, connect_sqlite, is_plain_sqlite
from app.store.models import BlobRow, DossierRow

DB_INTEGRITY = "db_integrity"
BLOB_MISSING = "blob_missing"
BLOB_CORRUPT = "blob_corrupt"
DOSSIER_FILE_MISSING = "dossier_file_missing"
AUDIT_CHAIN = "audit_chain"
MAX_SQLITE_MESSAGES = 100
_CHUNK = 1000

# PostgreSQL has no integrity_check; these queries find what the constraints should have prevented.
_PG_CHECKS = (
    ("status history rows without their dossier",
     "SELECT count(*) FROM dossier_status_history h LEFT JOIN dossiers d ON d.id = h.dossier_id "
     "WHERE d.id IS NULL"),
    ("dossier codes used twice", "SELECT count(*) FROM (SELECT code FROM dossiers GROUP BY code "
                                 "HAVING count(*) > 1) AS dup"),
    ("audit rows out of order", "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1 "
                                "WHERE b.prev_hash <> a.hash"),
)


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str
    ref: str = ""


def sqlite_file_findings(path: Path, key: str | None = None) -> list[Finding]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` on a SQLite file (opened read-only when
    possible, so a check never changes what it checks). An encrypted file is opened with ``key``,
    or with the key of its data folder (key file beside it) when ``key`` is None."""
    try:
        encrypted = path.exists() and not is_plain_sqlite(path)
        if key is None and encrypted and key_file_path(path.parent).is_file():
            key = unlock(path.parent).sqlcipher_keys()[0]
    except MotCuaError as exc:
        return [Finding(DB_INTEGRITY, f"cannot unlock the database: {exc.message_en}", str(path))]
    try:
        conn = connect_sqlite(f"file:{path.as_posix()}?mode=ro", key, uri=True, timeout=30)
    except sqlcipher.Error as exc:
        return [Finding(DB_INTEGRITY, f"cannot open the database: {exc}", str(path))]
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA integrity_check({MAX_SQLITE_MESSAGES})")]
        findings = [Finding(DB_INTEGRITY, f"integrity_check: {r}", str(path)) for r in rows if r != "ok"]
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
            findings.append(Finding(DB_INTEGRITY, f"foreign_key_check: {table} row {rowid} refers to a "
                                                  f"missing {parent} row", f"{table}:{rowid}"))
        return findings
    except sqlcipher.DatabaseError as exc:
        return [Finding(DB_INTEGRITY, f"the database cannot be read: {exc}", str(path))]
    finally:
        conn.close()


def database_findings(db: Database) -> list[Finding]:
    if db.sqlite_path is not None:
        return sqlite_file_findings(db.sqlite_path, db.sqlite_key)
    if db.dialect != "postgresql":
        return []
    findings = []
    with db.engine.connect() as conn:
        for what, query in _PG_CHECKS:
            count = int(conn.execute(sql_text(query)).scalar_one())
            if count:
                findings.append(Finding(DB_INTEGRITY, f"{count} {what}", what))
    return findings


def blob_findings(root: Path | BlobStore) -> tuple[list[Finding], set[str]]:
    """Hash the plain content of every blob (decrypting sealed ones, chunk by chunk); returns the
    corrupt ones and the names of the intact ones. ``root``: a blob store, or its folder (the keys
    are then found through the data folder's key file)."""
    store = root if isinstance(root, BlobStore) else BlobStore(root)
    findings: list[Finding] = []
    intact: set[str] = set()
    for name, _path in iter_blob_files(store.root):
        try:
            actual = store.content_hash(name)
        except OSError as exc:
            findings.append(Finding(BLOB_CORRUPT, f"blob {name} cannot be read: {exc.strerror or exc}", name))
            continue
        except MotCuaError as exc:  # no key for a sealed blob
            findings.append(Finding(BLOB_CORRUPT, f"blob {name} cannot be decrypted: {exc.message_en}", name))
            continue
        if actual == name:
            intact.add(name)
        elif actual is None:
            findings.append(Finding(BLOB_CORRUPT, f"blob {name} is corrupted: it fails decryption "
                                                  "(altered or truncated)", name))
        else:
            findings.append(Finding(BLOB_CORRUPT, f"blob {name} is corrupted: its content hashes to {actual}",
                                    name))
    return findings, intact


def recorded_blobs(db: Database) -> Iterator[str]:
    """Blobs the ``blobs`` table knows about."""
    with db.session() as session:
        yield from session.scalars(select(BlobRow.sha256).order_by(BlobRow.sha256)).all()


def dossier_files(db: Database) -> Iterator[tuple[str, str, str]]:
    """``(dossier code, sha256, file name)`` of every attachment of every dossier, in chunks."""
    last_id = 0
    while True:
        with db.session() as session:
            rows = session.execute(
                select(DossierRow.id, DossierRow.code, DossierRow.attachments)
                .where(DossierRow.id > last_id).order_by(DossierRow.id).limit(_CHUNK)).all()
        if not rows:
            return
        for row in rows:
            for item in row.attachments or []:
                if isinstance(item, dict):
                    yield row.code, str(item.get("sha256") or ""), str(item.get("file_name") or "")
            last_id = row.id


def count_dossiers(db: Database) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(DossierRow)).scalar_one())
