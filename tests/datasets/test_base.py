"""Tests of the dataset plumbing: roots, downloads, checksums, caches, the registry, the CLI."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from pathlib import Path

import pytest
import torch

from hgkit import datasets
from hgkit.cli import main
from hgkit.datasets import base
from hgkit.datasets.safe_pickle import UnsafePickleError, safe_load, safe_loads

from .conftest import SHARED, require


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- roots
def test_root_argument_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("HGKIT_DATA", "/elsewhere")
    assert base.data_root(tmp_path) == tmp_path


def test_root_env_is_read_at_call_time(monkeypatch, tmp_path):
    monkeypatch.setenv("HGKIT_DATA", str(tmp_path / "a"))
    assert base.data_root() == tmp_path / "a"
    monkeypatch.setenv("HGKIT_DATA", str(tmp_path / "b"))
    assert base.data_root() == tmp_path / "b"


def test_root_default_is_user_cache(monkeypatch):
    monkeypatch.delenv("HGKIT_DATA", raising=False)
    assert base.data_root() == Path.home() / ".cache" / "hgkit" / "datasets"


# ---------------------------------------------------------------- downloads
def test_download_verifies_and_renames_atomically(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"hello hypergraphs")
    dest = tmp_path / "out" / "file.bin"
    base.download(src.as_uri(), dest, sha(b"hello hypergraphs"), progress=False)
    assert dest.read_bytes() == b"hello hypergraphs"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["file.bin"]


def test_download_checksum_mismatch_leaves_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"tampered")
    dest = tmp_path / "out" / "file.bin"
    with pytest.raises(base.DatasetError, match="Checksum mismatch .* the file was not saved"):
        base.download(src.as_uri(), dest, sha(b"original"), progress=False)
    assert list(dest.parent.iterdir()) == []


def test_download_git_blob_check(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc")
    blob = hashlib.sha1(b"blob 3\0abc").hexdigest()
    dest = tmp_path / "file.bin"
    base.download(src.as_uri(), dest, None, progress=False, git_blob=blob)
    assert base.git_blob_file(dest) == blob
    with pytest.raises(base.DatasetError, match="expected git blob"):
        base.download(src.as_uri(), tmp_path / "other.bin", None, progress=False,
                      git_blob="0" * 40)
    assert not (tmp_path / "other.bin").exists()


def test_download_unreachable_url_names_it(tmp_path):
    url = (tmp_path / "does-not-exist").as_uri()
    with pytest.raises(base.DatasetError, match="Could not download .*does-not-exist"):
        base.download(url, tmp_path / "x", None, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == []


def test_ensure_files_downloads_missing_known_files(monkeypatch, tmp_path):
    src = tmp_path / "upstream.txt"
    src.write_bytes(b"1,2\n")
    monkeypatch.setattr(base, "_SOURCES", {"toy": [
        {"path": "a.txt", "url": src.as_uri(), "sha256": sha(b"1,2\n"), "bytes": 4}]})
    raw = tmp_path / "root" / "toy" / "raw"
    base.ensure_files("toy", raw, progress=False)
    assert (raw / "a.txt").read_bytes() == b"1,2\n"


def test_ensure_files_offline_names_the_missing_file_and_url(monkeypatch, tmp_path):
    monkeypatch.setattr(base, "_SOURCES", {"toy": [
        {"path": "a.txt", "url": "https://example.invalid/a.txt", "sha256": "0" * 64}]})
    with pytest.raises(base.DatasetError, match=r"a.txt is missing \(download=False\); "
                                                r"it comes from https://example.invalid/a.txt"):
        base.ensure_files("toy", tmp_path, download_missing=False)


def test_present_files_never_touch_the_network(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    monkeypatch.setattr(base, "_SOURCES", {"toy": [
        {"path": "a.txt", "url": "https://example.invalid/a.txt", "sha256": "0" * 64}]})

    def no_network(*args, **kwargs):
        raise AssertionError("network touched")

    monkeypatch.setattr(base.urllib.request, "urlopen", no_network)
    base.ensure_files("toy", tmp_path)  # present (even with a wrong hash): not re-fetched


def test_verify_reports_ok_missing_and_mismatch(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "b.txt").write_bytes(b"tampered")
    monkeypatch.setattr(base, "_SOURCES", {"toy": [
        {"path": "a.txt", "url": "u", "sha256": sha(b"a")},
        {"path": "b.txt", "url": "u", "sha256": sha(b"b")},
        {"path": "c.txt", "url": "u", "sha256": sha(b"c")}]})
    assert base.verify("toy", tmp_path) == [
        ("a.txt", "ok"), ("b.txt", "MISMATCH"), ("c.txt", "missing")]


def test_every_shared_file_matches_its_pinned_checksum(shared_root):
    for name in datasets.list(shared_root):
        for path, status in datasets.verify(name, shared_root):
            assert status in ("ok", "missing"), f"{name}/{path}: {status}"


def test_source_table_covers_every_shared_dataset(shared_root):
    present = sorted(p.name for p in shared_root.iterdir() if (p / "raw").is_dir())
    assert set(present) <= set(base.known_names())


# ---------------------------------------------------------------- processed cache
def test_load_cached_builds_once_and_reuses(tmp_path):
    raw = tmp_path / "a.txt"
    raw.write_text("1")
    calls = []

    def build():
        calls.append(1)
        return {"x": torch.arange(3), "n": 3, "names": ["a"]}

    first = base.load_cached("toy", {"v": 1}, [raw], build, cache=tmp_path / "c")
    second = base.load_cached("toy", {"v": 1}, [raw], build, cache=tmp_path / "c")
    assert len(calls) == 1 and torch.equal(first["x"], second["x"]) and second["n"] == 3


def test_load_cached_rebuilds_when_options_or_files_change(tmp_path):
    raw = tmp_path / "a.txt"
    raw.write_text("1")
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    base.load_cached("toy", {"v": 1}, [raw], build, cache=tmp_path / "c")
    base.load_cached("toy", {"v": 2}, [raw], build, cache=tmp_path / "c")
    raw.write_text("12")
    base.load_cached("toy", {"v": 1}, [raw], build, cache=tmp_path / "c")
    assert len(calls) == 3


def test_load_cached_recovers_from_a_corrupt_entry(tmp_path):
    raw = tmp_path / "a.txt"
    raw.write_text("1")
    base.load_cached("toy", {}, [raw], lambda: {"n": 1}, cache=tmp_path / "c")
    (entry,) = (tmp_path / "c" / "toy").iterdir()
    entry.write_bytes(b"garbage")
    assert base.load_cached("toy", {}, [raw], lambda: {"n": 2}, cache=tmp_path / "c") == {"n": 2}


def test_use_cache_false_writes_nothing(tmp_path):
    raw = tmp_path / "a.txt"
    raw.write_text("1")
    base.load_cached("toy", {}, [raw], lambda: {"n": 1}, cache=tmp_path / "c", use_cache=False)
    assert not (tmp_path / "c").exists()


def test_open_text_names_a_truncated_gzip(tmp_path):
    import gzip

    path = tmp_path / "x.txt.gz"
    path.write_bytes(gzip.compress(b"1\n2\n3\n" * 1000)[:40])
    with pytest.raises(base.DatasetError, match=r"x.txt.gz is truncated or corrupt"):
        with base.open_text(path) as fh:
            fh.read()


def test_open_text_names_a_missing_file(tmp_path):
    with pytest.raises(base.DatasetError, match=r"Missing file .*nope.txt"):
        with base.open_text(tmp_path / "nope.txt"):
            pass


# ---------------------------------------------------------------- safe unpickling
class _Exploit:
    """Unpickling this would create a marker file through os.system."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_safe_load_refuses_code_execution_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps(_Exploit(marker)))
    with pytest.raises(UnsafePickleError, match=r"evil.pickle: refusing to unpickle .*system"):
        safe_load(path)
    assert not marker.exists()


