"""The bureau collaboration network (greenplan.network.graph, greenplan.network.draw).

Expected structure is worked out here from the document as read by hand: annex 1's owner cells
(tests/data/annex1-owners.tsv), who each spelling is (tests/data/spellings.tsv) and annex 2's lead
bureaus (tests/data/annex2-projects.tsv); the topic filter uses the golden topic tags (tests/data/topic-tags.tsv).
"""
from __future__ import annotations

import io
import itertools
import json
import random
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from greenplan.api import run_saved
from greenplan.cli.main import main
from greenplan.network import draw
from greenplan.network import graph as gn
from greenplan.resources import folder
from tests.conftest import require_system
from tests.handread import OWNER_CELLS, PROJECTS, SPELLINGS, owner_names, tags, workload

BASE = "https://w3id.org/greenplan/"


def org(slug: str) -> str:
    return f"{BASE}org/440800/{slug}"


def owners(number: int) -> set[str]:
    """The bodies of an annex-1 task, from its cell as printed."""
    return {org(SPELLINGS[n]["slug"]) for n in owner_names(OWNER_CELLS[number])}


def hand_pairs(tasks=None) -> Counter:
    """(bodyA, bodyB) sorted by IRI → number of annex-1 tasks both are listed on."""
    pairs = Counter()
    for number in OWNER_CELLS:
        if tasks is None or number in tasks:
            for a, b in itertools.combinations(sorted(owners(number)), 2):
                pairs[(a, b)] += 1
    return pairs


def graph_pairs(G) -> Counter:
    return Counter({tuple(sorted((u, v))): d["weight"] for u, v, d in G.edges(data=True)})


@pytest.fixture(scope="module")
def G(store):
    return gn.build_network(store)


# --- structure against annex 1 ------------------------------------------------

def test_nodes_and_edges_are_annex_1s_bodies_and_co_owning_pairs(G):
    bodies = set().union(*(owners(n) for n in OWNER_CELLS))
    pairs = hand_pairs()
    assert len(OWNER_CELLS) == 112                 # the glob of the hand-read file found every task
    assert set(G.nodes) == bodies
    assert G.number_of_nodes() == len(bodies)
    assert G.number_of_edges() == len(pairs)
    assert graph_pairs(G) == pairs                  # every co-owning pair with the right weight


def test_heaviest_edge_and_the_body_with_most_partners(G):
    pairs = hand_pairs()
    (a, b), weight = max(pairs.items(), key=lambda kv: kv[1])
    assert [w for w in pairs.values()].count(weight) == 1          # a unique heaviest pair
    u, v, d = max(G.edges(data=True), key=lambda e: e[2]["weight"])
    assert {u, v} == {a, b} and d["weight"] == weight
    partners = Counter()
    for x, y in pairs:
        partners[x] += 1
        partners[y] += 1
    top, degree = partners.most_common(1)[0]
    assert max(G.nodes, key=G.degree) == top and G.degree(top) == degree
    # as read: 发展和改革局 shares tasks with the most bodies, most of all with 工业和信息化局
    assert top == org("development-reform") and {a, b} == {org("development-reform"), org("industry-it")}


def test_node_attributes_count_tasks_as_printed(G):
    total, sole = workload(owners)
    for n, d in G.nodes(data=True):
        assert d["tasks"] == total[n] and d["sole"] == sole[n], d["label"]
        assert d["label"] == d["name"] != "" and d["label_en"] and d["kind"], n
    assert G.nodes[org("development-reform")]["label"] == "湛江市发展和改革局"
    assert G.nodes[org("womens-federation")]["kind"] == "MassOrganisation"


def test_min_weight_keeps_heavy_pairs_and_their_bodies(store):
    H = gn.build_network(store, min_weight=3)
    expected = Counter({p: w for p, w in hand_pairs().items() if w >= 3})
    assert graph_pairs(H) == expected
    assert set(H.nodes) == {x for p in expected for x in p}


