"""The ops as ``torch.library`` custom operators (namespace ``hgkit``) with autograd.

Each operator picks its backend at *run* time (:func:`hgkit.ops._dispatch.resolve`), so an
operator traced by ``torch.compile`` still honours ``HGKIT_BACKEND`` / ``use_backend``. A fake
(meta) implementation gives output shapes for tracing; the backward formulas are registered
with :func:`torch.library.register_autograd` and are themselves written with these operators
and plain torch, so AOTAutograd traces them too.

Backward of the CSR gather-reduce ``out[i] = R_{j in row i} w_j x[col_j]``:

* ``sum``: :math:`\\partial x = A^\\top g` -- a gather-reduce over the cached *transposed*
  structure (no atomics); ``mean`` first divides ``g`` by the row counts.
* ``max`` / ``min``: the gradient flows to the winning entry ``arg`` only (ties: first entry),
  a scatter of the ``num_rows x F`` winners.
* the per-entry weight gradient is an SDDMM, :math:`\\partial w_j = \\langle g_{i}, x_{col_j}
  \\rangle` (divided by the count of row ``i`` for ``mean``).

Integer index tensors are never differentiated; values are the ``[n, F]`` 2-D tensors the public
functions pass in (a 1-D input is viewed as ``[n, 1]`` before reaching here).
"""

from typing import Any, Optional

import torch
from torch import Tensor

from hgkit.ops import _dispatch as D
from hgkit.ops._csr import ptr_to_index, transpose

__all__ = ["spmm_op", "sddmm_op", "segment_reduce_op", "softmax_op", "softmax_backward_op"]

_LINEAR = ("sum", "mean")


def _no_arg(x: Tensor) -> Tensor:
    return torch.empty(0, dtype=torch.long, device=x.device)


# ============================================================================ spmm
@torch.library.custom_op("hgkit::spmm", mutates_args=())
def spmm_op(ptr: Tensor, col: Tensor, row: Optional[Tensor], weight: Optional[Tensor],
            x: Tensor, num_rows: int, reduce: str, tptr: Optional[Tensor],
            tcol: Optional[Tensor], trow: Optional[Tensor], tperm: Optional[Tensor],
            wperm: Optional[Tensor] = None, twperm: Optional[Tensor] = None,
            src_scale: Optional[Tensor] = None) -> tuple[Tensor, Tensor]:
    """CSR gather-reduce; returns ``(out [num_rows, F], arg)`` (``arg`` empty for sum/mean).

    ``tptr, tcol, trow, tperm`` optionally carry the transposed structure for the backward.
    ``wperm`` (optional) reads the weight of position ``j`` as ``weight[wperm[j]]``, so weights
    kept in another order (e.g. the hypergraph's COO order) need no permuted copy; ``twperm``
    is the same for the transposed positions (default ``wperm[tperm]``). ``src_scale``
    multiplies source row ``s`` by ``src_scale[s]`` (never differentiated). The native
    backend applies both inside the kernel; the others materialize them.
    """
    backend = D.resolve("spmm", reduce, x.device, x.dtype)
    fn = D.kernel(backend, "spmm")
    if backend == "native":
        out, arg = fn(ptr, col, row, weight, x, num_rows, reduce, wperm=wperm,
                      src_scale=src_scale)
    else:
        if wperm is not None and weight is not None:
            weight = weight.index_select(0, wperm)
        if src_scale is not None:
            x = x * src_scale.unsqueeze(1)
        out, arg = fn(ptr, col, row, weight, x, num_rows, reduce)
    return out, (_no_arg(x) if arg is None else arg)


@spmm_op.register_fake
def _spmm_fake(ptr, col, row, weight, x, num_rows, reduce, tptr, tcol, trow, tperm,
               wperm=None, twperm=None, src_scale=None):
    out = x.new_empty(num_rows, x.size(1))
    if reduce in _LINEAR:
        return out, x.new_empty(0, dtype=torch.long)
    return out, x.new_empty(num_rows, x.size(1), dtype=torch.long)


def _spmm_setup(ctx: Any, inputs: tuple, output: tuple) -> None:
    (ptr, col, row, weight, x, num_rows, reduce, tptr, tcol, trow, tperm,
     wperm, twperm, src_scale) = inputs
    ctx.reduce = reduce
    ctx.num_cols = x.size(0)
    need_x = ctx.needs_input_grad[4]
    need_w = weight is not None and ctx.needs_input_grad[3]
    ctx.need = (need_x, need_w)
    ctx.save_for_backward(ptr, col, row, weight, x if need_w else None,
                          tptr, tcol, trow, tperm, output[1], wperm, twperm, src_scale)


