"""Every command example of README.md and docs/ runs and prints what it shows (tests/examples.py says how
examples are written; `python -m tests.examples --update` rewrites shown outputs after a change)."""
from __future__ import annotations

import shutil

import pytest

from tests import examples as ex
from tests.conftest import require_system


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    s = ex.Session(tmp_path_factory.mktemp("examples"))
    yield s
    s.close()


@pytest.mark.parametrize("page", ex.PAGES)
def test_the_examples_of_a_page_print_what_they_show(session, page):
    for program in sorted(ex.programs(page) - {"greenplan", "python"}):
        require_system(program, shutil.which(program) is not None, f"apt-get install {program}")
    assert ex.programs(page) <= {"greenplan", "python", "curl"}, "an example needs a program CI does not install"
    problems = ex.check_page(session, page)
    assert not problems, "\n\n".join(problems) + "\n\n(after a deliberate change: python -m tests.examples --update)"


def test_readme_and_docs_hold_examples_and_few_are_skipped():
    found = [e for page in ex.PAGES for e in ex.examples(page)]
    run = [e for e in found if e.skip is None]
    skipped = [e for e in found if e.skip is not None]
    assert len(ex.examples("README.md")) >= 3
    commands = [c for e in run for c in e.commands]
    assert len(commands) >= 30, "the reference shows fewer runnable commands than expected"
    assert len(skipped) <= 8 and len(skipped) < len(run) // 2, "too many examples are excluded from the run"
    assert all(e.skip for e in skipped), "a skip marker without a reason"


PAGE = """Some text.

```console
$ greenplan queries | head -2
{first}
{second}
$ echo 'a
  b' | wc -l
2
```
"""


def test_a_changed_output_fails_and_update_rewrites_it(session, tmp_path):
    actual = session.run("README.md", ex.examples("x", PAGE.format(first="", second="").split("\n"))[0].commands[0])
    assert len(actual) == 2
    good = PAGE.format(first=actual[0], second=actual[1]).split("\n")
    cmds = ex.examples("x", good)[0].commands
    assert [c.text for c in cmds] == ["greenplan queries | head -2", "echo 'a\n  b' | wc -l"]
    assert ex.matches(cmds[0].shown, actual)
    changed = actual[1].replace(actual[1].split()[0], "no-such-query")
    assert not ex.matches([actual[0], changed], actual)
    assert not ex.matches([actual[0]], actual)                       # a lost line
    assert ex.matches([actual[0], ex.CUT], actual)                    # a cut
    assert ex.matches([actual[0][:10] + ex.CUT, actual[1]], actual)   # a cut line end
    assert ex.updated([actual[0], changed], actual) == actual
    assert ex.updated([actual[0], ex.CUT], actual + ["x", "y"]) == [actual[0], ex.CUT]
    assert ex.updated(["old", ex.CUT, "(3 rows)"], ["a", "b", "(4 rows)"]) == ["a", ex.CUT, "(4 rows)"]
    assert ex.matches(["2"], session.run("README.md", cmds[1]))


def test_volatile_parts_are_masked():
    out = ex.mask("built /s/x/S: ok\nhttp://127.0.0.1:39929/ ~/.cache/greenplan/stores/c34af3eee25d2c30a702d34d\n", "/s/x")
    assert out == ["built S: ok", "http://127.0.0.1:…/ ~/.cache/greenplan/stores/…"]
