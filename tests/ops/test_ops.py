"""Every op x backend x reduce x dtype equals the reference, incl. degenerate inputs.

The ``backend`` fixture (conftest) runs each test once per backend available here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import Tensor
from torch.testing import assert_close

from hgkit import Hypergraph, ops
from hgkit.ops import reference as ref

from .conftest import (
    DTYPES,
    REDUCES,
    distinct,
    random_hypergraph,
    skip_unless_supported,
    small_hypergraph,
)

COUNTS = torch.tensor([3, 0, 2, 4, 1, 0])  # rows 1 and 5 are empty
PTR = torch.cat([torch.zeros(1, dtype=torch.long), COUNTS.cumsum(0)])
NNZ = int(COUNTS.sum())


def _index(seed: int = 0) -> Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.tensor([0, 0, 2, 2, 3, 4])[torch.randperm(6, generator=gen)].repeat(2)


def layouts(x: Tensor) -> dict[str, Tensor]:
    """The same rows in several memory layouts and ranks."""
    n = x.size(0)
    wide = torch.cat([x, x], 1)
    return {
        "2d": x,
        "transposed": x.t().contiguous().t(),
        "slice": wide[:, ::2],
        "1d": x[:, 0],
        "1d_strided": wide[:, 1],
        "3d": torch.cat([x, -x], 1).view(n, 2, x.size(1)),
    }


# op name -> (values row count, hgkit call, reference call); each call takes (x, reduce, dtype)
def _cases() -> dict[str, tuple[int, Callable, Callable]]:
    hg, rhg = small_hypergraph(), random_hypergraph(3)
    index = _index()
    col = torch.tensor([1, 4, 0, 2, 2, 3, 0, 4, 1, 3])
    w_small = torch.linspace(0.5, 1.5, hg.nnz, dtype=torch.float64)
    w_col = torch.linspace(-1.0, 2.0, NNZ, dtype=torch.float64)

    def w(t: Tensor, dtype: torch.dtype) -> Tensor:
        return t.to(dtype)

    return {
        "scatter": (index.numel(), lambda x, r, d: ops.scatter(x, index, 7, r),
                    lambda x, r, d: ref.scatter(x, index, 7, r)),
        "scatter_int32": (index.numel(), lambda x, r, d: ops.scatter(x, index.int(), 7, r),
                          lambda x, r, d: ref.scatter(x, index, 7, r)),
        "segment": (NNZ, lambda x, r, d: ops.segment(x, PTR, r),
                    lambda x, r, d: ref.segment(x, PTR, r)),
        "spmm": (5, lambda x, r, d: ops.spmm(PTR, col, None, x, 6, r),
                 lambda x, r, d: ref.spmm(PTR, col, None, x, 6, r)),
        "spmm_weighted_int32": (
            5, lambda x, r, d: ops.spmm(PTR.int(), col.int(), w(w_col, d), x, 6, r),
            lambda x, r, d: ref.spmm(PTR, col, w(w_col, d), x, 6, r)),
        "v2e": (hg.num_nodes, lambda x, r, d: ops.v2e(x, hg, r),
                lambda x, r, d: ref.v2e(x, hg, r)),
        "v2e_weighted": (hg.num_nodes, lambda x, r, d: ops.v2e(x, hg, r, w(w_small, d)),
                         lambda x, r, d: ref.v2e(x, hg, r, w(w_small, d))),
        "e2v_weighted": (hg.num_edges, lambda x, r, d: ops.e2v(x, hg, r, w(w_small, d)),
                         lambda x, r, d: ref.e2v(x, hg, r, w(w_small, d))),
        "e2v_random": (rhg.num_edges, lambda x, r, d: ops.e2v(x, rhg, r),
                       lambda x, r, d: ref.e2v(x, rhg, r)),
        "v2v_random": (rhg.num_nodes, lambda x, r, d: ops.v2v(x, rhg, r),
                       lambda x, r, d: ref.v2v(x, rhg, r)),
    }


CASES = _cases()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("name", list(CASES))
def test_op_equals_reference(backend, name, reduce, dtype):
    rows, run, expect = CASES[name]
    x = distinct(rows, 3, dtype=dtype, seed=1)
    for layout, values in layouts(x).items():
        out = run(values, reduce, dtype)
        assert out.dtype == dtype
        assert_close(out, expect(values, reduce, dtype), msg=f"layout {layout}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_softmax_equals_reference(backend, dtype):
    scores = distinct(NNZ, 3, dtype=dtype, seed=2) * 20
    index = ref._rows(PTR)[torch.randperm(NNZ, generator=torch.Generator().manual_seed(0))]
    for layout, s in layouts(scores).items():
        expected_ptr = ref.softmax(s, ptr=PTR)
        assert_close(ops.softmax(s, ptr=PTR), expected_ptr, msg=f"ptr {layout}")
        assert_close(ops.softmax(s, ptr=PTR.int()), expected_ptr, msg=f"ptr int32 {layout}")
        expected = ref.softmax(s, index, num_segments=6)
        assert_close(ops.softmax(s, index, num_segments=6), expected, msg=f"index {layout}")


def test_softmax_segments_sum_to_one(backend):
    scores = torch.randn(NNZ, 2, dtype=torch.float64) * 50
    out = ops.softmax(scores, ptr=PTR)
    sums = ref.segment(out, PTR, "sum")
    assert_close(sums[COUNTS > 0], torch.ones(4, 2, dtype=torch.float64))


@pytest.mark.parametrize("reduce", REDUCES)
def test_nnz_zero(backend, reduce):
    src = torch.empty(0, 4)
    assert_close(ops.scatter(src, torch.empty(0, dtype=torch.long), 3, reduce),
                 torch.zeros(3, 4))
    assert_close(ops.segment(src, torch.zeros(4, dtype=torch.long), reduce), torch.zeros(3, 4))
    empty = torch.empty(0, dtype=torch.long)
    assert_close(ops.spmm(torch.zeros(3, dtype=torch.long), empty, None, torch.ones(5, 4), 2,
                          reduce), torch.zeros(2, 4))
    hg = Hypergraph(torch.empty(2, 0, dtype=torch.long), num_nodes=3, num_edges=2)
    assert_close(ops.v2e(torch.ones(3, 4), hg, reduce), torch.zeros(2, 4))
    assert_close(ops.v2v(torch.ones(3), hg, reduce), torch.zeros(3))


def test_zero_output_rows_and_softmax_of_nothing(backend):
    assert ops.scatter(torch.empty(0, 2), torch.empty(0, dtype=torch.long), 0).shape == (0, 2)
    assert ops.softmax(torch.empty(0, 3), ptr=torch.zeros(1, dtype=torch.long)).shape == (0, 3)
    out = ops.softmax(torch.empty(0), torch.empty(0, dtype=torch.long), num_segments=2)
    assert out.shape == (0,)


@pytest.mark.parametrize("reduce", REDUCES)
def test_all_rows_empty(backend, reduce):
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=4, num_edges=3)
    out = ops.e2v(torch.tensor([[2.0], [5.0], [7.0]]), hg, reduce)
    assert_close(out, torch.tensor([[2.0], [2.0], [0.0], [0.0]]))


def test_max_min_with_ties_pick_the_tied_value(backend):
    src = torch.tensor([3.0, 3.0, -1.0, -1.0])
    index = torch.tensor([0, 0, 1, 1])
    assert_close(ops.scatter(src, index, 2, "max"), torch.tensor([3.0, -1.0]))
    assert_close(ops.scatter(src, index, 2, "min"), torch.tensor([3.0, -1.0]))


@pytest.mark.parametrize("reduce", REDUCES)
def test_v2e_matches_dense_incidence_product(backend, reduce):
    """``v2e`` with weights on the paper's example against H^T diag(w) x (sum) or masked
    dense reductions (mean / max / min)."""
    skip_unless_supported(backend, "spmm", reduce)
    hg = Hypergraph(torch.tensor([[0, 1, 2, 2, 3], [0, 0, 0, 1, 1]]), num_nodes=4, num_edges=3)
    weight = torch.tensor([1.0, 2.0, 0.5, 3.0, -1.0], dtype=torch.float64)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5], [-4.0, 2.0], [0.25, 8.0]], dtype=torch.float64)
    hw = torch.zeros(4, 3, dtype=torch.float64)
    hw[hg.hyperedge_index[0], hg.hyperedge_index[1]] = weight
    member = torch.zeros(4, 3, dtype=torch.bool)
    member[hg.hyperedge_index[0], hg.hyperedge_index[1]] = True
    msgs = hw.t()[:, :, None] * x[None]  # [M, N, F]
    if reduce == "sum":
        expected = hw.t() @ x
    elif reduce == "mean":
        expected = (hw.t() @ x) / member.sum(0).clamp(min=1)[:, None]
    else:
        fill = float("-inf") if reduce == "max" else float("inf")
        masked = msgs.masked_fill(~member.t()[:, :, None], fill)
        expected = masked.amax(1) if reduce == "max" else masked.amin(1)
        expected[~member.any(0)] = 0.0
    assert_close(ops.v2e(x, hg, reduce, weight), expected)


def test_v2v_stage_overrides(backend):
    hg = random_hypergraph(5)
    x = torch.randn(hg.num_nodes, 4, dtype=torch.float64)
    a = torch.rand(hg.nnz, dtype=torch.float64)
    b = torch.rand(hg.nnz, dtype=torch.float64)
    out = ops.v2v(x, hg, "sum", a, b, v2e_reduce="max", e2v_reduce="mean")
    assert_close(out, ref.e2v(ref.v2e(x, hg, "max", a), hg, "mean", b))


def test_hypergraph_csr_is_cached_once_and_shared():
    hg = random_hypergraph(7)
    x = torch.randn(hg.num_nodes, 2)
    ops.v2e(x, hg)
    edge_pair, node_pair = hg._cache["ops_csr_int32"]
    ops.v2e(x, hg, "max")
    ops.e2v(torch.randn(hg.num_edges, 2), hg)
    assert hg._cache["ops_csr_int32"][0] is edge_pair
    assert node_pair.fwd is edge_pair.bwd and node_pair.bwd is edge_pair.fwd
    perm_e, ptr_e = hg.sorted_incidence("edge")  # built from the hypergraph's own sort
    assert torch.equal(edge_pair.fwd.ptr.long(), ptr_e)
    assert torch.equal(edge_pair.perm.long(), perm_e)


def test_csr_built_by_the_compile_path_equals_the_eager_one():
    from hgkit.ops._csr import _csr_op, hypergraph_csr

    hg = random_hypergraph(17)
    pairs = hypergraph_csr(hg, "edge", torch.int64), hypergraph_csr(hg, "node", torch.int64)
    eager = [*pairs[0].fwd[:3], *pairs[0].bwd[:3], pairs[0].perm, pairs[0].tperm,
             pairs[1].perm, pairs[1].tperm]
    traced = _csr_op(hg.hyperedge_index, hg.num_nodes, hg.num_edges, False)
    for a, b in zip(eager, traced, strict=True):
        assert torch.equal(a, b)


def test_verbs_accept_hypergraph_from_dual():
    hg = random_hypergraph(8)
    x = torch.randn(hg.num_nodes, 3, dtype=torch.float64)
    assert_close(ops.v2e(x, hg, "mean"), ops.e2v(x, hg.dual(), "mean"))


@pytest.mark.parametrize("reduce", REDUCES)
def test_larger_random_input_forward_and_backward(backend, reduce):
    """Big enough for the multi-threaded code paths (many rows per thread)."""
    hg = random_hypergraph(21, num_nodes=2000, num_edges=500, nnz=10000)
    x = torch.randn(hg.num_nodes, 8, dtype=torch.float64)
    w = torch.rand(hg.nnz, dtype=torch.float64) + 0.5
    g = torch.randn(hg.num_nodes, 8, dtype=torch.float64)
    results = []
    for fn in (ops.v2v, ref.v2v):
        xi, wi = x.clone().requires_grad_(), w.clone().requires_grad_()
        out = fn(xi, hg, reduce, wi, wi)
        out.backward(g)
        results.append((out, xi.grad, wi.grad))
    assert_close(results[0], results[1])
    scores = torch.randn(hg.nnz, 4, dtype=torch.float64)
    node = hg.hyperedge_index[0]
    assert_close(ops.softmax(scores, node, num_segments=hg.num_nodes),
                 ref.softmax(scores, node, num_segments=hg.num_nodes))


# ---------------------------------------------------------------------------- validation
def test_errors_name_the_argument():
    hg = small_hypergraph()
    with pytest.raises(ValueError, match="'reduce' to be one of .*'prod'"):
        ops.scatter(torch.ones(2), torch.tensor([0, 1]), 2, "prod")
    with pytest.raises(TypeError, match="'src' to be a floating tensor"):
        ops.scatter(torch.ones(2, dtype=torch.long), torch.tensor([0, 1]), 2)
    with pytest.raises(TypeError, match="'index' to have dtype int32 or int64"):
        ops.scatter(torch.ones(2), torch.tensor([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match="'index' to have 2 entries"):
        ops.scatter(torch.ones(2), torch.tensor([0]), 2)
    with pytest.raises(IndexError, match="'index' holds id 5 but dim_size=2"):
        ops.scatter(torch.ones(2), torch.tensor([0, 5]), 2)
    with pytest.raises(IndexError, match="'index' holds negative id -1"):
        ops.scatter(torch.ones(2), torch.tensor([0, -1]), 2)
    with pytest.raises(TypeError, match="'dim_size' to be an int"):
        ops.scatter(torch.ones(2), torch.tensor([0, 1]), 2.0)
    with pytest.raises(ValueError, match="'x' has 5 rows but the hypergraph has 6 nodes"):
        ops.v2e(torch.ones(5, 2), hg)
    with pytest.raises(ValueError, match="'x' has 6 rows but the hypergraph has 5 hyperedges"):
        ops.e2v(torch.ones(6, 2), hg)
    with pytest.raises(TypeError, match="'hg' to be an hgkit.Hypergraph"):
        ops.v2e(torch.ones(6, 2), hg.hyperedge_index)
    with pytest.raises(ValueError, match=r"'weight' to have shape \[11\]"):
        ops.v2e(torch.ones(6, 2), hg, weight=torch.ones(3))
    with pytest.raises(TypeError, match="'weight' to have the dtype of the values"):
        ops.v2e(torch.ones(6, 2), hg, weight=torch.ones(11, dtype=torch.float64))
    with pytest.raises(ValueError, match="'v2e_reduce' to be one of"):
        ops.v2v(torch.ones(6, 2), hg, v2e_reduce="median")


def test_pointer_and_softmax_errors():
    with pytest.raises(ValueError, match="'ptr' to start at 0 and end at 3"):
        ops.segment(torch.ones(3), torch.tensor([0, 2]))
    with pytest.raises(ValueError, match="'ptr' to be non-decreasing"):
        ops.segment(torch.ones(3), torch.tensor([0, 2, 1, 3]))
    with pytest.raises(ValueError, match="'ptr' to have num_rows \\+ 1 = 3 entries"):
        ops.spmm(torch.tensor([0, 1]), torch.tensor([0]), None, torch.ones(2), 2)
    with pytest.raises(IndexError, match="'col' holds id 4 but x.size\\(0\\)=2"):
        ops.spmm(torch.tensor([0, 1]), torch.tensor([4]), None, torch.ones(2), 1)
    with pytest.raises(ValueError, match="exactly one of 'index' and 'ptr' \\(got neither\\)"):
        ops.softmax(torch.ones(2))
    with pytest.raises(ValueError, match="'num_segments' with 'index'"):
        ops.softmax(torch.ones(2), torch.tensor([0, 0]))
    with pytest.raises(ValueError, match="'num_segments' is 3 but 'ptr' describes 1"):
        ops.softmax(torch.ones(2), ptr=torch.tensor([0, 2]), num_segments=3)
