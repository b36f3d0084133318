"""Training: one run at a time (the reference loop) or many runs stacked in one pass.

Both engines train the same model on the same index batches and record the same per-epoch
history; :func:`train_batched` trains every run of a comparison together, each with its own
parameters, optimizer and state, and gives the same numbers as :func:`train_sequential`
(tested) at a fraction of the time.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, vmap

from . import data as data_module
from .models import build_model
from .optimizers import OPTIMIZERS, FromScratchOptimizer
from .schedules import CONSTANT, Schedule, multipliers

EVAL_CHUNK = 2500


class Progress(Protocol):
    """Anything with ``update(n)``, such as a :class:`tqdm.tqdm` bar.

    The engines advance it in run-epochs, by fractions after every step.
    """

    def update(self, n: float = 1) -> Any: ...


def _advance(progress: Progress | None, amount: float) -> None:
    if progress is not None:
        progress.update(amount)


@dataclass(frozen=True)
class RunSpec:
    """One training run: which optimizer, with which full hyperparameters, from which seed.

    The seed fixes both the initial weights and the order of the minibatches, so runs that
    share a seed start from the same weights and see the same batches. ``schedule`` scales
    ``hyperparameters["lr"]`` at every step (:mod:`optguide.schedules`); runs with different
    schedules can be trained together.
    """

    optimizer: str
    preset: str
    seed: int
    hyperparameters: dict[str, Any]
    schedule: Schedule = CONSTANT


@dataclass
class RunResult:
    """History of one run: one dict per finished epoch, and ``ok`` or ``diverged``.

    ``trace`` holds the finer evaluations asked for by ``eval_every``: one dict
    ``{"step", "seconds", "val_accuracy"}`` per evaluation, with the steps taken so far and the
    training seconds since the start (evaluations excluded), plus ``"test_loss"`` and
    ``"test_accuracy"`` when ``trace_test`` asked for them; empty when not asked for.
    """

    spec: RunSpec
    status: str = "ok"
    history: list[dict[str, float]] = field(default_factory=list)
    diverged_epoch: int | None = None
    trace: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class TrainingData:
    """Standardized tensors on the training device: training, validation and test splits.

    Runs train on ``train_*``; choices (learning rates, "best") are made on ``val_*``; the
    test images only report.
    """

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor

    @classmethod
    def from_mnist(cls, mnist: data_module.MNIST, device: torch.device,
                   train_size: int | None = None,
                   validation_size: int = data_module.VALIDATION_SIZE) -> TrainingData:
        """Split MNIST's training images (:func:`optguide.data.validation_split`) and load.

        ``train_size`` keeps a fixed subset (:func:`optguide.data.subset_indices`) of the
        training part that remains after the validation images are held out.

        Raises
        ------
        ValueError
            When ``validation_size`` is below 1 or not smaller than the training images.
        """
        train, validation = data_module.validation_split(mnist.train_size, validation_size)
        train = train[data_module.subset_indices(len(train), train_size)]
        return cls(data_module.normalize(mnist.train_images[train], device),
                   mnist.train_labels[train].to(device),
                   data_module.normalize(mnist.train_images[validation], device),
                   mnist.train_labels[validation].to(device),
                   data_module.normalize(mnist.test_images, device),
                   mnist.test_labels.to(device))

    @property
    def train_size(self) -> int:
        return len(self.train_y)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; anything else as given."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available; use 'cpu' or 'auto'")
    return device


def steps_per_epoch(n: int, batch_size: int | None) -> int:
    """Minibatches in one epoch of ``n`` examples (:func:`optguide.data.batch_order`)."""
    return 1 if batch_size is None or batch_size >= n else math.ceil(n / batch_size)


def learning_rates(spec: RunSpec, steps: int, epochs: int) -> list[float] | None:
    """``spec``'s learning rate at every step under its schedule (``None``: constant).

    Raises
    ------
    ValueError
        When the schedule does not fit the run (a warm-up as long as training).
    """
    if spec.schedule.is_constant:
        return None
    lr = spec.hyperparameters["lr"]
    return [lr * m for m in multipliers(spec.schedule, steps, epochs)]


def trace_steps(steps: int, epochs: int, eval_every: float | None) -> set[int]:
    r"""Steps (counted from 1) after which a run's validation accuracy enters its trace.

    Every ``eval_every`` epochs (a fraction in ``(0, 1]``): after step
    :math:`\lceil k \cdot \text{eval\_every} \cdot S \rceil` for :math:`k = 1, 2, \dots`,
    with :math:`S` steps per epoch; empty when ``eval_every`` is ``None``.
    """
    if eval_every is None:
        return set()
    if not 0 < eval_every <= 1:
        raise ValueError(f"eval_every must be a fraction of an epoch in (0, 1], "
                         f"got {eval_every!r}")
    # An interval below one step gives a point after every step, as an interval of one
    # does: at most one point per step, however small ``eval_every`` is.
    interval, total = max(eval_every * steps, 1.0), steps * epochs
    points, k = set(), 1
    while (point := max(1, math.ceil(k * interval - 1e-9))) <= total:
        points.add(point)
        k += 1
    return points


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class _Stopwatch:
    """Training seconds: runs while training, stopped while evaluating."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.total, self._since = device, 0.0, 0.0

    def start(self) -> None:
        _synchronize(self.device)
        self._since = time.perf_counter()

    def stop(self) -> float:
        """Stop; the training seconds so far."""
        _synchronize(self.device)
        self.total += time.perf_counter() - self._since
        return self.total


