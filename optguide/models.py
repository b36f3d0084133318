"""The two models of the guide: a one-hidden-layer MLP and a small CNN, both for MNIST."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def mlp(hidden: int = 128) -> nn.Sequential:
    """784-``hidden``-10 multilayer perceptron with a ReLU (the site's main model).

    Takes images of shape ``[n, 1, 28, 28]`` (or ``[n, 784]``) and returns 10 logits.
    """
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def cnn() -> nn.Sequential:
    """A small convolutional network: two 3x3 convolutions with max-pooling, then a linear layer.

    ``conv(1->8) -> ReLU -> pool -> conv(8->16) -> ReLU -> pool -> linear(400->10)``; 5,258
    parameters (80 + 1,168 + 4,010), small enough to train on two CPU cores.
    """
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
    )


#: The model factories by name.
MODELS: dict[str, Callable[[], nn.Module]] = {"mlp": mlp, "cnn": cnn}


def build_model(name: str, seed: int) -> nn.Module:
    """Model ``name`` with weights initialized from ``seed`` (global RNG left untouched)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MODELS[name]()


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
