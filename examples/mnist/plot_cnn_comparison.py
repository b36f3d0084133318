"""
A convolutional network: does the ranking carry over?
=====================================================

This site's main comparison uses a multilayer perceptron; a natural question is whether the
ranking would be the same with a convolutional network. The claim tested: **the
optimizers rank the same on a CNN as on the MLP**, under two conditions: every optimizer at
PyTorch's defaults, and every optimizer at a learning rate tuned on validation for that
model. The whole ranking is compared pair by pair with paired 95 % intervals over three
seeds, so the CNN can keep it, reverse it, or fail to separate it.

A CNN costs far more arithmetic per image than the MLP, so to fit the documentation's build
budget both
models train on 6,000 training images for 2 epochs, choices are made on 5,000 held-out
validation images (the full test set measures accuracy), and the tuning grid is short: for
each optimizer and model, three rates half a decade apart centred on the rate the site's
tuning study chose for the MLP, selected on validation accuracy after one epoch on two
selection seeds. When the best rate sits at an edge of its grid, the grid grows by half a
decade on that side, at most twice, by the site's tuning protocol (:mod:`optguide.tune`); the
chosen rates then train for two epochs on three other seeds. The accuracies on this page are
therefore not those of the main comparison (all training images, more epochs): compare the two
models within this page.
"""

# %%
# The two networks
# ----------------
# The CNN (two convolutions with pooling, then one linear layer) has far fewer weights than
# the MLP, shared across the image by the convolutions.

import matplotlib.pyplot as plt

from optguide.analysis import COLORS, estimates, optimizer_name, scores
from optguide.claims.cnn import ranking_holds_for_cnn
from optguide.compare import Config, compare
from optguide.experiments import SITE_STUDY
from optguide.models import cnn, count_parameters, mlp
from optguide.optimizers import OPTIMIZERS
from optguide.plots import learning_curves, legend_below, summary_table
from optguide.results import Results
from optguide.tune import Choice, Study, choices, grid_around, phases, tune

print(cnn())
print(f"CNN: {count_parameters(cnn()):,} weights; MLP: {count_parameters(mlp()):,} weights")

# %%
# Defaults: same comparison, two models
# -------------------------------------
# One configuration, with only the model changed.

NAMES = tuple(OPTIMIZERS)
SETTING = dict(presets=("pytorch",), batch_size=64, train_size=6_000, validation_size=5_000,
               epochs=2)
SELECT, REPORT = (0, 1), (10, 11, 12)
MLP = Config(optimizers=NAMES, seeds=REPORT, model="mlp", **SETTING)
CNN = MLP.replace(model="cnn")

print(f"{MLP.train_size:,} training images, batch {MLP.batch_size}, {MLP.epochs} epochs, "
      f"report seeds {', '.join(map(str, REPORT))}")
on_mlp = compare(MLP)
on_cnn = compare(CNN)
summary_table(on_mlp, "MLP, PyTorch's defaults") + summary_table(on_cnn, "CNN, PyTorch's defaults")

# %%
# Tuned: each optimizer's rate chosen on validation, per model
# ------------------------------------------------------------
# The grid of each optimizer is centred on its rate in the site's tuning study
# (:data:`~optguide.experiments.SITE_STUDY`, MLP, full data); each model chooses its own rate
# from it in a tuning :class:`~optguide.tune.Study` of its own: validation accuracy after one
# epoch on the selection seeds, the grid widened at an edge at most twice (``WIDENINGS``), the
# chosen rate trained for two epochs on the report seeds.

study_rate = {name: choice.lr
              for name, choice in choices(tune(SITE_STUDY.replace(candidates=NAMES))).items()}
WIDENINGS = 2


def tuned(model: str) -> tuple[Results, dict[str, Choice]]:
    """The report runs of ``model`` at each optimizer's rate chosen on validation, and the
    choices."""
    study = Study(candidates=NAMES, preset="pytorch", model=model,
                  grids={name: grid_around(study_rate[name]) for name in NAMES},
                  select_seeds=SELECT, report_seeds=REPORT, epochs=MLP.epochs, select_epochs=1,
                  batch_size=MLP.batch_size, train_size=MLP.train_size,
                  validation_size=MLP.validation_size, max_widenings=WIDENINGS)
    results = tune(study)
    return phases(results)[1], choices(results)


def described(choice: Choice) -> str:
    """``0.1 (1 widening)``; a rate still at an edge of its widened grid says so."""
    edge = f", still at the grid's edge after {WIDENINGS}" if choice.at_edge else ""
    return (f"{choice.lr:g} ({choice.widenings} widening{'' if choice.widenings == 1 else 's'}"
            f"{edge})")


tuned_mlp, chosen_mlp = tuned("mlp")
tuned_cnn, chosen_cnn = tuned("cnn")
for name in NAMES:
    print(f"{optimizer_name(name):>9}: chosen rate MLP {described(chosen_mlp[name])}, "
          f"CNN {described(chosen_cnn[name])}")

# %%
# Learning curves at the defaults
# -------------------------------
# Test accuracy per epoch for each model, on the same axis.

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
for ax, results, title in ((axes[0], on_mlp, "MLP"), (axes[1], on_cnn, "CNN")):
    learning_curves(results, "test_accuracy", ax=ax)
    ax.set_title(f"{title}, PyTorch's defaults, {MLP.train_size:,} training images")
axes[1].set_ylabel("")
plt.show()

# %%
# The whole ranking, with intervals
# ---------------------------------
# Each optimizer's mean final test accuracy over the report seeds with its 95 % interval, on
# each model, at the defaults (left) and tuned (right).

fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True, layout="constrained")
for ax, (title, pair) in zip(axes, {"PyTorch's defaults": (on_mlp, on_cnn),
                                    "tuned on validation": (tuned_mlp, tuned_cnn)}.items()):
    for x, results in enumerate(pair):
        est = estimates(scores(results))
        for i, name in enumerate(NAMES):
            ax.errorbar(x + (i - 2) * 0.08, est[name].mean * 100,
                        yerr=(est[name].half_width or 0) * 100, fmt="o", capsize=3,
                        color=COLORS[name], label=optimizer_name(name) if x == 0 else None)
    ax.set_xticks([0, 1], ["MLP", "CNN"])
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
axes[0].set_ylabel("final test accuracy (%)")
legend_below(axes[0], ncols=5)
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.cnn.ranking_holds_for_cnn` checks the whole ranking pair by pair,
# at the defaults and tuned: every pair of optimizers whose paired 95 % interval separates
# them on the MLP must keep its order on the CNN; a separated reversal refutes the claim.
# Kendall's tau of the mean orders is quoted (1: identical).

verdict = ranking_holds_for_cnn(on_mlp, on_cnn, tuned=(tuned_mlp, tuned_cnn))
print(verdict.line())
print(verdict.flip)
