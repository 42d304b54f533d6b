"""The child process of the crash tests: receives dossiers and attaches pages in a loop, forever.

    python tests/crash/driver.py DATA_DIR SEED [PAGES_PER_DOSSIER]

Operation ``i`` receives one dossier (its history note says ``crash-op i``, the idempotency key)
and attaches ``PAGES_PER_DOSSIER`` pages to it: each page's bytes go to the blob store first, then
one transaction adds the attachment, records the blob and writes the audit row. After each commit
one line is printed and flushed, which is the promise made to the user:

    READY <first op>
    CONFIRMED dossier <op> <code>
    CONFIRMED page <op> <code> <sha256>

The parent kills this process with SIGKILL at random moments. On restart the driver reads which
operations the database already holds and carries on from there, finishing the pages of a dossier
whose pages were interrupted, so nothing is done twice.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select

from app.core.applicant import Applicant, Sex
from app.core.dossier import Attachment
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception.receive import ReceiveRequest, receive_dossier
from app.store.models import DossierRow
from app.store.repositories import AuditRepository, BlobRepository, DossierRepository

PROCEDURE = "1.001193"
RECEIVED_AT = datetime(2025, 3, 18, 10, 30)
OP_NOTE = "crash-op {}"
_OP_RE = re.compile(r"crash-op (\d+)")


def applicant(op: int) -> Applicant:
    serial = f"{op:06d}"
    return Applicant(full_name=f"Người Thử {op}", id_number=f"079090{serial}",
                     birth_date=datetime(1990, 3, 12).date(), sex=Sex.MALE,
                     address="12 Lê Lợi, Phường Sài Gòn", phone="0912345678")


def page_bytes(seed: int, op: int, page: int) -> bytes:
    rng = random.Random(f"{seed}-{op}-{page}")
    return rng.randbytes(rng.randint(8_000, 48_000))


def expected_sha(seed: int, op: int, page: int) -> str:
    return hashlib.sha256(page_bytes(seed, op, page)).hexdigest()


def existing_ops(ctx: AppContext) -> dict[int, str]:
    """op -> dossier code of every operation whose dossier is stored."""
    found: dict[int, str] = {}
    with ctx.session() as session:
        for code, history in session.execute(select(DossierRow.code, DossierRow.history)):
            for entry in history or []:
                match = _OP_RE.fullmatch(str(entry.get("note", "")))
                if match:
                    found[int(match.group(1))] = code
    return found


def attach_page(ctx: AppContext, code: str, op: int, page: int, data: bytes) -> str:
    sha = ctx.db.blobs.put_bytes(data)  # the bytes first: a row never names a blob that is not there
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        dossier = repo.get(code)
        if all(a.sha256 != sha for a in dossier.attachments):
            dossier.attachments.append(Attachment(sha256=sha, file_name=f"op{op}-page{page}.bin",
                                                  media_type="application/octet-stream", size=len(data),
                                                  pages=1, created_at=datetime.now().replace(microsecond=0)))
            BlobRepository(session).record(sha, len(data), "application/octet-stream")
            repo.update(dossier)
            AuditRepository(session).append(SYSTEM_OFFICER.username, "attach", dossier_code=code,
                                            details={"sha256": sha, "op": op, "page": page})
    return sha


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    data_dir, seed = Path(argv[0]), int(argv[1])
    pages = int(argv[2]) if len(argv) > 2 else 2
    with AppContext.open(data_dir, create=False) as ctx:
        done = existing_ops(ctx)
        op = max(done) if done else 0
        attached: dict[int, set[str]] = {}
        if done:  # the last operation may have been cut between its pages
            with ctx.session() as session:
                dossier = DossierRepository(session).get(done[op])
            attached[op] = {a.sha256 for a in dossier.attachments}
        say(f"READY {op}")
        while True:
            code = done.get(op)
            if code is None:
                request = ReceiveRequest(PROCEDURE, applicant(op), received_at=RECEIVED_AT,
                                         note=OP_NOTE.format(op))
                code = receive_dossier(ctx, request, SYSTEM_OFFICER).code
                done[op] = code
                say(f"CONFIRMED dossier {op} {code}")
            for page in range(pages):
                data = page_bytes(seed, op, page)
                sha = hashlib.sha256(data).hexdigest()
                if sha not in attached.get(op, ()):
                    attach_page(ctx, code, op, page, data)
                say(f"CONFIRMED page {op} {code} {sha}")
            op += 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
