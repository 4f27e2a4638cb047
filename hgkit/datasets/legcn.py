r"""LEGCN text files ``<D>.content`` / ``<D>.edges``: Zoo, 20Newsgroups, Mushroom, NTU2012, ...

The format of Yang et al.'s LEGCN repository, read by AllSet's and ED-HNN's
``load_LE_dataset`` (the AllSet "LE" datasets). ``<root>/<name>/raw/`` holds one pair:

* ``<D>.content``: one row per node, whitespace (tab) separated:
  ``index f_1 ... f_F label``. Two upstream variants exist and both load:

  - the **AllSet-compatible** file (LEGCN's first commits, the one AllSet's bundle holds): the
    N node rows followed by dummy rows with label 0 for the ids ``>= N`` (hyperedge ids and
    padding). This is the *primary* file, the one directly in ``raw/``.
  - the **LEGCN HEAD** file (kept in ``raw/legcn-head/`` of the shared copies): the N node
    rows only. Select it with ``content="legcn-head/<D>.content"``; its node rows are
    text-identical, so the result is the same.

  Only rows whose index is ``< N`` are kept, where ``N = 1 + max(node id in .edges)``. Rows
  are placed by their index column (20newsW100's rows are not sorted), so node ``i`` is the
  file's id ``i`` (AllSet uses the row position instead: the same hypergraph up to a
  permutation). A LEGCN file cannot mark a trailing node that is in no hyperedge, so such a
  node would be dropped with the dummy rows.
* ``<D>.edges``: one ``node_id hyperedge_id`` incidence per line. Hyperedge ids are offset by
  ``N`` (they start right after the last node id); they are renumbered ``0..M-1`` in the order
  of their ids. A repeated incidence counts once (each hyperedge is a set).

Labels are mapped to ``0..C-1`` through their sorted distinct values (Zoo's ``1..7`` become
``0..6``; NTU2012's float labels such as ``"12.0"`` are read as integers); the original values
are kept in ``metadata["label_values"]``. Features are float32. There are no fixed splits.

Duplicate hyperedges (Zoo 2, Mushroom 5) are kept unless ``dedup=True``; ``self_loops=True``
adds the AllSet / ED-HNN singleton hyperedge :math:`\{v\}` to every node without one.

Example:
    >>> detect_names({"zoo.content", "zoo.edges", "legcn-head/zoo.content"})
    True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hgkit.datasets import base
from hgkit.datasets.base import DatasetError, RemoteFile
from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.hypergraph.transforms import add_self_loops, remove_duplicate_edges

__all__ = ["detect", "detect_names", "load", "required_files"]

_VERSION = 1
_SUFFIXES = ("", ".gz")


# ------------------------------------------------------------------------------ contract
def _stems(names: set[str]) -> list[str]:
    """Stems ``D`` with both ``D.content`` and ``D.edges`` (optionally gzipped) in ``names``."""
    out = set()
    for fname in names:
        for gz in _SUFFIXES:
            if fname.endswith(".edges" + gz):
                stem = fname[: -len(".edges" + gz)]
                if any(f"{stem}.content{z}" in names for z in _SUFFIXES):
                    out.add(stem)
    return sorted(out)


def detect(raw: Path) -> bool:
    """Whether ``raw`` holds a ``<D>.content`` / ``<D>.edges`` pair.

    Example:
        >>> import tempfile
        >>> detect(Path(tempfile.mkdtemp()))
        False
    """
    raw = Path(raw)
    return raw.is_dir() and bool(_stems({p.name for p in raw.iterdir() if p.is_file()}))


def detect_names(paths: set[str]) -> bool:
    """Whether the declared relative file names hold a top-level ``.content`` / ``.edges`` pair.

    Example:
        >>> detect_names({"hypergraph.pickle", "labels.pickle"})
        False
    """
    return bool(_stems({p for p in paths if "/" not in p}))


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """The top-level ``.content`` and ``.edges`` files (not the ``legcn-head/`` variant).

    Example:
        >>> files = [RemoteFile(p, "u", None) for p in ("zoo.content", "legcn-head/zoo.content")]
        >>> required_files("allset-zoo", Path("."), files)
        ['zoo.content']
    """
    return [f.path for f in known if "/" not in f.path]


def load(name: str, raw: Path, *, cache: str | os.PathLike[str] | None = None,
         use_cache: bool = True, content: str | None = None, dedup: bool = False,
         self_loops: bool = False) -> HypergraphData:
    r"""Load a LEGCN-format dataset from ``raw`` (its ``raw/`` folder).

    Args:
        name: dataset name (cache sub-folder; picks the pair when ``raw`` holds several).
        raw: the folder holding ``<D>.content`` and ``<D>.edges`` (``.gz`` also read).
        cache: processed-cache root (see :func:`hgkit.datasets.base.cache_dir`).
        use_cache: read / write the processed cache.
        content: the ``.content`` file to read, relative to ``raw`` (e.g.
            ``"legcn-head/zoo.content"``); default ``<D>.content`` next to ``<D>.edges``.
        dedup: drop hyperedges whose node set repeats an earlier one (the first is kept).
            Default ``False`` keeps them, like AllSet / ED-HNN.
        self_loops: append a singleton hyperedge :math:`\{v\}` for every node that has none
            (AllSet / ED-HNN preprocessing; the ED-HNN protocol uses ``True``). Applied after
            ``dedup``.

    Returns:
        :class:`HypergraphData` with ``x`` (``[N, F]`` float32), ``y`` (``[N]`` int64 in
        ``0..C-1``), ``num_classes = C``, no ``splits``, and ``metadata`` (switches, the
        ``.content`` variant, original label values, raw duplicate / singleton counts).

    Raises:
        DatasetError: a missing file, or a malformed line (the message names the file, the
            1-based line number and the line).

    Example:
        >>> import tempfile
        >>> raw = Path(tempfile.mkdtemp())
        >>> _ = (raw / "toy.content").write_text("0\t1.5\t2\n1\t0\t1\n2\t3\t2\n3\t0\t0\n")
        >>> _ = (raw / "toy.edges").write_text("0\t3\n1\t3\n1\t4\n2\t4\n")
        >>> data = load("toy", raw, use_cache=False)  # N = 3: row 3 is a dummy row
        >>> data.hypergraph.edges(), data.y.tolist(), data.x.flatten().tolist()
        ([[0, 1], [1, 2]], [1, 0, 1], [1.5, 0.0, 3.0])
    """
    for flag, label in ((dedup, "dedup"), (self_loops, "self_loops")):
        if not isinstance(flag, bool):
            raise TypeError(f"Expected '{label}' to be a bool (got {type(flag).__name__})")
    if content is not None and not isinstance(content, (str, os.PathLike)):
        raise TypeError(f"Expected 'content' to be a path relative to raw/ or None (got "
                        f"{type(content).__name__})")
    raw = Path(raw)
    content_path, edges_path = _find_files(name, raw, content)
    rel = content_path.relative_to(raw).as_posix() if content_path.is_relative_to(raw) \
        else str(content_path)
    key = {"family": "legcn", "version": _VERSION, "content": rel, "dedup": dedup,
           "self_loops": self_loops}
    out = base.load_cached(
        name, key, [content_path, edges_path],
        lambda: _build(content_path, edges_path, rel, dedup, self_loops),
        cache=cache, use_cache=use_cache)
    hg = Hypergraph(torch.stack([out["node"], out["edge"]]), out["num_nodes"],
                    out["num_edges"])
    return HypergraphData(hg, x=out["x"], y=out["y"], num_classes=out["num_classes"],
                          name=name, metadata=out["metadata"])


# ------------------------------------------------------------------------------ helpers
def _existing(raw: Path, stem: str, kind: str) -> Path | None:
    for gz in _SUFFIXES:
        path = raw / f"{stem}.{kind}{gz}"
        if path.is_file():
            return path
    return None


def _find_files(name: str, raw: Path, content: str | os.PathLike[str] | None
                ) -> tuple[Path, Path]:
    if not raw.is_dir():
        raise DatasetError(f"Missing folder {raw}")
    stems = _stems({p.name for p in raw.iterdir() if p.is_file()})
    if not stems:
        raise DatasetError(f"{raw} holds no '<D>.content' / '<D>.edges' pair (LEGCN format)")
    if len(stems) > 1:
        matching = [s for s in stems if name == s or name.endswith("-" + s)]
        if len(matching) != 1:
            raise DatasetError(f"{raw} holds several LEGCN pairs {stems}; cannot tell which "
                               f"one is dataset '{name}'")
        stems = matching
    stem = stems[0]
    edges = _existing(raw, stem, "edges")
    assert edges is not None
    if content is None:
        path = _existing(raw, stem, "content")
        assert path is not None
    else:
        path = raw / content
        if not path.is_file():
            raise DatasetError(f"Missing file {path} (the 'content' option)")
    return path, edges


def _read_table(path: Path) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Whitespace-separated numbers as a float64 ``[rows, cols]`` array, the raw lines and the
    1-based line number of every row (blank lines are skipped)."""
    with base.open_text(path) as fh:
        text = fh.read()
    lines = text.splitlines()
    rows, linenos = [], []
    for i, line in enumerate(lines):
        fields = line.split()
        if fields:
            rows.append(fields)
            linenos.append(i + 1)
    if not rows:
        raise DatasetError(f"{path} is empty")
    width = len(rows[0])
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    bad = np.flatnonzero(lengths != width)
    if bad.size:
        i = int(bad[0])
        raise DatasetError(f"{path}, line {linenos[i]}: expected {width} fields like line "
                           f"{linenos[0]} (got {len(rows[i])}): {lines[linenos[i] - 1]!r}")
    try:
        table = np.array(rows, dtype=np.float64)
    except ValueError:
        for i, fields in enumerate(rows):
            try:
                np.array(fields, dtype=np.float64)
            except ValueError:
                raise DatasetError(f"{path}, line {linenos[i]}: expected numbers (got "
                                   f"{lines[linenos[i] - 1]!r})") from None
        raise  # pragma: no cover - the loop always finds the bad row
    return table, lines, np.asarray(linenos)


