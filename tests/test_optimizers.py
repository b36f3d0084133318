"""The from-scratch optimizers equal torch.optim, and the Keras variants equal Keras' rules."""

from __future__ import annotations

import copy
import inspect
import itertools
import math

import numpy as np
import pytest
import torch

from optguide import optimizers as opt

STEPS = 200


def small_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(),
                               torch.nn.Linear(5, 3)).double()


def loss_at(model: torch.nn.Module, step: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1000 + step)
    x = torch.randn(16, 6, generator=generator, dtype=torch.float64)
    y = torch.randint(0, 3, (16,), generator=generator)
    return torch.nn.functional.cross_entropy(model(x), y)


def run(model: torch.nn.Module, optimizer: torch.optim.Optimizer, steps: range) -> None:
    for step in steps:
        optimizer.zero_grad()
        loss_at(model, step).backward()
        optimizer.step()


def grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*axes.values())]


CASES = (
    [("sgd", kw) for kw in grid(lr=[0.05], momentum=[0.0, 0.9], dampening=[0.0, 0.3],
                                weight_decay=[0.0, 1e-2], maximize=[False, True])
     if not (kw["momentum"] == 0 and kw["dampening"])]
    + [("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=wd)) for wd in (0, 1e-2)]
    + [("adagrad", kw) for kw in grid(lr=[0.05], lr_decay=[0.0, 0.01], weight_decay=[0.0, 1e-2],
                                      initial_accumulator_value=[0.0, 0.1], maximize=[False, True])]
    + [("adadelta", kw) for kw in grid(lr=[1.0, 0.5], rho=[0.9, 0.95], weight_decay=[0.0, 1e-2],
                                       maximize=[False, True])]
    + [("adam", kw) for kw in grid(lr=[0.01], weight_decay=[0.0, 0.1], amsgrad=[False, True],
                                   maximize=[False, True], decoupled_weight_decay=[True])]
    + [("rmsprop", kw) for kw in grid(lr=[0.01], alpha=[0.99, 0.9], momentum=[0.0, 0.9],
                                      centered=[False, True], weight_decay=[0.0, 1e-2],
                                      maximize=[False, True])]
    + [("adam", kw) for kw in grid(lr=[0.01], betas=[(0.9, 0.999), (0.8, 0.99)],
                                   weight_decay=[0.0, 1e-2], amsgrad=[False, True],
                                   maximize=[False, True])]
)

TORCH = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
         "adadelta": torch.optim.Adadelta, "rmsprop": torch.optim.RMSprop,
         "adam": torch.optim.Adam}


def assert_same_parameters(a: torch.nn.Module, b: torch.nn.Module, rtol: float = 1e-10) -> None:
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES, ids=lambda v: str(v))
def test_matches_torch_optim(name, kwargs):
    ours_model, torch_model = small_model(), small_model()
    ours = opt.OPTIMIZERS[name](ours_model.parameters(), **kwargs)
    reference = TORCH[name](torch_model.parameters(), foreach=False, **kwargs)
    run(ours_model, ours, range(STEPS))
    run(torch_model, reference, range(STEPS))
    assert_same_parameters(ours_model, torch_model)
    initial = small_model()
    moved = max((p - q).abs().max().item()
                for p, q in zip(ours_model.parameters(), initial.parameters()))
    assert moved > 1e-3, "the optimizer did not move the parameters"


@pytest.mark.parametrize("kwargs", grid(lr=[0.01], weight_decay=[0.01, 0.1],
                                        amsgrad=[False, True], maximize=[False, True]),
                         ids=str)
def test_adamw_matches_torch_optim_adamw(kwargs):
    ours_model, torch_model = small_model(), small_model()
    run(ours_model, opt.AdamW(ours_model.parameters(), **kwargs), range(STEPS))
    run(torch_model, torch.optim.AdamW(torch_model.parameters(), foreach=False, **kwargs),
        range(STEPS))
    assert_same_parameters(ours_model, torch_model)


