"""Tests for hgkit.datasets.hypergcn: HyperGCN pickles (co-citation / co-authorship).

Real-data counts are those of each dataset's SOURCE.md "Verified counts": hyperedges are the
dict entries of hypergraph.pickle, duplicates kept and no self-loops (the loader's defaults).
"""

from __future__ import annotations

import os
import pickle
import secrets
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import hgkit.datasets as D
from hgkit.datasets import base, hypergcn
from hgkit.datasets.base import DatasetError
from hgkit.datasets.safe_pickle import UnsafePickleError, safe_load

from .conftest import SHARED, require

PROPERTY = settings(max_examples=50, deadline=None)
URL = ("https://raw.githubusercontent.com/malllabiisc/HyperGCN/"
       "de049387d8d8c9fe6ebab83cb4b49cacfd4ed534")

# name: nodes, hyperedges, classes, feature dim (None: file not staged), isolated, duplicates,
#       train size per split
COUNTS = {
    "allset-cocitation-cora": (2708, 1579, 7, 1433, 1274, 96, 140),
    "allset-cocitation-citeseer": (3312, 1079, 6, 3703, 1854, 75, 138),
    "allset-cocitation-pubmed": (19717, 7963, 3, None, 15877, 432, 78),
    "allset-coauthorship-cora": (2708, 1072, 7, 1433, 320, 102, 140),
    "allset-coauthorship-dblp": (41302, 22363, 6, None, 0, 1498, 1740),
}


def write(path: Path, obj: object, protocol: int = 4) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(obj, protocol=protocol))


def toy(raw: Path, hyperedges: dict, labels: list[int], features=None, splits=None) -> Path:
    """A tiny HyperGCN folder written with the stdlib pickler."""
    write(raw / "hypergraph.pickle", hyperedges)
    write(raw / "labels.pickle", labels)
    if features is not None:
        write(raw / "features.pickle", sp.csr_matrix(np.asarray(features, dtype=np.float32)))
    for k, split in (splits or {}).items():
        write(raw / "splits" / f"{k}.pickle", split)
    return raw


def copy_raw(src: Path, dst: Path, skip: tuple[str, ...] = ()) -> Path:
    """Copy a raw folder file by file (writable copies; the shared tree is read-only)."""
    for path in src.rglob("*"):
        if path.is_file() and path.name not in skip:
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dst


# ---------------------------------------------------------------------- real datasets
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_dataset_counts(name):
    require(name)
    n, m, c, f, isolated, dups, train = COUNTS[name]
    data = D.load(name, root=SHARED, download=False, features=f is not None)
    assert (data.num_nodes, data.num_edges, data.num_classes) == (n, m, c)
    assert data.y.unique().tolist() == list(range(c))
    assert data.num_features == (f or 0) and (data.x is None) == (f is None)
    if f is not None:
        assert data.x.dtype == torch.float32 and data.x.shape == (n, f)
    assert int((data.hypergraph.node_count == 0).sum()) == isolated
    assert data.metadata["num_isolated_nodes"] == isolated
    assert data.metadata["num_duplicate_edges"] == dups
    assert int(data.hypergraph.edge_size.min()) >= 2  # SOURCE.md: no singleton hyperedges
    assert len(data.splits) == 10
    for split in data.splits:
        assert set(split) == {"train", "test"}
        assert split["train"].numel() == train and split["test"].numel() == n - train


def test_cora_features_match_the_pickle():
    raw = require("allset-cocitation-cora")
    data = D.load("allset-cocitation-cora", root=SHARED, download=False)
    ref = safe_load(raw / "features.pickle").toarray()
    torch.testing.assert_close(data.x, torch.from_numpy(ref))


def test_splits_follow_numeric_order_of_the_file_names():
    raw = require("allset-cocitation-cora")
    data = D.load("allset-cocitation-cora", root=SHARED, download=False, features=False)
    assert data.metadata["splits"] == [f"splits/{k}.pickle" for k in range(1, 11)]
    ten = safe_load(raw / "splits" / "10.pickle")
    assert data.splits[9]["test"].tolist() == [int(i) for i in ten["test"]]
    assert data.splits[1]["train"].tolist() != data.splits[9]["train"].tolist()


