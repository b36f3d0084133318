"""The original article's pipeline: Keras 3 ``model.fit`` on NumPy arrays, torch backend.

Importing this module selects Keras' torch backend and points ``KERAS_HOME`` at a private
temporary folder (Keras writes its ``keras.json`` there instead of ``~/.keras``). Nothing is
downloaded: the data comes in as arrays and the model is built from layers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

import numpy as np

os.environ["KERAS_BACKEND"] = "torch"
if "KERAS_HOME" not in os.environ:
    os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="optguide-bench-keras-")
    atexit.register(shutil.rmtree, os.environ["KERAS_HOME"], ignore_errors=True)

try:
    import keras
except ImportError:  # an optional dependency: pip install -e '.[bench]'
    keras = None

#: optguide (torch.optim) argument name -> Keras argument name, per optimizer class.
KERAS_NAMES: dict[str, tuple[str, dict[str, str]]] = {
    "sgd": ("SGD", {"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"}),
    "adagrad": ("Adagrad", {"lr": "learning_rate", "eps": "epsilon",
                            "initial_accumulator_value": "initial_accumulator_value"}),
    "adadelta": ("Adadelta", {"lr": "learning_rate", "rho": "rho", "eps": "epsilon"}),
    "rmsprop": ("RMSprop", {"lr": "learning_rate", "alpha": "rho", "eps": "epsilon",
                            "momentum": "momentum", "centered": "centered"}),
    "adam": ("Adam", {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                      "eps": "epsilon", "amsgrad": "amsgrad"}),
}

#: Hyperparameters Keras has no argument for; they are dropped when they are off (0 or False).
NEUTRAL_WHEN_OFF = ("dampening", "weight_decay", "lr_decay", "maximize", "eps_inside_sqrt",
                    "eps_hat")


def available() -> bool:
    """Whether Keras 3 imported (with the torch backend)."""
    return keras is not None and keras.backend.backend() == "torch"


def keras_arguments(name: str, hyperparameters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Keras class name and arguments matching optguide's ``hyperparameters`` of ``name``.

    Same numbers, Keras' names. Keras keeps its own formulas (for example epsilon inside the
    square root for RMSprop and Adagrad), which no argument changes.

    Raises
    ------
    ValueError
        For a hyperparameter Keras cannot express (a nonzero ``dampening``, say).
    """
    class_name, names = KERAS_NAMES[name]
    values = dict(hyperparameters)
    if "betas" in values:
        values["beta1"], values["beta2"] = values.pop("betas")
    arguments = {}
    for key, value in values.items():
        if key in names:
            arguments[names[key]] = value
        elif key in NEUTRAL_WHEN_OFF and not value:
            continue
        else:
            raise ValueError(f"Keras' {class_name} has no equivalent of {key}={value!r}")
    return class_name, arguments


def fit(name: str, hyperparameters: dict[str, Any], train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray], *, hidden: int, classes: int, epochs: int,
        batch_size: int, seed: int) -> float:
    """Build, compile and fit Dense(hidden, relu) + Dense(classes) as the article did.

    Each epoch ends with an evaluation on ``test`` (``validation_data``), as optguide's
    engines evaluate after every epoch. Returns the final test accuracy.
    """
    keras.utils.set_random_seed(seed)
    class_name, arguments = keras_arguments(name, hyperparameters)
    model = keras.Sequential([keras.Input(shape=train[0].shape[1:]),
                              keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(classes)])
    model.compile(optimizer=getattr(keras.optimizers, class_name)(**arguments),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(*train, batch_size=batch_size, epochs=epochs, shuffle=True,
                        validation_data=test, verbose=0)
    return float(history.history["val_accuracy"][-1])
