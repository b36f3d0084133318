"""The article's claims about training on MNIST: one module per gallery example.

This module gathers them for convenience; the verdict logic lives in
:mod:`~optguide.claims.defaults`, :mod:`~optguide.claims.tuning`,
:mod:`~optguide.claims.noise`, :mod:`~optguide.claims.speed`, :mod:`~optguide.claims.cnn`
and :mod:`~optguide.claims.variants`; the numbers they rest on come from
:mod:`optguide.analysis`.
"""

from __future__ import annotations

from .cnn import ranking_holds_for_cnn
from .defaults import adadelta_is_worst, adam_is_best_default
from .noise import rmsprop_tames_noise
from .speed import adam_is_faster
from .tuning import adam_needs_least_tuning
from .variants import minibatch_is_middle_ground

__all__ = ["adam_is_best_default", "adadelta_is_worst", "adam_needs_least_tuning",
           "rmsprop_tames_noise", "adam_is_faster", "ranking_holds_for_cnn",
           "minibatch_is_middle_ground"]
