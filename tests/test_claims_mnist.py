"""The MNIST claim functions on small hand-made results: each outcome each can reach."""

from __future__ import annotations

import math

import pytest
from handmade import check, make_results, make_run, make_search_study, seeded
from wording import says

from optguide.claims import mnist as claims
from optguide.optimizers import hyperparameters
from optguide.results import Results

JITTER = (0.0, 0.002, -0.001)


# adam_is_best_default ---------------------------------------------------------------------

def test_adam_alone_ahead_is_confirmed():
    results = make_results(seeded("adam", [0.975, 0.977, 0.976])
                           + seeded("sgd", [0.90, 0.91, 0.905])
                           + seeded("adadelta", [0.960, 0.962, 0.961]))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "confirmed")
    assert verdict.numbers["presets"]["pytorch"]["order"] == ["adam", "adadelta", "sgd"]
    says(verdict, "adam_alone_ahead_is_confirmed")


def test_a_tie_at_the_top_is_inconclusive():
    results = make_results(seeded("adam", [0.970, 0.980, 0.975])
                           + seeded("adadelta", [0.976, 0.977, 0.975]) + seeded("sgd", [0.9] * 3))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "inconclusive")
    assert verdict.numbers["presets"]["pytorch"]["leaders"] == ["adadelta", "adam"]
    says(verdict, "a_tie_at_the_top_is_inconclusive")


def test_adam_reliably_beaten_is_refuted():
    results = make_results(seeded("adam", [0.95, 0.951, 0.949])
                           + seeded("rmsprop", [0.97, 0.972, 0.971]))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "refuted")
    says(verdict, "adam_reliably_beaten_is_refuted")


def test_best_under_one_preset_and_beaten_under_the_other_depends():
    runs = seeded("adam", [0.95, 0.951, 0.952]) + seeded("sgd", [0.97, 0.971, 0.973])
    runs += seeded("adam", [0.98, 0.981, 0.982], "keras")
    runs += seeded("sgd", [0.90, 0.91, 0.90], "keras")
    results = make_results(runs)
    verdict = claims.adam_is_best_default(results)
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"pytorch": "refuted", "keras": "confirmed"}
    says(verdict, "best_under_one_preset_and_beaten_under_the_other_depends")
    check(claims.adam_is_best_default(results, "keras"), "confirmed")


def test_one_seed_is_inconclusive_and_says_so():
    results = make_results(seeded("adam", [0.99]) + seeded("sgd", [0.5]))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "inconclusive")
    says(verdict, "one_seed_is_inconclusive_and_says_so")


def test_a_diverged_optimizer_scores_zero():
    results = make_results(seeded("adam", [0.97, 0.971])
                           + seeded("sgd", [0.5, 0.5], status="diverged")
                           + seeded("adagrad", [0.9, 0.91]))
    verdict = claims.adam_is_best_default(results)
    assert verdict.numbers["presets"]["pytorch"]["order"] == ["adam", "adagrad", "sgd"]
    assert verdict.numbers["presets"]["pytorch"]["accuracy"]["sgd"] == 0.0


def test_several_settings_per_optimizer_are_rejected():
    results = make_results([make_run("adam", 0.97, lr=1e-3), make_run("adam", 0.96, lr=1e-2),
                            make_run("sgd", 0.9)])
    with pytest.raises(ValueError, match="several runs"):
        claims.adam_is_best_default(results)


# adadelta_is_worst ------------------------------------------------------------------------

def both_presets(pytorch: list[float], keras: list[float]) -> Results:
    runs = []
    for preset, adadelta in (("pytorch", pytorch), ("keras", keras)):
        runs += seeded("adam", [0.97, 0.972, 0.971], preset)
        runs += seeded("sgd", [0.92, 0.925, 0.921], preset)
        runs += seeded("adadelta", adadelta, preset)
    return make_results(runs)


LOW, HIGH, TOP = [0.80, 0.81, 0.805], [0.95, 0.951, 0.952], [0.975, 0.977, 0.976]


