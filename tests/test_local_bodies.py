"""The national pattern of local bodies (ontology/local-bodies.tsv) and every county-level division as a place
(ontology/divisions.ttl): any city's, county's and province's bodies resolve in the plan's own jurisdiction with
their national counterparts, with no list per city (graph/build/authority.py).

Every expected name here was written by hand: the official names of the bodies (their own pages and the 2018
reform plans of the provinces and cities), the notes of the real Guangzhou document read by hand
(../shared/corpus/guangzhou/guangzhou-633-talent-opinions.txt, 2012), and the test texts of tests/data/bodies/
(written for these tests)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from greenplan.build.authority import BODY, COLLECTIVE, UNRESOLVED, Authority
from greenplan.build.dataset import resource_quads
from greenplan.iris import Minter
from greenplan.resources import data_table, folder

BASE = "https://w3id.org/greenplan/"
GP = "https://w3id.org/greenplan/ontology#"
DATA = Path(__file__).parent / "data" / "bodies"


@pytest.fixture(scope="module")
def auth():
    m = Minter(BASE)
    return Authority(resource_quads(m), m)


def slug(r) -> str:
    return r.iri.removeprefix(BASE + "org/")


# --- the real Guangzhou document of 2012: every name its notes print, read by hand --------------------------

# spelling → official name of the time (2012); 市留交办 is no kind of the national pattern.
GUANGZHOU_633 = {
    "市发展改革委": "广州市发展和改革委员会", "市委组织部": "中共广州市委组织部",
    "市人力资源和社会保障局": "广州市人力资源和社会保障局", "市国资委": "广州市人民政府国有资产监督管理委员会",
    "市经贸委": "广州市经济贸易委员会", "市工商联": "广州市工商业联合会", "市教育局": "广州市教育局",
    "市金融办": "广州市人民政府金融工作办公室", "市工商局": "广州市工商行政管理局", "团市委": "共青团广州市委员会",
    "市科技和信息化局": "广州市科技和信息化局", "市科协": "广州市科学技术协会", "市城管委": "广州市城市管理委员会",
    "市农业局": "广州市农业局", "市委宣传部": "中共广州市委宣传部", "市文化广电新闻出版局": "广州市文化广电新闻出版局",
    "市体育局": "广州市体育局", "市卫生局": "广州市卫生局", "市民政局": "广州市民政局",
    "市委政法委": "中共广州市委政法委员会", "市法院": "广州市中级人民法院", "市检察院": "广州市人民检察院",
    "市公安局": "广州市公安局", "市司法局": "广州市司法局", "市法制办": "广州市人民政府法制办公室",
    "市财政局": "广州市财政局", "越秀区": "广州市越秀区人民政府", "市住房保障办": "广州市住房保障办公室",
    "市规划局": "广州市规划局", "市国土房管局": "广州市国土资源和房屋管理局",
    "市编办": "中共广州市委机构编制委员会办公室",
}


def test_every_name_of_the_real_guangzhou_document_is_its_official_guangzhou_body(auth):
    for spelling, official in GUANGZHOU_633.items():
        r = auth.resolve(spelling, "440100")
        assert (r.kind, r.label, r.warning) == (BODY, official, None), spelling
        assert r.jurisdiction in ("440100", "440104") and r.iri.startswith(BASE + f"org/{r.jurisdiction}/"), spelling
    r = auth.resolve("市留交办", "440100")          # not a kind of the pattern: a new body, said out loud
    assert r.label == "广州市留交办" and r.classification == GP + "UnlistedBody" and "'市留交办'" in r.warning


def test_counterparts_of_the_real_documents_bodies(auth):
    expected = {"市人力资源和社会保障局": {"人力资源和社会保障部"}, "市科技和信息化局": {"科学技术部", "工业和信息化部"},
                "市工商局": {"国家工商行政管理总局"}, "市法制办": {"国务院法制办公室"}, "市法院": {"最高人民法院"},
                "市委政法委": {"中共中央政法委员会"}, "市编办": {"中央机构编制委员会办公室"}, "市经贸委": set(),
                "市城管委": set()}
    for spelling, names in expected.items():
        assert {auth.pref[c] for c in auth.resolve(spelling, "440100").counterparts} == names, spelling


# --- one body one node; two jurisdictions two nodes ----------------------------------------------------------

def test_full_and_short_names_of_one_body_are_one_node(auth):
    for names, code, iri, label in [
        (("省交通运输厅", "省交通厅", "广东省交通运输厅"), "440000", "440000/transport", "广东省交通运输厅"),
        (("市人社局", "市人力资源和社会保障局", "市人力资源社会保障局", "广州市人力资源和社会保障局", "人力资源和社会保障局"),
         "440100", "440100/human-resources-social-security", "广州市人力资源和社会保障局"),
        (("市委组织部", "中共广州市委组织部"), "440100", "440100/organisation-department", "中共广州市委组织部"),
        (("团市委", "共青团广州市委员会"), "440100", "440100/youth-league", "共青团广州市委员会"),
        (("市法院", "市中院", "市中级人民法院", "广州市中级人民法院"), "440100", "440100/intermediate-court", "广州市中级人民法院"),
    ]:
        got = {(slug(r), r.label) for r in (auth.resolve(n, code) for n in names)}
        assert got == {(iri, label)}, names


def test_a_districts_bodies_are_the_districts_and_two_districts_are_two_bodies(auth):
    huangpu, xuhui = auth.resolve("区财政局", "310101"), auth.resolve("区财政局", "310104")
    assert (huangpu.label, slug(huangpu)) == ("上海市黄浦区财政局", "310101/finance")
    assert (xuhui.label, slug(xuhui)) == ("上海市徐汇区财政局", "310104/finance")
    assert huangpu.classification == GP + "CountyDepartment" and {auth.pref[c] for c in huangpu.counterparts} == {"财政部"}
    assert auth.resolve("区法院", "310101").label == "上海市黄浦区人民法院"
    assert auth.resolve("广州市越秀区教育局", "440100").label == "广州市越秀区教育局"
    assert slug(auth.resolve("越秀区教育局", "440100")) == "440104/education"


def test_provinces_and_counties_follow_the_pattern(auth):
    for spelling, code, label, counterparts in [
        ("省教育厅", "440000", "广东省教育厅", {"教育部"}),
        ("省发展改革委", "440000", "广东省发展和改革委员会", {"国家发展和改革委员会"}),
        ("省人社厅", "440000", "广东省人力资源和社会保障厅", {"人力资源和社会保障部"}),
        ("省卫生健康委", "440000", "广东省卫生健康委员会", {"国家卫生健康委员会"}),
        ("省市场监管局", "440000", "广东省市场监督管理局", {"国家市场监督管理总局"}),
        ("省委组织部", "440000", "中共广东省委组织部", {"中共中央组织部"}),
        ("省法院", "440000", "广东省高级人民法院", {"最高人民法院"}),
        ("省检察院", "440000", "广东省人民检察院", {"最高人民检察院"}),
        ("团省委", "440000", "共青团广东省委员会", {"中国共产主义青年团中央委员会"}),
        ("县教育局", "440823", "遂溪县教育局", {"教育部"}),
        ("县法院", "440823", "遂溪县人民法院", {"最高人民法院"}),
        ("县委组织部", "440823", "中共遂溪县委组织部", {"中共中央组织部"}),
        ("市法院", "310000", "上海市高级人民法院", {"最高人民法院"}),      # a municipality's court is a higher court
        ("自治区教育厅", "450000", "广西壮族自治区教育厅", {"教育部"}),
        ("自治区党委", "450000", "中共广西壮族自治区委员会", {"中国共产党中央委员会"}),
        ("市教育局", "440881", "廉江市教育局", {"教育部"}),              # a county-level city's own 市
        ("市法院", "440881", "廉江市人民法院", {"最高人民法院"}),
    ]:
        r = auth.resolve(spelling, code)
        assert (r.kind, r.label, r.jurisdiction, r.warning) == (BODY, label, code, None), spelling
        assert {auth.pref[c] for c in r.counterparts} == counterparts, spelling
    assert auth.resolve("省教育厅", "440000").classification == GP + "ProvincialDepartment"
    assert auth.resolve("县教育局", "440823").classification == GP + "CountyDepartment"


def test_a_citys_own_list_wins(auth):
    r = auth.resolve("市教育局", "440800")
    assert r.listed and slug(r) == "440800/education" and r.label == "湛江市教育局"
    r = auth.resolve("人行湛江市中心支行", "440800")
    assert r.listed and slug(r) == "440800/pboc"
    # a spelling the list lacks, whose official name the list has under another slug: the listed body
    r = auth.resolve("湛江市文广旅体局", "440800")
    assert r.listed and slug(r) == "440800/culture-tourism-sports" and r.label == "湛江市文化广电旅游体育局"


# --- offices of national bodies in a place --------------------------------------------------------------------

@pytest.mark.parametrize("spelling, plan, label, iri, national", [
    ("广东银保监局", "440100", "中国银行保险监督管理委员会广东监管局", "440000/banking-insurance-regulation", "cbirc"),
    ("广州银保监分局", "440100", "中国银行保险监督管理委员会广州监管分局", "440100/banking-insurance-regulation", "cbirc"),
    ("广东证监局", "440100", "中国证券监督管理委员会广东监管局", "440000/securities-regulation", "csrc"),
    ("广东金融监管局", "440100", "国家金融监督管理总局广东监管局", "440000/financial-regulation", "nfra"),
    ("广州海关", "440100", "广州海关", "440100/customs", "customs"),
    ("湛江海关", "440800", "湛江海关", "440800/customs", "customs"),
    ("市税务局", "440100", "国家税务总局广州市税务局", "440100/taxation", "taxation"),
    ("省税务局", "440000", "国家税务总局广东省税务局", "440000/taxation", "taxation"),
    ("人行广州分行", "440100", "中国人民银行广州分行", "440100/pboc-regional-branch", "pboc"),
    ("人民银行深圳市中心支行", "440300", "中国人民银行深圳市中心支行", "440300/pboc", "pboc"),
    ("市气象局", "440100", "广州市气象局", "440100/meteorology", "cma"),
])
def test_an_office_of_a_national_body_is_that_bodys_office_in_the_place(auth, spelling, plan, label, iri, national):
    r = auth.resolve(spelling, plan)
    assert (r.kind, r.label, slug(r), r.warning) == (BODY, label, iri, None)
    assert r.classification == GP + "CentralAgencyBranch"
    assert r.parent == BASE + f"org/CN/{national}" and r.counterparts == (BASE + f"org/CN/{national}",)


# --- never a guess ----------------------------------------------------------------------------------------------

def test_no_jurisdiction_no_local_body(auth):
    for spelling in ("教育局", "市教育局", "区财政局", "市法院", "团市委"):
        r = auth.resolve(spelling, None)
        assert r.kind == UNRESOLVED and r.label == spelling and r.jurisdiction is None, spelling
    r = auth.resolve("区财政局", "440100")              # a city plan has no district of its own
    assert r.kind == UNRESOLVED and r.label == "区财政局"
    r = auth.resolve("教育局", "CN")                     # no national 教育局: never a city's
    assert not r.iri.startswith(BASE + "org/44")


def test_a_zone_committee_is_named_once(auth):
    for spelling, code in (("广州开发区管委会", "440100"), ("湛江经济技术开发区管委会", "440800")):
        r = auth.resolve(spelling, code)
        assert r.label == spelling and r.jurisdiction == code


# --- end to end: Guangzhou-style texts with no list for 440100 ------------------------------------------------

def _built(tmp_path, sources):
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path / "store"), [str(s) for s in sources])
    build_store(loc)
    return Store(loc.directory)


# tests/data/bodies/guangzhou-bureaus.txt read by hand: spelling → (official name, national counterparts)
GUANGZHOU_BUREAUS = {
    "市委组织部": ("中共广州市委组织部", {"中共中央组织部"}),
    "市人社局": ("广州市人力资源和社会保障局", {"人力资源和社会保障部"}),
    "市人力资源和社会保障局": ("广州市人力资源和社会保障局", {"人力资源和社会保障部"}),
    "市科协": ("广州市科学技术协会", {"中国科学技术协会"}),
    "团市委": ("共青团广州市委员会", {"中国共产主义青年团中央委员会"}),
    "市妇联": ("广州市妇女联合会", {"中华全国妇女联合会"}),
    "市总工会": ("广州市总工会", {"中华全国总工会"}),
    "市工商联": ("广州市工商业联合会", {"中华全国工商业联合会"}),
    "市金融办": ("广州市人民政府金融工作办公室", set()),
    "广东银保监局": ("中国银行保险监督管理委员会广东监管局", {"中国银行保险监督管理委员会"}),
    "人行广州分行": ("中国人民银行广州分行", {"中国人民银行"}),
    "广州海关": ("广州海关", {"海关总署"}),
    "市法院": ("广州市中级人民法院", {"最高人民法院"}),
    "市检察院": ("广州市人民检察院", {"最高人民检察院"}),
    "市纪委": ("中共广州市纪律检查委员会", {"中国共产党中央纪律检查委员会"}),
    "市直机关工委": ("中共广州市直属机关工作委员会", {"中央和国家机关工作委员会"}),
    "越秀区财政局": ("广州市越秀区财政局", {"财政部"}),
    "海珠区财政局": ("广州市海珠区财政局", {"财政部"}),
    "广州开发区管委会": ("广州开发区管委会", set()),
    "市人大常委会": ("广州市人民代表大会常务委员会", {"全国人民代表大会常务委员会"}),
    "市政协": ("中国人民政治协商会议广州市委员会", {"中国人民政治协商会议全国委员会"}),
    "市委政法委": ("中共广州市委政法委员会", {"中共中央政法委员会"}),
}


def test_a_guangzhou_style_text_gives_guangzhou_bodies_with_national_counterparts(tmp_path):
    from greenplan.api import run_saved

    assert not (folder("ontology") / "bodies" / "440100.ttl").exists()
    store = _built(tmp_path, [DATA / "guangzhou-bureaus.txt", Path(__file__).parent / "data" / "guangzhou-sample.txt"])
    rows = [r for r in run_saved(store, "task-bodies").dicts() if "/guangzhou-bureaus/" in r["task"]]
    assert {r["spelling"] for r in rows} == set(GUANGZHOU_BUREAUS)
    for r in rows:
        assert r["label"] == GUANGZHOU_BUREAUS[r["spelling"]][0], r["spelling"]
    assert len({r["body"] for r in rows if r["spelling"] in ("市人社局", "市人力资源和社会保障局")}) == 1
    assert len({r["body"] for r in rows if r["spelling"].endswith("区财政局")}) == 2
    counterparts = run_saved(store, "counterparts", {"plan": "guangzhou-bureaus"}).dicts()
    pairs = [(c["body"], c["counterpart"]) for c in counterparts]
    assert len(pairs) == len(set(pairs))          # bodies both plans name (团市委) are one row, not one per plan
    got: dict[str, set[str]] = {}
    for c in counterparts:
        got.setdefault(c["label"], set()).add(c["counterpartLabel"])
    want = {label: cs for label, cs in GUANGZHOU_BUREAUS.values() if cs}
    # the plan's own national bodies may appear as counterparts of listed Zhanjiang bodies too: keep Guangzhou's
    assert {k: v for k, v in got.items() if not k.startswith("湛江") and "湛江" not in k} == want
    labels = {r["label"] for r in run_saved(store, "task-bodies").dicts() if r["collective"] == "false"}
    for label in labels:
        assert not any(w in label for w in ("等", "相关", "及")), label
        assert label.count("广州") <= 1 and not any(ch.isdigit() for ch in label), label


def test_a_districts_own_documents_give_two_districts_bodies(tmp_path):
    from greenplan.api import run_saved

    store = _built(tmp_path, [DATA / "huangpu-district.txt", DATA / "xuhui-district.txt"])
    got = {(r["task"].split("/plan/")[1].split("/")[0], r["spelling"], r["label"], r["body"].removeprefix(BASE + "org/"))
           for r in run_saved(store, "task-bodies").dicts()}
    assert got == {
        ("huangpu-district", "区财政局", "上海市黄浦区财政局", "310101/finance"),
        ("huangpu-district", "区发展改革委", "上海市黄浦区发展和改革委员会", "310101/development-reform-commission"),
        ("huangpu-district", "区生态环境局", "上海市黄浦区生态环境局", "310101/ecology-environment"),
        ("huangpu-district", "区税务局", "国家税务总局上海市黄浦区税务局", "310101/taxation"),
        ("huangpu-district", "区法院", "上海市黄浦区人民法院", "310101/court"),
        ("xuhui-district", "区财政局", "上海市徐汇区财政局", "310104/finance"),
        ("xuhui-district", "区发展改革委", "上海市徐汇区发展和改革委员会", "310104/development-reform-commission"),
        ("xuhui-district", "区生态环境局", "上海市徐汇区生态环境局", "310104/ecology-environment"),
        ("xuhui-district", "区税务局", "国家税务总局上海市徐汇区税务局", "310104/taxation"),
        ("xuhui-district", "区法院", "上海市徐汇区人民法院", "310104/court"),
    }


# --- the data files ------------------------------------------------------------------------------------------

def test_every_row_of_the_pattern_names_listed_national_bodies_and_known_kinds(auth):
    tiers = {r["tier"] for r in data_table("division-levels.tsv")}
    kinds = {s for s, ts in _types(auth).items() if GP + "OrganisationKind" in ts}
    rows = data_table("local-bodies.tsv")
    assert len(rows) > 150
    for r in rows:
        assert set(r["tiers"].split(",")) <= tiers - {"country"}, r["slug"]
        for c in filter(None, r["counterparts"].split(",")):
            assert auth.jurisdiction_of.get(BASE + f"org/CN/{c}") == "CN", (r["slug"], c)
        for k in filter(None, r["kind"].split(",")):
            assert k in ("department", "office") or GP + k in kinds, (r["slug"], k)
        assert "{place}" in r["name"] or "{short}" in r["name"], r["slug"]


def _types(auth):
    out: dict[str, set[str]] = {}
    for q in resource_quads(Minter(BASE)):
        if q.predicate.value.endswith("#type"):
            out.setdefault(q.subject.value, set()).add(q.object.value)
    return out


def test_every_county_level_division_is_a_place_within_its_province_or_prefecture(auth):
    counties = [d for d in auth.divisions.values() if auth.tier(d.code) == "county"]
    assert len(counties) > 2800
    provinces = {c for c, d in auth.divisions.items() if d.parent == "CN"}
    assert {auth.chain(d.code)[-2] for d in counties} == provinces            # every province has its counties
    assert auth.divisions["310101"].parent == "310000" and auth.name("310101") == "黄浦区"
    assert auth.divisions["429004"].parent == "420000" and auth.name("429004") == "仙桃市"
    assert auth.divisions["440104"].parent == "440100"
    assert auth.full_name("310101") == "上海市黄浦区" and auth.full_name("440823") == "遂溪县"
    assert auth.short_name("440000") == "广东" and auth.short_name("450000") == "广西" and auth.short_name("440800") == "湛江"
    for d in auth.divisions.values():
        assert not any(ch.isdigit() for ch in d.name), d.code


def test_the_national_list_has_the_bodies_of_the_reform_lists(auth):
    for spelling, official in [("国家移民管理局", "国家移民管理局"), ("移民局", "国家移民管理局"),
                               ("国务院推进政府职能转变协调小组办公室", "国务院推进政府职能转变协调小组办公室"),
                               ("国务院职转办", "国务院推进政府职能转变协调小组办公室"),
                               ("国家监委", "中华人民共和国国家监察委员会"), ("全国人大常委会", "全国人民代表大会常务委员会"),
                               ("全国政协", "中国人民政治协商会议全国委员会"), ("国台办", "国务院台湾事务办公室"),
                               ("国务院侨办", "国务院侨务办公室"), ("国务院法制办", "国务院法制办公室"),
                               ("中央金融办", "中央金融委员会办公室"), ("中央港澳办", "中共中央港澳工作办公室"),
                               ("国家外专局", "国家外国专家局"), ("国家公务员局", "国家公务员局"),
                               ("中国地震局", "中国地震局"), ("国家反垄断局", "国家反垄断局"),
                               ("国务院安委会", "国务院安全生产委员会"), ("国开行", "国家开发银行"),
                               ("国铁集团", "中国国家铁路集团有限公司"), ("国家电影局", "国家电影局"),
                               ("监察部", "中华人民共和国监察部"), ("国家预防腐败局", "国家预防腐败局"),
                               ("国家烟草局", "国家烟草专卖局"), ("退役军人部", "退役军人事务部")]:
        r = auth.resolve(spelling, "CN")
        assert r.listed and r.label == official and r.jurisdiction == "CN", spelling


def test_a_collective_found_by_the_reader_is_one_collective_party_never_a_body(auth):
    """The reader recognises collective phrases by their shape (issue 21, the notes half); a phrase it flags is a
    collective party of the plan's jurisdiction even where ontology/collective-parties.tsv does not list it."""
    r = auth.resolve("省直有关部门", "440000", collective=True)
    assert (r.kind, r.label, r.jurisdiction) == (COLLECTIVE, "省直有关部门", "440000")


