"""
Paths on two-dimensional test functions
=======================================

**Claim:** momentum and the adaptive methods (Adagrad, Adadelta, RMSprop, Adam) follow a
narrow valley to its minimum better than plain SGD, which bounces between the valley's walls
and crawls along its floor. We let the five optimizers, plus SGD with momentum and with
Nesterov momentum, walk down three classic surfaces and measure how far from the minimum each
one ends after the same number of steps.

**Start points.** One run from one start would show one path, not how a method behaves:
every surface gets twelve start points drawn uniformly within 5 % of the plotted window's
width and height around the surface's classic start (a fixed random seed, the same points for
every method). Two of them *select* each method's learning rate; the other ten *report* the
distances the verdict compares, start by start. The classic start itself is the one drawn in
the pictures.

**Learning rates.** To keep the comparison fair, every method gets its own learning rate on
every surface: the best of a grid of twelve rates from :math:`10^{-4}` to about 30 (half a
decade apart), judged on the two selection starts by the mean :math:`\\log_{10}` distance to
the minimum after the fixed number of steps, among the rates whose paths from those starts
stay inside the plotted window (a rate that flings the point far away and happens to land
near the minimum would not be "following the valley"). All other hyperparameters are
PyTorch's defaults; the SGD variants use momentum 0.9. Every run has 300 steps: enough to
separate the methods, few enough that the whole sweep takes seconds (all rates and start
points of one method run together, as rows of one tensor).
"""

# %%
# The surfaces
# ------------
# *Rosenbrock's* banana-shaped valley is easy to find and hard to follow; *Beale's* function
# has flat plateaus and steep walls; the *ill-conditioned quadratic* is a bowl fifty times
# more curved across than along, rotated by 30 degrees so that its axes are not the coordinate
# axes (an axis-aligned bowl would be a gift to the methods that scale each coordinate on its
# own).
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from optguide.analysis.names import OPTIMIZER_NAMES
from optguide.analysis.stats import mean_ci
from optguide.claims.synthetic import valley_following
from optguide.plots import COLORS
from optguide.surfaces import beale, ill_conditioned_quadratic, rosenbrock
from optguide.trajectories import best_learning_rate, final_distance, log_distance

STEPS = 300
LEARNING_RATES = np.logspace(-4, 1.5, 12)
METHODS = ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"]
SELECT, REPORT = 2, 10  # start points that choose the rates, and those that report
JITTER = 0.05  # half-width of the start box, as a fraction of the window's width and height

surfaces = {"Rosenbrock": rosenbrock(), "Beale": beale(),
            "quadratic": ill_conditioned_quadratic(condition=50, angle=math.radians(30))}
for surface in surfaces.values():
    (x0, y0), (xm, ym) = surface.start, surface.minima[0]
    print(f"{surface.name}: f = {surface.formula.strip('$')}\n"
          f"    start ({x0:.2f}, {y0:.2f}), minimum ({xm:g}, {ym:g})")


def jittered_starts(surface, count, rng):
    """``count`` start points uniform in a box around ``surface.start`` inside its window."""
    span = np.array([np.ptp(surface.x_range), np.ptp(surface.y_range)])
    points = np.asarray(surface.start) + rng.uniform(-JITTER, JITTER, (count, 2)) * span
    low, high = np.array([surface.x_range[0], surface.y_range[0]]), np.array(
        [surface.x_range[1], surface.y_range[1]])
    assert ((points > low) & (points < high)).all(), "a start point outside the window"
    return points


rng = np.random.default_rng(0)
starts = {short: jittered_starts(surface, SELECT + REPORT, rng)
          for short, surface in surfaces.items()}

# %%
# Tune, then run
# --------------
# For each surface and method, :func:`~optguide.trajectories.best_learning_rate` runs all twelve
# rates for the same number of steps from every start point and keeps the rate that scores
# best on the two selection starts; the classic start and the ten report starts run alongside
# (held out: they do not influence the choice), so one call yields the reported runs at the
# chosen rate. These are the rates it picked:
learning_rate = {}
paths = {}
distances = {short: {} for short in surfaces}
for short, surface in surfaces.items():
    select, report = starts[short][:SELECT], starts[short][SELECT:]
    for method in METHODS:
        lr, runs = best_learning_rate(method, surface, LEARNING_RATES, STEPS,
                                      stay_in_window=True,
                                      starts=[*select, surface.start, *report],
                                      held_out=1 + REPORT)
        learning_rate[short, method] = lr
        paths[short, method] = runs[SELECT]  # from the classic start, for the pictures
        distances[short][OPTIMIZER_NAMES[method]] = {
            r: final_distance(run, surface) for r, run in enumerate(runs[SELECT + 1:])}

