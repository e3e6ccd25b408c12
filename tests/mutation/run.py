"""Mutation testing with mutmut, one group of modules at a time, each with the fast tests that guard it.

    python tests/mutation/run.py --list             # the groups, their modules and tests
    python tests/mutation/run.py model              # mutate and test (resumes where it stopped)
    python tests/mutation/run.py model --report     # the score of the last run, and its survivors
    python tests/mutation/run.py model --show NAME  # one mutant's diff
    python tests/mutation/run.py model --tests-from main   # the same mutants against an older suite

Each group runs in its own folder, .mutation/<group>/ (ignored by git), holding the
project's pyproject.toml plus a [tool.mutmut] section for the group, and links to the
code, tests and resources. One worker only: the machines are shared. Ctrl+C stops a run;
the next run picks up where it stopped, and mutants of functions changed since are
tested again. The folder's settings (its tests, pytest's options) are written when it is
made, since mutmut forgets every result when they change; after changing a group's tests
or the project's pytest options, --fresh starts the group over. A survivor is either
killed by a new test or listed, with the reason it cannot be killed, in
tests/mutation/EQUIVALENT.md, which --report takes off the count.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
EQUIVALENT = Path(__file__).with_name("EQUIVALENT.md")
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


@dataclass(frozen=True)
class Group:
    what: str
    modules: tuple[str, ...]  # globs under the project root
    tests: tuple[str, ...]  # pytest arguments: files or node ids


GROUPS = {
    "model": Group("model construction: layers, penalties, specs, edits, the Keras model",
                   ("regstudio/core/model/*.py",),
                   ("tests/test_model_units.py", "tests/test_specs.py", "tests/test_presets.py",
                    "tests/test_model_builder.py", "tests/test_settings_reach_keras.py")),
    "training": Group("the training session, its Keras callbacks and the run record's JSON",
                      ("regstudio/core/training/session.py", "regstudio/core/training/keras_callbacks.py",
                       "regstudio/core/training/record_json.py"),
                      ("tests/test_record_json.py", "tests/test_session_events.py", "tests/test_session.py",
                       "tests/test_settings_reach_keras.py")),
    "experiments": Group("folds, the grid search and its trials' plan",
                         ("regstudio/core/experiments/folds.py", "regstudio/core/experiments/grid_search.py",
                          "regstudio/core/experiments/grid_params.py", "regstudio/core/experiments/trials.py"),
                         ("tests/test_folds.py", "tests/test_grid_requests.py", "tests/test_grid_search.py",
                          "tests/test_trial_plan.py")),
    "datasets": Group("the dataset readers and loading",
                      ("regstudio/core/datasets/*.py",),
                      ("tests/test_readers.py", "tests/test_hostile_files.py", "tests/test_reader_properties.py",
                       "tests/test_datasets.py", "tests/test_dataset_sources.py", "tests/test_csv_rules.py")),
    "lab": Group("the Lab and its file",
                 ("regstudio/core/lab/lab.py", "regstudio/core/lab/codec.py", "regstudio/core/lab/lab_file.py",
                  "regstudio/core/lab/limits.py"),
                 ("tests/test_lab_units.py", "tests/test_lab.py", "tests/test_lab_file.py",
                  "tests/test_lab_file_hostile.py")),
}

# Imported once by mutmut's fork server, so each mutant's process starts with them loaded.
# Importing TensorFlow starts no threads, so forking after it is safe; its runtime starts
# in each mutant's own process, at the first training. RegStudio's own modules are not
# preloaded: what they compute at import must be computed with the mutant in place.
PRELOAD = ("numpy", "hypothesis", "pytest", "PySide6.QtWidgets", "pytestqt.plugin", "tensorflow", "keras")


def toml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def prepare(name: str, group: Group, tests_from: str | None = None) -> Path:
    work = WORK / (name if tests_from is None else f"{name}@{tests_from}")
    work.mkdir(parents=True, exist_ok=True)
    for link in ("regstudio", "resources") if tests_from else ("regstudio", "tests", "resources"):
        target = work / link
        if not target.is_symlink():
            target.symlink_to(ROOT / link)
    if tests_from:  # the tests as they were at that commit, against today's code and mutants
        shutil.rmtree(work / "tests", ignore_errors=True)
        archive = subprocess.run(["git", "archive", tests_from, "tests"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
        for helper in ("conftest.py", "lab_fixtures.py"):  # today's machinery (fixture credit, cache), old checks
            shutil.copy2(ROOT / "tests" / helper, work / "tests" / helper)
        group = Group(group.what, group.modules, tuple(t for t in group.tests if (work / t).exists()))
    (work / "preload.txt").write_text("\n".join(PRELOAD) + "\n")
    config = f"""
