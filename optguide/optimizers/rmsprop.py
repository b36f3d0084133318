"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

import torch

from ._base import (
    FromScratchOptimizer,
    Number,
    add_product_,
    add_quotient_,
    add_scaled_,
    check_range,
    coefficient,
    is_nonzero,
)


def rmsprop_update(param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any], *,
                   lr: Number, alpha: Number = 0.99, eps: Number = 1e-8,
                   weight_decay: Number = 0.0, momentum: Number = 0.0, centered: bool = False,
                   eps_inside_sqrt: bool = False) -> None:
    """Apply one RMSprop step to ``param`` in place (see :class:`RMSprop`).

    ``state`` holds ``square_avg``, and ``grad_avg`` when centered, ``momentum_buffer`` when
    ``momentum`` is nonzero.
    """
    if is_nonzero(weight_decay):
        grad = grad + coefficient(weight_decay, param) * param
    alpha, eps = coefficient(alpha, param), coefficient(eps, param)
    square_avg = state["square_avg"]
    add_product_(square_avg.mul_(alpha), grad, grad, 1 - alpha)   # v = a v + (1 - a) g^2
    variance = square_avg
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg.lerp_(grad, 1 - alpha)
        variance = square_avg.addcmul(grad_avg, grad_avg, value=-1)   # v - gbar^2
    if eps_inside_sqrt:
        denom = (variance + eps).sqrt()
    else:
        denom = variance.sqrt().add_(eps)
    if is_nonzero(momentum):
        buf = state["momentum_buffer"]
        buf.mul_(coefficient(momentum, param)).addcdiv_(grad, denom)  # b = mu b + g / denom
        add_scaled_(param, buf, -lr)                                  # theta -= lr b
    else:
        add_quotient_(param, grad, denom, -lr)                        # theta -= lr g / denom


class RMSprop(FromScratchOptimizer):
    r"""RMSprop: scale each coordinate by the root of a decaying mean of squared gradients.

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t
            \quad\text{(centered only; then } v_t \leftarrow v_t - \bar g_t^2) \\
        d_t &= g_t / (\sqrt{v_t} + \epsilon) \\
        b_t &= \mu b_{t-1} + d_t \quad\text{(momentum } \mu > 0\text{; else } b_t = d_t) \\
        \theta_t &= \theta_{t-1} - \eta\, b_t

    With ``eps_inside_sqrt=True``, :math:`d_t = g_t / \sqrt{v_t + \epsilon}` (Keras' form; Keras
    calls :math:`\alpha` ``rho``). Unlike Adagrad's sum, the decaying mean forgets old
    gradients, so the effective learning rate stops shrinking.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Learning rate :math:`\eta` (PyTorch 1e-2; Keras 1e-3).
    alpha : float, default 0.99
        Decay :math:`\alpha` of the mean square (PyTorch 0.99; Keras ``rho`` 0.9).
    eps : float, default 1e-8
        :math:`\epsilon` (PyTorch 1e-8 outside the root; Keras 1e-7 inside).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    momentum : float, default 0
        Momentum :math:`\mu`.
    centered : bool, default False
        Subtract the squared mean gradient (estimate the variance).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    eps_inside_sqrt : bool, default False
        Keras' formula: add :math:`\epsilon` under the square root.

    References
    ----------
    Tieleman, T. and Hinton, G. (2012). Lecture 6.5 - RMSProp. *COURSERA: Neural Networks for
    Machine Learning*. Graves, A. (2013). Generating sequences with recurrent neural networks.
    arXiv:1308.0850 (the centered form).
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False, eps_inside_sqrt: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("alpha value", alpha, 0.0, 1.0)
        check_range("epsilon value", eps)
        check_range("weight_decay value", weight_decay)
        check_range("momentum value", momentum)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize,
                        eps_inside_sqrt=eps_inside_sqrt)
        super().__init__(params, defaults)

    update_function = staticmethod(rmsprop_update)

    @classmethod
    def init_state(cls, param, group):
        state = {"step": 0, "square_avg": torch.zeros_like(param)}
        if is_nonzero(group["momentum"]):
            state["momentum_buffer"] = torch.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = torch.zeros_like(param)
        return state
