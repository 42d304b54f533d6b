"""Each step of a dossier's life records its action, reason, station and appointments.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

``dossier_status_history`` gains ``action`` (the action of the step: receive, handover,
supplement_request, ...), ``reason`` (why: the refusal, postponement, stop or withdrawal reason),
``station`` (the station it was done on), ``due_at`` (the appointment after the step) and
``previous_due_at`` (before it, where the step changed it: a supplement received, a postponement).
Text columns get an empty default so existing rows stay valid; the dates are nullable. The same
values live in the dossier's ``history`` JSON, which stays the source the dossier is read from.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('dossier_status_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('station', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('previous_due_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossier_status_history', schema=None) as batch_op:
        batch_op.drop_column('previous_due_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('station')
        batch_op.drop_column('reason')
        batch_op.drop_column('action')