def test_topic_filter_keeps_pairs_sharing_tasks_about_the_topic(store):
    topic = "clean-energy"
    assert f"skos:broader <topic/{topic}>" not in (folder("ontology") / "topics.ttl").read_text(encoding="utf-8")
    tasks = set(tags()[topic]["tasks"])
    H = gn.build_network(store, topic=topic)
    assert graph_pairs(H) == hand_pairs(tasks)


def test_network_is_the_same_whatever_the_order_of_the_rows(store, G):
    pairs = run_saved(store, "bureau-pairs").dicts()
    workload = run_saved(store, "bureau-workload").dicts()
    random.Random(3).shuffle(pairs)
    random.Random(4).shuffle(workload)
    H = gn.network(pairs, workload, gn._bodies(store))
    gn.annotate(H)
    H.graph.update(G.graph)
    assert list(H.nodes) == list(G.nodes) and list(H.edges) == list(G.edges)
    assert gn.to_graphml(H) == gn.to_graphml(G)


def test_metrics_are_complete_and_repeat_exactly(store, G):
    first = gn.metrics(G)
    second = gn.metrics(gn.build_network(store))
    assert first == second
    assert len(first) == G.number_of_nodes()
    pairs = hand_pairs()
    by_id = {r["id"]: r for r in first}
    for (a, b), w in pairs.items():
        assert by_id[a]["community"] >= 1
    dr = by_id[org("development-reform")]
    assert dr["degree"] == sum(1 for p in pairs if org("development-reform") in p)
    assert dr["weighted_degree"] == sum(w for p, w in pairs.items() if org("development-reform") in p)
    assert first[0]["id"] == org("development-reform")          # the most weighted partners
    assert max(first, key=lambda r: r["betweenness"])["id"] == org("development-reform")
    assert all(0 <= r["eigenvector"] <= 1 and 0 <= r["betweenness"] <= 1 for r in first)


def test_bipartite_body_project_view_follows_annex_2(store):
    B = gn.bipartite_network(store, "projects")
    projects = [n for n, d in B.nodes(data=True) if d["bipartite"] == 1]
    assert len(projects) == len(PROJECTS) == B.number_of_edges()
    leads = Counter(org(SPELLINGS[r["lead"]]["slug"]) for r in PROJECTS)
    assert {n: B.degree(n) for n, d in B.nodes(data=True) if d["bipartite"] == 0} == dict(leads)


def test_bipartite_body_topic_view_weights_are_tasks_about_the_topic(store):
    B = gn.bipartite_network(store, "topics")
    clean = tags()["clean-energy"]["tasks"]
    topic = BASE + "topic/clean-energy"
    expected = Counter(b for n in clean for b in owners(n))
    assert {u if v == topic else v: d["weight"] for u, v, d in B.edges(topic, data=True)} == dict(expected)
    assert B.nodes[topic]["tasks"] == len(clean) and B.nodes[topic]["kind"] == "Topic"


# --- files --------------------------------------------------------------------

NODE_ATTRIBUTES = {"label", "name", "label_en", "kind", "tasks", "community", "degree", "weighted_degree",
                   "betweenness", "eigenvector"}


def test_graphml_reads_back_with_labels_metrics_and_weights(G, tmp_path):
    path = tmp_path / "n.graphml"
    path.write_bytes(gn.to_graphml(G))
    R = nx.read_graphml(path)
    assert set(R.nodes) == set(G.nodes) and graph_pairs(R) == hand_pairs()
    for n, d in R.nodes(data=True):
        assert NODE_ATTRIBUTES <= set(d), n
        assert d["label"] == d["name"] == G.nodes[n]["label"]
    assert "湛江市发展和改革局" in path.read_text(encoding="utf-8")       # readable UTF-8, not &#…; escapes


