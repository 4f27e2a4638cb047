"""Tasks: scikit-learn style estimators that train and evaluate hgkit models.

* :class:`NodeClassification`: full-batch node classification with best-validation
  selection (the ED-HNN / AllSet protocol), transductive or inductive.
* :mod:`hgkit.tasks.benchmark`: the node-classification benchmark runner behind
  ``hgkit benchmark`` (datasets x models x seeded runs -> records and a Markdown table).
"""

from hgkit.tasks.node_classification import NodeClassification

__all__ = ["NodeClassification"]
