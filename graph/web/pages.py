"""The HTML pages of ``greenplan serve``: home, entity pages, saved-query forms, the SPARQL editor.

Pages read the server's in-memory store with small SPARQL queries (every pattern in
``GRAPH ?g { … }``, like the saved queries).  User queries never run here: they go to the
query worker (see :mod:`greenplan.web.worker`); this module only shows their answers.

Each page is a template of ``graph/web/templates/``; the functions here gather what it shows as plain
values and views (:mod:`greenplan.web.layout`) and build no HTML themselves.
"""
from __future__ import annotations

from typing import NamedTuple

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.quads import prop as property_node
from greenplan.query.sparqltext import with_values
from greenplan.resources import query_text
from greenplan.vocab import PREFIXES
from greenplan.web.layout import Link, href, labelled, link, query_string, render, short, term

LABELLED_RESULT_IRIS = 2000      # answers with more distinct IRIs are shown without labels (one query less)


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


def _linked_rows(store, rows: list[dict], name: str, base: str) -> list[Link]:
    """The IRIs of column ``name`` as links with their labels."""
    lab = labels(store, _iris(rows, name))
    return [link(r[name].value, base, lab.get(r[name].value)) for r in rows]


class SourceLines(NamedTuple):
    href: str
    span: str
    file: str
    element: str = ""


def _lines(store, iri: str, base: str) -> list[SourceLines]:
    """Where the document prints an entity.  For a web page: the element (XPath) in the page named by its
    original URL, linked to the place in the kept copy (``/sources/<id>?at=XPATH``, :func:`source_view`)."""
    from urllib.parse import quote

    from greenplan.web.sources import has_copy

    out = []
    for r in select(store, "lines", s=iri):
        first, last = _value(r, "first"), _value(r, "last")
        url, ident, xpath = _value(r, "url"), _value(r, "id"), _value(r, "xpath")
        target = href(r["span"].value, base)
        if xpath and ident and has_copy(store, ident):
            target = f"/sources/{quote(ident, safe='')}?" + query_string({"at": xpath})
        out.append(SourceLines(target, first if first == last else f"{first}–{last}",
                               url if url.startswith(("http://", "https://")) else _value(r, "file"), xpath))
    return out


def source_view(store, identifier: str, xpath: str, base: str) -> str:
    """The kept copy of a web page with the element at ``xpath`` shown: the copy in a frame (sandboxed, as
    ``/sources/<id>`` sends it), the page's script (``static/source.js``) finds the element in it by its
    XPath and scrolls to it.  The server reads nothing of the document."""
    from urllib.parse import quote

    rows = [r for r in select(store, "plans") if _value(r, "id") == identifier]
    plan = plan_names(store, [rows[0]["plan"].value], base).get(rows[0]["plan"].value) if rows else None
    sources = _sources(store, rows[0]["plan"].value, identifier, base) if rows else []
    return render("source.html", title=f"来源 Source · {identifier}", plan=plan, sources=sources, xpath=xpath,
                  frame=f"/sources/{quote(identifier, safe='')}")


def _texts(store, iri: str, prop: str) -> list:
    return [term(r["v"], "") for r in select(store, "values", s=iri, prop=property_node(prop))]


def _linked(store, iri: str, prop: str, base: str, inverse: bool = False) -> list[Link]:
    rows = select(store, "linked-from" if inverse else "linked", s=iri, prop=property_node(prop))
    return _linked_rows(store, rows, "x", base)


def canonical(store, iri: str) -> str | None:
    """The canonical IRI of an alias kept as ``owl:sameAs`` (``/org/transport`` → ``/org/440800/transport``),
    else None."""
    rows = select(store, "canonical", s=iri)
    return rows[0]["c"].value if rows else None


def plan_names(store, plans, base: str) -> dict[str, Link]:
    """Plan IRI → a link showing its short name (the short title it prints, else its title)."""
    plans = sorted({p for p in plans if p})
    if not plans:
        return {}
    text = with_values(query_text("pages/plan-names"), "plan", [ox.NamedNode(p) for p in plans])
    out = {}
    for r in select(store, "plan-names", text):
        name = _value(r, "name") or _value(r, "full") or _value(r, "id")
        out[r["plan"].value] = Link(href(r["plan"].value, base), name, name, "")
    return out


