#!/usr/bin/env bash
# Prove a built bundle works without a display: the window starts, TensorFlow loads, Train
# becomes enabled, one epoch trains on the embedded digits, and the program exits 0; then
# the command line lists the datasets.
#   packaging/smoke_bundle.sh [BUNDLE_DIR]     (default: dist/regstudio in this checkout)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "smoke_bundle.sh: $1" >&2; exit "${2:-1}"; }
[ $# -le 1 ] || fail "takes at most one argument, the bundle's folder." 2
bundle=${1:-$root/dist/regstudio}
[ -x "$bundle/regstudio" ] || [ -x "$bundle/regstudio.exe" ] \
  || fail "$bundle holds no regstudio program; build it with packaging/build_bundle.sh." 2
program=$bundle/regstudio
[ -x "$program" ] || program=$bundle/regstudio.exe

# Nothing from a Python installation may help: the bundle must carry all it needs.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export QT_QPA_PLATFORM=offscreen REGSTUDIO_SMOKE=1
start=$(date +%s)
code=0
timeout 900 "$program" || code=$?
[ "$code" = 0 ] || fail "the window's smoke run exited with $code."
echo "Window: trained one epoch and quit in $(( $(date +%s) - start )) s."
unset REGSTUDIO_SMOKE
"$program" datasets | grep -q "^mnist-5k *yes" || fail "the command line does not find the embedded digits."
echo "Command line: the embedded digits are there. The bundle works."
