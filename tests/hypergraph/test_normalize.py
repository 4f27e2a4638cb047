"""Tests of the normalization functions against dense operator references."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from torch.testing import assert_close

from hgkit import Hypergraph
from hgkit.hypergraph import normalize

from .test_hypergraph import dense_h, hypergraphs


def apply_factored(hg: Hypergraph, a: torch.Tensor, b: torch.Tensor, x: torch.Tensor):
    node, edge = hg.hyperedge_index
    z = torch.zeros(hg.num_edges, x.size(1), dtype=x.dtype)
    z.index_add_(0, edge, a[:, None] * x[node])
    return torch.zeros_like(x).index_add_(0, node, b[:, None] * z[edge])


def inv(d: torch.Tensor, p: float) -> torch.Tensor:
    out = torch.zeros_like(d)
    nz = d > 0
    out[nz] = d[nz] ** p
    return out


def dense_hgnn(hg: Hypergraph) -> torch.Tensor:
    h = dense_h(hg).double()
    w = (hg.edge_weight if hg.edge_weight is not None else torch.ones(hg.num_edges)).double()
    u = (hg.node_weight if hg.node_weight is not None else torch.ones(hg.num_nodes)).double()
    dv = inv(h @ w, -0.5)
    de = inv(h.t() @ u, -1.0)
    return torch.diag(dv) @ h @ torch.diag(w) @ torch.diag(de) @ h.t() @ torch.diag(dv)


def dense_rw(hg: Hypergraph) -> torch.Tensor:
    h = dense_h(hg).double()
    w = (hg.edge_weight if hg.edge_weight is not None else torch.ones(hg.num_edges)).double()
    u = (hg.node_weight if hg.node_weight is not None else torch.ones(hg.num_nodes)).double()
    dv, de = inv(h @ w, -1.0), inv(h.t() @ u, -1.0)
    return torch.diag(dv) @ h @ torch.diag(w) @ torch.diag(de) @ h.t()


def test_degree_power_zero_policy():
    out = normalize.degree_power(torch.tensor([0.0, 4.0, 0.25]), -0.5)
    assert_close(out, torch.tensor([0.0, 0.5, 2.0]))
    assert torch.isfinite(normalize.degree_power(torch.zeros(3), -1.0)).all()


def test_degree_power_positive_power_keeps_zero():
    assert_close(normalize.degree_power(torch.tensor([0.0, 4.0]), 0.5), torch.tensor([0.0, 2.0]))


def test_hgnn_weights_on_literal_example():
    # e0 = {0, 1} with w=2, e1 = {1, 2}; d = [2, 3, 1]; delta = [2, 2]
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3, num_edges=2,
                    edge_weight=torch.tensor([2.0, 1.0]))
    a, b = normalize.hgnn_weights(hg)
    d = torch.tensor([2.0, 3.0, 3.0, 1.0]) ** -0.5
    assert_close(a, d * torch.tensor([1.0, 1.0, 0.5, 0.5]))
    assert_close(b, d)


@settings(max_examples=60, deadline=None)
@given(hypergraphs())
def test_hgnn_factored_equals_dense_operator(hg):
    x = torch.randn(hg.num_nodes, 3, dtype=torch.double)
    a, b = normalize.hgnn_weights(hg)
    assert_close(apply_factored(hg, a.double(), b.double(), x), dense_hgnn(hg) @ x,
                 rtol=1e-5, atol=1e-6)  # the weights are float32


@settings(max_examples=60, deadline=None)
@given(hypergraphs())
def test_random_walk_factored_equals_dense_operator(hg):
    x = torch.randn(hg.num_nodes, 2, dtype=torch.double)
    a, b = normalize.random_walk_weights(hg)
    assert_close(apply_factored(hg, a.double(), b.double(), x), dense_rw(hg) @ x,
                 rtol=1e-5, atol=1e-6)


def test_isolated_node_and_empty_edge_give_zero_not_nan():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=2)
    for fn in (normalize.hgnn_weights, normalize.hgnnp_weights):
        a, b = fn(hg)
        y = apply_factored(hg, a, b, torch.ones(3, 1))
        assert torch.isfinite(y).all()
        assert y[2].item() == 0.0


def test_random_walk_rows_sum_to_one_for_covered_nodes():
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 3], [0, 0, 1, 1, 1]]), num_nodes=5, num_edges=2,
                    edge_weight=torch.tensor([1.0, 3.0]))
    a, b = normalize.random_walk_weights(hg)
    y = apply_factored(hg, a, b, torch.ones(5, 1))
    assert_close(y.squeeze(1), torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0]))
