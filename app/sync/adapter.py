"""The seam between the outbox and one province's system.

:class:`ProvincialAdapter` is everything the sync needs from the province; the reference protocol
(``docs/sync-protocol.md``) is implemented by :class:`app.sync.reference.ReferenceAdapter`. A
province whose iGate or LGSP gateway speaks another dialect gets its own adapter class, registered
under a name (:func:`register_adapter`, or an ``importlib`` entry point of the group
``motcua.sync_adapters``, or the setting ``sync.adapter = "package.module:factory"``); the outbox,
the worker, the merge rules, the CLI and the UI do not change. Adapters speak the national
vocabulary of :mod:`app.sync.vocabulary` on both sides.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, BinaryIO, Protocol

from app.sync.errors import NotConfiguredError

ENTRY_POINT_GROUP = "motcua.sync_adapters"

#: ``progress(bytes_done, bytes_total)`` during a file upload.
UploadProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Accepted:
    """The server took the operation; ``replayed`` when it had already taken it (a duplicate)."""

    replayed: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerTime:
    server_now: datetime  # the server's clock, Vietnam time
    offset_seconds: float  # server minus station, measured around the request


@dataclass(frozen=True)
class ChangePage:
    """Changes made upstream, oldest first; ``cursor`` is what to ask from next time."""

    changes: list[dict[str, Any]]
    cursor: int
    more: bool


class ProvincialAdapter(Protocol):
    """What the sync needs from a provincial system. Every method raises the errors of
    :mod:`app.sync.errors`; every sending method is idempotent under ``key``."""

    def check_auth(self) -> dict[str, Any]: ...
    def server_time(self) -> ServerTime: ...
    def upsert_dossier(self, record: dict[str, Any], key: str) -> Accepted: ...
    def update_status(self, record: dict[str, Any], key: str) -> Accepted: ...
    def upload_file(
        self,
        record: dict[str, Any],
        key: str,
        open_file: Callable[[], BinaryIO],
        progress: UploadProgress | None = None,
    ) -> Accepted: ...
    def changes(self, cursor: int, limit: int = 100) -> ChangePage: ...
    def catalogue(self, etag: str | None = None) -> tuple[list[dict[str, Any]] | None, str | None]: ...
    def calendar(self, year: int) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


AdapterFactory = Callable[..., ProvincialAdapter]
_REGISTRY: dict[str, AdapterFactory] = {}


def register_adapter(name: str, factory: AdapterFactory) -> None:
    """Make ``factory(server_url=..., token=..., **options)`` available as adapter ``name``."""
    _REGISTRY[name] = factory


def _reference(**kwargs: Any) -> ProvincialAdapter:
    from app.sync.reference import ReferenceAdapter

    return ReferenceAdapter(**kwargs)


register_adapter("reference", _reference)


def resolve_factory(name: str) -> AdapterFactory:
    """The factory registered as ``name``, an entry point of that name, or ``module:attribute``."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            factory = ep.load()
            register_adapter(name, factory)
            return factory
    if ":" in name:
        module, _, attribute = name.partition(":")
        factory = getattr(importlib.import_module(module), attribute)
        register_adapter(name, factory)
        return factory
    raise NotConfiguredError(
        f"unknown sync adapter {name!r}", f"Không có bộ kết nối đồng bộ “{name}”.", code="unknown_adapter"
    )


def create_adapter(name: str, *, server_url: str, token: str, **options: Any) -> ProvincialAdapter:
    return resolve_factory(name)(server_url=server_url, token=token, **options)
