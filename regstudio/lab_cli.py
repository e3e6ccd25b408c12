"""The command line's lab files and lessons: `--save`, `regstudio summary FILE...`, `regstudio code`, observations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .core.errors import LabFileError
from .core.lab.collect import summary_csv, summary_rows
from .core.lab.lab import LabContent
from .core.lab.lab_file import SUFFIX, save_lab
from .core.output_files import destination_problem, write_atomic


class DestinationError(Exception):
    """A file the command line was asked to write cannot be written there; said before any training."""


def check_destination(path: Path, option: str, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse, in one sentence, a destination that would fail only after all the training."""
    problem = destination_problem(path, inputs)
    if problem:
        raise DestinationError(f"{option} {path}: {problem}")


def check_lab_destination(path: Path, inputs: tuple[Path, ...] = ()) -> None:
    if path.suffix != SUFFIX:
        raise DestinationError(f"--save {path}: a lab file's name ends in {SUFFIX}")
    check_destination(path, "--save", inputs)


def save(content: LabContent, path: Path) -> None:
    try:
        save_lab(content, path, __version__)
    except LabFileError as exc:
        raise DestinationError(str(exc)) from None
    print(f"Lab written to {path}; open it with: regstudio {path}")


def add_summary_command(sub: argparse._SubParsersAction) -> None:
    summary = sub.add_parser("summary", help="the runs of one or many lab files as one table")
    summary.add_argument("files", nargs="+", metavar="FILE", help=f"lab files ({SUFFIX})")
    summary.add_argument("--csv", type=Path, metavar="OUT", help="also write the table as CSV here")


def _cell(value: object, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def run_summary(args: argparse.Namespace) -> int:
    if args.csv is not None:
        check_destination(args.csv, "--csv", tuple(Path(f) for f in args.files))
    rows, problems = summary_rows(args.files)
    width = max([len("file"), *(len(r.file) for r in rows)]) + 2
    name_width = max([len("run"), *(len(r.run) for r in rows)]) + 2
    header = (f"{'file':{width}}{'run':{name_width}}{'test acc':>10}{'best val':>10}{'gap':>8}{'best ep':>9}"
              f"{'stop ep':>9}{'sparsity':>10}  configuration")
    if rows:
        print(header + "\n" + "-" * len(header))
    for r in rows:
        print(f"{r.file:{width}}{r.run:{name_width}}{_cell(r.test_accuracy, '.4f'):>10}"
              f"{_cell(r.best_val_accuracy, '.4f'):>10}{_cell(r.gap, '+.3f'):>8}{_cell(r.best_epoch, 'd'):>9}"
              f"{_cell(r.stop_epoch, 'd'):>9}{_cell(r.sparsity, '.1%'):>10}  {r.configuration}")
    read = len(args.files) - len(problems)
    print(f"\n{len(rows)} run{'s' * (len(rows) != 1)} from {read} lab file{'s' * (read != 1)}.")
    if args.csv is not None:
        text = summary_csv(rows).encode("utf-8")
        write_atomic(args.csv, lambda out: out.write(text))
        print(f"Table written to {args.csv}")
    for problem in problems:
        print(f"regstudio: error: {problem}", file=sys.stderr)
    return 2 if problems else 0


def add_code_command(sub: argparse._SubParsersAction, presets: tuple[str, ...]) -> None:
    code = sub.add_parser("code", help="print the Keras code of a preset, or of a lab's current network")
    code.add_argument("preset", nargs="?", metavar="PRESET", help="one of " + ", ".join(presets))
    code.add_argument("--spec", type=Path, metavar="FILE", help=f"a lab file ({SUFFIX}): the network its builder shows")


def run_code(args: argparse.Namespace) -> int:
    from .core.experiments.presets import PRESETS
    from .core.lab.lab_file import open_lab
    from .core.training.keras_code import program

    if (args.preset is None) == (args.spec is None):
        raise DestinationError("give a preset name or --spec LAB, one of the two")
    if args.spec is not None:
        try:
            spec, title = open_lab(args.spec).spec, f"the network of {args.spec.name}"
        except LabFileError as exc:
            raise DestinationError(str(exc)) from None
    elif args.preset not in PRESETS:
        raise DestinationError(f"unknown preset {args.preset!r}; choose from {', '.join(PRESETS)}")
    else:
        spec, title = PRESETS[args.preset].run_spec(), f"preset {args.preset}"
    print(program(spec, f"RegStudio, {title}"), end="")
    return 0


def print_observations(observations: list) -> None:
    """Under the command's table: one line per observation, each starting with '- '."""
    if observations:
        print("\nWhat the runs show:")
        for observation in observations:
            print(f"- {observation.text}")
