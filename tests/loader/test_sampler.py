"""NeighborSampler: relabelling, fan-out and member caps, uniformity, exactness, errors."""

from __future__ import annotations

from collections import Counter

import pytest
import torch

from hgkit import Hypergraph
from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN
from hgkit.loader import NeighborSampler, SubgraphBatch, unique_first
from hgkit.ops import e2v, v2e


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def data():
    return hsbm(num_nodes=300, num_edges=200, seed=0)


def incidences(hg: Hypergraph) -> list[tuple[int, int]]:
    return [tuple(p) for p in hg.hyperedge_index.t().tolist()]


def original_incidences(batch: SubgraphBatch) -> list[tuple[int, int]]:
    node, edge = batch.hypergraph.hyperedge_index
    return list(zip(batch.n_id[node].tolist(), batch.e_id[edge].tolist(), strict=True))


def star(degree: int) -> Hypergraph:
    """Node 0 in ``degree`` hyperedges ``{0, e + 1}``; the other nodes have degree 1."""
    edges = torch.arange(degree)
    return Hypergraph(torch.stack([torch.cat([torch.zeros(degree, dtype=torch.long), edges + 1]),
                                   torch.cat([edges, edges])]))


# --------------------------------------------------------------------------- relabelling
def test_every_sampled_incidence_maps_back_to_a_distinct_original_incidence(data):
    hg = data.hypergraph
    batch = NeighborSampler(hg, [3, 2], member_cap=4).sample(torch.tensor([5, 17, 40]), gen())
    back = original_incidences(batch)
    assert batch.hypergraph.nnz > 0
    assert set(back) <= set(incidences(hg))
    assert len(back) == len(set(back))  # hsbm has no repeated incidences


def test_sample_holds_each_original_incidence_once_even_when_it_is_repeated():
    # (0, 0) is a repeated incidence: both copies may be sampled, but never one twice
    hg = Hypergraph(torch.tensor([[0, 0, 1], [0, 0, 0]]))
    batch = NeighborSampler(hg, [-1, -1]).sample(torch.tensor([0]), gen())
    assert sorted(original_incidences(batch)) == [(0, 0), (0, 0), (1, 0)]


def test_seeds_come_first_in_order_and_repeats_are_kept_once():
    hg = Hypergraph(torch.tensor([[0, 1, 2, 3, 4], [0, 0, 1, 1, 2]]))
    batch = NeighborSampler(hg, [-1]).sample(torch.tensor([3, 0, 3, 4, 0]), gen())
    assert batch.batch_size == 3
    assert batch.input_id.tolist() == [3, 0, 4]
    assert batch.seed_index.tolist() == [0, 1, 2]
    assert sorted(batch.n_id[3:].tolist()) == [1, 2]


def test_node_and_edge_ids_are_distinct(data):
    batch = NeighborSampler(data.hypergraph, [-1, -1]).sample(torch.arange(0, 300, 7), gen())
    assert torch.unique(batch.n_id).numel() == batch.n_id.numel() == batch.num_nodes
    assert torch.unique(batch.e_id).numel() == batch.e_id.numel() == batch.hypergraph.num_edges


def test_sample_accepts_a_list_of_seeds():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]))
    batch = NeighborSampler(hg, [-1]).sample([1], gen())
    assert batch.n_id.tolist() == [1, 0] and batch.e_id.tolist() == [0]


def test_two_hops_reach_the_two_hop_neighbourhood_of_a_path():
    # path 0 -e0- 1 -e1- 2 -e2- 3: two hops from node 0 stop at node 2 (e2 is never reached)
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 2, 3], [0, 0, 1, 1, 2, 2]]))
    batch = NeighborSampler(hg, [-1, -1]).sample(torch.tensor([0]), gen())
    assert batch.n_id.tolist() == [0, 1, 2]
    assert batch.e_id.tolist() == [0, 1]
    assert sorted(original_incidences(batch)) == [(0, 0), (1, 0), (1, 1), (2, 1)]


# --------------------------------------------------------------------------- fan-out
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_each_seed_keeps_min_k_degree_hyperedges_at_hop_one(k):
    # seeds 0 and 1 have degree 5 and 2 and share no hyperedge
    hg = Hypergraph(torch.tensor([[0, 0, 0, 0, 0, 1, 1, 2, 3],
                                  [0, 1, 2, 3, 4, 5, 6, 0, 6]]))
    batch = NeighborSampler(hg, [k]).sample(torch.tensor([0, 1]), gen(k))
    degree = torch.bincount(batch.hypergraph.hyperedge_index[0], minlength=batch.num_nodes)
    assert degree[:2].tolist() == [min(k, 5), min(k, 2)]


