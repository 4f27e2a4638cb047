"""HIF (Hypergraph Interchange Format): reading, writing, validation, interop with XGI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hgkit.hypergraph import Hypergraph
from hgkit.hypergraph import hif as hif_module
from hgkit.hypergraph.hif import HIFResult, hif_schema, read_hif, to_hif, validate_hif, write_hif

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared/specs/hif/hif_schema_v0.1.0.json"


def inc(edge, node, **extra):
    return {"edge": edge, "node": node, **extra}


def roundtrip(hg: Hypergraph, **kwargs) -> HIFResult:
    buffer = io.StringIO()
    write_hif(hg, buffer, **kwargs)
    return read_hif(io.StringIO(buffer.getvalue()))


# ---------------------------------------------------------------------------------- reading
def test_read_maps_ids_in_order_of_first_appearance():
    doc = {
        "nodes": [{"node": "z"}],
        "edges": [{"edge": 10}],
        "incidences": [inc("e", "a"), inc(10, "b"), inc("e", "z")],
    }
    hg, node_ids, edge_ids, network_type, metadata = read_hif(doc)
    assert node_ids == ["z", "a", "b"]
    assert edge_ids == [10, "e"]
    assert hg.hyperedge_index.tolist() == [[1, 2, 0], [1, 0, 1]]  # file order kept
    assert (network_type, metadata) == ("undirected", {})


def test_read_listed_node_without_incidence_is_isolated_and_listed_edge_is_empty():
    doc = {"nodes": [{"node": "lonely"}], "edges": [{"edge": "void"}],
           "incidences": [inc("e", "a")]}
    hg = read_hif(doc).hypergraph
    assert (hg.num_nodes, hg.num_edges) == (2, 2)
    assert hg.edges() == [[], [1]]
    assert hg.node_count.tolist() == [0, 1]


def test_read_empty_document():
    hg = read_hif({"incidences": []}).hypergraph
    assert (hg.num_nodes, hg.num_edges, hg.nnz) == (0, 0, 0)


def test_string_and_integer_ids_are_different():
    hg, node_ids, _, _, _ = read_hif({"incidences": [inc(0, "1"), inc(0, 1)]})
    assert node_ids == ["1", 1]
    assert hg.num_nodes == 2


def test_repeated_incidence_is_kept():
    hg = read_hif({"incidences": [inc("e", "a"), inc("e", "a")]}).hypergraph
    assert hg.nnz == 2
    assert hg.incidence("dense").tolist() == [[2.0]]


def test_read_weights_missing_entries_default_to_one():
    doc = {
        "nodes": [{"node": "a", "weight": 3}, {"node": "b"}],
        "edges": [{"edge": "e", "weight": 0.5}],
        "incidences": [inc("e", "a", weight=2.0), inc("e", "b"), inc("f", "b")],
    }
    hg = read_hif(doc).hypergraph
    torch.testing.assert_close(hg.node_weight, torch.tensor([3.0, 1.0]))
    torch.testing.assert_close(hg.edge_weight, torch.tensor([0.5, 1.0]))
    torch.testing.assert_close(hg.incidence_attr, torch.tensor([[2.0], [1.0], [1.0]]))


def test_read_without_weights_has_none():
    hg = read_hif({"incidences": [inc("e", "a")], "nodes": [{"node": "a"}]}).hypergraph
    assert hg.edge_weight is None and hg.node_weight is None and hg.incidence_attr is None


def test_features_on_every_node_become_node_attr():
    doc = {
        "nodes": [{"node": "a", "attr": {"features": [1.0, 2.0]}},
                  {"node": "b", "attr": {"features": [3.0, 4.0], "color": "red"}}],
        "edges": [{"edge": "e", "attr": {"features": 7}}],
        "incidences": [inc("e", "a"), inc("e", "b")],
    }
    hg = read_hif(doc).hypergraph
    torch.testing.assert_close(hg.node_attr, torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert hg.edge_attr.tolist() == [7] and hg.edge_attr.dtype == torch.int64


def test_features_on_only_some_nodes_are_not_carried():
    doc = {"nodes": [{"node": "a", "attr": {"features": [1.0]}}],
           "incidences": [inc("e", "a"), inc("e", "b")]}  # "b" has no features
    assert read_hif(doc).hypergraph.node_attr is None


def test_xgi_spelling_attrs_is_read_like_attr():
    doc = {"edges": [{"edge": "e", "attrs": {"features": [0.5]}}], "incidences": [inc("e", 0)]}
    torch.testing.assert_close(read_hif(doc).hypergraph.edge_attr, torch.tensor([[0.5]]))


def test_ragged_features_are_an_error():
    doc = {"nodes": [{"node": "a", "attr": {"features": [1.0]}},
                     {"node": "b", "attr": {"features": [1.0, 2.0]}}],
           "incidences": []}
    with pytest.raises(ValueError, match=r"'nodes\[\*\]\.attr\.features' must form a rectang"):
        read_hif(doc)


@pytest.mark.parametrize("network_type", ["directed", "asc"])
def test_directed_and_asc_are_read_as_hypergraphs_and_recorded(network_type):
    doc = {"network-type": network_type, "metadata": {"name": "toy"},
           "incidences": [inc("e", "a", direction="tail"), inc("e", "b", direction="head"),
                          inc("e", "a", direction="head")]}
    hg, _, _, kind, metadata = read_hif(doc)
    assert kind == network_type and metadata == {"name": "toy"}
    assert hg.edges() == [[0, 0, 1]]  # direction ignored: "a" as tail and head


def test_read_from_path_binary_file_and_gzip(tmp_path):
    doc = {"incidences": [inc("e", "a")]}
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    assert read_hif(path).node_ids == ["a"]
    assert read_hif(str(path)).node_ids == ["a"]
    with open(path, "rb") as handle:
        assert read_hif(handle).node_ids == ["a"]
    hg = Hypergraph(torch.tensor([[0], [0]]), num_nodes=2, num_edges=1)
    write_hif(hg, tmp_path / "h.json.gz")
    with open(tmp_path / "h.json.gz", "rb") as handle:
        assert handle.read(2) == b"\x1f\x8b"  # really gzip
    assert read_hif(tmp_path / "h.json.gz").hypergraph == hg


# ---------------------------------------------------------------------------------- reading errors
def test_read_rejects_non_json():
    with pytest.raises(ValueError, match="'source' is not valid JSON"):
        read_hif(io.StringIO("{not json"))


def test_read_rejects_nan_constant():
    text = '{"incidences": [{"edge": 0, "node": 0, "weight": NaN}]}'
    with pytest.raises(ValueError, match="NaN is not valid JSON"):
        read_hif(io.StringIO(text))


def test_read_rejects_json_text_passed_as_path():
    with pytest.raises(TypeError, match="looks like JSON text; wrap it in io.StringIO"):
        read_hif('{"incidences": []}')


def test_read_rejects_unsupported_source_type():
    with pytest.raises(TypeError, match="Expected 'source' to be a path, a file object or a dict"):
        read_hif(42)


def test_read_rejects_file_returning_non_text():
    class Weird:
        def read(self):
            return 3

    with pytest.raises(TypeError, match=r"'source.read\(\)' returned int"):
        read_hif(Weird())


def test_read_rejects_duplicate_node_entries():
    doc = {"nodes": [{"node": "a"}, {"node": "b"}, {"node": "a"}], "incidences": []}
    with pytest.raises(ValueError, match=r"'nodes\[2\]\.node' repeats id 'a' \(first listed at "
                                         r"nodes\[0\]\)"):
        read_hif(doc)


def test_read_rejects_negative_edge_weight():
    doc = {"edges": [{"edge": "e", "weight": -1}], "incidences": []}
    with pytest.raises(ValueError, match=r"'edges\[0\]\.weight' must be finite and >= 0 \(got -1"):
        read_hif(doc)


def test_read_rejects_infinite_node_weight_from_dict():
    doc = {"nodes": [{"node": "a", "weight": float("inf")}], "incidences": []}
    with pytest.raises(ValueError, match=r"'nodes\[0\]\.weight' must be finite"):
        read_hif(doc, validate=False)


# ---------------------------------------------------------------------------------- validation
BAD_DOCUMENTS = [
    ([], r"HIF document must be a JSON object \(got array\)"),
    ({}, "HIF document is missing required key 'incidences'"),
    ({"incidences": [], "hyperedges": []}, "unknown top-level key 'hyperedges'"),
    ({"incidences": {}}, r"HIF 'incidences' must be an array \(got object\)"),
    ({"incidences": [], "nodes": None}, r"HIF 'nodes' must be an array \(got null\)"),
    ({"incidences": [3]}, r"HIF 'incidences\[0\]' must be an object \(got integer\)"),
    ({"incidences": [{"edge": 1}]}, r"'incidences\[0\]' is missing required key 'node'"),
    ({"incidences": [{"edge": 0, "node": 0}, {"edge": 1, "node": 2.5}]},
     r"HIF 'incidences\[1\]\.node' must be a string or integer \(got float\)"),
    ({"incidences": [{"edge": True, "node": 0}]},
     r"'incidences\[0\]\.edge' must be a string or integer \(got boolean\)"),
    ({"incidences": [{"edge": [1], "node": 0}]},
     r"'incidences\[0\]\.edge' must be a string or integer \(got array\)"),
    ({"incidences": [{"edge": 0, "node": 0, "weight": "2"}]},
     r"'incidences\[0\]\.weight' must be a number \(got string\)"),
    ({"incidences": [{"edge": 0, "node": 0, "weight": False}]},
     r"'incidences\[0\]\.weight' must be a number \(got boolean\)"),
    ({"incidences": [{"edge": 0, "node": 0, "direction": "in"}]},
     r"'incidences\[0\]\.direction' must be 'head' or 'tail' \(got 'in'\)"),
    ({"incidences": [{"edge": 0, "node": 0, "attr": []}]},
     r"'incidences\[0\]\.attr' must be an object \(got array\)"),
    ({"incidences": [{"edge": 0, "node": 0, "unevaluatedProperties": 1}]},
     r"'incidences\[0\]' must not have the key 'unevaluatedProperties'"),
    ({"incidences": [], "nodes": [{"weight": 1}]}, r"'nodes\[0\]' is missing required key 'node'"),
    ({"incidences": [], "nodes": [{"node": None}]},
     r"'nodes\[0\]\.node' must be a string or integer \(got null\)"),
    ({"incidences": [], "edges": [{"edge": "e", "attr": "x"}]},
     r"'edges\[0\]\.attr' must be an object \(got string\)"),
    ({"incidences": [], "edges": [{"edge": "e", "weight": None}]},
     r"'edges\[0\]\.weight' must be a number \(got null\)"),
    ({"incidences": [], "network-type": "hyper"},
     r"HIF 'network-type' must be one of \['undirected', 'directed', 'asc'\] \(got 'hyper'\)"),
    ({"incidences": [], "metadata": []}, r"HIF 'metadata' must be an object \(got array\)"),
]

VALID_DOCUMENTS = [
    {"incidences": []},
    {"incidences": [{"edge": "e", "node": 1, "weight": 2, "direction": "head", "attr": {}}]},
    {"incidences": [{"edge": -3, "node": "x"}], "nodes": [{"node": "x", "weight": 0.5}],
     "edges": [{"edge": -3, "attr": {"k": [1, 2]}}], "network-type": "asc",
     "metadata": {"a": None}},
    # Unknown keys inside items are allowed by the schema as published (see module docs).
    {"incidences": [{"edge": 0, "node": 0, "extra": 1}], "nodes": [{"node": 0, "attrs": {}}]},
    # 'direction' is only constrained on incidences.
    {"incidences": [], "nodes": [{"node": 0, "direction": 5}]},
]


@pytest.mark.parametrize(("document", "message"), BAD_DOCUMENTS)
def test_builtin_validator_names_the_json_path(document, message):
    with pytest.raises(ValueError, match=message):
        validate_hif(document, use_jsonschema=False)


@pytest.mark.parametrize("document", VALID_DOCUMENTS)
def test_builtin_validator_accepts_valid_documents(document):
    validate_hif(document, use_jsonschema=False)


@pytest.mark.parametrize("document", [d for d, _ in BAD_DOCUMENTS] + VALID_DOCUMENTS)
def test_builtin_validator_agrees_with_jsonschema(document):
    jsonschema = pytest.importorskip("jsonschema")
    schema_ok = jsonschema.Draft7Validator(hif_schema()).is_valid(document)
    try:
        validate_hif(document, use_jsonschema=False)
        builtin_ok = True
    except ValueError:
        builtin_ok = False
    assert builtin_ok == schema_ok


def test_builtin_validator_is_stricter_on_integral_float_ids():
    jsonschema = pytest.importorskip("jsonschema")
    document = {"incidences": [{"edge": 1.0, "node": 0}]}
    assert jsonschema.Draft7Validator(hif_schema()).is_valid(document)  # JSON Schema: integer
    with pytest.raises(ValueError, match=r"'incidences\[0\]\.edge' .* \(got float\)"):
        validate_hif(document)


def test_read_runs_jsonschema_only_when_validate(monkeypatch):
    pytest.importorskip("jsonschema")

    class RejectAll:
        def iter_errors(self, document):
            import jsonschema

            yield jsonschema.ValidationError("rejected by the stub", path=["incidences", 0])

    monkeypatch.setattr(hif_module, "_jsonschema_validator", lambda: RejectAll())
    doc = {"incidences": [inc("e", "a")]}
    with pytest.raises(ValueError, match=r"does not match hif_schema_v0\.1\.0\.json at "
                                         r"'incidences\[0\]': rejected by the stub"):
        read_hif(doc)
    assert read_hif(doc, validate=False).node_ids == ["a"]


def test_validate_requiring_missing_jsonschema_raises_import_error(monkeypatch):
    def missing():
        raise ImportError("no jsonschema")

    monkeypatch.setattr(hif_module, "_jsonschema_validator", missing)
    validate_hif({"incidences": []})  # optional by default
    with pytest.raises(ImportError, match="needs the optional package 'jsonschema'"):
        validate_hif({"incidences": []}, use_jsonschema=True)


def test_shipped_schema_is_the_published_file_with_license():
    if not SHARED_SCHEMA.exists():
        pytest.skip("shared HIF spec not available")
    assert hif_schema() == json.loads(SHARED_SCHEMA.read_text())
    from importlib import resources

    notice = resources.files("hgkit.hypergraph").joinpath("schema").joinpath(
        "LICENSE-HIF.txt").read_text()
    assert "Copyright (c) 2024-2025 HIF development team" in notice
    assert "pszufe/HIF-standard" in notice and "schemas/hif_schema_v0.1.0.json" in notice


# ---------------------------------------------------------------------------------- writing
def test_write_lists_every_node_and_edge_with_weights_and_labels():
    hg = Hypergraph(torch.tensor([[1, 1], [0, 2]]), num_nodes=3, num_edges=3,
                    edge_weight=torch.tensor([1.0, 2.0, 0.5]))
    doc = to_hif(hg, node_labels=["a", "b", "c"], edge_labels=[10, 20, "x"],
                 metadata={"source": "test"})
    assert doc == {
        "network-type": "undirected",
        "metadata": {"source": "test"},
        "nodes": [{"node": "a"}, {"node": "b"}, {"node": "c"}],
        "edges": [{"edge": 10, "weight": 1.0}, {"edge": 20, "weight": 2.0},
                  {"edge": "x", "weight": 0.5}],
        "incidences": [{"edge": 10, "node": "b"}, {"edge": "x", "node": "b"}],
    }


def test_write_incidence_attr_column_as_weights_and_other_attrs_as_features():
    index = torch.tensor([[0, 1], [0, 0]])
    as_weight = to_hif(Hypergraph(index, incidence_attr=torch.tensor([[0.5], [2.0]])))
    assert [i["weight"] for i in as_weight["incidences"]] == [0.5, 2.0]
    as_features = to_hif(Hypergraph(index, incidence_attr=torch.tensor([[1, 2], [3, 4]])))
    assert [i["attr"] for i in as_features["incidences"]] == [
        {"features": [1, 2]}, {"features": [3, 4]}]


def test_written_file_is_valid_against_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 2]]), num_nodes=4, num_edges=3,
                    edge_weight=torch.tensor([1.0, 2.0, 3.0]), node_weight=torch.ones(4),
                    node_attr=torch.randn(4, 2), incidence_attr=torch.rand(3, 1))
    path = tmp_path / "hg.json"
    write_hif(hg, path, node_labels=["a", "b", "c", "d"], metadata={"k": 1}, indent=2)
    jsonschema.validate(json.loads(path.read_text()), hif_schema())


@st.composite
def hypergraphs(draw):
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 5))
    pairs = draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(m - 1, 0))),
                          max_size=12)) if n and m else []
    index = torch.tensor(pairs, dtype=torch.long).reshape(-1, 2).t()
    weight = st.floats(0, 100, width=32)
    fields = {}
    if draw(st.booleans()):
        fields["edge_weight"] = torch.tensor(draw(st.lists(weight, min_size=m, max_size=m)))
    if draw(st.booleans()):
        fields["node_weight"] = torch.tensor(draw(st.lists(weight, min_size=n, max_size=n)))
    if pairs and draw(st.booleans()):
        values = draw(st.lists(st.floats(-5, 5, width=32), min_size=len(pairs),
                               max_size=len(pairs)))
        fields["incidence_attr"] = torch.tensor(values).unsqueeze(1)
    if n and draw(st.booleans()):
        fields["node_attr"] = torch.tensor(draw(st.lists(
            st.lists(st.floats(-5, 5, width=32), min_size=2, max_size=2),
            min_size=n, max_size=n)))
    if m and draw(st.booleans()):
        fields["edge_attr"] = torch.tensor(draw(st.lists(st.integers(-9, 9), min_size=m,
                                                         max_size=m)))
    return Hypergraph(index, n, m, **fields)


@settings(max_examples=80, deadline=None)
@given(hypergraphs(), st.booleans())
def test_write_then_read_is_identity(hg, string_labels):
    node_labels = [f"v{i}" for i in range(hg.num_nodes)] if string_labels else None
    result = roundtrip(hg, node_labels=node_labels)
    assert result.hypergraph == hg
    assert torch.equal(result.hypergraph.hyperedge_index, hg.hyperedge_index)  # order too
    assert result.node_ids == (node_labels or list(range(hg.num_nodes)))
    assert result.edge_ids == list(range(hg.num_edges))


def test_roundtrip_keeps_isolated_nodes_empty_edges_and_repeats():
    hg = Hypergraph(torch.tensor([[0, 0, 2], [1, 1, 1]]), num_nodes=4, num_edges=3,
                    edge_weight=torch.tensor([0.1, 0.2, 0.3]))
    back = roundtrip(hg).hypergraph
    assert back == hg
    assert back.edges() == [[], [0, 0, 2], []]


# ---------------------------------------------------------------------------------- write errors
@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"node_labels": ["a"]}, ValueError,
     r"Expected 'node_labels' to have 2 entries \(num_nodes=2\) \(got 1\)"),
    ({"node_labels": ["a", "a"]}, ValueError, "'node_labels' repeats label 'a'"),
    ({"node_labels": [True, 1]}, TypeError, r"Expected 'node_labels\[0\]' to be a str or int"),
    ({"node_labels": "ab"}, TypeError, "Expected 'node_labels' to be a sequence of str or int"),
    ({"edge_labels": [1.5]}, TypeError, r"Expected 'edge_labels\[0\]' to be a str or int"),
    ({"metadata": [1]}, TypeError, r"Expected 'metadata' to be a dict \(got list\)"),
    ({"metadata": {"x": object()}}, ValueError, "'metadata' is not JSON-serializable"),
    ({"metadata": {"x": float("nan")}}, ValueError, "'metadata' is not JSON-serializable"),
])
def test_write_rejects_bad_arguments(kwargs, error, message):
    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2, num_edges=1)
    with pytest.raises(error, match=message):
        write_hif(hg, io.StringIO(), **kwargs)


def test_write_accepts_numpy_and_tensor_labels():
    import numpy as np

    hg = Hypergraph(torch.tensor([[0, 1], [0, 0]]), num_nodes=2, num_edges=1)
    doc = to_hif(hg, node_labels=np.array([7, 9]), edge_labels=torch.tensor([3]))
    assert doc["incidences"] == [{"edge": 3, "node": 7}, {"edge": 3, "node": 9}]


def test_write_rejects_nan_features():
    hg = Hypergraph(torch.tensor([[0], [0]]), edge_attr=torch.tensor([[float("nan")]]))
    with pytest.raises(ValueError, match="'edge_attr' holds NaN or infinite values"):
        write_hif(hg, io.StringIO())


def test_write_rejects_non_hypergraph_and_bad_destination():
    with pytest.raises(TypeError, match=r"Expected 'hg' to be a Hypergraph \(got dict\)"):
        write_hif({"incidences": []}, io.StringIO())
    hg = Hypergraph(torch.tensor([[0], [0]]))
    with pytest.raises(TypeError, match="Expected 'path_or_file' to be a path or a text file"):
        write_hif(hg, 3)


# ---------------------------------------------------------------------------------- XGI interop
def test_read_file_written_by_xgi(tmp_path):
    xgi = pytest.importorskip("xgi")
    H = xgi.Hypergraph()
    H.add_nodes_from(["iso", "a"])
    H.add_edges_from({"e1": ["a", "b"], "empty": [], 3: ["b", "c", 7]})
    H.nodes["a"]["color"] = "red"  # XGI writes this as "attrs", outside schema v0.1.0
    path = tmp_path / "xgi.json"
    xgi.write_hif(H, str(path))
    hg, node_ids, edge_ids, network_type, _ = read_hif(path)
    assert network_type == "undirected"
    assert set(node_ids) == set(H.nodes) and set(edge_ids) == set(H.edges)
    ours = {edge_ids[j]: {node_ids[v] for v in members} for j, members in enumerate(hg.edges())}
    assert ours == H.edges.members(dtype=dict)
    assert hg.node_count[node_ids.index("iso")] == 0


def test_xgi_reads_what_we_write(tmp_path):
    xgi = pytest.importorskip("xgi")
    hg = Hypergraph(torch.tensor([[0, 1, 1], [0, 0, 2]]), num_nodes=4, num_edges=3)
    path = tmp_path / "ours.json"
    write_hif(hg, path, node_labels=["a", "b", "c", "d"], edge_labels=["x", "y", "z"])
    H = xgi.read_hif(str(path))
    assert H.edges.members(dtype=dict) == {"x": {"a", "b"}, "y": set(), "z": {"b"}}
    assert set(H.nodes) == {"a", "b", "c", "d"}

