"""The protocol claims (defaults against tuned rates) on hand-made numbers: every outcome each
function can reach."""

from __future__ import annotations

import dataclasses

import pytest
from handmade import check, make_results, make_run, make_search_study
from wording import says

from optguide.analysis.names import groups_text
from optguide.analysis.scoring import changed_pairs, pair_differences
from optguide.claims import Verdict
from optguide.claims import protocol as claims
from optguide.optimizers import hyperparameters
from optguide.results import Results
from optguide.tune import CANDIDATES, Study

SEEDS = (10, 11, 12)
NOISE = (0.000, 0.002, -0.001)
CHOSEN = 0.1


def candidate_run(candidate: str, accuracy, seed: int, lr: float, **kwargs):
    """A hand-made run of a tuned candidate (its overrides and schedule)."""
    spec = CANDIDATES[candidate]
    run = make_run(spec.optimizer, accuracy, seed=seed, lr=lr, **kwargs)
    return dataclasses.replace(run, hyperparameters={**run.hyperparameters,
                                                     **dict(spec.overrides)},
                               schedule=spec.schedule)


def study(report: dict[str, list], losses: dict[str, list] | None = None) -> Results:
    """A study that chooses lr 0.1 for every candidate (validation) and whose report runs on
    ``SEEDS`` reach ``report[candidate][i]`` (a number, or a per-epoch curve)."""
    plan = Study(candidates=tuple(report), report_seeds=SEEDS, learning_rates=(0.01, 0.1, 1.0))
    runs = []
    for name, values in report.items():
        for lr in plan.learning_rates:
            runs += [candidate_run(name, 0.5, seed, lr, val=0.9 if lr == CHOSEN else 0.8)
                     for seed in plan.select_seeds]
        runs += [candidate_run(name, value, seed, CHOSEN,
                               loss=None if losses is None else losses[name][i])
                 for i, (seed, value) in enumerate(zip(SEEDS, values))]
    return Results(plan.to_dict(), {}, runs)


def around(mean: float, noise=NOISE) -> list[float]:
    return [mean + n for n in noise]


def defaults(columns: dict[str, dict[str, float]]) -> Results:
    return make_results([make_run(name, value, preset=preset, seed=seed)
                         for preset, means in columns.items() for name, mean in means.items()
                         for seed, value in zip(SEEDS, around(mean))])


NOISY = (0.0, 0.01, -0.008)


# analysis helpers -----------------------------------------------------------------------------

def test_changed_pairs_lists_orders_that_differ():
    first = {"a": {0: 0.9, 1: 0.91, 2: 0.9}, "b": {0: 0.8, 1: 0.8, 2: 0.81}}
    second = {"a": {0: 0.8, 1: 0.8, 2: 0.81}, "b": {0: 0.9, 1: 0.91, 2: 0.9}}
    assert pair_differences(first)[("a", "b")].sign == 1
    assert changed_pairs(first, second) == [("a", "b")]
    assert changed_pairs(first, first) == []


def test_groups_text():
    assert groups_text([["adam", "rmsprop"], ["sgd"]]) == "(Adam, RMSprop) > SGD"


# adagrad_beats_sgd ----------------------------------------------------------------------------

def test_adagrad_ahead_in_every_column_is_confirmed():
    verdict = claims.adagrad_beats_sgd(defaults({"pytorch": {"adagrad": 0.97, "sgd": 0.90}}),
                                       study({"adagrad": around(0.975), "sgd": around(0.97)}))
    check(verdict, "confirmed")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "tuned": "confirmed"}
    says(verdict, "adagrad_ahead_in_every_column_is_confirmed")


def test_sgd_ahead_in_every_column_is_refuted():
    verdict = claims.adagrad_beats_sgd(defaults({"keras": {"adagrad": 0.90, "sgd": 0.94}}),
                                       study({"adagrad": around(0.96), "sgd": around(0.975)}))
    check(verdict, "refuted")
    says(verdict, "sgd_ahead_in_every_column_is_refuted")


def test_the_tuned_column_decides_whatever_the_default_columns_say():
    results = defaults({"pytorch": {"adagrad": 0.97, "sgd": 0.89},
                        "keras": {"adagrad": 0.90, "sgd": 0.94}})
    verdict = claims.adagrad_beats_sgd(results, study({"adagrad": around(0.975),
                                                       "sgd": around(0.975, NOISY)}))
    check(verdict, "inconclusive")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "keras": "refuted",
                                           "tuned": "inconclusive"}
    says(verdict, "the_tuned_column_decides_whatever_the_default_columns_say")


