"""Mini-batch training on large hypergraphs: neighbourhood sampling and loaders.

* :class:`NeighborSampler`: seed nodes -> sampled hyperedges -> sampled nodes, per hop, with a
  cap on the members kept per hyperedge; returns a relabelled sub-:class:`~hgkit.Hypergraph`.
* :class:`NeighborLoader`: batches of seed nodes (node classification).
* :class:`HyperedgeLoader`: batches of candidate hyperedges (hyperedge prediction).

Every hgkit layer and model runs on the sampled sub-hypergraphs unchanged. Imports flow
``hypergraph`` <- ``loader`` <- ``tasks``.
"""

from hgkit.loader.loaders import HyperedgeLoader, NeighborLoader, partition
from hgkit.loader.sampler import HyperedgeBatch, NeighborSampler, SubgraphBatch, unique_first

__all__ = [
    "HyperedgeBatch",
    "HyperedgeLoader",
    "NeighborLoader",
    "NeighborSampler",
    "SubgraphBatch",
    "partition",
    "unique_first",
]
