"""Classical set scores: hand-computed values, Katz against a dense reference, errors."""

from __future__ import annotations

import numpy as np
import pytest

from hgkit.tasks.negative_sampling import projection
from hgkit.tasks.set_scores import classical_scores


# ---------------------------------------------------------------- classical scores
def test_classical_scores_by_hand_on_a_triangle():
    train = [(0, 1, 2), (0, 1), (1, 2, 3), (2, 4)]
    # B01 = 2, B02 = 1, B12 = 2, B13 = 1, B23 = 1, B24 = 1
    s = classical_scores(train, 5, [(0, 1, 2), (0, 3, 4)])
    w = np.array([2.0, 1.0, 2.0])
    assert s["harm_mean"][0] == pytest.approx(3 / (1 / w).sum())
    assert s["geom_mean"][0] == pytest.approx(4 ** (1 / 3))
    assert s["arith_mean"][0] == pytest.approx(5 / 3)
    assert s["min_mean"][0] == 1.0
    # N0={1,2}, N1={0,2,3}, N2={0,1,3,4}: common = {} ; union = {0,1,2,3,4}
    assert s["common"][0] == 0 and s["jaccard"][0] == 0
    assert s["proj_graph_pa"][0] == 2 * 3 * 4
    assert s["harm_mean"][1] == 0 and s["geom_mean"][1] == 0 and s["arith_mean"][1] == 0
    t = classical_scores(train, 5, [(0, 1, 3)], ["common", "jaccard", "adamic_adar"])
    # N0 ∩ N1 ∩ N3 = {1,2} ∩ {0,2,3} ∩ {1,2} = {2}; union = {0,1,2,3}; d_2 = 4
    assert t["common"][0] == 1 and t["jaccard"][0] == pytest.approx(1 / 4)
    assert t["adamic_adar"][0] == pytest.approx(1 / np.log(4))


def test_katz_matches_dense_reference():
    train = [(0, 1, 2), (2, 3), (3, 4, 5)]
    a = (projection(train, 6).toarray() > 0).astype(float)
    beta = min(0.25 / np.abs(np.linalg.eigvalsh(a)).max(), 0.5)
    k = np.linalg.inv(np.eye(6) - beta * a) - np.eye(6)
    got = classical_scores(train, 6, [(0, 3, 5)], ["katz"])["katz"][0]
    assert got == pytest.approx(2 * (k[0, 3] + k[0, 5] + k[3, 5]))


def test_classical_scores_errors():
    with pytest.raises(ValueError, match="'names' to be among"):
        classical_scores([(0, 1)], 3, [(0, 1)], ["nope"])
    with pytest.raises(IndexError, match="node id 7 but num_nodes=3"):
        classical_scores([(0, 1)], 3, [(0, 7)])
    with pytest.raises(ValueError, match=">= 2 distinct nodes"):
        classical_scores([(0, 1)], 3, [(1,)])


