"""Training engines: batched equals one-by-one, divergence is recorded, runs are reproducible."""

from __future__ import annotations

import math

import pytest
import torch

from optguide import data, optimizers
from optguide.train import (
    RunSpec,
    TrainingData,
    resolve_device,
    trace_steps,
    train_batched,
    train_sequential,
)


@pytest.fixture
def tiny_data(fake_mnist_dir) -> TrainingData:
    return TrainingData.from_mnist(data.load_mnist(fake_mnist_dir), torch.device("cpu"),
                                   validation_size=128)


def specs_for(preset: str, seeds=(0, 1), **overrides) -> list[RunSpec]:
    return [RunSpec(name, preset, seed, optimizers.hyperparameters(name, preset, **overrides))
            for name in optimizers.OPTIMIZERS for seed in seeds]


@pytest.mark.parametrize("model", ["mlp", "cnn"])
@pytest.mark.parametrize("preset", ["pytorch", "keras"])
@pytest.mark.parametrize("seeds", [(0, 1), (3,)], ids=["own batches", "shared batches"])
def test_batched_equals_one_by_one(tiny_data, model, preset, seeds):
    # The stacked convolutions' gradients differ from the ordinary ones in the last bits;
    # Keras' RMSprop (eps 1e-7 inside the root) turns such differences in near-zero gradients
    # into whole steps, so the CNN's runs drift apart a little more than the MLP's.
    tolerance = 1e-5 if model == "mlp" else 1e-3
    specs = specs_for(preset, seeds)
    batched = train_batched(model, specs, tiny_data, epochs=2, batch_size=32)
    for spec, together in zip(specs, batched):
        alone = train_sequential(model, spec, tiny_data, epochs=2, batch_size=32)
        assert together.spec == spec and together.status == alone.status == "ok"
        for a, b in zip(together.history, alone.history):
            assert a["epoch"] == b["epoch"]
            for key in ("train_loss", "val_loss", "test_loss"):
                assert a[key] == pytest.approx(b[key], rel=tolerance, abs=1e-5), (spec, key)
            assert a["val_accuracy"] == b["val_accuracy"], spec
            assert a["test_accuracy"] == b["test_accuracy"], spec


def test_batched_handles_mixed_hyperparameters_and_full_batch(tiny_data):
    specs = [RunSpec("sgd", "pytorch", 0, optimizers.hyperparameters("sgd", lr=lr, momentum=m))
             for lr in (0.01, 0.1) for m in (0.0, 0.9)]
    batched = train_batched("mlp", specs, tiny_data, epochs=3, batch_size=None)
    for spec, together in zip(specs, batched):
        alone = train_sequential("mlp", spec, tiny_data, epochs=3, batch_size=None)
        assert [h["test_accuracy"] for h in together.history] == \
               [h["test_accuracy"] for h in alone.history]
        assert together.history[-1]["train_loss"] == pytest.approx(
            alone.history[-1]["train_loss"], rel=1e-5)


def test_divergence_is_recorded_not_raised(tiny_data):
    exploding = RunSpec("sgd", "pytorch", 0, optimizers.hyperparameters("sgd", lr=1e6))
    fine = RunSpec("adam", "pytorch", 0, optimizers.hyperparameters("adam"))
    for result in (train_sequential("mlp", exploding, tiny_data, epochs=3, batch_size=32),
                   train_batched("mlp", [exploding, fine], tiny_data, epochs=3,
                                 batch_size=32)[0]):
        assert result.status == "diverged"
        assert result.diverged_epoch is not None
        assert len(result.history) == result.diverged_epoch - 1
        assert all(math.isfinite(e["train_loss"]) for e in result.history)
    survivor = train_batched("mlp", [exploding, fine], tiny_data, epochs=3, batch_size=32)[1]
    alone = train_sequential("mlp", fine, tiny_data, epochs=3, batch_size=32)
    assert survivor.status == "ok"
    assert survivor.history[-1]["test_loss"] == pytest.approx(alone.history[-1]["test_loss"],
                                                              rel=1e-5)


def test_same_seed_gives_bit_identical_history(tiny_data):
    specs = specs_for("pytorch", seeds=(3,))
    first = train_batched("mlp", specs, tiny_data, epochs=2, batch_size=16)
    second = train_batched("mlp", specs, tiny_data, epochs=2, batch_size=16)
    strip = [[{k: v for k, v in e.items() if k != "seconds"} for e in r.history] for r in first]
    assert strip == [[{k: v for k, v in e.items() if k != "seconds"} for e in r.history]
                     for r in second]
    alone = [train_sequential("mlp", specs[0], tiny_data, epochs=2, batch_size=16)
             for _ in range(2)]
    assert alone[0].history[-1]["test_loss"] == alone[1].history[-1]["test_loss"]


def test_training_learns_the_generated_data(tiny_data):
    spec = RunSpec("adam", "pytorch", 0, optimizers.hyperparameters("adam", lr=0.01))
    result = train_sequential("mlp", spec, tiny_data, epochs=3, batch_size=32)
    assert result.history[-1]["test_accuracy"] > 0.9
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_seconds_are_recorded(tiny_data):
    result = train_batched("mlp", specs_for("pytorch"), tiny_data, epochs=1, batch_size=64)[0]
    assert result.history[0]["seconds"] > 0


