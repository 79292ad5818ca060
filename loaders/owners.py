"""Cell syntax of responsible-body cells: names in the order printed.

Names are separated by ``、``, ``，`` or ``,``.  A trailing ``等`` ("and
others") leaves the list open.  A ``市`` on the first name carries over to the
names that follow it (``市发展改革局、工业和信息化局``): the loader records that
as a hint on each name; who a name denotes is decided later, against the
authority lists (``ontology/bodies/``, graph/authority.py), never here.
"""
from __future__ import annotations

import re

from greenplan.loaders.records import OwnerName

SEPARATORS = re.compile(r"[、，,；;]")
OPEN_MARK = "等"
CITY_PREFIX = "市"


def split_owners(cell: str) -> tuple[list[OwnerName], bool]:
    """Names of a cell in printed order, and whether the list is left open (``等``)."""
    parts = [p.strip() for p in SEPARATORS.split(cell.strip()) if p.strip()]
    open_list = False
    if parts and parts[-1].endswith(OPEN_MARK) and len(parts[-1]) > 1:
        open_list = True
        parts[-1] = parts[-1][: -len(OPEN_MARK)]
    municipal = bool(parts) and parts[0].startswith(CITY_PREFIX)
    return [OwnerName(p, municipal, i) for i, p in enumerate(parts, 1)], open_list
