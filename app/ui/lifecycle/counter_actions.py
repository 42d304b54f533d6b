"""The dossier actions of the main window: the button row under the detail (only what the shown
dossier's status and the officer allow now, with shortcuts) and the one action dialog open at a time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from app.core.dossier import Dossier
from app.core.lifecycle import Action
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.ui.lifecycle.action_dialog import ActionDialog
from app.ui.lifecycle.actions_bar import ActionsBar
from app.ui.ops import TaskRunner


class CounterActions(QObject):
    """Owns :attr:`bar` (placed by the window) and :attr:`dialog`; ``on_done(Dossier)`` runs after
    each stored action (the window refreshes its list and detail, and wakes the sync)."""

    def __init__(self, window: QWidget, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 on_done: Callable[[Dossier], None]) -> None:
        super().__init__(window)
        self.window, self.ctx, self.runner, self.officer, self.on_done = window, ctx, runner, officer, on_done
        self.bar = ActionsBar(officer, window)
        self.bar.setObjectName("actionsBar")
        self.bar.requested.connect(self.open)
        window.addActions(list(self.bar.actions_by_name.values()))  # shortcuts work from the whole window
        self.dialog: ActionDialog | None = None

    def show_dossier(self, dossier: Dossier | None) -> None:
        self.bar.show_dossier(dossier)

    def open(self, action: Action) -> ActionDialog | None:
        """The dialog of ``action`` on the dossier shown, only when its status and the officer allow it."""
        dossier = self.bar.dossier
        if dossier is None or action not in self.bar.allowed():
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.reject()
        dialog = ActionDialog(self.ctx, self.runner, self.officer, dossier, action, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished_action.connect(self.on_done)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget(d))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
