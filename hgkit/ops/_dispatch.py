"""Backend registry and selection for :mod:`hgkit.ops`.

Four backends implement the kernels (plain tensors in, plain tensors out, no autograd; the
autograd layer lives in :mod:`hgkit.ops._autograd`):

* ``"native"``: hgkit's compiled C/OpenMP kernels (:mod:`hgkit.ops._native`; CPU, float32/64).
* ``"sparse"``: torch sparse CSR @ dense (MKL on CPU); ``sum`` and ``mean`` only.
* ``"torch_scatter"``: the optional ``torch-scatter`` package, when importable.
* ``"torch"``: plain torch (``index_add_`` / ``scatter_reduce``); always available.

Selection, at call time: a backend forced by :func:`use_backend` (innermost context wins), else
the ``HGKIT_BACKEND`` environment variable (read on every call; ``"auto"`` or unset means
automatic), else the first backend that implements the operation in the preference order
``native > sparse > torch_scatter > torch`` for ``sum`` / ``mean`` and
``native > torch_scatter > torch`` for ``max`` / ``min`` / ``softmax``. A forced backend that
does not implement an operation (``"sparse"`` for ``max``) leaves that operation to the automatic
order. Forcing an unavailable backend raises; in automatic mode an unavailable optional backend
is skipped with a one-time :class:`BackendFallbackWarning`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

from hgkit.ops._csr import ptr_to_index, stable_argsort

__all__ = [
    "BACKENDS",
    "BackendFallbackWarning",
    "available_backends",
    "current_backend",
    "use_backend",
    "resolve",
    "kernel",
]

BACKENDS = ("native", "sparse", "torch_scatter", "torch")
ENV_VAR = "HGKIT_BACKEND"
REDUCES = ("sum", "mean", "max", "min")
_LINEAR = ("sum", "mean")
_FLOATS = (torch.float32, torch.float64)
OPS = ("spmm", "sddmm", "segment", "scatter", "softmax", "softmax_backward")

# Stack of use_backend() blocks, process-wide (not thread-local) so that backward passes run
# by autograd's device threads see the same choice as the forward pass.
_forced: list[list[str]] = []
_lock = threading.Lock()
_availability: dict[str, tuple[bool, str]] = {}
_warned: set[str] = set()


class BackendFallbackWarning(UserWarning):
    """An optional backend is unavailable and a slower one is used instead (warned once)."""


# ---------------------------------------------------------------------------- availability
def _native_module() -> Any:
    return importlib.import_module("hgkit.ops._native")


def _check(name: str) -> tuple[bool, str]:
    if name in ("torch", "sparse"):
        return True, ""
    try:
        importlib.import_module("hgkit.ops._native" if name == "native" else "torch_scatter")
    except Exception as exc:  # ImportError, or a broken binary build (OSError, ...)
        return False, f"{name} cannot be imported ({type(exc).__name__}: {exc})"
    return True, ""


def _status(name: str) -> tuple[bool, str]:
    """``(usable, reason if not)``; imports are attempted once, ``native.available()`` (cheap
    after its first call, which builds) is asked every time so ``HGKIT_NO_NATIVE`` acts live."""
    status = _availability.get(name)
    if status is None:
        with _lock:
            status = _availability.get(name)
            if status is None:
                status = _availability[name] = _check(name)
    if name != "native" or not status[0]:
        return status
    if os.environ.get("HGKIT_NO_NATIVE", "") not in ("", "0"):
        return False, "disabled by HGKIT_NO_NATIVE"
    try:
        if _native_module().available():
            return status
    except Exception as exc:  # available() must not raise; be defensive anyway
        return False, f"the compiled kernels failed to load ({type(exc).__name__}: {exc})"
    return False, "the compiled kernels could not be built (no C compiler?)"


def _reset() -> None:
    """Forget cached availability and issued warnings (for tests)."""
    with _lock:
        _availability.clear()
        _warned.clear()


def available_backends() -> list[str]:
    """Names of the backends usable in this process, fastest first.

    The first call may build the native kernels (seconds, cached on disk afterwards).

    Example:
        >>> from hgkit.ops import available_backends
        >>> "torch" in available_backends()
        True
    """
    return [name for name in BACKENDS if _status(name)[0]]


# ---------------------------------------------------------------------------- forcing
def _check_name(name: Any, source: str) -> str:
    if not isinstance(name, str) or name not in BACKENDS + ("auto",):
        raise ValueError(
            f"Expected {source} to be one of {['auto', *BACKENDS]} (got {name!r})"
        )
    return name


def _require(name: str, source: str) -> None:
    ok, reason = _status(name)
    if not ok:
        raise RuntimeError(
            f"Backend {name!r} was forced by {source} but is unavailable: {reason}. "
            f"Available backends: {available_backends()}"
        )


def forced_backend() -> tuple[str | None, str]:
    """The forced backend (or ``None`` for automatic) and where the choice came from."""
    try:
        name = _forced[-1][0]
    except IndexError:  # no active use_backend() block
        pass
    else:
        return (None if name == "auto" else name), "use_backend()"
    env = os.environ.get(ENV_VAR, "").strip()
    if env == "":
        return None, ""
    source = f"the {ENV_VAR} environment variable"
    env = _check_name(env, f"{ENV_VAR}")
    return (None if env == "auto" else env), source


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Force a backend inside a ``with`` block (overrides ``HGKIT_BACKEND``; nests).

    Args:
        name: one of ``"native"``, ``"sparse"``, ``"torch_scatter"``, ``"torch"`` or
            ``"auto"`` (automatic selection even if ``HGKIT_BACKEND`` is set).

    Raises:
        ValueError: for an unknown name.
        RuntimeError: if the backend is unavailable here (the message lists the available ones).

    Operations the forced backend does not implement (``"sparse"`` has no ``max``) keep the
    automatic choice. The setting is process-wide while the block runs (so backward passes
    executed on autograd's worker threads follow it too); the innermost active block wins.

    Example:
        >>> import torch
        >>> from hgkit.ops import scatter, use_backend, current_backend
        >>> with use_backend("torch"):
        ...     current_backend("scatter", "sum")
        'torch'
    """
    name = _check_name(name, "'name'")
    if name != "auto":
        _require(name, "use_backend()")
    entry = [name]
    with _lock:
        _forced.append(entry)
    try:
        yield
    finally:
        with _lock:
            for i in range(len(_forced) - 1, -1, -1):
                if _forced[i] is entry:
                    del _forced[i]
                    break