def _record_trace(result: RunResult, step: int, seconds: float,
                  validation: tuple[float, float],
                  test: tuple[float, float] | None = None) -> None:
    """Append a trace point (``test``: also the test loss and accuracy) unless not finite."""
    if result.status != "ok" or not math.isfinite(validation[0]):
        return
    point = {"step": step, "seconds": seconds, "val_accuracy": validation[1]}
    if test is not None:
        if not math.isfinite(test[0]):
            return
        point.update(test_loss=test[0], test_accuracy=test[1])
    result.trace.append(point)


def _record_epoch(result: RunResult, epoch: int, train_loss: float,
                  validation: tuple[float, float], test: tuple[float, float],
                  seconds: float) -> None:
    """Append an epoch, or mark the run diverged when a loss is NaN or infinite.

    ``validation`` and ``test`` are ``(mean loss, accuracy)`` pairs.
    """
    if not all(math.isfinite(loss) for loss in (train_loss, validation[0], test[0])):
        result.status, result.diverged_epoch = "diverged", epoch
    else:
        result.history.append({"epoch": epoch, "train_loss": train_loss,
                               "val_loss": validation[0], "val_accuracy": validation[1],
                               "test_loss": test[0], "test_accuracy": test[1],
                               "seconds": seconds})


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``."""
    total_loss, correct = 0.0, 0
    for xs, ys in zip(x.split(EVAL_CHUNK), y.split(EVAL_CHUNK)):
        logits = model(xs)
        total_loss += F.cross_entropy(logits, ys, reduction="sum").item()
        correct += (logits.argmax(1) == ys).sum().item()
    return total_loss / len(y), correct / len(y)


def train_sequential(model_name: str, spec: RunSpec, data: TrainingData, *, epochs: int,
                     batch_size: int | None, eval_every: float | None = None,
                     trace_test: bool = False, progress: Progress | None = None) -> RunResult:
    """Train one run with the ordinary loop: model, optimizer, minibatches of tensors.

    This is the reference the batched engine is tested against, and the engine to use when
    each optimizer's own wall-clock time matters. After every epoch the run is evaluated on
    the validation and the test images; with ``eval_every`` (a fraction of an epoch) also on
    the validation images every that many epochs, into ``trace``
    (:func:`trace_steps`), and with ``trace_test`` on the test images too (the test loss at
    a given number of updates). Recorded seconds are training time only.
    """
    device = data.train_x.device
    model = build_model(model_name, spec.seed).to(device)
    optimizer = OPTIMIZERS[spec.optimizer](model.parameters(), **spec.hyperparameters)
    result = RunResult(spec)
    n = data.train_size
    steps = steps_per_epoch(n, batch_size)
    schedule = learning_rates(spec, steps, epochs)
    traced = trace_steps(steps, epochs, eval_every)
    watch = _Stopwatch(device)
    step = 0
    for epoch in range(1, epochs + 1):
        before = watch.total
        watch.start()
        loss_sum = torch.zeros((), device=device)
        batches = data_module.batch_order(n, batch_size, spec.seed, epoch)
        for idx in batches:
            idx = idx.to(device)
            loss = F.cross_entropy(model(data.train_x[idx]), data.train_y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if schedule is not None:
                for group in optimizer.param_groups:
                    group["lr"] = schedule[step]
            optimizer.step()
            step += 1
            loss_sum += loss.detach() * len(idx)
            _advance(progress, 1 / len(batches))
            if step in traced and step % steps:
                seconds = watch.stop()
                _record_trace(result, step, seconds, evaluate(model, data.val_x, data.val_y),
                              evaluate(model, data.test_x, data.test_y) if trace_test else None)
                watch.start()
        seconds = watch.stop()
        validation = evaluate(model, data.val_x, data.val_y)
        test = evaluate(model, data.test_x, data.test_y)
        _record_epoch(result, epoch, loss_sum.item() / n, validation, test, seconds - before)
        if step in traced:
            _record_trace(result, step, seconds, validation, test if trace_test else None)
        if result.status == "diverged":
            _advance(progress, epochs - epoch)
            break
    return result


class _StackedRuns:
    """Parameters of many runs as rows of one flat tensor; a vmapped forward and backward pass.

    Works for any model; :class:`_StackedMLP` is the hand-written fast path for the MLP.
    """

    def __init__(self, model_name: str, seeds: list[int], device: torch.device) -> None:
        models = [build_model(model_name, seed) for seed in seeds]
        self.template = models[0].to(device)
        self.names = [name for name, _ in self.template.named_parameters()]
        self.shapes = [p.shape for _, p in self.template.named_parameters()]
        self.offsets = [0]
        for shape in self.shapes:
            self.offsets.append(self.offsets[-1] + math.prod(shape))
        rows = [torch.cat([p.detach().reshape(-1) for p in m.parameters()]) for m in models]
        self.flat = torch.zeros(len(models), self._row_width(self.offsets[-1]), device=device)
        self.flat[:, :self.offsets[-1]] = torch.stack(rows).to(device)
        self.grad = torch.zeros_like(self.flat)
        self._forward = vmap(self._forward_one, in_dims=(0, 0))
        self._forward_shared = vmap(self._forward_one, in_dims=(0, None))

    def _row_width(self, size: int) -> int:
        """Length of a row of ``flat`` for ``size`` parameters (the rest stays 0)."""
        return size

    @staticmethod
    def create(model_name: str, seeds: list[int], device: torch.device) -> _StackedRuns:
        """The fastest stacked implementation for ``model_name``."""
        cls = {"mlp": _StackedMLP, "cnn": _StackedCNN}.get(model_name, _StackedRuns)
        return cls(model_name, seeds, device)

    @property
    def runs(self) -> int:
        return self.flat.shape[0]

    def params(self, requires_grad: bool = False) -> list[torch.Tensor]:
        """Views of ``flat``, one ``[runs, *shape]`` tensor per parameter of the model."""
        return [self.flat[:, a:b].view(self.runs, *shape).requires_grad_(requires_grad)
                for shape, a, b in zip(self.shapes, self.offsets[:-1], self.offsets[1:])]

    def grads(self) -> list[torch.Tensor]:
        """Views of ``grad`` shaped like :meth:`params`."""
        return [self.grad[:, a:b].view(self.runs, *shape)
                for shape, a, b in zip(self.shapes, self.offsets[:-1], self.offsets[1:])]

    def _forward_one(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.template, params, (x,))

    def logits(self, x: torch.Tensor, shared: bool,
               params: list[torch.Tensor] | None = None) -> torch.Tensor:
        """Logits ``[runs, batch, 10]`` for ``x`` of ``[runs, batch, ...]`` (or shared)."""
        named = dict(zip(self.names, self.params() if params is None else params))
        return (self._forward_shared if shared else self._forward)(named, x)

    def losses_and_grad(self, x: torch.Tensor, y: torch.Tensor, shared: bool
                        ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean cross-entropy of every run on its batch ``[runs]``, and ``grad`` filled in."""
        params = self.params(requires_grad=True)
        logits = self.logits(x, shared, params)
        losses = F.cross_entropy(logits.flatten(0, 1), y.flatten(),
                                 reduction="none").view(self.runs, -1).mean(1)
        for grad, buffer in zip(torch.autograd.grad(losses.sum(), params), self.grads()):
            buffer.copy_(grad)
        return losses.detach(), self.grad