@pytest.mark.parametrize("bad, message", [
    ({"counterparts": "no-such-body"}, "counterpart 'no-such-body' is no body of ontology/bodies/CN.ttl"),
    ({"tiers": "village"}, "expected a slug, a kind and tiers among"),
    ({"name": "教育局"}, "needs {place} or {short}"),
    ({"slug": "finance-2"}, "'X财政局' in tier city is already a spelling of row"),
    ({"spellings": "X教育局"}, "slug 'finance' in tier city is already row"),
])
def test_a_bad_row_of_the_pattern_is_one_clear_error_naming_the_row(monkeypatch, bad, message):
    from greenplan.build import authority
    from greenplan.errors import GreenplanError

    real = authority.data_table

    def planted(name):
        rows = real(name)
        if name == "local-bodies.tsv":
            finance = next(r for r in rows if r["slug"] == "finance" and "city" in r["tiers"])
            rows.append({**finance, **bad})
        return rows

    monkeypatch.setattr(authority, "data_table", planted)
    m = Minter(BASE)
    with pytest.raises(GreenplanError) as e:
        Authority(resource_quads(m), m)
    assert str(e.value).startswith("ontology/local-bodies.tsv: row ") and message in str(e.value)


def test_place_less_office_names_are_offices_of_their_national_body_never_a_city_body(auth):
    r = auth.resolve("税务局", "440100")                  # the city's own tax bureau: one per city
    assert (r.label, slug(r), r.warning) == ("国家税务总局广州市税务局", "440100/taxation", None)
    r = auth.resolve("气象局", "440100")
    assert (r.label, slug(r)) == ("广州市气象局", "440100/meteorology")
    for spelling, national in (("银保监局", "cbirc"), ("证监局", "csrc"), ("海关", "customs")):
        r = auth.resolve(spelling, "440100")              # which office the name does not say: as printed
        assert (r.label, r.jurisdiction, r.parent) == (spelling, "440100", BASE + f"org/CN/{national}"), spelling
        assert r.classification == GP + "CentralAgencyBranch" and "'" + spelling + "'" in r.warning
        assert "广州市" + spelling != r.label


