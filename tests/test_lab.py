"""The Lab on its own: every change through a method, every change told to observers."""

from dataclasses import replace

import numpy as np

from regstudio.core.boundary.frames import frame_of
from regstudio.core.boundary.plane import plane_over
from regstudio.core.experiments.grid_search import SearchFinished, TrialFinished
from regstudio.core.lab.events import (
    LabReplaced,
    LessonChanged,
    ModifiedChanged,
    RunAdded,
    RunChanged,
    RunsRemoved,
    SearchAdded,
    SearchChanged,
    SpecChanged,
)
from regstudio.core.lab.lab import ExerciseProgress, Lab, LabContent
from regstudio.core.lab.limits import TeacherLimits
from regstudio.core.model import Dense
from regstudio.core.training.events import (
    DecisionBoundary,
    EarlyStoppingStatus,
    EpochEnded,
    FirstKernel,
    JobFailed,
    Progress,
    RunFinished,
    RunStarted,
)
from regstudio.core.training.run_spec import RunSpec
from regstudio.core.training.summary import RunSummary


def feed(lab, run_id, record, kernel=None):
    """Send a finished record's life to the lab as the training thread would."""
    lab.apply(run_id, RunStarted(record.name, record.layouts, (2, 1) if kernel is not None else None, 3))
    for epoch in record.epochs:
        lab.apply(run_id, EpochEnded(epoch))
        if kernel is not None:
            lab.apply(run_id, FirstKernel(epoch.epoch, kernel))
    lab.apply(run_id, RunFinished(record))


def test_a_run_goes_from_queued_to_done_and_every_step_is_told(lab, lab_content, small_spec):
    record = lab_content.runs[0].record
    run_id = lab.add_run(small_spec, "none")
    assert lab.run(run_id).state == "queued" and lab.run(run_id).name == "1: none" and lab.busy
    lab.apply(run_id, RunStarted("1: none", record.layouts, None, 3))
    assert lab.run(run_id).state == "training" and lab.run(run_id).layouts == record.layouts
    assert lab.run(run_id).boundary is None  # no plane: nothing to draw a boundary on
    lab.apply(run_id, Progress(1, 3, 2, 8, 0.1, 0.5))  # progress is the window's business, not the lab's
    for epoch in record.epochs:
        lab.apply(run_id, EpochEnded(epoch))
    assert lab.run(run_id).epochs == record.epochs
    lab.apply(run_id, RunFinished(replace(record, name="whatever the thread called it")))
    run = lab.run(run_id)
    assert run.state == "done" and not lab.busy
    assert run.record.name == "1: none" and run.summary.name == "1: none" and run.summary.test_accuracy is not None
    assert lab.events == [RunAdded(run_id, 0), ModifiedChanged(True), RunChanged(run_id, "state")] + \
        [RunChanged(run_id, "epoch")] * len(record.epochs) + [RunChanged(run_id, "state")]


def test_runs_are_numbered_and_coloured_in_order_and_renamed_everywhere(lab, small_spec, lab_content):
    ids = [lab.add_run(small_spec, label) for label in ("none", "l2", "dropout")]
    assert [lab.run(i).name for i in ids] == ["1: none", "2: l2", "3: dropout"]
    assert [lab.run(i).color for i in ids] == [0, 1, 2]
    feed(lab, ids[0], lab_content.runs[0].record)
    assert lab.rename_run(ids[0], "  baseline   run ")
    assert lab.run(ids[0]).name == "baseline run" == lab.run(ids[0]).record.name == lab.run(ids[0]).summary.name
    assert not lab.rename_run(ids[0], "   ") and lab.run(ids[0]).name == "baseline run"
    lab.set_shown(ids[1], False)
    assert lab.events[-1] == RunChanged(ids[1], "shown") and not lab.run(ids[1]).shown
    lab.set_shown(ids[1], True)
    assert lab.events[-1] == RunChanged(ids[1], "shown") and lab.run(ids[1]).shown is True


