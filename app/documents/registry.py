"""Form sets by legal basis and the entry point :func:`render_form`.

``FORM_SETS[set_id][form_no]`` is a :class:`FormSpec` (callable like a renderer). A dossier keeps the
set it was received under (``dossier.form_set``), so slips reprinted later keep their legal form.

Keys of ``extra`` the renderers read (all optional):
    number             the text after "Số:" in the header (default "<mã hồ sơ>/<ký hiệu>")
    issued_at          date of the header date line (defaults per form, see each renderer)
    register_seq       Mẫu 01: "Số thứ tự" in the register book; register_book_no overrides the profile's
    items, reason      Mẫu 02: items (names or dicts with name/originals/certified_copies/photocopies)
    officer            Mẫu 02/03: the officer who signs (default: the dossier's officer)
    reason             Mẫu 03/04/stop notice: the reason (default: the one recorded with the dossier's
                       refusal, postponement or stop; the slip is refused when there is none)
    new_due_at         Mẫu 04: the new appointment (default: the one the postponement recorded)
    signer_title, signer_name, agency_name   Mẫu 04/stop notice: who issues and signs
    solving_agency, coordinating_agencies    Mẫu 05 (phiếu kiểm soát)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.dossier import Dossier
from app.core.errors import NotFoundError, ValidationError
from app.core.lifecycle import Slip
from app.core.procedure import Procedure
from app.documents.control import render_control_sheet
from app.documents.layout import FormContext
from app.documents.letters import render_apology, render_stop_notice
from app.documents.notices import render_rejection, render_supplement_request
from app.documents.profile import DEFAULT_FORM_SET, OfficeProfile
from app.documents.receipt import render_receipt

Renderer = Callable[[FormContext], bytes]


@dataclass(frozen=True)
class FormSpec:
    """One form of a set: its official title, the ký hiệu after "Số: <code>/" and its renderer."""

    title: str
    render: Renderer
    symbol: str = ""
    confirmed: bool = True  # False where the wording/layout is inferred (see the comment per set)
    per_dossier: bool = True  # False for the register (Sổ theo dõi hồ sơ), a report of many dossiers

    def __call__(self, form_no: str, dossier: Dossier, procedure: Procedure, profile: OfficeProfile,
                 extra: dict | None = None) -> bytes:
        ctx = FormContext(form_no=form_no, title=self.title, symbol=self.symbol, dossier=dossier,
                          procedure=procedure, profile=profile, extra=dict(extra or {}))
        return self.render(ctx)


RECEIPT = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
SUPPLEMENT = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REJECTION = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
CONTROL = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
REGISTER = "SỔ THEO DÕI HỒ SƠ"
STOP_NOTICE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"


def _register_is_a_report(ctx: FormContext) -> bytes:
    raise ValidationError(
        f"form {ctx.form_no} ({REGISTER}) is a register of many dossiers, not a slip of one",
        f"Mẫu {ctx.form_no} ({REGISTER.capitalize()}) là sổ theo dõi nhiều hồ sơ, không in cho một "
        "hồ sơ: in sổ từ mục báo cáo.", field="form")


#: The register of a set: listed with the set's numbers; printed by the reports, not per dossier.
REGISTER_SPEC = FormSpec(REGISTER, _register_is_a_report, per_dossier=False)

FORM_SETS: dict[str, dict[str, FormSpec]] = {
    # TT 01/2018/TT-VPCP. Mẫu 06 (Sổ theo dõi hồ sơ) is a register of many dossiers, not a slip:
    # listed here for its number, printed by the reports. Ký hiệu: "/HDHS" (Mẫu 02) and "/PXL"
    # (apology) are seen in provincial templates; "/TCHS" for Mẫu 03 is our choice (unconfirmed,
    # override with extra).
    "TT01-2018": {
        "01": FormSpec(RECEIPT, render_receipt),
        "02": FormSpec(SUPPLEMENT, render_supplement_request, "HDHS"),
        "03": FormSpec(REJECTION, render_rejection, "TCHS", confirmed=False),
        "04": FormSpec("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", render_apology, "PXL"),
        "05": FormSpec(CONTROL, render_control_sheet),
        "06": REGISTER_SPEC,
    },
    # TT 03/2025/TT-VPCP Phụ lục I as reported by a single third-party source (domain notes §1.0):
    # 01–03 and 06 are assumed to keep the 2018 content under the same titles; 04 keeps the 2018
    # apology content under its new title; 05 (new) is our own layout. 07 (Sổ theo dõi) is the register.
    # Everything in this set is UNCONFIRMED until the circular's annex is checked.
    "TT03-2025": {
        "01": FormSpec(RECEIPT, render_receipt, confirmed=False),
        "02": FormSpec(SUPPLEMENT, render_supplement_request, "HDHS", confirmed=False),
        "03": FormSpec(REJECTION, render_rejection, "TCHS", confirmed=False),
        "04": FormSpec("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", render_apology, "PXL",
                       confirmed=False),
        "05": FormSpec(STOP_NOTICE, render_stop_notice, "TB", confirmed=False),
        "06": FormSpec(CONTROL, render_control_sheet, confirmed=False),
        "07": REGISTER_SPEC,
    },
}

#: Default first receipt date of TT 03/2025/TT-VPCP's forms (the circular is of 15/9/2025; the date it
#: takes effect is unconfirmed, hence a setting).
DEFAULT_TT03_2025_FROM = date(2025, 10, 31)


def form_set_on(received: date, tt03_2025_from: date = DEFAULT_TT03_2025_FROM) -> str:
    """The form set in force for a dossier received on ``received``: TT 03/2025 from
    ``tt03_2025_from`` on, TT 01/2018 before."""
    return "TT03-2025" if received >= tt03_2025_from else "TT01-2018"


def form_numbers(form_set: str) -> dict[str, str]:
    """``{"01": title, ...}`` of every form of ``form_set`` (the register included)."""
    forms = FORM_SETS.get(form_set)
    if forms is None:
        raise NotFoundError(f"unknown form set {form_set!r}", f"Không có bộ biểu mẫu “{form_set}”.")
    return {number: spec.title for number, spec in sorted(forms.items())}


def form_number_of(form_set: str, title: str) -> str:
    """The number a form has in ``form_set`` (e.g. the control slip: "05" in TT 01/2018, "06" in
    TT 03/2025), found by its title; :class:`NotFoundError` when the set lacks it."""
    for number, spec in sorted(FORM_SETS.get(form_set, {}).items()):
        if spec.title == title:
            return number
    raise NotFoundError(f"form set {form_set} has no form {title!r}",
                        f"Bộ biểu mẫu {form_set} không có “{title}”.")


#: Which form number each slip has in each set. Circular 01/2018 has no stop notice: a dossier of
#: that set that is stopped gets the 2025 notice (the only legal form of it).
SLIP_FORMS: dict[str, dict[Slip, str]] = {
    "TT01-2018": {Slip.RECEIPT: "01", Slip.SUPPLEMENT_REQUEST: "02", Slip.REFUSAL: "03", Slip.APOLOGY: "04",
                  Slip.CONTROL_SHEET: "05"},
    "TT03-2025": {Slip.RECEIPT: "01", Slip.SUPPLEMENT_REQUEST: "02", Slip.REFUSAL: "03", Slip.APOLOGY: "04",
                  Slip.STOP_NOTICE: "05", Slip.CONTROL_SHEET: "06"},
}
STOP_NOTICE_SET = "TT03-2025"


def slip_form(slip: Slip, form_set: str = DEFAULT_FORM_SET) -> tuple[str, FormSpec]:
    """The form number and spec of ``slip`` in ``form_set`` (see :data:`SLIP_FORMS`)."""
    number = SLIP_FORMS.get(form_set, {}).get(slip)
    if number is None and slip is Slip.STOP_NOTICE:
        number = SLIP_FORMS[STOP_NOTICE_SET][slip]
        return number, form_spec(number, STOP_NOTICE_SET)
    if number is None:
        raise NotFoundError(f"form set {form_set} has no {slip.value} form",
                            f"Bộ biểu mẫu {form_set} không có mẫu phiếu này.")
    return number, form_spec(number, form_set)


def form_slip(form_no: str, form_set: str = DEFAULT_FORM_SET) -> Slip | None:
    """The slip that form ``form_no`` of ``form_set`` is (None for a form that is not a slip)."""
    number = str(form_no).strip().zfill(2)
    return next((slip for slip, n in SLIP_FORMS.get(form_set, {}).items() if n == number), None)


def form_spec(form_no: str, form_set: str = DEFAULT_FORM_SET) -> FormSpec:
    """The form ``form_no`` ("01", "1" …) of ``form_set``; :class:`NotFoundError` if there is none."""
    number = str(form_no).strip().zfill(2)
    forms = FORM_SETS.get(form_set)
    if forms is None:
        raise NotFoundError(f"unknown form set {form_set!r}", f"Không có bộ biểu mẫu “{form_set}”.")
    spec = forms.get(number)
    if spec is None:
        raise NotFoundError(f"form {number} not in set {form_set}",
                            f"Bộ biểu mẫu {form_set} không có mẫu số {number}.")
    return spec


def render_form(form_no: str, dossier: Dossier, procedure: Procedure, profile: OfficeProfile, *,
                extra: dict | None = None) -> bytes:
    """Render form ``form_no`` of the dossier's form set to PDF bytes."""
    number = str(form_no).strip().zfill(2)
    return form_spec(number, dossier.form_set or profile.form_set)(number, dossier, procedure, profile, extra)


def render_form_to_file(path: str | Path, form_no: str, dossier: Dossier, procedure: Procedure,
                        profile: OfficeProfile, *, extra: dict | None = None) -> Path:
    """Like :func:`render_form`, written to ``path`` (parent folders created); returns the path."""
    target = Path(path)
    data = render_form(form_no, dossier, procedure, profile, extra=extra)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
