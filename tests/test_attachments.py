"""A page and its attachments read as one plan (issue 25): the bundled plan published the way plans are — the body
as a web page ending with its 附件 list, annex 1 as a Word file and annex 2 as a spreadsheet, served from
127.0.0.1 — gives the plan the bundled text gives.

Expected counts are the bundled plan's, read by hand (annex 1: 112 numbered task rows; annex 2: 24 projects whose
investments add up to 2362.6 亿元); the files are made here from the bundled text, independently of the loaders.
"""
from __future__ import annotations

import functools
import html
import http.server
import re
from decimal import Decimal
from pathlib import Path

import pytest

from greenplan.loaders import load
from greenplan.loaders.fetch import kept_copy
from greenplan.resources import bundled_plan
from tests.docx_layout import ANNEX, _annex_rows, write_docx
from tests.servers import in_thread

ANNEX_LIST = re.compile(r"^(?:附件[：:])?\s*(\d)\.(.+)$")


def publish(text: str, directory: Path, port_hint: str = "") -> dict[str, Path]:
    """The page (body up to 附件1, its annex list as links), annex1.docx and annex2.xlsx in ``directory``."""
    import openpyxl

    lines = text.replace("\r\n", "\n").split("\n")
    annexes = [i for i, l in enumerate(lines) if ANNEX.match(l.strip())]
    body = []
    for line in lines[:annexes[0]]:
        line = line.strip()
        if not line:
            continue
        m = ANNEX_LIST.match(line)
        if m:       # 附件：1.重点任务分工表 / 2.重点项目建设表 → links to the files
            target = "files/annex1.docx" if m[1] == "1" else "files/annex2.xlsx"
            lead = "附件：" if line.startswith("附件") else ""
            body.append(f'<p>{lead}<a href="{target}">{html.escape(m[1] + "." + m[2])}</a></p>')
        else:
            body.append(f"<p>{html.escape(line)}</p>")
    page = directory / "plan.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>plan</title></head><body>'
                    '<a href="/other.pdf">not in the content</a><div id="UCAP-CONTENT">' + "\n".join(body)
                    + '<p><a href="http://127.0.0.2/files/elsewhere.docx">another host</a></p></div></body></html>',
                    encoding="utf-8")
    (directory / "files").mkdir()
    docx = write_docx("\n".join(lines[annexes[0]:annexes[1]]), directory / "files" / "annex1.docx")
    caption, header, rows = _annex_rows(lines[annexes[1] + 1:], 7)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append([lines[annexes[1]].strip()])
    for c in caption:
        ws.append([c])
    ws.append(["".join(c) for c in header])
    for cells, note in rows:
        values = ["".join(c) for c in cells]
        number = int(values[0])
        try:
            investment = float(values[4])
        except ValueError:
            investment = values[4]
        ws.append([number, *values[1:4], investment, *values[5:]])
        if note:
            ws.append([note])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=7)
    xlsx = directory / "files" / "annex2.xlsx"
    wb.save(xlsx)
    return {"page": page, "docx": docx, "xlsx": xlsx}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _tasks(plan):
    return [(t.number, t.chapter, t.measure, t.text, t.owners_raw, [(p.spelling, p.role) for p in t.parties])
            for t in plan.tasks]


def _projects(plan):
    return [(p.number, p.name, p.content, p.years_raw, p.investment, p.builder, p.lead_raw) for p in plan.projects]


@pytest.fixture(scope="module")
def bundled():
    plan, _ = load(bundled_plan())
    assert len(plan.tasks) == 112 and len(plan.projects) == 24
    assert sum(p.investment for p in plan.projects) == Decimal("2362.6")
    return plan


def test_page_and_attachments_served_give_the_bundled_plan(tmp_path, bundled):
    site = tmp_path / "site"
    site.mkdir()
    publish(bundled_plan().read_text(encoding="utf-8"), site)
    handler = functools.partial(_Quiet, directory=str(site))
    with in_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/plan.html"
        kept = kept_copy(url, tmp_path / "kept")
    plan, report = load(kept)
    assert len(plan.tasks) == 112
    assert _tasks(plan) == _tasks(bundled)
    assert len(plan.projects) == 24 and _projects(plan) == _projects(bundled)
    assert sum(p.investment for p in plan.projects) == Decimal("2362.6")
    # each record names the attachment it was read from: its URL, and where in it
    base = url.rsplit("/", 1)[0]
    assert {t.span.file for t in plan.tasks} == {base + "/files/annex1.docx"}
    assert all(t.span.xpath.startswith("/w:document/w:body/w:tbl[1]/w:tr[") for t in plan.tasks)
    assert {p.span.file for p in plan.projects} == {base + "/files/annex2.xlsx"}
    assert plan.projects[0].span.fragment.startswith("重点项目!A")
    # the body is the page's; links outside the content block or to another host were not fetched
    assert len(plan.chapters) == 8 and {c.span.file for c in plan.chapters} == {kept.name}
    kept_files = sorted(p.suffix for p in (tmp_path / "kept").iterdir() if p.suffix != ".json")
    assert kept_files == [".docx", ".html", ".xlsx"]     # not /other.pdf (outside the content), not the other host


def test_attachment_files_on_disk_give_the_bundled_plan(tmp_path, bundled):
    files = publish(bundled_plan().read_text(encoding="utf-8"), tmp_path)
    plan, _ = load(files["page"], attachments=[files["docx"], files["xlsx"]])
    assert _tasks(plan) == _tasks(bundled) and _projects(plan) == _projects(bundled)
    assert {t.span.file for t in plan.tasks} == {"annex1.docx"}
    assert {p.span.file for p in plan.projects} == {"annex2.xlsx"}


