"""
Adagrad and rare features
=========================

**Claim:** Adagrad suits sparse data (the case made for it by
:ref:`Duchi, Hazan & Singer 2011 <ref-duchi2011>`). It divides each weight's step by the root
of the sum of that weight's squared gradients, so a feature that is rarely active, and
therefore rarely gets a gradient, keeps a large step, while the steps of frequently active
features shrink. Plain SGD gives every weight the same learning rate. We train a logistic
regression on data whose label is decided by a few rare features and compare what each
optimizer learns.

**Setup.** 100 binary features: 90 *frequent* ones, each active in 30 % of the examples and
unrelated to the label, and 10 *rare* ones, each active in 1.5 % of the examples, that decide
the label: an example with an active rare feature is almost always positive, one without is
almost always negative (think of rare words that flag a document). 1,000 training examples,
2,000 for validation and 4,000 for testing; minibatches of 32 for 20 epochs. With so few
occurrences per rare feature, one draw of the data is a noisy experiment, so we draw five
independent data sets and average. Each optimizer gets the learning rate of a grid of
eleven, from :math:`10^{-3}` to 100 (half a decade apart), with the lowest validation loss
averaged over the data sets; everything else is PyTorch's defaults. The data are small and
training is short (20 epochs) so that all 275 runs (five optimizers, five data sets, eleven
rates) train quickly: the runs of one optimizer train together, as one tensor of weights.
The last section repeats the experiment in a genuinely sparse regime (2,000 features, under
1 % active per example).
"""

# %%
# The data
# --------
# The true model is logistic, :math:`p(y = 1 \mid x) = \sigma(w^\ast \cdot x + b^\ast)`, with
# weight 0 on every frequent feature. About one example in seven has an active rare feature,
# and each rare feature appears in only about fifteen training examples. A constant feature
# 1 is appended to every example, so the last weight is the bias.
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from optguide.analysis.names import OPTIMIZER_NAMES
from optguide.analysis.scoring import best_of
from optguide.claims.synthetic import sparse_features_in_regimes
from optguide.optimizers import build_stacked
from optguide.plots import COLORS, legend_below
from optguide.trajectories import single_thread

FREQUENT, RARE = 90, 10
P_FREQUENT, P_RARE = 0.3, 0.015
RARE_WEIGHT, BIAS = 6.0, -3.0
N_TRAIN, N_VAL, N_TEST = 1000, 2000, 4000
DATASETS = 5
EPOCHS, BATCH = 20, 32
LEARNING_RATES = np.logspace(-3, 2, 11)
OPTIMIZERS = ["sgd", "adagrad", "adadelta", "rmsprop", "adam"]
RARE_COLUMNS = slice(FREQUENT, FREQUENT + RARE)
#: The genuinely sparse regime of the last section: (frequent, rare, p_frequent, p_rare).
SPARSE = (1950, 50, 0.003, 0.006)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def make_data(rng, n, frequent=FREQUENT, rare=RARE, p_frequent=P_FREQUENT, p_rare=P_RARE):
    """``n`` examples (features, then the constant 1) and their labels ``[n]``."""
    weights = np.concatenate([np.zeros(frequent), np.full(rare, RARE_WEIGHT)])
    x = np.concatenate([rng.random((n, frequent)) < p_frequent,
                        rng.random((n, rare)) < p_rare, np.ones((n, 1))], axis=1).astype(float)
    y = (rng.random(n) < sigmoid(x[:, :-1] @ weights + BIAS)).astype(float)
    return x, y


def data_sets(regime=(FREQUENT, RARE, P_FREQUENT, P_RARE)):
    """Training, validation and test sets of every data set, stacked: ``[DATASETS, n, d]``."""
    generators = [np.random.default_rng(seed) for seed in range(DATASETS)]
    out = []
    for n in (N_TRAIN, N_VAL, N_TEST):
        xs, ys = zip(*(make_data(rng, n, *regime) for rng in generators))
        out.append((torch.tensor(np.stack(xs)), torch.tensor(np.stack(ys))))
    return out


