#!/usr/bin/env bash
# Set-up shared by ./scripts/run-demo.sh and ./scripts/run-tests.sh (also fine to run alone).
# Idempotent and quick the second time: it installs only what is missing.
#
#   1. System packages (Debian/Ubuntu): checked with dpkg; only missing ones trigger
#      `apt-get update` + `apt-get install -y --no-install-recommends`. As root directly,
#      otherwise through sudo; with neither, it prints the exact command and goes on.
#   2. A Python >= 3.11 virtual environment (default <repo>/.venv), created if missing or broken.
#   3. `pip install -e '.[test,postgres,freeze]'`, only when pyproject.toml (or the Python) changed
#      since the last successful install (a hash stamp kept inside the venv).
#
# Environment:
#   MOTCUA_VENV      where the virtual environment lives (default: <repo>/.venv)
#   MOTCUA_PYTHON    interpreter used to create it (default: python3.11, else python3 if >= 3.11)
#   MOTCUA_EXTRAS    pip extras to install (default: test,postgres,freeze; freeze = PyInstaller)
#   MOTCUA_SKIP_APT  set to 1 to skip the system-package step (e.g. a machine without apt)
#
# Sourcing it (`. scripts/setup.sh`) runs the same steps in a subshell, then sets MOTCUA_VENV.

_motcua_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The Debian packages the app, the demo and the test suite rely on.
MOTCUA_APT_PACKAGES=(
    # scanning and barcodes
    libzbar0 libsane1 libsane-dev sane-utils gcc
    # OCR: Tesseract and its Vietnamese model (tesserocr's wheel reads the model files)
    tesseract-ocr tesseract-ocr-vie
    # fonts (fonts-liberation2 has the Vietnamese glyphs; 1.x does not), PDF to PNG
    fonts-liberation fonts-liberation2 fonts-dejavu-core poppler-utils
    # a virtual display for screenshots and --headless
    xvfb xauth
    # PKCS#11 signing tests (SoftHSM2 token) and the PostgreSQL server the test fixtures start
    softhsm2 opensc postgresql
    # what Qt's xcb platform plugin needs on a real display or under Xvfb
    libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libegl1 libgl1 libfontconfig1
    libglib2.0-0 libdbus-1-3
)

