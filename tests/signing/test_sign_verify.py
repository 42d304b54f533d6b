"""PAdES signing through a real PKCS#11 token (SoftHSM2) and a PKCS#12 file; verification."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest

from app.documents.signing import (
    DEFAULT_REASON,
    Pkcs11Key,
    Pkcs12Key,
    SignatureLevel,
    SigningError,
    load_trust_roots,
    sign_pdf,
    sign_pdf_bytes,
    verify_pdf,
    verify_pdf_bytes,
)
from tests.signing.conftest import P12_PASS
from tests.signing.pki import AGENCY, OFFICER_CN, TestCa, Token

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the station shows Vietnam time whatever the OS zone


def key_of(token: Token, pin: str | None = None, **kw: object) -> Pkcs11Key:
    args: dict[str, object] = {"module": str(token.module), "token_label": token.label,
                               "pin": pin or token.pin, "key_label": token.key_label}
    args.update(kw)
    return Pkcs11Key(**args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def signed(token: Token, app_pdf: bytes):  # type: ignore[no-untyped-def]
    return sign_pdf_bytes(app_pdf, key_of(token), location=AGENCY)


def test_token_signature_is_pades_intact_trusted(signed, app_pdf: bytes, trust_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a PDF from the app's assembly WHEN signed on the token THEN it verifies intact, trusted,
    by the officer, as PAdES, covering the whole file, as an incremental update."""
    assert signed.data.startswith(app_pdf)  # incremental: the original bytes are untouched
    assert signed.signer_name == OFFICER_CN and signed.field_name == "ChuKySo1"
    status = verify_pdf_bytes(signed.data, load_trust_roots(trust_dir))
    assert status.signed and status.intact and status.trusted is True and status.covers_whole
    assert status.ok and status.level is SignatureLevel.VALID
    assert status.signer == OFFICER_CN
    assert status.subfilter == "ETSI.CAdES.detached"
    assert abs((status.signed_at - datetime.now(UTC)).total_seconds()) < 300
    shown = status.signed_at.astimezone(VIETNAM)
    assert status.message == f"Đã ký số bởi {OFFICER_CN} lúc {shown:%d/%m/%Y %H:%M}"


def test_signature_dictionary_and_pdfa_metadata_kept(signed) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        sig_field = next(f for f in pdf.Root.AcroForm.Fields if str(f.T) == "ChuKySo1")
        value = sig_field.V
        assert str(value.SubFilter) == "/ETSI.CAdES.detached"
        assert str(value.Reason) == DEFAULT_REASON
        assert str(value.Location) == AGENCY
        assert str(value.Name) == OFFICER_CN
        assert str(pdf.docinfo["/Title"]) == "Giấy khai sinh"
        assert str(pdf.docinfo["/MotCuaDossierCode"]) == "000.00.22.H12-261120-0001"
        assert "/OutputIntents" in pdf.Root
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "B"
            assert xmp["dc:title"] == "Giấy khai sinh"


