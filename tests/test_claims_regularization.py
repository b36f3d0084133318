"""The AdamW claim on hand-made numbers: every outcome it can reach, and what it reports."""

from __future__ import annotations

import pytest
from handmade import check, make_run
from wording import says

from optguide import weight_decay
from optguide.analysis.rows import make_row
from optguide.claims.regularization import decoupled_beats_l2
from optguide.weight_decay import Choice, WeightDecayStudy

SEEDS = weight_decay.REPORT_SEEDS
NOISE = (0.0, 0.002, -0.001, 0.001, -0.002, 0.0015, -0.0015, 0.0005, -0.0005, 0.0)


def row(method: str, mean: float, noise=NOISE):
    runs = [make_run("adam", mean + n, seed=s, lr=0.003) for s, n in zip(SEEDS, noise)]
    return make_row(method, weight_decay.LABELS[method], runs)


def study(adamw: float, l2: float, l2_noise=NOISE, edge: bool = False) -> WeightDecayStudy:
    choices = {"l2": Choice("l2", 0.003, 1e-6 if edge else 1e-5, 0.95, edge),
               "decoupled": Choice("decoupled", 0.003, 0.1, 0.95, False),
               "none": Choice("none", 0.003, 0.0, 0.95, False)}
    rows = {"l2": row("l2", l2, l2_noise), "decoupled": row("decoupled", adamw),
            "none": row("none", 0.95)}
    return WeightDecayStudy({}, choices, rows)


WIDE = tuple(5 * n for n in reversed(NOISE))
SHUFFLED = tuple(reversed(NOISE))


@pytest.mark.parametrize(("adamw", "l2", "noise", "outcome"), [
    (0.960, 0.950, NOISE, "confirmed"),
    (0.950, 0.960, NOISE, "refuted"),
    (0.950, 0.9501, SHUFFLED, "refuted"),   # equivalent within the margin: AdamW not better
    (0.952, 0.950, WIDE, "inconclusive"),
])
def test_every_outcome_is_reachable(adamw, l2, noise, outcome):
    verdict = decoupled_beats_l2(study(adamw, l2, noise))
    check(verdict, outcome)
    assert verdict.source == "site"
    assert verdict.numbers["equivalent"] == (outcome == "refuted" and abs(adamw - l2) < 0.001)


def test_the_verdict_reports_the_choices_the_reference_and_an_edge():
    verdict = decoupled_beats_l2(study(0.960, 0.950, edge=True))
    says(verdict, "adamw_verdict_reports_choices_and_edges")
    assert verdict.numbers["at_edge"] == ["l2"]
    assert verdict.numbers["none"] == pytest.approx(0.95)


def test_rows_missing_are_an_error():
    broken = study(0.96, 0.95)
    with pytest.raises(ValueError, match="decoupled"):
        decoupled_beats_l2(WeightDecayStudy({}, broken.choices, {"l2": broken.rows["l2"]}))


def test_the_grids_give_every_method_the_same_number_of_trials():
    sizes = {len(decays) * len(weight_decay.LEARNING_RATES)
             for decays in weight_decay.DECAYS.values()}
    assert sizes == {12}
    assert set(weight_decay.SELECT_SEEDS).isdisjoint(weight_decay.REPORT_SEEDS)
    config = weight_decay.trial_config("decoupled", 0.1, weight_decay.SELECT_SEEDS)
    assert dict(config.overrides) == {"weight_decay": 0.1, "decoupled_weight_decay": True}


def test_choose_takes_the_best_validation_mean_and_flags_an_edge():
    trials = {(0.001, 1e-6): 0.90, (0.003, 1e-6): 0.93, (0.003, 1e-4): 0.92}
    choice = weight_decay.choose(trials, "l2")
    assert (choice.lr, choice.decay, choice.at_edge) == (0.003, 1e-6, True)
    inner = weight_decay.choose({(0.003, 0.1): 0.95, (0.003, 10.0): 0.80}, "decoupled")
    assert (inner.decay, inner.at_edge) == (0.1, False)
