"""PAdES signatures on digitised PDFs: signing with the officer's token (PKCS#11) or a PKCS#12 file,
and verification for display.

Signing (:func:`sign_pdf_bytes`, :func:`sign_pdf`) adds ONE incremental update to the PDF with pyHanko:
an invisible signature field ``ChuKySo<N>`` holding a CMS signature with the ``/ETSI.CAdES.detached``
sub-filter (PAdES baseline B-B: signing certificate attribute, signing time, no time-stamp since the
counter may be offline). Everything before the update is kept byte for byte, so the PDF/A-2b
identification and the document information of ``app.scanning.pdf`` survive (pyHanko refreshes the
modification date in both the Info dictionary and the XMP packet, keeping them consistent).

The key never leaves the token: :class:`Pkcs11Key` names the PKCS#11 module (the token driver), the
token by its label (slot numbers change when tokens are re-plugged or SoftHSM re-initialised), the
PIN and the key by label and/or id; the certificate with the same label/id is read from the token,
and the other certificates on the token (the CA chain) are embedded. :class:`Pkcs12Key` is the
software alternative for offices without tokens.

Verification (:func:`verify_pdf`) checks every signature's integrity, and the newest one's trust
against the configured root certificates (:func:`load_trust_roots`), and returns a
:class:`SignatureStatus` with the Vietnamese line the UI shows. Revocation is not checked (no
network is assumed); certificate paths are built from the certificates embedded in the PDF.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.core.clock import vn_aware
from app.core.errors import MotCuaError

log = logging.getLogger(__name__)

DEFAULT_REASON = "Số hoá hồ sơ TTHC"
FIELD_PREFIX = "ChuKySo"
TRUST_ROOT_SUFFIXES = (".cer", ".crt", ".pem", ".der")


class SigningError(MotCuaError):
    """Signing failed: the token, the PIN, the key or the PDF (Vietnamese and English messages)."""


class TokenError(SigningError):
  """The token itself cannot be used (wrong or locked PIN, token missing or removed, driver, key not
    found): nothing more can be signed until the officer acts, unlike a bad PDF."""


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Pkcs11Key:
    """The officer's key on a PKCS#11 token. ``pin`` is never stored or logged."""

    module: str
    token_label: str
    pin: str = field(repr=False)
    key_label: str | None = None
    key_id: bytes | None = None

    def describe(self) -> str:
        key = self.key_label or (self.key_id.hex() if self.key_id else "?")
        return f"PKCS#11 token {self.token_label!r} key {key} ({self.module})"


@dataclass(frozen=True)
class Pkcs12Key:
    """A software key and certificate in a PKCS#12 (.p12/.pfx) file."""

    path: Path
    passphrase: str = field(repr=False, default="")

    def describe(self) -> str:
        return f"PKCS#12 file {self.path}"


SignerKey = Pkcs11Key | Pkcs12Key


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    sha256: str
    signer_name: str
    signed_at: datetime
    field_name: str


# --------------------------------------------------------------------------- signing


def _pkcs11_error(exc: BaseException, key: Pkcs11Key) -> TokenError:
    """A PKCS#11 failure in words an officer understands."""
    from pkcs11 import exceptions as p11

    name = type(exc).__name__
    if isinstance(exc, p11.PinIncorrect):
        return TokenError(f"wrong PIN for token {key.token_label!r}",
                          f"Mã PIN của token “{key.token_label}” không đúng. Lưu ý: nhập sai nhiều lần "
                          "token sẽ bị khoá.")
    if isinstance(exc, p11.PinLocked):
        return TokenError(f"token {key.token_label!r} is locked (too many wrong PINs)",
                          f"Token “{key.token_label}” đã bị khoá do nhập sai PIN quá số lần cho phép; "
                          "liên hệ tổ chức cung cấp chữ ký số để mở khoá.")
    if isinstance(exc, p11.PinLenRange | p11.PinInvalid):
        return TokenError(f"PIN has an invalid length or characters for token {key.token_label!r}",
                          "Mã PIN không hợp lệ (sai độ dài hoặc ký tự).")
    if isinstance(exc, p11.PinExpired):
        return TokenError("the token PIN has expired", "Mã PIN của token đã hết hạn; hãy đổi PIN bằng "
                          "phần mềm của nhà cung cấp token.")
    if isinstance(exc, p11.TokenNotPresent | p11.TokenNotRecognised | p11.DeviceRemoved):
        return TokenError(f"token {key.token_label!r} not present ({name})",
                          f"Không thấy token “{key.token_label}”: hãy cắm USB token rồi thử lại.")
    return TokenError(f"PKCS#11 error {name}: {exc}", f"Lỗi khi làm việc với token chữ ký số ({name}).")


