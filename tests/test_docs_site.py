"""The reference in docs/ builds as a site with `mkdocs build --strict` (any warning fails it), and
every page is in the site's navigation."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_command() -> list[str]:
    found = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    if found is None:
        if os.environ.get("GREENPLAN_REQUIRE_SYSTEM") == "1":
            pytest.fail('mkdocs is not installed: pip install -e ".[test]" (GREENPLAN_REQUIRE_SYSTEM=1)')
        pytest.skip('mkdocs is not installed: pip install -e ".[test]"')
    return [found]


def test_the_docs_site_builds_with_no_warning(tmp_path):
    p = subprocess.run(mkdocs_command() + ["build", "--strict", "--site-dir", str(tmp_path / "site")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "WARNING" not in p.stderr, p.stderr
    pages = sorted(str(f.relative_to(ROOT / "docs").with_suffix("")) for f in (ROOT / "docs").rglob("*.md"))
    assert pages, "docs/ holds no page"
    for page in pages:
        assert (tmp_path / "site" / (page + ".html")).is_file(), f"docs/{page}.md was not built"


def test_the_readme_introduces_and_points_to_the_reference():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")[:80]
    text = "\n".join(head)
    for needed in ("pip install -e . && greenplan query tasks", 'pip install -e ".[test]" && python -m pytest',
                   "$ greenplan query topic-bureaus --param topic=hydrogen", "--source tests/data/gov-cn/",
                   "](docs/network.png)", "docs/index.md"):
        assert needed in text, f"the README's first 80 lines lack {needed!r}"
    assert (ROOT / "docs" / "network.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
