"""The words the authority reads by their place in a name come from data (ontology/name-words.tsv and the
not_ending column of ontology/local-prefixes.tsv), not from graph/build/authority.py.  Each test resolves a name
with the real data, then with a planted copy of the data in which that word is changed, and the outcome follows
the data.  Expected names are written by hand from public knowledge of the divisions and bodies (深圳市人民政府,
中共广州市委组织部, 广州市越秀区人民政府, 延边朝鲜族自治州)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from greenplan.build import authority
from greenplan.build.authority import UNRESOLVED, Authority
from greenplan.build.dataset import resource_quads
from greenplan.errors import GreenplanError
from greenplan.iris import Minter

BASE = "https://w3id.org/greenplan/"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TITLE = "国务院办公厅关于印发“无废城市”建设试点工作方案的通知"     # gbf-2018-128's title as printed


@pytest.fixture(scope="module")
def quads():
    return resource_quads(Minter(BASE))


def planted(monkeypatch, quads, words=None, prefixes=None) -> Authority:
    """An authority whose ontology/name-words.tsv rows are ``words(rows)`` and local-prefixes.tsv rows
    ``prefixes(rows)``."""
    real = authority.data_table

    def table(name):
        rows = real(name)
        if name == "name-words.tsv" and words:
            return words(rows)
        if name == "local-prefixes.tsv" and prefixes:
            return prefixes(rows)
        return rows

    monkeypatch.setattr(authority, "data_table", table)
    return Authority(quads, Minter(BASE))


def swap(use: str, *new: str):
    """Rows with the words of ``use`` replaced by ``new``."""
    return lambda rows: [r for r in rows if r["use"] != use] + [{"use": use, "word": w} for w in new]


def slug(r) -> str:
    return r.iri.removeprefix(BASE + "org/")


def test_government_words_come_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert (real.resolve("深圳市政府", "440100").label, slug(real.resolve("深圳市政府", "440100"))) == \
        ("深圳市人民政府", "440300/government")
    assert slug(real.resolve("市政府", "440100")) == "440100/government"
    auth = planted(monkeypatch, quads, swap("government", "人民政府"))       # 政府 no longer a government's word
    assert slug(auth.resolve("深圳市人民政府", "440100")) == "440300/government"
    assert slug(auth.resolve("深圳市政府", "440100")) != "440300/government"
    assert slug(auth.resolve("市政府", "440100")) != "440100/government"


def test_the_governments_name_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.government_label("440104") == "广州市越秀区人民政府"
    assert real.government_label("440300") == "深圳市人民政府"
    auth = planted(monkeypatch, quads, swap("government-name", "{place}（{city}）政府"))
    assert auth.government_label("440104") == "越秀区（广州市）政府"
    assert auth.resolve("深圳市人民政府", "440100").label == "深圳市（）政府"


def test_the_party_word_a_name_may_drop_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    r = real.resolve("广州市委组织部", "440100")
    assert (r.label, slug(r)) == ("中共广州市委组织部", "440100/organisation-department")
    auth = planted(monkeypatch, quads, swap("party", "中国共产党"))
    assert slug(auth.resolve("中共广州市委组织部", "440100")) == "440100/organisation-department"
    r = auth.resolve("广州市委组织部", "440100")           # without the rule the pattern does not know this spelling
    assert slug(r) != "440100/organisation-department" and r.warning


def test_the_ethnic_word_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.name("222400") == "延边朝鲜族自治州" and real.short_name("222400") is None
    assert real.short_name("450000") == "广西"          # 广西壮族自治区 drops 壮族自治区 whole
    auth = planted(monkeypatch, quads, swap("ethnic", "回"))
    assert auth.short_name("222400") == "延边朝鲜族"


def test_the_countrys_other_name_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.plan_jurisdiction(None, "全国", None, None) == ("CN", "metadata jurisdiction_name")
    auth = planted(monkeypatch, quads, swap("country", "举国"))
    assert auth.plan_jurisdiction(None, "全国", None, None) == (None, "none found")
    assert auth.plan_jurisdiction(None, "举国", None, None) == ("CN", "metadata jurisdiction_name")


def test_the_word_after_an_issuing_body_in_a_title_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.plan_jurisdiction(None, None, None, TITLE) == ("CN", "title")
    auth = planted(monkeypatch, quads, swap("title-subject", "印发"))
    assert auth.plan_jurisdiction(None, None, None, TITLE) == (None, "none found")
    assert auth.plan_jurisdiction(None, None, None, TITLE.replace("关于", "", 1)) == ("CN", "title")


def test_the_carried_prefix_comes_from_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.carries("市发展改革局") and not real.carries("县发展改革局")
    auth = planted(monkeypatch, quads, swap("carried-prefix", "县"))
    assert auth.carries("县发展改革局") and not auth.carries("市发展改革局")


def test_a_districts_prefix_never_means_an_autonomous_region_by_the_data(monkeypatch, quads):
    real = Authority(quads, Minter(BASE))
    assert real.name("450100") == "南宁市" and real.resolve("区教育局", "450100").kind == UNRESOLVED
    auth = planted(monkeypatch, quads, prefixes=lambda rows: [{**r, "not_ending": ""} for r in rows])
    r = auth.resolve("区教育局", "450100")                # the column emptied: 区 reaches 广西壮族自治区
    assert r.kind != UNRESOLVED and r.jurisdiction == "450000"


@pytest.mark.parametrize("words, message", [
    (lambda rows: rows + [{"use": "gouvernement", "word": "政府"}], "row 9: expected a use among"),
    (swap("government-name", "{city}{place}人民政府", "{place}政府"), "exactly one row of use 'government-name'"),
    (lambda rows: [r for r in rows if r["use"] != "country"], "expected rows of use 'country', found 0"),
    (swap("government-name", "{province}{place}人民政府"), "must hold {place} and may hold {city}"),
    (swap("government-name", "{city}人民政府"), "must hold {place} and may hold {city}"),
    (swap("carried-prefix", "镇"), "the carried-prefix '镇' is no prefix of ontology/local-prefixes.tsv"),
])
def test_a_bad_name_words_file_is_one_clear_error(monkeypatch, quads, words, message):
    with pytest.raises(GreenplanError) as e:
        planted(monkeypatch, quads, words)
    assert str(e.value).startswith("ontology/name-words.tsv: ") and message in str(e.value), str(e.value)


def test_authority_holds_no_chinese_word_outside_comments_and_docstrings():
    """Every Chinese word the authority compares is read from data; docstrings and comments may show examples."""
    path = Path(authority.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    found = [(n.lineno, n.value) for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
             and CJK.search(n.value)]
    assert found == []