print(f"{'learning rate':16s}" + "".join(f"{short:>12s}" for short in surfaces))
for method in METHODS:
    print(f"{OPTIMIZER_NAMES[method]:16s}"
          + "".join(f"{learning_rate[short, method]:12.3g}" for short in surfaces))

# %%
# The paths
# ---------
# Top row: plain SGD and its two momentum variants; bottom row: the adaptive methods, with
# SGD's path repeated (dotted) for reference. Contour lines are spaced evenly on a log scale of
# :math:`f - f_\min`, so the floor of each valley stays visible. The white circle is the
# classic start, the star the minimum; the small black dots (hollow: selection, filled:
# report) are the jittered starts the numbers come from.
FAMILIES = {"SGD and momentum": ["sgd", "momentum", "nesterov"],
            "adaptive methods": ["adagrad", "adadelta", "rmsprop", "adam"]}


def draw_surface(ax, surface, levels=15):
    """Contours, start and minimum of ``surface`` on ``ax``."""
    X, Y, Z = surface.grid(200)
    ax.contour(X, Y, Z, levels=surface.levels(levels), colors="0.72", linewidths=0.6)
    ax.plot(*surface.start, "o", color="white", markeredgecolor="black", markersize=8, zorder=5)
    for minimum in surface.minima:
        ax.plot(*minimum, "*", color="gold", markeredgecolor="black", markersize=15, zorder=5)
    ax.set_xlim(surface.x_range)
    ax.set_ylim(surface.y_range)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")


fig, axes = plt.subplots(2, 3, figsize=(13, 8.4), layout="constrained")
for row, (family, methods) in zip(axes, FAMILIES.items()):
    for ax, (short, surface) in zip(row, surfaces.items()):
        draw_surface(ax, surface)
        ax.plot(*starts[short][:SELECT].T, "o", color="black", fillstyle="none", markersize=3)
        ax.plot(*starts[short][SELECT:].T, "o", color="black", markersize=2)
        if "sgd" not in methods:
            ax.plot(*paths[short, "sgd"].T, ":", color=COLORS["sgd"], linewidth=1.4,
                    label=OPTIMIZER_NAMES["sgd"] + " (reference)")
        for method in methods:
            ax.plot(*paths[short, method].T, color=COLORS[method], linewidth=1.6, alpha=0.9,
                    label=OPTIMIZER_NAMES[method])
        ax.set_title(f"{short}: {family}")
    row[0].legend(loc="upper right", fontsize="small", framealpha=0.9)
fig.suptitle(f"{STEPS} steps from the classic start (white circle), each method at its tuned "
             "learning rate")
plt.show()

# %%
# What to look for: on Rosenbrock, whether a method stops on the valley floor short of the
# minimum or runs along the floor to it; for the per-coordinate methods, whether their nearly
# sign-sized steps hop across the valley at a rate large enough to make progress. On the
# rotated bowl the steep direction mixes both coordinates, so scaling each coordinate
# separately cannot undo the bad conditioning by itself. The distances below measure how
# close each method got.
#
# How close each method got
# -------------------------
# Top: the distance from the last point to the minimum, on a log scale (smaller is better):
# the geometric mean over the ten report starts, with the 95 % interval of the mean of
# :math:`\log_{10}` distance (distances below :math:`10^{-12}` count as :math:`10^{-12}`).
# Bottom: what the verdict compares, each method's :math:`\log_{10}` distance minus SGD's
# from the same start, mean and paired 95 % interval over the ten starts, in decades (below
# zero: closer than SGD).
verdict = valley_following(distances, STEPS, baseline=OPTIMIZER_NAMES["sgd"])
differences = verdict.numbers["differences"]
others = [m for m in METHODS if m != "sgd"]

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), layout="constrained", sharex=True)
width = 0.8 / len(METHODS)
for i, method in enumerate(METHODS):
    x = np.arange(len(surfaces)) + (i - (len(METHODS) - 1) / 2) * width
    for j, short in enumerate(surfaces):
        logs = [log_distance(d) for d in distances[short][OPTIMIZER_NAMES[method]].values()]
        if not np.isfinite(logs).all():  # a diverged run: no mean to draw
            top.annotate("diverged", (x[j], 1), rotation=90, ha="center", va="bottom",
                         fontsize="x-small", color=COLORS[method])
            continue
        estimate = mean_ci(logs)
        top.bar(x[j], 10 ** estimate.mean, width, color=COLORS[method],
                label=OPTIMIZER_NAMES[method] if j == 0 else None)
        top.errorbar(x[j], 10 ** estimate.mean, fmt="none", ecolor="black", capsize=2,
                     yerr=[[10 ** estimate.mean - 10 ** estimate.low],
                           [10 ** estimate.high - 10 ** estimate.mean]])
    if method != "sgd":
        mean, low, high, _ = zip(*(differences[f"{OPTIMIZER_NAMES[method]} | {short}"]
                                   for short in surfaces))
        bottom.errorbar(x, mean, yerr=[np.subtract(mean, low), np.subtract(high, mean)],
                        fmt="o", color=COLORS[method], capsize=3, label=OPTIMIZER_NAMES[method])
