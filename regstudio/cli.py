"""The `regstudio` command: the window with no subcommand, headless lessons with one.

    regstudio [LAB.regstudio]                  open the window (on that lab)
    regstudio compare none l2 dropout [...]    train presets, print the lesson's table
        [--network playground] [--boundary OUT.png]   on the 2-D playground, decision boundaries drawn
    regstudio grid --param l2 [--cv 3] [...]   search one setting, print the table and the best value
    regstudio summary FILE... [--csv OUT]      the runs of many labs as one table
    regstudio code l2 [--spec LAB]             the Keras code of a preset or of a lab's network
    regstudio datasets [--download NAME]       what can be trained on, offline, right now
    regstudio worker tls://HOST:8786 [...]     lend this computer's cores to a lab's searches
    regstudio scheduler [...]                  the address workers and searches meet at
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .boundary_cli import (
    add_playground_options,
    check_picture_data,
    check_picture_destination,
    report_boundaries,
    with_network_data,
)
from .cluster_cli import add_cluster_commands, add_cluster_options, run_scheduler, run_worker, where_of
from .core.datasets import catalog, load
from .core.datasets.spec import BUILTIN_DATASETS, DataSpec
from .core.errors import ClusterError, DatasetError, SpecError
from .core.experiments.grid_search import DEFAULT_VALUES
from .core.experiments.presets import PRESETS, preset
from .core.lab.collect import RunArrays, lab_of_runs, lab_of_search
from .core.lab.lab_file import SUFFIX
from .core.lessons.observations import observe_runs, observe_search
from .core.output_files import destination_problem, write_text_atomic
from .core.training.events import RunFinished
from .core.training.record_json import records_to_json
from .core.training.records import RunRecord
from .core.training.run_spec import RunSpec
from .lab_cli import (
    DestinationError,
    add_code_command,
    add_summary_command,
    check_lab_destination,
    print_observations,
    run_code,
    run_summary,
    save,
)


class UsageError(Exception):
    """A mistake on the command line: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print the whole usage block
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="regstudio", description="See what regularization does to a neural network.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    compare = sub.add_parser("compare", help="train presets on one dataset and compare them")
    compare.add_argument("presets", nargs="+", metavar="PRESET",
                         help="presets to train: " + ", ".join(PRESETS))
    compare.add_argument("--dataset", default="mnist-5k",
                         help="one of " + ", ".join(BUILTIN_DATASETS) + ", or a file path")
    compare.add_argument("--epochs", type=int, help="epochs for every preset (default: the preset's)")
    compare.add_argument("--batch-size", type=int)
    compare.add_argument("--seed", type=int, default=0)
    compare.add_argument("--train-size", type=int, help="train on only this many examples")
    compare.add_argument("--label-noise", type=float, default=0.0,
                         help="share of training labels made wrong, to provoke overfitting")
    compare.add_argument("--download", action="store_true",
                         help="download mnist or fashion-mnist through Keras if it is missing")
    compare.add_argument("--json", type=Path, metavar="PATH", help="write the run records here")
    compare.add_argument("--save", type=Path, metavar="LAB", help="write the runs as a lab file the window opens")
    add_playground_options(compare)  # --network, --boundary (boundary_cli.py)
    compare.add_argument("--no-fuse", action="store_true",
                         help="train the presets one after another, not together as one fused model")

    grid = sub.add_parser("grid", help="search one setting over a few values (the lesson's search)")
    grid.add_argument("--param", required=True, choices=tuple(DEFAULT_VALUES),
                      help="the setting to vary; l1l2 varies λ1 with λ2 = λ1 / 10")
    grid.add_argument("--values", type=float, nargs="+", help="values to try (default: the lesson's)")
    grid.add_argument("--preset", default="none", help="the model to start from (default: none)")
    grid.add_argument("--cv", type=int, help="k-fold cross-validation, k from 2 to 10")
    grid.add_argument("--repeats", type=int, default=1, help="repeat with this many seeds")
    grid.add_argument("--score", choices=("accuracy", "loss"), default="accuracy",
                      help="best by the best validation accuracy (default, the lesson's rule) or by the "
                           "lowest validation loss, penalty left out")
    grid.add_argument("--dataset", default="mnist-5k")
    grid.add_argument("--epochs", type=int, default=5, help="epochs per trial (default: 5, as the lesson)")
    grid.add_argument("--seed", type=int, default=0)
    grid.add_argument("--train-size", type=int)
    grid.add_argument("--label-noise", type=float, default=0.0)
    grid.add_argument("--json", type=Path, metavar="PATH", help="write every trial's run record here")
    grid.add_argument("--save", type=Path, metavar="LAB", help="write the search as a lab file the window opens")
    grid.add_argument("--no-fuse", action="store_true",
                      help="train every trial alone, not a fold's values together as one fused model")
    add_cluster_options(grid)

    add_summary_command(sub)
    add_code_command(sub, tuple(PRESETS))
    add_cluster_commands(sub)

    datasets = sub.add_parser("datasets", help="list datasets and whether each is available offline")
    datasets.add_argument("--download", choices=("mnist", "fashion-mnist"),
                          help="fetch this dataset through Keras (needs the network, once)")
    return parser


