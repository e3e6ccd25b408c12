"""How RegStudio starts TensorFlow: its thread pools, NumPy's BLAS, the garbage collector."""

import os
import subprocess
import sys

import pytest

# A fresh process each: TensorFlow's pools are fixed once its runtime starts, and this
# test process's runtime may have started long ago.
PROBE = """
from regstudio.core.tf_runtime import import_keras
import_keras()
import tensorflow as tf
print(tf.config.threading.get_intra_op_parallelism_threads(), tf.config.threading.get_inter_op_parallelism_threads())
"""


def _pools(**env: str) -> tuple[int, int]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
                         check=True, timeout=300).stdout
    intra, inter = out.split()[-2:]
    return int(intra), int(inter)


def test_each_operation_runs_on_one_thread_with_tensorflows_choice_of_how_many_at_once():
    assert _pools() == (1, 0)


@pytest.mark.parametrize("value", ["0", "2"])
def test_a_thread_count_set_in_the_environment_is_followed(value):
    # TensorFlow reads the variable itself; RegStudio then leaves its configuration alone.
    assert _pools(TF_NUM_INTRAOP_THREADS=value) == (0, 0)


# The thread count of the OpenBLAS that NumPy loaded (Linux, where NumPy's wheels bundle it).
BLAS_PROBE = """
import regstudio, numpy, ctypes
mapped = {line.split()[-1] for line in open("/proc/self/maps") if len(line.split()) > 5}
paths = {path for path in mapped if "openblas" in path.lower() and path.endswith(".so")}
library = ctypes.CDLL(sorted(paths)[0]) if paths else None
count = getattr(library, "scipy_openblas_get_num_threads64_", None)
print(count() if count else "none")
"""


def _blas_threads(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", BLAS_PROBE], env={**clean, **env}, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return out.split()[-1]


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="reads NumPy's bundled OpenBLAS on a Linux machine with several cores")
def test_numpys_blas_keeps_to_one_thread_unless_the_user_says_otherwise():
    # Its threads spin after each call and took a core from training (bench/RESULTS.md).
    if _blas_threads() == "none":
        pytest.skip("this NumPy does not use a bundled OpenBLAS")
    assert _blas_threads() == "1"
    assert _blas_threads(OPENBLAS_NUM_THREADS="2") == "2"


# Collections during the import, then whether collection is back as it was and how many
# objects are frozen; once with automatic collection on, once off (as the window has it).
GC_PROBE = """
import gc, sys
if sys.argv[1] == "off":
    gc.disable()
from regstudio.core.tf_runtime import import_keras
before = sum(generation["collections"] for generation in gc.get_stats())
import_keras()
during = sum(generation["collections"] for generation in gc.get_stats()) - before
print(during, gc.isenabled(), gc.get_freeze_count())
"""


@pytest.mark.parametrize("automatic", ["on", "off"])
def test_the_import_is_not_collected_and_its_objects_are_then_frozen(automatic):
    # TensorFlow's objects live as long as the process: walking them is wasted time (0.3-0.5 s
    # of the import, 150-190 ms per full collection after it).
    out = subprocess.run([sys.executable, "-c", GC_PROBE, automatic], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    during, enabled, frozen = out.split()[-3:]
    assert during == "0"
    assert enabled == str(automatic == "on")
    assert int(frozen) > 100_000
