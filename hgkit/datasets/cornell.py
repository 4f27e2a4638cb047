r"""Cornell / Chodrow node-labelled hypergraphs (AllSet / ED-HNN heterophilic benchmarks).

Format (Austin Benson's data pages, ``PhilChodrow/HypergraphModularity``; used by AllSet and
ED-HNN for ``house-committees``, ``senate-committees``, ``walmart-trips``, ``congress-bills``).
``<D>`` is taken from the file names present, never from a list of known datasets:

* ``hyperedges-<D>.txt``: one hyperedge per line, comma-separated **1-based** node ids. A node
  listed twice on one line is kept once (each line is a *set*; AllSet's ``coalesce`` does the
  same).
* ``node-labels-<D>.txt``: line :math:`i` holds the 1-based label of node :math:`i`; the number
  of lines is the number of nodes :math:`N`.
* ``label-names-<D>.txt`` (optional): line :math:`i` names label :math:`i`; a leading
  ``"<i> "`` on every line (congress-bills: ``"1 democrat"``) is stripped.
* ``node-names-<D>.txt`` (optional): line :math:`i` names node :math:`i`.

There are no real node features. AllSet / ED-HNN (``load_cornell_dataset``) synthesise them
from the label:

.. math::

    x_v = \mathrm{onehot}(y_v) \oplus 0_{F - C} + \varepsilon_v, \qquad
    \varepsilon_v \sim \mathcal{N}(0, \sigma^2 I_F),

with :math:`\sigma` = ``feature_noise`` (1.0 in ED-HNN's commands; AllSet also runs 0.6) and
:math:`F` = ``feature_dim`` (their ``-100`` dataset ids pad to :math:`F = 100`).
"""

from __future__ import annotations

import math
import numbers
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hgkit.datasets.base import DatasetError, RemoteFile, load_cached, open_text
from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["detect", "detect_names", "load", "noisy_onehot", "required_files"]

FAMILY = "cornell"
#: Bump when the cached dict changes.
VERSION = 1
FEATURE_NOTE = "label-derived: one-hot(y) + N(0, sigma^2) noise"
_FEATURE_WARNING = ("x is built from the label y and leaks it unless sigma (feature_noise) is "
                    "large; it is a synthetic benchmark feature, not data")
_HEAD, _TAIL = "hyperedges-", ".txt"


# ---------------------------------------------------------------------- detection
def _prefixes(names: Iterable[str]) -> list[str]:
    """The ``<D>`` of every ``hyperedges-<D>.txt`` among file names."""
    out = set()
    for name in names:
        base = name.rsplit("/", 1)[-1]
        if base.startswith(_HEAD) and base.endswith(_TAIL) and len(base) > len(_HEAD + _TAIL):
            out.add(base[len(_HEAD):-len(_TAIL)])
    return sorted(out)


def detect(raw: Path) -> bool:
    """Whether ``raw`` holds a ``hyperedges-<D>.txt`` file (the Cornell layout).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = (Path(tmp) / "hyperedges-toy.txt").write_text("1,2\\n")
        ...     detect(Path(tmp))
        True
    """
    raw = Path(raw)
    return raw.is_dir() and bool(_prefixes(p.name for p in raw.iterdir() if p.is_file()))


def detect_names(paths: set[str]) -> bool:
    """Whether declared relative file names include a ``hyperedges-<D>.txt``.

    Example:
        >>> detect_names({"hyperedges-toy.txt", "node-labels-toy.txt"})
        True
        >>> detect_names({"toy.content", "toy.edges"})
        False
    """
    return bool(_prefixes(paths))


