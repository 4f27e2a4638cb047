r"""Read and write the Hypergraph Interchange Format (HIF), with offline schema validation.

HIF (https://github.com/pszufe/HIF-standard) is the JSON exchange format that XGI, HyperNetX,
hypergraphx and hypertorch read and write. A document is an object with a required list of
``incidences`` (``{"edge", "node", "weight"?, "direction"?, "attr"?}``), optional lists of
``nodes`` (``{"node", "weight"?, "attr"?}``) and ``edges`` (``{"edge", "weight"?, "attr"?}``),
an optional ``network-type`` (``"undirected"``, ``"directed"`` or ``"asc"``) and optional
``metadata``. Node and hyperedge ids are strings or integers.

**Mapping to** :class:`~hgkit.hypergraph.Hypergraph` (what :func:`read_hif` does):

* ids become ``0..N-1`` / ``0..M-1`` in order of first appearance, first in ``nodes``
  (``edges``), then in ``incidences``; the original ids are returned in that order. The string
  ``"1"`` and the integer ``1`` are different ids.
* every incidence becomes one column of ``hyperedge_index`` in file order (a repeated incidence
  is a repeated column). A node listed in ``nodes`` but in no incidence is an isolated node; an
  edge listed in ``edges`` but in no incidence is an empty hyperedge.
* ``edges[].weight`` -> ``edge_weight`` and ``nodes[].weight`` -> ``node_weight`` (present when
  at least one entry has a weight; the others default to ``1``; they must be finite and
  non-negative); ``incidences[].weight`` -> ``incidence_attr`` of shape ``[nnz, 1]``.
* numeric features travel in the ``attr`` object under the key ``"features"`` (a number or a
  nested list): when *every* node carries ``attr.features`` they become ``node_attr`` (the same
  for hyperedges -> ``edge_attr`` and for incidences -> ``incidence_attr``, unless incidences
  carry weights, which take precedence). Other ``attr`` content is not read. ``"attrs"`` (the
  spelling XGI 0.10 writes) is read like ``"attr"``. Floating features come back in torch's
  default dtype, integer ones as ``int64``; a feature table of zero rows is not written.
* ``network-type`` ``"directed"`` is read with the direction of each incidence ignored (a node
  that is both head and tail of an edge gives two incidences); ``"asc"`` (abstract simplicial
  complex) is read as the hypergraph of its listed faces. The type is reported in
  :attr:`HIFResult.network_type`.

:func:`write_hif` is the inverse: every node and every hyperedge is listed (so isolated nodes,
empty hyperedges and the id order survive), incidences are written in ``hyperedge_index`` order,
``incidence_attr`` of shape ``[nnz, 1]`` with a floating dtype is written as incidence weights
and any other ``incidence_attr``/``edge_attr``/``node_attr`` as ``attr.features``. Hence
``read_hif(write_hif(hg)).hypergraph == hg`` for float32 (default-dtype) data.

**Validation.** The schema file ``hif_schema_v0.1.0.json`` ships with hgkit (MIT license, see
``schema/LICENSE-HIF.txt``) and is never downloaded. A built-in validator implements exactly the
constraints this schema expresses, with errors naming the JSON path, so jsonschema is not needed
at runtime; when jsonschema is installed the document is also checked against the schema file.
Two notes on the schema as published: its ``"unevaluatedProperties": false`` entries sit inside
``properties`` (and draft-07 has no such keyword), so they forbid only a key literally named
``unevaluatedProperties``; unknown keys inside items (such as XGI's ``"attrs"``) are therefore
valid, and the built-in validator agrees with jsonschema on this. It is stricter in one place:
an id written as a float (``1.0``) is rejected although JSON Schema counts it as an integer,
because ``1`` and ``1.0`` would otherwise name the same id ambiguously.
"""

from __future__ import annotations

import functools
import gzip
import json
import numbers
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import IO, Any, NamedTuple, Union

import numpy as np
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["HIFResult", "read_hif", "write_hif", "to_hif", "validate_hif", "hif_schema"]

SCHEMA_FILE = "hif_schema_v0.1.0.json"
FEATURES_KEY = "features"
_NETWORK_TYPES = ("undirected", "directed", "asc")
_TOP_KEYS = ("network-type", "metadata", "incidences", "nodes", "edges")
# list key -> (required id keys, properties the schema constrains)
_ITEMS = {
    "incidences": (("edge", "node"), ("edge", "node", "weight", "direction", "attr")),
    "nodes": (("node",), ("node", "weight", "attr")),
    "edges": (("edge",), ("edge", "weight", "attr")),
}
_FORBIDDEN = "unevaluatedProperties"

