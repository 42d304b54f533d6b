"""Coverage-guided fuzzing of the same parsers with atheris (libFuzzer), for longer runs by hand.

    pip install 'atheris>=2.3'
    python tests/fuzz/atheris_targets.py cccd     -atheris_runs=200000
    python tests/fuzz/atheris_targets.py manifest -max_total_time=300
    python tests/fuzz/atheris_targets.py image    -max_total_time=300 CORPUS_DIR

Each target fails (and libFuzzer saves the input) on any exception that is not the application's
own :class:`MotCuaError`. ``tests/fuzz/test_fuzz_parsers.py`` runs the hypothesis versions in CI;
``test_atheris_targets_run`` runs each target briefly when atheris is installed.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import contextlib

from app.core.errors import MotCuaError


def cccd(data: bytes) -> None:
    from app.core.cccd import applicant_from_qr, looks_like_cccd_qr, parse_cccd_qr

    text = data.decode("utf-8", "replace")
    looks_like_cccd_qr(text)
    with contextlib.suppress(MotCuaError):
        applicant_from_qr(parse_cccd_qr(text))


def manifest(data: bytes) -> None:
    from app.store.backup_manifest import parse_manifest

    with contextlib.suppress(MotCuaError):
        parse_manifest(data)


_IMAGE = Path(tempfile.mkdtemp(prefix="motcua-atheris-")) / "input.bin"


def image(data: bytes) -> None:
    from app.scanning.loading import count_pages, load_page

    _IMAGE.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for index in range(min(count_pages(_IMAGE), 2)):
                load_page(_IMAGE, index)
    except MotCuaError:
        pass


def applicant_json(data: bytes) -> None:
    """What ``receive --applicant-json`` does with a file: bounded parse, applicant, cleaning, limits."""
    from app.core.input_rules import applicant_limit_errors, clean_applicant
    from app.core.json_input import parse_bounded
    from app.services.reception import applicant_from_dict

    with contextlib.suppress(MotCuaError):
        applicant = clean_applicant(applicant_from_dict(parse_bounded(data, "fuzz.json", "applicant_json")))
        applicant_limit_errors(applicant)


def separator(data: bytes) -> None:
    from app.core.separator import is_separator_text, parse_separator

    text = data.decode("utf-8", "replace")
    is_separator_text(text)
    with contextlib.suppress(MotCuaError):
        parse_separator(text)


def sync_change(data: bytes) -> None:
    """One change of the province's feed applied to a dossier (the sync protocol's answers)."""
    import json
    from datetime import datetime

    from app.core.applicant import Applicant
    from app.core.dossier import Dossier, DossierStatus
    from app.sync.merge import apply_change

    try:
        change = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return
    at = datetime(2026, 11, 18, 9, 15)
    dossier = Dossier(code="000.00.12.H29-261118-0001", procedure_code="1.001193", procedure_name="Khai sinh",
                      applicant=Applicant(full_name="Nguyễn Văn An"), received_at=at, due_at=at,
                      status=DossierStatus.RECEIVED)
    with contextlib.suppress(MotCuaError):
        apply_change(dossier, change, local_status_pending=False)


TARGETS: dict[str, Callable[[bytes], None]] = {"cccd": cccd, "manifest": manifest, "image": image,
                                               "applicant_json": applicant_json, "separator": separator,
                                               "sync_change": sync_change}


def main(argv: list[str]) -> None:
    import atheris

    target = TARGETS[argv[1]]
    with atheris.instrument_imports(include=["app"]):  # not numpy, Pillow, pikepdf: slow, not ours
        import app.core.cccd
        import app.core.input_rules
        import app.core.json_input
        import app.core.separator
        import app.scanning.loading
        import app.store.backup_manifest
        import app.sync.merge  # noqa: F401
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