def test_remove_and_clear_can_be_undone_in_place_until_the_lab_is_replaced(lab, small_spec, lab_content):
    record = lab_content.runs[0].record
    ids = [lab.add_run(small_spec, str(i)) for i in range(4)]
    for run_id in ids[:3]:
        feed(lab, run_id, record)
    assert lab.remove_runs({ids[1], ids[3]}) == 1  # the queued run stays
    assert [r.run_id for r in lab.runs] == [ids[0], ids[2], ids[3]]
    assert lab.events[-1] == RunsRemoved(frozenset({ids[1]}))
    assert lab.clear_runs() == 2 and [r.run_id for r in lab.runs] == [ids[3]]
    assert lab.undo() == 2 and [r.run_id for r in lab.runs] == [ids[0], ids[2], ids[3]]
    assert lab.events[-2:] == [RunAdded(ids[0], 0), RunAdded(ids[2], 1)]  # each told where it went back
    assert lab.undo() == 1 and [r.run_id for r in lab.runs] == ids
    assert lab.events[-1] == RunAdded(ids[1], 1)
    assert lab.undo() == 0 and not lab.can_undo
    lab.clear_runs()
    lab.replace_content(LabContent(small_spec))
    assert not lab.can_undo and lab.runs == [] and lab.events[-2:] == [LabReplaced(), ModifiedChanged(False)]


def test_stop_drops_waiting_runs_for_good(lab, small_spec):
    ids = [lab.add_run(small_spec, str(i)) for i in range(3)]
    lab.apply(ids[0], RunStarted("x", (), None, 3))
    lab.drop_waiting(ids)
    assert [r.run_id for r in lab.runs] == [ids[0]] and not lab.can_undo
    assert lab.events[-1] == RunsRemoved(frozenset(ids[1:]))


def test_failed_runs_keep_their_reason_and_late_events_of_unknown_jobs_are_ignored(lab, small_spec):
    run_id = lab.add_run(small_spec, "x")
    lab.apply(run_id, JobFailed("data.path = 'x.csv': no such file"))
    assert lab.run(run_id).state == "failed" and "no such file" in lab.run(run_id).problem
    before = list(lab.events)
    lab.apply(999, EpochEnded(None))
    assert lab.events == before


def test_kernels_and_early_stopping_status_are_kept_while_training(lab, small_spec, lab_content):
    run_id = lab.add_run(small_spec, "x")
    kernel = np.ones((2, 3), np.float32)
    lab.apply(run_id, FirstKernel(1, kernel))
    status = EarlyStoppingStatus(2, 1, 0.5, 1, 5, "val_loss")
    lab.apply(run_id, EarlyStoppingStatus(2, 1, 0.5, 1, 5, "val_loss"))
    assert lab.run(run_id).first_kernel is kernel and lab.run(run_id).early == status
    lab.apply(run_id, RunFinished(lab_content.runs[0].record))
    assert lab.run(run_id).early is None and lab.run(run_id).first_kernel is kernel


def test_decision_boundaries_are_kept_for_scrubbing_and_told_as_their_own_aspect(lab, small_spec, lab_content,
                                                                                blobs):
    record = lab_content.runs[0].record
    run_id = lab.add_run(small_spec, "none")
    lab.apply(run_id, DecisionBoundary(frame_of(1, np.full((4, 3), 1 / 3), 2)))  # before its start: nowhere to go
    assert lab.run(run_id).boundary is None
    plane = plane_over(blobs, np.arange(10), size=2)
    lab.apply(run_id, RunStarted(record.name, record.layouts, None, 3, plane))
    assert lab.run(run_id).boundary.plane is plane and lab.run(run_id).boundary.frames == ()
    del lab.events[:]
    for epoch in (1, 2):
        lab.apply(run_id, DecisionBoundary(frame_of(epoch, np.eye(3)[[0, 1, 2, epoch]], 2)))
    assert [f.epoch for f in lab.run(run_id).boundary.frames] == [1, 2]
    assert [(type(e).__name__, e.aspect) for e in lab.events] == [("RunChanged", "boundary")] * 2
    lab.apply(run_id, RunFinished(record))
    assert lab.run(run_id).boundary.last.epoch == 2  # a finished run keeps its pictures


