"""List columns and value forms that make saved queries give one answer on every engine (queries/PORTABILITY.md):
``#+ lists:`` columns are ordered and joined by the client, decimals and booleans printed in one form."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from greenplan.query.catalogue import ParameterError, parse
from greenplan.query.results import ListError, Result, canonical, join_lists

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


def test_position_items_are_ordered_by_their_number_and_printed_without_it():
    # as an engine may hand them over: in any order, a repeat, positions of two digits
    cell = lit("10 湛江市商务局\n2 湛江市工业和信息化局\n1 湛江市发展和改革局\n2 湛江市工业和信息化局")
    out = join_lists(Result(["bureaus"], [[cell]]), {"bureaus": "position"})
    assert out.rows[0][0].value == "湛江市发展和改革局、湛江市工业和信息化局、湛江市商务局"


def test_number_items_sort_as_numbers_and_text_items_by_code_point():
    result = Result(["tasks", "terms", "other"], [[lit("59\n100\n9"), lit("氢能\n加氢\n制氢"), lit("b\na")]])
    out = join_lists(result, {"tasks": "number", "terms": "text"})
    assert [t.value for t in out.rows[0]] == ["9、59、100", "制氢、加氢、氢能", "b\na"]   # "other" is not a list


def test_empty_and_unbound_lists_stay_as_they_are():
    out = join_lists(Result(["a", "b"], [[lit(""), None]]), {"a": "number", "b": "position"})
    assert out.rows == [[lit(""), None]]


def test_an_item_without_its_key_is_an_error_not_a_wrong_order():
    with pytest.raises(ListError, match="item '湛江市商务局' is not an integer position"):
        join_lists(Result(["bureaus"], [[lit("1 湛江市发展和改革局\n湛江市商务局")]]), {"bureaus": "position"})
    with pytest.raises(ListError, match="no such column"):
        join_lists(Result(["x"], [[lit("1")]]), {"tasks": "number"})


@pytest.mark.parametrize("value, expected", [
    ("1715.0", "1715"), ("1715", "1715"), ("44.60", "44.6"), ("+0.50", "0.5"), ("-0.0", "0"), ("007.25", "7.25"),
    (".5", "0.5"), ("-3.10", "-3.1"), ("1E+5", "1E+5"),   # not a decimal's lexical form: left as printed
])
def test_decimals_are_printed_in_canonical_form(value, expected):
    assert canonical(lit(value, "decimal")) == lit(expected, "decimal")


def test_booleans_are_printed_true_or_false_and_other_terms_unchanged():
    assert canonical(lit("1", "boolean")) == lit("true", "boolean")
    assert canonical(lit("0", "boolean")) == lit("false", "boolean")
    for term in (lit("1.0"), lit("10.0", "double"), ox.NamedNode("http://example.org/1.0"), lit("1.0", "integer")):
        assert canonical(term) is term


def test_a_lists_header_with_an_unknown_key_names_the_file(tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("#+ summary: x\n#+ lists:\n#+   - tasks: alphabetical\nSELECT ?tasks WHERE {}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"q\.rq: #\+ lists: tasks: 'alphabetical' is not a list key"):
        parse(q)
    q.write_text("#+ lists:\n#+   - tasks: number   # numbers\nSELECT ?tasks WHERE {}\n", encoding="utf-8")
    assert parse(q).lists == {"tasks": "number"}
