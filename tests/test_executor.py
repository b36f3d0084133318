"""The executor: chunks decided by the specs alone, and the same numbers on every backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from optguide import executor
from optguide.cache import cache_key
from optguide.compare import Config, compare
from optguide.executor import BackendError, ExecutorError, Placement, chunk_runs, execute
from optguide.train import RunSpec, TrainingData, train_batched

EPOCHS = 2
CONFIG = Config(optimizers=("sgd", "adam", "rmsprop"), presets=("pytorch", "keras"),
                seeds=(0, 1), epochs=EPOCHS, batch_size=64, device="cpu", validation_size=64)


def numbers(results) -> list:
    """Everything a run produced except its seconds (timing differs from run to run)."""
    return [(r.spec, r.status, r.diverged_epoch,
             [{k: v for k, v in h.items() if k != "seconds"} for h in r.history])
            for r in results]


def train(specs, root, **options):
    progress = options.pop("progress", None)
    return execute(specs, model="mlp", epochs=EPOCHS, batch_size=64,
                   data_options={"validation_size": 64},
                   placement=Placement(data_root=root, **options), progress=progress)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    from conftest import make_fake_mnist

    return make_fake_mnist(tmp_path_factory.mktemp("executor") / "data", n_train=256,
                           n_test=128)


@pytest.fixture(scope="module")
def in_process(tiny_data):
    """The reference: every chunk in this process (the caller has two torch threads)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        return train(CONFIG.run_specs(), tiny_data, workers=1)
    finally:
        torch.set_num_threads(threads)


class Recorder:
    def __init__(self) -> None:
        self.total = 0.0

    def update(self, n: float = 1) -> None:
        self.total += n


def test_chunks_depend_on_the_specs_only():
    specs = CONFIG.replace(learning_rates=(0.1, 0.2, 0.3, 0.4)).run_specs()  # 24 runs per seed
    chunks = chunk_runs(specs)
    assert [len(c.specs) for c in chunks] == [8, 8, 8, 8, 8, 8]
    assert [c.index for c in chunks] == list(range(6))
    assert all(len({s.seed for s in c.specs}) == 1 for c in chunks)
    assert sorted(p for c in chunks for p in c.positions) == list(range(len(specs)))
    assert all(specs[p] == s for c in chunks for p, s in zip(c.positions, c.specs))
    assert chunk_runs(specs) == chunks
    assert [len(c.specs) for c in chunk_runs(specs[:7], max_runs=3)] == [2, 2, 3]
    assert "chunk 1 of 6 (seed 0: sgd/pytorch" in chunks[0].describe(6)


def test_worker_processes_give_the_same_numbers(tiny_data, in_process):
    progress = Recorder()
    pooled = train(CONFIG.run_specs(), tiny_data, workers=2, progress=progress)
    assert numbers(pooled) == numbers(in_process)
    assert progress.total == len(CONFIG.run_specs()) * EPOCHS
    assert {r.status for r in pooled} == {"ok"}


def test_inside_a_joblib_worker_training_stays_in_process(tiny_data, in_process):
    """A loky worker's start method is unknown to a fresh interpreter: no pool is started
    there (its children would die before running), and the numbers are the same."""
    joblib = pytest.importorskip("joblib")
    pooled = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_train_where_workers_can_start)(tiny_data) for _ in range(1))
    can_start, results = pooled[0]
    assert can_start is False
    assert numbers(results) == numbers(in_process)


def _train_where_workers_can_start(root):
    from optguide.executor import can_start_workers

    return can_start_workers(), train(CONFIG.run_specs(), root, workers=2)


def test_a_run_does_not_depend_on_its_chunk_mates(tiny_data):
    """Bit for bit with the engine's batched products; within float32 noise in any case."""
    from optguide.data import load_mnist

    data = TrainingData.from_mnist(load_mnist(tiny_data), torch.device("cpu"),
                                   validation_size=64)
    specs = CONFIG.run_specs()
    alone = train_batched("mlp", specs[:1], data, epochs=EPOCHS, batch_size=64)
    mates = train_batched("mlp", specs[:5], data, epochs=EPOCHS, batch_size=64)
    for a, b in zip(alone[0].history, mates[0].history):
        for key in ("train_loss", "test_loss", "test_accuracy"):
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-7), key


