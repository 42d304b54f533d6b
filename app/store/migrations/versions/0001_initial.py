"""Initial schema: catalogue, dossiers with their search index, calendar, settings, codes, blobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The search index is dialect-specific (see ``app.store.search``):
SQLite: external-content FTS5 table ``dossier_fts`` over ``dossiers.search_text`` (rowid = id),
kept in sync by the ``dossiers_fts_*`` triggers (the insert trigger pauses while
``dossier_fts_pause`` has a row, see ``DossierRepository.add_many``). A later batch migration that re-creates
``dossiers`` drops those triggers and must create them again.
PostgreSQL: GIN index over ``to_tsvector('simple', search_text)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_SEARCH_UP = (
    """CREATE VIRTUAL TABLE dossier_fts USING fts5(
        search_text, content='dossiers', content_rowid='id',
        tokenize='ascii', detail='none', columnsize=0, prefix='1 2 3 4 5 6 7 8')""",
    # add_many pauses the insert trigger (a row in this table, inside its own transaction) and
    # indexes each chunk with one INSERT ... SELECT: FTS5 flushes its buffer at every statement
    # savepoint, so one trigger call per row is ~10x slower.
    "CREATE TABLE dossier_fts_pause (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER dossiers_fts_insert AFTER INSERT ON dossiers
    WHEN NOT EXISTS (SELECT 1 FROM dossier_fts_pause) BEGIN
        INSERT INTO dossier_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER dossiers_fts_delete AFTER DELETE ON dossiers BEGIN
        INSERT INTO dossier_fts(dossier_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER dossiers_fts_update AFTER UPDATE OF search_text ON dossiers BEGIN
        INSERT INTO dossier_fts(dossier_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO dossier_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)
SQLITE_SEARCH_DOWN = (
    "DROP TRIGGER IF EXISTS dossiers_fts_update",
    "DROP TRIGGER IF EXISTS dossiers_fts_delete",
    "DROP TRIGGER IF EXISTS dossiers_fts_insert",
    "DROP TABLE IF EXISTS dossier_fts",
    "DROP TABLE IF EXISTS dossier_fts_pause",
)
PG_SEARCH_UP = (
    "CREATE INDEX ix_dossiers_search_tsv ON dossiers USING gin (to_tsvector('simple', search_text))",
)
PG_SEARCH_DOWN = ("DROP INDEX IF EXISTS ix_dossiers_search_tsv",)


def _search_ddl(up: bool) -> Sequence[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_SEARCH_UP if up else SQLITE_SEARCH_DOWN
    if dialect == "postgresql":
        return PG_SEARCH_UP if up else PG_SEARCH_DOWN
    return ()


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('code_counters',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('block_first', sa.Integer(), nullable=False),
    sa.Column('block_last', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_counters')),
    sa.UniqueConstraint('agency', 'day', 'block_first', name=op.f('uq_code_counters_agency_day_block_first'))
    )
    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('procedure_code', sa.String(length=64), nullable=False),
    sa.Column('procedure_name', sa.Text(), nullable=False),
    sa.Column('applicant_kind', sa.String(length=16), nullable=False),
    sa.Column('applicant_name', sa.Text(), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('old_id_number', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=64), nullable=False),
    sa.Column('tax_code', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.Column('officer', sa.Text(), nullable=False),
    sa.Column('delivery', sa.Integer(), nullable=False),
    sa.Column('delivery_address', sa.Text(), nullable=False),
    sa.Column('fee_vnd', sa.BigInteger(), nullable=False),
    sa.Column('form_set', sa.String(length=32), nullable=False),
    sa.Column('sets_count', sa.Integer(), nullable=False),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_to', sa.Text(), nullable=False),
    sa.Column('applicant', sa.JSON(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('supplements', sa.JSON(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_id_number'), ['id_number'], unique=False)
        batch_op.create_index('ix_dossiers_procedure_code_received_at', ['procedure_code', 'received_at'], unique=False)
        batch_op.create_index('ix_dossiers_received_at_id', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_dossiers_status_received_at', ['status', 'received_at'], unique=False)

    op.create_table('procedures',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('field', sa.Text(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('processing_amount', sa.Float(), nullable=False),
    sa.Column('processing_unit', sa.String(length=32), nullable=False),
    sa.Column('processing_online_amount', sa.Float(), nullable=True),
    sa.Column('cutoff', sa.Time(), nullable=True),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('fees', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.JSON(), nullable=False),
    sa.Column('essential_service', sa.Boolean(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_procedures'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('dossier_status_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('officer', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_status_history_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_status_history')),
    sa.UniqueConstraint('dossier_id', 'seq', name=op.f('uq_dossier_status_history_dossier_id_seq'))
    )
    with op.batch_alter_table('dossier_status_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_status_history_at'), ['at'], unique=False)

    for statement in _search_ddl(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _search_ddl(up=False):
        op.execute(statement)
    with op.batch_alter_table('dossier_status_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_status_history_at'))

    op.drop_table('dossier_status_history')
    op.drop_table('settings')
    op.drop_table('procedures')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_status_received_at')
        batch_op.drop_index('ix_dossiers_received_at_id')
        batch_op.drop_index('ix_dossiers_procedure_code_received_at')
        batch_op.drop_index(batch_op.f('ix_dossiers_id_number'))
        batch_op.drop_index(batch_op.f('ix_dossiers_due_at'))

    op.drop_table('dossiers')
    op.drop_table('code_counters')
    op.drop_table('calendar_overrides')
    op.drop_table('blobs')
