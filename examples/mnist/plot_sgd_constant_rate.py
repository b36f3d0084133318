"""
SGD with a constant learning rate against SGD with a decaying one
=================================================================

The claim: **SGD keeps a constant learning rate**. As a description of the textbook algorithm
it is true by definition; what a reader takes from it is advice: a constant rate is how SGD
is used, and it is enough. A common practice is to decay the rate over training (here the
cosine decay of :ref:`Loshchilov & Hutter 2017 <ref-loshchilov2017>`, to zero over the whole
run, :mod:`optguide.schedules`), so the test is whether that
decay buys anything once both versions have had their learning rate tuned by the same
protocol. Both are candidates of the site's tuning study
(:data:`~optguide.experiments.SITE_STUDY`): each rate chosen on validation with seeds 0 and 1,
then reported on seeds 10 to 14. Nothing new is trained here.

**How it could be refuted** (written before looking at the numbers): if the decaying rate
gives a reliably higher final test accuracy (paired 95 % interval over the report seeds
excluding zero) and a reliably lower final test loss, a constant rate is not enough and the
claim is refuted; the constant rate reliably better on both confirms it; the two metrics
disagreeing makes the answer depend on the metric; intervals that include zero cannot tell.
"""

# %%
# The two candidates and their tuned rates
# ----------------------------------------
# The study tried every rate of a half-decade grid for each candidate and kept the one with
# the best mean final validation accuracy over the two selection seeds.

import matplotlib.pyplot as plt

from optguide.analysis.headline import label, report_scores, selection_curves, tuned_rows
from optguide.analysis.names import COLORS
from optguide.analysis.stats import paired_difference
from optguide.claims.protocol import constant_rate_suffices
from optguide.experiments import SITE_STUDY
from optguide.tune import report_runs, tune

CONSTANT, SCHEDULED = "sgd", "sgd_cosine"
study = tune(SITE_STUDY)
rows = tuned_rows(study)
for key in (CONSTANT, SCHEDULED):
    row = rows[key]
    print(f"{row.label:>14}: lr {row.lr:g} (validation {row.val_accuracy * 100:.2f} %), "
          f"test {row.test.format(unit=' %')}" + (" - at the grid's edge" if row.at_edge else ""))

# %%
# Validation accuracy over the grid
# ---------------------------------
# The curves the choice was made on. A decaying rate spends the late epochs at small rates,
# so it can tolerate a larger starting rate: compare where the two peaks sit, not only their
# height.

curves = selection_curves(study)
styles = {CONSTANT: "-", SCHEDULED: "--"}
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
for key in (CONSTANT, SCHEDULED):
    rates, accuracy, _ = zip(*curves[key])
    ax.plot(rates, [a * 100 for a in accuracy], styles[key], marker="o", color=COLORS["sgd"],
            label=label(key))
    ax.plot(rows[key].lr, rows[key].val_accuracy * 100, "*", markersize=14, color="black")
ax.set_xscale("log")
ax.set_ylim(max(0, min(a for k in curves for _, a, _ in curves[k] if a > 0.5) * 100 - 2), 100)
ax.set_xlabel("learning rate")
ax.set_ylabel("final validation accuracy (%)")
ax.set_title("Tuning on validation (stars: chosen rates)")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
# Learning curves at the chosen rates
# -----------------------------------
# Test accuracy per epoch, the mean over the report seeds. The cosine decay lowers the rate
# slowly at first, fastest halfway, and reaches small rates only in the last part of the run:
# its advantage, if any, should show in the last epochs.

fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
for key in (CONSTANT, SCHEDULED):
    runs = report_runs(study, key)
    epochs = [entry["epoch"] for entry in runs[0].history]
    mean = [sum(run.history[i]["test_accuracy"] for run in runs) / len(runs) * 100
            for i in range(len(epochs))]
    ax.plot(epochs, mean, styles[key], marker="o", color=COLORS["sgd"],
            label=f"{label(key)}, lr {rows[key].lr:g}")
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy (%), mean over seeds")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
# Seed by seed
# ------------
# Constant minus decaying, per report seed, on both metrics (for the loss the sign is turned
# so that above zero always favours the constant rate), with the mean and its 95 % interval.

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
for ax, metric, scale, sign in ((axes[0], "test_accuracy", 100, 1), (axes[1], "test_loss", 1, -1)):
    a, b = report_scores(study, CONSTANT, metric), report_scores(study, SCHEDULED, metric)
    diff = paired_difference(a, b) if sign > 0 else paired_difference(b, a)
    per_seed = [sign * (a[s] - b[s]) * scale for s in sorted(a)]
    ax.scatter(range(len(per_seed)), per_seed, color=COLORS["sgd"], zorder=3)
    ax.axhline(diff.mean * scale, color="black")
    ax.axhspan(diff.low * scale, diff.high * scale, color="0.85")
    ax.axhline(0, color="0.4", linestyle="--")
    ax.set_xticks(range(len(per_seed)), [str(s) for s in sorted(a)])
    ax.set_xlabel("report seed")
    ax.set_title("accuracy, constant minus cosine (points)" if sign > 0
                 else "loss, cosine minus constant")
fig.suptitle("Above zero favours the constant rate; grey: 95 % interval of the mean")
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.protocol.constant_rate_suffices` applies the rule stated at the top
# to both metrics.

verdict = constant_rate_suffices(study, CONSTANT, SCHEDULED)
print(verdict.line())
print(verdict.flip)
