r"""The MLP block of AllSet and ED-HNN (their ``models/mlp.py``), used inside operators and as
classifier head.

.. math::
    \mathrm{MLP}(x) = W_n \circ \big(\mathrm{Drop} \circ \mathrm{Norm} \circ \mathrm{ReLU}
    \circ W_{n-1}\big) \circ \dots \circ \big(\mathrm{Drop} \circ \mathrm{Norm} \circ
    \mathrm{ReLU} \circ W_1\big) \circ \mathrm{InputNorm}\,(x)

i.e. ``[InputNorm] -> (Linear -> ReLU -> Norm -> Dropout) x (n - 1) -> Linear`` where every
``W_i`` is an affine ``nn.Linear``. A plain module on ``[N, F]`` tensors (no hypergraph).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from hgkit.hypergraph._checks import describe
from hgkit.layers._base import dropout

__all__ = ["MLP", "check_positive_int", "check_dropout", "check_normalization"]

_NORMS = ("ln", "bn")


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum`` (bools rejected), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Expected '{name}' to be an int (got {describe(value)})")
    if value < minimum:
        raise ValueError(f"Expected '{name}' to be >= {minimum} (got {value})")
    return value


def check_dropout(value: Any, name: str = "dropout") -> float:
    """``value`` as a probability in ``[0, 1)``, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"Expected '{name}' to be a float (got {describe(value)})")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"Expected '{name}' to be in [0, 1) (got {value})")
    return float(value)


def check_normalization(value: Any) -> str | None:
    """``"ln"`` / ``"bn"`` / ``None`` (the strings ``"None"`` / ``"none"`` mean ``None``)."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    if isinstance(value, str) and value.lower() in _NORMS:
        return value.lower()
    raise ValueError(f"Expected 'normalization' to be 'ln', 'bn' or None (got {value!r})")


def _norm(kind: str | None, channels: int) -> nn.Module:
    if kind == "ln":
        return nn.LayerNorm(channels)
    if kind == "bn":
        return nn.BatchNorm1d(channels)
    return nn.Identity()


class MLP(nn.Module):
    r"""The AllSet / ED-HNN MLP block:
    ``[InputNorm] -> (Linear -> ReLU -> Norm -> Dropout) x (n - 1) -> Linear``.

    ``Norm`` is a LayerNorm (``"ln"``), a BatchNorm (``"bn"``) or nothing (``None``) over the
    hidden width; ``InputNorm`` is the same kind of norm over the input width, present only
    when ``input_norm=True`` and ``normalization`` is not ``None`` (as in the official code).
    With ``num_layers=1`` the block is ``[InputNorm ->] Linear`` (``hidden_channels`` unused);
    with ``num_layers=0`` it is the identity (ED-HNN's ``lambda X: X``; no input norm), which
    requires ``in_channels == out_channels``.

    Args:
        in_channels: input feature size.
        hidden_channels: width of the hidden layers.
        out_channels: output feature size.
        num_layers: number of ``Linear`` layers ``n >= 0``.
        dropout: dropout probability after each hidden layer (training only).
        normalization: ``"ln"``, ``"bn"`` or ``None`` (the string ``"None"`` is accepted).
        input_norm: normalize the input first (AllSet's ``InputNorm``).

    Shapes:
        ``x`` ``[N, in_channels]`` -> ``[N, out_channels]`` (LayerNorm / no norm also accept
        extra leading dimensions).

    Example:
        >>> import torch
        >>> mlp = MLP(4, 16, 2, num_layers=2, input_norm=True)
        >>> [type(m).__name__ for m in mlp.norms], len(mlp.lins)
        (['LayerNorm', 'LayerNorm'], 2)
        >>> mlp(torch.randn(5, 4)).shape
        torch.Size([5, 2])
        >>> x = torch.randn(5, 3)
        >>> MLP(3, 8, 3, num_layers=0)(x) is x
        True
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int, dropout: float = 0.0,
                 normalization: str | None = "ln", input_norm: bool = False) -> None:
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.hidden_channels = check_positive_int(hidden_channels, "hidden_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.num_layers = check_positive_int(num_layers, "num_layers", minimum=0)
        self.dropout = check_dropout(dropout)
        self.normalization = check_normalization(normalization)
        if not isinstance(input_norm, bool):
            raise TypeError(f"Expected 'input_norm' to be a bool (got {describe(input_norm)})")
        self.input_norm = input_norm
        if num_layers == 0 and in_channels != out_channels:
            raise ValueError("An MLP with num_layers=0 is the identity and needs "
                             f"in_channels == out_channels (got {in_channels} and "
                             f"{out_channels})")
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.lins = nn.ModuleList(nn.Linear(dims[i], dims[i + 1]) for i in range(num_layers))
        # norms[0] is the input norm; norms[i] follows hidden layer i (1 <= i < n)
        norms: list[nn.Module] = []
        if num_layers > 0:
            norms.append(_norm(self.normalization if input_norm else None, in_channels))
            norms += [_norm(self.normalization, hidden_channels) for _ in range(num_layers - 1)]
        self.norms = nn.ModuleList(norms)

    def reset_parameters(self) -> None:
        """Re-initialize every Linear (PyTorch's default init) and norm."""
        for module in (*self.lins, *self.norms):
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            if isinstance(module, nn.BatchNorm1d):
                module.reset_running_stats()

    def _check(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"Expected 'x' to be a Tensor (got {describe(x)})")
        if x.dim() == 0 or x.size(-1) != self.in_channels:
            raise ValueError(f"'x' has shape {list(x.shape)} but the MLP expects "
                             f"in_channels={self.in_channels} in the last dimension")

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        if self.num_layers == 0:
            return x
        return self.tail(self.lins[0](self.norms[0](x)))

    def tail(self, z: Tensor) -> Tensor:
        """The block after the first ``Linear``: ``(ReLU -> Norm -> Dropout -> Linear) x (n-1)``.

        ``forward(x) == tail(lins[0](norms[0](x)))``; operators that compute the first affine
        map in a factored way (ED-HNN's :math:`\\rho` on ``[h_v || m_e]``) continue with this.
        """
        for i in range(1, self.num_layers):
            z = nn.functional.relu(z)
            z = self.norms[i](z)
            z = dropout(z, self.dropout, self.training)
            z = self.lins[i](z)
        return z

    def extra_repr(self) -> str:
        norm = None if self.normalization is None else repr(self.normalization)
        return (f"{self.in_channels}, {self.hidden_channels}, {self.out_channels}, "
                f"num_layers={self.num_layers}, dropout={self.dropout}, normalization={norm}, "
                f"input_norm={self.input_norm}")
