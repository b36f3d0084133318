"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

import torch

from ._base import FromScratchOptimizer, Number, add_scaled_, check_range, coefficient, is_nonzero


def sgd_update(param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any], *, lr: Number,
               momentum: Number = 0.0, dampening: Number = 0.0, weight_decay: Number = 0.0,
               nesterov: bool = False) -> None:
    """Apply one SGD step to ``param`` in place (see :class:`SGD` for the equations)."""
    if is_nonzero(weight_decay):
        grad = grad + coefficient(weight_decay, param) * param
    if is_nonzero(momentum):
        momentum = coefficient(momentum, param)
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = grad.clone()
        else:
            add_scaled_(buf.mul_(momentum), grad, 1 - dampening)   # b = mu b + (1 - tau) g
        grad = grad + momentum * buf if nesterov else buf
    add_scaled_(param, grad, -lr)                                 # theta -= lr d


class SGD(FromScratchOptimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With gradient :math:`g_t` of the loss at the parameters :math:`\theta_{t-1}`:

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        b_t &= \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
        d_t &= \begin{cases} g_t + \mu b_t & \text{Nesterov} \\
            b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta\, d_t

    with learning rate :math:`\eta`, momentum :math:`\mu`, dampening :math:`\tau` and weight
    decay :math:`\lambda`. With :math:`\mu = 0` this is plain (stochastic) gradient descent:
    :math:`\theta_t = \theta_{t-1} - \eta g_t`; with the whole training set as one batch it is
    gradient descent.

    Keras writes momentum as a velocity, :math:`v_t = \mu v_{t-1} - \eta g_t`,
    :math:`\theta_t = \theta_{t-1} + v_t`; for a constant learning rate this is the same update
    (:math:`v_t = -\eta b_t`).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\eta` (PyTorch's default; Keras' is 0.01).
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    dampening : float, default 0
        Dampening :math:`\tau` for momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    References
    ----------
    Robbins, H. and Monro, S. (1951). A stochastic approximation method. *Ann. Math. Statist.*
    Sutskever, I., Martens, J., Dahl, G. and Hinton, G. (2013). On the importance of
    initialization and momentum in deep learning. *ICML*.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("momentum value", momentum)
        check_range("dampening value", dampening)
        check_range("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    update_function = staticmethod(sgd_update)

    @classmethod
    def init_state(cls, param, group):
        return {"step": 0}
