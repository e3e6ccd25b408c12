#!/usr/bin/env bash
# Build RegStudio's one-folder bundle with PyInstaller, for computers without Python.
#   packaging/build_bundle.sh [--venv DIR] [--dist DIR]
# --venv: where PyInstaller and RegStudio's dependencies are installed for the build
#         (default ${TMPDIR:-/tmp}/regstudio-bundle-venv; reused by the next build)
# --dist: where the bundle goes (default dist/ in this checkout): DIST/regstudio/regstudio
# Builds for the system it runs on: build on Windows for Windows, on macOS for macOS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
fail() { echo "build_bundle.sh: $1" >&2; exit "${2:-1}"; }
venv=${TMPDIR:-/tmp}/regstudio-bundle-venv
dist=$root/dist
while [ $# -gt 0 ]; do
  case $1 in
    --venv|--dist) [ $# -ge 2 ] || fail "$1 needs a folder." 2
                   if [ "$1" = --venv ]; then venv=$2; else dist=$2; fi; shift 2 ;;
    *) fail "unknown argument '$1'; use [--venv DIR] [--dist DIR]." 2 ;;
  esac
done
python=${PYTHON:-python3}
command -v "$python" >/dev/null || fail "no $python found; set PYTHON to a Python 3.10-3.13."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

start=$(date +%s)
[ -d "$venv" ] || "$python" -m venv "$venv"
vpy=$venv/bin/python
[ -x "$vpy" ] || vpy=$venv/Scripts/python.exe  # Windows (Git Bash)
echo "Installing RegStudio and PyInstaller into $venv..."
"$vpy" -m pip install -q "$root[bundle]"
echo "Building the bundle (several minutes)..."
"$vpy" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$root/build/pyinstaller" "$here/regstudio.spec"
seconds=$(( $(date +%s) - start ))
echo "Built $dist/regstudio in ${seconds} s: $(du -sh "$dist/regstudio" | cut -f1)," \
     "$(find "$dist/regstudio" -type f | wc -l) files. Check it with packaging/smoke_bundle.sh."
