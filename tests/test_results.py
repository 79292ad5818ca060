"""SPARQL results formats, written and read by pyoxigraph from greenplan's Result (greenplan.query.results).

The expected documents are written by hand from the W3C recommendations: SPARQL 1.1 Query Results JSON
(https://www.w3.org/TR/sparql11-results-json/), XML (https://www.w3.org/TR/rdf-sparql-XMLres/) and CSV/TSV
(https://www.w3.org/TR/sparql11-results-csv-tsv/): CSV gives plain values (IRIs bare, blank nodes ``_:``),
quotes a field holding a comma, quote or line break and doubles its quotes, ends lines with CRLF; TSV gives
terms in Turtle/N-Triples syntax, an unbound value as an empty field, LF line ends.
"""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from greenplan.query.results import RESULTS_FORMATS, Result, parse, render, serialize

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"
SR = "{http://www.w3.org/2005/sparql-results#}"


def sample() -> Result:
    """Two rows with every kind of term and an unbound value; values that need quoting or escaping."""
    return Result(["item", "label", "amount"], [
        [ox.NamedNode(EX + "湛江/1"), ox.Literal('氢能, "green"\tline\nnext\\', language="zh"),
         ox.Literal("44.6", datatype=ox.NamedNode(XSD + "decimal"))],
        [ox.BlankNode("b0"), ox.Literal("plain"), None],
    ])


def test_csv_as_the_recommendation_writes_it():
    expected = ('item,label,amount\r\n'
                f'{EX}湛江/1,"氢能, ""green""\tline\nnext\\",44.6\r\n'
                '_:b0,plain,\r\n')
    assert render(sample(), "csv") == expected
    assert render(sample(), "csv", bom=True) == "\ufeff" + expected      # Excel reads UTF-8 with the mark
    assert serialize(sample(), "csv") == expected.encode("utf-8")


def test_tsv_as_the_recommendation_writes_it():
    expected = ('?item\t?label\t?amount\n'
                f'<{EX}湛江/1>\t"氢能, \\"green\\"\\tline\\nnext\\\\"@zh\t44.6\n'
                '_:b0\t"plain"\t\n')
    assert render(sample(), "tsv") == expected


def test_json_as_the_recommendation_writes_it():
    expected = {"head": {"vars": ["item", "label", "amount"]}, "results": {"bindings": [
        {"item": {"type": "uri", "value": EX + "湛江/1"},
         "label": {"type": "literal", "value": '氢能, "green"\tline\nnext\\', "xml:lang": "zh"},
         "amount": {"type": "literal", "value": "44.6", "datatype": XSD + "decimal"}},
        {"item": {"type": "bnode", "value": "b0"}, "label": {"type": "literal", "value": "plain"}},
    ]}}
    text = render(sample(), "json")
    assert text.endswith("}\n") and "湛江" in text                       # UTF-8, not \u escapes
    assert json.loads(text) == expected


def test_xml_as_the_recommendation_writes_it():
    root = ET.fromstring(serialize(sample(), "xml"))
    assert [v.get("name") for v in root.find(SR + "head")] == ["item", "label", "amount"]
    first, second = root.find(SR + "results")
    item, label, amount = first
    assert item.find(SR + "uri").text == EX + "湛江/1"
    assert label.find(SR + "literal").text == '氢能, "green"\tline\nnext\\'
    assert label.find(SR + "literal").get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert (amount.find(SR + "literal").get("datatype"), amount.find(SR + "literal").text) == (XSD + "decimal", "44.6")
    assert [b.get("name") for b in second] == ["item", "label"]             # unbound: no binding element
    assert second[0].find(SR + "bnode").text == "b0"


def test_ask_answers():
    yes, no = Result([], [], True), Result([], [], False)
    assert json.loads(render(yes, "json")) == {"head": {}, "boolean": True}
    assert json.loads(render(no, "json")) == {"head": {}, "boolean": False}
    assert ET.fromstring(serialize(no, "xml")).find(SR + "boolean").text == "false"
    assert render(yes, "csv") == "true\r\n" and render(no, "tsv") == "false\n"   # what the CLI prints ends a line
    assert parse(serialize(yes, "json")) == yes and parse(serialize(no, "xml"), "xml") == no


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_every_term_survives_writing_and_reading(fmt):
    result = sample()
    again = parse(serialize(result, fmt), fmt)
    assert again == result
    assert serialize(again, fmt) == serialize(result, fmt)                # same input, same bytes


def test_no_variables_and_no_rows():
    empty = Result(["a"], [])
    assert render(empty, "csv") == "a\r\n" and render(empty, "tsv") == "?a\n"
    one_empty_row = Result([], [[]])                                      # SELECT * WHERE {}
    assert json.loads(render(one_empty_row, "json")) == {"head": {"vars": []}, "results": {"bindings": [{}]}}
    assert parse(serialize(one_empty_row, "json")) == one_empty_row


def test_numbers_read_from_an_endpoint_are_printed_in_one_form():
    # Jena prints 1715.0, Virtuoso booleans as 1/0: parse gives the canonical form every engine agrees on.
    answer = ('{"head":{"vars":["n","b"]},"results":{"bindings":[{"n":{"type":"literal","value":"1715.0",'
              f'"datatype":"{XSD}decimal"}},"b":{{"type":"typed-literal","value":"1","datatype":"{XSD}boolean"}}}}]}}}}')
    assert render(parse(answer), "csv") == "n,b\r\n1715,true\r\n"


def test_invalid_documents_and_formats_are_refused():
    with pytest.raises(SyntaxError):
        parse('{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"uri"}}]}}')
    with pytest.raises(SyntaxError):
        parse(b"<html><body>not found</body></html>")
    with pytest.raises(ValueError, match="unknown results format 'yaml'"):
        serialize(sample(), "yaml")
    with pytest.raises(ValueError, match="unknown format 'xml'; choose one of table"):
        render(sample(), "xml")
    assert set(RESULTS_FORMATS) == {"json", "xml", "csv", "tsv"}


def test_results_module_imports_no_standard_module_it_does_not_need():
    # The cold query path imports greenplan.query.results; the formats come from pyoxigraph, not these.
    code = ("import sys; before = set(sys.modules); import greenplan.query.results; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert not {"csv", "json", "dataclasses", "unicodedata", "xml.sax.saxutils"} & set(loaded), loaded
