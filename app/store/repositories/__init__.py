"""Repositories: constructed with a Session, they take and return domain objects (``app.core``)."""

from app.store.repositories.codes import CodeCounterRepository
from app.store.repositories.dossiers import DossierRepository, DossierSummary
from app.store.repositories.misc import BlobInfo, BlobRepository, CalendarRepository, SettingsRepository
from app.store.repositories.procedures import ProcedureRepository

__all__ = [
    "BlobInfo",
    "BlobRepository",
    "CalendarRepository",
    "CodeCounterRepository",
    "DossierRepository",
    "DossierSummary",
    "ProcedureRepository",
    "SettingsRepository",
]
