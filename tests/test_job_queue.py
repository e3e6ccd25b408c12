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
