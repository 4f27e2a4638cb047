r"""The higher-order link prediction benchmark behind ``hgkit holp`` (ScHoLP, PNAS 2018).

For every ``scholp-*`` dataset and label mode, enumerate the open triangles of the first 80%
of the simplices, label them by closure in the last 20%
(:func:`~hgkit.tasks.holp.open_triangle_dataset`), score them with every requested score
(:func:`~hgkit.tasks.holp.triangle_scores`) and return one record per (dataset, label mode,
score) in the ``DESIGN.md`` shape: ``task="holp"``, ``model`` = the score name, metric
``aucpr_ratio`` (average precision / positive rate), one deterministic run (``runs=1``,
``std=0``). Extra fields: ``label_mode``, ``num_open``, ``num_positive``, ``random`` (the
positive rate), ``ap``, ``triangle_seconds`` (enumeration and labelling, shared by the
dataset's rows) and, when a score cannot run (a walk score on too large a graph, say),
``error`` with ``mean=None``.

``published`` (reference labels only, :data:`PUBLISHED`): the spec's table (a) generalized
means (P-repo, the authors' stored outputs: min, harmonic, geometric, arithmetic, max) and
table (b)'s other columns for the four datasets it covers (R-indep re-implementation).

Example:
    >>> recs = run(["scholp-email-Enron"], ["harmonic"], root="/data",
    ...            download=False, progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from typing import Any

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.tasks.benchmark import BenchmarkError

__all__ = ["DEFAULT_DATASETS", "PUBLISHED", "PUBLISHED_RANDOM", "markdown_table", "run"]

#: The datasets with a published anchor in the spec.
DEFAULT_DATASETS: tuple[str, ...] = (
    "scholp-email-Enron", "scholp-contact-primary-school", "scholp-contact-high-school",
    "scholp-NDC-classes", "scholp-email-Eu", "scholp-tags-math-sx")

_MEANS = ("min", "harmonic", "geometric", "arithmetic", "max")
_TABLE_A: dict[str, tuple[float, ...]] = {  # min, harm, geom, arith, max
    "email-Enron": (1.59, 1.78, 1.62, 1.33, 1.35),
    "email-Eu": (1.69, 1.98, 2.15, 1.78, 1.69),
    "contact-high-school": (3.47, 3.86, 4.16, 2.54, 2.42),
    "contact-primary-school": (4.42, 5.63, 6.40, 3.96, 3.24),
    "NDC-classes": (3.27, 4.43, 3.38, 1.82, 1.97),
    "NDC-substances": (3.92, 4.90, 5.27, 2.90, 2.30),
    "tags-math-sx": (7.50, 9.08, 8.67, 2.88, 2.53),
    "tags-ask-ubuntu": (9.42, 12.29, 12.64, 4.24, 3.54),
    "tags-stack-overflow": (11.15, 13.08, 10.42, 3.97, 3.62),
    "threads-math-sx": (20.57, 20.86, 16.01, 5.03, 3.92),
    "threads-ask-ubuntu": (36.20, 78.12, 80.94, 29.00, 20.05),
    "threads-stack-overflow": (16.34, 23.85, 31.12, 12.97, 10.22),
    "congress-bills": (0.96, 0.93, 0.90, 0.88, 0.88),
    "DAWN": (3.81, 4.43, 3.86, 2.13, 1.90),
    "coauth-DBLP": (1.14, 1.49, 1.59, 1.50, 1.43),
    "coauth-MAG-Geology": (1.41, 2.01, 1.97, 1.69, 1.54),
    "coauth-MAG-History": (1.00, 1.69, 2.72, 3.20, 2.66),
}
_B_COLUMNS = ("adamic_adar", "proj_graph_PA", "UPKatz", "UPPR", "logreg_supervised", "common",
              "jaccard", "simplex_PA", "WPKatz", "WPPR")
_TABLE_B: dict[str, tuple[float, ...]] = {  # reference labels, columns _B_COLUMNS
    "email-Enron": (0.87, 1.27, 0.99, 3.69, 1.64, 0.85, 0.83, 0.83, 1.28, 3.16),
    "contact-primary-school": (3.21, 0.92, 1.63, 1.41, 11.80, 2.98, 2.95, 0.94, 4.02, 4.31),
    "contact-high-school": (2.00, 0.96, 1.72, 1.39, 5.17, 1.92, 3.61, 1.13, 2.53, 2.41),
    "NDC-classes": (1.03, 0.94, 0.93, 0.79, 1.05, 1.27, 1.19, 2.14, 1.34, 0.92),
}
#: Published AUC-PR / random per dataset folder and score (reference labels).
PUBLISHED: dict[str, dict[str, float]] = {
    f"scholp-{name}": {**dict(zip(_MEANS, row, strict=True)),
                       **dict(zip(_B_COLUMNS, _TABLE_B.get(name, ()), strict=False))}
    for name, row in _TABLE_A.items()}
#: The spec's reference-label positive rates (table (b)).
PUBLISHED_RANDOM: dict[str, float] = {
    "scholp-email-Enron": 1.399e-02, "scholp-contact-primary-school": 2.586e-03,
    "scholp-contact-high-school": 2.474e-03, "scholp-NDC-classes": 6.721e-03}


def _num(value: float, digits: int = 5) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), digits)


def run(datasets: Sequence[str] | None = None, scores: Sequence[str] | str | None = None, *,
        root: str | os.PathLike[str] | None = None, label_mode: str = "reference",
        max_dense_nodes: int = 5000, download: bool = True,
        progress: bool = True) -> list[dict[str, Any]]:
    """Score the open triangles of every dataset; return records plus an env record.

    Args:
        datasets: ``scholp-*`` dataset names (default :data:`DEFAULT_DATASETS`).
        scores: names of :data:`~hgkit.tasks.holp.SCORES`, or ``"all"`` (default the paper's
            Table 3 columns, :data:`~hgkit.tasks.holp.TABLE3_SCORES`).
        root: data root (default ``$HGKIT_DATA``, then the user cache).
        label_mode: ``"reference"`` (the published labels), ``"correct"`` or ``"both"``.
        max_dense_nodes: largest projected graph the walk scores invert densely; larger ones
            give records with ``error`` and ``mean=None``.
        download: fetch missing files of known datasets.
        progress: show progress bars.
    """
    from tqdm.auto import tqdm

    from hgkit import datasets as registry
    from hgkit.datasets.data import TemporalHypergraph
    from hgkit.tasks import holp as H

    names = list(DEFAULT_DATASETS if datasets is None else datasets)
    try:
        chosen = H._check_scores(scores)
    except ValueError as exc:
        raise BenchmarkError(str(exc)) from None
    modes = list(H.LABEL_MODES) if label_mode == "both" else [label_mode]
    if any(m not in H.LABEL_MODES for m in modes):
        raise BenchmarkError(f"Expected 'label_mode' in {[*H.LABEL_MODES, 'both']} "
                             f"(got {label_mode!r})")
    if not names or not chosen:
        raise BenchmarkError("Expected at least one dataset and one score (got none)")
    env = env_record()
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(names) * len(modes) * len(chosen), disable=not progress, desc="holp",
               unit="score", dynamic_ncols=True)
    try:
        for name in names:
            try:
                th = registry.load(name, root, download=download, progress=False)
            except registry.DatasetError as exc:
                raise BenchmarkError(str(exc)) from None
            if not isinstance(th, TemporalHypergraph):
                raise BenchmarkError(f"Dataset {name!r} is not a ScHoLP temporal hypergraph "
                                     f"(got {type(th).__name__})")
            for mode in modes:
                reset_peak_rss()
                bar.set_postfix_str(f"{name} {mode} triangles")
                start = time.perf_counter()
                data = H.open_triangle_dataset(th, label_mode=mode, progress=progress)
                train = None
                if "logreg_supervised" in chosen:
                    train = H.open_triangle_dataset(th, 60, 80, label_mode=mode,
                                                    progress=progress)
                tri_seconds = time.perf_counter() - start
                for score in chosen:
                    bar.set_postfix_str(f"{name} {mode} {score}")
                    start = time.perf_counter()
                    error = None
                    try:
                        values = H.triangle_scores(data, [score], train=train,
                                                   max_dense_nodes=max_dense_nodes,
                                                   progress=progress)[score]
                        ap, rate, ratio = H.aucpr_ratio(data.labels, values)
                    except (ValueError, MemoryError) as exc:
                        error = str(exc)
                        ap, ratio = math.nan, math.nan
                        rate = float(data.labels.mean()) if data.labels.size else math.nan
                    pub = PUBLISHED.get(name, {}).get(score) if mode == "reference" else None
                    rec: dict[str, Any] = {
                        "task": "holp", "dataset": name, "model": score,
                        "metric": "aucpr_ratio", "mean": _num(ratio, 4), "std": 0.0,
                        "runs": 1, "published": pub,
                        "seconds": round(time.perf_counter() - start, 3),
                        "peak_mb": round(peak_rss_mb(), 1), "label_mode": mode,
                        "num_open": int(data.triangles.shape[0]),
                        "num_positive": int(data.labels.sum()), "random": _num(rate, 8),
                        "published_random": (PUBLISHED_RANDOM.get(name)
                                             if mode == "reference" else None),
                        "ap": _num(ap, 6), "triangle_seconds": round(tri_seconds, 3),
                        "t_old": data.t_old,
                    }
                    if error is not None:
                        rec["error"] = error
                    records.append(rec)
                    bar.update()
    finally:
        bar.close()
    records.append(env)
    return records


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """One row per (dataset, label mode), one column per score: ours (published).

    Example:
        >>> print(markdown_table([{"task": "holp", "dataset": "d", "model": "harmonic",
        ...     "metric": "aucpr_ratio", "mean": 1.7812, "published": 1.78,
        ...     "label_mode": "reference", "num_open": 2574, "num_positive": 36,
        ...     "random": 0.013986}]))
        | dataset | labels | #open | #pos | random | harmonic |
        |---|---|---|---|---|---|
        | d | reference | 2,574 | 36 | 1.399e-02 | 1.78 (1.78) |
    """
    rows = [r for r in records if r.get("task") == "holp"]
    columns = list(dict.fromkeys(r["model"] for r in rows))
    keys = list(dict.fromkeys((r["dataset"], r["label_mode"]) for r in rows))
    lines = ["| dataset | labels | #open | #pos | random | " + " | ".join(columns) + " |",
             "|---|---|---|---|---|" + "---|" * len(columns)]
    for dataset, mode in keys:
        cells = {r["model"]: r for r in rows
                 if r["dataset"] == dataset and r["label_mode"] == mode}
        first = next(iter(cells.values()))
        rate = "—" if first.get("random") is None else f"{first['random']:.3e}"
        out = []
        for col in columns:
            r = cells.get(col)
            if r is None or r.get("mean") is None:
                out.append("—" if r is None else "error")
                continue
            pub = r.get("published")
            out.append(f"{r['mean']:.2f}" + ("" if pub is None else f" ({pub:.2f})"))
        lines.append(f"| {dataset} | {mode} | {first['num_open']:,} | {first['num_positive']} "
                     f"| {rate} | " + " | ".join(out) + " |")
    return "\n".join(lines)
