"""The national dossier status model: allowed transitions, check_transition and Dossier.move_to."""

from __future__ import annotations

from datetime import datetime
from itertools import product

import pytest

from app.core.applicant import Applicant
from app.core.dossier import (
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    STATUS_LABELS_VI,
    Dossier,
    DossierStatus,
    StatusChange,
    check_transition,
)
from app.core.errors import InvalidTransitionError, MotCuaError

ALLOWED = sorted((s, t) for s, targets in ALLOWED_TRANSITIONS.items() for t in targets)
FORBIDDEN = sorted(
    (s, t) for s, t in product(DossierStatus, DossierStatus) if t not in ALLOWED_TRANSITIONS[s]
)
AT = datetime(2025, 6, 2, 9, 30)


def _dossier(status: DossierStatus) -> Dossier:
    return Dossier(
        code="000.00.22.H12-250602-0001",
        procedure_code="1.001612",
        procedure_name="Đăng ký khai sinh",
        applicant=Applicant(full_name="Nguyễn Văn An", id_number="001090123456"),
        received_at=AT,
        due_at=AT,
        status=status,
    )


def test_status_codes_and_labels() -> None:
    assert [int(s) for s in DossierStatus] == list(range(1, 11))
    assert set(STATUS_LABELS_VI) == set(DossierStatus)
    assert DossierStatus.RECEIVED.label_vi == "Được tiếp nhận"
    assert DossierStatus.RETURNED.label_vi == "Đã trả kết quả"


def test_every_status_has_a_transition_entry() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(DossierStatus)
    assert len(ALLOWED) + len(FORBIDDEN) == len(DossierStatus) ** 2


def test_no_status_moves_to_itself() -> None:
    assert all(s not in targets for s, targets in ALLOWED_TRANSITIONS.items())


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_passes(current: DossierStatus, target: DossierStatus) -> None:
    check_transition(current, target)
    dossier = _dossier(current)
    dossier.move_to(target, AT, officer="cb01", note="ok")
    assert dossier.status is target
    assert dossier.history == [StatusChange(at=AT, status=target, officer="cb01", note="ok")]


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition_raises(current: DossierStatus, target: DossierStatus) -> None:
    with pytest.raises(InvalidTransitionError) as info:
        check_transition(current, target)
    error = info.value
    assert isinstance(error, MotCuaError)
    assert current.label_vi in error.message_vi
    assert target.label_vi in error.message_vi
    assert error.message_vi.startswith("Không thể chuyển hồ sơ")
    assert f"{int(current)} -> {int(target)}" in str(error)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_move_leaves_dossier_unchanged(current: DossierStatus, target: DossierStatus) -> None:
    dossier = _dossier(current)
    with pytest.raises(InvalidTransitionError):
        dossier.move_to(target, AT)
    assert dossier.status is current
    assert dossier.history == []


def test_final_statuses_have_no_exits() -> None:
    assert {DossierStatus.REJECTED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED,
            DossierStatus.RETURNED} == FINAL_STATUSES
    for status in FINAL_STATUSES:
        assert ALLOWED_TRANSITIONS[status] == frozenset()
        for target in DossierStatus:
            with pytest.raises(InvalidTransitionError):
                check_transition(status, target)


def test_non_final_statuses_can_move_on() -> None:
    # 6 (financial obligation) is set by the province only: the counter has no action on it.
    for status in set(DossierStatus) - FINAL_STATUSES - {DossierStatus.PAYMENT_REQUESTED}:
        assert ALLOWED_TRANSITIONS[status]
    assert DossierStatus.PAYMENT_REQUESTED not in FINAL_STATUSES


def test_every_status_reachable_from_registered() -> None:
    seen = {DossierStatus.REGISTERED}
    frontier = [DossierStatus.REGISTERED]
    while frontier:
        for target in ALLOWED_TRANSITIONS[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(DossierStatus) - {DossierStatus.PAYMENT_REQUESTED}


def test_typical_life_of_a_dossier() -> None:
    dossier = _dossier(DossierStatus.RECEIVED)
    path = [DossierStatus.PROCESSING, DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PROCESSING,
            DossierStatus.DONE, DossierStatus.RETURNED]
    for status in path:
        dossier.move_to(status, AT)
    assert [c.status for c in dossier.history] == path
    with pytest.raises(InvalidTransitionError):
        dossier.move_to(DossierStatus.PROCESSING, AT)
