"""The e-data warehouse: digitised results indexed by owner, and component reuse (issue 5).

Models: app/store/models_warehouse.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

``warehouse_records`` and its search index, built like the dossiers' (see ``0001`` and
``app.store.search``): SQLite, an external-content FTS5 table ``warehouse_fts`` over
``search_text`` (rowid = ``warehouse_records.id``) kept in sync by the ``warehouse_fts_*`` triggers;
PostgreSQL, a GIN index over ``to_tsvector('simple', search_text)``. A later batch migration that
re-creates ``warehouse_records`` on SQLite drops the triggers and must create them again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_SEARCH_UP = (
    """CREATE VIRTUAL TABLE warehouse_fts USING fts5(
        search_text, content='warehouse_records', content_rowid='id',
        tokenize='ascii', detail='none', columnsize=0, prefix='1 2 3 4 5 6 7 8')""",
    """CREATE TRIGGER warehouse_fts_insert AFTER INSERT ON warehouse_records BEGIN
        INSERT INTO warehouse_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER warehouse_fts_delete AFTER DELETE ON warehouse_records BEGIN
        INSERT INTO warehouse_fts(warehouse_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER warehouse_fts_update AFTER UPDATE OF search_text ON warehouse_records BEGIN
        INSERT INTO warehouse_fts(warehouse_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO warehouse_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)
SQLITE_SEARCH_DOWN = (
    "DROP TRIGGER IF EXISTS warehouse_fts_update",
    "DROP TRIGGER IF EXISTS warehouse_fts_delete",
    "DROP TRIGGER IF EXISTS warehouse_fts_insert",
    "DROP TABLE IF EXISTS warehouse_fts",
)
PG_SEARCH_UP = (
    "CREATE INDEX ix_warehouse_records_search_tsv ON warehouse_records "
    "USING gin (to_tsvector('simple', search_text))",
)
PG_SEARCH_DOWN = ("DROP INDEX IF EXISTS ix_warehouse_records_search_tsv",)


def _search_ddl(up: bool) -> Sequence[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_SEARCH_UP if up else SQLITE_SEARCH_DOWN
    if dialect == "postgresql":
        return PG_SEARCH_UP if up else PG_SEARCH_DOWN
    return ()


def upgrade() -> None:
    op.create_table('warehouse_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('type_code', sa.String(length=64), nullable=False),
    sa.Column('type_name', sa.Text(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issuer', sa.Text(), nullable=False),
    sa.Column('signer', sa.Text(), nullable=False),
    sa.Column('owner_name', sa.Text(), nullable=False),
    sa.Column('owner_id_number', sa.String(length=32), nullable=False),
    sa.Column('owner_old_id_number', sa.String(length=32), nullable=False),
    sa.Column('owner_tax_code', sa.String(length=32), nullable=False),
    sa.Column('validity', sa.String(length=16), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('dup_key', sa.String(length=300), nullable=True),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=128), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouse_records')),
    sa.UniqueConstraint('record_id', name=op.f('uq_warehouse_records_record_id'))
    )
    with op.batch_alter_table('warehouse_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warehouse_records_dup_key'), ['dup_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_warehouse_records_owner_id_number'), ['owner_id_number'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_warehouse_records_owner_old_id_number'), ['owner_old_id_number'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_warehouse_records_owner_tax_code'), ['owner_tax_code'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_warehouse_records_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_warehouse_records_source_ref'), ['source_ref'], unique=False)
        batch_op.create_index('ix_warehouse_records_type_code_owner_id_number',
                              ['type_code', 'owner_id_number'], unique=False)

    for statement in _search_ddl(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _search_ddl(up=False):
        op.execute(statement)
    with op.batch_alter_table('warehouse_records', schema=None) as batch_op:
        batch_op.drop_index('ix_warehouse_records_type_code_owner_id_number')
        batch_op.drop_index(batch_op.f('ix_warehouse_records_source_ref'))
        batch_op.drop_index(batch_op.f('ix_warehouse_records_sha256'))
        batch_op.drop_index(batch_op.f('ix_warehouse_records_owner_tax_code'))
        batch_op.drop_index(batch_op.f('ix_warehouse_records_owner_old_id_number'))
        batch_op.drop_index(batch_op.f('ix_warehouse_records_owner_id_number'))
        batch_op.drop_index(batch_op.f('ix_warehouse_records_dup_key'))

    op.drop_table('warehouse_records')
