"""The MNIST claim functions on small hand-made results: each outcome where it can occur."""

from __future__ import annotations

import pytest

from optguide.claims import Verdict
from optguide.claims import mnist as claims
from optguide.optimizers import hyperparameters
from optguide.results import Results, Run


def make_run(optimizer: str, accuracy: float | list[float], *, preset: str = "pytorch",
             seed: int = 0, lr: float | None = None, seconds: float = 1.0,
             loss: float | None = None, status: str = "ok") -> Run:
    """A run whose test accuracy follows ``accuracy`` (a list: one value per epoch)."""
    curve = accuracy if isinstance(accuracy, list) else [accuracy]
    overrides = {} if lr is None else {"lr": lr}
    history = [{"epoch": i + 1, "train_loss": 1 - a, "test_loss": 1 - a if loss is None else loss,
                "test_accuracy": a, "seconds": seconds} for i, a in enumerate(curve)]
    return Run(optimizer, preset, seed, hyperparameters(optimizer, preset, **overrides), status,
               [] if status == "diverged" else history, 1 if status == "diverged" else None)


def make_results(runs: list[Run]) -> Results:
    return Results({"epochs": max(len(r.history) for r in runs)}, {}, runs)


def seeded(optimizer: str, accuracies: list[float], preset: str = "pytorch") -> list[Run]:
    """One run per seed with these final accuracies."""
    return [make_run(optimizer, a, preset=preset, seed=s) for s, a in enumerate(accuracies)]


def check(verdict: Verdict, outcome: str) -> None:
    assert isinstance(verdict, Verdict)
    assert verdict.outcome == outcome, verdict.line()
    assert verdict.line().startswith(f"Verdict: {outcome} - ")
    assert verdict.sentence.endswith(".")


# adam_is_best_default ---------------------------------------------------------------------

def test_adam_clearly_best_is_confirmed():
    results = make_results(seeded("adam", [0.975, 0.976, 0.977]) + seeded("sgd", [0.90, 0.91, 0.90])
                           + seeded("adadelta", [0.960, 0.961, 0.962]))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "confirmed")
    assert verdict.numbers["order"] == ["adam", "adadelta", "sgd"]
    assert "Adam (97.60" in verdict.sentence and "SGD" in verdict.sentence


def test_a_tie_within_the_seed_spread_depends():
    results = make_results(seeded("adam", [0.970, 0.980]) + seeded("adadelta", [0.976, 0.977])
                           + seeded("sgd", [0.9, 0.9]))
    verdict = claims.adam_is_best_default(results)
    check(verdict, "depends")
    assert verdict.numbers["leader"] == "adadelta"
    assert verdict.numbers["gap"] == pytest.approx(0.0015)


def test_adam_clearly_beaten_is_refuted():
    results = make_results(seeded("adam", [0.95, 0.951]) + seeded("rmsprop", [0.97, 0.971]))
    check(claims.adam_is_best_default(results), "refuted")


def test_best_default_judges_only_the_requested_preset():
    runs = seeded("adam", [0.95]) + seeded("sgd", [0.97])
    runs += seeded("adam", [0.98], "keras") + seeded("sgd", [0.90], "keras")
    results = make_results(runs)
    check(claims.adam_is_best_default(results, "pytorch"), "refuted")
    check(claims.adam_is_best_default(results, "keras"), "confirmed")


def test_a_diverged_optimizer_ranks_last():
    results = make_results([make_run("adam", 0.97), make_run("sgd", 0.5, status="diverged"),
                            make_run("adagrad", 0.9)])
    assert claims.ranking(results) == ["adam", "adagrad", "sgd"]
    assert "diverged" in claims.adam_is_best_default(results).sentence


def test_several_learning_rates_per_optimizer_are_rejected():
    results = make_results([make_run("adam", 0.97, lr=1e-3), make_run("adam", 0.96, lr=1e-2),
                            make_run("sgd", 0.9)])
    with pytest.raises(ValueError, match="several learning rates"):
        claims.adam_is_best_default(results)


# adadelta_is_worst ------------------------------------------------------------------------

def both_presets(adadelta_pytorch: float, adadelta_keras: float) -> Results:
    runs = []
    for preset, adadelta in (("pytorch", adadelta_pytorch), ("keras", adadelta_keras)):
        runs += [make_run("adam", 0.97, preset=preset), make_run("sgd", 0.92, preset=preset),
                 make_run("adadelta", adadelta, preset=preset)]
    return make_results(runs)


