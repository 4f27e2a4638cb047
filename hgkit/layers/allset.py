r"""AllSet (Chien, Pan, Peng & Milenkovic, "You are AllSet: A Multiset Function Framework for
Hypergraph Neural Networks", ICLR 2022): one layer = two multiset functions,

.. math::
    z_e = f_{V \to E}(\{\!\{ x_v : v \in e \}\!\}), \qquad
    x'_v = f_{E \to V}(\{\!\{ z_e : e \ni v \}\!\}),

each with its own parameters (no sharing across layers or directions, unlike ED-HNN).
AllSetTransformer uses the attention pooling :class:`PMA` for both, AllDeepSets the sum
pooling :math:`f_{dec}(\sum f_{enc}(\cdot))`. Both ignore hyperedge and node weights (the
official code uses ``norm = 1`` per incidence). Preprocessing of the paper's experiments (not
done by the layers): ``hgkit.hypergraph.transforms.add_self_loops(hg, only_missing=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from hgkit import ops
from hgkit.hypergraph._checks import describe
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, as_hypergraph, dropout, check_features
from hgkit.layers.edhnn import DatasetDefaults
from hgkit.layers.mlp import MLP, check_dropout, check_normalization, check_positive_int

__all__ = ["PMA", "AllSetTransformerConv", "AllDeepSetsConv", "AllSetTransformer",
           "AllDeepSets"]

_DIRECTIONS = ("v2e", "e2v")


def _check_heads(channels: int, heads: int, name: str) -> None:
    if channels % heads:
        raise ValueError(f"Expected '{name}' ({channels}) to be divisible by 'heads' ({heads})")


class PMA(nn.Module):
    r"""Pooling by multi-head attention over a multiset, with a learnable seed (AllSet's ``PMA``).

    For a target :math:`t` (a hyperedge for ``"v2e"``, a node for ``"e2v"``) pooling the
    multiset :math:`S_t` of its sources (its incidences; a repeated incidence counts twice),
    per head :math:`i` with seed :math:`s_i \in \mathbb{R}^d`:

    .. math::
        \alpha_{j,i} = \operatorname{softmax}_{j \in S_t}\big(
            \mathrm{LeakyReLU}_{0.2}(\langle W_K^{(i)} x_j + b_K^{(i)}, s_i \rangle)\big), \quad
        o_i = \sum_{j \in S_t} \alpha_{j,i} (W_V^{(i)} x_j + b_V^{(i)}) + s_i,

    .. math::
        o = \mathrm{LN}_0([o_1 \| \dots \| o_h]), \qquad
        \mathrm{out}_t = \mathrm{LN}_1\big(o + \mathrm{ReLU}(\mathrm{rFF}(o))\big),

    with ``rFF`` an :class:`~hgkit.layers.mlp.MLP` ``hd -> hd -> hd`` of ``mlp_layers`` layers
    (no norm, no dropout) and :math:`hd` = ``out_channels``. An empty multiset gives
    :math:`o = s` (the seed alone). Attention dropout is 0, as in the official code. Init:
    Xavier-uniform :math:`W_K, W_V` and seed, PyTorch-default biases.

    Unlike the convolutions, ``forward`` takes a :class:`~hgkit.Hypergraph` only (no raw index)
    and the direction, so one module pools nodes into hyperedges or hyperedges into nodes.

    Args:
        in_channels: feature size of the sources.
        out_channels: output size :math:`h d` (divisible by ``heads``).
        heads: number of heads :math:`h`.
        mlp_layers: layers of ``rFF`` (``MLP_num_layers``).

    Shapes:
        ``"v2e"``: ``x`` ``[N, in]`` -> ``[M, out]``; ``"e2v"``: ``x`` ``[M, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> pma = PMA(4, 8, heads=2)
        >>> z = pma(torch.randn(3, 4), hg, "v2e")
        >>> z.shape, PMA(8, 8)(z, hg, "e2v").shape
        (torch.Size([2, 8]), torch.Size([3, 8]))
    """

    def __init__(self, in_channels: int, out_channels: int, heads: int = 1,
                 mlp_layers: int = 2) -> None:
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.heads = check_positive_int(heads, "heads")
        _check_heads(out_channels, heads, "out_channels")
        self.head_channels = out_channels // heads
        self.lin_k = nn.Linear(in_channels, out_channels)
        self.lin_v = nn.Linear(in_channels, out_channels)
        self.seed = nn.Parameter(torch.empty(1, heads, self.head_channels))
        self.ln0 = nn.LayerNorm(out_channels)
        self.rff = MLP(out_channels, out_channels, out_channels, mlp_layers, normalization=None)
        self.ln1 = nn.LayerNorm(out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Xavier-uniform ``W_K``, ``W_V`` and seed; default biases, rFF and LayerNorms."""
        for lin in (self.lin_k, self.lin_v):
            lin.reset_parameters()
            nn.init.xavier_uniform_(lin.weight)
        nn.init.xavier_uniform_(self.seed)
        self.rff.reset_parameters()
        self.ln0.reset_parameters()
        self.ln1.reset_parameters()

    def forward(self, x: Tensor, hg: Hypergraph, direction: str = "v2e") -> Tensor:
        if not isinstance(hg, Hypergraph):
            raise TypeError(f"Expected 'hg' to be an hgkit.Hypergraph (got {describe(hg)})")
        if direction not in _DIRECTIONS:
            raise ValueError(f"Expected 'direction' to be one of {list(_DIRECTIONS)} "
                             f"(got {direction!r})")
        node, edge = hg.hyperedge_index[0], hg.hyperedge_index[1]
        if direction == "v2e":
            rows, what, targets, src, dst = hg.num_nodes, "nodes", hg.num_edges, node, edge
            pool = ops.v2e
        else:
            rows, what, targets, src, dst = hg.num_edges, "hyperedges", hg.num_nodes, edge, node
            pool = ops.e2v
        x = check_features(x, rows, self.in_channels, hg.device, what=what)
        h, d = self.heads, self.head_channels
        score = (self.lin_k(x).view(-1, h, d) * self.seed).sum(-1)              # [rows, h]
        score = F.leaky_relu(score, 0.2).index_select(0, src)                   # [nnz, h]
        alpha = ops.softmax(score, index=dst, num_segments=targets)
        value = self.lin_v(x)
        if h == 1:
            out = pool(value, hg, "sum", alpha.view(-1))
        else:
            value = value.view(-1, h, d).transpose(0, 1).contiguous()          # [h, rows, d]
            alpha = alpha.t().contiguous()                                     # [h, nnz]
            out = torch.cat([pool(value[i], hg, "sum", alpha[i]) for i in range(h)], 1)
        out = self.ln0(out + self.seed.view(1, h * d))
        return self.ln1(out + F.relu(self.rff(out)))

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, heads={self.heads}"


class AllSetTransformerConv(HypergraphLayer):
    r"""One AllSetTransformer layer (``SetGNN`` with ``PMA=True``; Chien et al., ICLR 2022):
    node -> hyperedge attention pooling, then hyperedge -> node, each a :class:`PMA` with its
    own parameters, with the ReLU that ``SetGNN`` applies after each half and its dropout
    between the halves:

    .. math::
        z = \mathrm{ReLU}\big(\mathrm{PMA}_{V \to E}(X)\big), \qquad
        X' = \mathrm{ReLU}\big(\mathrm{PMA}_{E \to V}(\mathrm{Drop}_p(z))\big),

    where :math:`\mathrm{PMA}_{V \to E}` pools the members of each hyperedge and
    :math:`\mathrm{PMA}_{E \to V}` the hyperedges containing each node (attention over each
    multiset, seed residual, LayerNorm, rFF; see :class:`PMA`). An empty hyperedge gets the
    seed-only summary; an isolated node likewise. Hyperedge and node weights are ignored.
    ``Drop_p`` is active in training only (``dropout``, default 0; the model passes its ``p``).

    Args:
        in_channels: input feature size.
        out_channels: output feature size (divisible by ``heads``).
        heads: attention heads of both halves.
        mlp_layers: layers of each PMA's rFF (``MLP_num_layers``).
        hidden_channels: width of the hyperedge summaries :math:`z` (default
            ``out_channels``; divisible by ``heads``).
        dropout: dropout between the halves (training only).

    Shapes:
        ``x`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> AllSetTransformerConv(4, 8, heads=2)(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
    """

    def __init__(self, in_channels: int, out_channels: int, heads: int = 1,
                 mlp_layers: int = 2, hidden_channels: int | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__(in_channels, out_channels)
        hidden = (out_channels if hidden_channels is None
                  else check_positive_int(hidden_channels, "hidden_channels"))
        check_positive_int(heads, "heads")
        _check_heads(hidden, heads, "hidden_channels")
        _check_heads(out_channels, heads, "out_channels")
        self.hidden_channels = hidden
        self.dropout = check_dropout(dropout)
        self.node_to_edge = PMA(in_channels, hidden, heads, mlp_layers)
        self.edge_to_node = PMA(hidden, out_channels, heads, mlp_layers)

    def reset_parameters(self) -> None:
        """Re-initialize both PMAs."""
        self.node_to_edge.reset_parameters()
        self.edge_to_node.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        z = F.relu(self.node_to_edge(x, hg, "v2e"))
        z = dropout(z, self.dropout, self.training)
        return F.relu(self.edge_to_node(z, hg, "e2v"))

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, heads={self.node_to_edge.heads}, "
                f"dropout={self.dropout}")


class AllDeepSetsConv(HypergraphLayer):
    r"""One AllDeepSets layer (``SetGNN`` with ``PMA=False``; Chien et al., ICLR 2022): two
    DeepSets poolings, node -> hyperedge then hyperedge -> node, each with its own
    :math:`f_{enc}, f_{dec}`:

    .. math::
        z_e = \mathrm{ReLU}\Big(f^{(1)}_{dec}\Big(\sum_{v \in e}
            \mathrm{Drop}_p\big(\mathrm{ReLU}(f^{(1)}_{enc}(x_v))\big)\Big)\Big), \qquad
        x'_v = \mathrm{ReLU}\Big(f^{(2)}_{dec}\Big(\sum_{e \ni v}
            \mathrm{Drop}_p\big(\mathrm{ReLU}(f^{(2)}_{enc}(\mathrm{Drop}_p(z_e)))\big)
            \Big)\Big),

    sums over incidences (a repeated incidence counts twice, empty -> ``0``; ``aggregate=
    "mean"`` divides by the count instead). Each :math:`f` is an
    :class:`~hgkit.layers.mlp.MLP` of ``mlp_layers`` layers with ``normalization``, input norm
    and dropout ``p``: :math:`f^{(1)}_{enc}`: ``in -> C -> C``, :math:`f^{(1)}_{dec}`,
    :math:`f^{(2)}_{enc}`: ``C -> C -> C``, :math:`f^{(2)}_{dec}`: ``C -> C -> out``. The
    ReLUs and the dropout between the halves are those of ``SetGNN``; dropout is active in
    training only. Hyperedge and node weights are ignored.

    Args:
        in_channels: input feature size.
        out_channels: output feature size.
        hidden_channels: width :math:`C` (default ``out_channels``).
        mlp_layers: layers of each :math:`f` (``MLP_num_layers``).
        dropout: dropout ``p`` (training only).
        normalization: ``"ln"``, ``"bn"`` or ``None``.
        input_norm: the MLPs normalize their input first (``deepset_input_norm``).
        aggregate: ``"sum"`` (AllDeepSets) or ``"mean"``.

    Shapes:
        ``x`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> AllDeepSetsConv(4, 8)(torch.randn(3, 4), hg).shape
        torch.Size([3, 8])
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int | None = None,
                 mlp_layers: int = 2, dropout: float = 0.0, normalization: str | None = "ln",
                 input_norm: bool = True, aggregate: str = "sum") -> None:
        super().__init__(in_channels, out_channels)
        c = (out_channels if hidden_channels is None
             else check_positive_int(hidden_channels, "hidden_channels"))
        if aggregate not in ("sum", "mean"):
            raise ValueError(f"Expected 'aggregate' to be one of ['sum', 'mean'] "
                             f"(got {aggregate!r})")
        self.aggregate = aggregate
        self.hidden_channels = c
        self.dropout = check_dropout(dropout)
        kw = dict(dropout=dropout, normalization=normalization, input_norm=input_norm)
        self.enc1 = MLP(in_channels, c, c, mlp_layers, **kw)
        self.dec1 = MLP(c, c, c, mlp_layers, **kw)
        self.enc2 = MLP(c, c, c, mlp_layers, **kw)
        self.dec2 = MLP(c, c, out_channels, mlp_layers, **kw)

    def reset_parameters(self) -> None:
        """Re-initialize the four MLPs."""
        for mlp in (self.enc1, self.dec1, self.enc2, self.dec2):
            mlp.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        p, training = self.dropout, self.training
        z = dropout(F.relu(self.enc1(x)), p, training)
        z = F.relu(self.dec1(ops.v2e(z, hg, self.aggregate)))
        z = dropout(z, p, training)
        h = dropout(F.relu(self.enc2(z)), p, training)
        return F.relu(self.dec2(ops.e2v(h, hg, self.aggregate)))

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, hidden_channels="
                f"{self.hidden_channels}, aggregate={self.aggregate!r}, dropout={self.dropout}")


# ---------------------------------------------------------------------------- models
class _SetGNN(nn.Module):
    """``SetGNN``: input dropout, ``num_layers`` convs each followed by dropout, classifier."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int, classifier_layers: int, classifier_hidden: int,
                 dropout: float, input_dropout: float, normalization: str | None,
                 make_conv: Callable[[int, int], nn.Module]) -> None:
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.hidden_channels = check_positive_int(hidden_channels, "hidden_channels")
        self.num_layers = check_positive_int(num_layers, "num_layers", minimum=0)
        self.dropout = check_dropout(dropout)
        self.input_dropout = check_dropout(input_dropout, "input_dropout")
        normalization = check_normalization(normalization)
        self.convs = nn.ModuleList(
            make_conv(in_channels if i == 0 else hidden_channels, hidden_channels)
            for i in range(num_layers))
        self.classifier = MLP(hidden_channels if num_layers else in_channels, classifier_hidden,
                              out_channels, classifier_layers, dropout=dropout,
                              normalization=normalization)

    def reset_parameters(self) -> None:
        """Re-initialize every parameter (called before each run in the official protocol)."""
        for conv in self.convs:
            conv.reset_parameters()
        self.classifier.reset_parameters()

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
        x = check_features(x, hg.num_nodes, self.in_channels, hg.device)
        x = dropout(x, self.input_dropout, self.training)
        for conv in self.convs:
            x = dropout(conv(x, hg), self.dropout, self.training)
        return self.classifier(x)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, hidden_channels="
                f"{self.hidden_channels}, num_layers={self.num_layers}, dropout={self.dropout}")


