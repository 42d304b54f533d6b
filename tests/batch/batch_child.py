"""The child process of the batch kill test: runs (or resumes) the batch of one folder, forever
re-entrant.

    python tests/batch/batch_child.py DATA_DIR FOLDER

Prints ``READY <batch id> <pages already recorded>``, then ``TOOK <seq> <name>`` for each page it
processes and ``DONE <batch id>`` at the end. The parent kills it with SIGKILL at random moments.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.services.batch.engine import run_batch
from app.services.batch.lifecycle import batch_progress, start_batch, unfinished_batches
from app.services.context import AppContext


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    data_dir, folder = Path(argv[0]), Path(argv[1])
    source = f"folder:{folder}"
    with AppContext.open(data_dir) as ctx:
        open_ = unfinished_batches(ctx, source)
        batch = open_[0] if open_ else start_batch(ctx, source)
        say(f"READY {batch.id} {batch_progress(ctx, batch.id).pages}")
        run_batch(ctx, batch.id, on_page=lambda r: say(f"TOOK {r.seq} {r.name}"))
        say(f"DONE {batch.id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
