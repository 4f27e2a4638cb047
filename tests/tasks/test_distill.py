"""LightHGNN / LightHGNN+ distillation: losses, reliability, the estimator, the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from hgkit import Hypergraph
from hgkit.cli import main
from hgkit.datasets.data import HypergraphData
from hgkit.datasets.splits import inductive_split, per_class_split
from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN
from hgkit.tasks import distill_bench
from hgkit.tasks.distill import (
    DistillToMLP,
    NodeClassification,
    _hc_loss,
    _kd_loss,
    default_student,
    default_teacher,
    hyperedge_reliability,
    production_scores,
    topology_score,
)

DATA_ROOT = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def _dataset(x=None):
    syn = hsbm(num_nodes=240, num_edges=160, seed=3)
    split = per_class_split(syn.y, 10, 20, seed=0)
    train, val, test = split.masks(syn.num_nodes)
    return HypergraphData(syn.hypergraph, x=syn.x if x is None else x, y=syn.y,
                          num_classes=syn.num_classes, train_mask=train, val_mask=val,
                          test_mask=test)


@pytest.fixture(scope="module")
def data():
    return _dataset()


@pytest.fixture(scope="module")
def teacher(data):
    return NodeClassification(default_teacher, lr=0.01, weight_decay=5e-4, epochs=60,
                              seed=0).fit(data)


# ---------------------------------------------------------------------- losses
def test_kd_loss_is_the_kl_divergence_times_tau_squared():
    s, t = torch.randn(6, 4, dtype=torch.float64), torch.randn(6, 4, dtype=torch.float64)
    for tau in (1.0, 2.5):
        expected = F.kl_div((s / tau).log_softmax(-1), (t / tau).log_softmax(-1),
                            reduction="batchmean", log_target=True) * tau ** 2
        torch.testing.assert_close(_kd_loss(s, t, tau, reference=False), expected)
    assert float(_kd_loss(t, t, 1.7, reference=False)) == pytest.approx(0.0, abs=1e-12)


def test_reference_kd_loss_is_the_official_call_with_probability_targets():
    s, t = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    official = F.kl_div(s.log_softmax(-1), t.softmax(-1), reduction="batchmean",
                        log_target=True)
    torch.testing.assert_close(_kd_loss(s, t, 3.0, reference=True), official)


def test_reference_kd_loss_pulls_the_student_to_softmax_of_probabilities():
    t = torch.tensor([[4.0, 0.0, -2.0]], dtype=torch.float64)
    flat = t.softmax(-1).softmax(-1).log().requires_grad_(True)  # logits of softmax(p)
    _kd_loss(flat, t, 1.0, reference=True).backward()
    assert flat.grad.abs().max() < 1e-12
    sharp = t.clone().requires_grad_(True)  # the teacher's own distribution is NOT the target
    _kd_loss(sharp, t, 1.0, reference=True).backward()
    assert sharp.grad.abs().max() > 1e-3


def test_hc_loss_matches_hyperedge_mean_probabilities():
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 3], [0, 0, 1, 1, 2]]), num_nodes=4)
    s = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    t = torch.randn(4, 3, dtype=torch.float64)
    keep = torch.tensor([True, False, True])
    ps, pt = s.softmax(-1), t.softmax(-1)
    se = torch.stack([ps[[0, 1]].mean(0), ps[[3]].mean(0)])
    te = torch.stack([pt[[0, 1]].mean(0), pt[[3]].mean(0)])
    expected = (te * (te.log() - se.log())).sum(-1).mean()
    loss = _hc_loss(s, t, hg, keep, 1.0, reference=False)
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert s.grad[2].abs().max() == 0  # node 2 is only in the dropped hyperedge


def test_hc_loss_is_zero_without_kept_hyperedges_and_for_a_perfect_student():
    hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3)
    t = torch.randn(3, 2)
    none = torch.zeros(2, dtype=torch.bool)
    assert float(_hc_loss(torch.randn(3, 2), t, hg, none, 1.0, False)) == 0.0
    every = torch.ones(2, dtype=torch.bool)
    assert float(_hc_loss(t, t, hg, every, 2.0, False)) == pytest.approx(0.0, abs=1e-6)


# ---------------------------------------------------------------------- reliability
def test_reliability_against_a_dense_reference():
    hg = Hypergraph(torch.tensor([[0, 1, 1, 2, 0, 2], [0, 0, 1, 1, 2, 2]]), num_nodes=3)
    x = torch.randn(3, 4, dtype=torch.float64)
    w = torch.randn(4, 3, dtype=torch.float64)

    def model(feats, _hg):
        return feats @ w

    gen = torch.Generator().manual_seed(5)
    rho = hyperedge_reliability(model, x, hg, 1.0, gen)
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(5), dtype=x.dtype)

    def entropy(z):
        p = z.softmax(-1)
        return -(p * p.log()).sum(-1)

    h, hn = entropy(model(x, hg)), entropy(model(x * (1 + eps), hg))
    members = [[0, 1], [1, 2], [0, 2]]
    delta = torch.stack([(hn[m].mean() - h[m].mean()).abs() for m in members])
    torch.testing.assert_close(rho, 1 - delta / delta.max())
    assert float(rho.min()) == 0.0


def test_reliability_guards_the_all_zero_case():
    hg = Hypergraph(torch.tensor([[0, 1, 2], [0, 0, 1]]), num_nodes=3, num_edges=3)
    rho = hyperedge_reliability(lambda x, g: torch.zeros(3, 2), torch.randn(3, 2), hg)
    assert torch.equal(rho, torch.ones(3))  # no NaN from 0 / 0, the empty hyperedge too


def test_reliability_rejects_a_bad_noise_level():
    hg = Hypergraph(torch.tensor([[0], [0]]), num_nodes=1)
    with pytest.raises(ValueError, match="noise_level"):
        hyperedge_reliability(lambda x, g: x, torch.ones(1, 2), hg, noise_level=0.0)


def test_topology_score_by_hand_and_for_constant_embeddings():
    hg = Hypergraph(torch.tensor([[0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 2]]), num_nodes=3)
    h = torch.tensor([[0.0], [3.0], [6.0]])
    # e0: centre 3, distances 3,0,3 -> 2; e1: centre 1.5 -> 1.5; e2: {2} -> 0
    assert topology_score(h, hg) == pytest.approx((2.0 + 1.5 + 0.0) / 3)
    assert topology_score(torch.ones(3, 4), hg) == 0.0
    with pytest.raises(ValueError, match="'h'"):
        topology_score(torch.ones(2, 4), hg)


# ---------------------------------------------------------------------- the estimator
def test_students_follow_their_teacher_and_need_no_hypergraph(data, teacher):
    agree = {}
    for method in ("lighthgnn", "lighthgnn+"):
        task = DistillToMLP(teacher, method=method, epochs=80, seed=0).fit(data)
        assert task.teacher_ is teacher
        pred = task.predict(data.x)  # features only
        agree[method] = float((pred == teacher.predict(data)).float().mean())
    plain = NodeClassification(default_student, lr=0.01, weight_decay=5e-4, epochs=80,
                               seed=0).fit(data)
    plain_agree = float((plain.predict(data) == teacher.predict(data)).float().mean())
    assert min(agree.values()) > plain_agree + 0.05
    assert min(agree.values()) > 0.75


def test_lighthgnn_plus_samples_hyperedges_by_reliability(data, teacher):
    task = DistillToMLP(teacher, method="lighthgnn+", epochs=30, seed=1).fit(data)
    rho = task.reliability_
    assert rho.shape == (data.hypergraph.num_edges,)
    assert float(rho.min()) == 0.0 and float(rho.max()) <= 1.0
    kept = [h["kept_edges"] for h in task.history_]
    expected = float(rho[data.hypergraph.edge_size > 0].sum())
    assert abs(sum(kept) / len(kept) - expected) < 0.15 * expected
    assert len(set(kept)) > 1  # redrawn every epoch
    assert all(h["hc"] > 0 for h in task.history_)


def test_plain_lighthgnn_has_no_high_order_term(data, teacher):
    task = DistillToMLP(teacher, method="lighthgnn", epochs=5).fit(data)
    assert task.reliability_ is None
    assert all(h["hc"] == 0.0 and h["kept_edges"] == 0 for h in task.history_)


def test_lamb_one_is_plain_cross_entropy(data, teacher):
    task = DistillToMLP(teacher, method="lighthgnn", lamb=1.0, epochs=3).fit(data)
    for h in task.history_:
        assert h["loss"] == pytest.approx(h["ce"])


def test_fit_is_seeded_and_leaves_the_global_rng_alone(data, teacher):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = DistillToMLP(teacher, epochs=10, seed=4).fit(data)
    after = torch.rand(1)
    b = DistillToMLP(teacher, epochs=10, seed=4).fit(data)
    assert torch.equal(before, after)
    torch.testing.assert_close(a.decision_function(data), b.decision_function(data))
    torch.testing.assert_close(a.reliability_, b.reliability_)


def test_an_unfitted_teacher_is_fitted_on_a_copy(data):
    spec = NodeClassification(default_teacher, lr=0.01, epochs=5)
    task = DistillToMLP(spec, method="lighthgnn", epochs=3).fit(data)
    assert getattr(spec, "model_", None) is None
    assert task.teacher_.model_ is not None
    task = DistillToMLP(lambda f, c: HGNN(f, 8, c), epochs=3).fit(data)
    assert task.teacher_.epochs == 200


def test_inductive_distillation_never_reads_unobserved_nodes(data):
    split = per_class_split(data.y, 10, 20, seed=0)
    isplit = inductive_split(split, data.num_nodes, 0.5, seed=0)
    observed = torch.zeros(data.num_nodes, dtype=torch.bool)
    observed[torch.cat([split.train, split.val, isplit.test_observed])] = True
    x = data.x.clone()
    x[~observed] = float("nan")
    poisoned = _dataset(x)
    kwargs = {"mode": "inductive", "epochs": 10, "seed": 0}
    task = DistillToMLP(default_teacher, **kwargs).fit(poisoned, observed=observed)
    assert torch.isfinite(task.teacher_logits_).all()
    assert task.teacher_logits_.size(0) == int(observed.sum())
    clean = DistillToMLP(default_teacher, **kwargs).fit(data, observed=observed)
    torch.testing.assert_close(task.decision_function(data), clean.decision_function(data))


def test_production_scores(data):
    split = per_class_split(data.y, 10, 20, seed=0)
    isplit = inductive_split(split, data.num_nodes, 0.5, seed=0)
    observed = torch.zeros(data.num_nodes, dtype=torch.bool)
    observed[torch.cat([split.train, split.val, isplit.test_observed])] = True
    teach = NodeClassification(default_teacher, epochs=10, mode="inductive", lr=0.01)
    teach.fit(data, observed=observed)
    stu = DistillToMLP(teach, mode="inductive", epochs=10).fit(data, observed=observed)
    t = production_scores(teach, data, isplit.test_observed, isplit.test_unobserved)
    assert set(t) == {"trans", "ind", "prod"}
    s = production_scores(stu, data, isplit.test_observed, isplit.test_unobserved)
    n_obs, n_ind = isplit.test_observed.numel(), isplit.test_unobserved.numel()
    # the student reads features only: prod is the size-weighted mean of trans and ind
    assert s["prod"] == pytest.approx((s["trans"] * n_obs + s["ind"] * n_ind) / (n_obs + n_ind))
    pred = stu.predict(data.x)
    s = production_scores(stu, data, isplit.test_observed, isplit.test_unobserved)
    ind = isplit.test_unobserved
    assert s["ind"] == pytest.approx(float((pred[ind] == data.y[ind]).float().mean()))
    with pytest.raises(ValueError, match="disjoint"):
        production_scores(stu, data, isplit.test_observed, isplit.test_observed)


def test_teacher_trans_score_uses_the_observed_subhypergraph(data):
    split = per_class_split(data.y, 10, 20, seed=0)
    isplit = inductive_split(split, data.num_nodes, 0.5, seed=0)
    observed = torch.zeros(data.num_nodes, dtype=torch.bool)
    observed[torch.cat([split.train, split.val, isplit.test_observed])] = True
    teach = NodeClassification(default_teacher, epochs=5, mode="inductive", lr=0.01)
    teach.fit(data, observed=observed)
    x = data.x.clone()
    x[isplit.test_unobserved] = 1e6
    poisoned = _dataset(x)
    a = production_scores(teach, data, isplit.test_observed, isplit.test_unobserved)
    b = production_scores(teach, poisoned, isplit.test_observed, isplit.test_unobserved)
    assert a["trans"] == b["trans"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "glnn"}, "method"), ({"lamb": 1.5}, "lamb"), ({"tau": 0.0}, "tau"),
    ({"epochs": 0}, "epochs"), ({"mode": "online"}, "mode"), ({"lr": -1.0}, "lr"),
])
def test_bad_parameters_name_the_argument(data, teacher, kwargs, match):
    with pytest.raises(ValueError, match=match):
        DistillToMLP(teacher, **kwargs).fit(data)


def test_other_errors(data, teacher):
    with pytest.raises(TypeError, match="teacher"):
        DistillToMLP(3).fit(data)
    with pytest.raises(TypeError, match="reference_loss"):
        DistillToMLP(teacher, reference_loss="yes").fit(data)
    with pytest.raises(ValueError, match="mode"):
        DistillToMLP(teacher, mode="inductive").fit(data)
    with pytest.raises(ValueError, match="observed"):
        DistillToMLP(teacher).fit(data, observed=data.train_mask)
    with pytest.raises(RuntimeError, match="not fitted"):
        DistillToMLP(teacher).predict(data.x)
    with pytest.raises(ValueError, match="'x'"):
        DistillToMLP(teacher, epochs=1).fit(data).predict(torch.ones(3, dtype=torch.long))


def test_student_factory_and_module(data, teacher):
    mod = default_student(data.num_features, 4)
    task = DistillToMLP(teacher, mod, epochs=2).fit(data)
    assert task.student_ is not mod
    with pytest.raises(TypeError, match="student"):
        DistillToMLP(teacher, lambda f, c: 3, epochs=2).fit(data)


# ---------------------------------------------------------------------- benchmark and CLI
def test_fix_isolated_adds_singletons_only_for_isolated_nodes():
    hg = Hypergraph(torch.tensor([[0, 1, 3], [0, 0, 1]]), num_nodes=5,
                    edge_weight=torch.tensor([2.0, 3.0]))
    out = distill_bench.fix_isolated(hg)
    assert out.edges() == [[0, 1], [3], [2], [4]]
    assert out.edge_weight.tolist() == [2.0, 3.0, 1.0, 1.0]
    full = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2)
    assert distill_bench.fix_isolated(full) is full


@pytest.mark.skipif(not (DATA_ROOT / "allset-cocitation-cora").is_dir(),
                    reason="needs ../shared/datasets")
def test_load_dataset_normalizes_cocitation_features_like_dhg():
    data = distill_bench.load_dataset("allset-cocitation-cora", DATA_ROOT, download=False)
    torch.testing.assert_close(data.x.sum(1), torch.ones(2708))
    deg = torch.bincount(data.hypergraph.hyperedge_index[0], minlength=2708)
    assert int((deg == 0).sum()) == 0
    # DHG merges the pickle's repeated hyperedges (1,579 -> 1,483), then fix_iso_v
    assert data.hypergraph.num_edges == 1483 + 1274


def test_run_records_and_table():
    recs = distill_bench.run(["hsbm-homophilic"], runs=2, epochs=3, setting="both",
                             progress=False)
    rows = [r for r in recs if r["task"] == "distill"]
    assert recs[-1]["task"] == "env"
    assert {(r["model"], r["metric"]) for r in rows} == {
        (m, k) for m in distill_bench.MODELS
        for k in ("accuracy", "prod_trans", "prod_ind", "prod_prod")}
    for r in rows:
        assert len(r["scores"]) == 2 and r["published"] is None
        assert r["mean"] == pytest.approx(sum(r["scores"]) / 2, abs=1e-3)
    table = distill_bench.markdown_table(recs)
    assert "| hsbm-homophilic | lighthgnn+ |" in table and "prod: ind" in table


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"models": ["gcn"]}, "Unknown model"), ({"setting": "x"}, "setting"),
    ({"teacher": "edhnn"}, "teacher"), ({"runs": 0}, "runs"),
])
def test_run_rejects_bad_requests(kwargs, match):
    with pytest.raises(distill_bench.BenchmarkError, match=match):
        distill_bench.run(["hsbm-homophilic"], progress=False, **kwargs)


def test_cli_distill(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["distill", "--datasets", "hsbm-homophilic", "--models", "mlp,lighthgnn",
                 "--runs", "1", "--epochs", "2", "--no-progress", "--json", str(out)])
    assert code == 0
    assert "| hsbm-homophilic | lighthgnn |" in capsys.readouterr().out
    recs = json.loads(out.read_text())
    assert {r["task"] for r in recs} == {"distill", "env"}
    assert main(["distill", "--models", "gcn"]) == 2
    assert "Unknown model" in capsys.readouterr().err
    assert main(["distill", "--inductive-ratio", "2"]) == 2
