"""The text read on stored PDFs: ``page_texts`` (see ``app.store.models_ocr``).

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-08

A new table only; the words it holds reach the existing search indexes through the search text of
the dossiers and warehouse records, so neither FTS5 table nor GIN index changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'page_texts',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=True),
        sa.Column('layered_sha256', sa.String(length=64), nullable=True),
        sa.Column('words', sa.Text(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('confidence', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('milliseconds', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256'),
    )
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_texts_layered_sha256'), ['layered_sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_texts_layered_sha256'))
    op.drop_table('page_texts')
