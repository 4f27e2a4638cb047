"""Hyperedge prediction: neural predictors against classical set scores, per negative type.

The same runner as ``hgkit hyperedge-prediction``
(:mod:`hgkit.tasks.hyperedge_prediction_bench`), as a script; every flag works here.

Run::

    python -m benchmarks.hyperedge_prediction --data-root ../shared/datasets --threads 1 \\
        --json benchmarks/results/hyperedge_prediction.json
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["hyperedge-prediction", *sys.argv[1:]]))
