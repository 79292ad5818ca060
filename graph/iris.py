"""The one place where greenplan mints IRIs.

Scheme (``{base}`` defaults to ``https://w3id.org/greenplan/``, set by
``--base`` or ``GREENPLAN_BASE``; ``{plan}`` is the plan identifier from the
source's metadata file):

================================  ==============================================
plan                              ``{base}plan/{plan}``
its named graph                   ``{base}graph/plan/{plan}``
chapter / section                 ``{base}plan/{plan}/chapter/{n}`` / ``…/section/{n}``
sentence                          ``{base}plan/{plan}/section/{n}/sentence/{k}``
principle / goal / target         ``{base}plan/{plan}/principle/{k}`` (``goal``, ``target``)
measure                           ``{base}plan/{plan}/measure/{k}`` (annex order)
task / its k-th owner listing     ``{base}plan/{plan}/task/{n}`` / ``…/task/{n}/owner/{k}``
project / its investment          ``{base}plan/{plan}/project/{n}`` / ``…/project/{n}/investment`` (qudt:QuantityValue)
note                              ``{base}plan/{plan}/note/{k}``
notice that issues the plan       ``{base}plan/{plan}/notice``
source document / line span       ``{base}plan/{plan}/source`` / ``…/source/lines/{first}-{last}``
element of a page or Word file    ``…/source/element/{sha1(xpath)[:12]}``
selector of a span                ``{span}/selector``
topic match / place mention       ``{record}/topic/{slug}`` / ``{record}/place/{code}``
listed body (plan-independent)    ``{base}org/{code}/{slug}`` (``ontology/bodies/{code}.ttl``; code CN = national,
                                  else the GB/T 2260 code of its jurisdiction); former ``{base}org/{slug}`` are
                                  owl:sameAs aliases
unlisted body of a jurisdiction   ``{base}org/{code}/unlisted-{sha1(full zh name)[:12]}``
local office of a national body   ``{base}org/{code}/office-{sha1(spelling)[:12]}``
government of a division          ``{base}org/{code}/government``
collective party                  ``{base}org/{code}/collective-{sha1(phrase)[:12]}`` (``{base}org/collective-…``
                                  in a plan of no known jurisdiction)
body of no known jurisdiction     ``{base}org/unlisted-{sha1(spelling)[:12]}``
construction unit                 ``{base}org/unit-{sha1(name)[:12]}``
topic / place (plan-independent)  ``{base}topic/{slug}`` / ``{base}place/{code-or-slug}``
ontology-file graphs              ``{base}graph/{path without .ttl}`` (ontology, topics, places, divisions,
                                  bodies/CN, bodies/440800, …)
topic scheme                      ``{base}topic/scheme``
language of a plan                ``http://id.loc.gov/vocabulary/iso639-1/{code}`` (Library of Congress)
catalogue / dataset               ``{base}catalog`` / ``{base}dataset`` (its SPARQL service
                                  ``…/sparql-service``, period ``…/temporal``, distributions
                                  ``…/distribution/{format}``)
================================  ==============================================

Only names derived from the document (numbers, hashes of printed names) go
into IRIs, so re-loading the same document gives the same IRIs.
"""
from __future__ import annotations

import os

from greenplan.vocab import local_name

DEFAULT_BASE = "https://w3id.org/greenplan/"


def default_base() -> str:
    base = os.environ.get("GREENPLAN_BASE", DEFAULT_BASE)
    return base if base.endswith(("/", "#")) else base + "/"


def graph_namespace(base: str) -> str:
    """Where every named graph greenplan writes lives: ``{base}graph/``."""
    return f"{base}graph/"


def _digest(text: str) -> str:
    import hashlib  # not at module level: iris is on the cold query path

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


