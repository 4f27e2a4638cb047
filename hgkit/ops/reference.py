r"""Plain-torch reference semantics of every op in :mod:`hgkit.ops`.

These functions *define* what the ops compute; the tests compare every backend against them.
They are written for clarity (``index_add_`` / ``scatter_reduce`` and torch's own autograd),
not speed, and do no input validation. Conventions shared by all ops:

* reductions run along dim 0; ``src`` may be 1-D ``[n]`` or ``[n, *]``;
* ``mean`` divides by the number of entries of the row (weights do not enter the count);
* an empty row (segment, hyperedge without members, isolated node) gives ``0`` for every
  reduction, including ``max`` and ``min``;
* ``max`` / ``min`` propagate gradient to the first maximal / minimal entry only.

Example:
    >>> import torch
    >>> from hgkit.ops import reference as ref
    >>> ref.scatter(torch.tensor([1.0, 5.0, 2.0]), torch.tensor([0, 0, 2]), 3, "max")
    tensor([5., 0., 2.])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

if TYPE_CHECKING:  # pragma: no cover
    from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["scatter", "segment", "softmax", "spmm", "sddmm", "v2e", "e2v", "v2v"]


def _rows(ptr: Tensor) -> Tensor:
    counts = (ptr[1:] - ptr[:-1]).long()
    return torch.repeat_interleave(torch.arange(counts.numel(), device=ptr.device), counts)


def scatter(src: Tensor, index: Tensor, dim_size: int, reduce: str = "sum") -> Tensor:
    r"""``out[i] = reduce_{k: index[k] = i} src[k]`` (0 where no ``k`` maps to ``i``).

    Example:
        >>> import torch
        >>> scatter(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1, 1, 0]), 3, "mean")
        tensor([4.0000, 1.5000, 0.0000])
    """
    index = index.long()
    out = src.new_zeros((dim_size,) + tuple(src.shape[1:]))
    if reduce in ("sum", "mean"):
        out = out.index_add(0, index, src)
        if reduce == "mean":
            count = torch.bincount(index, minlength=dim_size).clamp(min=1).to(src.dtype)
            out = out / count.view((-1,) + (1,) * (src.dim() - 1))
        return out
    expanded = index.view((-1,) + (1,) * (src.dim() - 1)).expand_as(src)
    name = {"max": "amax", "min": "amin"}[reduce]
    return out.scatter_reduce(0, expanded, src, name, include_self=False)


def segment(src: Tensor, ptr: Tensor, reduce: str = "sum") -> Tensor:
    r"""``out[i] = reduce_{ptr[i] <= k < ptr[i+1]} src[k]`` for CSR-sorted ``src``.

    Example:
        >>> import torch
        >>> segment(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([0, 2, 2, 3]), "sum")
        tensor([3., 0., 4.])
    """
    return scatter(src, _rows(ptr), ptr.numel() - 1, reduce)


def softmax(src: Tensor, index: Tensor | None = None, ptr: Tensor | None = None,
            num_segments: int | None = None) -> Tensor:
    r"""``out[k] = exp(src[k]) / sum_{k': seg(k') = seg(k)} exp(src[k'])``, per feature.

    Example:
        >>> import torch
        >>> softmax(torch.tensor([0.0, 0.0, 3.0]), torch.tensor([0, 0, 1]), num_segments=2)
        tensor([0.5000, 0.5000, 1.0000])
    """
    if index is None:
        assert ptr is not None
        index, num_segments = _rows(ptr), ptr.numel() - 1
    assert num_segments is not None
    index = index.long()
    top = scatter(src.detach(), index, num_segments, "max")
    exp = (src - top[index]).exp()
    return exp / scatter(exp, index, num_segments, "sum")[index]


def _times(weight: Tensor | None, msg: Tensor) -> Tensor:
    if weight is None:
        return msg
    return msg * weight.view((-1,) + (1,) * (msg.dim() - 1))


def spmm(ptr: Tensor, col: Tensor, weight: Tensor | None, x: Tensor, num_rows: int,
         reduce: str = "sum") -> Tensor:
    r"""``out[i] = reduce_{ptr[i] <= j < ptr[i+1]} weight[j] * x[col[j]]``.

    Example:
        >>> import torch
        >>> spmm(torch.tensor([0, 2, 3]), torch.tensor([0, 1, 1]), None,
        ...      torch.tensor([1.0, 10.0]), 2, "sum")
        tensor([11., 10.])
    """
    assert num_rows == ptr.numel() - 1
    return scatter(_times(weight, x[col.long()]), _rows(ptr), num_rows, reduce)


def sddmm(ptr: Tensor, col: Tensor, a: Tensor, b: Tensor) -> Tensor:
    r"""``out[j] = <a[i], b[col[j]]>`` for every entry ``j`` of row ``i``.

    Example:
        >>> import torch
        >>> sddmm(torch.tensor([0, 1, 2]), torch.tensor([1, 0]),
        ...       torch.tensor([[1.0], [2.0]]), torch.tensor([[3.0], [4.0]]))
        tensor([4., 6.])
    """
    return (a[_rows(ptr)] * b[col.long()]).reshape(col.numel(), -1).sum(1)


def v2e(x: Tensor, hg: Hypergraph, reduce: str = "sum", weight: Tensor | None = None) -> Tensor:
    r"""``out[e] = reduce_{(v, e) incidence k} weight[k] * x[v]`` (``[M, *]``).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3, num_edges=3)
        >>> v2e(torch.tensor([1.0, 2.0, 3.0]), hg)
        tensor([3., 3., 0.])
    """
    node, edge = hg.hyperedge_index
    return scatter(_times(weight, x[node]), edge, hg.num_edges, reduce)


def e2v(x: Tensor, hg: Hypergraph, reduce: str = "sum", weight: Tensor | None = None) -> Tensor:
    r"""``out[v] = reduce_{(v, e) incidence k} weight[k] * x[e]`` (``[N, *]``).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=4, num_edges=2)
        >>> e2v(torch.tensor([1.0, 2.0]), hg)
        tensor([1., 1., 2., 0.])
    """
    node, edge = hg.hyperedge_index
    return scatter(_times(weight, x[edge]), node, hg.num_nodes, reduce)


def v2v(x: Tensor, hg: Hypergraph, reduce: str = "sum", v2e_weight: Tensor | None = None,
        e2v_weight: Tensor | None = None, v2e_reduce: str | None = None,
        e2v_reduce: str | None = None) -> Tensor:
    r"""``e2v(v2e(x))`` with separate weights and reductions per stage.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3, num_edges=2)
        >>> v2v(torch.tensor([1.0, 2.0, 3.0]), hg)
        tensor([3., 3., 3.])
    """
    y = v2e(x, hg, v2e_reduce or reduce, v2e_weight)
    return e2v(y, hg, e2v_reduce or reduce, e2v_weight)