def test_adadelta_last_everywhere_is_confirmed():
    verdict = claims.adadelta_is_worst(both_presets(LOW, LOW))
    check(verdict, "confirmed")
    says(verdict, "adadelta_last_everywhere_is_confirmed")


def test_adadelta_reliably_above_the_last_is_refuted():
    check(claims.adadelta_is_worst(both_presets(HIGH, HIGH)), "refuted")


def test_adadelta_last_under_one_preset_only_depends():
    verdict = claims.adadelta_is_worst(both_presets(TOP, LOW))
    check(verdict, "depends")
    assert verdict.numbers["presets"]["pytorch"]["places"] == (1, 1)
    says(verdict, "adadelta_last_under_one_preset_only_depends")


def test_adadelta_tied_with_the_last_is_inconclusive():
    verdict = claims.adadelta_is_worst(both_presets([0.92, 0.926, 0.919], [0.92, 0.926, 0.919]))
    check(verdict, "inconclusive")
    says(verdict, "adadelta_tied_with_the_last_is_inconclusive")


def test_retuned_adadelta_is_quoted():
    retuned = make_results([make_run("adadelta", 0.977, preset="keras", lr=1.0)])
    verdict = claims.adadelta_is_worst(both_presets(TOP, LOW), retuned=retuned)
    assert verdict.numbers["retuned_accuracy"] == pytest.approx(0.977)
    says(verdict, "retuned_adadelta_is_quoted")


# adam_needs_least_tuning ------------------------------------------------------------------

SEED_NOISE = (0.0, 0.002, -0.001, 0.001)


def curves(peaks: dict[str, list[float]], noise: dict[str, tuple] | None = None) -> Results:
    """An equal-effort study whose full-search trials reach these validation accuracies
    (the same on the 4 selection and check seeds, shifted by ``noise``)."""
    noise = noise or {}
    trial_val = {name: [[v + noise.get(name, SEED_NOISE)[s] for s in range(4)]
                        for v in values] for name, values in peaks.items()}
    report = {name: [0.97] * 5 for name in peaks}
    return make_search_study({"full": report}, trial_val)


FLAT = [0.970, 0.960, 0.965, 0.968, 0.962, 0.969]
PEAKY = [0.970, 0.500, 0.400, 0.300, 0.600, 0.200]


def test_a_flat_adam_curve_needs_least_tuning():
    verdict = claims.adam_needs_least_tuning(curves({"adam": FLAT, "sgd": PEAKY}), k=2)
    check(verdict, "confirmed")
    assert verdict.numbers["signs"] == {"sgd": 1}
    says(verdict, "a_flat_adam_curve_needs_least_tuning")


def test_another_flatter_curve_refutes():
    verdict = claims.adam_needs_least_tuning(
        curves({"adam": PEAKY, "sgd": FLAT, "rmsprop": FLAT}), k=2)
    check(verdict, "refuted")
    assert verdict.numbers["signs"] == {"sgd": -1, "rmsprop": -1}


def test_a_high_ceiling_alone_does_not_count():
    higher = [v + 0.02 for v in PEAKY]  # best everywhere, but just as peaky as SGD's
    verdict = claims.adam_needs_least_tuning(curves({"adam": higher, "sgd": PEAKY}), k=2)
    check(verdict, "inconclusive")


def test_noisy_seeds_leave_it_inconclusive():
    # Seed by seed, Adam's curve is flat on two seeds and peaky on the others, SGD's the
    # opposite: the shortfalls' differences change sign with the seed.
    flat, peaky = [0.97, 0.96, 0.965, 0.968], [0.97, 0.5, 0.4, 0.3]
    trials = {"adam": [[flat[t], peaky[t], flat[t], peaky[t]] for t in range(4)],
              "sgd": [[peaky[t], flat[t], peaky[t], flat[t]] for t in range(4)]}
    study = make_search_study({"full": {"adam": [0.97] * 5, "sgd": [0.97] * 5}}, trials)
    check(claims.adam_needs_least_tuning(study, k=2), "inconclusive")


