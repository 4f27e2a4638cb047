"""NodeClassification in mini-batch mode: learning, batch counts, seeding, sampled evaluation,
inductive mode and argument errors (full-batch mode: test_node_classification.py; the
loaders themselves: tests/loader; data-parallel training: test_distributed.py)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN, MLP
from hgkit.ops import e2v, v2e
from hgkit.tasks import NodeClassification
from hgkit.tasks import distributed as D

HISTORY_KEYS = {"epoch", "loss", "train_acc", "val_acc", "val_loss", "seconds"}


@pytest.fixture(scope="module")
def data():
    return hsbm(num_nodes=400, num_edges=400, seed=0)


@pytest.fixture(scope="module")
def small():
    return hsbm(num_nodes=120, num_edges=80, seed=0)


@pytest.fixture(scope="module")
def fitted(data):
    """One mini-batch HGNN fit shared by the tests that only read its results."""
    return NodeClassification(hgnn, lr=0.01, epochs=15, seed=0, batch_size=50,
                              num_neighbors=(5, 5)).fit(data)


def hgnn(f: int, c: int) -> nn.Module:
    return HGNN(f, 16, c)


def mlp(f: int, c: int) -> nn.Module:
    return MLP(f, 8, c)


class MeanTwoLayers(nn.Module):
    """A linear map followed by two node -> hyperedge -> node mean aggregations.

    Its output at a node depends only on the features of its 2-hop neighbourhood and on no
    degree of a node outside it, so the unsampled 2-hop neighbourhood gives it exactly.
    """

    def __init__(self, f: int, c: int) -> None:
        super().__init__()
        self.lin = nn.Linear(f, c)

    def forward(self, x: torch.Tensor, hg) -> torch.Tensor:
        x = self.lin(x)
        for _ in range(2):
            x = e2v(v2e(x, hg, "mean"), hg, "mean")
        return x


def without_seconds(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in h.items() if k != "seconds"} for h in history]


# --------------------------------------------------------------------------- learning
def test_minibatch_hgnn_learns_a_homophilic_hsbm(fitted, data):
    assert fitted.score(data) > 0.6  # chance is 0.25 for 4 classes; ~0.9 is typical


def test_minibatch_training_loss_decreases(fitted):
    losses = [h["loss"] for h in fitted.history_]
    assert losses[-1] < 0.6 * losses[0]


# --------------------------------------------------------------------------- bookkeeping
@pytest.mark.parametrize("batch_size", [7, 32, 60, 1000])
def test_batches_per_epoch_is_the_ceiling_of_training_nodes_over_batch_size(small, batch_size):
    task = NodeClassification(mlp, epochs=1, batch_size=batch_size).fit(small)
    assert task.batches_per_epoch_ == math.ceil(int(small.train_mask.sum()) / batch_size)


def test_full_batch_mode_counts_one_batch_per_epoch(small):
    assert NodeClassification(mlp, epochs=1).fit(small).batches_per_epoch_ == 1


def test_single_process_fit_reports_rank_zero_of_one(small):
    task = NodeClassification(mlp, epochs=1, batch_size=16).fit(small)
    assert (task.rank_, task.world_size_) == (0, 1)


def test_minibatch_history_records_every_field_per_epoch(fitted):
    assert [h["epoch"] for h in fitted.history_] == list(range(15))
    for h in fitted.history_:
        assert set(h) == HISTORY_KEYS
        assert h["train_acc"] is not None and 0.0 <= h["train_acc"] <= 1.0
        assert 0.0 <= h["val_acc"] <= 1.0 and h["val_loss"] > 0.0 and h["seconds"] > 0.0


def test_minibatch_train_accuracy_counts_every_training_node_once_per_epoch(small):
    # correct / seen over the epoch's batches (16, 16, 16, 12 of the 60 training nodes), not
    # an unweighted mean of per-batch accuracies: a whole number of sixtieths
    n_train = int(small.train_mask.sum())
    assert n_train % 16 != 0
    task = NodeClassification(mlp, lr=0.01, epochs=5, batch_size=16).fit(small)
    for h in task.history_:
        assert h["train_acc"] * n_train == pytest.approx(round(h["train_acc"] * n_train))


def test_best_epoch_is_the_first_maximum_of_validation_accuracy(fitted):
    vals = [h["val_acc"] for h in fitted.history_]
    assert fitted.best_epoch_ == vals.index(max(vals))
    assert fitted.best_val_acc_ == max(vals)


def test_without_validation_nodes_minibatch_keeps_the_last_epoch(small):
    no_val = torch.zeros_like(small.val_mask)
    task = NodeClassification(mlp, epochs=3, batch_size=16).fit(small, val_mask=no_val)
    assert task.best_epoch_ == 2 and task.best_val_acc_ is None
    assert all(h["val_acc"] is None and h["val_loss"] is None for h in task.history_)


# --------------------------------------------------------------------------- seeding
def minibatch_hgnn(data, seed: int) -> NodeClassification:
    return NodeClassification(hgnn, lr=0.01, epochs=3, seed=seed, batch_size=16,
                              num_neighbors=(3, 3), member_cap=4).fit(data)


def test_same_seed_gives_identical_histories_and_parameters(small):
    a, b = minibatch_hgnn(small, seed=5), minibatch_hgnn(small, seed=5)
    assert without_seconds(a.history_) == without_seconds(b.history_)
    for (name, p), q in zip(a.model_.state_dict().items(), b.model_.state_dict().values(),
                            strict=True):
        assert torch.equal(p, q), name


def test_different_seed_gives_different_histories_and_parameters(small):
    a, b = minibatch_hgnn(small, seed=5), minibatch_hgnn(small, seed=6)
    assert without_seconds(a.history_) != without_seconds(b.history_)
    assert any(not torch.equal(p, q) for p, q in zip(
        a.model_.state_dict().values(), b.model_.state_dict().values(), strict=True))


def test_minibatch_fit_leaves_the_global_rng_untouched(small):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    minibatch_hgnn(small, seed=0)
    torch.testing.assert_close(torch.rand(3), expected)


# --------------------------------------------------------------------------- evaluation
def test_sampled_evaluation_with_the_whole_two_hop_neighbourhood_is_exact(small):
    task = NodeClassification(MeanTwoLayers, lr=0.01, epochs=2, batch_size=30,
                              num_neighbors=(-1, -1), eval_batch_size=7).fit(small)
    with torch.no_grad():
        full = task.model_(small.x, small.hypergraph)
    torch.testing.assert_close(task.decision_function(small), full)


def test_sampled_evaluation_with_one_hop_differs_from_the_full_graph(small):
    # guards the test above: eval_batch_size really evaluates on sampled neighbourhoods
    task = NodeClassification(MeanTwoLayers, lr=0.01, epochs=2, batch_size=30,
                              num_neighbors=(-1,), eval_batch_size=7).fit(small)
    with torch.no_grad():
        full = task.model_(small.x, small.hypergraph)
    assert not torch.allclose(task.decision_function(small), full)


def test_sampled_evaluation_keeps_node_order(small):
    # an MLP ignores the hypergraph, so even tiny samples must give the full-graph logits
    task = NodeClassification(mlp, lr=0.01, epochs=2, batch_size=16, num_neighbors=(2, 2),
                              member_cap=2, eval_batch_size=13).fit(small)
    with torch.no_grad():
        full = task.model_(small.x, small.hypergraph)
    torch.testing.assert_close(task.decision_function(small), full)
    assert torch.equal(task.predict(small), full.argmax(-1))


def test_sampled_predict_and_score_cover_every_node_reproducibly(small):
    task = NodeClassification(hgnn, lr=0.01, epochs=2, batch_size=16, num_neighbors=(3, 3),
                              eval_batch_size=25).fit(small)
    pred = task.predict(small)
    assert pred.shape == (small.num_nodes,) and pred.dtype == torch.long
    assert torch.equal(task.predict(small), pred)  # fixed sampling seed
    test = small.test_mask
    assert task.score(small) == pytest.approx(float((pred[test] == small.y[test]).float().mean()))


def test_a_rank_without_a_share_of_a_set_sends_zero_counts(small, monkeypatch):
    # sampled evaluation of a one-node set on two ranks: rank 1 holds none of it
    sent: list[list[float]] = []
    monkeypatch.setattr(D, "all_sum", lambda values: sent.append(list(values)) or values)
    task = NodeClassification(mlp, batch_size=8, eval_batch_size=8, distributed=True)
    model = MLP(small.num_features, 8, 4).eval()
    one = [torch.tensor([3])]
    for rank in (0, 1):
        task._evaluate(model, small.x, small.hypergraph, small.y, one, rank=rank, world=2)
    assert sent[0][2] == 1.0 and sent[1] == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------- inductive
def test_inductive_minibatch_predicts_every_node(small):
    task = NodeClassification(hgnn, lr=0.01, epochs=2, batch_size=16, num_neighbors=(3, 3),
                              mode="inductive").fit(small)
    assert task.predict(small).shape == (small.num_nodes,)
    assert 0.0 <= task.score(small) <= 1.0


def with_test_features(data, scale: float) -> HypergraphData:
    x = data.x.clone()
    x[data.test_mask] *= scale
    return HypergraphData(data.hypergraph, x=x, y=data.y, num_classes=data.num_classes,
                          train_mask=data.train_mask, val_mask=data.val_mask,
                          test_mask=data.test_mask)


@pytest.mark.parametrize("mode, hidden", [("inductive", True), ("transductive", False)])
def test_inductive_minibatch_training_never_sees_the_unobserved_nodes(small, mode, hidden):
    # scaling the test nodes' features changes training only when they are visible
    def fit(d):
        return NodeClassification(hgnn, lr=0.01, epochs=2, batch_size=16,
                                  num_neighbors=(-1, -1), mode=mode).fit(d)

    same = without_seconds(fit(small).history_) == without_seconds(
        fit(with_test_features(small, 10.0)).history_)
    assert same is hidden


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, error, match", [
    ({"batch_size": 0}, ValueError, "'batch_size'"),
    ({"batch_size": 1.5}, ValueError, "'batch_size'"),
    ({"batch_size": True}, ValueError, "'batch_size'"),
    ({"eval_batch_size": 0}, ValueError, "'eval_batch_size'"),
    ({"num_neighbors": []}, ValueError, "'num_neighbors'"),
    ({"num_neighbors": [0]}, ValueError, "'num_neighbors'"),
    ({"num_neighbors": "x"}, ValueError, "'num_neighbors'"),
    ({"member_cap": 0}, ValueError, "'member_cap'"),
    ({"distributed": "yes"}, TypeError, "'distributed'"),
])
def test_bad_minibatch_arguments_are_named(small, kwargs, error, match):
    with pytest.raises(error, match=match):
        NodeClassification(mlp, epochs=1, **{"batch_size": 16, **kwargs}).fit(small)


def test_repr_shows_the_minibatch_settings_only_in_minibatch_mode():
    mini = NodeClassification(mlp, batch_size=64, num_neighbors=(5, 5), member_cap=3)
    assert "batch_size=64, num_neighbors=(5, 5), member_cap=3" in repr(mini)
    assert "batch_size" not in repr(NodeClassification(mlp))
