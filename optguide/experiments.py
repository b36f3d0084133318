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

#: The probe of the hyperparameters other than the learning rate (the learning-rate sweep
#: example): each optimizer at its rate chosen in :data:`SITE_STUDY`, one hyperparameter moved
#: at a time, everything else at PyTorch's defaults. Kept cheap: 10,000 training images,
#: 2 epochs, the selection seeds (choices read validation accuracy).
PROBE = Config(optimizers=("adam",), presets=("pytorch",), seeds=SELECT_SEEDS, model="mlp",
               epochs=2, batch_size=SITE_STUDY.batch_size, train_size=10_000)

#: Optimizer -> hyperparameter -> the values :data:`PROBE` tries besides PyTorch's default:
#: one below and one above it for the adaptive optimizers (Adagrad's initial accumulator,
#: 0 by default, at 0.01 and 0.1); for SGD its second knob as practitioners turn it, momentum
#: (0 in both libraries' defaults) at 0.5 and 0.9.
OTHER_HYPERPARAMETERS: dict[str, dict[str, tuple]] = {
    "adam": {"betas": ((0.9, 0.99), (0.9, 0.9999)), "eps": (1e-10, 1e-6)},
    "rmsprop": {"alpha": (0.9, 0.999), "eps": (1e-10, 1e-6)},
    "adadelta": {"rho": (0.8, 0.95), "eps": (1e-8, 1e-4)},
    "adagrad": {"eps": (1e-12, 1e-8), "initial_accumulator_value": (0.01, 0.1)},
    "sgd": {"momentum": (0.5, 0.9)},
}
