"""Read a plan document: ``load(path) -> (Plan, LoadReport)``.

``load`` chooses the format reader by the file's suffix (``.html``/``.htm``,
``.docx``, ``.txt``, spreadsheets); each produces the document model
(:mod:`greenplan.loaders.model`) that the structure reader
(:mod:`greenplan.loaders.structure`) turns into records.  Text in the
TAB-celled export layout (body, annex 1 key-task table, annex 2 key-project
table) is read by :mod:`greenplan.loaders.tabbed`.  A file that cannot be read as a plan
raises :class:`PlanFormatError` (file, line, what was expected); everything
else is kept on the records and reported in the load report.
"""
from __future__ import annotations

from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.fetch import attachments as fetched_attachments
from greenplan.loaders.fetch import skipped_attachments, source_record
from greenplan.loaders.metadata import read_metadata_keys
from greenplan.loaders.model import Document
from greenplan.loaders.office import CONVERTED
from greenplan.loaders.records import Attachment, LoadReport, Plan
from greenplan.loaders.tabbed import read_tabbed
from greenplan.loaders.text import decode_text, is_tabbed_layout, read_text

FORMATS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".docx": "docx",
           ".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".xls": "spreadsheet", ".xlsb": "spreadsheet",
           ".ods": "spreadsheet", ".et": "spreadsheet", ".pdf": "pdf",
           **{suffix: "converted" for suffix in CONVERTED}}


def load(path: str | Path, display_name: str | None = None, attachments: list[str | Path] | None = None,
         ocr: bool = False, kept: Path | None = None) -> tuple[Plan, LoadReport]:
    """Parse the plan at ``path``. ``display_name`` is the file name used in spans (default: the file's name).
    ``attachments``: files read as the plan's annexes 1, 2 … (a fetched page's own are listed in its record).
    ``ocr``: a scanned PDF is read by OCR (and marked so) instead of refused.
    ``kept``: the folder where files converted by LibreOffice are kept and found again (a store's ``sources/``,
    :func:`greenplan.loaders.office.read_converted`); without it they are converted each time."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such plan file; pass the path of a plan (.txt, .html, .docx), "
                                f"e.g. data/zhanjiang-green-plan-draft.txt")
    file = display_name or path.name
    report = LoadReport()
    listed = [(k, Path(a), None) for k, a in enumerate(attachments or [], 1)] or fetched_attachments(path)
    doc = _document(path, file, report, ocr, kept)
    for link, why in skipped_attachments(path):
        report.add("warning", None, f"{file}: attachment link {link} not fetched ({why}); pass the file with "
                                    f"--attachment to read it as an annex")
    exported = doc.format == "text" and any(b.kind == "table" for b in doc.blocks)   # the TAB-celled export
    if listed:
        from greenplan.loaders.attachments import joined

        annexes = []
        for number, annex, url in listed:
            if not annex.is_file():
                raise FileNotFoundError(f"{annex}: no such attachment file")
            url = url or source_record(annex)[0]
            annexes.append((number, _document(annex, url or annex.name, report, ocr, kept), url))
        doc = joined(doc, [(number, annex) for number, annex, _ in annexes])
    # the export layout carries no issuer or date: a missing metadata file is reported
    plan, report = load_document(doc, path, report, warn_missing=exported)
    plan.source_ocr = doc.ocr
    if listed:
        plan.attachments = [Attachment(number, a.file, a.sha256, a.format, a.line_count, url, a.ocr)
                            for number, a, url in annexes]
    return plan, report


def _document(path: Path, file: str, report: LoadReport, ocr: bool = False, kept: Path | None = None) -> Document:
    """The document model of one file, by its suffix (a plan, or an attachment read as its annex)."""
    if path.stat().st_size > limits.MAX_DOCUMENT_BYTES:
        raise PlanFormatError(file, 1, f"a plan file of at most {limits.size(limits.MAX_DOCUMENT_BYTES)}",
                              limits.size(path.stat().st_size), "a plan is a few hundred kilobytes; split the file "
                              "or remove what is not the plan")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise PlanFormatError(file, 1, "a plan file ending in " + ", ".join(sorted(FORMATS)), path.suffix or "no suffix",
                              "save the plan as text (UTF-8), a web page, a Word .docx file, a PDF or a spreadsheet")
    if kind == "text":
        if is_tabbed_layout(decode_text(file, path.read_bytes())):
            return read_tabbed(path, report, file)
        return read_text(path, file)
    return read_document(path, kind, file, ocr, kept, report)


def read_document(path: Path, kind: str, display_name: str | None = None, ocr: bool = False,
                  kept: Path | None = None, report: LoadReport | None = None) -> Document:
    """The document model of a file of a format other than text (the reader for ``kind``; ``kept``: see
    :func:`load`); what a reader leaves unread it reports in ``report`` as a warning with its place."""
    if kind == "html":
        from greenplan.loaders.html import read_html
        return read_html(path, display_name)
    if kind == "converted":
        from greenplan.loaders.office import read_converted
        return read_converted(path, display_name, kept)
    if kind == "pdf":
        from greenplan.loaders.pdf import read_pdf
        return read_pdf(path, display_name, ocr, report)
    if kind == "spreadsheet":
        from greenplan.loaders.spreadsheet import read_spreadsheet
        return read_spreadsheet(path, display_name, report)
    from greenplan.loaders.docx import read_docx
    return read_docx(path, display_name)


def load_document(doc: Document, source: Path, report: LoadReport | None = None,
                  warn_missing: bool = False) -> tuple[Plan, LoadReport]:
    """Records of the plan in a document model; the metadata file beside ``source`` wins over the document.
    ``warn_missing``: report a missing metadata file (the export layout carries no issuer or date)."""
    from greenplan.loaders.structure import read_structure

    check_sizes(doc)
    report = report or LoadReport()
    meta, given = read_metadata_keys(source, report, warn_missing=warn_missing)
    plan = read_structure(doc, meta, report, given)
    plan.source_url, plan.fetched_at = source_record(source)
    return plan, report


def check_sizes(doc: Document) -> None:
    """Every paragraph and table cell within the per-cell limit (a huge literal breaks the store), else a located error."""
    most = limits.MAX_CELL_CHARS
    for b in doc.blocks:
        texts = [(b.text, b.span)] + [(c.text, c.span) for row in b.rows for c in row if not c.merged]
        for text, span in texts:
            if len(text) > most:
                where = f" (element {span.xpath})" if span.xpath else ""
                raise PlanFormatError(doc.file, span.first, f"a paragraph or table cell of at most {most:,} characters"
                                      f"{where}", f"{len(text):,} characters",
                                      "a plan's paragraphs and cells are short; the file may be damaged or not a plan")
