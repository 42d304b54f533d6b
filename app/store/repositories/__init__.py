"""Repositories: constructed with a Session, they take and return domain objects (``app.core``)."""

from app.store.repositories.audit import AuditEntry, AuditRepository, ChainCheck
from app.store.repositories.batches import BatchDocumentRecord, BatchPageRecord, BatchRecord, BatchRepository
from app.store.repositories.codes import CodeCounterRepository
from app.store.repositories.dossiers import DossierRepository, DossierSummary
from app.store.repositories.drafts import DraftRecord, DraftRepository
from app.store.repositories.duplicates import EarlierDossier, EarlierDossierQuery
from app.store.repositories.misc import BlobInfo, BlobRepository, CalendarRepository, SettingsRepository
from app.store.repositories.procedures import ProcedureRepository
from app.store.repositories.registers import RegisterCounterRepository
from app.store.repositories.sync import OutboxRepository, RemoteDossierRepository
from app.store.repositories.users import UserRecord, UserRepository
from app.store.repositories.warehouse import WarehouseRepository

__all__ = [
    "AuditEntry",
    "AuditRepository",
    "BatchDocumentRecord",
    "BatchPageRecord",
    "BatchRecord",
    "BatchRepository",
    "BlobInfo",
    "BlobRepository",
    "CalendarRepository",
    "ChainCheck",
    "CodeCounterRepository",
    "DossierRepository",
    "DossierSummary",
    "DraftRecord",
    "DraftRepository",
    "EarlierDossier",
    "EarlierDossierQuery",
    "OutboxRepository",
    "ProcedureRepository",
    "RegisterCounterRepository",
    "RemoteDossierRepository",
    "SettingsRepository",
    "UserRecord",
    "UserRepository",
    "WarehouseRepository",
]
