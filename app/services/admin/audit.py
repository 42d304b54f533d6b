"""The audit log: what officers did, append-only and hash chained (see ``app.store.repositories.audit``)."""

from __future__ import annotations

from app.services.context import AppContext
from app.store.repositories import AuditEntry, AuditRepository, ChainCheck


def entries(ctx: AppContext, *, dossier_code: str | None = None, action: str | None = None,
            limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Audit entries, newest first, optionally of one dossier or one action."""
    with ctx.session() as session:
        return AuditRepository(session).entries(dossier_code=dossier_code, action=action, limit=limit,
                                                offset=offset)


def verify_chain(ctx: AppContext) -> ChainCheck:
    """Recompute the hash chain of the whole log (for ``motcua verify``)."""
    with ctx.session() as session:
        return AuditRepository(session).verify()
