"""A real multi-node Ray run: a two-node cluster on this machine (issue 20, item 6).

``ray.cluster_utils.Cluster`` starts a head node and a worker node as separate Ray nodes
(one CPU each), so chunks really are spread over two nodes and Ray's scheduling, object
store and task retries are those of a cluster. Only the driver reads MNIST: the executor puts
the arrays into the object store and the tasks never look at the data folder (it is removed
before training starts).
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from optguide.compare import Config
from optguide.data import load_mnist
from optguide.executor import Placement, execute

pytestmark = pytest.mark.slow

EPOCHS = 6
CONFIG = Config(optimizers=("sgd", "adam", "rmsprop"), presets=("pytorch",), seeds=(0, 1, 2, 3),
                epochs=EPOCHS, batch_size=16, device="cpu", validation_size=64)


def numbers(results) -> list:
    """Everything a run produced except its seconds."""
    return [(r.spec, r.status, r.diverged_epoch,
             [{k: v for k, v in h.items() if k != "seconds"} for h in r.history])
            for r in results]


class Counter:
    def __init__(self) -> None:
        self.total = 0.0

    def update(self, n: float = 1) -> None:
        self.total += n


def train(root, progress=None, **placement):
    return execute(CONFIG.run_specs(), model="mlp", epochs=EPOCHS, batch_size=16,
                   data_options={"validation_size": 64},
                   placement=Placement(data_root=root, **placement), progress=progress)


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'optguide[ray]')")
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    yield cluster, worker
    if ray.is_initialized():
        ray.shutdown()
    cluster.shutdown()


def test_two_nodes_give_the_numbers_of_local_workers_with_the_data_on_the_driver_only(
        cluster, tmp_path):
    from conftest import make_fake_mnist

    root = make_fake_mnist(tmp_path / "data", n_train=256, n_test=128)
    local = train(root, workers=1)
    load_mnist(root)  # read and kept by the driver ...
    moved = tmp_path / "elsewhere"
    shutil.move(root, moved)  # ... so a task that opened the folder would fail
    try:
        import ray

        nodes, _ = cluster
        on_cluster = train(moved, backend="ray", ray_address=nodes.address)
        assert not ray.is_initialized(), "the executor disconnects what it connected"
    finally:
        shutil.move(moved, root)
    assert numbers(on_cluster) == numbers(local)


def test_a_node_lost_mid_study_is_retried_and_nothing_is_lost(cluster, tmp_path):
    from conftest import make_fake_mnist

    root = make_fake_mnist(tmp_path / "data", n_train=2048, n_test=128)
    local = train(root, workers=1)
    nodes, worker = cluster
    progress, outcome = Counter(), {}
    total = len(CONFIG.run_specs()) * EPOCHS

    def run() -> None:
        try:
            outcome["results"] = train(root, progress=progress, backend="ray",
                                       ray_address=nodes.address)
        except Exception as error:  # reported below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while progress.total == 0 and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)  # the first chunk has finished: the others are on their nodes
    lost_while_pending = progress.total < total
    nodes.remove_node(worker, allow_graceful=False)
    thread.join(timeout=600)
    assert not thread.is_alive(), "the study did not finish after its node was lost"
    assert "error" not in outcome, outcome.get("error")
    assert lost_while_pending, "every chunk had finished before the node was removed"
    assert numbers(outcome["results"]) == numbers(local)
    assert progress.total == total
