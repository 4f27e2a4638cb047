"""The node-classification benchmark runner: config, dataset preparation, records."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from hgkit.layers.allset import AllSetTransformer
from hgkit.layers.edhnn import EDHNN
from hgkit.tasks import benchmark as B

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
TINY = """
[protocol]
runs = 3
epochs = 4
train = 0.5
val = 0.25
self_loops = true
[datasets.tiny]
synthetic = { num_nodes = 80, num_edges = 60, homophily = 0.9 }
[models.mlp]
class = "MLP"
lr = 0.01
params = { hidden_channels = 8 }
[models.hgnn]
class = "HGNN"
lr = 0.01
params = { hidden_channels = 8 }
[models.hgnn.datasets.tiny]
hidden_channels = 4
lr = 0.02
[published.tiny]
hgnn = 50.0
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return B.load_config(path)


def shared(name: str) -> Path:
    if not (SHARED / name / "raw").is_dir():
        pytest.skip(f"{name} not found under {SHARED}")
    return SHARED


def test_records_one_per_dataset_and_model_plus_env(tiny):
    records = B.run(["tiny"], ["mlp", "hgnn"], config=tiny, progress=False)
    rows, env = records[:-1], records[-1]
    assert [(r["dataset"], r["model"]) for r in rows] == [("tiny", "mlp"), ("tiny", "hgnn")]
    assert env["task"] == "env" and env["torch"] == torch.__version__
    for r in rows:
        assert r["task"] == "node_classification" and r["metric"] == "accuracy"
        assert r["runs"] == 3 and r["epochs"] == 4 and len(r["scores"]) == 3
        assert 0.0 <= r["mean"] <= 100.0 and r["seconds"] > 0 and r["peak_mb"] > 0
    assert rows[0]["published"] is None and rows[1]["published"] == 50.0


def test_mean_and_unbiased_std_come_from_the_run_scores(tiny):
    row = B.run(["tiny"], ["hgnn"], runs=3, config=tiny, progress=False)[0]
    scores = row["scores"]
    mean = sum(scores) / 3
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / 2)
    assert row["mean"] == pytest.approx(mean, abs=1e-3)
    assert row["std"] == pytest.approx(std, abs=1e-3)


def test_runs_are_seeded_and_reproducible(tiny):
    a = B.run(["tiny"], ["hgnn"], config=tiny, seed=4, progress=False)[0]["scores"]
    b = B.run(["tiny"], ["hgnn"], config=tiny, seed=4, progress=False)[0]["scores"]
    assert a == b


def test_per_dataset_overrides_reach_model_and_optimizer(tiny):
    cls, params, train = B.model_settings(tiny, "hgnn", "tiny")
    assert (cls, params["hidden_channels"], train["lr"]) == ("HGNN", 4, 0.02)
    cls, params, train = B.model_settings(tiny, "hgnn", "other")
    assert (params["hidden_channels"], train["lr"]) == (8, 0.01)


def test_self_loops_are_added_once_per_uncovered_node(tiny):
    data = B.load_dataset(tiny, "tiny", seed=0)
    sizes = data.hypergraph.edge_size
    singles = data.hypergraph.hyperedge_index[0][
        torch.isin(data.hypergraph.hyperedge_index[1], (sizes == 1).nonzero().flatten())]
    assert torch.equal(torch.sort(singles).values, torch.arange(data.num_nodes))


def test_unknown_names_and_bad_counts_are_reported(tiny):
    with pytest.raises(B.BenchmarkError, match=r"Unknown model\(s\) \['gat'\]; valid: mlp"):
        B.run(["tiny"], ["gat"], config=tiny, progress=False)
    with pytest.raises(B.BenchmarkError, match="'runs' to be a positive int"):
        B.run(["tiny"], ["mlp"], runs=0, config=tiny, progress=False)
    with pytest.raises(B.BenchmarkError, match="not found"):
        B.run(["no-such-dataset"], ["mlp"], root="/nonexistent", config=tiny, progress=False)


