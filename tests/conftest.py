import os

# Before anything imports Qt or TensorFlow: no display in CI, and quiet TensorFlow.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.training.run_spec import RunSpec, TrainingConfig


@pytest.fixture(scope="session")
def blobs():
    """A tiny 3-class 2-D problem: trains in well under a second."""
    return load(DataSpec("blobs", samples=300, seed=1))


@pytest.fixture
def small_spec():
    return RunSpec(ModelSpec((Dense(16), Dense(8))),
                   TrainingConfig(epochs=3, batch_size=32, seed=3), DataSpec("blobs", samples=300, seed=1))


def pytest_collection_modifyitems(config, items):
    """Tests marked slow (minutes, and the package registry) run only with REGSTUDIO_SLOW=1."""
    if os.environ.get("REGSTUDIO_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow; set REGSTUDIO_SLOW=1 to run it")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
