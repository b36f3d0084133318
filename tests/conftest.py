"""Shared fixtures: tiny generated MNIST-format data, and the real MNIST when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from optguide import data


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
