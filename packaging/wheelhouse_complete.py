"""Make a wheelhouse complete for one target computer, markers evaluated for that computer.

    python wheelhouse_complete.py DIR PLATFORM PYTHON_VERSION     (PLATFORM "here": this computer)

`pip download --platform` resolves versions for the target but evaluates environment markers
for the computer it runs on: built on Linux, a Windows wheelhouse would lack Windows-only
dependencies (colorama for click, and so on). This walks RegStudio's dependencies from its
wheel in DIR with the target's markers, downloads what is missing (`pip download --no-deps`)
and repeats until every requirement has a wheel in DIR that installs on the target.
Needs `packaging` (installed beside pip by wheelhouse.sh).
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms, sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename


def target_environment(platform: str, python_version: str) -> tuple[dict[str, str], set[Tag], list[str]]:
    """Marker values, wheel tags and platform tags of a computer with this platform tag and Python.

    A manylinux_2_N platform also takes the wheels of every older glibc, as pip does on
    that computer; `pip download --platform` does not widen it, so the list is passed in full.
    """
    if platform == "here":
        return dict(default_environment()), set(sys_tags()), []
    major, minor = (int(p) for p in python_version.split(".")[:2])
    if platform.startswith("win"):
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}[platform]
        env = {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": machine}
        platforms = [platform]
    elif platform.startswith("manylinux"):
        arch = platform.split("_", 3)[-1]
        glibc = int(platform.split("_")[2])
        env = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": arch}
        platforms = [f"manylinux_2_{m}_{arch}" for m in range(glibc, 4, -1)]
        platforms += [f"manylinux{old}_{arch}" for old in ("2014", "2010", "1")]
    elif platform.startswith("macosx"):
        _, os_major, os_minor, arch = platform.split("_", 3)
        env = {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": arch}
        platforms = list(mac_platforms((int(os_major), int(os_minor)), arch))
    else:
        raise SystemExit(f"wheelhouse_complete: unknown platform {platform!r}; use win_amd64, manylinux_2_N_ARCH "
                         "or macosx_N_M_ARCH.")
    env |= {"python_version": f"{major}.{minor}", "python_full_version": f"{major}.{minor}.0",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "platform_release": "", "platform_version": "", "implementation_version": f"{major}.{minor}.0"}
    tags = set(cpython_tags((major, minor), platforms=platforms))
    tags |= set(compatible_tags((major, minor), "cp" + f"{major}{minor}", platforms=platforms))
    return env, tags, platforms


def wheels_for(folder: Path, tags: set[Tag]) -> dict[str, list[tuple[object, Path]]]:
    """Installable wheels in the folder by project name, newest version first."""
    found: dict[str, list[tuple[object, Path]]] = {}
    for wheel in folder.glob("*.whl"):
        name, version, _, wheel_tags = parse_wheel_filename(wheel.name)
        if wheel_tags & tags:
            found.setdefault(name, []).append((version, wheel))
    for versions in found.values():
        versions.sort(key=lambda vw: vw[0], reverse=True)
    return found


def requirements_of(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        message = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"))
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


def missing(folder: Path, env: dict[str, str], tags: set[Tag]) -> list[str]:
    """Requirements (as pip arguments) that no wheel in the folder satisfies for the target."""
    wheels = wheels_for(folder, tags)
    if "regstudio" not in wheels:
        raise SystemExit(f"wheelhouse_complete: no RegStudio wheel for this target in {folder}.")
    todo: list[tuple[str, frozenset[str]]] = [("regstudio", frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    lacking: list[str] = []
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        wheel = wheels[name][0][1]
        for req in requirements_of(wheel):
            wanted = any(req.marker is None or req.marker.evaluate(env | {"extra": e}) for e in ("", *extras))
            if not wanted:
                continue
            dep = canonicalize_name(req.name)
            fits = [w for v, w in wheels.get(dep, []) if req.specifier.contains(v, prereleases=True)]
            if not fits:
                lacking.append(f"{req.name}{req.specifier}")
                continue
            wheels[dep] = [(v, w) for v, w in wheels[dep] if w in fits]  # the one the target will install
            todo.append((dep, frozenset(req.extras)))
    return sorted(set(lacking))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--pip-platforms"] and len(argv) == 3:  # for wheelhouse.sh: the --platform options
        print(" ".join(f"--platform={p}" for p in target_environment(argv[1], argv[2])[2]))
        return 0
    if len(argv) != 3 or not Path(argv[0]).is_dir():
        print("wheelhouse_complete: usage: wheelhouse_complete.py DIR PLATFORM PYTHON_VERSION.", file=sys.stderr)
        return 2
    folder, platform, python_version = Path(argv[0]), argv[1], argv[2]
    env, tags, platforms = target_environment(platform, python_version)
    target = [] if platform == "here" else [*(f"--platform={p}" for p in platforms), "--python-version", python_version]
    for _ in range(10):
        lacking = missing(folder, env, tags)
        if not lacking:
            return 0
        print(f"  {platform} {python_version}: adding {', '.join(lacking)} (dependencies for that computer)")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        *target, "-d", str(folder), *lacking], check=True)
    print(f"wheelhouse_complete: still incomplete for {platform} {python_version}: {', '.join(lacking)}.",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
