"""The analysis layer on hand-made results: filtering, the ranking rule, sweeps, timing, names."""

from __future__ import annotations

import math

import pytest
from handmade import make_results, make_run, seeded

from optguide.analysis import batches, filtering, names, scoring, sweep, timing

# -- filtering ---------------------------------------------------------------------------------


def test_where_keeps_matching_runs_and_narrows_the_config():
    results = make_results(seeded("adam", [0.9, 0.91]) + seeded("sgd", [0.8], preset="keras"))
    keras = filtering.where(results, preset="keras")
    assert [r.optimizer for r in keras.runs] == ["sgd"]
    assert keras.config["presets"] == ["keras"] and keras.config["optimizers"] == ["adam", "sgd"]
    assert len(filtering.where(results, optimizer=("adam", "sgd")).runs) == 3
    assert [r.seed for r in filtering.where(results, seed=lambda s: s >= 1).runs] == [1]
    assert filtering.where(results, preset="none").runs == []
    assert results.runs and len(results.runs) == 3  # the original is untouched


def test_where_compares_learning_rates_up_to_rounding():
    results = make_results([make_run("sgd", 0.9, lr=0.1 * 3), make_run("sgd", 0.8, lr=0.01)])
    assert len(filtering.where(results, lr=0.3).runs) == 1


def test_split_and_distinct_follow_first_appearance():
    results = make_results(seeded("sgd", [0.8], preset="keras") + seeded("adam", [0.9]))
    assert filtering.distinct(results, "preset") == ["keras", "pytorch"]
    assert list(filtering.split(results, "preset")) == ["keras", "pytorch"]


# -- the ranking rule --------------------------------------------------------------------------


def test_a_diverged_run_scores_zero_accuracy_and_infinite_loss():
    run = make_run("sgd", 0.9, status="diverged")
    assert scoring.final_metric(run) == 0.0
    assert scoring.final_metric(run, "val_accuracy") == 0.0
    assert scoring.final_metric(run, "test_loss") == math.inf


def test_scores_are_per_seed_and_reject_several_settings():
    results = make_results(seeded("adam", [0.9, 0.92]) + seeded("sgd", [0.8, 0.81]))
    table = scoring.scores(results)
    assert table == {"adam": {0: 0.9, 1: 0.92}, "sgd": {0: 0.8, 1: 0.81}}
    assert scoring.scores(results, "val_accuracy") == table
    doubled = make_results(seeded("adam", [0.9]) + seeded("adam", [0.8], preset="keras"))
    with pytest.raises(ValueError, match="several runs"):
        scoring.scores(doubled)


def test_diverged_runs_rank_last():
    results = make_results([make_run("adam", 0.97), make_run("sgd", 0.5, status="diverged"),
                            make_run("adagrad", 0.9)])
    assert scoring.ranking(scoring.scores(results)) == ["adam", "adagrad", "sgd"]


def test_tie_groups_only_order_separated_options():
    table = {"adam": {0: 0.975, 1: 0.976, 2: 0.977}, "rmsprop": {0: 0.976, 1: 0.974, 2: 0.978},
             "sgd": {0: 0.90, 1: 0.91, 2: 0.905}}
    groups = scoring.tie_groups(table)
    assert [set(g) for g in groups] == [{"adam", "rmsprop"}, {"sgd"}]
    assert scoring.rank_range("rmsprop", groups) == (1, 2)
    assert scoring.rank_range("sgd", groups) == (3, 3)
    # lower is better for losses
    assert scoring.tie_groups({"a": {0: 1.0, 1: 1.1}, "b": {0: 2.0, 1: 2.1}}, False) == [["a"],
                                                                                       ["b"]]


def test_one_seed_separates_nothing():
    groups = scoring.tie_groups({"adam": {0: 0.99}, "sgd": {0: 0.5}})
    assert groups == [["adam", "sgd"]]


def test_kendall_tau():
    assert scoring.kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1
    assert scoring.kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == -1
    with pytest.raises(ValueError):
        scoring.kendall_tau(["a"], ["a"])


# -- sweeps: selection reads validation --------------------------------------------------------


def sweep_results(val: dict[float, float], test: dict[float, float]):
    return make_results([make_run("sgd", test[lr], lr=lr, val=val[lr], seed=s)
                         for lr in val for s in (0, 1)])


def test_the_best_learning_rate_is_chosen_on_validation_not_test():
    results = sweep_results(val={0.01: 0.95, 0.1: 0.90}, test={0.01: 0.80, 0.1: 0.99})
    assert sweep.best_learning_rate(results, "sgd") == 0.01
    assert sweep.profile(results, "sgd") == ([0.01, 0.1], [0.95, 0.90])
    assert sweep.profile(results, "sgd", "test_accuracy")[1] == [0.80, 0.99]
    assert sweep.at_edge(results, "sgd")


