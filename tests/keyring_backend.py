"""A keyring backend for the test suite only: keeps entries in a JSON file named by
``$MOTCUADESK_TEST_KEYRING`` so that subprocesses (the ``motcua`` command, crash children) see the
keys the test process stored. Selected for every process of a test session by ``tests/conftest.py``
through ``PYTHON_KEYRING_BACKEND``. Plain text on disk: never for real use (the application refuses
no backend by this name, but nothing outside tests selects it)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV_FILE = "MOTCUADESK_TEST_KEYRING"


class FileTestKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[ENV_FILE])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, str]]:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                data = json.loads(path.read_text()) if path.exists() else {}
            except ValueError:
                data = {}
            before = dict(data)
            yield data
            if data != before:
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(data))
                tmp.replace(path)

    def get_password(self, service: str, username: str) -> str | None:
        with self._locked() as data:
            return data.get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked() as data:
            data[f"{service}\x00{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._locked() as data:
            if data.pop(f"{service}\x00{username}", None) is None:
                raise PasswordDeleteError(username)


def install_for_session() -> None:
    """Select this backend in this process and, through ``PYTHON_KEYRING_BACKEND`` (and a
    ``PYTHONPATH`` that finds ``tests``), in every subprocess started from it."""
    import tempfile

    import keyring

    root = str(Path(__file__).resolve().parent.parent)
    os.environ.setdefault(ENV_FILE, str(Path(tempfile.mkdtemp(prefix="motcua-keyring-")) / "keys.json"))
    os.environ["PYTHON_KEYRING_BACKEND"] = f"{__name__}.FileTestKeyring"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    keyring.set_keyring(FileTestKeyring())


def forget_all() -> None:
    """Empty the test keyring (a "new machine")."""
    path = Path(os.environ[ENV_FILE])
    path.unlink(missing_ok=True)