def test_device_resolution():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_batched_on_cuda_matches_cpu(fake_mnist_dir):
    mnist = data.load_mnist(fake_mnist_dir)
    specs = specs_for("pytorch", seeds=(0,))
    results = {}
    for device in ("cpu", "cuda"):
        tensors = TrainingData.from_mnist(mnist, torch.device(device), validation_size=128)
        results[device] = train_batched("mlp", specs, tensors, epochs=1, batch_size=32)
    for a, b in zip(results["cpu"], results["cuda"]):
        assert a.history[0]["train_loss"] == pytest.approx(b.history[0]["train_loss"], rel=1e-3)


def test_trace_steps_every_fraction_of_an_epoch():
    assert trace_steps(10, 2, 0.25) == {3, 5, 8, 10, 13, 15, 18, 20}
    assert trace_steps(6, 2, 1 / 3) == {2, 4, 6, 8, 10, 12}
    assert trace_steps(6, 2, 1.0) == {6, 12}
    assert trace_steps(1, 3, 0.5) == {1, 2, 3}
    assert trace_steps(10, 2, None) == set()
    for bad in (0, -0.5, 1.5):
        with pytest.raises(ValueError, match="eval_every"):
            trace_steps(10, 1, bad)


def test_both_engines_trace_validation_accuracy_within_epochs(tiny_data):
    specs = specs_for("pytorch", seeds=(0,))
    batched = train_batched("mlp", specs, tiny_data, epochs=2, batch_size=64, eval_every=0.5)
    steps = 6  # 384 training images in batches of 64
    for spec, together in zip(specs, batched):
        alone = train_sequential("mlp", spec, tiny_data, epochs=2, batch_size=64,
                                 eval_every=0.5)
        for result in (together, alone):
            assert [p["step"] for p in result.trace] == [3, 6, 9, 12]
            seconds = [p["seconds"] for p in result.trace]
            assert all(0 < a < b for a, b in zip(seconds, seconds[1:])), seconds
            assert seconds[-1] == pytest.approx(sum(e["seconds"] for e in result.history))
            at_epoch_ends = [p["val_accuracy"] for p in result.trace if p["step"] % steps == 0]
            assert at_epoch_ends == [e["val_accuracy"] for e in result.history]
        assert [p["val_accuracy"] for p in together.trace] == \
               [p["val_accuracy"] for p in alone.trace], spec
    untraced = train_batched("mlp", specs[:1], tiny_data, epochs=2, batch_size=64)[0]
    assert untraced.trace == []
    assert [e["val_loss"] for e in untraced.history] == pytest.approx(
        [e["val_loss"] for e in batched[0].history], rel=1e-6)


def test_both_engines_trace_the_test_metrics_when_asked(tiny_data):
    specs = specs_for("pytorch", seeds=(0,))[:2]
    batched = train_batched("mlp", specs, tiny_data, epochs=2, batch_size=64, eval_every=0.5,
                            trace_test=True)
    steps = 6
    for spec, together in zip(specs, batched):
        alone = train_sequential("mlp", spec, tiny_data, epochs=2, batch_size=64,
                                 eval_every=0.5, trace_test=True)
        for result in (together, alone):
            assert [p["step"] for p in result.trace] == [3, 6, 9, 12]
            assert all({"test_loss", "test_accuracy"} <= set(p) for p in result.trace)
            at_epoch_ends = [p["test_loss"] for p in result.trace if p["step"] % steps == 0]
            assert at_epoch_ends == [e["test_loss"] for e in result.history]
        assert [p["test_loss"] for p in together.trace] == pytest.approx(
            [p["test_loss"] for p in alone.trace], rel=1e-4), spec
    plain = train_sequential("mlp", specs[0], tiny_data, epochs=2, batch_size=64,
                             eval_every=0.5)
    assert [p["val_accuracy"] for p in plain.trace] == \
           [p["val_accuracy"] for p in train_sequential("mlp", specs[0], tiny_data, epochs=2,
                                                        batch_size=64, eval_every=0.5,
                                                        trace_test=True).trace]
    assert all("test_loss" not in p for p in plain.trace)


@pytest.mark.parametrize("shared", [True, False])
def test_stacked_mlp_gradients_equal_autograd(shared):
    from optguide.models import build_model
    from optguide.train import _StackedRuns

    seeds = [0, 1, 2]
    stacked = _StackedRuns.create("mlp", seeds, torch.device("cpu"))
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(16, 1, 28, 28, generator=generator)
    y = torch.randint(0, 10, (16,), generator=generator)
    xs = x if shared else torch.stack([x.roll(i, 0) for i in range(3)])
    ys = y.expand(3, -1) if shared else torch.stack([y.roll(i, 0) for i in range(3)])
    losses, _ = stacked.losses_and_grad(xs, ys, shared)
    for r, seed in enumerate(seeds):
        model = build_model("mlp", seed)
        loss = torch.nn.functional.cross_entropy(model(x if shared else xs[r]), ys[r])
        loss.backward()
        assert losses[r].item() == pytest.approx(loss.item(), rel=1e-5)
        for grad, param in zip(stacked.grads(), model.parameters()):
            torch.testing.assert_close(grad[r], param.grad, rtol=1e-4, atol=1e-6)
    assert not stacked.grad[:, stacked.offsets[-1]:].any(), "padding gets no gradient"
