"""Citizens' satisfaction ratings (Rất hài lòng / Hài lòng / Không hài lòng) of a dossier's service.

One rating per dossier and service event: ``receive`` (the dossier was just received), ``supplement``
(a supplement was asked or handed in) or ``return`` (the result was handed back), derived from the
dossier's status when the citizen rates. The rating is stored, written to the audit trail and queued
for the province with the dossier's record (``DanhGiaHaiLong``) in one transaction; it feeds the
``satisfied`` figure. The citizen-facing screen and ``motcua rate`` call :func:`rate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.core.clock import vn_now
from app.core.dossier import DossierStatus
from app.core.errors import ValidationError
from app.services.auth import Officer, Permission, PermissionDeniedError
from app.services.context import AppContext
from app.services.sync_outbox import enqueue_dossier_with_ratings
from app.store.repositories import AuditRepository, DossierRepository
from app.store.repositories.ratings import Rating, RatingRepository
from app.sync.satisfaction import rating_record

LEVEL_LABELS_VI: dict[int, str] = {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}
#: The short list of reasons the citizen may tick (free text is accepted too).
REASONS_VI: tuple[str, ...] = (
    "Thời gian chờ lâu",
    "Hướng dẫn chưa rõ ràng",
    "Phải bổ sung giấy tờ nhiều lần",
    "Thái độ phục vụ chưa tốt",
    "Trả kết quả trễ hẹn",
    "Phục vụ nhanh, chu đáo",
)
EVENT_LABELS_VI: dict[str, str] = {"receive": "tiếp nhận hồ sơ", "supplement": "bổ sung hồ sơ",
                                   "return": "trả kết quả"}
AUDIT_RATE = "rate"
MAX_REASON = 500


def event_of(status: DossierStatus) -> str:
    """The service event a citizen rates, from the dossier's status at that moment."""
    if status is DossierStatus.RETURNED:
        return "return"
    if status is DossierStatus.SUPPLEMENT_REQUESTED:
        return "supplement"
    return "receive"


@dataclass(frozen=True)
class ServedDossier:
    """What the citizen-facing screen may show: nothing personal beyond the code and procedure."""

    code: str
    procedure_name: str
    event: str
    already_rated: bool = False


def may_record(officer: Officer) -> bool:
    return officer.can(Permission.RECEIVE) or officer.can(Permission.RETURN_RESULT)


def _require(officer: Officer) -> None:
    if not may_record(officer):
        raise PermissionDeniedError(f"user {officer.username} may not record ratings",
                                    f"Tài khoản {officer.full_name} không được ghi nhận đánh giá "
                                    "của công dân.")


def served(ctx: AppContext, officer: Officer, code: str) -> ServedDossier:
    """The dossier as the citizen's screen shows it."""
    _require(officer)
    with ctx.session() as session:
        dossier = DossierRepository(session).get(code.strip())
        event = event_of(dossier.status)
        rated = RatingRepository(session).get(dossier.code, event) is not None
    return ServedDossier(dossier.code, dossier.procedure_name, event, rated)


def rate(ctx: AppContext, officer: Officer, code: str, level: int, reason: str = "", *,
         now: datetime | None = None) -> Rating:
    """Store the citizen's rating of the dossier's current service event; a second rating of the same
    event is refused."""
    _require(officer)
    if level not in LEVEL_LABELS_VI:
        raise ValidationError(f"level must be 1, 2 or 3, not {level}",
                              "Mức đánh giá phải là 1, 2 hoặc 3.", field="level")
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise ValidationError(f"reason longer than {MAX_REASON} characters",
                              f"Lý do dài quá {MAX_REASON} ký tự.", field="reason")
    at = (now or vn_now()).replace(microsecond=0)
    with ctx.session(write=True) as session:
        dossier = DossierRepository(session).get(code.strip())
        ratings = RatingRepository(session)
        event = event_of(dossier.status)
        if ratings.get(dossier.code, event) is not None:
            raise _already(dossier.code, event)
        rating = Rating(dossier.code, event, level, reason, officer.username, at)
        try:
            ratings.add(rating)
        except IntegrityError as exc:  # a second screen rated the same event at the same moment
            raise _already(dossier.code, event) from exc
        records = [rating_record(r.event, r.level, r.reason, r.rated_at)
                   for r in ratings.for_dossier(dossier.code)]
        enqueue_dossier_with_ratings(session, dossier, records)
        AuditRepository(session).append(officer.username, AUDIT_RATE, dossier_code=dossier.code,
                                        details={"event": event, "level": level, "reason": reason}, at=at)
    return rating


def _already(code: str, event: str) -> ValidationError:
    return ValidationError(f"dossier {code} was already rated for {event}",
                           f"Hồ sơ {code} đã được đánh giá cho lần {EVENT_LABELS_VI[event]} này.",
                           field="code")
