#!/usr/bin/env bash
# Collect RegStudio's wheel and every dependency's wheel into one folder, for classrooms
# without network: copy the folder to a USB stick and follow its INSTALL.txt.
#   packaging/wheelhouse.sh TARGET_DIR              Linux x86-64 and Windows x86-64, Python 3.11 and 3.12
#   packaging/wheelhouse.sh TARGET_DIR --platform win_amd64 --python-version 3.12    one kind of computer
#   packaging/wheelhouse.sh TARGET_DIR --here       this computer's platform and Python (python3, or $PYTHON)
# Needs the network (the package registry) while it runs, and about 500 MB per kind of computer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
fail() { echo "wheelhouse.sh: $1" >&2; exit "${2:-1}"; }
# Linux wheels for glibc 2.35 and newer: Ubuntu 22.04, Debian 12 and later (PySide6 6.11 needs 2.34).
linux=manylinux_2_35_x86_64

[ $# -ge 1 ] && [ "${1#-}" = "$1" ] || fail "give the folder to fill first: wheelhouse.sh TARGET_DIR [--platform P --python-version X.Y | --here]." 2
target=$1; shift
platform= version= this=
while [ $# -gt 0 ]; do
  case $1 in
    --platform) [ $# -ge 2 ] || fail "--platform needs a pip platform tag such as win_amd64 or $linux." 2
                platform=$2; shift 2 ;;
    --python-version) [ $# -ge 2 ] || fail "--python-version needs a version such as 3.12." 2
                      version=$2; shift 2 ;;
    --here) this=1; shift ;;
    *) fail "unknown argument '$1'; use --platform P --python-version X.Y, or --here." 2 ;;
  esac
done
if [ -n "$this" ]; then
  [ -z "$platform$version" ] || fail "--here takes neither --platform nor --python-version." 2
  targets=("here here")
elif [ -n "$platform$version" ]; then
  [ -n "$platform" ] && [ -n "$version" ] || fail "--platform and --python-version go together." 2
  [[ $version =~ ^3\.[0-9]+$ ]] || fail "--python-version $version: give major.minor, such as 3.12." 2
  case $platform in
    win_amd64|win_arm64|win32|manylinux_2_[0-9]*_*|macosx_[0-9]*_[0-9]*_*) ;;
    *) fail "--platform $platform: use win_amd64, manylinux_2_N_ARCH (such as $linux) or macosx_N_M_ARCH." 2 ;;
  esac
  targets=("$platform $version")
else
  targets=("$linux 3.11" "$linux 3.12" "win_amd64 3.11" "win_amd64 3.12")
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null || fail "no $python found; set PYTHON to a Python 3.10-3.13."
mkdir -p "$target"
target=$(cd "$target" && pwd)
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
"$python" -m venv "$tools/venv"
vpy=$tools/venv/bin/python
[ -x "$vpy" ] || vpy=$tools/venv/Scripts/python.exe  # Windows (Git Bash)
"$vpy" -m pip install -q -U pip packaging

echo "Building RegStudio's wheel..."
rm -f "$target"/regstudio-*.whl
"$vpy" -m pip wheel -q --no-deps -w "$target" "$root"
wheel=$(ls "$target"/regstudio-*.whl)
for t in "${targets[@]}"; do
  read -r p v <<<"$t"
  echo "Collecting for $p, Python $v..."
  if [ "$p" = here ]; then
    "$vpy" -m pip download -q --only-binary=:all: -d "$target" "$wheel"
  else
    flags=$("$vpy" "$here/wheelhouse_complete.py" --pip-platforms "$p" "$v")
    # shellcheck disable=SC2086 (one word per --platform option)
    "$vpy" -m pip download -q --only-binary=:all: $flags --python-version "$v" -d "$target" "$wheel"
  fi
  "$vpy" "$here/wheelhouse_complete.py" "$target" "$p" "$v"
done

kinds=$(printf '%s\n' "${targets[@]}" | sed -e "s/^here here$/this computer's kind ($("$python" -c \
  'import platform, sys; print(platform.system(), platform.machine(), "Python", sys.version.split()[0])'))/" \
  -e "s/^$linux /Linux x86-64 (glibc 2.35+), Python /" -e 's/^win_amd64 /Windows x86-64, Python /' | paste -sd ';' -)
cat > "$target/INSTALL.txt" <<TXT
RegStudio, ready to install without network
=============================================

This folder holds RegStudio and everything it needs, as wheels for:
  ${kinds//;/$'\n'  }

On each computer, open a terminal in this folder and run the one command for its system.
It makes a Python environment in your home folder and installs from this folder only.

Linux:
  python3 -m venv ~/regstudio && ~/regstudio/bin/pip install --no-index --find-links . regstudio

Windows (Command Prompt; "py -3.12" or "py -3.11", whichever Python is installed):
  py -3.12 -m venv %USERPROFILE%\\regstudio && %USERPROFILE%\\regstudio\\Scripts\\pip install --no-index --find-links . regstudio

Then start RegStudio:
  Linux:   ~/regstudio/bin/regstudio
  Windows: %USERPROFILE%\\regstudio\\Scripts\\regstudio.exe

The Python must be one this folder has wheels for (see the list above); pip says
"No matching distribution" otherwise. Nothing is downloaded, now or when RegStudio runs.
TXT
echo "Done: $(ls "$target"/*.whl | wc -l) wheels, $(du -sh "$target" | cut -f1) in $target; see $target/INSTALL.txt."
