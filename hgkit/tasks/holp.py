r"""Higher-order link prediction: which open triangles close into a simplex (ScHoLP).

Benson, Abebe, Schaub, Jadbabaie, Kleinberg, *Simplicial closure and higher-order link
prediction*, PNAS 2018 (``ScHoLP.jl``). Given timestamped simplices:

1. :func:`temporal_split`: OLD = simplices with :math:`t \le t_{80}`, NEW = :math:`t_{80} < t`,
   where :math:`t_q = \mathrm{round}(\mathrm{quantile}(t, q))` (linear, half to even).
2. :func:`projection`: the weighted projected graph :math:`B = A A^\top` with zero diagonal,
   :math:`A` the node x simplex incidence of OLD (a repeated node counts with multiplicity), so
   :math:`B_{ij}` = number of OLD simplices holding both :math:`i` and :math:`j`.
3. :func:`open_triangles`: triples with :math:`B_{ij}, B_{jk}, B_{ik} > 0` that no OLD simplex
   contains. Each is written as the tuple :math:`(i, j, k)`: :math:`i` has the lowest
   projected-degree rank (stable sort, ties by id), :math:`j < k` are its higher-ranked
   neighbours.
4. :func:`closure_labels`: a triangle is positive when it is a 3-subset of a NEW simplex.
   ``label_mode="reference"`` reproduces the reference pipeline's quirk: the *unsorted* tuple
   :math:`(i, j, k)` is looked up among sorted tuples, so only triangles with :math:`i < j` can
   be positive. That is how the published numbers were made; ``"correct"`` sorts first.
5. :func:`triangle_scores`: generalized means of the three edge weights, neighbourhood scores,
   preferential attachment, Katz and personalized PageRank on the projected graph, and a
   supervised logistic regression (:data:`SCORES`).
6. :func:`aucpr_ratio`: average precision over the positive rate ("improvement over random").

:func:`holp` runs all of it and returns a :class:`HOLPResult`.

Example:
    >>> import torch
    >>> from hgkit.datasets.data import TemporalHypergraph
    >>> th = TemporalHypergraph(torch.tensor([2, 2, 2, 2, 3]),
    ...     torch.tensor([0, 1, 1, 2, 0, 2, 2, 3, 0, 1, 2]), torch.tensor([1, 2, 3, 4, 5]), 4)
    >>> res = holp(th, ["harmonic", "common"], lo=50)
    >>> res.num_open, res.num_positive, res.aucpr_ratio["harmonic"]
    (1, 1, 1.0)
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from hgkit.datasets.data import TemporalHypergraph

__all__ = ["GENMEAN_P", "LABEL_MODES", "SCORES", "TABLE3_SCORES", "HOLPResult",
           "OpenTriangles", "TemporalSplit", "aucpr_ratio", "closed_triples", "closure_labels",
           "genmean_name", "holp", "logreg_features", "open_triangle_dataset", "open_triangles",
           "projection", "simplex_degrees", "temporal_split", "triangle_scores"]

#: The generalized-mean exponents of the reference: -inf, -4:0.25:4, +inf.
GENMEAN_P: tuple[float, ...] = (-math.inf, *(-4 + 0.25 * m for m in range(33)), math.inf)
LABEL_MODES: tuple[str, ...] = ("reference", "correct")
_SPECIAL_P = {-math.inf: "min", -1.0: "harmonic", 0.0: "geometric", 1.0: "arithmetic",
              math.inf: "max"}


def genmean_name(p: float) -> str:
    """The score name of the generalized mean :math:`M_p`.

    Example:
        >>> [genmean_name(p) for p in (-math.inf, -1, 0, 1, math.inf, -0.75, 2)]
        ['min', 'harmonic', 'geometric', 'arithmetic', 'max', 'genmean_-0.75', 'genmean_2']
    """
    return _SPECIAL_P.get(float(p), f"genmean_{float(p):g}")


_GENMEANS: dict[str, float] = {genmean_name(p): p for p in GENMEAN_P}
_LOCAL = ("common", "jaccard", "adamic_adar", "proj_graph_PA", "simplex_PA")
_WALK = ("UPKatz", "WPKatz", "UPPR", "WPPR")
#: Every score name :func:`triangle_scores` knows.
SCORES: tuple[str, ...] = (*_GENMEANS, *_LOCAL, *_WALK, "logreg_supervised")
#: The score columns of the paper's Table 3.
TABLE3_SCORES: tuple[str, ...] = ("harmonic", "geometric", "arithmetic", "adamic_adar",
                                  "proj_graph_PA", "UPKatz", "UPPR", "logreg_supervised")
_MAX_ID = 2**21  # triples are encoded as (a * N + b) * N + c in int64


# ---------------------------------------------------------------------- split and projection
class TemporalSplit(NamedTuple):
    """OLD / NEW masks over the simplices and the two cutoff times."""

    old: np.ndarray
    new: np.ndarray
    t_old: int
    t_new: int


def _check_th(th: Any) -> TemporalHypergraph:
    if not isinstance(th, TemporalHypergraph):
        raise TypeError(f"Expected 'th' to be a TemporalHypergraph (got {type(th).__name__})")
    if th.num_nodes >= _MAX_ID:
        raise ValueError(f"Expected 'th' to have fewer than {_MAX_ID} nodes "
                         f"(got num_nodes={th.num_nodes})")
    return th


def _cutoff(times: np.ndarray, q: float) -> int:
    return int(np.round(np.quantile(times.astype(np.float64), q)))


def temporal_split(th: TemporalHypergraph, lo: float = 80, hi: float = 100) -> TemporalSplit:
    r"""ScHoLP's ``split_data(lo, hi)``: OLD = :math:`t \le t_{lo}`, NEW = :math:`t_{lo} < t
    \le t_{hi}`, with :math:`t_q` = round-half-even of the linear-interpolation quantile.

    Args:
        th: the timestamped simplices.
        lo, hi: percentiles with ``0 <= lo <= hi <= 100``.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([2, 2, 2, 2, 2]),
        ...     torch.tensor([0, 1, 1, 2, 0, 2, 0, 3, 1, 3]), torch.tensor([1, 2, 3, 3, 5]), 4)
        >>> s = temporal_split(th, 50)  # quantile 3.0: both simplices at t = 3 are OLD
        >>> s.old.tolist(), s.new.tolist(), s.t_old, s.t_new
        ([True, True, True, True, False], [False, False, False, False, True], 3, 5)
    """
    th = _check_th(th)
    for value, name in ((lo, "lo"), (hi, "hi")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 100:
            raise ValueError(f"Expected '{name}' to be a percentile in [0, 100] (got {value!r})")
    if hi < lo:
        raise ValueError(f"Expected 'hi' >= lo={lo} (got {hi})")
    times = th.times.numpy()
    if times.size == 0:
        raise ValueError("Expected 'th' to hold at least one simplex (got 0)")
    t_old, t_new = _cutoff(times, lo / 100), _cutoff(times, hi / 100)
    return TemporalSplit(times <= t_old, (times > t_old) & (times <= t_new), t_old, t_new)


def _pairs(th: TemporalHypergraph, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, int]:
    """(node, simplex) incidences of the masked simplices, simplices renumbered 0..S'-1."""
    nverts = th.nverts.numpy()
    edge = np.repeat(np.arange(nverts.size), nverts)
    node = th.simplices.numpy().astype(np.int64)
    if mask is None:
        return node, edge, int(nverts.size)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != nverts.shape:
        raise ValueError(f"Expected 'mask' to have shape [{nverts.size}] (got {list(mask.shape)})")
    new_id = np.cumsum(mask) - 1
    keep = mask[edge]
    return node[keep], new_id[edge[keep]], int(mask.sum())


def _incidence(th: TemporalHypergraph, mask: np.ndarray | None) -> sp.csr_matrix:
    node, edge, num = _pairs(th, mask)
    return sp.csr_matrix((np.ones(node.size, dtype=np.int64), (node, edge)),
                         shape=(th.num_nodes, num))  # duplicates summed: multiplicity


def projection(th: TemporalHypergraph, mask: np.ndarray | None = None) -> sp.csr_matrix:
    r"""The weighted projected graph :math:`B = A A^\top` with zero diagonal (int64 CSR).

    :math:`B_{ij}` counts the (masked) simplices holding both :math:`i` and :math:`j`; a node
    repeated inside a simplex counts with its multiplicity.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([3, 2]), torch.tensor([0, 1, 2, 0, 1]),
        ...                         torch.tensor([1, 2]), 3)
        >>> projection(th).toarray().tolist()
        [[0, 2, 1], [2, 0, 1], [1, 1, 0]]
    """
    th = _check_th(th)
    inc = _incidence(th, mask)
    coo = (inc @ inc.T).tocoo()
    off = coo.row != coo.col
    out = sp.csr_matrix((coo.data[off], (coo.row[off], coo.col[off])), shape=coo.shape)
    out.sort_indices()
    return out


def simplex_degrees(th: TemporalHypergraph, mask: np.ndarray | None = None) -> np.ndarray:
    """Number of (masked) simplices per node, with multiplicity.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([3, 2]), torch.tensor([0, 1, 2, 0, 1]),
        ...                         torch.tensor([1, 2]), 4)
        >>> simplex_degrees(th).tolist()
        [2, 2, 1, 0]
    """
    th = _check_th(th)
    return np.asarray(_incidence(th, mask).sum(axis=1)).ravel()


# ---------------------------------------------------------------------- triples
def _key(a: np.ndarray, b: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
    return (a * n + b) * n + c


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[pos] == keys


def _simplex_sets(th: TemporalHypergraph, mask: np.ndarray | None,
                  nodes: np.ndarray | None) -> Iterator[np.ndarray]:
    """Distinct node sets of size >= 3 of the masked simplices, one sorted matrix per size."""
    node, edge, _ = _pairs(th, mask)
    if nodes is not None:
        keep = nodes[node]
        node, edge = node[keep], edge[keep]
    n = th.num_nodes
    key = np.unique(edge * n + node)  # drops repeated nodes; sorts by simplex, then node
    edge, node = key // n, key % n
    starts = np.flatnonzero(np.r_[True, edge[1:] != edge[:-1]]) if key.size else key
    sizes = np.diff(np.r_[starts, key.size])
    for s in np.unique(sizes):
        if s >= 3:
            rows = starts[sizes == s]
            yield np.unique(node[rows[:, None] + np.arange(s)], axis=0)


def closed_triples(th: TemporalHypergraph, mask: np.ndarray | None = None,
                   nodes: np.ndarray | None = None, chunk: int = 2**22) -> np.ndarray:
    """Sorted unique keys :math:`(a N + b) N + c`, :math:`a < b < c`, of every 3-subset of a
    (masked) simplex; ``nodes`` (bool ``[N]``) keeps only triples of those nodes.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([4]), torch.tensor([0, 1, 2, 2]),
        ...                         torch.tensor([1]), 3)
        >>> closed_triples(th).tolist()  # only {0, 1, 2}: repeated node 2 is dropped
        [5]
    """
    th = _check_th(th)
    n = th.num_nodes
    parts = [np.zeros(0, dtype=np.int64)]
    for mat in _simplex_sets(th, mask, nodes):
        combos = np.array(list(itertools.combinations(range(mat.shape[1]), 3)))
        step = max(1, chunk // len(combos))
        for r in range(0, mat.shape[0], step):
            m = mat[r:r + step]
            keys = _key(m[:, combos[:, 0]], m[:, combos[:, 1]], m[:, combos[:, 2]], n)
            parts.append(np.unique(keys))
    return np.unique(np.concatenate(parts))


def open_triangles(th: TemporalHypergraph, mask: np.ndarray | None = None, *,
                   B: sp.csr_matrix | None = None, closed: np.ndarray | None = None,
                   chunk: int = 2**21, progress: bool = False) -> np.ndarray:
    r"""The open triangles of the (masked) simplices as ``[T, 3]`` int64 tuples ``(i, j, k)``.

    A triangle has :math:`B_{ij}, B_{jk}, B_{ik} > 0` and no (masked) simplex holding all three
    nodes. :math:`i` is the node of lowest projected-degree rank (stable sort of the unweighted
    degrees, ties by id) and :math:`j < k`. Wedges are enumerated from each node to its
    higher-ranked neighbours in chunks of ``chunk`` wedges, so memory stays bounded.

    Args:
        th: the timestamped simplices.
        mask: ``[S]`` bool simplex mask (e.g. ``temporal_split(th).old``); default all.
        B, closed: precomputed :func:`projection` and :func:`closed_triples` of the same mask.
        chunk: wedges per vectorised batch.
        progress: show a progress bar.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([2, 2, 2, 3]),
        ...     torch.tensor([0, 1, 1, 2, 0, 2, 1, 2, 3]), torch.tensor([1, 1, 1, 1]), 4)
        >>> open_triangles(th).tolist()  # {1, 2, 3} is a simplex, so closed
        [[0, 1, 2]]
    """
    from tqdm.auto import tqdm

    th = _check_th(th)
    n = th.num_nodes
    B = projection(th, mask) if B is None else B
    closed = closed_triples(th, mask) if closed is None else closed
    deg = np.diff(B.indptr)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(deg, kind="stable")] = np.arange(n)
    rows = np.repeat(np.arange(n), deg)
    cols = B.indices.astype(np.int64)
    edge_keys = rows[rows < cols] * n + cols[rows < cols]  # sorted: CSR order
    up = rank[cols] > rank[rows]
    urow, ucol = rows[up], cols[up]
    outdeg = np.bincount(urow, minlength=n)
    start = np.r_[0, np.cumsum(outdeg)]
    count = outdeg[urow] - 1 - (np.arange(urow.size) - start[urow])  # wedges from position
    bounds = np.searchsorted(np.cumsum(count), np.arange(0, count.sum() + chunk, chunk))
    bounds = np.unique(np.r_[0, bounds, urow.size].clip(0, urow.size))
    out = [np.zeros((0, 3), dtype=np.int64)]
    for e0, e1 in tqdm(zip(bounds[:-1], bounds[1:], strict=True), total=bounds.size - 1,
                       disable=not progress, desc="open triangles", unit="chunk",
                       dynamic_ncols=True, leave=False):
        c = count[e0:e1]
        first = np.repeat(np.arange(e0, e1), c)
        second = first + 1 + np.arange(first.size) - np.repeat(np.cumsum(c) - c, c)
        i, j, k = urow[first], ucol[first], ucol[second]
        tri = _member(edge_keys, j * n + k)
        i, j, k = i[tri], j[tri], k[tri]
        srt = np.sort(np.stack([i, j, k], axis=1), axis=1)
        keep = ~_member(closed, _key(srt[:, 0], srt[:, 1], srt[:, 2], n))
        out.append(np.stack([i[keep], j[keep], k[keep]], axis=1))
    return np.concatenate(out)


def closure_labels(triangles: np.ndarray, new_closed: np.ndarray, num_nodes: int,
                   label_mode: str = "reference") -> np.ndarray:
    """Which triangles close: bool ``[T]``.

    Args:
        triangles: ``[T, 3]`` tuples from :func:`open_triangles`.
        new_closed: :func:`closed_triples` of the NEW simplices.
        num_nodes: the key base ``N``.
        label_mode: ``"correct"`` looks up the sorted triple; ``"reference"`` looks up the
            tuple as enumerated (the reference pipeline's quirk: positive only if ``i < j``).

    Example:
        >>> keys = np.array([(0 * 3 + 1) * 3 + 2])  # the closed triple {0, 1, 2}
        >>> tris = np.array([[0, 1, 2], [1, 0, 2]])
        >>> closure_labels(tris, keys, 3, "correct").tolist()
        [True, True]
        >>> closure_labels(tris, keys, 3, "reference").tolist()
        [True, False]
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(f"Expected 'label_mode' in {list(LABEL_MODES)} (got {label_mode!r})")
    tri = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
    if label_mode == "correct":
        tri = np.sort(tri, axis=1)
    return _member(np.asarray(new_closed), _key(tri[:, 0], tri[:, 1], tri[:, 2], num_nodes))


# ---------------------------------------------------------------------- the labelled data
@dataclass
class OpenTriangles:
    """Labelled open triangles of one split plus the OLD structure their scores need.

    Attributes:
        triangles: ``[T, 3]`` int64 tuples ``(i, j, k)`` (see :func:`open_triangles`).
        labels: ``[T]`` bool closures in NEW.
        projection: OLD's weighted projected graph :math:`B` (CSR).
        simplex_degree: ``[N]`` OLD simplices per node.
        label_mode, t_old, t_new: how it was made.
    """

    triangles: np.ndarray
    labels: np.ndarray
    projection: sp.csr_matrix
    simplex_degree: np.ndarray
    label_mode: str = "reference"
    t_old: int = 0
    t_new: int = 0
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def num_nodes(self) -> int:
        return int(self.projection.shape[0])


def open_triangle_dataset(th: TemporalHypergraph, lo: float = 80, hi: float = 100, *,
                          label_mode: str = "reference", progress: bool = False
                          ) -> OpenTriangles:
    """The open triangles of ``split_data(lo, hi)``'s OLD, labelled by closure in NEW.

    NEW triples with a repeated node or a node absent from OLD are skipped.

    Example:
        >>> import torch
        >>> th = TemporalHypergraph(torch.tensor([2, 2, 2, 3]),
        ...     torch.tensor([0, 1, 1, 2, 0, 2, 0, 1, 2]), torch.tensor([1, 1, 1, 2]), 3)
        >>> d = open_triangle_dataset(th, 50)
        >>> d.triangles.tolist(), d.labels.tolist()
        ([[0, 1, 2]], [True])
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(f"Expected 'label_mode' in {list(LABEL_MODES)} (got {label_mode!r})")
    split = temporal_split(th, lo, hi)
    B = projection(th, split.old)
    tri = open_triangles(th, split.old, B=B, progress=progress)
    present = simplex_degrees(th, split.old) > 0
    new_closed = closed_triples(th, split.new, nodes=present)
    labels = closure_labels(tri, new_closed, th.num_nodes, label_mode)
    return OpenTriangles(tri, labels, B, simplex_degrees(th, split.old), label_mode,
                         split.t_old, split.t_new)


# ---------------------------------------------------------------------- scores
def _weights(data: OpenTriangles) -> np.ndarray:
    """``[T, 3]`` float64 edge weights (B_ij, B_jk, B_ik)."""
    if "w" not in data.cache:
        B, n, t = data.projection, data.num_nodes, data.triangles
        rows = np.repeat(np.arange(n), np.diff(B.indptr))
        keys, vals = rows * n + B.indices, B.data  # sorted: CSR with sorted indices
        out = np.empty(t.shape, dtype=np.float64)
        for c, (a, b) in enumerate(((0, 1), (1, 2), (0, 2))):
            key = t[:, a] * n + t[:, b]
            pos = np.searchsorted(keys, key)
            out[:, c] = vals[pos]
        data.cache["w"] = out
    return data.cache["w"]


def _genmean(w: np.ndarray, p: float) -> np.ndarray:
    """:math:`M_p` of the rows of ``w``, summed in the column order (B_ij, B_jk, B_ik).

    Floating-point rounding decides exact ties between triangles, and ties move the average
    precision; this order and the generic formula for every finite :math:`p \ne 0` are the
    reference's, and reproduce its stored outputs (e.g. NDC-classes harmonic 4.43).
    """
    a, b, c = w[:, 0], w[:, 1], w[:, 2]
    if p == -math.inf:
        return np.minimum(np.minimum(a, b), c)
    if p == math.inf:
        return np.maximum(np.maximum(a, b), c)
    if p == 0:
        return np.cbrt(a * b * c)
    return (((a**p + b**p) + c**p) / 3) ** (1 / p)


def _neighbourhood(data: OpenTriangles, chunk: int, dense_limit: int,
                   progress: bool) -> dict[str, np.ndarray]:
    """Common-neighbour counts (ij, ik, jk, ijk) and Adamic-Adar sums, in chunks."""
    if "nbr" in data.cache:
        return data.cache["nbr"]
    from tqdm.auto import tqdm

    n, t = data.num_nodes, data.triangles
    adj = data.projection.astype(bool).astype(np.int8)
    deg = np.diff(adj.indptr)
    inv_log = np.zeros(n)
    inv_log[deg > 1] = 1 / np.log(deg[deg > 1])
    out = {key: np.zeros(t.shape[0]) for key in ("ij", "ik", "jk", "ijk", "aa")}
    dense = n <= dense_limit
    if dense:  # bit-packed rows: AND + popcount
        width = -(-n // 64) * 64
        bits = np.zeros((n, width), dtype=bool)
        bits[:, :n] = adj.toarray().astype(bool)
        packed = np.packbits(bits, axis=1).view(np.uint64)
        del bits
    step = max(1, min(chunk, 2**24 // max(n, 1))) if dense else chunk
    for s in tqdm(range(0, t.shape[0], step), disable=not progress, desc="neighbourhoods",
                  unit="chunk", dynamic_ncols=True, leave=False):
        i, j, k = t[s:s + step, 0], t[s:s + step, 1], t[s:s + step, 2]
        sl = slice(s, s + i.size)
        if dense:
            ri, rj, rk = packed[i], packed[j], packed[k]
            out["ij"][sl] = np.bitwise_count(ri & rj).sum(axis=1)
            out["ik"][sl] = np.bitwise_count(ri & rk).sum(axis=1)
            out["jk"][sl] = np.bitwise_count(rj & rk).sum(axis=1)
            both = ri & rj & rk
            out["ijk"][sl] = np.bitwise_count(both).sum(axis=1)
            unpacked = np.unpackbits(both.view(np.uint8), axis=1, count=n)
            out["aa"][sl] = unpacked @ inv_log
        else:
            ri, rj, rk = adj[i], adj[j], adj[k]
            pij = ri.multiply(rj).tocsr()
            out["ij"][sl] = pij.getnnz(axis=1)
            out["ik"][sl] = ri.multiply(rk).tocsr().getnnz(axis=1)
            out["jk"][sl] = rj.multiply(rk).tocsr().getnnz(axis=1)
            both = pij.multiply(rk).tocsr()
            out["ijk"][sl] = both.getnnz(axis=1)
            out["aa"][sl] = both @ inv_log
    out["aa"] = np.round(out["aa"], 10)  # equal sums tie exactly, whatever the sum order
    data.cache["nbr"] = out
    return out


def _walk_matrix(data: OpenTriangles, name: str,
                 max_dense_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The dense Katz / PPR matrix on the nodes with a projected edge."""
    B = data.projection
    active = np.flatnonzero(np.diff(B.indptr) > 0)
    if active.size > max_dense_nodes:
        raise ValueError(f"Score {name!r} inverts a dense N x N matrix but the projected graph "
                         f"has N={active.size} nodes with edges, above "
                         f"max_dense_nodes={max_dense_nodes}; raise 'max_dense_nodes' or drop "
                         f"the walk scores {list(_WALK)}")
    W = B[active][:, active].toarray().astype(np.float64)
    if name.startswith("U"):
        W = (W > 0).astype(np.float64)
    eye = np.eye(active.size)
    if name.endswith("Katz"):
        sigma = float(np.abs(np.linalg.eigvalsh(W)).max()) if active.size else 0.0
        beta = min(0.25 / sigma, 0.5) if sigma > 0 else 0.5
        S = np.linalg.inv(eye - beta * W) - eye
    else:
        colsum = W.sum(axis=0)
        S = 0.15 * np.linalg.inv(eye - 0.85 * W / np.where(colsum > 0, colsum, 1.0))
    where = np.full(data.num_nodes, -1)
    where[active] = np.arange(active.size)
    return S, where


def _walk_score(data: OpenTriangles, name: str, max_dense_nodes: int) -> np.ndarray:
    S, where = _walk_matrix(data, name, max_dense_nodes)
    a, b, c = (where[data.triangles[:, m]] for m in range(3))
    return S[a, b] + S[b, a] + S[a, c] + S[c, a] + S[b, c] + S[c, b]


def logreg_features(data: OpenTriangles, *, dense_limit: int = 8192,
                    progress: bool = False) -> np.ndarray:
    r"""The 26 features of the supervised model, ``[T, 26]`` float64.

    With the triangle's nodes in id order :math:`a < b < c`: the 3 edge weights
    :math:`(B_{ab}, B_{bc}, B_{ac})`, the 3 projected degrees, the 3 simplex degrees, the
    common-neighbour counts :math:`|N_a \cap N_b|, |N_a \cap N_c|, |N_b \cap N_c|,
    |N_a \cap N_b \cap N_c|`; the log of the first 9; ``log1p`` of the 4 counts. Id order
    (not the enumeration order of :func:`open_triangles`) is what reproduces the spec's
    table (b).
    """
    t = data.triangles
    perm = np.argsort(t, axis=1, kind="stable")
    srt = np.take_along_axis(t, perm, axis=1)
    code = np.column_stack([perm[:, 0] + perm[:, 1], perm[:, 0] + perm[:, 2],
                            perm[:, 1] + perm[:, 2]]) - 1  # pair code: ij 0, ik 1, jk 2
    w = _weights(data)[:, [0, 2, 1]]  # (ij, jk, ik) -> pair-code order (ij, ik, jk)
    w = np.take_along_axis(w, code[:, [0, 2, 1]], axis=1)  # (ab, bc, ac)
    nbr = _neighbourhood(data, 2**16, dense_limit, progress)
    pair = np.take_along_axis(np.column_stack([nbr["ij"], nbr["ik"], nbr["jk"]]), code, axis=1)
    deg = np.diff(data.projection.indptr).astype(np.float64)
    base = np.column_stack([w, deg[srt], data.simplex_degree[srt].astype(np.float64)])
    counts = np.column_stack([pair, nbr["ijk"]])
    return np.column_stack([base, counts, np.log(base), np.log1p(counts)])


def _check_scores(scores: Sequence[str] | str | None) -> list[str]:
    if scores is None:
        return list(TABLE3_SCORES)
    if isinstance(scores, str):
        scores = list(SCORES) if scores == "all" else [scores]
    bad = [s for s in scores if s not in SCORES]
    if bad:
        raise ValueError(f"Unknown score(s) {bad} in 'scores'; expected names among "
                         f"{', '.join(SCORES)} or 'all'")
    return list(dict.fromkeys(scores))


def triangle_scores(data: OpenTriangles, scores: Sequence[str] | str | None = None, *,
                    train: OpenTriangles | None = None, max_dense_nodes: int = 5000,
                    dense_limit: int = 8192, progress: bool = False
                    ) -> dict[str, np.ndarray]:
    r"""Score every open triangle (higher = more likely to close).

    Args:
        data: the triangles to score (:func:`open_triangle_dataset`).
        scores: names from :data:`SCORES` or ``"all"`` (default :data:`TABLE3_SCORES`).
        train: the labelled (60, 80] triangles ``logreg_supervised`` is fitted on.
        max_dense_nodes: largest projected graph the walk scores invert densely.
        dense_limit: largest graph whose neighbourhoods use bit-packed dense rows.
        progress: show progress bars.

    Returns:
        ``{name: [T] float64}``. ``logreg_supervised`` is NaN when ``train`` holds one class.

    Example:
        >>> d = OpenTriangles(np.array([[0, 1, 2]]), np.array([True]),
        ...     sp.csr_matrix(np.array([[0, 1, 2], [1, 0, 4], [2, 4, 0]])), np.ones(3, int))
        >>> {k: round(float(v[0]), 4) for k, v in triangle_scores(d, ["harmonic", "max"]).items()}
        {'harmonic': 1.7143, 'max': 4.0}
    """
    names = _check_scores(scores)
    t = data.triangles
    out: dict[str, np.ndarray] = {}
    deg = np.diff(data.projection.indptr).astype(np.float64)
    for name in names:
        if name in _GENMEANS:
            out[name] = _genmean(_weights(data), _GENMEANS[name])
        elif name == "proj_graph_PA":
            out[name] = deg[t].prod(axis=1)
        elif name == "simplex_PA":
            out[name] = data.simplex_degree[t].astype(np.float64).prod(axis=1)
        elif name in ("common", "jaccard", "adamic_adar"):
            nbr = _neighbourhood(data, 2**16, dense_limit, progress)
            if name == "common":
                out[name] = nbr["ijk"].copy()
            elif name == "adamic_adar":
                out[name] = nbr["aa"].copy()
            else:
                union = deg[t].sum(axis=1) - nbr["ij"] - nbr["ik"] - nbr["jk"] + nbr["ijk"]
                out[name] = nbr["ijk"] / union
        elif name in _WALK:
            out[name] = _walk_score(data, name, max_dense_nodes)
        else:
            out[name] = _logreg(data, train, dense_limit, progress)
    return out


def _logreg(data: OpenTriangles, train: OpenTriangles | None, dense_limit: int,
            progress: bool) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    if train is None:
        raise ValueError("Score 'logreg_supervised' needs 'train' (the labelled open triangles "
                         "of the (60, 80] split; got None)")
    if data.triangles.shape[0] == 0:
        return np.zeros(0)
    if np.unique(train.labels).size < 2:
        return np.full(data.triangles.shape[0], np.nan)
    model = LogisticRegression(solver="liblinear", fit_intercept=True)
    model.fit(logreg_features(train, dense_limit=dense_limit, progress=progress), train.labels)
    return model.predict_proba(logreg_features(data, dense_limit=dense_limit,
                                               progress=progress))[:, 1]


# ---------------------------------------------------------------------- metric and driver
def aucpr_ratio(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float, float]:
    """``(AP, random, AP / random)``: scikit-learn's average precision, the positive rate.

    NaN when there is no positive or a score is NaN.

    Example:
        >>> aucpr_ratio(np.array([1, 0, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3]))
        (1.0, 0.25, 4.0)
    """
    from sklearn.metrics import average_precision_score

    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    if labels.shape != scores.shape:
        raise ValueError(f"Expected 'scores' to have shape {list(labels.shape)} like 'labels' "
                         f"(got {list(scores.shape)})")
    rate = float(labels.mean()) if labels.size else math.nan
    if not labels.any() or np.isnan(scores).any():
        return math.nan, rate, math.nan
    ap = float(average_precision_score(labels, scores))
    return ap, rate, ap / rate


@dataclass
class HOLPResult:
    """What :func:`holp` measured on one dataset.

    Attributes:
        dataset, label_mode: what was run.
        num_open, num_positive, random: open triangles, closures, positive rate.
        ap, aucpr_ratio: per score, average precision and AP / random.
        seconds: wall time per step (``"triangles"``, ``"train_triangles"``, each score).
        t_old, t_new: the split's cutoff times.
    """

    dataset: str
    label_mode: str
    num_open: int
    num_positive: int
    random: float
    ap: dict[str, float]
    aucpr_ratio: dict[str, float]
    seconds: dict[str, float]
    t_old: int
    t_new: int


def holp(th: TemporalHypergraph, scores: Sequence[str] | str | None = None, *,
         label_mode: str = "reference", lo: float = 80, hi: float = 100,
         train: tuple[float, float] = (60, 80), max_dense_nodes: int = 5000,
         dense_limit: int = 8192, progress: bool = False) -> HOLPResult:
    """Higher-order link prediction on one dataset: enumerate, label, score, evaluate.

    Args:
        th: the timestamped simplices.
        scores: names from :data:`SCORES`, or ``"all"`` (default :data:`TABLE3_SCORES`).
        label_mode: ``"reference"`` (the published pipeline's labels) or ``"correct"``.
        lo, hi: the evaluation split ``split_data(lo, hi)``.
        train: the split ``logreg_supervised`` is trained on.
        max_dense_nodes, dense_limit, progress: see :func:`triangle_scores`.
    """
    names = _check_scores(scores)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    data = open_triangle_dataset(th, lo, hi, label_mode=label_mode, progress=progress)
    seconds["triangles"] = time.perf_counter() - start
    fit_on = None
    if "logreg_supervised" in names:
        start = time.perf_counter()
        fit_on = open_triangle_dataset(th, *train, label_mode=label_mode, progress=progress)
        seconds["train_triangles"] = time.perf_counter() - start
    ap, ratio = {}, {}
    rate = math.nan
    for name in names:
        start = time.perf_counter()
        values = triangle_scores(data, [name], train=fit_on, max_dense_nodes=max_dense_nodes,
                                 dense_limit=dense_limit, progress=progress)[name]
        ap[name], rate, ratio[name] = aucpr_ratio(data.labels, values)
        seconds[name] = time.perf_counter() - start
    if not names:
        rate = float(data.labels.mean()) if data.labels.size else math.nan
    return HOLPResult(th.name, label_mode, int(data.triangles.shape[0]), int(data.labels.sum()),
                      rate, ap, ratio, seconds, data.t_old, data.t_new)
