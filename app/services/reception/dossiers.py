"""Dossier queries: search, list and show."""

from __future__ import annotations

from datetime import date

from app.core.dossier import Dossier
from app.core.errors import NotFoundError
from app.services.context import AppContext
from app.store.repositories import DossierRepository, DossierSummary

DEFAULT_LIMIT = 50


def list_dossiers(ctx: AppContext, search: str | None = None, *, status: int | None = None,
                  procedure_code: str | None = None, channel: int | None = None,
                  received_from: date | None = None, received_to: date | None = None,
                  limit: int = DEFAULT_LIMIT, offset: int = 0) -> list[DossierSummary]:
    """Dossiers matching the filters, newest first (``search`` ignores case and diacritics)."""
    with ctx.session() as session:
        return DossierRepository(session).search(
            search or None, status=status, procedure_code=procedure_code, channel=channel,
            received_from=received_from, received_to=received_to, limit=limit, offset=offset)


def count_dossiers(ctx: AppContext, search: str | None = None, *, status: int | None = None,
                   procedure_code: str | None = None, channel: int | None = None,
                   received_from: date | None = None, received_to: date | None = None) -> int:
    with ctx.session() as session:
        return DossierRepository(session).count(
            search or None, status=status, procedure_code=procedure_code, channel=channel,
            received_from=received_from, received_to=received_to)


def get_dossier(ctx: AppContext, code: str) -> Dossier:
    """The dossier ``code``; :class:`NotFoundError` when there is none."""
    code = code.strip()
    with ctx.session() as session:
        try:
            return DossierRepository(session).get(code)
        except NotFoundError as exc:
            raise NotFoundError(f"unknown dossier {code}",
                                f"Không tìm thấy hồ sơ có mã “{code}”.") from exc
