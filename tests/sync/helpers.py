"""Shared helpers of the sync tests: the reference server in a subprocess, counter stations, dossiers
with files."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from app.core.catalogue import default_catalogue_path, load_catalogue
from app.core.dossier import Attachment, Dossier
from app.services import context as keys
from app.services import reception
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.setup import init
from app.services.sync_outbox import enqueue_attachment
from app.store.database import Database
from app.store.repositories import BlobRepository, DossierRepository, SettingsRepository
from app.sync.catalogue import procedure_to_record
from tests.timing import budget

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = ("1.001193", "1.004222")
_agencies = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_agency() -> str:
    """A distinct agency code per use, so dossier codes of tests sharing a server never collide."""
    return f"T{os.getpid() % 1000:03d}.{next(_agencies):02d}.00.H29"


@dataclass
class Server:
    """A reference server process (``python -m provincial_server``) on a free loopback port."""

    data: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        token = (self.data / "admin.token").read_text().strip()
        response = httpx.request(
            method, f"{self.url}/api/v1/admin{path}", headers={"X-Admin-Token": token}, timeout=30, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def station(
        self, agency: str, name: str = "quầy 1", expires_days: float | None = None
    ) -> tuple[int, str]:
        body = self.admin(
            "POST", "/stations", json={"agency": agency, "name": name, "expires_days": expires_days}
        )
        return int(body["id"]), str(body["token"])

    def faults(self, spec: str, script: list[dict[str, Any]] | None = None) -> None:
        """Random faults (``spec``) and scripted ones (see ``provincial_server.faults``)."""
        self.admin("PUT", "/faults", json={"spec": spec, "script": script or []})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(
    data: Path, *, faults: str = "", clock_skew: float = 0.0, extra: tuple[str, ...] = ()
) -> Server:
    port = free_port()
    log = open(data.parent / f"{data.name}-server.log", "ab")  # noqa: SIM115 - the child writes to it
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provincial_server",
            "--port",
            str(port),
            "--data",
            str(data),
            "--faults",
            faults,
            "--clock-skew",
            str(clock_skew),
            "--restart-pause",
            "0.3",
            *extra,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(data, port, proc)
    deadline = time.monotonic() + budget(30)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the reference server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if (
                httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200
                and (data / "admin.token").exists()
            ):
                return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("the reference server did not start in 30 s")


def small_catalogue(tmp: Path) -> Path:
    data = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    data["procedures"] = [p for p in data["procedures"] if p["code"] in PROCEDURES]
    path = tmp / "procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def catalogue_records(codes: tuple[str, ...] = PROCEDURES) -> list[dict[str, Any]]:
    return [procedure_to_record(p) for p in load_catalogue() if p.code in codes]


def open_station(data_dir: Path, agency: str, catalogue: Path, db_url: str | None = None) -> AppContext:
    """A counter station's context: initialised, agency set."""
    ctx = AppContext(Database.open(db_url, data_dir), data_dir)
    init(ctx, now=datetime(2025, 1, 2, 8, 0), catalogue_path=catalogue)
    with ctx.session(write=True) as session:
        SettingsRepository(session).set(keys.AGENCY_CODE, agency)
    return ctx


def applicant(n: int) -> Any:
    return reception.applicant_from_dict(
        {
            "id_number": f"079090{n:06d}",
            "full_name": f"Nguyễn Văn Thử {n}",
            "birth_date": "1990-03-12",
            "sex": "Nam",
            "address": "12 Lê Lợi, Phường Sài Gòn",
            "id_issue_date": "2021-07-01",
        }
    )


def receive(ctx: AppContext, n: int, procedure: str = PROCEDURES[0]) -> Dossier:
    return reception.receive_dossier(ctx, reception.ReceiveRequest(procedure, applicant(n)), SYSTEM_OFFICER)


def attach(ctx: AppContext, code: str, data: bytes, name: str, component: int | None = None) -> Attachment:
    """What the scanning service does: store the bytes, attach them, queue the upload (one transaction)."""
    sha256 = ctx.db.blobs.put_bytes(data)
    with ctx.session(write=True) as session:
        BlobRepository(session).record(sha256, len(data), "application/pdf")
        repo = DossierRepository(session)
        dossier = repo.get(code)
        attachment = Attachment(
            sha256, name, "application/pdf", len(data), component_index=component, pages=1
        )
        dossier.attachments.append(attachment)
        repo.update(dossier)
        enqueue_attachment(session, dossier, attachment)
    return attachment


def random_bytes(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


def server_files(server: Server) -> dict[str, dict[str, bytes]]:
    """Dossier code -> {sha256: bytes} as the server holds them (bytes re-hashed)."""
    out: dict[str, dict[str, bytes]] = {}
    token = (server.data / "admin.token").read_text().strip()
    for dossier in server.admin("GET", "/dossiers"):
        files = {}
        for f in dossier["_files"]:
            data = httpx.get(
                f"{server.url}/api/v1/admin/files/{f['sha256']}", headers={"X-Admin-Token": token}, timeout=30
            ).content
            assert hashlib.sha256(data).hexdigest() == f["sha256"]
            files[f["sha256"]] = data
        out[dossier["MaHoSo"]] = files
    return out


@contextlib.contextmanager
def running_server(data: Path, **kwargs: Any) -> Iterator[Server]:
    server = start_server(data, **kwargs)
    try:
        yield server
    finally:
        server.stop()
