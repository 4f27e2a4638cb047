r"""Classical set-level hyperedge scores: the ScHoLP triangle scores generalized to any size.

:func:`classical_scores` scores candidate node sets on the weighted projection of the observed
(training) hyperedges: generalized means of the pair weights, common neighbours, Jaccard,
Adamic-Adar, preferential attachment and Katz (:data:`CLASSICAL_SCORES`). They need no
training and are the baselines of the hyperedge-prediction benchmark.

Example:
    >>> s = classical_scores([(0, 1, 2), (1, 2, 3)], 5, [(1, 2, 3), (0, 3, 4)], ["min_mean"])
    >>> s["min_mean"].tolist()
    [1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from hgkit.tasks.negative_sampling import Edge, _canon, projection

__all__ = ["CLASSICAL_SCORES", "classical_scores"]

#: Set-level scores of :func:`classical_scores`.
CLASSICAL_SCORES: tuple[str, ...] = ("harm_mean", "geom_mean", "arith_mean", "min_mean",
                                     "common", "jaccard", "adamic_adar", "proj_graph_pa", "katz")


def _katz(adj: sp.csr_matrix) -> np.ndarray:
    from scipy.sparse.linalg import eigsh

    n = adj.shape[0]
    if n > 6000:
        raise ValueError(f"'katz' inverts a dense N x N matrix; num_nodes={n} > 6000")
    w = (adj > 0).astype(np.float64)
    if w.nnz == 0:
        return np.zeros((n, n))
    sigma = (float(abs(eigsh(w, k=1, which="LA", return_eigenvectors=False)[0]))
             if n > 2 else float(np.abs(np.linalg.eigvalsh(w.toarray())).max()))
    beta = min(0.25 / sigma, 0.5) if sigma > 0 else 0.5
    return np.linalg.inv(np.eye(n) - beta * w.toarray()) - np.eye(n)


def classical_scores(train_edge_sets: Sequence[Iterable[int]], num_nodes: int,
                     candidates: Sequence[Iterable[int]],
                     names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    r"""Set-level generalizations of the ScHoLP triangle scores on the training projection.

    With :math:`B` the weighted projection of ``train_edge_sets`` (:func:`projection`),
    :math:`N(v)`, :math:`d_v` the neighbours and degree of :math:`v` in it, and for a
    candidate :math:`S` the weights :math:`w = (B_{uv})_{\{u,v\} \subseteq S}` of all its
    pairs:

    * ``harm_mean`` :math:`|w| / \sum 1/w` (0 if a pair is unlinked), ``geom_mean``
      :math:`(\prod w)^{1/|w|}`, ``arith_mean`` :math:`\sum w / |w|`, ``min_mean``
      :math:`\min w` (the generalized means :math:`M_{-1}, M_0, M_1, M_{-\infty}`);
    * ``common`` :math:`|\bigcap_{v \in S} N(v)|`; ``jaccard``
      :math:`|\bigcap N(v)| / |\bigcup N(v)|` (0 when the union is empty);
      ``adamic_adar`` :math:`\sum_{z \in \bigcap N(v)} 1/\log d_z`;
    * ``proj_graph_pa`` :math:`\prod_{v \in S} d_v`;
    * ``katz`` (ScHoLP's UPKatz) :math:`\sum_{u \ne v \in S} K_{uv}` with
      :math:`K = (I - \beta A)^{-1} - I`, :math:`A` the 0/1 pattern of :math:`B`,
      :math:`\beta = \min(0.25/\sigma_{max}(A), 0.5)`; a dense inverse, so only for
      ``num_nodes <= 6000``.

    For a triangle these are exactly ScHoLP's scores (Jaccard by inclusion-exclusion).

    Args:
        train_edge_sets: the observed (training) hyperedges.
        num_nodes: number of nodes.
        candidates: node sets to score (size ``>= 2``).
        names: a subset of :data:`CLASSICAL_SCORES` (default all).

    Returns:
        ``{name: [len(candidates)] float64 scores}``.

    Example:
        >>> s = classical_scores([(0, 1, 2), (1, 2, 3)], 5, [(0, 1, 3), (0, 3, 4)],
        ...                      names=["arith_mean", "common"])
        >>> s["arith_mean"].round(3).tolist(), s["common"].tolist()
        ([0.667, 0.0], [1.0, 0.0])
    """
    names = list(CLASSICAL_SCORES if names is None else names)
    bad = [x for x in names if x not in CLASSICAL_SCORES]
    if bad:
        raise ValueError(f"Expected 'names' to be among {list(CLASSICAL_SCORES)} (got {bad})")
    adj = projection(train_edge_sets, num_nodes)
    cands = _canon(candidates, "candidates")
    if any(len(c) < 2 for c in cands):
        raise ValueError("Expected every candidate to hold >= 2 distinct nodes")
    if cands and _cands_max(cands) >= num_nodes:
        raise IndexError(f"'candidates' holds node id {_cands_max(cands)} but "
                         f"num_nodes={num_nodes}")
    k = len(cands)
    out = {x: np.zeros(k) for x in names}
    deg = np.diff(adj.indptr).astype(np.float64)
    pattern = (adj > 0).astype(np.float64).tocsr()
    katz = _katz(adj) if "katz" in names else None
    lens = np.fromiter((len(c) for c in cands), np.int64, k)
    if k:
        flat = np.fromiter(chain.from_iterable(cands), np.int64, int(lens.sum()))
        memb = sp.csr_matrix((np.ones(flat.size), flat, np.r_[0, np.cumsum(lens)]),
                             shape=(k, num_nodes))
        touch = (memb @ pattern).tocsr()  # [k, N]: how many members each node neighbours
        row = np.repeat(np.arange(k), np.diff(touch.indptr))
        full = touch.data >= lens[row]
        common = np.bincount(row[full], minlength=k).astype(np.float64)
        union = np.bincount(row, minlength=k).astype(np.float64)
        inv_log = 1.0 / np.log(np.maximum(deg, 2.0))
        aa = np.bincount(row[full], weights=inv_log[touch.indices[full]], minlength=k)
    idx_of = {s: np.flatnonzero(lens == s) for s in np.unique(lens)}
    for s, ids in idx_of.items():
        mem = np.asarray([cands[i] for i in ids], np.int64).reshape(len(ids), s)
        a, b = np.triu_indices(s, 1)
        w = np.asarray(adj[mem[:, a].ravel(), mem[:, b].ravel()]).reshape(len(ids), -1)
        with np.errstate(divide="ignore"):
            if "harm_mean" in out:
                out["harm_mean"][ids] = np.where((w > 0).all(1),
                                                 w.shape[1] / (1.0 / w).sum(1), 0.0)
            if "geom_mean" in out:
                out["geom_mean"][ids] = np.where((w > 0).all(1),
                                                 np.exp(np.log(w).mean(1)), 0.0)
        if "arith_mean" in out:
            out["arith_mean"][ids] = w.mean(1)
        if "min_mean" in out:
            out["min_mean"][ids] = w.min(1)
        if "proj_graph_pa" in out:
            out["proj_graph_pa"][ids] = deg[mem].prod(1)
        if katz is not None:
            out["katz"][ids] = 2.0 * katz[mem[:, a], mem[:, b]].sum(1)
    if k:
        if "common" in out:
            out["common"] = common
        if "jaccard" in out:
            out["jaccard"] = np.divide(common, union, out=np.zeros(k), where=union > 0)
        if "adamic_adar" in out:
            out["adamic_adar"] = aa
    return out


def _cands_max(cands: Sequence[Edge]) -> int:
    return max(c[-1] for c in cands)

