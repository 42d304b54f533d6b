"""Signing the warehouse's records with a real PKCS#11 token (SoftHSM2): one record, a box of them
with one login, idempotence, a wrong PIN, a broken signature, the dossier a record came from, the
browser's list with signature states; and ``motcua warehouse sign``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.progress import CancelToken, ProgressUpdate
from app.core.warehouse import Validity
from app.documents import signing as documents_signing
from app.documents.signing import SignatureLevel, SigningError
from app.services.admin.auth import PermissionDeniedError
from app.services.context import AppContext
from app.services.reception.dossiers import get_dossier
from app.services.warehouse import pdf_signing as signing_service
from app.services.warehouse import record_signing as service
from app.services.warehouse import records as warehouse
from app.store.repositories import AuditRepository
from tests.signing.conftest import CLERK, OFFICER
from tests.signing.pki import OFFICER_CN, Token
from tests.warehouse.conftest import CCCD, birth_cert, make_pdf

ROOT = Path(__file__).resolve().parents[2]
OTHER_CCCD = "001190012345"


def add(ctx: AppContext, label: str, **changes: object):  # type: ignore[no-untyped-def]
    return warehouse.add_result(ctx, birth_cert(number=label, **changes), CLERK, pdf_bytes=make_pdf(label))


@pytest.fixture
def key(ctx: AppContext, token: Token):  # type: ignore[no-untyped-def]
    return signing_service.signing_settings(ctx).key(token.pin)


@pytest.fixture
def logins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the token logins (PKCS#11 sessions opened)."""
    opened: list[str] = []
    real = documents_signing._open_pkcs11_signer

    def counting(key):  # type: ignore[no-untyped-def]
        opened.append(key.token_label)
        return real(key)

    monkeypatch.setattr(documents_signing, "_open_pkcs11_signer", counting)
    return opened


def test_record_signed_verified_and_idempotent(ctx: AppContext, key, logins: list[str]) -> None:  # type: ignore[no-untyped-def]
    """GIVEN an unsigned record WHEN the officer signs it THEN the record points to a signed PDF that
    verifies (trusted, the officer's name), the original blob is kept and named in the audit; signing
    again changes nothing and needs no token; countersigning adds a second signature."""
    record = add(ctx, "12")
    before = service.record_signature(ctx, record)
    assert before.status is not None and before.status.level is SignatureLevel.UNSIGNED
    assert before.status.message == "chưa ký số" and not before.validly_signed
    assert before.signature_json()["signed"] is False

    done = service.sign_record(ctx, record.record_id, OFFICER, key)
    assert not done.already_signed and done.original_sha256 == record.sha256
    assert done.record.sha256 != record.sha256 and done.record.pages == record.pages
    assert done.status.ok and done.status.trusted is True and done.status.signer == OFFICER_CN
    stored = warehouse.get_record(ctx, record.record_id)
    assert stored.sha256 == done.record.sha256 and stored.metadata == record.metadata
    assert ctx.db.blobs.exists(record.sha256)  # the unsigned original stays in the store
    signed_pdf = warehouse.open_record_pdf(ctx, stored)
    assert signed_pdf.startswith(make_pdf("12"))  # an incremental update of the original
    with ctx.session() as session:
        [entry] = AuditRepository(session).entries(action=service.AUDIT_ACTION)
    assert entry.officer == OFFICER.username and entry.details["record_id"] == record.record_id
    assert entry.details["original_sha256"] == record.sha256 and entry.details["signer"] == OFFICER_CN
    summary = done.to_json()["signature"]
    assert summary["valid"] and summary["signer"] == OFFICER_CN and summary["level"] == "valid"
    assert logins == ["MOTCUA-TEST"]

    again = service.sign_record(ctx, record.record_id, OFFICER, key)
    assert again.already_signed and again.record.sha256 == stored.sha256
    assert logins == ["MOTCUA-TEST"]  # no token login for a record already signed

    twice = service.sign_record(ctx, record.record_id, OFFICER, key, countersign=True)
    assert not twice.already_signed and twice.status.ok and twice.status.signatures == 2


def test_wrong_pin_clerk_and_unknown_record(ctx: AppContext, key) -> None:  # type: ignore[no-untyped-def]
    record = add(ctx, "13")
    wrong = signing_service.signing_settings(ctx).key("000000")
    with pytest.raises(SigningError) as caught:
        service.sign_record(ctx, record.record_id, OFFICER, wrong)
    assert "Mã PIN" in caught.value.message_vi and "không đúng" in caught.value.message_vi
    with pytest.raises(SigningError):  # a whole box: refused before anything is signed
        service.sign_records(ctx, [record.record_id], OFFICER, wrong)
    assert warehouse.get_record(ctx, record.record_id) == record  # unchanged
    with ctx.session() as session:
        assert AuditRepository(session).entries(action=service.AUDIT_ACTION) == []
    with pytest.raises(PermissionDeniedError) as denied:
        service.sign_record(ctx, record.record_id, CLERK, key)
    assert "không có quyền ký số" in denied.value.message_vi
    with pytest.raises(NotFoundError):
        service.sign_record(ctx, "KHO-000000000000", OFFICER, key)


