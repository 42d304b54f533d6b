"""Online dossiers taken in from the province: the change feed announces one (``TrucTuyen``), the
station reads it with its files, keeps the files encrypted like every other file and stores the
dossier with the province's current status (1 while it waits for a counter officer).

The code is remembered in the same transaction as the feed's cursor, and forgotten only once the
dossier is stored, so a connection lost in between loses nothing: the next sync fetches it again.
Several stations of one office share the database: the first to store the dossier wins, the others
find it there."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from typing import Any

from app.core.applicant_data import applicant_from_dict
from app.core.dossier import (
    Attachment,
    Channel,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
)
from app.core.errors import MotCuaError, NotFoundError
from app.services.context import AppContext
from app.store.repositories import DossierRepository, RemoteDossierRepository, SettingsRepository
from app.sync.errors import RejectedError, UnreadableAnswerError
from app.sync.vocabulary import parse_time

log = logging.getLogger(__name__)

ONLINE_SUBMITTED = "TrucTuyen"  # the feed's kind for a dossier a citizen submitted online
PENDING = "sync.online_pending"  # JSON list of announced online dossiers not yet stored
SUBMITTED_NOTE = "Công dân nộp hồ sơ trực tuyến"


def _pending(session: Any) -> list[str]:
    return list(json.loads(SettingsRepository(session).get(PENDING) or "[]"))


def remember_online(session: Any, code: str) -> None:
    """Note an announced online dossier (in the transaction that moves the feed's cursor)."""
    codes = _pending(session)
    if code and code not in codes:
        SettingsRepository(session).set(PENDING, json.dumps([*codes, code]))


def _forget(session: Any, code: str) -> None:
    SettingsRepository(session).set(PENDING, json.dumps([c for c in _pending(session) if c != code]))


def fetch_online(ctx: AppContext, adapter: Any) -> int:
    """Store every announced online dossier not stored yet; returns how many this run stored.
    A connection failure propagates (the codes stay remembered); a dossier the server refuses or
    answers wrongly is skipped and forgotten (logged)."""
    if not hasattr(adapter, "online_dossier"):
        return 0
    with ctx.session() as session:
        codes = _pending(session)
    stored = 0
    for code in codes:
        with ctx.session() as session:
            try:
                DossierRepository(session).get(code)
                known = True
            except NotFoundError:
                known = False
        if known:
            with ctx.session(write=True) as session:
                _forget(session, code)
            continue
        try:
            answer = adapter.online_dossier(code)
            files = _download(adapter, code, answer["HoSo"])
            dossier = _dossier_from(answer, files)
        except (RejectedError, UnreadableAnswerError, KeyError, ValueError, MotCuaError) as exc:
            log.warning("online dossier %s skipped: %s", code, exc)
            with ctx.session(write=True) as session:
                _forget(session, code)
            continue
        attachments = []
        for index, (entry, data) in enumerate(files):
            sha = ctx.db.blobs.put_bytes(data)  # encrypted at rest like every scan
            name = str(entry.get("TenTepDinhKem") or f"tep-{index + 1}")
            media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            attachments.append(Attachment(sha256=sha, file_name=name, size=len(data), media_type=media_type,
                                          component_index=index, created_at=dossier.received_at))
        dossier.attachments = attachments
        with ctx.session(write=True) as session:
            repo = DossierRepository(session)
            try:
                repo.get(code)  # another station of the office stored it meanwhile
            except NotFoundError:
                repo.add(dossier)
                RemoteDossierRepository(session).record(code, 0, status=int(dossier.status))
                stored += 1
            _forget(session, code)
    return stored


def _download(adapter: Any, code: str, record: dict[str, Any]) -> list[tuple[dict[str, Any], bytes]]:
    out = []
    for entry in record.get("TaiLieuNop") or []:
        sha = entry.get("TepDinhKemId")
        if not sha:
            continue
        data = adapter.file_bytes(code, sha)
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(f"file {sha} of {code} arrived damaged")
        out.append((entry, data))
    return out


def _dossier_from(answer: dict[str, Any], files: list[tuple[dict[str, Any], bytes]]) -> Dossier:
    record = answer["HoSo"]
    applicant = applicant_from_dict(dict(answer.get("NguoiNop") or {}), strict=False)
    submitted = parse_time(record.get("NgayNopHoSo"))
    if submitted is None:
        raise ValueError("no submission time")
    submitted = submitted.replace(second=0, microsecond=0)  # the counter's steps are kept to the minute
    status = DossierStatus(int(record["TrangThaiHoSo"]))
    components = [
        ReceivedComponent(index=i, name=str(entry.get("MaThanhPhanHoSo") or entry.get("TenTepDinhKem")),
                          received=True, digitised=True)
        for i, (entry, _) in enumerate(files)
    ]
    history = [StatusChange(at=submitted, status=DossierStatus.REGISTERED, note=SUBMITTED_NOTE)]
    if status is not DossierStatus.REGISTERED:  # another station took it first
        history.append(StatusChange(at=parse_time(record.get("NgayCapNhat")) or submitted, status=status,
                                    note="Hệ thống tỉnh"))
    return Dossier(
        code=str(record["MaHoSo"]),
        procedure_code=str(record["MaTTHC"]),
        procedure_name=str(record.get("TenTTHC") or record["MaTTHC"]),
        applicant=applicant,
        received_at=submitted,
        due_at=submitted,  # counted from the acceptance (accept sets it)
        channel=Channel.ONLINE,
        status=status,
        components=components,
        history=history,
    )
