"""optguide: a guide to deep-learning optimizers in which every claim is an experiment that runs.

Subpackages and modules, one job each: :mod:`optguide.optimizers` (the algorithms and their
presets), :mod:`optguide.data` (MNIST as tensors), :mod:`optguide.models`,
:mod:`optguide.train`, :mod:`optguide.compare`, :mod:`optguide.results`,
:mod:`optguide.report`, :mod:`optguide.plots`, :mod:`optguide.cli`.
"""

__version__ = "0.1.0"