class _StackedMLP(_StackedRuns):
    r"""The MLP's forward and backward pass written out with matrix products.

    Same mathematics as autograd on :func:`optguide.models.mlp`, without its bookkeeping:
    for logits :math:`z_2 = \mathrm{relu}(x W_1^T + b_1) W_2^T + b_2` and mean cross-entropy
    over a batch of :math:`B`, :math:`\partial L/\partial z_2 = (\mathrm{softmax}(z_2) - Y)/B`.

    When the runs share their minibatch, the first layer (nearly all the arithmetic) of all
    runs is one large matrix product, forward and backward. For that, each row of ``flat``
    is padded to a whole number :math:`K` of 784-wide rows: ``flat.view(runs * K, 784)`` is
    then one matrix whose first :math:`H` rows in every :math:`K` are a run's :math:`W_1`
    (the other :math:`K - H` hold :math:`b_1, W_2, b_2` and zero padding, and their products
    are discarded). Otherwise each run's layer is a product of its own (batched).
    """

    def _row_width(self, size):
        inputs = self.shapes[0][1]
        return math.ceil(size / inputs) * inputs

    def _matrix(self, buffer: torch.Tensor) -> torch.Tensor:
        """``buffer`` (``flat`` or ``grad``) as ``[runs * K, 784]``."""
        return buffer.view(-1, self.shapes[0][1])

    def _hidden(self, x: torch.Tensor, shared: bool) -> torch.Tensor:
        """Hidden activations ``[runs, batch, H]`` for flattened ``x``."""
        w1, b1, _, _ = self.params()
        if not shared:
            return torch.baddbmm(b1.unsqueeze(1), x, w1.transpose(1, 2)).clamp_min_(0)
        hidden = w1.shape[1]
        products = torch.mm(x, self._matrix(self.flat).T).view(len(x), self.runs, -1)
        return (products[:, :, :hidden] + b1).clamp_min_(0).transpose(0, 1)

    def logits(self, x, shared, params=None):
        _, _, w2, b2 = self.params()
        return torch.baddbmm(b2.unsqueeze(1), self._hidden(x.flatten(-3), shared),
                             w2.transpose(1, 2))

    def losses_and_grad(self, x, y, shared):
        _, _, w2, b2 = self.params()
        gw1, gb1, gw2, gb2 = self.grads()
        x = x.flatten(-3)
        batch = x.shape[-2]
        hidden = self._hidden(x, shared)
        log_probs = torch.baddbmm(b2.unsqueeze(1), hidden, w2.transpose(1, 2)).log_softmax(-1)
        target = y.unsqueeze(-1)
        losses = -log_probs.gather(-1, target).squeeze(-1).mean(1)
        d_logits = log_probs.exp_().scatter_add_(-1, target, torch.full_like(
            target, -1, dtype=log_probs.dtype)).div_(batch)
        d_hidden = torch.bmm(d_logits, w2).mul_(hidden > 0)
        if shared:
            # dW1 of all runs in one product; it also writes zeros over the rows that hold
            # b1, W2 and b2, so their gradients come after it.
            padded = torch.zeros(batch, self.runs, self._matrix(self.grad).shape[0] // self.runs,
                                 device=x.device)
            padded[:, :, :d_hidden.shape[2]] = d_hidden.transpose(0, 1)
            torch.mm(padded.view(batch, -1).T, x, out=self._matrix(self.grad))
        else:
            torch.bmm(d_hidden.transpose(1, 2), x, out=gw1)
        torch.sum(d_hidden, 1, out=gb1)
        torch.bmm(d_logits.transpose(1, 2), hidden, out=gw2)
        torch.sum(d_logits, 1, out=gb2)
        return losses, self.grad


