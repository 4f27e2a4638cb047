r"""Dual Hypergraph Transformation (DHT) of graphs and its inverse (Jo et al., NeurIPS 2021).

A graph :math:`G = (X, M, E)` with node features :math:`X \in \mathbb{R}^{n\times d}`, edge
features :math:`E \in \mathbb{R}^{m\times d'}` and node-edge incidence :math:`M \in
\{0,1\}^{n\times m}` becomes the hypergraph :math:`G^* = (E, M^\top, X)`: each *edge* of ``G``
is a node of ``G*`` (a "dual node", with features ``E``) and each *node* ``v`` of ``G`` is a
hyperedge of ``G*`` (with features ``X``) containing the dual nodes of the edges incident to
``v``. Edge-level learning (EHGNN, HyperDrop, HyperCluster) then runs node-level hypergraph
convolutions on ``G*``.

Conventions (those of the official EHGNN code, ``GraphRepresentation.DHT``):

* ``edge_index`` is *directed*: an undirected edge stored twice (``u -> v`` and ``v -> u``)
  gives two dual nodes. Dual node ``i`` is column ``i`` of ``edge_index``.
* The dual incidence list repeats every dual-node id twice against
  ``edge_index.T.flatten()``: column ``2 i`` is ``(i, src_i)`` and column ``2 i + 1`` is
  ``(i, dst_i)``. A self-loop ``(u, u)`` therefore gives a repeated incidence.

This module is re-exported by :mod:`hgkit.hypergraph.transforms`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["dht", "dht_inverse"]


def _check_device(value: Tensor, name: str, device: torch.device) -> None:
    if value.device != device:
        raise ValueError(
            f"Expected '{name}' on device {device} like 'edge_index' (got {value.device})"
        )


def dht(
    edge_index: Any,
    num_nodes: int | None = None,
    x: Tensor | None = None,
    edge_attr: Tensor | None = None,
    batch: Tensor | None = None,
    add_loops: bool = False,
) -> tuple[Hypergraph, Tensor | None]:
    r"""The dual hypergraph :math:`G^* = (E, M^\top, X)` of a (batched) graph.

    The result has ``num_nodes = m`` (one dual node per column of ``edge_index``) and, without
    loops, ``num_edges = n`` (hyperedge ``v`` = the dual nodes incident to graph node ``v``);
    every dual node lies in exactly two incidences, ``(i, src_i)`` then ``(i, dst_i)``, stored
    at columns ``2 i`` and ``2 i + 1``. ``node_attr`` is ``edge_attr`` (edge features) and
    ``edge_attr`` is ``x`` (node features). An isolated graph node becomes an empty hyperedge,
    so with ``add_loops=False`` the transform is lossless: :func:`dht_inverse` recovers the
    graph exactly, including column order, direction, self-loops and multi-edges.

    ``add_loops=True`` follows the EHGNN code (which always uses it): first drop every
    hyperedge that contains exactly one dual node (a graph node of total degree 1), then append
    one fresh singleton hyperedge :math:`\{i\}` per dual node. Kept hyperedges are renumbered
    ``0 .. K-1`` in graph-node order (the official code leaves gaps instead) and the loops get
    ids ``K .. K+m-1``; ``edge_attr`` holds ``x`` of the kept nodes followed by ``m`` zero rows.
    Empty hyperedges (isolated nodes) contain no dual node and are kept. **This variant is not
    invertible**: dropped nodes and their features are lost.

    Batching needs nothing special: for a disjoint union of graphs (PyG batch), pass the
    union's ``edge_index`` and its node-to-graph ``batch`` vector; the result is one dual
    hypergraph for all graphs, and ``edge_batch[i] = batch[src_i]`` says which graph dual node
    ``i`` belongs to.

    Args:
        edge_index: ``[2, m]`` directed edges (row 0 sources, row 1 targets).
        num_nodes: number of graph nodes ``n``; default ``x.size(0)``, else ``len(batch)``,
            else ``max(edge_index) + 1``.
        x: optional ``[n, ...]`` node features (become hyperedge features).
        edge_attr: optional ``[m, ...]`` edge features (become dual-node features).
        batch: optional ``[n]`` graph id of every node.
        add_loops: apply the EHGNN self-loop step described above.

    Returns:
        ``(dual_hg, edge_batch)`` with ``edge_batch`` ``[m]`` (``None`` without ``batch``).

    Example:
        >>> import torch
        >>> edge_index = torch.tensor([[0, 1, 1], [1, 0, 2]])
        >>> hg, _ = dht(edge_index, num_nodes=4)
        >>> hg.hyperedge_index
        tensor([[0, 0, 1, 1, 2, 2],
                [0, 1, 1, 0, 1, 2]])
        >>> hg.edges()  # graph node 3 is isolated: an empty hyperedge
        [[0, 1], [0, 1, 2], [2], []]
        >>> dht(edge_index, num_nodes=4, add_loops=True)[0].edges()
        [[0, 1], [0, 1, 2], [], [0], [1], [2]]
        >>> torch.equal(dht_inverse(hg)[0], edge_index)
        True
    """
    edge_index = C.to_index_tensor(edge_index, "edge_index")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(
            f"Expected 'edge_index' to have shape [2, m] (got {list(edge_index.shape)})"
        )
    if not isinstance(add_loops, bool):
        raise TypeError(f"Expected 'add_loops' to be a bool (got {C.describe(add_loops)})")
    device, m = edge_index.device, edge_index.size(1)
    if batch is not None:
        if not isinstance(batch, Tensor):
            raise TypeError(f"Expected 'batch' to be a LongTensor (got {C.describe(batch)})")
        _check_device(batch, "batch", device)
        batch = C.to_index_tensor(batch, "batch", ndim=1)
        C.check_nonnegative_ids(batch, "batch")
    if num_nodes is None:
        if isinstance(x, Tensor) and x.dim() > 0:
            num_nodes = x.size(0)
        elif batch is not None:
            num_nodes = batch.numel()
        else:
            num_nodes = int(edge_index.max()) + 1 if m else 0
    n = C.check_count(num_nodes, "num_nodes")
    C.check_ids_below(edge_index, "edge_index", n, "num_nodes")
    if x is not None:
        if isinstance(x, Tensor):
            _check_device(x, "x", device)
        x = C.check_rows(x, "x", n, "num_nodes", device)
    if edge_attr is not None:
        if isinstance(edge_attr, Tensor):
            _check_device(edge_attr, "edge_attr", device)
        edge_attr = C.check_rows(edge_attr, "edge_attr", m, "m = edge_index.size(1)", device)
    if batch is not None and batch.numel() != n:
        raise ValueError(
            f"Expected 'batch' to have shape [{n}] (num_nodes={n}) (got {list(batch.shape)})"
        )

    dual_node = torch.arange(m, device=device).repeat_interleave(2)
    hyperedge = edge_index.t().reshape(-1)
    edge_batch = None if batch is None else batch[edge_index[0]]
    if not add_loops:
        index = torch.stack([dual_node, hyperedge])
        return Hypergraph._trusted(index, m, n, node_attr=edge_attr, edge_attr=x), edge_batch

    keep_edge = torch.bincount(hyperedge, minlength=n) != 1
    new_id = torch.cumsum(keep_edge, 0) - 1
    k = int(keep_edge.sum())
    keep_inc = keep_edge[hyperedge]
    dual_ids = torch.arange(m, device=device)
    index = torch.cat([
        torch.stack([dual_node[keep_inc], new_id[hyperedge[keep_inc]]]),
        torch.stack([dual_ids, dual_ids + k]),
    ], dim=1)
    if x is not None:
        x = torch.cat([x[keep_edge], x.new_zeros((m, *x.shape[1:]))])
    return Hypergraph._trusted(index, m, k + m, node_attr=edge_attr, edge_attr=x), edge_batch


def dht_inverse(
    dual_hg: Hypergraph, strict: bool = True
) -> tuple[Tensor, int, Tensor | None, Tensor | None]:
    r"""Invert :func:`dht` (with ``add_loops=False``): :math:`(E, M^\top, X) \mapsto (X, M, E)`.

    Dual node ``i`` must lie in exactly two incidences; the first (in incidence order) is the
    source and the second the target of edge ``i``. The direction is recovered from this
    *ordering contract*, the layout written by :func:`dht`, so ``dht_inverse(dht(g))``
    returns ``g`` exactly (column order, direction, self-loops, multi-edges, ``num_nodes``,
    ``x``, ``edge_attr``). ``edge_weight``, ``node_weight`` and ``incidence_attr`` of
    ``dual_hg`` are not used.

    Args:
        dual_hg: a dual hypergraph as produced by ``dht(..., add_loops=False)``.
        strict: require exactly the layout of :func:`dht` (the incidences of dual node ``i``
            at columns ``2 i`` and ``2 i + 1``), which guarantees the recovered directions are
            those that were encoded. With ``strict=False`` any incidence order is accepted and
            the relative order of each dual node's two incidences decides the direction.

    Returns:
        ``(edge_index, num_nodes, x, edge_attr)`` with ``x = dual_hg.edge_attr`` and
        ``edge_attr = dual_hg.node_attr``.

    Raises:
        ValueError: if a dual node does not lie in exactly two incidences (e.g. after
            ``add_loops=True``), or if ``strict`` and the layout differs from :func:`dht`'s.

    Example:
        >>> import torch
        >>> edge_index = torch.tensor([[0, 2, 2], [1, 2, 0]])
        >>> hg, _ = dht(edge_index, num_nodes=3, x=torch.eye(3))
        >>> out, n, x, edge_attr = dht_inverse(hg)
        >>> out, n, edge_attr is None
        (tensor([[0, 2, 2],
                [1, 2, 0]]), 3, True)
    """
    if not isinstance(dual_hg, Hypergraph):
        raise TypeError(f"Expected 'dual_hg' to be a Hypergraph (got {C.describe(dual_hg)})")
    if not isinstance(strict, bool):
        raise TypeError(f"Expected 'strict' to be a bool (got {C.describe(strict)})")
    m, index = dual_hg.num_nodes, dual_hg.hyperedge_index
    count = dual_hg.node_count
    bad = (count != 2).nonzero().view(-1)
    if bad.numel():
        i = int(bad[0])
        raise ValueError(
            f"Expected every dual node of 'dual_hg' to lie in exactly 2 incidences (its "
            f"endpoints), but dual node {i} lies in {int(count[i])} ({bad.numel()} dual nodes "
            f"violate this); dht(..., add_loops=True) is not invertible"
        )
    if strict:
        expected = torch.arange(m, device=index.device).repeat_interleave(2)
        if not torch.equal(index[0], expected):
            col = int((index[0] != expected).nonzero()[0])
            raise ValueError(
                f"Expected 'dual_hg' in the incidence layout written by dht() (dual node i at "
                f"columns 2i and 2i+1), but column {col} holds dual node {int(index[0, col])}; "
                f"the edge directions cannot be trusted (pass strict=False to read each dual "
                f"node's first incidence as the source)"
            )
        ends = index[1]
    else:
        ends = index[1][torch.argsort(index[0], stable=True)]
    edge_index = ends.view(m, 2).t().contiguous()
    return edge_index, dual_hg.num_edges, dual_hg.edge_attr, dual_hg.node_attr
