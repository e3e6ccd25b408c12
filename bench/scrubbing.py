"""Timing a view while a student drags its epoch slider: shared by the benches of the views that have one."""

from __future__ import annotations

import time
from typing import Any


def scrub_times(app: Any, view: Any, epochs: range) -> list[float]:
    """Milliseconds to redraw `view` at each epoch, repaint included, as the slider moves through `epochs`."""
    times = []
    for epoch in epochs:
        view.epoch_slider.blockSignals(True)  # redraw() is timed on its own, not through the signal
        view.epoch_slider.setValue(epoch)
        view.epoch_slider.blockSignals(False)
        started = time.perf_counter()
        view.redraw()
        app.processEvents()  # includes the repaint
        times.append((time.perf_counter() - started) * 1000)
    return times
