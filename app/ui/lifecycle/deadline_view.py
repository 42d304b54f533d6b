"""How a deadline state looks at the counter (list, detail, filter): a colour, a small icon, a
Vietnamese label and a tooltip. A dossier waiting for supplements is paused, shown in a neutral
blue-grey with a pause sign, never red: the law stops its clock."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from app.core.deadlines import DEADLINE_LABELS_VI, DeadlineState

COLOURS = {
    DeadlineState.OVERDUE: "#c62828",
    DeadlineState.DUE_TODAY: "#e65100",
    DeadlineState.DUE_SOON: "#a66c00",
    DeadlineState.PAUSED: "#546e7a",
    DeadlineState.ON_TIME: "#2e7d32",
}
TOOLTIPS_VI = {
    DeadlineState.OVERDUE: "Đã quá ngày hẹn trả kết quả: xin lỗi và hẹn lại (Mẫu 04) nếu chưa làm.",
    DeadlineState.DUE_TODAY: "Hẹn trả kết quả trong hôm nay.",
    DeadlineState.DUE_SOON: "Còn không quá một ngày làm việc đến hẹn trả kết quả.",
    DeadlineState.PAUSED: "Đang chờ công dân bổ sung hồ sơ: thời hạn giải quyết tạm dừng, không tính "
                          "quá hạn; ngày hẹn được tính lại khi nhận đủ bổ sung.",
    DeadlineState.ON_TIME: "Còn trong hạn giải quyết.",
}
#: The deadline lists of the filter bar, as ``motcua dossier list --due`` names them.
FILTER_LABELS_VI = {
    DeadlineState.DUE_TODAY: "Đến hạn hôm nay",
    DeadlineState.DUE_SOON: "Đến hạn trong 1 ngày làm việc",
    DeadlineState.OVERDUE: "Quá hạn",
    DeadlineState.PAUSED: "Tạm dừng (chờ bổ sung)",
}


def label(state: DeadlineState) -> str:
    return DEADLINE_LABELS_VI[state]


def colour(state: DeadlineState) -> QColor | None:
    return QColor(COLOURS[state]) if state in COLOURS else None


@cache
def icon(state: DeadlineState) -> QIcon:
    """A 12-pixel sign: a filled dot for running deadlines, two bars (pause) for a paused one."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    if state in COLOURS:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(COLOURS[state]))
        if state is DeadlineState.PAUSED:
            painter.drawRect(QRectF(2, 1, 3, 10))
            painter.drawRect(QRectF(7, 1, 3, 10))
        else:
            painter.drawEllipse(QRectF(1, 1, 10, 10))
        painter.end()
    return QIcon(pixmap)


def badge_html(state: DeadlineState) -> str:
    """The state as the detail pane shows it (empty for a closed dossier)."""
    if state not in COLOURS:
        return ""
    sign = "⏸" if state is DeadlineState.PAUSED else "●"
    return (f"<span style='color:{COLOURS[state]}' title='{TOOLTIPS_VI[state]}'>{sign} "
            f"<b>{label(state)}</b></span><br><span style='color:#555'>{TOOLTIPS_VI[state]}</span>")
