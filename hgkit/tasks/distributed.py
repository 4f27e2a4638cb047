r"""Data-parallel training with ``torch.distributed``: the few helpers hgkit's tasks share.

hgkit has no communication layer of its own. Gradients are averaged by
:class:`torch.nn.parallel.DistributedDataParallel`; the only other collective is a sum of a
few Python floats (loss and accuracy counts), so that every rank makes the same model-selection
and early-stopping decisions.

The recipe (CPU, gloo), two processes on one machine:

.. code-block:: bash

    torchrun --standalone --nproc-per-node 2 -m hgkit train --distributed \
        --dataset allset-walmart-trips --data-root ../shared/datasets --batch-size 1024

or from Python, in a script launched by ``torchrun``::

    from hgkit.tasks.distributed import init_from_env
    init_from_env()                      # gloo; reads RANK, WORLD_SIZE, MASTER_ADDR/PORT
    task = NodeClassification(model, batch_size=1024, num_neighbors=(10, 10),
                              distributed=True).fit(data)

Each rank samples its mini-batches from its own share of the training nodes (see
:func:`hgkit.loader.partition`); all ranks hold identical parameters after every step.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch
import torch.distributed as dist
from torch import nn

__all__ = ["all_sum", "init_from_env", "is_initialized", "rank_and_world", "wrap"]

_ENV = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def is_initialized() -> bool:
    """Whether a default ``torch.distributed`` process group exists."""
    return dist.is_available() and dist.is_initialized()


def rank_and_world() -> tuple[int, int]:
    """``(rank, world_size)`` of the default group, or ``(0, 1)`` without one."""
    if not is_initialized():
        return 0, 1
    return dist.get_rank(), dist.get_world_size()


def init_from_env(backend: str = "gloo") -> tuple[int, int]:
    """Join the process group described by torchrun's environment; returns ``(rank, world)``.

    Raises:
        RuntimeError: when torch.distributed is unavailable or the process was not started by
            ``torchrun`` (one of ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``
            is missing).
    """
    if not dist.is_available():
        raise RuntimeError("torch.distributed is not available in this PyTorch build")
    if is_initialized():
        return rank_and_world()
    missing = [name for name in _ENV if name not in os.environ]
    if missing:
        raise RuntimeError(
            f"Distributed training needs the environment torchrun sets ({', '.join(missing)} "
            "missing); launch with e.g. `torchrun --standalone --nproc-per-node 2 -m hgkit "
            "train --distributed ...`")
    dist.init_process_group(backend=backend)
    return rank_and_world()


def wrap(model: nn.Module) -> nn.Module:
    """``DistributedDataParallel(model)`` (CPU: no device ids); parameters are synced from
    rank 0 at construction."""
    return nn.parallel.DistributedDataParallel(model)


def all_sum(values: Sequence[float]) -> list[float]:
    """Element-wise sum of ``values`` over all ranks (identity without a process group)."""
    if not is_initialized() or dist.get_world_size() == 1:
        return [float(v) for v in values]
    buf = torch.tensor([float(v) for v in values], dtype=torch.float64)
    dist.all_reduce(buf, op=dist.ReduceOp.SUM)
    return buf.tolist()
