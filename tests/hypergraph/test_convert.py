"""Conversions to and from PyG, DHG, networkx, scipy and XGI."""

from __future__ import annotations

import importlib.util
import warnings
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit.hypergraph import Hypergraph
from hgkit.hypergraph.convert import (
    LabeledHypergraph,
    from_dhg,
    from_networkx_bipartite,
    from_pyg,
    from_scipy,
    from_xgi,
    read_hif,
    to_dhg,
    to_networkx,
    to_pyg,
    to_scipy,
    to_xgi,
    write_hif,
)

# DHG builds sparse tensors that trigger a torch warning unrelated to hgkit.
pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks:UserWarning")


def toy() -> Hypergraph:
    """4 nodes (node 3 isolated), 3 hyperedges (edge 1 empty), a repeated node in edge 2."""
    return Hypergraph(torch.tensor([[0, 1, 1, 2, 2], [0, 0, 2, 2, 2]]), num_nodes=4,
                      num_edges=3, edge_weight=torch.tensor([1.0, 2.0, 0.5]))


@st.composite
def hypergraphs(draw, repeats: bool = True):
    n = draw(st.integers(1, 6))
    m = draw(st.integers(0, 5))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, max(m - 1, 0))),
                          max_size=12, unique=not repeats)) if m else []
    index = torch.tensor(pairs, dtype=torch.long).reshape(-1, 2).t()
    weights = st.floats(0, 10, width=32)
    edge_weight = (torch.tensor(draw(st.lists(weights, min_size=m, max_size=m)))
                   if draw(st.booleans()) else None)
    node_weight = (torch.tensor(draw(st.lists(weights, min_size=n, max_size=n)))
                   if draw(st.booleans()) else None)
    return Hypergraph(index, n, m, edge_weight=edge_weight, node_weight=node_weight)


def test_hif_functions_are_reexported():
    assert read_hif({"incidences": []}).hypergraph.num_nodes == 0
    assert callable(write_hif)


# ---------------------------------------------------------------------------------- PyG
def test_to_pyg_gives_hypergraphconv_arguments_and_counts():
    hg = toy()
    out = to_pyg(hg)
    assert set(out) == {"hyperedge_index", "hyperedge_weight", "hyperedge_attr", "num_edges",
                        "num_nodes"}
    assert out["hyperedge_index"] is hg.hyperedge_index
    assert out["hyperedge_weight"] is hg.edge_weight
    assert out["hyperedge_attr"] is None
    assert (out["num_nodes"], out["num_edges"]) == (4, 3)


def test_pyg_dict_round_trip_keeps_trailing_isolated_nodes_and_empty_edges():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=5, num_edges=3,
                    edge_attr=torch.arange(6.0).view(3, 2))
    assert from_pyg(to_pyg(hg)) == hg


def test_from_pyg_duck_typed_object_infers_num_nodes_from_x():
    data = SimpleNamespace(hyperedge_index=torch.tensor([[0, 1, 2], [0, 0, 1]]),
                           x=torch.randn(5, 3), edge_attr=torch.randn(4, 2))
    hg = from_pyg(data)
    assert (hg.num_nodes, hg.num_edges) == (5, 4)  # num_edges from the edge_attr rows
    assert hg.edge_attr is data.edge_attr


def test_from_pyg_reads_num_nodes_num_hyperedges_and_hyperedge_weight():
    data = SimpleNamespace(hyperedge_index=torch.tensor([[0], [0]]), num_nodes=3,
                           num_hyperedges=2, hyperedge_weight=torch.tensor([1.0, 4.0]),
                           num_edges=999)  # a PyG Data's num_edges is not a hyperedge count
    hg = from_pyg(data)
    assert (hg.num_nodes, hg.num_edges) == (3, 2)
    torch.testing.assert_close(hg.edge_weight, torch.tensor([1.0, 4.0]))