class _StackedCNN(_StackedRuns):
    r"""The CNN of all runs as one network whose channels are the runs' channels side by side.

    The first convolution of :math:`R` runs sharing their minibatch is one matrix product of
    the images' 3x3 patches with all :math:`8R` filters; the second is one *grouped*
    convolution (``groups`` :math:`= R`: each run's 16 filters see only its own 8 channels);
    the linear layer is a batched product.
    Activations are kept channels-last, where the CPU's max-pooling and convolution kernels
    are vectorized over channels. The same mathematics as :func:`optguide.models.cnn` per
    run (tested against the sequential engine); gradients by autograd.
    """

    def logits(self, x, shared, params=None):
        w1, b1, w2, b2, w3, b3 = self.params() if params is None else params
        runs, channels_last = self.runs, torch.channels_last
        # Pooling before the ReLU gives the same values and gradients (the maximum commutes
        # with a monotone function) on a quarter of the elements.
        if shared:  # [batch, 1, H, W]: every run's filters on the same image patches, one
            # product whose result is already channels-last ([batch, H', W', runs * 8])
            size, side = w1.shape[-1], x.shape[-1] - w1.shape[-1] + 1
            patches = F.unfold(x, size).transpose(1, 2).reshape(-1, size * size)
            h = torch.addmm(b1.reshape(-1), patches, w1.reshape(-1, size * size).T)
            h = h.view(len(x), side, side, -1).permute(0, 3, 1, 2)
        else:  # [runs, batch, 1, H, W]: run r's images are input channel r of a grouped conv
            images = x.squeeze(2).transpose(0, 1).contiguous(memory_format=channels_last)
            h = F.conv2d(images, w1.reshape(-1, *w1.shape[2:]), b1.reshape(-1), groups=runs)
        h = F.relu(F.max_pool2d(h.contiguous(memory_format=channels_last), 2))
        h = F.conv2d(h, w2.reshape(-1, *w2.shape[2:]), b2.reshape(-1), groups=runs)
        h = F.relu(F.max_pool2d(h.contiguous(memory_format=channels_last), 2))
        features = h.contiguous().view(len(h), runs, -1).transpose(0, 1)  # [runs, batch, 400]
        return torch.baddbmm(b3.unsqueeze(1), features, w3.transpose(1, 2))