top.set_yscale("log")
top.set_ylabel(f"distance to the minimum\nafter {STEPS} steps")
top.set_title(f"Final distance to the minimum, geometric mean of {REPORT} starts")
top.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
top.grid(axis="y", alpha=0.3)
bottom.axhline(0, color="black", linewidth=1)
bottom.set_xticks(np.arange(len(surfaces)), list(surfaces))
bottom.set_ylabel("log10 distance minus SGD's\n(decades; below 0: closer)")
bottom.set_title("Paired difference with SGD, 95 % intervals over the report starts")
bottom.grid(axis="y", alpha=0.3)
plt.show()

for short in surfaces:
    print(f"{short}: " + "; ".join(
        f"{OPTIMIZER_NAMES[m]} {differences[f'{OPTIMIZER_NAMES[m]} | {short}'][0]:+.2f} "
        f"[{differences[f'{OPTIMIZER_NAMES[m]} | {short}'][1]:+.2f}, "
        f"{differences[f'{OPTIMIZER_NAMES[m]} | {short}'][2]:+.2f}]" for m in others)
          + " decades against SGD")

# %%
# Watch them move
# ---------------
# The same paths on Rosenbrock's valley, one frame every few steps, in the colors used above.
# (Frames are stored as JPEG images to keep this page light.)
plt.rcParams["animation.frame_format"] = "jpeg"
FRAMES = 30
stride = STEPS // FRAMES
surface = surfaces["Rosenbrock"]
fig, ax = plt.subplots(figsize=(6.4, 3.9), dpi=72, layout="constrained")
draw_surface(ax, surface)
lines = {m: ax.plot([], [], color=COLORS[m], linewidth=1.5, label=OPTIMIZER_NAMES[m])[0]
         for m in METHODS}
heads = {m: ax.plot([], [], "o", color=COLORS[m], markersize=4)[0] for m in METHODS}
title = ax.set_title("")


def show_step(frame):
    """Draw every path up to step ``(frame + 1) * stride``."""
    step = (frame + 1) * stride
    for method in METHODS:
        path = paths["Rosenbrock", method][: step + 1]
        lines[method].set_data(*path.T)
        heads[method].set_data(path[-1:, 0], path[-1:, 1])
    title.set_text(f"Rosenbrock, step {step}")
    return [*lines.values(), *heads.values(), title]


fig.legend(loc="outside right upper", fontsize="small")
show_step(0)
fig.canvas.draw()  # lay the figure out once, then keep that layout for every frame
fig.set_layout_engine("none")
animation = FuncAnimation(fig, show_step, frames=FRAMES, interval=150)

# %%
# Verdict
# -------
# A method "follows the valley better" on a surface if its paired interval above lies wholly
# below zero (closer than SGD from the same starts); "farther" if it lies wholly above zero.
# The claim is confirmed if every method is closer on every surface, refuted if no method is
# closer on most surfaces and most pairs are farther, and depends if some pairs are closer and
# others farther; otherwise the intervals cannot tell (inconclusive).
print(verdict.line())
print(verdict.flip)
