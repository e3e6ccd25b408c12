"""Fused training: runs trained together as one model get the records they would have had alone."""

import math
from collections import defaultdict
from dataclasses import fields, replace

import numpy as np
import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import BatchNorm, Dense, Dropout, GaussianNoise, ModelSpec, Regularizer
from regstudio.core.training.events import EarlyStoppingStatus, EpochEnded, FirstKernel, Progress, RunStarted
from regstudio.core.training.fused import MAX_MEMBERS, FusedRequest, FusedSession, MemberEvent, fused_groups
from regstudio.core.training.records import EpochRecord
from regstudio.core.training.run_spec import EarlyStopping
from regstudio.core.training.session import RunRequest, TrainingSession

# Measured: fused and lone runs agree to the last bit (same ops on the same numbers in the
# same order; see model/keras_model.py). The bound is what the tests hold them to.
REL = 1e-5
L1, L2 = Regularizer.of("l1", 0.01), Regularizer.of("l2", 0.01)
MODELS = {
    "plain": ModelSpec((Dense(16), Dense(8))),
    "l2": ModelSpec((Dense(16, regularizer=L2), Dense(8, regularizer=L2))),
    "l1 + dropout": ModelSpec((Dense(16, regularizer=L1), Dropout(0.3), Dense(8), Dropout(0.3))),
    "batchnorm + noise": ModelSpec((GaussianNoise(0.1), Dense(16, activation="linear"), BatchNorm(), Dense(8))),
}


def by_member(events):
    """MemberEvents sorted into one list per member, unwrapped."""
    out = defaultdict(list)
    for event in events:
        assert isinstance(event, MemberEvent)
        out[event.job_id].append(event.event)
    return out


def assert_epochs_match(fused: tuple[EpochRecord, ...], alone: tuple[EpochRecord, ...]):
    assert len(fused) == len(alone)
    for f, a in zip(fused, alone, strict=True):
        for name in ("loss", "accuracy", "penalty", "val_loss", "val_accuracy", "val_penalty"):
            assert getattr(f, name) == pytest.approx(getattr(a, name), rel=REL, abs=1e-7), (f.epoch, name)
        # 2-D data: each member drew its own decision boundary (a cell on the edge may flip in the last bit).
        assert (f.boundary_complexity is None) == (a.boundary_complexity is None)
        if a.boundary_complexity is not None:
            assert f.boundary_complexity == pytest.approx(a.boundary_complexity, abs=0.05), (f.epoch, "boundary")
        assert [w.name for w in f.weights] == [w.name for w in a.weights]
        for wf, wa in zip(f.weights, a.weights, strict=True):
            assert wf.counts == wa.counts and wf.l2 == pytest.approx(wa.l2, rel=REL)


def assert_records_match(fused, alone, alone_is_fused=False):
    assert_epochs_match(fused.epochs, alone.epochs)
    skip = {"epochs", "build_seconds", "train_seconds", "test_seconds", "created", "fused_with", "test_loss",
            "test_accuracy"}
    for f in fields(fused):
        if f.name not in skip:
            assert getattr(fused, f.name) == getattr(alone, f.name), f.name
    assert fused.test_loss == pytest.approx(alone.test_loss, rel=REL)
    assert fused.test_accuracy == pytest.approx(alone.test_accuracy, rel=REL)
    assert alone_is_fused or alone.fused_with == ()


def train_both(specs, data, names, **fused_settings):
    events, lone_events = [], []
    fused = FusedSession(specs, data, names=names, listener=events.append, **fused_settings).run()
    alone = []
    for spec, name in zip(specs, names, strict=True):
        seen = []
        alone.append(TrainingSession(spec, data, name=name, listener=seen.append).run())
        lone_events.append(seen)
    return fused, alone, by_member(events), lone_events


def test_a_fused_group_trains_each_run_as_it_would_alone_dropout_noise_and_batchnorm_too(small_spec, blobs):
    names = list(MODELS)
    specs = [replace(small_spec, model=model) for model in MODELS.values()]
    fused, alone, events, lone_events = train_both(specs, blobs, names)
    for i, (f, a) in enumerate(zip(fused, alone, strict=True)):
        assert_records_match(f, a)
        assert f.name == names[i] and f.fused_with == tuple(n for n in names if n != names[i])
        assert f.outcome == "completed" and len(f.epochs) == 3
        # The same events in the same order as alone (progress depends on the clock).
        kinds = [type(e).__name__ for e in events[i] if not isinstance(e, Progress)]
        assert kinds == [type(e).__name__ for e in lone_events[i] if not isinstance(e, Progress)]
        assert events[i][0] == lone_events[i][0] == RunStarted(names[i], a.layouts, None, 3)
        assert events[i][-1].record == f