def test_from_pyg_explicit_arguments_override_fields():
    data = SimpleNamespace(hyperedge_index=torch.tensor([[0], [0]]), num_nodes=3)
    hg = from_pyg(data, num_nodes=7, num_edges=2, edge_weight=torch.tensor([2.0, 3.0]))
    assert (hg.num_nodes, hg.num_edges) == (7, 2)
    torch.testing.assert_close(hg.edge_weight, torch.tensor([2.0, 3.0]))


def test_from_pyg_raw_index_tensor_and_list():
    hg = from_pyg(torch.tensor([[0, 2], [1, 1]]))
    assert (hg.num_nodes, hg.num_edges) == (3, 2)
    assert from_pyg([[0, 2], [1, 1]], num_nodes=4).num_nodes == 4


def test_from_pyg_reads_edge_index_of_hypergraphdata():
    HyperGraphData = type("HyperGraphData", (), {})  # stands in for PyG's class
    data = HyperGraphData()
    data.edge_index = torch.tensor([[0, 1], [0, 0]])
    data.num_nodes = 2
    assert from_pyg(data).edges() == [[0, 1]]


def test_from_pyg_ignores_edge_index_of_other_objects():
    data = SimpleNamespace(edge_index=torch.tensor([[0, 1], [1, 0]]))  # a graph, not hyperedges
    with pytest.raises(TypeError, match="an object with a 'hyperedge_index' field "
                                        r"\(got SimpleNamespace\)"):
        from_pyg(data)


def test_from_pyg_rejects_bad_inputs():
    with pytest.raises(TypeError, match=r"Expected 'data' to be a hyperedge_index .* \(got int\)"):
        from_pyg(3)
    with pytest.raises(TypeError, match="Expected 'data.x' to be a"):
        from_pyg(SimpleNamespace(hyperedge_index=torch.tensor([[0], [0]]), x=[1, 2]))
    with pytest.raises(TypeError, match="Expected 'hyperedge_index' to hold integers"):
        from_pyg(torch.tensor([[0.0], [0.0]]))
    with pytest.raises(IndexError, match="holds node id 4 but num_nodes=2"):
        from_pyg(SimpleNamespace(hyperedge_index=torch.tensor([[4], [0]]), num_nodes=2))


def test_to_pyg_rejects_non_hypergraph():
    with pytest.raises(TypeError, match=r"Expected 'hg' to be a Hypergraph \(got Tensor"):
        to_pyg(torch.tensor([[0], [0]]))


@pytest.mark.skipif(importlib.util.find_spec("torch_geometric") is not None,
                    reason="torch_geometric is installed")
def test_to_pyg_as_data_without_torch_geometric_raises_clear_import_error():
    with pytest.raises(ImportError, match=r"to_pyg\(as_data=True\) needs torch_geometric"):
        to_pyg(toy(), as_data=True)


def test_to_pyg_as_data_with_torch_geometric():
    pytest.importorskip("torch_geometric.data.hypergraph_data")
    hg = toy()
    data = to_pyg(hg, as_data=True)
    assert data.num_nodes == 4 and torch.equal(data.edge_index, hg.hyperedge_index)
    assert from_pyg(data) == hg


# ---------------------------------------------------------------------------------- DHG
@pytest.fixture
def dhg():
    return pytest.importorskip("dhg")


def test_to_dhg_keeps_empty_edges_isolated_nodes_repeated_nodes_and_weights(dhg):
    hg = toy().replace(node_weight=torch.tensor([1.0, 2.0, 1.0, 3.0]))
    g = to_dhg(hg)
    assert g.num_v == 4
    assert g.e == ([(0, 1), (), (1, 2, 2)], [1.0, 2.0, 0.5])
    assert g.v_weight == [1.0, 2.0, 1.0, 3.0]


def test_dhg_round_trip(dhg):
    hg = toy().replace(node_weight=torch.tensor([1.0, 2.0, 1.0, 3.0]))
    assert from_dhg(to_dhg(hg)) == hg


