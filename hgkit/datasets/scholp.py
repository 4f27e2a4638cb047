r"""Benson et al.'s timestamped simplices (ScHoLP, PNAS 2018; ``arbenson/ScHoLP-Data``).

Format (``DATA-DESCRIPTION.txt``), one integer per line, gzipped upstream (``.txt.gz``; the
uncompressed ``.txt`` of the Cornell data pages is accepted too). ``<D>`` is the file prefix
before ``-nverts``, taken from the files present:

* ``<D>-nverts.txt.gz``: :math:`S` lines, the size :math:`|\sigma_i|` of each simplex;
* ``<D>-simplices.txt.gz``: :math:`\sum_i |\sigma_i|` lines, the **1-based** node ids of all
  simplices, concatenated in order;
* ``<D>-times.txt.gz``: :math:`S` lines, the timestamp of each simplex (unit per dataset);
* ``<D>-node-labels.txt.gz`` (optional): ``id name`` per line (space, or a tab in
  congress-bills, whose lines are also not in id order); node metadata, not class labels;
* ``<D>-simplex-labels.txt.gz`` (optional): one name per simplex (loaded on request).

Node ids become 0-based. Ids that never occur in a simplex are kept as isolated nodes, so
:math:`N = \max(\text{largest id}, \text{largest labelled id})` and node :math:`i` keeps the
name on line ``i + 1`` of the label file. The same node set usually occurs many times (once
per timestamp); :meth:`~hgkit.datasets.data.TemporalHypergraph.to_hypergraph` deduplicates
node sets, and ScHoLP's 80/20 temporal split is a ``mask`` on ``times``.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hgkit.datasets.base import DatasetError, RemoteFile, load_cached, open_text
from hgkit.datasets.data import TemporalHypergraph

__all__ = ["detect", "detect_names", "load", "required_files"]

FAMILY = "scholp"
#: Bump when the cached dict changes.
VERSION = 2
_SUFFIXES = (".txt.gz", ".txt")
_PARTS = ("nverts", "simplices", "times")
_INT = re.compile(r"\s*[+-]?\d+\s*")
_ODD = re.compile(r"[^0-9\n-]")


# ---------------------------------------------------------------------- detection
def _prefixes(names: Any) -> list[str]:
    """The ``<D>`` of every ``<D>-nverts.txt[.gz]`` among file names."""
    out = set()
    for name in names:
        base = name.rsplit("/", 1)[-1]
        for suffix in _SUFFIXES:
            tail = "-nverts" + suffix
            if base.endswith(tail) and len(base) > len(tail):
                out.add(base[:-len(tail)])
    return sorted(out)


def detect(raw: Path) -> bool:
    """Whether ``raw`` holds a ``<D>-nverts.txt.gz`` (or ``.txt``) file.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = (Path(tmp) / "toy-nverts.txt").write_text("2\\n")
        ...     detect(Path(tmp))
        True
    """
    raw = Path(raw)
    return raw.is_dir() and bool(_prefixes(p.name for p in raw.iterdir() if p.is_file()))


def detect_names(paths: set[str]) -> bool:
    """Whether declared relative file names include a ``<D>-nverts.txt.gz``.

    Example:
        >>> detect_names({"toy-nverts.txt.gz", "toy-simplices.txt.gz", "toy-times.txt.gz"})
        True
        >>> detect_names({"train.txt", "test.txt"})
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
            raise DatasetError(f"Dataset '{name}': no <D>-nverts.txt.gz file in {where}")
        raise DatasetError(f"Dataset '{name}': several ScHoLP datasets in {where} "
                           f"({', '.join(candidates)}) and none matches the name")
    return max(matches, key=len)


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """Known files that must exist: nverts, simplices, times and (when declared) node labels.

    README, DATA-DESCRIPTION and the (large, rarely needed) simplex labels are optional.

    Example:
        >>> known = [RemoteFile(f"x-{p}.txt.gz", "", None)
        ...          for p in ("nverts", "simplices", "times", "simplex-labels")]
        >>> required_files("scholp-x", Path("."), known)
        ['x-nverts.txt.gz', 'x-simplices.txt.gz', 'x-times.txt.gz']
    """
    paths = [f.path for f in known]
    d = _choose(name, _prefixes(paths), "the declared files")
    wanted = {f"{d}-{part}{suffix}" for part in (*_PARTS, "node-labels")
              for suffix in _SUFFIXES}
    return [p for p in paths if p in wanted]


