"""Supervisors' reports: citizens' satisfaction ratings and the per-dossier facts of the indicators.

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-08

``satisfaction_ratings`` (one rating per dossier and service event) and ``dossier_report_facts``
(the due before any postponement, the online payment channel); see ``app.store.models_reports``.

``dossiers`` gains what the indicators count, written with every dossier from now on
(``app.core.timeliness``): ``ended_at``, ``result_at``, ``supplement_count``,
``components_digitised``, ``components_reused``, and two covering indexes the figures of a period are
read from (by reception time, by end time). Existing rows are filled here from their status
history and JSON components (plain ``ALTER TABLE ... ADD COLUMN``: the SQLite table and its search
triggers are not rebuilt).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_FIRST = "(SELECT min(h.at) FROM dossier_status_history h WHERE h.dossier_id = dossiers.id AND h.status IN ({}))"
_RESULT = f"coalesce({_FIRST.format('9')}, {_FIRST.format('10')})"
_FLAGS = {
    "sqlite": (
        "json_array_length(attachments) > 0 OR EXISTS (SELECT 1 FROM json_each(dossiers.components) c "
        "WHERE json_extract(c.value, '$.received') AND json_extract(c.value, '$.digitised'))",
        "EXISTS (SELECT 1 FROM json_each(dossiers.components) c WHERE json_extract(c.value, '$.received') "
        "AND (json_extract(c.value, '$.reused_record_id') IS NOT NULL OR json_extract(c.value, '$.from_warehouse')))",
    ),
    "postgresql": (
        "json_array_length(attachments) > 0 OR EXISTS (SELECT 1 FROM json_array_elements(dossiers.components) c "
        "WHERE (c->>'received')::boolean AND (c->>'digitised')::boolean)",
        "EXISTS (SELECT 1 FROM json_array_elements(dossiers.components) c WHERE (c->>'received')::boolean "
        "AND ((c->>'reused_record_id') IS NOT NULL OR (c->>'from_warehouse')::boolean))",
    ),
}


def _add_dossier_columns() -> None:
    op.add_column("dossiers", sa.Column("ended_at", sa.DateTime(), nullable=True))
    op.add_column("dossiers", sa.Column("result_at", sa.DateTime(), nullable=True))
    op.add_column("dossiers", sa.Column("supplement_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("dossiers", sa.Column("components_digitised", sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column("dossiers", sa.Column("components_reused", sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.create_index(op.f("ix_dossiers_report_received"), "dossiers",
                    ["received_at", "channel", "fee_vnd", "components_digitised", "components_reused",
                     "procedure_code", "officer", "code"], unique=False)
    op.create_index(op.f("ix_dossiers_report_ended"), "dossiers",
                    ["ended_at", "result_at", "due_at", "supplement_count", "procedure_code", "officer", "code"],
                    unique=False)
    dialect = op.get_bind().dialect.name
    digitised, reused = _FLAGS.get(dialect, _FLAGS["postgresql"])
    op.execute(sa.text(
        f"UPDATE dossiers SET result_at = {_RESULT}, "
        f"ended_at = coalesce({_RESULT}, {_FIRST.format('3, 8')}), "
        "supplement_count = (SELECT count(*) FROM dossier_status_history h "
        "WHERE h.dossier_id = dossiers.id AND h.status = 5), "
        f"components_digitised = ({digitised}), components_reused = ({reused})"))


def upgrade() -> None:
    _add_dossier_columns()
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
    op.drop_index(op.f("ix_dossiers_report_ended"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_report_received"), table_name="dossiers")
    for column in ("components_reused", "components_digitised", "supplement_count", "result_at", "ended_at"):
        with op.batch_alter_table("dossiers", schema=None, recreate="never") as batch_op:
            batch_op.drop_column(column)
    op.drop_table("dossier_report_facts")
    with op.batch_alter_table("satisfaction_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_ratings_rated_at"))
        batch_op.drop_index(batch_op.f("ix_satisfaction_ratings_dossier_code"))
    op.drop_table("satisfaction_ratings")
