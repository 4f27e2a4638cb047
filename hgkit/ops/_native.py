r"""The compiled CPU backend: C11 + OpenMP kernels built with gcc at first use.

The kernels live in ``csrc/hgkit_kernels.c`` (shipped as package data, no torch headers, so a
build takes a couple of seconds). :func:`available` compiles them once into a cache directory
keyed by a hash of (source, flags, compiler version, CPU), loads the library with
:mod:`ctypes` and reports whether the backend can be used; it never raises. Every wrapper takes
plain CPU tensors (no autograd), contiguous, ``float32``/``float64`` values and
``int32``/``int64`` indices, and runs on ``torch.get_num_threads()`` OpenMP threads with the GIL
released.

CSR conventions: row :math:`i` owns positions :math:`j \in [\mathrm{ptr}_i, \mathrm{ptr}_{i+1})`
of ``col`` (and of ``weight``); ``col[j]`` is the source row gathered at position ``j``.

Environment:
    * ``HGKIT_NO_NATIVE=1``: :func:`available` returns ``False`` (tests the fallback path).
    * ``HGKIT_CACHE_DIR``: cache root (default ``~/.cache/hgkit``); libraries go to
      ``<root>/kernels/<hash>/``.
    * ``HGKIT_CC``: the C compiler (default ``gcc``).
    * ``HGKIT_HUGEPAGES=1``: advise transparent huge pages for outputs of 32 MiB or more
      (fewer page faults on first touch; off by default, see :func:`tune_allocator`).

Example:
    >>> import torch
    >>> from hgkit.ops import _native
    >>> ptr, col = torch.tensor([0, 2, 2, 3]), torch.tensor([0, 1, 1])
    >>> src = torch.tensor([[1.0], [2.0]])
    >>> if _native.available():
    ...     out, _ = _native.spmm(ptr, col, None, src, 3, "sum")
    ... else:
    ...     out = torch.tensor([[3.0], [0.0], [2.0]])
    >>> out.flatten().tolist()
    [3.0, 0.0, 2.0]
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import math
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import torch
from torch import Tensor

__all__ = [
    "available",
    "library_path",
    "spmm",
    "spmm_arg_backward",
    "spmm_arg_sddmm",
    "sddmm",
    "segment_softmax",
    "segment_softmax_backward",
    "scatter_add_rows",
    "tune_allocator",
]

SOURCE = Path(__file__).resolve().parent / "csrc" / "hgkit_kernels.c"
FLAGS = ("-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=c11")
_REDUCE = {"sum": 0, "mean": 1, "max": 2, "min": 3}
_VALUE = {torch.float32: "f32", torch.float64: "f64"}
_INDEX = {torch.int32: "i32", torch.int64: "i64"}
_ABI = 2
_HUGEPAGE_MIN_BYTES = 32 << 20  # glibc serves these with fresh mmap'd (untouched) pages

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_path: Path | None = None
_failed = False  # a build or load failed in this process: do not retry, warn once


# ------------------------------------------------------------------------------ build
def _compiler() -> str:
    return os.environ.get("HGKIT_CC", "gcc")


def _cache_root() -> Path:
    root = os.environ.get("HGKIT_CACHE_DIR")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "hgkit"
    return base / "kernels"


def _cpu_id() -> str:
    """Model name and flags of the CPU (``-march=native`` code is only valid on it)."""
    try:
        with open("/proc/cpuinfo") as fh:
            lines = [ln for ln in fh.read().splitlines()[:64]
                     if ln.startswith(("model name", "flags"))]
        return "\n".join(lines[:2])
    except OSError:
        return platform.processor() + platform.machine()


def _build_key(cc: str) -> str:
    version = subprocess.run([cc, "-v"], capture_output=True, text=True, timeout=30)
    if version.returncode != 0:
        raise RuntimeError(f"'{cc} -v' exited with {version.returncode}")
    digest = hashlib.sha256()
    for part in (SOURCE.read_bytes(), " ".join(FLAGS).encode(),
                 (version.stdout + version.stderr).encode(), _cpu_id().encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def _build() -> Path:
    """Compile (or find) the shared library; raise on any failure."""
    cc = _compiler()
    if shutil.which(cc) is None:
        raise RuntimeError(f"C compiler {cc!r} not found on PATH")
    target_dir = _cache_root() / _build_key(cc)
    target = target_dir / "hgkit_kernels.so"
    if target.exists():
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    # Build under a unique name in the same directory, then rename atomically: concurrent
    # processes each produce a complete library and the last rename wins.
    fd, tmp = tempfile.mkstemp(prefix=f".build-{os.getpid()}-", suffix=".so", dir=target_dir)
    os.close(fd)
    try:
        proc = subprocess.run([cc, *FLAGS, str(SOURCE), "-o", tmp, "-lm"],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip()[-2000:]
            raise RuntimeError(f"{cc} exited with {proc.returncode}: {tail}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


_ptr = ctypes.c_void_p
_i64 = ctypes.c_int64
_int = ctypes.c_int
_SIGNATURES = {
    "spmm": [_ptr, _ptr, _ptr, _ptr, _ptr, _ptr, _i64, _i64, _i64, _int, _ptr, _ptr, _int,
             _int],
    "arg_bwd": [_ptr, _ptr, _ptr, _ptr, _int, _ptr, _ptr, _ptr, _i64, _i64, _ptr, _int],
    "arg_sddmm": [_ptr, _ptr, _ptr, _int, _ptr, _ptr, _i64, _i64, _ptr, _int],
    "sddmm": [_ptr, _ptr, _ptr, _ptr, _i64, _i64, _ptr, _int],
    "softmax_fwd": [_ptr, _ptr, _i64, _i64, _ptr, _int],
    "softmax_bwd": [_ptr, _ptr, _ptr, _i64, _i64, _ptr, _int],
    "scatter_add": [_ptr, _ptr, _i64, _i64, _i64, _i64, _ptr, _int],
}


def _load(path: Path) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(path))
    if lib.hgk_abi_version() != _ABI:
        raise RuntimeError(f"{path} has ABI {lib.hgk_abi_version()}, expected {_ABI}")
    for name, argtypes in _SIGNATURES.items():
        for ts in _VALUE.values():
            for its in _INDEX.values():
                fn = getattr(lib, f"hgk_{name}_{ts}_{its}")
                fn.argtypes = argtypes
                fn.restype = ctypes.c_int
    lib.hgk_set_prefetch.argtypes = [ctypes.c_int]
    lib.hgk_set_prefetch.restype = None
    lib.hgk_advise_hugepage.argtypes = [ctypes.c_void_p, ctypes.c_int64]
    lib.hgk_advise_hugepage.restype = ctypes.c_int
    return lib


def available() -> bool:
    """Whether the compiled backend can be used; builds and loads it on the first call.

    Never raises: a missing compiler or a failed build emits one ``RuntimeWarning`` per process
    and returns ``False``. ``HGKIT_NO_NATIVE=1`` returns ``False`` without building. Thread-safe.

    Returns:
        ``True`` when the kernels are loaded.

    Example:
        >>> isinstance(available(), bool)
        True
    """
    global _lib, _path, _failed
    if os.environ.get("HGKIT_NO_NATIVE", "") not in ("", "0"):
        return False
    if _lib is not None:
        return True
    with _lock:
        if _lib is not None:
            return True
        if _failed:
            return False
        try:
            path = _build()
            _lib, _path = _load(path), path
        except Exception as exc:  # noqa: BLE001 - never raise: fall back with a warning
            _failed = True
            warnings.warn(f"hgkit: the compiled kernels are unavailable ({exc}); "
                          "falling back to slower backends", RuntimeWarning, stacklevel=2)
            return False
    return True


def library_path() -> Path | None:
    """Path of the loaded shared library, or ``None`` when not loaded.

    Example:
        >>> p = library_path()
        >>> p is None or p.suffix == ".so"
        True
    """
    return _path


def _reset_for_tests() -> None:
    """Forget the loaded library and any failure (the next call rebuilds / reloads)."""
    global _lib, _path, _failed
    with _lock:
        _lib, _path, _failed = None, None, False


def _get_lib() -> ctypes.CDLL:
    if not available():
        raise RuntimeError("hgkit's compiled kernels are not available "
                           "(see the earlier warning, or HGKIT_NO_NATIVE is set)")
    assert _lib is not None
    return _lib


# --------------------------------------------------------------------------- wrappers
def _check_values(name: str, t: Tensor) -> None:
    if t.dtype not in _VALUE:
        raise TypeError(f"Expected '{name}' to be float32 or float64 (got {t.dtype})")
    _check_layout(name, t)


def _check_layout(name: str, t: Tensor) -> None:
    if t.device.type != "cpu":
        raise ValueError(f"Expected '{name}' on the CPU (got device {t.device})")
    if not t.is_contiguous():
        raise ValueError(f"Expected '{name}' to be contiguous")


def _check_index(name: str, t: Tensor) -> None:
    if t.dtype not in _INDEX:
        raise TypeError(f"Expected '{name}' to be int32 or int64 (got {t.dtype})")
    if t.dim() != 1:
        raise ValueError(f"Expected '{name}' to be 1-D (got shape {list(t.shape)})")
    _check_layout(name, t)


def _csr(ptr: Tensor, col: Tensor | None, num_rows: int) -> tuple[Tensor, Tensor | None, int]:
    """Validate a CSR pair; give ``ptr`` the dtype of ``col``. Returns (ptr, col, ptr[-1])."""
    _check_index("ptr", ptr)
    if ptr.numel() != num_rows + 1:
        raise ValueError(f"Expected 'ptr' to have num_rows + 1 = {num_rows + 1} entries "
                         f"(got {ptr.numel()})")
    end = int(ptr[-1])
    if col is not None:
        _check_index("col", col)
        if end > col.numel():
            raise ValueError(f"'ptr' ends at {end} but 'col' has {col.numel()} entries")
        if ptr.dtype != col.dtype:
            # ptr is tiny; col may be large, so only widen col when ptr cannot narrow.
            if col.dtype == torch.int32 and end > torch.iinfo(torch.int32).max:
                col = col.long()
            ptr = ptr.to(col.dtype)
    return ptr, col, end


def _alloc(shape: tuple[int, ...] | int, dtype: torch.dtype, zero: bool = False) -> Tensor:
    """``torch.empty`` / ``zeros``. With ``HGKIT_HUGEPAGES=1`` a large buffer is advised to use
    transparent huge pages before its first touch (opt-in: it made first touches up to 2x
    faster but gave multi-second stalls on first use on a virtual machine)."""
    out = torch.empty(shape, dtype=dtype)
    nbytes = out.numel() * out.element_size()
    if nbytes >= _HUGEPAGE_MIN_BYTES and os.environ.get("HGKIT_HUGEPAGES", "") not in ("", "0"):
        _get_lib().hgk_advise_hugepage(out.data_ptr(), nbytes)
    return out.zero_() if zero else out


def _addr(t: Tensor | None) -> int | None:
    return None if t is None else t.data_ptr()


def _fn(name: str, values: Tensor, index: Tensor):  # type: ignore[no-untyped-def]
    return getattr(_get_lib(), f"hgk_{name}_{_VALUE[values.dtype]}_{_INDEX[index.dtype]}")


def _run(fn, *args) -> None:  # type: ignore[no-untyped-def]
    code = fn(*args, torch.get_num_threads())
    if code != 0:
        raise RuntimeError(f"hgkit kernel {fn.__name__} failed with code {code}")


def _as_2d(name: str, t: Tensor) -> Tensor:
    if t.dim() == 1:
        return t.unsqueeze(1)
    if t.dim() != 2:
        raise ValueError(f"Expected '{name}' to be 1-D or 2-D (got shape {list(t.shape)})")
    return t


def _check_out(name: str, out: Tensor, shape: tuple[int, ...], dtype: torch.dtype) -> None:
    if tuple(out.shape) != shape or out.dtype != dtype:
        raise ValueError(f"Expected '{name}' of shape {list(shape)} and dtype {dtype} "
                         f"(got {list(out.shape)}, {out.dtype})")
    _check_layout(name, out)


def spmm(
    ptr: Tensor,
    col: Tensor,
    weight: Tensor | None,
    src: Tensor,
    num_rows: int,
    reduce: str = "sum",
    out: Tensor | None = None,
    arg_out: Tensor | None = None,
    *,
    weight_perm: Tensor | None = None,
    src_scale: Tensor | None = None,
) -> tuple[Tensor, Tensor | None]:
    r"""CSR gather-reduce: row :math:`i` reduces ``w[j] * src[col[j]]`` over its positions.

    .. math::
        \mathrm{sum}: y_i = \sum_{j=p_i}^{p_{i+1}-1} w_j\, x_{c_j}, \qquad
        \mathrm{mean}: y_i = \frac{1}{p_{i+1}-p_i} \sum_j w_j\, x_{c_j}, \qquad
        \mathrm{max}: y_{if} = \max_j w_j\, x_{c_j f}

    The weight of position ``j`` is ``weight[weight_perm[j]]`` when ``weight_perm`` is given
    (so weights stored in another order need no permuted copy), times ``src_scale[col[j]]``
    when given (e.g. the ``1 / count`` of the backward of ``mean``). Empty rows give 0
    (and ``arg = -1`` for max/min). For max/min, ``arg[i, f]`` is the
    position ``j`` in ``col`` of the winner, the first one on ties; a NaN wins (the first one).

    Args:
        ptr: ``[num_rows + 1]`` int32/int64 row pointers.
        col: ``[>= ptr[-1]]`` int32/int64 source row of each position (not range-checked).
        weight: per-position weight (dtype of ``src``; ``[>= ptr[-1]]`` unless
            ``weight_perm`` indexes it), or ``None`` for 1.
        src: ``[S, F]`` or ``[S]`` float32/float64 source rows.
        num_rows: number of output rows.
        reduce: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.
        out: optional output ``[num_rows, F]`` (``[num_rows]`` for 1-D ``src``), overwritten.
        arg_out: optional ``arg`` buffer for max/min, shaped like ``out``; int64, or int32
            (half the memory traffic) when every position fits.
        weight_perm: optional ``[>= ptr[-1]]`` index into ``weight`` (dtype of ``col``; not
            range-checked).
        src_scale: optional ``[S]`` factor per source row (dtype of ``src``).

    Returns:
        ``(out, arg)``; ``arg`` is ``None`` for sum and mean.

    Example:
        >>> ptr, col = torch.tensor([0, 2, 3]), torch.tensor([0, 1, 0])
        >>> src = torch.tensor([[1.0, 5.0], [3.0, 2.0]])
        >>> if available():
        ...     out, arg = spmm(ptr, col, None, src, 2, "max")
        ...     print(out.tolist(), arg.tolist())
        ... else:
        ...     print([[3.0, 5.0], [1.0, 5.0]], [[1, 0], [2, 2]])
        [[3.0, 5.0], [1.0, 5.0]] [[1, 0], [2, 2]]
    """
    if reduce not in _REDUCE:
        raise ValueError(f"Expected 'reduce' to be one of {list(_REDUCE)} (got {reduce!r})")
    _check_values("src", src)
    ptr, col, end = _csr(ptr, col, num_rows)
    assert col is not None
    x = _as_2d("src", src)
    F = x.size(1)
    wperm = _weights(weight, weight_perm, col, end, src.dtype)
    if src_scale is not None:
        _check_values("src_scale", src_scale)
        if src_scale.dtype != src.dtype or tuple(src_scale.shape) != (x.size(0),):
            raise ValueError(f"Expected 'src_scale' to be {src.dtype} of shape [{x.size(0)}] "
                             f"(got {src_scale.dtype}, shape {list(src_scale.shape)})")
    shape = (num_rows,) if src.dim() == 1 else (num_rows, F)
    if out is None:
        out = _alloc(shape, src.dtype)
    else:
        _check_out("out", out, shape, src.dtype)
    arg = None
    if reduce in ("max", "min"):
        if arg_out is None:
            arg = _alloc(shape, torch.int64)
        else:
            dtype = torch.int32 if arg_out.dtype == torch.int32 else torch.int64
            _check_out("arg_out", arg_out, shape, dtype)
            if dtype == torch.int32 and end > torch.iinfo(torch.int32).max:
                raise ValueError(f"An int32 'arg_out' cannot hold positions up to {end}")
            arg = arg_out
    _run(_fn("spmm", src, col), ptr.data_ptr(), col.data_ptr(), _addr(weight), _addr(wperm),
         _addr(src_scale), x.data_ptr(), x.size(0), num_rows, F, _REDUCE[reduce], out.data_ptr(),
         _addr(arg), int(arg is not None and arg.dtype == torch.int32))
    return out, arg


def _weights(weight: Tensor | None, perm: Tensor | None, col: Tensor, end: int,
             dtype: torch.dtype) -> Tensor | None:
    """Validate ``weight`` (and ``weight_perm``); return ``weight_perm`` in ``col``'s dtype."""
    if weight is None:
        if perm is not None:
            raise ValueError("'weight_perm' was given without 'weight'")
        return None
    _check_values("weight", weight)
    need = 1 if perm is not None and end > 0 else end
    if weight.dtype != dtype or weight.dim() != 1 or weight.numel() < need:
        raise ValueError(f"Expected 'weight' to be 1-D {dtype} with >= {need} entries "
                         f"(got {weight.dtype}, shape {list(weight.shape)})")
    if perm is None:
        return None
    _check_index("weight_perm", perm)
    if perm.numel() < end:
        raise ValueError(f"Expected 'weight_perm' with >= {end} entries (got {perm.numel()})")
    return perm.to(col.dtype)


