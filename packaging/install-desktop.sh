#!/usr/bin/env bash
# Put RegStudio in this user's application menu (GNOME, KDE, Xfce and the like), with its
# icon, its AppStream metadata and the .regstudio lab file type; no root needed.
#   packaging/install-desktop.sh [--exec PATH]   install; PATH is the regstudio program to start
#                                                (default: `regstudio` on PATH, else this checkout's .venv)
#   packaging/install-desktop.sh --remove        remove what it installed
# Everything goes under ${XDG_DATA_HOME:-~/.local/share}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
id=io.github.regstudio.RegStudio
data=${XDG_DATA_HOME:-$HOME/.local/share}
sizes="16 32 48 64 128 256 512"

fail() { echo "install-desktop.sh: $1" >&2; exit "${2:-1}"; }

action=install exec_path=
while [ $# -gt 0 ]; do
  case $1 in
    --remove) action=remove; shift ;;
    --exec) [ $# -ge 2 ] || fail "--exec needs the path of the regstudio program." 2
            exec_path=$2; shift 2 ;;
    *) fail "unknown argument '$1'; use [--exec PATH] to install or --remove to uninstall." 2 ;;
  esac
done
[ "$action" = remove ] && [ -n "$exec_path" ] && fail "--exec and --remove do not go together." 2

installed_files() {
  echo "$data/applications/$id.desktop"
  echo "$data/metainfo/$id.metainfo.xml"
  echo "$data/mime/packages/$id.xml"
  echo "$data/icons/hicolor/scalable/apps/$id.svg"
  for s in $sizes; do echo "$data/icons/hicolor/${s}x${s}/apps/$id.png"; done
}

refresh_caches() {  # best effort: desktops that need them have these tools
  if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime" >/dev/null 2>&1 || true; fi
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database "$data/applications" >/dev/null 2>&1 || true
  fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -f -t "$data/icons/hicolor" >/dev/null 2>&1 || true
  fi
}

if [ "$action" = remove ]; then
  installed_files | while read -r f; do rm -f "$f"; done
  refresh_caches
  echo "RegStudio's menu entry, icons, metainfo and file type are removed from $data."
  exit 0
fi

if [ -z "$exec_path" ]; then
  if command -v regstudio >/dev/null; then exec_path=$(command -v regstudio)
  elif [ -x "$root/.venv/bin/regstudio" ]; then exec_path=$root/.venv/bin/regstudio
  else fail "no regstudio program found; install RegStudio first (see the README) or pass --exec PATH."
  fi
fi
[ -x "$exec_path" ] && [ ! -d "$exec_path" ] || fail "--exec $exec_path is not an executable file." 2
exec_path=$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")
case $exec_path in
  *[\"\`\$\\]*) fail "the path $exec_path has a quote, backquote, dollar or backslash; move RegStudio elsewhere." ;;
esac
icons=$root/resources/icons
[ -f "$here/$id.desktop" ] && [ -d "$icons/hicolor" ] || fail "run this script from a RegStudio checkout (packaging/ and resources/ missing)."

mkdir -p "$data/applications" "$data/metainfo" "$data/mime/packages" "$data/icons/hicolor/scalable/apps"
# Exec is quoted for paths with spaces (desktop entry rules); TryExec takes the plain path.
sed -e "s|^Exec=regstudio |Exec=\"$exec_path\" |" -e "s|^TryExec=.*|TryExec=$exec_path|" \
  "$here/$id.desktop" > "$data/applications/$id.desktop"
cp "$here/$id.metainfo.xml" "$data/metainfo/$id.metainfo.xml"
cp "$here/$id.mime.xml" "$data/mime/packages/$id.xml"
cp "$icons/regstudio.svg" "$data/icons/hicolor/scalable/apps/$id.svg"
for s in $sizes; do
  mkdir -p "$data/icons/hicolor/${s}x${s}/apps"
  cp "$icons/hicolor/${s}x${s}/apps/$id.png" "$data/icons/hicolor/${s}x${s}/apps/$id.png"
done
refresh_caches
echo "RegStudio is in the application menu (starting $exec_path); .regstudio files open with it."
echo "Installed under $data; 'packaging/install-desktop.sh --remove' takes it away."