def _data_spec(args: argparse.Namespace) -> DataSpec:
    if args.dataset in BUILTIN_DATASETS:
        return DataSpec(args.dataset, train_size=args.train_size, label_noise=args.label_noise)
    return DataSpec("file", path=args.dataset, train_size=args.train_size, label_noise=args.label_noise)


def _check_json(args: argparse.Namespace, data_spec: DataSpec) -> None:
    """Refuse a --json destination that cannot be written, before any training starts."""
    if args.json is None:
        return
    inputs = [Path(data_spec.path)] if data_spec.path else []
    problem = destination_problem(args.json, inputs)
    if problem:
        raise UsageError(f"--json {args.json}: {problem}")


def _write_json(path: Path, text: str) -> None:
    try:
        write_text_atomic(path, text)
    except OSError as exc:  # checked before training, so this is a disk filling up or vanishing meanwhile
        raise UsageError(f"--json {path}: could not be written ({exc.strerror or exc}); "
                         "nothing was written there") from None


def _preset_on_data(name: str, data_spec: DataSpec, seed: int, network: str | None = None) -> RunSpec:
    """The preset's model and training (on `network`, else its own), with the command line's seed and data."""
    return replace(preset(name).run_spec(network).with_training(seed=seed), data=data_spec)


def run_compare(args: argparse.Namespace) -> int:
    unknown = [name for name in args.presets if name not in PRESETS]
    if unknown:
        raise UsageError(f"unknown preset {unknown[0]!r}; choose from {', '.join(PRESETS)}")
    data_spec = _data_spec(with_network_data(args))
    specs = []
    for name in args.presets:
        spec = _preset_on_data(name, data_spec, args.seed, args.network)
        if args.epochs is not None:
            spec = spec.with_training(epochs=args.epochs)
        if args.batch_size is not None:
            spec = spec.with_training(batch_size=args.batch_size)
        specs.append((name, spec.check()))  # every setting checked before anything trains
    _check_json(args, data_spec)
    check_picture_destination(args)
    inputs = (Path(args.dataset),)
    if args.save is not None:
        check_lab_destination(args.save, inputs)
    data = load(data_spec, allow_download=args.download)
    check_picture_data(args, data)
    print(data.describe())
    print(f"Training {len(specs)} preset{'s' * (len(specs) > 1)} (TensorFlow takes a few seconds to load)...",
          flush=True)
    # Through the window's own queue: presets that differ only in their network train
    # together as one fused model (core/training/fused.py), unless --no-fuse.
    from .core.experiments.job_queue import JobQueue, QueuedJob  # imports no TensorFlow until a job runs
    from .core.training.fused import MemberEvent
    from .core.training.session import RunRequest

    header = f"{'preset':16}{'test acc':>10}{'best val acc':>14}{'gap':>8}{'epochs':>12}{'seconds':>9}"
    finished: dict[int, RunRecord] = {}
    arrays = [RunArrays() for _ in specs]  # the last kernel (images), the boundary's frames (2-D)

    def report(job_id: int, event: object) -> None:
        if isinstance(event, MemberEvent):
            job_id, event = event.job_id, event.event
        arrays[job_id](event)
        if isinstance(event, RunFinished):
            record = finished[job_id] = event.record
            if len(finished) == 1:
                print(f"({record.dataset.n_train:,} examples to train on, {record.dataset.n_val:,} held out "
                      f"for validation, seed {args.seed})\n")
                print(header)
                print("-" * len(header))
            print(_row(record), flush=True)

    queue = JobQueue()
    queue.put_all(QueuedJob(i, RunRequest(spec, name, fuse=not args.no_fuse)) for i, (name, spec) in enumerate(specs))
    while (queued := queue.take_group()) is not None:
        queued.request.start(data, lambda event, job_id=queued.job_id: report(job_id, event)).run()
    records = [finished[i] for i in range(len(specs))]
    _summary(records)
    print_observations(observe_runs(records))
    report_boundaries(args, specs[0][1], records, [a.boundary for a in arrays])
    if args.json:
        _write_json(args.json, records_to_json(records))
        print(f"\nRun records written to {args.json}")
    if args.save is not None:
        save(lab_of_runs(specs[0][1], records, [a.kernel for a in arrays], [a.boundary for a in arrays]), args.save)
    return 0


