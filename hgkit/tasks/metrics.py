r"""Ranking metrics for link and hyperedge prediction.

* :func:`auroc` and :func:`average_precision` take ``(y_true, y_score)`` with the semantics
  of :func:`sklearn.metrics.roc_auc_score` and :func:`sklearn.metrics.average_precision_score`
  (AP is the step-wise, tie-grouped sum :math:`\sum_n (R_n - R_{n-1}) P_n`, not a trapezoid;
  ScHoLP and AHP use it).
* :func:`hits_at_k` and :func:`mrr` take the scores of the positives and of the negatives.
  ``neg`` may be a 1-D **shared pool** (every positive is ranked against all negatives) or a
  2-D ``[P, K]`` array of **each positive's own negatives** (row ``i`` belongs to positive
  ``i``, OGB style). The rank of a positive is the tie-averaged
  :math:`r = 1 + \#\{n: s_n > s_p\} + \tfrac12 \#\{n: s_n = s_p\}` (the mean of OGB's
  optimistic and pessimistic ranks), so constant scores give neither a perfect nor a zero
  score. ``hits@k`` is the fraction of positives with :math:`r \le k`, ``mrr`` the mean of
  :math:`1/r`.

Inputs may be lists, numpy arrays or tensors (detached and moved to the CPU); scores must be
finite.

Example:
    >>> auroc([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3])
    1.0
    >>> round(average_precision([1, 0, 1, 0], [0.9, 0.85, 0.2, 0.3]), 4)
    0.75
    >>> hits_at_k([3.0, 1.0], [2.0, 0.0, 0.5], k=1)  # ranks 1 and 2
    0.5
    >>> mrr([3.0, 1.0], [2.0, 0.0, 0.5])
    0.75
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["auroc", "average_precision", "hits_at_k", "mrr", "ranks"]


def _array(value: Any, name: str, ndim: tuple[int, ...] = (1,)) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"Expected '{name}' to be a numeric array (got "
                        f"{type(value).__name__})") from None
    if arr.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"Expected '{name}' to be {want} (got shape {list(arr.shape)})")
    if not np.isfinite(arr).all():
        raise ValueError(f"Expected '{name}' to hold finite values (got NaN or inf)")
    return arr


def _binary(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    y = _array(y_true, "y_true")
    s = _array(y_score, "y_score")
    if y.shape != s.shape:
        raise ValueError(f"'y_true' has {y.size} entries but 'y_score' has {s.size}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("Expected 'y_true' to hold only 0/1 (or False/True) labels (got "
                         f"{sorted(set(np.unique(y).tolist()) - {0.0, 1.0})[:3]})")
    if y.size == 0 or y.min() == y.max():
        raise ValueError("Expected 'y_true' to contain both positives and negatives (got "
                         f"{int(y.sum())} positives of {y.size})")
    return y.astype(np.int64), s


def auroc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve (:func:`sklearn.metrics.roc_auc_score`; ties count one half).

    Raises:
        ValueError: on shape mismatch, labels other than 0/1, a single class or a
            non-finite score.

    Example:
        >>> auroc([1, 0], [0.5, 0.5])
        0.5
    """
    from sklearn.metrics import roc_auc_score

    y, s = _binary(y_true, y_score)
    return float(roc_auc_score(y, s))


def average_precision(y_true: Any, y_score: Any) -> float:
    """Average precision (:func:`sklearn.metrics.average_precision_score`, step-wise).

    Example:
        >>> average_precision([0, 1], [0.2, 0.7])
        1.0
    """
    from sklearn.metrics import average_precision_score

    y, s = _binary(y_true, y_score)
    return float(average_precision_score(y, s))


def ranks(pos: Any, neg: Any) -> np.ndarray:
    """Tie-averaged rank of every positive among the negatives (see the module docstring).

    Args:
        pos: ``[P]`` scores of the positives.
        neg: ``[K]`` shared pool, or ``[P, K]`` negatives of each positive.

    Returns:
        ``[P]`` float64 ranks, 1 = above every negative.

    Example:
        >>> ranks([1.0, 0.0], [[0.5, 2.0], [0.0, -1.0]]).tolist()
        [2.0, 1.5]
    """
    p = _array(pos, "pos")
    n = _array(neg, "neg", ndim=(1, 2))
    if p.size == 0:
        raise ValueError("Expected 'pos' to hold at least one score (got none)")
    if n.shape[-1] == 0:
        raise ValueError("Expected 'neg' to hold at least one score per positive (got none)")
    if n.ndim == 2:
        if n.shape[0] != p.size:
            raise ValueError(f"'neg' has {n.shape[0]} rows but 'pos' has {p.size} entries "
                             "(a 2-D 'neg' holds each positive's own negatives)")
        above = (n > p[:, None]).sum(1)
        ties = (n == p[:, None]).sum(1)
    else:
        srt = np.sort(n)
        above = srt.size - np.searchsorted(srt, p, side="right")
        ties = np.searchsorted(srt, p, side="right") - np.searchsorted(srt, p, side="left")
    return 1.0 + above + 0.5 * ties


def hits_at_k(pos: Any, neg: Any, k: int = 10) -> float:
    """Fraction of positives ranked within the top ``k`` against the negatives.

    Example:
        >>> hits_at_k([1.0, 0.2], [[0.5], [0.9]], k=1)
        0.5
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"Expected 'k' to be a positive int (got {k!r})")
    return float((ranks(pos, neg) <= k).mean())


def mrr(pos: Any, neg: Any) -> float:
    """Mean reciprocal rank of the positives against the negatives.

    Example:
        >>> mrr([1.0], [[2.0, 3.0]])
        0.3333333333333333
    """
    return float((1.0 / ranks(pos, neg)).mean())
