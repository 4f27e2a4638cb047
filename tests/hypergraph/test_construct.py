"""Tests of the hypergraph builders in :mod:`hgkit.hypergraph.construct`."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from hgkit.hypergraph import Hypergraph
from hgkit.hypergraph.construct import (
    from_bipartite,
    from_dict,
    from_edge_list,
    from_feature_knn,
    from_graph_cliques,
    from_graph_edges,
    from_graph_khop,
    from_hyperedge_index,
    from_incidence,
)


def dense_reference(edges: list[list[int]], num_nodes: int) -> torch.Tensor:
    """Dense N x M incidence counting multiplicities, built the obvious way."""
    H = torch.zeros(num_nodes, len(edges))
    for e, members in enumerate(edges):
        for v in members:
            H[v, e] += 1
    return H


# ------------------------------------------------------------------------- from_edge_list
def test_edge_list_mixed_member_types_match_dense_reference():
    edges = [[0, 1], (1, 2, 3), {3, 4}, range(2), np.array([4]), torch.tensor([0, 4])]
    hg = from_edge_list(edges, num_nodes=6)
    expected = [[0, 1], [1, 2, 3], [3, 4], [0, 1], [4], [0, 4]]
    assert hg.edges() == expected
    assert (hg.num_nodes, hg.num_edges) == (6, 6)
    assert_close(hg.incidence("dense"), dense_reference(expected, 6))


def test_edge_list_keeps_empty_hyperedge_and_isolated_node():
    hg = from_edge_list([[0], [], [1]], num_nodes=3)
    assert hg.edges() == [[0], [], [1]]
    assert hg.edge_size.tolist() == [1, 0, 1]
    assert hg.node_count.tolist() == [1, 1, 0]


def test_edge_list_repeated_node_is_a_repeated_incidence():
    hg = from_edge_list([[0, 0, 1]])
    assert hg.edges() == [[0, 0, 1]]
    assert hg.incidence("dense").tolist() == [[2.0], [1.0]]


def test_edge_list_infers_num_nodes_and_handles_no_incidence():
    assert from_edge_list([[3]]).num_nodes == 4
    hg = from_edge_list([])
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (0, 0, 0)
    hg = from_edge_list([[], []], num_nodes=2)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (2, 2, 0)


def test_edge_list_accepts_generators_and_numpy_integer_scalars():
    hg = from_edge_list(((v, v + 1) for v in range(2)))
    assert hg.edges() == [[0, 1], [1, 2]]
    hg = from_edge_list([[np.int32(2), np.int64(0), np.uint8(1)]])
    assert hg.edges() == [[0, 1, 2]]


def test_edge_list_two_dimensional_array_is_uniform_hyperedges():
    hg = from_edge_list(torch.tensor([[0, 1, 2], [2, 3, 4]]))
    assert hg.edges() == [[0, 1, 2], [2, 3, 4]]
    assert from_edge_list(np.array([[1, 0]]), num_nodes=3) == from_edge_list([[0, 1]], 3)


def test_edge_list_attaches_edge_weight_and_attr():
    hg = from_edge_list([[0], [1]], edge_weight=torch.tensor([1.0, 3.0]),
                        edge_attr=torch.eye(2))
    assert hg.edge_weight.tolist() == [1.0, 3.0]
    assert_close(hg.edge_attr, torch.eye(2))
    assert hg.node_degree.tolist() == [1.0, 3.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), max_size=5), max_size=8))
def test_edge_list_property_matches_reference(edges):
    hg = from_edge_list(edges, num_nodes=8)
    assert hg.edges() == [sorted(e) for e in edges]
    assert_close(hg.incidence("dense"), dense_reference(edges, 8))


@pytest.mark.parametrize("edges, match", [
    ([[0, 1.5]], r"integers \(got float 1.5 in hyperedge 0\)"),
    ([[0], [2.0]], r"integers \(got float 2.0 in hyperedge 1\)"),
    ([["3"]], r"integers \(got str '3' in hyperedge 0\)"),
    ([[True]], r"integers \(got bool True"),
    ([[None]], r"integers \(got NoneType"),
    ([[0, [1, 2]]], r"integers \(got list \[1, 2\]"),
    ([[0], 5], r"hyperedge 1 of 'edges' to be an iterable of node ids \(got int\)"),
    ([[0], "ab"], r"hyperedge 1 of 'edges' to be an iterable of node ids \(got str\)"),
    ([torch.tensor([0.5])], r"hyperedge 0 of 'edges' to be a 1-D integer array"),
    ({0: [1]}, r"got a mapping; use from_dict"),
    (7, r"Expected 'edges' to be an iterable of hyperedges \(got int\)"),
    (torch.tensor([0, 1]), r"Expected 'edges' to be an iterable of hyperedges \(got Tensor"),
])
def test_edge_list_rejects_bad_types(edges, match):
    with pytest.raises(TypeError, match=match):
        from_edge_list(edges)


def test_edge_list_rejects_bad_ids():
    with pytest.raises(IndexError, match=r"negative node id -1 \(in hyperedge 1\)"):
        from_edge_list([[0], [-1]])
    with pytest.raises(IndexError, match=r"node id 7 \(in hyperedge 1\) but num_nodes=5"):
        from_edge_list([[0], [7]], num_nodes=5)
    with pytest.raises(IndexError, match="does not fit in int64"):
        from_edge_list([[2**70]])
    with pytest.raises(IndexError, match="holds negative id"):
        from_edge_list(np.array([[0, -3]]))


def test_edge_list_rejects_bad_weight_and_num_nodes():
    with pytest.raises(ValueError, match=r"'edge_weight' to have shape \[2\]"):
        from_edge_list([[0], [1]], edge_weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"'edge_attr' to have 2 rows"):
        from_edge_list([[0], [1]], edge_attr=torch.ones(3, 4))
    with pytest.raises(ValueError, match=r"'num_nodes' to be >= 0"):
        from_edge_list([[0]], num_nodes=-1)


# ------------------------------------------------------------------------------- from_dict
def test_dict_follows_iteration_order_and_returns_keys():
    hg, keys = from_dict({"b": [0, 1], "a": [1, 2], 7: []}, return_keys=True)
    assert keys == ["b", "a", 7]
    assert hg.edges() == [[0, 1], [1, 2], []]
    assert from_dict({"b": [0, 1]}) == from_edge_list([[0, 1]])


def test_dict_weight_mapping_is_looked_up_by_key():
    hg = from_dict({"x": [0], "y": [1]}, edge_weight={"y": 2.0, "x": 5.0})
    assert hg.edge_weight.tolist() == [5.0, 2.0]


def test_dict_errors_name_the_key():
    with pytest.raises(IndexError, match=r"negative node id -2 \(in hyperedge 'b'\)"):
        from_dict({"a": [0], "b": [-2]})
    with pytest.raises(TypeError, match=r"got float 1.5 in hyperedge 'b'"):
        from_dict({"a": [0], "b": [1.5]})
    with pytest.raises(TypeError, match=r"'d' to be a mapping .* \(got list\)"):
        from_dict([[0]])
    with pytest.raises(KeyError, match=r"no weight for hyperedge key 'a'"):
        from_dict({"a": [0]}, edge_weight={"b": 1.0})


# -------------------------------------------------------------------------- from_incidence
H_LITERAL = np.array([[1, 0, 0], [1, 1, 0], [0, 3, 0], [0, 0, 0]])
H_EDGES = [[0, 1], [1, 2], []]


@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support is in beta")
@pytest.mark.parametrize("convert", [
    torch.from_numpy, lambda a: a, lambda a: a.tolist(), lambda a: torch.from_numpy(a) > 0,
    lambda a: torch.from_numpy(a).double(), lambda a: torch.from_numpy(a).to_sparse(),
    lambda a: torch.from_numpy(a).float().to_sparse_csr(), sp.csr_matrix, sp.csc_matrix,
    sp.coo_matrix, sp.lil_matrix, sp.dok_matrix, sp.csr_array,
], ids=["torch", "numpy", "list", "bool", "float64", "torch_coo", "torch_csr", "csr", "csc",
        "coo", "lil", "dok", "csr_array"])
def test_incidence_every_format_gives_the_same_hypergraph(convert):
    hg = from_incidence(convert(H_LITERAL))
    assert (hg.num_nodes, hg.num_edges) == (4, 3)
    assert hg.edges() == H_EDGES
    assert_close(hg.incidence("dense"), torch.from_numpy((H_LITERAL > 0).astype(np.float32)))


def test_incidence_sorted_by_edge_then_node():
    hg = from_incidence(torch.tensor([[0, 1], [1, 1]]))
    assert hg.hyperedge_index.tolist() == [[1, 0, 1], [0, 1, 1]]


def test_incidence_sparse_sums_duplicates_and_drops_explicit_zeros():
    coo = sp.coo_matrix(([1, 1, 0, 2, -2], ([0, 0, 2, 1, 1], [1, 1, 0, 0, 0])), shape=(3, 2))
    hg = from_incidence(coo)
    assert hg.edges() == [[], [0]]


def test_incidence_round_trip_and_weight():
    hg = from_edge_list([[0, 2], [1], []], num_nodes=4, edge_weight=torch.tensor([1.0, 2, 3]))
    back = from_incidence(hg.incidence("scipy"), edge_weight=hg.edge_weight)
    assert back == hg


@pytest.mark.parametrize("matrix, error, match", [
    (np.array([[1, -1]]), ValueError, r"negative entries \(min -1\)"),
    (np.array([[1.0, np.nan]]), ValueError, "NaN or infinite"),
    (torch.tensor([[float("inf")]]), ValueError, "NaN or infinite"),
    (sp.csr_matrix(np.array([[1, -2]])), ValueError, "negative entries"),
    (np.array([1, 2]), ValueError, r"'matrix' to be 2-D \(got shape \[2\]\)"),
    (torch.ones(2, 2, 2), ValueError, r"'matrix' to be 2-D \(got shape \[2, 2, 2\]\)"),
    (np.array([[1j]]), TypeError, "'matrix' to be real"),
    (sp.csr_matrix(np.array([[1j]])), TypeError, "'matrix' to be real"),
    (np.array([["a"]]), TypeError, "'matrix' to hold numbers"),
    ("H", TypeError, r"tensor, ndarray or scipy sparse matrix \(got str\)"),
])
def test_incidence_rejects_bad_input(matrix, error, match):
    with pytest.raises(error, match=match):
        from_incidence(matrix)


# -------------------------------------------------------------------- from_hyperedge_index
def test_hyperedge_index_unsorted_non_contiguous_ids_are_empty_hyperedges():
    hg = from_hyperedge_index(torch.tensor([[2, 0, 1], [5, 3, 5]]))
    assert hg.num_edges == 6
    assert hg.edges() == [[], [], [], [0], [], [1, 2]]


def test_hyperedge_index_relabel_compacts_ids_and_weights():
    index = [[2, 0, 1], [5, 3, 5]]
    weight = torch.arange(7.0)
    hg = from_hyperedge_index(index, num_nodes=4, num_edges=7, edge_weight=weight,
                              relabel_edges=True)
    assert (hg.num_nodes, hg.num_edges) == (4, 2)
    assert hg.edges() == [[0], [1, 2]]
    assert hg.edge_weight.tolist() == [3.0, 5.0]


def test_hyperedge_index_errors_come_from_the_hypergraph_checks():
    with pytest.raises(IndexError, match="holds negative id"):
        from_hyperedge_index([[0], [-1]])
    with pytest.raises(IndexError, match="hyperedge id 4 but num_edges=2"):
        from_hyperedge_index([[0], [4]], num_edges=2, relabel_edges=True)


# ------------------------------------------------------------------------ from_graph_edges
def test_graph_edges_every_input_form_agrees():
    pairs = [(0, 1), (2, 1), (2, 3)]
    expected = [[0, 1], [1, 2], [2, 3]]
    for graph in (pairs, torch.tensor(pairs).t(), np.array(pairs).T, nx.Graph(pairs)):
        hg = from_graph_edges(graph)
        assert hg.edges() == expected and hg.num_nodes == 4


def test_graph_edges_self_loop_is_a_singleton_and_directed_duplicates_are_kept():
    hg = from_graph_edges([(0, 1), (1, 0), (2, 2), (0, 1)], num_nodes=4)
    assert hg.edges() == [[0, 1], [0, 1], [2], [0, 1]]
    assert_close(hg.incidence("dense"), dense_reference(hg.edges(), 4))


def test_graph_edges_undirected_keeps_first_occurrence_and_its_weight():
    hg = from_graph_edges([(1, 0), (2, 2), (0, 1), (1, 0)], edge_weight=[4.0, 5.0, 6.0, 7.0],
                          undirected=True)
    assert hg.edges() == [[0, 1], [2]]
    assert hg.edge_weight.tolist() == [4.0, 5.0]


def test_graph_edges_networkx_labels_and_weight_attribute():
    G = nx.Graph()
    G.add_edge("b", "c", w=2.0)
    G.add_edge("a", "b")
    hg = from_graph_edges(G, edge_weight="w")  # ids: a=0, b=1, c=2 (sorted labels)
    assert hg.edges() == [[1, 2], [0, 1]]
    assert hg.edge_weight.tolist() == [2.0, 1.0]


def test_graph_edges_empty_graph():
    hg = from_graph_edges(torch.empty(2, 0, dtype=torch.long), num_nodes=3)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (3, 0, 0)
    assert from_graph_edges([], num_nodes=2).num_nodes == 2


@pytest.mark.parametrize("graph, kwargs, error, match", [
    ([(0, 1, 2)], {}, ValueError, r"list of \(u, v\) pairs to have shape \[E, 2\]"),
    (torch.tensor([[0, 1, 2]]), {}, ValueError, r"shape \[2, E\] \(got \[1, 3\]\)"),
    (torch.tensor([[0.0], [1.0]]), {}, TypeError, "'edge_index' to hold integers"),
    ("ab", {}, TypeError, r"a list of \(u, v\) pairs or a networkx graph \(got str\)"),
    ([(0, -1)], {}, IndexError, "negative id -1"),
    ([(0, 1)], {"num_nodes": 1}, IndexError, "node id 1 but num_nodes=1"),
    ([(0, 1)], {"edge_weight": torch.ones(2)}, ValueError, r"shape \[1\] \(E=1\)"),
    ([(0, 1)], {"edge_weight": "w"}, TypeError, "edge attribute only when"),
    (nx.path_graph(3), {"num_nodes": 5}, ValueError, "differs from the 3 nodes"),
])
def test_graph_edges_rejects_bad_input(graph, kwargs, error, match):
    with pytest.raises(error, match=match):
        from_graph_edges(graph, **kwargs)


# ------------------------------------------------------------------------- from_graph_khop
def brute_force_khop(pairs, n, k, include_self):
    A = np.zeros((n, n), dtype=bool)
    for u, v in pairs:
        A[u, v] = A[v, u] = True
    reach = np.eye(n, dtype=bool)
    for _ in range(k):
        reach = reach | (reach.astype(int) @ A.astype(int) > 0)
    if not include_self:
        np.fill_diagonal(reach, False)
    return [np.flatnonzero(row).tolist() for row in reach]


def test_khop_path_literal():
    path = [(0, 1), (1, 2), (2, 3)]
    assert from_graph_khop(path, k=1).edges() == [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3]]
    assert from_graph_khop(path, k=2).edges() == [[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3],
                                                  [1, 2, 3]]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("include_self", [True, False])
def test_khop_matches_dense_reachability_on_random_graph(k, include_self):
    rng = np.random.default_rng(k)
    pairs = rng.integers(0, 25, size=(30, 2)).tolist()  # includes self-loops and repeats
    hg = from_graph_khop(pairs, num_nodes=27, k=k, include_self=include_self)
    expected = brute_force_khop(pairs, 27, k, include_self)
    assert hg.num_edges == 27
    assert hg.edges() == expected
    assert_close(hg.incidence("dense"), dense_reference(expected, 27))


def test_khop_treats_directed_edges_as_undirected():
    assert from_graph_khop([(1, 0)]) == from_graph_khop([(0, 1)])
    assert from_graph_khop(nx.DiGraph([(0, 1)])).edges() == [[0, 1], [0, 1]]


def test_khop_isolated_node_without_self_gets_an_empty_hyperedge():
    hg = from_graph_khop([(0, 1)], num_nodes=3, include_self=False)
    assert hg.edges() == [[1], [0], []]


def test_khop_dedup_keeps_first_of_identical_hyperedges():
    rng = np.random.default_rng(7)
    pairs = rng.integers(0, 20, size=(15, 2)).tolist()
    full = from_graph_khop(pairs, num_nodes=22, k=2).edges()
    first = list(dict.fromkeys(map(tuple, full)))
    hg = from_graph_khop(pairs, num_nodes=22, k=2, dedup=True)
    assert hg.edges() == [list(e) for e in first]
    assert hg.num_edges < 22  # the two isolated nodes differ, but components repeat


def test_khop_dedup_is_exact_even_when_row_hashes_collide(monkeypatch):
    class ConstantSalt:  # every node gets the same salt: equal-length rows collide
        def integers(self, low, high, size, dtype):
            return np.zeros(size, dtype=dtype)

    monkeypatch.setattr(np.random, "default_rng", lambda seed: ConstantSalt())
    hg = from_graph_khop([(0, 1), (2, 3), (4, 5)], k=1, dedup=True)
    assert hg.edges() == [[0, 1], [2, 3], [4, 5]]


def test_khop_rejects_bad_k():
    with pytest.raises(ValueError, match=r"'k' to be >= 1 \(got 0\)"):
        from_graph_khop([(0, 1)], k=0)
    with pytest.raises(TypeError, match="'k' to be an int"):
        from_graph_khop([(0, 1)], k=1.5)


# ---------------------------------------------------------------------- from_graph_cliques
def test_cliques_literal_with_isolated_node_and_min_size():
    edges = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 3)]
    assert from_graph_cliques(edges, num_nodes=5).edges() == [[0, 1, 2], [2, 3], [4]]
    assert from_graph_cliques(edges, num_nodes=5, min_size=3).edges() == [[0, 1, 2]]


def test_cliques_match_networkx_on_random_graph():
    G = nx.gnp_random_graph(30, 0.25, seed=3)
    expected = sorted(sorted(c) for c in nx.find_cliques(G))
    hg = from_graph_cliques(G)
    assert hg.edges() == expected
    assert from_graph_cliques(torch.tensor(list(G.edges)).t(), num_nodes=30) == hg


def test_cliques_networkx_labels_map_in_sorted_order():
    G = nx.Graph([("c", "a"), ("a", "b"), ("d", "c")])
    assert from_graph_cliques(G).edges() == [[0, 1], [0, 2], [2, 3]]


def test_cliques_rejects_bad_min_size():
    with pytest.raises(ValueError, match=r"'min_size' to be >= 1 \(got 0\)"):
        from_graph_cliques([(0, 1)], min_size=0)


# ------------------------------------------------------------------------ from_feature_knn
def brute_force_knn(x, k, metric="euclidean"):
    x = x.double()
    if metric == "cosine":
        xn = torch.nn.functional.normalize(x, dim=1)
        dist = 1 - xn @ xn.t()
    else:
        dist = torch.cdist(x, x)
    dist.fill_diagonal_(float("inf"))
    order = torch.sort(dist, dim=1, stable=True).indices[:, :k]  # ties: lowest index first
    return [sorted([v] + row) for v, row in enumerate(order.tolist())]


def test_knn_literal_on_a_line():
    x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert from_feature_knn(x, k=1).edges() == [[0, 1], [0, 1], [1, 2], [2, 3]]
    assert from_feature_knn(x, k=3).edges() == [[0, 1, 2, 3]] * 4


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_knn_matches_brute_force(metric, chunk_size):
    x = torch.randn(40, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    hg = from_feature_knn(x, k=4, metric=metric, chunk_size=chunk_size)
    expected = brute_force_knn(x, 4, metric)
    assert (hg.num_nodes, hg.num_edges) == (40, 40)
    assert hg.edges() == expected
    assert_close(hg.incidence("dense"), dense_reference(expected, 40))


def test_knn_chunked_equals_unchunked_in_float32():
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(1))
    assert from_feature_knn(x, k=5, chunk_size=4) == from_feature_knn(x, k=5)


def test_knn_ties_break_by_lowest_index_across_chunks():
    # Node 0 is equidistant (1) from 1, 2, 3 and 4; with k=2 it picks 1 and 2.
    x = torch.tensor([[0.0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]])
    for chunk_size in (None, 1, 2):
        hg = from_feature_knn(x, k=2, include_self=False, chunk_size=chunk_size)
        assert hg.edges()[0] == [1, 2]
    duplicates = torch.zeros(5, 2)
    assert from_feature_knn(duplicates, k=2).edges() == [[0, 1, 2], [0, 1, 2], [0, 1, 2],
                                                         [0, 1, 3], [0, 1, 4]]


def test_knn_without_self_and_from_numpy():
    x = np.array([[0.0], [1.0], [3.0], [7.0]], dtype=np.float32)
    hg = from_feature_knn(x, k=2, include_self=False)
    assert hg.edges() == [[1, 2], [0, 2], [0, 1], [1, 2]]
    assert hg.edge_size.tolist() == [2, 2, 2, 2]


def test_knn_cosine_ignores_scale_and_handles_zero_rows():
    x = torch.tensor([[1.0, 0], [100, 1], [0, 1], [0, 0]])
    hg = from_feature_knn(x, k=1, metric="cosine", include_self=False)
    assert hg.edges() == [[1], [0], [1], [0]]  # the zero row has cosine 0 with all: ties


def test_knn_does_not_track_gradients():
    x = torch.randn(6, 2, requires_grad=True)
    assert from_feature_knn(x, k=2).hyperedge_index.requires_grad is False


@pytest.mark.parametrize("x, kwargs, error, match", [
    (torch.ones(3, 2), {"k": 3}, ValueError, r"'k' to be <= N - 1 = 2 \(got 3\)"),
    (torch.ones(3, 2), {"k": 0}, ValueError, r"'k' to be >= 1 \(got 0\)"),
    (torch.ones(3, 2, dtype=torch.long), {"k": 1}, TypeError, "floating tensor"),
    (torch.ones(3), {"k": 1}, ValueError, r"2-D \[N, D\] \(got shape \[3\]\)"),
    ([[0.0]], {"k": 1}, TypeError, r"floating \[N, D\] tensor \(got list\)"),
    (torch.tensor([[0.0], [float("nan")]]), {"k": 1}, ValueError, "NaN or infinite"),
    (torch.ones(3, 2), {"k": 1, "metric": "l1"}, ValueError, r"'metric' to be one of"),
    (torch.ones(3, 2), {"k": 1, "chunk_size": 0}, ValueError, "'chunk_size' to be >= 1"),
])
def test_knn_rejects_bad_input(x, kwargs, error, match):
    with pytest.raises(error, match=match):
        from_feature_knn(x, **kwargs)


# -------------------------------------------------------------------------- from_bipartite
def bipartite_of(hg: Hypergraph) -> nx.Graph:
    """Star expansion with the networkx bipartite attribute (labels v<i> and e<j>)."""
    B = nx.Graph()
    B.add_nodes_from((f"v{i}" for i in range(hg.num_nodes)), bipartite=0)
    B.add_nodes_from((f"e{j}" for j in range(hg.num_edges)), bipartite=1)
    B.add_edges_from((f"v{v}", f"e{e}") for v, e in hg.hyperedge_index.t().tolist())
    return B


def test_bipartite_literal_and_node_side():
    B = nx.Graph()
    B.add_nodes_from(["c", "a", "b"], bipartite=0)
    B.add_nodes_from(["e2", "e1", "e3"], bipartite=1)
    B.add_edges_from([("a", "e1"), ("e1", "b"), ("b", "e2"), ("c", "e2")])
    hg, nodes, edges = from_bipartite(B)
    assert (nodes, edges) == (["a", "b", "c"], ["e1", "e2", "e3"])
    assert hg.edges() == [[0, 1], [1, 2], []]  # e3 has no edge: an empty hyperedge
    dual, nodes, edges = from_bipartite(B, node_side=1)
    assert (nodes, edges) == (["e1", "e2", "e3"], ["a", "b", "c"])
    assert dual.edges() == [[0], [0, 1], [1]]


def test_bipartite_round_trip():
    hg = from_edge_list([[0, 1, 2], [2, 3], [], [4]], num_nodes=6)
    back, nodes, edges = from_bipartite(bipartite_of(hg))
    order_v = [int(label[1:]) for label in nodes]
    order_e = [int(label[1:]) for label in edges]
    assert order_v == list(range(6)) and order_e == list(range(4))
    assert back == hg


def test_bipartite_unsortable_labels_keep_insertion_order_and_multiedges_repeat():
    B = nx.MultiGraph()
    B.add_nodes_from([2, "x"], bipartite=0)
    B.add_node(("e",), bipartite=1)
    B.add_edges_from([("x", ("e",)), (2, ("e",)), ("x", ("e",))])
    hg, nodes, edges = from_bipartite(B)
    assert nodes == [2, "x"] and edges == [("e",)]
    assert hg.edges() == [[0, 1, 1]]


@pytest.mark.parametrize("make, kwargs, error, match", [
    (lambda: nx.Graph([(0, 1)]), {}, ValueError, "Node 0 of 'graph' has no 'bipartite'"),
    (lambda: nx.complete_bipartite_graph(1, 1), {"node_side": 2}, ValueError,
     r"'node_side' to be 0 or 1 \(got 2\)"),
    (lambda: [(0, 1)], {}, TypeError, r"'graph' to be a networkx graph \(got list\)"),
])
def test_bipartite_rejects_bad_input(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        from_bipartite(make(), **kwargs)


def test_bipartite_rejects_same_side_edges_and_bad_side_values():
    B = nx.Graph()
    B.add_nodes_from([0, 1], bipartite=0)
    B.add_edge(0, 1)
    with pytest.raises(ValueError, match=r"Edge \(0, 1\) .* same side \(bipartite=0\)"):
        from_bipartite(B)
    B.nodes[1]["bipartite"] = 2
    with pytest.raises(ValueError, match=r"Node 1 of 'graph' has bipartite=2"):
        from_bipartite(B)


def test_bipartite_matches_incidence_for_a_random_hypergraph():
    rng = np.random.default_rng(5)
    H = (rng.random((8, 5)) < 0.4).astype(np.int64)
    hg = from_incidence(H)
    back, _, _ = from_bipartite(bipartite_of(hg))
    assert_close(back.incidence("dense"), torch.from_numpy(H).float())
    assert list(itertools.chain.from_iterable(back.edges())) == list(
        itertools.chain.from_iterable(hg.edges()))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_builders_keep_the_input_device():
    x = torch.randn(20, 3, device="cuda")
    hg = from_feature_knn(x, k=3, chunk_size=6)
    assert hg.device == x.device
    assert hg.cpu() == from_feature_knn(x.cpu(), k=3)
    edge_index = torch.tensor([[0, 1], [1, 2]], device="cuda")
    assert from_graph_edges(edge_index).device == edge_index.device
    assert from_incidence(torch.eye(3, device="cuda")).device == edge_index.device
