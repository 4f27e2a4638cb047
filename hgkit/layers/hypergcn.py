r"""HyperGCN (Yadati et al., "HyperGCN: A New Method of Training Graph Convolutional Networks on
Hypergraphs", NeurIPS 2019).

Each hyperedge is replaced by a few graph edges chosen from the current features (the pair of
members farthest apart along a random direction, optionally with "mediators"), and a GCN
propagation runs on that graph. Everything is vectorized with static shapes (no loop over
hyperedges, no data-dependent sizes), and the propagation is factored per hyperedge (a sum over
its members, then a few ``[M, C]`` gathers and scatters), so a call costs O(nnz + M) feature
rows even though the mediator graph has ``2|e| - 3`` edges per hyperedge.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from hgkit import ops
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers._base import HypergraphLayer, cached, dtype_key

__all__ = ["HyperGCNConv", "hypergcn_graph"]

_TOKENS = itertools.count()


def _distinct_members(hg: Hypergraph) -> tuple[Tensor, Tensor]:
    """``first`` ``[nnz]`` (the incidence is the first copy of its ``(v, e)`` pair) and the
    number of distinct members of each hyperedge ``[M]`` (int64)."""
    node, edge = hg.hyperedge_index
    key = edge * max(hg.num_nodes, 1) + node
    sorted_key, perm = torch.sort(key, stable=True)
    new = torch.ones_like(sorted_key, dtype=torch.bool)
    new[1:] = sorted_key[1:] != sorted_key[:-1]
    first = torch.empty_like(new).scatter_(0, perm, new)
    size = torch.zeros(hg.num_edges, dtype=torch.long, device=node.device)
    size = size.index_add_(0, edge, first.long())
    return first, size


class _Plan(NamedTuple):
    """The HyperGCN graph in factored form (static shapes).

    ``i``, ``j`` ``[M]``: the extremes of each hyperedge (``0`` where unused); ``pair`` ``[M]``:
    the weight of each of the hyperedge's graph edges (``0`` for hyperedges with < 2 distinct
    members); ``mediator`` ``[nnz]``: that weight on the incidences of mediators, else ``0``
    (``None`` without mediators); ``members`` ``[nnz]``: 1 on the first copy of each incidence;
    ``dinv`` ``[N]``: :math:`\tilde d^{-1/2}` of :math:`A + I`.
    """

    i: Tensor
    j: Tensor
    pair: Tensor
    mediator: Tensor | None
    members: Tensor
    dinv: Tensor


def _plan(p: Tensor, hg: Hypergraph, mediators: bool, size_norm: bool) -> _Plan:
    node, edge = hg.hyperedge_index
    n, m = hg.num_nodes, hg.num_edges
    first, size = cached(hg, "hypergcn_members", lambda: _distinct_members(hg))
    p = p.detach()
    pk = p[node]
    is_max = pk == ops.v2e(p, hg, "max")[edge]
    is_min = pk == ops.v2e(p, hg, "min")[edge]
    i = torch.full((m,), n, dtype=node.dtype, device=node.device).scatter_reduce(
        0, edge, torch.where(is_max, node, n), "amin", include_self=True)
    j = torch.full((m,), -1, dtype=node.dtype, device=node.device).scatter_reduce(
        0, edge, torch.where(is_min, node, -1), "amax", include_self=True)
    valid = size >= 2
    i = torch.where(valid, i, 0)
    j = torch.where(valid, j, 0)
    w = torch.ones(m, dtype=p.dtype, device=p.device) if hg.edge_weight is None \
        else hg.edge_weight.to(p.dtype)
    count = size.to(p.dtype)
    members = first.to(p.dtype)
    if not mediators:
        scale = torch.where(valid, 1.0 / count, 0.0) if size_norm else valid.to(p.dtype)
        pair = w * scale
        deg = 1.0 + ops.scatter(torch.cat([pair, pair]), torch.cat([i, j]), n, "sum")
        return _Plan(i, j, pair, None, members, deg.rsqrt())
    pair = torch.where(valid, w / (2.0 * count - 3.0), 0.0)
    is_mediator = first & valid[edge] & (node != i[edge]) & (node != j[edge])
    mediator = torch.where(is_mediator, pair[edge], 0.0)
    # i and j each have s - 1 edges (to each other and to the s - 2 mediators); a mediator 2
    ends = pair * (count - 1.0)
    deg = (1.0 + ops.scatter(torch.cat([ends, ends]), torch.cat([i, j]), n, "sum")
           + ops.scatter(2.0 * mediator, node, n, "sum"))
    return _Plan(i, j, pair, mediator, members, deg.rsqrt())


def _propagate(h: Tensor, hg: Hypergraph, plan: _Plan) -> Tensor:
    r""":math:`\tilde D^{-1/2} (A + I) \tilde D^{-1/2} h` without listing the graph's edges.

    With :math:`g = \tilde D^{-1/2} h`, :math:`c` the edge weight of hyperedge :math:`e` and
    :math:`S_e` the sum of :math:`g` over its distinct members, :math:`(A g)` receives
    :math:`c (S_e - g_{i})` at :math:`i_e`, :math:`c (S_e - g_{j})` at :math:`j_e` and
    :math:`c (g_{i} + g_{j})` at each mediator (just :math:`c g_j` / :math:`c g_i` without
    mediators): two ``[M, C]`` gathers and scatters plus one pass each way over the incidences.
    """
    dinv = plan.dinv.unsqueeze(-1)
    g = h * dinv
    gi, gj = g.index_select(0, plan.i), g.index_select(0, plan.j)
    c = plan.pair.unsqueeze(-1)
    index = torch.cat([plan.i, plan.j])
    if plan.mediator is None:
        agg = ops.scatter(torch.cat([c * gj, c * gi]), index, hg.num_nodes, "sum")
    else:
        total = ops.v2e(g, hg, "sum", plan.members)
        agg = ops.scatter(torch.cat([c * (total - gi), c * (total - gj)]), index,
                          hg.num_nodes, "sum")
        agg = agg + ops.e2v(gi + gj, hg, "sum", plan.mediator)
    return dinv * (agg + g)


def hypergcn_graph(p: Tensor, hg: Hypergraph, mediators: bool = True,
                   size_norm: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    r"""The weighted graph HyperGCN builds from the hypergraph and a node score ``p``.

    For each hyperedge :math:`e` with :math:`s_e \ge 2` distinct members, let
    :math:`i_e` be the member with the largest score and :math:`j_e` the one with the smallest
    (so :math:`|p_{i_e} - p_{j_e}|` is maximal). Ties are broken deterministically: :math:`i_e` is
    the *smallest* node id among the maximizers and :math:`j_e` the *largest* node id among the
    minimizers, so :math:`i_e \neq j_e` even when all scores tie. Then

    * ``mediators=True``: edge :math:`\{i_e, j_e\}` and, for every other distinct member
      :math:`k`, edges :math:`\{i_e, k\}` and :math:`\{j_e, k\}`, each of weight
      :math:`w_e / (2 s_e - 3)` (the :math:`2 s_e - 3` edges of a hyperedge sum to :math:`w_e`);
    * ``mediators=False``: the single edge :math:`\{i_e, j_e\}` of weight :math:`w_e` (the
      paper's Laplacian), or :math:`w_e / s_e` with ``size_norm=True`` (the authors' code).

    Hyperedges with fewer than two distinct members add nothing; a repeated incidence counts
    once. Parallel edges (from different hyperedges) add up when the graph is used.

    Args:
        p: ``[N]`` node scores (no gradient is taken through the selection).
        hg: the hypergraph.
        mediators: connect the other members to both extremes.
        size_norm: without mediators, weight the edge by :math:`1/s_e`.

    Returns:
        ``(src, dst, weight)``, each of static length (``M + 2 nnz`` with mediators, ``M``
        without): undirected edges, each listed once; unused slots have weight ``0`` and
        endpoints ``0``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2, 3], [0, 0, 0, 1, 1]]), num_nodes=4,
        ...                 num_edges=2)
        >>> src, dst, w = hypergcn_graph(torch.tensor([0.5, 2.0, -1.0, 0.0]), hg)
        >>> [(a, b, round(c, 3)) for a, b, c in zip(src.tolist(), dst.tolist(), w.tolist())
        ...  if c > 0]
        [(1, 2, 0.333), (3, 2, 1.0), (0, 1, 0.333), (0, 2, 0.333)]
    """
    return _edges(_plan(p, hg, mediators, size_norm), hg)


def _edges(plan: _Plan, hg: Hypergraph) -> tuple[Tensor, Tensor, Tensor]:
    if plan.mediator is None:
        return plan.i, plan.j, plan.pair
    node, edge = hg.hyperedge_index
    return (torch.cat([plan.i, node, node]), torch.cat([plan.j, plan.i[edge], plan.j[edge]]),
            torch.cat([plan.pair, plan.mediator, plan.mediator]))


class HyperGCNConv(HypergraphLayer):
    r"""The HyperGCN convolution (Yadati et al., "HyperGCN: A New Method of Training Graph
    Convolutional Networks on Hypergraphs", NeurIPS 2019).

    .. math::
        X' = \tilde D^{-1/2} (A_S + I) \tilde D^{-1/2}\, X \Theta + b, \qquad
        \tilde D = \mathrm{diag}((A_S + I)\mathbf{1}),

    where :math:`A_S` is the weighted graph of :func:`hypergcn_graph` built from the scores
    :math:`S = X \Theta r`: the features projected on a fixed random vector :math:`r` (the
    paper's practical choice for :math:`\arg\max_{i,j \in e} \|S_i - S_j\|`). Per hyperedge,
    the pair of members farthest apart along :math:`r` is connected, with weight
    :math:`1/(2|e|-3)` and "mediator" edges from both to every other member
    (``mediators=True``, the paper's HyperGCN), or with weight 1 alone (``mediators=False``,
    1-HyperGCN). Hyperedge weights multiply the weights of all graph edges of their hyperedge;
    singletons add nothing; a repeated incidence counts once. Tie-breaking and edge weights:
    see :func:`hypergcn_graph`.

    * :math:`r` is drawn once at construction, uniform in :math:`[0, 1)` as in the authors' code
      (which redraws it at every call), and stored as the buffer ``projection`` (so it is saved
      in the ``state_dict`` and moves with ``.to()``): outputs are deterministic.
    * ``fast=False`` (HyperGCN): the graph is rebuilt from :math:`X\Theta` at every call; the
      selection is piecewise constant, so no gradient flows through it.
    * ``fast=True`` (FastHyperGCN): the graph is built once from the *input* features,
      :math:`S = X r` with :math:`r \in \mathbb{R}^{F}`, at the first call on a given
      :class:`~hgkit.Hypergraph`, and stored in that hypergraph's cache under a key unique to
      this layer instance (and dtype); later calls on the same object reuse it whatever ``x``
      is, and the entry dies with the hypergraph. A raw ``hyperedge_index`` builds a new
      :class:`~hgkit.Hypergraph` per call, so it gets no reuse.
    * The authors' code weights the edge of a hyperedge without mediators by :math:`1/|e|`
      instead of the paper's 1; ``size_norm=True`` reproduces that. The AllSet benchmark runs
      HyperGCN through that code; its ``train.py`` defaults are no mediators and not fast. That
      code also adds a self-loop for a singleton hyperedge, which the paper's construction
      does not, and its FastHyperGCN builds one graph from the raw input features for *all*
      layers (here each fast layer builds its own from its own first input).

    ``torch.compile(fullgraph=True)`` works: the selection uses segment max / min and
    ``scatter_reduce`` with static shapes.

    Args:
        in_channels: input feature size :math:`F`.
        out_channels: output feature size :math:`F'`.
        mediators: add the mediator edges (HyperGCN) or not (1-HyperGCN).
        fast: FastHyperGCN (graph computed once from the input features, see above).
        size_norm: without mediators, weight each hyperedge's edge by :math:`1/|e|`.
        bias: learn the bias :math:`b`.
        seed: seed of the random projection (default: torch's global generator).

    Shapes:
        ``x`` ``[N, F]`` -> ``[N, F']``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2, 3], [0, 0, 0, 1, 1]]), num_nodes=4,
        ...                 num_edges=2)
        >>> conv = HyperGCNConv(5, 8, seed=0)
        >>> x = torch.randn(4, 5)
        >>> conv(x, hg).shape
        torch.Size([4, 8])
        >>> torch.equal(conv(x, hg), conv(x, hg))      # the projection is fixed
        True
    """

    def __init__(self, in_channels: int, out_channels: int, mediators: bool = True,
                 fast: bool = False, size_norm: bool = False, bias: bool = True,
                 seed: int | None = None) -> None:
        super().__init__(in_channels, out_channels)
        for name, value in (("mediators", mediators), ("fast", fast), ("size_norm", size_norm),
                            ("bias", bias)):
            if not isinstance(value, bool):
                raise TypeError(f"Expected '{name}' to be a bool (got {value!r})")
        if size_norm and mediators:
            raise ValueError("'size_norm=True' only applies without mediators "
                             "(got mediators=True)")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"Expected 'seed' to be an int or None (got {seed!r})")
        self.mediators, self.fast, self.size_norm = mediators, fast, size_norm
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        dim = in_channels if fast else out_channels
        self.register_buffer("projection", torch.rand(dim, generator=gen))
        self._token = next(_TOKENS)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in :math:`\\pm 1/\\sqrt{\\text{out}}` for weight and bias (the authors' code);
        the projection is kept."""
        bound = 1.0 / math.sqrt(self.out_channels)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def _plan(self, x: Tensor, h: Tensor, hg: Hypergraph) -> _Plan:
        """The graph from ``x`` (fast: cached per hypergraph and layer) or from ``h = x Θ``."""
        if self.fast:
            key = f"hypergcn_fast_{self._token}_{dtype_key(x.dtype)}"
            return cached(hg, key, lambda: _plan(x.detach() @ self.projection, hg,
                                                 self.mediators, self.size_norm))
        return _plan(h.detach() @ self.projection, hg, self.mediators, self.size_norm)

    def graph(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
              edge_weight: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """The graph ``(src, dst, weight)`` the layer uses for ``x`` (before self-loops and
        normalization, see :func:`hypergcn_graph`); with ``fast=True`` the cached one."""
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        with torch.no_grad():
            h = x if self.fast else x @ self.weight.t()
        return _edges(self._plan(x, h, hg), hg)

    def forward(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        x, hg = self._inputs(x, hypergraph, num_edges, edge_weight)
        h = x @ self.weight.t()
        out = _propagate(h, hg, self._plan(x, h, hg))
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, mediators={self.mediators}, "
                f"fast={self.fast}, size_norm={self.size_norm}, "
                f"bias={self.bias is not None}")
