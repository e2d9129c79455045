"""Fixtures of the crawl tests: the fixture site on a real 127.0.0.1 server and real crawls of it.

The site's pages and the helpers live in `fixture_site.py` (loaded by path: test folders are not
packages); tests reach them through the `kit` fixture.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crawler.demo_site.server import SiteServer
from detector.model import default_model_path


def _load_kit() -> ModuleType:
    """Import `fixture_site.py` beside this file."""
    spec = importlib.util.spec_from_file_location("crawler_fixture_site", Path(__file__).parent / "fixture_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


KIT = _load_kit()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per fixture article for the tests asking for `clean_path`, `contaminated_path`, `article_path`."""
    articles = {
        "clean_path": sorted(KIT.CLEAN_ARTICLES),
        "contaminated_path": sorted(KIT.CONTAMINATED_ARTICLES),
        "article_path": sorted({**KIT.CLEAN_ARTICLES, **KIT.CONTAMINATED_ARTICLES}),
    }
    for name, paths in articles.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, paths)


@pytest.fixture(scope="session")
def kit() -> ModuleType:
    """The fixture site's paths, expectations and crawl helpers."""
    return KIT


@pytest.fixture(scope="session")
def model_available() -> None:
    """Crawls score every page: they need the shipped model (or $HYGIENE_MODEL)."""
    if not default_model_path().is_file():
        pytest.skip(f"needs the detector model at {default_model_path()}")


@pytest.fixture(scope="module")
def site(model_available) -> SiteServer:
    """The fixture site on 127.0.0.1 (one server per test module)."""
    with KIT.serve_site() as server:
        yield server


@pytest.fixture
def fresh_site(model_available) -> SiteServer:
    """A fixture site of the test's own (for tests that change pages or slow the server down)."""
    with KIT.serve_site() as server:
        yield server


@pytest.fixture(scope="module")
def first_crawl(site: SiteServer, tmp_path_factory) -> KIT.FirstCrawl:
    """One full crawl of the fixture site, shared by the tests that only read its outcome."""
    db = tmp_path_factory.mktemp("first") / "hygiene.db"
    start = len(site.log)
    run = KIT.crawl(site, db)
    return KIT.FirstCrawl(db, run, [(entry.path, entry.status) for entry in site.log[start:]])
