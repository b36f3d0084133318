"""The standard PyTorch tutorial pipeline, the baseline the benchmarks measure optguide against.

A :class:`torchvision.datasets.MNIST` dataset that turns every image into a PIL image, then a
tensor (``ToTensor``), then standardizes it (``Normalize``), batched by a
``DataLoader(batch_size=64, shuffle=True)``; the ordinary ``zero_grad / backward / step``
loop with a ``torch.optim`` optimizer. Nothing here is tuned: it is what most tutorials do.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision import datasets, transforms

from optguide.data import MEAN, STD

#: Batch size of the test-set evaluation (it does not change the numbers, only the speed).
TEST_BATCH_SIZE = 1000


def tutorial_datasets(root: Path, train_indices: torch.Tensor | None = None
                      ) -> tuple[Dataset, Dataset]:
    """Train and test sets as a tutorial builds them (``train_indices``: a fixed subset)."""
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    train = datasets.MNIST(str(root), train=True, transform=transform, download=False)
    test = datasets.MNIST(str(root), train=False, transform=transform, download=False)
    if train_indices is not None and len(train_indices) < len(train):
        train = Subset(train, train_indices.tolist())
    return train, test


def tutorial_loaders(root: Path, batch_size: int = 64, train_indices: torch.Tensor | None = None
                     ) -> tuple[DataLoader, DataLoader]:
    """``DataLoader(train, batch_size, shuffle=True)`` and an unshuffled test loader."""
    train, test = tutorial_datasets(root, train_indices)
    return (DataLoader(train, batch_size=batch_size, shuffle=True),
            DataLoader(test, batch_size=TEST_BATCH_SIZE))


def train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, loader: DataLoader,
                max_batches: int | None = None) -> float:
    """One epoch of the tutorial loop (or its first ``max_batches``); mean training loss."""
    model.train()
    total, seen = 0.0, 0
    for batch, (images, labels) in enumerate(loader):
        if max_batches is not None and batch >= max_batches:
            break
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        seen += len(labels)
    return total / max(seen, 1)


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on ``loader``."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        logits = model(images)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(1) == labels).sum().item()
        seen += len(labels)
    return total_loss / seen, correct / seen


def torch_optimizer(name: str, params, hyperparameters: dict) -> torch.optim.Optimizer:
    """The ``torch.optim`` class called ``name`` with optguide's hyperparameters.

    optguide's classes take torch.optim's argument names; only optguide's own formula switches
    (``eps_inside_sqrt``, ``eps_hat``), which are off in the ``"pytorch"`` preset, are dropped.
    """
    classes = {cls.__name__.lower(): cls for cls in (
        torch.optim.SGD, torch.optim.Adagrad, torch.optim.Adadelta, torch.optim.RMSprop,
        torch.optim.Adam)}
    own = {"eps_inside_sqrt", "eps_hat"}
    switched_on = sorted(key for key in own if hyperparameters.get(key))
    if switched_on:
        raise ValueError(f"torch.optim.{name} has no {', '.join(switched_on)}")
    return classes[name](params, **{k: v for k, v in hyperparameters.items() if k not in own})
