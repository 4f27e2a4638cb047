"""Higher-order link prediction (ScHoLP): split, projection, open triangles, labels, scores."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from hgkit.datasets.data import TemporalHypergraph
from hgkit.tasks import holp as H
from hgkit.tasks import holp_bench as HB
from hgkit.tasks.benchmark import BenchmarkError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def temporal(simplices: list[list[int]], times: list[int], num_nodes: int) -> TemporalHypergraph:
    return TemporalHypergraph(torch.tensor([len(s) for s in simplices]),
                              torch.tensor([v for s in simplices for v in s], dtype=torch.long),
                              torch.tensor(times), num_nodes)


def quirk_toy() -> TemporalHypergraph:
    """OLD (t=1): triangles {0,1,2} and {5,6,7} as pairs plus pendant edges; NEW (t=2)."""
    old = [[0, 1], [0, 2], [1, 2], [0, 3], [1, 4], [5, 6], [5, 7], [6, 7], [6, 8], [7, 9],
           [3, 4, 8]]
    new = [[0, 1, 2], [5, 6, 7, 10]]
    return temporal(old + new, [1] * len(old) + [2] * len(new), 11)


def random_temporal(seed: int, n: int = 12, m: int = 40) -> TemporalHypergraph:
    rng = np.random.default_rng(seed)
    simplices = [rng.choice(n, size=rng.integers(1, 5), replace=True).tolist() for _ in range(m)]
    return temporal(simplices, rng.integers(0, 10, size=m).tolist(), n)


# ---------------------------------------------------------------------- split and projection
def test_split_keeps_simplices_at_the_cutoff_in_old() -> None:
    th = temporal([[0, 1], [1, 2], [0, 2], [2, 3], [0, 1, 2]], [1, 2, 3, 3, 5], 4)
    s = H.temporal_split(th, 50)  # quantile 3.0
    assert s.t_old == 3 and s.t_new == 5
    assert s.old.tolist() == [True, True, True, True, False]
    assert s.new.tolist() == [False, False, False, False, True]


def test_split_rounds_half_to_even_and_bounds_new() -> None:
    th = temporal([[0, 1]] * 4, [0, 1, 2, 3], 2)
    assert H.temporal_split(th, 50).t_old == 2  # quantile 1.5 -> 2 (even)
    s = H.temporal_split(th, 0, 50)  # quantile 0 -> 0; NEW = (0, 2]
    assert s.new.tolist() == [False, True, True, False]
    th = temporal([[0, 1]] * 2, [0, 1], 2)
    assert H.temporal_split(th, 50).t_old == 0  # quantile 0.5 -> 0 (even)


def test_projection_counts_simplices_with_multiplicity() -> None:
    th = temporal([[0, 1, 2], [0, 1], [0, 0, 1], [3]], [1, 1, 1, 1], 5)
    B = H.projection(th).toarray()
    assert B.tolist() == [[0, 4, 1, 0, 0], [4, 0, 1, 0, 0], [1, 1, 0, 0, 0],
                          [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    assert H.simplex_degrees(th).tolist() == [4, 3, 1, 1, 0]
    assert H.projection(th, np.array([False, True, False, False])).toarray()[0, 1] == 1


# ---------------------------------------------------------------------- triangles and labels
def test_closed_triples_drop_repeats_and_filtered_nodes() -> None:
    th = temporal([[0, 1, 2, 2], [1, 2, 3]], [1, 1], 4)
    keys = H.closed_triples(th)
    assert keys.tolist() == [(0 * 4 + 1) * 4 + 2, (1 * 4 + 2) * 4 + 3]
    keep = np.array([True, True, True, False])
    assert H.closed_triples(th, nodes=keep).tolist() == [(0 * 4 + 1) * 4 + 2]


def test_open_triangles_exclude_triples_inside_a_simplex() -> None:
    th = temporal([[0, 1], [1, 2], [0, 2], [1, 2, 3]], [1, 1, 1, 1], 4)
    assert H.open_triangles(th).tolist() == [[0, 1, 2]]
    th = temporal([[0, 1], [1, 2], [0, 2], [0, 1, 2, 3]], [1, 1, 1, 1], 4)
    assert H.open_triangles(th).shape == (0, 3)


def test_open_triangle_tuple_starts_at_the_lowest_degree_node() -> None:
    d = H.open_triangle_dataset(quirk_toy(), 80)
    assert sorted(d.triangles.tolist()) == [[2, 0, 1], [5, 6, 7]]


def test_reference_labels_reproduce_the_quirk() -> None:
    th = quirk_toy()
    correct = H.open_triangle_dataset(th, 80, label_mode="correct")
    ref = H.open_triangle_dataset(th, 80, label_mode="reference")
    lab_c = dict(zip(map(tuple, correct.triangles.tolist()), correct.labels.tolist(), strict=True))
    lab_r = dict(zip(map(tuple, ref.triangles.tolist()), ref.labels.tolist(), strict=True))
    assert lab_c == {(2, 0, 1): True, (5, 6, 7): True}
    assert lab_r == {(2, 0, 1): False, (5, 6, 7): True}  # i > j: never positive


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_open_triangles_match_brute_force(seed: int) -> None:
    th = random_temporal(seed)
    mask = H.temporal_split(th, 70).old
    B = H.projection(th, mask).toarray()
    sets = [set(s) for s, keep in zip(np.split(th.simplices.numpy(), th.ptr[1:-1].numpy()),
                                      mask, strict=True) if keep]
    deg = (B > 0).sum(axis=1)
    rank = {v: r for r, v in enumerate(sorted(range(th.num_nodes), key=lambda v: (deg[v], v)))}
    expected = set()
    for tri in itertools.combinations(range(th.num_nodes), 3):
        a, b, c = tri
        if B[a, b] and B[b, c] and B[a, c] and not any(set(tri) <= s for s in sets):
            i = min(tri, key=rank.__getitem__)
            expected.add((i, *sorted(set(tri) - {i})))
    got = H.open_triangles(th, mask, chunk=3)
    assert len(got) == len(expected) and set(map(tuple, got.tolist())) == expected


# ---------------------------------------------------------------------- scores
def scored_toy() -> H.OpenTriangles:
    th = random_temporal(5, n=14, m=60)
    return H.open_triangle_dataset(th, 70, label_mode="correct")


def test_generalized_means_match_their_definitions() -> None:
    d = scored_toy()
    assert len(d.triangles) > 5
    B = d.projection.toarray()
    t = d.triangles
    w = np.stack([B[t[:, 0], t[:, 1]], B[t[:, 1], t[:, 2]], B[t[:, 0], t[:, 2]]], 1)
    got = H.triangle_scores(d, ["min", "harmonic", "geometric", "arithmetic", "max",
                                "genmean_2.5", "genmean_-0.75"])
    np.testing.assert_allclose(got["harmonic"], 3 / (1 / w).sum(1))
    np.testing.assert_allclose(got["geometric"], w.prod(1) ** (1 / 3))
    np.testing.assert_allclose(got["arithmetic"], w.mean(1))
    np.testing.assert_array_equal(got["min"], w.min(1))
    np.testing.assert_array_equal(got["max"], w.max(1))
    np.testing.assert_allclose(got["genmean_2.5"], ((w**2.5).mean(1)) ** (1 / 2.5))
    np.testing.assert_allclose(got["genmean_-0.75"], ((w**-0.75).mean(1)) ** (1 / -0.75))
    assert len(H.GENMEAN_P) == 35 and "genmean_-4" in H.SCORES and "genmean_1" not in H.SCORES


@pytest.mark.parametrize("dense_limit", [0, 8192])
def test_neighbourhood_scores_match_set_definitions(dense_limit: int) -> None:
    d = scored_toy()
    B = d.projection.toarray()
    nb = [set(np.flatnonzero(row)) for row in B]
    deg = np.array([len(s) for s in nb])
    got = H.triangle_scores(d, ["common", "jaccard", "adamic_adar", "proj_graph_PA",
                                "simplex_PA"], dense_limit=dense_limit)
    for row, (i, j, k) in enumerate(d.triangles.tolist()):
        inter = nb[i] & nb[j] & nb[k]
        assert got["common"][row] == len(inter)
        assert got["jaccard"][row] == pytest.approx(len(inter) / len(nb[i] | nb[j] | nb[k]))
        assert got["adamic_adar"][row] == pytest.approx(sum(1 / math.log(deg[z])
                                                            for z in inter))
        assert got["proj_graph_PA"][row] == deg[i] * deg[j] * deg[k]
        assert got["simplex_PA"][row] == np.prod(d.simplex_degree[[i, j, k]])


def test_walk_scores_match_dense_inverses() -> None:
    d = scored_toy()
    B = d.projection.toarray().astype(float)
    n = B.shape[0]
    t = d.triangles
    got = H.triangle_scores(d, ["UPKatz", "WPKatz", "UPPR", "WPPR"])
    for name, W in (("UPKatz", (B > 0) * 1.0), ("WPKatz", B), ("UPPR", (B > 0) * 1.0),
                    ("WPPR", B)):
        if name.endswith("Katz"):
            beta = min(0.25 / np.linalg.norm(W, 2), 0.5)
            S = np.linalg.inv(np.eye(n) - beta * W) - np.eye(n)
        else:
            col = W.sum(0)
            P = W / np.where(col > 0, col, 1)
            S = 0.15 * np.linalg.inv(np.eye(n) - 0.85 * P)
        want = sum(S[t[:, a], t[:, b]] for a, b in itertools.permutations(range(3), 2))
        np.testing.assert_allclose(got[name], want, rtol=1e-8, err_msg=name)


def test_logreg_features_use_id_order() -> None:
    d = scored_toy()
    X = H.logreg_features(d)
    assert X.shape == (len(d.triangles), 26)
    srt = H.OpenTriangles(np.sort(d.triangles, axis=1), d.labels, d.projection,
                          d.simplex_degree)
    np.testing.assert_array_equal(X, H.logreg_features(srt))
    np.testing.assert_allclose(X[:, 13:22], np.log(X[:, :9]))
    np.testing.assert_allclose(X[:, 22:], np.log1p(X[:, 9:13]))


def test_aucpr_ratio() -> None:
    assert H.aucpr_ratio(np.array([0, 1, 0, 0]), np.array([0.1, 0.9, 0.2, 0.9])) == (
        pytest.approx(0.5), 0.25, pytest.approx(2.0))  # a tie with a negative
    ap, rate, ratio = H.aucpr_ratio(np.zeros(3, bool), np.ones(3))
    assert math.isnan(ap) and rate == 0 and math.isnan(ratio)


# ---------------------------------------------------------------------- errors
def test_errors_name_the_argument() -> None:
    th = quirk_toy()
    with pytest.raises(ValueError, match="Unknown score.*'scores'"):
        H.holp(th, ["harmonik"])
    with pytest.raises(ValueError, match="'label_mode'.*'wrong'"):
        H.holp(th, label_mode="wrong")
    with pytest.raises(ValueError, match="'lo'.*120"):
        H.temporal_split(th, 120)
    with pytest.raises(ValueError, match="'hi' >= lo=80"):
        H.temporal_split(th, 80, 50)
    with pytest.raises(TypeError, match="'th'.*list"):
        H.temporal_split([1, 2])
    d = H.open_triangle_dataset(th, 80)
    with pytest.raises(ValueError, match="N=10 nodes.*max_dense_nodes=5"):
        H.triangle_scores(d, ["UPPR"], max_dense_nodes=5)
    with pytest.raises(ValueError, match="'train'"):
        H.triangle_scores(d, ["logreg_supervised"])
    with pytest.raises(ValueError, match="'scores' to have shape"):
        H.aucpr_ratio(np.zeros(3), np.zeros(2))
    with pytest.raises(BenchmarkError, match="Unknown score"):
        HB.run(["scholp-email-Enron"], ["nope"], progress=False)
    with pytest.raises(BenchmarkError, match="'label_mode'"):
        HB.run(["scholp-email-Enron"], ["harmonic"], label_mode="x", progress=False)


# ---------------------------------------------------------------------- email-Enron anchors
@pytest.fixture(scope="module")
def enron() -> TemporalHypergraph:
    if not (SHARED / "scholp-email-Enron" / "raw").is_dir():
        pytest.skip(f"dataset scholp-email-Enron not found under {SHARED}")
    from hgkit import datasets

    return datasets.load("scholp-email-Enron", SHARED, download=False, progress=False)


def test_enron_reference_anchors(enron: TemporalHypergraph) -> None:
    res = H.holp(enron, ["harmonic", "geometric", "arithmetic", "UPPR", "logreg_supervised"])
    assert (res.num_open, res.num_positive) == (2574, 36)
    assert res.random == pytest.approx(1.399e-02, rel=1e-3)
    got = {k: round(v, 2) for k, v in res.aucpr_ratio.items()}
    assert got == {"harmonic": 1.78, "geometric": 1.62, "arithmetic": 1.33, "UPPR": 3.69,
                   "logreg_supervised": 1.63}  # spec table (b): logreg 1.64


def test_enron_correct_anchors(enron: TemporalHypergraph) -> None:
    res = H.holp(enron, ["harmonic", "geometric", "arithmetic"], label_mode="correct")
    assert (res.num_open, res.num_positive) == (2574, 119)
    assert {k: round(v, 2) for k, v in res.aucpr_ratio.items()} == {
        "harmonic": 1.31, "geometric": 1.40, "arithmetic": 1.36}


def test_enron_benchmark_records(enron: TemporalHypergraph) -> None:
    recs = HB.run(["scholp-email-Enron"], ["harmonic", "common"], root=SHARED,
                  label_mode="both", download=False, progress=False)
    assert [(r["label_mode"], r["model"]) for r in recs[:-1]] == [
        ("reference", "harmonic"), ("reference", "common"), ("correct", "harmonic"),
        ("correct", "common")]
    ref = recs[0]
    assert ref["task"] == "holp" and ref["metric"] == "aucpr_ratio" and ref["runs"] == 1
    assert round(ref["mean"], 2) == ref["published"] == 1.78
    assert ref["num_open"] == 2574 and ref["num_positive"] == 36 and ref["std"] == 0.0
    assert recs[2]["published"] is None and recs[2]["num_positive"] == 119
    assert recs[-1]["task"] == "env"
    table = HB.markdown_table(recs)
    assert "| scholp-email-Enron | reference | 2,574 | 36 | 1.399e-02 | 1.78 (1.78) |" in table


def test_holp_cli_writes_records_and_rejects_bad_names(enron, tmp_path, capsys) -> None:
    import json

    from hgkit.cli import main

    out = tmp_path / "holp.json"
    assert main(["holp", "--data-root", str(SHARED), "--datasets", "scholp-email-Enron",
                 "--scores", "harmonic,geometric", "--label-mode", "correct", "--no-download",
                 "--no-progress", "--json", str(out)]) == 0
    assert "| scholp-email-Enron | correct | 2,574 | 119 |" in capsys.readouterr().out
    recs = json.loads(out.read_text())
    assert [r["model"] for r in recs[:-1]] == ["harmonic", "geometric"]
    assert round(recs[0]["mean"], 2) == 1.31 and recs[-1]["task"] == "env"
    assert main(["holp", "--scores", "nope", "--no-download"]) == 2
    assert "Unknown score(s) ['nope']" in capsys.readouterr().err
