"""Tests for hgkit.datasets.legcn: LEGCN ``<D>.content`` / ``<D>.edges`` text files.

Real-data counts are those of each dataset's SOURCE.md "Verified counts": hyperedges are the
distinct hyperedge ids of ``.edges`` (duplicate node sets kept, no self-loops: the defaults).
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import hgkit.datasets as D
from hgkit.datasets import base, legcn
from hgkit.datasets.base import DatasetError

from .conftest import SHARED, require

PROPERTY = settings(max_examples=50, deadline=None)

# name: stem, nodes, hyperedges, classes, feature dim, incidences, duplicates, singletons,
#       rows of the AllSet-compatible .content, smallest label in the file
COUNTS = {
    "allset-zoo": ("zoo", 101, 43, 7, 16, 1717, 2, 1, 245, 1),
    "allset-Mushroom": ("Mushroom", 8124, 298, 2, 22, 40620, 5, 6, 16546, 0),
    "allset-20newsW100": ("20newsW100", 16242, 100, 4, 100, 65451, 0, 0, 16342, 0),
}


def toy(raw: Path, content: str, edges: str, stem: str = "toy") -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"{stem}.content").write_text(content)
    (raw / f"{stem}.edges").write_text(edges)
    return raw


def load_toy(raw: Path, **options):
    return legcn.load("toy", raw, use_cache=False, **options)


# ---------------------------------------------------------------------- real datasets
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_dataset_counts(name):
    require(name)
    stem, n, m, c, f, nnz, dups, singles, rows, low = COUNTS[name]
    data = D.load(name, root=SHARED, download=False)
    assert (data.num_nodes, data.num_edges, data.num_classes, data.num_features) == (n, m, c, f)
    assert data.hypergraph.nnz == nnz
    assert data.x.dtype == torch.float32 and data.y.dtype == torch.int64
    assert data.y.unique().tolist() == list(range(c))
    assert int(data.hypergraph.node_count.min()) >= 1  # every node is in some hyperedge
    assert int((data.hypergraph.edge_size == 1).sum()) == singles
    meta = data.metadata
    assert (meta["num_duplicate_edges"], meta["num_content_rows"]) == (dups, rows)
    assert meta["label_values"] == list(range(low, low + c))
    assert meta["edge_id_offset"] == n and meta["content"] == f"{stem}.content"
    assert meta["content_variant"].startswith("padded") and data.splits == []


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_legcn_head_content_gives_the_same_data(name):
    require(name)
    stem = COUNTS[name][0]
    primary = D.load(name, root=SHARED, download=False)
    head = D.load(name, root=SHARED, download=False, content=f"legcn-head/{stem}.content")
    assert head.metadata["content_variant"] == "node rows only (LEGCN HEAD)"
    assert head.hypergraph == primary.hypergraph
    assert torch.equal(head.x, primary.x) and torch.equal(head.y, primary.y)


def test_zoo_rows_are_the_file_rows():
    raw = require("allset-zoo")
    data = D.load("allset-zoo", root=SHARED, download=False)
    first = (raw / "zoo.content").read_text().splitlines()[0].split("\t")
    assert data.x[0].tolist() == [float(v) for v in first[1:-1]]
    assert int(data.y[0]) == int(first[-1]) - 1  # labels 1..7 become 0..6


def test_20news_unsorted_rows_are_placed_by_index():
    raw = require("allset-20newsW100")
    lines = (raw / "20newsW100.content").read_text().splitlines()
    row = lines[400].split("\t")  # the rows jump back from 10879 to 100 here
    node = int(row[0])
    assert node == 100
    data = D.load("allset-20newsW100", root=SHARED, download=False)
    assert data.x[node].tolist() == [float(v) for v in row[1:-1]]
    assert int(data.y[node]) == int(row[-1])


# ---------------------------------------------------------------------- any folder
def test_copied_and_renamed_folder_loads_the_same(tmp_path):
    src = require("allset-zoo")
    raw = tmp_path / "my-zoo" / "raw"
    raw.mkdir(parents=True)
    shutil.copyfile(src / "zoo.content", raw / "myzoo.content")
    shutil.copyfile(src / "zoo.edges", raw / "myzoo.edges")
    assert D.family_of("my-zoo", root=tmp_path) == "legcn"
    mine = D.load("my-zoo", root=tmp_path)
    ref = D.load("allset-zoo", root=SHARED, download=False)
    assert mine.hypergraph == ref.hypergraph
    assert torch.equal(mine.x, ref.x) and torch.equal(mine.y, ref.y)
    assert mine.metadata["content"] == "myzoo.content"


def test_gzipped_files_load_the_same(tmp_path):
    src = require("allset-zoo")
    raw = tmp_path / "gz-zoo" / "raw"
    raw.mkdir(parents=True)
    for fname in ("zoo.content", "zoo.edges"):
        (raw / f"{fname}.gz").write_bytes(gzip.compress((src / fname).read_bytes()))
    mine = D.load("gz-zoo", root=tmp_path)
    assert mine.hypergraph == D.load("allset-zoo", root=SHARED, download=False).hypergraph


def test_several_pairs_pick_the_one_named_like_the_dataset(tmp_path):
    raw = toy(tmp_path / "set-b" / "raw", "0\t1\t0\n1\t2\t1\n", "0\t2\n1\t2\n", stem="b")
    toy(raw, "0\t1\t0\n", "0\t1\n", stem="a")
    assert D.load("set-b", root=tmp_path).num_nodes == 2
    with pytest.raises(DatasetError, match=r"several LEGCN pairs \['a', 'b'\]"):
        legcn.load("other", raw, use_cache=False)


# ---------------------------------------------------------------------- parsing semantics
def test_edge_ids_are_offset_by_n_and_dummy_rows_dropped(tmp_path):
    raw = toy(tmp_path, "0\t1.5\t2\n1\t0\t1\n2\t3\t2\n3\t0\t0\n4\t0\t0\n",
              "0\t3\n1\t3\n1\t4\n2\t4\n")
    data = load_toy(raw)
    assert data.num_nodes == 3 and data.hypergraph.edges() == [[0, 1], [1, 2]]
    assert data.x.flatten().tolist() == [1.5, 0.0, 3.0]
    assert data.y.tolist() == [1, 0, 1] and data.metadata["label_values"] == [1, 2]


def test_node_rows_only_variant(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t2\t1\n2\t3\t0", "0\t3\n2\t3\n1\t4\n")
    data = load_toy(raw)
    assert data.hypergraph.edges() == [[0, 2], [1]]
    assert data.metadata["content_variant"] == "node rows only (LEGCN HEAD)"


def test_float_labels_like_ntu2012_are_integers(tmp_path):
    raw = toy(tmp_path, "0\t0.5\t12.0\n1\t0.25\t3.0\n", "0\t2\n1\t2\n")
    data = load_toy(raw)
    assert data.y.tolist() == [1, 0] and data.metadata["label_values"] == [3, 12]
    assert data.num_classes == 2


def test_unsorted_rows_are_placed_by_their_index(tmp_path):
    raw = toy(tmp_path, "2\t20\t1\n0\t0\t0\n1\t10\t1\n", "0\t3\n1\t3\n2\t3\n")
    data = load_toy(raw)
    assert data.x.flatten().tolist() == [0.0, 10.0, 20.0] and data.y.tolist() == [0, 1, 1]


def test_repeated_incidence_counts_once_and_gaps_in_edge_ids_close(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n", "0\t2\n0\t2\n1\t7\n")
    data = load_toy(raw)
    assert data.hypergraph.edges() == [[0], [1]]
    meta = data.metadata
    assert meta["num_duplicate_incidences"] == 1 and meta["edge_ids_consecutive"] is False


def test_spaces_and_blank_lines_are_tolerated(tmp_path):
    raw = toy(tmp_path, "0 1 0\n\n1  2  1\n", "0 2\n1 2\n\n")
    assert load_toy(raw).hypergraph.edges() == [[0, 1]]


@PROPERTY
@given(st.lists(st.sets(st.integers(0, 5), min_size=1, max_size=4), min_size=1, max_size=5),
       st.randoms(use_true_random=False), st.integers(0, 3))
def test_written_hypergraph_reads_back(edges, rnd, padding):
    n = max(max(e) for e in edges) + 1
    m = len(edges)
    rows = [f"{v}\t{v * 0.5}\t{v % 3}" for v in range(n)]
    rows += [f"{i}\t0\t0" for i in range(n, n + m + padding)]  # AllSet-style dummy rows
    rnd.shuffle(rows)
    pairs = [f"{v}\t{n + j}" for j, e in enumerate(edges) for v in e]
    rnd.shuffle(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        data = load_toy(toy(Path(tmp), "\n".join(rows), "\n".join(pairs)))
    assert data.hypergraph.edges() == [sorted(e) for e in edges]
    assert data.x.flatten().tolist() == [v * 0.5 for v in range(n)]
    assert data.y.tolist() == [sorted({u % 3 for u in range(n)}).index(v % 3) for v in range(n)]


# ---------------------------------------------------------------------- switches
def test_dedup_and_self_loops_on_zoo():
    require("allset-zoo")
    dedup = D.load("allset-zoo", root=SHARED, download=False, dedup=True)
    assert dedup.num_edges == 43 - 2 and dedup.metadata["dedup"] is True
    loops = D.load("allset-zoo", root=SHARED, download=False, self_loops=True)
    assert loops.num_edges == 43 + 101 - 1  # the node with a singleton hyperedge gets none
    assert int((loops.hypergraph.edge_size == 1).sum()) == 101
    both = D.load("allset-zoo", root=SHARED, download=False, dedup=True, self_loops=True)
    assert both.num_edges == 41 + 100 and both.metadata["self_loops"] is True


def test_self_loops_and_dedup_on_a_toy(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n2\t1\t1\n", "0\t3\n1\t3\n1\t4\n0\t4\n2\t5\n")
    assert load_toy(raw, dedup=True).hypergraph.edges() == [[0, 1], [2]]
    assert load_toy(raw, self_loops=True).hypergraph.edges() == [
        [0, 1], [0, 1], [2], [0], [1]]


def test_bad_options_are_type_errors(tmp_path):
    raw = toy(tmp_path / "toyset" / "raw", "0\t1\t0\n", "0\t1\n")
    with pytest.raises(TypeError, match=r"'self_loops' to be a bool \(got str\)"):
        load_toy(raw, self_loops="yes")
    with pytest.raises(TypeError, match=r"'content' to be a path relative to raw/ or None"):
        load_toy(raw, content=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'features'"):
        D.load("toyset", root=tmp_path, features=False)


# ---------------------------------------------------------------------- errors
def test_non_numeric_field_names_file_and_line(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\tabc\t1\n", "0\t2\n1\t2\n")
    with pytest.raises(DatasetError, match=r"toy\.content, line 2: expected numbers "
                                           r"\(got '1\\tabc\\t1'\)"):
        load_toy(raw)


def test_wrong_field_count_names_file_and_line(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n", "0\t2\n1\t2\t9\n")
    with pytest.raises(DatasetError, match=r"toy\.edges, line 2: expected 2 fields like line 1 "
                                           r"\(got 3\)"):
        load_toy(raw)


def test_non_integer_id_names_file_and_line(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n", "0\t2\n1.5\t2\n")
    with pytest.raises(DatasetError, match=r"toy\.edges, line 2: expected a non-negative "
                                           r"integer node id"):
        load_toy(raw)


def test_hyperedge_id_not_above_the_nodes(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n2\t1\t0\n", "0\t3\n2\t1\n")
    with pytest.raises(DatasetError, match=r"toy\.edges, line 2: hyperedge id 1 is not above "
                                           r"the largest node id 2"):
        load_toy(raw)


def test_missing_and_duplicate_node_rows(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n2\t1\t0\n", "0\t3\n2\t3\n")
    with pytest.raises(DatasetError, match=r"toy\.content: no row for node 1"):
        load_toy(raw)
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0\n0\t5\t1\n", "0\t2\n1\t2\n")
    with pytest.raises(DatasetError, match=r"toy\.content, line 3: node 0 has a second row"):
        load_toy(raw)


def test_non_integer_label_names_the_line(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n1\t1\t0.5\n", "0\t2\n1\t2\n")
    with pytest.raises(DatasetError, match=r"toy\.content, line 2: expected a non-negative "
                                           r"integer label"):
        load_toy(raw)


def test_empty_file_is_named(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n", "\n")
    with pytest.raises(DatasetError, match=r"toy\.edges is empty"):
        load_toy(raw)


def test_truncated_gzip_names_the_file(tmp_path):
    src = require("allset-zoo")
    raw = tmp_path / "gz" / "raw"
    raw.mkdir(parents=True)
    shutil.copyfile(src / "zoo.content", raw / "zoo.content")
    blob = gzip.compress((src / "zoo.edges").read_bytes())
    (raw / "zoo.edges.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DatasetError, match=r"zoo\.edges\.gz is truncated or corrupt"):
        D.load("gz", root=tmp_path)


def test_missing_content_file_is_named(tmp_path):
    raw = toy(tmp_path, "0\t1\t0\n", "0\t1\n")
    with pytest.raises(DatasetError, match=r"Missing file .*legcn-head/toy\.content"):
        load_toy(raw, content="legcn-head/toy.content")
    (raw / "toy.content").unlink()
    with pytest.raises(DatasetError, match=r"holds no '<D>\.content' / '<D>\.edges' pair"):
        load_toy(raw)


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    raw = toy(tmp_path, "0\t1\t0\n1\t2\t1\n", "0\t2\n1\t2\n")
    first = legcn.load("toy", raw)
    assert list((base.cache_dir() / "toy").glob("*.pt"))

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(legcn, "_build", boom)
    again = legcn.load("toy", raw)
    assert again.hypergraph == first.hypergraph and torch.equal(again.x, first.x)
    assert again.metadata == first.metadata
    with pytest.raises(AssertionError, match="parsed again"):
        legcn.load("toy", raw, self_loops=True)
    with pytest.raises(AssertionError, match="parsed again"):
        legcn.load("toy", raw, use_cache=False)
