"""The kind of a document (notice, opinions, implementation plan …), read off its title with the words of
``ontology/document-kinds.ttl``.

A Chinese title names its kind at its end: a kind matches when the title (without a trailing
parenthesised status such as （征求意见稿）) ends with one of its ``gp:titleEnding`` words and, if the kind
has ``gp:titleWord`` words, also contains one of them (关于印发…的通知). The longest matching ending wins;
between equal endings, a kind with title words wins (it says more). For a notice that issues a document,
the issued document's kind is read the same way from the issued title (the notice's own record of it, or
the words between the title word and the ending). A metadata file's ``kind`` (the concept's last path
segment, e.g. ``opinions``) wins over the title. Nothing is guessed: a title with no listed ending has no kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from greenplan.quads import value
from greenplan.vocab import GP, RDF_TYPE

KIND_CLASS = GP + "DocumentKind"
ENDING = GP + "titleEnding"
WORD = GP + "titleWord"
TRAILING_STATUS = re.compile(r"[（(][^（()）]*[）)]\s*$")


@dataclass(frozen=True)
class Kind:
    iri: str
    endings: tuple[str, ...]
    words: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Match:
    kind: Kind
    ending: str
    word: str | None

    @property
    def basis(self) -> str:
        return f"title ends with {self.ending}" + (f" and contains {self.word}" if self.word else "")


class Kinds:
    """The kinds of ``ontology/document-kinds.ttl`` (from the ontology quads) and the matching of titles."""

    def __init__(self, quads: list[ox.Quad]):
        members = sorted({value(q.subject) for q in quads
                          if value(q.predicate) == RDF_TYPE and value(q.object) == KIND_CLASS})
        words: dict[tuple[str, str], set[str]] = {}
        for q in quads:
            if value(q.predicate) in (ENDING, WORD) and isinstance(q.object, ox.Literal):
                words.setdefault((value(q.subject), value(q.predicate)), set()).add(value(q.object))
        self.kinds = [Kind(iri, tuple(sorted(words.get((iri, ENDING), ()))), tuple(sorted(words.get((iri, WORD), ()))))
                      for iri in members]

    def by_slug(self, slug: str) -> Kind | None:
        return next((k for k in self.kinds if k.slug == slug), None)

    def of_title(self, title: str | None) -> Match | None:
        """The kind a title names, or None."""
        text = _bare(title)
        best: tuple | None = None
        for k in self.kinds:
            word = next((w for w in k.words if w in text), None)
            if k.words and word is None:
                continue
            for e in k.endings:
                if text.endswith(e):
                    key = (len(e), bool(k.words), k.iri)
                    if best is None or key > best[0]:
                        best = (key, Match(k, e, word))
        return best[1] if best else None

    def issued_title(self, title: str | None, match: Match) -> str | None:
        """For a title like 关于印发X的通知: X (without its quotes), else None."""
        text = _bare(title)
        if not match.word or match.word not in text:
            return None
        rest = text[text.index(match.word) + len(match.word):]
        rest = rest[: len(rest) - len(match.ending)] if rest.endswith(match.ending) else rest
        rest = rest[:-1] if rest.endswith("的") else rest
        rest = rest.strip()
        if rest.startswith("《") and rest.endswith("》"):     # the issued document's title in book-title marks
            rest = rest[1:-1]
        return rest or None


def _bare(title: str | None) -> str:
    text = (title or "").strip()
    while TRAILING_STATUS.search(text):
        text = TRAILING_STATUS.sub("", text).strip()
    return text
