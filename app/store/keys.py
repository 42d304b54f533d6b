"""The data key of a data folder: where it lives and how it is unlocked.

* One random 256-bit **data key** per data folder. The SQLCipher key and the blob key are derived
  from it (:func:`app.store.crypto.subkey`); its public check value is the **key id**.
* The key file ``<data_dir>/motcua.key`` (JSON, mode 0600, no secret in it) names the folder
  (``folder_id``, a random UUID), the current key id, and holds the data key **wrapped** by a key
  derived with argon2id from the administrator's recovery secret (``recovery``; absent until a
  secret is set with ``motcua keys set-secret``). During a rotation it also holds ``pending``.
* The data key itself is in the **OS keyring** (``keyring``: Windows Credential Manager, macOS
  Keychain, Secret Service): service ``MotCua Desk``, user = the folder id, value = a JSON object
  ``{key id: hex key}`` (two keys while a rotation is under way).
* Without a usable keyring (a headless server, a bare Linux without a desktop session), the keys go
  to the **station key file** ``<user config>/data-keys/<folder id>.json`` (mode 0600, in the
  user's configuration folder, never in the data folder): a copy of the data folder (a backup, a
  shared drive, a lost USB disk) carries no usable key, but whoever can read that user's files on
  that machine can. keyring's plaintext and null backends are treated as "no keyring".
* ``$MOTCUA_DATA_KEY`` (64 hex digits) gives the key directly (a server run by a service manager);
  it is checked against the key id and never stored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.clock import vn_now
from app.core.errors import MotCuaError
from app.core.fileio import write_private
from app.store import crypto

KEY_FILE_NAME = "motcua.key"
KEYRING_SERVICE = "MotCua Desk"
ENV_DATA_KEY = "MOTCUA_DATA_KEY"
ENV_SECRET_DIR = "MOTCUA_SECRET_DIR"  # moves the user's configuration folder (tests)
STATION_KEYS_DIR = "data-keys"
HOLDERS = "_holders"  # in a machine entry: the data folders known to use its keys
FORMAT = "motcua-key"
READY, CONVERTING, ROTATING = "ready", "converting", "rotating"
log = logging.getLogger(__name__)
_REFUSED_BACKENDS = ("keyrings.alt.file.PlaintextKeyring", "keyrings.alt.file_base", "keyring.backends.null")


class DataKeyError(MotCuaError):
    """The data key cannot be found, unlocked or used."""


class KeyUnavailableError(DataKeyError):
    pass


class WrongKeyError(DataKeyError):
    pass


class KeyFileError(DataKeyError):
    pass


def _unavailable(folder: Path, why_en: str, *, replaced: bool = False) -> KeyUnavailableError:
    why_vi = ("máy này giữ cho thư mục này một khóa khác: khóa đã được đổi trong một bản chép của thư mục "
              "này" if replaced else "máy này không giữ khóa của thư mục này: thư mục được mang từ máy "
              "khác, hoặc hệ điều hành đã được cài lại")
    return KeyUnavailableError(
        f"the data key of {folder} is not available: {why_en}; run `motcua keys recover --secret-env VAR` "
        f"or set {ENV_DATA_KEY}",
        f"Không lấy được khóa mã hóa của thư mục dữ liệu {folder} ({why_vi}). "
        f"Quản trị viên hãy chạy “motcua keys recover --secret-env BIẾN” với mã khôi phục, "
        f"hoặc đặt biến môi trường {ENV_DATA_KEY}.")


def wrong_key(where: Path | str) -> WrongKeyError:
    return WrongKeyError(f"the database {where} cannot be opened with this data key "
                         "(wrong key or damaged file)",
                         f"Không mở được cơ sở dữ liệu {where} bằng khóa mã hóa hiện có: khóa không đúng "
                         "hoặc tệp đã hỏng. Dữ liệu không bị thay đổi. Hãy dùng đúng khóa "
                         "(motcua keys recover) hoặc khôi phục từ bản sao lưu.")


# --------------------------------------------------------------------------- the key file


@dataclass
class KeyFile:
    folder_id: str
    key_id: str
    state: str = READY
    recovery: dict[str, Any] | None = None
    pending: dict[str, Any] | None = None  # {"key_id": …, "recovery": …} during a rotation
    created_at: str = field(default_factory=lambda: vn_now().isoformat(timespec="seconds"))
    location: str | None = None  # the absolute path the folder's identity is bound to
    copied_from: str | None = None  # the folder this one was copied from (it took a fresh identity)

    def to_json(self) -> bytes:
        data = {"format": FORMAT, "version": 1, "folder_id": self.folder_id, "key_id": self.key_id,
                "state": self.state, "db": crypto.DB_CIPHER, "blobs": crypto.BLOB_CIPHER,
                "recovery": self.recovery, "pending": self.pending, "created_at": self.created_at,
                "location": self.location, "copied_from": self.copied_from}
        return (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")

    @classmethod
    def parse(cls, raw: bytes, where: Path) -> KeyFile:
        try:
            data = json.loads(raw.decode("ascii"))
            if data.get("format") != FORMAT or data.get("version") != 1:
                raise ValueError("not a key file")
            return cls(folder_id=str(data["folder_id"]), key_id=str(data["key_id"]),
                       state=str(data.get("state") or READY), recovery=data.get("recovery"),
                       pending=data.get("pending"), created_at=str(data.get("created_at") or ""),
                       location=data.get("location"), copied_from=data.get("copied_from"))
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise KeyFileError(f"the key file {where} is damaged",
                               f"Tệp khóa {where} bị hỏng. Hãy lấy lại tệp này từ bản sao lưu.") from None

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        return cls.parse(path.read_bytes(), path)

    def save(self, path: Path) -> None:
        write_private(path, self.to_json())


def key_file_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE_NAME


# --------------------------------------------------------------------------- the OS keyring


def keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - a dependency
        return False
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    return not (isinstance(backend, fail.Keyring) or any(name.startswith(r) for r in _REFUSED_BACKENDS))


def station_key_path(folder_id: str) -> Path:
    """The station key file of a data folder (used when there is no usable keyring)."""
    override = os.environ.get(ENV_SECRET_DIR, "").strip()
    if override:
        root = Path(override)
    else:
        import platformdirs

        root = platformdirs.user_config_path("MotCuaDesk", "MotCua")
    if not folder_id or not all(c in "0123456789abcdef" for c in folder_id):
        raise KeyFileError(f"bad folder id {folder_id!r}", "Tệp khóa của thư mục dữ liệu bị hỏng.")
    return root / STATION_KEYS_DIR / f"{folder_id}.json"


def key_store_name() -> str:
    """Where new keys go on this machine: ``keyring`` or ``station-file``."""
    return "keyring" if keyring_usable() else "station-file"


def _decode_entry(raw: str | bytes | None) -> tuple[dict[str, bytes], list[str]]:
    """The keys of one machine entry and the folders (absolute paths) known to use them."""
    if not raw:
        return {}, []
    try:
        data = json.loads(raw)
        holders = data.pop(HOLDERS, [])
        return ({str(k): bytes.fromhex(v) for k, v in data.items()},
                [str(h) for h in holders] if isinstance(holders, list) else [])
    except (ValueError, AttributeError, TypeError):
        return {}, []


def _encode_entry(keys: dict[str, bytes], holders: list[str]) -> str:
    data: dict[str, Any] = {k: v.hex() for k, v in keys.items()}
    if holders:
        data[HOLDERS] = sorted(set(holders))
    return json.dumps(data)


def _read_entry(folder_id: str) -> tuple[dict[str, bytes], list[str]]:
    if not keyring_usable():
        try:
            return _decode_entry(station_key_path(folder_id).read_bytes())
        except OSError:
            return {}, []
    import keyring
    from keyring.errors import KeyringError

    try:
        return _decode_entry(keyring.get_password(KEYRING_SERVICE, folder_id))
    except KeyringError:
        return {}, []


def keyring_keys(folder_id: str) -> dict[str, bytes]:
    """The keys kept for ``folder_id`` on this machine (keyring, else the station key file)."""
    return _read_entry(folder_id)[0]


def keyring_holders(folder_id: str) -> list[str]:
    """The data folders (absolute paths) recorded on this machine as using ``folder_id``'s keys."""
    return _read_entry(folder_id)[1]


