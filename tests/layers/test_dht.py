"""Tests of the EHGNN edge layers (hgkit.layers.dht): DHTEdgeConv, HyperDrop, HyperCluster.

Spec: /work/shared/specs/structure-tasks.md §1.1 and §5 (Jo et al., NeurIPS 2021).
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.autograd import gradcheck
from torch.testing import assert_close

from hgkit import Hypergraph
from hgkit.hypergraph.dht import dht
from hgkit.layers.dht import DHTEdgeConv, HyperCluster, HyperDrop
from hgkit.layers.hgnn import HGNNPConv

F64 = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def ehgnn_dual_dense(edge_index: torch.Tensor) -> torch.Tensor:
    """The spec's self-loop DHT written literally as a dense [m, K] incidence (EHGNN ids: kept
    graph nodes with gaps, then one loop per edge)."""
    m = edge_index.size(1)
    ends = edge_index.t().reshape(-1)
    dual_node = torch.arange(m).repeat_interleave(2)
    keep = ends.bincount()[ends] != 1
    top = int(ends.max()) + 1 if m else 0
    H = torch.zeros(m, top + m, dtype=F64)
    H.index_put_((dual_node[keep], ends[keep]), torch.ones(int(keep.sum()), dtype=F64),
                 accumulate=True)
    H[torch.arange(m), top + torch.arange(m)] = 1.0
    return H


def inv(d: torch.Tensor) -> torch.Tensor:
    return torch.where(d == 0, torch.zeros_like(d), 1.0 / d)


def pyg_hypergraph_conv_dense(H: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                              bias: torch.Tensor) -> torch.Tensor:
    """EHGNN's conv, D^-1 H B^-1 H^T X Theta + b (bias AFTER propagation), W = I."""
    op = inv(H.sum(1))[:, None] * H * inv(H.sum(0))[None, :] @ H.t()
    return op @ (x @ weight.t()) + bias


def graph_batch():
    """Three graphs: 0 = triangle (6 directed edges) + pendant 2->3 (1 edge), 1 = no edges
    (node 4), 2 = path 5-6-7 (4 directed edges); edges of the graphs interleaved."""
    edge_index = torch.tensor([
        [0, 5, 1, 6, 1, 2, 6, 2, 0, 7, 2],
        [1, 6, 0, 5, 2, 1, 7, 0, 2, 6, 3],
    ])
    batch = torch.tensor([0, 0, 0, 0, 1, 2, 2, 2])
    return edge_index, batch


class ColumnScore(nn.Module):
    """A scoring 'conv' whose raw score is feature column 0 (to control the ranking)."""

    def forward(self, x: torch.Tensor, hg: Hypergraph) -> torch.Tensor:
        assert isinstance(hg, Hypergraph) and hg.num_nodes == x.size(0)
        return x[:, :1] * 1.0


class AllColumns(nn.Module):
    """A wrong scoring 'conv' returning every feature column."""

    def forward(self, x: torch.Tensor, hg: Hypergraph) -> torch.Tensor:
        return x


# ============================================================================ DHTEdgeConv
def test_dht_edge_conv_equals_conv_on_the_self_loop_dual_by_hand():
    edge_index, batch = graph_batch()
    torch.manual_seed(0)
    conv = HGNNPConv(3, 5)
    edge_attr = torch.randn(edge_index.size(1), 3)
    dual, _ = dht(edge_index, num_nodes=8, batch=batch, add_loops=True)
    want = conv(edge_attr, dual)
    assert torch.equal(DHTEdgeConv(conv)(edge_attr, edge_index, batch=batch), want)
    assert torch.equal(DHTEdgeConv(conv)(edge_attr, edge_index, num_nodes=8), want)


def test_dht_edge_conv_accepts_a_prebuilt_dual_with_identical_output():
    edge_index, batch = graph_batch()
    conv = DHTEdgeConv.from_channels(3, 4)
    edge_attr = torch.randn(edge_index.size(1), 3)
    dual, _ = dht(edge_index, num_nodes=8, add_loops=True)
    assert torch.equal(conv(edge_attr, dual), conv(edge_attr, edge_index, 8, batch))