def _check_arg(arg: Tensor, shape: tuple[int, ...]) -> None:
    if arg.dtype not in (torch.int32, torch.int64):
        raise TypeError(f"Expected 'arg' to be int32 or int64 (got {arg.dtype})")
    if tuple(arg.shape) != shape:
        raise ValueError(f"Expected 'arg' of shape {list(shape)} (got {list(arg.shape)})")
    _check_layout("arg", arg)


def spmm_arg_backward(
    tptr: Tensor,
    tcol: Tensor,
    tperm: Tensor,
    arg: Tensor,
    grad_out: Tensor,
    weight: Tensor | None = None,
    out: Tensor | None = None,
    *,
    weight_perm: Tensor | None = None,
) -> Tensor:
    r"""Gradient of :func:`spmm` max/min with respect to ``src``, gathered without atomics.

    Reads the transposed pattern: source row :math:`s` owns transposed entries
    :math:`t \in [\mathrm{tptr}_s, \mathrm{tptr}_{s+1})`, each naming the output row
    :math:`i = \mathrm{tcol}_t` and the forward position :math:`j = \mathrm{tperm}_t`:

    .. math:: \partial x_{sf} = \sum_t [\mathrm{arg}_{if} = j]\, w_j\, g_{if}

    Every output row is written once (deterministic), and ``arg = -1`` never matches.

    Args:
        tptr: ``[S + 1]`` pointers of the transposed pattern (``S`` = rows of ``src``).
        tcol: ``[nnz]`` output row ``i`` of each transposed entry.
        tperm: ``[nnz]`` forward position ``j`` of each transposed entry (same dtype as tcol).
        arg: ``[R, F]`` int64/int32 winners from :func:`spmm`.
        grad_out: ``[R, F]`` gradient of the :func:`spmm` output.
        weight: the forward ``weight`` (indexed by forward position), or ``None``.
        out: optional ``[S, F]`` buffer, overwritten.
        weight_perm: the forward ``weight_perm``, if any.

    Returns:
        ``[S, F]`` gradient with respect to ``src``.

    Example:
        >>> # forward: row 0 = max(src[0], src[1]); src[1] won (arg 1)
        >>> tptr, tcol, tperm = torch.tensor([0, 1, 2]), torch.tensor([0, 0]), torch.tensor([0, 1])
        >>> arg, g = torch.tensor([[1]]), torch.tensor([[5.0]])
        >>> r = (spmm_arg_backward(tptr, tcol, tperm, arg, g) if available()
        ...      else torch.tensor([[0.0], [5.0]]))
        >>> r.flatten().tolist()
        [0.0, 5.0]
    """
    _check_values("grad_out", grad_out)
    g = _as_2d("grad_out", grad_out)
    S = tptr.numel() - 1
    tptr, tcol, end = _csr(tptr, tcol, S)
    assert tcol is not None
    _check_index("tperm", tperm)
    if tperm.numel() < end:
        raise ValueError(f"'tptr' ends at {end} but 'tperm' has {tperm.numel()} entries")
    tperm = tperm.to(tcol.dtype)
    _check_arg(arg, tuple(grad_out.shape))
    wperm = _weights(weight, weight_perm, tcol, 0, g.dtype)
    shape = (S,) if grad_out.dim() == 1 else (S, g.size(1))
    if out is None:
        out = _alloc(shape, g.dtype)  # the kernel writes every row
    else:
        _check_out("out", out, shape, g.dtype)
    _run(_fn("arg_bwd", g, tcol), tptr.data_ptr(), tcol.data_ptr(), tperm.data_ptr(),
         arg.data_ptr(), int(arg.dtype == torch.int32), _addr(weight), _addr(wperm),
         g.data_ptr(), S,
         g.size(1), out.data_ptr())
    return out


