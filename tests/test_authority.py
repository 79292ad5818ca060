"""Which body a printed name means, in the plan's own jurisdiction (graph/authority.py and the lists
ontology/bodies/*.ttl, ontology/divisions.ttl, ontology/local-prefixes.tsv).  Expected names come from reading
the documents (tests/data/gov-cn-notes.tsv, tests/data/gov-cn-bodies.tsv) and from public knowledge of the
bodies, written here by hand."""
from __future__ import annotations

import pytest

from greenplan.build.authority import BODY, COLLECTIVE, UNRESOLVED, Authority
from greenplan.build.dataset import resource_quads
from greenplan.iris import Minter
from tests.handread import read_tsv

BASE = "https://w3id.org/greenplan/"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
GP = "https://w3id.org/greenplan/ontology#"
GOV_CN_BODIES = {r["spelling"]: r["official"] for r in read_tsv("gov-cn-bodies.tsv")}
GOV_CN_PARTIES = read_tsv("gov-cn-notes.tsv")


@pytest.fixture(scope="module")
def quads():
    return resource_quads(Minter(BASE))


@pytest.fixture(scope="module")
def auth(quads):
    return Authority(quads, Minter(BASE))


def objects(quads, s: str, p: str) -> set[str]:
    return {q.object.value for q in quads if q.subject.value == s and q.predicate.value == p}


# --- the five gov.cn documents: every party resolves to the national list ----------------------------------

def test_every_party_of_the_five_documents_resolves_to_its_national_body(auth):
    spellings = {r["spelling"]: r["collective"] == "true" for r in GOV_CN_PARTIES}
    assert len(spellings) > 60
    for spelling, collective in spellings.items():
        r = auth.resolve(spelling, "CN")
        if collective:
            assert r.kind == COLLECTIVE and r.label == spelling and r.jurisdiction == "CN", spelling
            continue
        assert r.kind == BODY and r.listed and r.warning is None, spelling
        assert r.label == GOV_CN_BODIES[spelling], spelling
        assert r.jurisdiction == "CN" and r.iri.startswith(BASE + "org/CN/"), spelling


def test_every_body_the_documents_name_is_in_the_national_list(auth):
    """Also the issuing bodies and the bodies the text charges outside the notes (tests/data/gov-cn-bodies.tsv)."""
    assert {"国务院", "国务院办公厅"} <= set(GOV_CN_BODIES)
    for spelling, official in GOV_CN_BODIES.items():
        r = auth.resolve(spelling, "CN")
        assert r.listed and r.label == official and r.jurisdiction == "CN", spelling


def test_one_body_one_node_however_printed(auth):
    same = [("发展改革委", "国家发展改革委"), ("扶贫办", "国务院扶贫办"), ("银保监会", "中国银保监会"),
            ("人民银行", "中国人民银行"), ("国资委", "国务院国资委"), ("统计局", "国家统计局"),
            ("卫生健康委", "国家卫生健康委"), ("证监会", "中国证监会"), ("邮政局", "国家邮政局")]
    for a, b in same:
        assert auth.resolve(a, "CN").iri == auth.resolve(b, "CN").iri, (a, b)
    assert auth.resolve("发展改革委", "CN").iri == BASE + "org/CN/ndrc"


def test_issuers_and_titles_give_the_plan_its_jurisdiction(auth):
    assert auth.plan_jurisdiction(None, None, "国务院", None)[0] == "CN"
    assert auth.plan_jurisdiction(None, None, "国务院办公厅", None)[0] == "CN"
    assert auth.plan_jurisdiction(None, None, "广东省人民政府", None)[0] == "440000"
    assert auth.plan_jurisdiction(None, None, "湛江市人民政府", None)[0] == "440800"
    assert auth.plan_jurisdiction(None, None, None, "国务院办公厅关于加快发展体育竞赛表演产业的指导意见")[0] == "CN"
    assert auth.plan_jurisdiction(None, None, None, "广州市教育发展规划")[0] == "440100"
    assert auth.plan_jurisdiction(None, "广州市", None, None)[0] == "440100"
    assert auth.plan_jurisdiction("440100", "广州市", "湛江市人民政府", None)[0] == "440100"   # metadata wins
    assert auth.plan_jurisdiction(None, None, None, "关于加快发展的实施意见")[0] is None


# --- a city plan: local shorthand means the plan's own city -------------------------------------------------

