"""Batch archive digitising: batches, their pages and documents (issue 5). Models: app/store/models_batch.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('profile', sa.String(length=64), nullable=False),
    sa.Column('officer', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('source_done', sa.Boolean(), nullable=False),
    sa.Column('active_seconds', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('name', name=op.f('uq_batches_name'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_state'), ['state'], unique=False)

    op.create_table('batch_pages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Text(), nullable=False),
    sa.Column('origin_index', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('spool_file', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('separator', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('phash', sa.String(length=512), nullable=True),
    sa.Column('media_type', sa.String(length=32), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('dpi', sa.Float(), nullable=False),
    sa.Column('blank', sa.Boolean(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('processed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_batch_pages_batch_id_batches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_pages')),
    sa.UniqueConstraint('batch_id', 'origin', 'origin_index',
                        name=op.f('uq_batch_pages_batch_id_origin_origin_index')),
    sa.UniqueConstraint('batch_id', 'seq', name=op.f('uq_batch_pages_batch_id_seq'))
    )

    op.create_table('batch_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('separator', sa.Text(), nullable=True),
    sa.Column('result_code', sa.String(length=64), nullable=True),
    sa.Column('record', sa.String(length=128), nullable=True),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_batch_documents_batch_id_batches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_documents')),
    sa.UniqueConstraint('batch_id', 'number', name=op.f('uq_batch_documents_batch_id_number'))
    )
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.create_index('ix_batch_documents_sha256', ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_documents_sha256')
    op.drop_table('batch_documents')
    op.drop_table('batch_pages')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_state'))
    op.drop_table('batches')