def test_a_search_collects_its_trials_and_result(lab, small_spec, lab_content):
    search = lab_content.searches[0]
    search_id = lab.add_search(search.request)
    assert lab.search(search_id).state == "queued" and lab.busy
    lab.apply(search_id, TrialFinished(search.trials[0]))
    assert lab.search(search_id).state == "running" and lab.search(search_id).trials == search.trials[:1]
    lab.apply(search_id, SearchFinished(search.result))
    assert lab.search(search_id).result == search.result and not lab.busy and lab.modified
    assert lab.events[0] == SearchAdded(search_id) and SearchChanged(search_id, "trial") in lab.events
    other = lab.add_search(search.request)  # a second search is a search of its own
    assert other != search_id and [s.search_id for s in lab.searches] == [search_id, other]
    assert lab.search(other).request == search.request and lab.search(other).state == "queued"


def test_a_search_that_starts_and_fails_is_told_and_marks_the_lab(lab, lab_content):
    search_id = lab.add_search(lab_content.searches[0].request)
    lab.apply(search_id, Progress(1, 1, 1, 1, 0.0, 0.0))
    assert lab.events[-1] == SearchChanged(search_id, "state") and not lab.modified
    lab.apply(search_id, JobFailed("out of memory"))
    assert lab.events[-2:] == [SearchChanged(search_id, "state"), ModifiedChanged(True)] and lab.modified


def test_spec_changes_say_whether_they_came_from_the_builder(lab, small_spec):
    other = small_spec.with_training(epochs=7)
    lab.set_spec(other)
    assert lab.events == [SpecChanged(False), ModifiedChanged(True)] and lab.spec == other
    lab.mark_saved()
    lab.events.clear()
    lab.set_spec(replace(other, model=type(other.model)((Dense(4),))), from_builder=True)
    assert lab.events == [SpecChanged(True), ModifiedChanged(True)]
    lab.set_spec(lab.spec, from_builder=True)
    assert len(lab.events) == 2  # nothing new: the same spec changes nothing


def test_content_leaves_out_what_is_unfinished_and_replacing_keeps_ids_fresh(lab, small_spec, lab_content):
    waiting = lab.add_run(small_spec, "waiting")
    lab.replace_content(lab_content)
    ids = [r.run_id for r in lab.runs]
    assert waiting not in ids and len(set(ids)) == 4 and lab.search(lab.searches[0].search_id) is not None
    assert lab.add_run(small_spec, "next").__gt__(max(ids)) and lab.runs[-1].name == "5: next"
    assert lab.runs[-1].color == 4
    content = lab.content()
    assert len(content.runs) == 4 and content.notes == lab_content.notes and content.exercises == lab_content.exercises


def test_teacher_limits_name_the_limit(small_spec):
    limits = TeacherLimits(max_epochs=2, max_units=8, max_params=100)
    found = {p.field: str(p) for p in limits.problems(small_spec, (2, 3))}
    assert found["training.epochs"] == "training.epochs = 3: at most 2, the limit your teacher set for this lab"
    assert "layers[0].units" in found and "layers[1].units" not in found
    assert found["model"].startswith("model = '211 parameters': at most 100")
    assert TeacherLimits().problems(small_spec, (2, 3)) == []


def test_teacher_limits_allow_exactly_the_limit(small_spec):
    # small_spec: 3 epochs, Dense(16) then Dense(8): 211 parameters on 2 features and 3 classes
    assert TeacherLimits(max_epochs=3, max_units=16, max_params=211).problems(small_spec, (2, 3)) == []
    assert [str(p) for p in TeacherLimits(max_units=15).problems(small_spec, (2, 3))] == [
        "layers[0].units = 16: at most 15, the limit your teacher set for this lab"]


def test_a_trial_shown_as_a_run_is_named_like_any_run_everywhere(lab, lab_content):
    record = lab_content.runs[1].record  # its own name: "2: l1"
    kernel = np.ones((784, 32), np.float32)
    run_id = lab.add_finished_run("trial", record, kernel, (28, 28))
    run = lab.run(run_id)
    assert (run.state, run.name, run.record.name, run.summary.name) == ("done", "1: trial", "1: trial", "1: trial")
    assert run.summary == RunSummary.of(run.record)
    assert run.epochs == record.epochs and run.layouts == record.layouts and run.image_shape == (28, 28)
    assert run.first_kernel is kernel and lab.events[-1] == RunChanged(run_id, "state")
    assert run.spec == record.spec  # the spec the trial trained, as any run keeps its own


