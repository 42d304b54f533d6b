#!/usr/bin/env bash
# Install what is missing, fill a demo data folder (first time only) and open MotCua Desk on it.
#
#   ./scripts/run-demo.sh                 open the app on the demo data (needs a display)
#   ./scripts/run-demo.sh --headless      no display: run it under Xvfb (or Qt offscreen); nothing is shown
#   ./scripts/run-demo.sh --quit-after N  close the app after N seconds (a smoke test)
#   ./scripts/run-demo.sh -- ARGS         pass ARGS on to `python -m app`
#
# The demo data lives in $MOTCUA_DATA_DIR, default ~/.local/share/MotCuaDesk-demo, kept apart
# from a real office's data. Delete that folder to start the demo afresh. Sign in as "admin" with
# the password "matkhau-demo-2026" (the demo's administrator, made with the demo data).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
headless=0
quit_after=""
app_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --headless) headless=1 ;;
        --quit-after) quit_after="${2:?--quit-after needs a number of seconds}"; shift ;;
        --quit-after=*) quit_after="${1#*=}" ;;
        -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        --) shift; app_args=("$@"); break ;;
        *) echo "run-demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

bash "$root/scripts/setup.sh"

venv="${MOTCUA_VENV:-$root/.venv}"
export PATH="$venv/bin:$PATH"
data_dir="${MOTCUA_DATA_DIR:-$HOME/.local/share/MotCuaDesk-demo}"
export MOTCUA_DATA_DIR="$data_dir"
if [[ -n "${MOTCUA_DB_URL:-}" ]]; then
    echo "run-demo: ignoring MOTCUA_DB_URL: the demo always uses the embedded SQLite database"
    unset MOTCUA_DB_URL
fi

if [[ -f "$data_dir/motcua.db" ]]; then
    echo "run-demo: demo data already in $data_dir"
else
    existed=0
    [[ -e "$data_dir" ]] && existed=1
    echo "run-demo: creating demo data in $data_dir"
    if ! (cd "$root" && motcua init --demo); then   # MOTCUA_DATA_DIR is exported above
        # Leave nothing half-made behind, so the next run tries again from scratch.
        [[ $existed == 1 ]] || rm -rf -- "$data_dir"
        echo "run-demo: ERROR: 'motcua init --demo' failed (see above)" >&2
        exit 1
    fi
fi

# The demo's administrator, so the sign-in window can be passed (a real office creates its own).
demo_user="admin"
demo_password="matkhau-demo-2026"
if [[ "$(cd "$root" && motcua --json user list)" == "[]" ]]; then
    printf '%s\n' "$demo_password" | (cd "$root" && motcua user add "$demo_user" --role admin \
        --full-name "Quản trị demo" --password-stdin) >/dev/null
    echo "run-demo: demo account created: $demo_user"
fi
if [[ "$(cd "$root" && motcua --json user list)" == *"\"$demo_user\""* ]]; then
    sign_in="sign in as \"$demo_user\" with the password \"$demo_password\""
else
    sign_in="sign in with an account of this folder (motcua user list)"
fi
echo "run-demo: data folder: $data_dir"
echo "run-demo: $sign_in / đăng nhập: $demo_user, mật khẩu $demo_password"

run=(python -m app "${app_args[@]}")
window_log=""
if [[ -n "$quit_after" ]]; then
    run=(timeout -s TERM "$quit_after" "${run[@]}")
fi

finish() {
    local rc=$1
    if [[ -n "$quit_after" && $rc == 124 ]]; then
        echo "run-demo: the app ran for ${quit_after} s and was closed as asked"
        rc=0
    fi
    if [[ -n "$window_log" ]]; then
        if grep -q "window open:" "$window_log"; then
            echo "run-demo: the window opened: $(grep -o 'window open: .*' "$window_log" | tail -n 1 | cut -c14-)"
        elif [[ $rc == 0 ]]; then
            echo "run-demo: WARNING: the app ended without reporting an open window" >&2
        fi
        rm -f -- "$window_log"
    fi
    echo "run-demo: data folder used: $data_dir; $sign_in"
    exit "$rc"
}

cd "$root"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    echo "run-demo: starting MotCua Desk on the demo data"
    set +e; "${run[@]}"; finish $?
fi

if [[ $headless == 1 ]]; then
    # the app's log goes to the terminal and to a file, to say afterwards which window it opened
    window_log="$(mktemp "${TMPDIR:-/tmp}/motcua-demo.XXXXXX")"
    if command -v xvfb-run >/dev/null 2>&1; then
        echo "run-demo: no display; running the app headless under Xvfb (nothing is shown; Ctrl+C to stop)"
        set +e; xvfb-run -a -s "-screen 0 1440x900x24" "${run[@]}" 2>&1 | tee "$window_log"
        finish "${PIPESTATUS[0]}"
    fi
    echo "run-demo: no display and no xvfb-run; running with QT_QPA_PLATFORM=offscreen (Ctrl+C to stop)"
    set +e; QT_QPA_PLATFORM=offscreen "${run[@]}" 2>&1 | tee "$window_log"
    finish "${PIPESTATUS[0]}"
fi

cat <<EOF

run-demo: the demo data is ready, but this machine has no display (\$DISPLAY and
\$WAYLAND_DISPLAY are empty), so the MotCua Desk window cannot be shown here.

To see the app:
  * run ./scripts/run-demo.sh from a desktop session on this machine (or a remote desktop), or
  * log in with X forwarding (ssh -X user@host) and run ./scripts/run-demo.sh there, or
  * on Windows, follow the "Windows" steps in README.md.
To run it anyway without a screen (nothing visible; a smoke test):
  ./scripts/run-demo.sh --headless --quit-after 20
To look at the demo data from the terminal:
  $venv/bin/motcua --data-dir "$data_dir" dossier list
EOF