def test_from_dhg_matches_dhg_incidence_and_degrees(dhg):
    g = dhg.Hypergraph(5, [[0, 1, 2], [2, 3], [3, 3], [4]], e_weight=[1.0, 2.0, 3.0, 0.5])
    hg = from_dhg(g)
    torch.testing.assert_close(hg.incidence("dense"), g.H.to_dense())
    torch.testing.assert_close(hg.node_degree, torch.tensor(g.deg_v))
    torch.testing.assert_close(hg.edge_size.float(), torch.tensor(g.deg_e))
    torch.testing.assert_close(hg.edge_weight, torch.tensor([1.0, 2.0, 3.0, 0.5]))
    assert hg.node_weight is None  # DHG's default all-ones v_weight


def test_from_dhg_reads_every_group(dhg):
    g = dhg.Hypergraph(3, [[0, 1]])
    g.add_hyperedges([[1, 2]], group_name="knn")
    assert from_dhg(g).edges() == [[0, 1], [1, 2]]


def test_to_dhg_merges_duplicate_hyperedges_with_merge_op(dhg):
    hg = Hypergraph(torch.tensor([[0, 1, 1, 0], [0, 0, 1, 1]]), num_nodes=2, num_edges=2,
                    edge_weight=torch.tensor([1.0, 3.0]))
    assert to_dhg(hg).e == ([(0, 1)], [2.0])
    assert to_dhg(hg, merge_op="sum").e == ([(0, 1)], [4.0])
    assert from_dhg(to_dhg(hg)).num_edges == 1  # what survives the round trip


@settings(max_examples=50, deadline=None)
@given(hypergraphs())
def test_dhg_round_trip_without_duplicate_hyperedges(hg):
    pytest.importorskip("dhg")
    members = [tuple(e) for e in hg.edges()]
    if len(set(members)) != len(members):
        return  # DHG merges these (tested above)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = to_dhg(hg)
        back = from_dhg(g)
        assert back == hg
        if hg.num_edges:
            torch.testing.assert_close(back.incidence("dense"), g.H.to_dense())
            torch.testing.assert_close(back.node_degree, torch.tensor(g.deg_v))


def test_to_dhg_device_defaults_to_the_hypergraph_device(dhg):
    g = to_dhg(toy())
    assert torch.device(g.device) == torch.device("cpu")
    assert from_dhg(to_dhg(toy(), device="cpu")).device == torch.device("cpu")


def test_dhg_bad_inputs(dhg):
    with pytest.raises(ValueError, match=r"Expected 'merge_op' to be one of .* \(got 'min'\)"):
        to_dhg(toy(), merge_op="min")
    with pytest.raises(ValueError, match="to_dhg\\(\\) needs num_nodes >= 1"):
        to_dhg(Hypergraph(torch.zeros(2, 0, dtype=torch.long), num_nodes=0, num_edges=0))
    with pytest.raises(TypeError, match=r"Expected 'hg' to be a Hypergraph \(got list\)"):
        to_dhg([[0, 1]])
    with pytest.raises(TypeError, match=r"Expected 'g' to be a dhg.Hypergraph \(got Graph\)"):
        from_dhg(dhg.Graph(3, [(0, 1)]))


# ---------------------------------------------------------------------------------- networkx
def test_to_networkx_convention():
    G = to_networkx(toy())
    assert dict(G.nodes(data="bipartite")) == {0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 1}
    assert [G.nodes[i]["kind"] for i in range(7)] == ["node"] * 4 + ["edge"] * 3
    assert sorted(G.edges(data="multiplicity", default=1)) == [
        (0, 4, 1), (1, 4, 1), (1, 6, 1), (2, 6, 2)]  # (2, 6): node 2 twice in edge 2
    assert [G.nodes[i]["weight"] for i in (4, 5, 6)] == [1.0, 2.0, 0.5]
    assert "weight" not in G.nodes[0]  # no node weights