def run_grid(args: argparse.Namespace) -> int:
    if args.preset not in PRESETS:
        raise UsageError(f"unknown preset {args.preset!r}; choose from {', '.join(PRESETS)}")
    if args.cv is not None and not 2 <= args.cv <= 10:
        raise UsageError(f"--cv {args.cv}: cross-validation takes 2 to 10 folds")
    if args.repeats < 1:
        raise UsageError(f"--repeats {args.repeats}: at least 1")
    data_spec = _data_spec(args)
    base = _preset_on_data(args.preset, data_spec, args.seed).with_training(epochs=args.epochs)
    from .core.experiments.grid_search import SCORES, GridRequest, GridSearch, TrialFinished, TrialsFailed

    search_values = tuple(args.values or DEFAULT_VALUES[args.param])
    where = where_of(args)
    request = GridRequest(base, args.param, search_values, args.cv, args.repeats, args.score,
                          fuse=not args.no_fuse, where=where).check()  # before loading
    _check_json(args, data_spec)
    if args.save is not None:
        check_lab_destination(args.save, (Path(args.dataset),))
    score = SCORES[args.score]
    data = load(data_spec)
    def report(event: object) -> None:
        if isinstance(event, TrialFinished):
            trial = event.trial
            print(f"  {args.param} = {trial.value:g}" + (f", fold {trial.fold + 1}" if trial.fold is not None else "")
                  + f": {score.label} {trial.val_score:.4f}", flush=True)
        elif isinstance(event, TrialsFailed):
            print(f"  {event.message}; the search goes on without them", flush=True)

    search = GridSearch(request, data, report)
    how = f"{args.cv}-fold cross-validation" if args.cv else "one validation split"
    if where.kind != "here":
        print(f"Training the trials on {where.describe()}.", flush=True)
    print(f"{data.describe()}\nSearching {args.param} over {', '.join(f'{v:g}' for v in search_values)} "
          f"from preset {args.preset}, {args.epochs} epochs per trial, {how}, {args.repeats} seed(s)...",
          flush=True)
    result = search.run()
    header = (f"{args.param:>10}{f'val {score.short} (mean ± sd)':>24}{f'train {score.short} (mean ± sd)':>25}"
              f"{'trials':>8}")
    print("\n" + header + "\n" + "-" * len(header))
    for p in result.points:
        print(f"{p.value:>10g}{f'{p.val_mean:.4f} ± {p.val_std:.4f}':>24}"
              f"{f'{p.train_mean:.4f} ± {p.train_std:.4f}':>25}{p.trials:>8}")
    if result.best is not None:
        print(f"\nBest {args.param}: {result.best.value:g} (mean {score.label} "
              f"{result.best.val_mean:.4f}); {result.seconds:.0f} s in all.")
    print_observations(observe_search(result))
    if args.json:
        _write_json(args.json, records_to_json([t.record for t in result.trials]))
        print(f"Run records of all {len(result.trials)} trials written to {args.json}")
    if args.save is not None:
        save(lab_of_search(request, result), args.save)
    return 0


