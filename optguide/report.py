"""Summary statistics of results and the tables that show them."""

from __future__ import annotations

import csv
import html
import io
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .results import Results, Run

#: The accuracy the "epochs to target" column counts to (the article's 97 %).
TARGET_ACCURACY = 0.97


@dataclass(frozen=True)
class Summary:
    """One row of the comparison table: an optimizer under a preset (and learning rate)."""

    optimizer: str
    preset: str
    lr: float
    runs: int
    diverged: int
    accuracy_mean: float | None
    accuracy_std: float | None
    loss_mean: float | None
    loss_std: float | None
    seconds_per_epoch: float | None
    epochs_to_target: float | None
    reached_target: int


def _mean_std(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def epochs_to(run: Run, accuracy: float = TARGET_ACCURACY) -> int | None:
    """First epoch at which ``run`` reaches ``accuracy`` on the test set (``None``: never)."""
    return next((e["epoch"] for e in run.history if e["test_accuracy"] >= accuracy), None)


def seconds_to(run: Run, accuracy: float = TARGET_ACCURACY) -> float | None:
    """Training seconds until ``run`` first reaches ``accuracy`` (``None``: never)."""
    elapsed = 0.0
    for entry in run.history:
        elapsed += entry["seconds"]
        if entry["test_accuracy"] >= accuracy:
            return elapsed
    return None


def summarize(results: Results, target: float = TARGET_ACCURACY) -> list[Summary]:
    """Mean and standard deviation over seeds for every (optimizer, preset, learning rate).

    Final accuracy and loss are averaged over the runs that did not diverge; "epochs to
    target" over the runs that reached ``target``.
    """
    keys: list[tuple[str, str, float]] = []
    for run in results.runs:
        key = (run.optimizer, run.preset, run.lr)
        if key not in keys:
            keys.append(key)
    rows = []
    for optimizer, preset, lr in keys:
        runs = [r for r in results.runs if (r.optimizer, r.preset, r.lr) == (optimizer, preset, lr)]
        finished = [r for r in runs if r.status == "ok" and r.history]
        accuracy = _mean_std([r.final["test_accuracy"] for r in finished])
        loss = _mean_std([r.final["test_loss"] for r in finished])
        seconds = [e["seconds"] for r in finished for e in r.history]
        reached = [epochs for r in finished if (epochs := epochs_to(r, target)) is not None]
        rows.append(Summary(optimizer, preset, lr, len(runs), len(runs) - len(finished),
                            *accuracy, *loss, statistics.fmean(seconds) if seconds else None,
                            statistics.fmean(reached) if reached else None, len(reached)))
    return rows


def best(rows: Iterable[Summary]) -> Summary:
    """The row with the highest mean final accuracy."""
    return max((r for r in rows if r.accuracy_mean is not None), key=lambda r: r.accuracy_mean)


COLUMNS = ("Optimizer", "Preset", "Learning rate", "Test accuracy (%)", "Test loss",
           "Seconds / epoch", "Epochs to 97 %", "Diverged")


def _cells(row: Summary, epochs: int | None) -> list[str]:
    def pm(mean: float | None, std: float | None, scale: float, digits: int) -> str:
        if mean is None:
            return "n/a"
        return f"{mean * scale:.{digits}f} ± {std * scale:.{digits}f}"

    if row.epochs_to_target is None:
        target = f"> {epochs}" if epochs else "never"
    else:
        target = f"{row.epochs_to_target:.1f}"
        if row.reached_target < row.runs - row.diverged:
            target += f" ({row.reached_target}/{row.runs - row.diverged} runs)"
    return [row.optimizer, row.preset, f"{row.lr:g}",
            pm(row.accuracy_mean, row.accuracy_std, 100, 2),
            pm(row.loss_mean, row.loss_std, 1, 3),
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


def format_table(rows: list[Summary], fmt: str = "markdown", epochs: int | None = None) -> str:
    """Render summary rows as ``markdown``, ``csv`` or ``html``.

    ``epochs`` (the comparison's length) lets "epochs to 97 %" say "> 5" for runs that never
    got there. CSV carries the raw numbers, the other formats rounded text.
    """
    if fmt == "csv":
        buffer = io.StringIO()
        fields = list(asdict(rows[0])) if rows else list(Summary.__dataclass_fields__)
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_safe(value) for key, value in asdict(row).items()}
                         for row in rows)
        return buffer.getvalue()
    body = [_cells(row, epochs) for row in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
        lines += ["| " + " | ".join(markdown_cell(c) for c in cells) + " |" for cells in body]
        return "\n".join(lines) + "\n"
    if fmt == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                      for cells in body)
        return (f'<table class="optguide-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{trs}</tbody></table>\n")
    raise ValueError(f"unknown table format {fmt!r}; choose from markdown, csv, html")


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
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["optimizer", "preset", "lr", "val_accuracy", "accuracy_mean",
                         "accuracy_ci", "n", "diverged", "at_edge"])
        for key, row in rows.items():
            writer.writerow([key, preset, repr(row.lr), row.val_accuracy, row.test.mean,
                             "" if row.test.half_width is None else row.test.half_width,
                             row.test.n, row.diverged, row.at_edge])
        return buffer.getvalue()
    from .analysis.names import preset_name

    body = [[row.label, preset_name(preset),
             f"{row.lr:g}" + (" (grid edge)" if row.at_edge else ""),
             f"{row.val_accuracy * 100:.2f}", row.test.format(),
             f"{row.diverged}/{row.runs}"] for row in rows.values()]
    if fmt == "markdown":
        lines = ["| " + " | ".join(TUNED_COLUMNS) + " |",
                 "|" + "|".join("---" for _ in TUNED_COLUMNS) + "|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines) + "\n"
    if fmt == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in TUNED_COLUMNS)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                      for cells in body)
        return (f'<table class="optguide-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{trs}</tbody></table>\n")
    raise ValueError(f"unknown table format {fmt!r}; choose from markdown, csv, html")
