"""Node-level models: stacks of one convolution type with activation, norm and dropout between.

Every model maps ``(x, hypergraph)`` to ``[N, out_channels]`` logits (no softmax) and accepts a
:class:`~hgkit.Hypergraph` or a raw ``hyperedge_index`` like the layers. A raw index is turned
into a :class:`~hgkit.Hypergraph` once per forward and shared by all layers.

=================  ==========================================================================
model              layers
=================  ==========================================================================
:class:`HGNN`      :class:`~hgkit.layers.HGNNConv` x L (Feng et al. 2019; default as the
                   official code: 2 layers, ReLU, dropout 0.5 on the hidden layer)
:class:`HGNNP`     :class:`~hgkit.layers.HGNNPConv` x L (HGNN+, as ``dhg.models.HGNNP``)
:class:`HNHN`      :class:`~hgkit.layers.HNHNConv` x L
:class:`HyperGCN`  :class:`~hgkit.layers.HyperGCNConv` x L
:class:`HCHA`      :class:`~hgkit.layers.HCHAConv` x L (``symmetric=True`` is the AllSet /
                   ED-HNN benchmarks' "HGNN")
:class:`UniGCNII`  Linear, :class:`~hgkit.layers.UniGCNIIConv` x L with initial residual, Linear
:class:`EDHNN`,    defined with their convolutions (:mod:`hgkit.layers.edhnn`,
:class:`AllSet...` :mod:`hgkit.layers.allset`) and re-exported here
:class:`MLP`       the structure-free baseline (ignores the hypergraph)
=================  ==========================================================================
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from hgkit.layers._base import Dropout, as_hypergraph, check_features
from hgkit.layers.hcha import HCHAConv
from hgkit.layers.hgnn import HGNNConv, HGNNPConv
from hgkit.layers.hnhn import HNHNConv
from hgkit.layers.allset import AllDeepSets, AllSetTransformer
from hgkit.layers.edhnn import EDHNN
from hgkit.layers.hypergcn import HyperGCNConv
from hgkit.layers.mlp import MLP as _MLPBlock
from hgkit.layers.unigcnii import UniGCNIIConv

__all__ = ["ConvStack", "HGNN", "HGNNP", "HCHA", "HNHN", "HyperGCN", "UniGCNII", "EDHNN",
           "AllSetTransformer", "AllDeepSets", "MLP", "activation_module", "norm_module"]

_ACTIVATIONS = {"relu": nn.ReLU, "elu": nn.ELU, "prelu": nn.PReLU, "leaky_relu": nn.LeakyReLU,
                "gelu": nn.GELU, "tanh": nn.Tanh, "identity": nn.Identity}


def activation_module(name: str | None) -> nn.Module:
    """``"relu"``, ``"elu"``, ``"prelu"``, ``"leaky_relu"``, ``"gelu"``, ``"tanh"``,
    ``"identity"`` or ``None`` (identity) as a module."""
    key = "identity" if name is None else name
    if key not in _ACTIVATIONS:
        raise ValueError(f"Expected 'activation' to be one of {sorted(_ACTIVATIONS)} or None "
                         f"(got {name!r})")
    return _ACTIVATIONS[key]()


def norm_module(name: str | None, channels: int) -> nn.Module:
    """``"batch"`` (BatchNorm1d), ``"layer"`` (LayerNorm) or ``None`` (identity)."""
    if name is None:
        return nn.Identity()
    if name in ("batch", "bn"):
        return nn.BatchNorm1d(channels)
    if name in ("layer", "ln"):
        return nn.LayerNorm(channels)
    raise ValueError(f"Expected 'norm' to be 'batch', 'layer' or None (got {name!r})")


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Expected '{name}' to be a positive int (got {value!r})")
    return value


def _probability(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"Expected '{name}' to be a probability in [0, 1) (got {value!r})")
    return float(value)


class ConvStack(nn.Module):
    r"""``num_layers`` convolutions of one type with norm, activation and dropout between.

    .. math::
        h^{(0)} = \mathrm{Dropout}_{p_0}(x), \quad
        h^{(l)} = \mathrm{Dropout}_p(\sigma(\mathrm{Norm}(\mathrm{Conv}_l(h^{(l-1)})))),
        \quad \text{logits} = \mathrm{Conv}_L(h^{(L-1)})

    Args:
        in_channels: input feature size.
        hidden_channels: width of every hidden layer.
        out_channels: output size (number of classes).
        num_layers: number of convolutions (>= 1).
        dropout: dropout probability after each hidden layer.
        input_dropout: dropout probability on the input features.
        activation: see :func:`activation_module`.
        norm: ``"batch"``, ``"layer"`` or ``None``, after each hidden convolution.
        **conv_kwargs: passed to every convolution.
    """

    conv_class: type[nn.Module] = HGNNConv

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5, input_dropout: float = 0.0,
                 activation: str | None = "relu", norm: str | None = None,
                 **conv_kwargs: Any) -> None:
        super().__init__()
        _positive(in_channels, "in_channels")
        _positive(hidden_channels, "hidden_channels")
        _positive(out_channels, "out_channels")
        _positive(num_layers, "num_layers")
        self.in_channels, self.out_channels = in_channels, out_channels
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = nn.ModuleList(self.conv_class(a, b, **conv_kwargs)
                                   for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        self.norms = nn.ModuleList(norm_module(norm, hidden_channels)
                                   for _ in range(num_layers - 1))
        self.acts = nn.ModuleList(activation_module(activation) for _ in range(num_layers - 1))
        self.dropout = Dropout(_probability(dropout, "dropout"))
        self.input_dropout = Dropout(_probability(input_dropout, "input_dropout"))

    def reset_parameters(self) -> None:
        """Re-initialize every convolution and norm."""
        for module in self.modules():
            if module is not self and hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
        x = check_features(x, hg.num_nodes, self.in_channels, hg.device)
        x = self.input_dropout(x)
        last = len(self.convs) - 1
        for i, conv in enumerate(self.convs):
            x = conv(x, hg)
            if i < last:
                x = self.dropout(self.acts[i](self.norms[i](x)))
        return x


class HGNN(ConvStack):
    r"""HGNN (Feng et al., AAAI 2019): :class:`~hgkit.layers.HGNNConv` layers.

    The defaults are the official model: ``Z = G (Dropout_{0.5}(ReLU(G (X Θ1 + b1))) Θ2 + b2)``
    with :math:`G = D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2}`.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HGNN(4, 16, 3)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    conv_class = HGNNConv


