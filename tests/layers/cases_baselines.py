"""Contract cases of the benchmark baselines (HNHN, HyperGCN, UniGCNII, HCHA) with dense
references written from the docstring formulas (float64, Python loops where the layer
vectorizes)."""

from __future__ import annotations

import torch
from torch import Tensor

from hgkit import Hypergraph
from hgkit.layers.hcha import HCHAConv
from hgkit.layers.hnhn import HNHNConv
from hgkit.layers.hypergcn import HyperGCNConv
from hgkit.layers.unigcnii import UniGCNIIConv
from tests.layers.contract import Dense, LayerCase, inv


def power(d: Tensor, p: float) -> Tensor:
    """``d ** p`` with the zero-degree policy for negative ``p``."""
    return inv(d, -p) if p < 0 else d.pow(p)


# ---------------------------------------------------------------------------- HNHN
def hnhn_dense(layer: HNHNConv, x: Tensor, d: Dense) -> Tensor:
    dvb = power(d.dv, layer.beta)                                  # D_{V,beta}
    deb = d.H.t() @ dvb                                            # D_{E,beta} = H^T D_{V,b} 1
    dea = power(d.de, layer.alpha)                                 # D_{E,alpha}
    dva = d.H @ (d.w * dea)                                        # D_{V,alpha} = H W D_{E,a} 1
    xe = inv(deb)[:, None] * (d.H.t() @ (dvb[:, None] * (x @ layer.weight_v2e.t())))
    xe = layer.act(xe + layer.bias_v2e)
    out = inv(dva)[:, None] * (d.H @ ((d.w * dea)[:, None] * (xe @ layer.weight_e2v.t())))
    return out + layer.bias_e2v


# ---------------------------------------------------------------------------- HyperGCN
def hypergcn_adjacency(p: Tensor, d: Dense, mediators: bool, size_norm: bool) -> Tensor:
    """Dense symmetric adjacency from explicit loops over the hyperedges' distinct members."""
    n, m = d.H.shape
    a = torch.zeros(n, n, dtype=torch.float64)
    for e in range(m):
        members = [v for v in range(n) if d.H[v, e] > 0]
        s = len(members)
        if s < 2:
            continue
        top, bottom = max(p[v] for v in members), min(p[v] for v in members)
        i = min(v for v in members if p[v] == top)                 # first maximizer by id
        j = max(v for v in members if p[v] == bottom)              # last minimizer by id
        assert i != j
        if not mediators:
            weight = d.w[e] / s if size_norm else d.w[e]
            a[i, j] += weight
            a[j, i] += weight
            continue
        weight = d.w[e] / (2 * s - 3)
        pairs = [(i, j)] + [(k, t) for k in members if k not in (i, j) for t in (i, j)]
        for u, v in pairs:
            a[u, v] += weight
            a[v, u] += weight
    return a


def hypergcn_dense(layer: HyperGCNConv, x: Tensor, d: Dense) -> Tensor:
    h = x @ layer.weight.t()
    p = (x if layer.fast else h) @ layer.projection
    a = hypergcn_adjacency(p, d, layer.mediators, layer.size_norm) + torch.eye(len(x))
    s = a.sum(1).pow(-0.5)
    return s[:, None] * a * s[None, :] @ h + layer.bias


# ---------------------------------------------------------------------------- UniGCNII
def unigcnii_dense(layer: UniGCNIIConv, x: Tensor, d: Dense, x0: Tensor | None = None
                   ) -> Tensor:
    xe = inv(d.size)[:, None] * (d.H.t() @ x)                      # mean of the members
    de = inv(d.size) * (d.H.t() @ d.dv)                            # mean member degree
    xt = inv(d.dv, 0.5)[:, None] * (d.H @ ((d.w * inv(de, 0.5))[:, None] * xe))
    x0 = x if x0 is None else x0
    h = (1 - layer.alpha) * xt + layer.alpha * x0
    return (1 - layer.beta) * h + layer.beta * h @ layer.weight.t()


def _x0(x: Tensor) -> Tensor:
    return torch.sin(2.0 * x) + 0.5                                # row-wise, so equivariant


def _call_x0(layer, x, hypergraph, **kw):
    return layer(x, hypergraph, x0=_x0(x) if x.is_floating_point() else None, **kw)


