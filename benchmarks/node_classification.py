"""Node-classification benchmark: the ED-HNN Table 2 protocol across datasets and models.

The same runner as ``hgkit benchmark`` (:mod:`hgkit.tasks.benchmark`; settings in
``hgkit/tasks/configs/node_classification.toml``), as a script. Every flag of
``hgkit benchmark`` works here.

Run::

    python -m benchmarks.node_classification --data-root ../shared/datasets \\
        --datasets allset-cocitation-cora,allset-house-committees --models edhnn,hgnn \\
        --json benchmarks/results/node_classification.json

With no arguments it runs the quick synthetic suite, like ``hgkit benchmark``.
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))
