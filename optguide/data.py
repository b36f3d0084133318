"""MNIST as tensors: find it, check it, load it once, and iterate over it by index.

The four IDX files in torchvision's folder layout (``<data dir>/MNIST/raw/``) are read
directly, exactly the bytes that :func:`check_mnist` checks (torchvision's ``processed/*.pt``
files, if any are left over, are ignored), and kept as ``uint8`` tensors; training never goes
through a per-sample ``Dataset``/``DataLoader``/PIL path. Minibatches are slices of a seeded
index permutation. :func:`fingerprint` identifies the data that was loaded (the results cache
is keyed on it).

Where the data lives is one setting: an explicit ``root`` argument, else the environment
variable ``OPTGUIDE_DATA_DIR``, else a per-user cache folder. Nothing is downloaded unless
asked for (``download=True`` or ``optguide data --download``).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

ENV_DATA_DIR = "OPTGUIDE_DATA_DIR"

#: Mean and standard deviation of the MNIST training pixels (in [0, 1]).
MEAN, STD = 0.1307, 0.3081

#: The four files torchvision expects in ``<data dir>/MNIST/raw/``: name -> (IDX magic, ndim).
FILES: dict[str, tuple[int, int]] = {
    "train-images-idx3-ubyte": (0x0803, 3),
    "train-labels-idx1-ubyte": (0x0801, 1),
    "t10k-images-idx3-ubyte": (0x0803, 3),
    "t10k-labels-idx1-ubyte": (0x0801, 1),
}


class DataError(RuntimeError):
    """MNIST is missing, incomplete or corrupt; the message says what to do."""


def expand_home(path: str | os.PathLike, error: type[Exception] = DataError) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded.

    Raises
    ------
    error
        (:class:`DataError` by default) when the user does not exist or has no home folder,
        instead of the ``RuntimeError`` of :meth:`pathlib.Path.expanduser`.
    """
    try:
        return Path(path).expanduser()
    except RuntimeError:
        user = Path(path).parts[0]
        raise error(f"cannot expand {user!r} in {os.fspath(path)!r}: no such user or no "
                    f"home folder; give the folder's full path") from None


