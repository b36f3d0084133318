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

#: CPU kernels pinned before torch loads, on x86-64: torch's vectorized kernels at AVX2
#: (``ATEN_CPU_CAPABILITY``) and MKL's matrix products on its AVX2 code path with reproducible
#: results (``MKL_CBWR``, Intel's conditional numerical reproducibility), whatever newer
#: instructions the CPU has. Without them a run's float32 sums are ordered by the CPU model,
#: and runs near the edge of stability (RMSprop at large rates) end several points apart on two
#: machines: the published studies did not re-train within tolerance on a CPU with AVX-512
#: (2026-12-08). Values the user set are kept; :func:`optguide.compare.environment` records
#: the capability torch actually uses.
PINNED_NUMERICS = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}

import platform as _platform  # noqa: E402

if _platform.machine().lower() in ("x86_64", "amd64"):
    for _name, _value in PINNED_NUMERICS.items():
        _os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
