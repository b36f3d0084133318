"""The 2-D test functions (optguide.surfaces), and the paths the optimizers take on them
(optguide.trajectories)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from optguide import surfaces
from optguide import trajectories as trajectories_module
from optguide.surfaces import SURFACES, beale, ill_conditioned_quadratic, rosenbrock, saddle
from optguide.trajectories import (
    best_learning_rate,
    escape_time,
    final_distance,
    log_distance,
    resolve_method,
    single_thread,
    trajectories,
    trajectory,
)

POINTS = [(-1.2, 1.0), (0.3, -0.7), (2.0, 0.5), (1.1, 1.3)]


def rosenbrock_gradient(x, y, a=1.0, b=100.0):
    return np.array([-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)])


def beale_gradient(x, y):
    terms = [(1.5, 1), (2.25, 2), (2.625, 3)]
    gx = sum(2 * (c - x + x * y**k) * (y**k - 1) for c, k in terms)
    gy = sum(2 * (c - x + x * y**k) * (k * x * y ** (k - 1)) for c, k in terms)
    return np.array([gx, gy])


def saddle_gradient(x, y):
    return np.array([2 * x, y**3 - y])


def quadratic_gradient(x, y, condition, angle):
    rotation = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    hessian = rotation.T @ np.diag([1.0, condition]) @ rotation
    return hessian @ np.array([x, y])


@pytest.mark.parametrize("point", POINTS)
def test_gradients_match_the_analytic_ones(point):
    x, y = point
    np.testing.assert_allclose(rosenbrock().gradient(x, y), rosenbrock_gradient(x, y))
    np.testing.assert_allclose(rosenbrock(2.0, 10.0).gradient(x, y),
                               rosenbrock_gradient(x, y, 2.0, 10.0))
    np.testing.assert_allclose(beale().gradient(x, y), beale_gradient(x, y))
    np.testing.assert_allclose(saddle().gradient(x, y), saddle_gradient(x, y))
    angle = math.radians(30)
    np.testing.assert_allclose(ill_conditioned_quadratic(20, angle).gradient(x, y),
                               quadratic_gradient(x, y, 20, angle), atol=1e-12)


@pytest.mark.parametrize("surface", [factory() for factory in SURFACES.values()]
                         + [ill_conditioned_quadratic(100, 1.0)], ids=lambda s: s.name)
def test_minima_are_minima(surface):
    rng = np.random.default_rng(0)
    for minimum in surface.minima:
        np.testing.assert_allclose(surface.gradient(*minimum), 0, atol=1e-12)
        value = surface.value(*minimum)
        assert value == pytest.approx(surface.minimum_value)
        for offset in rng.normal(scale=1e-2, size=(20, 2)):
            assert surface.value(*(np.array(minimum) + offset)) > value


@pytest.mark.parametrize("surface", [factory() for factory in SURFACES.values()]
                         + [ill_conditioned_quadratic(50, math.radians(30))],
                         ids=lambda s: s.name)
def test_window_holds_start_and_minima_and_levels_rise(surface):
    for x, y in [surface.start, *surface.minima]:
        assert surface.x_range[0] < x < surface.x_range[1]
        assert surface.y_range[0] < y < surface.y_range[1]
    levels = surface.levels(12)
    assert len(levels) == 12
    assert np.all(np.diff(levels) > 0)
    assert levels[0] > surface.minimum_value
    X, Y, Z = surface.grid(30)
    assert X.shape == Y.shape == Z.shape == (30, 30)
    assert levels[-1] == pytest.approx(Z.max())


def test_saddle_is_a_saddle():
    surface = saddle()
    assert surface.saddles == ((0.0, 0.0),)
    np.testing.assert_allclose(surface.gradient(0.0, 0.0), 0)
    assert surface.value(0.1, 0.0) > 0 > surface.value(0.0, 0.1)
    assert surface.minimum_value == pytest.approx(-0.25)


def test_quadratic_has_the_condition_number_it_was_given():
    surface = ill_conditioned_quadratic(40, 0.3)
    point = torch.zeros(2, dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(surface, point).numpy()
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(40)
    with pytest.raises(ValueError, match="condition"):
        ill_conditioned_quadratic(0.5)


def test_adam_converges_on_the_quadratic():
    surface = ill_conditioned_quadratic(50)
    path = trajectory("adam", surface, steps=2000, lr=0.05)
    assert path.shape == (2001, 2)
    np.testing.assert_array_equal(path[0], surface.start)
    assert final_distance(path, surface) < 1e-3
    assert final_distance(path, surface) < 1e-2 * surface.distance_to_minimum(surface.start)


def test_sgd_variants_and_presets():
    assert resolve_method("momentum") == ("sgd", {"momentum": 0.9})
    assert resolve_method("nesterov", lr=0.1) == ("sgd", {"momentum": 0.9, "nesterov": True,
                                                          "lr": 0.1})
    assert resolve_method("adam", lr=0.1) == ("adam", {"lr": 0.1})
    surface = rosenbrock()
    plain = trajectory("sgd", surface, steps=50, lr=1e-3)
    momentum = trajectory("momentum", surface, steps=50, lr=1e-3)
    assert not np.allclose(plain, momentum)
    np.testing.assert_array_equal(momentum, trajectory("sgd", surface, steps=50, lr=1e-3,
                                                       momentum=0.9))
    keras = trajectory("sgd", surface, steps=5, preset="keras")  # lr 0.01 instead of 1e-3
    np.testing.assert_array_equal(keras, trajectory("sgd", surface, steps=5, lr=0.01))
    with pytest.raises(ValueError, match="unknown optimizer"):
        trajectory("lbfgs", surface, steps=5)


def test_no_noise_is_deterministic_and_noise_follows_the_seed():
    surface = beale()
    np.testing.assert_array_equal(trajectory("rmsprop", surface, steps=100),
                                  trajectory("rmsprop", surface, steps=100))
    noisy = trajectory("sgd", surface, steps=100, lr=0.01, noise=0.5, seed=3)
    np.testing.assert_array_equal(noisy, trajectory("sgd", surface, steps=100, lr=0.01,
                                                    noise=0.5, seed=3))
    assert not np.allclose(noisy, trajectory("sgd", surface, steps=100, lr=0.01, noise=0.5,
                                             seed=4))
    assert not np.allclose(noisy, trajectory("sgd", surface, steps=100, lr=0.01))


def test_per_run_seeds_give_each_run_its_own_noise_whatever_the_call():
    surface = saddle()
    noise, lr = 0.1, 0.05
    paths = trajectories("sgd", surface, [(1.0, 1e-6)], steps=40, lrs=[lr, 2 * lr],
                         seeds=[7, 8], noise=noise)
    # plain SGD: x_{t+1} = x_t - lr (grad f(x_t) + noise_t), so the noise can be read back
    path = paths[0]
    grads = np.array([surface.gradient(*point) for point in path[:-1]])
    drawn = -(path[1:] - path[:-1]) / lr - grads
    expected = noise * np.random.default_rng(7).standard_normal((40, 2))
    np.testing.assert_allclose(drawn, expected, atol=1e-9)
    # the same seed in another call (another rate next to it, fewer steps) draws the same noise
    alone = trajectories("sgd", surface, [(1.0, 1e-6)], steps=25, lrs=[lr, 0.3],
                         seeds=[7, 9], noise=noise)[0]
    np.testing.assert_array_equal(alone, path[:26])
    assert not np.allclose(paths[1], trajectory("sgd", surface, steps=40, lr=2 * lr))
    for name in ("adam", "momentum"):  # one seed for every run: identical runs
        runs = trajectories(name, surface, [(1.0, 1e-6)] * 2, steps=20, lr=0.01, seeds=[3],
                            noise=noise)
        np.testing.assert_array_equal(runs[0], runs[1])
    with pytest.raises(ValueError, match="seeds"):
        trajectories("sgd", surface, [(1.0, 0.0)] * 2, steps=3, seeds=[1, 2, 3], noise=0.1)


def test_log_distance():
    assert log_distance(100.0) == 2.0
    assert log_distance(0.0) == -12.0 and log_distance(1e-15, floor=1e-9) == -9.0
    assert log_distance(math.inf) == math.inf


def test_best_learning_rate_on_several_replicates():
    surface = ill_conditioned_quadratic(10)
    lrs = [1e-3, 0.05, 0.15, 1.0]
    starts = [(-4.0, 0.5), (3.0, -1.0), (-2.0, 2.0)]
    lr, paths = best_learning_rate("sgd", surface, lrs, 50, starts=starts)
    assert paths.shape == (3, 51, 2)
    np.testing.assert_array_equal(paths, trajectories("sgd", surface, starts, 50, lr=lr))
    scores = [np.mean([log_distance(final_distance(p, surface)) for p in
                       trajectories("sgd", surface, starts, 50, lr=rate)]) for rate in lrs]
    assert lr == lrs[int(np.argmin(scores))] == 0.15
    # one replicate in a list: the one-start rule, paths kept per replicate
    one, path = best_learning_rate("sgd", surface, lrs, 50, starts=starts[:1])
    assert one == best_learning_rate("sgd", surface, lrs, 50, start=starts[0])[0]
    assert path.shape == (1, 51, 2)
    # noise seeds as replicates: the winner's paths are the runs with those seeds
    lr, paths = best_learning_rate("sgd", surface, lrs, 30, seeds=[1, 2], noise=0.3)
    assert paths.shape == (2, 31, 2)
    np.testing.assert_array_equal(paths, trajectories("sgd", surface, None, 30, lr=lr,
                                                      seeds=[1, 2], noise=0.3))
    with pytest.raises(ValueError, match="seeds"):
        best_learning_rate("sgd", surface, lrs, 5, starts=starts, seeds=[1, 2])


def test_held_out_replicates_run_but_do_not_choose():
    surface = ill_conditioned_quadratic(10)
    lrs = [1e-3, 0.05, 0.15, 1.0]
    chosen = (-4.0, 0.5)
    far = (400.0, 300.0)  # far out of the window: every rate would be disqualified by it
    lr, paths = best_learning_rate("sgd", surface, lrs, 50, starts=[chosen, far, (1.0, 1.0)],
                                   held_out=2, stay_in_window=True)
    assert lr == best_learning_rate("sgd", surface, lrs, 50, start=chosen,
                                    stay_in_window=True)[0]
    assert paths.shape == (3, 51, 2)
    np.testing.assert_array_equal(paths, trajectories("sgd", surface,
                                                      [chosen, far, (1.0, 1.0)], 50, lr=lr))
    with pytest.raises(ValueError, match="held_out"):
        best_learning_rate("sgd", surface, lrs, 5, starts=[chosen, far], held_out=2)


def test_best_learning_rate_with_another_score():
    surface = saddle()
    lrs = [0.01, 0.1, 0.3, 3.0]

    def escape(path):
        steps = escape_time(path)
        return math.inf if steps is None else float(steps)

    # 3.0 escapes first but flings the point out of the window (and diverges)
    assert best_learning_rate("sgd", surface, lrs, 200, score=escape)[0] == 3.0
    lr, path = best_learning_rate("sgd", surface, lrs, 200, stay_in_window=True, score=escape)
    assert lr == 0.3 and escape_time(path) == min(
        escape_time(p) for p in trajectories("sgd", surface, None, 200, lrs=lrs[1:3]))


def test_divergence_stops_the_path_cleanly():
    surface = rosenbrock()
    path = trajectory("sgd", surface, steps=200, lr=0.1)
    assert path.shape == (201, 2)
    assert not np.isinf(path).any()
    finite = np.isfinite(path).all(axis=1)
    last = int(np.flatnonzero(finite)[-1])
    assert 0 < last < 200
    assert finite[: last + 1].all() and not finite[last + 1:].any()
    assert final_distance(path, surface) == math.inf
    # a start where f is not finite: nothing to record
    start = trajectory("sgd", surface, (math.inf, 0.0), steps=3)
    assert np.isnan(start).all()
    assert escape_time(start) is None


def test_many_runs_equal_single_runs():
    surface = rosenbrock()
    lrs = [1e-4, 1e-3, 0.1]  # the last one diverges
    together = trajectories("sgd", surface, steps=100, lrs=lrs)
    assert together.shape == (3, 101, 2)
    for lr, path in zip(lrs, together):
        np.testing.assert_allclose(path, trajectory("sgd", surface, steps=100, lr=lr),
                                   rtol=1e-12, atol=1e-12)
    starts = [(-1.0, 2.0), (0.5, 0.5)]
    paths = trajectories("adam", surface, starts, steps=30, lr=0.01)
    for start, path in zip(starts, paths):
        np.testing.assert_allclose(path, trajectory("adam", surface, start, 30, lr=0.01))
    with pytest.raises(ValueError, match="learning rates"):
        trajectories("sgd", surface, starts, steps=3, lrs=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="steps"):
        trajectory("sgd", surface, steps=-1)


def test_best_learning_rate():
    surface = ill_conditioned_quadratic(10)
    lrs = [1e-4, 1e-2, 0.15, 1.0]  # 1.0 diverges (above 2 / 10)
    lr, path = best_learning_rate("sgd", surface, lrs, 200)
    assert lr == 0.15
    np.testing.assert_allclose(path, trajectory("sgd", surface, steps=200, lr=0.15))
    # With momentum, 0.01 ends closest after 60 steps but overshoots the minimum to x > 0.5.
    grid = [0.1, 0.003, 0.01]
    assert best_learning_rate("momentum", surface, grid, 60)[0] == 0.01
    narrow = dataclasses.replace(surface, x_range=(-5.0, 0.5))
    assert best_learning_rate("momentum", narrow, grid, 60)[0] == 0.01
    assert best_learning_rate("momentum", narrow, grid, 60, stay_in_window=True)[0] == 0.003
    nowhere = dataclasses.replace(surface, x_range=(-5.0, -1.0))  # every run leaves
    assert best_learning_rate("momentum", nowhere, grid, 60, stay_in_window=True)[0] == 0.1


def test_escape_time():
    path = np.array([[1.0, 1e-6], [0.5, 0.1], [0.2, -0.6], [0.0, -1.0]])
    assert escape_time(path) == 2
    assert escape_time(path, threshold=0.9) == 3
    assert escape_time(path, threshold=2.0) is None
    assert escape_time(path, threshold=0.4, axis=0) == 0


def test_single_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with single_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), single_thread():
        raise RuntimeError
    assert torch.get_num_threads() == before


def test_public_names_exist():
    for module in (surfaces, trajectories_module):
        for name in module.__all__:
            assert hasattr(module, name)
