r"""Reconstruct hypergraphs from their projected graphs (Wang & Kleinberg, ICLR 2024).

The *projection* of a hypergraph is its clique expansion as a simple graph: nodes ``u`` and
``v`` are adjacent iff they share a hyperedge (:func:`project`). Reconstruction maps a
projected graph back to a set of node sets. This module holds the problem's building blocks
and the unsupervised baselines:

* :func:`project`: hypergraph -> ``networkx.Graph`` (unweighted, or weighted by the number of
  shared hyperedges);
* :func:`maximal_cliques`: bounded, deterministic maximal-clique enumeration with progress
  (a count and a time limit raise :class:`CliqueLimitError` instead of hanging);
* :func:`max_clique_reconstruction` (every maximal clique is a hyperedge) and
  :func:`clique_cover` (greedy edge clique cover), the baselines of the paper;
* :func:`reconstruction_scores`: Jaccard :math:`|R \cap E| / |R \cup E|` over exact node
  sets, precision, recall, F1, and a per-size breakdown.

The supervised method (SHyRe) lives in :mod:`hgkit.tasks.shyre`.

Node sets are compared as sets: a reconstruction or a ground truth is turned into a set of
sorted tuples, so duplicates count once (the reference treats hyperedges as a set of node
sets) and singletons count.

Example:
    >>> from hgkit.hypergraph.construct import from_edge_list
    >>> hg = from_edge_list([[0, 1, 2], [2, 3], [4]], num_nodes=5)
    >>> g = project(hg)
    >>> sorted(g.edges())
    [(0, 1), (0, 2), (1, 2), (2, 3)]
    >>> maximal_cliques(g)
    [(0, 1, 2), (2, 3), (4,)]
    >>> reconstruction_scores(maximal_cliques(g), hg)["jaccard"]
    1.0
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from hgkit.hypergraph.construct import from_edge_list
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = [
    "CliqueLimitError", "ReconstructionError", "as_edge_sets", "as_graph", "clique_cover",
    "max_clique_reconstruction", "maximal_cliques", "project", "reconstruction_scores",
    "to_hypergraph",
]

NodeSet = tuple[int, ...]


class ReconstructionError(ValueError):
    """A reconstruction request that cannot run (bad input, unusable graph)."""


class CliqueLimitError(ReconstructionError):
    """Maximal-clique enumeration hit its ``max_cliques`` or ``time_limit`` bound."""


# ---------------------------------------------------------------------- projection
def project(hg: Hypergraph, weighted: bool = False) -> nx.Graph:
    r"""The projected (clique-expanded) simple graph of ``hg``, on nodes ``0 .. N-1``.

    ``u ~ v`` iff :math:`u \ne v` share a hyperedge. Isolated nodes (in no hyperedge, or only
    in singletons) stay as nodes. With ``weighted=True`` every edge carries ``weight``, the
    number of hyperedges containing both ends (repeated incidences count once per hyperedge).

    Example:
        >>> from hgkit.hypergraph.construct import from_edge_list
        >>> g = project(from_edge_list([[0, 1, 2], [0, 1]], num_nodes=4), weighted=True)
        >>> sorted(g.edges(data="weight")), g.number_of_nodes()
        ([(0, 1, 2), (0, 2, 1), (1, 2, 1)], 4)
    """
    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected 'hg' to be an hgkit Hypergraph (got {type(hg).__name__})")
    if not isinstance(weighted, bool):
        raise TypeError(f"Expected 'weighted' to be a bool (got {type(weighted).__name__})")
    node, edge = hg.hyperedge_index.cpu().numpy()
    n, m = hg.num_nodes, hg.num_edges
    inc = sp.csr_matrix((np.ones(node.size, dtype=np.int64), (node, edge)), shape=(n, m))
    inc.data[:] = 1  # repeated incidences count once
    gram = sp.triu(inc @ inc.T, k=1).tocoo()
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    if weighted:
        graph.add_weighted_edges_from(zip(gram.row.tolist(), gram.col.tolist(),
                                          gram.data.tolist(), strict=True))
    else:
        graph.add_edges_from(zip(gram.row.tolist(), gram.col.tolist(), strict=True))
    return graph


def as_graph(graph: Any, name: str = "graph") -> nx.Graph:
    """``graph`` as an undirected simple ``networkx.Graph`` (a copy only when needed).

    Accepts a networkx graph (directed or multi-graphs are converted) or an iterable of node
    pairs; a Hypergraph is refused with advice to :func:`project` it first.

    Example:
        >>> sorted(as_graph([(0, 1), (1, 2)]).edges())
        [(0, 1), (1, 2)]
    """
    if isinstance(graph, nx.Graph) and not graph.is_directed() and not graph.is_multigraph():
        return graph
    if isinstance(graph, nx.Graph):
        return nx.Graph(graph)
    if isinstance(graph, Hypergraph):
        raise TypeError(f"Expected '{name}' to be a projected graph, not a Hypergraph; call "
                        "project(hypergraph) first")
    try:
        pairs = [tuple(p) for p in graph]
    except TypeError:
        raise TypeError(f"Expected '{name}' to be a networkx Graph or an iterable of node "
                        f"pairs (got {type(graph).__name__})") from None
    bad = [p for p in pairs if len(p) != 2]
    if bad:
        raise ValueError(f"Expected '{name}' pairs (u, v) (got {bad[0]!r})")
    out = nx.Graph()
    out.add_edges_from(pairs)
    return out


# ---------------------------------------------------------------------- cliques
def maximal_cliques(graph: Any, *, max_cliques: int | None = None,
                    time_limit: float | None = None, progress: bool = False,
                    min_size: int = 1) -> list[NodeSet]:
    """Every maximal clique of ``graph`` as a sorted tuple, in lexicographic order.

    Enumeration (``networkx.find_cliques``, Bron-Kerbosch with pivoting) can take exponential
    time on dense graphs, so it can be bounded: it stops with :class:`CliqueLimitError` (naming
    the count reached, the elapsed time and the largest clique so far) when more than
    ``max_cliques`` cliques are found or ``time_limit`` seconds pass. Self-loops are ignored;
    an isolated node is a clique of size 1 (dropped by ``min_size=2``).

    Args:
        graph: a ``networkx.Graph`` or an iterable of node pairs.
        max_cliques: stop after this many cliques (``None``: no bound).
        time_limit: stop after this many seconds (``None``: no bound).
        progress: show a tqdm counter of cliques found.
        min_size: smallest clique size returned.

    Example:
        >>> maximal_cliques([(0, 1), (1, 2), (0, 2), (2, 3)])
        [(0, 1, 2), (2, 3)]
        >>> maximal_cliques([(0, 1), (1, 2)], max_cliques=1)
        Traceback (most recent call last):
        ...
        hgkit.tasks.reconstruction.CliqueLimitError: maximal-clique enumeration stopped ...
    """
    from tqdm.auto import tqdm

    g = as_graph(graph)
    if nx.number_of_selfloops(g):
        g = nx.Graph(g)
        g.remove_edges_from(list(nx.selfloop_edges(g)))
    for value, name in ((max_cliques, "max_cliques"), (min_size, "min_size")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise ValueError(f"Expected '{name}' to be a positive int (got {value!r})")
    if time_limit is not None and (isinstance(time_limit, bool)
                                   or not isinstance(time_limit, (int, float))
                                   or not time_limit > 0):
        raise ValueError(f"Expected 'time_limit' to be a positive number of seconds (got "
                         f"{time_limit!r})")
    start = time.perf_counter()
    found: list[NodeSet] = []
    largest = 0
    bar = tqdm(disable=not progress, desc="maximal cliques", unit="clique", leave=False)
    try:
        for i, clique in enumerate(nx.find_cliques(g)):
            largest = max(largest, len(clique))
            if len(clique) >= min_size:
                found.append(tuple(sorted(clique)))
            if progress and i % 1000 == 0:
                bar.update(1000 if i else 1)
            over_count = max_cliques is not None and len(found) > max_cliques
            over_time = (time_limit is not None and i % 256 == 0
                         and time.perf_counter() - start > time_limit)
            if over_count or over_time:
                why = (f"max_cliques={max_cliques}" if over_count
                       else f"time_limit={time_limit} s")
                raise CliqueLimitError(
                    f"maximal-clique enumeration stopped at {why}: {len(found):,} cliques "
                    f"found in {time.perf_counter() - start:.1f} s (largest so far "
                    f"{largest}) on a graph with {g.number_of_nodes():,} nodes and "
                    f"{g.number_of_edges():,} edges; raise the bound, or use a method that "
                    "does not enumerate cliques (method='cover')")
    finally:
        bar.close()
    found.sort()
    return found


def max_clique_reconstruction(graph: Any, **limits: Any) -> list[NodeSet]:
    """The max-clique baseline: every maximal clique of ``graph`` is a hyperedge.

    ``limits`` are passed to :func:`maximal_cliques` (``max_cliques``, ``time_limit``,
    ``progress``).

    Example:
        >>> max_clique_reconstruction([(0, 1), (1, 2), (0, 2), (3, 4)])
        [(0, 1, 2), (3, 4)]
    """
    return maximal_cliques(graph, **limits)


def clique_cover(graph: Any, seed: int | None = 0, progress: bool = False) -> list[NodeSet]:
    r"""Greedy edge clique cover (the paper's clique-covering baseline).

    Repeat until every edge is covered: take an uncovered edge :math:`\{u, v\}` (edges in a
    random order drawn from ``seed``), grow a clique from it by adding, among the common
    neighbours of the clique, the node that covers the most still-uncovered edges to the
    clique (ties: lowest id), until no common neighbour is left; mark its edges covered.
    Isolated nodes become singletons, as in the max-clique baseline.

    Args:
        graph: a ``networkx.Graph`` or an iterable of node pairs.
        seed: seed of the edge order (``None``: the graph's edge order).
        progress: show a tqdm bar over edges covered.

    Returns:
        The cliques as sorted tuples, lexicographically sorted, without duplicates.

    Example:
        >>> clique_cover([(0, 1), (1, 2), (0, 2), (2, 3)])
        [(0, 1, 2), (2, 3)]
    """
    from tqdm.auto import tqdm

    g = as_graph(graph)
    adj = {v: set(g.adj[v]) - {v} for v in g.nodes}
    edges = [(u, v) for u, v in g.edges() if u != v]
    if seed is not None:
        order = np.random.default_rng(seed).permutation(len(edges))
        edges = [edges[i] for i in order]
    uncovered = {u: set() for u in adj}
    for u, v in edges:
        uncovered[u].add(v)
        uncovered[v].add(u)
    cliques: set[NodeSet] = set()
    bar = tqdm(total=len(edges), disable=not progress, desc="clique cover", unit="edge",
               leave=False)
    remaining = len(edges)
    for u, v in edges:
        if v not in uncovered[u]:
            continue
        clique = [u, v]
        common = adj[u] & adj[v]
        while common:
            best = max(common, key=lambda w: (sum(1 for c in clique if c in uncovered[w]),
                                              _neg(w)))
            clique.append(best)
            common &= adj[best]
        newly = 0
        for i, a in enumerate(clique):
            for b in clique[i + 1:]:
                if b in uncovered[a]:
                    uncovered[a].discard(b)
                    uncovered[b].discard(a)
                    newly += 1
        remaining -= newly
        bar.update(newly)
        cliques.add(tuple(sorted(clique)))
    bar.close()
    assert remaining == 0
    cliques.update((v,) for v in adj if not adj[v])
    return sorted(cliques)


def _neg(v: Any) -> Any:
    return -v if isinstance(v, (int, np.integer)) else 0


# ---------------------------------------------------------------------- evaluation
def as_edge_sets(hyperedges: Any) -> set[NodeSet]:
    """A set of sorted node tuples from a Hypergraph or an iterable of node collections.

    Example:
        >>> sorted(as_edge_sets([[2, 1], (1, 2), [3]]))
        [(1, 2), (3,)]
    """
    if isinstance(hyperedges, Hypergraph):
        return {tuple(sorted(set(e))) for e in hyperedges.edges()}
    try:
        return {tuple(sorted({int(v) for v in e})) for e in hyperedges}
    except TypeError:
        raise TypeError("Expected a Hypergraph or an iterable of node collections (got "
                        f"{type(hyperedges).__name__})") from None


def reconstruction_scores(predicted: Any, truth: Any) -> dict[str, Any]:
    r"""Jaccard, precision, recall and F1 of a reconstruction, overall and per size.

    .. math::
        J = \frac{|R \cap E|}{|R \cup E|}, \quad P = \frac{|R \cap E|}{|R|}, \quad
        Rec = \frac{|R \cap E|}{|E|}

    with :math:`R` and :math:`E` sets of exact node sets (singletons count). ``per_size`` maps
    each hyperedge size to ``{"true", "predicted", "correct", "precision", "recall"}``.

    Example:
        >>> s = reconstruction_scores([(0, 1), (1, 2, 3)], [(0, 1), (1, 2), (3,)])
        >>> s["jaccard"], s["precision"], round(s["recall"], 3), s["per_size"][2]["correct"]
        (0.25, 0.5, 0.333, 1)
    """
    r, e = as_edge_sets(predicted), as_edge_sets(truth)
    both = r & e
    union = len(r | e)
    p = len(both) / len(r) if r else 0.0
    rec = len(both) / len(e) if e else 0.0
    per_size: dict[int, dict[str, Any]] = {}
    for size in sorted({len(x) for x in r | e}):
        t = sum(1 for x in e if len(x) == size)
        q = sum(1 for x in r if len(x) == size)
        c = sum(1 for x in both if len(x) == size)
        per_size[size] = {"true": t, "predicted": q, "correct": c,
                          "precision": c / q if q else 0.0, "recall": c / t if t else 0.0}
    return {"jaccard": len(both) / union if union else 1.0, "precision": p, "recall": rec,
            "f1": 2 * p * rec / (p + rec) if p + rec else 0.0, "num_predicted": len(r),
            "num_true": len(e), "num_correct": len(both), "per_size": per_size}


def to_hypergraph(node_sets: Iterable[Sequence[int]], num_nodes: int | None = None
                  ) -> Hypergraph:
    """A Hypergraph with one hyperedge per node set (in the given order).

    Example:
        >>> to_hypergraph([(0, 1), (2,)], num_nodes=4).edges()
        [[0, 1], [2]]
    """
    sets = [list(s) for s in node_sets]
    if num_nodes is None:
        num_nodes = 1 + max((max(s) for s in sets if s), default=-1)
    return from_edge_list(sets, num_nodes=num_nodes)
