"""
The effective learning rate of the adaptive methods
===================================================

**Claim:** Adagrad's learning rate keeps shrinking; Adadelta and RMSprop fix that. Adagrad
divides the learning rate by the root of the *sum* of all squared gradients so far, which
only grows, so its steps shrink like :math:`1/\\sqrt{t}` even when the gradients do not.
RMSprop divides by the root of a decaying *average* instead, and Adadelta also scales the
step by a decaying average of past steps. The first part is a **demonstration**, not a test:
it reads the per-parameter step size each method actually uses from its state, step by step,
on a long stream of noisy gradients, where the algebra already says what must happen. The
**test** is the last part: does the shrinking *hurt*? Adagrad and RMSprop, each at its
learning rate tuned on other noise streams, are compared on the loss late in training.

**Setup.** A quadratic :math:`f(\\theta) = \\frac12 \\sum_i h_i \\theta_i^2` in ten
dimensions, with curvatures :math:`h_i` from 0.1 to 10, starting at :math:`\\theta_i = 1`.
Every step sees the exact gradient plus Gaussian noise of standard deviation 1, like a
minibatch gradient: the stream never runs dry. 5,000 steps (a few seconds; long enough for
a :math:`1/\\sqrt{t}` decay to show clearly on a log scale), every optimizer at PyTorch's
defaults (so the four curves start at different heights; the claim is about their shapes).
Adam is included for comparison.
"""

# %%
# Reading the step size from the optimizer's state
# ------------------------------------------------
# Each method multiplies the gradient (Adam: the averaged gradient) by a per-parameter factor
# built from its state, :attr:`torch.optim.Optimizer.state`. That factor is the *effective
# learning rate*:
#
# * Adagrad: :math:`\eta / (\sqrt{s_t} + \epsilon)` with :math:`s_t` the running sum
#   (``"sum"``);
# * RMSprop: :math:`\eta / (\sqrt{v_t} + \epsilon)` with :math:`v_t` the decaying average
#   (``"square_avg"``);
# * Adadelta: :math:`\eta \sqrt{u_{t-1} + \epsilon} / \sqrt{v_t + \epsilon}` with the
#   averages of squared steps (``"acc_delta"``) and squared gradients (``"square_avg"``);
# * Adam: :math:`\eta / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)` (``"exp_avg_sq"``).
#
# :func:`optguide.behaviour.effective_learning_rate` reads this factor (for Adadelta it uses
# :math:`u_t`, the average after the step: the factor of the *next* step), and
# :func:`optguide.behaviour.effective_steps` records it along the stream below; the guide
# pages draw the same measurement.
import matplotlib.pyplot as plt
import numpy as np
import torch

from optguide.analysis.names import OPTIMIZER_NAMES
from optguide.analysis.scoring import best_of
from optguide.behaviour import effective_steps, noisy_quadratic
from optguide.claims.synthetic import shrinking_hurts, shrinking_learning_rate
from optguide.optimizers import build_stacked
from optguide.plots import COLORS
from optguide.trajectories import single_thread

DIMENSIONS, STEPS, NOISE, SEED = 10, 5000, 1.0, 0
EARLY = 100  # compare with this step: after RMSprop's and Adam's averages have warmed up
METHODS = ["adagrad", "rmsprop", "adadelta", "adam"]


# %%
# The stream
# ----------
# The same noise for every method. The effective learning rate and the loss (the noise-free
# :math:`f`) are recorded at 120 steps spaced evenly on a log scale.
curvature = noisy_quadratic(DIMENSIONS, STEPS, NOISE, SEED)[0]  # the late-loss test below
recorded = np.unique(np.r_[np.geomspace(1, STEPS, 120).astype(int), EARLY])  # 1-based steps

effective, loss = {}, {}
for name in METHODS:
    stream = effective_steps(name, STEPS, recorded, dimensions=DIMENSIONS, noise=NOISE,
                             seed=SEED)
    effective[name], loss[name] = stream.rates, stream.loss


def geometric_mean(rates):
    """Geometric mean over the coordinates: ``[recorded steps]``."""
    return np.exp(np.log(rates).mean(axis=1))


early = int(np.flatnonzero(recorded == EARLY)[0])
ratio = {OPTIMIZER_NAMES[name]: float(geometric_mean(effective[name])[-1]
                                      / geometric_mean(effective[name])[early])
         for name in METHODS}
for name in METHODS:
    mean = geometric_mean(effective[name])
    print(f"{OPTIMIZER_NAMES[name]:9s} effective lr at step {recorded[early]}: {mean[early]:.3g}, "
          f"at step {STEPS}: {mean[-1]:.3g} (x {ratio[OPTIMIZER_NAMES[name]]:.2g})")

# %%
# The effective learning rates
# ----------------------------
# Left: the effective learning rate, geometric mean over the ten coordinates (the band spans
# the smallest and the largest coordinate). Right: the same divided by its value at step
# 100, with the slope :math:`t^{-1/2}` for reference. A flat line is a step size that holds.
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
for name in METHODS:
    mean = geometric_mean(effective[name])
    left.loglog(recorded, mean, color=COLORS[name], label=OPTIMIZER_NAMES[name])
    left.fill_between(recorded, effective[name].min(1), effective[name].max(1),
                      color=COLORS[name], alpha=0.15, linewidth=0)
    right.loglog(recorded, mean / mean[early], color=COLORS[name], label=OPTIMIZER_NAMES[name])
