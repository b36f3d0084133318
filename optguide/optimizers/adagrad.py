"""Adagrad: per-parameter learning rates from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

import torch

from ._base import FromScratchOptimizer, Number, add_quotient_, check_range, coefficient, is_nonzero


def adagrad_update(param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any], *,
                   lr: Number, lr_decay: Number = 0.0, weight_decay: Number = 0.0,
                   eps: Number = 1e-10, eps_inside_sqrt: bool = False) -> None:
    """Apply one Adagrad step to ``param`` in place (see :class:`Adagrad`).

    ``state`` holds ``step`` (already incremented for this step) and ``sum``.
    """
    if is_nonzero(weight_decay):
        grad = grad + coefficient(weight_decay, param) * param
    step_lr = lr / (1 + (state["step"] - 1) * lr_decay)
    accumulator = state["sum"]
    accumulator.addcmul_(grad, grad)                              # G += g^2
    if eps_inside_sqrt:
        denom = (accumulator + coefficient(eps, param)).sqrt()
    else:
        denom = accumulator.sqrt().add_(coefficient(eps, param))
    add_quotient_(param, grad, denom, -step_lr)                   # theta -= lr g / denom


class Adagrad(FromScratchOptimizer):
    r"""Adagrad: divide each coordinate's step by the root of its summed squared gradients.

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        \tilde\eta_t &= \eta / (1 + (t - 1)\,\delta) \\
        s_t &= s_{t-1} + g_t^2, \qquad s_0 = s_\text{init} \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t \, \frac{g_t}{\sqrt{s_t} + \epsilon}

    With ``eps_inside_sqrt=True`` the last line becomes Keras' form
    :math:`\theta_t = \theta_{t-1} - \eta\, g_t / \sqrt{s_t + \epsilon}`. Because :math:`s_t`
    only grows, every coordinate's effective learning rate :math:`\eta / \sqrt{s_t}` keeps
    shrinking; rarely active (sparse) features keep larger steps than frequent ones.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Learning rate :math:`\eta` (PyTorch's default; Keras' is 1e-3).
    lr_decay : float, default 0
        Learning-rate decay :math:`\delta`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    initial_accumulator_value : float, default 0
        :math:`s_\text{init}` (PyTorch 0; Keras 0.1).
    eps : float, default 1e-10
        :math:`\epsilon` (PyTorch 1e-10; Keras 1e-7, inside the square root).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    eps_inside_sqrt : bool, default False
        Keras' formula: add :math:`\epsilon` under the square root instead of after it.

    References
    ----------
    Duchi, J., Hazan, E. and Singer, Y. (2011). Adaptive subgradient methods for online
    learning and stochastic optimization. *JMLR* 12, 2121-2159.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 maximize: bool = False, eps_inside_sqrt: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("lr_decay value", lr_decay)
        check_range("weight_decay value", weight_decay)
        check_range("initial_accumulator_value", initial_accumulator_value)
        check_range("epsilon value", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize, eps_inside_sqrt=eps_inside_sqrt)
        super().__init__(params, defaults)

    update_function = staticmethod(adagrad_update)

    @classmethod
    def init_state(cls, param, group):
        initial = coefficient(group["initial_accumulator_value"], param)
        return {"step": 0, "sum": torch.zeros_like(param).add_(initial)}
