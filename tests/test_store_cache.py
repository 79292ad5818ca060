"""The per-user store cache follows the code: a store built by other code is never answered from.

The package is copied (in its installed layout) into a temporary folder and run from there; the test edits
the copy, never the checkout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import INSTALLED_LAYOUT, ROOT

OPEN_LISTS = ("PREFIX gp: <https://w3id.org/greenplan/ontology#> "
              "SELECT ?n WHERE { GRAPH ?g { ?t gp:openOwnerList true ; gp:number ?n } }")
RUN = "import sys, greenplan; from greenplan.cli.main import main; print('package', greenplan.__file__, file=sys.stderr); sys.exit(main(sys.argv[1:]))"


def installed_copy(site: Path) -> Path:
    """The package as pip lays it out (greenplan/, greenplan/loaders/, …), copied from the checkout."""
    for folder, target in INSTALLED_LAYOUT.items():
        shutil.copytree(ROOT / folder, site / target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return site / "greenplan"


def greenplan(site: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GREENPLAN_STORE", "GREENPLAN_BASE", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(cache))
    done = subprocess.run([sys.executable, "-c", RUN, *args], cwd=site.parent, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"package {site / 'greenplan' / '__init__.py'}" in done.stderr   # the copy runs, not the checkout
    return done


def stores(cache: Path) -> dict[str, bytes]:
    return {d.name: (d / "manifest.json").read_bytes() + (d / "graph.nq").read_bytes()
            for d in sorted((cache / "greenplan" / "stores").iterdir())}


def test_changing_a_loader_line_or_adding_a_module_rebuilds_in_a_new_directory(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    package = installed_copy(site)
    query = ("sparql", OPEN_LISTS, "--format", "csv")

    first = greenplan(site, cache, *query)
    assert "first use" in first.stderr and first.stdout.split() == ["n", "71"]   # task 71's cell ends in 等
    built = stores(cache)
    assert len(built) == 1
    again = greenplan(site, cache, *query)
    assert "first use" not in again.stderr and stores(cache) == built            # unchanged code: reused

    reader = package / "loaders" / "structure.py"    # the structure reader: a table row's open list
    text = reader.read_text(encoding="utf-8")
    assert text.count("open_list=open_list or parse.open_list,") == 1
    reader.write_text(text.replace("open_list=open_list or parse.open_list,", "open_list=False,"), encoding="utf-8")
    changed = greenplan(site, cache, *query)
    assert "first use" in changed.stderr
    assert changed.stdout.split() == ["n"]                   # answered from a graph the edited loader built
    after = stores(cache)
    assert len(after) == 2 and {k: after[k] for k in built} == built   # beside the old one, which is untouched

    (package / "loaders" / "added_by_upgrade.py").write_text('"""A module added by an upgrade."""\n', encoding="utf-8")
    added = greenplan(site, cache, *query)
    assert "first use" in added.stderr and len(stores(cache)) == 3


def test_changing_a_data_file_rebuilds(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    package = installed_copy(site)
    greenplan(site, cache, "query", "projects", "--format", "csv")
    topics = package / "ontology" / "topics.ttl"
    topics.write_text(topics.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert "first use" in greenplan(site, cache, "query", "projects", "--format", "csv").stderr
    assert len(stores(cache)) == 2


def test_no_partial_directory_is_left_beside_the_stores(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    installed_copy(site)
    greenplan(site, cache, "build")
    [store] = (cache / "greenplan" / "stores").iterdir()
    before = os.stat(store / "graph.nq")
    greenplan(site, cache, "build")          # same key again: the existing directory is kept, not rewritten
    assert [p.name for p in (cache / "greenplan" / "stores").iterdir()] == [store.name]
    after = os.stat(store / "graph.nq")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_code_digest_is_remembered_by_the_files_stat_signature(tmp_path):
    from greenplan.store.fingerprint import code_digest, package_files

    names = [n for n, _ in package_files()]
    assert "greenplan.loaders/owners.py" in names and "greenplan.ontology/topics.ttl" in names
    assert not any("__pycache__" in n or n.startswith("greenplan/static") for n in names)
    digest = code_digest(tmp_path)
    [memo] = tmp_path.iterdir()
    assert memo.read_text(encoding="ascii").strip() == digest == code_digest(None)
    memo.write_text("f" * 64 + "\n", encoding="ascii")      # while the files are unchanged, the memo is read
    assert code_digest(tmp_path) == "f" * 64
