"""The read-only detail pane of the selected dossier (HTML in a text browser)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from app.core.deadlines import DeadlineState
from app.core.dossier import Channel, Delivery, Dossier, DossierStatus
from app.services.sync.runs import DossierSyncState
from app.services.warehouse.results import NOT_DIGITISED_VI, ResultStatus
from app.ui.lifecycle.deadline_view import badge_html

CHANNEL_VI = {Channel.DIRECT: "Trực tiếp", Channel.ONLINE: "Trực tuyến", Channel.POSTAL: "Bưu chính công ích"}
DELIVERY_VI = {Delivery.COUNTER: "Tại Bộ phận Một cửa", Delivery.POST: "Qua dịch vụ bưu chính"}
SYNC_COLOURS = {"synced": "#1b8a3a", "pending": "#c77700", "failed": "#c62828", "none": "#555"}
#: The link of "Kết quả chưa số hoá" (the main window opens the digitise dialog for it).
DIGITISE_LINK = "motcua:digitise-result"
DIGITISE_KEYS = "Ctrl+Shift+R"


def _dt(value: datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else "—"


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _row(label: str, value: str) -> str:
    return f"<tr><td style='color:#555;padding-right:12px'>{escape(label)}</td><td>{escape(value)}</td></tr>"


def _html_row(label: str, html: str) -> str:
    return f"<tr><td style='color:#555;padding-right:12px'>{escape(label)}</td><td>{html}</td></tr>"


def sync_html(sync: DossierSyncState) -> str:
    """The dossier's place in the provincial sync, coloured (green synced, orange waiting, red error)."""
    colour = SYNC_COLOURS.get(sync.state, "#555")
    return (f"<tr><td style='color:#555;padding-right:12px'>Đồng bộ tỉnh</td>"
            f"<td style='color:{colour}'>{escape(sync.text_vi)}</td></tr>")


def result_html(dossier: Dossier, result: ResultStatus) -> str:
    """The result's row: the records digitised from it, or, for a dossier handed back without it,
    "Kết quả chưa số hoá" (orange) and the link that digitises it."""
    label = "<td style='color:#555;padding-right:12px'>Kết quả số hoá</td>"
    if result.records:
        shown = "; ".join(f"{escape(r.label_vi())} ({escape(r.record_id)})" for r in result.records)
        return f"<tr>{label}<td style='color:#1b8a3a'>{shown}</td></tr>"
    if result.missing and dossier.status is DossierStatus.RETURNED:
        return (f"<tr>{label}<td><span style='color:#c77700'>{NOT_DIGITISED_VI}</span> — "
                f"<a href='{DIGITISE_LINK}'>Số hoá kết quả…</a> ({DIGITISE_KEYS})</td></tr>")
    return ""


def dossier_html(dossier: Dossier, sync: DossierSyncState | None = None,
                 result: ResultStatus | None = None, *, deadline: DeadlineState | None = None) -> str:
    """Everything an officer checks at a glance, Vietnamese labels, dates dd/mm/yyyy; with ``sync``,
    the dossier's sync state ("Đã đồng bộ dd/mm/yyyy HH:MM", "Đang chờ đồng bộ (N)", "Lỗi đồng bộ: …");
    with ``result``, its digitised result (or "Kết quả chưa số hoá", see :func:`result_html`)."""
    a = dossier.applicant
    rows = [
        _row("Thủ tục", f"{dossier.procedure_code} — {dossier.procedure_name}"),
        _row("Trạng thái", dossier.status.label_vi),
        _row("Kênh", CHANNEL_VI.get(dossier.channel, str(dossier.channel))),
        _row("Ngày nhận", _dt(dossier.received_at)),
        _row("Hẹn trả", _dt(dossier.due_at)),
        *([_html_row("Hạn xử lý", badge_html(deadline))] if deadline and badge_html(deadline) else []),
        _row("Chủ hồ sơ", a.full_name),
        _row("Số định danh", a.id_number or a.old_id_number or a.tax_code or "—"),
        _row("Ngày sinh", _d(a.birth_date)),
        _row("Địa chỉ", a.address or "—"),
        _row("Điện thoại", a.phone or "—"),
        _row("Nhận kết quả", DELIVERY_VI.get(dossier.delivery, "")
             + (f": {dossier.delivery_address}" if dossier.delivery_address else "")),
        _row("Phí, lệ phí", f"{dossier.fee_vnd:,} đồng".replace(",", ".") if dossier.fee_vnd else "Không"),
        _row("Cán bộ tiếp nhận", dossier.officer or "—"),
    ]
    if sync is not None:
        rows.append(sync_html(sync))
    if result is not None:
        rows.append(result_html(dossier, result))
    components = "".join(
        f"<li>{escape(c.name)} <span style='color:#555'>(chính {c.originals}, "
        f"sao {c.certified_copies}, photo {c.photocopies})</span>"
        + (" <b>[tái sử dụng]</b>" if c.reused_record_id else "") + "</li>"
        for c in dossier.components if c.received
    ) or "<li>—</li>"
    history = "".join(
        f"<li>{_dt(h.at)}: {escape(h.status.label_vi)}" + (f" — {escape(h.note)}" if h.note else "") + "</li>"
        for h in dossier.history
    )
    return (
        f"<h3 style='margin:0'>{escape(dossier.code)}</h3>"
        f"<table cellspacing='2'>{''.join(rows)}</table>"
        f"<p><b>Thành phần hồ sơ</b></p><ol>{components}</ol>"
        + (f"<p><b>Quá trình xử lý</b></p><ul>{history}</ul>" if history else "")
    )
