r"""Iterable mini-batch loaders over one large hypergraph.

* :class:`NeighborLoader` batches seed nodes (node classification): each batch is a
  :class:`~hgkit.loader.SubgraphBatch` around ``batch_size`` seeds.
* :class:`HyperedgeLoader` batches candidate hyperedges (hyperedge prediction): each batch is a
  :class:`~hgkit.loader.HyperedgeBatch` whose seeds are the candidates' members.

Both are seeded and reproducible: the seed order of epoch ``t`` comes from ``(seed, t)``, the
neighbourhood draws from ``(seed, t, rank)``. Each ``iter()`` starts a new epoch (call
:meth:`~NeighborLoader.set_epoch` to choose one, as with ``DistributedSampler``). With
``world_size > 1`` every rank gets a disjoint share of the same epoch's permutation, padded by
wrapping around so that all ranks run the same number of batches (what DDP needs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import numpy as np
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.loader.sampler import (
    HyperedgeBatch,
    NeighborSampler,
    SubgraphBatch,
    unique_first,
)
from hgkit.typing import OptTensor

__all__ = ["HyperedgeLoader", "NeighborLoader", "partition"]


def _derived_seed(*parts: int) -> int:
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


def partition(order: Tensor, rank: int, world_size: int) -> Tensor:
    """Rank ``rank``'s share of ``order``: every ``world_size``-th item, padded to equal size.

    Like ``torch.utils.data.DistributedSampler``: ``order`` is padded by repeating its start
    until its length divides by ``world_size``, so every rank gets ``ceil(len / world_size)``
    items.

    Example:
        >>> partition(torch.arange(5), 0, 2).tolist(), partition(torch.arange(5), 1, 2).tolist()
        ([0, 2, 4], [1, 3, 0])
    """
    if world_size == 1:
        return order
    total = -(-order.numel() // world_size) * world_size
    if total > order.numel():
        reps = -(-total // max(order.numel(), 1))
        order = order.repeat(reps)[:total]
    return order[rank::world_size]


def _check_rank(rank: Any, world_size: Any) -> tuple[int, int]:
    world_size = C.check_count(world_size, "world_size", minimum=1)
    rank = C.check_count(rank, "rank")
    if rank >= world_size:
        raise ValueError(f"Expected 'rank' to be below world_size={world_size} (got {rank})")
    return rank, world_size


def _check_rows(value: OptTensor, name: str, n: int) -> OptTensor:
    if value is None:
        return None
    if not isinstance(value, Tensor) or value.dim() == 0 or value.size(0) != n:
        got = list(value.shape) if isinstance(value, Tensor) else C.describe(value)
        raise ValueError(f"Expected '{name}' to be a tensor with {n} rows (one per node) "
                         f"(got {got})")
    return value


class _Loader:
    """Shared epoch, order and rank logic of the two loaders."""

    def __init__(self, hypergraph: Hypergraph, num_neighbors: Sequence[int], batch_size: int,
                 shuffle: bool, drop_last: bool, member_cap: int | None, x: OptTensor,
                 y: OptTensor, seed: int, rank: int, world_size: int) -> None:
        self.sampler = NeighborSampler(hypergraph, num_neighbors, member_cap)
        self.hypergraph = hypergraph
        self.batch_size = C.check_count(batch_size, "batch_size", minimum=1)
        if not isinstance(shuffle, bool) or not isinstance(drop_last, bool):
            raise TypeError("Expected 'shuffle' and 'drop_last' to be bools (got "
                            f"{C.describe(shuffle)}, {C.describe(drop_last)})")
        self.shuffle, self.drop_last = shuffle, drop_last
        self.x = _check_rows(x, "x", hypergraph.num_nodes)
        self.y = _check_rows(y, "y", hypergraph.num_nodes)
        self.seed = C.check_count(seed, "seed")
        self.rank, self.world_size = _check_rank(rank, world_size)
        self.epoch = 0

    @property
    def num_neighbors(self) -> tuple[int, ...]:
        return self.sampler.num_neighbors

    @property
    def member_cap(self) -> int | None:
        return self.sampler.member_cap

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` run epoch ``epoch`` (orders and draws depend on it)."""
        self.epoch = C.check_count(epoch, "epoch")

    def _num_items(self) -> int:
        raise NotImplementedError

    def _share(self) -> int:
        return -(-self._num_items() // self.world_size)

    def __len__(self) -> int:
        share = self._share()
        return share // self.batch_size if self.drop_last else -(-share // self.batch_size)

    def _chunks(self) -> Iterator[tuple[Tensor, torch.Generator]]:
        epoch = self.epoch
        self.epoch += 1
        n = self._num_items()
        if self.shuffle:
            order_gen = torch.Generator().manual_seed(_derived_seed(self.seed, epoch))
            order = torch.randperm(n, generator=order_gen)
        else:
            order = torch.arange(n)
        order = partition(order, self.rank, self.world_size)
        device = self.hypergraph.device
        gen = torch.Generator(device=device).manual_seed(
            _derived_seed(self.seed, epoch, self.rank, 1))
        for b in range(len(self)):
            yield order[b * self.batch_size:(b + 1) * self.batch_size], gen

    def _slice(self, n_id: Tensor) -> dict[str, OptTensor]:
        return {"x": None if self.x is None else self.x[n_id.to(self.x.device)],
                "y": None if self.y is None else self.y[n_id.to(self.y.device)]}


class NeighborLoader(_Loader):
    r"""Mini-batches of seed nodes with their sampled ``L``-hop hypergraph neighbourhoods.

    Each batch is a :class:`~hgkit.loader.SubgraphBatch`: a relabelled sub-hypergraph whose
    first ``batch_size`` nodes are the seeds, so any hgkit layer or model runs on it unchanged
    and the seeds' outputs are ``model(batch.x, batch.hypergraph)[:batch.batch_size]``.

    Args:
        hypergraph: the full hypergraph.
        num_neighbors: hyperedges kept per node at each hop (``-1``: all); one entry per
            message-passing layer, e.g. ``(10, 10)`` for a 2-layer HGNN.
        input_nodes: the seed nodes: a ``[N]`` bool mask or an int64 index tensor (default:
            every node).
        batch_size: seeds per batch.
        shuffle: draw a new seed order every epoch.
        drop_last: drop the last, smaller batch.
        member_cap: members kept per reached hyperedge (``None``: all).
        x: optional ``[N, F]`` node features, sliced into ``batch.x``.
        y: optional ``[N]`` labels, sliced into ``batch.y``.
        seed: seed of the orders and draws.
        rank, world_size: this process's share of the seeds in data-parallel training.

    Example:
        >>> from hgkit.hypergraph.generate import hsbm
        >>> from hgkit.layers.models import HGNN
        >>> data = hsbm(num_nodes=500, num_edges=400, seed=0)
        >>> loader = NeighborLoader(data.hypergraph, [5, 5], input_nodes=data.train_mask,
        ...                         batch_size=64, shuffle=True, x=data.x, y=data.y)
        >>> len(loader)
        4
        >>> batch = next(iter(loader))
        >>> model = HGNN(data.num_features, 16, data.num_classes)
        >>> model(batch.x, batch.hypergraph)[:batch.batch_size].shape
        torch.Size([64, 4])
        >>> bool((batch.y[:64] == data.y[batch.input_id]).all())
        True
    """

    def __init__(self, hypergraph: Hypergraph, num_neighbors: Sequence[int], *,
                 input_nodes: OptTensor = None, batch_size: int = 1024, shuffle: bool = False,
                 drop_last: bool = False, member_cap: int | None = None, x: OptTensor = None,
                 y: OptTensor = None, seed: int = 0, rank: int = 0,
                 world_size: int = 1) -> None:
        super().__init__(hypergraph, num_neighbors, batch_size, shuffle, drop_last, member_cap,
                         x, y, seed, rank, world_size)
        self.input_nodes = self._check_input_nodes(input_nodes, hypergraph)

    @staticmethod
    def _check_input_nodes(value: OptTensor, hg: Hypergraph) -> Tensor:
        n = hg.num_nodes
        if value is None:
            return torch.arange(n, device=hg.device)
        if isinstance(value, Tensor) and value.dtype == torch.bool:
            if value.shape != (n,):
                raise ValueError(f"Expected 'input_nodes' as a bool mask to have shape [{n}] "
                                 f"(got {list(value.shape)})")
            return value.nonzero().flatten().to(hg.device)
        index = C.to_index_tensor(value, "input_nodes", ndim=1)
        C.check_nonnegative_ids(index, "input_nodes")
        C.check_ids_below(index, "input_nodes", n, "num_nodes")
        if torch.unique(index).numel() != index.numel():
            raise ValueError("Expected 'input_nodes' to hold distinct node ids (got repeats)")
        return index.to(hg.device)

    def _num_items(self) -> int:
        return self.input_nodes.numel()

    def __iter__(self) -> Iterator[SubgraphBatch]:
        for chunk, gen in self._chunks():
            batch = self.sampler.sample(self.input_nodes[chunk.to(self.input_nodes.device)],
                                        gen)
            if self.x is None and self.y is None:
                yield batch
            else:
                yield SubgraphBatch(hypergraph=batch.hypergraph, n_id=batch.n_id,
                                    e_id=batch.e_id, batch_size=batch.batch_size,
                                    **self._slice(batch.n_id))

    def __repr__(self) -> str:
        return (f"NeighborLoader(num_neighbors={list(self.num_neighbors)}, "
                f"member_cap={self.member_cap}, batch_size={self.batch_size}, "
                f"input_nodes={self.input_nodes.numel()}, shuffle={self.shuffle}, "
                f"rank={self.rank}, world_size={self.world_size})")


def _candidate_index(hyperedges: Any, num_nodes: int) -> tuple[Tensor, Tensor, int]:
    """``(node, slot ptr, count)`` of candidate hyperedges given as sets or a [2, k] index."""
    if isinstance(hyperedges, Tensor):
        index = C.to_index_tensor(hyperedges, "hyperedges")
        if index.dim() != 2 or index.size(0) != 2:
            raise ValueError("Expected 'hyperedges' as a tensor to have shape [2, k] (node "
                             f"ids, candidate ids) (got {list(index.shape)})")
        C.check_nonnegative_ids(index[1], "hyperedges[1]")
        order = torch.argsort(index[1], stable=True)
        node, cand = index[0][order], index[1][order]
        count = int(cand.max()) + 1 if cand.numel() else 0
        sizes = torch.bincount(cand, minlength=count)
    else:
        try:
            sets = [list(s) for s in hyperedges]
        except TypeError:
            raise TypeError("Expected 'hyperedges' to be a [2, k] int64 tensor or a sequence "
                            f"of node-id collections (got {C.describe(hyperedges)})") from None
        count = len(sets)
        sizes = torch.tensor([len(s) for s in sets], dtype=torch.long)
        node = torch.tensor(list(chain.from_iterable(sets)), dtype=torch.long)
    if count == 0:
        raise ValueError("Expected at least one candidate hyperedge (got none)")
    if bool((sizes == 0).any()):
        raise ValueError(f"Candidate hyperedge {int((sizes == 0).nonzero()[0])} is empty; "
                         "every candidate needs at least one node")
    C.check_nonnegative_ids(node, "hyperedges")
    C.check_ids_below(node, "hyperedges", num_nodes, "num_nodes")
    ptr = torch.zeros(count + 1, dtype=torch.long)
    torch.cumsum(sizes, 0, out=ptr[1:])
    return node, ptr, count


class HyperedgeLoader(_Loader):
    r"""Mini-batches of candidate hyperedges with the sampled neighbourhoods of their members.

    For hyperedge prediction on a large hypergraph: each batch takes ``batch_size`` candidates
    (positives and negatives alike), makes their distinct members the seeds and samples around
    them like :class:`NeighborLoader`. ``batch.target_index`` gives the candidates in local
    node ids, ready for a set decoder on ``model(batch.x, batch.hypergraph)``.

    The candidates are scored on the message-passing hypergraph you pass; to keep held-out
    hyperedges out of it, pass the training hypergraph (as
    :func:`~hgkit.tasks.hyperedge_prediction.split_hyperedges` builds it).

    Args:
        hypergraph: the message-passing hypergraph.
        hyperedges: the candidates: a sequence of node-id collections, or a ``[2, k]`` int64
            tensor of (node id, candidate id) pairs with candidate ids ``0 .. C - 1``.
        num_neighbors: hyperedges kept per node at each hop (``-1``: all).
        labels: optional ``[C]`` tensor of candidate labels (e.g. 1 = positive), sliced into
            ``batch.target_y``.
        batch_size: candidates per batch. Other arguments as in :class:`NeighborLoader`.

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]]))
        >>> loader = HyperedgeLoader(hg, [[0, 1], [3, 4], [1, 4]], [-1], batch_size=2,
        ...                          labels=torch.tensor([1, 1, 0]))
        >>> batch = next(iter(loader))
        >>> batch.target_index.tolist(), batch.n_id[:batch.batch_size].tolist()
        ([[0, 1, 2, 3], [0, 0, 1, 1]], [0, 1, 3, 4])
        >>> batch.target_y.tolist(), len(loader)
        ([1, 1], 2)
    """

    def __init__(self, hypergraph: Hypergraph, hyperedges: Any, num_neighbors: Sequence[int],
                 *, labels: OptTensor = None, batch_size: int = 256, shuffle: bool = False,
                 drop_last: bool = False, member_cap: int | None = None, x: OptTensor = None,
                 y: OptTensor = None, seed: int = 0, rank: int = 0,
                 world_size: int = 1) -> None:
        super().__init__(hypergraph, num_neighbors, batch_size, shuffle, drop_last, member_cap,
                         x, y, seed, rank, world_size)
        self._node, self._ptr, self.num_candidates = _candidate_index(
            hyperedges, hypergraph.num_nodes)
        if labels is not None and (not isinstance(labels, Tensor)
                                   or labels.shape[:1] != (self.num_candidates,)):
            got = list(labels.shape) if isinstance(labels, Tensor) else C.describe(labels)
            raise ValueError(f"Expected 'labels' to be a tensor with {self.num_candidates} "
                             f"rows (one per candidate) (got {got})")
        self.labels = labels

    def _num_items(self) -> int:
        return self.num_candidates

    def __iter__(self) -> Iterator[HyperedgeBatch]:
        device = self.hypergraph.device
        for chunk, gen in self._chunks():
            start, end = self._ptr[chunk], self._ptr[chunk + 1]
            lengths = end - start
            owner = torch.repeat_interleave(torch.arange(chunk.numel()), lengths)
            offset = torch.cumsum(lengths, 0) - lengths
            flat = start[owner] + torch.arange(owner.numel()) - offset[owner]
            members = self._node[flat]
            seeds, local = unique_first(members)
            batch = self.sampler.sample(seeds.to(device), gen)
            sliced = self._slice(batch.n_id)
            yield HyperedgeBatch(
                hypergraph=batch.hypergraph, n_id=batch.n_id, e_id=batch.e_id,
                batch_size=batch.batch_size, x=sliced["x"], y=sliced["y"],
                target_index=torch.stack([local, owner]).to(device), target_id=chunk,
                target_y=None if self.labels is None else self.labels[chunk])

    def __repr__(self) -> str:
        return (f"HyperedgeLoader(num_neighbors={list(self.num_neighbors)}, "
                f"member_cap={self.member_cap}, batch_size={self.batch_size}, "
                f"candidates={self.num_candidates}, shuffle={self.shuffle}, "
                f"rank={self.rank}, world_size={self.world_size})")