_GLOBAL: dict[str, Any] = dict(hidden_channels=64, num_layers=2, mlp_layers=2,
                               classifier_layers=2, classifier_hidden=64, dropout=0.5,
                               input_dropout=0.2, normalization="ln")
_ROWS = {  # (heads, MLP_hidden, Classifier_hidden, lr, wd, feature_noise)
    "cora": (4, 256, 128, 1e-3, 0.0, None),
    "citeseer": (8, 512, 256, 1e-3, 0.0, None),
    "pubmed": (8, 256, 256, 1e-3, 0.0, None),
    "coauthor_cora": (8, 128, 128, 1e-3, 0.0, None),
    "coauthor_dblp": (8, 512, 256, 1e-3, 0.0, None),
    "zoo": (1, 64, 64, 1e-2, 1e-5, None),
    "20newsW100": (8, 256, 256, 1e-3, 0.0, None),
    "Mushroom": (1, 128, 128, 1e-3, 0.0, None),
    "NTU2012": (1, 256, 256, 1e-3, 0.0, None),
    "ModelNet40": (8, 512, 128, 1e-3, 0.0, None),
    "yelp": (1, 64, 64, 1e-3, 0.0, None),
    "house-committees-100": (8, 512, 128, 1e-3, 0.0, 1.0),
    "house-committees-100-noise0.6": (1, 512, 256, 1e-3, 0.0, 0.6),
    "walmart-trips-100": (8, 256, 128, 1e-3, 0.0, 1.0),
    "walmart-trips-100-noise0.6": (8, 256, 128, 1e-3, 0.0, 0.6),
}
_TRAINING: dict[str, Any] = dict(lr=1e-3, weight_decay=0.0, epochs=500, runs=20,
                                 train_prop=0.5, valid_prop=0.25)


