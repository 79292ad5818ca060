"""Kinds of document (ontology/document-kinds.ttl): read off the end of a title, recorded in the graph as
eli:type_document (and gp:issuesKind for a notice that issues a document), and overridden by metadata.
Expected kinds are read from the titles as printed (the documents' own 文种)."""
from __future__ import annotations

from pathlib import Path

import pytest

from greenplan.build.dataset import resource_quads
from greenplan.build.kinds import Kinds
from greenplan.iris import Minter

DATA = Path(__file__).parent / "data"
KIND = "https://w3id.org/greenplan/kind/"


@pytest.fixture(scope="module")
def kinds():
    return Kinds(resource_quads(Minter(None)))


@pytest.mark.parametrize("title, kind, issued", [
    ("国务院办公厅关于印发“无废城市”建设试点工作方案的通知", "issuing-notice", "“无废城市”建设试点工作方案"),
    ("国务院关于印发《国家职业教育改革实施方案》的通知", "issuing-notice", "国家职业教育改革实施方案"),
    ("国务院办公厅关于对真抓实干成效明显地方进一步加大激励支持力度的通知", "notice", None),
    ("国务院关于促进综合保税区高水平开放高质量发展的若干意见", "opinions", None),
    ("国务院办公厅关于加快发展体育竞赛表演产业的指导意见", "opinions", None),
    ("湛江市关于加快建立健全绿色低碳循环发展经济体系的实施方案（征求意见稿）", "implementation-plan", None),
    ("广州市关于推进教育和绿色发展的工作方案", "work-plan", None),
    ("某市贯彻落实某规划重点任务分工方案", "task-division-plan", None),
    ("关于支持民营企业发展的若干措施", "measures", None),
    ("某某工作情况汇报", None, None),          # no listed ending: no kind, nothing guessed
])
def test_kind_of_a_title(kinds, title, kind, issued):
    match = kinds.of_title(title)
    assert (match.kind.slug if match else None) == kind
    if match and match.kind.words:
        assert kinds.issued_title(title, match) == issued


def _plan_kinds(tmp_path, source: Path) -> tuple:
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path / "s"), [str(source)])
    build_store(loc)
    rows = Store(loc.directory).run("""
        PREFIX eli: <http://data.europa.eu/eli/ontology#> PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?kind ?issued WHERE { GRAPH ?g { ?p a gp:Plan ; eli:type_document ?kind .
                                                OPTIONAL { ?p gp:issuesKind ?issued } } }""").dicts()
    return tuple((r["kind"].removeprefix(KIND), (r.get("issued") or "").removeprefix(KIND)) for r in rows)


@pytest.mark.parametrize("document, expected", [
    ("gov-cn/gbf-2018-128-zero-waste-cities.html", ("issuing-notice", "work-plan")),
    ("gov-cn-2/gbf-2018-117-incentives-for-localities.html", ("notice", "")),
    ("gov-cn-2/gf-2018-39-employment.html", ("opinions", "")),
    ("guangzhou-sample.txt", ("work-plan", "")),
])
def test_the_graph_records_the_kind(tmp_path, document, expected):
    assert _plan_kinds(tmp_path, DATA / document) == (expected,)


def test_metadata_names_the_kind(tmp_path):
    src = tmp_path / "doc" / "guangzhou-sample.txt"
    src.parent.mkdir()
    src.write_bytes((DATA / "guangzhou-sample.txt").read_bytes())
    meta = (DATA / "guangzhou-sample.meta.toml").read_text(encoding="utf-8")
    src.with_name("guangzhou-sample.meta.toml").write_text(meta + 'kind = "implementation-plan"\n', encoding="utf-8")
    assert _plan_kinds(tmp_path, src) == (("implementation-plan", ""),)


def test_an_unknown_kind_in_metadata_is_reported_and_the_title_decides(tmp_path):
    src = tmp_path / "doc" / "guangzhou-sample.txt"
    src.parent.mkdir()
    src.write_bytes((DATA / "guangzhou-sample.txt").read_bytes())
    meta = (DATA / "guangzhou-sample.meta.toml").read_text(encoding="utf-8")
    src.with_name("guangzhou-sample.meta.toml").write_text(meta + 'kind = "memo"\n', encoding="utf-8")
    from greenplan.store.core import build_store, locate

    dataset = build_store(locate(str(tmp_path / "s"), [str(src)]))
    assert any("kind 'memo'" in str(i) and "known: " in str(i) for i in dataset.report.issues)
    assert _plan_kinds(tmp_path, src) == (("work-plan", ""),)
