r"""Neighbourhood sampling on one hypergraph: seed nodes -> hyperedges -> nodes, per hop.

:class:`NeighborSampler` turns a set of seed nodes into a small, relabelled sub-hypergraph that
holds everything an ``L``-layer hypergraph network needs to compute the seeds' outputs, with
the neighbourhood thinned at every hop:

* **hop** :math:`\ell` **(node -> hyperedges)**: every frontier node keeps at most
  ``num_neighbors[l]`` of its hyperedges, uniformly without replacement (``-1``: all);
* **(hyperedge -> members)**: every hyperedge reached for the first time keeps at most
  ``member_cap`` of its members, uniformly without replacement (``None``: all), so a giant
  hyperedge is subsampled, never loaded whole. The members not seen before form the next
  frontier.

The sub-hypergraph holds exactly the sampled incidences (each original incidence at most once),
with node ids ``0 .. n - 1`` (the seeds first, in their given order) and hyperedge ids
``0 .. m - 1``; ``n_id`` / ``e_id`` map them back. Weights and features travel with it
(``edge_weight``, ``edge_attr`` by ``e_id``; ``node_weight``, ``node_attr`` by ``n_id``;
``incidence_attr`` by incidence). Degrees and normalizations are those of the sample, as in
PyG's ``NeighborLoader``: a layer sees an ordinary :class:`~hgkit.Hypergraph` and runs
unchanged.

Sampling is vectorised (one random key per candidate entry, one sort per hop) and costs
:math:`O(\sum \text{degrees of the frontier})` per hop, never :math:`O(N)`: two global id maps
are allocated once and reset after each batch. The sampled sets are reproducible on every
device; on CUDA the order of the nodes reached within one hop may differ between runs (the
de-duplication keeps whichever of several equal writes lands, which CUDA does not fix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.typing import OptTensor

__all__ = ["HyperedgeBatch", "NeighborSampler", "SubgraphBatch"]


@dataclass(frozen=True, kw_only=True)
class SubgraphBatch:
    """A sampled, relabelled sub-hypergraph around ``batch_size`` seed nodes.

    Attributes:
        hypergraph: the sub-hypergraph; its nodes ``0 .. batch_size - 1`` are the seeds.
        n_id: ``[n]`` original id of every local node.
        e_id: ``[m]`` original id of every local hyperedge.
        batch_size: number of seed nodes.
        x: ``x[n_id]`` when the loader was given node features, else ``None``.
        y: ``y[n_id]`` when the loader was given labels, else ``None``.
    """

    hypergraph: Hypergraph
    n_id: Tensor
    e_id: Tensor
    batch_size: int
    x: OptTensor = None
    y: OptTensor = None

    @property
    def seed_index(self) -> Tensor:
        """Local positions of the seeds: ``arange(batch_size)`` (they come first)."""
        return torch.arange(self.batch_size, device=self.n_id.device)

    @property
    def input_id(self) -> Tensor:
        """Original ids of the seeds, ``n_id[:batch_size]``."""
        return self.n_id[: self.batch_size]

    @property
    def num_nodes(self) -> int:
        """Number of local nodes ``n``."""
        return self.hypergraph.num_nodes

    def __repr__(self) -> str:
        hg = self.hypergraph
        return (f"{type(self).__name__}(batch_size={self.batch_size}, "
                f"num_nodes={hg.num_nodes}, num_edges={hg.num_edges}, nnz={hg.nnz})")


@dataclass(frozen=True, kw_only=True)
class HyperedgeBatch(SubgraphBatch):
    """A :class:`SubgraphBatch` around the members of a batch of candidate hyperedges.

    Attributes:
        target_index: ``[2, k]`` the candidates in local ids: row 0 local node ids (all are
            seeds), row 1 the candidate's slot ``0 .. num_targets - 1`` in this batch.
        target_id: ``[num_targets]`` index of each candidate in the loader's list.
        target_y: ``[num_targets]`` labels of the candidates when the loader has them.
    """

    target_index: Tensor
    target_id: Tensor
    target_y: OptTensor = None

    @property
    def num_targets(self) -> int:
        """Number of candidate hyperedges in the batch."""
        return self.target_id.numel()


def unique_first(values: Tensor) -> tuple[Tensor, Tensor]:
    """Distinct values in order of first occurrence, and each value's position among them.

    Example:
        >>> unique_first(torch.tensor([5, 2, 5, 7, 2]))
        (tensor([5, 2, 7]), tensor([0, 1, 0, 2, 1]))
    """
    uniq, inverse = torch.unique(values, return_inverse=True)
    first = torch.full((uniq.numel(),), values.numel(), dtype=torch.long, device=values.device)
    first.scatter_reduce_(0, inverse, torch.arange(values.numel(), device=values.device),
                          reduce="amin")
    order = torch.argsort(first)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), device=order.device)
    return uniq[order], rank[inverse]


def _expand(start: Tensor, length: Tensor) -> tuple[Tensor, Tensor]:
    """Concatenated ranges ``start[i] .. start[i] + length[i]`` and the owner ``i`` of each."""
    owner = torch.repeat_interleave(torch.arange(length.numel(), device=length.device), length)
    offset = torch.cumsum(length, 0) - length
    local = torch.arange(owner.numel(), device=length.device) - offset[owner]
    return start[owner] + local, owner


def sample_segments(ptr: Tensor, items: Tensor, k: int, generator: torch.Generator | None
                    ) -> tuple[Tensor, Tensor]:
    """Pick at most ``k`` entries of each CSR segment ``items[i]``, uniformly, no replacement.

    Args:
        ptr: ``[S + 1]`` CSR pointer.
        items: ``[B]`` segment ids.
        k: entries per segment; ``-1`` keeps all.
        generator: random source.

    Returns:
        ``(pos, owner)``: positions into the CSR value array and the index into ``items`` of
        the segment each came from.

    Example:
        >>> ptr = torch.tensor([0, 2, 7])
        >>> pos, owner = sample_segments(ptr, torch.tensor([0, 1]), 3, torch.Generator())
        >>> owner.tolist(), pos[:2].tolist(), bool(((pos[2:] >= 2) & (pos[2:] < 7)).all())
        ([0, 0, 1, 1, 1], [0, 1], True)
    """
    start = ptr[items]
    deg = ptr[items + 1] - start
    if k < 0:
        return _expand(start, deg)
    big = deg > k
    pos_all, own_all = _expand(start[~big], deg[~big])
    own_all = torch.nonzero(~big).flatten()[own_all]
    if not bool(big.any()):
        return pos_all, own_all
    big_items = torch.nonzero(big).flatten()
    pos_big, own_big = _expand(start[big], deg[big])
    # One random key per entry, offset by the segment number: a single sort orders entries by
    # segment and randomly within it; the first k of each segment are a uniform k-subset.
    keys = torch.rand(pos_big.numel(), generator=generator, dtype=torch.float64,
                      device=ptr.device) + own_big.to(torch.float64)
    order = torch.argsort(keys)
    offset = torch.cumsum(deg[big], 0) - deg[big]
    rank = torch.arange(order.numel(), device=ptr.device) - offset[own_big]
    chosen = order[rank < k]
    pos = torch.cat([pos_all, pos_big[chosen]])
    owner = torch.cat([own_all, big_items[own_big[chosen]]])
    return pos, owner


def new_unique(values: Tensor, id_map: Tensor) -> Tensor:
    """Distinct ``values`` whose ``id_map`` entry is still ``-1``, without sorting.

    Every candidate writes its position into ``id_map`` and the entries that read their own
    position back are kept: one per distinct value, in O(len(values)). The caller must then
    overwrite ``id_map`` at the returned values (this leaves positions there).
    """
    cand = values[id_map[values] < 0]
    if cand.numel() == 0:
        return cand
    pos = torch.arange(cand.numel(), device=cand.device)
    id_map.scatter_(0, cand, pos)
    return cand[id_map[cand] == pos]


def check_num_neighbors(value: Any, name: str = "num_neighbors") -> tuple[int, ...]:
    """Validate per-hop fan-outs: a non-empty sequence of ints ``>= 1`` or ``-1`` (all)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) == 0 or any(
            isinstance(k, bool) or not isinstance(k, int) or (k < 1 and k != -1)
            for k in value):
        raise ValueError(f"Expected '{name}' to be a non-empty sequence of fan-outs, each an "
                         f"int >= 1 or -1 for all (got {value!r})")
    return tuple(int(k) for k in value)