class AllSetTransformer(DatasetDefaults, _SetGNN):
    r"""The AllSetTransformer node classifier (``SetGNN``, ``PMA=True``; Chien et al., ICLR
    2022): ``num_layers`` :class:`AllSetTransformerConv` layers with separate parameters.

    .. math::
        X^{(0)} = \mathrm{Drop}_{0.2}(X), \quad
        X^{(l+1)} = \mathrm{Drop}_p\big(\mathrm{conv}_l(X^{(l)})\big), \quad
        \mathrm{logits} = \mathrm{MLP}_{cls}(X^{(L)}),

    (each conv holds the two PMAs, the ReLUs and the inner dropout :math:`p`), the classifier
    an :class:`~hgkit.layers.mlp.MLP` ``C -> classifier_hidden -> out`` with ``normalization``
    and no input norm. Returns logits. Hyperedge weights are ignored; self-loops are
    preprocessing (see :mod:`hgkit.layers.allset`).

    ``AllSetTransformer.DEFAULTS`` holds the tuned settings of ``run_AllSetTransformer.sh``
    per dataset (``--dname`` keys, also reachable through hgkit names such as
    ``"allset-cocitation-cora"``; the σ = 0.6 runs of House / Walmart under
    ``"<dname>-noise0.6"``), all with ``num_layers=1, mlp_layers=2, classifier_layers=1``;
    ``GLOBAL_DEFAULTS`` the argparse defaults of the official ``train.py`` (used for other
    datasets); ``TRAINING`` lr / weight decay / epochs / runs / feature noise per dataset.

    Args:
        in_channels: input feature size.
        hidden_channels: width :math:`C` (``MLP_hidden``; divisible by ``heads``).
        out_channels: number of classes.
        num_layers: number of layers (``All_num_layers``, ``>= 0``).
        heads: attention heads.
        mlp_layers: layers of each PMA's rFF (``MLP_num_layers``).
        classifier_layers: layers of the classifier (``Classifier_num_layers``).
        classifier_hidden: hidden width of the classifier (``Classifier_hidden``).
        dropout: dropout ``p`` between and inside the layers and in the classifier.
        input_dropout: dropout of the input (hard-coded 0.2 in the official code).
        normalization: norm of the classifier, ``"ln"``, ``"bn"`` or ``None``.

    Shapes:
        ``x`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> model = AllSetTransformer.from_defaults("cora", in_channels=5, num_classes=3)
        >>> model.eval()(torch.randn(3, 5), hg).shape
        torch.Size([3, 3])
        >>> AllSetTransformer.DEFAULTS["cora"]["heads"], len(model.convs)
        (4, 1)
    """

    GLOBAL_DEFAULTS: dict[str, Any] = dict(_GLOBAL, heads=1)
    DEFAULTS: dict[str, dict[str, Any]] = {
        name: dict(_GLOBAL, num_layers=1, mlp_layers=2, classifier_layers=1, heads=heads,
                   hidden_channels=hidden, classifier_hidden=cls_hidden)
        for name, (heads, hidden, cls_hidden, *_) in _ROWS.items()}
    TRAINING: dict[str, dict[str, Any]] = {
        name: dict(_TRAINING, lr=lr, weight_decay=wd,
                   **({} if noise is None else {"feature_noise": noise}))
        for name, (_, _, _, lr, wd, noise) in _ROWS.items()}
    TRAINING_FALLBACK: dict[str, Any] = _TRAINING

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, heads: int = 1, mlp_layers: int = 2,
                 classifier_layers: int = 2, classifier_hidden: int = 64,
                 dropout: float = 0.5, input_dropout: float = 0.2,
                 normalization: str | None = "ln") -> None:
        check_positive_int(heads, "heads")

        def make_conv(i: int, o: int) -> nn.Module:
            return AllSetTransformerConv(i, o, heads, mlp_layers, dropout=dropout)

        super().__init__(in_channels, hidden_channels, out_channels, num_layers,
                         classifier_layers, classifier_hidden, dropout, input_dropout,
                         normalization, make_conv)
        self.heads = heads



