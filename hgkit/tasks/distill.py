r"""Distil a hypergraph network into an MLP: LightHGNN and LightHGNN+ (Feng et al., ICLR 2024).

A fitted hypergraph *teacher* (HGNN, HGNN+, ED-HNN, ...) labels every node it sees with soft
labels :math:`p^t = \mathrm{softmax}(z^t)`. A *student* MLP that reads the node features only
is trained to match them, so at inference no hypergraph is needed and a forward pass is two
dense matmuls.

Losses (``reference_loss=False``, the default, a proper KL divergence):

.. math::
    \mathcal{L} = \lambda\,\mathrm{CE}(z^s_\text{train}, y_\text{train})
      + (1 - \lambda)\,(\mathcal{L}_\text{KD} + \mathcal{L}_\text{HC})

    \mathcal{L}_\text{KD} = \frac{\tau^2}{|V|} \sum_{v} \mathrm{KL}\big(
      \mathrm{softmax}(z^t_v / \tau) \,\big\|\, \mathrm{softmax}(z^s_v / \tau)\big)

    \mathcal{L}_\text{HC} = \frac{\tau^2}{|E_\text{kept}|} \sum_{e \in E_\text{kept}}
      \mathrm{KL}(t_e \,\|\, s_e), \quad
      t_e = \frac{1}{|e|}\sum_{v \in e} \mathrm{softmax}(z^t_v / \tau), \quad
      s_e = \frac{1}{|e|}\sum_{v \in e} \mathrm{softmax}(z^s_v / \tau)

:math:`\mathcal{L}_\text{HC}` (the high-order soft-label loss) is used by LightHGNN+ only. Its
hyperedges are redrawn every epoch, :math:`e \in E_\text{kept}` with probability
:math:`\rho_e`, the *reliability* of :func:`hyperedge_reliability`: how little the mean
prediction entropy of the teacher over :math:`e` moves when the features get multiplicative
Gaussian noise (the least stable hyperedge gets :math:`\rho = 0`).

``reference_loss=True`` reproduces what the official code computes instead. It passes
probabilities to ``F.kl_div(..., log_target=True)``, so its KD term is
:math:`\frac{1}{|V|}\sum_v \sum_c e^{p^t_{vc}} (p^t_{vc} - \log q_{vc})` whose minimiser is
:math:`q = \mathrm{softmax}(p^t)`, a much flatter target than :math:`p^t`; :math:`\tau` does
not enter the node term, and the hyperedge term is
:math:`\frac{1}{|E_\text{kept}|}\sum_e \sum_c e^{t_{ec}/\tau}(t_{ec}/\tau - \log(s_{ec}/\tau))`
with :math:`\tau = 1` in the softmaxes. The official defaults are :math:`\lambda = 0` and
:math:`\tau = 1` (``trans_config.yaml``), also the defaults here.

Settings (spec ``node-classification-and-distillation.md`` section 5):

* transductive: teacher and student see every node; the KD loss runs over all of them, the
  labels of the training nodes only.
* production (``mode="inductive"``): only ``observed`` nodes (default: train, validation and
  the observed part of the test set, see :func:`~hgkit.datasets.splits.inductive_split`) are
  visible. The teacher is trained on the induced sub-hypergraph, the student on the observed
  features and the teacher's soft labels on them, :math:`\rho` on the observed hypergraph.
  :func:`production_scores` then reports ``trans`` (observed test nodes), ``ind`` (unobserved
  test nodes) and ``prod`` (all test nodes).

Example:
    >>> from hgkit.hypergraph.generate import hsbm
    >>> from hgkit.layers.models import HGNN
    >>> data = hsbm(num_nodes=200, num_edges=200, seed=0)
    >>> teacher = NodeClassification(lambda f, c: HGNN(f, 32, c), lr=0.01, epochs=20).fit(data)
    >>> student = DistillToMLP(teacher, method="lighthgnn+", epochs=20).fit(data)
    >>> student.predict(data.x).shape, student.reliability_.shape
    (torch.Size([200]), torch.Size([200]))
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hgkit.hypergraph.hypergraph import Hypergraph
from hgkit.hypergraph.transforms import subhypergraph
from hgkit.layers.models import MLP
from hgkit.tasks.node_classification import NodeClassification, _accuracy, _mask, _number

__all__ = [
    "DistillToMLP", "NodeClassification", "default_student", "default_teacher",
    "hyperedge_reliability", "production_scores", "topology_score",
]

METHODS = ("lighthgnn", "lighthgnn+")


def default_teacher(in_channels: int, num_classes: int) -> nn.Module:
    """The LightHGNN teacher: ``HGNN(F, 32, C)``, 2 layers, ReLU, dropout 0.5.

    Example:
        >>> len(default_teacher(8, 3).convs)
        2
    """
    from hgkit.layers.models import HGNN

    return HGNN(in_channels, 32, num_classes, num_layers=2, dropout=0.5)


def default_student(in_channels: int, num_classes: int) -> nn.Module:
    """The LightHGNN student: ``Linear(F, 128) -> ReLU -> BatchNorm -> Dropout 0.5 -> Linear``.

    Example:
        >>> default_student(8, 3)(torch.randn(4, 8)).shape
        torch.Size([4, 3])
    """
    return MLP(in_channels, 128, num_classes, num_layers=2, dropout=0.5, normalization="bn")


# ---------------------------------------------------------------------- diagnostics
def _edge_mean(values: Tensor, hg: Hypergraph) -> Tensor:
    """Mean of ``values[v]`` over the members of every hyperedge (0 for an empty one)."""
    node, edge = hg.hyperedge_index
    out = values.new_zeros((hg.num_edges,) + tuple(values.shape[1:]))
    out.index_add_(0, edge, values[node])
    size = hg.edge_size.to(values.dtype).clamp(min=1)
    return out / size.view((-1,) + (1,) * (values.dim() - 1))


def _entropy(logits: Tensor) -> Tensor:
    """Prediction entropy per row, ``0 log 0 = 0``."""
    return torch.special.entr(logits.softmax(dim=-1)).sum(dim=-1)


def hyperedge_reliability(model: Callable[[Tensor, Hypergraph], Tensor], x: Tensor,
                          hg: Hypergraph, noise_level: float = 1.0,
                          generator: torch.Generator | None = None) -> Tensor:
    r"""LightHGNN+'s reliability :math:`\rho_e \in [0, 1]` of every hyperedge.

    .. math::
        H_v = -\sum_c p_{vc}\log p_{vc}, \quad
        \tilde X = X \odot (1 + \varepsilon)\, s, \quad \varepsilon \sim \mathcal{N}(0, 1),
        \quad \delta_e = \Big| \frac{1}{|e|}\sum_{v\in e} \tilde H_v
          - \frac{1}{|e|}\sum_{v\in e} H_v \Big|, \quad
        \rho_e = 1 - \frac{\delta_e}{\max_{e'} \delta_{e'}}

    with :math:`p` (:math:`\tilde p`) the teacher's class probabilities on :math:`X`
    (:math:`\tilde X`) and :math:`s` = ``noise_level`` (the official ``hc_noise_level`` 1.0).
    When no hyperedge moves at all (every :math:`\delta_e = 0`, where the official code divides
    0 by 0), every hyperedge is equally reliable: :math:`\rho = 1`. Empty hyperedges get 1
    too; they never contribute to the loss.

    Args:
        model: the teacher, called as ``model(x, hg)`` in eval mode without gradients.
        x: ``[N, F]`` node features.
        hg: the hypergraph the teacher runs on.
        noise_level: the factor :math:`s` (> 0).
        generator: source of :math:`\varepsilon` (default: the global generator).

    Returns:
        ``[M]`` reliabilities in ``[0, 1]``.

    Example:
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]]), num_nodes=3)
        >>> rho = hyperedge_reliability(lambda x, g: x, torch.randn(3, 4), hg)
        >>> rho.shape, bool(((rho >= 0) & (rho <= 1)).all()), float(rho.min())
        (torch.Size([2]), True, 0.0)
    """
    _number(noise_level, "noise_level", minimum=0.0)
    if noise_level <= 0:
        raise ValueError(f"Expected 'noise_level' to be > 0 (got {noise_level!r})")
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype, device="cpu").to(x.device)
    with torch.no_grad():
        clean = _entropy(model(x, hg))
        noisy = _entropy(model(x * (1 + noise) * noise_level, hg))
    delta = (_edge_mean(noisy, hg) - _edge_mean(clean, hg)).abs()
    top = delta.max() if delta.numel() else delta.new_zeros(())
    if not bool(top > 0):
        return torch.ones_like(delta)
    return (1 - delta / top).clamp_(0.0, 1.0)


def topology_score(h: Tensor, hg: Hypergraph) -> float:
    r"""LightHGNN's topology-aware score of node embeddings (lower: smoother inside hyperedges).

    .. math::
        \mathrm{TS} = \frac{1}{|E|} \sum_e \frac{1}{|e|} \sum_{v \in e}
          \Big\| \frac{1}{|e|}\sum_{u \in e} h_u - h_v \Big\|_2

    over the non-empty hyperedges. It measures over-smoothing: a GNN that averages
    neighbourhoods scores low, an MLP that ignores them scores high.

    Example:
        >>> from hgkit import Hypergraph
        >>> hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2)
        >>> topology_score(torch.tensor([[0.0, 0.0], [2.0, 0.0]]), hg)
        1.0
    """
    if not isinstance(h, Tensor) or h.dim() != 2 or h.size(0) != hg.num_nodes:
        got = list(h.shape) if isinstance(h, Tensor) else type(h).__name__
        raise ValueError(f"Expected 'h' to be a [{hg.num_nodes}, D] tensor (got {got})")
    node, edge = hg.hyperedge_index
    if node.numel() == 0:
        raise ValueError("Expected 'hg' to have at least one incidence (got none)")
    h = h.to(torch.float64)
    centre = _edge_mean(h, hg)
    dist = (centre[edge] - h[node]).norm(dim=-1)
    per_edge = torch.zeros(hg.num_edges, dtype=h.dtype, device=h.device).index_add_(
        0, edge, dist)
    size = hg.edge_size
    keep = size > 0
    return float((per_edge[keep] / size[keep].to(h.dtype)).mean())


# ---------------------------------------------------------------------- losses
def _kd_loss(student: Tensor, teacher: Tensor, tau: float, reference: bool) -> Tensor:
    if reference:
        p = teacher.softmax(dim=-1)
        return (p.exp() * (p - student.log_softmax(dim=-1))).sum(dim=-1).mean()
    log_p = (teacher / tau).log_softmax(dim=-1)
    log_q = (student / tau).log_softmax(dim=-1)
    return (log_p.exp() * (log_p - log_q)).sum(dim=-1).mean() * tau * tau


def _hc_loss(student: Tensor, teacher: Tensor, hg: Hypergraph, keep: Tensor, tau: float,
             reference: bool) -> Tensor:
    if not bool(keep.any()):
        return student.new_zeros(())
    scale = 1.0 if reference else tau
    s = _edge_mean((student / scale).softmax(dim=-1), hg)[keep]
    t = _edge_mean((teacher / scale).softmax(dim=-1), hg)[keep]
    if reference:
        return (torch.exp(t / tau) * (t / tau - torch.log(s / tau))).sum(dim=-1).mean()
    log_t = t.clamp_min(1e-12).log()
    log_s = s.clamp_min(1e-12).log()
    return (t * (log_t - log_s)).sum(dim=-1).mean() * tau * tau


# ---------------------------------------------------------------------- the estimator
class DistillToMLP:
    r"""LightHGNN / LightHGNN+: train an MLP on a hypergraph teacher's soft labels.

    Args:
        teacher: a :class:`~hgkit.tasks.NodeClassification` (used as is when fitted, else
            fitted on the same data, masks and mode), or an ``nn.Module`` / factory
            ``(in_channels, num_classes) -> nn.Module`` wrapped in one with LightHGNN's
            teacher settings (Adam lr 0.01, weight decay 5e-4, 200 epochs, best validation).
        student: an ``nn.Module`` called as ``student(x)`` or a factory ``(in_channels,
            num_classes) -> nn.Module`` (default :func:`default_student`, LightHGNN's MLP).
        method: ``"lighthgnn"`` (node soft labels) or ``"lighthgnn+"`` (also the sampled
            high-order soft labels).
        lamb: :math:`\lambda`, the weight of the cross-entropy on the training labels in
            ``[0, 1]`` (official default 0: soft labels only).
        tau: temperature :math:`\tau > 0` (official default 1).
        reference_loss: use the official code's effective loss (see the module docstring).
        noise_level: :math:`s` of :func:`hyperedge_reliability`.
        lr, weight_decay, epochs, patience: Adam and training settings of the student
            (defaults as LightHGNN: 0.01, 5e-4, 200, none).
        mode: ``"transductive"`` or ``"inductive"`` (the production setting).
        seed: seed of the student's initialization, its dropout, the reliability noise and the
            per-epoch hyperedge sampling (and of the teacher when this fits it); run in a
            forked RNG so the caller's random state is untouched.
        device: where to train (default: the device of ``x``).
        progress: show a tqdm bar over epochs.

    Attributes (after :meth:`fit`):
        teacher_: the fitted :class:`~hgkit.tasks.NodeClassification`.
        student_: the student with the best-validation weights, in eval mode.
        teacher_logits_: ``[N_seen, C]`` soft-label logits the student was trained on.
        reliability_: ``[M_seen]`` :math:`\rho_e` (``None`` for ``"lighthgnn"``).
        history_: one dict per epoch (``loss``, ``kd``, ``hc``, ``ce``, ``train_acc``,
            ``val_acc``, ``kept_edges``, ``seconds``).
        best_epoch_, best_val_acc_, num_classes_, fit_seconds_.

    Example:
        >>> from hgkit.hypergraph.generate import hsbm
        >>> data = hsbm(num_nodes=120, num_edges=80, seed=2)
        >>> task = DistillToMLP(default_teacher, method="lighthgnn", epochs=5).fit(data)
        >>> 0.0 <= task.score(data) <= 1.0, task.reliability_ is None
        (True, True)
    """

    def __init__(self, teacher: Any, student: Any = None, *, method: str = "lighthgnn+",
                 lamb: float = 0.0, tau: float = 1.0, reference_loss: bool = False,
                 noise_level: float = 1.0, lr: float = 0.01, weight_decay: float = 5e-4,
                 epochs: int = 200, patience: int | None = None, mode: str = "transductive",
                 seed: int = 0, device: str | torch.device | None = None,
                 progress: bool = False) -> None:
        self.teacher = teacher
        self.student = student
        self.method = method
        self.lamb = lamb
        self.tau = tau
        self.reference_loss = reference_loss
        self.noise_level = noise_level
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.patience = patience
        self.mode = mode
        self.seed = seed
        self.device = device
        self.progress = progress

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"Expected 'method' to be one of {METHODS} (got {self.method!r})")
        _number(self.lamb, "lamb", minimum=0.0)
        if self.lamb > 1:
            raise ValueError(f"Expected 'lamb' to be in [0, 1] (got {self.lamb!r})")
        _number(self.tau, "tau", minimum=0.0)
        if self.tau <= 0:
            raise ValueError(f"Expected 'tau' to be > 0 (got {self.tau!r})")
        if not isinstance(self.reference_loss, bool):
            raise TypeError("Expected 'reference_loss' to be a bool (got "
                            f"{type(self.reference_loss).__name__})")
        _number(self.noise_level, "noise_level", minimum=0.0)
        _number(self.lr, "lr", minimum=0.0)
        _number(self.weight_decay, "weight_decay", minimum=0.0)
        _number(self.epochs, "epochs", minimum=1, integer=True)
        _number(self.patience, "patience", minimum=1, integer=True, allow_none=True)
        _number(self.seed, "seed", minimum=0, integer=True)
        if self.mode not in ("transductive", "inductive"):
            raise ValueError("Expected 'mode' to be 'transductive' or 'inductive' "
                             f"(got {self.mode!r})")
        if not isinstance(self.teacher, NodeClassification | nn.Module) \
                and not callable(self.teacher):
            raise TypeError("Expected 'teacher' to be a NodeClassification, an nn.Module or "
                            f"a factory (got {type(self.teacher).__name__})")
        if self.student is not None and not isinstance(self.student, nn.Module) \
                and not callable(self.student):
            raise TypeError("Expected 'student' to be an nn.Module or a factory (got "
                            f"{type(self.student).__name__})")

    def _fitted_teacher(self, data: Any, train: Tensor, val: Tensor,
                        observed: Tensor | None) -> NodeClassification:
        teacher = self.teacher
        if isinstance(teacher, NodeClassification):
            if getattr(teacher, "model_", None) is not None:
                if teacher.mode != self.mode:
                    raise ValueError(f"The fitted teacher was trained with mode="
                                     f"{teacher.mode!r} but 'mode' is {self.mode!r}")
                return teacher
            teacher = copy.deepcopy(teacher)
        else:
            teacher = NodeClassification(teacher, lr=0.01, weight_decay=5e-4, epochs=200,
                                         mode=self.mode, seed=self.seed, device=self.device)
        return teacher.fit(data, train, val, observed=observed)

    def fit(self, data: Any, train_mask: Tensor | None = None, val_mask: Tensor | None = None,
            observed: Tensor | None = None) -> DistillToMLP:
        """Fit (or reuse) the teacher, then train the student; returns ``self``.

        Args:
            data: an object with ``hypergraph``, ``x``, ``y`` and split masks (as
                :meth:`NodeClassification.fit <hgkit.tasks.NodeClassification.fit>`).
            train_mask, val_mask: default ``data.train_mask`` / ``data.val_mask``.
            observed: production setting only: the nodes visible during training (default
                train and validation nodes). A fitted inductive teacher must have been fitted
                with the same set.
        """
        from tqdm.auto import tqdm

        self._check_params()
        x, hg = NodeClassification._inputs(data)
        n = hg.num_nodes
        y, num_classes = NodeClassification._labels(data, n)
        train = train_mask if train_mask is not None else getattr(data, "train_mask", None)
        if train is None:
            raise ValueError("Expected a 'train_mask' (argument or data.train_mask); got none")
        train = _mask(train, n, "train_mask")
        if not bool(train.any()):
            raise ValueError("Expected 'train_mask' to select at least one node (got none)")
        val = val_mask if val_mask is not None else getattr(data, "val_mask", None)
        val = _mask(val, n, "val_mask") if val is not None else torch.zeros_like(train)
        if self.mode == "inductive":
            seen = train | val if observed is None else _mask(observed, n, "observed")
            if bool((train & ~seen).any()) or bool((val & ~seen).any()):
                raise ValueError("Expected 'observed' to contain every training and "
                                 "validation node")
        elif observed is not None:
            raise ValueError("'observed' is only used with mode='inductive' "
                             f"(got mode={self.mode!r})")
        start = time.perf_counter()
        teacher = self._fitted_teacher(data, train, val, observed)
        if teacher.num_classes_ != num_classes:
            raise ValueError(f"The teacher predicts {teacher.num_classes_} classes but "
                             f"'data.y' has {num_classes}")
        if self.mode == "inductive":
            hg, node_map, _ = subhypergraph(hg, nodes=seen)
            x, y, train, val = x[node_map], y[node_map], train[node_map], val[node_map]
        device = torch.device(self.device) if self.device is not None else x.device
        x, y, hg = x.to(device), y.to(device), hg.to(device)
        soft = teacher._logits(x, hg).to(device)
        train_idx = train.nonzero().flatten().to(device)
        val_idx = val.nonzero().flatten().to(device)
        plus = self.method == "lighthgnn+"
        nonempty = hg.edge_size > 0

        self.history_: list[dict[str, Any]] = []
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            rho = None
            if plus:
                rho = hyperedge_reliability(teacher.model_, x, hg, self.noise_level, gen)
            student = self._build_student(x.size(1), num_classes, device)
            opt = torch.optim.Adam(student.parameters(), lr=self.lr,
                                   weight_decay=self.weight_decay)
            best_val, best_epoch, best_state = -1.0, 0, None
            bar = tqdm(range(self.epochs), disable=not self.progress, desc="distill",
                       unit="epoch", leave=False)
            for epoch in bar:
                t0 = time.perf_counter()
                student.train()
                opt.zero_grad()
                out = student(x)
                ce = F.cross_entropy(out[train_idx], y[train_idx])
                kd = _kd_loss(out, soft, self.tau, self.reference_loss)
                hc = out.new_zeros(())
                kept = 0
                if plus:
                    assert rho is not None
                    draw = torch.rand(rho.shape, generator=gen).to(device)
                    keep = (draw < rho) & nonempty
                    kept = int(keep.sum())
                    hc = _hc_loss(out, soft, hg, keep, self.tau, self.reference_loss)
                loss = self.lamb * ce + (1 - self.lamb) * (kd + hc)
                value = float(loss.detach())
                if not math.isfinite(value):
                    raise FloatingPointError(f"distillation loss is {value} at epoch {epoch}"
                                             f"; lower 'lr' (got {self.lr})")
                loss.backward()
                opt.step()
                seconds = time.perf_counter() - t0
                student.eval()
                with torch.no_grad():
                    logits = student(x)
                record = {"epoch": epoch, "loss": value, "ce": float(ce.detach()),
                          "kd": float(kd.detach()), "hc": float(hc.detach()),
                          "kept_edges": kept, "train_acc": _accuracy(logits, y, train_idx),
                          "val_acc": (_accuracy(logits, y, val_idx) if val_idx.numel()
                                      else None), "seconds": seconds}
                self.history_.append(record)
                score = record["val_acc"] if val_idx.numel() else float(epoch)
                if score > best_val:
                    best_val, best_epoch = score, epoch
                    best_state = {k: v.detach().clone()
                                  for k, v in student.state_dict().items()}
                    bar.set_postfix(val_acc=record["val_acc"])
                elif self.patience is not None and epoch - best_epoch >= self.patience:
                    break
            bar.close()
        assert best_state is not None
        student.load_state_dict(best_state)
        student.eval()
        self.teacher_ = teacher
        self.student_ = student
        self.teacher_logits_ = soft
        self.reliability_ = rho
        self.best_epoch_ = best_epoch
        self.best_val_acc_ = best_val if val_idx.numel() else None
        self.num_classes_ = num_classes
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _build_student(self, in_channels: int, num_classes: int,
                       device: torch.device) -> nn.Module:
        if self.student is None:
            model = default_student(in_channels, num_classes)
        elif isinstance(self.student, nn.Module):
            model = copy.deepcopy(self.student)
        else:
            model = self.student(in_channels, num_classes)
            if not isinstance(model, nn.Module):
                raise TypeError("Expected the 'student' factory to return an nn.Module (got "
                                f"{type(model).__name__})")
        return model.to(device)

    # ------------------------------------------------------------------ inference
    def decision_function(self, x: Any) -> Tensor:
        """The student's ``[N, C]`` logits from features alone (``x`` or ``data.x``)."""
        student = getattr(self, "student_", None)
        if student is None:
            raise RuntimeError("This DistillToMLP is not fitted yet: call fit(data) first")
        feats = x if isinstance(x, Tensor) else getattr(x, "x", None)
        if not isinstance(feats, Tensor) or feats.dim() != 2 or not feats.is_floating_point():
            got = (f"{feats.dtype}, {list(feats.shape)}" if isinstance(feats, Tensor)
                   else type(x).__name__)
            raise ValueError(f"Expected 'x' to be a floating [N, F] tensor or data with one "
                             f"(got {got})")
        param = next(student.parameters(), None)
        device = feats.device if param is None else param.device
        with torch.no_grad():
            return student(feats.to(device))

    def predict_proba(self, x: Any) -> Tensor:
        """Class probabilities ``[N, C]`` of the student (no hypergraph needed)."""
        return self.decision_function(x).softmax(dim=-1)

    def predict(self, x: Any) -> Tensor:
        """Predicted class of every node, ``[N]`` int64 (no hypergraph needed)."""
        return self.decision_function(x).argmax(dim=-1)

    def score(self, data: Any, mask: Tensor | None = None) -> float:
        """The student's accuracy in ``[0, 1]`` over ``mask`` (default ``data.test_mask``)."""
        logits = self.decision_function(data)
        n = logits.size(0)
        y, _ = NodeClassification._labels(data, n)
        mask = mask if mask is not None else getattr(data, "test_mask", None)
        if mask is None:
            raise ValueError("Expected a 'mask' (argument or data.test_mask); got none")
        mask = _mask(mask, n, "mask")
        if not bool(mask.any()):
            raise ValueError("Expected 'mask' to select at least one node (got none)")
        idx = mask.nonzero().flatten().to(logits.device)
        return _accuracy(logits, y.to(logits.device), idx)

    def __repr__(self) -> str:
        return (f"DistillToMLP(method={self.method!r}, lamb={self.lamb}, tau={self.tau}, "
                f"reference_loss={self.reference_loss}, epochs={self.epochs}, "
                f"mode={self.mode!r}, seed={self.seed})")


def production_scores(estimator: Any, data: Any, test_observed: Tensor,
                      test_unobserved: Tensor) -> dict[str, float]:
    r"""LightHGNN's production-setting accuracies of a fitted inductive estimator.

    * ``trans``: observed test nodes; a hypergraph model runs on the observed sub-hypergraph.
    * ``ind``: unobserved test nodes; a hypergraph model is given the full hypergraph and all
      features, an MLP student the features only.
    * ``prod``: every test node with the full features and hypergraph.

    Args:
        estimator: a fitted :class:`~hgkit.tasks.NodeClassification` (inductive mode) or
            :class:`DistillToMLP`.
        data: the full data (``hypergraph``, ``x``, ``y``).
        test_observed, test_unobserved: ``[N]`` bool masks (or index tensors) of the two
            parts of the test set (:class:`~hgkit.datasets.splits.InductiveSplit`).

    Returns:
        ``{"trans": ..., "ind": ..., "prod": ...}`` accuracies in ``[0, 1]``.
    """
    x, hg = NodeClassification._inputs(data)
    n = hg.num_nodes
    y, _ = NodeClassification._labels(data, n)
    obs_test = _as_mask(test_observed, n, "test_observed")
    ind_test = _as_mask(test_unobserved, n, "test_unobserved")
    if bool((obs_test & ind_test).any()):
        raise ValueError("Expected 'test_observed' and 'test_unobserved' to be disjoint")
    if isinstance(estimator, DistillToMLP):
        full = estimator.decision_function(x)
        observed_logits = full
    elif isinstance(estimator, NodeClassification):
        full = estimator._logits(x, hg)
        seen = ~ind_test
        sub, node_map, _ = subhypergraph(hg, nodes=seen)
        observed_logits = torch.zeros_like(full)
        observed_logits[node_map.to(full.device)] = estimator._logits(x[node_map], sub)
    else:
        raise TypeError("Expected 'estimator' to be a fitted NodeClassification or "
                        f"DistillToMLP (got {type(estimator).__name__})")
    y = y.to(full.device)

    def acc(logits: Tensor, mask: Tensor) -> float:
        idx = mask.nonzero().flatten().to(logits.device)
        return _accuracy(logits, y, idx) if idx.numel() else float("nan")

    return {"trans": acc(observed_logits, obs_test), "ind": acc(full, ind_test),
            "prod": acc(full, obs_test | ind_test)}


def _as_mask(value: Any, n: int, name: str) -> Tensor:
    if isinstance(value, Tensor) and value.dtype != torch.bool and value.dim() == 1 \
            and not value.is_floating_point():
        if value.numel() and (int(value.min()) < 0 or int(value.max()) >= n):
            raise IndexError(f"'{name}' holds node ids outside [0, {n})")
        mask = torch.zeros(n, dtype=torch.bool)
        mask[value.cpu()] = True
        return mask
    return _mask(value, n, name).cpu()
