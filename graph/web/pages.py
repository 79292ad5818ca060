"""The HTML pages of ``greenplan serve``: home, entity pages, saved-query forms, the SPARQL editor.

Pages read the server's in-memory store with small SPARQL queries (every pattern in
``GRAPH ?g { … }``, like the saved queries).  User queries never run here: they go to the
query worker (see :mod:`greenplan.web.worker`); this module only renders their answers.
"""
from __future__ import annotations

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.quads import prop as property_node
from greenplan.resources import query_text
from greenplan.sparqltext import with_values
from greenplan.vocab import PREFIXES
from greenplan.web.layout import esc, href, label_html, link, page, query_string, short, table, term_html


def select(store, name: str, text: str | None = None, **bindings) -> list[dict]:
    """Rows of the page query ``queries/pages/<name>.rq`` (or of ``text`` made from it) as dicts of
    variable → term (unbound variables missing).  Bindings (IRIs as strings, or terms) are bound like
    saved-query parameters."""
    terms = {k: (ox.NamedNode(v) if isinstance(v, str) else v) for k, v in bindings.items()}
    answer = store.query(text if text is not None else query_text(f"pages/{name}"), terms)
    names = [v.value for v in answer.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in answer]


def labels(store, iris) -> dict[str, dict[str, str]]:
    """IRI → {language: label} (first label per language in property order, then value order)."""
    iris = sorted({i for i in iris if i})
    if not iris:
        return {}
    text = with_values(query_text("pages/labels"), "s", [ox.NamedNode(i) for i in iris])
    rows = select(store, "labels", text)
    rows.sort(key=lambda r: (r["s"].value, int(r["rank"].value), r["l"].value))
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["s"].value, {}).setdefault(r["l"].language or "", r["l"].value)
    return out


def _value(row: dict, name: str, default: str = "") -> str:
    t = row.get(name)
    return t.value if t is not None else default