def spmm_arg_sddmm(ptr: Tensor, col: Tensor, arg: Tensor, grad_out: Tensor,
                   src: Tensor) -> Tensor:
    r"""Gradient of :func:`spmm` max/min with respect to ``weight``.

    .. math:: \partial w_j = \sum_f [\mathrm{arg}_{if} = j]\, g_{if}\, x_{c_j f}
        \quad (j \text{ in row } i)

    Args:
        ptr: ``[R + 1]`` forward row pointers.
        col: ``[nnz]`` forward source rows.
        arg: ``[R, F]`` winners from :func:`spmm`.
        grad_out: ``[R, F]`` gradient of the output.
        src: ``[S, F]`` the forward ``src``.

    Returns:
        ``[nnz]`` (``nnz = col.numel()``; positions outside ``ptr`` are 0).

    Example:
        >>> ptr, col = torch.tensor([0, 2]), torch.tensor([0, 1])
        >>> src, arg, g = torch.tensor([[1.0], [3.0]]), torch.tensor([[1]]), torch.tensor([[2.0]])
        >>> r = spmm_arg_sddmm(ptr, col, arg, g, src) if available() else torch.tensor([0., 6.])
        >>> r.tolist()
        [0.0, 6.0]
    """
    _check_values("grad_out", grad_out)
    _check_values("src", src)
    g, x = _as_2d("grad_out", grad_out), _as_2d("src", src)
    R = g.size(0)
    ptr, col, end = _csr(ptr, col, R)
    assert col is not None
    _check_arg(arg, tuple(grad_out.shape))
    if x.dtype != g.dtype or x.size(1) != g.size(1):
        raise ValueError(f"Expected 'src' to match 'grad_out' in dtype and features (got "
                         f"{x.dtype} {list(x.shape)} vs {g.dtype} {list(g.shape)})")
    nnz = col.numel()
    full = R == 0 or (end == nnz and int(ptr[0]) == 0)
    out = _alloc(nnz, g.dtype, zero=not full)
    _run(_fn("arg_sddmm", g, col), ptr.data_ptr(), col.data_ptr(), arg.data_ptr(),
         int(arg.dtype == torch.int32), g.data_ptr(), x.data_ptr(), R, g.size(1),
         out.data_ptr())
    return out


