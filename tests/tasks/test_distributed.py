"""Data-parallel training with torch.distributed (gloo): two real processes under torchrun."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hgkit.cli import main
from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN
from hgkit.tasks import NodeClassification
from hgkit.tasks import distributed as D

WORKER = Path(__file__).with_name("_ddp_worker.py")
pytestmark = pytest.mark.skipif(not torch.distributed.is_available(),
                                reason="torch.distributed is not available")


def _torchrun(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"):
        env.pop(name, None)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           "--nproc-per-node", "2", *args]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_two_gloo_processes_end_with_identical_parameters_and_lower_loss(tmp_path):
    _torchrun([str(WORKER), str(tmp_path)], tmp_path)
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in (0, 1)]
    assert [r["rank"] for r in ranks] == [0, 1] and all(r["world"] == 2 for r in ranks)
    # each rank trained on its own, disjoint share of the training nodes
    assert set(ranks[0]["first_batch"].tolist()).isdisjoint(ranks[1]["first_batch"].tolist())
    assert ranks[0]["batches"] == ranks[1]["batches"] == 4  # 200 seeds / 2 ranks / 25
    for name, value in ranks[0]["state"].items():
        torch.testing.assert_close(ranks[1]["state"][name], value, rtol=0, atol=0,
                                   msg=f"replicas differ in {name}")
    assert ranks[0]["loss"] == ranks[1]["loss"]  # losses are summed over ranks
    assert ranks[0]["loss"][-1] < 0.8 * ranks[0]["loss"][0]


def test_cli_train_distributed_under_torchrun(tmp_path):
    out = tmp_path / "out.json"
    proc = _torchrun(["-m", "hgkit", "train", "--distributed", "--epochs", "4",
                      "--batch-size", "128", "--num-neighbors", "5,5", "--threads", "1",
                      "--no-progress", "--json", str(out), "--save", str(tmp_path / "m.pt")],
                     tmp_path)
    assert proc.stdout.count("| hsbm-homophilic |") == 1  # only rank 0 prints
    record = json.loads(out.read_text())[0]
    assert record["world_size"] == 2 and record["mode"] == "mini-batch"
    assert record["batches_per_epoch"] == 4  # 1000 training nodes / 2 ranks / 128
    assert record["loss_last"] < record["loss_first"]
    state = torch.load(tmp_path / "m.pt")
    assert state.keys() == HGNN(16, 64, 4).state_dict().keys()  # unwrapped, no "module."


def test_cli_distributed_without_torchrun_is_a_clear_error(capsys, monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert main(["train", "--distributed", "--batch-size", "64", "--epochs", "1"]) == 2
    assert "torchrun" in capsys.readouterr().err


def test_cli_distributed_needs_a_batch_size(capsys):
    assert main(["train", "--distributed", "--epochs", "1"]) == 2
    assert "--batch-size" in capsys.readouterr().err


def test_distributed_estimator_needs_a_process_group():
    data = hsbm(num_nodes=40, num_edges=30, seed=0)
    task = NodeClassification(lambda f, c: HGNN(f, 4, c), epochs=1, batch_size=8,
                              distributed=True)
    with pytest.raises(RuntimeError, match="process group"):
        task.fit(data)
    with pytest.raises(ValueError, match="batch_size"):
        NodeClassification(lambda f, c: HGNN(f, 4, c), distributed=True).fit(data)


def test_helpers_without_a_process_group():
    assert not D.is_initialized()
    assert D.rank_and_world() == (0, 1)
    assert D.all_sum([1.5, 2.0]) == [1.5, 2.0]
