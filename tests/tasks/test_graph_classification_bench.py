"""The graph-classification benchmark runner and its CLI (tiny budgets: this checks the
plumbing, the protocol itself is tested in test_graph_classification.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hgkit.cli import main
from hgkit.tasks import graph_classification_bench as bench

DATA_ROOT = Path(__file__).resolve().parents[3] / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (DATA_ROOT / "tu-MUTAG").is_dir(),
                                reason="needs ../shared/datasets")


@needs_data
def test_records_follow_the_design(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["graph-classification", "--data-root", str(DATA_ROOT), "--datasets",
                 "tu-MUTAG", "--models", "gcn-mean,hyperdrop,hypercluster", "--epochs", "2",
                 "--patience", "1", "--folds", "2", "--no-progress", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| tu-MUTAG | hyperdrop |" in table and "Δ gcn-mean" in table
    recs = json.loads(out.read_text())
    rows = {r["model"]: r for r in recs if r["task"] == "graph_classification"}
    assert recs[-1]["task"] == "env"
    assert rows["hyperdrop"]["ratio"] == 0.9 and rows["gcn-mean"]["ratio"] is None
    assert rows["hypercluster"]["ratio"] == 0.15 and rows["hypercluster"]["num_seeds"] == 6
    for r in rows.values():
        assert r["metric"] == "accuracy" and r["runs"] == 2 and len(r["scores"]) == 2
        assert r["mean"] == pytest.approx(sum(r["scores"]) / 2, abs=1e-3)
        assert r["folds"] == "ehgnn fold files" and r["published"] is None


def test_bad_requests():
    with pytest.raises(bench.BenchmarkError, match="Unknown model"):
        bench.run(["tu-MUTAG"], ["gin"], progress=False)
    with pytest.raises(bench.BenchmarkError, match="epochs"):
        bench.run(["tu-MUTAG"], ["gcn-mean"], epochs=0, progress=False)
    assert main(["graph-classification", "--models", "gin"]) == 2
