"""Fuzz the document readers in-process: every mutant of a real input ends in a clean located error or a load.

Inputs: the bundled plan (TAB-celled text) with its .meta.toml, a plain-text plan whose tasks are closed by
responsibility notes (tests/data/guangzhou-sample.txt), the gov.cn pages in tests/data/gov-cn/, and the
bundled plan written as a Word file (tests/docx_layout.py).  Each case is a seeded mutant (tests/security/mutate.py),
read by ``greenplan.loaders.load`` and, when it loads, built into quads (the per-plan part of
``greenplan.build.dataset.build``: PlanBuilder + tagging, with the ontology parsed once for all cases).  A case passes when
it raises PlanFormatError with one line naming the file and a line, or loads and builds with every xsd:decimal and
xsd:integer and xsd:date literal valid.  Anything else fails the test with the case's seed, number and mutations.

Reproduce one case with its traceback:  GREENPLAN_FUZZ_CASE=text:123 python -m pytest tests/security/test_fuzz_loaders.py
More cases:  GREENPLAN_FUZZ_CASES=20000 (default 1000 per input format).
"""
from __future__ import annotations

import datetime
import io
import os
import re
import time
import traceback
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from greenplan.build.authority import Authority
from greenplan.build.dataset import PlanBuilder, resource_quads
from greenplan.build.tagging import tag_plan
from greenplan.iris import Minter
from greenplan.loaders import load
from greenplan.loaders.errors import PlanFormatError
from greenplan.resources import bundled_plan
from tests.docx_layout import write_docx
from tests.security.mutate import mutate, mutate_wordml