@pytest.mark.parametrize("seed", range(4))
def test_default_conv_equals_ehgnn_hypergraph_conv_with_bias_after_propagation(seed):
    # asymmetric multigraph with self-loops and a pendant node: hyperedges get dropped
    g = gen(seed)
    edge_index = torch.randint(0, 7, (2, 12), generator=g)
    conv = DHTEdgeConv.from_channels(3, 4).double()
    with torch.no_grad():
        conv.conv.bias.copy_(torch.randn(4, generator=g, dtype=F64))  # make the bias matter
    x = torch.randn(12, 3, generator=g, dtype=F64)
    H = ehgnn_dual_dense(edge_index)
    want = pyg_hypergraph_conv_dense(H, x, conv.conv.weight, conv.conv.bias)
    assert_close(conv(x, edge_index, num_nodes=7), want, rtol=1e-10, atol=1e-12)


def test_bias_placement_would_matter_only_at_a_node_in_no_hyperedge():
    # Documents why HGNNPConv == HypergraphConv on duals: node 2 below has no hyperedge, and
    # only there do the two differ (HGNN+ gives 0, bias-after gives b).
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=1)
    conv = HGNNPConv(2, 2).double()
    x = torch.randn(3, 2, dtype=F64)
    H = torch.tensor([[1.0], [1.0], [0.0]], dtype=F64)
    diff = conv(x, hg) - pyg_hypergraph_conv_dense(H, x, conv.weight, conv.bias)
    assert_close(diff[:2], torch.zeros(2, 2, dtype=F64))
    assert_close(diff[2], -conv.bias.detach())


def test_default_conv_matches_pyg_hypergraph_conv():
    pyg = pytest.importorskip("torch_geometric.nn")
    edge_index, _ = graph_batch()
    m = edge_index.size(1)
    torch.manual_seed(1)
    ours = DHTEdgeConv.from_channels(3, 4)
    theirs = pyg.HypergraphConv(3, 4)
    with torch.no_grad():
        theirs.lin.weight.copy_(ours.conv.weight)
        theirs.bias.copy_(ours.conv.bias)
    # the EHGNN index, hyperedge ids with gaps, as the official code builds it
    ends = edge_index.t().reshape(-1)
    keep = ends.bincount()[ends] != 1
    top = int(ends.max()) + 1
    index = torch.cat([torch.stack([torch.arange(m).repeat_interleave(2)[keep], ends[keep]]),
                       torch.stack([torch.arange(m), top + torch.arange(m)])], dim=1)
    x = torch.randn(m, 3)
    assert_close(ours(x, edge_index, num_nodes=8), theirs(x, index), rtol=1e-5, atol=1e-6)


def test_dht_edge_conv_wraps_any_layer_and_exposes_its_channels():
    conv = DHTEdgeConv.from_channels(3, 6, bias=False)
    assert isinstance(conv.conv, HGNNPConv) and conv.conv.bias is None
    assert (conv.in_channels, conv.out_channels) == (3, 6)
    assert DHTEdgeConv(ColumnScore()).in_channels is None
    with pytest.raises(TypeError, match="'conv' to be a torch.nn.Module"):
        DHTEdgeConv(lambda x, hg: x)


def test_dht_edge_conv_on_a_graph_without_edges():
    conv = DHTEdgeConv.from_channels(2, 3)
    out = conv(torch.zeros(0, 2), torch.zeros(2, 0, dtype=torch.long), num_nodes=4)
    assert out.shape == (0, 3)


def test_dht_edge_conv_gradcheck_float64():
    edge_index = torch.tensor([[0, 1, 1, 2, 2], [1, 0, 2, 1, 2]])
    conv = DHTEdgeConv.from_channels(2, 2).double()
    x = torch.randn(5, 2, dtype=F64, requires_grad=True)
    weight, bias = conv.conv.weight, conv.conv.bias

    def fn(x, w, b):
        conv.conv._parameters.update(weight=w, bias=b)
        try:
            return conv(x, edge_index)
        finally:
            conv.conv._parameters.update(weight=weight, bias=bias)

    assert gradcheck(fn, (x, weight, bias), eps=1e-6, atol=1e-6)


