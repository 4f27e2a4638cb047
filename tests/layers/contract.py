"""The layer contract: one description per layer, checked by ``test_contracts.py``.

Each ``tests/layers/cases_*.py`` module exports ``CASES: list[LayerCase]``. A case says how to
build the layer, how to call it, and how to compute its output from *dense* matrices (the
docstring formula written with ``torch`` dense algebra on :class:`Dense`), so every layer is
checked against an independent reference on the degenerate hypergraphs of :func:`hypergraphs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from hgkit import Hypergraph


@dataclass
class Dense:
    """Dense view of a hypergraph for references (float64).

    ``H`` is ``[N, M]`` with multiplicities (a repeated incidence counts twice), ``w`` the
    hyperedge weights (ones if absent), ``u`` the node weights (ones if absent).
    """

    H: Tensor
    w: Tensor
    u: Tensor

    @classmethod
    def of(cls, hg: Hypergraph, dtype: torch.dtype = torch.float64) -> Dense:
        H = torch.zeros(hg.num_nodes, hg.num_edges, dtype=dtype)
        node, edge = hg.hyperedge_index
        H.index_put_((node, edge), torch.ones(hg.nnz, dtype=dtype), accumulate=True)
        w = (torch.ones(hg.num_edges, dtype=dtype) if hg.edge_weight is None
             else hg.edge_weight.to(dtype))
        u = (torch.ones(hg.num_nodes, dtype=dtype) if hg.node_weight is None
             else hg.node_weight.to(dtype))
        return cls(H, w, u)

    @property
    def dv(self) -> Tensor:
        """Weighted node degree ``H w``."""
        return self.H @ self.w

    @property
    def de(self) -> Tensor:
        """Hyperedge degree ``H^T u`` (= size without node weights)."""
        return self.H.t() @ self.u

    @property
    def size(self) -> Tensor:
        """Unweighted hyperedge size (multiplicities counted)."""
        return self.H.sum(0)

    @property
    def count(self) -> Tensor:
        """Unweighted node degree (number of incidences)."""
        return self.H.sum(1)


def inv(d: Tensor, p: float = 1.0) -> Tensor:
    """``d ** -p`` with the zero-degree policy (``0`` where ``d == 0``)."""
    out = d.pow(-p)
    return torch.where(d == 0, torch.zeros_like(out), out)


def call_default(layer: nn.Module, x: Tensor, hypergraph: Any, **kw: Any) -> Tensor:
    return layer(x, hypergraph, **kw)


@dataclass
class LayerCase:
    """How the contract suite builds, calls and checks one layer.

    Attributes:
        name: test id.
        make: ``(in_channels, out_channels) -> layer`` (the suite calls ``.double().eval()``).
        dense: ``(layer, x, Dense) -> expected output`` in float64 from dense algebra.
        call: ``(layer, x, hypergraph, **kw) -> output``; ``kw`` holds ``num_edges`` /
            ``edge_weight`` when the raw-index form is exercised.
        weighted: the layer uses hyperedge weights (tests pass weighted hypergraphs).
        compile: ``torch.compile(fullgraph=True)`` is expected to work; else a reason string
            (which must also be in the layer's docstring).
        atol: tolerance of the dense comparison.
    """

    name: str
    make: Callable[[int, int], nn.Module]
    dense: Callable[[nn.Module, Tensor, Dense], Tensor]
    call: Callable[..., Tensor] = call_default
    weighted: bool = True
    compile: bool | str = True
    atol: float = 1e-10
    extra: dict[str, Any] = field(default_factory=dict)


def hypergraphs(weighted: bool = True) -> dict[str, Hypergraph]:
    """Small hypergraphs with every degenerate feature the contract names."""
    # node 5 isolated, hyperedge 2 empty, hyperedge 3 a singleton, (1, 1) duplicated
    index = torch.tensor([
        [0, 1, 2, 1, 3, 1, 4, 2, 3, 4, 0],
        [0, 0, 0, 1, 1, 1, 3, 4, 4, 4, 4],
    ])
    out = {"degenerate": Hypergraph(index, num_nodes=6, num_edges=5)}
    gen = torch.Generator().manual_seed(7)
    rand = torch.stack([torch.randint(0, 9, (30,), generator=gen),
                        torch.randint(0, 7, (30,), generator=gen)])
    out["random"] = Hypergraph(rand, num_nodes=9, num_edges=7)
    if weighted:
        w = torch.tensor([0.5, 2.0, 1.0, 3.0, 0.25])
        out["weighted"] = Hypergraph(index, num_nodes=6, num_edges=5, edge_weight=w)
    out["no_incidences"] = Hypergraph(torch.zeros(2, 0, dtype=torch.long), num_nodes=3,
                                      num_edges=2)
    return out