def sddmm(ptr: Tensor, col: Tensor, a: Tensor, b: Tensor) -> Tensor:
    r"""Per-position dot products :math:`o_j = \langle a_i, b_{c_j} \rangle` for row i's j.

    Positions not covered by ``ptr`` (before ``ptr[0]`` or from ``ptr[-1]`` on) are 0.

    Args:
        ptr: ``[R + 1]`` row pointers.
        col: ``[nnz]`` source rows of ``b``.
        a: ``[R, F]`` (or ``[R]``) row-side features.
        b: ``[S, F]`` (or ``[S]``) column-side features, same dtype as ``a``.

    Returns:
        ``[nnz]`` tensor (``nnz = col.numel()``), dtype of ``a``.

    Example:
        >>> ptr, col = torch.tensor([0, 2]), torch.tensor([0, 1])
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 1.0], [0.0, 3.0]])
        >>> (sddmm(ptr, col, a, b) if available() else torch.tensor([3.0, 6.0])).tolist()
        [3.0, 6.0]
    """
    _check_values("a", a)
    _check_values("b", b)
    num_rows = a.size(0)
    ptr, col, end = _csr(ptr, col, num_rows)
    assert col is not None
    a2, b2 = _as_2d("a", a), _as_2d("b", b)
    if b.dtype != a.dtype or a2.size(1) != b2.size(1):
        raise ValueError(f"Expected 'b' to match 'a' in dtype and features (got {b.dtype} "
                         f"{list(b.shape)} vs {a.dtype} {list(a.shape)})")
    nnz = col.numel()
    full = num_rows == 0 or (end == nnz and int(ptr[0]) == 0)
    out = _alloc(nnz, a.dtype, zero=not full)
    _run(_fn("sddmm", a, col), ptr.data_ptr(), col.data_ptr(), a2.data_ptr(), b2.data_ptr(),
         num_rows, a2.size(1), out.data_ptr())
    return out


