r"""Hypergraph neural-network layers (one operator per file) and the models built from them.

Every convolution takes ``forward(x, hypergraph, ...)`` where ``hypergraph`` is an
:class:`hgkit.Hypergraph` or a raw ``hyperedge_index`` (see :mod:`hgkit.layers._base`);
activation, dropout and norm live in the models (:mod:`hgkit.layers.models`).

Convolutions:

* :class:`HGNNConv`: :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2} (X\Theta + b)`;
* :class:`HGNNPConv`: HGNN+ two-stage mean :math:`D_v^{-1} H W D_e^{-1} H^\top (X\Theta + b)`;
* :class:`HCHAConv`: hypergraph convolution / attention (Bai et al.), row or symmetric;
* :class:`HNHNConv`: hyperedge neurons with the :math:`\alpha, \beta` normalization;
* :class:`HyperGCNConv`: HyperGCN (with / without mediators, FastHyperGCN);
* :class:`UniGCNIIConv`: UniGCNII, initial residual and identity mapping;
* :class:`EDHNNConv`: ED-HNN equivariant diffusion (phi / rho / psi, restart alpha), with the
  variants :class:`JumpLinkConv` and :class:`MeanDegConv`;
* :class:`AllSetTransformerConv` (PMA attention V -> E then E -> V, :class:`PMA`) and
  :class:`AllDeepSetsConv` (DeepSets sums);
* :class:`DHTEdgeConv`: any node-level conv on the dual hypergraph of a graph (EHGNN), with the
  edge pooling layers :class:`HyperDrop` and :class:`HyperCluster`.

Models: :class:`EDHNN`, :class:`AllSetTransformer`, :class:`AllDeepSets`, :class:`MLP` here
and the convolution stacks of :mod:`hgkit.layers.models`.
"""

from hgkit.layers._base import HypergraphLayer, as_hypergraph
from hgkit.layers.allset import (
    PMA,
    AllDeepSets,
    AllDeepSetsConv,
    AllSetTransformer,
    AllSetTransformerConv,
)
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
from hgkit.layers.edhnn import EDHNN, EDHNNConv, JumpLinkConv, MeanDegConv
from hgkit.layers.hypergcn import HyperGCNConv
from hgkit.layers.models import MLP
from hgkit.layers.unigcnii import UniGCNIIConv

__all__ = [
    "HypergraphLayer", "as_hypergraph",
    "HGNNConv", "HGNNPConv", "HCHAConv", "HNHNConv", "HyperGCNConv", "UniGCNIIConv",
    "EDHNNConv", "JumpLinkConv", "MeanDegConv", "AllSetTransformerConv", "AllDeepSetsConv",
    "PMA", "DHTEdgeConv", "HyperDrop", "HyperDropOutput", "HyperCluster", "HyperClusterOutput",
    "EDHNN", "AllSetTransformer", "AllDeepSets", "MLP",
]
