"""Shared machinery of the from-scratch optimizers.

Every optimizer in :mod:`optguide.optimizers` is two things:

* a pure *update function* (for example :func:`optguide.optimizers.adam.adam_update`) that
  changes one parameter tensor and its state in place, written to read like the equations;
* a :class:`torch.optim.Optimizer` subclass whose ``step`` calls that function for every
  parameter.

The update functions accept hyperparameters either as Python numbers (one model) or as
tensors of shape ``[runs, 1]`` (many stacked runs trained together by
:func:`optguide.train.train_batched`), so the same lines of arithmetic drive both. Their
in-place arithmetic goes through :func:`add_scaled_`, :func:`add_product_` and
:func:`add_quotient_`: one fused operation each (``add_``, ``addcmul_``, ``addcdiv_``) when
the coefficient is a number.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

Number = float | torch.Tensor


def coefficient(value: Number, like: torch.Tensor) -> Number:
    """Return ``value`` ready to multiply ``like``: numbers pass, tensors take its dtype."""
    if isinstance(value, torch.Tensor):
        return value.to(like.dtype)
    return value


def add_scaled_(target: torch.Tensor, tensor: torch.Tensor, value: Number) -> torch.Tensor:
    """``target += value * tensor`` in place; returns ``target``."""
    if isinstance(value, torch.Tensor):
        return target.addcmul_(tensor, value.to(target.dtype))
    return target.add_(tensor, alpha=value)


def add_product_(target: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
                 value: Number = 1.0) -> torch.Tensor:
    """``target += value * a * b`` in place; returns ``target``."""
    if isinstance(value, torch.Tensor):
        return target.addcmul_(a, b * value.to(target.dtype))
    return target.addcmul_(a, b, value=value)


def add_quotient_(target: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
                  value: Number = 1.0) -> torch.Tensor:
    """``target += value * a / b`` in place; returns ``target``."""
    if isinstance(value, torch.Tensor):
        return target.addcdiv_(a * value.to(target.dtype), b)
    return target.addcdiv_(a, b, value=value)


def is_nonzero(value: Number) -> bool:
    """``True`` unless ``value`` is the number 0 (a tensor of hyperparameters counts as nonzero)."""
    return isinstance(value, torch.Tensor) or value != 0


def sqrt(value: Number) -> Number:
    """Square root of a number or a tensor of per-run coefficients."""
    return value.sqrt() if isinstance(value, torch.Tensor) else math.sqrt(value)


def check_range(name: str, value: Any, low: float = 0.0, high: float | None = None,
                include_high: bool = False) -> None:
    """Raise :class:`ValueError` unless ``low <= value`` (and ``value < high``) holds.

    NaN fails every comparison, so it is rejected too.
    """
    if isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a number, got a tensor")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r} is not a number") from None
    if not low <= number:
        raise ValueError(f"Invalid {name}: {value} (must be >= {low})")
    if high is not None:
        ok = number <= high if include_high else number < high
        if not ok:
            bound = f"<= {high}" if include_high else f"< {high}"
            raise ValueError(f"Invalid {name}: {value} (must be {bound})")


@functools.cache
def _keyword_names(function: Callable[..., None]) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)


class FromScratchOptimizer(torch.optim.Optimizer):
    """Base class: loop over parameters and apply the subclass' update function.

    Subclasses set ``update_function`` (the pure update of one tensor) and define
    :meth:`init_state` (the state of one parameter before its first step). Both also work on
    stacked runs, where ``group`` holds ``[runs, 1]`` tensors instead of numbers.
    """

    update_function: Callable[..., None]

    @classmethod
    def stacked(cls, param: torch.Tensor, runs: Sequence[Mapping[str, Any]],
                dim: int = 0) -> FromScratchOptimizer:
        """One optimizer for many independent runs stacked along ``dim`` of ``param``.

        Slice ``i`` of ``param`` along ``dim`` is run ``i``, trained with the constructor
        arguments ``runs[i]`` (each validated by the constructor, as for a single run). An
        argument equal in all runs stays a plain number (the update functions' fused path);
        the others become float64 tensors of shape ``[runs, 1, ..., 1]`` that broadcast along
        ``dim`` (a pair such as Adam's ``betas``: a pair of them). Switches (``bool``
        arguments) must agree, since they change the update's equations.

        Parameters
        ----------
        param : torch.Tensor
            The stacked parameters, a leaf tensor; ``param.shape[dim] == len(runs)``.
        runs : sequence of mapping
            Each run's constructor arguments (missing ones take the class defaults).
        dim : int, default 0
            The dimension of ``param`` that indexes the runs.

        Raises
        ------
        ValueError
            For an invalid argument of any run, switches that differ, or a ``param`` whose
            ``dim`` does not have one slice per run.

        Examples
        --------
        >>> import torch
        >>> from optguide.optimizers import SGD
        >>> points = torch.zeros(3, 2, requires_grad=True)
        >>> sgd = SGD.stacked(points, [{"lr": 0.1}, {"lr": 0.2}, {"lr": 0.3}])
        >>> sgd.param_groups[0]["lr"].shape
        torch.Size([3, 1])
        """
        if not runs:
            raise ValueError("no runs to stack")
        dim = dim % param.dim() if param.dim() else 0
        if param.dim() == 0 or param.shape[dim] != len(runs):
            raise ValueError(f"param has shape {tuple(param.shape)}, not {len(runs)} runs "
                             f"along dimension {dim}")
        probe = torch.zeros(1)
        full = [cls([probe], **run).defaults for run in runs]
        shape = (len(runs),) + (1,) * (param.dim() - dim - 1)

        def column(values: list[Any]) -> torch.Tensor:
            return torch.tensor(values, dtype=torch.float64, device=param.device).view(shape)

        merged: dict[str, Any] = {}
        for key, first in full[0].items():
            values = [run[key] for run in full]
            if all(value == first for value in values):
                merged[key] = first
            elif isinstance(first, bool):
                raise ValueError(f"runs differ in the switch {key!r}: stack only runs whose "
                                 f"switches agree")
            elif isinstance(first, tuple):
                merged[key] = tuple(column([v[i] for v in values]) for i in range(len(first)))
            else:
                merged[key] = column([float(v) for v in values])
        optimizer = cls([param], **runs[0])
        optimizer.param_groups[0].update(merged)
        return optimizer

    @classmethod
    def init_state(cls, param: torch.Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """State of ``param`` before its first step."""
        raise NotImplementedError

    @classmethod
    def update_arguments(cls, group: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments of ``update_function`` taken from a parameter group."""
        return {name: group[name] for name in _keyword_names(cls.update_function)
                if name in group}

    def update(self, param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any],
               group: dict[str, Any]) -> None:
        """One step for one parameter: count it, then apply ``update_function``."""
        state["step"] += 1
        type(self).update_function(param, grad, state, **self.update_arguments(group))

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Perform one optimization step.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                state = self.state[param]
                if not state:
                    state.update(self.init_state(param, group))
                grad = -param.grad if group["maximize"] else param.grad
                self.update(param, grad, state, group)
        return loss
