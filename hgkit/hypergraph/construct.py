r"""Builders of :class:`~hgkit.hypergraph.Hypergraph` objects from other representations.

Every builder validates its input once, at the entry point, and then constructs the result
without further checks. Hyperedge ids follow the input order unless a function says otherwise.

* explicit structure: :func:`from_edge_list`, :func:`from_dict`, :func:`from_incidence`,
  :func:`from_hyperedge_index`, :func:`from_bipartite`;
* from a graph: :func:`from_graph_edges` (one 2-node hyperedge per edge),
  :func:`from_graph_khop` (one hyperedge per node: its k-hop ball, HGNN+),
  :func:`from_graph_cliques` (maximal cliques);
* from node features: :func:`from_feature_knn` (one hyperedge per node: itself and its k nearest
  neighbours, HGNN), computed in memory-bounded chunks.

Graph inputs (``edge_index``) may be a ``[2, E]`` tensor or ndarray (PyG style), a list of
``(u, v)`` pairs, or a networkx graph. A networkx graph's nodes get ids in sorted order when
their labels are sortable, else in insertion order (so integer labels ``0..N-1`` keep their ids).

Example:
    >>> hg = from_edge_list([[0, 1, 2], [2, 3]], num_nodes=5)
    >>> hg
    Hypergraph(num_nodes=5, num_edges=2, nnz=5, device=cpu)
    >>> hg.edges()
    [[0, 1, 2], [2, 3]]
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence, Sized
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.typing import OptTensor

__all__ = [
    "from_edge_list",
    "from_dict",
    "from_incidence",
    "from_hyperedge_index",
    "from_graph_edges",
    "from_graph_khop",
    "from_graph_cliques",
    "from_feature_knn",
    "from_bipartite",
]



# ---------------------------------------------------------------------------------- helpers
def _finish(node: Tensor, edge: Tensor, num_nodes: int, num_edges: int,
            edge_weight: Any = None, edge_attr: Any = None) -> Hypergraph:
    """Validate the optional fields and build from incidences already known to be valid."""
    device = node.device
    weight = None if edge_weight is None else C.check_weight(
        edge_weight, "edge_weight", num_edges, "num_edges", device)
    attr = None if edge_attr is None else C.check_rows(
        edge_attr, "edge_attr", num_edges, "num_edges", device)
    index = torch.stack([node.long(), edge.long()]) if node.numel() else torch.empty(
        2, 0, dtype=torch.long, device=device)
    return Hypergraph._trusted(index, num_nodes, num_edges, edge_weight=weight, edge_attr=attr)


def _num_nodes(num_nodes: Any, top: int, name: str, where: str = "") -> int:
    """Resolve ``num_nodes`` given the largest node id ``top`` (-1 when there is none)."""
    if num_nodes is None:
        return top + 1
    num_nodes = C.check_count(num_nodes, "num_nodes")
    if top >= num_nodes:
        raise IndexError(f"'{name}' holds node id {top}{where} but num_nodes={num_nodes}")
    return num_nodes


def _is_int_type(cls: type) -> bool:
    return issubclass(cls, (numbers.Integral, np.integer)) and not issubclass(
        cls, (bool, np.bool_))


def _flatten(members: Sequence[Any], name: str, labels: Sequence[Any] | None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ragged hyperedges into ``(flat node ids, sizes)`` with numpy, validating."""
    def where(i: int) -> str:
        return f"hyperedge {labels[i]!r}" if labels is not None else f"hyperedge {i}"

    seqs: list[Any] = []
    for i, e in enumerate(members):
        if isinstance(e, (list, tuple, set, frozenset, range)):
            seqs.append(e)
            continue
        if isinstance(e, (Tensor, np.ndarray)):
            arr = e.detach().cpu().numpy() if isinstance(e, Tensor) else e
            if arr.ndim != 1 or (arr.size and (arr.dtype == np.bool_ or arr.dtype.kind not in
                                               "iu")):
                raise TypeError(f"Expected {where(i)} of '{name}' to be a 1-D integer array "
                                f"(got {C.describe(e)})")
            seqs.append(arr.tolist())
        elif isinstance(e, (str, bytes, Mapping)) or not isinstance(e, Iterable):
            raise TypeError(f"Expected {where(i)} of '{name}' to be an iterable of node ids "
                            f"(got {type(e).__name__})")
        else:
            seqs.append(e if isinstance(e, Sized) else list(e))
    sizes = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    flat = list(itertools.chain.from_iterable(seqs))
    types = set(map(type, flat))  # cheap: catches floats, strings and bools before numpy
    if not all(_is_int_type(t) for t in types):
        bad = next(p for p, v in enumerate(flat) if not _is_int_type(type(v)))
        i = int(np.searchsorted(np.cumsum(sizes), bad, side="right"))
        raise TypeError(f"Expected node ids in '{name}' to be integers "
                        f"(got {type(flat[bad]).__name__} {flat[bad]!r} in {where(i)})")
    ids = np.array(flat) if flat else np.empty(0, dtype=np.int64)
    if ids.dtype.kind not in "iu":  # huge ints or mixed numpy widths
        ids = np.fromiter(flat, dtype=object, count=len(flat))
    if ids.size:
        low = ids.min()
        if low < 0:
            i = int(np.searchsorted(np.cumsum(sizes), int(np.argmin(ids)), side="right"))
            raise IndexError(f"'{name}' holds negative node id {low} (in {where(i)})")
    return ids, sizes


