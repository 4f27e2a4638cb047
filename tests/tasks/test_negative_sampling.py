"""Negative samplers: Patil et al.'s rules, the node universe, evaluation negatives."""

from __future__ import annotations

import numpy as np
import pytest

from hgkit.tasks.hyperedge_prediction import split_hyperedges
from hgkit.tasks.negative_sampling import evaluation_negatives, projection, sample_negatives
from tests.tasks.test_hyperedge_prediction import planted


@pytest.fixture(scope="module")
def toy():
    edges, n = planted()
    return split_hyperedges(edges, 0.6, 0.2, 0.2, seed=0, num_nodes=n)


# ---------------------------------------------------------------- samplers
@pytest.mark.parametrize("method", ["uns", "sns", "mns", "cns", "mix"])
def test_samplers_sizes_ratio_rejection_and_seed(toy, method):
    known = toy.positives
    neg = sample_negatives(toy.train, 60, method, ratio=2, reject=known, seed=5)
    assert len(neg) == 2 * len(toy.train)
    assert all(len(e) >= 3 and len(set(e)) == len(e) and e == tuple(sorted(e)) for e in neg)
    assert not set(neg) & known
    assert neg == sample_negatives(toy.train, 60, method, ratio=2, reject=known, seed=5)
    assert neg != sample_negatives(toy.train, 60, method, ratio=2, reject=known, seed=6)


def test_sns_sizes_follow_the_positive_distribution_without_sizes_1_2():
    pos = [(0, 1)] * 50 + [(0, 1, 2)] * 30 + [(0, 1, 2, 3, 4)] * 10
    neg = sample_negatives(pos, 50, "sns", num=4000, seed=0)
    sizes = np.array([len(e) for e in neg])
    assert set(sizes) == {3, 5}
    assert (sizes == 3).mean() == pytest.approx(0.75, abs=0.03)


def test_mns_node_sets_are_connected_in_the_projection(toy):
    import networkx as nx

    g = nx.from_scipy_sparse_array(projection(toy.train, 60))
    for e in sample_negatives(toy.train, 60, "mns", num=300, seed=0):
        assert nx.is_connected(g.subgraph(e))


def test_cns_is_a_positive_minus_one_node_plus_a_common_neighbour(toy):
    adj = projection(toy.train, 60).toarray() > 0
    bases = {e for e in toy.train if len(e) >= 3}
    for e in sample_negatives(toy.train, 60, "cns", num=300, seed=0):
        ok = False
        for v in e:
            rest = tuple(u for u in e if u != v)
            if any(set(rest) < set(b) and len(b) == len(e) for b in bases) \
                    and all(adj[v, u] for u in rest):
                ok = True
        assert ok, e


def test_sampler_default_reject_and_structure():
    pos = [(0, 1, 2), (1, 2, 3), (2, 3, 4)]
    # with only these positives every CNS candidate is a positive: the sampler must say so
    with pytest.raises(RuntimeError, match="could draw only 0 of 2"):
        sample_negatives(pos, 5, "cns", num=2, seed=0, max_rounds=5)
    assert sample_negatives(pos, 5, "cns", num=1, structure=pos + [(0, 4)], seed=1)[0] \
        not in set(pos)


def test_sns_100k_is_fast():
    import time

    edges, n = planted(num_groups=100, size=30, per_group=20)
    t = time.perf_counter()
    neg = sample_negatives(edges, n, "sns", num=100_000, seed=0)
    assert len(neg) == 100_000 and time.perf_counter() - t < 5.0


def test_evaluation_negatives_fixed_and_rejected_against_all_positives(toy):
    a = evaluation_negatives(toy, "test", "mns", seed=0)
    assert a == evaluation_negatives(toy, "test", "mns", seed=0)
    assert len(a) == len(toy.test) and not set(a) & toy.positives
    assert a != evaluation_negatives(toy, "val", "mns", seed=0)


@pytest.mark.parametrize("kwargs,err,match", [
    (dict(method="xyz"), ValueError, "'method' to be one of"),
    (dict(ratio=-1), ValueError, "'ratio' to be a finite number"),
    (dict(num=1.5), ValueError, "'num' to be an int"),
    (dict(seed=-2), ValueError, "'seed' to be a non-negative int"),
])
def test_sampler_input_errors(toy, kwargs, err, match):
    with pytest.raises(err, match=match):
        sample_negatives(toy.train, 60, **kwargs)


def test_sampler_needs_size_three_positives():
    with pytest.raises(ValueError, match="size >= 3"):
        sample_negatives([(0, 1), (1, 2)], 5, "sns", num=3)




# ---------------------------------------------------------------- node universe
@pytest.mark.parametrize("method", ["uns", "sns", "mns", "cns", "mix"])
def test_no_negative_leaves_the_universe(method):
    edges, _ = planted(num_groups=4)  # nodes 0..39; 40..99 occur in no hyperedge
    uni = range(40)
    struct = edges + [(30, 45, 50)]  # a structure edge reaching outside the universe
    neg = sample_negatives(edges, 100, method, num=400, structure=struct, universe=uni,
                           seed=0)
    assert len(neg) == 400 and max(max(e) for e in neg) < 40
    assert neg == sample_negatives(edges, 100, method, num=400, structure=struct,
                                   universe=uni, seed=0)


def test_sns_draws_the_universe_uniformly():
    edges = [(0, 2, 4), (2, 4, 6)]
    neg = sample_negatives(edges, 50, "sns", num=3000, universe=[0, 2, 4, 6, 8, 10], seed=0)
    counts = np.bincount(np.concatenate(neg), minlength=12)
    assert set(np.flatnonzero(counts)) == {0, 2, 4, 6, 8, 10}
    # 20 triples, 2 rejected; 8 and 10 are each in 10 of the 18 others
    assert counts[[8, 10]] == pytest.approx([3000 * 10 / 18] * 2, rel=0.06)


def test_split_universe_reaches_evaluation_negatives():
    edges, n = planted(num_groups=4)
    s = split_hyperedges(edges, seed=0, num_nodes=n + 30, min_size=3)
    assert s.universe == tuple(sorted({v for e in edges for v in e}))
    for part in ("val", "test"):
        for m in ("sns", "mns", "cns"):
            neg = evaluation_negatives(s, part, m, seed=1)
            assert set(np.concatenate(neg)) <= set(s.universe)
            assert not set(neg) & s.positives


def test_universe_errors():
    edges = [(0, 1, 2), (1, 2, 3)]
    with pytest.raises(IndexError, match="'universe' holds node id 9 but num_nodes=5"):
        sample_negatives(edges, 5, "sns", num=1, universe=[0, 1, 9])
    with pytest.raises(ValueError, match="at least 3 nodes"):
        sample_negatives(edges, 5, "sns", num=1, universe=[0, 1])


def test_rare_acceptance_is_oversampled_not_failed():
    # every CNS draw but a few is a positive: the sampler must oversample, not give up
    pos = [(0, 1, 2), (1, 2, 3), (2, 3, 4)]
    neg = sample_negatives(pos, 5, "cns", num=50, structure=pos + [(0, 4)], seed=0,
                           max_rounds=20)
    assert len(neg) == 50 and not set(neg) & set(pos)