(x_train, y_train), (x_val, y_val), (x_test, y_test) = data_sets()
rare_test = x_test[:, :, RARE_COLUMNS].sum(-1) > 0  # [DATASETS, N_TEST]
print(f"p(y = 1) without a rare feature: {sigmoid(BIAS):.3f}, "
      f"with one: {sigmoid(BIAS + RARE_WEIGHT):.3f}")
print(f"occurrences of each rare feature in the first training set: "
      f"{x_train[0, :, RARE_COLUMNS].sum(0).int().tolist()}")
print(f"test examples with a rare feature: {rare_test.sum(1).tolist()} of {N_TEST}")

# %%
# Training
# --------
# ``weights[d, r]`` is the model trained on data set ``d`` with learning rate ``r``; one
# optimizer updates them all (:func:`~optguide.optimizers.build_stacked` with the runs along
# dimension 1: the learning rate becomes a column ``[rates, 1]`` that broadcasts over data
# sets and features; the update functions of :mod:`optguide.optimizers` accept tensors of
# hyperparameters). Every epoch visits the examples in one shuffled order.


def losses(weights, x, y):
    """Mean cross-entropy ``[DATASETS, rates]`` of every model on its data set's ``(x, y)``."""
    logits = x @ weights.transpose(1, 2)  # [DATASETS, n, rates]
    return F.binary_cross_entropy_with_logits(logits, y[..., None].expand_as(logits),
                                              reduction="none").mean(1)


def rare_accuracy(weights, x, y, rare):
    """Test accuracy ``[DATASETS, rates]`` on the examples with an active rare feature."""
    correct = ((x @ weights.transpose(1, 2) > 0) == y[..., None].bool()).double()
    return (correct * rare[..., None]).sum(1) / rare.sum(1)[:, None]


def train(name, sets, rare):
    """Train every data set and learning rate with optimizer ``name`` on ``sets``."""
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = sets
    weights = torch.zeros(DATASETS, len(LEARNING_RATES), x_tr.shape[-1],
                          dtype=torch.float64, requires_grad=True)
    optimizer = build_stacked(name, weights, [{"lr": float(lr)} for lr in LEARNING_RATES], dim=1)
    generator = torch.Generator().manual_seed(0)
    history = {"val_loss": [], "test_loss": [], "rare_accuracy": []}
    for epoch in range(EPOCHS + 1):
        with torch.no_grad():
            history["val_loss"].append(losses(weights, x_va, y_va).numpy())
            history["test_loss"].append(losses(weights, x_te, y_te).numpy())
            history["rare_accuracy"].append(rare_accuracy(weights, x_te, y_te, rare).numpy())
        if epoch == EPOCHS:
            break
        for batch in torch.randperm(N_TRAIN, generator=generator).split(BATCH):
            optimizer.zero_grad()
            losses(weights, x_tr[:, batch], y_tr[:, batch]).sum().backward()
            optimizer.step()
    return weights.detach().numpy(), {k: np.array(v) for k, v in history.items()}


def chosen_rates(history):
    """Index of the rate with the lowest final validation loss over data sets (NaN: diverged;
    a tie goes to the first rate)."""
    chosen = {}
    for name, h in history.items():
        losses = np.nan_to_num(h["val_loss"][-1], nan=np.inf).mean(0)  # one per rate
        chosen[name] = best_of(dict(enumerate(losses.tolist())), higher_better=False)
    return chosen


sets = [(x_train, y_train), (x_val, y_val), (x_test, y_test)]
with single_thread():  # tiny tensors: extra threads only add overhead
    runs = {name: train(name, sets, rare_test) for name in OPTIMIZERS}
history = {name: run[1] for name, run in runs.items()}  # [epoch, data set, rate]
chosen = chosen_rates(history)
learned = {name: runs[name][0][:, chosen[name]] for name in OPTIMIZERS}  # [data set, 101]