def test_least_tuning_reads_validation_only_and_checks_k():
    study = curves({"adam": FLAT, "sgd": PEAKY})
    for run in study.runs:  # test accuracies scrambled: nothing changes
        for epoch in run.history:
            epoch["test_accuracy"] = 0.1
    assert claims.adam_needs_least_tuning(study, k=2).outcome == "confirmed"
    with pytest.raises(ValueError, match="k must be"):
        claims.adam_needs_least_tuning(study, k=6)


# rmsprop_tames_noise ----------------------------------------------------------------------

def noise_sweep(table: dict[str, dict[int, dict[float, float]]], seeds=(0, 1, 2)
                ) -> dict[int, Results]:
    """table[optimizer][batch][lr] = accuracy (validation and test), plus a per-seed jitter."""
    def jitter(name: str, batch: int, seed: int) -> float:
        return ((seed * 3 + len(name) + batch) % 5 - 2) * 0.001
    batches = {b for per_batch in table.values() for b in per_batch}
    return {b: make_results([make_run(name, a + jitter(name, b, s), lr=lr, val=a, seed=s)
                             for name, per_batch in table.items()
                             for lr, a in per_batch[b].items() for s in seeds])
            for b in batches}


NOISY = {8: {0.01: 0.93, 0.1: 0.90}, 128: {0.01: 0.90, 0.1: 0.96}}   # cost 0.06 fixed, 0.03 retuned
STEADY = {8: {0.01: 0.95, 0.1: 0.40}, 128: {0.01: 0.955, 0.1: 0.50}}  # cost 0.005


def test_rmsprop_losing_less_everywhere_is_confirmed():
    verdict = claims.rmsprop_tames_noise(noise_sweep({"sgd": NOISY, "adagrad": NOISY,
                                                      "rmsprop": STEADY}))
    check(verdict, "confirmed")
    assert set(verdict.numbers["outcomes"]) == {"fixed/sgd", "fixed/adagrad", "retuned/sgd",
                                                "retuned/adagrad"}
    assert verdict.numbers["noise_cost"]["fixed"]["sgd"] == pytest.approx(0.06, abs=0.005)
    assert verdict.numbers["learning_rates"]["fixed"]["sgd"] == {8: 0.1, 128: 0.1}
    says(verdict, "rmsprop_losing_less_everywhere_is_confirmed")


def test_rmsprop_losing_more_is_refuted():
    check(claims.rmsprop_tames_noise(noise_sweep({"sgd": STEADY, "rmsprop": NOISY})), "refuted")


def test_rmsprop_better_at_a_fixed_rate_and_worse_retuned_depends():
    sgd = {8: {0.01: 0.96, 0.1: 0.90}, 128: {0.01: 0.90, 0.1: 0.96}}  # 0.06 fixed, 0 retuned
    rms = {8: {0.01: 0.935, 0.1: 0.40}, 128: {0.01: 0.955, 0.1: 0.50}}  # 0.02 both
    verdict = claims.rmsprop_tames_noise(noise_sweep({"sgd": sgd, "rmsprop": rms}))
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"fixed/sgd": "confirmed", "retuned/sgd": "refuted"}


def test_one_seed_is_inconclusive():
    verdict = claims.rmsprop_tames_noise(noise_sweep({"sgd": NOISY, "rmsprop": STEADY},
                                                     seeds=(0,)))
    check(verdict, "inconclusive")
    says(verdict, "one_seed_is_inconclusive")


def test_noise_needs_rmsprop_and_a_baseline():
    with pytest.raises(ValueError):
        claims.rmsprop_tames_noise(noise_sweep({"adam": NOISY, "rmsprop": STEADY}))


# adam_is_faster ---------------------------------------------------------------------------

STATE = {"sgd": 0, "adagrad": 1, "adadelta": 2, "rmsprop": 1, "adam": 2}


def reaching(epochs: dict[str, list[int | None]]) -> Results:
    """Runs whose validation accuracy reaches 0.97 at the given epoch (None: never), 1 s each."""
    runs = []
    for name, per_seed in epochs.items():
        for seed, at in enumerate(per_seed):
            curve = [0.98 if at is not None and e + 1 >= at else 0.9 for e in range(6)]
            runs.append(make_run(name, curve, seed=seed, seconds=1.0))
    return make_results(runs)


