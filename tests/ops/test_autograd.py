"""Gradients of every op x backend x reduce: gradcheck in float64, equality with the reference's
autograd gradients, and torch.compile tracing through the custom operators."""

from __future__ import annotations

import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck
from torch.testing import assert_close

from hgkit import Hypergraph, ops
from hgkit.ops import reference as ref
from hgkit.ops._csr import hypergraph_csr

from .conftest import REDUCES, distinct, random_hypergraph, small_hypergraph

PTR = torch.tensor([0, 3, 3, 5, 9, 10, 10])
NNZ = 10
COL = torch.tensor([1, 4, 0, 2, 2, 3, 0, 4, 1, 3])
INDEX = torch.tensor([0, 4, 2, 0, 2, 3, 0, 4, 3, 0])  # rows 1, 5 empty


def weights(n: int, seed: int) -> torch.Tensor:
    """Positive, distinct per-entry weights (no ties among weighted messages)."""
    gen = torch.Generator().manual_seed(seed)
    return (0.5 + torch.rand(n, generator=gen, dtype=torch.float64)).requires_grad_()


def check(fn, *inputs) -> None:
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("reduce", REDUCES)
def test_gradcheck_scatter_segment(backend, reduce):
    x = distinct(NNZ, 2, seed=3).requires_grad_()
    check(lambda s: ops.scatter(s, INDEX, 6, reduce), x)
    check(lambda s: ops.segment(s, PTR, reduce), x)
    check(lambda s: ops.segment(s, PTR.int(), reduce), x[:, 0])


@pytest.mark.parametrize("reduce", REDUCES)
def test_gradcheck_spmm(backend, reduce):
    x = distinct(5, 3, seed=4).requires_grad_()
    check(lambda x, w: ops.spmm(PTR, COL, w, x, 6, reduce), x, weights(NNZ, 0))
    check(lambda x: ops.spmm(PTR.int(), COL.int(), None, x, 6, reduce), x)


@pytest.mark.parametrize("reduce", REDUCES)
def test_gradcheck_hypergraph_verbs(backend, reduce):
    hg = small_hypergraph()
    x = distinct(hg.num_nodes, 2, seed=5).requires_grad_()
    y = distinct(hg.num_edges, 2, seed=6).requires_grad_()
    check(lambda x, w: ops.v2e(x, hg, reduce, w), x, weights(hg.nnz, 1))
    check(lambda y, w: ops.e2v(y, hg, reduce, w), y, weights(hg.nnz, 2))
    check(lambda x: ops.v2e(x, hg, reduce), x)
    rhg = random_hypergraph(11)
    z = distinct(rhg.num_nodes, 2, seed=7).requires_grad_()
    check(lambda z, a, b: ops.v2v(z, rhg, reduce, a, b), z, weights(rhg.nnz, 3),
          weights(rhg.nnz, 4))


def test_gradcheck_softmax(backend):
    s = (distinct(NNZ, 2, seed=8) * 4).requires_grad_()
    index = torch.tensor([2, 0, 2, 3, 0, 2, 4, 4, 0, 3])
    check(lambda s: ops.softmax(s, ptr=PTR), s)
    check(lambda s: ops.softmax(s, index, num_segments=6), s)
    check(lambda s: ops.softmax(s[:, 0], ptr=PTR.int()), s)


@pytest.mark.parametrize("reduce", REDUCES)
def test_gradients_equal_reference_in_float32(backend, reduce):
    hg = random_hypergraph(12, num_nodes=20, num_edges=15, nnz=80)
    x = distinct(hg.num_nodes, 4, dtype=torch.float32, seed=9)
    w = torch.rand(hg.nnz) + 0.5
    grad_out = torch.randn(hg.num_edges, 4)
    grads = []
    for fn in (ops.v2e, ref.v2e):
        xi, wi = x.clone().requires_grad_(), w.clone().requires_grad_()
        fn(xi, hg, reduce, wi).backward(grad_out)
        grads.append((xi.grad, wi.grad))
    assert_close(grads[0], grads[1])


def test_mean_backward_divides_by_row_counts(backend):
    hg = Hypergraph(torch.tensor([[0, 1, 2, 2], [0, 0, 0, 1]]), num_nodes=3, num_edges=2)
    x = torch.ones(3, 1, dtype=torch.float64, requires_grad=True)
    ops.v2e(x, hg, "mean").sum().backward()
    # hyperedge 0 has 3 members (1/3 each), hyperedge 1 only node 2 (1)
    assert_close(x.grad, torch.tensor([[1 / 3], [1 / 3], [1 / 3 + 1.0]], dtype=torch.float64))


def test_max_backward_goes_to_the_winner_only(backend):
    src = torch.tensor([1.0, 7.0, 3.0, 7.5], requires_grad=True)
    ops.scatter(src, torch.tensor([0, 0, 1, 1]), 3, "max").sum().backward()
    assert_close(src.grad, torch.tensor([0.0, 1.0, 0.0, 1.0]))


def test_weight_gradient_without_feature_gradient(backend):
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2, dtype=torch.float64)  # does not require grad
    w = weights(hg.nnz, 5)
    (w_grad,) = torch.autograd.grad(ops.v2e(x, hg, "sum", w).sum(), w)
    assert_close(w_grad, x[hg.hyperedge_index[0]].sum(1))  # d/dw_k sum(out) = sum_f x[v_k]


# ---------------------------------------------------------------------------- torch.compile
def _layer(x, hg, scores, index):
    """A tiny attention-style block: v2e -> softmax -> weighted e2v."""
    y = ops.v2e(x, hg, "mean")
    alpha = ops.softmax(scores, index, num_segments=hg.num_nodes)
    return ops.e2v(y, hg, "sum", alpha) + ops.v2e(x, hg, "max").sum()


