"""Time and memory of building a large :class:`hgkit.Hypergraph` and its cached degrees.

Run from the repository root::

    python -m benchmarks.hypergraph_build --json benchmarks/results/hypergraph_build.json

A random incidence index (default 1M nodes, 500k hyperedges, 4M incidences, ids drawn
uniformly with a seeded NumPy generator, unsorted) is generated once and saved as ``.npy``.
Each repeat then runs in a **fresh subprocess** that loads the index, does a tiny warm-up build
(one-time torch initialization is not counted), records its resident memory (``VmRSS``), resets
the kernel's peak counter (``echo 5 > /proc/self/clear_refs``, which resets ``VmHWM``) and times

* the target chain: ``Hypergraph(index, N, M)`` (with its validation) followed by
  ``.node_degree``, ``.edge_degree``, ``.node_count`` and ``.edge_size``;
* extra rows, not part of the target: ``incidence("csr")`` and ``sorted_incidence("edge")``.

"extra MB" is the peak resident memory during a step (``VmHWM``) minus the resident memory just
before it, so the index itself (and for the extra rows, everything built before them) is
excluded. Where ``clear_refs`` cannot be written the peak is measured from process start, which
only overstates the extra memory. Times are medians over the repeats; memory is the maximum.

Targets: the chain under 5 s and under 1 GB above the index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 5.0
TARGET_EXTRA_MB = 1024.0
CHAIN = "construct + degrees"
STEPS = ("Hypergraph(index, N, M)", ".node_degree", ".edge_degree", ".node_count",
         ".edge_size")
EXTRAS = ('incidence("csr")', 'sorted_incidence("edge")')


# ---------------------------------------------------------------------------- worker side
def _status_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MiB."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, rest = line.split(":", 1)
                values[key] = int(rest.split()[0]) / 1024.0
    return values["VmRSS"], values["VmHWM"]


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _worker(path: str, num_nodes: int, num_edges: int) -> dict[str, Any]:
    import numpy as np
    import torch

    from hgkit import Hypergraph

    warm = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]), num_nodes=3, num_edges=2)
    _ = (warm.node_degree, warm.edge_degree, warm.node_count, warm.edge_size,
         warm.incidence("csr"), warm.sorted_incidence("edge"))
    index = torch.from_numpy(np.load(path))
    out: dict[str, Any] = {"index_mb": index.numel() * index.element_size() / 2**20}

    rss_before, _ = _status_mb()
    out["peak_reset"] = _reset_peak()
    times = []
    start = time.perf_counter()
    hg = Hypergraph(index, num_nodes, num_edges)
    times.append(time.perf_counter())
    for name in ("node_degree", "edge_degree", "node_count", "edge_size"):
        getattr(hg, name)
        times.append(time.perf_counter())
    _, peak = _status_mb()
    stamps = [start, *times]
    out["steps"] = {step: stamps[i + 1] - stamps[i] for i, step in enumerate(STEPS)}
    out["steps"][CHAIN] = stamps[-1] - start
    out["extra_mb"] = {CHAIN: peak - rss_before}

    for name, call in zip(EXTRAS, (lambda: hg.incidence("csr"),
                                   lambda: hg.sorted_incidence("edge")), strict=True):
        rss_before, _ = _status_mb()
        _reset_peak()
        start = time.perf_counter()
        call()
        out["steps"][name] = time.perf_counter() - start
        _, peak = _status_mb()
        out["extra_mb"][name] = peak - rss_before
    out["peak_mb"] = _status_mb()[1]
    out["threads"] = torch.get_num_threads()
    return out


# ---------------------------------------------------------------------------- driver side
def _record(dataset: str, model: str, metric: str, values: list[float], seconds: float,
            peak_mb: float, target: float | None) -> dict[str, Any]:
    return {
        "task": "hypergraph_build", "dataset": dataset, "model": model, "metric": metric,
        "mean": round(statistics.fmean(values), 4),
        "std": round(statistics.pstdev(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
        "runs": len(values), "published": None,
        "seconds": round(seconds, 4), "peak_mb": round(peak_mb, 1), "target": target,
    }


def run(num_nodes: int, num_edges: int, nnz: int, repeats: int, seed: int,
        progress: bool = True) -> list[dict[str, Any]]:
    """Generate the index, measure ``repeats`` fresh subprocesses, return JSON records."""
    import numpy as np

    from hgkit._env import env_record

    rng = np.random.default_rng(seed)
    index = np.stack([rng.integers(0, num_nodes, nnz), rng.integers(0, num_edges, nnz)])
    dataset = f"random N={num_nodes} M={num_edges} nnz={nnz} seed={seed}"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index.npy")
        np.save(path, index.astype(np.int64))
        del index
        for i in range(repeats):
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", path,
                   str(num_nodes), str(num_edges)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"worker failed:\n{done.stderr}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            if progress:
                print(f"repeat {i + 1}/{repeats}: {CHAIN} "
                      f"{results[-1]['steps'][CHAIN]:.3f} s", file=sys.stderr)
    records = []
    peak = max(r["peak_mb"] for r in results)
    for name in (CHAIN, *STEPS, *EXTRAS):
        secs = [r["steps"][name] for r in results]
        median = statistics.median(secs)
        is_chain = name == CHAIN
        records.append(_record(dataset, name, "seconds", secs, median, peak,
                               TARGET_SECONDS if is_chain else None))
        if name in results[0]["extra_mb"]:
            extra = [r["extra_mb"][name] for r in results]
            records.append(_record(dataset, name, "extra_mb", extra, median, peak,
                                   TARGET_EXTRA_MB if is_chain else None))
    env = env_record()
    env.update(index_mb=results[0]["index_mb"], peak_reset=results[0]["peak_reset"],
               worker_threads=results[0]["threads"])
    records.append(env)
    return records


def table(records: list[dict[str, Any]]) -> str:
    """A Markdown table: one row per operation (time median, min, max; extra memory max)."""
    rows: dict[str, dict[str, Any]] = {}
    for r in records:
        if r["task"] == "hypergraph_build":
            rows.setdefault(r["model"], {})[r["metric"]] = r
    lines = ["| operation | median s | mean ± std s | extra MB (max) | target |",
             "|---|---|---|---|---|"]
    for name, metrics in rows.items():
        sec = metrics["seconds"]
        mem = metrics.get("extra_mb")
        target = ""
        if sec["target"] is not None:
            ok = sec["median"] < sec["target"] and (mem is None or mem["max"] < mem["target"])
            target = (f"< {sec['target']:g} s, < {mem['target']:g} MB: "
                      f"{'met' if ok else 'MISSED'}")
        extra = "" if mem is None else f"{mem['max']:.0f}"
        lines.append(
            f"| {name} | {sec['median']:.3f} | {sec['mean']:.3f} ± {sec['std']:.3f} | "
            f"{extra} | {target} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hypergraph_build",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--nnz", type=int, default=4_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH", default=None)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("INDEX", "N", "M"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        path, n, m = args.worker
        print(json.dumps(_worker(path, int(n), int(m))))
        return 0
    for name in ("nodes", "edges", "nnz", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1 (got {getattr(args, name)})")
    records = run(args.nodes, args.edges, args.nnz, args.repeats, args.seed,
                  progress=not args.no_progress)
    print(table(records))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
