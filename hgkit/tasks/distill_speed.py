r"""Inference speed of a distilled MLP against its HGNN teacher (the LightHGNN speed experiment).

LightHGNN (Feng et al., ICLR 2024) distills a hypergraph neural network into an MLP and reports
that "LightHGNNs can run 100x faster than HGNNs on synthetic hypergraphs with 55,000 vertices".
:func:`speed_experiment` repeats that measurement on random :func:`~hgkit.hypergraph.generate.gnm`
hypergraphs, for the inference of a trained model only (weights do not affect the cost, so
models are left at their random initialization):

* **student**: :class:`hgkit.layers.models.MLP` ``(F, 128, C, num_layers=2, dropout=0.5,
  normalization="bn")`` (Linear, ReLU, BatchNorm, Dropout, Linear: the LightHGNN student),
  called as ``mlp(x)``;
* **teacher (a)**: ``dhg.models.HGNN(F, 32, C)`` (``use_bn=False``, ``drop_rate=0.5``) on a
  ``dhg.Hypergraph``, as the LightHGNN authors ran it; skipped when ``dhg`` is not importable;
* **teacher (b)**: :class:`hgkit.layers.models.HGNN` ``(F, 32, C)``, the same two HGNN
  convolutions with hidden width 32, ReLU and dropout 0.5, applied as two sparse passes.

Both teachers get the same weights, and the largest difference of their outputs is recorded
(``teacher_max_abs_diff``): they compute the same function, so the comparison is like for
like. One caveat: DHG merges hyperedges with the same members into one (``gnm`` may draw such
duplicates; at the default sizes they are vanishingly rare), so ``dhg_num_edges`` is recorded.

Protocol, in one process and for each setting ``(name, num_edges, (lo, hi))``:

1. Draw the hypergraph with ``gnm(num_nodes, num_edges, edge_size=(lo, hi), seed=seed)`` and
   ``x ~ N(0, 1)`` (float32, ``[num_nodes, num_features]``); list its hyperedges in Python.
2. **Cold** call, once per teacher: build the structure from the hyperedge list
   (``dhg.Hypergraph(N, edges)``, resp. :func:`~hgkit.hypergraph.construct.from_edge_list`)
   and run the first forward, which also builds the cached operator (DHG's ``L_HGNN``, the
   ``N x N`` product :math:`D_v^{-1/2} H W D_e^{-1} H^\top D_v^{-1/2}`; hgkit's
   per-incidence weights). Its wall time is ``teacher_cold_ms``. Every model has run once on
   a tiny hypergraph before the first setting, so one-time costs of a library (lazy imports,
   kernel selection) are not counted.
3. ``warmup`` calls of each model, then ``repeats`` rounds that time MLP, hgkit HGNN and DHG
   HGNN one after another (interleaved, ``time.perf_counter``, eval mode, ``torch.no_grad``);
   the reported times are medians. The speedup is ``teacher_ms / mlp_ms``.
4. Memory: each model's forward runs once alone after :func:`~hgkit._env.reset_peak_rss`, and
   the rise of the peak resident memory over the resident memory before it is recorded
   (``mlp_peak_mb``, ``teacher_peak_mb`` for the warm forward, ``teacher_cold_peak_mb`` for the
   cold call); ``None`` where the peak cannot be reset. Resident memory counts pages, so memory
   that the allocator reuses is not counted again: the rises are lower bounds.

Example:
    >>> recs = speed_experiment(num_nodes=200, num_features=8, settings=[("s3", 100, (2, 4))],
    ...                         repeats=2, warmup=1, progress=False, dhg=False)
    >>> [(r["dataset"], r["metric"]) for r in recs]
    [('gnm-200-s3', 'speedup_vs_hgkit')]
    >>> recs[0]["mean"] == recs[0]["teacher_ms"] / recs[0]["mlp_ms"]
    True
"""

from __future__ import annotations

import gc
import math
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from hgkit._env import peak_rss_mb, reset_peak_rss
from hgkit.hypergraph.construct import from_edge_list
from hgkit.hypergraph.generate import gnm
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.layers.models import HGNN, MLP

__all__ = ["DEFAULT_NUM_NODES", "DEFAULT_SETTINGS", "PUBLISHED_SPEEDUP", "Setting",
           "scale_settings", "speed_experiment", "markdown_speed_table"]