FIVE = (10, 11, 12, 13, 14)
SPREAD = (0.0, 0.002, -0.001, 0.001, -0.002)


def spread(mean: float, noise=SPREAD) -> list[float]:
    return [mean + n for n in noise]


def equal_effort(full: dict[str, list[float]], pytorch: dict[str, list[float]] | None = None,
                 keras: dict[str, list[float]] | None = None) -> Results:
    """A hand-made equal-effort study: both default columns and the full search."""
    return make_search_study({"defaults": pytorch or full, "keras_defaults": keras or full,
                              "full": full})


@pytest.mark.parametrize(("adagrad", "sgd", "outcome"), [
    (spread(0.975), spread(0.965), "confirmed"),
    (spread(0.965), spread(0.975), "refuted"),
    (spread(0.975), [0.975 + n for n in (0.0005, 0.0015, -0.0005, 0.0005, -0.0015)],
     "refuted"),  # equivalent within the margin: Adagrad is not better
    (spread(0.975), spread(0.975, (0.0, 0.02, -0.02, 0.01, -0.01)), "inconclusive"),
])
def test_adagrad_against_sgd_on_an_equal_effort_study(adagrad, sgd, outcome):
    verdict = claims.adagrad_beats_sgd(None, equal_effort(
        {"adagrad": adagrad, "sgd": sgd},
        pytorch={"adagrad": spread(0.9), "sgd": spread(0.8)},
        keras={"adagrad": spread(0.8), "sgd": spread(0.9)}))
    check(verdict, outcome)
    assert verdict.numbers["outcomes"]["pytorch"] == "confirmed"
    assert verdict.numbers["outcomes"]["keras"] == "refuted"
    assert verdict.numbers["decided_by"] == "tuned"


def test_sgd_against_adam_on_an_equal_effort_study():
    ahead = equal_effort({"sgd": spread(0.98), "adam": spread(0.97)})
    check(claims.sgd_can_beat_adam(ahead), "confirmed")
    behind = equal_effort({"sgd": spread(0.96), "adam": spread(0.97)})
    check(claims.sgd_can_beat_adam(behind), "refuted")
    noisy = equal_effort({"sgd": spread(0.97, (0.0, 0.02, -0.02, 0.01, -0.01)),
                          "adam": spread(0.97)})
    check(claims.sgd_can_beat_adam(noisy), "inconclusive")


def test_adagrad_tied_when_tuned_is_inconclusive():
    verdict = claims.adagrad_beats_sgd(defaults({"pytorch": {"adagrad": 0.97, "sgd": 0.89}}),
                                       study({"adagrad": around(0.975),
                                              "sgd": around(0.975, NOISY)}))
    check(verdict, "inconclusive")
    says(verdict, "adagrad_tied_when_tuned_is_inconclusive")


def test_adagrad_against_sgd_needs_both():
    with pytest.raises(ValueError, match="Adagrad and SGD"):
        claims.adagrad_beats_sgd(defaults({"pytorch": {"adagrad": 0.97, "adam": 0.9}}),
                                 study({"adagrad": around(0.975), "sgd": around(0.97)}))


# constant_rate_suffices -----------------------------------------------------------------------

def schedules(constant: float, cosine: float, loss_constant: float, loss_cosine: float,
              noise=NOISE) -> Results:
    return study({"sgd": around(constant), "sgd_cosine": around(cosine, noise)},
                 {"sgd": around(loss_constant), "sgd_cosine": around(loss_cosine, noise)})


def test_constant_rate_better_on_both_metrics_is_confirmed():
    verdict = claims.constant_rate_suffices(schedules(0.975, 0.970, 0.08, 0.09))
    check(verdict, "confirmed")
    assert verdict.numbers["differences"]["test_accuracy"].mean == pytest.approx(0.005)
    says(verdict, "constant_rate_better_on_both_metrics_is_confirmed")


def test_a_schedule_better_on_both_metrics_refutes():
    verdict = claims.constant_rate_suffices(schedules(0.970, 0.976, 0.09, 0.08))
    check(verdict, "refuted")
    says(verdict, "a_schedule_better_on_both_metrics_refutes")


def test_accuracy_and_loss_disagreeing_depends():
    verdict = claims.constant_rate_suffices(schedules(0.975, 0.970, 0.09, 0.08))
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"test_accuracy": "confirmed",
                                           "test_loss": "refuted"}


def test_constant_and_scheduled_tied_is_inconclusive():
    check(claims.constant_rate_suffices(schedules(0.975, 0.975, 0.08, 0.08, NOISY)),
          "inconclusive")


# sgd_can_beat_adam ----------------------------------------------------------------------------