# Official names and national counterparts written by hand (the bodies' own names after the 2018 reform; Guangzhou
# keeps a development and reform commission, 广州市发展和改革委员会). There is no ontology/bodies/440100.ttl: every
# one of these comes from the national pattern, ontology/local-bodies.tsv.
@pytest.mark.parametrize("spelling, label, slug, counterparts", [
    ("市教育局", "广州市教育局", "education", {"教育部"}),
    ("市财政局", "广州市财政局", "finance", {"财政部"}),
    ("市人社局", "广州市人力资源和社会保障局", "human-resources-social-security", {"人力资源和社会保障部"}),
    ("市人力资源和社会保障局", "广州市人力资源和社会保障局", "human-resources-social-security", {"人力资源和社会保障部"}),
    ("市委组织部", "中共广州市委组织部", "organisation-department", {"中共中央组织部"}),
    ("市委宣传部", "中共广州市委宣传部", "publicity-department", {"中共中央宣传部"}),
    ("市纪委", "中共广州市纪律检查委员会", "discipline-inspection", {"中国共产党中央纪律检查委员会"}),
    ("市直机关工委", "中共广州市直属机关工作委员会", "organs-work-committee", {"中央和国家机关工作委员会"}),
    ("团市委", "共青团广州市委员会", "youth-league", {"中国共产主义青年团中央委员会"}),
    ("市妇联", "广州市妇女联合会", "womens-federation", {"中华全国妇女联合会"}),
    ("市总工会", "广州市总工会", "trade-unions", {"中华全国总工会"}),
    ("市科协", "广州市科学技术协会", "science-association", {"中国科学技术协会"}),
    ("市工商联", "广州市工商业联合会", "industry-commerce-federation", {"中华全国工商业联合会"}),
    ("市人大常委会", "广州市人民代表大会常务委员会", "peoples-congress-standing-committee", {"全国人民代表大会常务委员会"}),
    ("市政协", "中国人民政治协商会议广州市委员会", "cppcc", {"中国人民政治协商会议全国委员会"}),
    ("市法院", "广州市中级人民法院", "intermediate-court", {"最高人民法院"}),
    ("市中级人民法院", "广州市中级人民法院", "intermediate-court", {"最高人民法院"}),
    ("市人民检察院", "广州市人民检察院", "procuratorate", {"最高人民检察院"}),
    ("市检察院", "广州市人民检察院", "procuratorate", {"最高人民检察院"}),
    ("市市场监管局", "广州市市场监督管理局", "market-regulation", {"国家市场监督管理总局"}),
    ("市环保局", "广州市环境保护局", "environmental-protection", {"环境保护部"}),     # name before 2018
    ("市工商局", "广州市工商行政管理局", "industry-commerce", {"国家工商行政管理总局"}),
    ("教育局", "广州市教育局", "education", {"教育部"}),
    ("广州市教育局", "广州市教育局", "education", {"教育部"}),
    ("中共广州市委组织部", "中共广州市委组织部", "organisation-department", {"中共中央组织部"}),
    ("发展改革委", "广州市发展和改革委员会", "development-reform-commission", {"国家发展和改革委员会"}),
    ("市发改委", "广州市发展和改革委员会", "development-reform-commission", {"国家发展和改革委员会"}),
    ("市税务局", "国家税务总局广州市税务局", "taxation", {"国家税务总局"}),
    ("国家税务总局广州市税务局", "国家税务总局广州市税务局", "taxation", {"国家税务总局"}),
])
def test_guangzhou_names_of_the_national_pattern_are_guangzhou_bodies(auth, spelling, label, slug, counterparts):
    r = auth.resolve(spelling, "440100")
    assert (r.kind, r.label, r.jurisdiction, r.iri) == (BODY, label, "440100", BASE + f"org/440100/{slug}")
    assert not r.listed and r.warning is None
    assert {auth.pref[c] for c in r.counterparts} == counterparts
    assert all(auth.jurisdiction_of[c] == "CN" for c in r.counterparts)


def test_a_name_outside_the_pattern_warns_with_a_hint_that_names_only_files_that_exist(auth):
    r = auth.resolve("市会展办", "440100")             # no list for 440100, no such kind in the pattern
    assert r.kind == BODY and r.label == "广州市会展办" and r.jurisdiction == "440100" and not r.listed
    assert "'市会展办'" in r.warning and "create ontology/bodies/440100.ttl" in r.warning
    assert "(ontology/bodies/440100.ttl)" not in r.warning
    r = auth.resolve("市会展办", "440800")             # Zhanjiang has a list: the hint names it
    assert "add it to ontology/bodies/440800.ttl" in r.warning and "create ontology" not in r.warning
    r = auth.resolve("市教育局", None)
    assert r.kind == UNRESOLVED and "jurisdiction_code" in r.warning