@dataclass
class _RunGroup:
    """Rows ``start:stop`` of the stacked runs: one optimizer, one set of switches.

    ``optimizer`` trains those rows of ``flat`` as one parameter (built by
    :meth:`~optguide.optimizers.FromScratchOptimizer.stacked`, its gradient the same rows of
    the gradient buffer). ``learning_rates`` holds the learning rate of every step when a
    schedule changes it (a number per step when the runs share it, else
    ``[steps, runs, 1]``); ``seconds`` sums the time of its updates so far.
    """

    start: int
    stop: int
    optimizer: FromScratchOptimizer
    learning_rates: list[float] | torch.Tensor | None = None
    seconds: float = 0.0

    @classmethod
    def create(cls, stacked: _StackedRuns, start: int, specs: list[RunSpec], steps: int,
               epochs: int) -> _RunGroup:
        """The group of ``specs`` (same optimizer and switches) at rows ``start`` onwards."""
        stop = start + len(specs)
        param = stacked.flat[start:stop]
        param.grad = stacked.grad[start:stop]
        optimizer = OPTIMIZERS[specs[0].optimizer].stacked(
            param, [spec.hyperparameters for spec in specs])
        lr = optimizer.param_groups[0]["lr"]
        return cls(start, stop, optimizer, _group_learning_rates(specs, lr, steps, epochs))

    @property
    def runs(self) -> int:
        return self.stop - self.start

    def step(self, step: int) -> None:
        """Update the group's rows from their gradients (``step`` counted from 0)."""
        if self.learning_rates is not None:
            self.optimizer.param_groups[0]["lr"] = self.learning_rates[step]
        self.optimizer.step()


