"""The office's pages: agency, station and its number block, office hours, form set, printer and scanner."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from shiboken6 import isValid

from app.core.errors import MotCuaError
from app.services.station_setup import device_check
from app.services.station_setup.first_run import PDF_ONLY, StationSetup, form_sets
from app.ui.ops import TaskRunner
from app.ui.setup_wizard.base import SetupPage

NO_SCANNER = ""


class AgencyPage(SetupPage):
    key = "agency"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Cơ quan", "Tên và mã định danh của cơ quan có Bộ phận Một cửa này "
                         "(mã in trong mã số hồ sơ).", parent)
        form = QFormLayout()
        self.name = QLineEdit(setup.agency_name, self)
        self.name.setObjectName("agencyName")
        self.name.setPlaceholderText("Ví dụ: UBND phường Sài Gòn")
        self.code = QLineEdit(setup.agency_code, self)
        self.code.setObjectName("agencyCode")
        self.code.setPlaceholderText("Ví dụ: H29.30.01")
        form.addRow("&Tên cơ quan:", self.name)
        form.addRow("&Mã định danh cơ quan:", self.code)
        self.body.addLayout(form)
        self.finish_layout()

    def collect(self) -> None:
        self.setup.agency_name = self.name.text()
        self.setup.agency_code = self.code.text().strip()


class StationPage(SetupPage):
    key = "station"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Máy trạm và giờ làm việc",
                         "Mỗi quầy cấp số hồ sơ trong dải số riêng để hai quầy không bao giờ trùng số.",
                         parent)
        form = QFormLayout()
        self.name = QLineEdit(setup.station_name, self)
        self.name.setObjectName("stationName")
        self.name.setPlaceholderText("Ví dụ: Quầy số 1")
        block = QHBoxLayout()
        self.first = QSpinBox(self)
        self.first.setObjectName("blockFirst")
        self.last = QSpinBox(self)
        self.last.setObjectName("blockLast")
        for box, value in ((self.first, setup.block_first), (self.last, setup.block_last)):
            box.setRange(0, 9999)
            box.setValue(value)
        block.addWidget(self.first)
        block.addWidget(QLabel("đến", self))
        block.addWidget(self.last)
        block.addStretch(1)
        self.hours = QLineEdit(setup.office_hours, self)
        self.hours.setObjectName("officeHours")
        self.hours.setToolTip("Các buổi làm việc, cách nhau bằng dấu phẩy: 07:30-11:30,13:30-17:00")
        form.addRow("&Tên máy trạm (quầy):", self.name)
        form.addRow("Dải số hồ sơ trong ngày:", block)
        form.addRow("&Giờ làm việc:", self.hours)
        self.body.addLayout(form)
        self.finish_layout()

    def collect(self) -> None:
        self.setup.station_name = self.name.text()
        self.setup.block_first = self.first.value()
        self.setup.block_last = self.last.value()
        self.setup.office_hours = self.hours.text()


class FormsPage(SetupPage):
    key = "forms"

    def __init__(self, setup: StationSetup, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Bộ biểu mẫu",
                         "Căn cứ pháp lý của các mẫu phiếu in khi tiếp nhận và trả kết quả.", parent)
        self.choices: dict[str, QRadioButton] = {}
        for code, basis in form_sets():
            button = QRadioButton(f"{code} — {basis}", self)
            button.setObjectName(f"formSet_{code}")
            button.setChecked(code == setup.form_set)
            self.choices[code] = button
            self.body.addWidget(button)
        self.finish_layout()

    def collect(self) -> None:
        self.setup.form_set = next((c for c, b in self.choices.items() if b.isChecked()), "")


class DevicesPage(SetupPage):
    """Printer (or PDF only) and scanner; the scanners are looked for, and tested, in the background."""

    key = "devices"

    def __init__(self, setup: StationSetup, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(setup, "Máy in và máy quét",
                         "Chọn máy in phiếu và máy quét giấy tờ của quầy; có thể quét thử một trang.", parent)
        self.runner = runner
        self.testing = False
        self.searched = False
        form = QFormLayout()
        self.printer = QComboBox(self)
        self.printer.setObjectName("printerChoice")
        self.printer.addItem("Chỉ xuất tệp PDF (chưa có máy in)", PDF_ONLY)
        for name in QPrinterInfo.availablePrinterNames():
            self.printer.addItem(name, name)
        self._select(self.printer, setup.printer)
        self.scanner = QComboBox(self)
        self.scanner.setObjectName("scannerChoice")
        self.scanner.addItem("Không dùng máy quét", NO_SCANNER)
        if setup.scanner:
            self.scanner.addItem(setup.scanner, setup.scanner)
            self._select(self.scanner, setup.scanner)
        buttons = QHBoxLayout()
        self.find_button = QPushButton("&Tìm máy quét", self)
        self.find_button.setObjectName("findScanners")
        self.find_button.clicked.connect(self.find_scanners)
        self.test_button = QPushButton("&Quét thử", self)
        self.test_button.setObjectName("testScan")
        self.test_button.clicked.connect(self.test_scan)
        buttons.addWidget(self.find_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        form.addRow("Máy &in:", self.printer)
        form.addRow("Máy &quét:", self.scanner)
        form.addRow("", buttons)
        self.body.addLayout(form)
        self.status = QLabel("", self)
        self.status.setObjectName("scanStatus")
        self.status.setWordWrap(True)
        self.preview = QLabel(self)
        self.preview.setObjectName("scanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.status)
        self.body.addWidget(self.preview)
        self.finish_layout()

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        if not self.searched:  # once: coming back to the page keeps what was found
            self.searched = True
            self.find_scanners()

    def find_scanners(self) -> None:
        self.find_button.setEnabled(False)
        self.status.setText("Đang tìm máy quét…")
        self.runner.run_work(device_check.scanners, self._found, self._failed)

    def _found(self, found: list[tuple[str, str]]) -> None:
        if not isValid(self):  # the wizard was closed while the scanner worked
            return
        self.find_button.setEnabled(True)
        current = self.scanner.currentData()
        for uri, label in found:
            if self.scanner.findData(uri) < 0:
                self.scanner.addItem(f"{label} ({uri})", uri)
        if found and not current:
            self._select(self.scanner, found[0][0])
        else:
            self._select(self.scanner, current)
        self.status.setText(f"Tìm thấy {len(found)} máy quét." if found else
                            "Không tìm thấy máy quét nào; có thể chọn sau.")

    def test_scan(self) -> None:
        uri = self.scanner.currentData()
        if not uri:
            self.status.setText("Hãy chọn máy quét trước khi quét thử.")
            return
        self.testing = True
        self.test_button.setEnabled(False)
        self.status.setText("Đang quét thử một trang…")
        self.runner.run_work(lambda: device_check.test_scan(uri), self._tested, self._failed)

    def _tested(self, result: device_check.TestScan) -> None:
        if not isValid(self):  # the wizard was closed while the scanner worked
            return
        self.testing = False
        self.test_button.setEnabled(True)
        self.status.setText(result.message_vi)
        thumb = result.thumbnail
        image = QImage(thumb.data, thumb.shape[1], thumb.shape[0], thumb.strides[0],
                       QImage.Format.Format_RGB888).copy()
        self.preview.setPixmap(QPixmap.fromImage(image))

    def _failed(self, error: BaseException) -> None:
        if not isValid(self):  # the wizard was closed while the scanner worked
            return
        self.testing = False
        self.find_button.setEnabled(True)
        self.test_button.setEnabled(True)
        message = error.message_vi if isinstance(error, MotCuaError) else str(error)
        self.status.setText(f"Máy quét báo lỗi: {message}")

    def collect(self) -> None:
        self.setup.printer = self.printer.currentData() or PDF_ONLY
        self.setup.scanner = self.scanner.currentData() or NO_SCANNER
