"""Screenshots of the administrator's recovery secret (issue 7): the dialog of the first run
(``24_recovery_secret.png``), the main window's reminder bar (``24_recovery_bar.png``) and the printed
slip (``slips/recovery_secret.pdf`` and its PNG through pdftoppm).

    .venv/bin/python scripts/screenshots_recovery.py [--out docs/screenshots]

Runs under Xvfb when it is installed and there is no display (as ``scripts/screenshots.py``), else on
Qt's offscreen platform; a fresh demo database in a temporary folder; writes only its own pictures.
The secret shown is a fixed example, not one of any real data folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Throwaway demo folders are encrypted at rest: their keys go to the test suite's file keyring
# (tests/keyring_backend.py), never to this machine's keyring (and it works without one, e.g. Xvfb).
from tests.keyring_backend import install_for_session  # noqa: E402

install_for_session()

EXAMPLE_SECRET = "7KQM-3XTD-HW9P-RB4N-ZC6F-L2VA"


def shoot_recovery(s, ctx, out: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services.admin import auth
    from app.services.admin import data_keys as keys_service
    from app.ui.admin.recovery_secret_dialog import RecoverySecretDialog
    from app.ui.main_window import MainWindow
    from app.ui.ops import TaskRunner
    from scripts.screenshots import DEMO_NOW, PASSWORD

    admin = auth.create_user(ctx, "admin", "Phạm Thu Hà", PASSWORD, auth.Role.ADMIN, by=None)
    runner = TaskRunner()
    original = keys_service.new_secret
    keys_service.new_secret = lambda: EXAMPLE_SECRET  # type: ignore[assignment]
    try:
        dialog = RecoverySecretDialog(ctx, runner, admin, first_run=True)
    finally:
        keys_service.new_secret = original  # type: ignore[assignment]
    dialog.show()
    s.shoot(dialog, "24_recovery_secret")
    dialog.reject()

    window = MainWindow(ctx, officer=admin)
    window.resize(1400, 820)
    window.show()
    s.wait(lambda: window.recovery.bar is not None and window.recovery.bar.isVisible()
           and window.model.total is not None and not window.model.loading)
    s.shoot(window, "24_recovery_bar")
    window.close()
    runner.shutdown()

    slips = out / "slips"
    slips.mkdir(parents=True, exist_ok=True)
    pdf = slips / "recovery_secret.pdf"
    pdf.write_bytes(keys_service.recovery_slip(ctx, admin, EXAMPLE_SECRET, day=DEMO_NOW.date()))
    print(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        subprocess.run([pdftoppm, "-r", "80", "-png", str(pdf), str(slips / "recovery_secret")], check=True)
        print(slips / "recovery_secret-1.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--offscreen", action="store_true", help="Qt's offscreen platform, not Xvfb")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    xvfb = shutil.which("xvfb-run")
    if not args.offscreen and not args.inner and not os.environ.get("DISPLAY") and xvfb:
        from scripts.screenshots import SCREEN

        command = [xvfb, "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, str(Path(__file__).resolve()),
                   "--out", args.out, "--inner"]
        return subprocess.run(command, check=False).returncode
    if args.offscreen or not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from app.services.admin.setup import init
    from app.services.context import AppContext
    from app.ui.fonts import install_bundled_fonts
    from scripts.screenshots import DEMO_NOW, Shooter

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_bundled_fonts(app)
    shooter = Shooter(app, out)
    with tempfile.TemporaryDirectory(prefix="motcua-recovery-shots-") as folder:
        ctx = AppContext.open(Path(folder) / "data")
        try:
            init(ctx, demo=True, now=DEMO_NOW, demo_count=20)
            shoot_recovery(shooter, ctx, out)
        finally:
            ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
