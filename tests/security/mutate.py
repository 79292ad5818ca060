"""A seeded mutator for loader fuzzing: the same (seed, case) always gives the same bytes.

Each case applies one to three mutations, chosen from what an attacker or a careless user makes of a plan:
byte flips and changed characters, deletions, duplicated and spliced lines, chapter/section numerals out of counting order
(三五、, （十十十）), huge numbers and 4,300-digit task numbers, numbers outside the document's grammar
(1e5, 1_000), NUL bytes, invalid UTF-8, a truncated file.  ``describe`` lists what was done, so a failing
case can be reproduced from its seed and number alone.
"""
from __future__ import annotations

import random
import re

DIGITS = re.compile(rb"[0-9]+")
ODD_NUMERALS = ["三五、", "（十十十）", "十十、", "（三五）", "一十一十、", "（零）", "百、", "（十一十）", "二十十、",
                "九九九九九九九九九九九九九九九九九九九九、"]
ODD_NUMBERS = [b"1e5", b"1_000", b"1E+5", b"-3", b"NaN", b"Infinity", b"0x10", b"\xef\xbc\x91\xef\xbc\x92",  # １２
               b"\xd9\xa3", b"1.2.3", b".5", b"5.", b"0", b"00", b"1" * 4300, b"9" * 5000, b"12" * 40]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _snap(data: bytes, i: int) -> int:
    """``i`` moved back to the start of its UTF-8 character."""
    while 0 < i < len(data) and 0x80 <= data[i] < 0xC0:
        i -= 1
    return i


def _pos(rng: random.Random, data: bytes) -> int:
    """A position in ``data``: three times in four at a character boundary (so the text mostly stays UTF-8)."""
    i = rng.randrange(len(data))
    return _snap(data, i) if rng.random() < 0.75 else i


