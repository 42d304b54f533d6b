"""Sync with the provincial system (no Qt, no database: the store and the services wire it in).

``vocabulary`` (the national field names on the wire), ``catalogue`` (catalogue and calendar
mapping), ``adapter`` (the seam a province-specific gateway implements, and its registry),
``reference`` + ``transport`` (the reference protocol over HTTPS, chunked resumable uploads),
``engine`` (pushing the outbox in order, backoff, Retry-After, offline detection), ``merge`` (what
the province changed, and the conflict rule), ``backoff``, ``errors``, ``secrets`` (the station
token kept out of plain files). The outbox table is ``app.store.models_sync``; a run is
``app.services.sync.runs.sync_once``. Protocol: ``docs/sync-protocol.md``.
"""
