"""Importing TensorFlow quietly, once, and only when training is really about to happen."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()


@contextlib.contextmanager
def _stderr_captured() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file; replay it only if the block fails.

    TensorFlow's C++ side prints notices about oneDNN and missing CUDA drivers before its
    logging is configured, so no environment variable silences them. To a student they
    look like errors, so they are held back unless the import really goes wrong.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (some GUI launches): nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@functools.cache
def import_keras() -> Any:
    """Keras on the TensorFlow backend, imported once; safe to call from any thread."""
    with _lock:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        quiet = os.environ.get("REGSTUDIO_TF_VERBOSE") != "1"
        with _stderr_captured() if quiet else contextlib.nullcontext(), _objects_kept_for_good():
            import keras
            import tensorflow as tf

            _one_thread_per_operation(tf)
            tf.constant(0.0)  # starts the runtime now, while its notices are held back
        return keras


@contextlib.contextmanager
def _objects_kept_for_good() -> Iterator[None]:
    """No garbage collection during the block; what it made is then set aside from collections.

    Importing TensorFlow and Keras makes about 330,000 Python objects that live as long as
    the process, and next to no garbage (62 unreachable objects measured). Python's
    collector would walk the growing heap hundreds of times during the import (0.3-0.5 s of
    a 2 s import) and then every full collection would walk it again: 150-190 ms each, a
    stall when the window's collector does it on the GUI thread. Frozen (gc.freeze), those
    objects are never walked; everything made afterwards is collected as usual.
    """
    collecting = gc.isenabled()  # the window's collector has switched automatic collection off
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
    gc.freeze()


def _one_thread_per_operation(tf: Any) -> None:
    """Run each operation on one thread, several operations at once: right for small networks.

    TensorFlow's default splits an operation over every core (its intra-op pool) besides
    running independent operations side by side (its inter-op pool). A lesson's network is
    small: its matrix products already run on one thread, and splitting its hundreds of
    small operations (Adam's updates, activations' gradients) costs more in hand-overs than
    it saves, while a fused comparison's networks then cannot each have a core. Measured on
    the 2-core machine (bench/threads.py, bench/RESULTS.md): the lesson's network about
    10 % faster alone, its three-run comparison fused and the playground's network about
    a fifth faster; a network with a layer of 1,024 units or more 10-50 % slower (its
    matrix products lose the second core). The pools are fixed once TensorFlow starts,
    so this is for the networks RegStudio is made for; TF_NUM_INTRAOP_THREADS, when set
    (0 is TensorFlow's default), is followed instead.
    """
    if "TF_NUM_INTRAOP_THREADS" in os.environ:
        return
    with contextlib.suppress(RuntimeError):  # the runtime was already started elsewhere: left as it is
        tf.config.threading.set_intra_op_parallelism_threads(1)


def build_state_eagerly(model: Any, n_features: int, n_classes: int) -> None:
    """Create the optimizer's, metrics' and loss's variables now, outside any traced function.

    Keras otherwise creates them lazily while tracing the first training step, and
    TensorFlow wraps each such variable's initialization in a conditional graph: about 28
    per model, which make that trace slower (measured, 40 runs of one epoch: 0.74 s against
    1.14 s for build and epoch) and stay in TensorFlow's context until a garbage collection
    (tensorflow issue 62854). Keras does exactly this build itself under a distribution
    strategy; with a Keras that lacks the method, training works as before.
    """
    import numpy as np

    build = getattr(model, "_symbolic_build", None)
    if build is None:
        return
    # Only shapes and dtypes are read: two rows of zeros stand for a batch.
    build(data_batch=(np.zeros((2, n_features), np.float32), np.zeros((2, n_classes), np.float32)))
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def skip_single_device_all_reduce(optimizer: Any) -> Any:
    """Stop an optimizer from "summing" its gradients across one device; returns it.

    Keras passes every step's gradients through the distribution strategy's all-reduce,
    even with no strategy, where the sum over one replica is the gradients themselves.
    TensorFlow implements that all-reduce with `tf.custom_gradient`, which, each time the
    training step is traced, registers a gradient function in a process-wide registry and
    never removes it. That function holds the traced step's graph, so every run used to
    leave its whole training graph behind (about 4 MB; bench/soak.py). Under a real
    strategy, or with a Keras that has no such method, the optimizer is left as it is.
    """
    import tensorflow as tf

    if not tf.distribute.has_strategy() and hasattr(optimizer, "_all_reduce_sum_gradients"):
        optimizer._all_reduce_sum_gradients = list  # one replica: the gradients, unchanged
    return optimizer


def release_memory() -> None:
    """After a run: drop TensorFlow's cached kernels and give freed heap back to the system.

    No garbage collection here: this runs on the training thread, and collecting there
    could finalize Qt objects that belong to the GUI thread (see TrainingController).
    """
    from tensorflow.python.eager import context

    context.context().clear_kernel_cache()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, say): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def versions() -> dict[str, str]:
    """Versions of what a run depended on, for its record."""
    import platform

    import numpy

    from .. import __version__

    keras = import_keras()
    import tensorflow

    return {"regstudio": __version__, "python": platform.python_version(),
            "numpy": numpy.__version__, "tensorflow": tensorflow.__version__,
            "keras": keras.__version__}


@functools.cache
def one_kernel_adam() -> type:
    """Keras's Adam, with each variable's update done by TensorFlow's single Adam kernel.

    Keras writes Adam's update as about a dozen small operations per variable (two powers,
    casts, the two moving averages, the step), and TensorFlow runs each as a kernel call of
    its own: on a lesson's small networks that bookkeeping is a good share of every step,
    and of tracing the step. `ResourceApplyAdam` does the same arithmetic in one call: the
    bias-corrected rate lr·√(1−β₂ᵗ)/(1−β₁ᵗ), both moving averages, and the step
    m / (√v + ε), with ε outside the root as in Keras. Measured on the lesson's three-run
    comparison (mnist-5k, interleaved in one process): 13-23 % less time fused, 9-13 % one
    after another (bench/RESULTS.md). AMSGrad, sparse gradients and anything that is not a
    plain TensorFlow variable go through Keras's own update.
    """
    import keras
    import tensorflow as tf

    class OneKernelAdam(keras.optimizers.Adam):
        # The step's constants by dtype: β₁, β₂, ε, β₁ᵗ and β₂ᵗ. Every variable of a step has
        # the same t, so they are made once a step rather than once a variable (a fused model
        # of three networks has eighteen variables: 36 powers, casts and reads of the step
        # count, and 54 constants, each a graph operation to trace).
        _step_constants: dict[Any, tuple[Any, ...]] | None = None

        def _backend_update_step(self, grads: Any, trainable_variables: Any, learning_rate: Any) -> None:
            self._step_constants = {}
            try:
                super()._backend_update_step(grads, trainable_variables, learning_rate)
            finally:
                self._step_constants = None

        def _constants(self, dtype: Any) -> tuple[Any, ...]:
            known = self._step_constants.get(dtype) if self._step_constants is not None else None
            if known is None:
                beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
                step = tf.cast(self.iterations + 1, dtype)  # read before the step adds one, as Keras does
                known = (beta_1, beta_2, tf.cast(self.epsilon, dtype), tf.pow(beta_1, step), tf.pow(beta_2, step))
                if self._step_constants is not None:
                    self._step_constants[dtype] = known
            return known

        def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
            handle = getattr(variable, "handle", None)
            if self.amsgrad or handle is None or not isinstance(gradient, tf.Tensor):
                return super().update_step(gradient, variable, learning_rate)
            dtype = variable.dtype
            index = self._get_variable_index(variable)
            beta_1, beta_2, epsilon, beta1_power, beta2_power = self._constants(dtype)
            tf.raw_ops.ResourceApplyAdam(
                var=handle, m=self._momentums[index].value.handle, v=self._velocities[index].value.handle,
                beta1_power=beta1_power, beta2_power=beta2_power,
                lr=tf.cast(learning_rate, dtype), beta1=beta_1, beta2=beta_2,
                epsilon=epsilon, grad=tf.cast(gradient, dtype))
            return None

    return OneKernelAdam
