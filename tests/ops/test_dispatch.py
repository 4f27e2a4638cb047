"""Backend selection: automatic order, HGKIT_BACKEND (read at call time), use_backend(),
forcing an unavailable backend, and the one-time fallback warning."""

from __future__ import annotations

import sys
import threading
import types
import warnings

import pytest
import torch
from torch.autograd import gradcheck
from torch.testing import assert_close

from hgkit import ops
from hgkit.ops import _dispatch
from hgkit.ops import reference as ref

from .conftest import distinct, small_hypergraph


@pytest.fixture
def spy(monkeypatch):
    """Record which backend's spmm kernel runs."""
    calls: list[str] = []
    for name, table in _dispatch._KERNELS.items():
        if "spmm" in table:
            def wrapped(*args, _name=name, _fn=table["spmm"]):
                calls.append(_name)
                return _fn(*args)
            monkeypatch.setitem(table, "spmm", wrapped)
    return calls


@pytest.fixture
def no_native(monkeypatch):
    """Pretend the compiled backend cannot be imported."""
    real = _dispatch._check

    def check(name):
        if name == "native":
            return False, "pretend: no compiler"
        return real(name)
    monkeypatch.setattr(_dispatch, "_check", check)
    _dispatch._reset()


def _v2e_sum():
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2)
    return ops.v2e(x, hg), ref.v2e(x, hg)


def test_torch_is_always_available_and_order_is_fastest_first():
    names = ops.available_backends()
    assert "torch" in names and "sparse" in names
    assert names == [b for b in ops.BACKENDS if b in names]


def test_native_listed_exactly_when_it_builds():
    from hgkit.ops import _native

    assert ("native" in ops.available_backends()) == _native.available()


def test_auto_prefers_sparse_for_sum_and_skips_it_for_max(no_native):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ops.BackendFallbackWarning)
        assert ops.current_backend("spmm", "sum") == "sparse"
        assert ops.current_backend("spmm", "mean") == "sparse"
        expected = "torch_scatter" if "torch_scatter" in ops.available_backends() else "torch"
        assert ops.current_backend("spmm", "max") == expected
        assert ops.current_backend("softmax", None) == expected


def test_auto_prefers_native_when_available():
    if "native" not in ops.available_backends():
        pytest.skip("native kernels unavailable here")
    for op, reduce in (("spmm", "sum"), ("spmm", "max"), ("softmax", None), ("scatter", "min")):
        assert ops.current_backend(op, reduce) == "native"


def test_env_var_is_read_at_call_time(monkeypatch, spy):
    monkeypatch.setenv("HGKIT_BACKEND", "torch")
    out, expected = _v2e_sum()
    assert spy == ["torch"]
    assert_close(out, expected)
    monkeypatch.setenv("HGKIT_BACKEND", "sparse")
    _v2e_sum()
    assert spy == ["torch", "sparse"]
    assert ops.current_backend() == "sparse"


def test_env_var_auto_and_unknown_value(monkeypatch):
    monkeypatch.setenv("HGKIT_BACKEND", "auto")
    assert ops.current_backend() == ops.available_backends()[0]
    monkeypatch.setenv("HGKIT_BACKEND", "cuda_magic")
    with pytest.raises(ValueError, match="HGKIT_BACKEND to be one of .*'cuda_magic'"):
        _v2e_sum()


def test_context_manager_overrides_env_nests_and_restores(monkeypatch, spy):
    monkeypatch.setenv("HGKIT_BACKEND", "sparse")
    with ops.use_backend("torch"):
        assert ops.current_backend() == "torch"
        with ops.use_backend("auto"):
            assert ops.current_backend() == ops.available_backends()[0]
        _v2e_sum()
    assert spy == ["torch"]
    assert ops.current_backend() == "sparse"
    with pytest.raises(KeyError), ops.use_backend("torch"):
        raise KeyError("boom")
    assert ops.current_backend() == "sparse"


def test_use_backend_also_applies_to_other_threads(spy):
    """Process-wide, so autograd's device threads running a backward see it too."""
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2, requires_grad=True)
    with ops.use_backend("torch"):
        worker = threading.Thread(target=lambda: ops.v2e(x, hg).sum().backward())
        worker.start()
        worker.join()
    assert spy == ["torch", "torch"]  # forward and the transposed backward
    assert_close(x.grad, hg.node_count[:, None].float().expand(-1, 2))  # d sum / d x_v


def test_forced_backend_without_the_op_uses_the_automatic_choice():
    with ops.use_backend("sparse"):
        assert ops.current_backend("spmm", "sum") == "sparse"
        assert ops.current_backend("spmm", "max") != "sparse"
        hg = small_hypergraph()
        x = torch.randn(hg.num_nodes, 2)
        assert_close(ops.v2e(x, hg, "max"), ref.v2e(x, hg, "max"))


def test_forcing_an_unavailable_backend_raises_with_the_available_ones(no_native, monkeypatch):
    with pytest.raises(RuntimeError, match=r"'native' was forced by use_backend\(\) but is "
                                           r"unavailable: pretend: no compiler\. Available "
                                           r"backends: \['sparse', .*'torch'\]"):
        with ops.use_backend("native"):
            pass  # pragma: no cover
    monkeypatch.setenv("HGKIT_BACKEND", "native")
    with pytest.raises(RuntimeError, match="forced by the HGKIT_BACKEND environment variable"):
        _v2e_sum()


