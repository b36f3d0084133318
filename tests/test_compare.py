"""Configs, the results cache, the results file, summaries and figures."""

from __future__ import annotations

import json
import warnings

import pytest

from optguide import cache as cache_module
from optguide import report, results
from optguide.cache import cache_path
from optguide.compare import Config, ConfigError, compare
from optguide.executor import Placement


@pytest.fixture
def small_config() -> Config:
    return Config(optimizers=("sgd", "adam"), presets=("pytorch", "keras"), seeds=(0, 1),
                  epochs=2, batch_size=64, validation_size=128, device="cpu")


@pytest.mark.parametrize("changes,match", [
    (dict(optimizers=("adamw",)), "unknown optimizer 'adamw'"),
    (dict(presets=("jax",)), "unknown preset"),
    (dict(epochs=0), "epochs must be"),
    (dict(batch_size=0), "batch size must be"),
    (dict(seeds=(-1,)), "seeds must be"),
    (dict(model="resnet"), "unknown model"),
    (dict(learning_rates=(0.0,)), "learning rates must be positive"),
    (dict(train_size=0), "train size"),
    (dict(validation_size=0), "validation size must be"),
    (dict(eval_every=0.0), "eval_every must be"),
    (dict(eval_every=2), "eval_every must be"),
    (dict(trace_test=True), "trace_test needs eval_every"),
    (dict(eval_every=0.5, trace_test=1), "trace_test must be"),
    (dict(engine="magic"), "unknown engine"),
    (dict(optimizers=("sgd", "sgd")), "duplicates"),
])
def test_invalid_configs_are_rejected(changes, match):
    with pytest.raises(ConfigError, match=match):
        Config(**changes)


def test_run_specs_cover_the_product(small_config):
    specs = small_config.run_specs()
    assert len(specs) == 2 * 2 * 2
    keras_sgd = next(s for s in specs if s.optimizer == "sgd" and s.preset == "keras")
    assert keras_sgd.hyperparameters["lr"] == 0.01
    sweep = small_config.replace(learning_rates=(0.1, 0.2)).run_specs()
    assert {s.hyperparameters["lr"] for s in sweep} == {0.1, 0.2}


def test_config_round_trips_through_dict(small_config):
    assert Config.from_dict(json.loads(json.dumps(small_config.to_dict()))) == small_config


def test_compare_caches_and_reuses(small_config, fake_mnist_dir, isolated_cache):
    first = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    assert not first.from_cache and cache_path(small_config, data_root=fake_mnist_dir).is_file()
    second = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    assert second.from_cache
    assert second.to_dict() == first.to_dict()
    assert len(second.runs) == 8 and {r.status for r in second.runs} == {"ok"}


def test_configurations_trained_together_are_cached_one_by_one(small_config, fake_mnist_dir,
                                                               isolated_cache):
    from optguide.compare import compare_many

    cosine = small_config.replace(optimizers=("sgd",), presets=("pytorch",), schedule="cosine",
                                  overrides=(("momentum", 0.9),))
    longer = small_config.replace(optimizers=("adam",), presets=("pytorch",), epochs=3)
    cached = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    trained = compare_many([cosine, small_config, longer],
                           placement=Placement(data_root=fake_mnist_dir))
    assert [r.from_cache for r in trained] == [False, True, False]
    assert trained[1].to_dict() == cached.to_dict()
    for config, got in zip((cosine, small_config, longer), trained):
        assert got.config == config.to_dict()
        assert [(r.optimizer, r.preset, r.seed, r.schedule) for r in got.runs] == [
            (s.optimizer, s.preset, s.seed, str(s.schedule)) for s in config.run_specs()]
        assert len(got.runs[0].history) == config.epochs
        again = compare(config, placement=Placement(data_root=fake_mnist_dir))
        assert again.from_cache and again.to_dict() == got.to_dict()
    assert trained[0].runs[0].hyperparameters["momentum"] == 0.9


def test_corrupt_cache_is_recomputed_with_a_warning(small_config, fake_mnist_dir,
                                                    isolated_cache):
    compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    cache_path(small_config, data_root=fake_mnist_dir).write_text("{ not json")
    with pytest.warns(RuntimeWarning, match="ignoring results cache file.*corrupt"):
        again = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    assert not again.from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compare(small_config, placement=Placement(data_root=fake_mnist_dir)).from_cache


def test_cache_key_depends_on_config_code_and_data(small_config, monkeypatch):
    key = cache_module.cache_key(small_config, "data")
    assert cache_module.cache_key(small_config.replace(epochs=3), "data") != key
    assert cache_module.cache_key(small_config, "other data") != key
    monkeypatch.setattr(cache_module, "code_hash", lambda parts=None: "other code")
    assert cache_module.cache_key(small_config, "data") != key