SPANS = """PREFIX gp: <https://w3id.org/greenplan/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?file ?cls (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?r a ?cls ; prov:wasDerivedFrom ?s . ?s gp:inDocument ?d .
?d gp:fileName ?file FILTER(?cls IN (gp:Task, gp:Project, gp:Chapter)) } } GROUP BY ?file ?cls ORDER BY ?file"""


def test_build_with_attachment_options(tmp_path):
    import subprocess
    import sys

    files = publish(bundled_plan().read_text(encoding="utf-8"), tmp_path)
    store = tmp_path / "store"
    cli = [sys.executable, "-m", "greenplan.cli"]
    attach = ["--attachment", str(files["docx"]), "--attachment", str(files["xlsx"])]
    built = subprocess.run(cli + ["build", "--source", str(files["page"]), *attach, "--store", str(store)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().endswith("plans: plan (112 tasks, 24 projects)")
    spans = subprocess.run(cli + ["sparql", "--store", str(store), "--format", "csv", SPANS], capture_output=True,
                           text=True, timeout=120)
    # the tasks point into the Word file, the projects into the spreadsheet, the chapters into the page
    assert spans.stdout.replace("\r", "").splitlines() == [
        "file,cls,n", "annex1.docx,https://w3id.org/greenplan/ontology#Task,112",
        "annex2.xlsx,https://w3id.org/greenplan/ontology#Project,24",
        "plan.html,https://w3id.org/greenplan/ontology#Chapter,8"]
    two = subprocess.run(cli + ["build", "--source", str(files["page"]), "--source", str(bundled_plan()), *attach,
                                "--store", str(tmp_path / "other")], capture_output=True, text=True, timeout=120)
    assert two.returncode == 2 and len(two.stderr.strip().splitlines()) == 1
    assert "--attachment needs exactly one --source" in two.stderr


def test_findings_in_attachments_are_placed_in_their_terms(tmp_path):
    """validate on the bundled plan published as a page, a Word annex 1 and a spreadsheet annex 2: each finding
    named where a reader finds it — a paragraph of the page, a row of the Word table, the cells of the sheet —
    and each place checked here by python-docx, openpyxl and lxml, not by greenplan's readers."""
    import docx
    import lxml.html
    import openpyxl

    from greenplan.store.core import Store, build_store, locate
    from greenplan.validate import check as v

    files = publish(bundled_plan().read_text(encoding="utf-8"), tmp_path)
    loc = locate(str(tmp_path / "s"), [str(files["page"])], None, [str(files["docx"]), str(files["xlsx"])])
    build_store(loc)
    store = Store(loc.directory)
    _, found, _ = v.validate(store)
    found = v.findings(found, v.Namer(store))
    table = docx.Document(str(files["docx"])).tables[0]
    sheet = openpyxl.load_workbook(files["xlsx"])["重点项目"]
    page = lxml.html.fromstring(files["page"].read_bytes(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    # the findings of the bundled draft (tests/test_validate.py, read by hand): tasks 79, 80, 83, 96 differ from
    # their section's text; projects 11 and 17 have no 建设单位; sentences no task carries; misprints
    tasks = {f.name.split()[1]: (f.name.split()[2].rstrip("…"), f.line) for f in found if f.shape == "Task-matchesSection"}
    assert sorted(tasks, key=int) == ["79", "80", "83", "96"]
    for start, where in tasks.values():     # the 序号 cell is Word's list numbering: the row's 任务内容 is the task
        m = re.fullmatch(r"table 1 row (\d+) of annex1\.docx", where)
        assert m, where
        assert table.rows[int(m[1]) - 1].cells[3].text.strip().startswith(start)
    projects = {f.name.split()[1]: f.line for f in found if f.shape == "Project-constructionUnit"}
    assert sorted(projects, key=int) == ["11", "17"]
    for number, where in projects.items():
        m = re.fullmatch(r"重点项目!A(\d+):G\1 of annex2\.xlsx", where)
        assert m, where
        assert sheet.cell(int(m[1]), 1).value == int(number) and not sheet.cell(int(m[1]), 6).value
    for f in found:
        if f.shape == "Sentence-carried":
            m = re.fullmatch(r"paragraph (\d+)", f.line)
            assert m, f.line
            paragraph = page.xpath(f'//*[@id="UCAP-CONTENT"]/p[{m[1]}]')[0].text_content()
            assert f.message.split("「", 1)[1].split("」", 1)[0] in paragraph     # the sentence is printed there
    assert not [f for f in found if f.line.startswith("line")]


def test_an_attachment_link_that_is_not_fetched_is_said(tmp_path):
    """A document link on another port is not fetched (same host and port only): the build says so, with the
    link and why, instead of reading the page as if it had no such annex."""
    page = ("<html><head><meta charset='utf-8'></head><body><p>某市关于推进绿色发展的实施方案</p><p>一、重点任务</p>"
            "<p>（一）推进产业转型。实施节能改造。（市发展改革委负责）</p>"
            "<p>附件：<a href='http://127.0.0.1:9/annex1.pdf'>1．重点任务分工表</a></p></body></html>")
    site = tmp_path / "site"
    site.mkdir()
    (site / "plan.html").write_text(page, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    with in_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        kept = kept_copy(f"http://127.0.0.1:{server.server_address[1]}/plan.html", tmp_path / "kept")
    _plan, report = load(kept)
    said = [str(i) for i in report.warnings() if "annex1.pdf" in str(i)]
    assert len(said) == 1 and "not fetched (on another host or port than the page)" in said[0]
