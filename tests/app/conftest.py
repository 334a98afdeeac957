"""AppTest fixtures: a tiny portfolio whose figures are worked out by hand, and the app on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.store import store_uploads

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 30

PORTFOLIO_CSV = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2025-11,A1,Acme Ltd,1000,100,900,600
2025-11,A2,Beta Co,500,0,500,400
2025-12,A1,Acme Ltd,2000,200,1800,1200
2025-12,A3,*Gamma* <b>Inc</b>,300,30,270,300
2026-01,A2,Beta Co,1000,50,950,700
2026-01,A4,Delta GmbH,-100,0,-100,-80
"""
"""Three months, four accounts. By hand:
net revenue 900 + 500 + 1800 + 270 + 950 − 100 = 4,320;
cost 600 + 400 + 1200 + 300 + 700 − 80 = 3,120, so gross profit 1,200;
discount 380 over list 4,700 = 8.1%;
accounts with positive revenue: A1 (2,700), A2 (1,450), A3 (270) = 3; A4 (−100) is apart.
Net revenue by month: 2025-11 1,400; 2025-12 2,070; 2026-01 850."""


@pytest.fixture
def make_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Database]:
    """Build a database in tmp_path from CSV texts (name -> text) and point the app at it."""

    def build(files: dict[str, str] | None = None, source: str = "default") -> Database:
        db = Database(tmp_path / "keystone.duckdb")
        db.ensure_schema()
        batch = [
            prepare_upload(name, text.encode("utf-8"), IngestOptions(source=source))
            for name, text in (files or {}).items()
        ]
        if batch:
            store_uploads(db, batch)
        monkeypatch.setenv("KEYSTONE_DB_PATH", str(db.path))
        monkeypatch.setenv("KEYSTONE_LANGUAGE", "en")
        return db

    return build


@pytest.fixture
def portfolio(make_database: Callable[..., Database]) -> Database:
    """The hand-worked portfolio, stored as one upload of source 'default'."""
    return make_database({"portfolio.csv": PORTFOLIO_CSV})


def _open_app(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query:
        at.query_params = dict(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def open_app() -> Callable[..., AppTest]:
    """Run the app once, optionally with URL parameters and switched to a page script."""
    return _open_app


@pytest.fixture
def portfolio_csv() -> str:
    """The hand-worked portfolio export."""
    return PORTFOLIO_CSV