def test_a_division_named_in_full_is_its_government_also_outside_the_plans(auth):
    for spelling in ("深圳市人民政府", "深圳市", "深圳市政府"):
        r = auth.resolve(spelling, "440100")
        assert (r.label, slug(r)) == ("深圳市人民政府", "440300/government"), spelling
    assert slug(auth.resolve("深圳市人民政府", None)) == "440300/government"


def test_the_division_generator_puts_every_county_within_its_prefecture_or_province(tmp_path, capsys):
    """tools/divisions.py on a few rows in china-division's format (codes and names as the NBS publishes them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("divisions", Path(__file__).parent.parent / "tools" / "divisions.py")
    divisions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(divisions)
    (tmp_path / "provinces.csv").write_text('code,name\n31,"上海市"\n42,"湖北省"\n44,"广东省"\n', encoding="utf-8")
    (tmp_path / "cities.csv").write_text('code,name,provinceCode\n3101,"市辖区",31\n4201,"武汉市",42\n'
                                         '4290,"省直辖县级行政区划",42\n4419,"东莞市",44\n', encoding="utf-8")
    (tmp_path / "areas.csv").write_text('code,name,cityCode,provinceCode\n310101,"黄浦区",3101,31\n'
                                        '420102,"江岸区",4201,42\n429004,"仙桃市",4290,42\n'
                                        '441900,"东莞市",4419,44\n130672,"保定白沟新城",1306,13\n', encoding="utf-8")
    table = tmp_path / "counties.tsv"
    assert divisions.main([str(tmp_path), "--counties", "4201", "--table", str(table)]) == 0
    out, err = capsys.readouterr()
    within = dict(re.findall(r"<place/(\d+)> a gp:Place.*?gp:within <place/(\w+)>", out, re.S))
    assert within == {"310000": "CN", "420000": "CN", "440000": "CN", "420100": "420000", "441900": "440000",
                      "420102": "420100"}                       # the counties --counties names are in the graph
    rows = [ln.split("\t") for ln in table.read_text(encoding="utf-8").splitlines()[2:]]
    assert rows == [["310101", "黄浦区", "district", "310000"], ["429004", "仙桃市", "county-level city", "420000"]]
    assert "left out 130672 保定白沟新城" in err and "310100" not in out + table.read_text(encoding="utf-8")
