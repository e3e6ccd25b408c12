"""The training thread's queue: first in, first out; Stop drops what waits; requests start their own jobs."""

from regstudio.core.experiments.grid_search import GridRequest, GridSearch
from regstudio.core.experiments.job_queue import JobQueue, QueuedJob
from regstudio.core.training.session import RunRequest, TrainingSession


def test_job_queue_is_first_in_first_out_and_stop_drops_the_waiting(small_spec):
    queue = JobQueue()
    for i in (1, 2, 3):
        queue.put(QueuedJob(i, RunRequest(small_spec, f"run {i}")))
    assert queue.take().job_id == 1
    assert [job.job_id for job in queue.clear()] == [2, 3]
    assert queue.take() is None and len(queue) == 0
    queue.put(QueuedJob(4, GridRequest(small_spec, "l2", (1e-3,))))
    assert queue.take().job_id == 4


def test_a_request_names_its_data_and_starts_its_own_job(small_spec, blobs):
    run = RunRequest(small_spec, "3: l2")
    grid = GridRequest(small_spec, "dropout", (0.2, 0.5), cv=2)
    assert run.data == grid.data == small_spec.data
    assert (run.name, grid.name) == ("3: l2", "grid dropout")
    session = run.start(blobs, print)
    assert isinstance(session, TrainingSession) and session.name == "3: l2" and session.listener is print
    search = grid.start(blobs, print)
    assert isinstance(search, GridSearch) and search.total_trials == 4 and search.listener is print


def test_compatible_runs_queued_together_are_taken_as_one_fused_job(small_spec):
    from dataclasses import replace

    from regstudio.core.model import Dense, ModelSpec
    from regstudio.core.training.fused import FusedRequest

    other_net = replace(small_spec, model=ModelSpec((Dense(4),)))
    queue = JobQueue()
    queue.put_all([QueuedJob(1, RunRequest(small_spec, "a")), QueuedJob(2, RunRequest(other_net, "b")),
                   QueuedJob(3, RunRequest(small_spec.with_training(learning_rate=0.1), "c")),
                   QueuedJob(4, RunRequest(small_spec, "d", fuse=False)), QueuedJob(5, RunRequest(small_spec, "e")),
                   QueuedJob(6, GridRequest(small_spec, "l2", (1e-3,))), QueuedJob(7, RunRequest(small_spec, "f"))])
    first = queue.take_group()
    assert first.job_id == 1 and first.job_ids == (1, 2) and isinstance(first.request, FusedRequest)
    assert [r.name for _, r in first.request.members] == ["a", "b"]
    assert [queue.take_group().job_ids for _ in range(5)] == [(3,), (4,), (5,), (6,), (7,)]
    assert queue.take_group() is None
    queue.put_all([QueuedJob(i, RunRequest(small_spec, str(i))) for i in range(10)])
    assert [queue.take_group().job_ids for _ in range(2)] == [tuple(range(8)), (8, 9)]  # at most 8 in one model
    queue.put_all([QueuedJob(i, RunRequest(small_spec, str(i))) for i in range(3)])
    assert queue.take().job_ids == (0,)  # take: one job alone