def test_dearer_steps_but_first_to_target_depends():
    verdict = claims.adam_is_faster(reaching({"sgd": [None] * 3, "adam": [2] * 3,
                                              "adagrad": [4] * 3}),
                                    {"sgd": 1e-3, "adam": [1.2e-3, 1.3e-3], "adagrad": 1.1e-3},
                                    STATE)
    check(verdict, "depends")
    assert verdict.numbers["rival"] == "adagrad" and verdict.numbers["sooner"] is True
    assert verdict.numbers["seconds_per_step"]["adam"] == 1.2e-3


def test_dearer_steps_and_later_to_target_is_refuted():
    check(claims.adam_is_faster(reaching({"sgd": [2] * 3, "adam": [4] * 3}),
                                {"sgd": 1e-3, "adam": 1.5e-3}, STATE), "refuted")


def test_cheap_steps_and_first_to_target_is_confirmed():
    verdict = claims.adam_is_faster(reaching({"sgd": [5, 5, 6], "adam": [2, 2, 3]}),
                                    {"sgd": 1e-3, "adam": 1.05e-3}, STATE)
    check(verdict, "confirmed")


def test_cheap_steps_and_tied_times_are_inconclusive():
    verdict = claims.adam_is_faster(reaching({"rmsprop": [3, 2, 2], "adam": [2, 3, 2]}),
                                    {"rmsprop": 1e-3, "adam": 1.0e-3}, STATE)
    check(verdict, "inconclusive")


def test_adam_not_reaching_the_target():
    verdict = claims.adam_is_faster(reaching({"sgd": [3] * 3, "adam": [None, 2, 2]}),
                                    {"sgd": 1e-3, "adam": 1e-3}, STATE)
    assert verdict.numbers["sooner"] is False
    says(verdict, "adam_not_reaching_the_target")


# ranking_holds_for_cnn --------------------------------------------------------------------

def ranked(accuracy: dict[str, float], preset: str = "pytorch") -> list:
    return [run for name, a in accuracy.items()
            for run in seeded(name, [a + j for j in JITTER], preset)]


MLP = {"adam": 0.97, "sgd": 0.92, "adadelta": 0.85}


def test_same_separated_order_confirms_the_ranking():
    verdict = claims.ranking_holds_for_cnn(make_results(ranked(MLP)),
                                           make_results(ranked({"adam": 0.99, "sgd": 0.97,
                                                                "adadelta": 0.90})))
    check(verdict, "confirmed")
    assert verdict.numbers["presets"]["pytorch"]["kendall_tau"] == 1


def test_a_reversed_pair_refutes_the_ranking():
    verdict = claims.ranking_holds_for_cnn(make_results(ranked(MLP)),
                                           make_results(ranked({"adam": 0.97, "sgd": 0.90,
                                                                "adadelta": 0.98})))
    check(verdict, "refuted")
    assert ("adam", "adadelta") in verdict.numbers["presets"]["pytorch"]["reversed"]


def test_a_cnn_that_cannot_separate_is_inconclusive():
    cnn = [run for name, js in (("adam", (0, 0.002, -0.001)), ("sgd", (0.001, -0.001, 0.002)),
                                ("adadelta", (0.002, 0.0, -0.002)))
           for run in seeded(name, [0.98 + j for j in js])]
    verdict = claims.ranking_holds_for_cnn(make_results(ranked(MLP)), make_results(cnn))
    check(verdict, "inconclusive")
    says(verdict, "a_cnn_that_cannot_separate_is_inconclusive")


