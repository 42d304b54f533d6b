"""Printing the standard slips (Mẫu 01–06) of a stored dossier with this office's profile."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.dossier import Dossier
from app.core.errors import MotCuaError, NotFoundError
from app.core.fileio import atomic_write_bytes
from app.core.lifecycle import Slip, slip_applies
from app.core.procedure import Procedure, ProcessingTime, ProcessingUnit
from app.documents import FormSpec, OfficeProfile, form_slip, form_spec, slip_form
from app.documents.copy_mark import mark_copy
from app.services import context as keys
from app.services.auth import Officer, Permission, require
from app.services.catalogue import get_procedure
from app.services.context import DEFAULT_SETTINGS, PROFILE_DEFAULTS, AppContext
from app.services.dossiers import get_dossier
from app.store.repositories import AuditRepository, SettingsRepository

# Administrative-unit words dropped from the place name for the date line ("Sài Gòn, ngày …"),
# unless what follows is a number ("Phường 12").
_UNIT_PREFIXES = ("phường", "xã", "thị trấn", "đặc khu", "thị xã", "quận", "huyện", "thành phố", "tỉnh")


AUDIT_PRINT = "print"
AUDIT_REPRINT = "reprint"


class PrintError(MotCuaError):
    """The slip could not be written."""


def date_place(place_name: str) -> str:
    """The địa danh of the date line from a place name: "Phường Sài Gòn, Thành phố Hồ Chí Minh" ->
    "Sài Gòn"; "Phường 12, Quận Gò Vấp" -> "Phường 12"."""
    first = unicodedata.normalize("NFC", place_name).split(",")[0].strip()
    lowered = first.lower()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix + " "):
            rest = first[len(prefix):].strip()
            return first if rest.isdigit() else rest
    return first


def office_profile(ctx: AppContext) -> OfficeProfile:
    """The header, place and contact details printed on slips, from the settings (demo defaults
    for what is not configured: see ``PROFILE_DEFAULTS`` in :mod:`app.services.context`)."""
    with ctx.session() as session:
        values = SettingsRepository(session).all()

    def get(key: str) -> str:
        value = (values.get(key) or "").strip()
        return value or PROFILE_DEFAULTS.get(key, "") or DEFAULT_SETTINGS.get(key, "")

    agency_name = get(keys.AGENCY_NAME)
    return OfficeProfile(
        parent_agency=get(keys.PARENT_AGENCY) or agency_name.upper(),
        unit_name=get(keys.UNIT_NAME),
        place_name=get(keys.DATE_PLACE) or date_place(get(keys.PLACE_NAME)),
        phone=get(keys.AGENCY_PHONE),
        website=get(keys.AGENCY_WEBSITE),
        register_book_no=get(keys.REGISTER_BOOK),
        form_set=get(keys.FORM_SET),
        display_name=get(keys.DISPLAY_NAME) or f"Bộ phận Một cửa {agency_name}".strip(),
        address=get(keys.AGENCY_ADDRESS),
        head_title=get(keys.HEAD_TITLE) or "THỦ TRƯỞNG CƠ QUAN",
        head_name=get(keys.HEAD_NAME),
    )


def _procedure_of(ctx: AppContext, code: str, name: str) -> Procedure:
    try:
        return get_procedure(ctx, code)
    except NotFoundError:
        # No longer in the catalogue: the slip still prints, with what the dossier remembers.
        return Procedure(code=code, name=name, field="", level="",
                         processing=ProcessingTime(0, ProcessingUnit.SAME_DAY))


class SlipRefusedError(MotCuaError):
    """The slip describes an event the dossier has not gone through (Mẫu 03 for a dossier that was
    not refused, Mẫu 04 without a postponement...)."""


def check_slip_applies(dossier: Dossier, slip: Slip) -> None:
    if not slip_applies(slip, dossier):
        raise SlipRefusedError(
            f"dossier {dossier.code} is in status {int(dossier.status)}: no {slip.value} slip to print",
            f"Hồ sơ {dossier.code} đang ở trạng thái “{dossier.status.label_vi}”: không có "
            f"{SLIP_LABELS_VI[slip]} để in.")


SLIP_LABELS_VI = {
    Slip.RECEIPT: "giấy tiếp nhận hồ sơ", Slip.SUPPLEMENT_REQUEST: "yêu cầu bổ sung hồ sơ",
    Slip.REFUSAL: "quyết định từ chối tiếp nhận", Slip.APOLOGY: "việc hẹn lại ngày trả kết quả",
    Slip.STOP_NOTICE: "việc dừng giải quyết hồ sơ", Slip.CONTROL_SHEET: "phiếu kiểm soát",
}


def _earlier_prints(session: Session, dossier: Dossier, form_no: str) -> int:
    """How many times form ``form_no`` was printed for the dossier as it is now (the same number of
    history steps: a slip printed after a new step, e.g. a second supplement request, is a new
    original). Prints logged before the step count was recorded count as the same state."""
    audit = AuditRepository(session)
    steps = len(dossier.history)
    return sum(1 for action in (AUDIT_PRINT, AUDIT_REPRINT)
               for e in audit.entries(dossier_code=dossier.code, action=action, limit=10_000)
               if e.details.get("form") == form_no and e.details.get("steps", steps) == steps)


def _render(ctx: AppContext, dossier: Dossier, number: str, spec: FormSpec, officer: Officer,
            extra: dict | None, *, preview: bool = False) -> bytes:
    """The slip as PDF; logged as ``print``, or, when the same slip of the same state was printed
    before, stamped "BẢN SAO", allowed with REPRINT only and logged as ``reprint``. A ``preview`` (on
    screen only) is neither logged nor counted."""
    profile = office_profile(ctx)
    procedure = _procedure_of(ctx, dossier.procedure_code, dossier.procedure_name)
    data = spec(number, dossier, procedure, profile, extra)
    if preview:
        return data
    with ctx.session(write=True) as session:
        earlier = _earlier_prints(session, dossier, number)
        details = {"form": number, "form_set": dossier.form_set, "extra": sorted(extra or {}),
                   "steps": len(dossier.history)}
        if earlier:
            require(officer, Permission.REPRINT)
            at = vn_now().replace(microsecond=0)
            data = mark_copy(data, at, earlier)
            AuditRepository(session).append(officer.username, AUDIT_REPRINT, dossier_code=dossier.code,
                                            details={**details, "copy": earlier}, at=at)
        else:
            AuditRepository(session).append(officer.username, AUDIT_PRINT, dossier_code=dossier.code,
                                            details=details)
    return data


def render_slip(ctx: AppContext, form_no: str, code: str, officer: Officer,
                extra: dict | None = None, *, preview: bool = False) -> bytes:
    """Form ``form_no`` ("01".."06", of the dossier's form set) of dossier ``code`` as PDF bytes, as
    the dossier is now; needs PRINT. A slip about an event the dossier has not gone through is
    refused (:class:`SlipRefusedError`). Every print is written to the audit log; a reprint comes out
    stamped "BẢN SAO" (see :func:`_render`)."""
    require(officer, Permission.PRINT)
    number = str(form_no).strip().zfill(2)
    dossier = get_dossier(ctx, code)
    form_set = dossier.form_set or office_profile(ctx).form_set
    spec = form_spec(number, form_set)  # unknown form: NotFoundError before any work
    slip = form_slip(number, form_set)
    if slip is not None:
        check_slip_applies(dossier, slip)
    return _render(ctx, dossier, number, spec, officer, extra, preview=preview)


def render_slip_of(ctx: AppContext, slip: Slip, code: str, officer: Officer) -> bytes:
    """The ``slip`` of dossier ``code`` (its number in the dossier's form set), as the dossier is
    now: printed after an action, it shows the state that action left."""
    require(officer, Permission.PRINT)
    dossier = get_dossier(ctx, code)
    check_slip_applies(dossier, slip)
    number, spec = slip_form(slip, dossier.form_set or office_profile(ctx).form_set)
    return _render(ctx, dossier, number, spec, officer, None)


def export_slip_of(ctx: AppContext, slip: Slip, code: str, out: Path, officer: Officer) -> Path:
    """:func:`render_slip_of` written to ``out`` atomically; returns ``out``."""
    return write_atomically(Path(out), render_slip_of(ctx, slip, code, officer))


def write_atomically(out: Path, data: bytes) -> Path:
    """Write ``data`` to ``out`` through a temporary file in the same folder, so ``out`` is either
    the old file or the complete new one."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, data, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise PrintError(f"cannot write {out}: {exc.strerror or exc}",
                         f"Không ghi được tệp {out}: {exc.strerror or exc}.") from exc
    return out


def export_slip(ctx: AppContext, form_no: str, code: str, out: Path, officer: Officer,
                extra: dict | None = None) -> Path:
    """:func:`render_slip` written to ``out`` atomically (parent folders created); returns ``out``."""
    return write_atomically(Path(out), render_slip(ctx, form_no, code, officer, extra))