# ---------------------------------------------------------------------------- selection
def _order(op: str, reduce: str | None) -> tuple[str, ...]:
    if reduce in _LINEAR and op != "sddmm":
        return BACKENDS
    return ("native", "torch_scatter", "torch")


def _supports(name: str, op: str, reduce: str | None, device: torch.device,
              dtype: torch.dtype) -> bool:
    if name == "torch":
        return True
    if name == "native":
        return device.type == "cpu" and dtype in _FLOATS
    if name == "sparse":
        return op in ("spmm", "segment", "scatter") and reduce in _LINEAR and dtype in _FLOATS
    return op != "sddmm"  # torch_scatter


def resolve(op: str, reduce: str | None = None, device: torch.device | str = "cpu",
            dtype: torch.dtype = torch.float32) -> str:
    """The backend that runs ``op`` with ``reduce`` on ``device`` / ``dtype`` right now."""
    device = torch.device(device)
    forced, source = forced_backend()
    if forced is not None:
        _require(forced, source)
        if _supports(forced, op, reduce, device, dtype):
            return forced
    skipped = []
    for name in _order(op, reduce):
        if not _supports(name, op, reduce, device, dtype):
            continue
        ok, reason = _status(name)
        if ok:
            if forced is None:
                for bad in skipped:
                    _warn_once(bad, name)
            return name
        if not reason.startswith("disabled by"):  # deliberate opt-outs are not warned about
            skipped.append(name)
    raise AssertionError("the torch backend supports every operation")  # pragma: no cover


_INTERNAL = (os.path.dirname(os.path.abspath(__file__)),
             os.path.dirname(os.path.abspath(torch.__file__)))


