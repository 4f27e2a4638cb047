r"""Hyperedge prediction: leak-free splits and a neural set scorer (AHP's protocol).

* :func:`split_hyperedges` splits the **distinct** hyperedges into train / val / test, at
  random or by time. The message-passing hypergraph :attr:`HyperedgeSplit.hypergraph` is built
  from the training hyperedges only, so a held-out hyperedge can never reach an encoder (the
  DHG-Bench leak). ``cover_nodes=True`` forces a greedy set cover of the node universe into
  train (AHP), and :attr:`HyperedgeSplit.universe` is the node set candidates and negatives
  are drawn from (AHP: the nodes that occur in some hyperedge).
* :class:`HyperedgePrediction`: an encoder on the training hypergraph plus a set decoder,
  trained against freshly drawn negatives, selected on validation AUROC.

The negative samplers live in :mod:`hgkit.tasks.negative_sampling` and the classical scores in
:mod:`hgkit.tasks.set_scores`; their public names are re-exported here.

Example:
    >>> edges = [(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1)] * 2
    >>> split = split_hyperedges(edges, train=4, val=1, test=1, seed=0, num_nodes=8)
    >>> len(split.train), len(split.val), len(split.test), split.num_duplicates
    (4, 1, 1, 6)
    >>> split.hypergraph.num_edges  # the encoder sees the training hyperedges only
    4
    >>> split.universe  # nodes 6 and 7 are in no hyperedge: never drawn as negatives
    (0, 1, 2, 3, 4, 5)
    >>> neg = sample_negatives(split.train, 8, "sns", ratio=2, reject=edges,
    ...                        universe=split.universe, seed=0)
    >>> len(neg), all(len(e) == 3 and e not in set(edges) and max(e) < 6 for e in neg)
    (8, True)
"""

from __future__ import annotations

import copy
import heapq
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.tasks import metrics
from hgkit.tasks.negative_sampling import (
    _PARTS,
    SAMPLERS,
    Edge,
    _canon,
    _rng,
    evaluation_negatives,
    projection,
    sample_negatives,
)
from hgkit.tasks.set_scores import CLASSICAL_SCORES, _cands_max, classical_scores

__all__ = ["CLASSICAL_SCORES", "DECODERS", "ENCODERS", "ENCODER_LR", "SAMPLERS", "UNIVERSES",
           "HyperedgePrediction", "HyperedgeSplit", "classical_scores", "evaluation_negatives",
           "greedy_cover", "projection", "sample_negatives", "split_hyperedges"]

#: Candidate-set decoders of :class:`HyperedgePrediction`.
DECODERS: tuple[str, ...] = ("mean", "maxmin", "pma", "pair", "maxmin+pair")
#: Node universes of :func:`split_hyperedges`.
UNIVERSES: tuple[str, ...] = ("auto", "edges", "train", "all")


# ---------------------------------------------------------------------------- splits
@dataclass(frozen=True)
class HyperedgeSplit:
    """Distinct hyperedges split into train / val / test (sorted tuples of node ids).

    Attributes:
        num_nodes: number of nodes (ids are kept; nodes in no training hyperedge are isolated
            in :attr:`hypergraph`, and the encoder still runs on all of them).
        train, val, test: the candidate hyperedges of each part.
        excluded: distinct hyperedges that are no candidates: sizes ``2 <= s < min_size``, and
            held-out hyperedges with a node outside :attr:`universe` (neither candidates nor
            message passing; only rejected as negatives).
        universe: sorted node ids that candidates and negatives are drawn from, or ``None``
            for all ``num_nodes`` nodes.
        method: ``"random"`` or ``"temporal"``.
        seed: the seed of a random split.
        num_duplicates: repeated occurrences removed; ``num_singletons``: size-1 (and empty)
            hyperedges removed.
        metadata: ``min_size``, ``universe`` (the option), ``cover_size`` (hyperedges forced
            into train by the set cover, 0 without), ``num_outside_universe``.
    """

    num_nodes: int
    train: tuple[Edge, ...]
    val: tuple[Edge, ...]
    test: tuple[Edge, ...]
    excluded: tuple[Edge, ...] = ()
    universe: tuple[int, ...] | None = None
    method: str = "random"
    seed: int | None = None
    num_duplicates: int = 0
    num_singletons: int = 0
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def hypergraph(self) -> Hypergraph:
        """The message-passing hypergraph: the **training** hyperedges only, all nodes."""
        from hgkit.hypergraph.construct import from_edge_list

        return from_edge_list(list(self.train), num_nodes=self.num_nodes)

    @cached_property
    def positives(self) -> frozenset[Edge]:
        """Every known positive (all parts and :attr:`excluded`), the set negatives avoid."""
        return frozenset(chain(self.train, self.val, self.test, self.excluded))

    def part(self, name: str) -> tuple[Edge, ...]:
        """The hyperedges of ``"train"``, ``"val"`` or ``"test"``."""
        if name not in _PARTS:
            raise ValueError(f"Expected 'part' to be one of {list(_PARTS)} (got {name!r})")
        return getattr(self, name)

    def __repr__(self) -> str:
        uni = self.num_nodes if self.universe is None else len(self.universe)
        return (f"HyperedgeSplit(num_nodes={self.num_nodes}, universe={uni}, "
                f"train={len(self.train)}, val={len(self.val)}, test={len(self.test)}, "
                f"method={self.method!r})")


