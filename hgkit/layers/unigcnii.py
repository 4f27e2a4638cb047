r"""UniGCNII (Huang and Yang, "UniGNN: a Unified Framework for Graph and Hypergraph Neural
Networks", IJCAI 2021): GCNII's initial residual and identity mapping on the UniGCN
propagation. Two sparse passes through :mod:`hgkit.ops` with per-incidence weights cached on
the hypergraph.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import normalize
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, cached, check_features, dtype_key

__all__ = ["UniGCNIIConv", "unigcn_weights"]


def unigcn_weights(hg: Hypergraph, dtype: torch.dtype | None = None) -> Tensor:
    r"""Per-incidence weights ``[nnz]`` of the UniGCN hyperedge -> node pass,
    :math:`b_{ve} = d(v)^{-1/2}\, w_e\, \bar d_e^{-1/2}`.

    :math:`d(v) = \sum_e H_{ve} w_e` is the weighted node degree and
    :math:`\bar d_e = \frac{1}{|e|} \sum_{u \in e} d(u)` the mean degree of the hyperedge's
    members (over incidences); zero degrees give ``0``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> [round(v, 4) for v in unigcn_weights(hg).tolist()]      # d = (1, 2, 1), de = 1.5
        [0.8165, 0.5774, 0.5774, 0.8165]
    """
    dtype = dtype or torch.get_default_dtype()
    index = hg.hyperedge_index
    node, edge = index
    dv = normalize.node_degree(index, hg.num_nodes, hg.edge_weight, dtype=dtype)
    de = ops.v2e(dv, hg, "mean")
    w = (torch.ones_like(de) if hg.edge_weight is None else hg.edge_weight.to(dtype))
    return (normalize.degree_power(dv, -0.5)[node]
            * (w * normalize.degree_power(de, -0.5))[edge])


def _unit(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"Expected '{name}' to be a number in [0, 1] (got {value!r})")
    return float(value)


class UniGCNIIConv(HypergraphLayer):
    r"""The UniGCNII convolution (Huang and Yang, "UniGNN: a Unified Framework for Graph and
    Hypergraph Neural Networks", IJCAI 2021).

    .. math::
        h_e &= \frac{1}{|e|} \sum_{u \in e} x_u, \qquad
        \bar d_e = \frac{1}{|e|} \sum_{u \in e} d(u), \qquad
        \tilde x_v = \frac{1}{\sqrt{d(v)}} \sum_{e \ni v} \frac{w_e}{\sqrt{\bar d_e}}\, h_e, \\
        x'_v &= \big((1 - \alpha)\, \tilde x_v + \alpha\, x^{(0)}_v\big)
        \big((1 - \beta) I + \beta W\big),

    i.e. the UniGCN propagation of the raw features (mean of the members, then a
    :math:`d^{-1/2}`-normalized sum), GCNII's initial residual towards :math:`x^{(0)}`
    (``x0``; ``x`` itself when omitted) and its identity mapping, with
    :math:`\beta = \log(\lambda / l + 1)` from the layer index :math:`l \ge 1` as in GCNII, or
    given directly. The identity term needs ``in_channels == out_channels``; the class keeps both
    arguments for the common constructor signature and raises otherwise.

    Choices where the paper is silent: :math:`d(v) = \sum_e H_{ve} w_e` is the weighted node
    degree and :math:`w_e` scales each hyperedge's message (unit weights give the paper's
    operator); means count repeated incidences; an isolated node has :math:`\tilde x_v = 0`
    (the UniGNN / AllSet code sets :math:`d(v)^{-1/2} = 1` there, which also gives 0 since the
    sum is empty). No bias, as in GCNII / UniGNN. The AllSet benchmark adds a self-loop
    hyperedge per node (a dataset transform, not part of the layer) and uses
    ``alpha=0.1, lamda=0.5``.

    Args:
        in_channels: feature size :math:`F` of ``x`` and ``x0``.
        out_channels: output size; must equal ``in_channels`` (default: ``in_channels``).
        alpha: initial-residual strength :math:`\alpha \in [0, 1]`.
        beta: identity-mapping strength :math:`\beta \in [0, 1]`; give either ``beta`` or
            ``lamda`` / ``layer``.
        lamda: GCNII's :math:`\lambda > 0` (default ``0.5`` when ``beta`` is not given).
        layer: the layer index :math:`l \ge 1` (default ``1`` when ``beta`` is not given).

    Shapes:
        ``x`` ``[N, F]``, ``x0`` ``[N, F]`` -> ``[N, F]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> conv = UniGCNIIConv(8, alpha=0.1, lamda=0.5, layer=2)
        >>> round(conv.beta, 4)                                   # log(0.5 / 2 + 1)
        0.2231
        >>> x0 = torch.randn(3, 8)
        >>> conv(torch.randn(3, 8), hg, x0=x0).shape
        torch.Size([3, 8])
    """

    def __init__(self, in_channels: int, out_channels: int | None = None, alpha: float = 0.1,
                 beta: float | None = None, lamda: float | None = None,
                 layer: int | None = None) -> None:
        out = in_channels if out_channels is None else out_channels
        super().__init__(in_channels, out)
        if out != in_channels:
            raise ValueError(f"UniGCNIIConv needs out_channels == in_channels for its identity "
                             f"mapping (got in_channels={in_channels}, out_channels={out})")
        self.alpha = _unit(alpha, "alpha")
        if beta is not None:
            if lamda is not None or layer is not None:
                raise ValueError("Give either 'beta' or 'lamda' / 'layer', not both "
                                 f"(got beta={beta!r}, lamda={lamda!r}, layer={layer!r})")
            self.beta = _unit(beta, "beta")
        else:
            lamda = 0.5 if lamda is None else lamda
            layer = 1 if layer is None else layer
            if isinstance(lamda, bool) or not isinstance(lamda, (int, float)) or not (
                    math.isfinite(lamda) and lamda > 0):
                raise ValueError(f"Expected 'lamda' to be a positive number (got {lamda!r})")
            if isinstance(layer, bool) or not isinstance(layer, int) or layer < 1:
                raise ValueError(f"Expected 'layer' to be an int >= 1 (got {layer!r})")
            self.beta = math.log(lamda / layer + 1.0)
        self.lamda, self.layer = lamda, layer
        self.weight = nn.Parameter(torch.empty(out, in_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s default initialization of :math:`W` (as UniGNN's ``nn.Linear``)."""
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def propagate(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                  edge_weight: Tensor | None = None) -> Tensor:
        r"""The UniGCN smoothing :math:`\tilde x` alone (no residual, no weights)."""
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        return self._propagate(x, hg)

    def _propagate(self, x: Tensor, hg: Hypergraph) -> Tensor:
        b = cached(hg, f"unigcn_{dtype_key(x.dtype)}", lambda: unigcn_weights(hg, x.dtype))
        return ops.e2v(ops.v2e(x, hg, "mean"), hg, "sum", b)

    def forward(self, x: Tensor, hypergraph: Any, x0: Tensor | None = None,
                num_edges: int | None = None, edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        if x0 is None:
            x0 = x
        else:
            x0 = check_features(x0, hg.num_nodes, self.in_channels, hg.device, name="x0")
            if x0.dtype != x.dtype:
                raise TypeError(f"Expected 'x0' to have the dtype of 'x' {x.dtype} "
                                f"(got {x0.dtype})")
        h = (1.0 - self.alpha) * self._propagate(x, hg) + self.alpha * x0
        return (1.0 - self.beta) * h + self.beta * (h @ self.weight.t())

    def extra_repr(self) -> str:
        return f"{self.in_channels}, alpha={self.alpha}, beta={self.beta:.4g}"
