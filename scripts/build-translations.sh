#!/usr/bin/env bash
# Compile the window's Qt translations: resources/locale/<lang>/*.ts -> .qm (next to the source).
# Run by scripts/setup.sh and installer/build.sh; the .qm files are build output (not committed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LRELEASE="${LRELEASE:-$(command -v pyside6-lrelease || echo "$ROOT/.venv/bin/pyside6-lrelease")}"
for ts in "$ROOT"/resources/locale/*/*.ts; do
    "$LRELEASE" -silent "$ts" -qm "${ts%.ts}.qm"
done
