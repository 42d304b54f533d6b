"""A throwaway PostgreSQL server for the test suite (initdb + pg_ctl in a temp folder).

Runs the server binaries as the ``postgres`` user when the tests run as root (``initdb`` refuses
root), with ``fsync=off``, a free port and the Unix socket inside the temp folder. Nothing of the
machine's own clusters is touched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg

SUPERUSER = "postgres"


class PgUnavailableError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The folder holding ``initdb``/``pg_ctl``: ``pg_config --bindir`` or /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if env := os.environ.get("MOTCUA_PG_BINDIR"):
        candidates.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    candidates.extend(versions)
    for path in (Path(p).parent for p in (shutil.which("initdb"), shutil.which("pg_ctl")) if p):
        candidates.append(path)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PgUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
        "'postgresql' (or set MOTCUA_PG_BINDIR), or set MOTCUA_TEST_NO_PG=1 to skip the PostgreSQL tests"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """``start()`` a private server, ``url(dbname)`` to connect, ``stop()`` to delete everything."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        self.datadir = self.root / "data"
        self.socket_dir = self.root
        self._as_postgres = os.geteuid() == 0
        self._started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> PgServer:
        if self._as_postgres:
            pw = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-sync")
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.socket_dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.datadir), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")
        self._started = True
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def stop(self) -> None:
        try:
            if self._started:
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
                self._started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class PgDatabases:
    """Fresh databases copied from a template (``CREATE DATABASE ... TEMPLATE``), one per test.

    The next copy is made in a background thread while the current test runs, and used copies are
    dropped in the background too, so a test waits for neither.
    """

    def __init__(self, server: PgServer, template: str) -> None:
        self.server = server
        self.template = template
        self._numbers = itertools.count(1)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-databases")
        self._next: Future[str] | None = None

    def admin(self, *statements: str) -> None:
        """Run statements on the maintenance database in autocommit mode."""
        with psycopg.connect(host=str(self.server.socket_dir), port=self.server.port, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def _create(self) -> str:
        name = f"motcua_test_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return name

    def take(self) -> str:
        """The name of a new database (created from the template); prepares the next one."""
        pending = self._next or self._worker.submit(self._create)
        self._next = self._worker.submit(self._create)
        return pending.result()

    def drop(self, name: str) -> None:
        self._worker.submit(self.admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=False)
