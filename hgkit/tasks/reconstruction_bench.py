r"""The reconstruction benchmark and file I/O behind ``hgkit reconstruct``.

Benchmark (:func:`run`): for every ``shyre-*`` dataset (training and query hypergraph in the
SHyRe layout), project the query hypergraph (:func:`~hgkit.tasks.reconstruction.project`),
reconstruct it with each method and score it against the query's hyperedges
(:func:`~hgkit.tasks.reconstruction.reconstruction_scores`):

* ``maxclique``: every maximal clique (deterministic, one run);
* ``cover``: greedy edge clique cover, edge order drawn from the run's seed;
* ``shyre``: :class:`~hgkit.tasks.shyre.SHyRe` (count features, MLP) fitted on the training
  hypergraph with the per-dataset budget :data:`BUDGETS` (the official README's), seeded.

Records follow ``DESIGN.md`` (``task="reconstruction"``, metric ``jaccard`` as a fraction in
``[0, 1]``, mean ± unbiased std over runs) with extra fields ``precision``, ``recall``,
``f1``, ``scores`` (per-run Jaccard), ``num_predicted``, ``num_true`` and, for SHyRe,
``timings`` (mean seconds per stage). ``published`` is the spec's number: the deterministic
max-clique Jaccard (R-indep, equal to R-official) and the official code's SHyRe-count Jaccard
(R-official, seed 123).

File I/O for the single-graph mode: :func:`read_graph` (edge list or HIF), :func:`read_hyperedges`
(one hyperedge per line, or HIF) and :func:`write_hyperedges` (text or HIF by extension).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.tasks.benchmark import BenchmarkError
from hgkit.tasks.reconstruction import (
    clique_cover,
    max_clique_reconstruction,
    project,
    reconstruction_scores,
)

__all__ = ["BUDGETS", "DEFAULT_DATASETS", "METHODS", "PUBLISHED", "markdown_table",
           "read_graph", "read_hyperedges", "run", "write_hyperedges"]

#: Clique-sampler budgets of the official README, by dataset folder.
BUDGETS: dict[str, float] = {
    "shyre-dblp": 1e6, "shyre-enron": 1e3, "shyre-school": 3.5e5, "shyre-school2": 6e4,
    "shyre-foursquare": 2e4, "shyre-hosts": 6e3, "shyre-directors": 800, "shyre-crime": 1e3,
}
#: Jaccard anchors of the spec (structure-tasks.md section 2.7).
PUBLISHED: dict[str, dict[str, float]] = {
    "shyre-dblp": {"maxclique": 0.7993, "shyre": 0.8119},
    "shyre-enron": {"maxclique": 0.0419, "shyre": 0.1290},
    "shyre-school": {"maxclique": 0.0009, "shyre": 0.4468},
    "shyre-school2": {"maxclique": 0.0238, "shyre": 0.5446},
    "shyre-foursquare": {"maxclique": 0.0962, "shyre": 0.7423},
    "shyre-hosts": {"maxclique": 0.2241, "shyre": 0.4918},
    "shyre-directors": {"maxclique": 1.0, "shyre": 1.0},
    "shyre-crime": {"maxclique": 0.7876, "shyre": 0.7992},
}
DEFAULT_DATASETS: tuple[str, ...] = ("shyre-enron", "shyre-crime", "shyre-foursquare",
                                     "shyre-school", "shyre-school2", "shyre-dblp")
METHODS: tuple[str, ...] = ("maxclique", "cover", "shyre")


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def run(datasets: Sequence[str] | None = None, models: Sequence[str] | None = None, *,
        root: str | os.PathLike[str] | None = None, runs: int = 3, seed: int = 123,
        budget: float | None = None, max_cliques: int | None = None,
        time_limit: float | None = None, download: bool = True,
        progress: bool = True) -> list[dict[str, Any]]:
    """Reconstruct the query hypergraph of every dataset with every method; return records.

    Args:
        datasets: SHyRe-layout dataset names (default :data:`DEFAULT_DATASETS`).
        models: methods among :data:`METHODS` (default all).
        root: data root (default ``$HGKIT_DATA``, then the user cache).
        runs: seeds ``seed .. seed + runs - 1`` for the seeded methods (max-clique runs once).
        seed: first seed (the official code uses 123).
        budget: sampler budget for every dataset (default: :data:`BUDGETS`, else 1e4).
        max_cliques, time_limit: bounds on maximal-clique enumeration.
        download: fetch missing files of known datasets.
        progress: show progress bars.
    """
    from tqdm.auto import tqdm

    from hgkit import datasets as registry
    from hgkit.datasets.shyre import ReconstructionData

    names = list(DEFAULT_DATASETS if datasets is None else datasets)
    methods = list(METHODS if models is None else models)
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise BenchmarkError(f"Unknown model(s) {bad}; valid: {', '.join(METHODS)}")
    if not names or not methods:
        raise BenchmarkError("Expected at least one dataset and one model (got none)")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise BenchmarkError(f"Expected 'runs' to be a positive int (got {runs!r})")
    limits = {"max_cliques": max_cliques, "time_limit": time_limit}
    env = env_record()
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(names) * len(methods), disable=not progress, desc="reconstruct",
               unit="row", dynamic_ncols=True)
    try:
        for name in names:
            try:
                data = registry.load(name, root, download=download, progress=False)
            except registry.DatasetError as exc:
                raise BenchmarkError(str(exc)) from None
            if not isinstance(data, ReconstructionData):
                raise BenchmarkError(f"Dataset {name!r} is not a reconstruction dataset "
                                     f"(train.txt / test.txt; got {type(data).__name__})")
            graph = project(data.test)
            for method in methods:
                bar.set_postfix_str(f"{name} {method}")
                reset_peak_rss()
                seeds = [seed] if method == "maxclique" else list(range(seed, seed + runs))
                results, seconds, timings = [], [], []
                for s in seeds:
                    start = time.perf_counter()
                    if method == "maxclique":
                        found = max_clique_reconstruction(graph, **limits)
                    elif method == "cover":
                        found = clique_cover(graph, seed=s)
                    else:
                        from hgkit.tasks.shyre import SHyRe

                        model = SHyRe(budget=budget or BUDGETS.get(name, 1e4), seed=s,
                                      progress=False, **limits)
                        model.fit(data.train)
                        found = model.reconstruct_sets(graph)
                        timings.append({**{f"fit_{k}": v for k, v in model.timings_.items()},
                                        **{f"query_{k}": v
                                           for k, v in model.query_timings_.items()}})
                    seconds.append(time.perf_counter() - start)
                    results.append(reconstruction_scores(found, data.test))
                jac = [r["jaccard"] for r in results]
                mean, std = _mean_std(jac)
                rec: dict[str, Any] = {
                    "task": "reconstruction", "dataset": name, "model": method,
                    "metric": "jaccard", "mean": round(mean, 5), "std": round(std, 5),
                    "runs": len(seeds), "published": PUBLISHED.get(name, {}).get(method),
                    "seconds": round(sum(seconds) / len(seeds), 3),
                    "peak_mb": round(peak_rss_mb(), 1), "seed": seed,
                    "scores": [round(j, 5) for j in jac],
                    "precision": round(sum(r["precision"] for r in results) / len(seeds), 5),
                    "recall": round(sum(r["recall"] for r in results) / len(seeds), 5),
                    "f1": round(sum(r["f1"] for r in results) / len(seeds), 5),
                    "num_predicted": results[0]["num_predicted"],
                    "num_true": results[0]["num_true"],
                }
                if method == "shyre":
                    rec["budget"] = budget or BUDGETS.get(name, 1e4)
                    rec["timings"] = {k: round(sum(t[k] for t in timings) / len(timings), 3)
                                      for k in timings[0]}
                records.append(rec)
                bar.update()
    finally:
        bar.close()
    records.append(env)
    return records


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown table of reconstruction records.

    Example:
        >>> print(markdown_table([{"task": "reconstruction", "dataset": "d", "model": "shyre",
        ...     "metric": "jaccard", "mean": 0.5, "std": 0.01, "runs": 3, "published": 0.45,
        ...     "precision": 0.7, "recall": 0.6, "f1": 0.65, "seconds": 2.0, "peak_mb": 300.0}]))
        | dataset | model | Jaccard | published | Δ | P | R | F1 | runs | s/run | peak MB |
        |---|---|---|---|---|---|---|---|---|---|---|
        | d | shyre | 0.5000 ± 0.0100 | 0.4500 | +0.0500 | 0.700 | 0.600 | 0.650 | 3 | 2.0 | 300 |
    """
    lines = ["| dataset | model | Jaccard | published | Δ | P | R | F1 | runs | s/run | peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        if r.get("task") != "reconstruction":
            continue
        pub = r.get("published")
        pub_text = "—" if pub is None else f"{pub:.4f}"
        delta = "—" if pub is None else f"{r['mean'] - pub:+.4f}"
        lines.append(
            f"| {r['dataset']} | {r['model']} | {r['mean']:.4f} ± {r['std']:.4f} | {pub_text} "
            f"| {delta} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r['runs']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------- file I/O
def _token(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text


def _lines(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].replace(",", " ").strip()
        if line:
            rows.append(line.split())
    return rows


def read_graph(path: str | os.PathLike[str]) -> tuple[nx.Graph, list[Any]]:
    """A graph from an edge list (``u v`` per line; ``#`` comments; commas allowed) or a HIF
    file (``.json`` / ``.json.gz``: a hypergraph, which is projected).

    Returns the graph on nodes ``0 .. n-1`` and the original label of every node. A line with
    one token adds an isolated node; a line with more than two tokens is an error.
    """
    target = Path(path)
    if not target.is_file():
        raise BenchmarkError(f"Cannot read graph {str(target)!r}: no such file")
    if target.name.endswith((".json", ".json.gz")):
        from hgkit.hypergraph.hif import read_hif

        try:
            res = read_hif(str(target))
        except (ValueError, TypeError) as exc:
            raise BenchmarkError(f"Cannot read HIF {str(target)!r}: {exc}") from None
        return project(res.hypergraph), list(res.node_ids)
    labels: dict[Any, int] = {}
    graph = nx.Graph()
    for i, row in enumerate(_lines(target), start=1):
        if len(row) > 2:
            raise BenchmarkError(f"{str(target)!r} line {i}: expected 'u v' (got "
                                 f"{' '.join(row)!r}); hyperedge files go to --train")
        ids = [labels.setdefault(_token(t), len(labels)) for t in row]
        graph.add_nodes_from(ids)
        if len(ids) == 2 and ids[0] != ids[1]:
            graph.add_edge(*ids)
    return graph, list(labels)


def read_hyperedges(path: str | os.PathLike[str]) -> tuple[list[tuple[int, ...]], list[Any]]:
    """Hyperedges from a text file (one per line, node ids separated by spaces or commas) or a
    HIF file; returns node sets over ``0 .. n-1`` and the original node labels."""
    target = Path(path)
    if not target.is_file():
        raise BenchmarkError(f"Cannot read hyperedges {str(target)!r}: no such file")
    if target.name.endswith((".json", ".json.gz")):
        from hgkit.hypergraph.hif import read_hif

        try:
            res = read_hif(str(target))
        except (ValueError, TypeError) as exc:
            raise BenchmarkError(f"Cannot read HIF {str(target)!r}: {exc}") from None
        return [tuple(sorted(set(e))) for e in res.hypergraph.edges() if e], \
            list(res.node_ids)
    labels: dict[Any, int] = {}
    edges = []
    for row in _lines(target):
        edges.append(tuple(sorted({labels.setdefault(_token(t), len(labels)) for t in row})))
    return edges, list(labels)


def write_hyperedges(node_sets: Sequence[Sequence[int]], labels: Sequence[Any],
                     path: str | os.PathLike[str]) -> None:
    """Write node sets with their original labels: HIF for ``.json`` / ``.json.gz``, else one
    hyperedge per line (labels separated by spaces)."""
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    if target.name.endswith((".json", ".json.gz")):
        from hgkit.hypergraph.hif import write_hif
        from hgkit.tasks.reconstruction import to_hypergraph

        hg = to_hypergraph(node_sets, num_nodes=len(labels))
        write_hif(hg, str(target), node_labels=list(labels),
                  metadata={"generator": "hgkit reconstruct"})
        return
    with target.open("w", encoding="utf-8") as fh:
        for s in node_sets:
            fh.write(" ".join(str(labels[v]) for v in s) + "\n")


def dumps(records: Sequence[dict[str, Any]]) -> str:
    """Records as indented JSON text."""
    return json.dumps(list(records), indent=2) + "\n"