#: One density: ``(name, num_edges, (min, max) hyperedge size)``.
Setting = tuple[str, int, tuple[int, int]]

#: The number of vertices of LightHGNN's synthetic hypergraphs.
DEFAULT_NUM_NODES = 55_000
#: Mean hyperedge size 5 (mean node degree 5) and 50 (mean node degree 10) at 55,000 nodes.
DEFAULT_SETTINGS: tuple[Setting, ...] = (("size5", 55_000, (2, 8)),
                                         ("size50", 11_000, (25, 75)))
#: "LightHGNNs can run 100x faster than HGNNs" (LightHGNN, ICLR 2024).
PUBLISHED_SPEEDUP = 100.0

_STUDENT_HIDDEN = 128
_TEACHER_HIDDEN = 32


# ---------------------------------------------------------------------- arguments
def _int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"Expected '{name}' to be an int >= {minimum} (got {value!r})")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"Expected '{name}' to be True or False (got {value!r})")
    return value


def _check_settings(settings: Any, num_nodes: int) -> list[Setting]:
    if isinstance(settings, (str, bytes)) or not isinstance(settings, Sequence) or not settings:
        raise ValueError("Expected 'settings' to be a non-empty list of "
                         f"(name, num_edges, (min, max)) tuples (got {settings!r})")
    out: list[Setting] = []
    for i, item in enumerate(settings):
        where = f"settings[{i}]"
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise ValueError(f"Expected '{where}' to be a (name, num_edges, (min, max)) tuple "
                             f"(got {item!r})")
        name, num_edges, size = item
        if not isinstance(name, str) or not name:
            raise ValueError(f"Expected '{where}' to have a non-empty str name (got {name!r})")
        _int(num_edges, f"{where} num_edges", 1)
        if not isinstance(size, (tuple, list)) or len(size) != 2:
            raise ValueError(f"Expected '{where}' hyperedge size to be a (min, max) pair "
                             f"(got {size!r})")
        lo, hi = (_int(s, f"{where} hyperedge size", 1) for s in size)
        if lo > hi or hi > num_nodes:
            raise ValueError(f"Expected '{where}' hyperedge size (min, max) with "
                             f"1 <= min <= max <= num_nodes={num_nodes} (got ({lo}, {hi}))")
        out.append((name, num_edges, (lo, hi)))
    names = [s[0] for s in out]
    if len(set(names)) != len(names):
        raise ValueError(f"Expected 'settings' to have distinct names (got {names})")
    return out


def scale_settings(num_nodes: int, settings: Sequence[Setting] = DEFAULT_SETTINGS,
                   reference: int = DEFAULT_NUM_NODES) -> list[Setting]:
    """``settings`` (given for ``reference`` nodes) with ``num_edges`` scaled to ``num_nodes``.

    The hyperedge sizes stay, so the mean node degree stays; the number of hyperedges is
    ``round(num_edges * num_nodes / reference)``, at least 1.

    Example:
        >>> scale_settings(550)
        [('size5', 550, (2, 8)), ('size50', 110, (25, 75))]
    """
    num_nodes = _int(num_nodes, "num_nodes", 1)
    reference = _int(reference, "reference", 1)
    return [(name, max(1, round(m * num_nodes / reference)), (lo, hi))
            for name, m, (lo, hi) in _check_settings(settings, num_nodes)]


# ---------------------------------------------------------------------- measuring
def _bytes(obj: Any) -> int:
    """Bytes held by the tensors in ``obj`` (a tensor, sparse tensor, or containers of them)."""
    if isinstance(obj, Tensor):
        if obj.layout == torch.sparse_coo:
            return _bytes(obj._indices()) + _bytes(obj._values())
        if obj.layout == torch.sparse_csr:
            return _bytes(obj.crow_indices()) + _bytes(obj.col_indices()) + _bytes(obj.values())
        if obj.layout != torch.strided:
            return 0
        return obj.element_size() * obj.numel()
    if isinstance(obj, dict):
        return sum(_bytes(v) for v in obj.values())
    if isinstance(obj, (tuple, list)):
        return sum(_bytes(v) for v in obj)
    return 0


def _ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def _run_once(fn: Callable[[], Any], can_reset: bool) -> tuple[Any, float, float | None]:
    """Run ``fn`` once: its result, its wall time in ms and the rise of peak RSS in MiB (None
    where the peak cannot be reset)."""
    gc.collect()
    reset = can_reset and reset_peak_rss()
    before = peak_rss_mb()  # right after a reset: the current resident memory
    start = time.perf_counter()
    out = fn()
    ms = (time.perf_counter() - start) * 1e3
    return out, ms, (max(0.0, peak_rss_mb() - before) if reset else None)


