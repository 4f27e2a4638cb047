"""Dataset plumbing shared by every format family: roots, downloads, checksums, caches.

* **Root**: the ``root`` argument, else the ``HGKIT_DATA`` environment variable (read at call
  time), else ``~/.cache/hgkit/datasets``. A dataset ``NAME`` lives in ``<root>/NAME/raw/`` in its
  upstream layout (the layout of ``../shared/datasets``).
* **Files**: known datasets declare every raw file with its commit-pinned URL and sha256
  (``sources.json``, generated from the datasets' ``SOURCE.md`` by ``tools/make_sources.py``).
  A missing file is downloaded (urllib, progress bar, sha256 verified while streaming, written to
  a temporary file and renamed into place, so a half-written file never appears). Present files
  are used as they are: loading never touches the network.
* **Processed cache**: parsed results are stored as plain tensors with ``torch.save`` under
  ``<cache>/<NAME>/<key>.pt`` (``cache_dir`` argument, else ``HGKIT_CACHE``, else
  ``~/.cache/hgkit/processed``) and read back with ``torch.load(weights_only=True)``. The key
  covers the loader's version, its options and the size and modification time of every raw
  file, so a changed file is re-parsed. The data root itself is never written to except by
  downloads.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import torch

__all__ = [
    "DatasetError",
    "RemoteFile",
    "cache_dir",
    "data_root",
    "download",
    "ensure_files",
    "known_files",
    "load_cached",
    "open_text",
    "git_blob_file",
    "sha256_file",
    "verify",
]

_CHUNK = 1 << 20


class DatasetError(RuntimeError):
    """A dataset cannot be loaded: missing or corrupt file, malformed content, bad checksum."""


@dataclass(frozen=True)
class RemoteFile:
    """One raw file of a dataset: its path under ``raw/``, pinned URL, hash and size.

    ``sha256`` is the file's sha256; for the few files only known by their git blob hash
    (too large to stage), ``sha256`` is ``None`` and ``git_blob`` holds
    ``sha1("blob <size>\\0" + content)``.
    """

    path: str
    url: str
    sha256: str | None
    bytes: int | None = None
    git_blob: str | None = None


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The data root: ``root``, else ``$HGKIT_DATA``, else ``~/.cache/hgkit/datasets``."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get("HGKIT_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "hgkit" / "datasets"


def cache_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """The processed-cache root: ``cache``, else ``$HGKIT_CACHE``, else
    ``~/.cache/hgkit/processed``."""
    if cache is not None:
        return Path(cache).expanduser()
    env = os.environ.get("HGKIT_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "hgkit" / "processed"


_SOURCES: dict[str, list[dict[str, Any]]] | None = None


def known_files(name: str) -> list[RemoteFile]:
    """The pinned raw files of a known dataset (empty for a dataset hgkit has never seen)."""
    global _SOURCES
    if _SOURCES is None:
        text = resources.files("hgkit.datasets").joinpath("sources.json").read_text()
        _SOURCES = json.loads(text)
    return [RemoteFile(f["path"], f["url"], f["sha256"], f.get("bytes"), f.get("git_blob"))
            for f in _SOURCES.get(name, [])]


def known_names() -> list[str]:
    """Names of the datasets whose files and checksums ship with hgkit."""
    known_files("")  # load the table
    assert _SOURCES is not None
    return sorted(_SOURCES)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def git_blob_file(path: str | os.PathLike[str]) -> str:
    """Git's blob hash of a file: ``sha1(b"blob <size>\\0" + content)``."""
    digest = hashlib.sha1(f"blob {os.path.getsize(path)}\0".encode())  # noqa: S324
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _matches(path: Path, remote: RemoteFile) -> bool:
    if remote.sha256 is not None:
        return sha256_file(path) == remote.sha256
    if remote.git_blob is not None:
        return git_blob_file(path) == remote.git_blob
    return True


