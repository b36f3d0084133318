"""
AdamW against Adam with an L2 penalty, both tuned with the same effort
=======================================================================

The claim, a practitioners' rule since Loshchilov and Hutter (2019): **decoupled weight decay
(AdamW) substantially improves Adam's generalization** over the usual L2 penalty. The
article does not discuss weight decay; this is the site's own question, asked because both
libraries now ship AdamW as an optimizer of its own (``torch.optim.AdamW``,
``keras.optimizers.AdamW``; see :doc:`/guide/adamw`).

The two methods differ in one line (:class:`optguide.optimizers.Adam`): an L2 penalty adds
:math:`\\lambda\\theta` to the gradient, which Adam then divides by the root of its running
mean of squared gradients, so weights with large gradients are barely pulled towards zero;
decoupled decay shrinks every weight by the factor :math:`1 - \\eta\\lambda` at each step,
outside that division. This example trains both in a setting chosen to give a regulariser
work to do: the 784-128-10 MLP on 5,000 training images for 10 epochs
(:data:`optguide.weight_decay.SETTING`).

**Equal effort**: each method searches 3 learning rates x 4 decays, 12 trials on the same two
selection seeds, with its decay grid placed where that kind of decay acts
(:data:`optguide.weight_decay.DECAYS`); validation accuracy chooses, the test set only reports,
on ten other seeds. Adam without decay, with its learning rate chosen from the same grid, is
shown for reference.

**How it could be refuted** (the rule, fixed before the numbers): AdamW minus Adam + L2 in
test accuracy, paired seed by seed; the 95 % interval above zero confirms; below zero, or the
two equivalent within 0.2 points (:data:`~optguide.analysis.stats.EQUIVALENCE_MARGIN`), refutes;
otherwise inconclusive. The grids were revised once after a first run; the revision is printed
below.

The runs are published with the site (:mod:`optguide.shared_runs`); every build re-trains a
random sample of them and checks that they agree.
"""

# %%
# The search
# ----------
# Every trial's validation accuracy (mean of the two selection seeds).

import matplotlib.pyplot as plt
import numpy as np

from optguide import weight_decay
from optguide.analysis.stats import paired_difference
from optguide.claims.regularization import decoupled_beats_l2

study = weight_decay.run()
print(weight_decay.REVISION)
for method, choice in study.choices.items():
    edge = " (at the edge of its decay grid)" if choice.at_edge else ""
    print(f"{weight_decay.LABELS[method]:>15}: lr {choice.lr:g}, decay {choice.decay:g}, "
          f"validation {100 * choice.val_accuracy:.2f} %{edge}")

# %%
# Validation accuracy over each method's grid
# -------------------------------------------
# Each cell is one trial; the box marks the choice. The two decay axes differ on purpose: a
# decoupled decay of 0.1 at learning rate 0.003 shrinks the weights by 0.03 % per step, an L2
# coefficient acts through the gradient.

fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4), layout="constrained")
rates = weight_decay.LEARNING_RATES
for ax, method in zip(axes, ("l2", "decoupled")):
    decays = weight_decay.DECAYS[method]
    grid = np.array([[100 * study.trials[method][(lr, d)] for d in decays] for lr in rates])
    image = ax.imshow(grid, cmap="viridis", vmin=grid.max() - 5, vmax=grid.max(),
                      aspect="auto")
    for i in range(len(rates)):
        for j in range(len(decays)):
            ax.text(j, i, f"{grid[i, j]:.1f}", ha="center", va="center", fontsize=9,
                    color="white" if grid[i, j] < grid.max() - 2.5 else "black")
    choice = study.choices[method]
    ax.add_patch(plt.Rectangle((decays.index(choice.decay) - 0.5, rates.index(choice.lr) - 0.5),
                               1, 1, fill=False, edgecolor="red", linewidth=2))
    ax.set_xticks(range(len(decays)), [f"{d:g}" for d in decays])
    ax.set_yticks(range(len(rates)), [f"{r:g}" for r in rates])
    ax.set_xlabel("L2 coefficient" if method == "l2" else "decoupled decay")
    ax.set_title(weight_decay.LABELS[method])
axes[0].set_ylabel("learning rate")
fig.colorbar(image, ax=axes, label="validation accuracy (%)", shrink=0.9)
plt.show()

# %%
# One dot per seed
# ----------------
# The chosen trials on the ten report seeds; a line joins the runs of one seed (same initial
# weights, same minibatch order).

order = ("l2", "decoupled", "none")
fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
for seed in study.rows["l2"].scores:
    ax.plot(range(3), [100 * study.rows[m].scores[seed] for m in order], color="0.75",
            linewidth=0.8, zorder=1)
for x, method in enumerate(order):
    values = [100 * v for v in study.rows[method].scores.values()]
    ax.scatter([x] * len(values), values, s=28, zorder=2, color=weight_decay.COLORS[method])
ax.set_xticks(range(3), [weight_decay.LABELS[m] for m in order])
ax.set_ylabel("final test accuracy (%)")
ax.grid(axis="y", alpha=0.3)
plt.show()

diff = paired_difference(study.rows["decoupled"].scores, study.rows["l2"].scores)
print(f"AdamW minus Adam + L2: {diff.format()}")

# %%
# Verdict
# -------
# :func:`optguide.claims.regularization.decoupled_beats_l2` applies the rule stated at the top.

verdict = decoupled_beats_l2(study)
print(verdict.line())
print(verdict.flip)