def _copy_weights(src: HGNN, dst: Any) -> None:
    """hgkit HGNN weights into dhg.models.HGNN (``convs[i].weight`` -> ``layers[i].theta``)."""
    with torch.no_grad():
        for conv, layer in zip(src.convs, dst.layers, strict=True):
            layer.theta.weight.copy_(conv.weight)
            layer.theta.bias.copy_(conv.bias)


def _dhg_module() -> Any:
    try:
        import dhg
    except ImportError:
        return None
    return dhg


def _prime(num_features: int, num_classes: int, dhg: Any) -> None:
    """Run every model once on a tiny hypergraph, so that one-time costs of a library (lazy
    imports, kernel selection) are not charged to the first setting's cold call."""
    hg = gnm(8, 4, edge_size=(2, 3), seed=0)
    x = torch.randn(8, num_features)
    with torch.no_grad():
        MLP(num_features, _STUDENT_HIDDEN, num_classes, normalization="bn").eval()(x)
        HGNN(num_features, _TEACHER_HIDDEN, num_classes).eval()(x, from_edge_list(hg.edges(), 8))
        if dhg is not None:
            teacher = dhg.models.HGNN(num_features, _TEACHER_HIDDEN, num_classes).eval()
            teacher(x, dhg.Hypergraph(8, hg.edges()))


def _measure(hg: Hypergraph, num_features: int, num_classes: int, repeats: int, warmup: int,
             seed: int, dhg: Any, can_reset: bool) -> dict[str, Any]:
    """Everything measured on one hypergraph (see the module docstring for the protocol)."""
    n = hg.num_nodes
    x = torch.randn(n, num_features, generator=torch.Generator().manual_seed(seed))
    edges = hg.edges()
    torch.manual_seed(seed)
    mlp = MLP(num_features, _STUDENT_HIDDEN, num_classes, num_layers=2, dropout=0.5,
              normalization="bn").eval()
    hgnn = HGNN(num_features, _TEACHER_HIDDEN, num_classes).eval()
    out: dict[str, Any] = {}
    calls: dict[str, Callable[[], Tensor]] = {"mlp": lambda: mlp(x)}
    with torch.no_grad():
        def cold_hgkit() -> tuple[Hypergraph, Tensor]:
            structure = from_edge_list(edges, num_nodes=n)
            return structure, hgnn(x, structure)

        (hg_k, y_hgkit), ms, peak = _run_once(cold_hgkit, can_reset)
        out["hgkit"] = {"cold_ms": ms, "cold_peak_mb": peak}
        calls["hgkit"] = lambda: hgnn(x, hg_k)
        out["hgkit"]["structure_nnz"] = hg_k.nnz
        out["hgkit"]["structure_mb"] = (_bytes(hg_k.hyperedge_index)
                                        + _bytes(hg_k._cache)) / 2**20

        if dhg is not None:
            teacher = dhg.models.HGNN(num_features, _TEACHER_HIDDEN, num_classes,
                                      use_bn=False, drop_rate=0.5).eval()
            _copy_weights(hgnn, teacher)

            def cold_dhg() -> tuple[Any, Tensor]:
                structure = dhg.Hypergraph(n, edges)
                return structure, teacher(x, structure)

            (hg_d, y_dhg), ms, peak = _run_once(cold_dhg, can_reset)
            out["dhg"] = {"cold_ms": ms, "cold_peak_mb": peak}
            calls["dhg"] = lambda: teacher(x, hg_d)
            out["dhg"]["structure_nnz"] = int(hg_d.L_HGNN._nnz())
            out["dhg"]["structure_mb"] = _bytes(hg_d.cache) / 2**20
            out["dhg"]["num_edges"] = hg_d.num_e
            out["dhg"]["max_abs_diff"] = float((y_dhg - y_hgkit).abs().max()) if n else 0.0
            del y_dhg
        del y_hgkit

        for _ in range(warmup):
            for call in calls.values():
                call()
        for key, call in calls.items():
            peak = _run_once(call, can_reset)[2]
            if key == "mlp":
                out["mlp_peak_mb"] = peak
            else:
                out[key]["peak_mb"] = peak
        times: dict[str, list[float]] = {key: [] for key in calls}
        for _ in range(repeats):
            for key, call in calls.items():
                times[key].append(_ms(call))
    out["mlp_ms"] = statistics.median(times["mlp"])
    for key in calls:
        if key != "mlp":
            out[key]["ms"] = statistics.median(times[key])
            out[key]["times_ms"] = times[key]
    out["mlp_times_ms"] = times["mlp"]
    return out


