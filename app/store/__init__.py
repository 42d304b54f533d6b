"""The offline store: SQLite (default) or PostgreSQL through SQLAlchemy, plus the blob store.

Importing ``app.store`` is cheap; the submodules hold the pieces:
``paths`` (data folder), ``database`` (Database), ``blobs`` (BlobStore), ``repositories``.
"""

# models_reception registers the wave-2 tables (users, drafts, audit_log) on Base.metadata.
# models_batch registers the batch digitising tables (batches, batch_pages, batch_documents).
from app.store import models_batch as _models_batch  # noqa: F401
from app.store import models_fees as _models_fees  # noqa: F401

# models_ocr registers the text read on stored PDFs (page_texts).
from app.store import models_ocr as _models_ocr  # noqa: F401
from app.store import models_reception as _models_reception  # noqa: F401

# models_reports registers the supervisors' tables (satisfaction_ratings, dossier_report_facts).
from app.store import models_reports as _models_reports  # noqa: F401

# models_sync registers the sync tables (sync_outbox, sync_remote).
from app.store import models_sync as _models_sync  # noqa: F401

# models_warehouse registers the e-data warehouse table (warehouse_records).
from app.store import models_warehouse as _models_warehouse  # noqa: F401
from app.store.blobs import BlobCorruptedError, BlobStore
from app.store.database import Database
from app.store.paths import default_data_dir

__all__ = ["BlobCorruptedError", "BlobStore", "Database", "default_data_dir"]
