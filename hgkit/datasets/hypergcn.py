r"""HyperGCN pickles: co-citation (Cora, Citeseer, Pubmed) and co-authorship (Cora, DBLP).

Layout of ``<root>/<name>/raw/`` (Yadati et al., NeurIPS 2019; the AllSet / ED-HNN suite):

==========================  ==================================================================
file                        pickled object
==========================  ==================================================================
``features.pickle``         scipy ``csr_matrix`` ``[N, F]`` (float32 bag-of-words / TF-IDF)
``hypergraph.pickle``       ``dict``: key -> member node ids (0-based). Only the *values* are
                            used; key and value types vary per dataset (``numpy.int32`` /
                            ``int`` / author-name ``str`` keys; ``set`` or ``list`` values)
``labels.pickle``           ``list`` of ``N`` 0-based class ids
``splits/<k>.pickle``       ``dict`` with ``"train"`` / ``"test"`` index lists (no validation)
==========================  ==================================================================

Every pickle is read with :func:`hgkit.datasets.safe_pickle.safe_load` (an allow-list of numpy,
scipy sparse and Python containers), never with :func:`pickle.load`: a downloaded pickle is
untrusted input. Two of them (``cocitation-pubmed`` and ``coauthorship-cora``
``hypergraph.pickle``) are Python-2 protocol-2 pickles; the allow-list maps ``__builtin__``.

Hyperedge :math:`e_k` is the *set* of nodes in the ``k``-th dict value (dict order), so a node
listed twice in one value counts once. Duplicate hyperedges (the same node set under two keys:
96 in co-citation Cora) are kept by default, as AllSet and ED-HNN keep them; ``dedup=True``
drops them. Nodes in no hyperedge (1274 of 2708 in co-citation Cora) stay isolated unless
``self_loops=True`` adds the singleton hyperedge :math:`\{v\}` that AllSet / ED-HNN add to every
node (their protocol; see :func:`hgkit.hypergraph.transforms.add_self_loops`).

Features are returned dense (``x`` is ``[N, F]`` float32): DBLP's 41,302 x 1,425 matrix takes
235 MB. The processed cache stores them in CSR form, which is much smaller.

Example:
    >>> from hgkit import datasets
    >>> datasets.family_of("allset-cocitation-cora")
    'hypergcn'
    >>> detect_names({"hypergraph.pickle", "labels.pickle", "splits/1.pickle"})
    True
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hgkit.datasets import base
from hgkit.datasets.base import DatasetError, RemoteFile
from hgkit.datasets.data import HypergraphData
from hgkit.datasets.safe_pickle import safe_load
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.hypergraph.transforms import add_self_loops, remove_duplicate_edges

__all__ = ["detect", "detect_names", "load", "required_files"]

_VERSION = 1
_FEATURES = "features.pickle"
_HYPERGRAPH = "hypergraph.pickle"
_LABELS = "labels.pickle"
_SPLITS = "splits"


# ------------------------------------------------------------------------------ contract
def detect(raw: Path) -> bool:
    """Whether ``raw`` holds HyperGCN pickles (``hypergraph.pickle`` and ``labels.pickle``).

    Example:
        >>> import tempfile
        >>> detect(Path(tempfile.mkdtemp()))
        False
    """
    raw = Path(raw)
    return (raw / _HYPERGRAPH).is_file() and (raw / _LABELS).is_file()


def detect_names(paths: set[str]) -> bool:
    """Whether the declared relative file names look like HyperGCN pickles.

    Example:
        >>> detect_names({"zoo.content", "zoo.edges"})
        False
    """
    return _HYPERGRAPH in paths and _LABELS in paths


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """The known files to fetch before :func:`load`: everything except ``features.pickle``.

    ``features.pickle`` is optional (``load(..., features=False)`` does without it), so
    :func:`load` fetches it itself when features are asked for.

    Example:
        >>> files = [RemoteFile(p, "u", None) for p in ("features.pickle", "labels.pickle")]
        >>> required_files("x", Path("."), files)
        ['labels.pickle']
    """
    return [f.path for f in known if f.path != _FEATURES]


def load(name: str, raw: Path, *, cache: str | os.PathLike[str] | None = None,
         use_cache: bool = True, features: bool | str = "auto", dedup: bool = False,
         self_loops: bool = False, download: bool = True, progress: bool = True
         ) -> HypergraphData:
    r"""Load a HyperGCN-format dataset from ``raw`` (its ``raw/`` folder).

    Args:
        name: dataset name (cache sub-folder; also used to look up the URL of a missing
            ``features.pickle``).
        raw: the folder holding the pickles.
        cache: processed-cache root (see :func:`hgkit.datasets.base.cache_dir`).
        use_cache: read / write the processed cache.
        features: ``"auto"`` (default) or ``True``: read ``features.pickle``, downloading it
            first when it is missing, hgkit knows its URL and ``download`` is true; if it is
            still missing a :class:`DatasetError` names the file and its URL. ``False``: no
            features (``x`` is ``None``); the structure, labels and splits load alone.
        dedup: drop hyperedges whose node set repeats an earlier one (the first is kept).
            Default ``False`` keeps them, like AllSet / ED-HNN.
        self_loops: append a singleton hyperedge :math:`\{v\}` for every node that has none
            (AllSet's ``Add_Self_Loops`` / ED-HNN's ``AddHypergraphSelfLoops``; the ED-HNN
            protocol uses ``True``). Applied after ``dedup``. Default ``False``: the file's
            hyperedges only.
        download: allow downloading a missing ``features.pickle``.
        progress: show a download progress bar.

    Returns:
        :class:`HypergraphData` with ``x`` (``[N, F]`` float32 or ``None``), ``y`` (``[N]``
        int64), ``num_classes = max(y) + 1``, ``splits`` (the ``splits/<k>.pickle`` files in
        numeric order of ``k``, each ``{"train", "test"}`` int64 index tensors) and
        ``metadata`` (switches used, raw hyperedge / duplicate / isolated-node counts).

    Raises:
        DatasetError: a missing, truncated or malformed file (the message names it).
        hgkit.datasets.safe_pickle.UnsafePickleError: a pickle references a name outside the
            allow-list (nothing from it is executed).

    Example:
        >>> import pickle, tempfile
        >>> raw = Path(tempfile.mkdtemp())
        >>> for fname, obj in [("hypergraph.pickle", {"a": {0, 1}, "b": [1, 2]}),
        ...                    ("labels.pickle", [0, 1, 1, 0])]:
        ...     _ = (raw / fname).write_bytes(pickle.dumps(obj))
        >>> data = load("toy", raw, features=False, use_cache=False)
        >>> data.hypergraph.edges(), data.y.tolist(), data.num_classes
        ([[0, 1], [1, 2]], [0, 1, 1, 0], 2)
        >>> load("toy", raw, features=False, self_loops=True, use_cache=False).num_edges
        6
    """
    _check_bool(dedup, "dedup")
    _check_bool(self_loops, "self_loops")
    _check_bool(download, "download")
    if features != "auto" and not isinstance(features, bool):
        raise TypeError(f"Expected 'features' to be True, False or 'auto' (got {features!r})")
    raw = Path(raw)
    files = [raw / _HYPERGRAPH, raw / _LABELS, *_split_files(raw)]
    for path in files[:2]:
        if not path.is_file():
            raise DatasetError(f"Missing file {path}")
    use_features = features is not False
    if use_features:
        _ensure_features(name, raw, download, progress)
        files.append(raw / _FEATURES)
    key = {"family": "hypergcn", "version": _VERSION, "features": use_features,
           "dedup": dedup, "self_loops": self_loops}
    out = base.load_cached(
        name, key, files, lambda: _build(raw, use_features, dedup, self_loops),
        cache=cache, use_cache=use_cache)
    hg = Hypergraph(torch.stack([out["node"], out["edge"]]), out["num_nodes"],
                    out["num_edges"])
    x = None
    if use_features:
        import scipy.sparse as sp

        shape = tuple(out["x_shape"])
        x = torch.from_numpy(sp.csr_matrix(
            (out["x_data"].numpy(), out["x_indices"].numpy(), out["x_indptr"].numpy()),
            shape=shape).toarray())
    return HypergraphData(hg, x=x, y=out["y"], num_classes=out["num_classes"],
                          splits=out["splits"], name=name, metadata=out["metadata"])


# ------------------------------------------------------------------------------ helpers
def _check_bool(value: Any, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"Expected '{name}' to be a bool (got {type(value).__name__})")


def _ensure_features(name: str, raw: Path, download: bool, progress: bool) -> None:
    """Make ``features.pickle`` present, or raise an error naming it, its URL and the way out."""
    path = raw / _FEATURES
    if path.is_file():
        return
    remote = {f.path: f for f in base.known_files(name)}.get(_FEATURES)
    hint = ("Pass features=False to load the structure, labels and splits without "
            "features.")
    if remote is None:
        raise DatasetError(f"Dataset '{name}': {path} is missing and hgkit knows no URL for "
                           f"it. {hint}")
    if not download:
        raise DatasetError(f"Dataset '{name}': {path} is missing (download=False); it comes "
                           f"from {remote.url}. {hint}")
    try:
        base.ensure_files(name, raw, [_FEATURES], download_missing=True, progress=progress)
    except (DatasetError, OSError) as exc:
        raise DatasetError(f"Dataset '{name}': {path} is missing and could not be "
                           f"downloaded from {remote.url} ({exc}). {hint}") from None


def _split_files(raw: Path) -> list[Path]:
    """``splits/<k>.pickle`` with an integer ``k``, in numeric order (1, 2, ..., 10)."""
    folder = raw / _SPLITS
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.pickle") if p.stem.isdigit()]
    return sorted(found, key=lambda p: int(p.stem))


def _int_array(values: Any, path: Path, what: str) -> np.ndarray:
    """A 1-D int64 array from a list of ints (Python or numpy); errors name the file."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: expected {what} to be a list of integers ({exc})") from None
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise DatasetError(f"{path}: expected {what} to be a list of integers (got an array "
                           f"of shape {list(arr.shape)} and dtype {arr.dtype})")
    return arr.astype(np.int64, copy=False)


