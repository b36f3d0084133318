"""Summary statistics of results and the tables that show them.

Every table states a mean with the half-width of its 95 % confidence interval over seeds
and the number of runs ``n`` (:class:`optguide.analysis.stats.Estimate`); one run shows
``n = 1``, never "± 0.00". A diverged run scores accuracy 0 (the analysis layer's one rule,
:func:`optguide.analysis.scoring.final_metric`) and is counted in the "Diverged" column.
"""

from __future__ import annotations

import csv
import html
import io
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .analysis.filtering import group
from .analysis.names import optimizer_name, preset_name
from .analysis.scoring import final_metric
from .analysis.stats import Estimate, mean_ci
from .analysis.timing import epochs_to
from .results import Results

#: The accuracy the "epochs to target" column counts to: a reporting threshold fixed before
#: any run, not a choice (no configuration is selected by it). The step-cost example reads
#: its time to this target on validation accuracy for its verdict.
TARGET_ACCURACY = 0.97


@dataclass(frozen=True)
class Summary:
    """One row of the comparison table: an optimizer under a preset, learning rate and
    schedule. ``*_ci`` are 95 % half-widths (``None`` for one run)."""

    optimizer: str
    preset: str
    lr: float
    schedule: str
    runs: int
    diverged: int
    accuracy_mean: float
    accuracy_ci: float | None
    loss_mean: float | None
    loss_ci: float | None
    seconds_per_epoch: float | None
    epochs_to_target: float | None
    reached_target: int

    @property
    def accuracy(self) -> Estimate:
        return Estimate(self.accuracy_mean, self.accuracy_ci, self.runs)


#: The run attributes that make one setting (one table row); the seeds vary within it.
SETTING = ("optimizer", "preset", "lr", "schedule")


def summarize(results: Results, target: float = TARGET_ACCURACY) -> list[Summary]:
    """Mean and 95 % CI over seeds for every (optimizer, preset, learning rate, schedule).

    Accuracy counts a diverged run as 0; the loss is averaged over the runs that finished;
    "epochs to target" (test accuracy) over the runs that reached ``target``.
    """
    rows = []
    for (optimizer, preset, lr, schedule), runs in group(results, *SETTING).items():
        finished = [r for r in runs if r.status == "ok" and r.history]
        accuracy = mean_ci([final_metric(r, "test_accuracy") for r in runs])
        loss = mean_ci([r.final["test_loss"] for r in finished]) if finished else None
        seconds = [e["seconds"] for r in finished for e in r.history]
        reached = [e for r in finished if (e := epochs_to(r, target, "test_accuracy")) is not None]
        rows.append(Summary(
            optimizer, preset, lr, schedule, len(runs), len(runs) - len(finished),
            accuracy.mean, accuracy.half_width, loss.mean if loss else None,
            loss.half_width if loss else None,
            statistics.fmean(seconds) if seconds else None,
            statistics.fmean(reached) if reached else None, len(reached)))
    return rows


COLUMNS = ("Optimizer", "Preset", "Learning rate", "Test accuracy (%), mean ± 95 % CI",
           "Test loss", "Seconds / epoch", "Epochs to 97 %", "Diverged")


def _cells(row: Summary, epochs: int | None) -> list[str]:
    if row.epochs_to_target is None:
        target = f"> {epochs}" if epochs else "never"
    else:
        target = f"{row.epochs_to_target:.1f}"
        if row.reached_target < row.runs - row.diverged:
            target += f" ({row.reached_target}/{row.runs - row.diverged} runs)"
    loss = ("n/a" if row.loss_mean is None else
            Estimate(row.loss_mean, row.loss_ci, row.runs - row.diverged).format(1, 3,
                                                                                   show_n=False))
    schedule = "" if row.schedule == "constant" else f", {row.schedule}"
    return [optimizer_name(row.optimizer), preset_name(row.preset), f"{row.lr:g}{schedule}",
            row.accuracy.format(digits=2), loss,
            "n/a" if row.seconds_per_epoch is None else f"{row.seconds_per_epoch:.2f}",
            target, f"{row.diverged}/{row.runs}"]


#: First characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """``value``, with a text cell that a spreadsheet would run as a formula made inert.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``; numbers are kept as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def markdown_cell(text: str) -> str:
    """``text`` safe inside a markdown table cell: ``|`` escaped, line breaks as spaces."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").splitlines())


def render(columns: Sequence[str], body: list[list[str]], fmt: str) -> str:
    """Display rows (already formatted text) as a ``markdown`` or ``html`` table."""
    if fmt == "markdown":
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(markdown_cell(c) for c in cells) + " |" for cells in body]
        return "\n".join(lines) + "\n"
    if fmt == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                      for cells in body)
        return (f'<div class="optguide-scroll" tabindex="0" role="region" aria-label="Results '
                f'table (scrolls sideways)"><table class="optguide-table"><thead><tr>{head}'
                f"</tr></thead><tbody>{trs}</tbody></table></div>\n")
    raise ValueError(f"unknown table format {fmt!r}; choose from markdown, csv, html")


def render_csv(header: Sequence[str], rows: list[list[object]]) -> str:
    """Raw numbers as CSV, with cells a spreadsheet would run as formulas made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_safe(value) for value in row] for row in rows)
    return buffer.getvalue()


