r"""ED-HNN (Wang, Yang, Liu, Wang & Li, "Equivariant Hypergraph Diffusion Neural Operators",
ICLR 2023): the equivariant hypergraph diffusion convolution, its two variants from the
official code (``JumpLinkConv``, ``MeanDegConv``) and the model that iterates ONE shared conv.

The operator :math:`[\psi(H_e)]_v = \rho(h_v, \sum_{w \in e} \varphi(h_w))` runs as message
passing on the star expansion: node -> hyperedge with :func:`hgkit.ops.v2e`, hyperedge -> node
with :func:`hgkit.ops.e2v` / :func:`hgkit.ops.scatter`. The per-incidence input
``[h_v || m_e]`` of :math:`\rho` is never materialized when :math:`\rho` has no input norm
(its first affine map is then split exactly into a node part and a hyperedge part); see
:class:`EDHNNConv`.

Preprocessing of the paper's experiments (not done by the layers): every node that is not
already in a singleton hyperedge gets one, i.e.
``hgkit.hypergraph.transforms.add_self_loops(hg, only_missing=True)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from hgkit import ops
from hgkit.hypergraph import normalize
from hgkit.hypergraph._checks import describe
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import (HypergraphLayer, as_hypergraph, cached, check_features, dropout,
                                dtype_key)
from hgkit.layers.mlp import MLP, check_dropout, check_normalization, check_positive_int

__all__ = ["EDHNNConv", "JumpLinkConv", "MeanDegConv", "EDHNN", "dataset_key"]


# ---------------------------------------------------------------------------- helpers
def _check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.lower() not in choices:
        raise ValueError(f"Expected '{name}' to be one of {list(choices)} (got {value!r})")
    return value.lower()


def _check_unit(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"Expected '{name}' to be a float (got {describe(value)})")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"Expected '{name}' to be in [0, 1] (got {value})")
    return float(value)


def _node_count(hg: Hypergraph, dtype: torch.dtype) -> Tensor:
    """``[N]`` number of incidences of each node (multiplicities count), in ``dtype``."""
    return cached(hg, f"edhnn_count_{dtype_key(dtype)}", lambda: normalize.node_degree(
        hg.hyperedge_index, hg.num_nodes, None, dtype=dtype))


def _log_degrees(hg: Hypergraph, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """``(log d_v, log |e|)`` of the unweighted counts, ``0`` where a count is ``0``."""
    def compute() -> tuple[Tensor, Tensor]:
        index = hg.hyperedge_index
        dv = normalize.node_degree(index, hg.num_nodes, None, dtype=dtype)
        de = normalize.edge_degree(index, hg.num_edges, None, dtype=dtype)
        return dv.clamp(min=1).log(), de.clamp(min=1).log()
    return cached(hg, f"edhnn_logdeg_{dtype_key(dtype)}", compute)


def _first_affine(h: Tensor, m: Tensor, node: Tensor, edge: Tensor, mlp: MLP) -> Tensor:
    r"""``mlp.lins[0](mlp.norms[0]([h[node] || m[edge]]))`` for every incidence.

    Without input norm the affine map is split exactly,
    :math:`W [h_v \| m_e] + b = W_h h_v + (W_m m_e + b)`: two small matmuls over the nodes and
    the hyperedges, then one gather-add, instead of a ``[nnz, C_h + C_m]`` concatenation and
    its matmul. A LayerNorm input norm couples the two parts only through two per-incidence
    scalars (mean and variance), so it is factored too (:func:`_layer_norm_affine`); a
    BatchNorm over the incidences runs on the gathered concatenation as written.
    """
    lin, norm = mlp.lins[0], mlp.norms[0]
    if isinstance(norm, nn.Identity):
        n1 = h.size(1)
        p = F.linear(h, lin.weight[:, :n1])
        q = F.linear(m, lin.weight[:, n1:], lin.bias)
        return p.index_select(0, node) + q.index_select(0, edge)
    if isinstance(norm, nn.LayerNorm) and node.numel() > 0:
        return _layer_norm_affine(h, m, node, edge, norm, lin)
    return lin(norm(torch.cat([h.index_select(0, node), m.index_select(0, edge)], 1)))


def _layer_norm_affine(h: Tensor, m: Tensor, node: Tensor, edge: Tensor, norm: nn.LayerNorm,
                       lin: nn.Linear) -> Tensor:
    r"""``lin(norm([h[node] || m[edge]]))`` without forming the ``[nnz, C_h + C_m]`` input.

    With :math:`z = [h_v \| m_e]` of width :math:`n`, LayerNorm statistics
    :math:`\mu = (\textstyle\sum h_v + \sum m_e) / n` and
    :math:`\sigma^2 = (\sum h_v^2 + \sum m_e^2) / n - \mu^2` come from per-node and
    per-hyperedge sums, and

    .. math::
        W(\gamma \odot \tfrac{z - \mu}{s} + \beta) + b
        = \big(P_v + Q_e - \mu\, W\gamma\big) / s + (W\beta + b),\quad
        P = h (W_h \operatorname{diag}\gamma_h)^\top,\;
        Q = m (W_m \operatorname{diag}\gamma_m)^\top,

    :math:`s = \sqrt{\sigma^2 + \epsilon}`: two small matmuls over nodes and hyperedges and
    O(nnz x out) elementwise work replace the O(nnz x n x out) matmul. Exact up to rounding;
    both parts are shifted by the (detached) mean of ``h`` first, which leaves the result
    unchanged and keeps :math:`E[z^2] - \mu^2` well conditioned.
    """
    n1, width = h.size(1), h.size(1) + m.size(1)
    shift = h.detach().mean()
    h, m = h - shift, m - shift
    mu = (h.sum(1).index_select(0, node) + m.sum(1).index_select(0, edge)) / width
    sq = ((h * h).sum(1).index_select(0, node) + (m * m).sum(1).index_select(0, edge)) / width
    rstd = torch.rsqrt((sq - mu * mu).clamp_min(0.0) + norm.eps)
    weight = lin.weight if norm.weight is None else lin.weight * norm.weight
    p = F.linear(h, weight[:, :n1])
    q = F.linear(m, weight[:, n1:])
    out = p.index_select(0, node) + q.index_select(0, edge)
    out = (out - mu.unsqueeze(1) * weight.sum(1)) * rstd.unsqueeze(1)
    bias = lin.bias
    if norm.bias is not None:
        bias = F.linear(norm.bias, lin.weight, bias)
    return out if bias is None else out + bias


def _check_x0(x0: Any, x: Tensor, hg: Hypergraph, channels: int) -> Tensor:
    if x0 is None:
        if x.size(1) != channels:
            raise ValueError(f"Expected 'x0' (the restart state, alpha > 0): the layer mixes "
                             f"it into {channels}-channel messages, so 'x' with {x.size(1)} "
                             f"channels cannot stand in for it; pass x0 with {channels} "
                             "channels")
        return x
    x0 = check_features(x0, hg.num_nodes, None, hg.device, name="x0")
    if x0.size(1) != channels:
        raise ValueError(f"'x0' has {x0.size(1)} channels but the restart term needs "
                         f"{channels} (the message width)")
    if x0.dtype != x.dtype:
        raise TypeError(f"Expected 'x0' to have the dtype of 'x' {x.dtype} (got {x0.dtype})")
    return x0


# ---------------------------------------------------------------------------- convolutions
class EDHNNConv(HypergraphLayer):
    r"""The ED-HNN equivariant diffusion convolution (``EquivSetConv`` of the official code;
    Wang et al., "Equivariant Hypergraph Diffusion Neural Operators", ICLR 2023).

    .. math::
        m_e = \operatorname{AGG}_{u \in e} \varphi(x_u), \qquad
        b_{e \to v} = \rho\big([x_v \,\|\, m_e]\big), \qquad
        m_v = \operatorname{AGG}_{e \ni v} b_{e \to v}, \qquad
        x'_v = \psi\big((1 - \alpha)\, m_v + \alpha\, x^{(0)}_v\big),

    with :math:`\operatorname{AGG}` a mean or a sum over incidences (a repeated incidence counts
    twice; an empty hyperedge or an isolated node aggregates to ``0``), :math:`\varphi,\rho,
    \psi` :class:`~hgkit.layers.mlp.MLP` blocks (``mlp1/2/3_layers``; ``0`` layers = identity)
    and the restart state :math:`x^{(0)}` (``x0``, default ``x``). With ``mlp2_layers=0``,
    :math:`b_{e \to v} = m_e`: the receiving node's own state is dropped, as in the official
    code (the Cora / Citeseer / Cora-CA / DBLP-CA settings). Hyperedge and node weights are
    ignored (the operator has none).

    Widths: :math:`C` = ``hidden_channels`` (default ``in_channels``); :math:`\varphi`:
    ``in -> C`` (identity keeps ``in``), :math:`\rho`: ``in + width(phi) -> C`` (identity keeps
    ``width(phi)``), ``x0`` must have the message width, :math:`\psi`: ``-> out_channels``.
    Without input norm, :math:`\rho`'s first affine map is split exactly into a node part and
    a hyperedge part (see :func:`_first_affine`), so no ``[nnz, in + C]`` tensor is built, and
    a one-layer :math:`\rho` needs no per-incidence tensor at all; with an input norm (the
    default, which normalizes the concatenation) :math:`\rho` runs on the gathered pairs.

    Args:
        in_channels: input feature size.
        out_channels: output feature size (:math:`\psi`'s output).
        hidden_channels: width :math:`C` of the MLPs and messages (default ``in_channels``).
        mlp1_layers: layers of :math:`\varphi` (``MLP_num_layers``).
        mlp2_layers: layers of :math:`\rho` (``MLP2_num_layers``).
        mlp3_layers: layers of :math:`\psi` (``MLP3_num_layers``).
        aggregate: ``"mean"`` or ``"sum"`` (both directions).
        alpha: restart weight :math:`\alpha \in [0, 1]` (``restart_alpha``).
        dropout: dropout inside the MLPs (training only).
        normalization: norm of the MLPs, ``"ln"``, ``"bn"`` or ``None``.
        input_norm: the MLPs normalize their input first (``AllSet_input_norm``).

    Shapes:
        ``x`` ``[N, in]``, ``x0`` ``[N, message width]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> conv = EDHNNConv(4, 8)
        >>> conv(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
        >>> cora = EDHNNConv(4, 4, mlp1_layers=0, mlp2_layers=0, mlp3_layers=1, alpha=0.0)
        >>> cora(torch.randn(3, 4), hg.hyperedge_index).shape
        torch.Size([3, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int | None = None,
                 mlp1_layers: int = 2, mlp2_layers: int = 2, mlp3_layers: int = 2,
                 aggregate: str = "mean", alpha: float = 0.5, dropout: float = 0.0,
                 normalization: str | None = "ln", input_norm: bool = True) -> None:
        super().__init__(in_channels, out_channels)
        hidden = (in_channels if hidden_channels is None
                  else check_positive_int(hidden_channels, "hidden_channels"))
        for name, value in (("mlp1_layers", mlp1_layers), ("mlp2_layers", mlp2_layers),
                            ("mlp3_layers", mlp3_layers)):
            check_positive_int(value, name, minimum=0)
        self.hidden_channels = hidden
        self.aggregate = _check_choice(aggregate, "aggregate", ("mean", "sum"))
        self.alpha = _check_unit(alpha, "alpha")
        width_a = hidden if mlp1_layers > 0 else in_channels
        width_b = hidden if mlp2_layers > 0 else width_a
        if mlp3_layers == 0 and width_b != out_channels:
            raise ValueError(f"mlp3_layers=0 makes psi the identity, so the message width "
                             f"{width_b} must equal out_channels (got {out_channels})")
        self.message_channels = width_b
        kw = dict(dropout=dropout, normalization=normalization, input_norm=input_norm)
        self.phi = MLP(in_channels, hidden, width_a, mlp1_layers, **kw)
        self.rho = (MLP(in_channels + width_a, hidden, width_b, mlp2_layers, **kw)
                    if mlp2_layers > 0 else None)
        self.psi = MLP(width_b, hidden, out_channels, mlp3_layers, **kw)

    def reset_parameters(self) -> None:
        """Re-initialize :math:`\\varphi`, :math:`\\rho` and :math:`\\psi`."""
        for mlp in (self.phi, self.rho, self.psi):
            if mlp is not None:
                mlp.reset_parameters()

    def _node_messages(self, x: Tensor, m_e: Tensor, hg: Hypergraph) -> Tensor:
        """:math:`m_v = \\operatorname{AGG}_{e \\ni v} \\rho([x_v \\| m_e])`."""
        rho = self.rho
        if rho is None:
            return ops.e2v(m_e, hg, self.aggregate)
        node, edge = hg.hyperedge_index[0], hg.hyperedge_index[1]
        if rho.num_layers == 1 and isinstance(rho.norms[0], nn.Identity):
            # AGG_e (W_h x_v + W_m m_e + b): the node part leaves the aggregation
            lin, n1 = rho.lins[0], x.size(1)
            p = F.linear(x, lin.weight[:, :n1])
            q = F.linear(m_e, lin.weight[:, n1:], lin.bias)
            count = _node_count(hg, x.dtype)
            if self.aggregate == "mean":
                count = count.clamp(max=1)
            return count.unsqueeze(1) * p + ops.e2v(q, hg, self.aggregate)
        z = rho.tail(_first_affine(x, m_e, node, edge, rho))
        return ops.scatter(z, node, hg.num_nodes, self.aggregate)

    def forward(self, x: Tensor, hypergraph: Any, x0: Tensor | None = None,
                num_edges: int | None = None, edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        m_e = ops.v2e(self.phi(x), hg, self.aggregate)
        m_v = self._node_messages(x, m_e, hg)
        if self.alpha != 0.0 or x0 is not None:
            x0 = _check_x0(x0, x, hg, self.message_channels)
            if self.alpha != 0.0:
                m_v = (1.0 - self.alpha) * m_v + self.alpha * x0
        return self.psi(m_v)

    def extra_repr(self) -> str:
        rho = 0 if self.rho is None else self.rho.num_layers
        return (f"{self.in_channels}, {self.out_channels}, hidden_channels="
                f"{self.hidden_channels}, mlp_layers=({self.phi.num_layers}, {rho}, "
                f"{self.psi.num_layers}), aggregate={self.aggregate!r}, alpha={self.alpha}")


class JumpLinkConv(HypergraphLayer):
    r"""ED-HNN's ``JumpLinkConv`` variant: parameter-free two-stage propagation, a restart
    and an identity-mapped MLP (GCNII-style), as in the official code.

    .. math::
        m_v = \operatorname{AGG}_{e \ni v} \operatorname{AGG}_{u \in e} x_u, \qquad
        h_v = (1 - \alpha)\, m_v + \alpha\, x^{(0)}_v, \qquad
        x'_v = (1 - \beta)\, h_v + \beta\, \mathrm{MLP}(h_v),

    with :math:`\operatorname{AGG}` a mean (default) or sum over incidences (empty -> ``0``)
    and an :class:`~hgkit.layers.mlp.MLP` without norm or dropout. ``beta != 1`` needs
    ``in_channels == out_channels``. Hyperedge and node weights are ignored.

    Args:
        in_channels: input feature size (also the width of ``x0``).
        out_channels: output feature size.
        hidden_channels: hidden width of the MLP (default ``out_channels``).
        mlp_layers: layers of the MLP.
        aggregate: ``"mean"`` or ``"sum"``.
        alpha: restart weight :math:`\alpha \in [0, 1]`.
        beta: identity-mapping weight :math:`\beta \in [0, 1]` (1: plain MLP).

    Shapes:
        ``x``, ``x0`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> JumpLinkConv(4, 4, beta=0.5)(torch.randn(3, 4), hg).shape
        torch.Size([3, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int | None = None,
                 mlp_layers: int = 2, aggregate: str = "mean", alpha: float = 0.5,
                 beta: float = 1.0) -> None:
        super().__init__(in_channels, out_channels)
        hidden = (out_channels if hidden_channels is None
                  else check_positive_int(hidden_channels, "hidden_channels"))
        self.aggregate = _check_choice(aggregate, "aggregate", ("mean", "sum"))
        self.alpha = _check_unit(alpha, "alpha")
        self.beta = _check_unit(beta, "beta")
        if self.beta != 1.0 and in_channels != out_channels:
            raise ValueError(f"beta={beta} adds the input to the output, which needs "
                             f"in_channels == out_channels (got {in_channels} and "
                             f"{out_channels})")
        self.mlp = MLP(in_channels, hidden, out_channels, mlp_layers, normalization=None)

    def reset_parameters(self) -> None:
        """Re-initialize the MLP."""
        self.mlp.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, x0: Tensor | None = None,
                num_edges: int | None = None, edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        h = ops.v2v(x, hg, self.aggregate)
        if self.alpha != 0.0 or x0 is not None:
            x0 = _check_x0(x0, x, hg, self.in_channels)
            if self.alpha != 0.0:
                h = (1.0 - self.alpha) * h + self.alpha * x0
        out = self.mlp(h)
        return out if self.beta == 1.0 else (1.0 - self.beta) * h + self.beta * out

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, aggregate={self.aggregate!r}, "
                f"alpha={self.alpha}, beta={self.beta}")


class MeanDegConv(HypergraphLayer):
    r"""ED-HNN's ``MeanDegConv`` variant: mean messages that also see log-degrees.

    .. math::
        m_e = \frac{1}{|e|} \sum_{u \in e} \varphi(x_u), \quad
        m_v = \frac{1}{d_v} \sum_{e \ni v} \rho\big([x_v \| m_e \| \log |e|]\big), \quad
        x'_v = \psi\big([m_v \| x_v \| x^{(0)}_v \| \log d_v]\big),

    with unweighted counts :math:`|e|`, :math:`d_v` (repeated incidences count), the zero-degree
    policy :math:`\log 0 := 0` (an isolated node; the official code relies on self-loops) and
    :class:`~hgkit.layers.mlp.MLP` blocks without norm or dropout, as in the official code.
    Hyperedge and node weights are ignored. :math:`\rho`'s first affine map is factored as in
    :class:`EDHNNConv` (no ``[nnz, 2C]`` tensor).

    Args:
        in_channels: input feature size.
        out_channels: output feature size.
        hidden_channels: width :math:`C` of :math:`\varphi`, :math:`\rho` and the MLP hidden
            layers (default ``out_channels``).
        mlp1_layers: layers of :math:`\varphi` (``0``: identity).
        mlp2_layers: layers of :math:`\rho` (``>= 1``).
        mlp3_layers: layers of :math:`\psi` (``>= 1``).
        x0_channels: width of ``x0`` (default ``in_channels``, so ``x0`` defaults to ``x``).

    Shapes:
        ``x`` ``[N, in]``, ``x0`` ``[N, x0_channels]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> MeanDegConv(4, 6)(torch.randn(3, 4), hg).shape
        torch.Size([3, 6])
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int | None = None,
                 mlp1_layers: int = 1, mlp2_layers: int = 1, mlp3_layers: int = 2,
                 x0_channels: int | None = None) -> None:
        super().__init__(in_channels, out_channels)
        hidden = (out_channels if hidden_channels is None
                  else check_positive_int(hidden_channels, "hidden_channels"))
        check_positive_int(mlp1_layers, "mlp1_layers", minimum=0)
        check_positive_int(mlp2_layers, "mlp2_layers")
        check_positive_int(mlp3_layers, "mlp3_layers")
        self.x0_channels = (in_channels if x0_channels is None
                            else check_positive_int(x0_channels, "x0_channels"))
        width_a = hidden if mlp1_layers > 0 else in_channels
        self.phi = MLP(in_channels, hidden, width_a, mlp1_layers, normalization=None)
        self.rho = MLP(in_channels + width_a + 1, hidden, hidden, mlp2_layers,
                       normalization=None)
        self.psi = MLP(hidden + in_channels + self.x0_channels + 1, hidden, out_channels,
                       mlp3_layers, normalization=None)

    def reset_parameters(self) -> None:
        """Re-initialize :math:`\\varphi`, :math:`\\rho` and :math:`\\psi`."""
        for mlp in (self.phi, self.rho, self.psi):
            mlp.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, x0: Tensor | None = None,
                num_edges: int | None = None, edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        x0 = _check_x0(x0, x, hg, self.x0_channels)
        log_dv, log_de = _log_degrees(hg, x.dtype)
        m_e = ops.v2e(self.phi(x), hg, "mean")
        node, edge = hg.hyperedge_index[0], hg.hyperedge_index[1]
        z = _first_affine(x, torch.cat([m_e, log_de.unsqueeze(1)], 1), node, edge, self.rho)
        m_v = ops.scatter(self.rho.tail(z), node, hg.num_nodes, "mean")
        return self.psi(torch.cat([m_v, x, x0, log_dv.unsqueeze(1)], 1))


# ---------------------------------------------------------------------------- the model
_CORNELL = ("house-committees", "senate-committees", "walmart-trips", "congress-bills")


def dataset_key(name: str) -> str:
    """Normalize a dataset name to the official ``--dname`` spelling (lower case).

    ``"allset-cocitation-cora"`` -> ``"cora"``, ``"allset-coauthorship-dblp"`` / ``"DBLP-CA"``
    -> ``"coauthor_dblp"``, ``"allset-house-committees"`` -> ``"house-committees-100"``.

    Example:
        >>> dataset_key("allset-coauthorship-cora"), dataset_key("Mushroom")
        ('coauthor_cora', 'mushroom')
    """
    if not isinstance(name, str):
        raise TypeError(f"Expected 'dataset' to be a str (got {describe(name)})")
    key = name.strip().lower().removeprefix("allset-")
    key = key.removeprefix("cocitation-")
    if key.startswith("coauthorship-"):
        key = "coauthor_" + key.removeprefix("coauthorship-")
    key = {"cora-ca": "coauthor_cora", "dblp-ca": "coauthor_dblp"}.get(key, key)
    return key + "-100" if key in _CORNELL else key


def lookup_defaults(table: dict[str, dict[str, Any]], fallback: dict[str, Any],
                    dataset: str) -> dict[str, Any]:
    """A copy of ``table[dataset]`` (names matched through :func:`dataset_key`), else of
    ``fallback``."""
    key = dataset_key(dataset)
    for name, row in table.items():
        if dataset_key(name) == key:
            return dict(row)
    return dict(fallback)


class DatasetDefaults:
    """Per-dataset settings of a model class: ``DEFAULTS`` (constructor arguments per dataset),
    ``GLOBAL_DEFAULTS`` (for other datasets), ``TRAINING`` (training settings per dataset) and
    ``TRAINING_FALLBACK`` (for other datasets). Names match through :func:`dataset_key`."""

    DEFAULTS: dict[str, dict[str, Any]] = {}
    GLOBAL_DEFAULTS: dict[str, Any] = {}
    TRAINING: dict[str, dict[str, Any]] = {}
    TRAINING_FALLBACK: dict[str, Any] = {}

    @classmethod
    def defaults_for(cls, dataset: str) -> dict[str, Any]:
        """The constructor settings of ``dataset`` (a copy; global defaults if unknown)."""
        return lookup_defaults(cls.DEFAULTS, cls.GLOBAL_DEFAULTS, dataset)

    @classmethod
    def training_for(cls, dataset: str) -> dict[str, Any]:
        """The training settings of ``dataset`` (a copy; the common ones if unknown)."""
        return lookup_defaults(cls.TRAINING, cls.TRAINING_FALLBACK, dataset)

    @classmethod
    def from_defaults(cls, dataset: str, in_channels: int, num_classes: int,
                      **overrides: Any) -> Any:
        """The model with the settings of ``dataset``, updated by ``overrides``."""
        return cls(in_channels=in_channels, out_channels=num_classes,  # type: ignore[call-arg]
                   **{**cls.defaults_for(dataset), **overrides})


def _activation(name: Any) -> nn.Module:
    key = "id" if name is None else name
    key = _check_choice(key, "activation", ("relu", "prelu", "id", "identity"))
    return {"relu": nn.ReLU(), "prelu": nn.PReLU()}.get(key, nn.Identity())


_EDHNN_GLOBAL: dict[str, Any] = dict(
    hidden_channels=64, num_layers=2, mlp1_layers=2, mlp2_layers=2, mlp3_layers=2,
    classifier_layers=2, classifier_hidden=64, aggregate="mean", alpha=0.5, dropout=0.5,
    normalization="ln", input_norm=True, activation="relu", conv_type="equivset")
_HOMOPHILIC = dict(num_layers=1, mlp1_layers=0, mlp2_layers=0, mlp3_layers=1, alpha=0.0)
_DEEP = dict(num_layers=8, mlp1_layers=2, mlp2_layers=2, mlp3_layers=2, alpha=0.5)
_EDHNN_ROWS: dict[str, dict[str, Any]] = {
    "cora": dict(_HOMOPHILIC, classifier_layers=1, hidden_channels=256, classifier_hidden=256),
    "citeseer": dict(_HOMOPHILIC, classifier_layers=1, hidden_channels=256,
                     classifier_hidden=256),
    "pubmed": dict(_DEEP, classifier_layers=2, hidden_channels=512, classifier_hidden=256,
                   normalization=None),
    "coauthor_cora": dict(_HOMOPHILIC, classifier_layers=2, hidden_channels=128,
                          classifier_hidden=96),
    "coauthor_dblp": dict(_HOMOPHILIC, classifier_layers=2, hidden_channels=128,
                          classifier_hidden=96),
    "senate-committees-100": dict(_DEEP, classifier_layers=2, hidden_channels=512,
                                  classifier_hidden=256),
    "house-committees-100": dict(_DEEP, classifier_layers=1, hidden_channels=256,
                                 classifier_hidden=128),
}
_EDHNN_TRAINING: dict[str, Any] = dict(lr=1e-3, weight_decay=0.0, epochs=500, runs=10,
                                       train_prop=0.5, valid_prop=0.25)


class EDHNN(DatasetDefaults, nn.Module):
    r"""The ED-HNN node classifier (``EquivSetGNN``; Wang et al., ICLR 2023): ONE conv whose
    weights are shared by all ``num_layers`` iterations.

    .. math::
        h^{(0)} = \mathrm{ReLU}(W_{in}\, \mathrm{Drop}(x) + b_{in}), \quad
        h^{(l+1)} = \sigma\big(\mathrm{conv}(\mathrm{Drop}(h^{(l)}), x^{(0)} = h^{(0)})\big),
        \quad \mathrm{logits} = \mathrm{MLP}_{cls}(\mathrm{Drop}(h^{(L)})),

    with :math:`\sigma` = ``activation`` (ReLU, PReLU or identity), ``Drop`` dropout ``p``
    (also on the input, as the official code does; its ``input_dropout`` is unused) and the conv
    :class:`EDHNNConv` (``conv_type="equivset"``), :class:`JumpLinkConv` (``"jumplink"``, MLP
    of ``mlp1_layers``) or :class:`MeanDegConv` (``"meandeg"``), all ``C -> C``. The classifier
    is an :class:`~hgkit.layers.mlp.MLP` ``C -> classifier_hidden -> out`` with the same norm and
    no input norm. Returns logits (train with cross-entropy). Hyperedge weights are ignored.
    Self-loops are preprocessing (see :mod:`hgkit.layers.edhnn`).

    ``EDHNN.DEFAULTS`` holds the official README commands per dataset (``--dname`` keys; any
    hgkit name such as ``"allset-cocitation-cora"`` resolves through :func:`dataset_key`),
    ``EDHNN.GLOBAL_DEFAULTS`` the argparse defaults used for other datasets, ``EDHNN.TRAINING``
    the optimizer / protocol settings of every command (Adam, full batch); Senate and House
    use ``feature_noise`` 1.0.

    Args:
        in_channels: input feature size.
        hidden_channels: width :math:`C` (``MLP_hidden``).
        out_channels: number of classes.
        num_layers: iterations of the shared conv (``All_num_layers``, ``>= 0``).
        mlp1_layers: layers of :math:`\varphi` (``MLP_num_layers``).
        mlp2_layers: layers of :math:`\rho` (``None`` or ``-1``: ``mlp1_layers``).
        mlp3_layers: layers of :math:`\psi` (``None`` or ``-1``: ``mlp1_layers``).
        classifier_layers: layers of the classifier (``Classifier_num_layers``).
        classifier_hidden: hidden width of the classifier (``Classifier_hidden``).
        aggregate: ``"mean"`` or ``"sum"``.
        alpha: restart weight (``restart_alpha``).
        dropout: dropout ``p`` (input, before each iteration, classifier input, inside MLPs).
        normalization: ``"ln"``, ``"bn"`` or ``None``.
        input_norm: the conv MLPs normalize their input (``AllSet_input_norm``).
        activation: ``"relu"``, ``"prelu"`` or ``"id"``.
        conv_type: ``"equivset"``, ``"jumplink"`` or ``"meandeg"`` (``edconv_type``).

    Shapes:
        ``x`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> model = EDHNN.from_defaults("cora", in_channels=5, num_classes=3).eval()
        >>> model(torch.randn(3, 5), hg).shape
        torch.Size([3, 3])
        >>> EDHNN.DEFAULTS["cora"]["hidden_channels"], model.num_layers
        (256, 1)
    """

    GLOBAL_DEFAULTS: dict[str, Any] = _EDHNN_GLOBAL
    DEFAULTS: dict[str, dict[str, Any]] = {
        name: {**_EDHNN_GLOBAL, **row} for name, row in _EDHNN_ROWS.items()}
    TRAINING: dict[str, dict[str, Any]] = {
        name: dict(_EDHNN_TRAINING, **({"feature_noise": 1.0} if "committees" in name else {}))
        for name in _EDHNN_ROWS}
    TRAINING_FALLBACK: dict[str, Any] = _EDHNN_TRAINING

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, mlp1_layers: int = 2, mlp2_layers: int | None = None,
                 mlp3_layers: int | None = None, classifier_layers: int = 2,
                 classifier_hidden: int = 64, aggregate: str = "mean", alpha: float = 0.5,
                 dropout: float = 0.5, normalization: str | None = "ln",
                 input_norm: bool = True, activation: str | None = "relu",
                 conv_type: str = "equivset") -> None:
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        c = check_positive_int(hidden_channels, "hidden_channels")
        self.num_layers = check_positive_int(num_layers, "num_layers", minimum=0)
        mlp1 = check_positive_int(mlp1_layers, "mlp1_layers", minimum=0)
        mlp2 = mlp1 if mlp2_layers in (None, -1) else mlp2_layers
        mlp3 = mlp1 if mlp3_layers in (None, -1) else mlp3_layers
        self.dropout = check_dropout(dropout)
        normalization = check_normalization(normalization)
        self.conv_type = _check_choice(conv_type, "conv_type",
                                       ("equivset", "jumplink", "meandeg"))
        self.lin_in = nn.Linear(in_channels, c)
        if self.conv_type == "equivset":
            self.conv: nn.Module = EDHNNConv(
                c, c, c, mlp1, mlp2, mlp3, aggregate=aggregate, alpha=alpha, dropout=dropout,
                normalization=normalization, input_norm=input_norm)
        elif self.conv_type == "jumplink":
            self.conv = JumpLinkConv(c, c, c, mlp1, aggregate=aggregate, alpha=alpha)
        else:
            self.conv = MeanDegConv(c, c, c, mlp1, mlp2, mlp3, x0_channels=c)
        self.act = _activation(activation)
        self.classifier = MLP(c, classifier_hidden, out_channels, classifier_layers,
                              dropout=dropout, normalization=normalization)


    def reset_parameters(self) -> None:
        """Re-initialize every parameter (called before each run in the official protocol)."""
        self.lin_in.reset_parameters()
        self.conv.reset_parameters()
        self.classifier.reset_parameters()
        if isinstance(self.act, nn.PReLU):
            self.act.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
        x = check_features(x, hg.num_nodes, self.in_channels, hg.device)
        x = dropout(x, self.dropout, self.training)
        h0 = F.relu(self.lin_in(x))
        h = h0
        for _ in range(self.num_layers):
            h = dropout(h, self.dropout, self.training)
            h = self.act(self.conv(h, hg, x0=h0))
        return self.classifier(dropout(h, self.dropout, self.training))

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, num_layers={self.num_layers}, "
                f"conv_type={self.conv_type!r}, dropout={self.dropout}")