def test_box_signed_with_one_login_progress_and_failures(ctx: AppContext, key, logins: list[str]) -> None:  # type: ignore[no-untyped-def]
    records = [add(ctx, str(n)) for n in range(20, 24)]
    first = service.sign_record(ctx, records[0].record_id, OFFICER, key)
    logins.clear()
    updates: list[ProgressUpdate] = []
    ids = [r.record_id for r in records] + ["KHO-FFFFFFFFFFFF"]
    report = service.sign_records(ctx, ids, OFFICER, key, progress=updates.append)

    assert [s.record.record_id for s in report.signed] == ids[1:4]
    assert [s.record.sha256 for s in report.already_signed] == [first.record.sha256]
    assert [f.record_id for f in report.failed] == ["KHO-FFFFFFFFFFFF"]
    assert "Không tìm thấy giấy tờ" in report.failed[0].error.message_vi
    assert not report.ok and not report.cancelled and report.not_done == ()
    assert logins == ["MOTCUA-TEST"]  # one PIN check for the whole box
    assert all(service.record_signature(ctx, warehouse.get_record(ctx, i)).validly_signed for i in ids[:4])
    assert updates[0] == ProgressUpdate(0, 5, f"Đang ký số {ids[0]} (1/5)") and updates[-1].done == 5
    assert "Đã ký số 3 giấy tờ" in report.summary_vi() and "1 giấy tờ không ký được" in report.summary_vi()
    assert json.loads(json.dumps(report.to_json()))["failed"][0]["record_id"] == "KHO-FFFFFFFFFFFF"

    # everything already signed: no token needed at all, even with a wrong PIN
    logins.clear()
    nothing = service.sign_records(ctx, ids[:4], OFFICER, signing_service.signing_settings(ctx).key("0"))
    assert len(nothing.already_signed) == 4 and nothing.ok and logins == []


def test_box_cancelled_between_records(ctx: AppContext, key) -> None:  # type: ignore[no-untyped-def]
    records = [add(ctx, str(n)) for n in range(30, 33)]
    cancel = CancelToken()

    def progress(update: ProgressUpdate) -> None:
        if update.done == 1:
            cancel.cancel()  # pressed while the second record is being signed

    report = service.sign_records(ctx, [r.record_id for r in records], OFFICER, key, progress=progress,
                                  cancel=cancel)
    assert report.cancelled and len(report.signed) == 2
    assert report.not_done == (records[2].record_id,)
    assert "đã dừng theo yêu cầu" in report.summary_vi()
    assert service.unsigned_records(ctx, OFFICER) == [warehouse.get_record(ctx, records[2].record_id)]


def test_broken_signature_refused_and_listed_as_unsigned(ctx: AppContext, key) -> None:  # type: ignore[no-untyped-def]
    signed = documents_signing.sign_pdf_bytes(make_pdf("40"), key).data
    tampered = bytearray(signed)
    tampered[signed.index(b"(40)") + 1] = ord("9")  # the title, inside the signed byte range
    record = warehouse.add_result(ctx, birth_cert(number="40"), CLERK, pdf_bytes=bytes(tampered))
    view = service.record_signature(ctx, record)
    assert view.status is not None and view.status.level is SignatureLevel.INVALID
    with pytest.raises(ValidationError) as refused:
        service.sign_record(ctx, record.record_id, OFFICER, key)
    assert "chữ ký không hợp lệ" in refused.value.message_vi
    assert [r.record_id for r in service.unsigned_records(ctx, OFFICER)] == [record.record_id]


def test_browse_by_owner_text_validity_and_signature(ctx: AppContext, key) -> None:  # type: ignore[no-untyped-def]
    mine = add(ctx, "50")
    expired = add(ctx, "51", validity=Validity.EXPIRED)
    other = add(ctx, "52", owner_name="Lê Văn Đức", owner_id_number=OTHER_CCCD, owner_old_id_number="")
    service.sign_record(ctx, mine.record_id, OFFICER, key)

    def ids(*args: object, **kwargs: object) -> list[str]:
        return [v.record.record_id for v in service.browse(ctx, OFFICER, *args, **kwargs)]  # type: ignore[arg-type]

    assert ids() == [other.record_id, expired.record_id, mine.record_id]  # newest first
    assert ids(CCCD) == [expired.record_id, mine.record_id]
    assert ids("le van duc") == [other.record_id]  # without accents
    assert ids(f"{CCCD} khai sinh") == [expired.record_id, mine.record_id]
    assert ids(CCCD, valid_only=True) == [mine.record_id]
    assert ids(unsigned_only=True) == [other.record_id, expired.record_id]
    assert ids(unsigned_only=True, limit=1) == [other.record_id]
    views = service.browse(ctx, OFFICER, CCCD)
    assert views[1].validly_signed and views[1].status is not None and views[1].status.signer == OFFICER_CN
    assert service.split_query(f"{CCCD} Giấy khai sinh 281234567") == ([CCCD, "281234567"], "Giấy khai sinh")
    unsigned_of_other = service.unsigned_records(ctx, OFFICER, owner_id=OTHER_CCCD)
    assert [r.record_id for r in unsigned_of_other] == [other.record_id]


