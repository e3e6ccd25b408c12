"""Grid search on Dask workers, on this machine only: every address is 127.0.0.1.

Local workers are the process's own (started once, closed at the end of the module); the TLS
cluster is a `regstudio scheduler` and a `regstudio worker` started as separate processes with
certificates from `Security.temporary()` written to files, as a teacher's would be.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil
import pytest

from regstudio.cli import main
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import ClusterError, SpecError
from regstudio.core.experiments.cluster import connect as cluster_connect
from regstudio.core.experiments.cluster.parcel import pack
from regstudio.core.experiments.cluster.versions import local_versions, version_problem
from regstudio.core.experiments.cluster.where import Where, parse_where
from regstudio.core.experiments.grid_search import GridRequest, GridSearch, SearchProgress, TrialFinished
from regstudio.core.experiments.presets import preset
from regstudio.core.experiments.trials import TrialEpoch

LOCAL = Where("local", 2)
PYTHON = sys.executable


@pytest.fixture(scope="module", autouse=True)
def _local_workers_end():
    yield
    cluster_connect.close_local_cluster()


@pytest.fixture(scope="module")
def moons():
    return load(DataSpec("moons", train_size=300))


def _request(epochs: int = 2, values=(1e-4, 1e-2), cv: int | None = 2, where: Where | None = LOCAL) -> GridRequest:
    base = replace(preset("none").run_spec(), data=DataSpec("moons", train_size=300)).with_training(
        epochs=epochs, batch_size=64)
    return GridRequest(base, "l2", tuple(values), cv, where=where)


def _scores(path: Path) -> list[tuple[str, list[float]]]:
    runs = json.loads(path.read_text())["runs"]
    return [(r["name"], [e[k] for e in r["epochs"] for k in ("loss", "val_loss", "val_accuracy")]) for r in runs]


def test_the_command_line_on_two_local_workers_gives_the_same_scores(tmp_path, capsys):
    """The issue's own check: 4 trials whose scores equal the same command without --cluster."""
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    command = ["grid", "--param", "l2", "--values", "1e-4", "1e-2", "--cv", "2", "--epochs", "2",
               "--dataset", "moons", "--train-size", "300"]
    assert main([*command, "--json", str(here)]) == 0
    assert main([*command, "--cluster", "local:2", "--json", str(there)]) == 0
    assert "2 local workers" in capsys.readouterr().out
    ours, theirs = _scores(here), _scores(there)
    assert len(theirs) == 4 and [n for n, _ in ours] == [n for n, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6)


def test_each_trial_reports_every_epoch_once_in_order_and_the_search_keeps_fold_order(moons):
    heard: list[object] = []
    threads: set[int] = set()

    def listener(event: object) -> None:
        threads.add(threading.get_ident())
        heard.append(event)

    result = GridSearch(_request(epochs=3), moons, listener).run()
    epochs: dict[tuple[int, int], list[int]] = {}
    for e in heard:
        if isinstance(e, TrialEpoch):
            epochs.setdefault((e.unit.key, e.member), []).append(e.record.epoch)
    assert sorted(epochs.values()) == [[1, 2, 3]] * 4
    assert threads == {threading.get_ident()}  # the listener hears everything on run()'s thread
    assert [(t.fold, t.value) for t in result.trials] == [(0, 1e-4), (0, 1e-2), (1, 1e-4), (1, 1e-2)]
    for t in result.trials:  # what streamed is what the record says
        streamed = [e.record for e in heard if isinstance(e, TrialEpoch) and e.record in t.record.epochs]
        assert len(streamed) == 3
    assert sum(isinstance(e, TrialFinished) for e in heard) == 4


def test_cancel_stops_running_trials_within_a_second(moons):
    request = _request(epochs=400, values=(1e-4, 1e-3, 1e-2, 1e-1), cv=None)
    request = GridRequest(request.base, "l2", request.values, None, fuse=False, where=LOCAL)
    running = threading.Event()

    def listener(event: object) -> None:
        if isinstance(event, SearchProgress) and event.progress.epoch >= 2:
            running.set()

    search = GridSearch(request, moons, listener)
    outcome: dict[str, object] = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("result", search.run()))
    thread.start()
    assert running.wait(120), "no trial reached its second epoch"
    from distributed import Client

    client = Client(cluster_connect.local_cluster(2), set_as_default=False)

    def executing() -> int:  # asked of the workers themselves: the scheduler forgets a cancelled task at once
        return sum(client.run(lambda dask_worker: dask_worker.state.executing_count).values())

    try:
        assert executing() == 2, "both workers should be training when Cancel is pressed"
        cancelled = time.perf_counter()
        search.cancel()
        while executing():
            assert time.perf_counter() - cancelled < 1.0, "workers still training 1 s after Cancel"
            time.sleep(0.02)  # polling the workers, not waiting for a thread
    finally:
        client.close()
    thread.join(30)
    assert not thread.is_alive()
    result = outcome["result"]
    assert result.cancelled and result.trials == ()