def test_unknown_backend_name():
    with pytest.raises(ValueError, match="'name' to be one of .*'mkl'"):
        with ops.use_backend("mkl"):
            pass  # pragma: no cover
    with pytest.raises(ValueError, match="'op' to be one of"):
        ops.current_backend("conv")


def test_fallback_warns_once_and_still_computes(no_native):
    with pytest.warns(ops.BackendFallbackWarning, match="'native' is unavailable .*pretend"):
        out, expected = _v2e_sum()
    assert_close(out, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ops.BackendFallbackWarning)
        _v2e_sum()
        ops.current_backend("spmm", "mean")


def test_no_fallback_warning_when_a_backend_is_forced(no_native):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ops.BackendFallbackWarning)
        with ops.use_backend("torch"):
            _v2e_sum()


def test_hgkit_no_native_acts_live(monkeypatch):
    if "native" not in ops.available_backends():
        pytest.skip("native kernels unavailable here")
    monkeypatch.setenv("HGKIT_NO_NATIVE", "1")
    assert "native" not in ops.available_backends()
    monkeypatch.delenv("HGKIT_NO_NATIVE")
    assert "native" in ops.available_backends()


@pytest.mark.filterwarnings("ignore::hgkit.ops.BackendFallbackWarning")
def test_non_float_dtypes_skip_native_and_sparse():
    assert ops.current_backend("spmm", "sum", dtype=torch.float16) in ("torch_scatter", "torch")
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2, generator=torch.Generator().manual_seed(0))
    x = x.to(torch.bfloat16)
    # bfloat16 keeps 8 bits of mantissa: two summation orders differ by ~1 ulp (0.4 %).
    assert_close(ops.v2e(x, hg, "mean"), ref.v2e(x, hg, "mean"), rtol=2e-2, atol=1e-2)


# ---------------------------------------------------------------------------- torch_scatter glue
@pytest.fixture
def fake_torch_scatter(monkeypatch):
    """A stand-in for the optional torch-scatter package with its documented conventions
    (empty segments: value 0 and arg = src.size(0)), so the glue code is exercised even where
    the real package is not installed."""
    mod = types.ModuleType("torch_scatter")

    def with_arg(src, indptr, reduce):
        out = ref.segment(src, indptr, reduce)
        rows = ref._rows(indptr)[:, None].expand_as(src)
        n = src.size(0)
        pos = torch.arange(n)[:, None].expand_as(src)
        cand = torch.where(src == out.gather(0, rows), pos, n)
        arg = torch.full(out.shape, n).scatter_reduce(0, rows, cand, "amin")
        return out, arg

    mod.segment_csr = lambda src, indptr, out=None, reduce="sum": ref.segment(src, indptr,
                                                                               reduce)
    mod.segment_max_csr = lambda src, indptr, out=None: with_arg(src, indptr, "max")
    mod.segment_min_csr = lambda src, indptr, out=None: with_arg(src, indptr, "min")
    mod.gather_csr = lambda src, indptr, out=None: src[ref._rows(indptr)]
    mod.scatter = (lambda src, index, dim=-1, out=None, dim_size=None, reduce="sum":
                   ref.scatter(src, index, dim_size, reduce))
    mod.composite = types.SimpleNamespace(
        scatter_softmax=lambda src, index, dim=-1, dim_size=None:
        ref.softmax(src, index, num_segments=dim_size))
    monkeypatch.setitem(sys.modules, "torch_scatter", mod)
    _dispatch._reset()
    return mod


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
def test_torch_scatter_backend_glue(fake_torch_scatter, reduce):
    assert "torch_scatter" in ops.available_backends()
    hg = small_hypergraph()
    x = distinct(hg.num_nodes, 3, seed=4).requires_grad_()
    src = distinct(8, 2, seed=5).requires_grad_()
    index, ptr = torch.tensor([3, 0, 3, 1, 0, 3, 0, 1]), torch.tensor([0, 3, 3, 5, 8])
    with ops.use_backend("torch_scatter"):
        assert ops.current_backend("spmm", reduce) == "torch_scatter"
        assert_close(ops.v2e(x, hg, reduce), ref.v2e(x, hg, reduce))
        assert_close(ops.scatter(src, index, 5, reduce), ref.scatter(src, index, 5, reduce))
        assert_close(ops.segment(src, ptr, reduce), ref.segment(src, ptr, reduce))
        assert gradcheck(lambda x: ops.e2v(x, hg, reduce), (x[:5],))
        assert gradcheck(lambda s: ops.scatter(s, index, 5, reduce), (src,))
        assert_close(ops.softmax(src, ptr=ptr), ref.softmax(src, ptr=ptr))
        assert_close(ops.softmax(src, index, num_segments=5), ref.softmax(src, index, None, 5))
        assert gradcheck(lambda s: ops.softmax(s, ptr=ptr), (src,))


def test_auto_order_puts_torch_scatter_before_torch(fake_torch_scatter, no_native):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ops.BackendFallbackWarning)
        assert ops.current_backend("spmm", "max") == "torch_scatter"
        assert ops.current_backend("softmax", None) == "torch_scatter"
        assert ops.current_backend("spmm", "sum") == "sparse"
        assert ops.current_backend("sddmm", None) == "torch"