def _integers(col: np.ndarray, path: Path, lines: list[str], linenos: np.ndarray,
              what: str) -> np.ndarray:
    """``col`` as int64; a non-integral or negative value is a malformed line."""
    ok = np.isfinite(col) & (col == np.round(col)) & (col >= 0)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise DatasetError(f"{path}, line {linenos[i]}: expected a non-negative integer "
                           f"{what} (got {lines[linenos[i] - 1]!r})")
    return col.astype(np.int64)


def _read_edges(path: Path) -> tuple[np.ndarray, np.ndarray, int, dict[str, Any]]:
    table, lines, linenos = _read_table(path)
    if table.shape[1] != 2:
        raise DatasetError(f"{path}, line {linenos[0]}: expected 2 fields 'node_id "
                           f"hyperedge_id' (got {table.shape[1]}): {lines[linenos[0] - 1]!r}")
    node = _integers(table[:, 0], path, lines, linenos, "node id")
    he = _integers(table[:, 1], path, lines, linenos, "hyperedge id")
    n = int(node.max()) + 1
    low = he < n
    if low.any():
        i = int(np.flatnonzero(low)[0])
        raise DatasetError(f"{path}, line {linenos[i]}: hyperedge id {int(he[i])} is not above "
                           f"the largest node id {n - 1} (LEGCN numbers hyperedges after the "
                           f"nodes): {lines[linenos[i] - 1]!r}")
    ids, edge = np.unique(he, return_inverse=True)
    m = int(ids.size)
    pairs = np.unique(edge.reshape(-1) * n + node)  # a set per hyperedge, members sorted
    facts = {"edge_id_offset": int(ids[0]), "edge_ids_consecutive": int(ids[-1] - ids[0]) ==
             m - 1, "num_duplicate_incidences": int(node.size - pairs.size)}
    return pairs % n, pairs // n, m, facts