SEED = int(os.environ.get("GREENPLAN_FUZZ_SEED", "15"))   # fixed in CI; other seeds explore
CASES = int(os.environ.get("GREENPLAN_FUZZ_CASES", "1000"))
ONLY = os.environ.get("GREENPLAN_FUZZ_CASE")           # "text:123"
PAGES = sorted((Path(__file__).parent.parent / "data" / "gov-cn").glob("*.html"))
XSD = "http://www.w3.org/2001/XMLSchema#"
LOCATED = re.compile(r"[^\n:]*(\.txt|\.html|\.docx|\.meta\.toml):\d+: expected [^\n]+\Z")
LEXICAL = {XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z"), XSD + "integer": re.compile(r"[+-]?\d+\Z"),
           XSD + "date": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\Z")}


def _calendar(literal) -> bool:
    """An xsd:date names a day of the calendar (2018-02-30 does not)."""
    if literal.datatype.value != XSD + "date":
        return True
    try:
        return bool(datetime.date.fromisoformat(literal.value))
    except ValueError:
        return False


class Builder:
    """The per-plan part of greenplan.build.dataset.build, with the ontology files parsed once."""

    def __init__(self):
        self.minter = Minter(None)
        self.resources = resource_quads(self.minter)
        self.authority = Authority(self.resources, self.minter)

    def __call__(self, plan, report) -> list:
        builder = PlanBuilder(plan, self.minter, self.authority, report)
        quads = builder.build() + tag_plan(plan, builder, self.resources)
        for q in quads:
            o = q.object
            pattern = LEXICAL.get(getattr(getattr(o, "datatype", None), "value", ""))
            if pattern and not (pattern.match(o.value) and _calendar(o)):
                raise AssertionError(f"invalid {o.datatype.value} literal {o.value!r} on {q.predicate.value}")
        return quads


@pytest.fixture(scope="module")
def builder():
    return Builder()


def _docx_parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _rezip(parts, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:    # stored: fast; the zip cases use the deflated seed
        for info, content in parts:
            z.writestr(info.filename, data if info.filename == name else content)
    return out.getvalue()


def _shortened(text: str, keep: int = 160) -> str:
    """The bundled plan with only the first ``keep`` lines of each annex table (its body whole), so that a Word
    case costs about what a text case does."""
    lines = text.split("\n")
    annexes = [i for i, line in enumerate(lines) if re.fullmatch(r"附\s*件\s*\d", line.strip())] + [len(lines)]
    out = lines[:annexes[0]]
    for start, stop in zip(annexes, annexes[1:]):
        out += lines[start:min(stop, start + keep)]
    return "\n".join(out)


def _inputs(fmt: str, tmp: Path):
    """(path the mutant is written to, a function case → list of (path, bytes, steps))."""
    if fmt == "text":
        plan = bundled_plan()
        meta = plan.with_name(plan.stem + ".meta.toml")
        target = tmp / plan.name
        target_meta = tmp / meta.name
        plan_bytes, meta_bytes = plan.read_bytes(), meta.read_bytes()

        def case(k: int):
            if k % 20 == 19:      # every 20th case mutates the metadata file instead
                data, steps = mutate(meta_bytes, SEED, k)
                return [(target, plan_bytes), (target_meta, data)], ["meta: " + s for s in steps]
            data, steps = mutate(plan_bytes, SEED, k)
            return [(target, data), (target_meta, meta_bytes)], steps
        return target, case
    if fmt == "plain":        # plain text, one paragraph a line, tasks closed by responsibility notes
        sample = Path(__file__).parent.parent / "data" / "guangzhou-sample.txt"
        original = sample.read_bytes()
        (tmp / "guangzhou-sample.meta.toml").write_bytes(sample.with_name("guangzhou-sample.meta.toml").read_bytes())

        def case(k: int):
            data, steps = mutate(original, SEED, k)
            return [(tmp / sample.name, data)], steps
        return None, case
    if fmt == "html":
        originals = [(p.name, p.read_bytes()) for p in PAGES]

        def case(k: int):
            name, original = originals[k % len(originals)]
            data, steps = mutate(original, SEED, k)
            return [(tmp / name, data)], [name] + steps
        return None, case
    (tmp / "seed").mkdir()
    source = write_docx(_shortened(bundled_plan().read_text(encoding="utf-8")), tmp / "seed" / "plan.docx")
    parts = _docx_parts(source)
    xml = dict((i.filename, c) for i, c in parts)["word/document.xml"]
    whole = source.read_bytes()
    target = tmp / "plan.docx"

    def case(k: int):
        if k % 4 == 3:        # the zip package itself: flips, truncation, spliced bytes
            data, steps = mutate(whole, SEED, k)
            return [(target, data)], ["zip: " + s for s in steps]
        if k % 4 == 2:        # document.xml as bytes: mostly not well-formed any more
            data, steps = mutate(xml, SEED, k)
        else:                 # well-formed WordprocessingML with mutated text, rows, cells, numbering
            data, steps = mutate_wordml(xml, SEED, k)
        return [(target, _rezip(parts, "word/document.xml", data))], ["document.xml: " + s for s in steps]
    return target, case


def _where(e: BaseException) -> str:
    """Exception type and the innermost frame of the project's code that raised it."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if "/site-packages/" not in f.filename
              and "/lib/python" not in f.filename]
    f = frames[-1] if frames else None
    return f"{type(e).__name__} at {Path(f.filename).name}:{f.lineno}" if f else type(e).__name__


def _run(fmt: str, tmp: Path, build) -> None:
    _, make = _inputs(fmt, tmp)
    only = None
    if ONLY:
        f, _, n = ONLY.partition(":")
        if f != fmt:
            pytest.skip(f"GREENPLAN_FUZZ_CASE={ONLY} selects another format")
        only = int(n)
    failures: list[str] = []
    kinds: Counter = Counter()
    outcomes = {"error": 0, "loaded": 0}
    slowest = (0.0, -1)
    started = time.perf_counter()
    for k in ([only] if only is not None else range(CASES)):
        files, steps = make(k)
        for path, data in files:
            path.write_bytes(data)
        source = files[0][0]
        stage = "load"
        began = time.perf_counter()
        try:
            plan, report = load(source)
            stage = "build"
            build(plan, report)
        except PlanFormatError as e:
            slowest = max(slowest, (time.perf_counter() - began, k))
            if not LOCATED.match(str(e)):
                failures.append(f"{fmt} case {k} {steps}: error not one located line: {str(e)[:300]!r}")
            outcomes["error"] += 1
            continue
        except Exception as e:                           # noqa: BLE001 - any other exception is the finding
            if only is not None:
                raise
            kinds[_where(e)] += 1
            failures.append(f"{fmt} case {k} {steps}: {stage}: {type(e).__name__}: {str(e)[:200]}\n"
                            + "".join(traceback.format_exception(e)[-3:]))
            continue
        outcomes["loaded"] += 1
        slowest = max(slowest, (time.perf_counter() - began, k))
    elapsed = time.perf_counter() - started
    print(f"{fmt}: {CASES if only is None else 1} cases in {elapsed:.1f} s: {outcomes}; slowest case {slowest[1]}: {slowest[0]:.2f} s")
    if failures:
        for path, data in make(int(failures[0].split()[2]))[0]:
            (tmp / ("first-failure-" + path.name)).write_bytes(data)
        pytest.fail(f"{len(failures)} of {CASES} {fmt} mutants neither loaded nor gave a clean located error "
                    f"(seed {SEED}; reproduce one with GREENPLAN_FUZZ_CASE={fmt}:N; first mutant kept in {tmp}):\n"
                    + "".join(f"  {n} × {w}\n" for w, n in kinds.most_common()) + "\n".join(failures[:15]))
    # the mutator must reach both outcomes, or it tests nothing
    assert only is not None or (outcomes["error"] > CASES // 20 and outcomes["loaded"] > CASES // 20), outcomes


def test_fuzz_bundled_plan_text(tmp_path, builder):
    _run("text", tmp_path, builder)


def test_fuzz_plain_text_with_notes(tmp_path, builder):
    _run("plain", tmp_path, builder)


def test_fuzz_gov_cn_html(tmp_path, builder):
    _run("html", tmp_path, builder)


def test_fuzz_word_docx(tmp_path, builder):
    _run("docx", tmp_path, builder)