def test_fan_out_minus_one_keeps_every_hyperedge_of_the_seed():
    hg = star(6)
    batch = NeighborSampler(hg, [-1]).sample(torch.tensor([0]), gen())
    assert sorted(batch.e_id.tolist()) == list(range(6))
    assert batch.num_nodes == 7 and batch.hypergraph.nnz == 12


def test_fan_out_differs_per_hop():
    # node 0 -e0- node 1; node 1 is also in e1..e4 (with nodes 2..5)
    hg = Hypergraph(torch.tensor([[0, 1, 1, 1, 1, 1, 2, 3, 4, 5],
                                  [0, 0, 1, 2, 3, 4, 1, 2, 3, 4]]))
    assert NeighborSampler(hg, [-1, -1]).sample(torch.tensor([0])).e_id.numel() == 5
    for seed in range(10):
        batch = NeighborSampler(hg, [-1, 2]).sample(torch.tensor([0]), gen(seed))
        assert batch.e_id[0].item() == 0
        # hop 2: node 1 keeps 2 of its 5 hyperedges, which may include e0 again
        assert 2 <= batch.e_id.numel() <= 3
        assert batch.num_nodes == batch.e_id.numel() + 1


# --------------------------------------------------------------------------- member cap
def giant(size: int) -> Hypergraph:
    return Hypergraph(torch.stack([torch.arange(size), torch.zeros(size, dtype=torch.long)]))


@pytest.mark.parametrize("cap", [1, 5, 50])
def test_member_cap_bounds_a_giant_hyperedge_sampled_from_one_seed(cap):
    for seed in range(5):
        batch = NeighborSampler(giant(1000), [-1], member_cap=cap).sample(
            torch.tensor([seed * 100]), gen(seed))
        assert batch.hypergraph.edge_size.tolist()[0] <= cap + 1
        assert batch.hypergraph.nnz == batch.num_nodes  # one hyperedge, distinct members
        assert batch.num_nodes >= cap  # cap members drawn, possibly including the seed


def test_without_member_cap_a_giant_hyperedge_appears_whole():
    batch = NeighborSampler(giant(1000), [-1]).sample(torch.tensor([123]), gen())
    assert batch.hypergraph.edge_size.tolist() == [1000]
    assert sorted(batch.n_id.tolist()) == list(range(1000))


# --------------------------------------------------------------------------- uniformity
def test_fan_out_one_picks_each_hyperedge_uniformly():
    sampler, g = NeighborSampler(star(4), [1]), gen(0)
    counts = Counter(sampler.sample(torch.tensor([0]), g).e_id.item() for _ in range(4000))
    assert sorted(counts) == [0, 1, 2, 3]
    assert all(850 <= c <= 1150 for c in counts.values()), counts


def test_member_cap_one_picks_each_member_uniformly():
    # seed 0 reaches e0 = {0, 1, 2, 3}; the cap draws one of its four incidences (the seed's
    # own included, in which case the sample holds the seed alone)
    sampler, g = NeighborSampler(giant(4), [-1], member_cap=1), gen(0)
    picks = []
    for _ in range(4000):
        n_id = sampler.sample(torch.tensor([0]), g).n_id
        picks.append(n_id[1].item() if n_id.numel() == 2 else 0)
    counts = Counter(picks)
    assert sorted(counts) == [0, 1, 2, 3]
    assert all(850 <= c <= 1150 for c in counts.values()), counts


# --------------------------------------------------------------------------- exactness
def mean_two_layers(x: torch.Tensor, hg: Hypergraph) -> torch.Tensor:
    for _ in range(2):
        x = e2v(v2e(x, hg, "mean"), hg, "mean")
    return x


def test_unsampled_two_hop_neighbourhood_gives_exact_two_layer_outputs(data):
    seeds = torch.tensor([3, 99, 150, 7, 250])
    batch = NeighborSampler(data.hypergraph, [-1, -1]).sample(seeds, gen())
    assert batch.num_nodes < data.hypergraph.num_nodes  # a real subgraph, not the whole
    full = mean_two_layers(data.x, data.hypergraph)[seeds]
    local = mean_two_layers(data.x[batch.n_id], batch.hypergraph)[:batch.batch_size]
    torch.testing.assert_close(local, full)