def _counts(total: int, train: float, val: float, test: float) -> tuple[int, int, int]:
    vals = (train, val, test)
    for v, n in zip(vals, _PARTS, strict=True):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v < 0:
            raise ValueError(f"Expected '{n}' to be a non-negative fraction or count "
                             f"(got {v!r})")
    if all(isinstance(v, int) for v in vals) and sum(vals) > 1:
        if sum(vals) > total:
            raise ValueError(f"The requested counts train+val+test={sum(vals)} exceed the "
                             f"{total} distinct candidate hyperedges")
        return train, val, test  # type: ignore[return-value]
    s = float(sum(vals))
    if s <= 0:
        raise ValueError("Expected 'train', 'val', 'test' to have a positive sum (got 0)")
    n_val = int(round(total * val / s))
    n_test = int(round(total * test / s))
    return total - n_val - n_test, n_val, n_test


def greedy_cover(edges: Sequence[Edge], rank: Sequence[int] | np.ndarray) -> list[int]:
    """Indices of a greedy set cover of the nodes of ``edges`` (AHP's forced ground set).

    Repeatedly takes the hyperedge that covers the most still-uncovered nodes; ties go to the
    smallest ``rank`` (a seeded permutation makes the cover seeded). Lazy evaluation with a
    heap: the result is exactly the greedy cover, in ``O(nnz log M)``.

    Example:
        >>> greedy_cover([(0, 1), (1, 2, 3), (3, 4), (0, 4)], rank=[0, 1, 2, 3])
        [1, 3]
    """
    covered: set[int] = set()
    heap = [(-len(e), int(rank[i]), i) for i, e in enumerate(edges)]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        neg, r, i = heapq.heappop(heap)
        gain = sum(v not in covered for v in edges[i])
        if gain == 0:
            continue
        if heap and (-gain, r) > heap[0][:2]:
            heapq.heappush(heap, (-gain, r, i))  # stale bound: re-queue with the true gain
            continue
        out.append(i)
        covered.update(edges[i])
    return out


