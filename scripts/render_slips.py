"""Render every slip of the sample dossier to a folder, as PDF and as PNG (pdftoppm).

    .venv/bin/python scripts/render_slips.py [OUT_DIR] [--dpi 80] [--form-set TT01-2018|TT03-2025|all]

PNG pages are named <set>_mau<NN>-<page>.png. Without pdftoppm (poppler-utils) only PDFs are written.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.documents import FORM_SETS, render_form  # noqa: E402
from app.documents.sample import sample_dossier, sample_extra, sample_procedure, sample_profile  # noqa: E402


def render_all(out_dir: Path, form_sets: list[str], dpi: int = 80) -> list[Path]:
    """Write the PDFs (and PNGs when pdftoppm exists); return every file written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    procedure, profile = sample_procedure(), sample_profile()
    written: list[Path] = []
    for form_set in form_sets:
        dossier = replace(sample_dossier(), form_set=form_set)
        for form_no, spec in FORM_SETS[form_set].items():
            extra = sample_extra(form_no, spec.title)
            stem = f"{form_set}_mau{form_no}"
            pdf = out_dir / f"{stem}.pdf"
            pdf.write_bytes(render_form(form_no, dossier, procedure, profile, extra=extra))
            written.append(pdf)
            if pdftoppm:
                for old in out_dir.glob(f"{stem}-*.png"):
                    old.unlink()
                subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(pdf), str(out_dir / stem)], check=True)
                written += sorted(out_dir.glob(f"{stem}-*.png"))
    if not pdftoppm:
        print("pdftoppm not found (install poppler-utils): PNG previews skipped", file=sys.stderr)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=str(ROOT / "build" / "slips"))
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--form-set", default="all", choices=[*FORM_SETS, "all"])
    args = parser.parse_args(argv)
    sets = list(FORM_SETS) if args.form_set == "all" else [args.form_set]
    for path in render_all(Path(args.out_dir), sets, args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