def _to_int64(ids: np.ndarray, name: str) -> Tensor:
    if ids.size and ids.max() > np.iinfo(np.int64).max:
        raise IndexError(f"'{name}' holds node id {ids.max()} which does not fit in int64")
    return torch.from_numpy(ids.astype(np.int64))


def _is_networkx(value: Any) -> bool:
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a runtime dependency
        return False
    return isinstance(value, nx.Graph)


def _node_order(nodes: Iterable[Hashable]) -> list[Any]:
    """Sorted node keys when sortable, else insertion order."""
    nodes = list(nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return nodes




# ------------------------------------------------------------------------- explicit inputs
def from_edge_list(
    edges: Iterable[Iterable[int]],
    num_nodes: int | None = None,
    edge_weight: OptTensor = None,
    *,
    edge_attr: OptTensor = None,
) -> Hypergraph:
    r"""A hypergraph from a list of hyperedges, each an iterable of node ids.

    Hyperedge ``i`` of the result is ``edges[i]``. Members may be lists, tuples, sets, ranges,
    1-D integer tensors / ndarrays or any finite iterable of ``int`` (numpy integer scalars
    included). An empty member gives an empty hyperedge (it keeps its id). A node repeated
    inside one member gives a *repeated incidence* (:math:`H_{ve} = 2`); use
    :func:`hgkit.hypergraph.transforms.remove_duplicate_incidences` to drop them. A 2-D integer
    tensor / ndarray ``[M, k]`` is read as ``M`` hyperedges of ``k`` nodes each.

    The flattening is done with numpy (one pass over the hyperedges, none per incidence), so
    half a million hyperedges take about a second.

    Args:
        edges: iterable of hyperedges.
        num_nodes: number of nodes ``N``; default ``max id + 1`` (0 when there is no incidence).
        edge_weight: optional ``[M]`` non-negative hyperedge weights.
        edge_attr: optional ``[M, ...]`` hyperedge features.

    Raises:
        TypeError: if a member is not an iterable of node ids, or an id is not an integer
            (``1.5``, ``2.0``, ``"3"``, ``True`` and ``None`` are all rejected).
        IndexError: if an id is negative or ``>= num_nodes``.

    Example:
        >>> hg = from_edge_list([{0, 1}, (1, 2, 3), []], num_nodes=4)
        >>> hg.edges(), hg.num_edges
        ([[0, 1], [1, 2, 3], []], 3)
        >>> from_edge_list([[0, 0, 1]]).edges()  # repeated incidence kept
        [[0, 0, 1]]
    """
    return _from_members(edges, "edges", num_nodes, edge_weight, edge_attr, None)


def _from_members(edges: Any, name: str, num_nodes: Any, edge_weight: Any, edge_attr: Any,
                  labels: Sequence[Any] | None) -> Hypergraph:
    if isinstance(edges, (Tensor, np.ndarray)) and edges.ndim == 2:
        index = C.to_index_tensor(edges, name)
        C.check_nonnegative_ids(index, name)
        top = int(index.max()) if index.numel() else -1
        num_nodes = _num_nodes(num_nodes, top, name)
        num_edges, size = index.shape
        edge = torch.arange(num_edges, device=index.device).repeat_interleave(size)
        return _finish(index.reshape(-1), edge, num_nodes, num_edges, edge_weight, edge_attr)
    if isinstance(edges, Mapping):
        raise TypeError(f"Expected '{name}' to be an iterable of hyperedges (got a mapping; "
                        f"use from_dict)")
    if isinstance(edges, (str, bytes, Tensor, np.ndarray)) or not isinstance(edges, Iterable):
        raise TypeError(f"Expected '{name}' to be an iterable of hyperedges "
                        f"(got {C.describe(edges)})")
    members = edges if isinstance(edges, Sequence) else list(edges)
    ids, sizes = _flatten(members, name, labels)
    where = ""
    if ids.size:
        top = ids.max()
        i = int(np.searchsorted(np.cumsum(sizes), int(np.argmax(ids)), side="right"))
        where = f" (in hyperedge {labels[i]!r})" if labels is not None else f" (in hyperedge {i})"
        if top > np.iinfo(np.int64).max:
            raise IndexError(f"'{name}' holds node id {top}{where} which does not fit in int64")
    num_nodes = _num_nodes(num_nodes, int(ids.max()) if ids.size else -1, name, where)
    node = _to_int64(ids, name)
    edge = torch.repeat_interleave(torch.arange(sizes.size), torch.from_numpy(sizes))
    return _finish(node, edge, num_nodes, int(sizes.size), edge_weight, edge_attr)


def from_dict(
    d: Mapping[Any, Iterable[int]],
    num_nodes: int | None = None,
    edge_weight: OptTensor | Mapping[Any, float] = None,
    *,
    edge_attr: OptTensor = None,
    return_keys: bool = False,
) -> Hypergraph | tuple[Hypergraph, list[Any]]:
    r"""A hypergraph from a mapping ``hyperedge key -> node ids`` (as in XGI and HIF).

    Hyperedge ``i`` is the ``i``-th value in the mapping's iteration order; members follow the
    rules of :func:`from_edge_list`.

    Args:
        d: the mapping.
        num_nodes: number of nodes ``N``; default ``max id + 1``.
        edge_weight: ``[M]`` weights in iteration order, or a mapping ``key -> weight`` that
            covers every key.
        edge_attr: optional ``[M, ...]`` hyperedge features in iteration order.
        return_keys: also return the list of keys, ``keys[i]`` being hyperedge ``i``'s key.

    Returns:
        The hypergraph, or ``(hypergraph, keys)`` when ``return_keys`` is true.

    Example:
        >>> hg, keys = from_dict({"b": [0, 1], "a": [1, 2]}, return_keys=True)
        >>> hg.edges(), keys
        ([[0, 1], [1, 2]], ['b', 'a'])
    """
    if not isinstance(d, Mapping):
        raise TypeError(f"Expected 'd' to be a mapping of hyperedge key -> node ids "
                        f"(got {C.describe(d)})")
    keys = list(d)
    if isinstance(edge_weight, Mapping):
        missing = [key for key in keys if key not in edge_weight]
        if missing:
            raise KeyError(f"'edge_weight' has no weight for hyperedge key {missing[0]!r}")
        edge_weight = torch.tensor([float(edge_weight[key]) for key in keys],
                                   dtype=torch.get_default_dtype())
    hg = _from_members(list(d.values()), "d", num_nodes, edge_weight, edge_attr, keys)
    return (hg, keys) if return_keys else hg


def from_incidence(matrix: Any, edge_weight: OptTensor = None) -> Hypergraph:
    r"""A hypergraph from an ``N x M`` incidence matrix :math:`H`.

    Every nonzero entry :math:`H_{ve}` becomes one incidence ``(v, e)``, whatever its value
    (multiplicities above 1 are *not* expanded into repeated incidences). Incidences come out
    sorted by hyperedge, then node. Explicit zeros of a sparse matrix are not incidences and
    duplicate sparse entries are summed first.

    Args:
        matrix: a dense tensor / ndarray (bool, integer or float; the device is kept), a torch
            sparse tensor, or a scipy sparse matrix / array of any format.
        edge_weight: optional ``[M]`` non-negative hyperedge weights.

    Raises:
        ValueError: if ``matrix`` is not 2-D or holds negative, NaN or infinite entries.
        TypeError: for complex or non-numeric entries.

    Example:
        >>> import torch
        >>> H = torch.tensor([[1, 0], [1, 1], [0, 2], [0, 0]])
        >>> hg = from_incidence(H)
        >>> hg.edges(), hg.num_nodes
        ([[0, 1], [1, 2]], 4)
    """
    if sp.issparse(matrix):
        if matrix.ndim != 2:
            raise ValueError(f"Expected 'matrix' to be 2-D (got shape {list(matrix.shape)})")
        _check_numeric_dtype(matrix.dtype)
        csc = sp.csc_matrix(matrix, copy=True)
        csc.sum_duplicates()
        values = csc.data
        num_nodes, num_edges = csc.shape
        edge = np.repeat(np.arange(num_edges), np.diff(csc.indptr))
        node = csc.indices
        _check_incidence_values(torch.from_numpy(np.asarray(values)))
        keep = values != 0
        return _finish(torch.from_numpy(node[keep].astype(np.int64)),
                       torch.from_numpy(edge[keep].astype(np.int64)),
                       num_nodes, num_edges, edge_weight)
    if isinstance(matrix, (np.ndarray, list, tuple)):
        arr = np.asarray(matrix)
        _check_numeric_dtype(arr.dtype)
        matrix = torch.from_numpy(np.ascontiguousarray(arr))
    if not isinstance(matrix, Tensor):
        raise TypeError(f"Expected 'matrix' to be a tensor, ndarray or scipy sparse matrix "
                        f"(got {C.describe(matrix)})")
    if matrix.dim() != 2:
        raise ValueError(f"Expected 'matrix' to be 2-D (got shape {list(matrix.shape)})")
    num_nodes, num_edges = matrix.shape
    if matrix.layout != torch.strided:
        coo = matrix.to_sparse_coo().coalesce()
        values, (node, edge) = coo.values(), coo.indices()
        _check_incidence_values(values)
        keep = values != 0
        node, edge = node[keep], edge[keep]
        perm = torch.argsort(edge * max(num_nodes, 1) + node)
        node, edge = node[perm], edge[perm]
    else:
        _check_incidence_values(matrix)
        edge, node = torch.nonzero(matrix.t(), as_tuple=True)
    return _finish(node, edge, num_nodes, num_edges, edge_weight)


def _check_numeric_dtype(dtype: np.dtype) -> None:
    if dtype.kind == "c":
        raise TypeError(f"Expected 'matrix' to be real (got dtype {dtype})")
    if dtype.kind not in "biuf":
        raise TypeError(f"Expected 'matrix' to hold numbers (got dtype {dtype})")


def _check_incidence_values(values: Tensor) -> None:
    if values.is_complex():
        raise TypeError(f"Expected 'matrix' to be real (got dtype {values.dtype})")
    if values.is_floating_point() and values.numel():
        if not bool(torch.isfinite(values).all()):
            raise ValueError("'matrix' holds NaN or infinite entries")
    if values.dtype != torch.bool and values.numel() and bool((values < 0).any()):
        raise ValueError(f"'matrix' holds negative entries (min {values.min().item()})")


def from_hyperedge_index(
    hyperedge_index: Any,
    num_nodes: int | None = None,
    num_edges: int | None = None,
    edge_weight: OptTensor = None,
    *,
    relabel_edges: bool = False,
) -> Hypergraph:
    r"""A hypergraph from a PyG-style ``[2, nnz]`` incidence list (row 0 nodes, row 1 edges).

    Incidences may come in any order and hyperedge ids need not be contiguous: unused ids are
    empty hyperedges. With ``relabel_edges=True`` the used hyperedge ids are compacted to
    ``0..M'-1`` in increasing order of the original id (new id ``i`` is
    ``torch.unique(hyperedge_index[1])[i]``) and ``edge_weight`` (indexed by original id)
    is subset accordingly.

    Args:
        hyperedge_index: ``[2, nnz]`` integer tensor, ndarray or nested list (device kept).
        num_nodes: number of nodes; default ``max node id + 1``.
        num_edges: number of (original) hyperedge ids; default ``max hyperedge id + 1``.
        edge_weight: optional ``[num_edges]`` weights.
        relabel_edges: drop unused hyperedge ids.

    Example:
        >>> import torch
        >>> idx = torch.tensor([[0, 1, 2], [7, 3, 7]])
        >>> from_hyperedge_index(idx).num_edges
        8
        >>> from_hyperedge_index(idx, relabel_edges=True).edges()
        [[1], [0, 2]]
    """
    hg = Hypergraph(hyperedge_index, num_nodes, num_edges, edge_weight=edge_weight)
    if not relabel_edges:
        return hg
    node, edge = hg.hyperedge_index
    used, edge = torch.unique(edge, return_inverse=True)
    weight = None if hg.edge_weight is None else hg.edge_weight[used]
    return Hypergraph._trusted(torch.stack([node, edge]), hg.num_nodes, used.numel(),
                               edge_weight=weight)


def from_bipartite(graph: Any, node_side: int = 0
                   ) -> tuple[Hypergraph, list[Any], list[Any]]:
    r"""A hypergraph from a networkx bipartite graph (its star expansion, read back).

    Each networkx node carries ``bipartite`` = 0 or 1 (the networkx convention); the side
    ``node_side`` becomes the hypergraph's nodes and the other side its hyperedges; every
    networkx edge is one incidence (parallel edges of a multigraph are repeated incidences).
    Each side is numbered in sorted key order when the keys are sortable, else in insertion
    order. A hyperedge-side node without edges is an empty hyperedge.

    Args:
        graph: a networkx graph whose nodes all have the ``bipartite`` attribute.
        node_side: 0 or 1, the side that becomes the nodes.

    Returns:
        ``(hg, node_labels, edge_labels)``: node ``i`` is networkx node ``node_labels[i]`` and
        hyperedge ``j`` is ``edge_labels[j]``.

    Example:
        >>> import networkx as nx
        >>> B = nx.Graph()
        >>> B.add_nodes_from(["a", "b", "c"], bipartite=0)
        >>> B.add_nodes_from(["e1", "e2"], bipartite=1)
        >>> B.add_edges_from([("a", "e1"), ("b", "e1"), ("b", "e2"), ("c", "e2")])
        >>> hg, nodes, edges = from_bipartite(B)
        >>> hg.edges(), nodes, edges
        ([[0, 1], [1, 2]], ['a', 'b', 'c'], ['e1', 'e2'])
    """
    if not _is_networkx(graph):
        raise TypeError(f"Expected 'graph' to be a networkx graph (got {C.describe(graph)})")
    if isinstance(node_side, bool) or node_side not in (0, 1):
        raise ValueError(f"Expected 'node_side' to be 0 or 1 (got {node_side!r})")
    side = dict(graph.nodes(data="bipartite"))
    for key, value in side.items():
        if value is None:
            raise ValueError(f"Node {key!r} of 'graph' has no 'bipartite' attribute (expected "
                             f"0 or 1 on every node, the networkx bipartite convention)")
        if isinstance(value, bool) or value not in (0, 1):
            raise ValueError(f"Node {key!r} of 'graph' has bipartite={value!r} "
                             f"(expected 0 or 1)")
    node_labels = _node_order(k for k, s in side.items() if s == node_side)
    edge_labels = _node_order(k for k, s in side.items() if s != node_side)
    node_id = {key: i for i, key in enumerate(node_labels)}
    edge_id = {key: i for i, key in enumerate(edge_labels)}
    pairs = []
    for u, v in graph.edges():
        if side[u] == side[v]:
            raise ValueError(f"Edge ({u!r}, {v!r}) of 'graph' joins two nodes of the same "
                             f"side (bipartite={side[u]})")
        pairs.append((node_id[u], edge_id[v]) if side[u] == node_side
                     else (node_id[v], edge_id[u]))
    index = torch.tensor(pairs, dtype=torch.long).view(-1, 2)
    perm = torch.argsort(index[:, 1] * max(len(node_labels), 1) + index[:, 0], stable=True)
    index = index[perm]
    hg = _finish(index[:, 0], index[:, 1], len(node_labels), len(edge_labels))
    return hg, node_labels, edge_labels


# The graph-based builders live in construct_graph.py (kept separate for size); re-exported here.
from hgkit.hypergraph.construct_graph import (  # noqa: E402
    from_feature_knn,
    from_graph_cliques,
    from_graph_edges,
    from_graph_khop,
)
