"""What every layer shares: the input contract and per-hypergraph operator caches.

Every layer's ``forward`` takes ``(x, hypergraph, ..., num_edges=None, edge_weight=None)`` where
``hypergraph`` is an :class:`hgkit.Hypergraph` or a raw PyG-style ``hyperedge_index``
``[2, nnz]`` (row 0 node ids, row 1 hyperedge ids). :func:`as_hypergraph` turns the raw form into
a :class:`~hgkit.Hypergraph` (validated; ``num_nodes = x.size(0)``), so both give identical
outputs. Passing a :class:`~hgkit.Hypergraph` is the fast path: normalization weights and the
CSR structures of :mod:`hgkit.ops` are computed once and cached on the (immutable) object, while a
raw index is validated and normalized again on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import Tensor, nn

from hgkit.hypergraph._checks import describe
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["Dropout", "HypergraphLayer", "as_hypergraph", "check_features", "cached", "dropout",
           "dtype_key"]

T = TypeVar("T")


def dropout(x: Tensor, p: float, training: bool = True) -> Tensor:
    r"""Dropout: zero each entry with probability ``p``, scale the rest by :math:`1/(1-p)`.

    The same distribution as :func:`torch.nn.functional.dropout`, with a faster CPU path:
    PyTorch draws the CPU mask with ``bernoulli_``; comparing ``rand_like`` with ``p`` instead
    makes forward + backward 2.6x faster (16 vs 43 ms for a 13k x 256 tensor on one core), and
    dropout on incidence-level activations was a quarter of an ED-HNN training step. Other
    devices use :func:`torch.nn.functional.dropout`. The random streams differ from
    PyTorch's, so a seeded run drops other entries than ``F.dropout`` would.

    Example:
        >>> x = torch.ones(4, 1000)
        >>> y = dropout(x, 0.5)
        >>> sorted(set(y.unique().tolist())), abs(float((y == 0).float().mean()) - 0.5) < 0.05
        ([0.0, 2.0], True)
        >>> dropout(x, 0.5, training=False) is x
        True
    """
    if not training or p == 0.0:
        return x
    if p >= 1.0:
        return x * 0.0
    if x.device.type != "cpu":
        return nn.functional.dropout(x, p, True)
    # a float keep-mask already scaled: one multiply forward and one backward (masked_fill
    # and where are slower on CPU than the product)
    return x * torch.rand_like(x).ge_(p).mul_(1.0 / (1.0 - p))


class Dropout(nn.Dropout):
    """:class:`torch.nn.Dropout` computed with :func:`dropout` (faster on CPU)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - nn.Dropout's name
        return dropout(input, self.p, self.training)


def as_hypergraph(hypergraph: Any, x: Tensor, num_edges: int | None = None,
                  edge_weight: Tensor | None = None) -> Hypergraph:
    """The :class:`~hgkit.Hypergraph` a layer runs on.

    Args:
        hypergraph: a :class:`~hgkit.Hypergraph` (returned as is) or a ``[2, nnz]`` integer
            ``hyperedge_index``.
        x: the node features; ``x.size(0)`` is the number of nodes of a raw index.
        num_edges: number of hyperedges of a raw index (default: ``max id + 1``, as in PyG).
        edge_weight: optional ``[num_edges]`` hyperedge weights of a raw index.

    Raises:
        TypeError: ``hypergraph`` is neither, or ``num_edges`` / ``edge_weight`` are given
            together with a :class:`~hgkit.Hypergraph` (which carries its own).

    Example:
        >>> import torch
        >>> x = torch.zeros(3, 2)
        >>> as_hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), x)
        Hypergraph(num_nodes=3, num_edges=2, nnz=3, device=cpu)
    """
    if isinstance(hypergraph, Hypergraph):
        if num_edges is not None or edge_weight is not None:
            raise TypeError("'num_edges' and 'edge_weight' are only accepted with a raw "
                            "'hyperedge_index'; a Hypergraph carries its own (use "
                            "hypergraph.replace(edge_weight=...))")
        return hypergraph
    if isinstance(hypergraph, Tensor):
        if not isinstance(x, Tensor):
            raise TypeError(f"Expected 'x' to be a Tensor (got {describe(x)})")
        return Hypergraph(hypergraph, num_nodes=x.size(0), num_edges=num_edges,
                          edge_weight=edge_weight)
    raise TypeError("Expected 'hypergraph' to be an hgkit.Hypergraph or a [2, nnz] "
                    f"'hyperedge_index' tensor (got {describe(hypergraph)})")


def check_features(x: Any, rows: int, channels: int | None, device: torch.device,
                   name: str = "x", what: str = "nodes") -> Tensor:
    """Validate a ``[rows, channels]`` floating feature matrix on ``device``.

    Raises:
        TypeError: ``x`` is not a floating-point tensor.
        ValueError: wrong number of dimensions, rows, channels or device.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"Expected '{name}' to be a Tensor (got {describe(x)})")
    if not x.is_floating_point():
        raise TypeError(f"Expected '{name}' to be a floating-point tensor (got {x.dtype})")
    if x.dim() != 2:
        raise ValueError(f"Expected '{name}' to have shape [{what}, channels] "
                         f"(got {list(x.shape)})")
    if x.size(0) != rows:
        raise ValueError(f"'{name}' has {x.size(0)} rows but the hypergraph has {rows} {what}")
    if channels is not None and x.size(1) != channels:
        raise ValueError(f"'{name}' has {x.size(1)} channels but the layer expects "
                         f"in_channels={channels}")
    if x.device != device:
        raise ValueError(f"Expected '{name}' on the hypergraph's device {device} "
                         f"(got {x.device})")
    return x


def dtype_key(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"`` (for cache keys)."""
    return str(dtype).rsplit(".", 1)[-1]


def cached(hg: Hypergraph, key: str, fn: Callable[[], T]) -> T:
    """``fn()`` computed once per hypergraph and stored in its private cache (``layers/<key>``).

    Safe because a :class:`~hgkit.Hypergraph` is immutable; the entry dies with the object.
    """
    return hg._cached("layers/" + key, fn)


class HypergraphLayer(nn.Module):
    """Base class of the hypergraph convolutions: the shared ``forward`` input contract.

    Subclasses call :meth:`_inputs` first in ``forward``; it returns the validated features and
    the :class:`~hgkit.Hypergraph` (see :func:`as_hypergraph`).

    Args:
        in_channels: input feature size (checked against ``x.size(1)``).
        out_channels: output feature size.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected '{name}' to be a positive int (got {value!r})")
        self.in_channels = in_channels
        self.out_channels = out_channels

    def _inputs(self, x: Tensor, hypergraph: Any, num_edges: int | None = None,
                edge_weight: Tensor | None = None) -> tuple[Tensor, Hypergraph]:
        hg = as_hypergraph(hypergraph, x, num_edges, edge_weight)
        x = check_features(x, hg.num_nodes, self.in_channels, hg.device)
        return x, hg

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}"
