#!/usr/bin/env bash
# What a fresh install of RegStudio costs: wheel bytes downloaded, the venv's size on disk,
# and the time of the README's first command (its install part) on a warm package cache.
#   bench/install_size.sh [SOURCE_DIR]      (default: this checkout)
# Works in a copy under a temporary folder and deletes it afterwards.
set -euo pipefail
if [ $# -gt 1 ] || { [ $# = 1 ] && [ ! -f "$1/pyproject.toml" ]; }; then
  echo "usage: bench/install_size.sh [SOURCE_DIR]: SOURCE_DIR must hold a pyproject.toml." >&2
  exit 2
fi
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

mkdir "$work/src"
(cd "$src" && tar --exclude=.venv --exclude=.git -cf - .) | tar -C "$work/src" -xf -

python3 -m pip download -q -d "$work/wheels" "$work/src" >/dev/null
bytes=$(find "$work/wheels" -name '*.whl' ! -name 'regstudio-*' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "wheels downloaded: $(find "$work/wheels" -name '*.whl' ! -name 'regstudio-*' | wc -l) files, $bytes bytes" \
     "($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}') MB)"
find "$work/wheels" -name '*.whl' -printf '%s %f\n' | sort -rn | head -5 | sed 's/^/  /'

cd "$work/src"
python3 -m venv .venv && .venv/bin/pip install -q -e . >/dev/null   # warms the cache
rm -rf .venv
start=$(date +%s.%N)
python3 -m venv .venv && .venv/bin/pip install -q -e .
end=$(date +%s.%N)
echo "README's first command, install part, warm cache: $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b-a}') s"
echo "venv installed: $(du -sb .venv | cut -f1) bytes ($(du -sh .venv | cut -f1))"
.venv/bin/pip list --format=freeze 2>/dev/null | grep -iE '^(tensorflow|pyside6|shiboken6)' | sed 's/^/  /'
du -sb .venv/lib/python3*/site-packages/* 2>/dev/null | sort -rn | head -6 | awk '{printf "  %6.0f MB %s\n", $1/1e6, $2}' \
  | sed "s|$work/src/||"
