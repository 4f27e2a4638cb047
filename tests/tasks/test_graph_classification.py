"""Graph classification: collate, GCNConv, the HyperDrop model, the estimator and the folds."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from hgkit.datasets.data import GraphDataset
from hgkit.datasets.splits import Split, ehgnn_folds
from hgkit.hypergraph.dht import dht
from hgkit.layers.gcn import GCNConv
from hgkit.layers.hgnn import HGNNPConv
from hgkit.tasks import graph_classification as gc
from hgkit.tasks.graph_classification import (
    EHGNNHyperCluster,
    EHGNNHyperDrop,
    GCNPool,
    GraphClassification,
    collate,
    cluster_seeds,
    cosine_with_warmup,
    edge_ratio,
    graph_hypergraph,
    make_model,
    model_factory,
    run_folds,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def load_tu(name: str) -> GraphDataset:
    if not (SHARED / name / "raw").is_dir():
        pytest.skip(f"dataset {name} not found under {SHARED}")
    from hgkit import datasets

    return datasets.load(name, SHARED, download=False, progress=False, use_cache=False)


@pytest.fixture(scope="module")
def mutag() -> GraphDataset:
    return load_tu("tu-MUTAG")


def toy(shuffle_edges: bool = False) -> GraphDataset:
    """Four graphs: triangle (label 1), path, an edgeless pair, triangle; 2-dim features."""
    tri = torch.tensor([[0, 1, 1, 2, 2, 0], [1, 0, 2, 1, 0, 2]])
    path = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    edge_index = torch.cat([tri, path + 3, tri + 8], dim=1)  # graph 2 = nodes 6, 7: no edges
    edge_attr = torch.arange(edge_index.size(1), dtype=torch.float).unsqueeze(1)
    if shuffle_edges:
        perm = torch.randperm(edge_index.size(1), generator=torch.Generator().manual_seed(0))
        edge_index, edge_attr = edge_index[:, perm], edge_attr[perm]
    batch = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3])
    x = torch.stack([torch.arange(11.0), torch.ones(11)], dim=1)
    return GraphDataset(edge_index, batch, torch.tensor([1, 0, 0, 1]), 2, x=x,
                        edge_attr=edge_attr)


# ---------------------------------------------------------------------------- collate
def _blocks(out: gc.GraphBatch, b: int) -> dict:
    nodes = (out.batch == b).nonzero().view(-1)
    lo = int(nodes[0]) if nodes.numel() else 0
    emask = out.batch[out.edge_index[0]] == b if out.edge_index.numel() else \
        torch.zeros(0, dtype=torch.bool)
    return {"edge_index": out.edge_index[:, emask] - lo, "num_nodes": nodes.numel(),
            "x": out.x[nodes], "edge_attr": out.edge_attr[emask], "y": int(out.y[b])}


@pytest.mark.parametrize("shuffle_edges", [False, True])
def test_collate_blocks_equal_the_single_graphs(shuffle_edges):
    ds = toy(shuffle_edges)
    ids = [3, 0, 2, 0]  # any order, repeats allowed
    out = collate(ds, torch.tensor(ids))
    assert out.batch.tolist() == sorted(out.batch.tolist())  # contiguous blocks
    for b, g in enumerate(ids):
        got, want = _blocks(out, b), ds.graph(g)
        assert torch.equal(got["edge_index"], want["edge_index"])
        assert got["num_nodes"] == want["num_nodes"] and got["y"] == want["y"]
        assert torch.equal(got["x"], want["x"])
        assert torch.equal(got["edge_attr"], want["edge_attr"])


def test_collate_matches_every_mutag_graph(mutag):
    ids = torch.randperm(mutag.num_graphs, generator=torch.Generator().manual_seed(1))
    out = collate(mutag, ids)
    assert out.x.size(0) == mutag.num_nodes and out.edge_index.size(1) == \
        mutag.edge_index.size(1)
    for b in range(0, mutag.num_graphs, 7):
        got, want = _blocks(out, b), mutag.graph(int(ids[b]))
        assert torch.equal(got["edge_index"], want["edge_index"])
        assert torch.equal(got["x"], want["x"]) and got["y"] == want["y"]
        assert torch.equal(got["edge_attr"], want["edge_attr"])


def test_collate_accepts_ranges_and_tuples():
    ds = toy()
    assert torch.equal(collate(ds, range(1, 3)).batch, collate(ds, [1, 2]).batch)
    assert torch.equal(collate(ds, (3, 0)).y, torch.tensor([1, 1]))


def test_collate_empty_selection_and_errors():
    ds = toy()
    out = collate(ds, [])
    assert out.edge_index.shape == (2, 0) and out.batch.numel() == 0 and out.y.numel() == 0
    with pytest.raises(IndexError, match="'graph_ids' holds id 4 but num_graphs=4"):
        collate(ds, [4])
    with pytest.raises(TypeError, match="Expected 'dataset' to be a GraphDataset"):
        collate(ds.edge_index, [0])
    bad = GraphDataset(torch.tensor([[0], [1]]), torch.tensor([0, 1]), torch.tensor([0, 1]), 2)
    with pytest.raises(ValueError, match="column 0 joins two different graphs"):
        collate(bad, [0])


# ---------------------------------------------------------------------------- GCNConv
def dense_gcn(x, edge_index, edge_weight, weight, bias):
    n = x.size(0)
    a = torch.zeros(n, n, dtype=x.dtype)
    w = torch.ones(edge_index.size(1), dtype=x.dtype) if edge_weight is None else edge_weight
    a = a.index_put((edge_index[1], edge_index[0]), w, accumulate=True) + torch.eye(n)
    d = a.sum(1).rsqrt()
    return d[:, None] * a * d[None, :] @ x @ weight.t() + bias


# node 3 isolated, a multi-edge 0->1 (twice) and a self-loop at 2
GRAPH = torch.tensor([[0, 0, 1, 1, 2, 2, 4], [1, 1, 0, 2, 1, 2, 0]])


@pytest.mark.parametrize("channels", [(3, 5), (5, 3)])  # propagate first / linear first
@pytest.mark.parametrize("weighted", [False, True])
def test_gcnconv_matches_dense_reference(channels, weighted):
    torch.manual_seed(0)
    conv = GCNConv(*channels).double()
    nn.init.normal_(conv.bias)
    x = torch.randn(5, channels[0], dtype=torch.float64)
    w = torch.rand(GRAPH.size(1), dtype=torch.float64) if weighted else None
    want = dense_gcn(x, GRAPH, w, conv.weight, conv.bias)
    torch.testing.assert_close(conv(x, GRAPH, w), want)


def test_gcnconv_gradcheck_in_features_weights_and_parameters():
    torch.manual_seed(0)
    conv = GCNConv(3, 4).double()
    x = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    w = (torch.rand(GRAPH.size(1), dtype=torch.float64) + 0.1).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: conv(a, GRAPH, b), (x, w))
    weight = conv.weight.detach().clone().requires_grad_()
    bias = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda p, q: torch.func.functional_call(conv, {"weight": p, "bias": q},
                                                (x.detach(), GRAPH, w.detach())),
        (weight, bias))


def test_gcnconv_is_permutation_equivariant_and_linear_without_edges():
    torch.manual_seed(0)
    conv = GCNConv(3, 4).double()
    nn.init.normal_(conv.bias)
    x = torch.randn(5, 3, dtype=torch.float64)
    perm = torch.tensor([3, 0, 4, 1, 2])
    inv = torch.argsort(perm)
    torch.testing.assert_close(conv(x[perm], inv[GRAPH]), conv(x, GRAPH)[perm])
    empty = torch.zeros(2, 0, dtype=torch.long)
    torch.testing.assert_close(conv(x, empty), x @ conv.weight.t() + conv.bias)
    assert conv(x[:0], empty).shape == (0, 4)


def test_gcnconv_init_and_errors():
    conv = GCNConv(3, 4)
    assert torch.equal(conv.bias, torch.zeros(4))
    bound = math.sqrt(6 / 7)
    assert float(conv.weight.detach().abs().max()) <= bound
    with pytest.raises(ValueError, match="'x' has 2 channels but the layer expects"):
        conv(torch.randn(3, 2), GRAPH[:, :1])
    with pytest.raises(ValueError, match=r"Expected 'edge_weight' to have shape \[1\]"):
        conv(torch.randn(3, 3), GRAPH[:, :1], torch.ones(2))
    with pytest.raises(IndexError, match="'edge_index' holds id 4 but x.size"):
        conv(torch.randn(3, 3), GRAPH)
    with pytest.raises(ValueError, match="dtype and device of 'x'"):
        conv(torch.randn(5, 3), GRAPH, torch.ones(GRAPH.size(1), dtype=torch.float64))


# ---------------------------------------------------------------------------- models
def test_propagate_first_edge_conv_equals_hgnnp_on_the_dual():
    torch.manual_seed(0)
    b = collate(toy(), [0, 1, 3])
    dual, _ = dht(b.edge_index, num_nodes=b.batch.numel(), add_loops=True)
    fast = gc._edge_conv(1, 6)
    ref = HGNNPConv(1, 6)
    ref.load_state_dict(fast.state_dict())
    e = torch.randn(b.edge_index.size(1), 1)
    torch.testing.assert_close(fast(e, dual), ref(e, dual))


def test_readout_is_the_layer_sum_of_max_mean_sum():
    torch.manual_seed(0)
    batch = torch.tensor([0, 0, 2, 2, 2])  # graph 1 is empty
    xs = [torch.randn(5, 3) for _ in range(3)]
    r = gc._Readout(batch, 3, ("max", "mean", "sum"))
    for x in xs:
        r.add(x)
    want = torch.zeros(3, 9)
    for x in xs:
        for g in (0, 2):
            v = x[batch == g]
            want[g] += torch.cat([v.max(0).values, v.mean(0), v.sum(0)])
    torch.testing.assert_close(r.result(), want)


def test_hyperdrop_keeps_every_node_and_drops_edges_per_graph():
    torch.manual_seed(0)
    ds = toy()
    b = collate(ds, [0, 1, 2, 3])
    model = EHGNNHyperDrop(2, 2, hidden=8, ratio=0.5, edge_channels=1)
    seen = []
    for conv in model.convs:
        conv.register_forward_hook(lambda mod, args, out: seen.append(
            (args[0].size(0), args[1].size(1), args[2])))
    out = model(b.x, b.edge_index, b.batch, 4, b.edge_attr)
    assert out.shape == (4, 2)
    assert [s[0] for s in seen] == [11, 11, 11]  # nodes never dropped
    # edges per graph 6, 4, 0, 6 -> ceil(r |E_g|): 3, 2, 0, 3 -> 2, 1, 0, 2
    assert [s[1] for s in seen] == [16, 8, 5]
    assert seen[0][2] is None
    for _, _, w in seen[1:]:
        assert bool(((w >= 0) & (w <= 1)).all())


def test_hyperdrop_uses_all_ones_edge_features_without_edge_attr():
    torch.manual_seed(0)
    b = collate(toy(), [0, 1])
    model = EHGNNHyperDrop(2, 3, hidden=4, ratio=0.9)
    assert model.edge_convs[0].conv.in_channels == 1
    assert model(b.x, b.edge_index, b.batch, 2).shape == (2, 3)
    assert torch.equal(model.edge_convs[0].conv.bias, torch.zeros(4))  # HypergraphConv init


def test_without_edge_features_every_edge_shares_one_row_up_to_rounding():
    """The reason for the shortcut: on all-ones edge features the full stream is uniform."""
    torch.manual_seed(0)
    b = collate(toy(), [0, 1, 2, 3])
    n = b.batch.numel()
    model = EHGNNHyperDrop(2, 2, hidden=8, ratio=0.5, uniform_shortcut=False)
    dual, _ = dht(b.edge_index, num_nodes=n, add_loops=True)
    full = torch.relu(model.edge_convs[0](torch.ones(b.edge_index.size(1), 1), dual))
    kept = model.drops[0](full, b.edge_index, num_nodes=n, batch=b.batch, dual=dual)
    _, weight, row = model._uniform_drop(0, torch.ones(1, 1), b.edge_index, b.batch, 4)
    torch.testing.assert_close(full, row.expand_as(full))
    torch.testing.assert_close(kept.edge_weight, weight)


def test_uniform_shortcut_equals_the_full_stream_when_the_scores_tie_exactly():
    torch.manual_seed(0)
    b = collate(toy(), [0, 1, 2, 3])
    fast = EHGNNHyperDrop(2, 2, hidden=8, ratio=0.5)
    with torch.no_grad():  # score convs: weight 0, bias 0.5 -> every score is tanh(0.5)
        for drop in fast.drops:
            drop.conv.weight.zero_()
            drop.conv.bias.fill_(0.5)
    full = EHGNNHyperDrop(2, 2, hidden=8, ratio=0.5, uniform_shortcut=False)
    full.load_state_dict(fast.state_dict())
    fast.eval(), full.eval()
    torch.testing.assert_close(fast(b.x, b.edge_index, b.batch, 4),
                               full(b.x, b.edge_index, b.batch, 4))


def test_uniform_shortcut_keeps_the_first_edges_of_every_graph_and_trains_the_edge_convs():
    torch.manual_seed(0)
    ds = toy(shuffle_edges=True)
    b = collate(ds, [0, 1, 2, 3])
    model = EHGNNHyperDrop(2, 2, hidden=8, ratio=0.5)
    seen = []
    model.convs[1].register_forward_hook(lambda mod, args, out: seen.append(args[1:]))
    model(b.x, b.edge_index, b.batch, 4).sum().backward()
    edge_index, weight = seen[0]
    edge_batch = b.batch[b.edge_index[0]]
    want = torch.cat([(edge_batch == g).nonzero().view(-1)[:k] for g, k in
                      ((0, 3), (1, 2), (3, 3))]).sort().values
    assert torch.equal(edge_index, b.edge_index[:, want])
    assert weight.shape == (8,) and bool((weight == weight[0]).all())
    for conv in (model.edge_convs[0].conv, model.drops[0].conv, model.drops[1].conv):
        assert conv.weight.grad is not None


def test_edge_channels_without_edge_attr_is_an_error():
    model = EHGNNHyperDrop(2, 2, hidden=4, edge_channels=3)
    b = collate(toy(), [0])
    with pytest.raises(ValueError, match="built for edge_channels=3 but 'edge_attr' is None"):
        model(b.x, b.edge_index, b.batch, 1)


def test_graph_order_in_the_batch_permutes_the_logits():
    torch.manual_seed(0)
    ds = toy()
    a, b = collate(ds, [0, 1, 2, 3]), collate(ds, [3, 2, 1, 0])
    for name, edge_channels in [(m, 1) for m in gc.MODELS] + [("hyperdrop", 0)]:
        model = make_model(name, 2, 2, edge_channels, hidden=8, ratio=0.5).eval()
        out_a = model(a.x, a.edge_index, a.batch, 4, a.edge_attr)
        out_b = model(b.x, b.edge_index, b.batch, 4, b.edge_attr)
        torch.testing.assert_close(out_a, out_b.flip(0), msg=name)


def test_graph_hypergraph_edges_and_closed_neighbourhoods():
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 2], [1, 0, 2, 1, 2, 1]])  # loop, duplicate
    hg = graph_hypergraph(edge_index, 4)
    assert hg.edges() == [[0, 1], [1, 2], [0, 1], [0, 1, 2], [1, 2], [3]]


def test_make_model_names_and_errors():
    assert isinstance(make_model("gcn-mean", 3, 2), GCNPool)
    assert make_model("gcn-sum", 3, 2).pool == "sum"
    with pytest.raises(ValueError, match="Expected 'name' in"):
        make_model("gin", 3, 2)
    with pytest.raises(ValueError, match="Expected 'dropout' in"):
        make_model("gcn-mean", 3, 2, dropout=1.0)
    with pytest.raises(ValueError, match="Expected 'ratio' in"):
        make_model("hyperdrop", 3, 2, ratio=1.5)
    with pytest.raises(ValueError, match="Expected 'num_classes' to be >= 2"):
        make_model("hyperdrop", 3, 1)


# ---------------------------------------------------------------------------- estimator
def test_cosine_with_warmup_schedule():
    f = cosine_with_warmup(4, 12)
    assert [f(t) for t in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert f(8) == pytest.approx(0.5) and f(12) == 0.0 and f(20) == 0.0


def test_fit_decreases_the_training_loss_on_mutag(mutag):
    ids = torch.arange(60)
    task = GraphClassification(model_factory("hyperdrop", hidden=16, ratio=0.9), lr=5e-3,
                               epochs=30, patience=None, batch_size=32, schedule=None,
                               seed=0)
    assert task.fit(mutag, ids[:40], ids[40:]) is task
    losses = [h["loss"] for h in task.history_]
    assert np.mean(losses[-5:]) < 0.85 * losses[0]
    assert task.best_epoch_ <= 29 and len(losses) == 30  # patience=None: all epochs run
    assert 0.0 <= task.score(mutag, ids[40:]) <= 1.0
    assert task.predict(mutag, ids[40:]).shape == (20,)
    torch.testing.assert_close(task.predict_proba(mutag, ids[40:]).sum(1), torch.ones(20))


def test_best_validation_loss_checkpoint_and_early_stopping():
    ds = toy()
    task = GraphClassification(model_factory("gcn-mean", hidden=8), lr=0.02, epochs=60,
                               patience=3, batch_size=2, seed=0).fit(ds, [0, 1], [2, 3])
    losses = [h["val_loss"] for h in task.history_]
    assert task.best_epoch_ == losses.index(min(losses))
    assert task.best_val_loss_ == min(losses)
    assert len(task.history_) <= task.best_epoch_ + 5  # stops after > patience bad epochs
    # the restored weights reproduce the best validation loss
    val = task._batches(ds, torch.tensor([2, 3]), torch.device("cpu"))
    assert task._evaluate(task.model_, val)[0] == pytest.approx(task.best_val_loss_)


def test_constant_validation_loss_stops_after_patience_plus_one_epochs():
    task = GraphClassification(model_factory("gcn-sum", hidden=8), lr=0.0, epochs=50,
                               patience=4, batch_size=2).fit(toy(), [0, 1], [2, 3])
    assert task.best_epoch_ == 0 and len(task.history_) == 6


def test_schedule_warms_up_over_patience_epochs():
    task = GraphClassification(model_factory("gcn-mean", hidden=8), lr=0.1, epochs=8,
                               patience=2, batch_size=2).fit(toy(), [0, 1, 3])
    f = cosine_with_warmup(2 * 2, 8 * 2)  # 2 steps per epoch
    assert [h["lr"] for h in task.history_] == pytest.approx([0.1 * f(2 * (e + 1))
                                                              for e in range(8)])


def test_fit_is_reproducible_under_a_seed_and_leaves_the_global_rng_alone(mutag):
    ids = torch.arange(50)

    def fit(seed):
        return GraphClassification(model_factory("hyperdrop", hidden=8, ratio=0.9),
                                   epochs=3, batch_size=16, seed=seed).fit(
            mutag, ids[:30], ids[30:])

    state = torch.get_rng_state()
    a, b, c = fit(3), fit(3), fit(4)
    assert torch.equal(state, torch.get_rng_state())
    assert a.history_[-1]["loss"] == b.history_[-1]["loss"]
    for k, v in a.model_.state_dict().items():
        assert torch.equal(v, b.model_.state_dict()[k])
    assert a.history_[-1]["loss"] != c.history_[-1]["loss"]


def test_a_module_is_deep_copied_not_trained():
    model = make_model("gcn-mean", 2, 2, hidden=8)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    task = GraphClassification(model, epochs=2, batch_size=2).fit(toy(), [0, 1], [2, 3])
    assert task.model_ is not model
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())


def test_estimator_errors():
    ds = toy()
    f = model_factory("gcn-mean", hidden=8)
    with pytest.raises(ValueError, match="Expected 'lr' to be a finite number >= 0.0"):
        GraphClassification(f, lr=-1.0).fit(ds, [0], [1])
    with pytest.raises(ValueError, match="Expected 'batch_size' to be an int >= 1"):
        GraphClassification(f, batch_size=0).fit(ds, [0], [1])
    with pytest.raises(ValueError, match="Expected 'schedule' to be 'cosine-warmup' or None"):
        GraphClassification(f, schedule="step").fit(ds, [0], [1])
    with pytest.raises(ValueError, match="Expected 'train_idx' to hold at least one graph"):
        GraphClassification(f).fit(ds, [], [1])
    with pytest.raises(IndexError, match="'val_idx' holds id 9 but num_graphs=4"):
        GraphClassification(f).fit(ds, [0], [9])
    no_x = GraphDataset(ds.edge_index, ds.batch, ds.y, 2)
    with pytest.raises(ValueError, match="Expected 'dataset.x' to be floating"):
        GraphClassification(f).fit(no_x, [0], [1])
    with pytest.raises(RuntimeError, match="not fitted yet"):
        GraphClassification(f).predict(ds, [0])
    with pytest.raises(TypeError, match="Expected 'model' to be an nn.Module or a factory"):
        GraphClassification(3).fit(ds, [0], [1])
    with pytest.raises(TypeError, match="factory to return an nn.Module"):
        GraphClassification(lambda a, b, c: None).fit(ds, [0], [1])
    task = GraphClassification(f, epochs=1).fit(ds, [0], [1])
    with pytest.raises(ValueError, match="Expected 'idx' to hold at least one graph"):
        task.score(ds, [])


# ---------------------------------------------------------------------------- protocol
def test_ehgnn_fold_rotation_on_mutag(mutag):
    folds = ehgnn_folds(mutag)
    assert len(folds) == 10
    for k, split in enumerate(folds):
        prev = mutag.folds[(k - 1) % 10]["test"]
        assert torch.equal(split.test, mutag.folds[k]["test"])
        assert torch.equal(torch.sort(split.val).values, torch.sort(prev).values)
        want = np.setdiff1d(mutag.folds[k]["train"].numpy(), prev.numpy())
        assert split.train.tolist() == want.tolist()
    assert torch.equal(folds[0].val, mutag.folds[9]["test"])  # fold 1 validates on fold 10


def test_run_folds_on_a_subset_of_the_mutag_folds(mutag):
    res = run_folds(mutag, "gcn-mean", hidden=8, epochs=2, patience=1,
                    folds=ehgnn_folds(mutag)[:2])
    assert [f["fold"] for f in res.folds] == [1, 2] and res.ratio is None
    assert {"test_acc", "val_acc", "val_loss", "best_epoch", "epochs", "fit_seconds"} <= \
        set(res.folds[0])
    assert res.mean == pytest.approx(np.mean(res.accuracies))
    assert res.std == pytest.approx(np.std(res.accuracies))
    assert run_folds(mutag, "hyperdrop", hidden=8, epochs=1,
                     folds=ehgnn_folds(mutag)[:1]).ratio == 0.9


def test_run_folds_draws_stratified_folds_without_fold_files():
    g = 20
    ds = GraphDataset(torch.zeros(2, 0, dtype=torch.long), torch.arange(g),
                      torch.arange(g) % 2, 2, x=torch.ones(g, 1), name="toy")
    res = run_folds(ds, "gcn-sum", hidden=4, epochs=1, seed=0)
    assert len(res.folds) == 10 and res.ratio is None
    with pytest.raises(KeyError, match="No edge ratio known for dataset 'toy'"):
        run_folds(ds, "hyperdrop", epochs=1)
    with pytest.raises(ValueError, match="Expected 'model_name' in"):
        run_folds(ds, "gin")
    with pytest.raises(TypeError, match=r"Expected 'folds\[0\]' to be a Split"):
        run_folds(ds, "gcn-sum", folds=[{"train": [0]}])
    split = Split([0, 2, 4], [1], [3])
    assert len(run_folds(ds, "gcn-sum", hidden=4, epochs=1, folds=[split]).folds) == 1


def test_edge_ratios_of_the_spec():
    assert edge_ratio("tu-PROTEINS") == 0.65 and edge_ratio("MUTAG") == 0.9
    assert edge_ratio("tu-IMDB-BINARY") == 0.9


def test_first_per_group_in_any_order():
    group = torch.tensor([2, 0, 2, 1, 0, 2, 0])
    keep = gc._first_per_group(group, torch.tensor([2, 0, 1]))
    assert keep.tolist() == [0, 1, 4]  # group 2: id 0; group 0: ids 1, 4; group 1: none
    assert gc._first_per_group(torch.tensor([0, 0, 1]), torch.tensor([1, 1])).tolist() == [0, 2]


# ---------------------------------------------------------------------------- HyperCluster
def test_hypercluster_graphs_in_a_batch_never_see_each_other():
    torch.manual_seed(0)
    ds = toy()
    model = EHGNNHyperCluster(2, 3, hidden=8, num_seeds=2, edge_channels=1, edge_hidden=4).eval()
    b = collate(ds, [0, 1, 2, 3])
    together = model(b.x, b.edge_index, b.batch, 4, b.edge_attr)
    for g in range(4):
        one = collate(ds, [g])
        torch.testing.assert_close(together[g:g + 1],
                                   model(one.x, one.edge_index, one.batch, 1, one.edge_attr))


def test_hypercluster_edge_stream_starts_from_endpoint_features_and_pools_per_graph():
    torch.manual_seed(0)
    b = collate(toy(), [0, 1])
    model = EHGNNHyperCluster(2, 2, hidden=8, num_seeds=3, edge_hidden=4)
    seen = {}
    model.edge_convs[0].register_forward_hook(lambda mod, args, out: seen.update(first=args[0]))
    model.pool.register_forward_hook(lambda mod, args, kw, out: seen.update(pool=out),
                                     with_kwargs=True)
    out = model(b.x, b.edge_index, b.batch, 2)
    src, dst = b.edge_index
    torch.testing.assert_close(seen["first"], (b.x[src] + b.x[dst]) / 2)
    assert seen["first"].unique(dim=0).size(0) > 1  # edges are told apart without edge_attr
    att = seen["pool"].attention  # [m, heads, S]: a softmax over the edges of each graph
    edge_batch = b.batch[src]
    for g in range(2):
        torch.testing.assert_close(att[edge_batch == g].sum(0), torch.ones(1, 3))
    assert model.classifier[0].in_features == 3 * 8 + 3 * 4
    out.sum().backward()
    for p in (model.edge_convs[0].conv.weight, model.edge_convs[1].conv.weight,
              model.pool.seeds, model.pool.conv_k.weight, model.convs[0].weight):
        assert p.grad is not None and bool(p.grad.abs().sum() > 0)


def test_hypercluster_errors_and_seed_count(mutag):
    with pytest.raises(ValueError, match="Expected 'num_layers' >= 2"):
        EHGNNHyperCluster(2, 2, num_layers=1)
    model = EHGNNHyperCluster(2, 2, hidden=4, edge_channels=3)
    b = collate(toy(), [0])
    with pytest.raises(ValueError, match="built for edge_channels=3 but 'edge_attr' is None"):
        model(b.x, b.edge_index, b.batch, 1)
    avg = mutag.edge_index.size(1) / mutag.num_graphs  # 39.6 directed edges per graph
    assert cluster_seeds(mutag) == math.ceil(0.15 * avg) == 6
    res = run_folds(mutag, "hypercluster", hidden=8, epochs=1, folds=ehgnn_folds(mutag)[:1])
    assert res.ratio == 0.15 and len(res.folds) == 1
    assert isinstance(make_model("hypercluster", 3, 2, num_seeds=2), EHGNNHyperCluster)
