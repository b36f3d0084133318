"""Finding, checking and loading MNIST; batch orders."""

from __future__ import annotations

import gzip

import pytest
import torch

from optguide import data


def test_loads_generated_idx_files_as_uint8_tensors(fake_mnist_dir):
    mnist = data.load_mnist(fake_mnist_dir)
    assert mnist.train_images.shape == (512, 28, 28) and mnist.train_images.dtype == torch.uint8
    assert mnist.test_labels.shape == (256,) and mnist.test_labels.dtype == torch.int64
    assert int(mnist.train_labels.max()) <= 9


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path / "env"))
    assert data.data_dir() == tmp_path / "env"
    assert data.data_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(data.ENV_DATA_DIR)
    assert "optguide" in str(data.data_dir())


def test_missing_data_names_the_four_files_and_the_folder(tmp_path):
    with pytest.raises(data.DataError) as error:
        data.load_mnist(tmp_path / "nowhere")
    message = str(error.value)
    assert str(tmp_path / "nowhere" / "MNIST" / "raw") in message
    for name in data.FILES:
        assert name in message
    assert "OPTGUIDE_DATA_DIR" in message


def test_truncated_file_is_a_clear_error(fake_mnist_dir):
    path = fake_mnist_dir / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(data.DataError, match="truncated or corrupt"):
        data.load_mnist(fake_mnist_dir)


def test_gzipped_file_in_place_of_raw_is_a_clear_error(fake_mnist_dir):
    path = fake_mnist_dir / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    path.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(data.DataError, match="gzipped or corrupt"):
        data.check_mnist(fake_mnist_dir)


def test_mismatched_images_and_labels(fake_mnist_dir):
    import numpy as np
    from conftest import write_idx

    write_idx(fake_mnist_dir / "MNIST" / "raw" / "train-labels-idx1-ubyte",
              np.zeros(10, dtype=np.uint8))
    with pytest.raises(data.DataError, match="do not belong together"):
        data.check_mnist(fake_mnist_dir)


def test_check_reports_sizes(fake_mnist_dir):
    check = data.check_mnist(fake_mnist_dir)
    assert (check.train_size, check.test_size) == (512, 256)
    assert not check.is_full_mnist


def test_batch_order_is_a_seeded_permutation():
    batches = data.batch_order(100, 32, seed=3, epoch=1)
    assert [len(b) for b in batches] == [32, 32, 32, 4]
    assert sorted(torch.cat(batches).tolist()) == list(range(100))
    again = data.batch_order(100, 32, seed=3, epoch=1)
    assert all(torch.equal(a, b) for a, b in zip(batches, again))
    assert not torch.equal(batches[0], data.batch_order(100, 32, seed=4, epoch=1)[0])
    assert not torch.equal(batches[0], data.batch_order(100, 32, seed=3, epoch=2)[0])


def test_full_batch_is_one_batch_in_order():
    (batch,) = data.batch_order(50, None, seed=0, epoch=1)
    assert batch.tolist() == list(range(50))


def test_subset_is_fixed_and_seed_independent():
    a, b = data.subset_indices(1000, 100), data.subset_indices(1000, 100)
    assert torch.equal(a, b) and len(a.unique()) == 100
    assert len(data.subset_indices(1000, None)) == 1000


def test_normalize_shape_and_scale():
    images = torch.full((2, 28, 28), 255, dtype=torch.uint8)
    x = data.normalize(images)
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32
    assert torch.allclose(x, torch.full_like(x, (1 - data.MEAN) / data.STD))


def test_real_mnist_loads_with_the_known_sizes(real_mnist):
    assert real_mnist.train_size == 60_000 and real_mnist.test_size == 10_000
    assert all(data.check_mnist().checksums.values())


def test_validation_split_is_fixed_disjoint_and_complete():
    train, validation = data.validation_split(1000, 100)
    assert len(validation) == 100 and len(train) == 900
    assert sorted(torch.cat([train, validation]).tolist()) == list(range(1000))
    again = data.validation_split(1000, 100)
    assert torch.equal(train, again[0]) and torch.equal(validation, again[1])
    assert torch.equal(validation, validation.sort().values)
    assert data.VALIDATION_SIZE == 10_000


@pytest.mark.parametrize("size,match", [(0, ">= 1"), (512, "leaves no training images")])
def test_validation_split_rejects_sizes_that_do_not_fit(size, match):
    with pytest.raises(ValueError, match=match):
        data.validation_split(512, size)


def test_training_data_holds_three_splits(fake_mnist_dir):
    from optguide.train import TrainingData

    mnist = data.load_mnist(fake_mnist_dir)
    tensors = TrainingData.from_mnist(mnist, torch.device("cpu"), validation_size=100)
    assert (len(tensors.train_y), len(tensors.val_y), len(tensors.test_y)) == (412, 100, 256)
    _, validation = data.validation_split(512, 100)
    assert torch.equal(tensors.val_y, mnist.train_labels[validation])
    subset = TrainingData.from_mnist(mnist, torch.device("cpu"), train_size=50,
                                     validation_size=100)
    assert len(subset.train_y) == 50 and torch.equal(subset.val_y, tensors.val_y)
    held_out = set(validation.tolist())
    train, _ = data.validation_split(512, 100)
    assert not held_out & set(train[data.subset_indices(412, 50)].tolist())
