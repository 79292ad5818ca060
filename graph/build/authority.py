"""Which body a printed name means, in the plan's own jurisdiction.

The knowledge is data: the authority lists ``ontology/bodies/{code}.ttl`` (one per jurisdiction: ``CN`` national,
``440800`` Zhanjiang …), the divisions ``ontology/places.ttl`` + ``ontology/divisions.ttl`` (GB/T 2260 codes,
``gp:within``), the local shorthand ``ontology/local-prefixes.tsv`` (``市``, ``市委``, ``团市委`` …) and the
collective phrases ``ontology/collective-parties.tsv``.  :meth:`Authority.resolve` applies these rules, in order:

1. a collective phrase (``各省级人民政府``, ``各区、县级市``) is one collective party of the plan's jurisdiction;
2. a local prefix (``市教育局``, ``市委组织部``; never the ``市`` of ``市场…``) means the plan's own city, county,
   district or province: the name is looked up in that division's list only; unknown, it becomes a body of that
   division named from the template (广州市教育局, 中共广州市委组织部); with no such division (no jurisdiction, a
   national plan) the name stays unresolved.  A ``市`` carried from the first name of a cell or note
   (``市发展改革局、工业和信息化局``) counts only where the city's list knows the name;
3. a division's name (``越秀区``) within, above or below the plan's jurisdiction is that division's government;
4. otherwise the name is looked up in the plan's jurisdiction's list (every spelling), then in the lists above it
   up to the national one (every spelling except ``gp:shortForm`` — ``发展改革委`` in a city plan is the city's).
   A short form of a national body with local offices (``海关``) is that body's local office, labelled as printed;
5. a name that begins with a division's name (``深圳市教育局``) is a body of that division;
6. any other name is a new body of the plan's jurisdiction (``教育局`` → 广州市教育局), never merged by guess; with no
   jurisdiction it stays unresolved.

Every outcome not found in a list carries a warning naming the spelling.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.iris import Minter
from greenplan.resources import data_table
from greenplan.vocab import GP, PREFIXES, RDF_TYPE

SKOS = PREFIXES["skos"]
PREF, ALT, SHORT = SKOS + "prefLabel", SKOS + "altLabel", GP + "shortForm"
ORGANIZATION = PREFIXES["org"] + "Organization"
JURISDICTION, LOCAL_OFFICES = PREFIXES["dcterms"] + "spatial", GP + "localOffices"   # area of a listed body
PLACE, WITHIN, LEVEL = GP + "Place", GP + "within", GP + "divisionLevel"
NATIONAL = "CN"
GOVERNMENT_SUFFIXES = ("人民政府", "政府")

BODY, COLLECTIVE, UNRESOLVED = "body", "collective", "unresolved"


@dataclass(frozen=True)
class Resolved:
    kind: str                       # body | collective | unresolved
    iri: str                        # the node's one canonical IRI
    label: str                      # official zh name; a collective's phrase; an unresolved name as printed
    spelling: str                   # as printed
    jurisdiction: str | None        # place code of the body or collective
    listed: bool = False            # in an authority list (its triples are in ontology/bodies/)
    classification: str | None = None   # kind concept of a node that is not listed
    parent: str | None = None       # org:subOrganizationOf of a node that is not listed
    warning: str | None = None


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str | None
    level: str


@dataclass(frozen=True)
class Prefix:
    prefix: str
    ending: str
    template: str
    not_before: tuple[str, ...]


def _literal_zh(o) -> bool:
    return isinstance(o, ox.Literal) and o.language == "zh"


class Authority:
    def __init__(self, quads: list[ox.Quad], minter: Minter | None = None):
        self.m = minter or Minter()
        types: dict[str, set[str]] = {}
        for q in quads:
            if q.predicate.value == RDF_TYPE:
                types.setdefault(q.subject.value, set()).add(q.object.value)
        orgs = {s for s, ts in types.items() if ORGANIZATION in ts}
        places = {s for s, ts in types.items() if PLACE in ts}
        self.pref: dict[str, str] = {}
        self.jurisdiction_of: dict[str, str] = {}
        self.local_offices: set[str] = set()
        labels: dict[str, set[str]] = {}
        shorts: dict[str, set[str]] = {}
        place_name: dict[str, str] = {}
        place_parent: dict[str, str] = {}
        place_level: dict[str, str] = {}
        for q in quads:
            s, p, o = q.subject.value, q.predicate.value, q.object
            if s in orgs:
                if p == PREF and _literal_zh(o):
                    self.pref[s] = o.value
                    labels.setdefault(s, set()).add(o.value)
                elif p == ALT and _literal_zh(o):
                    labels.setdefault(s, set()).add(o.value)
                elif p == SHORT and _literal_zh(o):
                    shorts.setdefault(s, set()).add(o.value)
                elif p == JURISDICTION:
                    self.jurisdiction_of[s] = self.m.place_code(o.value)
                elif p == LOCAL_OFFICES and o.value == "true":
                    self.local_offices.add(s)
            if p == WITHIN:      # division links may live in another graph than the division (divisions.ttl)
                place_parent[self.m.place_code(s)] = self.m.place_code(o.value)
            if s in places:
                if p == PREF and _literal_zh(o):
                    place_name[self.m.place_code(s)] = o.value
                elif p == LEVEL:
                    place_level[self.m.place_code(s)] = o.value
        self.divisions = {c: Division(c, n, place_parent.get(c), place_level.get(c, ""))
                          for c, n in place_name.items() if c.isdigit() or c == NATIONAL}
        self.codes_by_name: dict[str, list[str]] = {}
        for d in sorted(self.divisions.values(), key=lambda d: d.code):
            if d.code != NATIONAL:
                self.codes_by_name.setdefault(d.name, []).append(d.code)
        # spelling → body, per jurisdiction; short forms kept apart (valid in their own jurisdiction only)
        self.spellings: dict[str, dict[str, str]] = {}
        self.short: dict[str, dict[str, str]] = {}
        for iri in sorted(orgs):
            code = self.jurisdiction_of.get(iri)
            if code is None or iri not in self.pref:
                continue
            for spelling in sorted(labels.get(iri, ())):
                table = self.short if spelling in shorts.get(iri, ()) else self.spellings
                table.setdefault(code, {}).setdefault(spelling, iri)
        self.prefixes = sorted((Prefix(r["prefix"], r["ending"], r["template"],
                                       tuple(x for x in r["not_before"].split(",") if x))
                                for r in data_table("local-prefixes.tsv")), key=lambda p: -len(p.prefix))
        self.collectives = {r["phrase"]: r.get("en", "") for r in data_table("collective-parties.tsv")}

    # --- divisions ------------------------------------------------------------------------------------------

    def chain(self, code: str | None) -> list[str]:
        """The division and every division above it, up to the country."""
        out: list[str] = []
        while code and code not in out:
            out.append(code)
            code = self.divisions[code].parent if code in self.divisions else None
        return out

    def related(self, a: str, b: str) -> bool:
        """``a`` is ``b``, above it or below it."""
        return a in self.chain(b) or b in self.chain(a)

    def name(self, code: str) -> str:
        return self.divisions[code].name if code in self.divisions else code

    def division_named(self, name: str, near: str | None = None) -> str | None:
        """Code of the division with this name: the one related to ``near`` when given, else the only one."""
        codes = self.codes_by_name.get(name, [])
        if near:
            close = [c for c in codes if self.related(c, near)]
            if len(close) == 1:
                return close[0]
        return codes[0] if len(codes) == 1 else None

    def _leading_division(self, text: str, near: str | None) -> tuple[str, str] | None:
        """(code, name) of the longest division name ``text`` begins with."""
        for n in range(min(len(text), 12), 1, -1):
            code = self.division_named(text[:n], near)
            if code:
                return code, text[:n]
        return None

    def government_label(self, code: str) -> str:
        d = self.divisions[code]
        up = self.divisions.get(d.parent or "")
        city = up.name if up and up.code != NATIONAL and d.code.isdigit() and not d.code.endswith("00") else ""
        return f"{city}{d.name}人民政府"

    # --- plan jurisdiction ----------------------------------------------------------------------------------

    def plan_jurisdiction(self, code: str | None, name: str | None, issuer: str | None,
                          title: str | None) -> tuple[str | None, str]:
        """(place code, how it was found) of a plan: metadata, else its issuing body, else its title; else None."""
        if code:
            return code, "metadata jurisdiction_code"
        if name:
            found = NATIONAL if name in (self.name(NATIONAL), "全国") else self.division_named(name)
            if found:
                return found, "metadata jurisdiction_name"
        for text, basis in ((issuer, "issuing body"), (title, "title")):
            if not text:
                continue
            for n in range(len(text), 1, -1):
                iri = self.spellings.get(NATIONAL, {}).get(text[:n])
                if iri and (basis == "issuing body" and n == len(text) or basis == "title" and text[n:].startswith("关于")):
                    return self.jurisdiction_of[iri], basis
            lead = self._leading_division(text, None)
            if lead:
                return lead[0], basis
        return None, "none found"

    # --- names ----------------------------------------------------------------------------------------------

    def lookup(self, spelling: str, jurisdiction: str | None = None) -> str | None:
        """A listed body with this spelling in the jurisdiction (every spelling) or above it (no short forms)."""
        chain = self.chain(jurisdiction) or [NATIONAL]
        for i, code in enumerate(chain):
            iri = self.spellings.get(code, {}).get(spelling)
            if iri is None and (i == 0 and jurisdiction):
                iri = self.short.get(code, {}).get(spelling)
            if iri:
                return iri
        return None

    def _government(self, code: str, spelling: str) -> Resolved:
        return Resolved(BODY, self.m.government(code), self.government_label(code), spelling, code,
                        classification=GP + ("CountyGovernment" if not code.endswith("00") else "PeoplesGovernment"))

    def _listed(self, iri: str, spelling: str) -> Resolved:
        return Resolved(BODY, iri, self.pref[iri], spelling, self.jurisdiction_of.get(iri), listed=True)

    def list_hint(self, code: str) -> str:
        """Where a body of ``code`` is to be added: its list file when there is one, else how to create it."""
        from greenplan.resources import folder

        if (folder("ontology") / "bodies" / f"{code}.ttl").exists():
            return f"add it to ontology/bodies/{code}.ttl"
        return f"{self.name(code)} has no list yet: create ontology/bodies/{code}.ttl as docs/data/authority-lists.md says"

    def _new_body(self, code: str, label: str, spelling: str, why: str) -> Resolved:
        warning = (f"body {spelling!r} is not in the authority list of {self.name(code)}: {why}; created {label!r} "
                   f"— add the spelling as a skos:altLabel of the right body, or add the body ({self.list_hint(code)})")
        return Resolved(BODY, self.m.jurisdiction_body(code, label), label, spelling, code,
                        classification=GP + "UnlistedBody", warning=warning)

    def _unresolved(self, spelling: str, why: str) -> Resolved:
        return Resolved(UNRESOLVED, self.m.unlisted_org(spelling), spelling, spelling, None,
                        classification=GP + "UnlistedBody",
                        warning=f"body {spelling!r} could not be resolved: {why}; it is kept as printed")

    def _prefix(self, spelling: str) -> tuple[Prefix, str] | None:
        for p in self.prefixes:
            rest = spelling[len(p.prefix):]
            if spelling.startswith(p.prefix) and (rest or len(p.prefix) > 1) and not rest.startswith(p.not_before):
                return p, rest
        return None

    def carries(self, first: str) -> bool:
        """The first name of a note or cell carries its ``市`` to the names after it (市发展改革局、工业和信息化局)."""
        hit = self._prefix(first.strip())
        return hit is not None and hit[0].prefix == "市"

    def resolve(self, spelling: str, jurisdiction: str | None, municipal: bool = False,
                collective: bool = False) -> Resolved:
        """The node a printed name denotes in a plan of ``jurisdiction`` (place code or None).

        ``municipal``: a ``市`` printed on the first name of the same note or cell carries over to this one.
        ``collective``: the reader found a collective phrase by its shape (各市、县（区）人民政府 in any bracket form):
        it is a collective party even when ``collective-parties.tsv`` does not list its spelling."""
        s = spelling.strip()
        if s in self.collectives or collective:
            return Resolved(COLLECTIVE, self.m.collective(jurisdiction, s), s, spelling, jurisdiction)
        hit = self._prefix(s)
        if hit:
            return self._local(s, spelling, hit[0], hit[1], jurisdiction)
        carried = self._prefix("市" + s) if municipal else None
        if carried:      # a carried 市 counts only where the city's list knows the name (never to make a new body)
            found = self._local(s, spelling, carried[0], carried[1], jurisdiction, listed_only=True)
            if found:
                return found
        for suffix in ("",) + GOVERNMENT_SUFFIXES:
            base = s[: -len(suffix)] if suffix and s.endswith(suffix) else (s if not suffix else None)
            code = self.division_named(base, jurisdiction) if base and jurisdiction else None
            if code and self.related(code, jurisdiction):
                return self._government(code, spelling)
        chain = self.chain(jurisdiction)
        for i, code in enumerate(chain or [NATIONAL]):
            iri = self.spellings.get(code, {}).get(s)
            if iri is None and i == 0 and chain:
                iri = self.short.get(code, {}).get(s)
            if iri:
                return self._listed(iri, spelling)
            above = self.short.get(code, {}).get(s) if i > 0 else None
            if above and above in self.local_offices:
                return Resolved(BODY, self.m.local_office(jurisdiction, s), s, spelling, jurisdiction,
                                classification=GP + "CentralAgencyBranch", parent=above,
                                warning=f"body {s!r}: taken as the local office of {self.pref[above]} in "
                                        f"{self.name(jurisdiction)}, labelled as printed; add its official name "
                                        f"({self.list_hint(jurisdiction)})")
        lead = self._leading_division(s, jurisdiction)
        if lead and len(s) > len(lead[1]):
            return self._new_body(lead[0], s, spelling, f"it names {lead[1]}")
        if not chain:
            return self._unresolved(s, "the plan has no known jurisdiction and no national list names it")
        code = chain[0]
        label = s if code == NATIONAL or self.name(code) in s else self.name(code) + s
        return self._new_body(code, label, spelling, "taken as a body of the plan's own jurisdiction")

    def _local(self, s: str, spelling: str, p: Prefix, rest: str, jurisdiction: str | None,
               listed_only: bool = False) -> Resolved | None:
        target = next((c for c in self.chain(jurisdiction)
                       if c != NATIONAL and self.name(c).endswith(p.ending)
                       and not (p.ending == "区" and self.name(c).endswith("自治区"))), None)
        if target is None:
            if listed_only:
                return None
            where = (f"the plan's jurisdiction {self.name(jurisdiction)} has no {p.ending} of its own" if jurisdiction
                     else "the plan has no known jurisdiction")
            return self._unresolved(s, f"local shorthand {p.prefix!r} needs the plan's own {p.ending}, but {where}")
        if rest in GOVERNMENT_SUFFIXES:          # 市政府, 市人民政府: the city's government, one node
            return self._government(target, spelling)
        table = self.spellings.get(target, {})
        shorts = self.short.get(target, {})
        for key in (s, rest):
            iri = table.get(key) or shorts.get(key)
            if iri:
                return self._listed(iri, spelling)
        if listed_only:
            return None
        label = p.template.format(place=self.name(target), rest=rest)
        return self._new_body(target, label, spelling, f"{p.prefix!r} means {self.name(target)}")
