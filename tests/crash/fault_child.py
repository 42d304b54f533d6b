"""Child process of the fault tests (full disk, read-only folder, locked database).

    python tests/crash/fault_child.py fill DATA_DIR FIRST_OP     receive + attach until an error
    python tests/crash/fault_child.py receive DATA_DIR OP        one receive + one attached page
    python tests/crash/fault_child.py hold DB_FILE               BEGIN EXCLUSIVE until stdin closes

Output lines: the driver's ``CONFIRMED`` lines, then ``ERROR <json>`` with the error's class and
Vietnamese message for a :class:`MotCuaError`, or ``UNEXPECTED <json>`` (exit code 2) for anything
else: an unexpected exception is exactly what these tests must never see.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from app.store.database import connect_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.errors import MotCuaError
from tests.crash.driver import (
    OP_NOTE,
    PROCEDURE,
    RECEIVED_AT,
    applicant,
    attach_page,
    page_bytes,
    say,
)


def _one(ctx, op: int) -> None:  # type: ignore[no-untyped-def]
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.reception.receive import ReceiveRequest, receive_dossier

    request = ReceiveRequest(PROCEDURE, applicant(op), received_at=RECEIVED_AT, note=OP_NOTE.format(op))
    code = receive_dossier(ctx, request, SYSTEM_OFFICER).code
    say(f"CONFIRMED dossier {op} {code}")
    sha = attach_page(ctx, code, op, 0, page_bytes(7, op, 0))
    say(f"CONFIRMED page {op} {code} {sha}")


def _work(command: str, data_dir: Path, op: int) -> int:
    from app.services.context import AppContext

    try:
        with AppContext.open(data_dir, create=False) as ctx:
            say("READY")
            while True:
                _one(ctx, op)
                op += 1
                if command == "receive":
                    return 0
    except MotCuaError as exc:
        say("ERROR " + json.dumps({"class": type(exc).__name__, "message_vi": exc.message_vi,
                                   "message_en": exc.message_en}, ensure_ascii=False))
        return 1
    except Exception as exc:
        say("UNEXPECTED " + json.dumps({"class": type(exc).__name__, "message": str(exc),
                                        "traceback": traceback.format_exc()}, ensure_ascii=False))
        return 2


def _hold(db_file: Path) -> int:
    conn = connect_file(db_file, isolation_level=None)  # keyed (SQLCipher)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("UPDATE settings SET value = value WHERE key = 'agency.code'")
    say("LOCKED")
    sys.stdin.read()  # until the parent closes our stdin
    conn.execute("ROLLBACK")
    conn.close()
    say("RELEASED")
    return 0


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "hold":
        return _hold(Path(argv[1]))
    return _work(command, Path(argv[1]), int(argv[2]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
