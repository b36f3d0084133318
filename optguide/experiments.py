"""The experiments the site shows, defined once.

Pages and examples import these instead of restating numbers, so the table on the home page,
the comparison page and the gallery all describe the same runs (and share one cache entry).

Both train on the same 50,000 images (10,000 of the 60,000 training images are held out for
validation) and report on the same seeds, so a default column and the tuned column pair
seed by seed.
"""

from __future__ import annotations

from .compare import Config
from .optimizers import OPTIMIZERS, PRESETS
from .tune import Study

#: Seeds that report test accuracy, in the comparison and in the tuned study alike.
REPORT_SEEDS = (10, 11, 12, 13, 14)
#: Seeds that choose the tuned learning rates (never used to report).
SELECT_SEEDS = (0, 1)

#: Every optimizer under both libraries' defaults: the 784-128-10 MLP on MNIST, batch 64,
#: 5 epochs, the report seeds.
SITE_COMPARISON = Config(optimizers=tuple(OPTIMIZERS), presets=tuple(PRESETS),
                         seeds=REPORT_SEEDS, model="mlp", epochs=5, batch_size=64)

#: The same setting with each learning rate tuned on validation (PyTorch's values for every
#: other hyperparameter), plus SGD with Nesterov momentum and a cosine schedule.
SITE_STUDY = Study(preset="pytorch", select_seeds=SELECT_SEEDS, report_seeds=REPORT_SEEDS,
                   model="mlp", epochs=5, batch_size=64)