PathOrFile = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]


class HIFResult(NamedTuple):
    """What :func:`read_hif` returns (a tuple: ``hg, node_ids, edge_ids, *_ = read_hif(f)``).

    Attributes:
        hypergraph: the :class:`~hgkit.hypergraph.Hypergraph`.
        node_ids: the HIF id of node ``i`` at position ``i`` (strings and/or ints).
        edge_ids: the HIF id of hyperedge ``j`` at position ``j``.
        network_type: ``"undirected"`` (the default when absent), ``"directed"`` or ``"asc"``.
        metadata: the document's ``metadata`` object (``{}`` when absent).
    """

    hypergraph: Hypergraph
    node_ids: list[str | int]
    edge_ids: list[str | int]
    network_type: str
    metadata: dict[str, Any]


# ---------------------------------------------------------------------------------- schema
@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    return resources.files("hgkit.hypergraph").joinpath("schema").joinpath(
        SCHEMA_FILE).read_text(encoding="utf-8")


def hif_schema() -> dict[str, Any]:
    """The HIF v0.1.0 JSON Schema shipped with hgkit (a fresh dict; never downloaded).

    Example:
        >>> hif_schema()["required"]
        ['incidences']
    """
    return json.loads(_schema_text())


@functools.lru_cache(maxsize=1)
def _jsonschema_validator() -> Any:
    import jsonschema

    schema = hif_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def _kind(value: Any) -> str:
    """The JSON type name of ``value`` for error messages (``float`` for non-integers)."""
    if value is None:
        return "null"
    for cls, name in ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
                      (list, "array"), (dict, "object")):
        if isinstance(value, cls):
            return name
    return type(value).__name__


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_item(key: str, i: int, item: Any) -> None:
    where = f"{key}[{i}]"
    if not isinstance(item, dict):
        raise ValueError(f"HIF '{where}' must be an object (got {_kind(item)})")
    required, constrained = _ITEMS[key]
    for name in required:
        if name not in item:
            raise ValueError(f"HIF '{where}' is missing required key '{name}'")
    for name in constrained:
        if name not in item:
            continue
        value = item[name]
        if name in ("edge", "node"):
            if not _is_id(value):
                raise ValueError(
                    f"HIF '{where}.{name}' must be a string or integer (got {_kind(value)})"
                )
        elif name == "weight":
            if not _is_number(value):
                raise ValueError(f"HIF '{where}.weight' must be a number (got {_kind(value)})")
        elif name == "direction":
            if not (isinstance(value, str) and value in ("head", "tail")):
                raise ValueError(
                    f"HIF '{where}.direction' must be 'head' or 'tail' (got {value!r})"
                )
        elif not isinstance(value, dict):  # attr
            raise ValueError(f"HIF '{where}.attr' must be an object (got {_kind(value)})")
    if _FORBIDDEN in item:
        raise ValueError(f"HIF '{where}' must not have the key '{_FORBIDDEN}' (the schema "
                         "forbids it)")


def _check_document(document: Any) -> None:
    """The built-in validator: exactly the constraints of ``hif_schema_v0.1.0.json``."""
    if not isinstance(document, dict):
        raise ValueError(f"HIF document must be a JSON object (got {_kind(document)})")
    for key in document:
        if key not in _TOP_KEYS:
            raise ValueError(
                f"HIF document has unknown top-level key {key!r} (allowed: "
                f"{', '.join(_TOP_KEYS)})"
            )
    if "incidences" not in document:
        raise ValueError("HIF document is missing required key 'incidences'")
    if "network-type" in document:
        value = document["network-type"]
        if not (isinstance(value, str) and value in _NETWORK_TYPES):
            raise ValueError(
                f"HIF 'network-type' must be one of {list(_NETWORK_TYPES)} (got {value!r})"
            )
    if "metadata" in document and not isinstance(document["metadata"], dict):
        raise ValueError(
            f"HIF 'metadata' must be an object (got {_kind(document['metadata'])})"
        )
    for key in _ITEMS:
        if key not in document:
            continue
        items = document[key]
        if not isinstance(items, list):
            raise ValueError(f"HIF '{key}' must be an array (got {_kind(items)})")
        for i, item in enumerate(items):
            _check_item(key, i, item)


def _json_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<document>"


