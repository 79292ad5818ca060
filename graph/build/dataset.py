"""Records → quads with stable IRIs (one named graph per plan).

``build(plans, base)`` returns a :class:`Dataset`: every quad of the ontology
files (each in its own graph) and of each plan (in the plan's graph), sorted,
plus the problems met while resolving names (added to the load report).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from greenplan.build.authority import COLLECTIVE, Authority, Resolved
from greenplan.build.kinds import Kinds
from greenplan.build.taskparties import emit_plan_documentary, emit_task_parties
from greenplan.iris import Minter
from greenplan.loaders.records import LoadReport, OwnerName, Plan, Span
from greenplan.quads import Graph, boolean, decimal, en, integer, quad_key, string, zh
from greenplan.resources import graph_name, ontology_files
from greenplan.vocab import GP, XSD_DATETIME

RFC5147 = "http://tools.ietf.org/rfc/rfc5147"   # fragment identifiers for text/plain (line=F,L)
RFC8118 = "http://tools.ietf.org/rfc/rfc8118"   # fragment identifiers for application/pdf (page=N&viewrect=…)
DIRECTIONS = {"decrease": "Decrease", "at-least": "AtLeast", "at-most": "AtMost", "maintain": "Maintain", "reach": "Reach"}


@dataclass
class Dataset:
    quads: list[ox.Quad]
    report: LoadReport
    plans: list[Plan] = field(default_factory=list)


def resource_quads(minter: Minter) -> list[ox.Quad]:
    """The ontology folder's Turtle files, each in its own graph (relative IRIs resolve against the base)."""
    out: list[ox.Quad] = []
    for path in ontology_files():
        graph = ox.NamedNode(minter.resource_graph(graph_name(path)))
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=minter.base):
            out.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    return out


