"""The compiled backend (:mod:`hgkit.ops._native`) against plain numpy/torch references.

Each kernel is checked on small random CSR inputs for float32/float64 values, int32/int64
indices, empty rows, nnz = 0 and feature widths 1, 7 (odd), 64 (one full tile) and 130 (two
tiles and a remainder). The build machinery is checked with a fake compiler in a temporary cache.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit.ops import _native

pytestmark = pytest.mark.skipif(not _native.available(), reason="no C compiler / build failed")

VALUES = (torch.float32, torch.float64)
INDICES = (torch.int32, torch.int64)
WIDTHS = (1, 7, 64, 130)


def random_csr(seed: int, rows: int = 9, src_rows: int = 6, nnz: int = 25,
               itype: torch.dtype = torch.int64) -> tuple[torch.Tensor, torch.Tensor]:
    """CSR with sorted random row ids: rows 0 and ``rows - 1`` are always empty."""
    gen = torch.Generator().manual_seed(seed)
    row = torch.randint(1, rows - 1, (nnz,), generator=gen).sort().values
    ptr = torch.zeros(rows + 1, dtype=torch.int64)
    torch.cumsum(torch.bincount(row, minlength=rows), 0, out=ptr[1:])
    col = torch.randint(0, src_rows, (nnz,), generator=gen)
    return ptr.to(itype), col.to(itype)


def ref_spmm(ptr, col, weight, src, reduce):  # type: ignore[no-untyped-def]
    """Row-by-row numpy reference; messages computed in the input dtype (exact ties)."""
    p, c, x = ptr.long().numpy(), col.long().numpy(), src.numpy()
    w = None if weight is None else weight.numpy()
    rows, feat = p.size - 1, x.shape[1]
    out = np.zeros((rows, feat), dtype=x.dtype)
    arg = np.full((rows, feat), -1, dtype=np.int64)
    for i in range(rows):
        s, e = p[i], p[i + 1]
        if e == s:
            continue
        msg = x[c[s:e]] if w is None else w[s:e, None] * x[c[s:e]]
        if reduce in ("sum", "mean"):
            total = msg.astype(np.float64).sum(0)
            out[i] = total / (e - s) if reduce == "mean" else total
        else:
            pick = np.argmax(msg, 0) if reduce == "max" else np.argmin(msg, 0)  # first on ties
            out[i] = msg[pick, np.arange(feat)]
            arg[i] = s + pick
    return torch.from_numpy(out), torch.from_numpy(arg)


# -------------------------------------------------------------------------------- spmm
@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("dtype", VALUES)
@pytest.mark.parametrize("itype", INDICES)
@pytest.mark.parametrize("feat", WIDTHS)
def test_spmm_matches_reference(reduce: str, dtype: torch.dtype, itype: torch.dtype,
                                feat: int) -> None:
    ptr, col = random_csr(feat, itype=itype)
    gen = torch.Generator().manual_seed(1)
    src = torch.randn(6, feat, generator=gen, dtype=dtype)
    weight = torch.rand(col.numel(), generator=gen, dtype=dtype)
    for w in (None, weight):
        out, arg = _native.spmm(ptr, col, w, src, ptr.numel() - 1, reduce)
        want, want_arg = ref_spmm(ptr, col, w, src, reduce)
        torch.testing.assert_close(out, want)
        if reduce in ("sum", "mean"):
            assert arg is None
        else:
            assert torch.equal(arg, want_arg)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("itype", INDICES)
def test_spmm_weight_perm_and_src_scale_fold_into_the_weight(reduce: str,
                                                             itype: torch.dtype) -> None:
    ptr, col = random_csr(4, itype=itype)
    gen = torch.Generator().manual_seed(4)
    src = torch.randn(6, 7, generator=gen, dtype=torch.float64)
    stored = torch.rand(col.numel(), generator=gen, dtype=torch.float64)
    perm = torch.randperm(col.numel(), generator=gen).to(itype)
    scale = torch.rand(6, generator=gen, dtype=torch.float64)
    out, arg = _native.spmm(ptr, col, stored, src, ptr.numel() - 1, reduce,
                            weight_perm=perm, src_scale=scale)
    want, want_arg = ref_spmm(ptr, col, stored[perm.long()] * scale[col.long()], src, reduce)
    torch.testing.assert_close(out, want)
    if arg is not None:
        assert torch.equal(arg, want_arg)


def test_spmm_weight_perm_needs_a_weight() -> None:
    with pytest.raises(ValueError, match="'weight_perm' was given without 'weight'"):
        _native.spmm(torch.tensor([0, 1]), torch.tensor([0]), None, torch.ones(1, 1), 1,
                     weight_perm=torch.tensor([0]))


@pytest.mark.parametrize("reduce", ["sum", "max"])
def test_spmm_with_a_source_larger_than_the_cache_threshold(reduce: str) -> None:
    # Sources above 64 MiB take the far (L2) prefetch path; only the gathered rows are set.
    src = torch.empty(300_000, 64)
    col = torch.tensor([299_999, 5, 123_456, 5, 0])
    src[col] = torch.randn(5, 64)
    ptr = torch.tensor([0, 2, 2, 5])
    out, arg = _native.spmm(ptr, col, None, src, 3, reduce)
    want, want_arg = ref_spmm(ptr, col, None, src, reduce)
    torch.testing.assert_close(out, want)
    if arg is not None:
        assert torch.equal(arg, want_arg)


def test_spmm_empty_rows_give_zero_and_arg_minus_one() -> None:
    ptr, col = torch.tensor([0, 0, 1, 1]), torch.tensor([1])
    src = torch.tensor([[-3.0, 4.0], [-1.0, -2.0]])
    out, arg = _native.spmm(ptr, col, None, src, 3, "max")
    assert out.tolist() == [[0.0, 0.0], [-1.0, -2.0], [0.0, 0.0]]
    assert arg.tolist() == [[-1, -1], [0, 0], [-1, -1]]
    mean, _ = _native.spmm(ptr, col, None, src, 3, "mean")
    assert mean.tolist() == [[0.0, 0.0], [-1.0, -2.0], [0.0, 0.0]]


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
def test_spmm_with_no_incidences(reduce: str) -> None:
    ptr, col = torch.zeros(4, dtype=torch.int32), torch.zeros(0, dtype=torch.int32)
    out, arg = _native.spmm(ptr, col, None, torch.randn(5, 3), 3, reduce)
    assert torch.equal(out, torch.zeros(3, 3))
    if reduce in ("max", "min"):
        assert torch.equal(arg, torch.full((3, 3), -1))


@pytest.mark.parametrize("reduce, first", [("max", 1), ("min", 0)])
def test_spmm_arg_is_the_first_position_on_ties(reduce: str, first: int) -> None:
    # Row 0 gathers rows [0, 1, 1, 0] of src: values 1, 2, 2, 1 in column 0.
    ptr, col = torch.tensor([0, 4]), torch.tensor([0, 1, 1, 0])
    src = torch.tensor([[1.0], [2.0]])
    out, arg = _native.spmm(ptr, col, None, src, 1, reduce)
    assert arg.item() == first
    assert out.item() == (2.0 if reduce == "max" else 1.0)


def test_spmm_max_nan_wins() -> None:
    ptr, col = torch.tensor([0, 3]), torch.tensor([0, 1, 2])
    src = torch.tensor([[1.0], [float("nan")], [5.0]])
    out, arg = _native.spmm(ptr, col, None, src, 1, "max")
    assert torch.isnan(out).all() and arg.item() == 1


def test_spmm_applies_weights_before_max() -> None:
    ptr, col = torch.tensor([0, 2]), torch.tensor([0, 1])
    src, weight = torch.tensor([[1.0], [2.0]]), torch.tensor([3.0, 1.0])
    out, arg = _native.spmm(ptr, col, weight, src, 1, "max")
    assert (out.item(), arg.item()) == (3.0, 0)


def test_spmm_writes_into_out() -> None:
    ptr, col = torch.tensor([0, 2, 3]), torch.tensor([0, 1, 1])
    src = torch.tensor([[1.0], [2.0]])
    buf = torch.full((2, 1), 7.0)
    out, _ = _native.spmm(ptr, col, None, src, 2, "sum", out=buf)
    assert out is buf and buf.flatten().tolist() == [3.0, 2.0]
    arg_buf = torch.empty(2, 1, dtype=torch.int64)
    _, arg = _native.spmm(ptr, col, None, src, 2, "max", out=buf, arg_out=arg_buf)
    assert arg is arg_buf and arg_buf.flatten().tolist() == [1, 2]


def test_spmm_one_dimensional_src() -> None:
    ptr, col = torch.tensor([0, 2, 3]), torch.tensor([0, 1, 1])
    out, _ = _native.spmm(ptr, col, None, torch.tensor([1.0, 2.0]), 2, "sum")
    assert out.tolist() == [3.0, 2.0]


def test_spmm_mixed_index_dtypes() -> None:
    ptr, col = random_csr(3)
    src = torch.randn(6, 5)
    out, _ = _native.spmm(ptr, col.int(), None, src, ptr.numel() - 1, "sum")
    torch.testing.assert_close(out, ref_spmm(ptr, col, None, src, "sum")[0])


def test_spmm_does_not_depend_on_the_thread_count() -> None:
    ptr, col = random_csr(5, rows=300, src_rows=50, nnz=4000)
    src = torch.randn(50, 33)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one, _ = _native.spmm(ptr, col, None, src, 300, "sum")
    finally:
        torch.set_num_threads(threads)
    many, _ = _native.spmm(ptr, col, None, src, 300, "sum")
    assert torch.equal(one, many)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 12), st.integers(0, 40),
       st.sampled_from(["sum", "mean", "max", "min"]))
def test_spmm_property(seed: int, feat: int, nnz: int, reduce: str) -> None:
    gen = torch.Generator().manual_seed(seed)
    rows = 7
    counts = torch.bincount(torch.randint(0, rows, (nnz,), generator=gen), minlength=rows)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    col = torch.randint(0, 4, (nnz,), generator=gen)
    src = torch.randn(4, feat, generator=gen, dtype=torch.float64)
    out, arg = _native.spmm(ptr, col, None, src, rows, reduce)
    want, want_arg = ref_spmm(ptr, col, None, src, reduce)
    torch.testing.assert_close(out, want)
    if arg is not None:
        assert torch.equal(arg, want_arg)


def test_spmm_errors_name_the_argument() -> None:
    ptr, col = torch.tensor([0, 1]), torch.tensor([0])
    with pytest.raises(TypeError, match="'src' to be float32 or float64"):
        _native.spmm(ptr, col, None, torch.tensor([[1]]), 1)
    with pytest.raises(TypeError, match="'col' to be int32 or int64"):
        _native.spmm(ptr, col.float(), None, torch.ones(1, 1), 1)
    with pytest.raises(ValueError, match="'reduce' to be one of"):
        _native.spmm(ptr, col, None, torch.ones(1, 1), 1, "prod")
    with pytest.raises(ValueError, match="'ptr' to have num_rows \\+ 1 = 3 entries"):
        _native.spmm(ptr, col, None, torch.ones(1, 1), 2)
    with pytest.raises(ValueError, match="'src' to be contiguous"):
        _native.spmm(ptr, col, None, torch.ones(2, 4)[:, ::2], 1)
    with pytest.raises(ValueError, match="Expected 'out' of shape \\[1, 1\\]"):
        _native.spmm(ptr, col, None, torch.ones(1, 1), 1, out=torch.empty(2, 1))
    with pytest.raises(ValueError, match="'weight' to be 1-D"):
        _native.spmm(ptr, col, torch.ones(1, dtype=torch.float64), torch.ones(1, 1), 1)


def transpose(ptr: torch.Tensor, col: torch.Tensor, num_src: int):  # type: ignore[no-untyped-def]
    """(tptr, tcol, tperm): the pattern sorted by source row, with forward rows/positions."""
    tperm = torch.argsort(col.long(), stable=True)
    tptr = torch.zeros(num_src + 1, dtype=torch.int64)
    torch.cumsum(torch.bincount(col.long(), minlength=num_src), 0, out=tptr[1:])
    row = torch.repeat_interleave(torch.arange(ptr.numel() - 1), ptr.long().diff())
    return tptr.to(col.dtype), row[tperm].to(col.dtype), tperm.to(col.dtype)


def ref_arg_backward(col, arg, grad, weight, num_src):  # type: ignore[no-untyped-def]
    """Route grad[i, f] to src row col[arg[i, f]] with an accumulating index_put_."""
    valid = arg >= 0
    pos = arg.long().clamp(min=0)
    val = grad if weight is None else grad * weight[pos]
    feat = torch.arange(grad.size(1)).expand_as(arg)
    out = torch.zeros(num_src, grad.size(1), dtype=grad.dtype)
    return out.index_put_((col.long()[pos][valid], feat[valid]), val[valid], accumulate=True)


@pytest.mark.parametrize("reduce", ["max", "min"])
@pytest.mark.parametrize("dtype", VALUES)
@pytest.mark.parametrize("itype", INDICES)
@pytest.mark.parametrize("arg_type", [torch.int32, torch.int64])
@pytest.mark.parametrize("feat", [1, 7, 130])
def test_spmm_arg_backward_routes_to_the_winner(reduce: str, dtype: torch.dtype,
                                               itype: torch.dtype, arg_type: torch.dtype,
                                               feat: int) -> None:
    ptr, col = random_csr(feat + 3, itype=itype)
    gen = torch.Generator().manual_seed(2)
    src = torch.randn(6, feat, generator=gen, dtype=dtype)
    weight = torch.rand(col.numel(), generator=gen, dtype=dtype)
    grad = torch.randn(ptr.numel() - 1, feat, generator=gen, dtype=dtype)
    tptr, tcol, tperm = transpose(ptr, col, 6)
    for w in (None, weight):
        arg_buf = torch.empty(ptr.numel() - 1, feat, dtype=arg_type)
        _, arg = _native.spmm(ptr, col, w, src, ptr.numel() - 1, reduce, arg_out=arg_buf)
        assert torch.equal(arg.long(), ref_spmm(ptr, col, w, src, reduce)[1])
        got = _native.spmm_arg_backward(tptr, tcol, tperm, arg, grad, w)
        torch.testing.assert_close(got, ref_arg_backward(col, arg, grad, w, 6))
    # Weights stored in another order, reached through weight_perm.
    order = torch.randperm(col.numel(), generator=gen)
    stored = torch.empty_like(weight)
    stored[order] = weight
    got = _native.spmm_arg_backward(tptr, tcol, tperm, arg, grad, stored,
                                    weight_perm=order.to(itype))
    torch.testing.assert_close(got, ref_arg_backward(col, arg, grad, weight, 6))


def test_spmm_arg_sddmm_is_the_weight_gradient() -> None:
    ptr, col = random_csr(11)
    src = torch.randn(6, 5, dtype=torch.float64)
    weight = torch.rand(col.numel(), dtype=torch.float64, requires_grad=True)
    grad = torch.randn(ptr.numel() - 1, 5, dtype=torch.float64)
    _, arg = _native.spmm(ptr, col, weight.detach(), src, ptr.numel() - 1, "max")
    # Differentiable reference: out[i, f] = w[arg] * src[col[arg], f] for non-empty rows.
    valid, pos = arg >= 0, arg.clamp(min=0)
    out = torch.where(valid, weight[pos] * src[col[pos], torch.arange(5)], 0.0)
    (want,) = torch.autograd.grad(out, weight, grad)
    torch.testing.assert_close(_native.spmm_arg_sddmm(ptr, col, arg, grad, src), want)


def test_spmm_rejects_an_int32_arg_buffer_of_the_wrong_shape() -> None:
    ptr, col = torch.tensor([0, 1]), torch.tensor([0])
    with pytest.raises(ValueError, match="Expected 'arg_out' of shape \\[1, 1\\]"):
        _native.spmm(ptr, col, None, torch.ones(1, 1), 1, "max",
                     arg_out=torch.empty(2, dtype=torch.int32))


# ------------------------------------------------------------------------------- sddmm
@pytest.mark.parametrize("dtype", VALUES)
@pytest.mark.parametrize("itype", INDICES)
@pytest.mark.parametrize("feat", WIDTHS)
def test_sddmm_matches_reference(dtype: torch.dtype, itype: torch.dtype, feat: int) -> None:
    ptr, col = random_csr(feat + 1, itype=itype)
    a = torch.randn(ptr.numel() - 1, feat, dtype=dtype)
    b = torch.randn(6, feat, dtype=dtype)
    row = torch.repeat_interleave(torch.arange(ptr.numel() - 1), ptr.long().diff())
    want = (a[row] * b[col.long()]).sum(1)
    torch.testing.assert_close(_native.sddmm(ptr, col, a, b), want)


def test_sddmm_with_no_incidences() -> None:
    out = _native.sddmm(torch.zeros(3, dtype=torch.long), torch.zeros(0, dtype=torch.long),
                        torch.ones(2, 4), torch.ones(5, 4))
    assert out.shape == (0,)


# ----------------------------------------------------------------------------- softmax
def ref_softmax(ptr: torch.Tensor, src: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(src)
    p = ptr.tolist()
    for s, e in zip(p[:-1], p[1:], strict=True):
        if e > s:
            out[s:e] = torch.softmax(src[s:e], dim=0)
    return out


@pytest.mark.parametrize("dtype", VALUES)
@pytest.mark.parametrize("itype", INDICES)
@pytest.mark.parametrize("feat", [1, 2, 4, 7, 8, 16, 64, 130])  # constant-width paths + generic
def test_softmax_forward_and_backward(dtype: torch.dtype, itype: torch.dtype,
                                      feat: int) -> None:
    ptr, col = random_csr(feat + 2, itype=itype)
    gen = torch.Generator().manual_seed(feat)
    src = 4 * torch.randn(col.numel(), feat, generator=gen, dtype=dtype)
    out = _native.segment_softmax(ptr, src)
    torch.testing.assert_close(out, ref_softmax(ptr, src))
    leaf = src.clone().requires_grad_()
    grad = torch.randn(src.shape, generator=gen, dtype=dtype)
    (want,) = torch.autograd.grad(ref_softmax(ptr, leaf), leaf, grad)
    torch.testing.assert_close(_native.segment_softmax_backward(ptr, out, grad), want)


def test_softmax_float32_exp_is_accurate_over_a_wide_range() -> None:
    # Pair every logit x in [-100, 0] with a 0: the segment softmax is (1, e^x) / (1 + e^x).
    x = torch.linspace(-100.0, 0.0, 20001).double()  # float32 logits, exact in float64
    src = torch.stack([torch.zeros_like(x), x], 1).flatten().float()
    ptr = torch.arange(0, src.numel() + 1, 2)
    out = _native.segment_softmax(ptr, src).view(-1, 2)[:, 1].double()
    want = torch.exp(x) / (1 + torch.exp(x))
    torch.testing.assert_close(out, want, rtol=1e-6, atol=1e-37)


def test_softmax_is_stable_for_large_scores_and_handles_minus_inf() -> None:
    ptr = torch.tensor([0, 2, 4, 5])
    src = torch.tensor([1000.0, 1000.0, float("-inf"), 0.0, 3.0])
    assert _native.segment_softmax(ptr, src).tolist() == [0.5, 0.5, 0.0, 1.0, 1.0]


def test_softmax_all_minus_inf_segment_is_nan_like_torch() -> None:
    src = torch.full((2,), float("-inf"))
    out = _native.segment_softmax(torch.tensor([0, 2]), src)
    assert torch.isnan(out).all() and torch.isnan(torch.softmax(src, 0)).all()


def test_softmax_leaves_uncovered_rows_zero() -> None:
    out = _native.segment_softmax(torch.tensor([1, 3]), torch.tensor([9.0, 0.0, 0.0, 9.0]))
    assert out.tolist() == [0.0, 0.5, 0.5, 0.0]


def test_softmax_and_scatter_with_no_entries() -> None:
    ptr = torch.zeros(4, dtype=torch.int32)
    assert _native.segment_softmax(ptr, torch.zeros(0, 3)).shape == (0, 3)
    assert _native.segment_softmax_backward(ptr, torch.zeros(0, 3), torch.zeros(0, 3)).shape \
        == (0, 3)
    out = _native.scatter_add_rows(torch.zeros(0, dtype=torch.long), torch.zeros(0, 3), 2)
    assert torch.equal(out, torch.zeros(2, 3))


def test_softmax_backward_checks_shapes() -> None:
    with pytest.raises(ValueError, match="'grad_out' like 'out'"):
        _native.segment_softmax_backward(torch.tensor([0, 2]), torch.ones(2), torch.ones(3))


# ------------------------------------------------------------------------------ scatter
@pytest.mark.parametrize("dtype", VALUES)
@pytest.mark.parametrize("itype", INDICES)
@pytest.mark.parametrize("feat", WIDTHS)
def test_scatter_add_rows_matches_index_add(dtype: torch.dtype, itype: torch.dtype,
                                            feat: int) -> None:
    gen = torch.Generator().manual_seed(feat)
    index = torch.randint(0, 5, (40,), generator=gen)
    src = torch.randn(40, feat, generator=gen, dtype=dtype)
    want = torch.zeros(6, feat, dtype=dtype).index_add_(0, index, src)
    torch.testing.assert_close(_native.scatter_add_rows(index.to(itype), src, 6), want)


def test_scatter_add_rows_elementwise_index_skips_negatives() -> None:
    # The backward of max: route each column's gradient to its winner; -1 = empty row.
    index = torch.tensor([[0, 2], [-1, 0], [2, 2]])
    src = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    out = _native.scatter_add_rows(index, src, 3)
    assert out.tolist() == [[1.0, 4.0], [0.0, 0.0], [5.0, 8.0]]


def test_scatter_add_rows_adds_into_out() -> None:
    buf = torch.ones(2)
    out = _native.scatter_add_rows(torch.tensor([1, 1]), torch.tensor([2.0, 3.0]), 2, out=buf)
    assert out is buf and buf.tolist() == [1.0, 6.0]


def test_scatter_add_rows_checks_the_index_shape() -> None:
    with pytest.raises(ValueError, match="'index' of shape \\[2\\] or \\[2, 3\\]"):
        _native.scatter_add_rows(torch.tensor([0, 1, 2]), torch.ones(2, 3), 3)


# -------------------------------------------------------------------- build and loading
def test_library_is_cached_under_a_hashed_directory() -> None:
    path = _native.library_path()
    assert path is not None and path.name == "hgkit_kernels.so"
    assert path.parent.parent.name == "kernels" and len(path.parent.name) == 20


def test_no_native_env_var_disables_the_backend() -> None:
    code = ("import warnings; warnings.simplefilter('error'); "
            "from hgkit.ops import _native; print(_native.available())")
    env = {**os.environ, "HGKIT_NO_NATIVE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


@pytest.fixture
def isolated_build(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A private cache directory and forgotten library state, restored afterwards."""
    monkeypatch.setenv("HGKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HGKIT_NO_NATIVE", raising=False)
    _native._reset_for_tests()
    yield tmp_path
    _native._reset_for_tests()


