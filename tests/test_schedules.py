"""Learning-rate schedules: equal to torch.optim.lr_scheduler stepped per iteration, in both
engines."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from optguide import data, optimizers
from optguide.compare import Config, ConfigError
from optguide.executor import Placement
from optguide.models import build_model
from optguide.schedules import CONSTANT, Schedule, multipliers
from optguide.train import RunSpec, TrainingData, steps_per_epoch, train_batched, train_sequential

LR = 0.1


def torch_learning_rates(make_scheduler, total: int) -> list[float]:
    """The learning rate of every step under a torch scheduler stepped after every step."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=LR)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        param.grad = torch.zeros(1)
        optimizer.step()
        scheduler.step()
    return rates


def ours(text: str, steps: int, epochs: int) -> list[float]:
    return [LR * m for m in multipliers(Schedule.parse(text), steps, epochs)]


def test_cosine_equals_cosine_annealing_lr():
    steps, epochs = 7, 3
    expected = torch_learning_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=steps * epochs), steps * epochs)
    assert ours("cosine", steps, epochs) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_cosine_warm_up_equals_lambda_lr_then_cosine_annealing():
    steps, epochs, warmup = 5, 4, 6
    total = steps * epochs
    expected = torch_learning_rates(lambda o: torch.optim.lr_scheduler.LambdaLR(
        o, lambda t: (t + 1) / warmup), warmup)
    expected += torch_learning_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=total - warmup), total - warmup)
    assert ours(f"cosine:warmup={warmup}", steps, epochs) == pytest.approx(expected, rel=1e-9,
                                                                           abs=1e-12)


def test_step_equals_step_lr():
    steps, epochs = 4, 5
    expected = torch_learning_rates(lambda o: torch.optim.lr_scheduler.StepLR(
        o, step_size=2 * steps, gamma=0.5), steps * epochs)
    assert ours("step:every=2,gamma=0.5", steps, epochs) == pytest.approx(expected, rel=1e-12)
    assert ours("constant", steps, epochs) == [LR] * steps * epochs


@pytest.mark.parametrize("text,canonical", [
    ("constant", "constant"), ("cosine", "cosine"), ("cosine:warmup=0", "cosine"),
    (" cosine : warmup = 100 ", "cosine:warmup=100"), ("step", "step:every=1,gamma=0.1"),
    ("step:gamma=0.5,every=3", "step:every=3,gamma=0.5"),
])
def test_schedules_parse_to_a_canonical_string(text, canonical):
    assert str(Schedule.parse(text)) == canonical
    assert Schedule.parse(canonical) == Schedule.parse(text)
    assert Config(schedule=text).schedule == canonical


@pytest.mark.parametrize("text,match", [
    ("linear", "unknown schedule 'linear'"), ("cosine:every=2", "bad option"),
    ("cosine:warmup=x", "must be an integer"), ("step:gamma=2", "gamma must be in"),
    ("step:every=0", "must be an integer >= 1"), ("cosine:warmup", "bad option"),
])
def test_bad_schedules_are_config_errors(text, match):
    with pytest.raises(ConfigError, match=match):
        Config(schedule=text)


def test_warm_up_longer_than_training_is_an_error():
    with pytest.raises(ValueError, match="not shorter than the 6 steps"):
        multipliers(Schedule("cosine", warmup=6), 3, 2)


@pytest.fixture
def tiny_data(fake_mnist_dir) -> TrainingData:
    return TrainingData.from_mnist(data.load_mnist(fake_mnist_dir), torch.device("cpu"),
                                   validation_size=128)


