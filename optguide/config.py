"""What one experiment is: :class:`Config`, and its parameters declared once.

Each scalar setting of an experiment (model, epochs, batch size, training and validation
sizes, schedule, evaluation interval, engine, device) is a :class:`Parameter` in
:data:`PARAMETERS`: its type, bounds, default and one line of help. :class:`Config` takes its
defaults and checks from there, the studies build their runs as Configs (so they are checked
the same way) and take the same defaults, and the command line's options and help are
generated from the same declarations (:func:`optguide.cli.build_parser`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .data import VALIDATION_SIZE
from .limits import MAX_EPOCHS, config_problem
from .models import MODELS
from .optimizers import OPTIMIZERS, PRESETS, hyperparameters
from .schedules import Schedule
from .train import RunSpec

#: How runs train: all together, or one after another (exact per-run timing).
ENGINES = ("batched", "sequential")
#: Device names a configuration accepts.
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d{1,3})?")


class ConfigError(ValueError):
    """A configuration that cannot be run; the message says which field and why."""


@dataclass(frozen=True)
class Parameter:
    """One scalar setting of an experiment: type, bounds, default and help, declared once.

    Parameters
    ----------
    name : str
        The :class:`Config` field.
    default : object
        Its default, also the command line's.
    help : str
        What it is, in a few words (the command line's help starts with it).
    type : type
        ``int``, ``float`` or ``str``; a flag (``bool``) is never accepted for a number.
    minimum, maximum : float, optional
        Inclusive bounds of a number (``minimum_open``: the lower bound excluded).
    maximum_advice : str
        What to do instead, appended to the message of a value above ``maximum``.
    none : str, optional
        When ``None`` is allowed: what it means (``"full batch"``).
    choices : callable returning a sequence of str, optional
        The names a string may take (called late: registries fill at import).
    pattern : re.Pattern, optional
        A string must match it in full; ``pattern_hint`` says which values do.
    label : str, optional
        How messages name it (default: the name with spaces).
    """

    name: str
    default: Any
    help: str
    type: type = int
    minimum: float | None = None
    maximum: float | None = None
    minimum_open: bool = False
    maximum_advice: str = ""
    none: str | None = None
    choices: Callable[[], Any] | None = None
    pattern: re.Pattern | None = None
    pattern_hint: str = ""
    label: str | None = None

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def _range(self) -> str:
        if self.type is float and self.minimum is not None and self.maximum is not None:
            low = "(" if self.minimum_open else "["
            return f"in {low}{self.minimum:g}, {self.maximum:g}]"
        return f"an integer >= {self.minimum:g}" if self.type is int else "a number"

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this parameter, or ``None``."""
        if value is None:
            return None if self.none is not None else f"{self.title} must be given"
        if self.type is str:
            if not isinstance(value, str):
                return f"{self.title} must be a name (a string), got {value!r}"
            names = tuple(self.choices()) if self.choices else ()
            if names and value not in names:
                return f"unknown {self.title} {value!r}; choose from {', '.join(names)}"
            if self.pattern is not None and not self.pattern.fullmatch(value):
                return f"unknown {self.title} {value!r}; use {self.pattern_hint}"
            return None
        rule = self._range() + (f" (or None for {self.none})" if self.none else "")
        number = (int,) if self.type is int else (int, float)
        if (isinstance(value, bool) or not isinstance(value, number)
                or (isinstance(value, float) and not math.isfinite(value))):
            return f"{self.title} must be {rule}, got {value!r}"
        if self.minimum is not None and (value <= self.minimum if self.minimum_open
                                         else value < self.minimum):
            return f"{self.title} must be {rule}, got {value!r}"
        if self.maximum is not None and value > self.maximum:
            advice = f"; {self.maximum_advice}" if self.maximum_advice else ""
            shown = f"{self.maximum:,}" if self.type is int else f"{self.maximum:g}"
            return f"{self.title} must be at most {shown}, got {value:,}{advice}"
        return None

    def describe(self, extra: str = "") -> str:
        """One line of command-line help: what it is (then ``extra``), its default and bounds."""
        if self.default is None:
            default = f"default: {self.none}"
        else:
            default = f"default {self.default:,}" if self.type is int else \
                f"default {self.default}"
        bounds = ""
        if self.choices:
            bounds = f"; one of {', '.join(self.choices())}"
        elif self.maximum is not None and self.type is int:
            bounds = f"; at most {self.maximum:,}"
        return f"{self.help}{extra} ({default}{bounds})"


def _parameters(*declared: Parameter) -> dict[str, Parameter]:
    return {parameter.name: parameter for parameter in declared}


#: Every scalar setting of :class:`Config`, declared once (see :class:`Parameter`).
PARAMETERS = _parameters(
    Parameter("model", "mlp", "the network", str, choices=lambda: MODELS),
    Parameter("epochs", 5, "passes over the training set", minimum=1, maximum=MAX_EPOCHS,
              maximum_advice="run longer experiments as several shorter ones"),
    Parameter("batch_size", 64, "minibatch size", minimum=1, none="full batch"),
    Parameter("train_size", None, "train on a fixed subset of this many images", minimum=1,
              none="all training images less the validation images"),
    Parameter("validation_size", VALIDATION_SIZE,
              "images held out of the training set for validation", minimum=1),
    Parameter("schedule", "constant", "learning-rate schedule: constant, "
              "cosine[:warmup=STEPS] or step[:every=EPOCHS,gamma=G]", str),
    Parameter("eval_every", None, "also evaluate on the validation images every this "
              "fraction of an epoch, e.g. 0.1", float, minimum=0, maximum=1,
              minimum_open=True, none="once per epoch", label="eval_every"),
    Parameter("engine", "batched",
              "how runs train: all together, or one after another with exact timing", str,
              choices=lambda: ENGINES),
    Parameter("device", "auto", "where runs train: auto (CUDA when available), cpu or cuda",
              str, pattern=DEVICE_PATTERN, pattern_hint="auto, cpu, cuda or cuda:N (N the "
              "GPU's number)"),
)


def default(name: str) -> Any:
    """The declared default of parameter ``name``."""
    return PARAMETERS[name].default


@dataclass(frozen=True)
class Config:
    """An experiment: every combination of optimizers, presets, learning rates and seeds.

    Parameters
    ----------
    optimizers : tuple of str
        Names from :data:`optguide.optimizers.OPTIMIZERS`.
    presets : tuple of str
        Names from :data:`optguide.optimizers.PRESETS`.
    seeds : tuple of int
        Each seed fixes the initial weights and the minibatch order (shared by all optimizers).
    model : str
        ``"mlp"`` or ``"cnn"``.
    epochs : int
        Passes over the training set.
    batch_size : int or None
        Minibatch size; ``None`` trains full-batch (gradient descent).
    train_size : int or None
        Train on a fixed subset of this many images of the training part (``None``: all
        images not held out for validation, 50,000 by default).
    validation_size : int
        Images held out of the 60,000 training images for validation by a fixed seeded
        permutation (:func:`optguide.data.validation_split`); must be smaller than the
        training images of the data set. Selections read validation metrics only.
    learning_rates : tuple of float or None
        Replace the presets' learning rate by each of these (a sweep); ``None`` keeps it.
    overrides : tuple of (str, value) pairs
        Other hyperparameters set on top of the presets' values, e.g.
        ``(("momentum", 0.9), ("nesterov", True))`` (a mapping is accepted too).
    schedule : str
        Learning-rate schedule of every run, e.g. ``"constant"``, ``"cosine"``,
        ``"cosine:warmup=100"`` or ``"step:every=2,gamma=0.1"`` (:mod:`optguide.schedules`);
        stored in its canonical form.
    eval_every : float or None
        Also evaluate on the validation images every this fraction of an epoch (in
        ``(0, 1]``), recorded as each run's ``trace`` for time-to-target finer than an epoch;
        ``None`` (default): once per epoch only.
    trace_test : bool
        With ``eval_every``, also evaluate the test images at every trace point (``test_loss``
        and ``test_accuracy`` in the trace: a reported metric after a given number of
        updates); off by default (each point then costs a second evaluation).
    engine : str
        ``"batched"`` trains all runs together; ``"sequential"`` one after another with
        exact per-run timing.
    device : str
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda"``.
    """

    optimizers: tuple[str, ...] = tuple(OPTIMIZERS)
    presets: tuple[str, ...] = ("pytorch",)
    seeds: tuple[int, ...] = (0,)
    model: str = default("model")
    epochs: int = default("epochs")
    batch_size: int | None = default("batch_size")
    train_size: int | None = default("train_size")
    validation_size: int = default("validation_size")
    learning_rates: tuple[float, ...] | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    schedule: str = default("schedule")
    eval_every: float | None = default("eval_every")
    trace_test: bool = False
    engine: str = default("engine")
    device: str = default("device")

    def __post_init__(self) -> None:
        for name in ("optimizers", "presets", "seeds", "learning_rates"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif isinstance(value, (list, range)):
                object.__setattr__(self, name, tuple(value))
            elif not isinstance(value, tuple) and not (name == "learning_rates" and value is None):
                raise ConfigError(f"{name.replace('_', ' ')} must be a list or tuple (in "
                                  f"order), got {type(value).__name__} {value!r}")
        if isinstance(self.schedule, Schedule):
            object.__setattr__(self, "schedule", str(self.schedule))
        pairs = self.overrides.items() if isinstance(self.overrides, dict) else self.overrides
        try:
            object.__setattr__(self, "overrides", tuple(sorted((k, v) for k, v in pairs)))
        except (TypeError, ValueError):
            raise ConfigError(f"overrides must be (name, value) pairs, got {self.overrides!r}"
                              ) from None
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ConfigError` for the first invalid field."""
        def fail(message: str) -> None:
            raise ConfigError(message)

        self._check_types(fail)
        if not self.optimizers:
            fail("no optimizers given")
        for name in self.optimizers:
            if name not in OPTIMIZERS:
                fail(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
        if not self.presets:
            fail("no presets given")
        for preset in self.presets:
            if preset not in PRESETS:
                fail(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
        for parameter in PARAMETERS.values():  # declared once: type, bounds, choices
            problem = parameter.problem(getattr(self, parameter.name))
            if problem:
                fail(problem)
        if not self.seeds or not all(isinstance(s, int) and s >= 0 for s in self.seeds):
            fail(f"seeds must be non-negative integers, got {self.seeds!r}")
        for name in ("optimizers", "presets", "seeds"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                fail(f"{name} has duplicates: {values!r}")
        if self.learning_rates is not None:
            if not self.learning_rates or not all(
                    isinstance(lr, (int, float)) and lr > 0 for lr in self.learning_rates):
                fail(f"learning rates must be positive numbers, got {self.learning_rates!r}")
        if not isinstance(self.trace_test, bool):
            fail(f"trace_test must be True or False, got {self.trace_test!r}")
        if self.trace_test and self.eval_every is None:
            fail("trace_test needs eval_every (the trace it adds the test metrics to)")
        try:
            canonical = str(Schedule.parse(self.schedule))
        except ValueError as error:
            fail(str(error))
        if canonical != self.schedule:
            object.__setattr__(self, "schedule", canonical)
        problem = config_problem(self)  # bounds: seeds, learning rates, total work
        if problem:
            fail(problem)
        self._check_overrides(fail)

    def _check_types(self, fail) -> None:
        """Names are strings, counts integers (not flags), rates numbers: before any lookup."""
        for name in ("optimizers", "presets"):
            bad = [v for v in getattr(self, name) if not isinstance(v, str)]
            if bad:
                fail(f"{name} must be names (strings), got {bad[0]!r}")
        if any(isinstance(seed, bool) for seed in self.seeds):
            fail(f"seeds must be non-negative integers, got {self.seeds!r}")
        if self.learning_rates is not None and any(
                isinstance(lr, bool) for lr in self.learning_rates):
            fail(f"learning rates must be positive numbers, got {self.learning_rates!r}")

    def _check_overrides(self, fail) -> None:
        """Every optimizer accepts the overrides (names and values), checked by building it."""
        if not self.overrides:
            return
        if any(not isinstance(k, str) or k == "lr" for k, _ in self.overrides):
            fail(f"overrides must name hyperparameters other than lr (use learning rates), "
                 f"got {self.overrides!r}")
        probe = [torch.zeros(1, requires_grad=True)]
        for preset in self.presets:
            for name in self.optimizers:
                try:
                    OPTIMIZERS[name](probe, **hyperparameters(name, preset,
                                                              **dict(self.overrides)))
                except (TypeError, ValueError) as error:
                    fail(f"overrides {dict(self.overrides)!r} do not fit {name}: {error}")

    def run_specs(self) -> list[RunSpec]:
        """One :class:`~optguide.train.RunSpec` per run: presets x optimizers x rates x seeds."""
        specs = []
        schedule = Schedule.parse(self.schedule)
        for preset in self.presets:
            for name in self.optimizers:
                for lr in self.learning_rates or (None,):
                    overrides = dict(self.overrides)
                    if lr is not None:
                        overrides["lr"] = float(lr)
                    hp = hyperparameters(name, preset, **overrides)
                    specs.extend(RunSpec(name, preset, seed, hp, schedule)
                                 for seed in self.seeds)
        return specs

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON data (tuples as lists, overrides as ``[name, value]``)."""
        values = {key: list(value) if isinstance(value, tuple) else value
                  for key, value in dataclasses.asdict(self).items()}
        values["overrides"] = [list(pair) for pair in self.overrides]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - fields
        if unknown:
            raise ConfigError(f"unknown config fields: {', '.join(sorted(unknown))}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)
