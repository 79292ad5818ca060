"""The web pages are escaped by construction (Jinja2 templates with autoescape), the same store gives the same
bytes, and the template engine is loaded by `greenplan serve` only.

A hostile copy of the bundled plan carries markup in every kind of text the pages show: a task's text (and so
the body-text sentence it repeats), an owner cell (an unlisted body's name and the spelling as printed), a
project's name and construction unit, the plan's title (its .meta.toml).  Requests echo markup too: a saved
query's parameter value, the editor's query, a missing path, a malformed IRI.  Every page must show the text
as text: the raw markup never appears, the escaped form does, and the parsed page reads the text back verbatim.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from lxml import html as lxml_html

from greenplan.web.server import make_server
from tests.test_serve import Running, fetch

HOSTILE = '<script>alert(1)</script>"onmouseover=&'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TURTLE = HOSTILE.replace('"', '\\"')      # how a Turtle literal prints it (the editor shows graph answers as Turtle)
PLAN = "plan/zhanjiang-green-economy"
PAGES = ["home", "plan", "task", "project", "body 1", "body 2", "topic", "place", "sentence (generic resource page)",
         "queries index", "saved query run", "saved query form echoing a parameter", "saved query error echoing a parameter",
         "editor echoing its query", "editor showing Turtle", "endpoint (--public-url)", "404 echoing the path",
         "400 echoing an IRI"]
# Where the hostile text goes in the bundled plan (each printed once or twice; see hostile_copy).
EDITS = {"依托湛江市能源和石化产业优势": HOSTILE + "依托湛江市能源和石化产业优势",              # task 59's text
         "市发展改革局、科学技术局、工业和信息化局、交通运输局":                                 # task 59's owner cell
         "市发展改革局、科学技术局、工业和信息化局、交通运输局、" + HOSTILE + "局",
         "宝钢湛江钢铁零碳高等级薄钢板工厂项目": HOSTILE + "宝钢湛江钢铁零碳高等级薄钢板工厂项目",  # project 1's name
         "宝钢湛江钢铁有限公司": HOSTILE + "宝钢湛江钢铁有限公司"}                               # its construction unit


def hostile_copy(source: Path, folder: Path) -> Path:
    """The bundled plan with HOSTILE in the places EDITS names, and in the title of its metadata file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    for old, new in EDITS.items():
        assert old in text, old
        text = text.replace(old, new)
    copy = folder / source.name
    copy.write_text(text, encoding="utf-8")
    meta = source.with_name(source.stem + ".meta.toml").read_text(encoding="utf-8")
    assert meta.count('\ntitle = "湛江市') == 1
    meta = meta.replace('\ntitle = "湛江市', '\ntitle = "' + HOSTILE.replace('"', '\\"') + "湛江市")
    copy.with_name(source.stem + ".meta.toml").write_text(meta, encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, source):
    from greenplan.store.core import Store, build_store, locate

    folder = tmp_path_factory.mktemp("hostile")
    loc = locate(str(folder / "store"), [str(hostile_copy(source, folder / "plan"))])
    build_store(loc)
    return Store(loc.directory)


@pytest.fixture(scope="module")
def hostile_site(hostile_store):
    running = Running(make_server(hostile_store, "127.0.0.1", 0, timeout=30, max_results=1000,
                                  public_url="http://example.org/" + HOSTILE + "/"))
    yield running
    running.close()


def bodies_named_hostile(store) -> list[str]:
    """The bodies whose name holds HOSTILE: the unlisted owner of task 59 and project 1's construction unit."""
    rows = store.run("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT DISTINCT ?b WHERE { GRAPH ?g { "
                     "?b skos:prefLabel ?l FILTER(CONTAINS(STR(?l), '<script>')) } } ORDER BY ?b").rows
    return [r[0].value for r in rows]


def hostile_pages(store) -> dict[str, str]:
    """Page → path: every kind of page, each showing HOSTILE from the store or from the request."""
    sparql = "PREFIX gp: <https://w3id.org/greenplan/ontology#> "
    bodies = bodies_named_hostile(store)
    assert len(bodies) == 2, bodies
    pages = {"home": "", "plan": PLAN, "task": PLAN + "/task/59", "project": PLAN + "/project/1",
             "topic": "topic/hydrogen", "place": "place/440800",
             "sentence (generic resource page)": PLAN + "/section/15/sentence/3",
             "queries index": "queries", "saved query run": "queries/tasks?run=1",
             "saved query form echoing a parameter": "queries/tasks?" + urllib.parse.urlencode({"plan": HOSTILE}),
             "saved query error echoing a parameter": "queries/tasks?" + urllib.parse.urlencode({"plan": HOSTILE,
                                                                                                  "run": "1"}),
             "editor echoing its query": "editor?" + urllib.parse.urlencode(
                 {"query": "SELECT ?x WHERE { BIND('" + HOSTILE + "' AS ?x) }"}),
             "editor showing Turtle": "editor?" + urllib.parse.urlencode(
                 {"query": sparql + "CONSTRUCT { ?t gp:text ?x } WHERE { GRAPH ?g { ?t gp:number 59 ; gp:text ?x } }"}),
             "endpoint (--public-url)": "sparql",
             "404 echoing the path": "nowhere" + urllib.parse.quote(HOSTILE),
             "400 echoing an IRI": "resource?" + urllib.parse.urlencode({"iri": HOSTILE})}
    for i, body in enumerate(bodies):
        pages[f"body {i + 1}"] = body[len(store.base):]
    assert sorted(pages) == sorted(PAGES)
    return pages


