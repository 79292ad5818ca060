"""Shared fixtures. One builder (greenplan.store.core.build_store) makes the test graphs, as it makes the user's."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from greenplan.resources import bundled_plan

# The store keeper (greenplan.store.keeper) is off for the suite: tests that build "large" stores check the in-process
# paths; tests/test_keeper.py turns it on for its own stores. A keeper a test starts exits after 5 s idle.
os.environ["GREENPLAN_KEEPER"] = "off"
os.environ["GREENPLAN_KEEPER_IDLE"] = "5"

TESTS = Path(__file__).parent
DATA = TESTS / "data"
ROOT = TESTS.resolve().parent          # the checkout the tests belong to
# checkout folder → where it lies in the installed package (pyproject.toml's package-dir)
INSTALLED_LAYOUT = {"graph": "greenplan", "loaders": "greenplan/loaders", "ontology": "greenplan/ontology",
                    "queries": "greenplan/queries", "shapes": "greenplan/shapes", "data": "greenplan/data"}


def require_system(what: str, available: bool, how: str) -> None:
    """Skip (on a user's machine) or fail (in CI, GREENPLAN_REQUIRE_SYSTEM=1) when a system part is missing."""
    if available:
        return
    message = f"{what} is not available: {how}"
    if os.environ.get("GREENPLAN_REQUIRE_SYSTEM") == "1":
        pytest.fail(message + " (GREENPLAN_REQUIRE_SYSTEM=1: CI must install it)")
    pytest.skip(message)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (no browser download)."""
    path = chromium_path()
    require_system("chromium", path is not None, "apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_system("playwright (Python package)", False, 'pip install -e ".[test]"')
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def source(tmp_path_factory) -> Path:
    """A private copy of the bundled plan and its metadata file."""
    d = tmp_path_factory.mktemp("source")
    src = bundled_plan()
    shutil.copy(src, d / src.name)
    meta = src.with_name(src.stem + ".meta.toml")
    shutil.copy(meta, d / meta.name)
    return d / src.name


@pytest.fixture(scope="session")
def plan(source):
    from greenplan.loaders import load

    return load(source)


@pytest.fixture(scope="session")
def store(tmp_path_factory, source):
    """The bundled plan built into a fresh store directory."""
    from greenplan.store.core import Store, build_store, locate

    loc = locate(str(tmp_path_factory.mktemp("store")), [str(source)])
    build_store(loc)
    return Store(loc.directory)
