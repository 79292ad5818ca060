"""Responsibility notes and cells: who is responsible for a task, in printed order, with roles.

A note closes a paragraph or sentence of a plan's text — ``（体育总局、北京冬奥组委负责）``,
``（生态环境部牵头，国家发展改革委、工业和信息化部参与）``, ``（牵头单位：市发展改革委，配合单位：…）`` — and a
task table prints the same in columns (牵头单位 / 配合单位 / 指导部门 …).  Both become :class:`NoteParse`:
the parties in printed order (position 1-based across the whole note or row), each with its spelling as
printed (never 等 or a connecting word), its role and whether it is a collective party (``有关部门``,
``各省级人民政府``, ``各区、县级市`` …: one party each, never split at an inner 、).

The words are data: ``ontology/responsibility-words.tsv`` (role words, column headers, connecting words,
open-list marks, the first-is-lead sentence, standing-rule markers) and ``ontology/collective-parties.tsv``.

State (:class:`NoteState`, one per plan): from the note that says ``列第一位者为牵头单位`` (``…，下同``) on, that
note included, the first party of every note is the lead even when it is alone; the others keep the
note's role word.  The rule only turns a ``responsible`` first party into ``lead``; a first party whose
note names another role (指导, 参与 …) keeps it.  Table rows are not notes: their roles come from
their column headers.

Nothing here raises on odd input: what cannot be read is listed in ``problems`` (what was expected),
and the caller keeps the text as printed and reports it with its location.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from greenplan.loaders.layoutwords import package_toml
from greenplan.loaders.records import NoteParse, Party

OPENING = "（(〔["
CLOSING = "）)〕]"
SEPARATORS = "、，,；;"
SENTENCE_END = "。"
LABEL_COLON = "：:"
WHITESPACE = re.compile(r"\s+")
# characters of running prose that never occur in the name of a body: an ordinary parenthesis that happens to
# end with a role word (（由企业自主负责）) is not a note
PROSE = set("的将把了“”《》。")
PROSE_OPENINGS = ("由", "对", "在")
LONGEST_NAME = 40
MIN_LISTED_NAME = 3   # a name in a list without a role word: 市财政局 yes, 市 or 区 (（市、区）) no
NO_ROLE_WORD = "expected a role word"
DEADLINE = "deadline"     # the part after 完成时限： of a labelled note
NOT_A_PARTY = "is neither a body's name (ending in 部, 委, 局, 办 …) nor a collective (有关部门, 各地区 …)"
YEAR = re.compile(r"^(到|于|在)?\d{4}年")
PLACEHOLDER = 0xE000  # private-use code points stand for protected collective phrases while splitting


@dataclass(frozen=True)
class Words:
    verbs: dict[str, str]          # role word → role, longest first
    headers: dict[str, str]        # column header / label → role, longest first
    deadline_labels: tuple[str, ...]   # 完成时限： … — a label whose value is the deadline, no party
    joiners: tuple[str, ...]       # longest first; split only next to a collective phrase or an open mark
    withs: tuple[str, ...]         # always split (会同)
    opens: tuple[str, ...]         # longest first
    same_below: tuple[str, ...]    # 下同 after the first-is-lead clause
    times: tuple[str, ...]         # time phrases that are no party (持续推进)


def _rows(name: str) -> list[dict[str, str]]:
    text = files("greenplan.ontology").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _longest_first(items) -> list[str]:
    return sorted(items, key=lambda s: (-len(s), s))


@lru_cache(maxsize=1)
def words() -> Words:
    """The word lists of ``ontology/responsibility-words.tsv`` and ``ontology/collective-parties.tsv``."""
    by_kind: dict[str, dict[str, str]] = {}
    for row in _rows("responsibility-words.tsv"):
        by_kind.setdefault(row["kind"], {})[row["form"]] = row.get("role") or ""
    verbs = by_kind.get("verb", {})
    headers = by_kind.get("header", {})
    return Words(
        verbs={k: verbs[k] for k in _longest_first(verbs)},
        headers={k: headers[k] for k in _longest_first(headers)},
        deadline_labels=tuple(_longest_first(by_kind.get("deadline-label", {}))),
        joiners=tuple(_longest_first(by_kind.get("joiner", {}))),
        withs=tuple(_longest_first(by_kind.get("with", {}))),
        opens=tuple(_longest_first(by_kind.get("open", {}))),
        same_below=tuple(by_kind.get("same-below", {})),
        times=tuple(_longest_first(by_kind.get("time", {}))),
    )


@dataclass
class NoteState:
    """What a plan's notes have said so far that changes how later notes read (one per plan)."""
    first_is_lead: bool = False
    standing_rules: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- helpers

