"""A crafted month of dossiers (March 2026) whose indicators are computed by hand in the tests.

Times are Vietnam local. ``dt("03-05 17:00")`` is 05/03/2026 17:00. Each dossier's comment says how the
formulas count it; the expectations are in ``EXPECTED``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from app.core.applicant import Applicant
from app.core.dossier import (
    Attachment,
    Channel,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
)
from app.core.outbox import OutboxKind
from app.core.warehouse import ResultMetadata, SourceKind
from app.services.context import AppContext
from app.store.models_reports import DossierReportFactsRow, SatisfactionRow
from app.store.models_sync import OutboxRow
from app.store.repositories import DossierRepository, OutboxRepository, WarehouseRepository

BIRTH = "1.001193"  # Hộ tịch
RESIDENCE = "1.004222"  # Đăng ký, quản lý cư trú
S = DossierStatus
DONE, SUPP, BACK = S.DONE, S.SUPPLEMENT_REQUESTED, S.RECEIVED


def dt(text: str) -> datetime:
    """``"MM-DD HH:MM"`` of 2026."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M")


def _dossier(code: str, received: str, due: str, steps: list[tuple[str, DossierStatus]], *,
             procedure: str = BIRTH, channel: Channel = Channel.DIRECT, officer: str = "lan",
             fee: int = 0, components: list[ReceivedComponent] | None = None,
             attachments: list[Attachment] | None = None) -> Dossier:
    history = [StatusChange(dt(received), S.RECEIVED, officer, "Tiếp nhận")]
    history += [StatusChange(dt(at), status, officer, "") for at, status in steps]
    return Dossier(
        code=code, procedure_code=procedure,
        procedure_name="Đăng ký khai sinh" if procedure == BIRTH else "Đăng ký thường trú",
        applicant=Applicant(full_name=f"Công dân {code[-2:]}", id_number="001090000001",
                            address="Phường Bến Nghé", phone="0901234567"),
        received_at=dt(received), due_at=dt(due), channel=channel,
        status=history[-1].status, components=components or [], attachments=attachments or [],
        officer=officer, fee_vnd=fee, history=history)


def crafted_dossiers() -> list[Dossier]:
    digitised = [ReceivedComponent(0, "Tờ khai", digitised=True, reused_record_id="W1")]
    from_store = [ReceivedComponent(0, "Tờ khai", from_warehouse=True)]
    scan = [Attachment("a" * 64, "to-khai.pdf", "application/pdf", 10, 0, 1)]
    return [
        # A: done exactly at the due minute: on time, not early (same day). Result returned later.
        _dossier("X-A01", "03-02 08:00", "03-05 17:00", [("03-05 17:00", DONE), ("03-06 09:00", S.RETURNED)],
                 fee=50_000, components=digitised),
        # B: done one minute after the due: late.
        _dossier("X-B02", "03-02 08:10", "03-05 17:00", [("03-05 17:01", DONE)], fee=8_000),
        # C: online, done the day before the due day: on time and early; its result is digitised.
        _dossier("X-C03", "03-03 09:00", "03-10 17:00", [("03-09 16:00", DONE)], channel=Channel.ONLINE,
                 attachments=scan),
        # D: one supplement pause; due moved from 05/03 17:00 to 08/03 17:00; done 07/03: on time, early.
        _dossier("X-D04", "03-02 08:20", "03-08 17:00",
                 [("03-03 09:00", SUPP), ("03-06 09:00", BACK), ("03-07 10:00", DONE)]),
        # E: two supplement requests, done before the due: late all the same.
        _dossier("X-E05", "03-02 08:30", "03-20 17:00",
                 [("03-03 09:00", SUPP), ("03-04 09:00", BACK),
                  ("03-05 09:00", SUPP), ("03-06 09:00", BACK), ("03-10 09:00", DONE)]),
        # F: postponed from 05/03 17:00 to 12/03 17:00, done 10/03: late (a postponement is no excuse).
        _dossier("X-F06", "03-02 08:40", "03-12 17:00",
                 [("03-04 09:00", S.PROCESSING), ("03-10 09:00", DONE)]),
        # G: refused on the day it came (other field): finished, on time and early.
        _dossier("X-G07", "03-04 09:00", "03-09 17:00", [("03-04 10:00", S.REJECTED)], procedure=RESIDENCE,
                 officer="minh"),
        # H: online, still being processed: received, not finished.
        _dossier("X-H08", "03-20 09:00", "03-27 17:00", [("03-21 09:00", S.PROCESSING)],
                 channel=Channel.ONLINE, components=from_store),
        # I: done in February, returned in March: its end time (done) is before the period.
        _dossier("X-I09", "02-20 09:00", "02-27 17:00", [("02-27 10:00", DONE), ("03-02 09:00", S.RETURNED)]),
        # J: stopped (other field): finished, on time and early.
        _dossier("X-J10", "03-10 09:00", "03-20 17:00", [("03-16 09:00", S.STOPPED)], procedure=RESIDENCE,
                 officer="minh"),
        # K: by post, done in April: received, not finished in March.
        _dossier("X-K11", "03-30 09:00", "04-03 17:00", [("04-02 09:00", DONE)], channel=Channel.POSTAL),
        # L: withdrawn: received, never "finished" in the formulas' sense.
        _dossier("X-L12", "03-11 09:00", "03-18 17:00", [("03-12 09:00", S.WITHDRAWN)]),
    ]


