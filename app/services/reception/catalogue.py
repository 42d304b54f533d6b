"""Catalogue queries: the procedures (thủ tục hành chính) known to this office."""

from __future__ import annotations

from app.core.errors import NotFoundError
from app.core.procedure import Procedure
from app.services.context import AppContext
from app.store.repositories import ProcedureRepository


def list_procedures(ctx: AppContext) -> list[Procedure]:
    """Every procedure, ordered by code."""
    with ctx.session() as session:
        procedures = ProcedureRepository(session).list_all()
    return sorted(procedures, key=lambda p: p.code)


def get_procedure(ctx: AppContext, code: str) -> Procedure:
    """The procedure ``code``; :class:`NotFoundError` when there is none."""
    code = code.strip()
    with ctx.session() as session:
        try:
            return ProcedureRepository(session).get(code)
        except NotFoundError as exc:
            raise NotFoundError(f"unknown procedure {code}",
                                f"Không tìm thấy thủ tục có mã “{code}”.") from exc