def _open_pkcs11_signer(key: Pkcs11Key) -> tuple[Any, Any]:
    """(session, signer) for ``key``; the caller closes the session."""
    from pkcs11 import exceptions as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.general import SigningError as HankoSigningError
    from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer, open_pkcs11_session

    if not Path(key.module).is_file():
        raise TokenError(f"PKCS#11 module not found: {key.module}",
                         f"Không tìm thấy trình điều khiển token (thư viện PKCS#11) tại “{key.module}”. "
                         "Hãy cài phần mềm của token hoặc chọn đúng đường dẫn trong phần cài đặt ký số.")
    try:
        session = open_pkcs11_session(key.module, token_criteria=TokenCriteria(label=key.token_label),
                                      user_pin=key.pin)
    except p11.PKCS11Error as exc:
        if type(exc) is PKCS11Error:  # pyHanko's own "no token matching" (the bare base class)
            raise TokenError(f"no token labelled {key.token_label!r} in {key.module}: {exc}",
                             f"Không tìm thấy token có nhãn “{key.token_label}”: hãy cắm USB token, "
                             "kiểm tra nhãn token trong phần cài đặt ký số.") from exc
        raise _pkcs11_error(exc, key) from exc
    except OSError as exc:  # the library itself cannot be loaded
        raise TokenError(f"cannot load PKCS#11 module {key.module}: {exc}",
                         f"Không nạp được trình điều khiển token “{key.module}”.") from exc
    try:
        signer = PKCS11Signer(session, key_label=key.key_label, cert_label=key.key_label,
                              key_id=key.key_id, cert_id=key.key_id, other_certs_to_pull=None)
        _ = signer.signing_cert  # loads key and certificate now, to report a missing one clearly
    except (p11.PKCS11Error, HankoSigningError) as exc:
        session.close()
        if type(exc) is not PKCS11Error and isinstance(exc, p11.PKCS11Error) \
                and not isinstance(exc, p11.NoSuchKey | p11.MultipleObjectsReturned):
            raise _pkcs11_error(exc, key) from exc
        what = key.key_label or (key.key_id.hex() if key.key_id else "")
        raise TokenError(f"no key/certificate {what!r} on token {key.token_label!r}: {exc}",
                         f"Không tìm thấy khoá hoặc chứng thư số “{what}” trên token "
                         f"“{key.token_label}”.") from exc
    return session, signer


def _pkcs12_signer(key: Pkcs12Key) -> Any:
    from pyhanko.sign import signers

    if not Path(key.path).is_file():
        raise SigningError(f"PKCS#12 file not found: {key.path}",
                           f"Không tìm thấy tệp chứng thư số “{key.path}”.")
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(key.path), passphrase=key.passphrase.encode("utf-8"))
    except (ValueError, OSError) as exc:
        signer = None
        log.debug("cannot load %s: %s", key.path, exc)
    if signer is None:
        raise SigningError(f"cannot open PKCS#12 file {key.path} (wrong password or not a PKCS#12 file)",
                           f"Không mở được tệp chứng thư số “{Path(key.path).name}”: sai mật khẩu hoặc "
                           "tệp không đúng định dạng PKCS#12.")
    return signer