def role_names(store, roles) -> dict[str, Link]:
    """Role IRI (gp:lead …) → its labels (牵头 lead …), from the ontology's party roles."""
    lab = labels(store, roles)
    return {r: Link("", short(r), (lab.get(r) or {}).get("zh", ""), (lab.get(r) or {}).get("en", "")) for r in roles}


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
    shown = []
    for p in plans:
        iri = p["plan"].value
        shown.append({**_shown_summary(plan_summary(store, iri)), "link": link(iri, base, lab.get(iri))})
    topic_root = Minter(base).topic("")
    schemes = [r for r in select(store, "schemes") if r["scheme"].value.startswith(topic_root)]
    return render("home.html", title="greenplan", plans=shown,
                  topics=_linked_rows(store, schemes, "scheme", base),
                  places=_linked_rows(store, select(store, "jurisdictions"), "place", base))


# --- entity pages -----------------------------------------------------------------------

GP = PREFIXES["gp"]
TYPES = [(GP + "Plan", "plan"), (GP + "Task", "task"), (GP + "Project", "project"),
         (PREFIXES["org"] + "Organization", "body"), (GP + "Place", "place"),
         (PREFIXES["skos"] + "Concept", "topic")]
KINDS = {"task": "重点任务 Task", "project": "重点项目 Project", "body": "责任单位 Body", "place": "地点 Place",
         "topic": "主题 Topic", "plan": "规划 Plan", "resource": "资源 Resource"}


def entity_page(store, iri: str, base: str) -> str | None:
    """The HTML page of an entity, or None when the store has no statement about it."""
    types = {r["t"].value for r in select(store, "types", s=iri)}
    if not types and not select(store, "any-statement", s=iri):
        return None
    kind = next((k for t, k in TYPES if t in types), "resource")
    lab = labels(store, [iri]).get(iri, {})
    title = lab.get("zh") or lab.get("en") or lab.get("") or iri
    if kind == "task":
        number = select(store, "number", s=iri)
        title = f"任务 Task {number[0]['n'].value}" if number else title
        lab = {"zh": title}
    details = {"plan": _plan, "task": _task, "project": _project, "body": _body, "place": _place,
               "topic": _topic}.get(kind, lambda *a: {})(store, iri, base)
    path = href(iri, base)
    template = {"place": "hierarchy.html", "topic": "hierarchy.html", "resource": "entity.html"}.get(kind, f"{kind}.html")
    return render(template, title=title, kind=KINDS[kind], heading=labelled(path, iri, lab), iri=iri, path=path,
                  sep="&" if "?" in path else "?", generic=kind == "resource", **_statements(store, iri, base),
                  **details)


def _statements(store, iri: str, base: str) -> dict:
    """Every statement with the entity as subject (the same triples its Turtle shows), and those naming it."""
    rows = select(store, "statements", s=iri)
    lab = labels(store, _iris(rows, "o"))
    inbound = select(store, "referenced-by", o=iri)
    lab_in = labels(store, _iris(inbound, "s"))
    return {"outgoing": [[link(r["p"].value, base, text=short(r["p"].value)), term(r["o"], base, lab)] for r in rows],
            "incoming": [[term(r["s"], base, lab_in), short(r["p"].value)] for r in inbound]}


def _owners(store, rows: list[dict], base: str) -> list[dict]:
    """The parties of a task in the order printed, each with its roles (one row per party and role)."""
    roles = role_names(store, _iris(rows, "role"))
    lab = labels(store, _iris(rows, "body"))
    out: list[dict] = []
    for r in rows:
        if not out or out[-1]["pos"] != _value(r, "pos"):
            out.append({"pos": _value(r, "pos"), "link": link(r["body"].value, base, lab.get(r["body"].value)),
                        "spelling": _value(r, "spelling"), "roles": []})
        if "role" in r:
            out[-1]["roles"].append(roles[r["role"].value])
    return out