def torch_reference(tiny: TrainingData, make_scheduler, *, seed: int, epochs: int,
                    batch_size: int) -> list[float]:
    """Validation loss per epoch of torch.optim.SGD (Nesterov) under a torch scheduler."""
    model = build_model("mlp", seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True)
    scheduler = make_scheduler(optimizer)
    losses = []
    for epoch in range(1, epochs + 1):
        for idx in data.batch_order(tiny.train_size, batch_size, seed, epoch):
            loss = F.cross_entropy(model(tiny.train_x[idx]), tiny.train_y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        with torch.no_grad():
            losses.append(F.cross_entropy(model(tiny.val_x), tiny.val_y).item())
    return losses


@pytest.mark.parametrize("text", ["cosine:warmup=3", "step:every=1,gamma=0.3"])
def test_both_engines_follow_the_torch_scheduler(tiny_data, text):
    epochs, batch_size = 3, 64
    total = steps_per_epoch(tiny_data.train_size, batch_size) * epochs
    schedule = Schedule.parse(text)
    if schedule.kind == "cosine":
        def make(o):
            return torch.optim.lr_scheduler.SequentialLR(o, [
                torch.optim.lr_scheduler.LambdaLR(o, lambda t: (t + 1) / schedule.warmup),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total - schedule.warmup)],
                milestones=[schedule.warmup])
    else:
        def make(o):
            return torch.optim.lr_scheduler.StepLR(
                o, step_size=total // epochs * schedule.every, gamma=schedule.gamma)
    expected = torch_reference(tiny_data, make, seed=1, epochs=epochs, batch_size=batch_size)
    hp = optimizers.hyperparameters("sgd", lr=LR, momentum=0.9, nesterov=True)
    spec = RunSpec("sgd", "pytorch", 1, hp, schedule)
    constant = RunSpec("sgd", "pytorch", 1, hp)
    alone = train_sequential("mlp", spec, tiny_data, epochs=epochs, batch_size=batch_size)
    together = train_batched("mlp", [constant, spec], tiny_data, epochs=epochs,
                             batch_size=batch_size)
    for result in (alone, together[1]):
        assert [e["val_loss"] for e in result.history] == pytest.approx(expected, rel=1e-4)
    unscheduled = train_sequential("mlp", constant, tiny_data, epochs=epochs,
                                   batch_size=batch_size)
    assert together[0].history[-1]["val_loss"] == pytest.approx(
        unscheduled.history[-1]["val_loss"], rel=1e-5)
    assert unscheduled.history[-1]["val_loss"] != pytest.approx(expected[-1], rel=1e-4)


def test_batched_mixes_schedules_and_learning_rates(tiny_data):
    specs = [RunSpec(name, "pytorch", seed, optimizers.hyperparameters(name, lr=lr),
                     Schedule.parse(text))
             for name in ("sgd", "adam") for seed in (0, 1) for lr in (0.01, 0.05)
             for text in ("constant", "cosine:warmup=2", "step:every=1,gamma=0.5")]
    batched = train_batched("mlp", specs, tiny_data, epochs=2, batch_size=50)
    for spec, together in zip(specs, batched):
        alone = train_sequential("mlp", spec, tiny_data, epochs=2, batch_size=50)
        assert together.spec == spec and together.spec.schedule == spec.schedule
        for a, b in zip(together.history, alone.history):
            for key in ("train_loss", "val_loss", "test_loss"):
                assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-5), (spec, key)


def test_a_study_trains_constant_and_cosine_side_by_side(fake_mnist_dir, isolated_cache):
    from optguide.compare import compare

    base = Config(optimizers=("sgd",), epochs=1, batch_size=64, validation_size=128,
                  device="cpu")
    constant, cosine = (compare(base.replace(schedule=s),
                                placement=Placement(data_root=fake_mnist_dir))
                        for s in ("constant", "cosine"))
    assert constant.runs[0].schedule == "constant" and cosine.runs[0].schedule == "cosine"
    assert constant.config["schedule"] == "constant" and cosine.config["schedule"] == "cosine"
    assert constant.runs[0].final["val_loss"] != cosine.runs[0].final["val_loss"]
    assert RunSpec("sgd", "pytorch", 0, {}).schedule == CONSTANT
