r"""The graph convolution of Kipf & Welling (ICLR 2017), for the node stream of graph-level models.

HyperDrop (Jo et al., NeurIPS 2021) updates node features with a plain GCN on the (pruned)
graph, with the edge scores of the previous HyperDrop as edge weights; the GCN baselines of
:mod:`hgkit.tasks.graph_classification` use the same layer. The degrees are
``index_add`` scatters over the ``[2, m]`` edge list and the propagation one CSR gather-reduce
(:func:`hgkit.ops.spmm`, differentiable in the features and the edge weights); no dense
``n x n`` matrix, no PyG.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import _checks as C

__all__ = ["GCNConv", "gcn_norm"]


def gcn_norm(edge_index: Tensor, num_nodes: int, edge_weight: Tensor | None = None,
             dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor, Tensor]:
    r"""Self-loops and symmetric normalization of a graph: :math:`\hat D^{-1/2} (A + I)
    \hat D^{-1/2}` as an edge list.

    With :math:`A_{ji} = \sum_{k:\,(i \to j) = (\mathrm{src}_k, \mathrm{dst}_k)} w_k` (multi-edges
    add up) and :math:`\hat d_j = 1 + \sum_i A_{ji}` (the in-degree at the target, loop
    included), every edge ``k`` gets :math:`w_k / \sqrt{\hat d_{\mathrm{src}_k}
    \hat d_{\mathrm{dst}_k}}` and every node a loop of weight :math:`1/\hat d_j`. A
    non-positive :math:`\hat d_j` (possible only with negative weights) gives ``0``.

    Args:
        edge_index: ``[2, m]`` directed edges (row 0 sources, row 1 targets).
        num_nodes: number of nodes ``n``.
        edge_weight: optional ``[m]`` edge weights (default all ones).
        dtype: dtype of the weights when ``edge_weight`` is ``None``.

    Returns:
        ``(src, dst, weight)`` of the ``m + n`` normalized entries (the loops last).

    Example:
        >>> src, dst, w = gcn_norm(torch.tensor([[0], [1]]), 2)
        >>> src.tolist(), dst.tolist(), [round(v, 4) for v in w.tolist()]
        ([0, 0, 1], [1, 0, 1], [0.7071, 1.0, 0.5])
    """
    device = edge_index.device
    loop = torch.arange(num_nodes, device=device)
    src = torch.cat([edge_index[0], loop])
    dst = torch.cat([edge_index[1], loop])
    if edge_weight is None:
        weight = torch.ones(src.numel(), dtype=dtype, device=device)
    else:
        weight = torch.cat([edge_weight, edge_weight.new_ones(num_nodes)])
    deg = weight.new_zeros(num_nodes).index_add_(0, dst, weight)
    inv_sqrt = torch.where(deg > 0, deg.clamp_min(torch.finfo(deg.dtype).tiny).rsqrt(),
                           torch.zeros_like(deg))
    return src, dst, inv_sqrt[src] * weight * inv_sqrt[dst]


class GCNConv(nn.Module):
    r"""Graph convolution (Kipf & Welling, "Semi-Supervised Classification with Graph
    Convolutional Networks", ICLR 2017).

    .. math::
        X' = \hat D^{-1/2} (A + I) \hat D^{-1/2} X \Theta + b, \qquad
        \hat d_j = 1 + \sum_i A_{ji},

    where :math:`A_{ji}` is the total weight of the edges ``i -> j`` (messages flow from
    ``edge_index[0]`` to ``edge_index[1]``; an undirected graph lists both directions) and
    every node gets one extra self-loop of weight 1 (a loop already in ``edge_index`` is kept
    as an ordinary edge, so it adds to the diagonal: PyG's ``add_remaining_self_loops``
    instead replaces it). The linear map is applied first, then the propagation, then the
    bias (when ``in_channels < out_channels`` the propagation runs first, on the narrower
    features: the same product in the other order). Glorot-uniform weight and zero bias, as
    in the reference implementations.

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output feature size :math:`F'`.
        bias: learn the bias :math:`b`.

    Shapes:
        ``x`` ``[n, F]``, ``edge_index`` ``[2, m]``, ``edge_weight`` ``[m]`` -> ``[n, F']``.

    Example:
        >>> import torch
        >>> conv = GCNConv(3, 8)
        >>> edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])  # path 0 - 1 - 2
        >>> conv(torch.randn(3, 3), edge_index).shape
        torch.Size([3, 8])
        >>> conv(torch.randn(3, 3), edge_index, torch.tensor([1.0, 1.0, 0.5, 0.5])).shape
        torch.Size([3, 8])
    """

    #: Not a hypergraph ``(x, hypergraph)`` layer, so outside the hypergraph layer contract.
    contract_exempt = "graph layer: forward(x, edge_index) on a graph, not a hypergraph"

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True) -> None:
        super().__init__()
        self.in_channels = C.check_count(in_channels, "in_channels", minimum=1)
        self.out_channels = C.check_count(out_channels, "out_channels", minimum=1)
        if not isinstance(bias, bool):
            raise TypeError(f"Expected 'bias' to be a bool (got {C.describe(bias)})")
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Glorot-uniform weight, zero bias."""
        nn.init.xavier_uniform_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def _check(self, x: Any, edge_index: Any, edge_weight: Any) -> tuple[Tensor, Tensor,
                                                                          Tensor | None]:
        if not isinstance(x, Tensor) or not x.is_floating_point() or x.dim() != 2:
            got = (f"{x.dtype}, {list(x.shape)}" if isinstance(x, Tensor) else C.describe(x))
            raise ValueError(f"Expected 'x' to be a floating tensor of shape [n, "
                             f"{self.in_channels}] (got {got})")
        if x.size(1) != self.in_channels:
            raise ValueError(f"'x' has {x.size(1)} channels but the layer expects "
                             f"in_channels={self.in_channels}")
        edge_index = C.to_index_tensor(edge_index, "edge_index")
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"Expected 'edge_index' to have shape [2, m] "
                             f"(got {list(edge_index.shape)})")
        if edge_index.device != x.device:
            raise ValueError(f"Expected 'edge_index' on the device of 'x' {x.device} "
                             f"(got {edge_index.device})")
        C.check_ids_below(edge_index, "edge_index", x.size(0), "x.size(0)")
        if edge_weight is not None:
            m = edge_index.size(1)
            if not isinstance(edge_weight, Tensor) or edge_weight.shape != (m,):
                got = (list(edge_weight.shape) if isinstance(edge_weight, Tensor)
                       else C.describe(edge_weight))
                raise ValueError(f"Expected 'edge_weight' to have shape [{m}] (one weight per "
                                 f"column of 'edge_index') (got {got})")
            if edge_weight.dtype != x.dtype or edge_weight.device != x.device:
                raise ValueError(f"Expected 'edge_weight' with the dtype and device of 'x' "
                                 f"({x.dtype}, {x.device}) (got {edge_weight.dtype}, "
                                 f"{edge_weight.device})")
        return x, edge_index, edge_weight

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None
                ) -> Tensor:
        """Convolve.

        Args:
            x: ``[n, F]`` node features.
            edge_index: ``[2, m]`` directed edges, sources in row 0.
            edge_weight: optional ``[m]`` weights (same dtype and device as ``x``).
        """
        x, edge_index, edge_weight = self._check(x, edge_index, edge_weight)
        n = x.size(0)
        src, dst, norm = gcn_norm(edge_index, n, edge_weight, x.dtype)
        # CSR by target: out_j = sum_k norm_k h_{src_k} over the entries k with dst_k = j
        perm = torch.sort(dst, stable=True).indices
        ptr = torch.zeros(n + 1, dtype=torch.long, device=x.device)
        torch.cumsum(torch.bincount(dst, minlength=n), 0, out=ptr[1:])
        src, norm = src[perm], norm[perm]
        if self.in_channels < self.out_channels:  # (A X) W: propagate the narrower side
            out = nn.functional.linear(ops.spmm(ptr, src, norm, x, n), self.weight)
        else:
            out = ops.spmm(ptr, src, norm, nn.functional.linear(x, self.weight), n)
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, bias={self.bias is not None}"