def _task(store, iri: str, base: str) -> dict:
    topics = select(store, "task-topics", s=iri)
    deadlines = select(store, "task-deadline", s=iri)
    return {"text": _texts(store, iri, "gp:text"), "measure": _linked(store, iri, "gp:measure", base),
            "plan": list(plan_names(store, _iris(select(store, "linked", s=iri, prop=property_node("gp:plan")), "x"),
                                    base).values()),
            "owners": _owners(store, select(store, "task-owners", s=iri), base),
            "deadlines": [{"printed": _value(d, "printed"), "date": _value(d, "date")} for d in deadlines],
            "open_list": bool(select(store, "open-owner-list", s=iri)),
            "topics": [{"link": t, "terms": _value(r, "terms")}
                       for t, r in zip(_linked_rows(store, topics, "topic", base), topics)],
            "places": _linked(store, iri, "gp:mentionsPlace", base), "lines": _lines(store, iri, base)}


def _project(store, iri: str, base: str) -> dict:
    # One row each: the pattern is anchored in the project's own graph (no longer one row per graph).
    y = next(iter(select(store, "project-years", s=iri)), {})
    m = next(iter(select(store, "project-investment", s=iri)), {})
    return {"number": _texts(store, iri, "gp:number"), "name": _texts(store, iri, "gp:name"),
            "content": _texts(store, iri, "gp:content"),
            "years": f"{_value(y, 'a')}–{_value(y, 'b')}" if "a" in y else _value(y, "printed", "—"),
            "investment": f"{_value(m, 'v')} 亿元" if "v" in m else _value(m, "printed", "—"),
            "lead": _linked(store, iri, "gp:leadBureau", base),
            "builder": _linked(store, iri, "gp:constructionUnit", base),
            "topics": _linked(store, iri, "gp:about", base), "places": _linked(store, iri, "gp:mentionsPlace", base),
            "plan": _linked(store, iri, "gp:plan", base), "lines": _lines(store, iri, base)}


def _task_rows(rows: list[dict], base: str) -> list[list]:
    return [[Link(href(r["t"].value, base), _value(r, "number")), Link(href(r["t"].value, base), _snippet(_value(r, "text")))]
            for r in rows]


def _tasks_of_plans(store, rows: list[dict], base: str, roles: bool = False) -> list[list]:
    """Task rows that may come from several plans: each names its plan (and, for a body, its roles in it)."""
    names = plan_names(store, _iris(rows, "plan"), base)
    role_of = role_names(store, {x for r in rows for x in _value(r, "roles").split()}) if roles else {}
    out = []
    for row, r in zip(_task_rows(rows, base), rows):
        plan = names.get(r["plan"].value) if "plan" in r else None
        extra = [" ".join(role_of[x].zh or role_of[x].text for x in sorted(_value(r, "roles").split()))] if roles else []
        out.append([plan, *row, *extra])
    return out


def _project_rows(store, rows: list[dict], base: str) -> list[list]:
    lab = labels(store, _iris(rows, "lead"))
    return [[_value(r, "number"), Link(href(r["p"].value, base), _value(r, "name")), _value(r, "inv"),
             link(r["lead"].value, base, lab.get(r["lead"].value)) if "lead" in r else ""] for r in rows]


def _body(store, iri: str, base: str) -> dict:
    partners = select(store, "body-partners", s=iri)
    return {"names": _texts(store, iri, "skos:prefLabel"), "spellings": _texts(store, iri, "skos:altLabel"),
            "classification": _linked(store, iri, "org:classification", base),
            "tasks": _tasks_of_plans(store, select(store, "body-tasks", s=iri), base, roles=True),
            "partners": [[b, _value(r, "n")] for b, r in zip(_linked_rows(store, partners, "other", base), partners)],
            "projects": _project_rows(store, select(store, "body-projects", s=iri), base)}


