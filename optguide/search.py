"""Search spaces, declared once: what the equal-effort study tunes for every optimizer.

Every optimizer gets its learning rate (log scale, at least four decades, both libraries'
defaults inside), its own other hyperparameters and the same three learning-rate schedules.
The trials are the points of **one** scrambled Sobol sequence (:func:`trials`): column 0 is
the learning rate, column 1 the schedule, and the next columns the optimizer's own
hyperparameters in the order :data:`SPACES` lists them, so every optimizer's trial ``k``
uses the same quasi-random point, mapped into its own space.

The design follows Choi et al. (2019, "On empirical comparisons of optimizers for deep
learning", tables of search spaces in their appendix D): search the learning rate and the
other hyperparameters of every optimizer, several of them on a log scale of ``1 - beta``.
Where this differs: the ranges are narrower than theirs (5 epochs of a small MLP, a budget of
32 trials), Adam's epsilon is searched over 1e-10 ... 1e-4 instead of up to 1e10, the schedule
is searched for every optimizer (they fix one per workload), and Adagrad's initial accumulator
is searched on a linear scale so that PyTorch's default, 0, lies inside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .optimizers import OPTIMIZERS, PRESETS, hyperparameters

#: Dimensions shared by every optimizer, in the Sobol sequence's first columns.
SHARED = ("lr", "schedule")

#: The schedules every optimizer's trials choose from (column 1 of the sequence, in thirds).
#: ``warmup`` is replaced by :data:`WARMUP_FRACTION` of the run's steps.
SCHEDULES = ("constant", "cosine", "warmup+cosine")

#: Linear warm-up length of ``"warmup+cosine"``, as a fraction of all training steps (a common
#: choice between 5 and 10 %; Goyal et al. 2017 warm up for about 5 % of a 90-epoch run).
WARMUP_FRACTION = 0.1


@dataclass(frozen=True)
class Dimension:
    """One searched hyperparameter.

    Parameters
    ----------
    name : str
        The constructor argument it sets (``"betas[0]"`` for an element of a pair).
    low, high : float
        The range of the *searched* quantity (of ``1 - value`` when ``complement``).
    scale : str
        ``"log"`` (log-uniform) or ``"linear"``; ``"choice"`` for ``options``.
    complement : bool
        Search ``1 - value`` (momentum-like constants near 1, on a log scale).
    options : tuple
        The values of a ``"choice"`` dimension, picked in equal parts of [0, 1).
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    scale: str = "log"
    complement: bool = False
    options: tuple = ()

    def value(self, u: float) -> Any:
        """The hyperparameter for the point ``u`` in [0, 1) of the unit interval."""
        if self.scale == "choice":
            return self.options[min(int(u * len(self.options)), len(self.options) - 1)]
        if self.scale == "log":
            x = 10 ** (math.log10(self.low) + u * (math.log10(self.high) - math.log10(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        x = float(f"{x:.4g}")  # 4 significant digits: stored values read back equal
        return round(1 - x, 8) if self.complement else x

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the range (or is one of the options)."""
        if self.scale == "choice":
            return value in self.options
        x = 1 - value if self.complement else value
        return self.low - 1e-12 <= x <= self.high + 1e-12

    def describe(self) -> str:
        """``"log-uniform 1e-05 ... 0.1"``, ``"1 - value log-uniform 0.001 ... 1"``."""
        if self.scale == "choice":
            return "one of " + ", ".join(str(o) for o in self.options)
        what = f"{self.scale}-uniform {self.low:g} ... {self.high:g}"
        return f"1 - value {what}" if self.complement else what


#: The learning-rate dimension of every optimizer: log-uniform over at least four decades,
#: wide enough to hold both libraries' defaults (Adadelta's are 1.0 in PyTorch and 0.001 in
#: Keras, so its range spans five decades).
LEARNING_RATES: dict[str, Dimension] = {
    "sgd": Dimension("lr", 1e-4, 1.0),
    "adam": Dimension("lr", 1e-5, 1e-1),
    "rmsprop": Dimension("lr", 1e-5, 1e-1),
    "adagrad": Dimension("lr", 1e-4, 1.0),
    "adadelta": Dimension("lr", 1e-4, 10.0),
}

#: Each optimizer's other searched hyperparameters (after the learning rate and schedule).
SPACES: dict[str, tuple[Dimension, ...]] = {
    "sgd": (Dimension("momentum", 1e-3, 1.0, complement=True),
            Dimension("nesterov", scale="choice", options=(False, True))),
    "adam": (Dimension("betas[0]", 1e-2, 1.0, complement=True),
             Dimension("betas[1]", 1e-4, 1e-1, complement=True),
             Dimension("eps", 1e-10, 1e-4)),
    "rmsprop": (Dimension("alpha", 1e-3, 1e-1, complement=True),
                Dimension("eps", 1e-10, 1e-4),
                Dimension("momentum", 1e-2, 1.0, complement=True)),
    "adagrad": (Dimension("initial_accumulator_value", 0.0, 1.0, scale="linear"),
                Dimension("eps", 1e-10, 1e-4)),
    "adadelta": (Dimension("rho", 1e-2, 0.5, complement=True),
                 Dimension("eps", 1e-9, 1e-3)),
}

SCHEDULE = Dimension("schedule", scale="choice", options=SCHEDULES)

#: Columns of the one Sobol sequence: the shared two, then the widest optimizer's own.
COLUMNS = len(SHARED) + max(len(dims) for dims in SPACES.values())


def dimensions(optimizer: str) -> tuple[Dimension, ...]:
    """Every searched dimension of ``optimizer``, in the sequence's column order."""
    return (LEARNING_RATES[optimizer], SCHEDULE, *SPACES[optimizer])


@dataclass(frozen=True)
class Trial:
    """One point of an optimizer's search space: overrides of PyTorch's values, a schedule.

    ``overrides`` holds every searched constructor argument (``betas`` as a pair) and the
    learning rate; ``schedule`` is the named choice of :data:`SCHEDULES`.
    """

    optimizer: str
    index: int
    overrides: tuple[tuple[str, Any], ...]
    schedule: str

    @property
    def lr(self) -> float:
        return dict(self.overrides)["lr"]

    def to_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer, "index": self.index, "schedule": self.schedule,
                "overrides": {k: list(v) if isinstance(v, tuple) else v
                              for k, v in self.overrides}}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Trial:
        overrides = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                 for k, v in values["overrides"].items()))
        return cls(values["optimizer"], int(values["index"]), overrides, values["schedule"])