def sgd_adam(nesterov: float, plain: float, adam: float = 0.975, noise=NOISE) -> Results:
    return study({"sgd_nesterov_cosine": around(nesterov, noise), "sgd": around(plain),
                  "adam": around(adam)})


def test_tuned_sgd_beating_adam_is_confirmed():
    verdict = claims.sgd_can_beat_adam(sgd_adam(0.98, 0.978))
    check(verdict, "confirmed")
    says(verdict, "tuned_sgd_beating_adam_is_confirmed")


def test_adam_beating_every_sgd_refutes():
    check(claims.sgd_can_beat_adam(sgd_adam(0.97, 0.96)), "refuted")


def test_practical_sgd_ahead_and_plain_sgd_behind_depends():
    verdict = claims.sgd_can_beat_adam(sgd_adam(0.98, 0.96))
    check(verdict, "depends")
    assert verdict.numbers["signs"] == {"sgd_nesterov_cosine": 1, "sgd": -1}


def test_sgd_tied_with_adam_is_inconclusive():
    check(claims.sgd_can_beat_adam(sgd_adam(0.975, 0.96, noise=NOISY)), "inconclusive")


def test_sgd_against_adam_needs_adam():
    with pytest.raises(ValueError, match="tuned Adam"):
        claims.sgd_can_beat_adam(study({"sgd": around(0.97), "adagrad": around(0.97)}))


# defaults_make_fair ---------------------------------------------------------------------------

ORDERED = {"adam": 0.975, "adagrad": 0.96, "sgd": 0.90}
REVERSED = {"adam": 0.90, "adagrad": 0.96, "sgd": 0.975}


def tuned(means: dict[str, float], noise=NOISE) -> Results:
    return study({name: around(mean, noise) for name, mean in means.items()})


def test_same_tie_groups_confirm():
    verdict = claims.defaults_make_fair(defaults({"pytorch": ORDERED}),
                                        tuned({"adam": 0.98, "adagrad": 0.97, "sgd": 0.95}))
    check(verdict, "confirmed")
    says(verdict, "same_tie_groups_confirm")


def test_groups_that_change_with_tuning_refute():
    verdict = claims.defaults_make_fair(defaults({"keras": ORDERED}), tuned(REVERSED))
    check(verdict, "refuted")
    assert verdict.numbers["presets"]["keras"]["tau"] == pytest.approx(-1.0)
    says(verdict, "groups_that_change_with_tuning_refute")
    assert verdict.numbers["presets"]["keras"]["reliable"]


def test_a_rate_tuning_left_alone_is_no_gain():
    rerun = study({"adam": around(0.9745), "adagrad": around(0.97), "sgd": around(0.95)})
    rerun = Results(rerun.config, {}, [dataclasses.replace(
        run, hyperparameters={**run.hyperparameters, "lr": 1e-3}) if run.optimizer == "adam"
        else run for run in rerun.runs])
    verdict = claims.defaults_make_fair(defaults({"pytorch": ORDERED}), rerun)
    says(verdict, "a_rate_tuning_left_alone_is_no_gain")


def test_gaps_that_move_with_no_rate_moved_are_not_tuning():
    """The same settings trained twice: a moved gap is not a change made by tuning."""
    shifted = study({"adam": around(0.975), "adagrad": around(0.975), "sgd": around(0.975)})
    untouched = Results(shifted.config, {}, [dataclasses.replace(
        run, hyperparameters={**run.hyperparameters,
                              "lr": hyperparameters(run.optimizer, "pytorch")["lr"]})
        for run in shifted.runs])
    verdict = claims.defaults_make_fair(defaults({"pytorch": ORDERED}), untouched)
    assert verdict.numbers["presets"]["pytorch"]["changed"]
    assert not verdict.numbers["presets"]["pytorch"]["reliable"]
    check(verdict, "inconclusive")


def test_fair_under_one_library_and_not_the_other_depends():
    verdict = claims.defaults_make_fair(defaults({"pytorch": ORDERED, "keras": REVERSED}),
                                        tuned(ORDERED))
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "keras": "refuted"}


NOISY_TUNED = {"adam": around(0.975, NOISY), "adagrad": around(0.975),
               "sgd": around(0.976, (0.004, -0.006, 0.0))}


def test_a_gap_that_tuning_closes_refutes():
    """SGD's 7.5-point deficit at the defaults vanishes with its rate tuned: not fair."""
    verdict = claims.defaults_make_fair(defaults({"pytorch": ORDERED}), study(NOISY_TUNED))
    check(verdict, "refuted")
    assert "(Adam, Adagrad, SGD)" in verdict.text or "(Adagrad" in verdict.text
    says(verdict, "a_gap_that_tuning_closes_refutes")