def _native_now(g: Tensor) -> bool:
    """The native backend runs plain spmm here and no graph of the gradient is recorded."""
    return (not torch.is_grad_enabled()
            and D.resolve("spmm", "max", g.device, g.dtype) == "native")


def _spmm_backward(ctx: Any, grad_out: Tensor, _grad_arg: Any) -> tuple:
    (ptr, col, row, weight, x, tptr, tcol, trow, tperm, arg,
     wperm, twperm, src_scale) = ctx.saved_tensors
    need_x, need_w = ctx.need
    grad_x = grad_w = None
    g = grad_out.contiguous()
    if ctx.reduce in _LINEAR:
        counts = None
        if ctx.reduce == "mean":
            counts = (ptr[1:] - ptr[:-1]).clamp(min=1).to(g.dtype)
        if need_x:
            if tptr is None:
                (tptr, tcol, trow, _, _), tperm = transpose(ptr, col, ctx.num_cols)
                twperm = None
            if weight is not None and twperm is None:
                twperm = tperm if wperm is None else wperm[tperm]
            # mean: fold 1 / count into the gather instead of a pass over g
            scale = None if counts is None else 1.0 / counts
            grad_x, _ = spmm_op(tptr, tcol, trow, weight, g, ctx.num_cols, "sum",
                                None, None, None, None, twperm, None, scale)
            if src_scale is not None:
                grad_x = grad_x * src_scale.unsqueeze(1)
        if need_w:
            gw = g if counts is None else g / counts.unsqueeze(1)
            xs = x if src_scale is None else x * src_scale.unsqueeze(1)
            grad_w = _to_weight_order(sddmm_op(ptr, col, row, gw, xs), weight, wperm)
    else:
        xs = x if (x is None or src_scale is None) else x * src_scale.unsqueeze(1)
        if tptr is not None and _native_now(g):
            if need_x:
                grad_x = spmm_arg_backward_op(tptr, tcol, tperm, arg, g, weight, wperm)
                if src_scale is not None:
                    grad_x = grad_x * src_scale.unsqueeze(1)
            if need_w:
                grad_w = _to_weight_order(spmm_arg_sddmm_op(ptr, col, arg, g, xs), weight, wperm)
        else:
            w = weight if (weight is None or wperm is None) else weight[wperm]
            # Scatter the num_rows * F winners directly; a per-entry [nnz, F] gradient reduced
            # over the transposed structure avoids the scatter but moves nnz / num_rows times
            # more data (measured 3x slower at 400k incidences, 64 features).
            grad_x, grad_w = _arg_backward(g, arg, col, w, xs, ctx.num_cols, need_x, need_w)
            if grad_x is not None and src_scale is not None:
                grad_x = grad_x * src_scale.unsqueeze(1)
            if grad_w is not None:
                grad_w = _to_weight_order(grad_w, weight, wperm)
    return (None, None, None, grad_w, grad_x, None, None, None, None, None, None,
            None, None, None)


def _to_weight_order(grad: Tensor, weight: Optional[Tensor], wperm: Optional[Tensor]) -> Tensor:
    """Per-position weight gradient -> gradient of ``weight`` (``weight[wperm[j]]`` was used)."""
    if wperm is None:
        return grad
    assert weight is not None
    return grad.new_zeros(weight.numel()).index_add_(0, wperm.long(), grad)


def _arg_backward(g: Tensor, arg: Tensor, col: Tensor, weight: Optional[Tensor],
                  x: Optional[Tensor], num_cols: int, need_x: bool, need_w: bool
                  ) -> tuple[Optional[Tensor], Optional[Tensor]]:
    """max/min: route ``g[i, f]`` to the winning entry ``arg[i, f]`` (``-1``: none)."""
    feat = g.size(1)
    valid = arg >= 0
    pos = arg.clamp(min=0)
    g = torch.where(valid, g, 0)
    flat = col.long()[pos] * feat + torch.arange(feat, device=g.device)  # into x.view(-1)
    grad_x = grad_w = None
    if need_x:
        val = g if weight is None else g * weight[pos]
        grad_x = g.new_zeros(num_cols * feat).index_add_(0, flat.view(-1), val.reshape(-1))
        grad_x = grad_x.view(num_cols, feat)
    if need_w:
        assert x is not None
        val = g * x.reshape(-1)[flat]
        grad_w = g.new_zeros(col.numel()).index_add_(0, pos.view(-1), val.reshape(-1))
    return grad_x, grad_w


torch.library.register_autograd("hgkit::spmm", _spmm_backward, setup_context=_spmm_setup)


