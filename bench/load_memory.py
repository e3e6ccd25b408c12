"""Peak memory of loading a user's file, against the size of the arrays it decodes to.

    python bench/load_memory.py                    # a 0.5 GB uint8 .npz and a 200 MB CSV
    python bench/load_memory.py --npz-mb 50 --csv-mb 20

Each file is made in a temporary folder, then loaded by `load_file` in a fresh Python
process, so nothing else that process did counts. The child resets its high-water mark
(/proc/self/clear_refs) after importing, and reports how far its resident memory rose
while loading. "decoded" is what the loader hands to training: the float32 inputs and
int64 labels of the train and test parts. Issue 13's target: peak <= 3x decoded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CHILD = r"""
import json, sys, time
from pathlib import Path
from regstudio.core.datasets.user_files import load_file

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

try:
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
    reset = True
except OSError:
    reset = False
base = status("VmRSS")
start = time.perf_counter()
split = load_file(sys.argv[1])
seconds = time.perf_counter() - start
decoded = sum(a.nbytes for a in (split.x_train, split.y_train, split.x_test, split.y_test))
print(json.dumps({"base": base, "peak": status("VmHWM"), "decoded": decoded, "reset": reset,
                  "seconds": seconds, "shape": [len(split.x_train) + len(split.x_test), split.n_features]}))
"""


def measure(path: Path) -> dict:
    """Load `path` in a child process; its baseline, peak and decoded bytes."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                         check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_npz(folder: Path, megabytes: float) -> Path:
    n = int(megabytes * 1e6 / 784)
    rng = np.random.default_rng(0)
    path = folder / "images.npz"
    np.savez(path, x=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), y=rng.integers(0, 10, n))
    return path


def make_csv(folder: Path, megabytes: float) -> Path:
    """Pixel rows as in the MNIST CSVs people download: a label column, then 784 values 0..255."""
    rng = np.random.default_rng(0)
    words = np.array([str(i) for i in range(256)])
    path = folder / "pixels.csv"
    target = megabytes * 1e6
    with open(path, "w", encoding="utf-8") as f:
        f.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
        while f.tell() < target:
            block = rng.integers(0, 256, (1000, 785))
            block[:, 0] %= 10
            f.write("\n".join(",".join(row) for row in words[block]) + "\n")
    return path


def report(kind: str, path: Path) -> None:
    m = measure(path)
    rise = m["peak"] - m["base"]
    print(f"{kind}: file {path.stat().st_size / 1e6:,.0f} MB, {m['shape'][0]:,} x {m['shape'][1]}, "
          f"decoded {m['decoded'] / 1e6:,.0f} MB; loading raised resident memory by {rise / 1e6:,.0f} MB "
          f"(peak {m['peak'] / 1e6:,.0f} MB, {m['base'] / 1e6:,.0f} MB before) in {m['seconds']:.1f} s: "
          f"{rise / m['decoded']:.2f}x decoded ({m['peak'] / m['decoded']:.2f}x counting the interpreter)"
          + ("" if m["reset"] else "; high-water mark not reset, so the peak may be the imports'"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npz-mb", type=float, default=500.0)
    parser.add_argument("--csv-mb", type=float, default=200.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make, size in (("npz", make_npz, args.npz_mb), ("csv", make_csv, args.csv_mb)):
            if size <= 0:
                continue
            started = time.perf_counter()
            path = make(Path(tmp), size)
            print(f"({kind} made in {time.perf_counter() - started:.0f} s)", flush=True)
            report(kind, path)
            path.unlink()


if __name__ == "__main__":
    main()