def keyring_store(folder_id: str, keys: dict[str, bytes], holders: list[str] | None = None) -> None:
    """Keep the keys of ``folder_id`` on this machine (keyring, else the station key file); the
    recorded folders using them are kept unless ``holders`` replaces them."""
    if holders is None:
        holders = keyring_holders(folder_id)
    if not keyring_usable():
        path = station_key_path(folder_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            path.parent.chmod(0o700)
        write_private(path, _encode_entry(keys, holders).encode("ascii"))
        log.warning("no usable OS keyring: the data key is kept in the station key file %s", path)
        return
    import keyring

    keyring.set_password(KEYRING_SERVICE, folder_id, _encode_entry(keys, holders))


def keyring_forget(folder_id: str) -> None:
    if not keyring_usable():
        with contextlib.suppress(OSError):
            station_key_path(folder_id).unlink()
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, folder_id)


def _env_key() -> bytes | None:
    value = os.environ.get(ENV_DATA_KEY, "").strip()
    if not value:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != crypto.KEY_BYTES:
        raise KeyUnavailableError(f"{ENV_DATA_KEY} must be 64 hex digits",
                                  f"Biến môi trường {ENV_DATA_KEY} phải là 64 chữ số hex.")
    return key


# --------------------------------------------------------------------------- unlocked keys