def test_an_mlp_that_separates_no_pair_leaves_the_cnn_nothing_to_keep():
    close = {"adam": 0.970, "sgd": 0.9705, "adadelta": 0.9695}
    mixed = [run for name, js in (("adam", (0.004, -0.003, 0.0)), ("sgd", (-0.003, 0.004, 0.0)),
                                  ("adadelta", (0.0, 0.003, -0.004)))
             for run in seeded(name, [close[name] + j for j in js])]
    verdict = claims.ranking_holds_for_cnn(make_results(mixed), make_results(ranked(MLP)))
    check(verdict, "inconclusive")
    says(verdict, "an_mlp_that_separates_no_pair_leaves_the_cnn_nothing_to_keep")


def test_ranking_kept_under_one_preset_and_reversed_under_the_other_depends():
    mlp = make_results(ranked(MLP) + ranked(MLP, "keras"))
    cnn = make_results(ranked(MLP) + ranked({"adam": 0.85, "sgd": 0.92, "adadelta": 0.97},
                                            "keras"))
    verdict = claims.ranking_holds_for_cnn(mlp, cnn)
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "keras": "refuted"}


def test_ranking_kept_at_defaults_and_reversed_once_tuned_depends():
    same = make_results(ranked(MLP))
    reversed_ = make_results(ranked({"adam": 0.85, "sgd": 0.92, "adadelta": 0.97}))
    verdict = claims.ranking_holds_for_cnn(same, same, tuned=(same, reversed_))
    check(verdict, "depends")
    assert verdict.numbers["outcomes"] == {"pytorch": "confirmed", "tuned": "refuted"}
    says(verdict, "ranking_kept_at_defaults_and_reversed_once_tuned_depends")


# minibatch_is_middle_ground ---------------------------------------------------------------

TRAIN_SIZE = 640  # 80 updates per epoch in batches of 8, 10 in batches of 64, 1 full-batch


def variants(losses: dict[int | None, tuple[list[float], float]], seeds=(0, 1, 2),
             at_updates: dict[int, float] | None = None, updates: int = 3):
    """Batch size -> (test loss per epoch, seconds per epoch); seed s adds 0.001 * s.

    ``at_updates``: batch size -> test loss after ``updates`` steps, recorded as a trace
    point (the full batch reads it from its history: one update per epoch).
    """
    at_updates = at_updates or {}
    out = {}
    for b, (curve, sec) in losses.items():
        runs = [make_run("sgd", [0.9] * len(curve), seed=s, seconds=sec,
                         loss=[v + 0.001 * s for v in curve]) for s in seeds]
        for s, run in zip(seeds, runs):
            if b in at_updates:
                run.trace = [{"step": updates, "seconds": 0.1, "val_accuracy": 0.9,
                              "test_loss": at_updates[b] + 0.001 * s, "test_accuracy": 0.9}]
        results = make_results(runs)
        results.config.update(train_size=TRAIN_SIZE, batch_size=b)
        out[b] = results
    return out


SMALL = ([0.45, 0.35, 0.30], 3.0)
MINI = ([0.50, 0.30, 0.20], 1.0)
FULL_SLOW = ([2.0, 1.5, 1.2], 0.5)  # loses per epoch and per second
#: After 3 updates (the full batch's epochs): the minibatch beats the small batch, or not.
MINI_STEADIER = {8: 1.6, 64: 1.3}
SMALL_STEADIER = {8: 1.0, 64: 1.3}


def test_minibatch_best_per_second_and_better_than_both_extremes_is_confirmed():
    verdict = claims.minibatch_is_middle_ground(
        variants({8: SMALL, 64: MINI, None: FULL_SLOW}, at_updates=MINI_STEADIER), 64, epochs=2)
    check(verdict, "confirmed")
    assert verdict.numbers["seconds"] == 1.5 and verdict.numbers["updates"] == 3
    assert verdict.numbers["parts"] == {"examples": True, "updates": True, "seconds": True}
    assert verdict.numbers["at_equal_updates"][None] == pytest.approx({0: 1.2, 1: 1.201,
                                                                       2: 1.202})
    says(verdict, "minibatch_best_per_second_and_better_than_both_extremes_is_confirmed")


