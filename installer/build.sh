#!/usr/bin/env bash
# Build the Linux one-folder app dist/MotCuaDesk/ (executables motcua-desk and motcua) with PyInstaller.
#
#   ./installer/build.sh            build into dist/MotCuaDesk (work files in build/pyinstaller)
#   ./installer/build.sh --deb      also package it as dist/motcua-desk_<version>_<arch>.deb
#
# Uses the project's virtual environment ($MOTCUA_VENV, default .venv) with the "freeze" extra
# (PyInstaller), installed by ./scripts/setup.sh. Prints the build time and the folder's size.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${MOTCUA_VENV:-$root/.venv}"
python="$venv/bin/python"
deb=0
for arg in "$@"; do
    case "$arg" in
        --deb) deb=1 ;;
        -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "build: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
    echo "build: PyInstaller is missing from $venv; run ./scripts/setup.sh (it installs the "freeze" extra)" >&2
    exit 1
fi

start=$SECONDS
rm -rf -- dist/MotCuaDesk
"$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/motcua.spec
# OCR models: app.scanning.ocr looks for tessdata/ beside the executables of a frozen build
for tessdata in /usr/share/tesseract-ocr/5/tessdata /usr/share/tesseract-ocr/4.00/tessdata /usr/share/tessdata; do
    if [[ -f "$tessdata/vie.traineddata" ]]; then
        mkdir -p dist/MotCuaDesk/tessdata
        cp "$tessdata"/{vie,eng}.traineddata dist/MotCuaDesk/tessdata/ 2>/dev/null || true
        break
    fi
done
seconds=$((SECONDS - start))
size="$(du -sh dist/MotCuaDesk | cut -f1)"
echo "build: dist/MotCuaDesk built in ${seconds} s, ${size} ($(find dist/MotCuaDesk -type f | wc -l) files)"

if [[ $deb == 1 ]]; then
    bash "$root/installer/linux/build-deb.sh"
fi
