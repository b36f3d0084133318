"""
Wall-clock time and memory: is Adam faster to compute?
======================================================

The article credits Adam with **faster computation times**. That can mean two things: an
Adam step is cheaper to compute than another optimizer's, or Adam reaches a given accuracy
in less time. This example measures both on the site's network and batch size: the time
of one training step with each optimizer, the memory each keeps between steps, and,
combining the step time with the number of epochs each needed in the site's main runs
(:data:`~optguide.experiments.SITE_COMPARISON`, PyTorch's defaults, all seeds), the training
time until the test accuracy first reaches the comparison table's target. Timings depend on
the machine that builds this page (and on what else it runs), so read the ratios rather than
the milliseconds.
"""

# %%
# Time per step
# -------------
# A training step is a forward pass, a backward pass and the optimizer's update, timed here
# separately. The measurement runs a short block of steps with every optimizer in turn, many
# rounds in a row, and keeps the fastest block: interleaving and the minimum make the
# comparison robust to whatever else the machine is doing. The forward and backward passes
# are the same computation whatever the optimizer, so their time is the fastest seen with
# any of them, and a step costs that plus the optimizer's own update. The optimizers timed
# are ``torch.optim``'s, at their defaults, since that is what a PyTorch user runs; the
# package's from-scratch versions (same updates, written for reading) are timed alongside.

import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Patch

from optguide.analysis import time_to_target, where
from optguide.claims.speed import adam_is_faster
from optguide.compare import compare
from optguide.data import load_mnist
from optguide.experiments import SITE_COMPARISON
from optguide.models import count_parameters, mlp
from optguide.optimizers import OPTIMIZERS as FROM_SCRATCH
from optguide.optimizers import build
from optguide.plots import COLORS, LABELS, learning_curves
from optguide.report import TARGET_ACCURACY
from optguide.results import Results, Run

OPTIMIZERS = SITE_COMPARISON.optimizers
BATCH = SITE_COMPARISON.batch_size
STEPS_PER_BLOCK, ROUNDS = 25, 20

torch.manual_seed(0)
images, labels = torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))
models, optimizers = {}, {}
for name in OPTIMIZERS:
    for kind in ("torch.optim", "from scratch"):
        models[kind, name] = model = mlp()
        optimizers[kind, name] = (
            getattr(torch.optim, FROM_SCRATCH[name].__name__)(model.parameters())
            if kind == "torch.optim" else build(name, model.parameters(), "pytorch"))


def time_block(key: tuple[str, str]) -> tuple[float, float]:
    """Seconds of ``STEPS_PER_BLOCK`` training steps with optimizer ``key``, and of the updates."""
    model, optimizer = models[key], optimizers[key]
    update = 0.0
    start = time.perf_counter()
    for _ in range(STEPS_PER_BLOCK):
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
        tick = time.perf_counter()
        optimizer.step()
        update += time.perf_counter() - tick
    return time.perf_counter() - start, update


for key in models:  # warm-up: the first step allocates the optimizer's state
    time_block(key)
blocks: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in models}
for _ in range(ROUNDS):
    for key in models:
        blocks[key].append(time_block(key))
ms_passes = min(total - update for runs in blocks.values()
                for total, update in runs) / STEPS_PER_BLOCK * 1000
updates = {key: min(update for _, update in runs) / STEPS_PER_BLOCK * 1000
           for key, runs in blocks.items()}
ms_update = {name: updates["torch.optim", name] for name in OPTIMIZERS}
ms_per_step = {name: ms_passes + ms_update[name] for name in OPTIMIZERS}
print(f"forward + backward: {ms_passes:.3f} ms per step")
for name in OPTIMIZERS:
    print(f"{LABELS[name]:>9}: update {ms_update[name]:.3f} ms, step {ms_per_step[name]:.3f} ms "
          f"({ms_per_step[name] / ms_per_step['sgd'] - 1:+.0%} against SGD); from-scratch "
          f"update {updates['from scratch', name]:.3f} ms")

# %%
# Memory: the optimizer's state
# -----------------------------
# Between steps an optimizer keeps some state per weight: nothing for plain SGD, one running
# average for Adagrad and RMSprop, two for Adadelta and Adam. Counted after the steps above:

parameters = count_parameters(mlp())
state_per_parameter, state_bytes = {}, {}
for name in OPTIMIZERS:
    optimizer = optimizers["torch.optim", name]
    tensors = [value for state in optimizer.state.values() for value in state.values()
               if isinstance(value, torch.Tensor) and value.dim() > 0]
    state_per_parameter[name] = sum(t.numel() for t in tensors) / parameters
    state_bytes[name] = sum(t.numel() * t.element_size() for t in tensors)
    print(f"{LABELS[name]:>9}: {state_per_parameter[name]:g} state values per weight, "
          f"{state_bytes[name] / 1024:.0f} KiB for the {parameters:,} weights")

# %%
# The update next to the forward and backward pass
# ------------------------------------------------
# The adaptive methods add a handful of element-wise operations per weight to the update;
# the forward and backward passes, which every optimizer pays, are matrix products. The
# update's cost grows with the number of weights only, the passes' with the number of
# weights times the batch size, so the update's share should be largest with small batches
# and shrink as the batch grows; the figure measures it on this model.

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
positions = range(len(OPTIMIZERS))
left.bar(positions, [ms_passes] * len(OPTIMIZERS), color="lightgray")
left.bar(positions, [ms_update[n] for n in OPTIMIZERS], bottom=ms_passes,
         color=[COLORS[n] for n in OPTIMIZERS])
for i, name in enumerate(OPTIMIZERS):
    left.text(i, ms_per_step[name], f"{ms_per_step[name] / ms_per_step['sgd'] - 1:+.0%}",
              ha="center", va="bottom", fontsize=8)
left.set_ylabel("milliseconds per training step")
left.set_title(f"torch.optim, time per step (batch {BATCH}; vs SGD)")
left.legend(handles=[Patch(color="lightgray", label="forward + backward"),
                     Patch(facecolor="white", edgecolor="black",
                           label="optimizer update (its colour)")],
            fontsize="small", loc="lower right")
right.bar(positions, [state_bytes[n] / 1024 for n in OPTIMIZERS],
          color=[COLORS[n] for n in OPTIMIZERS])
right.set_ylabel("optimizer state (KiB)")
right.set_title(f"Memory kept between steps ({parameters:,} weights)")
for ax in (left, right):
    ax.set_xticks(positions, [LABELS[n] for n in OPTIMIZERS])
    ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# Time to the target accuracy
# ---------------------------
# What a user waits for is an accuracy, not a step. The site's main runs (trained together,
# so their own clocks are shared out) tell after how many epochs each optimizer first
# reaches the target; one epoch costs the step time above times the steps per epoch. The
# curves put each optimizer's test accuracy and loss against that training time; the dotted
# line is the target.

site = compare(SITE_COMPARISON)
steps_per_epoch = -(-load_mnist().train_size // BATCH)
seconds_per_epoch = {name: ms_per_step[name] / 1000 * steps_per_epoch for name in OPTIMIZERS}
timed = Results({**site.config, "presets": ["pytorch"]}, site.environment,
                [Run(run.optimizer, run.preset, run.seed, run.hyperparameters, run.status,
                     [{**entry, "seconds": seconds_per_epoch[run.optimizer]}
                      for entry in run.history], run.diverged_epoch)
                 for run in where(site, preset="pytorch").runs])
reached = time_to_target(timed, TARGET_ACCURACY)  # on validation accuracy
seconds_to_target = {}
for name in OPTIMIZERS:
    times = list(reached[name].values())
    seconds_to_target[name] = None if None in times else sum(times) / len(times)
    when = ("not reached in every run" if seconds_to_target[name] is None
            else f"after {seconds_to_target[name]:.1f} s")
    print(f"{LABELS[name]:>9}: {seconds_per_epoch[name]:.2f} s per epoch, "
          f"{TARGET_ACCURACY:.0%} {when} (mean over seeds)")

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
learning_curves(timed, "test_accuracy", x="seconds", ax=left)
left.axhline(TARGET_ACCURACY * 100, color="gray", linestyle=":")
left.set_title("Test accuracy against training time")
learning_curves(timed, "test_loss", x="seconds", ax=right)
right.set_title("Test loss against training time")
fig.suptitle("PyTorch's defaults; time = epochs x measured time per epoch")
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.speed.adam_is_faster` checks both readings: is an Adam step as
# cheap as the cheapest (differences under 10 % are ties: timings vary that much between
# runs), and does Adam reach the target validation accuracy reliably first (paired seconds
# over seeds)?

seconds_per_step = {name: ms_per_step[name] / 1000 for name in OPTIMIZERS}
verdict = adam_is_faster(timed, seconds_per_step, state_per_parameter, TARGET_ACCURACY)
print(verdict.line())
print(verdict.flip)