def _user_stacklevel() -> int:
    """``stacklevel`` of the first frame outside hgkit.ops and torch (the user's call)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    return level - 1


def _warn_once(name: str, chosen: str) -> None:
    if name in _warned:
        return
    _warned.add(name)
    warnings.warn(
        f"hgkit.ops backend {name!r} is unavailable ({_status(name)[1]}); falling back to "
        f"{chosen!r}. Set {ENV_VAR} or use hgkit.ops.use_backend() to choose explicitly.",
        BackendFallbackWarning,
        stacklevel=_user_stacklevel(),
    )


def current_backend(op: str = "spmm", reduce: str | None = "sum",
                    device: torch.device | str = "cpu",
                    dtype: torch.dtype = torch.float32) -> str:
    """The backend an operation would use now (honours :func:`use_backend` / ``HGKIT_BACKEND``).

    Args:
        op: ``"spmm"`` (also used by ``v2e`` / ``e2v`` / ``v2v``), ``"segment"``,
            ``"scatter"``, ``"softmax"`` or ``"sddmm"``.
        reduce: ``"sum"``, ``"mean"``, ``"max"``, ``"min"``, or ``None`` for ``softmax``.
        device: device of the inputs.
        dtype: floating dtype of the inputs.

    Example:
        >>> from hgkit.ops import current_backend, use_backend
        >>> with use_backend("torch"):
        ...     current_backend("softmax", None)
        'torch'
    """
    if op not in OPS:
        raise ValueError(f"Expected 'op' to be one of {list(OPS)} (got {op!r})")
    if reduce is not None and reduce not in REDUCES:
        raise ValueError(f"Expected 'reduce' to be one of {list(REDUCES)} (got {reduce!r})")
    return resolve(op, reduce, device, dtype)


def kernel(name: str, op: str) -> Callable[..., Any]:
    """The implementation of ``op`` in backend ``name``."""
    return _KERNELS[name][op]


# ---------------------------------------------------------------------------- torch
def _counts(ptr: Tensor, dtype: torch.dtype) -> Tensor:
    return (ptr[1:] - ptr[:-1]).clamp_(min=1).to(dtype).unsqueeze(1)


def _torch_scatter(src: Tensor, index: Tensor, dim_size: int, reduce: str,
                   counts: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
    """Unsorted scatter of rows of ``src`` [n, F]; ``arg`` = winning src row, -1 when empty."""
    n, feat = src.shape
    out = src.new_zeros(dim_size, feat)
    if reduce in _LINEAR:
        out.index_add_(0, index, src)
        if reduce == "mean":
            if counts is None:
                counts = torch.zeros(dim_size, dtype=src.dtype, device=src.device)
                counts.index_add_(0, index, torch.ones(n, dtype=src.dtype, device=src.device))
                counts = counts.clamp_(min=1).unsqueeze(1)
            out /= counts
        return out, None
    idx = index.long().unsqueeze(1).expand(n, feat)
    out.scatter_reduce_(0, idx, src, "amax" if reduce == "max" else "amin", include_self=False)
    pos = torch.arange(n, device=src.device).unsqueeze(1).expand(n, feat)
    cand = torch.where(src == out.gather(0, idx), pos, n)
    arg = torch.full((dim_size, feat), n, dtype=torch.long, device=src.device)
    arg.scatter_reduce_(0, idx, cand, "amin", include_self=True)
    arg[arg == n] = -1
    return out, arg


def _torch_spmm(ptr: Tensor, col: Tensor, row: Tensor | None, weight: Tensor | None, x: Tensor,
                num_rows: int, reduce: str) -> tuple[Tensor, Tensor | None]:
    if row is None:
        row = ptr_to_index(ptr, col.numel())
    msg = x.index_select(0, col)
    if weight is not None:
        msg *= weight.unsqueeze(1)
    counts = _counts(ptr, x.dtype) if reduce == "mean" else None
    return _torch_scatter(msg, row, num_rows, reduce, counts)  # arg: CSR positions


def _torch_sddmm(ptr: Tensor, col: Tensor, row: Tensor | None, a: Tensor, b: Tensor) -> Tensor:
    if row is None:
        row = ptr_to_index(ptr, col.numel())
    return (a.index_select(0, row) * b.index_select(0, col)).sum(1)


def _torch_segment(src: Tensor, ptr: Tensor, reduce: str) -> tuple[Tensor, Tensor | None]:
    index = ptr_to_index(ptr, src.size(0))
    counts = _counts(ptr, src.dtype) if reduce == "mean" else None
    return _torch_scatter(src, index, ptr.numel() - 1, reduce, counts)


def _torch_softmax(src: Tensor, index: Tensor | None, ptr: Tensor | None,
                   num_segments: int) -> Tensor:
    if index is None:
        assert ptr is not None
        index = ptr_to_index(ptr, src.size(0))
    idx = index.long().unsqueeze(1).expand_as(src)
    top = src.new_zeros(num_segments, src.size(1))
    top.scatter_reduce_(0, idx, src, "amax", include_self=False)
    out = (src - top.gather(0, idx)).exp_()
    total = src.new_zeros(num_segments, src.size(1)).index_add_(0, index, out)
    return out.div_(total.gather(0, idx))


def _torch_softmax_backward(out: Tensor, grad: Tensor, index: Tensor | None,
                            ptr: Tensor | None, num_segments: int) -> Tensor:
    if index is None:
        assert ptr is not None
        index = ptr_to_index(ptr, out.size(0))
    prod = out * grad
    total = out.new_zeros(num_segments, out.size(1)).index_add_(0, index, prod)
    return prod.sub_(out * total.index_select(0, index))


# ---------------------------------------------------------------------------- sparse (MKL)
def _sparse_spmm(ptr: Tensor, col: Tensor, row: Tensor | None, weight: Tensor | None,
                 x: Tensor, num_rows: int, reduce: str) -> tuple[Tensor, Tensor | None]:
    if col.dtype != ptr.dtype:
        col = col.to(ptr.dtype)
    values = weight if weight is not None else x.new_ones(col.numel())
    with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state"
        warnings.simplefilter("ignore")
        mat = torch.sparse_csr_tensor(ptr, col, values, (num_rows, x.size(0)),
                                      check_invariants=False)
        out = mat @ x.contiguous()
    if reduce == "mean":
        out /= _counts(ptr, x.dtype)
    return out, None


def _sorted_csr(index: Tensor, dim_size: int) -> tuple[Tensor, Tensor]:
    """``(ptr, perm)`` sorting an unsorted row index (stable)."""
    perm = stable_argsort(index)
    counts = torch.bincount(index, minlength=dim_size)
    ptr = torch.zeros(dim_size + 1, dtype=index.dtype, device=index.device)
    torch.cumsum(counts, 0, out=ptr[1:])
    return ptr, perm.to(index.dtype)


def _remap(arg: Tensor, perm: Tensor) -> Tensor:
    """Winning CSR positions -> source rows (``-1`` stays ``-1``)."""
    if perm.numel() == 0:
        return arg
    return torch.where(arg >= 0, perm.long()[arg.clamp(min=0)], -1)


def _via_sort(spmm: Callable[..., Any]) -> Callable[..., Any]:
    """A ``scatter`` kernel built from a CSR ``spmm`` kernel: sort, then gather-reduce."""
    def run(src: Tensor, index: Tensor, dim_size: int, reduce: str
            ) -> tuple[Tensor, Tensor | None]:
        ptr, perm = _sorted_csr(index, dim_size)
        out, arg = spmm(ptr, perm, None, None, src, dim_size, reduce)
        return out, (None if arg is None else _remap(arg, perm))
    return run


def _via_arange(spmm: Callable[..., Any]) -> Callable[..., Any]:
    """A ``segment`` kernel from a CSR ``spmm`` kernel (``col = arange``)."""
    def run(src: Tensor, ptr: Tensor, reduce: str) -> tuple[Tensor, Tensor | None]:
        col = torch.arange(src.size(0), dtype=ptr.dtype, device=ptr.device)
        return spmm(ptr, col, None, None, src, ptr.numel() - 1, reduce)
    return run


# ---------------------------------------------------------------------------- native
def _empty_result(num_rows: int, feat: int, like: Tensor, reduce: str
                  ) -> tuple[Tensor, Tensor | None]:
    out = like.new_zeros(num_rows, feat)
    if reduce in _LINEAR:
        return out, None
    return out, torch.full((num_rows, feat), -1, dtype=torch.long, device=like.device)


def _native_spmm(ptr: Tensor, col: Tensor, row: Tensor | None, weight: Tensor | None,
                 x: Tensor, num_rows: int, reduce: str, wperm: Tensor | None = None,
                 src_scale: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
    if col.numel() == 0 or x.size(1) == 0 or num_rows == 0:
        return _empty_result(num_rows, x.size(1), x, reduce)
    if col.dtype != ptr.dtype:
        col = col.to(ptr.dtype)
    w = None if weight is None else weight.contiguous()
    if w is None:
        wperm = None
    elif wperm is not None:
        wperm = wperm.to(ptr.dtype).contiguous()
    scale = None if src_scale is None else src_scale.contiguous()
    out, arg = _native_module().spmm(ptr.contiguous(), col.contiguous(), w, x.contiguous(),
                                     num_rows, reduce, weight_perm=wperm, src_scale=scale)
    return out, (None if reduce in _LINEAR else arg)


def _native_sddmm(ptr: Tensor, col: Tensor, row: Tensor | None, a: Tensor, b: Tensor) -> Tensor:
    if col.numel() == 0 or a.size(1) == 0:
        return a.new_zeros(col.numel())
    if col.dtype != ptr.dtype:
        col = col.to(ptr.dtype)
    return _native_module().sddmm(ptr.contiguous(), col.contiguous(), a.contiguous(),
                                  b.contiguous())


def _native_softmax(src: Tensor, index: Tensor | None, ptr: Tensor | None,
                    num_segments: int) -> Tensor:
    if src.numel() == 0:
        return src.new_zeros(src.shape)
    if ptr is not None:
        return _native_module().segment_softmax(ptr.contiguous(), src.contiguous())
    assert index is not None
    ptr, perm = _sorted_csr(index, num_segments)
    sorted_out = _native_module().segment_softmax(ptr, src.index_select(0, perm).contiguous())
    return torch.empty_like(sorted_out).index_copy_(0, perm.long(), sorted_out)


def _native_softmax_backward(out: Tensor, grad: Tensor, index: Tensor | None,
                             ptr: Tensor | None, num_segments: int) -> Tensor:
    if ptr is None or out.numel() == 0:
        return _torch_softmax_backward(out, grad, index, ptr, num_segments)
    return _native_module().segment_softmax_backward(ptr.contiguous(), out.contiguous(),
                                                     grad.contiguous())


# ---------------------------------------------------------------------------- torch_scatter
def _ts() -> Any:
    return importlib.import_module("torch_scatter")


def _ts_segment(src: Tensor, ptr: Tensor, reduce: str) -> tuple[Tensor, Tensor | None]:
    ts, ptr, n = _ts(), ptr.long(), src.size(0)
    src = src.contiguous()
    if reduce in _LINEAR:
        return ts.segment_csr(src, ptr, reduce=reduce), None
    fn = ts.segment_max_csr if reduce == "max" else ts.segment_min_csr
    out, arg = fn(src, ptr)
    return out, torch.where(arg >= n, -1, arg)  # torch_scatter marks empty rows with n


def _ts_spmm(ptr: Tensor, col: Tensor, row: Tensor | None, weight: Tensor | None, x: Tensor,
             num_rows: int, reduce: str) -> tuple[Tensor, Tensor | None]:
    msg = x.index_select(0, col)
    if weight is not None:
        msg *= weight.unsqueeze(1)
    return _ts_segment(msg, ptr, reduce)


def _ts_scatter(src: Tensor, index: Tensor, dim_size: int, reduce: str
                ) -> tuple[Tensor, Tensor | None]:
    ts, index = _ts(), index.long()
    if reduce in _LINEAR:
        return ts.scatter(src, index, 0, dim_size=dim_size, reduce=reduce), None
    # torch_scatter's scatter_max breaks ties arbitrarily (parallel); sort for a stable arg.
    ptr, perm = _sorted_csr(index, dim_size)
    out, arg = _ts_segment(src.index_select(0, perm), ptr, reduce)
    return out, _remap(arg, perm)


def _ts_softmax(src: Tensor, index: Tensor | None, ptr: Tensor | None,
                num_segments: int) -> Tensor:
    ts = _ts()
    if ptr is None:
        assert index is not None
        return ts.composite.scatter_softmax(src, index.long(), dim=0, dim_size=num_segments)
    ptr = ptr.long()
    top = ts.segment_csr(src, ptr, reduce="max")
    out = (src - ts.gather_csr(top, ptr)).exp_()
    return out.div_(ts.gather_csr(ts.segment_csr(out, ptr, reduce="sum"), ptr))


def _ts_softmax_backward(out: Tensor, grad: Tensor, index: Tensor | None, ptr: Tensor | None,
                         num_segments: int) -> Tensor:
    if ptr is None:
        return _torch_softmax_backward(out, grad, index, ptr, num_segments)
    ts, ptr = _ts(), ptr.long()
    prod = out * grad
    return prod.sub_(out * ts.gather_csr(ts.segment_csr(prod, ptr, reduce="sum"), ptr))


_KERNELS: dict[str, dict[str, Callable[..., Any]]] = {
    "torch": {
        "spmm": _torch_spmm, "sddmm": _torch_sddmm, "segment": _torch_segment,
        "scatter": _torch_scatter, "softmax": _torch_softmax,
        "softmax_backward": _torch_softmax_backward,
    },
    "sparse": {
        "spmm": _sparse_spmm, "segment": _via_arange(_sparse_spmm),
        "scatter": _via_sort(_sparse_spmm),
    },
    "native": {
        "spmm": _native_spmm, "sddmm": _native_sddmm, "segment": _via_arange(_native_spmm),
        "scatter": _via_sort(_native_spmm), "softmax": _native_softmax,
        "softmax_backward": _native_softmax_backward,
    },
    "torch_scatter": {
        "spmm": _ts_spmm, "segment": _ts_segment, "scatter": _ts_scatter,
        "softmax": _ts_softmax, "softmax_backward": _ts_softmax_backward,
    },
}
