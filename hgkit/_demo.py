r"""A self-contained node-classification demo: a 2-layer HGNN versus a feature-only MLP.

This module is what ``hgkit benchmark`` runs until :mod:`hgkit.layers` and :mod:`hgkit.tasks`
land. The HGNN is written directly on the :class:`~hgkit.Hypergraph` structure with the
factored operator of :func:`hgkit.hypergraph.normalize.hgnn_weights`,

.. math::
    \mathrm{smooth}(X)_v = \sum_{e \ni v} b_{ve} \sum_{u \in e} a_{ue} X_u
    = \big(D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2} X\big)_v ,

applied as two sparse passes (node -> hyperedge, hyperedge -> node) with ``index_add_``: memory
is O(nnz x F), never an N x N matrix.

Both models are trained full-batch with Adam (lr 0.01, weight decay 5e-4) for ``epochs``
epochs; the test accuracy reported for a run is the one at the epoch of best validation accuracy
(first such epoch). The hypergraph and features of a dataset are drawn once from ``seed``; run
``r`` redraws the 50 / 25 / 25 split from NumPy seed ``[seed, r]`` and seeds the model's
initialization and dropout with torch seed ``seed * 100003 + r`` inside
:func:`torch.random.fork_rng`, so the caller's global random state is left as it was.

Example:
    >>> records = run_demo(runs=1, epochs=2, datasets=("hsbm-homophilic",), progress=False)
    >>> [(r["dataset"], r["model"]) for r in records if r["task"] == "node_classification"]
    [('hsbm-homophilic', 'hgnn'), ('hsbm-homophilic', 'mlp')]
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hgkit.hypergraph import normalize
from hgkit.hypergraph.generate import SyntheticData, _split_masks, edge_homophily, hsbm
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = [
    "DATASETS", "MODELS", "make_dataset", "HGNNSmoothing", "DemoHGNN", "DemoMLP",
    "train_node_classifier", "run_demo", "env_record", "peak_rss_mb",
]

#: Synthetic datasets: name -> keyword arguments of :func:`~hgkit.hypergraph.generate.hsbm`.
DATASETS: dict[str, dict[str, Any]] = {
    "hsbm-homophilic": {"homophily": 0.8},
    "hsbm-heterophilic": {"homophily": 0.0},
}
#: Model names accepted by :func:`run_demo`.
MODELS: tuple[str, ...] = ("hgnn", "mlp")

_HIDDEN = 64
_DROPOUT = 0.5
_LR = 0.01
_WEIGHT_DECAY = 5e-4


def make_dataset(name: str, seed: int = 0) -> SyntheticData:
    """The synthetic dataset ``name`` (a key of :data:`DATASETS`), drawn from ``seed``.

    Example:
        >>> make_dataset("hsbm-homophilic").num_classes
        4
    """
    if name not in DATASETS:
        raise ValueError(f"Expected 'name' to be one of {sorted(DATASETS)} (got {name!r})")
    return hsbm(seed=seed, **DATASETS[name])


class HGNNSmoothing(nn.Module):
    r"""The parameter-free HGNN operator :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2}`.

    Built once per hypergraph (the per-incidence weights ``a``, ``b`` are precomputed) and
    applied in two ``index_add_`` passes.

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> HGNNSmoothing(hg)(torch.ones(3, 1)).squeeze(1)
        tensor([0.8536, 1.2071, 0.8536])
    """

    def __init__(self, hg: Hypergraph) -> None:
        super().__init__()
        a, b = normalize.hgnn_weights(hg)
        node, edge = hg.hyperedge_index
        self.num_nodes, self.num_edges = hg.num_nodes, hg.num_edges
        self.register_buffer("node", node, persistent=False)
        self.register_buffer("edge", edge, persistent=False)
        self.register_buffer("a", a.unsqueeze(1), persistent=False)
        self.register_buffer("b", b.unsqueeze(1), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        # index_select (not x[node]): its backward is an index_add_, not a slow index_put_.
        z = x.new_zeros(self.num_edges, x.size(1)).index_add_(
            0, self.edge, x.index_select(0, self.node) * self.a.to(x.dtype))
        return x.new_zeros(self.num_nodes, x.size(1)).index_add_(
            0, self.node, z.index_select(0, self.edge) * self.b.to(x.dtype))


class DemoHGNN(nn.Module):
    """Linear -> smooth -> ReLU -> dropout -> Linear -> smooth (Feng et al., AAAI 2019).

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3,
        ...                 num_edges=2)
        >>> DemoHGNN(HGNNSmoothing(hg), 5, 8, 2)(torch.randn(3, 5)).shape
        torch.Size([3, 2])
    """

    def __init__(self, smooth: HGNNSmoothing, in_channels: int, hidden_channels: int,
                 out_channels: int, dropout: float = _DROPOUT) -> None:
        super().__init__()
        self.smooth = smooth
        self.lin1 = nn.Linear(in_channels, hidden_channels)
        self.lin2 = nn.Linear(hidden_channels, out_channels)
        self.dropout = dropout

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu(self.smooth(self.lin1(x)))
        x = F.dropout(x, self.dropout, self.training)
        return self.smooth(self.lin2(x))


class DemoMLP(nn.Module):
    """Linear -> ReLU -> dropout -> Linear on the node features alone.

    Example:
        >>> DemoMLP(5, 8, 2)(torch.randn(3, 5)).shape
        torch.Size([3, 2])
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 dropout: float = _DROPOUT) -> None:
        super().__init__()
        self.lin1 = nn.Linear(in_channels, hidden_channels)
        self.lin2 = nn.Linear(hidden_channels, out_channels)
        self.dropout = dropout

    def forward(self, x: Tensor) -> Tensor:
        x = F.dropout(F.relu(self.lin1(x)), self.dropout, self.training)
        return self.lin2(x)


def _accuracy(logits: Tensor, y: Tensor, mask: Tensor) -> float:
    return float((logits[mask].argmax(1) == y[mask]).float().mean())


def train_node_classifier(model: nn.Module, x: Tensor, y: Tensor, train_mask: Tensor,
                          val_mask: Tensor, test_mask: Tensor, epochs: int = 200
                          ) -> tuple[float, float]:
    """Full-batch Adam training; returns (best validation accuracy, test accuracy there).

    Model selection uses the validation accuracy only (first epoch reaching the best); the
    test accuracy is read at that epoch, which equals checkpointing the best model.

    Example:
        >>> data = make_dataset("hsbm-homophilic")
        >>> val, test = train_node_classifier(DemoMLP(data.num_features, 8, 4), data.x, data.y,
        ...     data.train_mask, data.val_mask, data.test_mask, epochs=3)
        >>> 0.0 <= val <= 1.0 and 0.0 <= test <= 1.0
        True
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=_LR, weight_decay=_WEIGHT_DECAY)
    best_val, best_test = -1.0, 0.0
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x)[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x)
        val = _accuracy(logits, y, val_mask)
        if val > best_val:
            best_val, best_test = val, _accuracy(logits, y, test_mask)
    return best_val, best_test


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (``getrusage`` ``ru_maxrss``).

    It is a process-wide high-water mark: it never decreases, so a row's value includes
    everything run before it in the same process.

    Example:
        >>> peak_rss_mb() > 0
        True
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def env_record() -> dict[str, Any]:
    """The ``{"task": "env", ...}`` record: git hash, versions, threads and machine.

    ``git`` is ``git rev-parse HEAD`` of the source checkout (``None`` outside one) and
    ``git_dirty`` whether that checkout had uncommitted changes outside
    ``benchmarks/results/`` (where the records themselves are written; ``None`` if unknown).

    Example:
        >>> sorted(env_record())[:5]
        ['cpu_count', 'date', 'git', 'git_dirty', 'hgkit']
    """
    from hgkit import __version__

    head = _git("rev-parse", "HEAD") or None
    status = (_git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
              if head else None)
    return {
        "task": "env",
        "git": head,
        "git_dirty": None if status is None else bool(status),
        "hgkit": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _build(model: str, data: SyntheticData, smooth: HGNNSmoothing) -> nn.Module:
    if model == "hgnn":
        return DemoHGNN(smooth, data.num_features, _HIDDEN, data.num_classes)
    return DemoMLP(data.num_features, _HIDDEN, data.num_classes)


def _check_names(values: Sequence[str], valid: Sequence[str], name: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    bad = [v for v in values if v not in valid]
    if bad or not values:
        raise ValueError(
            f"Expected '{name}' to be a non-empty selection of {list(valid)} (got {list(values)})"
        )
    return values


def run_demo(
    runs: int = 3,
    seed: int = 0,
    epochs: int = 200,
    datasets: Sequence[str] = ("hsbm-homophilic", "hsbm-heterophilic"),
    models: Sequence[str] = MODELS,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Train every model on every dataset ``runs`` times; return JSON-ready records.

    Args:
        runs: number of seeded runs per (dataset, model), each with its own split and init.
        seed: base seed: datasets are drawn from ``seed``; run ``r`` derives its split and
            model seeds from ``(seed, r)`` (see the module docstring).
        epochs: training epochs per run.
        datasets: names from :data:`DATASETS`.
        models: names from :data:`MODELS`.
        progress: show a tqdm progress bar (on stderr).

    Returns:
        One record per (dataset, model): ``{"task": "node_classification", "dataset",
        "model", "metric": "accuracy", "mean", "std", "runs", "published": None, "seconds",
        "peak_mb", "edge_homophily"}`` with accuracy in percent (``std`` over runs, ddof=0),
        ``seconds`` the mean wall time of one run (training, selection and test) and
        ``peak_mb`` the process's peak RSS after the row (see :func:`peak_rss_mb`); then one
        :func:`env_record`.

    Example:
        >>> recs = run_demo(runs=2, epochs=1, datasets=["hsbm-heterophilic"], models=["mlp"],
        ...                 progress=False)
        >>> recs[0]["runs"], recs[0]["metric"], recs[-1]["task"]
        (2, 'accuracy', 'env')
    """
    from tqdm.auto import tqdm

    from hgkit.hypergraph import _checks as C

    runs = C.check_count(runs, "runs", minimum=1)
    seed = C.check_count(seed, "seed")
    epochs = C.check_count(epochs, "epochs", minimum=1)
    datasets = _check_names(datasets, tuple(DATASETS), "datasets")
    models = _check_names(models, MODELS, "models")
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(datasets) * len(models) * runs, disable=not progress,
               desc="benchmark", unit="run", leave=False)
    try:
        for name in datasets:
            data = make_dataset(name, seed)
            smooth = HGNNSmoothing(data.hypergraph)
            homophily = edge_homophily(data.hypergraph, data.y)
            for model_name in models:
                scores, seconds = [], []
                for run in range(runs):
                    bar.set_postfix_str(f"{name} {model_name} run {run}")
                    masks = _split_masks(np.random.default_rng([seed, run]), data.num_nodes)
                    start = time.perf_counter()
                    with torch.random.fork_rng(devices=[]):
                        torch.manual_seed(seed * 100_003 + run)
                        model = _build(model_name, data, smooth)
                        _, test = train_node_classifier(model, data.x, data.y, *masks,
                                                        epochs=epochs)
                    seconds.append(time.perf_counter() - start)
                    scores.append(100.0 * test)
                    bar.update()
                records.append({
                    "task": "node_classification",
                    "dataset": name,
                    "model": model_name,
                    "metric": "accuracy",
                    "mean": round(float(np.mean(scores)), 4),
                    "std": round(float(np.std(scores)), 4),
                    "runs": runs,
                    "published": None,
                    "seconds": round(float(np.mean(seconds)), 4),
                    "peak_mb": round(peak_rss_mb(), 1),
                    "edge_homophily": round(homophily, 4),
                })
    finally:
        bar.close()
    records.append(env_record())
    return records
