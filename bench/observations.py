"""Time to compute every observation for 20 runs of 30 epochs (target <= 5 ms, issue 11).

    python bench/observations.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from lab_file import lab_content

from regstudio.core.lessons.observations import observe_runs, observe_search


def main() -> None:
    content = lab_content()
    records = [run.record for run in content.runs]
    result = content.searches[0].result
    observe_runs(records)
    times = []
    for _ in range(50):
        started = time.perf_counter()
        found = observe_runs(records) + observe_search(result)
        times.append((time.perf_counter() - started) * 1000)
    print(f"## observations: {len(records)} runs x 30 epochs and a 12-trial search ({date.today()}, "
          f"{platform.machine()})")
    print(f"- all observations: median {statistics.median(times):.2f} ms, worst {max(times):.2f} ms "
          f"(target <= 5 ms); {len(found)} observations")


if __name__ == "__main__":
    main()
