"""The status bar's line about a finished run says how it really ended."""

from __future__ import annotations

from app.services.sync import SyncRun
from app.ui.sync_indicator import run_message
from app.ui.sync_worker import RunReport


def message(**kwargs: object) -> str:
    return run_message(RunReport(SyncRun(**kwargs), None))  # type: ignore[arg-type]


def test_every_ending_has_its_own_line():
    assert message(sent=3, completed=True) == "Đã gửi 3 mục, nhận 0 thay đổi, lỗi 0."
    partial = message(sent=1, failed=1, completed=True, error_vi="Thủ tục X không có trong danh mục.")
    assert "chưa trọn vẹn" in partial and "Thủ tục X" in partial
    for ending in ({"auth_error": True}, {"offline": True}, {"server_error": True}, {"locked": True}):
        assert message(error_vi="Lý do.", **ending) == "Chưa đồng bộ được: Lý do."
    warned = message(completed=True, clock_warning_vi="Đồng hồ máy trạm lệch 10 phút so với máy chủ tỉnh.")
    assert warned.endswith("lệch 10 phút so với máy chủ tỉnh.")
