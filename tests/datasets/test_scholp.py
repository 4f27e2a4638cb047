"""ScHoLP timestamped simplices: <D>-nverts / -simplices / -times (.txt.gz)."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit import datasets
from hgkit.datasets import DatasetError, TemporalHypergraph, scholp
from hgkit.datasets.base import RemoteFile

from .conftest import SHARED, require


def put(path: Path, text: str) -> None:
    """Write ``text`` gzipped when ``path`` ends in .gz, plain otherwise."""
    data = text.encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def toy(raw: Path, d: str = "toy", nverts: str = "3\n2\n3\n",
        simplices: str = "1\n2\n3\n2\n5\n3\n2\n1\n", times: str = "10\n15\n21\n",
        suffix: str = ".txt.gz", **extra: str) -> Path:
    """The DATA-DESCRIPTION example ({1,2,3}@10, {2,5}@15, {3,2,1}@21) as a ScHoLP folder."""
    raw.mkdir(parents=True, exist_ok=True)
    for part, text in (("nverts", nverts), ("simplices", simplices), ("times", times),
                       *((k.replace("_", "-"), v) for k, v in extra.items())):
        if text is not None:
            put(raw / f"{d}-{part}{suffix}", text)
    return raw


# ---------------------------------------------------------------------- real datasets
# Verified counts from each SOURCE.md: timestamped simplices (with repeats), distinct
# simplices as node SETS (TemporalHypergraph.to_hypergraph(unique=True) compares node sets),
# nodes appearing in some simplex, num_nodes = largest id (ids that never occur are kept as
# isolated nodes), size-1 simplices, largest simplex.
REAL = {
    "scholp-NDC-classes": (49724, 1088, 1161, 1161, 3441, 24),
    "scholp-congress-bills": (260851, 84799, 1718, 1718, 154922, 25),
    "scholp-contact-high-school": (172035, 7818, 327, 327, 0, 5),
    "scholp-contact-primary-school": (106879, 12704, 242, 242, 0, 5),
    "scholp-email-Enron": (10883, 1512, 143, 148, 431, 18),
    "scholp-email-Eu": (234760, 25027, 998, 1005, 25755, 25),
    "scholp-tags-math-sx": (822059, 170476, 1629, 1629, 263787, 5),
    "scholp-threads-ask-ubuntu": (192947, 166999, 125602, 200974, 75183, 14),
}
#: Total vertex entries ("nconns") from ScHoLP's summary-stats (structure-tasks spec, 3.2 d).
NCONNS = {"scholp-email-Enron": 26841, "scholp-contact-high-school": 352718,
          "scholp-contact-primary-school": 223998, "scholp-NDC-classes": 156185,
          "scholp-tags-math-sx": 1801637, "scholp-email-Eu": 547501,
          "scholp-congress-bills": 954262}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_dataset_counts(name, shared_root):
    require(name)
    stamped, distinct, appearing, num_nodes, singles, largest = REAL[name]
    th = datasets.load(name, root=SHARED, download=False)
    assert isinstance(th, TemporalHypergraph)
    assert th.num_simplices == stamped and th.times.numel() == stamped
    assert th.num_nodes == num_nodes
    assert th.metadata["nodes_appearing"] == appearing
    assert th.metadata["isolated_ids"] == num_nodes - appearing
    assert int((th.nverts == 1).sum()) == singles and int(th.nverts.max()) == largest
    assert int(th.simplices.min()) == 0 and int(th.simplices.max()) == num_nodes - 1
    if name in NCONNS:
        assert th.simplices.numel() == NCONNS[name]
    assert th.to_hypergraph(unique=True).num_edges == distinct


def test_node_labels_space_separated(shared_root):
    require("scholp-email-Enron")
    th = datasets.load("scholp-email-Enron", root=SHARED, download=False)
    assert len(th.node_labels) == 148  # the label file names all 148 ids, 5 never occur
    assert th.node_labels[:2] == ["phillip.allen@enron.com", "john.arnold@enron.com"]


def test_node_labels_tab_separated_and_out_of_order(shared_root):
    require("scholp-congress-bills")
    th = datasets.load("scholp-congress-bills", root=SHARED, download=False)
    assert len(th.node_labels) == 1718 and all(th.node_labels)
    assert th.node_labels[1703] == "Dayton, Mark [MN]"  # first line: "1704<TAB>Dayton, ..."
    assert th.node_labels[305] == "WHITE"


def test_datasets_without_label_file_have_no_node_labels(shared_root):
    require("scholp-contact-high-school")
    th = datasets.load("scholp-contact-high-school", root=SHARED, download=False)
    assert th.node_labels is None


def test_temporal_80_20_split_is_a_mask_on_times(shared_root):
    require("scholp-email-Enron")
    th = datasets.load("scholp-email-Enron", root=SHARED, download=False)
    t80 = round(float(torch.quantile(th.times.double(), 0.8)))
    old = th.times <= t80
    # t80 = round(quantile(times, 0.8)) (linear interpolation): ~80 % of simplices are OLD.
    assert abs(float(old.double().mean()) - 0.8) < 0.01
    old_hg = th.to_hypergraph(unique=False, mask=old)
    assert old_hg.num_edges == int(old.sum())
    assert old_hg.nnz == int(th.nverts[old].sum())


def test_copied_and_renamed_folder_loads(shared_root, tmp_path):
    src = require("scholp-email-Enron")
    raw = tmp_path / "my-mail" / "raw"
    raw.mkdir(parents=True)
    for path in src.iterdir():
        (raw / path.name.replace("email-Enron", "my-mail")).write_bytes(path.read_bytes())
    assert datasets.family_of("my-mail", root=tmp_path) == "scholp"
    copy = datasets.load("my-mail", root=tmp_path, download=False)
    orig = datasets.load("scholp-email-Enron", root=SHARED, download=False)
    for field in ("nverts", "simplices", "times"):
        assert torch.equal(getattr(copy, field), getattr(orig, field))
    assert copy.node_labels == orig.node_labels and copy.metadata["prefix"] == "my-mail"


def test_truncated_gzip_is_named(shared_root, tmp_path):
    src = require("scholp-email-Enron")
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in src.glob("email-Enron-*"):
        data = path.read_bytes()
        if path.name == "email-Enron-times.txt.gz":
            data = data[: len(data) // 2]
        (raw / path.name).write_bytes(data)
    with pytest.raises(DatasetError, match=r"email-Enron-times\.txt\.gz is truncated"):
        scholp.load("email-Enron", raw, use_cache=False)


# ---------------------------------------------------------------------- parsing
@pytest.mark.parametrize("suffix", [".txt.gz", ".txt"])
def test_data_description_example(tmp_path, suffix):
    th = scholp.load("toy", toy(tmp_path, suffix=suffix), use_cache=False)
    assert th.nverts.tolist() == [3, 2, 3] and th.times.tolist() == [10, 15, 21]
    assert th.simplices.tolist() == [0, 1, 2, 1, 4, 2, 1, 0]
    assert th.num_nodes == 5 and th.node_labels is None
    assert th.metadata["nodes_appearing"] == 4 and th.metadata["isolated_ids"] == 1  # id 4
    assert th.to_hypergraph(unique=False).edges() == [[0, 1, 2], [1, 4], [0, 1, 2]]
    assert th.to_hypergraph(unique=True).edges() == [[0, 1, 2], [1, 4]]


def test_spaces_signs_and_crlf_are_accepted(tmp_path):
    raw = toy(tmp_path, times=" 10\r\n+15\r\n-21 \r\n")
    assert scholp.load("toy", raw, use_cache=False).times.tolist() == [10, 15, -21]


def test_node_labels_in_any_order_with_gaps_and_extra_ids(tmp_path):
    raw = toy(tmp_path, node_labels="7\tseven\n1 one\n2  two words\n")
    th = scholp.load("toy", raw, use_cache=False)
    assert th.num_nodes == 7  # the label file names id 7, beyond the largest simplex id 5
    assert th.node_labels == ["one", "two words", "", "", "", "", "seven"]


def test_simplex_labels_on_request(tmp_path):
    raw = toy(tmp_path, simplex_labels="a\nb c\nd\n")
    assert "simplex_labels" not in scholp.load("toy", raw, use_cache=False).metadata
    th = scholp.load("toy", raw, use_cache=False, simplex_labels=True)
    assert th.metadata["simplex_labels"] == ["a", "b c", "d"]


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("simplices, line, content", [
    ("1\n2\nx\n2\n5\n3\n2\n1\n", 3, "'x'"),
    ("1\n2\n3\n\n5\n3\n2\n1\n", 4, "''"),
    ("1\n2\n3\n2 5\n3\n2\n1\n", 4, "'2 5'"),
    ("1\n2\n3.0\n2\n5\n3\n2\n1\n", 3, "'3.0'"),
])
def test_malformed_line_names_file_line_and_content(tmp_path, simplices, line, content):
    raw = toy(tmp_path, simplices=simplices)
    with pytest.raises(DatasetError, match=rf"toy-simplices\.txt\.gz, line {line}: .*{content}"):
        scholp.load("toy", raw, use_cache=False)


def test_overflowing_integer_is_malformed(tmp_path):
    raw = toy(tmp_path, times="10\n99999999999999999999\n21\n")
    with pytest.raises(DatasetError, match=r"toy-times\.txt\.gz, line 2: .*64-bit"):
        scholp.load("toy", raw, use_cache=False)


def test_zero_node_id_and_empty_simplex_are_rejected(tmp_path):
    raw = toy(tmp_path / "a", simplices="1\n2\n3\n0\n5\n3\n2\n1\n")
    with pytest.raises(DatasetError, match=r"toy-simplices\.txt\.gz, line 4: .*node id >= 1"):
        scholp.load("toy", raw, use_cache=False)
    raw = toy(tmp_path / "b", nverts="3\n0\n5\n")
    with pytest.raises(DatasetError, match=r"toy-nverts\.txt\.gz, line 2: .*size >= 1"):
        scholp.load("toy", raw, use_cache=False)


def test_counts_that_disagree_name_the_files(tmp_path):
    raw = toy(tmp_path / "a", simplices="1\n2\n3\n")
    with pytest.raises(DatasetError, match=r"toy-nverts\.txt\.gz sums to 8 but "
                                           r"toy-simplices\.txt\.gz has 3 lines"):
        scholp.load("toy", raw, use_cache=False)
    raw = toy(tmp_path / "b", times="10\n15\n")
    with pytest.raises(DatasetError, match=r"toy-nverts\.txt\.gz has 3 lines but "
                                           r"toy-times\.txt\.gz has 2"):
        scholp.load("toy", raw, use_cache=False)


def test_bad_node_label_lines(tmp_path):
    raw = toy(tmp_path / "a", node_labels="1 a\nb 2\n")
    with pytest.raises(DatasetError, match=r"toy-node-labels\.txt\.gz, line 2: .*'b 2'"):
        scholp.load("toy", raw, use_cache=False)
    raw = toy(tmp_path / "b", node_labels="1 a\n1 b\n")
    with pytest.raises(DatasetError, match=r"line 2: expected each id once \(id 1 is repeated"):
        scholp.load("toy", raw, use_cache=False)


def test_simplex_label_count_must_match(tmp_path):
    raw = toy(tmp_path, simplex_labels="a\nb\n")
    with pytest.raises(DatasetError, match=r"simplex-labels\.txt\.gz has 2 lines but there "
                                           r"are 3 simplices"):
        scholp.load("toy", raw, use_cache=False, simplex_labels=True)


def test_missing_file_is_named(tmp_path):
    raw = toy(tmp_path, times=None)
    with pytest.raises(DatasetError, match=r"Missing file .*toy-times\.txt\.gz"):
        scholp.load("toy", raw, use_cache=False)
    raw = toy(tmp_path / "b")
    with pytest.raises(DatasetError, match=r"Missing file .*toy-simplex-labels\.txt\.gz"):
        scholp.load("toy", raw, use_cache=False, simplex_labels=True)


def test_corrupt_gzip_is_named(tmp_path):
    raw = toy(tmp_path)
    data = bytearray((raw / "toy-nverts.txt.gz").read_bytes())
    data[12:16] = b"\xff\xff\xff\xff"  # damage the deflate stream
    (raw / "toy-nverts.txt.gz").write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"toy-nverts\.txt\.gz is truncated or corrupt"):
        scholp.load("toy", raw, use_cache=False)


def test_unknown_option_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="dedup"):
        scholp.load("toy", toy(tmp_path), dedup=True)
    with pytest.raises(TypeError, match="'simplex_labels' to be a bool"):
        scholp.load("toy", toy(tmp_path), simplex_labels="yes")


def test_prefix_is_chosen_by_name_among_several(tmp_path):
    toy(tmp_path, d="a")
    toy(tmp_path, d="email-a", nverts="1\n1\n6\n")
    assert scholp.load("scholp-email-a", tmp_path, use_cache=False).metadata["prefix"] == \
        "email-a"
    with pytest.raises(DatasetError, match=r"several ScHoLP datasets .*\(a, email-a\)"):
        scholp.load("zzz", tmp_path, use_cache=False)


# ---------------------------------------------------------------------- cache
def test_second_load_hits_the_cache(tmp_path, monkeypatch):
    raw = toy(tmp_path / "raw")
    first = scholp.load("toy", raw, cache=tmp_path / "cache")
    assert len(list((tmp_path / "cache" / "toy").glob("*.pt"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("re-parsed")

    monkeypatch.setattr(scholp, "_build", boom)
    second = scholp.load("toy", raw, cache=tmp_path / "cache")
    assert torch.equal(first.simplices, second.simplices)
    with pytest.raises(AssertionError, match="re-parsed"):
        scholp.load("toy", raw, cache=tmp_path / "cache", use_cache=False)


def test_changed_file_is_reparsed(tmp_path):
    raw = toy(tmp_path / "raw")
    scholp.load("toy", raw, cache=tmp_path / "cache")
    put(raw / "toy-times.txt.gz", "1\n2\n3\n4\n5\n6\n7\n")
    put(raw / "toy-nverts.txt.gz", "1\n1\n1\n1\n1\n1\n2\n")
    th = scholp.load("toy", raw, cache=tmp_path / "cache")
    assert th.num_simplices == 7


# ---------------------------------------------------------------------- detection
def test_detect_and_required_files(tmp_path):
    assert not scholp.detect(tmp_path)
    toy(tmp_path)
    assert scholp.detect(tmp_path)
    assert scholp.detect_names({"x-nverts.txt.gz"}) and not scholp.detect_names({"x.edges"})
    known = [RemoteFile(p, "", None) for p in (
        "README.txt", "DATA-DESCRIPTION.txt", "x-node-labels.txt.gz", "x-nverts.txt.gz",
        "x-simplex-labels.txt.gz", "x-simplices.txt.gz", "x-times.txt.gz")]
    assert scholp.required_files("scholp-x", tmp_path, known) == [
        "x-node-labels.txt.gz", "x-nverts.txt.gz", "x-simplices.txt.gz", "x-times.txt.gz"]


# ---------------------------------------------------------------------- property
@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(1, 9), min_size=1, max_size=4),
                          st.integers(-10**12, 10**12)), max_size=10))
def test_roundtrip_of_random_simplices(rows):
    def column(values):
        return "".join(f"{v}\n" for v in values)

    with tempfile.TemporaryDirectory() as tmp:
        raw = toy(Path(tmp), nverts=column(len(s) for s, _ in rows),
                  simplices=column(v for s, _ in rows for v in s),
                  times=column(t for _, t in rows))
        th = scholp.load("toy", raw, use_cache=False)
    assert th.nverts.tolist() == [len(s) for s, _ in rows]
    assert th.simplices.tolist() == [v - 1 for s, _ in rows for v in s]
    assert th.times.tolist() == [t for _, t in rows]
    assert th.num_nodes == max((v for s, _ in rows for v in s), default=0)