def test_in_process_retries_a_failed_chunk_once(tiny_data, monkeypatch):
    specs = CONFIG.replace(seeds=(0,)).run_specs()[:2]  # one chunk
    calls = []
    original = executor.ChunkJob.train

    def flaky(self, chunk_specs, data, progress=None):
        calls.append(len(chunk_specs))
        if len(calls) == 1:
            raise RuntimeError("transient")
        return original(self, chunk_specs, data, progress)

    monkeypatch.setattr(executor.ChunkJob, "train", flaky)
    assert len(train(specs, tiny_data, workers=1)) == 2 and calls == [2, 2]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_chunk_failing_twice_is_reported(tiny_data, workers):
    broken = RunSpec("no-such-optimizer", "pytorch", 1, {"lr": 0.1})
    with pytest.raises(ExecutorError, match=r"chunk 2 of 2 \(seed 1: no-such-optimizer"):
        train([*CONFIG.run_specs()[:1], broken], tiny_data, workers=workers)


@pytest.mark.parametrize("options,match", [
    (dict(backend="spark"), "unknown backend 'spark'"),
    (dict(workers=0), "workers must be an integer >= 1"),
])
def test_bad_executor_options(tiny_data, options, match):
    with pytest.raises(BackendError, match=match):
        train(CONFIG.run_specs(), tiny_data, **options)


def test_ray_missing_is_a_clear_error(tiny_data, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(BackendError, match=r"pip install 'optguide\[ray\]'"):
        train(CONFIG.run_specs(), tiny_data, backend="ray")


def test_compare_workers_share_the_cache_key(tiny_data, isolated_cache):
    key = cache_key(CONFIG, data_root=tiny_data)
    threads = torch.get_num_threads()
    torch.set_num_threads(threads + 1)
    try:
        assert cache_key(CONFIG, data_root=tiny_data) == key
    finally:
        torch.set_num_threads(threads)
    first = compare(CONFIG, placement=Placement(data_root=tiny_data, workers=2))
    assert not first.from_cache
    assert compare(CONFIG, placement=Placement(data_root=tiny_data, workers=1)).from_cache


# -- Ray: one small local instance for the module -------------------------------------------

@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'optguide[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_gives_the_same_numbers(ray_instance, tiny_data, in_process):
    progress = Recorder()
    results = train(CONFIG.run_specs(), tiny_data, backend="ray", progress=progress)
    assert numbers(results) == numbers(in_process)
    assert progress.total == len(CONFIG.run_specs()) * EPOCHS
    assert ray_instance.is_initialized(), "an instance it did not start must stay up"


def test_ray_reports_a_failing_chunk(ray_instance, tiny_data):
    broken = RunSpec("no-such-optimizer", "pytorch", 1, {"lr": 0.1})
    with pytest.raises(ExecutorError, match=r"chunk 2 of 2 \(seed 1: no-such-optimizer.*"
                                            r"failed: KeyError"):
        train([*CONFIG.run_specs()[:1], broken], tiny_data, backend="ray")


@pytest.mark.parametrize("preset,expected", [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_openmp_threads_wait_passively_unless_the_user_says_otherwise(preset, expected):
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if preset is not None:
        env["OMP_WAIT_POLICY"] = preset
    code = "import optguide, os; print(os.environ['OMP_WAIT_POLICY'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == expected


def test_reused_workers_give_the_same_numbers_and_start_once(tiny_data, in_process):
    from optguide import executor

    specs = CONFIG.run_specs()
    with executor.reuse_workers():
        first = train(specs[:6], tiny_data, workers=2)
        second = train(specs[6:], tiny_data, workers=2)
        assert len(executor._REUSED) == 1
    assert executor._REUSED is None
    assert numbers(first + second) == numbers(in_process)
