"""Memory and time of the chunked feature-kNN hypergraph builder on 100k x 128 features.

Target (foundation issue): ``construct.from_feature_knn`` on 100,000 x 128 float32 features fits
in < 2 GB of memory above the features themselves. The measurement runs in one fresh process:
the features are generated, torch is warmed up on a tiny input, the kernel's peak-RSS counter is
reset (``/proc/self/clear_refs``) and then the builder runs; *extra MB* is ``VmHWM`` after the
call minus ``VmRSS`` just before it.

Run::

    python -m benchmarks.knn_build --json benchmarks/results/knn_build.json
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import torch

from benchmarks.hypergraph_build import _reset_peak, _status_mb
from hgkit._env import env_record
from hgkit.hypergraph.construct import from_feature_knn

TARGET_MB = 2048.0


def run(num_nodes: int, dim: int, k: int, seed: int, metric: str) -> list[dict[str, Any]]:
    """Build the kNN hypergraph once and return JSON records (seconds, extra_mb)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(num_nodes, dim, generator=gen)
    from_feature_knn(x[:50], k=3, metric=metric)  # warm-up: lazy torch initialisation
    exact_peak = _reset_peak()
    before, _ = _status_mb()
    start = time.perf_counter()
    hg = from_feature_knn(x, k=k, metric=metric)
    seconds = time.perf_counter() - start
    _, peak = _status_mb()
    extra = peak - before
    assert hg.num_edges == num_nodes and hg.nnz == num_nodes * (k + 1)
    dataset = f"random-{num_nodes}x{dim}"
    base = {"task": "knn_build", "dataset": dataset, "model": f"from_feature_knn(k={k}, "
            f"metric={metric})", "runs": 1, "published": None, "seconds": round(seconds, 3),
            "peak_mb": round(peak, 1), "std": 0.0}
    return [
        {**base, "metric": "seconds", "mean": round(seconds, 3)},
        {**base, "metric": "extra_mb", "mean": round(extra, 1), "target": TARGET_MB,
         "peak_reset": exact_peak},
        env_record(),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--metric", default="euclidean", choices=["euclidean", "cosine"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    records = run(args.nodes, args.dim, args.k, args.seed, args.metric)
    seconds, extra = records[0], records[1]
    met = "met" if extra["mean"] < TARGET_MB else "NOT met"
    print("| builder | features | seconds | extra MB | target |")
    print("|---|---|---|---|---|")
    print(f"| {seconds['model']} | {args.nodes} x {args.dim} | {seconds['mean']:.1f} | "
          f"{extra['mean']:.0f} | < {TARGET_MB:.0f} MB: {met} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(records, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
