"""greenplan validate on each of the five gov.cn pages (tests/data/gov-cn): no violation, and every remaining
warning listed here with the gap in the document that causes it (read off the pages by hand)."""
from __future__ import annotations

from pathlib import Path

import pytest

from greenplan.validate import check as v

GOV_CN = Path(__file__).parent / "data" / "gov-cn"

NO_STATUS = ("Plan-status", "规划")   # a published State Council document has no status line (征求意见稿 …)
# (shape, first word of the node's name) → why the document gives rise to it
EXPECTED = {
    "gbf-2018-121-sports-competitions": [
        NO_STATUS,
        # the closing paragraph (各地区、各有关部门要…；体育总局要会同有关方面…) follows section （十九） and closes
        # with no responsibility note, so no task carries its two sentences
        ("Sentence-carried", "第（十九）节"), ("Sentence-carried", "第（十九）节"),
    ],
    "gbf-2018-126-innovation-reform-measures": [
        NO_STATUS,
        # rows 15–20 (四、军民深度融合方面, 6 items) are not in the published page: 本文有删减
        ("Task-numberSequence", "规划"),
        # chapters 二、高度重视推广工作 and 三、认真抓好组织实施 are single paragraphs without numbered sections
        ("Chapter-section", "第二章"), ("Chapter-section", "第三章"),
    ],
    "gbf-2018-128-zero-waste-cities": [NO_STATUS],
    "gbf-2018-129-consumption-poverty-alleviation": [
        NO_STATUS,
        ("Chapter-section", "第一章"),   # 一、总体要求 is one paragraph without numbered sections
    ],
    "gf-2018-42-agricultural-mechanisation": [NO_STATUS],
}


@pytest.mark.parametrize("document", sorted(EXPECTED))
def test_page_validates_with_only_the_warnings_its_gaps_cause(tmp_path, document):
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path / "s"), [str(GOV_CN / f"{document}.html")])
    build_store(loc)
    store = Store(loc.directory)
    conforms, report, text = v.validate(store)
    found = v.findings(report, v.Namer(store))
    assert conforms and text.startswith("0 violations"), text
    got = sorted((f.shape, f.name.split(" ")[0]) for f in found)
    assert got == sorted(EXPECTED[document]), text
    assert {f.severity for f in found} <= {"Warning"}
