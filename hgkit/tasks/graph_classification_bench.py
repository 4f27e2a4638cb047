r"""The graph-classification benchmark behind ``hgkit graph-classification``.

For every TU dataset and every model, run EHGNN's 10-fold protocol
(:func:`~hgkit.tasks.graph_classification.run_folds`: the shipped fold files, validation =
the previous fold's test set, early stopping on validation loss, test at the best-validation
checkpoint) and return one record per (dataset, model) in the ``DESIGN.md`` shape:
``task="graph_classification"``, metric ``accuracy`` (percent), mean ± std over the folds
(``np.std``, ddof 0, as EHGNN reports; ``std_ddof`` says so), ``runs`` = folds, ``published``
``None`` (the spec has no verified EHGNN number), ``seconds`` = wall time of the whole k-fold
run, ``peak_mb``; extra fields ``scores`` (per-fold accuracy), ``best_epoch`` and ``epochs``
(means over folds), ``epoch_ms``, ``ratio`` (HyperDrop's keep ratio, HyperCluster's seed
ratio), ``num_seeds`` (HyperCluster) and ``seed``.

Example:
    >>> recs = run(["tu-MUTAG"], ["gcn-mean"], epochs=1, patience=1, num_folds=2,
    ...            progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.tasks.benchmark import BenchmarkError

__all__ = ["DEFAULT_DATASETS", "DEFAULT_MODELS", "markdown_table", "run"]

#: The issue's datasets.
DEFAULT_DATASETS: tuple[str, ...] = ("tu-MUTAG", "tu-PROTEINS", "tu-IMDB-BINARY", "tu-NCI1")
#: HyperDrop and its baselines in the same harness.
DEFAULT_MODELS: tuple[str, ...] = ("hyperdrop", "hypercluster", "gcn-mean", "gcn-sum",
                                   "hgnn-mean")


def run(datasets: Sequence[str] | None = None, models: Sequence[str] | None = None, *,
        root: str | os.PathLike[str] | None = None, seed: int = 42, epochs: int = 500,
        patience: int = 50, hidden: int = 128, num_folds: int | None = None,
        download: bool = True, progress: bool = True) -> list[dict[str, Any]]:
    """Run the k-fold protocol for every (dataset, model); return records plus an env record.

    Args:
        datasets: TU dataset names (default :data:`DEFAULT_DATASETS`).
        models: model names of :data:`~hgkit.tasks.graph_classification.MODELS` (default
            :data:`DEFAULT_MODELS`).
        root: data root (default ``$HGKIT_DATA``, then the user cache).
        seed: model seed (and fold seed for datasets without fold files); EHGNN uses 42.
        epochs, patience, hidden: training settings (EHGNN: 500, 50, 128).
        num_folds: run only the first ``num_folds`` folds (default all; for quick checks).
        download: fetch missing files of known datasets.
        progress: show progress bars.
    """
    from tqdm.auto import tqdm

    from hgkit import datasets as registry
    from hgkit.datasets.data import GraphDataset
    from hgkit.datasets.folds import ehgnn_folds, kfold_split
    from hgkit.tasks import graph_classification as gc

    names = list(DEFAULT_DATASETS if datasets is None else datasets)
    chosen = list(DEFAULT_MODELS if models is None else models)
    bad = [m for m in chosen if m not in gc.MODELS]
    if bad:
        raise BenchmarkError(f"Unknown model(s) {bad}; valid: {', '.join(gc.MODELS)}")
    if not names or not chosen:
        raise BenchmarkError("Expected at least one dataset and one model (got none)")
    for value, what in ((epochs, "epochs"), (patience, "patience"), (hidden, "hidden")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BenchmarkError(f"Expected '{what}' to be a positive int (got {value!r})")
    env = env_record()
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(names) * len(chosen), disable=not progress, desc="graph-cls",
               unit="row", dynamic_ncols=True)
    try:
        for name in names:
            try:
                data = registry.load(name, root, download=download, progress=False)
            except registry.DatasetError as exc:
                raise BenchmarkError(str(exc)) from None
            if not isinstance(data, GraphDataset):
                raise BenchmarkError(f"Dataset {name!r} is not a graph-classification "
                                     f"dataset (got {type(data).__name__})")
            folds = (ehgnn_folds(data) if data.folds else
                     kfold_split(data.num_graphs, 10, seed, stratify_y=data.y))
            fold_source = "ehgnn fold files" if data.folds else f"kfold_split(seed={seed})"
            if num_folds is not None:
                folds = folds[:num_folds]
            for model in chosen:
                bar.set_postfix_str(f"{name} {model}")
                reset_peak_rss()
                ratio = None
                if model == "hyperdrop":
                    try:
                        ratio = gc.edge_ratio(name)
                    except KeyError as exc:
                        raise BenchmarkError(str(exc)) from None
                elif model == "hypercluster":
                    ratio = gc.CLUSTER_RATIO
                res = gc.run_folds(data, model, ratio=ratio, hidden=hidden, seed=seed,
                                   folds=folds, epochs=epochs, patience=patience,
                                   progress=False)
                accs = [100.0 * a for a in res.accuracies]
                n = len(accs)
                records.append({
                    "task": "graph_classification", "dataset": name, "model": model,
                    "metric": "accuracy", "mean": round(100.0 * res.mean, 4),
                    "std": round(100.0 * res.std, 4), "std_ddof": 0, "runs": n,
                    "published": None, "seconds": round(res.seconds, 2),
                    "peak_mb": round(peak_rss_mb(), 1), "scores": [round(a, 4) for a in accs],
                    "best_epoch": round(sum(f["best_epoch"] for f in res.folds) / n, 1),
                    "epochs": round(sum(f["epochs"] for f in res.folds) / n, 1),
                    "epoch_ms": round(1000 * sum(f["epoch_seconds"] for f in res.folds) / n,
                                      2),
                    "ratio": ratio, "seed": seed,
                    "num_seeds": (gc.cluster_seeds(data, ratio) if model == "hypercluster"
                                  else None), "folds": fold_source,
                    "max_epochs": epochs, "patience": patience, "hidden": hidden,
                })
                bar.update()
    finally:
        bar.close()
    records.append(env)
    return records


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """One row per (dataset, model), with the difference to ``gcn-mean`` on that dataset.

    Example:
        >>> print(markdown_table([
        ...     {"task": "graph_classification", "dataset": "d", "model": "gcn-mean",
        ...      "mean": 70.0, "std": 2.0, "runs": 10, "seconds": 60.0, "peak_mb": 400.0,
        ...      "epochs": 80.0, "epoch_ms": 50.0},
        ...     {"task": "graph_classification", "dataset": "d", "model": "hyperdrop",
        ...      "mean": 72.5, "std": 3.0, "runs": 10, "seconds": 90.0, "peak_mb": 420.0,
        ...      "epochs": 90.0, "epoch_ms": 70.0}]))
        | dataset | model | accuracy | Δ gcn-mean | folds | epochs | ms/epoch | s | peak MB |
        |---|---|---|---|---|---|---|---|---|
        | d | gcn-mean | 70.00 ± 2.00 | — | 10 | 80.0 | 50 | 60 | 400 |
        | d | hyperdrop | 72.50 ± 3.00 | +2.50 | 10 | 90.0 | 70 | 90 | 420 |
    """
    rows = [r for r in records if r.get("task") == "graph_classification"]
    base = {r["dataset"]: r["mean"] for r in rows if r["model"] == "gcn-mean"}
    lines = ["| dataset | model | accuracy | Δ gcn-mean | folds | epochs | ms/epoch | s | "
             "peak MB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ref = base.get(r["dataset"])
        delta = "—" if ref is None or r["model"] == "gcn-mean" else f"{r['mean'] - ref:+.2f}"
        lines.append(f"| {r['dataset']} | {r['model']} | {r['mean']:.2f} ± {r['std']:.2f} | "
                     f"{delta} | {r['runs']} | {r['epochs']:.1f} | {r['epoch_ms']:.0f} | "
                     f"{r['seconds']:.0f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)
