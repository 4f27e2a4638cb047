r"""Random hypergraphs: :math:`G(n, m)`, bipartite :math:`G(n, m, p)`, k-uniform, and an HSBM.

Every generator takes a ``seed`` (``None``, a non-negative int, or a
:class:`numpy.random.Generator` that is advanced in place) and draws from its own
:class:`numpy.random.Generator`; the global NumPy and torch random states are never touched, so
the same seed gives the same hypergraph on every call. Sampling is vectorized: the cost is
O(nnz) (up to logarithmic factors), never O(N x M).

Hyperedges are drawn independently, so the result may be a *multi*-hypergraph: two hyperedges
can have the same members (as in XGI's random models). Members *within* one hyperedge are always
distinct. Every result lists its incidences sorted by hyperedge, then by node.

Example:
    >>> from hgkit.hypergraph import generate
    >>> hg = generate.gnm(10, 4, edge_size=3, seed=0)
    >>> hg.num_nodes, hg.num_edges, hg.edge_size.tolist()
    (10, 4, [3, 3, 3, 3])
    >>> generate.gnm(10, 4, edge_size=3, seed=0) == hg  # same seed, same hypergraph
    True
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["gnm", "gnp", "uniform", "hsbm", "SyntheticData", "edge_homophily"]

SeedLike = Union[int, np.random.Generator, None]
SizeLike = Union[int, tuple[int, int], None]

_DEFAULT_EDGE_SIZE = (2, 5)


# ---------------------------------------------------------------------------- helpers
def _rng(seed: Any) -> np.random.Generator:
    """A private generator from ``seed`` (a Generator passed in is used as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(C.check_seed(seed))


def _size_range(edge_size: Any, upper: int, upper_text: str,
                default: tuple[int, int] = _DEFAULT_EDGE_SIZE) -> tuple[int, int]:
    """Validate ``edge_size`` (None, int or (min, max)) against ``upper``; returns (lo, hi).

    ``None`` means ``default`` capped at ``upper``.
    """
    if edge_size is None:
        lo, hi = min(default[0], upper), min(default[1], upper)
    elif isinstance(edge_size, (tuple, list)):
        if len(edge_size) != 2:
            raise ValueError(
                "Expected 'edge_size' to be None, an int or a (min, max) pair "
                f"(got a {type(edge_size).__name__} of length {len(edge_size)})"
            )
        lo = C.check_count(edge_size[0], "edge_size[0]", minimum=1)
        hi = C.check_count(edge_size[1], "edge_size[1]", minimum=1)
        if lo > hi:
            raise ValueError(
                f"Expected 'edge_size' (min, max) with min <= max (got ({lo}, {hi}))"
            )
    else:
        lo = hi = C.check_count(edge_size, "edge_size", minimum=1)
    if hi > upper:
        raise ValueError(
            f"Expected 'edge_size' to be at most {upper_text}={upper} (got maximum size {hi})"
        )
    return lo, hi


def _redraw_repeats(edge: np.ndarray, node: np.ndarray, width: int, draw: Any) -> None:
    """Redraw ``node[i]`` (in place) while it repeats an earlier member of its hyperedge.

    ``draw(positions)`` returns fresh candidates for those positions. The process treats all
    node labels alike, so it yields uniformly random member sets whenever ``draw`` is uniform.
    """
    base = edge * width
    todo = np.arange(node.size)
    while todo.size:
        key = base[todo] + node[todo]
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        repeat = todo[order[1:][sorted_key[1:] == sorted_key[:-1]]]
        if repeat.size == 0:
            return
        node[repeat] = draw(repeat)
        # Only hyperedges that still had repeats need checking again.
        todo = np.flatnonzero(np.isin(edge, np.unique(edge[repeat])))


def _sample_subsets(rng: np.random.Generator, num_nodes: int, sizes: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random ``sizes[e]``-subsets of ``range(num_nodes)``; returns (node, edge)."""
    edge = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    node = np.empty(edge.size, dtype=np.int64)
    large = sizes * 2 > num_nodes  # more than half the nodes: rank random keys instead
    at_large = large[edge]
    small = np.flatnonzero(~at_large)
    if small.size:
        node[small] = rng.integers(0, num_nodes, small.size)
        sub_node = node[small]
        _redraw_repeats(edge[small], sub_node, num_nodes,
                        lambda pos: rng.integers(0, num_nodes, pos.size))
        node[small] = sub_node
    rows = np.flatnonzero(large)
    if rows.size:  # O(len(rows) * N) <= 2 * (their incidences)
        ranks = np.argsort(rng.random((rows.size, num_nodes)), axis=1)
        keep = np.arange(num_nodes)[None, :] < sizes[rows][:, None]
        node[np.flatnonzero(at_large)] = ranks[keep]
    return _sorted(node, edge, num_nodes)


def _sorted(node: np.ndarray, edge: np.ndarray, num_nodes: int
            ) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(edge * num_nodes + node, kind="stable")
    return node[order], edge[order]


def _hypergraph(node: np.ndarray, edge: np.ndarray, num_nodes: int, num_edges: int
                ) -> Hypergraph:
    index = torch.from_numpy(np.stack([node, edge]).astype(np.int64, copy=False))
    return Hypergraph._trusted(index, num_nodes, num_edges)


# ---------------------------------------------------------------------------- models
def gnm(
    num_nodes: int,
    num_edges: int,
    edge_size: SizeLike = None,
    seed: SeedLike = None,
) -> Hypergraph:
    r"""Random hypergraph with ``num_edges`` hyperedges of random sizes (a :math:`G(n, m)`).

    Each hyperedge :math:`e` independently draws its size :math:`|e|` uniformly from
    ``[min, max]`` and then its members as a uniformly random :math:`|e|`-subset of the
    ``num_nodes`` nodes (no repeated member).

    Args:
        num_nodes: number of nodes ``N >= 1``.
        num_edges: number of hyperedges ``M >= 1``.
        edge_size: an int (every hyperedge has that size), a ``(min, max)`` pair (sizes uniform
            over the inclusive range), or ``None`` for ``(2, 5)`` capped at ``num_nodes``.
        seed: ``None``, a non-negative int or a :class:`numpy.random.Generator`.

    Returns:
        A :class:`Hypergraph` with ``num_nodes`` nodes (some possibly isolated) and
        ``num_edges`` hyperedges, incidences sorted by hyperedge then node.

    Raises:
        TypeError, ValueError: on a non-integer count, a count < 1, or sizes outside
            ``[1, num_nodes]``.

    Example:
        >>> hg = gnm(100, 50, edge_size=(2, 4), seed=1)
        >>> hg.num_edges, int(hg.edge_size.min()) >= 2, int(hg.edge_size.max()) <= 4
        (50, True, True)
    """
    num_nodes = C.check_count(num_nodes, "num_nodes", minimum=1)
    num_edges = C.check_count(num_edges, "num_edges", minimum=1)
    lo, hi = _size_range(edge_size, num_nodes, "num_nodes")
    rng = _rng(seed)
    sizes = rng.integers(lo, hi + 1, num_edges)
    node, edge = _sample_subsets(rng, num_nodes, sizes)
    return _hypergraph(node, edge, num_nodes, num_edges)


def uniform(num_nodes: int, num_edges: int, k: int, seed: SeedLike = None) -> Hypergraph:
    r"""Random ``k``-uniform hypergraph: ``num_edges`` uniformly random ``k``-subsets.

    Equivalent to ``gnm(num_nodes, num_edges, edge_size=k, seed=seed)``; ``k = 2`` gives a
    random multigraph with ``num_edges`` edges and no self-loops.

    Args:
        num_nodes: number of nodes ``N >= 1``.
        num_edges: number of hyperedges ``M >= 1``.
        k: size of every hyperedge, ``1 <= k <= num_nodes``.
        seed: ``None``, a non-negative int or a :class:`numpy.random.Generator`.

    Example:
        >>> hg = uniform(20, 6, k=4, seed=0)
        >>> hg.edge_size.tolist()
        [4, 4, 4, 4, 4, 4]
    """
    num_nodes = C.check_count(num_nodes, "num_nodes", minimum=1)
    k = C.check_count(k, "k", minimum=1)
    if k > num_nodes:
        raise ValueError(f"Expected 'k' to be at most num_nodes={num_nodes} (got {k})")
    return gnm(num_nodes, num_edges, edge_size=k, seed=seed)


def gnp(num_nodes: int, num_edges: int, p: float, seed: SeedLike = None) -> Hypergraph:
    r"""Bipartite Erdős–Rényi hypergraph: each node joins each hyperedge with probability ``p``.

    Every entry :math:`H_{ve}` of the ``N x M`` incidence matrix is an independent
    Bernoulli(:math:`p`) variable, so hyperedge sizes are Binomial(:math:`N, p`) and node
    degrees Binomial(:math:`M, p`). Empty hyperedges and isolated nodes are therefore possible
    (and kept: ``num_edges`` is exact). This is the random bipartite graph of the star
    expansion; unlike "every k-subset with probability p" it scales: the incidences are drawn by
    geometric skipping in :math:`O(NMp)` time and memory, never touching all :math:`NM` pairs.

    Args:
        num_nodes: number of nodes ``N >= 1``.
        num_edges: number of hyperedges ``M >= 1``.
        p: membership probability in ``[0, 1]``; the expected number of incidences is
            :math:`NMp`.
        seed: ``None``, a non-negative int or a :class:`numpy.random.Generator`.

    Example:
        >>> hg = gnp(1000, 200, 0.01, seed=0)
        >>> hg.num_nodes, hg.num_edges
        (1000, 200)
        >>> 1700 < hg.nnz < 2300  # about N * M * p = 2000
        True
        >>> gnp(3, 2, 1.0).edges()
        [[0, 1, 2], [0, 1, 2]]
    """
    num_nodes = C.check_count(num_nodes, "num_nodes", minimum=1)
    num_edges = C.check_count(num_edges, "num_edges", minimum=1)
    p = C.check_probability(p, "p")
    rng = _rng(seed)
    total = num_nodes * num_edges
    chunks = []
    last = -1  # flat position (edge * N + node) of the last incidence drawn
    while p > 0.0:
        expected = (total - 1 - last) * p
        count = int(expected + 6.0 * math.sqrt(expected) + 16)
        gaps = np.minimum(rng.geometric(p, count), total + 1)
        positions = last + np.cumsum(gaps)
        inside = positions[positions < total]
        chunks.append(inside)
        if inside.size < count:
            break
        last = int(inside[-1])
    flat = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    return _hypergraph(flat % num_nodes, flat // num_nodes, num_nodes, num_edges)


# ---------------------------------------------------------------------------- HSBM
@dataclass(frozen=True, repr=False)
class SyntheticData:
    """A node-classification dataset drawn from :func:`hsbm`.

    The field names match the ``HypergraphData`` container of :mod:`hgkit.datasets`.

    Attributes:
        hypergraph: the :class:`Hypergraph` (``N`` nodes, ``M`` hyperedges).
        x: ``[N, F]`` float32 node features.
        y: ``[N]`` int64 class labels in ``[0, num_classes)``.
        num_classes: number of classes ``C``.
        train_mask: ``[N]`` bool mask of the training nodes.
        val_mask: ``[N]`` bool mask of the validation nodes.
        test_mask: ``[N]`` bool mask of the test nodes (the three masks partition the nodes).
    """

    hypergraph: Hypergraph
    x: Tensor
    y: Tensor
    num_classes: int
    train_mask: Tensor
    val_mask: Tensor
    test_mask: Tensor

    @property
    def num_nodes(self) -> int:
        """Number of nodes ``N``."""
        return self.hypergraph.num_nodes

    @property
    def num_features(self) -> int:
        """Number of node features ``F``."""
        return self.x.size(1)

    def __repr__(self) -> str:
        return (
            f"SyntheticData(num_nodes={self.num_nodes}, num_edges={self.hypergraph.num_edges}, "
            f"nnz={self.hypergraph.nnz}, num_features={self.num_features}, "
            f"num_classes={self.num_classes}, train={int(self.train_mask.sum())}, "
            f"val={int(self.val_mask.sum())}, test={int(self.test_mask.sum())})"
        )


def _split_masks(rng: np.random.Generator, num_nodes: int, train_ratio: float = 0.5,
                 val_ratio: float = 0.25) -> tuple[Tensor, Tensor, Tensor]:
    """Random train / val / test masks (sizes rounded; the test set takes the rest)."""
    perm = torch.from_numpy(rng.permutation(num_nodes))
    n_train = int(round(train_ratio * num_nodes))
    n_val = int(round(val_ratio * num_nodes))
    masks = []
    for part in (perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]):
        mask = torch.zeros(num_nodes, dtype=torch.bool)
        mask[part] = True
        masks.append(mask)
    return masks[0], masks[1], masks[2]


def _check_positive_real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"Expected '{name}' to be a float (got {C.describe(value)})")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Expected '{name}' to be a finite float >= 0 (got {value})")
    return value


def hsbm(
    num_nodes: int = 2000,
    num_classes: int = 4,
    num_edges: int = 2000,
    edge_size: SizeLike = None,
    homophily: float = 0.8,
    num_features: int = 16,
    feature_signal: float = 1.0,
    feature_noise: float = 2.5,
    seed: SeedLike = None,
) -> SyntheticData:
    r"""Hypergraph stochastic block model with a homophily knob and class-correlated features.

    * **Classes**: balanced; node ``v`` gets class ``v mod C`` before a random permutation.
    * **Hyperedges**: each hyperedge draws a size uniformly from ``edge_size``, a dominant
      class :math:`c_e` and a start class :math:`s_e \ne c_e` uniformly. Each member comes
      from :math:`c_e` with probability :math:`h` = ``homophily``; the other members take the
      classes :math:`s_e, s_e + 1, \dots` (mod ``C``) in turn, so consecutive ones differ
      (members distinct). ``homophily=1`` gives pure hyperedges; ``homophily=0`` gives
      heterophilic ones whose members all have different classes when ``|e| <= C``. The
      fraction of same-class member pairs (:func:`edge_homophily`) increases monotonically
      with ``homophily``, from near 0 to 1; a random hypergraph scores about ``1 / C``.
    * **Features**: class means :math:`\mu_c \sim \mathcal{N}(0, s^2 I_F)` with
      :math:`s` = ``feature_signal``; :math:`x_v = \mu_{y_v} + \sigma\,\varepsilon_v` with
      :math:`\sigma` = ``feature_noise`` and :math:`\varepsilon_v \sim \mathcal{N}(0, I_F)`.
      The defaults make the features alone weakly informative (a feature-only MLP reaches
      roughly 60-70 % accuracy) while averaging over homophilic hyperedges helps a lot.
    * **Split**: a random 50 / 25 / 25 train / validation / test split.

    Args:
        num_nodes: number of nodes ``N >= num_classes``.
        num_classes: number of classes ``C >= 2``.
        num_edges: number of hyperedges ``M >= 1``.
        edge_size: an int or an inclusive ``(min, max)`` range; the maximum must not exceed the
            smallest class, ``num_nodes // num_classes``. ``None`` means ``(2, 6)`` capped at
            that bound.
        homophily: probability :math:`h \in [0, 1]` that a member comes from the dominant class.
        num_features: feature dimension ``F >= 1``.
        feature_signal: scale :math:`s \ge 0` of the class means.
        feature_noise: standard deviation :math:`\sigma \ge 0` of the per-node noise.
        seed: ``None``, a non-negative int or a :class:`numpy.random.Generator`.

    Returns:
        A :class:`SyntheticData` with the hypergraph, features, labels and masks.

    Example:
        >>> data = hsbm(num_nodes=400, num_classes=4, num_edges=300, homophily=0.9, seed=0)
        >>> data.x.shape, data.num_classes, int(data.train_mask.sum()), int(data.test_mask.sum())
        (torch.Size([400, 16]), 4, 200, 100)
        >>> edge_homophily(data.hypergraph, data.y) > 0.7
        True
    """
    num_nodes = C.check_count(num_nodes, "num_nodes", minimum=1)
    num_classes = C.check_count(num_classes, "num_classes", minimum=2)
    if num_classes > num_nodes:
        raise ValueError(
            f"Expected 'num_classes' to be at most num_nodes={num_nodes} (got {num_classes})"
        )
    num_edges = C.check_count(num_edges, "num_edges", minimum=1)
    smallest = num_nodes // num_classes
    lo, hi = _size_range(edge_size, smallest, "num_nodes // num_classes", default=(2, 6))
    homophily = C.check_probability(homophily, "homophily")
    num_features = C.check_count(num_features, "num_features", minimum=1)
    feature_signal = _check_positive_real(feature_signal, "feature_signal")
    feature_noise = _check_positive_real(feature_noise, "feature_noise")
    rng = _rng(seed)

    y = rng.permutation(np.arange(num_nodes, dtype=np.int64) % num_classes)
    by_class = np.argsort(y, kind="stable")  # node ids grouped by class
    class_size = np.bincount(y, minlength=num_classes)
    class_start = np.concatenate([[0], np.cumsum(class_size)[:-1]])

    sizes = rng.integers(lo, hi + 1, num_edges)
    dominant = rng.integers(0, num_classes, num_edges)
    offset = rng.integers(0, num_classes - 1, num_edges)
    edge = np.repeat(np.arange(num_edges, dtype=np.int64), sizes)
    is_other = rng.random(edge.size) >= homophily
    # Rank of each "other" member among the other members of its hyperedge (edge is sorted).
    running = np.cumsum(is_other)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    before = np.concatenate([[0], running])[starts]
    rank = running - before[edge] - 1
    other = (dominant[edge] + 1 + (offset[edge] + rank) % num_classes) % num_classes
    member_class = np.where(is_other, other, dominant[edge])

    def draw(positions: np.ndarray) -> np.ndarray:
        cls = member_class[positions]
        return by_class[class_start[cls] + rng.integers(0, class_size[cls])]

    node = draw(np.arange(edge.size))
    # Each class holds at least max size nodes, so redrawing always terminates.
    _redraw_repeats(edge, node, num_nodes, draw)
    node, edge = _sorted(node, edge, num_nodes)

    means = rng.standard_normal((num_classes, num_features)) * feature_signal
    noise = rng.standard_normal((num_nodes, num_features)) * feature_noise
    x = torch.from_numpy((means[y] + noise).astype(np.float32))
    train_mask, val_mask, test_mask = _split_masks(rng, num_nodes)
    return SyntheticData(
        hypergraph=_hypergraph(node, edge, num_nodes, num_edges),
        x=x,
        y=torch.from_numpy(y),
        num_classes=num_classes,
        train_mask=train_mask,
        val_mask=val_mask,
        test_mask=test_mask,
    )


def edge_homophily(hg: Hypergraph, y: Tensor) -> float:
    r"""Fraction of member pairs, over all hyperedges, whose two nodes share a class.

    .. math::
        h(H, y) = \frac{\sum_e \sum_c \binom{n_{ec}}{2}}{\sum_e \binom{|e|}{2}},

    where :math:`n_{ec}` is the number of members of hyperedge :math:`e` in class :math:`c`.
    Pairs are pairs of incidences, so a hyperedge of size :math:`k` weighs
    :math:`\binom{k}{2}`; hyperedges with fewer than two members contribute nothing. A random
    hypergraph with ``C`` balanced classes scores about ``1 / C``.

    Args:
        hg: the hypergraph.
        y: ``[N]`` integer class labels (non-negative), on the hypergraph's device.

    Returns:
        The fraction in ``[0, 1]``, or ``nan`` if no hyperedge has two members.

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 1, 2, 3], [0, 0, 0, 1, 1, 1]]),
        ...                 num_nodes=4, num_edges=2)
        >>> edge_homophily(hg, torch.tensor([0, 0, 1, 1]))  # 1 + 1 same-class pairs of 6
        0.3333333333333333
    """
    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected 'hg' to be a Hypergraph (got {C.describe(hg)})")
    labels = C.to_index_tensor(y, "y", ndim=1)
    if labels.numel() != hg.num_nodes:
        raise ValueError(
            f"Expected 'y' to have shape [{hg.num_nodes}] (num_nodes={hg.num_nodes}) "
            f"(got {list(labels.shape)})"
        )
    if labels.device != hg.device:
        raise ValueError(
            f"Expected 'y' on device {hg.device} like the hypergraph (got {labels.device})"
        )
    C.check_nonnegative_ids(labels, "y")
    node, edge = hg.hyperedge_index
    width = int(labels.max()) + 1 if labels.numel() else 1
    _, counts = torch.unique(edge * width + labels[node], return_counts=True)
    same = int((counts * (counts - 1)).sum()) // 2
    size = hg.edge_size
    total = int((size * (size - 1)).sum()) // 2
    return same / total if total else float("nan")
