"""The paths optimizers take on the 2-D test functions of :mod:`optguide.surfaces`.

:func:`trajectory` runs one optimizer from a start point and returns its path;
:func:`trajectories` runs many (start points, learning rates) at once, and
:func:`best_learning_rate` uses it to tune a method on a surface. :func:`escape_time` and
:func:`final_distance` turn paths into numbers. :func:`single_thread` keeps torch on one
thread, which is faster for tensors this small.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from .optimizers import build, build_stacked
from .surfaces import Surface

__all__ = [
    "SGD_VARIANTS", "resolve_method", "trajectories", "trajectory", "best_learning_rate",
    "escape_time", "final_distance", "single_thread",
]


#: The SGD variants the examples compare besides the five optimizers
#: (name -> (optimizer name, overrides)). Momentum 0.9 is the usual choice.
SGD_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}


def resolve_method(name: str, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Optimizer name and overrides for a method: an optimizer or a key of :data:`SGD_VARIANTS`.

    >>> resolve_method("nesterov", lr=0.01)
    ('sgd', {'momentum': 0.9, 'nesterov': True, 'lr': 0.01})
    >>> resolve_method("adam")
    ('adam', {})
    """
    if name in SGD_VARIANTS:
        optimizer, variant = SGD_VARIANTS[name]
        return optimizer, {**variant, **overrides}
    return name, dict(overrides)