def test_dht_edge_conv_clear_errors():
    edge_index, batch = graph_batch()
    conv = DHTEdgeConv.from_channels(3, 4)
    x = torch.randn(11, 3)
    with pytest.raises(ValueError, match="'edge_attr' has 10 rows but 'edge_index' has 11 col"):
        conv(x[:10], edge_index)
    dual, _ = dht(edge_index, add_loops=True)
    with pytest.raises(ValueError, match="'edge_attr' has 10 rows but the dual hypergraph has"):
        conv(x[:10], dual)
    with pytest.raises(ValueError, match="in_channels=3"):
        conv(torch.randn(11, 2), edge_index)
    with pytest.raises(ValueError, match="'edge_attr' on the device"):
        conv(x.to("meta"), edge_index)
    with pytest.raises(ValueError, match="'batch' on the device"):
        conv(x, edge_index, batch=batch.to("meta"))
    with pytest.raises(TypeError, match="floating-point"):
        conv(x.long(), edge_index)
    with pytest.raises(TypeError, match="'num_nodes' and 'batch' describe a raw"):
        conv(x, dual, num_nodes=8)
    with pytest.raises(IndexError, match="'edge_index' holds id 7 but num_nodes=5"):
        conv(x, edge_index, num_nodes=5)
    with pytest.raises(ValueError, match="'edge_index' to have shape \\[2, m\\]"):
        conv(x, edge_index[:1])


# ============================================================================ HyperDrop
def per_graph(edge_batch: torch.Tensor, ids: torch.Tensor, num_graphs: int) -> list[int]:
    return torch.bincount(edge_batch[ids], minlength=num_graphs).tolist()


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.65, 0.7, 0.9, 1.0])
def test_hyperdrop_keeps_ceil_ratio_edges_per_graph_and_every_node(ratio):
    edge_index, batch = graph_batch()  # graphs with 7, 0 and 4 edges
    drop = HyperDrop(3, ratio)
    out = drop(torch.randn(11, 3), edge_index, batch=batch)
    want = [math.ceil(round(ratio * size, 9)) for size in (7, 0, 4)]
    assert per_graph(batch[edge_index[0]], out.perm, 3) == want
    assert out.edge_index.shape == (2, sum(want)) and out.edge_attr.shape == (sum(want), 3)
    # nodes are never dropped or renumbered: kept columns are the original columns
    assert torch.equal(out.edge_index, edge_index[:, out.perm])
    assert out.score.shape == (11,)


def test_hyperdrop_spec_anchor_ratio_065_keeps_7_of_10_and_07_keeps_7_of_10():
    ring = torch.stack([torch.arange(10), (torch.arange(10) + 1) % 10])
    for ratio in (0.65, 0.7):  # float64 ceil(0.7 * 10) would be 8
        assert HyperDrop(2, ratio)(torch.randn(10, 2), ring).perm.numel() == 7
    assert HyperDrop(2, 1)(torch.randn(10, 2), ring).perm.tolist() == list(range(10))


def test_hyperdrop_keeps_the_highest_scores_of_every_graph():
    edge_index, batch = graph_batch()
    edge_batch = batch[edge_index[0]]
    x = torch.randn(11, 2, generator=gen(3))
    out = HyperDrop(2, 0.5, conv=ColumnScore())(x, edge_index, batch=batch)
    assert_close(out.score, torch.tanh(x[:, 0]))
    want = []
    for g in range(3):
        ids = (edge_batch == g).nonzero().view(-1)
        k = math.ceil(0.5 * ids.numel())
        want += ids[torch.argsort(x[ids, 0], descending=True)[:k]].tolist()
    assert out.perm.tolist() == sorted(want)  # ascending edge order
    assert torch.equal(out.edge_attr, x[out.perm])  # features are not rescaled
    assert_close(out.edge_weight, torch.tanh(x[out.perm, 0]).clamp(0, 1))