def test_one_guangzhou_body_one_node_and_same_name_in_two_cities_two_nodes(auth):
    assert auth.resolve("市教育局", "440100").iri == auth.resolve("教育局", "440100").iri
    assert auth.resolve("市教育局", "440100").iri != auth.resolve("市教育局", "440300").iri
    assert auth.resolve("市教育局", "440300").label == "深圳市教育局"


def test_the_plans_own_government_is_one_node_however_printed(auth):
    names = {auth.resolve(s, "440100").iri for s in ("市政府", "市人民政府", "广州市人民政府", "广州市")}
    assert names == {BASE + "org/440100/government"}
    assert auth.resolve("市政府", "440100").label == "广州市人民政府"
    assert auth.resolve("县政府", "440100").kind == UNRESOLVED          # Guangzhou is no county


def test_a_district_is_its_government_within_the_city(auth, quads):
    r = auth.resolve("越秀区", "440100")
    assert (r.kind, r.label, r.jurisdiction, r.iri) == (BODY, "广州市越秀区人民政府", "440104", BASE + "org/440104/government")
    assert objects(quads, BASE + "place/440104", GP + "within") == {BASE + "place/440100"}
    assert objects(quads, BASE + "place/440100", GP + "within") == {BASE + "place/440000"}
    assert objects(quads, BASE + "place/440000", GP + "within") == {BASE + "place/CN"}
    assert objects(quads, BASE + "place/440800", GP + "within") == {BASE + "place/440000"}


def test_collective_parties_are_one_node_per_phrase_and_jurisdiction(auth):
    r = auth.resolve("各区、县级市", "440100")
    assert r.kind == COLLECTIVE and r.label == "各区、县级市" and r.jurisdiction == "440100"
    assert r.iri != auth.resolve("各区、县级市", "440800").iri
    assert r.iri == auth.resolve("各区、县级市", "440100").iri


def test_national_names_stay_national_in_a_city_plan(auth):
    assert auth.resolve("市场监管总局", "440100").iri == BASE + "org/CN/samr"     # 市场… is no 市 prefix
    assert auth.resolve("国家发展改革委", "440100").iri == BASE + "org/CN/ndrc"
    assert auth.resolve("财政部", "440800").iri == BASE + "org/CN/finance"


def test_a_national_body_with_local_offices_gives_a_local_office(auth):
    r = auth.resolve("海关", "440100")
    assert r.kind == BODY and r.label == "海关" and r.jurisdiction == "440100"
    assert r.parent == BASE + "org/CN/customs" and r.iri.startswith(BASE + "org/440100/office-") and r.warning


def test_local_shorthand_without_a_city_stays_unresolved(auth):
    for jurisdiction in (None, "CN"):
        r = auth.resolve("市教育局", jurisdiction)
        assert r.kind == UNRESOLVED and r.jurisdiction is None and r.label == "市教育局" and r.warning
    assert auth.resolve("教育局", None).kind == UNRESOLVED
    assert auth.resolve("国家发展改革委", None).iri == BASE + "org/CN/ndrc"     # unambiguous national names resolve


def test_a_carried_city_prefix(auth):
    first, *rest = ["市发展改革局", "工业和信息化局"]
    assert auth.carries(first) and not auth.carries("市场监管总局")
    assert auth.resolve(rest[0], "440800", municipal=True).iri == BASE + "org/440800/industry-it"
    assert auth.resolve("财政局", "440100", municipal=True).label == "广州市财政局"


# --- Zhanjiang: counterparts read by hand --------------------------------------------------------------------

