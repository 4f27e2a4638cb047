r"""The node-classification benchmark runner behind ``hgkit benchmark``.

Runs models x datasets x seeded runs with the ED-HNN / AllSet protocol and returns JSON-ready
records (``DESIGN.md``, Benchmarks and the CLI), one per (dataset, model), plus an ``env``
record. The settings live in a checked-in TOML file,
``hgkit/tasks/configs/node_classification.toml`` (:func:`load_config`): the protocol, how each
dataset is loaded, each model's class, constructor arguments and optimizer settings with
per-dataset overrides, and the published accuracies shown beside ours.

Protocol, for each dataset:

1. Load it (real datasets from ``root/<name>/raw``; the synthetic ``hsbm-*`` sets are drawn
   by :func:`~hgkit.hypergraph.generate.hsbm` from ``seed``), then add a singleton hyperedge to
   every node that has none (AllSet / ED-HNN ``self_loops``). Cornell datasets get the
   feature noise once, from ``seed``, as ED-HNN draws it once per process.
2. Draw ``runs`` random 50 / 25 / 25 splits sequentially from ``seed``
   (:func:`~hgkit.datasets.splits.random_splits`, ED-HNN's procedure); every model sees the
   same splits.
3. Run ``r`` of a model: build it under torch seed ``seed * 1000 + r``, train full batch with
   :class:`~hgkit.tasks.NodeClassification` for ``epochs`` epochs and take the test accuracy of
   the first epoch of best validation accuracy.
4. Report mean ± std (unbiased, as ``torch.std``) of the test accuracy in percent, the mean
   wall time of a run, the mean training time of an epoch, and the peak resident memory of the
   row (``VmHWM`` reset before the row where Linux allows it).

Example:
    >>> recs = run(["hsbm-homophilic"], ["mlp"], runs=1, epochs=2, progress=False)
    >>> r = recs[0]
    >>> r["task"], r["dataset"], r["model"], r["metric"], r["runs"], recs[-1]["task"]
    ('node_classification', 'hsbm-homophilic', 'mlp', 'accuracy', 1, 'env')
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

from hgkit._env import env_record, peak_rss_mb, reset_peak_rss
from hgkit.datasets.data import HypergraphData
from hgkit.datasets.splits import random_splits
from hgkit.hypergraph.transforms import add_self_loops
from hgkit.tasks.node_classification import NodeClassification

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "CONFIG_PATH", "DEFAULT_MODELS", "SYNTHETIC_DATASETS", "BenchmarkError", "build_model",
    "load_config", "load_dataset", "markdown_table", "merge_records", "model_settings", "run",
]

#: The checked-in benchmark settings.
CONFIG_PATH = Path(__file__).resolve().parent / "configs" / "node_classification.toml"
#: Models run when none are named: the rows of the issue's table.
DEFAULT_MODELS: tuple[str, ...] = ("mlp", "hgnn", "hgnnp", "hnhn", "hypergcn", "unigcnii",
                                   "allsettransformer", "edhnn")
#: Synthetic datasets run when none are named (the README's quick suite).
SYNTHETIC_DATASETS: tuple[str, ...] = ("hsbm-homophilic", "hsbm-heterophilic")

_TRAIN_KEYS = ("lr", "weight_decay", "conv_weight_decay", "optimizer")


class BenchmarkError(ValueError):
    """A benchmark request that cannot run: unknown name, bad config, unusable dataset."""


# ---------------------------------------------------------------------- configuration
def load_config(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read and check a benchmark TOML file (default :data:`CONFIG_PATH`).

    Example:
        >>> cfg = load_config()
        >>> cfg["protocol"]["runs"], cfg["models"]["edhnn"]["class"]
        (10, 'EDHNN')
    """
    target = Path(CONFIG_PATH if path is None else path)
    try:
        with target.open("rb") as fh:
            config = tomllib.load(fh)
    except OSError as exc:
        raise BenchmarkError(f"Cannot read config {str(target)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BenchmarkError(f"Config {str(target)!r} is not valid TOML: {exc}") from None
    for section in ("protocol", "datasets", "models"):
        if not isinstance(config.get(section), dict):
            raise BenchmarkError(f"Config {str(target)!r} lacks a [{section}] table")
    config.setdefault("published", {})
    from hgkit.layers import models as zoo

    for name, entry in config["models"].items():
        cls = entry.get("class") if isinstance(entry, dict) else None
        if not isinstance(getattr(zoo, str(cls), None), type):
            raise BenchmarkError(f"Config model {name!r}: 'class' must name a model of "
                                 f"hgkit.layers.models (got {cls!r})")
    return config


def model_settings(config: dict[str, Any], model: str, dataset: str
                   ) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """``(class name, constructor params, training settings)`` of ``model`` on ``dataset``.

    Example:
        >>> cls, params, train = model_settings(load_config(), "edhnn", "allset-cocitation-cora")
        >>> cls, params["hidden_channels"], params["num_layers"], train["lr"]
        ('EDHNN', 256, 1, 0.001)
    """
    entry = config["models"].get(model)
    if entry is None:
        raise BenchmarkError(f"Unknown model {model!r}; valid: {', '.join(config['models'])}")
    merged = {k: v for k, v in entry.items() if k in _TRAIN_KEYS}
    params = dict(entry.get("params", {}))
    for key, value in entry.get("datasets", {}).get(dataset, {}).items():
        (merged if key in _TRAIN_KEYS else params)[key] = value
    return entry["class"], params, merged


def build_model(config: dict[str, Any], model: str, dataset: str, in_channels: int,
                num_classes: int) -> nn.Module:
    """The model ``model`` configured for ``dataset``.

    Example:
        >>> build_model(load_config(), "hgnn", "x", 5, 3).convs[0].in_channels
        5
    """
    from hgkit.layers import models as zoo

    cls, params, _ = model_settings(config, model, dataset)
    module: nn.Module = getattr(zoo, cls)(in_channels, params.pop("hidden_channels"),
                                          num_classes, **params)
    return module


def _optimizer(settings: dict[str, Any]) -> Any:
    if settings.get("optimizer") != "unigcnii":
        return None
    lr, wd = settings["lr"], settings["weight_decay"]
    conv_wd = settings.get("conv_weight_decay", wd)

    def make(model: nn.Module) -> torch.optim.Optimizer:
        convs = getattr(model, "convs", None)
        conv_ids = {id(p) for p in convs.parameters()} if convs is not None else set()
        rest = [p for p in model.parameters() if id(p) not in conv_ids]
        groups = [{"params": rest, "weight_decay": wd}]
        if convs is not None:
            groups.append({"params": list(convs.parameters()), "weight_decay": conv_wd})
        return torch.optim.Adam(groups, lr=lr)

    return make


# ---------------------------------------------------------------------- datasets
def load_dataset(config: dict[str, Any], name: str, root: str | os.PathLike[str] | None = None,
                 seed: int = 0, download: bool = True) -> HypergraphData:
    """Dataset ``name`` ready for training: features present, self-loops added if configured.

    Synthetic names (a ``synthetic`` entry in the config) are drawn from ``seed``; any other
    name is loaded with :func:`hgkit.datasets.load` from ``root`` (the config's ``load``
    options apply to known names; an unknown folder with a recognised layout loads with the
    family's defaults). ``download=False`` never touches the network: missing files are an
    error.

    Example:
        >>> data = load_dataset(load_config(), "hsbm-homophilic", seed=0)
        >>> data.num_nodes, data.num_edges > 2000, data.num_classes
        (2000, True, 4)
    """
    entry = config["datasets"].get(name, {})
    if "synthetic" in entry:
        from hgkit.hypergraph.generate import hsbm

        syn = hsbm(seed=seed, **entry["synthetic"])
        data = HypergraphData(syn.hypergraph, x=syn.x, y=syn.y, num_classes=syn.num_classes,
                              name=name, metadata={"generator": "hsbm", **entry["synthetic"]})
    else:
        from hgkit import datasets
        from hgkit.datasets.base import data_root, known_names

        base = data_root(root)
        if not (base / name / "raw").is_dir() and name not in known_names():
            synthetic = [k for k, v in config["datasets"].items() if "synthetic" in v]
            present = sorted(p.parent.name for p in base.glob("*/raw") if p.is_dir())
            raise BenchmarkError(
                f"Dataset {name!r} not found: no folder {base / name / 'raw'} and not a "
                f"synthetic dataset ({', '.join(synthetic) or 'none configured'}); datasets "
                f"under {base}: {', '.join(present) or 'none'}")
        options = dict(entry.get("load", {}))
        if "feature_noise" in options:
            options.setdefault("seed", seed)
        try:
            data = datasets.load(name, root, download=download, progress=False, **options)
        except datasets.DatasetError as exc:
            raise BenchmarkError(str(exc)) from None
        if not isinstance(data, HypergraphData):
            raise BenchmarkError(f"Dataset {name!r} is not a node-level dataset (got "
                                 f"{type(data).__name__})")
    if data.x is None or data.y is None:
        missing = "features (x)" if data.x is None else "labels (y)"
        raise BenchmarkError(f"Dataset {name!r} has no node {missing}; node classification "
                             "needs both (allset-cocitation-pubmed and "
                             "allset-coauthorship-dblp ship without features.pickle)")
    x = data.x.to_dense() if data.x.is_sparse else data.x
    data = data.replace(x=x.float())
    if config["protocol"].get("self_loops", True):
        data = data.replace(hypergraph=add_self_loops(data.hypergraph, only_missing=True))
    return data


# ---------------------------------------------------------------------- running
def _published(config: dict[str, Any], dataset: str, model: str) -> float | None:
    value = config["published"].get(dataset, {}).get(model)
    return None if value is None else float(value)


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _names(values: Sequence[str] | None, default: Sequence[str], valid: Sequence[str] | None,
           what: str) -> list[str]:
    names = list(default if values is None else ([values] if isinstance(values, str)
                                                  else values))
    if not names:
        raise BenchmarkError(f"Expected at least one {what} (got none)")
    if valid is not None:
        bad = [n for n in names if n not in valid]
        if bad:
            raise BenchmarkError(f"Unknown {what}(s) {bad}; valid: {', '.join(valid)}")
    return names


class Run(NamedTuple):
    """One fitted run: the estimator, its test accuracy (percent) and its wall time."""

    task: NodeClassification
    score: float
    seconds: float


def fit_run(config: dict[str, Any], model: str, dataset: str, data: HypergraphData,
            split: Any, *, seed: int, epochs: int, patience: int | None,
            lr: float | None = None, **options: Any) -> Run:
    """Train ``model`` (configured for ``dataset``) on ``split`` and test it once.

    ``lr`` overrides the config's learning rate (and then its custom optimizer); ``options``
    go to :class:`~hgkit.tasks.NodeClassification` (mini-batch and distributed settings).
    ``seconds`` times the fit and the test.
    """
    _, _, train = model_settings(config, model, dataset)
    train_mask, val_mask, test_mask = split.masks(data.num_nodes)
    task = NodeClassification(
        lambda f, c: build_model(config, model, dataset, f, c),
        lr=lr if lr is not None else train.get("lr", 1e-3),
        weight_decay=train.get("weight_decay", 0.0), epochs=epochs, patience=patience,
        optimizer=None if lr is not None else _optimizer(train), seed=seed, **options)
    start = time.perf_counter()
    task.fit(data, train_mask, val_mask)
    score = 100.0 * task.score(data, test_mask)
    return Run(task, score, time.perf_counter() - start)


def run_record(config: dict[str, Any], dataset: str, model: str, runs: Sequence[Run],
               epochs: int) -> dict[str, Any]:
    """The fields of a node-classification record shared by every runner: accuracy mean ±
    std, timing, the row's peak memory, selected epochs, validation mean and the scores."""
    n = len(runs)
    mean, std = _mean_std([r.score for r in runs])
    return {
        "task": "node_classification", "dataset": dataset, "model": model,
        "metric": "accuracy", "mean": round(mean, 4), "std": round(std, 4), "runs": n,
        "published": _published(config, dataset, model),
        "seconds": round(sum(r.seconds for r in runs) / n, 4),
        "peak_mb": round(peak_rss_mb(), 1),
        "epoch_ms": round(1000 * sum(r.task.epoch_seconds_ for r in runs) / n, 3),
        "epochs": epochs, "best_epoch": round(sum(r.task.best_epoch_ for r in runs) / n, 1),
        "val_mean": round(sum(100.0 * (r.task.best_val_acc_ or 0.0) for r in runs) / n, 4),
        "scores": [round(r.score, 4) for r in runs],
    }


def run(datasets: Sequence[str] | None = None, models: Sequence[str] | None = None, *,
        root: str | os.PathLike[str] | None = None, runs: int | None = None,
        epochs: int | None = None, seed: int = 0, patience: int | None = None,
        config: dict[str, Any] | None = None, download: bool = True, first_run: int = 0,
        progress: bool = True) -> list[dict[str, Any]]:
    """Train every model on every dataset ``runs`` times; return the records.

    Args:
        datasets: dataset names (default: the synthetic suite :data:`SYNTHETIC_DATASETS`).
        models: config model names (default :data:`DEFAULT_MODELS`).
        root: data root of real datasets (default ``$HGKIT_DATA``, then the user cache).
        runs: runs per row (default: the dataset's ``runs`` in the config, else the
            protocol's 10).
        epochs: epochs per run (default: the dataset's, else the protocol's 500).
        seed: base seed of data noise, splits and model initialization.
        patience: early-stopping patience (default ``None``: the protocol trains every epoch).
        config: a config from :func:`load_config` (default: the checked-in one).
        download: fetch missing files of known datasets (pinned URLs, sha256 checked).
        first_run: index of the first run: ``first_run=5, runs=5`` runs splits 5..9 of the
            sequence (with the model seeds of those runs), so that one row can be split over
            processes or machines and combined with :func:`merge_records`.
        progress: show a tqdm bar over runs.

    Returns:
        One record per (dataset, model): ``task``, ``dataset``, ``model``, ``metric``
        (``"accuracy"``), ``mean``, ``std`` (percent), ``runs``, ``published``, ``seconds``
        (mean wall time of a run), ``peak_mb``, plus ``epoch_ms`` (mean training step),
        ``epochs``, ``best_epoch`` (mean selected epoch), ``val_mean``, ``parameters``, ``seed``,
        ``run_ids`` and the per-run ``scores``; then one env record.
    """
    from tqdm.auto import tqdm

    config = load_config() if config is None else config
    datasets = _names(datasets, SYNTHETIC_DATASETS, None, "dataset")
    models = _names(models, DEFAULT_MODELS, list(config["models"]), "model")
    if isinstance(first_run, bool) or not isinstance(first_run, int) or first_run < 0:
        raise BenchmarkError(f"Expected 'first_run' to be an int >= 0 (got {first_run!r})")
    for value, name in ((runs, "runs"), (epochs, "epochs"), (patience, "patience")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise BenchmarkError(f"Expected '{name}' to be a positive int (got {value!r})")
    protocol = config["protocol"]
    plan = []
    for name in datasets:
        entry = config["datasets"].get(name, {})
        plan.append((name, runs or entry.get("runs", protocol["runs"]),
                     epochs or entry.get("epochs", protocol["epochs"])))
    env = env_record()  # taken now: the code that runs is the code checked out at the start
    records: list[dict[str, Any]] = []
    bar = tqdm(total=sum(r for _, r, _ in plan) * len(models), disable=not progress,
               desc="benchmark", unit="run", dynamic_ncols=True)
    try:
        for name, n_runs, n_epochs in plan:
            bar.set_postfix_str(f"{name}: loading")
            data = load_dataset(config, name, root, seed, download)
            splits = random_splits(data.num_nodes, num_splits=first_run + n_runs,
                                   train=protocol.get("train", 0.5),
                                   val=protocol.get("val", 0.25), seed=seed)[first_run:]
            run_ids = list(range(first_run, first_run + n_runs))
            for model in models:
                reset_peak_rss()
                done = []
                for r, split in zip(run_ids, splits, strict=True):
                    bar.set_postfix_str(f"{name} {model} run {r + 1}/{first_run + n_runs}")
                    done.append(fit_run(config, model, name, data, split,
                                        seed=seed * 1000 + r, epochs=n_epochs,
                                        patience=patience))
                    bar.update()
                records.append({
                    **run_record(config, name, model, done, n_epochs),
                    "parameters": sum(p.numel() for p in done[-1].task.model_.parameters()),
                    "seed": seed, "run_ids": run_ids,
                })
    finally:
        bar.close()
    records.append(env)
    return records


def merge_records(*record_lists: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Combine records of the same (dataset, model) made by separate :func:`run` calls.

    Rows must agree on ``epochs`` and ``seed`` and have disjoint ``run_ids``; their per-run
    ``scores`` are concatenated (in run order) and mean, std, ``seconds``, ``epoch_ms``,
    ``best_epoch`` and ``val_mean`` are recomputed as means over all runs; ``peak_mb`` is the
    largest. Env records are kept, one per input list.

    Example:
        >>> a = {"task": "node_classification", "dataset": "d", "model": "m", "epochs": 5,
        ...      "seed": 0, "run_ids": [0], "scores": [70.0], "runs": 1, "seconds": 1.0,
        ...      "epoch_ms": 2.0, "best_epoch": 3.0, "val_mean": 71.0, "peak_mb": 10.0}
        >>> b = dict(a, run_ids=[1], scores=[74.0], peak_mb=12.0)
        >>> m = merge_records([a], [b])[0]
        >>> m["runs"], m["mean"], round(m["std"], 4), m["run_ids"], m["peak_mb"]
        (2, 72.0, 2.8284, [0, 1], 12.0)
    """
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    envs: list[dict[str, Any]] = []
    for records in record_lists:
        for r in records:
            if r.get("task") == "env":
                envs.append(r)
            else:
                rows.setdefault((r["dataset"], r["model"]), []).append(r)
    merged = []
    for (dataset, model), parts in rows.items():
        for key in ("epochs", "seed"):
            if len({p.get(key) for p in parts}) > 1:
                raise BenchmarkError(f"Cannot merge {dataset}/{model}: the records differ in "
                                     f"{key!r} ({[p.get(key) for p in parts]})")
        pairs = sorted((i, s) for p in parts
                       for i, s in zip(p.get("run_ids", range(len(p["scores"]))), p["scores"],
                                       strict=True))
        ids = [i for i, _ in pairs]
        if len(set(ids)) != len(ids):
            raise BenchmarkError(f"Cannot merge {dataset}/{model}: run ids repeat ({ids})")
        scores = [s for _, s in pairs]
        mean, std = _mean_std(scores)
        total = len(scores)

        def avg(key: str) -> float:
            return sum(p[key] * len(p["scores"]) for p in parts) / total  # noqa: B023

        merged.append(dict(parts[0], mean=round(mean, 4), std=round(std, 4), runs=total,
                           run_ids=ids, scores=scores, seconds=round(avg("seconds"), 4),
                           epoch_ms=round(avg("epoch_ms"), 3),
                           best_epoch=round(avg("best_epoch"), 1),
                           val_mean=round(avg("val_mean"), 4),
                           peak_mb=max(p["peak_mb"] for p in parts)))
    return merged + envs


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown table of benchmark records (``env`` records are skipped).

    Columns: ours (mean ± std over runs, in the metric's unit), the published mean, ours
    minus published, runs, mean training time per epoch, mean wall time per run and the row's
    peak memory.

    Example:
        >>> print(markdown_table([{"task": "node_classification", "dataset": "d",
        ...     "model": "hgnn", "metric": "accuracy", "mean": 81.234, "std": 0.5, "runs": 3,
        ...     "published": 80.0, "seconds": 1.5, "peak_mb": 300.0, "epoch_ms": 2.0}]))
        | dataset | model | accuracy | published | Δ | runs | ms/epoch | s/run | peak MB |
        |---|---|---|---|---|---|---|---|---|
        | d | hgnn | 81.23 ± 0.50 | 80.00 | +1.23 | 3 | 2.0 | 1.50 | 300 |
    """
    rows = [r for r in records if r.get("task") != "env"]
    metric = rows[0]["metric"] if rows else "accuracy"
    lines = [f"| dataset | model | {metric} | published | Δ | runs | ms/epoch | s/run | peak MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pub = r.get("published")
        delta = "—" if pub is None else f"{r['mean'] - pub:+.2f}"
        lines.append(
            f"| {r['dataset']} | {r['model']} | {_fmt(r['mean'])} ± {_fmt(r['std'])} | "
            f"{_fmt(pub)} | {delta} | {r.get('runs', '—')} | {_fmt(r.get('epoch_ms'), 1)} | "
            f"{_fmt(r.get('seconds'))} | {_fmt(r.get('peak_mb'), 0)} |")
    return "\n".join(lines)
