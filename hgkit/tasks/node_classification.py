r"""Node classification: full-batch training of any ``model(x, hypergraph) -> logits``.

:class:`NodeClassification` is a scikit-learn style estimator: the constructor stores
hyperparameters, :meth:`~NodeClassification.fit` validates, trains and keeps the
best-validation checkpoint, :meth:`~NodeClassification.predict` /
:meth:`~NodeClassification.score` use it. It is the ED-HNN / AllSet protocol when run with
their settings: Adam, full batch, cross-entropy on the training nodes, evaluation after every
epoch, and the reported model is the one at the **first** epoch of maximum validation
accuracy (ties keep the earlier epoch). Model selection never looks at the test nodes.

Transductive mode (default) trains on the whole hypergraph with labels of the training nodes
only. Inductive mode hides every node outside ``observed`` (default: training and validation
nodes) during training: the model sees the sub-hypergraph induced by the observed nodes, and
the unseen nodes appear only at :meth:`~NodeClassification.predict` time.

Mini-batch mode (``batch_size`` set) trains on sampled neighbourhoods of the training nodes
(:class:`~hgkit.loader.NeighborLoader`: ``num_neighbors`` hyperedges per node per hop,
``member_cap`` members per hyperedge), one optimizer step per batch, so memory depends on the
batch, not on the hypergraph. Evaluation runs on the full hypergraph without gradients
(``eval_batch_size=None``) or on sampled neighbourhoods of the evaluated nodes. With
``distributed=True`` (inside a ``torch.distributed`` process group, e.g. under ``torchrun``)
the model is wrapped in ``DistributedDataParallel``, each rank samples from its own share of
the training nodes, and the evaluation counts are summed over ranks so every rank selects the
same epoch (see :mod:`hgkit.tasks.distributed`).

Example:
    >>> from hgkit.hypergraph.generate import hsbm
    >>> from hgkit.layers.models import HGNN
    >>> data = hsbm(num_nodes=200, num_edges=200, seed=0)
    >>> task = NodeClassification(lambda f, c: HGNN(f, 16, c), lr=0.01, epochs=30, seed=0)
    >>> task = task.fit(data)
    >>> len(task.history_), 0 <= task.best_epoch_ < 30
    (30, True)
    >>> 0.0 <= task.score(data) <= 1.0
    True
    >>> mini = NodeClassification(lambda f, c: HGNN(f, 16, c), lr=0.01, epochs=3,
    ...                           batch_size=32, num_neighbors=(5, 5), member_cap=4).fit(data)
    >>> len(mini.history_), mini.batches_per_epoch_
    (3, 4)
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.hypergraph.transforms import subhypergraph
from hgkit.loader import NeighborLoader
from hgkit.loader.sampler import check_member_cap, check_num_neighbors
from hgkit.tasks import distributed as D

__all__ = ["NodeClassification"]

ModelLike = nn.Module | Callable[[int, int], nn.Module]
OptimizerFactory = Callable[[nn.Module], torch.optim.Optimizer]


def _number(value: Any, name: str, minimum: float = 0.0, integer: bool = False,
            allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) \
            or value < minimum:
        what = "an int" if integer else "a finite number"
        raise ValueError(f"Expected '{name}' to be {what} >= {minimum} (got {value!r})")
    return value


def _mask(value: Any, n: int, name: str) -> Tensor:
    if not isinstance(value, Tensor) or value.dtype != torch.bool or value.shape != (n,):
        got = (f"{value.dtype}, {list(value.shape)}" if isinstance(value, Tensor)
               else type(value).__name__)
        raise ValueError(f"Expected '{name}' to be a bool tensor of shape [{n}] (got {got})")
    return value


class NodeClassification:
    r"""Train a node classifier on one hypergraph, keeping the best-validation checkpoint.

    Args:
        model: an ``nn.Module`` whose ``forward(x, hypergraph)`` returns ``[N, C]`` logits
            (it is deep-copied at :meth:`fit`, so the object passed in is never trained and
            two fits start from the same weights), or a factory ``model(in_channels,
            num_classes) -> nn.Module`` called under the seed at each :meth:`fit` (then
            ``seed`` also fixes the initialization).
        lr: Adam learning rate.
        weight_decay: Adam weight decay (L2, as ``torch.optim.Adam``).
        epochs: maximum number of training epochs.
        patience: stop after this many epochs without a new best validation accuracy
            (``None``: train all ``epochs``, as the ED-HNN / AllSet protocol does).
        optimizer: ``optimizer(model) -> torch.optim.Optimizer`` for models that need
            parameter groups (``lr`` and ``weight_decay`` are then ignored); default Adam.
        mode: ``"transductive"`` or ``"inductive"`` (see the module docstring).
        seed: seed of the initialization (with a factory) and of dropout, applied in a forked
            RNG so the caller's global random state is left as it was.
        device: where to train (default: the device of ``x``). Data and model are moved
            there explicitly; nothing else moves silently.
        progress: show a tqdm bar over epochs.
        batch_size: training seeds per mini-batch; ``None`` (default) trains full-batch.
        num_neighbors: mini-batch mode: hyperedges sampled per node at each hop, one entry per
            message-passing layer of the model (``-1``: all).
        member_cap: mini-batch mode: members sampled per reached hyperedge (``None``: all).
        eval_batch_size: ``None`` evaluates on the full hypergraph (no gradients); an int
            evaluates in sampled batches of that many nodes with ``num_neighbors`` /
            ``member_cap`` and a fixed sampling seed.
        distributed: train data-parallel in the current ``torch.distributed`` process group
            (mini-batch mode only).

    Attributes (after :meth:`fit`):
        model_: the trained module holding the best-validation weights.
        history_: one dict per epoch: ``epoch``, ``loss`` (training cross-entropy),
            ``train_acc``, ``val_acc``, ``val_loss`` (``None`` without validation nodes)
            and ``seconds`` (the training step, without evaluation). In mini-batch mode
            ``loss`` and ``train_acc`` are averages over the epoch's training batches (in
            train mode, with dropout), summed over ranks when distributed.
        best_epoch_: index into ``history_`` of the selected epoch (the last epoch when there
            are no validation nodes).
        best_val_acc_: validation accuracy of the selected epoch (``None`` without validation).
        num_classes_: number of classes.
        fit_seconds_: wall time of :meth:`fit`; ``epoch_seconds_``: mean training-step time.
        batches_per_epoch_: optimizer steps per epoch (1 in full-batch mode).
        rank_, world_size_: this process's rank and the number of processes (0 and 1 unless
            distributed).

    Example:
        >>> from hgkit.hypergraph.generate import hsbm
        >>> from hgkit.layers.models import MLP
        >>> data = hsbm(num_nodes=100, num_edges=50, seed=1)
        >>> task = NodeClassification(MLP(data.num_features, 8, 4), lr=0.01, epochs=5)
        >>> task.fit(data).predict(data).shape
        torch.Size([100])
    """

    def __init__(self, model: ModelLike, *, lr: float = 1e-3, weight_decay: float = 0.0,
                 epochs: int = 500, patience: int | None = None,
                 optimizer: OptimizerFactory | None = None, mode: str = "transductive",
                 seed: int = 0, device: str | torch.device | None = None,
                 progress: bool = False, batch_size: int | None = None,
                 num_neighbors: Sequence[int] = (10, 10), member_cap: int | None = None,
                 eval_batch_size: int | None = None, distributed: bool = False) -> None:
        self.model = model
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.patience = patience
        self.optimizer = optimizer
        self.mode = mode
        self.seed = seed
        self.device = device
        self.progress = progress
        self.batch_size = batch_size
        self.num_neighbors = num_neighbors
        self.member_cap = member_cap
        self.eval_batch_size = eval_batch_size
        self.distributed = distributed

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        if not isinstance(self.model, nn.Module) and not callable(self.model):
            raise TypeError("Expected 'model' to be an nn.Module or a factory "
                            f"(in_channels, num_classes) -> nn.Module (got "
                            f"{type(self.model).__name__})")
        _number(self.lr, "lr", minimum=0.0)
        _number(self.weight_decay, "weight_decay", minimum=0.0)
        _number(self.epochs, "epochs", minimum=1, integer=True)
        _number(self.patience, "patience", minimum=1, integer=True, allow_none=True)
        _number(self.seed, "seed", minimum=0, integer=True)
        if self.mode not in ("transductive", "inductive"):
            raise ValueError("Expected 'mode' to be 'transductive' or 'inductive' "
                             f"(got {self.mode!r})")
        if self.optimizer is not None and not callable(self.optimizer):
            raise TypeError("Expected 'optimizer' to be a callable model -> Optimizer (got "
                            f"{type(self.optimizer).__name__})")
        _number(self.batch_size, "batch_size", minimum=1, integer=True, allow_none=True)
        _number(self.eval_batch_size, "eval_batch_size", minimum=1, integer=True,
                allow_none=True)
        check_num_neighbors(self.num_neighbors)
        check_member_cap(self.member_cap)
        if not isinstance(self.distributed, bool):
            raise TypeError(f"Expected 'distributed' to be a bool (got {self.distributed!r})")
        if self.distributed:
            if self.batch_size is None:
                raise ValueError("'distributed=True' needs mini-batch training: set "
                                 "'batch_size' (got None)")
            if not D.is_initialized():
                raise RuntimeError("'distributed=True' needs a torch.distributed process "
                                   "group: call hgkit.tasks.distributed.init_from_env() "
                                   "under torchrun first")

    @staticmethod
    def _inputs(data: Any) -> tuple[Tensor, Hypergraph]:
        hg = getattr(data, "hypergraph", None)
        x = getattr(data, "x", None)
        if not isinstance(hg, Hypergraph):
            raise TypeError("Expected 'data' to have a 'hypergraph' attribute holding an "
                            f"hgkit Hypergraph (got {type(hg).__name__})")
        if not isinstance(x, Tensor) or x.dim() != 2 or not x.is_floating_point():
            got = (f"{x.dtype}, {list(x.shape)}" if isinstance(x, Tensor)
                   else type(x).__name__)
            raise ValueError(f"Expected 'data.x' to be a floating [N, F] tensor (got {got}); "
                             "datasets without features need features first")
        if x.size(0) != hg.num_nodes:
            raise ValueError(f"'data.x' has {x.size(0)} rows but the hypergraph has "
                             f"{hg.num_nodes} nodes")
        return x, hg

    @staticmethod
    def _labels(data: Any, n: int) -> tuple[Tensor, int]:
        y = getattr(data, "y", None)
        if not isinstance(y, Tensor) or y.shape != (n,) or y.dtype != torch.long:
            got = f"{y.dtype}, {list(y.shape)}" if isinstance(y, Tensor) else type(y).__name__
            raise ValueError(f"Expected 'data.y' to be an int64 tensor of shape [{n}] "
                             f"(got {got})")
        declared = int(getattr(data, "num_classes", 0) or 0)
        num_classes = max(declared, int(y.max()) + 1 if y.numel() else 0)
        if declared and num_classes > declared:
            raise ValueError(f"'data.y' holds label {int(y.max())} but data.num_classes="
                             f"{declared}")
        if num_classes < 2:
            raise ValueError(f"Expected at least 2 classes (got {num_classes})")
        return y, num_classes

    # ------------------------------------------------------------------ fit
    def _build(self, in_channels: int, num_classes: int, device: torch.device) -> nn.Module:
        if isinstance(self.model, nn.Module):
            model = copy.deepcopy(self.model)
        else:
            model = self.model(in_channels, num_classes)
            if not isinstance(model, nn.Module):
                raise TypeError("Expected the 'model' factory to return an nn.Module (got "
                                f"{type(model).__name__})")
        return model.to(device)

    def fit(self, data: Any, train_mask: Tensor | None = None, val_mask: Tensor | None = None,
            observed: Tensor | None = None) -> NodeClassification:
        """Train on ``data`` (``hypergraph``, ``x``, ``y`` and split masks); returns ``self``.

        Args:
            data: a :class:`~hgkit.datasets.data.HypergraphData`, a
                :class:`~hgkit.hypergraph.generate.SyntheticData` or any object with
                ``hypergraph``, ``x``, ``y``, ``train_mask``, ``val_mask`` (and optionally
                ``num_classes``).
            train_mask: ``[N]`` bool mask of the training nodes (default ``data.train_mask``).
            val_mask: ``[N]`` bool mask of the validation nodes (default ``data.val_mask``;
                ``None`` or empty: no selection, the last epoch is kept).
            observed: inductive mode only: ``[N]`` bool mask of the nodes visible during
                training (default ``train_mask | val_mask``); must contain both.
        """
        from tqdm.auto import tqdm

        self._check_params()
        x, hg = self._inputs(data)
        n = hg.num_nodes
        y, num_classes = self._labels(data, n)
        train = train_mask if train_mask is not None else getattr(data, "train_mask", None)
        if train is None:
            raise ValueError("Expected a 'train_mask' (argument or data.train_mask); got none")
        train = _mask(train, n, "train_mask")
        if not bool(train.any()):
            raise ValueError("Expected 'train_mask' to select at least one node (got none)")
        val = val_mask if val_mask is not None else getattr(data, "val_mask", None)
        val = _mask(val, n, "val_mask") if val is not None else torch.zeros_like(train)
        device = torch.device(self.device) if self.device is not None else x.device
        if self.mode == "inductive":
            seen = train | val if observed is None else _mask(observed, n, "observed")
            if bool((train & ~seen).any()) or bool((val & ~seen).any()):
                raise ValueError("Expected 'observed' to contain every training and "
                                 "validation node")
            hg, node_map, _ = subhypergraph(hg, nodes=seen)
            x, y, train, val = x[node_map], y[node_map], train[node_map], val[node_map]
        elif observed is not None:
            raise ValueError("'observed' is only used with mode='inductive' "
                             f"(got mode={self.mode!r})")
        x, y, hg = x.to(device), y.to(device), hg.to(device)
        train_idx = train.nonzero().flatten().to(device)
        val_idx = val.nonzero().flatten().to(device)

        start = time.perf_counter()
        self.history_: list[dict[str, Any]] = []
        rank, world = D.rank_and_world() if self.distributed else (0, 1)
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(self.seed)
            model = self._build(x.size(1), num_classes, device)
            opt = (self.optimizer(model) if self.optimizer is not None else
                   torch.optim.Adam(model.parameters(), lr=self.lr,
                                    weight_decay=self.weight_decay))
            net, loader = model, None
            if self.batch_size is not None:
                loader = NeighborLoader(hg, self.num_neighbors, input_nodes=train_idx,
                                        batch_size=self.batch_size, shuffle=True,
                                        member_cap=self.member_cap, x=x, y=y, seed=self.seed,
                                        rank=rank, world_size=world)
            if self.distributed:
                net = D.wrap(model)
                torch.manual_seed(self.seed + 7919 * rank)  # distinct dropout per rank
            best_val, best_epoch = -1.0, 0
            best_state: dict[str, Tensor] | None = None
            bar = tqdm(range(self.epochs), disable=not self.progress or rank != 0,
                       desc="fit", unit="epoch", leave=False)
            for epoch in bar:
                t0 = time.perf_counter()
                model.train()
                if loader is None:
                    loss_value, train_acc = self._step(net, opt, x, hg, y, train_idx, epoch)
                else:
                    loader.set_epoch(epoch)
                    loss_value, train_acc = self._minibatch_epoch(net, opt, loader, epoch)
                seconds = time.perf_counter() - t0
                model.eval()
                record = {"epoch": epoch, "loss": loss_value, "train_acc": train_acc,
                          "val_acc": None, "val_loss": None, "seconds": seconds}
                if loader is None or val_idx.numel():
                    # mini-batch mode already has its training accuracy, from the batches
                    parts = [val_idx] if loader is not None else [train_idx, val_idx]
                    evaluated = self._evaluate(model, x, hg, y, parts, rank, world)
                    if loader is None:
                        record["train_acc"] = evaluated[0][0]
                    record["val_acc"], record["val_loss"] = evaluated[-1]
                self.history_.append(record)
                score = record["val_acc"] if val_idx.numel() else float(epoch)
                if score > best_val:
                    best_val, best_epoch = score, epoch
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    bar.set_postfix(val_acc=record["val_acc"])
                elif self.patience is not None and epoch - best_epoch >= self.patience:
                    break
            bar.close()
        assert best_state is not None
        model.load_state_dict(best_state)
        model.eval()
        self.model_ = model
        self.best_epoch_ = best_epoch
        self.best_val_acc_ = best_val if val_idx.numel() else None
        self.num_classes_ = num_classes
        self.batches_per_epoch_ = 1 if loader is None else len(loader)
        self.rank_, self.world_size_ = rank, world
        self.fit_seconds_ = time.perf_counter() - start
        self.epoch_seconds_ = sum(r["seconds"] for r in self.history_) / len(self.history_)
        return self

    def _step(self, net: nn.Module, opt: torch.optim.Optimizer, x: Tensor, hg: Hypergraph,
              y: Tensor, train_idx: Tensor, epoch: int) -> tuple[float, float | None]:
        """One full-batch optimizer step; returns the training loss."""
        opt.zero_grad()
        loss = F.cross_entropy(net(x, hg)[train_idx], y[train_idx])
        loss_value = self._check_loss(float(loss.detach()), epoch)
        loss.backward()
        opt.step()
        return loss_value, None

    def _minibatch_epoch(self, net: nn.Module, opt: torch.optim.Optimizer,
                         loader: NeighborLoader, epoch: int) -> tuple[float, float]:
        """One pass over the sampled training batches; returns mean loss and accuracy."""
        loss_sum = correct = seen = 0.0
        for batch in loader:
            assert batch.x is not None and batch.y is not None
            opt.zero_grad()
            out = net(batch.x, batch.hypergraph)[: batch.batch_size]
            target = batch.y[: batch.batch_size]
            loss = F.cross_entropy(out, target)
            loss.backward()
            opt.step()
            loss_sum += float(loss.detach()) * batch.batch_size
            correct += float((out.detach().argmax(-1) == target).sum())
            seen += batch.batch_size
        loss_sum, correct, seen = D.all_sum([loss_sum, correct, seen]) \
            if self.distributed else (loss_sum, correct, seen)
        return self._check_loss(loss_sum / seen, epoch), correct / seen

    def _check_loss(self, value: float, epoch: int) -> float:
        if not math.isfinite(value):
            raise FloatingPointError(f"training loss is {value} at epoch {epoch}; lower 'lr' "
                                     f"(got {self.lr})")
        return value

    def _evaluate(self, model: nn.Module, x: Tensor, hg: Hypergraph, y: Tensor,
                  parts: list[Tensor], rank: int, world: int
                  ) -> list[tuple[float | None, float | None]]:
        """``(accuracy, mean loss)`` of each node set in ``parts`` under the current weights
        (``(None, None)`` for an empty set).

        Each rank counts its share of every set and the counts are summed over ranks, so all
        ranks get the same numbers.
        """
        sums: list[float] = []
        with torch.no_grad():
            full = model(x, hg) if self.eval_batch_size is None else None
            for idx in parts:
                share = idx[rank::world]  # the whole set unless distributed
                if share.numel() == 0:  # an empty set, or a rank with no share of a small one
                    sums += [0.0, 0.0, 0.0]
                    continue
                logits = (full[share] if full is not None
                          else self._sampled_logits(model, x, hg, share))
                sums += [float((logits.argmax(-1) == y[share]).sum()),
                         float(F.cross_entropy(logits, y[share], reduction="sum")),
                         float(share.numel())]
        if self.distributed:
            sums = D.all_sum(sums)
        out: list[tuple[float | None, float | None]] = []
        for i in range(len(parts)):
            correct, loss, count = sums[3 * i: 3 * i + 3]
            out.append((None, None) if count == 0 else (correct / count, loss / count))
        return out

    def _sampled_logits(self, model: nn.Module, x: Tensor, hg: Hypergraph, nodes: Tensor
                        ) -> Tensor:
        """Logits of ``nodes`` (in order) from sampled neighbourhoods, fixed sampling seed."""
        assert self.eval_batch_size is not None
        if nodes.numel() == 0:  # only from predict on a node-less input: fit skips empty sets
            return x.new_zeros(0, self.num_classes_)
        loader = NeighborLoader(hg, self.num_neighbors, input_nodes=nodes,
                                batch_size=self.eval_batch_size, member_cap=self.member_cap,
                                x=x, seed=self.seed + 1)
        outs = [model(b.x, b.hypergraph)[: b.batch_size] for b in loader]
        return torch.cat(outs)

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> nn.Module:
        model = getattr(self, "model_", None)
        if model is None:
            raise RuntimeError("This NodeClassification is not fitted yet: call fit(data) first")
        return model

    def decision_function(self, data: Any) -> Tensor:
        """The ``[N, C]`` logits of every node of ``data`` (model in eval mode, no grad)."""
        return self._logits(*self._inputs(data))

    def _logits(self, x: Tensor, hg: Hypergraph) -> Tensor:
        model = self._check_fitted()
        param = next(model.parameters(), None)
        device = x.device if param is None else param.device
        x, hg = x.to(device), hg.to(device)
        with torch.no_grad():
            if self.eval_batch_size is None:
                return model(x, hg)
            return self._sampled_logits(model, x, hg,
                                        torch.arange(hg.num_nodes, device=device))

    def predict_proba(self, data: Any) -> Tensor:
        """Class probabilities ``[N, C]`` (softmax of the logits)."""
        return self.decision_function(data).softmax(dim=-1)

    def predict(self, data: Any) -> Tensor:
        """Predicted class of every node, ``[N]`` int64."""
        return self.decision_function(data).argmax(dim=-1)

    def score(self, data: Any, mask: Tensor | None = None) -> float:
        """Accuracy in ``[0, 1]`` over ``mask`` (default ``data.test_mask``).

        Example:
            >>> from hgkit.hypergraph.generate import hsbm
            >>> from hgkit.layers.models import MLP
            >>> data = hsbm(num_nodes=60, num_edges=30, seed=0)
            >>> task = NodeClassification(MLP(data.num_features, 4, 4), epochs=2).fit(data)
            >>> 0.0 <= task.score(data, data.val_mask) <= 1.0
            True
        """
        x, hg = self._inputs(data)
        y, _ = self._labels(data, hg.num_nodes)
        mask = mask if mask is not None else getattr(data, "test_mask", None)
        if mask is None:
            raise ValueError("Expected a 'mask' (argument or data.test_mask); got none")
        mask = _mask(mask, hg.num_nodes, "mask")
        if not bool(mask.any()):
            raise ValueError("Expected 'mask' to select at least one node (got none)")
        logits = self._logits(x, hg)
        idx = mask.nonzero().flatten().to(logits.device)
        return _accuracy(logits, y.to(logits.device), idx)

    def __repr__(self) -> str:
        model = (type(self.model).__name__ if isinstance(self.model, nn.Module)
                 else getattr(self.model, "__name__", "factory"))
        return (f"NodeClassification(model={model}, lr={self.lr}, "
                f"weight_decay={self.weight_decay}, epochs={self.epochs}, "
                f"patience={self.patience}, mode={self.mode!r}, seed={self.seed}"
                + ("" if self.batch_size is None else
                   f", batch_size={self.batch_size}, num_neighbors={self.num_neighbors}, "
                   f"member_cap={self.member_cap}") + ")")


def _accuracy(logits: Tensor, y: Tensor, idx: Tensor) -> float:
    return float((logits[idx].argmax(dim=-1) == y[idx]).float().mean())