def _inner(text: str) -> str:
    """The note without its outer parentheses (full-width or ASCII) and without whitespace."""
    t = WHITESPACE.sub("", text)
    if len(t) >= 2 and t[0] in OPENING and t[-1] in CLOSING:
        t = t[1:-1]
    return t


def column_role(header: str) -> str | None:
    """The role a column header gives its cells (``牵头单位`` → lead), or None: not a responsibility column."""
    return words().headers.get(WHITESPACE.sub("", header))


def grammar() -> dict:
    """``loaders/grammar.toml``: the word classes and shapes of collectives, the first-is-lead rule, body ends."""
    return package_toml("grammar.toml")


def _template(shape: str, classes: dict[str, list[str]]) -> str:
    """A shape of grammar.toml with each {class} replaced by its words (longest first, escaped)."""
    return re.sub(r"\{(\w+)\}", lambda m: "(?:" + "|".join(re.escape(w) for w in _longest_first(classes[m[1]])) + ")",
                  shape)


@lru_cache(maxsize=1)
def collective_shapes() -> tuple[re.Pattern, ...]:
    """One pattern per collective shape of grammar.toml.  A scope word counts only at the start of an item (not
    inside a body's name), and a collective ends where the item ends: a separator, a connective, 等, a role word,
    a parenthesis or another collective (各地区各部门)."""
    g = grammar()
    w = words()
    boundary = "、，,；;：:（(）)"
    # the last character of a connective or open mark (和, 及, 以及, 会同, 等)
    before = re.escape(boundary + "".join(sorted({x[-1] for x in w.joiners + w.withs} | {x[0] for x in w.opens})))
    follow = _longest_first(set(w.joiners) | set(w.withs) | set(w.opens) | set(w.verbs) | {"各"})
    lookahead = f"(?=$|[{re.escape(boundary)}]|" + "|".join(re.escape(x) for x in follow) + ")"
    out = []
    for shape in g["shapes"].values():
        shape = shape.replace("(?:{scope})?", f"(?:(?<![^{before}])(?:{{scope}}))?", 1)
        out.append(re.compile(_template(shape, g["words"]) + lookahead))
    return tuple(out)


@lru_cache(maxsize=1)
def first_lead_shape() -> re.Pattern:
    return re.compile(grammar()["first_lead"]["shape"])


def is_collective(phrase: str) -> bool:
    """Whether a whole phrase is a collective party by its shape (各省级人民政府, 国务院相关部门和单位, 各园区 …)."""
    return [(m.start(), m.end()) for m in _collective_matches(phrase)] == [(0, len(phrase))]


def _collective_matches(text: str) -> list[re.Match]:
    """The longest collective starting at each position, left to right, not overlapping."""
    out = []
    i = 0
    while i < len(text):
        found = [m for p in collective_shapes() if (m := p.match(text, i)) and m.end() > i]
        if found:
            best = max(found, key=lambda m: m.end())
            out.append(best)
            i = best.end()
        else:
            i += 1
    return out


def reads_as_body(name: str) -> bool:
    """Whether a name has the shape of a body's name: it ends as bodies' names end (…部, …委员会, …局, …政府),
    starts as a national body's or enterprise's name starts (国家电网, 中国移动), or is a division word and a local
    department's name without its end word (市发展和改革: grammar.toml ``cut_ends``)."""
    body = grammar()["body"]
    return name.endswith(tuple(body["ends"])) or (name.startswith(tuple(body["starts"]))
                                                  and not any(name == s for s in body["starts"])) or \
        any(name.startswith(d) and name[len(d):] in cut_names() for d in grammar()["words"]["division"])


@lru_cache(maxsize=1)
def cut_names() -> frozenset[str]:
    """The names of the kinds of local bodies (ontology/local-bodies.tsv: name and spellings, without {place} or X)
    without an end word of grammar.toml ``cut_ends``: 发展和改革, 发展改革, 财政 …"""
    ends = _longest_first(grammar()["body"]["cut_ends"])
    out = set()
    for row in _rows("local-bodies.tsv"):
        for name in [row["name"]] + (row.get("spellings") or "").split(","):
            name = name.strip()
            for lead in ("{place}", "X"):
                if name.startswith(lead):
                    stem = name[len(lead):]
                    end = next((e for e in ends if stem.endswith(e) and len(stem) > len(e) + 1), None)
                    if end:
                        out.add(stem[:-len(end)])
    return frozenset(out)


