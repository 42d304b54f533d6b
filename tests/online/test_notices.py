"""Notices to citizens over a real SMTP server on loopback (aiosmtpd, started by the test): the
receipt notice arrives once with its Vietnamese text; while the server is down nothing is lost."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from app.core.clock import vn_now
from app.services import lifecycle
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.online.notices import (
    SMTP_HOST,
    SMTP_PORT,
    SMTP_STARTTLS,
    notices_of,
    send_pending,
)
from app.services.reception import payloads
from app.services.reception import receive as reception
from app.store.repositories import AuditRepository, SettingsRepository
from tests.sync.conftest import catalogue_file  # noqa: F401 - the fixture
from tests.sync.helpers import PROCEDURES, open_station

pytest.importorskip("aiosmtpd")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_notice_arrives_once_and_survives_a_down_server(tmp_path: Path, catalogue_file: Path):  # noqa: F811
    from aiosmtpd.controller import Controller

    port = free_port()
    ctx = open_station(tmp_path / "data", "000.00.12.H29", catalogue_file)
    try:
        with ctx.session(write=True) as session:
            settings = SettingsRepository(session)
            settings.set(SMTP_HOST, "127.0.0.1")
            settings.set(SMTP_PORT, str(port))
            settings.set(SMTP_STARTTLS, "0")
        applicant = payloads.applicant_from_dict({
            "id_number": "079190000777", "full_name": "Lê Thị Thư", "birth_date": "1990-03-12", "sex": "Nữ",
            "address": "12 Lê Lợi, Phường Sài Gòn", "id_issue_date": "2021-07-01", "email": "thu@example.vn"})
        d = reception.receive_dossier(ctx, reception.ReceiveRequest(PROCEDURES[0], applicant), SYSTEM_OFFICER)

        # the server is down: the notice waits, with the error and a later attempt
        assert send_pending(ctx, timeout=5) == (0, 1)
        [waiting] = notices_of(ctx, d.code)
        assert waiting.status == "pending" and waiting.attempts == 1 and waiting.last_error
        assert waiting.next_attempt_at > vn_now()

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert send_pending(ctx) == (0, 0)  # not before its next attempt
            later = vn_now() + timedelta(minutes=5)
            assert send_pending(ctx, now=later) == (1, 0)
            assert send_pending(ctx, now=later + timedelta(hours=1)) == (0, 0)  # never twice
            lifecycle.mark_done(ctx, d.code, SYSTEM_OFFICER)
            assert send_pending(ctx, now=later + timedelta(hours=2)) == (1, 0)
        finally:
            controller.stop()
        assert len(inbox.messages) == 2
        _, to, raw = inbox.messages[0]
        assert to == ["thu@example.vn"]
        msg = message_from_bytes(raw)
        assert str(make_header(decode_header(msg["Subject"]))) == f"Hồ sơ {d.code} đã được tiếp nhận"
        text = msg.get_payload(decode=True).decode("utf-8")
        assert "Kính gửi Ông/Bà Lê Thị Thư" in text and d.code in text and "Ngày hẹn trả kết quả" in text
        _, _, raw2 = inbox.messages[1]
        assert "Đã có kết quả" in str(make_header(decode_header(message_from_bytes(raw2)["Subject"])))
        with ctx.session() as session:
            actions = [e.action for e in AuditRepository(session).entries(dossier_code=d.code)]
        assert actions.count("notice_sent") == 2
    finally:
        ctx.close()