def _in_hierarchy(store, iri: str, base: str, detail: tuple, up_down: tuple, about: str) -> dict:
    """A topic or place: labels, one detail row, the nodes above and below it, what is about it."""
    (detail_name, detail_prop), (link_prop, up, down) = detail, up_down
    return {"names": _texts(store, iri, "skos:prefLabel"), "detail": detail_name,
            "details": _texts(store, iri, detail_prop), "up": up, "down": down,
            "above": _linked(store, iri, link_prop, base), "below": _linked(store, iri, link_prop, base, inverse=True),
            "tasks": _tasks_of_plans(store, select(store, "tasks-linked", s=iri, prop=property_node(about)), base),
            "projects": _project_rows(store, select(store, "projects-linked", s=iri, prop=property_node(about)), base)}


def _topic(store, iri: str, base: str) -> dict:
    return _in_hierarchy(store, iri, base, ("定义 Definition", "skos:definition"),
                         ("skos:broader", "上位 Broader", "下位 Narrower"), "gp:about")


def _place(store, iri: str, base: str) -> dict:
    return _in_hierarchy(store, iri, base, ("行政区划代码 Division code", "gp:divisionCode"),
                         ("gp:within", "所属 Within", "下辖 Contains"), "gp:mentionsPlace")


def _plan(store, iri: str, base: str) -> dict:
    s = plan_summary(store, iri)
    groups: list[dict] = []
    for r in select(store, "plan-tasks", s=iri):
        key = _value(r, "m")
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "measure": link(key, base, {"zh": _value(r, "mt")}) if key else None,
                           "rows": []})
        groups[-1]["rows"].append(r)
    identifier = next(iter(_texts(store, iri, "dcterms:identifier")), None)
    return {"titles": _texts(store, iri, "dcterms:title"), "short_titles": _texts(store, iri, "dcterms:alternative"),
            "number": _texts(store, iri, "eli:number"), "issuer": _linked(store, iri, "gp:issuer", base),
            "date_document": _texts(store, iri, "eli:date_document"),
            "date_publication": _texts(store, iri, "eli:date_publication"),
            "status": _texts(store, iri, "gp:status"), "jurisdiction": _linked(store, iri, "eli:jurisdiction", base),
            "doc_kind": [*_linked(store, iri, "eli:type_document", base), *_texts(store, iri, "gp:documentKind")],
            "description": _texts(store, iri, "dcterms:description"),
            "sources": _sources(store, iri, identifier.value if identifier else None, base),
            "lines": _lines(store, iri, base), "summary": _shown_summary(s),
            "task_count": s["tasks"], "project_count": s["projects"],
            "groups": [{"measure": g["measure"], "tasks": _task_rows(g["rows"], base)} for g in groups],
            "projects": _project_rows(store, select(store, "plan-projects", s=iri), base)}


def _shown_summary(s: dict) -> dict:
    """A plan's counts and targets as a page shows them: a section only for what the plan has (no
    "0 重点项目", no "总投资 0 亿元" of a plan without priced projects, no empty targets table)."""
    targets = [[_value(t, "indicator"), _value(t, "statement"), _value(t, "value") + _value(t, "unit"),
                _value(t, "year")] for t in s["targets"]]
    return {"tasks": s["tasks"], "projects": s["projects"], "bodies": s["bodies"],
            "investment": s["investment"] if s["priced"] else None, "priced": s["priced"], "targets": targets}


def _sources(store, iri: str, identifier: str | None, base: str) -> list[dict]:
    """Where the plan was read from: the original URL, the file, and the kept copy the server serves."""
    from greenplan.web.sources import has_copy

    out = []
    for r in select(store, "plan-source", s=iri):
        kept = f"/sources/{identifier}" if identifier and has_copy(store, identifier) else ""
        url = _value(r, "url")
        out.append({"url": url if url.startswith(("http://", "https://")) else "",    # never a javascript: link
                    "file": _value(r, "file"), "fetched": _value(r, "fetched"),
                    "kept": kept, "about": link(r["doc"].value, base, text="来源记录 source record")})
    return out


# --- saved queries and the editor -------------------------------------------------------

