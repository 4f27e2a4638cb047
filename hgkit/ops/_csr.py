"""Compressed-sparse-row structures behind the ops, and their per-hypergraph caches.

A gather-reduce ``out[i] = reduce_{j in [ptr[i], ptr[i+1])} w[j] * x[col[j]]`` is described by a
:class:`CSR` (``ptr``, ``col`` and the row id of every entry). Its backward for ``sum`` / ``mean``
is the same kind of gather-reduce over the *transposed* structure, so a :class:`CSRPair` holds
both orders plus the permutation between them. For a hypergraph the two orders are exactly its
two cached sorted incidence orders (by hyperedge, by node), so both are built once per
hypergraph and stored in its private cache under ``"ops_csr_<by>_<dtype>"`` keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import torch
from torch import Tensor

if TYPE_CHECKING:  # pragma: no cover
    from hgkit.hypergraph.hypergraph import Hypergraph

__all__ = ["CSR", "CSRPair", "hypergraph_csr", "transpose", "index_dtype", "ptr_to_index"]

_INT32_MAX = 2**31 - 1


class CSR(NamedTuple):
    """A CSR sparsity pattern: ``ptr`` ``[num_rows + 1]``, ``col`` and ``row`` ``[nnz]``."""

    ptr: Tensor
    col: Tensor
    row: Tensor
    num_rows: int
    num_cols: int


class CSRPair(NamedTuple):
    """A CSR pattern with its transpose.

    ``perm[j]`` is the position of forward entry ``j`` in the original (COO) incidence order, so
    per-incidence weights in CSR order are ``weight[perm]``; ``tperm[k]`` is the forward position
    of transposed entry ``k`` (forward weights in transposed order are ``w_csr[tperm]``).
    """

    fwd: CSR
    bwd: CSR
    perm: Tensor
    tperm: Tensor


def index_dtype(*sizes: int) -> torch.dtype:
    """``int32`` when every size fits (faster kernels), else ``int64``."""
    return torch.int32 if all(s <= _INT32_MAX for s in sizes) else torch.int64


def ptr_to_index(ptr: Tensor, nnz: int) -> Tensor:
    """Row id of every entry of a CSR pointer (``[nnz]``, dtype of ``ptr``).

    Marks each row start and takes a cumulative sum: O(nnz + rows), fixed output size (so it
    traces), and unlike ``repeat_interleave`` it never starts a parallel region for tiny inputs.
    """
    marks = torch.zeros(nnz + 1, dtype=ptr.dtype, device=ptr.device)
    inner = ptr[1:-1]
    marks.index_add_(0, inner, torch.ones_like(inner))
    return marks[:nnz].cumsum(0, dtype=ptr.dtype)


def _inverse(perm: Tensor) -> Tensor:
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(perm.numel(), device=perm.device, dtype=perm.dtype)
    return inv


def transpose(ptr: Tensor, col: Tensor, num_cols: int) -> tuple[CSR, Tensor]:
    """The transposed pattern of ``(ptr, col)`` and ``tperm`` (forward position of each entry).

    Entries of one transposed row keep their forward order (stable sort), so they are sorted by
    forward row id. Every intermediate has a size known from the inputs' shapes (no
    ``bincount``), so this also traces under ``torch.compile``.
    """
    num_rows = ptr.numel() - 1
    row = ptr_to_index(ptr, col.numel())
    tperm = torch.argsort(col, stable=True)
    bounds = torch.arange(num_cols + 1, device=col.device, dtype=col.dtype)
    tptr = torch.searchsorted(col[tperm], bounds).to(ptr.dtype)
    bwd = CSR(tptr, row[tperm], col[tperm], num_cols, num_rows)
    return bwd, tperm.to(ptr.dtype)


def stable_argsort(keys: Tensor) -> Tensor:
    """``argsort(keys, stable=True)`` (int64); NumPy's radix sort on the CPU (~5x faster than
    torch's for integer keys). Only for real tensors (kernels, not traced code)."""
    if keys.device.type == "cpu":
        return torch.from_numpy(np.argsort(keys.numpy(), kind="stable"))
    return torch.argsort(keys, stable=True)