def test_one_hop_is_not_enough_for_two_layers(data):
    # guards the test above: a too-small neighbourhood must change the outputs
    seeds = torch.tensor([3, 99, 150, 7, 250])
    batch = NeighborSampler(data.hypergraph, [-1]).sample(seeds, gen())
    full = mean_two_layers(data.x, data.hypergraph)[seeds]
    local = mean_two_layers(data.x[batch.n_id], batch.hypergraph)[:batch.batch_size]
    assert not torch.allclose(local, full)


def test_hgnn_runs_on_a_sampled_batch(data):
    batch = NeighborSampler(data.hypergraph, [5, 5], member_cap=8).sample(
        torch.arange(16), gen())
    model = HGNN(data.num_features, 8, data.num_classes)
    out = model(data.x[batch.n_id], batch.hypergraph)
    assert out.shape == (batch.num_nodes, data.num_classes)
    assert bool(torch.isfinite(out).all())


# --------------------------------------------------------------------------- fields
def test_weights_and_attributes_travel_with_the_sample():
    index = torch.tensor([[0, 1, 1, 2, 3, 4], [0, 0, 1, 1, 2, 3]])
    hg = Hypergraph(index, num_nodes=6, num_edges=5,
                    edge_weight=torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]),
                    node_weight=torch.tensor([10.0, 20.0, 30.0, 40.0, 50.0, 60.0]),
                    edge_attr=torch.arange(10.0).view(5, 2),
                    node_attr=torch.arange(18.0).view(6, 3),
                    incidence_attr=torch.arange(100.0, 106.0).view(6, 1))
    batch = NeighborSampler(hg, [-1, -1]).sample(torch.tensor([2, 3]), gen())
    sub = batch.hypergraph
    assert sorted(batch.n_id.tolist()) == [0, 1, 2, 3] and sorted(batch.e_id.tolist()) == [0, 1, 2]
    assert torch.equal(sub.edge_weight, hg.edge_weight[batch.e_id])
    assert torch.equal(sub.edge_attr, hg.edge_attr[batch.e_id])
    assert torch.equal(sub.node_weight, hg.node_weight[batch.n_id])
    assert torch.equal(sub.node_attr, hg.node_attr[batch.n_id])
    # incidence k of the original is column k of ``index``: its attribute is 100 + k
    position = {pair: k for k, pair in enumerate(incidences(hg))}
    expected = [[100.0 + position[pair]] for pair in original_incidences(batch)]
    assert sub.incidence_attr.tolist() == expected


def test_absent_fields_stay_absent():
    batch = NeighborSampler(star(2), [-1]).sample(torch.tensor([0]), gen())
    sub = batch.hypergraph
    assert sub.edge_weight is None and sub.node_weight is None and sub.edge_attr is None
    assert sub.node_attr is None and sub.incidence_attr is None


# --------------------------------------------------------------------------- determinism
def same_batch(a: SubgraphBatch, b: SubgraphBatch) -> bool:
    return (torch.equal(a.n_id, b.n_id) and torch.equal(a.e_id, b.e_id)
            and torch.equal(a.hypergraph.hyperedge_index, b.hypergraph.hyperedge_index))


def test_same_generator_seed_gives_the_same_batch(data):
    sampler = NeighborSampler(data.hypergraph, [2, 2], member_cap=3)
    seeds = torch.arange(0, 300, 10)
    assert same_batch(sampler.sample(seeds, gen(7)), sampler.sample(seeds, gen(7)))
    other = NeighborSampler(data.hypergraph, [2, 2], member_cap=3)
    assert same_batch(sampler.sample(seeds, gen(7)), other.sample(seeds, gen(7)))


def test_different_generator_seeds_give_different_batches(data):
    sampler = NeighborSampler(data.hypergraph, [2, 2], member_cap=3)
    seeds = torch.arange(0, 300, 10)
    assert not same_batch(sampler.sample(seeds, gen(7)), sampler.sample(seeds, gen(8)))


def test_sampler_leaves_its_maps_clean(data):
    sampler = NeighborSampler(data.hypergraph, [3, 3], member_cap=4)
    seeds = torch.tensor([1, 2, 3, 200])
    g = gen(11)
    state = g.get_state()
    first = sampler.sample(seeds, g)
    for table in (sampler._node_map, sampler._edge_map, sampler._inc_map):
        assert bool((table == -1).all())
    g.set_state(state)
    assert same_batch(sampler.sample(seeds, g), first)


