"""Supervisors' reports: citizens' satisfaction ratings and the per-dossier facts of the indicators.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-08

``satisfaction_ratings`` (one rating per dossier and service event) and ``dossier_report_facts``
(the due before any postponement, the online payment channel); see ``app.store.models_reports``.
Two new tables: nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dossier_code", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_ratings")),
        sa.UniqueConstraint("dossier_code", "event", name=op.f("uq_satisfaction_ratings_dossier_code_event")),
    )
    with op.batch_alter_table("satisfaction_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_satisfaction_ratings_dossier_code"), ["dossier_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_satisfaction_ratings_rated_at"), ["rated_at"], unique=False)
    op.create_table(
        "dossier_report_facts",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("due_before_postponement", sa.DateTime(), nullable=True),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"],
                                name=op.f("fk_dossier_report_facts_dossier_id_dossiers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_dossier_report_facts")),
    )


def downgrade() -> None:
    op.drop_table("dossier_report_facts")
    with op.batch_alter_table("satisfaction_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_ratings_rated_at"))
        batch_op.drop_index(batch_op.f("ix_satisfaction_ratings_dossier_code"))
    op.drop_table("satisfaction_ratings")
