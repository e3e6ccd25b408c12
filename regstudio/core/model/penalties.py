"""Weight penalties: each kind defined once, with its label, its strengths and its Keras form.

A penalty sits on a Dense layer's kernel and adds λ1·Σ|w| and/or λ2·Σw² to the loss. The
kinds below are the only place that knows which strengths a kind uses and how Keras
spells it; the builder's menus, the code view, the runs table and the grid search all
read them from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..checks import collect, is_real, one_of, real_in
from ..errors import Problem


@dataclass(frozen=True)
class PenaltyKind:
    key: str  # stored in specs and files: "none", "l1", "l2", "l1l2"
    label: str  # in menus: "L2 (ridge)"
    short: str  # in tables and legends: "L2"
    strengths: tuple[str, ...]  # which of l1 / l2 this kind uses; the others must be 0
    keras_code: Callable[[float, float], str | None]  # (l1, l2) -> "regularizers.l2(0.001)"


PENALTY_KINDS: dict[str, PenaltyKind] = {k.key: k for k in (
    PenaltyKind("none", "none", "none", (), lambda l1, l2: None),
    PenaltyKind("l1", "L1 (lasso)", "L1", ("l1",), lambda l1, l2: f"regularizers.l1({l1!r})"),
    PenaltyKind("l2", "L2 (ridge)", "L2", ("l2",), lambda l1, l2: f"regularizers.l2({l2!r})"),
    PenaltyKind("l1l2", "L1 + L2 (elastic net)", "L1 + L2", ("l1", "l2"),
                lambda l1, l2: f"regularizers.l1_l2(l1={l1!r}, l2={l2!r})"),
)}
REGULARIZER_KINDS = tuple(PENALTY_KINDS)
STRENGTHS_USED: dict[str, tuple[str, ...]] = {k.key: k.strengths for k in PENALTY_KINDS.values()}
MAX_STRENGTH = 1.0  # the builder's controls go from 1e-6 to this; beyond it every weight dies


@dataclass(frozen=True)
class Regularizer:
    """A weight penalty on a Dense kernel: λ1·Σ|w| and/or λ2·Σw² added to the loss."""

    kind: str = "none"
    l1: float = 0.0
    l2: float = 0.0

    @classmethod
    def of(cls, kind: str, strength: float = 0.0, l2: float | None = None) -> Regularizer:
        """`of("l1", 0.01)`, `of("l2", 0.001)`, `of("l1l2", 0.01, 0.001)`, `of("none")`."""
        if kind == "l1":
            return cls("l1", l1=strength)
        if kind == "l2":
            return cls("l2", l2=strength)
        if kind == "l1l2":
            return cls("l1l2", l1=strength, l2=strength if l2 is None else l2)
        return cls(kind)

    @classmethod
    def from_strengths(cls, kind: str, l1: float, l2: float) -> Regularizer:
        """`kind` with the strengths it uses taken from l1 and l2, the others set to 0.

        For controls that keep both strengths around while the kind changes.
        """
        used = STRENGTHS_USED.get(kind, ())
        return cls(kind, l1 if "l1" in used else 0.0, l2 if "l2" in used else 0.0)

    @property
    def active(self) -> bool:
        return self.kind != "none" and (self.l1 > 0 or self.l2 > 0)

    def problems(self, where: str) -> list[Problem]:
        found = collect(one_of(f"{where}.kind", self.kind, REGULARIZER_KINDS))
        uses = STRENGTHS_USED.get(self.kind, ())
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if name in uses:
                found += collect(
                    real_in(f"{where}.{name}", value, 0.0, math.inf, high_open=True,
                            allowed="a finite strength >= 0 (typical: 1e-4 to 1e-1)")
                )
            elif not (is_real(value) and value == 0):
                found.append(Problem(f"{where}.{name}", value,
                                     f"0, because the regularizer kind is {self.kind!r}"))
        return found

    def describe(self) -> str:
        if self.kind == "l1l2":
            return f"L1 {self.l1:g} + L2 {self.l2:g}"
        if self.kind in ("l1", "l2"):
            return f"{PENALTY_KINDS[self.kind].short} {getattr(self, self.kind):g}"
        return "none"

    def keras_code(self) -> str | None:
        return PENALTY_KINDS[self.kind].keras_code(self.l1, self.l2)

    def keras(self) -> Any:
        """The Keras regularizer, or None for no penalty (imports Keras)."""
        from keras import regularizers

        if self.kind == "l1":
            return regularizers.l1(self.l1)
        if self.kind == "l2":
            return regularizers.l2(self.l2)
        if self.kind == "l1l2":
            return regularizers.l1_l2(l1=self.l1, l2=self.l2)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "l1": self.l1, "l2": self.l2}
