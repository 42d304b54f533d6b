"""The offline store: SQLite (default) or PostgreSQL through SQLAlchemy, plus the blob store.

Importing ``app.store`` is cheap; the submodules hold the pieces:
``paths`` (data folder), ``database`` (Database), ``blobs`` (BlobStore), ``repositories``.
"""

from app.store.blobs import BlobCorruptedError, BlobStore
from app.store.database import Database
from app.store.paths import default_data_dir

__all__ = ["BlobCorruptedError", "BlobStore", "Database", "default_data_dir"]
