"""A page and its attachments read as one plan.

A government page carries the body text and ends with ``附件：1．重点任务分工表 2．重点项目表``, each a link to
a ``.docx``, ``.pdf``, ``.xlsx`` … file.  :func:`links` finds those links in the page's content block (links whose
target ends in a document format, in printed order, on the page's own host and port only);
:mod:`greenplan.loaders.fetch` fetches them beside the kept page and lists them in its ``.source.json``;
``greenplan build --attachment FILE`` names files on disk.  :func:`joined` appends each attachment's document
model to the page's as annex *k* (a heading ``附件k`` first, unless the attachment opens with its own), so the
structure reader reads the annex tables as it reads those printed in the page; every block keeps the span of
its own file (the attachment's URL when it was fetched), so each record names the attachment it came from.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from greenplan.loaders.body import ANNEX_HEADING
from greenplan.loaders.model import Block, Document
from greenplan.loaders.records import Span

# the suffixes of attachment files (documents, not pages): what a link must end in to be fetched
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ods", ".txt")
LINK_NUMBER = re.compile(r"附\s*件\s*([0-9]{1,3})|^\s*([0-9]{1,3})\s*[.．、]")
MAX_ATTACHMENTS = 20


@dataclass
class Link:
    url: str        # absolute
    text: str       # the link's text as printed (附件1：重点任务分工表.docx)
    number: int     # the annex number: printed in the link's text (附件2, 2．) or its position


def links(page_url: str, html: bytes | str, skipped: list[dict] | None = None) -> list[Link]:
    """Links of the page's content block to document files on the page's own host and port, in printed order
    (at most :data:`MAX_ATTACHMENTS`; the same target once). Document links left out — on another host or port,
    past the limit, malformed — are appended to ``skipped`` ({"url", "why"}), so that the build can say so."""
    skipped = skipped if skipped is not None else []
    import lxml.html

    from greenplan.loaders.html import CONTENT, clean

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        return []
    content = next((found[0] for q in CONTENT if (found := root.xpath(q))), root)
    home = urllib.parse.urlsplit(page_url)
    out: list[Link] = []
    seen: set[str] = set()
    for a in content.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        try:
            url = urllib.parse.urljoin(page_url, href)
            parts = urllib.parse.urlsplit(url)
            same = (parts.scheme, parts.hostname, parts.port) == (home.scheme, home.hostname, home.port)
        except ValueError:      # a malformed port or address in the link
            if href.lower().endswith(DOCUMENT_SUFFIXES):
                skipped.append({"url": href[:200], "why": "a malformed address"})
            continue
        if not parts.path.lower().endswith(DOCUMENT_SUFFIXES):
            continue
        if not same:
            skipped.append({"url": url[:200], "why": "on another host or port than the page"})
            continue
        url = urllib.parse.urlunsplit(parts._replace(fragment=""))
        if url in seen:
            continue
        seen.add(url)
        text = clean("".join(a.itertext()))
        m = LINK_NUMBER.search(text)
        if len(out) == MAX_ATTACHMENTS:
            skipped.append({"url": url[:200], "why": f"past the first {MAX_ATTACHMENTS} attachments"})
            continue
        out.append(Link(url, text, int(m[1] or m[2]) if m else len(out) + 1))
    return out


def joined(page: Document, annexes: list[tuple[int, Document]]) -> Document:
    """The page's document with each attachment's blocks after it, as annex ``number``."""
    blocks = list(page.blocks)
    for number, doc in annexes:
        first = next((b for b in doc.blocks if b.kind == "paragraph"), None)
        opens_with_heading = first is not None and doc.blocks and doc.blocks[0] is first and \
            ANNEX_HEADING.match(first.text.replace("\u3000", ""))
        if not opens_with_heading:
            blocks.append(Block("paragraph", Span(doc.file, 1, 1), f"附件{number}"))
        blocks.extend(doc.blocks)
    formats = {page.file: page.format, **page.formats, **{doc.file: doc.format for _, doc in annexes}}
    return Document(page.file, page.format, page.sha256, page.line_count, blocks, page.fields, formats=formats)