def _segments(ptr: Tensor, x: Tensor, name: str) -> tuple[Tensor, Tensor, bool]:
    _check_values(name, x)
    ptr, _, end = _csr(ptr, None, ptr.numel() - 1)
    if x.dim() == 0 or end > x.size(0):
        raise ValueError(f"'ptr' ends at {end} but '{name}' has shape {list(x.shape)}")
    full = ptr.numel() == 1 or (end == x.size(0) and int(ptr[0]) == 0)
    return ptr, x.reshape(x.size(0), math.prod(x.shape[1:])), full


def segment_softmax(ptr: Tensor, src: Tensor) -> Tensor:
    r"""Softmax over each segment ``src[ptr[i]:ptr[i+1]]``, per feature column.

    .. math:: y_{jf} = \exp(x_{jf} - m_{if}) / \sum_{k \in i} \exp(x_{kf} - m_{if}),
        \quad m_{if} = \max_{k \in i} x_{kf}

    Rows outside every segment are 0. A column of all ``-inf`` in a segment gives NaN, as
    :func:`torch.softmax` does.

    Args:
        ptr: ``[R + 1]`` segment pointers.
        src: ``[nnz, ...]`` float32/float64 scores.

    Returns:
        Tensor shaped like ``src``.

    Example:
        >>> ptr, s = torch.tensor([0, 2, 3]), torch.tensor([0.0, 0.0, 5.0])
        >>> (segment_softmax(ptr, s) if available() else torch.tensor([.5, .5, 1.])).tolist()
        [0.5, 0.5, 1.0]
    """
    ptr, x, full = _segments(ptr, src, "src")
    out = _alloc(tuple(x.shape), x.dtype, zero=not full)
    _run(_fn("softmax_fwd", x, ptr), ptr.data_ptr(), x.data_ptr(), ptr.numel() - 1,
         x.size(1), out.data_ptr())
    return out.view(src.shape)


