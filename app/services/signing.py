"""Digital signatures of a dossier's digitised PDFs: settings, signing with the officer's token,
verification on open.

**Settings** (the ``settings`` table, per station): how the officer signs (``signing.mode``: ``pkcs11``,
the USB token, or ``pkcs12``, a software certificate file), the token driver (``signing.pkcs11_module``;
:func:`default_module` per OS), the token label and the key label or id; the folder of trusted root CA
certificates (``signing.trust_roots_dir``, default ``<data_dir>/trust_roots``). The PIN (or the PKCS#12
password) is NEVER stored: the UI asks for it once per session and keeps it in memory only.

**Signing** (:func:`sign_attachment`): the stored PDF of a dossier component is signed (PAdES B-B,
incremental update, reason "Số hoá hồ sơ TTHC", location the agency name) and the signed PDF becomes a
new blob. Decision: the dossier's attachment is REPLACED by the signed one (same file name, component
and page count, ``signed=True``), so the dossier, the sync (upload queued, ``DaKySo``), every viewer
and the warehouse record indexed from the component point at the signed file. The original blob is not
deleted: it stays in the content-addressed store, its SHA-256 recorded in the audit entry
(``original_sha256``); being an incremental update, the signed file also begins with the original's
exact bytes. Only officers, supervisors and administrators
sign (the holder of the token), and each signature is an audit entry ``sign``.

**Verification** (:func:`signature_status`): a blob's status against the configured trust roots,
cached by (SHA-256, trust roots): a blob never changes, so the cache is only invalidated when the
roots do.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.clock import vn_now
from app.core.dossier import Attachment
from app.core.errors import NotFoundError, ValidationError
from app.documents.signing import (
    DEFAULT_REASON,
    Pkcs11Key,
    Pkcs12Key,
    SignatureStatus,
    SignerKey,
    SigningError,
    load_trust_roots,
    roots_fingerprint,
    sign_pdf_bytes,
    verify_pdf_bytes,
)
from app.services.auth import Officer, Permission, PermissionDeniedError, Role, require
from app.services.context import AppContext
from app.services.sync_outbox import enqueue_attachment
from app.store.repositories import (
    AuditRepository,
    BlobRepository,
    DossierRepository,
    SettingsRepository,
    WarehouseRepository,
)

log = logging.getLogger(__name__)

MODE = "signing.mode"
MODULE = "signing.pkcs11_module"
TOKEN_LABEL = "signing.token_label"
KEY_LABEL = "signing.key_label"
KEY_ID = "signing.key_id"  # hex
PKCS12_PATH = "signing.pkcs12_path"
TRUST_ROOTS_DIR = "signing.trust_roots_dir"
SETTING_KEYS = (MODE, MODULE, TOKEN_LABEL, KEY_LABEL, KEY_ID, PKCS12_PATH, TRUST_ROOTS_DIR)

MODE_PKCS11 = "pkcs11"
MODE_PKCS12 = "pkcs12"
AUDIT_ACTION = "sign"
PDF_MEDIA_TYPE = "application/pdf"
SIGNING_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})

LINUX_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
                 "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so")
# Drivers the Vietnamese CAs' token installers put on Windows (examples; the exact file name depends
# on the token model and driver version: check the folder the CA's installer created).
WINDOWS_TOKEN_DRIVERS: tuple[tuple[str, str], ...] = (
    ("VNPT-CA", r"C:\Windows\System32\vnpt-ca_csp11.dll"),
    ("Viettel-CA", r"C:\Windows\System32\viettel-ca_v6.dll"),
    ("BkavCA", r"C:\Windows\System32\BkavCA.dll"),
    ("FPT-CA", r"C:\Windows\System32\fpt-ca.dll"),
    ("SafeNet eToken (nhiều CA dùng)", r"C:\Windows\System32\eTPKCS11.dll"),
    ("OpenSC", r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll"),
)


@dataclass(frozen=True)
class SigningSettings:
    mode: str
    module: str
    token_label: str
    key_label: str
    key_id: str  # hex, may be empty
    pkcs12_path: str
    trust_roots_dir: Path

    def key(self, secret: str) -> SignerKey:
        """The signer for this station with ``secret`` (the PIN, or the PKCS#12 password)."""
        if self.mode == MODE_PKCS12:
            if not self.pkcs12_path:
                raise ValidationError("no PKCS#12 file configured",
                                      "Chưa chọn tệp chứng thư số (.p12/.pfx) trong phần cài đặt ký số.")
            return Pkcs12Key(Path(self.pkcs12_path), secret)
        if not self.token_label:
            raise ValidationError("no token label configured",
                                  "Chưa khai báo nhãn token chữ ký số trong phần cài đặt ký số.")
        if not (self.key_label or self.key_id):
            raise ValidationError("no key label or id configured",
                                  "Chưa khai báo nhãn (hoặc mã) khoá ký trên token trong phần cài đặt ký số.")
        try:
            key_id = bytes.fromhex(self.key_id) if self.key_id else None
        except ValueError:
            raise ValidationError(f"key id {self.key_id!r} is not hexadecimal",
                                  "Mã khoá ký phải viết dạng thập lục phân (vd 01a2).") from None
        return Pkcs11Key(self.module, self.token_label, secret, self.key_label or None, key_id)


def default_module() -> str:
    """The PKCS#11 driver to propose on this computer: the first Vietnamese token driver found on
    Windows, SoftHSM2/OpenSC on Linux (``/usr/lib/softhsm/libsofthsm2.so`` on Debian)."""
    if sys.platform == "win32":
        for _vendor, path in WINDOWS_TOKEN_DRIVERS:
            if Path(path).is_file():
                return path
        return WINDOWS_TOKEN_DRIVERS[0][1]
    if sys.platform == "darwin":
        return "/Library/OpenSC/lib/opensc-pkcs11.so"
    for path in LINUX_MODULES:
        if Path(path).is_file():
            return path
    return LINUX_MODULES[0]


def signing_settings(ctx: AppContext) -> SigningSettings:
    with ctx.session() as session:
        repo = SettingsRepository(session)
        values = {key: repo.get(key) or "" for key in SETTING_KEYS}
    return SigningSettings(
        mode=values[MODE] or MODE_PKCS11,
        module=values[MODULE] or default_module(),
        token_label=values[TOKEN_LABEL],
        key_label=values[KEY_LABEL],
        key_id=values[KEY_ID],
        pkcs12_path=values[PKCS12_PATH],
        trust_roots_dir=(Path(values[TRUST_ROOTS_DIR]) if values[TRUST_ROOTS_DIR]
                         else ctx.data_dir / "trust_roots"),
    )


def save_signing_settings(ctx: AppContext, officer: Officer, **values: str | Path) -> SigningSettings:
    """Change some of the settings (names as in :class:`SigningSettings`); a PIN is refused."""
    require_signer(officer)
    keys = {"mode": MODE, "module": MODULE, "token_label": TOKEN_LABEL, "key_label": KEY_LABEL,
            "key_id": KEY_ID, "pkcs12_path": PKCS12_PATH, "trust_roots_dir": TRUST_ROOTS_DIR}
    unknown = set(values) - set(keys)
    if unknown:
        raise ValidationError(f"unknown signing settings {sorted(unknown)} (the PIN is never stored)",
                              "Thiết lập ký số không hợp lệ (mã PIN không bao giờ được lưu).")
    if "mode" in values and values["mode"] not in (MODE_PKCS11, MODE_PKCS12):
        raise ValidationError(f"mode must be {MODE_PKCS11} or {MODE_PKCS12}", "Cách ký số không hợp lệ.")
    with ctx.session(write=True) as session:
        repo = SettingsRepository(session)
        for name, value in values.items():
            repo.set(keys[name], str(value))
        AuditRepository(session).append(officer.username, "signing_settings",
                                        details={k: str(v) for k, v in values.items()})
    return signing_settings(ctx)


def require_signer(officer: Officer) -> None:
    """Signing needs the digitise permission and an officer's role (clerks scan, officers sign)."""
    require(officer, Permission.DIGITISE)
    role = Role(officer.role)
    if role not in SIGNING_ROLES:
        raise PermissionDeniedError(
            f"user {officer.username} ({role.value}) may not sign documents",
            f"Tài khoản {officer.full_name} ({role.label_vi}) không có quyền ký số tài liệu; "
            "việc ký số do cán bộ có chứng thư số thực hiện.")


# --------------------------------------------------------------------------- trust roots and cache

_LOCK = threading.Lock()
_ROOTS: dict[str, tuple[tuple[Any, ...], list[Any]]] = {}  # folder -> (listing stamp, roots)
_STATUS: OrderedDict[tuple[str, str], SignatureStatus] = OrderedDict()
STATUS_CACHE_SIZE = 2048


def _stamp(folder: Path) -> tuple[Any, ...]:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()))
    except OSError:
        return ()


