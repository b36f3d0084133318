"""Adam: momentum on the gradient plus RMSprop's per-coordinate scaling, bias-corrected."""

from __future__ import annotations

from typing import Any

import torch

from ._base import (
    FromScratchOptimizer,
    Number,
    add_product_,
    add_quotient_,
    check_range,
    coefficient,
    is_nonzero,
    sqrt,
)


def adam_update(param: torch.Tensor, grad: torch.Tensor, state: dict[str, Any], *, lr: Number,
                beta1: Number = 0.9, beta2: Number = 0.999, eps: Number = 1e-8,
                weight_decay: Number = 0.0, amsgrad: bool = False,
                eps_hat: bool = False, decoupled_weight_decay: bool = False) -> None:
    """Apply one Adam step to ``param`` in place (see :class:`Adam`).

    ``state`` holds ``step`` (already incremented for this step), ``exp_avg``, ``exp_avg_sq``
    and, with AMSGrad, ``max_exp_avg_sq``.
    """
    if is_nonzero(weight_decay):
        if decoupled_weight_decay:
            param.mul_(coefficient(1 - lr * weight_decay, param))   # theta *= 1 - lr lambda
        else:
            grad = grad + coefficient(weight_decay, param) * param  # g += lambda theta (L2)
    step = state["step"]
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg.lerp_(grad, coefficient(1 - beta1, param))
    add_product_(exp_avg_sq.mul_(coefficient(beta2, param)), grad, grad, 1 - beta2)
    second_moment = exp_avg_sq
    if amsgrad:
        second_moment = torch.maximum(state["max_exp_avg_sq"], exp_avg_sq,
                                      out=state["max_exp_avg_sq"])
    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = sqrt(1 - beta2**step)
    eps = coefficient(eps, param)
    if eps_hat:
        step_size = lr * bias_correction2_sqrt / bias_correction1
        denom = second_moment.sqrt().add_(eps)
    else:
        step_size = lr / bias_correction1
        denom = (second_moment.sqrt() / coefficient(bias_correction2_sqrt, param)).add_(eps)
    add_quotient_(param, exp_avg, denom, -step_size)              # theta -= lr_t m / denom


class Adam(FromScratchOptimizer):
    r"""Adam: adaptive moment estimation.

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1}
            \quad(\text{decoupled: } \theta_{t-1} \leftarrow (1 - \eta\lambda)\,\theta_{t-1}
            \text{ instead}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2
            \quad(\text{AMSGrad: } v_t \leftarrow \max(v_{t-1}^{\max}, v_t)) \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    With ``eps_hat=True`` the step is Keras' ("epsilon hat", Kingma & Ba, section 2):
    :math:`\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`,
    :math:`\theta_t = \theta_{t-1} - \eta_t\, m_t / (\sqrt{v_t} + \hat\epsilon)`, which adds
    :math:`\hat\epsilon` to the root of the *uncorrected* :math:`v_t`; the two forms agree
    for :math:`\epsilon = \hat\epsilon\,/\sqrt{1 - \beta_2^t}`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\eta` (PyTorch and Keras both 1e-3).
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, decay rates of the two moment estimates.
    eps : float, default 1e-8
        :math:`\epsilon` (PyTorch 1e-8; Keras' :math:`\hat\epsilon` 1e-7).
    weight_decay : float, default 0
        Weight decay :math:`\lambda`: an L2 penalty added to the gradient, or, with
        ``decoupled_weight_decay``, a shrinking of the weights by :math:`\eta\lambda` per step.
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t` (Reddi et al., 2018).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    eps_hat : bool, default False
        Keras' formula: :math:`\hat\epsilon` on the uncorrected second moment.
    decoupled_weight_decay : bool, default False
        Shrink the weights directly, :math:`\theta \leftarrow (1 - \eta\lambda)\theta`, before
        the step, instead of adding :math:`\lambda\theta` to the gradient (AdamW; Loshchilov
        and Hutter, 2019). ``torch.optim.Adam`` has the same switch; see :class:`AdamW`.

    References
    ----------
    Kingma, D. P. and Ba, J. (2015). Adam: a method for stochastic optimization. *ICLR*.
    arXiv:1412.6980. Reddi, S. J., Kale, S. and Kumar, S. (2018). On the convergence of Adam
    and beyond. *ICLR*. Loshchilov, I. and Hutter, F. (2019). Decoupled weight decay
    regularization. *ICLR*. arXiv:1711.05101.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, eps_hat: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("epsilon value", eps)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Invalid betas: {betas!r} (expected a pair of numbers)")
        check_range("beta parameter at index 0", betas[0], 0.0, 1.0)
        check_range("beta parameter at index 1", betas[1], 0.0, 1.0)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, eps_hat=eps_hat,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    update_function = staticmethod(adam_update)

    @classmethod
    def update_arguments(cls, group):
        arguments = super().update_arguments(group)
        arguments["beta1"], arguments["beta2"] = group["betas"]
        return arguments

    @classmethod
    def init_state(cls, param, group):
        state = {"step": 0, "exp_avg": torch.zeros_like(param),
                 "exp_avg_sq": torch.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = torch.zeros_like(param)
        return state


class AdamW(Adam):
    r"""AdamW: :class:`Adam` with decoupled weight decay, equal to ``torch.optim.AdamW``.

    .. math::

        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\,\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{m_t / (1 - \beta_1^t)}
            {\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    The weights shrink by the factor :math:`1 - \eta\lambda` at every step, outside the
    adaptive scaling; an L2 penalty (``Adam(weight_decay=...)``) instead adds
    :math:`\lambda\theta` to the gradient, where Adam's division by :math:`\sqrt{v_t}` scales it
    down for weights with large gradients. This is ``Adam(..., decoupled_weight_decay=True)``
    with PyTorch's AdamW default :math:`\lambda = 0.01`; Keras' ``AdamW`` (:math:`\lambda =
    0.004`, "epsilon hat" 1e-7) is :data:`optguide.optimizers.ADAMW_PRESETS`\ ``["keras"]``.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\eta`.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`.
    eps : float, default 1e-8
        :math:`\epsilon`.
    weight_decay : float, default 1e-2
        Decoupled weight decay :math:`\lambda` (the weights shrink by :math:`\eta\lambda` per
        step).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    eps_hat : bool, default False
        Keras' formula for epsilon (see :class:`Adam`).

    References
    ----------
    Loshchilov, I. and Hutter, F. (2019). Decoupled weight decay regularization. *ICLR*.
    arXiv:1711.05101.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, eps_hat: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, eps_hat=eps_hat,
                         decoupled_weight_decay=True)
