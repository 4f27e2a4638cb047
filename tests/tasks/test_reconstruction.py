"""Projection, maximal cliques, the baselines, the scores, file I/O and the CLI."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from hgkit import Hypergraph
from hgkit.cli import main
from hgkit.hypergraph.construct import from_edge_list
from hgkit.tasks import reconstruction_bench as bench
from hgkit.tasks.reconstruction import (
    CliqueLimitError,
    clique_cover,
    maximal_cliques,
    project,
    reconstruction_scores,
    to_hypergraph,
)

DATA_ROOT = Path(__file__).resolve().parents[3] / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (DATA_ROOT / "shyre-enron").is_dir(),
                                reason="needs ../shared/datasets")


def _brute_force_cliques(g: nx.Graph) -> list[tuple[int, ...]]:
    nodes = sorted(g.nodes)
    cliques = [set(c) for r in range(1, len(nodes) + 1) for c in itertools.combinations(nodes, r)
               if all(g.has_edge(a, b) for a, b in itertools.combinations(c, 2))]
    maximal = [c for c in cliques if not any(c < d for d in cliques)]
    return sorted(tuple(sorted(c)) for c in maximal)


# ---------------------------------------------------------------------- projection
def test_project_against_a_dense_reference():
    hg = from_edge_list([[0, 1, 2], [1, 2], [3], [2, 4, 4]], num_nodes=6)
    g = project(hg, weighted=True)
    dense = np.zeros((6, 4))
    for e, members in enumerate(hg.edges()):
        dense[members, e] = 1  # a repeated member counts once
    gram = dense @ dense.T
    expected = {(u, v): int(gram[u, v]) for u in range(6) for v in range(u + 1, 6) if gram[u, v]}
    assert {(min(u, v), max(u, v)): w for u, v, w in g.edges(data="weight")} == expected
    assert set(g.nodes) == set(range(6))  # 3 (singleton) and 5 (no hyperedge) are isolated
    assert sorted(project(hg).edges()) == sorted(expected)
    assert "weight" not in next(iter(project(hg).edges(data=True)))[2]


def test_project_rejects_non_hypergraphs():
    with pytest.raises(TypeError, match="'hg'"):
        project([[0, 1]])
    with pytest.raises(TypeError, match="'weighted'"):
        project(from_edge_list([[0, 1]]), weighted=1)


# ---------------------------------------------------------------------- cliques
@pytest.mark.parametrize("seed", range(6))
def test_maximal_cliques_match_brute_force(seed):
    g = nx.gnp_random_graph(9, 0.45, seed=seed)
    assert maximal_cliques(g) == _brute_force_cliques(g)


def test_maximal_cliques_from_pairs_with_self_loops_and_min_size():
    pairs = [(0, 1), (1, 2), (0, 2), (2, 2), (3, 4)]
    assert maximal_cliques(pairs) == [(0, 1, 2), (3, 4)]
    g = nx.Graph(pairs)
    g.add_node(7)
    assert maximal_cliques(g) == [(0, 1, 2), (3, 4), (7,)]
    assert maximal_cliques(g, min_size=3) == [(0, 1, 2)]


def test_maximal_cliques_stop_with_a_clear_message():
    g = nx.complete_graph(4)
    g.add_edges_from([(10, 11), (11, 12)])
    with pytest.raises(CliqueLimitError, match=r"max_cliques=1: 2 cliques found .*cover"):
        maximal_cliques(g, max_cliques=1)
    with pytest.raises(CliqueLimitError, match="time_limit=1e-09 s"):
        maximal_cliques(g, time_limit=1e-9)
    assert len(maximal_cliques(g, max_cliques=3, time_limit=60.0)) == 3


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"max_cliques": 0}, "max_cliques"), ({"min_size": 0}, "min_size"),
    ({"time_limit": -1}, "time_limit"), ({"time_limit": True}, "time_limit"),
])
def test_maximal_cliques_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        maximal_cliques([(0, 1)], **kwargs)


def test_maximal_cliques_bad_graphs():
    with pytest.raises(TypeError, match="project"):
        maximal_cliques(from_edge_list([[0, 1]]))
    with pytest.raises(ValueError, match="pairs"):
        maximal_cliques([(0, 1, 2)])
    with pytest.raises(TypeError, match="'graph'"):
        maximal_cliques(5)


@pytest.mark.parametrize("seed", range(5))
def test_clique_cover_covers_every_edge_with_cliques(seed):
    g = nx.gnp_random_graph(14, 0.35, seed=seed)
    g.add_node(20)
    cover = clique_cover(g, seed=seed)
    covered = set()
    for c in cover:
        assert all(g.has_edge(a, b) for a, b in itertools.combinations(c, 2))
        covered.update(itertools.combinations(c, 2))
    assert {tuple(sorted(e)) for e in g.edges()} <= covered
    assert (20,) in cover
    assert cover == sorted(set(cover))
    assert clique_cover(g, seed=seed) == cover  # seeded


def test_clique_cover_recovers_disjoint_cliques():
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(3))
    assert clique_cover(g, seed=1) == [(0, 1, 2, 3, 4), (5, 6, 7)]


# ---------------------------------------------------------------------- scores
def test_reconstruction_scores_by_hand():
    truth = from_edge_list([[0, 1], [1, 2, 3], [4], [1, 0]], num_nodes=5)  # a repeat
    s = reconstruction_scores([(1, 0), (1, 2), (4,), (4,)], truth)
    # R = {01, 12, 4}, E = {01, 123, 4}: |R & E| = 2, |R | E| = 4
    assert (s["jaccard"], s["precision"], s["recall"]) == (0.5, 2 / 3, 2 / 3)
    assert s["f1"] == pytest.approx(2 / 3)
    assert s["per_size"][3] == {"true": 1, "predicted": 0, "correct": 0, "precision": 0.0,
                                "recall": 0.0}
    assert s["per_size"][2]["correct"] == 1 and s["per_size"][1]["recall"] == 1.0
    empty = reconstruction_scores([], [])
    assert empty["jaccard"] == 1.0 and empty["f1"] == 0.0
    with pytest.raises(TypeError, match="node collections"):
        reconstruction_scores(3, [])


def test_to_hypergraph_round_trip():
    hg = to_hypergraph([(0, 2), (1,)], num_nodes=4)
    assert isinstance(hg, Hypergraph) and hg.num_nodes == 4 and hg.edges() == [[0, 2], [1]]
    assert to_hypergraph([(0, 5)]).num_nodes == 6


@needs_data
@pytest.mark.parametrize(("name", "expected"), [
    ("shyre-enron", 0.0419), ("shyre-school", 0.0009), ("shyre-school2", 0.0238),
    ("shyre-foursquare", 0.0962), ("shyre-crime", 0.7876),
])
def test_max_clique_jaccard_equals_the_spec(name, expected):
    from hgkit import datasets

    data = datasets.load(name, DATA_ROOT, download=False, progress=False)
    found = maximal_cliques(project(data.test))
    assert round(reconstruction_scores(found, data.test)["jaccard"], 4) == expected


def test_reconstruction_of_a_projection_with_only_maximal_hyperedges_is_exact():
    hg = from_edge_list([[0, 1, 2], [2, 3, 4], [5, 6], [7]], num_nodes=8)
    assert reconstruction_scores(maximal_cliques(project(hg)), hg)["jaccard"] == 1.0
    assert reconstruction_scores(clique_cover(project(hg)), hg)["jaccard"] == 1.0


# ---------------------------------------------------------------------- files and CLI
def test_read_graph_edge_list_and_hif(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("# a comment\na b\nb,c\n\nz\n", encoding="utf-8")
    g, labels = bench.read_graph(path)
    assert labels == ["a", "b", "c", "z"] and sorted(g.edges()) == [(0, 1), (1, 2)]
    assert g.number_of_nodes() == 4
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3\n", encoding="utf-8")
    with pytest.raises(bench.BenchmarkError, match="line 1"):
        bench.read_graph(bad)
    with pytest.raises(bench.BenchmarkError, match="no such file"):
        bench.read_graph(tmp_path / "missing.txt")
    hif = tmp_path / "h.json"
    bench.write_hyperedges([(0, 1, 2)], [10, 20, 30], hif)
    g2, labels2 = bench.read_graph(hif)
    assert labels2 == [10, 20, 30] and g2.number_of_edges() == 3


def test_write_and_read_hyperedges(tmp_path):
    for name in ("out.txt", "out.json"):
        bench.write_hyperedges([(0, 2), (1,)], ["x", "y", "z"], tmp_path / name)
        edges, labels = bench.read_hyperedges(tmp_path / name)
        assert {tuple(labels[v] for v in e) for e in edges} == {("x", "z"), ("y",)}


def test_cli_single_graph(tmp_path, capsys):
    graph = tmp_path / "g.txt"
    graph.write_text("1 2\n2 3\n1 3\n3 4\n9\n", encoding="utf-8")
    truth = tmp_path / "t.txt"
    truth.write_text("1 2 3\n3 4\n9\n", encoding="utf-8")
    assert main(["reconstruct", str(graph), "--truth", str(truth), "--no-progress"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ["1 2 3", "3 4", "9"]
    assert "jaccard 1.0000" in out.err
    target = tmp_path / "r.json"
    assert main(["reconstruct", str(graph), "--method", "cover", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["metadata"]["generator"] == "hgkit reconstruct"
    assert main(["reconstruct", str(graph), "--method", "shyre"]) == 2
    assert "--train" in capsys.readouterr().err
    assert main(["reconstruct", str(graph), "--max-cliques", "1"]) == 2
    assert "max_cliques=1" in capsys.readouterr().err
    assert main(["reconstruct", "--train", str(truth)]) == 2
    assert main(["reconstruct", "--models", "nope"]) == 2
    assert "Unknown model" in capsys.readouterr().err


@needs_data
def test_benchmark_records(tmp_path):
    out = tmp_path / "r.json"
    assert main(["reconstruct", "--data-root", str(DATA_ROOT), "--datasets", "shyre-crime",
                 "--models", "maxclique,cover", "--runs", "2", "--no-progress", "--json",
                 str(out)]) == 0
    recs = json.loads(out.read_text())
    rows = {r["model"]: r for r in recs if r["task"] == "reconstruction"}
    assert rows["maxclique"]["runs"] == 1 and rows["cover"]["runs"] == 2
    assert rows["maxclique"]["mean"] == pytest.approx(0.7876, abs=5e-5)
    assert rows["maxclique"]["published"] == 0.7876 and rows["cover"]["published"] is None
    assert recs[-1]["task"] == "env"
    assert len(rows["cover"]["scores"]) == 2


@needs_data
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # the reference MLP on Enron
def test_cli_shyre_from_files(tmp_path, capsys):
    from hgkit import datasets

    raw = DATA_ROOT / "shyre-enron" / "raw"
    data = datasets.load("shyre-enron", DATA_ROOT, download=False, progress=False)
    graph = project(data.test)
    ids = data.test_ids.tolist()  # write the query graph with the file's own node ids
    lines = [f"{ids[u]} {ids[v]}" for u, v in graph.edges()]
    lines += [str(ids[v]) for v in graph.nodes if graph.degree(v) == 0]
    edge_file = tmp_path / "enron.edges"
    edge_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.txt"
    assert main(["reconstruct", str(edge_file), "--train", str(raw / "train.txt"),
                 "--budget", "1000", "--truth", str(raw / "test.txt"), "-o", str(out),
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    jaccard = float(err.split("jaccard ")[1].split()[0])
    assert jaccard > 2 * 0.0419  # well above the max-clique baseline
    assert len(out.read_text().splitlines()) > 0
