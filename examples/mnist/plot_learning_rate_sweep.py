"""
Which optimizer needs the least tuning? Tuning curves of an equal-effort search
===============================================================================

The article recommends Adam as the best default optimizer; the claim tested here is the one
often attached to that advice, that **Adam needs the least tuning**. It is read from the site's
equal-effort study (:func:`optguide.study.site_study`): every optimizer searched 32 trials of
its own space (learning rate, its other hyperparameters, the schedule; the comparison page
lists the ranges), the same Sobol points for all, each trial trained on six seeds (three that
choose, three that check). Nothing new is trained here.

A **tuning curve** (:ref:`Dodge et al. 2019 <ref-dodge2019>`) is the best validation accuracy
found after k trials, in expectation over every order in which the trials could have been run.
An optimizer that needs little tuning finds nearly its best in a few trials. So the measure is
the **shortfall**: the best of all 32 trials minus the expected best of the first
:data:`~optguide.claims.tuning.FEW_TRIALS` = 4, per seed (a curve that starts high only
because the optimizer is better everywhere does not count as needing less tuning).

**How it could be refuted** (written before looking at the numbers): another optimizer's
shortfall reliably smaller than Adam's (the paired interval over the six seeds excludes zero
after Holm's correction over the four comparisons) refutes the claim; Adam's reliably smaller
than some and not reliably larger than, or equivalent to, every other confirms it; intervals
that include zero leave it inconclusive. (This replaces an earlier reading, the width of each
optimizer's good learning-rate range on two seeds, which could not decide with one degree of
freedom, and a count of "hyperparameters that need tuning" that could not come out for Adam.)
"""

# %%
# The tuning curves
# -----------------
# The line is the expected best mean validation accuracy (selection seeds) after k trials, the
# band the middle half (quartiles) of that best over the orders of the trials. The test set plays
# no part here.

import matplotlib.pyplot as plt

from optguide.analysis.names import COLORS, optimizer_name
from optguide.analysis.study import optimizers, tuning_curve
from optguide.claims.tuning import FEW_TRIALS, adam_needs_least_tuning, shortfalls
from optguide.plots import tuning_curves
from optguide.study import site_study

study = site_study()
tuning_curves(study)
plt.show()

for name in optimizers(study):
    curve = tuning_curve(study, name)
    print(f"{optimizer_name(name):>8}: expected best after 1, {FEW_TRIALS} and {len(curve)} "
          f"trials {curve[0][1] * 100:.2f}, {curve[FEW_TRIALS - 1][1] * 100:.2f}, "
          f"{curve[-1][1] * 100:.2f} %")

# %%
# The shortfall after a few trials, seed by seed
# ----------------------------------------------
# Each dot is one of the six seeds: how much validation accuracy the best of 32 trials has
# over the expected best of the first four on that seed. Lower needs less tuning.

fig, ax = plt.subplots(figsize=(7.5, 3.6), layout="constrained")
names = optimizers(study)
for x, name in enumerate(names):
    values = [100 * v for v in shortfalls(study, name).values()]
    ax.scatter([x] * len(values), values, color=COLORS[name], s=30)
    ax.plot([x - 0.2, x + 0.2], [sum(values) / len(values)] * 2, color="black")
ax.set_xticks(range(len(names)), [optimizer_name(n) for n in names])
ax.set_yscale("symlog", linthresh=1)
ax.set_ylabel(f"shortfall after {FEW_TRIALS} trials\n(points; log scale beyond 1)")
ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.tuning.adam_needs_least_tuning` applies the rule stated at the top.

verdict = adam_needs_least_tuning(study)
print(verdict.line())
print(verdict.flip)
