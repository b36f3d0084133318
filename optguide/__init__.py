"""optguide: a guide to deep-learning optimizers in which every claim is an experiment that runs.

Subpackages and modules, one job each: :mod:`optguide.optimizers` (the algorithms and their
presets), :mod:`optguide.data` (MNIST as tensors), :mod:`optguide.models`,
:mod:`optguide.train`, :mod:`optguide.executor`, :mod:`optguide.compare`,
:mod:`optguide.results`, :mod:`optguide.report`, :mod:`optguide.plots`, :mod:`optguide.cli`.
"""

import os as _os

# Before torch loads (OpenMP reads this once): idle OpenMP threads sleep instead of spinning.
# Spinning threads steal the cores of other jobs on a shared machine, and every job then waits
# for its own descheduled threads (measured: two comparisons at once 4.9x slower than one).
# A value the user set is kept.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
