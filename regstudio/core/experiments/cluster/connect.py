"""Reaching workers: local ones started here (bound to 127.0.0.1), or a cluster's scheduler.

Local workers are started once per process and kept for later searches: each worker imports
TensorFlow once, which costs seconds. They end with RegStudio, however it ends: closed at
exit, and, if RegStudio is killed, by the watchdog each of them runs (watchdog.py).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
from typing import Any

from ...errors import ClusterError
from .versions import local_versions, version_problem
from .where import Where

# Each worker trains with one TensorFlow thread: two single-threaded workers on two cores beat
# one process using both (bench/RESULTS.md, the feasibility study in issue 17).
WORKER_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1",
              "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow"}
WATCHDOG = "regstudio.core.experiments.cluster.watchdog"
CONNECT_SECONDS = 10

_local: dict[str, Any] = {"cluster": None, "workers": 0}
_local_lock = threading.RLock()  # connect() holds it around local_cluster()


def dask_settings() -> None:
    """Spawned worker processes, never forked: TensorFlow may already be imported here."""
    import dask

    dask.config.set({"distributed.worker.multiprocessing-method": "spawn",
                     "distributed.worker.daemon": True,
                     "distributed.scheduler.allowed-failures": 1})  # a unit that kills two workers is failed


def local_cluster(workers: int) -> Any:
    """This process's local workers, started on first use (or again with another count: one
    search runs at a time, in the window as on the command line)."""
    from distributed import LocalCluster

    with _local_lock:
        cluster = _local["cluster"]
        if cluster is not None and (_local["workers"] != workers or cluster.status.name != "running"):
            close_local_cluster(locked=True)
            cluster = None
        if cluster is None:
            dask_settings()
            # Everything listens on 127.0.0.1 only, the scheduler's small web server too (any free
            # port: Dask's usual 8787 may be taken by another program).
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   scheduler_port=0, dashboard_address="127.0.0.1:0", env=dict(WORKER_ENV),
                                   preload=[WATCHDOG], silence_logs=logging.ERROR)
            _local.update(cluster=cluster, workers=workers)
        return cluster


def local_cluster_running() -> bool:
    cluster = _local["cluster"]
    return cluster is not None and cluster.status.name == "running"


def close_local_cluster(locked: bool = False) -> None:
    """End the local workers (at exit, or to start another number of them)."""
    if not locked:
        with _local_lock:
            close_local_cluster(locked=True)
        return
    cluster, _local["cluster"] = _local["cluster"], None
    if cluster is not None:
        with contextlib.suppress(Exception):  # already closing; at exit, nothing more can be done
            cluster.close(timeout=10)


atexit.register(close_local_cluster)


def security_of(where: Where) -> Any:
    from distributed.security import Security

    if where.tls is None:
        return None
    return Security(tls_ca_file=str(where.tls.ca), tls_client_cert=str(where.tls.cert),
                    tls_client_key=str(where.tls.key), require_encryption=True)


def connect(where: Where) -> Any:
    """A client of the workers `where` names, their versions checked; raises ClusterError."""
    from distributed import Client

    dask_settings()
    try:
        if where.kind == "local":
            with _local_lock:  # not closed for another worker count between the two steps
                client = Client(local_cluster(where.workers), set_as_default=False)
        else:
            client = Client(where.address, security=security_of(where), timeout=CONNECT_SECONDS,
                            set_as_default=False)
    except ClusterError:
        raise
    except Exception as exc:
        raise ClusterError(f"could not reach {where.describe()}: {_reason(exc)}") from exc
    try:
        if where.kind == "cluster":  # local workers started from here run this very installation
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            problem = version_problem(local_versions(), client.run(local_versions))
            if problem:
                raise ClusterError(problem)
    except Exception as exc:
        client.close()
        if isinstance(exc, ClusterError):
            raise
        raise ClusterError(f"{where.describe()} has no worker ready ({_reason(exc)}); start one with "
                           f"'regstudio worker {where.address}'") from exc
    return client


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
