"""HIF datasets: any raw/ folder holding one HIF JSON file (write_hif output included)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import torch

from hgkit import datasets
from hgkit.datasets import DatasetError, HypergraphData
from hgkit.datasets import hif as hif_family
from hgkit.datasets.base import RemoteFile
from hgkit.hypergraph.convert import to_hif, write_hif
from hgkit.hypergraph.hypergraph import Hypergraph


def toy_hypergraph(**fields) -> Hypergraph:
    """4 nodes (node 3 isolated), 3 hyperedges (the last one empty)."""
    index = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
    return Hypergraph(index, num_nodes=4, num_edges=3, **fields)


def write_doc(raw: Path, document: dict, file_name: str = "toy.hif.json") -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / file_name
    opener = gzip.open if file_name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as fh:
        json.dump(document, fh)
    return path


def labelled_doc(labels: list, key: str = "label") -> dict:
    document = to_hif(toy_hypergraph(), node_labels=["a", "b", "c", "d"])
    for item, label in zip(document["nodes"], labels, strict=True):
        if label is not None:
            item["attr"] = {key: label}
    return document


# ---------------------------------------------------------------------- write_hif -> load
def test_write_hif_file_loads_through_the_registry(tmp_path):
    hg = toy_hypergraph(edge_weight=torch.tensor([1.0, 2.0, 0.5]),
                        node_attr=torch.arange(8, dtype=torch.float32).view(4, 2))
    (tmp_path / "toy-hif" / "raw").mkdir(parents=True)
    write_hif(hg, tmp_path / "toy-hif" / "raw" / "toy-hif.hif.json",
              node_labels=["a", "b", "c", "d"], edge_labels=["e0", "e1", "e2"],
              metadata={"origin": "test"})
    assert datasets.family_of("toy-hif", root=tmp_path) == "hif"
    data = datasets.load("toy-hif", root=tmp_path)
    assert isinstance(data, HypergraphData) and data.name == "toy-hif"
    assert data.hypergraph == hg.replace(node_attr=None)  # node features moved to x
    torch.testing.assert_close(data.x, hg.node_attr)
    assert data.y is None and data.num_classes == 0
    assert data.metadata["node_ids"] == ["a", "b", "c", "d"]
    assert data.metadata["edge_ids"] == ["e0", "e1", "e2"]
    assert data.metadata["network_type"] == "undirected"
    assert data.metadata["hif_metadata"] == {"origin": "test"}
    assert data.metadata["features"] == "nodes[].attr.features"


def test_gzipped_file_loads(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_hif(toy_hypergraph(), raw / "toy.json.gz")
    data = hif_family.load("toy", raw, use_cache=False)
    assert data.hypergraph == toy_hypergraph() and data.x is None


def test_isolated_node_and_empty_hyperedge_survive(tmp_path):
    write_doc(tmp_path / "raw", to_hif(toy_hypergraph()))
    data = hif_family.load("toy", tmp_path / "raw", use_cache=False)
    assert data.hypergraph.edges() == [[0, 1], [1, 2], []]
    assert data.num_nodes == 4 and int(data.hypergraph.node_degree[3]) == 0


# ---------------------------------------------------------------------- labels
def test_integer_labels_become_y(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc([7, 3, 7, 5]))
    data = hif_family.load("toy", tmp_path / "raw", use_cache=False)
    assert data.y.tolist() == [2, 0, 2, 1] and data.y.dtype == torch.int64
    assert data.num_classes == 3 and data.metadata["label_values"] == [3, 5, 7]
    assert data.metadata["label_key"] == "label"


def test_class_attribute_is_the_fallback(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc(["dem", "rep", "rep", "dem"], key="class"))
    data = hif_family.load("toy", tmp_path / "raw", use_cache=False)
    assert data.y.tolist() == [0, 1, 1, 0] and data.metadata["label_values"] == ["dem", "rep"]


def test_partial_labels_give_no_y(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc([1, 0, None, 1]))
    data = hif_family.load("toy", tmp_path / "raw", use_cache=False)
    assert data.y is None and data.metadata["label_key"] is None


def test_label_key_none_reads_no_labels(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc([1, 0, 1, 1]))
    assert hif_family.load("toy", tmp_path / "raw", use_cache=False, label_key=None).y is None


def test_explicit_label_key(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc([0, 1, 1, 0], key="party"))
    data = hif_family.load("toy", tmp_path / "raw", use_cache=False, label_key="party")
    assert data.y.tolist() == [0, 1, 1, 0]


def test_explicit_label_key_missing_on_a_node(tmp_path):
    write_doc(tmp_path / "raw", labelled_doc([0, None, 1, 0], key="party"))
    with pytest.raises(DatasetError, match=r"toy\.hif\.json: label attribute 'party' .* "
                                           r"node 'b' has none"):
        hif_family.load("toy", tmp_path / "raw", use_cache=False, label_key="party")


# ---------------------------------------------------------------------- files and errors
def test_several_json_files_need_a_matching_name(tmp_path):
    raw = tmp_path / "raw"
    write_doc(raw, to_hif(toy_hypergraph()), "toy.hif.json")
    write_doc(raw, {"incidences": []}, "other.json")
    assert hif_family.load("toy", raw, use_cache=False).num_nodes == 4
    with pytest.raises(DatasetError, match=r"several HIF candidates .*other\.json, toy\.hif"):
        hif_family.load("mine", raw, use_cache=False)


def test_missing_file(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(DatasetError, match=r"missing file .*raw/<name>\.hif\.json"):
        hif_family.load("toy", tmp_path / "raw")


def test_invalid_json_names_the_file(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "toy.json").write_text('{"incidences": [')
    with pytest.raises(DatasetError, match=r"toy\.json is not valid JSON"):
        hif_family.load("toy", tmp_path / "raw", use_cache=False)


def test_invalid_hif_names_the_file_and_path(tmp_path):
    write_doc(tmp_path / "raw", {"incidences": [{"edge": 0, "node": 1.5}]})
    with pytest.raises(DatasetError, match=r"toy\.hif\.json is not a valid HIF document: "
                                           r".*incidences\[0\]\.node"):
        hif_family.load("toy", tmp_path / "raw", use_cache=False)


def test_truncated_gzip_names_the_file(tmp_path):
    raw = tmp_path / "raw"
    path = write_doc(raw, to_hif(toy_hypergraph()), "toy.json.gz")
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(DatasetError, match=r"toy\.json\.gz is truncated or corrupt"):
        hif_family.load("toy", raw, use_cache=False)


def test_unknown_option(tmp_path):
    write_doc(tmp_path / "raw", to_hif(toy_hypergraph()))
    with pytest.raises(TypeError, match="Unknown option 'labels'"):
        hif_family.load("toy", tmp_path / "raw", labels=True)
    with pytest.raises(TypeError, match="'validate' to be a bool"):
        hif_family.load("toy", tmp_path / "raw", validate="no")


def test_detect_and_required_files(tmp_path):
    assert not hif_family.detect(tmp_path / "raw")
    write_doc(tmp_path / "raw", to_hif(toy_hypergraph()))
    assert hif_family.detect(tmp_path / "raw")
    assert hif_family.detect_names({"x.hif.json"}) and hif_family.detect_names({"x.json.gz"})
    assert not hif_family.detect_names({"train.txt", "sub/x.json"})
    known = [RemoteFile("x.hif.json", "u", None), RemoteFile("README.md", "u", None)]
    assert hif_family.required_files("x", tmp_path, known) == ["x.hif.json"]


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    write_doc(tmp_path / "raw", labelled_doc([1, 2, 1, 2]))
    first = hif_family.load("toy", tmp_path / "raw")

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(hif_family, "read_hif", boom)
    second = hif_family.load("toy", tmp_path / "raw")
    assert second.hypergraph == first.hypergraph and torch.equal(second.y, first.y)
    assert second.metadata == first.metadata
    with pytest.raises(AssertionError, match="parsed again"):
        hif_family.load("toy", tmp_path / "raw", use_cache=False)
