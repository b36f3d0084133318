"""The guide pages' behaviour measurements read the from-scratch optimizers' own state."""

import numpy as np
import pytest
import torch

from optguide.behaviour import (
    VALLEY,
    VALLEY_RATES,
    effective_learning_rate,
    effective_steps,
    momentum_gain,
    noisy_quadratic,
    valley_paths,
)
from optguide.optimizers import build
from optguide.trajectories import best_learning_rate


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_momentum_gain_follows_the_geometric_series(momentum):
    gain = momentum_gain(momentum, 40)
    expected = (1 - momentum ** np.arange(1, 41)) / (1 - momentum)
    assert np.allclose(gain, expected)


def test_nesterov_reaches_the_same_limit_one_step_ahead():
    gain = momentum_gain(0.9, 200, nesterov=True)
    assert gain[0] == pytest.approx(1.9) and gain[-1] == pytest.approx(10.0)


def test_momentum_gain_rejects_a_momentum_of_one():
    with pytest.raises(ValueError, match="momentum"):
        momentum_gain(1.0)


def test_adagrad_effective_rate_is_lr_over_the_root_of_the_sum():
    theta = torch.ones(3, dtype=torch.float64, requires_grad=True)
    optimizer = build("adagrad", [theta], lr=0.1)
    grads = torch.tensor([[1.0, 2.0, 0.5], [3.0, -1.0, 0.5]], dtype=torch.float64)
    for grad in grads:
        theta.grad = grad.clone()
        optimizer.step()
    expected = 0.1 / ((grads ** 2).sum(0).sqrt() + optimizer.param_groups[0]["eps"])
    assert torch.allclose(effective_learning_rate(optimizer, theta), expected)


def test_sgd_effective_rate_is_its_learning_rate():
    theta = torch.zeros(2, requires_grad=True)
    assert torch.equal(effective_learning_rate(build("sgd", [theta], lr=0.3), theta),
                       torch.full((2,), 0.3))


def test_adagrad_steps_shrink_and_rmsprop_steps_hold_on_the_noisy_stream():
    adagrad = effective_steps("adagrad", 2000, [100, 2000]).geometric_mean()
    rmsprop = effective_steps("rmsprop", 2000, [100, 2000]).geometric_mean()
    assert adagrad[1] / adagrad[0] < 0.5 < rmsprop[1] / rmsprop[0] < 2


def test_effective_steps_records_the_steps_asked_for_on_one_noise_stream():
    stream = effective_steps("adam", 50, [50, 1, 10])
    assert stream.steps.tolist() == [1, 10, 50]
    assert stream.rates.shape == (3, 10) and stream.loss.shape == (3,)
    again = effective_steps("adam", 50, [1, 10, 50])
    assert np.array_equal(stream.rates, again.rates)
    curvature, noise = noisy_quadratic(10, 50)
    assert curvature[0] == pytest.approx(0.1) and curvature[-1] == pytest.approx(10.0)
    assert noise.shape == (50, 10)
    with pytest.raises(ValueError, match="recorded steps"):
        effective_steps("adam", 50, [51])


def test_valley_paths_tune_every_method_by_the_same_rule():
    found = valley_paths(["sgd", "adam"], steps=20)
    for method, path in found.items():
        lr, expected = best_learning_rate(method, VALLEY, VALLEY_RATES, 20, stay_in_window=True)
        assert path.lr == lr and np.array_equal(path.path, expected, equal_nan=True)
        assert path.path.shape == (21, 2) and path.distance >= 0


def test_l2_in_adam_pulls_quiet_weights_harder_while_decoupled_decay_shrinks_all_alike():
    from optguide.behaviour import decay_paths

    l2, decoupled = decay_paths(False, 500), decay_paths(True, 500)
    assert l2.shape == decoupled.shape == (501, 2)
    assert l2[-1, 1] < 0.05 < 0.5 < l2[-1, 0]
    assert decoupled[-1, 0] == pytest.approx(decoupled[-1, 1], abs=1e-6)
    assert decoupled[-1, 0] == pytest.approx((1 - 0.01 * 0.01) ** 500, rel=0.03)