def test_adamw_defaults_equal_torch_optim_adamw_and_differ_from_l2_adam():
    ours = inspect.signature(opt.AdamW.__init__).parameters
    theirs = inspect.signature(torch.optim.AdamW.__init__).parameters
    for key, parameter in ours.items():
        if key not in ("self", "params", "eps_hat"):
            assert theirs[key].default == parameter.default, key
    w = torch.zeros(2, requires_grad=True)
    assert opt.AdamW([w]).defaults["decoupled_weight_decay"] is True
    assert opt.Adam([w]).defaults["decoupled_weight_decay"] is False
    # At a zero gradient, decoupled decay shrinks the weight by lr * lambda; an L2 penalty is
    # the whole gradient, which Adam's first step normalises to a step of lr.
    decoupled, coupled = (torch.ones(1, requires_grad=True) for _ in range(2))
    steps = [opt.AdamW([decoupled], lr=0.1, weight_decay=0.5),
             opt.Adam([coupled], lr=0.1, weight_decay=0.5)]
    for w, optimizer in zip((decoupled, coupled), steps):
        w.grad = torch.zeros(1)
        optimizer.step()
    assert decoupled.item() == pytest.approx(1 - 0.1 * 0.5)
    assert coupled.item() == pytest.approx(1 - 0.1, rel=1e-6)


@pytest.mark.parametrize("name", list(opt.OPTIMIZERS))
def test_defaults_equal_torch_optim(name):
    ours = inspect.signature(opt.OPTIMIZERS[name].__init__).parameters
    theirs = inspect.signature(TORCH[name].__init__).parameters
    for key, parameter in ours.items():
        if key in ("self", "params", "eps_inside_sqrt", "eps_hat"):
            continue
        assert theirs[key].default == parameter.default, key


@pytest.mark.parametrize("name", list(opt.OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    kwargs = {"sgd": dict(lr=0.05, momentum=0.9), "rmsprop": dict(centered=True, momentum=0.5),
              "adam": dict(amsgrad=True)}.get(name, {})
    straight_model = small_model()
    straight = opt.OPTIMIZERS[name](straight_model.parameters(), **kwargs)
    run(straight_model, straight, range(100))

    first_model = small_model()
    first = opt.OPTIMIZERS[name](first_model.parameters(), **kwargs)
    run(first_model, first, range(50))
    saved_model, saved_state = copy.deepcopy(first_model.state_dict()), first.state_dict()
    resumed_model = small_model()
    resumed_model.load_state_dict(saved_model)
    resumed = opt.OPTIMIZERS[name](resumed_model.parameters(), **kwargs)
    resumed.load_state_dict(saved_state)
    run(resumed_model, resumed, range(50, 100))
    assert_same_parameters(resumed_model, straight_model, rtol=0)


INVALID = [
    ("sgd", dict(lr=-0.1)), ("sgd", dict(lr=math.nan)), ("sgd", dict(nesterov=True)),
    ("sgd", dict(momentum=0.9, dampening=0.1, nesterov=True)), ("sgd", dict(momentum=-1)),
    ("adam", dict(betas=(1.0, 0.999))), ("adam", dict(betas=(0.9, -0.1))),
    ("adam", dict(eps=-1e-8)), ("adam", dict(lr=math.nan)), ("adadelta", dict(rho=1.5)),
    ("adadelta", dict(rho=-0.1)), ("rmsprop", dict(alpha=1.0)), ("adagrad", dict(eps=-1.0)),
    ("adagrad", dict(lr="fast")),
]


@pytest.mark.parametrize("name,kwargs", INVALID, ids=lambda v: str(v))
def test_invalid_hyperparameters_raise_value_error(name, kwargs):
    with pytest.raises(ValueError, match="Invalid|Nesterov"):
        opt.OPTIMIZERS[name]([torch.zeros(2, requires_grad=True)], **kwargs)


# --- Keras 3: direct NumPy transcriptions of keras/src/optimizers/*.py update_step -------------

def keras_sgd(w, grads, lr=0.01, momentum=0.0, nesterov=False):
    m = np.zeros_like(w)
    for g in grads:
        if momentum:
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if nesterov else m)
        else:
            w = w - lr * g
    return w


def keras_adagrad(w, grads, lr=1e-3, initial_accumulator_value=0.1, epsilon=1e-7):
    acc = np.full_like(w, initial_accumulator_value)
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + epsilon)
    return w


