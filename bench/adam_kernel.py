"""Adam in one kernel call per weight against Keras's own Adam, interleaved in one process.

    python bench/adam_kernel.py [--epochs 10] [--repeats 4]

The lesson's comparison `none l2 dropout` on mnist-5k, trained fused and one after another,
each with `one_kernel_adam()` (what RegStudio uses) and with keras.optimizers.Adam, in
alternating order so that the machine's drift falls on both; then the plain model.fit
script (bench/train_speed.py, Keras's Adam) every other repeat. Prints each median and the
change.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from regstudio.core import tf_runtime
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.training.session import warm_up

sys.path.insert(0, str(Path(__file__).parent))
from fused import compare, plain  # timed exactly as bench/fused.py times them

NAMES = ("none", "l2", "dropout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    keras = tf_runtime.import_keras()
    ours = tf_runtime.one_kernel_adam()
    warm_up()
    data = load(DataSpec("mnist-5k"))
    times: dict[tuple[str, str], list[float]] = {}
    for i in range(args.repeats):
        for adam in (("keras", "one kernel") if i % 2 == 0 else ("one kernel", "keras")):
            # make_optimizer asks tf_runtime for the class each time
            tf_runtime.one_kernel_adam = (lambda: keras.optimizers.Adam) if adam == "keras" else (lambda: ours)
            for fuse in ((True, False) if i % 2 == 0 else (False, True)):
                seconds, _ = compare(data, "mnist-5k", NAMES, args.epochs, fuse)
                times.setdefault((adam, "fused" if fuse else "one after another"), []).append(seconds)
        if i % 2 == 0:
            times.setdefault(("keras", "plain script"), []).append(plain(data, NAMES, args.epochs))
    print(f"# adam_kernel: mnist-5k, {' '.join(NAMES)}, {args.epochs} epochs, {args.repeats} repeats")
    for how in ("fused", "one after another"):
        k, o = statistics.median(times[("keras", how)]), statistics.median(times[("one kernel", how)])
        print(f"{how}: Keras's Adam {k:.2f} s, one kernel {o:.2f} s, change {100 * (o / k - 1):+.0f} %")
    print(f"plain script (Keras's Adam): {statistics.median(times[('keras', 'plain script')]):.2f} s")


if __name__ == "__main__":
    main()