def _sort(major: Tensor, minor: Tensor, size: int) -> tuple[Tensor, Tensor]:
    """Stable sort by ``(major, minor)`` and the CSR pointer of ``major`` (as Hypergraph does)."""
    perm = stable_argsort(minor)
    perm = perm[stable_argsort(major[perm])]
    ptr = torch.zeros(size + 1, dtype=torch.long, device=major.device)
    torch.cumsum(torch.bincount(major, minlength=size), 0, out=ptr[1:])
    return perm, ptr


def _assemble(index: Tensor, perm_e: Tensor, ptr_e: Tensor, perm_v: Tensor, ptr_v: Tensor,
              dtype: torch.dtype) -> tuple[Tensor, ...]:
    node, edge = index[0], index[1]
    inv_e, inv_v = _inverse(perm_e), _inverse(perm_v)
    return tuple(t.to(dtype) for t in (
        ptr_e, node[perm_e], edge[perm_e], ptr_v, edge[perm_v], node[perm_v],
        perm_e, inv_e[perm_v], perm_v, inv_v[perm_e],
    ))


@torch.library.custom_op("hgkit::hypergraph_csr", mutates_args=())
def _csr_op(index: Tensor, num_nodes: int, num_edges: int, int32: bool) -> list[Tensor]:
    """Both CSR orders of a hypergraph from its raw index (used while ``torch.compile`` traces;
    eager calls reuse the hypergraph's cached sorted orders instead)."""
    perm_e, ptr_e = _sort(index[1], index[0], num_edges)
    perm_v, ptr_v = _sort(index[0], index[1], num_nodes)
    return list(_assemble(index, perm_e, ptr_e, perm_v, ptr_v,
                          torch.int32 if int32 else torch.int64))


@_csr_op.register_fake
def _csr_fake(index, num_nodes, num_edges, int32):
    dtype = torch.int32 if int32 else torch.int64
    nnz = index.size(1)
    sizes = (num_edges + 1, nnz, nnz, num_nodes + 1, nnz, nnz, nnz, nnz, nnz, nnz)
    return [index.new_empty(n, dtype=dtype) for n in sizes]


def hypergraph_csr(hg: Hypergraph, by: str, dtype: torch.dtype) -> CSRPair:
    """The cached :class:`CSRPair` that reduces *into* hyperedges (``by="edge"``) or nodes.

    ``by="edge"`` is the node -> hyperedge pattern of :func:`hgkit.ops.v2e` (rows = hyperedges,
    columns = nodes); its transpose is the node-sorted order used by :func:`hgkit.ops.e2v`. Both
    pairs are built at once (sharing their tensors) and cached in the hypergraph under
    ``"ops_csr_<dtype>"``. Under ``torch.compile`` a missing cache entry is built by a custom
    operator and stored when the compiled code runs (the next call recompiles once to read it).
    """
    assert by in ("edge", "node") and dtype in (torch.int32, torch.int64)

    def compute() -> tuple[CSRPair, CSRPair]:
        n, m = hg.num_nodes, hg.num_edges
        if torch.compiler.is_compiling():
            parts = tuple(_csr_op(hg.hyperedge_index, n, m, dtype == torch.int32))
        else:
            perm_e, ptr_e = hg.sorted_incidence("edge")
            perm_v, ptr_v = hg.sorted_incidence("node")
            parts = _assemble(hg.hyperedge_index, perm_e, ptr_e, perm_v, ptr_v, dtype)
        ptr_e, col_e, row_e, ptr_v, col_v, row_v, perm_e, tperm_e, perm_v, tperm_v = parts
        edge = CSR(ptr_e, col_e, row_e, m, n)
        node = CSR(ptr_v, col_v, row_v, n, m)
        return CSRPair(edge, node, perm_e, tperm_e), CSRPair(node, edge, perm_v, tperm_v)

    pairs = hg._cached(f"ops_csr_{str(dtype).rsplit('.', 1)[-1]}", compute)
    return pairs[0] if by == "edge" else pairs[1]