def _choose(name: str, candidates: list[str], where: str) -> str:
    """Pick ``<D>``: the only candidate, else the longest one that ``name`` ends with."""
    if len(candidates) == 1:
        return candidates[0]
    matches = [d for d in candidates if name == d or name.endswith("-" + d)]
    if not matches:
        if not candidates:
            raise DatasetError(f"Dataset '{name}': no hyperedges-<D>.txt file in {where}")
        raise DatasetError(f"Dataset '{name}': several Cornell datasets in {where} "
                           f"({', '.join(candidates)}) and none matches the name")
    return max(matches, key=len)


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """Known files that must exist: hyperedges, node labels and (when declared) label names.

    ``node-names-<D>.txt`` and ``README.txt`` are optional and not required.

    Example:
        >>> known = [RemoteFile(p, "", None) for p in
        ...          ("README.txt", "hyperedges-x.txt", "node-labels-x.txt", "label-names-x.txt")]
        >>> required_files("allset-x", Path("."), known)
        ['hyperedges-x.txt', 'node-labels-x.txt', 'label-names-x.txt']
    """
    paths = [f.path for f in known]
    d = _choose(name, _prefixes(paths), "the declared files")
    wanted = {f"hyperedges-{d}.txt", f"node-labels-{d}.txt", f"label-names-{d}.txt"}
    return [p for p in paths if p in wanted]


# ---------------------------------------------------------------------- parsing
def _read(path: Path) -> str:
    try:
        with open_text(path) as fh:
            return fh.read()
    except (zlib.error, OSError) as exc:  # corrupt compressed data, unreadable file
        raise DatasetError(f"{path} is truncated or corrupt: {exc}") from None


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _line_error(path: Path, lineno: int, line: str, expected: str) -> DatasetError:
    shown = line if len(line) <= 80 else line[:77] + "..."
    return DatasetError(f"{path}, line {lineno}: expected {expected} (got {shown!r})")


_INT = re.compile(r"\s*[+-]?\d+\s*")


def _parse_int_lines(path: Path, lines: list[str], sep: str, expected: str
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``(values, sizes)``: the ``sep``-separated integers of every line, concatenated, and
    how many each line holds. numpy parses at C speed; only when its result disagrees with
    the line structure is the text re-read line by line to name the first malformed line."""
    sizes = np.fromiter((ln.count(sep) + 1 for ln in lines), dtype=np.int64, count=len(lines))
    try:
        values = np.fromstring(sep.join(lines), dtype=np.int64, sep=sep) if lines else \
            np.zeros(0, dtype=np.int64)
    except ValueError:
        values = None
    if values is not None and values.size == int(sizes.sum()) and all(
            ln.strip() for ln in lines):
        return values, sizes
    chunks: list[int] = []
    for i, line in enumerate(lines, 1):
        tokens = line.split(sep)
        if not all(_INT.fullmatch(tok) for tok in tokens):
            raise _line_error(path, i, line, expected)
        chunks.extend(int(tok) for tok in tokens)
    return np.array(chunks, dtype=np.int64), sizes


def _parse_hyperedges(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(ids, sizes, lines)``: concatenated 1-based ids and the size of every line."""
    lines = _lines(_read(path))
    ids, sizes = _parse_int_lines(path, lines, ",", "comma-separated integer node ids")
    return ids, sizes, lines


def _parse_labels(path: Path) -> np.ndarray:
    """1-based labels, one per line."""
    lines = _lines(_read(path))
    # "\n" as the separator makes a multi-label line such as "1,3" one malformed token.
    labels, _ = _parse_int_lines(path, lines, "\n",
                                 "one integer label per line (multi-label lines are not "
                                 "supported)")
    bad = np.flatnonzero(labels < 1)
    if bad.size:
        i = int(bad[0])
        raise _line_error(path, i + 1, lines[i], "a 1-based label >= 1")
    return labels


def _parse_names(path: Path, numbered: bool) -> list[str]:
    """One name per line; with ``numbered``, a leading ``"<i> "`` on every line is removed."""
    names = [ln.rstrip("\r") for ln in _lines(_read(path))]
    if numbered and names and all(
            re.match(rf"{i}\s", ln) for i, ln in enumerate(names, 1)):
        names = [ln.split(None, 1)[1] if len(ln.split(None, 1)) > 1 else "" for ln in names]
    return names


def _build(d: str, raw: Path) -> dict[str, Any]:
    edges_path = raw / f"hyperedges-{d}.txt"
    labels_path = raw / f"node-labels-{d}.txt"
    labels = _parse_labels(labels_path)
    n = int(labels.size)
    ids, sizes, lines = _parse_hyperedges(edges_path)
    bad = np.flatnonzero((ids < 1) | (ids > n))
    if bad.size:
        pos = int(bad[0])
        line = int(np.searchsorted(np.cumsum(sizes), pos, side="right"))
        raise _line_error(edges_path, line + 1, lines[line],
                          f"node ids in 1..{n} ({labels_path.name} has {n} lines), "
                          f"found {int(ids[pos])}")
    m = int(sizes.size)
    node = ids - 1
    edge = np.repeat(np.arange(m, dtype=np.int64), sizes)
    # Each line is a set (trap 8): keep the first occurrence of a repeated node, in file order.
    _, first = np.unique(edge * max(n, 1) + node, return_index=True)
    keep = np.sort(first)
    label_names: list[str] = []
    names_path = raw / f"label-names-{d}.txt"
    if names_path.exists():
        label_names = _parse_names(names_path, numbered=True)
    top = len(label_names) if label_names else n
    if labels.size and int(labels.max()) > top:
        i = int(np.argmax(labels))
        bound = (f"{names_path.name} names {top} labels" if label_names
                 else f"at most one class per node ({n} nodes)")
        raise DatasetError(f"{labels_path}, line {i + 1}: label {int(labels[i])} is out of "
                           f"range: {bound}")
    node_names: list[str] = []
    node_names_path = raw / f"node-names-{d}.txt"
    if node_names_path.exists():
        node_names = _parse_names(node_names_path, numbered=False)
        if len(node_names) != n:
            raise DatasetError(f"{node_names_path} has {len(node_names)} lines but "
                               f"{labels_path.name} has {n} (one line per node expected)")
    return {
        "node": torch.from_numpy(node[keep].copy()),
        "edge": torch.from_numpy(edge[keep].copy()),
        "num_nodes": n,
        "num_edges": m,
        "y": torch.from_numpy(labels - 1),
        "label_names": label_names,
        "node_names": node_names,
        "repeated_incidences": int(ids.size - keep.size),
    }


# ---------------------------------------------------------------------- features
def _check_sigma(sigma: Any) -> float:
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"Expected 'feature_noise' (sigma) to be a float (got "
                        f"{C.describe(sigma)})")
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"Expected 'feature_noise' (sigma) to be finite and >= 0 (got {sigma})")
    return float(sigma)


