"""
A convolutional network: does the ranking carry over?
=====================================================

This site's main comparison uses a multilayer perceptron, and the article's FAQ turns to
convolutional networks: would the ranking be the same with one? This example trains the site's small CNN
(two convolutions with pooling, then one linear layer) with the five optimizers at PyTorch's
defaults and compares their ranking with the MLP's under exactly the same settings. The claim
tested: **the optimizers rank the same on a CNN as on the MLP**. A CNN trains one run at a
time on the CPU, so to fit the documentation's build budget both models train on a subset of
the training images for a few epochs with three seeds (printed below; the full test set
measures accuracy). The MLP's accuracies on this page are therefore not those of the main
comparison (all training images, more epochs, several seeds): compare the two models within
this page, not with the main table.
"""

# %%
# The two networks
# ----------------
# The CNN has far fewer weights than the MLP, shared across the image by the convolutions.

import matplotlib.pyplot as plt

from optguide.analysis import estimates, ranking, scores
from optguide.claims.cnn import ranking_holds_for_cnn
from optguide.compare import Config, compare
from optguide.models import cnn, count_parameters, mlp
from optguide.plots import COLORS, LABELS, learning_curves, summary_table

print(cnn())
print(f"CNN: {count_parameters(cnn()):,} weights; MLP: {count_parameters(mlp()):,} weights")

# %%
# Same comparison, two models
# ---------------------------
# One configuration, with only the model changed.

MLP = Config(optimizers=("sgd", "adagrad", "adadelta", "rmsprop", "adam"), presets=("pytorch",),
             seeds=(0, 1, 2), model="mlp", epochs=3, batch_size=64, train_size=20_000)
CNN = MLP.replace(model="cnn")

print(f"{MLP.train_size:,} training images, batch {MLP.batch_size}, {MLP.epochs} epochs, "
      f"seeds {', '.join(map(str, MLP.seeds))}, PyTorch's defaults")
on_mlp = compare(MLP)
on_cnn = compare(CNN)
summary_table(on_mlp, "MLP") + summary_table(on_cnn, "CNN")

# %%
# Learning curves
# ---------------
# Test accuracy per epoch for each model, on the same axis.

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
for ax, results, title in ((axes[0], on_mlp, "MLP"), (axes[1], on_cnn, "CNN")):
    learning_curves(results, "test_accuracy", ax=ax)
    ax.set_title(f"{title}, PyTorch's defaults, {MLP.train_size:,} training images")
axes[1].set_ylabel("")
plt.show()

# %%
# Ranking
# -------
# Each optimizer's rank on each model (1: highest final test accuracy, printed next to it);
# a line that crosses another is a change of rank.

orders = {"MLP": ranking(scores(on_mlp)), "CNN": ranking(scores(on_cnn))}
final = {model: {name: estimate.mean * 100 for name, estimate in estimates(scores(results)).items()}
         for model, results in (("MLP", on_mlp), ("CNN", on_cnn))}
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
for name in MLP.optimizers:
    ranks = [orders[model].index(name) + 1 for model in ("MLP", "CNN")]
    ax.plot([0, 1], ranks, marker="o", markersize=9, color=COLORS[name], linewidth=2.5)
    ax.annotate(f"{LABELS[name]} {final['MLP'][name]:.1f} %", (0, ranks[0]), xytext=(-10, 0),
                textcoords="offset points", ha="right", va="center", color=COLORS[name])
    ax.annotate(f"{final['CNN'][name]:.1f} % {LABELS[name]}", (1, ranks[1]), xytext=(10, 0),
                textcoords="offset points", ha="left", va="center", color=COLORS[name])
ax.set_xticks([0, 1], ["MLP", "CNN"])
ax.set_xlim(-0.9, 1.9)
ax.set_ylim(len(MLP.optimizers) + 0.5, 0.5)
ax.set_yticks(range(1, len(MLP.optimizers) + 1))
ax.set_ylabel("rank by final test accuracy")
ax.set_title(f"Ranking after {MLP.epochs} epochs on each model")
ax.spines[["top", "right"]].set_visible(False)
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.cnn.ranking_holds_for_cnn` checks the whole ranking pair by pair:
# every pair of optimizers whose paired 95 % interval separates them on the MLP must keep its
# order on the CNN; a separated reversal refutes the claim. Kendall's tau of the mean orders
# is quoted (1: identical).

verdict = ranking_holds_for_cnn(on_mlp, on_cnn)
print(verdict.line())
print(verdict.flip)
