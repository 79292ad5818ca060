"""The saved queries bureau-roles and task-deadlines on two documents read by hand: the Guangzhou-style text
(tests/data/guangzhou-sample.txt, every row) and the State Council's 无废城市 notice
(tests/data/gov-cn/gbf-2018-128-zero-waste-cities.html, its responsibility notes one by one), in one store
so that the `plan` parameter is exercised too."""
from __future__ import annotations

from pathlib import Path

import pytest

from greenplan.api import run_saved

DATA = Path(__file__).parent / "data"
GZ = DATA / "guangzhou-sample.txt"
ZERO_WASTE = DATA / "gov-cn" / "gbf-2018-128-zero-waste-cities.html"

# guangzhou-sample.txt by hand, line by line:
#  8 （牵头单位：市教育局，配合单位：市财政局、越秀区，各区、县级市）              task 1
#  9 （牵头单位：市委宣传部，配合单位：团市委、市教育局，各区、县级市）            task 2
# 11 （市人民检察院、市公安局、市司法局按职责分工负责）                            task 3
# 12 （市财政局、市税务局、市发展改革委，各区、县级市按职责分工负责）              task 4
# 13 （市国资委牵头，国家发展改革委、海关、市市场监管局参与）                      task 5
# 15 （各有关部门和单位负责）                                                      task 6
# label: lead, supporting, participating, guiding, responsible, total
GZ_ROLES = {
    "广州市教育局": (1, 1, 0, 0, 0, 2),          # lead of 1, supports 2
    "广州市财政局": (0, 1, 0, 0, 1, 2),          # supports 1, responsible for 4
    "中共广州市委宣传部": (1, 0, 0, 0, 0, 1),
    "共青团广州市委员会": (0, 1, 0, 0, 0, 1),
    "广州市越秀区人民政府": (0, 1, 0, 0, 0, 1),
    "广州市人民检察院": (0, 0, 0, 0, 1, 1),
    "广州市公安局": (0, 0, 0, 0, 1, 1),
    "广州市司法局": (0, 0, 0, 0, 1, 1),
    "国家税务总局广州市税务局": (0, 0, 0, 0, 1, 1),   # 市税务局: the national tax administration's city office
    "广州市发展和改革委员会": (0, 0, 0, 0, 1, 1),     # 市发展改革委, by its official name
    "广州市人民政府国有资产监督管理委员会": (1, 0, 0, 0, 0, 1),   # 市国资委
    "国家发展和改革委员会": (0, 0, 1, 0, 0, 1),
    "海关": (0, 0, 1, 0, 0, 1),
    "广州市市场监督管理局": (0, 0, 1, 0, 0, 1),       # 市市场监管局
}
GZ_COLLECTIVES = {
    "各区、县级市": (0, 2, 0, 0, 1, 3),          # supports 1 and 2, responsible for 4
    "各有关部门和单位": (0, 0, 0, 0, 1, 1),
}
# gbf-2018-128 by hand, its 39 notes (（…牵头，…参与）, （…指导）, （…负责）; notes 35 and 37 in ASCII brackets):
# 生态环境部 leads task 1 and guides 2 3 4 6 7 10 14 15 19 22 23 24 25 26 27 28 29 32 34 37 39;
# 国家发展改革委 takes part in 1 and guides 3 4 7 12 16 18 20 21 29 32 34 35 39;
# 商务部 guides 3 4 6 7 16 17 20 36; 市场监管总局 guides 7 13 16 27 35 and is responsible for 8 (（…负责）);
# 供销合作总社 takes part in 36 (（商务部指导，供销合作总社参与）).
ZW_ROLES = {
    "生态环境部": (1, 0, 0, 21, 0, 22),
    "国家发展和改革委员会": (0, 0, 1, 13, 0, 14),
    "商务部": (0, 0, 0, 8, 0, 8),
    "国家市场监督管理总局": (0, 0, 0, 5, 1, 6),
    "中华全国供销合作总社": (0, 0, 1, 0, 0, 1),
}
ROLE_COLUMNS = ("lead", "supporting", "participating", "guiding", "responsible", "total")


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path_factory.mktemp("two") / "s"), [str(GZ), str(ZERO_WASTE)])
    build_store(loc)
    return Store(loc.directory)


def _roles(rows) -> dict:
    return {r["label"]: tuple(r[c] for c in ROLE_COLUMNS) for r in rows}


def test_bureau_roles_columns_and_guangzhou_rows(two):
    result = run_saved(two, "bureau-roles", {"plan": "guangzhou-sample"})
    assert result.variables == ["body", "label", *ROLE_COLUMNS]
    assert _roles(result.dicts()) == GZ_ROLES
    with_collectives = run_saved(two, "bureau-roles", {"plan": "guangzhou-sample", "collectives": "true"}).dicts()
    assert _roles(with_collectives) == {**GZ_ROLES, **GZ_COLLECTIVES}
    totals = [r["total"] for r in with_collectives]
    assert totals == sorted(totals, reverse=True)


def test_bureau_roles_zero_waste_rows(two):
    got = _roles(run_saved(two, "bureau-roles", {"plan": "gbf-2018-128"}).dicts())
    assert {k: got.get(k) for k in ZW_ROLES} == ZW_ROLES
    assert not set(got) & set(GZ_ROLES) - {"国家发展和改革委员会"}       # the plan filter keeps Guangzhou out
    both = _roles(run_saved(two, "bureau-roles").dicts())             # the national NDRC: one row over both plans
    assert both["国家发展和改革委员会"] == (0, 0, 2, 13, 0, 15)


def test_task_deadlines_rows_earliest_first(two):
    # by hand: 128's task 1 (建立“无废城市”建设指标体系…): 2019年6月底前; Guangzhou's task 1: 2020年底前完成…;
    # 128's 2021年3月底前 stands in 三、实施步骤, which carries no responsibility note: no task, not listed;
    # no other text of either document names a year by which something is to be done
    result = run_saved(two, "task-deadlines")
    assert result.variables == ["number", "plan", "deadline", "text", "bodies"]
    rows = result.dicts()
    assert [(r["plan"], r["number"], r["deadline"]) for r in rows] == [
        ("gbf-2018-128", 1, "2019年6月底前"), ("guangzhou-sample", 1, "2020年底前")]
    assert rows[0]["text"].startswith("建立“无废城市”建设指标体系")
    assert rows[0]["bodies"] == "生态环境部、国家发展和改革委员会、工业和信息化部、住房和城乡建设部、农业农村部、国家统计局"
    assert rows[1]["bodies"] == "广州市教育局、广州市财政局、广州市越秀区人民政府、各区、县级市"
    only = run_saved(two, "task-deadlines", {"plan": "guangzhou-sample"}).dicts()
    assert [(r["plan"], r["number"]) for r in only] == [("guangzhou-sample", 1)]


def test_both_are_listed_by_greenplan_queries(capsys):
    from greenplan.cli.main import main

    assert main(["queries"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert "bureau-roles" in names and "task-deadlines" in names