def load_crafted(ctx: AppContext) -> None:
    dossiers = crafted_dossiers()
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        ids = {d.code: repo.add(d).id for d in dossiers}
        facts = DossierReportFactsRow.__table__
        session.execute(insert(facts), [
            {"dossier_id": ids["X-F06"], "due_before_postponement": dt("03-05 17:00"), "paid_online": 0},
            {"dossier_id": ids["X-A01"], "due_before_postponement": None, "paid_online": 1},
        ])
        outbox = OutboxRepository(session)
        sent = outbox.add("X-A01", OutboxKind.DOSSIER_UPSERT, {"MaHoSo": "X-A01"})
        outbox.add("X-B02", OutboxKind.DOSSIER_UPSERT, {"MaHoSo": "X-B02"})
        table = OutboxRow.__table__
        session.execute(update(table).where(table.c.id == sent).values(status="sent"))
        WarehouseRepository(session).add(
            ResultMetadata("KS", "Giấy khai sinh", number="12/2026", owner_name="Công dân 03",
                           owner_id_number="001090000001"),
            sha256="b" * 64, size=10, pages=1, media_type="application/pdf", source_kind=SourceKind.RESULT,
            source_ref="X-C03#KQ", created_by="lan")
        ratings: list[dict[str, Any]] = [
            {"dossier_code": "X-A01", "event": "return", "level": 3, "reason": "", "officer": "lan",
             "rated_at": dt("03-06 09:05")},
            {"dossier_code": "X-B02", "event": "return", "level": 1, "reason": "Chờ lâu", "officer": "lan",
             "rated_at": dt("03-06 10:00")},
            {"dossier_code": "X-C03", "event": "receive", "level": 2, "reason": "", "officer": "lan",
             "rated_at": dt("03-03 09:10")},
            {"dossier_code": "X-D04", "event": "return", "level": 1, "reason": "", "officer": "lan",
             "rated_at": dt("04-01 09:00")},
        ]
        session.execute(insert(SatisfactionRow.__table__), ratings)


EXPECTED: dict[str, Any] = {
    "from": "2026-03-01",
    "to": "2026-03-31",
    "received": {"total": 11, "by_channel": {"1": 8, "2": 2, "3": 1}},
    "on_time": {"num": 5, "den": 8},
    "early": {"num": 4, "den": 8},
    "late": {"num": 3, "den": 8},
    "online": {"num": 2, "den": 11},
    "synced": {"num": 1, "den": 11},
    "digitised_components": {"num": 2, "den": 11},
    "digitised_results": {"num": 1, "den": 6},
    "reused": {"num": 2, "den": 11},
    "paid_online": {"num": 1, "den": 2},
    "satisfied": {"num": 2, "den": 3},
}