def test_bad_config_files_are_reported(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[protocol\n")
    with pytest.raises(B.BenchmarkError, match="not valid TOML"):
        B.load_config(bad)
    bad.write_text(TINY.replace('class = "MLP"', 'class = "GAT"'))
    with pytest.raises(B.BenchmarkError, match="'class' must name a model"):
        B.load_config(bad)
    with pytest.raises(B.BenchmarkError, match="Cannot read config"):
        B.load_config(tmp_path / "missing.toml")


def test_checked_in_config_builds_every_model_on_every_dataset():
    config = B.load_config()
    assert set(B.DEFAULT_MODELS) <= set(config["models"])
    for dataset in config["datasets"]:
        for model in config["models"]:
            module = B.build_model(config, model, dataset, 12, 3)
            assert sum(p.numel() for p in module.parameters()) > 0


@pytest.mark.parametrize("dataset", ["allset-cocitation-cora", "allset-cocitation-citeseer",
                                     "allset-coauthorship-cora", "allset-house-committees"])
def test_edhnn_config_is_the_official_readme_command(dataset):
    _, params, train = B.model_settings(B.load_config(), "edhnn", dataset)
    official = EDHNN.defaults_for(B.load_config()["datasets"][dataset]["official"])
    assert {k: official[k] for k in params} == params
    assert train["lr"] == EDHNN.training_for(dataset)["lr"] == 1e-3


@pytest.mark.parametrize("dataset", ["allset-cocitation-cora", "allset-cocitation-citeseer",
                                     "allset-coauthorship-cora", "allset-zoo",
                                     "allset-20newsW100", "allset-Mushroom",
                                     "allset-house-committees", "allset-walmart-trips"])
def test_allsettransformer_config_is_the_official_script(dataset):
    config = B.load_config()
    _, params, train = B.model_settings(config, "allsettransformer", dataset)
    official = AllSetTransformer.defaults_for(config["datasets"][dataset]["official"])
    assert {k: official[k] for k in params} == params
    want = AllSetTransformer.training_for(config["datasets"][dataset]["official"])
    assert (train["lr"], train["weight_decay"]) == (want["lr"], want["weight_decay"])


def test_published_numbers_are_the_edhnn_table():
    published = B.load_config()["published"]
    assert published["allset-cocitation-cora"]["edhnn"] == 80.31
    assert published["allset-walmart-trips"]["edhnn"] == 66.91
    assert published["allset-cocitation-cora"]["hgnn"] == 79.39
    assert "mlp" not in published["allset-cocitation-cora"]


def test_cornell_dataset_gets_noisy_100_dim_features_and_self_loops():
    root = shared("allset-house-committees")
    data = B.load_dataset(B.load_config(), "allset-house-committees", root, seed=0)
    assert data.x.shape == (1290, 100) and data.x.dtype == torch.float32
    assert data.hypergraph.num_edges > 341  # the file's hyperedges plus self-loops
    again = B.load_dataset(B.load_config(), "allset-house-committees", root, seed=0)
    assert torch.equal(data.x, again.x)


def test_congress_drops_the_file_singletons():
    root = shared("allset-congress-bills")
    data = B.load_dataset(B.load_config(), "allset-congress-bills", root, seed=0)
    hg = data.hypergraph
    assert hg.num_edges - int((hg.edge_size == 1).sum()) == 83_105


def test_dataset_without_features_is_refused_with_the_reason():
    root = shared("allset-cocitation-pubmed")
    with pytest.raises(B.BenchmarkError, match="features.pickle is missing"):
        B.load_dataset(B.load_config(), "allset-cocitation-pubmed", root, download=False)


def test_dataset_loaded_without_features_is_refused_with_the_reason(tmp_path):
    raw = tmp_path / "plain" / "raw"
    raw.mkdir(parents=True)
    (raw / "hyperedges-plain.txt").write_text("1,2\n2,3\n")
    (raw / "node-labels-plain.txt").write_text("1\n2\n2\n")
    config = B.load_config()
    config["datasets"]["plain"] = {"load": {"features": None}}
    with pytest.raises(B.BenchmarkError, match="has no node features"):
        B.load_dataset(config, "plain", tmp_path)


def test_real_dataset_end_to_end_on_zoo():
    root = shared("allset-zoo")
    rows = B.run(["allset-zoo"], ["edhnn", "hgnn"], root=root, runs=2, epochs=3,
                 progress=False)[:-1]
    assert [r["model"] for r in rows] == ["edhnn", "hgnn"]
    assert all(r["runs"] == 2 and 0 <= r["mean"] <= 100 for r in rows)


def test_markdown_table_shows_published_and_delta():
    table = B.markdown_table([
        {"task": "node_classification", "dataset": "d", "model": "m", "metric": "accuracy",
         "mean": 70.0, "std": 1.0, "runs": 10, "published": 72.45, "seconds": 2.0,
         "peak_mb": 500.0, "epoch_ms": 3.25},
        {"task": "env"}])
    lines = table.splitlines()
    assert len(lines) == 3
    assert lines[2] == "| d | m | 70.00 ± 1.00 | 72.45 | -2.45 | 10 | 3.2 | 2.00 | 500 |"


def test_a_row_split_over_calls_merges_into_the_single_call_row(tiny):
    whole = B.run(["tiny"], ["hgnn"], runs=3, config=tiny, progress=False)
    head = B.run(["tiny"], ["hgnn"], runs=1, config=tiny, progress=False)
    tail = B.run(["tiny"], ["hgnn"], runs=2, first_run=1, config=tiny, progress=False)
    assert tail[0]["run_ids"] == [1, 2]
    merged = B.merge_records(tail, head)
    row = merged[0]
    assert row["scores"] == whole[0]["scores"] and row["run_ids"] == [0, 1, 2]
    assert (row["mean"], row["std"], row["runs"]) == (whole[0]["mean"], whole[0]["std"], 3)
    assert [r["task"] for r in merged[1:]] == ["env", "env"]


def test_merge_refuses_overlapping_runs_or_different_epochs(tiny):
    a = B.run(["tiny"], ["mlp"], runs=1, config=tiny, progress=False)
    with pytest.raises(B.BenchmarkError, match="run ids repeat"):
        B.merge_records(a, a)
    b = [dict(a[0], epochs=99, run_ids=[1])]
    with pytest.raises(B.BenchmarkError, match="differ in 'epochs'"):
        B.merge_records(a, b)
    with pytest.raises(B.BenchmarkError, match="'first_run' to be an int >= 0"):
        B.run(["tiny"], ["mlp"], first_run=-1, config=tiny, progress=False)
