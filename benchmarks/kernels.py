r"""Message-passing kernels side by side: sum (HGNN smoothing), mean, max and segment softmax.

Run from the repository root::

    python -m benchmarks.kernels --sizes small,medium,large --json benchmarks/results/kernels.json

Random hypergraphs (NumPy seed, ids uniform, incidences sorted by hyperedge then node, the
layout most datasets come in): ``small`` 2,708 nodes / 1,579 hyperedges / 4,786 incidences
(Cora-like), ``medium`` 100k / 50k / 400k, ``large`` 1M / 500k / 4M; 64 float32 features.

Operations (``x`` is ``[N, 64]``, ``fwd+bwd`` = forward then ``backward`` of a fixed gradient):

* **sum**: HGNN smoothing :math:`Y = D_v^{-1/2} H D_e^{-1} H^\top D_v^{-1/2} X`, applied as two
  weighted passes (node -> hyperedge, hyperedge -> node) with per-incidence weights.
* **mean**: hyperedge mean of the members, then node mean of its hyperedges.
* **max**: hyperedge max of the members, then node max of its hyperedges (empty = 0).
* **softmax**: segment softmax of ``[nnz, 8]`` attention scores over each hyperedge's incidences.

Methods: ``hgkit native`` calls :mod:`hgkit.ops._native` through a small
``torch.autograd.Function`` with precomputed CSR structures of both orders (int32) and a
backward on the transposed structures (``mean``: a per-source-row ``1 / count`` scale; ``max``:
:func:`hgkit.ops._native.spmm_arg_backward` on int32 ``arg``); ``hgkit native+ws`` also
reuses the hyperedge buffer (the sum backward does not need it); ``hgkit.ops`` is the public
autograd path (:func:`hgkit.ops.v2v` / :func:`hgkit.ops.softmax`). The alternatives are torch
CSR SpMM (MKL, int32) with a precomputed transpose in a custom backward, gather +
``index_add_``, ``scatter_reduce``, ``index_reduce`` and torch-scatter when importable.
All methods of one size run interleaved in one process; times are medians of ``--repeats``
after one warm-up. ``vs best alt`` is (time of the fastest non-hgkit method) / (time of this
method): above 1 means faster than every alternative.

Bandwidth, measured in the same run: a streaming triad ``a = b + s * c`` on 128 MiB float32
arrays, and random 256-byte row gathers (``index_select`` of 4M random rows of a 1M x 64 float32
matrix into a preallocated buffer). The *gather bound* of a pass is (rows gathered) x 256 B /
(measured gather rate); ``bound %`` = bound / measured time (sum, mean, max: 2 nnz rows forward,
4 nnz forward+backward). ``index_select`` issues no software prefetches, so the compiled
kernels can read random rows faster than this rate: values above 100 % are possible.

``--tune-allocator`` calls :func:`hgkit.ops._native.tune_allocator` first (glibc keeps freed
large blocks instead of unmapping them); it applies to every method in the process.
``peak MB`` is the peak resident memory above the level before one fwd+bwd (0 when the
allocator reused freed memory).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from benchmarks.hypergraph_build import _status_mb

SIZES = {
    "small": (2_708, 1_579, 4_786),
    "medium": (100_000, 50_000, 400_000),
    "large": (1_000_000, 500_000, 4_000_000),
}
OPS = ("sum", "mean", "max", "softmax")
HGKIT = ("hgkit native", "hgkit native+ws", "hgkit.ops")
ROW_BYTES = 256

warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support.*")
warnings.filterwarnings("ignore", message=".*Sparse invariant checks.*")
warnings.filterwarnings("ignore", message=".*index_reduce.. is in beta.*")


# ------------------------------------------------------------------------- the problem
class Problem:
    """A random hypergraph with every structure the methods need (built once, not timed)."""

    def __init__(self, n: int, m: int, nnz: int, seed: int, feat: int, heads: int) -> None:
        from hgkit.ops import _native

        rng = np.random.default_rng(seed)
        node, edge = rng.integers(0, n, nnz), rng.integers(0, m, nnz)
        order = np.lexsort((node, edge))
        self.n, self.m, self.nnz, self.feat = n, m, nnz, feat
        self.node = torch.from_numpy(node[order])  # incidence order = hyperedge-major
        self.edge = torch.from_numpy(edge[order])
        i32 = torch.int32
        self.ptr_e = _ptr(self.edge, m).to(i32)
        self.col_e = self.node.to(i32)
        self.perm_v = torch.from_numpy(np.lexsort((edge[order], node[order])))
        self.ptr_v = _ptr(self.node, n).to(i32)
        self.col_v = self.edge[self.perm_v].to(i32)
        inv = torch.empty_like(self.perm_v)
        inv[self.perm_v] = torch.arange(nnz)
        self.perm_v32, self.inv_v32 = self.perm_v.to(i32), inv.to(i32)
        dv = torch.bincount(self.node, minlength=n).float()
        de = torch.bincount(self.edge, minlength=m).float()
        dv_is = torch.where(dv > 0, dv.rsqrt(), 0.0)
        self.dv_inv = torch.where(dv > 0, 1 / dv, 0.0)
        self.de_inv = torch.where(de > 0, 1 / de, 0.0)
        # sum: Y = (Dv^-1/2 H) (De^-1 H^T Dv^-1/2) X as per-incidence weights a (stage 1), b.
        self.a_inc = dv_is[self.node] * self.de_inv[self.edge]
        self.b_inc = dv_is[self.node]
        self.a_v, self.b_v = self.a_inc[self.perm_v], self.b_inc[self.perm_v]
        # mean backward weights: 1 / (count of the forward row) in the transposed order.
        self.mean_bwd_v = self.de_inv[self.edge][self.perm_v]
        self.mean_bwd_e = self.dv_inv[self.node]
        gen = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, feat, generator=gen)
        self.gy = torch.randn(n, feat, generator=gen)
        self.scores = torch.randn(nnz, heads, generator=gen)
        self.gs = torch.randn(nnz, heads, generator=gen)
        self.ws = torch.empty(m, feat)  # workspace for the hyperedge buffer
        self.native = _native

    def hypergraph(self) -> Any:
        from hgkit import Hypergraph

        return Hypergraph(torch.stack([self.node, self.edge]), num_nodes=self.n,
                          num_edges=self.m)


def _ptr(ids: Tensor, size: int) -> Tensor:
    ptr = torch.zeros(size + 1, dtype=torch.int64)
    torch.cumsum(torch.bincount(ids, minlength=size), 0, out=ptr[1:])
    return ptr


# --------------------------------------------------------------------------- methods
class _NativePair(torch.autograd.Function):
    """v2e then e2v on the compiled kernels; backward on the transposed structures."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, p: Problem, reduce: str, ws: bool) -> Tensor:  # type: ignore[override]
        nat = p.native
        ctx.p, ctx.reduce, ctx.ws = p, reduce, ws
        if reduce == "sum":
            e, _ = nat.spmm(p.ptr_e, p.col_e, p.a_inc, x, p.m, "sum", out=p.ws if ws else None)
            return nat.spmm(p.ptr_v, p.col_v, p.b_v, e, p.n, "sum")[0]
        if reduce == "mean":
            e, _ = nat.spmm(p.ptr_e, p.col_e, None, x, p.m, "mean")
            return nat.spmm(p.ptr_v, p.col_v, None, e, p.n, "mean")[0]
        arg1 = torch.empty(p.m, x.size(1), dtype=torch.int32)
        arg2 = torch.empty(p.n, x.size(1), dtype=torch.int32)
        e, _ = nat.spmm(p.ptr_e, p.col_e, None, x, p.m, reduce, arg_out=arg1)
        y, _ = nat.spmm(p.ptr_v, p.col_v, None, e, p.n, reduce, arg_out=arg2)
        ctx.save_for_backward(arg1, arg2)
        return y

    @staticmethod
    def backward(ctx: Any, gy: Tensor) -> tuple[Tensor, None, None, None]:  # type: ignore[override]
        p, nat, gy = ctx.p, ctx.p.native, gy.contiguous()
        if ctx.reduce == "sum":
            ge, _ = nat.spmm(p.ptr_e, p.col_e, p.b_inc, gy, p.m, "sum",
                             out=p.ws if ctx.ws else None)
            return nat.spmm(p.ptr_v, p.col_v, p.a_v, ge, p.n, "sum")[0], None, None, None
        if ctx.reduce == "mean":  # 1 / count of the forward rows, per source row
            ge, _ = nat.spmm(p.ptr_e, p.col_e, None, gy, p.m, "sum", src_scale=p.dv_inv)
            gx, _ = nat.spmm(p.ptr_v, p.col_v, None, ge, p.n, "sum", src_scale=p.de_inv)
            return gx, None, None, None
        arg1, arg2 = ctx.saved_tensors
        # stage 2 (rows = nodes) transposed = hyperedge-major; stage 1 transposed = node-major
        ge = nat.spmm_arg_backward(p.ptr_e, p.col_e, p.inv_v32, arg2, gy)
        gx = nat.spmm_arg_backward(p.ptr_v, p.col_v, p.perm_v32, arg1, ge)
        return gx, None, None, None