def format_table(rows: list[Summary], fmt: str = "markdown", epochs: int | None = None) -> str:
    """Render summary rows as ``markdown``, ``csv`` or ``html``.

    ``epochs`` (the comparison's length) lets "epochs to 97 %" say "> 5" for runs that never
    got there. CSV carries the raw numbers, the other formats rounded text.
    """
    if fmt == "csv":
        fields = list(Summary.__dataclass_fields__)
        return render_csv(fields, [list(asdict(row).values()) for row in rows])
    return render(COLUMNS, [_cells(row, epochs) for row in rows], fmt)


def table(results: Results, fmt: str = "markdown") -> str:
    """The comparison table of ``results`` in format ``fmt``."""
    return format_table(summarize(results), fmt, epochs=results.config.get("epochs"))


TUNED_COLUMNS = ("Optimizer", "Preset", "Chosen learning rate", "Validation accuracy (%)",
                 "Test accuracy (%), mean ± 95 % CI", "Diverged")


def tuned_table(results: Results, fmt: str = "markdown") -> str:
    """One row per tuned optimizer of a study (:func:`optguide.tune.tune`).

    CSV has the raw numbers: ``optimizer``, ``preset``, ``lr`` (the rate chosen on
    validation), ``val_accuracy`` (its mean over the selection seeds), ``accuracy_mean`` and
    ``accuracy_ci`` (test, report seeds; the CI's half-width, empty for one seed), ``n``,
    ``diverged`` and ``at_edge`` (the chosen rate is at an edge of the widened grid).
    """
    from .analysis.headline import tuned_rows
    from .tune import Study

    rows = tuned_rows(results)
    preset = Study.from_dict(results.config).preset
    if fmt == "csv":
        return render_csv(
            ["optimizer", "preset", "lr", "val_accuracy", "accuracy_mean", "accuracy_ci", "n",
             "diverged", "at_edge"],
            [[key, preset, row.lr, row.val_accuracy, row.test.mean,
              "" if row.test.half_width is None else row.test.half_width, row.test.n,
              row.diverged, row.at_edge] for key, row in rows.items()])
    body = [[row.label, preset_name(preset),
             f"{row.lr:g}" + (" (grid edge)" if row.at_edge else ""),
             f"{row.val_accuracy * 100:.2f}", row.test.format(),
             f"{row.diverged}/{row.runs}"] for row in rows.values()]
    return render(TUNED_COLUMNS, body, fmt)


#: Columns of the equal-effort study's table (markdown and html; csv: raw numbers).
STUDY_COLUMNS = ("Protocol", "Optimizer", "Trials", "Chosen", "Validation accuracy (%)",
                 "Test accuracy (%), mean ± 95 % CI")
#: The csv's header: one row per protocol and optimizer.
STUDY_CSV = ("protocol", "optimizer", "trials", "chosen", "val_accuracy", "accuracy_mean",
             "accuracy_ci", "n")


def study_table(results: Results, fmt: str = "markdown") -> str:
    """One row per protocol and optimizer of the equal-effort study (:mod:`optguide.study`).

    CSV: :data:`STUDY_CSV`, ``chosen`` as ``key=value;...`` (the schedule last),
    ``val_accuracy`` the chosen trial's mean over the selection seeds (empty for the
    defaults, where nothing is chosen), ``accuracy_*`` test accuracy on the report seeds.
    """
    from .analysis.study import PROTOCOL_TITLES, table_rows

    rows = table_rows(results)
    if fmt == "csv":
        return render_csv(list(STUDY_CSV), [
            [r["protocol"], r["optimizer"], r["trials"], r["chosen"],
             "" if r["val_accuracy"] is None else r["val_accuracy"], r["accuracy_mean"],
             "" if r["accuracy_ci"] is None else r["accuracy_ci"], r["n"]] for r in rows])
    body = []
    for r in rows:
        ci = r["accuracy_ci"]
        test = f"{r['accuracy_mean'] * 100:.2f}" + (f" ± {ci * 100:.2f}" if ci is not None
                                                    else "") + f" (n = {r['n']})"
        body.append([PROTOCOL_TITLES[r["protocol"]], optimizer_name(r["optimizer"]),
                     str(r["trials"]), r["chosen"].replace(";", "; "),
                     "" if r["val_accuracy"] is None else f"{r['val_accuracy'] * 100:.2f}",
                     test])
    return render(STUDY_COLUMNS, body, fmt)
