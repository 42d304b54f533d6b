"""The administrator's pages: the account, the recovery secret, the provincial server, the calendar."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.core.calendar import CalendarDay
from app.services.station_setup.first_run import StationSetup, working_override
from app.ui.admin.recovery_secret_dialog import KEEP_VI, READ_VI, SECRET_STYLE, WHY_VI, secret_font
from app.ui.setup_wizard.base import SetupPage

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


class AccountPage(SetupPage):
    key = "account"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Tài khoản quản trị viên",
                         "Người quản trị tạo tài khoản cho cán bộ, đặt mã khôi phục và sao lưu dữ liệu.",
                         parent)
        form = QFormLayout()
        self.username = QLineEdit(setup.admin_username, self)
        self.username.setObjectName("adminUsername")
        self.full_name = QLineEdit(setup.admin_full_name, self)
        self.full_name.setObjectName("adminFullName")
        self.password = QLineEdit(self)
        self.password.setObjectName("adminPassword")
        self.again = QLineEdit(self)
        self.again.setObjectName("adminPasswordAgain")
        for box in (self.password, self.again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Tên đăng &nhập:", self.username)
        form.addRow("&Họ và tên:", self.full_name)
        form.addRow("&Mật khẩu:", self.password)
        form.addRow("Nhập &lại mật khẩu:", self.again)
        self.body.addLayout(form)
        self.finish_layout()

    def collect(self) -> None:
        self.setup.admin_username = self.username.text()
        self.setup.admin_full_name = self.full_name.text()
        self.setup.admin_password = self.password.text()
        self.setup.admin_password_again = self.again.text()


class SecretPage(SetupPage):
    """The recovery secret generated for this folder, kept only in memory until Finish."""

    key = "secret"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Mã khôi phục dữ liệu", "Mã này mở lại dữ liệu khi máy hỏng.", parent)
        if not setup.recovery_secret:
            note = QLabel("Thư mục dữ liệu đã có mã khôi phục. Muốn đổi mã, dùng Quản trị → "
                          "Đặt mã khôi phục dữ liệu…", self)
            note.setWordWrap(True)
            self.body.addWidget(note)
            self.kept = None
            self.finish_layout()
            return
        for text in (WHY_VI, KEEP_VI):
            label = QLabel(text, self)
            label.setWordWrap(True)
            self.body.addWidget(label)
        self.secret_label = QLabel(setup.recovery_secret, self)
        self.secret_label.setObjectName("secretLabel")
        self.secret_label.setFont(secret_font())
        self.secret_label.setStyleSheet(SECRET_STYLE)
        self.secret_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.secret_label)
        hint = QLabel(READ_VI + " Tờ mã có thể in sau ở Quản trị → Đặt mã khôi phục dữ liệu…", self)
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        row = QHBoxLayout()
        copy = QPushButton("&Sao chép mã", self)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(setup.recovery_secret))
        row.addWidget(copy)
        row.addStretch(1)
        self.body.addLayout(row)
        self.kept = QCheckBox("Tôi đã &ghi lại mã khôi phục và cất ở nơi an toàn", self)
        self.kept.setObjectName("secretKept")
        self.body.addWidget(self.kept)
        self.finish_layout()

    def collect(self) -> None:
        self.setup.secret_kept = self.kept is None or self.kept.isChecked()


class ServerPage(SetupPage):
    key = "server"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Máy chủ tỉnh", "Địa chỉ hệ thống thông tin giải quyết TTHC của tỉnh và "
                         "mã xác thực (token) của máy trạm.", parent)
        self.offline = QRadioButton("Tạm thời chỉ làm việc &ngoại tuyến (kết nối sau)", self)
        self.offline.setObjectName("offlineOnly")
        self.online = QRadioButton("&Kết nối máy chủ tỉnh", self)
        self.online.setObjectName("connectServer")
        (self.offline if setup.offline_only else self.online).setChecked(True)
        form = QFormLayout()
        self.url = QLineEdit(setup.server_url, self)
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("https://motcua.tinh.gov.vn")
        self.token = QLineEdit(self)
        self.token.setObjectName("stationToken")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Địa chỉ máy &chủ:", self.url)
        form.addRow("Mã xác thực (&token):", self.token)
        self.body.addWidget(self.offline)
        self.body.addWidget(self.online)
        self.body.addLayout(form)
        self.online.toggled.connect(self._toggled)
        self._toggled(self.online.isChecked())
        self.finish_layout()

    def _toggled(self, online: bool) -> None:
        self.url.setEnabled(online)
        self.token.setEnabled(online)

    def collect(self) -> None:
        self.setup.offline_only = self.offline.isChecked()
        self.setup.server_url = self.url.text().strip()
        self.setup.station_token = self.token.text().strip()


class CalendarPage(SetupPage):
    """The year's non-working weekdays and worked weekends; the administrator confirms or adds days."""

    key = "calendar"

    def __init__(self, setup: StationSetup, days: list[CalendarDay], parent: QWidget | None = None) -> None:
        super().__init__(setup, f"Lịch làm việc năm {setup.calendar_year}",
                         "Các ngày thường được nghỉ và các ngày cuối tuần phải làm việc (làm bù); "
                         "thời hạn giải quyết hồ sơ tính theo lịch này.", parent)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("calendarDays")
        self.table.setHorizontalHeaderLabels(["Ngày", "Làm việc / nghỉ", "Lý do"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for day in days:
            self._add_row(day.day.strftime("%d/%m/%Y"), day.day.weekday(), day.working, day.reason)
        self.table.resizeColumnsToContents()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.body.addWidget(self.table)
        row = QHBoxLayout()
        self.day = QDateEdit(QDate(setup.calendar_year, 1, 1), self)
        self.day.setObjectName("overrideDay")
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        self.kind = QComboBox(self)
        self.kind.setObjectName("overrideKind")
        self.kind.addItem("Nghỉ", False)
        self.kind.addItem("Làm việc", True)
        self.note = QLineEdit(self)
        self.note.setObjectName("overrideNote")
        self.note.setPlaceholderText("Lý do (ví dụ: nghỉ lễ của địa phương)")
        add = QPushButton("&Thêm ngày", self)
        add.setObjectName("addOverride")
        add.clicked.connect(self.add_override)
        for widget in (self.day, self.kind, self.note, add):
            row.addWidget(widget)
        self.body.addLayout(row)
        self.confirm = QCheckBox(f"Tôi đã &kiểm tra và xác nhận lịch làm việc năm {setup.calendar_year}",
                                 self)
        self.confirm.setObjectName("confirmCalendar")
        self.body.addWidget(self.confirm)
        self.body.addWidget(self.error)

    def _add_row(self, when: str, weekday: int, working: bool, reason: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = (f"{WEEKDAYS_VI[weekday]} {when}", "Làm việc" if working else "Nghỉ", reason)
        for column, text in enumerate(values):
            self.table.setItem(row, column, QTableWidgetItem(text))

    def add_override(self) -> None:
        chosen = self.day.date().toPython()
        working = bool(self.kind.currentData())
        note = self.note.text().strip() or "Điều chỉnh khi thiết lập"
        self.setup.overrides = [o for o in self.setup.overrides if o.day != chosen]
        self.setup.overrides.append(working_override(chosen, working, note))
        self._add_row(chosen.strftime("%d/%m/%Y"), chosen.weekday(), working, f"{note} (thêm mới)")
        self.table.resizeColumnToContents(0)
        self.table.scrollToBottom()
        self.note.clear()

    def collect(self) -> None:
        self.setup.calendar_confirmed = self.confirm.isChecked()
