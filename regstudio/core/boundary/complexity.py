"""How long the class boundary is on a grid of predicted classes: a number for "smooth".

Overfitting on noisy 2-D data shows as a boundary that bends around single wrong points,
and a bent boundary is a long one. Counting neighbouring cells with different predicted
classes measures that length. Each count is divided by the number of cells across the
boundary's direction, so the figure is a length in picture widths whatever the grid size:
a straight line from one side to the other is 1, a diagonal 2 (the grid measures it in
steps along its axes), a region with a wiggly edge several times its smooth figure.
"""

from __future__ import annotations

import numpy as np


def boundary_complexity(classes: np.ndarray) -> float:
    """Length of the boundary between predicted classes on a (rows, columns) grid, in picture widths.

    Side-by-side cells that differ are crossings of a vertical stretch of boundary: each is
    1/rows of the picture's height. Cells that differ from the one above are crossings of a
    horizontal stretch, each 1/columns of its width. A grid of one class has no boundary: 0.
    """
    if classes.ndim != 2:
        raise ValueError(f"a grid of predicted classes has two axes, not {classes.ndim}")
    rows, columns = classes.shape
    if rows == 0 or columns == 0:
        return 0.0
    across = int(np.count_nonzero(classes[:, 1:] != classes[:, :-1]))  # vertical boundary pieces
    down = int(np.count_nonzero(classes[1:, :] != classes[:-1, :]))  # horizontal boundary pieces
    return across / rows + down / columns
