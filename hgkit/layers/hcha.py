r"""HCHA: hypergraph convolution and hypergraph attention (Bai, Zhang and Torr, "Hypergraph
Convolution and Hypergraph Attention", Pattern Recognition 2021, arXiv 1901.08150).

The convolution is applied as two sparse passes through :mod:`hgkit.ops` with the cached
per-incidence weights of :mod:`hgkit.hypergraph.normalize`; attention multiplies those weights by
one learned coefficient per incidence (and head).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import normalize
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, cached, check_features, dropout, dtype_key
from hgkit.layers.hgnn import hgnn_operator, hgnnp_operator

__all__ = ["HCHAConv"]


class HCHAConv(HypergraphLayer):
    r"""The hypergraph convolution / attention of HCHA (Bai, Zhang and Torr, "Hypergraph
    Convolution and Hypergraph Attention", Pattern Recognition 2021).

    .. math::
        X' = D^{-1} H W B^{-1} H^\top X \Theta + b \quad (\text{default}), \qquad
        X' = D^{-1/2} H W B^{-1} H^\top D^{-1/2} X \Theta + b \quad (\texttt{symmetric=True}),

    with the weighted node degree :math:`D = \mathrm{diag}(\sum_e H_{ve} w_e)`, the hyperedge
    degree :math:`B = \mathrm{diag}(\sum_v H_{ve} u_v)` (the size :math:`|e|` without node
    weights), zero degrees giving ``0``, and the bias added *after* propagation (an isolated node
    outputs :math:`b`), unlike :class:`~hgkit.layers.HGNNConv`, which propagates
    :math:`X\Theta + b`. ``symmetric=True`` is the "HGNN" of the AllSet and ED-HNN benchmarks
    (AllSet's ``HCHA_symdegnorm``); the row-normalized default is their "HCHA" and the paper's
    operator. Hyperedge weights enter the operator and :math:`D` (the AllSet code puts them in
    :math:`D` only; with unit weights both agree).

    **Attention** (``attention=True``): the incidence matrix is replaced, per head, by learned
    coefficients

    .. math::
        \alpha_{ve} = \frac{\exp(\sigma(a^\top [x_v \Theta \,\|\, x_e \Theta]))}
        {\sum_{e' \ni v} \exp(\sigma(a^\top [x_v \Theta \,\|\, x_{e'} \Theta]))}, \qquad
        X' = D^{-1} \tilde H W B^{-1} \tilde H^\top X \Theta + b, \quad
        \tilde H_{ve} = \alpha_{ve},

    where :math:`\sigma` is a LeakyReLU (``negative_slope``) and the softmax runs over the
    incidences of each node (a repeated incidence counts twice). The hyperedge features
    :math:`x_e` are ``hyperedge_attr`` (``[M, F]``, mapped by the same :math:`\Theta`) or, by
    default, the mean of the members' features. As in the AllSet / PyG implementations the
    degrees :math:`D`, :math:`B` are those of the unweighted incidence (not of :math:`\tilde H`)
    and the coefficients multiply both passes; ``dropout`` applies to them in training. Heads are
    concatenated (``concat=True``) or averaged. (The AllSet code forms :math:`x_e` by indexing
    the *node* features with hyperedge ids; here it is the hyperedge's own feature, as in the
    paper.)

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output size per head :math:`F'`.
        symmetric: :math:`D^{-1/2} \cdots D^{-1/2}` instead of :math:`D^{-1} \cdots`.
        attention: learn the incidence coefficients.
        heads: attention heads (``1`` without attention).
        concat: concatenate the heads (output ``heads * F'``) or average them (``F'``).
        negative_slope: LeakyReLU slope of the attention scores.
        dropout: dropout probability on the attention coefficients (training only).
        bias: learn the bias :math:`b`.

    Shapes:
        ``x`` ``[N, F]``, optional ``hyperedge_attr`` ``[M, F]`` -> ``[N, heads * F']`` with
        ``concat`` else ``[N, F']``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HCHAConv(4, 8, symmetric=True)(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
        >>> att = HCHAConv(4, 8, attention=True, heads=2)
        >>> att(torch.randn(3, 4), hg).shape
        torch.Size([3, 16])
        >>> att.attention_weights(torch.randn(3, 4), hg).shape     # [nnz, heads]
        torch.Size([4, 2])
    """

    def __init__(self, in_channels: int, out_channels: int, symmetric: bool = False,
                 attention: bool = False, heads: int = 1, concat: bool = True,
                 negative_slope: float = 0.2, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__(in_channels, out_channels)
        for name, value in (("symmetric", symmetric), ("attention", attention),
                            ("concat", concat), ("bias", bias)):
            if not isinstance(value, bool):
                raise TypeError(f"Expected '{name}' to be a bool (got {value!r})")
        if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
            raise ValueError(f"Expected 'heads' to be a positive int (got {heads!r})")
        if heads > 1 and not attention:
            raise ValueError(f"'heads' > 1 needs attention=True (got heads={heads})")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not (
                0 <= dropout < 1):
            raise ValueError(f"Expected 'dropout' to be a probability in [0, 1) "
                             f"(got {dropout!r})")
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float)):
            raise ValueError(f"Expected 'negative_slope' to be a number "
                             f"(got {negative_slope!r})")
        self.symmetric, self.attention, self.heads, self.concat = (
            symmetric, attention, heads, concat)
        self.negative_slope, self.dropout = float(negative_slope), float(dropout)
        self.weight = nn.Parameter(torch.empty(heads * out_channels, in_channels))
        self.att = nn.Parameter(torch.empty(heads, 2 * out_channels)) if attention else None
        size = heads * out_channels if concat else out_channels
        self.bias = nn.Parameter(torch.empty(size)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Glorot for :math:`\\Theta` and :math:`a`, zeros for the bias (as PyG / AllSet)."""
        nn.init.xavier_uniform_(self.weight)
        if self.att is not None:
            nn.init.xavier_uniform_(self.att)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def _scores(self, h: Tensor, hg: Hypergraph, hyperedge_attr: Tensor | None) -> Tensor:
        """Attention coefficients ``[nnz, heads]`` (softmax over each node's incidences)."""
        assert self.att is not None
        if hyperedge_attr is None:
            he = ops.v2e(h, hg, "mean")      # mean of x_u Θ over the members = (mean x_u) Θ
        else:
            hyperedge_attr = check_features(hyperedge_attr, hg.num_edges, self.in_channels,
                                            hg.device, name="hyperedge_attr",
                                            what="hyperedges")
            if hyperedge_attr.dtype != h.dtype:
                raise TypeError(f"Expected 'hyperedge_attr' to have the dtype of 'x' "
                                f"{h.dtype} (got {hyperedge_attr.dtype})")
            he = hyperedge_attr @ self.weight.t()
        c = self.out_channels
        s_node = (h.view(-1, self.heads, c) * self.att[:, :c]).sum(-1)     # [N, heads]
        s_edge = (he.view(-1, self.heads, c) * self.att[:, c:]).sum(-1)    # [M, heads]
        node, edge = hg.hyperedge_index
        score = nn.functional.leaky_relu(s_node[node] + s_edge[edge], self.negative_slope)
        return ops.softmax(score, index=node, num_segments=hg.num_nodes)

    def attention_weights(self, x: Tensor, hypergraph: Any, hyperedge_attr: Tensor | None = None,
                          num_edges: int | None = None, edge_weight: Tensor | None = None
                          ) -> Tensor:
        r"""The coefficients :math:`\alpha` ``[nnz, heads]``, aligned with
        ``hyperedge_index`` (before dropout); each node's entries sum to 1 per head."""
        if self.att is None:
            raise RuntimeError("attention_weights() needs a layer built with attention=True")
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        return self._scores(x @ self.weight.t(), hg, hyperedge_attr)

    def _attend(self, h: Tensor, hg: Hypergraph, alpha: Tensor) -> Tensor:
        key = f"hcha_{'sym' if self.symmetric else 'row'}_{dtype_key(h.dtype)}"
        weights = normalize.hgnn_weights if self.symmetric else normalize.hgnnp_weights
        a, b = cached(hg, key, lambda: weights(hg, h.dtype))
        hs = h.view(hg.num_nodes, self.heads, self.out_channels)
        outs = []
        for k in range(self.heads):
            xk = hs[:, k].contiguous()
            ak = alpha[:, k]
            outs.append(ops.e2v(ops.v2e(xk, hg, "sum", a * ak), hg, "sum", b * ak))
        return torch.stack(outs, dim=1)                                    # [N, heads, F']

    def forward(self, x: Tensor, hypergraph: Any, hyperedge_attr: Tensor | None = None,
                num_edges: int | None = None, edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        h = x @ self.weight.t()
        if self.att is None:
            if hyperedge_attr is not None:
                raise ValueError("'hyperedge_attr' is only used with attention=True")
            out = hgnn_operator(h, hg) if self.symmetric else hgnnp_operator(h, hg)
        else:
            alpha = self._scores(h, hg, hyperedge_attr)
            alpha = dropout(alpha, self.dropout, self.training)
            out = self._attend(h, hg, alpha)
            out = out.reshape(hg.num_nodes, -1) if self.concat else out.mean(dim=1)
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        parts = [f"{self.in_channels}, {self.out_channels}", f"symmetric={self.symmetric}"]
        if self.attention:
            parts += [f"attention=True, heads={self.heads}", f"concat={self.concat}"]
        return ", ".join(parts + [f"bias={self.bias is not None}"])