def keras_adadelta(w, grads, lr=1e-3, rho=0.95, epsilon=1e-7):
    acc_grad, acc_delta = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        acc_grad = rho * acc_grad + (1 - rho) * g * g
        delta = -np.sqrt(acc_delta + epsilon) * g / np.sqrt(acc_grad + epsilon)
        acc_delta = rho * acc_delta + (1 - rho) * delta * delta
        w = w + lr * delta
    return w


def keras_rmsprop(w, grads, lr=1e-3, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    velocity, avg_grad, mom = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        velocity = rho * velocity + (1 - rho) * g * g
        if centered:
            avg_grad = rho * avg_grad + (1 - rho) * g
            denominator = velocity - avg_grad * avg_grad + epsilon
        else:
            denominator = velocity + epsilon
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            mom = momentum * mom + increment
            w = w - mom
        else:
            w = w - increment
    return w


def keras_adam(w, grads, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m, v, v_hat = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for step, g in enumerate(grads, start=1):
        alpha = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        if amsgrad:
            v_hat = np.maximum(v_hat, v)
            w = w - alpha * m / (np.sqrt(v_hat) + epsilon)
        else:
            w = w - alpha * m / (np.sqrt(v) + epsilon)
    return w


def keras_adamw(w, grads, lr=1e-3, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                epsilon=1e-7):
    # keras/src/optimizers/base_optimizer.py applies the decay before Adam's update_step:
    # variable -= variable * weight_decay * lr.
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step, g in enumerate(grads, start=1):
        w = w - w * weight_decay * lr
        alpha = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        w = w - alpha * m / (np.sqrt(v) + epsilon)
    return w


def quadratic_gradients(w: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return scale * w + np.cos(3 * w)


KERAS = [
    ("sgd", keras_sgd, {}, {}),
    ("sgd", keras_sgd, dict(momentum=0.9), dict(momentum=0.9)),
    ("sgd", keras_sgd, dict(momentum=0.9, nesterov=True), dict(momentum=0.9, nesterov=True)),
    ("adagrad", keras_adagrad, {}, {}),
    ("adadelta", keras_adadelta, {}, {}),
    ("rmsprop", keras_rmsprop, {}, {}),
    ("rmsprop", keras_rmsprop, dict(centered=True, momentum=0.9),
     dict(centered=True, momentum=0.9)),
    ("adam", keras_adam, {}, {}),
    ("adam", keras_adam, dict(amsgrad=True), dict(amsgrad=True)),
    ("adam", keras_adamw, opt.ADAMW_PRESETS["keras"], {}),
    ("adam", keras_adamw, dict(opt.ADAMW_PRESETS["keras"], weight_decay=0.5, lr=0.01),
     dict(weight_decay=0.5, lr=0.01)),
]


@pytest.mark.parametrize("name,reference,ours_kwargs,keras_kwargs", KERAS,
                         ids=[f"{k[0]}-{i}" for i, k in enumerate(KERAS)])
def test_keras_preset_matches_keras_update_rules(name, reference, ours_kwargs, keras_kwargs):
    rng = np.random.default_rng(0)
    w0, scale = rng.normal(size=20), rng.uniform(0.1, 10, size=20)
    # Replay the gradients our optimizer saw through the NumPy transcription.
    w = torch.tensor(w0, requires_grad=True)
    optimizer = opt.build(name, [w], preset="keras", **ours_kwargs)
    seen = []
    for _ in range(STEPS):
        g = quadratic_gradients(w.detach().numpy(), scale)
        seen.append(g)
        w.grad = torch.tensor(g)
        optimizer.step()
    expected = reference(w0.copy(), seen, **keras_kwargs)
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-10, atol=1e-13)
    assert np.abs(expected - w0).max() > 1e-4


def test_presets_differ_where_the_libraries_do():
    assert opt.hyperparameters("adadelta", "keras")["lr"] == 1e-3
    assert opt.hyperparameters("adadelta", "pytorch")["lr"] == 1.0
    assert opt.hyperparameters("rmsprop", "keras")["eps_inside_sqrt"] is True
    assert opt.hyperparameters("adam", "keras")["eps_hat"] is True


def test_unknown_names_are_rejected_with_choices():
    with pytest.raises(ValueError, match="choose from sgd"):
        opt.hyperparameters("lamb")
    with pytest.raises(ValueError, match="unknown preset"):
        opt.hyperparameters("adam", "jax")
    with pytest.raises(ValueError, match="no hyperparameter"):
        opt.hyperparameters("adam", learning_rate=0.1)


@pytest.mark.parametrize("name", [*opt.OPTIMIZERS, "adamw"])
def test_stacked_runs_equal_separate_optimizers(name):
    runs = [{"lr": 0.01, "weight_decay": 0.0}, {"lr": 0.02, "weight_decay": 1e-2},
            {"lr": 0.03, "weight_decay": 0.0}]
    if name == "adam":
        runs = [{**run, "betas": (0.9, 0.99 + 0.001 * i)} for i, run in enumerate(runs)]
    if name == "adamw":  # Adam with decoupled weight decay: the stacked lr * lambda
        name = "adam"
        runs = [{**run, "decoupled_weight_decay": True, "weight_decay": 0.1 * i}
                for i, run in enumerate(runs)]
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(3, 4, 5, dtype=torch.float64, generator=generator)
    stacked = start.clone().requires_grad_()
    together = opt.build_stacked(name, stacked, runs, preset="keras")
    alone = [start[i].clone().requires_grad_() for i in range(3)]
    separate = [opt.build(name, [w], preset="keras", **run) for w, run in zip(alone, runs)]
    for _ in range(20):
        grads = torch.randn(3, 4, 5, dtype=torch.float64, generator=generator)
        stacked.grad = grads.clone()
        together.step()
        for w, optimizer, grad in zip(alone, separate, grads):
            w.grad = grad.clone()
            optimizer.step()
    torch.testing.assert_close(stacked.detach(), torch.stack(alone).detach(), rtol=1e-12,
                               atol=1e-14)
    assert isinstance(together.param_groups[0]["lr"], torch.Tensor)
    assert together.param_groups[0]["lr"].shape == (3, 1, 1)


def test_stacked_along_another_dimension_and_shared_numbers():
    weights = torch.zeros(2, 3, 4, dtype=torch.float64, requires_grad=True)
    sgd = opt.build_stacked("sgd", weights, [{"lr": 0.1}, {"lr": 0.2}, {"lr": 0.3}], dim=1)
    group = sgd.param_groups[0]
    assert group["lr"].shape == (3, 1) and group["momentum"] == 0.0
    weights.grad = torch.ones(2, 3, 4, dtype=torch.float64)
    sgd.step()
    assert weights[:, :, 0].tolist() == [[-0.1, -0.2, -0.3]] * 2


@pytest.mark.parametrize("runs,match", [
    ([{"lr": 0.1}, {"lr": -1.0}], "Invalid learning rate"),
    ([{"amsgrad": True}, {"amsgrad": False}], "switch 'amsgrad'"),
    ([{"lr": 0.1}], "not 1 runs"),
])
def test_stacking_validates_every_run(runs, match):
    with pytest.raises(ValueError, match=match):
        opt.build_stacked("adam", torch.zeros(2, 3, requires_grad=True), runs)
