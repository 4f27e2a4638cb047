"""Tests of the random hypergraph generators and the HSBM node-classification data."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import Hypergraph
from hgkit.hypergraph import generate as G


def members_are_distinct(hg: Hypergraph) -> bool:
    return all(len(set(edge)) == len(edge) for edge in hg.edges())


def is_sorted_by_edge_then_node(hg: Hypergraph) -> bool:
    node, edge = hg.hyperedge_index
    key = edge * hg.num_nodes + node
    return bool((key[1:] > key[:-1]).all())


# ---------------------------------------------------------------------------- gnm / uniform
def test_gnm_same_seed_same_hypergraph():
    assert G.gnm(50, 20, seed=3) == G.gnm(50, 20, seed=3)


def test_gnm_different_seeds_differ():
    assert G.gnm(50, 20, seed=3) != G.gnm(50, 20, seed=4)


def test_gnm_sizes_follow_fixed_edge_size():
    hg = G.gnm(10, 7, edge_size=3, seed=0)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (10, 7, 21)
    assert hg.edge_size.tolist() == [3] * 7


def test_gnm_sizes_stay_in_range_and_cover_it():
    hg = G.gnm(30, 400, edge_size=(2, 4), seed=0)
    assert set(hg.edge_size.tolist()) == {2, 3, 4}


def test_gnm_default_sizes_are_two_to_five():
    assert set(G.gnm(40, 500, seed=0).edge_size.tolist()) == {2, 3, 4, 5}


def test_gnm_default_sizes_capped_at_num_nodes():
    hg = G.gnm(3, 50, seed=0)
    assert set(hg.edge_size.tolist()) == {2, 3}


def test_gnm_members_distinct_and_sorted():
    hg = G.gnm(8, 300, edge_size=(1, 6), seed=1)  # sizes above N/2 use the other sampler
    assert members_are_distinct(hg)
    assert is_sorted_by_edge_then_node(hg)


def test_gnm_edge_size_equal_to_num_nodes_takes_every_node():
    assert G.gnm(4, 3, edge_size=4, seed=0).edges() == [[0, 1, 2, 3]] * 3


def test_gnm_single_node():
    assert G.gnm(1, 2, seed=0).edges() == [[0], [0]]


@pytest.mark.parametrize("n, k", [(4, 2), (5, 3)])  # 5 choose 3: the "large" sampler (3 > 5/2)
def test_gnm_subsets_are_uniform(n, k):
    draws = 12_000
    counts = Counter(tuple(e) for e in G.gnm(n, draws, edge_size=k, seed=0).edges())
    expected = draws / len(list(itertools.combinations(range(n), k)))
    assert len(counts) == len(list(itertools.combinations(range(n), k)))
    assert all(abs(c - expected) < 5 * expected**0.5 for c in counts.values())


def test_gnm_accepts_and_advances_a_generator():
    rng = np.random.default_rng(7)
    first, second = G.gnm(20, 5, seed=rng), G.gnm(20, 5, seed=rng)
    assert first != second
    assert first == G.gnm(20, 5, seed=np.random.default_rng(7))


def test_generators_leave_global_random_state_alone():
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    G.gnm(20, 5, seed=None)
    G.gnp(20, 5, 0.3)
    G.hsbm(num_nodes=40, num_edges=10, seed=None)
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_uniform_is_k_uniform():
    hg = G.uniform(12, 9, k=5, seed=2)
    assert hg.edge_size.tolist() == [5] * 9
    assert members_are_distinct(hg)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), m=st.integers(1, 20), lo=st.integers(1, 30),
       extra=st.integers(0, 5), seed=st.integers(0, 2**32))
def test_gnm_property_valid_structure(n, m, lo, extra, seed):
    lo = min(lo, n)
    hi = min(lo + extra, n)
    hg = G.gnm(n, m, edge_size=(lo, hi), seed=seed)
    assert Hypergraph(hg.hyperedge_index, n, m) == hg  # passes full validation
    sizes = hg.edge_size
    assert int(sizes.min()) >= lo and int(sizes.max()) <= hi
    assert members_are_distinct(hg)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"num_nodes": 0, "num_edges": 1}, ValueError, r"'num_nodes' to be >= 1 \(got 0\)"),
    ({"num_nodes": 5, "num_edges": 0}, ValueError, r"'num_edges' to be >= 1 \(got 0\)"),
    ({"num_nodes": 5.0, "num_edges": 1}, TypeError, r"'num_nodes' to be an int"),
    ({"num_nodes": 5, "num_edges": 1, "edge_size": 6}, ValueError,
     r"'edge_size' to be at most num_nodes=5 \(got maximum size 6\)"),
    ({"num_nodes": 5, "num_edges": 1, "edge_size": (4, 2)}, ValueError,
     r"min <= max \(got \(4, 2\)\)"),
    ({"num_nodes": 5, "num_edges": 1, "edge_size": (1, 2, 3)}, ValueError,
     r"'edge_size' to be None, an int or a \(min, max\) pair"),
    ({"num_nodes": 5, "num_edges": 1, "edge_size": 0}, ValueError, r"'edge_size' to be >= 1"),
    ({"num_nodes": 5, "num_edges": 1, "seed": -1}, ValueError, r"'seed' to be >= 0"),
    ({"num_nodes": 5, "num_edges": 1, "seed": "x"}, TypeError, r"'seed' to be an int"),
])
def test_gnm_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        G.gnm(**kwargs)


def test_uniform_rejects_k_above_num_nodes():
    with pytest.raises(ValueError, match=r"'k' to be at most num_nodes=3 \(got 4\)"):
        G.uniform(3, 2, k=4)


def test_uniform_rejects_k_zero():
    with pytest.raises(ValueError, match=r"'k' to be >= 1 \(got 0\)"):
        G.uniform(3, 2, k=0)


# ---------------------------------------------------------------------------- gnp
def test_gnp_p_zero_gives_empty_hyperedges():
    hg = G.gnp(5, 3, 0.0, seed=0)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (5, 3, 0)


def test_gnp_p_one_gives_complete_incidence():
    assert G.gnp(3, 2, 1.0, seed=0).edges() == [[0, 1, 2], [0, 1, 2]]


def test_gnp_same_seed_same_hypergraph():
    assert G.gnp(40, 30, 0.2, seed=5) == G.gnp(40, 30, 0.2, seed=5)


def test_gnp_each_incidence_at_most_once_and_sorted():
    hg = G.gnp(30, 40, 0.5, seed=0)
    assert members_are_distinct(hg)
    assert is_sorted_by_edge_then_node(hg)


def test_gnp_incidence_frequency_matches_p():
    # 20 x 10 pairs, 400 draws each: every entry of H should be close to p = 0.3.
    total = sum(G.gnp(20, 10, 0.3, seed=s).incidence("dense") for s in range(400)) / 400
    assert abs(float(total.mean()) - 0.3) < 0.01
    assert float((total - 0.3).abs().max()) < 0.1  # 4.4 standard deviations


def test_gnp_expected_number_of_incidences_at_scale():
    hg = G.gnp(100_000, 1_000, 1e-3, seed=0)  # 1e8 pairs, about 1e5 incidences
    assert abs(hg.nnz - 100_000) < 2_000


def test_gnp_rejects_probability_out_of_range():
    with pytest.raises(ValueError, match=r"'p' to be in \[0, 1\] \(got 1.5\)"):
        G.gnp(3, 2, 1.5)


# ---------------------------------------------------------------------------- hsbm
def test_hsbm_shapes_dtypes_and_split():
    data = G.hsbm(num_nodes=40, num_classes=4, num_edges=30, num_features=5, seed=0)
    assert data.x.shape == (40, 5) and data.x.dtype == torch.float32
    assert data.y.shape == (40,) and data.y.dtype == torch.int64
    assert data.num_classes == 4 and data.hypergraph.num_edges == 30
    masks = torch.stack([data.train_mask, data.val_mask, data.test_mask]).long()
    assert masks.sum(1).tolist() == [20, 10, 10]
    assert masks.sum(0).eq(1).all()  # the masks partition the nodes


def test_hsbm_classes_are_balanced():
    data = G.hsbm(num_nodes=42, num_classes=4, num_edges=5, seed=0)
    assert sorted(torch.bincount(data.y).tolist()) == [10, 10, 11, 11]


def test_hsbm_is_deterministic_under_seed():
    a, b = G.hsbm(num_nodes=60, num_edges=40, seed=9), G.hsbm(num_nodes=60, num_edges=40, seed=9)
    assert a.hypergraph == b.hypergraph
    for name in ("x", "y", "train_mask", "val_mask", "test_mask"):
        assert torch.equal(getattr(a, name), getattr(b, name))


def test_hsbm_pure_hyperedges_at_homophily_one():
    data = G.hsbm(num_nodes=80, num_edges=60, homophily=1.0, seed=0)
    for edge in data.hypergraph.edges():
        assert len(set(data.y[edge].tolist())) == 1
    assert members_are_distinct(data.hypergraph)


def test_hsbm_edge_homophily_increases_with_the_knob():
    measured = []
    for h in (0.0, 0.25, 0.5, 0.75, 1.0):
        data = G.hsbm(num_nodes=400, num_classes=4, num_edges=1500, homophily=h, seed=0)
        measured.append(G.edge_homophily(data.hypergraph, data.y))
    assert measured == sorted(measured)
    assert measured[0] < 0.15 and measured[-1] == 1.0  # a random hypergraph scores ~0.25


def test_hsbm_zero_homophily_gives_all_distinct_classes_when_size_at_most_c():
    data = G.hsbm(num_nodes=200, num_classes=4, num_edges=300, edge_size=(2, 4), homophily=0.0,
                  seed=1)
    for edge in data.hypergraph.edges():
        assert len(set(data.y[edge].tolist())) == len(edge)
    assert G.edge_homophily(data.hypergraph, data.y) == 0.0


def test_hsbm_features_are_class_means_without_noise():
    data = G.hsbm(num_nodes=20, num_classes=2, num_edges=5, feature_noise=0.0, seed=0)
    for c in range(2):
        rows = data.x[data.y == c]
        assert torch.equal(rows, rows[:1].expand_as(rows))
    assert not torch.equal(data.x[data.y == 0][0], data.x[data.y == 1][0])


def test_hsbm_default_sizes_are_two_to_six_capped_at_the_smallest_class():
    assert set(G.hsbm(num_nodes=400, num_edges=300, seed=0).hypergraph.edge_size.tolist()) == {
        2, 3, 4, 5, 6}
    small = G.hsbm(num_nodes=13, num_classes=4, num_edges=100, seed=0)  # smallest class: 3
    assert set(small.hypergraph.edge_size.tolist()) == {2, 3}


def test_hsbm_largest_edge_size_may_fill_a_class():
    data = G.hsbm(num_nodes=12, num_classes=3, num_edges=10, edge_size=4, homophily=1.0,
                  seed=0)
    assert data.hypergraph.edge_size.tolist() == [4] * 10
    assert members_are_distinct(data.hypergraph)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"homophily": 1.5}, ValueError, r"'homophily' to be in \[0, 1\] \(got 1.5\)"),
    ({"num_classes": 1}, ValueError, r"'num_classes' to be >= 2 \(got 1\)"),
    ({"num_nodes": 3, "num_classes": 4}, ValueError,
     r"'num_classes' to be at most num_nodes=3 \(got 4\)"),
    ({"num_nodes": 20, "num_classes": 4, "edge_size": (2, 6)}, ValueError,
     r"'edge_size' to be at most num_nodes // num_classes=5 \(got maximum size 6\)"),
    ({"num_features": 0}, ValueError, r"'num_features' to be >= 1 \(got 0\)"),
    ({"feature_noise": -1.0}, ValueError, r"'feature_noise' to be a finite float >= 0"),
    ({"feature_signal": "big"}, TypeError, r"'feature_signal' to be a float \(got str\)"),
    ({"num_edges": 0}, ValueError, r"'num_edges' to be >= 1 \(got 0\)"),
])
def test_hsbm_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        G.hsbm(**kwargs)


# ---------------------------------------------------------------------------- edge_homophily
def test_edge_homophily_literal_example():
    # e0 = {0, 1, 2}: 1 same-class pair of 3; e1 = {1, 2, 3}: 1 of 3.
    hg = Hypergraph(torch.tensor([[0, 1, 2, 1, 2, 3], [0, 0, 0, 1, 1, 1]]), 4, 2)
    assert G.edge_homophily(hg, torch.tensor([0, 0, 1, 1])) == pytest.approx(2 / 6)


def test_edge_homophily_ignores_singletons_and_empty_hyperedges():
    hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3, num_edges=3)
    assert G.edge_homophily(hg, torch.tensor([1, 1, 0])) == 1.0


def test_edge_homophily_is_nan_without_pairs():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 1]]), num_nodes=2, num_edges=2)
    assert np.isnan(G.edge_homophily(hg, torch.tensor([0, 1])))


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32), classes=st.integers(1, 4))
def test_edge_homophily_matches_pair_count(seed, classes):
    hg = G.gnm(9, 6, edge_size=(2, 5), seed=seed)
    y = torch.from_numpy(np.random.default_rng(seed).integers(0, classes, 9))
    pairs = [(y[u] == y[v]).item() for e in hg.edges() for u, v in itertools.combinations(e, 2)]
    assert G.edge_homophily(hg, y) == pytest.approx(sum(pairs) / len(pairs))


def test_edge_homophily_rejects_wrong_length_labels():
    hg = G.gnm(5, 2, seed=0)
    with pytest.raises(ValueError, match=r"'y' to have shape \[5\] .*\(got \[4\]\)"):
        G.edge_homophily(hg, torch.zeros(4, dtype=torch.long))


def test_edge_homophily_rejects_float_labels():
    with pytest.raises(TypeError, match=r"'y' to hold integers"):
        G.edge_homophily(G.gnm(5, 2, seed=0), torch.zeros(5))