@torch.library.custom_op("hgkit::spmm_arg_backward", mutates_args=())
def spmm_arg_backward_op(tptr: Tensor, tcol: Tensor, tperm: Tensor, arg: Tensor, g: Tensor,
                         weight: Optional[Tensor], wperm: Optional[Tensor]) -> Tensor:
    """max/min gradient w.r.t. the source rows over the transposed structure (native, no
    atomics); used by the backward of :func:`spmm_op` when no double backward is recorded."""
    native = D._native_module()
    if tcol.numel() == 0 or g.size(1) == 0:
        return g.new_zeros(tptr.numel() - 1, g.size(1))
    tcol = tcol.to(tptr.dtype)
    return native.spmm_arg_backward(tptr.contiguous(), tcol.contiguous(),
                                    tperm.to(tptr.dtype).contiguous(), arg.contiguous(), g,
                                    weight, weight_perm=wperm)


@spmm_arg_backward_op.register_fake
def _spmm_arg_backward_fake(tptr, tcol, tperm, arg, g, weight, wperm):
    return g.new_empty(tptr.size(0) - 1, g.size(1))


@torch.library.custom_op("hgkit::spmm_arg_sddmm", mutates_args=())
def spmm_arg_sddmm_op(ptr: Tensor, col: Tensor, arg: Tensor, g: Tensor, x: Tensor) -> Tensor:
    """max/min gradient w.r.t. the per-position weights (native)."""
    if col.numel() == 0 or g.size(1) == 0:
        return g.new_zeros(col.numel())
    col = col.to(ptr.dtype)
    return D._native_module().spmm_arg_sddmm(ptr.contiguous(), col.contiguous(),
                                             arg.contiguous(), g, x.contiguous())


@spmm_arg_sddmm_op.register_fake
def _spmm_arg_sddmm_fake(ptr, col, arg, g, x):
    return g.new_empty(col.size(0))


# ============================================================================ sddmm
@torch.library.custom_op("hgkit::sddmm", mutates_args=())
def sddmm_op(ptr: Tensor, col: Tensor, row: Optional[Tensor], a: Tensor, b: Tensor) -> Tensor:
    """``out[j] = <a[i], b[col[j]]>`` for every entry ``j`` of row ``i``."""
    backend = D.resolve("sddmm", None, a.device, a.dtype)
    return D.kernel(backend, "sddmm")(ptr, col, row, a, b)


@sddmm_op.register_fake
def _sddmm_fake(ptr, col, row, a, b):
    return a.new_empty(col.size(0))


def _sddmm_setup(ctx: Any, inputs: tuple, output: Tensor) -> None:
    ptr, col, row, a, b = inputs
    ctx.save_for_backward(ptr, col, row, a, b)


def _sddmm_backward(ctx: Any, g: Tensor) -> tuple:
    ptr, col, row, a, b = ctx.saved_tensors
    grad_a = grad_b = None
    if ctx.needs_input_grad[3]:
        grad_a, _ = spmm_op(ptr, col, row, g, b, a.size(0), "sum", None, None, None, None)
    if ctx.needs_input_grad[4]:
        (tptr, tcol, trow, _, _), tperm = transpose(ptr, col, b.size(0))
        grad_b, _ = spmm_op(tptr, tcol, trow, g[tperm], a, b.size(0), "sum",
                            None, None, None, None)
    return None, None, None, grad_a, grad_b


torch.library.register_autograd("hgkit::sddmm", _sddmm_backward, setup_context=_sddmm_setup)


# ============================================================================ segment / scatter
@torch.library.custom_op("hgkit::segment_reduce", mutates_args=())
def segment_reduce_op(src: Tensor, index: Optional[Tensor], ptr: Optional[Tensor],
                      dim_size: int, reduce: str) -> tuple[Tensor, Tensor]:
    """Reduce rows of ``src`` into ``dim_size`` rows: by ``ptr`` (sorted) else by ``index``.

    Returns ``(out, arg)``; ``arg[i, f]`` is the winning ``src`` row (``-1`` if row ``i`` is
    empty) for max/min and an empty tensor for sum/mean.
    """
    op = "segment" if ptr is not None else "scatter"
    backend = D.resolve(op, reduce, src.device, src.dtype)
    if ptr is not None:
        out, arg = D.kernel(backend, op)(src, ptr, reduce)
    else:
        out, arg = D.kernel(backend, op)(src, index, dim_size, reduce)
    return out, (_no_arg(src) if arg is None else arg)


@segment_reduce_op.register_fake
def _segment_fake(src, index, ptr, dim_size, reduce):
    out = src.new_empty(dim_size, src.size(1))
    if reduce in _LINEAR:
        return out, src.new_empty(0, dtype=torch.long)
    return out, src.new_empty(dim_size, src.size(1), dtype=torch.long)


