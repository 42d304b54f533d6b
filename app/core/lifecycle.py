"""The life of a dossier at the counter: ONE table of actions over the national statuses.

For each action the table says from which statuses it may start, to which status it leads, the
permission it needs, the slip it prints and the message it sends to the province. The dossier's
allowed status changes (:data:`app.core.dossier.ALLOWED_TRANSITIONS`) are derived from it, so the
two can never disagree. Rules (Decree 61/2018 and Decree 118/2025, forms of Circular 01/2018 and
Circular 03/2025):

* ``receive`` creates a dossier in 2; ``accept`` takes an online dossier (1) in;
* ``handover`` 2 -> 4 to a unit or officer; ``done`` 4 -> 9 (the result is back at the counter) or
  2 -> 9 when the counter settles the dossier itself (certified copies);
* ``supplement_request`` 1, 2 or 4 -> 5 (Mẫu 02, the clock stops); ``supplement_receive`` 5 -> the
  status before the request, with a new appointment;
* ``refuse`` 1 or 2 -> 3 (Mẫu 03); ``postpone`` 4 -> 4 with a later appointment (Mẫu 04);
  ``stop`` 2, 4 or 5 -> 8 (the stop notice); ``withdraw`` 1, 2, 4 or 5 -> 7; ``return`` 9 -> 10.

Permissions are named by their string value (``app.services.auth.Permission``); this layer does not
know the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.core.errors import InvalidTransitionError
from app.core.status import DossierStatus

if TYPE_CHECKING:
    from app.core.dossier import Dossier, StatusChange


class Action(StrEnum):
    RECEIVE = "receive"
    ACCEPT = "accept"
    HANDOVER = "handover"
    DONE = "done"
    SUPPLEMENT_REQUEST = "supplement_request"
    SUPPLEMENT_RECEIVE = "supplement_receive"
    REFUSE = "refuse"
    POSTPONE = "postpone"
    STOP = "stop"
    WITHDRAW = "withdraw"
    RETURN = "return"


class Slip(StrEnum):
    """The slips of the one-stop-shop form sets, by what they are (the number depends on the set)."""

    RECEIPT = "receipt"  # Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "supplement_request"  # Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả
    STOP_NOTICE = "stop_notice"  # Circular 03/2025 Mẫu 05 Thông báo dừng giải quyết hồ sơ
    CONTROL_SHEET = "control_sheet"  # Phiếu kiểm soát quá trình giải quyết hồ sơ


class SyncMessage(StrEnum):
    """What an action sends to the province (national vocabulary)."""

    DOSSIER = "DongBoHoSoMC"  # the whole dossier record
    PROGRESS = "CapNhatTienDoHoSoMC"  # one progress item (status change)
    SUPPLEMENT = "CapNhatTienDoHoSoMC+DanhSachHoSoBoSung"  # progress item with its supplement entry
    NEW_DUE = "CapNhatTienDoHoSoMC+NgayHenTra"  # progress item carrying the new appointment


@dataclass(frozen=True)
class ActionRule:
    """One row of the action table. ``target`` None: back to the status before the supplement
    request (``supplement_receive``)."""

    action: Action
    sources: frozenset[DossierStatus]
    target: DossierStatus | None
    permission: str
    slip: Slip | None
    sync: SyncMessage
    needs_reason: bool
    label_vi: str
    label_en: str


_S = DossierStatus


def _rule(action: Action, sources: Iterable[DossierStatus], target: DossierStatus | None, permission: str,
          slip: Slip | None, sync: SyncMessage, needs_reason: bool, label_vi: str,
          label_en: str) -> ActionRule:
    return ActionRule(action, frozenset(sources), target, permission, slip, sync, needs_reason, label_vi,
                      label_en)


#: The action table. ``receive`` has no source: it creates the dossier.
ACTIONS: dict[Action, ActionRule] = {r.action: r for r in (
    _rule(Action.RECEIVE, (), _S.RECEIVED, "receive", Slip.RECEIPT, SyncMessage.DOSSIER, False,
          "Tiếp nhận hồ sơ", "receive the dossier"),
    _rule(Action.ACCEPT, (_S.REGISTERED,), _S.RECEIVED, "receive", Slip.RECEIPT, SyncMessage.PROGRESS,
          False, "Tiếp nhận hồ sơ trực tuyến", "accept the online dossier"),
    _rule(Action.HANDOVER, (_S.RECEIVED,), _S.PROCESSING, "process", Slip.CONTROL_SHEET,
          SyncMessage.PROGRESS, False, "Chuyển xử lý", "hand the dossier over for processing"),
    _rule(Action.DONE, (_S.RECEIVED, _S.PROCESSING), _S.DONE, "process", None, SyncMessage.PROGRESS, False,
          "Đã có kết quả", "record that the result is ready"),
    _rule(Action.SUPPLEMENT_REQUEST, (_S.REGISTERED, _S.RECEIVED, _S.PROCESSING), _S.SUPPLEMENT_REQUESTED,
          "supplement", Slip.SUPPLEMENT_REQUEST, SyncMessage.SUPPLEMENT, True,
          "Yêu cầu bổ sung hồ sơ", "request a supplement"),
    _rule(Action.SUPPLEMENT_RECEIVE, (_S.SUPPLEMENT_REQUESTED,), None, "supplement", None,
          SyncMessage.SUPPLEMENT, False, "Nhận hồ sơ bổ sung", "receive the supplement"),
    _rule(Action.REFUSE, (_S.REGISTERED, _S.RECEIVED), _S.REJECTED, "refuse", Slip.REFUSAL,
          SyncMessage.PROGRESS, True, "Từ chối tiếp nhận", "refuse the dossier"),
    _rule(Action.POSTPONE, (_S.PROCESSING,), _S.PROCESSING, "postpone", Slip.APOLOGY, SyncMessage.NEW_DUE,
          True, "Xin lỗi, hẹn lại ngày trả", "postpone the appointment"),
    _rule(Action.STOP, (_S.RECEIVED, _S.PROCESSING, _S.SUPPLEMENT_REQUESTED), _S.STOPPED, "stop",
          Slip.STOP_NOTICE, SyncMessage.PROGRESS, True, "Dừng giải quyết", "stop processing"),
    _rule(Action.WITHDRAW, (_S.REGISTERED, _S.RECEIVED, _S.PROCESSING, _S.SUPPLEMENT_REQUESTED),
          _S.WITHDRAWN, "withdraw", None, SyncMessage.PROGRESS, True, "Công dân rút hồ sơ",
          "withdraw the dossier at the citizen's request"),
    _rule(Action.RETURN, (_S.DONE,), _S.RETURNED, "return_result", None, SyncMessage.PROGRESS, False,
          "Trả kết quả", "return the result"),
)}

#: Statuses a supplement receipt may go back to (those a supplement request may start from).
RESUMABLE = ACTIONS[Action.SUPPLEMENT_REQUEST].sources


def rule(action: Action | str) -> ActionRule:
    return ACTIONS[Action(action)]


def targets_of(r: ActionRule) -> frozenset[DossierStatus]:
    """The statuses the action may lead to (several for a supplement receipt)."""
    return RESUMABLE if r.target is None else frozenset({r.target})


def derived_transitions() -> dict[DossierStatus, frozenset[DossierStatus]]:
    """Status changes (a status to another one) allowed by the action table, for every status."""
    out: dict[DossierStatus, set[DossierStatus]] = {s: set() for s in DossierStatus}
    for r in ACTIONS.values():
        for source in r.sources:
            out[source] |= {t for t in targets_of(r) if t != source}
    return {s: frozenset(t) for s, t in out.items()}


def allowed_actions(status: DossierStatus) -> list[Action]:
    """The actions that may start from ``status``, in table order."""
    return [a for a, r in ACTIONS.items() if DossierStatus(status) in r.sources]


def check_action(action: Action | str, status: DossierStatus, code: str = "") -> ActionRule:
    """The rule of ``action``; :class:`InvalidTransitionError` (Vietnamese and English, with the
    actions possible now) when the dossier's ``status`` does not allow it."""
    r = rule(action)
    status = DossierStatus(status)
    if status in r.sources:
        return r
    possible = allowed_actions(status)
    now_vi = ", ".join(ACTIONS[a].label_vi.lower() for a in possible) or "không còn thao tác nào"
    now_en = ", ".join(a.value for a in possible) or "none"
    whose = f" {code}" if code else ""
    allowed_from = ", ".join(f"“{s.label_vi}”" for s in sorted(r.sources)) or "—"
    raise InvalidTransitionError(
        f"cannot {r.label_en}: dossier{whose} is in status {int(status)} ({status.name.lower()}); "
        f"allowed from {sorted(int(s) for s in r.sources)}; possible now: {now_en}",
        f"Không thể thực hiện “{r.label_vi}”: hồ sơ{whose} đang ở trạng thái “{status.label_vi}” "
        f"(chỉ được thực hiện khi hồ sơ ở trạng thái {allowed_from}). Thao tác có thể làm lúc này: "
        f"{now_vi}.")


