"""greenplan's SHACL engine on shapes it did not write: the official DCAT-AP 3.0.1 shapes (tests/data/dcat-ap-3.0.1,
copied unchanged from ../shared/conformance) on greenplan's own DCAT description, beside pySHACL.

The expected results are those tests/test_metadata.py states from the description (no violation; the
recommended shapes miss what the document does not print) — here both engines must give them, result by
result; and on a description with its catalogue's title and its dataset's description removed, both
engines must report the same results (DCAT-AP makes both mandatory: at least one violation each).
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from greenplan.export.metadata import describe, serialize
from tests.conftest import DATA

SHAPES = DATA / "dcat-ap-3.0.1"
SITE = "http://127.0.0.1:8000/"
BASE = "https://w3id.org/greenplan/"
SH = "http://www.w3.org/ns/shacl#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def description(store, tmp_path_factory):
    d = tmp_path_factory.mktemp("dcat")
    triples = describe(store, SITE)
    (d / "full.ttl").write_bytes(serialize(triples, "turtle"))
    cut = [t for t in triples if not (t.subject == ox.NamedNode(BASE + "catalog") and t.predicate.value == DCT + "title")
           and not (t.subject == ox.NamedNode(BASE + "dataset") and t.predicate.value == DCT + "description")]
    assert len(cut) < len(triples)
    (d / "cut.ttl").write_bytes(serialize(cut, "turtle"))
    return d


def _run(shapes: list[str], data, engine):
    from greenplan.validate.report import validate_files

    report = validate_files([SHAPES / s for s in shapes], [data], engine)
    return sorted((r.severity, str(r.focus), str(r.path), str(r.value), r.component.rsplit("#", 1)[-1])
                  for r in report.results)


@pytest.mark.parametrize("shapes", [["shapes.ttl", "range.ttl"], ["shapes_recommended.ttl"]])
@pytest.mark.parametrize("data", ["full.ttl", "cut.ttl"])
def test_both_engines_agree_on_dcat_ap(description, shapes, data):
    fast = _run(shapes, description / data, "oxigraph")
    assert fast == _run(shapes, description / data, "pyshacl")
    if data == "full.ttl" and shapes == ["shapes.ttl", "range.ttl"]:
        assert fast == []
    if data == "cut.ttl" and shapes == ["shapes.ttl", "range.ttl"]:
        violated = {(focus, path) for sev, focus, path, _, _ in fast if sev == SH + "Violation"}
        assert {(f"<{BASE}catalog>", f"<{DCT}title>"), (f"<{BASE}dataset>", f"<{DCT}description>")} <= violated
