r"""HGNN (Feng et al., AAAI 2019) and HGNN+ (Gao et al., TPAMI 2023) convolutions.

Both are applied as two sparse passes through :mod:`hgkit.ops` (node -> hyperedge ->
node) with per-incidence weights from :mod:`hgkit.hypergraph.normalize`, cached on the
hypergraph; the ``N x N`` operator is never formed, so one giant hyperedge costs O(its size).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import normalize
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, cached, dtype_key

__all__ = ["HGNNConv", "HGNNPConv", "hgnn_operator", "hgnnp_operator"]


def hgnn_operator(x: Tensor, hg: Hypergraph) -> Tensor:
    r"""Apply :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2}` to ``x`` (two sparse passes).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> hgnn_operator(torch.ones(3, 1), hg).flatten()
        tensor([0.8536, 1.2071, 0.8536])
    """
    a, b = cached(hg, f"hgnn_{dtype_key(x.dtype)}",
                  lambda: normalize.hgnn_weights(hg, x.dtype))
    return ops.v2v(x, hg, "sum", v2e_weight=a, e2v_weight=b)


def hgnnp_operator(x: Tensor, hg: Hypergraph) -> Tensor:
    r"""Apply the HGNN+ two-stage mean :math:`D_v^{-1} H W D_e^{-1} H^\top` to ``x``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> hgnnp_operator(torch.tensor([[1.0], [2.0], [4.0]]), hg).flatten()
        tensor([1.5000, 2.2500, 3.0000])
    """
    if hg.node_weight is None and hg.edge_weight is None:  # two plain means: no weights at all
        return ops.v2v(x, hg, "mean")
    a, b = cached(hg, f"hgnnp_{dtype_key(x.dtype)}",
                  lambda: normalize.hgnnp_weights(hg, x.dtype))
    if hg.node_weight is None:  # first stage is a plain mean over the hyperedge's nodes
        return ops.e2v(ops.v2e(x, hg, "mean"), hg, "sum", b)
    return ops.v2v(x, hg, "sum", v2e_weight=a, e2v_weight=b)


class _LinearThenPropagate(HypergraphLayer):
    """``propagate(x Θ + b)``: a linear map, then a fixed normalized hypergraph operator."""

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True) -> None:
        super().__init__(in_channels, out_channels)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in :math:`\\pm 1/\\sqrt{\\text{out}}` for weight and bias (official HGNN)."""
        bound = 1.0 / math.sqrt(self.out_channels)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def _propagate(self, x: Tensor, hg: Hypergraph) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        return self._propagate(nn.functional.linear(x, self.weight, self.bias), hg)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, bias={self.bias is not None}"


class HGNNConv(_LinearThenPropagate):
    r"""The HGNN convolution (Feng et al., "Hypergraph Neural Networks", AAAI 2019).

    .. math::
        X' = D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2} \, (X \Theta + b)

    with :math:`d(v) = \sum_e H_{ve} w_e` (hyperedge weights :math:`W` enter both the operator
    and :math:`D_v`), :math:`\delta(e) = \sum_v H_{ve} u_v` (the size :math:`|e|` without node
    weights) and zero-degree powers defined as ``0`` (an isolated node outputs ``0``). The bias
    is added *before* propagation, as in the official code and ``dhg.nn.HGNNConv``. No
    activation: models add it.

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output feature size :math:`F'`.
        bias: learn the bias :math:`b`.

    Shapes:
        ``x`` ``[N, F]``, hypergraph with ``N`` nodes -> ``[N, F']``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> conv = HGNNConv(4, 8)
        >>> conv(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
        >>> idx = hg.hyperedge_index                       # the raw PyG-style form works too
        >>> x = torch.randn(3, 4)
        >>> torch.equal(conv(x, idx), conv(x, hg))
        True
    """

    def _propagate(self, x: Tensor, hg: Hypergraph) -> Tensor:
        return hgnn_operator(x, hg)


class HGNNPConv(_LinearThenPropagate):
    r"""The HGNN+ convolution (Gao et al., "HGNN+: General Hypergraph Neural Networks",
    TPAMI 2023): a two-stage mean, node -> hyperedge then hyperedge -> node.

    .. math::
        Y_e = \frac{w_e}{\delta(e)} \sum_{u \in e} (X\Theta + b)_u, \qquad
        X'_v = \frac{1}{d(v)} \sum_{e \ni v} Y_e, \qquad
        X' = D_v^{-1} H W D_e^{-1} H^\top (X \Theta + b),

    with the weighted :math:`d(v) = \sum_e H_{ve} w_e` and :math:`\delta(e) = |e|` (node weights
    give :math:`\sum_v H_{ve} u_v`), as ``dhg.nn.HGNNPConv``. Zero degrees give ``0``.

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output feature size :math:`F'`.
        bias: learn the bias :math:`b`.

    Shapes:
        ``x`` ``[N, F]`` -> ``[N, F']``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HGNNPConv(4, 2)(torch.randn(3, 4), hg).shape
        torch.Size([3, 2])
    """

    def _propagate(self, x: Tensor, hg: Hypergraph) -> Tensor:
        return hgnnp_operator(x, hg)
