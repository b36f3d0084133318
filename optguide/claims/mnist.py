"""The article's claims about training on MNIST, one function each: numbers in, verdict out.

Every function takes what a gallery example measured, either
:class:`~optguide.results.Results` or plain numbers, and returns a
:class:`~optguide.claims.Verdict` whose sentence quotes the numbers that decided it. What
counts as "beyond the noise" is an argument with a stated default, so an example that
changes it has to say so.

Accuracies are fractions (0.97 is 97 %) everywhere, as in the results files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations

from ..optimizers import hyperparameters
from ..plots import LABELS
from ..report import Summary, summarize
from ..results import Results, Run
from . import Verdict

#: Display names of the presets in verdict sentences.
PRESET_NAMES = {"pytorch": "PyTorch", "keras": "Keras"}


def _name(optimizer: str) -> str:
    return LABELS.get(optimizer, optimizer)


def _possessive(preset: str) -> str:
    name = PRESET_NAMES.get(preset, preset)
    return name + ("'" if name.endswith("s") else "'s")


def _percent(fraction: float, digits: int = 1) -> str:
    return f"{fraction * 100:.{digits}f} %"


def _points(fraction: float, digits: int = 1) -> str:
    """A difference of accuracies in percentage points."""
    return f"{fraction * 100:.{digits}f}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _one_row_per_optimizer(results: Results, preset: str) -> dict[str, Summary]:
    """Summary rows of ``preset`` keyed by optimizer; each optimizer must have one setting."""
    rows: dict[str, Summary] = {}
    for row in summarize(results):
        if row.preset != preset:
            continue
        if row.optimizer in rows:
            raise ValueError(f"{row.optimizer} appears with several learning rates under "
                             f"{preset!r}; pass one setting per optimizer")
        rows[row.optimizer] = row
    if not rows:
        raise ValueError(f"no runs with preset {preset!r} in the results")
    return rows


def _accuracy(row: Summary) -> float:
    """Mean final accuracy; 0 when every run diverged (ranked last)."""
    return row.accuracy_mean if row.accuracy_mean is not None else 0.0


def ranking(results: Results, preset: str = "pytorch") -> list[str]:
    """Optimizers of ``preset`` from the highest mean final test accuracy to the lowest.

    An optimizer whose runs all diverged ranks last.
    """
    rows = _one_row_per_optimizer(results, preset)
    return sorted(rows, key=lambda name: _accuracy(rows[name]), reverse=True)


def adam_is_best_default(results: Results, preset: str = "pytorch") -> Verdict:
    """Test "Adam is the best optimizer at default settings".

    Ranks the optimizers of ``preset`` by mean final test accuracy over seeds and compares
    the leader with the runner-up (or, when Adam does not lead, the leader with Adam). A
    lead counts only when it exceeds the *seed spread*, the sum of the two optimizers'
    standard deviations over seeds (zero with one seed).

    Parameters
    ----------
    results : Results
        Runs at the preset's defaults: one setting per optimizer, any number of seeds.
    preset : str, default "pytorch"
        Whose defaults to judge.

    Returns
    -------
    Verdict
        ``confirmed`` when Adam leads by more than the seed spread, ``refuted`` when another
        optimizer beats Adam by more than the seed spread, ``depends`` when the leader and
        the next are within the spread (a tie).
    """
    rows = _one_row_per_optimizer(results, preset)
    if "adam" not in rows or len(rows) < 2:
        raise ValueError("need Adam and at least one other optimizer")
    order = sorted(rows, key=lambda name: _accuracy(rows[name]), reverse=True)
    leader, other = (order[0], order[1]) if order[0] == "adam" else (order[0], "adam")
    gap = _accuracy(rows[leader]) - _accuracy(rows[other])
    spread = (rows[leader].accuracy_std or 0.0) + (rows[other].accuracy_std or 0.0)

    def show(name: str) -> str:
        row = rows[name]
        if row.accuracy_mean is None:
            return f"{_name(name)} (diverged)"
        return f"{_name(name)} ({row.accuracy_mean * 100:.2f} ± {row.accuracy_std * 100:.2f} %)"

    worst = order[-1]
    tail = f"; {show(worst)} comes last" if worst not in (leader, other) else ""
    if gap > spread:
        outcome = "confirmed" if leader == "adam" else "refuted"
        sentence = (f"At {_possessive(preset)} defaults {show(leader)} beats {show(other)} "
                    f"by {_points(gap, 2)} points, more than their seed spread "
                    f"({_points(spread, 2)} points){tail}.")
    else:
        outcome = "depends"
        sentence = (f"At {_possessive(preset)} defaults {show(leader)} and {show(other)} "
                    f"are {_points(gap, 2)} points apart, within their seed spread "
                    f"({_points(spread, 2)} points), so neither is clearly the best{tail}.")
    numbers = {"preset": preset, "order": order, "leader": leader, "gap": gap,
               "spread": spread,
               "accuracy": {name: rows[name].accuracy_mean for name in order},
               "std": {name: rows[name].accuracy_std for name in order}}
    return Verdict("Adam is the best optimizer at default settings.", outcome, sentence, numbers)


def adadelta_is_worst(results: Results, retuned: Results | None = None) -> Verdict:
    """Test the article's ranking "with default settings Adadelta performs worst".

    Ranks the optimizers under every preset in ``results`` and finds where Adadelta lands.

    Parameters
    ----------
    results : Results
        Runs at the defaults of one or more presets (one setting per optimizer and preset).
    retuned : Results, optional
        Extra Adadelta runs (for example Keras' preset with the original paper's learning
        rate 1.0); their mean final accuracy is quoted in the sentence.

    Returns
    -------
    Verdict
        ``confirmed`` when Adadelta ranks last under every preset, ``refuted`` when under
        none, ``depends`` when the ranking holds under some presets only.
    """
    presets = list(dict.fromkeys(run.preset for run in results.runs))
    ranks, accuracy, lr = {}, {}, {}
    for preset in presets:
        rows = _one_row_per_optimizer(results, preset)
        if "adadelta" not in rows:
            raise ValueError(f"no Adadelta runs under preset {preset!r}")
        order = sorted(rows, key=lambda name: _accuracy(rows[name]), reverse=True)
        ranks[preset] = {name: order.index(name) + 1 for name in order}
        accuracy[preset] = _accuracy(rows["adadelta"])
        lr[preset] = rows["adadelta"].lr
    last = [p for p in presets if ranks[p]["adadelta"] == len(ranks[p])]
    outcome = ("confirmed" if len(last) == len(presets) else "refuted" if not last
               else "depends")
    parts = [f"{_ordinal(ranks[p]['adadelta'])} of {len(ranks[p])} under {_possessive(p)} "
             f"defaults ({_percent(accuracy[p])} at lr {lr[p]:g})" for p in presets]
    sentence = "Adadelta ranks " + (" but " if outcome == "depends" else " and ").join(parts)
    numbers = {"ranks": ranks, "accuracy": accuracy, "lr": lr, "last_under": last}
    if retuned is not None:
        finished = [r.final["test_accuracy"] for r in retuned.select(optimizer="adadelta")
                    if r.status == "ok" and r.history]
        if finished:
            runs = retuned.select(optimizer="adadelta")
            value = sum(finished) / len(finished)
            numbers["retuned_accuracy"] = value
            numbers["retuned_lr"] = runs[0].lr
            sentence += (f"; with lr {runs[0].lr:g} {_possessive(runs[0].preset)} Adadelta "
                         f"reaches {_percent(value)}")
    return Verdict("With default settings Adadelta performs worst.", outcome, sentence + ".",
                   numbers)


def learning_rate_profile(results: Results, optimizer: str) -> tuple[list[float], list[float]]:
    """Learning rates of a sweep (ascending) and ``optimizer``'s mean final accuracy at each.

    A learning rate at which every run diverged scores 0.
    """
    rows = sorted((row for row in summarize(results) if row.optimizer == optimizer),
                  key=lambda row: row.lr)
    if not rows:
        raise ValueError(f"no runs of {optimizer!r} in the results")
    return [row.lr for row in rows], [_accuracy(row) for row in rows]


def good_intervals(learning_rates: Sequence[float], accuracies: Sequence[float],
                   tolerance: float = 0.01) -> list[tuple[float, float]]:
    r"""Learning-rate intervals where accuracy stays within ``tolerance`` of its best.

    Accuracy is interpolated linearly in :math:`\log_{10}` of the learning rate between the
    grid points (ascending), so an interval can end between two of them; intervals are
    clipped to the grid.

    Returns
    -------
    list of (float, float)
        ``(lowest, highest)`` learning rate of each interval, in increasing order.
    """
    xs = [math.log10(lr) for lr in learning_rates]
    threshold = max(accuracies) - tolerance
    pieces: list[list[float]] = []
    for x0, x1, y0, y1 in zip(xs, xs[1:], accuracies, accuracies[1:]):
        if y0 < threshold and y1 < threshold:
            continue
        low = x0 if y0 >= threshold else x0 + (threshold - y0) / (y1 - y0) * (x1 - x0)
        high = x1 if y1 >= threshold else x0 + (threshold - y0) / (y1 - y0) * (x1 - x0)
        if pieces and math.isclose(pieces[-1][1], low):
            pieces[-1][1] = high
        else:
            pieces.append([low, high])
    if not pieces:  # one grid point: the best one, with both neighbours below the threshold
        best = xs[list(accuracies).index(max(accuracies))]
        pieces.append([best, best])
    return [(10 ** low, 10 ** high) for low, high in pieces]


def good_range_decades(learning_rates: Sequence[float], accuracies: Sequence[float],
                       tolerance: float = 0.01) -> float:
    r"""Width, in decades of learning rate, where accuracy stays within ``tolerance`` of its best.

    The total length of :func:`good_intervals` on a :math:`\log_{10}` scale, so the width is
    not limited to multiples of the grid step.

    Examples
    --------
    >>> round(good_range_decades([0.01, 0.1, 1.0], [0.90, 0.95, 0.90], tolerance=0.025), 6)
    1.0
    """
    return sum(math.log10(high / low)
               for low, high in good_intervals(learning_rates, accuracies, tolerance))


def adam_needs_least_tuning(results: Results, tolerance: float = 0.01, margin: float = 0.25,
                            tie: float = 0.005) -> Verdict:
    """Test "Adam is the best default: it needs the least tuning" on a learning-rate sweep.

    Two parts: *least tuning*, no other optimizer keeps within ``tolerance`` of its best
    accuracy over a range of learning rates wider than Adam's by more than ``margin``
    decades (:func:`good_range_decades`); and *best*, Adam's best accuracy over the sweep is
    within ``tie`` of the best optimizer's.

    Parameters
    ----------
    results : Results
        A sweep (``Config(learning_rates=...)``) with Adam and other optimizers.
    tolerance : float, default 0.01
        How far below its best an optimizer may fall and still count as well tuned (one
        percentage point).
    margin : float, default 0.25
        Differences of range width below this many decades are ties.
    tie : float, default 0.005
        Differences of best accuracy below this are ties.

    Returns
    -------
    Verdict
        ``confirmed`` when both parts hold, ``refuted`` when neither does, ``depends``
        otherwise.
    """
    optimizers = list(dict.fromkeys(run.optimizer for run in results.runs))
    if "adam" not in optimizers or len(optimizers) < 2:
        raise ValueError("need Adam and at least one other optimizer")
    width, best, best_lr = {}, {}, {}
    for name in optimizers:
        lrs, accuracies = learning_rate_profile(results, name)
        width[name] = good_range_decades(lrs, accuracies, tolerance)
        best[name] = max(accuracies)
        best_lr[name] = lrs[accuracies.index(best[name])]
    widest = max(optimizers, key=lambda name: width[name])
    top = max(optimizers, key=lambda name: best[name])
    least_tuning = width[widest] - width["adam"] <= margin
    tuned_best = best[top] - best["adam"] <= tie
    tol = f"{tolerance * 100:g} point" + ("" if tolerance == 0.01 else "s")
    if widest == "adam":
        runner = max((n for n in optimizers if n != "adam"), key=lambda name: width[name])
        range_part = (f"Adam stays within {tol} of its best accuracy over the widest "
                      f"range of learning rates ({width['adam']:.2f} decades; next "
                      f"{_name(runner)} {width[runner]:.2f})")
    else:
        range_part = (f"Adam stays within {tol} of its best accuracy over "
                      f"{width['adam']:.2f} decades of learning rate against "
                      f"{width[widest]:.2f} for {_name(widest)}")
    if top == "adam":
        runner = max((n for n in optimizers if n != "adam"), key=lambda name: best[name])
        tuned_part = (f"tuned, Adam scores best ({_percent(best['adam'])} at lr "
                      f"{best_lr['adam']:g}; next {_name(runner)} {_percent(best[runner])})")
    else:
        tuned_part = (f"tuned, Adam reaches {_percent(best['adam'])} at lr "
                      f"{best_lr['adam']:g} against {_percent(best[top])} for {_name(top)}")
    outcome = ("confirmed" if least_tuning and tuned_best
               else "refuted" if not (least_tuning or tuned_best) else "depends")
    numbers = {"width_decades": width, "best_accuracy": best, "best_lr": best_lr,
               "tolerance": tolerance, "least_tuning": least_tuning, "tuned_best": tuned_best}
    return Verdict("Adam is the best default: it needs the least tuning.", outcome,
                   f"{range_part}; {tuned_part}.", numbers)


def sweep_by_batch_size(results_by_batch: Mapping[int, Results]
                        ) -> dict[str, dict[int, dict[float, float]]]:
    """Optimizer -> batch size -> learning rate -> mean final accuracy (0 if all diverged).

    Parameters
    ----------
    results_by_batch : mapping of int to Results
        Batch size -> results of a learning-rate sweep at that batch size.
    """
    table: dict[str, dict[int, dict[float, float]]] = {}
    for batch_size, results in sorted(results_by_batch.items()):
        for row in summarize(results):
            table.setdefault(row.optimizer, {}).setdefault(batch_size, {})[row.lr] = \
                _accuracy(row)
    return table


def fixed_learning_rate(results_by_batch: Mapping[int, Results], optimizer: str) -> float:
    """The learning rate of the sweep that is best for ``optimizer`` at the largest batch size."""
    grid = sweep_by_batch_size(results_by_batch)[optimizer][max(results_by_batch)]
    return max(grid, key=grid.get)


def accuracy_by_batch_size(results_by_batch: Mapping[int, Results], learning_rate: str = "default"
                           ) -> dict[str, dict[int, float]]:
    """Mean final accuracy per optimizer and batch size, from one sweep per batch size.

    Parameters
    ----------
    results_by_batch : mapping of int to Results
        Batch size -> results of a learning-rate sweep at that batch size.
    learning_rate : str
        Which learning rate of the sweep each accuracy is read at: ``"default"``, the
        optimizer's default under the runs' preset (it must be on the grid); ``"fixed"``, the
        one best at the largest batch size (:func:`fixed_learning_rate`), kept for every batch
        size; ``"retuned"``, the best one for each batch size.

    Returns
    -------
    dict
        Optimizer -> batch size -> accuracy.
    """
    if learning_rate not in ("default", "fixed", "retuned"):
        raise ValueError(f"learning_rate must be 'default', 'fixed' or 'retuned', "
                         f"got {learning_rate!r}")
    presets = {run.optimizer: run.preset for results in results_by_batch.values()
               for run in results.runs}
    table: dict[str, dict[int, float]] = {}
    for name, by_batch in sweep_by_batch_size(results_by_batch).items():
        if learning_rate == "retuned":
            table[name] = {b: max(grid.values()) for b, grid in by_batch.items()}
            continue
        if learning_rate == "fixed":
            chosen = fixed_learning_rate(results_by_batch, name)
        else:
            chosen = hyperparameters(name, presets[name])["lr"]
        table[name] = {}
        for batch_size, grid in by_batch.items():
            match = [lr for lr in grid if math.isclose(lr, chosen)]
            if not match:
                raise ValueError(f"{name}: learning rate {chosen:g} not in the sweep at batch "
                                 f"size {batch_size}; put the default on the grid")
            table[name][batch_size] = grid[match[0]]
    return table


def noise_cost(accuracy: Mapping[int, float]) -> float:
    """Accuracy lost at the smallest (noisiest) batch size against the best batch size."""
    return max(accuracy.values()) - accuracy[min(accuracy)]


def rmsprop_tames_noise(fixed: Mapping[str, Mapping[int, float]],
                        retuned: Mapping[str, Mapping[int, float]],
                        fixed_lr: Mapping[str, float] | None = None,
                        margin: float = 0.005) -> Verdict:
    """Test "RMSprop reduces the impact of noisy gradients" across batch sizes.

    Smaller batches give noisier gradients. The *noise cost* of an optimizer
    (:func:`noise_cost`) is the accuracy it loses at the smallest batch size against its
    best batch size, after the same number of training examples. It is measured twice: with
    the learning rate that is best at the largest batch size kept fixed (only the noise
    changes), and with the learning rate retuned for every batch size. RMSprop tames noise
    when its cost is lower than SGD's by more than ``margin``.

    Parameters
    ----------
    fixed, retuned : mapping
        Optimizer -> batch size -> accuracy (:func:`accuracy_by_batch_size` with
        ``"fixed"`` and ``"retuned"``). Needs ``"sgd"`` and ``"rmsprop"``.
    fixed_lr : mapping, optional
        Optimizer -> the fixed learning rate, quoted in the sentence.
    margin : float, default 0.005
        Differences of cost below this (half a percentage point) are ties.

    Returns
    -------
    Verdict
        ``confirmed`` when RMSprop's cost is lower both with the fixed and the retuned
        learning rate, ``refuted`` when in neither, ``depends`` when only in one (typically:
        at a fixed learning rate, while retuning SGD's learning rate removes its cost).
    """
    costs = {kind: {name: noise_cost(values[name]) for name in ("sgd", "rmsprop")}
             for kind, values in (("fixed", fixed), ("retuned", retuned))}
    lower = {kind: cost["rmsprop"] < cost["sgd"] - margin for kind, cost in costs.items()}
    smallest, largest = min(fixed["sgd"]), max(fixed["sgd"])
    rates = ""
    if fixed_lr is not None:
        rates = (f" (SGD {fixed_lr['sgd']:g}, RMSprop {fixed_lr['rmsprop']:g})")

    def part(kind: str) -> str:
        cost = costs[kind]
        text = f"SGD {_points(cost['sgd'])} points and RMSprop {_points(cost['rmsprop'])}"
        if not lower[kind]:
            text += f" (no clear gain for RMSprop within {_points(margin, 1)} points)"
        return text

    outcome = ("confirmed" if all(lower.values()) else "refuted" if not any(lower.values())
               else "depends")
    conclusion = {
        (True, True): "RMSprop loses less to noise either way",
        (True, False): ("RMSprop protects a learning rate chosen for less noise, but once each "
                        "is tuned, noise costs both about as much"),
        (False, True): "RMSprop loses less only once the learning rates are tuned",
        (False, False): "RMSprop loses no less to noise than SGD",
    }[lower["fixed"], lower["retuned"]]
    sentence = (f"Going down to batch {smallest} from each optimizer's best batch size costs "
                f"{part('fixed')} with the learning rate best at batch {largest} kept"
                f"{rates}, and {part('retuned')} with the learning rate retuned for every "
                f"batch size: {conclusion}.")
    numbers = {"noise_cost": costs, "rmsprop_lower": lower, "smallest_batch": smallest,
               "largest_batch": largest, "fixed_lr": dict(fixed_lr or {})}
    return Verdict("RMSprop reduces the impact of noisy gradients.", outcome, sentence, numbers)


def adam_is_faster(seconds_per_step: Mapping[str, float],
                   seconds_to_target: Mapping[str, float | None],
                   state_per_parameter: Mapping[str, float], target: float = 0.97,
                   tolerance: float = 0.10) -> Verdict:
    """Test "Adam offers faster computation times".

    Two readings: *cheaper steps*, an Adam training step costs no more than the cheapest
    optimizer's (within ``tolerance``, relative); and *sooner to a target*, Adam reaches
    ``target`` test accuracy in the least training time (within ``tolerance``).

    Parameters
    ----------
    seconds_per_step : mapping
        Optimizer -> seconds of one training step (forward, backward and update).
    seconds_to_target : mapping
        Optimizer -> training seconds until the test accuracy first reached ``target``
        (``None``: not reached).
    state_per_parameter : mapping
        Optimizer -> values of optimizer state kept per model weight (memory).
    target : float, default 0.97
        The accuracy of ``seconds_to_target``, quoted in the sentence.
    tolerance : float, default 0.10
        Relative differences below this (10 %) are ties: timings of the same code vary by
        several percent from one run to the next.

    Returns
    -------
    Verdict
        ``confirmed`` when both readings hold, ``refuted`` when neither, ``depends`` when
        only one does (typically: faster to the target, not per step).
    """
    cheapest = min(seconds_per_step, key=seconds_per_step.get)
    overhead = seconds_per_step["adam"] / seconds_per_step[cheapest] - 1
    cheap_steps = overhead <= tolerance
    reached = {name: s for name, s in seconds_to_target.items() if s is not None}
    first = min(reached, key=reached.get) if reached else None
    sooner = "adam" in reached and reached["adam"] <= reached[first] * (1 + tolerance)

    if cheapest == "adam":
        runner = min((n for n in seconds_per_step if n != "adam"), key=seconds_per_step.get)
        step_part = (f"an Adam step is the cheapest ({seconds_per_step['adam'] * 1000:.2f} ms; "
                     f"next {_name(runner)} {seconds_per_step[runner] * 1000:.2f} ms)")
    else:
        step_part = (f"an Adam step takes {seconds_per_step['adam'] * 1000:.2f} ms against "
                     f"{seconds_per_step[cheapest] * 1000:.2f} ms for {_name(cheapest)} "
                     f"({overhead * 100:+.0f} %)")
    step_part += (f" and Adam keeps {state_per_parameter['adam']:g} state values per weight "
                  f"against {state_per_parameter[cheapest]:g}")
    goal = _percent(target, 0)
    if "adam" not in reached:
        target_part = f"Adam does not reach {goal}" + (
            f", {_name(first)} does after {reached[first]:.1f} s" if first else "")
    elif first == "adam":
        others = {n: s for n, s in reached.items() if n != "adam"}
        runner = min(others, key=others.get) if others else None
        target_part = (f"Adam reaches {goal} first, after {reached['adam']:.1f} s"
                       + (f" (next {_name(runner)}, {reached[runner]:.1f} s)" if runner else ""))
    elif sooner:
        target_part = (f"Adam reaches {goal} after {reached['adam']:.1f} s, within "
                       f"{tolerance:.0%} of the first, {_name(first)} ({reached[first]:.1f} s)")
    else:
        target_part = (f"Adam reaches {goal} after {reached['adam']:.1f} s, "
                       f"{_name(first)} first after {reached[first]:.1f} s")
    never = [_name(n) for n, s in seconds_to_target.items() if s is None and n != "adam"]
    if never:
        target_part += f"; {', '.join(never)} {'does' if len(never) == 1 else 'do'} not"
    outcome = ("confirmed" if cheap_steps and sooner
               else "refuted" if not (cheap_steps or sooner) else "depends")
    sentence = f"Per step, {step_part}; to the target, {target_part}."
    numbers = {"seconds_per_step": dict(seconds_per_step),
               "seconds_to_target": dict(seconds_to_target),
               "state_per_parameter": dict(state_per_parameter), "overhead": overhead,
               "cheapest": cheapest, "first_to_target": first}
    return Verdict("Adam offers faster computation times.", outcome, sentence, numbers)


def kendall_tau(first: Sequence[str], second: Sequence[str]) -> float:
    """Kendall's rank correlation of two orderings of the same items (1: same, -1: reversed)."""
    if set(first) != set(second) or len(first) < 2:
        raise ValueError("both orderings must hold the same two or more items")
    position = {item: i for i, item in enumerate(second)}
    pairs = list(combinations(first, 2))
    concordant = sum(position[a] < position[b] for a, b in pairs)
    return (2 * concordant - len(pairs)) / len(pairs)


def ranking_holds_for_cnn(mlp: Results, cnn: Results, preset: str = "pytorch",
                          tie: float = 0.005) -> Verdict:
    """Test whether the optimizers' ranking on the MLP carries over to a CNN.

    The ranking's two ends are checked: the MLP's best optimizer must also be the best on
    the CNN, and the MLP's worst the worst, each up to ``tie`` (an optimizer within ``tie``
    of the CNN's best counts as best). Kendall's tau of the two orders is reported.

    Parameters
    ----------
    mlp, cnn : Results
        The same comparison (one setting per optimizer) on the two models.
    preset : str, default "pytorch"
        The preset to compare.
    tie : float, default 0.005
        Accuracy differences below this (half a percentage point) are ties.

    Returns
    -------
    Verdict
        ``confirmed`` when both ends agree, ``refuted`` when neither does, ``depends``
        when one does.
    """
    on_mlp, on_cnn = (_one_row_per_optimizer(r, preset) for r in (mlp, cnn))
    if set(on_mlp) != set(on_cnn):
        raise ValueError("the two comparisons must hold the same optimizers")
    order_mlp = sorted(on_mlp, key=lambda n: _accuracy(on_mlp[n]), reverse=True)
    order_cnn = sorted(on_cnn, key=lambda n: _accuracy(on_cnn[n]), reverse=True)
    cnn_accuracy = {name: _accuracy(row) for name, row in on_cnn.items()}
    best_agrees = cnn_accuracy[order_mlp[0]] >= cnn_accuracy[order_cnn[0]] - tie
    worst_agrees = cnn_accuracy[order_mlp[-1]] <= cnn_accuracy[order_cnn[-1]] + tie
    tau = kendall_tau(order_mlp, order_cnn)

    def chain(order: list[str], rows: Mapping[str, Summary]) -> str:
        return " > ".join(f"{_name(n)} {_accuracy(rows[n]) * 100:.1f}" for n in order)

    outcome = ("confirmed" if best_agrees and worst_agrees
               else "refuted" if not (best_agrees or worst_agrees) else "depends")
    ends = {(True, True): "both ends of the ranking agree",
            (True, False): "the best agrees but not the worst",
            (False, True): "the worst agrees but not the best",
            (False, False): "neither the best nor the worst agrees"}[best_agrees, worst_agrees]
    sentence = (f"MLP: {chain(order_mlp, on_mlp)} %; CNN: {chain(order_cnn, on_cnn)} %; "
                f"{ends} (Kendall's tau {tau:.2f}).")
    numbers = {"order_mlp": order_mlp, "order_cnn": order_cnn, "kendall_tau": tau,
               "best_agrees": best_agrees, "worst_agrees": worst_agrees,
               "accuracy_mlp": {n: _accuracy(r) for n, r in on_mlp.items()},
               "accuracy_cnn": cnn_accuracy}
    return Verdict("The optimizers rank the same on a CNN as on the MLP.", outcome, sentence,
                   numbers)


def metric_at_seconds(run: Run, seconds: float, metric: str = "test_loss") -> float | None:
    """``metric`` at the last epoch that ``run`` finished within ``seconds`` of training.

    ``None`` when not even the first epoch was finished by then.
    """
    value, elapsed = None, 0.0
    for entry in run.history:
        elapsed += entry["seconds"]
        if elapsed > seconds:
            break
        value = entry[metric]
    return value


def batch_label(batch_size: int | None) -> str:
    """``"batch 64"``, or ``"full batch"`` for ``None``."""
    return "full batch" if batch_size is None else f"batch {batch_size}"


def minibatch_is_middle_ground(at_equal_epochs: Mapping[int | None, float],
                               at_equal_seconds: Mapping[int | None, float | None],
                               minibatch: int, epochs: int, seconds: float) -> Verdict:
    """Test "minibatch gradient descent is the practical middle ground".

    Compares a test loss reached with minibatches of ``minibatch`` examples against smaller
    batches (stochastic gradient descent) and the full batch (``None``, gradient descent),
    after the same number of epochs and after the same training time. The middle ground
    holds when the minibatch beats full-batch gradient descent after equal epochs *and*
    has the lowest loss of all after equal seconds.

    Parameters
    ----------
    at_equal_epochs : mapping
        Batch size (``None``: full batch) -> test loss after ``epochs`` epochs.
    at_equal_seconds : mapping
        Batch size -> test loss after ``seconds`` of training (``None``: no epoch finished).
    minibatch : int
        The batch size that plays the middle ground.
    epochs, seconds : number
        The budgets, quoted in the sentence.

    Returns
    -------
    Verdict
        ``confirmed`` when both comparisons favour the minibatch, ``refuted`` when neither
        does, ``depends`` otherwise.
    """
    if minibatch not in at_equal_epochs or None not in at_equal_epochs:
        raise ValueError("need the minibatch and the full batch (None) in at_equal_epochs")
    beats_full = at_equal_epochs[minibatch] < at_equal_epochs[None]
    per_second = {b: (math.inf if loss is None else loss) for b, loss in at_equal_seconds.items()}
    best_per_second = min(per_second, key=per_second.get) == minibatch

    def losses(values: Mapping[int | None, float]) -> str:
        order = sorted(values, key=lambda b: math.inf if b is None else b)
        return ", ".join(f"{'no epoch' if values[b] is None else f'{values[b]:.3f}'} "
                         f"({batch_label(b)})" for b in order)

    outcome = ("confirmed" if beats_full and best_per_second
               else "refuted" if not (beats_full or best_per_second) else "depends")
    sentence = (f"Test loss after {epochs} epochs: {losses(at_equal_epochs)}; after "
                f"{seconds:.1f} s of training: {losses(at_equal_seconds)}.")
    numbers = {"at_equal_epochs": dict(at_equal_epochs),
               "at_equal_seconds": dict(at_equal_seconds), "epochs": epochs,
               "seconds": seconds, "beats_full_batch": beats_full,
               "best_per_second": best_per_second}
    return Verdict("Minibatch gradient descent is the practical middle ground.", outcome,
                   sentence, numbers)
