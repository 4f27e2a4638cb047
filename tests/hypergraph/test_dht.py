"""Tests for the dual hypergraph transformation (hgkit.hypergraph.dht, spec §1.1 / §5)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import Hypergraph
from hgkit.hypergraph import transforms
from hgkit.hypergraph.dht import dht, dht_inverse

PROPERTY = settings(max_examples=80, deadline=None)


def ehgnn_reference(edge_index: torch.Tensor, add_loops: bool) -> torch.Tensor:
    """The spec's steps written out literally (hyperedge ids as in the EHGNN code: kept node
    ids with gaps, loops numbered from max_hyperedge + 1)."""
    m = edge_index.size(1)
    dual_node = torch.arange(m).repeat_interleave(2)
    hyperedge = edge_index.T.flatten()
    index = torch.stack([dual_node, hyperedge])
    if add_loops:
        keep = hyperedge.bincount()[hyperedge] != 1
        top = int(hyperedge.max())
        loops = torch.stack([torch.arange(m), torch.arange(top + 1, top + 1 + m)])
        index = torch.cat([index[:, keep], loops], dim=1)
    return index


# ---------------------------------------------------------------------- literal spec examples
def test_dht_builds_dual_incidence_per_spec():
    # 0 -> 1, 1 -> 0 (one undirected edge, two dual nodes), 1 -> 2, self-loop 2 -> 2
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 2]])
    hg, edge_batch = dht(edge_index, num_nodes=4)
    assert hg.hyperedge_index.tolist() == [[0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 1, 0, 1, 2, 2, 2]]
    assert (hg.num_nodes, hg.num_edges) == (4, 4)  # #dual nodes = #directed edges
    assert hg.edges() == [[0, 1], [0, 1, 2], [2, 3, 3], []]  # self-loop: repeated incidence
    assert hg.node_count.tolist() == [2, 2, 2, 2]
    assert edge_batch is None
    assert torch.equal(hg.hyperedge_index, ehgnn_reference(edge_index, add_loops=False))


def test_dht_swaps_node_and_edge_features():
    x = torch.tensor([[1.0], [2.0], [3.0]])
    edge_attr = torch.tensor([[10.0, 11.0], [20.0, 21.0]])
    hg, _ = dht(torch.tensor([[0, 1], [1, 2]]), x=x, edge_attr=edge_attr)
    assert hg.num_edges == 3  # inferred from x
    assert hg.edge_attr is x and hg.node_attr is edge_attr


def test_dht_add_loops_matches_the_hand_computed_spec_result():
    # path 0 -> 1 -> 2: graph nodes 0 and 2 touch one dual node each and are dropped;
    # node 1 (dual nodes {0, 1}) is kept as hyperedge 0; loops {0}, {1} are hyperedges 1, 2.
    edge_index = torch.tensor([[0, 1], [1, 2]])
    x = torch.tensor([[5.0], [6.0], [7.0]])
    hg, _ = dht(edge_index, x=x, add_loops=True)
    assert hg.hyperedge_index.tolist() == [[0, 1, 0, 1], [0, 0, 1, 2]]
    assert (hg.num_nodes, hg.num_edges) == (2, 3)
    assert hg.edges() == [[0, 1], [0], [1]]
    assert hg.edge_attr.tolist() == [[6.0], [0.0], [0.0]]  # x of kept nodes, zeros for loops
    # The official code numbers hyperedges with gaps: kept node 1, loops max_id+1 = 3, 4.
    assert ehgnn_reference(edge_index, add_loops=True).tolist() == [[0, 1, 0, 1], [1, 1, 3, 4]]


def test_dht_add_loops_on_symmetric_graph_gives_dual_degree_three():
    # spec §5: with a symmetric edge_index no hyperedge is dropped and every dual node has
    # degree 2 + 1 loop.
    edge_index = torch.tensor([[0, 1, 1, 2, 0, 2], [1, 0, 2, 1, 2, 0]])
    hg, _ = dht(edge_index, add_loops=True)
    assert hg.num_edges == 3 + 6
    assert hg.node_count.tolist() == [3] * 6
    assert hg.edges()[3:] == [[i] for i in range(6)]


@pytest.mark.parametrize("seed", range(5))
def test_dht_add_loops_equals_ehgnn_reference_up_to_compaction(seed):
    gen = torch.Generator().manual_seed(seed)
    n = 6
    edge_index = torch.randint(0, n, (2, 9), generator=gen)
    edge_index = torch.cat([edge_index, torch.stack([torch.arange(n), torch.arange(n)])], 1)
    ours, _ = dht(edge_index, num_nodes=n, add_loops=True)  # no isolated node
    ref = ehgnn_reference(edge_index, add_loops=True)
    compact = torch.unique(ref[1], return_inverse=True)[1]
    assert torch.equal(ours.hyperedge_index, torch.stack([ref[0], compact]))


def test_dht_keeps_isolated_nodes_as_empty_hyperedges_even_with_loops():
    hg, _ = dht(torch.tensor([[0], [2]]), num_nodes=4, add_loops=True)
    assert hg.edges() == [[], [], [0]]  # nodes 0, 2 dropped (1 member); 1, 3 empty; 1 loop


def test_dht_batch_of_two_graphs_gives_one_dual_hypergraph():
    # graph 0: nodes 0..2 with 0 -> 1, 1 -> 2 ; graph 1: nodes 3..4 with 3 -> 4, 4 -> 3
    edge_index = torch.tensor([[0, 3, 1, 4], [1, 4, 2, 3]])
    batch = torch.tensor([0, 0, 0, 1, 1])
    x = torch.arange(5.0).view(5, 1)
    hg, edge_batch = dht(edge_index, x=x, batch=batch)
    assert edge_batch.tolist() == [0, 1, 0, 1]
    assert hg.edges() == [[0], [0, 2], [2], [1, 3], [1, 3]]
    one, _ = dht(torch.tensor([[0, 1], [1, 2]]), x=x[:3])
    two, _ = dht(torch.tensor([[0, 1], [1, 0]]), x=x[3:])
    assert transforms.subhypergraph(hg, nodes=[0, 2], edges=[0, 1, 2])[0] == one
    assert transforms.subhypergraph(hg, nodes=[1, 3], edges=[3, 4])[0] == two
    assert dht(edge_index, batch=batch)[0].num_edges == 5  # num_nodes inferred from batch


# ---------------------------------------------------------------------- round trips
@st.composite
def graphs(draw):
    """Directed multigraphs with self-loops and isolated nodes, optional features and batch."""
    n = draw(st.integers(0, 7))
    m = draw(st.integers(0, 12)) if n else 0
    ends = st.lists(st.integers(0, max(n - 1, 0)), min_size=m, max_size=m)
    edge_index = torch.tensor([draw(ends), draw(ends)], dtype=torch.long).view(2, m)
    x = torch.randn(n, 3) if draw(st.booleans()) else None
    edge_attr = torch.arange(m * 2.0).view(m, 2) if draw(st.booleans()) else None
    batch = None
    if draw(st.booleans()):
        batch = torch.tensor(sorted(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))),
                             dtype=torch.long)
    return edge_index, n, x, edge_attr, batch


@PROPERTY
@given(graphs())
def test_dht_inverse_recovers_the_graph_exactly(graph):
    edge_index, n, x, edge_attr, batch = graph
    hg, edge_batch = dht(edge_index, num_nodes=n, x=x, edge_attr=edge_attr, batch=batch)
    assert hg.num_nodes == edge_index.size(1) and hg.num_edges == n
    assert bool((hg.node_count == 2).all())
    back, n_back, x_back, attr_back = dht_inverse(hg)
    assert torch.equal(back, edge_index) and n_back == n
    for got, want in ((x_back, x), (attr_back, edge_attr)):
        assert (got is None and want is None) or torch.equal(got, want)
    if batch is not None:
        assert torch.equal(edge_batch, batch[edge_index[0]])
    # dual incidence is M^T: hyperedge v of the dual is the set of edges incident to v
    assert hg.dual().incidence("dense").tolist() == _node_edge_incidence(edge_index, n)


def _node_edge_incidence(edge_index: torch.Tensor, n: int) -> list[list[float]]:
    m = edge_index.size(1)
    inc = [[0.0] * m for _ in range(n)]
    for i, (u, v) in enumerate(edge_index.t().tolist()):
        inc[u][i] += 1.0
        inc[v][i] += 1.0
    return inc


@PROPERTY
@given(graphs())
def test_dht_inverse_non_strict_reads_each_dual_nodes_relative_order(graph):
    edge_index, n, x, edge_attr, _ = graph
    hg, _ = dht(edge_index, num_nodes=n, x=x, edge_attr=edge_attr)
    # dual-node blocks in reverse order: the relative order inside each block is kept
    m = edge_index.size(1)
    order = torch.arange(2 * m).view(m, 2).flip(0).reshape(-1)
    shuffled = Hypergraph(hg.hyperedge_index[:, order], num_nodes=m, num_edges=n)
    assert torch.equal(dht_inverse(shuffled, strict=False)[0], edge_index)
    assert shuffled == hg.replace(node_attr=None, edge_attr=None)  # same incidence multiset


def test_dht_inverse_strict_rejects_other_incidence_layouts():
    hg, _ = dht(torch.tensor([[0, 1], [1, 2]]))
    swapped = Hypergraph(hg.hyperedge_index[:, [2, 3, 0, 1]], num_nodes=2, num_edges=3)
    with pytest.raises(ValueError, match=r"layout written by dht\(\).*column 0 holds dual node 1"):
        dht_inverse(swapped)
    assert dht_inverse(swapped, strict=False)[0].tolist() == [[0, 1], [1, 2]]


def test_dht_inverse_rejects_dual_nodes_without_two_incidences():
    hg, _ = dht(torch.tensor([[0, 1], [1, 0]]), add_loops=True)
    with pytest.raises(ValueError, match=r"dual node 0 lies in 3 \(2 dual nodes violate this\)"):
        dht_inverse(hg)
    with pytest.raises(ValueError, match="dual node 1 lies in 1"):
        dht_inverse(Hypergraph(torch.tensor([[0, 0, 1], [0, 1, 1]])))
    with pytest.raises(TypeError, match=r"Expected 'dual_hg' to be a Hypergraph \(got Tensor"):
        dht_inverse(torch.tensor([[0, 0], [0, 1]]))


# ---------------------------------------------------------------------- degenerate / errors
def test_dht_of_empty_graph():
    hg, edge_batch = dht(torch.zeros(2, 0, dtype=torch.long), num_nodes=3,
                         batch=torch.zeros(3, dtype=torch.long), add_loops=True)
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (0, 3, 0)
    assert edge_batch.tolist() == []
    back, n, _, _ = dht_inverse(dht(torch.zeros(2, 0, dtype=torch.long), num_nodes=2)[0])
    assert back.shape == (2, 0) and n == 2


def test_dht_accepts_lists_and_infers_num_nodes_from_max_id():
    hg, _ = dht([[0, 4], [1, 1]])
    assert hg.num_edges == 5 and hg.edges()[4] == [1]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"edge_index": torch.zeros(3, 2, dtype=torch.long)}, ValueError,
     r"Expected 'edge_index' to have shape \[2, m\] \(got \[3, 2\]\)"),
    ({"edge_index": torch.zeros(2, 2)}, TypeError,
     r"Expected 'edge_index' to hold integers \(got dtype torch.float32\)"),
    ({"num_nodes": 2}, IndexError, r"'edge_index' holds id 2 but num_nodes=2"),
    ({"edge_index": torch.tensor([[0], [-1]])}, IndexError, "'edge_index' holds negative id"),
    ({"x": torch.zeros(2, 1), "num_nodes": 3}, ValueError,
     r"Expected 'x' to have 3 rows \(num_nodes=3\) \(got shape \[2, 1\]\)"),
    ({"edge_attr": torch.zeros(3)}, ValueError,
     r"Expected 'edge_attr' to have 2 rows \(m = edge_index.size\(1\)=2\)"),
    ({"batch": torch.zeros(2, dtype=torch.long), "num_nodes": 3}, ValueError,
     r"Expected 'batch' to have shape \[3\] \(num_nodes=3\) \(got \[2\]\)"),
    ({"batch": torch.zeros(3)}, TypeError, r"Expected 'batch' to hold integers"),
    ({"batch": [0, 0, 0]}, TypeError, r"Expected 'batch' to be a LongTensor \(got list\)"),
    ({"add_loops": 1}, TypeError, r"Expected 'add_loops' to be a bool \(got int\)"),
    ({"num_nodes": -1}, ValueError, r"Expected 'num_nodes' to be >= 0 \(got -1\)"),
])
def test_dht_rejects_bad_input(kwargs, error, match):
    args = {"edge_index": torch.tensor([[0, 1], [1, 2]])}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        dht(**args)


def test_transforms_reexports_dht():
    assert transforms.dht is dht and transforms.dht_inverse is dht_inverse


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_dht_preserves_the_device():
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 2]], device="cuda")
    batch = torch.tensor([0, 0, 1], device="cuda")
    hg, edge_batch = dht(edge_index, batch=batch, add_loops=True)
    assert hg.device.type == "cuda" and edge_batch.is_cuda
    hg, _ = dht(edge_index, x=torch.ones(3, 1, device="cuda"))
    assert torch.equal(dht_inverse(hg)[0], edge_index)
    with pytest.raises(ValueError, match=r"Expected 'x' on device cuda:0 like 'edge_index'"):
        dht(edge_index, x=torch.ones(3, 1))
