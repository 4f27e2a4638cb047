"""Distillation benchmark: LightHGNN / LightHGNN+ vs the plain MLP and the HGNN teacher.

The same runner as ``hgkit distill`` (:mod:`hgkit.tasks.distill_bench` and, with
``--speed``, :mod:`hgkit.tasks.distill_speed`), as a script. Every flag of ``hgkit distill``
works here.

Run::

    python -m benchmarks.distill --data-root ../shared/datasets --setting both \\
        --json benchmarks/results/distill.json
    python -m benchmarks.distill --speed-only --json benchmarks/results/distill_speed.json
"""

from __future__ import annotations

import sys

from hgkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["distill", *sys.argv[1:]]))
