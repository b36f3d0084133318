"""
Adagrad against SGD: under each library's defaults and with tuned learning rates
================================================================================

The claim: **Adagrad performs better than SGD**. Stated without a setting, it can mean "at
the values a library ships" or "each at its best learning rate", and the two need not agree:
a default learning rate is one number a library picked, and the two libraries pick different
ones for both optimizers. This example answers the claim in three columns, the same network trained
on the same seeds: PyTorch's defaults, Keras' defaults, and each learning rate tuned on
validation (:data:`~optguide.experiments.SITE_STUDY`). It trains nothing of its own: it reads
the site's two experiments from the results cache.

**How it could be refuted** (written before looking at the numbers): in a column where SGD's
final test accuracy is above Adagrad's and the 95 % interval of the per-seed differences
excludes zero, the claim fails. Failing in every column refutes it; holding in every column
confirms it; holding in one column and failing in another makes the answer depend on the
column; where an interval includes zero that column cannot tell.
"""

# %%
# The experiment
# --------------
# Both experiments report on the same seeds (10 to 14), and a seed fixes the initial weights
# and the order of the minibatches, so each Adagrad run has an SGD twin that differs only by
# the optimizer (and, between columns, by the learning rate and the other default values).

import matplotlib.pyplot as plt

from optguide.analysis.headline import default_rows, tuned_rows
from optguide.analysis.names import COLORS, possessive
from optguide.analysis.stats import paired_difference
from optguide.claims.protocol import adagrad_beats_sgd
from optguide.compare import compare
from optguide.experiments import SITE_COMPARISON, SITE_STUDY
from optguide.tune import tune

defaults = compare(SITE_COMPARISON)
study = tune(SITE_STUDY)
columns = {f"{possessive(p)} defaults": default_rows(defaults, p)
           for p in SITE_COMPARISON.presets}
columns["tuned on validation"] = tuned_rows(study)
for title, rows in columns.items():
    print(f"{title:>22}: " + "; ".join(
        f"{rows[k].label} lr {rows[k].lr:g} {rows[k].test.format(unit=' %')}"
        for k in ("adagrad", "sgd")))

# %%
# One dot per seed
# ----------------
# A line joins the Adagrad run and the SGD run of the same seed: lines that all slope the
# same way are a difference the seeds agree on.

fig, axes = plt.subplots(1, len(columns), figsize=(11, 3.8), layout="constrained")
for ax, (title, rows) in zip(axes, columns.items()):
    for seed in rows["adagrad"].scores:
        pair = [rows[k].scores[seed] * 100 for k in ("adagrad", "sgd")]
        ax.plot([0, 1], pair, color="0.6", linewidth=0.8, zorder=1)
    for x, key in enumerate(("adagrad", "sgd")):
        values = [v * 100 for v in rows[key].scores.values()]
        ax.scatter([x] * len(values), values, color=COLORS[key], s=30, zorder=2)
    ax.set_xticks([0, 1], [f"{rows[k].label}\nlr {rows[k].lr:g}" for k in ("adagrad", "sgd")])
    ax.set_xlim(-0.5, 1.5)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
axes[0].set_ylabel("final test accuracy (%)")
fig.suptitle("Adagrad and SGD, seed by seed (each panel has its own scale)")
plt.show()

# %%
# The paired differences
# ----------------------
# Adagrad minus SGD per column, the mean over seeds with its 95 % interval: right of zero
# Adagrad is ahead, and a difference counts only when the whole interval is on one side.

differences = {title: paired_difference(rows["adagrad"].scores, rows["sgd"].scores)
               for title, rows in columns.items()}
fig, ax = plt.subplots(figsize=(7, 2.6), layout="constrained")
for y, diff in enumerate(differences.values()):
    ax.errorbar(diff.mean * 100, y, xerr=[[(diff.mean - diff.low) * 100],
                                          [(diff.high - diff.mean) * 100]],
                fmt="o", color="black", capsize=4)
ax.axvline(0, color="0.5", linestyle="--")
ax.set_yticks(range(len(differences)), list(differences))
ax.set_ylim(len(differences) - 0.5, -0.5)
ax.set_xlabel("Adagrad minus SGD, test accuracy (points), 95 % interval")
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.protocol.adagrad_beats_sgd` applies the rule stated at the top to
# each column.

verdict = adagrad_beats_sgd(defaults, study)
print(verdict.line())
print(verdict.flip)
