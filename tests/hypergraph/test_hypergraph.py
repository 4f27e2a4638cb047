"""Tests of the Hypergraph data structure: construction, caches, equality, persistence."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from hgkit import Hypergraph

# Nodes 0..4 (4 isolated), hyperedges 0..2 (2 empty): e0 = {0, 1}, e1 = {1, 2, 3}.
# Weights are zero or well away from float32 underflow (1 / 1e-40 overflows to inf).
WEIGHTS = st.one_of(st.just(0.0), st.floats(1e-3, 5))
INDEX = torch.tensor([[0, 1, 1, 2, 3], [0, 0, 1, 1, 1]])


def small(**kwargs) -> Hypergraph:
    return Hypergraph(INDEX, num_nodes=5, num_edges=3, **kwargs)


def dense_h(hg: Hypergraph) -> torch.Tensor:
    h = torch.zeros(hg.num_nodes, hg.num_edges)
    for v, e in hg.hyperedge_index.t().tolist():
        h[v, e] += 1
    return h


@st.composite
def hypergraphs(draw, max_nodes: int = 8, max_edges: int = 6, weights: bool = True):
    n = draw(st.integers(0, max_nodes))
    m = draw(st.integers(0, max_edges))
    nnz = draw(st.integers(0, 20)) if n and m else 0
    nodes = draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=nnz, max_size=nnz))
    edges = draw(st.lists(st.integers(0, max(m - 1, 0)), min_size=nnz, max_size=nnz))
    kwargs = {}
    if weights and draw(st.booleans()):
        kwargs["edge_weight"] = torch.tensor(
            draw(st.lists(WEIGHTS, min_size=m, max_size=m)), dtype=torch.float
        )
    if weights and draw(st.booleans()):
        kwargs["node_weight"] = torch.tensor(
            draw(st.lists(WEIGHTS, min_size=n, max_size=n)), dtype=torch.float
        )
    index = torch.tensor([nodes, edges], dtype=torch.long).reshape(2, nnz)
    return Hypergraph(index, num_nodes=n, num_edges=m, **kwargs)


# ---------------------------------------------------------------- construction
def test_sizes_are_explicit_python_ints():
    hg = small()
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (5, 3, 5)
    assert all(isinstance(v, int) for v in (hg.num_nodes, hg.num_edges, hg.nnz))


def test_sizes_inferred_from_max_id_when_omitted():
    hg = Hypergraph(INDEX)
    assert (hg.num_nodes, hg.num_edges) == (4, 2)


def test_sizes_inferred_from_weights_when_omitted():
    hg = Hypergraph(INDEX, edge_weight=torch.ones(3), node_weight=torch.ones(6))
    assert (hg.num_nodes, hg.num_edges) == (6, 3)


def test_accepts_numpy_and_lists_and_narrow_int_dtypes():
    a = Hypergraph(INDEX.numpy(), num_nodes=5, num_edges=3)
    b = Hypergraph(INDEX.tolist(), num_nodes=5, num_edges=3)
    c = Hypergraph(INDEX.to(torch.int32), num_nodes=5, num_edges=3)
    assert a == small() and b == small() and c == small()
    assert c.hyperedge_index.dtype == torch.long


def test_empty_hypergraph_is_legal():
    hg = Hypergraph(torch.empty(2, 0, dtype=torch.long), num_nodes=3, num_edges=2)
    assert hg.nnz == 0
    assert hg.edges() == [[], []]
    assert_close(hg.node_degree, torch.zeros(3))
    assert_close(hg.edge_size, torch.zeros(2, dtype=torch.long))


def test_empty_list_input_is_legal():
    hg = Hypergraph([[], []], num_nodes=0, num_edges=0)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (0, 0, 0)


def test_repr_names_sizes_fields_and_device():
    hg = small(edge_weight=torch.ones(3), edge_attr=torch.zeros(3, 4))
    assert repr(hg) == (
        "Hypergraph(num_nodes=5, num_edges=3, nnz=5, edge_weight=[3], edge_attr=[3, 4], "
        "device=cpu)"
    )


def test_len_is_number_of_hyperedges():
    assert len(small()) == 3


# ---------------------------------------------------------------- immutability
def test_attributes_cannot_be_set():
    hg = small()
    with pytest.raises(AttributeError, match="immutable"):
        hg.num_nodes = 7
    with pytest.raises(AttributeError, match="immutable"):
        hg.foo = 1
    with pytest.raises(AttributeError, match="immutable"):
        del hg._index


def test_replace_returns_new_validated_object():
    hg = small()
    weighted = hg.replace(edge_weight=torch.tensor([1.0, 2.0, 3.0]))
    assert hg.edge_weight is None
    assert_close(weighted.edge_weight, torch.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="'edge_weight' to have shape \\[3\\]"):
        hg.replace(edge_weight=torch.ones(2))
    with pytest.raises(TypeError, match="unexpected argument"):
        hg.replace(colour="red")


# ---------------------------------------------------------------- degrees (dense references)
def test_degrees_match_dense_reference_unweighted():
    hg = small()
    h = dense_h(hg)
    assert_close(hg.node_degree, h.sum(1))
    assert_close(hg.edge_degree, h.sum(0))
    assert_close(hg.node_count, h.sum(1).long())
    assert_close(hg.edge_size, h.sum(0).long())


def test_weighted_degrees_match_dense_reference():
    w = torch.tensor([2.0, 0.5, 3.0])
    u = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    hg = small(edge_weight=w, node_weight=u)
    h = dense_h(hg)
    assert_close(hg.node_degree, h @ w)
    assert_close(hg.edge_degree, h.t() @ u)
    # Counts ignore weights.
    assert_close(hg.edge_size, torch.tensor([2, 3, 0]))


def test_repeated_incidence_counts_twice():
    hg = Hypergraph(torch.tensor([[0, 0, 1], [0, 0, 0]]), num_nodes=2, num_edges=1)
    assert_close(hg.node_count, torch.tensor([2, 1]))
    assert_close(hg.incidence("dense"), torch.tensor([[2.0], [1.0]]))
    assert hg.edges() == [[0, 0, 1]]


def test_degrees_are_cached():
    hg = small()
    assert hg.node_degree is hg.node_degree
    assert hg.incidence("csr") is hg.incidence("csr")


@settings(max_examples=60, deadline=None)
@given(hypergraphs())
def test_degrees_property(hg):
    h = dense_h(hg)
    w = hg.edge_weight if hg.edge_weight is not None else torch.ones(hg.num_edges)
    u = hg.node_weight if hg.node_weight is not None else torch.ones(hg.num_nodes)
    assert_close(hg.node_degree, h @ w)
    assert_close(hg.edge_degree, h.t() @ u)


# ---------------------------------------------------------------- incidence and edges
@pytest.mark.parametrize("layout", ["coo", "csr", "csc"])
def test_torch_sparse_incidence_matches_dense(layout):
    hg = small()
    mat = hg.incidence(layout)
    assert mat.shape == (5, 3)
    assert_close(mat.to_dense(), dense_h(hg))


@pytest.mark.parametrize("layout", ["scipy", "scipy_csr", "scipy_csc", "scipy_coo"])
def test_scipy_incidence_matches_dense(layout):
    hg = Hypergraph(torch.tensor([[0, 0, 1], [0, 0, 1]]), num_nodes=3, num_edges=2)
    mat = hg.incidence(layout)
    assert sp.issparse(mat)
    np.testing.assert_array_equal(mat.toarray(), dense_h(hg).numpy())


def test_incidence_rejects_unknown_layout():
    with pytest.raises(ValueError, match="Expected 'layout' to be one of .* \\(got 'bsr'\\)"):
        small().incidence("bsr")


def test_edges_lists_members_sorted_with_empty_edges():
    hg = Hypergraph(torch.tensor([[3, 1, 0], [1, 1, 0]]), num_nodes=4, num_edges=3)
    assert hg.edges() == [[0], [1, 3], []]


def test_sorted_incidence_gives_csr_pointers():
    hg = Hypergraph(torch.tensor([[2, 0, 1, 0], [1, 1, 0, 0]]), num_nodes=3, num_edges=3)
    perm, ptr = hg.sorted_incidence("edge")
    assert hg.hyperedge_index[:, perm].tolist() == [[0, 1, 0, 2], [0, 0, 1, 1]]
    assert ptr.tolist() == [0, 2, 4, 4]
    perm, ptr = hg.sorted_incidence("node")
    assert hg.hyperedge_index[:, perm].tolist() == [[0, 0, 1, 2], [0, 1, 0, 1]]
    assert ptr.tolist() == [0, 2, 3, 4]
    with pytest.raises(ValueError, match="'by' to be 'edge' or 'node'"):
        hg.sorted_incidence("row")


# ---------------------------------------------------------------- dual, to, equality
def test_dual_swaps_roles():
    hg = small(edge_weight=torch.tensor([1.0, 2.0, 3.0]))
    d = hg.dual()
    assert (d.num_nodes, d.num_edges) == (3, 5)
    assert_close(d.incidence("dense"), dense_h(hg).t())
    assert_close(d.node_weight, torch.tensor([1.0, 2.0, 3.0]))
    assert d.edge_weight is None


@settings(max_examples=60, deadline=None)
@given(hypergraphs())
def test_dual_is_an_involution(hg):
    assert hg.dual().dual() == hg


def test_to_same_device_returns_self():
    hg = small()
    assert hg.to("cpu") is hg
    assert hg.cpu() is hg


def test_equality_ignores_incidence_order_but_not_structure():
    a = small()
    b = Hypergraph(INDEX[:, [4, 2, 0, 3, 1]], num_nodes=5, num_edges=3)
    assert a == b
    assert a != Hypergraph(INDEX, num_nodes=6, num_edges=3)
    assert a != Hypergraph(INDEX[:, :4], num_nodes=5, num_edges=3)
    assert a != "not a hypergraph"


def test_equality_treats_missing_weight_as_ones():
    assert small() == small(edge_weight=torch.ones(3))
    assert small() != small(edge_weight=torch.tensor([1.0, 1.0, 2.0]))


def test_equality_compares_incidence_attr_in_canonical_order():
    attr = torch.arange(5.0).unsqueeze(1)
    perm = [4, 2, 0, 3, 1]
    a = small(incidence_attr=attr)
    b = Hypergraph(INDEX[:, perm], num_nodes=5, num_edges=3, incidence_attr=attr[perm])
    assert a == b
    assert a != Hypergraph(INDEX[:, perm], num_nodes=5, num_edges=3, incidence_attr=attr)


def test_hypergraph_is_unhashable():
    with pytest.raises(TypeError):
        hash(small())


# ---------------------------------------------------------------- persistence
def test_save_load_round_trip_with_all_fields(tmp_path):
    hg = small(
        edge_weight=torch.tensor([1.0, 2.0, 0.0]),
        node_weight=torch.arange(5.0),
        edge_attr=torch.randn(3, 2),
        node_attr=torch.randn(5, 4),
        incidence_attr=torch.randn(5, 3),
    )
    hg.save(tmp_path / "hg.pt")
    loaded = Hypergraph.load(tmp_path / "hg.pt")
    assert loaded == hg
    assert_close(loaded.edge_attr, hg.edge_attr)


@settings(max_examples=30, deadline=None)
@given(hypergraphs())
def test_save_load_round_trip_property(tmp_path_factory, hg):
    path = tmp_path_factory.mktemp("hg") / "hg.pt"
    hg.save(path)
    assert Hypergraph.load(path) == hg


def test_load_rejects_a_non_hgkit_file(tmp_path):
    torch.save({"weights": torch.ones(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="does not hold an hgkit.Hypergraph"):
        Hypergraph.load(tmp_path / "other.pt")


class Evil:
    """An arbitrary class a malicious file could reference."""


def test_load_refuses_arbitrary_pickled_objects(tmp_path):
    torch.save({"format": "hgkit.Hypergraph", "obj": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="not a safe hgkit file"):
        Hypergraph.load(tmp_path / "evil.pt")


def test_load_rejects_garbage_bytes(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"definitely not a torch file")
    with pytest.raises(ValueError, match="not a safe hgkit file"):
        Hypergraph.load(tmp_path / "junk.pt")


def test_load_validates_content(tmp_path):
    torch.save({"format": "hgkit.Hypergraph", "version": 1, "num_nodes": 1, "num_edges": 1,
                "hyperedge_index": torch.tensor([[5], [0]])}, tmp_path / "bad.pt")
    with pytest.raises(IndexError, match="node id 5 but num_nodes=1"):
        Hypergraph.load(tmp_path / "bad.pt")


# ---------------------------------------------------------------- bad input
def test_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \[2, nnz\] \(got \[3, 2\]\)"):
        Hypergraph(torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"shape \[2, nnz\] \(got \[4\]\)"):
        Hypergraph(torch.zeros(4, dtype=torch.long))


def test_rejects_float_indices():
    with pytest.raises(TypeError, match="'hyperedge_index' to hold integers .*float32"):
        Hypergraph(torch.tensor([[0.0, 1.0], [0.0, 0.0]]))
    with pytest.raises(TypeError, match="'hyperedge_index' to hold integers .*float64"):
        Hypergraph(np.array([[0.5, 1.0], [0.0, 0.0]]))


def test_rejects_bool_indices():
    with pytest.raises(TypeError, match="'hyperedge_index' to hold integers .*bool"):
        Hypergraph(torch.tensor([[True, False], [False, False]]))


def test_rejects_wrong_container_type():
    with pytest.raises(TypeError, match="'hyperedge_index' to be a LongTensor.*got str"):
        Hypergraph("0 1")


def test_rejects_ragged_lists():
    with pytest.raises(ValueError, match="'hyperedge_index' to be a rectangular array"):
        Hypergraph([[0, 1], [0]])


def test_rejects_negative_ids():
    with pytest.raises(IndexError, match=r"'hyperedge_index\[0\]' holds negative id -1"):
        Hypergraph(torch.tensor([[-1, 0], [0, 0]]))
    with pytest.raises(IndexError, match=r"'hyperedge_index\[1\]' holds negative id -2"):
        Hypergraph(torch.tensor([[0, 0], [0, -2]]))


def test_rejects_num_nodes_smaller_than_ids():
    with pytest.raises(IndexError, match=r"node id 3 but num_nodes=3"):
        Hypergraph(torch.tensor([[3], [0]]), num_nodes=3, num_edges=1)


def test_rejects_num_edges_smaller_than_ids():
    with pytest.raises(IndexError, match=r"hyperedge id 1 but num_edges=1"):
        Hypergraph(torch.tensor([[0], [1]]), num_nodes=1, num_edges=1)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3"])
def test_rejects_bad_counts(bad):
    with pytest.raises((TypeError, ValueError), match="'num_nodes'"):
        Hypergraph(INDEX, num_nodes=bad, num_edges=3)


def test_weight_wrong_length():
    with pytest.raises(ValueError, match=r"'edge_weight' to have shape \[3\] .*got \[2\]"):
        small(edge_weight=torch.ones(2))
    with pytest.raises(ValueError, match=r"'node_weight' to have shape \[5\] .*got \[5, 1\]"):
        small(node_weight=torch.ones(5, 1))


def test_weight_negative_or_nan():
    with pytest.raises(ValueError, match="'edge_weight' holds negative values"):
        small(edge_weight=torch.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="'node_weight' holds NaN or infinite values"):
        small(node_weight=torch.tensor([1.0, float("nan"), 1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="'edge_weight' holds NaN or infinite values"):
        small(edge_weight=torch.tensor([1.0, float("inf"), 1.0]))


def test_weight_wrong_type():
    with pytest.raises(TypeError, match="'edge_weight' to be a Tensor .*got str"):
        small(edge_weight="heavy")
    with pytest.raises(TypeError, match="'edge_weight' to be a real tensor .*bool"):
        small(edge_weight=torch.tensor([True, False, True]))


def test_integer_weights_are_promoted_to_float():
    hg = small(edge_weight=torch.tensor([1, 2, 3]))
    assert hg.edge_weight.dtype == torch.get_default_dtype()


def test_attr_wrong_rows():
    with pytest.raises(ValueError, match=r"'edge_attr' to have 3 rows .*got shape \[2, 4\]"):
        small(edge_attr=torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"'incidence_attr' to have 5 rows \(nnz=5\)"):
        small(incidence_attr=torch.zeros(4))
    with pytest.raises(ValueError, match=r"'node_attr' to have 5 rows"):
        small(node_attr=torch.tensor(1.0))


@pytest.mark.skipif(not hasattr(torch, "device"), reason="torch without devices")
def test_rejects_mismatched_devices():
    meta = torch.ones(3, device="meta")
    with pytest.raises(ValueError, match="'edge_weight' on device cpu .*got meta"):
        small(edge_weight=meta)
    with pytest.raises(ValueError, match="'edge_attr' on device cpu .*got meta"):
        small(edge_attr=torch.ones(3, 2, device="meta"))
