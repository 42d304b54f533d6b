"""The signature badges of a dossier's PDFs (pytest-qt, offscreen): checks off the GUI thread, green
for the officer's signature, marked "chưa ký số" otherwise, and "Ký số" with the token's PIN."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.documents.signing import SignatureLevel, SignatureStatus
from app.services.reception.dossiers import get_dossier
from app.services.warehouse import pdf_signing as service
from app.ui.ops import TaskRunner
from app.ui.warehouse.signature_badge import COLOURS, DossierSignatures, SignatureBadge, badge_text
from tests.signing.conftest import CLERK, OFFICER
from tests.signing.pki import OFFICER_CN, Token

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the station shows Vietnam time whatever the OS zone

pytestmark = pytest.mark.gui


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


def test_badge_words_and_colours(qtbot) -> None:  # type: ignore[no-untyped-def]
    at = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)
    good = SignatureStatus(True, True, True, OFFICER_CN, at, True, "ETSI.CAdES.detached", 1, "CA",
                           message="x")
    badge = SignatureBadge()
    qtbot.addWidget(badge)
    badge.set_status(good)
    assert badge.text() == f"✓ Đã ký số: {OFFICER_CN}, {at.astimezone(VIETNAM):%d/%m/%Y %H:%M}"
    assert COLOURS[SignatureLevel.VALID][0] in badge.styleSheet()
    badge.set_status(SignatureStatus(False, False, None))
    assert badge.text() == "✗ chưa ký số" and COLOURS[SignatureLevel.UNSIGNED][0] in badge.styleSheet()
    tampered = replace(good, intact=False, message="Chữ ký không hợp lệ (tài liệu đã bị sửa)")
    assert badge_text(tampered) == "✗ Chữ ký không hợp lệ (tài liệu đã bị sửa)"
    assert "chưa được tin cậy" in badge_text(replace(good, trusted=False))


def test_panel_verifies_off_thread_and_signs_with_pin(qtbot, ctx, scanned, runner: TaskRunner,
                                                      token: Token, tmp_path: Path) -> None:
    """GIVEN a dossier with one scanned, unsigned PDF WHEN shown THEN its badge says "chưa ký số";
    WHEN the officer presses "Ký số" and gives the PIN THEN the file is signed and, shown again, the
    badge is green with the officer's name."""
    panel = DossierSignatures(ctx, runner, OFFICER)
    qtbot.addWidget(panel)
    panel.resize(620, 220)
    panel.show_dossier(get_dossier(ctx, scanned.code))
    assert panel.badges[0].status is None  # the check is running in the background
    qtbot.waitUntil(lambda: panel.badges[0].status is not None, timeout=10_000)
    assert panel.badges[0].text() == "✗ chưa ký số"

    asked: list[str] = []
    panel.ask_secret = lambda prompt: asked.append(prompt) or token.pin  # type: ignore[func-returns-value]
    panel.table.selectRow(0)
    assert panel.sign_button.isEnabled()
    with qtbot.waitSignal(panel.signed, timeout=15_000):
        panel.sign_button.click()
    assert asked and token.label in asked[0]
    panel.show_dossier(get_dossier(ctx, scanned.code))
    qtbot.waitUntil(lambda: panel.badges[0].status is not None, timeout=10_000)
    status = panel.badges[0].status
    assert status is not None and status.ok and status.level is SignatureLevel.VALID
    assert panel.badges[0].text().startswith(f"✓ Đã ký số: {OFFICER_CN}, ")
    shots = tmp_path
    panel.grab().save(str(shots / "signature_panel.png"))


def test_wrong_pin_reported_and_forgotten(qtbot, ctx, scanned, runner: TaskRunner, token: Token) -> None:
    errors: list[BaseException] = []
    panel = DossierSignatures(ctx, runner, OFFICER, errors.append)
    qtbot.addWidget(panel)
    panel.show_dossier(get_dossier(ctx, scanned.code))
    panel.ask_secret = lambda _prompt: "000000"  # type: ignore[assignment]
    panel.table.selectRow(0)
    panel.sign_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=15_000)
    assert "Mã PIN" in errors[0].message_vi  # type: ignore[attr-defined]
    assert panel.pin.secret is None
    assert service.unsigned_pdfs(ctx, scanned.code) != []  # still unsigned


def test_clerk_cannot_press_sign(qtbot, ctx, scanned, runner: TaskRunner) -> None:
    panel = DossierSignatures(ctx, runner, CLERK)
    qtbot.addWidget(panel)
    panel.show_dossier(get_dossier(ctx, scanned.code))
    panel.table.selectRow(0)
    assert not panel.sign_button.isEnabled()
