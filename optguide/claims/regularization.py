"""Claims about regularisation: decoupled weight decay (AdamW) against an L2 penalty.

Reads :func:`optguide.weight_decay.run`: each method's learning rate and decay chosen on
validation from grids of the same size, then test accuracy on ten report seeds, paired seed
by seed (a seed fixes the initial weights and the minibatch order).
"""

from __future__ import annotations

from ..analysis.names import percent
from ..analysis.stats import EQUIVALENCE_MARGIN, equivalent, paired_difference
from ..weight_decay import LABELS, Choice, WeightDecayStudy
from . import Verdict
from ._rules import from_sign
from .protocol import _pair_flip, _plain_pair

__all__ = ["decoupled_beats_l2", "CLAIM"]

#: The claim, in Loshchilov and Hutter's words (2019, abstract): decoupling the weight decay
#: "substantially improves Adam's generalization performance".
CLAIM = ("Decoupled weight decay (AdamW) substantially improves Adam's generalization "
         "over an L2 penalty.")


def _choice_text(choice: Choice) -> str:
    edge = ", at the edge of its grid" if choice.at_edge else ""
    decay = "" if choice.method == "none" else f" and decay {choice.decay:g}"
    return (f"{LABELS[choice.method]} chose lr {choice.lr:g}{decay}"
            f" ({percent(choice.val_accuracy, 2)} validation{edge})")


def decoupled_beats_l2(study: WeightDecayStudy) -> Verdict:
    """Test "AdamW generalises better than Adam with an L2 penalty", both tuned equally.

    The rule, fixed before the numbers: the paired difference of test accuracy, AdamW minus
    Adam + L2, over the report seeds. Its 95 % interval above zero confirms; below zero, or
    the two equivalent within :data:`~optguide.analysis.stats.EQUIVALENCE_MARGIN` (two
    one-sided tests; then AdamW is not better), refutes; anything else is inconclusive. One
    pair is compared, so no correction for multiplicity. The no-decay row and the choices
    (with a flag when a choice sits at an edge of its grid) are reported, not decisive.

    Parameters
    ----------
    study : WeightDecayStudy
        Rows ``"decoupled"`` and ``"l2"`` (``"none"`` optional), and their choices.

    Returns
    -------
    Verdict
    """
    rows = study.rows
    if "decoupled" not in rows or "l2" not in rows:
        raise ValueError("need the rows 'decoupled' and 'l2'")
    adamw, l2 = rows["decoupled"], rows["l2"]
    diff = paired_difference(adamw.scores, l2.scores)
    same = not diff.separated and equivalent(adamw.scores, l2.scores)
    outcome = "refuted" if same else from_sign(diff.sign)
    sentence = "Tuned with equal effort, " + _plain_pair(LABELS["decoupled"], LABELS["l2"],
                                                          diff, same)
    parts = [f"AdamW reaches {adamw.test.format(unit=' %')} and Adam + L2 "
             f"{l2.test.format(unit=' %')} test accuracy, AdamW minus Adam + L2 "
             f"{diff.format()}" + (" (equivalent within the margin)" if same else "")]
    if "none" in rows:
        parts.append(f"Adam without decay reaches {rows['none'].test.format(unit=' %')}")
    parts += [_choice_text(c) for c in study.choices.values()]
    numbers = {"difference": diff, "equivalent": same, "adamw": adamw.test.mean,
               "l2": l2.test.mean, "margin": EQUIVALENCE_MARGIN,
               "at_edge": [m for m, c in study.choices.items() if c.at_edge]}
    if "none" in rows:
        numbers["none"] = rows["none"].test.mean
    return Verdict(CLAIM, outcome, sentence, numbers,
                   _pair_flip("AdamW minus Adam + L2", diff, same),
                   details="; ".join(parts) + ".", source="site")
