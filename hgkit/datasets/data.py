"""Typed dataset results: HypergraphData, TemporalHypergraph and GraphDataset.

All three are plain containers of tensors with explicit sizes; they do no I/O. Loaders in this
package build them from the upstream files; :mod:`hgkit.datasets.splits` makes their splits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import Tensor

from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.typing import OptTensor

__all__ = ["GraphDataset", "HypergraphData", "TemporalHypergraph"]


@dataclass(frozen=True)
class HypergraphData:
    """A node-level dataset: one hypergraph with node features, labels and splits.

    Attributes:
        hypergraph: the structure (N nodes, M hyperedges).
        x: ``[N, F]`` node features, or ``None`` when the dataset has none.
        y: ``[N]`` int64 class labels (0-based), or ``None``.
        num_classes: number of classes (0 without labels).
        train_mask, val_mask, test_mask: optional ``[N]`` bool masks of the current split.
        splits: fixed splits shipped with the dataset (e.g. HyperGCN's ten), each a dict of
            ``"train"`` / ``"val"`` / ``"test"`` int64 node-index tensors (``"val"`` may be
            absent).
        name: dataset name.
        metadata: free-form facts (source, feature origin, preprocessing switches used).

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=1)
        >>> data = HypergraphData(hg, x=torch.eye(3), y=torch.tensor([0, 1, 1]), num_classes=2)
        >>> data.num_nodes, data.num_features
        (3, 3)
        >>> data.with_masks(torch.tensor([1, 0, 0], dtype=torch.bool)).train_mask.tolist()
        [True, False, False]
    """

    hypergraph: Hypergraph
    x: OptTensor = None
    y: OptTensor = None
    num_classes: int = 0
    train_mask: OptTensor = None
    val_mask: OptTensor = None
    test_mask: OptTensor = None
    splits: list[dict[str, Tensor]] = field(default_factory=list)
    name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.hypergraph.num_nodes
        if self.x is not None and self.x.size(0) != n:
            raise ValueError(f"'x' has {self.x.size(0)} rows but the hypergraph has {n} nodes")
        if self.y is not None and self.y.size(0) != n:
            raise ValueError(f"'y' has {self.y.size(0)} rows but the hypergraph has {n} nodes")
        for name in ("train_mask", "val_mask", "test_mask"):
            mask = getattr(self, name)
            if mask is not None and (mask.dtype != torch.bool or mask.shape != (n,)):
                raise ValueError(f"Expected '{name}' to be a bool tensor of shape [{n}] "
                                 f"(got {mask.dtype}, {list(mask.shape)})")

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return self.hypergraph.num_nodes

    @property
    def num_edges(self) -> int:
        """Number of hyperedges."""
        return self.hypergraph.num_edges

    @property
    def num_features(self) -> int:
        """Feature dimension (0 without features)."""
        return 0 if self.x is None else int(self.x.size(1))

    def with_masks(self, train_mask: OptTensor = None, val_mask: OptTensor = None,
                   test_mask: OptTensor = None) -> HypergraphData:
        """A copy with the given split masks."""
        return replace(self, train_mask=train_mask, val_mask=val_mask, test_mask=test_mask)

    def replace(self, **changes: Any) -> HypergraphData:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"num_nodes={self.num_nodes}",
                 f"num_edges={self.num_edges}", f"nnz={self.hypergraph.nnz}"]
        if self.x is not None:
            parts.append(f"x={list(self.x.shape)}")
        if self.y is not None:
            parts.append(f"num_classes={self.num_classes}")
        if self.splits:
            parts.append(f"splits={len(self.splits)}")
        return f"HypergraphData({', '.join(parts)})"


@dataclass(frozen=True)
class TemporalHypergraph:
    """Timestamped simplices (Benson et al.'s ScHoLP format).

    Simplex ``i`` has ``nverts[i]`` nodes, stored consecutively in ``simplices`` starting at
    ``ptr[i]``, and occurred at ``times[i]``. Node ids are 0-based (the files' 1-based ids minus
    one); ids that never occur are kept as isolated nodes so ids match the label files.

    Attributes:
        nverts: ``[S]`` int64 simplex sizes.
        simplices: ``[sum(nverts)]`` int64 node ids.
        times: ``[S]`` int64 timestamps.
        num_nodes: number of node ids (max id + 1, or the label file's length if larger).
        node_labels: optional names of the nodes (``node_labels[i]`` names node ``i``).
        name: dataset name.
        metadata: free-form facts.
    """

    nverts: Tensor
    simplices: Tensor
    times: Tensor
    num_nodes: int
    node_labels: list[str] | None = None
    name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.nverts.numel() != self.times.numel():
            raise ValueError(f"'nverts' has {self.nverts.numel()} entries but 'times' has "
                             f"{self.times.numel()}")
        if int(self.nverts.sum()) != self.simplices.numel():
            raise ValueError(f"'nverts' sums to {int(self.nverts.sum())} but 'simplices' has "
                             f"{self.simplices.numel()} entries")

    @property
    def num_simplices(self) -> int:
        """Number of timestamped simplices (with repeats)."""
        return int(self.nverts.numel())

    @property
    def ptr(self) -> Tensor:
        """``[S + 1]`` offsets of each simplex in ``simplices``."""
        out = torch.zeros(self.num_simplices + 1, dtype=torch.long)
        torch.cumsum(self.nverts, 0, out=out[1:])
        return out

    def to_hypergraph(self, unique: bool = True, mask: OptTensor = None) -> Hypergraph:
        """The simplices as hyperedges.

        Args:
            unique: keep each distinct node set once (the first occurrence in file order);
                ``False`` keeps every timestamped simplex as its own hyperedge.
            mask: optional ``[S]`` bool mask selecting simplices (e.g. a time split) first.
        """
        from hgkit.hypergraph.transforms import remove_duplicate_edges

        edge = torch.repeat_interleave(torch.arange(self.num_simplices), self.nverts)
        node = self.simplices
        num_edges = self.num_simplices
        if mask is not None:
            keep = mask[edge]
            node, edge = node[keep], edge[keep]
            kept = torch.nonzero(mask).flatten()
            remap = torch.full((self.num_simplices,), -1, dtype=torch.long)
            remap[kept] = torch.arange(kept.numel())
            edge, num_edges = remap[edge], int(kept.numel())
        hg = Hypergraph(torch.stack([node, edge]), self.num_nodes, num_edges)
        return remove_duplicate_edges(hg) if unique else hg

    def __repr__(self) -> str:
        return (f"TemporalHypergraph(name={self.name!r}, num_nodes={self.num_nodes}, "
                f"num_simplices={self.num_simplices}, nnz={self.simplices.numel()})")


@dataclass(frozen=True)
class GraphDataset:
    """A graph-classification dataset: many small graphs stored concatenated.

    Attributes:
        edge_index: ``[2, E]`` directed edges with global node ids (an undirected edge appears
            in both directions, as in the TU files).
        batch: ``[N]`` graph id of every node (graphs are contiguous blocks of nodes).
        y: ``[G]`` int64 graph labels mapped to ``0..C-1``.
        num_classes: number of graph classes.
        x: optional ``[N, F]`` node features (attributes and/or one-hot node labels).
        edge_attr: optional ``[E, F']`` edge features (e.g. one-hot edge labels).
        folds: fixed cross-validation folds, each a dict with ``"train"`` and ``"test"`` int64
            graph-index tensors (EHGNN's 10 folds when shipped).
        name: dataset name.
        metadata: free-form facts (label mapping, feature origin).
    """

    edge_index: Tensor
    batch: Tensor
    y: Tensor
    num_classes: int
    x: OptTensor = None
    edge_attr: OptTensor = None
    folds: list[dict[str, Tensor]] = field(default_factory=list)
    name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def num_graphs(self) -> int:
        """Number of graphs ``G``."""
        return int(self.y.numel())

    @property
    def num_nodes(self) -> int:
        """Total number of nodes over all graphs."""
        return int(self.batch.numel())

    @property
    def node_ptr(self) -> Tensor:
        """``[G + 1]`` offsets of each graph's nodes."""
        counts = torch.bincount(self.batch, minlength=self.num_graphs)
        out = torch.zeros(self.num_graphs + 1, dtype=torch.long)
        torch.cumsum(counts, 0, out=out[1:])
        return out

    def graph(self, i: int) -> dict[str, Any]:
        """Graph ``i`` with 0-based local node ids: ``edge_index``, ``num_nodes``, ``x``,
        ``edge_attr``, ``y``."""
        if not 0 <= i < self.num_graphs:
            raise IndexError(f"graph index {i} out of range for {self.num_graphs} graphs")
        ptr = self.node_ptr
        lo, hi = int(ptr[i]), int(ptr[i + 1])
        emask = (self.edge_index[0] >= lo) & (self.edge_index[0] < hi)
        return {
            "edge_index": self.edge_index[:, emask] - lo,
            "num_nodes": hi - lo,
            "x": None if self.x is None else self.x[lo:hi],
            "edge_attr": None if self.edge_attr is None else self.edge_attr[emask],
            "y": int(self.y[i]),
        }

    def __len__(self) -> int:
        return self.num_graphs

    def __repr__(self) -> str:
        return (f"GraphDataset(name={self.name!r}, num_graphs={self.num_graphs}, "
                f"num_nodes={self.num_nodes}, num_edges={self.edge_index.size(1)}, "
                f"num_classes={self.num_classes}, folds={len(self.folds)})")
