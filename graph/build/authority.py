"""Which body a printed name means, in the plan's own jurisdiction.

The knowledge is data: the authority lists ``ontology/bodies/{code}.ttl`` (one per jurisdiction: ``CN`` national,
``440800`` Zhanjiang …), the divisions ``ontology/places.ttl`` + ``ontology/divisions.ttl`` +
``ontology/county-divisions.tsv`` (GB/T 2260 codes, ``gp:within``) with their tiers and short names (``ontology/division-levels.tsv``), the local shorthand
``ontology/local-prefixes.tsv`` (``市``, ``市委``, ``团市委`` …), the national pattern of local bodies
``ontology/local-bodies.tsv`` (every city's 教育局, 中级人民法院, 妇联, 税务局 …) and the collective phrases
``ontology/collective-parties.tsv``; the words read by their place in a name (a government's name, the country's,
the ``市`` a cell carries …) are ``ontology/name-words.tsv``.  :meth:`Authority.resolve` applies these rules, in order:

1. a collective phrase (``各省级人民政府``, ``各区、县级市``) is one collective party of the plan's jurisdiction;
2. a local prefix (``市教育局``, ``市委组织部``; never the ``市`` of ``市场…``) means the plan's own city, county,
   district or province: the name is looked up in that division's list only; unknown, it becomes a body of that
   division of the pattern of local bodies (市教育局 → 广州市教育局 <org/440100/education>, counterpart 教育部), else
   named from the template (with a warning); with no such division (no jurisdiction, a
   national plan) the name stays unresolved.  A ``市`` carried from the first name of a cell or note
   (``市发展改革局、工业和信息化局``) counts only where the city's list or the pattern knows the name;
3. a division's name (``越秀区``, ``深圳市人民政府``) is that division's government (where the name is unique, or
   unique within, above or below the plan's jurisdiction; outside it, validate reports it);
4. otherwise the name is looked up in the plan's jurisdiction's list (every spelling), then in the lists above it
   up to the national one (every spelling except ``gp:shortForm`` — ``发展改革委`` in a city plan is the city's).
   A short form of a national body with local offices is the plan's own office where the pattern has one
   (``税务局`` → 国家税务总局广州市税务局), else that body's local office, labelled as printed (``海关``);
5. a name that holds a division's name or short name where a row of the pattern has its place (``广州市越秀区教育局``,
   ``中共广州市委组织部``, ``国家税务总局广州市税务局``, ``广东银保监局``, ``湛江海关``) is that row's body of that division;
   a bare name of the pattern (``教育局``) is the plan's own jurisdiction's; an office's name without its place
   (``银保监局``) is an office of its national body serving the plan's jurisdiction, labelled as printed;
6. a name that begins with a division's name (``深圳市教育局``) is a body of that division;
7. any other name is a new body of the plan's jurisdiction (``教育局`` → 广州市教育局), never merged by guess and never
   given the place twice (``湛江经济技术开发区管委会`` stays as printed); with no jurisdiction it stays unresolved.

Every outcome not found in a list carries a warning naming the spelling.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.errors import GreenplanError
from greenplan.iris import Minter
from greenplan.quads import value
from greenplan.resources import data_table, folder
from greenplan.vocab import GP, PREFIXES, RDF_TYPE

SKOS = PREFIXES["skos"]
PREF, ALT, SHORT = SKOS + "prefLabel", SKOS + "altLabel", GP + "shortForm"
ORGANIZATION = PREFIXES["org"] + "Organization"
JURISDICTION, LOCAL_OFFICES = PREFIXES["dcterms"] + "spatial", GP + "localOffices"   # area of a listed body
PLACE, WITHIN, LEVEL = GP + "Place", GP + "within", GP + "divisionLevel"
NATIONAL = "CN"
NAME_WORDS = "name-words.tsv"
# use of ontology/name-words.tsv → how many rows it takes: one, or at least one
NAME_WORD_USES = {"government": "some", "government-name": "one", "party": "some", "ethnic": "some",
                  "country": "some", "title-subject": "some", "carried-prefix": "one"}

BODY, COLLECTIVE, UNRESOLVED = "body", "collective", "unresolved"
DEPARTMENT_KINDS = {"province": "ProvincialDepartment", "municipality": "MunicipalDepartment",
                    "city": "MunicipalDepartment", "county": "CountyDepartment"}


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
    kinds: tuple[str, ...] = ()     # further kinds of a node that is not listed (a court: JudicialOrgan, Court)
    counterparts: tuple[str, ...] = ()   # gp:counterpart of a node of the pattern of local bodies
    en: str | None = None           # English name of a node of the pattern of local bodies


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str | None
    level: str


class DataFileError(GreenplanError, ValueError):
    """A data file of ``ontology/`` that cannot be read as documented (its name, row and what was expected)."""


@dataclass(frozen=True)
class LocalKind:
    """A row of ``ontology/local-bodies.tsv``: one kind of local body in the national pattern."""
    slug: str
    tiers: frozenset[str]
    name: str                       # official name with {place} / {short}
    counterparts: tuple[str, ...]   # national bodies' IRIs
    kinds: tuple[str, ...]          # org:classification IRIs
    office: bool                    # an office of the national body (org:subOrganizationOf it)
    en: str
    line: int


@dataclass(frozen=True)
class NameWords:
    """The words of ``ontology/name-words.tsv``, by use (the file's comments say what each does)."""
    government: tuple[str, ...]     # 人民政府, 政府: a division's name + one of them is its government
    government_name: str            # template of a government's official name ({city}, {place})
    party: tuple[str, ...]          # 中共: a pattern name 中共X… is printed X… too
    ethnic: tuple[str, ...]         # 族: a short name holding it is none
    country: tuple[str, ...]        # 全国: a jurisdiction_name meaning the country
    title_subject: tuple[str, ...]  # 关于: after an issuing body's name in a title
    carried_prefix: str             # 市: the local prefix a cell's first name carries to the others


def read_name_words() -> NameWords:
    """``ontology/name-words.tsv``, checked: every use known and given its rows."""
    words: dict[str, list[str]] = {u: [] for u in NAME_WORD_USES}
    for n, r in enumerate(data_table(NAME_WORDS), 1):
        if r["use"] not in words or not r["word"]:
            raise DataFileError(f"ontology/{NAME_WORDS}: row {n}: expected a use among "
                                f"{', '.join(sorted(NAME_WORD_USES))} and a word, found {r['use']!r} {r['word']!r}")
        words[r["use"]].append(r["word"])
    for use, count in NAME_WORD_USES.items():
        if not words[use] or count == "one" and len(words[use]) > 1:
            raise DataFileError(f"ontology/{NAME_WORDS}: expected {'exactly one row' if count == 'one' else 'rows'} "
                                f"of use {use!r}, found {len(words[use])}")
    template = words["government-name"][0]
    try:
        ok = "{place}" in template and template.format(city="", place="") is not None
    except (KeyError, IndexError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise DataFileError(f"ontology/{NAME_WORDS}: government-name {template!r} must hold {{place}} and may hold "
                            f"{{city}}, nothing else in braces")
    return NameWords(tuple(words["government"]), template, tuple(words["party"]), tuple(words["ethnic"]),
                     tuple(words["country"]), tuple(words["title-subject"]), words["carried-prefix"][0])


@dataclass(frozen=True)
class Prefix:
    prefix: str
    ending: str
    template: str
    not_before: tuple[str, ...]
    not_ending: tuple[str, ...]     # names of divisions never meant (区 is never a 自治区)


def _literal_zh(o) -> bool:
    return isinstance(o, ox.Literal) and o.language == "zh"


class Authority:
    def __init__(self, quads: list[ox.Quad], minter: Minter | None = None):
        self.m = minter or Minter()
        self.words = read_name_words()
        types: dict[str, set[str]] = {}
        for q in quads:
            if value(q.predicate) == RDF_TYPE:
                types.setdefault(value(q.subject), set()).add(value(q.object))
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
            s, p, o = value(q.subject), value(q.predicate), q.object
            if s in orgs:
                if p == PREF and _literal_zh(o):
                    self.pref[s] = value(o)
                    labels.setdefault(s, set()).add(value(o))
                elif p == ALT and _literal_zh(o):
                    labels.setdefault(s, set()).add(value(o))
                elif p == SHORT and _literal_zh(o):
                    shorts.setdefault(s, set()).add(value(o))
                elif p == JURISDICTION:
                    self.jurisdiction_of[s] = self.m.place_code(value(o))
                elif p == LOCAL_OFFICES and value(o) == "true":
                    self.local_offices.add(s)
            if p == WITHIN:      # division links may live in another graph than the division (divisions.ttl)
                place_parent[self.m.place_code(s)] = self.m.place_code(value(o))
            if s in places:
                if p == PREF and _literal_zh(o):
                    place_name[self.m.place_code(s)] = value(o)
                elif p == LEVEL:
                    place_level[self.m.place_code(s)] = value(o)
        self.divisions = {c: Division(c, n, place_parent.get(c), place_level.get(c, ""))
                          for c, n in place_name.items() if c.isdigit() or c == NATIONAL}
        # county-level divisions no store holds as a graph (ontology/county-divisions.tsv): a plan's graph
        # describes one where the plan names it (place_facts)
        self.unstored: set[str] = set()
        for r in data_table("county-divisions.tsv"):
            if r["code"] not in self.divisions:
                self.divisions[r["code"]] = Division(r["code"], r["name"], r["within"], r["level"])
                self.unstored.add(r["code"])
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
                                       tuple(x for x in r["not_before"].split(",") if x),
                                       tuple(x for x in r["not_ending"].split(",") if x))
                                for r in data_table("local-prefixes.tsv")), key=lambda p: -len(p.prefix))
        if self.words.carried_prefix not in {p.prefix for p in self.prefixes}:
            raise DataFileError(f"ontology/{NAME_WORDS}: the carried-prefix {self.words.carried_prefix!r} is no prefix "
                                f"of ontology/local-prefixes.tsv")
        self.collectives = {r["phrase"]: r.get("en", "") for r in data_table("collective-parties.tsv")}
        self._levels = {r["level"]: (r["tier"], tuple(e for e in r["endings"].split(",") if e))
                        for r in data_table("division-levels.tsv")}
        self.codes_by_short: dict[str, list[str]] = {}
        for d in sorted(self.divisions.values(), key=lambda d: d.code):
            short = self.short_name(d.code)
            if short:
                self.codes_by_short.setdefault(short, []).append(d.code)
            full = self.full_name(d.code)
            if full != d.name:
                self.codes_by_name.setdefault(full, []).append(d.code)
        self.local_kinds: dict[tuple[str, str], LocalKind] = {}
        self._read_local_kinds()

    def _read_local_kinds(self) -> None:
        """Index ``ontology/local-bodies.tsv`` by (tier, key): a key is a printed form with X for the place."""
        tiers = {tier for tier, _ in self._levels.values()}
        seen: dict[tuple[str, str], int] = {}
        for n, r in enumerate(data_table("local-bodies.tsv"), 1):
            where = f"ontology/local-bodies.tsv: row {n} ({r['slug'] or 'no slug'})"
            kinds = tuple(k for k in r["kind"].split(",") if k)
            office = kinds == ("office",)
            row = LocalKind(r["slug"], frozenset(t for t in r["tiers"].split(",") if t), r["name"],
                            tuple(self.m.org(f"{NATIONAL}/{c}") for c in r["counterparts"].split(",") if c),
                            tuple(GP + k for k in kinds if k not in ("office", "department")), office, r["en"], n)
            if not row.slug or not kinds or not row.tiers or not row.tiers <= tiers - {"country"}:
                raise DataFileError(f"{where}: expected a slug, a kind and tiers among "
                                    f"{', '.join(sorted(tiers - {'country'}))}")
            if "{place}" not in row.name and "{short}" not in row.name:
                raise DataFileError(f"{where}: the name {row.name!r} needs {{place}} or {{short}}")
            missing = [c for c in row.counterparts if self.jurisdiction_of.get(c) != NATIONAL]
            if missing:
                raise DataFileError(f"{where}: counterpart {missing[0].rsplit('/', 1)[-1]!r} is no body of "
                                    f"ontology/bodies/CN.ttl")
            keys = {r["name"].replace("{place}", "X").replace("{short}", "S")}
            keys |= {s for s in r["spellings"].split(",") if s}
            # 中共X委组织部 is printed X委组织部 too (party words of ontology/name-words.tsv)
            keys |= {k[len(w):] for k in keys for w in self.words.party if k.startswith(w + "X")}
            for tier in sorted(row.tiers):
                if (tier, row.slug) in seen:
                    raise DataFileError(f"{where}: slug {row.slug!r} in tier {tier} is already row {seen[tier, row.slug]}"
                                        f" (one body per slug and division)")
                seen[tier, row.slug] = n
                for key in sorted(keys):
                    other = self.local_kinds.setdefault((tier, key), row)
                    if other is not row and other.slug != row.slug:
                        raise DataFileError(f"{where}: {key!r} in tier {tier} is already a spelling of row "
                                            f"{other.line} ({other.slug})")

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

    def place_facts(self, code: str | None) -> Division | None:
        """The division a plan's graph must describe itself (one of ontology/county-divisions.tsv), else None."""
        return self.divisions[code] if code in self.unstored else None

    def tier(self, code: str) -> str | None:
        """province, municipality, city or county (``ontology/division-levels.tsv``) of a division."""
        d = self.divisions.get(code)
        return self._levels.get(d.level, (None, ()))[0] if d else None

    def short_name(self, code: str) -> str | None:
        """广东 of 广东省, 湛江 of 湛江市; None where dropping the ending leaves less than two characters or an
        ethnic name (延边朝鲜族自治州)."""
        d = self.divisions.get(code)
        if d is None:
            return None
        for ending in self._levels.get(d.level, (None, ()))[1]:
            if d.name.endswith(ending):
                short = d.name[: -len(ending)]
                return short if len(short) >= 2 and not any(w in short for w in self.words.ethnic) else None
        return None

    def full_name(self, code: str) -> str:
        """The division's name as bodies carry it: a district with its city (广州市越秀区, 上海市黄浦区)."""
        d = self.divisions.get(code)
        if d is None:
            return code
        up = self.divisions.get(d.parent or "")
        if self.tier(code) == "county" and d.level == "district" and up and up.code != NATIONAL \
                and not d.name.startswith(up.name):
            return up.name + d.name
        return d.name

    def government_label(self, code: str) -> str:
        d = self.divisions[code]
        up = self.divisions.get(d.parent or "")
        city = up.name if up and up.code != NATIONAL and d.code.isdigit() and not d.code.endswith("00") else ""
        return self.words.government_name.format(city=city, place=d.name)

    # --- plan jurisdiction ----------------------------------------------------------------------------------

    def plan_jurisdiction(self, code: str | None, name: str | None, issuer: str | None,
                          title: str | None) -> tuple[str | None, str]:
        """(place code, how it was found) of a plan: metadata, else its issuing body, else its title; else None."""
        if code:
            return code, "metadata jurisdiction_code"
        if name:
            found = NATIONAL if name == self.name(NATIONAL) or name in self.words.country else self.division_named(name)
            if found:
                return found, "metadata jurisdiction_name"
        for text, basis in ((issuer, "issuing body"), (title, "title")):
            if not text:
                continue
            for n in range(len(text), 1, -1):
                iri = self.spellings.get(NATIONAL, {}).get(text[:n])
                if iri and (basis == "issuing body" and n == len(text)
                            or basis == "title" and text[n:].startswith(self.words.title_subject)):
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

    def list_file(self, code: str) -> str | None:
        """``ontology/bodies/<code>.ttl`` where that authority list exists."""
        name = f"bodies/{code}.ttl"
        return f"ontology/{name}" if (folder("ontology") / name).is_file() else None

    def list_hint(self, code: str) -> str:
        """Where a body of ``code`` is to be added: its list file when there is one, else how to create it."""
        path = self.list_file(code)
        if path:
            return f"add it to {path}"
        return (f"{self.name(code)} has no list yet: create ontology/bodies/{code}.ttl as docs/data/authority-lists.md "
                f"says, or add its kind to ontology/local-bodies.tsv if every such division has it")

    def _new_body(self, code: str, label: str, spelling: str, why: str) -> Resolved:
        warning = (f"body {spelling!r} is not in the authority list of {self.name(code)} nor a kind of "
                   f"ontology/local-bodies.tsv: {why}; created {label!r} — add the spelling as a skos:altLabel of "
                   f"the right body, or add the body ({self.list_hint(code)})")
        return Resolved(BODY, self.m.jurisdiction_body(code, label), label, spelling, code,
                        classification=GP + "UnlistedBody", warning=warning)

    def _pattern(self, code: str, key: str, spelling: str) -> Resolved | None:
        """The body of the pattern of local bodies that ``key`` (X/S for the place) names in division ``code``."""
        tier = self.tier(code) or ""
        row = self.local_kinds.get((tier, key))
        short = self.short_name(code)
        if row is None or ("{short}" in row.name and not short):
            return None
        iri = self.m.org(f"{code}/{row.slug}")
        if iri in self.pref:                        # the jurisdiction's own list has this body: it wins
            return self._listed(iri, spelling)
        label = row.name.format(place=self.full_name(code), short=short or "")
        listed = self.spellings.get(code, {}).get(label)
        if listed:                                  # the list names the body by this name under another slug
            return self._listed(listed, spelling)
        kinds = (GP + "CentralAgencyBranch",) if row.office else row.kinds or (GP + DEPARTMENT_KINDS[tier],)
        return Resolved(BODY, iri, label, spelling, code, classification=kinds[0], kinds=kinds[1:],
                        parent=row.counterparts[0] if row.office and row.counterparts else None,
                        counterparts=row.counterparts, en=f"{row.en}, {self.full_name(code)}")

    def _office_elsewhere(self, s: str) -> LocalKind | None:
        """An office row of the pattern whose place-less spelling is ``s``, in any tier (银保监局, 证监局)."""
        for key in ("X" + s, "S" + s):
            for tier in sorted({t for t, _ in self._levels.values()}):
                row = self.local_kinds.get((tier, key))
                if row and row.office and row.counterparts:
                    return row
        return None

    def _placed_pattern(self, s: str, spelling: str, near: str | None) -> Resolved | None:
        """A name holding a division's name (X) or short name (S) where a row of the pattern has its place."""
        if len(s) > 40:
            return None
        for table, mark in ((self.codes_by_name, "X"), (self.codes_by_short, "S")):
            for n in range(min(len(s), 12), 1, -1):
                for i in range(0, len(s) - n + 1):
                    if s[i:i + n] not in table:
                        continue
                    codes = table[s[i:i + n]]
                    close = [c for c in codes if near and self.related(c, near)]
                    code = close[0] if len(close) == 1 else (codes[0] if len(codes) == 1 else None)
                    found = self._pattern(code, s[:i] + mark + s[i + n:], spelling) if code else None
                    if found:
                        return found
        return None

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
        """The first name of a note or cell carries its ``市`` (the carried prefix of ``ontology/name-words.tsv``) to
        the names after it (市发展改革局、工业和信息化局)."""
        hit = self._prefix(first.strip())
        return hit is not None and hit[0].prefix == self.words.carried_prefix

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
            local = self._local(s, spelling, hit[0], hit[1], jurisdiction)
            assert local is not None        # only listed_only=True finds nothing
            return local
        carried = self._prefix(self.words.carried_prefix + s) if municipal else None
        if carried:      # a carried 市 counts only where the city's list or the pattern knows the name (never a new body)
            found = self._local(s, spelling, carried[0], carried[1], jurisdiction, listed_only=True)
            if found:
                return found
        for suffix in ("",) + self.words.government:
            base = s[: -len(suffix)] if suffix and s.endswith(suffix) else (s if not suffix else None)
            code = self.division_named(base, jurisdiction) if base else None
            if code:        # named in full: that division's government, also outside the plan's (validate says so)
                return self._government(code, spelling)
        chain = self.chain(jurisdiction)
        for i, code in enumerate(chain or [NATIONAL]):
            iri = self.spellings.get(code, {}).get(s)
            if iri is None and i == 0 and chain:
                iri = self.short.get(code, {}).get(s)
            if iri:
                return self._listed(iri, spelling)
            above = self.short.get(code, {}).get(s) if i > 0 else None
            if above and above in self.local_offices and jurisdiction is not None:
                own = self._pattern(chain[0], "X" + s, spelling)      # 税务局 in a city plan: the city's tax bureau
                if own:
                    return own
                return Resolved(BODY, self.m.local_office(jurisdiction, s), s, spelling, jurisdiction,
                                classification=GP + "CentralAgencyBranch", parent=above,
                                warning=f"body {s!r}: taken as the local office of {self.pref[above]} in "
                                        f"{self.name(jurisdiction)}, labelled as printed; add its official name "
                                        f"({self.list_hint(jurisdiction)})")
        placed = self._placed_pattern(s, spelling, jurisdiction)
        if placed:
            return placed
        own = self._pattern(chain[0], "X" + s, spelling) if chain else None
        if own:
            return own
        office = self._office_elsewhere(s) if chain and chain[0] != NATIONAL else None
        if office:           # 银保监局 in a city plan: the regulator's office, in a place the name does not say
            return Resolved(BODY, self.m.local_office(chain[0], s), s, spelling, chain[0],
                            classification=GP + "CentralAgencyBranch", parent=office.counterparts[0],
                            counterparts=office.counterparts[:1],
                            warning=f"body {s!r}: taken as an office of {self.pref[office.counterparts[0]]} "
                                    f"serving {self.name(chain[0])}, labelled as printed (the name does not say "
                                    f"which office); its place's name before it "
                                    f"({self.short_name(chain[0]) or self.name(chain[0])}{s}) would say, or "
                                    f"{self.list_hint(chain[0])}")
        lead = self._leading_division(s, jurisdiction)
        if lead and len(s) > len(lead[1]):
            return self._new_body(lead[0], s, spelling, f"it names {lead[1]}")
        if not chain:
            return self._unresolved(s, "the plan has no known jurisdiction and no national list names it; "
                                       "give the plan its jurisdiction (jurisdiction_code in its .meta.toml)")
        code = chain[0]
        named = [x for c in chain if c != NATIONAL for x in (self.name(c), self.short_name(c)) if x]
        label = s if code == NATIONAL or any(x in s for x in named) else self.full_name(code) + s
        return self._new_body(code, label, spelling, "taken as a body of the plan's own jurisdiction")

    def _local(self, s: str, spelling: str, p: Prefix, rest: str, jurisdiction: str | None,
               listed_only: bool = False) -> Resolved | None:
        target = next((c for c in self.chain(jurisdiction)
                       if c != NATIONAL and self.name(c).endswith(p.ending)
                       and not (p.not_ending and self.name(c).endswith(p.not_ending))), None)
        if target is None:
            if listed_only:
                return None
            where = (f"the plan's jurisdiction {self.name(jurisdiction)} has no {p.ending} of its own" if jurisdiction
                     else "the plan has no known jurisdiction (give it one: jurisdiction_code = \"<GB/T 2260 code>\" "
                          "in the .meta.toml beside the source)")
            return self._unresolved(s, f"local shorthand {p.prefix!r} needs the plan's own {p.ending}, but {where}")
        if rest in self.words.government:          # 市政府, 市人民政府: the city's government, one node
            return self._government(target, spelling)
        table = self.spellings.get(target, {})
        shorts = self.short.get(target, {})
        for key in (s, rest):
            iri = table.get(key) or shorts.get(key)
            if iri:
                return self._listed(iri, spelling)
        found = self._pattern(target, p.prefix.replace(p.ending, "X", 1) + rest, spelling)
        if found or listed_only:
            return found
        label = p.template.format(place=self.full_name(target), rest=rest)
        return self._new_body(target, label, spelling, f"{p.prefix!r} means {self.name(target)}")
