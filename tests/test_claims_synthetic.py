"""The claims tested on synthetic problems: numbers in, verdicts out."""

from __future__ import annotations

import math

import pytest
from handmade import across_two, check
from wording import says

from optguide.claims.synthetic import (
    saddle_escape,
    shrinking_hurts,
    shrinking_learning_rate,
    sparse_features,
    sparse_features_in_regimes,
    valley_following,
)

# -- valley following -------------------------------------------------------------------------

SPREAD = (1.0, 1.3, 0.8, 1.1, 0.9)  # how SGD's end varies over five start points


def distances(**methods: tuple[float, float]) -> dict[str, dict[str, dict[int, float]]]:
    """Two surfaces, five start points; SGD ends about 1.0 and 0.1 from the minimum.

    Each method ends ``factor`` times SGD's distance from the same start, times a small
    start-dependent wobble (+-3 %), so a factor of 1 is a tie.
    """
    wobble = (1.0, 1.03, 0.97, 1.02, 0.98)
    table = {"Rosenbrock": {"SGD": {r: 1.0 * f for r, f in enumerate(SPREAD)}},
             "Beale": {"SGD": {r: 0.1 * f for r, f in enumerate(SPREAD)}}}
    for name, factors in methods.items():
        for runs, factor in zip(table.values(), factors):
            runs[name] = {r: runs["SGD"][r] * factor * wobble[(r + len(name)) % 5]
                          for r in range(5)}
    return table


def test_valley_confirmed_when_every_method_is_reliably_closer_everywhere():
    verdict = valley_following(distances(Adam=(0.01, 0.001), Momentum=(0.5, 0.3)), 300)
    check(verdict, "confirmed")
    says(verdict, "valley_confirmed_when_every_method_is_reliably_closer_everywhere")
    assert verdict.numbers["closer"] == verdict.numbers["pairs"] == 4
    closest = verdict.numbers["differences"]["Momentum | Rosenbrock"]
    assert closest[0] == pytest.approx(math.log10(0.5), abs=0.01) and closest[2] < 0


def test_valley_refuted_when_most_pairs_are_reliably_farther():
    verdict = valley_following(distances(Adam=(3.0, 2.0), Adagrad=(10.0, 1.0),
                                         RMSprop=(0.3, 5.0)), 100)
    check(verdict, "refuted")
    assert verdict.numbers["farther"] == 4 and verdict.numbers["closer"] == 1
    says(verdict, "valley_refuted_when_most_pairs_are_reliably_farther")


def test_valley_depends_on_the_surface_or_the_method():
    by_surface = valley_following(distances(Adam=(0.1, 0.1), Adagrad=(0.2, 5.0)), 100)
    check(by_surface, "depends")
    says(by_surface, "valley_depends_on_the_surface_or_the_method: by_surface")
    by_method = valley_following(distances(Adam=(0.1, 0.1), Adadelta=(3.0, 4.0)), 100)
    check(by_method, "depends")
    says(by_method, "valley_depends_on_the_surface_or_the_method: by_method")


def test_valley_inconclusive_when_the_pairs_do_not_separate():
    verdict = valley_following(distances(Adam=(0.1, 1.0), Adagrad=(1.0, 1.0)), 100)
    check(verdict, "inconclusive")
    says(verdict, "valley_inconclusive_when_the_pairs_do_not_separate")


def test_valley_counts_diverged_runs_as_worst_and_floors_tiny_distances():
    table = distances(Adam=(0.1, 1.0))
    table["Beale"]["Adam"] = {r: math.inf for r in range(5)}
    verdict = valley_following(table, 100)
    check(verdict, "depends")
    says(verdict, "valley_counts_diverged_runs_as_worst_and_floors_tiny_distances")
    # both reach the minimum to machine precision on every start: a tie, not a win
    exact = {"Quadratic": {"SGD": {r: 0.0 for r in range(5)},
                           "Adam": {r: 1e-15 * (r + 1) for r in range(5)}}}
    check(valley_following(exact, 100), "inconclusive")


def test_valley_rejects_inconsistent_tables():
    with pytest.raises(ValueError):
        valley_following({}, 10)
    with pytest.raises(ValueError):
        valley_following({"a": {"SGD": {0: 1.0}, "Adam": {0: 0.5}}, "b": {"SGD": {0: 1.0}}}, 10)
    with pytest.raises(ValueError):
        valley_following({"a": {"Adam": {0: 0.5}}}, 10)
    with pytest.raises(ValueError):
        valley_following({"a": {"SGD": {0: 0.5}}}, 10)


# -- saddle -----------------------------------------------------------------------------------

def seeds(*steps: int | None) -> dict[int, int | None]:
    return dict(zip(range(100, 100 + len(steps)), steps))