@pytest.mark.parametrize("name", ["allset-cocitation-pubmed", "allset-coauthorship-dblp"])
def test_missing_features_offline_names_file_url_and_the_way_out(name):
    raw = require(name)
    assert not (raw / "features.pickle").exists()
    folder = name.removeprefix("allset-").replace("-", "/")
    with pytest.raises(DatasetError) as info:
        D.load(name, root=SHARED, download=False)
    msg = str(info.value)
    assert "features.pickle" in msg and "download=False" in msg and "features=False" in msg
    assert f"{URL}/data/{folder}/features.pickle" in msg


def test_missing_features_are_downloaded_when_allowed(tmp_path, monkeypatch):
    name = "allset-cocitation-pubmed"
    copy_raw(require(name), tmp_path / name / "raw")
    calls = []

    def fake_download(url, dest, sha256=None, progress=True, git_blob=None, **kw):
        calls.append((url, progress))
        write(Path(dest), sp.csr_matrix(np.ones((19717, 3), dtype=np.float32)))
        return Path(dest)

    monkeypatch.setattr(base, "download", fake_download)
    data = D.load(name, root=tmp_path, progress=False)
    assert calls == [(f"{URL}/data/cocitation/pubmed/features.pickle", False)]
    assert data.x.shape == (19717, 3)


def test_failed_download_says_features_false_works(tmp_path, monkeypatch):
    name = "allset-coauthorship-dblp"
    copy_raw(require(name), tmp_path / name / "raw")

    def offline(url, dest, *args, **kwargs):
        raise DatasetError(f"Could not download {url} to {dest}: network unreachable")

    monkeypatch.setattr(base, "download", offline)
    with pytest.raises(DatasetError, match=r"features\.pickle.*could not be downloaded.*"
                                           r"network unreachable.*features=False"):
        D.load(name, root=tmp_path)


# ---------------------------------------------------------------------- any folder
def test_copied_and_renamed_folder_loads_the_same(tmp_path):
    copy_raw(require("allset-cocitation-cora"), tmp_path / "my-cites" / "raw")
    assert D.family_of("my-cites", root=tmp_path) == "hypergcn"
    mine = D.load("my-cites", root=tmp_path)
    ref = D.load("allset-cocitation-cora", root=SHARED, download=False)
    assert mine.hypergraph == ref.hypergraph
    assert torch.equal(mine.x, ref.x) and torch.equal(mine.y, ref.y)
    assert all(torch.equal(a["test"], b["test"])
               for a, b in zip(mine.splits, ref.splits, strict=True))


def test_unknown_folder_without_features_has_no_url(tmp_path):
    copy_raw(require("allset-coauthorship-cora"), tmp_path / "coauth" / "raw",
             skip=("features.pickle",))
    with pytest.raises(DatasetError, match=r"features\.pickle is missing and hgkit knows no "
                                           r"URL.*features=False"):
        D.load("coauth", root=tmp_path)
    assert D.load("coauth", root=tmp_path, features=False).num_edges == 1072


def test_python2_protocol2_pickles_load():
    raw = require("allset-coauthorship-cora")
    assert (raw / "hypergraph.pickle").read_bytes()[:2] == b"\x80\x02"
    data = D.load("allset-coauthorship-cora", root=SHARED, download=False, features=False)
    assert data.num_edges == 1072


# ---------------------------------------------------------------------- parsing semantics
def test_only_values_are_used_and_dict_order_is_kept(tmp_path):
    raw = toy(tmp_path, {"zed": [3, 1], 7: {0, 2}, "alpha": (1,)}, [0, 1, 0, 2])
    data = hypergcn.load("toy", raw, features=False, use_cache=False)
    assert data.hypergraph.edges() == [[1, 3], [0, 2], [1]]
    assert data.num_classes == 3 and data.x is None


def test_numpy_keys_and_members_load(tmp_path):
    hyper = {np.int32(5): {np.int32(0), np.int32(1)}, np.int32(2): {np.int32(1), np.int32(2)}}
    raw = toy(tmp_path, hyper, [np.int64(0), np.int64(1), np.int64(1)])
    data = hypergcn.load("toy", raw, features=False, use_cache=False)
    assert data.hypergraph.edges() == [[0, 1], [1, 2]] and data.y.dtype == torch.int64


def test_a_node_listed_twice_in_one_hyperedge_counts_once(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1, 0], "b": [2]}, [0, 0, 1])
    hg = hypergcn.load("toy", raw, features=False, use_cache=False).hypergraph
    assert hg.edges() == [[0, 1], [2]] and hg.nnz == 3