def split_hyperedges(hg_or_edge_sets: Any, train: float = 0.6, val: float = 0.2,
                     test: float = 0.2, *, seed: int | None = 0, by_time: Any = None,
                     num_nodes: int | None = None, min_size: int = 2,
                     cover_nodes: bool = False,
                     universe: str | Iterable[int] = "auto") -> HyperedgeSplit:
    r"""Split the distinct hyperedges into train / val / test.

    Duplicates: hyperedges are node **sets** (repeated nodes inside one are merged); each
    distinct set is kept once, at its first occurrence, so it lands in exactly one part.
    Hyperedges of size 0 or 1 are dropped (nothing to predict); those of size
    ``2 <= s < min_size`` go to :attr:`HyperedgeSplit.excluded` (not candidates, not message
    passing, still rejected as negatives). Use ``min_size=3`` to match the samplers, which
    only draw sizes ``>= 3`` (otherwise size alone separates size-2 positives).

    * Random (``by_time=None``): a seeded permutation, then the first ``train`` share etc.
      With ``cover_nodes=True`` (AHP's ``make_splits_val.py``) a greedy set cover of the
      candidates' nodes (:func:`greedy_cover`, ties by the seeded permutation) is forced into
      train first, so every universe node occurs in the training hypergraph; train is then
      filled up to its share from the rest in permutation order, then val, then test. When the
      cover alone exceeds the train share, train is exactly the cover and the remaining
      hyperedges are divided between val and test in the ratio ``val : test`` (so val and
      test shrink below their shares; ``metadata["cover_size"]`` tells).
    * Temporal: ``by_time=True`` for a
      :class:`~hgkit.datasets.data.TemporalHypergraph` (its ``times``) or a sequence of one
      timestamp per hyperedge. Distinct hyperedges are ordered by the time of their first
      occurrence (stable: file order breaks ties) and cut by count, oldest in train. A cover
      would pull future hyperedges into train (a leak), so ``cover_nodes`` must be ``False``.

    Node universe (:attr:`HyperedgeSplit.universe`, the nodes candidates and all negative
    samplers draw from; the encoder still runs on all ``num_nodes``):

    * ``"edges"``: the nodes occurring in some candidate hyperedge (size ``>= min_size``),
      AHP's node set (cocitation Cora: 1,434 nodes with ``min_size=2``, 1,229 with 3, out of
      2,708). With ``cover_nodes=True`` these are exactly the training nodes.
    * ``"train"``: the nodes of the training hyperedges; val / test hyperedges holding another
      node can then never be matched by a candidate and move to ``excluded``
      (``metadata["num_outside_universe"]``): the "predict among known nodes" setting.
    * ``"all"``: every node (``universe=None``).
    * ``"auto"`` (default): ``"train"`` for a temporal split, ``"edges"`` for a random one.
    * a sequence of node ids: used as given (held-out hyperedges outside it are excluded).

    Args:
        hg_or_edge_sets: a :class:`~hgkit.Hypergraph`, anything with a ``hypergraph``
            attribute (``HypergraphData``), a ``TemporalHypergraph``, or a sequence of node
            sets (then ``num_nodes`` defaults to ``max id + 1``).
        train, val, test: fractions (normalized by their sum) or, when all are ints and sum
            to more than 1, counts.
        seed: seed of the random permutation (and of the cover's tie-breaking).
        by_time: see above.
        num_nodes: number of nodes for a sequence input.
        min_size: smallest candidate size (``>= 2``).
        cover_nodes: force a greedy set cover into train (random splits only).
        universe: see above.

    Example:
        >>> s = split_hyperedges([[0, 1, 2], [2, 3], [3], [1, 0, 2]], 1, 1, 0, seed=0)
        >>> s.num_duplicates, s.num_singletons, len(s.train) + len(s.val)
        (1, 1, 2)
        >>> edges = [(0, 1, 2), (2, 3, 4), (4, 5, 6), (0, 3, 6), (1, 4, 6), (1, 2, 5)]
        >>> c = split_hyperedges(edges, 1, 1, 1, seed=0, cover_nodes=True)
        >>> len(c.train), sorted({v for e in c.train for v in e}) == list(c.universe)
        (3, True)
    """
    from hgkit.datasets.data import TemporalHypergraph

    times: np.ndarray | None = None
    if isinstance(hg_or_edge_sets, TemporalHypergraph):
        th = hg_or_edge_sets
        flat, ptr = th.simplices.numpy(), th.ptr.numpy()
        edges = [flat[ptr[i]:ptr[i + 1]].tolist() for i in range(th.num_simplices)]
        n = th.num_nodes
        if by_time is True:
            times = th.times.numpy()
    else:
        hg = getattr(hg_or_edge_sets, "hypergraph", hg_or_edge_sets)
        if isinstance(hg, Hypergraph):
            edges, n = hg.edges(), hg.num_nodes
        elif isinstance(hg, (list, tuple)):
            edges = list(hg)
            n = num_nodes
        else:
            raise TypeError("Expected 'hg_or_edge_sets' to be a Hypergraph, HypergraphData, "
                            "TemporalHypergraph or a sequence of node sets (got "
                            f"{type(hg_or_edge_sets).__name__})")
        if by_time is True:
            raise ValueError("'by_time=True' needs a TemporalHypergraph; pass one timestamp "
                             "per hyperedge instead")
    if by_time is not None and by_time is not True and by_time is not False:
        times = np.asarray(by_time.cpu() if isinstance(by_time, Tensor) else by_time)
        if times.shape != (len(edges),):
            raise ValueError(f"Expected 'by_time' to hold one timestamp per hyperedge "
                             f"({len(edges)}) (got shape {list(times.shape)})")
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 2:
        raise ValueError(f"Expected 'min_size' to be an int >= 2 (got {min_size!r})")
    if not isinstance(cover_nodes, bool):
        raise ValueError(f"Expected 'cover_nodes' to be a bool (got {cover_nodes!r})")
    if cover_nodes and times is not None:
        raise ValueError("'cover_nodes=True' needs a random split: forcing a cover into train "
                         "would move future hyperedges into a temporal training set")
    if isinstance(universe, str) and universe not in UNIVERSES:
        raise ValueError(f"Expected 'universe' to be one of {list(UNIVERSES)} or a sequence "
                         f"of node ids (got {universe!r})")
    sets = _canon(edges, "hg_or_edge_sets")
    top = max((e[-1] for e in sets if e), default=-1)
    n = top + 1 if n is None else n
    if top >= n:
        raise IndexError(f"'hg_or_edge_sets' holds node id {top} but num_nodes={n}")
    first: dict[Edge, int] = {}
    singles = 0
    for i, e in enumerate(sets):
        if len(e) < 2:
            singles += 1
        elif e not in first:
            first[e] = i
    dups = len(sets) - singles - len(first)
    distinct = list(first)
    excluded = [e for e in distinct if len(e) < min_size]
    cands = [e for e in distinct if len(e) >= min_size]
    n_tr, n_va, n_te = _counts(len(cands), train, val, test)
    cover: list[int] = []
    if times is not None:
        t = np.asarray([times[first[e]] for e in cands])
        order = np.argsort(t, kind="stable")
        method = "temporal"
    else:
        order = _rng(seed).permutation(len(cands))
        method = "random"
        if cover_nodes:
            rank = np.empty(len(cands), np.int64)
            rank[order] = np.arange(len(cands))
            cover = greedy_cover(cands, rank)
    if cover:
        forced = np.zeros(len(cands), bool)
        forced[cover] = True
        rest = order[~forced[order]]
        fill = max(n_tr - len(cover), 0)
        if len(cover) > n_tr and n_va + n_te > 0:
            n_va = int(round(rest.size * n_va / (n_va + n_te)))
            n_te = rest.size - n_va
        forced[rest[:fill]] = True
        tr_idx = order[forced[order]]  # train in permutation order
        va_idx, te_idx = rest[fill:fill + n_va], rest[fill + n_va:fill + n_va + n_te]
    else:
        tr_idx, va_idx = order[:n_tr], order[n_tr:n_tr + n_va]
        te_idx = order[n_tr + n_va:n_tr + n_va + n_te]
    parts = [[cands[i] for i in idx] for idx in (tr_idx, va_idx, te_idx)]
    option = ("train" if times is not None else "edges") if universe == "auto" else universe
    uni: tuple[int, ...] | None
    if option == "all":
        uni = None
    elif option == "edges":
        uni = tuple(sorted({v for e in cands for v in e}))
    elif option == "train":
        uni = tuple(sorted({v for e in parts[0] for v in e}))
    else:
        uni = tuple(sorted({int(v) for v in universe}))  # type: ignore[union-attr]
        if uni and (uni[0] < 0 or uni[-1] >= n):
            raise IndexError(f"'universe' holds node id {uni[0] if uni[0] < 0 else uni[-1]} "
                             f"but num_nodes={n}")
    outside = 0
    if uni is not None:
        inside = set(uni)
        for p in (1, 2):
            keep = [e for e in parts[p] if inside.issuperset(e)]
            outside += len(parts[p]) - len(keep)
            excluded += [e for e in parts[p] if not inside.issuperset(e)]
            parts[p] = keep
    return HyperedgeSplit(
        num_nodes=int(n), train=tuple(parts[0]), val=tuple(parts[1]), test=tuple(parts[2]),
        excluded=tuple(excluded), universe=uni, method=method,
        seed=None if method == "temporal" else seed, num_duplicates=dups,
        num_singletons=singles,
        metadata={"min_size": min_size, "universe": option if isinstance(option, str)
                  else "custom", "cover_size": len(cover), "num_outside_universe": outside})


