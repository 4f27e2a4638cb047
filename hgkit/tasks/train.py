r"""The runner behind ``hgkit train``: one model on one dataset, full-batch or mini-batch,
optionally data-parallel under ``torchrun``.

It uses the node-classification benchmark's settings (:mod:`hgkit.tasks.benchmark`: how a
dataset is loaded, each model's class and optimizer settings, the seeded 50 / 25 / 25 splits)
and adds the scale switches of :class:`~hgkit.tasks.NodeClassification`: ``batch_size``,
``num_neighbors``, ``member_cap``, ``eval_batch_size`` and ``distributed``.

Distributed recipe (CPU, gloo backend; each rank trains on its share of the training nodes,
DDP averages the gradients)::

    torchrun --standalone --nproc-per-node 2 -m hgkit train --distributed \
        --dataset allset-walmart-trips --data-root ../shared/datasets --batch-size 2048

Example:
    >>> recs = train("hsbm-homophilic", "hgnn", epochs=3, batch_size=256, progress=False)
    >>> r = recs[0]
    >>> r["mode"], r["batches_per_epoch"], r["world_size"], r["metric"], recs[-1]["task"]
    ('mini-batch', 4, 1, 'accuracy', 'env')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import torch

from hgkit._env import env_record, reset_peak_rss
from hgkit.datasets.splits import random_splits
from hgkit.tasks import distributed as D
from hgkit.tasks.benchmark import BenchmarkError, fit_run, load_config, load_dataset, run_record

__all__ = ["markdown_table", "train"]


def train(dataset: str = "hsbm-homophilic", model: str = "hgnn", *,
          root: str | os.PathLike[str] | None = None, runs: int = 1, epochs: int | None = None,
          seed: int = 0, lr: float | None = None, patience: int | None = None,
          batch_size: int | None = None, num_neighbors: Sequence[int] = (10, 10),
          member_cap: int | None = None, eval_batch_size: int | None = None,
          distributed: bool = False, config: dict[str, Any] | None = None,
          download: bool = True, progress: bool = True,
          save: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Train ``model`` on ``dataset`` for ``runs`` seeded splits; return the records.

    Args:
        dataset: a config dataset name (``hsbm-*`` synthetic) or a folder under ``root``.
        model: a config model name (``hgnn``, ``edhnn``, ...).
        runs: splits / seeds (the benchmark's sequence: run ``r`` uses split ``r`` and torch
            seed ``seed * 1000 + r``).
        epochs: epochs per run (default: the dataset's, else the protocol's 500).
        lr: Adam learning rate (default: the model's config value).
        batch_size, num_neighbors, member_cap, eval_batch_size, distributed: as in
            :class:`~hgkit.tasks.NodeClassification` (``batch_size=None``: full batch).
        save: write the last run's trained ``state_dict`` there (rank 0 only).

    Returns:
        One ``node_classification`` record (accuracy in percent, mean ± std over runs, with
        ``mode``, ``batch_size``, ``num_neighbors``, ``member_cap``, ``world_size``,
        ``batches_per_epoch``, ``epoch_ms``, ``peak_mb``, ``loss_first`` / ``loss_last``: the
        mean training loss of the first and last epoch), then an env record.
    """
    from tqdm.auto import tqdm

    config = load_config() if config is None else config
    if model not in config["models"]:
        raise BenchmarkError(f"Unknown model {model!r}; valid: {', '.join(config['models'])}")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise BenchmarkError(f"Expected 'runs' to be a positive int (got {runs!r})")
    protocol = config["protocol"]
    entry = config["datasets"].get(dataset, {})
    n_epochs = epochs or entry.get("epochs", protocol["epochs"])
    rank, world = D.rank_and_world() if distributed else (0, 1)
    env = env_record()
    data = load_dataset(config, dataset, root, seed, download)
    splits = random_splits(data.num_nodes, num_splits=runs, train=protocol.get("train", 0.5),
                           val=protocol.get("val", 0.25), seed=seed)
    reset_peak_rss()
    done = []
    for r, split in enumerate(tqdm(splits, disable=not progress or rank != 0, desc="train",
                                   unit="run", leave=False)):
        done.append(fit_run(config, model, dataset, data, split, seed=seed * 1000 + r,
                            epochs=n_epochs, patience=patience, lr=lr, batch_size=batch_size,
                            num_neighbors=num_neighbors, member_cap=member_cap,
                            eval_batch_size=eval_batch_size, distributed=distributed,
                            progress=progress and rank == 0))
    task = done[-1].task
    if save is not None and rank == 0:
        torch.save(task.model_.state_dict(), save)
    record = {
        **run_record(config, dataset, model, done, n_epochs),
        "mode": "full-batch" if batch_size is None else "mini-batch",
        "batch_size": batch_size, "num_neighbors": list(num_neighbors),
        "member_cap": member_cap, "eval_batch_size": eval_batch_size, "world_size": world,
        "batches_per_epoch": task.batches_per_epoch_,
        "loss_first": round(sum(d.task.history_[0]["loss"] for d in done) / runs, 6),
        "loss_last": round(sum(d.task.history_[-1]["loss"] for d in done) / runs, 6),
        "seed": seed,
    }
    return [record, env]


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown table of :func:`train` records (env records are skipped).

    Example:
        >>> print(markdown_table([{"task": "node_classification", "dataset": "d", "model": "m",
        ...     "mode": "mini-batch", "batch_size": 64, "num_neighbors": [5, 5],
        ...     "member_cap": None, "world_size": 2, "mean": 81.0, "std": 1.5,
        ...     "published": None, "runs": 3, "epochs": 40, "batches_per_epoch": 8,
        ...     "epoch_ms": 950.0, "peak_mb": 700.0}]).splitlines()[-1][:64])
        | d | m | mini-batch 64, (5, 5), cap all, 2 ranks | 81.00 ± 1.50
    """
    lines = ["| dataset | model | mode | accuracy | published | runs | epochs | steps/epoch "
             "| ms/epoch | peak MB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        if r.get("task") == "env":
            continue
        mode = r["mode"]
        if mode == "mini-batch":
            cap = "all" if r["member_cap"] is None else r["member_cap"]
            mode += (f" {r['batch_size']}, ({', '.join(map(str, r['num_neighbors']))}), "
                     f"cap {cap}")
        if r.get("world_size", 1) > 1:
            mode += f", {r['world_size']} ranks"
        published = "—" if r.get("published") is None else f"{r['published']:.2f}"
        lines.append(f"| {r['dataset']} | {r['model']} | {mode} | {r['mean']:.2f} ± "
                     f"{r['std']:.2f} | {published} | {r['runs']} | {r['epochs']} | "
                     f"{r['batches_per_epoch']} | {r['epoch_ms']:.0f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)