def test_empty_hyperedge_and_isolated_node_are_kept(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1], "b": []}, [0, 1, 1])
    data = hypergcn.load("toy", raw, features=False, use_cache=False)
    assert data.num_edges == 2 and data.hypergraph.edge_size.tolist() == [2, 0]
    assert data.metadata["num_isolated_nodes"] == 1


def test_features_become_dense_float32(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1]}, [0, 1], features=[[0, 2.5], [1, 0]])
    x = hypergcn.load("toy", raw, use_cache=False).x
    assert x.dtype == torch.float32
    torch.testing.assert_close(x, torch.tensor([[0, 2.5], [1, 0]]))


def test_split_files_sort_numerically(tmp_path):
    splits = {k: {"train": [k % 3], "test": []} for k in (10, 2, 1)}
    raw = toy(tmp_path, {"a": [0]}, [0, 1, 0], splits=splits)
    data = hypergcn.load("toy", raw, features=False, use_cache=False)
    assert [s["train"].tolist() for s in data.splits] == [[1], [2], [1]]
    assert data.metadata["splits"] == ["splits/1.pickle", "splits/2.pickle", "splits/10.pickle"]


def test_folder_without_splits_has_none(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1]}, [0, 1])
    assert hypergcn.load("toy", raw, features=False, use_cache=False).splits == []


@PROPERTY
@given(st.lists(st.lists(st.integers(0, 7), max_size=5), max_size=6))
def test_hyperedges_are_the_sets_of_the_values(members):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        raw = toy(Path(tmp), {f"k{i}": v for i, v in enumerate(members)}, [0] * 8)
        hg = hypergcn.load("toy", raw, features=False, use_cache=False).hypergraph
    assert hg.edges() == [sorted(set(v)) for v in members]
    assert hg.num_nodes == 8 and hg.num_edges == len(members)


# ---------------------------------------------------------------------- switches
def test_dedup_drops_repeated_node_sets():
    name = "allset-cocitation-cora"
    require(name)
    data = D.load(name, root=SHARED, download=False, features=False, dedup=True)
    assert data.num_edges == 1579 - 96
    assert data.metadata["dedup"] is True and data.metadata["num_duplicate_edges"] == 96


def test_self_loops_add_one_singleton_per_node_the_edhnn_protocol():
    name = "allset-cocitation-cora"
    require(name)
    data = D.load(name, root=SHARED, download=False, features=False, self_loops=True)
    assert data.num_edges == 1579 + 2708
    assert int(data.hypergraph.node_count.min()) == 1  # no isolated node left
    assert int((data.hypergraph.edge_size == 1).sum()) == 2708
    both = D.load(name, root=SHARED, download=False, features=False, self_loops=True,
                  dedup=True)
    assert both.num_edges == 1579 - 96 + 2708


def test_self_loops_skip_nodes_that_already_have_one(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1], "b": [1]}, [0, 0, 1])
    hg = hypergcn.load("toy", raw, features=False, self_loops=True, use_cache=False).hypergraph
    assert hg.edges() == [[0, 1], [1], [0], [2]]


def test_dedup_keeps_the_first_copy(tmp_path):
    raw = toy(tmp_path, {"a": [1, 0], "b": [2], "c": {0, 1}}, [0, 0, 1])
    data = hypergcn.load("toy", raw, features=False, dedup=True, use_cache=False)
    assert data.hypergraph.edges() == [[0, 1], [2]]
    assert data.metadata["num_duplicate_edges"] == 1


# ---------------------------------------------------------------------- errors
def test_truncated_pickle_names_the_file(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1]}, [0, 1])
    data = (raw / "labels.pickle").read_bytes()
    (raw / "labels.pickle").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"labels\.pickle is truncated or not a valid"):
        hypergcn.load("toy", raw, features=False, use_cache=False)


def test_missing_hypergraph_names_the_file(tmp_path):
    raw = toy(tmp_path, {"a": [0, 1]}, [0, 1])
    (raw / "hypergraph.pickle").unlink()
    with pytest.raises(DatasetError, match=r"Missing file .*hypergraph\.pickle"):
        hypergcn.load("toy", raw, features=False, use_cache=False)


