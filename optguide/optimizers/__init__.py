"""From-scratch optimizers behind the :class:`torch.optim.Optimizer` API, and their presets.

The five classes take the same arguments, defaults and semantics as the ``torch.optim`` class
of the same name (torch 2.14), plus explicit options for Keras' formulas. Two named presets
describe what "default settings" mean in each library:

* ``"pytorch"``: ``torch.optim``'s defaults (the class signatures below);
* ``"keras"``: Keras 3's defaults *and* formulas (epsilon inside the square root for RMSprop
  and Adagrad, "epsilon hat" for Adam).

Everything else in the package, the site and the examples reads defaults from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch

from ._base import FromScratchOptimizer
from .adadelta import Adadelta, adadelta_update
from .adagrad import Adagrad, adagrad_update
from .adam import Adam, AdamW, adam_update
from .rmsprop import RMSprop, rmsprop_update
from .sgd import SGD, sgd_update

__all__ = [
    "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "FromScratchOptimizer",
    "sgd_update", "adagrad_update", "adadelta_update", "rmsprop_update", "adam_update",
    "OPTIMIZERS", "PRESETS", "ADAMW_PRESETS", "hyperparameters", "build", "build_stacked",
]

#: The optimizer classes by the name the CLI, configs and results use.
OPTIMIZERS: dict[str, type[FromScratchOptimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
}

#: The named default presets (preset -> optimizer name -> constructor arguments that differ
#: from the class defaults). ``"pytorch"`` is empty because the classes carry torch.optim's
#: defaults. ``"keras"`` is Keras 3.x (``keras/src/optimizers``): note the learning rates,
#: Adadelta's ``rho``, Adagrad's initial accumulator, and the formula switches.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "pytorch": {name: {} for name in OPTIMIZERS},
    "keras": {
        "sgd": {"lr": 0.01},
        "adagrad": {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7,
                    "eps_inside_sqrt": True},
        "adadelta": {"lr": 1e-3, "rho": 0.95, "eps": 1e-7},
        "rmsprop": {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True},
        "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "eps_hat": True},
    },
}


#: AdamW as each library ships it, written as the ``"adam"`` optimizer's arguments under the
#: same preset (AdamW is Adam with ``decoupled_weight_decay=True``, as in ``torch.optim``, and
#: is not one of the article's five): ``torch.optim.AdamW`` (weight decay 0.01) and Keras 3's
#: ``keras.optimizers.AdamW`` (weight decay 0.004, which Keras also applies as
#: :math:`\theta \leftarrow \theta - \eta\lambda\theta` before the step, with its Adam's epsilon
#: hat 1e-7). ``hyperparameters("adam", preset, **ADAMW_PRESETS[preset])`` gives every argument.
ADAMW_PRESETS: dict[str, dict[str, Any]] = {
    "pytorch": {"weight_decay": 0.01, "decoupled_weight_decay": True},
    "keras": {"weight_decay": 0.004, "decoupled_weight_decay": True},
}


def _choice_error(kind: str, value: str, choices: Iterable[str]) -> ValueError:
    return ValueError(f"unknown {kind} {value!r}; choose from {', '.join(choices)}")


def optimizer_class(name: str) -> type[FromScratchOptimizer]:
    """The optimizer class registered under ``name`` (``ValueError`` if there is none)."""
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise _choice_error("optimizer", name, OPTIMIZERS) from None


def hyperparameters(name: str, preset: str = "pytorch", **overrides: Any) -> dict[str, Any]:
    """All constructor arguments of optimizer ``name`` under ``preset``, with ``overrides``.

    Parameters
    ----------
    name : str
        A key of :data:`OPTIMIZERS`.
    preset : str
        A key of :data:`PRESETS`.
    **overrides
        Arguments that replace the preset's (for example ``lr=0.1``).

    Returns
    -------
    dict
        Every keyword argument of the class, in signature order.

    Examples
    --------
    >>> hyperparameters("adadelta", "keras")["lr"]
    0.001
    >>> hyperparameters("adadelta", "pytorch")["lr"]
    1.0
    """
    cls = optimizer_class(name)
    if preset not in PRESETS:
        raise _choice_error("preset", preset, PRESETS)
    parameters = inspect.signature(cls.__init__).parameters
    values = {key: p.default for key, p in parameters.items()
              if p.default is not inspect.Parameter.empty}
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise ValueError(f"{name} has no hyperparameter {', '.join(unknown)}; "
                         f"it takes {', '.join(values)}")
    values.update(PRESETS[preset][name])
    values.update(overrides)
    return values


def build(name: str, params: Iterable[torch.Tensor] | Iterable[dict], preset: str = "pytorch",
          **overrides: Any) -> FromScratchOptimizer:
    """Construct optimizer ``name`` for ``params`` with the ``preset``'s defaults.

    >>> import torch
    >>> w = torch.zeros(3, requires_grad=True)
    >>> build("rmsprop", [w], preset="keras").defaults["eps_inside_sqrt"]
    True
    """
    return optimizer_class(name)(params, **hyperparameters(name, preset, **overrides))


def build_stacked(name: str, param: torch.Tensor, runs: Sequence[Mapping[str, Any]],
                  preset: str = "pytorch", dim: int = 0) -> FromScratchOptimizer:
    """One optimizer ``name`` for independent runs stacked along ``dim`` of ``param``.

    Run ``i`` takes the ``preset``'s defaults with ``runs[i]``'s overrides; see
    :meth:`FromScratchOptimizer.stacked` for how they are stacked and validated.

    >>> import torch
    >>> points = torch.zeros(2, 2, requires_grad=True)
    >>> adam = build_stacked("adam", points, [{"lr": 0.1}, {"lr": 0.01}], preset="keras")
    >>> adam.param_groups[0]["lr"].flatten().tolist(), adam.param_groups[0]["eps"]
    ([0.1, 0.01], 1e-07)
    """
    return optimizer_class(name).stacked(
        param, [hyperparameters(name, preset, **run) for run in runs], dim)
