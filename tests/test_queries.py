"""Topics, places and the saved queries answer researchers' questions exactly.

Expected rows are worked out from the document by hand, not from greenplan (readers: tests/handread.py):
- tests/data/annex1-owners.tsv and spellings.tsv (who owns each task, read off annex 1),
- tests/data/annex2-projects.tsv (annex 2 rows),
- tests/data/topic-cases.tsv (texts read by hand: about a concept or not, and why),
- the raw annex text, searched with plain string operations below (hydrogen: 氢能, 制氢, 加氢).
Golden files (what the term search gave on the bundled plan, reviewed; their headers say so):
tests/data/topic-tags.tsv and place-mentions.tsv — the query answers built from them check that the
queries count and group tags correctly, and that tagging does not change unnoticed.
"""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from decimal import Decimal
from itertools import combinations

import pyoxigraph as ox
import pytest

from greenplan.api import run_saved
from greenplan.cli.main import main
from greenplan.query.catalogue import ParameterError, catalogue, lookup_path, saved_query
from greenplan.resources import folder
from greenplan.store.core import Store, build_store, locate
from tests.handread import (
    DATA,
    OWNER_CELLS,
    PROJECTS,
    full_names,
    owner_names,
    place_mentions,
    read_tsv,
    tags,
    workload,
)
from tests.test_authority import ZHANJIANG_COUNTERPARTS

BASE = "https://w3id.org/greenplan/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GP = "https://w3id.org/greenplan/ontology#"
HYDROGEN_TERMS = ("氢能", "制氢", "加氢")


# --- hand-read facts ------------------------------------------------------------------------

def owners(number: int, cells=OWNER_CELLS) -> list[str]:
    """Full zh names of a task's bodies, in annex order, from the owner cell as printed."""
    return full_names(cells[number])


def annex1_task_texts(text: str) -> dict[int, str]:
    """Task number → the annex 1 lines from its number cell to the next one, by plain string operations."""
    annex = text[text.index("重点任务分工表", text.index("附件：") + 10):text.rindex("重点项目建设表")]
    out: dict[int, str] = {}
    number = None
    for line in annex.splitlines():
        cell = line.strip()
        if re.fullmatch(r"\d{1,3}", cell) and line.startswith("\t"):
            number = int(cell)
            out[number] = ""
        elif number is not None:
            out[number] += cell
    return out


def thesaurus():
    """slug → (zh, en, broader slug or None, terms) from ontology/topics.ttl."""
    triples = list(ox.parse(path=str(folder("ontology") / "topics.ttl"), format=ox.RdfFormat.TURTLE, base_iri=BASE))
    out: dict[str, dict] = defaultdict(lambda: {"zh": None, "en": None, "broader": None, "terms": []})
    for t in triples:
        s = t.subject.value
        if "/topic/" not in s or s.endswith("/scheme"):
            continue
        d = out[s.rsplit("/", 1)[-1]]
        p = t.predicate.value
        if p == SKOS + "prefLabel":
            d[t.object.language] = t.object.value
        elif p == SKOS + "broader":
            d["broader"] = t.object.value.rsplit("/", 1)[-1]
        elif p == SKOS + "hiddenLabel":
            d["terms"].append(t.object.value)
    return dict(out)


def narrower_or_self(slug: str, th) -> set[str]:
    return {s for s, d in th.items() if s == slug or d["broader"] == slug}


def joined(numbers) -> str:
    return "、".join(str(n) for n in sorted(numbers))


PROJECT_ROWS = {int(p["number"]): p for p in PROJECTS}


def amount(numbers) -> Decimal:
    return sum((Decimal(PROJECT_ROWS[n]["investment"]) for n in numbers), Decimal(0))


def dec(value) -> Decimal:
    return Decimal(str(value))


# --- thesaurus and places ---------------------------------------------------------------------

TOP_CONCEPTS = {"energy", "industry", "waste", "water", "transport", "buildings", "agriculture", "finance", "carbon",
                "standards-statistics", "technology", "environment", "consumption"}


