r"""The hyperedge-prediction benchmark: neural predictors and classical set scores side by side.

Protocol per dataset and run ``r`` (seed ``seed + r``):

* Split (:func:`~hgkit.tasks.hyperedge_prediction.split_hyperedges`, ``min_size=3``):
  node-level datasets (``allset-*``: cocitation / coauthorship Cora, Citeseer, ...) get a
  random 60/20/20 split of their distinct hyperedges of size ``>= 3`` with AHP's greedy node
  cover forced into train (``cover_nodes=True``) and AHP's node universe (the nodes of some
  candidate hyperedge: 1,229 of cocitation Cora's 2,708 nodes; every one of them is then in
  the training hypergraph); ScHoLP datasets (``scholp-*``, timestamped) a temporal 60/20/20
  split by first occurrence with no cover (a cover would pull future hyperedges into train)
  and the universe of the nodes seen in training (val / test hyperedges with a node new to
  the test period are excluded); the same split in every run; the runs then differ in
  initialization, training negatives and evaluation negatives. All negatives (training and
  evaluation) are drawn from the universe; the encoder still runs on all nodes. Sizes 2 are
  left out of the candidates because the samplers only draw sizes ``>= 3`` (Patil et al.),
  so a size-2 positive would be recognizable by its size alone.
* Validation and test negatives: one fixed set per part and type (``negatives``, default
  SNS, MNS, CNS; one negative per positive) from
  :func:`~hgkit.tasks.hyperedge_prediction.evaluation_negatives` (rejected against all
  positives), shared by every model of the run.
* Neural models ``<encoder>-<decoder>`` (encoders of
  :data:`~hgkit.tasks.hyperedge_prediction.ENCODERS`, decoders ``mean``, ``maxmin``,
  ``pma``): :class:`~hgkit.tasks.hyperedge_prediction.HyperedgePrediction` with hidden 128,
  Adam lr 0.01 (ED-HNN: 1e-3, :data:`~hgkit.tasks.hyperedge_prediction.ENCODER_LR`),
  ``epochs`` epochs, patience 50, training negatives drawn fresh each epoch with
  ``train_sampler`` (default ``"mix"``), selection on the mean validation AUROC over
  SNS / MNS / CNS. Featureless ScHoLP data use a learnable node embedding.
* Classical scores (:data:`~hgkit.tasks.hyperedge_prediction.CLASSICAL_SCORES`) on the
  projection of the training hyperedges (``katz`` is skipped above 6,000 nodes).

Records (``DESIGN.md`` shape): ``task="hyperedge_prediction"``, ``model``, ``metric``
``auroc_<neg>`` / ``ap_<neg>`` (in percent), mean ± std (``np.std``, ddof 0) over runs,
``val_auroc_<neg>`` (the same on the validation part, for selecting settings without test),
``published`` ``None`` (no verified paper number, see the spec §4.5), ``seconds`` (total over
runs), ``peak_mb``; plus ``scores`` per run, ``split`` and the split sizes. The env record is
last.

Example:
    >>> recs = run(["allset-cocitation-cora"], ["hgnn-maxmin", "harm_mean"], runs=1,
    ...            epochs=5, progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.tasks.benchmark import BenchmarkError

__all__ = ["DEFAULT_DATASETS", "DEFAULT_MODELS", "DEFAULT_NEGATIVES", "markdown_table", "run"]

DEFAULT_DATASETS: tuple[str, ...] = (
    "allset-cocitation-cora", "allset-cocitation-citeseer", "allset-coauthorship-cora",
    "scholp-email-Enron", "scholp-contact-primary-school", "scholp-contact-high-school",
    "scholp-NDC-classes")
DEFAULT_MODELS: tuple[str, ...] = (
    "hgnn-maxmin", "hgnn-mean", "edhnn-maxmin", "harm_mean", "geom_mean", "arith_mean",
    "min_mean", "common", "jaccard", "adamic_adar", "proj_graph_pa", "katz")
DEFAULT_NEGATIVES: tuple[str, ...] = ("sns", "mns", "cns")


def _neural(name: str) -> tuple[str, str] | None:
    from hgkit.tasks.hyperedge_prediction import DECODERS, ENCODERS

    enc, _, dec = name.partition("-")
    return (enc, dec) if enc in ENCODERS and dec in DECODERS else None


def run(datasets: Sequence[str] | None = None, models: Sequence[str] | None = None,
        negatives: Sequence[str] | None = None, *,
        root: str | os.PathLike[str] | None = None, runs: int = 3, seed: int = 0,
        epochs: int = 200, download: bool = True, progress: bool = True,
        train_sampler: str = "mix", hidden: int = 128, lr: float | None = None,
        patience: int | None = 50, cover_nodes: bool = True,
        estimator_kwargs: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run every (dataset, model) for ``runs`` seeded runs; return records plus an env record.

    Args:
        datasets: dataset names (default :data:`DEFAULT_DATASETS`).
        models: ``<encoder>-<decoder>`` names or classical score names (default
            :data:`DEFAULT_MODELS`).
        negatives: test negative types (default SNS, MNS, CNS; any of
            :data:`~hgkit.tasks.hyperedge_prediction.SAMPLERS`).
        root: data root; runs: seeded runs; seed: base seed; epochs: training epochs.
        download: fetch missing files; progress: show progress bars.
        train_sampler, hidden, lr, patience: neural training settings (``lr=None``: per
            encoder, :data:`~hgkit.tasks.hyperedge_prediction.ENCODER_LR`).
        cover_nodes: force a greedy node cover into train on random splits (AHP).
        estimator_kwargs: further keyword arguments of
            :class:`~hgkit.tasks.hyperedge_prediction.HyperedgePrediction`.
    """
    from tqdm.auto import tqdm

    from hgkit import datasets as registry
    from hgkit.datasets.data import HypergraphData, TemporalHypergraph
    from hgkit.tasks import hyperedge_prediction as hp
    from hgkit.tasks import metrics

    names = list(DEFAULT_DATASETS if datasets is None else datasets)
    chosen = list(DEFAULT_MODELS if models is None else models)
    negs = list(DEFAULT_NEGATIVES if negatives is None else negatives)
    bad = [m for m in chosen if m not in hp.CLASSICAL_SCORES and _neural(m) is None]
    if bad:
        raise BenchmarkError(f"Unknown model(s) {bad}; valid: <encoder>-<decoder> with encoder "
                             f"in {list(hp.ENCODERS)} and decoder in {list(hp.DECODERS)}, or "
                             f"one of {list(hp.CLASSICAL_SCORES)}")
    if train_sampler not in hp.SAMPLERS:
        raise BenchmarkError(f"Expected 'train_sampler' in {list(hp.SAMPLERS)} "
                             f"(got {train_sampler!r})")
    bad = [m for m in negs if m not in hp.SAMPLERS]
    if bad:
        raise BenchmarkError(f"Unknown negative type(s) {bad}; valid: {list(hp.SAMPLERS)}")
    if not names or not chosen or not negs:
        raise BenchmarkError("Expected at least one dataset, model and negative type")
    for value, what in ((runs, "runs"), (epochs, "epochs"), (hidden, "hidden")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BenchmarkError(f"Expected '{what}' to be a positive int (got {value!r})")
    env = env_record()
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(names) * runs, disable=not progress, desc="hyperedge-pred",
               unit="run", dynamic_ncols=True)
    try:
        for name in names:
            try:
                data = registry.load(name, root, download=download, progress=False)
            except registry.DatasetError as exc:
                raise BenchmarkError(str(exc)) from None
            if not isinstance(data, (HypergraphData, TemporalHypergraph)):
                raise BenchmarkError(f"Dataset {name!r} holds no hypergraph (got "
                                     f"{type(data).__name__})")
            temporal = isinstance(data, TemporalHypergraph)
            scores: dict[tuple[str, str], list[float]] = {}
            seconds: dict[str, float] = dict.fromkeys(chosen, 0.0)
            peak: dict[str, float] = dict.fromkeys(chosen, 0.0)
            split = None
            for r in range(runs):
                s = seed + r
                split = hp.split_hyperedges(data, 0.6, 0.2, 0.2, seed=s,
                                            by_time=True if temporal else None, min_size=3,
                                            cover_nodes=cover_nodes and not temporal)
                parts = {p: (list(split.part(p)), {
                    t: hp.evaluation_negatives(split, p, t, seed=s) for t in negs})
                    for p in ("val", "test")}
                for model in chosen:
                    bar.set_postfix_str(f"{name} {model} run {r}")
                    reset_peak_rss()
                    t0 = time.perf_counter()
                    pair = _neural(model)
                    if pair is None:
                        if model == "katz" and split.num_nodes > 6000:
                            continue
                        res = {p: _classical(hp, metrics, split, model, pos, neg_sets)
                               for p, (pos, neg_sets) in parts.items()}
                    else:
                        est = hp.HyperedgePrediction(
                            pair[0], decoder=pair[1], hidden=hidden, sampler=train_sampler,
                            lr=lr, epochs=epochs, patience=patience, seed=s,
                            **dict(estimator_kwargs or {}))
                        est.fit(None if temporal else data, split)
                        res = {p: est.evaluate(split, neg_sets, part=p)
                               for p, (_, neg_sets) in parts.items()}
                    seconds[model] += time.perf_counter() - t0
                    peak[model] = max(peak[model], peak_rss_mb())
                    for t in negs:
                        for m in ("auroc", "ap"):
                            scores.setdefault((model, f"{m}_{t}"), []).append(
                                100 * res["test"][t][m])
                        scores.setdefault((model, f"val_auroc_{t}"), []).append(
                            100 * res["val"][t]["auroc"])
                bar.update()
            assert split is not None
            for model in chosen:
                for t in negs:
                    for m in ("auroc", "ap", "val_auroc"):
                        vals = scores.get((model, f"{m}_{t}"))
                        if not vals:
                            continue
                        records.append({
                            "task": "hyperedge_prediction", "dataset": name, "model": model,
                            "metric": f"{m}_{t}", "mean": round(float(np.mean(vals)), 4),
                            "std": round(float(np.std(vals)), 4), "std_ddof": 0,
                            "runs": len(vals), "published": None,
                            "seconds": round(seconds[model], 2),
                            "peak_mb": round(peak[model], 1),
                            "scores": [round(v, 4) for v in vals], "split": split.method,
                            "num_train": len(split.train), "num_val": len(split.val),
                            "num_test": len(split.test), "seed": seed,
                            "universe": (split.num_nodes if split.universe is None
                                         else len(split.universe)),
                            "cover_size": split.metadata["cover_size"],
                            "epochs": epochs if _neural(model) else None})
    finally:
        bar.close()
    records.append(env)
    return records