# ---------------------------------------------------------------------- the experiment
def speed_experiment(
    num_nodes: int = DEFAULT_NUM_NODES,
    num_features: int = 256,
    num_classes: int = 8,
    settings: Sequence[Setting] | None = None,
    repeats: int = 20,
    warmup: int = 3,
    seed: int = 0,
    progress: bool = True,
    dhg: bool = True,
) -> list[dict[str, Any]]:
    r"""Median inference time of the MLP student vs its HGNN teachers (LightHGNN's 100x claim).

    Args:
        num_nodes: nodes of every synthetic hypergraph (LightHGNN: 55,000).
        num_features: input feature size ``F``; features are drawn from :math:`N(0, 1)`.
        num_classes: output size ``C``.
        settings: densities as ``(name, num_edges, (min, max) hyperedge size)``; ``None``
            means :data:`DEFAULT_SETTINGS` (mean hyperedge size 5 and 50) scaled to
            ``num_nodes`` by :func:`scale_settings` (same sizes, same mean node degree).
            Explicit settings are used as given.
        repeats: timed rounds; the reported times are medians over them.
        warmup: untimed calls of each model before the timed rounds.
        seed: seed of the hypergraphs, the features and the weights.
        progress: show a tqdm bar over the settings.
        dhg: also time ``dhg.models.HGNN`` (skipped, with a warning, when ``dhg`` is not
            importable).

    Returns:
        Per setting, a ``speedup_vs_dhg`` record (when DHG runs) and a ``speedup_vs_hgkit``
        record: ``task="distill_speed"``, ``dataset=f"gnm-{num_nodes}-{name}"``,
        ``model="lighthgnn"``, ``mean`` (``teacher_ms / mlp_ms``), ``std=None``, ``runs``,
        ``published`` (100.0 against DHG, else ``None``), ``seconds`` (wall time of the
        setting), ``peak_mb`` (peak resident memory of the process during the setting), plus
        ``teacher``, ``mlp_ms``, ``teacher_ms``, ``teacher_cold_ms``, ``num_nodes``,
        ``num_edges``, ``nnz``, ``mean_edge_size``, ``structure_nnz`` (DHG: nonzeros of its
        cached ``L_HGNN``; hgkit: incidences), ``structure_mb`` (bytes of the tensors the
        structure object caches), ``mlp_peak_mb``, ``teacher_peak_mb``,
        ``teacher_cold_peak_mb``, ``threads``, ``repeats``, ``warmup``, ``seed``,
        ``dhg_skipped`` (why DHG did not run, or ``None``), the raw ``mlp_times_ms`` /
        ``teacher_times_ms``, and for DHG ``dhg_num_edges`` and ``teacher_max_abs_diff``.

    Raises:
        ValueError: on a bad argument (the message names it).

    Example:
        >>> recs = speed_experiment(num_nodes=300, num_features=8, repeats=2, warmup=1,
        ...                         progress=False, dhg=False)
        >>> [r["dataset"] for r in recs]
        ['gnm-300-size5', 'gnm-300-size50']
    """
    from tqdm.auto import tqdm

    num_nodes = _int(num_nodes, "num_nodes", 1)
    num_features = _int(num_features, "num_features", 1)
    num_classes = _int(num_classes, "num_classes", 1)
    repeats = _int(repeats, "repeats", 1)
    warmup = _int(warmup, "warmup", 0)
    seed = _int(seed, "seed", 0)
    progress = _bool(progress, "progress")
    use_dhg = _bool(dhg, "dhg")
    plan = (scale_settings(num_nodes) if settings is None
            else _check_settings(settings, num_nodes))

    module = _dhg_module() if use_dhg else None
    skipped = None
    if not use_dhg:
        skipped = "dhg=False"
    elif module is None:
        skipped = "dhg is not importable"
        warnings.warn("speed_experiment: dhg is not importable, the DHG rows are skipped",
                      RuntimeWarning, stacklevel=2)
    can_reset = reset_peak_rss()
    _prime(num_features, num_classes, module)

    records: list[dict[str, Any]] = []
    for name, num_edges, (lo, hi) in tqdm(plan, desc="distill_speed", unit="setting",
                                          disable=not progress, dynamic_ncols=True):
        start = time.perf_counter()
        reset_peak_rss()
        hg = gnm(num_nodes, num_edges, edge_size=(lo, hi), seed=seed)
        m = _measure(hg, num_features, num_classes, repeats, warmup, seed, module, can_reset)
        seconds = time.perf_counter() - start
        base = {
            "task": "distill_speed", "dataset": f"gnm-{num_nodes}-{name}",
            "model": "lighthgnn", "std": None, "runs": repeats, "seconds": seconds,
            "peak_mb": peak_rss_mb(), "mlp_ms": m["mlp_ms"], "num_nodes": num_nodes,
            "num_edges": hg.num_edges, "nnz": hg.nnz, "mean_edge_size": hg.nnz / hg.num_edges,
            "edge_size_range": [lo, hi], "num_features": num_features,
            "num_classes": num_classes, "mlp_peak_mb": m["mlp_peak_mb"],
            "threads": torch.get_num_threads(), "repeats": repeats, "warmup": warmup,
            "seed": seed, "dhg_skipped": skipped, "mlp_times_ms": m["mlp_times_ms"],
        }
        for key, metric, teacher in (("dhg", "speedup_vs_dhg", "dhg.models.HGNN"),
                                     ("hgkit", "speedup_vs_hgkit", "hgkit.layers.models.HGNN")):
            if key not in m:
                continue
            t = m[key]
            rec = {**base, "metric": metric, "mean": t["ms"] / m["mlp_ms"],
                   "published": PUBLISHED_SPEEDUP if key == "dhg" else None,
                   "teacher": teacher, "teacher_ms": t["ms"], "teacher_cold_ms": t["cold_ms"],
                   "structure_nnz": t["structure_nnz"], "structure_mb": t["structure_mb"],
                   "teacher_peak_mb": t["peak_mb"], "teacher_cold_peak_mb": t["cold_peak_mb"],
                   "teacher_times_ms": t["times_ms"]}
            if key == "dhg":
                rec["dhg_num_edges"] = t["num_edges"]
                rec["teacher_max_abs_diff"] = t["max_abs_diff"]
            records.append(rec)
        del hg, m
        gc.collect()
    return records