@pytest.fixture(scope="module")
def rendered(hostile_site, hostile_store):
    out = {}
    for name, path in hostile_pages(hostile_store).items():
        status, ctype, body = fetch(hostile_site.url + path, "text/html")
        assert ctype.startswith("text/html"), (name, status, ctype)
        out[name] = (status, body.decode("utf-8"))
    return out


def test_the_hostile_copy_puts_markup_in_every_kind_of_text(hostile_store):
    rows = hostile_store.run("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), '<script>')) } } "
                             "ORDER BY ?p").rows
    kinds = {r[0].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for r in rows}
    assert {"title", "text", "name", "prefLabel", "spellingAsPrinted"} <= kinds, kinds


@pytest.mark.parametrize("name", PAGES)
def test_every_page_shows_markup_as_text(rendered, name):
    status, page = rendered[name]
    assert status == (400 if name.startswith(("400", "saved query error")) else 404 if name.startswith("404") else 200)
    assert "<script>alert(1)" not in page and '"onmouseover=' not in page
    assert ESCAPED in page
    tree = lxml_html.document_fromstring(page)
    shown = tree.text_content() + "".join(i.get("value", "") for i in tree.iter("input"))
    assert (TURTLE if name == "editor showing Turtle" else HOSTILE) in shown     # read back verbatim: shown as text
    handlers = [(el.tag, a) for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib
                if a.lower().startswith("on")]
    assert handlers == []
    scripts = [(s.get("src"), (s.text or "").strip()) for s in tree.iter("script")]
    assert all(src and src.startswith("/static/") and not text for src, text in scripts), scripts


def test_a_parameter_value_stays_inside_its_attribute(rendered):
    tree = lxml_html.document_fromstring(rendered["saved query form echoing a parameter"][1])
    assert [i.get("value") for i in tree.iter("input") if i.get("name") == "plan"] == [HOSTILE]
    editor = lxml_html.document_fromstring(rendered["editor echoing its query"][1])
    assert editor.get_element_by_id("query").text == "SELECT ?x WHERE { BIND('" + HOSTILE + "' AS ?x) }"
    links = [a.get("href") for a in editor.iter("a") if a.get("href", "").startswith("/sparql?query=")]
    assert len(links) == 5 and all(urllib.parse.parse_qs(urllib.parse.urlsplit(h).query)["query"][0] ==
                                   "SELECT ?x WHERE { BIND('" + HOSTILE + "' AS ?x) }" for h in links)


def test_no_dialog_fires_in_chromium(hostile_site, hostile_store, browser):
    fired = []
    page = browser.new_page()
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    page.set_content("<p>control</p><script>alert('control')</script>")    # the recorder sees an alert …
    assert fired == ["control"]
    fired.clear()
    for name, path in hostile_pages(hostile_store).items():                 # … and none fires on our pages
        page.goto(hostile_site.url + path)
        page.hover("main")
        shown = page.inner_text("main") + page.eval_on_selector_all(    # with input values and datalist options
            "input, option", "els => els.map(e => e.value + e.textContent).join('')")
        assert (TURTLE if name == "editor showing Turtle" else HOSTILE) in shown, name
        assert page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                             ".filter(a => a.name.startsWith('on')).length") == 0, name
    page.close()
    assert fired == []


# --- determinism ----------------------------------------------------------------------------------

RENDER = """
import hashlib, json, sys
from greenplan.query.catalogue import catalogue, saved_query
from greenplan.store.core import Store
from greenplan.web import pages
store = Store(sys.argv[1])
base = store.base
out = {"home": pages.home(store, base), "queries": pages.queries_index(store, catalogue()),
       "editor": pages.editor_page(store, base, None)}
for path in sys.argv[2:]:
    out[path] = pages.entity_page(store, base + path, base)
tasks = saved_query("tasks")
out["tasks"] = pages.query_page(store, tasks, {}, store.run(tasks.text), base)
print(json.dumps({k: hashlib.sha256(v.encode("utf-8")).hexdigest() for k, v in out.items()}))
"""


