"""Batch documents the clerk sets aside instead of recording them (issue 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

``batch_documents`` gains ``set_aside_reason`` (why the document is not made a warehouse record: an
unreadable page to scan again, a page that is not a result, an expired document, or the clerk's own
words; null when the document is not set aside), ``set_aside_by`` and ``set_aside_at`` (who set it
aside, and when). A set-aside document counts as handled: its batch leaves "Lô chưa xong" once every
other document is recorded. Nullable columns only: ``ALTER TABLE ... ADD COLUMN`` on both SQLite and
PostgreSQL, existing rows stay as they are (not set aside).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('set_aside_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('set_aside_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.drop_column('set_aside_at')
        batch_op.drop_column('set_aside_by')
        batch_op.drop_column('set_aside_reason')
