"""Ranking metrics: sklearn agreement, hand-computed ranks, ties and input errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from hgkit.tasks.metrics import auroc, average_precision, hits_at_k, mrr, ranks


def test_auroc_and_ap_match_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = rng.integers(0, 5, 200).astype(float)  # many ties
    assert auroc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))


def test_ap_is_stepwise_not_trapezoid():
    # ranking: +, -, +: precision at the positives 1 and 2/3 -> AP = (1 + 2/3) / 2
    assert average_precision([1, 0, 1], [0.9, 0.8, 0.7]) == pytest.approx(5 / 6)


def test_accepts_tensors_and_bools():
    y = torch.tensor([True, False, True, False])
    s = torch.tensor([0.9, 0.1, 0.2, 0.3], requires_grad=True)
    assert auroc(y, s) == pytest.approx(0.75)


def test_ranks_shared_pool_and_own_negatives_by_hand():
    assert ranks([5.0, 1.0, 2.0], [4.0, 2.0, 0.0]).tolist() == [1.0, 3.0, 2.5]
    assert ranks([1.0, 1.0], [[2.0, 0.0], [1.0, 1.0]]).tolist() == [2.0, 2.0]


def test_hits_and_mrr_by_hand():
    pos, neg = [5.0, 1.0, 2.0], [4.0, 2.0, 0.0]  # ranks 1, 3, 2.5
    assert hits_at_k(pos, neg, k=1) == pytest.approx(1 / 3)
    assert hits_at_k(pos, neg, k=3) == pytest.approx(1.0)
    assert mrr(pos, neg) == pytest.approx((1 + 1 / 3 + 1 / 2.5) / 3)


def test_constant_scores_are_neither_perfect_nor_zero():
    assert mrr([0.0, 0.0], [0.0, 0.0, 0.0]) == pytest.approx(1 / 2.5)
    assert auroc([1, 0], [0.3, 0.3]) == 0.5


@pytest.mark.parametrize("y,s,match", [
    ([1, 1], [0.1, 0.2], "both positives and negatives"),
    ([1, 0, 2], [0.1, 0.2, 0.3], "only 0/1"),
    ([1, 0], [0.1], "'y_true' has 2 entries but 'y_score' has 1"),
    ([1, 0], [0.1, float("nan")], "finite"),
    ([[1, 0]], [[0.1, 0.2]], "1-D"),
])
def test_binary_metric_errors(y, s, match):
    with pytest.raises(ValueError, match=match):
        auroc(y, s)
    with pytest.raises(ValueError, match=match):
        average_precision(y, s)


def test_ranking_errors():
    with pytest.raises(ValueError, match="'neg' has 1 rows but 'pos' has 2"):
        mrr([1.0, 2.0], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="at least one score"):
        mrr([], [1.0])
    with pytest.raises(ValueError, match="'k' to be a positive int"):
        hits_at_k([1.0], [0.0], k=0)
    with pytest.raises(TypeError, match="numeric array"):
        mrr(["a"], [0.0])
