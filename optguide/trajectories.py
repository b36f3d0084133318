"""The paths optimizers take on the 2-D test functions of :mod:`optguide.surfaces`.

:func:`trajectory` runs one optimizer from a start point and returns its path;
:func:`trajectories` runs many (start points, learning rates) at once, and
:func:`best_learning_rate` uses it to tune a method on a surface (on one start or on several
replicates: start points, noise seeds). :func:`escape_time`, :func:`final_distance` and
:func:`log_distance` turn paths into numbers. :func:`single_thread` keeps torch on one
thread, which is faster for tensors this small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from .analysis.scoring import best_of
from .optimizers import build, build_stacked
from .surfaces import Surface

__all__ = [
    "SGD_VARIANTS", "resolve_method", "trajectories", "trajectory", "best_learning_rate",
    "escape_time", "final_distance", "log_distance", "DISTANCE_FLOOR", "single_thread",
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
                 lrs: Sequence[float] | None = None, seeds: Sequence[int] | None = None,
                 **overrides: Any) -> np.ndarray:
    """Paths of several independent runs of one optimizer on ``surface``, computed together.

    The runs differ in their start point, learning rate and/or noise seed. Their coordinates
    are the rows of one float64 tensor ``[runs, 2]`` optimized by
    :func:`optguide.optimizers.build`, or by :func:`optguide.optimizers.build_stacked` when
    the runs have their own learning rates (a ``[runs, 1]`` tensor the from-scratch update
    functions accept). Each step evaluates :math:`f` at every row, backpropagates, adds
    Gaussian noise to the gradients if asked, and calls ``optimizer.step()``. Rows never
    interact: every operation is per row.

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
        Seed of the noise when ``seeds`` is not given: one generator draws every run's noise,
        so two runs of one call with the same start get different noise.
    lrs : sequence of float, optional
        One learning rate per run (replacing the preset's and any ``lr`` override).
    seeds : sequence of int, optional
        One noise seed per run (or one for all): run ``r``'s noise at step ``t`` is the
        ``t``-th pair of :func:`numpy.random.default_rng` ``(seeds[r])``'s standard normal
        draws times ``noise``, whatever else the call holds. Runs with equal seeds therefore
        get equal noise across calls, methods, rates and step counts: the pairing that seed-
        by-seed comparisons need.
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
    noise_seeds = None if seeds is None else np.asarray(seeds, dtype=np.int64).reshape(-1)
    counts = {"start points": len(points)}
    if rates is not None:
        counts["learning rates"] = len(rates)
    if noise_seeds is not None:
        counts["seeds"] = len(noise_seeds)
    runs = max(counts.values())
    if any(count not in (1, runs) for count in counts.values()):
        raise ValueError("got " + " but ".join(f"{n} {what}" for what, n in counts.items()))
    point = torch.tensor(np.broadcast_to(points, (runs, 2)), dtype=torch.float64,
                         requires_grad=True)
    if rates is None:
        optimizer = build(name, [point], preset=preset, **kwargs)
    else:
        optimizer = build_stacked(name, point, [{**kwargs, "lr": float(rate)} for rate in
                                                np.broadcast_to(rates, (runs,))], preset)
    generator = torch.Generator().manual_seed(seed)
    table = None
    if noise and noise_seeds is not None:
        draws = {int(s): np.random.default_rng(int(s)).standard_normal((steps, 2))
                 for s in np.unique(noise_seeds)}
        table = torch.from_numpy(np.stack([draws[int(s)] for s in
                                           np.broadcast_to(noise_seeds, (runs,))]))
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
            if noise and table is not None:
                point.grad.add_(noise * table[:, step - 1])
            elif noise:
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
                       stay_in_window: bool = False, *,
                       starts: Sequence[Sequence[float]] | None = None,
                       seeds: Sequence[int] | None = None, held_out: int = 0,
                       score: Callable[[np.ndarray], float] | None = None,
                       **overrides: Any) -> tuple[float, np.ndarray]:
    """The learning rate of ``lrs`` whose runs score best (end closest to a minimum), and paths.

    A small, fair tuning: every rate of the grid runs for ``steps`` steps on the same
    replicates (together, with :func:`trajectories`) and is scored by the mean over replicates
    of a score per run, by default :math:`\\log_{10}` of the final distance to a minimum
    (:func:`log_distance`: distances below :data:`DISTANCE_FLOOR` count as the floor, so rates
    that all reach the minimum to machine precision tie; a diverged run scores
    :math:`+\\infty`). The lowest mean wins; ties go to the first rate of the grid
    (:func:`~optguide.analysis.scoring.best_of`). A
    replicate is a start point (``starts``) and/or a noise seed (``seeds``); without either,
    the one run from ``start``.

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
        Start point of every run when ``starts`` is not given; ``surface.start`` by default.
    stay_in_window : bool
        Disqualify rates with a run that ever leaves the surface's plotting window
        (``x_range`` by ``y_range``): the winner is then the best *well-behaved* rate, whose
        paths can be drawn. If every rate is disqualified, the first rate of the grid wins.
    starts : sequence of (float, float), optional
        Start points of the replicates.
    seeds : sequence of int, optional
        Noise seeds of the replicates (see :func:`trajectories`; give ``noise`` too).
        ``starts`` and ``seeds`` pair up element by element when both have several entries.
    held_out : int
        How many of the last replicates are held out: they run at every rate alongside the
        others (one call instead of a second one after tuning), the score and
        ``stay_in_window`` ignore them, and their paths at the winning rate are returned with
        the others. The rate is thus chosen on the first replicates and can be reported on
        the held-out ones.
    score : callable, optional
        ``score(path)`` of one run, lower is better, ``inf`` to disqualify the rate; replaces
        the log final distance (for example a log escape time).
    **overrides
        Further hyperparameters and options (``noise``, ``preset``), passed to
        :func:`trajectories`.

    Returns
    -------
    (float, numpy.ndarray)
        The best learning rate and its path ``[steps + 1, 2]``; with ``starts`` or ``seeds``,
        its paths on every replicate, ``[replicates, steps + 1, 2]``.
    """
    grid = np.asarray(lrs, dtype=float).reshape(-1)
    replicated = starts is not None or seeds is not None
    points = np.atleast_2d(np.asarray(
        starts if starts is not None else surface.start if start is None else start,
        dtype=float))
    noise_seeds = None if seeds is None else np.asarray(seeds, dtype=np.int64).reshape(-1)
    count = max(len(points), 1 if noise_seeds is None else len(noise_seeds))
    if len(points) not in (1, count) or (noise_seeds is not None
                                         and len(noise_seeds) not in (1, count)):
        raise ValueError(f"got {len(points)} start points but {len(noise_seeds)} seeds")
    if not 0 <= held_out < count:
        raise ValueError(f"held_out must leave at least one of the {count} replicates to score, "
                         f"got {held_out}")
    points = np.broadcast_to(points, (count, 2))
    paths = trajectories(optimizer_name, surface, np.tile(points, (len(grid), 1)), steps,
                         lrs=np.repeat(grid, count),
                         seeds=None if noise_seeds is None else np.tile(
                             np.broadcast_to(noise_seeds, (count,)), len(grid)),
                         **overrides)
    if score is None:
        def score(path: np.ndarray) -> float:
            return log_distance(final_distance(path, surface))
    scores = np.array([float(score(path)) for path in paths])
    if stay_in_window:
        (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
        x, y = paths[..., 0], paths[..., 1]
        inside = ((x >= x_low) & (x <= x_high) & (y >= y_low) & (y <= y_high)).all(axis=1)
        scores[~inside] = math.inf
    scores = scores.reshape(len(grid), count)[:, :count - held_out].mean(axis=1)
    best = best_of(dict(enumerate(scores.tolist())), higher_better=False)
    winner = paths[best * count:(best + 1) * count]
    return float(grid[best]), winner if replicated else winner[0]


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


#: Distances to a minimum below this count as this when taken on a log scale: float64
#: iterates near a minimum of size one resolve about 1e-16, and an optimizer that got that
#: close has converged.
DISTANCE_FLOOR = 1e-12


def log_distance(distance: float, floor: float = DISTANCE_FLOOR) -> float:
    """:math:`\\log_{10}` of ``distance``, floored at ``floor`` (``inf`` stays ``inf``).

    >>> log_distance(0.01), log_distance(0.0), log_distance(float("inf"))
    (-2.0, -12.0, inf)
    """
    return math.log10(max(distance, floor)) if math.isfinite(distance) else math.inf


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
