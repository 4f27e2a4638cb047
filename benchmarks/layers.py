r"""A 2-layer HGNN, forward + backward: hgkit against DHG and PyG, in time and in memory.

Run from the repository root::

    python -m benchmarks.layers --json benchmarks/results/layers.json
    python -m benchmarks.layers --mode memory --with-dhg-memory   # adds DHG: ~11.5 GB, ~5 min

**Model** (every method): ``conv(64 -> 64) -> ReLU -> conv(64 -> 16)`` on 64 random float32
features, no dropout, training mode. A step is the forward pass, cross-entropy on random labels
(16 classes) and ``backward()``; gradients are set to ``None`` before it, outside the clock.
``hgkit``: 2 x :class:`hgkit.layers.HGNNConv` on an :class:`hgkit.Hypergraph` (normalization
and CSR structures cached on it by the first step). ``dhg``: ``dhg.models.HGNN(64, 64, 16,
drop_rate=0)`` (2 x ``dhg.nn.HGNNConv``, ``is_last`` on the second) on a ``dhg.Hypergraph``,
which smooths with its cached sparse ``N x N`` matrix ``L_HGNN``. ``pyg``: 2 x
``torch_geometric.nn.HypergraphConv`` on the ``hyperedge_index`` (degrees recomputed per call).

hgkit and DHG compute the same :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2} (X\Theta + b)`,
checked once per size with copied weights (``max abs diff``, forward). PyG computes
:math:`D^{-1} H W B^{-1} H^\top X\Theta + b` (row-normalized, bias after propagation): the same
cost class (two sparse passes), other numbers. It is checked against hgkit
:class:`~hgkit.layers.HGNNPConv` layers with copied weights on the nodes of degree > 0.

**Hypergraphs** (``--sizes``; hyperedges with the member set of an earlier one are dropped,
since DHG merges them): ``2.7k`` = cocitation Cora (``allset-cocitation-cora`` under
``--data-root``, 2,708 nodes, 1,579 hyperedges, 4,786 incidences; without it a random stand-in
with hyperedges of size 2-4); ``100k`` = 100,000 nodes, 50,000 hyperedges of size 2-14 (~400k
incidences); ``1M`` = 1,000,000 nodes, 500,000 hyperedges of size 2-14 (~4M); memory mode:
50,000 nodes, 50,000 hyperedges of size 2-8 plus ten of 5,000 nodes (~300k). Random hyperedges
(:func:`hgkit.hypergraph.generate.gnm`, seed ``--seed``) have a uniform size in the range and
distinct uniform members; ``--edge-size LO,HI`` sets the range of ``100k`` and ``1M``.

**Speed mode**: all methods of a size in one process, each warmed up on an 8-node hypergraph
first. Each builds its structure (``build s``: ``hgkit.Hypergraph(index, N, M)``,
``dhg.Hypergraph(N, edge_list)``, nothing for PyG) and runs a cold step (``cold ms``, caches
included; ``cold MB``: peak RSS above the level before it, in the shared process, indicative).
A method whose cold step exceeds ``--time-cap`` seconds is skipped for the rest of that size and
the larger ones (said so). Then one warm-up step each and ``--repeats`` interleaved rounds
(hgkit, DHG, PyG, hgkit, ...); times are medians, ``x hgkit`` = method median / hgkit median
(speedup records also give mean and std of the per-round ratios). The env record holds the
load average at the start and the end; a note is printed if the machine was busy at the start.

**Memory mode**: each method in a fresh subprocess (peaks do not mix) that loads the hypergraph
saved by the parent, warms up, builds structure, model, features and labels, reads ``VmRSS``
(``base MB``), resets the peak counter (``/proc/self/clear_refs``) and runs a cold and a warm
step. ``peak MB`` = ``VmHWM`` over the two steps (absolute: torch and the library included);
``extra MB`` = peak - base. DHG (about 11.5 GB, 5 minutes) only runs with ``--with-dhg-memory``.

Targets (layers issue): hgkit's memory-mode peak < 0.6 GB (600 MiB, absolute); at ``100k``
hgkit >= 8x faster than DHG and >= 3x faster than PyG (ratio of the medians).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmarks.hypergraph_build import _reset_peak, _status_mb

FEATURES, HIDDEN, CLASSES = 64, 64, 16
METHODS = ("hgkit", "dhg", "pyg")
SPEED_SIZES = ("2.7k", "100k", "1M")
RANDOM_SIZES = {"100k": (100_000, 50_000), "1M": (1_000_000, 500_000)}
MEMORY_LABEL = "50k+10x5000"
MEMORY_SIZE = (50_000, 50_000, (2, 8), 10, 5_000)  # N, M, sizes, giant count, giant size
TARGET_PEAK_MB = 600.0
TARGET_SPEEDUP = {"dhg": 8.0, "pyg": 3.0}
TARGET_SIZE = "100k"
CORA = "allset-cocitation-cora"

warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support.*")
warnings.filterwarnings("ignore", message=".*Sparse invariant checks.*")


def _log(msg: str, progress: bool = True) -> None:
    if progress:
        print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- hypergraphs
@dataclass
class Data:
    """Incidences sorted by hyperedge then node (NumPy int64), and how they were made."""

    label: str
    num_nodes: int
    num_edges: int
    node: np.ndarray
    edge: np.ndarray
    source: str
    dropped: int = 0

    @property
    def nnz(self) -> int:
        return int(self.node.size)

    def describe(self) -> str:
        return (f"{self.label}: {self.num_nodes:,} nodes, {self.num_edges:,} hyperedges, "
                f"{self.nnz:,} incidences ({self.source}; {self.dropped} duplicates dropped)")


def _dedupe(node: np.ndarray, edge: np.ndarray, num_edges: int, width: int = 16
            ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Drop hyperedges whose member set repeats an earlier one (DHG merges them).

    Input sorted by (hyperedge, node). Hyperedges larger than ``width`` are kept as they are
    (random ones that large never repeat). Returns (node, edge, num_edges, dropped).
    """
    size = np.bincount(edge, minlength=num_edges)
    ptr = np.concatenate([[0], np.cumsum(size)])
    small = np.flatnonzero(size <= width)
    pos = np.arange(node.size) - ptr[edge]
    pad = np.full((num_edges, width), -1, dtype=np.int64)
    inc = size[edge] <= width
    pad[edge[inc], pos[inc]] = node[inc]
    _, first = np.unique(pad[small], axis=0, return_index=True)
    keep = np.ones(num_edges, dtype=bool)
    keep[small] = False
    keep[small[first]] = True
    dropped = int(num_edges - keep.sum())
    if dropped == 0:
        return node, edge, num_edges, 0
    new_id = np.cumsum(keep) - 1
    mask = keep[edge]
    return node[mask], new_id[edge[mask]], int(keep.sum()), dropped