# ---------------------------------------------------------------------------- estimator
def _hgnn(i: int, o: int) -> nn.Module:
    from hgkit.layers.models import HGNN
    return HGNN(i, o, o, num_layers=2, dropout=0.5)


def _hgnnp(i: int, o: int) -> nn.Module:
    from hgkit.layers.models import HGNNP
    return HGNNP(i, o, o, num_layers=2, dropout=0.5)


def _edhnn(i: int, o: int) -> nn.Module:
    # ED-HNN's cocitation settings (its README command for Cora / Citeseer, as in the node
    # classification benchmark): one diffusion step, phi = rho = identity, psi one linear
    # layer, no restart, linear read-out. The argparse defaults (2 steps, 2-layer LayerNorm
    # MLPs, restart 0.5) collapse to node-constant embeddings on hyperedge prediction.
    from hgkit.layers.edhnn import EDHNN
    return EDHNN(i, o, o, num_layers=1, mlp1_layers=0, mlp2_layers=0, mlp3_layers=1,
                 alpha=0.0, classifier_layers=1, classifier_hidden=o, dropout=0.5)


def _mlp(i: int, o: int) -> nn.Module:
    from hgkit.layers.models import MLP
    return MLP(i, o, o)


#: Named encoder factories ``(in_channels, out_channels) -> nn.Module``.
ENCODERS: dict[str, Callable[[int, int], nn.Module]] = {
    "hgnn": _hgnn, "hgnnp": _hgnnp, "edhnn": _edhnn, "mlp": _mlp}
#: Adam learning rate of each named encoder when ``lr=None`` (others: ``0.01``). ED-HNN uses
#: its paper's ``1e-3``: at ``0.01`` the first Adam steps drive its node embeddings to a
#: constant (loss stuck at ``log 2``, selection falls back to the random initialization).
ENCODER_LR: dict[str, float] = {"hgnn": 0.01, "hgnnp": 0.01, "edhnn": 0.001, "mlp": 0.01}


def _candidate_index(cands: Sequence[Edge], device: torch.device) -> tuple[Tensor, Tensor, int]:
    lens = np.fromiter((len(c) for c in cands), np.int64, len(cands))
    flat = np.fromiter(chain.from_iterable(cands), np.int64, int(lens.sum()))
    edge = np.repeat(np.arange(len(cands)), lens)
    return (torch.from_numpy(flat).to(device), torch.from_numpy(edge).to(device), len(cands))