def _read_content(path: Path, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Features ``[n, F]`` and raw labels ``[n]`` of the rows with index ``< n``, placed by
    index; also the number of rows in the file."""
    table, lines, linenos = _read_table(path)
    if table.shape[1] < 2:
        raise DatasetError(f"{path}, line {linenos[0]}: expected 'index f_1 ... f_F label' "
                           f"(got {table.shape[1]} field): {lines[linenos[0] - 1]!r}")
    idx = _integers(table[:, 0], path, lines, linenos, "node index")
    keep = np.flatnonzero(idx < n)
    first = np.full(n, -1, dtype=np.int64)
    first[idx[keep][::-1]] = keep[::-1]  # first row of each node id
    if (first < 0).any():
        missing = int(np.flatnonzero(first < 0)[0])
        raise DatasetError(f"{path}: no row for node {missing} (the .edges file has {n} nodes, "
                           f"ids 0..{n - 1})")
    if keep.size != n:  # some node has a second row
        v = int(np.flatnonzero(np.bincount(idx[keep], minlength=n) > 1)[0])
        i = int(keep[idx[keep] == v][1])
        raise DatasetError(f"{path}, line {linenos[i]}: node {v} has a second row: "
                           f"{lines[linenos[i] - 1]!r}")
    rows = first  # rows[v] = the row of node v
    labels = _integers(table[rows, -1], path, lines, linenos[rows], "label")
    x = np.ascontiguousarray(table[rows, 1:-1], dtype=np.float32)
    return x, labels, int(table.shape[0])


def _build(content: Path, edges: Path, rel: str, dedup: bool, self_loops: bool
           ) -> dict[str, Any]:
    node, edge, m, facts = _read_edges(edges)
    n = int(node.max()) + 1
    x, labels, num_rows = _read_content(content, n)
    values, y = np.unique(labels, return_inverse=True)
    hg = Hypergraph._trusted(torch.from_numpy(np.stack([node, edge])), n, m)
    deduped = remove_duplicate_edges(hg)
    size = hg.edge_size
    meta: dict[str, Any] = {
        "family": "legcn", "content": rel, "edges": edges.name, "dedup": dedup,
        "self_loops": self_loops,
        "content_variant": ("padded: N node rows + dummy rows (AllSet-compatible)"
                            if num_rows > n else "node rows only (LEGCN HEAD)"),
        "num_content_rows": num_rows, "num_raw_edges": m,
        "num_duplicate_edges": m - deduped.num_edges,
        "num_singleton_edges": int((size == 1).sum()),
        "num_isolated_nodes": int((hg.node_count == 0).sum()),
        "label_values": [int(v) for v in values], **facts,
    }
    if dedup:
        hg = deduped
    if self_loops:
        hg = add_self_loops(hg, only_missing=True)
    return {
        "node": hg.hyperedge_index[0].contiguous(), "edge": hg.hyperedge_index[1].contiguous(),
        "num_nodes": n, "num_edges": hg.num_edges, "x": torch.from_numpy(x),
        "y": torch.from_numpy(y.reshape(-1).astype(np.int64)), "num_classes": int(values.size),
        "metadata": meta,
    }
