"""Read a plan document: ``load(path) -> (Plan, LoadReport)``.

``load`` chooses the format reader by the file's suffix (``.html``/``.htm``,
``.docx``, ``.txt``); each produces the document model
(:mod:`greenplan.loaders.model`) that the structure reader
(:mod:`greenplan.loaders.structure`) turns into records.  Text in the
TAB-celled export layout (body, annex 1 key-task table, annex 2 key-project
table) is read by :func:`load_tabbed`.  A file that cannot be read as a plan
raises :class:`PlanFormatError` (file, line, what was expected); everything
else is kept on the records and reported in the load report.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from greenplan.loaders.annexes import read_projects, read_tasks
from greenplan.loaders.body import CHAPTER, STATUS, read_body
from greenplan.loaders.cells import tokens
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.fetch import source_record
from greenplan.loaders.metadata import read_metadata, read_metadata_keys
from greenplan.loaders.model import Document
from greenplan.loaders.notes import standing_rules
from greenplan.loaders.records import LoadReport, Note, Plan, Span
from greenplan.loaders.text import decode_text, is_tabbed_layout, read_text

ANNEX_HEADING = re.compile(r"^附\s*件\s*(\d+)\s*$")
ANNEX_LIST = re.compile(r"^附件[：:]")


def read_lines(path: Path) -> tuple[list[str], bytes]:
    data = path.read_bytes()
    return decode_text(str(path), data), data


FORMATS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".docx": "docx"}


def load(path: str | Path, display_name: str | None = None) -> tuple[Plan, LoadReport]:
    """Parse the plan at ``path``. ``display_name`` is the file name used in spans (default: the file's name)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such plan file; pass the path of a plan (.txt, .html, .docx), "
                                f"e.g. data/zhanjiang-green-plan-draft.txt")
    file = display_name or path.name
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise PlanFormatError(file, 1, "a plan file ending in " + ", ".join(sorted(FORMATS)), path.suffix or "no suffix",
                              "save the plan as text (UTF-8), a web page or a Word .docx file")
    if kind == "text":
        lines, _ = read_lines(path)
        if is_tabbed_layout(lines):
            return load_tabbed(path, display_name)
        return load_document(read_text(path, display_name), path)
    if kind == "html":
        from greenplan.loaders.html import read_html
        return load_document(read_html(path, display_name), path)
    from greenplan.loaders.docx import read_docx
    return load_document(read_docx(path, display_name), path)


def load_document(doc: Document, source: Path, report: LoadReport | None = None) -> tuple[Plan, LoadReport]:
    """Records of the plan in a document model; the metadata file beside ``source`` wins over the document."""
    from greenplan.loaders.structure import read_structure

    report = report or LoadReport()
    meta, given = read_metadata_keys(source, report, warn_missing=False)
    plan = read_structure(doc, meta, report, given)
    plan.source_url, plan.fetched_at = source_record(source)
    return plan, report


def load_tabbed(path: Path, display_name: str | None = None) -> tuple[Plan, LoadReport]:
    """The TAB-celled export layout: title, status line, body, 附件1 task table, 附件2 project table."""
    report = LoadReport()
    lines, raw = read_lines(path)
    file = display_name or path.name
    meta = read_metadata(path, report)

    # title lines, then the status line
    status_at = next((i for i, l in enumerate(lines[:40]) if STATUS.match(l.strip())), None)
    if status_at is None:
        first = next((l for l in lines if l.strip()), "")
        raise PlanFormatError(file, 1, "a title followed by a status line such as （征求意见稿） within the first 40 lines", first)
    title_lines = [i for i in range(status_at) if lines[i].strip()]
    if not title_lines:
        raise PlanFormatError(file, status_at + 1, "the plan's title before the status line", lines[status_at].strip())
    title = "".join(lines[i].strip() for i in title_lines)
    status = STATUS.match(lines[status_at].strip())[1]

    body_start = next((i for i in range(status_at + 1, len(lines)) if CHAPTER.match(lines[i].strip())), None)
    if body_start is None:
        raise PlanFormatError(file, status_at + 2, "a first chapter heading like 一、总体要求", lines[status_at + 1].strip() if status_at + 1 < len(lines) else "")
    preamble_idx = [i for i in range(status_at + 1, body_start) if lines[i].strip()]
    preamble = "".join(lines[i].strip() for i in preamble_idx)

    headings = {int(m[1]): i for i, l in enumerate(lines) if (m := ANNEX_HEADING.match(l.strip()))}
    for k in (1, 2):
        if k not in headings:
            raise PlanFormatError(file, len(lines), f"an annex heading 附件{k} (or 附 件{k}) on a line of its own",
                                  "no such line", "the plan must include annex 1 (重点任务分工表) and annex 2 (重点项目建设表)")
    if headings[2] < headings[1]:
        raise PlanFormatError(file, headings[2] + 1, "annex 1 before annex 2", lines[headings[2]].strip())
    body_stop = next((i for i in range(body_start, headings[1]) if ANNEX_LIST.match(lines[i].strip())), headings[1])

    chapters, sections, principles, targets, goals, unparsed = read_body(file, lines, body_start, body_stop, report)
    notes: list[Note] = []
    tasks = read_tasks(file, tokens(lines, headings[1] + 1, headings[2]), report, notes)
    projects = read_projects(file, tokens(lines, headings[2] + 1, len(lines)), report, notes)

    if meta.status and meta.status != status:
        report.add("warning", Span(file, status_at + 1, status_at + 1),
                   f"status in the text ({status}) differs from the metadata file ({meta.status}); the text wins")
    plan = Plan(
        metadata=meta, source_file=file, source_sha256=hashlib.sha256(raw).hexdigest(), line_count=len(lines),
        title=title, title_span=Span(file, title_lines[0] + 1, title_lines[-1] + 1),
        status=status, status_span=Span(file, status_at + 1, status_at + 1),
        preamble=preamble,
        preamble_span=Span(file, (preamble_idx or [status_at + 1])[0] + 1, (preamble_idx or [status_at + 1])[-1] + 1),
        chapters=chapters, sections=sections, principles=principles, targets=targets, goals=goals,
        tasks=tasks, projects=projects, notes=notes, unparsed=unparsed, standing_rules=standing_rules(notes),
    )
    return plan, report