def _pair_mean(h: Tensor, weight: Tensor, node: Tensor, edge: Tensor, k: int) -> Tensor:
    r"""``[K]``: mean over the unordered member pairs of :math:`h_u^\top W h_v`, in O(nnz D).

    With :math:`s = \sum_{v \in S} h_v` and :math:`A = (W + W^\top) / 2`,
    :math:`\sum_{u \ne v} h_u^\top W h_v = s^\top A s - \sum_v h_v^\top A h_v` over the
    :math:`|S|(|S| - 1)` ordered pairs; a singleton scores ``0``.
    """
    a = 0.5 * (weight + weight.T)
    hv = h.index_select(0, node)
    s = torch.zeros(k, h.size(1), device=h.device, dtype=h.dtype).index_add_(0, edge, hv)
    self_term = torch.zeros(k, device=h.device, dtype=h.dtype).index_add_(
        0, edge, ((hv @ a) * hv).sum(1))
    size = torch.bincount(edge, minlength=k).to(h.dtype)
    return ((s @ a) * s).sum(1).sub(self_term) / (size * (size - 1)).clamp(min=1)


class _Predictor(nn.Module):
    def __init__(self, encoder: nn.Module, dim: int, decoder: str,
                 embedding: nn.Embedding | None, concat: bool = False) -> None:
        super().__init__()
        self.encoder, self.embedding, self.decoder = encoder, embedding, decoder
        self.concat = concat
        if decoder == "pma":
            from hgkit.layers.allset import PMA
            self.pma = PMA(dim, dim, heads=1)
        if decoder in ("pair", "maxmin+pair"):
            # the GAE decoder's inner product to start with, scaled to unit-variance logits
            self.pair_weight = nn.Parameter(torch.eye(dim) / math.sqrt(dim))
            self.pair_bias = nn.Parameter(torch.zeros(()))
        if decoder != "pair":
            self.head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 1))

    def inputs(self, x: Tensor | None) -> Tensor:
        if x is None:
            return self.embedding.weight
        if self.concat:
            return torch.cat([x, self.embedding.weight], 1)
        return x

    def embed(self, x: Tensor | None, hg: Hypergraph) -> Tensor:
        return self.encoder(self.inputs(x), hg)

    def decode(self, h: Tensor, node: Tensor, edge: Tensor, k: int) -> Tensor:
        pair = None
        if self.decoder in ("pair", "maxmin+pair"):
            pair = _pair_mean(h, self.pair_weight, node, edge, k) + self.pair_bias
            if self.decoder == "pair":
                return pair
        hv = h.index_select(0, node)
        idx = edge.view(-1, 1).expand_as(hv)
        if self.decoder == "mean":
            z = torch.zeros(k, h.size(1), device=h.device, dtype=h.dtype).index_add_(0, edge, hv)
            z = z / torch.bincount(edge, minlength=k).clamp(min=1).view(-1, 1).to(h.dtype)
        elif self.decoder in ("maxmin", "maxmin+pair"):
            empty = torch.zeros(k, h.size(1), device=h.device, dtype=h.dtype)
            z = (empty.scatter_reduce(0, idx, hv, "amax", include_self=False)
                 - empty.scatter_reduce(0, idx, hv, "amin", include_self=False))
        else:
            cand = Hypergraph._trusted(torch.stack([node, edge]), h.size(0), k)
            z = self.pma(h, cand, "v2e")
        out = self.head(z).view(-1)
        return out if pair is None else out + pair