def trust_roots(ctx: AppContext) -> list[Any]:
    """The configured root certificates, re-read when the folder's files change."""
    folder = signing_settings(ctx).trust_roots_dir
    stamp = _stamp(folder)
    with _LOCK:
        cached = _ROOTS.get(str(folder))
        if cached is not None and cached[0] == stamp:
            return cached[1]
    roots = load_trust_roots(folder)
    with _LOCK:
        _ROOTS[str(folder)] = (stamp, roots)
    return roots


def signature_status(ctx: AppContext, sha256: str) -> SignatureStatus:
    """The signature status of the stored PDF ``sha256`` (verified against its hash when read)."""
    roots = trust_roots(ctx)
    key = (sha256, roots_fingerprint(roots))
    with _LOCK:
        if key in _STATUS:
            _STATUS.move_to_end(key)
            return _STATUS[key]
    try:
        data = ctx.db.blobs.read_bytes(sha256)
    except ValueError:
        raise NotFoundError(f"not a SHA-256: {sha256!r}", f"Mã tệp “{sha256}” không hợp lệ.") from None
    status = verify_pdf_bytes(data, roots)
    with _LOCK:
        _STATUS[key] = status
        while len(_STATUS) > STATUS_CACHE_SIZE:
            _STATUS.popitem(last=False)
    return status


