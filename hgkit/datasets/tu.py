r"""TU Dortmund graph-classification datasets (``<D>.zip``) with EHGNN's 10-fold indices.

Files (``raw/``):

* ``<D>.zip``: the TU graph-kernel archive, read in memory with :mod:`zipfile` (never
  extracted). Members are matched by suffix, so the doubled slash of the upstream archives
  (``MUTAG//MUTAG_A.txt``) and extra members (``README.txt~``) do not matter:
  ``_A.txt`` (``row, col`` per line, 1-based global node ids, separator ``", "`` or ``","``),
  ``_graph_indicator.txt`` (1-based graph id of every node), ``_graph_labels.txt`` and the
  optional ``_node_labels.txt``, ``_node_attributes.txt``, ``_edge_labels.txt`` (aligned with
  ``_A.txt``) and ``_edge_attributes.txt``.
* ``ehgnn/10fold_idx/{train,test}_idx-k.txt`` (optional): EHGNN's fixed folds (the GIN
  folds), 0-based graph indices, one per line. When present they become
  :attr:`GraphDataset.folds` (``k = 1..K`` in numeric order, each ``{"train", "test"}``).
  EHGNN's protocol: test = fold ``k``, validation = ``test_idx`` of fold ``k - 1`` (fold 1
  uses fold ``K``), train = ``train_idx-k`` minus validation.

Preprocessing follows PyG's ``TUDataset`` as EHGNN uses it (``use_node_attr=True``,
``use_edge_attr=True``, ``cleaned=False``) and EHGNN's ``get_dataset``:

* node ids and graph ids are made 0-based; graph labels are mapped to ``0..C-1`` in sorted
  order of the raw values (MUTAG / PTC_MR ``-1, 1`` -> ``0, 1``; PROTEINS ``1, 2`` -> ``0, 1``);
  ``metadata["label_values"][c]`` is the raw label of class ``c``;
* ``coalesce=True`` (default, as PyG): self-loops are removed and the directed edges sorted by
  ``(row, col)`` with duplicates merged (their edge features summed). IMDB-BINARY lists every
  directed edge twice, so this halves its edges; ``coalesce=False`` keeps the ``_A.txt`` lines
  exactly, in file order;
* ``node_features="auto"``: node attributes (when present) followed by the one-hot node labels
  (when present; each label column ``l`` one-hot over ``l - min(l) .. max(l) - min(l)``).
  Without either (IMDB-BINARY), degree features as in EHGNN: the one-hot out-degree
  (``max_degree + 1`` columns) when the largest degree is below 1000, else the standardized
  degree ``(d - mean) / std`` (one column). Degrees are those of the returned ``edge_index``
  (with ``coalesce=True``, PyG's). ``"degree"`` always uses degree features; ``"none"`` gives
  ``x = None``. ``metadata["node_features_used"]`` says what was used (and
  ``metadata["edge_features_used"]`` for edges);
* ``edge_features="auto"``: edge attributes followed by one-hot edge labels (``None`` when the
  archive has neither); ``"none"`` gives ``edge_attr = None``.

Defensive archive handling: member names that are absolute or contain ``..`` are refused, the
total uncompressed size is capped (:data:`MAX_UNCOMPRESSED_BYTES`), and a truncated or corrupt
archive raises :class:`~hgkit.datasets.base.DatasetError` naming the file.

The parse (before features are built) is cached; building the features from it is cheap, so
the cache does not depend on the options.

Example:
    >>> edge_index, batch = parse_tu_edges(b"1, 2\n2, 1\n", b"1\n1\n")
    >>> edge_index.tolist(), batch.tolist()
    ([[0, 1], [1, 0]], [0, 0])
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import torch
from torch import Tensor

from hgkit.datasets.base import DatasetError, RemoteFile, load_cached
from hgkit.datasets.data import GraphDataset

__all__ = ["MAX_UNCOMPRESSED_BYTES", "detect", "detect_names", "load", "parse_tu_edges",
           "required_files"]

FAMILY = "tu"
VERSION = 1
#: Refuse archives whose members declare more than this many uncompressed bytes in total.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
#: Degree features are one-hot below this maximum degree, standardized otherwise (PyG / EHGNN).
ONEHOT_DEGREE_LIMIT = 1000
FOLD_DIR = "ehgnn/10fold_idx"
_SUFFIXES = {
    "A": "_A.txt",
    "graph_indicator": "_graph_indicator.txt",
    "graph_labels": "_graph_labels.txt",
    "node_labels": "_node_labels.txt",
    "node_attributes": "_node_attributes.txt",
    "edge_labels": "_edge_labels.txt",
    "edge_attributes": "_edge_attributes.txt",
}
_REQUIRED = ("A", "graph_indicator", "graph_labels")
_CHOICES = {"node_features": ("auto", "degree", "none"), "edge_features": ("auto", "none")}
_OPTIONS: dict[str, Any] = {"node_features": "auto", "edge_features": "auto", "coalesce": True}
_SEPARATORS = np.array([9, 10, 11, 12, 13, 32, 44], dtype=np.uint8)  # whitespace and ','
_FOLD_RE = re.compile(r"^(train|test)_idx-(\d+)\.txt$")


# --------------------------------------------------------------------------- family contract
def detect(raw: Path) -> bool:
    """``True`` when ``raw`` holds a zip archive with TU members (``_A.txt``,
    ``_graph_indicator.txt``).

    Example:
        >>> detect(Path("/nonexistent"))
        False
    """
    raw = Path(raw)
    if not raw.is_dir():
        return False
    for path in raw.glob("*.zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError):
            continue
        if (any(n.endswith(_SUFFIXES["A"]) for n in names)
                and any(n.endswith(_SUFFIXES["graph_indicator"]) for n in names)):
            return True
    return False


def detect_names(paths: set[str]) -> bool:
    """``True`` when a declared file is a top-level ``.zip`` archive.

    Example:
        >>> detect_names({"MUTAG.zip", "ehgnn/MUTAG.txt"}), detect_names({"train.txt"})
        (True, False)
    """
    return any(p.endswith(".zip") and "/" not in p for p in paths)


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """The archive and EHGNN's fold files (the GIN-format ``ehgnn/<D>.txt`` is not used).

    Example:
        >>> known = [RemoteFile("MUTAG.zip", "u", None), RemoteFile("ehgnn/MUTAG.txt", "u", None),
        ...          RemoteFile("ehgnn/10fold_idx/test_idx-1.txt", "u", None)]
        >>> required_files("tu-MUTAG", Path("."), known)
        ['MUTAG.zip', 'ehgnn/10fold_idx/test_idx-1.txt']
    """
    return [f.path for f in known
            if (f.path.endswith(".zip") and "/" not in f.path)
            or f.path.startswith(FOLD_DIR + "/")]


def load(name: str, raw: Path, *, cache: Any = None, use_cache: bool = True,
         **options: Any) -> GraphDataset:
    """Load a TU dataset from ``raw/<D>.zip`` (+ ``raw/ehgnn/10fold_idx``).

    Args:
        name: dataset name (any folder in this layout works; the archive is the only ``.zip``
            in ``raw/``, or ``<name without "tu-">.zip`` when there are several).
        raw: the ``raw/`` folder.
        cache: processed-cache root.
        use_cache: read / write the processed cache.
        **options: ``node_features`` (``"auto"``, ``"degree"``, ``"none"``),
            ``edge_features`` (``"auto"``, ``"none"``), ``coalesce`` (bool, default ``True``);
            see the module docstring.

    Returns:
        :class:`~hgkit.datasets.data.GraphDataset`.

    Raises:
        TypeError / ValueError: unknown option or bad option value.
        DatasetError: missing / corrupt / unsafe archive, malformed line (names the member and
            the 1-based line), inconsistent counts, or a fold file that does not split the
            graphs into disjoint train / test sets covering all graphs.
    """
    opts = _check_options(name, options)
    raw = Path(raw)
    zip_path = _find_zip(name, raw)
    fold_files = _fold_files(raw)

    def build() -> dict[str, Any]:
        parsed = _parse_zip(zip_path)
        parsed["folds"] = _parse_folds(fold_files, parsed["num_graphs"])
        return parsed

    key = {"family": FAMILY, "version": VERSION}
    files = [zip_path] + [p for pair in fold_files for p in pair]
    parsed = load_cached(name, key, files, build, cache=cache, use_cache=use_cache)
    return _assemble(name, parsed, opts, len(fold_files))


# ----------------------------------------------------------------------------------- options
def _check_options(name: str, options: dict[str, Any]) -> dict[str, Any]:
    opts = dict(_OPTIONS)
    for key, value in options.items():
        if key not in _OPTIONS:
            raise TypeError(f"Unknown option {key!r} for TU dataset '{name}' "
                            f"(expected one of {sorted(_OPTIONS)})")
        if key == "coalesce":
            if not isinstance(value, bool):
                raise TypeError(f"Expected option 'coalesce' to be a bool (got {value!r})")
        elif value not in _CHOICES[key]:
            raise ValueError(f"Expected option '{key}' to be one of {list(_CHOICES[key])} "
                             f"(got {value!r})")
        opts[key] = value
    return opts


# ------------------------------------------------------------------------------------- files
def _find_zip(name: str, raw: Path) -> Path:
    zips = sorted(raw.glob("*.zip")) if raw.is_dir() else []
    if not zips:
        raise DatasetError(f"Dataset '{name}': missing file {raw}/<D>.zip (no .zip archive "
                           f"in {raw})")
    if len(zips) == 1:
        return zips[0]
    stem = name[3:] if name.startswith("tu-") else name
    for path in zips:
        if path.stem == stem:
            return path
    raise DatasetError(f"Dataset '{name}': several archives in {raw} "
                       f"({', '.join(p.name for p in zips)}) and none is named {stem}.zip")


def _fold_files(raw: Path) -> list[tuple[Path, Path]]:
    """``[(train_idx-k, test_idx-k) for k = 1..K]``, or ``[]`` without fold files."""
    folder = raw / FOLD_DIR
    if not folder.is_dir():
        return []
    found: dict[str, dict[int, Path]] = {"train": {}, "test": {}}
    for path in folder.iterdir():
        match = _FOLD_RE.match(path.name)
        if match:
            found[match.group(1)][int(match.group(2))] = path
    ks = sorted(set(found["train"]) | set(found["test"]))
    if not ks:
        return []
    out = []
    for k in range(1, max(ks) + 1):
        for split in ("train", "test"):
            if k not in found[split]:
                raise DatasetError(f"Missing fold file {folder / f'{split}_idx-{k}.txt'} "
                                   f"(fold files found for k in {ks})")
        out.append((found["train"][k], found["test"][k]))
    return out


def _check_member_name(zip_path: Path, member: str) -> None:
    posix = member.replace("\\", "/")
    if (posix.startswith("/") or re.match(r"^[A-Za-z]:", posix)
            or ".." in PurePosixPath(posix).parts):
        raise DatasetError(f"{zip_path}: refusing unsafe member name {member!r} (absolute "
                           f"path or '..')")


def _parse_zip(zip_path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_member_name(zip_path, info.filename)
            total = sum(info.file_size for info in infos)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise DatasetError(
                    f"{zip_path}: members declare {total} uncompressed bytes, more than the "
                    f"limit of {MAX_UNCOMPRESSED_BYTES} (possible zip bomb)")
            members = _select_members(zip_path, [i.filename for i in infos])
            texts = {kind: zf.read(member) for kind, member in members.items()}
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"Missing file {zip_path}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
            ValueError) as exc:
        raise DatasetError(f"{zip_path} is truncated or corrupt: {exc}") from None
    where = {kind: f"{zip_path.name}:{member}" for kind, member in members.items()}
    edge_index, batch = parse_tu_edges(texts["A"], texts["graph_indicator"],
                                       where["A"], where["graph_indicator"])
    num_nodes, num_edges = batch.numel(), edge_index.size(1)
    graph_labels = _table(texts["graph_labels"], where["graph_labels"], np.int64)
    if graph_labels.shape[1] != 1:
        raise DatasetError(f"{where['graph_labels']}: expected one label per line (got "
                           f"{graph_labels.shape[1]} values on line 1)")
    num_graphs = graph_labels.shape[0]
    top = int(batch.max()) + 1 if num_nodes else 0
    if top > num_graphs:
        raise DatasetError(f"{where['graph_indicator']} refers to graph {top} but "
                           f"{where['graph_labels']} has {num_graphs} lines")
    out: dict[str, Any] = {
        "zip": zip_path.name, "members": sorted(members.values()),
        "edge_index": edge_index, "batch": batch, "num_graphs": num_graphs,
        "graph_labels": torch.from_numpy(graph_labels[:, 0].copy()),
    }
    for kind, rows, dtype in (("node_labels", num_nodes, np.int64),
                              ("node_attributes", num_nodes, np.float64),
                              ("edge_labels", num_edges, np.int64),
                              ("edge_attributes", num_edges, np.float64)):
        if kind not in texts:
            out[kind] = None
            continue
        table = _table(texts[kind], where[kind], dtype)
        if table.shape[0] != rows:
            of = ("nodes (_graph_indicator.txt lines)" if kind.startswith("node")
                  else "edges (_A.txt lines)")
            raise DatasetError(f"{where[kind]} has {table.shape[0]} lines but there are "
                               f"{rows} {of}")
        tensor = torch.from_numpy(table)
        out[kind] = tensor.float() if dtype is np.float64 else tensor
    return out


def _select_members(zip_path: Path, names: list[str]) -> dict[str, str]:
    """Map each member kind to its member name; one dataset prefix per archive."""
    groups: dict[str, dict[str, str]] = {}
    for member in names:
        base = member.replace("\\", "/").rsplit("/", 1)[-1]
        for kind, suffix in _SUFFIXES.items():
            if base.endswith(suffix) and len(base) > len(suffix):
                group = groups.setdefault(base[:-len(suffix)], {})
                if kind in group:
                    raise DatasetError(f"{zip_path}: members {group[kind]!r} and {member!r} "
                                       f"both look like the {suffix} file")
                group[kind] = member
                break
    complete = {p: g for p, g in groups.items() if all(k in g for k in _REQUIRED)}
    if len(complete) > 1:
        complete = {p: g for p, g in complete.items() if p == zip_path.stem}
    if len(complete) != 1:
        missing = [_SUFFIXES[k] for k in _REQUIRED
                   if not any(k in g for g in groups.values())]
        detail = (f"missing members ending in {missing}" if missing
                  else f"several datasets inside ({sorted(groups)})")
        raise DatasetError(f"{zip_path} is not a TU dataset archive: {detail}")
    return next(iter(complete.values()))


# ----------------------------------------------------------------------------------- parsing
def _tokens(data: bytes, where: str) -> tuple[list[bytes], np.ndarray, int]:
    """Tokens split on whitespace and commas, the 0-based line of each and the line count."""
    buf = np.frombuffer(data, dtype=np.uint8)
    is_sep = np.isin(buf, _SEPARATORS)
    starts = ~is_sep
    starts[1:] &= is_sep[:-1]
    token_line = np.cumsum(buf == 10)[starts]
    tokens = data.replace(b",", b" ").split()
    assert len(tokens) == token_line.size, "token count mismatch"
    num_lines = int(token_line[-1]) + 1 if tokens else 0
    sizes = np.bincount(token_line, minlength=num_lines)
    empty = np.flatnonzero(sizes == 0)
    if empty.size:
        raise DatasetError(f"{where}, line {int(empty[0]) + 1}: empty line")
    return tokens, token_line, num_lines


def _line_text(data: bytes, line: int) -> str:
    text = data.split(b"\n")[line].decode("utf-8", errors="replace").rstrip("\r")
    return text if len(text) <= 80 else text[:77] + "..."


def _table(data: bytes, where: str, dtype: type, columns: int | None = None) -> np.ndarray:
    """A ``[lines, k]`` array from comma/space separated numbers, every line with ``k``
    values (``k = columns`` when given)."""
    tokens, token_line, num_lines = _tokens(data, where)
    sizes = np.bincount(token_line, minlength=num_lines)
    k = columns if columns is not None else (int(sizes[0]) if num_lines else 1)
    bad = np.flatnonzero(sizes != k)
    if bad.size:
        line = int(bad[0])
        raise DatasetError(f"{where}, line {line + 1}: expected {k} comma-separated values "
                           f"(got {_line_text(data, line)!r})")
    what = "integers" if dtype is np.int64 else "numbers"
    try:
        values: np.ndarray = np.array(tokens, dtype=dtype)
    except (ValueError, OverflowError):
        i = _first_bad(tokens, int if dtype is np.int64 else float)
        line = int(token_line[i])
        raise DatasetError(f"{where}, line {line + 1}: expected {what} "
                           f"(got {_line_text(data, line)!r})") from None
    if dtype is not np.int64 and not np.all(np.isfinite(values)):
        line = int(token_line[int(np.flatnonzero(~np.isfinite(values))[0])])
        raise DatasetError(f"{where}, line {line + 1}: expected finite numbers "
                           f"(got {_line_text(data, line)!r})")
    return values.reshape(num_lines, k)


def _first_bad(tokens: list[bytes], cast: type) -> int:
    for i, token in enumerate(tokens):
        try:
            value = cast(token)
        except ValueError:
            return i
        if cast is int and not -(2**63) <= value < 2**63:
            return i
    raise AssertionError("no bad token")  # pragma: no cover


def parse_tu_edges(a_txt: bytes, graph_indicator: bytes, a_name: str = "_A.txt",
                   indicator_name: str = "_graph_indicator.txt") -> tuple[Tensor, Tensor]:
    r"""Parse a TU ``_A.txt`` and ``_graph_indicator.txt`` into 0-based tensors.

    Args:
        a_txt: content of ``_A.txt`` (``row, col`` per line, 1-based; ``","`` or ``", "``).
        graph_indicator: content of ``_graph_indicator.txt`` (1-based graph id per node).
        a_name, indicator_name: names used in error messages.

    Returns:
        ``(edge_index [2, E], batch [N])``, int64, in file order.

    Raises:
        DatasetError: malformed line, node id outside ``1..N``, graph ids not sorted (graphs
            must be contiguous blocks of nodes), or an edge joining two graphs.

    Example:
        >>> ei, batch = parse_tu_edges(b"1,2\n2,1\n3,3\n", b"1\n1\n2\n")
        >>> ei.tolist(), batch.tolist()
        ([[0, 1, 2], [1, 0, 2]], [0, 0, 1])
        >>> parse_tu_edges(b"1, 2\n2, 9\n", b"1\n1\n", "X_A.txt")
        Traceback (most recent call last):
        ...
        hgkit.datasets.base.DatasetError: X_A.txt, line 2: node id 9 is outside 1..2 ...
    """
    batch = _table(graph_indicator, indicator_name, np.int64, columns=1)[:, 0]
    edges = _table(a_txt, a_name, np.int64, columns=2)
    n = batch.size
    if n and batch.min() < 1:
        line = int(np.argmin(batch))
        raise DatasetError(f"{indicator_name}, line {line + 1}: graph ids are 1-based "
                           f"(got {int(batch[line])})")
    if n > 1 and np.any(np.diff(batch) < 0):
        line = int(np.flatnonzero(np.diff(batch) < 0)[0]) + 1
        raise DatasetError(f"{indicator_name}, line {line + 1}: graph ids must be "
                           f"non-decreasing (graph {int(batch[line])} after graph "
                           f"{int(batch[line - 1])})")
    out_of_range = (edges < 1) | (edges > n)
    if out_of_range.any():
        line, col = (int(v) for v in np.argwhere(out_of_range)[0])
        raise DatasetError(f"{a_name}, line {line + 1}: node id {int(edges[line, col])} is "
                           f"outside 1..{n} ({indicator_name} has {n} lines)")
    edges = edges - 1
    batch = batch - 1
    cross = batch[edges[:, 0]] != batch[edges[:, 1]]
    if cross.any():
        line = int(np.flatnonzero(cross)[0])
        raise DatasetError(f"{a_name}, line {line + 1}: edge {edges[line, 0] + 1}, "
                           f"{edges[line, 1] + 1} joins graphs {batch[edges[line, 0]] + 1} "
                           f"and {batch[edges[line, 1]] + 1}")
    return torch.from_numpy(np.ascontiguousarray(edges.T)), torch.from_numpy(batch)


def _parse_folds(fold_files: list[tuple[Path, Path]], num_graphs: int
                 ) -> list[dict[str, Tensor]]:
    folds = []
    for train_path, test_path in fold_files:
        fold = {}
        for split, path in (("train", train_path), ("test", test_path)):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise DatasetError(f"Missing fold file {path}") from None
            ids = _table(data, str(path), np.int64, columns=1)[:, 0]
            bad = np.flatnonzero((ids < 0) | (ids >= num_graphs))
            if bad.size:
                raise DatasetError(f"{path}, line {int(bad[0]) + 1}: graph index "
                                   f"{int(ids[bad[0]])} is outside 0..{num_graphs - 1}")
            if np.unique(ids).size != ids.size:
                raise DatasetError(f"{path}: repeats a graph index")
            fold[split] = ids
        overlap = np.intersect1d(fold["train"], fold["test"])
        if overlap.size:
            raise DatasetError(f"{test_path}: graph {int(overlap[0])} is also in {train_path} "
                               f"(train and test must be disjoint)")
        covered = fold["train"].size + fold["test"].size
        if covered != num_graphs:
            raise DatasetError(f"{test_path}: train and test cover {covered} of {num_graphs} "
                               f"graphs (together with {train_path.name} they must cover all)")
        folds.append({s: torch.from_numpy(v) for s, v in fold.items()})
    return folds


# ---------------------------------------------------------------------------------- features
def _one_hot(labels: Tensor) -> Tensor:
    """One-hot of every column of ``labels`` ``[n, k]`` (shifted to start at 0), concatenated."""
    if labels.size(0) == 0:
        return torch.zeros(0, 0)
    labels = labels - labels.min(dim=0).values
    parts = [torch.nn.functional.one_hot(col, int(col.max()) + 1) for col in labels.unbind(1)]
    return torch.cat(parts, dim=1).float()


def _coalesce(edge_index: Tensor, edge_attr: Tensor | None, num_nodes: int
              ) -> tuple[Tensor, Tensor | None, int, int]:
    loop = edge_index[0] == edge_index[1]
    num_loops = int(loop.sum())
    if num_loops:
        edge_index = edge_index[:, ~loop]
        edge_attr = None if edge_attr is None else edge_attr[~loop]
    key = edge_index[0] * max(num_nodes, 1) + edge_index[1]
    unique, inverse = torch.unique(key, sorted=True, return_inverse=True)
    merged = key.numel() - unique.numel()
    out = torch.stack([unique // max(num_nodes, 1), unique % max(num_nodes, 1)])
    if edge_attr is not None:
        edge_attr = edge_attr.new_zeros((unique.numel(), *edge_attr.shape[1:])).index_add_(
            0, inverse, edge_attr)
    return out, edge_attr, num_loops, merged


def _degree_features(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, str]:
    deg = torch.bincount(edge_index[0], minlength=num_nodes)
    max_degree = int(deg.max()) if num_nodes else 0
    if max_degree < ONEHOT_DEGREE_LIMIT:
        x = torch.nn.functional.one_hot(deg, max_degree + 1).float()
        return x, f"one-hot degree (max degree {max_degree}, {max_degree + 1} columns)"
    degf = deg.double()
    mean, std = float(degf.mean()), float(degf.std())
    x = ((degf - mean) / std).float().view(-1, 1)
    return x, f"standardized degree (mean {mean:.6g}, std {std:.6g}; max degree {max_degree})"


def _assemble(name: str, parsed: dict[str, Any], opts: dict[str, Any], num_folds: int
              ) -> GraphDataset:
    edge_index, batch = parsed["edge_index"], parsed["batch"]
    num_nodes, num_file_edges = batch.numel(), edge_index.size(1)
    # edge features (before coalescing, so that merged duplicates sum their rows as PyG does)
    edge_parts, edge_desc = [], []
    if opts["edge_features"] == "auto":
        if parsed["edge_attributes"] is not None:
            edge_parts.append(parsed["edge_attributes"])
            edge_desc.append(f"edge_attributes[{parsed['edge_attributes'].size(1)}]")
        if parsed["edge_labels"] is not None:
            edge_parts.append(_one_hot(parsed["edge_labels"]))
            edge_desc.append(f"edge_labels one-hot[{edge_parts[-1].size(1)}]")
    edge_attr = torch.cat(edge_parts, dim=1) if edge_parts else None
    loops = merged = 0
    if opts["coalesce"]:
        edge_index, edge_attr, loops, merged = _coalesce(edge_index, edge_attr, num_nodes)
    # node features
    node_parts, node_desc = [], []
    mode = opts["node_features"]
    if mode == "auto":
        if parsed["node_attributes"] is not None:
            node_parts.append(parsed["node_attributes"])
            node_desc.append(f"node_attributes[{parsed['node_attributes'].size(1)}]")
        if parsed["node_labels"] is not None:
            node_parts.append(_one_hot(parsed["node_labels"]))
            node_desc.append(f"node_labels one-hot[{node_parts[-1].size(1)}]")
    if mode == "degree" or (mode == "auto" and not node_parts):
        degree_x, desc = _degree_features(edge_index, num_nodes)
        node_parts, node_desc = [degree_x], [desc]
    x = torch.cat(node_parts, dim=1) if node_parts else None
    # graph labels
    values, y = torch.unique(parsed["graph_labels"], sorted=True, return_inverse=True)
    metadata = {
        "source": "TU Dortmund graph-kernel format (PyG TUDataset / EHGNN preprocessing)",
        "zip": parsed["zip"], "members": list(parsed["members"]),
        **opts,
        "node_features_used": " + ".join(node_desc) if node_desc else None,
        "edge_features_used": " + ".join(edge_desc) if edge_desc else None,
        "label_values": values.tolist(),
        "num_file_edges": num_file_edges,
        "self_loops_removed": loops,
        "duplicate_edges_merged": merged,
        "folds": (f"{FOLD_DIR}/{{train,test}}_idx-k.txt, k=1..{num_folds} (0-based)"
                  if num_folds else None),
    }
    return GraphDataset(edge_index=edge_index, batch=batch, y=y, num_classes=int(values.numel()),
                        x=x, edge_attr=edge_attr, folds=list(parsed["folds"]), name=name,
                        metadata=metadata)
