r"""Datasets stored as one HIF (Hypergraph Interchange Format) JSON file.

Any folder whose ``raw/`` holds one ``*.json`` / ``*.hif.json`` file (optionally gzipped:
``*.json.gz``) loads as this family. When ``raw/`` holds several, the one named
``<name>.hif.json`` / ``<name>.json`` (``.gz`` allowed) is used, else loading fails and lists
them. The document is parsed with :func:`hgkit.hypergraph.convert.read_hif` (see its docs for
the id order, weights, features, isolated nodes and empty hyperedges) into a
:class:`~hgkit.datasets.data.HypergraphData`:

* ``hypergraph``: the structure with edge / node weights, ``edge_attr`` and
  ``incidence_attr`` as read; its ``node_attr`` is moved to ``x`` (not kept twice);
* ``x``: the nodes' ``attr.features`` as float32 ``[N, F]`` when *every* node carries them
  (a scalar feature gives ``F = 1``), else ``None``;
* ``y``: with ``label_key="auto"`` (default), the node attribute ``"label"``, else
  ``"class"``, when *every* node has one and all are integers (or all strings); the sorted
  distinct values are mapped to ``0..C-1`` and ``metadata["label_values"][c]`` is the raw value
  of class ``c``. ``label_key=None`` reads no labels; any other string names the attribute
  (then every node must carry it). Labels and features are read from ``attr`` (or ``attrs``,
  the XGI spelling) of the ``nodes`` list; a node that only appears in ``incidences`` has none;
* ``metadata``: ``file``, ``network_type``, ``node_ids`` / ``edge_ids`` (the HIF id of every
  node / hyperedge in index order), ``hif_metadata`` (the document's ``metadata``),
  ``label_key`` and ``label_values``.

The parse is cached as tensors plus id lists (``use_cache``), so a large JSON file is read once.

Example:
    >>> import io, json
    >>> doc = {"incidences": [{"edge": "e", "node": "a"}, {"edge": "e", "node": "b"}],
    ...        "nodes": [{"node": "a", "attr": {"label": 3}}, {"node": "b", "attr": {"label": 1}}]}
    >>> data = from_hif_document(doc, name="toy")
    >>> data.hypergraph.edges(), data.y.tolist(), data.metadata["label_values"]
    ([[0, 1]], [1, 0], [1, 3])
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import torch

from hgkit.datasets.base import DatasetError, RemoteFile, load_cached
from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph.hif import read_hif
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["detect", "detect_names", "from_hif_document", "load", "required_files"]

FAMILY = "hif"
VERSION = 1
_EXTENSIONS = (".json", ".json.gz")
_OPTIONS: dict[str, Any] = {"label_key": "auto", "validate": True}
_AUTO_LABEL_KEYS = ("label", "class")
_FIELDS = ("edge_weight", "node_weight", "edge_attr", "node_attr", "incidence_attr")


def _is_hif_name(name: str) -> bool:
    return name.endswith(_EXTENSIONS) and not name.startswith(".")


# --------------------------------------------------------------------------- family contract
def detect(raw: Path) -> bool:
    """``True`` when ``raw`` holds at least one ``*.json`` / ``*.json.gz`` file.

    Example:
        >>> detect(Path("/nonexistent"))
        False
    """
    raw = Path(raw)
    return raw.is_dir() and any(p.is_file() and _is_hif_name(p.name) for p in raw.iterdir())


def detect_names(paths: set[str]) -> bool:
    """``True`` when a declared top-level file is ``*.json`` / ``*.json.gz``.

    Example:
        >>> detect_names({"karate.hif.json"}), detect_names({"train.txt"})
        (True, False)
    """
    return any("/" not in p and _is_hif_name(p) for p in paths)


def required_files(name: str, raw: Path, known: list[RemoteFile]) -> list[str]:
    """The declared top-level HIF file(s).

    Example:
        >>> required_files("toy", Path("."), [RemoteFile("toy.hif.json", "u", None)])
        ['toy.hif.json']
    """
    return [f.path for f in known if "/" not in f.path and _is_hif_name(f.path)]


def _find_file(name: str, raw: Path) -> Path:
    files = sorted(p for p in raw.iterdir() if p.is_file() and _is_hif_name(p.name)) \
        if raw.is_dir() else []
    if not files:
        raise DatasetError(f"Dataset '{name}': missing file {raw}/<name>.hif.json (no "
                           f"*.json or *.json.gz file in {raw})")
    if len(files) == 1:
        return files[0]
    for candidate in (f"{name}.hif.json", f"{name}.json"):
        for path in files:
            if path.name in (candidate, candidate + ".gz"):
                return path
    raise DatasetError(f"Dataset '{name}': several HIF candidates in {raw} "
                       f"({', '.join(p.name for p in files)}) and none is named "
                       f"{name}.hif.json or {name}.json")


def load(name: str, raw: Path, *, cache: Any = None, use_cache: bool = True,
         **options: Any) -> HypergraphData:
    """Load the HIF file in ``raw/`` as :class:`~hgkit.datasets.data.HypergraphData`.

    Args:
        name: dataset name.
        raw: the ``raw/`` folder.
        cache: processed-cache root.
        use_cache: read / write the processed cache.
        **options: ``label_key`` (``"auto"``, ``None`` or an attribute name; see the module
            docstring) and ``validate`` (bool, default ``True``: also validate with jsonschema
            when it is installed; the built-in checks always run).

    Raises:
        TypeError: unknown option or bad option type.
        DatasetError: missing, truncated or invalid file (the message names it), or an
            explicit ``label_key`` that some node lacks.
    """
    opts = dict(_OPTIONS)
    for key, value in options.items():
        if key not in _OPTIONS:
            raise TypeError(f"Unknown option {key!r} for HIF dataset '{name}' "
                            f"(expected one of {sorted(_OPTIONS)})")
        if key == "validate" and not isinstance(value, bool):
            raise TypeError(f"Expected option 'validate' to be a bool (got {value!r})")
        if key == "label_key" and value is not None and not isinstance(value, str):
            raise TypeError(f"Expected option 'label_key' to be a str or None (got {value!r})")
        opts[key] = value
    path = _find_file(name, Path(raw))

    def build() -> dict[str, Any]:
        return _parse(_read_json(path), str(path), opts)

    cache_key = {"family": FAMILY, "version": VERSION, **opts}
    parsed = load_cached(name, cache_key, [path], build, cache=cache, use_cache=use_cache)
    return _assemble(name, parsed, path.name)


# ----------------------------------------------------------------------------------- parsing
def _read_json(path: Path) -> Any:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read()
        else:
            data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"Missing file {path}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetError(f"{path} is truncated or corrupt: {exc}") from None
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not valid JSON: {exc}") from None


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not valid JSON")


def _node_attrs(document: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    out = {}
    for item in document.get("nodes", []):
        attr = item.get("attr", item.get("attrs"))
        if isinstance(attr, dict):
            out[item["node"]] = attr
    return out


def _labels(document: dict[str, Any], node_ids: list[Any], label_key: str | None,
            source: str) -> tuple[list[Any] | None, str | None]:
    """The raw label of every node (or ``None``) and the attribute it was read from."""
    if label_key is None or not node_ids:
        return None, None
    attrs = _node_attrs(document)
    keys = _AUTO_LABEL_KEYS if label_key == "auto" else (label_key,)
    for key in keys:
        values = [attrs.get(node, {}).get(key) for node in node_ids]
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        strs = all(isinstance(v, str) for v in values)
        if ints or strs:
            return values, key
        if label_key != "auto":
            missing = [node for node, v in zip(node_ids, values, strict=True)
                       if not (isinstance(v, (int, str)) and not isinstance(v, bool))]
            detail = (f"node {missing[0]!r} has none" if missing
                      else "the values mix integers and strings")
            raise DatasetError(f"{source}: label attribute {label_key!r} must be an integer "
                               f"(or a string) on every node, but {detail}")
    return None, None


def _parse(document: Any, source: str, opts: dict[str, Any]) -> dict[str, Any]:
    try:
        result = read_hif(document, validate=opts["validate"])
    except (ValueError, TypeError) as exc:
        raise DatasetError(f"{source} is not a valid HIF document: {exc}") from None
    hg = result.hypergraph
    labels, label_key = _labels(document, result.node_ids, opts["label_key"], source)
    out: dict[str, Any] = {
        "index": hg.hyperedge_index, "num_nodes": hg.num_nodes, "num_edges": hg.num_edges,
        "node_ids": list(result.node_ids), "edge_ids": list(result.edge_ids),
        "network_type": result.network_type, "hif_metadata": result.metadata,
        "labels": labels, "label_key": label_key,
    }
    for field in _FIELDS:
        out[field] = getattr(hg, field)
    return out


def _assemble(name: str, parsed: dict[str, Any], file_name: str) -> HypergraphData:
    fields = {f: parsed[f] for f in _FIELDS if f != "node_attr"}
    hg = Hypergraph._trusted(parsed["index"], parsed["num_nodes"], parsed["num_edges"],
                             **fields)
    x = parsed["node_attr"]
    if x is not None:
        x = x.float().reshape(x.size(0), -1)
    y, num_classes, label_values = None, 0, None
    if parsed["labels"] is not None:
        label_values = sorted(set(parsed["labels"]))
        position = {v: i for i, v in enumerate(label_values)}
        y = torch.tensor([position[v] for v in parsed["labels"]], dtype=torch.long)
        num_classes = len(label_values)
    metadata = {
        "source": "HIF (Hypergraph Interchange Format) JSON", "file": file_name,
        "network_type": parsed["network_type"], "hif_metadata": parsed["hif_metadata"],
        "node_ids": list(parsed["node_ids"]), "edge_ids": list(parsed["edge_ids"]),
        "features": "nodes[].attr.features" if x is not None else None,
        "label_key": parsed["label_key"], "label_values": label_values,
    }
    return HypergraphData(hg, x=x, y=y, num_classes=num_classes, name=name, metadata=metadata)


def from_hif_document(document: dict[str, Any], name: str = "", *,
                      label_key: str | None = "auto", validate: bool = True
                      ) -> HypergraphData:
    """Convert an already parsed HIF document to :class:`HypergraphData` (no file, no cache).

    Args:
        document: the parsed JSON object.
        name: dataset name stored in the result.
        label_key: ``"auto"``, ``None`` or an attribute name (see the module docstring).
        validate: also validate with jsonschema when installed.

    Raises:
        DatasetError: invalid document, or an explicit ``label_key`` some node lacks.

    Example:
        >>> doc = {"incidences": [{"edge": 0, "node": 0}],
        ...        "nodes": [{"node": 0, "attr": {"features": [1.0, 2.0]}}, {"node": 1,
        ...                  "attr": {"features": [0.0, 1.0]}}]}
        >>> data = from_hif_document(doc)
        >>> data.x.tolist(), data.y, data.num_nodes
        ([[1.0, 2.0], [0.0, 1.0]], None, 2)
    """
    opts = {"label_key": label_key, "validate": validate}
    return _assemble(name, _parse(document, "<document>", opts), "")
