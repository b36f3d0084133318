"""Two-dimensional test functions, and the paths the optimizers take on them.

Each surface is a differentiable function :math:`f(x, y)` written with torch operations, so
the optimizers of :mod:`optguide.optimizers` can descend it through autograd, plus what a
figure needs: its minima, a default start, a plotting window and log-spaced contour levels.

* :func:`rosenbrock`: a curved, flat-bottomed valley;
* :func:`beale`: flat plateaus and steep walls;
* :func:`saddle`: a saddle point at the origin between two minima;
* :func:`ill_conditioned_quadratic`: an elongated bowl with a chosen condition number.

:func:`trajectory` runs one optimizer from a start point and returns its path;
:func:`trajectories` runs many (start points, learning rates) at once, and
:func:`best_learning_rate` uses it to tune a method on a surface. :func:`escape_time` and
:func:`final_distance` turn paths into numbers. :func:`single_thread` keeps torch on one
thread, which is faster for tensors this small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .optimizers import build

__all__ = [
    "Surface", "rosenbrock", "beale", "saddle", "ill_conditioned_quadratic", "SURFACES",
    "SGD_VARIANTS", "resolve_method", "trajectories", "trajectory", "best_learning_rate",
    "escape_time", "final_distance", "single_thread",
]

Point = tuple[float, float]


@dataclass(frozen=True)
class Surface:
    """A 2-D test function with the facts needed to optimize and draw it.

    Attributes
    ----------
    name : str
        Display name (figure titles).
    function : callable
        ``function(x, y)`` for tensors (or arrays) ``x`` and ``y`` of the same shape, applied
        elementwise with torch/NumPy operators, so it works for one point (autograd) and for a
        whole grid (contour plots).
    minima : tuple of (float, float)
        The global minimizers.
    start : (float, float)
        Default start point of the optimizers.
    x_range, y_range : (float, float)
        A plotting window that contains the start and the minima.
    saddles : tuple of (float, float)
        Saddle points worth marking (may be empty).
    formula : str
        The function in LaTeX, for captions.
    """

    name: str
    function: Callable[[Any, Any], Any]
    minima: tuple[Point, ...]
    start: Point
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    saddles: tuple[Point, ...] = ()
    formula: str = field(default="", compare=False)

    def __call__(self, point: torch.Tensor) -> torch.Tensor:
        """Value at ``point``, a tensor whose last dimension holds ``(x, y)``."""
        return self.function(point[..., 0], point[..., 1])

    def value(self, x: float, y: float) -> float:
        """Value at ``(x, y)`` as a Python float."""
        return float(self.function(torch.tensor(float(x), dtype=torch.float64),
                                   torch.tensor(float(y), dtype=torch.float64)))

    @property
    def minimum_value(self) -> float:
        """:math:`f` at the (first) minimum."""
        return self.value(*self.minima[0])

    def gradient(self, x: float, y: float) -> np.ndarray:
        """:math:`\\nabla f(x, y)` by autograd, as a NumPy array ``[2]``."""
        point = torch.tensor([float(x), float(y)], dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(self(point), point)
        return grad.numpy()

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X, Y, Z`` arrays ``[n, n]`` over the plotting window (for ``contour``)."""
        xs = np.linspace(*self.x_range, n)
        ys = np.linspace(*self.y_range, n)
        X, Y = np.meshgrid(xs, ys)
        with torch.no_grad():
            Z = self.function(torch.from_numpy(X), torch.from_numpy(Y)).numpy()
        return X, Y, Z

    def levels(self, n: int = 25, grid: int = 200) -> np.ndarray:
        """``n`` contour levels spaced evenly on a log scale above the minimum value.

        The levels run from just above :attr:`minimum_value` (the 0.2 % quantile of the
        surface over the window) to its maximum over the window, so both the valley floor and
        the steep walls get contours.

        Parameters
        ----------
        n : int
            Number of levels.
        grid : int
            Resolution of the grid the range is measured on.

        Returns
        -------
        numpy.ndarray
            Increasing levels, ready for ``plt.contour(X, Y, Z, levels=...)``.
        """
        _, _, Z = self.grid(grid)
        height = Z - self.minimum_value
        top = float(np.max(height))
        bottom = max(float(np.quantile(height, 0.002)), top * 1e-9)
        return self.minimum_value + np.geomspace(bottom, top, n)

    def distance_to_minimum(self, point: Sequence[float]) -> float:
        """Euclidean distance from ``point`` to the nearest minimum (``inf`` if not finite)."""
        point = np.asarray(point, dtype=float)
        if not np.all(np.isfinite(point)):
            return math.inf
        return float(min(np.hypot(*(point - np.asarray(m))) for m in self.minima))


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana valley :math:`f = (a - x)^2 + b (y - x^2)^2`.

    The minimum :math:`f(a, a^2) = 0` lies at the end of a long, curved, nearly flat valley:
    finding the valley is easy, following it is hard.
    """

    def function(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    return Surface("Rosenbrock", function, minima=((a, a * a),), start=(-1.2, 1.0),
                   x_range=(-2.0, 2.0), y_range=(-1.0, 3.0),
                   formula=rf"$({a:g} - x)^2 + {b:g} (y - x^2)^2$")


def beale() -> Surface:
    """Beale's function, with plateaus, steep walls and its minimum :math:`f(3, 0.5) = 0`.

    :math:`f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.
    """

    def function(x, y):
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
                + (2.625 - x + x * y**3) ** 2)

    return Surface("Beale", function, minima=((3.0, 0.5),), start=(1.0, 1.4),
                   x_range=(-1.0, 4.0), y_range=(-1.5, 2.0),
                   formula=r"$(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$")


def saddle() -> Surface:
    """A saddle between two minima: :math:`f = x^2 + y^4/4 - y^2/2`.

    The origin is a saddle point (:math:`f = 0`, curvature :math:`+2` along :math:`x`,
    :math:`-1` along :math:`y`); the minima are :math:`(0, \\pm 1)` with :math:`f = -1/4`.
    The quartic term keeps the function bounded below. The default start sits on the
    :math:`x`-axis, a hair (:math:`10^{-6}`) off the ridge that leads into the saddle.
    """

    def function(x, y):
        return x**2 + y**4 / 4 - y**2 / 2

    return Surface("Saddle", function, minima=((0.0, 1.0), (0.0, -1.0)), start=(1.0, 1e-6),
                   x_range=(-1.5, 1.5), y_range=(-1.5, 1.5), saddles=((0.0, 0.0),),
                   formula=r"$x^2 + y^4/4 - y^2/2$")


def ill_conditioned_quadratic(condition: float = 50.0, angle: float = 0.0) -> Surface:
    """An elongated bowl :math:`f = (u^2 + \\kappa v^2) / 2` with condition number :math:`\\kappa`.

    :math:`(u, v)` are :math:`(x, y)` rotated by ``angle`` (radians). With ``angle=0`` the
    long axis is the :math:`x`-axis, which favours methods with one step size per coordinate;
    a rotated bowl takes that advantage away. The minimum is :math:`f(0, 0) = 0`; gradient
    descent needs a learning rate below :math:`2 / \\kappa` to converge. The default start is
    :math:`(u, v) = (-4, 0.5)`, up the steep wall and far along the valley.

    Parameters
    ----------
    condition : float
        :math:`\\kappa \\ge 1`, the ratio of the largest to the smallest curvature.
    angle : float
        Rotation of the bowl's axes, in radians.
    """
    if not condition >= 1:
        raise ValueError(f"condition must be >= 1, got {condition}")
    cos, sin = math.cos(angle), math.sin(angle)

    def function(x, y):
        u = cos * x + sin * y
        v = -sin * x + cos * y
        return (u**2 + condition * v**2) / 2

    def to_xy(u: float, v: float) -> Point:
        return (cos * u - sin * v, sin * u + cos * v)

    start = to_xy(-4.0, 0.5)
    # The window holds the rectangle |u| <= 5, |v| <= 1.5 around the minimum.
    corners = [to_xy(u, v) for u in (-5.0, 5.0) for v in (-1.5, 1.5)]
    half_x = max(abs(x) for x, _ in corners)
    half_y = max(abs(y) for _, y in corners)
    x_range, y_range = (-half_x, half_x), (-half_y, half_y)
    name = f"Quadratic, condition {condition:g}"
    if angle:
        name += f", rotated {math.degrees(angle):g}°"
    return Surface(name, function, minima=((0.0, 0.0),), start=start, x_range=x_range,
                   y_range=y_range, formula=rf"$(u^2 + {condition:g} v^2)/2$")


#: Name -> factory of every surface (called without arguments for the defaults).
SURFACES: dict[str, Callable[..., Surface]] = {
    "rosenbrock": rosenbrock,
    "beale": beale,
    "saddle": saddle,
    "quadratic": ill_conditioned_quadratic,
}

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
    of one float64 tensor ``[runs, 2]`` optimized by :func:`optguide.optimizers.build`; the
    learning rates become a ``[runs, 1]`` tensor in the parameter group, which the
    from-scratch update functions accept (see :mod:`optguide.optimizers._base`). Each step
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
    if rates is not None:
        kwargs["lr"] = float(rates[0])
    point = torch.tensor(np.broadcast_to(points, (runs, 2)), dtype=torch.float64,
                         requires_grad=True)
    optimizer = build(name, [point], preset=preset, **kwargs)
    if rates is not None and runs > 1:
        lr_column = torch.tensor(np.broadcast_to(rates, (runs,)), dtype=torch.float64)
        optimizer.param_groups[0]["lr"] = lr_column[:, None]
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
