r"""Degrees and normalization weights of hypergraph operators, as pure functions.

Notation: :math:`H \in \{0,1\}^{N\times M}` is the incidence matrix (a repeated incidence
``(v, e)`` counts twice, i.e. :math:`H_{ve}` is the multiplicity), :math:`W = \mathrm{diag}(w)`
the hyperedge weights and :math:`U = \mathrm{diag}(u)` the node weights (both default to 1).

* node degree :math:`d(v) = \sum_e H_{ve} w_e` (``D_v``),
* hyperedge degree :math:`\delta(e) = \sum_v H_{ve} u_v` (``D_e``; with unit node weights this is
  the hyperedge size :math:`|e|`).

**Zero-degree policy** (the one place it is decided): any power :math:`d^{p}` with :math:`p < 0`
of a zero degree is defined as ``0``. Hence an isolated node receives a zero message and an empty
hyperedge sends nothing; no ``inf`` or ``NaN`` ever appears. This matches DHG and PyG.

Operators are returned *factored* as per-incidence weights so that a layer applies them in two
sparse passes (node -> hyperedge, hyperedge -> node) with O(nnz) memory:

.. math::
    Y_v = \sum_{e \ni v} b_{ve} \sum_{u \in e} a_{ue} X_u .

Example:
    >>> import torch
    >>> idx = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
    >>> node_degree(idx, 3)
    tensor([1., 2., 1.])
    >>> degree_power(torch.tensor([0.0, 4.0]), -0.5)
    tensor([0.0000, 0.5000])
"""

from __future__ import annotations

import torch
from torch import Tensor

from hgkit.typing import OptTensor

__all__ = [
    "node_degree",
    "edge_degree",
    "degree_power",
    "hgnn_weights",
    "hgnnp_weights",
    "random_walk_weights",
]


def _weighted_count(ids: Tensor, size: int, weight: OptTensor, dtype: torch.dtype) -> Tensor:
    if weight is None:
        values = torch.ones(ids.numel(), dtype=dtype, device=ids.device)
    else:
        values = weight.to(dtype)
    out = torch.zeros(size, dtype=dtype, device=ids.device)
    return out.index_add_(0, ids, values)


def node_degree(
    hyperedge_index: Tensor,
    num_nodes: int,
    edge_weight: OptTensor = None,
    dtype: torch.dtype | None = None,
) -> Tensor:
    r"""Weighted node degree :math:`d(v) = \sum_e H_{ve} w_e`.

    Args:
        hyperedge_index: ``[2, nnz]`` incidences (row 0 nodes, row 1 hyperedges).
        num_nodes: number of nodes ``N``.
        edge_weight: optional ``[M]`` hyperedge weights ``w`` (default all ones).
        dtype: floating dtype of the result (default: ``edge_weight``'s or torch's default).

    Returns:
        ``[N]`` float tensor.
    """
    dtype = dtype or (edge_weight.dtype if edge_weight is not None else torch.get_default_dtype())
    per_incidence = None if edge_weight is None else edge_weight[hyperedge_index[1]]
    return _weighted_count(hyperedge_index[0], num_nodes, per_incidence, dtype)


def edge_degree(
    hyperedge_index: Tensor,
    num_edges: int,
    node_weight: OptTensor = None,
    dtype: torch.dtype | None = None,
) -> Tensor:
    r"""Weighted hyperedge degree :math:`\delta(e) = \sum_v H_{ve} u_v` (``|e|`` by default).

    Args:
        hyperedge_index: ``[2, nnz]`` incidences.
        num_edges: number of hyperedges ``M``.
        node_weight: optional ``[N]`` node weights ``u`` (default all ones).
        dtype: floating dtype of the result.

    Returns:
        ``[M]`` float tensor.
    """
    dtype = dtype or (node_weight.dtype if node_weight is not None else torch.get_default_dtype())
    per_incidence = None if node_weight is None else node_weight[hyperedge_index[0]]
    return _weighted_count(hyperedge_index[1], num_edges, per_incidence, dtype)


def degree_power(degree: Tensor, power: float) -> Tensor:
    """``degree ** power`` with the zero-degree policy: a zero degree maps to 0 for power < 0.

    Args:
        degree: non-negative float tensor.
        power: exponent, e.g. ``-0.5`` or ``-1``.
    """
    out = degree.pow(power)
    if power < 0:
        out = out.masked_fill(degree == 0, 0.0)
    return out


def _weights(hg, dtype: torch.dtype | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(Dv, De, w) as float tensors: the cached degrees, or recomputed in ``dtype``."""
    if dtype is None or dtype == hg.node_degree.dtype:
        dv, de = hg.node_degree, hg.edge_degree
    else:
        index = hg.hyperedge_index
        dv = node_degree(index, hg.num_nodes, hg.edge_weight, dtype=dtype)
        de = edge_degree(index, hg.num_edges, hg.node_weight, dtype=dtype)
    w = hg.edge_weight if hg.edge_weight is not None else torch.ones_like(de)
    return dv, de, w.to(de.dtype)


def hgnn_weights(hg, dtype: torch.dtype | None = None) -> tuple[Tensor, Tensor]:
    r"""Factored HGNN operator :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2}`.

    Returns ``(a, b)``, each ``[nnz]``, with :math:`a_{ve} = d(v)^{-1/2}\, w_e\, \delta(e)^{-1}`
    applied node -> hyperedge and :math:`b_{ve} = d(v)^{-1/2}` applied hyperedge -> node.
    The weights ``w`` enter both the operator and :math:`D_v` (Feng et al., AAAI 2019).
    ``dtype`` recomputes the degrees in that precision (default: the cached degrees' dtype).
    """
    dv, de, w = _weights(hg, dtype)
    node, edge = hg.hyperedge_index
    dv_inv_sqrt = degree_power(dv, -0.5)
    a = dv_inv_sqrt[node] * (w * degree_power(de, -1.0))[edge]
    b = dv_inv_sqrt[node]
    return a, b


def hgnnp_weights(hg, dtype: torch.dtype | None = None) -> tuple[Tensor, Tensor]:
    r"""Factored HGNN+ two-stage mean :math:`D_v^{-1} H W D_e^{-1} H^\top`.

    Returns ``(a, b)`` with :math:`a_{ve} = \delta(e)^{-1}` (mean over the hyperedge's nodes)
    and :math:`b_{ve} = w_e\, d(v)^{-1}` (weighted mean over the node's hyperedges).
    """
    dv, de, w = _weights(hg, dtype)
    node, edge = hg.hyperedge_index
    a = degree_power(de, -1.0)[edge]
    b = w[edge] * degree_power(dv, -1.0)[node]
    return a, b


def random_walk_weights(hg, dtype: torch.dtype | None = None) -> tuple[Tensor, Tensor]:
    r"""Factored random-walk operator :math:`D_v^{-1} H W D_e^{-1} H^\top`.

    Identical to :func:`hgnnp_weights`; provided under its usual name. Rows of the dense
    operator sum to 1 for every non-isolated node.
    """
    return hgnnp_weights(hg, dtype)
