"""The experiments the site shows, defined once.

Pages and examples import these instead of restating numbers, so the table on the home page,
the comparison page and the gallery all describe the same runs (and share one cache entry).
"""

from __future__ import annotations

from .compare import Config
from .optimizers import OPTIMIZERS, PRESETS

#: The article's experiment, done properly: the 784-128-10 MLP on all of MNIST, batch 64,
#: 5 epochs, every optimizer under both libraries' defaults, 3 seeds.
SITE_COMPARISON = Config(optimizers=tuple(OPTIMIZERS), presets=tuple(PRESETS), seeds=(0, 1, 2),
                         model="mlp", epochs=5, batch_size=64)

