"""The versions a worker must share with RegStudio: its own, TensorFlow's and Python's minor one.

A trial is RegStudio's code run on the worker: with another version there, a search would
quietly mix results of different code. Dask itself only warns about mismatches.
"""

from __future__ import annotations

import importlib.metadata
import sys


def local_versions() -> dict[str, str]:
    """What this process runs, without importing TensorFlow."""
    from .... import __version__

    tensorflow = "not installed"
    for dist in ("tensorflow", "tensorflow-cpu"):
        try:
            tensorflow = importlib.metadata.version(dist)
            break
        except importlib.metadata.PackageNotFoundError:
            continue
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return {"RegStudio": __version__, "TensorFlow": tensorflow, "Python": python}


def version_problem(here: dict[str, str], workers: dict[str, dict[str, str]]) -> str | None:
    """One sentence naming the first worker whose versions differ from ours, or None."""
    for address, theirs in sorted(workers.items()):
        for name, ours in here.items():
            if theirs.get(name) != ours:
                return (f"the worker at {address} has {name} {theirs.get(name, 'missing')} and this computer "
                        f"{name} {ours}: install the same version on both (the classroom wheelhouse has it)")
    return None
