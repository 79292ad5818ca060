"""What the HTML templates show, and how they are rendered.

Pages are Jinja2 templates (``graph/web/templates/*.html``, one base layout) rendered with autoescape
and ``StrictUndefined``: every value a template prints is escaped by construction — labels, task texts
and project names come from documents, parameter values and queries from the request.  Python code
builds no HTML: it hands the templates plain values and the small views below (a link, a literal, a
blank node), which the macros of ``macros.html`` print.

Only :mod:`greenplan.web.server` (through :mod:`greenplan.web.pages`) and the network page
(:func:`greenplan.network.draw.html_page`, also written by ``greenplan network --format html``) import this
module, so the template engine is never loaded on the ``greenplan query`` path.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
# Paths under the base IRI that the server answers itself (linked-data routes).
ENTITY_ROOTS = ("plan", "org", "topic", "place")


@dataclass(frozen=True)
class Link:
    """A link to ``href`` showing its zh label with the en label beside it, or else ``text``."""

    href: str
    text: str
    zh: str = ""
    en: str = ""
    kind = "link"


@dataclass(frozen=True)
class Literal:
    value: str
    lang: str = ""
    kind = "literal"


@dataclass(frozen=True)
class Blank:
    value: str
    kind = "blank"


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


@lru_cache(maxsize=1)
def _namespaces() -> list[tuple[str, str]]:
    from greenplan.vocab import PREFIXES

    return sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))     # the longest namespace first


def short(iri: str, base: str = "") -> str:
    """A prefixed name for known namespaces, the path below the base, else the IRI."""
    for prefix, ns in _namespaces():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri[len(base):] if base and iri.startswith(base) else iri


def link(iri: str, base: str, labels: dict | None = None, text: str | None = None) -> Link:
    """A link to an IRI's page, showing its labels (language → label), else ``text``, else its short name."""
    return labelled(href(iri, base), text if text is not None else short(iri, base), labels)


def labelled(target: str, text: str, labels: dict | None) -> Link:
    """A link showing the zh label (or the one without language) and the en label of ``labels``, else ``text``."""
    labels = labels or {}
    return Link(target, text, labels.get("zh") or labels.get("") or "", labels.get("en") or "")


def term(t, base: str, labels: dict | None = None) -> Link | Literal | Blank | None:
    """One RDF term as a view: IRIs as links (with labels when known), literals with their language."""
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return link(t.value, base, (labels or {}).get(t.value))
    if isinstance(t, ox.BlankNode):
        return Blank(t.value)
    return Literal(t.value, t.language or "")


def query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, auto_reload=False)
    # `tojson` keeps Chinese text readable and its keys sorted (the same page for the same store); it still
    # writes < > & ' as \u escapes, so a value cannot end the <script> element it is in
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


def render(template: str, **context) -> str:
    """The page ``templates/<template>`` with ``context`` (every value escaped as it is printed)."""
    return environment().get_template(template).render(**context)


def trusted_script(text: str) -> Markup:
    """A script file of the package's own (``static/``) to be inlined as it is: never text from the data or
    the request (those are escaped by the templates, or given to a script as JSON by ``tojson``). A
    ``</script`` inside it would end the element early, so such a file is refused."""
    if "</script" in text.lower():
        raise ValueError("a script to inline contains '</script'; serve it as a file instead")
    return Markup(text)


def trusted_style(text: str) -> Markup:
    """A style sheet of the package's own (``static/site.css``) to be inlined as it is (the file written by
    ``greenplan network --format html`` carries the site's style); a ``</style`` inside it is refused."""
    if "</style" in text.lower():
        raise ValueError("a style sheet to inline contains '</style'; serve it as a file instead")
    return Markup(text)


def error_page(status: int, message: str) -> str:
    return render("error.html", title=str(status), status=status, message=message)