def noisy_onehot(y: torch.Tensor, num_classes: int, sigma: float = 1.0,
                 seed: int | None = 0, feature_dim: int | None = None) -> torch.Tensor:
    r"""AllSet / ED-HNN synthetic features: :math:`\mathrm{onehot}(y)` padded with zeros to
    ``feature_dim`` columns, plus i.i.d. :math:`\mathcal{N}(0, \sigma^2)` noise on every entry.

    **The features are derived from the label and leak it** (a linear probe recovers
    :math:`y` almost perfectly when :math:`\sigma \ll 1`); they exist only to reproduce the
    heterophilic benchmarks.

    Args:
        y: ``[N]`` int64 labels in ``0..num_classes-1``.
        num_classes: :math:`C`.
        sigma: noise standard deviation :math:`\sigma \ge 0`.
        seed: seed of the ``numpy.random.default_rng`` stream (``None``: fresh entropy).
        feature_dim: :math:`F \ge C` (default :math:`C`; ED-HNN's ``-100`` ids use 100).

    Returns:
        ``[N, F]`` float32 tensor.

    Example:
        >>> noisy_onehot(torch.tensor([0, 2]), 3, sigma=0.0)
        tensor([[1., 0., 0.],
                [0., 0., 1.]])
        >>> noisy_onehot(torch.tensor([1]), 2, sigma=1.0, feature_dim=4).shape
        torch.Size([1, 4])
    """
    num_classes = C.check_count(num_classes, "num_classes")
    dim = num_classes if feature_dim is None else C.check_count(feature_dim, "feature_dim")
    if dim < num_classes:
        raise ValueError(f"Expected 'feature_dim' to be >= num_classes={num_classes} "
                         f"(got {dim})")
    sigma = _check_sigma(sigma)
    seed = C.check_seed(seed)
    n = int(y.numel())
    x = np.zeros((n, dim), dtype=np.float32)
    x[np.arange(n), y.cpu().numpy()] = 1.0
    x += np.float32(sigma) * np.random.default_rng(seed).standard_normal((n, dim),
                                                                        dtype=np.float32)
    return torch.from_numpy(x)