class _Protected:
    """A text with its collective phrases (found by shape) replaced by single private-use characters."""

    def __init__(self, text: str):
        self.phrases: list[str] = []
        out = []
        at = 0
        for m in _collective_matches(text):
            out.append(text[at:m.start()])
            out.append(chr(PLACEHOLDER + len(self.phrases)))
            self.phrases.append(m[0])
            at = m.end()
        out.append(text[at:])
        self.text = "".join(out)

    def restore(self, s: str) -> str:
        return "".join(self.phrases[ord(c) - PLACEHOLDER] if self.is_placeholder(c) else c for c in s)

    def is_placeholder(self, c: str) -> bool:
        return PLACEHOLDER <= ord(c) < PLACEHOLDER + len(self.phrases)

    def has_placeholder(self, s: str) -> bool:
        return any(self.is_placeholder(c) for c in s)


def _strip_suffix(s: str, options) -> tuple[str, str | None]:
    for o in options:
        if s.endswith(o) and len(s) > len(o):
            return s[: -len(o)], o
    return s, None


def _strip_prefix(s: str, options) -> tuple[str, str | None]:
    for o in options:
        if s.startswith(o) and len(s) > len(o):
            return s[len(o):], o
    return s, None


def _split(s: str, seps: str) -> list[str]:
    return [p for p in re.split("[" + re.escape(seps) + "]", s) if p]


class _List:
    """Reads a list of parties (``X、Y等和各省级人民政府``) into (spelling, collective) items."""

    def __init__(self, prot: _Protected):
        self.prot = prot
        self.open_list = False
        self.problems: list[str] = []

    def read(self, s: str) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        for item in _split(s, SEPARATORS):
            for part in re.split("|".join(map(re.escape, words().withs)), item):
                if part:
                    out.extend(self._item(part))
        return out

    def _name(self, s: str) -> list[tuple[str, bool]]:
        """One name: strip a trailing open mark (等 …); check that it reads as a name."""
        w = words()
        s, mark = _strip_suffix(s, w.opens)
        if mark or s in w.opens:
            self.open_list = True
            if s in w.opens:
                return []
        spelling = self.prot.restore(s)
        collective = self.prot.has_placeholder(s)
        if (len(spelling) > LONGEST_NAME or PROSE & set(spelling) or spelling.startswith(PROSE_OPENINGS)
                or spelling in w.joiners or spelling in w.withs
                or not (collective or reads_as_body(_marked_role(spelling)[0]))):
            self.problems.append(f"{spelling!r} {NOT_A_PARTY}")
            return []
        return [(spelling, collective)]

    def _item(self, s: str) -> list[tuple[str, bool]]:
        """An item that may hold collective phrases: ``X等和⟨C⟩``, ``⟨C⟩和⟨D⟩``, ``国务院⟨C⟩``."""
        w = words()
        at = next((k for k, c in enumerate(s) if self.prot.is_placeholder(c)), None)
        if at is None:
            return self._name(s)
        prefix, phrase, rest = s[:at], s[at], s[at + 1:]
        out: list[tuple[str, bool]] = []
        if prefix:
            before, joiner = _strip_suffix(prefix, w.joiners)
            mark: str | None
            if before in w.opens:
                name, mark = "", before
            else:
                name, mark = _strip_suffix(before, w.opens)
            if joiner or mark:
                self.open_list = self.open_list or bool(mark)
                if name:
                    out.extend(self._name(name))
            else:
                # glued to the collective with no connective: neither a body nor a collective by shape
                self.problems.append(f"{self.prot.restore(prefix + phrase)!r} {NOT_A_PARTY}")
                phrase = ""
        if rest in w.opens:
            self.open_list = True
            rest = ""
        more: str
        more, joiner = _strip_prefix(rest, w.joiners)
        if rest and rest[0] in OPENING and rest[-1] in CLOSING and rest[1:-1] in w.verbs:
            phrase, more = phrase + rest, ""      # 各区、县级市（配合）: the role in brackets after the collective
        elif rest and not joiner and not self.prot.is_placeholder(rest[0]):
            # more text glued to the collective (其他有关部门负责人): not a party by shape
            more, mark = _strip_suffix(rest, w.opens)
            self.open_list = self.open_list or bool(mark)
            self.problems.append(f"{self.prot.restore(phrase + more)!r} {NOT_A_PARTY}")
            phrase, more = "", ""
        if phrase:
            out.append((self.prot.restore(phrase), True))
        if more:
            out.extend(self._item(more))
        return out


