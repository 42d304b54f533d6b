"""Search benchmark at scale (not collected by pytest).

    .venv/bin/python -m tests.store.bench_search --rows 1000000 --dir /tmp/motcua-bench
    .venv/bin/python -m tests.store.bench_search --url postgresql+psycopg://... --rows 200000

Loads synthetic dossiers with ``add_many`` (unless the database already holds them) and prints
p50/p95 of ``search`` (limit 50) and the time of ``count`` for common queries.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from app.store.database import Database
from app.store.repositories import DossierRepository
from tests.store.factories import dossier_stream

EXTRA_FILTERS: list[dict[str, object]] = [
    {}, {"status": 9}, {"procedure_code": "1.001612"}, {"channel": 3, "status": 2},
    {"received_from": date(2024, 6, 1), "received_to": date(2024, 6, 30)},
    {"received_to": date(2024, 3, 1)}, {"received_to": date(2025, 10, 31)},
]
QUERIES = ["nguyen", "Nguyễn Văn", "nguyen van an", "ngu", "n", "tran thi", "le", "hoa", "dang ky",
           "0912", "09", "0790", "079", "000.00.31.H29-240102", "khong co ai", "pham duc"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/motcua-bench"))
    ap.add_argument("--url", default=None)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    db = Database.open(args.url, args.dir)
    with db.session() as s:
        have = DossierRepository(s).count()
    if have < args.rows:
        started = time.perf_counter()
        with db.session() as s:
            DossierRepository(s).add_many(dossier_stream(args.rows - have, seed=have + 1))
        print(f"add_many {args.rows - have} rows: {time.perf_counter() - started:.1f} s")
        if db.dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE dossiers")
    cases = [(q, f) for q in QUERIES for f in ({}, {"status": 2}, {"channel": 2})]
    cases += [(q, f) for q in (None, "nguyen", "tran thi") for f in EXTRA_FILTERS]
    for query, f in cases:
        times = []
        for _ in range(args.repeat):
            with db.session() as s:
                started = time.perf_counter()
                rows = DossierRepository(s).search(query, limit=50, **f)  # type: ignore[arg-type]
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        with db.session() as s:
            started = time.perf_counter()
            n = DossierRepository(s).count(query, **f)  # type: ignore[arg-type]
            count_ms = (time.perf_counter() - started) * 1000
        label = ",".join(f"{k}={v}" for k, v in f.items())
        print(f"{query!r:24} {label:44} rows={len(rows):3} p50={statistics.median(times):6.1f} ms "
              f"p95={p95:6.1f} ms  count={n:8} in {count_ms:6.1f} ms")
    db.close()


if __name__ == "__main__":
    main()
