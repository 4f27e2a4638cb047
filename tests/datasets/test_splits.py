"""Tests for hgkit.datasets.splits: every protocol's exact procedure, sizes and invariants."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import Hypergraph
from hgkit.datasets.data import GraphDataset, HypergraphData, TemporalHypergraph
from hgkit.datasets.splits import (
    InductiveSplit,
    Split,
    ehgnn_folds,
    fixed_splits,
    inductive_split,
    kfold_split,
    load_splits,
    per_class_split,
    random_split,
    random_splits,
    save_splits,
    time_cutoff,
    time_split,
)

from .conftest import SHARED


def t(*values):
    return torch.tensor(values, dtype=torch.long)


def as_set(tensor):
    return set(tensor.tolist())


def assert_partition(split, ids):
    parts = [as_set(split.train), as_set(split.val), as_set(split.test)]
    assert sum(len(p) for p in parts) == len(ids)
    assert set().union(*parts) == set(ids)


# ---------------------------------------------------------------------- Split container
def test_split_converts_lists_to_int64():
    s = Split([0, 2], [], np.array([1], dtype=np.int32))
    assert s.train.dtype == s.val.dtype == s.test.dtype == torch.long
    assert s.sizes == (2, 0, 1)


def test_split_masks():
    train, val, test = Split(t(0, 3), t(1), t(4)).masks(5)
    assert train.tolist() == [True, False, False, True, False]
    assert val.tolist() == [False, True, False, False, False]
    assert test.tolist() == [False, False, False, False, True]


def test_split_masks_reject_id_beyond_num_nodes():
    with pytest.raises(IndexError, match="'test' holds id 4 but num_nodes=4"):
        Split(t(0), t(1), t(4)).masks(4)


def test_split_rejects_overlap_between_parts():
    with pytest.raises(ValueError, match="Id 2 is in both 'train' and 'test'"):
        Split(t(0, 2), t(1), t(2))


def test_split_rejects_repeated_id():
    with pytest.raises(ValueError, match="'val' holds id 1 more than once"):
        Split(t(0), t(1, 1), t(2))


def test_split_rejects_negative_and_non_integer_ids():
    with pytest.raises(IndexError, match="'train' holds negative id -1"):
        Split(t(-1), t(), t())
    with pytest.raises(TypeError, match="Expected 'test' to hold integers"):
        Split(t(0), t(), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="Expected 'train' to be 1-dimensional"):
        Split(torch.zeros(2, 2, dtype=torch.long), t(), t())


def test_split_from_dict_accepts_valid_key_and_missing_val():
    assert Split.from_dict({"train": t(0), "valid": t(1), "test": t(2)}) == Split(t(0), t(1), t(2))
    assert Split.from_dict({"train": t(0), "test": t(2)}).sizes == (1, 0, 1)
    with pytest.raises(KeyError, match="lacks key 'test'"):
        Split.from_dict({"train": t(0)})


def test_split_equality_compares_contents():
    assert Split(t(0), t(1), t(2)) == Split([0], [1], [2])
    assert Split(t(0), t(1), t(2)) != Split(t(1), t(0), t(2))


# ---------------------------------------------------------------------- random_split
@pytest.mark.parametrize("n, sizes", [(10, (5, 2, 3)), (7, (3, 1, 3)), (1, (0, 0, 1)),
                                      (0, (0, 0, 0)), (2708, (1354, 677, 677))])
def test_random_split_sizes_truncate(n, sizes):
    assert random_split(n).sizes == sizes


def test_random_split_truncates_in_floating_point_like_the_reference():
    # int(100 * 0.57) == 56 because 100 * 0.57 == 56.99999999999999
    assert random_split(100, train=0.57, val=0.0).sizes == (56, 0, 44)


def test_random_split_matches_edhnn_reference_draws():
    n, runs = 50, 3
    with torch.random.fork_rng():
        torch.manual_seed(7)
        perms = [torch.randperm(n) for _ in range(runs)]
    ours = random_splits(n, num_splits=runs, seed=7)
    for perm, split in zip(perms, ours, strict=True):
        assert torch.equal(split.train, perm[:25])
        assert torch.equal(split.val, perm[25:37])
        assert torch.equal(split.test, perm[37:])


def test_random_split_is_first_of_random_splits():
    assert random_split(30, seed=3) == random_splits(30, num_splits=4, seed=3)[0]


def test_random_splits_differ_between_runs_and_seeds():
    a, b = random_splits(40, num_splits=2, seed=0)
    assert a != b
    assert random_split(40, seed=0) != random_split(40, seed=1)


def test_random_split_is_deterministic_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    assert random_split(100, seed=5) == random_split(100, seed=5)
    assert torch.equal(state, torch.get_rng_state())


def test_random_split_leaves_out_unlabeled_nodes():
    y = t(0, -1, 1, 0, -1, 1, 1, 0)
    split = random_split(y, seed=0)
    assert_partition(split, [0, 2, 3, 5, 6, 7])
    assert split.sizes == (3, 1, 2)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), train=st.floats(0, 1), val_share=st.floats(0, 1),
       seed=st.integers(0, 2**31))
def test_random_split_partitions_all_nodes(n, train, val_share, seed):
    val = (1 - train) * val_share
    split = random_split(n, train=train, val=val, seed=seed)
    assert_partition(split, range(n))
    assert split.sizes[:2] == (int(n * train), int(n * val))


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(st.integers(0, 3), min_size=1, max_size=50),
       train=st.sampled_from([0.1, 0.3, 0.5, 0.8]), seed=st.integers(0, 1000))
def test_stratified_split_keeps_sizes_and_class_shares(labels, train, seed):
    y = torch.tensor(labels)
    n = len(labels)
    plain = random_split(y, train=train, val=0.2, seed=seed)
    strat = random_split(y, train=train, val=0.2, seed=seed, stratify=True)
    assert strat.sizes == plain.sizes
    assert_partition(strat, range(n))
    n_train = strat.sizes[0]
    for c in set(labels):
        n_c = labels.count(c)
        got = int((y[strat.train] == c).sum())
        assert n_c * n_train // n <= got <= -(-n_c * n_train // n)  # floor or ceil of share


def test_stratified_split_on_balanced_classes_is_exact():
    y = t(*([0] * 8 + [1] * 8 + [2] * 8))
    split = random_split(y, stratify=True, seed=1)
    for part, per_class in ((split.train, 4), (split.val, 2), (split.test, 2)):
        assert torch.bincount(y[part]).tolist() == [per_class] * 3


def test_random_split_errors():
    with pytest.raises(ValueError, match=r"Expected 'train' \+ 'val' <= 1 \(got 0.8 \+ 0.3"):
        random_split(10, train=0.8, val=0.3)
    with pytest.raises(ValueError, match=r"Expected 'train' to be in \[0, 1\] \(got -0.1\)"):
        random_split(10, train=-0.1)
    with pytest.raises(ValueError, match="Expected 'seed' to be >= 0 \\(got -1\\)"):
        random_split(10, seed=-1)
    with pytest.raises(TypeError, match="Expected 'num_nodes_or_y' to be an int"):
        random_split(10.0)
    with pytest.raises(ValueError, match="'stratify=True' needs labels"):
        random_split(10, stratify=True)
    with pytest.raises(ValueError, match="Expected 'num_splits' to be >= 1"):
        random_splits(10, num_splits=0)


# ---------------------------------------------------------------------- per_class_split
def test_per_class_split_counts_per_class():
    y = t(*([0] * 150 + [1] * 130 + [2] * 125))
    split = per_class_split(y, seed=0)
    assert torch.bincount(y[split.train]).tolist() == [20, 20, 20]
    assert torch.bincount(y[split.val]).tolist() == [100, 100, 100]
    assert torch.bincount(y[split.test]).tolist() == [30, 10, 5]
    assert_partition(split, range(405))


def test_per_class_split_small_class_fills_train_first():
    y = t(0, 0, 0, 1, 1, 1, 1, 1, 1)
    split = per_class_split(y, train_per_class=2, val_per_class=2, seed=0)
    assert torch.bincount(y[split.train]).tolist() == [2, 2]
    assert torch.bincount(y[split.val], minlength=2).tolist() == [1, 2]
    assert torch.bincount(y[split.test], minlength=2).tolist() == [0, 2]


def test_per_class_split_test_per_class_and_unlabeled():
    y = t(0, 0, 0, 0, -1, 1, 1, 1, 1)
    split = per_class_split(y, train_per_class=1, val_per_class=1, test_per_class=1, seed=2)
    assert split.sizes == (2, 2, 2)
    assert 4 not in torch.cat([split.train, split.val, split.test]).tolist()


def test_per_class_split_is_seeded():
    y = torch.arange(60) % 3
    assert per_class_split(y, 5, 5, seed=1) == per_class_split(y, 5, 5, seed=1)
    assert per_class_split(y, 5, 5, seed=1) != per_class_split(y, 5, 5, seed=2)


def test_per_class_split_errors():
    with pytest.raises(ValueError, match="Expected 'train_per_class' to be >= 0"):
        per_class_split(t(0, 1), train_per_class=-1)
    with pytest.raises(ValueError, match="Expected 'y' to be 1-dimensional"):
        per_class_split(torch.zeros(2, 2, dtype=torch.long))


# ---------------------------------------------------------------------- fixed_splits
def make_data(splits, n=8):
    hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 0]]), num_nodes=n, num_edges=1)
    return HypergraphData(hg, splits=splits, name="toy")


def test_fixed_splits_have_no_validation_set():
    data = make_data([{"train": t(0, 1, 2, 3), "test": t(4, 5, 6, 7)},
                      {"train": t(4, 5, 6, 7), "test": t(0, 1, 2, 3)}])
    splits = fixed_splits(data)
    assert [s.sizes for s in splits] == [(4, 0, 4), (4, 0, 4)]
    assert torch.equal(splits[1].test, t(0, 1, 2, 3))


def test_fixed_splits_val_from_train_carves_only_train():
    data = make_data([{"train": t(0, 1, 2, 3, 4, 5), "test": t(6, 7)}])
    (split,) = fixed_splits(data, val_from_train=0.34, seed=3)
    assert split.sizes == (4, 2, 2)  # int(6 * 0.34) = 2
    assert as_set(split.train) | as_set(split.val) == set(range(6))
    assert torch.equal(split.test, t(6, 7))
    assert fixed_splits(data, val_from_train=0.34, seed=3) == [split]


def test_fixed_splits_keep_shipped_validation():
    data = make_data([{"train": t(0, 1), "val": t(2), "test": t(3)}])
    assert fixed_splits(data) == [Split(t(0, 1), t(2), t(3))]
    with pytest.raises(ValueError, match=r"data.splits\[0\] already has a validation set"):
        fixed_splits(data, val_from_train=0.5)


def test_fixed_splits_errors():
    with pytest.raises(ValueError, match="dataset 'toy' ships no fixed splits"):
        fixed_splits(make_data([]))
    with pytest.raises(IndexError, match=r"data.splits\[0\]: 'test' holds id 9 but num_nodes=8"):
        fixed_splits(make_data([{"train": t(0), "test": t(9)}]))
    with pytest.raises(ValueError, match="Expected 'val_from_train' to be < 1"):
        fixed_splits(make_data([{"train": t(0), "test": t(1)}]), val_from_train=1.0)
    with pytest.raises(TypeError, match="Expected 'data' to be a HypergraphData"):
        fixed_splits([{"train": t(0), "test": t(1)}])


# ---------------------------------------------------------------------- EHGNN folds
def toy_graphs(folds, num_graphs):
    return GraphDataset(torch.zeros(2, 0, dtype=torch.long), torch.arange(num_graphs),
                        torch.arange(num_graphs) % 2, 2, folds=folds)


def ten_folds(num_graphs=20):
    tests = [torch.arange(2 * k, 2 * k + 2) for k in range(10)]
    return [{"train": torch.tensor(sorted(set(range(num_graphs)) - as_set(te))), "test": te}
            for te in tests]


def test_ehgnn_fold_rotation():
    folds = ten_folds()
    splits = ehgnn_folds(toy_graphs(folds, 20))
    assert len(splits) == 10
    assert torch.equal(splits[0].val, folds[9]["test"])  # fold 1 validates on fold 10
    for k in range(1, 10):
        assert torch.equal(splits[k].val, folds[k - 1]["test"])
        assert torch.equal(splits[k].test, folds[k]["test"])
    expected_train = sorted(set(range(20)) - {0, 1, 18, 19})
    assert splits[0].train.tolist() == expected_train
    for split in splits:
        assert_partition(split, range(20))


def test_ehgnn_folds_reject_fold_that_misses_graphs():
    folds = ten_folds()
    folds[3] = {"train": folds[3]["train"][1:], "test": folds[3]["test"]}
    with pytest.raises(ValueError, match="fold 4: train, validation .* cover 19 of 20 graphs"):
        ehgnn_folds(toy_graphs(folds, 20))


def test_ehgnn_folds_errors():
    with pytest.raises(ValueError, match="Expected 'dataset.folds' to hold >= 2 folds"):
        ehgnn_folds(toy_graphs([], 4))
    with pytest.raises(KeyError, match=r"dataset.folds\[1\] lacks key 'test'"):
        ehgnn_folds(toy_graphs([{"train": t(0), "test": t(1)}, {"train": t(1)}], 2))
    bad = [{"train": t(0), "test": t(1)}, {"train": t(1), "test": t(5)}]
    with pytest.raises(IndexError, match="holds id 5 but num_graphs=2"):
        ehgnn_folds(toy_graphs(bad, 2))


def test_ehgnn_folds_on_shipped_mutag_files():
    root = SHARED / "tu-MUTAG" / "raw" / "ehgnn" / "10fold_idx"
    if not root.is_dir():
        pytest.skip(f"MUTAG fold files not found at {root}")
    read = lambda name: torch.from_numpy(np.loadtxt(root / name, dtype=np.int64))  # noqa: E731
    folds = [{"train": read(f"train_idx-{k}.txt"), "test": read(f"test_idx-{k}.txt")}
             for k in range(1, 11)]
    splits = ehgnn_folds(toy_graphs(folds, 188))
    for k, split in enumerate(splits):
        assert_partition(split, range(188))
        assert split.sizes == (188 - 36, 18, 18)
        assert torch.equal(split.val, folds[k - 1]["test"])


# ---------------------------------------------------------------------- kfold_split
def test_kfold_tests_partition_items():
    folds = kfold_split(23, k=5, seed=0, previous_fold_val=False)
    tests = torch.cat([f.test for f in folds])
    assert sorted(tests.tolist()) == list(range(23))
    for fold in folds:
        assert fold.sizes[1] == 0
        assert_partition(fold, range(23))


def test_kfold_previous_fold_validation():
    folds = kfold_split(20, k=4, seed=1)
    plain = kfold_split(20, k=4, seed=1, previous_fold_val=False)
    for k in range(4):
        assert torch.equal(folds[k].val, plain[k - 1].test)
        assert_partition(folds[k], range(20))


def test_kfold_stratified_keeps_class_counts():
    y = t(*([0] * 30 + [1] * 10))
    for fold in kfold_split(40, k=10, seed=0, stratify_y=y):
        assert torch.bincount(y[fold.test]).tolist() == [3, 1]


def test_kfold_is_seeded():
    assert kfold_split(30, k=3, seed=4) == kfold_split(30, k=3, seed=4)
    assert kfold_split(30, k=3, seed=4) != kfold_split(30, k=3, seed=5)


def test_kfold_errors():
    with pytest.raises(ValueError, match="Expected 'k' <= num_items=5 \\(got 10\\)"):
        kfold_split(5, k=10)
    with pytest.raises(ValueError, match="Expected 'k' to be >= 2 \\(got 1\\)"):
        kfold_split(5, k=1)
    with pytest.raises(ValueError, match="Expected 'stratify_y' to have 6 entries"):
        kfold_split(6, k=2, stratify_y=t(0, 1, 0))


# ---------------------------------------------------------------------- time split
def temporal(times, sizes=None):
    sizes = sizes or [2] * len(times)
    simplices = torch.arange(sum(sizes)) % 5
    return TemporalHypergraph(torch.tensor(sizes), simplices, torch.tensor(times), 5)


def test_time_cutoff_is_rounded_linear_quantile():
    assert time_cutoff(t(1, 2, 3, 4, 5, 6), 0.8) == 5
    assert time_cutoff(t(0, 10), 0.8) == 8
    assert time_cutoff(t(0, 1), 0.5) == 0  # 0.5 -> even 0
    assert time_cutoff(t(1, 2), 0.5) == 2  # 1.5 -> even 2
    times = t(3, 17, 4, 100, 250, 251, 900, 12)
    assert time_cutoff(times, 0.8) == round(float(np.quantile(times.numpy(), 0.8)))


def test_time_split_puts_ties_at_cutoff_in_train():
    th = temporal([1, 2, 3, 4, 5, 5, 5, 5, 6, 7])  # quantile(0.8) = 5.2 -> cutoff 5
    train, test = time_split(th)
    assert train.tolist() == [True] * 8 + [False] * 2
    assert test.tolist() == [False] * 8 + [True] * 2


def test_time_split_unsorted_times_and_end_fraction():
    th = temporal([50, 10, 40, 20, 30, 60, 70, 80, 90, 100])
    old, new = time_split(th, 0.6, 0.8)  # cutoffs round(64) = 64, round(82) = 82
    assert th.times[old].tolist() == [50, 10, 40, 20, 30, 60]
    assert th.times[new].tolist() == [70, 80]
    full_old, full_new = time_split(th, 0.8)
    assert th.times[full_new].tolist() == [90, 100]
    assert not bool((full_old & full_new).any()) and bool((full_old | full_new).all())


def test_time_split_masks_select_hypergraphs():
    th = temporal([1, 1, 2, 9], sizes=[2, 3, 2, 2])
    train, _ = time_split(th, 0.5)
    assert th.to_hypergraph(unique=False, mask=train).num_edges == 3


def test_time_split_errors():
    with pytest.raises(ValueError, match="Expected 'end_fraction' >= train_fraction=0.8"):
        time_split(temporal([1, 2]), 0.8, 0.5)
    with pytest.raises(ValueError, match="at least one simplex"):
        time_split(TemporalHypergraph(t(), t(), t(), 0))
    with pytest.raises(ValueError, match=r"Expected 'train_fraction' to be in \[0, 1\]"):
        time_split(temporal([1, 2]), 1.5)
    with pytest.raises(TypeError, match="Expected 'temporal' to be a TemporalHypergraph"):
        time_split(t(1, 2))


# ---------------------------------------------------------------------- inductive split
def test_inductive_split_sizes_and_invariants():
    base = Split(t(0, 1), t(2, 3), torch.arange(4, 14))
    ind = inductive_split(base, 15, unobserved_fraction=0.25, seed=0)
    assert (ind.test_observed.numel(), ind.test_unobserved.numel()) == (8, 2)  # int(2.5) = 2
    assert torch.equal(ind.train, base.train) and torch.equal(ind.val, base.val)
    assert as_set(ind.test_observed) | as_set(ind.test_unobserved) == set(range(4, 14))
    assert as_set(ind.observed) == set(range(14)) - as_set(ind.test_unobserved)
    assert ind.observed_mask.sum() == 12 and not bool(ind.observed_mask[14])


def test_inductive_split_matches_lighthgnn_product_split():
    test_mask = torch.zeros(30, dtype=torch.bool)
    test_mask[torch.arange(5, 30, 2)] = True
    with torch.random.fork_rng():
        torch.manual_seed(3)
        test_idx = torch.where(test_mask)[0]
        shuffle = torch.randperm(len(test_idx))
        k = int(len(test_idx) * 0.9)
        ref_ind, ref_tran = test_idx[shuffle[:k]], test_idx[shuffle[k:]]
    base = Split(t(0, 1), t(2), torch.arange(29, 4, -2))  # any order of the test ids
    ind = inductive_split(base, 30, seed=3)
    assert torch.equal(ind.test_unobserved, ref_ind)
    assert torch.equal(ind.test_observed, ref_tran)


def test_inductive_split_is_seeded():
    base = Split(t(0), t(1), torch.arange(2, 40))
    assert inductive_split(base, 40, seed=1).to_dict().keys() == {
        "train", "val", "test_observed", "test_unobserved"}
    a, b = inductive_split(base, 40, seed=1), inductive_split(base, 40, seed=1)
    assert torch.equal(a.test_unobserved, b.test_unobserved)
    c = inductive_split(base, 40, seed=2)
    assert not torch.equal(a.test_unobserved, c.test_unobserved)


def test_training_hypergraph_hides_unobserved_incidences():
    hg = Hypergraph(torch.tensor([[0, 1, 4, 2, 4, 5, 3, 5], [0, 0, 0, 1, 1, 1, 2, 2]]),
                    num_nodes=6, num_edges=4, edge_weight=torch.tensor([1.0, 2.0, 3.0, 4.0]))
    ind = InductiveSplit(t(0, 1), t(2), t(3), t(4, 5), num_nodes=6)
    sub, node_map = ind.training_hypergraph(hg)
    assert node_map.tolist() == [0, 1, 2, 3]
    assert sub.edges() == [[0, 1], [2], [3], []]  # {4} and {4, 5} vanish from hyperedges
    assert sub.edge_weight.tolist() == [1.0, 2.0, 3.0, 4.0]
    original = node_map[sub.hyperedge_index[0]]
    assert not bool(torch.isin(original, ind.test_unobserved).any())


def test_training_hypergraph_drops_hyperedges_of_only_unobserved_nodes():
    hg = Hypergraph(torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]]), num_nodes=4)
    ind = InductiveSplit(t(0), t(), t(1), t(2, 3), num_nodes=4)
    sub, node_map = ind.training_hypergraph(hg)
    assert sub.num_edges == 1 and sub.edges() == [[0, 1]]
    assert node_map.tolist() == [0, 1]


def test_training_hypergraph_self_loops_only_for_isolated_observed():
    hg = Hypergraph(torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]]), num_nodes=5)
    ind = InductiveSplit(t(0, 1), t(2), t(4), t(3), num_nodes=5)
    sub, node_map = ind.training_hypergraph(hg, isolated_self_loops=True)
    assert node_map.tolist() == [0, 1, 2, 4]
    assert sub.edges() == [[0, 1], [2], [3]]  # node 4 (local 3) was isolated


def test_observed_split_uses_training_hypergraph_ids():
    ind = InductiveSplit(t(5, 1), t(3), t(0), t(2, 4), num_nodes=6)
    local = ind.observed_split()
    _, node_map = ind.training_hypergraph(Hypergraph(torch.tensor([[0], [0]]), num_nodes=6))
    assert torch.equal(node_map[local.train], ind.train)
    assert torch.equal(node_map[local.val], ind.val)
    assert torch.equal(node_map[local.test], ind.test_observed)


def test_inductive_split_errors():
    with pytest.raises(ValueError, match=r"Expected 'unobserved_fraction' to be in \[0, 1\]"):
        inductive_split(Split(t(0), t(), t(1)), 2, unobserved_fraction=2.0)
    with pytest.raises(IndexError, match="'test' holds id 3 but num_nodes=3"):
        inductive_split(Split(t(0), t(), t(3)), 3)
    with pytest.raises(ValueError, match="Node 1 is in both 'train' and 'test_unobserved'"):
        InductiveSplit(t(0, 1), t(), t(), t(1), num_nodes=2)
    ind = InductiveSplit(t(0), t(), t(1), t(), num_nodes=2)
    with pytest.raises(ValueError, match="'hg' has 3 nodes but the split was made for"):
        ind.training_hypergraph(Hypergraph(torch.tensor([[0], [0]]), num_nodes=3))


# ---------------------------------------------------------------------- save / load
def test_save_load_round_trip_list(tmp_path):
    splits = random_splits(20, num_splits=3, seed=9)
    save_splits(splits, tmp_path / "s.pt")
    assert load_splits(tmp_path / "s.pt") == splits
    assert [p.name for p in tmp_path.iterdir()] == ["s.pt"]  # no temporary file left


def test_save_load_round_trip_dict(tmp_path):
    splits = {"cora": random_splits(10, 2), "folds": kfold_split(12, k=3)}
    save_splits(splits, tmp_path / "s.pt")
    loaded = load_splits(tmp_path / "s.pt")
    assert loaded.keys() == splits.keys()
    assert all(loaded[k] == splits[k] for k in splits)


def test_saved_file_is_weights_only_plain_data(tmp_path):
    save_splits([Split(t(0), t(1), t(2))], tmp_path / "s.pt")
    raw = torch.load(tmp_path / "s.pt", weights_only=True)
    assert raw["format"] == "hgkit-splits" and raw["version"] == 1
    assert raw["splits"][0]["test"].tolist() == [2]


def test_load_rejects_malformed_files(tmp_path):
    path = tmp_path / "bad.pt"
    torch.save({"format": "other"}, path)
    with pytest.raises(ValueError, match="bad.pt: not an hgkit splits file"):
        load_splits(path)
    torch.save({"format": "hgkit-splits", "version": 1,
                "splits": [{"train": t(0), "test": t(1)}]}, path)
    with pytest.raises(ValueError, match=r"bad.pt: splits\[0\] should be a dict with keys"):
        load_splits(path)
    torch.save({"format": "hgkit-splits", "version": 1,
                "splits": {"a": [{"train": t(0), "val": t(0), "test": t(1)}]}}, path)
    with pytest.raises(ValueError, match=r"splits\['a'\]\[0\]: Id 0 is in both"):
        load_splits(path)
    torch.save({"format": "hgkit-splits", "version": 2, "splits": []}, path)
    with pytest.raises(ValueError, match="unsupported splits file version 2"):
        load_splits(path)
    path.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="bad.pt: not a readable splits file"):
        load_splits(path)
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_splits(tmp_path / "missing.pt")


def test_save_rejects_non_splits(tmp_path):
    with pytest.raises(TypeError, match="Expected 'splits' to be a list of Split"):
        save_splits([{"train": t(0)}], tmp_path / "s.pt")
    with pytest.raises(TypeError, match=r"Expected 'splits\['x'\]' to be a list of Split"):
        save_splits({"x": Split(t(0), t(), t())}, tmp_path / "s.pt")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("first", ["hgkit.datasets.folds", "hgkit.datasets.splits"])
def test_folds_and_splits_import_in_either_order(first):
    """folds.py imports splits.py, which re-exports the folds: no circular-import error."""
    import subprocess
    import sys

    code = (f"import {first}; from hgkit.datasets.splits import ehgnn_folds, kfold_split, "
            "time_cutoff, time_split; import hgkit.datasets.folds as f; "
            "assert ehgnn_folds is f.ehgnn_folds")
    subprocess.run([sys.executable, "-c", code], check=True)
