"""The audit viewer for supervisors: the hash-chained audit rows with filters, each row checked.

A row whose hash does not match its content (edited), or whose ``prev_hash`` is not the hash of the
row stored before it (a row removed or moved), is returned marked, never dropped; the whole chain's
check (the same as ``motcua verify``) tells where the first break is. Needs ``VIEW_REPORTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.store.repositories import AuditRepository, ChainCheck
from app.store.repositories.audit import AuditLine, audit_actions, audit_lines, audit_officers

ACTION_LABELS_VI: dict[str, str] = {
    "login": "Đăng nhập", "login_failed": "Đăng nhập sai", "receive": "Tiếp nhận hồ sơ",
    "print": "In phiếu", "reprint": "In lại phiếu (bản sao)", "return": "Trả kết quả",
    "rate": "Công dân đánh giá", "register_export": "Xuất sổ theo dõi", "report_export": "Xuất báo cáo",
    "digitise_result": "Số hóa kết quả", "user_create": "Tạo tài khoản", "user_password": "Đổi mật khẩu",
    "user_enable": "Mở khóa tài khoản", "user_disable": "Khóa tài khoản", "done": "Đã xử lý xong",
    "scan": "Quét tài liệu", "sign": "Ký số", "warehouse_add": "Lưu vào kho", "warehouse_sign": "Ký số kho",
    "batch_record": "Ghi hồ sơ lô", "batch_set_aside": "Để riêng tài liệu",
    "batch_restore": "Khôi phục tài liệu",
    "recovery_secret_set": "Đặt mã khôi phục", "signing_settings": "Cài đặt ký số",
}


@dataclass(frozen=True)
class AuditQuery:
    officer: str | None = None
    action: str | None = None
    dossier_code: str | None = None
    first: date | None = None
    last: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    chain: ChainCheck  # the whole chain, first break included
    actions: list[str]
    officers: list[str]


def browse(ctx: AppContext, officer: Officer, query: AuditQuery, *, limit: int = 200, offset: int = 0,
           check_chain: bool = True) -> AuditPage:
    require(officer, Permission.VIEW_REPORTS)
    start = datetime.combine(query.first, time()) if query.first else None
    end = datetime.combine(query.last + timedelta(days=1), time()) if query.last else None
    with ctx.session() as session:
        lines = audit_lines(session, officer=query.officer or None, action=query.action or None,
                            dossier_code=(query.dossier_code or "").strip() or None, start=start, end=end,
                            limit=limit, offset=offset)
        chain = AuditRepository(session).verify() if check_chain else ChainCheck(0)
        return AuditPage(lines, chain, audit_actions(session), audit_officers(session))


def action_label(action: str) -> str:
    return ACTION_LABELS_VI.get(action, action)
