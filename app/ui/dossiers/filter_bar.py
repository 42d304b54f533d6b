"""The search box and the list filters (status, procedure, channel, period) of the main window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QToolBar, QWidget

from app.core.clock import vn_today
from app.core.dossier import Channel, DossierStatus
from app.core.procedure import Procedure
from app.ui.dossiers.dossier_detail import CHANNEL_VI
from app.ui.lifecycle.deadline_view import FILTER_LABELS_VI, icon

SEARCH_DEBOUNCE_MS = 250
CUSTOM_PERIOD = "custom"
PERIODS = (("Mọi thời gian", None), ("Hôm nay", 0), ("7 ngày qua", 6), ("30 ngày qua", 29),
           ("Tháng này", "month"), ("Khoảng ngày…", CUSTOM_PERIOD))


@dataclass(frozen=True)
class DossierFilter:
    """What the officer asked the list to show (all parts optional)."""

    text: str | None = None
    status: int | None = None
    procedure_code: str | None = None
    channel: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    #: A deadline list (``today``, ``soon``, ``overdue``, ``paused``, as ``dossier list --due``):
    #: it stands alone, like the CLI's option, so the other filters are set aside while it is chosen.
    due: str | None = None

    def as_kwargs(self) -> dict[str, object]:
        return {"status": self.status, "procedure_code": self.procedure_code, "channel": self.channel,
                "received_from": self.received_from, "received_to": self.received_to}


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def period_range(period: object, today: date) -> tuple[date | None, date | None]:
    """The received-date range of a preset period (``None`` = no limit)."""
    if period is None:
        return None, None
    if period == "month":
        return today.replace(day=1), today
    return today - timedelta(days=int(period)), today  # type: ignore[call-overload]


class FilterBar(QToolBar):
    """Emits ``changed`` (debounced for typing) whenever the filter changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__("Tìm kiếm và lọc", parent)
        self.setMovable(False)
        self._today = today
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Tìm theo mã hồ sơ, tên, CCCD, điện thoại, thủ tục… (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(300)
        self.search_box.textChanged.connect(lambda _t: self._timer.start())
        self.search_box.returnPressed.connect(self._emit_now)
        self.status_filter = self._combo("statusFilter", "Tất cả trạng thái",
                                         [(f"{int(s)}. {s.label_vi}", int(s)) for s in DossierStatus])
        self.procedure_filter = self._combo("procedureFilter", "Tất cả thủ tục", [])
        self.channel_filter = self._combo("channelFilter", "Mọi kênh",
                                          [(CHANNEL_VI[c], int(c)) for c in Channel])
        self.period_filter = self._combo("periodFilter", PERIODS[0][0], list(PERIODS[1:]))
        self.deadline_filter = self._combo("deadlineFilter", "Mọi hạn xử lý",
                                           [(text, state.value) for state, text in FILTER_LABELS_VI.items()])
        for row, state in enumerate(FILTER_LABELS_VI, start=1):
            self.deadline_filter.setItemIcon(row, icon(state))
        self.deadline_filter.setToolTip("Danh sách theo hạn xử lý (đến hạn hôm nay, trong 1 ngày làm việc, "
                                        "quá hạn, tạm dừng chờ bổ sung); khi chọn, bỏ qua các bộ lọc khác.")
        self.date_from = self._date_edit("dateFrom")
        self.date_to = self._date_edit("dateTo")
        self.addWidget(QLabel(" Tìm: ", self))
        self.addWidget(self.search_box)
        for widget in (self.deadline_filter, self.status_filter, self.procedure_filter, self.channel_filter,
                       self.period_filter):
            self.addSeparator()
            self.addWidget(widget)
        self._from_action = self.addWidget(self.date_from)
        self._to_action = self.addWidget(self.date_to)
        self._show_custom_dates(visible=False)

    def _combo(self, name: str, everything: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Long labels ("6. Yêu cầu thực hiện nghĩa vụ tài chính") must not push the date range off
        # the bar: the closed combo shows ~11 characters, its popup shows everything.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(11)
        combo.view().setMinimumWidth(360)
        combo.addItem(everything, None)
        for text, value in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _i: self._on_combo(combo))
        return combo

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        today = self._today or vn_today()
        edit.setDate(QDate(today.year, today.month, today.day))
        edit.dateChanged.connect(lambda _d: self._timer.start())
        return edit

    def _on_combo(self, combo: QComboBox) -> None:
        if combo is self.period_filter:
            self._show_custom_dates(visible=combo.currentData() == CUSTOM_PERIOD)
        if combo is self.deadline_filter:
            alone = combo.currentData() is not None
            for other in (self.search_box, self.status_filter, self.procedure_filter, self.channel_filter,
                          self.period_filter, self.date_from, self.date_to):
                other.setEnabled(not alone)
        self._emit_now()

    def _show_custom_dates(self, *, visible: bool) -> None:
        self._from_action.setVisible(visible)
        self._to_action.setVisible(visible)

    def _emit_now(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def set_procedures(self, procedures: list[Procedure]) -> None:
        """Fill the procedure filter (the catalogue is loaded in the background)."""
        for procedure in sorted(procedures, key=lambda p: p.name):
            self.procedure_filter.addItem(f"{procedure.code} — {procedure.name}", procedure.code)
            self.procedure_filter.setItemData(self.procedure_filter.count() - 1, procedure.name,
                                              Qt.ItemDataRole.ToolTipRole)

    def current(self) -> DossierFilter:
        due = self.deadline_filter.currentData()
        if due is not None:
            return DossierFilter(due=due)
        period = self.period_filter.currentData()
        if period == CUSTOM_PERIOD:
            start, end = _to_date(self.date_from.date()), _to_date(self.date_to.date())
            received_from, received_to = min(start, end), max(start, end)
        else:
            received_from, received_to = period_range(period, self._today or vn_today())
        return DossierFilter(
            text=self.search_box.text().strip() or None,
            status=self.status_filter.currentData(),
            procedure_code=self.procedure_filter.currentData(),
            channel=self.channel_filter.currentData(),
            received_from=received_from,
            received_to=received_to,
        )
