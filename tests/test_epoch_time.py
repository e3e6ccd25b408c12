"""How long an epoch takes, said before a long run: the counts, the estimate, the measured figure."""

import math
from dataclasses import replace

import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.model.keras_model import summary_rows
from regstudio.core.training.epoch_time import (
    StepCost,
    duration,
    epoch_seconds,
    measure_step_cost,
    measured_epoch_seconds,
    slow_epoch_message,
    training_examples,
)
from regstudio.core.training.events import Progress
from regstudio.core.training.run_spec import RunSpec, TrainingConfig
from regstudio.core.training.session import TrainingSession


@pytest.mark.parametrize("data", [DataSpec("mnist-5k"), DataSpec("mnist-5k", train_size=700), DataSpec("moons"),
                                  DataSpec("blobs", samples=301), DataSpec("moons", samples=23),
                                  DataSpec("xor", samples=24), DataSpec("spirals", samples=57, train_size=10)])
def test_the_training_examples_counted_without_loading_are_those_loading_gives(data):
    assert training_examples(RunSpec(data=data)) == len(load(data).x_train)


def test_a_users_file_is_not_counted_before_it_is_loaded():
    assert training_examples(RunSpec(data=DataSpec("file", path="mine.csv"))) is None


def test_an_epoch_costs_its_steps_and_its_arithmetic():
    cost = StepCost(overhead=0.01, per_mac=1e-9)
    # 1,000 examples, 200 held out: 800 in batches of 100 make 8 steps; 3 x 800 + 200 example passes.
    assert epoch_seconds(cost, 1_000_000, 1_000, 0.2, 100) == pytest.approx(8 * 0.01 + 2_600 * 1e6 * 1e-9)
    assert epoch_seconds(cost, 1_000_000, 1_000, 0.2, 50) > epoch_seconds(cost, 1_000_000, 1_000, 0.2, 100)


def test_the_measured_figure_counts_only_the_batches_between_two_reports():
    first = Progress(1, 30, 2, 100, 5.0, 1.0)  # the first batch also traced the step: 5 s, not counted
    later = Progress(1, 30, 12, 100, 7.0, 1.0)
    assert measured_epoch_seconds(first, later) == pytest.approx(0.2 * 100)
    assert measured_epoch_seconds(first, replace(later, epoch=2)) is None
    assert measured_epoch_seconds(first, replace(later, batch=2)) is None


def test_only_slow_epochs_are_said_in_words_a_student_reads():
    assert slow_epoch_message(9.9, 100) is None
    said = slow_epoch_message(36.0, 30)
    assert said.startswith("One epoch takes about 36 s on this computer (estimated), so 30 epochs take about "
                           "18 minutes.") and "Stop (Esc)" in said
    assert slow_epoch_message(40.0, 1000, measured=True, runs=3).startswith(
        "One epoch of these 3 runs takes about 40 s on this computer (measured), so 1000 epochs take about 11.1 hours")
    assert [duration(s) for s in (12, 600, 5400, 36_000)] == ["12 s", "10 minutes", "1.5 hours", "10.0 hours"]


def test_the_measured_step_cost_predicts_a_real_epoch_within_a_factor_of_three():
    data = DataSpec("mnist-5k", train_size=2_000)
    spec = RunSpec(ModelSpec((Dense(512), Dense(512))), TrainingConfig(epochs=2, batch_size=64), data)
    params = sum(r.params for r in summary_rows(spec.model, 784, 10))
    # Measured just before and just after the run: the tests share the cores with other
    # tests, so the machine's speed may change while it trains; the epoch is judged against
    # what the measurement says at either end.
    before = measure_step_cost.__wrapped__()  # measured now, not the figure kept for the process
    assert before.overhead > 0 and before.per_mac > 0
    record = TrainingSession(spec, load(data)).run()
    after = measure_step_cost.__wrapped__()
    estimates = [epoch_seconds(cost, params, training_examples(spec), 0.2, 64) for cost in (before, after)]
    actual = record.epochs[1].seconds - record.epochs[0].seconds  # the second epoch: no tracing in it
    assert math.isfinite(actual) and min(estimates) / 3 <= actual <= max(estimates) * 3, (estimates, actual)


def test_the_window_says_an_epochs_time_once_a_batch_and_judges_a_run_against_its_share():
    from regstudio.gui.training.epoch_time_notice import EpochTimeNotice

    said = []
    notice = EpochTimeNotice(lambda: (2, 3), said.append)
    notice.cost = StepCost(overhead=1.0, per_mac=0.0)  # blobs' 800 points: 20 steps of 32, so 20 s an epoch
    spec = RunSpec(data=DataSpec("blobs")).with_training(batch_size=32)
    notice.queued([spec] * 3)  # three runs one after another: 60 s for an epoch of all three
    assert len(said) == 1 and said[0].startswith("One epoch of these 3 runs takes about 60 s")
    for batch in (1, 5, 9, 13):  # the first run alone, 1 s a batch: 20 s an epoch, its share of the 60
        notice.progressed(7, Progress(1, 10, batch, 20, float(batch), 1.0))
    assert len(said) == 1
    notice.queued([replace(spec, data=DataSpec("file", path="mine.csv"))])  # a user's file: no estimate
    assert len(said) == 1
    for run_id in (8, 9):  # a fused pair, each member reporting: 2 s a batch for both together
        for batch in (1, 5, 9):
            notice.progressed(run_id, Progress(1, 10, batch, 20, 2.0 * batch, 1.0, together=2))
    assert len(said) == 2 and said[1].startswith("One epoch of these 2 runs takes about 40 s on this computer "
                                                 "(measured)")