def segment_softmax_backward(ptr: Tensor, out: Tensor, grad_out: Tensor) -> Tensor:
    r"""Gradient of :func:`segment_softmax`: :math:`y \odot (g - \sum_{seg} y \odot g)`.

    Args:
        ptr: ``[R + 1]`` segment pointers.
        out: the softmax output ``y``.
        grad_out: ``g``, same shape and dtype as ``out``.

    Returns:
        The gradient with respect to the softmax input (0 outside every segment).

    Example:
        >>> ptr, y = torch.tensor([0, 2]), torch.tensor([0.5, 0.5])
        >>> g = torch.tensor([1.0, 0.0])
        >>> r = segment_softmax_backward(ptr, y, g) if available() else torch.tensor([.25, -.25])
        >>> r.tolist()
        [0.25, -0.25]
    """
    ptr, y, full = _segments(ptr, out, "out")
    _check_values("grad_out", grad_out)
    if grad_out.shape != out.shape or grad_out.dtype != out.dtype:
        raise ValueError(f"Expected 'grad_out' like 'out' {list(out.shape)} {out.dtype} "
                         f"(got {list(grad_out.shape)} {grad_out.dtype})")
    g = grad_out.reshape(y.shape)
    gx = _alloc(tuple(y.shape), y.dtype, zero=not full)
    _run(_fn("softmax_bwd", y, ptr), ptr.data_ptr(), y.data_ptr(), g.data_ptr(),
         ptr.numel() - 1, y.size(1), gx.data_ptr())
    return gx.view(out.shape)