[tool.mutmut]
source_paths = ["regstudio"]
only_mutate = {toml_list(group.modules)}
pytest_add_cli_args_test_selection = {toml_list(group.tests)}
pytest_add_cli_args = ["-n", "0", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnraisableExceptionWarning"]
also_copy = ["resources"]
process_isolation = "forkserver"
forkserver_warmup = "import"
preload_modules_file = "preload.txt"
# A mutant that loops forever is stopped after (its tests' measured seconds + 5) x 4 x 2 seconds
# of CPU: enough for a fixture that trains, far less than mutmut's default of x 15.
timeout_constant = 5.0
timeout_multiplier = 4.0
use_git_change_detection = false
"""
    # Written once, when the folder is made (or again with --fresh): mutmut forgets every result
    # when the folder's pyproject.toml changes, and the project's own may change in ways that do
    # not touch the tests (a dependency, the test runner's options).
    settings = work / "pyproject.toml"
    if not settings.exists():
        settings.write_text((ROOT / "pyproject.toml").read_text() + config)
    return work


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="3", TF_NUM_INTRAOP_THREADS="1",
               TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1", REGSTUDIO_FUZZ_SHARE="0.2",
               REGSTUDIO_LAB_FIXTURE=str(work / "lab_content.pickle"))
    return env


def mutmut(work: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    return subprocess.run(command, cwd=work, env=environment(work), text=True, capture_output=capture, check=False)


def equivalents() -> dict[str, str]:
    """Mutant name -> why no test can tell it from the original (from EQUIVALENT.md)."""
    found = {}
    for line in EQUIVALENT.read_text().splitlines() if EQUIVALENT.exists() else []:
        # "- `full_name`: why" or "- `full_name_3`, `_4`, `_9`: why" (the same reason for several)
        match = re.match(r"- `([^`]+)`((?:, `_\d+`)*): (.+)", line)
        if not match:
            continue
        first, more, why = match.groups()
        found[first] = why
        stem = first.rsplit("_", 1)[0]
        for number in re.findall(r"`_(\d+)`", more):
            found[f"{stem}_{number}"] = why
    return found


def report(work: Path) -> int:
    out = mutmut(work, "results", "--all", "true", capture=True).stdout
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    equivalent = equivalents()
    survivors = []
    for line in out.splitlines():
        match = re.match(r"\s+(\S+)__mutmut_\d+: (.+)", line)
        if not match:
            continue
        name, status = line.split(": ", 1)
        name = name.strip()
        module = match.group(1).rsplit(".", 1)[0].split(".xǁ")[0]
        if name in equivalent:
            status = "equivalent"
        by_module[module][status] += 1
        if status not in KILLED and status != "equivalent":
            survivors.append(f"{name}: {status}")
    totals: Counter[str] = Counter()
    print(f"{'module':48}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'left':>6}{'score':>8}")
    for module, counts in sorted(by_module.items()):
        totals.update(counts)
        print(line_of(module, counts))
    print(line_of("all", totals))
    print("\n".join(["", "Not killed:", *survivors] if survivors else ["", "No mutant left alive."]))
    return 0


def line_of(module: str, counts: Counter[str]) -> str:
    total = sum(counts.values())
    killed = sum(counts[s] for s in KILLED)
    equivalent = counts["equivalent"]
    left = total - killed - equivalent
    score = killed / (total - equivalent) if total > equivalent else 1.0
    return f"{module:48}{total:>8}{killed:>8}{equivalent:>8}{left:>6}{score:>8.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("group", nargs="?", choices=sorted(GROUPS))
    parser.add_argument("--list", action="store_true", help="show the groups")
    parser.add_argument("--report", action="store_true", help="score the last run instead of running")
    parser.add_argument("--show", metavar="MUTANT", help="print one mutant's diff")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results of this group")
    parser.add_argument("--tests-from", metavar="REV", help="test with the suite of this git commit instead")
    parser.add_argument("mutants", nargs="*", help="run only these mutants (names or globs)")
    args = parser.parse_args(argv)
    if args.list or not args.group:
        for name, group in GROUPS.items():
            print(f"{name}: {group.what}\n    mutates {' '.join(group.modules)}\n    tests   {' '.join(group.tests)}")
        return 0
    if args.fresh:
        shutil.rmtree(WORK / args.group, ignore_errors=True)
    work = prepare(args.group, GROUPS[args.group], args.tests_from)
    if args.show:
        return mutmut(work, "show", args.show).returncode
    if args.report:
        return report(work)
    (work / "lab_content.pickle").unlink(missing_ok=True)  # trained again for this run's code
    code = mutmut(work, "run", "--max-children", "1", *args.mutants).returncode
    report(work)
    return code


if __name__ == "__main__":
    sys.exit(main())
