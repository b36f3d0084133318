"""The pages' shared runs, published: computed into a cache, checked on load (stale refused),
seeded into a build's cache where compare finds them, and a re-trained sample compared."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import make_fake_mnist

from optguide import cli, shared_runs
from optguide.compare import Config, compare
from optguide.executor import Placement
from optguide.study import StudyError
from optguide.tune import Study, tune

STUDY = Study(candidates=("sgd", "adam"), learning_rates=(0.01, 0.1), select_seeds=(0, 1),
              report_seeds=(5, 6), epochs=1, batch_size=32, train_size=256,
              validation_size=100, max_widenings=0)
COMPARISON = Config(optimizers=("sgd", "adam"), presets=("pytorch",), seeds=(5, 6), epochs=1,
                    batch_size=32, train_size=256, validation_size=100)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared")
    root = make_fake_mnist(folder / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared_runs, "experiments", lambda: (STUDY, COMPARISON, ()))
        entries, groups = shared_runs.compute(placement=Placement(data_root=root, workers=1))
    return root, shared_runs.save(entries, groups, folder / "shared.json.gz"), entries


def test_the_file_holds_every_configuration_the_pages_ask_for(published, tmp_path,
                                                             monkeypatch):
    root, path, entries = published
    shared = shared_runs.load(path, root)
    loaded = shared.entries
    assert len(loaded) == len(entries) >= 5  # two selections, two reports, one comparison
    assert [len(group) for group in shared.groups] == [2, 2, 1]  # trained together
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPTGUIDE_CACHE_DIR", str(cache))
    assert shared_runs.seed_cache(loaded) == len(loaded)
    assert shared_runs.seed_cache(loaded) == 0  # already there
    placement = Placement(data_root=root, workers=1)
    assert compare(COMPARISON, placement=placement).from_cache
    before = sorted(p.name for p in cache.iterdir())
    tune(STUDY, placement=placement)
    assert sorted(p.name for p in cache.iterdir()) == before  # nothing trained again


def test_a_sample_of_chunks_retrains_bit_for_bit(published):
    root, path, _ = published
    shared = shared_runs.load(path, root)
    places = sorted(p for _, chunk in shared_runs.chunks(shared) for p in chunk)
    assert places == sorted((e, r) for e, entry in enumerate(shared.entries)
                            for r in range(len(entry.results.runs)))
    check = shared_runs.verify_sample(shared, fraction=0.2, draw_seed=4,
                                      placement=Placement(data_root=root, workers=1))
    assert check.sampled_runs == check.matched > 0
    assert check.max_abs_diff_accuracy == 0.0
    assert check.sampled_run_epochs >= 0.2 * check.total_run_epochs


def test_a_tampered_number_is_caught_by_the_checksum_and_a_moved_one_by_the_sample(
        published, tmp_path):
    root, path, entries = published
    payload = json.loads(gzip.decompress(path.read_bytes()))
    payload["entries"][0]["results"]["runs"][0]["history"][-1]["val_accuracy"] = 0.5
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(gzip.compress(json.dumps(payload).encode()))
    with pytest.raises(StudyError, match="damaged entry"):
        shared_runs.load(damaged, root)
    loaded = shared_runs.load(path, root)
    for entry in loaded.entries:
        for run in entry.results.runs:
            run.history[-1]["test_accuracy"] -= 0.03
    check = shared_runs.verify_sample(loaded, fraction=0.1, draw_seed=1,
                                      placement=Placement(data_root=root, workers=1))
    assert check.matched < check.sampled_runs and check.mismatches


def test_a_stale_or_missing_file_names_the_command_that_regenerates_it(published, tmp_path):
    root, path, _ = published
    other = make_fake_mnist(tmp_path / "other", seed=3)
    with pytest.raises(StudyError, match=r"stale \(the data changed\).*--study pages"):
        shared_runs.load(path, other)
    payload = json.loads(gzip.decompress(path.read_bytes()))
    payload["entries"][1]["key"]["code"] = "0" * 64
    old = tmp_path / "old.json.gz"
    old.write_bytes(gzip.compress(json.dumps(payload).encode()))
    with pytest.raises(StudyError, match="the training code changed"):
        shared_runs.load(old, root)
    with pytest.raises(StudyError, match="no shared-runs file"):
        shared_runs.load(tmp_path / "missing.json.gz", root)
    (tmp_path / "study.json").write_text(json.dumps({"kind": "search_study"}))
    with pytest.raises(StudyError, match="not a shared-runs file"):
        shared_runs.load(tmp_path / "study.json", root)
    payload["groups"] = payload["groups"][1:]  # an entry no group trained
    (tmp_path / "partial.json").write_text(json.dumps(payload))
    with pytest.raises(StudyError, match="not a shared-runs file"):
        shared_runs.load(tmp_path / "partial.json", root)


def test_the_cli_writes_the_file_and_refuses_other_settings(published, tmp_path, capsys,
                                                            monkeypatch):
    root, _, _ = published
    assert cli.main(["tune", "--study", "pages", "--report-seeds", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optguide: error: --study pages") and err.count("\n") == 1
    monkeypatch.setattr(shared_runs, "experiments", lambda: (STUDY, COMPARISON, ()))
    out = tmp_path / "shared.json.gz"
    assert cli.main(["tune", "--study", "pages", "--data-dir", str(root), "--workers", "1",
                     "--out", str(out)]) == 0
    assert len(shared_runs.load(out, root).entries) >= 5
    assert "wrote" in capsys.readouterr().err


def test_the_build_extension_words_its_check():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "docs" / "_ext"))
    from optguide_study import shared_runs_sentence

    text = shared_runs_sentence({"sampled_runs": 12, "matched": 12, "sampled_run_epochs": 60,
                                 "total_run_epochs": 1200, "draw_seed": 9, "entries": 15,
                                 "file": "shared_runs.json.gz",
                                 "max_abs_diff_accuracy": 0.0})
    assert "re-trained 12 of their runs (whole chunks" in text
    assert "5%" in text and "all matched" in text


def test_the_published_file_holds_the_weight_decay_search(real_mnist):
    from optguide import weight_decay

    shared = shared_runs.load()
    keys = {json.dumps(entry.identity, sort_keys=True) for entry in shared.entries}
    for _, _, config in weight_decay.selection_configs():
        identity = shared_runs.cache_identity(config, real_mnist.fingerprint)
        assert json.dumps(identity, sort_keys=True) in keys, config
