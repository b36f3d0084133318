"""Display names and English phrasing shared by claims, pages and examples.

One place for how an optimizer, a preset, a number or a list of names is written, so that a
verdict sentence, a table and a figure legend say the same thing. :mod:`optguide.plots`
should take :data:`OPTIMIZER_NAMES` and :data:`COLORS` from here.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Display names of the optimizers, and of the SGD variants of the small-problem examples.
OPTIMIZER_NAMES = {"sgd": "SGD", "adagrad": "Adagrad", "adadelta": "Adadelta",
                   "rmsprop": "RMSprop", "adam": "Adam", "momentum": "SGD + momentum",
                   "nesterov": "Nesterov", "noisy_sgd": "noisy SGD"}
#: One color per optimizer, the same on every figure of the site.
COLORS = {"sgd": "#4c72b0", "adagrad": "#dd8452", "adadelta": "#c44e52",
          "rmsprop": "#8172b3", "adam": "#55a868", "momentum": "#937860",
          "nesterov": "#da8bc3", "noisy_sgd": "#64b5cd"}
#: Display names of the presets (whose defaults).
PRESET_NAMES = {"pytorch": "PyTorch", "keras": "Keras"}


def optimizer_name(optimizer: str) -> str:
    """``"adam"`` -> ``"Adam"``; unknown names are returned unchanged."""
    return OPTIMIZER_NAMES.get(optimizer, optimizer)


def preset_name(preset: str) -> str:
    """``"pytorch"`` -> ``"PyTorch"``; unknown names are returned unchanged."""
    return PRESET_NAMES.get(preset, preset)


def possessive(preset: str) -> str:
    """``"PyTorch's"``, ``"Keras'"``."""
    name = preset_name(preset)
    return name + ("'" if name.endswith("s") else "'s")


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``12`` -> ``"12th"``, ``23`` -> ``"23rd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percent(fraction: float, digits: int = 1) -> str:
    """An accuracy given as a fraction, as a percentage: ``0.9731`` -> ``"97.3 %"``."""
    return f"{fraction * 100:.{digits}f} %"


def points(fraction: float, digits: int = 1, signed: bool = False) -> str:
    """A difference of accuracies in percentage points (number only): ``0.0042`` -> ``"0.4"``."""
    return f"{fraction * 100:{'+' if signed else ''}.{digits}f}"


def join_names(names: Iterable[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def number(value: float) -> str:
    """``1e-6`` rather than Python's ``1e-06``; otherwise ``:g``."""
    return f"{value:g}".replace("e-0", "e-").replace("e+0", "e+")


def batch_label(batch_size: int | None) -> str:
    """``"batch 64"``, or ``"full batch"`` for ``None``."""
    return "full batch" if batch_size is None else f"batch {batch_size}"


def groups_text(groups: Iterable[Iterable[str]], name=optimizer_name) -> str:
    """Tie groups best first: ``"(Adam, RMSprop) > Adadelta > SGD"``; a group in brackets
    when it holds several options that the intervals cannot order."""
    parts = []
    for group in groups:
        names = [name(option) for option in group]
        parts.append(names[0] if len(names) == 1 else "(" + ", ".join(names) + ")")
    return " > ".join(parts)