def test_minibatch_beaten_per_second_only_depends_on_time():
    verdict = claims.minibatch_is_middle_ground(
        variants({8: SMALL, 64: MINI, None: ([0.6, 0.4, 0.35], 0.5)}, at_updates=MINI_STEADIER),
        64, epochs=2)
    check(verdict, "depends")
    says(verdict, "minibatch_beaten_per_second_only_depends_on_time")


def test_small_batch_better_per_update_depends_on_examples_or_updates():
    verdict = claims.minibatch_is_middle_ground(
        variants({8: SMALL, 64: MINI, None: FULL_SLOW}, at_updates=SMALL_STEADIER), 64, epochs=2)
    check(verdict, "depends")
    assert verdict.numbers["parts"] == {"examples": True, "updates": False, "seconds": True}
    says(verdict, "small_batch_better_per_update_depends_on_examples_or_updates")


def test_minibatch_beaten_everywhere_is_refuted():
    verdict = claims.minibatch_is_middle_ground(
        variants({8: SMALL, 64: MINI, None: ([0.2, 0.1, 0.05], 0.5)}, at_updates=SMALL_STEADIER),
        64, epochs=2)
    check(verdict, "refuted")


def test_one_seed_is_inconclusive_for_the_minibatch():
    verdict = claims.minibatch_is_middle_ground(
        variants({8: SMALL, 64: MINI, None: FULL_SLOW}, seeds=(0,), at_updates=MINI_STEADIER),
        64, epochs=2)
    check(verdict, "inconclusive")


def test_a_run_diverged_before_the_update_budget_loses_that_view():
    results = variants({8: SMALL, 64: MINI, None: FULL_SLOW}, at_updates=SMALL_STEADIER)
    diverged = results[8].runs[0]
    diverged.status, diverged.history, diverged.trace = "diverged", [], []
    verdict = claims.minibatch_is_middle_ground(results, 64, epochs=2)
    check(verdict, "confirmed")
    assert verdict.numbers["seconds"] == 1.5  # the shortest run that did not diverge
    assert verdict.numbers["at_equal_updates"][8][0] == math.inf
    says(verdict, "a_run_diverged_before_the_update_budget_loses_that_view")


def test_minibatch_needs_the_full_batch_a_smaller_batch_and_the_update_budget():
    with pytest.raises(ValueError, match="full batch"):
        claims.minibatch_is_middle_ground(variants({8: SMALL, 64: MINI}), 64, epochs=2)
    with pytest.raises(ValueError, match="smaller"):
        claims.minibatch_is_middle_ground(variants({64: MINI, None: FULL_SLOW}), 64, epochs=2)
    with pytest.raises(ValueError, match="no test_loss after 3 updates"):
        claims.minibatch_is_middle_ground(variants({8: SMALL, 64: MINI, None: FULL_SLOW},
                                                   at_updates={8: 1.0}), 64, epochs=2)


def test_default_learning_rates_are_known():
    assert hyperparameters("sgd")["lr"] > 0


# the shared outcome rules ----------------------------------------------------------------

def test_outcomes_combine_across_conditions_and_readings():
    from optguide.claims._rules import across_conditions, both_parts, from_sign
    assert [from_sign(s) for s in (1, -1, 0)] == ["confirmed", "refuted", "inconclusive"]
    assert across_conditions({"a": "confirmed", "b": "confirmed"}) == "confirmed"
    assert across_conditions({"a": "confirmed", "b": "refuted"}) == "depends"
    assert across_conditions({"a": "confirmed", "b": "inconclusive"}) == "inconclusive"
    assert across_conditions({"a": "refuted", "b": "refuted"}) == "refuted"
    assert both_parts(True, True) == "confirmed" and both_parts(True, False) == "depends"
    assert both_parts(False, None) == "refuted" and both_parts(False, False) == "refuted"
    assert both_parts(True, None) == "inconclusive" and both_parts(None, None) == "inconclusive"


def test_every_mnist_claim_lives_in_its_own_module():
    for name in claims.__all__:
        function = getattr(claims, name)
        assert function.__module__ != "optguide.claims.mnist"
        assert function.__module__.startswith("optguide.claims.")
