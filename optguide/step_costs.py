"""What one training step of the site's MLP costs with each optimizer: one measurement for
every page.

:func:`step_costs` times training steps (forward pass, backward pass, ``optimizer.step()``) of
the 784-128-10 MLP at the site's batch size, with ``torch.optim``'s optimizers at PyTorch's
defaults (what a PyTorch user runs) and the package's from-scratch ones alongside, and counts
the state each optimizer keeps. The rules (:data:`THREADS`, :data:`BLOCK`, :data:`ROUNDS`, the
median) are fixed here so that every example quotes the same kind of number; the result is
kept for the rest of the process, so that the examples of one site build quote the *same*
numbers, not two measurements of one fact.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .models import count_parameters, mlp
from .optimizers import OPTIMIZERS, build

__all__ = ["THREADS", "BLOCK", "ROUNDS", "StepCosts", "step_costs", "measure"]

#: Threads torch uses while timing: one, as every run of the site's studies and comparisons
#: trains (one chunk per worker, one thread each).
THREADS = 1
#: Training steps per timed block.
BLOCK = 25
#: Blocks per optimizer; the optimizers take turns, block after block, so that whatever else
#: the machine does is spread over all of them, and each keeps the median of its blocks.
ROUNDS = 20
#: The two implementations timed: ``torch.optim``'s (quoted) and this package's.
KINDS = ("torch.optim", "from scratch")


@dataclass(frozen=True)
class StepCosts:
    """Milliseconds per step and bytes of state, per optimizer (see :func:`measure`).

    Attributes
    ----------
    batch_size, weights, threads, block, rounds : int
        The setting: minibatch, the MLP's weights, torch threads, steps per block, blocks.
    pass_blocks : list of float
        Milliseconds of forward + backward per step, one value per block (every optimizer's
        blocks: the passes are the same computation whatever the optimizer).
    update_blocks : dict
        ``(kind, optimizer)`` -> milliseconds of ``optimizer.step()`` per step, per block.
    state_values : dict
        Optimizer -> numbers ``torch.optim``'s optimizer keeps between steps (tensors only:
        the step counters are not counted).
    state_bytes : dict
        Optimizer -> the bytes they take.
    """

    batch_size: int
    weights: int
    threads: int
    block: int
    rounds: int
    pass_blocks: list[float] = field(repr=False)
    update_blocks: dict[tuple[str, str], list[float]] = field(repr=False)
    state_values: dict[str, int]
    state_bytes: dict[str, int]

    def state_per_weight(self, name: str) -> float:
        """State values ``name`` keeps per weight (SGD 0, Adagrad and RMSprop 1, Adam 2)."""
        return self.state_values[name] / self.weights

    @property
    def pass_ms(self) -> float:
        """Forward + backward, milliseconds per step (median of the blocks)."""
        return statistics.median(self.pass_blocks)

    def update_ms(self, name: str, kind: str = "torch.optim") -> float:
        """One update of ``name``, milliseconds (median of its blocks)."""
        return statistics.median(self.update_blocks[kind, name])

    def step_ms(self, name: str) -> float:
        """A whole step with ``torch.optim``'s ``name``: :attr:`pass_ms` + its update."""
        return self.pass_ms + self.update_ms(name)

    def extra(self, name: str, base: str = "sgd") -> float:
        """How much longer a step with ``name`` takes than with ``base`` (0.2: 20 % longer)."""
        return self.step_ms(name) / self.step_ms(base) - 1

    def setting(self) -> str:
        """The rule in words, for captions: ``"median of 20 blocks of 25 steps, 1 thread,
        batch 64, 101,770 weights"``."""
        return (f"median of {self.rounds} blocks of {self.block} steps, {self.threads} "
                f"thread{'s' if self.threads != 1 else ''}, batch {self.batch_size}, "
                f"{self.weights:,} weights")


def measure(optimizers: Sequence[str] = tuple(OPTIMIZERS), batch_size: int = 64, *,
            threads: int = THREADS, block: int = BLOCK, rounds: int = ROUNDS,
            seed: int = 0) -> StepCosts:
    """Time training steps of the MLP with every optimizer, now.

    Each (implementation, optimizer) gets its own model and a fixed random batch; after one
    untimed block (the first step allocates the state) the pairs take turns for ``rounds``
    rounds of one ``block`` each. A block's update time is the sum of its ``optimizer.step()``
    calls, its pass time the rest.

    Parameters
    ----------
    optimizers : sequence of str
        Keys of :data:`optguide.optimizers.OPTIMIZERS`.
    batch_size : int
        The minibatch.
    threads, block, rounds : int
        Torch threads while timing (restored after), steps per block, blocks per pair.
    seed : int
        Seed of the models' weights and the batch.

    Returns
    -------
    StepCosts
    """
    if block < 1 or rounds < 1 or threads < 1:
        raise ValueError("block, rounds and threads must be >= 1")
    unknown = [name for name in optimizers if name not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"unknown optimizers: {', '.join(unknown)}")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(seed)
        images = torch.randn(batch_size, 1, 28, 28)
        labels = torch.randint(0, 10, (batch_size,))
        pairs = {}
        for name in optimizers:
            for kind in KINDS:
                model = mlp()
                optimizer = (getattr(torch.optim, OPTIMIZERS[name].__name__)(model.parameters())
                             if kind == "torch.optim" else build(name, model.parameters()))
                pairs[kind, name] = (model, optimizer)

        def timed(key: tuple[str, str]) -> tuple[float, float]:
            model, optimizer = pairs[key]
            update = 0.0
            start = time.perf_counter()
            for _ in range(block):
                model.zero_grad(set_to_none=True)
                F.cross_entropy(model(images), labels).backward()
                tick = time.perf_counter()
                optimizer.step()
                update += time.perf_counter() - tick
            return (time.perf_counter() - start - update) / block * 1e3, update / block * 1e3

        for key in pairs:
            timed(key)
        passes: list[float] = []
        updates: dict[tuple[str, str], list[float]] = {key: [] for key in pairs}
        for _ in range(rounds):
            for key in pairs:
                pass_ms, update_ms = timed(key)
                passes.append(pass_ms)
                updates[key].append(update_ms)
        values, sizes = {}, {}
        for name in optimizers:
            optimizer = pairs["torch.optim", name][1]
            tensors = [value for entry in optimizer.state.values() for value in entry.values()
                       if isinstance(value, torch.Tensor) and value.dim() > 0]
            values[name] = sum(t.numel() for t in tensors)
            sizes[name] = sum(t.numel() * t.element_size() for t in tensors)
    finally:
        torch.set_num_threads(before)
    return StepCosts(batch_size, count_parameters(mlp()), threads, block, rounds, passes,
                     updates, values, sizes)


@functools.cache
def step_costs() -> StepCosts:
    """:func:`measure` at the site's setting (the optimizers and batch size of
    :data:`optguide.experiments.SITE_COMPARISON`), once per process: every later call (another
    example of the same site build) gets the same numbers."""
    from .experiments import SITE_COMPARISON

    return measure(SITE_COMPARISON.optimizers, SITE_COMPARISON.batch_size)