#: Noisy runs, five seeds: the others escape in a few steps; SGD's record varies by test.
OTHERS = {"Momentum": seeds(9, 8, 11, 7, 9), "Adam": seeds(2, 2, 1, 2, 2),
          "RMSprop": seeds(2, 3, 2, 2, 2)}
SLOW_SGD, QUICK_SGD, ERRATIC_SGD = (seeds(15, 18, 14, 20, 16), seeds(3, 4, 2, 4, 3),
                                    seeds(3, 14, 2, 20, 5))
EXACT_SLOW = {"SGD": 49, "Momentum": 27, "Adam": 2, "RMSprop": 2}
EXACT_QUICK = {**EXACT_SLOW, "SGD": 3}


def test_saddle_confirmed_when_sgd_is_slow_with_and_without_noise():
    verdict = saddle_escape({"SGD": SLOW_SGD, **OTHERS}, EXACT_SLOW, 1000, 1e-6, 0.1)
    check(verdict, "confirmed")
    says(verdict, "saddle_confirmed_when_sgd_is_slow_with_and_without_noise")
    assert verdict.numbers["outcomes"] == {"noise": "confirmed", "exact": "confirmed"}
    assert verdict.numbers["difference"][1] > 0


def test_saddle_depends_when_noise_rescues_sgd():
    verdict = saddle_escape({"SGD": QUICK_SGD, **OTHERS}, EXACT_SLOW, 1000, 1e-6, 0.1)
    check(verdict, "depends")
    says(verdict, "saddle_depends_when_noise_rescues_sgd")
    assert verdict.numbers["difference"][2] < 0


def test_saddle_depends_the_other_way_does_not_credit_the_noise():
    verdict = saddle_escape({"SGD": SLOW_SGD, **OTHERS}, EXACT_QUICK, 1000, 1e-6, 0.1)
    check(verdict, "depends")
    says(verdict, "saddle_depends_the_other_way_does_not_credit_the_noise")


def test_saddle_refuted_when_sgd_keeps_up_with_and_without_noise():
    verdict = saddle_escape({"SGD": QUICK_SGD, **OTHERS}, EXACT_QUICK, 1000, 1e-2, 0.1)
    check(verdict, "refuted")
    says(verdict, "saddle_refuted_when_sgd_keeps_up_with_and_without_noise")


def test_saddle_inconclusive_when_the_noisy_runs_do_not_separate():
    for exact in (EXACT_SLOW, EXACT_QUICK):
        verdict = saddle_escape({"SGD": ERRATIC_SGD, **OTHERS}, exact, 1000, 1e-6, 0.1)
        check(verdict, "inconclusive")
        says(verdict, "saddle_inconclusive_when_the_noisy_runs_do_not_separate")


def test_saddle_counts_runs_that_never_escape_as_the_budget_plus_one():
    noisy = {"SGD": seeds(None, None, 400, None, None), **OTHERS,
             "Adagrad": seeds(None, 3, 2, 2, 2)}
    exact = {"SGD": None, "Adam": 2, "Momentum": 30, "Adagrad": None}
    verdict = saddle_escape(noisy, exact, 500, 1e-8, 0.1)
    check(verdict, "confirmed")
    says(verdict, "saddle_counts_runs_that_never_escape_as_the_budget_plus_one: verdict")
    assert verdict.numbers["median_others_exact"] == 30
    # a median that is itself a run that never escaped caps the ratio at about 1
    capped = saddle_escape(noisy, {"SGD": None, "Adam": 2, "Adagrad": None}, 500, 1e-8, 0.1)
    check(capped, "depends")
    says(capped, "saddle_counts_runs_that_never_escape_as_the_budget_plus_one: capped")


def test_saddle_pairs_by_seed_and_needs_its_runs():
    shifted = {"SGD": dict(zip(range(5), SLOW_SGD.values())), **OTHERS}
    with pytest.raises(ValueError, match="seed"):
        saddle_escape(shifted, EXACT_SLOW, 1000, 1e-6, 0.1)
    with pytest.raises(ValueError):
        saddle_escape({"SGD": SLOW_SGD}, EXACT_SLOW, 1000, 1e-6, 0.1)
    with pytest.raises(ValueError):
        saddle_escape({"SGD": SLOW_SGD, **OTHERS}, {"Adam": 2}, 1000, 1e-6, 0.1)


# -- sparse features --------------------------------------------------------------------------

def sets(*values: float) -> dict[int, float]:
    """Accuracies on data sets 0, 1, 2, ..."""
    return dict(enumerate(values))


SGD_SETS = sets(0.78, 0.80, 0.77, 0.79, 0.79)
ADAGRAD_SETS = sets(0.88, 0.90, 0.87, 0.89, 0.90)


