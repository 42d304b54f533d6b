"""Drafts: what an officer types is kept until the dossier is received, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.errors import ValidationError
from app.services.admin.auth import Officer, Role
from app.services.reception import payloads
from app.services.reception import receive as reception
from app.services.reception.drafts import discard_draft, open_drafts, save_draft

HUNG = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
LINH = Officer("linh", "Trần Thị Mỹ Linh", Role.OFFICER)
QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")


def test_save_update_list_and_discard(app_ctx):
    first = save_draft(app_ctx, HUNG, "receive", {"applicant": {"full_name": "Nguyễn"}})
    [draft] = open_drafts(app_ctx, HUNG)
    assert (draft.id, draft.officer, draft.kind) == (first, "hung", "receive")
    assert draft.payload == {"applicant": {"full_name": "Nguyễn"}}

    again = save_draft(app_ctx, HUNG, "receive", {"applicant": {"full_name": "Nguyễn Thị Thu Hà"}}, first)
    assert again == first
    [updated] = open_drafts(app_ctx, HUNG)
    assert updated.payload == {"applicant": {"full_name": "Nguyễn Thị Thu Hà"}}
    assert updated.updated_at >= draft.updated_at

    second = save_draft(app_ctx, HUNG, "receive", {"step": 2})
    assert [d.id for d in open_drafts(app_ctx, HUNG)] == [second, first]  # most recent first
    assert open_drafts(app_ctx, LINH) == [] and open_drafts(app_ctx, HUNG, "scan") == []

    discard_draft(app_ctx, first)
    discard_draft(app_ctx, first)  # already gone: nothing happens
    assert [d.id for d in open_drafts(app_ctx, HUNG)] == [second]


def test_nothing_typed_is_lost(app_ctx):
    mine = save_draft(app_ctx, HUNG, "receive", {"n": 1})
    # Someone else's draft id, or a discarded one, makes a new draft instead of failing.
    theirs = save_draft(app_ctx, LINH, "receive", {"n": 2}, draft_id=mine)
    assert theirs != mine
    assert [d.payload for d in open_drafts(app_ctx, HUNG)] == [{"n": 1}]
    discard_draft(app_ctx, mine)
    revived = save_draft(app_ctx, HUNG, "receive", {"n": 3}, draft_id=mine)
    assert revived != mine and [d.payload for d in open_drafts(app_ctx, HUNG)] == [{"n": 3}]


def test_payload_must_be_json(app_ctx):
    for payload in ({"when": datetime(2025, 1, 1)}, {"x": float("nan")}, ["not", "an", "object"]):
        with pytest.raises(ValidationError) as caught:
            save_draft(app_ctx, HUNG, "receive", payload)  # type: ignore[arg-type]
        assert caught.value.field == "payload"
    for kind in (" ", "k" * 33):
        with pytest.raises(ValidationError) as caught:
            save_draft(app_ctx, HUNG, kind, {})
        assert caught.value.field == "kind"


def test_receive_from_a_draft(app_ctx):
    request = reception.ReceiveRequest("1.001193", applicant_from_qr(parse_cccd_qr(QR)),
                                       received_at=datetime(2025, 3, 18, 10, 30))
    draft_id = save_draft(app_ctx, HUNG, "receive", payloads.request_to_payload(request))
    [draft] = open_drafts(app_ctx, HUNG)
    restored = payloads.request_from_payload(draft.payload)
    assert restored == request
    dossier = reception.receive_dossier(app_ctx, restored, HUNG)
    discard_draft(app_ctx, draft_id)
    assert dossier.applicant.full_name == "Nguyễn Thị Thu Hà" and open_drafts(app_ctx, HUNG) == []