def _row(r: RunRecord) -> str:
    final = r.final
    epochs = str(len(r.epochs))
    if r.restored_epoch is not None:
        epochs += f" (best {r.restored_epoch})"
    test = f"{r.test_accuracy:.4f}" if r.test_accuracy is not None else "-"
    best = f"{r.best_val_accuracy:.4f}" if r.best_val_accuracy is not None else "-"
    gap = f"{final.gap:+.3f}" if final is not None else "-"
    seconds = r.build_seconds + r.train_seconds + r.test_seconds
    line = f"{r.name:16}{test:>10}{best:>14}{gap:>8}{epochs:>12}{seconds:>9.1f}"
    return line if r.outcome in ("completed", "early-stopped") else f"{line}  ({r.reason})"


def _summary(records: list[RunRecord]) -> None:
    scored = [r for r in records if r.test_accuracy is not None]
    if len(scored) < 2:
        return
    best = max(scored, key=lambda r: r.test_accuracy)  # type: ignore[arg-type, return-value]
    print(f"\nBest on the test set: {best.name} ({best.test_accuracy:.4f}). "
          "gap = training minus validation accuracy at the final epoch; large means overfitting.")
    together = [r.name for r in records if r.fused_with]
    if together:  # each fused record carries the group's time: say so, or it reads as each run's own
        print(f"{', '.join(together)} trained together as one model: their seconds are the time of all of them "
              "(--no-fuse trains them one after another).")


def run_datasets(args: argparse.Namespace) -> int:
    if args.download:
        from .core.datasets.standard import download

        print(f"Downloading {args.download} through Keras...")
        print(f"Saved in {download(args.download)}")
    for info in catalog():
        mark = "yes" if info.available else "no "
        print(f"{info.name:15} {mark}  {info.title:34} {info.where}")
    return 0


def open_window(lab_path: str | None = None) -> int:
    from .gui.display_check import display_problem  # imports no Qt: Qt aborts where this refuses

    problem = display_problem()
    if problem:
        print(f"regstudio: error: {problem}", file=sys.stderr)
        return 2
    try:
        from .gui.app import main as gui_main
    except ImportError as exc:  # a broken Qt install: the command line still works
        print(f"regstudio: error: the window cannot start ({exc}); the commands still work, for example "
              "'regstudio compare none l2 dropout'", file=sys.stderr)
        return 1
    return gui_main(lab_path=lab_path)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(argv) == 1 and argv[0].endswith(SUFFIX):  # a lab file, as a double-click passes it
            if not Path(argv[0]).is_file():
                raise UsageError(f"{argv[0]}: no such lab file")
            return open_window(argv[0])
        args = build_parser().parse_args(argv)
        if args.command is None:
            return open_window()
        commands = {"compare": run_compare, "grid": run_grid, "summary": run_summary, "code": run_code,
                    "datasets": run_datasets, "worker": run_worker, "scheduler": run_scheduler}
        return commands[args.command](args)
    except (UsageError, DestinationError) as exc:
        print(f"regstudio: error: {exc}", file=sys.stderr)
    except (SpecError, DatasetError, ClusterError) as exc:
        print(f"regstudio: error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nregstudio: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