def absolute_env_path(name: str, error: type[Exception] = DataError) -> Path | None:
    """The folder named by environment variable ``name``, made absolute once.

    A relative value is resolved against the current folder and written back to the
    environment, so that a later change of folder (sphinx-gallery runs each example in its
    own) and child processes see the same folder. ``None`` when unset or empty.
    """
    value = os.environ.get(name)
    if not value:
        return None
    folder = expand_home(value, error)
    if not folder.is_absolute():
        folder = Path(os.path.abspath(folder))
        os.environ[name] = str(folder)
    return folder


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``MNIST/raw``: ``root`` > ``$OPTGUIDE_DATA_DIR`` > user cache.

    A relative ``$OPTGUIDE_DATA_DIR`` is made absolute against the folder current when this
    module was first imported (:func:`absolute_env_path`).
    """
    if root is not None:
        return expand_home(root)
    folder = absolute_env_path(ENV_DATA_DIR)
    if folder is not None:
        return folder
    import platformdirs

    return Path(platformdirs.user_cache_dir("optguide")) / "data"


try:  # once, at import: before anything changes the current folder
    absolute_env_path(ENV_DATA_DIR)
except DataError:
    pass  # reported by data_dir() when the data is asked for


def raw_dir(root: str | os.PathLike | None = None) -> Path:
    """``<data dir>/MNIST/raw``, where the four IDX files must be."""
    return data_dir(root) / "MNIST" / "raw"


def _missing_message(folder: Path, missing: list[str]) -> str:
    """One line: where MNIST was looked for (an absolute folder), what is missing, what to
    do."""
    what = ("none of its four files is there" if len(missing) == len(FILES)
            else f"{', '.join(missing)} missing")
    return (f"MNIST not found in {folder.absolute()} ({what}). Put the four uncompressed "
            f"files {', '.join(FILES)} in that folder (torchvision's layout), or set "
            f"{ENV_DATA_DIR} to the folder that contains MNIST/raw, or run "
            f"'optguide data --download' on a machine with internet access")


def _unreadable(path: Path, error: OSError) -> DataError:
    reason = "permission denied" if isinstance(error, PermissionError) else (
        error.strerror or str(error))
    return DataError(f"cannot read {path}: {reason}; make the MNIST files readable "
                     f"(or set {ENV_DATA_DIR} to a copy you can read)")


def _parse_header(path: Path, header: bytes, actual_size: int) -> tuple[int, ...]:
    """Validate an IDX header against the file name and the file's size; return its dims."""
    magic_expected, ndim = FILES[path.name]
    if len(header) < 4 + 4 * ndim:
        raise DataError(f"{path} is truncated ({len(header)} bytes): delete it and copy or "
                        f"download MNIST again")
    magic = int.from_bytes(header[:4], "big")
    if magic != magic_expected:
        raise DataError(f"{path} is not an IDX file of {ndim} dimension(s) (magic number "
                        f"{magic:#010x}, expected {magic_expected:#010x}); is it still gzipped "
                        f"or corrupt? Replace it with the uncompressed original")
    dims = tuple(int.from_bytes(header[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if dims[0] == 0:
        raise DataError(f"{path}: its header says it holds 0 items; the file is empty or "
                        f"corrupt, replace it")
    expected_size = 4 + 4 * ndim + math.prod(dims)
    if actual_size != expected_size:
        raise DataError(f"{path} has {actual_size} bytes but its header promises "
                        f"{expected_size}: the file is truncated or corrupt; replace it")
    return dims


#: Most images (and labels) one IDX file may hold: MNIST has 60,000, EMNIST's digits
#: 240,000. A header promising more is refused before anything is read.
MAX_ITEMS = 250_000
#: Largest ``.gz`` original whose checksum is computed (torchvision's are under 10 MB); a
#: larger one is reported as not matching, unread.
MAX_GZ_BYTES = 64 * 1024**2


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading without blocking, when it is a regular file.

    A FIFO or a device in the data folder (or a link to one) is refused, never read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise _unreadable(path, error) from None
    stream = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        stream.close()
        raise DataError(f"{path} is not a regular file (a device, a pipe or a socket); "
                        f"replace it with the MNIST file")
    return stream


def _check_dims(path: Path, dims: tuple[int, ...]) -> None:
    """Images of 28x28 pixels and at most :data:`MAX_ITEMS` items, before reading them."""
    if len(dims) == 3 and dims[1:] != (28, 28):
        raise DataError(f"{path} holds {dims[1]}x{dims[2]} images, not 28x28: it is not MNIST")
    if dims[0] > MAX_ITEMS:
        raise DataError(f"{path}: its header says it holds {dims[0]:,} items, more than "
                        f"{MAX_ITEMS:,}; it is not MNIST (which has 60,000), replace it")


def _read_idx(path: Path) -> tuple[tuple[int, ...], bytes]:
    """One IDX file's dimensions and bytes, its header checked before the rest is read.

    The file's size must be the one its header promises (checked on the open file) and its
    dimensions plausible (:func:`_check_dims`), so a huge or sparse file is refused unread.
    """
    _magic, ndim = FILES[path.name]
    with _open_regular(path) as stream:
        try:
            size = os.fstat(stream.fileno()).st_size
            header = stream.read(4 + 4 * ndim)
            dims = _parse_header(path, header, size)
            _check_dims(path, dims)
            body = stream.read(size - len(header) + 1)
        except OSError as error:
            raise _unreadable(path, error) from None
    if len(header) + len(body) != size:
        raise DataError(f"{path} changed while it was read; run again when nothing writes "
                        f"to the MNIST files")
    return dims, header + body


def read_idx_header(path: Path) -> tuple[int, ...]:
    """Check one IDX file's magic number and length; return its dimensions.

    Raises
    ------
    DataError
        When the file cannot be read, is not a regular file, is truncated, padded, holds
        more than :data:`MAX_ITEMS` items or is not the IDX file its name promises.
    """
    _magic, ndim = FILES[path.name]
    with _open_regular(path) as stream:
        try:
            header = stream.read(4 + 4 * ndim)
            actual_size = os.fstat(stream.fileno()).st_size
        except OSError as error:
            raise _unreadable(path, error) from None
    dims = _parse_header(path, header, actual_size)
    _check_dims(path, dims)
    return dims


def _md5_matches(path: Path, md5: str) -> bool | None:
    """Whether ``path``'s MD5 sum is ``md5`` (``None``: no such regular file).

    Read in pieces; a file larger than :data:`MAX_GZ_BYTES` does not match, unread.
    """
    try:
        if not path.is_file():
            return None
    except OSError as error:
        raise _unreadable(path, error) from None
    with _open_regular(path) as stream:
        try:
            if os.fstat(stream.fileno()).st_size > MAX_GZ_BYTES:
                return False
            digest = hashlib.md5()
            while block := stream.read(1 << 20):
                digest.update(block)
        except OSError as error:
            raise _unreadable(path, error) from None
    return digest.hexdigest() == md5


def _check_splits(folder: Path, dims: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """Image shapes, images vs labels, and train vs test counts; return the split sizes."""
    sizes = {}
    for split in ("train", "t10k"):
        images, labels = dims[f"{split}-images-idx3-ubyte"], dims[f"{split}-labels-idx1-ubyte"]
        if images[1:] != (28, 28):
            raise DataError(f"{folder / f'{split}-images-idx3-ubyte'} holds {images[1]}x"
                            f"{images[2]} images, not 28x28: it is not MNIST")
        if images[0] != labels[0]:
            raise DataError(f"{folder}: {split} has {images[0]} images but {labels[0]} labels; "
                            f"the files do not belong together")
        sizes[split] = images[0]
    if sizes["train"] < sizes["t10k"]:
        raise DataError(f"{folder}: the training files hold {sizes['train']:,} images but the "
                        f"test (t10k) files {sizes['t10k']:,}; the training set is the larger "
                        f"one (60,000 vs 10,000), so the train and t10k files look swapped: "
                        f"rename them")
    return sizes


def _listed_files(folder: Path) -> list[str]:
    """The names of :data:`FILES` missing in ``folder`` (errors other than absence raise)."""
    try:
        return [name for name in FILES if not (folder / name).is_file()]
    except OSError as error:
        raise _unreadable(folder, error) from None


@dataclass(frozen=True)
class MnistCheck:
    """What :func:`check_mnist` found: the folder, image counts and gzip checksum results."""

    folder: Path
    train_size: int
    test_size: int
    checksums: dict[str, bool]

    @property
    def is_full_mnist(self) -> bool:
        return self.train_size == 60_000 and self.test_size == 10_000


def check_mnist(root: str | os.PathLike | None = None) -> MnistCheck:
    """Validate the four IDX files without loading them.

    Checks presence, magic numbers, sizes against the headers, that images and labels agree
    in number, that the training set is the larger one and that labels are digits; where
    torchvision's ``.gz`` originals sit beside them, their MD5 sums.

    Raises
    ------
    DataError
        With a message that names the folder and what to put there.
    """
    folder = raw_dir(root)
    missing = _listed_files(folder)
    if missing:
        raise DataError(_missing_message(folder, missing))
    dims = {name: read_idx_header(folder / name) for name in FILES}
    sizes = _check_splits(folder, dims)
    for split in ("train", "t10k"):
        labels = _read_idx(folder / f"{split}-labels-idx1-ubyte")[1][8:]
        if max(labels) > 9:
            raise DataError(f"{folder}: {split} labels outside 0-9; the label files are corrupt")
    from torchvision.datasets import MNIST as TorchvisionMNIST

    checksums = {}
    for gz_name, md5 in TorchvisionMNIST.resources:
        matches = _md5_matches(folder / gz_name, md5)
        if matches is not None:
            checksums[gz_name] = matches
    return MnistCheck(folder, sizes["train"], sizes["t10k"], checksums)


@dataclass(frozen=True, eq=False)
class MNIST:
    """MNIST held as tensors.

    Attributes
    ----------
    train_images, test_images : torch.Tensor
        ``uint8`` images of shape ``[n, 28, 28]``.
    train_labels, test_labels : torch.Tensor
        ``int64`` labels of shape ``[n]``.
    folder : pathlib.Path
        Where the files were read from.
    fingerprint : str
        SHA-256 over the four files' names and bytes (see :func:`fingerprint`).
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    folder: Path
    fingerprint: str = ""

    @property
    def train_size(self) -> int:
        return len(self.train_labels)

    @property
    def test_size(self) -> int:
        return len(self.test_labels)


def normalize(images: torch.Tensor, device: str | torch.device = "cpu") -> torch.Tensor:
    """``uint8`` images -> standardized ``float32`` images of shape ``[n, 1, 28, 28]``."""
    images = images.to(device)
    return ((images.float() / 255.0 - MEAN) / STD).unsqueeze(1)


def load_mnist(root: str | os.PathLike | None = None, *, download: bool = False) -> MNIST:
    """Load MNIST into tensors (read once per process and folder).

    Parameters
    ----------
    root : path, optional
        Folder that contains ``MNIST/raw``; default :func:`data_dir`.
    download : bool, default False
        Download through torchvision when the files are missing (needs the internet).

    Raises
    ------
    DataError
        When the files are missing (and not downloaded), truncated or corrupt.
    """
    folder = data_dir(root)
    if download and any(not (raw_dir(folder) / name).is_file() for name in FILES):
        from torchvision.datasets import MNIST as TorchvisionMNIST

        try:
            TorchvisionMNIST(str(folder), train=True, download=True)
        except Exception as error:  # network errors come in many types
            raise DataError(f"downloading MNIST into {raw_dir(folder)} failed ({error}). "
                            + _missing_message(raw_dir(folder), list(FILES))) from None
    folder = folder.resolve()
    missing = _listed_files(raw_dir(folder))
    if missing:
        raise DataError(_missing_message(raw_dir(folder), missing))
    try:
        stats = tuple(_signature(os.stat(raw_dir(folder) / name)) for name in FILES)
    except OSError as error:
        raise _unreadable(raw_dir(folder), error) from None
    return _load(folder, stats)


def _signature(stat: os.stat_result) -> tuple[int, ...]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


@functools.lru_cache(maxsize=2)
def _load(folder: Path, stats: tuple) -> MNIST:
    """Read the four raw IDX files, check exactly the bytes read, and build the tensors."""
    raw = raw_dir(folder)
    arrays, dims, digest = {}, {}, hashlib.sha256()
    for name, (_magic, ndim) in FILES.items():
        path = raw / name
        dims[name], blob = _read_idx(path)
        arrays[name] = np.frombuffer(blob, np.uint8, offset=4 + 4 * ndim).reshape(dims[name])
        digest.update(f"{name}:{len(blob)}:".encode())
        digest.update(blob)
    _check_splits(raw, dims)
    tensors = {name: torch.from_numpy(array.copy()) for name, array in arrays.items()}
    for split in ("train", "t10k"):
        labels = tensors[f"{split}-labels-idx1-ubyte"]
        if int(labels.max()) > 9:
            raise DataError(f"{raw}: {split} labels outside 0-9; the label files are corrupt")
    return MNIST(tensors["train-images-idx3-ubyte"], tensors["train-labels-idx1-ubyte"].long(),
                 tensors["t10k-images-idx3-ubyte"], tensors["t10k-labels-idx1-ubyte"].long(),
                 folder, digest.hexdigest())


def fingerprint(root: str | os.PathLike | None = None) -> str:
    """SHA-256 of the MNIST files that :func:`load_mnist` reads from ``root``.

    Covers the four files' names, sizes and bytes, so two folders give the same fingerprint
    exactly when training would see the same data. Loads the data (once per process and
    folder state, like :func:`load_mnist`).

    Raises
    ------
    DataError
        When the data is missing, unreadable or corrupt.
    """
    return load_mnist(root).fingerprint


def subset_indices(n_total: int, size: int | None) -> torch.Tensor:
    """A fixed, seed-independent subset of ``size`` training indices (all when ``None``).

    Every run of a comparison trains on the same subset, whatever its seed.
    """
    if size is None or size >= n_total:
        return torch.arange(n_total)
    if size < 1:
        raise ValueError(f"train subset size must be >= 1, got {size}")
    generator = torch.Generator().manual_seed(20251128)
    return torch.randperm(n_total, generator=generator)[:size].sort().values


#: Images held out of the 60,000 training images for validation (model selection).
VALIDATION_SIZE = 10_000
#: Seed of the permutation that splits the training images into training and validation.
VALIDATION_SEED = 20260101


def validation_split(n_total: int, validation_size: int = VALIDATION_SIZE
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """Split the ``n_total`` training indices into ``(train, validation)``.

    One fixed permutation of ``range(n_total)``, drawn by ``torch.randperm`` from a generator
    seeded with :data:`VALIDATION_SEED`: its first ``validation_size`` indices are the
    validation set, the rest the training set; both are returned sorted. The split does not
    depend on a run's seed, so every run of every study trains on the same images and selects
    on the same held-out ones; the test images are never part of it.

    Raises
    ------
    ValueError
        When ``validation_size`` is below 1 or leaves no training image.
    """
    if not isinstance(validation_size, int) or validation_size < 1:
        raise ValueError(f"validation size must be an integer >= 1, got {validation_size!r}")
    if validation_size >= n_total:
        raise ValueError(f"validation size {validation_size} leaves no training images: the "
                         f"training set has {n_total}; choose a validation size below that")
    generator = torch.Generator().manual_seed(VALIDATION_SEED)
    permutation = torch.randperm(n_total, generator=generator)
    return permutation[validation_size:].sort().values, permutation[:validation_size].sort().values


def batch_order(n: int, batch_size: int | None, seed: int, epoch: int) -> list[torch.Tensor]:
    """Index batches of one epoch: a permutation seeded by ``(seed, epoch)``, then slices.

    ``batch_size=None`` (or ``>= n``) gives one batch of all ``n`` examples in order: full-batch
    gradient descent. The last batch may be smaller, as with ``DataLoader(drop_last=False)``.
    """
    if batch_size is None or batch_size >= n:
        return [torch.arange(n)]
    if batch_size < 1:
        raise ValueError(f"batch size must be >= 1, got {batch_size}")
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return list(torch.randperm(n, generator=generator).split(batch_size))
