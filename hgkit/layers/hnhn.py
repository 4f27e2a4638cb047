r"""HNHN (Dong, Sawin and Bengio, "HNHN: Hypergraph Networks with Hyperedge Neurons",
ICML 2020 GRL+ workshop, arXiv 2006.12278).

Hyperedges are neurons of their own: a node -> hyperedge linear map followed by a nonlinearity
computes hyperedge features, and a hyperedge -> node linear map brings them back. Both averages
are weighted by powers of the degrees (the paper's :math:`\alpha` / :math:`\beta`
normalization). Applied as two sparse passes through :mod:`hgkit.ops`; the per-incidence
weights are cached on the hypergraph.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import normalize
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, cached, dtype_key

__all__ = ["HNHNConv", "hnhn_weights"]

_ACTS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU, "prelu": nn.PReLU,
    "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
}


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"Expected '{name}' to be a finite number (got {value!r})")
    return float(value)


def _activation(act: Any) -> nn.Module:
    if act is None:
        return nn.Identity()
    if isinstance(act, str):
        if act not in _ACTS:
            raise ValueError(f"Expected 'act' to be one of {sorted(_ACTS)}, a module, a callable "
                             f"or None (got {act!r})")
        return _ACTS[act]()
    if isinstance(act, nn.Module):
        return act
    if callable(act):
        return _Lambda(act)
    raise ValueError(f"Expected 'act' to be a string, a module, a callable or None (got {act!r})")


class _Lambda(nn.Module):
    def __init__(self, fn: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))


def hnhn_weights(hg: Hypergraph, alpha: float, beta: float,
                 dtype: torch.dtype | None = None) -> tuple[Tensor, Tensor]:
    r"""Per-incidence weights of the two HNHN averages.

    Returns ``(a, b)``, each ``[nnz]``:

    .. math::
        a_{ve} = \frac{d(v)^{\beta}}{\sum_{u \in e} d(u)^{\beta}} \quad (\text{node} \to
        \text{hyperedge}), \qquad
        b_{ve} = \frac{w_e\, \delta(e)^{\alpha}}{\sum_{e' \ni v} w_{e'}\, \delta(e')^{\alpha}}
        \quad (\text{hyperedge} \to \text{node}),

    with the weighted node degree :math:`d(v) = \sum_e H_{ve} w_e`, the hyperedge degree
    :math:`\delta(e) = \sum_v H_{ve} u_v` (the size :math:`|e|` without node weights) and sums
    over incidences (a repeated incidence counts twice). Negative powers of zero and empty sums
    follow the zero-degree policy of :mod:`hgkit.hypergraph.normalize` (they give ``0``).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> a, b = hnhn_weights(hg, alpha=0.0, beta=0.0)    # two plain means
        >>> a.tolist(), b.tolist()
        ([0.5, 0.5, 0.5, 0.5], [1.0, 0.5, 0.5, 1.0])
    """
    dtype = dtype or torch.get_default_dtype()
    index = hg.hyperedge_index
    node, edge = index
    dv = normalize.node_degree(index, hg.num_nodes, hg.edge_weight, dtype=dtype)
    de = normalize.edge_degree(index, hg.num_edges, hg.node_weight, dtype=dtype)
    w = (torch.ones_like(de) if hg.edge_weight is None else hg.edge_weight.to(dtype))
    num = normalize.degree_power(dv, beta)[node]                       # d(v)^beta per incidence
    den = torch.zeros_like(de).index_add_(0, edge, num)              # sum_{u in e} d(u)^beta
    a = num * normalize.degree_power(den, -1.0)[edge]
    num = (w * normalize.degree_power(de, alpha))[edge]              # w_e delta(e)^alpha
    den = torch.zeros_like(dv).index_add_(0, node, num)              # sum_{e' ni v} ...
    b = num * normalize.degree_power(den, -1.0)[node]
    return a, b


class HNHNConv(HypergraphLayer):
    r"""The HNHN convolution (Dong, Sawin and Bengio, "HNHN: Hypergraph Networks with Hyperedge
    Neurons", 2020).

    .. math::
        X_E &= \sigma\big(D_{E,\beta}^{-1} H^\top D_{V,\beta}\, X \Theta_V + b_V\big)
        \in \mathbb{R}^{M \times F_h}, \\
        X' &= D_{V,\alpha}^{-1} H W D_{E,\alpha}\, X_E \Theta_E + b_E,

    with :math:`D_{V,\beta} = \mathrm{diag}(d(v)^\beta)`,
    :math:`D_{E,\beta} = \mathrm{diag}(\sum_{v \in e} d(v)^\beta)` (i.e.
    :math:`H^\top D_{V,\beta} \mathbf{1}`), :math:`D_{E,\alpha} = \mathrm{diag}(|e|^\alpha)` and
    :math:`D_{V,\alpha} = \mathrm{diag}(\sum_{e \ni v} w_e |e|^\alpha)` (i.e.
    :math:`H W D_{E,\alpha} \mathbf{1}`). So a hyperedge is the :math:`d(v)^\beta`-weighted
    mean of its members and a node the :math:`w_e |e|^\alpha`-weighted mean of its hyperedges;
    ``alpha = beta = 0`` gives two plain means. The paper tunes :math:`\alpha, \beta` per
    dataset; the AllSet benchmark's ``train.py`` defaults to ``alpha=-1.5, beta=-0.5`` (with the
    inner nonlinearity on), so pass those for that setting.

    Choices where the paper is silent (the paper has no hyperedge or node weights):

    * :math:`d(v) = \sum_e H_{ve} w_e` is the weighted node degree and :math:`|e|` the
      hyperedge degree :math:`\delta(e) = \sum_v H_{ve} u_v` (the size without node weights);
      hyperedge weights :math:`W` scale each hyperedge's vote in the hyperedge -> node mean.
      With unit weights this is exactly the paper's operator.
    * Biases are added *after* each average, as in the paper's equations (an isolated node
      outputs :math:`b_E`; an empty hyperedge gets :math:`\sigma(b_V)` but has no member to
      send it to). Zero degrees follow the zero-degree policy (negative powers of 0 are 0).
    * The nonlinearity :math:`\sigma` between the two halves (the hyperedge neurons) is part
      of the operator (``act``, ReLU by default); the output has none, models add it.

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output feature size :math:`F'`.
        hidden_channels: hyperedge-neuron size :math:`F_h` (default ``out_channels``).
        alpha: exponent :math:`\alpha` of the hyperedge sizes (hyperedge -> node).
        beta: exponent :math:`\beta` of the node degrees (node -> hyperedge).
        act: nonlinearity of the hyperedge neurons: ``"relu"`` (default), ``"elu"``,
            ``"leaky_relu"``, ``"prelu"``, ``"gelu"``, ``"tanh"``, ``"sigmoid"``,
            ``"identity"``, ``None`` (identity), an ``nn.Module`` or a callable.
        bias: learn :math:`b_V` and :math:`b_E`.

    Shapes:
        ``x`` ``[N, F]`` -> ``[N, F']``; :meth:`edge_features` gives ``X_E`` ``[M, F_h]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> conv = HNHNConv(4, 8, hidden_channels=16, alpha=-1.5, beta=-0.5)
        >>> conv(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int | None = None,
                 alpha: float = 0.0, beta: float = 0.0,
                 act: str | nn.Module | Callable[[Tensor], Tensor] | None = "relu",
                 bias: bool = True) -> None:
        super().__init__(in_channels, out_channels)
        hidden = out_channels if hidden_channels is None else hidden_channels
        if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
            raise ValueError(f"Expected 'hidden_channels' to be a positive int or None "
                             f"(got {hidden_channels!r})")
        self.hidden_channels = hidden
        self.alpha = _number(alpha, "alpha")
        self.beta = _number(beta, "beta")
        self.act = _activation(act)
        self.weight_v2e = nn.Parameter(torch.empty(hidden, in_channels))
        self.weight_e2v = nn.Parameter(torch.empty(out_channels, hidden))
        self.bias_v2e = nn.Parameter(torch.empty(hidden)) if bias else None
        self.bias_e2v = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s default initialization for both linear maps (as the AllSet code's
        ``nn.Linear`` layers)."""
        for weight, bias in ((self.weight_v2e, self.bias_v2e), (self.weight_e2v, self.bias_e2v)):
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
            if bias is not None:
                bound = 1.0 / math.sqrt(weight.size(1))
                nn.init.uniform_(bias, -bound, bound)

    def _weights(self, hg: Hypergraph, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
        key = f"hnhn_{self.alpha!r}_{self.beta!r}_{dtype_key(dtype)}"
        return cached(hg, key, lambda: hnhn_weights(hg, self.alpha, self.beta, dtype))

    def _edges(self, x: Tensor, hg: Hypergraph, a: Tensor) -> Tensor:
        xe = ops.v2e(x @ self.weight_v2e.t(), hg, "sum", a)
        if self.bias_v2e is not None:
            xe = xe + self.bias_v2e
        return self.act(xe)

    def edge_features(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                      edge_weight: Tensor | None = None) -> Tensor:
        """The hyperedge neurons :math:`X_E` ``[M, F_h]`` (after the nonlinearity)."""
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        return self._edges(x, hg, self._weights(hg, x.dtype)[0])

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        a, b = self._weights(hg, x.dtype)
        out = ops.e2v(self._edges(x, hg, a) @ self.weight_e2v.t(), hg, "sum", b)
        if self.bias_e2v is not None:
            out = out + self.bias_e2v
        return out

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, hidden_channels="
                f"{self.hidden_channels}, alpha={self.alpha}, beta={self.beta}, "
                f"bias={self.bias_e2v is not None}")
