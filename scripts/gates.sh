#!/usr/bin/env bash
# The gates every change passes before the tests run (.ci/run and pre-commit both call this):
# ruff lint, ruff format, mypy --strict and the import contracts in pyproject.toml.
# Usage: scripts/gates.sh [venv]   (default .venv, made by the README's test command)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
failed=()
gate() {
    local name=$1
    shift
    printf -- '-- %s\n' "$name"
    "$@" || failed+=("$name")
}
gate "ruff check" "$venv/bin/ruff" check .
gate "ruff format" "$venv/bin/ruff" format --check .
gate "mypy --strict" "$venv/bin/mypy" --strict refuge_desk
gate "import contracts" "$venv/bin/lint-imports" --no-logo
if [ "${#failed[@]}" -ne 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "all gates pass"
