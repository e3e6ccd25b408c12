import os

# Before anything imports Qt or TensorFlow: no display in CI, and quiet TensorFlow.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.training.run_spec import RunSpec, TrainingConfig

pytest_plugins = ["lab_fixtures"]  # tests/lab_fixtures.py: real runs for the lab tests


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only when asked (REGSTUDIO_SLOW=1): CI and a quick local run skip them."""
    _cheap_tests_first(items)
    if os.environ.get("REGSTUDIO_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow; set REGSTUDIO_SLOW=1 to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def blobs():
    """A tiny 3-class 2-D problem: trains in well under a second."""
    return load(DataSpec("blobs", samples=300, seed=1))


@pytest.fixture
def small_spec():
    return RunSpec(ModelSpec((Dense(16), Dense(8))),
                   TrainingConfig(epochs=3, batch_size=32, seed=3), DataSpec("blobs", samples=300, seed=1))


# Mutation testing (tests/mutation/run.py) ----------------------------------------------------
# mutmut maps each test to the functions it calls and later runs, for a mutant, only the
# tests that called its function. A module- or session-scoped fixture runs once, inside
# whichever test needed it first, so its calls (all of a training run's) would be credited
# to that test alone, and a mutant in the training code would skip every other test that
# reads the fixture's run. While mutmut collects its map, these hooks credit a fixture's
# calls to every test that uses it.
_FIXTURE_CALLS: dict[int, set[str]] = {}


def _mutmut_calls() -> set[str] | None:
    if os.environ.get("MUTANT_UNDER_TEST") != "stats":
        return None
    try:
        from mutmut.state import state
    except ImportError:
        return None
    return state()._stats


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    calls = _mutmut_calls()
    if calls is None or fixturedef.scope == "function":
        yield
        return
    before = set(calls)
    calls.clear()
    yield
    _FIXTURE_CALLS[id(fixturedef)] = set(calls)
    calls |= before


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    calls = _mutmut_calls()
    if calls is None:
        return
    for defs in item._fixtureinfo.name2fixturedefs.values():
        for fixturedef in defs:
            calls |= _FIXTURE_CALLS.get(id(fixturedef), set())


def _mutant_under_test() -> bool:
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return "." in name and name not in ("stats", "fail")


def _cheap_tests_first(items):
    """While mutmut tests a mutant (it stops at the first failure), cheap tests go first.

    mutmut hands over the tests that call the mutated function in no particular order;
    run first, a training test costs seconds even when a check of a sentence would have
    failed at once. Cost: the test's own time as mutmut measured it, and any shared
    fixture it needs that trains.
    """
    if not _mutant_under_test():
        return
    import json

    try:
        with open("mutmut-stats.json") as f:
            durations = json.load(f)["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    shared = {"blobs", "small_spec", "tmp_path", "request", "monkeypatch"}

    def cost(item):
        fixtures = set(getattr(item, "fixturenames", ())) - shared
        return (bool(fixtures & {"frozen", "cv_search", "records", "lab_content", "valid", "window"}),
                durations.get(item.nodeid, 60.0))

    items.sort(key=cost)
