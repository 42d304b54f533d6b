"""Dossier numbers: sequential per station block, exhaustion, and no duplicates under concurrency."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from app.core.codes import StationBlock, format_dossier_code, parse_dossier_code
from app.core.errors import CodeBlockExhaustedError, ValidationError
from app.store.database import Database, connect_file
from app.store.repositories import CodeCounterRepository, SettingsRepository

AGENCY = "000.00.31.H29"
DAY = date(2026, 11, 23)


def allocate(db: Database, block: StationBlock, agency: str = AGENCY, day: date = DAY) -> int:
    with db.session() as s:
        return CodeCounterRepository(s).allocate(agency, day, block)


def test_numbers_are_sequential_within_the_block(db: Database) -> None:
    block = StationBlock(5000, 9999)
    assert [allocate(db, block) for _ in range(3)] == [5000, 5001, 5002]
    # Other days, agencies and blocks count on their own.
    assert allocate(db, block, day=date(2026, 11, 24)) == 5000
    assert allocate(db, block, agency="000.00.32.H29") == 5000
    assert allocate(db, StationBlock(1, 4999)) == 1
    assert allocate(db, block) == 5003


def test_a_rolled_back_session_gives_its_number_back(db: Database) -> None:
    block = StationBlock(1, 10)
    assert allocate(db, block) == 1
    with pytest.raises(RuntimeError), db.session() as s:
        assert CodeCounterRepository(s).allocate(AGENCY, DAY, block) == 2
        raise RuntimeError("receipt printing failed")
    assert allocate(db, block) == 2


def test_exhausted_block_raises(db: Database) -> None:
    block = StationBlock(9998, 9999)
    assert [allocate(db, block), allocate(db, block)] == [9998, 9999]
    with pytest.raises(CodeBlockExhaustedError) as info:
        allocate(db, block)
    assert "hết dãy số" in info.value.message_vi and "9998-9999" in info.value.message_vi
    with pytest.raises(CodeBlockExhaustedError):  # and it stays exhausted
        allocate(db, block)
    assert allocate(db, StationBlock(1, 1)) == 1
    with pytest.raises(CodeBlockExhaustedError):
        allocate(db, StationBlock(1, 1))


def test_invalid_blocks_are_rejected(db: Database) -> None:
    for first, last in ((0, 10), (10, 5), (9000, 10000)):
        with pytest.raises(ValidationError):
            allocate(db, SimpleNamespace(first=first, last=last))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        allocate(db, StationBlock(1, 9), agency="")


def test_two_stations_with_disjoint_blocks_never_collide(tmp_path: Path) -> None:
    """Two counters, each with its own offline SQLite database, receive dossiers on the same day
    for the same agency; their codes are merged later at the province without clashes."""
    blocks = [StationBlock(1, 4999), StationBlock(5000, 9999)]
    stations = [Database.open(data_dir=tmp_path / f"station-{i}") for i in (1, 2)]
    try:
        codes: list[str] = []
        for turn in range(60):
            station = turn % 2 if turn < 40 else 1  # interleaved, then a burst on one station
            number = allocate(stations[station], blocks[station])
            assert number in range(blocks[station].first, blocks[station].last + 1)
            codes.append(format_dossier_code(AGENCY, DAY, number))
    finally:
        for station in stations:
            station.close()
    assert len(set(codes)) == len(codes) == 60
    numbers = [parse_dossier_code(c)[2] for c in codes]
    assert sorted(n for n in numbers if n < 5000) == list(range(1, 21))
    assert sorted(n for n in numbers if n >= 5000) == list(range(5000, 5040))


def _hammer(db: Database, block: StationBlock, count: int, out: list[int], *, write: bool) -> None:
    for _ in range(count):
        with db.session(write=write) as s:
            out.append(CodeCounterRepository(s).allocate(AGENCY, DAY, block))


@pytest.mark.parametrize("write", [False, True], ids=["deferred", "immediate"])
def test_threads_hammering_one_database_get_unique_numbers(db: Database, write: bool) -> None:
    block = StationBlock(100, 9999)
    results: list[list[int]] = [[] for _ in range(4)]
    threads = [threading.Thread(target=_hammer, args=(db, block, 40, out), kwargs={"write": write})
               for out in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = [n for out in results for n in out]
    assert sorted(numbers) == list(range(100, 260))


def _process_worker(data_dir: str, count: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = Database.open(data_dir=Path(data_dir), migrate=False)
    try:
        numbers: list[int] = []
        _hammer(db, StationBlock(1, 9999), count, numbers, write=False)
        queue.put(numbers)
    finally:
        db.close()


def test_two_processes_on_one_sqlite_file_get_unique_numbers(tmp_path: Path) -> None:
    Database.open(data_dir=tmp_path).close()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(str(tmp_path), 150, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    numbers = results[0] + results[1]
    assert sorted(numbers) == list(range(1, 301))


def test_write_session_takes_the_sqlite_write_lock_up_front(tmp_path: Path) -> None:
    db = Database.open(data_dir=tmp_path)
    other = connect_file(tmp_path / "motcua.db", timeout=0, isolation_level=None)  # keyed (SQLCipher)
    try:
        with db.session(write=True) as s:
            SettingsRepository(s).get("anything")  # a read only, yet the write lock is held
            with pytest.raises(sqlcipher.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        with db.session() as s:  # a plain session only reads: no lock
            SettingsRepository(s).get("anything")
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        db.close()