def test_thesaurus_is_two_levels_of_labelled_concepts():
    th = thesaurus()
    tops = {s for s, d in th.items() if d["broader"] is None}
    assert tops == TOP_CONCEPTS
    assert set(th) - tops == set(tags())      # every narrower concept has its row in the reviewed tag table
    for slug, d in th.items():
        assert d["zh"] and d["en"], slug
        assert d["broader"] is None or d["broader"] in tops, f"{slug}: more than two levels"
        if d["broader"] is not None:
            assert d["terms"], f"{slug}: a narrower concept needs terms that signal it"
        assert all(len(t) >= 2 for t in d["terms"]), f"{slug}: single-character terms misfire"
    assert sorted(th["hydrogen"]["terms"]) == sorted(HYDROGEN_TERMS)
    for required in ("hydrogen", "nuclear", "wind", "solar", "natural-gas", "grid", "storage", "steel",
                     "petrochemicals", "paper", "hazardous-waste", "medical-waste", "construction-waste",
                     "domestic-waste", "plastics", "batteries", "sewage", "desalination", "sponge-city", "ports",
                     "rail", "new-energy-vehicles", "logistics", "cold-chain", "blue-carbon", "mangroves"):
        assert required in th, required


def test_no_term_sits_inside_an_unrelated_word_of_the_document(source):
    """Known traps: 港 in 粤港澳, 水 in 水产, 化工 in 常态化工作, 水产 in 节水产品, 石化 in 非石化能源."""
    terms = {t for d in thesaurus().values() for t in d["terms"]}
    for trap in ("港", "水", "化工", "水产", "风机", "快递", "森林", "集聚区"):
        assert trap not in terms, trap
    text = source.read_text(encoding="utf-8")
    assert "粤港澳" in text and "常态化工作" in text and "节水产品" in text and "鼓风机" in text


def test_topic_cases_read_from_the_texts(store):
    """tests/data/topic-cases.tsv: texts of the plan read by a person, about a concept or not, and why."""
    cases = read_tsv("topic-cases.tsv")
    th = thesaurus()
    assert {c["about"] for c in cases} == {"yes", "no"}
    assert sum(c["about"] == "no" for c in cases) >= 10
    rows = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?record ?topic WHERE { GRAPH ?g { ?record a ?class . VALUES ?class { gp:Task gp:Project gp:Target }
          OPTIONAL { { ?record gp:about ?topic } UNION { ?record gp:measuresTopic ?topic } } } }
    """).dicts()
    tagged: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in rows:
        kind, n = r["record"].rsplit("/", 2)[-2:]
        tagged[(kind, int(n))] |= {r["topic"].rsplit("/", 1)[-1]} if r["topic"] else set()
    wrong = []
    for c in cases:
        record = (c["kind"], int(c["number"]))
        assert record in tagged, f"no {c['kind']} {c['number']} in the graph"
        assert c["concept"] in th and th[c["concept"]]["broader"], f"{c['concept']}: not a narrower concept"
        assert c["reason"].strip(), c
        if (c["concept"] in tagged[record]) != (c["about"] == "yes"):
            wrong.append(f"{c['kind']} {c['number']} {c['concept']}: read {c['about']} ({c['reason']}), "
                         f"tagged {sorted(tagged[record])}")
    assert not wrong, "\n".join(wrong)


def test_no_thesaurus_term_is_a_misprint():
    """A misprint (shapes/misprints.tsv) is read as meant when tagging; it is never a term of its own."""
    from greenplan.resources import misprint_rows

    terms = {t for d in thesaurus().values() for t in d["terms"]}
    misprints = {printed: meant for printed, meant, _ in misprint_rows()}
    assert "非石化能源" in misprints and not terms & set(misprints)
    assert misprints["非石化能源"] in thesaurus()["clean-energy"]["terms"]


def test_every_concept_tags_exactly_the_records_read_by_hand(store):
    expected = tags()
    rows = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?record ?topic WHERE { GRAPH ?g { { ?record gp:about ?topic } UNION { ?record gp:measuresTopic ?topic } } }
    """).dicts()
    got: dict[str, dict[str, set[int]]] = defaultdict(lambda: {"tasks": set(), "projects": set(), "targets": set()})
    for r in rows:
        kind, n = r["record"].rsplit("/", 2)[-2:]
        got[r["topic"].rsplit("/", 1)[-1]][kind + "s"].add(int(n))
    assert sorted(got) == sorted(expected)
    for slug, kinds in expected.items():
        for kind, numbers in kinds.items():
            assert sorted(got[slug][kind]) == numbers, (slug, kind)