# ---------------------------------------------------------------------- parsing
def _find(raw: Path, d: str, part: str) -> Path | None:
    """``raw/<d>-<part>.txt.gz`` or ``.txt``, whichever exists (``None`` if neither)."""
    for suffix in _SUFFIXES:
        path = raw / f"{d}-{part}{suffix}"
        if path.exists():
            return path
    return None


def _require(raw: Path, d: str, part: str) -> Path:
    path = _find(raw, d, part)
    if path is None:
        raise DatasetError(f"Missing file {raw / f'{d}-{part}.txt.gz'}")
    return path


def _read(path: Path) -> str:
    try:
        with open_text(path) as fh:
            return fh.read()
    except (zlib.error, OSError) as exc:  # corrupt deflate data, unreadable file
        raise DatasetError(f"{path} is truncated or corrupt: {exc}") from None


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _line_error(path: Path, lineno: int, line: str, expected: str) -> DatasetError:
    shown = line if len(line) <= 80 else line[:77] + "..."
    return DatasetError(f"{path}, line {lineno}: expected {expected} (got {shown!r})")


def _parse_column(path: Path) -> np.ndarray:
    """One integer per line, at numpy's C speed; a malformed file is re-read line by line
    only to name its first bad line."""
    text = _read(path)
    n_lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    try:
        values = np.fromstring(text, dtype=np.int64, sep="\n")
    except ValueError:
        values = None
    # np.fromstring skips blank lines and splits "1 2": accept its result only for plain
    # digit lines (anything else, e.g. spaces or "\r", takes the line-by-line path).
    if (values is not None and values.size == n_lines and "\n\n" not in text
            and not text.startswith("\n") and not _ODD.search(text)):
        limit = np.iinfo(np.int64)
        if not values.size or (values.max() < limit.max and values.min() > limit.min):
            return values
    lines = _lines(text)
    for i, line in enumerate(lines, 1):
        if not _INT.fullmatch(line) or abs(int(line)) >= 2**63 - 1:
            raise _line_error(path, i, line, "one 64-bit integer per line")
    return np.array([int(line) for line in lines], dtype=np.int64)


def _check_min(values: np.ndarray, path: Path, minimum: int, what: str) -> None:
    bad = np.flatnonzero(values < minimum)
    if bad.size:
        i = int(bad[0])
        raise _line_error(path, i + 1, str(int(values[i])), what)


def _parse_node_labels(path: Path) -> dict[int, str]:
    """``{1-based id: name}`` from ``id name`` / ``id<TAB>name`` lines in any order."""
    out: dict[int, str] = {}
    for i, line in enumerate(_lines(_read(path)), 1):
        parts = line.rstrip("\r").split(None, 1)
        if not parts or not _INT.fullmatch(parts[0]) or int(parts[0]) < 1:
            raise _line_error(path, i, line, "'<id> <name>' with a 1-based integer id")
        node = int(parts[0])
        if node in out:
            raise _line_error(path, i, line, f"each id once (id {node} is repeated)")
        out[node] = parts[1] if len(parts) > 1 else ""
    return out


def _build(d: str, paths: dict[str, Path], simplex_labels: bool) -> dict[str, Any]:
    nverts = _parse_column(paths["nverts"])
    simplices = _parse_column(paths["simplices"])
    times = _parse_column(paths["times"])
    if nverts.size != times.size:
        raise DatasetError(f"{paths['nverts'].name} has {nverts.size} lines but "
                           f"{paths['times'].name} has {times.size} (one per simplex expected) "
                           f"in {paths['nverts'].parent}")
    _check_min(nverts, paths["nverts"], 1, "a simplex size >= 1")
    total = int(nverts.sum())
    if total != simplices.size:
        raise DatasetError(f"{paths['nverts'].name} sums to {total} but "
                           f"{paths['simplices'].name} has {simplices.size} lines "
                           f"(they must agree) in {paths['nverts'].parent}")
    _check_min(simplices, paths["simplices"], 1, "a 1-based node id >= 1")
    num_nodes = int(simplices.max()) if simplices.size else 0
    node_labels: list[str] = []
    if "node-labels" in paths:
        named = _parse_node_labels(paths["node-labels"])
        num_nodes = max(num_nodes, max(named, default=0))
        node_labels = [""] * num_nodes
        for node, label in named.items():
            node_labels[node - 1] = label
    names: list[str] = []
    if simplex_labels:
        names = [ln.rstrip("\r") for ln in _lines(_read(paths["simplex-labels"]))]
        if len(names) != nverts.size:
            raise DatasetError(f"{paths['simplex-labels']} has {len(names)} lines but there "
                               f"are {nverts.size} simplices (one name per simplex expected)")
    present = int(np.count_nonzero(np.bincount(simplices - 1, minlength=num_nodes)))
    return {
        "nodes_appearing": present,
        "nverts": torch.from_numpy(nverts),
        "simplices": torch.from_numpy(simplices - 1),
        "times": torch.from_numpy(times),
        "num_nodes": num_nodes,
        "has_node_labels": "node-labels" in paths,
        "node_labels": node_labels,
        "simplex_labels": names,
    }