def test_training_code_hash_ignores_presentation_modules():
    training = cache_module.code_hash(cache_module.TRAINING_CODE)
    assert training != cache_module.code_hash()
    assert len(training) == 64


def test_results_file_round_trip_and_validation(small_config, fake_mnist_dir, isolated_cache,
                                                tmp_path):
    original = compare(small_config.replace(eval_every=0.5),
                       placement=Placement(data_root=fake_mnist_dir),
                       cache=False)
    assert [len(run.trace) for run in original.runs] == [4] * len(original.runs)
    path = original.save(tmp_path / "out" / "r.json")
    loaded = results.load(path)
    assert loaded.to_dict() == original.to_dict()
    payload = json.loads(path.read_text())
    assert payload["schema"] == 2 and payload["environment"]["device"] == "cpu"
    assert set(payload["runs"][0]["history"][0]) == set(results.EPOCH_KEYS)
    assert set(payload["runs"][0]["trace"][0]) == set(results.TRACE_KEYS)
    payload["runs"][0]["trace"][0]["val_accuracy"] = None
    path.write_text(json.dumps(payload))
    with pytest.raises(results.ResultsError, match=r"trace\[0\]"):
        results.load(path)
    payload["runs"][0]["trace"][0].update(val_accuracy=0.5, test_loss=0.3)  # no test_accuracy
    path.write_text(json.dumps(payload))
    with pytest.raises(results.ResultsError, match="test_loss, test_accuracy or neither"):
        results.load(path)
    payload["runs"][0]["trace"][0]["test_accuracy"] = 0.9
    path.write_text(json.dumps(payload))
    assert results.load(path).runs[0].trace[0]["test_loss"] == 0.3
    payload["runs"][0]["trace"] = []
    payload["runs"][0]["status"] = "exploded"
    path.write_text(json.dumps(payload))
    with pytest.raises(results.ResultsError, match="status 'exploded'"):
        results.load(path)
    assert not list(path.parent.glob("*.tmp")), "atomic write left a temporary file"


def test_summary_and_table(small_config, fake_mnist_dir, isolated_cache):
    res = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    rows = report.summarize(res)
    assert [(r.optimizer, r.preset) for r in rows] == [
        ("sgd", "pytorch"), ("adam", "pytorch"), ("sgd", "keras"), ("adam", "keras")]
    assert all(r.runs == 2 and r.diverged == 0 and 0 <= r.accuracy_mean <= 1 for r in rows)
    markdown = report.table(res)
    assert markdown.count("\n") == 2 + len(rows)
    html = report.table(res, "html")
    assert html.count("<tr>") == 1 + len(rows) and 'class="optguide-table"' in html
    assert report.table(res, "csv").splitlines()[0].startswith("optimizer,preset,lr")
    with pytest.raises(ValueError, match="unknown table format"):
        report.table(res, "latex")


def test_epochs_and_seconds_to_target():
    from optguide.analysis.timing import epochs_to, seconds_to

    run = results.Run("adam", "pytorch", 0, {"lr": 1e-3}, "ok", [
        {"epoch": 1, "train_loss": 1, "test_loss": 1, "test_accuracy": 0.9, "seconds": 2.0},
        {"epoch": 2, "train_loss": 1, "test_loss": 1, "test_accuracy": 0.975, "seconds": 3.0}])
    assert epochs_to(run, 0.97, "test_accuracy") == 2
    assert seconds_to(run, 0.97, "test_accuracy") == 5.0
    assert epochs_to(run, 0.99, "test_accuracy") is None


def test_learning_curves_figure(small_config, fake_mnist_dir, isolated_cache):
    import matplotlib

    matplotlib.use("Agg")
    from optguide.plots import learning_curves

    res = compare(small_config, placement=Placement(data_root=fake_mnist_dir))
    figure = learning_curves(res, x="seconds", metric="test_loss")
    axes = figure.axes[0]
    assert len(axes.get_lines()) == 4 and axes.get_xlabel() == "training time (s)"
    with pytest.raises(ValueError, match="unknown metric"):
        learning_curves(res, metric="f1")


def test_real_mnist_adam_one_epoch_on_10000_images(real_mnist, isolated_cache):
    config = Config(optimizers=("adam",), epochs=1, train_size=10_000, batch_size=64)
    outcome = compare(config, cache=False)
    assert outcome.runs[0].final["test_accuracy"] > 0.9
