r"""Conversion to and from other hypergraph libraries and formats.

=================  ==============================  ==========================================
library            to                              from
=================  ==============================  ==========================================
PyTorch Geometric  :func:`to_pyg`                  :func:`from_pyg` (duck-typed, no PyG needed)
DHG                :func:`to_dhg`                  :func:`from_dhg`
networkx           :func:`to_networkx` (bipartite) :func:`from_networkx_bipartite`
scipy.sparse       :func:`to_scipy` (``N x M``)    :func:`from_scipy`
XGI                :func:`to_xgi`                  :func:`from_xgi`
HIF (JSON)         :func:`write_hif`, ``to_hif``   :func:`read_hif` (see :mod:`.hif`)
=================  ==============================  ==========================================

The optional libraries (torch_geometric, dhg, xgi) are imported only inside the functions that
need them. What each target can represent differs, so a round trip keeps:

* **PyG**: everything structural (``hyperedge_index``, both counts, ``edge_weight``,
  ``edge_attr``); node weights, ``node_attr`` and ``incidence_attr`` are not PyG fields.
* **DHG**: DHG stores each hyperedge as a sorted tuple of nodes keyed by that tuple, so
  hyperedges with the same node multiset are *merged* into one (weights combined by
  ``merge_op``: ``"mean"``, ``"sum"`` or ``"max"``) and hyperedge ids are renumbered in order of
  first occurrence. A node repeated inside one hyperedge is kept (``H`` holds the multiplicity).
  Empty hyperedges and isolated nodes survive; ``edge_weight`` and ``node_weight`` survive;
  attributes do not. Hypergraphs without duplicate hyperedges round-trip exactly (up to the
  order of incidences).
* **networkx**: the star expansion; a repeated incidence is one edge with attribute
  ``multiplicity``; weights survive; attributes do not.
* **scipy**: the structure only (entries are multiplicities).
* **XGI**: hyperedges are sets, so a repeated incidence collapses to one; empty hyperedges,
  isolated nodes and the weights (attribute ``"weight"``) survive.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from hgkit.hypergraph import _checks as C
from hgkit.hypergraph.hif import HIFResult, hif_schema, read_hif, to_hif, validate_hif, write_hif
from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.typing import Device

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = [
    "LabeledHypergraph",
    "to_pyg", "from_pyg",
    "to_dhg", "from_dhg",
    "to_networkx", "from_networkx_bipartite",
    "to_scipy", "from_scipy",
    "to_xgi", "from_xgi",
    "HIFResult", "read_hif", "write_hif", "to_hif", "validate_hif", "hif_schema",
]

_SCIPY_FORMATS = ("csr", "csc", "coo")
_MERGE_OPS = ("mean", "sum", "max")


class LabeledHypergraph(NamedTuple):
    """A hypergraph with the original labels of its nodes and hyperedges.

    Returned by :func:`from_xgi` and :func:`from_networkx_bipartite`; unpack it as
    ``hg, node_labels, edge_labels = from_xgi(H)``. ``node_labels[i]`` is the label of node
    ``i`` and ``edge_labels[j]`` that of hyperedge ``j``.
    """

    hypergraph: Hypergraph
    node_labels: list[Any]
    edge_labels: list[Any]


def _check_hypergraph(hg: Any) -> Hypergraph:
    if not isinstance(hg, Hypergraph):
        raise TypeError(f"Expected 'hg' to be a Hypergraph (got {C.describe(hg)})")
    return hg


def _index_from_members(members: list[list[int]], device: Device = "cpu") -> Tensor:
    """``[2, nnz]`` index from per-hyperedge member lists (vectorized over incidences)."""
    sizes = np.fromiter((len(m) for m in members), dtype=np.int64, count=len(members))
    nnz = int(sizes.sum())
    nodes = np.fromiter(chain.from_iterable(members), dtype=np.int64, count=nnz)
    edges = np.repeat(np.arange(len(members), dtype=np.int64), sizes)
    return torch.from_numpy(np.stack([nodes, edges])).to(device)


def _optional_weight(values: list[Any], labels: list[Any], what: str) -> Tensor | None:
    """A weight vector from per-item values where ``None`` means the default 1."""
    if all(v is None for v in values):
        return None
    filled = [1.0 if v is None else v for v in values]
    for label, v in zip(labels, filled, strict=True):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{what} {label!r} has a 'weight' that is not a number "
                            f"(got {C.describe(v)})")
    return torch.tensor(filled, dtype=torch.get_default_dtype())


# ---------------------------------------------------------------------------------- PyG
def to_pyg(hg: Hypergraph, *, as_data: bool = False) -> Any:
    r"""PyTorch Geometric's hypergraph inputs for ``hg``.

    Args:
        hg: the hypergraph.
        as_data: return a ``torch_geometric.data.HyperGraphData`` (needs torch_geometric)
            instead of a dict. It holds ``edge_index`` (PyG's name for the hyperedge index),
            ``edge_attr``, ``num_nodes``, ``hyperedge_weight`` and ``num_hyperedges``.

    Returns:
        By default a dict with keys ``hyperedge_index``, ``hyperedge_weight``,
        ``hyperedge_attr``, ``num_edges`` (the names of ``HypergraphConv.forward``'s arguments;
        ``None`` when absent) and ``num_nodes``.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=4, num_edges=3)
        >>> d = to_pyg(hg)
        >>> d["hyperedge_index"].tolist(), d["num_nodes"], d["num_edges"]
        ([[0, 1, 2], [0, 0, 1]], 4, 3)
        >>> from_pyg(d) == hg
        True
    """
    hg = _check_hypergraph(hg)
    if as_data:
        try:  # exported from torch_geometric.data in some releases, only here in others
            from torch_geometric.data.hypergraph_data import HyperGraphData
        except ImportError:
            raise ImportError(
                "to_pyg(as_data=True) needs torch_geometric with HyperGraphData (>= 2.5); "
                "install it or use the default dict output"
            ) from None
        data = HyperGraphData(edge_index=hg.hyperedge_index, edge_attr=hg.edge_attr,
                              num_nodes=hg.num_nodes)
        data.num_hyperedges = hg.num_edges
        if hg.edge_weight is not None:
            data.hyperedge_weight = hg.edge_weight
        return data
    return {
        "hyperedge_index": hg.hyperedge_index,
        "hyperedge_weight": hg.edge_weight,
        "hyperedge_attr": hg.edge_attr,
        "num_edges": hg.num_edges,
        "num_nodes": hg.num_nodes,
    }


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def from_pyg(
    data: Any,
    num_nodes: int | None = None,
    num_edges: int | None = None,
    *,
    edge_weight: Tensor | None = None,
    edge_attr: Tensor | None = None,
) -> Hypergraph:
    r"""A :class:`Hypergraph` from PyG-style inputs (works without torch_geometric).

    ``data`` is either a raw ``hyperedge_index`` ``[2, nnz]`` (tensor, ndarray or list) or any
    object / mapping with the fields below (duck-typed: a ``SimpleNamespace``, a PyG ``Data``,
    the dict of :func:`to_pyg`). Explicit arguments override fields of ``data``.

    * index: ``hyperedge_index``; for a PyG ``HyperGraphData``, ``edge_index``.
    * ``num_nodes``, else ``x.size(0)``, else ``max(node id) + 1``.
    * ``num_hyperedges`` or the dict key ``num_edges``, else the rows of the hyperedge
      attributes / weights, else ``max(hyperedge id) + 1``. (The attribute ``num_edges`` of a
      PyG ``Data`` object counts index columns of a graph, so it is not read from objects.)
    * ``hyperedge_weight`` or ``edge_weight``; ``hyperedge_attr`` or ``edge_attr``.

    Example:
        >>> from types import SimpleNamespace
        >>> import torch
        >>> data = SimpleNamespace(hyperedge_index=torch.tensor([[0, 1, 1], [0, 0, 1]]),
        ...                        x=torch.zeros(4, 8))
        >>> from_pyg(data)  # num_nodes from x: node 3 is isolated
        Hypergraph(num_nodes=4, num_edges=2, nnz=3, device=cpu)
        >>> from_pyg(torch.tensor([[0, 1], [0, 0]]), num_nodes=2).edges()
        [[0, 1]]
    """
    if isinstance(data, (Tensor, np.ndarray, list, tuple)):
        index = data
        x = None
    else:
        index = _field(data, "hyperedge_index")
        if index is None and type(data).__name__ == "HyperGraphData":
            index = _field(data, "edge_index")
        if index is None:
            raise TypeError(
                "Expected 'data' to be a hyperedge_index [2, nnz] or an object with a "
                f"'hyperedge_index' field (got {C.describe(data)})"
            )
        x = _field(data, "x")
        if num_nodes is None:
            num_nodes = _field(data, "num_nodes")
        if num_edges is None:
            num_edges = _field(data, "num_hyperedges") if not isinstance(data, Mapping) else (
                _field(data, "num_hyperedges", "num_edges"))
        if edge_weight is None:
            edge_weight = _field(data, "hyperedge_weight", "edge_weight")
        if edge_attr is None:
            edge_attr = _field(data, "hyperedge_attr", "edge_attr")
    if num_nodes is None and x is not None:
        if not isinstance(x, Tensor) or x.dim() == 0:
            raise TypeError(f"Expected 'data.x' to be a [N, ...] Tensor (got {C.describe(x)})")
        num_nodes = x.size(0)
    if num_edges is None and edge_attr is not None and hasattr(edge_attr, "shape") and len(
            edge_attr.shape) > 0:
        num_edges = int(edge_attr.shape[0])
    return Hypergraph(index, num_nodes, num_edges, edge_weight=edge_weight, edge_attr=edge_attr)


# ---------------------------------------------------------------------------------- DHG
def to_dhg(hg: Hypergraph, device: Device | None = None, *, merge_op: str = "mean") -> Any:
    r"""A ``dhg.Hypergraph`` with the same nodes, hyperedges and weights (needs dhg).

    DHG keys hyperedges by their sorted node tuple: hyperedges with equal node multisets are
    merged into one whose weight is combined by ``merge_op`` (DHG's semantics), and ids follow
    the order of first occurrence. A node repeated within a hyperedge stays repeated. Empty
    hyperedges and isolated nodes are kept; ``node_weight`` becomes DHG's ``v_weight``.

    Args:
        hg: the hypergraph.
        device: device of the DHG object (default: ``hg.device``).
        merge_op: ``"mean"``, ``"sum"`` or ``"max"`` for merged duplicate hyperedges.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=4,
        ...                 num_edges=2, edge_weight=torch.tensor([1.0, 3.0]))
        >>> g = to_dhg(hg)  # doctest: +SKIP
        >>> g.e  # doctest: +SKIP
        ([(0, 1), (1, 2)], [1.0, 3.0])
    """
    hg = _check_hypergraph(hg)
    if merge_op not in _MERGE_OPS:
        raise ValueError(f"Expected 'merge_op' to be one of {list(_MERGE_OPS)} (got {merge_op!r})")
    try:
        import dhg
    except ImportError:
        raise ImportError("to_dhg() needs the optional package 'dhg' (pip install dhg)") from None
    if hg.num_nodes == 0:
        raise ValueError("to_dhg() needs num_nodes >= 1 (dhg.Hypergraph rejects num_v=0)")
    device = hg.device if device is None else torch.device(device)
    e_weight = None if hg.edge_weight is None else hg.edge_weight.detach().cpu().tolist()
    v_weight = None if hg.node_weight is None else hg.node_weight.detach().cpu().tolist()
    return dhg.Hypergraph(hg.num_nodes, hg.edges(), e_weight=e_weight, v_weight=v_weight,
                          merge_op=merge_op, device=device)


def from_dhg(g: Any) -> Hypergraph:
    r"""A :class:`Hypergraph` from a ``dhg.Hypergraph`` (all hyperedge groups, in DHG order).

    The result lives on ``g.device``. ``edge_weight`` is always set (every DHG hyperedge has a
    weight); ``node_weight`` is set when DHG's ``v_weight`` is not all ones. Hyperedge ``j`` is
    ``g.e[0][j]``, so ``incidence("dense")`` equals ``g.H.to_dense()`` and ``node_degree``
    equals ``g.deg_v``; ``edge_size`` equals ``g.deg_e``.

    Example:
        >>> import dhg  # doctest: +SKIP
        >>> g = dhg.Hypergraph(3, [[0, 1], [1, 2]], e_weight=[1.0, 2.0])  # doctest: +SKIP
        >>> from_dhg(g).edge_weight  # doctest: +SKIP
        tensor([1., 2.])
    """
    try:
        import dhg
    except ImportError:
        dhg = None
    if dhg is None or not isinstance(g, dhg.Hypergraph):
        raise TypeError(f"Expected 'g' to be a dhg.Hypergraph (got {C.describe(g)})")
    e_list, e_weight = g.e
    device = torch.device(g.device)
    index = _index_from_members([list(e) for e in e_list], device)
    dtype = torch.get_default_dtype()
    edge_weight = torch.tensor([float(w) for w in e_weight], dtype=dtype, device=device)
    v_weight = [float(w) for w in g.v_weight]
    node_weight = (None if all(w == 1.0 for w in v_weight)
                   else torch.tensor(v_weight, dtype=dtype, device=device))
    return Hypergraph(index, g.num_v, len(e_list), edge_weight=edge_weight,
                      node_weight=node_weight)


# ---------------------------------------------------------------------------------- networkx
def to_networkx(hg: Hypergraph) -> nx.Graph:
    r"""The bipartite star expansion of ``hg`` as a ``networkx.Graph``.

    Convention: node ``v`` of ``hg`` is graph node ``v`` (attributes ``bipartite=0``,
    ``kind="node"``) and hyperedge ``e`` is graph node ``N + e`` (``bipartite=1``,
    ``kind="edge"``); an incidence ``(v, e)`` is the edge ``(v, N + e)``. Node and hyperedge
    weights are the ``"weight"`` attribute of their graph nodes; an incidence repeated ``k > 1``
    times is one edge with attribute ``multiplicity=k``.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]), num_nodes=3, num_edges=2)
        >>> G = to_networkx(hg)
        >>> sorted(G.edges()), G.nodes[3]
        ([(0, 3), (1, 3), (1, 4)], {'bipartite': 1, 'kind': 'edge'})
    """
    import networkx as nx

    hg = _check_hypergraph(hg)
    n, m = hg.num_nodes, hg.num_edges
    graph = nx.Graph()
    graph.add_nodes_from(range(n), bipartite=0, kind="node")
    graph.add_nodes_from(range(n, n + m), bipartite=1, kind="edge")
    for weight, offset in ((hg.node_weight, 0), (hg.edge_weight, n)):
        if weight is not None:
            values = weight.detach().cpu().tolist()
            nx.set_node_attributes(graph, dict(zip(range(offset, offset + len(values)), values,
                                                   strict=True)), "weight")
    pairs, counts = torch.unique(hg.hyperedge_index.cpu(), dim=1, return_counts=True)
    rows, cols = pairs[0].tolist(), (pairs[1] + n).tolist()
    graph.add_edges_from(zip(rows, cols, strict=True))
    repeated = torch.nonzero(counts > 1).flatten().tolist()
    if repeated:
        nx.set_edge_attributes(
            graph, {(rows[i], cols[i]): int(counts[i]) for i in repeated}, "multiplicity")
    return graph


def from_networkx_bipartite(graph: nx.Graph) -> LabeledHypergraph:
    r"""A hypergraph from a bipartite networkx graph (inverse of :func:`to_networkx`).

    Graph nodes with attribute ``bipartite=0`` are the hypergraph's nodes and those with
    ``bipartite=1`` its hyperedges, numbered in the graph's node order. Each graph edge is an
    incidence, repeated ``multiplicity`` times when that attribute is set (parallel edges of a
    ``MultiGraph`` count separately). A ``"weight"`` attribute on either side becomes
    ``node_weight`` / ``edge_weight`` (missing values default to 1).

    Returns:
        :class:`LabeledHypergraph` ``(hypergraph, node_labels, edge_labels)``.

    Example:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_nodes_from(["a", "b"], bipartite=0)
        >>> G.add_nodes_from(["E"], bipartite=1)
        >>> G.add_edges_from([("a", "E"), ("E", "b")])
        >>> hg, nodes, edges = from_networkx_bipartite(G)
        >>> hg.edges(), nodes, edges
        ([[0, 1]], ['a', 'b'], ['E'])
    """
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise TypeError(f"Expected 'graph' to be a networkx graph (got {C.describe(graph)})")
    if graph.is_directed():
        raise TypeError(
            f"Expected 'graph' to be undirected (got {type(graph).__name__}); "
            "use graph.to_undirected()"
        )
    node_pos: dict[Any, int] = {}
    edge_pos: dict[Any, int] = {}
    for label, side in graph.nodes(data="bipartite"):
        if isinstance(side, numbers.Integral) and not isinstance(side, bool) and side in (0, 1):
            target = node_pos if side == 0 else edge_pos
            target[label] = len(target)
        else:
            raise ValueError(
                f"Node {label!r} of 'graph' has bipartite={side!r}; expected 0 (a node) or 1 "
                "(a hyperedge)"
            )
    rows: list[int] = []
    cols: list[int] = []
    reps: list[int] = []
    for a, b, mult in graph.edges(data="multiplicity", default=1):
        if a in node_pos and b in edge_pos:
            v, e = node_pos[a], edge_pos[b]
        elif b in node_pos and a in edge_pos:
            v, e = node_pos[b], edge_pos[a]
        else:
            raise ValueError(
                f"Edge ({a!r}, {b!r}) of 'graph' joins two nodes on the same side "
                f"(bipartite={graph.nodes[a]['bipartite']})"
            )
        if isinstance(mult, bool) or not isinstance(mult, numbers.Integral) or mult < 1:
            raise ValueError(
                f"Edge ({a!r}, {b!r}) of 'graph' has multiplicity={mult!r}; expected an int >= 1"
            )
        rows.append(v)
        cols.append(e)
        reps.append(int(mult))
    counts = np.asarray(reps, dtype=np.int64)
    row = np.repeat(np.asarray(rows, dtype=np.int64), counts)
    col = np.repeat(np.asarray(cols, dtype=np.int64), counts)
    order = np.lexsort((row, col))  # by hyperedge, then node
    index = torch.from_numpy(np.stack([row[order], col[order]]))
    node_labels, edge_labels = list(node_pos), list(edge_pos)
    hg = Hypergraph(
        index, len(node_labels), len(edge_labels),
        node_weight=_optional_weight([graph.nodes[u].get("weight") for u in node_labels],
                                     node_labels, "Node"),
        edge_weight=_optional_weight([graph.nodes[u].get("weight") for u in edge_labels],
                                     edge_labels, "Node"),
    )
    return LabeledHypergraph(hg, node_labels, edge_labels)


# ---------------------------------------------------------------------------------- scipy
def to_scipy(hg: Hypergraph, format: str = "csr") -> Any:
    r"""The ``N x M`` incidence matrix :math:`H` as a scipy sparse matrix (float32).

    Entries are multiplicities (1 unless an incidence repeats); weights are not applied.

    Args:
        hg: the hypergraph.
        format: ``"csr"``, ``"csc"`` or ``"coo"``.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 1]]), num_nodes=3, num_edges=2)
        >>> to_scipy(hg).toarray().tolist()
        [[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    """
    hg = _check_hypergraph(hg)
    if format not in _SCIPY_FORMATS:
        raise ValueError(f"Expected 'format' to be one of {list(_SCIPY_FORMATS)} (got {format!r})")
    return hg.incidence("scipy_" + format)


def from_scipy(matrix: Any) -> Hypergraph:
    r"""A hypergraph from an ``N x M`` incidence matrix (scipy sparse or a 2-D ndarray).

    Every nonzero entry :math:`H_{ve} = k` gives ``k`` incidences of node ``v`` in hyperedge
    ``e``, so entries must be non-negative integers (explicit zeros are dropped). The shape
    sets ``num_nodes`` and ``num_edges``, keeping isolated nodes and empty hyperedges.
    Incidences are ordered by hyperedge, then node.

    Example:
        >>> import scipy.sparse as sp
        >>> hg = from_scipy(sp.csr_matrix([[1, 0, 0], [1, 1, 0]]))
        >>> hg.edges(), hg.num_edges
        ([[0, 1], [1], []], 3)
    """
    import scipy.sparse as sp

    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise ValueError(
                f"Expected 'matrix' to be 2-dimensional (got shape {list(matrix.shape)})"
            )
        coo = sp.coo_matrix(matrix)
    elif sp.issparse(matrix):
        coo = sp.coo_matrix(matrix)
    else:
        raise TypeError(
            f"Expected 'matrix' to be a scipy sparse matrix or ndarray (got {C.describe(matrix)})"
        )
    if coo.dtype == np.bool_:
        coo = coo.astype(np.int64)
    if not np.issubdtype(coo.dtype, np.number) or np.issubdtype(coo.dtype, np.complexfloating):
        raise TypeError(f"Expected 'matrix' to hold real numbers (got dtype {coo.dtype})")
    coo.sum_duplicates()
    data = coo.data
    bad = np.flatnonzero(~np.isfinite(data) | (data < 0) | (data != np.round(data)))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            "Expected 'matrix' to hold non-negative integer multiplicities (got "
            f"{data[i].item()!r} at ({int(coo.row[i])}, {int(coo.col[i])}))"
        )
    counts = data.astype(np.int64)
    row = np.repeat(coo.row.astype(np.int64), counts)
    col = np.repeat(coo.col.astype(np.int64), counts)
    order = np.lexsort((row, col))
    index = torch.from_numpy(np.stack([row[order], col[order]]))
    return Hypergraph._trusted(index, int(coo.shape[0]), int(coo.shape[1]))


# ---------------------------------------------------------------------------------- XGI
def to_xgi(hg: Hypergraph) -> Any:
    r"""An ``xgi.Hypergraph`` with nodes ``0..N-1`` (all, isolated included) and edge ids
    ``0..M-1`` (needs xgi).

    Weights become the node / edge attribute ``"weight"``. XGI edges are sets, so a repeated
    incidence collapses to one; empty hyperedges are kept.

    Example:
        >>> import torch
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 2]]), num_nodes=4, num_edges=3)
        >>> H = to_xgi(hg)  # doctest: +SKIP
        >>> H.edges.members()  # doctest: +SKIP
        [{0, 1}, set(), {1}]
    """
    hg = _check_hypergraph(hg)
    try:
        import xgi
    except ImportError:
        raise ImportError("to_xgi() needs the optional package 'xgi' (pip install xgi)") from None
    out = xgi.Hypergraph()
    out.add_nodes_from(range(hg.num_nodes))
    out.add_edges_from(dict(enumerate(hg.edges())))
    if hg.node_weight is not None:
        out.set_node_attributes(dict(enumerate(hg.node_weight.detach().cpu().tolist())),
                                name="weight")
    if hg.edge_weight is not None:
        out.set_edge_attributes(dict(enumerate(hg.edge_weight.detach().cpu().tolist())),
                                name="weight")
    return out


def from_xgi(H: Any) -> LabeledHypergraph:
    r"""A hypergraph from an ``xgi.Hypergraph`` (or ``SimplicialComplex``) with arbitrary ids.

    Nodes are numbered in ``H.nodes`` order and hyperedges in ``H.edges`` order; members of a
    hyperedge are sorted by their new index. The attribute ``"weight"`` of nodes / edges becomes
    ``node_weight`` / ``edge_weight`` (missing values default to 1). Directed hypergraphs are
    not supported.

    Returns:
        :class:`LabeledHypergraph` ``(hypergraph, node_labels, edge_labels)``.

    Example:
        >>> import xgi  # doctest: +SKIP
        >>> H = xgi.Hypergraph({"e1": ["a", "b"], "e2": ["b"]})  # doctest: +SKIP
        >>> hg, nodes, edges = from_xgi(H)  # doctest: +SKIP
        >>> hg.edges(), nodes, edges  # doctest: +SKIP
        ([[0, 1], [1]], ['a', 'b'], ['e1', 'e2'])
    """
    try:
        import xgi
    except ImportError:
        xgi = None
    if xgi is None or not isinstance(H, xgi.Hypergraph):
        hint = "; directed hypergraphs are not supported" if type(H).__name__ == (
            "DiHypergraph") else ""
        raise TypeError(f"Expected 'H' to be an xgi.Hypergraph (got {C.describe(H)}){hint}")
    node_labels = list(H.nodes)
    edge_labels = list(H.edges)
    pos = {label: i for i, label in enumerate(node_labels)}
    members = [sorted(pos[n] for n in H.edges.members(e)) for e in edge_labels]
    index = _index_from_members(members)
    hg = Hypergraph(
        index, len(node_labels), len(edge_labels),
        node_weight=_optional_weight([H.nodes[n].get("weight") for n in node_labels],
                                     node_labels, "Node"),
        edge_weight=_optional_weight([H.edges[e].get("weight") for e in edge_labels],
                                     edge_labels, "Edge"),
    )
    return LabeledHypergraph(hg, node_labels, edge_labels)
