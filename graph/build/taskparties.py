"""The graph side of parties: each party of a task as a qualified node, and the plan's documentary facts.

Per party of a task (``{task}/owner/{position}``, printed order)::

    task gp:ownership ?o .                    # rdfs:subPropertyOf prov:qualifiedAssociation
    ?o a gp:Ownership ;                       # rdfs:subClassOf prov:Association
       gp:body ?node ;                        # rdfs:subPropertyOf prov:agent (a body, or a gp:CollectiveParty)
       gp:listPosition n ;                    # rdfs:subPropertyOf schema:position
       gp:spellingAsPrinted "…"@zh ;
       prov:hadRole gp:lead|gp:supporting|gp:participating|gp:guiding|gp:responsible ;
       gp:collective true|false .
    task gp:responsibleBody ?body             # bodies only: the collaboration queries count these
    task gp:collectiveParty ?collective       # collective parties only

What of a note could not be read (``gp:unreadParty``, flagged by the shape ``gps:Task-unreadParty``), the
note as printed (``gp:noteAsPrinted``), the responsibility cells or note as printed (``gp:ownersAsPrinted``),
the open-list flag, the deadline (as printed, year, date), the number as printed (``gp:numberAsPrinted``) and
the row's other table cells (``gp:cell`` → ``gp:TableCell`` with ``gp:header``, ``gp:text``) sit on the task.  On the plan: document number
(``eli:number``), dates written and published (``eli:date_document``, ``eli:date_publication``), index number,
subject, and the standing rules (``gp:standingRule``, once per plan).  Vocabulary: ``ontology/parties.ttl``.
"""
from __future__ import annotations

import pyoxigraph as ox

from greenplan.loaders.parties import NoteState, parse_note
from greenplan.loaders.records import Task
from greenplan.vocab import GP, PREFIXES

XSD = PREFIXES["xsd"]


def _literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _zh(text: str | None) -> ox.Literal | None:
    return None if text is None else ox.Literal(text, language="zh")


def emit_task_parties(builder, subject: str, task: Task) -> None:
    """The parties, note and deadline of one task (``builder`` is the graph builder's PlanBuilder)."""
    g = builder.g
    g.add(subject, "gp:ownersAsPrinted", _zh(task.owners_raw))
    g.add(subject, "gp:noteAsPrinted", _zh(task.note))
    g.add(subject, "gp:openOwnerList", _literal("true" if task.open_list else "false", "boolean"))
    context = f"task {task.label or task.number}"
    # resolution is the builder's (graph/authority.py): one call per note or row, so that a 市 printed on the
    # first name carries over to the others
    nodes = builder.parties([p.spelling for p in task.parties], context, task.span,
                            [p.collective for p in task.parties])
    for party, resolved in zip(task.parties, nodes):
        node = resolved.iri
        own = builder.iri("task", task.number, "owner", party.position)
        g.a(own, "gp:Ownership")
        g.add(subject, "gp:ownership", own)
        g.add(subject, "gp:collectiveParty" if party.collective else "gp:responsibleBody", node)
        g.add(own, "gp:body", node)
        g.add(own, "gp:listPosition", _literal(str(party.position), "integer"))
        g.add(own, "gp:spellingAsPrinted", _zh(party.spelling))
        g.add(own, "prov:hadRole", GP + party.role)
        g.add(own, "gp:collective", _literal("true" if party.collective else "false", "boolean"))
    if task.note:
        # what of the note could not be read stays visible in the graph (shape gps:Task-unreadParty);
        # roles do not matter here, so a fresh state is enough
        for problem in parse_note(task.note, NoteState()).problems:
            g.add(subject, "gp:unreadParty", _literal(problem, "string"))
    g.add(subject, "gp:numberAsPrinted", _zh(task.label))
    for k, (header, text) in enumerate(task.columns.items(), 1):
        # the row's other cells (主要内容, 推广范围 …), by their header as printed
        cell = builder.iri("task", task.number, "cell", k)
        g.a(cell, "gp:TableCell")
        g.add(subject, "gp:cell", cell)
        g.add(cell, "gp:header", _zh(header))
        g.add(cell, "gp:text", _zh(text))
        g.add(cell, "gp:position", _literal(str(k), "integer"))
    g.add(subject, "gp:deadlineAsPrinted", _zh(task.deadline_raw))
    if task.deadline_year is not None:
        g.add(subject, "gp:deadlineYear", _literal(str(task.deadline_year), "integer"))
    if task.deadline_date:
        g.add(subject, "gp:deadlineDate", _literal(task.deadline_date, "date"))


def emit_plan_documentary(builder) -> None:
    """The plan's document number, dates, index number, subject and standing rules."""
    plan, g, pl = builder.plan, builder.g, builder.plan_iri
    meta = plan.metadata
    if meta.number:
        g.add(pl, "eli:number", _literal(meta.number, "string"))
    if meta.date_written:
        g.add(pl, "eli:date_document", _literal(meta.date_written, "date"))
    if meta.date_published:
        g.add(pl, "eli:date_publication", _literal(meta.date_published, "date"))
    if meta.index_number:
        g.add(pl, "gp:indexNumber", _literal(meta.index_number, "string"))
    if meta.subject:
        g.add(pl, "gp:subjectAsPrinted", _zh(meta.subject))
    for rule in plan.standing_rules:
        g.add(pl, "gp:standingRule", _zh(rule.text))
