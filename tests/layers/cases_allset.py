"""Contract cases of :mod:`hgkit.layers.allset` with their dense references.

The PMA reference loops over the targets in float64 and weights every source by its incidence
multiplicity (a repeated incidence counts twice in the softmax); LayerNorms are written out
with the layer's own affine parameters, rFF / f_enc / f_dec are the layer's MLP modules
(tested in ``test_mlp.py``).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from hgkit.layers.allset import AllDeepSetsConv, AllSetTransformerConv
from tests.layers.contract import Dense, LayerCase, inv


def _layer_norm(x: torch.Tensor, ln) -> torch.Tensor:
    mu = x.mean(-1, keepdim=True)
    var = (x - mu).square().mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + ln.eps) * ln.weight + ln.bias


def pma_dense(pma, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """PMA of the sources ``x`` ``[S, F]`` into targets; ``a[t, s]`` = multiplicity."""
    h, d = pma.heads, pma.head_channels
    seed = pma.seed.reshape(h, d)
    k = (x @ pma.lin_k.weight.t() + pma.lin_k.bias).reshape(-1, h, d)
    v = (x @ pma.lin_v.weight.t() + pma.lin_v.bias).reshape(-1, h, d)
    score = F.leaky_relu((k * seed).sum(-1), 0.2)                       # [S, h]
    rows = []
    for t in range(a.size(0)):
        o = seed.clone()
        members = a[t] > 0
        if members.any():
            for i in range(h):
                s = score[members, i]
                e = a[t, members] * torch.exp(s - s.max())
                o[i] = o[i] + (e / e.sum()) @ v[members, i]
        rows.append(o.reshape(-1))
    o = _layer_norm(torch.stack(rows) if rows else x.new_zeros(0, h * d), pma.ln0)
    return _layer_norm(o + torch.relu(pma.rff(o)), pma.ln1)


def _transformer(layer, x, d: Dense):
    z = torch.relu(pma_dense(layer.node_to_edge, x, d.H.t()))
    return torch.relu(pma_dense(layer.edge_to_node, z, d.H))


def _deepsets(layer, x, d: Dense):
    def pool(a, y):  # a: [T, S] multiplicities
        s = a @ y
        return inv(a.sum(1))[:, None] * s if layer.aggregate == "mean" else s

    z = torch.relu(layer.dec1(pool(d.H.t(), torch.relu(layer.enc1(x)))))
    return torch.relu(layer.dec2(pool(d.H, torch.relu(layer.enc2(z)))))


CASES = [
    LayerCase("AllSetTransformerConv",
              lambda i, o: AllSetTransformerConv(i, o, heads=2), _transformer, weighted=False),
    LayerCase("AllSetTransformerConv_1head_rff1",
              lambda i, o: AllSetTransformerConv(i, o, heads=1, mlp_layers=1,
                                                 hidden_channels=6),
              _transformer, weighted=False),
    LayerCase("AllDeepSetsConv", lambda i, o: AllDeepSetsConv(i, o), _deepsets,
              weighted=False),
    LayerCase("AllDeepSetsConv_mean_nonorm",
              lambda i, o: AllDeepSetsConv(i, o, hidden_channels=5, mlp_layers=1,
                                           normalization=None, aggregate="mean"),
              _deepsets, weighted=False),
]