def test_a_students_progress_through_the_lessons_exercises(lab, lab_content):
    lab.set_exercise(2, "started")
    lab.set_exercise(2, answer="L2 shrinks the weights")  # the state stays
    lab.set_exercise(2, "done")  # the answer stays
    lab.set_exercise(2, "done")  # the same again: nothing told
    assert lab.exercises == {2: ExerciseProgress(2, "done", "L2 shrinks the weights")}
    lab.set_exercise(2, answer="")  # an answer can be cleared
    assert lab.exercises == {2: ExerciseProgress(2, "done", "")}
    assert lab.events == [LessonChanged(), ModifiedChanged(True), LessonChanged(), LessonChanged(), LessonChanged()]
    lab.set_lesson(lab_content.lesson)  # a teacher's lesson: its exercises start afresh
    assert lab.lesson == lab_content.lesson and lab.exercises == {} and lab.events[-1] == LessonChanged()
    lab.set_exercise(1)
    assert lab.content().exercises == (ExerciseProgress(1, "started", ""),)
    assert lab.content().lesson == lab_content.lesson


def test_what_is_saved_is_the_finished_lab_as_the_student_left_it(lab, small_spec, lab_content):
    lab.replace_content(lab_content)
    spec, limits = small_spec.with_training(epochs=9), TeacherLimits(max_units=64)
    lab.set_spec(spec)
    lab.set_limits(limits)
    search = lab_content.searches[0]
    lab.add_search(search.request)  # queued
    running = lab.add_search(search.request)
    lab.apply(running, TrialFinished(search.trials[0]))
    failed = lab.add_search(search.request)
    lab.apply(failed, JobFailed("out of memory"))
    lab.add_run(small_spec, "waiting")
    content = lab.content()
    assert (content.spec, content.limits, content.notes, content.lesson) == (spec, limits, lab_content.notes,
                                                                            lab_content.lesson)
    assert [r.name for r in content.runs] == [r.name for r in lab_content.runs]
    assert [(s.state, s.problem) for s in content.searches] == [("done", ""), ("failed", "out of memory")]
    assert content.searches[0].result == search.result


def test_a_new_lab_shows_its_spec_and_has_nothing_unsaved(small_spec):
    assert Lab(small_spec).spec == small_spec and Lab().spec == RunSpec()
    lab = Lab(small_spec)
    assert lab.modified is False  # a bool: the window hands it to setWindowModified
    lab.set_notes("x")
    lab.replace_content(LabContent(small_spec))
    assert lab.modified is False


def test_every_search_a_lab_brings_keeps_an_id_of_its_own(lab, lab_content):
    done = lab_content.searches[0]
    failed = replace(done, state="failed", result=None, problem="stopped")
    lab.replace_content(replace(lab_content, searches=(done, failed)))
    search_ids = [s.search_id for s in lab.searches]
    assert len(set(search_ids + [r.run_id for r in lab.runs])) == 6 and all(isinstance(i, int) for i in search_ids)
    assert [lab.search(i).state for i in search_ids] == ["done", "failed"]


def test_kernel_early_stopping_and_failure_are_each_told_as_their_own_aspect(lab, small_spec):
    run_id = lab.add_run(small_spec, "x")
    lab.apply(run_id, FirstKernel(1, np.ones((2, 3), np.float32)))
    lab.apply(run_id, EarlyStoppingStatus(2, 1, 0.5, 1, 5, "val_loss"))
    lab.apply(run_id, JobFailed("out of memory"))
    assert lab.events[-3:] == [RunChanged(run_id, "kernel"), RunChanged(run_id, "early"), RunChanged(run_id, "state")]
    run = lab.run(run_id)
    assert (run.state, run.problem, run.early) == ("failed", "out of memory", None)  # no stale early stopping


def test_a_finished_run_takes_its_epochs_and_layouts_from_its_record(lab, small_spec, lab_content):
    record = lab_content.runs[0].record
    run_id = lab.add_run(small_spec, "x")
    lab.apply(run_id, RunStarted(record.name, (), None, 3))
    lab.apply(run_id, EpochEnded(record.epochs[0]))  # the other epochs' events never arrived
    lab.apply(run_id, RunFinished(record))
    assert lab.run(run_id).epochs == record.epochs and lab.run(run_id).layouts == record.layouts
