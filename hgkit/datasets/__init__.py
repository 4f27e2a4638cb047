"""Loaders for real hypergraph datasets in their original upstream formats.

A dataset ``NAME`` lives in ``<root>/NAME/raw/`` in its upstream layout. ``load(NAME)`` finds
its format family from the name's prefix, else from the files present, so any folder in a
known format loads, including datasets hgkit has never seen:

==============  =====================================================  ====================
family          files                                                  result
==============  =====================================================  ====================
``hypergcn``    ``hypergraph.pickle``, ``labels.pickle``, ...          HypergraphData
``legcn``       ``<D>.content``, ``<D>.edges``                         HypergraphData
``cornell``     ``hyperedges-<D>.txt``, ``node-labels-<D>.txt``        HypergraphData
``scholp``      ``<D>-nverts.txt.gz``, ``-simplices``, ``-times``      TemporalHypergraph
``shyre``       ``train.txt``, ``test.txt``                            ReconstructionData
``tu``          ``<D>.zip`` (+ ``ehgnn/10fold_idx``)                   GraphDataset
``hif``         ``*.json`` / ``*.hif.json``                            HypergraphData
==============  =====================================================  ====================

Example:
    >>> from hgkit import datasets
    >>> "allset-cocitation-cora" in datasets.list()
    True
    >>> datasets.family_of("shyre-enron")
    'shyre'
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import os
from pathlib import Path
from typing import Any

from hgkit.datasets.base import DatasetError, data_root, known_files, known_names
from hgkit.datasets.data import GraphDataset, HypergraphData, TemporalHypergraph

__all__ = [
    "DatasetError",
    "GraphDataset",
    "HypergraphData",
    "TemporalHypergraph",
    "family_of",
    "info",
    "list",
    "load",
    "verify",
]

#: Format families, in detection order, and the module implementing each.
FAMILIES: dict[str, str] = {
    "hypergcn": "hgkit.datasets.hypergcn",
    "legcn": "hgkit.datasets.legcn",
    "cornell": "hgkit.datasets.cornell",
    "scholp": "hgkit.datasets.scholp",
    "shyre": "hgkit.datasets.shyre",
    "tu": "hgkit.datasets.tu",
    "hif": "hgkit.datasets.hif",
}
_PREFIXES = {
    "allset-cocitation-": "hypergcn",
    "allset-coauthorship-": "hypergcn",
    "scholp-": "scholp",
    "shyre-": "shyre",
    "tu-": "tu",
}


def list(root: str | os.PathLike[str] | None = None) -> builtins.list[str]:  # noqa: A001
    """Names of the datasets hgkit knows (files and checksums ship with it), plus, when
    ``root`` is given, every folder under it with a ``raw/`` sub-folder."""
    names = set(known_names())
    if root is not None:
        base = Path(root).expanduser()
        if base.is_dir():
            names.update(p.name for p in base.iterdir() if (p / "raw").is_dir())
    return sorted(names)


def _module(family: str) -> Any:
    return importlib.import_module(FAMILIES[family])


def family_of(name: str, root: str | os.PathLike[str] | None = None) -> str:
    """The format family of dataset ``name``: from its prefix, else from the files present.

    Raises:
        DatasetError: if no family matches.
    """
    for prefix, family in _PREFIXES.items():
        if name.startswith(prefix):
            return family
    raw = data_root(root) / name / "raw"
    if raw.is_dir():
        for family in FAMILIES:
            if _module(family).detect(raw):
                return family
    known = {f.path for f in known_files(name)}
    if known:  # not downloaded yet: detect from the declared file names
        for family in FAMILIES:
            if _module(family).detect_names(known):
                return family
    raise DatasetError(
        f"Cannot tell the format of dataset '{name}': expected a name prefix in "
        f"{sorted(_PREFIXES)} or files of a known family in {raw}"
    )


def load(name: str, root: str | os.PathLike[str] | None = None, *, download: bool = True,
         cache: str | os.PathLike[str] | None = None, use_cache: bool = True,
         progress: bool = True, **options: Any) -> Any:
    """Load dataset ``name`` from ``<root>/<name>/raw``.

    Args:
        name: dataset name (a folder name, e.g. ``"allset-cocitation-cora"``).
        root: data root (default ``$HGKIT_DATA``, else ``~/.cache/hgkit/datasets``).
        download: download missing known files (pinned URL, sha256 checked). With all files
            present nothing touches the network.
        cache: processed-cache root (default ``$HGKIT_CACHE``, else ``~/.cache/hgkit/processed``).
        use_cache: read/write the processed cache.
        progress: show download progress bars.
        **options: family-specific switches (see each family's ``load``).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"Expected 'name' to be a non-empty str (got {name!r})")
    raw = data_root(root) / name / "raw"
    family = family_of(name, root)
    module = _module(family)
    if known_files(name):
        from hgkit.datasets.base import ensure_files

        ensure_files(name, raw, module.required_files(name, raw, known_files(name)),
                     download_missing=download, progress=progress)
    elif not raw.is_dir():
        raise DatasetError(f"Dataset '{name}' not found: {raw} does not exist and hgkit knows "
                           f"no download for it")
    params = inspect.signature(module.load).parameters
    for key, value in (("download", download), ("progress", progress)):
        if key in params:  # loaders that fetch optional files themselves
            options.setdefault(key, value)
    return module.load(name, raw, cache=cache, use_cache=use_cache, **options)


def info(name: str, root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """What hgkit knows about ``name`` without loading it: family, files, sizes, presence."""
    raw = data_root(root) / name / "raw"
    files = known_files(name)
    return {
        "name": name,
        "family": family_of(name, root),
        "raw_dir": str(raw),
        "files": [{"path": f.path, "bytes": f.bytes, "sha256": f.sha256, "url": f.url,
                   "present": (raw / f.path).exists()} for f in files],
    }


def verify(name: str, root: str | os.PathLike[str] | None = None
           ) -> builtins.list[tuple[str, str]]:
    """sha256 of every known file of ``name`` present under ``root``: ``(path, status)`` pairs
    with status ``"ok"``, ``"missing"`` or ``"MISMATCH"``."""
    from hgkit.datasets.base import verify as _verify

    return _verify(name, data_root(root) / name / "raw")
