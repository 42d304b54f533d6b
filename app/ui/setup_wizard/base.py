"""What every page of the set-up wizard shares: the answers object and a red line for the page's error."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from app.core.errors import MotCuaError
from app.services.station_setup.first_run import StationSetup, validate_page

ERROR_STYLE = "color: #c62828; font-weight: bold;"


class SetupPage(QWizardPage):
    """A page that copies its widgets into :attr:`setup` and checks them with the service before
    the wizard moves on; the Vietnamese message stays on the page."""

    key = ""  # the page's name in app.services.station_setup.first_run.PAGES

    def __init__(self, setup: StationSetup, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.setObjectName(f"setupPage_{self.key}")
        self.body = QVBoxLayout(self)
        self.error = QLabel("", self)
        self.error.setObjectName("pageError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        self.body.addWidget(self.error)

    def collect(self) -> None:
        """Copy the widgets' values into :attr:`setup`."""

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        self.collect()
        try:
            validate_page(self.key, self.setup)
        except MotCuaError as error:
            self.error.setText(error.message_vi)
            return False
        self.error.clear()
        return True
