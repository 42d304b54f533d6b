"""Where the station token lives: the system keyring when there is one, else an encrypted file.

The token never goes in clear into the database or a plain file.

* **keyring** (Windows Credential Manager, macOS Keychain, Secret Service on a Linux desktop):
  service ``MotCuaDesk sync``, user ``<data folder>|<server address>``.
* **encrypted file** when no keyring backend is usable (a server, a kiosk without a desktop
  session): ``<data folder>/sync-token.enc`` holds the token encrypted with Fernet (AES-128-CBC +
  HMAC-SHA256, ``cryptography``) under a key derived (HKDF-SHA256) from a 32-byte machine secret,
  ``machine.key`` in the user's configuration folder (``~/.config/MotCuaDesk`` on Linux,
  ``%LOCALAPPDATA%\\MotCua\\MotCuaDesk`` on Windows), created with mode 0600. A copy of the data
  folder (a backup, a shared drive) therefore does not carry a usable token: the key stays on
  the machine. Whoever can read the user's files on that machine can decrypt it; that is the limit
  of any scheme without a keyring or a hardware token.

``MOTCUA_SYNC_SECRETS`` = ``keyring`` or ``file`` forces a backend; ``MOTCUA_SECRET_DIR`` moves the
machine secret (tests).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import secrets
from pathlib import Path

from app.core.errors import MotCuaError
from app.core.fileio import write_private

log = logging.getLogger(__name__)

ENV_BACKEND = "MOTCUA_SYNC_SECRETS"
ENV_SECRET_DIR = "MOTCUA_SECRET_DIR"
KEYRING_SERVICE = "MotCuaDesk sync"
TOKEN_FILE = "sync-token.enc"
MACHINE_KEY_FILE = "machine.key"


def _secret_dir() -> Path:
    override = os.environ.get(ENV_SECRET_DIR, "").strip()
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_config_path("MotCuaDesk", "MotCua")


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0


class TokenStore:
    """The station token of each server address, for one data folder."""

    def __init__(self, data_dir: Path, backend: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        chosen = (backend or os.environ.get(ENV_BACKEND, "")).strip().lower()
        if chosen not in ("keyring", "file"):
            chosen = "keyring" if _keyring_usable() else "file"
        self.backend = chosen

    def _user(self, server_url: str) -> str:
        return f"{self.data_dir.resolve()}|{server_url.rstrip('/')}"

    # -- the encrypted file ----------------------------------------------------------------------
    def _fernet(self):  # type: ignore[no-untyped-def]
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key_path = _secret_dir() / MACHINE_KEY_FILE
        if not key_path.is_file():
            with contextlib.suppress(FileExistsError):
                write_private(key_path, secrets.token_bytes(32))
        machine_secret = key_path.read_bytes()
        if len(machine_secret) < 32:
            raise MotCuaError(
                f"machine secret {key_path} is damaged",
                f"Tệp khóa máy {key_path} bị hỏng; hãy xóa tệp và nhập lại mã truy cập.",
            )
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"motcua-sync-token",
            info=str(self.data_dir.resolve()).encode(),
        ).derive(machine_secret)
        return Fernet(base64.urlsafe_b64encode(derived))

    def _file(self) -> Path:
        return self.data_dir / TOKEN_FILE

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _slot(server_url: str) -> str:
        return hashlib.sha256(server_url.rstrip("/").encode()).hexdigest()[:32]

    # -- public ----------------------------------------------------------------------------------
    def get(self, server_url: str) -> str | None:
        if self.backend == "keyring":
            import keyring

            return keyring.get_password(KEYRING_SERVICE, self._user(server_url))
        sealed = self._load().get(self._slot(server_url))
        if not sealed:
            return None
        from cryptography.fernet import InvalidToken

        try:
            return str(self._fernet().decrypt(sealed.encode()).decode())
        except InvalidToken:
            log.warning("the stored sync token cannot be decrypted on this machine")
            return None

    def set(self, server_url: str, token: str) -> None:
        if self.backend == "keyring":
            import keyring

            keyring.set_password(KEYRING_SERVICE, self._user(server_url), token)
            return
        data = self._load()
        data[self._slot(server_url)] = self._fernet().encrypt(token.encode()).decode()
        write_private(self._file(), json.dumps(data).encode())

    def delete(self, server_url: str) -> None:
        if self.backend == "keyring":
            import keyring
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, self._user(server_url))
            return
        data = self._load()
        if data.pop(self._slot(server_url), None) is not None:
            write_private(self._file(), json.dumps(data).encode())