def test_data_travel_as_bytes_and_come_back_bit_for_bit():
    digits = load(DataSpec("mnist-5k", train_size=200))
    parcel = pack(digits)
    assert parcel.pixels and parcel.arrays[0].dtype == np.uint8
    back = parcel.unpack()
    assert np.array_equal(back.x_train, digits.x_train) and np.array_equal(back.x_test, digits.x_test)
    moons_parcel = pack(load(DataSpec("moons")))
    assert not moons_parcel.pixels  # coordinates, not pixels: sent as they are


def test_where_is_checked_with_one_sentence(tmp_path):
    assert parse_where("local:3") == Where("local", 3)
    for text, words in (("local:0", "local:N"), ("tcp://127.0.0.1:8786", "--insecure"),
                        ("somewhere", "tls://"), ("tls://127.0.0.1:8786", "--tls-ca")):
        with pytest.raises(SpecError, match=re.escape(words)):
            parse_where(text)
    assert parse_where("tcp://127.0.0.1:8786", insecure=True).insecure
    with pytest.raises(SpecError, match="an existing file"):
        parse_where("tls://127.0.0.1:8786", tmp_path / "ca.pem", tmp_path / "c.pem", tmp_path / "k.pem")


def test_a_mismatched_version_is_named_with_both_versions():
    here = local_versions()
    assert version_problem(here, {"tls://10.0.0.2:1": dict(here)}) is None
    sentence = version_problem(here, {"tls://10.0.0.2:1": {**here, "TensorFlow": "2.15.0"}})
    assert sentence == (f"the worker at tls://10.0.0.2:1 has TensorFlow 2.15.0 and this computer TensorFlow "
                        f"{here['TensorFlow']}: install the same version on both (the classroom wheelhouse has it)")


