"""The tuning protocol: choices on validation only, report on disjoint seeds, widening, CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from conftest import make_fake_mnist, write_idx

from optguide.analysis.headline import tuned_rows
from optguide.compare import ConfigError
from optguide.executor import Placement
from optguide.results import Run
from optguide.tune import (
    CANDIDATES,
    Study,
    budget,
    choices,
    choose,
    default_grid,
    grid_around,
    phases,
    total_epochs,
    tune,
    widen,
)

SMALL = dict(epochs=1, validation_size=100, batch_size=32, select_seeds=(0, 1),
             report_seeds=(5, 6, 7))


def fake_run(lr: float, seed: int, val: float, status: str = "ok") -> Run:
    entry = {"epoch": 1, "train_loss": 1.0, "val_loss": 1.0, "val_accuracy": val,
             "test_loss": 1.0, "test_accuracy": 1 - val, "seconds": 1.0}
    return Run("adam", "pytorch", seed, {"lr": lr}, status,
               [entry] if status == "ok" else [], None if status == "ok" else 1)


def test_choose_reads_validation_only_and_counts_divergence_as_zero():
    runs = [fake_run(0.1, 0, 0.90), fake_run(0.1, 1, 0.0, "diverged"),
            fake_run(0.01, 0, 0.80), fake_run(0.01, 1, 0.80),
            fake_run(0.001, 0, 0.50), fake_run(0.001, 1, 0.52)]
    choice = choose("adam", runs)
    # 0.1 averages (0.90 + 0) / 2 = 0.45 < 0.80; test accuracy (1 - val) would pick 0.001.
    assert choice.lr == 0.01 and not choice.at_edge
    assert choice.grid[-1] == (0.1, pytest.approx(0.45), 1)
    assert choose("adam", runs[:4]).at_edge


def test_every_learning_rate_chooser_breaks_a_tie_the_same_way():
    """Issue 21 (5): one choosing rule (analysis.scoring.best_of): a three-way tie goes to the
    smallest rate, in the tuning protocol as in the sweep reading of the same runs."""
    from optguide.analysis import best_of
    from optguide.analysis.sweep import best_learning_rate
    from optguide.results import Results

    runs = [fake_run(lr, seed, 0.9) for lr in (0.3, 0.1, 0.03) for seed in (0, 1)]
    runs += [fake_run(0.01, seed, 0.5) for seed in (0, 1)]
    assert choose("adam", runs).lr == 0.03
    results = Results({"optimizers": ["adam"], "presets": ["pytorch"]}, {}, runs)
    assert best_learning_rate(results, "adam") == 0.03
    assert best_of({0.03: 0.9, 0.1: 0.9, 0.3: 0.9}) == 0.03


def test_default_grid_is_half_decades_over_three_decades_around_the_default():
    grid = default_grid("adam")
    assert len(grid) == 7 and 1e-3 in grid
    assert grid[-1] / grid[0] == pytest.approx(1000, rel=1e-3)
    assert default_grid("adadelta")[3] == 1.0


@pytest.mark.parametrize("changes, message", [
    (dict(select_seeds=(0,)), "at least 2 seeds"),
    (dict(report_seeds=(1, 2)), "must differ"),
    (dict(candidates=("lion",)), "unknown optimizer"),
    (dict(learning_rates=(0.1,)), "at least 2 values"),
    (dict(epochs=0), "epochs"),
    (dict(select_epochs=0), "select_epochs"),
    (dict(candidates=("sgd",), grids={"adam": (0.1, 1.0)}), "not a candidate"),
    (dict(candidates=("sgd",), grids={"sgd": (0.1,)}), "at least 2 values"),
    (dict(candidates=("sgd",), grids={"sgd": (0.1, -1.0)}), "positive"),
])
def test_study_rejects_protocol_violations(changes, message):
    with pytest.raises(ConfigError, match=message):
        Study(**{**SMALL, **changes})


def test_sgd_as_practitioners_use_it_is_a_candidate():
    spec = CANDIDATES["sgd_nesterov_cosine"]
    assert spec.optimizer == "sgd" and spec.schedule.startswith("cosine")
    assert dict(spec.overrides) == {"momentum": 0.9, "nesterov": True}


def shuffled_test_labels_copy(root: Path) -> Path:
    """The same data with the test labels permuted (what a test-set leak would reward)."""
    copy = make_fake_mnist(root)
    labels_file = copy / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels = np.frombuffer(labels_file.read_bytes()[8:], dtype=np.uint8)
    write_idx(labels_file, np.random.default_rng(1).permutation((labels + 3) % 10))
    return copy


def test_shuffled_test_labels_change_no_choice_and_drop_test_accuracy_to_chance(
        tmp_path, isolated_cache):
    study = Study(candidates=("sgd", "adam"), learning_rates=(0.003, 0.03, 0.3), **SMALL)
    clean = tune(study, placement=Placement(data_root=make_fake_mnist(tmp_path / "clean")))
    shuffled = tune(study,
                    placement=Placement(data_root=shuffled_test_labels_copy(tmp_path / "shuffled")))
    assert {k: c.lr for k, c in choices(clean).items()} == \
           {k: c.lr for k, c in choices(shuffled).items()}
    clean_rows, shuffled_rows = tuned_rows(clean), tuned_rows(shuffled)
    for key in clean_rows:
        assert clean_rows[key].lr == shuffled_rows[key].lr
        assert clean_rows[key].val_accuracy == shuffled_rows[key].val_accuracy
        assert clean_rows[key].test.mean > 0.5
        assert shuffled_rows[key].test.mean < 0.25


def test_tune_widens_a_grid_whose_best_rate_is_at_an_edge(tmp_path, isolated_cache):
    study = Study(candidates=("sgd",), learning_rates=(1e-5, 3e-5), max_widenings=1, **SMALL)
    results = tune(study, placement=Placement(data_root=make_fake_mnist(tmp_path / "d")))
    choice = choices(results)["sgd"]
    assert choice.widenings == 1 and len(choice.grid) == 3
    cost = budget(results)
    assert cost.select_runs == 3 * 2 and cost.report_runs == 3
    report = [r for r in results.runs if r.seed in study.report_seeds]
    assert {r.lr for r in report} == {choice.lr}


def peaked_select(peak: float, calls: list[list[float]]):
    """A selection that trains nothing: validation accuracy falls with log-distance to
    ``peak``; records the rates of every call."""
    def select(rates: list[float]) -> list[Run]:
        calls.append(list(rates))
        return [fake_run(lr, seed, 0.9 - 0.1 * abs(np.log10(lr / peak)))
                for lr in rates for seed in (0, 1)]
    return select


def test_grid_around_is_half_decades_rounded_like_the_protocol():
    assert grid_around(0.1) == (0.03162, 0.1, 0.3162)
    assert grid_around(0.03162) == (0.01, 0.03162, 0.1)
    assert grid_around(1e-3, 3) == default_grid("adam")


@pytest.mark.parametrize("peak, cap, widenings, lr, at_edge, added", [
    (0.1, 2, 0, 0.1, False, []),                         # inside: no widening
    (0.3162, 2, 1, 0.3162, False, [[1.0]]),              # one step up: edge now inside
    (1.0, 2, 2, 1.0, False, [[1.0], [3.162]]),           # the peak at a new edge: one more
    (0.001, 2, 2, 0.003162, True, [[0.01], [0.003162]]),  # two steps down: still at the edge
    (0.001, 0, 0, 0.03162, True, []),                    # no widening allowed: flagged
])
def test_widen_grows_a_custom_grid_one_half_decade_at_the_edge(peak, cap, widenings, lr,
                                                               at_edge, added):
    calls: list[list[float]] = []
    choice, runs = widen("adam", grid_around(0.1), peaked_select(peak, calls), cap)
    assert (choice.widenings, choice.lr, choice.at_edge) == (widenings, lr, at_edge)
    assert calls == [[0.03162, 0.1, 0.3162], *added]
    assert len(runs) == 2 * (3 + widenings) and len(choice.grid) == 3 + widenings


def test_a_study_with_its_own_grids_and_shorter_selection(tmp_path, isolated_cache):
    grids = {"sgd": (1e-5, 3e-5), "adam": grid_around(1e-3)}
    study = Study(candidates=("sgd", "adam"), grids=grids, max_widenings=1,
                  **{**SMALL, "epochs": 2}, select_epochs=1)
    assert study.grid("sgd") == (1e-5, 3e-5) and study.grid("adam") == (3.162e-4, 1e-3, 3.162e-3)
    assert total_epochs(study) == (2 + 3) * 2 * 1 + 2 * 3 * 2
    results = tune(study, placement=Placement(data_root=make_fake_mnist(tmp_path / "d")))
    chosen = choices(results)
    # SGD at 1e-5 learns nothing in one epoch: its choice sits at the upper edge, widened once.
    assert chosen["sgd"].widenings == 1 and len(chosen["sgd"].grid) == 3
    assert len(chosen["adam"].grid) == 3 + chosen["adam"].widenings
    selection, report = phases(results)
    assert {len(r.history) for r in selection.runs} == {1} and selection.config["epochs"] == 1
    assert {len(r.history) for r in report.runs} == {2} and report.config["epochs"] == 2
    assert {(r.optimizer, r.lr) for r in report.runs} == {(k, c.lr) for k, c in chosen.items()}
    assert Study.from_dict(results.config) == study


#: A study's dict as saved before ``grids`` and ``select_epochs`` existed.
OLD_STUDY_DICT = {"kind": "study", "candidates": ["sgd", "adam"], "preset": "pytorch",
                  "learning_rates": None, "select_seeds": [0, 1], "report_seeds": [10, 11],
                  "model": "mlp", "epochs": 5, "batch_size": 64, "train_size": None,
                  "validation_size": 10_000, "max_widenings": 4}


def test_a_study_without_the_new_fields_keeps_its_dict_and_its_cached_phases():
    study = Study.from_dict(OLD_STUDY_DICT)
    assert study.to_dict() == OLD_STUDY_DICT  # same dict, so the same saved file
    assert study.selection_epochs == 5 and study.grid("adam") == default_grid("adam")
    # The phases train exactly the Configs they did (the results cache is keyed on them).
    from optguide.compare import Config

    old = Config(optimizers=("adam",), presets=("pytorch",), seeds=(0, 1), model="mlp",
                 epochs=5, batch_size=64, train_size=None, validation_size=10_000,
                 learning_rates=default_grid("adam"), schedule="constant", overrides=())
    assert study.config("adam", default_grid("adam"), (0, 1), study.selection_epochs) == old


def test_a_study_with_grids_round_trips_through_json():
    import json

    study = Study(candidates=("sgd", "adam"), grids={"adam": [0.01, 0.001]}, select_epochs=1,
                  **SMALL)
    saved = json.loads(json.dumps(study.to_dict()))
    assert saved["grids"] == {"adam": [0.001, 0.01]} and saved["select_epochs"] == 1
    assert Study.from_dict(saved) == study and hash(Study.from_dict(saved)) == hash(study)


def test_cli_tune_then_table_csv(tmp_path, isolated_cache, monkeypatch, capsys):
    from optguide.cli import main

    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(make_fake_mnist(tmp_path / "d")))
    out = tmp_path / "tuned.json"
    code = main(["tune", "--optimizers", "sgd,adam", "--preset", "pytorch",
                 "--learning-rates", "0.001,0.01,0.1", "--select-seeds", "0,1",
                 "--report-seeds", "2,3,4", "--epochs", "1", "--validation-size", "100",
                 "--max-widenings", "0", "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| SGD | PyTorch |" in printed and "(n = 3)" in printed
    assert main(["table", str(out), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["optimizer"] for r in rows] == ["sgd", "adam"]
    assert all(float(r["lr"]) in (0.001, 0.01, 0.1) and 0 <= float(r["accuracy_mean"]) <= 1
               for r in rows)


def test_cli_tune_rejects_shared_seeds_in_one_line(tmp_path, capsys):
    from optguide.cli import main

    code = main(["tune", "--select-seeds", "0,1", "--report-seeds", "1,2",
                 "--out", str(tmp_path / "t.json")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("optguide: error: ") and err.count("\n") == 1
    assert "must differ" in err


def test_a_config_with_overrides_is_served_from_the_cache(tmp_path, isolated_cache):
    from optguide.compare import Config, compare

    root = make_fake_mnist(tmp_path / "d")
    config = Config(optimizers=("sgd",), epochs=1, validation_size=100, batch_size=32,
                    overrides={"momentum": 0.9, "nesterov": True}, schedule="cosine")
    assert not compare(config, placement=Placement(data_root=root)).from_cache
    assert compare(config, placement=Placement(data_root=root)).from_cache


def test_plot_of_a_study_is_its_sensitivity_figure(tmp_path, isolated_cache, monkeypatch):
    from optguide.cli import main

    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(make_fake_mnist(tmp_path / "d")))
    out = tmp_path / "t.json"
    assert main(["tune", "--optimizers", "adam", "--learning-rates", "0.001,0.01",
                 "--epochs", "1", "--validation-size", "100", "--report-seeds", "3",
                 "--max-widenings", "0", "--out", str(out), "--quiet"]) == 0
    assert main(["plot", str(out), "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 10_000
