"""
Can SGD outperform Adam once both are tuned with equal effort?
==============================================================

The claim: **SGD can outperform Adam**. "Can" asks for one fair setting in which it does. At
library defaults the question is mostly about the default learning rates (see the first
examples of this gallery). Tuned, it is about the tuning: a comparison that gives SGD momentum,
Nesterov and a learning-rate schedule but leaves Adam at a constant rate and its library betas
measures the tuning, not the optimizer (:ref:`Choi et al. 2019 <ref-choi2019>`). So this example
reads the site's equal-effort study (:func:`optguide.study.site_study`): SGD searched over its
learning rate, momentum (0 to 0.999), Nesterov on or off and the schedule; Adam over its
learning rate, beta1, beta2, epsilon and the same schedules; the same 32 trials from one Sobol
sequence, chosen on validation over three seeds, reported on ten others. Nothing new is trained
here.

**How it could be refuted** (written before looking at the numbers): tuned Adam's final test
accuracy reliably above tuned SGD's (the paired 95 % interval over the report seeds excludes
zero), or the two equivalent within the declared margin of 0.2 points
(:data:`~optguide.analysis.stats.EQUIVALENCE_MARGIN`: then SGD does not outperform Adam here),
refutes the claim on this problem; SGD reliably ahead confirms it; an interval that includes
zero but reaches beyond the margin cannot tell.
"""

# %%
# What each search chose
# ----------------------

import matplotlib.pyplot as plt

from optguide.analysis.names import COLORS, optimizer_name
from optguide.analysis.stats import paired_difference
from optguide.analysis.study import rows, trial_scores, trial_values
from optguide.claims.protocol import sgd_can_beat_adam
from optguide.study import site_study

KEYS = ("sgd", "adam")
study = site_study()
tuned = rows(study, "full")
for key in KEYS:
    row = tuned[key]
    print(f"{optimizer_name(key):>5}: {row.chosen} (validation {row.val_accuracy * 100:.2f} %), "
          f"test {row.test.format(unit=' %')}")

# %%
# Every trial of the two searches
# -------------------------------
# Each point is one trial: its mean final validation accuracy over the selection seeds against
# its learning rate (circles: constant rate, squares: cosine decay, triangles: warm-up then
# cosine); the ringed point was chosen. The test set plays no part in this figure.

markers = {"constant": "o", "cosine": "s", "warmup+cosine": "^"}
fig, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
for key in KEYS:
    for trial, values in trial_scores(study, "full", key).items():
        spec = trial_values(study, "full", key, trial)
        mean = 100 * sum(values.values()) / len(values)
        ax.plot(spec["lr"], max(mean, 80), markers[spec["schedule"]], color=COLORS[key],
                alpha=0.8, label=optimizer_name(key) if trial == 0 else None)
    ax.plot(tuned[key].lr, tuned[key].val_accuracy * 100, "o", markersize=14, mfc="none",
            color=COLORS[key])
ax.set_xscale("log")
ax.set_ylim(80, 100)
ax.set_xlabel("learning rate")
ax.set_ylabel("mean validation accuracy (%)\n(below 80 % drawn at 80)")
ax.legend(loc="lower left")
ax.grid(alpha=0.3)
plt.show()

# %%
# Test accuracy of the two choices, seed by seed
# ----------------------------------------------
# Left: each report seed's final test accuracy (lines join the two runs of one seed). Right:
# SGD minus Adam, the mean over seeds with its 95 % interval, and the equivalence margin
# (shaded).

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for seed in tuned["adam"].scores:
    left.plot([0, 1], [tuned[k].scores[seed] * 100 for k in KEYS], color="0.7", linewidth=0.8)
for x, key in enumerate(KEYS):
    values = [v * 100 for v in tuned[key].scores.values()]
    left.scatter([x] * len(values), values, color=COLORS[key], s=30, zorder=2)
left.set_xticks([0, 1], [optimizer_name(k) for k in KEYS])
left.set_xlim(-0.5, 1.5)
left.set_ylabel("final test accuracy (%)")
left.grid(axis="y", alpha=0.3)
diff = paired_difference(tuned["sgd"].scores, tuned["adam"].scores)
right.axvspan(-0.2, 0.2, color="0.9", label="equivalence margin")
right.errorbar(diff.mean * 100, 0, xerr=[[(diff.mean - diff.low) * 100],
                                         [(diff.high - diff.mean) * 100]],
               fmt="o", color=COLORS["sgd"], capsize=4)
right.axvline(0, color="0.5", linestyle="--")
right.set_yticks([0], ["SGD minus Adam"])
right.set_xlabel("test accuracy difference (points), 95 % interval")
right.legend(loc="upper right", fontsize="small")
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.protocol.sgd_can_beat_adam` applies the rule stated at the top.

verdict = sgd_can_beat_adam(study, ("sgd",))
print(verdict.line())
print(verdict.flip)
