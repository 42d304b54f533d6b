"""A copied data folder: rotation in the copy never locks out the original, the copy takes its own
identity, a rotation needs the recovery secret first, and the message says what really happened."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.services import keys as key_service
from app.services.context import AppContext
from app.store import keys as keystore
from app.store.database import Database
from app.store.repositories import DossierRepository
from tests.security.test_encryption_at_rest import CCCD, SECRET, populate, run


@pytest.fixture
def folder(tmp_path: Path, small_catalogue: Path) -> Path:
    data = tmp_path / "data"
    with AppContext.open(data) as ctx:
        populate(ctx, small_catalogue)
    return data


def _search(folder: Path) -> list:
    with AppContext.open(folder) as ctx, ctx.session() as session:
        return DossierRepository(session).search(CCCD, limit=5)


def test_rotation_in_a_copy_leaves_the_original_openable(folder: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    key_service.set_secret(folder, SECRET)
    copy = tmp_path / "copy-of-data"
    shutil.copytree(folder, copy)
    monkeypatch.setenv("ADMIN_SECRET", SECRET)
    result = run("keys", "rotate", "--secret-env", "ADMIN_SECRET", "--json", data_dir=copy)
    assert result.returncode == 0, result.stderr
    listed = run("dossier", "list", "--json", data_dir=folder)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert json.loads(listed.stdout)
    assert _search(folder) and _search(copy)
    original = keystore.KeyFile.load(keystore.key_file_path(folder))
    copied = keystore.KeyFile.load(keystore.key_file_path(copy))
    assert copied.folder_id != original.folder_id and copied.key_id != original.key_id
    assert copied.copied_from == str(folder.resolve()) and copied.location == str(copy.resolve())
    assert original.location == str(folder.resolve()) and original.copied_from is None


def test_a_legacy_key_file_copied_before_it_was_bound_still_forks(folder: Path, tmp_path: Path) -> None:
    """Key files written before folders were bound carry no location: the first folder opened keeps the
    identity, the copy opened next sees the identity in use and takes a fresh one."""
    key_service.set_secret(folder, SECRET)
    path = keystore.key_file_path(folder)
    file = keystore.KeyFile.load(path)
    file.location = None
    file.save(path)
    keystore.keyring_store(file.folder_id, keystore.keyring_keys(file.folder_id), [])
    copy = tmp_path / "usb" / "data"
    shutil.copytree(folder, copy)
    with Database.open(data_dir=folder):
        pass
    key_service.rotate(copy, secret=SECRET)
    assert _search(folder) and _search(copy)
    assert keystore.KeyFile.load(keystore.key_file_path(copy)).folder_id != file.folder_id


def test_rotation_keeps_a_key_another_folder_still_uses(folder: Path, tmp_path: Path) -> None:
    """Two folders recorded as sharing one identity (say, restored side by side by hand): the rotation in
    one keeps the other's key on this machine."""
    key_service.set_secret(folder, SECRET)
    twin = tmp_path / "twin"
    shutil.copytree(folder, twin)
    file = keystore.KeyFile.load(keystore.key_file_path(folder))
    twin_file = keystore.KeyFile.load(keystore.key_file_path(twin))
    twin_file.location = str(twin.resolve())
    twin_file.save(keystore.key_file_path(twin))
    keystore.keyring_store(file.folder_id, keystore.keyring_keys(file.folder_id),
                           [str(folder.resolve()), str(twin.resolve())])
    keys = keystore.unlock(folder)  # bound already: no fork
    assert keys.file.folder_id == file.folder_id
    key_service.rotate(folder, secret=SECRET)
    assert file.key_id in keystore.keyring_keys(file.folder_id)
    assert _search(twin) and _search(folder)


def test_rotation_insists_on_a_recovery_secret(folder: Path) -> None:
    with pytest.raises(keystore.DataKeyError) as caught:
        key_service.rotate(folder)
    assert "mã khôi phục" in caught.value.message_vi and "recovery secret" in str(caught.value)
    result = run("keys", "rotate", "--json", data_dir=folder)
    assert result.returncode == 1
    assert "recovery secret" in json.loads(result.stdout)["error"]
    assert keystore.unlock(folder).file.state == keystore.READY


def test_a_key_replaced_elsewhere_is_not_called_another_machine(folder: Path) -> None:
    file = keystore.KeyFile.load(keystore.key_file_path(folder))
    keystore.keyring_store(file.folder_id, {"0" * 16: bytes(32)})  # what the old rotation in a copy left
    with pytest.raises(keystore.KeyUnavailableError) as caught:
        keystore.unlock(folder)
    assert "máy khác" not in caught.value.message_vi
    assert "bản chép" in caught.value.message_vi and "copy" in str(caught.value)


def test_keys_status_names_the_original_of_a_copy(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    result = run("keys", "status", "--json", data_dir=copy)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["copied_from"] == str(folder.resolve())
    assert json.loads(run("keys", "status", "--json", data_dir=folder).stdout)["copied_from"] is None
