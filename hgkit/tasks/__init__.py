"""Tasks: scikit-learn style estimators that train and evaluate hgkit models.

* :class:`NodeClassification`: full-batch node classification with best-validation
  selection (the ED-HNN / AllSet protocol), transductive or inductive.
* :class:`DistillToMLP`: LightHGNN / LightHGNN+ distillation of a fitted hypergraph teacher
  into an MLP that needs no hypergraph at inference (:mod:`hgkit.tasks.distill`).
* :class:`HyperedgePrediction`: an encoder on the training hyperedges plus a set decoder,
  trained against fresh negatives (:mod:`hgkit.tasks.hyperedge_prediction`; samplers in
  :mod:`hgkit.tasks.negative_sampling`, classical scores in :mod:`hgkit.tasks.set_scores`,
  Benson et al.'s open-triangle prediction in :mod:`hgkit.tasks.holp`).
* :class:`SHyRe`: supervised reconstruction of a hypergraph from its projected graph
  (:mod:`hgkit.tasks.shyre`; baselines and metrics in :mod:`hgkit.tasks.reconstruction`).
* :mod:`hgkit.tasks.benchmark`: the node-classification benchmark runner behind
  ``hgkit benchmark`` (datasets x models x seeded runs -> records and a Markdown table).
* :mod:`hgkit.tasks.distill_bench`, :mod:`hgkit.tasks.distill_speed`: the distillation table
  and the inference-speed experiment behind ``hgkit distill``.
"""

from hgkit.tasks.distill import DistillToMLP
from hgkit.tasks.hyperedge_prediction import HyperedgePrediction
from hgkit.tasks.node_classification import NodeClassification
from hgkit.tasks.shyre import SHyRe

__all__ = ["DistillToMLP", "HyperedgePrediction", "NodeClassification", "SHyRe"]
