r"""SHyRe hypergraph-reconstruction datasets (Wang & Kleinberg, ICLR 2024): ``train.txt``,
``test.txt``.

Files (the layout of ``Abel0828/supervised_hypergraph_reconstruction``, ``data/<D>/``):

* ``train.txt``: the fully observed training hypergraph, one hyperedge per line, node ids
  separated by single spaces;
* ``test.txt``: the *query* hypergraph whose clique-expanded projection is to be
  reconstructed, in the same format.

The two files are two **different hypergraphs** (for DBLP, the 2016 and 2015 papers) with
independent id spaces, so each file is parsed and re-indexed on its own.

**What the reference loader does** (``utils.py::read_simplicies`` of the official code) and
this loader reproduces:

* every line becomes ``tuple(sorted(set(ids)))``: a node repeated inside a line counts once;
* when the ids are not compact ``0..n-1`` (enron / school / school2 start at 1, crime and
  foursquare have gaps), nodes are re-indexed by rank: the ``i``-th smallest id that occurs
  in the file becomes node ``i`` (a monotone map, identical to the reference's
  ``sorted(set(...))`` + enumerate). For compact files the map is the identity;
* the result is a *set* of hyperedges: duplicate lines (as node sets) are dropped
  (``dedup=True``, the default). The reference returns an unordered Python ``set``; here the
  first occurrence of each node set is kept, in file order, with its nodes sorted;
* singleton hyperedges are **kept** (the reference keeps them; in its projection a singleton
  adds an isolated node, and its Jaccard metric counts size-1 hyperedges).
  ``drop_singletons=True`` removes them; their nodes stay as nodes (isolated if they occur in
  no other hyperedge), so node ids do not depend on the switch.

The result is a :class:`ReconstructionData` with both hypergraphs and, for each, the original
id of every node (``train_ids[i]`` is the id that node ``i`` of ``train`` had in the file).

Example:
    >>> hg, ids, stats = parse_shyre(b"3 1 1\n7\n1 3\n")
    >>> hg.edges(), ids.tolist()
    ([[0, 1], [2]], [1, 3, 7])
    >>> stats["duplicates_removed"], stats["lines_with_repeats"]
    (1, 1)
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from hgkit.datasets.base import DatasetError, RemoteFile, load_cached
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["ReconstructionData", "detect", "detect_names", "load", "parse_shyre",
           "required_files"]

FAMILY = "shyre"
VERSION = 1
FILES = ("train.txt", "test.txt")
_OPTIONS = {"dedup": True, "drop_singletons": False}
# ASCII whitespace, exactly what bytes.split() splits on
_WHITESPACE = np.array([9, 10, 11, 12, 13, 32], dtype=np.uint8)


@dataclass(frozen=True)
class ReconstructionData:
    """A supervised hypergraph-reconstruction dataset: a training and a query hypergraph.

    Attributes:
        train: the training hypergraph (fully observed; supervises the reconstruction model).
        test: the query hypergraph (only its clique-expanded projection may be used as input;
            its hyperedges are the ground truth of the reconstruction).
        train_ids: ``[train.num_nodes]`` int64 original id (in ``train.txt``) of every node.
        test_ids: ``[test.num_nodes]`` int64 original id (in ``test.txt``) of every node. The
            two id spaces are independent.
        name: dataset name.
        metadata: switches used and per-file statistics (``metadata["train"]``,
            ``metadata["test"]``: lines, duplicates removed, lines with repeated nodes,
            singletons, whether ids were re-indexed).

    Example:
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2, num_edges=1)
        >>> data = ReconstructionData(hg, hg, torch.tensor([1, 2]), torch.tensor([5, 9]))
        >>> data.test_ids.tolist()
        [5, 9]
    """

    train: Hypergraph
    test: Hypergraph
    train_ids: Tensor
    test_ids: Tensor
    name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for split in ("train", "test"):
            hg, ids = getattr(self, split), getattr(self, f"{split}_ids")
            if not isinstance(hg, Hypergraph):
                raise TypeError(f"Expected '{split}' to be a Hypergraph (got "
                                f"{type(hg).__name__})")
            if not isinstance(ids, Tensor) or ids.shape != (hg.num_nodes,):
                got = list(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
                raise ValueError(f"Expected '{split}_ids' to be a tensor of shape "
                                 f"[{hg.num_nodes}] ({split}.num_nodes) (got {got})")

    def __repr__(self) -> str:
        return (f"ReconstructionData(name={self.name!r}, train=(num_nodes="
                f"{self.train.num_nodes}, num_edges={self.train.num_edges}), test=(num_nodes="
                f"{self.test.num_nodes}, num_edges={self.test.num_edges}))")


# --------------------------------------------------------------------------- family contract
def detect(raw: Path) -> bool:
    """``True`` when ``raw`` holds both ``train.txt`` and ``test.txt``.

    Example:
        >>> detect(Path("/nonexistent"))
        False
    """
    return all((Path(raw) / f).is_file() for f in FILES)


def detect_names(paths: set[str]) -> bool:
    """``True`` when the declared files include ``train.txt`` and ``test.txt``.

    Example:
        >>> detect_names({"train.txt", "test.txt"}), detect_names({"train.txt"})
        (True, False)
    """
    return all(f in paths for f in FILES)


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """Both files are required (``train.txt``, ``test.txt``).

    Example:
        >>> required_files("shyre-enron", Path("."), [])
        ['train.txt', 'test.txt']
    """
    return list(FILES)


def load(name: str, raw: Path, *, cache: Any = None, use_cache: bool = True,
         **options: Any) -> ReconstructionData:
    """Load a SHyRe dataset from ``raw/train.txt`` and ``raw/test.txt``.

    Args:
        name: dataset name (any folder in this layout works).
        raw: the ``raw/`` folder.
        cache: processed-cache root (see :func:`hgkit.datasets.base.load_cached`).
        use_cache: read / write the processed cache.
        **options: ``dedup`` (bool, default ``True``: keep each node set once, as the
            reference loader does) and ``drop_singletons`` (bool, default ``False``: the
            reference keeps size-1 hyperedges).

    Returns:
        :class:`ReconstructionData`.

    Raises:
        TypeError: on an unknown option or a non-bool switch.
        DatasetError: on a missing file or a malformed line (the error names the file, the
            1-based line number and the offending content).

    Example:
        >>> import tempfile
        >>> raw = Path(tempfile.mkdtemp())
        >>> _ = (raw / "train.txt").write_text("1 2 3\\n3 2 1\\n4\\n")
        >>> _ = (raw / "test.txt").write_text("0 5\\n")
        >>> data = load("toy", raw, use_cache=False)
        >>> data.train.edges(), data.train_ids.tolist(), data.test.edges()
        ([[0, 1, 2], [3]], [1, 2, 3, 4], [[0, 1]])
        >>> load("toy", raw, use_cache=False, drop_singletons=True).train.edges()
        [[0, 1, 2]]
    """
    opts = dict(_OPTIONS)
    for key, value in options.items():
        if key not in _OPTIONS:
            raise TypeError(f"Unknown option {key!r} for SHyRe dataset '{name}' "
                            f"(expected one of {sorted(_OPTIONS)})")
        if not isinstance(value, bool):
            raise TypeError(f"Expected option '{key}' to be a bool (got {value!r})")
        opts[key] = value
    raw = Path(raw)
    paths = [raw / f for f in FILES]
    for path in paths:
        if not path.is_file():
            raise DatasetError(f"Dataset '{name}': missing file {path}")

    def build() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for split, path in zip(("train", "test"), paths, strict=True):
            hg, ids, stats = parse_shyre(_read_bytes(path), str(path), **opts)
            out[split] = {"index": hg.hyperedge_index, "num_nodes": hg.num_nodes,
                          "num_edges": hg.num_edges, "ids": ids, "stats": stats}
        return out

    cache_key = {"family": FAMILY, "version": VERSION, **opts}
    parsed = load_cached(name, cache_key, paths, build, cache=cache, use_cache=use_cache)
    hgs = {split: Hypergraph._trusted(parsed[split]["index"], parsed[split]["num_nodes"],
                                      parsed[split]["num_edges"]) for split in ("train", "test")}
    metadata = {"source": "SHyRe (Wang & Kleinberg, ICLR 2024) train.txt / test.txt",
                "files": list(FILES), **opts,
                "train": dict(parsed["train"]["stats"]), "test": dict(parsed["test"]["stats"])}
    return ReconstructionData(hgs["train"], hgs["test"], parsed["train"]["ids"],
                              parsed["test"]["ids"], name=name, metadata=metadata)


# ----------------------------------------------------------------------------------- parsing
def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"Missing file {path}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetError(f"{path} is truncated or corrupt: {exc}") from None


def _line_text(data: bytes, line: int) -> str:
    """The 0-based ``line`` of ``data`` as text, shortened for error messages."""
    text = data.split(b"\n")[line].decode("utf-8", errors="replace").rstrip("\r")
    return text if len(text) <= 80 else text[:77] + "..."


def parse_shyre(data: bytes, source: str = "<bytes>", *, dedup: bool = True,
                drop_singletons: bool = False) -> tuple[Hypergraph, Tensor, dict[str, Any]]:
    r"""Parse one SHyRe hyperedge file (one hyperedge per line, ids separated by spaces).

    Vectorized: token boundaries and the line of every token come from numpy on the raw
    bytes, ids are converted in one call, re-indexing is ``np.unique`` and duplicate node sets
    are found by exact byte keys in a dict. A 3.4 MB file (181k lines) parses in about half a
    second.

    Args:
        data: the file content.
        source: file name used in error messages.
        dedup: drop hyperedges whose node set equals an earlier one (reference behaviour).
        drop_singletons: drop size-1 hyperedges (after removing repeated nodes).

    Returns:
        ``(hypergraph, ids, stats)``: nodes are the distinct ids of the file re-indexed by
        rank (``ids[i]`` = original id of node ``i``, sorted increasing), hyperedge ``j`` is
        the ``j``-th kept line with its nodes sorted and repeated nodes removed. ``stats`` holds
        ``lines``, ``lines_with_repeats``, ``duplicates_removed``, ``singleton_lines`` (lines
        with one distinct id), ``singletons`` (size-1 hyperedges after dedup),
        ``singletons_dropped``, ``reindexed`` (ids were not ``0..n-1``), ``min_id``,
        ``max_id`` and ``max_size`` (largest number of distinct ids on a line).

    Raises:
        DatasetError: on an empty line before the last hyperedge or a non-integer token (the
            message names ``source``, the 1-based line and its content).

    Example:
        >>> hg, ids, _ = parse_shyre(b"5 2\n2 5\n9\n", dedup=False)
        >>> hg.edges(), ids.tolist()
        ([[0, 1], [0, 1], [2]], [2, 5, 9])
        >>> parse_shyre(b"1 2\n1 x\n", "train.txt")
        Traceback (most recent call last):
        ...
        hgkit.datasets.base.DatasetError: train.txt, line 2: expected integer ... (got '1 x')
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    is_space = np.isin(buf, _WHITESPACE)
    starts = ~is_space
    starts[1:] &= is_space[:-1]
    line_of_byte = np.cumsum(buf == 10)
    token_line = line_of_byte[starts]
    tokens = data.split()
    assert len(tokens) == token_line.size, "token count mismatch"
    num_lines = int(token_line[-1]) + 1 if tokens else 0
    sizes = np.bincount(token_line, minlength=num_lines)
    empty = np.flatnonzero(sizes == 0)
    if empty.size:
        raise DatasetError(f"{source}, line {int(empty[0]) + 1}: empty line (expected a "
                           f"hyperedge: node ids separated by spaces)")
    try:
        values = np.array(tokens, dtype=np.int64)
    except (ValueError, OverflowError):
        bad = _first_bad_token(tokens)
        line = int(token_line[bad])
        raise DatasetError(f"{source}, line {line + 1}: expected integer node ids separated "
                           f"by spaces (got {_line_text(data, line)!r})") from None
    ids, node = np.unique(values, return_inverse=True)
    n = int(ids.size)
    edge = np.repeat(np.arange(num_lines, dtype=np.int64), sizes)
    key = np.unique(edge * max(n, 1) + node.reshape(-1))  # sorted: by line, then node
    edge, node = key // max(n, 1), key % max(n, 1)
    set_sizes = np.bincount(edge, minlength=num_lines)
    lines_with_repeats = int(np.count_nonzero(set_sizes != sizes))
    duplicates = 0
    if dedup:
        kept = _first_occurrences(node, set_sizes)
        duplicates = num_lines - kept.size
        if duplicates:
            is_kept = np.zeros(num_lines, dtype=bool)
            is_kept[kept] = True
            inc = is_kept[edge]
            node, edge = node[inc], (np.cumsum(is_kept) - 1)[edge[inc]]
    index = torch.from_numpy(np.stack([node, edge]))
    hg = Hypergraph._trusted(index, n, num_lines - duplicates)
    size = hg.edge_size
    singletons = int((size == 1).sum())
    if drop_singletons and singletons:
        multi = size != 1
        new_id = torch.cumsum(multi, 0) - 1
        node_t, edge_t = hg.hyperedge_index
        inc_t = multi[edge_t]
        index = torch.stack([node_t[inc_t], new_id[edge_t[inc_t]]])
        hg = Hypergraph._trusted(index, n, int(multi.sum()))
    stats = {
        "lines": num_lines,
        "lines_with_repeats": lines_with_repeats,
        "duplicates_removed": duplicates,
        "singleton_lines": int(np.count_nonzero(set_sizes == 1)),
        "singletons": singletons,
        "singletons_dropped": singletons if drop_singletons else 0,
        "reindexed": bool(n and (ids[0] != 0 or ids[-1] != n - 1)),
        "min_id": int(ids[0]) if n else None,
        "max_id": int(ids[-1]) if n else None,
        "max_size": int(set_sizes.max()) if num_lines else 0,
    }
    return hg, torch.from_numpy(ids), stats


def _first_occurrences(node: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Sorted indices of the hyperedges whose node set did not occur before.

    ``node`` lists the nodes of hyperedge 0, then 1, ... each sorted without repeats, so two
    hyperedges are equal sets iff their byte slices are equal (exact, no hashing collisions).
    """
    ptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    ptr *= node.itemsize
    raw = np.ascontiguousarray(node).tobytes()
    keys = [raw[a:b] for a, b in zip(ptr[:-1].tolist(), ptr[1:].tolist(), strict=True)]
    # Later duplicates are assigned first, so each key keeps its first index.
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    return np.sort(np.fromiter(first.values(), dtype=np.int64, count=len(first)))


def _first_bad_token(tokens: list[bytes]) -> int:
    for i, token in enumerate(tokens):
        try:
            value = int(token)
        except ValueError:
            return i
        if not -(2**63) <= value < 2**63:
            return i
    raise AssertionError("no bad token found")  # pragma: no cover
