"""Drafts: nothing an officer types is ever lost.

The receive dialog saves its state (e.g. :func:`app.services.reception.payloads.request_to_payload`) every few
seconds and on every change; after a crash or a closed window the officer finds the draft again with
:func:`open_drafts`. A draft is discarded when its dossier has been received or the officer throws it
away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.errors import ValidationError
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.store.repositories import DraftRecord, DraftRepository

RECEIVE = "receive"
#: A draft larger than this is refused (scanned pages belong in the blob store, not in a draft).
MAX_PAYLOAD_BYTES = 1_000_000
MAX_KIND_LENGTH = 32


@dataclass
class Draft:
    id: int
    officer: str  # username
    kind: str  # "receive"
    payload: dict[str, Any]
    updated_at: datetime


def _draft(record: DraftRecord) -> Draft:
    return Draft(record.id, record.officer, record.kind, record.payload, record.updated_at)


def _json_safe(payload: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationError("a draft payload must be a JSON object", "Bản nháp phải là một đối tượng JSON.",
                              field="payload")
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"a draft payload must be plain JSON data: {exc}",
                              "Bản nháp chứa dữ liệu không lưu được dạng JSON.", field="payload") from None
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValidationError("the draft is too large", "Bản nháp quá lớn.", field="payload")
    result: dict[str, Any] = json.loads(text)
    return result


def save_draft(ctx: AppContext, officer: Officer, kind: str, payload: dict[str, Any],
               draft_id: int | None = None) -> int:
    """Save ``payload`` as a new draft, or over draft ``draft_id`` of the same officer; returns the
    draft's id. When ``draft_id`` no longer exists (discarded elsewhere) or belongs to another
    officer, a new draft is made instead, so nothing is lost: always keep the returned id."""
    data = _json_safe(payload)
    kind = (kind or "").strip()
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValidationError(f"the draft kind must be 1-{MAX_KIND_LENGTH} characters",
                              "Loại bản nháp không hợp lệ.", field="kind")
    with ctx.session(write=True) as session:
        repo = DraftRepository(session)
        if draft_id is not None:
            existing = repo.get(draft_id)
            if existing is not None and existing.officer == officer.username and existing.kind == kind:
                repo.update(draft_id, data)
                return draft_id
        return repo.add(officer.username, kind, data).id


def open_drafts(ctx: AppContext, officer: Officer, kind: str = RECEIVE) -> list[Draft]:
    """The officer's drafts of ``kind``, most recently saved first."""
    with ctx.session() as session:
        return [_draft(r) for r in DraftRepository(session).list_for(officer.username, kind)]


def discard_draft(ctx: AppContext, draft_id: int) -> None:
    """Throw a draft away (nothing happens when it is already gone)."""
    with ctx.session(write=True) as session:
        DraftRepository(session).delete(draft_id)
