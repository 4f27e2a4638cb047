"""The hypergraph data structure and everything structural.

* :class:`Hypergraph`: the immutable, tensor-backed structure.
* :mod:`~hgkit.hypergraph.normalize`: degrees and operator weights (pure functions).
* :mod:`~hgkit.hypergraph.construct`: builders from edge lists, matrices, graphs, features.
* :mod:`~hgkit.hypergraph.transforms`: expansions, dual, DHT, self-loops, dedup, subgraphs.
* :mod:`~hgkit.hypergraph.generate`: random hypergraphs, incl. the homophily-controlled HSBM.
* :mod:`~hgkit.hypergraph.convert`: PyG, DHG, networkx, scipy, XGI and HIF interop.
"""

from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["Hypergraph"]