reference = np.sqrt(recorded[early] / recorded)
right.loglog(recorded, reference, ":", color="black", label=r"$\propto t^{-1/2}$")
right.axvline(recorded[early], color="0.5", linewidth=0.8)
left.set_ylabel("effective learning rate")
left.set_title("Effective learning rate (PyTorch defaults)")
right.set_ylabel(f"relative to step {recorded[early]}")
right.set_title("Shape: does the step size hold?")
for ax in (left, right):
    ax.set_xlabel("step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
plt.show()

# %%
# The gradients Adagrad sums never stop coming, so its sum grows like :math:`t` and its line
# should follow :math:`t^{-1/2}`; a decaying average should let the lines of RMSprop,
# Adadelta and Adam level off once it has warmed up. The demonstration at the end of this
# part measures which lines actually fell.
#
# Is shrinking bad?
# -----------------
# It has a purpose. With noisy gradients a fixed step size can only get so close to the
# minimum: the noise keeps kicking the parameters around, and the loss levels off at a
# "noise floor" and jitters there. A step size that shrinks over time keeps making progress
# through the noise (the reason stochastic approximation uses shrinking steps,
# :ref:`Robbins & Monro 1951 <ref-robbins1951>`); the possible price is speed, with steps
# already small when large ones would still help. The figure shows where each method's loss
# ends up.
final = {name: float(np.mean(loss[name][-10:])) for name in METHODS}
for name in sorted(METHODS, key=final.get):
    print(f"{OPTIMIZER_NAMES[name]:9s} loss over the last recorded steps: {final[name]:.3g}")

fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for name in METHODS:
    ax.loglog(recorded, loss[name], color=COLORS[name], label=OPTIMIZER_NAMES[name])
ax.set_xlabel("step")
ax.set_ylabel(r"loss $f(\theta)$ (without noise)")
ax.set_title("Loss along the noisy stream")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize="small")
plt.show()

# %%
# What the demonstration shows
# ----------------------------
# A method's step size "shrinks" if it fell below half its value at step 100 by the end
# (at PyTorch's defaults; this follows from the update rules, so it is shown, not tested).
shown = shrinking_learning_rate(ratio, early_step=int(recorded[early]), late_step=STEPS)
print(f"Demonstration ({shown.outcome}): {shown.text}")

# %%
# The test: does the shrinking hurt?
# ----------------------------------
# Adagrad against RMSprop, the fix the claim names, on the same quadratic with two noise
# levels.
# Each method's learning rate is tuned on a grid (half-decade steps, :math:`10^{-4}` to
# :math:`10^{0.5}`) by the mean loss over the last 10 % of the steps on two selection noise
# streams; the chosen rates then run on five other streams, and the same late loss is
# compared seed by seed. All runs of one method train together as one tensor.

TUNE_RATES = np.logspace(-4, 0.5, 10)
SELECT, REPORT = (0, 1), (10, 11, 12, 13, 14)
LATE = STEPS // 10
NOISE_LEVELS = {"low noise (std 0.1)": 0.1, "high noise (std 1)": 1.0}


def late_losses(name, rates, seeds, noise_std):
    """Mean loss over the last ``LATE`` steps, ``[rates, seeds]``, from stacked runs."""
    runs = [(lr, seed) for lr in rates for seed in seeds]
    theta = torch.ones(len(runs), DIMENSIONS, dtype=torch.float64, requires_grad=True)
    optimizer = build_stacked(name, theta, [{"lr": float(lr)} for lr, _ in runs])
    streams = torch.stack([noise_std * torch.randn(STEPS, DIMENSIONS, dtype=torch.float64,
                                                   generator=torch.Generator().manual_seed(s))
                           for _, s in runs], dim=1)  # [STEPS, runs, DIMENSIONS]
    total = torch.zeros(len(runs), dtype=torch.float64)
    for step in range(STEPS):
        theta.grad = curvature * theta.detach() + streams[step]
        optimizer.step()
        if step >= STEPS - LATE:
            total += (curvature * theta.detach() ** 2).sum(1) / 2
    values = torch.nan_to_num(total / LATE, nan=float("inf")).numpy()
    return values.reshape(len(rates), len(seeds))


late = {}
with single_thread():
    for condition, noise_std in NOISE_LEVELS.items():
        late[condition] = {}
        for name in ("adagrad", "rmsprop"):
            selection = late_losses(name, TUNE_RATES, SELECT, noise_std).mean(1)
            best = float(TUNE_RATES[best_of(dict(enumerate(selection.tolist())),
                                            higher_better=False)])
            report = late_losses(name, [best], REPORT, noise_std)[0]
            late[condition][OPTIMIZER_NAMES[name]] = dict(zip(REPORT, report.tolist()))
            edge = " (edge of the grid)" if best in (TUNE_RATES[0], TUNE_RATES[-1]) else ""
            print(f"{condition}, {OPTIMIZER_NAMES[name]}: tuned lr {best:.3g}{edge}, late loss "
                  f"{report.mean():.4g} (mean of {len(REPORT)} streams)")

# %%
# Verdict
# -------
# The shrinking hurts when tuned Adagrad's late loss is reliably higher than tuned RMSprop's
# (paired 95 % interval over the report streams).
verdict = shrinking_hurts(late)
print(verdict.line())
print(verdict.flip)