def verify_file(ctx: AppContext | None, path: Path, trust_dir: Path | None = None) -> SignatureStatus:
    """A PDF file's status against ``trust_dir`` (or, with ``ctx``, the configured roots)."""
    roots = load_trust_roots(trust_dir) if trust_dir is not None else (trust_roots(ctx) if ctx else [])
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read {path}: {exc}", f"Không đọc được tệp “{path}”.") from exc
    return verify_pdf_bytes(data, roots)


# --------------------------------------------------------------------------- signing a dossier's PDF


@dataclass(frozen=True)
class SignOutcome:
    code: str
    original: Attachment
    signed: Attachment
    status: SignatureStatus

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "component_index": self.signed.component_index,
                "original_sha256": self.original.sha256, "sha256": self.signed.sha256,
                "file_name": self.signed.file_name, "bytes": self.signed.size, **self.status.to_json()}


def _find(attachments: list[Attachment], sha256: str, code: str) -> int:
    for position, attachment in enumerate(attachments):
        if attachment.sha256 == sha256:
            return position
    raise NotFoundError(f"dossier {code} has no attachment {sha256}",
                        f"Hồ sơ {code} không có tệp đính kèm này (có thể đã được ký hoặc thay thế).")


def signed_attachment(original: Attachment, sha256: str, size: int) -> Attachment:
    """The attachment that replaces ``original`` once signed: same file name, component and pages."""
    return Attachment(sha256, original.file_name, PDF_MEDIA_TYPE, size, original.component_index,
                      pages=original.pages, signed=True, created_at=vn_now().replace(microsecond=0))


def sign_attachment(ctx: AppContext, code: str, sha256: str, officer: Officer, key: SignerKey, *,
                    reason: str = DEFAULT_REASON) -> SignOutcome:
    """Sign the PDF ``sha256`` attached to dossier ``code`` and attach the signed PDF in its place."""
    require_signer(officer)
    code = code.strip()
    with ctx.session() as session:
        try:
            dossier = DossierRepository(session).get(code)
        except NotFoundError:
            raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from None
    original = dossier.attachments[_find(dossier.attachments, sha256, code)]
    if original.media_type != PDF_MEDIA_TYPE:
        raise ValidationError(f"{original.file_name} is not a PDF", "Chỉ ký số được tệp PDF.")
    data = ctx.db.blobs.read_bytes(sha256)
    signed = sign_pdf_bytes(data, key, location=ctx.settings().agency_name, reason=reason)
    new_sha = ctx.db.blobs.put_bytes(signed.data)
    attachment = signed_attachment(original, new_sha, len(signed.data))
    with ctx.session(write=True) as session:
        dossiers = DossierRepository(session)
        current = dossiers.get(code)  # re-read under the write lock
        current.attachments[_find(current.attachments, sha256, code)] = attachment
        dossiers.update(current)
        BlobRepository(session).record(new_sha, len(signed.data), PDF_MEDIA_TYPE)
        enqueue_attachment(session, current, attachment)
        # the warehouse record indexed from this component follows the dossier to the signed PDF
        records = WarehouseRepository(session).repoint(sha256, new_sha, len(signed.data))
        AuditRepository(session).append(officer.username, AUDIT_ACTION, dossier_code=code, details={
            "sha256": new_sha, "original_sha256": sha256, "file_name": attachment.file_name,
            "component_index": attachment.component_index, "signer": signed.signer_name,
            "field": signed.field_name, "signed_at": signed.signed_at.isoformat(timespec="seconds"),
            "warehouse_records": records})
    log.info("signed %s of dossier %s (%s -> %s)", attachment.file_name, code, sha256[:12], new_sha[:12])
    return SignOutcome(code, original, attachment, signature_status(ctx, new_sha))


def unsigned_pdfs(ctx: AppContext, code: str) -> list[Attachment]:
    """The dossier's PDFs not yet marked signed."""
    with ctx.session() as session:
        dossier = DossierRepository(session).get(code.strip())
    return [a for a in dossier.attachments if a.media_type == PDF_MEDIA_TYPE and not a.signed]
