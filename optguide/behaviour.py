r"""What an optimizer does, read from its own implementation: the guide pages' behaviour figures.

Three measurements, each run on the from-scratch optimizers of :mod:`optguide.optimizers`:

* :func:`effective_learning_rate` reads, from an optimizer's state, the per-parameter factor
  it multiplies the gradient by; :func:`effective_steps` records it over a long stream of
  noisy gradients on a quadratic (the setting of the effective-learning-rate example).
* :func:`momentum_gain`: how far SGD with momentum moves per step, in units of
  :math:`\eta g`, when the gradient :math:`g` stays the same: it climbs to
  :math:`1 / (1 - \mu)`.
* :func:`valley_paths`: each method's path down a narrow, rotated valley (the 2-D example's
  quadratic), at the rate of one shared grid that ends closest to the minimum: the same
  tuning rule for every method.
* :func:`decay_paths`: how Adam with an L2 term and Adam with decoupled weight decay (AdamW)
  shrink two weights whose gradients differ in size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .optimizers import OPTIMIZERS, build
from .surfaces import Surface, ill_conditioned_quadratic
from .trajectories import best_learning_rate, final_distance, resolve_method, single_thread

__all__ = [
    "effective_learning_rate", "EffectiveSteps", "effective_steps", "momentum_gain",
    "VALLEY", "VALLEY_STEPS", "VALLEY_RATES", "ValleyPath", "valley_paths", "decay_paths",
]


def effective_learning_rate(optimizer: torch.optim.Optimizer, param: torch.Tensor
                            ) -> torch.Tensor:
    r"""The per-coordinate factor ``optimizer`` multiplies the gradient by, read from its state.

    * SGD: :math:`\eta` (with momentum it multiplies the running sum, not the gradient);
    * Adagrad: :math:`\eta / (\sqrt{s_t} + \epsilon)`, :math:`s_t` the running sum
      (``"sum"``);
    * RMSprop: :math:`\eta / (\sqrt{v_t} + \epsilon)`, :math:`v_t` the decaying average
      (``"square_avg"``);
    * Adadelta: :math:`\eta \sqrt{u_t + \epsilon} / \sqrt{v_t + \epsilon}` with the averages
      of squared steps (``"acc_delta"``, after the step: the factor of the *next* step) and of
      squared gradients (``"square_avg"``);
    * Adam: :math:`\eta / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)` (``"exp_avg_sq"``); it
      multiplies the averaged gradient.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        One of :data:`optguide.optimizers.OPTIMIZERS`, after at least one step (SGD: any time).
    param : torch.Tensor
        A parameter of its first group.

    Returns
    -------
    torch.Tensor
        The factor, shaped like ``param``.
    """
    group = optimizer.param_groups[0]
    lr = group["lr"]
    if isinstance(optimizer, OPTIMIZERS["sgd"]):
        return torch.full_like(param, lr)
    state, eps = optimizer.state[param], group["eps"]
    if isinstance(optimizer, OPTIMIZERS["adagrad"]):
        return lr / (state["sum"].sqrt() + eps)
    if isinstance(optimizer, OPTIMIZERS["rmsprop"]):
        return lr / (state["square_avg"].sqrt() + eps)
    if isinstance(optimizer, OPTIMIZERS["adadelta"]):
        return lr * (state["acc_delta"] + eps).sqrt() / (state["square_avg"] + eps).sqrt()
    if isinstance(optimizer, OPTIMIZERS["adam"]):
        bias_correction = 1 - group["betas"][1] ** state["step"]
        return lr / ((state["exp_avg_sq"] / bias_correction).sqrt() + eps)
    raise TypeError(f"no effective learning rate for {type(optimizer).__name__}")


@dataclass(frozen=True)
class EffectiveSteps:
    """What :func:`effective_steps` recorded.

    Attributes
    ----------
    steps : numpy.ndarray
        The recorded steps (1-based), ``[n]``.
    rates : numpy.ndarray
        The effective learning rate after each recorded step, ``[n, dimensions]``.
    loss : numpy.ndarray
        The noise-free loss :math:`f` after each recorded step, ``[n]``.
    """

    steps: np.ndarray
    rates: np.ndarray
    loss: np.ndarray

    def geometric_mean(self) -> np.ndarray:
        """The effective rate's geometric mean over the coordinates, ``[n]``."""
        return np.exp(np.log(self.rates).mean(axis=1))