def _random(label: str, n: int, m: int, sizes: tuple[int, int], seed: int,
            giant: tuple[int, int] | None = None) -> Data:
    from hgkit.hypergraph import generate

    idx = generate.gnm(n, m, edge_size=sizes, seed=seed).hyperedge_index.numpy()
    node, edge = idx[0], idx[1]
    source = f"random: {m:,} hyperedges of size {sizes[0]}-{sizes[1]}"
    if giant is not None:
        count, gsize = giant
        big = generate.gnm(n, count, edge_size=gsize, seed=seed + 1).hyperedge_index.numpy()
        node, edge = np.concatenate([node, big[0]]), np.concatenate([edge, big[1] + m])
        m += count
        source += f" + {count} of {gsize:,} nodes"
    node, edge, m, dropped = _dedupe(node, edge, m)
    return Data(label, n, m, node, edge, source + f" (seed {seed})", dropped)


def _cora(root: Path, seed: int) -> Data:
    try:
        from hgkit import datasets

        with tempfile.TemporaryDirectory() as cache:
            ds = datasets.load(CORA, root=root, download=False, cache=cache, progress=False,
                               features=False)
        hg = ds.hypergraph
        order = np.lexsort((hg.hyperedge_index[0].numpy(), hg.hyperedge_index[1].numpy()))
        node = hg.hyperedge_index[0].numpy()[order]
        edge = hg.hyperedge_index[1].numpy()[order]
        node, edge, m, dropped = _dedupe(node, edge, hg.num_edges, width=int(
            hg.edge_size.max()))
        return Data("2.7k", hg.num_nodes, m, node, edge, f"{CORA} ({root})", dropped)
    except Exception as exc:  # noqa: BLE001 - any failure falls back to the random stand-in
        data = _random("2.7k", 2_708, 1_579, (2, 4), seed)
        data.source += f"; {CORA} unavailable: {type(exc).__name__}"
        return data


