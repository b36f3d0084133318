"""Adadelta: Adagrad's steps with decaying averages and units that match."""

from __future__ import annotations

from typing import Any

import torch

from ._base import (
    FromScratchOptimizer,
    Number,
    add_product_,
    add_scaled_,
    check_range,
    coefficient,
    is_nonzero,
)


def adadelta_update(param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any], *,
                    lr: Number, rho: Number = 0.9, eps: Number = 1e-6,
                    weight_decay: Number = 0.0) -> None:
    """Apply one Adadelta step to ``param`` in place (see :class:`Adadelta`).

    ``state`` holds ``square_avg`` and ``acc_delta``.
    """
    if is_nonzero(weight_decay):
        grad = grad + coefficient(weight_decay, param) * param
    rho, eps = coefficient(rho, param), coefficient(eps, param)
    square_avg, acc_delta = state["square_avg"], state["acc_delta"]
    add_product_(square_avg.mul_(rho), grad, grad, 1 - rho)       # v = rho v + (1 - rho) g^2
    std = (square_avg + eps).sqrt_()
    delta = (acc_delta + eps).sqrt_().div_(std).mul_(grad)       # sqrt(u + eps)/sqrt(v + eps) g
    add_product_(acc_delta.mul_(rho), delta, delta, 1 - rho)     # u = rho u + (1 - rho) delta^2
    add_scaled_(param, delta, -lr)                                # theta -= lr delta


class Adadelta(FromScratchOptimizer):
    r"""Adadelta: a learning rate per coordinate from two running averages.

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \eta\, \Delta_t

    with :math:`v_0 = u_0 = 0`. The paper has no learning rate (:math:`\eta = 1`, PyTorch's
    default); Keras 3 defaults to :math:`\eta = 10^{-3}`, which makes every step a thousand
    times smaller. Keras and PyTorch use the same formula (:math:`\epsilon` inside both roots).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1.0
        Scale :math:`\eta` of the step (PyTorch 1.0; Keras 1e-3).
    rho : float, default 0.9
        Decay :math:`\rho` of both running averages (PyTorch 0.9; Keras 0.95).
    eps : float, default 1e-6
        :math:`\epsilon` (PyTorch 1e-6; Keras 1e-7).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    References
    ----------
    Zeiler, M. D. (2012). ADADELTA: an adaptive learning rate method. arXiv:1212.5701.
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("rho value", rho, 0.0, 1.0)
        check_range("epsilon value", eps)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    update_function = staticmethod(adadelta_update)

    @classmethod
    def init_state(cls, param, group):
        return {"step": 0, "square_avg": torch.zeros_like(param),
                "acc_delta": torch.zeros_like(param)}