def common_name(cert: Any) -> str:
    """The CN of an asn1crypto certificate (falls back to the whole subject)."""
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _check_validity(cert: Any, now: datetime) -> None:
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    if now > not_after:
        raise SigningError(f"the signing certificate expired on {not_after:%Y-%m-%d}",
                           f"Chứng thư số của {common_name(cert)} đã hết hạn ngày "
                           f"{vn_aware(not_after):%d/%m/%Y}.")
    if now < not_before:
        raise SigningError(f"the signing certificate is valid only from {not_before:%Y-%m-%d}",
                           f"Chứng thư số chỉ có hiệu lực từ ngày {vn_aware(not_before):%d/%m/%Y}.")


def _next_field_name(reader: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _value, _ref in enumerate_sig_fields(reader)}
    number = 1
    while f"{FIELD_PREFIX}{number}" in taken:
        number += 1
    return f"{FIELD_PREFIX}{number}"


class SigningSession:
    """A signer for many PDFs: the token is logged in ONCE (one PIN check), or the PKCS#12 file read
    once, at :meth:`open` or the first :meth:`sign` (so a run with nothing to sign needs no token), and
    closed on exit. A wrong PIN, a missing token or key, an expired certificate raise
    :class:`SigningError` (:class:`TokenError` for the token's problems) there, before anything is signed.

        with SigningSession(key) as session:
            for data in pdfs:
                signed = session.sign(data, location="UBND phường Bến Nghé")
    """

    def __init__(self, key: SignerKey) -> None:
        self.key = key
        self._session: Any = None
        self._signer: Any = None

    def open(self) -> SigningSession:
        if self._signer is not None:
            return self
        if isinstance(self.key, Pkcs11Key):
            self._session, self._signer = _open_pkcs11_signer(self.key)
        else:
            self._signer = _pkcs12_signer(self.key)
        try:
            _check_validity(self._signer.signing_cert, datetime.now(UTC))
        except SigningError:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._session is not None:
            try:
                self._session.close()
            except Exception as exc:  # a token pulled out meanwhile: nothing left to close
                log.debug("closing the PKCS#11 session: %s", exc)
        self._session = self._signer = None

    def __enter__(self) -> SigningSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def signer_name(self) -> str:
        """The common name of the signing certificate (opens the session if needed)."""
        return common_name(self.open()._signer.signing_cert)

    def sign(self, data: bytes, *, location: str = "", reason: str = DEFAULT_REASON,
             signer_name: str | None = None) -> SignedPdf:
        """``data`` signed (PAdES B-B, incremental update). ``signer_name`` defaults to the
        certificate's common name."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign import fields, signers

        signer, key = self.open()._signer, self.key
        cert = signer.signing_cert
        now = datetime.now(UTC)
        _check_validity(cert, now)
        name = signer_name or common_name(cert)
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
            field_name = _next_field_name(writer.prev)
        except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise SigningError(f"not a readable PDF: {exc}",
                               "Tệp không phải PDF hợp lệ, không ký được.") from exc
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, reason=reason, location=location or None, name=name,
            subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
        out = io.BytesIO()
        try:
            signers.PdfSigner(meta, signer).sign_pdf(writer, output=out)
        except Exception as exc:
            from pkcs11 import exceptions as p11

            if isinstance(exc, p11.PKCS11Error) and isinstance(key, Pkcs11Key):
                raise _pkcs11_error(exc, key) from exc
            raise SigningError(f"signing failed: {type(exc).__name__}: {exc}",
                               f"Ký số không thành công ({type(exc).__name__}).") from exc
        signed = out.getvalue()
        log.info("signed a PDF (%d -> %d bytes) as %s with %s", len(data), len(signed), name, key.describe())
        return SignedPdf(signed, hashlib.sha256(signed).hexdigest(), name, now, field_name)


def sign_pdf_bytes(data: bytes, key: SignerKey, *, location: str = "", reason: str = DEFAULT_REASON,
                   signer_name: str | None = None) -> SignedPdf:
    """``data`` signed (PAdES B-B, incremental update) with ``key``. ``signer_name`` defaults to the
    certificate's common name. For many PDFs, use one :class:`SigningSession` (one PIN check)."""
    with SigningSession(key) as session:
        return session.sign(data, location=location, reason=reason, signer_name=signer_name)