def test_hyperdrop_breaks_ties_by_lower_edge_id():
    edge_index, batch = graph_batch()
    x = torch.zeros(11, 1)
    x[8, 0] = 1.0  # graph 0 (edges 0, 2, 4, 5, 7, 8, 10): edge 8 first, then 0, 2, 4 tied
    out = HyperDrop(1, 0.5, conv=ColumnScore())(x, edge_index, batch=batch)
    # graph 0 keeps 4: 8 then the 3 lowest tied ids; graph 2 (1, 3, 6, 9) keeps 1 and 3
    assert out.perm.tolist() == [0, 1, 2, 3, 4, 8]


def test_hyperdrop_with_no_edges_anywhere():
    out = HyperDrop(2, 0.5)(torch.zeros(0, 2), torch.zeros(2, 0, dtype=torch.long),
                            batch=torch.tensor([0, 1, 1]))
    assert out.edge_index.shape == (2, 0) and out.perm.numel() == out.score.numel() == 0


def test_hyperdrop_gradients_reach_the_score_conv_only_through_edge_weight():
    edge_index, batch = graph_batch()
    drop = HyperDrop(3, 0.6)
    with torch.no_grad():  # scores inside (0, 1) so the clamp passes gradients
        drop.conv.weight.mul_(0.1)
        drop.conv.bias.fill_(0.3)
    x = torch.rand(11, 3, generator=gen(2)).requires_grad_()
    out = drop(x, edge_index, batch=batch)
    assert bool(((out.edge_weight > 0) & (out.edge_weight < 1)).all())
    out.edge_attr.sum().backward()  # edge_attr is not multiplied by the score
    assert drop.conv.weight.grad is None and drop.conv.bias.grad is None
    out = drop(x, edge_index, batch=batch)
    out.edge_weight.pow(2).sum().backward()
    for p in drop.parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0


def test_hyperdrop_gradcheck_float64():
    edge_index, batch = graph_batch()
    drop = HyperDrop(2, 0.5).double()
    with torch.no_grad():
        drop.conv.bias.fill_(0.4)
    x = torch.rand(11, 2, generator=gen(5), dtype=F64).mul(0.3).requires_grad_()
    params = dict(drop.conv.named_parameters())

    def fn(x, w, b):
        drop.conv._parameters.update(weight=w, bias=b)
        try:
            return drop(x, edge_index, batch=batch).edge_weight
        finally:
            drop.conv._parameters.update(params)

    assert gradcheck(fn, (x, params["weight"], params["bias"]), eps=1e-6, atol=1e-6)


def test_hyperdrop_is_consistent_under_a_permutation_of_the_edges():
    edge_index, batch = graph_batch()
    m = edge_index.size(1)
    drop = HyperDrop(3, 0.5).double()
    x = torch.randn(m, 3, generator=gen(7), dtype=F64)
    p = torch.randperm(m, generator=gen(8))  # new edge j = old edge p[j]
    a = drop(x, edge_index, batch=batch)
    b = drop(x[p], edge_index[:, p], batch=batch)
    assert_close(b.score, a.score[p])
    assert sorted(p[b.perm].tolist()) == a.perm.tolist()
    # the same kept edges, each with the same weight and features
    key = {int(e): i for i, e in enumerate(a.perm)}
    rows = torch.tensor([key[int(e)] for e in p[b.perm]])
    assert_close(b.edge_weight, a.edge_weight[rows])
    assert torch.equal(b.edge_attr, a.edge_attr[rows])
    assert torch.equal(b.edge_index, a.edge_index[:, rows])


def test_hyperdrop_reuses_a_prebuilt_dual():
    edge_index, batch = graph_batch()
    drop = HyperDrop(3, 0.5)
    x = torch.randn(11, 3)
    dual, _ = dht(edge_index, num_nodes=8, add_loops=True)
    a, b = drop(x, edge_index, batch=batch, dual=dual), drop(x, edge_index, batch=batch)
    assert torch.equal(a.score, b.score) and torch.equal(a.perm, b.perm)


@pytest.mark.parametrize("ratio", [0, 0.0, -0.5, 1.5, float("nan")])
def test_hyperdrop_rejects_a_ratio_outside_0_1(ratio):
    with pytest.raises(ValueError, match=r"'ratio' in \(0, 1\]"):
        HyperDrop(2, ratio)


