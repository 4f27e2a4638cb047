"""TU graph-classification archives (<D>.zip, read in memory) and EHGNN's 10-fold indices."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import torch

from hgkit import datasets
from hgkit.datasets import DatasetError, GraphDataset, tu
from hgkit.datasets.base import RemoteFile
from hgkit.hypergraph.transforms import dht, dht_inverse

from .conftest import SHARED, require

# Two graphs: a path 1-2-3 (label -1) and an edge 4-5 (label 1), PTC_MR-like layout with the
# doubled slash of the upstream archives.
TOY = {
    "A": "1, 2\n2, 1\n2, 3\n3, 2\n4, 5\n5, 4\n",
    "graph_indicator": "1\n1\n1\n2\n2\n",
    "graph_labels": "-1\n1\n",
}


def make_zip(raw: Path, prefix: str = "PTC_MR", zip_name: str | None = None,
             extra: dict[str, str] | None = None, **kinds: str | None) -> Path:
    """Write ``raw/<zip_name or prefix>.zip`` with members ``<prefix>//<prefix>_<kind>.txt``;
    ``kinds`` override / add members (``None`` removes one), ``extra`` adds raw members."""
    raw.mkdir(parents=True, exist_ok=True)
    members = {**TOY, **kinds}
    path = raw / f"{zip_name or prefix}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for kind, text in members.items():
            if text is not None:
                zf.writestr(f"{prefix}//{prefix}_{kind}.txt", text)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return path


def write_folds(raw: Path, folds: dict[int, tuple[str, str]]) -> Path:
    folder = raw / "ehgnn" / "10fold_idx"
    folder.mkdir(parents=True, exist_ok=True)
    for k, (train, test) in folds.items():
        (folder / f"train_idx-{k}.txt").write_text(train)
        (folder / f"test_idx-{k}.txt").write_text(test)
    return folder


# ---------------------------------------------------------------------- real datasets
# From each SOURCE.md "Verified counts". edges = _A.txt lines (directed edges, both directions
# of every undirected edge; coalesce=False keeps exactly these). x_dim = node attribute dim +
# number of node label values (one-hot), or the one-hot degree for IMDB-BINARY.
REAL = {
    # name: (graphs, nodes, _A lines, classes, raw labels, x_dim, edge_attr_dim, folds)
    "tu-MUTAG": (188, 3371, 7442, 2, [-1, 1], 7, 4, 10),
    "tu-PROTEINS": (1113, 43471, 162088, 2, [1, 2], 1 + 3, None, 10),
    "tu-IMDB-BINARY": (1000, 19773, 386124, 2, [0, 1], 136, None, 10),
    "tu-NCI1": (4110, 122747, 265506, 2, [0, 1], 37, None, 0),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_dataset_counts(name, shared_root):
    require(name)
    graphs, nodes, lines, classes, raw_labels, x_dim, e_dim, num_folds = REAL[name]
    data = datasets.load(name, root=SHARED, download=False, coalesce=False)
    assert isinstance(data, GraphDataset)
    assert (data.num_graphs, data.num_nodes, data.edge_index.size(1)) == (graphs, nodes, lines)
    assert data.num_classes == classes and data.metadata["label_values"] == raw_labels
    assert sorted(data.y.unique().tolist()) == list(range(classes))
    assert bool((data.batch[1:] >= data.batch[:-1]).all())
    assert len(data.folds) == num_folds
    assert (None if data.edge_attr is None else data.edge_attr.size(1)) == e_dim
    if name != "tu-IMDB-BINARY":  # IMDB's degree features depend on coalescing (below)
        assert data.x.shape == (nodes, x_dim) and data.x.dtype == torch.float32


def test_real_imdb_binary_lists_every_edge_twice(shared_root):
    require("tu-IMDB-BINARY")
    data = datasets.load("tu-IMDB-BINARY", root=SHARED, download=False)  # coalesce=True
    assert data.edge_index.size(1) == 386124 // 2
    assert data.metadata["duplicate_edges_merged"] == 386124 // 2
    # EHGNN / PyG: no node features -> one-hot degree, max degree 135 -> 136 columns
    assert data.x.shape == (19773, 136)
    assert "one-hot degree (max degree 135" in data.metadata["node_features_used"]
    assert torch.equal(data.x.argmax(1), torch.bincount(data.edge_index[0], minlength=19773))


def test_real_node_label_one_hot_counts(shared_root):
    require("tu-PROTEINS")
    data = datasets.load("tu-PROTEINS", root=SHARED, download=False)
    assert data.metadata["node_features_used"] == "node_attributes[1] + node_labels one-hot[3]"
    assert torch.equal(data.x[:, 1:].sum(1), torch.ones(43471))  # exactly one label per node


@pytest.mark.parametrize("name", ["tu-MUTAG", "tu-PROTEINS", "tu-IMDB-BINARY"])
def test_real_folds_match_the_files(name, shared_root):
    raw = require(name)
    data = datasets.load(name, root=SHARED, download=False)
    for k, fold in enumerate(data.folds, start=1):
        for split in ("train", "test"):
            text = (raw / "ehgnn" / "10fold_idx" / f"{split}_idx-{k}.txt").read_text()
            assert fold[split].tolist() == [int(v) for v in text.split()]
        both = torch.cat([fold["train"], fold["test"]]).sort().values
        assert torch.equal(both, torch.arange(data.num_graphs))  # disjoint, covering


@pytest.mark.parametrize("name", sorted(REAL))
def test_dht_round_trip_on_every_graph(name, shared_root):
    require(name)
    data = datasets.load(name, root=SHARED, download=False)
    dual, edge_batch = dht(data.edge_index, data.num_nodes, batch=data.batch)
    assert (dual.num_nodes, dual.num_edges) == (data.edge_index.size(1), data.num_nodes)
    edge_index, num_nodes, _, _ = dht_inverse(dual)
    assert num_nodes == data.num_nodes and torch.equal(edge_index, data.edge_index)
    # every dual node stays inside its graph: the batched dual is the union of per-graph duals
    assert torch.equal(edge_batch, data.batch[data.edge_index[1]])
    counts = torch.bincount(edge_batch, minlength=data.num_graphs)
    assert int(counts.sum()) == data.edge_index.size(1)


# ---------------------------------------------------------------------- format details
def test_toy_archive_ptc_mr_layout(tmp_path):
    make_zip(tmp_path / "raw", node_labels="2\n3\n2\n4\n2\n",
             edge_labels="0\n0\n1\n1\n0\n0\n")
    data = tu.load("toy", tmp_path / "raw", use_cache=False, coalesce=False)
    assert data.edge_index.tolist() == [[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]]
    assert data.batch.tolist() == [0, 0, 0, 1, 1]
    assert data.y.tolist() == [0, 1] and data.metadata["label_values"] == [-1, 1]
    expected_x = torch.tensor([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0.]])
    torch.testing.assert_close(data.x, expected_x)
    torch.testing.assert_close(data.edge_attr, torch.tensor([[1, 0], [1, 0], [0, 1], [0, 1],
                                                             [1, 0], [1, 0.]]))
    assert data.folds == []
    assert data.graph(1)["edge_index"].tolist() == [[0, 1], [1, 0]]


def test_comma_without_space_separator(tmp_path):
    make_zip(tmp_path / "raw", prefix="NCI1", A="1,2\n2,1\n2,3\n3,2\n4,5\n5,4\n")
    data = tu.load("toy", tmp_path / "raw", use_cache=False)
    assert data.edge_index.size(1) == 6 and data.num_graphs == 2


def test_attributes_come_before_one_hot_labels(tmp_path):
    make_zip(tmp_path / "raw", node_labels="1\n1\n2\n1\n2\n",
             node_attributes=" 0.5, 1\n1.5, 2\n2.5, 3\n3.5, 4\n4.5, 5\n")
    data = tu.load("toy", tmp_path / "raw", use_cache=False)
    assert data.x.tolist()[:3] == [[0.5, 1, 1, 0], [1.5, 2, 1, 0], [2.5, 3, 0, 1]]
    assert data.metadata["node_features_used"] == ("node_attributes[2] + "
                                                   "node_labels one-hot[2]")


def test_extra_members_and_zip_name_do_not_matter(tmp_path):
    make_zip(tmp_path / "raw", prefix="PROTEINS", zip_name="renamed",
             extra={"PROTEINS//README.txt~": "backup", "PROTEINS//README.txt": "readme"})
    data = tu.load("anything", tmp_path / "raw", use_cache=False)
    assert data.num_graphs == 2 and data.metadata["zip"] == "renamed.zip"


def test_folds_are_read_in_numeric_order(tmp_path):
    make_zip(tmp_path / "raw")
    write_folds(tmp_path / "raw", {k: ("0\n", "1\n") if k != 10 else ("1\n", "0\n")
                                   for k in range(1, 11)})
    data = tu.load("toy", tmp_path / "raw", use_cache=False)
    assert len(data.folds) == 10
    assert data.folds[9]["test"].tolist() == [0] and data.folds[1]["test"].tolist() == [1]
    assert data.folds[0]["train"].dtype == torch.int64


# ---------------------------------------------------------------------- options
def test_coalesce_removes_self_loops_and_merges_duplicates(tmp_path):
    make_zip(tmp_path / "raw", A="2, 1\n1, 2\n1, 2\n3, 3\n4, 5\n5, 4\n",
             edge_labels="0\n1\n1\n0\n0\n0\n")
    raw = tmp_path / "raw"
    kept = tu.load("toy", raw, use_cache=False, coalesce=False)
    merged = tu.load("toy", raw, use_cache=False)
    assert kept.edge_index.size(1) == 6
    assert merged.edge_index.tolist() == [[0, 1, 3, 4], [1, 0, 4, 3]]  # sorted by (row, col)
    # the two copies of 1 -> 2 sum their one-hot edge labels, as PyG's coalesce does
    assert merged.edge_attr.tolist() == [[0, 2], [1, 0], [1, 0], [1, 0]]
    assert (merged.metadata["self_loops_removed"], merged.metadata["duplicate_edges_merged"]) \
        == (1, 1)


def test_degree_features_when_no_labels_or_attributes(tmp_path):
    make_zip(tmp_path / "raw")
    data = tu.load("toy", tmp_path / "raw", use_cache=False)
    assert data.x.tolist() == [[0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert data.metadata["node_features_used"].startswith("one-hot degree (max degree 2")


def test_standardized_degree_above_the_one_hot_limit(tmp_path, monkeypatch):
    make_zip(tmp_path / "raw")
    monkeypatch.setattr(tu, "ONEHOT_DEGREE_LIMIT", 2)
    data = tu.load("toy", tmp_path / "raw", use_cache=False)
    deg = torch.tensor([1.0, 2, 1, 1, 1])
    torch.testing.assert_close(data.x, ((deg - deg.mean()) / deg.std()).view(-1, 1))
    assert data.metadata["node_features_used"].startswith("standardized degree")


def test_node_and_edge_feature_switches(tmp_path):
    make_zip(tmp_path / "raw", node_labels="1\n1\n2\n1\n2\n", edge_labels="0\n0\n1\n1\n0\n0\n")
    raw = tmp_path / "raw"
    assert tu.load("toy", raw, use_cache=False, node_features="none").x is None
    degree = tu.load("toy", raw, use_cache=False, node_features="degree")
    assert degree.x.shape == (5, 3) and degree.metadata["node_features"] == "degree"
    assert tu.load("toy", raw, use_cache=False, edge_features="none").edge_attr is None


def test_bad_options_are_rejected(tmp_path):
    make_zip(tmp_path / "raw")
    raw = tmp_path / "raw"
    with pytest.raises(TypeError, match="Unknown option 'use_node_attr'"):
        tu.load("toy", raw, use_node_attr=True)
    with pytest.raises(ValueError, match=r"'node_features' to be one of .*\(got 'onehot'\)"):
        tu.load("toy", raw, node_features="onehot")
    with pytest.raises(TypeError, match="'coalesce' to be a bool"):
        tu.load("toy", raw, coalesce="yes")


# ---------------------------------------------------------------------- errors
def test_malformed_line_names_member_and_line(tmp_path):
    make_zip(tmp_path / "raw", A="1, 2\n2, 1\n2; 3\n")
    with pytest.raises(DatasetError, match=r"PTC_MR\.zip:PTC_MR//PTC_MR_A\.txt, line 3: "
                                           r"expected integers \(got '2; 3'\)"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_wrong_number_of_values_on_a_line(tmp_path):
    make_zip(tmp_path / "raw", A="1, 2\n2, 1, 3\n")
    with pytest.raises(DatasetError, match=r"_A\.txt, line 2: expected 2 comma-separated"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_node_id_out_of_range(tmp_path):
    make_zip(tmp_path / "raw", A="1, 2\n2, 6\n")
    with pytest.raises(DatasetError, match=r"line 2: node id 6 is outside 1\.\.5"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_edge_between_two_graphs(tmp_path):
    make_zip(tmp_path / "raw", A="1, 2\n3, 4\n")
    with pytest.raises(DatasetError, match=r"line 2: edge 3, 4 joins graphs 1 and 2"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_unsorted_graph_indicator(tmp_path):
    make_zip(tmp_path / "raw", A="1, 2\n", graph_indicator="1\n2\n1\n2\n2\n")
    with pytest.raises(DatasetError, match=r"graph_indicator\.txt, line 3: .*non-decreasing"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_label_file_of_wrong_length(tmp_path):
    make_zip(tmp_path / "raw", node_labels="1\n2\n")
    with pytest.raises(DatasetError, match=r"_node_labels\.txt has 2 lines but there are 5"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_missing_required_member(tmp_path):
    make_zip(tmp_path / "raw", graph_labels=None)
    with pytest.raises(DatasetError, match=r"not a TU dataset archive: .*_graph_labels\.txt"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_missing_archive(tmp_path):
    (tmp_path / "tu-none" / "raw").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"missing file .*\.zip"):
        tu.load("tu-none", tmp_path / "tu-none" / "raw")


def test_truncated_archive_names_the_file(tmp_path, shared_root):
    raw = require("tu-MUTAG")
    data = (raw / "MUTAG.zip").read_bytes()
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "MUTAG.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"MUTAG\.zip is truncated or corrupt"):
        tu.load("tu-MUTAG", tmp_path / "raw", use_cache=False)


def test_corrupt_member_data_names_the_file(tmp_path, shared_root):
    raw = require("tu-MUTAG")
    data = bytearray((raw / "MUTAG.zip").read_bytes())
    data[2000:2040] = bytes(40)  # inside the compressed MUTAG_A.txt
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "MUTAG.zip").write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"MUTAG\.zip is truncated or corrupt"):
        tu.load("tu-MUTAG", tmp_path / "raw", use_cache=False)


@pytest.mark.parametrize("member", ["../evil_A.txt", "/etc/evil.txt", "a/../../b.txt",
                                    "C:/evil.txt"])
def test_unsafe_member_names_are_refused(tmp_path, member):
    make_zip(tmp_path / "raw", extra={member: "x"})
    with pytest.raises(DatasetError, match="refusing unsafe member name"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_uncompressed_size_is_capped(tmp_path, monkeypatch):
    make_zip(tmp_path / "raw")
    monkeypatch.setattr(tu, "MAX_UNCOMPRESSED_BYTES", 20)
    with pytest.raises(DatasetError, match="more than the limit of 20 .*zip bomb"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_overlapping_fold_names_the_fold_file(tmp_path):
    make_zip(tmp_path / "raw")
    write_folds(tmp_path / "raw", {1: ("0\n1\n", "1\n")})
    with pytest.raises(DatasetError, match=r"test_idx-1\.txt: graph 1 is also in .*train_idx-1"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_fold_not_covering_all_graphs_names_the_fold_file(tmp_path):
    make_zip(tmp_path / "raw")
    write_folds(tmp_path / "raw", {1: ("0\n", "1\n"), 2: ("0\n", "")})
    with pytest.raises(DatasetError, match=r"test_idx-2\.txt: train and test cover 1 of 2"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_missing_fold_file_is_named(tmp_path):
    make_zip(tmp_path / "raw")
    folder = write_folds(tmp_path / "raw", {1: ("0\n", "1\n"), 2: ("1\n", "0\n")})
    (folder / "train_idx-2.txt").unlink()
    with pytest.raises(DatasetError, match=r"Missing fold file .*train_idx-2\.txt"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


def test_fold_index_out_of_range(tmp_path):
    make_zip(tmp_path / "raw")
    write_folds(tmp_path / "raw", {1: ("0\n", "2\n")})
    with pytest.raises(DatasetError, match=r"test_idx-1\.txt, line 1: graph index 2 is "
                                           r"outside 0\.\.1"):
        tu.load("toy", tmp_path / "raw", use_cache=False)


# ---------------------------------------------------------------------- detection, copies
def test_detect_and_required_files(tmp_path):
    assert not tu.detect(tmp_path / "raw")
    make_zip(tmp_path / "raw")
    assert tu.detect(tmp_path / "raw")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("notes.txt", "x")
    assert not tu.detect(tmp_path)
    assert tu.detect_names({"MUTAG.zip"}) and not tu.detect_names({"train.txt"})
    known = [RemoteFile(p, "u", None) for p in ("NCI1.zip", "ehgnn/NCI1.txt",
                                                  "ehgnn/10fold_idx/train_idx-1.txt")]
    assert tu.required_files("tu-NCI1", tmp_path, known) == [
        "NCI1.zip", "ehgnn/10fold_idx/train_idx-1.txt"]


@pytest.mark.parametrize("new_name", ["tu-mymutag", "my-graphs"])
def test_copied_and_renamed_folder_loads(tmp_path, new_name, shared_root):
    raw = require("tu-MUTAG")
    dest = tmp_path / new_name / "raw"
    shutil.copytree(raw, dest)
    (dest / "MUTAG.zip").rename(dest / f"{new_name}.zip")
    assert datasets.family_of(new_name, root=tmp_path) == "tu"
    data = datasets.load(new_name, root=tmp_path, download=False)
    assert (data.name, data.num_graphs, data.num_nodes, len(data.folds)) == (
        new_name, 188, 3371, 10)


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    make_zip(tmp_path / "raw", node_labels="1\n1\n2\n1\n2\n")
    first = tu.load("toy", tmp_path / "raw")

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(tu, "_parse_zip", boom)
    second = tu.load("toy", tmp_path / "raw", node_features="degree")  # features: not cached
    assert torch.equal(second.edge_index, first.edge_index)
    assert second.x.shape == (5, 3) and second.metadata["node_features"] == "degree"
    with pytest.raises(AssertionError, match="parsed again"):
        tu.load("toy", tmp_path / "raw", use_cache=False)