def download(url: str, dest: str | os.PathLike[str], sha256: str | None = None,
             progress: bool = True, timeout: float = 60.0, git_blob: str | None = None
             ) -> Path:
    """Download ``url`` to ``dest`` atomically, verifying ``sha256`` (or ``git_blob``).

    The bytes go to a temporary file next to ``dest``, which is renamed into place only after
    the checksum matched; on any error the temporary file is removed and ``dest`` is untouched.

    Raises:
        DatasetError: on a network error or a checksum mismatch.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310
            except OSError as exc:
                raise DatasetError(f"Could not download {url} to {dest}: {exc}") from None
            with response:
                total = response.headers.get("Content-Length")
                bar = _progress(total=int(total) if total else None, desc=dest.name,
                                enabled=progress)
                with bar:
                    for block in iter(lambda: response.read(_CHUNK), b""):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
        if sha256 is not None and digest.hexdigest() != sha256:
            raise DatasetError(
                f"Checksum mismatch for {url}: expected sha256 {sha256}, got "
                f"{digest.hexdigest()}; the file was not saved"
            )
        if sha256 is None and git_blob is not None and git_blob_file(tmp) != git_blob:
            raise DatasetError(
                f"Checksum mismatch for {url}: expected git blob {git_blob}, got "
                f"{git_blob_file(tmp)}; the file was not saved"
            )
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest


def _progress(total: int | None, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not enabled)


def ensure_files(name: str, raw_dir: Path, required: list[str] | None = None,
                 download_missing: bool = True, progress: bool = True) -> None:
    """Make sure the ``required`` raw files (default: all known files) exist in ``raw_dir``.

    Present files are never re-downloaded or re-hashed here (use :func:`verify`). Missing known
    files are downloaded when ``download_missing``; otherwise, or for a file with no known URL,
    a :class:`DatasetError` names the file and where it comes from.
    """
    files = {f.path: f for f in known_files(name)}
    wanted = required if required is not None else sorted(files)
    for rel in wanted:
        path = raw_dir / rel
        if path.exists():
            continue
        remote = files.get(rel)
        if remote is None:
            raise DatasetError(f"Dataset '{name}': required file {path} is missing and hgkit "
                               f"knows no URL for it")
        if not download_missing:
            raise DatasetError(f"Dataset '{name}': file {path} is missing (download=False); "
                               f"it comes from {remote.url}")
        download(remote.url, path, remote.sha256, progress=progress, git_blob=remote.git_blob)


def verify(name: str, raw_dir: Path) -> list[tuple[str, str]]:
    """Check the sha256 of every known file present in ``raw_dir``.

    Returns:
        ``(path, status)`` pairs with status ``"ok"``, ``"missing"`` or ``"MISMATCH"``.
    """
    out = []
    for remote in known_files(name):
        path = raw_dir / remote.path
        if not path.exists():
            out.append((remote.path, "missing"))
        else:
            out.append((remote.path, "ok" if _matches(path, remote) else "MISMATCH"))
    return out


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[io.TextIOBase]:
    """Open a text file, transparently decompressing ``.gz``; errors name the file."""
    try:
        if path.suffix == ".gz":
            fh: Any = gzip.open(path, "rt", encoding="utf-8", errors="replace")
        else:
            fh = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DatasetError(f"Missing file {path}") from None
    with fh:
        try:
            yield fh
        except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
            raise DatasetError(f"{path} is truncated or corrupt: {exc}") from None


def _fingerprint(files: list[Path]) -> list[tuple[str, int, int]]:
    out = []
    for path in sorted(files):
        st = path.stat()
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return out


def load_cached(name: str, key: dict[str, Any], files: list[Path],
                build: Callable[[], dict[str, Any]], cache: str | os.PathLike[str] | None = None,
                use_cache: bool = True) -> dict[str, Any]:
    """Return ``build()``'s result (a dict of tensors / ints / strings / lists / dicts),
    cached on disk under the processed-cache root.

    Args:
        name: dataset name (a sub-folder of the cache).
        key: everything that determines the result besides the raw files (loader version,
            options); together with the files' sizes and mtimes it forms the cache key.
        files: the raw files the result is parsed from.
        build: parses the raw files.
        cache: cache root (see :func:`cache_dir`).
        use_cache: ``False`` always parses and writes nothing.
    """
    if not use_cache:
        return build()
    blob = json.dumps({"key": key, "files": _fingerprint(files),
                       "raw": str(Path(files[0]).parent.resolve()) if files else ""},
                      sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:20]
    path = cache_dir(cache) / name / f"{digest}.pt"
    if path.exists():
        try:
            return torch.load(path, weights_only=True)
        except Exception:  # noqa: BLE001 - a corrupt cache entry is rebuilt
            pass
    result = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        torch.save(result, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return result