def test_networkx_round_trip_with_labels():
    hg = toy().replace(node_weight=torch.tensor([0.5, 1.0, 2.0, 3.0]))
    back, node_labels, edge_labels = from_networkx_bipartite(to_networkx(hg))
    assert back == hg
    assert (node_labels, edge_labels) == ([0, 1, 2, 3], [4, 5, 6])


@settings(max_examples=50, deadline=None)
@given(hypergraphs())
def test_networkx_round_trip_property(hg):
    assert from_networkx_bipartite(to_networkx(hg)).hypergraph == hg


def test_from_networkx_bipartite_arbitrary_labels_and_default_weights():
    G = nx.Graph()
    G.add_node("a", bipartite=0, weight=2.0)
    G.add_node("b", bipartite=0)
    G.add_node("E", bipartite=1)
    G.add_node("F", bipartite=1)  # empty hyperedge
    G.add_edges_from([("E", "b"), ("a", "E")])
    result = from_networkx_bipartite(G)
    assert isinstance(result, LabeledHypergraph)
    assert result.hypergraph.edges() == [[0, 1], []]
    assert (result.node_labels, result.edge_labels) == (["a", "b"], ["E", "F"])
    torch.testing.assert_close(result.hypergraph.node_weight, torch.tensor([2.0, 1.0]))
    assert result.hypergraph.edge_weight is None


def test_from_networkx_multigraph_parallel_edges_are_repeated_incidences():
    G = nx.MultiGraph()
    G.add_nodes_from([0], bipartite=0)
    G.add_nodes_from([1], bipartite=1)
    G.add_edges_from([(0, 1), (0, 1)])
    assert from_networkx_bipartite(G).hypergraph.incidence("dense").tolist() == [[2.0]]


def test_from_networkx_bipartite_errors():
    G = nx.Graph([(0, 1)])
    with pytest.raises(ValueError, match=r"Node 0 of 'graph' has bipartite=None; expected 0"):
        from_networkx_bipartite(G)
    nx.set_node_attributes(G, {0: 0, 1: 0}, "bipartite")
    with pytest.raises(ValueError, match=r"Edge \(0, 1\) of 'graph' joins two nodes on the same"):
        from_networkx_bipartite(G)
    nx.set_node_attributes(G, {1: 1}, "bipartite")
    G.edges[0, 1]["multiplicity"] = 0
    with pytest.raises(ValueError, match=r"has multiplicity=0; expected an int >= 1"):
        from_networkx_bipartite(G)
    G.edges[0, 1]["multiplicity"] = 1
    G.nodes[1]["weight"] = "heavy"
    with pytest.raises(TypeError, match="Node 1 has a 'weight' that is not a number"):
        from_networkx_bipartite(G)
    with pytest.raises(TypeError, match="Expected 'graph' to be undirected"):
        from_networkx_bipartite(nx.DiGraph())
    with pytest.raises(TypeError, match=r"Expected 'graph' to be a networkx graph \(got dict\)"):
        from_networkx_bipartite({0: [1]})
    with pytest.raises(TypeError, match="Expected 'hg' to be a Hypergraph"):
        to_networkx(nx.Graph())


# ---------------------------------------------------------------------------------- scipy
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_to_scipy_equals_dense_incidence(fmt):
    hg = toy()
    mat = to_scipy(hg, fmt)
    assert mat.format == fmt and mat.shape == (4, 3)
    np.testing.assert_array_equal(mat.toarray(), hg.incidence("dense").numpy())


def test_from_scipy_entries_are_multiplicities_and_shape_gives_counts():
    hg = from_scipy(sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 2], [0, 0, 0]])))
    assert (hg.num_nodes, hg.num_edges) == (3, 3)
    assert hg.edges() == [[0], [], [1, 1]]


def test_from_scipy_accepts_dense_bool_and_drops_explicit_zeros():
    assert from_scipy(np.array([[True, False], [True, True]])).edges() == [[0, 1], [1]]
    mat = sp.csr_matrix((np.array([0.0, 1.0]), (np.array([0, 1]), np.array([0, 0]))),
                        shape=(2, 1))
    assert from_scipy(mat).edges() == [[1]]