def test_nothing_separated_in_either_ranking_is_inconclusive():
    level = {"adam": 0.975, "adagrad": 0.975, "sgd": 0.975}
    verdict = claims.defaults_make_fair(defaults({"pytorch": level}), study(NOISY_TUNED))
    check(verdict, "inconclusive")
    says(verdict, "nothing_separated_in_either_ranking_is_inconclusive")


def test_orders_that_differ_within_noise_are_inconclusive():
    """Adagrad and SGD separate at the defaults only; the gap between them hardly moves."""
    close = {"adam": 0.975, "adagrad": 0.960, "sgd": 0.955}
    at_defaults = defaults({"pytorch": close})
    retuned = study({"adam": around(0.975), "adagrad": around(0.959, (0.002, -0.003, 0.004)),
                     "sgd": around(0.955, (-0.001, 0.003, -0.002))})
    verdict = claims.defaults_make_fair(at_defaults, retuned)
    found = verdict.numbers["presets"]["pytorch"]
    assert found["changed"] and not found["reliable"]
    check(verdict, "inconclusive")
    says(verdict, "orders_that_differ_within_noise_are_inconclusive")


# sgd_is_slow ----------------------------------------------------------------------------------

def curve(reach: int, epochs: int = 4) -> list[float]:
    """Validation accuracy per epoch that first reaches 0.97 at epoch ``reach``."""
    return [0.98 if epoch >= reach else 0.9 for epoch in range(1, epochs + 1)]


def timed(sgd_epochs: list[int], adam_epochs: list[int]) -> Results:
    return study({"sgd": [curve(e) for e in sgd_epochs],
                  "adam": [curve(e) for e in adam_epochs],
                  "sgd_nesterov_cosine": [curve(1)] * 3})


CHEAP = {"sgd": [1e-4, 1.1e-4, 0.9e-4], "adam": [3e-4, 3e-4, 3.1e-4]}
DEAR = {"sgd": [5e-4] * 3, "adam": [3e-4] * 3}
EVEN = {"sgd": [3e-4] * 3, "adam": [3.1e-4] * 3}


def slow(updates, results) -> Verdict:
    return claims.sgd_is_slow(results, updates, [1e-3, 1.2e-3, 0.8e-3], steps_per_epoch=100)


def test_sgd_dearer_and_later_is_confirmed():
    verdict = slow(DEAR, timed([3, 3, 4], [1, 1, 2]))
    check(verdict, "confirmed")
    assert verdict.numbers["slow_step"] is True and verdict.numbers["slow_target"] is True
    assert verdict.numbers["seconds_to_target"]["adam"][10] == pytest.approx(100 * 1.3e-3)
    assert "sgd_nesterov_cosine" not in verdict.numbers["seconds_to_target"]


def test_sgd_cheaper_and_not_later_is_refuted():
    verdict = slow(CHEAP, timed([1, 2, 1], [2, 1, 1]))
    check(verdict, "refuted")
    says(verdict, "sgd_cheaper_and_not_later_is_refuted")


def test_sgd_cheaper_per_step_but_later_depends():
    verdict = slow(CHEAP, timed([3, 3, 4], [1, 1, 2]))
    check(verdict, "depends")
    says(verdict, "sgd_cheaper_per_step_but_later_depends")


def test_even_steps_and_tied_times_are_inconclusive():
    verdict = slow(EVEN, timed([1, 2, 1], [2, 1, 1]))
    check(verdict, "inconclusive")
    says(verdict, "even_steps_and_tied_times_are_inconclusive")


def test_sgd_never_reaching_the_target_is_slow_to_it():
    verdict = slow(CHEAP, timed([9, 9, 9], [1, 1, 2]))
    check(verdict, "depends")
    says(verdict, "sgd_never_reaching_the_target_is_slow_to_it")


def test_fairness_on_an_equal_effort_study_reaches_each_outcome():
    ordered = {k: spread(v) for k, v in ORDERED.items()}
    reversed_ = {k: spread(v) for k, v in REVERSED.items()}
    kept = {"adam": spread(0.98), "adagrad": spread(0.97), "sgd": spread(0.95)}
    verdict = claims.defaults_make_fair(None, equal_effort(kept, ordered, ordered))
    check(verdict, "confirmed")
    verdict = claims.defaults_make_fair(None, equal_effort(reversed_, ordered, ordered))
    check(verdict, "refuted")
    verdict = claims.defaults_make_fair(None, equal_effort(kept, ordered, reversed_))
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "keras": "refuted"}