@dataclass
class DataKeys:
    """The unlocked keys of one data folder."""

    data_dir: Path
    file: KeyFile
    keys: dict[str, bytes]  # key id -> data key

    @property
    def key_id(self) -> str:
        return self.file.key_id

    @property
    def current(self) -> bytes:
        return self.keys[self.file.key_id]

    @property
    def pending_id(self) -> str | None:
        return str(self.file.pending["key_id"]) if self.file.pending else None

    def blob_key(self, kid: str) -> bytes | None:
        key = self.keys.get(kid)
        return crypto.subkey(key, "blobs") if key is not None else None

    def sqlcipher_keys(self) -> list[str]:
        """PRAGMA key values to try: the current key, then a rotation's pending key."""
        ids = [self.file.key_id] + ([self.pending_id] if self.pending_id else [])
        return [crypto.sqlcipher_key(self.keys[i]) for i in ids if i in self.keys]

    def encryption_info(self, *, db: bool) -> dict[str, Any]:
        return {"db": crypto.DB_CIPHER if db else None, "blobs": crypto.BLOB_CIPHER, "key_id": self.key_id,
                "key_file": KEY_FILE_NAME, "recovery": self.file.recovery is not None}

    def save(self) -> None:
        self.file.save(key_file_path(self.data_dir))


def create_keys(data_dir: Path, *, state: str = READY) -> DataKeys:
    """A new data key for ``data_dir`` (``$MOTCUA_DATA_KEY`` if set), kept in the keyring."""
    key = _env_key() or crypto.new_data_key()
    kid = crypto.key_id(key)
    file = KeyFile(folder_id=uuid.uuid4().hex, key_id=kid, state=state,
                   location=str(Path(data_dir).resolve()))
    if _env_key() is None:
        keyring_store(file.folder_id, {kid: key}, [file.location])
    keys = DataKeys(Path(data_dir), file, {kid: key})
    keys.save()
    return keys


