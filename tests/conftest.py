"""Shared fixtures: tiny generated MNIST-format data, and the real MNIST when present."""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from optguide import data

#: Seconds any one test may take before the whole run stops with every thread's traceback
#: (the slowest test takes about a minute here): a hang fails CI in minutes, naming the
#: test, instead of running into CI's time limit with nothing said.
TEST_TIMEOUT_S = float(os.environ.get("OPTGUIDE_TEST_TIMEOUT", "900"))


def _stop_the_run(nodeid: str, capture: object) -> None:
    """Print which test hung and where every thread is, then end the process."""
    if capture is not None:  # give the real stderr back: the traceback must be seen
        capture.suspend_global_capture(in_=True)
    sys.stderr.write(f"\n{nodeid} ran past {TEST_TIMEOUT_S:g} s; every thread:\n")
    sys.stderr.flush()
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


@pytest.fixture(autouse=True)
def hang_watchdog(request: pytest.FixtureRequest):
    """End the test run, naming the test, when one test runs past :data:`TEST_TIMEOUT_S`."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    timer = threading.Timer(TEST_TIMEOUT_S, _stop_the_run, (request.node.nodeid, capture))
    timer.daemon = True
    timer.start()
    yield
    timer.cancel()


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write ``array`` (uint8) as an IDX file, the format of MNIST's files."""
    magic = 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def make_fake_mnist(root: Path, n_train: int = 512, n_test: int = 256, seed: int = 0) -> Path:
    """A learnable MNIST-shaped data set: each class lights up its own block of pixels."""
    rng = np.random.default_rng(seed)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, size=n)
        images = rng.integers(0, 60, size=(n, 28, 28))
        for i, label in enumerate(labels):
            row = 2 + 2 * (label % 5) * 2
            col = 4 if label < 5 else 16
            images[i, row:row + 4, col:col + 8] = 255
        write_idx(raw / f"{split}-images-idx3-ubyte", images)
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    return root


@pytest.fixture
def fake_mnist_dir(tmp_path: Path) -> Path:
    """A folder holding a small generated MNIST in torchvision's layout."""
    return make_fake_mnist(tmp_path / "data")


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty results cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPTGUIDE_CACHE_DIR", str(cache))
    return cache


def real_mnist_available() -> bool:
    try:
        return data.check_mnist().is_full_mnist
    except data.DataError:
        return False


@pytest.fixture
def real_mnist():
    """The real MNIST; skipped when absent, unless OPTGUIDE_REQUIRE_DATA=1 makes that a failure."""
    if not real_mnist_available():
        if os.environ.get("OPTGUIDE_REQUIRE_DATA") == "1":
            pytest.fail(f"OPTGUIDE_REQUIRE_DATA=1 but the real MNIST is not in {data.raw_dir()}")
        pytest.skip(f"real MNIST not found in {data.raw_dir()}")
    return data.load_mnist()