def check_member_cap(value: Any) -> int | None:
    """Validate a member cap: ``None`` (no cap) or an int ``>= 1``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Expected 'member_cap' to be None or an int >= 1 (got {value!r})")
    return int(value)


class NeighborSampler:
    r"""Sample per-hop neighbourhoods of seed nodes from one hypergraph (see the module doc).

    Args:
        hypergraph: the full hypergraph (any device; sampling runs there).
        num_neighbors: hyperedges kept per node at each hop, e.g. ``(10, 10)`` for a 2-layer
            model; ``-1`` keeps all. One hop per message-passing layer.
        member_cap: members kept per newly reached hyperedge (``None``: all).

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 2, 3], [0, 0, 1, 1, 2, 2]]))
        >>> sampler = NeighborSampler(hg, num_neighbors=[-1])
        >>> batch = sampler.sample(torch.tensor([0]), torch.Generator().manual_seed(0))
        >>> batch.n_id.tolist(), batch.e_id.tolist(), batch.hypergraph.edges()
        ([0, 1], [0], [[0, 1]])
        >>> batch = NeighborSampler(hg, [-1, -1]).sample(torch.tensor([0]))
        >>> batch.n_id.tolist(), batch.hypergraph.nnz   # two hops reach node 2 via edge 1
        ([0, 1, 2], 4)
    """

    def __init__(self, hypergraph: Hypergraph, num_neighbors: Sequence[int],
                 member_cap: int | None = None) -> None:
        if not isinstance(hypergraph, Hypergraph):
            raise TypeError("Expected 'hypergraph' to be an hgkit Hypergraph (got "
                            f"{C.describe(hypergraph)})")
        self.hypergraph = hypergraph
        self.num_neighbors = check_num_neighbors(num_neighbors)
        self.member_cap = check_member_cap(member_cap)
        index = hypergraph.hyperedge_index
        self._node, self._edge = index[0], index[1]
        perm_v, self._v_ptr = hypergraph.sorted_incidence("node")
        perm_e, self._e_ptr = hypergraph.sorted_incidence("edge")
        self._v_inc, self._e_inc = perm_v, perm_e
        device = index.device
        self._node_map = torch.full((hypergraph.num_nodes,), -1, dtype=torch.long,
                                    device=device)
        self._edge_map = torch.full((hypergraph.num_edges,), -1, dtype=torch.long,
                                    device=device)
        self._inc_map = torch.full((hypergraph.nnz,), -1, dtype=torch.long, device=device)

    def sample(self, seeds: Any, generator: torch.Generator | None = None) -> SubgraphBatch:
        """The sampled sub-hypergraph around ``seeds`` (repeated seeds are kept once).

        Args:
            seeds: ``[B]`` node ids (int64 tensor or sequence).
            generator: random source (default: torch's global one).
        """
        hg = self.hypergraph
        seeds = C.to_index_tensor(seeds, "seeds", ndim=1).to(self._node.device)
        if seeds.numel() == 0:
            raise ValueError("Expected 'seeds' to hold at least one node id (got none)")
        C.check_nonnegative_ids(seeds, "seeds")
        C.check_ids_below(seeds, "seeds", hg.num_nodes, "num_nodes")
        seeds, _ = unique_first(seeds)
        node_map, edge_map = self._node_map, self._edge_map
        n_parts, e_parts, inc_parts = [seeds], [], []
        n_count, e_count = seeds.numel(), 0
        node_map[seeds] = torch.arange(n_count, device=seeds.device)
        frontier = seeds
        cap = -1 if self.member_cap is None else self.member_cap
        try:
            for k in self.num_neighbors:
                if frontier.numel() == 0:
                    break
                # node -> hyperedges, then newly reached hyperedges -> members (capped)
                inc, new_e, e_count = self._half_hop(self._v_ptr, self._v_inc, self._edge,
                                                     frontier, k, edge_map, e_count, generator)
                inc_parts.append(inc)
                e_parts.append(new_e)
                inc, frontier, n_count = self._half_hop(self._e_ptr, self._e_inc, self._node,
                                                        new_e, cap, node_map, n_count,
                                                        generator)
                inc_parts.append(inc)
                n_parts.append(frontier)
            n_id = torch.cat(n_parts)
            e_id = (torch.cat(e_parts) if e_parts
                    else torch.zeros(0, dtype=torch.long, device=seeds.device))
            inc = new_unique(torch.cat(inc_parts), self._inc_map)
            self._inc_map[inc] = -1
            local = torch.stack([node_map[self._node[inc]], edge_map[self._edge[inc]]])
        finally:  # leave the maps clean even if something above raised
            for part in n_parts:
                node_map[part] = -1
            for part in e_parts:
                edge_map[part] = -1
        fields = {
            "edge_weight": None if hg.edge_weight is None else hg.edge_weight[e_id],
            "node_weight": None if hg.node_weight is None else hg.node_weight[n_id],
            "edge_attr": None if hg.edge_attr is None else hg.edge_attr[e_id],
            "node_attr": None if hg.node_attr is None else hg.node_attr[n_id],
            "incidence_attr": None if hg.incidence_attr is None else hg.incidence_attr[inc],
        }
        sub = Hypergraph._trusted(local, n_id.numel(), e_id.numel(), **fields)
        return SubgraphBatch(hypergraph=sub, n_id=n_id, e_id=e_id, batch_size=seeds.numel())

    @staticmethod
    def _half_hop(ptr: Tensor, order: Tensor, target: Tensor, items: Tensor, k: int,
                  id_map: Tensor, count: int, generator: torch.Generator | None
                  ) -> tuple[Tensor, Tensor, int]:
        """Sample ``k`` incidences per item; give local ids to the targets not seen before.

        Returns the sampled incidence positions, the new targets (now numbered ``count ..``
        in ``id_map``) and the new count.
        """
        pos, _ = sample_segments(ptr, items, k, generator)
        inc = order[pos]
        new = new_unique(target[inc], id_map)
        id_map[new] = torch.arange(count, count + new.numel(), device=new.device)
        return inc, new, count + new.numel()

    def __repr__(self) -> str:
        return (f"NeighborSampler(num_neighbors={list(self.num_neighbors)}, "
                f"member_cap={self.member_cap}, hypergraph={self.hypergraph!r})")