# ---------------------------------------------------------------------- load
def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"Expected '{name}' to be a bool (got {C.describe(value)})")
    return value


def load(name: str, raw: Path, *, cache: Any = None, use_cache: bool = True,
         features: str | None = "noisy-onehot", feature_noise: float = 1.0,
         feature_dim: int | None = None, seed: int | None = 0, dedup: bool = False,
         self_loops: bool = False, drop_singletons: bool = False) -> HypergraphData:
    r"""Load a Cornell dataset from ``raw`` (``hyperedges-<D>.txt`` + ``node-labels-<D>.txt``).

    The parsed structure and labels are cached; the options below are applied afterwards
    (cheap), so changing ``seed`` or ``feature_noise`` never re-parses. Order: drop singletons,
    then dedup, then self-loops.

    Warning:
        ``features="noisy-onehot"`` (the default, as in AllSet / ED-HNN) builds :math:`x` from
        the label: :math:`x_v = \mathrm{onehot}(y_v) + \mathcal{N}(0, \sigma^2)`. It **leaks
        the label unless** :math:`\sigma` **is large**; results depend strongly on
        :math:`\sigma` (AllSet reports 10+ points between 0.6 and 1.0). ``metadata`` records
        ``features``, ``sigma`` and ``seed``; report :math:`\sigma` with any result.

    Args:
        name: dataset name (the folder name).
        raw: the ``raw/`` folder.
        cache: processed-cache root (see :func:`hgkit.datasets.base.cache_dir`).
        use_cache: read/write the processed cache.
        features: ``"noisy-onehot"`` or ``None`` (``x = None``).
        feature_noise: :math:`\sigma` (default 1.0, ED-HNN's ``--feature_noise``).
        feature_dim: pad the one-hot to this many columns (default: the number of classes;
            AllSet / ED-HNN's ``*-100`` datasets use 100).
        seed: seed of the noise (``numpy.random.default_rng``); ``None`` draws fresh noise.
        dedup: drop hyperedges whose node set repeats an earlier one (house-committees has 5,
            walmart-trips 3,927). AllSet / ED-HNN keep them (default ``False``).
        self_loops: add a singleton hyperedge :math:`\{v\}` for every node that has none, as
            AllSet / ED-HNN do before training (default ``False``: the file's hyperedges only).
        drop_singletons: drop size-1 hyperedges of the file (congress-bills has 1,694;
            ED-HNN's 83,105 hyperedges for congress-bills exclude them).

    Returns:
        :class:`~hgkit.datasets.data.HypergraphData` with 0-based ``y``, ``num_classes``,
        ``x`` (or ``None``) and ``metadata`` (label / node names, switches used, counts).

    Raises:
        DatasetError: missing file, malformed line (file, line number and content), node id
            outside ``1..N``.
        TypeError: an unknown option or an option of the wrong type.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     raw = Path(tmp)
        ...     _ = (raw / "hyperedges-toy.txt").write_text("1,2\n2,3,3\n3\n")
        ...     _ = (raw / "node-labels-toy.txt").write_text("1\n2\n2\n")
        ...     data = load("toy", raw, use_cache=False, feature_noise=0.0)
        >>> data.hypergraph.edges(), data.y.tolist(), data.num_classes
        ([[0, 1], [1, 2], [2]], [0, 1, 1], 2)
        >>> data.x
        tensor([[1., 0.],
                [0., 1.],
                [0., 1.]])
        >>> data.metadata["features"], data.metadata["sigma"], data.metadata["seed"]
        ('label-derived: one-hot(y) + N(0, sigma^2) noise', 0.0, 0)
    """
    if features not in ("noisy-onehot", None):
        raise ValueError(f"Expected 'features' to be 'noisy-onehot' or None (got {features!r})")
    if features is not None:
        _check_sigma(feature_noise)
        C.check_seed(seed)
        if feature_dim is not None:
            C.check_count(feature_dim, "feature_dim", minimum=1)
    for flag, value in (("dedup", dedup), ("self_loops", self_loops),
                        ("drop_singletons", drop_singletons), ("use_cache", use_cache)):
        _check_bool(value, flag)
    raw = Path(raw)
    if not raw.is_dir():
        raise DatasetError(f"Dataset '{name}': folder {raw} does not exist")
    d = _choose(name, _prefixes(p.name for p in raw.iterdir() if p.is_file()), str(raw))
    files = [raw / f"hyperedges-{d}.txt", raw / f"node-labels-{d}.txt"]
    for path in files:
        if not path.exists():
            raise DatasetError(f"Dataset '{name}': missing file {path}")
    files += [p for p in (raw / f"label-names-{d}.txt", raw / f"node-names-{d}.txt")
              if p.exists()]
    parsed = load_cached(name, key={"family": FAMILY, "version": VERSION, "prefix": d},
                         files=files, build=lambda: _build(d, raw), cache=cache,
                         use_cache=use_cache)
    return _assemble(name, d, files, parsed, features=features, sigma=feature_noise,
                     feature_dim=feature_dim, seed=seed, dedup=dedup, self_loops=self_loops,
                     drop_singletons=drop_singletons)