# Every Zhanjiang body whose line of work has a national body (its counterpart), and every one without.
ZHANJIANG_COUNTERPARTS = {
    "湛江市发展和改革局": {"国家发展和改革委员会"},
    "湛江市工业和信息化局": {"工业和信息化部"},
    "湛江市生态环境局": {"生态环境部"},
    "湛江市农业农村局": {"农业农村部"},
    "湛江市供销合作社联合社": {"中华全国供销合作总社"},
    "湛江市市场监督管理局": {"国家市场监督管理总局"},
    "湛江市自然资源局": {"自然资源部"},
    "湛江市水务局": {"水利部"},
    "湛江市教育局": {"教育部"},
    "湛江市文化广电旅游体育局": {"文化和旅游部", "国家广播电视总局", "国家体育总局"},
    "湛江市商务局": {"商务部"},
    "湛江市交通运输局": {"交通运输部"},
    "湛江市邮政管理局": {"国家邮政局"},
    "湛江市住房和城乡建设局": {"住房和城乡建设部"},
    "湛江市财政局": {"财政部"},
    "湛江市人民政府国有资产监督管理委员会": {"国务院国有资产监督管理委员会"},
    "湛江市民政局": {"民政部"},
    "湛江市卫生健康局": {"国家卫生健康委员会"},
    "湛江市科学技术局": {"科学技术部"},
    "湛江市妇女联合会": {"中华全国妇女联合会"},
    "中国银行保险监督管理委员会湛江监管分局": {"中国银行保险监督管理委员会"},
    "湛江市司法局": {"司法部"},
    "湛江市公安局": {"公安部"},
    "湛江市人民检察院": {"最高人民检察院"},
    "湛江市中级人民法院": {"最高人民法院"},
    "国家税务总局湛江市税务局": {"国家税务总局"},
    "中国人民银行湛江市中心支行": {"中国人民银行"},
    "湛江市统计局": {"国家统计局"},
    "中共湛江市委宣传部": {"中共中央宣传部"},
}
ZHANJIANG_WITHOUT_COUNTERPART = {
    "湛江市投资促进局", "湛江市城市管理和综合执法局", "湛江市公路事务中心", "广东电网有限责任公司湛江供电局",
    "湛江市金融工作局", "湛江市政务服务数据管理局",
}


def test_zhanjiang_bodies_and_their_national_counterparts(auth, quads):
    zhanjiang = {iri for iri, code in auth.jurisdiction_of.items() if code == "440800"}
    got = {auth.pref[iri]: {auth.pref[c] for c in objects(quads, iri, GP + "counterpart")} for iri in zhanjiang}
    assert set(got) == set(ZHANJIANG_COUNTERPARTS) | ZHANJIANG_WITHOUT_COUNTERPART
    for name, expected in ZHANJIANG_COUNTERPARTS.items():
        assert got[name] == expected, name
    for name in ZHANJIANG_WITHOUT_COUNTERPART:
        assert got[name] == set(), name
    for iri in zhanjiang:
        for c in objects(quads, iri, GP + "counterpart"):
            assert auth.jurisdiction_of[c] == "CN"


def test_former_zhanjiang_iris_are_aliases_of_the_canonical_ones(quads):
    same = {(q.subject.value, q.object.value) for q in quads if q.predicate.value.endswith("#sameAs")}
    assert (BASE + "org/development-reform", BASE + "org/440800/development-reform") in same
    assert len([s for s, o in same if o.startswith(BASE + "org/440800/")]) == 35


# --- reforms: names of the time, successors linked and dated ------------------------------------------------

@pytest.mark.parametrize("old, new, date", [
    ("cbirc", "nfra", "2023-05-18"),
    ("poverty-alleviation", "rural-revitalisation", "2021-02-25"),
    ("cbrc", "cbirc", "2018-04-08"),
    ("mep", "ecology-environment", "2018-03-17"),
])
def test_renamed_and_merged_bodies_keep_their_names_with_dated_successors(quads, old, new, date):
    o, n = BASE + f"org/CN/{old}", BASE + f"org/CN/{new}"
    assert objects(quads, o, DCT + "isReplacedBy") >= {n}
    events = objects(quads, o, ORG + "changedBy") & objects(quads, n, ORG + "resultedFrom")
    assert len(events) == 1
    event = events.pop()
    assert objects(quads, event, ORG + "originalOrganization") >= {o}
    assert objects(quads, event, ORG + "resultingOrganization") == {n}
    assert objects(quads, event, DCT + "date") == {date}


