"""Paired statistics on hand-made numbers."""

import math

import pytest

from optguide.analysis import laggards, leaders, mean_ci, paired_difference, t_quantile_975


def test_t_quantiles_match_the_table_and_approach_the_normal():
    assert t_quantile_975(1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile_975(4) == pytest.approx(2.776, abs=1e-3)
    assert t_quantile_975(40) == pytest.approx(2.021, abs=2e-3)
    assert t_quantile_975(120) == pytest.approx(1.980, abs=2e-3)
    with pytest.raises(ValueError):
        t_quantile_975(0)


def test_mean_ci_by_hand():
    # values 1, 2, 3: mean 2, sd 1, n 3 -> half width t(2) * 1 / sqrt(3) = 4.3027 / 1.732
    estimate = mean_ci([1.0, 2.0, 3.0])
    assert estimate.mean == 2.0 and estimate.n == 3
    assert estimate.half_width == pytest.approx(4.3027 / math.sqrt(3), rel=1e-4)
    assert estimate.format(scale=1, digits=2) == "2.00 ± 2.48 (n = 3)"


def test_a_single_run_shows_n_1_never_plus_minus_zero():
    estimate = mean_ci([0.9731])
    assert estimate.half_width is None
    text = estimate.format(unit=" %")
    assert text == "97.31 % (n = 1)" and "±" not in text
    assert not paired_difference({0: 0.9}, {0: 0.8}).separated


def test_paired_interval_separates_a_consistent_small_lead():
    # b is always 0.5 points below a: the unpaired spread is large, the paired one tiny.
    a = {0: 0.90, 1: 0.95, 2: 0.92, 3: 0.97, 4: 0.93}
    b = {s: v - 0.005 + (0.0001 if s % 2 else -0.0001) for s, v in a.items()}
    difference = paired_difference(a, b)
    assert difference.separated and difference.sign == 1
    assert difference.low > 0
    assert paired_difference(b, a).sign == -1


def test_paired_interval_does_not_separate_noise():
    a = {0: 0.91, 1: 0.93, 2: 0.92}
    b = {0: 0.92, 1: 0.92, 2: 0.915}
    difference = paired_difference(a, b)
    assert not difference.separated and difference.sign == 0
    assert difference.low < 0 < difference.high


def test_only_common_seeds_are_paired():
    assert paired_difference({0: 1.0, 1: 2.0, 5: 9.0}, {0: 0.0, 1: 1.0, 7: 0.0}).n == 2
    with pytest.raises(ValueError, match="share no seed"):
        paired_difference({0: 1.0}, {1: 1.0})


def test_leaders_are_the_options_tied_with_the_best():
    scores = {"adam": {0: 0.975, 1: 0.976, 2: 0.974},
              "rmsprop": {0: 0.974, 1: 0.977, 2: 0.973},    # tied with Adam
              "sgd": {0: 0.90, 1: 0.901, 2: 0.899},          # clearly behind
              "adadelta": {0: 0.70, 1: 0.72, 2: 0.71}}       # clearly last
    assert leaders(scores) == ["adam", "rmsprop"]
    assert laggards(scores) == ["adadelta"]
