"""Render resources/icons/regstudio.svg to the PNGs of the hicolor icon theme.

    python packaging/render_icons.py        (after editing the SVG; the PNGs are committed)

Writes resources/icons/hicolor/NxN/apps/io.github.regstudio.RegStudio.png for every size
the desktop and the window use. Needs only PySide6 (QtSvg is in PySide6-Essentials).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from regstudio.gui.app import APP_ID, ICON_SIZES  # noqa: E402


def render(svg: Path, out_dir: Path) -> list[Path]:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG.")
    written = []
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"render_icons: could not write {target}.")
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("render_icons: takes no arguments; it renders resources/icons/regstudio.svg.", file=sys.stderr)
        sys.exit(2)
    app = QGuiApplication([])
    for path in render(ROOT / "resources" / "icons" / "regstudio.svg", ROOT / "resources" / "icons" / "hicolor"):
        print(path.relative_to(ROOT), path.stat().st_size, "bytes")