def unlock(data_dir: Path, *, key_file: Path | None = None, secret: str | None = None) -> DataKeys:
    """The keys of the data folder whose key file exists (or of ``key_file``, e.g. a backup's);
    from the keyring, ``$MOTCUA_DATA_KEY``, or unwrapped with the recovery ``secret`` when given.
    Raises when they cannot be found."""
    path = key_file or key_file_path(data_dir)
    file = KeyFile.load(path)
    wanted = {file.key_id} | ({str(file.pending["key_id"])} if file.pending else set())
    kept = keyring_keys(file.folder_id)
    found = {k: v for k, v in kept.items() if k in wanted and crypto.key_id(v) == k}
    if secret is not None and file.key_id not in found and file.recovery is not None:
        key = crypto.unwrap_key(file.recovery, secret)
        if crypto.key_id(key) != file.key_id:
            raise crypto.WrongSecretError()
        found[file.key_id] = key
    env = _env_key()
    if env is not None:
        kid = crypto.key_id(env)
        if kid not in wanted:
            raise WrongKeyError(f"{ENV_DATA_KEY} is not the key of {data_dir} (key id {kid}, "
                                f"expected {file.key_id})",
                                f"Khóa trong biến {ENV_DATA_KEY} không phải khóa của thư mục dữ liệu "
                                f"{data_dir}.")
        found[kid] = env
    if file.key_id not in found and not (file.pending and str(file.pending["key_id"]) in found):
        if kept:
            raise _unavailable(Path(data_dir), "this machine holds other keys for this folder id (the key "
                               "was changed in a copy of this folder)", replaced=True)
        why = ("no station key file for this folder" if not keyring_usable()
               else "no keyring entry for this folder")
        raise _unavailable(Path(data_dir), why)
    if file.key_id not in found:  # a rotation stopped after the switch: only the new key is left
        file.key_id, file.recovery = str(file.pending["key_id"]), file.pending.get("recovery")  # type: ignore[index, union-attr]
        file.pending = None
    keys = DataKeys(Path(data_dir), file, found)
    if key_file is None and env is None:
        from app.store.identity import bind_identity

        bind_identity(keys)
    return keys


def install(keys: DataKeys) -> None:
    """Put unlocked keys in the OS keyring (unless they came from ``$MOTCUA_DATA_KEY``)."""
    if _env_key() is None:
        keyring_store(keys.file.folder_id, keys.keys)


def recover(data_dir: Path, secret: str, key_file: Path | None = None) -> DataKeys:
    """Unwrap the data key(s) from the key file with the recovery secret and put them back in the
    keyring (a new machine, a reinstalled OS). ``key_file``: a key file from elsewhere (a backup),
    copied into the data folder."""
    source = key_file or key_file_path(data_dir)
    if not source.is_file():
        raise KeyFileError(f"no key file at {source}", f"Không có tệp khóa {source}.")
    file = KeyFile.load(source)
    if file.recovery is None:
        raise KeyFileError(f"the key file {source} holds no key wrapped by a recovery secret",
                           f"Tệp khóa {source} không chứa khóa được bảo vệ bằng mã khôi phục: không "
                           "khôi phục được bằng mã của quản trị viên.")
    keys = {file.key_id: crypto.unwrap_key(file.recovery, secret)}
    if file.pending and file.pending.get("recovery"):
        keys[str(file.pending["key_id"])] = crypto.unwrap_key(file.pending["recovery"], secret)
    for kid, key in keys.items():
        if crypto.key_id(key) != kid:
            raise crypto.WrongSecretError()
    if _env_key() is None:
        keyring_store(file.folder_id, keys)
    if key_file is not None and key_file.resolve() != key_file_path(data_dir).resolve():
        file.save(key_file_path(data_dir))
    return DataKeys(Path(data_dir), file, keys)


def set_secret(keys: DataKeys, secret: str) -> None:
    """(Re)wrap the current key (and a pending one) with a new recovery secret."""
    check_secret_strength(secret)
    keys.file.recovery = crypto.wrap_key(keys.current, secret)
    if keys.file.pending and keys.pending_id in keys.keys:
        keys.file.pending["recovery"] = crypto.wrap_key(keys.keys[keys.pending_id], secret)  # type: ignore[index]
    keys.save()


def check_secret_strength(secret: str) -> None:
    if len(secret) < 12:
        raise DataKeyError("the recovery secret must have at least 12 characters",
                        "Mã khôi phục phải có ít nhất 12 ký tự (nên dùng mã do phần mềm tạo).")


def generate_secret() -> str:
    """A recovery secret to print once and keep in the office safe (120 bits, grouped)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(24))
    return "-".join(raw[i:i + 4] for i in range(0, 24, 4))