class HyperedgePrediction:
    r"""Score node sets as hyperedges: encoder on the training hypergraph + set decoder.

    Training (full batch, Adam): each epoch encodes all nodes on the **training** hypergraph
    (:attr:`HyperedgeSplit.hypergraph`), scores every training hyperedge and ``ratio`` times
    as many **freshly drawn** negatives (``sampler``; rejected against the training
    hyperedges only, the positives known at training time) with binary cross-entropy. Every
    ``eval_every`` epochs the validation AUROC against fixed, seeded validation negatives
    (:func:`evaluation_negatives`, one set per type in ``val_negatives``) is averaged over
    the types; the weights of the first epoch with the best mean are kept (AHP's selection),
    and training stops after ``patience`` evaluations without improvement. The test part is
    never looked at during :meth:`fit`. The mean over the types (not the AUROC of one "mix"
    set) is the criterion: it weighs each negative type equally whatever its size and equals
    AHP's; ``val_negatives=("mix",)`` selects on the mixed set instead. All negatives are
    drawn from :attr:`HyperedgeSplit.universe`.

    Decoders: ``"mean"`` (mean of the member embeddings), ``"maxmin"`` (NHP's element-wise
    :math:`\max_v h_v - \min_v h_v`) and ``"pma"`` (AllSet's :class:`~hgkit.layers.PMA`
    attention pooling over the members), each followed by ``Linear -> ReLU -> Linear``;
    ``"pair"``, the set generalization of the graph auto-encoder's inner-product decoder:
    :math:`\binom{|S|}{2}^{-1} \sum_{\{u, v\} \subseteq S} h_u^\top W h_v + b` with a learnable
    :math:`W` (initialized to :math:`I / \sqrt{D}`), computed in O(nnz D) from the member sum;
    and ``"maxmin+pair"``, the sum of the two logits.

    Features: ``data.x`` when present; otherwise (``TemporalHypergraph``, bare hypergraphs) a
    learnable ``num_nodes x hidden`` embedding is the encoder input, which for a first layer
    that is linear (HGNN, ED-HNN) equals one-hot identity features without the ``N x N``
    matrix. ``node_embedding=True`` concatenates such an embedding to ``data.x`` (features
    plus node identity).

    Args:
        encoder: ``None`` (2-layer HGNN, ``hidden`` wide, dropout 0.5), a name of
            :data:`ENCODERS`, a factory ``(in_channels, out_channels) -> nn.Module``
            (built under the seed, output ``hidden``) or an ``nn.Module`` with
            ``forward(x, hypergraph) -> [N, D]`` (deep-copied at each fit).
        decoder: one of :data:`DECODERS`.
        hidden: embedding width (factories, featureless embedding).
        sampler: training negative sampler (:data:`SAMPLERS`).
        ratio: training negatives per positive.
        lr, weight_decay: Adam settings; ``lr=None``: :data:`ENCODER_LR` of a named encoder
            (``1e-3`` for ED-HNN), ``0.01`` otherwise.
        node_embedding: with features, concatenate a learnable ``hidden``-wide node embedding.
        epochs: maximum epochs; patience: evaluations without a new best (``None``: never
            stop early); eval_every: epochs between validation evaluations.
        val_negatives: negative types of the validation selection.
        seed: seeds initialization, dropout, sampling and the validation negatives.
        device: training device (default CPU or the device of ``data.x``).
        progress: tqdm bar over epochs.

    Attributes (after :meth:`fit`):
        model_, embeddings_ (``[N, D]`` node embeddings of the selected model, eval mode),
        lr_ (the learning rate used), hypergraph_ (the training hypergraph), history_ (per
        epoch: ``epoch``, ``loss``,
        ``seconds`` and ``val_auroc`` when evaluated), best_epoch_, best_val_auroc_,
        fit_seconds_.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> edges = [rng.choice(30, 3, replace=False) for _ in range(60)]
        >>> split = split_hyperedges(edges, seed=0)
        >>> task = HyperedgePrediction(hidden=8, epochs=5, seed=0).fit(None, split)
        >>> task.predict_proba([(0, 1, 2), (0, 5, 9)]).shape
        torch.Size([2])
        >>> sorted(task.evaluate(split, ["sns"])["sns"])
        ['ap', 'auroc', 'hits@10', 'mrr']
    """

    def __init__(self, encoder: Any = None, *, decoder: str = "maxmin", hidden: int = 128,
                 sampler: str = "sns", ratio: float = 1.0, lr: float | None = None,
                 weight_decay: float = 0.0, node_embedding: bool = False,
                 epochs: int = 200, patience: int | None = 50,
                 eval_every: int = 1, val_negatives: Sequence[str] = ("sns", "mns", "cns"),
                 seed: int = 0, device: str | torch.device | None = None,
                 progress: bool = False) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.hidden = hidden
        self.sampler = sampler
        self.ratio = ratio
        self.lr = lr
        self.weight_decay = weight_decay
        self.node_embedding = node_embedding
        self.epochs = epochs
        self.patience = patience
        self.eval_every = eval_every
        self.val_negatives = val_negatives
        self.seed = seed
        self.device = device
        self.progress = progress

    def _check_params(self) -> None:
        from hgkit.tasks.node_classification import _number

        enc = self.encoder
        if not (enc is None or isinstance(enc, nn.Module) or callable(enc)
                or (isinstance(enc, str) and enc in ENCODERS)):
            raise ValueError(f"Expected 'encoder' to be None, one of {list(ENCODERS)}, an "
                             f"nn.Module or a factory (got {enc!r})")
        if self.decoder not in DECODERS:
            raise ValueError(f"Expected 'decoder' to be one of {list(DECODERS)} "
                             f"(got {self.decoder!r})")
        if self.sampler not in SAMPLERS:
            raise ValueError(f"Expected 'sampler' to be one of {list(SAMPLERS)} "
                             f"(got {self.sampler!r})")
        bad = [v for v in self.val_negatives if v not in SAMPLERS]
        if isinstance(self.val_negatives, str) or bad:
            raise ValueError(f"Expected 'val_negatives' to be a sequence of {list(SAMPLERS)} "
                             f"(got {self.val_negatives!r})")
        _number(self.hidden, "hidden", minimum=1, integer=True)
        _number(self.ratio, "ratio", minimum=0.0)
        _number(self.lr, "lr", minimum=0.0, allow_none=True)
        if not isinstance(self.node_embedding, bool):
            raise TypeError(f"Expected 'node_embedding' to be a bool (got "
                            f"{type(self.node_embedding).__name__})")
        _number(self.weight_decay, "weight_decay", minimum=0.0)
        _number(self.epochs, "epochs", minimum=1, integer=True)
        _number(self.patience, "patience", minimum=1, integer=True, allow_none=True)
        _number(self.eval_every, "eval_every", minimum=1, integer=True)
        _number(self.seed, "seed", minimum=0, integer=True)

    def _lr(self) -> float:
        """``lr``, or with ``lr=None`` the :data:`ENCODER_LR` of a named encoder (else 0.01)."""
        if self.lr is not None:
            return float(self.lr)
        enc = self.encoder
        return ENCODER_LR.get(enc or "hgnn", 0.01) if enc is None or isinstance(enc, str) \
            else 0.01

    def _build(self, x: Tensor | None, n: int, hg: Hypergraph, device: torch.device
               ) -> _Predictor:
        concat = x is not None and self.node_embedding
        emb = nn.Embedding(n, self.hidden) if x is None or concat else None
        if emb is not None:
            nn.init.normal_(emb.weight, std=1.0)
        in_ch = self.hidden if x is None else x.size(1) + (self.hidden if concat else 0)
        enc = self.encoder
        if enc is None or isinstance(enc, str):
            module = ENCODERS[enc or "hgnn"](in_ch, self.hidden)
        elif isinstance(enc, nn.Module):
            module = copy.deepcopy(enc)
        else:
            module = enc(in_ch, self.hidden)
            if not isinstance(module, nn.Module):
                raise TypeError("Expected the 'encoder' factory to return an nn.Module (got "
                                f"{type(module).__name__})")
        module = module.to(device)
        if emb is not None:
            emb = emb.to(device)
        inp = x if emb is None else emb.weight if x is None else torch.cat([x, emb.weight], 1)
        with torch.no_grad():
            was = module.training
            module.eval()
            probe = module(inp, hg)
            module.train(was)
        if probe.dim() != 2 or probe.size(0) != n:
            raise ValueError(f"Expected the encoder to return [{n}, D] embeddings (got "
                             f"{list(probe.shape)})")
        return _Predictor(module, probe.size(1), self.decoder, emb, concat).to(device)

    def fit(self, data: Any, split: HyperedgeSplit) -> HyperedgePrediction:
        """Train on ``split`` (features from ``data``, structure from ``split.train`` only).

        Args:
            data: ``HypergraphData`` (or anything with ``x``), a ``[N, F]`` tensor, or
                ``None`` / a featureless dataset (learnable embedding). Its hypergraph, if
                any, is **ignored**: message passing uses ``split.hypergraph``.
            split: from :func:`split_hyperedges`.
        """
        from tqdm.auto import tqdm

        self._check_params()
        if not isinstance(split, HyperedgeSplit):
            raise TypeError(f"Expected 'split' to be a HyperedgeSplit (got "
                            f"{type(split).__name__})")
        if not split.train:
            raise ValueError("Expected 'split.train' to hold at least one hyperedge (got none)")
        x = data if isinstance(data, Tensor) else getattr(data, "x", None)
        n = split.num_nodes
        if x is not None:
            if x.dim() != 2 or not x.is_floating_point() or x.size(0) != n:
                raise ValueError(f"Expected 'data.x' to be a floating [{n}, F] tensor (got "
                                 f"{x.dtype}, {list(x.shape)})")
        device = torch.device(self.device) if self.device is not None else (
            x.device if x is not None else torch.device("cpu"))
        x = None if x is None else x.to(device)
        hg = split.hypergraph.to(device)
        train = list(split.train)
        rng = np.random.default_rng([self.seed, 1])
        val_sets = {}
        if split.val:
            for m in self.val_negatives:
                neg = evaluation_negatives(split, "val", m, seed=self.seed)
                val_sets[m] = (_candidate_index(list(split.val) + neg, device),
                               np.r_[np.ones(len(split.val)), np.zeros(len(neg))])
        known = set(train)
        pos_y = torch.ones(len(train), device=device)
        start = time.perf_counter()
        self.history_: list[dict[str, Any]] = []
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(self.seed)
            model = self._build(x, n, hg, device)
            lr = self._lr()
            opt = torch.optim.Adam(model.parameters(), lr=lr,
                                   weight_decay=self.weight_decay)
            best, best_epoch, since = -1.0, 0, 0
            best_state = None
            bar = tqdm(range(self.epochs), disable=not self.progress, desc="fit", leave=False)
            for epoch in bar:
                t0 = time.perf_counter()
                neg = sample_negatives(train, n, self.sampler, ratio=self.ratio, reject=known,
                                       universe=split.universe, seed=rng)
                node, edge, k = _candidate_index(train + neg, device)
                y = torch.cat([pos_y, torch.zeros(len(neg), device=device)])
                model.train()
                opt.zero_grad()
                logits = model.decode(model.embed(x, hg), node, edge, k)
                loss = F.binary_cross_entropy_with_logits(logits, y)
                value = float(loss.detach())
                if not math.isfinite(value):
                    raise FloatingPointError(f"training loss is {value} at epoch {epoch}; "
                                             f"lower 'lr' (got {lr})")
                loss.backward()
                opt.step()
                rec: dict[str, Any] = {"epoch": epoch, "loss": value,
                                       "seconds": time.perf_counter() - t0}
                if val_sets and epoch % self.eval_every == 0:
                    model.eval()
                    with torch.no_grad():
                        h = model.embed(x, hg)
                        aucs = {m: metrics.auroc(lab, model.decode(h, *idx).cpu())
                                for m, (idx, lab) in val_sets.items()}
                    rec["val_auroc"] = aucs
                    score = float(np.mean(list(aucs.values())))
                    if score > best:
                        best, best_epoch, since = score, epoch, 0
                        best_state = copy.deepcopy(model.state_dict())
                        bar.set_postfix(val_auroc=round(score, 4))
                    else:
                        since += 1
                        if self.patience is not None and since >= self.patience:
                            self.history_.append(rec)
                            break
                elif not val_sets:
                    best_epoch, best_state = epoch, None
                self.history_.append(rec)
            bar.close()
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        self.model_ = model
        self.lr_ = lr
        self.x_ = x
        self.hypergraph_ = hg
        with torch.no_grad():
            self.embeddings_ = model.embed(x, hg)
        self.best_epoch_ = best_epoch
        self.best_val_auroc_ = best if val_sets else None
        self.num_nodes_ = n
        self.fit_seconds_ = time.perf_counter() - start
        return self

    # ------------------------------------------------------------------ inference
    def decision_function(self, candidates: Sequence[Iterable[int]]) -> Tensor:
        """Logits ``[K]`` of the candidate node sets (each of size ``>= 1``)."""
        model = getattr(self, "model_", None)
        if model is None:
            raise RuntimeError("This HyperedgePrediction is not fitted yet: call "
                               "fit(data, split) first")
        cands = _canon(candidates, "candidates")
        if any(not c for c in cands):
            raise ValueError("Expected every candidate to hold at least one node (got an "
                             "empty one)")
        if cands and _cands_max(cands) >= self.num_nodes_:
            raise IndexError(f"'candidates' holds node id {_cands_max(cands)} but "
                             f"num_nodes={self.num_nodes_}")
        if not cands:
            return torch.zeros(0)
        h = self.embeddings_
        with torch.no_grad():
            return model.decode(h, *_candidate_index(cands, h.device)).cpu()

    def predict_proba(self, candidates: Sequence[Iterable[int]]) -> Tensor:
        """Probability ``[K]`` that each candidate is a hyperedge (sigmoid of the logits)."""
        return torch.sigmoid(self.decision_function(candidates))

    def predict(self, candidates: Sequence[Iterable[int]]) -> Tensor:
        """``[K]`` bool: probability above one half."""
        return self.decision_function(candidates) > 0

    def score(self, positives: Sequence[Iterable[int]],
              negatives: Sequence[Iterable[int]]) -> float:
        """AUROC of ``positives`` against ``negatives``."""
        s = self.decision_function(list(positives) + list(negatives))
        y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
        return metrics.auroc(y, s)

    def evaluate(self, split: HyperedgeSplit,
                 negatives: Mapping[str, Sequence[Iterable[int]]] | Sequence[str] = (
                     "sns", "mns", "cns"),
                 *, part: str = "test", ratio: float = 1.0, seed: int | None = None,
                 k: int = 10) -> dict[str, dict[str, float]]:
        """AUROC, AP, hits@k and MRR of ``split``'s ``part`` against each negative set.

        Args:
            split: the split the model was fitted on.
            negatives: ``{name: node sets}``, or sampler names drawn with
                :func:`evaluation_negatives` (fixed by ``seed``, default ``self.seed``).
            part: ``"test"`` or ``"val"``.
            ratio: negatives per positive for drawn sets.
            k: the ``k`` of hits@k (shared negative pool, see :mod:`hgkit.tasks.metrics`).
        """
        pos = list(split.part(part))
        if not pos:
            raise ValueError(f"Expected split.{part} to hold at least one hyperedge (got none)")
        if isinstance(negatives, str):
            raise ValueError(f"Expected 'negatives' to be a sequence of names or a mapping "
                             f"(got the string {negatives!r})")
        if not isinstance(negatives, Mapping):
            seed = self.seed if seed is None else seed
            negatives = {m: evaluation_negatives(split, part, m, ratio, seed) for m in negatives}
        s_pos = self.decision_function(pos).numpy()
        out = {}
        for name, neg in negatives.items():
            s_neg = self.decision_function(neg).numpy()
            y = np.r_[np.ones(len(pos)), np.zeros(len(s_neg))]
            s = np.r_[s_pos, s_neg]
            out[name] = {"auroc": metrics.auroc(y, s), "ap": metrics.average_precision(y, s),
                         f"hits@{k}": metrics.hits_at_k(s_pos, s_neg, k),
                         "mrr": metrics.mrr(s_pos, s_neg)}
        return out

    def __repr__(self) -> str:
        enc = self.encoder if self.encoder is None or isinstance(self.encoder, str) \
            else type(self.encoder).__name__
        return (f"HyperedgePrediction(encoder={enc!r}, decoder={self.decoder!r}, "
                f"hidden={self.hidden}, sampler={self.sampler!r}, epochs={self.epochs}, "
                f"seed={self.seed})")