print(f"{'':9s} {'lr':>7s} {'val loss':>9s} {'test loss':>9s}  rare-feature accuracy")
for name in OPTIMIZERS:
    h, r = history[name], chosen[name]
    per_set = " ".join(f"{100 * a:.0f}" for a in h["rare_accuracy"][-1, :, r])
    print(f"{OPTIMIZER_NAMES[name]:9s} {LEARNING_RATES[r]:7.3g} "
          f"{h['val_loss'][-1, :, r].mean():9.3f} "
          f"{h['test_loss'][-1, :, r].mean():9.3f}  "
          f"{100 * h['rare_accuracy'][-1, :, r].mean():5.1f} % (per data set: {per_set})")

# %%
# Choosing the learning rate
# --------------------------
# Left: the validation loss after training, for every rate of the grid (mean of the data
# sets; the chosen rate circled; missing points diverged or lie above the plot). Right: what
# each of those runs learned about the rare features, measured as test accuracy on the
# examples that carry one.
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
for name in OPTIMIZERS:
    h, r = history[name], chosen[name]
    circle = dict(marker="o", markersize=12, markerfacecolor="none",
                  markeredgecolor=COLORS[name], markeredgewidth=2)
    for ax, values in ((left, h["val_loss"][-1].mean(0)),
                       (right, 100 * h["rare_accuracy"][-1].mean(0))):
        ax.semilogx(LEARNING_RATES, values, "o-", color=COLORS[name], markersize=4,
                    label=OPTIMIZER_NAMES[name])
        ax.plot(LEARNING_RATES[r], values[r], **circle)
low = min(np.nanmin(h["val_loss"][-1].mean(0)) for h in history.values())
left.set_ylim(low - 0.02, 0.7)
left.set_ylabel("validation loss after training")
left.set_title("Tuning: validation loss (lower is better)")
right.set_ylabel("test accuracy on rare-feature examples (%)")
right.set_title("What each rate learned about the rare features")
for ax in (left, right):
    ax.set_xlabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
plt.show()

# %%
# Read the right panel for the rates at which each method learns the rare features, and the
# left one for whether those rates are also stable for the frequent weights: a method that
# learns the rare features only at its largest stable rates may pay with large, noisy steps
# on the frequent ones.
#
# Training at the chosen rates
# ----------------------------
# Test loss, and test accuracy on the examples with a rare feature, after every epoch: the
# line is the mean over the data sets, the band spans the lowest and the highest.
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
epochs = np.arange(EPOCHS + 1)
for name in OPTIMIZERS:
    h, r = history[name], chosen[name]
    label = f"{OPTIMIZER_NAMES[name]}, lr={LEARNING_RATES[r]:.3g}"
    for ax, values in ((left, h["test_loss"][:, :, r]),
                       (right, 100 * h["rare_accuracy"][:, :, r])):
        ax.plot(epochs, values.mean(1), color=COLORS[name], label=label)
        ax.fill_between(epochs, values.min(1), values.max(1), color=COLORS[name], alpha=0.1,
                        linewidth=0)
left.set_ylabel("test loss")
left.set_title("Test loss")
right.set_ylabel("test accuracy on rare-feature examples (%)")
right.set_title("Learning the rare features")
for ax in (left, right):
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
plt.show()

# %%
# The learned weights
# -------------------
# Solid bars: the mean learned weight of the ten rare features (black ticks: the mean of each
# data set), to compare with the true weight (dashed). Hatched bars: the mean absolute weight
# of the ninety frequent features, whose true weight is 0: noise the model picked up.
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
for i, name in enumerate(OPTIMIZERS):
    rare = learned[name][:, RARE_COLUMNS].mean(1)
    frequent = np.abs(learned[name][:, :FREQUENT]).mean()
    ax.bar(i - 0.2, rare.mean(), 0.4, color=COLORS[name],
           label="rare features: mean weight" if i == 0 else None)
    ax.plot(np.full(DATASETS, i - 0.2), rare, "_", color="black", markersize=12)
    ax.bar(i + 0.2, frequent, 0.4, color=COLORS[name], alpha=0.4, hatch="//",
           edgecolor="white", label="frequent features: mean |weight|" if i == 0 else None)