def _segment_setup(ctx: Any, inputs: tuple, output: tuple) -> None:
    src, index, ptr, dim_size, reduce = inputs
    ctx.reduce, ctx.dim_size, ctx.n = reduce, dim_size, src.size(0)
    ctx.save_for_backward(index, ptr, output[1])


def _segment_backward(ctx: Any, grad_out: Tensor, _grad_arg: Any) -> tuple:
    index, ptr, arg = ctx.saved_tensors
    if not ctx.needs_input_grad[0]:
        return None, None, None, None, None
    if index is None:
        index = ptr_to_index(ptr, ctx.n)
    index = index.long()
    g = grad_out
    if ctx.reduce == "mean":
        if ptr is not None:
            counts = (ptr[1:] - ptr[:-1]).to(g.dtype)
        else:
            counts = g.new_zeros(ctx.dim_size).index_add_(0, index, g.new_ones(ctx.n))
        g = g / counts.clamp(min=1).unsqueeze(1)
    grad = g.index_select(0, index)
    if ctx.reduce not in _LINEAR:  # only the winning row of each (segment, feature) gets it
        rows = torch.arange(ctx.n, device=g.device).unsqueeze(1)
        grad = torch.where(arg.index_select(0, index) == rows, grad, 0)
    return grad, None, None, None, None


torch.library.register_autograd("hgkit::segment_reduce", _segment_backward,
                                setup_context=_segment_setup)


# ============================================================================ softmax
@torch.library.custom_op("hgkit::softmax", mutates_args=())
def softmax_op(src: Tensor, index: Optional[Tensor], ptr: Optional[Tensor],
               num_segments: int) -> Tensor:
    """Segment softmax of ``src`` [n, F] per feature column (by ``ptr`` else ``index``)."""
    backend = D.resolve("softmax", None, src.device, src.dtype)
    return D.kernel(backend, "softmax")(src, index, ptr, num_segments)


@softmax_op.register_fake
def _softmax_fake(src, index, ptr, num_segments):
    return torch.empty_like(src)


@torch.library.custom_op("hgkit::softmax_backward", mutates_args=())
def softmax_backward_op(out: Tensor, grad: Tensor, index: Optional[Tensor],
                        ptr: Optional[Tensor], num_segments: int) -> Tensor:
    """``out * (grad - segment_sum(out * grad))`` gathered back to the entries."""
    backend = D.resolve("softmax_backward", None, out.device, out.dtype)
    return D.kernel(backend, "softmax_backward")(out, grad, index, ptr, num_segments)


@softmax_backward_op.register_fake
def _softmax_backward_fake(out, grad, index, ptr, num_segments):
    return torch.empty_like(out)


def _softmax_backward_setup(ctx: Any, inputs: tuple, output: Tensor) -> None:
    out, grad, index, ptr, num_segments = inputs
    ctx.num_segments = num_segments
    ctx.save_for_backward(out, grad, index, ptr)


def _softmax_double_backward(ctx: Any, h: Tensor) -> tuple:
    """Gradients of ``y = o * (g - S(o * g))`` with ``S(v) = segment_sum(v)[index]``:
    ``dg = o * (h - S(o * h))`` and ``do = h * g - h * S(o * g) - g * S(o * h)``."""
    out, grad, index, ptr = ctx.saved_tensors
    if index is None:
        index = ptr_to_index(ptr, out.size(0))

    def seg(v: Tensor) -> Tensor:
        total = v.new_zeros(ctx.num_segments, v.size(1)).index_add(0, index, v)
        return total.index_select(0, index)

    d_out = d_grad = None
    if ctx.needs_input_grad[1]:
        d_grad = out * (h - seg(out * h))
    if ctx.needs_input_grad[0]:
        d_out = h * grad - h * seg(out * grad) - grad * seg(out * h)
    return d_out, d_grad, None, None, None


torch.library.register_autograd("hgkit::softmax_backward", _softmax_double_backward,
                                setup_context=_softmax_backward_setup)


def _softmax_setup(ctx: Any, inputs: tuple, output: Tensor) -> None:
    src, index, ptr, num_segments = inputs
    ctx.num_segments = num_segments
    ctx.save_for_backward(output, index, ptr)


def _softmax_backward(ctx: Any, grad: Tensor) -> tuple:
    out, index, ptr = ctx.saved_tensors
    grad_src = None
    if ctx.needs_input_grad[0]:
        grad_src = softmax_backward_op(out, grad.contiguous(), index, ptr, ctx.num_segments)
    return grad_src, None, None, None


torch.library.register_autograd("hgkit::softmax", _softmax_backward,
                                setup_context=_softmax_setup)