def make_data(label: str, seed: int, root: Path, edge_size: tuple[int, int]) -> Data:
    if label == "2.7k":
        return _cora(root, seed)
    if label == MEMORY_LABEL:
        n, m, sizes, count, gsize = MEMORY_SIZE
        return _random(label, n, m, sizes, seed, giant=(count, gsize))
    n, m = RANDOM_SIZES[label]
    return _random(label, n, m, edge_size, seed)


# --------------------------------------------------------------------------------- methods
class Stack(nn.Module):
    """``conv2(relu(conv1(x, ...)), ...)``: the 2-layer model around any pair of convs."""

    def __init__(self, conv1: nn.Module, conv2: nn.Module) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv1, conv2

    def forward(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return self.conv2(F.relu(self.conv1(x, *args, **kwargs)), *args, **kwargs)


@dataclass
class Runner:
    name: str
    model: nn.Module
    graph: Any
    call: Callable[[Tensor], Tensor]
    build_s: float


def available(name: str) -> bool:
    try:
        __import__({"hgkit": "hgkit", "dhg": "dhg", "pyg": "torch_geometric"}[name])
        return True
    except ImportError:
        return False


def build(name: str, data: Data) -> Runner:
    """The method's hypergraph structure (timed) and its 2-layer model."""
    n, m = data.num_nodes, data.num_edges
    index = torch.from_numpy(np.stack([data.node, data.edge]))
    if name == "hgkit":
        from hgkit import Hypergraph
        from hgkit.layers import HGNNConv

        start = time.perf_counter()
        graph = Hypergraph(index, num_nodes=n, num_edges=m)
        build_s = time.perf_counter() - start
        model = Stack(HGNNConv(FEATURES, HIDDEN), HGNNConv(HIDDEN, CLASSES))
        return Runner(name, model, graph, lambda x: model(x, graph), build_s)
    if name == "dhg":
        import dhg

        ptr = np.concatenate([[0], np.cumsum(np.bincount(data.edge, minlength=m))])
        members = data.node.tolist()
        edges = [members[ptr[i]:ptr[i + 1]] for i in range(m)]
        start = time.perf_counter()
        graph = dhg.Hypergraph(n, edges)
        build_s = time.perf_counter() - start
        model = dhg.models.HGNN(FEATURES, HIDDEN, CLASSES, drop_rate=0.0)
        return Runner(name, model, graph, lambda x: model(x, graph), build_s)
    if name == "pyg":
        from torch_geometric.nn import HypergraphConv

        model = Stack(HypergraphConv(FEATURES, HIDDEN), HypergraphConv(HIDDEN, CLASSES))
        return Runner(name, model, index, lambda x: model(x, index, num_edges=m), 0.0)
    raise ValueError(f"unknown method {name!r} (choose from {list(METHODS)})")


def inputs(data: Data, seed: int) -> tuple[Tensor, Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(data.num_nodes, FEATURES, generator=gen)
    y = torch.randint(0, CLASSES, (data.num_nodes,), generator=gen)
    return x, y


def step(runner: Runner, x: Tensor, y: Tensor) -> float:
    """One forward + cross-entropy + backward; milliseconds."""
    runner.model.zero_grad(set_to_none=True)
    start = time.perf_counter()
    F.cross_entropy(runner.call(x), y).backward()
    return (time.perf_counter() - start) * 1e3


def _warm_up(name: str, seed: int) -> None:
    """Two steps on an 8-node hypergraph: loads kernels and initializes autograd."""
    tiny = Data("tiny", 8, 3, np.array([0, 1, 2, 2, 3, 4, 5, 6]),
                np.array([0, 0, 0, 1, 1, 1, 2, 2]), "warm-up")
    runner = build(name, tiny)
    x, y = inputs(tiny, seed)
    step(runner, x, y)
    step(runner, x, y)


def _pairs(runner: Runner) -> list[tuple[Tensor, Tensor | None]]:
    """(weight [out, in], bias) of the two layers of a runner's model."""
    if runner.name == "dhg":
        return [(layer.theta.weight, layer.theta.bias) for layer in runner.model.layers]
    if runner.name == "pyg":
        return [(c.lin.weight, c.bias) for c in (runner.model.conv1, runner.model.conv2)]
    return [(c.weight, c.bias) for c in (runner.model.conv1, runner.model.conv2)]


def agreement(runners: dict[str, Runner], data: Data, x: Tensor) -> dict[str, float]:
    """Max |diff| of DHG vs hgkit and PyG vs hgkit HGNNPConv (degree > 0), copied weights."""
    from hgkit.layers import HGNNPConv

    out: dict[str, float] = {}
    ref = runners.get("hgkit")
    if ref is None:
        return out
    with torch.no_grad():
        mine = ref.call(x)
        if "dhg" in runners:
            for (w, b), (w2, b2) in zip(_pairs(runners["dhg"]), _pairs(ref), strict=True):
                w.copy_(w2)
                b.copy_(b2)
            out["dhg"] = float((runners["dhg"].call(x) - mine).abs().max())
        if "pyg" in runners:
            twin = Stack(HGNNPConv(FEATURES, HIDDEN), HGNNPConv(HIDDEN, CLASSES))
            for (w, b), (w2, b2) in zip(_pairs(Runner("hgkit", twin, None, None, 0.0)),
                                        _pairs(runners["pyg"]), strict=True):
                w.copy_(w2)
                b.copy_(b2)
            live = torch.from_numpy(np.bincount(data.node, minlength=data.num_nodes) > 0)
            diff = (runners["pyg"].call(x) - twin(x, ref.graph))[live]
            out["pyg"] = float(diff.abs().max()) if diff.numel() else 0.0
    out["scale"] = float(mine.abs().max())
    return out


# ------------------------------------------------------------------------------ speed mode
def speed(sizes: list[str], methods: list[str], repeats: int, seed: int, root: Path,
          edge_size: tuple[int, int], cap_s: float, progress: bool = True
          ) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    dead: dict[str, str] = {}
    for name in methods:  # one-time initialization (kernels, autograd threads), not timed
        _warm_up(name, seed)
    for label in sizes:
        data = make_data(label, seed, root, edge_size)
        _log(data.describe(), progress)
        x, y = inputs(data, seed)
        runners: dict[str, Runner] = {}
        info: dict[str, dict[str, Any]] = {}
        for name in methods:
            if name in dead:
                info[name] = {"skipped": dead[name]}
                _log(f"  {name}: skipped ({dead[name]})", progress)
                continue
            torch.manual_seed(seed)
            runner = build(name, data)
            gc.collect()
            rss, _ = _status_mb()
            reset = _reset_peak()
            cold = step(runner, x, y)
            cold_mb = max(0.0, _status_mb()[1] - rss) if reset else None
            info[name] = {"build_s": runner.build_s, "cold_ms": cold, "cold_mb": cold_mb}
            _log(f"  {name}: build {runner.build_s:.2f} s, cold step {cold / 1e3:.2f} s", progress)
            if cold > cap_s * 1e3:
                dead[name] = (f"cold step {cold / 1e3:.1f} s > --time-cap {cap_s:g} s at "
                              f"{label}")
                info[name]["skipped"] = dead[name]
                _log(f"  {name}: {dead[name]}: no repeats here, skipped at larger sizes",
                     progress)
                del runner
                gc.collect()
                continue
            runners[name] = runner
        diffs = agreement(runners, data, x)
        for runner in runners.values():
            step(runner, x, y)  # warm-up
        times: dict[str, list[float]] = {name: [] for name in runners}
        for rep in range(repeats if runners else 0):
            for name, runner in runners.items():
                times[name].append(step(runner, x, y))
            _log(f"  round {rep + 1}/{repeats}: " + ", ".join(
                f"{k} {v[-1]:.1f} ms" for k, v in times.items()), progress)
        records += _speed_records(data, info, times, diffs)
        del runners, x, y, data
        gc.collect()
    return records


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _base(data: Data) -> dict[str, Any]:
    return {"task": "layers", "dataset": data.label, "nodes": data.num_nodes,
            "edges": data.num_edges, "nnz": data.nnz, "source": data.source,
            "duplicates_dropped": data.dropped, "published": None}


def _speed_records(data: Data, info: dict[str, dict[str, Any]],
                   times: dict[str, list[float]], diffs: dict[str, float]
                   ) -> list[dict[str, Any]]:
    base, records = _base(data), []
    for name, meta in info.items():
        t = times.get(name, [])
        med = statistics.median(t) if t else None
        records.append({
            **base, "model": name, "metric": "fwd_bwd_ms",
            "mean": _round(statistics.fmean(t) if t else None, 3),
            "std": _round(statistics.pstdev(t) if t else None, 3),
            "median": _round(med, 3), "runs": len(t),
            "seconds": _round(None if med is None else med / 1e3, 6),
            "peak_mb": _round(meta.get("cold_mb"), 1), "cold_ms": _round(meta.get("cold_ms"), 3),
            "build_s": _round(meta.get("build_s"), 4), "max_abs_diff": diffs.get(name),
            "output_scale": diffs.get("scale"), "skipped": meta.get("skipped"),
        })
    ref = times.get("hgkit")
    for alt in ("dhg", "pyg"):
        other = times.get(alt)
        if not ref or not other:
            continue
        per_round = [o / h for o, h in zip(other, ref, strict=True)]
        target = TARGET_SPEEDUP[alt] if data.label == TARGET_SIZE else None
        records.append({
            **base, "model": "hgkit", "metric": f"speedup_vs_{alt}",
            "mean": round(statistics.fmean(per_round), 3),
            "std": round(statistics.pstdev(per_round), 3),
            "median": round(statistics.median(per_round), 3), "runs": len(per_round),
            "ratio_of_medians": round(statistics.median(other) / statistics.median(ref), 3),
            "target": target, "seconds": None, "peak_mb": None,
        })
    return records


# ----------------------------------------------------------------------------- memory mode
def _memory_worker(name: str, folder: str, seed: int) -> dict[str, Any]:
    meta = json.loads(Path(folder, "meta.json").read_text())
    _warm_up(name, seed)
    data = Data(meta["label"], meta["num_nodes"], meta["num_edges"],
                np.load(Path(folder, "node.npy")), np.load(Path(folder, "edge.npy")),
                meta["source"])
    x, y = inputs(data, seed)
    torch.manual_seed(seed)
    runner = build(name, data)
    gc.collect()
    base, setup_peak = _status_mb()
    reset = _reset_peak()
    cold = step(runner, x, y)
    warm_ms = step(runner, x, y)
    _, peak = _status_mb()
    return {"method": name, "base_mb": base, "setup_peak_mb": setup_peak, "peak_mb": peak,
            "extra_mb": peak - base, "cold_ms": cold, "warm_ms": warm_ms,
            "build_s": runner.build_s, "peak_reset": reset, "threads": torch.get_num_threads()}


def memory(methods: list[str], seed: int, threads: int | None, progress: bool = True
           ) -> list[dict[str, Any]]:
    data = make_data(MEMORY_LABEL, seed, Path("."), (2, 8))
    _log(data.describe(), progress)
    root = Path(__file__).resolve().parents[1]
    records = []
    with tempfile.TemporaryDirectory() as folder:
        np.save(Path(folder, "node.npy"), data.node)
        np.save(Path(folder, "edge.npy"), data.edge)
        Path(folder, "meta.json").write_text(json.dumps({
            "label": data.label, "num_nodes": data.num_nodes, "num_edges": data.num_edges,
            "source": data.source}))
        for name in methods:
            cmd = [sys.executable, "-m", "benchmarks.layers", "--worker-memory", name, folder,
                   "--seed", str(seed)]
            if threads:
                cmd += ["--threads", str(threads)]
            _log(f"  {name}: fresh subprocess ...", progress)
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=root)
            if done.returncode != 0:  # e.g. killed for memory: report it, keep the others
                last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
                reason = f"worker exited with {done.returncode}: {last}"
                _log(f"  {name}: {reason}", progress)
                records.append({**_base(data), "model": name, "metric": "peak_mb",
                                "mean": None, "runs": 0, "skipped": reason})
                continue
            res = json.loads(done.stdout.strip().splitlines()[-1])
            _log(f"  {name}: peak {res['peak_mb']:.0f} MB (extra {res['extra_mb']:.0f} MB), "
                 f"cold step {res['cold_ms'] / 1e3:.2f} s, subprocess "
                 f"{time.perf_counter() - start:.1f} s", progress)
            rec = {**_base(data), "model": name, "metric": "peak_mb",
                   "mean": round(res["peak_mb"], 1), "std": 0.0, "runs": 1,
                   "seconds": round(res["cold_ms"] / 1e3, 4), "peak_reset": res["peak_reset"],
                   "target": TARGET_PEAK_MB if name == "hgkit" else None}
            rec.update({k: round(res[k], 1) for k in ("peak_mb", "extra_mb", "base_mb",
                                                      "setup_peak_mb")})
            records.append({**rec, **{k: round(res[k], 3) for k in ("cold_ms", "warm_ms",
                                                                     "build_s")}})
    return records


# ------------------------------------------------------------------------------- reporting
def _ms(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:,.0f}"


def table(records: list[dict[str, Any]]) -> str:
    """Markdown tables (speed, then memory) and the targets."""
    out = []
    speed_rows = [r for r in records if r["task"] == "layers" and r["metric"] == "fwd_bwd_ms"]
    ratios = {(r["dataset"], r["metric"]): r for r in records
              if r["task"] == "layers" and r["metric"].startswith("speedup_vs_")}
    medians = {(r["dataset"], r["model"]): r["median"] for r in speed_rows}
    if speed_rows:
        out += ["| size | nodes / hyperedges / incidences | method | build s | cold ms | "
                "cold MB | fwd+bwd ms (median) | ± std | x hgkit | max abs diff |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in speed_rows:
            hg = medians.get((r["dataset"], "hgkit"))
            rel = ("-" if r["median"] is None or not hg else f"{r['median'] / hg:.2f}x")
            diff = "-" if r["max_abs_diff"] is None else f"{r['max_abs_diff']:.1e}"
            med = _ms(r["median"]) if r["skipped"] is None else "skipped"
            build_s = "-" if r["build_s"] is None else f"{r['build_s']:.2f}"
            mb = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
            std = "-" if r["std"] is None else _ms(r["std"])
            shape = f"{r['nodes']:,} / {r['edges']:,} / {r['nnz']:,}"
            row = (f"| {r['dataset']} | {shape} | {r['model']} | {build_s} | {_ms(r['cold_ms'])} "
                   f"| {mb} | {med} | {std} | {rel} | {diff} |")
            out.append(row)
        out.append("")
        out += [f"{r['dataset']} {r['model']} skipped: {r['skipped']}" for r in speed_rows
                if r["skipped"]]
        out.append("max abs diff: dhg vs hgkit (same function, copied weights); pyg vs hgkit "
                   "HGNNPConv on the nodes of degree > 0 (PyG normalizes D^-1 H B^-1 H^T, "
                   "not symmetrically).")
        for (size, metric), r in ratios.items():
            alt = metric.removeprefix("speedup_vs_")
            line = (f"{size}: hgkit is {r['ratio_of_medians']:.2f}x faster than {alt} "
                    f"(per-round ratio {r['mean']:.2f} ± {r['std']:.2f})")
            if r["target"] is not None:
                ok = r["ratio_of_medians"] >= r["target"]
                line += f"; target >= {r['target']:g}x: {'met' if ok else 'MISSED'}"
            out.append(line)
    mem = [r for r in records if r["task"] == "layers" and r["metric"] == "peak_mb"]
    if mem:
        if out:
            out.append("")
        out += ["| hypergraph | method | base MB | peak MB | extra MB | cold step s | "
                "warm step ms | target |", "|---|---|---|---|---|---|---|---|"]
        for r in mem:
            if r.get("skipped"):
                out.append(f"| {r['dataset']} | {r['model']} | failed: {r['skipped']} |")
                continue
            target = ""
            if r["target"] is not None:
                target = (f"< {r['target']:g} MB: "
                          f"{'met' if r['peak_mb'] < r['target'] else 'MISSED'}")
            out.append(f"| {r['dataset']} ({r['nnz']:,} incidences) | {r['model']} | "
                       f"{r['base_mb']:.0f} | {r['peak_mb']:.0f} | {r['extra_mb']:.0f} | "
                       f"{r['cold_ms'] / 1e3:.2f} | {_ms(r['warm_ms'])} | {target} |")
    return "\n".join(out)


def _edge_size(text: str) -> tuple[int, int]:
    lo, hi = (int(v) for v in text.split(","))
    if not 1 <= lo <= hi:
        raise ValueError(text)
    return lo, hi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("speed", "memory", "all"), default="all")
    parser.add_argument("--sizes", default=",".join(SPEED_SIZES))
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="subset of hgkit,dhg,pyg (missing libraries are skipped)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--time-cap", type=float, default=120.0, metavar="SECONDS",
                        help="skip a method whose cold step takes longer (speed mode)")
    parser.add_argument("--edge-size", default="2,14", metavar="LO,HI",
                        help="hyperedge size range of the random 100k and 1M sizes")
    parser.add_argument("--data-root", default="../shared/datasets")
    parser.add_argument("--with-dhg-memory", action="store_true",
                        help="also run DHG in memory mode (about 11.5 GB and 5 minutes)")
    parser.add_argument("--json", metavar="PATH", default=None)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--worker-memory", nargs=2, metavar=("METHOD", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.worker_memory:
        print(json.dumps(_memory_worker(*args.worker_memory, seed=args.seed)))
        return 0
    sizes = [s for s in args.sizes.split(",") if s]
    for s in sizes:
        if s not in SPEED_SIZES:
            parser.error(f"--sizes: unknown size {s!r} (choose from {list(SPEED_SIZES)})")
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            parser.error(f"--methods: unknown method {m!r} (choose from {list(METHODS)})")
    if "hgkit" not in methods:
        parser.error("--methods must include hgkit (the ratios are relative to it)")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1 (got {args.repeats})")
    try:
        edge_size = _edge_size(args.edge_size)
    except ValueError:
        parser.error(f"--edge-size must be LO,HI with 1 <= LO <= HI (got {args.edge_size!r})")
    progress = not args.no_progress
    missing = [m for m in methods if not available(m)]
    for m in missing:
        _log(f"{m}: not installed, skipped", progress)
    methods = [m for m in methods if m not in missing]
    _log(f"model: conv({FEATURES} -> {HIDDEN}) -> ReLU -> conv({HIDDEN} -> {CLASSES}), "
         "no dropout; step = forward + cross-entropy + backward", progress)
    records: list[dict[str, Any]] = []
    load_start = os.getloadavg()
    if args.mode in ("speed", "all"):
        records += speed(sizes, methods, args.repeats, args.seed, Path(args.data_root),
                         edge_size, args.time_cap, progress)
    if args.mode in ("memory", "all"):
        mem_methods = list(methods)
        if "dhg" in mem_methods and not args.with_dhg_memory:
            mem_methods.remove("dhg")
            _log("memory mode: DHG left out (it needs about 11.5 GB and 5 minutes here); "
                 "add --with-dhg-memory to run it", progress)
        elif "dhg" in mem_methods:
            _log("WARNING: DHG in memory mode needs about 11.5 GB of RAM and 5 minutes",
                 progress)
        records += memory(mem_methods, args.seed, args.threads, progress)
    records.append(_env(args, methods, edge_size))
    records[-1].update(load_avg_start=list(load_start), load_avg_end=list(os.getloadavg()))
    print(table(records))
    if load_start[0] > 0.5 * (os.cpu_count() or 1):  # the end value includes this run
        print(f"\nNOTE: the machine was busy at the start (1-minute load average "
              f"{load_start[0]:.1f} on {os.cpu_count()} CPUs): times are unreliable.")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return 0


def _env(args: argparse.Namespace, methods: list[str], edge_size: tuple[int, int]
         ) -> dict[str, Any]:
    from hgkit import ops
    from hgkit._env import env_record

    env = env_record()
    versions = {}
    for name, module in (("dhg", "dhg"), ("pyg", "torch_geometric")):
        if name in methods:
            versions[name] = __import__(module).__version__
    env.update(mode=args.mode, methods=methods, versions=versions, repeats=args.repeats,
               seed=args.seed, time_cap_s=args.time_cap, edge_size=list(edge_size),
               features=FEATURES, hidden=HIDDEN, classes=CLASSES,
               hgkit_backends=list(ops.available_backends()),
               with_dhg_memory=args.with_dhg_memory)
    return env


if __name__ == "__main__":
    raise SystemExit(main())
