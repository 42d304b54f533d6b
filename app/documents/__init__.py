"""Standard one-stop-shop slips (TT 01/2018/TT-VPCP's set and the reported set of TT 03/2025/TT-VPCP) as PDF.

Pure functions from domain objects and an :class:`OfficeProfile` to PDF bytes: no Qt, no database.
"""

from app.documents.layout import SlipStateError
from app.documents.profile import OfficeProfile
from app.documents.registry import (
    FORM_SETS,
    SLIP_FORMS,
    FormSpec,
    form_numbers,
    form_set_on,
    form_slip,
    form_spec,
    render_form,
    render_form_to_file,
    slip_form,
)

__all__ = ["FORM_SETS", "SLIP_FORMS", "FormSpec", "OfficeProfile", "SlipStateError", "form_numbers",
           "form_set_on", "form_slip", "form_spec", "render_form", "render_form_to_file", "slip_form"]