def test_sparse_confirmed_refuted_and_tied():
    confirmed = sparse_features({"SGD": SGD_SETS, "Adagrad": ADAGRAD_SETS,
                                 "Adam": sets(0.85, 0.86, 0.85, 0.87, 0.86)})
    check(confirmed, "confirmed")
    says(confirmed, "sparse_confirmed_refuted_and_tied: confirmed")
    assert confirmed.numbers["differences"]["Adam"][0] == pytest.approx(0.03)
    refuted = sparse_features({"SGD": ADAGRAD_SETS, "Adagrad": SGD_SETS})
    check(refuted, "refuted")
    says(refuted, "sparse_confirmed_refuted_and_tied: refuted")
    tied = sparse_features({"SGD": ADAGRAD_SETS,
                            "Adagrad": sets(0.90, 0.87, 0.91, 0.86, 0.90)})
    check(tied, "inconclusive")
    says(tied, "sparse_confirmed_refuted_and_tied: tied")


def test_sparse_best_means_against_every_method():
    """Beating SGD is not enough when an adaptive method beats Adagrad."""
    verdict = sparse_features({"SGD": SGD_SETS, "Adagrad": ADAGRAD_SETS,
                               "RMSprop": sets(0.92, 0.93, 0.91, 0.92, 0.92),
                               "Adam": sets(0.91, 0.93, 0.90, 0.92, 0.93)})
    check(verdict, "refuted")
    assert verdict.numbers["rival"] == "RMSprop"
    says(verdict, "sparse_best_means_against_every_method: verdict")
    ahead_of_one = sparse_features({"SGD": SGD_SETS, "Adagrad": ADAGRAD_SETS,
                                    "Adam": sets(0.90, 0.87, 0.91, 0.86, 0.90)})
    check(ahead_of_one, "inconclusive")
    says(ahead_of_one, "sparse_best_means_against_every_method: ahead_of_one")


def test_sparse_names_and_bad_input():
    accuracy = {"plain": SGD_SETS, "adaptive": ADAGRAD_SETS}
    check(sparse_features(accuracy, adagrad="adaptive"), "confirmed")
    with pytest.raises(ValueError):
        sparse_features({"SGD": SGD_SETS})
    with pytest.raises(ValueError, match="seed"):
        sparse_features({"SGD": {7: 0.8}, "Adagrad": ADAGRAD_SETS})


# -- shrinking learning rate ------------------------------------------------------------------

def test_shrinking_confirmed():
    ratios = {"Adagrad": 0.19, "RMSprop": 0.99, "Adadelta": 1.5, "Adam": 1.9}
    verdict = shrinking_learning_rate(ratios, early_step=100, late_step=5000)
    check(verdict, "confirmed")
    says(verdict, "shrinking_confirmed")


def test_shrinking_depends_when_a_fix_shrinks_too():
    verdict = shrinking_learning_rate({"Adagrad": 0.1, "RMSprop": 1.0, "Adadelta": 0.2}, 10, 1000)
    check(verdict, "depends")
    says(verdict, "shrinking_depends_when_a_fix_shrinks_too")


def test_shrinking_refuted_when_adagrad_holds():
    verdict = shrinking_learning_rate({"Adagrad": 0.8, "RMSprop": 1.0, "Adadelta": 1.1}, 10, 1000)
    check(verdict, "refuted")


def test_shrinking_needs_its_methods():
    with pytest.raises(ValueError, match="Adadelta"):
        shrinking_learning_rate({"Adagrad": 0.1, "RMSprop": 1.0}, 10, 1000)


def test_sparse_features_in_regimes_reaches_every_outcome():
    ahead, behind = {"SGD": SGD_SETS, "Adagrad": ADAGRAD_SETS}, {"SGD": ADAGRAD_SETS,
                                                                 "Adagrad": SGD_SETS}
    tied = {"SGD": ADAGRAD_SETS, "Adagrad": sets(0.90, 0.87, 0.91, 0.86, 0.90)}
    for regimes, outcome in across_two("dense", "sparse", ahead, behind, tied):
        verdict = sparse_features_in_regimes(regimes)
        check(verdict, outcome)
        says(verdict, "sparse_features_in_regimes_reaches_every_outcome")


def test_shrinking_hurts_reaches_every_outcome():
    worse = {"Adagrad": {0: 0.30, 1: 0.32, 2: 0.31}, "RMSprop": {0: 0.20, 1: 0.21, 2: 0.20}}
    better = {"Adagrad": {0: 0.10, 1: 0.11, 2: 0.10}, "RMSprop": {0: 0.20, 1: 0.21, 2: 0.20}}
    tied = {"Adagrad": {0: 0.20, 1: 0.25, 2: 0.15}, "RMSprop": {0: 0.21, 1: 0.20, 2: 0.20}}
    for conditions, outcome in across_two("low noise", "high noise", worse, better, tied):
        verdict = shrinking_hurts(conditions)
        check(verdict, outcome)
        assert "high noise" in verdict.text and "High noise" not in verdict.flip[1:]
