"""Graph classification through the dual hypergraph: EHGNN HyperDrop vs GCN / HGNN pooling.

The same runner as ``hgkit graph-classification``
(:mod:`hgkit.tasks.graph_classification_bench`), as a script; every flag works here.

Run::

    python -m benchmarks.graph_classification --data-root ../shared/datasets \\
        --datasets tu-MUTAG,tu-PROTEINS --json benchmarks/results/graph_classification.json
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["graph-classification", *sys.argv[1:]]))
