"""Dossier search latency on SQLite at 100k and 1M dossiers, against the raw FTS5 query floor.

Goal (issue: foundation): p95 under 50 ms at 1M dossiers, within 2x of the raw floor.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from app.core.catalogue import load_catalogue
from app.store.database import Database, connect_file
from app.store.repositories import DossierRepository
from app.store.repositories.dossiers import SUMMARY_COLUMNS
from app.store.search import fts5_query, query_words
from benchmarks.common import DATA_ROOT, Report, median, percentile, timed_ms

QUERIES = ("nguyen", "nguyễn văn", "tran thi", "le", "ngu", "pham duc", "hoang anh", "0912",
           "079", "dang ky khai sinh", "chung thuc", "khong co ai")
NOW = datetime(2026, 11, 20, 16, 30)
LIMIT = 50


def _database(rows: int) -> Database:
    """A cached SQLite database of ``rows`` generated dossiers (built once, reused by later runs)."""
    from app.core.demo import generate_dossiers

    folder = DATA_ROOT / f"search-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    db = Database.open(None, folder)
    with db.session() as session:
        have = DossierRepository(session).count()
    if have < rows:
        print(f"  building {rows:,} dossiers in {folder} (once)…", flush=True)
        started = time.perf_counter()
        stream = generate_dossiers(rows - have, seed=rows, procedures=load_catalogue(), now=NOW,
                                   days=max(120, rows // 1500), with_history=False)
        with db.session() as session:
            DossierRepository(session).add_many(stream)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def _raw_floor(db_file: Path, words: list[str]) -> list[float]:
    """The same rows fetched by hand-written SQL on a bare sqlite3 connection: the FTS5 match
    joined to the dossier rows, newest 50 (what the repository returns, minus SQLAlchemy)."""
    connection = connect_file(db_file)  # keyed (SQLCipher)
    try:
        match = fts5_query(words)
        columns = ", ".join(f"d.{name}" for name in SUMMARY_COLUMNS)
        sql = (f"SELECT {columns} FROM dossier_fts AS f CROSS JOIN dossiers AS d ON d.id = f.rowid "
               "WHERE f.dossier_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?")

        def query() -> object:
            return connection.execute(sql, (match, LIMIT)).fetchall()

        return timed_ms(query, repeat=15)
    finally:
        connection.close()


def run_size(rows: int, report: Report) -> tuple[float, float]:
    db = _database(rows)
    ours: list[float] = []
    floor: list[float] = []
    try:
        for text in QUERIES:
            def search(text: str = text) -> object:
                with db.session() as session:
                    return DossierRepository(session).search(text, limit=LIMIT)

            ours += timed_ms(search, repeat=15)
            words = query_words(text)
            floor += _raw_floor(db.data_dir / "motcua.db", words)
    finally:
        db.close()
    p95, floor_p95 = percentile(ours, 0.95), percentile(floor, 0.95)
    report.add(f"{rows:>9,} dossiers: search median {median(ours):6.2f} ms, p95 {p95:6.2f} ms | "
               f"raw FTS floor median {median(floor):6.2f} ms, p95 {floor_p95:6.2f} ms | "
               f"ratio p95 {p95 / max(floor_p95, 0.001):4.2f}x, "
               f"median {median(ours) / max(median(floor), 0.001):4.2f}x")
    return p95, floor_p95


def run(quick: bool) -> Report:
    report = Report("search latency (SQLite FTS5)")
    sizes = (20_000, 100_000) if quick else (100_000, 1_000_000)
    results = {rows: run_size(rows, report) for rows in sizes}
    largest = max(results)
    p95, floor_p95 = results[largest]
    report.goal(f"p95 < 50 ms at {largest:,}", p95 < 50)
    report.goal(f"p95 within 2x of the raw floor at {largest:,}", p95 <= 2 * floor_p95)
    return report
