r"""Reproducible splits for every protocol the toolkit benchmarks.

Every function is pure: it draws from its own ``torch.Generator`` seeded with ``seed`` (never
the global RNG) and returns CPU int64 index tensors in small dataclasses.

=================================  ============================================================
protocol                           function
=================================  ============================================================
ED-HNN / AllSet 50/25/25           :func:`random_split`, :func:`random_splits` (10 runs)
LightHGNN 20 / 100 per class       :func:`per_class_split`
LightHGNN production (inductive)   :func:`inductive_split` -> :class:`InductiveSplit`
HyperGCN shipped splits            :func:`fixed_splits` (train / test only)
EHGNN 10-fold CV (fold files)      :func:`ehgnn_folds`
k-fold CV without fold files       :func:`kfold_split`
ScHoLP 80 / 20 time split          :func:`time_cutoff`, :func:`time_split`
reproducible runs                  :func:`save_splits`, :func:`load_splits`
=================================  ============================================================

Index order carries no meaning (compare splits with :meth:`Split.masks`): plain random splits
keep the permutation order of the reference code, the other splits are sorted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = [  # noqa: F822 (the folds names are re-exported lazily, see the end)
    "InductiveSplit", "Split", "ehgnn_folds", "fixed_splits", "inductive_split", "kfold_split",
    "load_splits", "per_class_split", "random_split", "random_splits", "save_splits",
    "time_cutoff", "time_split",
]

_PARTS = ("train", "val", "test")
_FORMAT, _VERSION = "hgkit-splits", 1


def _empty() -> Tensor:
    return torch.zeros(0, dtype=torch.long)


# ---------------------------------------------------------------------- validation helpers
def _generator(seed: Any) -> torch.Generator:
    return torch.Generator().manual_seed(C.check_count(seed, "seed"))


def _index(value: Any, name: str) -> Tensor:
    tensor = C.to_index_tensor(value, name, ndim=1)
    C.check_nonnegative_ids(tensor, name)
    return tensor


def _labels(y: Any, name: str = "y") -> Tensor:
    """1-D int64 CPU labels; negative labels mark unlabeled nodes."""
    return C.to_index_tensor(y, name, ndim=1).cpu()


def _is_labels(value: Any) -> bool:
    """A label vector (1-D or more) rather than a node count."""
    if isinstance(value, Tensor):
        return value.dim() >= 1
    if isinstance(value, np.ndarray):
        return value.ndim >= 1
    return isinstance(value, (list, tuple))


def _check_disjoint(parts: dict[str, Tensor], what: str = "node") -> None:
    """Raise if an id repeats inside one part or appears in two parts."""
    flat = torch.cat([t.cpu() for t in parts.values()])
    if torch.unique(flat).numel() == flat.numel():
        return
    ordered = torch.sort(flat).values
    bad = int(ordered[1:][ordered[1:] == ordered[:-1]][0])
    holders = [name for name, t in parts.items() if bool((t == bad).any())]
    if len(holders) == 1:
        raise ValueError(f"'{holders[0]}' holds {what} {bad} more than once")
    names = " and ".join(f"'{h}'" for h in holders)
    raise ValueError(f"{what.capitalize()} {bad} is in both {names}; parts must be disjoint")


def _mask(index: Tensor, size: int) -> Tensor:
    mask = torch.zeros(size, dtype=torch.bool, device=index.device)
    mask[index] = True
    return mask


# ---------------------------------------------------------------------- the Split container
@dataclass(frozen=True, eq=False)
class Split:
    """Disjoint train / validation / test index sets (node or graph ids).

    Inputs are converted to 1-D int64 tensors and checked once: non-negative ids, no repeats,
    pairwise disjoint. ``val`` may be empty (protocols without a validation set).

    Example:
        >>> s = Split([0, 3], [1], [2, 4])
        >>> s
        Split(train=2, val=1, test=2)
        >>> [m.tolist() for m in s.masks(5)][0]
        [True, False, False, True, False]
        >>> Split.from_dict(s.to_dict()) == s
        True
    """

    train: Tensor
    val: Tensor
    test: Tensor

    def __post_init__(self) -> None:
        parts = {name: _index(getattr(self, name), name) for name in _PARTS}
        if len({t.device for t in parts.values()}) > 1:
            raise ValueError("Expected 'train', 'val' and 'test' on one device (got "
                             + ", ".join(str(t.device) for t in parts.values()) + ")")
        _check_disjoint(parts, "id")
        for name, tensor in parts.items():
            object.__setattr__(self, name, tensor)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(len(train), len(val), len(test))``."""
        return (self.train.numel(), self.val.numel(), self.test.numel())

    def masks(self, num_nodes: int) -> tuple[Tensor, Tensor, Tensor]:
        """The three ``[num_nodes]`` bool masks ``(train, val, test)``."""
        num_nodes = C.check_count(num_nodes, "num_nodes")
        for name in _PARTS:
            C.check_ids_below(getattr(self, name), name, num_nodes, "num_nodes")
        return tuple(_mask(getattr(self, name), num_nodes) for name in _PARTS)  # type: ignore

    def to_dict(self) -> dict[str, Tensor]:
        """``{"train": ..., "val": ..., "test": ...}`` (plain tensors, ``torch.save``-safe)."""
        return {name: getattr(self, name) for name in _PARTS}

    @classmethod
    def from_dict(cls, parts: dict[str, Any]) -> Split:
        """Build from a dict with ``"train"`` and ``"test"`` and optionally ``"val"`` (or
        ``"valid"``, the AllSet / ED-HNN key); a missing validation set becomes empty."""
        if not isinstance(parts, dict):
            raise TypeError(f"Expected 'parts' to be a dict (got {C.describe(parts)})")
        missing = [k for k in ("train", "test") if k not in parts]
        if missing:
            raise KeyError(f"split dict lacks key '{missing[0]}' (has {sorted(parts)})")
        val = parts.get("val", parts.get("valid", _empty()))
        return cls(parts["train"], val, parts["test"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Split):
            return NotImplemented
        return all(torch.equal(getattr(self, n), getattr(other, n)) for n in _PARTS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Split(train={}, val={}, test={})".format(*self.sizes)


# ---------------------------------------------------------------------- random splits
def _apportion(counts: Tensor, total: int, capacity: Tensor) -> Tensor:
    """Largest-remainder allocation of ``total`` over classes proportional to ``counts``,
    never above ``capacity``; ties go to the smaller class index."""
    n = int(counts.sum())
    numer = counts * total
    out = torch.minimum(numer // n, capacity)
    left = total - int(out.sum())
    order = torch.sort(-(numer % n), stable=True).indices.tolist()
    assert int(capacity.sum()) >= total
    while left > 0:
        for c in order:
            if left and out[c] < capacity[c]:
                out[c] += 1
                left -= 1
    return out


def _draw(labeled: Tensor, y: Tensor | None, n_train: int, n_val: int, stratify: bool,
          gen: torch.Generator) -> Split:
    n = labeled.numel()
    if not stratify:
        perm = labeled[torch.randperm(n, generator=gen)]
        return Split(perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:])
    assert y is not None
    classes, counts = torch.unique(y, return_counts=True)
    n_tr = _apportion(counts, n_train, counts)
    n_va = _apportion(counts, n_val, counts - n_tr)
    parts: list[list[Tensor]] = [[], [], []]
    for c, size, a, b in zip(classes.tolist(), counts.tolist(), n_tr.tolist(), n_va.tolist(),
                             strict=True):
        members = labeled[y == c][torch.randperm(size, generator=gen)]
        chunks = (members[:a], members[a:a + b], members[a + b:])
        for part, chunk in zip(parts, chunks, strict=True):
            part.append(chunk)
    return Split(*(torch.sort(torch.cat(p)).values for p in parts))


def random_splits(num_nodes_or_y: int | Tensor, num_splits: int = 10, train: float = 0.5,
                  val: float = 0.25, seed: int = 0, stratify: bool = False) -> list[Split]:
    r"""``num_splits`` random splits drawn one after another from one generator.

    This is ED-HNN's protocol (``train.py``: ten splits drawn sequentially after
    ``torch.manual_seed(0)``, one per run); split ``i`` depends on ``seed`` and ``i`` only, and
    ``random_splits(..., seed=s)[0] == random_split(..., seed=s)``. See :func:`random_split`
    for the procedure.

    Example:
        >>> [s.sizes for s in random_splits(10, num_splits=2, seed=0)]
        [(5, 2, 3), (5, 2, 3)]
    """
    num_splits = C.check_count(num_splits, "num_splits", minimum=1)
    train = C.check_probability(train, "train")
    val = C.check_probability(val, "val")
    if train + val > 1.0:
        raise ValueError(f"Expected 'train' + 'val' <= 1 (got {train} + {val} = {train + val})")
    if not isinstance(stratify, bool):
        raise TypeError(f"Expected 'stratify' to be a bool (got {C.describe(stratify)})")
    gen = _generator(seed)
    y = None
    if _is_labels(num_nodes_or_y):
        y = _labels(num_nodes_or_y, "num_nodes_or_y")
        labeled = torch.nonzero(y >= 0).flatten()
        y = y[labeled]
    else:
        labeled = torch.arange(C.check_count(num_nodes_or_y, "num_nodes_or_y"))
        if stratify:
            raise ValueError("'stratify=True' needs labels: pass 'y' as 'num_nodes_or_y' "
                             "(got a node count)")
    n = labeled.numel()
    n_train, n_val = int(n * train), int(n * val)
    if n == 0:
        return [Split(_empty(), _empty(), _empty()) for _ in range(num_splits)]
    return [_draw(labeled, y, n_train, n_val, stratify, gen) for _ in range(num_splits)]


def random_split(num_nodes_or_y: int | Tensor, train: float = 0.5, val: float = 0.25,
                 seed: int = 0, stratify: bool = False) -> Split:
    r"""A uniformly random train / validation / test split (ED-HNN / AllSet, 50/25/25).

    Procedure (ED-HNN ``utils.rand_train_test_idx`` with ``balance=False``, AllSet
    ``preprocessing.rand_train_test_idx``): over the :math:`n` labeled nodes (all nodes when a
    count is given; with labels ``y``, nodes with ``y < 0`` are unlabeled and left out, as in
    AllSet's ``ignore_negative``),

    .. math::
        n_\text{train} = \lfloor n \cdot \text{train} \rfloor,\quad
        n_\text{val} = \lfloor n \cdot \text{val} \rfloor,\quad
        n_\text{test} = n - n_\text{train} - n_\text{val},

    computed as Python ``int(n * train)`` in floating point exactly as the reference code
    (so ``int(100 * 0.57) = 56``); then one permutation ``perm = torch.randperm(n)`` and
    ``train = perm[:n_train]``, ``val = perm[n_train:n_train + n_val]``, ``test`` = the rest.
    There is no class balancing. With ``seed=s`` the result equals ED-HNN's first split after
    ``torch.manual_seed(s)`` (AllSet draws with ``np.random`` and sets no seed, so its splits
    cannot be reproduced bit for bit).

    ``stratify=True`` (an extension, not in either paper) keeps the same three sizes but
    allocates them over classes by largest remainders: class :math:`c` with :math:`n_c` nodes
    gets :math:`\lfloor n_c n_\text{train}/n \rfloor` or one more train nodes, then the
    validation nodes are allocated the same way from what is left; within a class the members
    are drawn by ``randperm``. Stratified parts are returned sorted.

    Args:
        num_nodes_or_y: a node count, or ``[N]`` integer labels (``-1`` = unlabeled).
        train: training fraction in ``[0, 1]``.
        val: validation fraction; ``train + val <= 1``.
        seed: seed of the generator.
        stratify: keep class proportions (needs labels).

    Returns:
        A :class:`Split`.

    Example:
        >>> s = random_split(10, seed=0)
        >>> s.sizes
        (5, 2, 3)
        >>> s == random_split(10, seed=0)
        True
        >>> y = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
        >>> s = random_split(y, stratify=True)
        >>> torch.bincount(y[s.train]).tolist(), torch.bincount(y[s.val]).tolist()
        ([2, 2], [1, 1])
    """
    return random_splits(num_nodes_or_y, 1, train, val, seed, stratify)[0]


def per_class_split(y: Tensor, train_per_class: int = 20, val_per_class: int = 100,
                    seed: int = 0, test_per_class: int | None = None) -> Split:
    r"""A fixed number of train / validation nodes per class (LightHGNN, DHG ``split_by_num``).

    For every class :math:`c` in increasing label order, its members (ascending ids) are
    shuffled with ``randperm``; the first ``train_per_class`` go to train, the next
    ``val_per_class`` to validation and the rest (or the next ``test_per_class``) to test. A
    class with fewer members simply fills train first, then validation (the slicing of the
    reference); nodes with ``y < 0`` are unlabeled and left out. LightHGNN uses 20 / 100 and
    the rest as test (``trans_train.py``; seeds 0..4). DHG shuffles with Python's ``random``,
    so its exact draws cannot be reproduced here; the distribution is the same.

    Args:
        y: ``[N]`` integer labels.
        train_per_class: training nodes per class.
        val_per_class: validation nodes per class.
        seed: seed of the generator.
        test_per_class: test nodes per class; ``None`` keeps all the remaining nodes.

    Returns:
        A :class:`Split` with sorted parts.

    Example:
        >>> y = torch.tensor([0, 1, 0, 1, 0, 1, 0, 1, 1])
        >>> s = per_class_split(y, train_per_class=1, val_per_class=2)
        >>> s.sizes, torch.bincount(y[s.train]).tolist(), torch.bincount(y[s.test]).tolist()
        ((2, 4, 3), [1, 1], [1, 2])
    """
    y = _labels(y)
    a = C.check_count(train_per_class, "train_per_class")
    b = C.check_count(val_per_class, "val_per_class")
    t = None if test_per_class is None else C.check_count(test_per_class, "test_per_class")
    gen = _generator(seed)
    parts: list[list[Tensor]] = [[], [], []]
    for c in torch.unique(y[y >= 0]).tolist():
        members = torch.nonzero(y == c).flatten()
        members = members[torch.randperm(members.numel(), generator=gen)]
        stop = None if t is None else a + b + t
        for part, chunk in zip(parts, (members[:a], members[a:a + b], members[a + b:stop]),
                               strict=True):
            part.append(chunk)
    return Split(*(torch.sort(torch.cat(p)).values if p else _empty() for p in parts))


# ---------------------------------------------------------------------- shipped splits
def fixed_splits(data: HypergraphData, val_from_train: float | None = None,
                 seed: int = 0) -> list[Split]:
    r"""The splits shipped with a dataset (HyperGCN's ten ``splits/k.pickle``).

    HyperGCN's splits have **no validation set**: their ``val`` is empty, and a model trained
    on them can only be selected on the training data or at a fixed epoch. With
    ``val_from_train=f`` a validation set of :math:`\lfloor f \cdot |\text{train}| \rfloor`
    nodes is carved out of each training set by a seeded permutation (the splits are drawn
    one after another from one generator); the test set is never touched. Splits that ship a
    validation set keep it (then ``val_from_train`` must be ``None``).

    Args:
        data: a dataset whose ``splits`` holds dicts of ``"train"`` / ``"test"`` (and
            optionally ``"val"``) node ids.
        val_from_train: fraction of each training set moved to validation, in ``[0, 1)``.
        seed: seed of the generator (used only with ``val_from_train``).

    Example:
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=6, num_edges=1)
        >>> data = HypergraphData(hg, splits=[{"train": torch.tensor([0, 1, 2, 3]),
        ...                                    "test": torch.tensor([4, 5])}])
        >>> fixed_splits(data), fixed_splits(data, val_from_train=0.5)
        ([Split(train=4, val=0, test=2)], [Split(train=2, val=2, test=2)])
    """
    if not isinstance(data, HypergraphData):
        raise TypeError(f"Expected 'data' to be a HypergraphData (got {C.describe(data)})")
    if not data.splits:
        raise ValueError(f"dataset {data.name!r} ships no fixed splits ('data.splits' is "
                         "empty); draw random ones with random_split or per_class_split")
    frac = None if val_from_train is None else C.check_probability(val_from_train,
                                                                    "val_from_train")
    if frac is not None and frac >= 1.0:
        raise ValueError(f"Expected 'val_from_train' to be < 1 (got {frac})")
    gen = _generator(seed)
    out = []
    for i, parts in enumerate(data.splits):
        try:
            split = Split.from_dict(parts)
            split.masks(data.num_nodes)
        except (KeyError, ValueError, IndexError, TypeError) as exc:
            raise type(exc)(f"data.splits[{i}]: {exc}") from None
        if frac is not None:
            if split.val.numel():
                raise ValueError(f"data.splits[{i}] already has a validation set; "
                                 "leave 'val_from_train' as None")
            perm = split.train[torch.randperm(split.train.numel(), generator=gen)]
            k = int(split.train.numel() * frac)
            split = Split(torch.sort(perm[k:]).values, torch.sort(perm[:k]).values, split.test)
        out.append(split)
    return out


# ---------------------------------------------------------------------- inductive split
@dataclass(frozen=True, eq=False)
class InductiveSplit:
    """LightHGNN's production setting: observed and unobserved (inductive) test nodes.

    Attributes:
        train, val: training and validation nodes (observed).
        test_observed: test nodes seen during training (features and incidences), without
            labels: the transductive part ("trans" accuracy).
        test_unobserved: test nodes removed from training entirely ("ind" accuracy);
            "prod" accuracy is over both test parts with the full hypergraph.
        num_nodes: number of nodes of the full hypergraph.

    Example:
        >>> s = inductive_split(Split([0, 1], [2], [3, 4, 5, 6]), 7, unobserved_fraction=0.5)
        >>> s
        InductiveSplit(train=2, val=1, test_observed=2, test_unobserved=2, num_nodes=7)
        >>> s.observed.numel(), s.observed_split().sizes
        (5, (2, 1, 2))
    """

    train: Tensor
    val: Tensor
    test_observed: Tensor
    test_unobserved: Tensor
    num_nodes: int

    _FIELDS = ("train", "val", "test_observed", "test_unobserved")

    def __post_init__(self) -> None:
        n = C.check_count(self.num_nodes, "num_nodes")
        parts = {name: _index(getattr(self, name), name).cpu() for name in self._FIELDS}
        for name, tensor in parts.items():
            C.check_ids_below(tensor, name, n, "num_nodes")
            object.__setattr__(self, name, tensor)
        _check_disjoint(parts)
        object.__setattr__(self, "num_nodes", n)

    @property
    def observed(self) -> Tensor:
        """Observed nodes, ``cat(train, val, test_observed)`` (LightHGNN's ``obs_idx``)."""
        return torch.cat([self.train, self.val, self.test_observed])

    @property
    def observed_mask(self) -> Tensor:
        """``[num_nodes]`` bool mask of the observed nodes."""
        return _mask(self.observed, self.num_nodes)

    def masks(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``[num_nodes]`` bool masks ``(train, val, test_observed, test_unobserved)``."""
        return tuple(_mask(getattr(self, f), self.num_nodes) for f in self._FIELDS)  # type: ignore

    def observed_split(self) -> Split:
        """The split in the ids of :meth:`training_hypergraph` (observed nodes renumbered
        ``0, 1, ...`` in increasing original id); ``test`` = the observed test nodes."""
        order = torch.sort(self.observed).values
        return Split(*(torch.searchsorted(order, getattr(self, f)) for f in self._FIELDS[:3]))

    def training_hypergraph(self, hg: Hypergraph, isolated_self_loops: bool = False
                            ) -> tuple[Hypergraph, Tensor]:
        """The hypergraph seen during training: ``hg`` restricted to the observed nodes.

        Every hyperedge keeps its observed members and is dropped if none remain (weights and
        attributes follow; :func:`~hgkit.hypergraph.transforms.subhypergraph`); unobserved
        nodes and all their incidences are gone. Observed nodes are renumbered in increasing
        original id (LightHGNN orders them train, val, test instead; only ids differ).

        Args:
            hg: the full hypergraph (``num_nodes`` nodes).
            isolated_self_loops: append a singleton hyperedge for every observed node left
                isolated (LightHGNN's ``fix_iso_v``, applied before training the teacher).

        Returns:
            ``(sub_hg, node_map)``: ``node_map[i]`` is the original id of node ``i``.
        """
        from hgkit.hypergraph.transforms import add_self_loops, subhypergraph

        if not isinstance(hg, Hypergraph):
            raise TypeError(f"Expected 'hg' to be a Hypergraph (got {C.describe(hg)})")
        if hg.num_nodes != self.num_nodes:
            raise ValueError(f"'hg' has {hg.num_nodes} nodes but the split was made for "
                             f"num_nodes={self.num_nodes}")
        if not isinstance(isolated_self_loops, bool):
            raise TypeError(f"Expected 'isolated_self_loops' to be a bool "
                            f"(got {C.describe(isolated_self_loops)})")
        sub, node_map, _ = subhypergraph(hg, nodes=self.observed.to(hg.device))
        if isolated_self_loops:
            covered = torch.bincount(sub.hyperedge_index[0], minlength=sub.num_nodes) > 0
            keep = torch.cat([torch.ones(sub.num_edges, dtype=torch.bool, device=hg.device),
                              ~covered])
            sub, _, _ = subhypergraph(add_self_loops(sub), edges=keep, drop_empty=False)
        return sub, node_map

    def to_dict(self) -> dict[str, Tensor]:
        """The four index sets as plain tensors."""
        return {f: getattr(self, f) for f in self._FIELDS}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{f}={getattr(self, f).numel()}" for f in self._FIELDS)
        return f"InductiveSplit({sizes}, num_nodes={self.num_nodes})"


def inductive_split(split: Split, num_nodes: int, unobserved_fraction: float = 0.9,
                    seed: int = 0) -> InductiveSplit:
    r"""Hide part of the test nodes for LightHGNN's production (inductive) setting.

    Procedure (LightHGNN ``utils.product_split``): the test nodes in increasing id are shuffled
    with ``randperm`` and the first :math:`\lfloor |\text{test}| \cdot r \rfloor` become
    unobserved (:math:`V_\text{ind}`); the rest stay observed. Train and validation are
    unchanged. :math:`r` = ``test_ind_ratio`` = 0.9 in LightHGNN's ``prod_config.yaml`` (the
    default here; the paper's value is unverified, GLNN's production setting uses 0.2).

    Args:
        split: the base split (LightHGNN: :func:`per_class_split` 20 / 100).
        num_nodes: number of nodes of the full hypergraph.
        unobserved_fraction: the ratio :math:`r` in ``[0, 1]``.
        seed: seed of the generator.

    Example:
        >>> s = inductive_split(Split([0], [1], [2, 3, 4, 5]), 6, unobserved_fraction=0.75)
        >>> s.test_observed.numel(), s.test_unobserved.numel()
        (1, 3)
    """
    if not isinstance(split, Split):
        raise TypeError(f"Expected 'split' to be a Split (got {C.describe(split)})")
    num_nodes = C.check_count(num_nodes, "num_nodes")
    r = C.check_probability(unobserved_fraction, "unobserved_fraction")
    split.masks(num_nodes)  # ids < num_nodes
    test = torch.sort(split.test.cpu()).values
    perm = test[torch.randperm(test.numel(), generator=_generator(seed))]
    k = int(test.numel() * r)
    return InductiveSplit(split.train.cpu(), split.val.cpu(), perm[k:], perm[:k], num_nodes)


# ---------------------------------------------------------------------- save / load
def _encode(splits: Any, name: str) -> list[dict[str, Tensor]]:
    if not isinstance(splits, (list, tuple)) or not all(isinstance(s, Split) for s in splits):
        raise TypeError(f"Expected '{name}' to be a list of Split (got {C.describe(splits)})")
    return [{k: v.cpu().clone() for k, v in s.to_dict().items()} for s in splits]


def save_splits(splits: list[Split] | dict[str, list[Split]], path: str | os.PathLike) -> None:
    """Save a list of splits, or a dict ``name -> list of splits``, with :func:`torch.save`.

    The file holds only plain tensors, strings and ints (safe for
    ``torch.load(weights_only=True)``) and is written to a temporary file then renamed, so a
    partial file never appears.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "splits.pt"
        >>> save_splits({"cora": random_splits(10, 2)}, path)
        >>> load_splits(path)["cora"] == random_splits(10, 2)
        True
    """
    if isinstance(splits, dict):
        bad = [k for k in splits if not isinstance(k, str)]
        if bad:
            raise TypeError(f"Expected the keys of 'splits' to be str (got {bad[0]!r})")
        body: Any = {k: _encode(v, f"splits[{k!r}]") for k, v in splits.items()}
    else:
        body = _encode(splits, "splits")
    path = Path(path)
    payload = {"format": _FORMAT, "version": _VERSION, "splits": body}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(payload, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _decode(entries: Any, where: str, path: Path) -> list[Split]:
    if not isinstance(entries, list):
        raise ValueError(f"{path}: {where} should be a list of splits (got "
                         f"{C.describe(entries)})")
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != set(_PARTS):
            keys = sorted(entry) if isinstance(entry, dict) else C.describe(entry)
            raise ValueError(f"{path}: {where}[{i}] should be a dict with keys "
                             f"{list(_PARTS)} (got {keys})")
        if not all(isinstance(v, Tensor) for v in entry.values()):
            raise ValueError(f"{path}: {where}[{i}] should hold tensors")
        try:
            out.append(Split(entry["train"], entry["val"], entry["test"]))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {where}[{i}]: {exc}") from None
    return out


def load_splits(path: str | os.PathLike) -> list[Split] | dict[str, list[Split]]:
    """Load splits written by :func:`save_splits` (``torch.load(weights_only=True)``).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not a splits file or its content is malformed (the message
            names the file and the entry).

    Example:
        >>> import tempfile, pathlib
        >>> from hgkit.datasets.splits import kfold_split
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "folds.pt"
        >>> save_splits(kfold_split(6, k=3), path)
        >>> [s.sizes for s in load_splits(path)]
        [(2, 2, 2), (2, 2, 2), (2, 2, 2)]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"splits file not found: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling errors of many kinds
        raise ValueError(f"{path}: not a readable splits file ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"{path}: not an hgkit splits file (missing format {_FORMAT!r})")
    if payload.get("version") != _VERSION:
        raise ValueError(f"{path}: unsupported splits file version {payload.get('version')!r}"
                         f" (expected {_VERSION})")
    body = payload.get("splits")
    if isinstance(body, dict):
        return {str(k): _decode(v, f"splits[{k!r}]", path) for k, v in body.items()}
    return _decode(body, "splits", path)


# The folds and the temporal split live in folds.py (kept separate for size) and are
# re-exported here lazily: folds.py imports this module, so an eager import at the bottom made
# ``import hgkit.datasets.folds`` fail when it ran first (a circular import).
_FOLDS = ("ehgnn_folds", "kfold_split", "time_cutoff", "time_split")


def __getattr__(name: str) -> Any:
    if name in _FOLDS:
        from hgkit.datasets import folds

        return getattr(folds, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
