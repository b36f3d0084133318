"""Two-dimensional test functions for optimizers.

Each surface is a differentiable function :math:`f(x, y)` written with torch operations, so
the optimizers of :mod:`optguide.optimizers` can descend it through autograd, plus what a
figure needs: its minima, a default start, a plotting window and log-spaced contour levels.

* :func:`rosenbrock`: a curved, flat-bottomed valley;
* :func:`beale`: flat plateaus and steep walls;
* :func:`saddle`: a saddle point at the origin between two minima;
* :func:`ill_conditioned_quadratic`: an elongated bowl with a chosen condition number.

:mod:`optguide.trajectories` runs the optimizers on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

__all__ = ["Surface", "rosenbrock", "beale", "saddle", "ill_conditioned_quadratic", "SURFACES"]

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
