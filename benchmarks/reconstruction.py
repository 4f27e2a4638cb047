"""Reconstruction benchmark: max-clique, clique cover and SHyRe on the shyre-* datasets.

The same runner as ``hgkit reconstruct`` without a GRAPH argument
(:mod:`hgkit.tasks.reconstruction_bench`), as a script. Every flag of ``hgkit reconstruct``
works here.

Run::

    python -m benchmarks.reconstruction --data-root ../shared/datasets \\
        --datasets shyre-enron,shyre-dblp --models maxclique,cover,shyre \\
        --json benchmarks/results/reconstruction.json
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["reconstruct", *sys.argv[1:]]))