def test_node_id_out_of_range_names_file_and_id(tmp_path):
    raw = toy(tmp_path, {"a": [0, 5]}, [0, 1, 1])
    with pytest.raises(DatasetError, match=r"hypergraph\.pickle: a hyperedge holds node id 5, "
                                           r"outside \[0, 3\)"):
        hypergcn.load("toy", raw, features=False, use_cache=False)


@pytest.mark.parametrize("hyper, expected", [
    ([[0, 1]], r"expected a dict of hyperedges \(got list\)"),
    ({"a": 3}, r"expected every hyperedge .* set or list of integer node ids"),
    ({"a": ["x"]}, r"expected every hyperedge .* set or list of integer node ids"),
    ({"a": [0.5]}, r"expected integer node ids \(found 0\.5\)"),
])
def test_malformed_hypergraph_pickle(tmp_path, hyper, expected):
    raw = toy(tmp_path, hyper, [0, 1])
    with pytest.raises(DatasetError, match=r"hypergraph\.pickle: " + expected):
        hypergcn.load("toy", raw, features=False, use_cache=False)


def test_malformed_labels_and_splits(tmp_path):
    raw = toy(tmp_path, {"a": [0]}, ["cat", "dog"])
    with pytest.raises(DatasetError, match=r"labels\.pickle: expected the labels to be a list "
                                           r"of integers"):
        hypergcn.load("toy", raw, features=False, use_cache=False)
    raw = toy(tmp_path, {"a": [0]}, [0, 1], splits={1: {"train": [0]}})
    with pytest.raises(DatasetError, match=r"1\.pickle: expected a dict with keys 'train' and "
                                           r"'test' \(got \['train'\]\)"):
        hypergcn.load("toy", raw, features=False, use_cache=False)
    raw = toy(tmp_path, {"a": [0]}, [0, 1], splits={1: {"train": [0], "test": [2]}})
    with pytest.raises(DatasetError, match=r"1\.pickle: 'test' holds node id 2"):
        hypergcn.load("toy", raw, features=False, use_cache=False)


def test_feature_rows_must_match_labels(tmp_path):
    raw = toy(tmp_path, {"a": [0]}, [0, 1, 1], features=[[1.0], [0.0]])
    with pytest.raises(DatasetError, match=r"features\.pickle: has 2 rows but labels\.pickle "
                                           r"has 3 nodes"):
        hypergcn.load("toy", raw, use_cache=False)


def test_bad_options_are_type_errors(tmp_path):
    raw = toy(tmp_path / "toyset" / "raw", {"a": [0]}, [0])
    with pytest.raises(TypeError, match=r"'features' to be True, False or 'auto' \(got 'yes'\)"):
        hypergcn.load("toy", raw, features="yes")
    with pytest.raises(TypeError, match=r"'dedup' to be a bool \(got int\)"):
        hypergcn.load("toy", raw, dedup=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'selfloops'"):
        D.load("toyset", root=tmp_path, selfloops=True)


# ---------------------------------------------------------------------- security
class _System:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Eval:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({self.marker!r}, 'w').close()",))


@pytest.mark.parametrize("payload", [_System, _Eval])
def test_malicious_pickle_is_refused_before_it_runs(tmp_path, payload):
    marker = tmp_path / f"pwned_{secrets.token_hex(8)}"
    raw = copy_raw(require("allset-cocitation-cora"), tmp_path / "evil-cora" / "raw")
    write(raw / "hypergraph.pickle", {"a": payload(str(marker))})
    with pytest.raises(UnsafePickleError, match=r"hypergraph\.pickle.*refusing to unpickle"):
        D.load("evil-cora", root=tmp_path)
    assert not marker.exists()


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    raw = toy(tmp_path / "raw", {"a": [0, 1]}, [0, 1], features=[[1.0], [2.0]],
              splits={1: {"train": [0], "test": [1]}})
    first = hypergcn.load("toy", raw)
    assert list((base.cache_dir() / "toy").glob("*.pt"))

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(hypergcn, "_build", boom)
    again = hypergcn.load("toy", raw)
    assert again.hypergraph == first.hypergraph and torch.equal(again.x, first.x)
    assert again.splits[0]["test"].tolist() == [1] and again.metadata == first.metadata
    with pytest.raises(AssertionError, match="parsed again"):
        hypergcn.load("toy", raw, dedup=True)  # other switches: another cache entry
    with pytest.raises(AssertionError, match="parsed again"):
        hypergcn.load("toy", raw, features=False, use_cache=False)
