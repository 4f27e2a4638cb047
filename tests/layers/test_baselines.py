"""Behaviour of the baseline layers beyond the contract: options, caching, tie-breaking and
construction errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch.testing import assert_close

from hgkit import Hypergraph, ops
from hgkit.layers.hcha import HCHAConv
from hgkit.layers.hgnn import hgnn_operator
from hgkit.layers.hnhn import HNHNConv, hnhn_weights
from hgkit.layers.hypergcn import HyperGCNConv, hypergcn_graph
from hgkit.layers.unigcnii import UniGCNIIConv

# hyperedge 0 = {0, 1, 2}, 1 = {2, 3, 3} (3 repeated), 2 = {4} (singleton), 3 = {} (empty);
# node 5 is isolated
INDEX = torch.tensor([[0, 1, 2, 2, 3, 3, 4], [0, 0, 0, 1, 1, 1, 2]])


def _hg(**kw) -> Hypergraph:
    return Hypergraph(INDEX, num_nodes=6, num_edges=4, **kw)


def _x(n: int = 6, c: int = 3, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, c, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def _edges(src, dst, w) -> dict[tuple[int, int], float]:
    """Undirected edge -> total weight, zero-weight slots dropped."""
    out: dict[tuple[int, int], float] = {}
    for a, b, c in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        if c != 0:
            key = (min(a, b), max(a, b))
            out[key] = out.get(key, 0.0) + c
    return out


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(torch.equal(u, v) for u, v in zip(a, b, strict=True))


# ---------------------------------------------------------------------------- HNHN
def test_hnhn_zero_exponents_are_two_means():
    hg = _hg()
    conv = HNHNConv(3, 2, hidden_channels=4, act=None, bias=False).double()
    x = _x()
    members_mean = ops.v2e(x @ conv.weight_v2e.t(), hg, "mean")
    want = ops.e2v(members_mean @ conv.weight_e2v.t(), hg, "mean")
    assert_close(conv(x, hg), want)


def test_hnhn_weights_are_weighted_means():
    hg = _hg(edge_weight=torch.tensor([1.0, 2.0, 3.0, 4.0]))
    a, b = hnhn_weights(hg, alpha=-1.5, beta=-0.5)
    node, edge = hg.hyperedge_index
    # each non-empty hyperedge's a sums to 1; each non-isolated node's b sums to 1
    assert_close(torch.zeros(4).index_add_(0, edge, a), torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert_close(torch.zeros(6).index_add_(0, node, b), torch.tensor([1.0] * 5 + [0.0]))


def test_hnhn_beta_weights_members_by_degree_power():
    # hyperedge 0 = {0, 1, 2}, degrees 1, 1, 2 (node 2 is also in hyperedge 1): beta = -1
    a, _ = hnhn_weights(_hg(), alpha=0.0, beta=-1.0)
    assert_close(a[:3], torch.tensor([1.0, 1.0, 0.5]) / 2.5)


def test_hnhn_alpha_weights_hyperedges_by_size_power():
    # node 2 is in hyperedge 0 (size 3) and hyperedge 1 (size 3 with the repeat): equal votes;
    # alpha = 1 with edge weights 1 and 3 -> votes 3 and 9
    hg = _hg(edge_weight=torch.tensor([1.0, 3.0, 1.0, 1.0]))
    _, b = hnhn_weights(hg, alpha=1.0, beta=0.0)
    assert_close(b[2:4], torch.tensor([0.25, 0.75]))


def test_hnhn_activation_options():
    x, hg = _x(), _hg()
    torch.manual_seed(0)
    relu = HNHNConv(3, 2).double()
    torch.manual_seed(0)
    module = HNHNConv(3, 2, act=torch.nn.ReLU()).double()
    torch.manual_seed(0)
    fn = HNHNConv(3, 2, act=torch.relu).double()
    assert torch.equal(relu(x, hg), module(x, hg)) and torch.equal(relu(x, hg), fn(x, hg))
    assert (relu.edge_features(x, hg) >= 0).all()
    assert relu.edge_features(x, hg).shape == (4, 2)


@pytest.mark.parametrize("kw, match", [
    ({"hidden_channels": 0}, "'hidden_channels' to be a positive int"),
    ({"alpha": "x"}, "'alpha' to be a finite number"),
    ({"beta": float("nan")}, "'beta' to be a finite number"),
    ({"act": "swish"}, "'act' to be one of"),
    ({"act": 3}, "'act' to be a string"),
])
def test_hnhn_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        HNHNConv(3, 2, **kw)


# ---------------------------------------------------------------------------- HyperGCN
def test_hypergcn_graph_with_mediators():
    p = torch.tensor([0.0, 5.0, -1.0, 2.0, 0.0, 0.0])
    w = torch.tensor([1.0, 2.0, 1.0, 1.0])
    edges = _edges(*hypergcn_graph(p, _hg(edge_weight=w)))
    # hyperedge 0: max 1, min 2, mediator 0, c = 3; hyperedge 1: {2, 3} once, weight w = 2;
    # the singleton and the empty hyperedge add nothing
    assert edges == pytest.approx({(1, 2): 1 / 3, (0, 1): 1 / 3, (0, 2): 1 / 3, (2, 3): 2.0})


def test_hypergcn_graph_without_mediators():
    p = torch.tensor([0.0, 5.0, -1.0, 2.0, 0.0, 0.0])
    assert _edges(*hypergcn_graph(p, _hg(), mediators=False)) == {(1, 2): 1.0, (2, 3): 1.0}
    got = _edges(*hypergcn_graph(p, _hg(), mediators=False, size_norm=True))
    assert got == pytest.approx({(1, 2): 1 / 3, (2, 3): 1 / 2})


def test_hypergcn_ties_pick_smallest_maximizer_and_largest_minimizer():
    hg = Hypergraph(torch.tensor([[3, 1, 4, 2], [0, 0, 0, 0]]), num_nodes=5, num_edges=1)
    edges = _edges(*hypergcn_graph(torch.zeros(5), hg, mediators=False))
    assert edges == {(1, 4): 1.0}                    # all tie: i = 1 (smallest), j = 4
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, -1.0])     # maxima 1 and 3 tie, minimum 4
    assert _edges(*hypergcn_graph(p, hg, mediators=False)) == {(1, 4): 1.0}
    p = torch.tensor([0.0, 2.0, 0.0, 1.0, 0.0])      # minima 2 and 4 tie (1 is the max)
    assert _edges(*hypergcn_graph(p, hg, mediators=False)) == {(1, 4): 1.0}


def test_hypergcn_mediator_weights_sum_to_the_hyperedge_weight():
    hg = Hypergraph(torch.tensor([[0, 1, 2, 3, 4], [0, 0, 0, 0, 0]]), num_nodes=5, num_edges=1,
                    edge_weight=torch.tensor([3.0]))
    src, dst, w = hypergcn_graph(torch.arange(5.0), hg)
    edges = _edges(src, dst, w)
    assert len(edges) == 7 and sum(edges.values()) == pytest.approx(3.0)   # 2|e| - 3 edges


def test_hypergcn_fast_caches_the_graph_of_the_first_call():
    hg = _hg()
    conv = HyperGCNConv(3, 2, fast=True, seed=0).double()
    x1, x2 = _x(seed=1), _x(seed=2)
    first = conv.graph(x1, hg)
    assert _same(conv.graph(x2, hg), first)
    out = conv(x2, hg)                                # still the graph of x1
    fresh = HyperGCNConv(3, 2, fast=True, seed=0).double()
    fresh.load_state_dict(conv.state_dict())
    assert torch.equal(fresh(x1, _hg()), conv(x1, hg))
    assert torch.equal(out, conv(x2, hg))
    # another Hypergraph object starts its own cache; another layer keeps its own entry
    assert _same(conv.graph(x2, _hg()), hypergcn_graph(x2 @ conv.projection, hg))
    other = HyperGCNConv(3, 2, fast=True, seed=0).double()
    assert _same(other.graph(x2, hg), hypergcn_graph(x2 @ conv.projection, hg))


def test_hypergcn_fast_uses_input_features_and_slow_uses_projected_ones():
    hg = _hg()
    fast = HyperGCNConv(3, 2, fast=True, seed=0).double()
    slow = HyperGCNConv(3, 2, fast=False, seed=0).double()
    assert fast.projection.shape == (3,) and slow.projection.shape == (2,)
    x = _x()
    want = hypergcn_graph(x @ slow.weight.t() @ slow.projection, hg)
    assert _same(slow.graph(x, hg), want)
    with torch.no_grad():                             # new weights -> a new graph, same hg
        slow.weight.mul_(-1.0)
    want = hypergcn_graph(x @ slow.weight.t() @ slow.projection, hg)
    assert _same(slow.graph(x, hg), want)


def test_hypergcn_projection_is_seeded_and_saved():
    a, b = HyperGCNConv(3, 2, seed=5), HyperGCNConv(3, 2, seed=5)
    assert torch.equal(a.projection, b.projection)
    assert (a.projection >= 0).all() and (a.projection < 1).all()
    assert "projection" in a.state_dict()
    torch.manual_seed(1)
    c = HyperGCNConv(3, 2)
    torch.manual_seed(1)
    assert torch.equal(c.projection, HyperGCNConv(3, 2).projection)


def test_hypergcn_isolated_node_keeps_its_own_features():
    conv = HyperGCNConv(3, 2, seed=0).double()
    x = _x()
    out = conv(x, _hg())
    assert_close(out[5], x[5] @ conv.weight.t() + conv.bias)   # only the self-loop


@pytest.mark.parametrize("kw, error, match", [
    ({"mediators": True, "size_norm": True}, ValueError, "only applies without mediators"),
    ({"fast": 1}, TypeError, "'fast' to be a bool"),
    ({"seed": 1.5}, TypeError, "'seed' to be an int"),
])
def test_hypergcn_bad_arguments(kw, error, match):
    with pytest.raises(error, match=match):
        HyperGCNConv(3, 2, **kw)


# ---------------------------------------------------------------------------- UniGCNII
def test_unigcnii_beta_from_lambda_and_layer():
    assert UniGCNIIConv(4, lamda=0.5, layer=3).beta == pytest.approx(math.log(0.5 / 3 + 1))
    assert UniGCNIIConv(4).beta == pytest.approx(math.log(1.5))        # lamda 0.5, layer 1
    assert UniGCNIIConv(4, beta=0.25).beta == 0.25


def test_unigcnii_alpha_one_is_the_identity_mapping_of_x0():
    conv = UniGCNIIConv(3, alpha=1.0, beta=0.5).double()
    x, x0 = _x(seed=1), _x(seed=2)
    assert_close(conv(x, _hg(), x0=x0), 0.5 * x0 + 0.5 * x0 @ conv.weight.t())


def test_unigcnii_x0_defaults_to_x():
    conv = UniGCNIIConv(3).double()
    x = _x()
    assert torch.equal(conv(x, _hg()), conv(x, _hg(), x0=x))


def test_unigcnii_propagation_on_a_tiny_example():
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3, num_edges=2)
    x = torch.tensor([[1.0], [2.0], [4.0]], dtype=torch.float64)
    # d = (1, 2, 1), h_e = (1.5, 3), de = (1.5, 1.5)
    want = torch.tensor([[1.5], [(1.5 + 3) / math.sqrt(2)], [3.0]]) / math.sqrt(1.5)
    assert_close(UniGCNIIConv(1).propagate(x, hg), want.double())


@pytest.mark.parametrize("kw, match", [
    ({"out_channels": 4}, "out_channels == in_channels"),
    ({"beta": 0.5, "lamda": 0.5}, "either 'beta' or 'lamda'"),
    ({"beta": 1.5}, "'beta' to be a number in"),
    ({"alpha": -0.1}, "'alpha' to be a number in"),
    ({"lamda": 0.0}, "'lamda' to be a positive number"),
    ({"layer": 0}, "'layer' to be an int >= 1"),
])
def test_unigcnii_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        UniGCNIIConv(3, **kw)


def test_unigcnii_bad_x0():
    conv = UniGCNIIConv(3).double()
    with pytest.raises(ValueError, match="'x0' has 5 rows"):
        conv(_x(), _hg(), x0=_x(5))
    with pytest.raises(TypeError, match="'x0' to have the dtype"):
        conv(_x(), _hg(), x0=_x().float())


# ---------------------------------------------------------------------------- HCHA
@pytest.mark.parametrize("heads", [1, 3])
def test_hcha_attention_weights_sum_to_one_per_node(heads):
    hg = _hg()
    conv = HCHAConv(3, 2, attention=True, heads=heads).double()
    alpha = conv.attention_weights(_x(), hg)
    assert alpha.shape == (hg.nnz, heads) and (alpha > 0).all()
    sums = torch.zeros(6, heads, dtype=torch.float64).index_add_(0, hg.hyperedge_index[0], alpha)
    assert_close(sums[:5], torch.ones(5, heads, dtype=torch.float64))
    assert (sums[5] == 0).all()                                  # isolated node
    attr = _x(4, seed=3)
    assert not torch.equal(conv.attention_weights(_x(), hg, hyperedge_attr=attr), alpha)


def test_hcha_symmetric_is_the_hgnn_operator_with_the_bias_after():
    conv = HCHAConv(3, 2, symmetric=True).double()
    with torch.no_grad():
        conv.bias.fill_(0.5)
    x, hg = _x(), _hg()
    assert_close(conv(x, hg), hgnn_operator(x @ conv.weight.t(), hg) + 0.5)
    assert_close(conv(x, hg)[5], conv.bias)                      # isolated node gets b


def test_hcha_attention_dropout_only_in_training():
    conv = HCHAConv(3, 2, attention=True, dropout=0.5).double()
    x, hg = _x(), _hg()
    assert torch.equal(conv.eval()(x, hg), conv(x, hg))
    torch.manual_seed(0)
    assert not torch.equal(conv.train()(x, hg), conv.eval()(x, hg))


def test_hcha_mean_of_heads_has_out_channels():
    conv = HCHAConv(3, 2, attention=True, heads=4, concat=False).double()
    assert conv(_x(), _hg()).shape == (6, 2) and conv.bias.shape == (2,)


@pytest.mark.parametrize("kw, error, match", [
    ({"heads": 2}, ValueError, "needs attention=True"),
    ({"heads": 0, "attention": True}, ValueError, "'heads' to be a positive int"),
    ({"dropout": 1.0}, ValueError, "'dropout' to be a probability"),
    ({"symmetric": "yes"}, TypeError, "'symmetric' to be a bool"),
])
def test_hcha_bad_arguments(kw, error, match):
    with pytest.raises(error, match=match):
        HCHAConv(3, 2, **kw)


def test_hcha_bad_hyperedge_attr():
    x, hg = _x(), _hg()
    with pytest.raises(ValueError, match="only used with attention=True"):
        HCHAConv(3, 2).double()(x, hg, hyperedge_attr=_x(4))
    conv = HCHAConv(3, 2, attention=True).double()
    with pytest.raises(ValueError, match="'hyperedge_attr' has 3 rows but the hypergraph has 4"):
        conv(x, hg, hyperedge_attr=_x(3))
    with pytest.raises(ValueError, match="'hyperedge_attr' has 2 channels"):
        conv(x, hg, hyperedge_attr=_x(4, 2))
    with pytest.raises(TypeError, match="'hyperedge_attr' to have the dtype"):
        conv(x, hg, hyperedge_attr=_x(4).float())
    with pytest.raises(RuntimeError, match="attention=True"):
        HCHAConv(3, 2).attention_weights(x.float(), hg)


@pytest.mark.parametrize("mediators", [True, False])
def test_hypergcn_matches_the_loop_reference_with_many_ties(mediators):
    from tests.layers.cases_baselines import hypergcn_dense
    from tests.layers.contract import Dense

    gen = torch.Generator().manual_seed(0)
    hg = Hypergraph(torch.stack([torch.randint(0, 12, (40,), generator=gen),
                                 torch.randint(0, 8, (40,), generator=gen)]),
                    num_nodes=12, num_edges=8)
    x = (torch.rand(12, 2, generator=gen) > 0.5).double()       # 4 distinct rows: many ties
    conv = HyperGCNConv(2, 3, mediators=mediators, fast=True, seed=0).double()
    with torch.no_grad():
        assert_close(conv(x, hg), hypergcn_dense(conv, x, Dense.of(hg)))
