"""The AllSet / ED-HNN MLP block: structure, explicit formula, identity, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.testing import assert_close

from hgkit.layers.mlp import MLP


def _x(n: int = 5, f: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, f, generator=torch.Generator().manual_seed(seed))


def test_structure_input_norm_then_linear_relu_norm_dropout_blocks():
    mlp = MLP(4, 8, 3, num_layers=3, dropout=0.1, input_norm=True)
    assert [(lin.in_features, lin.out_features) for lin in mlp.lins] == [(4, 8), (8, 8), (8, 3)]
    assert [type(m) for m in mlp.norms] == [nn.LayerNorm] * 3
    assert [m.normalized_shape for m in mlp.norms] == [(4,), (8,), (8,)]


def test_forward_is_the_documented_composition():
    torch.manual_seed(0)
    mlp = MLP(4, 8, 3, num_layers=3, input_norm=True).eval()
    for p in mlp.parameters():  # non-trivial LayerNorm affine parameters
        nn.init.normal_(p)
    x = _x()
    ln0, ln1, ln2 = mlp.norms
    h = F.layer_norm(x, (4,), ln0.weight, ln0.bias)
    h = F.layer_norm(F.relu(mlp.lins[0](h)), (8,), ln1.weight, ln1.bias)
    h = F.layer_norm(F.relu(mlp.lins[1](h)), (8,), ln2.weight, ln2.bias)
    assert_close(mlp(x), mlp.lins[2](h))
    assert_close(mlp.tail(mlp.lins[0](mlp.norms[0](x))), mlp(x))


def test_one_layer_is_input_norm_then_linear():
    mlp = MLP(4, 99, 2, num_layers=1, input_norm=True)
    x = _x()
    assert_close(mlp(x), mlp.lins[0](F.layer_norm(x, (4,))))
    plain = MLP(4, 99, 2, num_layers=1)
    assert isinstance(plain.norms[0], nn.Identity)
    assert_close(plain(x), plain.lins[0](x))


def test_zero_layers_is_the_identity_and_needs_equal_widths():
    mlp = MLP(4, 8, 4, num_layers=0, input_norm=True)
    x = _x()
    assert mlp(x) is x and len(list(mlp.parameters())) == 0
    with pytest.raises(ValueError, match="num_layers=0 is the identity.*got 4 and 3"):
        MLP(4, 8, 3, num_layers=0)


def test_no_normalization_ignores_input_norm_and_accepts_the_string_none():
    for norm in (None, "None", "none"):
        mlp = MLP(4, 8, 3, num_layers=2, normalization=norm, input_norm=True)
        assert mlp.normalization is None
        assert all(isinstance(m, nn.Identity) for m in mlp.norms)


def test_batch_norm_variant_and_reset_clears_running_statistics():
    mlp = MLP(4, 8, 3, num_layers=2, normalization="bn", input_norm=True)
    assert [type(m) for m in mlp.norms] == [nn.BatchNorm1d, nn.BatchNorm1d]
    mlp.train()(_x(16) + 3.0)
    assert mlp.norms[0].running_mean.abs().sum() > 0
    mlp.reset_parameters()
    assert mlp.norms[0].running_mean.abs().sum() == 0


def test_reset_parameters_draws_new_weights():
    mlp = MLP(4, 8, 3, num_layers=2)
    before = [p.detach().clone() for p in mlp.parameters()]
    mlp.reset_parameters()
    assert any(not torch.equal(a, b) for a, b in zip(before, mlp.parameters(), strict=True))


def test_dropout_only_in_training():
    mlp = MLP(4, 64, 3, num_layers=2, dropout=0.5)
    x = _x()
    torch.manual_seed(1)
    a = mlp.train()(x)
    b = mlp(x)
    assert not torch.equal(a, b)
    assert torch.equal(mlp.eval()(x), mlp(x))


def test_extra_leading_dimensions_with_layer_norm():
    mlp = MLP(4, 8, 3, num_layers=2, input_norm=True)
    x = torch.randn(2, 5, 4)
    assert_close(mlp(x), mlp(x.reshape(10, 4)).reshape(2, 5, 3))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(num_layers=-1), ValueError, "'num_layers' to be >= 0"),
    (dict(hidden_channels=0), ValueError, "'hidden_channels' to be >= 1"),
    (dict(in_channels=2.0), TypeError, "'in_channels' to be an int"),
    (dict(dropout=1.0), ValueError, r"'dropout' to be in \[0, 1\)"),
    (dict(normalization="gn"), ValueError, "'normalization' to be 'ln', 'bn' or None"),
    (dict(input_norm="yes"), TypeError, "'input_norm' to be a bool"),
])
def test_bad_arguments(kwargs, error, match):
    args = dict(in_channels=4, hidden_channels=8, out_channels=3, num_layers=2)
    with pytest.raises(error, match=match):
        MLP(**{**args, **kwargs})


def test_wrong_input_width_is_a_clear_error():
    with pytest.raises(ValueError, match=r"shape \[5, 3\] but the MLP expects in_channels=4"):
        MLP(4, 8, 3, num_layers=2)(torch.randn(5, 3))
