"""Decoupled weight decay against an L2 penalty for Adam, each tuned with the same effort.

The experiment behind the AdamW example: Adam with weight decay written as an L2 penalty
(``weight_decay`` added to the gradient, ``decoupled_weight_decay=False``) against Adam with
decoupled weight decay (AdamW, ``decoupled_weight_decay=True``), and plain Adam without
decay as the reference. Every method gets the same treatment:

* its learning rate from the same grid, :data:`LEARNING_RATES`;
* its decay from a grid of the same shape, :data:`DECAYS` (four values, one per decade), each
  placed where that kind of decay does something: an L2 coefficient multiplies the weights
  inside the gradient, which Adam then divides by the root of its second moment, while a
  decoupled coefficient shrinks the weights by ``lr * decay`` per step, so useful decoupled
  values are about a thousand times larger (PyTorch's AdamW default, 0.01, is the lowest
  value of its grid);
* the same trials budget: 3 learning rates x 4 decays = 12 per method, each on the same two
  selection seeds; the best mean validation accuracy chooses
  (:func:`optguide.analysis.scoring.best_of`), the test set only reports, on ten other seeds.

Small training set, more epochs (:data:`SETTING`): weight decay is a regulariser, so the
comparison is made where overfitting is likelier (5,000 training images, 10 epochs) than at
the site's setting of 50,000 images for 5 epochs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .analysis.rows import Row, make_row
from .analysis.scoring import best_of, final_metric, mean_score
from .compare import compare_many
from .config import Config
from .executor import Placement
from .results import Results
from .train import Progress

#: The methods, as the ``adam`` optimizer's ``decoupled_weight_decay`` switch.
METHODS: dict[str, bool] = {"l2": False, "decoupled": True}
#: How the pages name them.
LABELS = {"l2": "Adam + L2", "decoupled": "AdamW", "none": "Adam, no decay"}
#: Their colours in figures (Adam's green for the L2 form, the reference in grey).
COLORS = {"l2": "#55a868", "decoupled": "#da8bc3", "none": "#8c8c8c"}

#: The learning rates every method tries: PyTorch's and Keras' Adam default, 1e-3, and two
#: half-decades above it. Revised after the first run: the grid was 3e-4, 1e-3, 3e-3, and all
#: three methods chose its top, 3e-3 (see :data:`REVISION`).
LEARNING_RATES = (1e-3, 3e-3, 1e-2)

#: Each method's decay grid: four values, one per decade (see the module's description).
#: The L2 grid was 1e-5 ... 1e-2 in the first run, whose choice was its lowest value.
DECAYS: dict[str, tuple[float, ...]] = {
    "l2": (1e-6, 1e-5, 1e-4, 1e-3),
    "decoupled": (1e-2, 1e-1, 1.0, 10.0),
}

#: What changed after a result was seen (the example prints it).
REVISION = ("The grids were revised once, after a first run whose results, test accuracy "
            "included, had been seen: every method had chosen the top of the learning-rate "
            "grid (then 3e-4 to 3e-3) and Adam + L2 the lowest decay of its grid (then 1e-5 "
            "to 1e-2), so both grids moved one step in that direction. Nothing else changed.")

#: Seeds that choose (validation accuracy) and seeds that report (test accuracy): disjoint.
SELECT_SEEDS = (0, 1)
REPORT_SEEDS = tuple(range(10, 20))

#: The training setting of every run: small enough to overfit, long enough for decay to act.
SETTING = dict(model="mlp", epochs=10, batch_size=64, train_size=5_000)


@dataclass(frozen=True)
class Choice:
    """One method's chosen trial: its learning rate and decay, and the validation accuracy
    (mean over the selection seeds) that chose it; ``at_edge`` when the decay is an end of
    its grid (a better value may lie outside)."""

    method: str
    lr: float
    decay: float
    val_accuracy: float
    at_edge: bool


@dataclass(frozen=True)
class WeightDecayStudy:
    """Everything the example reads: every trial's validation accuracy, the choices, and the
    report rows (test accuracy on :data:`REPORT_SEEDS`)."""

    trials: dict[str, dict[tuple[float, float], float]]
    choices: dict[str, Choice]
    rows: dict[str, Row]


def trial_config(method: str, decay: float, seeds: tuple[int, ...],
                 learning_rates: tuple[float, ...] = LEARNING_RATES) -> Config:
    """The :class:`~optguide.config.Config` of one method at one decay (``method="none"``:
    Adam without decay)."""
    overrides = {} if method == "none" else {
        "weight_decay": decay, "decoupled_weight_decay": METHODS[method]}
    return Config(optimizers=("adam",), presets=("pytorch",), seeds=seeds,
                  learning_rates=learning_rates, overrides=overrides, **SETTING)


def selection_configs() -> list[tuple[str, float, Config]]:
    """``(method, decay, config)`` of every selection trial (the learning rates in one
    config), the no-decay reference last."""
    configs = [(method, decay, trial_config(method, decay, SELECT_SEEDS))
               for method, decays in DECAYS.items() for decay in decays]
    return configs + [("none", 0.0, trial_config("none", 0.0, SELECT_SEEDS))]


def _mean_validation(results: Results, lr: float) -> float:
    return mean_score({run.seed: final_metric(run, "val_accuracy")
                       for run in results.runs if run.lr == lr})


def choose(trials: Mapping[tuple[float, float], float], method: str) -> Choice:
    """The trial with the best mean validation accuracy (ties: the first in grid order)."""
    lr, decay = best_of(trials)
    grid = DECAYS.get(method, (decay,))
    at_edge = method != "none" and decay in (grid[0], grid[-1])
    return Choice(method, lr, decay, trials[(lr, decay)], at_edge)


def run(*, placement: Placement | None = None, progress: Progress | None = None,
        record: list[list[Config]] | None = None) -> WeightDecayStudy:
    """Train the selection grid, choose on validation, train the choices on the report seeds.

    Both phases go through :func:`optguide.compare.compare_many` (the results cache: a second
    call trains nothing). ``record``, when given, receives the configurations of each call,
    as :func:`optguide.tune.tune`'s does (what trained together, for
    :mod:`optguide.shared_runs`).
    """
    selection = selection_configs()
    configs = [config for _, _, config in selection]
    if record is not None:
        record.append(configs)
    results = compare_many(configs, placement=placement, progress=progress)
    trials: dict[str, dict[tuple[float, float], float]] = {}
    for (method, decay, _), result in zip(selection, results):
        for lr in LEARNING_RATES:
            trials.setdefault(method, {})[(lr, decay)] = _mean_validation(result, lr)
    choices = {method: choose(values, method) for method, values in trials.items()}
    report = {method: trial_config(method, c.decay, REPORT_SEEDS, (c.lr,))
              for method, c in choices.items()}
    if record is not None:
        record.append(list(report.values()))
    reported = compare_many(list(report.values()), placement=placement, progress=progress)
    rows = {method: make_row(method, LABELS[method], result.runs)
            for method, result in zip(report, reported)}
    return WeightDecayStudy(trials, choices, rows)


def total_run_epochs() -> int:
    """Run-epochs of :func:`run` (for a progress bar)."""
    selection = len(selection_configs()) * len(LEARNING_RATES) * len(SELECT_SEEDS)
    return (selection + len(LABELS) * len(REPORT_SEEDS)) * SETTING["epochs"]