def test_untrusted_root_reported_as_such(signed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = TestCa.create("CA Khác")
    status = verify_pdf_bytes(signed.data, load_trust_roots(other.write_pem(tmp_path).parent))
    assert status.intact and status.trusted is False and status.level is SignatureLevel.UNTRUSTED
    assert "không thuộc tổ chức được tin cậy" in status.message
    no_roots = verify_pdf_bytes(signed.data, [])
    assert no_roots.intact and no_roots.trusted is None and no_roots.level is SignatureLevel.VALID


def test_tampered_byte_is_not_intact(signed, trust_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a signed PDF WHEN one byte of the signed page images changes THEN not intact, red."""
    data = bytearray(signed.data)
    at = len(data) // 3  # inside the first signed range (image data)
    data[at] ^= 0x01
    status = verify_pdf_bytes(bytes(data), load_trust_roots(trust_dir))
    assert status.signed and not status.intact and not status.ok
    assert status.level is SignatureLevel.INVALID
    assert status.message == "Chữ ký không hợp lệ (tài liệu đã bị sửa)"


def test_appended_update_is_not_whole_document(signed, trust_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A change saved after signing (an incremental update) leaves the signature intact but not
    covering the document: not ok."""
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        pdf.docinfo["/Title"] = "Đã sửa"
        out = io.BytesIO()
        pdf.save(out)  # a full rewrite: the signed byte ranges no longer match
    rewritten = verify_pdf_bytes(out.getvalue(), load_trust_roots(trust_dir))
    assert rewritten.signed and not rewritten.ok
    appended = signed.data + b"\n% nothing\n"
    status = verify_pdf_bytes(appended, load_trust_roots(trust_dir))
    assert status.intact and not status.covers_whole and not status.ok


def test_unsigned_pdf(app_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "chua-ky.pdf"
    path.write_bytes(app_pdf)
    status = verify_pdf(path)
    assert not status.signed and not status.ok and status.level is SignatureLevel.UNSIGNED
    assert status.message == "chưa ký số"


def test_wrong_pin_is_a_clear_error(token: Token, app_pdf: bytes) -> None:
    with pytest.raises(SigningError) as caught:
        sign_pdf_bytes(app_pdf, key_of(token, pin="000000"))
    assert "Mã PIN" in caught.value.message_vi and "không đúng" in caught.value.message_vi
    assert "wrong PIN" in caught.value.message_en


def test_wrong_token_label_and_key_and_module(token: Token, app_pdf: bytes, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="no token labelled") as caught:
        sign_pdf_bytes(app_pdf, key_of(token, token_label="KHONG-CO"))
    assert "cắm USB token" in caught.value.message_vi
    with pytest.raises(SigningError, match="no key/certificate") as caught:
        sign_pdf_bytes(app_pdf, key_of(token, key_label="khong-co"))
    assert "Không tìm thấy khoá" in caught.value.message_vi
    with pytest.raises(SigningError, match="module not found"):
        sign_pdf_bytes(app_pdf, key_of(token, module=str(tmp_path / "vnpt-ca.dll")))


def test_key_selected_by_id(token: Token, app_pdf: bytes) -> None:
    signed = sign_pdf_bytes(app_pdf, key_of(token, key_label=None, key_id=token.key_id))
    assert verify_pdf_bytes(signed.data).signer == OFFICER_CN


def test_second_signature_and_file_api(signed, p12: Path, tmp_path: Path, trust_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A PKCS#12 signer countersigns the token-signed file: a second field, both intact, the newest
    signer shown."""
    first = tmp_path / "mot.pdf"
    first.write_bytes(signed.data)
    result = sign_pdf(first, first, Pkcs12Key(p12, P12_PASS), location=AGENCY)
    assert result.field_name == "ChuKySo2"
    status = verify_pdf(first, load_trust_roots(trust_dir))
    assert status.ok and status.trusted and status.signatures == 2 and status.signer == "Trần Văn Bình"


def test_pkcs12_wrong_password(p12: Path, app_pdf: bytes) -> None:
    with pytest.raises(SigningError) as caught:
        sign_pdf_bytes(app_pdf, Pkcs12Key(p12, "sai"))
    assert "sai mật khẩu" in caught.value.message_vi


def test_not_a_pdf(p12: Path) -> None:
    with pytest.raises(SigningError) as caught:
        sign_pdf_bytes(b"hello, not a pdf", Pkcs12Key(p12, P12_PASS))
    assert "không phải PDF" in caught.value.message_vi
    assert not verify_pdf_bytes(b"hello").signed


def test_expired_certificate_refused(ca: TestCa, app_pdf: bytes, tmp_path: Path) -> None:
    from tests.signing.pki import make_pkcs12

    make_pkcs12(tmp_path / "cu.p12", ca, "x", days=0)  # valid until "now" at creation
    with pytest.raises(SigningError) as caught:
        sign_pdf_bytes(app_pdf, Pkcs12Key(tmp_path / "cu.p12", "x"))
    assert "đã hết hạn ngày" in caught.value.message_vi and "expired" in caught.value.message_en
