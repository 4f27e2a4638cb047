"""``hgkit train``: the runner :func:`hgkit.tasks.train.train` and its command line
(the estimator's mini-batch mode: tests/tasks/test_node_classification_minibatch.py;
``--distributed``: tests/tasks/test_distributed.py)."""

from __future__ import annotations

import json
import math

import pytest
import torch

from hgkit.cli import build_parser, main
from hgkit.datasets.splits import random_splits
from hgkit.tasks.benchmark import BenchmarkError, build_model, load_config, load_dataset
from hgkit.tasks.train import train

DATASET = "hsbm-homophilic"  # synthetic, 2000 nodes: 1000 training nodes in each split
FAST = ["--model", "mlp", "--epochs", "1", "--no-progress"]


@pytest.fixture(scope="module")
def minibatch_records():
    return train(DATASET, "mlp", epochs=2, batch_size=128, progress=False)


# --------------------------------------------------------------------------- runner
def test_runner_returns_one_record_then_the_environment(minibatch_records):
    record, env = minibatch_records
    assert record["task"] == "node_classification" and env["task"] == "env"
    assert (record["dataset"], record["model"], record["metric"]) == (DATASET, "mlp",
                                                                       "accuracy")


def test_runner_record_describes_minibatch_training(minibatch_records):
    record = minibatch_records[0]
    assert record["mode"] == "mini-batch" and record["batch_size"] == 128
    assert record["world_size"] == 1 and record["epochs"] == 2 and record["runs"] == 1
    assert record["batches_per_epoch"] == math.ceil(1000 / 128)
    assert record["num_neighbors"] == [10, 10] and record["member_cap"] is None
    assert record["eval_batch_size"] is None


def test_runner_record_reports_first_and_last_epoch_losses(minibatch_records):
    record = minibatch_records[0]
    assert isinstance(record["loss_first"], float) and isinstance(record["loss_last"], float)
    assert record["loss_first"] > 0.0 and record["loss_last"] > 0.0
    assert 0.0 <= record["mean"] <= 100.0 and record["scores"] == [record["mean"]]


def test_runner_passes_the_sampling_settings_through():
    record = train(DATASET, "mlp", epochs=1, batch_size=500, num_neighbors=(3,), member_cap=4,
                   eval_batch_size=1000, progress=False)[0]
    assert record["batches_per_epoch"] == 2 and record["num_neighbors"] == [3]
    assert record["member_cap"] == 4 and record["eval_batch_size"] == 1000


def test_runner_without_batch_size_trains_full_batch():
    record = train(DATASET, "mlp", epochs=1, progress=False)[0]
    assert record["mode"] == "full-batch" and record["batch_size"] is None
    assert record["batches_per_epoch"] == 1


def test_runner_saves_the_state_dict_of_the_reported_model(tmp_path):
    path = tmp_path / "mlp.pt"
    record = train(DATASET, "mlp", epochs=2, batch_size=256, progress=False, save=path)[0]
    config = load_config()
    data = load_dataset(config, DATASET, seed=0)
    model = build_model(config, "mlp", DATASET, data.num_features, data.num_classes)
    model.load_state_dict(torch.load(path, weights_only=True))  # strict: same keys and shapes
    model.eval()
    _, _, test_mask = random_splits(data.num_nodes, num_splits=1, seed=0)[0].masks(
        data.num_nodes)
    with torch.no_grad():
        pred = model(data.x, data.hypergraph).argmax(-1)
    accuracy = 100.0 * float((pred[test_mask] == data.y[test_mask]).float().mean())
    assert accuracy == pytest.approx(record["scores"][0], abs=1e-3)


def test_runner_rejects_an_unknown_model_by_name():
    with pytest.raises(BenchmarkError, match="Unknown model 'nope'"):
        train(DATASET, "nope", epochs=1, progress=False)


@pytest.mark.parametrize("runs", [0, -1, True])
def test_runner_rejects_runs_that_are_not_a_positive_int(runs):
    with pytest.raises(BenchmarkError, match="'runs'"):
        train(DATASET, "mlp", runs=runs, epochs=1, progress=False)


# --------------------------------------------------------------------------- command line
def test_train_prints_a_table_and_writes_the_records_as_json(tmp_path, capsys):
    path = tmp_path / "out" / "train.json"
    code = main(["train", *FAST, "--epochs", "2", "--batch-size", "128", "--json", str(path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "| dataset | model |" in out and f"| {DATASET} | mlp |" in out
    record, env = json.loads(path.read_text())
    assert record["mode"] == "mini-batch" and record["batch_size"] == 128
    assert record["epochs"] == 2 and record["batches_per_epoch"] == 8
    assert env["task"] == "env"


def test_train_save_writes_a_state_dict(tmp_path, capsys):
    path = tmp_path / "model.pt"
    assert main(["train", *FAST, "--save", str(path)]) == 0
    state = torch.load(path, weights_only=True)
    assert state and all(isinstance(v, torch.Tensor) for v in state.values())


@pytest.mark.parametrize("text, expected", [("5,5", (5, 5)), ("3,-1", (3, -1)), ("7", (7,))])
def test_num_neighbors_parses_comma_separated_fan_outs(text, expected):
    args = build_parser().parse_args(["train", "--num-neighbors", text])
    assert args.num_neighbors == expected


def test_a_leading_minus_one_fan_out_is_written_with_equals(capsys, monkeypatch):
    # argparse reads "-1,-1" after a space as an option, so the help shows the '=' form
    assert build_parser().parse_args(["train", "--num-neighbors=-1,-1"]).num_neighbors == (
        -1, -1)
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping inside the example
    assert main(["train", "--help"]) == 0
    assert "--num-neighbors=-1,-1" in capsys.readouterr().out


def test_num_neighbors_defaults_to_ten_ten_and_batch_size_to_full_batch():
    args = build_parser().parse_args(["train"])
    assert args.num_neighbors == (10, 10) and args.batch_size is None


@pytest.mark.parametrize("text, match", [("0,5", "fan-outs >= 1 or -1"),
                                         ("-2", "fan-outs >= 1 or -1"),
                                         ("a,b", "comma-separated ints"),
                                         ("5,", "comma-separated ints")])
def test_bad_num_neighbors_is_a_usage_error(capsys, text, match):
    assert main(["train", "--num-neighbors", text]) == 2
    err = capsys.readouterr().err
    assert "--num-neighbors" in err and match in err


@pytest.mark.parametrize("flag", ["--batch-size", "--eval-batch-size", "--member-cap"])
def test_non_positive_sizes_are_usage_errors(capsys, flag):
    assert main(["train", flag, "0"]) == 2
    assert flag in capsys.readouterr().err


def test_unknown_model_is_an_error_naming_it(capsys):
    assert main(["train", "--model", "nope", "--epochs", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hgkit train:") and "Unknown model 'nope'" in err


def test_missing_dataset_is_an_error_naming_the_folder(tmp_path, capsys):
    assert main(["train", *FAST, "--dataset", "nope", "--data-root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Dataset 'nope' not found" in err and str(tmp_path / "nope" / "raw") in err


def test_invalid_learning_rate_is_an_error_not_a_traceback(capsys):
    assert main(["train", *FAST, "--lr", "-1"]) == 2
    assert "'lr'" in capsys.readouterr().err
