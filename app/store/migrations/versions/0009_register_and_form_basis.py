"""The register book number (Sổ theo dõi hồ sơ) of every dossier.

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-07

``dossiers`` gains ``register_agency``, ``register_year``, ``register_book`` (the "Quyển số" printed)
and ``register_seq`` (the "Số thứ tự"), unique per agency and year. ``register_counters`` holds the
last number of each agency's register of a year; numbers are taken with one ``UPDATE ... RETURNING``
that row-locks the counter (see :class:`app.store.repositories.registers.RegisterCounterRepository`).

Dossiers already stored get their numbers here, in the order they were received, so no receipt
printed after the upgrade has a blank register line.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The "Quyển số" of existing dossiers (the setting may say otherwise for new ones).
BOOK_OF_YEAR = "01/{year}"
REGISTER_INDEX = "ix_dossiers_register"


def upgrade() -> None:
    op.create_table(
        "register_counters",
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "year", name=op.f("pk_register_counters")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("register_agency", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("register_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("register_book", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("register_seq", sa.Integer(), nullable=True))
    # A unique index, not a constraint: SQLite adds it without rebuilding the table (and its triggers).
    op.create_index(REGISTER_INDEX, "dossiers", ["register_agency", "register_year", "register_seq"],
                    unique=True)
    _number_existing_dossiers()


def _number_existing_dossiers() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, code, received_at FROM dossiers ORDER BY received_at, id")).all()
    last: dict[tuple[str, int], int] = {}
    for row in rows:
        received = row.received_at
        year = received.year if hasattr(received, "year") else int(str(received)[:4])
        agency = str(row.code).rsplit("-", 2)[0][:64]
        seq = last.get((agency, year), 0) + 1
        last[(agency, year)] = seq
        bind.execute(sa.text("UPDATE dossiers SET register_agency = :agency, register_year = :year, "
                             "register_book = :book, register_seq = :seq WHERE id = :id"),
                     {"agency": agency, "year": year, "book": BOOK_OF_YEAR.format(year=year), "seq": seq,
                      "id": row.id})
    for (agency, year), seq in last.items():
        bind.execute(sa.text("INSERT INTO register_counters (agency, year, last_seq) VALUES (:a, :y, :s)"),
                     {"a": agency, "y": year, "s": seq})


def downgrade() -> None:
    op.drop_index(REGISTER_INDEX, table_name="dossiers")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("register_seq")
        batch_op.drop_column("register_book")
        batch_op.drop_column("register_year")
        batch_op.drop_column("register_agency")
    op.drop_table("register_counters")
