"""The LightHGNN inference-speed experiment: records, the markdown table, argument errors, and
that DHG's HGNN and hgkit's HGNN compute the same function (so the comparison is fair)."""

from __future__ import annotations

import json
import warnings

import pytest
import torch

from hgkit import Hypergraph
from hgkit.hypergraph.generate import gnm
from hgkit.hypergraph.transforms import remove_duplicate_edges
from hgkit.layers.models import HGNN
from hgkit.tasks import distill_speed as S

SMALL = {"num_nodes": 300, "num_features": 16, "repeats": 2, "warmup": 1, "progress": False}
FIELDS = {"task", "dataset", "model", "metric", "mean", "std", "runs", "published", "seconds",
          "peak_mb", "mlp_ms", "teacher_ms", "teacher_cold_ms", "num_nodes", "num_edges", "nnz",
          "mean_edge_size", "structure_nnz", "mlp_peak_mb", "teacher_peak_mb", "threads"}


@pytest.fixture(scope="module")
def hgkit_records() -> list[dict]:
    return S.speed_experiment(dhg=False, **SMALL)


@pytest.fixture(scope="module")
def dhg_records() -> list[dict]:
    pytest.importorskip("dhg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's beta-sparse notes inside dhg
        return S.speed_experiment(**SMALL)


# ---------------------------------------------------------------------- records
def test_records_have_the_design_shape(hgkit_records: list[dict]) -> None:
    assert [(r["dataset"], r["metric"]) for r in hgkit_records] == [
        ("gnm-300-size5", "speedup_vs_hgkit"), ("gnm-300-size50", "speedup_vs_hgkit")]
    for r in hgkit_records:
        assert FIELDS <= set(r)
        assert (r["task"], r["model"], r["runs"], r["std"]) == ("distill_speed", "lighthgnn", 2,
                                                                None)
        assert r["published"] is None and r["dhg_skipped"] == "dhg=False"
        assert r["threads"] == torch.get_num_threads() and r["num_nodes"] == 300
        assert r["structure_nnz"] == r["nnz"]  # hgkit stores per-incidence weights only
        assert len(r["mlp_times_ms"]) == len(r["teacher_times_ms"]) == 2
        for key in ("mlp_peak_mb", "teacher_peak_mb", "teacher_cold_peak_mb"):
            assert r[key] is None or r[key] >= 0
    json.dumps(hgkit_records)  # JSON-ready


def test_settings_scale_with_num_nodes(hgkit_records: list[dict]) -> None:
    # DEFAULT_SETTINGS at 300 nodes: same sizes, hyperedges scaled by 300 / 55,000.
    size5, size50 = hgkit_records
    assert (size5["num_edges"], size50["num_edges"]) == (300, 60)
    assert 2 <= size5["mean_edge_size"] <= 8 and 25 <= size50["mean_edge_size"] <= 75
    assert S.scale_settings(550) == [("size5", 550, (2, 8)), ("size50", 110, (25, 75))]


def test_speedup_is_teacher_ms_over_mlp_ms(hgkit_records: list[dict]) -> None:
    for r in hgkit_records:
        assert r["mean"] == r["teacher_ms"] / r["mlp_ms"]
        assert r["mlp_ms"] > 0 and r["teacher_ms"] > 0 and r["teacher_cold_ms"] > 0


def test_explicit_settings_are_used_as_given() -> None:
    recs = S.speed_experiment(num_nodes=50, num_features=4, settings=[("tiny", 7, (3, 3))],
                              repeats=1, warmup=0, progress=False, dhg=False)
    assert [(r["dataset"], r["num_edges"], r["nnz"]) for r in recs] == [("gnm-50-tiny", 7, 21)]


def test_dhg_rows_are_present_when_dhg_imports(dhg_records: list[dict]) -> None:
    assert [(r["dataset"], r["metric"]) for r in dhg_records] == [
        ("gnm-300-size5", "speedup_vs_dhg"), ("gnm-300-size5", "speedup_vs_hgkit"),
        ("gnm-300-size50", "speedup_vs_dhg"), ("gnm-300-size50", "speedup_vs_hgkit")]
    for dhg_row, hgkit_row in zip(dhg_records[::2], dhg_records[1::2], strict=True):
        assert dhg_row["published"] == 100.0 and dhg_row["dhg_skipped"] is None
        assert dhg_row["teacher"] == "dhg.models.HGNN"
        assert dhg_row["mean"] == dhg_row["teacher_ms"] / dhg_row["mlp_ms"]
        assert dhg_row["mlp_ms"] == hgkit_row["mlp_ms"]  # one student, timed once per round
        # Same weights in both teachers: the same outputs.
        assert dhg_row["teacher_max_abs_diff"] < 1e-4
        # L_HGNN holds a nonzero per pair of nodes sharing a hyperedge: more than incidences.
        assert dhg_row["structure_nnz"] > dhg_row["nnz"]
    # At mean size 50 L_HGNN is dense-ish; hgkit's structure stays O(nnz).
    size50 = dhg_records[2]
    assert size50["structure_nnz"] > 10 * size50["nnz"]


def test_dhg_rows_are_skipped_with_a_warning_when_dhg_is_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "_dhg_module", lambda: None)
    with pytest.warns(RuntimeWarning, match="dhg is not importable"):
        recs = S.speed_experiment(num_nodes=40, num_features=4, settings=[("a", 10, (2, 3))],
                                  repeats=1, warmup=0, progress=False)
    assert [r["metric"] for r in recs] == ["speedup_vs_hgkit"]
    assert recs[0]["dhg_skipped"] == "dhg is not importable"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(("kwargs", "match"), [
    ({"num_nodes": 0}, "'num_nodes' to be an int >= 1"),
    ({"num_nodes": True}, "'num_nodes' to be an int"),
    ({"num_features": 1.5}, "'num_features' to be an int >= 1"),
    ({"num_classes": 0}, "'num_classes' to be an int >= 1"),
    ({"repeats": 0}, "'repeats' to be an int >= 1"),
    ({"warmup": -1}, "'warmup' to be an int >= 0"),
    ({"seed": -1}, "'seed' to be an int >= 0"),
    ({"progress": "yes"}, "'progress' to be True or False"),
    ({"dhg": None}, "'dhg' to be True or False"),
    ({"settings": None}, r"'settings\[1\]' hyperedge size .* \(got \(25, 75\)\)"),
    ({"settings": []}, "'settings' to be a non-empty list"),
    ({"settings": "size5"}, "'settings' to be a non-empty list"),
    ({"settings": [("a", 10)]}, r"'settings\[0\]' to be a \(name, num_edges, \(min, max\)\)"),
    ({"settings": [("", 10, (2, 3))]}, r"'settings\[0\]' to have a non-empty str name"),
    ({"settings": [("a", 0, (2, 3))]}, r"'settings\[0\] num_edges' to be an int >= 1"),
    ({"settings": [("a", 5, 3)]}, r"'settings\[0\]' hyperedge size to be a \(min, max\)"),
    ({"settings": [("a", 5, (4, 3))]}, r"'settings\[0\]' hyperedge size .* \(got \(4, 3\)\)"),
    ({"settings": [("a", 5, (2, 31))]}, r"max <= num_nodes=30"),
    ({"settings": [("a", 5, (2, 3)), ("b", 6, (2, 31))]}, r"'settings\[1\]' hyperedge size"),
    ({"settings": [("a", 5, (2, 3)), ("a", 6, (2, 3))]}, "'settings' to have distinct"),
])
def test_bad_arguments_raise_value_errors_naming_them(kwargs: dict, match: str) -> None:
    args = {"num_nodes": 30, "num_features": 4, "repeats": 1, "warmup": 0, "progress": False,
            "dhg": False, **kwargs}
    with pytest.raises(ValueError, match=match):
        S.speed_experiment(**args)


