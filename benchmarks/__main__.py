"""Run the benchmark entries and print figures and ratios: ``python -m benchmarks [--quick] [NAME...]``."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

ENTRIES = {
    "kills": "benchmarks.kills",
    "search": "benchmarks.search",
    "sync": "benchmarks.sync",
    "link": "benchmarks.link",
    "pipeline": "benchmarks.pipeline",
    "batch": "benchmarks.batch",
    "ocr": "benchmarks.ocr",
    "ui": "benchmarks.ui_first_paint",
    "frozen": "benchmarks.frozen",
    "hostile": "benchmarks.hostile",
    "reports": "benchmarks.reports",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*ENTRIES, []], help="entries to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller data sets, for a first look")
    args = parser.parse_args(argv)
    names = args.names or list(ENTRIES)
    # Throwaway data folders are encrypted at rest like real ones; their keys go to the test suite's
    # file keyring (shared with the child processes), never to the machine's keyring.
    # The keyring file stays beside the cached data sets, so a later run still opens them.
    import os

    from benchmarks.common import DATA_ROOT
    from tests.keyring_backend import ENV_FILE, install_for_session

    os.environ.setdefault(ENV_FILE, str(DATA_ROOT / "test-keyring.json"))
    install_for_session()
    reports = []
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(ENTRIES[name])
        reports.append(module.run(args.quick))
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n== summary")
    missed = 0
    for report in reports:
        for text, met in report.goals:
            missed += not met
            print(f"  [{'MET' if met else 'NOT MET'}] {report.title}: {text}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
