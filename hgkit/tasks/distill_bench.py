r"""The distillation benchmark behind ``hgkit distill``: MLP vs teacher vs LightHGNN(+).

For every dataset and every seed ``seed, seed + 1, ...`` (LightHGNN: seeds 0..4), with
LightHGNN's protocol (spec ``node-classification-and-distillation.md`` section 5):

1. Load the dataset; like DHG, merge repeated hyperedges (same node set) into one, give a
   singleton hyperedge to every *isolated* node only (``fix_iso_v``), densify the features
   and, for the cocitation and coauthorship sets, L1-normalize every feature row (DHG's
   ``norm_ft(ord=1)`` preprocessing of those sets).
2. Split 20 training and 100 validation nodes per class, the rest test
   (:func:`~hgkit.datasets.splits.per_class_split`, seeded with the run's seed).
3. ``transductive`` setting: train the teacher (``HGNN(F, 32, C)``, Adam lr 0.01, weight
   decay 5e-4, 200 epochs, best validation), the plain MLP (the student's architecture on
   the labels alone, same optimizer), LightHGNN and LightHGNN+ (students of that teacher,
   :class:`~hgkit.tasks.distill.DistillToMLP`); report test accuracy (metric
   ``accuracy``).
4. ``production`` setting: hide ``inductive_ratio`` of the test nodes
   (:func:`~hgkit.datasets.splits.inductive_split`), train everything on the observed nodes
   and report ``prod_trans``, ``prod_ind`` and ``prod_prod`` accuracies
   (:func:`~hgkit.tasks.distill.production_scores`).

Records follow ``DESIGN.md`` (``task="distill"``; mean ± unbiased std in percent over the
runs; ``published`` is ``None``: the spec has no verified per-dataset LightHGNN number), with
extra fields ``scores``, ``setting``, ``epochs``, ``seed`` and, for transductive rows, the
mean ``topology_score`` of the model's output logits on the hypergraph.

Example:
    >>> recs = run(["hsbm-homophilic"], ["mlp", "lighthgnn"], runs=1, epochs=3,
    ...            progress=False)
    >>> sorted({(r["model"], r["metric"]) for r in recs if r["task"] == "distill"})
    [('lighthgnn', 'accuracy'), ('mlp', 'accuracy')]
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.datasets.data import HypergraphData
from hgkit.datasets.splits import inductive_split, per_class_split
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.hypergraph.transforms import remove_duplicate_edges
from hgkit.tasks.benchmark import BenchmarkError
from hgkit.tasks.distill import (
    DistillToMLP,
    NodeClassification,
    default_student,
    production_scores,
    topology_score,
)

__all__ = ["DEFAULT_DATASETS", "MODELS", "SETTINGS", "TEACHERS", "fix_isolated",
           "load_dataset", "markdown_table", "run"]

#: Datasets of the issue's table (LightHGNN's cc_cora, cc_citeseer, ca_cora, news20).
DEFAULT_DATASETS: tuple[str, ...] = ("allset-cocitation-cora", "allset-cocitation-citeseer",
                                     "allset-coauthorship-cora", "allset-20newsW100")
#: The rows of the table.
MODELS: tuple[str, ...] = ("mlp", "teacher", "lighthgnn", "lighthgnn+")
SETTINGS: tuple[str, ...] = ("transductive", "production", "both")


def _teacher_hgnn(f: int, c: int) -> nn.Module:
    from hgkit.layers.models import HGNN

    return HGNN(f, 32, c, num_layers=2, dropout=0.5)


def _teacher_hgnnp(f: int, c: int) -> nn.Module:
    from hgkit.layers.models import HGNNP

    return HGNNP(f, 32, c, num_layers=2, dropout=0.5)


#: Teachers selectable by name (LightHGNN's config: hgnn, hgnnp).
TEACHERS: dict[str, Callable[[int, int], nn.Module]] = {
    "hgnn": _teacher_hgnn, "hgnnp": _teacher_hgnnp}


def fix_isolated(hg: Hypergraph) -> Hypergraph:
    """Append a singleton hyperedge for every node in no hyperedge (DHG ``fix_iso_v``).

    Example:
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3)
        >>> fix_isolated(hg).edges()
        [[0, 1], [2]]
    """
    node = hg.hyperedge_index[0]
    covered = torch.zeros(hg.num_nodes, dtype=torch.bool, device=node.device)
    covered[node] = True
    lonely = (~covered).nonzero().flatten()
    if lonely.numel() == 0:
        return hg
    m = hg.num_edges
    extra = torch.stack([lonely, torch.arange(m, m + lonely.numel(), device=node.device)])
    weight = hg.edge_weight
    if weight is not None:
        weight = torch.cat([weight, weight.new_ones(lonely.numel())])
    return Hypergraph(torch.cat([hg.hyperedge_index, extra], dim=1), num_nodes=hg.num_nodes,
                      num_edges=m + lonely.numel(), edge_weight=weight)


#: Datasets whose features DHG (and so LightHGNN) L1-normalizes per row (``norm_ft(ord=1)``).
_L1_PREFIXES = ("allset-cocitation-", "allset-coauthorship-")


def load_dataset(name: str, root: str | os.PathLike[str] | None = None, seed: int = 0,
                 download: bool = True) -> HypergraphData:
    """Dataset ``name`` with dense float features and isolated nodes fixed.

    ``hsbm-homophilic`` is a small synthetic set (600 nodes, drawn from ``seed``) for quick
    runs; any other name is loaded by :func:`hgkit.datasets.load` from ``root``.
    """
    if name == "hsbm-homophilic":
        from hgkit.hypergraph.generate import hsbm

        syn = hsbm(num_nodes=600, num_edges=400, seed=seed)
        data = HypergraphData(syn.hypergraph, x=syn.x, y=syn.y, num_classes=syn.num_classes,
                              name=name)
    else:
        from hgkit import datasets

        try:
            data = datasets.load(name, root, download=download, progress=False)
        except datasets.DatasetError as exc:
            raise BenchmarkError(str(exc)) from None
        if not isinstance(data, HypergraphData):
            raise BenchmarkError(f"Dataset {name!r} is not a node-level dataset (got "
                                 f"{type(data).__name__})")
    if data.x is None or data.y is None:
        missing = "features (x)" if data.x is None else "labels (y)"
        raise BenchmarkError(f"Dataset {name!r} has no node {missing}; distillation needs "
                             "both")
    x = (data.x.to_dense() if data.x.is_sparse else data.x).float()
    if name.startswith(_L1_PREFIXES):
        x = x / x.abs().sum(dim=1, keepdim=True).clamp_min(1e-12)
    # DHG's Hypergraph merges hyperedges with the same node set (the cocitation pickles hold
    # such repeats: 1,579 hyperedges on cocitation Cora, 1,483 distinct)
    hg = remove_duplicate_edges(data.hypergraph)
    return data.replace(x=x, hypergraph=fix_isolated(hg))


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _check_names(values: Sequence[str] | None, default: Sequence[str],
                 valid: Sequence[str] | None, what: str) -> list[str]:
    names = list(default if values is None else ([values] if isinstance(values, str)
                                                  else values))
    if not names:
        raise BenchmarkError(f"Expected at least one {what} (got none)")
    if valid is not None:
        bad = [n for n in names if n not in valid]
        if bad:
            raise BenchmarkError(f"Unknown {what}(s) {bad}; valid: {', '.join(valid)}")
    return names


def run(datasets: Sequence[str] | None = None, models: Sequence[str] | None = None, *,
        root: str | os.PathLike[str] | None = None, runs: int = 5, seed: int = 0,
        epochs: int = 200, setting: str = "transductive", inductive_ratio: float = 0.9,
        teacher: str = "hgnn", lamb: float = 0.0, tau: float = 1.0,
        reference_loss: bool = False, download: bool = True,
        progress: bool = True) -> list[dict[str, Any]]:
    """Run the distillation table; return the records (then one env record).

    Args:
        datasets: dataset names (default :data:`DEFAULT_DATASETS`).
        models: rows among :data:`MODELS` (default all four).
        root: data root (default ``$HGKIT_DATA``, then the user cache).
        runs: seeds ``seed .. seed + runs - 1`` (LightHGNN: 5 seeds from 0).
        epochs: epochs of the teacher and of every student (LightHGNN: 200).
        setting: ``"transductive"``, ``"production"`` or ``"both"``.
        inductive_ratio: share of the test nodes hidden in the production setting (0.9, as
            LightHGNN's ``prod_config.yaml``).
        teacher: a name of :data:`TEACHERS`.
        lamb, tau, reference_loss: passed to :class:`~hgkit.tasks.distill.DistillToMLP`.
        download: fetch missing files of known datasets.
        progress: show a tqdm bar over runs.
    """
    from tqdm.auto import tqdm

    datasets = _check_names(datasets, DEFAULT_DATASETS, None, "dataset")
    models = _check_names(models, MODELS, MODELS, "model")
    if setting not in SETTINGS:
        raise BenchmarkError(f"Expected 'setting' to be one of {SETTINGS} (got {setting!r})")
    if teacher not in TEACHERS:
        raise BenchmarkError(f"Unknown teacher {teacher!r}; valid: {', '.join(TEACHERS)}")
    for value, name in ((runs, "runs"), (epochs, "epochs")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BenchmarkError(f"Expected '{name}' to be a positive int (got {value!r})")
    settings = ["transductive", "production"] if setting == "both" else [setting]
    env = env_record()
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(datasets) * runs * len(settings), disable=not progress,
               desc="distill", unit="run", dynamic_ncols=True)
    try:
        for name in datasets:
            bar.set_postfix_str(f"{name}: loading")
            data = load_dataset(name, root, seed, download)
            for mode in settings:
                reset_peak_rss()
                rows: dict[tuple[str, str], list[float]] = {}
                topo: dict[str, list[float]] = {}
                seconds: dict[str, list[float]] = {}
                for r in range(seed, seed + runs):
                    bar.set_postfix_str(f"{name} {mode} seed {r}")
                    result = _one_run(data, models, r, epochs, mode, inductive_ratio,
                                      TEACHERS[teacher], lamb, tau, reference_loss)
                    for model, (metrics, ts, secs) in result.items():
                        for metric, acc in metrics.items():
                            rows.setdefault((model, metric), []).append(100.0 * acc)
                        if ts is not None:
                            topo.setdefault(model, []).append(ts)
                        seconds.setdefault(model, []).append(secs)
                    bar.update()
                peak = round(peak_rss_mb(), 1)
                for (model, metric), scores in rows.items():
                    mean, std = _mean_std(scores)
                    rec = {"task": "distill", "dataset": name, "model": model,
                           "metric": metric, "mean": round(mean, 4), "std": round(std, 4),
                           "runs": runs, "published": None,
                           "seconds": round(sum(seconds[model]) / runs, 4), "peak_mb": peak,
                           "setting": mode, "teacher": teacher, "epochs": epochs,
                           "seed": seed, "lamb": lamb, "tau": tau,
                           "reference_loss": reference_loss,
                           "scores": [round(s, 4) for s in scores]}
                    if mode == "production":
                        rec["inductive_ratio"] = inductive_ratio
                    if model in topo:
                        rec["topology_score"] = round(sum(topo[model]) / runs, 4)
                    records.append(rec)
    finally:
        bar.close()
    records.append(env)
    return records


def _one_run(data: HypergraphData, models: Sequence[str], seed: int, epochs: int, mode: str,
             ratio: float, teacher_factory: Callable[[int, int], nn.Module], lamb: float,
             tau: float, reference_loss: bool
             ) -> dict[str, tuple[dict[str, float], float | None, float]]:
    n = data.num_nodes
    y = data.y
    assert y is not None  # load_dataset refuses datasets without labels
    split = per_class_split(y, 20, 100, seed=seed)
    train, val, test = split.masks(n)
    observed = None
    inductive = mode == "production"
    task_mode = "inductive" if inductive else "transductive"
    if inductive:
        isplit = inductive_split(split, n, ratio, seed=seed)
        test_obs = torch.zeros(n, dtype=torch.bool)
        test_obs[isplit.test_observed] = True
        test_ind = torch.zeros(n, dtype=torch.bool)
        test_ind[isplit.test_unobserved] = True
        observed = train | val | test_obs
    out: dict[str, tuple[dict[str, float], float | None, float]] = {}

    def evaluate(est: Any, logits: torch.Tensor) -> tuple[dict[str, float], float | None]:
        if inductive:
            s = production_scores(est, data, test_obs, test_ind)
            return {f"prod_{k}": v for k, v in s.items()}, None
        acc = float((logits[test].argmax(-1) == y[test]).float().mean())
        return {"accuracy": acc}, topology_score(logits, data.hypergraph)

    common: dict[str, Any] = {"lr": 0.01, "weight_decay": 5e-4, "epochs": epochs,
                              "seed": seed, "mode": task_mode}
    start = time.perf_counter()
    teach = NodeClassification(teacher_factory, **common).fit(data, train, val,
                                                              observed=observed)
    teach_seconds = time.perf_counter() - start
    if "teacher" in models:
        metrics, ts = evaluate(teach, teach.decision_function(data))
        out["teacher"] = (metrics, ts, teach_seconds)
    if "mlp" in models:
        start = time.perf_counter()
        mlp = NodeClassification(default_student, **common).fit(data, train, val,
                                                                observed=observed)
        metrics, ts = evaluate(mlp, mlp.decision_function(data))
        out["mlp"] = (metrics, ts, time.perf_counter() - start)
    for method in ("lighthgnn", "lighthgnn+"):
        if method not in models:
            continue
        start = time.perf_counter()
        student = DistillToMLP(teach, method=method, lamb=lamb, tau=tau,
                               reference_loss=reference_loss, **common)
        student.fit(data, train, val, observed=observed)
        metrics, ts = evaluate(student, student.decision_function(data))
        out[method] = (metrics, ts, teach_seconds + time.perf_counter() - start)
    return out


_COLUMNS = {"transductive": ("accuracy",),
            "production": ("prod_trans", "prod_ind", "prod_prod")}


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """One row per (dataset, model): accuracies per setting, gain over the MLP, s/run, peak MB.

    Example:
        >>> print(markdown_table([
        ...     {"task": "distill", "dataset": "d", "model": "mlp", "metric": "accuracy",
        ...      "mean": 50.0, "std": 1.0, "runs": 5, "seconds": 1.0, "peak_mb": 200.0},
        ...     {"task": "distill", "dataset": "d", "model": "lighthgnn", "metric": "accuracy",
        ...      "mean": 70.0, "std": 2.0, "runs": 5, "seconds": 3.0, "peak_mb": 200.0}]))
        | dataset | model | trans acc | Δ vs MLP | runs | s/run | peak MB |
        |---|---|---|---|---|---|---|
        | d | mlp | 50.00 ± 1.00 | — | 5 | 1.00 | 200 |
        | d | lighthgnn | 70.00 ± 2.00 | +20.00 | 5 | 3.00 | 200 |
    """
    rows = [r for r in records if r.get("task") == "distill"]
    metrics = [m for cols in _COLUMNS.values() for m in cols
               if any(r["metric"] == m for r in rows)]
    head = {"accuracy": "trans acc", "prod_trans": "prod: trans", "prod_ind": "prod: ind",
            "prod_prod": "prod: prod"}
    lines = ["| dataset | model | " + " | ".join(head[m] for m in metrics)
             + " | Δ vs MLP | runs | s/run | peak MB |",
             "|---|---|" + "---|" * len(metrics) + "---|---|---|---|"]
    table: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for r in rows:
        table.setdefault((r["dataset"], r["model"]), {})[r["metric"]] = r
    for (dataset, model), cells in table.items():
        first = metrics[0]
        mlp = table.get((dataset, "mlp"), {}).get(first)
        own = cells.get(first)
        delta = ("—" if mlp is None or own is None or model == "mlp"
                 else f"{own['mean'] - mlp['mean']:+.2f}")
        text = [f"{c['mean']:.2f} ± {c['std']:.2f}" if (c := cells.get(m)) else "—"
                for m in metrics]
        any_rec = next(iter(cells.values()))
        lines.append(f"| {dataset} | {model} | " + " | ".join(text)
                     + f" | {delta} | {any_rec['runs']} | {any_rec['seconds']:.2f} | "
                     f"{any_rec['peak_mb']:.0f} |")
    return "\n".join(lines)