def test_safe_load_refuses_eval_and_arbitrary_classes():
    with pytest.raises(UnsafePickleError, match="builtins.eval"):
        safe_loads(pickle.dumps(eval))
    with pytest.raises(UnsafePickleError, match=r"test_base._Exploit"):
        safe_loads(pickle.dumps(_Exploit))  # a class reference: refused by name


def test_safe_load_accepts_numpy_and_scipy():
    import numpy as np
    import scipy.sparse as sp

    obj = {"a": np.arange(3, dtype=np.int32), "m": sp.csr_matrix(np.eye(2)), "s": {np.int64(4)}}
    out = safe_loads(pickle.dumps(obj))
    assert out["a"].tolist() == [0, 1, 2] and out["m"].toarray().tolist() == [[1, 0], [0, 1]]


def test_safe_load_names_a_truncated_pickle(tmp_path):
    path = tmp_path / "cut.pickle"
    path.write_bytes(pickle.dumps(list(range(1000)))[:50])
    with pytest.raises(base.DatasetError, match=r"cut.pickle is truncated or not a valid pickle"):
        safe_load(path)


def test_safe_load_reads_the_old_scipy_module_path_without_warnings(recwarn):
    raw = require("allset-cocitation-cora")
    features = safe_load(raw / "features.pickle")
    assert features.shape == (2708, 1433)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