def test_adadelta_last_under_one_preset_only_depends():
    verdict = claims.adadelta_is_worst(both_presets(0.975, 0.75))
    check(verdict, "depends")
    assert verdict.numbers["ranks"]["pytorch"]["adadelta"] == 1
    assert verdict.numbers["ranks"]["keras"]["adadelta"] == 3
    assert "1st of 3 under PyTorch's" in verdict.sentence
    assert "3rd of 3 under Keras'" in verdict.sentence


def test_adadelta_last_everywhere_is_confirmed_and_nowhere_refuted():
    check(claims.adadelta_is_worst(both_presets(0.8, 0.75)), "confirmed")
    check(claims.adadelta_is_worst(both_presets(0.95, 0.93)), "refuted")


def test_retuned_adadelta_is_quoted():
    retuned = make_results([make_run("adadelta", 0.977, preset="keras", lr=1.0)])
    verdict = claims.adadelta_is_worst(both_presets(0.975, 0.75), retuned=retuned)
    assert verdict.numbers["retuned_accuracy"] == pytest.approx(0.977)
    assert "with lr 1 Keras' Adadelta reaches 97.7 %" in verdict.sentence


# learning-rate sweep ----------------------------------------------------------------------

def test_good_range_interpolates_between_grid_points():
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    assert claims.good_range_decades(lrs, [0.90, 0.95, 0.95, 0.90], 0.01) == pytest.approx(1.4)
    assert claims.good_range_decades(lrs, [0.5, 0.95, 0.5, 0.5], 0.01) == pytest.approx(
        2 * 0.01 / 0.45)
    assert claims.good_range_decades(lrs, [0.95] * 4, 0.01) == pytest.approx(3.0)


def test_good_intervals_can_be_split_and_end_between_grid_points():
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    (low, high), = claims.good_intervals(lrs, [0.90, 0.95, 0.95, 0.90], 0.01)
    assert low == pytest.approx(10 ** -2.2) and high == pytest.approx(10 ** -0.8)
    split = claims.good_intervals(lrs, [0.95, 0.5, 0.95, 0.5], 0.01)
    assert len(split) == 2 and split[0][0] == pytest.approx(1e-3)
    assert claims.good_intervals([1e-3, 1e-2], [0.97, 0.97], 0.01) == [
        pytest.approx((1e-3, 1e-2))]


def sweep(profiles: dict[str, list[float]], lrs=(1e-4, 1e-3, 1e-2, 1e-1, 1.0)) -> Results:
    return make_results([make_run(name, accuracy, lr=lr)
                         for name, accuracies in profiles.items()
                         for lr, accuracy in zip(lrs, accuracies)])


def test_adam_widest_and_best_is_confirmed():
    results = sweep({"adam": [0.96, 0.97, 0.965, 0.90, 0.1],
                     "sgd": [0.5, 0.8, 0.9, 0.96, 0.1]})
    verdict = claims.adam_needs_least_tuning(results)
    check(verdict, "confirmed")
    assert verdict.numbers["best_lr"] == {"adam": 1e-3, "sgd": 1e-1}
    assert verdict.numbers["width_decades"]["adam"] > verdict.numbers["width_decades"]["sgd"]


def test_adam_narrow_and_beaten_is_refuted():
    results = sweep({"adam": [0.5, 0.95, 0.5, 0.1, 0.1],
                     "adagrad": [0.8, 0.97, 0.97, 0.97, 0.5]})
    check(claims.adam_needs_least_tuning(results), "refuted")


def test_adam_narrow_but_best_tuned_depends():
    results = sweep({"adam": [0.5, 0.98, 0.5, 0.1, 0.1],
                     "adagrad": [0.8, 0.97, 0.97, 0.97, 0.5]})
    verdict = claims.adam_needs_least_tuning(results)
    check(verdict, "depends")
    assert verdict.numbers["tuned_best"] and not verdict.numbers["least_tuning"]


def test_diverged_learning_rates_count_as_zero_accuracy():
    runs = [make_run("adam", 0.97, lr=1e-3), make_run("adam", 0.9, lr=1.0, status="diverged")]
    lrs, accuracies = claims.learning_rate_profile(make_results(runs), "adam")
    assert lrs == [1e-3, 1.0] and accuracies == [0.97, 0.0]


# noisy gradients --------------------------------------------------------------------------

def batch_sweep(accuracy: dict[str, dict[int, dict[float, float]]]) -> dict[int, Results]:
    """accuracy[optimizer][batch][lr] -> one Results per batch size."""
    batches = {b for per_batch in accuracy.values() for b in per_batch}
    return {b: make_results([make_run(name, a, lr=lr) for name, per_batch in accuracy.items()
                             for lr, a in per_batch[b].items()]) for b in batches}