def validate_hif(document: Any, *, use_jsonschema: bool | None = None) -> None:
    """Validate a parsed HIF document against the shipped HIF v0.1.0 schema.

    The built-in validator always runs (errors name the JSON path of the first problem). Then,
    with ``use_jsonschema=None`` (default), the document is also checked with jsonschema
    against the shipped schema file when jsonschema is installed; ``False`` skips that step and
    ``True`` requires it.

    Args:
        document: the parsed JSON (a dict).
        use_jsonschema: whether to also validate with the optional package jsonschema.

    Raises:
        ValueError: if the document is not valid HIF.
        ImportError: if ``use_jsonschema=True`` and jsonschema is not installed.

    Example:
        >>> validate_hif({"incidences": [{"edge": "e1", "node": 1}]})
        >>> validate_hif({"incidences": [{"edge": "e1", "node": 1.5}]})
        Traceback (most recent call last):
        ...
        ValueError: HIF 'incidences[0].node' must be a string or integer (got float)
    """
    _check_document(document)
    if use_jsonschema is False:
        return
    try:
        validator = _jsonschema_validator()
    except ImportError:
        if use_jsonschema:
            raise ImportError(
                "validate_hif(use_jsonschema=True) needs the optional package 'jsonschema'"
            ) from None
        return
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        raise ValueError(
            f"HIF document does not match {SCHEMA_FILE} at "
            f"'{_json_path(error.absolute_path)}': {error.message}"
        )


# ---------------------------------------------------------------------------------- reading
def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _load(source: Any) -> Any:
    if isinstance(source, dict):
        return source
    if hasattr(source, "read"):
        raw = source.read()
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if isinstance(path, str) and path.lstrip().startswith(("{", "[")):
            raise TypeError(
                "Expected 'source' to be a path, a file object or a dict (got a str that "
                "looks like JSON text; wrap it in io.StringIO or pass json.loads(text))"
            )
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as handle:
            raw = handle.read()
    else:
        raise TypeError(
            f"Expected 'source' to be a path, a file object or a dict (got {C.describe(source)})"
        )
    if not isinstance(raw, (str, bytes, bytearray)):
        raise TypeError(f"'source.read()' returned {type(raw).__name__}, expected str or bytes")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"'source' is not valid JSON ({exc})") from None


def _positions(items: list[dict[str, Any]], key: str, id_key: str) -> dict[Any, int]:
    pos = {item[id_key]: i for i, item in enumerate(items)}
    if len(pos) != len(items):
        seen: dict[Any, int] = {}
        for i, item in enumerate(items):
            ident = item[id_key]
            if ident in seen:
                raise ValueError(
                    f"HIF '{key}[{i}].{id_key}' repeats id {ident!r} "
                    f"(first listed at {key}[{seen[ident]}])"
                )
            seen[ident] = i
    return pos