def result_view(store, result, base: str) -> dict:
    """A SELECT answer as rows of term views (IRIs with labels), or an ASK answer."""
    if result.boolean is not None:
        return {"boolean": result.boolean}
    iris = {t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)}
    lab = labels(store, iris) if len(iris) <= LABELLED_RESULT_IRIS else {}
    if lab:
        lab.update(_task_labels(store, iris, base))
    return {"boolean": None, "variables": list(result.variables),
            "rows": [[term(t, base, lab) for t in row] for row in result.rows]}


def _task_labels(store, iris, base: str) -> dict[str, dict[str, str]]:
    """Labels of the tasks among ``iris`` that name their plan (任务 3 · 规划简称): tasks of several plans appear
    together in an answer, and "任务 3" alone would not say which."""
    text = with_values(query_text("pages/task-plans"), "t", [ox.NamedNode(i) for i in sorted(iris)])
    rows = select(store, "task-plans", text)
    names = plan_names(store, _iris(rows, "plan"), base)
    out = {}
    for r in rows:
        plan = names.get(r["plan"].value)
        name = plan.zh if plan else ""
        out[r["t"].value] = {"zh": f"任务 {_value(r, 'number')} · {name}", "en": f"Task {_value(r, 'number')}"}
    return out


def parameter_values(store, p) -> list[tuple[str, str]]:
    """(value, label) choices for an enumerated parameter, from its lookup ``queries/parameters/<name>.rq``."""
    from greenplan.query.catalogue import choices

    if not p.enumerate:
        return []
    return [(t.value, label) for t, label in choices(store, p.name)]


class Field(NamedTuple):
    """One input of a saved query's form: its parameter, the value shown, the choices offered."""

    name: str
    type: str
    required: bool
    input: str
    value: str
    choices: list
    ident: str


def fields(store, q, values: dict | None = None) -> list[Field]:
    """The inputs of a saved query's form, showing ``values`` (from the request) or the defaults."""
    out = []
    for p in q.parameters:
        value = (values or {}).get(p.name)
        out.append(Field(p.name, p.type, bool(p.required), {"integer": "number"}.get(p.type, "text"),
                         value if value is not None else (p.default or ""), parameter_values(store, p),
                         f"values-{q.name}-{p.name}"))
    return out


def queries_index(store, catalogue) -> str:
    return render("queries.html", title="保存的查询 Saved queries",
                  queries=[(q, fields(store, q)) for q in catalogue])


def query_page(store, q, values: dict, answer, base: str) -> str:
    """A saved query's form showing ``values``; with its ``answer`` (None: not run yet) and download links."""
    params = query_string({k: v for k, v in values.items() if k in {p.name for p in q.parameters}})
    return render("query.html", title=q.name, q=q, fields=fields(store, q, values), params=params,
                  result=None if answer is None else result_view(store, answer, base))


def editor_page(store, base: str, query: str | None, answer=None) -> str:
    """The editor with ``query`` (else the example) and its ``answer``: a SELECT/ASK result, or the triples
    of a CONSTRUCT/DESCRIBE shown as Turtle."""
    result = turtle = None
    if isinstance(answer, list):
        from greenplan.web.protocol import triples_body

        turtle = {"text": triples_body(answer, "turtle", base).decode("utf-8"), "count": len(answer)}
    elif answer is not None:
        result = result_view(store, answer, base)
    return render("editor.html", title="SPARQL", text=query or query_text("pages/editor-example"),
                  prefixes=list(PREFIXES.items()), download=query_string({"query": query}) if query else "",
                  result=result, turtle=turtle)


def endpoint_page(endpoint: str, limits) -> str:
    """``/sparql`` without a query, for a browser: what the endpoint is, how to use it, its limits."""
    return render("endpoint.html", title="SPARQL endpoint", endpoint=endpoint, limits=limits,
                  timeout=f"{limits.timeout:g}")


def downloads_page(dumps: dict) -> str:
    """The full dumps: file extension → format name."""
    return render("downloads.html", title="Downloads", dumps=list(dumps.items()))