class Minter:
    def __init__(self, base: str | None = None):
        self.base = base or default_base()

    # plan-independent
    def org(self, slug: str) -> str:
        return f"{self.base}org/{slug}"

    def unlisted_org(self, spelling: str) -> str:
        return self.org(f"unlisted-{_digest(spelling)}")

    def jurisdiction_body(self, code: str, name: str) -> str:
        return self.org(f"{code}/unlisted-{_digest(name)}")

    def local_office(self, code: str, spelling: str) -> str:
        return self.org(f"{code}/office-{_digest(spelling)}")

    def government(self, code: str) -> str:
        return self.org(f"{code}/government")

    def collective(self, code: str | None, phrase: str) -> str:
        return self.org(f"{code}/collective-{_digest(phrase)}" if code else f"collective-{_digest(phrase)}")

    @staticmethod
    def place_code(place_iri: str) -> str:
        """The key of a place IRI (``…/place/440100`` → ``440100``)."""
        return place_iri.rsplit("/place/", 1)[-1]

    def construction_unit(self, name: str) -> str:
        return self.org(f"unit-{_digest(name)}")

    def topic(self, slug: str) -> str:
        return f"{self.base}topic/{slug}"

    def place(self, key: str) -> str:
        return f"{self.base}place/{key}"

    def resource_graph(self, stem: str) -> str:
        return f"{self.base}graph/{stem}"

    def topic_scheme(self) -> str:
        return self.topic("scheme")

    def namespaces(self) -> dict[str, str]:
        """Prefixes of the minted plan-independent IRIs (``body:`` for ``{base}org/``), for serialisations."""
        return {"body": self.org(""), "topic": self.topic(""), "place": self.place("")}

    # the published dataset (DCAT / VoID description)
    def catalog(self) -> str:
        return f"{self.base}catalog"

    def dataset(self, *path: object) -> str:
        return f"{self.base}dataset" + "".join(f"/{p}" for p in path)

    # plan-dependent
    def plan(self, plan: str) -> str:
        return f"{self.base}plan/{plan}"

    def plan_graph(self, plan: str) -> str:
        return f"{self.base}graph/plan/{plan}"

    def part(self, plan: str, *path: object) -> str:
        return self.plan(plan) + "".join(f"/{p}" for p in path)

    def span(self, plan: str, first: int, last: int, annex: int | None = None) -> str:
        return self.source(plan, annex) + f"/lines/{first}-{last}"

    def element_span(self, plan: str, xpath: str, annex: int | None = None) -> str:
        return self.source(plan, annex) + f"/element/{_digest(xpath)}"

    def fragment_span(self, plan: str, fragment: str, annex: int | None = None) -> str:
        """A span named by a fragment: a PDF page and rectangle, a spreadsheet's sheet and cells."""
        return self.source(plan, annex) + f"/fragment/{_digest(fragment)}"

    def source(self, plan: str, annex: int | None = None) -> str:
        """The plan's source document, or the attachment read as its annex ``annex``."""
        return self.part(plan, "source") if annex is None else self.part(plan, "source", "annex", annex)

    @staticmethod
    def language(tag: str) -> str:
        """The Library of Congress IRI of the language of a BCP 47 tag: ISO 639-1 for a two-letter language
        (``zh``, ``zh-Hans`` → ``…/iso639-1/zh``), else ISO 639-2 (``yue`` → ``…/iso639-2/yue``)."""
        primary = tag.split("-")[0].lower()
        return f"http://id.loc.gov/vocabulary/iso639-{1 if len(primary) == 2 else 2}/{primary}"

    @staticmethod
    def selector(span: str) -> str:
        """The Web Annotation selector of a source span."""
        return f"{span}/selector"

    @staticmethod
    def topic_match(record: str, topic: str) -> str:
        """The node saying which terms of ``record`` matched ``topic``."""
        return f"{record}/topic/{local_name(topic)}"

    @staticmethod
    def place_mention(record: str, place: str) -> str:
        """The node saying which names of ``place`` ``record`` mentions."""
        return f"{record}/place/{local_name(place)}"
