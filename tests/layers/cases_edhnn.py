"""Contract cases of :mod:`hgkit.layers.edhnn` with their dense references.

The references evaluate rho on the explicit ``[x_v || m_e]`` of EVERY (node, hyperedge) pair
(``[N, M, 2C]``) and weight it by the incidence multiplicities ``H``, so they check the layer's
factored first affine map (no input norm) or gathered pairs (input norm) and its
aggregation; phi, rho, psi are the layer's own MLP modules (tested in ``test_mlp.py``).
"""

from __future__ import annotations

import torch

from hgkit.layers.edhnn import EDHNNConv, JumpLinkConv, MeanDegConv
from tests.layers.contract import Dense, LayerCase, inv


def _x0(x: torch.Tensor, width: int) -> torch.Tensor:
    """A row-wise function of ``x`` with ``width`` channels (an explicit restart state)."""
    return torch.cat([x, 2 * x], 1)[:, :width]


def _with_x0(width: int):
    def call(layer, x, hypergraph, **kw):
        return layer(x, hypergraph, x0=_x0(x, width), **kw)
    return call


def _agg_edges(a: torch.Tensor, d: Dense, aggregate: str) -> torch.Tensor:
    """AGG_{u in e} a_u, ``[M, C]``."""
    s = d.H.t() @ a
    return inv(d.size)[:, None] * s if aggregate == "mean" else s


def _pairs(x: torch.Tensor, edge_feat: torch.Tensor) -> torch.Tensor:
    """``[N, M, Cx + Ce]``: ``[x_v || edge_feat_e]`` for every pair."""
    n, m = x.size(0), edge_feat.size(0)
    return torch.cat([x[:, None, :].expand(n, m, -1), edge_feat[None, :, :].expand(n, m, -1)],
                     -1)


def _agg_nodes(r: torch.Tensor, d: Dense, aggregate: str) -> torch.Tensor:
    """AGG_{e ni v} r[v, e] over incidences (multiplicities), ``[N, C]``."""
    s = torch.einsum("ve,vec->vc", d.H, r)
    return inv(d.count)[:, None] * s if aggregate == "mean" else s


def _mlp_rows(mlp, z: torch.Tensor) -> torch.Tensor:
    n, m, c = z.shape
    return mlp(z.reshape(n * m, c)).reshape(n, m, -1)


def _edhnn(width: int | None = None):
    def dense(layer, x, d: Dense):
        m_e = _agg_edges(layer.phi(x), d, layer.aggregate)
        if layer.rho is None:
            r = m_e[None].expand(d.H.size(0), -1, -1)
        else:
            r = _mlp_rows(layer.rho, _pairs(x, m_e))
        m_v = _agg_nodes(r, d, layer.aggregate)
        if layer.alpha:
            x0 = x if width is None else _x0(x, width)
            m_v = (1 - layer.alpha) * m_v + layer.alpha * x0
        return layer.psi(m_v)
    return dense


def _jumplink(layer, x, d: Dense):
    if layer.aggregate == "mean":
        op = inv(d.count)[:, None] * d.H * inv(d.size)[None, :] @ d.H.t()
    else:
        op = d.H @ d.H.t()
    h = (1 - layer.alpha) * (op @ x) + layer.alpha * x
    if layer.beta == 1:
        return layer.mlp(h)
    return (1 - layer.beta) * h + layer.beta * layer.mlp(h)


def _log(count: torch.Tensor) -> torch.Tensor:
    return torch.where(count > 0, count.clamp(min=1).log(), torch.zeros_like(count))


def _meandeg(width: int | None = None):
    def dense(layer, x, d: Dense):
        m_e = _agg_edges(layer.phi(x), d, "mean")
        edge_feat = torch.cat([m_e, _log(d.size)[:, None]], 1)
        m_v = _agg_nodes(_mlp_rows(layer.rho, _pairs(x, edge_feat)), d, "mean")
        x0 = x if width is None else _x0(x, width)
        return layer.psi(torch.cat([m_v, x, x0, _log(d.count)[:, None]], 1))
    return dense


CASES = [
    # defaults: phi/rho/psi 2 layers, LayerNorm input norm (rho's LayerNorm + first Linear
    # from per-node / per-hyperedge projections and sums), mean,
    # alpha 0.5
    LayerCase("EDHNNConv", lambda i, o: EDHNNConv(i, o), _edhnn(), weighted=False),
    # the Cora / Citeseer / Cora-CA / DBLP-CA command: rho = "take m_e", one-layer psi
    LayerCase("EDHNNConv_cora",
              lambda i, o: EDHNNConv(i, o, mlp1_layers=0, mlp2_layers=0, mlp3_layers=1,
                                     alpha=0.0),
              _edhnn(), weighted=False),
    # one linear rho without norm: the node part leaves the sum (no per-incidence tensor)
    LayerCase("EDHNNConv_sum_linear_rho",
              lambda i, o: EDHNNConv(i, o, mlp1_layers=0, mlp2_layers=1, mlp3_layers=1,
                                     aggregate="sum", normalization=None),
              _edhnn(), weighted=False),
    # the Pubmed command shape: no norm, two-layer rho (split first Linear), explicit x0
    LayerCase("EDHNNConv_pubmed_x0",
              lambda i, o: EDHNNConv(i, o, hidden_channels=5, normalization=None),
              _edhnn(5), call=_with_x0(5), weighted=False),
    # one-layer rho after a LayerNorm input norm; psi = identity (hidden == out)
    LayerCase("EDHNNConv_ln_rho1_psi0",
              lambda i, o: EDHNNConv(i, o, hidden_channels=o, mlp1_layers=1, mlp2_layers=1,
                                     mlp3_layers=0, alpha=0.0),
              _edhnn(), weighted=False),
    # BatchNorm (eval: running statistics): rho's input norm runs on the gathered pairs
    LayerCase("EDHNNConv_bn_sum",
              lambda i, o: EDHNNConv(i, o, normalization="bn", aggregate="sum", alpha=0.3),
              _edhnn(), weighted=False),
    LayerCase("JumpLinkConv", lambda i, o: JumpLinkConv(i, o), _jumplink, weighted=False),
    LayerCase("JumpLinkConv_beta_sum",
              lambda i, o: JumpLinkConv(i, i, beta=0.5, alpha=0.2, aggregate="sum"),
              _jumplink, weighted=False),
    LayerCase("MeanDegConv", lambda i, o: MeanDegConv(i, o), _meandeg(), weighted=False),
    LayerCase("MeanDegConv_phi0_x0",
              lambda i, o: MeanDegConv(i, o, hidden_channels=5, mlp1_layers=0, mlp2_layers=2,
                                       x0_channels=2),
              _meandeg(2), call=_with_x0(2), weighted=False),
]