def test_worker_help_exits_0():
    done = subprocess.run([PYTHON, "-m", "regstudio", "worker", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "--slots" in done.stdout


# A TLS cluster of separate processes ------------------------------------------------------------
def _pem_files(folder: Path) -> tuple[Path, Path, Path]:
    from distributed.security import Security

    security = Security.temporary()  # PEM text in the fields that usually hold file names
    folder.mkdir()
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    for path, text in zip(paths, (security.tls_ca_file, security.tls_client_cert, security.tls_client_key),
                          strict=True):
        path.write_text(text)
    return paths


def _tls(paths: tuple[Path, Path, Path]) -> list[str]:
    return ["--tls-ca", str(paths[0]), "--tls-cert", str(paths[1]), "--tls-key", str(paths[2])]


def _read_line(process: subprocess.Popen, pattern: str, seconds: float) -> re.Match:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r}: {''.join(seen)}")


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    ours, strangers = _pem_files(folder / "ours"), _pem_files(folder / "strangers")
    processes = []
    try:
        scheduler = subprocess.Popen([PYTHON, "-m", "regstudio", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      *_tls(ours)], stdout=subprocess.PIPE, text=True)
        processes.append(scheduler)
        address = _read_line(scheduler, r"listening at (tls://127\.0\.0\.1:\d+)", 60).group(1)
        worker = subprocess.Popen([PYTHON, "-m", "regstudio", "worker", address, "--slots", "1", "--host",
                                   "127.0.0.1", *_tls(ours)],
                                  stdout=subprocess.PIPE, text=True)
        processes.append(worker)
        _read_line(worker, "joined", 60)
        yield address, ours, strangers
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_tls_cluster_trains_the_search_and_gives_the_same_scores(tls_cluster, moons):
    address, ours, _ = tls_cluster
    where = parse_where(address, *ours)
    there = GridSearch(_request(values=(1e-3,), cv=None, where=where), moons).run()
    here = GridSearch(_request(values=(1e-3,), cv=None, where=None), moons).run()
    assert len(there.trials) == 1
    a, b = here.trials[0].record.epochs, there.trials[0].record.epochs
    np.testing.assert_allclose([e.val_loss for e in b], [e.val_loss for e in a], rtol=1e-6)


def test_a_certificate_from_another_authority_is_refused(tls_cluster, moons):
    address, _, strangers = tls_cluster
    with pytest.raises(ClusterError, match=re.escape(f"could not reach the cluster at {address}")):
        GridSearch(_request(values=(1e-3,), cv=None, where=parse_where(address, *strangers)), moons).run()


def test_workers_of_another_version_are_refused_with_both_versions(tls_cluster, moons, monkeypatch):
    address, ours, _ = tls_cluster
    import regstudio

    theirs = regstudio.__version__  # the worker's process read it from the same installation
    monkeypatch.setattr(regstudio, "__version__", "0.0.9")  # this computer now runs another RegStudio
    with pytest.raises(ClusterError, match=re.escape(f"has RegStudio {theirs} and this computer RegStudio 0.0.9")):
        GridSearch(_request(values=(1e-3,), cv=None, where=parse_where(address, *ours)), moons).run()


# The watchdog -------------------------------------------------------------------------------------
STARTER = textwrap.dedent("""
    import sys
    from distributed import Client
    from regstudio.core.experiments.cluster.connect import local_cluster

    cluster = local_cluster(2)
    client = Client(cluster)
    client.wait_for_workers(2, timeout=60)
    print(*client.run(lambda: __import__("os").getpid()).values(), flush=True)
    sys.stdin.read()
""")


def test_local_workers_end_when_regstudio_is_killed():
    app = subprocess.Popen([PYTHON, "-c", STARTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        pids = [int(p) for p in _read_line(app, r"^\d+ \d+$", 120).group(0).split()]
        assert len(pids) == 2 and all(psutil.pid_exists(p) for p in pids)
        workers = [psutil.Process(p) for p in pids]
        app.kill()  # kill -9: no atexit, no cleanup of its own
        app.wait(10)
        _gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"workers {[p.pid for p in alive]} outlived the killed app"
    finally:
        if app.poll() is None:
            app.kill()


def test_a_unit_that_fails_on_its_worker_is_said_and_the_search_goes_on(moons, monkeypatch):
    """A worker in this process (threads, 127.0.0.1) so that one value's training can be made to fail."""
    from distributed import Client, LocalCluster

    from regstudio.core.experiments.cluster import dask_runner, worker_side
    from regstudio.core.experiments.grid_search import TrialsFailed

    real = worker_side.train_unit

    def failing(unit, *args, **kwargs):
        if 1e-2 in unit.values:
            raise MemoryError("no room for this trial")
        return real(unit, *args, **kwargs)

    monkeypatch.setattr(worker_side, "train_unit", failing)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,  # in-process: no network at all
                      dashboard_address="127.0.0.1:0") as cluster:
        monkeypatch.setattr(dask_runner, "connect", lambda where: Client(cluster, set_as_default=False))
        heard: list[object] = []
        request = GridRequest(_request().base, "l2", (1e-4, 1e-2, 1e-1), None, fuse=False, where=LOCAL)
        result = GridSearch(request, moons, heard.append).run()
    failed = [e for e in heard if isinstance(e, TrialsFailed)]
    assert [f.values for f in failed] == [(1e-2,)]
    assert failed[0].message == ("l2=0.01 failed on a worker: Not enough memory for this model and dataset; try a "
                                 "smaller training set or fewer units.")
    assert [t.value for t in result.trials] == [1e-4, 1e-1] and not result.cancelled



def test_a_worker_killed_mid_trial_costs_only_a_retry_and_the_scores_stay(moons):
    from distributed import Client

    request = GridRequest(_request().base.with_training(epochs=60), "l2", (1e-4, 1e-2), None, fuse=False,
                          where=LOCAL)
    client = Client(cluster_connect.local_cluster(2), set_as_default=False)
    killed: list[int] = []
    heard: list[object] = []

    def listener(event: object) -> None:  # on run()'s thread: the kill happens while both train
        heard.append(event)
        if not killed and isinstance(event, SearchProgress) and event.progress.epoch >= 3:
            busy = [address for address, n in client.run(
                lambda dask_worker: dask_worker.state.executing_count).items() if n]
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)  # as a PC switched off mid-trial
            killed.append(pid)

    try:
        result = GridSearch(request, moons, listener).run()
    finally:
        client.close()
    assert killed, "no worker was killed"
    assert [t.value for t in result.trials] == [1e-4, 1e-2]
    for trial in result.trials:  # the retried trial's epochs were told once each, in order
        told = [e.record.epoch for e in heard if isinstance(e, TrialEpoch) and e.unit.values == (trial.value,)]
        assert told == list(range(1, 61))
    here = GridSearch(GridRequest(request.base, "l2", request.values, None, fuse=False), moons).run()
    assert [t.val_score for t in result.trials] == [t.val_score for t in here.trials]
