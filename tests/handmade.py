"""Hand-made results for the analysis and claim tests: runs with chosen final numbers."""

from __future__ import annotations

from optguide.claims import OUTCOMES, Verdict
from optguide.optimizers import hyperparameters
from optguide.results import Results, Run


def make_run(optimizer: str, accuracy: float | list[float], *, preset: str = "pytorch",
             seed: int = 0, lr: float | None = None, seconds: float = 1.0,
             loss: float | list[float] | None = None, status: str = "ok",
             val: float | list[float] | None = None) -> Run:
    """A run whose test accuracy follows ``accuracy`` (a list: one value per epoch).

    The validation accuracy follows ``val`` (default: the test accuracy); losses are
    ``1 - accuracy`` unless ``loss`` is given.
    """
    curve = accuracy if isinstance(accuracy, list) else [accuracy]
    vals = curve if val is None else (val if isinstance(val, list) else [val] * len(curve))
    losses = ([1 - a for a in curve] if loss is None
              else loss if isinstance(loss, list) else [loss] * len(curve))
    overrides = {} if lr is None else {"lr": lr}
    history = [{"epoch": i + 1, "train_loss": 1 - a, "val_loss": 1 - v, "val_accuracy": v,
                "test_loss": l, "test_accuracy": a, "seconds": seconds}
               for i, (a, v, l) in enumerate(zip(curve, vals, losses))]
    return Run(optimizer, preset, seed, hyperparameters(optimizer, preset, **overrides), status,
               [] if status == "diverged" else history, 1 if status == "diverged" else None)


def make_results(runs: list[Run]) -> Results:
    return Results({"epochs": max((len(r.history) for r in runs), default=0),
                    "optimizers": list(dict.fromkeys(r.optimizer for r in runs)),
                    "presets": list(dict.fromkeys(r.preset for r in runs))}, {}, runs)


def seeded(optimizer: str, accuracies: list[float], preset: str = "pytorch", **kwargs
           ) -> list[Run]:
    """One run per seed (0, 1, ...) with these final accuracies."""
    return [make_run(optimizer, a, preset=preset, seed=s, **kwargs)
            for s, a in enumerate(accuracies)]


def check(verdict: Verdict, outcome: str) -> None:
    """``verdict`` reached ``outcome`` and reads as the site shows it (two sentences)."""
    assert isinstance(verdict, Verdict)
    assert outcome in OUTCOMES
    assert verdict.outcome == outcome, verdict.line() + " | " + verdict.flip
    assert verdict.line().startswith(f"Verdict: {outcome} - ")
    assert verdict.sentence.endswith(".") and "\n" not in verdict.sentence
    assert verdict.flip.endswith(".") and verdict.flip[0].isupper()
    assert "\n" not in verdict.flip
    assert not verdict.plainness_problems(), (verdict.plainness_problems(), verdict.sentence,
                                              verdict.flip)


def across_two(first: str, second: str, ahead, behind, tied) -> list[tuple[dict, str]]:
    """The four ways a verdict combines two conditions, with the outcome each must give:
    the claim holding under both, failing under both, holding under one and failing under
    the other, and holding under one with ``tied`` (not separated) under the other."""
    return [({first: ahead, second: ahead}, "confirmed"),
            ({first: behind, second: behind}, "refuted"),
            ({first: ahead, second: behind}, "depends"),
            ({first: ahead, second: tied}, "inconclusive")]


def make_search_study(report: dict[str, dict[str, list[float]]],
                      trial_val: dict[str, list[list[float]]] | None = None,
                      report_seeds: tuple[int, ...] = (10, 11, 12, 13, 14)) -> Results:
    """A hand-made equal-effort study file (:mod:`optguide.study`'s layout, no training).

    ``report[protocol][optimizer]`` are the report seeds' final test accuracies (the
    protocols present: any of ``defaults``, ``keras_defaults``, ``lr``, ``full``); every
    optimizer must appear in every protocol. ``trial_val[optimizer]`` gives, per trial of the
    ``full`` protocol, the validation accuracy on each of the 4 selection and check seeds
    (default: 2 trials, trial 0 best); the ``lr`` protocol has 2 trials, trial 0 best.
    """
    from optguide.search import Trial

    protocols = [p for p in ("defaults", "keras_defaults", "lr", "full") if p in report]
    optimizers = list(next(iter(report.values())))
    select, check_ = (0, 1), (2, 3)
    runs: list[Run] = []
    index: list[dict] = []
    values: dict = {p: {} for p in protocols}
    for protocol in protocols:
        for name in optimizers:
            preset = "keras" if protocol == "keras_defaults" else "pytorch"
            base = hyperparameters(name, preset)["lr"]
            if protocol in ("lr", "full"):
                vals = ((trial_val or {}).get(name) if protocol == "full" else None) or \
                    [[0.9] * 4, [0.8] * 4]
                trials = [Trial(name, k, (("lr", 3 * base * 10 ** k),), "constant")
                          for k in range(len(vals))]
                for trial, scores in zip(trials, vals):
                    places = []
                    for seed, v in zip(select + check_, scores):
                        places.append(len(runs))
                        runs.append(make_run(name, 0.5, seed=seed, lr=trial.lr, val=v,
                                             preset=preset))
                    index.append({"protocol": protocol, "optimizer": name,
                                  "trial": trial.index, "phase": "select", "runs": places})
                chosen = max(range(len(vals)), key=lambda k: (sum(vals[k]), -k))
                lr = trials[chosen].lr
            else:
                trials = [Trial(name, 0, (), "constant")]
                chosen, lr = 0, None
            values[protocol][name] = [t.to_dict() for t in trials]
            places = []
            for seed, accuracy in zip(report_seeds, report[protocol][name]):
                places.append(len(runs))
                runs.append(make_run(name, accuracy, seed=seed, lr=lr, preset=preset))
            index.append({"protocol": protocol, "optimizer": name, "trial": chosen,
                          "phase": "report", "runs": places})
    config = {"kind": "search_study", "optimizers": optimizers, "protocols": protocols,
              "trials": 2, "grid_points": 2, "select_seeds": list(select),
              "check_seeds": list(check_), "report_seeds": list(report_seeds), "epochs": 1,
              "trial_values": values, "index": index}
    return Results(config, {}, runs)
