"""Signing the box from the batch screen (pytest-qt, offscreen, real SoftHSM2 token): "Ký số cả lô…"
signs the batch's recorded documents not signed yet, off the GUI thread, with the PIN asked once per
session; a set-aside document is left alone; the records then verify as signed, and the tree says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.warehouse import ResultMetadata
from app.services.batch import recording as batch_records
from app.services.batch import set_aside
from app.services.batch.engine import run_batch
from app.services.batch.lifecycle import start_batch
from app.services.context import AppContext
from app.services.warehouse import record_signing as service
from app.services.warehouse import records as warehouse
from app.ui.batch.screen import BatchScreen
from app.ui.ops import TaskRunner
from tests.batch.batch_helpers import TYPE, make_stack
from tests.signing.conftest import CLERK, OFFICER
from tests.signing.pki import OFFICER_CN, Token

pytestmark = pytest.mark.gui


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


@pytest.fixture
def batch_id(ctx: AppContext, tmp_path: Path) -> int:
    """Three one-page documents: the first two recorded, the third set aside."""
    make_stack(tmp_path / "stack", "KTSTST")
    batch = start_batch(ctx, f"folder:{tmp_path / 'stack'}", officer=CLERK)
    run_batch(ctx, batch.id, officer=CLERK)
    for number in (0, 1):
        batch_records.record_document(ctx, batch.id, number, _metadata(str(12 + number)), CLERK)
    set_aside.set_aside_document(ctx, batch.id, 2, CLERK, set_aside.SET_ASIDE_REASONS[1])
    return batch.id


def _metadata(number: str) -> ResultMetadata:
    return ResultMetadata(type_code=TYPE, number=number, symbol="2019", issued_on=date(2019, 3, 5),
                          issuer="UBND phường Bến Nghé", owner_name="Nguyễn Thị Hoa",
                          owner_id_number="001190012345")


def _open(qtbot, ctx: AppContext, runner: TaskRunner, batch_id: int, officer=OFFICER) -> BatchScreen:  # type: ignore[no-untyped-def]
    screen = BatchScreen(ctx, runner, officer)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignals([screen.finished, screen.signatures_shown], timeout=60_000):
        screen.open_batch(batch_id)
    return screen


def _tree(screen: BatchScreen) -> list[str]:
    return [screen.tree.topLevelItem(i).text(1) for i in range(screen.tree.topLevelItemCount())]


def test_the_clerk_signs_the_box_with_one_pin(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                             batch_id: int, token: Token) -> None:
    screen = _open(qtbot, ctx, runner, batch_id)
    first, second = batch_records.batch_record_ids(ctx, batch_id)
    assert _tree(screen) == [f"đã nhập {first}", f"đã nhập {second}",
                             "⊘ Để riêng: Không phải kết quả giải quyết TTHC"]
    assert screen.sign_button.isEnabled()
    asked: list[str] = []
    questions: list[str] = []
    screen.ask_secret = lambda prompt: asked.append(prompt) or token.pin  # type: ignore[func-returns-value]
    screen.confirm = lambda question: questions.append(question) or True  # type: ignore[func-returns-value]
    with qtbot.waitSignal(screen.signing_done, timeout=30_000) as done:
        screen.sign_button.click()
    report = done.args[0]
    assert isinstance(report, service.SignReport) and report.ok
    assert [s.record.record_id for s in report.signed] == [first, second]
    assert len(asked) == 1 and token.label in asked[0] and "Ký số 2 giấy tờ" in questions[0]
    assert screen.message.text() == "Đã ký số 2 giấy tờ." and not screen.sign_bar.isVisible()
    qtbot.waitUntil(lambda: _tree(screen)[0].endswith("✓ đã ký"), timeout=10_000)
    assert _tree(screen) == [f"đã nhập {first} — ✓ đã ký", f"đã nhập {second} — ✓ đã ký",
                             "⊘ Để riêng: Không phải kết quả giải quyết TTHC"]
    for state in batch_records.batch_signatures(ctx, batch_id):
        assert state.signed
    for record_id in (first, second):
        view = service.record_signature(ctx, warehouse.get_record(ctx, record_id))
        assert view.validly_signed and view.status is not None and view.status.signer == OFFICER_CN
    assert not screen.sign_button.isEnabled()  # nothing left to sign

    # the set-aside document is put back and recorded: signed with the session's PIN, not asked again
    set_aside.restore_document(ctx, batch_id, 2, CLERK)
    third = batch_records.record_document(ctx, batch_id, 2, _metadata("14"), CLERK)
    with qtbot.waitSignals([screen.finished, screen.signatures_shown], timeout=60_000):
        screen.open_batch(batch_id)
    assert screen.sign_button.isEnabled()
    with qtbot.waitSignal(screen.signing_done, timeout=30_000) as done:
        screen.sign_button.click()
    assert [s.record.record_id for s in done.args[0].signed] == [third.record_id] and len(asked) == 1
    qtbot.waitUntil(lambda: _tree(screen)[2] == f"đã nhập {third.record_id} — ✓ đã ký", timeout=10_000)


def test_a_wrong_pin_is_forgotten_and_nothing_is_signed(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                                        batch_id: int) -> None:
    screen = _open(qtbot, ctx, runner, batch_id)
    screen.ask_secret = lambda _prompt: "000000"  # type: ignore[assignment]
    screen.confirm = lambda _question: True  # type: ignore[assignment]
    with qtbot.waitSignal(screen.signing_done, timeout=30_000):
        screen.sign_button.click()
    assert "Mã PIN" in screen.message.text() and screen.pin.secret is None
    assert screen.sign_button.isEnabled()
    assert batch_records.batch_record_ids(ctx, batch_id, unsigned_only=True) == \
        batch_records.batch_record_ids(ctx, batch_id)


def test_a_clerk_records_but_cannot_sign_the_box(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                                  batch_id: int) -> None:
    screen = _open(qtbot, ctx, runner, batch_id, officer=CLERK)
    assert not screen.sign_button.isEnabled() and "chứng thư số" in screen.sign_button.toolTip()
