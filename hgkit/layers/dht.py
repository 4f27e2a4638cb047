r"""Edge-level layers on the dual hypergraph: EHGNN, HyperDrop and HyperCluster.

Jo, Baek, Lee, Kim, Kang, Hwang, "Edge Representation Learning with Hypergraphs", NeurIPS 2021
(arXiv 2106.15845). The Dual Hypergraph Transformation :func:`hgkit.hypergraph.dht.dht` turns a
graph :math:`G = (X, M, E)` into :math:`G^* = (E, M^\top, X)`, whose *nodes* are the edges of
``G``; any node-level hypergraph convolution run on :math:`G^*` is then edge-level message
passing on ``G`` (EHGNN). The layers here always build :math:`G^*` with the EHGNN self-loop
convention ``dht(edge_index, add_loops=True)``: hyperedges with a single dual node are dropped
and every dual node gets its own singleton hyperedge, so **every dual node lies in at least one
hyperedge**.

The EHGNN code uses PyG's ``HypergraphConv`` without attention,
:math:`X' = D^{-1} H B^{-1} H^\top X \Theta + b` (bias *after* propagation). The default conv
here is :class:`~hgkit.layers.hgnn.HGNNPConv`,
:math:`X' = D_v^{-1} H W D_e^{-1} H^\top (X \Theta + b)` (bias *before*). With :math:`W = I`
the operator :math:`P = D_v^{-1} H D_e^{-1} H^\top` has rows summing to 1 at every node that
lies in a hyperedge, so :math:`P (X\Theta + \mathbf{1} b) = P X \Theta + \mathbf{1} b`: the
two are identical on the dual hypergraph, where the self-loops guarantee that condition
(tested against a dense reference and against PyG). They would differ only at a dual node in
no hyperedge (HGNN+ gives ``0``, PyG gives ``b``), which cannot occur here. Initialisation
differs: EHGNN uses Glorot weights and a zero bias, ``HGNNPConv`` its own uniform init.

* :class:`DHTEdgeConv`: wraps a node-level conv as an edge conv (EHGNN).
* :class:`HyperDrop`: scores edges on :math:`G^*` and keeps the top
  :math:`\lceil r\,|E_g|\rceil` edges of every graph; nodes are never dropped.
* :class:`HyperCluster`: GMPool-style attention pooling of the edges of every graph onto
  learnable seeds, with :meth:`HyperCluster.unpool` mapping clusters back to edges.

Example:
    >>> import torch
    >>> from hgkit.hypergraph.dht import dht
    >>> # graph 0: triangle 0-1-2 (6 directed edges); graph 1: edge 3-4 (2 directed edges)
    >>> edge_index = torch.tensor([[0, 1, 1, 2, 2, 0, 3, 4],
    ...                            [1, 0, 2, 1, 0, 2, 4, 3]])
    >>> batch = torch.tensor([0, 0, 0, 1, 1])
    >>> edge_attr = torch.ones(8, 4)
    >>> _ = torch.manual_seed(0)
    >>> conv, drop = DHTEdgeConv.from_channels(4, 4), HyperDrop(4, ratio=0.5)
    >>> dual, _ = dht(edge_index, num_nodes=5, batch=batch, add_loops=True)  # once per layer
    >>> edge_attr = conv(edge_attr, dual).relu()
    >>> out = drop(edge_attr, edge_index, batch=batch, dual=dual)
    >>> out.edge_index.shape, out.edge_attr.shape  # ceil(0.5 * 6) + ceil(0.5 * 2) = 3 + 1
    (torch.Size([2, 4]), torch.Size([4, 4]))
    >>> batch[out.edge_index[0]].tolist()  # kept edges per graph; all 5 nodes stay
    [0, 0, 0, 1]
    >>> bool(((out.edge_weight >= 0) & (out.edge_weight <= 1)).all())
    True
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.dht import dht
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers.hgnn import HGNNPConv

__all__ = ["DHTEdgeConv", "HyperDrop", "HyperDropOutput", "HyperCluster", "HyperClusterOutput"]


# ---------------------------------------------------------------------------- input checks
def _check_edge_attr(edge_attr: Any, rows: int, channels: int | None, device: torch.device,
                     rows_what: str, device_of: str = "'edge_index'") -> Tensor:
    if not isinstance(edge_attr, Tensor):
        raise TypeError(f"Expected 'edge_attr' to be a Tensor (got {C.describe(edge_attr)})")
    if not edge_attr.is_floating_point():
        raise TypeError(f"Expected 'edge_attr' to be a floating-point tensor "
                        f"(got {edge_attr.dtype})")
    if edge_attr.dim() != 2:
        raise ValueError(f"Expected 'edge_attr' to have shape [edges, channels] "
                         f"(got {list(edge_attr.shape)})")
    if edge_attr.device != device:
        raise ValueError(f"Expected 'edge_attr' on the device of {device_of} "
                         f"{device} (got {edge_attr.device})")
    if edge_attr.size(0) != rows:
        raise ValueError(f"'edge_attr' has {edge_attr.size(0)} rows but {rows_what}")
    if channels is not None and edge_attr.size(1) != channels:
        raise ValueError(f"'edge_attr' has {edge_attr.size(1)} channels but the layer expects "
                         f"in_channels={channels}")
    return edge_attr


def _check_graph(edge_index: Any, num_nodes: int | None, batch: Any
                 ) -> tuple[Tensor, int, Tensor | None]:
    """Validate a graph ``(edge_index, num_nodes, batch)``; returns ``num_nodes`` resolved."""
    if isinstance(edge_index, Hypergraph):
        raise TypeError("Expected 'edge_index' to be the [2, m] edge_index of the graph (got a "
                        "Hypergraph; pass a prebuilt dual hypergraph as 'dual=')")
    edge_index = C.to_index_tensor(edge_index, "edge_index")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"Expected 'edge_index' to have shape [2, m] "
                         f"(got {list(edge_index.shape)})")
    device = edge_index.device
    if batch is not None:
        if not isinstance(batch, Tensor):
            raise TypeError(f"Expected 'batch' to be a LongTensor (got {C.describe(batch)})")
        if batch.device != device:
            raise ValueError(f"Expected 'batch' on the device of 'edge_index' {device} "
                             f"(got {batch.device})")
        batch = C.to_index_tensor(batch, "batch", ndim=1)
        C.check_nonnegative_ids(batch, "batch")
    if num_nodes is None:
        if batch is not None:
            num_nodes = batch.numel()
        else:
            num_nodes = int(edge_index.max()) + 1 if edge_index.numel() else 0
    n = C.check_count(num_nodes, "num_nodes")
    if batch is not None and batch.numel() != n:
        raise ValueError(f"Expected 'batch' to have shape [{n}] (num_nodes={n}) "
                         f"(got {list(batch.shape)})")
    C.check_ids_below(edge_index, "edge_index", n, "num_nodes")
    return edge_index, n, batch


def _check_dual(dual: Any, m: int, device: torch.device) -> Hypergraph:
    if not isinstance(dual, Hypergraph):
        raise TypeError(f"Expected 'dual' to be an hgkit.Hypergraph (got {C.describe(dual)})")
    if dual.num_nodes != m:
        raise ValueError(f"'dual' has {dual.num_nodes} nodes but 'edge_index' has {m} columns "
                         "(one dual node per edge)")
    if dual.device != device:
        raise ValueError(f"Expected 'dual' on the device of 'edge_index' {device} "
                         f"(got {dual.device})")
    return dual


def _graph_inputs(layer: nn.Module, edge_attr: Any, edge_index: Any, num_nodes: int | None,
                  batch: Any, dual: Any) -> tuple[Tensor, Tensor, Hypergraph, Tensor, int]:
    """``(edge_attr, edge_index, dual, edge_batch, num_graphs)`` for HyperDrop/HyperCluster."""
    edge_index, n, batch = _check_graph(edge_index, num_nodes, batch)
    m, device = edge_index.size(1), edge_index.device
    edge_attr = _check_edge_attr(edge_attr, m, layer.in_channels, device,
                                 f"'edge_index' has {m} columns (edges)")
    if dual is None:
        dual, _ = dht(edge_index, num_nodes=n, add_loops=True)
    else:
        dual = _check_dual(dual, m, device)
    if batch is None:
        edge_batch = torch.zeros(m, dtype=torch.long, device=device)
        num_graphs = 1
    else:
        edge_batch = batch[edge_index[0]]
        num_graphs = int(batch.max()) + 1 if n else 0
    return edge_attr, edge_index, dual, edge_batch, num_graphs


# ---------------------------------------------------------------------------- EHGNN conv
class DHTEdgeConv(nn.Module):
    r"""Edge-level message passing: a node-level hypergraph conv run on the dual hypergraph
    (EHGNN, Jo et al., NeurIPS 2021).

    .. math::
        E' = \mathrm{conv}\bigl(E,\; G^*\bigr), \qquad
        G^* = \mathrm{DHT}(G) \text{ with self-loops: } H^* = [\,M^\top_{\text{kept}}
        \;\; I_m\,],

    i.e. the incidence of :math:`G^*` holds, for every graph node ``v`` incident to at least
    two edge ends, the hyperedge of its edges, plus one singleton hyperedge per edge (see
    :func:`hgkit.hypergraph.dht.dht` with ``add_loops=True``). With the default
    :class:`~hgkit.layers.hgnn.HGNNPConv`,
    :math:`E' = D^{-1} H^* B^{-1} H^{*\top} (E\Theta + b)`, which equals EHGNN's
    ``HypergraphConv`` :math:`D^{-1} H^* B^{-1} H^{*\top} E\Theta + b` because every dual node
    has a hyperedge (see the module docstring). Hyperedge features (node features of ``G``) are
    not used, as in EHGNN.

    Args:
        conv: any hgkit layer called as ``conv(x, hypergraph)`` (e.g. ``HGNNPConv``).

    Shapes:
        ``edge_attr`` ``[m, F]``, ``edge_index`` ``[2, m]`` (or a dual hypergraph with ``m``
        nodes) -> ``[m, F']``.

    Example:
        >>> import torch
        >>> from hgkit.hypergraph.dht import dht
        >>> edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        >>> conv = DHTEdgeConv.from_channels(3, 8)
        >>> edge_attr = torch.randn(4, 3)
        >>> conv(edge_attr, edge_index).shape
        torch.Size([4, 8])
        >>> dual, _ = dht(edge_index, num_nodes=3, add_loops=True)  # build once, reuse
        >>> torch.equal(conv(edge_attr, dual), conv(edge_attr, edge_index))
        True
    """

    #: Not a node-level ``(x, hypergraph)`` layer: the layer contract applies to ``conv``.
    contract_exempt = "edge-level: forward(edge_attr, edge_index) on a graph, not a hypergraph"

    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        if not isinstance(conv, nn.Module):
            raise TypeError(f"Expected 'conv' to be a torch.nn.Module hypergraph layer "
                            f"(got {C.describe(conv)})")
        self.conv = conv

    @classmethod
    def from_channels(cls, in_channels: int, out_channels: int, bias: bool = True
                      ) -> DHTEdgeConv:
        """``DHTEdgeConv(HGNNPConv(in_channels, out_channels, bias))`` (the EHGNN conv)."""
        return cls(HGNNPConv(in_channels, out_channels, bias=bias))

    @property
    def in_channels(self) -> int | None:
        return getattr(self.conv, "in_channels", None)

    @property
    def out_channels(self) -> int | None:
        return getattr(self.conv, "out_channels", None)

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()  # type: ignore[operator]

    def forward(self, edge_attr: Tensor, edge_index: Tensor | Hypergraph,
                num_nodes: int | None = None, batch: Tensor | None = None) -> Tensor:
        """New edge features.

        Args:
            edge_attr: ``[m, F]`` edge features (the dual-node features).
            edge_index: the graph's ``[2, m]`` directed ``edge_index``, or its prebuilt dual
                ``dht(edge_index, num_nodes, add_loops=True)[0]`` (a :class:`~hgkit.Hypergraph`
                with ``m`` nodes) to skip rebuilding it.
            num_nodes: number of graph nodes (default ``len(batch)``, else
                ``max(edge_index) + 1``); only with a raw ``edge_index``.
            batch: optional ``[num_nodes]`` graph id of every node (validated; the dual of a
                batch is one hypergraph, so it does not change the result).
        """
        if isinstance(edge_index, Hypergraph):
            if num_nodes is not None or batch is not None:
                raise TypeError("'num_nodes' and 'batch' describe a raw 'edge_index'; a "
                                "prebuilt dual Hypergraph carries its own structure")
            dual = edge_index
            m = dual.num_nodes
            _check_edge_attr(edge_attr, m, self.in_channels, dual.device,
                             f"the dual hypergraph has {m} nodes (one per edge)",
                             "the dual hypergraph")
        else:
            edge_index, n, batch = _check_graph(edge_index, num_nodes, batch)
            m = edge_index.size(1)
            _check_edge_attr(edge_attr, m, self.in_channels, edge_index.device,
                             f"'edge_index' has {m} columns (edges)")
            dual, _ = dht(edge_index, num_nodes=n, add_loops=True)
        return self.conv(edge_attr, dual)

    def extra_repr(self) -> str:
        return "dht(add_loops=True)"


# ---------------------------------------------------------------------------- HyperDrop
def _exact_ratio(ratio: Any) -> tuple[int, int]:
    """``ratio`` in ``(0, 1]`` as a fraction ``p / q`` (the decimal the user wrote)."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, Fraction)):
        raise TypeError(f"Expected 'ratio' to be a float in (0, 1] (got {C.describe(ratio)})")
    if not (0 < ratio <= 1):  # also rejects NaN
        raise ValueError(f"Expected 'ratio' in (0, 1] (got {ratio!r})")
    frac = Fraction(ratio) if isinstance(ratio, (int, Fraction)) else Fraction(repr(ratio))
    frac = frac.limit_denominator(10**6)
    return frac.numerator, frac.denominator


def _topk_per_group(score: Tensor, group: Tensor, k: Tensor) -> Tensor:
    """Ids (ascending) of the ``k[g]`` highest scores of every group ``g``; ties: lower id."""
    order = torch.sort(score, descending=True, stable=True).indices
    order = order[torch.sort(group[order], stable=True).indices]  # by (group, -score, id)
    counts = torch.bincount(group, minlength=k.numel())
    start = torch.cumsum(counts, 0) - counts
    g = group[order]
    rank = torch.arange(order.numel(), device=score.device) - start[g]
    keep = torch.zeros(score.numel(), dtype=torch.bool, device=score.device)
    keep[order[rank < k[g]]] = True
    return keep.nonzero().view(-1)


class HyperDropOutput(NamedTuple):
    """Result of :class:`HyperDrop` (``k`` kept edges out of ``m``)."""

    edge_index: Tensor  #: ``[2, k]`` kept edges, in their original relative order
    edge_attr: Tensor  #: ``[k, F]`` their features (not rescaled)
    edge_weight: Tensor  #: ``[k]`` ``clamp(score[perm], 0, 1)`` for the next node conv
    perm: Tensor  #: ``[k]`` ids of the kept edges (ascending)
    score: Tensor  #: ``[m]`` ``tanh`` score of every input edge


class HyperDrop(nn.Module):
    r"""HyperDrop edge pooling (Jo et al., NeurIPS 2021): score the edges on the dual
    hypergraph and keep the best :math:`\lceil r\,|E_g|\rceil` edges of every graph.

    .. math::
        s = \tanh\bigl(\mathrm{conv}_{F \to 1}(E, G^*)\bigr), \qquad
        \mathrm{keep} = \bigcup_g \operatorname{top-}k_g\{s_e : e \in E_g\},\quad
        k_g = \lceil r\,|E_g| \rceil,

    then ``edge_index``/``edge_attr`` are filtered to the kept edges and
    ``edge_weight = clamp(s_keep, 0, 1)`` is returned for the next node-level conv (in
    EHGNN, a GCN); ``edge_attr`` itself is *not* multiplied by the score, so the score conv
    learns only through ``edge_weight``. **Nodes are never dropped**, and a graph with no edge
    keeps none. Within a graph, equal scores are ranked by lower edge id (stable). Edges are
    graph-assigned by the batch id of their source node.

    :math:`k_g` is computed exactly in integers from the decimal value of ``ratio`` (e.g.
    ``ratio=0.7`` keeps 7 of 10 edges, where ``ceil(0.7 * 10)`` in float64 would give 8;
    PyG's ``topk`` computes it in the score's float dtype). Unlike PyG's ``topk``, ``perm`` is
    in ascending edge order, so the pruned ``edge_index`` keeps its layout (e.g. grouped by
    graph).

    Args:
        in_channels: edge feature size :math:`F`.
        ratio: :math:`r \in (0, 1]`, the fraction of every graph's edges to keep.
        conv: the scoring conv, any hgkit layer ``conv(x, hypergraph) -> [m, 1]`` run on the
            dual hypergraph (default ``HGNNPConv(in_channels, 1)``).

    Shapes:
        ``edge_attr`` ``[m, F]``, ``edge_index`` ``[2, m]``, ``batch`` ``[n]`` ->
        :class:`HyperDropOutput` with ``k = sum_g ceil(r |E_g|)`` kept edges.

    Example:
        >>> import torch
        >>> edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        >>> out = HyperDrop(2, ratio=0.5)(torch.randn(4, 2), edge_index)
        >>> out.edge_index.shape, out.perm.shape, out.score.shape
        (torch.Size([2, 2]), torch.Size([2]), torch.Size([4]))
    """

    def __init__(self, in_channels: int, ratio: float, conv: nn.Module | None = None) -> None:
        super().__init__()
        self.in_channels = C.check_count(in_channels, "in_channels", minimum=1)
        self._p, self._q = _exact_ratio(ratio)
        self.ratio = ratio
        if conv is None:
            conv = HGNNPConv(in_channels, 1)
        elif not isinstance(conv, nn.Module):
            raise TypeError(f"Expected 'conv' to be a torch.nn.Module hypergraph layer "
                            f"(got {C.describe(conv)})")
        for name, want in (("in_channels", in_channels), ("out_channels", 1)):
            got = getattr(conv, name, want)
            if got != want:
                raise ValueError(f"Expected the scoring 'conv' to have {name}={want} (got {got})")
        self.conv = conv

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()  # type: ignore[operator]

    def num_kept(self, num_edges: Tensor) -> Tensor:
        """:math:`\\lceil r\\,|E_g|\\rceil` for a LongTensor of per-graph edge counts."""
        return (num_edges * self._p + self._q - 1) // self._q

    def forward(self, edge_attr: Tensor, edge_index: Tensor, num_nodes: int | None = None,
                batch: Tensor | None = None, dual: Hypergraph | None = None) -> HyperDropOutput:
        """Drop edges.

        Args:
            edge_attr: ``[m, F]`` edge features.
            edge_index: ``[2, m]`` directed edges of the (batched) graph.
            num_nodes: number of nodes (default ``len(batch)``, else ``max(edge_index) + 1``).
            batch: ``[num_nodes]`` graph id of every node (default: one graph).
            dual: the prebuilt ``dht(edge_index, num_nodes, add_loops=True)[0]`` (reused from
                the edge conv of the same layer); built here when omitted.
        """
        edge_attr, edge_index, dual, edge_batch, _ = _graph_inputs(
            self, edge_attr, edge_index, num_nodes, batch, dual)
        m = edge_index.size(1)
        raw = self.conv(edge_attr, dual)
        if raw.shape not in (torch.Size([m]), torch.Size([m, 1])):
            raise ValueError(f"Expected the scoring 'conv' to return [{m}, 1] scores "
                             f"(got {list(raw.shape)})")
        score = torch.tanh(raw.reshape(m))
        counts = torch.bincount(edge_batch)
        perm = _topk_per_group(score.detach(), edge_batch, self.num_kept(counts))
        return HyperDropOutput(edge_index[:, perm], edge_attr[perm],
                               score[perm].clamp(0.0, 1.0), perm, score)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, ratio={self.ratio}"


# ---------------------------------------------------------------------------- HyperCluster
def _dense_positions(group: Tensor, num_groups: int) -> tuple[Tensor, Tensor, int, int]:
    """``(group, rank, num_groups, n_max)``: row ``i`` goes to block ``[group[i], rank[i]]``,
    ``rank`` counting the rows of each group in their order (``group`` in any order)."""
    counts = torch.bincount(group, minlength=num_groups)
    order = torch.sort(group, stable=True).indices
    start = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(group)
    rank[order] = torch.arange(group.numel(), device=group.device) - start[group[order]]
    return group, rank, num_groups, int(counts.max()) if group.numel() else 0


def _to_dense(values: Tensor, pos: tuple[Tensor, Tensor, int, int]) -> Tensor:
    """``[n, *]`` rows -> ``[num_groups, n_max, *]`` zero-padded blocks (differentiable)."""
    group, rank, num_groups, n_max = pos
    dense = values.new_zeros((num_groups, n_max, *values.shape[1:]))
    return dense.index_put((group, rank), values)


class HyperClusterOutput(NamedTuple):
    """Result of :class:`HyperCluster`."""

    pooled: Tensor  #: ``[B, S, C]`` one embedding per seed (cluster) and graph
    attention: Tensor  #: ``[m, heads, S]`` attention of every edge to every seed


class HyperCluster(nn.Module):
    r"""HyperCluster edge pooling (Jo et al., NeurIPS 2021): GMPool attention (Baek et al.,
    ICLR 2021; a Set Transformer MAB) of learnable seeds over the edges of every graph, with
    keys and values from hypergraph convs on the dual hypergraph.

    For a graph ``g`` with edges :math:`E_g` and ``S`` seeds :math:`Q \in \mathbb{R}^{S\times
    C}`, per head ``h`` (channels split into ``heads`` chunks of :math:`C/\text{heads}`):

    .. math::
        K = \mathrm{conv}_K(E, G^*),\quad V = \mathrm{conv}_V(E, G^*),\quad
        \tilde Q = Q W_Q + b_Q, \qquad
        \alpha_{e,s} = \frac{\langle K^h_e, \tilde Q^h_s\rangle}{\sqrt{C}},

    .. math::
        A_{e,s} = \operatorname{softmax}_{s'}(\alpha_{e,s'})_s \ \ (\text{cluster}), \qquad
        A_{e,s} = \operatorname{softmax}_{e' \in E_g}(\alpha_{e',s})_e \ \ (\text{otherwise}),

    .. math::
        O^h_{g,s} = \tilde Q^h_s + \sum_{e \in E_g} A^h_{e,s} V^h_e, \qquad
        \mathrm{pooled}_g = O_g + \mathrm{ReLU}(O_g W_O + b_O)

    (with LayerNorm after each residual when ``layer_norm``). With ``cluster=True`` (EHGNN's
    ``--cluster``, used for ZINC) the softmax runs over the *seeds*, so every edge is softly
    assigned to clusters (:math:`\sum_s A_{e,s} = 1`); otherwise over the edges of each graph
    (:math:`\sum_{e \in E_g} A_{e,s} = 1`). The scaling is :math:`\sqrt{C}`, as in GMT. The
    softmax over edges is a per-graph segment softmax (no ``-1e9`` masking) and the sum a
    batched product over zero-padded per-graph blocks, so graphs never see each other; a graph
    without edges gets :math:`O_g = \tilde Q`. :meth:`unpool` maps
    clusters back to edges, :math:`E'_e = \sum_s A_{e,s}\,\mathrm{pooled}_{g(e),s}`
    (:math:`A^\top \mathrm{pooled}`, per head on its channel chunk).

    Args:
        in_channels: edge feature size :math:`C` (also the pooled size).
        num_seeds: number of seeds ``S``; or give ``ratio`` and ``avg_num_edges`` for
            :math:`S = \lceil \text{ratio} \cdot \text{avg\_num\_edges} \rceil` (GMT).
        heads: attention heads (must divide ``in_channels``).
        cluster: softmax over seeds (soft clustering) instead of over edges.
        ratio: see ``num_seeds`` (EHGNN uses 0.15 with the average number of directed edges).
        avg_num_edges: see ``num_seeds``.
        layer_norm: LayerNorm after both residuals (GMT's ``ln``).

    Shapes:
        ``edge_attr`` ``[m, C]``, ``edge_index`` ``[2, m]``, ``batch`` ``[n]`` with ``B``
        graphs -> :class:`HyperClusterOutput` ``([B, S, C], [m, heads, S])``.

    Example:
        >>> import torch
        >>> edge_index = torch.tensor([[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]])
        >>> batch = torch.tensor([0, 0, 0, 1, 1])
        >>> pool = HyperCluster(8, num_seeds=2)
        >>> pooled, attention = pool(torch.randn(6, 8), edge_index, batch=batch)
        >>> pooled.shape, attention.shape
        (torch.Size([2, 2, 8]), torch.Size([6, 1, 2]))
        >>> pool.unpool(pooled, attention, batch[edge_index[0]]).shape
        torch.Size([6, 8])
    """

    def __init__(self, in_channels: int, num_seeds: int | None = None, heads: int = 1,
                 cluster: bool = True, *, ratio: float | None = None,
                 avg_num_edges: float | None = None, layer_norm: bool = False) -> None:
        super().__init__()
        self.in_channels = C.check_count(in_channels, "in_channels", minimum=1)
        if num_seeds is None:
            if ratio is None or avg_num_edges is None:
                raise ValueError("Expected 'num_seeds', or both 'ratio' and 'avg_num_edges' "
                                 f"(got ratio={ratio!r}, avg_num_edges={avg_num_edges!r})")
            _exact_ratio(ratio)
            if isinstance(avg_num_edges, bool) or not isinstance(avg_num_edges, (int, float)) \
                    or not avg_num_edges > 0:
                raise ValueError(f"Expected 'avg_num_edges' to be a positive number "
                                 f"(got {avg_num_edges!r})")
            num_seeds = max(1, math.ceil(ratio * avg_num_edges))
        elif ratio is not None or avg_num_edges is not None:
            raise ValueError("Expected either 'num_seeds' or 'ratio' with 'avg_num_edges', "
                             "not both")
        self.num_seeds = C.check_count(num_seeds, "num_seeds", minimum=1)
        self.heads = C.check_count(heads, "heads", minimum=1)
        if in_channels % heads:
            raise ValueError(f"Expected 'heads' to divide in_channels={in_channels} "
                             f"(got heads={heads})")
        if not isinstance(cluster, bool):
            raise TypeError(f"Expected 'cluster' to be a bool (got {C.describe(cluster)})")
        self.cluster = cluster
        self.seeds = nn.Parameter(torch.empty(self.num_seeds, in_channels))
        self.lin_q = nn.Linear(in_channels, in_channels)
        self.conv_k = HGNNPConv(in_channels, in_channels)
        self.conv_v = HGNNPConv(in_channels, in_channels)
        self.lin_o = nn.Linear(in_channels, in_channels)
        self.norm0 = nn.LayerNorm(in_channels) if layer_norm else None
        self.norm1 = nn.LayerNorm(in_channels) if layer_norm else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.xavier_uniform_(self.seeds)
        for module in (self.lin_q, self.conv_k, self.conv_v, self.lin_o, self.norm0,
                       self.norm1):
            if module is not None:
                module.reset_parameters()

    def forward(self, edge_attr: Tensor, edge_index: Tensor, num_nodes: int | None = None,
                batch: Tensor | None = None, dual: Hypergraph | None = None,
                num_graphs: int | None = None) -> HyperClusterOutput:
        """Pool the edges of every graph onto the seeds.

        Args:
            edge_attr: ``[m, C]`` edge features.
            edge_index: ``[2, m]`` directed edges of the (batched) graph.
            num_nodes: number of nodes (default ``len(batch)``, else ``max(edge_index) + 1``).
            batch: ``[num_nodes]`` graph id of every node (default: one graph).
            dual: the prebuilt ``dht(edge_index, num_nodes, add_loops=True)[0]``.
            num_graphs: ``B`` (default ``max(batch) + 1``, or 1 without ``batch``).
        """
        edge_attr, edge_index, dual, edge_batch, b = _graph_inputs(
            self, edge_attr, edge_index, num_nodes, batch, dual)
        if num_graphs is not None:
            num_graphs = C.check_count(num_graphs, "num_graphs")
            if num_graphs < b:
                raise ValueError(f"'num_graphs' is {num_graphs} but 'batch' holds graph id "
                                 f"{b - 1}")
            b = num_graphs
        m, h, s, c = edge_index.size(1), self.heads, self.num_seeds, self.in_channels
        q = self.lin_q(self.seeds).view(s, h, c // h)
        k = self.conv_k(edge_attr, dual).view(m, h, c // h)
        v = self.conv_v(edge_attr, dual).view(m, h, c // h)
        alpha = torch.einsum("ehd,shd->ehs", k, q) / math.sqrt(c)
        if self.cluster:
            att = torch.softmax(alpha, dim=-1)
        else:
            att = ops.softmax(alpha.reshape(m, h * s), edge_batch, num_segments=b).view(m, h, s)
        # sum_{e in g} A[e, h, s] V[e, h]: a batched product on zero-padded [B, N_max] blocks
        # (padding is 0 in both factors, so it adds exactly nothing)
        pos = _dense_positions(edge_batch, b)
        agg = torch.einsum("bnhs,bnhd->bshd", _to_dense(att, pos), _to_dense(v, pos))
        out = (q.unsqueeze(0) + agg).reshape(b, s, c)
        if self.norm0 is not None:
            out = self.norm0(out)
        out = out + torch.relu(self.lin_o(out))
        if self.norm1 is not None:
            out = self.norm1(out)
        return HyperClusterOutput(out, att)

    def unpool(self, pooled: Tensor, attention: Tensor, edge_batch: Tensor | None = None
               ) -> Tensor:
        r"""Edge features from clusters: :math:`E'_e = \sum_s A_{e,s}\,\mathrm{pooled}_{g(e),s}`.

        Args:
            pooled: ``[B, S, C]`` (e.g. the ``pooled`` output, possibly transformed).
            attention: ``[m, heads, S]`` the ``attention`` output.
            edge_batch: ``[m]`` graph of every edge, ``batch[edge_index[0]]`` (default: all 0).

        Returns:
            ``[m, C]``; head ``h`` fills channel chunk ``h`` from the same chunk of ``pooled``.
        """
        h, s, c = self.heads, self.num_seeds, self.in_channels
        if not isinstance(pooled, Tensor) or pooled.dim() != 3 or pooled.shape[1:] != (s, c):
            got = list(pooled.shape) if isinstance(pooled, Tensor) else C.describe(pooled)
            raise ValueError(f"Expected 'pooled' to have shape [B, {s}, {c}] (got {got})")
        if not isinstance(attention, Tensor) or attention.dim() != 3 \
                or attention.shape[1:] != (h, s):
            got = list(attention.shape) if isinstance(attention, Tensor) \
                else C.describe(attention)
            raise ValueError(f"Expected 'attention' to have shape [m, {h}, {s}] (got {got})")
        if attention.device != pooled.device:
            raise ValueError(f"Expected 'attention' on the device of 'pooled' {pooled.device} "
                             f"(got {attention.device})")
        m, b = attention.size(0), pooled.size(0)
        if edge_batch is None:
            edge_batch = torch.zeros(m, dtype=torch.long, device=pooled.device)
        else:
            if not isinstance(edge_batch, Tensor) or edge_batch.device != pooled.device:
                got = edge_batch.device if isinstance(edge_batch, Tensor) \
                    else C.describe(edge_batch)
                raise ValueError(f"Expected 'edge_batch' on the device of 'pooled' "
                                 f"{pooled.device} (got {got})")
            edge_batch = C.to_index_tensor(edge_batch, "edge_batch", ndim=1)
            if edge_batch.numel() != m:
                raise ValueError(f"Expected 'edge_batch' to have shape [{m}] (got "
                                 f"{list(edge_batch.shape)})")
        C.check_ids_below(edge_batch, "edge_batch", b, "pooled.size(0)")
        pos = _dense_positions(edge_batch, b)
        out = torch.einsum("bnhs,bshd->bnhd", _to_dense(attention, pos),
                           pooled.view(b, s, h, c // h))
        return out[pos[0], pos[1]].reshape(m, c)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, num_seeds={self.num_seeds}, heads={self.heads}, "
                f"cluster={self.cluster}")