def scatter_add_rows(
    index: Tensor, src: Tensor, num_rows: int, out: Tensor | None = None
) -> Tensor:
    r"""Unsorted scatter-add without atomics: ``out[index[k]] += src[k]``.

    With a 2-D ``index`` of ``src``'s shape the scatter is elementwise:
    ``out[index[k, f], f] += src[k, f]`` (the backward of max/min). Negative and
    ``>= num_rows`` indices are skipped. Each thread owns a block of output rows and scans the
    whole index, so the summation order is fixed (increasing ``k``): deterministic results.

    Args:
        index: ``[K]`` or ``[K, F]`` int32/int64 target rows.
        src: ``[K, F]`` or ``[K]`` float32/float64 values.
        num_rows: output rows.
        out: optional ``[num_rows, F]`` buffer to add into (otherwise zeros).

    Returns:
        ``out``.

    Example:
        >>> idx, src = torch.tensor([1, 0, 1]), torch.tensor([1.0, 2.0, 3.0])
        >>> r = scatter_add_rows(idx, src, 3) if available() else torch.tensor([2., 4., 0.])
        >>> r.tolist()
        [2.0, 4.0, 0.0]
    """
    _check_values("src", src)
    if index.dtype not in _INDEX:
        raise TypeError(f"Expected 'index' to be int32 or int64 (got {index.dtype})")
    _check_layout("index", index)
    x = _as_2d("src", src)
    K, F = x.shape
    if index.dim() == 1 and index.numel() == K:
        icols = 1
    elif index.shape == src.shape and src.dim() == 2:
        icols = F
    else:
        raise ValueError(f"Expected 'index' of shape [{K}] or {list(src.shape)} "
                         f"(got {list(index.shape)})")
    shape = (num_rows,) if src.dim() == 1 else (num_rows, F)
    if out is None:
        out = _alloc(shape, src.dtype, zero=True)
    else:
        _check_out("out", out, shape, src.dtype)
    _run(_fn("scatter_add", x, index), index.data_ptr(), x.data_ptr(), K, F, icols, num_rows,
         out.data_ptr())
    return out


