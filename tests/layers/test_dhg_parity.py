"""Numerical parity with DHG's HGNNConv / HGNNPConv given the same weights (needs ``dhg``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from torch.testing import assert_close

from hgkit import Hypergraph
from hgkit.hypergraph.convert import from_dhg, to_dhg
from hgkit.layers import HGNNConv, HGNNPConv

dhg = pytest.importorskip("dhg")

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
PAIRS = [(HGNNConv, "HGNNConv"), (HGNNPConv, "HGNNPConv")]


def _pair(ours_cls, theirs_name, fin, fout, seed=0):
    torch.manual_seed(seed)
    theirs = getattr(dhg.nn, theirs_name)(fin, fout, is_last=True)  # no activation / dropout
    ours = ours_cls(fin, fout)
    with torch.no_grad():
        ours.weight.copy_(theirs.theta.weight)
        ours.bias.copy_(theirs.theta.bias)
    return ours.eval(), theirs.eval()


def _random_hypergraph(seed: int) -> Hypergraph:
    gen = torch.Generator().manual_seed(seed)
    sizes = torch.randint(1, 9, (300,), generator=gen)
    node = torch.cat([torch.randperm(200, generator=gen)[:s] for s in sizes.tolist()])
    edge = torch.repeat_interleave(torch.arange(300), sizes)
    w = torch.rand(300, generator=gen) * 2 + 0.1
    return Hypergraph(torch.stack([node, edge]), num_nodes=210, num_edges=300, edge_weight=w)


def _compare(hg: Hypergraph, x: torch.Tensor, fout: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DHG's sparse-tensor beta warnings
        g = to_dhg(hg)
        same = from_dhg(g)  # DHG's own hyperedge order and merged duplicates
        for ours_cls, name in PAIRS:
            ours, theirs = _pair(ours_cls, name, x.size(1), fout)
            with torch.no_grad():
                assert_close(ours(x, same), theirs(x, g), atol=1e-5, rtol=1e-5,
                             msg=f"{name} differs from dhg.nn.{name}")


def test_parity_on_a_random_weighted_hypergraph():
    hg = _random_hypergraph(0)  # 10 isolated nodes, weighted, sizes 1-8
    _compare(hg, torch.randn(hg.num_nodes, 12), 5)


def test_parity_on_cocitation_cora():
    if not (SHARED / "allset-cocitation-cora" / "raw").is_dir():
        pytest.skip(f"allset-cocitation-cora not found under {SHARED}")
    from hgkit.datasets import load

    data = load("allset-cocitation-cora", root=SHARED, use_cache=False, progress=False)
    _compare(data.hypergraph, data.x.float(), 16)


@pytest.mark.parametrize("name", ["HGNN", "HGNNP"])
def test_two_layer_models_match_dhg_models(name):
    from hgkit.layers import models

    hg = _random_hypergraph(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = to_dhg(hg)
        same = from_dhg(g)
        torch.manual_seed(0)
        theirs = getattr(dhg.models, name)(12, 16, 5).eval()
        ours = getattr(models, name)(12, 16, 5).eval()
        with torch.no_grad():
            for conv, layer in zip(ours.convs, theirs.layers, strict=True):
                conv.weight.copy_(layer.theta.weight)
                conv.bias.copy_(layer.theta.bias)
            x = torch.randn(hg.num_nodes, 12)
            assert_close(ours(x, same), theirs(x, g), atol=1e-5, rtol=1e-5)
