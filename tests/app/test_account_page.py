"""The Account page on the hand-worked portfolio of tests/core/test_account.py.

Typing a search that is not an option (accept_new_options) cannot be sent from AppTest; the
browser test tests/e2e/test_account.py covers it.

The app's default period is all four stored months, 2025-01 … 2025-04 (no prior period is
stored, so no tile has a delta). By hand over those months: A100 net 500 + 500 + 600 + 200 +
200 = 2,000, gross profit 200 + 200 + 200 + 50 + 100 = 750 (37.5%), discount 150 over list
2,150 = 7.0%; C300 1,300; B200 600; D400 100; E500 −50. Picker order: A100, C300, B200, D400,
E500. A100's products: P1 1,800 (90%) and P2 200 (10%).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from tests.app.conftest import PORTFOLIO_CSV
from tests.app.test_concentration_page import values
from tests.core.test_account import CSV

PAGE = "app_pages/account.py"
OpenApp = Callable[..., AppTest]
PICK = "account_pick"


@pytest.fixture
def accounts_db(make_database: Callable[..., Database]) -> Database:
    return make_database({"sales.csv": CSV})


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def figures(at: AppTest) -> list[go.Figure]:
    return [plotly.io.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("caption", "markdown", "header") for e in at.get(kind)]
    return " ".join(re.sub(r"\\(.)", r"\1", str(part)) for part in parts)


def picker(at: AppTest):
    return at.selectbox(key=PICK)


class TestPicking:
    def test_opens_the_largest_account_with_its_figures(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert at.title[0].value == "Account drill-down"
        assert picker(at).options[:3] == ["Acme (A100)", "Gamma New (C300)", "Beta Co (B200)"]
        assert picker(at).value == "A100"
        assert at.header[0].value == "Acme"
        shown = tiles(at)
        assert shown["Net revenue"] == "2,000"
        assert shown["Gross margin %"] == f"{750 / 2000:.1%}" == "37.5%"
        assert shown["Discount rate"] == f"{150 / 2150:.1%}" == "7.0%"
        assert at.query_params["account"] == "A100"

    def test_picking_another_account_shows_its_figures_and_updates_the_url(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        picker(at).set_value("C300").run()
        assert not at.exception
        assert at.header[0].value == "Gamma New"
        assert tiles(at)["Net revenue"] == "1,300"
        assert at.query_params["account"] == "C300"
        assert "no product" not in texts(at)

    def test_products_and_their_concentration(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        bars = next(f for f in figures(at) if f.data and f.data[0].orientation == "h")
        assert list(bars.data[0].y) == ["P2", "P1"]
        assert values(bars.data[0].x) == pytest.approx([200, 1800])
        shown = tiles(at)
        assert shown["Top-product share"] == "90.0%"
        assert shown["HHI over products"] == f"{90**2 + 10**2:,}" == "8,200"
        warnings = " ".join(re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
        assert (
            "Big product ≠ big customer: 90% of this account's revenue is one product" in warnings
        )

    def test_the_raw_rows_and_their_download(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        rows = at.dataframe[-1].value
        assert list(rows["Line"]) == [2, 3, 4, 5, 6]
        assert rows["Net revenue"].sum() == pytest.approx(2000)
        assert set(rows["File"]) == {"sales.csv"}
        assert at.get("download_button")

    def test_the_group_and_the_segments_strategy(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        group = at.dataframe[0].value
        assert list(group["ID"]) == ["A100", "B200"]
        assert list(group["This account"]) == [True, False]
        assert "Strategic value (enterprise)" in texts(at)


class TestFromTheUrl:
    def test_the_account_parameter_opens_it(self, accounts_db: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE, query={"account": "B200"})
        assert picker(at).value == "B200"
        assert at.header[0].value == "Beta Co"
        assert tiles(at)["Net revenue"] == "600"
        assert tiles(at)["Discount rate"] == "–", "Beta Co has no list data"

    def test_an_unknown_id_says_so(self, accounts_db: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE, query={"account": "Z999"})
        assert not at.exception
        assert "No stored account has the id “Z999”" in at.error[0].value
        assert picker(at).value is None
        assert not at.metric and not at.get("plotly_chart")

    def test_picking_after_an_unknown_id_replaces_it(
        self, accounts_db: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE, query={"account": "Z999"})
        picker(at).set_value("D400").run()
        assert at.query_params["account"] == "D400"
        assert not [e for e in at.error if "No stored account" in e.value]
        assert at.header[0].value == "DELTA Trading", "ingest folds full-width letters"


class TestChinese:
    def test_the_page_in_chinese(self, accounts_db: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE, query={"lang": "zh", "account": "A100"})
        assert at.title[0].value == "客户详情"
        assert set(tiles(at)) >= {"净收入", "毛利率", "折扣率", "价值得分"}
        assert "战略价值客户" in texts(at)
        assert "重点客户" in texts(at)


class TestNamesAsText:
    def test_markup_in_a_name_is_escaped(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"portfolio.csv": PORTFOLIO_CSV})
        at = open_app(PAGE, query={"account": "A3"})
        assert at.header[0].value == r"\*Gamma\* \<b\>Inc\</b\>"