def test_scale_settings_rejects_bad_num_nodes() -> None:
    with pytest.raises(ValueError, match="'num_nodes' to be an int >= 1"):
        S.scale_settings(0)


# ---------------------------------------------------------------------- markdown
def test_markdown_table_has_one_row_per_record(hgkit_records: list[dict]) -> None:
    table = S.markdown_speed_table([*hgkit_records, {"task": "env", "git": None}])
    lines = table.splitlines()
    assert lines[0].startswith("| dataset | teacher | teacher ms | cold ms | MLP ms | speedup |")
    assert len(lines) == 2 + len(hgkit_records)  # header, rule, rows; env skipped
    for line, r in zip(lines[2:], hgkit_records, strict=True):
        assert line.startswith(f"| {r['dataset']} | hgkit HGNN | {r['teacher_ms']:.2f} |")
        assert f"| {r['mean']:.1f}x | — |" in line


def test_markdown_table_names_the_dhg_teacher_and_the_published_speedup(
        dhg_records: list[dict]) -> None:
    lines = S.markdown_speed_table(dhg_records).splitlines()[2:]
    assert [line.split(" | ")[1] for line in lines] == ["DHG HGNN", "hgkit HGNN"] * 2
    assert "| 100x |" in lines[0] and "| — |" in lines[1]


