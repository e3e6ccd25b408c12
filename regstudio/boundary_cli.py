"""The command line's 2-D playground: `regstudio compare ... --network playground --boundary OUT.png`.

`--network playground` puts each preset's technique on the playground's network with its
training (200 epochs, batch 32) and, unless given, its data: moons (or the 2-D set named),
300 training points, 30 % label noise. `--boundary OUT.png` draws the runs' decision
boundaries side by side at their last epoch, without a display.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .core.boundary.frames import BoundaryHistory
from .core.boundary.plane import MAX_CLASSES
from .core.datasets.spec import BUILTIN_DATASETS, DataSpec
from .core.datasets.split import DatasetSplit
from .core.experiments.presets import NETWORKS
from .core.lab.collect import lab_of_runs
from .core.training.records import RunRecord
from .core.training.run_spec import RunSpec
from .lab_cli import DestinationError, check_destination


def add_playground_options(compare: argparse.ArgumentParser) -> None:
    compare.add_argument("--network", choices=tuple(NETWORKS), default="reference",
                         help="the network each preset's technique goes on: the lesson's (reference, default) or "
                              "the 2-D playground's, which also brings its epochs, batch size and, unless given, "
                              "its data (moons, 300 training points, 30%% label noise)")
    compare.add_argument("--boundary", type=Path, metavar="PNG",
                         help="draw the decision boundaries side by side in this PNG (2-feature data only)")
    # Unset unless given, so the playground can bring its own data (see with_network_data).
    compare.set_defaults(dataset=None, label_noise=None)


def with_network_data(args: argparse.Namespace) -> argparse.Namespace:
    """Fill --dataset, --train-size and --label-noise that were not given: from the playground
    when --network playground and the data are a 2-D set, else the usual defaults."""
    playground = NETWORKS[args.network]
    if args.dataset is None:
        args.dataset = "moons" if playground.two_d else "mnist-5k"
    if args.dataset in BUILTIN_DATASETS:
        given = DataSpec(args.dataset, args.train_size, args.label_noise or 0.0)
        data = playground.data_for(given)
        if data.dataset == args.dataset:  # the playground's data fit the set chosen
            args.train_size = args.train_size if args.train_size is not None else data.train_size
            args.label_noise = args.label_noise if args.label_noise is not None else data.label_noise
    if args.label_noise is None:
        args.label_noise = 0.0
    return args


def check_picture_destination(args: argparse.Namespace) -> None:
    """Refuse --boundary before loading or training: a name that is not .png, a place that cannot be written."""
    if args.boundary is None:
        return
    if args.boundary.suffix.lower() != ".png":
        raise DestinationError(f"--boundary {args.boundary}: a picture's name ends in .png")
    check_destination(args.boundary, "--boundary", (Path(args.dataset),))


def check_picture_data(args: argparse.Namespace, data: DatasetSplit) -> None:
    """Refuse --boundary for data a boundary cannot be drawn on, once loaded and before training."""
    if args.boundary is None:
        return
    if data.n_features != 2:
        raise DestinationError(f"--boundary {args.boundary}: {data.name} has {data.n_features} features; "
                               "decision boundaries are drawn for data with two")
    if data.n_classes > MAX_CLASSES:
        raise DestinationError(f"--boundary {args.boundary}: {data.name} has {data.n_classes} classes; "
                               f"decision boundaries are drawn for at most {MAX_CLASSES}")


def report_boundaries(args: argparse.Namespace, spec: RunSpec, records: Sequence[RunRecord],
                      boundaries: Sequence[BoundaryHistory | None]) -> None:
    """Print each run's final boundary length, and draw the picture if asked."""
    lengths = [(r.name, r.last.boundary_complexity) for r in records
               if r.last is not None and r.last.boundary_complexity is not None]
    if lengths:
        print("Decision boundary length at the last epoch (1 = a straight line across; longer = more bent): "
              + ", ".join(f"{name} {length:.2f}" for name, length in lengths))
    if args.boundary is None:
        return
    try:
        from .gui.boundary.saved_picture import save_boundary_picture

        drawn = save_boundary_picture(lab_of_runs(spec, records, (), boundaries), args.boundary)
    except (ImportError, OSError) as exc:  # Qt missing or broken, a disk filling up meanwhile
        raise DestinationError(f"--boundary {args.boundary}: could not be drawn ({exc})") from None
    print(f"Decision boundaries of {drawn} run{'s' * (drawn != 1)} drawn in {args.boundary}")
