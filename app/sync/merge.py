"""Applying what the province changed to the local dossier, and the rule when both sides changed.

Who owns which field (``docs/sync-protocol.md``, "Conflicts"):

* the counter owns what it records at reception: applicant, components, channel, fees, receipt
  time; the province never changes them;
* the province owns the processing: supplement requests, results, a new appointment (NgayHenTra);
  the counter never changes them after reception;
* **TrangThaiHoSo is changed on both sides.** Every status change the counter sends carries the
  status it started from (``TrangThaiTruoc``). The server applies it when its status is still that
  one (or already the new one: a repeat). Otherwise the province changed the dossier meanwhile and
  **the province wins**: its status is written locally, the counter's change stays in the history
  with a note, and the outbox item is ``superseded``. When pulling, an upstream status is not
  applied while a status change of the same dossier is still waiting to be sent: the server
  decides between the two when that change arrives (same rule).

Pure functions over :class:`~app.core.dossier.Dossier`; the caller stores the result.
"""

from __future__ import annotations

from typing import Any

from app.core.dossier import Dossier, DossierStatus, StatusChange
from app.sync.errors import UnreadableAnswerError
from app.sync.vocabulary import parse_time, supplement_from_record

UPSTREAM_NOTE = "Hệ thống tỉnh"
SUPERSEDED_NOTE = "Thay đổi tại quầy không được áp dụng: hệ thống tỉnh đã cập nhật hồ sơ trước"


def _note(change: dict[str, Any]) -> str:
    text = " ".join(str(change.get("NoiDung") or change.get("NoiDungXuLy") or "").split())
    return f"{UPSTREAM_NOTE}: {text}" if text else UPSTREAM_NOTE


def _set_status(dossier: Dossier, status: DossierStatus, record: dict[str, Any], note: str) -> None:
    at = parse_time(record.get("ThoiDiem") or record.get("ThoiDiemXuLy")) or dossier.received_at
    dossier.status = status
    dossier.history.append(
        StatusChange(at=at, status=status, officer=str(record.get("NguoiXuLy") or ""), note=note)
    )
    if status is DossierStatus.RETURNED:
        dossier.returned_at = parse_time(record.get("NgayTra")) or at
        dossier.returned_to = str(record.get("ThongTinTra") or dossier.returned_to)


def apply_change(dossier: Dossier, change: dict[str, Any], *, local_status_pending: bool) -> bool:
    """Apply one change of the feed (status, appointment, supplement request); True if the dossier
    changed. Results are not part of the dossier (the caller keeps them with the remote state).
    A change that breaks the protocol raises :class:`UnreadableAnswerError` and changes nothing."""
    check_change(change)
    changed = False
    status = change.get("TrangThaiHoSo")
    if status is not None and not local_status_pending and int(status) != int(dossier.status):
        _set_status(dossier, DossierStatus(int(status)), change, _note(change))
        changed = True
    due = parse_time(change.get("NgayHenTra"))
    if due is not None and due != dossier.due_at:
        dossier.due_at = due
        changed = True
    supplement = change.get("HoSoBoSung")
    if isinstance(supplement, dict):
        request = supplement_from_record(supplement)
        known = {(s.requested_at, s.reason) for s in dossier.supplements}
        if (request.requested_at, request.reason) not in known:
            dossier.supplements.append(request)
            changed = True
    return changed


def check_change(change: Any) -> None:
    """Raise :class:`UnreadableAnswerError` unless ``change`` is a change record this station can apply."""
    if not isinstance(change, dict):
        raise UnreadableAnswerError("not an object")
    status = change.get("TrangThaiHoSo")
    if status is not None:
        text = str(status)
        plain_number = text.isascii() and text.isdigit()  # "²" is a digit to isdigit() but not to int()
        if isinstance(status, bool) or not isinstance(status, int | str) or not plain_number:
            raise UnreadableAnswerError(f"status {str(status)[:40]!r}")
        if int(status) not in {int(s) for s in DossierStatus}:
            raise UnreadableAnswerError(f"status {int(status)} is not a national status")
    for key in ("ThoiDiem", "ThoiDiemXuLy", "NgayTra", "NgayHenTra"):
        _time(change.get(key), key)
    supplement = change.get("HoSoBoSung")
    if isinstance(supplement, dict):
        for key in ("NgayBoSung", "NgayTiepNhanBoSung"):
            _time(supplement.get(key), key)
        items = supplement.get("DanhSachGiayToBoSung")
        if items is not None and not isinstance(items, list):
            raise UnreadableAnswerError("DanhSachGiayToBoSung is not a list")


def _time(value: Any, key: str) -> None:
    if value in (None, ""):
        return
    try:
        parse_time(value if isinstance(value, str) else "")
        if not isinstance(value, str):
            raise ValueError(value)
    except (ValueError, TypeError):
        raise UnreadableAnswerError(f"{key} {str(value)[:40]!r} is not yyyyMMddHHmmss") from None


def apply_conflict(dossier: Dossier, server_record: dict[str, Any], refused: dict[str, Any]) -> bool:
    """The province won a status conflict: take its status (and appointment); True if changed.
    ``refused`` is the counter's status change that was not applied, named in the history note."""
    changed = False
    status = server_record.get("TrangThaiHoSo")
    if status is not None and int(status) != int(dossier.status):
        mine = refused.get("TrangThaiHoSo")
        note = f"{SUPERSEDED_NOTE} (trạng thái {mine} tại quầy)." if mine is not None else SUPERSEDED_NOTE
        _set_status(
            dossier,
            DossierStatus(int(status)),
            {"ThoiDiem": server_record.get("NgayCapNhat"), "NguoiXuLy": UPSTREAM_NOTE},
            note,
        )
        changed = True
    due = parse_time(server_record.get("NgayHenTra"))
    if due is not None and due != dossier.due_at:
        dossier.due_at = due
        changed = True
    return changed
