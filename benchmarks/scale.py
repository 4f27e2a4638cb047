"""Scale: epoch time and peak memory against hypergraph size, full-batch and mini-batch.

Two parts:

1. **Time and memory against size** (default). For every size ``N`` in ``--sizes`` a synthetic
   hypergraph is drawn once (:func:`hgkit.hypergraph.generate.hsbm`: ``N`` nodes, ``N / 2``
   hyperedges of 2 to 14 members, so about ``4 N`` incidences, 64 features, 4 classes) and
   cached under ``--cache``. Then each (size, mode) cell runs in a **fresh Python process** that
   loads the cached tensors and trains a 2-layer HGNN, so each cell's peak memory is its own:
   ``peak_mb`` is the process's ``ru_maxrss`` (everything: interpreter, torch, data, training),
   ``data_mb`` the resident memory once the data are loaded, ``train_peak_mb`` the peak after
   that (``VmHWM`` reset when the data are in).

   * ``full``: one untimed warm-up epoch, then ``--epochs`` timed epochs (forward on every
     node, cross-entropy on the training nodes, backward, Adam step).
   * ``mini``: :class:`hgkit.loader.NeighborLoader` over the training nodes with
     ``--batch-size`` seeds, ``--num-neighbors`` fan-outs and ``--member-cap``; one untimed
     warm-up batch, then up to ``--max-batches`` timed batches (sampling and training step
     timed apart). ``epoch_s`` is the measured time per batch times the batches of an epoch;
     ``projected`` says whether the epoch was longer than the batches measured.

2. **Accuracy, mini-batch against full-batch** (``--accuracy DATASETS``): the same model,
   splits and seeds as ``hgkit train`` (:func:`hgkit.tasks.train.train`), once full-batch and
   once mini-batch, ``--runs`` runs each.

Run::

    python -m benchmarks.scale --sizes 10000,100000,1000000 --threads 1 \\
        --json benchmarks/results/scale.json
    python -m benchmarks.scale --accuracy allset-walmart-trips --data-root ../shared/datasets \\
        --runs 3 --full-epochs 500 --mini-epochs 40 --batch-size 2048 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache"


def _ints(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints (got {text!r})"
                                         ) from None


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cache_file(args: argparse.Namespace, n: int) -> Path:
    return Path(args.cache) / f"hsbm_n{n}_f{args.features}_s{args.seed}.pt"


def generate(args: argparse.Namespace, n: int) -> None:
    """Draw the size-``n`` hypergraph and save its tensors (run in its own process)."""
    import torch

    from hgkit.hypergraph.generate import hsbm

    data = hsbm(num_nodes=n, num_edges=n // 2, edge_size=(2, 14), num_features=args.features,
                num_classes=4, seed=args.seed)
    path = _cache_file(args, n)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"index": data.hypergraph.hyperedge_index, "num_nodes": n,
                "num_edges": data.hypergraph.num_edges, "x": data.x, "y": data.y,
                "train_mask": data.train_mask}, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)


def cell(args: argparse.Namespace, n: int, mode: str) -> dict[str, Any]:
    """Train on the cached size-``n`` hypergraph in ``mode``; return the measurements."""
    import torch
    import torch.nn.functional as F

    from hgkit import Hypergraph
    from hgkit._env import peak_rss_mb, reset_peak_rss
    from hgkit.layers.models import HGNN
    from hgkit.loader import NeighborLoader

    torch.set_num_threads(args.threads)
    blob = torch.load(_cache_file(args, n), mmap=True)
    hg = Hypergraph(blob["index"], num_nodes=blob["num_nodes"], num_edges=blob["num_edges"])
    x, y, train = blob["x"], blob["y"], blob["train_mask"]
    train_idx = train.nonzero().flatten()
    hg.sorted_incidence("node"), hg.sorted_incidence("edge")  # built once, as a loader does
    data_mb = _rss_mb()
    reset_peak_rss()
    torch.manual_seed(args.seed)
    model = HGNN(x.size(1), args.hidden, int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    out: dict[str, Any] = {"nodes": n, "edges": hg.num_edges, "nnz": hg.nnz, "mode": mode,
                           "hidden": args.hidden, "features": x.size(1)}

    def step(inputs: Any, graph: Any, target: Any, rows: Any) -> float:
        opt.zero_grad()
        loss = F.cross_entropy(model(inputs, graph)[rows], target)
        loss.backward()
        opt.step()
        return float(loss.detach())

    if mode == "full":
        step(x, hg, y[train_idx], train_idx)  # warm-up: caches, allocator
        times, losses = [], []
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            losses.append(step(x, hg, y[train_idx], train_idx))
            times.append(time.perf_counter() - t0)
        out.update(epoch_s=sum(times) / len(times), epochs_timed=len(times), batches=1,
                   projected=False, losses=losses)
    else:
        loader = NeighborLoader(hg, args.num_neighbors, input_nodes=train_idx,
                                batch_size=args.batch_size, shuffle=True,
                                member_cap=args.member_cap, x=x, y=y, seed=args.seed)
        it = iter(loader)
        timed = min(args.max_batches, len(loader) - 1)
        warm = 1 if timed else 0  # a one-batch epoch times its only batch
        sample_s = train_s = 0.0
        sizes, losses = [], []
        for b in range(timed + 1):
            t0 = time.perf_counter()
            batch = next(it)
            t1 = time.perf_counter()
            seeds = torch.arange(batch.batch_size)
            loss = step(batch.x, batch.hypergraph, batch.y[: batch.batch_size], seeds)
            t2 = time.perf_counter()
            if b or not warm:  # batch 0 is the warm-up
                sample_s += t1 - t0
                train_s += t2 - t1
                sizes.append(batch.num_nodes)
                losses.append(loss)
        timed = max(timed, 1)
        per_batch = (sample_s + train_s) / timed
        out.update(batch_size=args.batch_size, num_neighbors=list(args.num_neighbors),
                   member_cap=args.member_cap, batches=len(loader), batches_timed=timed,
                   sample_s_per_batch=sample_s / timed, train_s_per_batch=train_s / timed,
                   nodes_per_batch=sum(sizes) / max(len(sizes), 1),
                   epoch_s=per_batch * len(loader), projected=timed < len(loader),
                   losses=losses)
    out.update(data_mb=round(data_mb, 1), train_peak_mb=round(peak_rss_mb(), 1),
               peak_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    return out


def _child(args: argparse.Namespace, extra: list[str]) -> str:
    cmd = [sys.executable, "-m", "benchmarks.scale", *extra, "--threads", str(args.threads),
           "--features", str(args.features), "--hidden", str(args.hidden),
           "--seed", str(args.seed), "--cache", str(args.cache), "--epochs", str(args.epochs),
           "--batch-size", str(args.batch_size), "--max-batches", str(args.max_batches),
           "--num-neighbors=" + ",".join(map(str, args.num_neighbors))]
    if args.member_cap is not None:
        cmd += ["--member-cap", str(args.member_cap)]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode:
        raise SystemExit(f"child {' '.join(extra)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def scaling(args: argparse.Namespace) -> list[dict[str, Any]]:
    from tqdm.auto import tqdm

    records = []
    cells = [(n, m) for n in args.sizes for m in args.modes]
    bar = tqdm(cells, desc="scale", unit="cell", disable=args.no_progress)
    for n, mode in bar:
        bar.set_postfix_str(f"N={n:,} {mode}")
        if not _cache_file(args, n).exists():
            _child(args, ["--generate", str(n)])
        line = _child(args, ["--cell", str(n), mode]).strip().splitlines()[-1]
        row = json.loads(line)
        records.append({"task": "scale", "dataset": f"hsbm-{n}", "model": "hgnn",
                        "metric": "epoch_seconds", "mean": round(row["epoch_s"], 4),
                        "std": None, "runs": 1, "published": None,
                        "seconds": round(row["epoch_s"], 4), **row})
    return records


def accuracy(args: argparse.Namespace) -> list[dict[str, Any]]:
    import torch

    from hgkit.tasks.train import train

    torch.set_num_threads(args.threads)
    records = []
    for name in args.accuracy:
        for mode in args.modes:
            recs = train(name, args.model, root=args.data_root, runs=args.runs,
                         epochs=args.full_epochs if mode == "full" else args.mini_epochs,
                         seed=args.seed,
                         batch_size=None if mode == "full" else args.batch_size,
                         num_neighbors=args.num_neighbors, member_cap=args.member_cap,
                         progress=not args.no_progress)
            records.append(recs[0])
    return records


def table(records: list[dict[str, Any]]) -> str:
    if records and records[0]["task"] == "scale":
        lines = ["| nodes | incidences | mode | s/epoch | batches | nodes/batch | data MB "
                 "| peak MB |", "|---|---|---|---|---|---|---|---|"]
        for r in records:
            est = " (projected)" if r.get("projected") else ""
            per = f"{r['nodes_per_batch']:,.0f}" if r["mode"] == "mini" else "all"
            lines.append(f"| {r['nodes']:,} | {r['nnz']:,} | {r['mode']} | "
                         f"{r['epoch_s']:.2f}{est} | {r['batches']} | {per} | "
                         f"{r['data_mb']:.0f} | {r['peak_mb']:.0f} |")
        return "\n".join(lines)
    lines = ["| dataset | model | mode | accuracy | runs | epochs | ms/epoch | peak MB |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        lines.append(f"| {r['dataset']} | {r['model']} | {r['mode']} | {r['mean']:.2f} ± "
                     f"{r['std']:.2f} | {r['runs']} | {r['epochs']} | {r['epoch_ms']:.0f} | "
                     f"{r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=_ints, default=[10_000, 100_000, 1_000_000])
    p.add_argument("--modes", type=lambda t: t.split(","), default=["full", "mini"])
    p.add_argument("--epochs", type=int, default=3, help="timed full-batch epochs (3)")
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--num-neighbors", type=_ints, default=[10, 10])
    p.add_argument("--member-cap", type=int, default=None)
    p.add_argument("--max-batches", type=int, default=20,
                   help="timed mini-batches per cell (20)")
    p.add_argument("--features", type=int, default=64)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cache", default=str(CACHE), help="where generated hypergraphs are kept")
    p.add_argument("--accuracy", type=lambda t: t.split(","), default=None, metavar="A,B",
                   help="compare mini-batch with full-batch accuracy on these datasets")
    p.add_argument("--data-root", default=None)
    p.add_argument("--model", default="hgnn")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--full-epochs", type=int, default=None)
    p.add_argument("--mini-epochs", type=int, default=40)
    p.add_argument("--json", default=None)
    p.add_argument("--markdown", default=None)
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--generate", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--cell", nargs=2, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.generate is not None:
        generate(args, args.generate)
        return 0
    if args.cell is not None:
        print(json.dumps(cell(args, int(args.cell[0]), args.cell[1])))
        return 0
    from hgkit._env import env_record

    env = env_record()
    records = accuracy(args) if args.accuracy else scaling(args)
    text = table(records)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps([*records, env], indent=2) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
