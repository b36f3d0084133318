"""
The article's experiment: five optimizers at PyTorch's defaults
===============================================================

The article compares SGD, Adagrad, Adadelta, RMSprop and Adam on MNIST, each "with its
default settings", and concludes that **Adam is the best default optimizer**. This example
runs that comparison on this site's setup (a small MLP, a batch size and a number of epochs
chosen here: the article does not state its own), every optimizer at PyTorch's defaults,
with several seeds, so that a difference between two optimizers can be told apart from the
luck of one initialization. Nothing is reduced: these are the site's main runs
(:data:`optguide.experiments.SITE_COMPARISON`), computed once and shared with the other
pages through the results cache.
"""

# %%
# The experiment
# --------------
# :data:`~optguide.experiments.SITE_COMPARISON` holds both libraries' defaults; this page
# looks at PyTorch's, the next one
# (:ref:`sphx_glr_auto_examples_mnist_plot_keras_vs_pytorch_defaults.py`) at Keras'.
# "Default settings" means every constructor argument left at its default; the ones that
# matter here are read from :func:`optguide.optimizers.hyperparameters`:

import time

import matplotlib.pyplot as plt

from optguide.analysis import final_metric, where
from optguide.analysis.names import OPTIMIZER_NAMES
from optguide.claims.defaults import adam_is_best_default
from optguide.compare import compare
from optguide.experiments import SITE_COMPARISON
from optguide.optimizers import hyperparameters
from optguide.plots import COLORS, learning_curves, summary_table

PRESET = "pytorch"
config = SITE_COMPARISON
print(f"model {config.model}, batch {config.batch_size}, {config.epochs} epochs, "
      f"seeds {config.seeds}, training images: {config.train_size or 'all'}")
for name in config.optimizers:
    settings = {key: value for key, value in hyperparameters(name, PRESET).items()
                if key in ("lr", "alpha", "rho", "betas", "eps", "initial_accumulator_value")}
    print(f"{OPTIMIZER_NAMES[name]:>9}: "
          + ", ".join(f"{key}={value}" for key, value in settings.items()))

# %%
# Train (or read from the cache) and keep the PyTorch runs
# --------------------------------------------------------
# :func:`optguide.compare.compare` trains all runs of the site comparison together the first
# time and reads them from the cache afterwards.

start = time.perf_counter()
site = compare(config)
print(f"{len(site.runs)} runs {'read from the cache' if site.from_cache else 'trained'} "
      f"in {time.perf_counter() - start:.0f} s")
results = where(site, preset=PRESET)
summary_table(results)

# %%
# Learning curves
# ---------------
# The line is the mean over the seeds, the band spans the lowest and the highest seed. A
# curve that is still climbing when training ends suggests that more epochs could help that
# optimizer; this page does not test it.

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
learning_curves(results, "test_accuracy", ax=left)
learning_curves(results, "test_loss", ax=right)
left.set_title("Test accuracy per epoch")
right.set_title("Test loss per epoch")
fig.suptitle(f"MLP on MNIST, PyTorch's defaults, batch {config.batch_size}, "
             f"{len(config.seeds)} seeds")
plt.show()

# %%
# Is the best optimizer clearly the best?
# ---------------------------------------
# Each dot is one seed's final test accuracy. A comparison with one run per optimizer sees
# one dot per column: where two columns' dots overlap, a single run could have put either
# optimizer first.

fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
for position, name in enumerate(config.optimizers):
    finals = [final_metric(run) * 100 for run in results.select(optimizer=name)]
    ax.scatter([position] * len(finals), finals, color=COLORS[name], s=36, zorder=3)
    ax.hlines(sum(finals) / len(finals), position - 0.25, position + 0.25, color=COLORS[name])
ax.set_xticks(range(len(config.optimizers)), [OPTIMIZER_NAMES[n] for n in config.optimizers])
ax.set_ylabel("final test accuracy (%)")
ax.set_title(f"Final test accuracy after {config.epochs} epochs, one dot per seed")
ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# Verdict
# -------
# :func:`optguide.claims.defaults.adam_is_best_default` judges the claim under both
# libraries' defaults and counts a lead only when the 95 % interval of the per-seed
# differences excludes zero.

verdict = adam_is_best_default(site)
print(verdict.line())
print(verdict.flip)
