"""Shared fixtures for the ops tests: one run per available backend, small literal inputs."""

from __future__ import annotations

import pytest
import torch

from hgkit import Hypergraph
from hgkit.ops import _dispatch, available_backends, use_backend

# Collected once: CI runs every test on each backend usable here, so the compiled ("native")
# and the fallback ("torch") paths are both exercised.
BACKENDS = available_backends()
REDUCES = ("sum", "mean", "max", "min")
DTYPES = (torch.float32, torch.float64)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Run the test with ``request.param`` forced (HGKIT_BACKEND cleared)."""
    monkeypatch.delenv("HGKIT_BACKEND", raising=False)
    with use_backend(request.param):
        yield request.param


@pytest.fixture(autouse=True)
def _fresh_dispatch(monkeypatch: pytest.MonkeyPatch):
    """Every test starts with fresh availability caches and no remembered warnings."""
    monkeypatch.delenv("HGKIT_BACKEND", raising=False)
    _dispatch._reset()
    yield
    _dispatch._reset()


def skip_unless_supported(backend: str, op: str, reduce: str | None) -> None:
    """Skip combinations a forced backend leaves to another one (e.g. ``sparse`` + ``max``)."""
    if not _dispatch._supports(backend, op, reduce, torch.device("cpu"), torch.float64):
        pytest.skip(f"{backend} does not implement {op}/{reduce}")


def small_hypergraph() -> Hypergraph:
    """6 nodes, 5 hyperedges: hyperedge 2 is empty, node 5 isolated, (1, 1) repeated."""
    index = torch.tensor([
        [0, 1, 2, 1, 3, 1, 4, 2, 3, 4, 0],
        [0, 0, 0, 1, 1, 1, 3, 4, 4, 4, 4],
    ])
    return Hypergraph(index, num_nodes=6, num_edges=5)


def random_hypergraph(seed: int, num_nodes: int = 9, num_edges: int = 7, nnz: int = 30,
                      ) -> Hypergraph:
    """Random incidences in shuffled order (isolated nodes / empty hyperedges likely)."""
    gen = torch.Generator().manual_seed(seed)
    index = torch.stack([
        torch.randint(0, num_nodes, (nnz,), generator=gen),
        torch.randint(0, num_edges - 1, (nnz,), generator=gen),  # last hyperedge empty
    ])
    return Hypergraph(index, num_nodes=num_nodes, num_edges=num_edges)


def distinct(*shape: int, dtype: torch.dtype = torch.float64, seed: int = 0) -> torch.Tensor:
    """Values without ties (well separated), so max/min gradients are well defined."""
    gen = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    values = torch.randperm(n, generator=gen).to(dtype) / n - 0.5
    return (values + 0.1 * torch.rand(n, generator=gen, dtype=dtype) / n).view(shape)