def test_missing_compiler_warns_once_and_returns_false(isolated_build, monkeypatch) -> None:
    monkeypatch.setenv("HGKIT_CC", "hgkit-no-such-compiler")
    with pytest.warns(RuntimeWarning, match="'hgkit-no-such-compiler' not found"):
        assert _native.available() is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _native.available() is False


def test_failing_compiler_warns_with_its_message(isolated_build, monkeypatch) -> None:
    fake = isolated_build / "fakecc"
    fake.write_text("#!/bin/sh\n[ \"$1\" = -v ] && { echo fake 1.0; exit 0; }\n"
                    "echo 'error: no luck' >&2; exit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("HGKIT_CC", str(fake))
    with pytest.warns(RuntimeWarning, match="exited with 1: error: no luck"):
        assert _native.available() is False
    assert not list((isolated_build / "cache").rglob("*.so"))  # no partial library left


def test_fresh_build_then_cache_hit(isolated_build) -> None:
    assert _native.available() is True
    path = _native.library_path()
    assert path is not None and str(path).startswith(str(isolated_build / "cache"))
    mtime = path.stat().st_mtime_ns
    _native._reset_for_tests()
    assert _native.available() is True and _native.library_path() == path
    assert path.stat().st_mtime_ns == mtime


def test_huge_page_advice_keeps_results(monkeypatch) -> None:
    # A 32 MiB output takes the advised path; row i gathers src[i % 3].
    monkeypatch.setenv("HGKIT_HUGEPAGES", "1")
    rows = 2**17
    ptr, col = torch.arange(rows + 1), torch.arange(rows) % 3
    src = torch.randn(3, 64)
    out, _ = _native.spmm(ptr, col, None, src, rows, "sum")
    assert out.numel() * out.element_size() >= 32 << 20
    assert torch.equal(out, src[col])


def test_tune_allocator_round_trip() -> None:
    assert _native.tune_allocator() is True
    assert _native.tune_allocator(False) is True
