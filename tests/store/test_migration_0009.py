"""Migration 0009: every stored dossier gets its register line, in the order it was received."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.store import migrate
from app.store.database import Database
from app.store.repositories import RegisterCounterRepository

COLUMNS = ("code, procedure_code, procedure_name, applicant_kind, applicant_name, id_number, old_id_number, "
           "phone, tax_code, received_at, due_at, status, channel, officer, delivery, delivery_address, "
           "fee_vnd, form_set, sets_count, returned_to, applicant, components, attachments, supplements, "
           "history, search_text, created_at, updated_at")
VALUES = ("(:code, 'p', 'p', 'person', 'A', '', '', '', '', :at, :at, 2, 1, 'x', 0, '', 0, 'TT01-2018', 1, "
          "'', '{}', '[]', '[]', '[]', '[]', '', :at, :at)")


def test_existing_dossiers_are_numbered_per_agency_and_year(db: Database) -> None:
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0012")
        stored = (("A.H29-251230-0001", "2025-12-30 09:00:00"), ("A.H29-260105-0001", "2026-01-05 08:00:00"),
                  ("A.H29-251231-0001", "2025-12-31 10:00:00"), ("B.H29-260105-0001", "2026-01-05 09:00:00"),
                  ("A.H29-260105-0002", "2026-01-05 08:30:00"))
        for code, at in stored:
            conn.execute(text(f"INSERT INTO dossiers ({COLUMNS}) VALUES {VALUES}"), {"code": code, "at": at})
    assert db.migrate() is True and db.is_current()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT code, register_agency, register_year, register_book, register_seq "
                                 "FROM dossiers ORDER BY code")).all()
    assert [tuple(r) for r in rows] == [
        ("A.H29-251230-0001", "A.H29", 2025, "01/2025", 1),
        ("A.H29-251231-0001", "A.H29", 2025, "01/2025", 2),
        ("A.H29-260105-0001", "A.H29", 2026, "01/2026", 1),
        ("A.H29-260105-0002", "A.H29", 2026, "01/2026", 2),
        ("B.H29-260105-0001", "B.H29", 2026, "01/2026", 1),
    ]
    with db.session(write=True) as session:  # the counters carry on after the stored numbers
        assert RegisterCounterRepository(session).allocate("A.H29", 2026) == 3
        assert RegisterCounterRepository(session).allocate("B.H29", 2025) == 1