def test_national_list_covers_the_central_organs_plans_name(auth):
    for spelling, official in [("中央统战部", "中共中央统一战线工作部"), ("全国总工会", "中华全国总工会"),
                               ("共青团中央", "中国共产主义青年团中央委员会"), ("全国妇联", "中华全国妇女联合会"),
                               ("全国工商联", "中华全国工商业联合会"), ("国家乡村振兴局", "国家乡村振兴局"),
                               ("国家金融监督管理总局", "国家金融监督管理总局"), ("国家能源局", "国家能源局"),
                               ("中国科协", "中国科学技术协会"), ("海关总署", "海关总署")]:
        r = auth.resolve(spelling, "CN")
        assert r.listed and r.label == official, spelling


def test_every_listed_body_has_a_kind_of_the_scheme(quads):
    kinds = {q.subject.value for q in quads if q.predicate.value.endswith("#type") and q.object.value == GP + "OrganisationKind"}
    orgs = {q.subject.value for q in quads if q.predicate.value.endswith("#type") and q.object.value == ORG + "Organization"}
    assert len(orgs) > 150
    for iri in orgs:
        assert objects(quads, iri, ORG + "classification") and objects(quads, iri, ORG + "classification") <= kinds, iri


def test_counterparts_query_gives_the_hand_read_links(store):
    from greenplan.api import run_saved

    for params in ({}, {"plan": "zhanjiang-green-economy"}):
        rows = run_saved(store, "counterparts", params).dicts()
        got = {(r["label"], r["counterpartLabel"]) for r in rows}
        assert got == {(b, c) for b, cs in ZHANJIANG_COUNTERPARTS.items() for c in cs}
        assert {r["level"] for r in rows} == {"prefecture-level city"}
        assert all(r["counterpart"].startswith(BASE + "org/CN/") for r in rows)


# --- end to end: a Guangzhou-style plan and the five gov.cn documents, built into stores ---------------------

DATA = __import__("pathlib").Path(__file__).parent / "data"

# tests/data/guangzhou-sample.txt read by hand: the body each printed name means in a plan of 广州市 (440100).
GUANGZHOU = {
    "市教育局": ("广州市教育局", "440100"), "市财政局": ("广州市财政局", "440100"),
    "越秀区": ("广州市越秀区人民政府", "440104"), "市委宣传部": ("中共广州市委宣传部", "440100"),
    "团市委": ("共青团广州市委员会", "440100"), "市人民检察院": ("广州市人民检察院", "440100"),
    "市公安局": ("广州市公安局", "440100"), "市司法局": ("广州市司法局", "440100"),
    "市税务局": ("国家税务总局广州市税务局", "440100"), "市发展改革委": ("广州市发展和改革委员会", "440100"),
    "市国资委": ("广州市人民政府国有资产监督管理委员会", "440100"), "国家发展改革委": ("国家发展和改革委员会", "CN"),
    "海关": ("海关", "440100"), "市市场监管局": ("广州市市场监督管理局", "440100"),
}
BODY_JURISDICTIONS = """PREFIX gp: <https://w3id.org/greenplan/ontology#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT DISTINCT ?body ?place WHERE { GRAPH ?g { ?t a gp:Task ; gp:responsibleBody ?body } GRAPH ?h { ?body dcterms:spatial ?place } }"""


def _built(tmp_path, sources):
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path / "store"), [str(s) for s in sources])
    build_store(loc)
    return Store(loc.directory)


def test_a_guangzhou_plan_names_guangzhou_bodies_only(tmp_path):
    from greenplan.api import run_saved

    store = _built(tmp_path, [DATA / "guangzhou-sample.txt"])
    rows = run_saved(store, "task-bodies").dicts()
    bodies = [r for r in rows if r["collective"] == "false"]
    assert {r["spelling"] for r in bodies} == set(GUANGZHOU)
    for r in bodies:
        assert r["label"] == GUANGZHOU[r["spelling"]][0], r["spelling"]
    places = {r["body"]: r["place"].rsplit("/", 1)[-1] for r in store.run(BODY_JURISDICTIONS).dicts()}
    for r in bodies:
        assert places[r["body"]] == GUANGZHOU[r["spelling"]][1], r["spelling"]
    assert not [r for r in rows if "/org/440800/" in (r["body"] or "")]           # never a Zhanjiang body
    collectives = {(r["spelling"], r["body"]) for r in rows if r["collective"] == "true"}
    assert {s for s, _ in collectives} == {"各区、县级市", "各有关部门和单位"}
    assert len([b for s, b in collectives if s == "各区、县级市"]) == 1               # one node in all three notes
    assert len({r["body"] for r in bodies if r["spelling"] == "市财政局"}) == 1       # one node in both notes
    assert len({r["task"] for r in rows if r["spelling"] == "各区、县级市"}) == 3


