"""Keeping the server's data folder clean: unfinished uploads expire, and ``verify`` reports what
does not add up (bytes without a record, records without bytes).

An upload nobody touched for ``upload_expiry`` (``--upload-expiry-hours``, default 72) is removed with
its bytes (``uploads/<id>.part``); a station that comes back later announces the file again and sends
it from the start. Sweeps run at start-up and when a file is announced (at most once a minute).
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from provincial_server.store import Store

DEFAULT_UPLOAD_EXPIRY = timedelta(hours=72)
_SWEEP_EVERY = 60.0  # seconds between two sweeps (fewer when the expiry is shorter)


def expired_uploads(store: Store, now: str, expiry: timedelta) -> list[str]:
    """Ids of unfinished uploads last touched before ``now - expiry`` (``now``: ISO, Vietnam time)."""
    cutoff = (datetime.fromisoformat(now) - expiry).isoformat()
    with store.read() as db:
        rows = db.execute(
            "SELECT id FROM uploads WHERE state = 'dang_tai' AND coalesce(touched_at, created_at) < ?",
            (cutoff,),
        ).fetchall()
    return [r["id"] for r in rows]


def remove_uploads(store: Store, ids: list[str]) -> int:
    """Forget these unfinished uploads and delete their bytes; returns how many went."""
    removed = 0
    for upload_id in ids:
        with store.write() as db:
            removed += db.execute(
                "DELETE FROM uploads WHERE id = ? AND state = 'dang_tai'", (upload_id,)
            ).rowcount
        with contextlib.suppress(FileNotFoundError):
            (store.uploads_dir / f"{upload_id}.part").unlink()
    return removed


def expire_uploads(server: Any, now: str, *, force: bool = False) -> int:
    """The periodic sweep of :class:`provincial_server.app.ServerState` (``now``: ISO, Vietnam time)."""
    every = min(_SWEEP_EVERY, server.upload_expiry.total_seconds() / 2)
    if not force and time.monotonic() - server.last_sweep < every:
        return 0
    server.last_sweep = time.monotonic()
    return remove_uploads(server.store, expired_uploads(server.store, now, server.upload_expiry))


def verify(store: Store, now: str, expiry: timedelta = DEFAULT_UPLOAD_EXPIRY) -> dict[str, Any]:
    """What does not add up in the data folder. ``ok`` is False when anything is an orphan:
    ``orphan_parts`` (bytes in ``uploads/`` with no unfinished upload), ``orphan_files`` (bytes in
    ``files/`` no dossier holds), ``missing_files`` (a dossier's file whose bytes are gone).
    ``expired_uploads`` are unfinished uploads past the expiry (the next sweep removes them);
    ``unfinished_uploads`` counts all the unfinished ones."""
    with store.read() as db:
        open_ids = {r["id"] for r in db.execute("SELECT id FROM uploads WHERE state = 'dang_tai'")}
        held = {r["sha256"] for r in db.execute("SELECT DISTINCT sha256 FROM files")}
    parts = {p.name.removesuffix(".part"): p for p in store.uploads_dir.iterdir() if p.is_file()}
    stored = {p.name for p in store.files_dir.iterdir() if p.is_file()}
    expired = expired_uploads(store, now, expiry)
    report = {
        "orphan_parts": sorted(_relative(store, p) for name, p in parts.items() if name not in open_ids),
        "orphan_files": sorted(f"files/{name}" for name in stored - held),
        "missing_files": sorted(held - stored),
        "expired_uploads": sorted(expired),
        "unfinished_uploads": len(open_ids),
    }
    report["ok"] = not (report["orphan_parts"] or report["orphan_files"] or report["missing_files"])
    return report


def _relative(store: Store, path: Path) -> str:
    return str(path.relative_to(store.data_dir))