class _TorchCSR(torch.autograd.Function):
    """Y = A2 (A1 X) with torch sparse CSR (MKL); backward with cached transposes."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, mats: tuple[Tensor, ...]) -> Tensor:  # type: ignore[override]
        ctx.mats = mats
        return torch.sparse.mm(mats[1], torch.sparse.mm(mats[0], x))

    @staticmethod
    def backward(ctx: Any, gy: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        a1t, a2t = ctx.mats[2], ctx.mats[3]
        return torch.sparse.mm(a1t, torch.sparse.mm(a2t, gy.contiguous())), None


def _csr(ptr: Tensor, col: Tensor, val: Tensor, shape: tuple[int, int]) -> Tensor:
    return torch.sparse_csr_tensor(ptr, col, val, shape, check_invariants=False)


def _torch_csr(p: Problem, w1e: Tensor, w2v: Tensor, w1v: Tensor, w2e: Tensor
               ) -> Callable[[Tensor], Tensor]:
    """Stage 1 (M x N, hyperedge-major), stage 2 (N x M, node-major) and both transposes."""
    mats = (_csr(p.ptr_e, p.col_e, w1e, (p.m, p.n)), _csr(p.ptr_v, p.col_v, w2v, (p.n, p.m)),
            _csr(p.ptr_v, p.col_v, w1v, (p.n, p.m)), _csr(p.ptr_e, p.col_e, w2e, (p.m, p.n)))
    return lambda x: _TorchCSR.apply(x, mats)


def _index_add(p: Problem, w1: Tensor | None, w2: Tensor | None, s1: Tensor | None,
               s2: Tensor | None) -> Callable[[Tensor], Tensor]:
    """Gather + (weight) + index_add_ per stage, optional per-row scale (mean)."""
    def stage(x: Tensor, src: Tensor, dst: Tensor, size: int, w: Tensor | None,
              s: Tensor | None) -> Tensor:
        msg = x.index_select(0, src)
        if w is not None:
            msg = msg * w.unsqueeze(1)
        out = x.new_zeros(size, x.size(1)).index_add_(0, dst, msg)
        return out if s is None else out * s.unsqueeze(1)
    return lambda x: stage(stage(x, p.node, p.edge, p.m, w1, s1), p.edge, p.node, p.n, w2, s2)


def _scatter_reduce(p: Problem, reduce: str, w1: Tensor | None = None,
                    w2: Tensor | None = None) -> Callable[[Tensor], Tensor]:
    def stage(x: Tensor, src: Tensor, dst: Tensor, size: int, w: Tensor | None) -> Tensor:
        msg = x.index_select(0, src)
        if w is not None:
            msg = msg * w.unsqueeze(1)
        index = dst.unsqueeze(1).expand_as(msg)
        return x.new_zeros(size, x.size(1)).scatter_reduce(0, index, msg, reduce,
                                                            include_self=False)
    return lambda x: stage(stage(x, p.node, p.edge, p.m, w1), p.edge, p.node, p.n, w2)


def _index_reduce(p: Problem, reduce: str) -> Callable[[Tensor], Tensor]:
    def stage(x: Tensor, src: Tensor, dst: Tensor, size: int) -> Tensor:
        return x.new_zeros(size, x.size(1)).index_reduce(0, dst, x.index_select(0, src),
                                                         reduce, include_self=False)
    return lambda x: stage(stage(x, p.node, p.edge, p.m), p.edge, p.node, p.n)


def _torch_scatter_pair(p: Problem, reduce: str, w1: Tensor | None = None,
                        w2: Tensor | None = None) -> Callable[[Tensor], Tensor] | None:
    try:
        import torch_scatter
    except ImportError:
        return None

    def stage(x: Tensor, src: Tensor, dst: Tensor, size: int, w: Tensor | None) -> Tensor:
        msg = x.index_select(0, src)
        if w is not None:
            msg = msg * w.unsqueeze(1)
        return torch_scatter.scatter(msg, dst, 0, dim_size=size, reduce=reduce)
    return lambda x: stage(stage(x, p.node, p.edge, p.m, w1), p.edge, p.node, p.n, w2)


class _NativeSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, s: Tensor, p: Problem) -> Tensor:  # type: ignore[override]
        out = p.native.segment_softmax(p.ptr_e, s)
        ctx.p = p
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        (out,) = ctx.saved_tensors
        return ctx.p.native.segment_softmax_backward(ctx.p.ptr_e, out, g.contiguous()), None


def _scatter_softmax(p: Problem) -> Callable[[Tensor], Tensor]:
    """PyG-style: scatter_reduce amax (detached), exp, index_add_ sum, divide."""
    def fn(s: Tensor) -> Tensor:
        index = p.edge.unsqueeze(1).expand_as(s)
        top = s.new_zeros(p.m, s.size(1)).scatter_reduce(0, index, s.detach(), "amax",
                                                         include_self=False)
        out = (s - top.index_select(0, p.edge)).exp()
        total = s.new_zeros(p.m, s.size(1)).index_add_(0, p.edge, out)
        return out / total.index_select(0, p.edge)
    return fn


def methods(p: Problem, op: str) -> dict[str, Callable[[Tensor], Tensor]]:
    """name -> differentiable callable on the op's input (x, or the scores for softmax)."""
    from hgkit import ops

    hg = p.hypergraph()
    out: dict[str, Callable[[Tensor], Tensor] | None] = {}
    if op == "softmax":
        out["hgkit native"] = lambda s: _NativeSoftmax.apply(s, p)
        out["hgkit.ops"] = lambda s: ops.softmax(s, ptr=p.ptr_e)
        out["scatter_reduce"] = _scatter_softmax(p)
        try:
            import torch_scatter.composite as tsc

            out["torch_scatter"] = lambda s: tsc.scatter_softmax(s, p.edge, 0, dim_size=p.m)
        except ImportError:
            pass
        return {k: v for k, v in out.items() if v is not None}
    out["hgkit native"] = lambda x: _NativePair.apply(x, p, op, False)
    if op == "sum":
        out["hgkit native+ws"] = lambda x: _NativePair.apply(x, p, op, True)
        out["hgkit.ops"] = lambda x: ops.v2v(x, hg, "sum", v2e_weight=p.a_inc,
                                             e2v_weight=p.b_inc)
        out["torch CSR"] = _torch_csr(p, p.a_inc, p.b_v, p.a_v, p.b_inc)
        out["index_add"] = _index_add(p, p.a_inc, p.b_inc, None, None)
        out["scatter_reduce"] = _scatter_reduce(p, "sum", p.a_inc, p.b_inc)
        out["torch_scatter"] = _torch_scatter_pair(p, "sum", p.a_inc, p.b_inc)
    elif op == "mean":
        out["hgkit.ops"] = lambda x: ops.v2v(x, hg, "mean")
        out["torch CSR"] = _torch_csr(p, p.de_inv[p.edge], p.dv_inv[p.node][p.perm_v],
                                      p.mean_bwd_v, p.mean_bwd_e)
        out["index_add"] = _index_add(p, None, None, p.de_inv, p.dv_inv)
        out["scatter_reduce"] = _scatter_reduce(p, "mean")
        out["torch_scatter"] = _torch_scatter_pair(p, "mean")
    else:
        out["hgkit.ops"] = lambda x: ops.v2v(x, hg, op)
        out["scatter_reduce"] = _scatter_reduce(p, "amax" if op == "max" else "amin")
        out["index_reduce"] = _index_reduce(p, "amax" if op == "max" else "amin")
        out["torch_scatter"] = _torch_scatter_pair(p, op)
    return {k: v for k, v in out.items() if v is not None}