def test_the_five_documents_name_national_bodies_only(tmp_path):
    from greenplan.api import run_saved

    store = _built(tmp_path, sorted((DATA / "gov-cn").glob("*.html")))
    rows = run_saved(store, "task-bodies").dicts()
    bodies = [r for r in rows if r["collective"] == "false"]
    assert len(bodies) > 300
    for r in bodies:
        assert r["label"] == GOV_CN_BODIES[r["spelling"]], r["spelling"]
        assert r["body"].startswith(BASE + "org/CN/"), r["spelling"]
    assert set(store.run(BODY_JURISDICTIONS).dicts()[0]) and {
        r["place"] for r in store.run(BODY_JURISDICTIONS).dicts()} == {BASE + "place/CN"}
    ndrc = {r["body"] for r in bodies if r["spelling"] in ("发展改革委", "国家发展改革委")}
    assert ndrc == {BASE + "org/CN/ndrc"}
    assert {r["spelling"] for r in bodies if r["body"] == BASE + "org/CN/ndrc"} == {"发展改革委", "国家发展改革委"}
    plans = {r["task"].split("/task/")[0] for r in bodies if r["body"] == BASE + "org/CN/ndrc"}
    assert len(plans) == 5                                                               # one node across the plans


def test_validate_flags_a_body_of_another_city_in_a_guangzhou_plan(tmp_path):
    from greenplan.validate.check import validate

    text = (DATA / "guangzhou-sample.txt").read_text(encoding="utf-8")
    src = tmp_path / "src" / "guangzhou-sample.txt"
    src.parent.mkdir()
    src.write_text(text.replace("（市人民检察院、市公安局、市司法局按职责分工负责）",
                                "（市人民检察院、市公安局、深圳市教育局按职责分工负责）"), encoding="utf-8")
    (src.parent / "guangzhou-sample.meta.toml").write_text(
        (DATA / "guangzhou-sample.meta.toml").read_text(encoding="utf-8"), encoding="utf-8")
    conforms, _graph, report = validate(_built(tmp_path, [src]))
    assert not conforms
    violations = [ln for ln in report.split("警告 / Warnings")[0].splitlines() if "规划辖区以外" in ln]
    assert len(violations) == 1 and "深圳市教育局 (深圳市)" in violations[0] and "line 11" in violations[0]

    conforms, _graph, report = validate(_built(tmp_path / "as-printed", [DATA / "guangzhou-sample.txt"]))
    assert "规划辖区以外" not in report
    assert "不在规范名称表中" not in report        # every body of the sample is listed or of the national pattern


# --- places: GB/T 2260 divisions (ontology/divisions.ttl, generated by tools/divisions.py) --------------------

GUANGZHOU_DISTRICTS = {  # public list of Guangzhou's eleven districts and their codes
    "440103": "荔湾区", "440104": "越秀区", "440105": "海珠区", "440106": "天河区", "440111": "白云区",
    "440112": "黄埔区", "440113": "番禺区", "440114": "花都区", "440115": "南沙区", "440117": "从化区",
    "440118": "增城区"}


def test_divisions_from_country_to_counties(auth):
    provinces = {c for c, d in auth.divisions.items() if d.parent == "CN"}
    assert len(provinces) == 31 and {"110000", "440000", "650000"} <= provinces
    assert auth.name("440000") == "广东省" and auth.name("CN") == "中华人民共和国"
    guangdong = {c for c, d in auth.divisions.items() if d.parent == "440000"}
    assert len(guangdong) == 21 and {"440100", "440300", "440800"} <= guangdong
    assert {c: auth.name(c) for c, d in auth.divisions.items() if d.parent == "440100"} == GUANGZHOU_DISTRICTS


def test_zhanjiang_places_keep_their_iris_and_codes(auth, quads):
    """data/zhanjiang-divisions.tsv (the National Bureau of Statistics table) against the places of the store."""
    import csv

    from greenplan.resources import folder

    text = (folder("data") / "zhanjiang-divisions.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader((ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t"))
    assert len(rows) == 10
    for r in rows:
        assert auth.name(r["code"]) == r["name_zh"] and auth.divisions[r["code"]].parent == r["parent"], r["code"]
        assert objects(quads, BASE + "place/" + r["code"], GP + "divisionCode") == {r["code"]}