def _is_time(segment: str) -> bool:
    """A deadline or time phrase (2019年底前, 2020年6月底前完成, 持续推进, 完成时限：…): it starts with a year, a time
    word or a deadline label."""
    w = words()
    return (bool(YEAR.search(segment)) or any(segment.startswith(t) for t in w.times)
            or any(segment.startswith(d + c) for d in w.deadline_labels for c in LABEL_COLON))


def _is_first_lead(sentence: str) -> bool:
    return bool(first_lead_shape().search(sentence))


def _without_first_lead(sentence: str) -> str:
    """The sentence without its first-is-lead clause (…负责，排在第一位的部门为牵头部门，下同 → …负责)."""
    clauses = re.split("([，,；;])", sentence)
    keep: list[str] = []
    dropping = False
    for k in range(0, len(clauses), 2):
        clause = clauses[k]
        if first_lead_shape().search(clause):
            dropping = True
            continue
        if dropping and clause in words().same_below:
            continue
        dropping = False
        keep.append(clause)
    return "，".join(c for c in keep if c)


def _is_standing_rule(sentence: str) -> bool:
    return bool(re.search(grammar()["standing_rule"]["shape"], sentence))


def _labelled(prot: _Protected, s: str) -> list[tuple[str, str]] | None:
    """``牵头单位：A，配合单位：B`` → [(role, "A，"), (role, "B")]; None when no label is present."""
    headers = dict(words().headers) | {d: DEADLINE for d in words().deadline_labels}
    pattern = "(" + "|".join(re.escape(h) for h in _longest_first(headers)) + ")[" + LABEL_COLON + "]"
    found = list(re.finditer(pattern, s))
    if all(headers[m.group(1)] == DEADLINE for m in found):
        return None       # no label of a role: the note's clauses are read as clauses (…负责，完成时限：…)
    parts = []
    if s[: found[0].start()].strip(SEPARATORS):
        parts.append(("", s[: found[0].start()]))
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(s)
        parts.append((headers[m.group(1)], s[m.end():end]))
    return parts


