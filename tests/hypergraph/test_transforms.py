"""Tests for hgkit.hypergraph.transforms (expansions, dual, self-loops, dedup, subgraphs, drop).

The dual hypergraph transformation of graphs is tested in test_dht.py.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from hgkit import Hypergraph
from hgkit.hypergraph import transforms as T
from hgkit.hypergraph.transforms import (
    add_self_loops,
    clique_expansion,
    drop_edges,
    drop_incidences,
    dual,
    line_graph,
    remove_duplicate_edges,
    remove_duplicate_incidences,
    star_expansion,
    subhypergraph,
)

PROPERTY = settings(max_examples=60, deadline=None)


def hypergraph(edges: list[list[int]], num_nodes: int, **fields) -> Hypergraph:
    """Build a hypergraph from member lists (hyperedge j = edges[j])."""
    pairs = [(v, j) for j, members in enumerate(edges) for v in members]
    index = torch.tensor(pairs, dtype=torch.long).reshape(-1, 2).t()
    return Hypergraph(index, num_nodes=num_nodes, num_edges=len(edges), **fields)


@st.composite
def hypergraphs(draw, with_fields: bool = True) -> Hypergraph:
    """Small hypergraphs with isolated nodes, empty / singleton / duplicate hyperedges,
    repeated incidences, shuffled incidence order and optional weights and attributes."""
    n = draw(st.integers(0, 6))
    member = st.integers(0, max(n - 1, 0))
    base = draw(st.lists(st.lists(member, max_size=4 if n else 0), max_size=5))
    if base:  # duplicates: the same node set, members listed in another order
        for j in draw(st.lists(st.integers(0, len(base) - 1), max_size=3)):
            base.append(base[j][::-1])
    pairs = [(v, j) for j, members in enumerate(base) for v in members]
    pairs = draw(st.permutations(pairs))
    index = torch.tensor(pairs, dtype=torch.long).reshape(-1, 2).t()
    m, nnz = len(base), len(pairs)
    fields = {}
    if with_fields:
        small = st.integers(0, 3).map(float)
        if draw(st.booleans()):
            fields["edge_weight"] = torch.tensor(draw(st.lists(small, min_size=m, max_size=m)))
        if draw(st.booleans()):
            fields["node_weight"] = torch.tensor(draw(st.lists(small, min_size=n, max_size=n)))
        if draw(st.booleans()):
            fields["edge_attr"] = torch.arange(m * 2.0).reshape(m, 2)
        if draw(st.booleans()):
            fields["node_attr"] = -torch.arange(n * 3.0).reshape(n, 3)
        if draw(st.booleans()):
            fields["incidence_attr"] = torch.arange(nnz, dtype=torch.float64) + 100
    return Hypergraph(index, num_nodes=n, num_edges=m, **fields)


def dense_h(hg: Hypergraph) -> torch.Tensor:
    return hg.incidence("dense", dtype=torch.float64)


def weights_of(hg: Hypergraph) -> torch.Tensor:
    w = hg.edge_weight
    return torch.ones(hg.num_edges, dtype=torch.float64) if w is None else w.double()


def node_sets(hg: Hypergraph) -> list[frozenset[int]]:
    return [frozenset(e) for e in hg.edges()]


# ---------------------------------------------------------------------- clique expansion
def test_clique_expansion_counts_shared_hyperedges():
    hg = hypergraph([[0, 1, 2], [1, 2]], num_nodes=4)  # node 3 isolated
    edge_index, edge_weight = clique_expansion(hg)
    assert edge_index.tolist() == [[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]]
    assert edge_weight.tolist() == [1.0, 1.0, 1.0, 2.0, 1.0, 2.0]


def test_clique_expansion_sums_hyperedge_weights_and_keeps_dtype():
    weight = torch.tensor([0.5, 2.0], dtype=torch.float64)
    hg = hypergraph([[0, 1, 2], [1, 2]], 3, edge_weight=weight)
    edge_index, edge_weight = clique_expansion(hg)
    assert edge_weight.dtype == torch.float64
    assert edge_weight.tolist() == [0.5, 0.5, 0.5, 2.5, 0.5, 2.5]


def test_clique_expansion_unweighted_gives_ones():
    hg = hypergraph([[0, 1, 2], [1, 2]], 3, edge_weight=torch.tensor([0.5, 2.0]))
    edge_index, edge_weight = clique_expansion(hg, weighted=False)
    assert edge_index.size(1) == 6
    assert edge_weight.tolist() == [1.0] * 6


def test_clique_expansion_zero_weight_hyperedge_keeps_the_pair_with_weight_zero():
    hg = hypergraph([[0, 1], [1, 2]], 3, edge_weight=torch.tensor([0.0, 1.0]))
    edge_index, edge_weight = clique_expansion(hg)
    assert edge_index.tolist() == [[0, 1, 1, 2], [1, 0, 2, 1]]
    assert edge_weight.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert clique_expansion(hg, format="scipy").nnz == 4  # an explicit zero


def test_clique_expansion_self_loops_hold_the_diagonal_with_multiplicity():
    # node 0 appears twice in hyperedge 0 (H[0, 0] = 2): A[0, 0] = 2**2 * 3
    hg = hypergraph([[0, 0, 1], [1]], 3, edge_weight=torch.tensor([3.0, 1.0]))
    mat = clique_expansion(hg, self_loops=True, format="scipy").toarray()
    assert mat.tolist() == [[12.0, 6.0, 0.0], [6.0, 4.0, 0.0], [0.0, 0.0, 0.0]]
    edge_index, edge_weight = clique_expansion(hg, weighted=False, self_loops=True)
    assert edge_index.tolist() == [[0, 0, 1, 1], [0, 1, 0, 1]]
    assert edge_weight.tolist() == [1.0] * 4


def test_clique_expansion_networkx_has_every_node():
    hg = hypergraph([[0, 1, 2], [1, 2]], num_nodes=4)
    graph = clique_expansion(hg, format="networkx")
    assert isinstance(graph, nx.Graph) and sorted(graph.nodes) == [0, 1, 2, 3]
    assert sorted(graph.edges(data="weight")) == [(0, 1, 1.0), (0, 2, 1.0), (1, 2, 2.0)]
    looped = clique_expansion(hg, self_loops=True, format="networkx")
    assert sorted(nx.selfloop_edges(looped, data="weight")) == [(0, 0, 1.0), (1, 1, 2.0),
                                                                (2, 2, 2.0)]


def test_clique_expansion_of_hypergraph_without_incidences():
    hg = Hypergraph(torch.zeros(2, 0, dtype=torch.long), num_nodes=3, num_edges=2)
    edge_index, edge_weight = clique_expansion(hg)
    assert edge_index.shape == (2, 0) and edge_weight.shape == (0,)
    assert clique_expansion(hg, format="scipy").shape == (3, 3)


@PROPERTY
@given(hypergraphs(), st.booleans())
def test_clique_expansion_matches_dense_reference(hg, self_loops):
    h = dense_h(hg)
    ref = h @ torch.diag(weights_of(hg)) @ h.T
    pattern = (h @ h.T) > 0
    if not self_loops:
        ref.fill_diagonal_(0)
        pattern.fill_diagonal_(False)
    mat = clique_expansion(hg, self_loops=self_loops, format="scipy")
    assert_close(torch.from_numpy(mat.toarray()), ref)
    assert (abs(mat - mat.T)).nnz == 0
    edge_index, edge_weight = clique_expansion(hg, self_loops=self_loops)
    assert edge_index.tolist() == pattern.nonzero().t().tolist()  # sorted, both directions
    assert_close(edge_weight.double(), ref[pattern])
    _, unweighted = clique_expansion(hg, weighted=False, self_loops=self_loops)
    assert unweighted.tolist() == [1.0] * int(pattern.sum())


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"format": "dense"}, ValueError, r"Expected 'format' to be one of .* \(got 'dense'\)"),
    ({"weighted": 1}, TypeError, r"Expected 'weighted' to be a bool \(got int\)"),
    ({"self_loops": None}, TypeError, r"Expected 'self_loops' to be a bool"),
])
def test_clique_expansion_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        clique_expansion(hypergraph([[0, 1]], 2), **kwargs)


def test_transforms_reject_non_hypergraph():
    with pytest.raises(TypeError, match=r"Expected 'hg' to be a Hypergraph \(got Tensor"):
        clique_expansion(torch.tensor([[0, 1], [0, 0]]))
    with pytest.raises(TypeError, match=r"Expected 'hg' to be a Hypergraph \(got list\)"):
        dual([[0, 1], [0, 0]])


# ---------------------------------------------------------------------- line graph / star
def test_line_graph_connects_hyperedges_sharing_nodes():
    hg = hypergraph([[0, 1, 2], [1, 2], [3], []], num_nodes=4)
    edge_index, edge_weight = line_graph(hg)
    assert edge_index.tolist() == [[0, 1], [1, 0]]
    assert edge_weight.tolist() == [1.0, 1.0]
    assert line_graph(hg, weighted=True)[1].tolist() == [2.0, 2.0]


@PROPERTY
@given(hypergraphs())
def test_line_graph_matches_dense_h_t_h(hg):
    h = dense_h(hg)
    ref = h.T @ h
    ref.fill_diagonal_(0)
    edge_index, edge_weight = line_graph(hg, weighted=True)
    assert edge_index.tolist() == ref.nonzero().t().tolist()
    assert_close(edge_weight.double(), ref[ref > 0])


def test_star_expansion_literal():
    hg = hypergraph([[0, 1], [1]], 3, edge_weight=torch.tensor([2.0, 3.0]))
    edge_index, edge_weight, node_type = star_expansion(hg)
    assert edge_index.tolist() == [[0, 1, 1, 3, 3, 4], [3, 3, 4, 0, 1, 1]]
    assert edge_weight.tolist() == [2.0, 2.0, 3.0, 2.0, 2.0, 3.0]
    assert node_type.tolist() == [0, 0, 0, 1, 1]


@PROPERTY
@given(hypergraphs())
def test_star_expansion_is_the_bipartite_incidence_graph(hg):
    n, m = hg.num_nodes, hg.num_edges
    edge_index, edge_weight, node_type = star_expansion(hg)
    assert node_type.tolist() == [0] * n + [1] * m
    assert edge_index.size(1) == 2 * hg.nnz
    assert (node_type[edge_index[0]] != node_type[edge_index[1]]).all()
    adj = torch.zeros(n + m, n + m, dtype=torch.float64)
    adj.index_put_((edge_index[0], edge_index[1]), torch.ones(2 * hg.nnz, dtype=torch.float64),
                   accumulate=True)
    h = dense_h(hg)
    assert_close(adj[:n, n:], h)
    assert_close(adj[n:, :n], h.T)
    assert_close(edge_weight.double(), weights_of(hg)[hg.hyperedge_index[1]].repeat(2))


# ---------------------------------------------------------------------- dual
def test_dual_swaps_nodes_hyperedges_and_fields():
    hg = hypergraph([[0, 1], [1]], 3, edge_weight=torch.tensor([2.0, 3.0]),
                    node_attr=torch.eye(3))
    out = dual(hg)
    assert out.num_nodes == 2 and out.num_edges == 3
    assert out.edges() == [[0], [0, 1], []]
    assert out.node_weight.tolist() == [2.0, 3.0] and torch.equal(out.edge_attr, torch.eye(3))


@PROPERTY
@given(hypergraphs())
def test_dual_is_an_involution(hg):
    assert dual(dual(hg)) == hg
    assert_close(dense_h(dual(hg)), dense_h(hg).T)


# ---------------------------------------------------------------------- self-loops
def test_add_self_loops_appends_one_singleton_per_node():
    hg = hypergraph([[0, 1], [2]], 4, edge_attr=torch.ones(2, 2),
                    incidence_attr=torch.tensor([1.0, 2.0, 3.0]))
    out = add_self_loops(hg)
    assert out.edges() == [[0, 1], [2], [0], [1], [2], [3]]
    assert out.edge_weight is None
    assert out.edge_attr.tolist() == [[1.0, 1.0]] * 2 + [[0.0, 0.0]] * 4
    assert out.incidence_attr.tolist() == [1.0, 2.0, 3.0] + [0.0] * 4


def test_add_self_loops_only_missing_counts_repeated_incidence_as_loop():
    hg = hypergraph([[0, 1], [2], [3, 3]], 5, edge_weight=torch.tensor([1.0, 2.0, 3.0]))
    out = add_self_loops(hg, fill_weight=0.5, only_missing=True)
    assert out.edges() == [[0, 1], [2], [3, 3], [0], [1], [4]]
    assert out.edge_weight.tolist() == [1.0, 2.0, 3.0, 0.5, 0.5, 0.5]


def test_add_self_loops_materializes_weights_only_when_needed():
    hg = hypergraph([[0, 1]], 2)
    assert add_self_loops(hg, fill_weight=2.0).edge_weight.tolist() == [1.0, 2.0, 2.0]
    assert add_self_loops(hg, fill_weight=1).edge_weight is None


@PROPERTY
@given(hypergraphs())
def test_add_self_loops_adds_exactly_n_singletons(hg):
    n, m = hg.num_nodes, hg.num_edges
    out = add_self_loops(hg)
    assert out.num_edges == m + n and out.edges()[:m] == hg.edges()
    assert out.edges()[m:] == [[v] for v in range(n)]
    assert torch.equal(out.hyperedge_index[:, :hg.nnz], hg.hyperedge_index)
    filled = add_self_loops(out, only_missing=True)
    assert filled == out  # every node already has a loop
    missing = add_self_loops(hg, only_missing=True)
    assert {v for e in node_sets(missing) if len(e) == 1 for v in e} == set(range(n))


@pytest.mark.parametrize(("value", "error", "match"), [
    (-1.0, ValueError, r"Expected 'fill_weight' to be finite and >= 0 \(got -1.0\)"),
    (float("nan"), ValueError, r"Expected 'fill_weight' to be finite"),
    (True, TypeError, r"Expected 'fill_weight' to be a float \(got bool\)"),
])
def test_add_self_loops_rejects_bad_fill_weight(value, error, match):
    with pytest.raises(error, match=match):
        add_self_loops(hypergraph([[0]], 1), fill_weight=value)


# ---------------------------------------------------------------------- deduplication
def test_remove_duplicate_edges_compares_node_sets_and_keeps_first():
    hg = hypergraph([[0, 1], [1, 0, 0], [2], [], [0, 1], []], 3,
                    edge_weight=torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
                    edge_attr=torch.arange(6).view(6, 1))
    out, kept = remove_duplicate_edges(hg, return_index=True)
    assert kept.tolist() == [0, 2, 3]
    assert out.edges() == [[0, 1], [2], []]
    assert out.edge_weight.tolist() == [1.0, 3.0, 4.0]
    assert out.edge_attr.view(-1).tolist() == [0, 2, 3]
    summed = remove_duplicate_edges(hg, reduce="sum")
    assert summed.edge_weight.tolist() == [8.0, 3.0, 10.0]


def test_remove_duplicate_edges_sum_without_weights_counts_multiplicity():
    out = remove_duplicate_edges(hypergraph([[0], [1], [0]], 2), reduce="sum")
    assert out.edges() == [[0], [1]] and out.edge_weight.tolist() == [2.0, 1.0]
    assert remove_duplicate_edges(hypergraph([[0], [0]], 1)).edge_weight is None


@PROPERTY
@given(hypergraphs())
def test_remove_duplicate_edges_keeps_first_of_every_distinct_set(hg):
    out, kept = remove_duplicate_edges(hg, return_index=True)
    sets = node_sets(hg)
    first = [j for j, s in enumerate(sets) if s not in sets[:j]]
    assert kept.tolist() == first
    assert out.edges() == [hg.edges()[j] for j in first]  # incidences kept as they were
    assert len(set(node_sets(out))) == out.num_edges == len(set(sets))
    if hg.incidence_attr is not None:
        mask = torch.isin(hg.hyperedge_index[1], kept)
        assert torch.equal(out.incidence_attr, hg.incidence_attr[mask])
    summed = remove_duplicate_edges(hg, reduce="sum")
    assert_close(summed.edge_weight.double().sum(), weights_of(hg).sum())


def test_remove_duplicate_edges_survives_hash_collisions(monkeypatch):
    hg = hypergraph([[0, 1], [2, 3], [1, 0], [3, 2], [0, 2]], 4)
    expected = remove_duplicate_edges(hg, return_index=True)
    monkeypatch.setattr(T, "_node_hash_table",
                        lambda n: np.zeros((n, 2), dtype=np.uint64))  # every set collides
    out, kept = remove_duplicate_edges(hg, return_index=True)
    assert kept.tolist() == expected[1].tolist() == [0, 1, 4]
    assert out == expected[0]


def test_remove_duplicate_edges_rejects_unknown_reduce():
    match = r"Expected 'reduce' to be 'first' or 'sum' \(got 'max'\)"
    with pytest.raises(ValueError, match=match):
        remove_duplicate_edges(hypergraph([[0]], 1), reduce="max")


def test_remove_duplicate_incidences_keeps_first_occurrence():
    hg = Hypergraph(torch.tensor([[1, 0, 1, 1], [0, 0, 0, 1]]),
                    incidence_attr=torch.tensor([10.0, 20.0, 30.0, 40.0]))
    out = remove_duplicate_incidences(hg)
    assert out.hyperedge_index.tolist() == [[1, 0, 1], [0, 0, 1]]
    assert out.incidence_attr.tolist() == [10.0, 20.0, 40.0]


@PROPERTY
@given(hypergraphs())
def test_remove_duplicate_incidences_matches_brute_force(hg):
    pairs = [tuple(p) for p in hg.hyperedge_index.t().tolist()]
    keep = [i for i, p in enumerate(pairs) if p not in pairs[:i]]
    out = remove_duplicate_incidences(hg)
    assert out.hyperedge_index.t().tolist() == [list(pairs[i]) for i in keep]
    assert (out.num_nodes, out.num_edges) == (hg.num_nodes, hg.num_edges)
    if hg.incidence_attr is not None:
        assert out.incidence_attr.tolist() == hg.incidence_attr[keep].tolist()
    assert bool((dense_h(out) <= 1).all())


# ---------------------------------------------------------------------- subhypergraph
def _example() -> Hypergraph:
    return hypergraph([[0, 1, 2], [2, 3], [4]], 6,
                      edge_weight=torch.tensor([1.0, 2.0, 3.0]),
                      node_attr=torch.arange(6.0).view(6, 1),
                      incidence_attr=torch.arange(6.0))


def test_subhypergraph_by_nodes_restricts_hyperedges_and_drops_emptied_ones():
    sub, node_map, edge_map = subhypergraph(_example(), nodes=[3, 0, 1])
    assert node_map.tolist() == [0, 1, 3] and edge_map.tolist() == [0, 1]
    assert sub.edges() == [[0, 1], [2]]
    assert sub.edge_weight.tolist() == [1.0, 2.0]
    assert sub.node_attr.view(-1).tolist() == [0.0, 1.0, 3.0]
    assert sub.incidence_attr.tolist() == [0.0, 1.0, 4.0]
    kept, _, edge_map = subhypergraph(_example(), nodes=[0, 1, 3], drop_empty=False)
    assert edge_map.tolist() == [0, 1, 2] and kept.edges() == [[0, 1], [2], []]


def test_subhypergraph_by_edges_keeps_them_whole():
    mask = torch.tensor([False, True, True])
    sub, node_map, edge_map = subhypergraph(_example(), edges=mask)
    assert node_map.tolist() == list(range(6)) and edge_map.tolist() == [1, 2]
    assert sub.edges() == [[2, 3], [4]]
    covered, node_map, _ = subhypergraph(_example(), edges=mask, drop_isolated=True)
    assert node_map.tolist() == [2, 3, 4] and covered.edges() == [[0, 1], [2]]


def test_subhypergraph_keeps_hyperedges_that_were_already_empty():
    hg = hypergraph([[0], []], 2)
    assert subhypergraph(hg, edges=[1])[0].edges() == [[]]
    assert subhypergraph(hg, nodes=[1])[2].tolist() == [1]


def test_subhypergraph_without_relabel_keeps_sizes_and_ids():
    sub, node_map, edge_map = subhypergraph(_example(), nodes=[0, 4], relabel=False)
    assert (sub.num_nodes, sub.num_edges) == (6, 3)
    assert sub.edges() == [[0], [], [4]]
    assert node_map.tolist() == [0, 4] and edge_map.tolist() == [0, 2]


@PROPERTY
@given(hypergraphs(), st.data())
def test_subhypergraph_keeps_exactly_the_induced_incidences(hg, data):
    n, m = hg.num_nodes, hg.num_edges
    nodes = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    edges = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    pairs = hg.hyperedge_index.t().tolist()
    kept = [(v, e) for v, e in pairs if nodes[v] and edges[e]]
    sizes = hg.edge_size.tolist()
    kept_edges = [e for e in range(m) if edges[e] and (sizes[e] == 0 or
                                                      any(f == e for _, f in kept))]
    sub, node_map, edge_map = subhypergraph(hg, nodes=torch.tensor(nodes, dtype=torch.bool),
                                            edges=torch.tensor(edges, dtype=torch.bool))
    assert node_map.tolist() == [v for v in range(n) if nodes[v]]
    assert edge_map.tolist() == kept_edges
    back = torch.stack([node_map[sub.hyperedge_index[0]], edge_map[sub.hyperedge_index[1]]])
    assert back.t().tolist() == [list(p) for p in kept]
    if hg.edge_weight is not None:
        assert torch.equal(sub.edge_weight, hg.edge_weight[edge_map])
    if hg.node_attr is not None:
        assert torch.equal(sub.node_attr, hg.node_attr[node_map])
    if hg.incidence_attr is not None:
        mask = [nodes[v] and edges[e] for v, e in pairs]
        assert torch.equal(sub.incidence_attr, hg.incidence_attr[torch.tensor(mask,
                                                                              dtype=torch.bool)])


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"nodes": torch.tensor([True, False])}, ValueError,
     r"Expected boolean mask 'nodes' to have shape \[6\] \(num_nodes=6\) \(got \[2\]\)"),
    ({"nodes": [0, 6]}, IndexError, r"'nodes' holds id 6 but num_nodes=6"),
    ({"edges": [-1]}, IndexError, r"'edges' holds negative id -1"),
    ({"edges": torch.tensor([0.5])}, TypeError,
     r"Expected 'edges' to hold integers \(got dtype torch.float32\)"),
    ({"nodes": [[0, 1]]}, ValueError, r"Expected 'nodes' to be 1-dimensional"),
    ({"relabel": "yes"}, TypeError, r"Expected 'relabel' to be a bool \(got str\)"),
])
def test_subhypergraph_rejects_bad_selections(kwargs, error, match):
    with pytest.raises(error, match=match):
        subhypergraph(_example(), **kwargs)


# ---------------------------------------------------------------------- random dropping
def _big() -> Hypergraph:
    gen = torch.Generator().manual_seed(0)
    index = torch.stack([torch.randint(0, 30, (200,), generator=gen),
                         torch.randint(0, 40, (200,), generator=gen)])
    return Hypergraph(index, num_nodes=30, num_edges=40, incidence_attr=torch.arange(200.0),
                      edge_weight=torch.rand(40, generator=gen))


def test_drop_incidences_is_seeded_and_keeps_sizes():
    hg = _big()
    out = drop_incidences(hg, 0.3, seed=7)
    assert out == drop_incidences(hg, 0.3, seed=7)
    assert out != drop_incidences(hg, 0.3, seed=8)
    assert (out.num_nodes, out.num_edges) == (30, 40) and 100 < out.nnz < 180
    kept = out.incidence_attr.long()  # incidence_attr = original column: aligned, in order
    assert torch.equal(out.hyperedge_index, hg.hyperedge_index[:, kept])
    assert (kept.diff() > 0).all() and torch.equal(out.edge_weight, hg.edge_weight)


def test_drop_incidences_extremes_and_global_rng():
    hg = _big()
    assert drop_incidences(hg, 0.0) == hg
    assert drop_incidences(hg, 1.0).nnz == 0
    torch.manual_seed(3)
    first = drop_incidences(hg, 0.5)
    torch.manual_seed(3)
    assert drop_incidences(hg, 0.5) == first


def test_drop_edges_is_seeded_and_relabels():
    hg = _big()
    out, kept = drop_edges(hg, 0.5, seed=1)
    again, kept_again = drop_edges(hg, 0.5, seed=1)
    assert out == again and torch.equal(kept, kept_again)
    assert 5 < kept.numel() < 35 and out.num_nodes == 30
    expected = subhypergraph(hg, edges=kept, drop_empty=False)[0]
    assert out == expected and torch.equal(out.edge_weight, hg.edge_weight[kept])
    assert not torch.equal(kept, drop_edges(hg, 0.5, seed=2)[1])


def test_drop_edges_extremes():
    hg = _big()
    out, kept = drop_edges(hg, 0.0, seed=0)
    assert out == hg and kept.tolist() == list(range(40))
    out, kept = drop_edges(hg, 1, seed=0)
    assert (out.num_edges, out.nnz, out.num_nodes, kept.numel()) == (0, 0, 30, 0)


@pytest.mark.parametrize("fn", [drop_incidences, drop_edges])
def test_drop_rejects_bad_probability_and_seed(fn):
    hg = hypergraph([[0, 1]], 2)
    with pytest.raises(ValueError, match=r"Expected 'p' to be in \[0, 1\] \(got 1.5\)"):
        fn(hg, 1.5)
    with pytest.raises(TypeError, match=r"Expected 'p' to be a float in \[0, 1\] \(got str\)"):
        fn(hg, "0.5")
    with pytest.raises(ValueError, match=r"Expected 'seed' to be >= 0 \(got -1\)"):
        fn(hg, 0.5, seed=-1)


# ---------------------------------------------------------------------- device
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_transforms_preserve_the_device():
    hg = _big()
    gpu = hg.to("cuda")
    ei, ew = clique_expansion(gpu)
    assert ei.is_cuda and ew.is_cuda
    assert torch.equal(ei.cpu(), clique_expansion(hg)[0])
    assert all(t.is_cuda for t in star_expansion(gpu) + line_graph(gpu))
    for out in (dual(gpu), add_self_loops(gpu, only_missing=True), remove_duplicate_edges(gpu),
                remove_duplicate_incidences(gpu), subhypergraph(gpu, nodes=[0, 1])[0],
                drop_incidences(gpu, 0.5, seed=0), drop_edges(gpu, 0.5, seed=0)[0]):
        assert out.device.type == "cuda"
    assert add_self_loops(gpu, only_missing=True).cpu() == add_self_loops(hg, only_missing=True)
    assert remove_duplicate_edges(gpu).cpu() == remove_duplicate_edges(hg)
    assert remove_duplicate_incidences(gpu).cpu() == remove_duplicate_incidences(hg)
    with pytest.raises(ValueError, match="Expected 'nodes' on device"):
        subhypergraph(gpu, nodes=torch.tensor([0]))
