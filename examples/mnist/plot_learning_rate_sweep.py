"""
Learning-rate sweep: which optimizer needs the least tuning?
============================================================

The article recommends Adam as the best default optimizer; the claim tested here is the one
often attached to that advice, that **Adam needs the least tuning**. A default is one
learning rate; the fair question is how each optimizer does over a range of
learning rates, and how wide the range is where it does well. This example trains every
optimizer over a wide grid of learning rates and measures, for each, the best accuracy it
reaches (the *tuned* comparison) and the width of the learning-rate range that stays within
one point of that best (how much tuning it needs). To fit the documentation's build budget
the sweep is reduced to a subset of the training images, a few epochs and one seed per
learning rate (the settings are printed below; all runs train together in the batched
engine); absolute accuracies are therefore lower than on the full data, and the widths are
for this short training.
"""

# %%
# The sweep
# ---------
# One :class:`~optguide.compare.Config` with ``learning_rates`` replaces every optimizer's
# default learning rate by each value of the grid (all other hyperparameters stay at
# PyTorch's defaults).

import math

import matplotlib.pyplot as plt

from optguide.analysis import good_intervals, good_range_decades, profile
from optguide.claims.tuning import adam_needs_least_tuning
from optguide.compare import Config, compare
from optguide.optimizers import hyperparameters
from optguide.plots import COLORS, LABELS, legend_below

SWEEP = Config(optimizers=("sgd", "adagrad", "adadelta", "rmsprop", "adam"), presets=("pytorch",),
               seeds=(0,), epochs=3, batch_size=64, train_size=10_000,
               learning_rates=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0))
TOLERANCE = 0.01  # "does well": within one percentage point of the optimizer's best

results = compare(SWEEP)
rates = SWEEP.learning_rates
print(f"{len(results.runs)} runs: {len(SWEEP.optimizers)} optimizers x {len(rates)} learning "
      f"rates from {min(rates):g} to {max(rates):g}; {SWEEP.train_size:,} training images, "
      f"{SWEEP.epochs} epochs, batch {SWEEP.batch_size}, seed {SWEEP.seeds[0]}; "
      f"{sum(r.status == 'diverged' for r in results.runs)} runs diverged")

# %%
# Accuracy against learning rate
# ------------------------------
# Each curve is one optimizer; the open marker is its PyTorch default learning rate. Too
# small a rate learns little in the few epochs of the sweep, too large a rate can wreck the
# network (down to chance, 10 %). The right panel zooms in on the top: the thick segment under
# each curve spans the learning rates within one point of the best validation accuracy of all.

profiles = {name: profile(results, name) for name in SWEEP.optimizers}  # validation accuracy
reference = max(max(accuracies) for _, accuracies in profiles.values())
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
for name, (lrs, accuracies) in profiles.items():
    percent = [a * 100 for a in accuracies]
    default = hyperparameters(name, "pytorch")["lr"]
    for ax in (left, right):
        ax.plot(lrs, percent, marker=".", color=COLORS[name], label=LABELS[name])
        if default in lrs:
            ax.plot(default, percent[lrs.index(default)], marker="o", markersize=10,
                    markerfacecolor="white", markeredgewidth=2, color=COLORS[name])
    for low, high in good_intervals(lrs, accuracies, TOLERANCE, reference):
        right.hlines((reference - TOLERANCE) * 100, low, high, color=COLORS[name],
                     linewidth=6, alpha=0.5)
left.plot([], [], marker="o", markerfacecolor="white", color="gray", linestyle="",
          label="PyTorch default")
top = max(max(accuracies) for _, accuracies in profiles.values()) * 100
right.set_ylim(top - 6, top + 0.5)
left.set_title(f"Validation accuracy after {SWEEP.epochs} epochs on {SWEEP.train_size:,} images")
right.set_title("Zoom on the top")
for ax in (left, right):
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.grid(alpha=0.3, which="both")
left.set_ylabel("validation accuracy (%)")
legend_below(left, ncols=3)
plt.show()

# %%
# Default, tuned and tolerance
# ----------------------------
# For each optimizer: the accuracy at its default learning rate, the best learning rate of
# the grid and the accuracy there, and the width (in decades, interpolating between the grid
# points) of the range within one point of the best. A range that touches the end of the
# grid could be wider than measured.

print(f"{'optimizer':>9}  {'default lr':>10}  {'at default':>10}  {'best lr':>8}  "
      f"{'best':>6}  {'range (decades)':>15}")
widths = {}
for name, (lrs, accuracies) in profiles.items():
    default = hyperparameters(name, "pytorch")["lr"]
    at_default = accuracies[lrs.index(default)] if default in lrs else math.nan
    best = max(accuracies)
    widths[name] = good_range_decades(lrs, accuracies, TOLERANCE, reference)
    print(f"{LABELS[name]:>9}  {default:>10g}  {at_default * 100:>9.1f}%  "
          f"{lrs[accuracies.index(best)]:>8g}  {best * 100:>5.1f}%  {widths[name]:>15.2f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
names = list(profiles)
positions = range(len(names))
left.bar(positions, [widths[n] for n in names], color=[COLORS[n] for n in names])
left.set_xticks(positions, [LABELS[n] for n in names])
left.set_ylabel("decades of learning rate")
left.set_title(f"Range within {TOLERANCE * 100:g} point of the best")
for position, name in zip(positions, names):
    lrs, accuracies = profiles[name]
    default = hyperparameters(name, "pytorch")["lr"]
    at_default = accuracies[lrs.index(default)] * 100
    right.plot([position, position], [at_default, max(accuracies) * 100], color=COLORS[name])
    right.plot(position, at_default, marker="o", markerfacecolor="white", color=COLORS[name])
    right.plot(position, max(accuracies) * 100, marker="o", color=COLORS[name])
right.plot([], [], marker="o", markerfacecolor="white", color="gray", linestyle="",
           label="default learning rate")
right.plot([], [], marker="o", color="gray", linestyle="", label="best learning rate")
right.set_xticks(positions, [LABELS[n] for n in names])
right.set_ylabel("validation accuracy (%)")
right.set_title("Default against tuned")
legend_below(right, ncols=2)
for ax in (left, right):
    ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.tuning.adam_needs_least_tuning` checks both halves of the claim:
# does any optimizer keep within one point of the best optimizer's validation accuracy over a
# clearly wider range than Adam (by more than a quarter of a decade), and does Adam, each
# optimizer at its learning rate chosen on validation, lead on test accuracy by the paired
# rule?

verdict = adam_needs_least_tuning(results, tolerance=TOLERANCE)
print(verdict.line())
print(verdict.flip)