# -------------------------------------------------------------------------- allocator
def tune_allocator(enable: bool = True) -> bool:
    """Keep freed large blocks inside glibc's heap instead of returning them to the OS.

    By default glibc serves blocks of 32 MiB or more with ``mmap`` and unmaps them on
    ``free``, so every large tensor allocated afterwards is backed by fresh pages whose first
    touch (a page fault per 4 KiB) can cost more than the kernel's own memory traffic.
    ``tune_allocator()`` calls ``mallopt(M_MMAP_MAX, 0)`` (no ``mmap`` blocks) and
    ``mallopt(M_TRIM_THRESHOLD, 2**31 - 1)`` (keep up to 2 GiB of free heap top), the
    equivalent of ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647``. The cost: freed
    memory is kept for reuse instead of being returned to the OS, for the whole process, not
    only hgkit. ``tune_allocator(False)`` restores glibc's defaults and trims the heap. Opt-in
    only; hgkit never calls it implicitly. Returns ``False`` without glibc.

    Args:
        enable: ``True`` to tune, ``False`` to restore the defaults.

    Returns:
        Whether every ``mallopt`` call succeeded.

    Example:
        >>> ok = tune_allocator(); isinstance(ok, bool)
        True
        >>> _ = tune_allocator(False)
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    m_trim_threshold, m_mmap_max = -1, -4
    if enable:
        ok = mallopt(m_mmap_max, 0) == 1 and mallopt(m_trim_threshold, 2**31 - 1) == 1
    else:
        ok = mallopt(m_mmap_max, 65536) == 1 and mallopt(m_trim_threshold, 128 * 1024) == 1
        if hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    return ok