# ---------------------------------------------------------------------- load
def load(name: str, raw: Path, *, cache: Any = None, use_cache: bool = True,
         simplex_labels: bool = False) -> TemporalHypergraph:
    r"""Load a ScHoLP dataset (``<D>-nverts``, ``-simplices``, ``-times`` files) from ``raw``.

    Simplex :math:`i` is the node set
    :math:`\sigma_i = \{s_j - 1 : p_i \le j < p_i + \mathrm{nverts}_i\}` (``s`` the file's
    1-based ids, :math:`p` the running sum of ``nverts``), observed at ``times[i]``; file order
    is kept. Nothing is deduplicated here.

    Args:
        name: dataset name (the folder name).
        raw: the ``raw/`` folder.
        cache: processed-cache root (see :func:`hgkit.datasets.base.cache_dir`).
        use_cache: read/write the processed cache.
        simplex_labels: also read ``<D>-simplex-labels.txt.gz`` into
            ``metadata["simplex_labels"]`` (one string per simplex; off by default because
            the file is large and only names the simplices).

    Returns:
        :class:`~hgkit.datasets.data.TemporalHypergraph` with ``node_labels`` when the label
        file is present (``""`` for ids it does not name).

    Raises:
        DatasetError: missing or truncated file (named), malformed line (file, line number,
            content), counts that disagree (``sum(nverts) != len(simplices)`` or
            ``len(nverts) != len(times)``, naming the files).
        TypeError: an unknown option.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     raw = Path(tmp)
        ...     _ = (raw / "toy-nverts.txt").write_text("3\n2\n3\n")
        ...     _ = (raw / "toy-simplices.txt").write_text("1\n2\n3\n2\n5\n3\n2\n1\n")
        ...     _ = (raw / "toy-times.txt").write_text("10\n15\n21\n")
        ...     th = load("toy", raw, use_cache=False)
        >>> th.num_nodes, th.num_simplices, th.simplices.tolist()
        (5, 3, [0, 1, 2, 1, 4, 2, 1, 0])
        >>> th.to_hypergraph(unique=True).edges()  # {1,2,3} twice: one distinct set
        [[0, 1, 2], [1, 4]]
    """
    if not isinstance(simplex_labels, bool):
        raise TypeError(f"Expected 'simplex_labels' to be a bool (got "
                        f"{type(simplex_labels).__name__})")
    if not isinstance(use_cache, bool):
        raise TypeError(f"Expected 'use_cache' to be a bool (got {type(use_cache).__name__})")
    raw = Path(raw)
    if not raw.is_dir():
        raise DatasetError(f"Dataset '{name}': folder {raw} does not exist")
    d = _choose(name, _prefixes(p.name for p in raw.iterdir() if p.is_file()), str(raw))
    paths = {part: _require(raw, d, part) for part in _PARTS}
    labels = _find(raw, d, "node-labels")
    if labels is not None:
        paths["node-labels"] = labels
    if simplex_labels:
        paths["simplex-labels"] = _require(raw, d, "simplex-labels")
    files = list(paths.values())
    parsed = load_cached(
        name, key={"family": FAMILY, "version": VERSION, "prefix": d,
                   "simplex_labels": simplex_labels},
        files=files, build=lambda: _build(d, paths, simplex_labels), cache=cache,
        use_cache=use_cache)
    simplices = parsed["simplices"]
    present = int(parsed["nodes_appearing"])
    metadata: dict[str, Any] = {
        "source": "ScHoLP timestamped simplices (<D>-nverts/-simplices/-times)",
        "prefix": d,
        "files": [p.name for p in files],
        "node_ids": "0-based (file id - 1); ids that never occur are isolated nodes",
        "nodes_appearing": present,
        "isolated_ids": int(parsed["num_nodes"]) - present,
    }
    if simplex_labels:
        metadata["simplex_labels"] = list(parsed["simplex_labels"])
    return TemporalHypergraph(
        nverts=parsed["nverts"], simplices=simplices, times=parsed["times"],
        num_nodes=int(parsed["num_nodes"]),
        node_labels=list(parsed["node_labels"]) if parsed["has_node_labels"] else None,
        name=name, metadata=metadata)
