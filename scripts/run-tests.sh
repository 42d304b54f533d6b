#!/usr/bin/env bash
# Install what is missing, then run every check: ruff, the import-linter layer contracts and the
# pytest suite (Qt offscreen; the fixtures start their own throwaway PostgreSQL server).
#
#   ./scripts/run-tests.sh                 everything
#   ./scripts/run-tests.sh -k calendar -x  extra arguments go to pytest
#
# Exits non-zero when any step fails; the last line is a one-line summary.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
start=$SECONDS

if ! bash "$root/scripts/setup.sh"; then
    echo "run-tests: FAILED: set-up did not complete (see above)"
    exit 1
fi

venv="${MOTCUA_VENV:-$root/.venv}"
export PATH="$venv/bin:$PATH"
export QT_QPA_PLATFORM=offscreen
export PYTHONUNBUFFERED=1
# Tests never touch a real office's data or database.
unset MOTCUA_DATA_DIR MOTCUA_DB_URL

failed=()

echo "run-tests: ruff check ."
ruff check . || failed+=(ruff)

echo "run-tests: lint-imports (layer contracts from pyproject.toml)"
lint-imports --no-cache --no-logo || failed+=(import-linter)

echo "run-tests: python -m pytest $*"
log="$(mktemp "${TMPDIR:-/tmp}/motcua-pytest.XXXXXX")"
trap 'rm -f -- "$log"' EXIT
color=()
[[ -t 1 ]] && color=(--color=yes)
python -m pytest "${color[@]}" "$@" 2>&1 | tee "$log"
pytest_rc=${PIPESTATUS[0]}
# pytest's own closing line, without the ===== rulers and colour codes.
pytest_result="$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" \
    | grep -E '([0-9]+ (passed|failed|errors?|skipped|x?failed|xpassed|deselected|tests? collected)|no tests ran).* in [0-9.]+s' \
    | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
case $pytest_rc in
    0) ;;
    5) failed+=(pytest); pytest_result="no tests were collected" ;;
    *) failed+=(pytest) ;;
esac

elapsed=$((SECONDS - start))
if ((elapsed > 25 * 60)); then
    echo "run-tests: WARNING: the checks took ${elapsed} s; the budget is 30 min on a 2-core machine"
fi
if [[ ${#failed[@]} -eq 0 ]]; then
    echo "run-tests: OK in ${elapsed} s (ruff, import-linter, pytest: ${pytest_result:-done})"
    exit 0
fi
echo "run-tests: FAILED in ${elapsed} s: ${failed[*]} (pytest exit ${pytest_rc}: ${pytest_result:-no summary})"
exit 1
