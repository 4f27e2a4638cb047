r"""SHyRe-count: supervised hypergraph reconstruction (Wang & Kleinberg, ICLR 2024).

Given a fully observed training hypergraph :math:`H_{train}` and the projection
:math:`G_{test}` (clique expansion) of an unseen hypergraph from the same domain, SHyRe returns
a set :math:`R` of node sets that should match :math:`H_{test}`. It has three parts:

1. **Statistics** (:func:`clique_statistics`). For every maximal-clique size :math:`n` and
   hyperedge size :math:`k \le n` of the training side,
   :math:`S(n, k)` is the set of training hyperedges of size :math:`k` contained in at least
   one maximal clique of size :math:`n`, and
   :math:`\mathrm{cost}(n, k) = \#\{\text{maximal cliques of size } n\} \binom{n}{k}` is the
   number of :math:`k`-subsets one would enumerate; :math:`\rho(n, k) = |S(n, k)| /
   \mathrm{cost}(n, k)`.
2. **Clique sampler** (:func:`optimize_sampler`, :func:`sample_candidates`). A greedy,
   coverage-per-cost choice of cells :math:`(n, k)` and ratios :math:`r(n, k)` under a budget
   :math:`\beta` of enumerated subsets; applying the plan to a graph enumerates every
   :math:`k`-subset of the first :math:`\lfloor r \cdot \#\{n\text{-cliques}\} \rfloor`
   maximal cliques of size :math:`n`. Candidates = all maximal cliques :math:`\cup` the
   sampled sub-cliques.
3. **Classifier** (:class:`SHyRe`). Nine count features per candidate
   (:func:`count_features`, z-scored per split by :func:`standardize`) and two classifiers,
   one for maximal-clique candidates and one for sub-clique candidates, trained on the
   training candidates labelled by membership in :math:`H_{train}`; :math:`R` = the query
   candidates predicted with probability :math:`> 0.5`.

The projection, the maximal cliques and the metrics come from
:mod:`hgkit.tasks.reconstruction`. Maximal cliques are in that module's order (sorted tuples,
lexicographically sorted), which is the "list order" the sampler takes its first cliques in.

Example:
    >>> from hgkit.tasks.reconstruction import maximal_cliques, project, to_hypergraph
    >>> train = to_hypergraph([(0, 1, 2), (1, 2, 3), (1, 2), (4, 5)])
    >>> cliques = maximal_cliques(project(train))
    >>> cliques
    [(0, 1, 2), (1, 2, 3), (4, 5)]
    >>> stats = clique_statistics(train, cliques)
    >>> sorted(stats[(3, 2)][0]), stats[(3, 2)][1]  # S(3, 2), cost(3, 2) = 2 * C(3, 2)
    ([(1, 2)], 6)
    >>> plan = optimize_sampler(stats, budget=6)
    >>> plan
    [(2, 2, 1.0), (3, 3, 1.0), (3, 2, 0.5)]
    >>> cands = sample_candidates(cliques, plan)
    >>> cands.sets(), cands.clique_type.tolist()
    ([(0, 1, 2), (1, 2, 3), (4, 5), (0, 1), (0, 2), (1, 2)], [0, 0, 0, 1, 1, 1])
    >>> model = SHyRe(budget=6, classifier="lr").fit(train)
    >>> model.reconstruct_sets(project(train))  # the sub-clique (1, 2) is recovered
    [(0, 1, 2), (1, 2), (1, 2, 3), (4, 5)]
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.tasks.reconstruction import (
    ReconstructionError,
    as_graph,
    as_edge_sets,
    maximal_cliques,
    project,
    reconstruction_scores,
    to_hypergraph,
)

__all__ = ["FEATURE_NAMES", "Candidates", "SHyRe", "clique_statistics", "count_features",
           "optimize_sampler", "sample_candidates", "standardize"]

NodeSet = tuple[int, ...]
Stats = Mapping[tuple[int, int], tuple[frozenset[NodeSet], int]]
Plan = list[tuple[int, int, float]]

#: The nine SHyRe-count features, in column order.
FEATURE_NAMES: tuple[str, ...] = (
    "clique_type",            # 0 = maximal clique, 1 = sub-clique
    "size",
    "pairs_multi_covered",    # every pair lies in > 1 maximal clique (0/1)
    "mean_pair_degree",       # mean over pairs of #maximal cliques containing the pair
    "mean_degree",            # mean node degree in G
    "mean_neighbor_degree",   # mean of networkx average_neighbor_degree
    "mean_node_cliques",      # mean #maximal cliques containing each node
    "mean_clustering",        # mean networkx local clustering coefficient
    "parents",                # #maximal cliques the candidate was sampled from
)


# ---------------------------------------------------------------------- statistics
def clique_statistics(hyperedges: Any, cliques: Sequence[Sequence[int]]) -> dict[
        tuple[int, int], tuple[frozenset[NodeSet], int]]:
    r"""The :math:`\rho(n, k)` table: :math:`S(n, k)` and :math:`\mathrm{cost}(n, k)`.

    For every size :math:`n` of a maximal clique in ``cliques`` and every
    :math:`1 \le k \le n`, :math:`S(n, k)` is the set of hyperedges of size :math:`k`
    contained in at least one maximal clique of size :math:`n`, and
    :math:`\mathrm{cost}(n, k) = c_n \binom{n}{k}` with :math:`c_n` the number of maximal
    cliques of size :math:`n`. :math:`\rho(n, k) = |S(n, k)| / \mathrm{cost}(n, k)`.

    The cliques containing a hyperedge are the intersection of its nodes' clique lists (node
    :math:`\to` clique ids, starting from the node in the fewest cliques), so the work is about
    :math:`\sum_h \min_{v \in h} \#\mathrm{cliques}(v)`, not :math:`|E| \times \#\mathrm{cliques}`.

    Args:
        hyperedges: a :class:`~hgkit.Hypergraph` or an iterable of node collections (compared
            as sets; duplicates count once).
        cliques: the maximal cliques of the hypergraph's projection.

    Returns:
        ``{(n, k): (S, cost)}`` for every clique size ``n`` and ``1 <= k <= n`` (cells with an
        empty ``S`` included); ``S`` is a frozenset of sorted node tuples, ``cost`` an int.

    Example:
        >>> stats = clique_statistics([(0, 1, 2), (0, 1), (3,)], [(0, 1, 2), (3,)])
        >>> sorted(stats)
        [(1, 1), (3, 1), (3, 2), (3, 3)]
        >>> stats[(3, 2)], stats[(1, 1)]
        ((frozenset({(0, 1)}), 3), (frozenset({(3,)}), 1))
    """
    edges = {e for e in as_edge_sets(hyperedges) if e}
    clique_list = [tuple(c) for c in cliques]
    size = np.fromiter((len(c) for c in clique_list), dtype=np.int64, count=len(clique_list))
    count: dict[int, int] = defaultdict(int)
    for n in size.tolist():
        count[n] += 1
    member: dict[int, list[int]] = defaultdict(list)
    for cid, clique in enumerate(clique_list):
        for v in clique:
            member[v].append(cid)
    covered: dict[tuple[int, int], set[NodeSet]] = defaultdict(set)
    as_set: dict[int, set[int]] = {}  # node -> its clique ids as a set, built on demand
    for edge in edges:
        order = sorted(edge, key=lambda v: len(member.get(v, ())))
        ids: Iterable[int] = member.get(order[0], ())
        if len(order) > 1:
            common = set(ids)
            for v in order[1:]:
                if not common:
                    break
                if v not in as_set:
                    as_set[v] = set(member.get(v, ()))
                common &= as_set[v]
            ids = common
        k = len(edge)
        for n in {int(size[c]) for c in ids}:
            covered[(n, k)].add(edge)
    return {(n, k): (frozenset(covered.get((n, k), ())), count[n] * math.comb(n, k))
            for n in sorted(count) for k in range(1, n + 1)}


# ---------------------------------------------------------------------- sampler
def optimize_sampler(stats: Stats, budget: float, seed: int = 0) -> Plan:
    r"""The greedy budgeted clique sampler: which :math:`(n, k)` cells to enumerate, and how much.

    For every column :math:`k` keep :math:`\Gamma_k` (hyperedges covered so far, initially
    empty) and :math:`\Omega_k = \{n \ge k\}` (cells not used yet), and let

    .. math::
        \Delta_k = \max_{n \in \Omega_k}
            \frac{|\Gamma_k \cup S(n, k)| - |\Gamma_k|}{\mathrm{cost}(n, k)},

    with :math:`n_k` the arg-max (ties: the smallest :math:`n`). Then, while
    :math:`\beta_{left} > 0` and some :math:`\Delta_k > 0`:

    1. :math:`k^* = \arg\max_k \Delta_k` (ties: the smallest :math:`k`);
    2. :math:`r = \min(\beta_{left}, \mathrm{cost}) / \mathrm{cost}` for the cell
       :math:`(n_{k^*}, k^*)`;
    3. add :math:`S(n_{k^*}, k^*)` to :math:`\Gamma_{k^*}`; when :math:`r < 1` (only the last
       step can have it, as it exhausts the budget) only :math:`\lfloor r |S \setminus
       \Gamma_{k^*}| \rfloor` of its new hyperedges, drawn uniformly with ``seed``, since only
       a fraction :math:`r` of the cliques will be enumerated. This step only matters for the
       coverage that :class:`SHyRe` reports as ``sampler_recall_``;
    4. remove :math:`n_{k^*}` from :math:`\Omega_{k^*}`;
    5. :math:`\beta_{left} \mathrel{-}= \mathrm{cost}`;
    6. recompute :math:`\Delta_{k^*}`.

    The diagonal :math:`n = k` is a cell like any other (enumerating :math:`n`-subsets of
    :math:`n`-cliques yields the cliques themselves), as in the spec's :math:`\Omega_k`.

    Args:
        stats: ``{(n, k): (S, cost)}``, e.g. from :func:`clique_statistics`; ``S`` any
            collection of hashable hyperedges, ``cost`` a positive number.
        budget: :math:`\beta`, the total number of subsets allowed (positive).
        seed: seed of the random :math:`r`-fraction in step 3.

    Returns:
        The chosen cells in order, as ``(n, k, r)`` with :math:`0 < r \le 1`.

    Raises:
        ValueError: on a non-positive ``budget`` or cost.

    Example:
        >>> stats = {(3, 2): ({"a", "b"}, 3), (2, 2): ({"c"}, 4), (3, 3): ({"d"}, 1)}
        >>> optimize_sampler(stats, budget=5)
        [(3, 3, 1.0), (3, 2, 1.0), (2, 2, 0.25)]
    """
    return _greedy(stats, budget, seed)[0]


def _greedy(stats: Stats, budget: float, seed: int) -> tuple[Plan, set[Any]]:
    """:func:`optimize_sampler`, also returning the covered hyperedges (union of the Gammas)."""
    _check_budget(budget)
    cells: dict[int, list[int]] = defaultdict(list)
    sets: dict[tuple[int, int], frozenset[Any]] = {}
    for (n, k), (s, cost) in stats.items():
        if not cost > 0:
            raise ValueError(f"Expected 'stats' costs to be positive (got cost={cost!r} for "
                             f"(n, k)=({n}, {k}))")
        cells[k].append(n)
        sets[(n, k)] = frozenset(s)
    omega = {k: sorted(ns) for k, ns in cells.items()}
    gamma: dict[int, set[Any]] = {k: set() for k in omega}

    def best(k: int) -> tuple[float, int | None]:
        top, arg = 0.0, None
        for n in omega[k]:
            gain = len(sets[(n, k)].difference(gamma[k])) / stats[(n, k)][1]
            if gain > top:
                top, arg = gain, n
        return top, arg

    delta = {k: best(k) for k in sorted(omega)}
    rng = np.random.default_rng(seed)
    left = float(budget)
    plan: Plan = []
    while left > 0:
        k_star = max(delta, key=lambda k: (delta[k][0], -k))
        gain, n_star = delta[k_star]
        if not gain > 0 or n_star is None:
            break
        cost = stats[(n_star, k_star)][1]
        r = min(left, cost) / cost
        plan.append((n_star, k_star, float(r)))
        new: set[Any] = set(sets[(n_star, k_star)].difference(gamma[k_star]))
        if r < 1:
            pool = sorted(new, key=repr)
            take = rng.choice(len(pool), size=math.floor(r * len(pool)), replace=False)
            new = {pool[i] for i in take.tolist()}
        gamma[k_star] |= new
        omega[k_star].remove(n_star)
        left -= cost
        delta[k_star] = best(k_star)
    return plan, set().union(*gamma.values())


def _check_budget(budget: Any) -> None:
    if (isinstance(budget, bool) or not isinstance(budget, (int, float, np.integer,
                                                            np.floating))
            or not math.isfinite(budget) or not budget > 0):
        raise ValueError(f"Expected 'budget' to be a positive finite number of subsets (got "
                         f"{budget!r})")


# ---------------------------------------------------------------------- candidates
@dataclass(frozen=True)
class Candidates:
    """Candidate node sets of one graph, stored flat (CSR style).

    Candidate ``i`` is ``nodes[offsets[i]:offsets[i + 1]]`` (sorted). Maximal cliques come
    first, in the order given, then the sampled sub-cliques by increasing size, each size in
    lexicographic order; every node set occurs once.

    Attributes:
        nodes: ``[sum of sizes]`` int64 node ids.
        offsets: ``[num + 1]`` int64 start of every candidate in ``nodes``.
        clique_type: ``[num]`` int8, 0 = maximal clique, 1 = sampled sub-clique.
        parents: ``[num]`` int64, for a sub-clique the number of sampled maximal cliques it
            was enumerated from; 1 for a maximal clique (its only maximal superset).
        num_sampled: subsets enumerated by the plan, duplicates and the diagonal ``k = n``
            (the cliques themselves) included.
        num_sampled_unique: distinct node sets among those.

    Example:
        >>> c = sample_candidates([(0, 1, 2), (1, 2, 3)], [(3, 2, 1.0)])
        >>> len(c), c.sets()[2:], c.parents.tolist()[2:], c.num_sampled, c.num_sampled_unique
        (7, [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)], [1, 1, 2, 1, 1], 6, 5)
    """

    nodes: np.ndarray
    offsets: np.ndarray
    clique_type: np.ndarray
    parents: np.ndarray
    num_sampled: int = 0
    num_sampled_unique: int = 0

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def sizes(self) -> np.ndarray:
        """``[num]`` int64 size of every candidate."""
        return np.diff(self.offsets)

    @property
    def num_maximal(self) -> int:
        """Number of maximal-clique candidates (type 0)."""
        return int(np.count_nonzero(self.clique_type == 0))

    def sets(self) -> list[NodeSet]:
        """Every candidate as a sorted node tuple, in candidate order."""
        flat = self.nodes.tolist()
        bounds = self.offsets.tolist()
        return [tuple(flat[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def by_size(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """``(size, candidate ids, [m, size] node array)`` for every size present."""
        sizes = self.sizes
        for s in np.unique(sizes).tolist():
            ids = np.flatnonzero(sizes == s)
            rows = self.nodes[self.offsets[ids][:, None] + np.arange(s)]
            yield s, ids, rows.reshape(ids.size, s)


def _group_by_size(cliques: Sequence[Sequence[int]]) -> dict[int, np.ndarray]:
    """``{n: [c_n, n] int64 array}`` of the cliques of size ``n``, in list order, sorted rows."""
    groups: dict[int, list[Sequence[int]]] = defaultdict(list)
    for c in cliques:
        groups[len(c)].append(sorted(c))
    return {n: np.asarray(rows, dtype=np.int64).reshape(len(rows), n)
            for n, rows in groups.items()}


def _combination_index(n: int, k: int) -> np.ndarray:
    return np.fromiter((i for c in combinations(range(n), k) for i in c), dtype=np.int64,
                       count=math.comb(n, k) * k).reshape(-1, k)


def sample_candidates(cliques: Sequence[Sequence[int]], plan: Iterable[Sequence[Any]]
                      ) -> Candidates:
    r"""Apply a sampler plan: all maximal cliques plus the sampled sub-cliques.

    For every ``(n, k, r)`` of ``plan``, the first :math:`\lfloor r \cdot c_n \rfloor` maximal
    cliques of size :math:`n` (in the order of ``cliques``) have all their :math:`k`-subsets
    enumerated. A :math:`k`-subset with :math:`k < n` can never be a maximal clique, and for
    :math:`k = n` it is the clique itself, which is already a candidate: diagonal cells are
    counted in ``num_sampled`` but add no sub-clique. Sub-cliques are deduplicated, each
    keeping the number of times it was enumerated (= its number of sampled parent cliques).

    Args:
        cliques: the maximal cliques of a graph (node collections; sorted internally).
        plan: ``(n, k, r)`` cells, e.g. from :func:`optimize_sampler`.

    Returns:
        :class:`Candidates`.

    Example:
        >>> c = sample_candidates([(0, 1, 2), (0, 2, 3), (4, 5)], [(3, 2, 0.5), (2, 2, 1.0)])
        >>> c.sets(), c.clique_type.tolist(), c.num_sampled
        ([(0, 1, 2), (0, 2, 3), (4, 5), (0, 1), (0, 2), (1, 2)], [0, 0, 0, 1, 1, 1], 4)
    """
    groups = _group_by_size(cliques)
    sampled: dict[int, list[np.ndarray]] = defaultdict(list)
    num_sampled = 0
    diagonal_unique = 0
    diagonal_used: dict[int, int] = {}
    for cell in plan:
        n, k, r = int(cell[0]), int(cell[1]), float(cell[2])
        if not 1 <= k <= n or not 0 <= r <= 1:
            raise ValueError(f"Expected 'plan' cells (n, k, r) with 1 <= k <= n and 0 <= r <= 1 "
                             f"(got {tuple(cell)!r})")
        rows = groups.get(n)
        if rows is None:
            continue
        m = min(int(math.floor(r * rows.shape[0])), rows.shape[0])
        num_sampled += m * math.comb(n, k)
        if m == 0:
            continue
        if k == n:
            diagonal_used[n] = max(diagonal_used.get(n, 0), m)
            continue
        sampled[k].append(rows[:m][:, _combination_index(n, k)].reshape(-1, k))
    diagonal_unique = sum(diagonal_used.values())
    parts_nodes = [np.asarray([v for c in cliques for v in sorted(c)], dtype=np.int64)]
    sizes = [np.fromiter((len(c) for c in cliques), dtype=np.int64, count=len(cliques))]
    types = [np.zeros(len(cliques), dtype=np.int8)]
    parents = [np.ones(len(cliques), dtype=np.int64)]
    num_unique = diagonal_unique
    for k in sorted(sampled):
        rows, counts = np.unique(np.concatenate(sampled[k]), axis=0, return_counts=True)
        num_unique += rows.shape[0]
        parts_nodes.append(rows.reshape(-1))
        sizes.append(np.full(rows.shape[0], k, dtype=np.int64))
        types.append(np.ones(rows.shape[0], dtype=np.int8))
        parents.append(counts.astype(np.int64))
    size = np.concatenate(sizes)
    offsets = np.zeros(size.size + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    return Candidates(np.concatenate(parts_nodes), offsets, np.concatenate(types),
                      np.concatenate(parents), num_sampled=int(num_sampled),
                      num_sampled_unique=int(num_unique))


# ---------------------------------------------------------------------- features
def _node_table(graph: nx.Graph, cliques: Sequence[Sequence[int]], num: int) -> np.ndarray:
    """``[num, 4]``: degree, average neighbour degree, #maximal cliques, clustering."""
    rows, cols = [], []
    for u, v in graph.edges():
        if u != v:
            rows += [u, v]
            cols += [v, u]
    adj = sp.csr_matrix((np.ones(len(rows)), (np.asarray(rows, dtype=np.int64),
                                               np.asarray(cols, dtype=np.int64))),
                        shape=(num, num))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    deg = np.asarray(adj.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_nbr = np.where(deg > 0, adj @ deg / np.maximum(deg, 1), 0.0)
        tri = np.asarray((adj @ adj).multiply(adj).sum(axis=1)).ravel() / 2
        clust = np.where(deg > 1, 2 * tri / np.maximum(deg * (deg - 1), 1), 0.0)
    flat = np.fromiter((v for c in cliques for v in c), dtype=np.int64)
    node_cliques = np.bincount(flat, minlength=num)[:num].astype(np.float64)
    return np.stack([deg, avg_nbr, node_cliques, clust], axis=1)


def _pair_table(cliques: Sequence[Sequence[int]], num: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted pair keys ``u * num + v`` (u < v) and the number of maximal cliques holding each."""
    keys = []
    for n, rows in _group_by_size(cliques).items():
        if n < 2:
            continue
        idx = _combination_index(n, 2)
        keys.append((rows[:, idx[:, 0]] * num + rows[:, idx[:, 1]]).reshape(-1))
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(keys), return_counts=True)


def count_features(candidates: Candidates, graph: Any, cliques: Sequence[Sequence[int]]
                   ) -> np.ndarray:
    r"""The nine SHyRe-count features of every candidate (raw; see :func:`standardize`).

    Columns (:data:`FEATURE_NAMES`), for a candidate :math:`c` of graph :math:`G` whose maximal
    cliques are ``cliques``:

    1. clique type (0 maximal clique, 1 sub-clique); 2. :math:`|c|`;
    3. 1 if every pair of :math:`c` lies in more than one maximal clique, else 0;
    4. mean over pairs of :math:`c` of the pair's number of maximal cliques;
    5. mean node degree in :math:`G`;
    6. mean of the nodes' average neighbour degree (``networkx.average_neighbor_degree``: 0
       for an isolated node);
    7. mean number of maximal cliques containing each node;
    8. mean local clustering coefficient (``networkx.clustering``);
    9. number of parent maximal cliques (``candidates.parents``).

    A singleton has no pairs: columns 3 and 4 are 0. Node tables come from the sparse
    adjacency (triangles from :math:`(A^2 \odot A)\mathbf{1}/2`), pair counts from a sorted
    table of every maximal clique's pairs, and each candidate size is one vectorized gather.

    Args:
        candidates: from :func:`sample_candidates`.
        graph: the graph the candidates come from (``networkx.Graph`` or node pairs); nodes
            must be non-negative ints, the ids used in ``candidates`` and ``cliques``.
        cliques: the maximal cliques of ``graph``.

    Returns:
        ``[len(candidates), 9]`` float64 array.

    Example:
        >>> g = nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3)])
        >>> cl = [(0, 1, 2), (2, 3)]
        >>> x = count_features(sample_candidates(cl, [(3, 2, 1.0)]), g, cl)
        >>> x[0].round(3).tolist()  # the maximal clique (0, 1, 2)
        [0.0, 3.0, 0.0, 1.0, 2.333, 2.222, 1.333, 0.778, 1.0]
        >>> x[-1].round(3).tolist()  # the sub-clique (1, 2)
        [1.0, 2.0, 0.0, 1.0, 2.5, 2.083, 1.5, 0.667, 1.0]
    """
    g = as_graph(graph)
    nodes = list(g.nodes)
    if nodes and not all(isinstance(v, (int, np.integer)) and v >= 0 for v in nodes):
        raise ValueError("Expected 'graph' nodes to be non-negative ints (relabel with "
                         "networkx.convert_node_labels_to_integers)")
    num = 1 + max(int(max(nodes, default=-1)), int(candidates.nodes.max(initial=-1)),
                  max((max(c) for c in cliques if len(c)), default=-1))
    table = _node_table(g, cliques, num)
    pair_keys, pair_counts = _pair_table(cliques, num)
    out = np.zeros((len(candidates), len(FEATURE_NAMES)), dtype=np.float64)
    out[:, 0] = candidates.clique_type
    out[:, 1] = candidates.sizes
    out[:, 8] = candidates.parents
    for s, ids, rows in candidates.by_size():
        out[ids, 4:8] = table[rows].mean(axis=1)
        if s < 2:
            continue
        idx = _combination_index(s, 2)
        keys = rows[:, idx[:, 0]] * num + rows[:, idx[:, 1]]
        pos = np.searchsorted(pair_keys, keys).clip(max=max(pair_keys.size - 1, 0))
        found = pair_keys[pos] == keys if pair_keys.size else np.zeros(keys.shape, bool)
        counts = np.where(found, pair_counts[pos] if pair_keys.size else 0, 0)
        out[ids, 2] = np.all(counts > 1, axis=1)
        out[ids, 3] = counts.mean(axis=1)
    return out


def standardize(features: np.ndarray) -> np.ndarray:
    """Z-score every column with this array's own mean and (population) std.

    A constant column becomes 0. SHyRe standardizes each split (train, query) on its own.

    Example:
        >>> standardize(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
        [[-1.0, 0.0], [1.0, 0.0]]
    """
    x = np.asarray(features, dtype=np.float64)
    if x.shape[0] == 0:
        return x.copy()
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    return (x - mean) / np.where(std > 0, std, 1.0)


# ---------------------------------------------------------------------- estimator
class _Constant:
    """Stand-in classifier for a training class with a single label."""

    def __init__(self, value: bool) -> None:
        self.value = bool(value)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = np.full(len(x), float(self.value))
        return np.stack([1 - p, p], axis=1)

    def __repr__(self) -> str:
        return f"Constant({self.value})"


_CLASSIFIERS = ("mlp", "rf", "lr")


class SHyRe:
    r"""SHyRe-count: supervised hypergraph reconstruction from a projected graph.

    ``fit`` learns, on a training hypergraph, which maximal-clique sizes :math:`n` are worth
    enumerating :math:`k`-subsets of (:func:`optimize_sampler` under ``budget``) and two
    classifiers on nine count features (:func:`count_features`): one for the maximal cliques
    and one for the sampled sub-cliques. ``reconstruct`` applies the same plan to a query
    graph's maximal cliques and keeps the candidates predicted with probability :math:`> 0.5`.

    Args:
        budget: :math:`\beta`, the number of subsets the sampler may enumerate (on the
            training cliques). The paper's values: enron / crime 1e3, foursquare 2e4,
            school (P.School) 3.5e5, school2 (H.School) 6e4, dblp 1e6.
        classifier: ``"mlp"`` (``MLPClassifier(max_iter=2000, alpha=1e-4)``), ``"rf"``
            (``RandomForestClassifier``), ``"lr"`` (``LogisticRegression``), or an unfitted
            scikit-learn classifier (cloned twice).
        seed: ``random_state`` of the classifiers and seed of the sampler's last fraction.
        max_cliques: bound on the maximal cliques enumerated per graph (``None``: none).
        time_limit: bound in seconds on each maximal-clique enumeration (``None``: none).
        progress: show tqdm bars for the stages and the clique enumeration.

    Attributes:
        stats\_: the :func:`clique_statistics` table of the training graph.
        plan\_: the sampler plan, ``[(n, k, r), ...]``.
        classifiers\_: ``{"maximal": clf, "sub": clf}`` (a constant stand-in where the
            training candidates of that type had a single label, or none existed).
        train_candidates\_: candidate counts on the training graph (see ``candidates_``).
        train_recall\_: fraction of training hyperedges in the training candidate set.
        sampler_recall\_: fraction of training hyperedges the sampler's greedy collected
            (:math:`\sum_k |\Gamma_k| / |E|`, the "train sampler recall" of the reference).
        timings\_: seconds per fit stage (``project``, ``cliques``, ``statistics``,
            ``sampler``, ``candidates``, ``features``, ``labels``, ``classifier_fit``).
        candidates\_: counts of the last query (``candidates``, ``maximal_cliques``,
            ``sub_cliques``, ``sampled``, ``sampled_unique``, ``predicted``).
        query_timings\_: seconds per stage of the last query (``cliques``, ``candidates``,
            ``features``, ``predict``).

    Example:
        >>> from hgkit.tasks.reconstruction import project, to_hypergraph
        >>> train = to_hypergraph([(0, 1, 2), (1, 2, 3), (1, 2), (4, 5), (6,)])
        >>> model = SHyRe(budget=10, classifier="lr").fit(train)
        >>> model.plan_, model.train_recall_
        ([(1, 1, 1.0), (2, 2, 1.0), (3, 3, 1.0), (3, 2, 1.0)], 1.0)
        >>> model.reconstruct_sets([(0, 1), (0, 2), (1, 2), (5, 6)])
        [(0, 1, 2), (5, 6)]
    """

    def __init__(self, budget: float = 1e3, classifier: Any = "mlp", seed: int = 123,
                 max_cliques: int | None = None, time_limit: float | None = None,
                 progress: bool = False) -> None:
        self.budget = budget
        self.classifier = classifier
        self.seed = seed
        self.max_cliques = max_cliques
        self.time_limit = time_limit
        self.progress = progress

    def __repr__(self) -> str:
        return (f"SHyRe(budget={self.budget!r}, classifier={self.classifier!r}, "
                f"seed={self.seed!r})")

    # ------------------------------------------------------------------ helpers
    def _validate(self) -> None:
        _check_budget(self.budget)
        if isinstance(self.classifier, str):
            if self.classifier not in _CLASSIFIERS:
                raise ValueError(f"Expected 'classifier' to be one of {list(_CLASSIFIERS)} or "
                                 f"a scikit-learn classifier (got {self.classifier!r})")
        elif not (hasattr(self.classifier, "fit")
                  and hasattr(self.classifier, "predict_proba")):
            raise TypeError("Expected 'classifier' to be a name or an estimator with fit and "
                            f"predict_proba (got {type(self.classifier).__name__})")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"Expected 'seed' to be an int (got {self.seed!r})")
        if not isinstance(self.progress, bool):
            raise TypeError(f"Expected 'progress' to be a bool (got {self.progress!r})")

    def _make_classifier(self) -> Any:
        from sklearn.base import clone

        if not isinstance(self.classifier, str):
            return clone(self.classifier)
        if self.classifier == "mlp":
            from sklearn.neural_network import MLPClassifier

            return MLPClassifier(max_iter=2000, alpha=1e-4, random_state=self.seed)
        if self.classifier == "rf":
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(random_state=self.seed)
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000, random_state=self.seed)

    def _cliques(self, graph: nx.Graph) -> list[NodeSet]:
        return maximal_cliques(graph, max_cliques=self.max_cliques,
                               time_limit=self.time_limit, progress=self.progress)

    @contextmanager
    def _stage(self, timings: dict[str, float], name: str, bar: Any) -> Iterator[None]:
        bar.set_postfix_str(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
            bar.update(1)

    def _check_fitted(self) -> None:
        if not hasattr(self, "classifiers_"):
            raise RuntimeError("This SHyRe instance is not fitted yet; call fit(train) first")

    # ------------------------------------------------------------------ fit
    def fit(self, train: Any) -> SHyRe:
        """Learn the sampler plan and the two classifiers from a training hypergraph.

        Args:
            train: a :class:`~hgkit.Hypergraph` or an iterable of node collections (node ids
                non-negative ints; duplicates count once, singletons count).

        Returns:
            ``self``.

        Raises:
            ValueError: on a bad hyperparameter or a training hypergraph without hyperedges.
            CliqueLimitError: when the clique enumeration hits ``max_cliques``/``time_limit``.
        """
        from tqdm.auto import tqdm

        self._validate()
        timings: dict[str, float] = {}
        bar = tqdm(total=8, desc="SHyRe fit", disable=not self.progress, leave=False)
        try:
            with self._stage(timings, "project", bar):
                edges = {e for e in as_edge_sets(train) if e}
                if not edges:
                    raise ReconstructionError("Expected 'train' to hold at least one "
                                              "non-empty hyperedge (got none)")
                hg = train if isinstance(train, Hypergraph) else to_hypergraph(sorted(edges))
                graph = project(hg)
            with self._stage(timings, "cliques", bar):
                cliques = self._cliques(graph)
            with self._stage(timings, "statistics", bar):
                stats = clique_statistics(edges, cliques)
            with self._stage(timings, "sampler", bar):
                plan, covered = _greedy(stats, self.budget, int(self.seed))
            with self._stage(timings, "candidates", bar):
                cands = sample_candidates(cliques, plan)
            with self._stage(timings, "features", bar):
                x = standardize(count_features(cands, graph, cliques))
            with self._stage(timings, "labels", bar):
                y = np.fromiter((c in edges for c in cands.sets()), dtype=bool,
                                count=len(cands))
            with self._stage(timings, "classifier_fit", bar):
                classifiers = {}
                for name, t in (("maximal", 0), ("sub", 1)):
                    mask = cands.clique_type == t
                    labels = y[mask]
                    if labels.size == 0 or labels.all() or not labels.any():
                        classifiers[name] = _Constant(bool(labels.size) and bool(labels[0]))
                    else:
                        classifiers[name] = self._make_classifier().fit(x[mask], labels)
        finally:
            bar.close()
        self.stats_ = stats
        self.plan_ = plan
        self.classifiers_ = classifiers
        self.train_recall_ = float(y.sum()) / len(edges)
        self.sampler_recall_ = len(covered) / len(edges)
        self.train_candidates_ = self._counts(cands, None)
        self.train_candidates_["positive_maximal"] = int(y[cands.clique_type == 0].sum())
        self.train_candidates_["positive_sub"] = int(y[cands.clique_type == 1].sum())
        self.timings_ = timings
        return self

    @staticmethod
    def _counts(cands: Candidates, predicted: int | None) -> dict[str, int]:
        out = {"candidates": len(cands), "maximal_cliques": cands.num_maximal,
               "sub_cliques": len(cands) - cands.num_maximal, "sampled": cands.num_sampled,
               "sampled_unique": cands.num_sampled_unique}
        if predicted is not None:
            out["predicted"] = predicted
        return out

    # ------------------------------------------------------------------ query
    def _query(self, graph: Any) -> tuple[list[Any], list[Any]]:
        """``(predicted sets, candidate sets)`` in the query graph's own node labels."""
        from tqdm.auto import tqdm

        self._check_fitted()
        g = as_graph(graph)
        labels = sorted(g.nodes)
        if labels != list(range(len(labels))):
            g = nx.relabel_nodes(g, {v: i for i, v in enumerate(labels)}, copy=True)
        timings: dict[str, float] = {}
        bar = tqdm(total=4, desc="SHyRe reconstruct", disable=not self.progress, leave=False)
        try:
            with self._stage(timings, "cliques", bar):
                cliques = self._cliques(g)
            with self._stage(timings, "candidates", bar):
                cands = sample_candidates(cliques, self.plan_)
            with self._stage(timings, "features", bar):
                x = standardize(count_features(cands, g, cliques))
            with self._stage(timings, "predict", bar):
                keep = np.zeros(len(cands), dtype=bool)
                for name, t in (("maximal", 0), ("sub", 1)):
                    mask = cands.clique_type == t
                    if mask.any():
                        clf = self.classifiers_[name]
                        proba = clf.predict_proba(x[mask])
                        col = (list(clf.classes_).index(True) if hasattr(clf, "classes_")
                               else 1)
                        keep[mask] = proba[:, col] > 0.5
        finally:
            bar.close()
        sets = cands.sets()
        if labels != list(range(len(labels))):
            sets = [tuple(sorted(labels[v] for v in s)) for s in sets]
        predicted = sorted(s for s, k in zip(sets, keep.tolist(), strict=True) if k)
        self.query_timings_ = timings
        self.candidates_ = self._counts(cands, len(predicted))
        return predicted, sets

    def reconstruct_sets(self, graph: Any) -> list[tuple[Any, ...]]:
        """The reconstructed hyperedges of a projected graph, as sorted node tuples.

        Args:
            graph: a ``networkx.Graph`` or an iterable of node pairs (isolated nodes only
                exist in a ``networkx.Graph``).

        Returns:
            The node sets predicted with probability > 0.5, sorted, in ``graph``'s labels.

        Raises:
            RuntimeError: before :meth:`fit`.
        """
        return self._query(graph)[0]

    def reconstruct(self, graph: Any, num_nodes: int | None = None) -> Hypergraph:
        """The reconstructed hypergraph of a projected graph (nodes: ``graph``'s int labels).

        Args:
            graph: a ``networkx.Graph`` or an iterable of node pairs; node labels must be
                non-negative ints.
            num_nodes: nodes of the result (default: the largest label of ``graph`` + 1).

        Returns:
            A :class:`~hgkit.Hypergraph` with one hyperedge per reconstructed node set.

        Raises:
            RuntimeError: before :meth:`fit`.
        """
        g = as_graph(graph)
        if not all(isinstance(v, (int, np.integer)) and v >= 0 for v in g.nodes):
            raise ValueError("Expected 'graph' node labels to be non-negative ints to build a "
                             "Hypergraph (use reconstruct_sets for other labels)")
        sets = self.reconstruct_sets(g)
        if num_nodes is None:
            num_nodes = 1 + int(max(g.nodes, default=-1))
        elif sets and num_nodes <= max(max(s) for s in sets):
            raise ValueError(f"Expected 'num_nodes' > every node id "
                             f"({max(max(s) for s in sets)}) (got {num_nodes})")
        return to_hypergraph(sets, num_nodes=num_nodes)

    def score(self, truth: Any, graph: Any = None) -> dict[str, Any]:
        """Reconstruct and compare with the true hypergraph.

        Args:
            truth: the query hypergraph (:class:`~hgkit.Hypergraph` or node collections).
            graph: its projection (default: ``project(truth)``, which needs a Hypergraph).

        Returns:
            :func:`~hgkit.tasks.reconstruction.reconstruction_scores` of the reconstruction,
            plus ``candidate_recall`` (fraction of true hyperedges among the candidates: the
            recall upper bound) and ``candidates`` (:attr:`candidates_`).
        """
        if graph is None:
            if not isinstance(truth, Hypergraph):
                raise TypeError("Expected 'graph' when 'truth' is not a Hypergraph (got "
                                f"truth of type {type(truth).__name__})")
            graph = project(truth)
        predicted, cand_sets = self._query(graph)
        edges = as_edge_sets(truth)
        out = reconstruction_scores(predicted, edges)
        hits = len(edges.intersection(cand_sets))
        out["candidate_recall"] = hits / len(edges) if edges else 0.0
        out["candidates"] = dict(self.candidates_)
        return out