def test_maps_are_clean_after_a_rejected_sample():
    sampler = NeighborSampler(star(3), [-1])
    with pytest.raises(IndexError, match="'seeds'"):
        sampler.sample(torch.tensor([0, 9]))
    batch = sampler.sample(torch.tensor([0]), gen())
    assert batch.num_nodes == 4 and bool((sampler._node_map == -1).all())


# --------------------------------------------------------------------------- edge cases
def test_isolated_seed_gives_a_single_node_batch():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3)
    batch = NeighborSampler(hg, [2, 2]).sample(torch.tensor([2]), gen())
    assert (batch.num_nodes, batch.hypergraph.num_edges, batch.hypergraph.nnz) == (1, 0, 0)
    assert batch.n_id.tolist() == [2] and batch.e_id.tolist() == []
    assert batch.hypergraph.hyperedge_index.shape == (2, 0)


def test_empty_hyperedges_are_never_sampled():
    # hyperedges 0 and 2 are empty
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [1, 1, 3, 3]]), num_edges=4)
    batch = NeighborSampler(hg, [-1, -1]).sample(torch.tensor([0]), gen())
    assert batch.e_id.tolist() == [1, 3]
    assert batch.n_id.tolist() == [0, 1, 2]


def test_nnz_zero_hypergraph():
    hg = Hypergraph(torch.zeros(2, 0, dtype=torch.long), num_nodes=2, num_edges=1)
    batch = NeighborSampler(hg, [1]).sample(torch.tensor([1, 0]), gen())
    assert batch.n_id.tolist() == [1, 0] and batch.hypergraph.nnz == 0


def test_repr_names_the_settings():
    text = repr(NeighborSampler(star(2), [3, -1], member_cap=4))
    assert "num_neighbors=[3, -1]" in text and "member_cap=4" in text


@pytest.mark.parametrize("seeds, error, match", [
    (torch.tensor([], dtype=torch.long), ValueError, "'seeds'"),
    (torch.tensor([0, 3]), IndexError, "'seeds' holds id 3 but num_nodes=3"),
    (torch.tensor([-1]), IndexError, "'seeds' holds negative id -1"),
    (torch.tensor([[0]]), ValueError, "'seeds'"),
    (torch.tensor([0.0]), TypeError, "'seeds'"),
])
def test_bad_seeds_are_rejected(seeds, error, match):
    with pytest.raises(error, match=match):
        NeighborSampler(star(2), [1]).sample(seeds)


@pytest.mark.parametrize("value", [0, -2, [], "a", True, [2, 0], [1.5], [True]])
def test_bad_num_neighbors_is_rejected(value):
    with pytest.raises(ValueError, match="'num_neighbors'"):
        NeighborSampler(star(2), value)


def test_an_int_num_neighbors_means_one_hop():
    assert NeighborSampler(star(2), 3).num_neighbors == (3,)


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_bad_member_cap_is_rejected(value):
    with pytest.raises(ValueError, match="'member_cap'"):
        NeighborSampler(star(2), [1], member_cap=value)


def test_non_hypergraph_input_is_rejected():
    with pytest.raises(TypeError, match="'hypergraph'"):
        NeighborSampler(torch.tensor([[0, 1], [0, 0]]), [1])


# --------------------------------------------------------------------------- unique_first
def test_unique_first_keeps_first_occurrence_order():
    values = torch.tensor([5, 2, 5, 7, 2, 9, 7])
    uniq, inverse = unique_first(values)
    assert uniq.tolist() == [5, 2, 7, 9]
    assert inverse.tolist() == [0, 1, 0, 2, 1, 3, 2]
    assert torch.equal(uniq[inverse], values)


def test_unique_first_inverse_reconstructs_random_input():
    values = torch.randint(0, 20, (200,), generator=gen(3))
    uniq, inverse = unique_first(values)
    assert torch.equal(uniq[inverse], values)
    assert uniq.tolist() == list(dict.fromkeys(values.tolist()))


def test_unique_first_of_nothing_is_nothing():
    uniq, inverse = unique_first(torch.tensor([], dtype=torch.long))
    assert uniq.numel() == 0 and inverse.numel() == 0