class PlanBuilder:
    def __init__(self, plan: Plan, minter: Minter, authority: Authority, report: LoadReport,
                 kinds: Kinds | None = None):
        self.plan = plan
        self.kinds = kinds
        self.m = minter
        self.auth = authority
        self.report = report
        self.pid = plan.identifier
        self.g = Graph(minter.plan_graph(self.pid))
        self.plan_iri = minter.plan(self.pid)
        self.annexes = {a.file: a for a in plan.attachments}    # span file name → the attachment it names
        self.minted_orgs: set[str] = set()
        self.minted_places: set[str] = set()
        meta = plan.metadata
        # the plan's jurisdiction (place code or None): metadata, else its issuing body, else its title
        self.jurisdiction, _basis = authority.plan_jurisdiction(
            meta.jurisdiction_code, meta.jurisdiction_name, meta.issuer, plan.title)

    def iri(self, *path: object) -> str:
        return self.m.part(self.pid, *path)

    def span(self, subject: str, span: Span) -> None:
        """Where ``subject`` was printed, as a Web Annotation specific resource of the source document (or of the
        attachment it was read from): an XPath selector for the element of a page or Word file, an RFC 8118
        fragment for a PDF page and rectangle, a sheet!cells fragment for a spreadsheet, an RFC 5147 line
        selector for text."""
        annex = self.annexes.get(span.file) if span.file != self.plan.source_file else None
        number = annex.number if annex else None
        fmt = annex.format if annex else self.plan.source_format
        if span.xpath:
            s = self.m.element_span(self.pid, span.xpath, number)
        elif span.fragment:
            s = self.m.fragment_span(self.pid, span.fragment, number)
        else:
            s = self.m.span(self.pid, span.first, span.last, number)
        self.g.add(subject, "prov:wasDerivedFrom", s)
        if s not in self._spans:
            self._spans.add(s)
            doc = self.m.source(self.pid, number)
            self.g.a(s, "gp:SourceSpan", "oa:SpecificResource")
            if fmt not in ("docx", "spreadsheet"):      # Word spans count body blocks, spreadsheet spans rows
                self.g.add(s, "gp:firstLine", integer(span.first))
                self.g.add(s, "gp:lastLine", integer(span.last))
            self.g.add(s, "gp:inDocument", doc)
            self.g.add(s, "oa:hasSource", doc)
            selector = self.m.selector(s)
            self.g.add(s, "oa:hasSelector", selector)
            if span.xpath:
                self.g.a(selector, "oa:XPathSelector")
                self.g.add(selector, "rdf:value", string(span.xpath))
            elif span.fragment:
                self.g.a(selector, "oa:FragmentSelector")
                if fmt == "pdf":
                    self.g.add(selector, "dcterms:conformsTo", RFC8118)
                self.g.add(selector, "rdf:value", string(span.fragment))
            else:
                self.g.a(selector, "oa:FragmentSelector")
                self.g.add(selector, "dcterms:conformsTo", RFC5147)
                self.g.add(selector, "rdf:value", string(f"line={span.first - 1},{span.last}"))

    def record(self, subject: str, cls: str, span: Span | None, position: int | None = None) -> None:
        self.g.a(subject, cls)
        self.g.add(subject, "gp:plan", self.plan_iri)
        if position is not None:
            self.g.add(subject, "gp:position", integer(position))
        if span is not None:
            self.span(subject, span)

    def label(self, subject: str, zh_text: str, en_text: str) -> None:
        """The rdfs:label (zh and en) that generic linked-data tools show for a record."""
        self.g.add(subject, "rdfs:label", zh(zh_text))
        self.g.add(subject, "rdfs:label", en(en_text))

    def numbered(self, kind: str, cls: str, item) -> str:
        """The IRI of the ``item.index``-th ``kind`` (principle, goal, target), recorded with its class and span."""
        s = self.iri(kind, item.index)
        self.record(s, cls, item.span, item.index)
        return s

    def resolve(self, spelling: str, context: str, span: Span | None, municipal: bool = False,
                collective: bool = False) -> Resolved:
        """The node a printed name denotes in this plan's jurisdiction (graph/authority.py); a node that is not in
        an authority list is emitted once into the plan's graph, and every warning is reported."""
        r = self.auth.resolve(spelling, self.jurisdiction, municipal, collective)
        if r.warning:
            self.report.add("warning", span, f"{context}: {r.warning}", cause=r.warning, context=context)
        if r.listed or r.iri in self.minted_orgs:
            return r
        self.minted_orgs.add(r.iri)
        g = self.g
        if r.kind == COLLECTIVE:
            g.a(r.iri, "gp:CollectiveParty")
            g.add(r.iri, "skos:prefLabel", zh(r.label))
            g.add(r.iri, "skos:prefLabel", en(self.auth.collectives.get(r.label) or None))
        else:
            g.a(r.iri, "org:Organization")
            g.add(r.iri, "skos:prefLabel", zh(r.label))
            if r.spelling.strip() != r.label:
                g.add(r.iri, "skos:altLabel", zh(r.spelling.strip()))
            g.add(r.iri, "skos:prefLabel", en(r.en))
            for kind in (r.classification, *r.kinds):
                g.add(r.iri, "org:classification", kind)
            g.add(r.iri, "org:subOrganizationOf", r.parent)
            for counterpart in r.counterparts:
                g.add(r.iri, "gp:counterpart", counterpart)
        if r.jurisdiction:
            g.add(r.iri, "dcterms:spatial", self.m.place(r.jurisdiction))
            self.place(r.jurisdiction)
        return r

    def place(self, code: str | None) -> None:
        """Describe, once in the plan's graph, a division that no ontology graph holds (a county-level division of
        ontology/county-divisions.tsv that the plan names)."""
        d = self.auth.place_facts(code)
        if d is None or d.code in self.minted_places:
            return
        self.minted_places.add(d.code)
        iri = self.m.place(d.code)
        self.g.a(iri, "gp:Place", "gp:AdministrativeDivision")
        self.g.add(iri, "skos:prefLabel", zh(d.name))
        self.g.add(iri, "gp:divisionCode", ox.Literal(d.code))
        self.g.add(iri, "gp:divisionLevel", en(d.level))
        if d.parent:
            self.g.add(iri, "gp:within", self.m.place(d.parent))

    def body(self, name, context: str, span: Span | None) -> str:
        """IRI of the body (or collective party) a printed name denotes. ``name``: anything with ``.spelling`` and
        optionally ``.municipal`` (a ``市`` carried from the first name of its cell or note)."""
        return self.resolve(name.spelling, context, span, bool(getattr(name, "municipal", False))).iri

    def collective(self, party, context: str, span: Span | None) -> str:
        """IRI of the collective party node (one per phrase and plan jurisdiction)."""
        return self.resolve(party.spelling, context, span, collective=True).iri

    def parties(self, spellings: list[str], context: str, span: Span | None,
                collectives: list[bool] | None = None) -> list[Resolved]:
        """One note's or row's names in printed order; a ``市`` on the first name carries over to the others.
        ``collectives``: which of them the reader found to be collective phrases by their shape."""
        carry = bool(spellings) and self.auth.carries(spellings[0])
        flags = collectives or [False] * len(spellings)
        return [self.resolve(s, context, span, carry and i > 0, flags[i]) for i, s in enumerate(spellings)]

    def build(self) -> list[ox.Quad]:
        """The plan's quads, in a few steps: its source and its own record, the body, the annexes."""
        self._spans: set[str] = set()
        self.plan_record(self.source_document())
        self.attachment_documents(self.plan_iri)
        chapter_iri, section_by_title, sentence_iris = self.body_structure()
        self.statements()
        measure_iri = self.measures(chapter_iri, section_by_title)
        self.tasks(measure_iri, section_by_title, sentence_iris)
        self.projects()
        self.notes()
        return self.g.quads

    def source_document(self) -> str:
        """The source document node; its IRI."""
        p, g = self.plan, self.g
        doc = self.iri("source")
        g.a(doc, "gp:SourceDocument")
        g.add(doc, "gp:fileName", string(p.source_file))
        g.add(doc, "gp:sha256", string(p.source_sha256))
        g.add(doc, "gp:lineCount", integer(p.line_count))
        if p.source_ocr:
            g.add(doc, "gp:ocr", boolean(True))
        if p.source_url:   # a fetched (or crawled) page: the graph names its URL as the source
            g.add(doc, "prov:hadPrimarySource", p.source_url)
            if p.fetched_at:
                g.add(doc, "prov:generatedAtTime", ox.Literal(p.fetched_at, datatype=ox.NamedNode(XSD_DATETIME)))
        return doc

    def attachment_documents(self, plan_iri: str) -> None:
        """Each attachment read as an annex: a source document of its own, a source of the plan."""
        g = self.g
        for a in self.plan.attachments:
            doc = self.m.source(self.pid, a.number)
            g.a(doc, "gp:SourceDocument")
            g.add(doc, "gp:fileName", string(a.url.rsplit("/", 1)[-1] if a.url else a.file))
            g.add(doc, "gp:sha256", string(a.sha256))
            g.add(doc, "gp:lineCount", integer(a.line_count))
            if a.ocr:
                g.add(doc, "gp:ocr", boolean(True))
            if a.url:
                g.add(doc, "prov:hadPrimarySource", a.url)
            g.add(plan_iri, "dcterms:source", doc)

    def plan_record(self, doc: str) -> None:
        """The plan itself: identification, jurisdiction, issuer, documentary facts and the issuing notice."""
        p, g, meta = self.plan, self.g, self.plan.metadata
        pl = self.plan_iri
        g.a(pl, "gp:Plan", "eli:LegalResource")
        g.add(pl, "dcterms:identifier", string(self.pid))
        g.add(pl, "dcterms:title", zh(p.title))
        if meta.title_en:
            g.add(pl, "dcterms:title", en(meta.title_en))
        if meta.description:
            g.add(pl, "dcterms:description", zh(meta.description))
        if meta.description_en:
            g.add(pl, "dcterms:description", en(meta.description_en))
        g.add(pl, "gp:status", zh(p.status))
        g.add(pl, "dcterms:language", self.m.language(meta.language) if meta.language else None)
        g.add(pl, "dcterms:source", doc)
        if p.source_url:
            g.add(pl, "dcterms:source", p.source_url)
        self.span(pl, p.title_span)
        if self.jurisdiction:
            g.add(pl, "eli:jurisdiction", self.m.place(self.jurisdiction))
            self.place(self.jurisdiction)
            if self.jurisdiction not in self.auth.divisions:
                self.report.add("warning", p.title_span, f"jurisdiction {self.jurisdiction!r} is not a division of "
                                                         f"ontology/divisions.ttl or places.ttl; names are resolved in "
                                                         f"it alone (add it with tools/divisions.py)")
        else:
            self.report.add("warning", p.title_span, "the plan's jurisdiction is not known (no jurisdiction_code or "
                                                     "jurisdiction_name in its .meta.toml, no known issuing body, no "
                                                     "division named in its title): local names such as 市X局 stay "
                                                     "unresolved")
        if meta.issuer:
            g.add(pl, "gp:issuer", self.body(OwnerName(meta.issuer, False, 1), "plan issuer", p.title_span))
            g.add(pl, "gp:issuerBasis", string(meta.issuer_basis))   # how the issuer is known (.meta.toml)
        emit_plan_documentary(self)   # document number, dates, index number, standing rules (graph/taskparties.py)
        self.document_kind()

        if p.notice:   # a notice that issues the plan, published with it as one document
            n = self.iri("notice")
            self.record(n, "gp:Notice", p.notice.span)
            g.add(n, "dcterms:title", zh(p.notice.title))
            g.add(n, "gp:text", zh(p.notice.text))
            g.add(n, "eli:number", string(p.notice.number))
            g.add(pl, "gp:issuingNotice", n)
            g.add(pl, "dcterms:alternative", zh(p.notice.plan_title))

    def document_kind(self) -> None:
        """The plan's kind (eli:type_document) from its metadata or title, and for a notice that issues a
        document, the issued document's kind (gp:issuesKind); ontology/document-kinds.ttl holds the words."""
        if self.kinds is None:
            return
        p, g, pl, meta = self.plan, self.g, self.plan_iri, self.plan.metadata
        title = p.notice.title if p.notice else p.title
        match = self.kinds.of_title(title)
        kind, basis = (match.kind, match.basis) if match else (None, None)
        if meta.kind:
            named = self.kinds.by_slug(meta.kind)
            if named is None:
                known = ", ".join(k.slug for k in self.kinds.kinds)
                self.report.add("warning", p.title_span, f"kind {meta.kind!r} of {meta.source_path or 'the metadata'} "
                                                         f"is not a kind of ontology/document-kinds.ttl (known: {known}); "
                                                         f"the kind is read from the title")
            else:
                kind, basis = named, f"metadata: kind = {meta.kind}"
        if kind is None:
            return
        g.add(pl, "eli:type_document", kind.iri)
        g.add(pl, "gp:kindBasis", string(basis))
        if kind.words:     # a notice that issues a document: that document's kind, from its own title
            issued = (p.notice.plan_title if p.notice else None) or (
                self.kinds.issued_title(title, match) if match and match.kind == kind else None)
            inner = self.kinds.of_title(issued) if issued else None
            if inner is not None:
                g.add(pl, "gp:issuesKind", inner.kind.iri)

    def body_structure(self) -> tuple[dict, dict, dict]:
        """Chapters, sections and sentences of the body: chapter IRI by title, (section, IRI) by title,
        and each section's (sentence IRI, text) pairs."""
        p, g, pl = self.plan, self.g, self.plan_iri
        chapter_iri = {}
        for c in p.chapters:
            s = self.iri("chapter", c.index)
            chapter_iri[c.title] = s
            self.record(s, "gp:Chapter", c.span, c.index)
            g.a(s, "eli:LegalResourceSubdivision")
            g.add(s, "dcterms:title", zh(c.title))
            g.add(s, "skos:notation", string(c.numeral))   # the numeral as printed (一 … 十一 …)
            g.add(pl, "eli:has_part", s)
            g.add(s, "eli:is_part_of", pl)
        section_by_title = {}
        sentence_iris: dict[int, list[tuple[str, str]]] = {}
        for sec in p.sections:
            s = self.iri("section", sec.index)
            section_by_title[sec.title] = (sec, s)
            self.record(s, "gp:Section", sec.span, sec.index)
            g.a(s, "eli:LegalResourceSubdivision")
            g.add(s, "dcterms:title", zh(sec.title))
            g.add(s, "gp:text", zh(sec.text))
            ch = self.iri("chapter", sec.chapter)
            g.add(s, "gp:chapter", ch)
            g.add(ch, "eli:has_part", s)
            g.add(s, "eli:is_part_of", ch)
            for sent in sec.sentences:
                t = self.iri("section", sec.index, "sentence", sent.index)
                sentence_iris.setdefault(sec.index, []).append((t, sent.text))
                self.record(t, "gp:Sentence", sent.span, sent.index)
                g.add(t, "gp:section", s)
                g.add(t, "gp:text", zh(sent.text))
        return chapter_iri, section_by_title, sentence_iris

    def statements(self) -> None:
        """Principles, goals and targets."""
        p, g = self.plan, self.g
        for pr in p.principles:
            s = self.numbered("principle", "gp:Principle", pr)
            g.add(s, "gp:principleName", zh(pr.name))
            g.add(s, "gp:text", zh(pr.text))
        for goal in p.goals:
            s = self.numbered("goal", "gp:Goal", goal)
            g.add(s, "gp:targetYear", integer(goal.year))
            g.add(s, "gp:text", zh(goal.text))
        for t in p.targets:
            s = self.numbered("target", "gp:Target", t)
            self.label(s, t.indicator or f"指标 {t.index}", f"Target {t.index}")
            g.add_all(s, [("gp:targetYear", integer(t.year)), ("gp:indicator", zh(t.indicator)),
                          ("gp:statementAsPrinted", zh(t.statement)), ("gp:targetValue", decimal(t.value)),
                          ("gp:unit", string(t.unit))])
            if t.direction:
                g.add(s, "gp:direction", GP + DIRECTIONS[t.direction])
            g.add(s, "gp:qualitativeStatement", zh(t.qualitative))

    def measures(self, chapter_iri: dict, section_by_title: dict) -> dict:
        """The measures (主要任务 headings of the task table), linked to their chapter and section; IRI by index."""
        p, g, pl = self.plan, self.g, self.plan_iri
        measure_iri = {}
        for index, chapter, measure in p.measures():
            s = self.iri("measure", index)
            measure_iri[index] = s
            g.a(s, "gp:Measure")
            g.add(s, "gp:plan", pl)
            g.add(s, "gp:position", integer(index))
            g.add(s, "dcterms:title", zh(measure))
            first_task = next(t for t in p.tasks if t.measure_index == index)
            if chapter not in chapter_iri:
                self.report.add("warning", first_task.span,
                                f"annex chapter {chapter!r} matches no body chapter title; measure {measure!r} "
                                f"(its first task is here) has no chapter")
            else:
                g.add(s, "gp:chapter", chapter_iri[chapter])
            if measure in section_by_title:
                g.add(s, "gp:section", section_by_title[measure][1])
            else:
                self.report.add("warning", first_task.span,
                                f"measure {measure!r} (its first task is here) matches no body section title; "
                                f"it is not linked to a section")
        return measure_iri

    def tasks(self, measure_iri: dict, section_by_title: dict, sentence_iris: dict) -> None:
        p, g = self.plan, self.g
        for t in p.tasks:
            s = self.iri("task", t.number)
            self.record(s, "gp:Task", t.span)
            self.label(s, f"任务 {t.number}", f"Task {t.number}")
            g.add(s, "gp:number", integer(t.number))
            g.add(s, "gp:text", zh(t.text))
            g.add(s, "gp:measure", measure_iri[t.measure_index])
            emit_task_parties(self, s, t)   # parties, note, deadline (graph/taskparties.py)
            sec = section_by_title.get(t.measure)
            if sec is not None:
                for sent_iri, text in sentence_iris.get(sec[0].index, []):
                    if text and text in t.text:
                        g.add(s, "gp:carriesSentence", sent_iri)

    def projects(self) -> None:
        p, g = self.plan, self.g
        for pr in p.projects:
            s = self.iri("project", pr.number)
            self.record(s, "gp:Project", pr.span)
            self.label(s, pr.name or f"项目 {pr.number}", f"Project {pr.number}")
            g.add(s, "gp:number", integer(pr.number))
            g.add(s, "gp:name", zh(pr.name))
            g.add(s, "gp:content", zh(pr.content))
            g.add(s, "gp:yearsAsPrinted", zh(pr.years_raw))
            g.add(s, "gp:startYear", integer(pr.start_year))
            g.add(s, "gp:endYear", integer(pr.end_year))
            g.add(s, "gp:investmentAsPrinted", zh(pr.investment_raw))
            if pr.investment is not None:   # an amount with its unit (the number as printed, in 亿元)
                amount = self.iri("project", pr.number, "investment")
                g.a(amount, "qudt:QuantityValue")
                g.add(s, "gp:investment", amount)
                g.add(amount, "qudt:numericValue", decimal(pr.investment))
                g.add(amount, "qudt:unit", GP + "HundredMillionYuan")
            g.add(s, "gp:leadAsPrinted", zh(pr.lead_raw))
            for lead in pr.leads:
                g.add(s, "gp:leadBureau", self.body(lead, f"project {pr.number} lead bureau", pr.span))
            if pr.builder:
                known = self.auth.lookup(pr.builder, self.jurisdiction)
                unit = known or self.m.construction_unit(pr.builder)
                g.add(s, "gp:constructionUnit", unit)
                if not known and unit not in self.minted_orgs:
                    self.minted_orgs.add(unit)
                    g.a(unit, "org:Organization", "gp:ConstructionUnit")
                    g.add(unit, "skos:prefLabel", zh(pr.builder))

    def notes(self) -> None:
        p, g, pl = self.plan, self.g, self.plan_iri
        for n in p.notes:
            s = self.iri("note", n.index)
            self.record(s, "gp:Note", n.span, n.index)
            g.add(s, "gp:text", zh(n.text))
            g.add(pl, "gp:note", s)
        # note-like text the reader did not understand: kept as printed with what was expected, flagged by the
        # shape gps:UnreadNote-understood (never made into a body)
        for k, u in enumerate(p.unread_notes, 1):
            s = self.iri("unread-note", k)
            self.record(s, "gp:UnreadNote", u.span, k)
            g.add(s, "gp:text", zh(u.text))
            g.add(s, "gp:expected", string(u.why))
            g.add(pl, "gp:unreadNote", s)