# ---------------------------------------------------------------------- same function
def _teachers_with_shared_weights(num_features: int, num_classes: int) -> tuple:
    dhg = pytest.importorskip("dhg")
    torch.manual_seed(0)
    ours = HGNN(num_features, 32, num_classes).eval()
    theirs = dhg.models.HGNN(num_features, 32, num_classes, use_bn=False, drop_rate=0.5).eval()
    S._copy_weights(ours, theirs)
    return dhg, ours, theirs


def test_dhg_and_hgkit_hgnn_compute_the_same_function() -> None:
    # Both apply X' = Dv^-1/2 H W De^-1 H^T Dv^-1/2 (X Θ + b): the bias before propagation,
    # ReLU and dropout (identity in eval) on the hidden layer, no batch norm, and neither adds
    # self-loops. An isolated node (here node 40) has degree 0, and both define 0^-1/2 = 0,
    # so it outputs 0 in both (the bias does not leak through).
    dhg, ours, theirs = _teachers_with_shared_weights(6, 3)
    base = gnm(40, 30, edge_size=(2, 6), seed=0)
    hg = Hypergraph(base.hyperedge_index, num_nodes=41, num_edges=base.num_edges)
    g = dhg.Hypergraph(41, hg.edges())
    assert g.num_e == hg.num_edges  # no duplicate hyperedges to merge
    x = torch.randn(41, 6, dtype=torch.float32)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = theirs(x, g)
        got = ours(x, hg)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(got[40], torch.zeros(3))


def test_dhg_merges_duplicate_hyperedges_so_hgkit_must_deduplicate_to_match() -> None:
    # DHG keys hyperedges by their node set: a repeated hyperedge is merged into one (weight
    # 1, merge_op="mean"); hgkit keeps a multi-hypergraph as given, where the copy doubles the
    # weight of those nodes' neighbourhood. remove_duplicate_edges gives DHG's hypergraph.
    dhg, ours, theirs = _teachers_with_shared_weights(4, 2)
    hg = Hypergraph(torch.tensor([[0, 1, 0, 1, 1, 2, 3], [0, 0, 1, 1, 2, 2, 2]]), num_nodes=4,
                    num_edges=3)
    g = dhg.Hypergraph(4, hg.edges())
    assert (g.num_e, hg.num_edges) == (2, 3)
    x = torch.randn(4, 4)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = theirs(x, g)
        assert not torch.allclose(ours(x, hg), expected, atol=1e-4)
        torch.testing.assert_close(ours(x, remove_duplicate_edges(hg)), expected)