def _assemble(name: str, d: str, files: list[Path], parsed: dict[str, Any], *,
              features: str | None, sigma: float, feature_dim: int | None, seed: int | None,
              dedup: bool, self_loops: bool, drop_singletons: bool) -> HypergraphData:
    from hgkit.hypergraph.transforms import add_self_loops, remove_duplicate_edges

    n, m = int(parsed["num_nodes"]), int(parsed["num_edges"])
    node, edge = parsed["node"], parsed["edge"]
    y = parsed["y"]
    label_names = list(parsed["label_names"])
    num_classes = max(int(y.max()) + 1 if y.numel() else 0, len(label_names))
    x = None
    if features is not None:
        x = noisy_onehot(y, num_classes, sigma=sigma, seed=seed, feature_dim=feature_dim)
    singletons = 0
    if drop_singletons:
        size = torch.bincount(edge, minlength=m)
        keep_edge = size != 1
        singletons = int((~keep_edge).sum())
        new_id = torch.cumsum(keep_edge, 0) - 1
        inc = keep_edge[edge]
        node, edge, m = node[inc], new_id[edge[inc]], int(keep_edge.sum())
    hg = Hypergraph._trusted(torch.stack([node, edge]), n, m)
    duplicates = 0
    if dedup:
        before = hg.num_edges
        hg = remove_duplicate_edges(hg)  # type: ignore[assignment]  # no return_index
        duplicates = before - hg.num_edges
    loops = 0
    if self_loops:
        before = hg.num_edges
        hg = add_self_loops(hg, only_missing=True)
        loops = hg.num_edges - before
    metadata: dict[str, Any] = {
        "source": "Cornell / Chodrow node-labelled hypergraph (hyperedges-<D>.txt)",
        "prefix": d,
        "files": [p.name for p in files],
        "label_names": label_names,
        "dedup": dedup,
        "self_loops": self_loops,
        "drop_singletons": drop_singletons,
        "repeated_incidences_removed": int(parsed["repeated_incidences"]),
        "singletons_dropped": singletons,
        "duplicates_removed": duplicates,
        "self_loops_added": loops,
    }
    if parsed["node_names"]:
        metadata["node_names"] = list(parsed["node_names"])
    if x is None:
        metadata["features"] = None
    else:
        metadata.update({"features": FEATURE_NOTE, "sigma": float(sigma), "seed": seed,
                         "feature_dim": int(x.size(1)), "feature_warning": _FEATURE_WARNING})
    return HypergraphData(hg, x=x, y=y, num_classes=num_classes, name=name, metadata=metadata)