# ---------------------------------------------------------------------------- HCHA
def hcha_dense(layer: HCHAConv, x: Tensor, d: Dense, edge_attr: Tensor | None = None
               ) -> Tensor:
    h = x @ layer.weight.t()
    n = x.size(0)
    c, heads = layer.out_channels, layer.heads
    if layer.symmetric:
        left = right = inv(d.dv, 0.5)
    else:
        left, right = inv(d.dv), torch.ones(n, dtype=torch.float64)
    middle = d.w * inv(d.de)
    outs = []
    for k in range(heads):
        hk = h[:, k * c:(k + 1) * c]
        if layer.att is None:
            ht = d.H
        else:
            xe = inv(d.size)[:, None] * (d.H.t() @ x) if edge_attr is None else edge_attr
            he = (xe @ layer.weight.t())[:, k * c:(k + 1) * c]
            score = (hk @ layer.att[k, :c])[:, None] + (he @ layer.att[k, c:])[None, :]
            score = torch.nn.functional.leaky_relu(score, layer.negative_slope)
            ex = d.H * score.exp()                                 # multiplicity counted
            ht = ex * inv(ex.sum(1, keepdim=True))                 # softmax over a node's rows
        op = left[:, None] * ht * middle[None, :] @ ht.t() * right[None, :]
        outs.append(op @ hk)
    out = torch.cat(outs, 1) if layer.concat else torch.stack(outs).mean(0)
    return out + layer.bias


def _edge_attr(size: Tensor, w: Tensor) -> Tensor:
    """Structure-only ``[M, 3]`` hyperedge features (invariant under relabelling)."""
    size = size.to(torch.float64)
    return torch.stack([size, size.sqrt(), w.to(torch.float64)], 1)


def _call_edge_attr(layer, x, hypergraph, **kw):
    hg = hypergraph
    if not isinstance(hg, Hypergraph):
        try:
            hg = Hypergraph(hypergraph, num_nodes=x.size(0), **kw)
        except Exception:  # let the layer report the bad input itself
            return layer(x, hypergraph, **kw)
    w = torch.ones(hg.num_edges) if hg.edge_weight is None else hg.edge_weight
    return layer(x, hypergraph, hyperedge_attr=_edge_attr(hg.edge_size, w), **kw)


def _hcha_attr_dense(layer, x, d: Dense) -> Tensor:
    return hcha_dense(layer, x, d, _edge_attr(d.size, d.w))


def _hcha(**kw):
    """HCHAConv with a random (not zero) bias, so the bias placement is checked."""
    def make(i: int, o: int) -> HCHAConv:
        layer = HCHAConv(i, o, **kw)
        with torch.no_grad():
            layer.bias.normal_()
        return layer
    return make


def _gcn(**kw):
    return lambda i, o: HyperGCNConv(i, o, **kw)


CASES = [
    LayerCase("HNHNConv", lambda i, o: HNHNConv(i, o), hnhn_dense),
    LayerCase("HNHNConv-allset", lambda i, o: HNHNConv(i, o, hidden_channels=5, alpha=-1.5,
                                                       beta=-0.5), hnhn_dense),
    LayerCase("HNHNConv-positive-elu", lambda i, o: HNHNConv(i, o, alpha=1.0, beta=0.5,
                                                             act="elu"), hnhn_dense),
    LayerCase("HyperGCNConv", _gcn(seed=0), hypergcn_dense),
    LayerCase("HyperGCNConv-no-mediators", _gcn(mediators=False, seed=1), hypergcn_dense),
    LayerCase("HyperGCNConv-size-norm", _gcn(mediators=False, size_norm=True, seed=2),
              hypergcn_dense),
    LayerCase("HyperGCNConv-fast", _gcn(fast=True, seed=3), hypergcn_dense),
    LayerCase("UniGCNIIConv", lambda i, o: UniGCNIIConv(i, i, alpha=0.1, lamda=0.5, layer=2),
              unigcnii_dense),
    LayerCase("UniGCNIIConv-x0", lambda i, o: UniGCNIIConv(i, alpha=0.3, beta=0.6),
              lambda layer, x, d: unigcnii_dense(layer, x, d, _x0(x)), call=_call_x0),
    LayerCase("HCHAConv", _hcha(), hcha_dense),
    LayerCase("HCHAConv-symmetric", _hcha(symmetric=True), hcha_dense),
    LayerCase("HCHAConv-attention", _hcha(attention=True, heads=2), hcha_dense),
    LayerCase("HCHAConv-attention-sym-mean",
              _hcha(symmetric=True, attention=True, heads=3, concat=False, negative_slope=0.1),
              hcha_dense),
    LayerCase("HCHAConv-attention-edge-attr", _hcha(attention=True), _hcha_attr_dense,
              call=_call_edge_attr),
]