# --------------------------------------------------------------------------- measuring
def _clock(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def bandwidth(repeats: int) -> dict[str, float]:
    """Streaming triad GB/s and random 256-byte row gathers (M rows/s), medians."""
    n = 32 * 2**20  # 128 MiB per float32 array
    arrays = torch.empty(n), torch.rand(n), torch.rand(n)

    def triad_once() -> None:
        torch.add(arrays[1], arrays[2], alpha=0.5, out=arrays[0])

    triad_once()
    triad = statistics.median(_clock(triad_once) for _ in range(repeats))
    src = torch.randn(1_000_000, ROW_BYTES // 4)
    idx = torch.from_numpy(np.random.default_rng(1).integers(0, src.size(0), 4_000_000))
    buf = torch.empty(idx.numel(), src.size(1))
    torch.index_select(src, 0, idx, out=buf)
    gather = statistics.median(_clock(lambda: torch.index_select(src, 0, idx, out=buf))
                               for _ in range(repeats))
    return {"triad_gb_s": 3 * n * 4 / triad / 1e6,
            "gather_rows_per_s": idx.numel() / gather * 1e3,
            "gather_gb_s": idx.numel() * ROW_BYTES / gather / 1e6}


def _peak_mb(fn: Callable[[], Any]) -> float | None:
    """Peak resident memory above the current level while ``fn`` runs (Linux only)."""
    try:
        rss, _ = _status_mb()
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return None
    fn()
    return max(0.0, _status_mb()[1] - rss)


def measure(p: Problem, op: str, repeats: int) -> dict[str, dict[str, Any]]:
    """Interleaved medians of fwd and fwd+bwd for every method of ``op``."""
    fns = methods(p, op)
    x, g = (p.scores, p.gs) if op == "softmax" else (p.x, p.gy)

    def fwd(fn: Callable[[Tensor], Tensor]) -> Callable[[], Any]:
        def run() -> None:
            with torch.no_grad():
                fn(x)
        return run

    def fwd_bwd(fn: Callable[[Tensor], Tensor]) -> Callable[[], Any]:
        def run() -> None:
            leaf = x.detach().requires_grad_()
            fn(leaf).backward(g)
        return run

    times: dict[str, dict[str, list[float]]] = {k: {"fwd": [], "fwd_bwd": []} for k in fns}
    for rep in range(repeats + 1):  # the first round is a warm-up
        for kind, wrap in (("fwd", fwd), ("fwd_bwd", fwd_bwd)):
            for name, fn in fns.items():
                ms = _clock(wrap(fn))
                if rep:
                    times[name][kind].append(ms)
    result = {}
    for name, fn in fns.items():
        result[name] = {"times": times[name], "peak_mb": _peak_mb(fwd_bwd(fn))}
    return result


def check_agreement(p: Problem, op: str) -> float:
    """Largest relative difference between any method and the first one (sanity check)."""
    fns = methods(p, op)
    x = p.scores if op == "softmax" else p.x
    with torch.no_grad():
        outs = [fn(x) for fn in fns.values()]
    scale = outs[0].abs().max().clamp(min=1e-30)
    return max(float((o - outs[0]).abs().max() / scale) for o in outs)


# ---------------------------------------------------------------------------- reporting
def _records(size: str, op: str, res: dict[str, dict[str, Any]], bw: dict[str, float],
             nnz: int) -> list[dict[str, Any]]:
    records = []
    for kind in ("fwd", "fwd_bwd"):
        alt = [statistics.median(r["times"][kind]) for name, r in res.items()
               if name not in HGKIT]
        best = min(alt) if alt else None
        rows = (2 if kind == "fwd" else 4) * nnz if op != "softmax" else None
        for name, r in res.items():
            t = r["times"][kind]
            med = statistics.median(t)
            bound = None if rows is None else rows / bw["gather_rows_per_s"] * 1e3 / med
            records.append({
                "task": "kernels", "dataset": size, "model": f"{op}: {name}", "op": op,
                "method": name, "metric": f"{kind}_ms", "mean": round(statistics.fmean(t), 3),
                "std": round(statistics.pstdev(t), 3), "median": round(med, 3),
                "runs": len(t), "published": None, "seconds": round(med / 1e3, 6),
                "peak_mb": None if r["peak_mb"] is None else round(r["peak_mb"], 1),
                "ratio_vs_best_alternative": None if best is None else round(best / med, 3),
                "gather_bound_fraction": None if bound is None else round(bound, 3),
            })
    return records


def table(records: list[dict[str, Any]]) -> str:
    lines = ["| size | op | method | fwd ms | fwd+bwd ms | vs best alt (fwd / fwd+bwd) | "
             "gather bound % (fwd / fwd+bwd) | peak MB |", "|---|---|---|---|---|---|---|---|"]
    rows: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for r in records:
        if r["task"] == "kernels":
            rows.setdefault((r["dataset"], r["op"], r["method"]), {})[r["metric"]] = r

    def ratio(r: dict[str, Any]) -> str:
        v = r["ratio_vs_best_alternative"]
        return "-" if v is None else f"{v:.2f}x"

    def bound(r: dict[str, Any]) -> str:
        v = r["gather_bound_fraction"]
        return "-" if v is None else f"{100 * v:.0f}"

    def ms(v: float) -> str:
        return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 10 else f"{v:.1f}"

    for (size, op, name), m in rows.items():
        f, fb = m["fwd_ms"], m["fwd_bwd_ms"]
        peak = "-" if fb["peak_mb"] is None else f"{fb['peak_mb']:.0f}"
        lines.append(f"| {size} | {op} | {name} | {ms(f['median'])} | {ms(fb['median'])} | "
                     f"{ratio(f)} / {ratio(fb)} | {bound(f)} / {bound(fb)} | {peak} |")
    return "\n".join(lines)


def targets(records: list[dict[str, Any]]) -> str:
    """The issue's speed targets, evaluated on the fwd+bwd medians."""
    med = {(r["dataset"], r["op"], r["method"], r["metric"]): r for r in records
           if r["task"] == "kernels"}
    out = []
    for (size, op, name, metric), r in med.items():
        if name not in ("hgkit native", "hgkit.ops") or metric != "fwd_bwd_ms":
            continue
        if op in ("sum", "mean") and size in ("medium", "large"):
            ref = med.get((size, op, "torch CSR", metric))
            if ref:
                ratio = ref["median"] / r["median"]
                out.append(f"{size} {op} {name}: {ratio:.2f}x vs torch CSR (target >= 1.3x): "
                           f"{'met' if ratio >= 1.3 else 'MISSED'}")
        if op in ("max", "softmax"):
            for alt in ("scatter_reduce", "torch_scatter"):
                ref = med.get((size, op, alt, metric))
                if ref:
                    ratio = ref["median"] / r["median"]
                    out.append(f"{size} {op} {name}: {ratio:.2f}x vs {alt} (target >= 3x): "
                               f"{'met' if ratio >= 3 else 'MISSED'}")
        if op == "sum" and size == "large" and r["gather_bound_fraction"] is not None:
            frac = r["gather_bound_fraction"]
            out.append(f"large sum {name}: {100 * frac:.0f}% of the gather bound fwd+bwd "
                       f"(target >= 60%): {'met' if frac >= 0.6 else 'MISSED'}")
    return "\n".join(out)


def run(sizes: list[str], ops_: list[str], repeats: int, seed: int, feat: int, heads: int,
        progress: bool = True) -> list[dict[str, Any]]:
    from hgkit._env import env_record
    from hgkit.ops import _native

    if not _native.available():
        raise SystemExit("the compiled kernels are unavailable; nothing to compare")
    bw = bandwidth(repeats)
    if progress:
        print(f"bandwidth: triad {bw['triad_gb_s']:.1f} GB/s, gather "
              f"{bw['gather_rows_per_s'] / 1e6:.1f} M rows/s ({bw['gather_gb_s']:.1f} GB/s)",
              file=sys.stderr)
    records: list[dict[str, Any]] = []
    for size in sizes:
        p = Problem(*SIZES[size], seed=seed, feat=feat, heads=heads)
        for op in ops_:
            start = time.perf_counter()
            diff = check_agreement(p, op)
            if diff > 1e-4:
                raise RuntimeError(f"{size} {op}: methods disagree (max rel diff {diff:.2e})")
            res = measure(p, op, repeats)
            records += _records(size, op, res, bw, p.nnz)
            if progress:
                print(f"{size} {op}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
        del p
    bw_after = bandwidth(repeats)
    env = env_record()
    env.update(bandwidth_before=bw, bandwidth_after=bw_after, features=feat, heads=heads,
               repeats=repeats, seed=seed, sizes={s: SIZES[s] for s in sizes},
               library=str(_native.library_path()))
    records.append(env)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kernels",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tune-allocator", action="store_true",
                        help="call hgkit.ops._native.tune_allocator() first (all methods)")
    parser.add_argument("--json", metavar="PATH", default=None)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    ops_ = [o for o in args.ops.split(",") if o]
    for s in sizes:
        if s not in SIZES:
            parser.error(f"--sizes: unknown size {s!r} (choose from {list(SIZES)})")
    for o in ops_:
        if o not in OPS:
            parser.error(f"--ops: unknown op {o!r} (choose from {list(OPS)})")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1 (got {args.repeats})")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.tune_allocator:
        from hgkit.ops import _native

        _native.tune_allocator()
    records = run(sizes, ops_, args.repeats, args.seed, args.features, args.heads,
                  progress=not args.no_progress)
    records[-1]["tune_allocator"] = args.tune_allocator
    print(table(records))
    print()
    print(targets(records))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
