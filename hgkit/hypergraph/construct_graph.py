"""Builders of hypergraphs from graphs and features (re-exported by :mod:`construct`).

* :func:`from_graph_edges`: each graph edge becomes a 2-node hyperedge.
* :func:`from_graph_khop`: one hyperedge per node holding its k-hop neighbourhood.
* :func:`from_graph_cliques`: the maximal cliques of a graph.
* :func:`from_feature_knn`: one hyperedge per node holding it and its k nearest neighbours.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.construct import (
    _finish,
    _is_networkx,
    _node_order,
    _num_nodes,
    from_edge_list,
)
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.typing import OptTensor

__all__ = ["from_feature_knn", "from_graph_cliques", "from_graph_edges", "from_graph_khop"]

_METRICS = ("euclidean", "cosine")
_KNN_BUDGET_BYTES = 256 * 2**20  # memory for one block of query-to-all distances


def _graph_input(graph: Any, num_nodes: Any, name: str, weight: Any = None
                 ) -> tuple[Tensor, Tensor, int, Any]:
    """Parse a graph given as [2, E] tensor/ndarray, list of pairs or networkx graph.

    Returns ``(src, dst, num_nodes, weight)``; a string ``weight`` names a networkx edge
    attribute (missing values count as 1).
    """
    if _is_networkx(graph):
        order = _node_order(graph.nodes)
        if num_nodes is not None and C.check_count(num_nodes, "num_nodes") != len(order):
            raise ValueError(f"'num_nodes'={num_nodes} differs from the {len(order)} nodes of "
                             f"the networkx graph '{name}' (pass num_nodes=None)")
        ids = {key: i for i, key in enumerate(order)}
        pairs = np.fromiter(itertools.chain.from_iterable(
            (ids[u], ids[v]) for u, v in graph.edges()), dtype=np.int64)
        pairs = torch.from_numpy(pairs).view(-1, 2).t()
        if isinstance(weight, str):
            weight = torch.tensor([float(data.get(weight, 1.0))
                                   for _, _, data in graph.edges(data=True)],
                                  dtype=torch.get_default_dtype())
        return pairs[0], pairs[1], len(order), weight
    if isinstance(weight, str):
        raise TypeError(f"'edge_weight' may name an edge attribute only when '{name}' is a "
                        f"networkx graph (got {C.describe(graph)})")
    if isinstance(graph, (list, tuple)):
        arr = np.asarray(graph) if len(graph) else np.empty((0, 2), dtype=np.int64)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"Expected '{name}' given as a list of (u, v) pairs to have shape "
                             f"[E, 2] (got {list(arr.shape)})")
        index = C.to_index_tensor(arr, name).t()
    elif isinstance(graph, (Tensor, np.ndarray)):
        index = C.to_index_tensor(graph, name, ndim=2)
        if index.size(0) != 2:
            raise ValueError(f"Expected '{name}' to have shape [2, E] "
                             f"(got {list(index.shape)})")
    else:
        raise TypeError(f"Expected '{name}' to be a [2, E] tensor, a list of (u, v) pairs or "
                        f"a networkx graph (got {C.describe(graph)})")
    C.check_nonnegative_ids(index, name)
    top = int(index.max()) if index.numel() else -1
    return index[0], index[1], _num_nodes(num_nodes, top, name), weight


def _first_occurrences(key: Tensor) -> Tensor:
    """Sorted positions of the first occurrence of every distinct value of ``key``."""
    uniq, inverse = torch.unique(key, return_inverse=True)
    pos = torch.arange(key.numel(), device=key.device)
    first = torch.full((uniq.numel(),), key.numel(), dtype=torch.long, device=key.device)
    return first.scatter_reduce_(0, inverse, pos, reduce="amin").sort().values


def _unique_rows(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Sorted positions of the first occurrence of every distinct row of a CSR pattern whose
    column indices are sorted within rows. Rows are hashed (two random 64-bit sums and the
    length) and the rare duplicate candidates are confirmed exactly."""
    rng = np.random.default_rng(0)
    top = int(indices.max()) + 1 if indices.size else 1
    keys = [np.diff(indptr).astype(np.uint64)]
    for _ in range(2):
        salt = rng.integers(0, 2**63, size=top, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        csum = np.concatenate([[np.uint64(0)], np.cumsum(salt[indices], dtype=np.uint64)])
        keys.append(csum[indptr[1:]] - csum[indptr[:-1]])  # wraps modulo 2**64
    _, first, inverse = np.unique(np.stack(keys, 1), axis=0, return_index=True,
                                  return_inverse=True)
    inverse = inverse.reshape(-1)
    rep = first[inverse]
    for row in np.flatnonzero(rep != np.arange(rep.size)):
        a = indices[indptr[row]:indptr[row + 1]]
        b = indices[indptr[rep[row]]:indptr[rep[row] + 1]]
        if not np.array_equal(a, b):  # a hash collision: fall back to exact comparison
            seen: dict[bytes, int] = {}
            for r in range(indptr.size - 1):
                seen.setdefault(indices[indptr[r]:indptr[r + 1]].tobytes(), r)
            return np.array(sorted(seen.values()), dtype=np.int64)
    return np.sort(first)




# ---------------------------------------------------------------------------- from a graph
def from_graph_edges(
    edge_index: Any,
    num_nodes: int | None = None,
    edge_weight: OptTensor | str = None,
    *,
    undirected: bool = False,
) -> Hypergraph:
    r"""A 2-uniform hypergraph: every graph edge ``(u, v)`` becomes the hyperedge ``{u, v}``.

    Hyperedge ``i`` is edge ``i`` (in the input order). A self-loop ``(u, u)`` becomes the
    singleton ``{u}`` (not a repeated incidence). Both ``(u, v)`` and ``(v, u)`` are kept, as
    are repeated edges, unless ``undirected=True``, which keeps only the first occurrence of
    every unordered pair (and its weight).

    Args:
        edge_index: ``[2, E]`` tensor / ndarray (device kept), list of ``(u, v)`` pairs or a
            networkx graph.
        num_nodes: number of nodes; default ``max id + 1`` (a networkx graph's node count).
        edge_weight: optional ``[E]`` edge weights, or for a networkx graph the name of an edge
            attribute (missing values count as 1).
        undirected: merge ``(u, v)`` with ``(v, u)`` and with repeats.

    Example:
        >>> from_graph_edges([(0, 1), (1, 0), (2, 2)]).edges()
        [[0, 1], [0, 1], [2]]
        >>> from_graph_edges([(0, 1), (1, 0), (2, 2)], undirected=True).edges()
        [[0, 1], [2]]
    """
    src, dst, num_nodes, edge_weight = _graph_input(edge_index, num_nodes, "edge_index",
                                                    edge_weight)
    num_graph_edges = src.numel()
    if edge_weight is not None:
        edge_weight = C.check_weight(edge_weight, "edge_weight", num_graph_edges,
                                     "E", src.device)
    if undirected and num_graph_edges:
        key = torch.minimum(src, dst) * num_nodes + torch.maximum(src, dst)
        keep = _first_occurrences(key)
        src, dst = src[keep], dst[keep]
        edge_weight = None if edge_weight is None else edge_weight[keep]
    num_edges = src.numel()
    node = torch.stack([src, dst], 1).reshape(-1)
    edge = torch.arange(num_edges, device=src.device).repeat_interleave(2)
    mask = torch.ones_like(node, dtype=torch.bool)
    mask[1::2] = src != dst
    return _finish(node[mask], edge[mask], num_nodes, num_edges, edge_weight)


def from_graph_khop(
    edge_index: Any,
    num_nodes: int | None = None,
    k: int = 1,
    include_self: bool = True,
    *,
    dedup: bool = False,
) -> Hypergraph:
    r"""One hyperedge per node: the nodes within ``k`` hops (HGNN+ / DHG ``from_graph_kHop``).

    .. math::
        e_v = \{u : \operatorname{dist}(v, u) \le k\}, \qquad v = 0, \dots, N-1,

    on the graph made undirected (each edge is followed both ways). Reachability is computed
    with boolean sparse products :math:`R_{j+1} = R_j + R_j A` on scipy CSR matrices, so memory
    is ``O(nnz(R_k))`` and never ``N x N`` dense.

    By default hyperedge ``v`` belongs to node ``v`` (``M = N``) and identical hyperedges are
    all kept. ``dedup=True`` keeps only the first (lowest ``v``) of identical hyperedges, as DHG
    does when it merges duplicate hyperedges; ids are then in that order and ``M <= N``.
    ``include_self=False`` leaves ``v`` out of ``e_v`` (an isolated node then has an empty
    hyperedge).

    Args:
        edge_index: ``[2, E]`` tensor / ndarray, list of pairs or networkx graph.
        num_nodes: number of nodes; default ``max id + 1`` (a networkx graph's node count).
        k: number of hops, ``>= 1``.
        include_self: put ``v`` in its own hyperedge.
        dedup: drop repeated identical hyperedges.

    Example:
        >>> path = [(0, 1), (1, 2), (2, 3)]
        >>> from_graph_khop(path, k=1).edges()
        [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3]]
        >>> from_graph_khop(path, k=2, include_self=False).edges()
        [[1, 2], [0, 2, 3], [0, 1, 3], [1, 2]]
        >>> from_graph_khop(path, k=3, dedup=True).edges()
        [[0, 1, 2, 3]]
    """
    src, dst, num_nodes, _ = _graph_input(edge_index, num_nodes, "edge_index")
    k = C.check_count(k, "k", minimum=1)
    src_np, dst_np = src.cpu().numpy(), dst.cpu().numpy()
    adj = sp.csr_matrix((np.ones(src_np.size, dtype=bool), (src_np, dst_np)),
                        shape=(num_nodes, num_nodes))
    adj = (adj + adj.T).tocsr()
    reach = sp.identity(num_nodes, dtype=bool, format="csr")
    for _ in range(k):
        grown = (reach + reach @ adj).tocsr()
        if grown.nnz == reach.nnz:  # converged: every component fully reached
            break
        reach = grown
    if not include_self:
        reach.setdiag(False)
        reach.eliminate_zeros()
    reach.sort_indices()
    indptr, indices = reach.indptr.astype(np.int64), reach.indices.astype(np.int64)
    owner = np.repeat(np.arange(num_nodes), np.diff(indptr))  # hyperedge of each incidence
    num_edges = num_nodes
    if dedup:
        kept = _unique_rows(indptr, indices)
        new_id = np.full(num_nodes, -1, dtype=np.int64)
        new_id[kept] = np.arange(kept.size)
        take = new_id[owner] >= 0
        indices, owner, num_edges = indices[take], new_id[owner[take]], kept.size
    node = torch.from_numpy(indices).to(src.device)
    edge = torch.from_numpy(owner).to(src.device)
    return _finish(node, edge, num_nodes, int(num_edges))


def from_graph_cliques(
    graph_or_edge_index: Any,
    num_nodes: int | None = None,
    min_size: int = 1,
) -> Hypergraph:
    r"""The maximal cliques of a graph as hyperedges (``networkx.find_cliques``).

    The graph is taken as undirected and simple (self-loops and repeated edges are ignored).
    An isolated node is a maximal clique of size 1; ``min_size`` drops cliques with fewer
    nodes. The order is deterministic: each clique is sorted by node id, then cliques are
    sorted lexicographically. The number of maximal cliques can grow exponentially in the
    worst case.

    Args:
        graph_or_edge_index: networkx graph, ``[2, E]`` tensor / ndarray or list of pairs.
        num_nodes: number of nodes; default ``max id + 1`` (a networkx graph's node count).
        min_size: smallest clique size kept, ``>= 1``.

    Example:
        >>> edges = [(0, 1), (1, 2), (0, 2), (2, 3)]
        >>> from_graph_cliques(edges, num_nodes=5).edges()
        [[0, 1, 2], [2, 3], [4]]
        >>> from_graph_cliques(edges, num_nodes=5, min_size=2).edges()
        [[0, 1, 2], [2, 3]]
    """
    import networkx as nx

    src, dst, num_nodes, _ = _graph_input(graph_or_edge_index, num_nodes,
                                          "graph_or_edge_index")
    min_size = C.check_count(min_size, "min_size", minimum=1)
    graph = nx.Graph()
    graph.add_nodes_from(range(num_nodes))
    graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    cliques = sorted(sorted(c) for c in nx.find_cliques(graph) if len(c) >= min_size)
    hg = from_edge_list(cliques, num_nodes=num_nodes)
    return hg if src.device.type == "cpu" else hg.to(src.device)


# ------------------------------------------------------------------------- from features
def from_feature_knn(
    x: Tensor,
    k: int,
    include_self: bool = True,
    metric: str = "euclidean",
    chunk_size: int | None = None,
) -> Hypergraph:
    r"""One hyperedge per node: the node and its ``k`` nearest neighbours (HGNN).

    .. math::
        e_v = \{v\} \cup \operatorname{kNN}(v), \qquad v = 0, \dots, N-1,

    where :math:`\operatorname{kNN}(v)` are the ``k`` nodes ``u != v`` of smallest distance
    :math:`\lVert x_u - x_v \rVert_2` (``"euclidean"``) or :math:`1 - \cos(x_u, x_v)`
    (``"cosine"``; an all-zero row has cosine 0 with everything). Ties are broken by the lowest
    node id. Hyperedge ``v`` belongs to node ``v`` and has ``k + 1`` nodes (``k`` without
    ``include_self``); DHG's ``from_feature_kNN(x, k)`` counts the centre in its ``k``, so it
    corresponds to ``k - 1`` here (and DHG also merges identical hyperedges).

    Distances are computed in blocks of ``chunk_size`` query rows against all nodes, as
    :math:`\lVert x_u\rVert^2 - 2 x_v^\top x_u` (the constant :math:`\lVert x_v\rVert^2` does
    not change the ranking) followed by ``torch.topk``, so the extra memory is one
    ``chunk_size x N`` block plus the ``N x (k + 1)`` result. By default ``chunk_size`` keeps
    the block under 256 MB. The computation runs on ``x``'s device, without gradients.

    Args:
        x: ``[N, D]`` floating tensor (or ndarray) of node features.
        k: number of neighbours, ``1 <= k <= N - 1``.
        include_self: put ``v`` in its own hyperedge.
        metric: ``"euclidean"`` or ``"cosine"``.
        chunk_size: query rows per block (default from the memory budget).

    Example:
        >>> import torch
        >>> x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
        >>> from_feature_knn(x, k=1).edges()
        [[0, 1], [0, 1], [1, 2], [2, 3]]
        >>> from_feature_knn(x, k=2, include_self=False).edges()
        [[1, 2], [0, 2], [0, 1], [1, 2]]
    """
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    if not isinstance(x, Tensor):
        raise TypeError(f"Expected 'x' to be a floating [N, D] tensor (got {C.describe(x)})")
    if x.dim() != 2:
        raise ValueError(f"Expected 'x' to be 2-D [N, D] (got shape {list(x.shape)})")
    if not x.is_floating_point():
        raise TypeError(f"Expected 'x' to be a floating tensor (got dtype {x.dtype})")
    num_nodes = x.size(0)
    k = C.check_count(k, "k", minimum=1)
    if k > num_nodes - 1:
        raise ValueError(f"Expected 'k' to be <= N - 1 = {num_nodes - 1} (got {k})")
    if metric not in _METRICS:
        raise ValueError(f"Expected 'metric' to be one of {list(_METRICS)} (got {metric!r})")
    if chunk_size is not None:
        chunk_size = C.check_count(chunk_size, "chunk_size", minimum=1)
    if not bool(torch.isfinite(x).all()):
        raise ValueError("'x' holds NaN or infinite values")

    with torch.no_grad():
        feats = x.detach()
        if feats.dtype in (torch.float16, torch.bfloat16):
            feats = feats.float()
        if metric == "cosine":
            feats = torch.nn.functional.normalize(feats, dim=1)
            bias = None
        else:
            bias = (feats * feats).sum(1).unsqueeze(0)  # ||x_u||^2, [1, N]
        if chunk_size is None:
            per_row = num_nodes * feats.element_size()
            chunk_size = max(1, min(num_nodes, _KNN_BUDGET_BYTES // per_row))
        neighbours = torch.empty(num_nodes, k, dtype=torch.long, device=x.device)
        feats_t = feats.t()
        for start in range(0, num_nodes, chunk_size):
            stop = min(start + chunk_size, num_nodes)
            query = feats[start:stop]
            if bias is None:
                dist = torch.mm(query, feats_t).neg_()
            else:
                dist = torch.addmm(bias, query, feats_t, alpha=-2.0)
            local = torch.arange(stop - start, device=x.device)
            dist[local, local + start] = float("inf")  # never one's own neighbour
            neighbours[start:stop] = _topk_lowest_index(dist, k)
            del dist
    centre = torch.arange(num_nodes, device=x.device)
    members = torch.cat([centre.unsqueeze(1), neighbours], 1) if include_self else neighbours
    members = members.sort(1).values
    size = members.size(1)
    return _finish(members.reshape(-1), centre.repeat_interleave(size), num_nodes, num_nodes)


def _topk_lowest_index(dist: Tensor, k: int) -> Tensor:
    """Column ids of the ``k`` smallest entries per row, ties at the cut by lowest column."""
    values, index = torch.topk(dist, k + 1, dim=1, largest=False, sorted=True)
    index = index[:, :k]
    tied = torch.nonzero(values[:, k - 1] == values[:, k]).view(-1)
    if tied.numel():  # a tie straddles the cut: choose among the tied columns by position
        block = dist[tied]
        cut = values[tied, k - 1].unsqueeze(1)
        below = block < cut
        at = block == cut
        need = k - below.sum(1, keepdim=True)
        chosen = below | (at & (at.cumsum(1, dtype=torch.int32) <= need))
        index[tied] = torch.nonzero(chosen)[:, 1].view(-1, k)
    return index
