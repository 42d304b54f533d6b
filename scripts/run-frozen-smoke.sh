#!/usr/bin/env bash
# The second stage of the checks: build the Linux one-folder app (./installer/build.sh) and run it
# headless, as a counter PC would, with nothing from the source tree or the venv:
#
#   1. motcua-desk --version                   the window's executable starts and names its version
#   2. motcua init --demo                      the CLI migrates a fresh data folder, loads the
#                                              bundled catalogue and the demo dossiers
#   3. motcua --json receive ... --receipt     a dossier received through the frozen CLI, Mẫu 01 written
#                                              (its text read back with pdftotext when installed)
#   4. motcua-desk --self-test                 the main window offscreen, a receipt exported and
#                                              printed to PDF through Qt, both read back
#
#   ./scripts/run-frozen-smoke.sh              build, then the four checks
#   ./scripts/run-frozen-smoke.sh --no-build   the checks on the existing dist/MotCuaDesk
#
# Everything runs in a temporary folder (data, keys, receipt); the last line is
# "frozen-smoke: N passed, N failed".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
build=1
[[ "${1:-}" == "--no-build" ]] && build=0
app="$root/dist/MotCuaDesk"
start=$SECONDS

if [[ $build == 1 ]]; then
    ./installer/build.sh || { echo "frozen-smoke: 0 passed, 1 failed (the build failed)"; exit 1; }
fi
build_seconds=$((SECONDS - start))
[[ -x "$app/motcua-desk" && -x "$app/motcua" ]] || {
    echo "frozen-smoke: 0 passed, 1 failed ($app has no motcua-desk and motcua)"; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/motcua-frozen.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
# A clean environment: no venv on PATH, no source tree on PYTHONPATH, keys kept in the temp folder.
clean=(env -i "HOME=$work/home" "PATH=/usr/bin:/bin" "LANG=C.UTF-8" "TMPDIR=$work"
       "MOTCUA_DATA_DIR=$work/data" "MOTCUA_SECRET_DIR=$work/config" "QT_QPA_PLATFORM=offscreen")
mkdir -p "$work/home"
cd "$work" || exit 1
passed=0
failed=0
check() {  # check NAME COMMAND...: run it, keep its output, count it
    local name="$1"; shift
    local t0=$SECONDS
    if "$@" >"$work/out.txt" 2>&1; then
        passed=$((passed + 1)); echo "frozen-smoke: ok   $name ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1)); echo "frozen-smoke: FAIL $name ($((SECONDS - t0)) s):"; sed 's/^/    /' "$work/out.txt" | tail -n 30
    fi
}

version="$(cd "$root" && sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)"
version_shown() { "${clean[@]}" "$app/motcua-desk" --version | tee /dev/stderr | grep -qx "MotCua Desk $version"; }
check "motcua-desk --version" version_shown
check "motcua init --demo" "${clean[@]}" "$app/motcua" init --demo
qr="001190012345|012345678|Nguyễn Thị Hoa|15031990|Nữ|Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021"
receive() {
    "${clean[@]}" "$app/motcua" --json receive --procedure 1.001193 --applicant-qr "$qr" \
        --receipt "$work/receipt.pdf" >"$work/receive.json" || { cat "$work/receive.json"; return 1; }
    cat "$work/receive.json"
    local code
    code="$(sed -n 's/.*"code": *"\([^"]*\)".*/\1/p' "$work/receive.json" | head -n 1)"
    [[ -n "$code" && -s "$work/receipt.pdf" ]] || { echo "no dossier code or no receipt"; return 1; }
    "${clean[@]}" "$app/motcua" --json dossier show "$code" | grep -q "\"$code\"" || return 1
    if command -v pdftotext >/dev/null 2>&1; then
        pdftotext "$work/receipt.pdf" - | tr -s ' \n' ' ' | grep -q "$code" || { echo "receipt lacks $code"; return 1; }
    fi
}
check "motcua receive (and dossier show, Mẫu 01 read back)" receive
check "motcua-desk --self-test" "${clean[@]}" "$app/motcua-desk" --self-test
cat "$work/out.txt" | sed 's/^/    /'

echo "frozen-smoke: build ${build_seconds} s, checks $((SECONDS - start - build_seconds)) s, $(du -sh "$app" | cut -f1) in $app"
echo "frozen-smoke: $passed passed, $failed failed"
[[ $failed == 0 ]]
