"""What a start costs before the first run can train: importing Keras and TensorFlow.

    python bench/startup.py [--repeats 5] [--against DIR]

Each repeat is a fresh process that times `import_keras()` (the import the window waits
for before enabling Train, and every `regstudio compare` or `grid` pays first). One more
process runs the import under `python -X importtime` and lists the modules whose own code
took longest: after a dependency's upgrade, a newcomer at the top of that list is the first
place to look (ml_dtypes 0.7.0 was one: 0.55 s of NumPy loop registration, see
pyproject.toml).

`--against DIR` times other versions of some of the import's packages, installed with
`pip install --no-deps --target DIR ...`, put before the installed ones on the path; the
processes alternate and the last line ends in `ratio X`: the installed versions' median
over DIR's.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMED = ("import time; started = time.perf_counter()\n"
         "from regstudio.core.tf_runtime import import_keras; import_keras()\n"
         "print(time.perf_counter() - started)")


def timed_import(path_first: str | None = None) -> float:
    """Seconds to import Keras in a fresh process (with `path_first` ahead on its path)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (path_first, str(ROOT)) if p))
    done = subprocess.run([sys.executable, "-c", TIMED], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def slowest_modules(count: int) -> list[tuple[float, str]]:
    """The modules whose own import code took longest, in seconds, from `python -X importtime`."""
    # Verbose keeps stderr, where -X importtime writes (import_keras hides TensorFlow's notices there).
    env = dict(os.environ, PYTHONPATH=str(ROOT), REGSTUDIO_TF_VERBOSE="1", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "from regstudio.core.tf_runtime import import_keras; import_keras()"],
                          env=env, capture_output=True, text=True, check=True)
    own = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us, _cumulative, name = line[len("import time:"):].split("|")
            if self_us.strip().isdigit():
                own.append((int(self_us) / 1e6, name.strip()))
    return sorted(own, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--against", metavar="DIR", help="other package versions to time, put first on the path")
    args = parser.parse_args()
    print(f"# {date.today()} {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")

    ours, theirs = [], []
    for _ in range(args.repeats):
        ours.append(timed_import())
        if args.against:
            theirs.append(timed_import(args.against))
    print(f"import_keras in a fresh process: median {statistics.median(ours):.2f} s "
          f"(runs {' '.join(f'{s:.2f}' for s in ours)})")
    print("slowest modules' own import code:")
    for seconds, name in slowest_modules(8):
        print(f"  {seconds:6.3f} s  {name}")
    if args.against:
        print(f"with {args.against} first: median {statistics.median(theirs):.2f} s "
              f"(runs {' '.join(f'{s:.2f}' for s in theirs)})")
        print(f"installed over {args.against}: ratio {statistics.median(ours) / statistics.median(theirs):.2f}")


if __name__ == "__main__":
    main()