def test_evidence_names_the_matched_term_found_in_the_text(store, plan):
    p, _ = plan
    texts = {t.number: t.text for t in p.tasks}
    rows = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?task ?term WHERE { GRAPH ?g { ?task a gp:Task ; gp:topicMatch ?m . ?m gp:matchedTerm ?term } }
    """).dicts()
    assert rows
    for r in rows:
        assert r["term"] in texts[int(r["task"].rsplit("/", 1)[-1])]


def test_places_hold_the_reference_divisions_and_zones_inside_them(store):
    # tests/data/zhanjiang-divisions.tsv: the reference table (GB/T 2260 codes) as published; the package's copy
    # (data/) must be that table, unchanged
    reference = read_tsv("zhanjiang-divisions.tsv")
    assert (DATA / "zhanjiang-divisions.tsv").read_bytes() == (folder("data") / "zhanjiang-divisions.tsv").read_bytes()
    rows = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code ?zh ?en ?parent WHERE { GRAPH ?g {
          ?p a gp:AdministrativeDivision ; gp:divisionCode ?code ; skos:prefLabel ?zh, ?en .
          FILTER(lang(?zh) = "zh" && lang(?en) = "en")
          OPTIONAL { ?p gp:within/gp:divisionCode ?parent } } } ORDER BY ?code
    """).dicts()
    assert [(r["code"], r["zh"], r["en"]) for r in rows] == [(r["code"], r["name_zh"], r["name_en"]) for r in reference]
    assert all(r["parent"] == "440800" for r in rows if r["code"] != "440800")
    zones = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?zone (GROUP_CONCAT(?code; separator=" ") AS ?codes) WHERE { GRAPH ?g { ?zone a gp:Zone .
          OPTIONAL { ?zone gp:within+ ?d . ?d a gp:AdministrativeDivision ; gp:divisionCode ?code } } } GROUP BY ?zone
    """).dicts()
    # every zone lies in 湛江市, and in the county-level division the plan's wording names, if it names one
    assert {z["zone"].rsplit("/", 1)[-1]: set(z["codes"].split()) for z in zones} == \
        {k: {"440800"} | ({c} if c else set()) for k, c in COUNTY_OF.items() if k != "440800"}


def test_tasks_and_projects_name_exactly_the_places_read_by_hand(store):
    rows = store.run("""
        PREFIX gp: <https://w3id.org/greenplan/ontology#>
        SELECT ?record ?place WHERE { GRAPH ?g { ?record gp:mentionsPlace ?place } }
    """).dicts()
    got: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"tasks": [], "projects": []})
    for r in rows:
        kind, n = r["record"].rsplit("/", 2)[-2:]
        got[r["place"].rsplit("/", 1)[-1]][kind + "s"].append(int(n))
    assert {k: {kk: sorted(v) for kk, v in d.items()} for k, d in got.items()} == place_mentions()


# --- the catalogue ------------------------------------------------------------------------------

def test_catalogue_lists_every_documented_query(capsys):
    queries = catalogue()
    assert sorted(q.name for q in queries) == sorted(f.stem for f in folder("queries").glob("*.rq"))
    assert set(DEFAULT_ROWS) == {q.name for q in queries}, "every saved query needs its expected rows below"
    for q in queries:
        assert q.summary and q.description, q.name
        assert "GRAPH" in q.text, f"{q.name}: triple patterns must sit inside GRAPH ?g {{…}}"
        assert "BOUND(?_" not in q.text.replace(" ", ""), f"{q.name}: test optional parameters with COALESCE"
        for p in q.parameters:
            if p.enumerate:
                assert lookup_path(p.name), f"{q.name}: enumerated parameter {p.name} needs queries/parameters/{p.name}.rq"
    assert main(["queries"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == len(queries)
    assert any(l.startswith("topic-bureaus") and "topic" in l for l in listed)


def topic_numbers(slug: str, kind: str) -> set[int]:
    th, tg = thesaurus(), tags()
    return {n for s in narrower_or_self(slug, th) for n in tg.get(s, {}).get(kind, [])}


def partners_of(body: str) -> set[str]:
    return {b for a, b2, _, _ in expected_pairs() for b in (a, b2) if body in (a, b2) and b != body}


def place_keys_inside(code: str) -> set[str]:
    return {code} | {k for k, c in COUNTY_OF.items() if c == code}


# Rows each saved query gives with its default parameters (catalogue), from the hand-read tables:
DEFAULT_ROWS = {
    "bureau-investment": lambda: len({b for p in PROJECTS for b in lead_full_names(p)}),
    "bureau-pairs": lambda: len(expected_pairs()),
    "bureau-partners": lambda: len(partners_of("湛江市生态环境局")),                       # bureau=湛江市生态环境局
    "bureau-tasks": lambda: sum("湛江市发展和改革局" in owners(n) for n in OWNER_CELLS),     # bureau=湛江市发展和改革局
    "bureau-workload": lambda: len(workload(owners)[0]),
    "bureau-roles": lambda: len(workload(owners)[0]),      # the same bodies: every body named on a task
    "task-deadlines": lambda: 0,                            # annex 1 has no 完成时限 column; no task text names one
    "counterparts": lambda: sum(len(c) for c in ZHANJIANG_COUNTERPARTS.values()),  # hand-read in test_authority
    "plans": lambda: 1,                                                                # one document in the store
    "place-investment": lambda: len(investment_by_place()),
    "place-tasks": lambda: sum(len({n for k in place_keys_inside("440882") for n in place_mentions().get(k, {}).get(kind, [])})
                               for kind in ("tasks", "projects")),                            # place=雷州市
    "projects-active": lambda: sum(int(p["start"]) <= 2025 <= int(p["end"]) for p in PROJECTS),   # year=2025
    "projects": lambda: len(PROJECTS),
    "target-topics": lambda: 5,                                                               # section （三）: 5 targets
    "tasks-min-owners": lambda: sum(len(owners(n)) >= 3 for n in OWNER_CELLS),                # minOwners=3
    "task-bodies": lambda: sum(len(owner_names(c)) for c in OWNER_CELLS.values()),   # one row per printed name
    "tasks": lambda: len(OWNER_CELLS),
    "topic-bureaus": lambda: len(expected_topic_bureaus(topic_numbers("hydrogen", "tasks"))),  # topic=hydrogen
    "topic-coverage": lambda: sum(bool(topic_numbers(s, "tasks")) and not topic_numbers(s, "projects")
                                  for s in thesaurus()),                                      # side=tasks-only
    "topic-investment": lambda: sum(bool(topic_numbers(s, "projects")) for s in thesaurus()),
    "topic-tasks": lambda: len(topic_numbers("hydrogen", "tasks")),                            # topic=hydrogen
    "topics": lambda: len(thesaurus()),
    "uncarried-sentences": lambda: len(UNCARRIED),
}


@pytest.mark.parametrize("query", catalogue(), ids=lambda q: q.name)
def test_every_saved_query_runs_with_its_defaults_and_gives_its_rows(query, store):
    result = run_saved(store, query.name)
    assert len(result.rows) == DEFAULT_ROWS[query.name](), query.name
    again = run_saved(store, query.name)
    assert again.rows == result.rows  # stable order


def test_lookup_files_all_load_and_list_values(store):
    from greenplan.query.catalogue import choices

    files = sorted((folder("queries") / "parameters").glob("*.rq"))
    assert files
    for f in files:
        assert choices(store, f.stem), f.name


# --- the contract queries ---------------------------------------------------------------------

def hydrogen_tasks(source) -> list[int]:
    texts = annex1_task_texts(source.read_text(encoding="utf-8"))
    return sorted(n for n, t in texts.items() if any(term in t for term in HYDROGEN_TERMS))


def test_annex_text_reader_finds_all_tasks(source):
    assert sorted(annex1_task_texts(source.read_text(encoding="utf-8"))) == list(range(1, 113))


def expected_topic_bureaus(task_numbers, cells=OWNER_CELLS):
    by_body = defaultdict(set)
    for n in task_numbers:
        for body in owners(n, cells):
            by_body[body].add(n)
    return sorted(((b, len(ns), joined(ns)) for b, ns in by_body.items()), key=lambda r: (-r[1], r[0]))


def test_topic_bureaus_names_the_owners_of_the_hydrogen_tasks(store, source):
    numbers = hydrogen_tasks(source)
    assert numbers == [59, 73, 85, 92]
    expected = expected_topic_bureaus(numbers)
    for value in ("hydrogen", "氢能", "Hydrogen", BASE + "topic/hydrogen"):
        rows = run_saved(store, "topic-bureaus", {"topic": value}).dicts()
        assert [(r["label"], r["taskCount"], r["tasks"]) for r in rows] == expected, value
        assert all(r["bureau"].startswith(BASE + "org/") for r in rows)


def test_topic_bureaus_counts_narrower_topics(store):
    th, tg = thesaurus(), tags()
    numbers = sorted({n for s in narrower_or_self("energy", th) for n in tg.get(s, {}).get("tasks", [])})
    rows = run_saved(store, "topic-bureaus", {"topic": "能源"}).dicts()
    assert [(r["label"], r["taskCount"], r["tasks"]) for r in rows] == expected_topic_bureaus(numbers)


def test_topic_bureaus_on_an_edited_copy(tmp_path, source):
    """Take 加氢 out of task 73 and put 制氢 into task 64 (海水淡化): the answer follows the text."""
    text = source.read_text(encoding="utf-8")
    assert text.count("加强新能源汽车充换电、加氢等配套基础设施建设") == 2   # body and annex
    annex_at = text.index("重点任务分工表", text.index("附件：") + 10)
    body, annex = text[:annex_at], text[annex_at:]
    annex = annex.replace("充换电、加氢等配套", "充换电等配套").replace("推动海水淡化示范城市建设", "推动海水淡化制氢示范城市建设")
    copy = tmp_path / source.name
    copy.write_text(body + annex, encoding="utf-8")
    shutil.copy(source.with_name(source.stem + ".meta.toml"), tmp_path)
    numbers = hydrogen_tasks(copy)
    assert numbers == [59, 64, 85, 92]
    loc = locate(str(tmp_path / "store"), [str(copy)])
    build_store(loc)
    rows = run_saved(Store(loc.directory), "topic-bureaus", {"topic": "hydrogen"}).dicts()
    assert [(r["label"], r["taskCount"], r["tasks"]) for r in rows] == expected_topic_bureaus(numbers)


def expected_pairs(task_filter=lambda n: True):
    shared = defaultdict(set)
    for n in OWNER_CELLS:
        if not task_filter(n):
            continue
        for a, b in combinations(sorted(set(owners(n))), 2):  # Python sorts str by code point
            shared[(a, b)].add(n)
    return sorted(((a, b, len(ns), joined(ns)) for (a, b), ns in shared.items()), key=lambda r: (-r[2], r[0], r[1]))


def test_bureau_pairs_gives_every_co_owning_pair_with_its_count(store):
    rows = run_saved(store, "bureau-pairs").dicts()
    assert [(r["labelA"], r["labelB"], r["sharedTasks"], r["tasks"]) for r in rows] == expected_pairs()
    assert all(r["bureauA"] != r["bureauB"] for r in rows)


def test_bureau_pairs_filters(store, source):
    hydrogen = set(hydrogen_tasks(source))
    rows = run_saved(store, "bureau-pairs", {"topic": "hydrogen"}).dicts()
    assert [(r["labelA"], r["labelB"], r["sharedTasks"], r["tasks"]) for r in rows] == expected_pairs(lambda n: n in hydrogen)
    rows = run_saved(store, "bureau-pairs", {"minShared": "10"}).dicts()
    assert [(r["labelA"], r["labelB"], r["sharedTasks"]) for r in rows] == \
        [(a, b, c) for a, b, c, _ in expected_pairs() if c >= 10]
    # chapter 八 (认真抓好组织落实) holds tasks 110–112 (annex 1, read by hand)
    for value in ("8", "八", "认真抓好组织落实"):
        rows = run_saved(store, "bureau-pairs", {"chapter": value}).dicts()
        assert [(r["labelA"], r["labelB"], r["sharedTasks"]) for r in rows] == \
            [(a, b, c) for a, b, c, _ in expected_pairs(lambda n: n >= 110)], value


def test_chapter_numerals_past_ten_come_from_the_data(tmp_path):
    """tests/data/twelve-chapters.txt (written for the tests) has chapters 一 … 十二; each numeral as printed
    resolves to its chapter number, so 十一 and 十二 do too (no list of numerals in the query)."""
    loc = locate(str(tmp_path / "store"), [str(DATA / "twelve-chapters.txt")])
    build_store(loc)
    twelve = Store(loc.directory)
    pairs = saved_query("bureau-pairs")
    printed = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
    for number, numeral in enumerate(printed, 1):
        for value in (numeral, str(number), f"第{number}方面工作"):
            assert pairs.bindings({"chapter": value}, twelve)["_chapter"] == ox.Literal(number), value
    with pytest.raises(ParameterError):
        pairs.bindings({"chapter": "十三"}, twelve)
    notations = twelve.run("""PREFIX gp: <https://w3id.org/greenplan/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?n ?notation WHERE { GRAPH ?g { ?c a gp:Chapter ; gp:position ?n ; skos:notation ?notation } }
        ORDER BY ?n""").dicts()
    assert [(r["n"], r["notation"]) for r in notations] == list(enumerate(printed, 1))


def test_bureau_roles_on_the_draft_are_all_responsible(store):
    # annex 1 prints one 主要责任单位 column, no lead or supporting roles: every task counts as responsible
    total, _ = workload(owners)
    rows = run_saved(store, "bureau-roles").dicts()
    assert sorted((r["label"], r["lead"], r["supporting"], r["participating"], r["guiding"], r["responsible"],
                   r["total"]) for r in rows) == sorted((b, 0, 0, 0, 0, n, n) for b, n in total.items())


def test_bureau_workload_and_partners(store):
    total, sole = workload(owners)
    rows = run_saved(store, "bureau-workload").dicts()
    assert sorted((r["label"], r["total"], r["sole"], r["shared"]) for r in rows) == \
        sorted((b, total[b], sole[b], total[b] - sole[b]) for b in total)
    assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)
    partners = defaultdict(set)
    for a, b, _, tasks in expected_pairs():
        partners[a].add((b, tasks))
        partners[b].add((a, tasks))
    rows = run_saved(store, "bureau-partners", {"bureau": "市生态环境局"}).dicts()
    assert sorted((r["label"], r["tasks"]) for r in rows) == sorted(partners["湛江市生态环境局"])


def test_bureau_tasks_and_tasks_with_many_owners(store):
    rows = run_saved(store, "bureau-tasks", {"bureau": "水务局"}).dicts()
    mine = [n for n in sorted(OWNER_CELLS) if "湛江市水务局" in owners(n)]
    assert [r["number"] for r in rows] == mine
    assert [r["position"] for r in rows] == [owners(n).index("湛江市水务局") + 1 for n in mine]
    rows = run_saved(store, "tasks-min-owners", {"minOwners": "5"}).dicts()
    expected = sorted(((len(owners(n)), n) for n in OWNER_CELLS if len(owners(n)) >= 5), key=lambda x: (-x[0], x[1]))
    assert [(r["owners"], r["number"]) for r in rows] == expected
    assert rows[0]["bureaus"] == "、".join(owners(rows[0]["number"]))


def test_unknown_parameter_or_value_lists_the_valid_ones(store, capsys):
    with pytest.raises(ParameterError, match="hydrogen"):
        run_saved(store, "topic-bureaus", {"topic": "hydrgen"})
    with pytest.raises(ParameterError, match="its parameters: plan, topic"):
        run_saved(store, "topic-bureaus", {"topc": "hydrogen"})
    assert main(["query", "topic-bureaus", "--store", str(store.directory), "-p", "topic=nope"]) == 2
    assert "valid values" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="not an integer"):
        run_saved(store, "projects-active", {"year": "2025; DROP"})


# --- projects and investment ------------------------------------------------------------------

def lead_full_names(project: dict) -> list[str]:
    return full_names(project["lead"])


def test_investment_by_lead_bureau(store):
    numbers = defaultdict(list)
    for n, p in PROJECT_ROWS.items():
        for lead in lead_full_names(p):
            numbers[lead].append(n)
    rows = run_saved(store, "bureau-investment").dicts()
    assert sorted((r["label"], r["projects"], dec(r["investment"]), r["numbers"]) for r in rows) == \
        sorted((b, len(ns), amount(ns), joined(ns)) for b, ns in numbers.items())


@pytest.mark.parametrize("year", [2020, 2025, 2030, 2036])
def test_projects_active_in_a_year(store, year):
    rows = run_saved(store, "projects-active", {"year": str(year)}).dicts()
    assert [r["number"] for r in rows] == sorted(n for n, p in PROJECT_ROWS.items()
                                                if int(p["start"]) <= year <= int(p["end"]))
    for r in rows:  # totals, not spread over years
        assert dec(r["investment"]) == Decimal(PROJECT_ROWS[r["number"]]["investment"])


# County-level division of each place key (places.ttl; zones by the plan's own wording).
COUNTY_OF = {"440800": None, "zhanjiang-etdz": None, "donghai-island": None, "fenyong-hitech-zone": None,
             "lingang-cluster": None, "zhanjiang-port": None, "longwang-bay": None,
             "leizhou-fenyong-area": "440882", "airport-economic-zone": "440883", "xuwen-lingang-park": "440825",
             "chebanzhen": "440881", "tangwei-subdistrict": "440883", "binhe-new-area": "440823"}


def investment_by_place() -> dict[str | None, set[int]]:
    """County-level division code (None: no place named) → the projects invested there."""
    named = defaultdict(set)
    for key, d in place_mentions().items():
        for n in d["projects"]:
            named[n].add(key)
    by_place = defaultdict(set)
    for n in PROJECT_ROWS:
        counties = {COUNTY_OF.get(k, k) for k in named[n]} - {None}
        if counties:
            for c in counties:
                by_place[c].add(n)
        elif named[n]:
            by_place["440800"].add(n)
        else:
            by_place[None].add(n)
    return by_place


def test_investment_by_place_never_guesses_a_place(store):
    by_place = investment_by_place()
    rows = run_saved(store, "place-investment").dicts()
    got = {r["code"]: (r["projects"], dec(r["investment"]), r["numbers"]) for r in rows}
    assert got == {k: (len(ns), amount(ns), joined(ns)) for k, ns in by_place.items()}
    nowhere = [r for r in rows if r["place"] is None]
    assert len(nowhere) == 1 and "no place named" in nowhere[0]["label"]


def test_place_tasks_include_zones_inside_the_place(store):
    pm = place_mentions()
    inside = {"440882", "leizhou-fenyong-area"}
    rows = run_saved(store, "place-tasks", {"place": "雷州市"}).dicts()
    assert [(r["kind"], r["number"]) for r in rows] == \
        [("task", n) for n in sorted({n for k in inside for n in pm.get(k, {}).get("tasks", [])})] + \
        [("project", n) for n in sorted({n for k in inside for n in pm.get(k, {}).get("projects", [])})]


def test_investment_by_topic(store):
    th, tg = thesaurus(), tags()
    rows = run_saved(store, "topic-investment").dicts()
    got = {r["topic"].rsplit("/", 1)[-1]: (r["projects"], dec(r["investment"]), r["numbers"]) for r in rows}
    expected = {}
    for slug in th:
        ns = {n for s in narrower_or_self(slug, th) for n in tg.get(s, {}).get("projects", [])}
        if ns:
            expected[slug] = (len(ns), amount(ns), joined(ns))
    assert got == expected


def test_topics_tasks_and_coverage(store):
    th, tg = thesaurus(), tags()

    def numbers(slug, kind):
        return {n for s in narrower_or_self(slug, th) for n in tg.get(s, {}).get(kind, [])}

    rows = run_saved(store, "topics").dicts()
    assert {r["slug"]: (r["tasks"], r["projects"]) for r in rows} == \
        {s: (len(numbers(s, "tasks")), len(numbers(s, "projects"))) for s in th}
    rows = run_saved(store, "topic-coverage", {"side": "tasks-only"}).dicts()
    assert {r["topic"].rsplit("/", 1)[-1]: r["numbers"] for r in rows} == \
        {s: joined(numbers(s, "tasks")) for s in th if numbers(s, "tasks") and not numbers(s, "projects")}
    rows = run_saved(store, "topic-coverage", {"side": "projects-only"}).dicts()
    assert {r["topic"].rsplit("/", 1)[-1] for r in rows} == \
        {s for s in th if numbers(s, "projects") and not numbers(s, "tasks")}
    rows = run_saved(store, "topic-tasks", {"topic": "hydrogen"}).dicts()
    assert [r["number"] for r in rows] == tg["hydrogen"]["tasks"]
    assert all(set(r["terms"].split("、")) <= set(HYDROGEN_TERMS) for r in rows)


def test_targets_link_to_their_topics_and_tasks(store):
    th, tg = thesaurus(), tags()
    # section （三）, read by hand: energy use per GDP, CO2 per GDP, non-fossil capacity, sewage, domestic waste
    measured = {1: "energy-efficiency", 2: "carbon-emissions", 3: "clean-energy", 4: "sewage", 5: "domestic-waste"}
    for slug, d in tg.items():
        for t in d["targets"]:
            assert measured[t] == slug
    rows = run_saved(store, "target-topics").dicts()
    assert [r["position"] for r in rows] == [1, 2, 3, 4, 5]
    for r in rows:
        slug = measured[r["position"]]
        assert r["topics"] == slug
        ns = {n for s in narrower_or_self(slug, th) for n in tg.get(s, {}).get("tasks", [])}
        assert (r["taskCount"], r["tasks"]) == (len(ns), joined(ns))
    assert rows[1]["qualitative"] == "完成省下达目标任务" and rows[1]["value"] is None


# Read by hand (sections （四）…（三十） against annex 1): (section, sentence) no task carries.
UNCARRIED = [(8, 2), (18, 3), (18, 4), (18, 5), (19, 1), (22, 3)]


def test_uncarried_sentences(store):
    rows = run_saved(store, "uncarried-sentences").dicts()
    assert [(r["section"], r["sentence"]) for r in rows] == UNCARRIED
    assert rows[0]["text"].startswith("加强园区污水") and rows[0]["firstLine"] == 35


def test_with_values_restricts_the_where_clause_not_a_comment_or_string():
    import pyoxigraph as ox

    from greenplan.query.sparqltext import with_values

    text = '# a comment: WHERE { here }\nSELECT ?s WHERE { ?s ?p "WHERE {" }'
    out = with_values(text, "s", [ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")])
    assert out == ('# a comment: WHERE { here }\nSELECT ?s WHERE { VALUES ?s { <http://example.org/a> '
                   '<http://example.org/b> } ?s ?p "WHERE {" }')
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("WHERE {")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/c"), ox.NamedNode("http://example.org/p"), ox.Literal("WHERE {")))
    assert [s["s"].value for s in store.query(out)] == ["http://example.org/a"]