def _group_learning_rates(specs: list[RunSpec], lr: float | torch.Tensor, steps: int,
                          epochs: int) -> list[float] | torch.Tensor | None:
    """The learning rates of a group's runs at every step (``None``: all constant)."""
    if all(spec.schedule.is_constant for spec in specs):
        return None
    if not isinstance(lr, torch.Tensor) and len({spec.schedule for spec in specs}) == 1:
        return learning_rates(specs[0], steps, epochs)
    factors = torch.tensor([multipliers(spec.schedule, steps, epochs) for spec in specs],
                           dtype=torch.float64, device=lr.device if isinstance(lr, torch.Tensor)
                           else None)
    return factors.T.unsqueeze(-1) * lr


def _structure_key(spec: RunSpec) -> tuple:
    flags = tuple(sorted((k, v) for k, v in spec.hyperparameters.items() if isinstance(v, bool)))
    return (spec.optimizer, flags)


def train_batched(model_name: str, specs: list[RunSpec], data: TrainingData, *, epochs: int,
                  batch_size: int | None, eval_every: float | None = None,
                  trace_test: bool = False, progress: Progress | None = None
                  ) -> list[RunResult]:
    """Train all ``specs`` together in one vectorized pass; results in the order of ``specs``.

    The parameters of every run are rows of one tensor; one forward and backward pass per
    step serves all runs (``vmap``-ed, or written out with matrix products for the MLP); runs
    with the same optimizer and the same switches are updated by one optimizer over their
    rows (:meth:`~optguide.optimizers.FromScratchOptimizer.stacked`: per-run hyperparameters
    as ``[runs, 1]`` tensors, shared ones as numbers). Runs are independent: a diverging run
    cannot affect the others, and a run's numbers do not depend on which runs share its call
    (up to rounding).

    Seconds per epoch are shared out: the forward and backward pass equally among the runs,
    each optimizer group's update to its own runs (exact per-run timing: use
    :func:`train_sequential`). Evaluations, ``eval_every`` and ``trace_test`` as in
    :func:`train_sequential`.
    """
    device = data.train_x.device
    order = sorted(range(len(specs)), key=lambda i: _structure_key(specs[i]))
    ordered = [specs[i] for i in order]
    stacked = _StackedRuns.create(model_name, [spec.seed for spec in ordered], device)

    n, runs = data.train_size, len(ordered)
    steps = steps_per_epoch(n, batch_size)
    groups: list[_RunGroup] = []
    for _, members in itertools.groupby(ordered, key=_structure_key):
        start = groups[-1].stop if groups else 0
        groups.append(_RunGroup.create(stacked, start, list(members), steps, epochs))

    seeds = sorted({spec.seed for spec in ordered})
    seed_row = torch.tensor([seeds.index(spec.seed) for spec in ordered], device=device)
    shared_batches = len(seeds) == 1 or batch_size is None or batch_size >= data.train_size
    results = [RunResult(spec) for spec in ordered]
    traced = trace_steps(steps, epochs, eval_every)
    watch = _Stopwatch(device)
    step = 0
    timed = device.type == "cpu"
    trained = [0.0] * runs  # training seconds of every run before this epoch

    def run_seconds(elapsed: float) -> list[float]:
        """Training seconds of every run: the shared pass split equally, updates per group."""
        shared = (elapsed - sum(group.seconds for group in groups)) / runs
        return [shared + group.seconds / group.runs for group in groups for _ in range(group.runs)]

    def trace(validation: list[tuple[float, float]], elapsed: float,
              test: list[tuple[float, float]] | None = None) -> None:
        tests = test if test is not None else [None] * runs
        for result, seconds, metrics, on_test in zip(results, run_seconds(elapsed), validation,
                                                     tests):
            _record_trace(result, step, seconds, metrics, on_test)

    for epoch in range(1, epochs + 1):
        watch.start()
        loss_sum = torch.zeros(runs, device=device)
        orders = [data_module.batch_order(n, batch_size, seed, epoch) for seed in seeds]
        for step_batches in zip(*orders):
            if shared_batches:
                idx = step_batches[0].to(device)
                x, y = data.train_x[idx], data.train_y[idx].expand(runs, -1)
            else:
                idx = torch.stack(step_batches).to(device)[seed_row]
                x, y = data.train_x[idx], data.train_y[idx]
            losses, _ = stacked.losses_and_grad(x, y, shared_batches)  # into the groups' .grad
            with torch.no_grad():
                for group in groups:
                    tick = time.perf_counter() if timed else 0.0
                    group.step(step)
                    if timed:
                        group.seconds += time.perf_counter() - tick
                step += 1
                loss_sum += losses * idx.shape[-1]
            _advance(progress, runs / len(orders[0]))
            if step in traced and step % steps:
                elapsed = watch.stop()
                trace(_evaluate_stacked(stacked, data.val_x, data.val_y), elapsed,
                      _evaluate_stacked(stacked, data.test_x, data.test_y) if trace_test
                      else None)
                watch.start()
        elapsed = watch.stop()
        validation = _evaluate_stacked(stacked, data.val_x, data.val_y)
        test = _evaluate_stacked(stacked, data.test_x, data.test_y)
        train_losses = (loss_sum / n).tolist()
        seconds = run_seconds(elapsed)
        for r, result in enumerate(results):
            if result.status == "ok":
                _record_epoch(result, epoch, train_losses[r], validation[r], test[r],
                              seconds[r] - trained[r])
        trained = seconds
        if step in traced:
            trace(validation, elapsed, test if trace_test else None)
        if all(result.status == "diverged" for result in results):
            _advance(progress, runs * (epochs - epoch))
            break

    unsorted = [RunResult(spec) for spec in specs]
    for position, original in enumerate(order):
        unsorted[original] = results[position]
    return unsorted


@torch.no_grad()
def _evaluate_stacked(stacked: _StackedRuns, x: torch.Tensor, y: torch.Tensor
                      ) -> list[tuple[float, float]]:
    """Mean cross-entropy and accuracy of every stacked run on ``(x, y)``, in row order."""
    runs = stacked.runs
    total_loss = torch.zeros(runs, device=x.device)
    correct = torch.zeros(runs, dtype=torch.long, device=x.device)
    for xs, ys in zip(x.split(EVAL_CHUNK), y.split(EVAL_CHUNK)):
        logits = stacked.logits(xs, shared=True)
        total_loss += F.cross_entropy(logits.flatten(0, 1), ys.repeat(runs),
                                      reduction="none").view(runs, -1).sum(1)
        correct += (logits.argmax(2) == ys).sum(1)
    n = len(y)
    return [(loss / n, c / n) for loss, c in zip(total_loss.tolist(), correct.tolist())]