def test_gexf_declares_every_attribute_including_weight(G, tmp_path):
    path = tmp_path / "n.gexf"
    path.write_bytes(gn.to_gexf(G))
    R = nx.read_gexf(path)
    assert set(R.nodes) == set(G.nodes)
    assert Counter({tuple(sorted((u, v))): int(d["weight"]) for u, v, d in R.edges(data=True)}) == hand_pairs()
    for n, d in R.nodes(data=True):
        assert NODE_ATTRIBUTES <= set(d), n
        assert d["label"] == G.nodes[n]["label"]
    root = ET.parse(path).getroot()
    ns = {"g": root.tag.split("}")[0].strip("{")}
    declared = {(a.get("class"), t.get("title")) for a in root.iterfind(".//g:attributes", ns)
                for t in a.iterfind("g:attribute", ns)}
    assert ("edge", "weight") in declared
    assert {("node", k) for k in NODE_ATTRIBUTES - {"label"}} <= declared
    ids = [t.get("id") for t in root.iterfind(".//g:attribute", ns)]
    assert len(ids) == len(set(ids))


def test_json_is_node_link(G):
    data = json.loads(gn.to_json(G))
    assert {"nodes", "links"} <= set(data)
    R = nx.node_link_graph(data, edges="links")
    assert graph_pairs(R) == hand_pairs()


def font_required():
    from greenplan.network.draw import FONT, font_available

    require_system(f"the font {FONT}", font_available(), "apt-get install fonts-wqy-microhei")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_picture_is_1600_px_wide_with_every_glyph(G, fmt):
    from greenplan.network.draw import picture

    font_required()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = picture(G, fmt)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    if fmt == "png":
        import matplotlib.image as mpimg

        pixels = mpimg.imread(io.BytesIO(data), format="png")
        assert pixels.shape[:2] == (1100, 1600)                    # 16 × 11 inches at 100 dpi
        assert pixels[..., :3].std() > 0.05                        # something is drawn
    else:
        root = ET.fromstring(data)
        assert root.get("width") == "1152pt"                        # 16 in at 72 pt/in (1600 px at 100 dpi)
        assert picture(G, fmt) == data                              # the same bytes twice