def noisy_quadratic(dimensions: int = 10, steps: int = 5000, noise: float = 1.0, seed: int = 0
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Curvatures :math:`h_i` (log-spaced, 0.1 to 10) and the gradient noise ``[steps,
    dimensions]`` (standard deviation ``noise``, seeded) of the stream
    :func:`effective_steps` runs on."""
    curvature = torch.logspace(-1, 1, dimensions, dtype=torch.float64)
    draws = noise * torch.randn(steps, dimensions, dtype=torch.float64,
                                generator=torch.Generator().manual_seed(seed))
    return curvature, draws


def effective_steps(method: str, steps: int = 5000, record: Iterable[int] | None = None, *,
                    dimensions: int = 10, noise: float = 1.0, seed: int = 0,
                    preset: str = "pytorch", **overrides: Any) -> EffectiveSteps:
    r"""Run ``method`` on a stream of noisy gradients and record its effective learning rate.

    The loss is :math:`f(\theta) = \frac12 \sum_i h_i \theta_i^2` with curvatures from 0.1 to
    10 (:func:`noisy_quadratic`), from :math:`\theta_i = 1`; every step's gradient is the exact
    one plus Gaussian noise, like a minibatch gradient that never runs dry. The same ``seed``
    gives every method the same noise.

    Parameters
    ----------
    method : str
        An optimizer or a :data:`~optguide.trajectories.SGD_VARIANTS` key.
    steps : int
        Steps to run.
    record : iterable of int, optional
        The 1-based steps to record; by default 120 steps spaced evenly on a log scale.
    dimensions, noise, seed : int, float, int
        The stream (:func:`noisy_quadratic`).
    preset : str
        Defaults preset.
    **overrides
        Hyperparameters replacing the preset's.

    Returns
    -------
    EffectiveSteps
    """
    wanted = (np.unique(np.geomspace(1, steps, 120).astype(int)) if record is None
              else np.unique(np.asarray(list(record), dtype=int)))
    if len(wanted) == 0 or wanted[0] < 1 or wanted[-1] > steps:
        raise ValueError(f"recorded steps must lie in 1 ... {steps}")
    curvature, draws = noisy_quadratic(dimensions, steps, noise, seed)
    name, kwargs = resolve_method(method, **overrides)
    keep = set(wanted.tolist())
    rates, values = [], []
    with single_thread():
        theta = torch.ones(dimensions, dtype=torch.float64, requires_grad=True)
        optimizer = build(name, [theta], preset=preset, **kwargs)
        for step in range(1, steps + 1):
            theta.grad = curvature * theta.detach() + draws[step - 1]
            optimizer.step()
            if step in keep:
                rates.append(effective_learning_rate(optimizer, theta).numpy().copy())
                values.append(float((curvature * theta.detach() ** 2).sum() / 2))
    return EffectiveSteps(wanted, np.array(rates), np.array(values))


def momentum_gain(momentum: float, steps: int = 60, nesterov: bool = False) -> np.ndarray:
    r"""How far SGD with ``momentum`` moves per step under a constant gradient, in units of
    :math:`\eta g`.

    With :math:`g` fixed, the buffer is :math:`b_t = (1 - \mu^t) / (1 - \mu)\, g`, so the step
    climbs from :math:`\eta g` to :math:`\eta g / (1 - \mu)`: at the same learning rate,
    momentum 0.9 moves ten times as far per step as plain SGD once it has built up. Measured
    by stepping :class:`optguide.optimizers.SGD` (dampening 0) on the linear loss
    :math:`f(\theta) = \theta`.

    Parameters
    ----------
    momentum : float
        :math:`\mu \in [0, 1)`.
    steps : int
        Steps to take.
    nesterov : bool
        Nesterov momentum (its step is :math:`g + \mu b_t`: it climbs to the same limit one
        step ahead).

    Returns
    -------
    numpy.ndarray
        ``[steps]``: the length of step ``t`` divided by :math:`\eta g`.
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    lr = 1.0
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = build("sgd", [theta], lr=lr, momentum=momentum, nesterov=nesterov)
    gains = []
    for _ in range(steps):
        before = float(theta.detach())
        theta.grad = torch.ones(1, dtype=torch.float64)
        optimizer.step()
        gains.append((before - float(theta.detach())) / lr)
    return np.array(gains)


#: The valley of the guide pages' path figures: condition number 50, rotated 30 degrees (so no
#: coordinate lines up with it), as in the 2-D trajectories example.
VALLEY: Surface = ill_conditioned_quadratic(condition=50, angle=math.radians(30))
#: Steps of a guide page's path.
VALLEY_STEPS = 100
#: The rates every method's path is tuned over (the 2-D example's grid).
VALLEY_RATES: tuple[float, ...] = tuple(float(r) for r in np.logspace(-4, 1.5, 12))


@dataclass(frozen=True)
class ValleyPath:
    """One method's path down :data:`VALLEY`: its tuned rate, the path, the final distance."""

    method: str
    lr: float
    path: np.ndarray
    distance: float


def valley_paths(methods: Sequence[str], steps: int = VALLEY_STEPS,
                 rates: Sequence[float] = VALLEY_RATES, surface: Surface = VALLEY
                 ) -> dict[str, ValleyPath]:
    """Each method's path on ``surface`` from its start, at the rate of ``rates`` that ends
    closest to the minimum without leaving the plotting window
    (:func:`~optguide.trajectories.best_learning_rate`): one tuning rule for every method.

    Parameters
    ----------
    methods : sequence of str
        Optimizers or :data:`~optguide.trajectories.SGD_VARIANTS` keys.
    steps : int
        Steps per path.
    rates : sequence of float
        The shared grid.
    surface : Surface
        The function (default :data:`VALLEY`).

    Returns
    -------
    dict
        Method -> :class:`ValleyPath`.
    """
    found = {}
    for method in methods:
        lr, path = best_learning_rate(method, surface, rates, steps, stay_in_window=True)
        found[method] = ValleyPath(method, float(lr), path, final_distance(path, surface))
    return found


def decay_paths(decoupled: bool, steps: int = 2000, lr: float = 0.01,
                weight_decay: float = 0.01, sizes: Sequence[float] = (1.0, 0.01)
                ) -> np.ndarray:
    r"""The size of weights that only the decay pulls towards 0, under Adam with an L2 term
    (``decoupled=False``) or with decoupled weight decay (AdamW).

    Every weight starts at 1 and its loss gradient flips sign every step, :math:`+g_i, -g_i,
    \dots` with :math:`g_i` = ``sizes[i]``: gradients of a typical size but no signal, so only
    the decay moves the weight on average. With an L2 term the decay :math:`\lambda\theta`
    joins the gradient and is divided by :math:`\sqrt{\hat v}` like it: a weight with small
    gradients is pulled to 0 at nearly the full step :math:`\eta`, one with large gradients at
    :math:`\eta\lambda\theta / g_i`. Decoupled decay shrinks every weight by the same factor
    :math:`1 - \eta\lambda` per step (:class:`optguide.optimizers.Adam`,
    ``decoupled_weight_decay``; Loshchilov & Hutter 2019, section 2).

    Parameters
    ----------
    decoupled : bool
        AdamW's decay (True) or the L2 term (False).
    steps, lr, weight_decay : int, float, float
        Steps, :math:`\eta` and :math:`\lambda` (the same for both forms).
    sizes : sequence of float
        The gradient size :math:`g_i` of each weight.

    Returns
    -------
    numpy.ndarray
        ``[steps + 1, len(sizes)]``: :math:`|\theta_i|` after each step, the start first.
    """
    size = torch.tensor(list(sizes), dtype=torch.float64)
    theta = torch.ones(len(size), dtype=torch.float64, requires_grad=True)
    optimizer = build("adam", [theta], lr=lr, weight_decay=weight_decay,
                      decoupled_weight_decay=decoupled)
    path = [theta.detach().abs().numpy().copy()]
    with single_thread():
        for step in range(steps):
            theta.grad = size * (1.0 if step % 2 == 0 else -1.0)
            optimizer.step()
            path.append(theta.detach().abs().numpy().copy())
    return np.array(path)
