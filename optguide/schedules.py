r"""Learning-rate schedules: a multiplier of the learning rate at every step.

A schedule turns the base learning rate :math:`\eta` into :math:`\eta_t = \eta\, m(t)` at step
:math:`t = 0, 1, \dots, T - 1` (the step counted from 0 before it is taken; :math:`T` steps
in all, :math:`S` per epoch). Both training engines apply it once per minibatch, exactly as
``torch.optim.lr_scheduler`` does when ``scheduler.step()`` is called after every
``optimizer.step()``:

* ``constant``: :math:`m(t) = 1`.
* ``cosine``: with :math:`W` warm-up steps (default 0),

  .. math::

     m(t) = \begin{cases} (t + 1) / W & t < W \\
         \tfrac12 \left(1 + \cos\left(\pi \frac{t - W}{T - W}\right)\right) & t \ge W
     \end{cases}

  a linear warm-up to the base rate (``LambdaLR`` with ``lambda t: (t + 1) / W``), then a
  cosine decay towards 0 over the remaining steps (``CosineAnnealingLR`` with
  ``T_max = T - W`` and ``eta_min = 0``).
* ``step``: :math:`m(t) = \gamma^{\lfloor t / (kS) \rfloor}`, the rate multiplied by
  :math:`\gamma` (default 0.1) every :math:`k` epochs (default 1): ``StepLR`` with
  ``step_size = k S``.

A schedule is written as a string, ``"constant"``, ``"cosine"``, ``"cosine:warmup=100"``,
``"step"`` or ``"step:every=2,gamma=0.5"``, and held as a frozen :class:`Schedule`; its
string form (:meth:`Schedule.__str__`) is canonical and names it in configs and results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

KINDS = ("constant", "cosine", "step")

#: Options each kind takes (name -> type).
_OPTIONS: dict[str, dict[str, type]] = {
    "constant": {},
    "cosine": {"warmup": int},
    "step": {"every": int, "gamma": float},
}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule (see the module docstring for the equations).

    Parameters
    ----------
    kind : str
        ``"constant"``, ``"cosine"`` or ``"step"``.
    warmup : int, default 0
        ``cosine`` only: linear warm-up steps :math:`W`.
    every : int, default 1
        ``step`` only: epochs :math:`k` between decays.
    gamma : float, default 0.1
        ``step`` only: the factor :math:`\\gamma` applied every ``every`` epochs.
    """

    kind: str = "constant"
    warmup: int = 0
    every: int = 1
    gamma: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown schedule {self.kind!r}; choose from {', '.join(KINDS)}")
        if isinstance(self.warmup, bool) or not isinstance(self.warmup, int) or self.warmup < 0:
            raise ValueError(f"schedule warm-up must be an integer >= 0, got {self.warmup!r}")
        if isinstance(self.every, bool) or not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"schedule 'every' must be an integer >= 1, got {self.every!r}")
        if not (isinstance(self.gamma, (int, float)) and 0 < self.gamma <= 1):
            raise ValueError(f"schedule gamma must be in (0, 1], got {self.gamma!r}")
        object.__setattr__(self, "gamma", float(self.gamma))
        for field in fields(self):
            if field.name != "kind" and field.name not in _OPTIONS[self.kind]:
                if getattr(self, field.name) != field.default:
                    raise ValueError(f"schedule {self.kind!r} takes no option {field.name!r}")

    @classmethod
    def parse(cls, text: str | Schedule) -> Schedule:
        """``"cosine:warmup=100"`` -> ``Schedule("cosine", warmup=100)`` (a Schedule passes).

        Raises
        ------
        ValueError
            For an unknown kind or option, or a value of the wrong type or range.
        """
        if isinstance(text, Schedule):
            return text
        if not isinstance(text, str):
            raise ValueError(f"a schedule is a string such as 'cosine', got {text!r}")
        kind, _, options = text.strip().partition(":")
        kind = kind.strip()
        if kind not in KINDS:
            raise ValueError(f"unknown schedule {kind!r}; choose from {', '.join(KINDS)} "
                             f"(e.g. 'cosine:warmup=100' or 'step:every=2,gamma=0.1')")
        values: dict[str, int | float] = {}
        for item in filter(None, (part.strip() for part in options.split(","))):
            name, equals, value = (part.strip() for part in item.partition("="))
            if not equals or name not in _OPTIONS[kind]:
                takes = ", ".join(_OPTIONS[kind]) or "no options"
                raise ValueError(f"schedule {kind!r}: bad option {item!r} (it takes {takes})")
            try:
                values[name] = _OPTIONS[kind][name](value)
            except ValueError:
                kind_name = "an integer" if _OPTIONS[kind][name] is int else "a number"
                raise ValueError(f"schedule {kind!r}: {name} must be {kind_name}, "
                                 f"got {value!r}") from None
        return cls(kind, **values)

    def __str__(self) -> str:
        # repr: exact (every=1000000, not 1e+06; gamma's every digit), and parse reads it back
        options = [f"{name}={getattr(self, name)!r}" for name in _OPTIONS[self.kind]
                   if self.kind == "step" or getattr(self, name) != 0]
        return self.kind + (":" + ",".join(options) if options else "")

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant"

    def check(self, total_steps: int) -> None:
        """Raise :class:`ValueError` when the schedule does not fit ``total_steps`` steps."""
        if self.kind == "cosine" and self.warmup >= total_steps:
            raise ValueError(f"schedule {self}: the warm-up of {self.warmup} steps is not "
                             f"shorter than the {total_steps} steps of training")

    def multiplier(self, step: int, steps_per_epoch: int, total_steps: int) -> float:
        """:math:`m(t)` for ``step`` :math:`t` (counted from 0) of ``total_steps``."""
        if self.kind == "cosine":
            if step < self.warmup:
                return (step + 1) / self.warmup
            return 0.5 * (1 + math.cos(math.pi * (step - self.warmup)
                                       / (total_steps - self.warmup)))
        if self.kind == "step":
            return self.gamma ** (step // (self.every * steps_per_epoch))
        return 1.0


#: The default: the learning rate as given, at every step.
CONSTANT = Schedule()


def multipliers(schedule: Schedule, steps_per_epoch: int, epochs: int) -> list[float]:
    """:math:`m(t)` for every step of a run of ``epochs`` epochs (after :meth:`Schedule.check`)."""
    total = steps_per_epoch * epochs
    schedule.check(total)
    return [schedule.multiplier(t, steps_per_epoch, total) for t in range(total)]
