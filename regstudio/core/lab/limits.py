"""Limits a teacher can put on a lab, checked like any other setting before a run starts."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem
from ..model.keras_model import summary_rows
from ..model.layers import Dense
from ..training.run_spec import RunSpec


@dataclass(frozen=True)
class TeacherLimits:
    """None means no limit. Kept in the lab file, so a prepared lab hands them out."""

    max_epochs: int | None = None
    max_units: int | None = None  # in any one Dense layer
    max_params: int | None = None  # of the whole network, on the lab's data

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.max_epochs, self.max_units, self.max_params))

    def problems(self, spec: RunSpec, shape: tuple[int, int] | None) -> list[Problem]:
        """What in `spec` goes beyond the limits; `shape` is (features, classes) when known."""
        found: list[Problem] = []
        why = "the limit your teacher set for this lab"
        if self.max_epochs is not None and spec.training.epochs > self.max_epochs:
            found.append(Problem("training.epochs", spec.training.epochs, f"at most {self.max_epochs}, {why}"))
        if self.max_units is not None:
            for i, layer in enumerate(spec.model.layers):
                if isinstance(layer, Dense) and layer.units > self.max_units:
                    found.append(Problem(f"layers[{i}].units", layer.units, f"at most {self.max_units}, {why}"))
        if self.max_params is not None and shape is not None:
            params = sum(row.params for row in summary_rows(spec.model, *shape))
            if params > self.max_params:
                found.append(Problem("model", f"{params:,} parameters", f"at most {self.max_params:,}, {why}"))
        return found
