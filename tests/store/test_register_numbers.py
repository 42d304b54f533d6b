"""The register book's numbers (Sổ theo dõi hồ sơ): one sequence per agency and year, unique under
concurrency on SQLite and PostgreSQL, self-healing after a counter restored from an old backup."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.store.database import Database
from app.store.repositories import RegisterCounterRepository

AGENCY = "000.00.12.H29"


def _take(db: Database, agency: str = AGENCY, year: int = 2026) -> int:
    with db.session(write=True) as session:
        return RegisterCounterRepository(session).allocate(agency, year)


def test_numbers_per_agency_and_year(db: Database) -> None:
    assert [_take(db) for _ in range(3)] == [1, 2, 3]
    assert _take(db, year=2027) == 1  # a new year, a new book
    assert _take(db, agency="000.00.13.H29") == 1  # another agency, its own book
    assert _take(db) == 4
    with db.session() as session:
        assert RegisterCounterRepository(session).last(AGENCY, 2026) == 4
        assert RegisterCounterRepository(session).last(AGENCY, 2030) == 0


def test_a_rolled_back_transaction_gives_its_number_back(db: Database) -> None:
    assert _take(db) == 1
    with pytest.raises(RuntimeError), db.session(write=True) as session:
        RegisterCounterRepository(session).allocate(AGENCY, 2026)
        raise RuntimeError("the dossier could not be stored")
    assert _take(db) == 2


def _hammer(db: Database, count: int, out: list[int]) -> None:
    for _ in range(count):
        out.append(_take(db))


def test_threads_on_one_database_never_share_a_number(db: Database) -> None:
    """Two stations on one database (threads with their own sessions and connections)."""
    results: list[list[int]] = [[] for _ in range(4)]
    threads = [threading.Thread(target=_hammer, args=(db, 25, out)) for out in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    numbers = [n for out in results for n in out]
    assert sorted(numbers) == list(range(1, 101))


def test_a_counter_behind_the_dossiers_skips_used_numbers(db: Database) -> None:
    """And the unique index refuses a duplicate whatever happens."""
    columns = ("code, procedure_code, procedure_name, applicant_kind, applicant_name, id_number, "
               "old_id_number, phone, tax_code, received_at, due_at, status, channel, officer, delivery, "
               "delivery_address, fee_vnd, form_set, sets_count, returned_to, applicant, components, "
               "attachments, supplements, history, search_text, created_at, updated_at, register_agency, "
               "register_year, register_book, register_seq")
    values = ("(:code, 'p', 'p', 'person', 'A', '', '', '', '', '2026-01-05 08:00:00', "
              "'2026-01-06 08:00:00', 2, 1, 'x', 0, '', 0, 'TT03-2025', 1, '', '{}', '[]', '[]', '[]', "
              "'[]', '', '2026-01-05 08:00:00', '2026-01-05 08:00:00', :agency, 2026, '01/2026', :seq)")
    insert = text(f"INSERT INTO dossiers ({columns}) VALUES {values}")
    with db.session(write=True) as session:
        session.execute(insert, {"code": f"{AGENCY}-260105-0001", "agency": AGENCY, "seq": 7})
    # the counter (e.g. restored from an older backup) knows nothing of number 7
    assert _take(db) == 8
    with pytest.raises(IntegrityError), db.session(write=True) as session:
        session.execute(insert, {"code": f"{AGENCY}-260105-0002", "agency": AGENCY, "seq": 8})
        session.execute(insert, {"code": f"{AGENCY}-260105-0003", "agency": AGENCY, "seq": 8})
