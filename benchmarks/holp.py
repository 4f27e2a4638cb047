"""Higher-order link prediction (Benson et al., PNAS 2018): which open triangles close.

The same runner as ``hgkit holp`` (:mod:`hgkit.tasks.holp_bench`), as a script; every flag
works here.

Run::

    python -m benchmarks.holp --data-root ../shared/datasets --label-mode both \\
        --json benchmarks/results/holp.json
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["holp", *sys.argv[1:]]))
