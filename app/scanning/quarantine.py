"""Scan batches set aside: pages that could not become part of a dossier, kept with the reason.

A batch is quarantined when its pages could not be attached (a page no PDF can hold, a full disk,
a damaged file) or when some of its pages failed while the others were attached. A quarantined
batch stays in the spool folder with ``.quarantine.json`` (the reason, technical, no personal data)
and is never resumed nor cleaned silently: the officer is told once (:func:`take_unseen`), and
``motcua verify`` lists it. When even that small file cannot be written (a full disk), the batch
folder is renamed with the ``.quarantined`` suffix instead, which nothing resumes either.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.clock import vn_now
from app.core.fileio import atomic_write_bytes
from app.scanning.spool import QUARANTINE_MARK, QUARANTINED_SUFFIX, SpoolBatch, is_quarantined

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuarantinedBatch:
    batch: str
    reason: str
    reason_vi: str
    pages: tuple[dict[str, Any], ...]  # {"page", "error"} of the pages that failed (numbered from 1)
    at: str
    seen: bool

    def to_json(self) -> dict[str, Any]:
        return {"batch": self.batch, "error": self.reason, "pages": list(self.pages), "quarantined": True}


def quarantine(batch: SpoolBatch, reason: str, reason_vi: str,
               pages: list[dict[str, Any]] | None = None) -> QuarantinedBatch:
    """Set ``batch`` aside with its reason (see the module)."""
    entry = {"reason": reason, "reason_vi": reason_vi, "pages": pages or [],
             "at": vn_now().isoformat(timespec="seconds"), "seen": False}
    try:
        _write(batch.path, entry)
    except OSError as exc:
        logger.warning("cannot write the quarantine mark of %s (%s): renaming the batch", batch.name, exc)
        try:
            batch.path.replace(batch.path.with_name(batch.name + QUARANTINED_SUFFIX))
        except OSError:
            logger.error("spool batch %s could not be set aside: %s", batch.name, reason)
    logger.warning("spool batch %s set aside: %s", batch.name, reason)
    return _entry(batch.name, entry)


def _entry(name: str, data: dict[str, Any]) -> QuarantinedBatch:
    pages = data.get("pages") if isinstance(data.get("pages"), list) else []
    return QuarantinedBatch(name, str(data.get("reason") or "unknown"), str(data.get("reason_vi") or ""),
                            tuple(p for p in pages if isinstance(p, dict)), str(data.get("at") or ""),
                            bool(data.get("seen")))


def _write(folder: Path, data: dict[str, Any]) -> None:
    atomic_write_bytes(folder / QUARANTINE_MARK, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _read(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / QUARANTINE_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"reason": "set aside (no readable reason)", "reason_vi": "bị cách ly", "seen": False}
    return data if isinstance(data, dict) else {}


def quarantined(root: Path) -> list[QuarantinedBatch]:
    """Every quarantined batch under the spool folder ``root``, oldest first."""
    if not Path(root).is_dir():
        return []
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir() and is_quarantined(p))
    return [_entry(p.name, _read(p)) for p in folders]


def take_unseen(root: Path) -> list[QuarantinedBatch]:
    """The quarantined batches the officer has not been told about, marked as told."""
    unseen = [q for q in quarantined(root) if not q.seen]
    for q in unseen:
        folder = Path(root) / q.batch
        if (folder / QUARANTINE_MARK).exists():
            data = _read(folder)
            data["seen"] = True
            try:
                _write(folder, data)
            except OSError as exc:
                logger.warning("cannot mark %s as told: %s", q.batch, exc)
    return unseen


def notice(entries: list[QuarantinedBatch]) -> str:
    """What the officer reads (Vietnamese), empty when there is nothing new."""
    if not entries:
        return ""
    lines = [f"{len(entries)} lượt quét có trang không đưa được vào hồ sơ, đã được để riêng "
             "(không tự quét lại):"]
    for q in entries:
        pages = ", ".join(str(p.get("page")) for p in q.pages if p.get("page"))
        lines.append(f"- {q.batch}: {q.reason_vi or q.reason}" + (f" (trang {pages})" if pages else ""))
    return "\n".join(lines)
