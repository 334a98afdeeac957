"""The Data page when another session stores the same month between preview and confirm."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import core.store
from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.sql import fetch_all

OpenApp = Callable[..., AppTest]
DATA = "app_pages/data.py"

REVISED = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2026-01,A2,Beta Co,1200,50,1150,800
2026-01,A4,Delta GmbH,-100,0,-100,-80
2026-01,A6,Zeta Ltd,3000,0,3000,2000
"""
"""This session's 2026-01: 3 rows, net 1,150 − 100 + 3,000 = 4,050."""
OTHER = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2026-01,A2,Beta Co,500,0,500,300
2026-01,A7,Eta SA,250,0,250,100
"""
"""Another session's 2026-01, stored as upload 2: 2 rows, net 500 + 250 = 750."""
FEBRUARY_OTHER = "Month,Account ID,Net Revenue\n2026-02,A1,600\n2026-02,A2,40\n"
"""Another session's new 2026-02, stored as upload 2: 2 rows, net 640."""
FEBRUARY = "Month,Account ID,Net Revenue\n2026-02,A1,100\n"
"""This session's 2026-02: 1 row, net 100."""
CHANGED = (
    "2026-01 of source 'default' changed since your preview: it now holds upload 2 "
    "(2 rows, net revenue 750.00); nothing was stored, check the preview again and confirm"
)


def other_session_stores(db: Database, name: str, text: str) -> None:
    """Another browser session (or the CLI) stores a file through core, replacing if asked."""
    prepared = prepare_upload(name, text.encode("utf-8"), IngestOptions())
    core.store.store_uploads(db, [prepared], replace=True)


def upload(at: AppTest, name: str, text: str) -> AppTest:
    at.file_uploader[0].set_value([(name, text.encode("utf-8"), "text/csv")])
    return at.run()


def active_months(db: Database) -> list[tuple]:
    """(month, upload id, net revenue) of every active stored month."""
    with db.connect() as con:
        return fetch_all(
            con,
            "SELECT strftime(month, '%Y-%m'), upload_id, round(sum(net_revenue), 2) "
            "FROM active_rows GROUP BY ALL ORDER BY ALL",
        )


def warnings(at: AppTest) -> str:
    """Every warning on the page, markdown escapes removed."""
    return "\n".join(w.value for w in at.warning).replace("\\", "")


class TestMonthChangedBetweenPreviewAndConfirm:
    def test_the_user_sees_what_is_stored_now_and_confirms_again(
        self, open_app: OpenApp, portfolio: Database
    ) -> None:
        """The preview offered to replace upload 1's 2026-01 (2 rows, 850); before the click,
        another session replaced it with upload 2 (2 rows, 750). The click stores nothing:
        the page names upload 2 and asks again; a new tick and click replace upload 2."""
        at = upload(open_app(DATA), "january.csv", REVISED)
        assert "Replace 2026-01 (2 rows, 850) with 3 rows, 4.0K?" in warnings(at)
        at.checkbox[0].check().run()
        other_session_stores(portfolio, "other.csv", OTHER)

        at.button(key="data.store").click().run()
        assert not at.exception
        assert CHANGED in warnings(at)
        assert "Replace 2026-01 (2 rows, 750) with 3 rows, 4.0K?" in warnings(at)
        assert not at.checkbox[0].value, "the tick confirmed upload 1, not upload 2"
        assert ("2026-01", 2, 750.0) in active_months(portfolio)

        at.checkbox[0].check().run()
        assert CHANGED not in warnings(at)
        at.button(key="data.store").click().run()
        assert at.dataframe[0].value["Status"].tolist() == ["replaced earlier data"]
        assert ("2026-01", 3, 4050.0) in active_months(portfolio)

    def test_a_month_stored_meanwhile_after_an_empty_preview(
        self, open_app: OpenApp, portfolio: Database
    ) -> None:
        """2026-02 was not stored when previewed; another session stores it (upload 2, 2 rows,
        640). The click stores nothing and asks for a replace confirmation."""
        at = upload(open_app(DATA), "february.csv", FEBRUARY)
        assert not at.checkbox, "a new month needs no confirmation"
        other_session_stores(portfolio, "other.csv", FEBRUARY_OTHER)
        at.button(key="data.store").click().run()
        assert "2026-02 of source 'default' changed since your preview" in warnings(at)
        assert "it now holds upload 2 (2 rows, net revenue 640.00)" in warnings(at)
        assert "Replace 2026-02 (2 rows, 640) with 1 rows, 100?" in warnings(at)
        assert ("2026-02", 2, 640.0) in active_months(portfolio)


class TestMonthChangedDuringConfirm:
    def test_the_store_refuses_and_the_page_shows_why(
        self, open_app: OpenApp, portfolio: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The other session commits inside the confirming run, after the page read the
        preview: the write transaction sees upload 2 where the user saw upload 1."""
        real_store = core.store.store_uploads
        raced: list[bool] = []

        def store_after_another_session(db, batch, replace=False, seen=None):
            if not raced:  # once: the retry below goes through unhindered
                raced.append(True)
                other = prepare_upload("other.csv", OTHER.encode("utf-8"), IngestOptions())
                real_store(db, [other], replace=True)
            return real_store(db, batch, replace, seen)

        at = upload(open_app(DATA), "january.csv", REVISED)
        at.checkbox[0].check().run()
        monkeypatch.setattr(core.store, "store_uploads", store_after_another_session)
        at.button(key="data.store").click().run()
        assert not at.exception
        assert at.error[0].value == "Nothing was stored:"
        (refusal,) = [d.value for d in at.dataframe if {"File", "Problem"} <= set(d.value.columns)]
        assert refusal[["File", "Problem"]].values.tolist() == [["january.csv", CHANGED]]
        assert ("2026-01", 2, 750.0) in active_months(portfolio)

        at.run()
        assert CHANGED in warnings(at)
        at.checkbox[0].check().run()
        at.button(key="data.store").click().run()
        assert ("2026-01", 3, 4050.0) in active_months(portfolio)
