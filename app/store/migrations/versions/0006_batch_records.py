"""Batch documents linked to the warehouse records the clerk made of them (issue 5).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

``batch_documents`` gains ``warehouse_record`` (the ``record_id`` of the stored result, indexed;
null until the clerk has typed the document's metadata) and ``reviewed_by``/``reviewed_at`` (who
looked at the document's blank or flagged pages and accepted them, and when). Nullable columns
only: ``ALTER TABLE ... ADD COLUMN`` on both SQLite and PostgreSQL, existing rows stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouse_record', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_batch_documents_warehouse_record'), ['warehouse_record'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_documents_warehouse_record'))
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('warehouse_record')