ax.axhline(RARE_WEIGHT, color="black", linestyle="--", linewidth=1, label="true rare weight")
ax.set_xticks(range(len(OPTIMIZERS)), [OPTIMIZER_NAMES[name] for name in OPTIMIZERS])
ax.set_ylabel("learned weight")
ax.set_ylim(0, RARE_WEIGHT * 1.35)
ax.set_title("Weights learned at the chosen learning rates")
ax.legend(fontsize="small", loc="upper left", ncols=3)
ax.grid(axis="y", alpha=0.3)
plt.show()

# %%
# A genuinely sparse regime
# -------------------------
# Above, a frequent feature is active in 30 % of the examples. Sparse data in the sense of
# :ref:`Duchi, Hazan & Singer 2011 <ref-duchi2011>` (text, click logs) has thousands of
# features of which well under 1 % are active in any example. The same experiment, with
# 1,950 uninformative features each active in 0.3 % of the examples and 50 informative ones
# each active in 0.6 % (about six of the 2,000 features active per example, 0.3 %; each
# informative one in about six training examples), the same grid and the same rule for
# choosing the rate:

sparse_sets = data_sets(SPARSE)
sparse_rare = sparse_sets[2][0][:, :, SPARSE[0]:SPARSE[0] + SPARSE[1]].sum(-1) > 0
active = float(sparse_sets[0][0][:, :, :-1].mean())
print(f"{SPARSE[0] + SPARSE[1]:,} features, {active:.2%} active per example on average; "
      f"test examples with an informative feature: {sparse_rare.sum(1).tolist()} of {N_TEST}")
with single_thread():
    sparse_history = {name: train(name, sparse_sets, sparse_rare)[1] for name in OPTIMIZERS}
sparse_chosen = chosen_rates(sparse_history)
for name in OPTIMIZERS:
    h, r = sparse_history[name], sparse_chosen[name]
    print(f"{OPTIMIZER_NAMES[name]:9s} lr {LEARNING_RATES[r]:7.3g}: validation loss "
          f"{h['val_loss'][-1, :, r].mean():.3f}, rare-feature test accuracy "
          f"{100 * h['rare_accuracy'][-1, :, r].mean():5.1f} %")

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for name in OPTIMIZERS:
    values = 100 * sparse_history[name]["rare_accuracy"][-1].mean(0)
    ax.semilogx(LEARNING_RATES, values, "o-", color=COLORS[name], markersize=4,
                label=OPTIMIZER_NAMES[name])
    ax.plot(LEARNING_RATES[sparse_chosen[name]], values[sparse_chosen[name]], marker="o",
            markersize=12, markerfacecolor="none", markeredgecolor=COLORS[name])
ax.set_xlabel("learning rate")
ax.set_ylabel("test accuracy on rare-feature examples (%)")
ax.set_title(f"{SPARSE[0] + SPARSE[1]:,} features, {active:.1%} active (circled: chosen on "
             "validation loss)")
ax.grid(alpha=0.3)
legend_below(ax, ncols=5)
plt.show()

# %%
# Verdict
# -------
# Accuracy on the test examples that carry a rare feature, at each optimizer's chosen rate,
# compared data set by data set, in both regimes: "best suited" means reliably ahead of every
# other optimizer, each paired 95 % interval over the data sets above zero
# (:func:`~optguide.claims.synthetic.sparse_features`: refuted when another optimizer is
# reliably ahead of Adagrad, inconclusive otherwise).
regimes = {"100 features, 30 % active": (history, chosen),
           f"{SPARSE[0] + SPARSE[1]:,} features, {active:.1%} active": (sparse_history,
                                                                         sparse_chosen)}
accuracy = {regime: {OPTIMIZER_NAMES[name]: dict(enumerate(h[name]["rare_accuracy"][-1, :, c[name]]
                                                            .tolist()))
                     for name in OPTIMIZERS}
            for regime, (h, c) in regimes.items()}
verdict = sparse_features_in_regimes(accuracy)
print(verdict.line())
print(verdict.flip)
