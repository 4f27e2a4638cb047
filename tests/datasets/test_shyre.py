"""SHyRe reconstruction datasets: train.txt / test.txt, two independent hypergraphs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import datasets
from hgkit.datasets import DatasetError, shyre
from hgkit.datasets.shyre import ReconstructionData, parse_shyre
from hgkit.hypergraph.hypergraph import Hypergraph

from .conftest import SHARED, require


def write(raw: Path, train: str = "1 2 3\n", test: str = "1 2\n") -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "train.txt").write_text(train)
    (raw / "test.txt").write_text(test)
    return raw


def reference_read(text: str) -> set[tuple[int, ...]]:
    """The official ``read_simplicies`` (utils.py @d49c77ed), restated: sorted sets per line,
    rank re-indexing when ids are not compact, a set of hyperedges."""
    simplices = [tuple(sorted({int(v) for v in line.strip().split(" ")}))
                 for line in text.splitlines()]
    nodes = sorted({v for s in simplices for v in s})
    rank = {v: i for i, v in enumerate(nodes)}
    return {tuple(sorted({rank[v] for v in s})) for s in simplices}


# ---------------------------------------------------------------------- real datasets
# From each SOURCE.md "Verified counts": hyperedges = "uniq" (distinct node sets after
# dropping repeated ids inside a line, the reference loader's and our default), nodes = ids
# that occur, singletons = lines with one distinct id, max = largest distinct-id line.
REAL = {
    # name: {split: (lines, uniq, nodes, min id, max id, repeats-in-line, singletons, max)}
    "shyre-crime": {"train": (275, 243, 467, 0, 827, 0, 79, 15),
                    "test": (276, 256, 510, 0, 828, 0, 64, 18)},
    "shyre-dblp": {"train": (181427, 181427, 292922, 0, 292921, 2, 28235, 24),
                   "test": (197067, 197067, 319916, 0, 319915, 3, 29989, 25)},
    "shyre-enron": {"train": (756, 756, 141, 1, 148, 0, 26, 16),
                    "test": (756, 756, 142, 1, 148, 0, 29, 18)},
    "shyre-foursquare": {"train": (1030, 1026, 2356, 0, 2873, 849, 140, 52),
                         "test": (1030, 1019, 2334, 0, 2875, 837, 175, 88)},
    "shyre-school": {"train": (6352, 6352, 242, 1, 242, 0, 0, 5),
                     "test": (6352, 6352, 242, 1, 242, 0, 0, 5)},
    "shyre-school2": {"train": (3909, 3909, 327, 1, 327, 0, 0, 5),
                      "test": (3909, 3909, 327, 1, 327, 0, 0, 5)},
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_dataset_counts(name, shared_root):
    require(name)
    data = datasets.load(name, root=SHARED, download=False)
    assert isinstance(data, ReconstructionData) and data.name == name
    for split, (lines, uniq, nodes, lo, hi, repeats, singles, biggest) in REAL[name].items():
        hg, ids, stats = getattr(data, split), getattr(data, f"{split}_ids"), data.metadata[split]
        assert (hg.num_nodes, hg.num_edges) == (nodes, uniq)
        assert (int(ids[0]), int(ids[-1])) == (lo, hi)
        assert bool((ids[1:] > ids[:-1]).all())  # rank re-indexing: increasing original ids
        assert bool((hg.node_degree > 0).all())  # every node occurs in some hyperedge
        assert (stats["lines"], stats["lines_with_repeats"]) == (lines, repeats)
        assert (stats["singleton_lines"], stats["max_size"]) == (singles, biggest)
        assert stats["duplicates_removed"] == lines - uniq
        assert int(hg.edge_size.max()) == biggest


@pytest.mark.parametrize("name", ["shyre-crime", "shyre-foursquare", "shyre-enron"])
def test_real_dataset_matches_reference_loader(name, shared_root):
    raw = require(name)
    data = shyre.load(name, raw)
    for split in ("train", "test"):
        expected = reference_read((raw / f"{split}.txt").read_text())
        edges = getattr(data, split).edges()
        assert len(edges) == len(expected)
        assert {tuple(e) for e in edges} == expected


def test_real_dataset_without_dedup_keeps_every_line(shared_root):
    require("shyre-crime")
    data = datasets.load("shyre-crime", root=SHARED, download=False, dedup=False)
    assert (data.train.num_edges, data.test.num_edges) == (275, 276)
    assert data.metadata["dedup"] is False


def test_real_dataset_drop_singletons(shared_root):
    require("shyre-crime")
    data = datasets.load("shyre-crime", root=SHARED, download=False, drop_singletons=True)
    stats = data.metadata["train"]
    assert data.train.num_edges == 243 - stats["singletons"] and stats["singletons"] > 0
    assert data.train.num_nodes == 467  # nodes are kept (isolated when only in singletons)
    assert int(data.train.edge_size.min()) >= 2


# ---------------------------------------------------------------------- format details
def test_line_becomes_sorted_set_and_ids_are_ranked(tmp_path):
    raw = write(tmp_path / "raw", train="9 4 4\n20\n4 9\n", test="0 1\n")
    data = shyre.load("toy", raw, use_cache=False)
    assert data.train_ids.tolist() == [4, 9, 20]
    assert data.train.edges() == [[0, 1], [2]]  # "4 9" repeats the first set: dropped
    assert data.metadata["train"]["lines_with_repeats"] == 1
    assert data.metadata["train"]["reindexed"] is True


def test_train_and_test_have_independent_id_spaces(tmp_path):
    raw = write(tmp_path / "raw", train="1 2\n2 3\n", test="5 7\n")
    data = shyre.load("toy", raw, use_cache=False)
    assert data.train_ids.tolist() == [1, 2, 3] and data.test_ids.tolist() == [5, 7]
    assert data.test.edges() == [[0, 1]] and data.test.num_nodes == 2


def test_compact_ids_are_kept(tmp_path):
    raw = write(tmp_path / "raw", train="0 2\n1\n", test="0\n")
    data = shyre.load("toy", raw, use_cache=False)
    assert data.train_ids.tolist() == [0, 1, 2]
    assert data.metadata["train"]["reindexed"] is False


def test_first_occurrence_order_is_kept(tmp_path):
    raw = write(tmp_path / "raw", train="3 4\n1 2\n4 3\n2 1\n5\n")
    assert shyre.load("toy", raw, use_cache=False).train.edges() == [[2, 3], [0, 1], [4]]


def test_tabs_crlf_and_missing_final_newline_are_accepted(tmp_path):
    raw = write(tmp_path / "raw", train="1\t2\r\n2 3", test="1 2\n\n\n")
    data = shyre.load("toy", raw, use_cache=False)
    assert data.train.edges() == [[0, 1], [1, 2]] and data.test.num_edges == 1


def test_parse_shyre_of_empty_file():
    hg, ids, stats = parse_shyre(b"")
    assert (hg.num_nodes, hg.num_edges, ids.numel(), stats["lines"]) == (0, 0, 0, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 40), min_size=1, max_size=6), min_size=1,
                max_size=25))
def test_parse_matches_reference_loader(lines):
    text = "\n".join(" ".join(map(str, line)) for line in lines) + "\n"
    hg, ids, _ = parse_shyre(text.encode())
    expected = reference_read(text)
    edges = [tuple(e) for e in hg.edges()]
    assert set(edges) == expected and len(edges) == len(expected)
    assert ids.tolist() == sorted({v for line in lines for v in line})
    firsts = list(dict.fromkeys(tuple(sorted({ids.tolist().index(v) for v in line}))
                                for line in lines))
    assert edges == firsts  # file order of first occurrences


# ---------------------------------------------------------------------- options
def test_dedup_false_keeps_duplicate_lines(tmp_path):
    raw = write(tmp_path / "raw", train="1 2\n2 1\n")
    on = shyre.load("toy", raw, use_cache=False)
    off = shyre.load("toy", raw, use_cache=False, dedup=False)
    assert on.train.edges() == [[0, 1]] and off.train.edges() == [[0, 1], [0, 1]]
    assert on.metadata["train"]["duplicates_removed"] == 1
    assert off.metadata["train"]["duplicates_removed"] == 0


def test_singletons_are_kept_by_default_and_dropped_on_request(tmp_path):
    raw = write(tmp_path / "raw", train="1 2\n3\n3 3\n")  # "3 3" is a singleton too
    kept = shyre.load("toy", raw, use_cache=False)
    dropped = shyre.load("toy", raw, use_cache=False, drop_singletons=True)
    assert kept.train.edges() == [[0, 1], [2]]
    assert dropped.train.edges() == [[0, 1]]
    assert dropped.train.num_nodes == 3 and dropped.train_ids.tolist() == [1, 2, 3]
    assert dropped.metadata["train"]["singletons_dropped"] == 1


def test_unknown_option_is_rejected(tmp_path):
    raw = write(tmp_path / "raw")
    with pytest.raises(TypeError, match="Unknown option 'self_loops'.*drop_singletons"):
        shyre.load("toy", raw, self_loops=True)


def test_non_bool_switch_is_rejected(tmp_path):
    raw = write(tmp_path / "raw")
    with pytest.raises(TypeError, match="Expected option 'dedup' to be a bool \\(got 1\\)"):
        shyre.load("toy", raw, dedup=1)


# ---------------------------------------------------------------------- errors
def test_malformed_line_names_file_line_and_content(tmp_path):
    raw = write(tmp_path / "raw", train="1 2\n3 4\n5 x6\n")
    with pytest.raises(DatasetError, match=r"train\.txt, line 3: .*\(got '5 x6'\)"):
        shyre.load("toy", raw, use_cache=False)


def test_empty_line_inside_the_file_is_an_error(tmp_path):
    raw = write(tmp_path / "raw", test="1 2\n\n3 4\n")
    with pytest.raises(DatasetError, match=r"test\.txt, line 2: empty line"):
        shyre.load("toy", raw, use_cache=False)


def test_missing_file_is_named(tmp_path):
    raw = write(tmp_path / "raw")
    (raw / "test.txt").unlink()
    with pytest.raises(DatasetError, match=r"missing file .*test\.txt"):
        shyre.load("toy", raw)


def test_missing_file_through_registry(tmp_path):
    write(tmp_path / "shyre-gone" / "raw")
    (tmp_path / "shyre-gone" / "raw" / "train.txt").unlink()
    with pytest.raises(DatasetError, match=r"train\.txt"):
        datasets.load("shyre-gone", root=tmp_path, download=False)


def test_result_validates_ids_length():
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2, num_edges=1)
    with pytest.raises(ValueError, match=r"'test_ids' to be a tensor of shape \[2\]"):
        ReconstructionData(hg, hg, torch.arange(2), torch.arange(3))


# ---------------------------------------------------------------------- detection, copies
def test_detect_and_required_files(tmp_path):
    raw = write(tmp_path / "raw")
    assert shyre.detect(raw) and not shyre.detect(tmp_path)
    assert shyre.detect_names({"train.txt", "test.txt"})
    assert not shyre.detect_names({"train.txt", "labels.txt"})
    assert shyre.required_files("x", raw, []) == ["train.txt", "test.txt"]


@pytest.mark.parametrize("new_name", ["shyre-myenron", "my-reconstruction"])
def test_copied_and_renamed_folder_loads(tmp_path, new_name, shared_root):
    raw = require("shyre-enron")
    shutil.copytree(raw, tmp_path / new_name / "raw")
    assert datasets.family_of(new_name, root=tmp_path) == "shyre"
    data = datasets.load(new_name, root=tmp_path, download=False)
    assert data.name == new_name
    assert (data.train.num_nodes, data.train.num_edges) == (141, 756)
    assert (data.test.num_nodes, data.test.num_edges) == (142, 756)


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    raw = write(tmp_path / "raw", train="1 2 3\n3 4\n")
    first = shyre.load("toy", raw)

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(shyre, "parse_shyre", boom)
    second = shyre.load("toy", raw)
    assert second.train == first.train and torch.equal(second.train_ids, first.train_ids)
    assert second.metadata == first.metadata
    with pytest.raises(AssertionError, match="parsed again"):
        shyre.load("toy", raw, use_cache=False)
    with pytest.raises(AssertionError, match="parsed again"):  # options are part of the key
        shyre.load("toy", raw, dedup=False)