def _snippet(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _iris(rows: list[dict], *names: str) -> set[str]:
    return {r[n].value for r in rows for n in names if isinstance(r.get(n), ox.NamedNode)}


def _lines(store, iri: str, base: str) -> str:
    rows = select(store, "lines", s=iri)
    items = []
    for r in rows:
        first, last = _value(r, "first"), _value(r, "last")
        span = first if first == last else f"{first}–{last}"
        items.append(f'<a href="{esc(href(r["span"].value, base))}">行 lines {esc(span)}</a>'
                     + (f' <span class="file">{esc(_value(r, "file"))}</span>' if "file" in r else ""))
    return "<br>".join(items) or "—"


def _statements(store, iri: str, base: str) -> str:
    """Every statement with the entity as subject (the same triples its Turtle shows)."""
    rows = select(store, "statements", s=iri)
    lab = labels(store, _iris(rows, "o"))
    cells = [[f'<a href="{esc(href(r["p"].value, base))}">{esc(short(r["p"].value))}</a>',
              term_html(r["o"], base, lab)] for r in rows]
    inbound = select(store, "referenced-by", o=iri)
    lab_in = labels(store, _iris(inbound, "s"))
    incoming = [[term_html(r["s"], base, lab_in), esc(short(r["p"].value))] for r in inbound]
    out = "<h2>陈述 Statements</h2>" + table(["property", "value"], cells)
    if incoming:
        out += "<h2>被引用 Referenced by</h2>" + table(["subject", "property"], incoming)
    return out


def _formats(path: str) -> str:
    links = " · ".join(f'<a href="{esc(path)}?format={f}" rel="alternate" type="{t}">{n}</a>'
                       for f, t, n in (("ttl", "text/turtle", "Turtle"), ("jsonld", "application/ld+json", "JSON-LD"),
                                       ("nt", "application/n-triples", "N-Triples")))
    return f'<p class="formats">RDF: {links}</p>'


def _header(iri: str, kind: str, lab: dict, base: str) -> str:
    return (f'<p class="kind">{esc(kind)}</p><h1>{label_html(lab, iri)}</h1>'
            f'<p class="iri"><code>{esc(iri)}</code></p>{_formats(href(iri, base))}')


# --- home -------------------------------------------------------------------------------

def plan_summary(store, plan: str) -> dict:
    one = lambda name: (select(store, name, plan=plan) or [{}])[0]   # noqa: E731
    tasks = one("plan-task-count")
    projects = one("plan-project-count")
    money = one("plan-investment")
    bodies = one("plan-body-count")
    targets = select(store, "plan-targets", plan=plan)
    return {"tasks": int(_value(tasks, "n", "0")), "projects": int(_value(projects, "n", "0")),
            "bodies": int(_value(bodies, "n", "0")), "investment": _value(money, "total", "0"),
            "priced": int(_value(money, "n", "0")), "targets": targets}


def home(store, base: str) -> str:
    plans = select(store, "plans")
    lab = labels(store, _iris(plans, "plan"))
    parts = ["<h1>greenplan</h1><p>政策规划知识图谱 — a knowledge graph of Chinese government policy plans.</p>"]
    for p in plans:
        iri = p["plan"].value
        s = plan_summary(store, iri)
        targets = table(["指标 indicator", "目标 target as printed", "值 value", "年 year"],
                        [[esc(_value(t, "indicator")), esc(_value(t, "statement")),
                          esc(_value(t, "value") + _value(t, "unit")), esc(_value(t, "year"))] for t in s["targets"]])
        parts.append(
            f'<section class="plan"><h2>{link(iri, base, lab.get(iri))}</h2>'
            f'<ul class="counts"><li><a href="{esc(href(iri, base))}#tasks"><b>{s["tasks"]}</b> 重点任务 tasks</a></li>'
            f'<li><a href="{esc(href(iri, base))}#projects"><b>{s["projects"]}</b> 重点项目 projects</a></li>'
            f'<li><b>{s["bodies"]}</b> 责任单位 responsible bodies</li>'
            f'<li>总投资 total investment <b>{esc(s["investment"])}</b> 亿元 (100 million yuan; '
            f'{s["priced"]} of {s["projects"]} projects priced)</li></ul>'
            f"<h3>主要目标 Targets</h3>{targets}</section>")
    browse = select(store, "schemes")
    places = select(store, "jurisdictions")
    blab = labels(store, _iris(browse, "scheme") | _iris(places, "place"))
    links = [f"<li>主题 Topics: {link(r['scheme'].value, base, blab.get(r['scheme'].value))}</li>" for r in browse
             if r["scheme"].value.startswith(Minter(base).topic(""))]
    links += [f"<li>地点 Places: {link(r['place'].value, base, blab.get(r['place'].value))}</li>" for r in places]
    parts.append('<h2>更多 More</h2><ul>' + "".join(links) +
                 '<li><a href="/queries">保存的查询 Saved queries</a> (forms, CSV/JSON)</li>'
                 '<li><a href="/editor">SPARQL 编辑器 SPARQL editor</a> · endpoint <code>/sparql</code></li>'
                 '<li><a href="/network">协作网络 Collaboration network</a></li>'
                 '<li><a href="/downloads">下载 Downloads</a> (Turtle, JSON-LD, N-Triples, TriG, N-Quads)</li>'
                 '<li><a href="/.well-known/void">数据集描述 Dataset description (DCAT + VoID)</a></li></ul>')
    return page("greenplan", "".join(parts))


# --- entity pages -----------------------------------------------------------------------

GP = PREFIXES["gp"]
TYPES = [(GP + "Plan", "plan"), (GP + "Task", "task"), (GP + "Project", "project"),
         (PREFIXES["org"] + "Organization", "body"), (GP + "Place", "place"),
         (PREFIXES["skos"] + "Concept", "topic")]


def entity_page(store, iri: str, base: str) -> str | None:
    """The HTML page of an entity, or None when the store has no statement about it."""
    types = {r["t"].value for r in select(store, "types", s=iri)}
    if not types and not select(store, "any-statement", s=iri):
        return None
    kind = next((k for t, k in TYPES if t in types), "resource")
    lab = labels(store, [iri]).get(iri, {})
    body = {"plan": _plan, "task": _task, "project": _project, "body": _body, "place": _place,
            "topic": _topic}.get(kind, lambda *a: "")(store, iri, base)
    title = lab.get("zh") or lab.get("en") or lab.get("") or iri
    kinds = {"task": "重点任务 Task", "project": "重点项目 Project", "body": "责任单位 Body", "place": "地点 Place",
             "topic": "主题 Topic", "plan": "规划 Plan", "resource": "资源 Resource"}
    if kind == "task":
        number = select(store, "number", s=iri)
        title = f"任务 Task {number[0]['n'].value}" if number else title
        lab = {"zh": title}
    content = _header(iri, kinds[kind], lab, base) + body
    if kind == "resource":
        content += _statements(store, iri, base)
    else:
        content += f"<details><summary>所有陈述 All statements</summary>{_statements(store, iri, base)}</details>"
    return page(title, content)


def _dl(items: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _texts(store, iri: str, prop: str) -> str:
    rows = select(store, "values", s=iri, prop=property_node(prop))
    return " ".join(term_html(r["v"], "") for r in rows) or "—"


def _linked(store, iri: str, prop: str, base: str, inverse: bool = False) -> str:
    rows = select(store, "linked-from" if inverse else "linked", s=iri, prop=property_node(prop))
    lab = labels(store, _iris(rows, "x"))
    return ", ".join(link(r["x"].value, base, lab.get(r["x"].value)) for r in rows) or "—"


def _task(store, iri: str, base: str) -> str:
    owners = select(store, "task-owners", s=iri)
    lab = labels(store, _iris(owners, "body"))
    owner_items = "".join(f'<li>{link(o["body"].value, base, lab.get(o["body"].value))}'
                          f' <span class="printed">（{esc(_value(o, "spelling"))}）</span></li>' for o in owners)
    open_list = select(store, "open-owner-list", s=iri)
    topics = select(store, "task-topics", s=iri)
    tlab = labels(store, _iris(topics, "topic"))
    topic_html = ", ".join(link(t["topic"].value, base, tlab.get(t["topic"].value))
                           + (f' <span class="printed">（{esc(_value(t, "terms"))}）</span>' if _value(t, "terms") else "")
                           for t in topics) or "—"
    return _dl([
        ("任务内容 Text", f'<p class="text">{_texts(store, iri, "gp:text")}</p>'),
        ("措施 Measure", _linked(store, iri, "gp:measure", base)),
        ("规划 Plan", _linked(store, iri, "gp:plan", base)),
        ("责任单位 Responsible bodies (in the order printed)",
         f'<ol class="owners">{owner_items}</ol>' + ("<p>（等 — open list）</p>" if open_list else "")),
        ("主题 Topics", topic_html),
        ("地点 Places", _linked(store, iri, "gp:mentionsPlace", base)),
        ("来源 Source lines", _lines(store, iri, base)),
    ])


def _project(store, iri: str, base: str) -> str:
    years = select(store, "project-years", s=iri)
    y = years[0] if years else {}
    span = f"{_value(y, 'a')}–{_value(y, 'b')}" if "a" in y else _value(y, "printed", "—")
    money = select(store, "project-investment", s=iri)
    m = money[0] if money else {}
    inv = f"{_value(m, 'v')} 亿元" if "v" in m else esc(_value(m, "printed", "—"))
    return _dl([
        ("编号 Number", _texts(store, iri, "gp:number")),
        ("项目名称 Name", _texts(store, iri, "gp:name")),
        ("建设内容 Content", _texts(store, iri, "gp:content")),
        ("建设年限 Years", esc(span)),
        ("总投资 Investment", esc(inv)),
        ("牵头单位 Lead bureau", _linked(store, iri, "gp:leadBureau", base)),
        ("建设单位 Construction unit", _linked(store, iri, "gp:constructionUnit", base)),
        ("主题 Topics", _linked(store, iri, "gp:about", base)),
        ("地点 Places", _linked(store, iri, "gp:mentionsPlace", base)),
        ("规划 Plan", _linked(store, iri, "gp:plan", base)),
        ("来源 Source lines", _lines(store, iri, base)),
    ])


def _task_table(store, rows: list[dict], base: str) -> str:
    return table(["编号 No.", "任务 Task"],
                 [[f'<a href="{esc(href(r["t"].value, base))}">{esc(_value(r, "number"))}</a>',
                   f'<a href="{esc(href(r["t"].value, base))}">{esc(_snippet(_value(r, "text")))}</a>'] for r in rows])


def _project_table(store, rows: list[dict], base: str) -> str:
    lab = labels(store, _iris(rows, "lead"))
    return table(["编号 No.", "项目 Project", "总投资 Investment (亿元)", "牵头单位 Lead"],
                 [[esc(_value(r, "number")), f'<a href="{esc(href(r["p"].value, base))}">{esc(_value(r, "name"))}</a>',
                   esc(_value(r, "inv")),
                   link(r["lead"].value, base, lab.get(r["lead"].value)) if "lead" in r else ""] for r in rows])


def _body(store, iri: str, base: str) -> str:
    tasks = select(store, "body-tasks", s=iri)
    partners = select(store, "body-partners", s=iri)
    plab = labels(store, _iris(partners, "other"))
    projects = select(store, "body-projects", s=iri)
    partner_rows = [[link(r["other"].value, base, plab.get(r["other"].value)), esc(_value(r, "n"))] for r in partners]
    return (_dl([("名称 Names", _texts(store, iri, "skos:prefLabel")),
                 ("其他写法 Spellings met", _texts(store, iri, "skos:altLabel")),
                 ("类别 Kind", _linked(store, iri, "org:classification", base))])
            + f'<h2 id="tasks">任务 Tasks ({len(tasks)})</h2>' + _task_table(store, tasks, base)
            + f"<h2>合作单位 Partners ({len(partners)})</h2>"
            + table(["单位 Body", "共同任务 Shared tasks"], partner_rows)
            + f"<h2>项目 Projects ({len(projects)})</h2>" + _project_table(store, projects, base))


def _about(store, iri: str, base: str, prop: str) -> str:
    tasks = select(store, "tasks-linked", s=iri, prop=property_node(prop))
    projects = select(store, "projects-linked", s=iri, prop=property_node(prop))
    return (f'<h2 id="tasks">任务 Tasks ({len(tasks)})</h2>' + _task_table(store, tasks, base)
            + f"<h2>项目 Projects ({len(projects)})</h2>" + _project_table(store, projects, base))


def _in_hierarchy(store, iri: str, base: str, detail: tuple, link: str, up: str, down: str, about: str) -> str:
    """A topic or place: labels, one detail row, the nodes above and below it (``link``), what is about it."""
    return (_dl([("名称 Labels", _texts(store, iri, "skos:prefLabel")), detail,
                 (up, _linked(store, iri, link, base)), (down, _linked(store, iri, link, base, inverse=True))])
            + _about(store, iri, base, about))


def _topic(store, iri: str, base: str) -> str:
    return _in_hierarchy(store, iri, base, ("定义 Definition", _texts(store, iri, "skos:definition")),
                         "skos:broader", "上位 Broader", "下位 Narrower", "gp:about")


def _place(store, iri: str, base: str) -> str:
    return _in_hierarchy(store, iri, base, ("行政区划代码 Division code", _texts(store, iri, "gp:divisionCode")),
                         "gp:within", "所属 Within", "下辖 Contains", "gp:mentionsPlace")


def _plan(store, iri: str, base: str) -> str:
    s = plan_summary(store, iri)
    tasks = select(store, "plan-tasks", s=iri)
    groups: list[tuple[str, str, list]] = []
    for r in tasks:
        key = _value(r, "m")
        if not groups or groups[-1][0] != key:
            groups.append((key, _value(r, "mt"), []))
        groups[-1][2].append(r)
    task_html = "".join(f'<h3>{link(m, base, {"zh": title}) if m else "—"}</h3>{_task_table(store, rows, base)}'
                        for m, title, rows in groups)
    projects = select(store, "plan-projects", s=iri)
    return (_dl([("标题 Title", _texts(store, iri, "dcterms:title")),
                 ("说明 Description", _texts(store, iri, "dcterms:description")),
                 ("状态 Status", _texts(store, iri, "gp:status")),
                 ("辖区 Jurisdiction", _linked(store, iri, "eli:jurisdiction", base)),
                 ("发布 Issuer", _linked(store, iri, "gp:issuer", base)),
                 ("来源 Source lines", _lines(store, iri, base))])
            + f'<h2 id="tasks">重点任务 Tasks ({s["tasks"]})</h2>{task_html}'
            + f'<h2 id="projects">重点项目 Projects ({s["projects"]})</h2>' + _project_table(store, projects, base))


# --- saved queries and the editor -------------------------------------------------------

def results_table(store, result, base: str) -> str:
    """A SELECT answer as a table (IRIs linked, with labels), or an ASK answer."""
    if result.boolean is not None:
        return f'<p class="boolean">{"true" if result.boolean else "false"}</p>'
    iris = {t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)}
    lab = labels(store, iris) if len(iris) <= 2000 else {}
    rows = [[term_html(t, base, lab) for t in row] for row in result.rows]
    n = len(rows)
    return table(result.variables, rows, "results") + f'<p class="count">({n} row{"s" if n != 1 else ""})</p>'


def parameter_values(store, p) -> list[tuple[str, str]]:
    """(value, label) choices for an enumerated parameter, from its lookup ``queries/parameters/<name>.rq``."""
    from greenplan.catalogue import choices

    if not p.enumerate:
        return []
    return [(term.value, label) for term, label in choices(store, p.name)]


def _param_input(p, value: str | None, choices: list[tuple[str, str]] | None = None, form: str = "") -> str:
    shown = value if value is not None else (p.default or "")
    kind = {"integer": "number", "decimal": "text"}.get(p.type, "text")
    req = " required" if p.required else ""
    ident = f"values-{form}-{p.name}"
    listed, datalist = "", ""
    if choices:
        options = "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in choices)
        listed, datalist = f' list="{esc(ident)}"', f'<datalist id="{esc(ident)}">{options}</datalist>'
    return (f'<label>{esc(p.name)} <small>({esc(p.type)}{", required" if p.required else ""})</small> '
            f'<input type="{kind}" name="{esc(p.name)}" value="{esc(shown)}"{req}{listed}>{datalist}</label>')


def queries_index(store, catalogue) -> str:
    items = []
    for q in catalogue:
        form = "".join(_param_input(p, None, parameter_values(store, p), q.name) for p in q.parameters)
        items.append(f'<section class="query"><h2><a href="/queries/{esc(q.name)}">{esc(q.name)}</a> — {esc(q.title)}</h2>'
                     f"<p>{esc(q.description)}</p>"
                     f'<form method="get" action="/queries/{esc(q.name)}">{form}'
                     f'<input type="hidden" name="run" value="1"><button type="submit">运行 Run</button></form></section>')
    return page("保存的查询 Saved queries", "<h1>保存的查询 Saved queries</h1>"
                "<p>Each query is a file <code>queries/NAME.rq</code>; also on the command line: "
                "<code>greenplan query NAME --param KEY=VALUE</code>.</p>" + "".join(items))


def query_page(store, q, values: dict, result_html: str | None) -> str:
    form = "".join(_param_input(p, values.get(p.name), parameter_values(store, p), q.name) for p in q.parameters)
    params = query_string({k: v for k, v in values.items() if k in {p.name for p in q.parameters}})
    sep = "?" if params else ""
    downloads = (f'<p class="downloads">下载 Download: <a href="/queries/{esc(q.name)}.csv{sep}{esc(params)}">CSV</a> · '
                 f'<a href="/queries/{esc(q.name)}.json{sep}{esc(params)}">JSON</a> · '
                 f'<a href="/queries/{esc(q.name)}.tsv{sep}{esc(params)}">TSV</a></p>')
    body = (f"<h1>{esc(q.name)} — {esc(q.title)}</h1><p>{esc(q.description)}</p>"
            f'<form method="get" action="/queries/{esc(q.name)}">{form}<input type="hidden" name="run" value="1">'
            f'<button type="submit">运行 Run</button></form>')
    if result_html is not None:
        body += downloads + result_html
    body += f'<h2>查询文本 Query text</h2><pre class="sparql">{esc(q.text)}</pre>'
    return page(q.name, body)


def editor_page(query: str | None, result_html: str | None) -> str:
    text = query if query else query_text("pages/editor-example")
    prefixes = "".join(f'<li><button type="button" class="prefix" data-prefix="{esc(p)}" data-iri="{esc(ns)}">'
                       f"{esc(p)}:</button> <code>{esc(ns)}</code></li>" for p, ns in PREFIXES.items())
    head = ('<link rel="stylesheet" href="/static/codemirror/codemirror.css">'
            '<link rel="stylesheet" href="/static/codemirror/addon/hint/show-hint.css">'
            '<script src="/static/codemirror/codemirror.js"></script>'
            '<script src="/static/codemirror/mode/sparql/sparql.js"></script>'
            '<script src="/static/codemirror/addon/hint/show-hint.js"></script>'
            '<script src="/static/editor.js" defer></script>')
    body = ('<h1>SPARQL 编辑器 SPARQL editor</h1>'
            '<div class="editor"><form method="get" action="/editor" id="sparql-form">'
            f'<textarea name="query" id="query" rows="16" cols="100">{esc(text)}</textarea>'
            '<p><button type="submit">运行 Run</button> '
            '<small>Ctrl-Space: complete a prefix · Ctrl-Enter: run</small></p></form>'
            f'<aside><h2>前缀 Prefixes</h2><p>Click to add a PREFIX line.</p><ul class="prefixes">{prefixes}</ul></aside></div>')
    if query:
        dl = query_string({"query": query})
        body += ('<p class="downloads">下载 Download: '
                 + " · ".join(f'<a href="/sparql?{esc(dl)}&amp;format={f}">{n}</a>'
                              for f, n in (("json", "JSON"), ("csv", "CSV"), ("tsv", "TSV"), ("xml", "XML"),
                                           ("ttl", "Turtle")))
                 + "</p>")
        body += result_html or ""
    return page("SPARQL", body, head)


def endpoint_page(endpoint: str, limits) -> str:
    """``/sparql`` without a query, for a browser: what the endpoint is, how to use it, its limits."""
    rows = [("Endpoint", f"<code>{esc(endpoint)}</code>"),
            ("Queries", "SELECT, ASK, CONSTRUCT, DESCRIBE by GET <code>?query=</code>, POST form or POST "
                        "<code>application/sparql-query</code>; updates and <code>SERVICE</code> are refused"),
            ("Answers", "SELECT/ASK: SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, RDF/XML, JSON-LD, "
                        "N-Triples (by <code>Accept</code> or <code>format=</code>)"),
            ("Data", "every statement is in its plan's named graph: write <code>GRAPH ?g { … }</code>; "
                     "DESCRIBE reads all graphs"),
            ("Limits", f"{limits.timeout:g} s per query (from arrival), {limits.max_results} results, "
                       f"{limits.max_result_bytes} bytes per answer, {limits.max_body} bytes per request")]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return page("SPARQL endpoint", f"<h1>SPARQL endpoint</h1><table>{body}</table>"
                f'<p>Try queries in the <a href="/editor">editor</a>; the service description is served '
                f'to RDF clients (<a href="/sparql?format=turtle">Turtle</a>).</p>')
