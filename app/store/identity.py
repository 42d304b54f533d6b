"""Where a data folder lives, and what happens when it is copied.

A data folder's identity (``folder_id`` in ``motcua.key``) names the entry that holds its keys on
this machine (the OS keyring or the station key file). Copying a folder (the usual way people "back
up") copies that identity too: without care, the copy and the original share one entry, and a key
rotation run in the copy would replace the key the original still needs.

So an identity is **bound to where the folder lives**: the key file records its absolute path
(``location``) and the machine entry records every folder known to use it (its *holders*). When a
folder is opened somewhere else than its recorded location:

* if the recorded folder (or another recorded holder) still exists with the same identity, this is
  a **copy**: it takes a fresh identity at once (a new ``folder_id`` whose entry holds the same keys,
  ``copied_from`` naming the original), so nothing done in the copy can touch the original's entry;
* otherwise the folder was **moved**: its identity is re-bound to the new place.

Opening never fails because of this: a folder on read-only media keeps its identity unchanged.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from app.store import keys as keystore

log = logging.getLogger(__name__)


def here(data_dir: Path) -> str:
    return str(Path(data_dir).resolve())


def holds_identity(location: str, folder_id: str, key_id: str | None = None) -> bool:
    """Whether the data folder at ``location`` exists and uses ``folder_id`` (and ``key_id``)."""
    try:
        file = keystore.KeyFile.load(keystore.key_file_path(Path(location)))
    except (OSError, keystore.KeyFileError):
        return False
    return file.folder_id == folder_id and (key_id is None or key_id in _key_ids(file))


def _key_ids(file: keystore.KeyFile) -> set[str]:
    return {file.key_id} | ({str(file.pending["key_id"])} if file.pending else set())


def other_holders(keys: keystore.DataKeys, key_id: str | None = None) -> list[str]:
    """Other folders on this machine that still use this folder's identity (and ``key_id``)."""
    me = here(keys.data_dir)
    known = set(keystore.keyring_holders(keys.file.folder_id))
    if keys.file.location:
        known.add(keys.file.location)
    return sorted(h for h in known if h != me and holds_identity(h, keys.file.folder_id, key_id))


def bind_identity(keys: keystore.DataKeys) -> None:
    """Bind the unlocked folder to where it lives; a copy takes a fresh identity (see the module)."""
    me = here(keys.data_dir)
    file = keys.file
    holders = keystore.keyring_holders(file.folder_id)
    if file.location == me and me in holders:
        return
    others = other_holders(keys)
    old_id, old_location, old_copied = file.folder_id, file.location, file.copied_from
    try:
        if others:
            file.folder_id = uuid.uuid4().hex
            file.location, file.copied_from = me, others[0]
            keystore.keyring_store(file.folder_id, dict(keys.keys), [me])
            keys.save()
            log.warning("data folder %s is a copy of %s: it took a fresh identity %s (was %s)", me,
                        others[0], file.folder_id, old_id)
            return
        if file.location != me:
            file.location = me
            keys.save()
        keystore.keyring_store(file.folder_id, keystore.keyring_keys(file.folder_id),
                               sorted({me, *(h for h in holders if holds_identity(h, file.folder_id))}))
    except OSError as exc:  # read-only media: the folder opens with the identity it has
        log.info("data folder identity of %s not recorded: %s", me, exc)
        file.folder_id, file.location, file.copied_from = old_id, old_location, old_copied