def resume_status(history: Sequence[StatusChange]) -> DossierStatus:
    """The status a dossier waiting for supplements goes back to: the one before the last request."""
    for position in range(len(history) - 1, -1, -1):
        if history[position].status is DossierStatus.SUPPLEMENT_REQUESTED:
            for earlier in range(position - 1, -1, -1):
                if history[earlier].status in RESUMABLE:
                    return history[earlier].status
            break
    return DossierStatus.RECEIVED


_LEGACY_ACTIONS = {
    _S.RECEIVED: Action.RECEIVE, _S.REJECTED: Action.REFUSE, _S.PROCESSING: Action.HANDOVER,
    _S.SUPPLEMENT_REQUESTED: Action.SUPPLEMENT_REQUEST, _S.WITHDRAWN: Action.WITHDRAW,
    _S.STOPPED: Action.STOP, _S.DONE: Action.DONE, _S.RETURNED: Action.RETURN,
}


def entry_action(history: Sequence[StatusChange], position: int) -> str:
    """The action name of ``history[position]``: the recorded one, else (entries written before
    actions were recorded, or changes pulled from the province) the one its status change implies."""
    entry = history[position]
    if entry.action:
        return entry.action
    before = history[position - 1].status if position > 0 else None
    if before is DossierStatus.SUPPLEMENT_REQUESTED and entry.status in RESUMABLE:
        return Action.SUPPLEMENT_RECEIVE.value
    if before is DossierStatus.REGISTERED and entry.status is DossierStatus.RECEIVED:
        return Action.ACCEPT.value
    if before is entry.status is DossierStatus.PROCESSING:
        return Action.POSTPONE.value
    action = _LEGACY_ACTIONS.get(entry.status)
    return action.value if action is not None else ""


def slip_applies(slip: Slip, dossier: Dossier) -> bool:
    """Whether ``slip`` describes something that happened to the dossier (a slip for an event that
    never happened would print a fallback, which the law does not allow)."""
    history = dossier.history
    actions = {entry_action(history, i) for i in range(len(history))}
    if slip in (Slip.RECEIPT, Slip.CONTROL_SHEET):
        return any(h.status is DossierStatus.RECEIVED for h in history) or dossier.status not in (
            DossierStatus.REGISTERED, DossierStatus.REJECTED)
    if slip is Slip.SUPPLEMENT_REQUEST:
        return bool(dossier.supplements)
    if slip is Slip.REFUSAL:
        return dossier.status is DossierStatus.REJECTED
    if slip is Slip.APOLOGY:
        return Action.POSTPONE.value in actions
    if slip is Slip.STOP_NOTICE:
        return dossier.status is DossierStatus.STOPPED
    return False  # pragma: no cover - every slip is handled above