def test_picture_of_a_bipartite_view(store):
    from greenplan.network.draw import picture

    font_required()
    data = picture(gn.bipartite_network(store, "projects"), "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_font_is_a_clear_error(monkeypatch, G):
    import greenplan.network.draw as draw

    monkeypatch.setattr(draw, "FONT", "No Such Font Family 42")
    monkeypatch.setattr(draw, "FONT_FILES", ())
    with pytest.raises(gn.NetworkError, match="fonts-wqy-microhei"):
        draw.picture(G, "png")


# --- the command ----------------------------------------------------------------

def run_cli(store, *argv) -> int:
    return main(["network", "--store", str(store.directory), *argv])


def test_cli_metrics_csv_and_table(store, capsys):
    assert run_cli(store, "--metrics", "--format", "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "body,label,tasks,sole,degree,weightedDegree,betweenness,eigenvector,community"
    assert lines[1].startswith(org("development-reform") + ",湛江市发展和改革局,")
    assert len(lines) == 1 + len(set().union(*(owners(n) for n in OWNER_CELLS)))
    assert run_cli(store, "--metrics") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["label", "tasks", "sole", "degree", "weightedDegree", "betweenness",
                                           "eigenvector", "community"]


def test_cli_writes_graphml_file(store, tmp_path, capsys):
    out = tmp_path / "net.graphml"
    assert run_cli(store, "--format", "graphml", "--out", str(out), "--min-weight", "2") == 0
    assert graph_pairs(nx.read_graphml(out)) == Counter({p: w for p, w in hand_pairs().items() if w >= 2})
    assert "wrote" in capsys.readouterr().err


def test_cli_errors_say_what_to_do(store, capsys):
    assert run_cli(store) == 2
    assert "--metrics" in capsys.readouterr().err
    assert run_cli(store, "--metrics", "--format", "gexf") == 2
    assert "drop --metrics" in capsys.readouterr().err
    assert run_cli(store, "--min-weight", "0", "--format", "json") == 2
    assert "--min-weight" in capsys.readouterr().err
    assert run_cli(store, "--plan", "no-such-plan", "--format", "json") == 2
    assert "no-such-plan" in capsys.readouterr().err


# --- the page in a browser ---------------------------------------------------------

def test_page_draws_the_network_offline_and_the_slider_filters_edges(store, G, browser, tmp_path):
    path = tmp_path / "network.html"
    path.write_text(draw.html_page(store), encoding="utf-8")
    page = browser.new_page()
    urls, errors = [], []
    page.on("request", lambda r: urls.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(Path(path).as_uri())
    # drawn before any script runs: the file's SVG holds every node, each a link to the body's IRI
    assert page.locator("#network a.node circle").count() == G.number_of_nodes()
    assert sorted(page.eval_on_selector_all("#network a.node", "els => els.map(e => e.getAttribute('href'))")) == \
        sorted(G.nodes)
    page.wait_for_function("window.greenplanNetwork !== undefined")
    assert not errors, errors
    assert [u for u in urls if not u.startswith(("file://", "data:", "blob:"))] == []
    assert page.evaluate("greenplanNetwork.drawnNodeCount()") == G.number_of_nodes()
    assert page.evaluate("greenplanNetwork.nodeCount()") == G.number_of_nodes()
    assert page.evaluate("greenplanNetwork.edgeCount()") == len(hand_pairs())
    # the weight slider, moved as a user would move it
    page.locator("#min-weight").fill("3")
    heavy = {p: w for p, w in hand_pairs().items() if w >= 3}
    assert page.evaluate("greenplanNetwork.edgeCount()") == len(heavy)
    assert page.evaluate("greenplanNetwork.nodeCount()") == len({x for p in heavy for x in p})
    assert page.locator("#min-weight-value").text_content() == "3"
    # the topic filter
    page.locator("#min-weight").fill("1")
    page.locator("#topic").select_option("clean-energy")
    assert page.evaluate("greenplanNetwork.edgeCount()") == len(hand_pairs(tags()["clean-energy"]["tasks"]))
    # hover text names the body's tasks and partners
    tip = page.evaluate("greenplanNetwork.tooltip(%s)" % json.dumps(org("development-reform")))
    weight = hand_pairs()[(org("development-reform"), org("industry-it"))]
    assert "湛江市发展和改革局" in tip and f"工业和信息化局 {weight}" in tip
    assert not errors, errors
    page.close()


# --- against a remote endpoint --------------------------------------------------------

def test_the_same_network_from_a_remote_endpoint(store, G, tmp_path_factory):
    """A real `oxigraph serve` (default graph not the union): the same graph, attributes and metrics."""
    from greenplan.export.push import push
    from greenplan.store.remote import EndpointStore
    from tests.servers import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-network") / "db") as server:
        push(store, server.store)
        remote = EndpointStore(server.query)
        R = gn.build_network(remote)
        assert gn.to_graphml(R) == gn.to_graphml(G)
        assert gn.metrics(R) == gn.metrics(G)
        assert gn.bipartite_network(remote, "topics").number_of_edges() == \
            gn.bipartite_network(store, "topics").number_of_edges()
        from greenplan.network.draw import page_data

        assert page_data(remote) == page_data(store)


def test_labels_are_shortened_by_the_plans_jurisdiction_not_a_fixed_city(G):
    # data/zhanjiang-green-plan-draft.meta.toml: jurisdiction_name = "湛江市"
    assert G.graph["jurisdiction"] == "湛江市"
    prefixes = draw.place_prefixes(G)
    assert draw.short_label("湛江市发展和改革局", prefixes) == "发展和改革局"
    assert draw.short_label("中共湛江市委宣传部", prefixes) == "市委宣传部"
    other = nx.Graph(jurisdiction="广州市")
    assert draw.short_label("湛江市发展和改革局", draw.place_prefixes(other)) == "湛江市发展和改革局"
    assert draw.short_label("广州市发展和改革委员会", draw.place_prefixes(other)) == "发展和改革委员会"
