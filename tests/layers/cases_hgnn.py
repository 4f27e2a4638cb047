"""Contract cases of :mod:`hgkit.layers.hgnn` with their dense references."""

from __future__ import annotations

from hgkit.layers import HGNNConv, HGNNPConv
from tests.layers.contract import Dense, LayerCase, inv


def _linear(layer, x):
    return x @ layer.weight.t() + layer.bias


def _hgnn(layer, x, d: Dense):
    s = inv(d.dv, 0.5)
    op = s[:, None] * d.H * (d.w * inv(d.de))[None, :] @ d.H.t() * s[None, :]
    return op @ _linear(layer, x)


def _hgnnp(layer, x, d: Dense):
    op = inv(d.dv)[:, None] * d.H * (d.w * inv(d.de))[None, :] @ d.H.t()
    return op @ _linear(layer, x)


CASES = [
    LayerCase("HGNNConv", lambda i, o: HGNNConv(i, o), _hgnn),
    LayerCase("HGNNPConv", lambda i, o: HGNNPConv(i, o), _hgnnp),
]
