"""The headline: default columns and the tuned column, paired findings, on hand-made runs."""

from __future__ import annotations

import pytest
from handmade import make_results, make_run

from optguide.analysis.headline import (
    column_clause,
    default_rows,
    headline_columns,
    headline_finding,
    tuned_rows,
    validation_leaders,
)
from optguide.results import Results
from optguide.tune import Study

SEEDS = (10, 11, 12)
NOISE = (0.000, 0.002, -0.001)


def column(preset: str, means: dict[str, float]) -> list:
    return [make_run(name, mean + NOISE[i], preset=preset, seed=seed)
            for name, mean in means.items() for i, seed in enumerate(SEEDS)]


def study_results(means: dict[str, float], chosen: dict[str, float],
                  noise: dict[str, tuple] | None = None) -> Results:
    """A study whose selection runs make ``chosen`` the best rate and whose report runs reach
    ``means``."""
    study = Study(candidates=tuple(means), report_seeds=SEEDS, learning_rates=(0.01, 0.1, 1.0))
    runs = []
    for name, mean in means.items():
        for lr in study.learning_rates:
            for seed in study.select_seeds:
                runs.append(make_run(name, 0.5, seed=seed, lr=lr,
                                     val=0.9 if lr == chosen[name] else 0.8))
        offsets = (noise or {}).get(name, NOISE)
        runs += [make_run(name, mean + offsets[i], seed=seed, lr=chosen[name])
                 for i, seed in enumerate(SEEDS)]
    return Results(study.to_dict(), {}, runs)


def test_rows_carry_ci_n_and_rate():
    rows = default_rows(make_results(column("pytorch", {"adam": 0.97, "sgd": 0.90})), "pytorch")
    assert rows["adam"].test.n == 3 and rows["adam"].test.half_width > 0
    assert rows["adam"].lr == 1e-3 and rows["adam"].label == "Adam"


def test_tuned_rows_use_the_rate_chosen_on_validation():
    rows = tuned_rows(study_results({"adam": 0.97, "sgd": 0.96}, {"adam": 0.01, "sgd": 1.0}))
    assert rows["adam"].lr == 0.01 and rows["sgd"].lr == 1.0
    assert rows["adam"].val_accuracy == pytest.approx(0.9)


def test_finding_names_protocol_dependence():
    defaults = make_results(column("pytorch", {"adam": 0.97, "adadelta": 0.975, "sgd": 0.90})
                            + column("keras", {"adam": 0.97, "adadelta": 0.75, "sgd": 0.94}))
    tuned = study_results({"adam": 0.975, "adadelta": 0.975, "sgd": 0.975},
                          {"adam": 0.01, "adadelta": 1.0, "sgd": 0.1},
                          noise={"adam": (0.0, 0.002, -0.001), "adadelta": (0.002, -0.001, 0.0),
                                 "sgd": (-0.001, 0.0, 0.002)})
    columns = headline_columns(defaults, tuned)
    assert [c.key for c in columns] == ["pytorch", "keras", "tuned"]
    finding = headline_finding(columns)
    assert finding.startswith("**The leaders depend on whose defaults are used, and change "
                              "again when each learning rate is tuned**")
    assert "Keras' defaults: **Adam** leads; Adadelta ranks 3rd of 3" in finding
    assert "separate none of the 3 options" in column_clause(columns[2])


def test_finding_when_nothing_changes():
    defaults = make_results(column("pytorch", {"adam": 0.97, "sgd": 0.90}))
    tuned = study_results({"adam": 0.975, "sgd": 0.93}, {"adam": 0.01, "sgd": 0.1})
    assert headline_finding(headline_columns(defaults, tuned)).startswith(
        "Defaults and tuning give the same leaders")


def test_marked_rows_come_from_validation_not_test():
    runs = [make_run("adam", 0.99, seed=s, val=0.90 + d) for s, d in zip(SEEDS, NOISE)]
    runs += [make_run("sgd", 0.80, seed=s, val=0.95 + d) for s, d in zip(SEEDS, NOISE)]
    rows = default_rows(make_results(runs), "pytorch")
    assert validation_leaders(rows) == ["sgd"]
