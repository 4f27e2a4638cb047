"""AllSet beyond the contract: PMA details, separate parameters per layer and direction, the
SetGNN stack, the per-dataset settings table of run_AllSetTransformer.sh, bad arguments."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F
from torch.testing import assert_close

from hgkit import Hypergraph, ops
from hgkit.layers.allset import (
    PMA,
    AllDeepSets,
    AllDeepSetsConv,
    AllSetTransformer,
    AllSetTransformerConv,
)
from tests.layers.cases_allset import pma_dense


def _hg(seed: int = 0, n: int = 12, m: int = 6, nnz: int = 30) -> Hypergraph:
    g = torch.Generator().manual_seed(seed)
    index = torch.stack([torch.randint(0, n, (nnz,), generator=g),
                         torch.randint(0, m, (nnz,), generator=g)])
    return Hypergraph(index, num_nodes=n, num_edges=m)


def _dense_h(hg: Hypergraph) -> torch.Tensor:
    return hg.incidence("dense", dtype=torch.float64)


@pytest.mark.parametrize("heads", [1, 2, 4])
def test_pma_matches_the_explicit_loop_both_directions(heads):
    torch.manual_seed(0)
    hg = _hg()
    h = _dense_h(hg)
    v2e = PMA(3, 8, heads=heads).double()
    x = torch.randn(hg.num_nodes, 3, dtype=torch.float64)
    assert_close(v2e(x, hg, "v2e"), pma_dense(v2e, x, h.t()))
    e2v = PMA(3, 8, heads=heads).double()
    z = torch.randn(hg.num_edges, 3, dtype=torch.float64)
    assert_close(e2v(z, hg, "e2v"), pma_dense(e2v, z, h))


def test_pma_empty_multiset_is_the_seed_summary():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2, num_edges=2)
    pma = PMA(3, 4, heads=2).double()
    out = pma(torch.randn(2, 3, dtype=torch.float64), hg, "v2e")
    o = F.layer_norm(pma.seed.reshape(1, 4), (4,), pma.ln0.weight, pma.ln0.bias)
    want = F.layer_norm(o + torch.relu(pma.rff(o)), (4,), pma.ln1.weight, pma.ln1.bias)
    assert_close(out[1:], want)


def test_pma_attention_is_a_convex_combination_of_values():
    """If every member has the same value vector, the softmax weights must sum to one."""
    pma = PMA(3, 4).double()
    hg = _hg()
    x = torch.randn(hg.num_nodes, 3, dtype=torch.float64)
    with torch.no_grad():
        pma.lin_v.weight.zero_()
    score = F.leaky_relu(pma.lin_k(x) @ pma.seed.reshape(4), 0.2)
    alpha = ops.softmax(score[hg.hyperedge_index[0]], index=hg.hyperedge_index[1],
                        num_segments=hg.num_edges)
    assert_close(ops.scatter(alpha, hg.hyperedge_index[1], hg.num_edges),
                 (hg.edge_size > 0).double())
    nonempty = hg.edge_size > 0
    o = (pma.lin_v.bias + pma.seed.reshape(4)).expand(int(nonempty.sum()), 4)
    o = F.layer_norm(o, (4,), pma.ln0.weight, pma.ln0.bias)
    want = F.layer_norm(o + torch.relu(pma.rff(o)), (4,), pma.ln1.weight, pma.ln1.bias)
    assert_close(pma(x, hg, "v2e")[nonempty], want)


def test_pma_errors():
    hg = _hg()
    pma = PMA(3, 4, heads=2)
    with pytest.raises(ValueError, match=r"'out_channels' \(4\) to be divisible by 'heads'"):
        PMA(3, 4, heads=3)
    with pytest.raises(ValueError, match="'direction' to be one of"):
        pma(torch.randn(12, 3), hg, "v2v")
    with pytest.raises(TypeError, match="'hg' to be an hgkit.Hypergraph"):
        pma(torch.randn(12, 3), hg.hyperedge_index)
    with pytest.raises(ValueError, match="'x' has 12 rows but the hypergraph has 6 hyperedges"):
        pma(torch.randn(12, 3), hg, "e2v")


def test_transformer_conv_halves_have_their_own_parameters():
    conv = AllSetTransformerConv(3, 8, heads=2, hidden_channels=4)
    a = {p.data_ptr() for p in conv.node_to_edge.parameters()}
    b = {p.data_ptr() for p in conv.edge_to_node.parameters()}
    assert a and b and not a & b
    assert conv.node_to_edge.out_channels == 4 and conv.edge_to_node.in_channels == 4


def test_transformer_conv_dropout_between_halves_in_training_only():
    conv = AllSetTransformerConv(3, 8, heads=2, dropout=0.5)
    hg, x = _hg(), torch.randn(12, 3)
    assert not torch.equal(conv.train()(x, hg), conv(x, hg))
    assert torch.equal(conv.eval()(x, hg), conv(x, hg))


def test_hyperedge_weights_are_ignored():
    hg = _hg()
    weighted = hg.replace(edge_weight=torch.rand(hg.num_edges) + 0.5)
    x = torch.randn(12, 3)
    for conv in (AllSetTransformerConv(3, 4), AllDeepSetsConv(3, 4)):
        assert torch.equal(conv(x, weighted), conv(x, hg))


@pytest.mark.parametrize("make, error, match", [
    (lambda: AllSetTransformerConv(3, 6, heads=4), ValueError, "divisible by 'heads'"),
    (lambda: AllSetTransformerConv(3, 8, heads=0), ValueError, "'heads' to be >= 1"),
    (lambda: AllSetTransformerConv(3, 8, dropout=-0.1), ValueError, "'dropout'"),
    (lambda: AllDeepSetsConv(3, 8, aggregate="max"), ValueError, "'aggregate' to be one of"),
    (lambda: AllDeepSetsConv(3, 8, mlp_layers=0), ValueError, "num_layers=0 is the identity"),
    (lambda: AllSetTransformer(3, 10, 2, heads=4), ValueError,
     r"'hidden_channels' \(10\) to be divisible by 'heads' \(4\)"),
    (lambda: AllSetTransformer(3, 8, 2, input_dropout=1.0), ValueError, "'input_dropout'"),
    (lambda: AllDeepSets(3, 8, 2, normalization="gn"), ValueError, "'normalization'"),
])
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


# ---------------------------------------------------------------------------- the models
@pytest.mark.parametrize("cls", [AllSetTransformer, AllDeepSets])
def test_separate_parameters_per_layer(cls):
    model = cls(5, 8, 3, num_layers=3)
    assert len(model.convs) == 3
    ptrs = [{p.data_ptr() for p in conv.parameters()} for conv in model.convs]
    assert all(not ptrs[i] & ptrs[j] for i in range(3) for j in range(i + 1, 3))
    one = sum(p.numel() for p in cls(5, 8, 3, num_layers=1).parameters())
    assert sum(p.numel() for p in model.parameters()) > one


@pytest.mark.parametrize("cls", [AllSetTransformer, AllDeepSets])
def test_model_wiring_in_eval(cls):
    torch.manual_seed(0)
    model = cls(5, 8, 3, num_layers=2).double().eval()
    hg, x = _hg(), torch.randn(12, 5, dtype=torch.float64)
    h = model.convs[1](model.convs[0](x, hg), hg)
    assert_close(model(x, hg), model.classifier(h))
    assert model(x, hg.hyperedge_index, num_edges=hg.num_edges).shape == (12, 3)


def test_model_dropouts_in_training_only():
    model = AllSetTransformer(5, 8, 3)
    assert model.input_dropout == 0.2 and model.dropout == 0.5
    hg, x = _hg(), torch.randn(12, 5)
    assert not torch.equal(model.train()(x, hg), model(x, hg))
    assert torch.equal(model.eval()(x, hg), model(x, hg))


def test_zero_layers_is_the_classifier_on_the_input():
    model = AllDeepSets(5, 8, 3, num_layers=0).eval()
    x = torch.randn(12, 5)
    assert torch.equal(model(x, _hg()), model.classifier(x))


def test_reset_parameters_draws_new_weights():
    model = AllSetTransformer(5, 8, 3)
    before = model.convs[0].node_to_edge.seed.detach().clone()
    model.reset_parameters()
    assert not torch.equal(before, model.convs[0].node_to_edge.seed)


def test_deepsets_defaults_use_sum_aggregation():
    model = AllDeepSets(5, 64, 3)
    assert all(conv.aggregate == "sum" for conv in model.convs)
    assert model.convs[0].enc1.input_norm and model.convs[0].enc1.normalization == "ln"


# ---------------------------------------------------------------------------- defaults
SPEC_TABLE = {  # dname: heads, MLP_hidden, Classifier_hidden, lr, wd, feature_noise
    "cora": (4, 256, 128, 1e-3, 0, None),
    "citeseer": (8, 512, 256, 1e-3, 0, None),
    "pubmed": (8, 256, 256, 1e-3, 0, None),
    "coauthor_cora": (8, 128, 128, 1e-3, 0, None),
    "coauthor_dblp": (8, 512, 256, 1e-3, 0, None),
    "zoo": (1, 64, 64, 1e-2, 1e-5, None),
    "20newsW100": (8, 256, 256, 1e-3, 0, None),
    "Mushroom": (1, 128, 128, 1e-3, 0, None),
    "NTU2012": (1, 256, 256, 1e-3, 0, None),
    "ModelNet40": (8, 512, 128, 1e-3, 0, None),
    "yelp": (1, 64, 64, 1e-3, 0, None),
    "house-committees-100": (8, 512, 128, 1e-3, 0, 1.0),
    "house-committees-100-noise0.6": (1, 512, 256, 1e-3, 0, 0.6),
    "walmart-trips-100": (8, 256, 128, 1e-3, 0, 1.0),
    "walmart-trips-100-noise0.6": (8, 256, 128, 1e-3, 0, 0.6),
}


def test_every_row_of_the_spec_table_is_present():
    assert set(AllSetTransformer.DEFAULTS) == set(SPEC_TABLE)


@pytest.mark.parametrize("dname", sorted(SPEC_TABLE))
def test_defaults_match_the_spec_table(dname):
    heads, hidden, cls_hidden, lr, wd, noise = SPEC_TABLE[dname]
    cfg = AllSetTransformer.DEFAULTS[dname]
    assert (cfg["heads"], cfg["hidden_channels"], cfg["classifier_hidden"]) == \
        (heads, hidden, cls_hidden)
    assert (cfg["num_layers"], cfg["mlp_layers"], cfg["classifier_layers"]) == (1, 2, 1)
    training = AllSetTransformer.training_for(dname)
    assert (training["lr"], training["weight_decay"], training["epochs"], training["runs"]) == \
        (lr, wd, 500, 20)
    assert training.get("feature_noise") == noise
    model = AllSetTransformer.from_defaults(dname, in_channels=7, num_classes=4)
    assert len(model.convs) == 1 and model.convs[0].node_to_edge.heads == heads
    assert model.convs[0].edge_to_node.out_channels == hidden
    assert model.classifier.num_layers == 1 and model.classifier.out_channels == 4


def test_hgkit_names_and_global_defaults():
    assert AllSetTransformer.defaults_for("allset-cocitation-cora") == \
        AllSetTransformer.DEFAULTS["cora"]
    assert AllSetTransformer.defaults_for("allset-Mushroom")["hidden_channels"] == 128
    assert AllSetTransformer.defaults_for("allset-house-committees")["heads"] == 8
    g = AllSetTransformer.defaults_for("senate-committees-100")
    assert g == AllSetTransformer.GLOBAL_DEFAULTS
    assert (g["num_layers"], g["mlp_layers"], g["hidden_channels"], g["classifier_layers"],
            g["classifier_hidden"], g["heads"], g["dropout"]) == (2, 2, 64, 2, 64, 1, 0.5)
    model = AllSetTransformer.from_defaults("cora", 5, 3, num_layers=2, heads=2)
    assert len(model.convs) == 2 and model.convs[1].node_to_edge.heads == 2
