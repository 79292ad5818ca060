"""The XSD datatypes RDF 1.1 lists as usable, and the lexical forms each one accepts (``sh:datatype``).

RDF 1.1 Concepts §5.1 lists the XSD 1.1 built-in datatypes a literal may use; a literal is ill-typed when its
lexical form is not in its datatype's lexical space (no whitespace is removed first: RDF takes the lexical form
as written). :data:`LEXICAL` gives each of those datatypes its lexical space as a regular expression, written
from the lexical representations of XSD 1.1 Part 2 §3 (the canonical patterns of its "Lexical Mapping"
sections); :data:`RANGES` the bounds of the integer types' value spaces; a pattern's named groups ``year``,
``month`` and ``day`` make the day of month checked against the month (29 February only in a leap year; a
gMonthDay, which has no year, allows it).

A datatype of the XSD namespace not in :data:`LEXICAL` (those RDF 1.1 says not to use — xsd:QName, xsd:NOTATION,
xsd:ENTITY, xsd:ID, xsd:IDREF, xsd:IDREFS, xsd:ENTITIES, xsd:NMTOKENS — xsd:anySimpleType, xsd:anyAtomicType, a
misspelt name) has no lexical space here: :func:`well_formed` refuses to answer for it, and the SHACL engine
refuses a shape that names it (:meth:`greenplan.validate.shacl.Shapes.check_supported`).
"""
from __future__ import annotations

import re

# XML 1.0 (fifth edition) Char, NameStartChar and NameChar, the character classes XSD 1.1 builds on.
CHAR = "\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
SPACE = "\x20"
VISIBLE = "\x21-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"      # Char but the four white-space characters
NAME_START = ("A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
              "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")    # without ":"
NAME_CHAR = NAME_START + "\\-.0-9\xb7\u0300-\u036f\u203f\u2040"
NCNAME = f"[{NAME_START}][{NAME_CHAR}]*"

# Parts of the numeric and date/time representations (digits are [0-9]: Python's \d would take any Unicode digit).
INTEGER = r"[+-]?[0-9]+"
DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
FLOATING = DECIMAL + r"([Ee][+-]?[0-9]+)?|[+-]?INF|NaN"          # XSD 1.1: +INF allowed, NaN unsigned
YEAR = r"(?P<year>-?([1-9][0-9]{3,}|0[0-9]{3}))"                  # four digits at least, no leading zero beyond
MONTH = r"(?P<month>0[1-9]|1[0-2])"
DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"
TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"               # -14:00 … +14:00
TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
DATE = f"{YEAR}-{MONTH}-{DAY}"
DAY_TIME = r"(?!\Z)([0-9]+D)?(T(?!\Z)([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?"   # at least one part, none after a bare T
B64 = "[A-Za-z0-9+/]"

LEXICAL = {
    # core types
    "string": f"[{CHAR}]*",
    "boolean": "true|false|1|0",
    "decimal": DECIMAL,
    "integer": INTEGER,
    # IEEE floating-point numbers
    "double": FLOATING, "float": FLOATING,
    # time and date
    "date": DATE + TZ + "?",
    "time": TIME + TZ + "?",
    "dateTime": f"{DATE}T{TIME}{TZ}?",
    "dateTimeStamp": f"{DATE}T{TIME}{TZ}",
    # recurring and partial dates
    "gYear": YEAR + TZ + "?",
    "gMonth": f"--{MONTH}{TZ}?",
    "gDay": f"---{DAY}{TZ}?",
    "gYearMonth": f"{YEAR}-{MONTH}{TZ}?",
    "gMonthDay": f"--{MONTH}-{DAY}{TZ}?",
    "duration": r"-?P(?!\Z)([0-9]+Y)?([0-9]+M)?" + DAY_TIME.removeprefix(r"(?!\Z)"),
    "yearMonthDuration": r"-?P([0-9]+Y([0-9]+M)?|[0-9]+M)",
    "dayTimeDuration": "-?P" + DAY_TIME,
    # limited-range integer numbers (their bounds in RANGES)
    **dict.fromkeys(("byte", "short", "int", "long", "unsignedByte", "unsignedShort", "unsignedInt",
                     "unsignedLong", "positiveInteger", "nonNegativeInteger", "negativeInteger",
                     "nonPositiveInteger"), INTEGER),
    # encoded binary data
    "hexBinary": "([0-9a-fA-F]{2})*",
    "base64Binary": (f"(({B64} ?){{4}})*(({B64} ?){{3}}{B64}|({B64} ?){{2}}[AEIMQUYcgkosw048] ?="
                     f"|{B64} ?[AQgw] ?= ?=)?"),
    # miscellaneous: anyURI is any string of characters in XSD 1.1 (it leaves URI syntax to applications)
    "anyURI": f"[{CHAR}]*",
    "language": "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    "normalizedString": f"[{SPACE}{VISIBLE}]*",                 # no tab, line feed or carriage return
    "token": f"([{VISIBLE}]+( [{VISIBLE}]+)*)?",                # neither, and single inner spaces only
    "NMTOKEN": f"[:{NAME_CHAR}]+",
    "Name": f"[:{NAME_START}][:{NAME_CHAR}]*",
    "NCName": NCNAME,
}
RANGES = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_COMPILED: dict[str, re.Pattern] = {}   # compiled on first use: all 39 at import cost ≈ 25 ms of every validation


def usable(name: str) -> bool:
    """Whether ``xsd:name`` is a datatype RDF 1.1 lists as usable (and so has a lexical space here)."""
    return name in LEXICAL


def well_formed(lexical: str, name: str) -> bool:
    """Whether ``lexical`` is in the lexical space (and value range) of ``xsd:name``; a ``ValueError`` for a
    name :func:`usable` refuses — never a guess."""
    pattern = _COMPILED.get(name)
    if pattern is None:
        if name not in LEXICAL:
            raise ValueError(f"xsd:{name} is not an XSD datatype RDF 1.1 lists as usable")
        pattern = _COMPILED[name] = re.compile(LEXICAL[name])
    m = pattern.fullmatch(lexical)
    if m is None:
        return False
    if name in RANGES:
        lo, hi = RANGES[name]
        n = int(lexical)
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    groups = m.groupdict()
    if groups.get("day") and groups.get("month"):
        month, day = int(groups["month"]), int(groups["day"])
        year = groups.get("year")
        if month == 2 and day == 29 and year is not None:
            y = int(year)      # XSD 1.1: year 0000 is 1 BCE, a leap year
            return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
        return day <= DAYS[month - 1]
    return True