def test_accuracy_by_batch_size_reads_default_fixed_and_retuned_learning_rates():
    sgd_lr, rms_lr = hyperparameters("sgd")["lr"], hyperparameters("rmsprop")["lr"]
    results = batch_sweep({"sgd": {8: {sgd_lr: 0.8, 0.1: 0.5}, 64: {sgd_lr: 0.7, 0.1: 0.96}},
                           "rmsprop": {8: {rms_lr: 0.9, 0.1: 0.3}, 64: {rms_lr: 0.93, 0.1: 0.5}}})
    assert claims.accuracy_by_batch_size(results, "default") == {
        "sgd": {8: 0.8, 64: 0.7}, "rmsprop": {8: 0.9, 64: 0.93}}
    assert claims.fixed_learning_rate(results, "sgd") == 0.1
    assert claims.accuracy_by_batch_size(results, "fixed") == {
        "sgd": {8: 0.5, 64: 0.96}, "rmsprop": {8: 0.9, 64: 0.93}}
    assert claims.accuracy_by_batch_size(results, "retuned") == {
        "sgd": {8: 0.8, 64: 0.96}, "rmsprop": {8: 0.9, 64: 0.93}}
    off_grid = batch_sweep({"sgd": {8: {0.1: 0.95}}})
    with pytest.raises(ValueError, match="not in the sweep"):
        claims.accuracy_by_batch_size(off_grid, "default")
    with pytest.raises(ValueError, match="must be"):
        claims.accuracy_by_batch_size(results, "best")


def test_noise_cost_compares_the_smallest_batch_with_the_best():
    assert claims.noise_cost({8: 0.90, 64: 0.95, 512: 0.93}) == pytest.approx(0.05)
    assert claims.noise_cost({8: 0.96, 64: 0.95}) == 0.0


def test_rmsprop_losing_less_everywhere_is_confirmed():
    fixed = {"sgd": {8: 0.90, 128: 0.95}, "rmsprop": {8: 0.95, 128: 0.955}}
    retuned = {"sgd": {8: 0.92, 128: 0.96}, "rmsprop": {8: 0.96, 128: 0.96}}
    verdict = claims.rmsprop_tames_noise(fixed, retuned, {"sgd": 0.3, "rmsprop": 0.003})
    check(verdict, "confirmed")
    assert verdict.numbers["noise_cost"]["fixed"]["sgd"] == pytest.approx(0.05)
    assert "(SGD 0.3, RMSprop 0.003)" in verdict.sentence
    assert "batch 8" in verdict.sentence and "batch 128" in verdict.sentence


def test_rmsprop_losing_less_only_at_a_fixed_learning_rate_depends():
    fixed = {"sgd": {8: 0.70, 128: 0.95}, "rmsprop": {8: 0.95, 128: 0.955}}
    retuned = {"sgd": {8: 0.96, 128: 0.96}, "rmsprop": {8: 0.96, 128: 0.96}}
    check(claims.rmsprop_tames_noise(fixed, retuned), "depends")


def test_rmsprop_losing_more_is_refuted():
    fixed = {"sgd": {8: 0.95, 128: 0.90}, "rmsprop": {8: 0.90, 128: 0.96}}
    retuned = {"sgd": {8: 0.96, 128: 0.96}, "rmsprop": {8: 0.93, 128: 0.96}}
    check(claims.rmsprop_tames_noise(fixed, retuned), "refuted")


# wall clock -------------------------------------------------------------------------------

STATE = {"sgd": 0, "adagrad": 1, "adadelta": 2, "rmsprop": 1, "adam": 2}


def test_slower_steps_but_first_to_target_depends():
    verdict = claims.adam_is_faster({"sgd": 1e-3, "adam": 1.2e-3, "adagrad": 1.1e-3},
                                    {"sgd": None, "adam": 2.5, "adagrad": 4.0}, STATE)
    check(verdict, "depends")
    assert "1.20 ms against 1.00 ms for SGD (+20 %)" in verdict.sentence
    assert "Adam reaches 97 % first, after 2.5 s (next Adagrad, 4.0 s); SGD does not" in (
        verdict.sentence)
    assert verdict.numbers["overhead"] == pytest.approx(0.2)
    assert verdict.numbers["first_to_target"] == "adam"


def test_slower_steps_and_later_to_target_is_refuted():
    verdict = claims.adam_is_faster({"sgd": 1.0, "adam": 1.2}, {"sgd": 2.0, "adam": 2.5}, STATE)
    check(verdict, "refuted")
    assert "SGD first after 2.0 s" in verdict.sentence


