"""NodeClassification: selection on validation only, seeding, modes and input errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hgkit import Hypergraph
from hgkit.datasets.data import HypergraphData
from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN, MLP
from hgkit.tasks import NodeClassification


@pytest.fixture(scope="module")
def data():
    return hsbm(num_nodes=160, num_edges=160, seed=0)


def hgnn(f: int, c: int) -> nn.Module:
    return HGNN(f, 16, c)


def test_fit_returns_self_and_records_history(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=12, seed=0)
    assert task.fit(data) is task
    assert [h["epoch"] for h in task.history_] == list(range(12))
    assert {"loss", "train_acc", "val_acc", "val_loss", "seconds"} <= set(task.history_[0])
    assert task.num_classes_ == 4 and task.fit_seconds_ > 0 and task.epoch_seconds_ > 0


def test_best_epoch_is_the_first_maximum_of_validation_accuracy(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=25, seed=1).fit(data)
    vals = [h["val_acc"] for h in task.history_]
    assert task.best_epoch_ == vals.index(max(vals))
    assert task.best_val_acc_ == max(vals)


def test_restored_model_reproduces_the_best_epoch_validation_accuracy(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=25, seed=2).fit(data)
    assert task.score(data, data.val_mask) == pytest.approx(task.best_val_acc_)
    # the model kept is not simply the last one unless the last epoch was the best
    assert task.best_epoch_ < 25


def test_selection_never_reads_the_test_labels(data):
    fitted = NodeClassification(hgnn, lr=0.01, epochs=15, seed=3).fit(data)
    scrambled_y = data.y.clone()
    test = data.test_mask
    scrambled_y[test] = (scrambled_y[test] + 1) % 4
    other = HypergraphData(data.hypergraph, x=data.x, y=scrambled_y, num_classes=4,
                           train_mask=data.train_mask, val_mask=data.val_mask, test_mask=test)
    refit = NodeClassification(hgnn, lr=0.01, epochs=15, seed=3).fit(other)
    assert refit.history_ == [dict(h, seconds=r["seconds"])
                              for h, r in zip(fitted.history_, refit.history_, strict=True)]
    assert refit.best_epoch_ == fitted.best_epoch_


def test_same_seed_same_result_and_global_rng_untouched(data):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = NodeClassification(hgnn, lr=0.01, epochs=8, seed=5).fit(data)
    after = torch.rand(1)
    b = NodeClassification(hgnn, lr=0.01, epochs=8, seed=5).fit(data)
    c = NodeClassification(hgnn, lr=0.01, epochs=8, seed=6).fit(data)
    assert torch.equal(before, after)
    assert [h["loss"] for h in a.history_] == [h["loss"] for h in b.history_]
    assert [h["loss"] for h in a.history_] != [h["loss"] for h in c.history_]


def test_module_argument_is_copied_not_trained(data):
    model = MLP(data.num_features, 8, 4)
    before = [p.detach().clone() for p in model.parameters()]
    task = NodeClassification(model, lr=0.05, epochs=5).fit(data)
    assert task.model_ is not model
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters(), strict=True))
    assert not all(torch.equal(p, q)
                   for p, q in zip(before, task.model_.parameters(), strict=True))


def test_patience_stops_early(data):
    task = NodeClassification(hgnn, lr=0.05, epochs=300, patience=5, seed=0).fit(data)
    assert len(task.history_) < 300
    assert len(task.history_) - 1 - task.best_epoch_ == 5


def test_without_validation_the_last_epoch_is_kept(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=6).fit(
        data, val_mask=torch.zeros(data.num_nodes, dtype=torch.bool))
    assert task.best_epoch_ == 5 and task.best_val_acc_ is None
    assert task.history_[0]["val_acc"] is None


def test_learns_a_homophilic_hsbm(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=100, seed=0).fit(data)
    mlp = NodeClassification(lambda f, c: MLP(f, 16, c), lr=0.01, epochs=100, seed=0).fit(data)
    assert task.score(data) > mlp.score(data) + 0.05


def test_predict_and_proba_shapes(data):
    task = NodeClassification(hgnn, lr=0.01, epochs=3).fit(data)
    proba = task.predict_proba(data)
    assert proba.shape == (data.num_nodes, 4)
    torch.testing.assert_close(proba.sum(1), torch.ones(data.num_nodes))
    assert torch.equal(task.predict(data), proba.argmax(1))


class Recorder(nn.Module):
    """An MLP that remembers the node counts of the hypergraphs it saw."""

    def __init__(self, f: int, c: int) -> None:
        super().__init__()
        self.lin = nn.Linear(f, c)
        self.seen: list[int] = []

    def forward(self, x, hypergraph):
        self.seen.append(hypergraph.num_nodes)
        return self.lin(x)


def test_inductive_mode_hides_unobserved_nodes_during_fit(data):
    task = NodeClassification(Recorder, epochs=3, mode="inductive").fit(data)
    observed = int((data.train_mask | data.val_mask).sum())
    assert set(task.model_.seen) == {observed}
    task.predict(data)
    assert task.model_.seen[-1] == data.num_nodes


def test_inductive_observed_must_cover_train_and_val(data):
    with pytest.raises(ValueError, match="'observed' to contain every training"):
        NodeClassification(Recorder, epochs=1, mode="inductive").fit(
            data, observed=data.train_mask)


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": -1.0}, "'lr' to be a finite number >= 0"),
    ({"epochs": 0}, "'epochs' to be an int >= 1"),
    ({"patience": 0}, "'patience' to be an int >= 1"),
    ({"mode": "semi"}, "'mode' to be 'transductive' or 'inductive'"),
    ({"seed": -1}, "'seed' to be an int >= 0"),
])
def test_bad_hyperparameters_are_named(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        NodeClassification(hgnn, **kwargs).fit(data)


def test_bad_data_is_named(data):
    task = NodeClassification(hgnn, epochs=1)
    no_x = HypergraphData(data.hypergraph, y=data.y, num_classes=4, train_mask=data.train_mask)
    with pytest.raises(ValueError, match="'data.x' to be a floating"):
        task.fit(no_x)
    no_split = HypergraphData(data.hypergraph, x=data.x, y=data.y, num_classes=4)
    with pytest.raises(ValueError, match="Expected a 'train_mask'"):
        task.fit(no_split)
    with pytest.raises(ValueError, match="'train_mask' to be a bool tensor of shape"):
        task.fit(data, train_mask=torch.ones(3, dtype=torch.bool))
    bad_y = HypergraphData(data.hypergraph, x=data.x, y=data.y.float(), num_classes=4,
                           train_mask=data.train_mask)
    with pytest.raises(ValueError, match="'data.y' to be an int64 tensor"):
        task.fit(bad_y)
    with pytest.raises(TypeError, match="'hypergraph' attribute holding an hgkit Hypergraph"):
        task.fit(object())


def test_labels_beyond_num_classes_are_rejected():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=1)
    data = HypergraphData(hg, x=torch.randn(3, 2), y=torch.tensor([0, 1, 2]), num_classes=2,
                          train_mask=torch.ones(3, dtype=torch.bool))
    with pytest.raises(ValueError, match="holds label 2 but data.num_classes=2"):
        NodeClassification(hgnn, epochs=1).fit(data)


def test_predict_before_fit_says_so(data):
    with pytest.raises(RuntimeError, match="not fitted yet"):
        NodeClassification(hgnn).predict(data)


def test_diverging_training_raises_with_advice(data):
    class Exploding(nn.Module):
        def __init__(self, f: int, c: int) -> None:
            super().__init__()
            self.lin = nn.Linear(f, c)

        def forward(self, x, hypergraph):
            return self.lin(x) * float("inf")

    with pytest.raises(FloatingPointError, match="lower 'lr'"):
        NodeClassification(Exploding, epochs=2).fit(data)
