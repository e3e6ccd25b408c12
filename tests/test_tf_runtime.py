"""How RegStudio starts TensorFlow: its thread pools, chosen for small networks."""

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