class Builder:
    """What every plan's graph is built with: the minter, the ontology's quads and the authority lists. A plan's
    quads depend on nothing else (no other plan), so a corpus can be built one plan at a time
    (``greenplan add``) and equal a build of all of them at once."""

    def __init__(self, base: str | None = None):
        self.minter = Minter(base)
        self.resources = resource_quads(self.minter)
        self.authority = Authority(self.resources, self.minter)
        self.kinds = Kinds(self.resources)

    def plan_quads(self, plan: Plan, report: LoadReport) -> list[ox.Quad]:
        """The quads of one plan's named graph, unsorted (may repeat)."""
        from greenplan.build.tagging import tag_plan  # topics and places (ontology/topics.ttl, ontology/places.ttl)

        builder = PlanBuilder(plan, self.minter, self.authority, report, self.kinds)
        quads = builder.build()
        # the thesaurus and places come from the ontology files: scanning only those keeps a corpus build
        # linear in the number of plans (scanning every quad built so far made 100 plans take ≈ 50 s)
        quads.extend(tag_plan(plan, builder, self.resources))
        return quads


def check_identifiers(plans: list[Plan]) -> None:
    """Two sources of one plan identifier cannot be built together (SourceError)."""
    ids = [p.identifier for p in plans]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        from greenplan.errors import SourceError

        raise SourceError(f"two sources share the plan identifier {', '.join(dup)}; give each source a distinct "
                          f"identifier in its .meta.toml file (identifier = \"…\")")


def sort_quads(quads) -> list[ox.Quad]:
    """Unique quads ordered by (graph, subject, predicate, object) as N-Quads strings.  One joined string per
    quad sorts the same as the tuple (a term's text is never a proper prefix of another's except for literals,
    which come last, and the separating space sorts below every character that can follow) and ≈ 1.7× faster."""
    return sorted(set(quads), key=quad_key)


def build(plans: list[Plan], report: LoadReport | None = None, base: str | None = None) -> Dataset:
    """Quads of the ontology files and of each plan, sorted so that output is byte-stable."""
    report = report or LoadReport()
    check_identifiers(plans)
    builder = Builder(base)
    quads = list(builder.resources)
    for plan in plans:
        quads.extend(builder.plan_quads(plan, report))
    return Dataset(sort_quads(quads), report, list(plans))
