"""The claims tested on synthetic problems: numbers in, verdicts out."""

from __future__ import annotations

import math

import pytest

from optguide.claims import Verdict
from optguide.claims.synthetic import (
    saddle_escape,
    shrinking_hurts,
    shrinking_learning_rate,
    sparse_features,
    sparse_features_in_regimes,
    valley_following,
)


def check_line(verdict: Verdict, outcome: str) -> None:
    assert verdict.outcome == outcome
    assert verdict.line().startswith(f"Verdict: {outcome} - ")
    assert verdict.sentence.endswith(".")
    assert "\n" not in verdict.line()
    assert verdict.flip.endswith(".") and "\n" not in verdict.flip
    assert verdict.flip[0].isupper()


# -- valley following -------------------------------------------------------------------------

def distances(**methods: tuple[float, float]) -> dict[str, dict[str, float]]:
    """Two surfaces; SGD ends 1.0 and 0.1 from the minimum."""
    table = {"Rosenbrock": {"SGD": 1.0}, "Beale": {"SGD": 0.1}}
    for name, (first, second) in methods.items():
        table["Rosenbrock"][name] = first
        table["Beale"][name] = second
    return table


def test_valley_confirmed_when_every_method_beats_sgd_everywhere():
    verdict = valley_following(distances(Adam=(0.01, 0.001), Momentum=(0.5, 0.05)), 300)
    check_line(verdict, "confirmed")
    assert "1 (Rosenbrock) and 0.1 (Beale)" in verdict.sentence
    assert "all 2 surfaces: Adam and Momentum" in verdict.sentence
    assert verdict.numbers["wins"] == {"Adam": 2, "Momentum": 2}
    assert "300 steps" in verdict.sentence


def test_valley_depends_on_a_mixed_record():
    verdict = valley_following(distances(Adam=(0.01, 0.001), Adagrad=(2.0, 0.5),
                                         RMSprop=(0.5, 0.5)), 100)
    check_line(verdict, "depends")
    assert "all 2 surfaces: Adam" in verdict.sentence
    assert "on 1 of 2: RMSprop" in verdict.sentence
    assert "on none: Adagrad" in verdict.sentence


def test_valley_refuted_when_sgd_wins_mostly():
    verdict = valley_following(distances(Adam=(0.5, 0.2), Adagrad=(2.0, 0.5)), 100)
    check_line(verdict, "refuted")


def test_valley_counts_a_diverged_run_as_a_loss():
    verdict = valley_following(distances(Adam=(math.inf, 0.01)), 100)
    assert verdict.numbers["wins"] == {"Adam": 1}
    check_line(verdict, "refuted")  # 1 of 2 is not most


def test_valley_rejects_inconsistent_tables():
    with pytest.raises(ValueError):
        valley_following({}, 10)
    with pytest.raises(ValueError):
        valley_following({"a": {"SGD": 1.0, "Adam": 0.5}, "b": {"SGD": 1.0}}, 10)
    with pytest.raises(ValueError):
        valley_following({"a": {"Adam": 0.5}}, 10)


# -- saddle -----------------------------------------------------------------------------------

def test_saddle_confirmed_when_gd_and_noisy_sgd_are_slow():
    escapes = {"GD": 670, "noisy SGD": 220, "Momentum": 134, "Adam": 25, "RMSprop": 3}
    verdict = saddle_escape(escapes, 1000, 1e-6)
    check_line(verdict, "confirmed")
    assert verdict.numbers["median_others"] == 25
    assert "1e-6" in verdict.sentence
    assert "670 steps" in verdict.sentence and "3-134" in verdict.sentence


def test_saddle_depends_when_noise_rescues_sgd():
    escapes = {"GD": 900, "noisy SGD": 40, "Momentum": 134, "Adam": 25, "RMSprop": 30}
    verdict = saddle_escape(escapes, 1000, 1e-6)
    check_line(verdict, "depends")
    assert "noise" in verdict.sentence


def test_saddle_depends_without_a_rescue_does_not_credit_the_noise():
    escapes = {"GD": 30, "noisy SGD": 35, "Momentum": 134, "Adam": 15, "RMSprop": 20}
    verdict = saddle_escape(escapes, 1000, 1e-6)
    check_line(verdict, "depends")
    assert "rescues" not in verdict.sentence and "with or without noise" in verdict.sentence


def test_saddle_refuted_when_gd_escapes_quickly():
    escapes = {"GD": 20, "noisy SGD": 18, "Momentum": 134, "Adam": 25, "RMSprop": 30}
    check_line(saddle_escape(escapes, 1000, 1e-2), "refuted")


def test_saddle_handles_runs_that_never_escape():
    escapes = {"GD": None, "noisy SGD": None, "Momentum": 134, "Adam": 50, "Adagrad": None}
    verdict = saddle_escape(escapes, 500, 1e-8)
    check_line(verdict, "confirmed")
    assert "needed more than 500 steps" in verdict.sentence
    assert "50-134 (or more than 500)" in verdict.sentence
    assert verdict.numbers["median_others"] == 134
    half = {"GD": None, "noisy SGD": None, "Momentum": 134, "Adam": None}
    assert saddle_escape(half, 500, 1e-8).numbers["median_others"] == math.inf
    check_line(saddle_escape(half, 500, 1e-8), "refuted")  # GD no worse than the median
    assert "(median more than 500)" in saddle_escape(half, 500, 1e-8).sentence
    never = {"GD": None, "noisy SGD": None, "Adam": None}
    check_line(saddle_escape(never, 500, 1e-8), "refuted")  # nobody escapes: GD no worse