def point(optimizer: str, u: Any, index: int = 0) -> Trial:
    """The trial of ``optimizer`` at the unit point ``u`` (at least :data:`COLUMNS` values)."""
    values: dict[str, Any] = {}
    schedule = "constant"
    for dim, x in zip(dimensions(optimizer), u):
        value = dim.value(float(x))
        if dim.name == "schedule":
            schedule = value
        elif dim.name.startswith("betas["):
            values.setdefault("betas", [None, None])[int(dim.name[6])] = value
        else:
            values[dim.name] = value
    if "betas" in values:
        values["betas"] = tuple(values["betas"])
    if values.get("nesterov") and not values.get("momentum"):
        values["nesterov"] = False  # Nesterov needs momentum; only at the range's very edge
    return Trial(optimizer, index, tuple(sorted(values.items())), schedule)


def unit_points(count: int, seed: int) -> list[list[float]]:
    """``count`` points of a scrambled Sobol sequence in [0, 1)^:data:`COLUMNS`, seeded."""
    from scipy.stats import qmc

    sampler = qmc.Sobol(d=COLUMNS, scramble=True, seed=seed)
    # A power of two keeps the Sobol points balanced; take the first ``count`` of them.
    draws = sampler.random(2 ** max(0, math.ceil(math.log2(count))))
    return draws[:count].tolist()


def trials(optimizer: str, count: int, seed: int) -> list[Trial]:
    """The first ``count`` trials of ``optimizer`` from the study's one Sobol sequence."""
    return [point(optimizer, u, k) for k, u in enumerate(unit_points(count, seed))]


def learning_rate_grid(optimizer: str, points: int, preset: str = "pytorch"
                       ) -> list[Trial]:
    """The learning-rate-only protocol's trials: ``points`` rates half a decade apart, centred
    on ``preset``'s default, constant schedule, every other value at the preset's."""
    center = hyperparameters(optimizer, preset)["lr"]
    half = (points - 1) / 2
    rates = [float(f"{center * 10 ** ((k - half) / 2):.4g}") for k in range(points)]
    return [Trial(optimizer, k, (("lr", lr),), "constant") for k, lr in enumerate(rates)]


def schedule_string(name: str, total_steps: int) -> str:
    """A :data:`SCHEDULES` name as a :mod:`optguide.schedules` string for a run of
    ``total_steps`` steps (``"warmup+cosine"`` -> ``"cosine:warmup=<10 % of the steps>"``)."""
    if name == "warmup+cosine":
        return f"cosine:warmup={max(1, round(WARMUP_FRACTION * total_steps))}"
    return name


def defaults_inside(optimizer: str) -> dict[str, bool]:
    """Per searched hyperparameter: whether every preset's default lies in its range."""
    inside = {}
    for dim in (LEARNING_RATES[optimizer], *SPACES[optimizer]):
        values = []
        for preset in PRESETS:
            hp = hyperparameters(optimizer, preset)
            name = dim.name
            values.append(hp["betas"][int(name[6])] if name.startswith("betas[") else hp[name])
        inside[dim.name] = all(dim.contains(v) for v in values)
    return inside


def space_rows() -> list[tuple[str, str, str]]:
    """(optimizer, hyperparameter, range) for every searched dimension, the table the
    comparison page and ``optguide tune --show-space`` print."""
    from .analysis.names import optimizer_name

    rows = []
    for name in OPTIMIZERS:
        for dim in dimensions(name):
            what = dim.describe()
            if dim.name == "schedule":
                what += (f" (warm-up: the first {WARMUP_FRACTION:.0%} of the steps, "
                         "linear; cosine decays to 0)")
            rows.append((optimizer_name(name), dim.name, what))
    return rows


def show_space() -> str:
    """The search spaces as a plain-text table."""
    rows = [("optimizer", "hyperparameter", "searched over"), *space_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)