def test_hyperdrop_clear_errors():
    edge_index, batch = graph_batch()
    x = torch.randn(11, 3)
    drop = HyperDrop(3, 0.5)
    with pytest.raises(TypeError, match="'ratio' to be a float"):
        HyperDrop(2, True)
    with pytest.raises(ValueError, match="scoring 'conv' to have out_channels=1"):
        HyperDrop(3, 0.5, conv=HGNNPConv(3, 2))
    with pytest.raises(ValueError, match="scoring 'conv' to have in_channels=3"):
        HyperDrop(3, 0.5, conv=HGNNPConv(2, 1))
    with pytest.raises(ValueError, match="'edge_attr' has 10 rows but 'edge_index' has 11 col"):
        drop(x[:10], edge_index, batch=batch)
    with pytest.raises(ValueError, match="'edge_attr' on the device"):
        drop(x.to("meta"), edge_index, batch=batch)
    with pytest.raises(ValueError, match="'batch' on the device"):
        drop(x, edge_index, batch=batch.to("meta"))
    with pytest.raises(ValueError, match="'batch' to have shape \\[9\\]"):
        drop(x, edge_index, num_nodes=9, batch=batch)
    dual, _ = dht(edge_index[:, :10], num_nodes=8, add_loops=True)
    with pytest.raises(ValueError, match="'dual' has 10 nodes but 'edge_index' has 11"):
        drop(x, edge_index, batch=batch, dual=dual)
    with pytest.raises(TypeError, match="pass a prebuilt dual hypergraph as 'dual='"):
        drop(x, dht(edge_index, add_loops=True)[0])
    with pytest.raises(ValueError, match="scoring 'conv' to return \\[11, 1\\]"):
        HyperDrop(3, 0.5, conv=AllColumns())(x, edge_index)


