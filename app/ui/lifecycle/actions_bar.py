"""The row of action buttons under the dossier detail: only the actions the dossier's status and
the officer's permissions allow now, each with its shortcut (see :data:`SHORTCUTS`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.dossier import Dossier
from app.core.lifecycle import ACTIONS, Action, allowed_actions
from app.services.admin.auth import Officer, Permission

#: The actions offered in the main window, in button order, with their shortcuts. (Receive is
#: Ctrl+N and return F9, in the Hồ sơ menu.)
SHORTCUTS: dict[Action, str] = {
    Action.HANDOVER: "F2",
    Action.SUPPLEMENT_REQUEST: "F3",
    Action.SUPPLEMENT_RECEIVE: "F4",
    Action.DONE: "F6",
    Action.POSTPONE: "F8",
    Action.REFUSE: "Ctrl+Shift+T",
    Action.STOP: "Ctrl+Shift+X",
    Action.WITHDRAW: "Ctrl+Shift+W",
}

BUTTONS_PER_ROW = 3


class ActionsBar(QWidget):
    """``requested(Action)`` when a button or its shortcut is used for the dossier shown."""

    requested = Signal(object)

    def __init__(self, officer: Officer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.officer = officer
        self.dossier: Dossier | None = None
        # Buttons wrap onto rows of BUTTONS_PER_ROW: one long row would force the detail pane wide
        # and squeeze the dossier list.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        self.hint = QLabel("Thao tác:", self)
        outer.addWidget(self.hint)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.grid)
        self.buttons: dict[Action, QPushButton] = {}
        self.actions_by_name: dict[Action, QAction] = {}
        for action, keys in SHORTCUTS.items():
            button = QPushButton(f"{ACTIONS[action].label_vi} ({keys})", self)
            button.setObjectName(f"action_{action.value}")
            button.clicked.connect(lambda _checked=False, a=action: self.trigger(a))
            self.buttons[action] = button
            shortcut = QAction(ACTIONS[action].label_vi, self)
            shortcut.setShortcut(QKeySequence(keys))
            shortcut.triggered.connect(lambda _checked=False, a=action: self.trigger(a))
            self.actions_by_name[action] = shortcut
        self.show_dossier(None)

    def allowed(self) -> list[Action]:
        """The offered actions the dossier's status and the officer's permissions allow now."""
        if self.dossier is None:
            return []
        return [a for a in allowed_actions(self.dossier.status)
                if a in SHORTCUTS and self.officer.can(Permission(ACTIONS[a].permission))]

    def show_dossier(self, dossier: Dossier | None) -> None:
        self.dossier = dossier
        allowed = set(self.allowed())
        for button in self.buttons.values():
            self.grid.removeWidget(button)
        shown = 0
        for action, button in self.buttons.items():
            button.setVisible(action in allowed)
            self.actions_by_name[action].setEnabled(action in allowed)
            if action in allowed:
                self.grid.addWidget(button, shown // BUTTONS_PER_ROW, shown % BUTTONS_PER_ROW)
                shown += 1
        self.hint.setText("Thao tác:" if allowed else
                          "Không còn thao tác nào cho hồ sơ này." if dossier is not None else "")

    def trigger(self, action: Action) -> None:
        if action in self.allowed():
            self.requested.emit(action)
