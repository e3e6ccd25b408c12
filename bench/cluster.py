"""Grid search on local Dask workers against training here, side by side in one process (issue 17).

    python bench/cluster.py [--workers 2] [--only 25 12 12x30] [--costs]

Searches, all on mnist-5k (4,000 training images; 3,200 train in each of 5 folds):
  25     the feasibility study's search: 5 L2 values x 5 folds x 10 epochs
  12     the lesson's search: 4 L2 values x 3 folds x 10 epochs
  12x30  the same for 30 epochs (the window's "too weak and too strong" recipe)
each trained here (the default, fused, TensorFlow's own threads), here one after another
(--no-fuse), on local workers with a fold's values fused, started inside the timing ("cold":
what `regstudio grid --cluster local` costs, TensorFlow's import in each worker included),
then on the same workers again ("warm": the window keeps them between searches), one trial
each and fused. Every search checks that its scores equal training here to 1e-6.

`--costs` measures the fixed costs: starting the workers, sending the data, the overhead per
trial (one 1-epoch trial of 200 moons points, here against a worker), and memory (this
process, and each worker after a search).

Every timing line ends in `ratio X` (that run's seconds over training here, fused).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import replace
from datetime import date

import numpy as np
import psutil

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.cluster import connect
from regstudio.core.experiments.cluster.dask_runner import DaskRunner
from regstudio.core.experiments.cluster.where import Where
from regstudio.core.experiments.grid_search import GridRequest, GridSearch
from regstudio.core.experiments.presets import preset
from regstudio.core.tf_runtime import import_keras
from regstudio.core.training.session import warm_up

LESSON = (1e-4, 1e-3, 1e-2, 1e-1)
SEARCHES = {"25": ((1e-5, *LESSON), 5, 10), "12": (LESSON, 3, 10), "12x30": (LESSON, 3, 30)}
EPOCHS = 10


def request(values: tuple[float, ...], cv: int, fuse: bool, where: Where | None, dataset: str = "mnist-5k",
            epochs: int = EPOCHS) -> GridRequest:
    base = replace(preset("none").run_spec(), data=DataSpec(dataset)).with_training(epochs=epochs)
    return GridRequest(base, "l2", values, cv, fuse=fuse, where=where)


def timed(req: GridRequest, data) -> tuple[float, list[float], GridSearch]:
    search = GridSearch(req, data)
    started = time.perf_counter()
    result = search.run()
    assert len(result.trials) == req.total_trials and not result.cancelled
    return time.perf_counter() - started, [t.val_score for t in result.trials], search


def machine() -> str:
    return (f"{platform.node()}: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
            f"{platform.python_version()}, {date.today()}")


def searches(which: list[str], workers: int) -> None:
    data = load(DataSpec("mnist-5k"))
    import_keras()
    warm_up()  # the first fit's one-time costs paid before either side is timed
    local = Where("local", workers)
    for size in which:
        values, cv, epochs = SEARCHES[size]
        base_seconds, scores, _ = timed(request(values, cv, True, None, epochs=epochs), data)
        size = f"{len(values) * cv} trials x {epochs} epochs"
        print(f"{size}, here, fused (default): {base_seconds:.1f} s  ratio 1.00", flush=True)
        runs = (("here, one after another", False, None),
                (f"{workers} local workers, cold start, a fold's values fused", True, local),
                (f"{workers} local workers, warm, one trial each", False, local),
                (f"{workers} local workers, warm, a fold's values fused", True, local))
        for label, fuse, where in runs:
            if "cold" in label:
                connect.close_local_cluster()
            seconds, theirs, _ = timed(request(values, cv, fuse, where, epochs=epochs), data)
            same = np.allclose(theirs, scores, rtol=1e-6, atol=1e-6)
            print(f"{size}, {label}: {seconds:.1f} s{'' if same else '  SCORES DIFFER'}  "
                  f"ratio {seconds / base_seconds:.2f}", flush=True)
    connect.close_local_cluster()


def costs(workers: int) -> None:
    from distributed import Client

    connect.close_local_cluster()
    started = time.perf_counter()
    cluster = connect.local_cluster(workers)
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(workers)
    print(f"start {workers} local workers (scheduler and processes, bound to 127.0.0.1): "
          f"{time.perf_counter() - started:.2f} s", flush=True)
    started = time.perf_counter()
    client.run(lambda: __import__("regstudio.core.tf_runtime", fromlist=["x"]).import_keras())
    print(f"TensorFlow's import in every worker, at once: {time.perf_counter() - started:.2f} s", flush=True)
    from regstudio.core.experiments.cluster.parcel import pack

    digits = load(DataSpec("mnist-5k"))
    parcel = pack(digits)
    started = time.perf_counter()
    client.scatter(parcel, broadcast=True, hash=False).result()
    print(f"send mnist-5k to every worker: {time.perf_counter() - started:.2f} s for {parcel.nbytes / 2**20:.1f} MB "
          f"(float32 here: {sum(a.nbytes for a in (digits.x_train, digits.x_test)) / 2**20:.1f} MB of pixels)",
          flush=True)
    client.close()
    moons = load(DataSpec("moons", train_size=200))
    small = (1e-4, 1e-3, 1e-2, 1e-1)
    for _ in range(2):  # the first round traces in each worker; the second is the steady state
        here, _, _ = timed(request(small, None, False, None, "moons", 1), moons)
        there, _, search = timed(request(small, None, False, Where("local", workers), "moons", 1), moons)
    assert isinstance(search.runner, DaskRunner)
    print(f"overhead per trial (4 one-epoch trials of 200 points, warm): here {here / 4 * 1000:.0f} ms, "
          f"{workers} workers {there / 4 * 1000:.0f} ms a trial (wall time / trials)", flush=True)
    client = Client(cluster, set_as_default=False)
    rss = client.run(lambda: __import__("psutil").Process().memory_info().rss)
    client.close()
    print(f"memory: this process {psutil.Process().memory_info().rss / 2**20:.0f} MB; workers after a search "
          + ", ".join(f"{r / 2**20:.0f} MB" for r in rss.values()), flush=True)
    connect.close_local_cluster()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="+", default=list(SEARCHES), choices=tuple(SEARCHES))
    parser.add_argument("--costs", action="store_true")
    args = parser.parse_args()
    print(machine(), flush=True)
    if args.costs:
        costs(args.workers)
    searches(args.only, args.workers)


if __name__ == "__main__":
    main()
