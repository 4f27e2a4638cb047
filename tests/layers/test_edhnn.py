"""ED-HNN beyond the contract: factored rho vs explicit pairs, x0 rules, the shared-weight
model, the per-dataset defaults of the spec's README-commands table, bad arguments."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from hgkit import Hypergraph, ops
from hgkit.hypergraph.transforms import add_self_loops
from hgkit.layers.edhnn import EDHNN, EDHNNConv, JumpLinkConv, MeanDegConv, dataset_key


def _hg(seed: int = 0, n: int = 40, m: int = 15, nnz: int = 120) -> Hypergraph:
    g = torch.Generator().manual_seed(seed)
    index = torch.stack([torch.randint(0, n, (nnz,), generator=g),
                         torch.randint(0, m, (nnz,), generator=g)])
    return Hypergraph(index, num_nodes=n, num_edges=m)


def _explicit_node_messages(conv: EDHNNConv, x: torch.Tensor, hg: Hypergraph) -> torch.Tensor:
    """rho on the gathered ``[x_v || m_e]`` of every incidence, then the aggregation."""
    node, edge = hg.hyperedge_index
    m_e = ops.v2e(conv.phi(x), hg, conv.aggregate)
    pairs = torch.cat([x[node], m_e[edge]], 1)
    return ops.scatter(conv.rho(pairs), node, hg.num_nodes, conv.aggregate)


@pytest.mark.parametrize("kwargs", [
    dict(),                                               # LayerNorm from per-node/edge sums
    dict(mlp2_layers=1),                                  # ... with a 1-layer rho
    dict(normalization=None),                             # plain split, 2-layer rho
    dict(normalization=None, mlp2_layers=1, aggregate="sum"),  # rho leaves the sum
    dict(normalization=None, mlp2_layers=1),                   # ... and the mean
    dict(normalization="bn"),                             # gathered pairs
])
@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 2e-5)])
def test_factored_rho_equals_rho_on_explicit_pairs(kwargs, dtype, tol):
    torch.manual_seed(0)
    conv = EDHNNConv(6, 6, hidden_channels=8, **kwargs).to(dtype).eval()
    for p in conv.parameters():  # non-trivial LayerNorm / BatchNorm affine parameters
        nn.init.normal_(p, std=0.5)
    hg = _hg()
    # large, offset features: the split must not lose digits
    x = (torch.randn(hg.num_nodes, 6, dtype=dtype) * 3 + 50).requires_grad_()
    m_e = ops.v2e(conv.phi(x), hg, conv.aggregate)
    got = conv._node_messages(x, m_e, hg)
    want = _explicit_node_messages(conv, x, hg)
    assert_close(got, want, atol=tol * want.abs().max().item(), rtol=tol)
    g1, = torch.autograd.grad(got.square().sum(), x)
    g2, = torch.autograd.grad(want.square().sum(), x)
    assert_close(g1, g2, atol=10 * tol * g2.abs().max().item(), rtol=10 * tol)


def test_without_rho_the_own_state_is_dropped():
    conv = EDHNNConv(4, 4, mlp1_layers=0, mlp2_layers=0, mlp3_layers=0, alpha=0.0).double()
    hg = _hg()
    x = torch.randn(hg.num_nodes, 4, dtype=torch.float64)
    assert conv.rho is None and len(list(conv.parameters())) == 0
    assert_close(conv(x, hg), ops.v2v(x, hg, "mean"))


def test_restart_mixes_x0_and_defaults_to_x():
    conv = EDHNNConv(4, 4, mlp1_layers=0, mlp2_layers=0, mlp3_layers=0, alpha=0.25).double()
    hg = _hg()
    x = torch.randn(hg.num_nodes, 4, dtype=torch.float64)
    x0 = torch.randn_like(x)
    assert_close(conv(x, hg, x0=x0), 0.75 * ops.v2v(x, hg, "mean") + 0.25 * x0)
    assert_close(conv(x, hg), 0.75 * ops.v2v(x, hg, "mean") + 0.25 * x)


def test_in_out_widths_and_x0_errors():
    hg = _hg()
    x = torch.randn(hg.num_nodes, 3)
    conv = EDHNNConv(3, 7, hidden_channels=5)
    assert conv.message_channels == 5
    with pytest.raises(ValueError, match="Expected 'x0'.*pass x0 with 5 channels"):
        conv(x, hg)
    assert conv(x, hg, x0=torch.randn(hg.num_nodes, 5)).shape == (hg.num_nodes, 7)
    with pytest.raises(ValueError, match="'x0' has 3 channels but the restart term needs 5"):
        conv(x, hg, x0=x)
    with pytest.raises(ValueError, match="'x0' has 2 rows but the hypergraph has 40 nodes"):
        conv(x, hg, x0=torch.randn(2, 5))
    with pytest.raises(TypeError, match="'x0' to have the dtype of 'x'"):
        conv(x, hg, x0=torch.randn(hg.num_nodes, 5, dtype=torch.float64))
    assert EDHNNConv(3, 7, hidden_channels=5, alpha=0.0)(x, hg).shape == (hg.num_nodes, 7)


def test_hyperedge_weights_are_ignored():
    hg = _hg()
    weighted = hg.replace(edge_weight=torch.rand(hg.num_edges) + 0.5)
    x = torch.randn(hg.num_nodes, 4)
    for conv in (EDHNNConv(4, 4), JumpLinkConv(4, 4), MeanDegConv(4, 4)):
        assert torch.equal(conv(x, weighted), conv(x, hg))


@pytest.mark.parametrize("make, error, match", [
    (lambda: EDHNNConv(4, 4, aggregate="max"), ValueError, "'aggregate' to be one of"),
    (lambda: EDHNNConv(4, 4, alpha=1.5), ValueError, r"'alpha' to be in \[0, 1\]"),
    (lambda: EDHNNConv(4, 4, mlp1_layers=-1), ValueError, "'mlp1_layers' to be >= 0"),
    (lambda: EDHNNConv(4, 4, hidden_channels=0), ValueError, "'hidden_channels' to be >= 1"),
    (lambda: EDHNNConv(4, 6, mlp3_layers=0), ValueError,
     "mlp3_layers=0 makes psi the identity, so the message width 4 must equal out_channels"),
    (lambda: EDHNNConv(4, 4, normalization="gn"), ValueError, "'normalization'"),
    (lambda: JumpLinkConv(4, 6, beta=0.5), ValueError, "needs in_channels == out_channels"),
    (lambda: JumpLinkConv(4, 4, beta=2.0), ValueError, r"'beta' to be in \[0, 1\]"),
    (lambda: MeanDegConv(4, 4, mlp2_layers=0), ValueError, "'mlp2_layers' to be >= 1"),
    (lambda: EDHNN(4, 8, 3, conv_type="GCN"), ValueError, "'conv_type' to be one of"),
    (lambda: EDHNN(4, 8, 3, activation="tanh"), ValueError, "'activation' to be one of"),
    (lambda: EDHNN(4, 8, 3, dropout=1.0), ValueError, r"'dropout' to be in \[0, 1\)"),
    (lambda: EDHNN(4, 8, 3, num_layers=-1), ValueError, "'num_layers' to be >= 0"),
])
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_jumplink_identity_mapping():
    conv = JumpLinkConv(4, 4, beta=0.5, alpha=0.0).double()
    hg = _hg()
    x = torch.randn(hg.num_nodes, 4, dtype=torch.float64)
    h = ops.v2v(x, hg, "mean")
    assert_close(conv(x, hg), 0.5 * h + 0.5 * conv.mlp(h))


def test_meandeg_isolated_node_uses_log_degree_zero():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=3, num_edges=1)
    conv = MeanDegConv(2, 2).double()
    out = conv(torch.randn(3, 2, dtype=torch.float64), hg)
    assert torch.isfinite(out).all()


# ---------------------------------------------------------------------------- the model
def test_one_conv_shared_by_every_iteration():
    model = EDHNN(5, 8, 3, num_layers=4)
    convs = [m for m in model.modules() if isinstance(m, EDHNNConv)]
    assert len(convs) == 1 and convs[0] is model.conv
    deep = sum(p.numel() for p in model.parameters())
    shallow = sum(p.numel() for p in EDHNN(5, 8, 3, num_layers=1).parameters())
    assert deep == shallow
    calls = []
    model.conv.register_forward_hook(lambda *args: calls.append(1))
    model(torch.randn(6, 5), torch.tensor([[0, 1, 2, 3, 4, 5], [0, 0, 1, 1, 2, 2]]))
    assert len(calls) == 4


def test_model_wiring_for_the_cora_command():
    """Cora: h = ReLU(psi(mean-mean(ReLU(lin_in x)))), logits = Linear(h) (eval mode)."""
    torch.manual_seed(0)
    model = EDHNN.from_defaults("cora", 5, 3, hidden_channels=8).double().eval()
    hg = _hg(n=12, m=5, nnz=30)
    x = torch.randn(12, 5, dtype=torch.float64)
    h0 = torch.relu(model.lin_in(x))
    h = torch.relu(model.conv.psi(ops.v2v(h0, hg, "mean")))
    assert_close(model(x, hg), model.classifier.lins[0](h))
    assert model.classifier.num_layers == 1 and model.conv.rho is None


@pytest.mark.parametrize("conv_type, cls", [("equivset", EDHNNConv), ("JumpLink", JumpLinkConv),
                                            ("MeanDeg", MeanDegConv)])
@pytest.mark.parametrize("activation", ["relu", "prelu", "Id"])
def test_model_variants_output_logits(conv_type, cls, activation):
    model = EDHNN(5, 8, 3, conv_type=conv_type, activation=activation)
    assert isinstance(model.conv, cls)
    hg = add_self_loops(_hg(n=12, m=5, nnz=30), only_missing=True)
    out = model.eval()(torch.randn(12, 5), hg)
    assert out.shape == (12, 3) and torch.isfinite(out).all()


def test_model_dropout_is_stochastic_in_training_only():
    model = EDHNN(5, 8, 3)
    hg, x = _hg(n=12, m=5, nnz=30), torch.randn(12, 5)
    assert not torch.equal(model.train()(x, hg), model(x, hg))
    assert torch.equal(model.eval()(x, hg), model(x, hg))


def test_model_checks_its_input_and_reset_parameters():
    model = EDHNN(5, 8, 3, activation="prelu")
    hg = _hg(n=12, m=5, nnz=30)
    with pytest.raises(ValueError, match="in_channels=5"):
        model(torch.randn(12, 4), hg)
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        model.act.weight.fill_(0.9)
    model.reset_parameters()
    assert model.act.weight.item() == pytest.approx(0.25)
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True)
               if a.numel() > 1 and a.std() > 0)


# ---------------------------------------------------------------------------- defaults
SPEC_TABLE = {  # dname: All, MLP/MLP2/MLP3, Classifier layers, MLP_hidden, Cls_hidden, alpha
    "cora": (1, 0, 0, 1, 1, 256, 256, 0.0),
    "citeseer": (1, 0, 0, 1, 1, 256, 256, 0.0),
    "pubmed": (8, 2, 2, 2, 2, 512, 256, 0.5),
    "coauthor_cora": (1, 0, 0, 1, 2, 128, 96, 0.0),
    "coauthor_dblp": (1, 0, 0, 1, 2, 128, 96, 0.0),
    "senate-committees-100": (8, 2, 2, 2, 2, 512, 256, 0.5),
    "house-committees-100": (8, 2, 2, 2, 1, 256, 128, 0.5),
}


@pytest.mark.parametrize("dname", sorted(SPEC_TABLE))
def test_defaults_match_the_spec_table(dname):
    layers, m1, m2, m3, cls_layers, hidden, cls_hidden, alpha = SPEC_TABLE[dname]
    cfg = EDHNN.DEFAULTS[dname]
    assert (cfg["num_layers"], cfg["mlp1_layers"], cfg["mlp2_layers"], cfg["mlp3_layers"],
            cfg["classifier_layers"], cfg["hidden_channels"], cfg["classifier_hidden"],
            cfg["alpha"]) == SPEC_TABLE[dname]
    assert cfg["aggregate"] == "mean" and cfg["dropout"] == 0.5
    assert cfg["normalization"] == (None if dname == "pubmed" else "ln")
    model = EDHNN.from_defaults(dname, in_channels=7, num_classes=4)
    assert model.num_layers == layers and model.lin_in.out_features == hidden
    assert model.conv.phi.num_layers == m1 and model.conv.psi.num_layers == m3
    assert (0 if model.conv.rho is None else model.conv.rho.num_layers) == m2
    assert model.classifier.num_layers == cls_layers and model.conv.alpha == alpha
    assert model.classifier.out_channels == 4
    training = EDHNN.training_for(dname)
    assert (training["lr"], training["weight_decay"], training["epochs"], training["runs"]) == \
        (1e-3, 0.0, 500, 10)
    assert training.get("feature_noise") == (1.0 if "committees" in dname else None)


def test_global_defaults_for_other_datasets_and_overrides():
    assert EDHNN.defaults_for("walmart-trips-100") == EDHNN.GLOBAL_DEFAULTS
    g = EDHNN.GLOBAL_DEFAULTS
    assert (g["num_layers"], g["mlp1_layers"], g["hidden_channels"], g["classifier_layers"],
            g["classifier_hidden"], g["alpha"], g["dropout"]) == (2, 2, 64, 2, 64, 0.5, 0.5)
    model = EDHNN.from_defaults("zoo", 16, 7, num_layers=3, dropout=0.1)
    assert model.num_layers == 3 and model.dropout == 0.1
    assert model.conv.rho.num_layers == 2  # MLP2 = -1 means "same as MLP_num_layers"
    with pytest.raises(TypeError):
        EDHNN.from_defaults("cora", 5, 3, not_an_argument=1)


@pytest.mark.parametrize("name, key", [
    ("allset-cocitation-cora", "cora"), ("allset-cocitation-pubmed", "pubmed"),
    ("allset-coauthorship-dblp", "coauthor_dblp"), ("Cora-CA", "coauthor_cora"),
    ("allset-house-committees", "house-committees-100"), ("CITESEER", "citeseer"),
])
def test_hgkit_dataset_names_resolve(name, key):
    assert dataset_key(name) == key
    assert EDHNN.defaults_for(name) == EDHNN.DEFAULTS[key]


def test_defaults_for_returns_a_copy():
    EDHNN.defaults_for("cora")["hidden_channels"] = 1
    assert EDHNN.DEFAULTS["cora"]["hidden_channels"] == 256