def test_cheap_steps_and_first_to_target_is_confirmed():
    verdict = claims.adam_is_faster({"sgd": 1.0, "adam": 1.03}, {"sgd": 3.0, "adam": 2.0}, STATE)
    check(verdict, "confirmed")
    tie = claims.adam_is_faster({"sgd": 1.0, "adam": 1.03}, {"sgd": 2.0, "adam": 2.1}, STATE)
    check(tie, "confirmed")
    assert "within 10% of the first, SGD (2.0 s)" in tie.sentence
    cheapest = claims.adam_is_faster({"sgd": 1.0, "adam": 0.9}, {"sgd": 3.0, "adam": 2.0}, STATE)
    assert "an Adam step is the cheapest" in cheapest.sentence


def test_adam_not_reaching_the_target():
    verdict = claims.adam_is_faster({"sgd": 1.0, "adam": 1.01}, {"sgd": 3.0, "adam": None}, STATE)
    check(verdict, "depends")
    assert "Adam does not reach 97 %, SGD does after 3.0 s" in verdict.sentence


# CNN ranking ------------------------------------------------------------------------------

def ranked(accuracies: dict[str, float]) -> Results:
    return make_results([make_run(name, a) for name, a in accuracies.items()])


def test_kendall_tau():
    assert claims.kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert claims.kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == -1.0
    assert claims.kendall_tau(["a", "b", "c", "d"], ["b", "a", "c", "d"]) == pytest.approx(4 / 6)
    with pytest.raises(ValueError):
        claims.kendall_tau(["a", "b"], ["a", "c"])


def test_same_ends_confirm_the_ranking():
    mlp = ranked({"adam": 0.97, "adagrad": 0.96, "rmsprop": 0.95, "sgd": 0.90})
    cnn = ranked({"adam": 0.98, "adagrad": 0.95, "rmsprop": 0.96, "sgd": 0.85})
    verdict = claims.ranking_holds_for_cnn(mlp, cnn)
    check(verdict, "confirmed")
    assert verdict.numbers["kendall_tau"] == pytest.approx(4 / 6)


def test_ties_count_as_agreement_and_one_end_depends():
    mlp = ranked({"adam": 0.97, "adagrad": 0.96, "sgd": 0.90})
    cnn = ranked({"adam": 0.978, "adagrad": 0.98, "sgd": 0.97})
    verdict = claims.ranking_holds_for_cnn(mlp, cnn)
    assert verdict.numbers["best_agrees"]
    check(verdict, "confirmed")
    flipped = ranked({"adam": 0.95, "adagrad": 0.98, "sgd": 0.90})
    check(claims.ranking_holds_for_cnn(mlp, flipped), "depends")


def test_reversed_ranking_is_refuted():
    mlp = ranked({"adam": 0.97, "adagrad": 0.96, "sgd": 0.90})
    cnn = ranked({"adam": 0.90, "adagrad": 0.96, "sgd": 0.97})
    check(claims.ranking_holds_for_cnn(mlp, cnn), "refuted")


# gradient-descent variants ----------------------------------------------------------------

def test_metric_at_seconds_takes_the_last_finished_epoch():
    run = make_run("sgd", [0.5, 0.6, 0.7], seconds=2.0)
    assert claims.metric_at_seconds(run, 4.5, "test_accuracy") == 0.6
    assert claims.metric_at_seconds(run, 1.0, "test_accuracy") is None
    assert claims.metric_at_seconds(run, 100.0, "test_accuracy") == 0.7


def test_minibatch_best_per_second_and_better_than_full_batch_is_confirmed():
    verdict = claims.minibatch_is_middle_ground({8: 0.2, 64: 0.25, None: 1.5},
                                                {8: 0.4, 64: 0.25, None: 1.0}, 64, 5, 1.0)
    check(verdict, "confirmed")
    assert "0.250 (batch 64)" in verdict.sentence and "(full batch)" in verdict.sentence


def test_minibatch_beaten_per_second_depends_and_beaten_everywhere_is_refuted():
    check(claims.minibatch_is_middle_ground({8: 0.2, 64: 0.25, None: 1.5},
                                            {8: 0.2, 64: 0.25, None: 1.0}, 64, 5, 1.0), "depends")
    check(claims.minibatch_is_middle_ground({8: 0.2, 64: 1.6, None: 1.5},
                                            {8: 0.2, 64: 1.6, None: 1.0}, 64, 5, 1.0), "refuted")


def test_no_finished_epoch_counts_as_worst():
    verdict = claims.minibatch_is_middle_ground({8: 0.2, 64: 0.25, None: 1.5},
                                                {8: None, 64: 0.25, None: 1.0}, 64, 5, 1.0)
    check(verdict, "confirmed")
    assert "no epoch (batch 8)" in verdict.sentence