class HGNNP(ConvStack):
    r"""HGNN+ (Gao et al., TPAMI 2023): :class:`~hgkit.layers.HGNNPConv` layers (as
    ``dhg.models.HGNNP``: ReLU, optional batch norm, dropout 0.5).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HGNNP(4, 16, 3)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    conv_class = HGNNPConv


class HCHA(ConvStack):
    r"""HCHA (Bai et al., Pattern Recognition 2021): :class:`~hgkit.layers.HCHAConv` layers.

    ``HCHA(..., symmetric=True, activation="elu")`` on hypergraphs with a self-loop hyperedge
    per node is the "HGNN" of the AllSet / ED-HNN benchmark tables (their ``HCHA_symdegnorm``).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HCHA(4, 16, 3, symmetric=True)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    conv_class = HCHAConv


class HNHN(ConvStack):
    r"""HNHN (Dong et al., 2020): :class:`~hgkit.layers.HNHNConv` layers (each with its own
    hyperedge neurons). AllSet runs it with ``alpha=-1.5, beta=-0.5``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HNHN(4, 16, 3, alpha=-1.5, beta=-0.5)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    conv_class = HNHNConv


class HyperGCN(ConvStack):
    r"""HyperGCN (Yadati et al., NeurIPS 2019): :class:`~hgkit.layers.HyperGCNConv` layers
    (``mediators``, ``fast`` as in the layer).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HyperGCN(4, 16, 3, mediators=False)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    conv_class = HyperGCNConv


class UniGCNII(nn.Module):
    r"""UniGCNII (Huang & Yang, IJCAI 2021): deep UniGNN with initial residual and identity map.

    .. math::
        h^{(0)} = \mathrm{ReLU}(\mathrm{Dropout}(x) W_{in}), \quad
        h^{(l)} = \mathrm{ReLU}(\mathrm{UniGCNII}_l(\mathrm{Dropout}(h^{(l-1)}), h^{(0)})),
        \quad \text{logits} = \mathrm{Dropout}(h^{(L)}) W_{out}

    with :math:`\beta_l = \log(\lambda / l + 1)` per layer.

    Args:
        in_channels: input feature size.
        hidden_channels: width of the residual stream.
        out_channels: number of classes.
        num_layers: number of :class:`~hgkit.layers.UniGCNIIConv` layers.
        alpha: initial-residual weight :math:`\alpha`.
        lamda: :math:`\lambda` of the identity-mapping schedule.
        dropout: dropout probability before every layer.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> UniGCNII(4, 16, 3, num_layers=4)(torch.randn(3, 4), hg).shape
        torch.Size([3, 3])
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, alpha: float = 0.1, lamda: float = 0.5,
                 dropout: float = 0.5) -> None:
        super().__init__()
        _positive(in_channels, "in_channels")
        _positive(hidden_channels, "hidden_channels")
        _positive(out_channels, "out_channels")
        _positive(num_layers, "num_layers")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.lin_in = nn.Linear(in_channels, hidden_channels)
        self.convs = nn.ModuleList(
            UniGCNIIConv(hidden_channels, hidden_channels, alpha=alpha, lamda=lamda, layer=i + 1)
            for i in range(num_layers))
        self.lin_out = nn.Linear(hidden_channels, out_channels)
        self.dropout = Dropout(_probability(dropout, "dropout"))

    def reset_parameters(self) -> None:
        """Re-initialize every linear map and convolution."""
        self.lin_in.reset_parameters()
        self.lin_out.reset_parameters()
        for conv in self.convs:
            conv.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
        x = check_features(x, hg.num_nodes, self.in_channels, hg.device)
        h0 = torch.relu(self.lin_in(self.dropout(x)))
        h = h0
        for conv in self.convs:
            h = torch.relu(conv(self.dropout(h), hg, x0=h0))
        return self.lin_out(self.dropout(h))


class MLP(_MLPBlock):
    r"""The structure-free baseline: the AllSet MLP block on the node features alone.

    ``Linear -> ReLU -> Norm -> Dropout`` repeated, then ``Linear`` (see
    :class:`hgkit.layers.mlp.MLP`). ``forward`` accepts and ignores a hypergraph so that it is
    a drop-in replacement for the hypergraph models (when one is given, ``x`` must have one row
    per node).

    Example:
        >>> import torch
        >>> MLP(4, 16, 3)(torch.randn(5, 4)).shape
        torch.Size([5, 3])
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5, normalization: str | None = "ln",
                 input_norm: bool = False) -> None:
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout,
                         normalization, input_norm)

    def forward(self, x: Tensor, hypergraph: Any = None, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        if hypergraph is not None:
            hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
            check_features(x, hg.num_nodes, self.in_channels, hg.device)
        return super().forward(x)

