"""Cross-validation folds and the temporal split (re-exported by :mod:`hgkit.datasets.splits`).

* :func:`ehgnn_folds`: EHGNN's shipped 10 folds with the previous fold as validation.
* :func:`kfold_split`: seeded (stratified) k-fold for datasets without fold files.
* :func:`time_cutoff`, :func:`time_split`: the ScHoLP 80 / 20 split by timestamp quantile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from hgkit.datasets.data import GraphDataset, TemporalHypergraph
from hgkit.datasets.splits import Split, _empty, _index, _labels
from hgkit.hypergraph import _checks as C

__all__ = ["ehgnn_folds", "kfold_split", "time_cutoff", "time_split"]


def _rotate(trains: list[Tensor], tests: list[Tensor], num_items: int) -> list[Split]:
    """EHGNN: test = fold k, val = test of fold k-1 (cyclic), train = train_k minus val."""
    k = len(trains)
    out = []
    for i in range(k):
        val = tests[(i - 1) % k]
        train = torch.from_numpy(np.setdiff1d(trains[i].numpy(), val.numpy())).long()
        covered = torch.unique(torch.cat([train, val, tests[i]]))
        if covered.numel() != num_items:
            raise ValueError(f"fold {i + 1}: train, validation (test of fold {(i - 1) % k + 1})"
                             f" and test cover {covered.numel()} of {num_items} graphs")
        try:
            out.append(Split(train, val, tests[i]))
        except ValueError as exc:
            raise ValueError(f"fold {i + 1} (validation = test of fold {(i - 1) % k + 1}): "
                             f"{exc}") from None
    return out


def ehgnn_folds(dataset: GraphDataset) -> list[Split]:
    r"""EHGNN's 10-fold cross-validation from the shipped fold files.

    ``dataset.folds[i]`` is fold :math:`k = i + 1` (``train_idx-k`` / ``test_idx-k``). For
    fold :math:`k`: test = ``test_idx-k``, validation = ``test_idx-(k-1)`` (fold 1 uses fold
    :math:`K`, i.e. fold 10), train = ``train_idx-k`` minus validation (``np.setdiff1d``:
    sorted). Each fold must cover every graph (EHGNN asserts it; note that its test folds need
    not partition the graphs: MUTAG's ten test folds of 18 leave 8 graphs always in train).

    Example:
        >>> ds = GraphDataset(torch.zeros(2, 0, dtype=torch.long), torch.arange(4),
        ...     torch.tensor([0, 1, 0, 1]), 2, folds=[
        ...     {"train": torch.tensor([2, 3]), "test": torch.tensor([0, 1])},
        ...     {"train": torch.tensor([0, 1]), "test": torch.tensor([2, 3])}])
        >>> [s.to_dict()["val"].tolist() for s in ehgnn_folds(ds)]
        [[2, 3], [0, 1]]
    """
    if not isinstance(dataset, GraphDataset):
        raise TypeError(f"Expected 'dataset' to be a GraphDataset (got {C.describe(dataset)})")
    if len(dataset.folds) < 2:
        raise ValueError(f"Expected 'dataset.folds' to hold >= 2 folds (got "
                         f"{len(dataset.folds)}); without fold files use kfold_split")
    trains, tests = [], []
    for i, fold in enumerate(dataset.folds):
        for key, dest in (("train", trains), ("test", tests)):
            if key not in fold:
                raise KeyError(f"dataset.folds[{i}] lacks key '{key}'")
            ids = _index(fold[key], f"dataset.folds[{i}]['{key}']").cpu()
            C.check_ids_below(ids, f"dataset.folds[{i}]['{key}']", dataset.num_graphs,
                              "num_graphs")
            dest.append(ids)
    return _rotate(trains, tests, dataset.num_graphs)


def kfold_split(num_items: int, k: int = 10, seed: int = 0, stratify_y: Tensor | None = None,
                previous_fold_val: bool = True) -> list[Split]:
    r"""Shuffled (stratified) k-fold cross-validation for datasets without fold files.

    Folds come from :class:`sklearn.model_selection.StratifiedKFold` (with ``stratify_y``)
    or :class:`~sklearn.model_selection.KFold`, ``shuffle=True, random_state=seed`` (its own
    NumPy ``RandomState``; the global RNG is untouched). With ``previous_fold_val=True``
    (default) validation follows EHGNN's rule (:func:`ehgnn_folds`): fold :math:`k` validates
    on the test fold of :math:`k-1`; otherwise ``val`` is empty.

    Args:
        num_items: number of graphs (or nodes).
        k: number of folds, ``2 <= k <= num_items``.
        seed: ``random_state`` of the splitter.
        stratify_y: optional ``[num_items]`` integer labels to stratify on.
        previous_fold_val: carve validation as EHGNN does.

    Example:
        >>> folds = kfold_split(10, k=5)
        >>> [f.sizes for f in folds][:2]
        [(6, 2, 2), (6, 2, 2)]
        >>> [f.sizes for f in kfold_split(10, k=5, previous_fold_val=False)][0]
        (8, 0, 2)
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    n = C.check_count(num_items, "num_items", minimum=2)
    k = C.check_count(k, "k", minimum=2)
    if k > n:
        raise ValueError(f"Expected 'k' <= num_items={n} (got {k})")
    seed = C.check_count(seed, "seed")
    if stratify_y is None:
        splitter: Any = KFold(n_splits=k, shuffle=True, random_state=seed)
        labels = np.zeros(n, dtype=np.int64)
    else:
        labels = _labels(stratify_y, "stratify_y").numpy()
        if labels.shape[0] != n:
            raise ValueError(f"Expected 'stratify_y' to have {n} entries (num_items={n}) "
                             f"(got {labels.shape[0]})")
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    pairs = list(splitter.split(np.zeros((n, 1)), labels))
    trains = [torch.from_numpy(tr).long() for tr, _ in pairs]
    tests = [torch.from_numpy(te).long() for _, te in pairs]
    if previous_fold_val:
        return _rotate(trains, tests, n)
    return [Split(tr, _empty(), te) for tr, te in zip(trains, tests, strict=True)]


# ---------------------------------------------------------------------- temporal split
def time_cutoff(times: Tensor, fraction: float) -> int:
    r"""ScHoLP's cutoff time: :math:`t_q = \mathrm{round}(\mathrm{quantile}(t, q))`.

    The quantile interpolates linearly (Julia's ``quantile`` = NumPy's default ``"linear"``)
    and is rounded half to even (Julia ``round``), as in ``ScHoLP.jl`` ``split_data``.

    Example:
        >>> time_cutoff(torch.tensor([1, 2, 3, 4, 5, 6]), 0.8)  # quantile 5.0
        5
        >>> time_cutoff(torch.tensor([0, 1]), 0.5)  # 0.5 rounds to the even 0
        0
    """
    times = _labels(times, "times")
    fraction = C.check_probability(fraction, "fraction")
    if times.numel() == 0:
        raise ValueError("Expected 'times' to be non-empty (got 0 timestamps)")
    value = np.quantile(times.numpy().astype(np.float64), fraction)
    return int(np.round(value))


def time_split(temporal: TemporalHypergraph, train_fraction: float = 0.8,
               end_fraction: float = 1.0) -> tuple[Tensor, Tensor]:
    r"""ScHoLP's temporal split of the timestamped simplices into OLD (train) and NEW (test).

    With :math:`t_1 =` :func:`time_cutoff` ``(times, train_fraction)``: OLD = simplices with
    :math:`t \le t_1` (every simplex *at* the cutoff time is old, so OLD may hold more than
    ``train_fraction`` of them) and NEW = simplices with :math:`t_1 < t \le t_2`, where
    :math:`t_2` is the cutoff of ``end_fraction`` (or :math:`+\infty` when ``end_fraction=1``).
    ``time_split(th, 0.8)`` is the 80/20 evaluation split; ``time_split(th, 0.6, 0.8)`` is
    the training split of the supervised model.

    Args:
        temporal: the timestamped simplices.
        train_fraction: quantile of the OLD cutoff.
        end_fraction: quantile of the NEW cutoff, ``>= train_fraction``.

    Returns:
        ``(train_mask, test_mask)``, two ``[S]`` bool masks over simplices (use
        ``temporal.to_hypergraph(mask=...)`` for the hypergraphs).

    Example:
        >>> th = TemporalHypergraph(torch.tensor([2, 2, 2, 2, 2]),
        ...     torch.tensor([0, 1, 1, 2, 0, 2, 0, 3, 1, 3]), torch.tensor([1, 2, 3, 3, 5]), 4)
        >>> [m.tolist() for m in time_split(th, 0.5)]  # cutoff 3: both simplices at t=3 old
        [[True, True, True, True, False], [False, False, False, False, True]]
    """
    if not isinstance(temporal, TemporalHypergraph):
        raise TypeError(f"Expected 'temporal' to be a TemporalHypergraph "
                        f"(got {C.describe(temporal)})")
    lo = C.check_probability(train_fraction, "train_fraction")
    hi = C.check_probability(end_fraction, "end_fraction")
    if hi < lo:
        raise ValueError(f"Expected 'end_fraction' >= train_fraction={lo} (got {hi})")
    times = temporal.times
    if times.numel() == 0:
        raise ValueError("Expected 'temporal' to hold at least one simplex (got 0)")
    t1 = time_cutoff(times, lo)
    old = times <= t1
    new = times > t1
    if hi < 1.0:
        new &= times <= time_cutoff(times, hi)
    return old, new