def test_same_store_gives_byte_identical_pages(hostile_store):
    paths = [PLAN, PLAN + "/task/59", PLAN + "/project/1", "topic/hydrogen", "place/440800",
             *(b[len(hostile_store.base):] for b in bodies_named_hostile(hostile_store))]
    digests = []
    for seed in ("1", "2"):          # other hash seeds: set and dict orders may differ between processes
        done = subprocess.run([sys.executable, "-c", RENDER, str(hostile_store.directory), *paths],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300)
        assert done.returncode == 0, done.stderr
        digests.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert len(digests[0]) == len(paths) + 4
    assert digests[0] == digests[1]


# --- the template engine is loaded by serve only --------------------------------------------------

def test_jinja2_is_loaded_by_serve_and_not_by_the_query_path(store):
    probe = ("import json, sys\nfrom greenplan.cli.main import main\ncode = main(sys.argv[1:])\n"
             "cold = 'jinja2' in sys.modules\nimport greenplan.web.server\n"
             "print(json.dumps([code, cold, 'jinja2' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe, "query", "tasks", "--store", str(store.directory)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, False, True]


# --- HTML comes from the templates only -----------------------------------------------------------

def test_html_is_written_by_the_templates_only():
    """No string of the server's Python holds an HTML tag, and no template turns escaping off."""
    import ast
    import re

    import greenplan
    from greenplan.web.layout import TEMPLATES

    root = Path(greenplan.__file__).parent
    tag = re.compile(r"</?(html|head|body|main|p|a|h[1-6]|table|tr|td|th|ul|ol|li|dl|dt|dd|span|code|pre|form|"
                     r"input|label|button|textarea|option|datalist|script|link|section|details|br|b|small)[\s>/]")
    # protocol.py writes SPARQL Results XML (<head>, <result>), not HTML
    files = [root / "network" / "draw.py", *sorted(f for f in (root / "web").glob("*.py") if f.name != "protocol.py")]
    assert root / "web" / "pages.py" in files
    found = [(f.name, node.lineno) for f in files for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and tag.search(node.value)]
    assert found == []
    templates = sorted(TEMPLATES.glob("*.html"))
    assert {"base.html", "macros.html", "entity.html"} <= {t.name for t in templates}
    for t in templates:
        text = t.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|Markup|autoescape\s+false|\|\s*e\b", text), t.name
        # one layout, which every page extends (the network page too, also when written to a file)
        assert t.name == "base.html" or "<!DOCTYPE" not in text, t.name
        assert t.name in ("base.html", "macros.html") or \
            text.lstrip().startswith(("{% extends", "{#")), t.name


def test_the_network_page_shows_hostile_names_as_text_and_data(hostile_store, hostile_site):
    """The collaboration network page, served and as the file `greenplan network --format html` writes: the
    plan title is escaped in the heading, and a body named with markup travels as JSON that cannot end its
    <script> element (tojson writes < > & as \\u escapes); the page's own scripts are the package's files."""
    from greenplan.network.draw import APP, SITE_CSS, html_page

    served = fetch(hostile_site.url + "network")[2].decode("utf-8")
    written = html_page(hostile_store)
    for page in (served, written):
        assert "<script>alert" not in page and ESCAPED in page
        tree = lxml_html.fromstring(page)
        assert HOSTILE in tree.findtext(".//main/h1")
        data = json.loads(tree.get_element_by_id("network-data").text)
        assert data["title"].startswith(HOSTILE)                           # the data reach the script verbatim
        assert [n["full"] for n in data["nodes"] if HOSTILE in n["full"]] == ["湛江市" + HOSTILE + "局"]
        assert [e for e in tree.iter() if any(a.startswith("on") for a in e.attrib)] == []
    assert [s.get("src") for s in lxml_html.fromstring(served).iter("script") if s.get("src")] == \
        ["/static/network/app.js"]
    assert fetch(hostile_site.url + "static/network/app.js")[2].decode("utf-8") == APP.read_text(encoding="utf-8")
    inline = [s.text for s in lxml_html.fromstring(written).iter("script") if s.get("type") != "application/json"]
    assert [s.strip() for s in inline] == [APP.read_text(encoding="utf-8").strip()]
    assert [s.text.strip() for s in lxml_html.fromstring(written).iter("style")][0] == \
        SITE_CSS.read_text(encoding="utf-8").strip()


def test_only_the_package_own_scripts_are_inlined_unescaped():
    from greenplan.web.layout import trusted_script

    with pytest.raises(ValueError, match="</script"):
        trusted_script('var s = "</SCRIPT><script>alert(1)</script>";')