def sign_pdf(source: Path, target: Path, key: SignerKey, *, location: str = "",
             reason: str = DEFAULT_REASON, signer_name: str | None = None) -> SignedPdf:
    """Sign the PDF file ``source`` into ``target`` (written atomically; may be the same path)."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read {source}: {exc}", f"Không đọc được tệp “{source}”.") from exc
    signed = sign_pdf_bytes(data, key, location=location, reason=reason, signer_name=signer_name)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".motcua-", suffix=".pdf.part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(signed.data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return signed


# --------------------------------------------------------------------------- verification


class SignatureLevel(StrEnum):
    """What the badge shows: green, orange (signed, certificate not trusted / not checkable), red."""

    VALID = "valid"  # intact, covers the file, trusted (or no trust roots configured: trusted None)
    UNTRUSTED = "untrusted"  # intact, but the certificate does not lead to a configured root
    INVALID = "invalid"  # the document was changed after signing, or the signature is broken
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class SignatureStatus:
    signed: bool
    intact: bool
    trusted: bool | None  # None: no trust roots configured, trust not checked
    signer: str = ""
    signed_at: datetime | None = None
    covers_whole: bool = False
    subfilter: str = ""
    signatures: int = 0
    issuer: str = ""
    message: str = "chưa ký số"
    detail_en: str = "not signed"

    @property
    def ok(self) -> bool:
        """Signed, unchanged since, and the newest signature covers the whole file."""
        return self.signed and self.intact and self.covers_whole

    @property
    def level(self) -> SignatureLevel:
        if not self.signed:
            return SignatureLevel.UNSIGNED
        if not self.ok:
            return SignatureLevel.INVALID
        return SignatureLevel.UNTRUSTED if self.trusted is False else SignatureLevel.VALID

    def to_json(self) -> dict[str, Any]:
        return {"signed": self.signed, "intact": self.intact, "trusted": self.trusted,
                "covers_whole_document": self.covers_whole, "signer": self.signer or None,
                "issuer": self.issuer or None,
                "signed_at": self.signed_at.isoformat(timespec="seconds") if self.signed_at else None,
                "subfilter": self.subfilter or None, "signatures": self.signatures,
                "level": self.level.value, "ok": self.ok, "message": self.message,
                "detail": self.detail_en}


UNSIGNED = SignatureStatus(False, False, None)
MSG_TAMPERED = "Chữ ký không hợp lệ (tài liệu đã bị sửa)"


def signed_line(signer: str, signed_at: datetime | None) -> str:
    when = f" lúc {vn_aware(signed_at):%d/%m/%Y %H:%M}" if signed_at else ""
    return f"Đã ký số bởi {signer}{when}"


def load_trust_roots(folder: Path | None) -> list[Any]:
    """The CA certificates (PEM or DER; .cer .crt .pem .der) of ``folder``, as asn1crypto objects.
    Unreadable files are logged and skipped."""
    from asn1crypto import pem
    from asn1crypto import x509 as ax

    roots: list[Any] = []
    if folder is None or not Path(folder).is_dir():
        return roots
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in TRUST_ROOT_SUFFIXES or not path.is_file():
            continue
        try:
            raw = path.read_bytes()
            blobs = [der for _t, _h, der in pem.unarmor(raw, multiple=True)] if pem.detect(raw) else [raw]
            for der in blobs:
                cert = ax.Certificate.load(der)
                _ = cert.subject.native  # parse now, fail here
                roots.append(cert)
        except (OSError, ValueError, TypeError) as exc:
            log.warning("skipping trust root %s: %s", path, exc)
    return roots


class _QuietPathErrors(logging.Filter):
    """pyHanko logs a traceback at error level for an untrusted certificate; we report it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith((
            "Failed to build path", "Failed to validate path", "Validation error [cert context"))


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_QuietPathErrors())


