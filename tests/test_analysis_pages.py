"""The page helpers of docs/_ext/site_cells.py go through the analysis layer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from handmade import make_results, seeded

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
site_cells = pytest.importorskip("site_cells")


def two_presets():
    runs = []
    for preset, adam, sgd in (("pytorch", 0.975, 0.90), ("keras", 0.90, 0.975)):
        runs += seeded("adam", [adam, adam + 0.002, adam - 0.001], preset)
        runs += seeded("sgd", [sgd, sgd + 0.001, sgd + 0.002], preset)
        runs += seeded("adadelta", [0.5, 0.5, 0.5], preset, status="diverged")
    return make_results(runs)


def test_the_page_names_come_from_the_analysis_layer():
    from optguide.analysis import names
    assert site_cells.possessive is names.possessive
    assert site_cells.ordinal(2) == "2nd" and site_cells.preset_name("keras") == "Keras"


def columns_of(results):
    from optguide.analysis.headline import Column, default_rows

    return [Column(p, f"{p} defaults", default_rows(results, p)) for p in ("pytorch", "keras")]


def test_headline_bolds_the_validation_leaders_and_shows_n():
    html = site_cells.headline_html(columns_of(two_presets()))
    assert "97.5 ± 0.4 % (n = 3)" in html
    assert "<strong>97.5" in html and "<strong>90.0" not in html
    assert "diverged" in html


def test_bold_rows_ignore_the_test_set():
    """Test accuracy at chance, validation intact: the same rows are bold."""
    honest = two_presets()
    shuffled = two_presets()
    for run in shuffled.runs:
        for entry in run.history:
            entry["test_accuracy"] = 0.1
    count = site_cells.headline_html(columns_of(honest)).count("<strong>")
    assert count == site_cells.headline_html(columns_of(shuffled)).count("<strong>") == 2


def test_a_row_without_library_default_says_so():
    from optguide.analysis.headline import Column

    columns = columns_of(two_presets())
    tuned = dict(columns[0].rows)
    tuned["sgd_nesterov_cosine"] = tuned.pop("sgd")
    html = site_cells.headline_html(columns + [Column("tuned", "tuned", tuned)])
    assert "no library default" in html


def test_extremes_use_tie_groups():
    extremes = site_cells.extremes_markdown(two_presets())
    assert extremes.count("\n") == 1 and "worst Adadelta (diverged)" in extremes


def test_page_figures_take_the_gallery_style_at_the_wide_size():
    import matplotlib as mpl

    from optguide.plots import STYLE

    with mpl.rc_context():
        site_cells.setup_figures()
        assert all(mpl.rcParams[key] == value for key, value in STYLE.items())
        assert tuple(mpl.rcParams["figure.figsize"]) == site_cells.WIDE


def test_the_adamw_defaults_table_reads_the_presets():
    from site_cells import defaults_markdown

    from optguide.optimizers import ADAMW_PRESETS

    table = defaults_markdown("adam", ADAMW_PRESETS)
    assert "| `weight_decay` | **0.01** | **0.004** |" in table
    assert "| `decoupled_weight_decay` | True | True |" in table
    assert "| `decoupled_weight_decay` | False | False |" in defaults_markdown("adam")


def test_searched_values_read_briefly():
    assert site_cells.brief("lr", 0.3492) == "lr 0.35"
    assert site_cells.brief("betas", (0.92426, 0.996875)) == "betas (0.924, 0.997)"
    assert site_cells.brief("nesterov", False) == "Nesterov off"
    assert site_cells.brief("eps", 1.892e-07) == "eps 1.9e-07"


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adadelta", "adam"])
def test_every_practice_box_says_when_and_where_to_start_from_the_study(name, real_mnist):
    from optguide.analysis.study import choice, good_learning_rates
    from optguide.study import site_study

    study = site_study()
    box = site_cells.practice_markdown(name, study)
    for heading in ("**Use it when**", "**Avoid it when**", "**Start at**",
                    "**What tuning bought:**"):
        assert heading in box
    low, high, _, _ = good_learning_rates(study, name)
    assert f"learning rate {low:.2g}" in box
    assert site_cells.brief("lr", choice(study, "full", name).values["lr"]) in box
    assert "{" not in box.replace("{ref}", "").replace("{admonition}", "")


def test_schedule_trials_split_every_search_and_mark_the_choice(real_mnist):
    from optguide.analysis.study import choice, optimizers, schedule_trials, trial_count
    from optguide.study import site_study

    study = site_study()
    for name in optimizers(study):
        found = schedule_trials(study, name)
        assert sum(f.trials for f in found) == trial_count(study, "full", name)
        chosen = [f for f in found if f.chosen]
        assert [f.schedule for f in chosen] == [choice(study, "full", name).values["schedule"]]
        assert chosen[0].best == max(f.best for f in found if f.best is not None)
    table = site_cells.schedules_markdown(study)
    assert table.count(", chosen**") == len(optimizers(study))
    assert "decaying schedule" in site_cells.schedules_sentence(study)


def test_each_listing_explains_the_helpers_it_calls_and_only_those():
    from optguide.optimizers import sgd

    text = site_cells.helpers_markdown(sgd.sgd_update)
    assert "- `add_scaled_(target, tensor, value)`: `target += value * tensor` in place" in text
    assert "add_quotient_" not in text and "``" not in text

    def plain(x):
        return x

    assert site_cells.helpers_markdown(plain) == ""