def test_image_runs_send_each_members_first_layer_kernel(small_spec):
    digits = load(DataSpec("mnist-5k", train_size=300))
    specs = [replace(small_spec, model=MODELS[key], data=DataSpec("mnist-5k", train_size=300))
             .with_training(epochs=2, batch_size=64) for key in ("plain", "l2")]
    fused, alone, events, lone_events = train_both(specs, digits, ["a", "b"])
    for i in range(2):
        assert_records_match(fused[i], alone[i])
        mine = [e for e in events[i] if isinstance(e, FirstKernel)]
        theirs = [e for e in lone_events[i] if isinstance(e, FirstKernel)]
        assert [e.epoch for e in mine] == [1, 2] and mine[-1].kernel.shape == (784, 16)
        for m, t in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(m.kernel, t.kernel, rtol=REL, atol=1e-7)


def test_each_member_stops_early_on_its_own_and_ends_with_its_own_weights(small_spec, blobs):
    # No epoch can improve val_accuracy by a whole 1.0: patience p stops after epoch p + 1.
    restoring = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=1.0, restore_best=True)
    keeping = EarlyStopping(monitor="val_accuracy", patience=1, min_delta=1.0, restore_best=False)
    base = small_spec.with_training(epochs=6)
    specs = [base.with_training(early_stopping=restoring), base.with_training(early_stopping=keeping),
             replace(base, model=MODELS["l2"])]
    fused, alone, events, lone_events = train_both(specs, blobs, ["restoring", "keeping", "on"])
    for f, a in zip(fused, alone, strict=True):
        assert_records_match(f, a)  # test figures too: from the weights each ended with alone
    assert [(len(r.epochs), r.outcome, r.stop_epoch, r.restored_epoch) for r in fused] == [
        (3, "early-stopped", 3, 1), (2, "early-stopped", 2, None), (6, "completed", None, None)]
    for i in range(2):
        mine = [e for e in events[i] if isinstance(e, EarlyStoppingStatus)]
        assert mine == [e for e in lone_events[i] if isinstance(e, EarlyStoppingStatus)] and mine


def test_stop_ends_the_whole_group_within_one_batch_and_keeps_every_finished_epoch(small_spec, blobs):
    spec = small_spec.with_training(epochs=500, batch_size=8)  # 24 batches an epoch
    early = EarlyStopping(monitor="val_accuracy", patience=1, min_delta=1.0)
    specs = [spec, replace(spec, model=MODELS["l2"]), spec.with_training(early_stopping=early)]
    after_stop, session = [], None

    def listener(event):
        event = event.event
        if isinstance(event, Progress):
            if session.stop_requested:
                after_stop.append(event)
            elif event.epoch == 4 and event.batch == 5:
                assert event.together == 3
                session.request_stop()

    session = FusedSession(specs, blobs, names=["a", "b", "c"], listener=listener, progress_interval=0.0)
    records = session.run()
    assert after_stop == []
    assert [(len(r.epochs), r.outcome) for r in records] == [(3, "stopped"), (3, "stopped"), (2, "early-stopped")]
    assert all(r.test_accuracy is not None for r in records)  # a stop still evaluates on the test set


def test_cancel_ends_the_group_and_skips_the_test_evaluation(small_spec, blobs):
    session = None

    def listener(event):
        if isinstance(event.event, RunStarted) and event.job_id == 1:
            session.cancel()

    session = FusedSession([small_spec, replace(small_spec, model=MODELS["l2"])], blobs, names=["a", "b"],
                           listener=listener)
    records = session.run()
    assert [(len(r.epochs), r.test_accuracy) for r in records] == [(0, None), (0, None)]


def test_only_runs_that_differ_in_their_network_or_early_stopping_can_be_fused(small_spec, blobs):
    es = small_spec.with_training(early_stopping=EarlyStopping())
    FusedSession([small_spec, es], blobs, names=["a", "b"])  # early stopping is each member's own
    for other in (small_spec.with_training(learning_rate=0.01), small_spec.with_training(batch_size=64),
                  small_spec.with_training(seed=4), small_spec.with_data(train_size=100)):
        with pytest.raises(ValueError, match="cannot train as one model"):
            FusedSession([small_spec, other], blobs, names=["a", "b"])
    with pytest.raises(ValueError, match="1 to 8"):
        FusedSession([small_spec] * (MAX_MEMBERS + 1), blobs, names=["x"] * 9)


