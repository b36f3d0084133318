"""
Do default values make the comparison fair? The ranking before and after tuning
================================================================================

The claim: **default values make the comparison fair**: running every optimizer "with its
default settings" gives each the same chance, so the ranking that comes out is a ranking of
the optimizers. A default is one library's choice of learning rate, though, and the two
libraries choose differently. If defaults were fair, tuning every optimizer with the same
effort would leave the ranking where it was. This example reads the site's equal-effort study
(:func:`optguide.study.site_study`; the comparison page describes it): the ranking under each
library's defaults against the ranking with every optimizer's learning rate, other
hyperparameters and schedule searched with the same budget of trials, chosen on validation,
all reported on the same ten seeds. Nothing new is trained here.

**How it could be refuted**: the comparison is read pair by pair. A pair of optimizers has an
order at the defaults and one tuned (ahead, behind, or not separated by its paired 95 %
interval over the report seeds). The claim is refuted for a library when some pair changes
its order *reliably*: the gap between the two moved with tuning by more than the noise (the
per-seed gap at the defaults minus the per-seed gap tuned has a paired interval that excludes
zero after Holm's correction over the pairs that changed; each table's orders are read with
Holm's correction over its ten pairs). Every pair keeping its order confirms it; orders that
differ only within the noise, or rankings that separate nothing, leave it inconclusive; the
answer differing between the libraries makes it depend on whose defaults. Two parts of this
rule were revised after builds had been seen, and are kept: a first version compared tie
groups (a build in which the tuned optimizers formed one tie group around the leader found
nothing to compare although tuning had closed a gap of 25 points), and a pair counts as
changed by tuning only when tuning changed one of its two configurations (otherwise the two
columns trained the same setting twice). The Holm correction was added with the equal-effort
study, before its numbers were seen.
"""

# %%
# Three rankings of the same optimizers
# -------------------------------------
# :func:`~optguide.analysis.scoring.tie_groups` writes a ranking as the groups the paired
# intervals can tell apart; Kendall's tau compares the orders of the means (1: the same
# order, -1: reversed) as a summary that ignores the noise.

import matplotlib.pyplot as plt

from optguide.analysis.headline import label, tuning_gain
from optguide.analysis.names import COLORS, groups_text
from optguide.analysis.scoring import kendall_tau, ranking, tie_groups
from optguide.analysis.study import optimizers, rows
from optguide.claims.protocol import defaults_make_fair
from optguide.study import site_study

study = site_study()
OPTIMIZERS = optimizers(study)
columns = {"PyTorch's defaults": rows(study, "defaults"),
           "Keras' defaults": rows(study, "keras_defaults"),
           "tuned": rows(study, "full")}
tables = {title: {k: rows[k].scores for k in OPTIMIZERS} for title, rows in columns.items()}
for title, table in tables.items():
    print(f"{title:>18}: {groups_text(tie_groups(table), label)}")
for title, table in tables.items():
    if title != "tuned":
        tau = kendall_tau(ranking(table), ranking(tables["tuned"]))
        print(f"Kendall's tau, {title} against tuned: {tau:+.2f}")

# %%
# Where each optimizer stands
# ---------------------------
# The mean final test accuracy with its 95 % interval in each column; a line per optimizer.
# Lines that cross between a defaults column and the tuned column are a change of order
# (whether it counts is decided by the paired intervals, in the verdict).

fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
for name in OPTIMIZERS:
    means = [columns[t][name].test.mean * 100 for t in columns]
    errors = [(columns[t][name].test.half_width or 0) * 100 for t in columns]
    ax.errorbar(range(len(columns)), means, yerr=errors, marker="o", capsize=3,
                color=COLORS[name], label=label(name))
ax.set_xticks(range(len(columns)), [t if t != "tuned" else "everything tuned"
                                    for t in columns])
ax.set_ylabel("final test accuracy (%)")
ax.set_title("The same optimizers under each library's defaults and tuned")
ax.legend(fontsize="small")
ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# What tuning changed for each optimizer
# --------------------------------------
# Tuned minus defaults, paired over the report seeds, 95 % interval: the gain a default left
# on the table (right of zero), or a default that beat the configuration chosen on validation
# (left of zero).

fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
presets = [t for t in columns if t != "tuned"]
for offset, title in zip((-0.15, 0.15), presets):
    gains = tuning_gain(columns[title], columns["tuned"])
    for y, name in enumerate(OPTIMIZERS):
        diff = gains[name]
        ax.errorbar(diff.mean * 100, y + offset, xerr=[[(diff.mean - diff.low) * 100],
                                                       [(diff.high - diff.mean) * 100]],
                    fmt="o" if offset < 0 else "s", color=COLORS[name], capsize=3,
                    label=title if y == 0 else None, mfc="white" if offset > 0 else None)
ax.axvline(0, color="0.5", linestyle="--")
ax.set_xscale("symlog", linthresh=1)
ax.set_yticks(range(len(OPTIMIZERS)), [label(n) for n in OPTIMIZERS])
ax.invert_yaxis()
ax.set_xlabel("tuned minus defaults, test accuracy (points; log scale beyond 1)")
ax.legend(fontsize="small", title="defaults of")
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.protocol.defaults_make_fair` compares each library's defaults with
# the tuned column pair by pair, by the rule stated at the top; the tie groups are quoted.

verdict = defaults_make_fair(None, study)
print(verdict.line())
print(verdict.flip)