def _weights(items: list[dict[str, Any]], key: str, size: int, *, check: bool) -> Tensor | None:
    values = [item.get("weight") for item in items]
    present = [i for i, v in enumerate(values) if v is not None]
    if not present:
        return None
    out = np.ones(size, dtype=np.float64)
    out[present] = [values[i] for i in present]
    if check:
        bad = np.flatnonzero(~np.isfinite(out) | (out < 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"HIF '{key}[{i}].weight' must be finite and >= 0 (got {values[i]!r})"
            )
    return torch.as_tensor(out, dtype=torch.get_default_dtype())


def _features(items: list[dict[str, Any]], key: str, size: int) -> Tensor | None:
    if size == 0 or len(items) != size:
        return None
    rows = []
    for item in items:
        attr = item.get("attr", item.get("attrs"))
        if not isinstance(attr, dict) or FEATURES_KEY not in attr:
            return None
        rows.append(attr[FEATURES_KEY])
    try:
        out = torch.tensor(rows)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(
            f"HIF '{key}[*].attr.{FEATURES_KEY}' must form a rectangular array of numbers "
            f"({exc})"
        ) from None
    if out.is_complex():
        raise ValueError(f"HIF '{key}[*].attr.{FEATURES_KEY}' must hold real numbers")
    return out


def _from_document(document: dict[str, Any]) -> HIFResult:
    node_items = document.get("nodes", [])
    edge_items = document.get("edges", [])
    incidences = document["incidences"]
    node_pos = _positions(node_items, "nodes", "node")
    edge_pos = _positions(edge_items, "edges", "edge")
    # setdefault evaluates len() before inserting: new ids get the next position.
    rows = [node_pos.setdefault(item["node"], len(node_pos)) for item in incidences]
    cols = [edge_pos.setdefault(item["edge"], len(edge_pos)) for item in incidences]
    num_nodes, num_edges, nnz = len(node_pos), len(edge_pos), len(incidences)
    index = torch.tensor([rows, cols], dtype=torch.long).reshape(2, nnz)
    incidence_weight = _weights(incidences, "incidences", nnz, check=False)
    incidence_attr = (incidence_weight.unsqueeze(1) if incidence_weight is not None
                      else _features(incidences, "incidences", nnz))
    hg = Hypergraph(
        index, num_nodes, num_edges,
        edge_weight=_weights(edge_items, "edges", num_edges, check=True),
        node_weight=_weights(node_items, "nodes", num_nodes, check=True),
        edge_attr=_features(edge_items, "edges", num_edges),
        node_attr=_features(node_items, "nodes", num_nodes),
        incidence_attr=incidence_attr,
    )
    return HIFResult(hg, list(node_pos), list(edge_pos),
                     document.get("network-type", "undirected"), document.get("metadata", {}))


def read_hif(source: PathOrFile | dict[str, Any], *, validate: bool = True) -> HIFResult:
    """Read a HIF document into a :class:`~hgkit.hypergraph.Hypergraph` plus its ids.

    See the module docstring for the exact mapping (id order, weights, features, isolated nodes
    and empty hyperedges, directed / asc network types).

    Args:
        source: a path (``.gz`` is decompressed), a binary or text file object, or an already
            parsed dict. A ``str`` is always a path; wrap JSON text in :class:`io.StringIO`.
        validate: the built-in schema checks always run (reading relies on them); ``True``
            (default) also validates with jsonschema against the shipped schema when jsonschema
            is installed (slow on very large files).

    Returns:
        :class:`HIFResult` ``(hypergraph, node_ids, edge_ids, network_type, metadata)``.

    Raises:
        ValueError: if the input is not JSON (``NaN`` and ``Infinity`` are rejected), not valid
            HIF, repeats an id in ``nodes`` or ``edges``, or has a negative / non-finite node or
            edge weight.
        TypeError: if ``source`` has an unsupported type.

    Example:
        >>> doc = {"incidences": [{"edge": "e1", "node": "a"}, {"edge": "e1", "node": "b"}],
        ...        "nodes": [{"node": "c"}], "edges": [{"edge": "e0", "weight": 2.0}]}
        >>> hg, node_ids, edge_ids, network_type, metadata = read_hif(doc)
        >>> node_ids, edge_ids  # order of first appearance: nodes/edges lists, then incidences
        (['c', 'a', 'b'], ['e0', 'e1'])
        >>> hg.edges()  # "c" is isolated and "e0" is empty
        [[], [1, 2]]
        >>> hg.edge_weight
        tensor([2., 1.])
    """
    document = _load(source)
    validate_hif(document, use_jsonschema=None if validate else False)
    return _from_document(document)


# ---------------------------------------------------------------------------------- writing
def _labels(labels: Any, name: str, size: int, size_name: str) -> list[str | int]:
    if labels is None:
        return list(range(size))
    if isinstance(labels, (Tensor, np.ndarray)):
        labels = labels.tolist()
    if isinstance(labels, (str, bytes, Mapping)) or not isinstance(labels, Iterable):
        raise TypeError(
            f"Expected '{name}' to be a sequence of str or int (got {C.describe(labels)})"
        )
    labels = list(labels)
    if len(labels) != size:
        raise ValueError(
            f"Expected '{name}' to have {size} entries ({size_name}={size}) (got {len(labels)})"
        )
    out: list[str | int] = []
    for i, label in enumerate(labels):
        if isinstance(label, bool) or not isinstance(label, (str, numbers.Integral)):
            raise TypeError(
                f"Expected '{name}[{i}]' to be a str or int (got {C.describe(label)})"
            )
        out.append(label if isinstance(label, str) else int(label))
    if len(set(out)) != size:
        seen: set[Any] = set()
        for label in out:
            if label in seen:
                raise ValueError(f"'{name}' repeats label {label!r}")
            seen.add(label)
    return out


def _rows(value: Tensor, name: str) -> list[Any]:
    if value.is_complex():
        raise TypeError(f"'{name}' is complex; HIF features must be real (got {value.dtype})")
    value = value.detach().cpu()
    if value.is_floating_point() and value.numel() and not bool(torch.isfinite(value).all()):
        raise ValueError(f"'{name}' holds NaN or infinite values, which JSON cannot represent")
    return value.tolist()


def _entities(key: str, labels: list[str | int], weight: Tensor | None, attr: Tensor | None,
              prefix: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{key: label} for label in labels]
    if weight is not None:
        for item, w in zip(items, weight.detach().cpu().tolist(), strict=True):
            item["weight"] = w
    if attr is not None:
        for item, row in zip(items, _rows(attr, f"{prefix}_attr"), strict=True):
            item["attr"] = {FEATURES_KEY: row}
    return items


def to_hif(
    hg: Hypergraph,
    *,
    node_labels: Iterable[str | int] | None = None,
    edge_labels: Iterable[str | int] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The HIF document of ``hg`` as a dict (what :func:`write_hif` serializes).

    Args:
        hg: the hypergraph.
        node_labels: HIF id (unique str or int) of each of the ``N`` nodes; default ``0..N-1``.
        edge_labels: HIF id of each of the ``M`` hyperedges; default ``0..M-1``.
        metadata: optional JSON-serializable dict stored as the document's ``metadata``.

    Returns:
        A dict with ``network-type`` ``"undirected"``, every node in ``nodes``, every hyperedge
        in ``edges`` and one entry of ``incidences`` per column of ``hyperedge_index``.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=1,
        ...                 edge_weight=torch.tensor([0.5]))
        >>> doc = to_hif(hg, node_labels=["a", "b", "c"])
        >>> doc["edges"], doc["incidences"]
        ([{'edge': 0, 'weight': 0.5}], [{'edge': 0, 'node': 'a'}, {'edge': 0, 'node': 'b'}])
    """
    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected 'hg' to be a Hypergraph (got {C.describe(hg)})")
    nodes = _labels(node_labels, "node_labels", hg.num_nodes, "num_nodes")
    edges = _labels(edge_labels, "edge_labels", hg.num_edges, "num_edges")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"Expected 'metadata' to be a dict (got {C.describe(metadata)})")
    row, col = hg.hyperedge_index.cpu().tolist()
    incidences: list[dict[str, Any]] = [
        {"edge": edges[e], "node": nodes[v]} for v, e in zip(row, col, strict=True)
    ]
    attr = hg.incidence_attr
    if attr is not None:
        if attr.is_floating_point() and attr.dim() == 2 and attr.size(1) == 1:
            for item, (w,) in zip(incidences, _rows(attr, "incidence_attr"), strict=True):
                item["weight"] = w
        else:
            for item, value in zip(incidences, _rows(attr, "incidence_attr"), strict=True):
                item["attr"] = {FEATURES_KEY: value}
    document: dict[str, Any] = {"network-type": "undirected"}
    if metadata is not None:
        document["metadata"] = metadata
    document["nodes"] = _entities("node", nodes, hg.node_weight, hg.node_attr, "node")
    document["edges"] = _entities("edge", edges, hg.edge_weight, hg.edge_attr, "edge")
    document["incidences"] = incidences
    return document


def write_hif(
    hg: Hypergraph,
    path_or_file: PathOrFile,
    *,
    node_labels: Iterable[str | int] | None = None,
    edge_labels: Iterable[str | int] | None = None,
    metadata: dict[str, Any] | None = None,
    indent: int | None = None,
) -> None:
    """Write ``hg`` as a HIF v0.1.0 JSON document (inverse of :func:`read_hif`).

    Args:
        hg: the hypergraph.
        path_or_file: a path (gzip-compressed when it ends in ``.gz``) or a text file object.
        node_labels: HIF ids of the nodes (unique str or int); default ``0..N-1``.
        edge_labels: HIF ids of the hyperedges; default ``0..M-1``.
        metadata: optional JSON-serializable dict.
        indent: JSON indentation (default compact).

    Raises:
        TypeError / ValueError: bad labels, non-JSON metadata, or NaN / infinite features.

    Example:
        >>> import io, torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]), num_nodes=3, num_edges=2)
        >>> buffer = io.StringIO()
        >>> write_hif(hg, buffer)
        >>> read_hif(io.StringIO(buffer.getvalue())).hypergraph == hg
        True
    """
    document = to_hif(hg, node_labels=node_labels, edge_labels=edge_labels, metadata=metadata)
    try:
        text = json.dumps(document, allow_nan=False, indent=indent)
    except (TypeError, ValueError) as exc:  # only metadata can fail here
        raise ValueError(f"'metadata' is not JSON-serializable ({exc})") from None
    if hasattr(path_or_file, "write"):
        path_or_file.write(text)
        return
    if not isinstance(path_or_file, (str, os.PathLike)):
        raise TypeError(
            f"Expected 'path_or_file' to be a path or a text file object "
            f"(got {C.describe(path_or_file)})"
        )
    path = os.fspath(path_or_file)
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

