"""The equal-effort study: search spaces, one budget, choices on validation only, the
published file's checks, its re-trained sample, readers, statistics and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import make_fake_mnist
from test_tune import shuffled_test_labels_copy

from optguide import cli
from optguide.analysis import study as readers
from optguide.analysis.stats import (
    EQUIVALENCE_MARGIN,
    equivalent,
    holm,
    holm_leaders,
    p_value,
    separated_pairs,
)
from optguide.compare import ConfigError
from optguide.executor import Placement
from optguide.optimizers import OPTIMIZERS, hyperparameters
from optguide.search import (
    COLUMNS,
    SCHEDULES,
    SPACES,
    defaults_inside,
    dimensions,
    learning_rate_grid,
    schedule_string,
    show_space,
    trials,
)
from optguide.study import (
    SITE_SEARCH,
    SearchStudy,
    StudyError,
    chunks_of,
    load_study,
    read_study,
    run_study,
    save_study,
    staleness,
    total_run_epochs,
    verify_sample,
)

TINY = dict(trials=4, grid_points=3, train_size=256, epochs=1, validation_size=100,
            batch_size=32, select_seeds=(0, 1), check_seeds=(2, 3), report_seeds=(5, 6, 7),
            optimizers=("sgd", "adam"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = make_fake_mnist(tmp_path_factory.mktemp("study") / "data")
    study = SearchStudy(**TINY)
    return study, root, run_study(study, placement=Placement(data_root=root, workers=1))


# Search spaces ---------------------------------------------------------------------------

def test_both_libraries_defaults_lie_inside_every_searched_range():
    for name in OPTIMIZERS:
        assert all(defaults_inside(name).values()), name


def test_every_optimizer_searches_its_rate_its_own_values_and_the_same_schedules():
    for name in OPTIMIZERS:
        dims = dimensions(name)
        assert dims[0].name == "lr" and dims[1].options == SCHEDULES
        assert len(dims) <= COLUMNS and len(SPACES[name]) >= 2
        lr = dims[0]
        assert lr.scale == "log" and lr.high / lr.low >= 1e4  # at least four decades


def test_trials_share_one_sobol_sequence_and_its_schedules():
    adam, sgd = trials("adam", 32, 0), trials("sgd", 32, 0)
    assert [t.schedule for t in adam] == [t.schedule for t in sgd]
    assert {t.schedule for t in adam} == set(SCHEDULES)
    assert trials("adam", 32, 0) == adam and trials("adam", 32, 1) != adam
    for t in adam:
        beta1, beta2 = dict(t.overrides)["betas"]
        assert 0 <= beta1 <= 0.99 and 0.9 <= beta2 <= 0.9999
    for t in sgd:  # Nesterov only with momentum
        values = dict(t.overrides)
        assert not values["nesterov"] or values["momentum"] > 0


def test_learning_rate_grid_is_centred_on_the_default_half_decades_apart():
    grid = [t.lr for t in learning_rate_grid("adam", 5)]
    assert grid == [1e-4, 0.0003162, 1e-3, 0.003162, 0.01]
    assert learning_rate_grid("adadelta", 3)[1].lr == hyperparameters("adadelta")["lr"]


def test_schedules_scale_with_the_run_and_the_space_prints():
    assert schedule_string("warmup+cosine", 785) == "cosine:warmup=78"
    assert schedule_string("cosine", 785) == "cosine"
    text = show_space()
    assert "Adam" in text and "betas[1]" in text and "warmup+cosine" in text


def test_study_validation_messages():
    with pytest.raises(ConfigError, match="disjoint"):
        SearchStudy(**{**TINY, "check_seeds": (1, 2)})
    with pytest.raises(ConfigError, match="trials"):
        SearchStudy(**{**TINY, "trials": 0})
    with pytest.raises(ConfigError, match="protocols"):
        SearchStudy(**{**TINY, "protocols": ("everything",)})


def test_the_site_study_gives_every_optimizer_the_same_budget():
    study = SITE_SEARCH
    assert study.trials >= 32 and len(study.select_seeds) >= 3
    assert len(study.report_seeds) >= 10
    for protocol in ("lr", "full"):
        assert len({len(study.trial_list(protocol, o)) for o in study.optimizers}) == 1
    assert total_run_epochs(study) == (5 * (32 + 9) * 6 + 4 * 5 * 10) * 5


# The computed study ----------------------------------------------------------------------

def test_study_gives_equal_trials_and_reports_the_validation_choice(tiny):
    study, _, results = tiny
    assert readers.equal_effort(results)
    cost = readers.budget(results)
    assert cost.trials["full"] == {"sgd": 4, "adam": 4} and cost.trials["lr"]["adam"] == 3
    for protocol in ("lr", "full"):
        for name, row in readers.rows(results, protocol).items():
            chosen = readers.choice(results, protocol, name)
            scores = readers.trial_scores(results, protocol, name)
            means = {t: sum(v.values()) / len(v) for t, v in scores.items()}
            assert chosen.val_accuracy == max(means.values())
            assert set(row.scores) == set(study.report_seeds)
            assert row.lr == chosen.values["lr"]


def test_shuffled_test_labels_change_no_choice(tmp_path):
    study = SearchStudy(**{**TINY, "optimizers": ("adam",)})
    clean = run_study(study,
                      placement=Placement(data_root=make_fake_mnist(tmp_path / "clean"), workers=1))
    shuffled_data = shuffled_test_labels_copy(tmp_path / "shuffled")
    shuffled = run_study(study, placement=Placement(data_root=shuffled_data, workers=1))
    for protocol in ("lr", "full"):
        a = readers.choice(clean, protocol, "adam")
        b = readers.choice(shuffled, protocol, "adam")
        assert (a.trial, a.val_accuracy) == (b.trial, b.val_accuracy)
        assert readers.rows(shuffled, protocol)["adam"].test.mean < 0.3


def test_a_study_file_round_trips_compressed_and_refuses_staleness(tiny, tmp_path):
    study, root, results = tiny
    path = save_study(results, tmp_path / "study.json.gz")
    again = read_study(path)
    assert again.to_dict() == results.to_dict()
    assert staleness(again, study, root) == []
    assert load_study(path, study, root).runs == results.runs
    assert "configuration" in staleness(again, SearchStudy(**{**TINY, "trials": 5}), root)[0]
    other = make_fake_mnist(tmp_path / "other", seed=3)
    with pytest.raises(StudyError, match="optguide tune --study site"):
        load_study(path, study, other)
    with pytest.raises(StudyError, match="no study file"):
        load_study(tmp_path / "missing.json.gz", study, root)


def test_a_resampled_chunk_retrains_bit_for_bit(tiny):
    _, root, results = tiny
    check = verify_sample(results, fraction=0.1, draw_seed=3, placement=Placement(data_root=root))
    assert check.sampled_runs == check.matched > 0
    assert check.max_abs_diff_accuracy == 0.0 and check.report_runs > 0
    assert check.sampled_run_epochs >= 0.1 * check.total_run_epochs
    assert set(check.to_dict()) >= {"sampled_runs", "matched", "max_abs_diff_accuracy",
                                    "tolerance"}


def test_a_tampered_run_fails_verification(tiny):
    _, root, results = tiny
    copy = readers_copy(results)
    for run in copy.runs:  # every run's final accuracy moved by 3 points
        run.history[-1]["val_accuracy"] = min(1.0, run.history[-1]["val_accuracy"] + 0.03) \
            if run.history else 0.0
    check = verify_sample(copy, fraction=0.05, draw_seed=1, placement=Placement(data_root=root))
    assert check.matched < check.sampled_runs and check.mismatches


def readers_copy(results):
    from optguide.results import from_dict

    return from_dict(json.loads(json.dumps(results.to_dict())))


def test_chunks_cover_every_run_once(tiny):
    _, _, results = tiny
    positions = [p for _, chunk in chunks_of(results) for p in chunk]
    assert sorted(positions) == list(range(len(results.runs)))


def test_stability_and_tuning_curves(tiny):
    _, _, results = tiny
    for found in readers.stability(results, "full").values():
        assert found.gap >= 0 and (not found.same or found.gap == 0)
    curve = readers.tuning_curve(results, "adam")
    assert [c[0] for c in curve] == [1, 2, 3, 4]
    means = [c[1] for c in curve]
    assert means == sorted(means) and curve[-1][2] == curve[-1][3] == curve[-1][1]
    assert all(low <= high for _, _, low, high in curve)
    per_seed = readers.expected_best_per_seed(results, "adam", 2)
    assert set(per_seed) == {0, 1, 2, 3}


def test_best_of_k_quantiles_are_exact():
    # best of 2 from (1, 2, 3): 2 with probability 1/3, 3 with 2/3
    assert readers.best_of_quantile([1, 2, 3], 2, 0.25) == 2
    assert readers.best_of_quantile([1, 2, 3], 2, 0.5) == 3


def test_expected_best_is_exact():
    assert readers.expected_best([1, 2, 3], 1) == (2, pytest.approx((2 / 3) ** 0.5))
    assert readers.expected_best([1, 2, 3], 2)[0] == pytest.approx((2 + 3 + 3) / 3)
    assert readers.expected_best([1, 2, 3], 3) == (3, 0)


def test_table_rows_have_the_csv_columns(tiny):
    _, _, results = tiny
    rows = readers.table_rows(results)
    assert len(rows) == 4 * 2
    full = [r for r in rows if r["protocol"] == "full"]
    assert all(r["trials"] == 4 and "schedule=" in r["chosen"] for r in full)
    assert all(r["trials"] == 0 and r["val_accuracy"] is None
               for r in rows if r["protocol"] in ("defaults", "keras_defaults"))
    keras = readers.report_runs(results, "keras_defaults", "adam")
    assert {r.preset for r in keras} == {"keras"}


# Statistics ------------------------------------------------------------------------------

def test_holm_steps_down_and_stops_at_the_first_kept_hypothesis():
    assert holm({"a": 0.001, "b": 0.02, "c": 0.04}) == {"a": True, "b": True, "c": True}
    assert holm({"a": 0.001, "b": 0.03, "c": 0.04}) == {"a": True, "b": False, "c": False}
    assert holm({"a": 0.2, "b": 0.001}) == {"a": False, "b": True}


def test_correction_can_keep_a_pair_an_uncorrected_test_would_separate():
    seeds = range(5)
    a = {s: 0.90 + 0.001 * (s % 2) for s in seeds}
    b = {s: a[s] - 0.002 - 0.003 * (s % 3) for s in seeds}
    p = p_value(a, b)
    assert 0.05 / 10 < p < 0.05
    # Three more options, noisy around a: the family has 10 pairs, most not separated.
    table = {"a": a, "b": b, **{f"x{i}": {s: 0.9 + 0.05 * ((s * (i + 1)) % 3 - 1)
                                          for s in seeds} for i in range(3)}}
    assert separated_pairs(table)[("a", "b")] == 0
    assert "b" in holm_leaders(table)


def test_equivalence_needs_an_interval_inside_the_margin():
    seeds = range(10)
    a = {s: 0.95 + 0.0003 * (s % 3) for s in seeds}
    close = {s: a[s] - 0.0004 + 0.0002 * (s % 2) for s in seeds}
    far = {s: a[s] - 0.01 for s in seeds}
    noisy = {s: a[s] + (0.01 if s % 2 else -0.01) for s in seeds}
    assert equivalent(a, close) and not equivalent(a, far) and not equivalent(a, noisy)
    assert EQUIVALENCE_MARGIN == 0.002


# CLI -------------------------------------------------------------------------------------

def test_cli_shows_the_space(capsys):
    assert cli.main(["tune", "--show-space"]) == 0
    assert "searched over" in capsys.readouterr().out


def test_cli_runs_protocols_and_tables_them_as_csv(tmp_path, capsys, monkeypatch):
    root = make_fake_mnist(tmp_path / "data")
    out = tmp_path / "study.json.gz"
    code = cli.main(["tune", "--protocol", "defaults,full", "--trials", "2", "--optimizers",
                     "adam", "--select-seeds", "0,1", "--check-seeds", "2,3",
                     "--report-seeds", "5,6", "--epochs", "1", "--train-size", "128",
                     "--validation-size", "100", "--data-dir", str(root), "--out", str(out),
                     "--workers", "1", "--quiet"])
    assert code == 0 and out.exists()
    capsys.readouterr()
    assert cli.main(["table", str(out), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["protocol"] for r in rows] == ["defaults", "full"]
    assert list(rows[0]) == ["protocol", "optimizer", "trials", "chosen", "val_accuracy",
                             "accuracy_mean", "accuracy_ci", "n"]
    assert rows[1]["trials"] == "2" and "lr=" in rows[1]["chosen"]


def test_cli_refuses_changing_the_site_study(capsys):
    assert cli.main(["tune", "--study", "site", "--trials", "3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optguide: error:") and "--trials" in err and err.count("\n") == 1


def test_resampled_chunks_train_one_per_seed_per_call(tiny):
    from optguide.study import _calls

    _, _, results = tiny
    chunks = [positions for _, positions in chunks_of(results)]
    calls = _calls(chunks, results)
    assert sorted(p for call in calls for chunk in call for p in chunk) == \
        sorted(p for chunk in chunks for p in chunk)
    for call in calls:
        seeds = [results.runs[chunk[0]].seed for chunk in call]
        assert len(seeds) == len(set(seeds))


def test_the_build_extension_words_its_check(tmp_path):
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "docs" / "_ext"))
    from optguide_study import verification_sentence

    text = verification_sentence({"sampled_runs": 70, "matched": 70, "sampled_run_epochs": 350,
                                  "total_run_epochs": 7000, "report_runs": 10,
                                  "draw_seed": 5, "max_abs_diff_accuracy": 0.0,
                                  "tolerance": 0.005})
    assert "re-trained 70 of the study's runs" in text and "5%" in text
    assert "all matched" in text and "0.00 points" in text and "0.5 points" in text


def _numbers(results):
    """Every run's identity and numbers, without the seconds (which no two runs share)."""
    return [(r.optimizer, r.seed, r.hyperparameters, r.status, r.schedule,
             [{k: v for k, v in e.items() if k != "seconds"} for e in r.history])
            for r in results.runs]


def test_the_study_gives_the_same_numbers_on_ray(tmp_path):
    ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'optguide[ray]')")
    root = make_fake_mnist(tmp_path / "data")
    study = SearchStudy(**{**TINY, "optimizers": ("adam",), "trials": 2, "grid_points": 2,
                           "protocols": ("defaults", "full")})
    local = run_study(study, placement=Placement(data_root=root, workers=2))
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        on_ray = run_study(study, placement=Placement(data_root=root, backend="ray"))
    finally:
        ray.shutdown()
    assert _numbers(on_ray) == _numbers(local)
    assert on_ray.config["index"] == local.config["index"]