# ---------------------------------------------------------------------- reporting
def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def markdown_speed_table(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown table of :func:`speed_experiment` records (other tasks are skipped).

    Columns: the median warm forward of the teacher, its cold call (structure construction
    and first forward), the median MLP forward, the speedup (teacher / MLP), the published
    speedup, and the peak-memory rises of the teacher's and the MLP's forward.

    Example:
        >>> print(markdown_speed_table([{"task": "distill_speed", "dataset": "gnm-9-size5",
        ...     "metric": "speedup_vs_hgkit", "mean": 4.0, "published": None, "mlp_ms": 0.5,
        ...     "teacher_ms": 2.0, "teacher_cold_ms": 9.0, "teacher_peak_mb": 3.0,
        ...     "mlp_peak_mb": 1.0}]))
        | dataset | teacher | teacher ms | cold ms | MLP ms | speedup | paper | MB teacher/MLP |
        |---|---|---|---|---|---|---|---|
        | gnm-9-size5 | hgkit HGNN | 2.00 | 9.0 | 0.50 | 4.0x | — | 3.0 / 1.0 |
    """
    lines = ["| dataset | teacher | teacher ms | cold ms | MLP ms | speedup | paper | "
             "MB teacher/MLP |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        if r.get("task") != "distill_speed":
            continue
        teacher = "DHG HGNN" if r["metric"] == "speedup_vs_dhg" else "hgkit HGNN"
        pub = r.get("published")
        lines.append(
            f"| {r['dataset']} | {teacher} | {_fmt(r['teacher_ms'])} | "
            f"{_fmt(r.get('teacher_cold_ms'), 1)} | {_fmt(r['mlp_ms'])} | "
            f"{_fmt(r['mean'], 1)}x | {'—' if pub is None else _fmt(pub, 0) + 'x'} | "
            f"{_fmt(r.get('teacher_peak_mb'), 1)} / {_fmt(r.get('mlp_peak_mb'), 1)} |")
    return "\n".join(lines)
