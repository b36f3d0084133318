"""
Noisy gradients: does RMSprop cope better than Adagrad and SGD?
===============================================================

The article says **RMSprop reduces the impact of noisy gradients**. A minibatch gradient is
a noisy estimate of the full gradient, and the smaller the batch, the noisier it is; RMSprop
divides each step by a running root mean square of the gradients, which grows with the
noise and so shortens the steps when the gradients are noisy. This example trains SGD,
Adagrad (RMSprop's usual contrast: it divides by the root of *all* past squared gradients),
RMSprop and (as a reference) Adam with batches from small to large for the **same number of
updates** (not the same number of examples: a small batch sees fewer images), so that the
batch size changes only the noise of each update, and for each batch size over a grid of
learning rates, every choice of rate made on validation accuracy. To fit the
documentation's build budget it uses a small subset of the training images, a few hundred
updates and three seeds (printed below; the full test set still measures accuracy), so its
accuracies are not comparable with those of the site's main comparison.
"""

# %%
# One sweep per batch size
# ------------------------
# The batch size is part of the experiment's configuration, so each batch size is its own
# :class:`~optguide.compare.Config` (each cached on its own), with as many epochs as it takes
# to make the same number of updates; within one, the learning-rate sweep trains all runs
# together. The grid holds every optimizer's PyTorch default.

import matplotlib.pyplot as plt

from optguide.analysis import batches, estimates
from optguide.analysis.names import OPTIMIZER_NAMES
from optguide.claims.noise import rmsprop_tames_noise
from optguide.compare import Config, compare
from optguide.optimizers import hyperparameters
from optguide.plots import COLORS, legend_below

SWEEP = Config(optimizers=("sgd", "adagrad", "rmsprop", "adam"), presets=("pytorch",),
               seeds=(0, 1, 2),
               train_size=2048, learning_rates=(3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0))
#: Batch size -> epochs: the same number of updates for every batch size.
EPOCHS = {8: 1, 32: 4, 128: 16}

results = {batch_size: compare(SWEEP.replace(batch_size=batch_size, epochs=epochs))
           for batch_size, epochs in EPOCHS.items()}
for batch_size, epochs in EPOCHS.items():
    updates = epochs * -(-SWEEP.train_size // batch_size)
    print(f"batch {batch_size:>3}: {epochs:>2} epoch{'s' * (epochs > 1)}, {updates} updates, "
          f"{epochs * SWEEP.train_size:,} examples")

# %%
# Three ways to pick the learning rate
# ------------------------------------
# *Default*: each optimizer at PyTorch's default learning rate, whatever the batch size
# (default settings, as in the article's comparison). *Fixed*: the learning rate that is
# best at the largest batch, kept while the batch shrinks, so that only the gradient noise
# changes. *Retuned*: the best
# learning rate of the grid for every batch size. "Best" is always the highest validation
# accuracy; the panels show test accuracy.

views = {view: batches.accuracy_by_batch_size(results, view)
         for view in ("default", "fixed", "retuned")}
fixed_lr = {name: batches.chosen_learning_rates(results, name, "fixed")[max(EPOCHS)]
            for name in SWEEP.optimizers}
largest = max(EPOCHS)
titles = {"default": "PyTorch's default learning rate",
          "fixed": f"Learning rate best at batch {largest}, kept",
          "retuned": "Learning rate retuned per batch size"}
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True, layout="constrained")
for ax, (view, accuracy) in zip(axes, views.items()):
    for name in SWEEP.optimizers:
        values = accuracy[name]
        lr = {"default": f"lr={hyperparameters(name, 'pytorch')['lr']:g}",
              "fixed": f"lr={fixed_lr[name]:g}", "retuned": "best lr"}[view]
        ax.plot(list(values), [values[b] * 100 for b in values], marker="o",
                color=COLORS[name], label=f"{OPTIMIZER_NAMES[name]}, {lr}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(EPOCHS), [str(b) for b in EPOCHS])
    ax.minorticks_off()
    ax.invert_xaxis()
    ax.set_xlabel("batch size (smaller: noisier gradients)")
    ax.set_title(titles[view], fontsize="medium")
    ax.grid(alpha=0.3)
    legend_below(ax, ncols=1)
axes[0].set_ylabel("final test accuracy (%)")
fig.suptitle("Same number of updates for every batch size; batches from large to small")
plt.show()

# %%
# Reading the three panels
# ------------------------
# The *noise cost* printed below is the accuracy lost at the smallest batch against the
# optimizer's best batch size, in percentage points. At PyTorch's defaults the learning
# rates differ so much between the optimizers that the default, more than the noise, can
# decide the cost. With the learning rate that suits the largest batch kept, the claim's
# mechanism predicts that SGD's steps become too noisy for the small batch while RMSprop's
# scaling shortens them: compare the two costs. With the learning rate retuned for every
# batch size, compare them again: that is what noise costs each optimizer once each has its
# best step size.

for view in views:
    cost = estimates(batches.noise_costs(results, view))
    costs = ", ".join(f"{OPTIMIZER_NAMES[name]} {cost[name].format(unit=' points')}"
                      for name in SWEEP.optimizers)
    print(f"noise cost, {view} learning rate: {costs}")

# %%
# Verdict
# -------
# :func:`optguide.claims.noise.rmsprop_tames_noise` compares RMSprop's noise cost with
# Adagrad's (RMSprop's usual contrast) and SGD's, seed by seed, with the fixed and with the
# retuned learning rate (both chosen on validation, at an equal number of updates); a
# difference counts when its paired 95 % interval excludes zero. The defaults are left out of
# the verdict: there the default learning rates, not the noise, decide.

verdict = rmsprop_tames_noise(results, baselines=("sgd", "adagrad"))
print(verdict.line())
print(verdict.flip)
