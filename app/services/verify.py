"""``motcua verify``: is everything stored sound? The database, every blob, every dossier's files and
the audit chain, each problem reported with what and where.

The report (``VerifyReport.to_json``)::

    {"ok": false,
     "problems": [{"kind": "blob_corrupt", "detail": "blob 3f… is corrupted: …", "ref": "3f…"}],
     "checked": {"blobs": 12, "dossiers": 300, "audit_rows": 301}}

``kind`` is one of ``db_integrity``, ``blob_missing`` (recorded in the ``blobs`` table, not on disk),
``blob_corrupt`` (on disk, content does not match its name), ``dossier_file_missing`` (a dossier's
attachment is not in the blob store), ``audit_chain`` (the audit log's hash chain is broken at
``ref``, a row id), ``backup_untrusted`` (``--deep``: a backup of the daily backup folder fails the
checks a restore runs), ``spool_left`` (scanned pages still waiting in a spool), ``quarantine``
(a scan batch set aside because its pages could not be attached). Nothing is changed by a check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import MotCuaError
from app.services.context import AppContext
from app.store import integrity
from app.store.database import Database
from app.store.faults import StorageError
from app.store.integrity import Finding
from app.store.paths import BLOBS_DIR_NAME, DB_FILE_NAME
from app.store.repositories import AuditRepository

log = logging.getLogger(__name__)
BACKUP_UNTRUSTED = "backup_untrusted"
SPOOL_LEFT, QUARANTINE = "spool_left", "quarantine"


@dataclass
class VerifyReport:
    problems: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: {"blobs": 0, "dossiers": 0, "audit_rows": 0})

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok,
                "problems": [{"kind": p.kind, "detail": p.detail, "ref": p.ref} for p in self.problems],
                "checked": dict(self.checked)}


def verify_database(db: Database) -> VerifyReport:
    """Every check on an open database and its blob store."""
    report = VerifyReport()
    report.problems += integrity.database_findings(db)
    corrupt, intact = integrity.blob_findings(db.blobs)  # decrypts sealed blobs
    report.problems += corrupt
    bad = {p.ref for p in corrupt}
    report.checked["blobs"] = len(intact) + len(bad)
    for sha in integrity.recorded_blobs(db):
        if sha not in intact and sha not in bad:
            report.problems.append(Finding(integrity.BLOB_MISSING, f"blob {sha} is recorded but not on disk",
                                           sha))
    for code, sha, name in integrity.dossier_files(db):
        if sha not in intact and sha not in bad:
            report.problems.append(Finding(integrity.DOSSIER_FILE_MISSING,
                                           f"dossier {code}: file {name or sha} ({sha}) is missing", code))
    report.checked["dossiers"] = integrity.count_dossiers(db)
    with db.session() as session:
        audit = AuditRepository(session)
        chain = audit.verify()
        report.checked["audit_rows"] = audit.count()
    if not chain.ok:
        report.problems.append(Finding(integrity.AUDIT_CHAIN,
                                       f"audit log row {chain.first_bad_id}: {chain.reason}",
                                       str(chain.first_bad_id)))
    return report


def verify(ctx: AppContext, *, deep: bool = False) -> VerifyReport:
    """Check the store of an open context (see the module documentation); ``deep``: also every
    backup in the daily backup folder, as a restore would check it."""
    report = verify_database(ctx.db)
    report.problems += spool_findings(ctx.data_dir)
    if deep:
        report.problems += backup_findings(ctx)
    return report


def spool_findings(data_dir: Path) -> list[Finding]:
    """Scanned pages still waiting in a spool (a scan interrupted or stopped: ``motcua scan --resume``)
    and batches set aside in the quarantine (pages that could not be attached)."""
    from app.scanning.quarantine import quarantined
    from app.scanning.spool import Spool
    from app.store.paths import SPOOL_DIR_NAME

    findings: list[Finding] = []
    for name in (SPOOL_DIR_NAME,):  # archive batches keep their own progress (motcua batch)
        root = Path(data_dir) / name
        if not root.is_dir():
            continue
        for batch in Spool(root).batches():
            pages = batch.pages()
            if not batch.done and pages:
                findings.append(Finding(SPOOL_LEFT, f"{name}/{batch.name}: {len(pages)} page file(s) waiting "
                                        "(motcua scan --resume)", f"{name}/{batch.name}"))
        findings += [Finding(QUARANTINE, f"{name}/{q.batch}: set aside: {q.reason}", f"{name}/{q.batch}")
                     for q in quarantined(root)]
    return findings


def backup_findings(ctx: AppContext) -> list[Finding]:
    """Each backup of the daily backup folder checked like a restore: hashes, manifest
    authentication with the data key, database form, every blob decrypted."""
    from app.services.backup import get_schedule
    from app.store import backup as store_backup
    from app.store.backup_auth import check_authentic, check_contents
    from app.store.backup_manifest import BackupError
    from app.store.restore import backup_keys

    folder = get_schedule(ctx).folder
    findings: list[Finding] = []
    for backup_dir in store_backup.list_backups(folder) if folder is not None else []:
        try:
            manifest = store_backup.check_backup(backup_dir)
            keys, _new = backup_keys(backup_dir, manifest, ctx.data_dir, None)
            check_authentic(backup_dir, manifest, keys, target_has_key=ctx.db.keys is not None)
            check_contents(backup_dir, manifest, keys)
        except (BackupError, MotCuaError) as exc:
            findings.append(Finding(BACKUP_UNTRUSTED, f"backup {backup_dir}: {exc}", str(backup_dir)))
    return findings


def verify_location(data_dir: Path | str | None = None, db_url: str | None = None, *,
                    deep: bool = False) -> VerifyReport:
    """Open the store without migrating it and check it; a database that cannot even be opened is
    reported as a ``db_integrity`` problem (its blobs are still checked), not raised."""
    from app.services.context import resolve_data_dir, resolve_db_url

    folder = resolve_data_dir(data_dir)
    url = resolve_db_url(db_url)
    try:
        ctx = AppContext.open(folder, url, create=False, migrate=False)
    except StorageError as exc:
        log.warning("verify: the database cannot be opened: %s", exc)
        report = VerifyReport()
        target = folder / DB_FILE_NAME if url is None else None
        if target is not None:
            report.problems += integrity.sqlite_file_findings(target) or [
                Finding(integrity.DB_INTEGRITY, str(exc), str(target))]
        else:
            report.problems.append(Finding(integrity.DB_INTEGRITY, str(exc), "database"))
        corrupt, intact = integrity.blob_findings(folder / BLOBS_DIR_NAME)
        report.problems += corrupt
        report.checked["blobs"] = len(intact) + len(corrupt)
        report.problems += spool_findings(folder)
        return report
    with ctx:
        return verify(ctx, deep=deep)
