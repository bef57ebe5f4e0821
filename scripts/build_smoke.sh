#!/usr/bin/env bash
# Build the one-folder release with PyInstaller and prove the frozen app works.
#
#   scripts/build_smoke.sh [VENV]     (default .venv; it needs the project and pyinstaller)
#
# Checks, in order: the build succeeds; PyInstaller found every refuge_desk module (a module
# it missed would only fail when a worker opens that screen); `--self-test` prints
# "self-test ok" and exits 0 (vault write/read, no plaintext, QtPdf present); the GUI starts
# on the offscreen platform and is still running after a few seconds.
set -euo pipefail

cd "$(dirname "$0")/.."
venv="${1:-.venv}"
app=dist/refuge-desk/refuge-desk

"$venv/bin/pyinstaller" --noconfirm --clean build.spec

missing=$(grep -E "missing module named '?refuge_desk" build/build/warn-build.txt || true)
if [ -n "$missing" ]; then
    echo "FAIL: PyInstaller could not find these modules of the app:" >&2
    echo "$missing" >&2
    exit 1
fi

echo "dist size: $(du -sh dist/refuge-desk | cut -f1)"

# Run the frozen app with its own throw-away home, temp and data folders, so the smoke test
# neither reads nor leaves anything in the real ones.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tmp"
mkdir -m 700 "$scratch/runtime"
run_frozen() {
    env QT_QPA_PLATFORM=offscreen HOME="$scratch" TMPDIR="$scratch/tmp" \
        XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
        XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime" "$@"
}

status=0
output=$(run_frozen "$app" --self-test 2>&1) || status=$?
echo "$output"
if [ "$status" -ne 0 ] || ! grep -qx "self-test ok" <<<"$output"; then
    echo "FAIL: the frozen self-test exited $status without 'self-test ok'" >&2
    exit 1
fi

# The GUI on a new demo vault: an app that is still running when `timeout` stops it (124)
# started fine; any other exit means it fell over during start-up.
status=0
output=$(run_frozen timeout 15 "$app" --demo 2>&1) || status=$?
if [ "$status" -ne 124 ]; then
    echo "$output" >&2
    find "$scratch/data" -name '*.log' -exec tail -n 20 {} + >&2 2>/dev/null || true
    echo "FAIL: the frozen app exited $status during start-up (--demo)" >&2
    exit 1
fi
echo "frozen GUI started (--demo ran for 15 s on the offscreen platform)"
