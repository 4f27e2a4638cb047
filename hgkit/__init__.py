"""hgkit: a PyTorch toolkit for hypergraph neural networks.

Importing :mod:`hgkit` is cheap: it performs no I/O and builds nothing.

Example:
    >>> import torch
    >>> from hgkit import Hypergraph
    >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3, num_edges=2)
    >>> hg.edges()
    [[0, 1], [1, 2]]
"""

from hgkit.hypergraph.hypergraph import Hypergraph

__version__ = "0.1.0"

__all__ = ["Hypergraph", "__version__"]