def _clauses(s: str, default_role: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """Segments of a sentence grouped by the role word that closes them: [(role, list text)].

    ``X、Y，各省级人民政府按职责分工负责``: segments without a role word join the next one that has one.
    Trailing segments without one take ``default_role`` (a table cell's header) or are a problem.
    """
    verbs = words().verbs
    groups: list[tuple[str, str]] = []
    pending: list[str] = []
    problems: list[str] = []
    for seg in re.split("[，,；;]", s):
        if not seg:
            continue
        body, verb = _strip_suffix(seg, verbs)
        if verb is None and _is_time(seg):
            continue   # a deadline printed in the note (2019年底前完成, 持续推进) is no party; the caller reads it
        if seg in verbs:
            problems.append(f"the role word {seg!r} has no body before it")
            pending = []
            continue
        if verb is None:
            pending.append(seg)
            continue
        groups.append((verbs[verb], "、".join(pending + [body])))
        pending = []
    if pending:
        if default_role:
            groups.append((default_role, "、".join(pending)))
        else:
            roles = "、".join(sorted(verbs, key=len)[:5])
            problems.append(f"{NO_ROLE_WORD} ({roles} …) after {'，'.join(pending)!r}")
    return groups, problems


# ---------------------------------------------------------------------------------------------- public

def _marked_role(spelling: str) -> tuple[str, str | None]:
    """``市发展改革局（牵头）`` → (``市发展改革局``, lead): a role word in brackets after a name gives that name's role."""
    if len(spelling) > 2 and spelling[-1] in CLOSING:
        start = max(spelling.rfind(c) for c in OPENING)
        word = spelling[start + 1:-1]
        if start > 0 and word in words().verbs:
            return spelling[:start], words().verbs[word]
    return spelling, None


def _read(prot: _Protected, groups: list[tuple[str, str]], parse: NoteParse) -> None:
    lst = _List(prot)
    for role, text in groups:
        if role == DEADLINE:
            continue     # 完成时限：2020年底前 — the structure reader reads the deadline
        if not role:
            parse.problems.append(f"{prot.restore(text)!r} before the first label (牵头单位： …)")
            continue
        for spelling, collective in lst.read(text):
            spelling, marked = _marked_role(spelling)
            parse.parties.append(Party(len(parse.parties) + 1, spelling, marked or role, collective))
    parse.open_list = parse.open_list or lst.open_list
    parse.problems.extend(lst.problems)


def parse_note(text: str, state: NoteState) -> NoteParse:
    """The parties of a responsibility note as printed (``（X、Y等负责）``, with or without its parentheses)."""
    inner = _inner(text)
    parse = NoteParse([])
    if not inner:
        parse.problems.append("an empty note: expected bodies and a role word (负责, 牵头 …)")
        return parse
    sentences = [s for s in inner.split(SENTENCE_END) if s]
    if any(_is_first_lead(s) for s in sentences):
        state.first_is_lead = True
    for sentence in sentences:
        if _is_first_lead(sentence):
            sentence = _without_first_lead(sentence)
            if not sentence:
                continue
        if _is_standing_rule(sentence):
            parse.standing_rules.append(sentence)
            if sentence not in state.standing_rules:
                state.standing_rules.append(sentence)
            continue
        prot = _Protected(sentence)
        labelled = _labelled(prot, prot.text)
        if labelled is not None:
            groups = []
            for role, text in labelled:    # 责任单位：X、Y按职责分工负责 — a role word inside a label's part wins
                if role in ("", DEADLINE):
                    groups.append((role, text))
                    continue
                found, problems = _clauses(text, role)
                groups.extend(found)
                parse.problems.extend(problems)
            _read(prot, groups, parse)
            continue
        groups, problems = _clauses(prot.text, None)
        parse.problems.extend(problems)
        _read(prot, groups, parse)
    if not parse.parties and not parse.problems and not parse.standing_rules:
        parse.problems.append("no bodies found: expected bodies and a role word (负责, 牵头 …)")
    if state.first_is_lead and parse.parties and parse.parties[0].role == "responsible":
        parse.parties[0].role = "lead"
    return parse


def parse_cells(cells: list[tuple[str, str]], state: NoteState) -> NoteParse:
    """The parties of one table row's responsibility cells: (column header as printed, cell text), in order.

    A cell may itself use role words (``市发展改革局牵头，市财政局配合``); names without one take the column's role.
    A cell's names pass the same grammar as a note's (a body's shape or a collective's): the column says that its
    cells name parties, not that every text in it is one (``视情况而定``, a misprinted ``市发展和改革``).  Each
    problem is also listed in ``cell_problems`` with the index of its cell in ``cells``.
    """
    parse = NoteParse([])
    for j, (header, cell) in enumerate(cells):
        before = len(parse.problems)
        role = column_role(header)
        if role is None:
            parse.problems.append(f"column {header!r} is not a responsibility column "
                                  f"(expected one of {'、'.join(words().headers)})")
        elif text := WHITESPACE.sub("", cell):
            prot = _Protected(text)
            groups, problems = _clauses(prot.text, role)
            parse.problems.extend(problems)
            _read(prot, groups, parse)
        parse.cell_problems.extend((j, p) for p in parse.problems[before:])
    return parse


def is_note(text: str) -> bool:
    """Whether a parenthesised text (with or without its parentheses) is a responsibility note.

    It is when it is shaped like one — every clause closed by a role word, or labels (牵头单位：…) — and at least
    one party reads (or it states a standing rule).  A note with some names that do not read is still a note:
    :func:`parse_note` lists those in ``problems`` for the caller to report.  An ordinary parenthesis
    (（此件公开发布）, （PPP）, （市、区）, （由企业自主负责）, a sentence in brackets) is not.
    """
    inner = _inner(text)
    if not inner:
        return False
    parse = parse_note(inner, NoteState())
    shaped = not any(p.startswith(NO_ROLE_WORD) for p in parse.problems)
    return shaped and (bool(parse.parties) or bool(parse.standing_rules))


def note_like(text: str) -> str | None:
    """Why a parenthesised text that is shaped like a note (a clause closed by a role word, or a label such as
    牵头单位：) was not read as one, or None: it is no note at all (（此件公开发布）, （PPP）) or it was read."""
    inner = _inner(text)
    if not inner:
        return None
    w = words()
    clauses = [c for c in re.split("[，,；;。]", inner) if c]
    labelled = any(inner.find(h + c) >= 0 for h in w.headers for c in LABEL_COLON)
    if not labelled and not any(c.endswith(tuple(w.verbs)) for c in clauses):
        # no role word at all: note-like only when it lists two or more bodies' names (（市财政局、市税务局）),
        # not for an aside that names one thing (（含技工院校）) or a list of division words (（市、区）)
        items = _split(inner, SEPARATORS)
        if len(items) < 2 or not all(len(i) >= MIN_LISTED_NAME and (reads_as_body(i) or is_collective(i))
                                     for i in items):
            return None
    parse = parse_note(inner, NoteState())
    if parse.parties and not parse.problems:
        return None
    return parse.problems[0] if parse.problems else "no bodies found: expected bodies and a role word (负责, 牵头 …)"
