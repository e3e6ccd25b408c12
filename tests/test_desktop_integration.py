"""The freedesktop files in packaging/ and the script that installs them for one user."""

import configparser
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from regstudio.gui.app import APP_ID, ICON_SIZES

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
MIME = PACKAGING / f"{APP_ID}.mime.xml"
INSTALL = PACKAGING / "install-desktop.sh"
LAB_TYPE = "application/x-regstudio-lab"


def entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def validate(tool: str, *args: str) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    return subprocess.run([tool, *args], capture_output=True, text=True)


def test_desktop_entry_passes_desktop_file_validate():
    result = validate("desktop-file-validate", str(DESKTOP))
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_passes_appstreamcli_validate():
    result = validate("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_starts_regstudio_with_a_lab_file_and_names_the_icon():
    e = entry(DESKTOP)
    assert e["Exec"] == "regstudio %f"
    assert e["Icon"] == APP_ID
    assert LAB_TYPE in e["MimeType"].split(";")


def test_mime_type_is_the_lab_file_glob():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime_type = ET.parse(MIME).getroot().find("m:mime-type", ns)
    assert mime_type.get("type") == LAB_TYPE
    assert [g.get("pattern") for g in mime_type.findall("m:glob", ns)] == ["*.regstudio"]


def test_metainfo_launches_the_desktop_entry_and_shows_the_docs_screenshots():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("content_rating") is not None and root.find("releases/release") is not None
    images = [i.text for i in root.iter("image")]
    assert images and all(url.startswith("https://") for url in images)
    for url in images:  # each points at a picture this repository has
        assert (ROOT / "docs" / url.rsplit("/", 1)[1]).is_file(), url
    assert LAB_TYPE in [m.text for m in root.iter("mediatype")]


@pytest.mark.parametrize("size", ICON_SIZES)
def test_hicolor_png_has_its_size(size):
    png = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (size, size)


def run_install(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    return subprocess.run(["bash", str(INSTALL), *args], capture_output=True, text=True, env=env)


def test_install_desktop_installs_for_the_user_and_removes_again(tmp_path):
    program = tmp_path / "my apps" / "regstudio"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    result = run_install(tmp_path, "--exec", str(program))
    assert result.returncode == 0, result.stderr
    share = tmp_path / "share"
    installed = [share / "applications" / f"{APP_ID}.desktop", share / "metainfo" / f"{APP_ID}.metainfo.xml",
                 share / "mime" / "packages" / f"{APP_ID}.xml",
                 share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
                 *(share / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES)]
    assert [p for p in installed if not p.is_file()] == []
    e = entry(installed[0])
    assert e["Exec"] == f'"{program}" %f' and e["TryExec"] == str(program)
    assert LAB_TYPE in e["MimeType"]
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(installed[0])], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout

    result = run_install(tmp_path, "--remove")
    assert result.returncode == 0, result.stderr
    assert [p for p in installed if p.exists()] == []


@pytest.mark.parametrize("args", [["--bogus"], ["--exec"], ["--exec", "/nonexistent/regstudio"],
                                  ["--remove", "--exec", "/bin/sh"]])
def test_install_desktop_refuses_bad_arguments_with_one_line_and_code_2(tmp_path, args):
    result = run_install(tmp_path, *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "share" / "applications").exists()
