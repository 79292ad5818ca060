"""HTML building blocks: the page shell, escaped text, labels (zh first, en beside), links, tables.

Every piece of text that comes from the graph goes through :func:`esc` (``html.escape``):
labels, task texts and project names come from documents.
"""
from __future__ import annotations

import html
from urllib.parse import quote, urlencode

import pyoxigraph as ox

# Paths under the base IRI that the server answers itself (linked-data routes).
ENTITY_ROOTS = ("plan", "org", "topic", "place")


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def local_path(iri: str, base: str) -> str | None:
    """``{base}plan/x/task/59`` → ``/plan/x/task/59``; None for IRIs the server does not route."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    if rest.split("/", 1)[0] not in ENTITY_ROOTS or "#" in rest or "?" in rest:
        return None
    return "/" + quote(rest, safe="/-_.~:")


def href(iri: str, base: str) -> str:
    """Where a link to an IRI points on this server: its own route, else the generic resource page."""
    return local_path(iri, base) or "/resource?" + urlencode({"iri": iri})


def label_html(labels: dict | None, fallback: str = "") -> str:
    """zh label first, the en label beside it (smaller); the fallback when there is none."""
    labels = labels or {}
    zh = labels.get("zh") or labels.get("")
    en = labels.get("en")
    parts = []
    if zh:
        parts.append(f'<span lang="zh">{esc(zh)}</span>')
    if en:
        parts.append(f'<span class="en" lang="en">{esc(en)}</span>')
    return " ".join(parts) if parts else esc(fallback)


def link(iri: str, base: str, labels: dict | None = None, fallback: str | None = None) -> str:
    text = label_html(labels, fallback if fallback is not None else short(iri, base))
    return f'<a href="{esc(href(iri, base))}">{text}</a>'


def short(iri: str, base: str = "") -> str:
    """A prefixed name for known namespaces, the path below the base, else the IRI."""
    from greenplan.vocab import PREFIXES

    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri[len(base):] if base and iri.startswith(base) else iri


def term_html(term, base: str, labels: dict | None = None) -> str:
    """One RDF term as HTML: IRIs as links (with labels when known), literals as escaped text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return link(term.value, base, (labels or {}).get(term.value))
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{esc(term.value)}</code>"
    lang = f' lang="{esc(term.language)}"' if term.language else ""
    return f"<span{lang}>{esc(term.value)}</span>"


def table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    """A table; ``rows`` hold HTML that is already escaped (cells built with esc/term_html/link)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    cls = f' class="{esc(css)}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


NAV = [("/", "首页 Home"), ("/queries", "查询 Saved queries"), ("/editor", "SPARQL"),
       ("/network", "网络 Network"), ("/downloads", "下载 Downloads")]


def page(title: str, body: str, head: str = "") -> str:
    nav = " ".join(f'<a href="{u}">{esc(t)}</a>' for u, t in NAV)
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)} · greenplan</title>"
            f'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
            f'<link rel="stylesheet" href="/static/site.css">{head}</head>'
            f'<body><header><nav>{nav}</nav></header><main>{body}</main>'
            f'<footer>greenplan · <a href="/sparql">SPARQL endpoint</a> · '
            f'<a href="/.well-known/void">VoID/DCAT</a></footer></body></html>\n')


def error_page(status: int, message: str) -> str:
    return page(f"{status}", f"<h1>{status}</h1><p class=\"error\">{esc(message)}</p>")


def query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
