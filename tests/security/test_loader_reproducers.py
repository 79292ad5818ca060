"""Issue 15, Loader: each input that made a traceback or silent wrong data, as a test.

Inputs are the bundled plan (copied with its .meta.toml into a temporary directory) with one change each.
Expected values are read from the plan by hand: 8 chapters (一 … 八), 30 sections (（一） … （三十））, annex 1's
first row numbered 1 on the line after its row-number header, annex 2's project 1 printed with investment 44.6 (亿元).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from greenplan.build.dataset import build
from greenplan.loaders import limits, load
from greenplan.loaders.errors import PlanFormatError
from greenplan.resources import bundled_plan

XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
GP = "https://w3id.org/greenplan/ontology#"
LOCATED = re.compile(r"[^\n]*{name}:(\d+): expected [^\n]+\Z")
QUDT = "http://qudt.org/schema/qudt/"


def _amounts(dataset, project=None) -> list:
    """The numeric values of the investment amounts (gp:investment → qudt:numericValue) of one project, or of all."""
    nodes = {q.object for q in dataset.quads if q.predicate.value == GP + "investment"
             and (project is None or q.subject == project)}
    return [q.object for q in dataset.quads if q.subject in nodes and q.predicate.value == QUDT + "numericValue"]


def _plan(tmp: Path, text: str | None = None, meta: bytes | None = None) -> Path:
    source = bundled_plan()
    target = tmp / source.name
    target.write_text(text if text is not None else source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / (source.stem + ".meta.toml")).write_bytes(
        meta if meta is not None else source.with_name(source.stem + ".meta.toml").read_bytes())
    return target


def _text() -> str:
    return bundled_plan().read_text(encoding="utf-8")


def _located(error: PlanFormatError, name: str) -> int:
    """The line a one-line error names for file ``name``."""
    m = re.compile(LOCATED.pattern.format(name=re.escape(name))).match(str(error))
    assert m, f"not one located line: {error}"
    return int(m[1])


def _meta(**changes: str) -> bytes:
    lines = bundled_plan().with_name(bundled_plan().stem + ".meta.toml").read_text(encoding="utf-8").splitlines()
    out = [line for line in lines if line.split("=")[0].strip() not in changes]
    out += [f"{k} = {v}" for k, v in changes.items()]
    return ("\n".join(out) + "\n").encode("utf-8")


def _line_of(text: str, line: str, after: int = 0) -> int:
    """1-based number of the first line equal to ``line`` after line ``after``."""
    lines = text.split("\n")
    return next(i + 1 for i in range(after, len(lines)) if lines[i] == line)


# --- chapter and section numerals out of counting order ------------------------------------------------------

def test_chapter_numeral_out_of_counting_order_is_kept_as_text_with_a_warning(tmp_path):
    lines = _text().split("\n")
    at = _line_of(_text(), "一、总体要求")
    lines.insert(at, "三五、不是一个章节")
    plan, report = load(_plan(tmp_path, "\n".join(lines)))
    assert [c.numeral for c in plan.chapters] == list("一二三四五六七八")
    warnings = [w for w in report.warnings() if "三五" in w.message]
    assert warnings and warnings[0].span.first == at + 1
    assert any("三五、不是一个章节" in text for _, text in plan.unparsed)
    build([plan], report)


def test_section_numeral_out_of_counting_order_is_kept_as_printed_without_a_number(tmp_path):
    lines = _text().split("\n")
    at = _line_of(_text(), "二、健全绿色低碳循环发展的生产体系")
    lines.insert(at, "（十十十）一个编号不合规则的部分。内容照录。")
    plan, report = load(_plan(tmp_path, "\n".join(lines)))
    odd = [s for s in plan.sections if s.numeral == "十十十"]
    assert len(odd) == 1 and odd[0].number is None and odd[0].span.first == at + 1
    assert len(plan.sections) == 31
    assert any("十十十" in w.message and w.span.first == at + 1 for w in report.warnings())
    build([plan], report)


# --- numbers beyond what the document's grammar reads --------------------------------------------------------

@pytest.mark.parametrize("digits", [4300, 4301, 10])
def test_a_task_number_of_thousands_of_digits_is_a_located_error(tmp_path, digits):
    text = _text()
    annex = _line_of(text, "附 件1")
    first_row = _line_of(text, "\t1", annex)
    lines = text.split("\n")
    lines[first_row - 1] = "\t" + "1" * digits
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, "\n".join(lines)))
    assert _located(e.value, bundled_plan().name) == first_row
    assert "1 to 9 digits" in str(e.value)


@pytest.mark.parametrize("printed", ["1e5", "1_000", "1E+5", "-3", "Infinity", "٤٤.٦"])
def test_an_investment_outside_the_documents_grammar_is_kept_as_printed_and_reported(tmp_path, printed):
    text = _text()
    assert text.count("\t44.6\n") == 1
    plan, report = load(_plan(tmp_path, text.replace("\t44.6\n", f"\t{printed}\n")))
    project = next(p for p in plan.projects if p.number == 1)
    assert project.investment_raw == printed and project.investment is None
    assert any(printed in w.message and "investment" in w.message for w in report.warnings())
    dataset = build([plan], report)
    decimals = _amounts(dataset)
    assert decimals and all(re.fullmatch(r"\d+(\.\d+)?", d.value) for d in decimals)
    iri = next(q.subject for q in dataset.quads if q.predicate.value == GP + "investmentAsPrinted"
               and q.object.value == printed)
    assert not _amounts(dataset, iri)
    assert not [q for q in dataset.quads if q.subject == iri and q.predicate.value == GP + "investment"]


@pytest.mark.parametrize("printed, value", [("44.6", "44.6"), ("４４．６", "44.6"), ("44.6亿元", "44.6"),
                                            ("5000万元", "0.5"), ("0.00000001", "0.00000001")])
def test_an_investment_in_the_documents_grammar_is_a_valid_decimal(tmp_path, printed, value):
    plan, report = load(_plan(tmp_path, _text().replace("\t44.6\n", f"\t{printed}\n")))
    dataset = build([plan], report)
    iri = next(q.subject for q in dataset.quads if q.predicate.value == GP + "investmentAsPrinted"
               and q.object.value == printed)
    found = _amounts(dataset, iri)
    assert len(found) == 1 and found[0].datatype.value == XSD_DECIMAL
    from decimal import Decimal
    assert Decimal(found[0].value) == Decimal(value) and "E" not in found[0].value


def test_the_investment_shape_flags_a_project_whose_investment_does_not_read(tmp_path):
    import pyoxigraph as ox

    from greenplan.validate.check import dataset_from_nquads, run_shapes

    plan, report = load(_plan(tmp_path, _text().replace("\t44.6\n", "\t1e5\n")))
    dataset = build([plan], report)
    iri = next(q.subject for q in dataset.quads if q.predicate.value == GP + "investmentAsPrinted"
               and q.object.value == "1e5")
    project = [q for q in dataset.quads if q.subject == iri]
    conforms, result = run_shapes(dataset_from_nquads(ox.serialize(project, format=ox.RdfFormat.N_QUADS)))
    import rdflib
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shapes = {str(result.value(r, sh.sourceShape)) for r in result.subjects(sh.focusNode, rdflib.URIRef(iri.value))}
    assert "https://w3id.org/greenplan/shapes#Project-investment" in shapes
    assert not conforms


# --- the metadata file ---------------------------------------------------------------------------------------

def test_invalid_utf8_in_the_metadata_file_is_a_located_error(tmp_path):
    meta = _meta(title='"湛江"').replace("湛江".encode(), b"\xe6\xb9")   # a character cut in half
    line = meta[:meta.index(b"\xe6\xb9")].count(b"\n") + 1
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, meta=meta))
    assert _located(e.value, ".meta.toml") == line and "UTF-8" in str(e.value)


def test_a_metadata_file_that_is_a_directory_is_a_located_error(tmp_path):
    source = _plan(tmp_path)
    meta = source.with_name(source.stem + ".meta.toml")
    meta.unlink()
    meta.mkdir()
    with pytest.raises(PlanFormatError) as e:
        load(source)
    assert _located(e.value, ".meta.toml") == 1 and "directory" in str(e.value)


def test_an_identifier_with_a_final_newline_is_rejected(tmp_path):
    meta = _meta(identifier='"abc\\n"')
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, meta=meta))
    assert _located(e.value, ".meta.toml") == meta.decode().splitlines().index('identifier = "abc\\n"') + 1
    assert "identifier" in str(e.value)


@pytest.mark.parametrize("code", ['"<script>"', '"4408000"', '"44080"', '"440800\\n"', "440800"])
def test_a_jurisdiction_code_that_is_not_a_division_code_is_rejected(tmp_path, code):
    meta = _meta(jurisdiction_code=code)
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, meta=meta))
    assert _located(e.value, ".meta.toml") == meta.decode().splitlines().index(f"jurisdiction_code = {code}") + 1
    assert "jurisdiction_code" in str(e.value) and "six-digit" in str(e.value)


@pytest.mark.parametrize("code", ['"440800"', '"CN"'])
def test_a_division_code_or_cn_is_accepted(tmp_path, code):
    plan, _ = load(_plan(tmp_path, meta=_meta(jurisdiction_code=code)))
    assert plan.metadata.jurisdiction_code == code.strip('"')


# --- size limits (set small here, and just exceeded) ---------------------------------------------------------

def test_a_cell_over_the_per_cell_limit_is_a_located_error(tmp_path, monkeypatch):
    text = _text()
    lines = text.split("\n")
    row = _line_of(text, "\t1", _line_of(text, "附 件1"))     # the task text is the cell after the row number
    longest = max(len(line.strip()) for line in lines)
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", longest + 10)
    plan, _ = load(_plan(tmp_path, text))                    # at the limit: loads
    lines[row] = "\t" + "绿" * (longest + 11)
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, "\n".join(lines)))
    assert _located(e.value, bundled_plan().name) == row + 1
    assert f"{longest + 10:,} characters" in str(e.value)


def test_a_document_over_the_per_document_limit_is_a_clear_error(tmp_path, monkeypatch):
    source = _plan(tmp_path)
    size = source.stat().st_size
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", size)
    load(source)                                              # exactly the limit: loads
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", size - 1)
    with pytest.raises(PlanFormatError) as e:
        load(source)
    assert _located(e.value, bundled_plan().name) == 1 and f"{size:,} bytes" in str(e.value)


def test_a_word_file_that_unpacks_over_the_limit_is_a_clear_error(tmp_path, monkeypatch):
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * 5000)
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", 4999)
    with pytest.raises(PlanFormatError) as e:
        load(path)
    assert _located(e.value, "bomb.docx") == 1 and "5,000 bytes" in str(e.value)


# --- the command line ----------------------------------------------------------------------------------------

def test_a_symlink_loop_as_source_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    run = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", str(tmp_path / "a.txt"),
                          "--store", str(tmp_path / "store")], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GREENPLAN_STORE": str(tmp_path / "store")})
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "a.txt" in run.stderr and "symbolic link" in run.stderr


# --- dates -----------------------------------------------------------------------------------------------------

def test_a_written_date_not_of_the_calendar_is_reported_and_left_out(tmp_path):
    page = Path(__file__).parent.parent / "data" / "gov-cn" / "gbf-2018-129-consumption-poverty-alleviation.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("<td>2018年12月30日</td>") == 1            # 成文日期 as printed on the page
    target = tmp_path / page.name
    target.write_text(html.replace("<td>2018年12月30日</td>", "<td>2018年13月45日</td>"), encoding="utf-8")
    plan, report = load(target)
    assert plan.metadata.date_written is None
    assert any("2018年13月45日" in w.message for w in report.warnings())
    dataset = build([plan], report)
    assert not [q for q in dataset.quads if q.predicate.value.endswith("date_document")]


@pytest.mark.parametrize("value", ['"2018-02-30"', '"yesterday"', '"2018-1-2"'])
def test_a_metadata_date_that_is_not_a_date_is_rejected(tmp_path, value):
    meta = _meta(date_written=value)
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, meta=meta))
    assert _located(e.value, ".meta.toml") == meta.decode().splitlines().index(f"date_written = {value}") + 1


def test_a_metadata_date_as_a_toml_date_is_accepted(tmp_path):
    plan, _ = load(_plan(tmp_path, meta=_meta(date_written="2021-03-01")))
    assert plan.metadata.date_written == "2021-03-01"


def test_a_metadata_value_over_the_per_cell_limit_is_a_located_error(tmp_path, monkeypatch):
    most = max(len(line.strip()) for line in _text().split("\n")) + 10      # the plan's own lines stay within
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", most)
    load(_plan(tmp_path, meta=_meta(description='"' + "绿" * most + '"')))     # at the limit: loads
    meta = _meta(description='"' + "绿" * (most + 1) + '"')
    with pytest.raises(PlanFormatError) as e:
        load(_plan(tmp_path, meta=meta))
    assert _located(e.value, ".meta.toml") == meta.decode().splitlines().index(
        'description = "' + "绿" * (most + 1) + '"') + 1


# --- damaged Word packages and oversized table spans -------------------------------------------------------------

@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_a_truncated_word_file_is_a_located_error(tmp_path, keep):
    from tests.docx_layout import write_docx

    whole = write_docx(_text(), tmp_path / "whole.docx").read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole[:int(len(whole) * keep)])
    with pytest.raises(PlanFormatError) as e:
        load(cut)
    assert _located(e.value, "cut.docx") == 1 and "Word .docx" in str(e.value)


def test_an_html_colspan_of_eighty_digits_is_clamped(tmp_path):
    page = Path(__file__).parent.parent / "data" / "gov-cn" / "gbf-2018-126-innovation-reform-measures.html"
    html = page.read_text(encoding="utf-8")
    assert "<td" in html
    target = tmp_path / page.name
    target.write_text(html.replace("<td", '<td colspan="' + "12" * 40 + '"', 1), encoding="utf-8")
    plan, report = load(target)      # one wide cell, not 10^80 of them
    assert plan.tasks
