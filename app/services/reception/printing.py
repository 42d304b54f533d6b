"""Printing the standard slips (Mẫu 01–05) of a stored dossier with this office's profile."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import MotCuaError, NotFoundError
from app.core.fileio import atomic_write_bytes
from app.core.procedure import Procedure, ProcessingTime, ProcessingUnit
from app.documents import form_spec, render_form
from app.services.admin.auth import Officer, Permission, require
from app.services.admin.office import office_profile
from app.services.context import AppContext
from app.services.reception.catalogue import get_procedure
from app.services.reception.dossiers import get_dossier
from app.store.repositories import AuditRepository


class PrintError(MotCuaError):
    """The slip could not be written."""


def _procedure_of(ctx: AppContext, code: str, name: str) -> Procedure:
    try:
        return get_procedure(ctx, code)
    except NotFoundError:
        # No longer in the catalogue: the slip still prints, with what the dossier remembers.
        return Procedure(code=code, name=name, field="", level="",
                         processing=ProcessingTime(0, ProcessingUnit.SAME_DAY))


def render_slip(ctx: AppContext, form_no: str, code: str, officer: Officer,
                extra: dict | None = None) -> bytes:
    """Form ``form_no`` ("01".."05", of the dossier's form set) of dossier ``code`` as PDF bytes;
    needs PRINT. Every print is written to the audit log."""
    require(officer, Permission.PRINT)
    number = str(form_no).strip().zfill(2)
    dossier = get_dossier(ctx, code)
    profile = office_profile(ctx)
    form_spec(number, dossier.form_set or profile.form_set)  # unknown form: NotFoundError before any work
    procedure = _procedure_of(ctx, dossier.procedure_code, dossier.procedure_name)
    data = render_form(number, dossier, procedure, profile, extra=extra)
    with ctx.session(write=True) as session:
        AuditRepository(session).append(officer.username, "print", dossier_code=dossier.code, details={
            "form": number, "form_set": dossier.form_set, "extra": sorted(extra or {})})
    return data


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