def _mutate_once(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    n = len(data)
    kind = rng.randrange(16)
    if n == 0:
        return b"\xe4\xb8\x80\xe3\x80\x81x", "empty → 一、x"
    if kind == 0:
        i = rng.randrange(n)
        if rng.random() < 0.5:
            b = data[i] ^ (1 << rng.randrange(8))
            return data[:i] + bytes([b]) + data[i + 1:], f"flip byte {i}"
        i, j = _snap(data, i), _snap(data, rng.randrange(n))
        other = data[j:_snap(data, j + 4) if j + 4 < n else n] or b"x"
        end = _snap(data, i + 4) if i + 4 < n else n
        return data[:i] + other + data[end:], f"character at {i} → {other!r}"
    if kind == 1:
        i = _pos(rng, data)
        k = rng.choice([1, 2, 3, 17, 300, 5000])
        j = _snap(data, i + k) if i + k < n and rng.random() < 0.75 else i + k
        return data[:i] + data[j:], f"delete {j - i} bytes at {i}"
    if kind == 2:
        i = _pos(rng, data)
        k = rng.choice([1, 3, 50, 2000])
        j = _snap(data, i + k) if i + k < n and rng.random() < 0.75 else i + k
        return data[:i] + data[i:j] * rng.choice([2, 3, 50]) + data[j:], f"duplicate bytes at {i}"
    lines = _lines(data)
    if kind == 3:
        i = rng.randrange(len(lines))
        del lines[i:i + rng.choice([1, 1, 5, 40])]
        return b"\n".join(lines), f"delete lines from {i + 1}"
    if kind == 4:
        i = rng.randrange(len(lines))
        k = rng.choice([1, 2, 10])
        lines[i:i] = lines[i:i + k] * rng.choice([1, 2])
        return b"\n".join(lines), f"duplicate lines at {i + 1}"
    if kind == 5:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        chunk = lines[i:i + rng.choice([1, 3, 20])]
        del lines[i:i + len(chunk)]
        lines[j:j] = chunk
        return b"\n".join(lines), f"move lines {i + 1}… to {j + 1}"
    if kind == 6:
        i = rng.randrange(len(lines))
        odd = rng.choice(ODD_NUMERALS)
        where = rng.randrange(3)
        if where == 0:
            lines.insert(i, (odd + "标题").encode())
        elif where == 1:
            lines[i] = odd.encode() + lines[i]
        else:
            lines[i] = re.sub(rb"^(\s*)[\xe4-\xe9][\x80-\xbf]{2}", lambda m: m[1] + odd.encode(), lines[i], count=1)
        return b"\n".join(lines), f"numeral {odd} at line {i + 1}"
    if kind in (7, 8):
        runs = list(DIGITS.finditer(data))
        if not runs:
            return data + b"1e5", "append 1e5"
        m = rng.choice(runs)
        new = rng.choice(ODD_NUMBERS)
        return data[:m.start()] + new + data[m.end():], f"number {m[0][:20]!r} at {m.start()} → {new[:20]!r}"
    if kind == 9:
        i = _pos(rng, data)
        return data[:i] + b"\x00" * rng.choice([1, 4]) + data[i:], f"NUL at {i}"
    if kind == 10:
        i = rng.randrange(n)
        bad = rng.choice([b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"])
        return data[:i] + bad + data[i:], f"invalid UTF-8 {bad!r} at {i}"
    if kind == 11:
        i = _pos(rng, data)
        return data[:i], f"truncate at {i}"
    if kind == 12:
        i = rng.randrange(len(lines))
        lines[i] = (b"\t" + lines[i]) if not lines[i].startswith(b"\t") else lines[i][1:]
        return b"\n".join(lines), f"toggle TAB at line {i + 1}"
    if kind == 13:
        i = rng.randrange(len(lines))
        lines.insert(i, rng.choice([b"", b"\t", b"\t\t", b"\r", b"\xe3\x80\x80", b"\xef\xbb\xbf", b"\x0c"]))
        return b"\n".join(lines), f"odd line at {i + 1}"
    if kind == 14:
        i = rng.randrange(len(lines))
        lines[i] = lines[i] * rng.choice([20, 200])
        return b"\n".join(lines), f"long line {i + 1}"
    i, j = _pos(rng, data), _pos(rng, data)
    end = j + rng.choice([5, 60, 600])
    piece = data[j:_snap(data, end) if end < n and rng.random() < 0.75 else end]
    return data[:i] + piece + data[i:], f"splice {len(piece)} bytes from {j} to {i}"


def mutate(data: bytes, seed: int, case: int) -> tuple[bytes, list[str]]:
    """The ``case``-th mutant of ``data`` under ``seed`` and the list of what was done."""
    rng = random.Random(f"{seed}:{case}")
    steps: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        data, what = _mutate_once(rng, data)
        steps.append(what)
    return data, steps


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ODD_ATTRIBUTES = [("gridSpan", "0"), ("gridSpan", "-3"), ("gridSpan", "99999999999"), ("gridSpan", "x"),
                  ("ilvl", "9"), ("ilvl", "-1"), ("ilvl", "1" * 40), ("numId", "0"), ("numId", "777"),
                  ("vMerge", "restart"), ("vMerge", "continue"), ("start", "-5"), ("start", "9" * 30)]


def mutate_wordml(xml: bytes, seed: int, case: int) -> tuple[bytes, list[str]]:
    """Well-formed mutants of word/document.xml: cell and paragraph text (by :func:`mutate`), duplicated, deleted
    and moved paragraphs, rows and cells, odd numbering and merge attributes."""
    from lxml import etree

    rng = random.Random(f"{seed}:wordml:{case}")
    root = etree.fromstring(xml)
    steps: list[str] = []
    for step in range(rng.choice([1, 2, 3])):
        op = rng.randrange(6)
        if op < 2:
            t = rng.choice(root.findall(f".//{W}t"))
            data, what = mutate((t.text or "").encode(), seed, case * 10 + step)
            t.text = NOT_XML.sub("", data.decode("utf-8", "replace"))
            steps.append(f"text of a w:t: {what}")
            continue
        tag = rng.choice(["p", "tr", "tc", "tbl"])
        found = root.findall(f".//{W}{tag}")
        if not found:
            continue
        el = rng.choice(found)
        parent = el.getparent()
        if op == 2:
            copy = etree.fromstring(etree.tostring(el))
            parent.insert(parent.index(el) + 1, copy)
            steps.append(f"duplicate a w:{tag}")
        elif op == 3:
            parent.remove(el)
            steps.append(f"delete a w:{tag}")
        elif op == 4:
            other = rng.choice(found)
            parent.remove(el)
            if other is not el and other.getparent() is not None:
                other.getparent().insert(other.getparent().index(other), el)
            steps.append(f"move a w:{tag}")
        else:
            name, value = rng.choice(ODD_ATTRIBUTES)
            holder = rng.choice(root.findall(f".//{W}tc") or [root])
            pr = holder.find(f"{W}tcPr")
            if pr is None:
                pr = etree.SubElement(holder, f"{W}tcPr")
                holder.insert(0, pr)
            node = etree.SubElement(pr, f"{W}{name}")
            node.set(f"{W}val", value)
            steps.append(f"w:{name}={value!r} on a cell")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), steps
