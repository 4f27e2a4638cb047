"""NeighborLoader, HyperedgeLoader and partition: epochs, coverage, ranks, slicing, errors."""

from __future__ import annotations

import pytest
import torch

from hgkit import Hypergraph
from hgkit.hypergraph.generate import hsbm
from hgkit.loader import HyperedgeBatch, HyperedgeLoader, NeighborLoader, partition


@pytest.fixture(scope="module")
def data():
    return hsbm(num_nodes=60, num_edges=40, seed=0)


def input_ids(loader) -> list[int]:
    return torch.cat([batch.input_id for batch in loader]).tolist()


def batches_equal(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        torch.equal(x.n_id, y.n_id) and torch.equal(x.e_id, y.e_id)
        and torch.equal(x.hypergraph.hyperedge_index, y.hypergraph.hyperedge_index)
        for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- partition
def test_partition_deals_every_world_size_th_item():
    order = torch.tensor([7, 3, 9, 1, 4, 6])
    assert partition(order, 0, 3).tolist() == [7, 1]
    assert partition(order, 1, 3).tolist() == [3, 4]
    assert partition(order, 2, 3).tolist() == [9, 6]


def test_partition_pads_by_wrapping_around_to_the_start():
    order = torch.tensor([7, 3, 9, 1, 4])
    assert partition(order, 0, 2).tolist() == [7, 9, 4]
    assert partition(order, 1, 2).tolist() == [3, 1, 7]  # 7 = order[0], the padding


def test_partition_wraps_more_than_once_when_ranks_outnumber_items():
    order = torch.tensor([5, 8])
    assert [partition(order, r, 5).tolist() for r in range(5)] == [[5], [8], [5], [8], [5]]


def test_partition_with_one_rank_is_the_identity():
    order = torch.tensor([2, 0, 1])
    assert partition(order, 0, 1).tolist() == [2, 0, 1]


# --------------------------------------------------------------------------- NeighborLoader
@pytest.mark.parametrize("drop_last, expected", [(False, 5), (True, 4)])
def test_len_counts_batches(data, drop_last, expected):
    loader = NeighborLoader(data.hypergraph, [2], input_nodes=torch.arange(18), batch_size=4,
                            drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_drop_last_drops_only_the_short_batch(data):
    loader = NeighborLoader(data.hypergraph, [2], input_nodes=torch.arange(18), batch_size=4,
                            drop_last=True)
    assert [b.batch_size for b in loader] == [4, 4, 4, 4]
    loader = NeighborLoader(data.hypergraph, [2], input_nodes=torch.arange(18), batch_size=4)
    assert [b.batch_size for b in loader] == [4, 4, 4, 4, 2]


def test_an_epoch_covers_every_input_node_exactly_once(data):
    loader = NeighborLoader(data.hypergraph, [3, 3], input_nodes=data.train_mask,
                            batch_size=7, shuffle=True, member_cap=5, seed=3)
    ids = input_ids(loader)
    assert sorted(ids) == data.train_mask.nonzero().flatten().tolist()


def test_default_input_nodes_are_all_nodes_in_order(data):
    loader = NeighborLoader(data.hypergraph, [1], batch_size=25)
    assert input_ids(loader) == list(range(60))


def test_bool_mask_and_index_input_nodes_are_equivalent(data):
    mask = torch.zeros(60, dtype=torch.bool)
    mask[[4, 9, 10, 33, 51]] = True
    a = NeighborLoader(data.hypergraph, [2, 2], input_nodes=mask, batch_size=2, shuffle=True)
    b = NeighborLoader(data.hypergraph, [2, 2], input_nodes=torch.tensor([4, 9, 10, 33, 51]),
                       batch_size=2, shuffle=True)
    assert torch.equal(a.input_nodes, b.input_nodes)
    assert batches_equal(list(a), list(b))


def test_shuffle_draws_a_new_order_each_epoch_and_set_epoch_replays_one(data):
    loader = NeighborLoader(data.hypergraph, [2, 2], batch_size=8, shuffle=True, seed=5)
    epoch0, epoch1 = list(loader), list(loader)
    ids0 = torch.cat([b.input_id for b in epoch0]).tolist()
    ids1 = torch.cat([b.input_id for b in epoch1]).tolist()
    assert ids0 != ids1 and sorted(ids0) == sorted(ids1) == list(range(60))
    assert ids0 != list(range(60))
    loader.set_epoch(0)
    assert batches_equal(list(loader), epoch0)
    assert loader.epoch == 1


def test_same_seed_same_batches_different_seed_different_batches(data):
    def run(seed: int) -> list:
        return list(NeighborLoader(data.hypergraph, [2, 2], batch_size=16, shuffle=True,
                                   member_cap=3, seed=seed))
    assert batches_equal(run(1), run(1))
    assert not batches_equal(run(1), run(2))


def test_neighbourhood_draws_change_between_epochs_without_shuffle(data):
    loader = NeighborLoader(data.hypergraph, [1, 1], batch_size=60)
    (a,), (b,) = list(loader), list(loader)
    assert torch.equal(a.input_id, b.input_id)
    assert not torch.equal(a.e_id, b.e_id)


def test_x_and_y_are_sliced_by_n_id(data):
    loader = NeighborLoader(data.hypergraph, [2, 2], batch_size=16, x=data.x, y=data.y)
    for batch in loader:
        assert torch.equal(batch.x, data.x[batch.n_id])
        assert torch.equal(batch.y, data.y[batch.n_id])
        assert batch.x.size(0) == batch.num_nodes


def test_without_x_and_y_the_batch_has_none(data):
    batch = next(iter(NeighborLoader(data.hypergraph, [2], batch_size=4)))
    assert batch.x is None and batch.y is None


@pytest.mark.parametrize("shuffle", [False, True])
def test_two_ranks_split_an_epoch_disjointly_up_to_padding(data, shuffle):
    inputs = torch.arange(0, 55, 5)  # 11 inputs: one padding item for world_size=2
    loaders = [NeighborLoader(data.hypergraph, [2], input_nodes=inputs, batch_size=4,
                              shuffle=shuffle, seed=9, rank=r, world_size=2) for r in (0, 1)]
    assert len(loaders[0]) == len(loaders[1]) == 2
    ids0, ids1 = input_ids(loaders[0]), input_ids(loaders[1])
    assert len(ids0) == len(ids1) == 6
    assert set(ids0) | set(ids1) == set(inputs.tolist())
    common = set(ids0) & set(ids1)
    assert len(common) == 1  # the padding, wrapped around from the start of the order
    assert ids1[-1] in common and ids0[0] in common


def test_ranks_draw_different_neighbourhoods():
    # nodes 0 and 1 share the same 20 hyperedges; rank r samples 5 of them around node r
    edges = torch.arange(20)
    hg = Hypergraph(torch.stack([torch.cat([torch.zeros(20, dtype=torch.long),
                                            torch.ones(20, dtype=torch.long)]),
                                 torch.cat([edges, edges])]))
    loaders = [NeighborLoader(hg, [5], batch_size=1, seed=0, rank=r, world_size=2)
               for r in (0, 1)]
    (a,), (b,) = list(loaders[0]), list(loaders[1])
    assert a.input_id.tolist() == [0] and b.input_id.tolist() == [1]
    assert a.e_id.numel() == b.e_id.numel() == 5
    assert set(a.e_id.tolist()) != set(b.e_id.tolist())


def test_repr_names_the_settings(data):
    text = repr(NeighborLoader(data.hypergraph, [2, -1], batch_size=8, member_cap=3))
    assert "num_neighbors=[2, -1]" in text and "member_cap=3" in text and "batch_size=8" in text


@pytest.mark.parametrize("kwargs, error, match", [
    ({"input_nodes": torch.tensor([1, 2, 1])}, ValueError, "'input_nodes'.*distinct"),
    ({"input_nodes": torch.zeros(59, dtype=torch.bool)}, ValueError,
     r"'input_nodes'.*shape \[60\]"),
    ({"input_nodes": torch.tensor([60])}, IndexError, "'input_nodes' holds id 60"),
    ({"input_nodes": torch.tensor([-1])}, IndexError, "'input_nodes' holds negative id"),
    ({"x": torch.zeros(59, 3)}, ValueError, "'x'.*60 rows"),
    ({"y": torch.zeros(61)}, ValueError, "'y'.*60 rows"),
    ({"rank": 2, "world_size": 2}, ValueError, "'rank'.*world_size=2"),
    ({"world_size": 0}, ValueError, "'world_size'"),
    ({"batch_size": 0}, ValueError, "'batch_size'"),
    ({"shuffle": 1}, TypeError, "'shuffle'"),
    ({"member_cap": 0}, ValueError, "'member_cap'"),
])
def test_neighbor_loader_rejects_bad_arguments(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        NeighborLoader(data.hypergraph, [2], **kwargs)


def test_neighbor_loader_rejects_a_non_hypergraph():
    with pytest.raises(TypeError, match="'hypergraph'"):
        NeighborLoader(torch.tensor([[0, 1], [0, 0]]), [2])


def test_set_epoch_rejects_a_negative_epoch(data):
    with pytest.raises(ValueError, match="'epoch'"):
        NeighborLoader(data.hypergraph, [2]).set_epoch(-1)


# --------------------------------------------------------------------------- HyperedgeLoader
CANDIDATES = [{0, 1}, {3, 4}, {1, 4}, {5}, {0, 2, 5}]


@pytest.fixture
def hg():
    return Hypergraph(torch.tensor([[0, 1, 2, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1, 2]]))


def as_index(sets: list[set[int]]) -> torch.Tensor:
    pairs = [(v, c) for c, s in enumerate(sets) for v in sorted(s)]
    return torch.tensor(pairs).t().contiguous()


def test_target_index_maps_back_to_the_candidates(hg):
    loader = HyperedgeLoader(hg, CANDIDATES, [-1], batch_size=2, shuffle=True, seed=1)
    seen = []
    for batch in loader:
        assert isinstance(batch, HyperedgeBatch)
        assert bool((batch.target_index[0] < batch.batch_size).all())  # members are seeds
        for slot, cand in enumerate(batch.target_id.tolist()):
            members = batch.n_id[batch.target_index[0][batch.target_index[1] == slot]]
            assert set(members.tolist()) == CANDIDATES[cand]
        seen += batch.target_id.tolist()
    assert sorted(seen) == list(range(5)) and len(loader) == 3


def test_seeds_are_the_distinct_members_of_the_batch(hg):
    loader = HyperedgeLoader(hg, [[0, 1], [1, 4]], [-1], batch_size=2)
    batch = next(iter(loader))
    assert batch.input_id.tolist() == [0, 1, 4]
    assert batch.target_index.tolist() == [[0, 1, 1, 2], [0, 0, 1, 1]]
    assert batch.num_targets == 2


def test_candidates_as_sets_and_as_index_tensor_are_equivalent(hg):
    a = HyperedgeLoader(hg, CANDIDATES, [-1, 1], batch_size=2, shuffle=True, seed=4)
    b = HyperedgeLoader(hg, as_index(CANDIDATES), [-1, 1], batch_size=2, shuffle=True, seed=4)
    for x, y in zip(a, b, strict=True):
        assert torch.equal(x.target_id, y.target_id)
        assert torch.equal(x.n_id, y.n_id) and torch.equal(x.e_id, y.e_id)
        assert torch.equal(x.target_index, y.target_index)


def test_index_tensor_columns_may_come_in_any_order(hg):
    index = as_index(CANDIDATES)
    shuffled = index[:, torch.randperm(index.size(1), generator=torch.Generator().manual_seed(0))]
    batch = next(iter(HyperedgeLoader(hg, shuffled, [-1], batch_size=5)))
    for slot in range(5):
        members = batch.n_id[batch.target_index[0][batch.target_index[1] == slot]]
        assert set(members.tolist()) == CANDIDATES[slot]


def test_labels_are_sliced_into_target_y(hg):
    labels = torch.tensor([1, 1, 0, 0, 1])
    loader = HyperedgeLoader(hg, CANDIDATES, [-1], labels=labels, batch_size=2, shuffle=True)
    for batch in loader:
        assert torch.equal(batch.target_y, labels[batch.target_id])
    batch = next(iter(HyperedgeLoader(hg, CANDIDATES, [-1], batch_size=2)))
    assert batch.target_y is None


def test_hyperedge_loader_slices_x_and_y(hg):
    x, y = torch.arange(12.0).view(6, 2), torch.tensor([0, 1, 0, 1, 0, 1])
    for batch in HyperedgeLoader(hg, CANDIDATES, [-1], batch_size=2, x=x, y=y):
        assert torch.equal(batch.x, x[batch.n_id]) and torch.equal(batch.y, y[batch.n_id])


def test_hyperedge_loader_len_and_ranks(hg):
    loaders = [HyperedgeLoader(hg, CANDIDATES, [-1], batch_size=2, rank=r, world_size=2)
               for r in (0, 1)]
    assert len(loaders[0]) == len(loaders[1]) == 2
    ids = [torch.cat([b.target_id for b in ld]).tolist() for ld in loaders]
    assert ids == [[0, 2, 4], [1, 3, 0]]


@pytest.mark.parametrize("candidates, kwargs, error, match", [
    ([{0, 1}, set()], {}, ValueError, "Candidate hyperedge 1 is empty"),
    ([], {}, ValueError, "at least one candidate"),
    ([{0, 6}], {}, IndexError, "'hyperedges' holds id 6 but num_nodes=6"),
    ([{0, -1}], {}, IndexError, "'hyperedges' holds negative id -1"),
    ([{0, 1}, {2}], {"labels": torch.tensor([1, 0, 1])}, ValueError, "'labels'.*2 rows"),
    ([{0, 1}, {2}], {"labels": [1, 0]}, ValueError, "'labels'"),
    (torch.tensor([0, 1, 2]), {}, ValueError, r"'hyperedges'.*shape \[2, k\]"),
    (torch.tensor([[0, 1, 2]] * 3), {}, ValueError, r"'hyperedges'.*shape \[2, k\]"),
    (torch.tensor([[0, 1], [0, 2]]), {}, ValueError, "Candidate hyperedge 1 is empty"),
    (torch.tensor([[0, 1], [0, -1]]), {}, IndexError, r"'hyperedges\[1\]'"),
    (torch.tensor([[0.0], [0.0]]), {}, TypeError, "'hyperedges'"),
    (5, {}, TypeError, "'hyperedges'"),
])
def test_hyperedge_loader_rejects_bad_candidates(hg, candidates, kwargs, error, match):
    with pytest.raises(error, match=match):
        HyperedgeLoader(hg, candidates, [-1], **kwargs)
