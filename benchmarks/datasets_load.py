"""Time loading every dataset under a data root: first (parse) and second (processed cache) load.

Targets (datasets issue): loading all of ../shared/datasets takes < 60 s in total; the second
load of a dataset hits the processed cache and takes < 1 s for allset-cocitation-cora.

The processed cache is a fresh temporary folder, so the first load always parses the raw files.
Datasets whose optional large files are not staged (features of cocitation-pubmed and
coauthorship-dblp) are loaded with ``features=False``, offline (``download=False``).

Run::

    python -m benchmarks.datasets_load --data-root ../shared/datasets \\
        --json benchmarks/results/datasets_load.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hgkit import datasets
from hgkit._env import env_record

TOTAL_TARGET_S = 60.0
CACHED_TARGET_S = 1.0
CACHED_TARGET_NAME = "allset-cocitation-cora"


def _options(name: str, root: Path) -> dict[str, Any]:
    files = datasets.base.known_files(name)
    missing = [f.path for f in files if not (root / name / "raw" / f.path).exists()]
    return {"features": False} if "features.pickle" in missing else {}


def _describe(result: Any) -> str:
    text = repr(result)
    return text if len(text) < 110 else text[:107] + "..."


def run(root: Path, names: list[str]) -> list[dict[str, Any]]:
    """Load each dataset twice with a fresh cache; return one record per (dataset, load)."""
    records = []
    with tempfile.TemporaryDirectory() as cache:
        for name in names:
            options = _options(name, root)
            times = []
            for _ in range(2):
                start = time.perf_counter()
                result = datasets.load(name, root=root, download=False, cache=cache,
                                       progress=False, **options)
                times.append(time.perf_counter() - start)
            for metric, value in (("first_load_s", times[0]), ("cached_load_s", times[1])):
                records.append({
                    "task": "datasets_load", "dataset": name,
                    "model": datasets.family_of(name, root), "metric": metric,
                    "mean": round(value, 4), "std": 0.0, "runs": 1, "published": None,
                    "seconds": round(value, 4), "peak_mb": None,
                    "options": options, "result": _describe(result),
                })
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default="../shared/datasets")
    parser.add_argument("--datasets", default=None, help="comma-separated (default: all)")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    root = Path(args.data_root)
    names = (args.datasets.split(",") if args.datasets
             else [n for n in datasets.list(root) if (root / n / "raw").is_dir()])
    records = run(root, names)
    first = {r["dataset"]: r["mean"] for r in records if r["metric"] == "first_load_s"}
    cached = {r["dataset"]: r["mean"] for r in records if r["metric"] == "cached_load_s"}
    print("| dataset | family | first load s | cached load s | result |")
    print("|---|---|---|---|---|")
    for r in records:
        if r["metric"] == "first_load_s":
            print(f"| {r['dataset']} | {r['model']} | {first[r['dataset']]:.3f} | "
                  f"{cached[r['dataset']]:.3f} | {r['result']} |")
    total = sum(first.values())
    print(f"\ntotal first loads: {total:.1f} s (target < {TOTAL_TARGET_S:.0f} s: "
          f"{'met' if total < TOTAL_TARGET_S else 'NOT met'}); total cached loads: "
          f"{sum(cached.values()):.2f} s")
    if CACHED_TARGET_NAME in cached:
        value = cached[CACHED_TARGET_NAME]
        print(f"{CACHED_TARGET_NAME} cached load: {value:.3f} s (target < {CACHED_TARGET_S} s: "
              f"{'met' if value < CACHED_TARGET_S else 'NOT met'})")
    if args.json:
        records.append({"task": "datasets_load", "dataset": "all", "model": "all",
                        "metric": "total_first_load_s", "mean": round(total, 3), "std": 0.0,
                        "runs": 1, "published": None, "seconds": round(total, 3),
                        "peak_mb": None})
        records.append(env_record())
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
