"""Tests of the ``hgkit`` command line (the benchmark runner itself: tests/tasks)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from hgkit.cli import main, markdown_table

FAST = ["--epochs", "2", "--runs", "2", "--no-progress"]
RECORD_KEYS = {"task", "dataset", "model", "metric", "mean", "std", "runs", "published",
               "seconds", "peak_mb"}


@pytest.fixture(scope="module")
def benchmark_run(tmp_path_factory):
    """One fast benchmark run shared by the tests that only read its outputs."""
    out = tmp_path_factory.mktemp("bench")
    json_path, md_path = out / "records.json", out / "table.md"
    code = main(["benchmark", "--datasets", "hsbm-homophilic", "--models", "hgnn,mlp", *FAST,
                 "--json", str(json_path), "--markdown", str(md_path)])
    return code, json.loads(json_path.read_text()), md_path.read_text()


def test_benchmark_succeeds_and_writes_json_records(benchmark_run):
    code, records, _ = benchmark_run
    assert code == 0
    rows = [r for r in records if r["task"] == "node_classification"]
    assert [(r["dataset"], r["model"]) for r in rows] == [
        ("hsbm-homophilic", "hgnn"), ("hsbm-homophilic", "mlp")]
    for r in rows:
        assert RECORD_KEYS <= set(r)
        assert r["metric"] == "accuracy" and r["runs"] == 2 and r["published"] is None
        assert 0.0 <= r["mean"] <= 100.0 and r["std"] >= 0.0
        assert r["seconds"] > 0 and r["peak_mb"] > 0


def test_benchmark_appends_one_env_record(benchmark_run):
    _, records, _ = benchmark_run
    env = [r for r in records if r["task"] == "env"]
    assert len(env) == 1 and records[-1]["task"] == "env"
    assert env[0]["torch"] == torch.__version__
    assert {"git", "threads", "machine"} <= set(env[0])


def test_benchmark_markdown_file_holds_the_table(benchmark_run):
    _, records, markdown = benchmark_run
    assert markdown.strip() == markdown_table(records)
    assert markdown.startswith("| dataset | model | accuracy | published | Δ | runs |")


def test_benchmark_prints_the_table(capsys):
    assert main(["benchmark", "--datasets", "hsbm-heterophilic", "--models", "mlp",
                 "--epochs", "1", "--runs", "1", "--no-progress"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header = "| dataset | model | accuracy | published | Δ | runs | ms/epoch | s/run | peak MB |"
    assert lines[0] == header
    assert len(lines) == 3 and lines[2].startswith("| hsbm-heterophilic | mlp | ")
    assert "| — |" in lines[2]  # no published number for a synthetic dataset


def test_benchmark_is_deterministic_under_seed(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        main(["benchmark", "--datasets", "hsbm-homophilic", "--models", "hgnn", "--seed", "3",
              *FAST, "--json", str(path)])
    first, second = (json.loads(p.read_text())[0] for p in paths)
    assert (first["mean"], first["std"]) == (second["mean"], second["std"])


def test_unknown_dataset_exits_2_listing_what_exists(capsys, tmp_path):
    assert main(["benchmark", "--data-root", str(tmp_path), "--datasets", "cora", *FAST]) == 2
    err = capsys.readouterr().err
    assert "Dataset 'cora' not found" in err
    assert "hsbm-homophilic, hsbm-heterophilic" in err


def test_unknown_model_exits_2_listing_valid_names(capsys):
    assert main(["benchmark", "--models", "hgnn,gat", *FAST]) == 2
    err = capsys.readouterr().err
    assert "Unknown model(s) ['gat']; valid: mlp, hgnn," in err


def test_data_root_runs_a_real_dataset(capsys):
    from pathlib import Path

    shared = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    if not (shared / "allset-zoo" / "raw").is_dir():
        pytest.skip("allset-zoo not found beside the repository")
    assert main(["benchmark", "--data-root", str(shared), "--datasets", "allset-zoo",
                 "--models", "hgnn", "--no-download", *FAST]) == 0
    assert "| allset-zoo | hgnn | " in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["benchmark", "--runs", "0"], ["benchmark", "--epochs", "x"],
                                  ["kernels"], []])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["benchmark", "--help"]) == 0
    assert "--data-root" in capsys.readouterr().out


def test_info_prints_versions(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"torch: {torch.__version__}" in out and "threads: " in out


def test_python_dash_m_hgkit_help():
    done = subprocess.run([sys.executable, "-m", "hgkit", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    assert "benchmark" in done.stdout and "info" in done.stdout


def test_any_folder_with_an_upstream_layout_is_a_dataset(tmp_path, capsys, monkeypatch):
    # a Cornell-format dataset hgkit has never seen: hyperedges + node labels, 1-based
    monkeypatch.setenv("HGKIT_CACHE", str(tmp_path / "cache"))
    raw = tmp_path / "root" / "my-trips" / "raw"
    raw.mkdir(parents=True)
    edges = [f"{i + 1},{(i + 1) % 40 + 1},{(i + 7) % 40 + 1}" for i in range(40)]
    (raw / "hyperedges-my-trips.txt").write_text("\n".join(edges) + "\n")
    (raw / "node-labels-my-trips.txt").write_text("".join(f"{i % 2 + 1}\n" for i in range(40)))
    assert main(["benchmark", "--data-root", str(tmp_path / "root"), "--datasets", "my-trips",
                 "--models", "hgnn,mlp", "--no-download", *FAST]) == 0
    out = capsys.readouterr().out
    assert "| my-trips | hgnn | " in out and "| my-trips | mlp | " in out


def test_merge_combines_json_files_without_training(tmp_path, capsys):
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "all.json"
    base = ["benchmark", "--datasets", "hsbm-homophilic", "--models", "mlp", "--epochs", "1",
            "--no-progress"]
    assert main([*base, "--runs", "1", "--json", str(a)]) == 0
    assert main([*base, "--runs", "1", "--first-run", "1", "--json", str(b)]) == 0
    capsys.readouterr()
    assert main(["benchmark", "--merge", f"{a},{b}", "--json", str(out)]) == 0
    assert "| hsbm-homophilic | mlp | " in capsys.readouterr().out
    row = json.loads(out.read_text())[0]
    assert row["runs"] == 2 and row["run_ids"] == [0, 1]


def test_merge_of_a_bad_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    assert main(["benchmark", "--merge", str(bad)]) == 2
    assert "JSON list of benchmark records" in capsys.readouterr().err
