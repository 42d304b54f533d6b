"""What a dossier gets from the legal basis and the register when it is received: its form set
(the circular in force on the receipt date) and its line in the register book (Quyển số, Số thứ tự).

Settings (per office, in the database):

* :data:`TT03_2025_FROM` (``forms.tt03_2025_from``, ``YYYY-MM-DD``): the first receipt date of
  Circular 03/2025/TT-VPCP's seven forms; dossiers received before keep Circular 01/2018's six.
  Default 2025-10-31 (the circular's date of effect is unconfirmed).
* :data:`~app.services.context.FORM_SET` (``forms.set``): when set, every new dossier gets this set
  whatever the date (for an office told to keep one set).
* :data:`~app.services.context.REGISTER_BOOK` (``forms.register_book``): the "Quyển số" printed;
  ``{year}`` is replaced by the receipt year. Default ``01/{year}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.core import settings_registry as registry
from app.core.clock import vn_now
from app.core.dossier import Dossier, RegisterEntry
from app.core.errors import ValidationError
from app.documents.registry import DEFAULT_TT03_2025_FROM, FORM_SETS, form_set_on
from app.services.context import FORM_SET, REGISTER_BOOK, AppContext
from app.store.repositories import DossierRepository, RegisterCounterRepository, SettingsRepository

TT03_2025_FROM = registry.TT03_2025_FROM.key
DEFAULT_REGISTER_BOOK = "01/{year}"


def _tt03_from(settings: SettingsRepository) -> date:
    text = (settings.get(TT03_2025_FROM) or "").strip()
    if not text:
        return DEFAULT_TT03_2025_FROM
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"setting {TT03_2025_FROM} is not a date YYYY-MM-DD: {text!r}",
                              f"Cấu hình ngày áp dụng biểu mẫu Thông tư 03/2025 không hợp lệ: “{text}”.",
                              field=TT03_2025_FROM) from None


def form_set_for(session: Any, received_at: datetime) -> str:
    """The form set of a dossier received at ``received_at`` (inside an open session)."""
    settings = SettingsRepository(session)
    forced = (settings.get(FORM_SET) or "").strip()
    if forced:
        if forced not in FORM_SETS:
            raise ValidationError(f"setting {FORM_SET} names an unknown form set {forced!r}",
                                  f"Cấu hình bộ biểu mẫu “{forced}” không hợp lệ "
                                  f"(chọn {', '.join(sorted(FORM_SETS))}).", field=FORM_SET)
        return forced
    return form_set_on(received_at.date(), _tt03_from(settings))


def form_set_in_force(ctx: AppContext, on: datetime | None = None) -> str:
    """The form set a dossier received at ``on`` (default: now) would get."""
    with ctx.session() as session:
        return form_set_for(session, on or vn_now())


def set_tt03_2025_from(ctx: AppContext, first_day: date) -> None:
    """Set the first receipt date of Circular 03/2025's forms for this office."""
    with ctx.session(write=True) as session:
        SettingsRepository(session).set(TT03_2025_FROM, first_day.isoformat())


def book_label(session: Any, year: int) -> str:
    pattern = (SettingsRepository(session).get(REGISTER_BOOK) or "").strip() or DEFAULT_REGISTER_BOOK
    return pattern.replace("{year}", str(year))


def new_register_entry(session: Any, agency: str, received_at: datetime) -> RegisterEntry:
    """Take the next number of ``agency``'s register of the receipt year (inside the write
    transaction that stores the dossier: a rollback gives the number back)."""
    year = received_at.year
    seq = RegisterCounterRepository(session).allocate(agency, year)
    return RegisterEntry(agency=agency, year=year, book=book_label(session, year), seq=seq)


def agency_of(dossier: Dossier) -> str:
    """The agency whose register a dossier belongs to: the prefix of its code."""
    return dossier.code.rsplit("-", 2)[0]


def ensure_register_entry(ctx: AppContext, code: str) -> Dossier:
    """The dossier ``code``, given its register line first if it has none (a dossier that came
    from elsewhere): a printed Mẫu 01 never has a blank "Số thứ tự"."""
    with ctx.session() as session:
        dossier = DossierRepository(session).get(code)
    if dossier.register is not None:
        return dossier
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        dossier = repo.get(code)
        if dossier.register is None:
            dossier.register = new_register_entry(session, agency_of(dossier), dossier.received_at)
            repo.update(dossier)
    return dossier