def _classical(hp: Any, metrics: Any, split: Any, model: str, pos: list[Any],
               neg_sets: dict[str, list[Any]]) -> dict[str, dict[str, float]]:
    """AUROC / AP of one classical score: ``pos`` against each negative set."""
    cands = pos + [e for neg in neg_sets.values() for e in neg]
    sc = hp.classical_scores(split.train, split.num_nodes, cands, [model])[model]
    res, off = {}, len(pos)
    for t, neg in neg_sets.items():
        y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        v = np.r_[sc[:len(pos)], sc[off:off + len(neg)]]
        res[t] = {"auroc": metrics.auroc(y, v), "ap": metrics.average_precision(y, v)}
        off += len(neg)
    return res


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """One row per (dataset, model), one column per metric (mean ± std).

    Example:
        >>> print(markdown_table([
        ...     {"task": "hyperedge_prediction", "dataset": "d", "model": "hgnn-maxmin",
        ...      "metric": "auroc_sns", "mean": 90.0, "std": 1.0, "runs": 3, "seconds": 9.0},
        ...     {"task": "hyperedge_prediction", "dataset": "d", "model": "hgnn-maxmin",
        ...      "metric": "ap_sns", "mean": 88.5, "std": 0.5, "runs": 3, "seconds": 9.0}]))
        | dataset | model | auroc_sns | ap_sns | runs | s |
        |---|---|---|---|---|---|
        | d | hgnn-maxmin | 90.00 ± 1.00 | 88.50 ± 0.50 | 3 | 9 |
    """
    rows = [r for r in records if r.get("task") == "hyperedge_prediction"]
    cols: list[str] = []
    for r in rows:
        if r["metric"] not in cols:
            cols.append(r["metric"])
    cols.sort(key=lambda c: c.split("_", 1)[0] != "auroc")  # stable: negatives keep order
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        table.setdefault((r["dataset"], r["model"]), {})[r["metric"]] = r
    lines = ["| dataset | model | " + " | ".join(cols) + " | runs | s |",
             "|---" * (len(cols) + 4) + "|"]
    for (ds, model), cells in table.items():
        first = next(iter(cells.values()))
        vals = [f"{cells[c]['mean']:.2f} ± {cells[c]['std']:.2f}" if c in cells else "—"
                for c in cols]
        lines.append(f"| {ds} | {model} | " + " | ".join(vals)
                     + f" | {first['runs']} | {first['seconds']:.0f} |")
    return "\n".join(lines)
