"""Notices to citizens: each event the citizen must know (received, supplement needed, result ready,
postponed, refused) puts an e-mail in an outbox, in the transaction of the event; a sender hands
them to the office's SMTP server (STARTTLS when set), retrying with backoff. A notice has a unique
key, so it is queued once and, once the server took it, never sent again; a down server loses
nothing (the notice waits for the next attempt). Every sent notice is in the dossier's audit trail.
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.dossier import Dossier
from app.services.context import AppContext
from app.store.models_fees import NoticeRow
from app.store.repositories import AuditRepository, SettingsRepository

SMTP_HOST = "notices.smtp_host"
SMTP_PORT = "notices.smtp_port"
SMTP_STARTTLS = "notices.smtp_starttls"  # "1" (default) or "0"
SMTP_USER = "notices.smtp_user"
SMTP_SENDER = "notices.smtp_sender"
#: The SMTP password is not kept in the database: it comes from this environment variable.
PASSWORD_ENV = "MOTCUA_SMTP_PASSWORD"
OFFICE_NAME = "Bộ phận Một cửa"
MAX_BACKOFF = timedelta(hours=6)

EVENTS = {
    "received": ("Hồ sơ {code} đã được tiếp nhận",
                 "Hồ sơ “{procedure}” của Ông/Bà đã được tiếp nhận lúc {received}.\n"
                 "Mã hồ sơ: {code}.\nNgày hẹn trả kết quả: {due}."),
    "supplement": ("Hồ sơ {code} cần bổ sung giấy tờ",
                   "Hồ sơ “{procedure}” (mã {code}) cần được bổ sung, hoàn thiện:\n{detail}\n"
                   "Kính mời Ông/Bà bổ sung để hồ sơ được tiếp tục giải quyết."),
    "result_ready": ("Đã có kết quả hồ sơ {code}",
                     "Hồ sơ “{procedure}” (mã {code}) đã có kết quả.\n"
                     "Kính mời Ông/Bà đến nhận kết quả, mang theo giấy tờ tùy thân."),
    "postponed": ("Hồ sơ {code} được hẹn lại ngày trả kết quả",
                  "Chúng tôi xin lỗi vì hồ sơ “{procedure}” (mã {code}) chưa có kết quả đúng hẹn.\n"
                  "Ngày hẹn trả mới: {due}.{detail}"),
    "refused": ("Hồ sơ {code} không được tiếp nhận",
                "Hồ sơ “{procedure}” (mã {code}) không được tiếp nhận giải quyết.\nLý do: {detail}"),
}


def _dt(value: datetime | None) -> str:
    return value.strftime("%H giờ %M, ngày %d/%m/%Y") if value else ""


def notice_text(event: str, dossier: Dossier, detail: str = "") -> tuple[str, str]:
    subject, body = EVENTS[event]
    values = {"code": dossier.code, "procedure": dossier.procedure_name, "received": _dt(dossier.received_at),
              "due": _dt(dossier.due_at), "detail": detail}
    greeting = f"Kính gửi Ông/Bà {dossier.applicant.full_name},\n\n" if dossier.applicant.full_name else ""
    return (subject.format(**values),
            greeting + body.format(**values) + f"\n\nTrân trọng,\n{OFFICE_NAME}\n"
            "(Thư gửi tự động, xin vui lòng không trả lời thư này.)")


def queue_notice(session: Session, dossier: Dossier, event: str, key: str, detail: str = "") -> bool:
    """Queue a notice (in the caller's transaction) when the applicant gave an e-mail address and
    no notice of this ``key`` exists; True when queued."""
    recipient = (dossier.applicant.email or "").strip()
    if not recipient or "@" not in recipient:
        return False
    full_key = f"{dossier.code}:{key}"
    if session.scalar(select(NoticeRow.id).where(NoticeRow.key == full_key)) is not None:
        return False
    subject, body = notice_text(event, dossier, detail)
    now = vn_now().replace(microsecond=0)
    session.execute(insert(NoticeRow).values(
        key=full_key, dossier_code=dossier.code, event=event, recipient=recipient, subject=subject, body=body,
        status="pending", attempts=0, next_attempt_at=now, last_error="", created_at=now))
    return True


@dataclass(frozen=True)
class Notice:
    id: int
    dossier_code: str
    event: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None


def _notice(r: NoticeRow) -> Notice:
    return Notice(r.id, r.dossier_code, r.event, r.recipient, r.subject, r.body, r.status, r.attempts,
                  r.next_attempt_at, r.last_error, r.sent_at)


def notices_of(ctx: AppContext, code: str) -> list[Notice]:
    with ctx.session() as session:
        rows = session.scalars(select(NoticeRow).where(NoticeRow.dossier_code == code).order_by(NoticeRow.id))
        return [_notice(r) for r in rows]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    starttls: bool = True
    user: str = ""
    sender: str = ""


def smtp_settings(ctx: AppContext) -> SmtpSettings | None:
    with ctx.session() as session:
        s = SettingsRepository(session)
        host = (s.get(SMTP_HOST) or "").strip()
        if not host:
            return None
        return SmtpSettings(host=host, port=int(s.get(SMTP_PORT) or 25),
                            starttls=(s.get(SMTP_STARTTLS) or "1") != "0", user=s.get(SMTP_USER) or "",
                            sender=s.get(SMTP_SENDER) or f"motcua@{host}")


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _message(n: Notice, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, n.recipient, n.subject
    msg["Message-ID"] = make_msgid(idstring=f"notice-{n.id}")
    msg.set_content(n.body)
    return msg


def send_pending(ctx: AppContext, *, now: datetime | None = None, timeout: float = 20.0) -> tuple[int, int]:
    """Send the notices that are due; returns (sent, failed). Without SMTP settings nothing is tried."""
    settings = smtp_settings(ctx)
    if settings is None:
        return 0, 0
    moment = (now or vn_now()).replace(microsecond=0)
    with ctx.session() as session:
        due = [_notice(r) for r in session.scalars(
            select(NoticeRow).where(NoticeRow.status == "pending", NoticeRow.next_attempt_at <= moment)
            .order_by(NoticeRow.id))]
    sent = failed = 0
    for n in due:
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
                if settings.starttls:
                    smtp.starttls()
                if settings.user:
                    smtp.login(settings.user, os.environ.get(PASSWORD_ENV, ""))
                smtp.send_message(_message(n, settings.sender))
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            with ctx.session(write=True) as session:
                session.execute(update(NoticeRow).where(NoticeRow.id == n.id).values(
                    attempts=n.attempts + 1, next_attempt_at=moment + backoff(n.attempts + 1),
                    last_error=f"{type(exc).__name__}: {exc}"[:500]))
            continue
        sent += 1
        with ctx.session(write=True) as session:
            session.execute(update(NoticeRow).where(NoticeRow.id == n.id, NoticeRow.status == "pending")
                            .values(status="sent", attempts=n.attempts + 1, sent_at=moment, last_error=""))
            details = {"event": n.event, "to": n.recipient, "subject": n.subject}
            AuditRepository(session).append("he-thong", "notice_sent", dossier_code=n.dossier_code,
                                            details=details)
    return sent, failed
