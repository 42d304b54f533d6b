"""Standard one-stop-shop slips (Mẫu 01–05 of TT 01/2018/TT-VPCP, and the reported 2025 set) as PDF.

Pure functions from domain objects and an :class:`OfficeProfile` to PDF bytes: no Qt, no database.
"""

from app.documents.layout import SlipStateError
from app.documents.profile import OfficeProfile
from app.documents.registry import (
    FORM_SETS,
    SLIP_FORMS,
    FormSpec,
    form_slip,
    form_spec,
    render_form,
    render_form_to_file,
    slip_form,
)

__all__ = ["FORM_SETS", "SLIP_FORMS", "FormSpec", "OfficeProfile", "SlipStateError", "form_slip", "form_spec",
           "render_form", "render_form_to_file", "slip_form"]
