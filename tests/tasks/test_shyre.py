"""SHyRe-count: rho statistics, greedy sampler, candidates, count features, the estimator."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from hgkit import Hypergraph
from hgkit.tasks.reconstruction import (
    ReconstructionError,
    maximal_cliques,
    project,
    reconstruction_scores,
    to_hypergraph,
)
from hgkit.tasks.shyre import (
    FEATURE_NAMES,
    SHyRe,
    clique_statistics,
    count_features,
    optimize_sampler,
    sample_candidates,
    standardize,
)

DATA = Path("/work/shared/datasets")

# 0-1-2 and 1-2-3 share the edge 1-2; 2-4 hangs off; 5 is isolated
TOY = [(0, 1, 2), (0, 1), (1, 2, 3), (2, 4), (5,)]


def random_hypergraph(seed: int, n: int = 14, m: int = 18) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    edges = {tuple(sorted(rng.choice(n, size=rng.integers(1, 5), replace=False).tolist()))
             for _ in range(m)}
    return sorted(edges)


# ---------------------------------------------------------------------- statistics
def test_clique_statistics_by_hand():
    cliques = maximal_cliques(project(to_hypergraph(TOY)))
    assert cliques == [(0, 1, 2), (1, 2, 3), (2, 4), (5,)]
    stats = clique_statistics(TOY, cliques)
    assert sorted(stats) == [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)]
    assert stats[(3, 3)] == (frozenset({(0, 1, 2), (1, 2, 3)}), 2)  # 2 cliques x C(3, 3)
    assert stats[(3, 2)] == (frozenset({(0, 1)}), 6)  # (2, 4) is in no 3-clique
    assert stats[(3, 1)] == (frozenset(), 6)
    assert stats[(2, 2)] == (frozenset({(2, 4)}), 1)
    assert stats[(2, 1)] == (frozenset(), 2)
    assert stats[(1, 1)] == (frozenset({(5,)}), 1)


def test_clique_statistics_counts_every_containing_clique_size():
    # (1, 2) lies in the 3-clique (0, 1, 2) and in the 4-clique (1, 2, 3, 4)
    stats = clique_statistics([(1, 2), (0, 1, 2), (1, 2, 3, 4)],
                              [(0, 1, 2), (1, 2, 3, 4)])
    assert stats[(3, 2)][0] == {(1, 2)} and stats[(4, 2)][0] == {(1, 2)}
    assert stats[(4, 2)][1] == 6 and stats[(4, 1)][1] == 4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clique_statistics_matches_brute_force(seed):
    edges = random_hypergraph(seed)
    cliques = maximal_cliques(project(to_hypergraph(edges)))
    stats = clique_statistics(to_hypergraph(edges), cliques)
    count = {n: sum(len(c) == n for c in cliques) for n in {len(c) for c in cliques}}
    for (n, k), (s, cost) in stats.items():
        want = {e for e in edges if len(e) == k
                and any(len(c) == n and set(e) <= set(c) for c in cliques)}
        assert s == want
        assert cost == count[n] * math.comb(n, k)


def test_clique_statistics_ignores_duplicates_and_hyperedges_outside_the_cliques():
    stats = clique_statistics([(1, 0), (0, 1), (7, 8)], [(0, 1)])
    assert stats == {(2, 1): (frozenset(), 2), (2, 2): (frozenset({(0, 1)}), 1)}


# ---------------------------------------------------------------------- sampler
STATS = {
    (2, 2): ({"a", "b", "c"}, 3),  # 1.0
    (3, 2): ({"a", "d"}, 4),       # 0.5, then 0.25 once a is covered
    (3, 3): ({"e"}, 2),            # 0.5
    (4, 2): ({"f", "g", "h"}, 12),  # 0.25
    (5, 2): ({"a", "b"}, 100),     # 0.02, then 0 once (2, 2) is taken
}


def test_optimize_sampler_greedy_order_and_budget_cutoff():
    # (2,2) gain 1 -> left 7; (3,3) 0.5 beats column 2's 0.25 -> left 5; (3,2) and (4,2) tie
    # at 0.25, the smaller n first -> left 1; (4,2) gets r = 1/12 and exhausts the budget
    plan = optimize_sampler(STATS, budget=10)
    assert plan == [(2, 2, 1.0), (3, 3, 1.0), (3, 2, 1.0), (4, 2, pytest.approx(1 / 12))]


def test_optimize_sampler_stops_when_the_budget_is_spent_exactly():
    assert optimize_sampler(STATS, budget=9) == [(2, 2, 1.0), (3, 3, 1.0), (3, 2, 1.0)]
    assert optimize_sampler(STATS, budget=2) == [(2, 2, pytest.approx(2 / 3))]


def test_optimize_sampler_stops_when_nothing_new_can_be_covered():
    # (5, 2) only holds hyperedges already covered by (2, 2): never chosen, however large
    plan = optimize_sampler(STATS, budget=1e9)
    assert [(n, k) for n, k, _ in plan] == [(2, 2), (3, 3), (3, 2), (4, 2)]
    assert all(r == 1.0 for *_, r in plan)


def test_optimize_sampler_ties_across_columns_take_the_smallest_k():
    stats = {(2, 1): ({"x"}, 1), (2, 2): ({"y"}, 1)}
    assert optimize_sampler(stats, budget=1) == [(2, 1, 1.0)]


def test_optimize_sampler_rejects_bad_input():
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1e3"):
        with pytest.raises(ValueError, match="'budget'"):
            optimize_sampler(STATS, budget=bad)
    with pytest.raises(ValueError, match="'stats' costs"):
        optimize_sampler({(2, 2): ({"a"}, 0)}, budget=1)


# ---------------------------------------------------------------------- candidates
CLIQUES = [(0, 1, 2, 3), (0, 1, 2, 4), (5, 6, 7), (8, 9)]


def test_sample_candidates_enumerates_dedupes_and_counts_parents():
    cands = sample_candidates(CLIQUES, [(4, 3, 1.0), (3, 2, 1.0), (2, 2, 1.0)])
    assert cands.sets() == CLIQUES + [(5, 6), (5, 7), (6, 7), (0, 1, 2), (0, 1, 3), (0, 1, 4),
                                      (0, 2, 3), (0, 2, 4), (1, 2, 3), (1, 2, 4)]
    assert cands.clique_type.tolist() == [0] * 4 + [1] * 10
    assert cands.parents.tolist() == [1] * 4 + [1, 1, 1, 2, 1, 1, 1, 1, 1, 1]
    # 4 + 4 subsets of the 4-cliques, 3 of the 3-clique, the 2-clique itself (diagonal)
    assert cands.num_sampled == 12 and cands.num_sampled_unique == 11
    assert cands.num_maximal == 4 and cands.sizes.tolist()[-1] == 3


def test_sample_candidates_takes_the_first_floor_r_cliques_in_list_order():
    cands = sample_candidates(CLIQUES, [(4, 2, 0.6)])  # floor(0.6 * 2) = 1 clique
    assert cands.sets()[4:] == list(combinations((0, 1, 2, 3), 2))
    assert cands.num_sampled == 6
    swapped = sample_candidates([CLIQUES[1], CLIQUES[0]] + CLIQUES[2:], [(4, 2, 0.6)])
    assert swapped.sets()[4:] == list(combinations((0, 1, 2, 4), 2))
    assert sample_candidates(CLIQUES, [(4, 2, 0.4), (7, 2, 1.0)]).sets() == CLIQUES


def test_sample_candidates_rejects_bad_cells():
    with pytest.raises(ValueError, match="'plan'"):
        sample_candidates(CLIQUES, [(3, 4, 1.0)])
    with pytest.raises(ValueError, match="'plan'"):
        sample_candidates(CLIQUES, [(3, 2, 1.5)])


# ---------------------------------------------------------------------- features
def reference_features(sets, types, parents, graph, cliques):
    """Row-by-row networkx computation of the nine features."""
    deg = dict(graph.degree())
    and_ = nx.average_neighbor_degree(graph)
    clust = nx.clustering(graph)
    in_cliques = {v: sum(v in c for c in cliques) for v in graph}
    rows = []
    for s, t, p in zip(sets, types, parents, strict=True):
        pairs = [sum(u in c and v in c for c in cliques) for u, v in combinations(s, 2)]
        rows.append([t, len(s), float(bool(pairs) and all(x > 1 for x in pairs)),
                     np.mean(pairs) if pairs else 0.0, np.mean([deg[v] for v in s]),
                     np.mean([and_[v] for v in s]), np.mean([in_cliques[v] for v in s]),
                     np.mean([clust[v] for v in s]), p])
    return np.array(rows)


@pytest.mark.parametrize("seed", [0, 3])
def test_count_features_match_networkx(seed):
    hg = to_hypergraph(random_hypergraph(seed, n=16, m=22), num_nodes=17)  # node 16 isolated
    graph = project(hg)
    cliques = maximal_cliques(graph)
    sizes = sorted({len(c) for c in cliques})
    plan = [(n, k, 1.0) for n in sizes for k in range(1, n + 1)]
    cands = sample_candidates(cliques, plan)
    x = count_features(cands, graph, cliques)
    assert x.shape == (len(cands), len(FEATURE_NAMES)) == (len(cands), 9)
    want = reference_features(cands.sets(), cands.clique_type, cands.parents, graph, cliques)
    np.testing.assert_allclose(x, want, rtol=1e-12, atol=1e-12)
    assert set(x[:, 0]) == {0.0, 1.0} and (16,) in cands.sets()


def test_count_features_by_hand():
    graph = nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3), (1, 3)])  # two triangles sharing 1-2
    cliques = [(0, 1, 2), (1, 2, 3)]
    cands = sample_candidates(cliques, [(3, 2, 0.5), (3, 1, 0.5)])
    sets = cands.sets()
    x = count_features(cands, graph, cliques)
    row = x[sets.index((1, 2))]
    # pair 1-2 in both cliques; degrees 3, 3; neighbour degrees (2+3+2)/3 each;
    # each node in 2 cliques; clustering 2/3 each; parent: the first clique only
    np.testing.assert_allclose(row, [1, 2, 1, 2, 3, 7 / 3, 2, 2 / 3, 1])
    single = x[sets.index((0,))]
    np.testing.assert_allclose(single, [1, 1, 0, 0, 2, 3, 1, 1, 1])


def test_standardize_uses_the_arrays_own_moments_and_zeroes_constant_columns():
    x = np.array([[0.0, 2.0, 7.0], [2.0, 4.0, 7.0], [4.0, 9.0, 7.0]])
    z = standardize(x)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), [1, 1, 0], atol=1e-12)
    assert standardize(np.zeros((0, 9))).shape == (0, 9)


# ---------------------------------------------------------------------- estimator
def test_fit_records_plan_stats_timings_and_recall():
    model = SHyRe(budget=50, classifier="lr", seed=0)
    assert model.fit(TOY) is model
    assert model.plan_ == optimize_sampler(model.stats_, 50)
    assert model.train_recall_ == 1.0 and model.sampler_recall_ == 1.0
    assert set(model.timings_) == {"project", "cliques", "statistics", "sampler", "candidates",
                                   "features", "labels", "classifier_fit"}
    assert all(t >= 0 for t in model.timings_.values())
    # (0, 1, 2), (1, 2, 3), (2, 4), (5,) are maximal cliques and hyperedges; (0, 1) is not
    assert model.train_candidates_["positive_maximal"] == 4


def test_fit_accepts_a_hypergraph_or_node_sets_alike():
    a = SHyRe(budget=50, classifier="lr").fit(to_hypergraph(TOY))
    b = SHyRe(budget=50, classifier="lr").fit([set(e) for e in reversed(TOY)])
    assert a.plan_ == b.plan_ and a.stats_ == b.stats_


def test_single_label_candidate_types_get_a_constant_classifier():
    # every hyperedge is a maximal clique: all maximal-clique candidates are positive and no
    # sub-clique is sampled (only the diagonal cell)
    model = SHyRe(budget=100, classifier="mlp").fit([(0, 1, 2), (2, 3, 4)])
    assert model.plan_ == [(3, 3, 1.0)]
    assert repr(model.classifiers_["maximal"]) == "Constant(True)"
    assert repr(model.classifiers_["sub"]) == "Constant(False)"
    graph = nx.Graph([(0, 1), (1, 2), (0, 2), (5, 6)])
    assert model.reconstruct_sets(graph) == [(0, 1, 2), (5, 6)]
    assert model.candidates_["predicted"] == 2


def test_reconstruct_returns_a_hypergraph_and_query_diagnostics():
    model = SHyRe(budget=50, classifier="lr").fit(TOY)
    graph = project(to_hypergraph(TOY))
    hg = model.reconstruct(graph)
    assert isinstance(hg, Hypergraph) and hg.num_nodes == 6
    assert sorted(tuple(e) for e in hg.edges()) == model.reconstruct_sets(graph)
    assert model.reconstruct(graph, num_nodes=9).num_nodes == 9
    assert set(model.query_timings_) == {"cliques", "candidates", "features", "predict"}
    assert model.candidates_["candidates"] >= model.candidates_["maximal_cliques"] == 4


def test_reconstruct_is_invariant_to_node_labels():
    model = SHyRe(budget=50, classifier="lr").fit(TOY)
    graph = project(to_hypergraph(TOY))
    shifted = nx.relabel_nodes(graph, {v: 10 + v for v in graph})
    plain = model.reconstruct_sets(graph)
    assert model.reconstruct_sets(shifted) == [tuple(10 + v for v in s) for s in plain]
    named = nx.relabel_nodes(graph, {v: f"v{v}" for v in graph})
    assert model.reconstruct_sets(named) == sorted(tuple(f"v{v}" for v in s) for s in plain)
    with pytest.raises(ValueError, match="'graph' node labels"):
        model.reconstruct(named)


def test_same_seed_same_model():
    edges = random_hypergraph(5, n=20, m=40)
    a = SHyRe(budget=200, seed=7).fit(edges)
    b = SHyRe(budget=200, seed=7).fit(edges)
    graph = project(to_hypergraph(edges))
    assert a.reconstruct_sets(graph) == b.reconstruct_sets(graph)


def test_errors_name_the_argument():
    with pytest.raises(RuntimeError, match="not fitted"):
        SHyRe().reconstruct_sets([(0, 1)])
    for bad in (0, -5, "big", float("inf")):
        with pytest.raises(ValueError, match="'budget'"):
            SHyRe(budget=bad).fit(TOY)
    with pytest.raises(ValueError, match="'classifier'"):
        SHyRe(classifier="svm").fit(TOY)
    with pytest.raises(TypeError, match="'classifier'"):
        SHyRe(classifier=object()).fit(TOY)
    with pytest.raises(TypeError, match="'seed'"):
        SHyRe(seed=1.5).fit(TOY)
    with pytest.raises(ReconstructionError, match="'train'"):
        SHyRe().fit([])
    model = SHyRe(budget=50, classifier="lr").fit(TOY)
    with pytest.raises(TypeError, match="'graph'"):
        model.reconstruct_sets(to_hypergraph(TOY))
    with pytest.raises(ValueError, match="'num_nodes'"):
        model.reconstruct(project(to_hypergraph(TOY)), num_nodes=3)


def test_an_estimator_instance_is_cloned_for_each_candidate_type():
    from sklearn.tree import DecisionTreeClassifier

    proto = DecisionTreeClassifier(random_state=0)
    model = SHyRe(budget=200, classifier=proto).fit(random_hypergraph(5, n=20, m=40))
    fitted = [c for c in model.classifiers_.values() if isinstance(c, DecisionTreeClassifier)]
    assert fitted and all(c is not proto for c in fitted)
    assert not hasattr(proto, "tree_")


@pytest.mark.skipif(not (DATA / "shyre-enron").is_dir(), reason="needs the shyre-enron data")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_enron_end_to_end_matches_the_reference_sampler_and_beats_max_clique():
    from hgkit import datasets

    data = datasets.load("shyre-enron", DATA, download=False, progress=False)
    model = SHyRe(budget=1e3, seed=123).fit(data.train)
    assert model.sampler_recall_ == pytest.approx(0.321, abs=1e-3)  # spec 2.8
    scores = model.score(data.test)
    # spec 2.8 test-side anchors: 970 subsets sampled, 746 unique; recall bound 229 / 756
    cands = scores["candidates"]
    assert (cands["sampled"], cands["sampled_unique"], cands["maximal_cliques"]) == (
        970, 746, 362)
    assert scores["candidate_recall"] == pytest.approx(229 / 756)
    baseline = reconstruction_scores(maximal_cliques(project(data.test)), data.test)
    assert baseline["jaccard"] == pytest.approx(0.0419, abs=1e-4)
    assert scores["jaccard"] > 2 * baseline["jaccard"] and scores["jaccard"] > 0.1
