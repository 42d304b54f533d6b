"""Signing a dossier's scanned component through the services (token on SoftHSM2), the status on
open, permissions, audit, settings; and the ``motcua sign`` / ``verify-signature`` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import ValidationError
from app.core.outbox import OutboxKind
from app.documents.signing import SignatureLevel, SigningError
from app.services.admin.auth import PermissionDeniedError
from app.services.context import AppContext
from app.services.reception.dossiers import get_dossier
from app.services.warehouse import pdf_signing as service
from app.store.repositories import AuditRepository
from app.store.repositories.sync import OutboxRepository
from tests.signing.conftest import CLERK, OFFICER
from tests.signing.pki import OFFICER_CN, Token

ROOT = Path(__file__).resolve().parents[2]


def test_settings_defaults_and_pin_never_stored(ctx: AppContext, token: Token) -> None:
    settings = service.signing_settings(ctx)
    assert settings.mode == "pkcs11" and settings.token_label == token.label
    assert service.default_module().endswith(".so")
    with pytest.raises(ValidationError):
        service.save_signing_settings(ctx, OFFICER, pin="246810")
    with ctx.session() as session:
        from app.store.repositories import SettingsRepository

        assert token.pin not in json.dumps(SettingsRepository(session).all())


def test_scanned_component_signed_and_status_shown(ctx: AppContext, scanned, token: Token) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a component scanned into a dossier (unsigned) WHEN the officer signs it with the token
    THEN the dossier points to a new, signed blob; the original blob is kept; the status on open
    names the officer; an audit entry and a sync upload are recorded."""
    code, original = scanned.code, scanned.attachment
    before = service.signature_status(ctx, original.sha256)
    assert before.level is SignatureLevel.UNSIGNED and before.message == "chưa ký số"
    assert [a.sha256 for a in service.unsigned_pdfs(ctx, code)] == [original.sha256]

    settings = service.signing_settings(ctx)
    outcome = service.sign_attachment(ctx, code, original.sha256, OFFICER, settings.key(token.pin))
    signed = outcome.signed
    assert signed.signed and signed.sha256 != original.sha256
    assert (signed.file_name, signed.component_index, signed.pages) == (original.file_name, 0, original.pages)
    assert get_dossier(ctx, code).attachments == [signed]
    assert ctx.db.blobs.exists(original.sha256)  # the original is kept in the store
    status = service.signature_status(ctx, signed.sha256)
    assert status.ok and status.trusted is True and status.signer == OFFICER_CN
    assert status.message.startswith(f"Đã ký số bởi {OFFICER_CN} lúc ")
    assert service.unsigned_pdfs(ctx, code) == []
    with ctx.session() as session:
        entry = AuditRepository(session).entries(dossier_code=code, action="sign")[0]
        queued = [m for m in OutboxRepository(session).for_dossier(code) if m.kind == OutboxKind.FILE_UPLOAD]
    assert entry.officer == "huong" and entry.details["original_sha256"] == original.sha256
    assert entry.details["signer"] == OFFICER_CN
    assert any(signed.sha256 in json.dumps(m.payload) for m in queued)
    # the cached status is reused and agrees with a fresh check of the bytes
    assert service.signature_status(ctx, signed.sha256) is status


def test_clerk_may_not_sign_and_wrong_pin(ctx: AppContext, scanned, token: Token) -> None:  # type: ignore[no-untyped-def]
    key = service.signing_settings(ctx).key(token.pin)
    with pytest.raises(PermissionDeniedError) as denied:
        service.sign_attachment(ctx, scanned.code, scanned.attachment.sha256, CLERK, key)
    assert "không có quyền ký số" in denied.value.message_vi
    with pytest.raises(SigningError) as caught:
        service.sign_attachment(ctx, scanned.code, scanned.attachment.sha256, OFFICER,
                                service.signing_settings(ctx).key("111111"))
    assert "Mã PIN" in caught.value.message_vi
    assert get_dossier(ctx, scanned.code).attachments == [scanned.attachment]  # nothing changed


# --------------------------------------------------------------------------- CLI


def motcua(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_cli_round_trip(token: Token, app_pdf: bytes, trust_dir: Path, tmp_path: Path) -> None:
    source, target = tmp_path / "in.pdf", tmp_path / "signed.pdf"
    source.write_bytes(app_pdf)
    data = ["--data-dir", str(tmp_path / "none")]
    unsigned = motcua("verify-signature", str(source), *data, "--json")
    assert unsigned.returncode == 1 and json.loads(unsigned.stdout)["message"] == "chưa ký số"

    done = motcua("sign", str(source), "--out", str(target), "--pkcs11-module", str(token.module),
                  "--token", token.label, "--key", token.key_label, "--pin-env", "TOKEN_PIN",
                  "--location", "UBND phường Bến Nghé", *data, "--json", env={"TOKEN_PIN": token.pin})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signer"] == OFFICER_CN

    checked = motcua("verify-signature", str(target), "--trust-roots", str(trust_dir), *data, "--json")
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout)
    assert result["ok"] and result["intact"] and result["trusted"] is True
    assert result["signer"] == OFFICER_CN and result["subfilter"] == "ETSI.CAdES.detached"
    text = motcua("verify-signature", str(target), "--trust-roots", str(trust_dir), *data)
    assert text.returncode == 0 and text.stdout.startswith(f"Đã ký số bởi {OFFICER_CN} lúc ")

    wrong = motcua("sign", str(source), "--out", str(tmp_path / "x.pdf"),
                   "--pkcs11-module", str(token.module),
                   "--token", token.label, "--key", token.key_label, "--pin-env", "TOKEN_PIN", *data,
                   env={"TOKEN_PIN": "999999"})
    assert wrong.returncode == 1 and "Mã PIN" in wrong.stderr and "không đúng" in wrong.stderr
    wrong_json = motcua("sign", str(source), "--out", str(tmp_path / "x.pdf"), "--pkcs11-module",
                        str(token.module), "--token", token.label, "--key", token.key_label,
                        "--pin-env", "TOKEN_PIN", *data, "--json", env={"TOKEN_PIN": "999999"})
    assert wrong_json.returncode == 1 and "wrong PIN" in json.loads(wrong_json.stdout)["error"]
    assert not (tmp_path / "x.pdf").exists()

    tampered = bytearray(target.read_bytes())
    tampered[len(tampered) // 3] ^= 0x01
    (tmp_path / "sua.pdf").write_bytes(bytes(tampered))
    bad = motcua("verify-signature", str(tmp_path / "sua.pdf"), *data)
    assert bad.returncode == 1 and bad.stdout.startswith("Chữ ký không hợp lệ (tài liệu đã bị sửa)")


def test_cli_pkcs12_and_usage(p12: Path, app_pdf: bytes, trust_dir: Path, tmp_path: Path) -> None:
    from tests.signing.conftest import P12_PASS

    source, target = tmp_path / "in.pdf", tmp_path / "ky.pdf"
    source.write_bytes(app_pdf)
    data = ["--data-dir", str(tmp_path / "none")]
    done = motcua("sign", str(source), "--out", str(target), "--pkcs12", str(p12), "--pass-env", "P12_PASS",
                  *data, env={"P12_PASS": P12_PASS})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Đã ký số {target} bởi Trần Văn Bình lúc ")
    checked = motcua("verify-signature", str(target), "--trust-roots", str(trust_dir), *data, "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["trusted"] is True
    mixed = motcua("sign", str(source), "--out", str(target), "--pkcs12", str(p12), "--token", "X", *data)
    assert mixed.returncode == 2