def test_torch_compile_fullgraph_matches_eager(monkeypatch):
    torch._dynamo.reset()
    hg = random_hypergraph(13, num_nodes=12, num_edges=8, nnz=40)  # no cached CSR yet
    node = hg.hyperedge_index[0]
    x = torch.randn(hg.num_nodes, 3, requires_grad=True)
    s = torch.randn(hg.nnz, requires_grad=True)
    compiled = torch.compile(_layer, fullgraph=True, backend="aot_eager")
    out_c = compiled(x, hg, s, node)
    assert "ops_csr_int32" in hg._cache  # the traced build was stored in the hypergraph
    gc = torch.autograd.grad(out_c.sum(), (x, s))
    out_e = _layer(x, hg, s, node)
    ge = torch.autograd.grad(out_e.sum(), (x, s))
    assert_close(out_c, out_e)
    assert_close(gc, ge)
    # the backend is chosen when the compiled code runs, not when it was traced
    monkeypatch.setenv("HGKIT_BACKEND", "torch")
    assert_close(compiled(x, hg, s, node), out_e)


def test_custom_ops_pass_opcheck():
    hg = small_hypergraph()
    pair = hypergraph_csr(hg, "edge", torch.int32)
    f, b = pair.fwd, pair.bwd
    x = torch.randn(hg.num_nodes, 2, dtype=torch.float64, requires_grad=True)
    w = torch.rand(hg.nnz, dtype=torch.float64, requires_grad=True)
    for reduce in REDUCES:
        torch.library.opcheck(torch.ops.hgkit.spmm, (f.ptr, f.col, f.row, w, x, f.num_rows,
                                                     reduce, b.ptr, b.col, b.row, pair.tperm))
        # weights kept in COO order and read through the CSR permutations
        other = hypergraph_csr(hg, "node", torch.int32)
        torch.library.opcheck(torch.ops.hgkit.spmm, (f.ptr, f.col, f.row, w, x, f.num_rows,
                                                     reduce, b.ptr, b.col, b.row, pair.tperm,
                                                     pair.perm, other.perm))
    src = torch.randn(NNZ, 3, dtype=torch.float64, requires_grad=True)
    torch.library.opcheck(torch.ops.hgkit.segment_reduce, (src, INDEX, None, 6, "max"))
    torch.library.opcheck(torch.ops.hgkit.softmax, (src, None, PTR, 6))


@pytest.mark.parametrize("reduce", REDUCES)
def test_double_backward(backend, reduce):
    hg = small_hypergraph()
    x = distinct(hg.num_nodes, 2, seed=10).requires_grad_()
    assert gradgradcheck(lambda x, w: ops.v2e(x, hg, reduce, w), (x, weights(hg.nnz, 6)))
    s = distinct(NNZ, 2, seed=11).requires_grad_()
    assert gradgradcheck(lambda s: ops.scatter(s, INDEX, 6, reduce), (s,))


def test_softmax_double_backward(backend):
    s = (distinct(NNZ, 2, seed=12) * 4).requires_grad_()
    assert gradgradcheck(lambda s: ops.softmax(s, ptr=PTR), (s,))
    assert gradgradcheck(lambda s: ops.softmax(s, INDEX, num_segments=6), (s,))


@pytest.mark.parametrize("reduce", REDUCES)
def test_permuted_weights_and_src_scale_match_materialized(backend, reduce):
    """``wperm`` / ``src_scale`` give what indexing / scaling by hand gives, with gradients."""
    from hgkit.ops import _autograd as A

    hg = small_hypergraph()
    pair = hypergraph_csr(hg, "edge", torch.int64)
    f, b = pair.fwd, pair.bwd
    other = hypergraph_csr(hg, "node", torch.int64)
    x = distinct(hg.num_nodes, 2, seed=3).requires_grad_()
    w = weights(hg.nnz, 4).requires_grad_()
    scale = torch.rand(hg.num_nodes, dtype=torch.float64) + 0.5
    out, _ = A.spmm_op(f.ptr, f.col, f.row, w, x, f.num_rows, reduce, b.ptr, b.col, b.row,
                       pair.tperm, pair.perm, other.perm, scale)
    want, _ = A.spmm_op(f.ptr, f.col, f.row, w[pair.perm], x * scale[:, None], f.num_rows,
                        reduce, b.ptr, b.col, b.row, pair.tperm)
    assert_close(out, want)
    probe = torch.randn(out.shape, dtype=out.dtype)
    assert_close(torch.autograd.grad((out * probe).sum(), (x, w)),
                 torch.autograd.grad((want * probe).sum(), (x, w)))


def test_native_max_backward_ops_pass_opcheck():
    from hgkit.ops import _dispatch

    if not _dispatch._status("native")[0]:
        pytest.skip("native kernels unavailable")
    hg = small_hypergraph()
    pair = hypergraph_csr(hg, "edge", torch.int32)
    f, b = pair.fwd, pair.bwd
    x = distinct(hg.num_nodes, 2, seed=5)
    w = weights(hg.nnz, 6).detach()  # used only when no gradient graph is recorded
    from hgkit.ops import _autograd as A

    _, arg = A.spmm_op(f.ptr, f.col, f.row, w, x, f.num_rows, "max", None, None, None, None,
                       pair.perm)
    g = torch.randn(f.num_rows, 2, dtype=torch.float64)
    torch.library.opcheck(torch.ops.hgkit.spmm_arg_backward,
                          (b.ptr, b.col, pair.tperm, arg, g, w, pair.perm))
    torch.library.opcheck(torch.ops.hgkit.spmm_arg_sddmm, (f.ptr, f.col, arg, g, x))
