r"""Message-passing kernels: scatter / segment reductions, segment softmax, CSR gather-reduce and
the hypergraph verbs :func:`v2e`, :func:`e2v`, :func:`v2v`.

Every op reduces along dim 0 into an explicitly sized output, accepts ``[n]`` or ``[n, *]``
values, supports ``reduce`` in ``"sum"``, ``"mean"``, ``"max"``, ``"min"``, is differentiable
(custom backward, ``torch.library`` custom operators, so ``torch.compile`` traces through them)
and runs on the fastest available backend (see :func:`available_backends`,
:func:`use_backend` and the ``HGKIT_BACKEND`` environment variable). :mod:`hgkit.ops.reference`
defines the semantics in plain torch.

Conventions:

* ``mean`` divides by the number of entries of a row, not by the sum of weights;
* an empty row (no entries, e.g. an empty hyperedge or an isolated node) is ``0`` for every
  reduction, including ``max`` / ``min``;
* ``max`` / ``min`` send the gradient to the first maximal / minimal entry only.

Backends (chosen per call, see :mod:`hgkit.ops._dispatch`): ``"native"`` (hgkit's compiled
OpenMP kernels, built once on first use and cached; ``HGKIT_NO_NATIVE=1`` disables them),
``"sparse"`` (torch sparse CSR / MKL, sum and mean), ``"torch_scatter"`` (if installed) and
``"torch"`` (always available). Automatic order: ``native > sparse > torch_scatter > torch``
for sum / mean, ``native > torch_scatter > torch`` for max / min / softmax; an unavailable
optional backend is skipped with one :class:`BackendFallbackWarning`. ``HGKIT_BACKEND=<name>``
(read at call time) or ``with use_backend(name):`` forces one.

Backward passes of the hypergraph verbs reuse the cached transposed structure (a gather-reduce
over the other sorted incidence order, no atomics). Under ``torch.compile`` the structure is
built inside the graph on the first call and stored in the hypergraph, so later calls reuse it.

Example:
    >>> import torch
    >>> from hgkit import Hypergraph
    >>> from hgkit import ops
    >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3, num_edges=2)
    >>> x = torch.tensor([[1.0], [2.0], [4.0]])
    >>> ops.v2e(x, hg, "sum").flatten().tolist()      # hyperedge sums
    [3.0, 6.0]
    >>> ops.v2v(x, hg, "mean").flatten().tolist()     # mean of the hyperedge means
    [1.5, 2.25, 3.0]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from hgkit.ops import _autograd as _A
from hgkit.ops._csr import hypergraph_csr, index_dtype
from hgkit.ops._dispatch import (
    BACKENDS,
    REDUCES,
    BackendFallbackWarning,
    available_backends,
    current_backend,
    use_backend,
)

if TYPE_CHECKING:  # pragma: no cover
    from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = [
    "scatter", "segment", "softmax", "spmm", "v2e", "e2v", "v2v",
    "available_backends", "current_backend", "use_backend", "BackendFallbackWarning",
    "BACKENDS", "REDUCES",
]

_INDEX_DTYPES = (torch.int32, torch.int64)


# ---------------------------------------------------------------------------- validation
def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        return f"Tensor(shape={list(value.shape)}, dtype={value.dtype}, device={value.device})"
    return type(value).__name__


def _checking() -> bool:
    """Data-dependent checks (index ranges) run in eager mode, not while being compiled."""
    return not torch.compiler.is_compiling()


def _reduce(reduce: Any, name: str = "reduce") -> str:
    if reduce not in REDUCES:
        raise ValueError(f"Expected '{name}' to be one of {list(REDUCES)} (got {reduce!r})")
    return reduce


def _values(value: Any, name: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"Expected '{name}' to be a Tensor (got {_describe(value)})")
    if not value.is_floating_point():
        raise TypeError(f"Expected '{name}' to be a floating tensor (got dtype {value.dtype})")
    if value.dim() == 0:
        raise ValueError(f"Expected '{name}' to have at least 1 dimension (got a scalar)")
    return value


def _as_2d(value: Tensor) -> Tensor:
    if value.dim() == 2:
        return value
    return value.reshape(value.size(0), math.prod(value.shape[1:]))


def _restore(out: Tensor, like: Tensor) -> Tensor:
    return out.reshape((out.size(0),) + tuple(like.shape[1:]))


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, torch.SymInt):
            return value  # type: ignore[return-value]
        raise TypeError(f"Expected '{name}' to be an int (got {_describe(value)})")
    if value < 0:
        raise ValueError(f"Expected '{name}' to be >= 0 (got {value})")
    return value


def _index(value: Any, name: str, like: Tensor, length: int | None = None) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"Expected '{name}' to be an int32/int64 Tensor (got {_describe(value)})")
    if value.dtype not in _INDEX_DTYPES:
        raise TypeError(f"Expected '{name}' to have dtype int32 or int64 (got {value.dtype})")
    if value.dim() != 1:
        raise ValueError(f"Expected '{name}' to be 1-dimensional (got shape {list(value.shape)})")
    if value.device != like.device:
        raise ValueError(f"Expected '{name}' on device {like.device} (got {value.device})")
    if length is not None and value.numel() != length:
        raise ValueError(f"Expected '{name}' to have {length} entries (got {value.numel()})")
    return value


def _ids_below(ids: Tensor, name: str, bound: int, bound_name: str) -> None:
    if _checking() and ids.numel():
        low, high = int(ids.min()), int(ids.max())
        if low < 0:
            raise IndexError(f"'{name}' holds negative id {low}")
        if high >= bound:
            raise IndexError(f"'{name}' holds id {high} but {bound_name}={bound}")


def _pointer(ptr: Any, like: Tensor, nnz: int, nnz_name: str) -> Tensor:
    ptr = _index(ptr, "ptr", like)
    if ptr.numel() == 0:
        raise ValueError("Expected 'ptr' to have at least 1 entry ([num_rows + 1]) (got 0)")
    if _checking():
        if int(ptr[0]) != 0 or int(ptr[-1]) != nnz:
            raise ValueError(f"Expected 'ptr' to start at 0 and end at {nnz} ({nnz_name}) "
                             f"(got {int(ptr[0])} ... {int(ptr[-1])})")
        if ptr.numel() > 1 and bool((ptr[1:] < ptr[:-1]).any()):
            raise ValueError("Expected 'ptr' to be non-decreasing")
    return ptr


def _weight(weight: Any, name: str, nnz: int, x: Tensor) -> Tensor | None:
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        raise TypeError(f"Expected '{name}' to be a Tensor or None (got {_describe(weight)})")
    if weight.dim() != 1 or weight.numel() != nnz:
        raise ValueError(f"Expected '{name}' to have shape [{nnz}] (one value per incidence) "
                         f"(got {list(weight.shape)})")
    if weight.dtype != x.dtype:
        raise TypeError(f"Expected '{name}' to have the dtype of the values {x.dtype} "
                        f"(got {weight.dtype})")
    if weight.device != x.device:
        raise ValueError(f"Expected '{name}' on device {x.device} (got {weight.device})")
    return weight


# ---------------------------------------------------------------------------- generic ops
def scatter(src: Tensor, index: Tensor, dim_size: int, reduce: str = "sum") -> Tensor:
    r"""Reduce the rows of ``src`` into ``dim_size`` rows chosen by ``index`` (any order).

    .. math::
        \mathrm{out}_i = \operatorname*{reduce}_{k \,:\, \mathrm{index}_k = i} \mathrm{src}_k,
        \qquad \mathrm{out}_i = 0 \text{ if no } k \text{ has } \mathrm{index}_k = i.

    Args:
        src: ``[n]`` or ``[n, *]`` floating values.
        index: ``[n]`` int32/int64 target row of each entry, in ``[0, dim_size)``.
        dim_size: number of output rows (explicit: never inferred from ``index``).
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``; empty rows are ``0`` for all.

    Returns:
        ``[dim_size]`` or ``[dim_size, *]``.

    Example:
        >>> import torch
        >>> src = torch.tensor([1.0, 5.0, 2.0, 3.0])
        >>> scatter(src, torch.tensor([0, 0, 2, 2]), 3, "max")
        tensor([5., 0., 3.])
        >>> scatter(src, torch.tensor([0, 0, 2, 2]), 3, "mean")
        tensor([3.0000, 0.0000, 2.5000])
    """
    src, reduce = _values(src, "src"), _reduce(reduce)
    index = _index(index, "index", src, src.size(0))
    dim_size = _count(dim_size, "dim_size")
    _ids_below(index, "index", dim_size, "dim_size")
    out, _ = _A.segment_reduce_op(_as_2d(src), index, None, dim_size, reduce)
    return _restore(out, src)


def segment(src: Tensor, ptr: Tensor, reduce: str = "sum") -> Tensor:
    r"""Reduce consecutive segments of CSR-sorted ``src``: row ``i`` is ``ptr[i]:ptr[i+1]``.

    .. math::
        \mathrm{out}_i = \operatorname*{reduce}_{\mathrm{ptr}_i \le k < \mathrm{ptr}_{i+1}}
        \mathrm{src}_k \quad (0 \text{ for an empty segment}).

    Args:
        src: ``[n]`` or ``[n, *]`` floating values sorted by segment.
        ptr: ``[num_segments + 1]`` int32/int64 non-decreasing offsets, ``ptr[0] = 0``,
            ``ptr[-1] = n``.
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.

    Returns:
        ``[num_segments]`` or ``[num_segments, *]``.

    Example:
        >>> import torch
        >>> segment(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([0, 2, 2, 3]), "sum")
        tensor([3., 0., 4.])
    """
    src, reduce = _values(src, "src"), _reduce(reduce)
    ptr = _pointer(ptr, src, src.size(0), "the number of rows of 'src'")
    out, _ = _A.segment_reduce_op(_as_2d(src), None, ptr, ptr.numel() - 1, reduce)
    return _restore(out, src)


def softmax(src: Tensor, index: Tensor | None = None, ptr: Tensor | None = None,
            num_segments: int | None = None) -> Tensor:
    r"""Softmax over the entries of each segment, per feature column (attention weights).

    .. math::
        \mathrm{out}_k = \frac{\exp(\mathrm{src}_k - m_{s(k)})}
        {\sum_{k' : s(k') = s(k)} \exp(\mathrm{src}_{k'} - m_{s(k)})},
        \qquad m_s = \max_{k : s(k) = s} \mathrm{src}_k,

    where :math:`s(k)` is the segment of entry ``k``, given by ``index`` (any order) or by the
    CSR offsets ``ptr`` (sorted input; the faster form).

    Args:
        src: ``[n]`` or ``[n, *]`` scores (e.g. one column per attention head).
        index: ``[n]`` segment of each entry; requires ``num_segments``.
        ptr: ``[num_segments + 1]`` offsets for sorted ``src`` (instead of ``index``).
        num_segments: number of segments (required with ``index``; checked with ``ptr``).

    Returns:
        Tensor of the shape of ``src``; each segment's entries sum to 1 per column.

    Example:
        >>> import torch
        >>> softmax(torch.tensor([0.0, 0.0, 5.0]), torch.tensor([1, 1, 0]), num_segments=2)
        tensor([0.5000, 0.5000, 1.0000])
        >>> softmax(torch.tensor([0.0, 0.0, 5.0]), ptr=torch.tensor([0, 2, 3]))
        tensor([0.5000, 0.5000, 1.0000])
    """
    src = _values(src, "src")
    if (index is None) == (ptr is None):
        raise ValueError("Expected exactly one of 'index' and 'ptr' (got "
                         f"{'both' if index is not None else 'neither'})")
    if ptr is not None:
        ptr = _pointer(ptr, src, src.size(0), "the number of rows of 'src'")
        if num_segments is not None and num_segments != ptr.numel() - 1:
            raise ValueError(f"'num_segments' is {num_segments} but 'ptr' describes "
                             f"{ptr.numel() - 1} segments")
        num_segments = ptr.numel() - 1
    else:
        if num_segments is None:
            raise ValueError("Expected 'num_segments' with 'index' (sizes are never inferred)")
        num_segments = _count(num_segments, "num_segments")
        index = _index(index, "index", src, src.size(0))
        _ids_below(index, "index", num_segments, "num_segments")
    out = _A.softmax_op(_as_2d(src), index, ptr, num_segments)
    return out.view(src.shape)


def spmm(ptr: Tensor, col: Tensor, weight: Tensor | None, x: Tensor, num_rows: int,
         reduce: str = "sum") -> Tensor:
    r"""CSR gather-reduce, the primitive behind :func:`v2e` / :func:`e2v`.

    .. math::
        \mathrm{out}_i = \operatorname*{reduce}_{\mathrm{ptr}_i \le j < \mathrm{ptr}_{i+1}}
        w_j \, x_{\mathrm{col}_j} \quad (0 \text{ for an empty row}).

    With ``reduce="sum"`` this is the sparse-dense product :math:`A x` for the CSR matrix
    :math:`A` of ``(ptr, col, weight)``; ``mean`` divides by the row's entry count. The
    backward transposes the pattern on each call; the hypergraph verbs reuse a cached
    transpose instead.

    Args:
        ptr: ``[num_rows + 1]`` int32/int64 row offsets.
        col: ``[nnz]`` int32/int64 source row of each entry, in ``[0, x.size(0))``.
        weight: optional ``[nnz]`` entry weights :math:`w` (same dtype as ``x``); ``None``
            means all ones.
        x: ``[S]`` or ``[S, *]`` source values.
        num_rows: number of output rows (must equal ``ptr.numel() - 1``).
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.

    Returns:
        ``[num_rows]`` or ``[num_rows, *]``.

    Example:
        >>> import torch
        >>> ptr, col = torch.tensor([0, 2, 2, 3]), torch.tensor([0, 1, 1])
        >>> spmm(ptr, col, torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 10.0]), 3)
        tensor([21.,  0., 30.])
    """
    x, reduce = _values(x, "x"), _reduce(reduce)
    num_rows = _count(num_rows, "num_rows")
    col = _index(col, "col", x)
    ptr = _pointer(ptr, x, col.numel(), "the length of 'col'")
    if ptr.numel() - 1 != num_rows:
        raise ValueError(f"Expected 'ptr' to have num_rows + 1 = {num_rows + 1} entries "
                         f"(got {ptr.numel()})")
    _ids_below(col, "col", x.size(0), "x.size(0)")
    weight = _weight(weight, "weight", col.numel(), x)
    out, _ = _A.spmm_op(ptr, col, None, weight, _as_2d(x), num_rows, reduce,
                        None, None, None, None)
    return _restore(out, x)


# ---------------------------------------------------------------------------- hypergraph verbs
def _hypergraph(hg: Any, x: Tensor, rows: str) -> None:
    from hgkit.hypergraph.hypergraph import Hypergraph

    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected 'hg' to be an hgkit.Hypergraph (got {_describe(hg)})")
    if x.device != hg.device:
        raise ValueError(f"Expected 'x' on the hypergraph's device {hg.device} (got {x.device})")
    expected = hg.num_nodes if rows == "nodes" else hg.num_edges
    if x.size(0) != expected:
        raise ValueError(f"'x' has {x.size(0)} rows but the hypergraph has {expected} {rows}")


def _gather_reduce(x: Tensor, hg: Hypergraph, by: str, reduce: str, weight: Tensor | None
                   ) -> Tensor:
    dtype = index_dtype(hg.nnz, hg.num_nodes, hg.num_edges)
    pair = hypergraph_csr(hg, by, dtype)
    fwd, bwd = pair.fwd, pair.bwd
    wperm = twperm = None
    if weight is not None:  # weights stay in COO order: both kernels read them through perms
        wperm = pair.perm
        twperm = hypergraph_csr(hg, "node" if by == "edge" else "edge", dtype).perm
    out, _ = _A.spmm_op(fwd.ptr, fwd.col, fwd.row, weight, _as_2d(x), fwd.num_rows, reduce,
                        bwd.ptr, bwd.col, bwd.row, pair.tperm, wperm, twperm)
    return _restore(out, x)


def v2e(x: Tensor, hg: Hypergraph, reduce: str = "sum", weight: Tensor | None = None
        ) -> Tensor:
    r"""Node -> hyperedge messages: each hyperedge reduces its members' (weighted) features.

    .. math::
        \mathrm{out}_e = \operatorname*{reduce}_{k = (v, e)} w_k \, x_v, \qquad
        \text{e.g. } \texttt{sum}: \ \mathrm{out} = H^\top \operatorname{diag}(w)\, x
        \text{ (per incidence)},

    over the incidences ``k`` of ``hg.hyperedge_index`` whose hyperedge is ``e``; an empty
    hyperedge gets ``0``. Hyperedge / node weights stored on ``hg`` are *not* applied (layers
    fold them into ``weight``). The CSR structures are built once per hypergraph and cached.

    Args:
        x: ``[N]`` or ``[N, *]`` node features (``N = hg.num_nodes``).
        hg: the :class:`hgkit.Hypergraph`.
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.
        weight: optional ``[nnz]`` per-incidence weights aligned with ``hg.hyperedge_index``.

    Returns:
        ``[M]`` or ``[M, *]`` hyperedge features (``M = hg.num_edges``).

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=3)
        >>> v2e(torch.tensor([1.0, 2.0, 4.0]), hg, "max")   # hyperedge 2 is empty
        tensor([2., 4., 0.])
        >>> v2e(torch.tensor([1.0, 2.0, 4.0]), hg, weight=torch.tensor([1.0, 1.0, 0.5, 0.5]))
        tensor([3., 3., 0.])
    """
    x, reduce = _values(x, "x"), _reduce(reduce)
    _hypergraph(hg, x, "nodes")
    weight = _weight(weight, "weight", hg.nnz, x)
    return _gather_reduce(x, hg, "edge", reduce, weight)


def e2v(x: Tensor, hg: Hypergraph, reduce: str = "sum", weight: Tensor | None = None
        ) -> Tensor:
    r"""Hyperedge -> node messages: each node reduces the (weighted) features of its hyperedges.

    .. math::
        \mathrm{out}_v = \operatorname*{reduce}_{k = (v, e)} w_k \, x_e, \qquad
        \text{e.g. } \texttt{sum}: \ \mathrm{out} = H \operatorname{diag}(w)\, x
        \text{ (per incidence)};

    an isolated node gets ``0``.

    Args:
        x: ``[M]`` or ``[M, *]`` hyperedge features (``M = hg.num_edges``).
        hg: the :class:`hgkit.Hypergraph`.
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.
        weight: optional ``[nnz]`` per-incidence weights aligned with ``hg.hyperedge_index``.

    Returns:
        ``[N]`` or ``[N, *]`` node features.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=4,
        ...                 num_edges=2)
        >>> e2v(torch.tensor([10.0, 20.0]), hg, "mean")     # node 3 is isolated
        tensor([10., 15., 20.,  0.])
    """
    x, reduce = _values(x, "x"), _reduce(reduce)
    _hypergraph(hg, x, "hyperedges")
    weight = _weight(weight, "weight", hg.nnz, x)
    return _gather_reduce(x, hg, "node", reduce, weight)


def v2v(x: Tensor, hg: Hypergraph, reduce: str = "sum", v2e_weight: Tensor | None = None,
        e2v_weight: Tensor | None = None, v2e_reduce: str | None = None,
        e2v_reduce: str | None = None) -> Tensor:
    r"""Node -> hyperedge -> node: ``e2v(v2e(x, v2e_reduce, v2e_weight), e2v_reduce, e2v_weight)``.

    With ``sum`` and weights :math:`a` (first stage) and :math:`b` (second stage) this is the
    factored two-pass operator :math:`Y_v = \sum_{e \ni v} b_{ve} \sum_{u \in e} a_{ue} X_u`
    (e.g. the HGNN smoothing with the weights of :func:`hgkit.hypergraph.normalize.hgnn_weights`),
    never materializing an ``N x N`` matrix.

    Args:
        x: ``[N]`` or ``[N, *]`` node features.
        hg: the :class:`hgkit.Hypergraph`.
        reduce: reduction of both stages unless overridden by ``v2e_reduce`` / ``e2v_reduce``.
        v2e_weight: optional ``[nnz]`` per-incidence weights of the first stage.
        e2v_weight: optional ``[nnz]`` per-incidence weights of the second stage.
        v2e_reduce: reduction of the node -> hyperedge stage (default ``reduce``).
        e2v_reduce: reduction of the hyperedge -> node stage (default ``reduce``).

    Returns:
        ``[N]`` or ``[N, *]``.

    Example:
        >>> import torch
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> v2v(torch.tensor([1.0, 2.0, 4.0]), hg, v2e_reduce="max", e2v_reduce="sum")
        tensor([2., 6., 4.])
    """
    reduce = _reduce(reduce)
    first = reduce if v2e_reduce is None else _reduce(v2e_reduce, "v2e_reduce")
    second = reduce if e2v_reduce is None else _reduce(e2v_reduce, "e2v_reduce")
    return e2v(v2e(x, hg, first, v2e_weight), hg, second, e2v_weight)