def _check_ids(ids: np.ndarray, n: int, path: Path, what: str) -> None:
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise DatasetError(f"{path}: {what} holds node id {bad}, outside [0, {n}) "
                           f"({n} nodes in labels.pickle)")


def _read_labels(path: Path) -> np.ndarray:
    obj = safe_load(path)
    if not isinstance(obj, (list, tuple, np.ndarray)):
        raise DatasetError(f"{path}: expected a list of class ids (got {type(obj).__name__})")
    y = _int_array(obj, path, "the labels")
    if y.size and y.min() < 0:
        raise DatasetError(f"{path}: expected 0-based class ids (found {int(y.min())})")
    return y


def _read_hyperedges(path: Path, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Sorted unique ``(node, edge)`` incidences of the dict values; ``m`` = dict entries."""
    obj = safe_load(path)
    if not isinstance(obj, dict):
        raise DatasetError(f"{path}: expected a dict of hyperedges (got {type(obj).__name__})")
    values = list(obj.values())
    m = len(values)
    try:
        sizes = np.fromiter((len(v) for v in values), dtype=np.int64, count=m)
        flat = np.fromiter(itertools.chain.from_iterable(values), dtype=np.float64,
                           count=int(sizes.sum()))
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: expected every hyperedge (dict value) to be a set or "
                           f"list of integer node ids ({exc})") from None
    node = flat.astype(np.int64)
    if not np.array_equal(node, flat):
        raise DatasetError(f"{path}: expected integer node ids (found {flat[node != flat][0]})")
    _check_ids(node, n, path, "a hyperedge")
    edge = np.repeat(np.arange(m, dtype=np.int64), sizes)
    pairs = np.unique(edge * max(n, 1) + node)  # a set per hyperedge, members sorted
    return pairs % max(n, 1), pairs // max(n, 1), m


def _read_split(path: Path, n: int) -> dict[str, torch.Tensor]:
    obj = safe_load(path)
    if not isinstance(obj, dict) or not {"train", "test"} <= set(obj):
        got = sorted(map(str, obj)) if isinstance(obj, dict) else type(obj).__name__
        raise DatasetError(f"{path}: expected a dict with keys 'train' and 'test' (got {got})")
    split = {}
    for key in ("train", "val", "test"):
        if key in obj:
            idx = _int_array(obj[key], path, f"'{key}'")
            _check_ids(idx, n, path, f"'{key}'")
            split[key] = torch.from_numpy(idx.copy())
    return split


def _read_features(path: Path, n: int) -> dict[str, Any]:
    import scipy.sparse as sp

    obj = safe_load(path)
    if isinstance(obj, np.ndarray) and obj.ndim == 2:
        obj = sp.csr_matrix(obj)
    if not sp.issparse(obj) or obj.ndim != 2:
        raise DatasetError(f"{path}: expected a 2-D scipy sparse matrix or array (got "
                           f"{type(obj).__name__})")
    if obj.shape[0] != n:
        raise DatasetError(f"{path}: has {obj.shape[0]} rows but labels.pickle has {n} nodes")
    mat = sp.csr_matrix(obj, dtype=np.float32)
    mat.sum_duplicates()
    return {"x_data": torch.from_numpy(mat.data.astype(np.float32)),
            "x_indices": torch.from_numpy(mat.indices.astype(np.int64)),
            "x_indptr": torch.from_numpy(mat.indptr.astype(np.int64)),
            "x_shape": [int(mat.shape[0]), int(mat.shape[1])]}


def _build(raw: Path, use_features: bool, dedup: bool, self_loops: bool) -> dict[str, Any]:
    y = _read_labels(raw / _LABELS)
    n = int(y.size)
    node, edge, m = _read_hyperedges(raw / _HYPERGRAPH, n)
    hg = Hypergraph._trusted(torch.from_numpy(np.stack([node, edge])), n, m)
    deduped = remove_duplicate_edges(hg)
    isolated = int((hg.node_count == 0).sum())
    if dedup:
        hg = deduped
    if self_loops:
        hg = add_self_loops(hg, only_missing=True)
    split_paths = _split_files(raw)
    out: dict[str, Any] = {
        "node": hg.hyperedge_index[0].contiguous(), "edge": hg.hyperedge_index[1].contiguous(),
        "num_nodes": n, "num_edges": hg.num_edges,
        "y": torch.from_numpy(y.copy()), "num_classes": int(y.max()) + 1 if n else 0,
        "splits": [_read_split(p, n) for p in split_paths],
        "metadata": {
            "family": "hypergcn", "features": use_features, "dedup": dedup,
            "self_loops": self_loops, "num_raw_edges": m,
            "num_duplicate_edges": m - deduped.num_edges, "num_isolated_nodes": isolated,
            "splits": [f"{_SPLITS}/{p.name}" for p in split_paths],
            "split_protocol": "HyperGCN fixed splits: train/test only, no validation",
        },
    }
    if use_features:
        out.update(_read_features(raw / _FEATURES, n))
    return out