@settings(max_examples=50, deadline=None)
@given(hypergraphs())
def test_scipy_round_trip_property(hg):
    back = from_scipy(to_scipy(hg, "coo"))
    assert back == Hypergraph(hg.hyperedge_index, hg.num_nodes, hg.num_edges)  # no weights


def test_scipy_bad_inputs():
    with pytest.raises(ValueError, match=r"Expected 'format' to be one of .* \(got 'dense'\)"):
        to_scipy(toy(), "dense")
    with pytest.raises(ValueError, match=r"non-negative integer multiplicities \(got 0.5 at "
                                         r"\(1, 0\)\)"):
        from_scipy(sp.csr_matrix(np.array([[1.0], [0.5]])))
    with pytest.raises(ValueError, match=r"non-negative integer multiplicities \(got -1"):
        from_scipy(np.array([[-1]]))
    with pytest.raises(ValueError, match=r"Expected 'matrix' to be 2-dimensional \(got shape"):
        from_scipy(np.zeros(3))
    with pytest.raises(TypeError, match=r"scipy sparse matrix or ndarray \(got list\)"):
        from_scipy([[1, 0]])
    with pytest.raises(TypeError, match="Expected 'matrix' to hold real numbers"):
        from_scipy(np.array([[1j]]))


# ---------------------------------------------------------------------------------- XGI
@pytest.fixture
def xgi():
    return pytest.importorskip("xgi")


def test_to_xgi_keeps_all_nodes_edge_ids_and_weights(xgi):
    H = to_xgi(toy().replace(node_weight=torch.tensor([1.0, 2.0, 3.0, 4.0])))
    assert list(H.nodes) == [0, 1, 2, 3]  # isolated node 3 included
    assert H.edges.members(dtype=dict) == {0: {0, 1}, 1: set(), 2: {1, 2}}  # repeat collapsed
    assert {e: H.edges[e]["weight"] for e in H.edges} == {0: 1.0, 1: 2.0, 2: 0.5}
    assert [H.nodes[n]["weight"] for n in H.nodes] == [1.0, 2.0, 3.0, 4.0]


def test_from_xgi_maps_arbitrary_ids(xgi):
    H = xgi.Hypergraph()
    H.add_nodes_from(["iso", "b", "a"])
    H.add_edges_from({"e1": ["a", "b"], 7: [], "e3": ["a"]})
    H.set_edge_attributes({"e1": 2.5}, name="weight")
    hg, node_labels, edge_labels = from_xgi(H)
    assert (node_labels, edge_labels) == (["iso", "b", "a"], ["e1", 7, "e3"])
    assert hg.edges() == [[1, 2], [], [2]]
    torch.testing.assert_close(hg.edge_weight, torch.tensor([2.5, 1.0, 1.0]))
    assert hg.node_weight is None


@settings(max_examples=50, deadline=None)
@given(hypergraphs(repeats=False))
def test_xgi_round_trip_property(hg):
    pytest.importorskip("xgi")
    back, node_labels, edge_labels = from_xgi(to_xgi(hg))
    assert back == hg
    assert node_labels == list(range(hg.num_nodes)) and edge_labels == list(range(hg.num_edges))


def test_xgi_bad_inputs(xgi):
    with pytest.raises(TypeError, match="directed hypergraphs are not supported"):
        from_xgi(xgi.DiHypergraph())
    with pytest.raises(TypeError, match=r"Expected 'H' to be an xgi.Hypergraph \(got dict\)"):
        from_xgi({"e": [0, 1]})
    H = xgi.Hypergraph({"e": [0]})
    H.set_node_attributes({0: "x"}, name="weight")
    with pytest.raises(TypeError, match="Node 0 has a 'weight' that is not a number"):
        from_xgi(H)
    with pytest.raises(TypeError, match="Expected 'hg' to be a Hypergraph"):
        to_xgi(H)
