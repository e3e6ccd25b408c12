"""How many examples the property tests draw: all of them, or a share while mutation testing.

A mutation run (tests/mutation/run.py) runs a module's tests once per mutant, so it sets
REGSTUDIO_FUZZ_SHARE=0.2; the ordinary suite draws the full number.
"""

import os


def examples(n: int) -> int:
    share = float(os.environ.get("REGSTUDIO_FUZZ_SHARE", "1"))
    return max(10, round(n * share))
