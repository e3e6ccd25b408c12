"""RegStudio: see what regularization does to a neural network."""

import os

__version__ = "0.1.0"

# NumPy's OpenBLAS starts a thread per core for a long enough product, and those threads keep
# spinning for a while after each call: a core taken from TensorFlow's training, which owns
# the cores here (measured on 2 cores: a fused step of three networks 3.5-4.8 ms beside them,
# 2.2-3.0 ms without; bench/RESULTS.md). RegStudio's own arrays are small, so one thread
# loses nothing. OpenBLAS reads this when NumPy is first imported, which happens below this
# package; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