def test_one_choosing_rule_best_mean_and_the_earliest_of_a_tie():
    assert scoring.best_of({"a": 0.9, "b": 0.95, "c": 0.95}) == "b"
    assert scoring.best_of({"c": 0.95, "b": 0.95}) == "c"  # the order given, not the name
    assert scoring.best_of({"a": {0: 0.9, 1: 1.0}, "b": [0.95, 0.95]}) == "a"  # tied means
    assert scoring.best_of({"a": 2.0, "b": 1.0, "c": 1.0}, higher_better=False) == "b"
    assert scoring.best_of({"a": math.inf, "b": math.inf}, higher_better=False) == "a"
    assert scoring.tied_best({1: 0.5, 2: 0.7, 3: 0.7, 4: 0.7}) == [2, 3, 4]
    table = {"x": {0: 0.9}, "y": {0: 0.95}, "z": {0: 0.95}}
    assert scoring.ranking(table)[0] == scoring.best_of(table)
    with pytest.raises(ValueError, match="no candidates"):
        scoring.best_of({})


def test_every_chooser_reads_the_one_tie_rule():
    """The study's chooser and its reader agree; a tied sweep keeps its lowest rate."""
    from optguide.analysis.study import choose
    from optguide.study import choose_trial

    assert choose_trial([(3, 0.9), (1, 0.95), (2, 0.95)]) == (1, 0.95)
    assert choose({3: {0: 0.9}, 2: {0: 0.95}, 1: {0: 0.95}}) == (1, 0.95)
    tied = sweep_results(val={0.01: 0.9, 0.1: 0.95, 1.0: 0.95}, test={0.01: 0, 0.1: 0, 1.0: 0})
    assert sweep.best_learning_rate(tied, "sgd") == 0.1


def test_shuffled_test_labels_leave_every_selection_unchanged():
    """Test accuracy at chance everywhere: the chosen learning rates do not move."""
    val = {1e-3: 0.90, 1e-2: 0.96, 1e-1: 0.93}
    honest = sweep_results(val, {lr: v - 0.01 for lr, v in val.items()})
    shuffled = sweep_results(val, {lr: 0.1 for lr in val})
    assert sweep.best_learning_rate(honest, "sgd") == sweep.best_learning_rate(shuffled, "sgd")


def test_good_range_interpolates_between_grid_points():
    assert sweep.good_range_decades([0.01, 0.1, 1.0], [0.90, 0.95, 0.90], 0.025) == \
        pytest.approx(1.0)
    intervals = sweep.good_intervals([0.01, 0.1, 1.0, 10.0], [0.95, 0.80, 0.95, 0.80], 0.05)
    assert len(intervals) == 2


def test_good_range_against_another_reference():
    """A flat but poor curve is not wide when measured against the best optimizer."""
    lrs, flat = [0.01, 0.1, 1.0], [0.90, 0.90, 0.90]
    assert sweep.good_range_decades(lrs, flat, 0.01) == pytest.approx(2.0)
    assert sweep.good_range_decades(lrs, flat, 0.01, reference=0.97) == 0.0


# -- batch sizes -------------------------------------------------------------------------------


def batch_sweep(accuracy, seeds=(0, 1, 2)):
    """``accuracy``: optimizer -> batch -> lr -> (val, test) final accuracy (seed adds 0.001)."""
    return {b: make_results([make_run(name, test + s / 1000, lr=lr, val=val + s / 1000, seed=s)
                             for name, by_batch in accuracy.items()
                             for lr, (val, test) in by_batch[b].items() for s in seeds])
            for b in next(iter(accuracy.values()))}


def test_hyperparameter_effects_one_at_a_time():
    from optguide.optimizers import hyperparameters
    from optguide.results import Run

    def run(seed: int, val: float, **changed) -> Run:
        base = make_run("adam", 0.9, seed=seed, val=val)
        return Run("adam", "pytorch", seed, hyperparameters("adam", "pytorch", **changed),
                   "ok", base.history, None)

    results = make_results([run(s, 0.90 + d) for s, d in ((0, 0.0), (1, 0.01))]
                           + [run(s, 0.93 + d, eps=1e-4) for s, d in ((0, 0.0), (1, 0.01))]
                           + [run(s, 0.85, eps=1e-12) for s in (0, 1)]
                           + [run(s, 0.89, betas=(0.9, 0.99)) for s in (0, 1)])
    effects = sweep.hyperparameter_effects(results)["adam"]
    assert effects["eps"].gain == pytest.approx(0.03)
    assert effects["eps"].spread == pytest.approx(0.085)
    assert [v for v, _ in effects["eps"].values] == [1e-12, 1e-8, 1e-4]
    assert effects["betas"].gain == 0.0 and effects["betas"].default == (0.9, 0.999)
    with pytest.raises(ValueError, match="one at a time"):
        sweep.hyperparameter_effects(make_results([run(0, 0.9, eps=1e-4, betas=(0.9, 0.99))]))