# ---------------------------------------------------------------- registry
def test_list_contains_every_known_dataset_and_root_folders(tmp_path):
    (tmp_path / "my-new-set" / "raw").mkdir(parents=True)
    names = datasets.list(tmp_path)
    assert "allset-cocitation-cora" in names and "tu-MUTAG" in names and "my-new-set" in names


@pytest.mark.parametrize("name, family", [
    ("allset-cocitation-cora", "hypergcn"), ("allset-coauthorship-dblp", "hypergcn"),
    ("scholp-email-Enron", "scholp"), ("shyre-dblp", "shyre"), ("tu-NCI1", "tu"),
])
def test_family_from_prefix(name, family):
    assert datasets.family_of(name) == family


def test_unknown_dataset_error_names_the_folder(tmp_path):
    with pytest.raises(datasets.DatasetError, match="Cannot tell the format of dataset 'nope'"):
        datasets.load("nope", root=tmp_path)


def test_load_rejects_a_bad_name():
    with pytest.raises(TypeError, match="Expected 'name' to be a non-empty str"):
        datasets.load("")


# ---------------------------------------------------------------- CLI
def test_cli_verify_passes_on_shared_and_fails_on_tampering(shared_root, tmp_path, capsys):
    assert main(["datasets", "verify", "--data-root", str(shared_root)]) == 0
    assert "0 mismatched" in capsys.readouterr().out
    shutil.copytree(shared_root / "allset-zoo", tmp_path / "allset-zoo")
    with open(tmp_path / "allset-zoo" / "raw" / "zoo.edges", "a") as fh:
        fh.write("\n")
    assert main(["datasets", "verify", "allset-zoo", "--data-root", str(tmp_path)]) == 1
    assert "MISMATCH: allset-zoo/raw/zoo.edges" in capsys.readouterr().out


def test_cli_info_shows_files_and_presence(shared_root, capsys):
    assert main(["datasets", "info", "allset-cocitation-pubmed", "--data-root",
                 str(shared_root)]) == 0
    out = capsys.readouterr().out
    assert "family: hypergcn" in out and "features.pickle  ?  missing" in out


def test_cli_datasets_without_action_is_a_usage_error(capsys):
    assert main(["datasets"]) == 2
    assert "expected an action" in capsys.readouterr().err


def test_cli_verify_unknown_dataset_is_a_usage_error(tmp_path, capsys):
    assert main(["datasets", "verify", "nope", "--data-root", str(tmp_path)]) == 2
    assert "no checksums known for ['nope']" in capsys.readouterr().err


def test_shared_folder_constant_points_next_to_the_repository():
    assert SHARED.parent.name == "shared"


def test_load_downloads_a_missing_dataset_then_works_offline(monkeypatch, tmp_path):
    """End to end: an empty root, pinned URLs (file:// copies of the shared files), sha256."""
    raw = require("allset-zoo")
    entries = [{"path": f.path, "url": (raw / f.path).as_uri(), "sha256": f.sha256,
                "bytes": f.bytes} for f in base.known_files("allset-zoo")]
    monkeypatch.setattr(base, "_SOURCES", {"allset-zoo": entries})
    root = tmp_path / "root"
    data = datasets.load("allset-zoo", root=root, progress=False)
    assert (data.num_nodes, data.num_edges, data.num_classes) == (101, 43, 7)
    # Only the required files are fetched (the optional legcn-head/ variant is not).
    fetched = sorted(str(p.relative_to(root / "allset-zoo" / "raw"))
                     for p in (root / "allset-zoo" / "raw").rglob("*") if p.is_file())
    assert fetched == ["zoo.content", "zoo.edges"]

    def no_network(*args, **kwargs):
        raise AssertionError("network touched")

    monkeypatch.setattr(base.urllib.request, "urlopen", no_network)
    again = datasets.load("allset-zoo", root=root, use_cache=False)
    assert torch.equal(again.x, data.x)


def test_load_with_download_disabled_names_the_missing_file(tmp_path):
    with pytest.raises(datasets.DatasetError,
                       match=r"allset-zoo.*zoo.*missing \(download=False\)"):
        datasets.load("allset-zoo", root=tmp_path, download=False)