class AllDeepSets(_SetGNN):
    r"""The AllDeepSets node classifier (``SetGNN``, ``PMA=False``, sum aggregation; Chien et
    al., ICLR 2022): ``num_layers`` :class:`AllDeepSetsConv` layers with separate parameters,
    the same stack as :class:`AllSetTransformer`:

    .. math::
        X^{(0)} = \mathrm{Drop}_{0.2}(X), \quad
        X^{(l+1)} = \mathrm{Drop}_p\big(\mathrm{conv}_l(X^{(l)})\big), \quad
        \mathrm{logits} = \mathrm{MLP}_{cls}(X^{(L)}).

    The spec gives no per-dataset table for AllDeepSets; the defaults are the argparse
    defaults of the official ``train.py``. Hyperedge weights are ignored.

    Args:
        in_channels: input feature size.
        hidden_channels: width :math:`C` (``MLP_hidden``).
        out_channels: number of classes.
        num_layers: number of layers (``All_num_layers``, ``>= 0``).
        mlp_layers: layers of each :math:`f_{enc}` / :math:`f_{dec}` (``MLP_num_layers``).
        classifier_layers: layers of the classifier.
        classifier_hidden: hidden width of the classifier.
        dropout: dropout ``p``.
        input_dropout: dropout of the input (0.2 in the official code).
        normalization: norm of every MLP, ``"ln"``, ``"bn"`` or ``None``.
        input_norm: the conv MLPs normalize their input (``deepset_input_norm``).
        aggregate: ``"sum"`` (forced by the official code) or ``"mean"``.

    Shapes:
        ``x`` ``[N, in]`` -> ``[N, out]``.

    Example:
        >>> import torch
        >>> hg = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
        >>> AllDeepSets(5, 16, 3).eval()(torch.randn(3, 5), hg).shape
        torch.Size([3, 3])
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, mlp_layers: int = 2, classifier_layers: int = 2,
                 classifier_hidden: int = 64, dropout: float = 0.5,
                 input_dropout: float = 0.2, normalization: str | None = "ln",
                 input_norm: bool = True, aggregate: str = "sum") -> None:
        def make_conv(i: int, o: int) -> nn.Module:
            return AllDeepSetsConv(i, o, o, mlp_layers, dropout, normalization, input_norm,
                                   aggregate)

        super().__init__(in_channels, hidden_channels, out_channels, num_layers,
                         classifier_layers, classifier_hidden, dropout, input_dropout,
                         normalization, make_conv)
