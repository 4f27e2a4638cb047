"""Hypergraph neural-network layers (one operator per file) and the models built from them.

Every convolution takes ``forward(x, hypergraph, ...)`` where ``hypergraph`` is an
:class:`hgkit.Hypergraph` or a raw ``hyperedge_index`` (see :mod:`hgkit.layers._base`);
activation, dropout and norm live in the models (:mod:`hgkit.layers.models`).

=======================  ===================================================================
layer                    operator
=======================  ===================================================================
:class:`HGNNConv`        :math:`D_v^{-1/2} H W D_e^{-1} H^\\top D_v^{-1/2} (X\\Theta + b)`
:class:`HGNNPConv`       HGNN+ two-stage mean :math:`D_v^{-1} H W D_e^{-1} H^\\top (X\\Theta + b)`
:class:`HCHAConv`        hypergraph convolution / attention (Bai et al.), row or symmetric
:class:`HNHNConv`        hyperedge neurons with :math:`\\alpha, \\beta` normalization
:class:`HyperGCNConv`    HyperGCN (with / without mediators, FastHyperGCN)
:class:`UniGCNIIConv`    UniGCNII: initial residual + identity mapping
:class:`DHTEdgeConv`     any node-level conv on the dual hypergraph of a graph (EHGNN)
:class:`HyperDrop`,      edge pooling on the dual hypergraph (EHGNN)
:class:`HyperCluster`
=======================  ===================================================================
"""

from hgkit.layers._base import HypergraphLayer, as_hypergraph
from hgkit.layers.dht import (
    DHTEdgeConv,
    HyperCluster,
    HyperClusterOutput,
    HyperDrop,
    HyperDropOutput,
)
from hgkit.layers.hcha import HCHAConv
from hgkit.layers.hgnn import HGNNConv, HGNNPConv
from hgkit.layers.hnhn import HNHNConv
from hgkit.layers.hypergcn import HyperGCNConv
from hgkit.layers.unigcnii import UniGCNIIConv

__all__ = [
    "HypergraphLayer", "as_hypergraph",
    "HGNNConv", "HGNNPConv", "HCHAConv", "HNHNConv", "HyperGCNConv", "UniGCNIIConv",
    "DHTEdgeConv", "HyperDrop", "HyperDropOutput", "HyperCluster", "HyperClusterOutput",
]