def test_saddle_needs_its_runs():
    with pytest.raises(ValueError):
        saddle_escape({"GD": 10, "noisy SGD": 5}, 100, 1e-6)
    with pytest.raises(ValueError):
        saddle_escape({"GD": 10, "Adam": 5}, 100, 1e-6)


# -- sparse features --------------------------------------------------------------------------

def test_sparse_confirmed_refuted_and_tied():
    confirmed = sparse_features({"SGD": 0.786, "Adagrad": 0.888, "Adam": 0.859}, datasets=5)
    check_line(confirmed, "confirmed")
    assert "88.8 %" in confirmed.sentence and "Adam 85.9 %" in confirmed.sentence
    assert "SGD 78.6 %" in confirmed.sentence
    assert "mean of 5 data sets" in confirmed.sentence
    assert confirmed.numbers["difference"] == pytest.approx(0.029)
    assert "inconclusive" in confirmed.flip
    check_line(sparse_features({"SGD": 0.9, "Adagrad": 0.8}), "refuted")
    tied = sparse_features({"SGD": 0.9, "Adagrad": 0.91})
    check_line(tied, "inconclusive")
    assert "within 2 points" in tied.sentence
    assert "data sets" not in tied.sentence


def test_sparse_best_means_against_every_method():
    """Beating SGD is not enough when an adaptive method beats Adagrad."""
    verdict = sparse_features({"SGD": 0.786, "Adagrad": 0.888, "RMSprop": 0.92, "Adam": 0.919})
    check_line(verdict, "refuted")
    assert verdict.numbers["rival"] == "RMSprop"


def test_sparse_margin_and_names():
    accuracy = {"plain": 0.80, "adaptive": 0.84}
    check_line(sparse_features(accuracy, adagrad="adaptive"), "confirmed")
    check_line(sparse_features(accuracy, adagrad="adaptive", margin=0.05), "inconclusive")
    with pytest.raises(ValueError):
        sparse_features({"SGD": 0.8})


# -- shrinking learning rate ------------------------------------------------------------------

def test_shrinking_confirmed():
    ratios = {"Adagrad": 0.19, "RMSprop": 0.99, "Adadelta": 1.5, "Adam": 1.9}
    verdict = shrinking_learning_rate(ratios, early_step=100, late_step=5000)
    check_line(verdict, "confirmed")
    assert "step 100 to step 5000" in verdict.sentence
    assert "factor of 0.19" in verdict.sentence
    assert "0.99 for RMSprop, 1.5 for Adadelta and 1.9 for Adam" in verdict.sentence


def test_shrinking_depends_when_a_fix_shrinks_too():
    verdict = shrinking_learning_rate({"Adagrad": 0.1, "RMSprop": 1.0, "Adadelta": 0.2}, 10, 1000)
    check_line(verdict, "depends")
    assert "Adadelta shrank too" in verdict.sentence


def test_shrinking_refuted_when_adagrad_holds():
    verdict = shrinking_learning_rate({"Adagrad": 0.8, "RMSprop": 1.0, "Adadelta": 1.1}, 10, 1000)
    check_line(verdict, "refuted")


def test_shrinking_needs_its_methods():
    with pytest.raises(ValueError, match="Adadelta"):
        shrinking_learning_rate({"Adagrad": 0.1, "RMSprop": 1.0}, 10, 1000)


def test_sparse_features_in_regimes_reaches_every_outcome():
    ahead, behind, tied = ({"SGD": 0.8, "Adagrad": 0.9}, {"SGD": 0.9, "Adagrad": 0.8},
                           {"SGD": 0.9, "Adagrad": 0.905})
    for regimes, outcome in (({"dense": ahead, "sparse": ahead}, "confirmed"),
                             ({"dense": behind, "sparse": behind}, "refuted"),
                             ({"dense": ahead, "sparse": behind}, "depends"),
                             ({"dense": ahead, "sparse": tied}, "inconclusive")):
        verdict = sparse_features_in_regimes(regimes)
        check_line(verdict, outcome)
        assert "sparse (" in verdict.sentence and "sparse:" in verdict.flip


def test_shrinking_hurts_reaches_every_outcome():
    worse = {"Adagrad": {0: 0.30, 1: 0.32, 2: 0.31}, "RMSprop": {0: 0.20, 1: 0.21, 2: 0.20}}
    better = {"Adagrad": {0: 0.10, 1: 0.11, 2: 0.10}, "RMSprop": {0: 0.20, 1: 0.21, 2: 0.20}}
    tied = {"Adagrad": {0: 0.20, 1: 0.25, 2: 0.15}, "RMSprop": {0: 0.21, 1: 0.20, 2: 0.20}}
    for conditions, outcome in (({"low noise": worse, "high noise": worse}, "confirmed"),
                                ({"low noise": better, "high noise": better}, "refuted"),
                                ({"low noise": worse, "high noise": better}, "depends"),
                                ({"low noise": worse, "high noise": tied}, "inconclusive")):
        verdict = shrinking_hurts(conditions)
        check_line(verdict, outcome)
        assert "high noise" in verdict.sentence and "High noise" not in verdict.flip[1:]