def test_groups_are_even_and_never_mix_what_cannot_be_fused(small_spec):
    items = [(i, replace(small_spec, model=ModelSpec((Dense(4 + i),)))) for i in range(12)]
    assert [len(g) for g in fused_groups(items)] == [6, 6]
    assert [len(g) for g in fused_groups(items[:8])] == [8]
    assert [len(g) for g in fused_groups(items[:3], fuse=False)] == [1, 1, 1]
    mixed = [(0, small_spec), (1, small_spec.with_training(learning_rate=0.1))]
    assert [len(g) for g in fused_groups(mixed)] == [1, 1]


def test_a_fused_request_reports_each_event_under_its_runs_id(small_spec, blobs):
    request = FusedRequest(((7, RunRequest(small_spec, "7: a")), (9, RunRequest(small_spec.with_training(), "9: b"))))
    assert (request.name, request.data, request.job_ids) == ("7: a + 9: b", small_spec.data, (7, 9))
    events = []
    records = request.start(blobs, events.append).run()
    seen = by_member(events)
    assert set(seen) == {7, 9} and [r.name for r in records] == ["7: a", "9: b"]
    assert records[0].fused_with == ("9: b",) and seen[9][-1].record == records[1]
    assert math.isclose(records[0].epochs[-1].loss, records[1].epochs[-1].loss)  # one network twice: one result


def test_a_prepared_model_trains_the_next_fold_as_a_fresh_build_would(small_spec, blobs):
    from regstudio.core.experiments.folds import stratified_folds

    folds = stratified_folds(blobs.y_train, 3, seed=3)
    specs = [replace(small_spec, model=MODELS[key]) for key in ("l2", "l1 + dropout", "batchnorm + noise")]
    first = FusedSession(specs, blobs, names=["a", "b", "c"], folds=folds[0], keep_prepared=True)
    first.run()
    again = FusedSession(specs, blobs, names=["a", "b", "c"], folds=folds[1], prepared=first.prepared,
                         keep_prepared=True)
    reused = again.run()
    assert again.prepared is first.prepared  # the same model, its training step not traced again
    fresh_session = FusedSession(specs, blobs, names=["a", "b", "c"], folds=folds[1])
    fresh = fresh_session.run()
    assert fresh_session.prepared is None  # nobody asked to keep it: its model is let go, as a lone run's
    for r, f in zip(reused, fresh, strict=True):
        assert_records_match(r, f, alone_is_fused=True)
        assert r.fused_with == f.fused_with
        assert [e.loss for e in r.epochs] == [e.loss for e in f.epochs]  # to the last bit


def test_a_stop_asked_while_the_members_end_an_epoch_keeps_that_epoch_for_every_member(small_spec, blobs):
    session = None

    def listener(event):
        if isinstance(event.event, EpochEnded) and event.job_id == 0:
            session.request_stop()  # the first member has its epoch; the others are told theirs after

    specs = [replace(small_spec, model=MODELS[key]).with_training(epochs=5) for key in ("plain", "l2", "l1 + dropout")]
    session = FusedSession(specs, blobs, names=["a", "b", "c"], listener=listener)
    records = session.run()
    assert [(len(r.epochs), r.outcome) for r in records] == [(1, "stopped")] * 3
    assert len({r.steps for r in records}) == 1  # one group: the same batches for all


def test_a_weight_under_l1_and_l2_steps_exactly_as_alone():
    # Its gradient has three parts (the data's, L1's, L2's): a fused loss that reached them in
    # another order than a lone model's would add them in another order, and drift (measured:
    # one cross-entropy operation for all four members did).
    from regstudio.core.experiments.presets import preset

    data = DataSpec("mnist-5k", train_size=600)
    digits = load(data)
    specs = [replace(preset(name).run_spec(), data=data).with_training(epochs=2)
             for name in ("none", "l2", "dropout", "l1l2")]
    fused = FusedSession(specs, digits, names=["a", "b", "c", "d"]).run()[3]
    alone = TrainingSession(specs[3], digits, name="d").run()
    assert [(e.loss, e.val_loss) for e in fused.epochs] == [(e.loss, e.val_loss) for e in alone.epochs]
    assert [w.l2 for e in fused.epochs for w in e.weights] == [w.l2 for e in alone.epochs for w in e.weights]


def test_a_group_of_one_trains_as_the_run_alone(small_spec, blobs):
    fused = FusedSession([small_spec], blobs, names=["a"]).run()[0]
    assert_records_match(fused, TrainingSession(small_spec, blobs, name="a").run())
    assert fused.fused_with == ()
