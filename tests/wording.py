"""Every phrase of a verdict that the claim tests pin, in one place.

The claim tests (``tests/test_claims_*.py``) assert outcomes and numbers. Where a test needs a
verdict to *say* something (a name, a number as the reader sees it, a clause such as "at least
two seeds"), it calls :func:`says` with a case of :data:`PHRASES`; rewording a verdict changes
this table, not the tests.
"""

from __future__ import annotations

from optguide.claims import Verdict

#: Test case -> what its verdict must say. Keys: ``text`` and ``flip`` (phrases each contains),
#: ``not text`` and ``not flip`` (phrases neither contains), ``text start`` and ``text end``.
PHRASES: dict[str, dict[str, list[str]]] = {
    "adamw_verdict_reports_choices_and_edges": {
        "text": ["AdamW is reliably better than Adam + L2", "Adam without decay reaches",
                 "at the edge of its grid", "n = 10"],
        "flip": ["a tie"],
    },
    "adam_alone_ahead_is_confirmed": {
        "text": ["Adam (97.60 ± ", "n = 3"],
        "flip": ["Adadelta", "smaller"],
    },
    "a_tie_at_the_top_is_inconclusive": {
        "flip": ["more seeds, or a difference beyond about"],
    },
    "adam_reliably_beaten_is_refuted": {
        "text": ["RMSprop"],
    },
    "best_under_one_preset_and_beaten_under_the_other_depends": {
        "text": ["PyTorch's", "Keras'"],
    },
    "one_seed_is_inconclusive_and_says_so": {
        "text": ["n = 1"],
        "flip": ["at least two seeds"],
    },
    "adadelta_last_everywhere_is_confirmed": {
        "text": ["3rd of 3 under PyTorch's"],
        "flip": ["SGD"],
    },
    "adadelta_last_under_one_preset_only_depends": {
        "text": ["1st of 3 under PyTorch's", " but ", "3rd of 3 under Keras'"],
    },
    "adadelta_tied_with_the_last_is_inconclusive": {
        "text": ["2nd to 3rd of 3"],
    },
    "retuned_adadelta_is_quoted": {
        "text": ["with lr 1 Keras' Adadelta reaches 97.70 % (n = 1)"],
    },
    "a_flat_adam_curve_needs_least_tuning": {
        "text start": ["Yes: after 2 trials Adam is closest to its best of 6"],
    },
    "rmsprop_losing_less_everywhere_is_confirmed": {
        "text": ["batch 8", "batch 128"],
    },
    "one_seed_is_inconclusive": {
        "flip": ["at least two seeds"],
    },
    "adam_not_reaching_the_target": {
        "text": ["does not reach"],
    },
    "a_cnn_that_cannot_separate_is_inconclusive": {
        "text": ["cannot separate 3"],
    },
    "an_mlp_that_separates_no_pair_leaves_the_cnn_nothing_to_keep": {
        "text": ["the MLP separates no pair ("],
        "not text": ["of the 0"],
        "flip": ["more seeds would be needed"],
    },
    "ranking_kept_at_defaults_and_reversed_once_tuned_depends": {
        "text": ["tuned on validation"],
    },
    "minibatch_best_per_second_and_better_than_both_extremes_is_confirmed": {
        "text": [
            "not every run finished an epoch (batch 8)",
            "after 3 updates: 1.601 ± 0.002 (n = 3) (batch 8), 1.301",
        ],
        "flip": ["per update, against batch 8"],
    },
    "minibatch_beaten_per_second_only_depends_on_time": {
        "text": [
            "depends on whether compute is counted in examples and updates (the minibatch holds "
            "its side) or in seconds of training (it does not)",
        ],
    },
    "small_batch_better_per_update_depends_on_examples_or_updates": {
        "text": [
            "in examples and seconds of training (the minibatch holds its side) or in updates",
        ],
        "flip": ["per update, against batch 8 the minibatch would have tied"],
    },
    "a_run_diverged_before_the_update_budget_loses_that_view": {
        "text": ["after 3 updates: a run diverged before then (batch 8)"],
    },
    "adagrad_ahead_in_every_column_is_confirmed": {
        "text": ["With the rates tuned on validation Adagrad reaches 97.53"],
    },
    "sgd_ahead_in_every_column_is_refuted": {
        "flip": ["would have been a tie"],
    },
    "the_tuned_column_decides_whatever_the_default_columns_say": {
        "text start": ["Tuned with equal effort, no reliable difference"],
        "text": ["the defaults, which do not decide:", "Keras' defaults"],
    },
    "adagrad_tied_when_tuned_is_inconclusive": {
        "flip": ["needs more seeds, or a difference beyond about"],
    },
    "constant_rate_better_on_both_metrics_is_confirmed": {
        "text": ["SGD minus SGD + cosine is +0.50 points"],
    },
    "a_schedule_better_on_both_metrics_refutes": {
        "text": ["tuned on validation (SGD 0.1, SGD + cosine 0.1)"],
        "flip": ["points smaller"],
    },
    "tuned_sgd_beating_adam_is_confirmed": {
        "text": ["SGD + Nesterov + cosine (lr 0.1, 98.03"],
    },
    "same_tie_groups_confirm": {
        "text": [
            "Adam > Adagrad > SGD, tuned it is Adam > Adagrad > SGD",
            "Kendall's tau +1.00; the leaders stay, 0 of 3 pairs",
            "tuning moves 3 of 3 learning rates and reliably raises 3 and lowers 0 of those",
        ],
        "flip": ["the tie groups would have changed had Adam against Adagrad"],
    },
    "groups_that_change_with_tuning_refute": {
        "text": [
            "the leaders change, 3 of 3 pairs change their separated order, 3 reverse and 3 change "
            "reliably",
        ],
        "flip": ["none of its 3 reliable changes"],
    },
    "a_rate_tuning_left_alone_is_no_gain": {
        "text": ["tuning moves 2 of 3 learning rates and reliably raises 2 and lowers 0"],
    },
    "a_gap_that_tuning_closes_refutes": {
        "text": ["0 reverse and 2 change reliably"],
    },
    "nothing_separated_in_either_ranking_is_inconclusive": {
        "flip": ["needs more seeds, or a difference beyond about"],
    },
    "orders_that_differ_within_noise_are_inconclusive": {
        "flip": ["its gap's change needs"],
    },
    "sgd_cheaper_and_not_later_is_refuted": {
        "text": ["SGD's update takes 0.100 ms against 0.300 ms for Adam", "(-67 %"],
    },
    "sgd_cheaper_per_step_but_later_depends": {
        "text": ["SGD minus Adam (the soonest other)"],
    },
    "even_steps_and_tied_times_are_inconclusive": {
        "flip": ["beyond 10 %"],
    },
    "sgd_never_reaching_the_target_is_slow_to_it": {
        "text": ["SGD does not reach 97 % validation accuracy in every run"],
    },
    "valley_confirmed_when_every_method_is_reliably_closer_everywhere": {
        "text": [
            "from 5 start points",
            "300 steps",
            "geometric mean of 1 (Rosenbrock) and 0.1 (Beale)",
            "Adam and Momentum closer on all 2 surfaces",
        ],
        "flip": ["Momentum on Rosenbrock", "inconclusive"],
    },
    "valley_refuted_when_most_pairs_are_reliably_farther": {
        "flip": ["RMSprop been closer on 1 more surface"],
    },
    "valley_depends_on_the_surface_or_the_method: by_surface": {
        "text": ["Adagrad closer on Rosenbrock, farther on Beale"],
        "text end": ["the answer changes with the method and the surface."],
    },
    "valley_depends_on_the_surface_or_the_method: by_method": {
        "text end": ["the answer changes with the method."],
        "text": ["Adadelta farther on all 2 surfaces"],
        "not flip": ["1 farther"],
        "flip": ["2 farther pair(s)"],
    },
    "valley_inconclusive_when_the_pairs_do_not_separate": {
        "text": ["Adam closer on Rosenbrock, not separated on Beale"],
        "flip": ["Of the 4 pairs 3 are not separated", "now 1"],
    },
    "valley_counts_diverged_runs_as_worst_and_floors_tiny_distances": {
        "text": ["farther on Beale", "5 diverged run(s)"],
    },
    "saddle_confirmed_when_sgd_is_slow_with_and_without_noise": {
        "text": [
            "1e-6",
            "std 0.1",
            "5 seeds",
            "median of 16 steps",
            "needed 49 steps",
            "2 to 27 (median 2)",
        ],
        "flip": ["inconclusive", "fewer than 2 x 2 = 4 steps"],
    },
    "saddle_depends_when_noise_rescues_sgd": {
        "text end": ["the noise, not the update rule, rescues SGD."],
    },
    "saddle_depends_the_other_way_does_not_credit_the_noise": {
        "not text": ["rescues"],
        "text": ["not with noise"],
    },
    "saddle_refuted_when_sgd_keeps_up_with_and_without_noise": {
        "flip": ["at least 2 x 2 = 4 steps", "depends"],
    },
    "saddle_inconclusive_when_the_noisy_runs_do_not_separate": {
        "flip": ["more seeds", "interval above zero"],
    },
    "saddle_counts_runs_that_never_escape_as_the_budget_plus_one: verdict": {
        "text": [
            "SGD needed a median of more than 500 steps",
            "gradient descent needed more than 500 steps",
            "2 to more than 500 (median 30)",
            "7 run(s) that never escaped within 500 steps counted as 501",
        ],
    },
    "saddle_counts_runs_that_never_escape_as_the_budget_plus_one: capped": {
        "text": ["(median 251.5), 2 times the median (refuted)"],
    },
    "sparse_confirmed_refuted_and_tied: confirmed": {
        "text": [
            "88.8 %",
            "Adam 85.8 %",
            "SGD 78.6 %",
            "mean of 5 data sets",
            "Adagrad minus Adam: +3.00 points [",
        ],
        "flip": ["inconclusive", "Against Adam"],
    },
    "sparse_confirmed_refuted_and_tied: refuted": {
        "text": ["reliably ahead of Adagrad: SGD"],
    },
    "sparse_confirmed_refuted_and_tied: tied": {
        "text": ["not of every method"],
        "flip": ["more seeds"],
    },
    "sparse_best_means_against_every_method: verdict": {
        "text": ["RMSprop and Adam"],
        "flip": ["Against Adam", "likewise for RMSprop"],
    },
    "sparse_best_means_against_every_method: ahead_of_one": {
        "text": ["reliably ahead of SGD but not of every method"],
    },
    "shrinking_confirmed": {
        "text": [
            "step 100 to step 5000",
            "factor of 0.19",
            "0.99 for RMSprop, 1.5 for Adadelta and 1.9 for Adam",
        ],
    },
    "shrinking_depends_when_a_fix_shrinks_too": {
        "text": ["Adadelta shrank too"],
    },
    "sparse_features_in_regimes_reaches_every_outcome": {
        "text": ["sparse ("],
        "flip": ["sparse:"],
    },
}


def says(verdict: Verdict, case: str) -> None:
    """``verdict`` says what :data:`PHRASES` pins for ``case``."""
    for kind, phrases in PHRASES[case].items():
        negated = kind.startswith("not ")
        attribute, _, where = kind.removeprefix("not ").partition(" ")
        text = getattr(verdict, attribute)
        for phrase in phrases:
            if where == "start":
                assert text.startswith(phrase), (case, phrase, text)
            elif where == "end":
                assert text.endswith(phrase), (case, phrase, text)
            else:
                assert (phrase in text) != negated, (case, kind, phrase, text)