def _looks_signed(data: bytes) -> bool:
    return b"/ByteRange" in data and b"/Sig" in data


def verify_pdf_bytes(data: bytes, trust_roots: Sequence[Any] | None = None) -> SignatureStatus:
    """The signature status of a PDF. ``trust_roots`` empty or None: trust is not judged (None)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        if _looks_signed(data):
            return SignatureStatus(True, False, None, message=MSG_TAMPERED,
                                   detail_en=f"signed PDF cannot be read: {exc}")
        return SignatureStatus(False, False, None, detail_en=f"not signed (unreadable PDF: {exc})")
    if not embedded:
        return UNSIGNED
    roots = list(trust_roots or [])
    results = []
    for sig in embedded:
        try:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            results.append((sig, validate_pdf_signature(sig, context)))
        except Exception as exc:  # a broken signature must not crash the viewer
            log.info("signature %s cannot be validated: %s", sig.field_name, exc)
            results.append((sig, exc))
    last_sig, last = results[-1]
    count = len(results)
    broken = [s.field_name for s, r in results if isinstance(r, Exception) or not (r.intact and r.valid)]
    subfilter = str(last_sig.sig_object.get("/SubFilter", "")).lstrip("/")
    if isinstance(last, Exception):
        return SignatureStatus(True, False, None, signatures=count, subfilter=subfilter, message=MSG_TAMPERED,
                               detail_en=f"signature {last_sig.field_name} cannot be validated: {last}")
    signer = common_name(last.signing_cert)
    issuer_name = last.signing_cert.issuer
    issuer = str(issuer_name.native.get("common_name") or issuer_name.human_friendly)
    signed_at = last.signer_reported_dt
    covers = last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = bool(last.trusted) if roots else None
    base = dict(signer=signer, signed_at=signed_at, covers_whole=covers, subfilter=subfilter,
                signatures=count, issuer=issuer)
    if broken:
        return SignatureStatus(True, False, trusted, **base, message=MSG_TAMPERED,
                               detail_en=f"signature(s) {', '.join(broken)} do not match the document")
    line = signed_line(signer, signed_at)
    if not covers:
        return SignatureStatus(True, True, trusted, **base,
                               message=f"{line} — tài liệu đã bị thay đổi sau khi ký",
                               detail_en="the document was changed after the last signature")
    if trusted is False:
        problem = getattr(last, "trust_problem_indic", None) or "no path to a trust root"
        return SignatureStatus(True, True, False, **base,
                               message=f"{line} — chứng thư số không thuộc tổ chức được tin cậy",
                               detail_en=f"signed by {signer}; the certificate (issuer {issuer}) is not "
                                         f"trusted: {problem}")
    detail = f"signed by {signer}, intact" + (", trusted" if trusted else ", trust not checked")
    return SignatureStatus(True, True, trusted, **base, message=line, detail_en=detail)


def verify_pdf(path: Path, trust_roots: Sequence[Any] | None = None) -> SignatureStatus:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read {path}: {exc}", f"Không đọc được tệp “{path}”.") from exc
    return verify_pdf_bytes(data, trust_roots)


def roots_fingerprint(roots: Iterable[Any]) -> str:
    """A short digest of a set of trust roots (cache key)."""
    digest = hashlib.sha256()
    for cert in sorted(c.sha256 for c in roots):
        digest.update(cert)
    return digest.hexdigest()[:16]