motcua_setup() (
    set -euo pipefail
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    local root="$_motcua_root"
    local venv="${MOTCUA_VENV:-$root/.venv}"
    local extras="${MOTCUA_EXTRAS:-test,postgres,freeze}"

    say() { printf 'setup: %s\n' "$*"; }
    warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }
    die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

    # ---- Python: the interpreter that creates the venv -------------------------------------
    # Prints the real executable path of the first candidate that is Python >= 3.11.
    find_python() {
        local cand
        for cand in ${MOTCUA_PYTHON:+"$MOTCUA_PYTHON"} python3.11 python3 python3.12 python3.13; do
            command -v "$cand" >/dev/null 2>&1 || continue
            "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11)); ' >/dev/null 2>&1 || continue
            "$cand" -c 'import sys; print(sys.executable)'
            return 0
        done
        return 1
    }

    # What the base interpreter lacks: venv/ensurepip (python3-venv) and C headers (python3-dev,
    # needed to build python-sane). Only asked when the venv has to be (re)created or Python is
    # a Debian one; pyenv and python.org builds ship both.
    python_needs() {
        local py="$1"
        "$py" -c 'import ensurepip, venv' >/dev/null 2>&1 || echo python3-venv
        "$py" - <<'PY' >/dev/null 2>&1 || echo python3-dev
import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))
PY
    }

    # ---- System packages ---------------------------------------------------------------------
    # Prints the packages of "$@" that dpkg does not list as installed (a "<name>t64" package,
    # as on Debian 13 / Ubuntu 24.04, counts for "<name>").
    missing_packages() {
        local installed
        installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" "${@/%/t64}" 2>/dev/null \
            | awk '$2 == "installed" { print $1 }' || true)"
        local pkg
        for pkg in "$@"; do
            grep -qxF -e "$pkg" -e "${pkg}t64" <<<"$installed" || echo "$pkg"
        done
    }

    install_packages() {
        local -a pkgs=("$@") sudo=()
        if [[ $(id -u) -ne 0 ]]; then
            if command -v sudo >/dev/null 2>&1 && { [[ -t 0 ]] || sudo -n true 2>/dev/null; }; then
                sudo=(sudo)
                [[ -t 0 ]] || sudo=(sudo -n)
            else
                warn "missing system packages and no root/sudo to install them. Please run:"
                printf '    sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' \
                    "${pkgs[*]}" >&2
                warn "continuing without them; some features or tests may not work."
                return 0
            fi
        fi
        local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
        say "installing system packages: ${pkgs[*]}"
        "${apt[@]}" update -qq || die "apt-get update failed"
        # Keep only names the archive knows; fall back to the <name>t64 rename.
        local -a known=()
        local pkg
        for pkg in "${pkgs[@]}"; do
            if [[ -n "$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]]; then
                known+=("$pkg")
            elif [[ -n "$(apt-cache policy "${pkg}t64" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]]; then
                known+=("${pkg}t64")
            else
                warn "no package '$pkg' in this distribution's archive; skipping it"
            fi
        done
        if [[ ${#known[@]} -eq 0 ]]; then return 0; fi
        "${apt[@]}" install -y --no-install-recommends "${known[@]}" \
            || die "apt-get install failed for: ${known[*]}"
    }

    local python
    python="$(find_python)" || python=""

    if [[ "${MOTCUA_SKIP_APT:-0}" != 1 ]]; then
        if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
            local -a wanted=("${MOTCUA_APT_PACKAGES[@]}")
            if [[ -z "$python" ]]; then
                wanted+=(python3 python3-venv python3-dev)   # Debian 12's python3 is 3.11
            elif [[ ! -x "$venv/bin/python" || "$python" == /usr/bin/* ]]; then
                local need
                need="$(python_needs "$python")"
                if [[ -n "$need" ]]; then mapfile -t -O "${#wanted[@]}" wanted <<<"$need"; fi
            fi
            local -a missing
            mapfile -t missing < <(missing_packages "${wanted[@]}")
            if [[ ${#missing[@]} -gt 0 ]]; then
                install_packages "${missing[@]}"
                if [[ -z "$python" ]]; then python="$(find_python)" || python=""; fi
            else
                say "system packages: all present"
            fi
        else
            warn "not a Debian/Ubuntu system (no dpkg/apt-get); make sure these are installed:"
            printf '    %s\n' "${MOTCUA_APT_PACKAGES[*]}" >&2
        fi
    fi

    # ---- Virtual environment -----------------------------------------------------------------
    if [[ -e "$venv" ]] && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
    then
        if [[ -f "$venv/pyvenv.cfg" ]]; then
            warn "the virtual environment $venv is broken or older than Python 3.11; recreating it"
            rm -rf -- "$venv"
        elif [[ -n "$(ls -A -- "$venv")" ]]; then
            die "$venv exists but is not a Python >= 3.11 venv; move it away or set MOTCUA_VENV elsewhere"
        fi
    fi
    if [[ ! -x "$venv/bin/python" ]]; then
        [[ -n "$python" ]] || die "no Python >= 3.11 found (tried \$MOTCUA_PYTHON, python3.11, python3); install Python 3.11"
        say "creating the virtual environment $venv with $python"
        "$python" -m venv "$venv" || die "could not create $venv (on Debian: apt-get install python3-venv)"
    fi

    # ---- The project and its Python dependencies ---------------------------------------------
    local stamp_file="$venv/.motcua-install-stamp" stamp
    stamp="$({
        sha256sum "$root/pyproject.toml"
        echo "extras=$extras root=$root"
        "$venv/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" && -x "$venv/bin/motcua" ]]; then
        say "Python packages: up to date ($venv)"
    else
        say "installing the project and its Python packages into $venv (the first time takes a few minutes)"
        local -a pip_opts=()
        [[ -t 1 ]] || pip_opts+=(--progress-bar off)
        rm -f -- "$stamp_file"
        (cd "$root" && "$venv/bin/python" -m pip install "${pip_opts[@]}" -e ".[$extras]") \
            || die "pip install failed (see above)"
        echo "$stamp" >"$stamp_file"
        say "Python packages: installed"
    fi
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    motcua_setup "$@"
    exit $?
else
    motcua_setup "$@" || return $?
    MOTCUA_VENV="${MOTCUA_VENV:-$_motcua_root/.venv}"
    export MOTCUA_VENV
fi