def trajectories(optimizer_name: str, surface: Surface,
                 starts: Sequence[float] | Sequence[Sequence[float]] | None = None,
                 steps: int = 500, preset: str = "pytorch", noise: float = 0.0, seed: int = 0,
                 lrs: Sequence[float] | None = None, **overrides: Any) -> np.ndarray:
    """Paths of several independent runs of one optimizer on ``surface``, computed together.

    The runs differ in their start point and/or learning rate. Their coordinates are the rows
    of one float64 tensor ``[runs, 2]`` optimized by :func:`optguide.optimizers.build`, or by
    :func:`optguide.optimizers.build_stacked` when the runs have their own learning rates
    (a ``[runs, 1]`` tensor the from-scratch update functions accept). Each step
    evaluates :math:`f` at every row, backpropagates, adds Gaussian noise to the gradients if
    asked, and calls ``optimizer.step()``. Rows never interact: every operation is per row.

    Parameters
    ----------
    optimizer_name : str
        A key of :data:`optguide.optimizers.OPTIMIZERS` or of :data:`SGD_VARIANTS`
        (``"momentum"``, ``"nesterov"``).
    surface : Surface
        The function to minimize.
    starts : (float, float) or sequence of them, optional
        One start point for every run, or one per run; ``surface.start`` by default.
    steps : int
        Number of optimizer steps.
    preset : str
        Defaults preset (``"pytorch"`` or ``"keras"``).
    noise : float
        Standard deviation of the Gaussian noise added to each gradient coordinate (0: exact
        gradient descent; > 0 imitates the noise of minibatch gradients).
    seed : int
        Seed of the noise.
    lrs : sequence of float, optional
        One learning rate per run (replacing the preset's and any ``lr`` override).
    **overrides
        Hyperparameters replacing the preset's (for example ``momentum=0.9``).

    Returns
    -------
    numpy.ndarray
        ``[runs, steps + 1, 2]``: ``[r, 0]`` is run ``r``'s start, ``[r, t]`` its point
        after step ``t``. Once a run's point or :math:`f` there becomes non-finite
        (divergence), that row and all later rows of the run are NaN: its path stops at the
        last finite point while the other runs go on.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    name, kwargs = resolve_method(optimizer_name, **overrides)
    points = np.atleast_2d(np.asarray(surface.start if starts is None else starts, dtype=float))
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"starts must be one (x, y) pair or a sequence of them, got {starts!r}")
    rates = None if lrs is None else np.asarray(lrs, dtype=float).reshape(-1)
    runs = max(len(points), 1 if rates is None else len(rates))
    if len(points) not in (1, runs) or (rates is not None and len(rates) not in (1, runs)):
        raise ValueError(f"got {len(points)} start points but {len(rates)} learning rates")
    point = torch.tensor(np.broadcast_to(points, (runs, 2)), dtype=torch.float64,
                         requires_grad=True)
    if rates is None:
        optimizer = build(name, [point], preset=preset, **kwargs)
    else:
        optimizer = build_stacked(name, point, [{**kwargs, "lr": float(rate)} for rate in
                                                np.broadcast_to(rates, (runs,))], preset)
    generator = torch.Generator().manual_seed(seed)
    path = np.full((runs, steps + 1, 2), np.nan)
    path[:, 0] = point.detach().numpy()
    alive = np.ones(runs, dtype=bool)
    with single_thread():
        for step in range(1, steps + 2):
            optimizer.zero_grad()
            values = surface(point)
            finite_value = torch.isfinite(values).numpy()
            if not finite_value[alive].all():
                path[alive & ~finite_value, step - 1] = np.nan
                alive &= finite_value
            if step > steps or not alive.any():
                break
            values.sum().backward()
            if noise:
                point.grad.add_(noise * torch.randn(runs, 2, generator=generator,
                                                    dtype=torch.float64))
            optimizer.step()
            current = point.detach().numpy()
            alive &= np.isfinite(current).all(axis=1)
            path[alive, step] = current[alive]
    return path


def trajectory(optimizer_name: str, surface: Surface, start: Sequence[float] | None = None,
               steps: int = 500, preset: str = "pytorch", noise: float = 0.0, seed: int = 0,
               **overrides: Any) -> np.ndarray:
    """The path of one optimizer on ``surface``: every point it visits, start included.

    The two coordinates are one float64 tensor optimized by
    :func:`optguide.optimizers.build`; each step evaluates :math:`f`, backpropagates, adds
    Gaussian noise to the gradient if asked, and calls ``optimizer.step()``.

    Parameters
    ----------
    optimizer_name : str
        A key of :data:`optguide.optimizers.OPTIMIZERS` or of :data:`SGD_VARIANTS`
        (``"momentum"``, ``"nesterov"``).
    surface : Surface
        The function to minimize.
    start : (float, float), optional
        Start point; ``surface.start`` by default.
    steps : int
        Number of optimizer steps.
    preset : str
        Defaults preset (``"pytorch"`` or ``"keras"``).
    noise : float
        Standard deviation of the Gaussian noise added to each gradient coordinate (0: exact
        gradient descent; > 0 imitates the noise of minibatch gradients).
    seed : int
        Seed of the noise.
    **overrides
        Hyperparameters replacing the preset's (for example ``lr=0.01``).

    Returns
    -------
    numpy.ndarray
        ``[steps + 1, 2]``: row 0 is the start, row ``t`` the point after step ``t``. If the
        iterate or :math:`f` becomes non-finite (divergence), that row and all later rows are
        NaN, so the path stops at the last finite point.

    See Also
    --------
    trajectories : many runs (start points, learning rates) at once.
    """
    return trajectories(optimizer_name, surface, None if start is None else [start], steps,
                        preset, noise, seed, **overrides)[0]


def best_learning_rate(optimizer_name: str, surface: Surface, lrs: Sequence[float],
                       steps: int, start: Sequence[float] | None = None,
                       stay_in_window: bool = False, **overrides: Any
                       ) -> tuple[float, np.ndarray]:
    """The learning rate of ``lrs`` whose run ends closest to a minimum, and its path.

    A small, fair tuning: every rate of the grid runs for ``steps`` steps from the same start
    (together, with :func:`trajectories`); ties go to the first rate of the grid.

    Parameters
    ----------
    optimizer_name : str
        As in :func:`trajectory`.
    surface : Surface
        The function to minimize.
    lrs : sequence of float
        The grid of learning rates.
    steps : int
        Steps per run.
    start : (float, float), optional
        Start point; ``surface.start`` by default.
    stay_in_window : bool
        Disqualify runs that ever leave the surface's plotting window (``x_range`` by
        ``y_range``): the winner is then the best *well-behaved* rate, whose path can be drawn.
        If every run leaves, the first rate of the grid wins.
    **overrides
        Further hyperparameters, passed to :func:`trajectories`.

    Returns
    -------
    (float, numpy.ndarray)
        The best learning rate and its path ``[steps + 1, 2]``.
    """
    paths = trajectories(optimizer_name, surface, None if start is None else [start], steps,
                         lrs=lrs, **overrides)
    distances = [final_distance(path, surface) for path in paths]
    if stay_in_window:
        (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
        for r, path in enumerate(paths):
            x, y = path[:, 0], path[:, 1]
            inside = (x >= x_low) & (x <= x_high) & (y >= y_low) & (y <= y_high)
            if not inside.all():
                distances[r] = math.inf
    best = int(np.argmin(distances))
    return float(np.asarray(lrs, dtype=float)[best]), paths[best]


def escape_time(path: np.ndarray, threshold: float = 0.5, axis: int = 1) -> int | None:
    """First step at which the path leaves the band :math:`|\\text{coordinate}| \\le` threshold.

    On :func:`saddle` (``axis=1``), this is the step at which an optimizer has left the
    saddle's ridge for one of the two valleys.

    Parameters
    ----------
    path : numpy.ndarray
        ``[steps + 1, 2]`` from :func:`trajectory`.
    threshold : float
        Half-width of the band.
    axis : int
        0 for :math:`x`, 1 for :math:`y`.

    Returns
    -------
    int or None
        The step index, or ``None`` if the path never left the band (or diverged first).
    """
    outside = np.flatnonzero(np.abs(np.asarray(path)[:, axis]) > threshold)
    return int(outside[0]) if outside.size else None


def final_distance(path: np.ndarray, surface: Surface) -> float:
    """Distance from the path's last point to the nearest minimum (``inf`` if it diverged)."""
    return surface.distance_to_minimum(np.asarray(path)[-1])


@contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the ``with`` block (restored afterwards).

    On tensors of a few hundred numbers, splitting an operation across threads costs more
    than it saves; on a busy machine a multi-threaded matrix product of that size can take
    milliseconds instead of microseconds.

    >>> import torch
    >>> with single_thread():
    ...     torch.get_num_threads()
    1
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
