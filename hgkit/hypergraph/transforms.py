r"""Structural transforms of hypergraphs: expansions, dual, DHT, self-loops, dedup, subgraphs.

Every function is pure: it validates its input once, never mutates it, and returns new objects
on the device of the input (projections are computed with :mod:`scipy.sparse` on the CPU and the
result is moved back explicitly). Weights and attributes always follow their rows: node fields
follow kept nodes, hyperedge fields follow kept hyperedges, ``incidence_attr`` follows kept
incidences.

Notation: :math:`H \in \mathbb{N}^{N\times M}` is the incidence matrix holding multiplicities
(a repeated incidence ``(v, e)`` gives :math:`H_{ve} = 2`), :math:`W = \mathrm{diag}(w)` the
hyperedge weights (all ones when absent).

The dual hypergraph transformation of graphs (:func:`dht`, :func:`dht_inverse`) lives in
:mod:`hgkit.hypergraph.dht` and is re-exported here.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.dht import dht, dht_inverse
from hgkit.hypergraph.hypergraph import Hypergraph

if TYPE_CHECKING:
    import networkx

__all__ = [
    "clique_expansion", "star_expansion", "line_graph", "dual", "dht", "dht_inverse",
    "add_self_loops", "remove_duplicate_edges", "remove_duplicate_incidences", "subhypergraph",
    "drop_incidences", "drop_edges",
]

_FORMATS = ("edge_index", "scipy", "networkx")


# ---------------------------------------------------------------------- validation helpers
def _check_hypergraph(hg: Any, name: str = "hg") -> Hypergraph:
    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected '{name}' to be a Hypergraph (got {C.describe(hg)})")
    return hg


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"Expected '{name}' to be a bool (got {C.describe(value)})")
    return value


def _to_mask(value: Any, size: int, name: str, size_name: str, device: torch.device) -> Tensor:
    """A bool mask ``[size]`` from ``None`` (all true), a bool mask or a list of ids."""
    if value is None:
        return torch.ones(size, dtype=torch.bool, device=device)
    if isinstance(value, Tensor) and value.device != device:
        raise ValueError(
            f"Expected '{name}' on device {device} like the hypergraph (got {value.device})"
        )
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (bool, np.bool_)) for v in value):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype == np.bool_:
        value = torch.from_numpy(value).to(device)
    if isinstance(value, Tensor) and value.dtype == torch.bool:
        if value.dim() != 1 or value.numel() != size:
            raise ValueError(
                f"Expected boolean mask '{name}' to have shape [{size}] ({size_name}={size}) "
                f"(got {list(value.shape)})"
            )
        return value
    ids = C.to_index_tensor(value, name, ndim=1).to(device)
    C.check_ids_below(ids, name, size, size_name)
    mask = torch.zeros(size, dtype=torch.bool, device=device)
    mask[ids] = True
    return mask


def _weight_dtype(hg: Hypergraph) -> torch.dtype:
    return hg.edge_weight.dtype if hg.edge_weight is not None else torch.get_default_dtype()


# ---------------------------------------------------------------------- projections
def _gram(rows: np.ndarray, cols: np.ndarray, n: int, m: int, weight: np.ndarray | None,
          weighted: bool, self_loops: bool) -> sp.csr_matrix:
    r"""Canonical CSR of :math:`H W H^\top` (``H`` from (rows, cols) with multiplicities).

    The sparsity pattern is always that of :math:`H H^\top` (pairs sharing at least one column),
    so pairs sharing only zero-weight columns are kept as explicit zeros.
    """
    inc = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, m))
    use_weight = weighted and weight is not None
    if use_weight and not bool((weight > 0).all()):
        # Zero weights would drop pairs from the product: read its values onto the pattern
        # of the (always positive) count product instead.
        counts = (inc @ inc.T).tocoo()
        r, c = counts.row, counts.col
        prod = (inc @ sp.diags(weight) @ inc.T).tocoo()
        key = r.astype(np.int64) * n + c
        order = np.argsort(key)
        where = order[np.searchsorted(key, prod.row.astype(np.int64) * n + prod.col,
                                      sorter=order)]
        values = np.zeros(key.size)
        values[where] = prod.data
    else:
        prod = ((inc @ sp.diags(weight) if use_weight else inc) @ inc.T).tocoo()
        r, c = prod.row, prod.col
        values = prod.data if weighted else np.ones(prod.nnz)
    if not self_loops:
        off = r != c
        r, c, values = r[off], c[off], values[off]
    out = sp.csr_matrix((values, (r, c)), shape=(n, n))
    out.sort_indices()
    return out


def _graph_output(mat: sp.csr_matrix, fmt: str, dtype: torch.dtype, device: torch.device
                  ) -> Any:
    if fmt == "scipy":
        return mat
    coo = mat.tocoo()
    if fmt == "networkx":
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(mat.shape[0]))
        upper = coo.row <= coo.col
        graph.add_weighted_edges_from(
            zip(coo.row[upper].tolist(), coo.col[upper].tolist(), coo.data[upper].tolist(),
                strict=True)
        )
        return graph
    edge_index = torch.from_numpy(np.stack([coo.row, coo.col]).astype(np.int64)).to(device)
    edge_weight = torch.from_numpy(coo.data).to(dtype=dtype, device=device)
    return edge_index, edge_weight


def clique_expansion(
    hg: Hypergraph,
    weighted: bool = True,
    self_loops: bool = False,
    format: str = "edge_index",
) -> tuple[Tensor, Tensor] | sp.csr_matrix | networkx.Graph:
    r"""The clique expansion (2-section, projected graph) of a hypergraph.

    Nodes ``u != v`` are adjacent iff they share at least one hyperedge. With
    ``weighted=True`` the weight is the off-diagonal entry of

    .. math::
        A = H W H^\top, \qquad A_{uv} = \sum_e H_{ue} H_{ve} w_e,

    i.e. the number of shared hyperedges, or the sum of their weights :math:`w_e` when the
    hypergraph has ``edge_weight``. ``H`` holds multiplicities, so a repeated incidence counts
    with its multiplicity (consistently with degrees). The structure never depends on weights:
    a pair sharing only zero-weight hyperedges is an edge of weight ``0``. With
    ``weighted=False`` every weight is ``1``. Node weights are ignored.

    Cost: the product has up to :math:`\sum_e |e|^2` nonzeros, so time and memory are
    :math:`O(\sum_e |e|^2)`; one hyperedge with 10^5 nodes yields 10^10 pairs. Layers never
    need this matrix (see :mod:`hgkit.hypergraph.normalize`); use it for graph baselines and
    reconstruction. Computed with :mod:`scipy.sparse` on the CPU.

    Args:
        hg: the hypergraph.
        weighted: sum (weighted) shared-hyperedge counts, or use weight 1.
        self_loops: keep the diagonal, :math:`A_{vv} = \sum_e H_{ve}^2 w_e` (``1`` if not
            ``weighted``), for every node in at least one hyperedge.
        format: ``"edge_index"``, ``"scipy"`` or ``"networkx"``.

    Returns:
        * ``"edge_index"``: ``(edge_index, edge_weight)`` on ``hg.device``; ``edge_index`` is
          ``[2, E]`` with both directions ``u -> v`` and ``v -> u``, sorted by source then
          target; ``edge_weight`` is ``[E]`` in ``hg.edge_weight``'s dtype (default float).
        * ``"scipy"``: the symmetric ``N x N`` float64 CSR matrix (sorted indices).
        * ``"networkx"``: an undirected :class:`networkx.Graph` on all ``N`` nodes with a
          ``"weight"`` attribute per edge.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 1, 2], [0, 0, 0, 1, 1]]),
        ...                 edge_weight=torch.tensor([1.0, 0.5]))
        >>> clique_expansion(hg, format="scipy").toarray()
        array([[0. , 1. , 1. ],
               [1. , 0. , 1.5],
               [1. , 1.5, 0. ]])
        >>> sorted(clique_expansion(hg, format="networkx").edges(data="weight"))
        [(0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.5)]
    """
    hg = _check_hypergraph(hg)
    _check_bool(weighted, "weighted")
    _check_bool(self_loops, "self_loops")
    if format not in _FORMATS:
        raise ValueError(f"Expected 'format' to be one of {list(_FORMATS)} (got {format!r})")
    node, edge = hg.hyperedge_index.cpu().numpy()
    weight = None if hg.edge_weight is None else hg.edge_weight.detach().cpu().double().numpy()
    mat = _gram(node, edge, hg.num_nodes, hg.num_edges, weight, weighted, self_loops)
    return _graph_output(mat, format, _weight_dtype(hg), hg.device)


def line_graph(hg: Hypergraph, weighted: bool = False) -> tuple[Tensor, Tensor]:
    r"""The line graph: one node per hyperedge, ``e ~ f`` iff they share a node.

    The weight is the off-diagonal entry of :math:`H^\top H`, the number of shared nodes
    (counted with multiplicity), or ``1`` when ``weighted=False``. Node weights are ignored;
    for :math:`H^\top U H` use ``clique_expansion(hg.dual())``. Cost
    :math:`O(\sum_v d(v)^2)`, see :func:`clique_expansion`.

    Args:
        hg: the hypergraph.
        weighted: use shared-node counts as weights instead of ``1``.

    Returns:
        ``(edge_index, edge_weight)``: ``[2, E]`` edges between hyperedge ids with both
        directions, sorted by source then target, and ``[E]`` float weights.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 2], [0, 0, 1, 1, 2]]))
        >>> line_graph(hg, weighted=True)
        (tensor([[0, 1, 1, 2],
                [1, 0, 2, 1]]), tensor([1., 1., 1., 1.]))
    """
    hg = _check_hypergraph(hg)
    _check_bool(weighted, "weighted")
    node, edge = hg.hyperedge_index.cpu().numpy()
    mat = _gram(edge, node, hg.num_edges, hg.num_nodes, None, weighted, False)
    return _graph_output(mat, "edge_index", torch.get_default_dtype(), hg.device)


def star_expansion(hg: Hypergraph) -> tuple[Tensor, Tensor, Tensor]:
    r"""The star expansion: a bipartite graph on ``N + M`` nodes.

    Node ``v`` keeps its id and hyperedge ``e`` becomes node ``N + e``; every incidence
    ``(v, e)`` gives the edges ``v -> N + e`` and ``N + e -> v`` with weight :math:`w_e`. A
    repeated incidence gives a repeated (multi-)edge.

    Args:
        hg: the hypergraph.

    Returns:
        ``(edge_index, edge_weight, node_type)``: ``edge_index`` is ``[2, 2 nnz]``, the first
        ``nnz`` columns ``v -> N + e`` in incidence order and then the reversed ones, so
        ``torch.cat([incidence_attr] * 2)`` aligns with it; ``edge_weight`` ``[2 nnz]`` carries
        the hyperedge weights (ones if ``hg`` has none); ``node_type`` ``[N + M]`` (int64) is
        ``0`` for original nodes and ``1`` for hyperedge nodes.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]),
        ...                 edge_weight=torch.tensor([2.0, 3.0]))
        >>> star_expansion(hg)
        (tensor([[0, 1, 1, 2, 2, 3],
                [2, 2, 3, 0, 1, 1]]), tensor([2., 2., 3., 2., 2., 3.]), tensor([0, 0, 1, 1]))
    """
    hg = _check_hypergraph(hg)
    node, edge = hg.hyperedge_index
    n, device = hg.num_nodes, hg.device
    forward = torch.stack([node, edge + n])
    edge_index = torch.cat([forward, forward.flip(0)], dim=1)
    if hg.edge_weight is None:
        weight = torch.ones(hg.nnz, dtype=_weight_dtype(hg), device=device)
    else:
        weight = hg.edge_weight[edge]
    node_type = torch.cat([torch.zeros(n, dtype=torch.long, device=device),
                           torch.ones(hg.num_edges, dtype=torch.long, device=device)])
    return edge_index, torch.cat([weight, weight]), node_type


def dual(hg: Hypergraph) -> Hypergraph:
    r"""The dual hypergraph (function form of :meth:`Hypergraph.dual`): incidence
    :math:`H^\top`, node and hyperedge weights/attributes swapped, ``dual(dual(hg)) == hg``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> dual(Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]))).edges()
        [[0], [0, 1]]
    """
    return _check_hypergraph(hg).dual()


# ---------------------------------------------------------------------- self-loops
def add_self_loops(hg: Hypergraph, fill_weight: float = 1.0, only_missing: bool = False
                   ) -> Hypergraph:
    r"""Append one singleton hyperedge :math:`\{v\}` per node (AllSet / ED-HNN default).

    New hyperedges get ids ``M, M + 1, ...`` in node order and their incidences are appended
    after the existing ones. Their weight is ``fill_weight`` (an ``edge_weight`` vector is
    created, with ones for the old hyperedges, only if ``hg`` has none and
    ``fill_weight != 1``); their ``edge_attr`` rows and the new ``incidence_attr`` rows are
    zeros. Node fields are unchanged.

    Args:
        hg: the hypergraph.
        fill_weight: finite, non-negative weight of the new hyperedges.
        only_missing: add a loop only to nodes that have no hyperedge whose node set is
            exactly :math:`\{v\}` (a repeated incidence ``{v, v}`` counts as a loop).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3)
        >>> add_self_loops(hg).edges()
        [[0, 1], [2], [0], [1], [2]]
        >>> add_self_loops(hg, only_missing=True).edges()
        [[0, 1], [2], [0], [1]]
    """
    hg = _check_hypergraph(hg)
    _check_bool(only_missing, "only_missing")
    if isinstance(fill_weight, bool) or not isinstance(fill_weight, numbers.Real):
        raise TypeError(f"Expected 'fill_weight' to be a float (got {C.describe(fill_weight)})")
    if not np.isfinite(fill_weight) or fill_weight < 0:
        raise ValueError(f"Expected 'fill_weight' to be finite and >= 0 (got {fill_weight})")
    n, m, device = hg.num_nodes, hg.num_edges, hg.device
    node, edge = hg.hyperedge_index
    if only_missing:
        size = hg.edge_size
        lo = torch.full((m,), n, dtype=torch.long, device=device).scatter_reduce(
            0, edge, node, "amin")
        hi = torch.full((m,), -1, dtype=torch.long, device=device).scatter_reduce(
            0, edge, node, "amax")
        loop_nodes = lo[(size > 0) & (lo == hi)]
        has_loop = torch.zeros(n, dtype=torch.bool, device=device)
        has_loop[loop_nodes] = True
        new_nodes = (~has_loop).nonzero().view(-1)
    else:
        new_nodes = torch.arange(n, device=device)
    k = new_nodes.numel()
    new_index = torch.stack([new_nodes, torch.arange(m, m + k, device=device)])
    index = torch.cat([hg.hyperedge_index, new_index], dim=1)
    edge_weight = hg.edge_weight
    if edge_weight is None and fill_weight != 1.0:
        edge_weight = torch.ones(m, dtype=torch.get_default_dtype(), device=device)
    if edge_weight is not None:
        edge_weight = torch.cat([edge_weight, edge_weight.new_full((k,), float(fill_weight))])
    return Hypergraph._trusted(
        index, n, m + k, edge_weight=edge_weight,
        node_weight=hg.node_weight, node_attr=hg.node_attr,
        edge_attr=_pad_rows(hg.edge_attr, k),
        incidence_attr=_pad_rows(hg.incidence_attr, k),
    )


def _pad_rows(attr: Tensor | None, k: int) -> Tensor | None:
    if attr is None:
        return None
    return torch.cat([attr, attr.new_zeros((k, *attr.shape[1:]))])


# ---------------------------------------------------------------------- deduplication
def _node_hash_table(n: int) -> np.ndarray:
    """``[n, 2]`` fixed pseudo-random uint64 codes per node (Zobrist hashing of node sets)."""
    rng = np.random.default_rng(0x5EED)
    return rng.integers(0, np.iinfo(np.uint64).max, size=(n, 2), dtype=np.uint64,
                        endpoint=True)


def _set_representatives(node: np.ndarray, edge: np.ndarray, n: int, m: int) -> np.ndarray:
    """``rep[e]`` = the smallest hyperedge id whose node set equals that of ``e``.

    Vectorized: each node set is hashed to (size, 128-bit sum of random node codes), equal
    hashes are grouped with a stable ``np.lexsort``, and the grouping is verified member by
    member; on a (practically impossible) hash collision it falls back to exact tuple keys.
    """
    stride = max(n, 1)
    pairs = np.sort(edge.astype(np.int64) * stride + node)  # sorted unique (e, v)
    if pairs.size:
        pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    e_u, v_u = pairs // stride, pairs % stride
    size = np.bincount(e_u, minlength=m)
    ptr = np.concatenate([[0], np.cumsum(size)])
    codes = np.zeros((m, 2), dtype=np.uint64)
    nonempty = size > 0
    if pairs.size:
        codes[nonempty] = np.add.reduceat(_node_hash_table(n)[v_u], ptr[:-1][nonempty], axis=0)
    # Group equal (size, code) keys: a stable lexsort keeps ids ascending inside a group, so
    # the first of each group is its smallest hyperedge id.
    order = np.lexsort((codes[:, 1], codes[:, 0], size))
    sorted_keys = np.column_stack([size[order].astype(np.uint64), codes[order]])
    starts = np.ones(m, dtype=bool)
    starts[1:] = np.any(sorted_keys[1:] != sorted_keys[:-1], axis=1)
    rep = np.empty(m, dtype=np.int64)
    rep[order] = order[starts][np.cumsum(starts) - 1]
    pos = np.arange(pairs.size) - ptr[e_u]
    if np.array_equal(v_u, v_u[ptr[rep[e_u]] + pos]):
        return rep
    seen: dict[tuple[int, ...], int] = {}  # a hash collision: exact (slow) fallback
    return np.array([seen.setdefault(tuple(v_u[ptr[e]:ptr[e + 1]].tolist()), e)
                     for e in range(m)], dtype=np.int64)


def remove_duplicate_edges(
    hg: Hypergraph, return_index: bool = False, reduce: str = "first"
) -> Hypergraph | tuple[Hypergraph, Tensor]:
    r"""Drop every hyperedge whose node *set* equals that of an earlier hyperedge.

    The first occurrence is kept (with its own incidences, so a repeated incidence inside a
    kept hyperedge stays; see :func:`remove_duplicate_incidences`) and kept hyperedges are
    renumbered in their original order. ``edge_attr`` rows are those of the kept hyperedges.
    Empty hyperedges are duplicates of each other. Runs in :math:`O(\mathrm{nnz}\log)` time
    (hashing of sorted node sets, verified exactly), never :math:`O(M^2)`.

    Args:
        hg: the hypergraph.
        return_index: also return the original ids of the kept hyperedges.
        reduce: weight of a kept hyperedge: ``"first"`` keeps its own weight, ``"sum"`` sums
            the weights of all its duplicates (without ``edge_weight`` this is the
            multiplicity of the node set, returned as a new float ``edge_weight``).

    Returns:
        The deduplicated hypergraph, and with ``return_index`` the ``[M']`` int64 tensor of
        kept original hyperedge ids.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 0, 2], [0, 0, 1, 1, 2]]))
        >>> out, kept = remove_duplicate_edges(hg, return_index=True, reduce="sum")
        >>> out.edges(), kept, out.edge_weight
        ([[0, 1], [2]], tensor([0, 2]), tensor([2., 1.]))
    """
    hg = _check_hypergraph(hg)
    _check_bool(return_index, "return_index")
    if reduce not in ("first", "sum"):
        raise ValueError(f"Expected 'reduce' to be 'first' or 'sum' (got {reduce!r})")
    device, m = hg.device, hg.num_edges
    node, edge = hg.hyperedge_index.cpu().numpy()
    rep = _set_representatives(node, edge, hg.num_nodes, m)
    is_kept = rep == np.arange(m)
    new_id = np.cumsum(is_kept) - 1
    group = torch.from_numpy(new_id[rep]).to(device)
    kept = torch.from_numpy(np.flatnonzero(is_kept)).to(device)
    inc_mask = torch.from_numpy(is_kept[edge]).to(device)
    index = hg.hyperedge_index[:, inc_mask]
    index = torch.stack([index[0], group[index[1]]])
    edge_weight = hg.edge_weight
    if reduce == "sum":
        values = (torch.ones(m, dtype=torch.get_default_dtype(), device=device)
                  if edge_weight is None else edge_weight)
        edge_weight = values.new_zeros(kept.numel()).index_add_(0, group, values)
    elif edge_weight is not None:
        edge_weight = edge_weight[kept]
    out = Hypergraph._trusted(
        index, hg.num_nodes, kept.numel(), edge_weight=edge_weight,
        node_weight=hg.node_weight, node_attr=hg.node_attr,
        edge_attr=None if hg.edge_attr is None else hg.edge_attr[kept],
        incidence_attr=None if hg.incidence_attr is None else hg.incidence_attr[inc_mask],
    )
    return (out, kept) if return_index else out


def remove_duplicate_incidences(hg: Hypergraph) -> Hypergraph:
    r"""Collapse repeated incidences ``(v, e)`` to one, so that :math:`H \in \{0, 1\}`.

    The first occurrence (in incidence order) is kept with its ``incidence_attr``; the order of
    the kept incidences is preserved. Sizes, weights and node/hyperedge attributes are unchanged.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[1, 0, 1, 1], [0, 0, 0, 1]]))
        >>> remove_duplicate_incidences(hg).hyperedge_index
        tensor([[1, 0, 1],
                [0, 0, 1]])
    """
    hg = _check_hypergraph(hg)
    node, edge = hg.hyperedge_index
    key = edge * max(hg.num_nodes, 1) + node
    perm = torch.argsort(key, stable=True)
    first = torch.ones_like(perm, dtype=torch.bool)
    sorted_key = key[perm]
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    keep = perm[first].sort().values
    return Hypergraph._trusted(
        hg.hyperedge_index[:, keep], hg.num_nodes, hg.num_edges,
        edge_weight=hg.edge_weight, node_weight=hg.node_weight,
        edge_attr=hg.edge_attr, node_attr=hg.node_attr,
        incidence_attr=None if hg.incidence_attr is None else hg.incidence_attr[keep],
    )


# ---------------------------------------------------------------------- sub-hypergraphs
def _select(hg: Hypergraph, node_mask: Tensor, edge_mask: Tensor, inc_mask: Tensor,
            relabel: bool) -> tuple[Hypergraph, Tensor, Tensor]:
    """Restrict ``hg`` to the masked nodes / hyperedges / incidences (masks consistent)."""
    node_map = node_mask.nonzero().view(-1)
    edge_map = edge_mask.nonzero().view(-1)
    index = hg.hyperedge_index[:, inc_mask]
    inc_attr = None if hg.incidence_attr is None else hg.incidence_attr[inc_mask]
    if not relabel:
        out = Hypergraph._trusted(
            index, hg.num_nodes, hg.num_edges, edge_weight=hg.edge_weight,
            node_weight=hg.node_weight, edge_attr=hg.edge_attr, node_attr=hg.node_attr,
            incidence_attr=inc_attr,
        )
        return out, node_map, edge_map
    new_node = torch.cumsum(node_mask, 0) - 1
    new_edge = torch.cumsum(edge_mask, 0) - 1
    index = torch.stack([new_node[index[0]], new_edge[index[1]]])

    def rows(attr: Tensor | None, ids: Tensor) -> Tensor | None:
        return None if attr is None else attr[ids]

    out = Hypergraph._trusted(
        index, node_map.numel(), edge_map.numel(),
        edge_weight=rows(hg.edge_weight, edge_map), node_weight=rows(hg.node_weight, node_map),
        edge_attr=rows(hg.edge_attr, edge_map), node_attr=rows(hg.node_attr, node_map),
        incidence_attr=inc_attr,
    )
    return out, node_map, edge_map


def subhypergraph(
    hg: Hypergraph,
    nodes: Any = None,
    edges: Any = None,
    *,
    drop_empty: bool = True,
    drop_isolated: bool = False,
    relabel: bool = True,
) -> tuple[Hypergraph, Tensor, Tensor]:
    r"""The sub-hypergraph induced by a node set and/or a hyperedge set.

    An incidence ``(v, e)`` is kept iff ``v`` is a selected node and ``e`` a selected
    hyperedge, so selecting nodes restricts every hyperedge to :math:`e \cap S` and selecting
    hyperedges keeps them whole.

    Args:
        hg: the hypergraph.
        nodes: nodes to keep, a ``[N]`` bool mask or ids (any order, duplicates ignored);
            ``None`` keeps all nodes.
        edges: hyperedges to keep, a ``[M]`` bool mask or ids; ``None`` keeps all.
        drop_empty: drop selected hyperedges that *become* empty (lost all their incidences);
            hyperedges that were already empty are kept. Default ``True``, as restricting to a
            node set usually should not leave empty hyperedges behind.
        drop_isolated: keep only the selected nodes that are covered by a kept incidence
            (default ``False``: every selected node is kept, possibly isolated).
        relabel: renumber the kept nodes and hyperedges ``0, 1, ...`` in increasing original
            id. With ``relabel=False`` sizes, weights and attributes stay as in ``hg`` and only
            incidences are removed.

    Returns:
        ``(sub_hg, node_map, edge_map)``: ``node_map[i]`` is the original id of new node ``i``
        and ``edge_map[j]`` that of new hyperedge ``j`` (the kept ids, sorted). Weights and
        attributes follow their rows; ``incidence_attr`` follows the kept incidences.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2, 3], [0, 0, 0, 1, 1]]),
        ...                 edge_weight=torch.tensor([1.0, 2.0]))
        >>> sub, node_map, edge_map = subhypergraph(hg, nodes=[0, 1, 3])
        >>> sub.edges(), node_map, edge_map, sub.edge_weight
        ([[0, 1], [2]], tensor([0, 1, 3]), tensor([0, 1]), tensor([1., 2.]))
        >>> sub, node_map, edge_map = subhypergraph(hg, edges=[1], drop_isolated=True)
        >>> sub.edges(), node_map, edge_map
        ([[0, 1]], tensor([2, 3]), tensor([1]))
    """
    hg = _check_hypergraph(hg)
    for flag, name in ((drop_empty, "drop_empty"), (drop_isolated, "drop_isolated"),
                       (relabel, "relabel")):
        _check_bool(flag, name)
    device = hg.device
    node_mask = _to_mask(nodes, hg.num_nodes, "nodes", "num_nodes", device)
    edge_mask = _to_mask(edges, hg.num_edges, "edges", "num_edges", device)
    node, edge = hg.hyperedge_index
    inc_mask = node_mask[node] & edge_mask[edge]
    if drop_empty:
        kept_size = torch.bincount(edge[inc_mask], minlength=hg.num_edges)
        edge_mask = edge_mask & ~((kept_size == 0) & (hg.edge_size > 0))
    if drop_isolated:
        covered = torch.bincount(node[inc_mask], minlength=hg.num_nodes) > 0
        node_mask = node_mask & covered
    return _select(hg, node_mask, edge_mask, inc_mask, relabel)


# ---------------------------------------------------------------------- random dropping
def _uniform(n: int, seed: int | None, device: torch.device) -> Tensor:
    generator = None
    if seed is not None:
        generator = torch.Generator(device=device)
        generator.manual_seed(seed)
    return torch.rand(n, generator=generator, device=device)


def drop_incidences(hg: Hypergraph, p: float, seed: int | None = None) -> Hypergraph:
    r"""Remove each incidence independently with probability ``p`` (incidence dropout).

    Sizes, weights and node/hyperedge attributes are unchanged (hyperedges may become empty,
    nodes isolated); ``incidence_attr`` follows the kept incidences, whose order is preserved.

    Args:
        hg: the hypergraph.
        p: drop probability in ``[0, 1]``; ``0`` keeps everything, ``1`` removes every
            incidence.
        seed: seeds a fresh :class:`torch.Generator` on ``hg.device`` (same seed, same result);
            ``None`` draws from torch's global RNG.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2], [0, 0, 0, 1]]))
        >>> drop_incidences(hg, 0.5, seed=0) == drop_incidences(hg, 0.5, seed=0)
        True
        >>> drop_incidences(hg, 1.0).nnz, drop_incidences(hg, 1.0).num_edges
        (0, 2)
    """
    hg = _check_hypergraph(hg)
    p = C.check_probability(p, "p")
    seed = C.check_seed(seed)
    keep = _uniform(hg.nnz, seed, hg.device) >= p
    node_mask = torch.ones(hg.num_nodes, dtype=torch.bool, device=hg.device)
    edge_mask = torch.ones(hg.num_edges, dtype=torch.bool, device=hg.device)
    return _select(hg, node_mask, edge_mask, keep, relabel=False)[0]


def drop_edges(hg: Hypergraph, p: float, seed: int | None = None
               ) -> tuple[Hypergraph, Tensor]:
    r"""Remove each hyperedge independently with probability ``p`` and renumber the rest.

    All nodes are kept. Kept hyperedges keep their incidences, weights and attributes and are
    renumbered ``0, 1, ...`` in their original order.

    Args:
        hg: the hypergraph.
        p: drop probability in ``[0, 1]``.
        seed: seeds a fresh :class:`torch.Generator` on ``hg.device``; ``None`` uses torch's
            global RNG.

    Returns:
        ``(new_hg, kept)``: the hypergraph and the ``[M']`` original ids of kept hyperedges.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2], [0, 0, 0, 1]]))
        >>> out, kept = drop_edges(hg, 0.0)
        >>> out == hg, kept
        (True, tensor([0, 1]))
    """
    hg = _check_hypergraph(hg)
    p = C.check_probability(p, "p")
    seed = C.check_seed(seed)
    edge_mask = _uniform(hg.num_edges, seed, hg.device) >= p
    node_mask = torch.ones(hg.num_nodes, dtype=torch.bool, device=hg.device)
    inc_mask = edge_mask[hg.hyperedge_index[1]]
    out, _, kept = _select(hg, node_mask, edge_mask, inc_mask, relabel=True)
    return out, kept
