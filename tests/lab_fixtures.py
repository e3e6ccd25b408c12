"""Real runs for the lab tests: trained once per test session on tiny data."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace

import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.grid_search import GridRequest, GridSearch
from regstudio.core.lab.collect import RunArrays
from regstudio.core.lab.lab import ExerciseProgress, Lab, LabContent, LabRun, LabSearch
from regstudio.core.lab.limits import TeacherLimits
from regstudio.core.lessons.lesson_files import builtin_lesson
from regstudio.core.model import Dense, ModelSpec, Regularizer
from regstudio.core.training.run_spec import EarlyStopping, RunSpec, TrainingConfig
from regstudio.core.training.session import TrainingSession
from regstudio.core.training.summary import RunSummary


def train(spec, name, data=None):
    """(record, last first-layer kernel or None, decision boundary history or None)."""
    arrays = RunArrays()
    record = TrainingSession(spec, data or load(spec.data), name=name, listener=arrays).run()
    return record, arrays.kernel, arrays.boundary


@pytest.fixture(scope="session")
def lab_content():
    """A lab with every kind of run: plain 2-D (with its boundary), L1 on images (with a kernel),
    early-stopped, failed; a search; notes.

    Mutation runs of the Lab's own modules set REGSTUDIO_LAB_FIXTURE to a file: the runs are
    trained once and read back from it by every mutant's tests (the training code is not
    what they mutate, and it would cost each mutant ten seconds).
    """
    cache = os.environ.get("REGSTUDIO_LAB_FIXTURE")
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)  # written just below, by this same fixture, for this same run
    content = _train_lab_content()
    if cache:
        with open(cache, "wb") as f:
            pickle.dump(content, f)
    return content


def _train_lab_content():
    blobs = DataSpec("blobs", samples=300, seed=1)
    base = RunSpec(ModelSpec((Dense(16), Dense(8))), TrainingConfig(epochs=3, batch_size=32, seed=3), blobs)
    plain, _, boundary = train(base, "1: none")
    digits = RunSpec(ModelSpec((Dense(32, regularizer=Regularizer.of("l1", 0.01)),)),
                     TrainingConfig(epochs=2, batch_size=64), DataSpec("mnist-5k", train_size=300))
    images, kernel, _ = train(digits, "2: l1")
    early_spec = base.with_training(epochs=40, early_stopping=EarlyStopping("val_accuracy", 1, 1.0, True))
    early, _, _ = train(early_spec, "3: early")
    runs = (
        LabRun(0, plain.name, 0, base, "done", True, plain.layouts, plain.epochs, plain, RunSummary.of(plain),
               boundary=boundary),
        LabRun(0, images.name, 1, digits, "done", False, images.layouts, images.epochs, images,
               RunSummary.of(images), "", (28, 28), kernel),
        LabRun(0, early.name, 2, early_spec, "done", True, early.layouts, early.epochs, early, RunSummary.of(early)),
        LabRun(0, "4: broken", 3, base, "failed", problem="data.path = 'x.csv': no such file"),
    )
    request = GridRequest(base.with_training(epochs=2), "l2", (1e-3,), cv=2)
    result = GridSearch(request, load(blobs)).run()
    search = LabSearch(0, request, "done", result.trials, result)
    return LabContent(replace(base, data=replace(blobs, seed=2)), runs, (search,), "My notes: L1 killed the weights.",
                      TeacherLimits(max_epochs=50), builtin_lesson(),
                      (ExerciseProgress(1, "done", "L1 zeroed most weights."), ExerciseProgress(2)))


@pytest.fixture
def lab(small_spec):
    """A Lab on small_spec whose events are kept in `lab.events`, in order."""
    lab = Lab(small_spec)
    lab.events = []
    lab.observe(lab.events.append)
    return lab
