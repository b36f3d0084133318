"""The claim that Adam computes faster: the cost of a step, and the time to a target."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from ..analysis.names import optimizer_name, percent
from ..analysis.stats import paired_difference
from ..analysis.timing import time_to_target
from ..results import Results
from . import Verdict
from ._rules import ANSWER, both_parts, to_close, to_separate

__all__ = ["adam_is_faster"]


def _step(value: float | Sequence[float]) -> float:
    """The cost of a step from repeated measurements: the fastest (least disturbed) one."""
    return float(value) if isinstance(value, (int, float)) else min(value)


def adam_is_faster(results: Results, seconds_per_step: Mapping[str, float | Sequence[float]],
                   state_per_parameter: Mapping[str, float], target: float = 0.97,
                   tolerance: float = 0.10, metric: str = "val_accuracy") -> Verdict:
    """Test "Adam offers faster computation times", reading the two meanings apart.

    *Cheaper steps*: an Adam training step (measured) costs no more than the cheapest
    optimizer's, within ``tolerance`` (relative: timings of the same code vary by several
    percent). *Sooner to a target*: on the runs in ``results`` (one setting per optimizer,
    the same seeds, a ``seconds`` per history entry), Adam reaches ``target`` ``metric``
    reliably sooner than the fastest other optimizer (paired seconds over seeds).

    Parameters
    ----------
    results : Results
        Training runs whose histories carry training seconds.
    seconds_per_step : mapping
        Optimizer -> seconds of one training step, or a sequence of repeated measurements
        (the fastest is used).
    state_per_parameter : mapping
        Optimizer -> values of optimizer state kept per weight (memory), quoted.
    target : float, default 0.97
        The accuracy to reach.
    tolerance : float, default 0.10
        Relative step-cost differences below this are ties.
    metric : str, default "val_accuracy"
        What must reach ``target``.

    Returns
    -------
    Verdict
        ``confirmed`` when both readings hold, ``depends`` (on what is timed) when one holds
        and the other fails, ``refuted`` when one fails and the other does not hold,
        ``inconclusive`` when steps are cheap and the times to target cannot be separated.
    """
    steps = {name: _step(value) for name, value in seconds_per_step.items()}
    cheapest = min(steps, key=steps.get)
    overhead = steps["adam"] / steps[cheapest] - 1
    cheap_steps = overhead <= tolerance + 1e-9  # measured ratios land exactly on it
    if cheapest == "adam":
        runner = min((n for n in steps if n != "adam"), key=steps.get)
        step_part = (f"an Adam step is the cheapest ({steps['adam'] * 1000:.2f} ms; next "
                     f"{optimizer_name(runner)} {steps[runner] * 1000:.2f} ms)")
    else:
        step_part = (f"an Adam step takes {steps['adam'] * 1000:.2f} ms against "
                     f"{steps[cheapest] * 1000:.2f} ms for {optimizer_name(cheapest)} "
                     f"({overhead * 100:+.0f} %)")
    step_part += (f" and Adam keeps {state_per_parameter['adam']:g} state values per weight "
                  f"against {state_per_parameter[cheapest]:g}")
    if cheap_steps:
        step_flip = (f"an Adam step more than {(tolerance - overhead) * 100:.1f} % dearer "
                     f"would have failed the per-step reading")
    else:
        step_flip = (f"an Adam step {(overhead - tolerance) * 100:.1f} % cheaper (relative to "
                     f"{optimizer_name(cheapest)}'s) would have passed the per-step reading")

    times = time_to_target(results, target, metric)
    every = {n: all(s is not None for s in seeds.values()) for n, seeds in times.items()}
    goal = f"{percent(target, 0)} {metric.replace('_', ' ').replace('val ', 'validation ')}"
    others = [n for n in times if n != "adam" and every[n]]
    rival = min(others, key=lambda n: statistics.fmean(times[n].values())) if others else None
    diff = None
    if not every.get("adam"):
        sooner = False if rival else None
        target_part = (f"Adam does not reach {goal} in every run"
                       + (f", {optimizer_name(rival)} does (mean "
                          f"{statistics.fmean(times[rival].values()):.1f} s)" if rival else
                          ", nor does any other optimizer"))
        target_flip = (f"Adam reaching {goal} in every run" + (
            f" sooner than {optimizer_name(rival)}" if rival else "") + " would have changed it")
    elif rival is None:
        sooner = True
        target_part = (f"only Adam reaches {goal} in every run (mean "
                       f"{statistics.fmean(times['adam'].values()):.1f} s)")
        target_flip = f"another optimizer reaching {goal} in every run could have changed it"
    else:
        diff = paired_difference(times[rival], times["adam"])
        sooner = {1: True, -1: False, 0: None}[diff.sign]
        target_part = (f"{optimizer_name(rival)} minus Adam, seconds to {goal}: "
                       f"{diff.format(1.0, 2, ' s')}")
        target_flip = (f"the times to target would have tied {to_close(diff, 1.0, ' s')}"
                       if diff.separated else
                       f"deciding the times to target needs {to_separate(diff, 1.0, ' s')}")
    outcome = both_parts(cheap_steps, sooner)
    numbers = {"seconds_per_step": steps, "overhead": overhead, "cheapest": cheapest,
               "state_per_parameter": dict(state_per_parameter),
               "seconds_to_target": times, "rival": rival, "cheap_steps": cheap_steps,
               "sooner": sooner, "target": target}
    step_plain = ("an Adam step is the cheapest" if cheapest == "adam" else
                  f"an Adam step is {abs(overhead) * 100:.0f} % "
                  f"{'dearer' if overhead >= 0 else 'cheaper'} than {optimizer_name(cheapest)}'s")
    if sooner is None:
        target_plain = (f"it reaches {goal} no reliably sooner than {optimizer_name(rival)}"
                        if rival else f"no optimizer reaches {goal} in every run")
    elif sooner:
        target_plain = (f"it reaches {goal} before {optimizer_name(rival)}" if rival else
                        f"only it reaches {goal} in every run")
    else:
        target_plain = (f"{optimizer_name(rival)} reaches {goal} first" if every.get("adam")
                        else f"it does not reach {goal} in every run")
    return Verdict("Adam offers faster computation times.", outcome,
                   f"{ANSWER[outcome]}: {step_plain}, {'but' if outcome == 'depends' else 'and'} "
                   f"{target_plain}.", numbers,
                   flip=f"{step_flip[0].upper()}{step_flip[1:]}; {target_flip}.",
                   details=f"Per step, {step_part}; to the target, {target_part}.")