def test_learning_rates_by_view_and_per_seed_noise_costs():
    results = batch_sweep({"sgd": {8: {0.001: (0.80, 0.80), 0.1: (0.90, 0.70)},
                                   64: {0.001: (0.85, 0.85), 0.1: (0.95, 0.95)}}})
    assert batches.chosen_learning_rates(results, "sgd", "fixed") == {8: 0.1, 64: 0.1}
    assert batches.chosen_learning_rates(results, "sgd", "retuned") == {8: 0.1, 64: 0.1}
    assert batches.chosen_learning_rates(results, "sgd", "default") == {8: 0.001, 64: 0.001}
    costs = batches.noise_costs(results, "fixed")
    assert costs["sgd"] == pytest.approx({0: 0.25, 1: 0.25, 2: 0.25})
    means = batches.accuracy_by_batch_size(results, "default")
    assert means["sgd"][8] == pytest.approx(0.801)


# -- timing ------------------------------------------------------------------------------------


def test_time_to_target_reads_validation_and_sums_seconds():
    run = make_run("adam", [0.90, 0.96, 0.98], val=[0.90, 0.97, 0.98], seconds=2.0)
    assert timing.seconds_to(run, 0.97) == 4.0
    assert timing.seconds_to(run, 0.97, "test_accuracy") == 6.0
    assert timing.epochs_to(run, 0.99) is None
    table = timing.time_to_target(make_results([run]), 0.97)
    assert table == {"adam": {0: 4.0}}


def test_time_to_target_reads_the_trace_when_there_is_one():
    run = make_run("adam", [0.90, 0.98], seconds=2.0)
    run.trace = [{"step": 10, "seconds": 0.5, "val_accuracy": 0.95},
                 {"step": 20, "seconds": 1.1, "val_accuracy": 0.975},
                 {"step": 30, "seconds": 1.6, "val_accuracy": 0.98}]
    assert timing.seconds_to(run, 0.97) == 1.1
    assert timing.seconds_to(run, 0.99) is None
    assert timing.seconds_to(run, 0.97, "test_accuracy") == 4.0


def test_metric_after_a_budget():
    run = make_run("sgd", [0.5, 0.6], loss=[0.7, 0.4], seconds=2.0)
    assert timing.metric_at_seconds(run, 3.0, "test_loss") == 0.7
    assert timing.metric_at_seconds(run, 1.0, "test_loss") is None



def test_metric_after_a_number_of_updates():
    run = make_run("sgd", [0.5, 0.6], loss=[0.7, 0.4])
    run.trace = [{"step": 4, "seconds": 0.5, "val_accuracy": 0.4, "test_loss": 0.9,
                  "test_accuracy": 0.4},
                 {"step": 12, "seconds": 1.5, "val_accuracy": 0.55}]  # no test metrics
    assert timing.evaluations_by_update(run, 10) == [(4, 0.9), (10, 0.7), (20, 0.4)]
    assert timing.metric_at_updates(run, 4, 10) == 0.9
    assert timing.metric_at_updates(run, 20, 10) == 0.4
    assert timing.metric_at_updates(run, 12, 10) is None  # evaluated there, but not on test
    assert timing.metric_at_updates(run, 12, 10, "val_accuracy") == 0.55
    results = make_results([run])
    results.config.update(train_size=100, batch_size=8)
    assert timing.updates_per_epoch(results) == 13
    results.config.update(batch_size=None)
    assert timing.updates_per_epoch(results) == 1
    results.config.update(train_size=None)
    with pytest.raises(ValueError, match="train_size"):
        timing.updates_per_epoch(results)

# -- names -------------------------------------------------------------------------------------


def test_names_and_phrasing():
    assert [names.optimizer_name(n) for n in ("sgd", "adagrad", "adadelta", "rmsprop",
                                              "adam")] == ["SGD", "Adagrad", "Adadelta",
                                                           "RMSprop", "Adam"]
    assert names.possessive("pytorch") == "PyTorch's" and names.possessive("keras") == "Keras'"
    assert [names.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "111th"]
    assert names.percent(0.97312) == "97.3 %" and names.points(0.0042, 2) == "0.42"
    assert names.points(-0.0042, 2, signed=True) == "-0.42"
    assert names.join_names(["a", "b", "c"]) == "a, b and c"
    assert names.join_names(["a"]) == "a" and names.join_names([]) == ""
    assert names.number(1e-6) == "1e-6"
    assert names.batch_label(None) == "full batch" and names.batch_label(8) == "batch 8"
    assert set(names.COLORS) == set(names.OPTIMIZER_NAMES)


def test_budget_basis_says_updates_or_examples():
    from optguide.results import Results

    def sweep_of(epochs: int) -> Results:
        return Results({"epochs": epochs, "train_size": 2048}, {}, [])

    updates = batches.budget_basis({8: sweep_of(1), 32: sweep_of(4), 128: sweep_of(16)})
    assert updates == "an equal number of updates (256 per run, 2,048 to 32,768 examples)"
    examples = batches.budget_basis({8: sweep_of(2), 128: sweep_of(2)})
    assert examples == "an equal number of examples (2 epochs)"
    assert batches.budget_basis({8: sweep_of(1), 128: sweep_of(2)}).startswith("neither")
