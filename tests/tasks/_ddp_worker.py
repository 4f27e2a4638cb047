"""Worker for test_distributed.py, run by torchrun: trains data-parallel, saves its replica.

Usage: ``torchrun --standalone --nproc-per-node 2 _ddp_worker.py OUT_DIR``. Every rank writes
``OUT_DIR/rank<r>.pt`` with its final parameters, its loss history and the seed nodes of its
first training batch.
"""

import sys

import torch

from hgkit.hypergraph.generate import hsbm
from hgkit.layers.models import HGNN
from hgkit.loader import NeighborLoader
from hgkit.tasks import NodeClassification
from hgkit.tasks.distributed import init_from_env


def main(out: str) -> None:
    torch.set_num_threads(1)
    rank, world = init_from_env()
    data = hsbm(num_nodes=400, num_edges=300, seed=0)
    no_val = torch.zeros(data.num_nodes, dtype=torch.bool)  # keep the last step
    task = NodeClassification(lambda f, c: HGNN(f, 16, c), lr=0.01, epochs=6, batch_size=25,
                              num_neighbors=(5, 5), member_cap=8, distributed=True, seed=0)
    task.fit(data, data.train_mask, no_val)
    loader = NeighborLoader(data.hypergraph, (5, 5), input_nodes=data.train_mask, batch_size=25,
                            shuffle=True, seed=0, rank=rank, world_size=world)
    loader.set_epoch(0)
    first_batch = next(iter(loader)).input_id
    torch.save({"state": task.model_.state_dict(), "loss": [h["loss"] for h in task.history_],
                "world": task.world_size_, "rank": task.rank_, "batches": task.batches_per_epoch_,
                "first_batch": first_batch}, f"{out}/rank{rank}.pt")
    torch.distributed.destroy_process_group()


if __name__ == "__main__":  # run by torchrun; importing it (pytest) does nothing
    main(sys.argv[1])
