"""Where a search's trials train: here, on local worker processes, or on a cluster's workers.

Plain data, checked without importing Dask: the command line and the window both make one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import Problem, SpecError

WORKER_MEMORY = 750 * 2**20  # one worker process with TensorFlow and a small model, measured
MAX_WORKERS_PER_COMPUTER = 32  # local workers, or a worker's --slots
# When local workers finish a search sooner than training here, in trial-epochs (trials x epochs),
# measured on 2 cores (bench/cluster.py, bench/RESULTS.md 2026-12-07): starting them costs about
# 8 s (each imports TensorFlow), so a first search pays from about 300 trial-epochs (12 x 30: 0.84x
# of here; 12 x 10: 1.45x); once they run, from about 100 (12 x 10: 0.72-0.93x).
LOCAL_PAYS_COLD = 300
LOCAL_PAYS_WARM = 100


def local_pays(trials: int, epochs: int, workers: int, running: bool = False) -> bool:
    """Whether `workers` local workers would finish this search sooner than training here."""
    return workers >= 2 and trials >= 2 and trials * epochs >= (LOCAL_PAYS_WARM if running else LOCAL_PAYS_COLD)


def available_memory() -> int:
    import psutil  # comes with Dask distributed

    return int(psutil.virtual_memory().available)


def default_local_workers(cores: int | None = None, memory: int | None = None) -> int:
    """One worker per core, as many as memory allows at about 750 MB each, at least one."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    memory = memory if memory is not None else available_memory()
    return max(1, min(cores, memory // WORKER_MEMORY, MAX_WORKERS_PER_COMPUTER))


@dataclass(frozen=True)
class TlsFiles:
    """This computer's side of a TLS cluster: the authority all sides trust, and our certificate."""

    ca: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class Where:
    kind: str  # "here", "local" or "cluster"
    workers: int = 0  # local: how many worker processes
    address: str = ""  # cluster: the scheduler's address, tls://HOST:PORT (tcp:// with insecure)
    tls: TlsFiles | None = None
    insecure: bool = False

    def describe(self) -> str:
        if self.kind == "local":
            return f"{self.workers} local worker{'s' if self.workers != 1 else ''}"
        if self.kind == "cluster":
            return f"the cluster at {self.address}"
        return "this computer"


HERE = Where("here")

_TLS_FIELDS = (("--tls-ca", "the certificate authority"), ("--tls-cert", "this computer's certificate"),
               ("--tls-key", "this computer's private key"))


def parse_where(text: str | None, tls_ca: str | Path | None = None, tls_cert: str | Path | None = None,
                tls_key: str | Path | None = None, insecure: bool = False) -> Where:
    """`here`, `local`, `local:N`, `tls://HOST:PORT` (with the three TLS files) or, with
    `insecure`, `tcp://HOST:PORT`; raises SpecError with one sentence naming what is wrong."""
    text = (text or "here").strip()
    if text == "here":
        return HERE
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if not count:
            return Where("local", default_local_workers())
        if not count.isdigit() or not 1 <= int(count) <= MAX_WORKERS_PER_COMPUTER:
            raise SpecError([Problem("cluster", text,
                                     f"local:N with N a whole number from 1 to {MAX_WORKERS_PER_COMPUTER}")])
        return Where("local", int(count))
    scheme, _, rest = text.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tls", "tcp") or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SpecError([Problem("cluster", text, "here, local, local:N, or a scheduler's address such as "
                                 "tls://192.168.1.10:8786")])
    if scheme == "tcp":
        if not insecure:
            raise SpecError([Problem("cluster", text,
                                     f"a tls:// address, or tcp:// with --insecure ({INSECURE_RISK})")])
        return Where("cluster", address=text, insecure=True)
    files = (tls_ca, tls_cert, tls_key)
    for (option, what), path in zip(_TLS_FIELDS, files, strict=True):
        if path is None or str(path) == "":
            raise SpecError([Problem(option, "missing", f"the file of {what} for a tls:// cluster")])
        if not Path(path).is_file():
            raise SpecError([Problem(option, str(path), f"an existing file: {what} (PEM)")])
    return Where("cluster", address=text, tls=TlsFiles(*(Path(p) for p in files)))  # type: ignore[arg-type]


INSECURE_RISK = "anyone who can reach it could run code on the workers and read the data"
INSECURE_WARNING = f"warning: {{address}} is plain tcp://: {INSECURE_RISK}; use tls:// with certificates."
