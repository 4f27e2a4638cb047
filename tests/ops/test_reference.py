"""The reference semantics (hgkit.ops.reference) on literal inputs and dense references.

Everything else is tested against these functions, so they are pinned down here by hand.
"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from hgkit import Hypergraph
from hgkit.ops import reference as ref

from .conftest import small_hypergraph

SRC = torch.tensor([1.0, 5.0, 2.0, -3.0])
INDEX = torch.tensor([0, 0, 3, 3])  # rows 1 and 2 are empty


@pytest.mark.parametrize("reduce, expected", [
    ("sum", [6.0, 0.0, 0.0, -1.0]),
    ("mean", [3.0, 0.0, 0.0, -0.5]),
    ("max", [5.0, 0.0, 0.0, 2.0]),
    ("min", [1.0, 0.0, 0.0, -3.0]),
])
def test_scatter_literal_and_empty_rows_are_zero(reduce, expected):
    assert_close(ref.scatter(SRC, INDEX, 4, reduce), torch.tensor(expected))


def test_scatter_keeps_trailing_dimensions():
    src = torch.arange(12.0).view(4, 3)
    out = ref.scatter(src, INDEX, 4, "sum")
    assert out.shape == (4, 3)
    assert_close(out[0], src[0] + src[1])


def test_segment_equals_scatter_of_sorted_rows():
    ptr = torch.tensor([0, 2, 2, 2, 4])
    for reduce in ("sum", "mean", "max", "min"):
        assert_close(ref.segment(SRC, ptr, reduce), ref.scatter(SRC, INDEX, 4, reduce))


def test_softmax_literal():
    out = ref.softmax(torch.tensor([0.0, 0.0, 1.0]), torch.tensor([2, 2, 0]), num_segments=3)
    assert_close(out, torch.tensor([0.5, 0.5, 1.0]))


def test_softmax_is_stable_for_large_scores():
    out = ref.softmax(torch.tensor([1000.0, 1000.0]), ptr=torch.tensor([0, 2]))
    assert_close(out, torch.tensor([0.5, 0.5]))


def test_spmm_sum_is_sparse_matrix_product():
    ptr, col = torch.tensor([0, 2, 2, 4]), torch.tensor([0, 2, 1, 2])
    weight = torch.tensor([1.0, 2.0, 3.0, 4.0])
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    dense = torch.tensor([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.0, 3.0, 4.0]])
    assert_close(ref.spmm(ptr, col, weight, x, 3, "sum"), dense @ x)


def test_spmm_mean_divides_by_entry_count_not_weight_sum():
    ptr, col = torch.tensor([0, 2]), torch.tensor([0, 1])
    out = ref.spmm(ptr, col, torch.tensor([2.0, 4.0]), torch.tensor([1.0, 1.0]), 1, "mean")
    assert_close(out, torch.tensor([3.0]))


def test_sddmm_literal():
    ptr, col = torch.tensor([0, 2, 3]), torch.tensor([0, 1, 1])
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    assert_close(ref.sddmm(ptr, col, a, b), torch.tensor([3.0, 2.0, 4.0]))


def dense_incidence(hg: Hypergraph, weight: torch.Tensor | None = None) -> torch.Tensor:
    """``H`` with the (summed) per-incidence weights as entries."""
    node, edge = hg.hyperedge_index
    values = torch.ones(hg.nnz, dtype=torch.float64) if weight is None else weight
    h = torch.zeros(hg.num_nodes, hg.num_edges, dtype=torch.float64)
    return h.index_put_((node, edge), values, accumulate=True)


def test_v2e_and_e2v_sum_are_weighted_incidence_products():
    hg = small_hypergraph()
    weight = torch.linspace(0.5, 1.5, hg.nnz, dtype=torch.float64)
    x = torch.randn(hg.num_nodes, 3, dtype=torch.float64)
    y = torch.randn(hg.num_edges, 3, dtype=torch.float64)
    hw = dense_incidence(hg, weight)
    assert_close(ref.v2e(x, hg, "sum", weight), hw.t() @ x)
    assert_close(ref.e2v(y, hg, "sum", weight), hw @ y)


def test_v2e_mean_uses_hyperedge_sizes_and_zero_for_empty_hyperedges():
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2, dtype=torch.float64)
    h = dense_incidence(hg)
    size = h.sum(0).clamp(min=1)
    assert_close(ref.v2e(x, hg, "mean"), (h.t() @ x) / size[:, None])
    assert torch.all(ref.v2e(x, hg, "max")[2] == 0)  # hyperedge 2 is empty


def test_v2v_is_two_stage_product():
    hg = small_hypergraph()
    x = torch.randn(hg.num_nodes, 2, dtype=torch.float64)
    h = dense_incidence(hg)
    assert_close(ref.v2v(x, hg), h @ (h.t() @ x))
    assert_close(ref.v2v(x, hg)[5], torch.zeros(2, dtype=torch.float64))  # isolated node


def test_v2e_max_literal():
    hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3, num_edges=2)
    x = torch.tensor([[1.0, 9.0], [4.0, -2.0], [-7.0, -8.0]])
    assert_close(ref.v2e(x, hg, "max"), torch.tensor([[4.0, 9.0], [-7.0, -8.0]]))
    assert_close(ref.v2e(x, hg, "min"), torch.tensor([[1.0, -2.0], [-7.0, -8.0]]))