def test_dossier_component_and_its_record_stay_together(ctx: AppContext, scanned, key) -> None:  # type: ignore[no-untyped-def]
    """A component scanned into a dossier is indexed in the warehouse; signing the record signs the
    dossier's attachment too (one file for both), and signing from the dossier pane moves the record."""
    code, original = scanned.code, scanned.attachment
    [record_id] = _records_of(ctx, original.sha256)
    done = service.sign_record(ctx, record_id, OFFICER, key)
    assert done.dossier_code == code
    [attachment] = get_dossier(ctx, code).attachments
    assert attachment.signed and attachment.sha256 == done.record.sha256
    assert attachment.file_name == original.file_name
    assert signing_service.unsigned_pdfs(ctx, code) == []


def test_signing_the_attachment_moves_the_record(ctx: AppContext, scanned, key) -> None:  # type: ignore[no-untyped-def]
    code, original = scanned.code, scanned.attachment
    [record_id] = _records_of(ctx, original.sha256)
    outcome = signing_service.sign_attachment(ctx, code, original.sha256, OFFICER, key)
    record = warehouse.get_record(ctx, record_id)
    assert record.sha256 == outcome.signed.sha256
    assert service.record_signature(ctx, record).validly_signed
    assert service.sign_record(ctx, record_id, OFFICER, key).already_signed


def _records_of(ctx: AppContext, sha256: str) -> list[str]:
    from app.store.repositories import WarehouseRepository

    with ctx.session() as session:
        return [r.record_id for r in WarehouseRepository(session).by_sha256(sha256)]


# --------------------------------------------------------------------------- CLI


def motcua(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}, timeout=120)


def test_cli_sign_unsigned_json(ctx: AppContext, token: Token, key, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The real command for the main case (``--unsigned --owner --json --pin-env``), the others in
    process (``app.cli.main``) to keep the test fast."""
    from app.cli import main as cli_main

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = cli_main([*args, "--data-dir", str(ctx.data_dir)])
        return code, capsys.readouterr().out

    signed_before = add(ctx, "60")
    service.sign_record(ctx, signed_before.record_id, OFFICER, key)
    mine = add(ctx, "61")
    other = add(ctx, "62", owner_name="Lê Văn Đức", owner_id_number=OTHER_CCCD, owner_old_id_number="")
    ctx.close()  # the command opens the folder itself

    code, found = run("warehouse", "search", "--owner", CCCD, "--json")
    assert code == 0
    records = {r["record_id"]: r for r in json.loads(found)["records"]}
    assert records[signed_before.record_id]["signature"]["valid"] is True
    assert records[signed_before.record_id]["signature"]["signer"] == OFFICER_CN
    assert records[mine.record_id]["signature"] == {
        "signed": False, "valid": False, "trusted": None, "signer": None, "signed_at": None,
        "level": "unsigned", "message": "chưa ký số"}

    monkeypatch.setenv("TOKEN_PIN", "999999")
    code, wrong = run("warehouse", "sign", "--unsigned", "--pin-env", "TOKEN_PIN", "--json")
    assert code == 1 and "wrong PIN" in json.loads(wrong)["error"]

    only_mine = motcua("warehouse", "sign", "--unsigned", "--owner", CCCD, "--pin-env", "TOKEN_PIN",
                       "--data-dir", str(ctx.data_dir), "--json", env={"TOKEN_PIN": token.pin})
    assert only_mine.returncode == 0, only_mine.stderr
    report = json.loads(only_mine.stdout)
    assert report["count"] == 1 and report["ok"] is True
    [done] = report["signed"]
    assert done["record_id"] == mine.record_id and done["original_sha256"] == mine.sha256
    assert done["signature"]["valid"] and done["signature"]["signer"] == OFFICER_CN

    monkeypatch.setenv("TOKEN_PIN", token.pin)
    code, rest = run("warehouse", "sign", "--unsigned", "--pin-env", "TOKEN_PIN")
    assert code == 0 and rest.startswith(f"{other.record_id}: Đã ký số bởi {OFFICER_CN}")
    code, none_left = run("warehouse", "sign", "--unsigned", "--json")  # nothing to do: no PIN asked
    assert code == 0 and json.loads(none_left)["count"] == 0
    code, again = run("warehouse", "sign", mine.record_id, "--pin-env", "TOKEN_PIN", "--json")
    assert code == 0 and json.loads(again)["already_signed"][0]["record_id"] == mine.record_id
    assert run("warehouse", "sign")[0] == 2
    assert run("warehouse", "sign", mine.record_id, "--owner", CCCD)[0] == 2
