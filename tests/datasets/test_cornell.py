"""Cornell / Chodrow node-labelled hypergraphs: hyperedges-<D>.txt + node-labels-<D>.txt."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import datasets
from hgkit.datasets import DatasetError, cornell
from hgkit.datasets.base import RemoteFile

from .conftest import SHARED, require


def write(raw: Path, d: str = "toy", edges: str = "1,2\n2,3\n", labels: str = "1\n2\n2\n",
          **extra: str) -> Path:
    """A tiny Cornell folder; ``extra`` maps a file kind (``label_names``) to its text."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"hyperedges-{d}.txt").write_text(edges)
    if labels is not None:
        (raw / f"node-labels-{d}.txt").write_text(labels)
    for kind, text in extra.items():
        (raw / f"{kind.replace('_', '-')}-{d}.txt").write_text(text)
    return raw


# ---------------------------------------------------------------------- real datasets
# Verified counts from each SOURCE.md. Hyperedges = lines of the file (duplicates and
# singletons kept, the loader's default); "dedup" = distinct node sets; "no singletons" = the
# lines minus size-1 sets.
REAL = {
    # name: (nodes, lines, classes, duplicates, singletons, label names)
    "allset-house-committees": (1290, 341, 2, 5, 1, ["Democrat", "Republican"]),
    "allset-congress-bills": (1718, 84799, 2, 0, 1694, ["democrat", "republican"]),
    "allset-walmart-trips": (88860, 69906, 11, 3927, 0, None),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_dataset_counts(name, shared_root):
    require(name)
    nodes, lines, classes, duplicates, singletons, label_names = REAL[name]
    data = datasets.load(name, root=SHARED, download=False)
    assert (data.num_nodes, data.num_edges, data.num_classes) == (nodes, lines, classes)
    # No real features: x = noisy one-hot of the label, one column per class by default.
    assert data.num_features == classes and data.x.dtype == torch.float32
    assert data.y.dtype == torch.int64 and int(data.y.min()) == 0
    assert int(data.y.max()) == classes - 1
    assert bool((data.hypergraph.node_degree > 0).all())  # "all ids occur in some hyperedge"
    assert len(data.metadata["label_names"]) == classes
    if label_names is not None:
        assert data.metadata["label_names"] == label_names
    # Distinct node sets, and lines without the size-1 sets.
    deduped = datasets.load(name, root=SHARED, download=False, dedup=True, features=None)
    assert deduped.num_edges == lines - duplicates
    no_single = datasets.load(name, root=SHARED, download=False, drop_singletons=True,
                              features=None)
    assert no_single.num_edges == lines - singletons


def test_congress_bills_edhnn_count_excludes_singletons(shared_root):
    require("allset-congress-bills")
    kept = datasets.load("allset-congress-bills", root=SHARED, download=False, features=None)
    dropped = datasets.load("allset-congress-bills", root=SHARED, download=False,
                            features=None, drop_singletons=True)
    assert kept.num_edges == 84799  # every line of the file
    assert dropped.num_edges == 83105  # the ED-HNN paper's statistics table
    assert dropped.metadata["singletons_dropped"] == 1694


def test_house_committees_repeated_nodes_become_sets(shared_root):
    require("allset-house-committees")
    data = datasets.load("allset-house-committees", root=SHARED, download=False)
    # 13 lines list a node twice (trap 8): 20 repeated incidences in all, removed.
    assert data.metadata["repeated_incidences_removed"] == 20
    node, edge = data.hypergraph.hyperedge_index
    pairs = torch.unique(edge * data.num_nodes + node)
    assert pairs.numel() == data.hypergraph.nnz
    assert data.metadata["node_names"][:2] == ["E. de la Garza", "George Brown"]


def test_copied_and_renamed_folder_loads(shared_root, tmp_path):
    src = require("allset-house-committees")
    raw = tmp_path / "my-committees" / "raw"
    raw.mkdir(parents=True)
    for path in src.iterdir():
        shutil.copy(path, raw / path.name.replace("house-committees", "my-committees"))
    assert datasets.family_of("my-committees", root=tmp_path) == "cornell"
    copy = datasets.load("my-committees", root=tmp_path, download=False)
    orig = datasets.load("allset-house-committees", root=SHARED, download=False)
    assert copy.hypergraph == orig.hypergraph
    assert torch.equal(copy.y, orig.y) and torch.equal(copy.x, orig.x)
    assert copy.metadata["prefix"] == "my-committees" and copy.name == "my-committees"


# ---------------------------------------------------------------------- parsing
def test_lines_are_sets_and_ids_become_zero_based(tmp_path):
    raw = write(tmp_path, edges="1,2,1\n3\n2,3,2,3\n", labels="1\n1\n2\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.hypergraph.edges() == [[0, 1], [2], [1, 2]]
    assert data.metadata["repeated_incidences_removed"] == 3
    assert data.y.tolist() == [0, 0, 1] and data.num_classes == 2


def test_node_in_no_hyperedge_is_isolated(tmp_path):
    raw = write(tmp_path, edges="1,2\n", labels="1\n2\n1\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.num_nodes == 3
    assert data.hypergraph.node_degree.tolist() == [1.0, 1.0, 0.0]


def test_crlf_and_spaces_are_accepted(tmp_path):
    raw = tmp_path
    (raw / "hyperedges-toy.txt").write_bytes(b"1, 2\r\n2 ,3\r\n")
    (raw / "node-labels-toy.txt").write_bytes(b"1\r\n2\r\n2\r\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.hypergraph.edges() == [[0, 1], [1, 2]]


def test_label_names_strip_a_numbered_prefix_only_when_every_line_has_it(tmp_path):
    raw = write(tmp_path / "a", label_names="1 democrat\n2 republican\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.metadata["label_names"] == ["democrat", "republican"]
    raw = write(tmp_path / "b", label_names="1 Baby\nToys\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.metadata["label_names"] == ["1 Baby", "Toys"]


def test_num_classes_counts_named_labels_that_no_node_has(tmp_path):
    raw = write(tmp_path, label_names="a\nb\nc\n")
    assert cornell.load("toy", raw, use_cache=False).num_classes == 3


def test_prefix_comes_from_the_files_and_the_name_picks_among_several(tmp_path):
    write(tmp_path, d="bills")
    write(tmp_path, d="congress-bills", edges="1,2,3\n")
    data = cornell.load("allset-congress-bills", tmp_path, use_cache=False, features=None)
    assert data.metadata["prefix"] == "congress-bills" and data.num_edges == 1
    with pytest.raises(DatasetError, match="several Cornell datasets .*bills, congress-bills"):
        cornell.load("other", tmp_path, use_cache=False)


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("edges, line, content", [
    ("1,2\n3,x\n", 2, "'3,x'"),
    ("1,2\n\n3\n", 2, "''"),
    ("1,2,\n3\n", 1, "'1,2,'"),
    ("1;2\n", 1, "'1;2'"),
    ("1.5,2\n", 1, "'1.5,2'"),
])
def test_malformed_hyperedge_line_names_file_line_and_content(tmp_path, edges, line, content):
    raw = write(tmp_path, edges=edges)
    with pytest.raises(DatasetError, match=rf"hyperedges-toy\.txt, line {line}: .*{content}"):
        cornell.load("toy", raw, use_cache=False)


@pytest.mark.parametrize("edges, line, found", [("1,2\n0,3\n", 2, 0), ("1\n2,4\n", 2, 4)])
def test_node_id_out_of_range_names_line(tmp_path, edges, line, found):
    raw = write(tmp_path, edges=edges)
    with pytest.raises(DatasetError, match=rf"hyperedges-toy\.txt, line {line}: expected node "
                                           rf"ids in 1\.\.3 .*found {found}"):
        cornell.load("toy", raw, use_cache=False)


@pytest.mark.parametrize("labels, line, what", [
    ("1\n1,2\n2\n", 2, "multi-label"), ("1\nB\n2\n", 2, "one integer label"),
    ("1\n0\n2\n", 2, "1-based label"),
])
def test_malformed_label_line_names_file_and_line(tmp_path, labels, line, what):
    raw = write(tmp_path, labels=labels)
    with pytest.raises(DatasetError, match=rf"node-labels-toy\.txt, line {line}: .*{what}"):
        cornell.load("toy", raw, use_cache=False)


def test_label_beyond_the_named_labels_is_an_error(tmp_path):
    raw = write(tmp_path, labels="1\n3\n1\n", label_names="a\nb\n")
    with pytest.raises(DatasetError, match=r"node-labels-toy\.txt, line 2: label 3 .*names 2"):
        cornell.load("toy", raw, use_cache=False)


def test_missing_node_labels_file_is_named(tmp_path):
    raw = write(tmp_path, labels=None)
    with pytest.raises(DatasetError, match=r"missing file .*node-labels-toy\.txt"):
        cornell.load("toy", raw, use_cache=False)


def test_missing_folder_and_missing_hyperedges(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        cornell.load("toy", tmp_path / "nope", use_cache=False)
    with pytest.raises(DatasetError, match=r"no hyperedges-<D>\.txt file"):
        cornell.load("toy", tmp_path, use_cache=False)


def test_node_names_must_have_one_line_per_node(tmp_path):
    raw = write(tmp_path, node_names="a\nb\n")
    with pytest.raises(DatasetError, match=r"node-names-toy\.txt has 2 lines .* has 3"):
        cornell.load("toy", raw, use_cache=False)


def test_unknown_option_and_bad_values_are_rejected(tmp_path):
    raw = write(tmp_path)
    with pytest.raises(TypeError, match="feature_nosie"):
        cornell.load("toy", raw, feature_nosie=0.5)
    with pytest.raises(ValueError, match=r"'features' to be 'noisy-onehot' or None .*'raw'"):
        cornell.load("toy", raw, features="raw")
    with pytest.raises(ValueError, match=r"'feature_noise' \(sigma\) .*>= 0 \(got -1"):
        cornell.load("toy", raw, feature_noise=-1.0)
    with pytest.raises(TypeError, match="'dedup' to be a bool"):
        cornell.load("toy", raw, dedup="yes")
    with pytest.raises(ValueError, match=r"'feature_dim' to be >= num_classes=2 \(got 1\)"):
        cornell.load("toy", raw, feature_dim=1)


# ---------------------------------------------------------------------- options
def test_default_keeps_duplicates_and_singletons_without_self_loops(tmp_path):
    raw = write(tmp_path, edges="1,2\n2,1\n3\n")
    data = cornell.load("toy", raw, use_cache=False, features=None)
    assert data.hypergraph.edges() == [[0, 1], [0, 1], [2]]
    assert data.metadata["dedup"] is False and data.metadata["self_loops"] is False


def test_dedup_drops_repeated_node_sets(tmp_path):
    raw = write(tmp_path, edges="1,2\n2,1\n3\n")
    data = cornell.load("toy", raw, use_cache=False, features=None, dedup=True)
    assert data.hypergraph.edges() == [[0, 1], [2]]
    assert data.metadata["duplicates_removed"] == 1


def test_self_loops_follow_allset_only_for_nodes_without_one(tmp_path):
    raw = write(tmp_path, edges="1,2\n3\n")
    data = cornell.load("toy", raw, use_cache=False, features=None, self_loops=True)
    assert data.hypergraph.edges() == [[0, 1], [2], [0], [1]]
    assert data.metadata["self_loops_added"] == 2


def test_drop_singletons_then_self_loops(tmp_path):
    raw = write(tmp_path, edges="1,2\n3\n3,3\n")
    data = cornell.load("toy", raw, use_cache=False, features=None, drop_singletons=True)
    assert data.hypergraph.edges() == [[0, 1]]  # "3,3" is the set {3}: a singleton too
    assert data.metadata["singletons_dropped"] == 2
    both = cornell.load("toy", raw, use_cache=False, features=None, drop_singletons=True,
                        self_loops=True)
    assert both.hypergraph.edges() == [[0, 1], [0], [1], [2]]


# ---------------------------------------------------------------------- features
def test_noisy_onehot_metadata_records_the_label_leak(tmp_path):
    raw = write(tmp_path)
    meta = cornell.load("toy", raw, use_cache=False, feature_noise=0.6, seed=3).metadata
    assert meta["features"] == "label-derived: one-hot(y) + N(0, sigma^2) noise"
    assert (meta["sigma"], meta["seed"]) == (0.6, 3)
    assert "leaks" in meta["feature_warning"]


def test_zero_noise_gives_the_exact_one_hot(tmp_path):
    raw = write(tmp_path)
    x = cornell.load("toy", raw, use_cache=False, feature_noise=0.0).x
    torch.testing.assert_close(x, torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))


def test_features_none_gives_no_x(tmp_path):
    data = cornell.load("toy", write(tmp_path), use_cache=False, features=None)
    assert data.x is None and data.metadata["features"] is None


def test_feature_dim_pads_with_pure_noise_columns(tmp_path):
    data = cornell.load("toy", write(tmp_path), use_cache=False, feature_dim=100,
                        feature_noise=0.0)
    assert data.x.shape == (3, 100) and data.metadata["feature_dim"] == 100
    assert float(data.x[:, 2:].abs().sum()) == 0.0


def test_noise_is_seeded_and_has_standard_deviation_sigma():
    y = torch.arange(4).repeat(5000)
    a = cornell.noisy_onehot(y, 4, sigma=0.6, seed=1)
    torch.testing.assert_close(a, cornell.noisy_onehot(y, 4, sigma=0.6, seed=1))
    assert not torch.equal(a, cornell.noisy_onehot(y, 4, sigma=0.6, seed=2))
    noise = a - torch.nn.functional.one_hot(y, 4).float()
    assert abs(float(noise.std()) - 0.6) < 0.01 and abs(float(noise.mean())) < 0.01


def test_new_seed_reuses_the_cached_parse(tmp_path, monkeypatch):
    raw = write(tmp_path)
    first = cornell.load("toy", raw, seed=0)

    def boom(*args, **kwargs):
        raise AssertionError("re-parsed")

    monkeypatch.setattr(cornell, "_build", boom)
    second = cornell.load("toy", raw, seed=1, dedup=True, self_loops=True)
    assert not torch.equal(first.x, second.x)
    assert torch.equal(first.y, second.y)
    with pytest.raises(AssertionError, match="re-parsed"):
        cornell.load("toy", raw, use_cache=False)


def test_cache_file_is_written_and_a_changed_file_is_reparsed(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    raw = write(tmp_path / "raw")
    cornell.load("toy", raw, cache=cache)
    assert len(list((cache / "toy").glob("*.pt"))) == 1
    (raw / "hyperedges-toy.txt").write_text("1,2,3\n")
    assert cornell.load("toy", raw, cache=cache).hypergraph.edges() == [[0, 1, 2]]


# ---------------------------------------------------------------------- detection
def test_detect_and_required_files(tmp_path):
    assert not cornell.detect(tmp_path)
    write(tmp_path)
    assert cornell.detect(tmp_path)
    assert cornell.detect_names({"hyperedges-x.txt"}) and not cornell.detect_names({"x.edges"})
    known = [RemoteFile(p, "", None) for p in (
        "README.txt", "hyperedges-x.txt", "label-names-x.txt", "node-labels-x.txt",
        "node-names-x.txt")]
    assert cornell.required_files("allset-x", tmp_path, known) == [
        "hyperedges-x.txt", "label-names-x.txt", "node-labels-x.txt"]


# ---------------------------------------------------------------------- property
@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=5), max_size=8))
def test_roundtrip_of_random_hyperedge_lines(lines):
    with tempfile.TemporaryDirectory() as tmp:
        text = "".join(",".join(map(str, line)) + "\n" for line in lines)
        raw = write(Path(tmp), edges=text, labels="1\n" * 6)
        data = cornell.load("toy", raw, use_cache=False, features=None)
    firsts = [list(dict.fromkeys(v - 1 for v in line)) for line in lines]
    assert data.hypergraph.edges() == [sorted(e) for e in firsts]
    # Incidences keep file order (first occurrence of each node in its line).
    assert data.hypergraph.hyperedge_index[0].tolist() == [v for e in firsts for v in e]
    assert data.num_edges == len(lines) and data.num_nodes == 6