# ============================================================================ HyperCluster
def dense_hypercluster(pool: HyperCluster, x, edge_index, n):
    """The docstring formula for ONE graph with dense algebra."""
    h, s, c = pool.heads, pool.num_seeds, pool.in_channels
    dual, _ = dht(edge_index, num_nodes=n, add_loops=True)
    q = (pool.seeds @ pool.lin_q.weight.t() + pool.lin_q.bias).view(s, h, c // h)
    k = pool.conv_k(x, dual).view(-1, h, c // h)
    v = pool.conv_v(x, dual).view(-1, h, c // h)
    alpha = torch.einsum("ehd,shd->hse", k, q) / math.sqrt(c)  # [h, s, m]
    att = torch.softmax(alpha, dim=1 if pool.cluster else 2)
    out = (q.transpose(0, 1) + att @ v.transpose(0, 1)).transpose(0, 1).reshape(s, c)
    out = out + torch.relu(out @ pool.lin_o.weight.t() + pool.lin_o.bias)
    return out, att.permute(2, 0, 1)


def two_graphs(seed: int, m2: int = 4):
    """Graph 0: triangle on nodes 0..2 (6 edges); graph 1: a random graph on 3 nodes."""
    g = gen(seed)
    e0 = torch.tensor([[0, 1, 1, 2, 2, 0], [1, 0, 2, 1, 0, 2]])
    e1 = torch.randint(3, 6, (2, m2), generator=g)
    return torch.cat([e0, e1], 1), torch.tensor([0, 0, 0, 1, 1, 1]), e0


@pytest.mark.parametrize("cluster", [True, False])
@pytest.mark.parametrize("heads", [1, 2])
def test_hypercluster_matches_the_dense_formula_per_graph(cluster, heads):
    torch.manual_seed(0)
    pool = HyperCluster(4, num_seeds=3, heads=heads, cluster=cluster).double()
    edge_index, batch, _ = two_graphs(1)
    x = torch.randn(10, 4, generator=gen(2), dtype=F64)
    pooled, att = pool(x, edge_index, batch=batch)
    assert pooled.shape == (2, 3, 4) and att.shape == (10, heads, 3)
    for g, cols in ((0, slice(0, 6)), (1, slice(6, 10))):
        local = edge_index[:, cols] - 3 * g
        want, want_att = dense_hypercluster(pool, x[cols], local, 3)
        assert_close(pooled[g], want)
        assert_close(att[cols], want_att)


def test_hypercluster_cluster_attention_sums_to_one_over_seeds_per_edge():
    edge_index, batch, _ = two_graphs(3)
    pool = HyperCluster(4, num_seeds=3, heads=2, cluster=True)
    _, att = pool(torch.randn(10, 4), edge_index, batch=batch)
    assert_close(att.sum(-1), torch.ones(10, 2))


def test_hypercluster_key_attention_sums_to_one_over_each_graphs_edges_per_seed():
    edge_index, batch, _ = two_graphs(3)
    batch = torch.tensor([0, 0, 0, 2, 2, 2, 1])  # graph 1 (node 6) has no edges
    pool = HyperCluster(4, num_seeds=3, heads=2, cluster=False)
    pooled, att = pool(torch.randn(10, 4), edge_index, batch=batch)
    sums = torch.zeros(3, 2, 3).index_add_(0, batch[edge_index[0]], att)
    assert_close(sums[[0, 2]], torch.ones(2, 2, 3))
    assert_close(sums[1], torch.zeros(2, 3))
    q = pool.lin_q(pool.seeds)  # an edgeless graph pools the transformed seeds alone
    assert_close(pooled[1], q + torch.relu(pool.lin_o(q)))


@pytest.mark.parametrize("cluster", [True, False])
def test_hypercluster_padding_never_leaks_across_graphs(cluster):
    torch.manual_seed(0)
    pool = HyperCluster(4, num_seeds=2, cluster=cluster).double()
    a_index, batch, e0 = two_graphs(4, m2=3)
    b_index, _, _ = two_graphs(5, m2=9)  # graph 1 changes size and structure
    xa = torch.randn(9, 4, generator=gen(6), dtype=F64)
    xb = torch.cat([xa[:6], torch.randn(9, 4, generator=gen(7), dtype=F64)])
    pa, att_a = pool(xa, a_index, batch=batch)
    pb, att_b = pool(xb, b_index, batch=batch)
    alone, att_alone = pool(xa[:6], e0, num_nodes=3)
    assert_close(pa[0], pb[0], rtol=0, atol=1e-12)
    assert_close(att_a[:6], att_b[:6], rtol=0, atol=1e-12)
    assert_close(pa[0], alone[0], rtol=0, atol=1e-12)
    assert_close(att_a[:6], att_alone, rtol=0, atol=1e-12)
    assert not torch.allclose(pa[1], pb[1])


@pytest.mark.parametrize("cluster", [True, False])
def test_hypercluster_is_invariant_to_the_order_of_the_edges(cluster):
    edge_index, batch, _ = two_graphs(10)
    pool = HyperCluster(4, num_seeds=3, heads=2, cluster=cluster).double()
    x = torch.randn(10, 4, generator=gen(11), dtype=F64)
    p = torch.randperm(10, generator=gen(12))  # interleaves the two graphs' edges
    pooled, att = pool(x, edge_index, batch=batch)
    pooled_p, att_p = pool(x[p], edge_index[:, p], batch=batch)
    assert_close(pooled_p, pooled)
    assert_close(att_p, att[p])
    assert_close(pool.unpool(pooled_p, att_p, batch[edge_index[0, p]]),
                 pool.unpool(pooled, att, batch[edge_index[0]])[p])


@pytest.mark.parametrize("heads", [1, 2])
def test_hypercluster_unpool_is_attention_transpose_times_pooled_per_graph(heads):
    edge_index, batch, _ = two_graphs(8)
    pool = HyperCluster(4, num_seeds=3, heads=heads).double()
    pooled, att = pool(torch.randn(10, 4, dtype=F64), edge_index, batch=batch)
    edge_batch = batch[edge_index[0]]
    out = pool.unpool(pooled, att, edge_batch)
    assert out.shape == (10, 4)
    d = 4 // heads
    for e in range(10):
        for h in range(heads):
            want = att[e, h] @ pooled[edge_batch[e], :, h * d:(h + 1) * d]
            assert_close(out[e, h * d:(h + 1) * d], want)
    single = pool.unpool(pooled[:1], att[:6])  # no edge_batch: one graph
    assert_close(single, out[:6])


def test_hypercluster_gradients_reach_every_parameter():
    edge_index, batch, _ = two_graphs(9)
    pool = HyperCluster(4, num_seeds=2, heads=2, layer_norm=True)
    pooled, att = pool(torch.randn(10, 4), edge_index, batch=batch)
    probe = torch.randn(10, 4, generator=gen(1))
    (pool.unpool(pooled, att, batch[edge_index[0]]) * probe).sum().backward()
    for name, p in pool.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize("cluster", [True, False])
def test_hypercluster_gradcheck_float64(cluster):
    torch.manual_seed(0)
    edge_index = torch.tensor([[0, 1, 1, 2, 3], [1, 0, 2, 1, 4]])
    batch = torch.tensor([0, 0, 0, 1, 1])
    pool = HyperCluster(2, num_seeds=2, heads=2, cluster=cluster).double()
    names = [n for n, _ in pool.named_parameters()]
    params = [p for _, p in pool.named_parameters()]
    x = torch.randn(5, 2, dtype=F64, requires_grad=True)

    def set_(values):
        for name, value in zip(names, values, strict=True):
            *path, leaf = name.split(".")
            module = pool
            for part in path:
                module = getattr(module, part)
            module._parameters[leaf] = value

    def fn(x, *values):
        set_(values)
        try:
            pooled, att = pool(x, edge_index, batch=batch)
            return pooled, pool.unpool(pooled, att, batch[edge_index[0]])
        finally:
            set_(params)

    assert gradcheck(fn, (x, *params), eps=1e-6, atol=1e-6)


def test_hypercluster_number_of_seeds_from_ratio():
    assert HyperCluster(8, ratio=0.15, avg_num_edges=49.6).num_seeds == 8  # ceil(7.44)
    assert HyperCluster(8, ratio=0.15, avg_num_edges=1.0).num_seeds == 1


def test_hypercluster_clear_errors():
    with pytest.raises(ValueError, match="'heads' to divide in_channels=6"):
        HyperCluster(6, num_seeds=2, heads=4)
    with pytest.raises(ValueError, match="'num_seeds', or both 'ratio' and 'avg_num_edges'"):
        HyperCluster(6, ratio=0.5)
    with pytest.raises(ValueError, match="not both"):
        HyperCluster(6, num_seeds=2, ratio=0.5, avg_num_edges=3.0)
    with pytest.raises(ValueError, match=r"'ratio' in \(0, 1\]"):
        HyperCluster(6, ratio=2.0, avg_num_edges=3.0)
    with pytest.raises(ValueError, match="'num_seeds' to be >= 1"):
        HyperCluster(6, num_seeds=0)
    edge_index, batch, _ = two_graphs(1)
    pool = HyperCluster(4, num_seeds=3)
    x = torch.randn(10, 4)
    with pytest.raises(ValueError, match="'edge_attr' has 9 rows but 'edge_index' has 10 col"):
        pool(x[:9], edge_index, batch=batch)
    with pytest.raises(ValueError, match="'edge_attr' on the device"):
        pool(x.to("meta"), edge_index, batch=batch)
    with pytest.raises(ValueError, match="'num_graphs' is 1 but 'batch' holds graph id 1"):
        pool(x, edge_index, batch=batch, num_graphs=1)
    pooled, att = pool(x, edge_index, batch=batch, num_graphs=4)
    assert pooled.shape == (4, 3, 4)
    with pytest.raises(ValueError, match="'pooled' to have shape \\[B, 3, 4\\]"):
        pool.unpool(pooled[:, :2], att)
    with pytest.raises(ValueError, match="'attention' to have shape \\[m, 1, 3\\]"):
        pool.unpool(pooled, att[:, :, :2])
    with pytest.raises(ValueError, match="'edge_batch' to have shape \\[10\\]"):
        pool.unpool(pooled, att, batch)
    with pytest.raises(IndexError, match="'edge_batch' holds id 5 but pooled.size\\(0\\)=4"):
        pool.unpool(pooled, att, torch.full((10,), 5))
    with pytest.raises(ValueError, match="'edge_batch' on the device"):
        pool.unpool(pooled, att, torch.zeros(10, dtype=torch.long, device="meta"))
