"""The contract every hypergraph layer honours, checked over every case of ``cases_*.py``."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
import torch
from torch.autograd import gradcheck
from torch.testing import assert_close

import tests.layers as _pkg
from hgkit import Hypergraph
from tests.layers.contract import Dense, LayerCase, hypergraphs

IN, OUT = 3, 4


def _cases() -> list[LayerCase]:
    cases: list[LayerCase] = []
    for info in pkgutil.iter_modules([str(Path(_pkg.__file__).parent)]):
        if info.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.layers.{info.name}").CASES)
    return cases


CASES = _cases()
IDS = [c.name for c in CASES]


def _build(case: LayerCase, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return case.make(IN, OUT).double().eval()


def _x(n: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(n, IN, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def _graphs(case: LayerCase) -> list[tuple[str, Hypergraph]]:
    return list(hypergraphs(case.weighted).items())


def test_every_public_layer_has_a_case():
    import hgkit.layers as layers

    covered = {type(_build(c)).__name__ for c in CASES}
    public = {name for name in layers.__all__ if name.endswith("Conv")
              and not getattr(getattr(layers, name), "contract_exempt", None)}
    assert public <= covered, f"layers without a contract case: {sorted(public - covered)}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_dense_reference(case: LayerCase):
    layer = _build(case)
    for name, hg in _graphs(case):
        x = _x(hg.num_nodes)
        with torch.no_grad():
            got = case.call(layer, x, hg)
            want = case.dense(layer, x, Dense.of(hg))
        assert_close(got, want, atol=case.atol, rtol=1e-7, msg=f"{case.name} on {name}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_raw_index_gives_identical_output(case: LayerCase):
    layer = _build(case)
    for _, hg in _graphs(case):
        x = _x(hg.num_nodes)
        with torch.no_grad():
            a = case.call(layer, x, hg)
            b = case.call(layer, x, hg.hyperedge_index, num_edges=hg.num_edges,
                          edge_weight=hg.edge_weight)
        assert torch.equal(a, b)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_node_permutation_equivariance(case: LayerCase):
    layer = _build(case)
    hg = hypergraphs(case.weighted)["random"]
    perm = torch.randperm(hg.num_nodes, generator=torch.Generator().manual_seed(3))
    new_id = torch.empty_like(perm)
    new_id[perm] = torch.arange(hg.num_nodes)
    node, edge = hg.hyperedge_index
    permuted = Hypergraph(torch.stack([new_id[node], edge]), num_nodes=hg.num_nodes,
                          num_edges=hg.num_edges, edge_weight=hg.edge_weight)
    x = _x(hg.num_nodes)
    with torch.no_grad():
        assert_close(case.call(layer, x[perm], permuted), case.call(layer, x, hg)[perm])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hyperedge_relabelling_invariance(case: LayerCase):
    layer = _build(case)
    for _, hg in _graphs(case):
        m = hg.num_edges
        relabel = torch.randperm(m, generator=torch.Generator().manual_seed(4))
        node, edge = hg.hyperedge_index
        order = torch.randperm(hg.nnz, generator=torch.Generator().manual_seed(5))
        w = None
        if hg.edge_weight is not None:
            w = torch.empty_like(hg.edge_weight)
            w[relabel] = hg.edge_weight
        other = Hypergraph(torch.stack([node, relabel[edge]])[:, order], num_nodes=hg.num_nodes,
                           num_edges=m, edge_weight=w)
        x = _x(hg.num_nodes)
        with torch.no_grad():
            assert_close(case.call(layer, x, other), case.call(layer, x, hg))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients_reach_every_parameter(case: LayerCase):
    layer = _build(case)
    hg = hypergraphs(case.weighted)["random"]
    x = _x(hg.num_nodes).requires_grad_()
    out = case.call(layer, x, hg)
    probe = torch.randn(out.shape, dtype=out.dtype, generator=torch.Generator().manual_seed(6))
    (out * probe).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    for name, p in layer.named_parameters():
        assert p.grad is not None, f"{case.name}: no gradient reaches {name}"
        assert torch.isfinite(p.grad).all(), f"{case.name}: non-finite gradient in {name}"
        assert p.grad.abs().sum() > 0, f"{case.name}: zero gradient in {name}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_float64(case: LayerCase):
    layer = _build(case)
    hg = hypergraphs(case.weighted)["degenerate"]
    x = _x(hg.num_nodes).requires_grad_()
    params = [p for p in layer.parameters() if p.requires_grad]
    names = [n for n, p in layer.named_parameters() if p.requires_grad]

    def fn(x, *values):
        return _call_with(layer, dict(zip(names, values, strict=True)), case, x, hg)

    assert gradcheck(fn, (x, *params), eps=1e-6, atol=1e-5)


def _call_with(layer, state, case, x, hg):
    originals = {n: p for n, p in layer.named_parameters()}
    try:
        for n, v in state.items():
            _set(layer, n, v)
        return case.call(layer, x, hg)
    finally:
        for n, p in originals.items():
            _set(layer, n, p)


def _set(module, name, value):
    *path, leaf = name.split(".")
    for part in path:
        module = getattr(module, part)
    module._parameters[leaf] = value


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_torch_compile_fullgraph(case: LayerCase):
    if case.compile is not True:
        pytest.skip(str(case.compile))
    torch._dynamo.reset()
    layer = _build(case)
    hg = hypergraphs(case.weighted)["random"]
    x = _x(hg.num_nodes)

    def run(x, hg):
        return case.call(layer, x, hg)

    compiled = torch.compile(run, fullgraph=True, backend="aot_eager")
    assert_close(compiled(x, hg), run(x, hg))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_clear_errors(case: LayerCase):
    layer = _build(case)
    hg = hypergraphs(case.weighted)["degenerate"]
    x = _x(hg.num_nodes)
    with pytest.raises(ValueError, match="'x' has 5 rows but the hypergraph has 6 nodes"):
        case.call(layer, x[:5], hg)
    with pytest.raises(TypeError, match="'x' to be a floating-point tensor"):
        case.call(layer, x.long(), hg)
    with pytest.raises(ValueError, match="in_channels=3"):
        case.call(layer, torch.randn(6, IN + 1, dtype=torch.float64), hg)
    with pytest.raises(ValueError, match="device"):
        case.call(layer, x.to("meta"), hg)
    with pytest.raises(TypeError, match="'hypergraph'"):
        case.call(layer, x, [[0, 1], [0, 0]])
