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


TARGETS: dict[str, Callable[[bytes], None]] = {"cccd": cccd, "manifest": manifest, "image": image}


def main(argv: list[str]) -> None:
    import atheris

    target = TARGETS[argv[1]]
    with atheris.instrument_imports(include=["app"]):  # not numpy, Pillow, pikepdf: slow, not ours
        import app.core.cccd
        import app.scanning.loading
        import app.store.backup_manifest  # noqa: F401
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
