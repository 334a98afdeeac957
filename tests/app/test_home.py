"""The landing page on the hand-worked portfolio (figures in conftest.PORTFOLIO_CSV)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.store import store_uploads

OpenApp = Callable[..., AppTest]


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def chart_series(at: AppTest) -> dict[str, tuple[list[str], list[float]]]:
    """Bar name -> (months, values) of the page's one plotly chart."""
    (element,) = at.get("plotly_chart")
    spec = json.loads(element.proto.spec)
    return {trace["name"]: (_values(trace["x"]), _values(trace["y"])) for trace in spec["data"]}


def chart_layout(at: AppTest) -> dict:
    (element,) = at.get("plotly_chart")
    return json.loads(element.proto.spec)["layout"]


def _values(array: object) -> list:
    """Plotly stores numeric arrays as base64 ('bdata'); decode them."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


@pytest.mark.usefixtures("portfolio")
class TestHeadlineFigures:
    def test_tiles_show_the_hand_worked_figures(self, open_app: OpenApp) -> None:
        at = open_app()
        assert tiles(at) == {
            "Months covered": "3",
            "Accounts": "3",
            "Net revenue": "4,320",
            "Gross profit": "1,200",
            "Discount rate": "8.1%",
        }

    def test_account_with_negative_revenue_is_reported_apart(self, open_app: OpenApp) -> None:
        at = open_app()
        assert any("negative net revenue" in c.value and ": 1." in c.value for c in at.caption)

    def test_default_period_is_the_trailing_twelve_months(self, open_app: OpenApp) -> None:
        at = open_app()
        assert at.selectbox(key="period_from").value == "2025-11"
        assert at.selectbox(key="period_to").value == "2026-01"

    def test_narrower_period_changes_every_figure(self, open_app: OpenApp) -> None:
        at = open_app()
        at.selectbox(key="period_from").set_value("2026-01").run()
        # 2026-01 only: net 950 − 100 = 850; cost 700 − 80 = 620; discount 50 / list 900.
        assert tiles(at) == {
            "Months covered": "1",
            "Accounts": "1",
            "Net revenue": "850",
            "Gross profit": "230",
            "Discount rate": "5.6%",
        }


@pytest.mark.usefixtures("portfolio")
class TestRevenueChart:
    def test_bars_hold_net_revenue_per_month(self, open_app: OpenApp) -> None:
        series = chart_series(open_app())
        months, values = series["default"]
        assert list(series) == ["default"]
        assert [str(x)[:7] for x in months] == ["2025-11", "2025-12", "2026-01"]
        assert values == pytest.approx([1400, 2070, 850])

    def test_a_second_source_stacks_on_the_first(
        self,
        make_database: Callable[..., Database],
        portfolio_csv: str,
        open_app: OpenApp,
    ) -> None:
        db = make_database({"portfolio.csv": portfolio_csv})
        north = "Month,Account ID,Net Revenue\n2026-01,N1,500\n"
        store_uploads(
            db, [prepare_upload("north.csv", north.encode(), IngestOptions(source="north"))]
        )
        at = open_app()
        series = chart_series(at)
        assert list(series) == ["default", "north"]
        assert chart_layout(at)["barmode"] == "relative"
        assert series["north"][1] == pytest.approx([500])


@pytest.mark.usefixtures("portfolio")
class TestSources:
    def test_sources_table_says_where_the_data_came_from(self, open_app: OpenApp) -> None:
        at = open_app()
        sources = at.dataframe[0].value
        assert sources["source"].tolist() == ["default"]
        assert sources["files"].tolist() == [1]
        assert sources["rows"].tolist() == [6]
        assert sources["net_revenue"].tolist() == pytest.approx([4320])

    def test_points_to_the_data_page(self, open_app: OpenApp) -> None:
        at = open_app()
        (link,) = at.get("page_link")
        assert link.proto.page == "data"


class TestEmptyDatabase:
    def test_empty_database_points_to_the_data_page(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database()
        at = open_app()
        assert "Upload your first monthly export" in at.info[0].value
        assert not at.metric
        assert not at.get("plotly_chart")
        assert at.get("page_link")


FEBRUARY = "Month,Account ID,Net Revenue\n2026-02,A1,1000\n"


@pytest.mark.usefixtures("portfolio")
class TestPeriod:
    def store_february(self, at: AppTest) -> None:
        at.switch_page("app_pages/data.py").run()
        at.file_uploader[0].set_value(("feb.csv", FEBRUARY.encode(), "text/csv")).run()
        at.button(key="data.store").click().run()
        at.switch_page("app_pages/home.py").run()

    def test_untouched_period_follows_a_newer_month(self, open_app: OpenApp) -> None:
        at = open_app()
        self.store_february(at)
        assert at.selectbox(key="period_to").value == "2026-02"
        assert tiles(at)["Months covered"] == "4"

    def test_chosen_period_stays_after_an_upload(self, open_app: OpenApp) -> None:
        at = open_app()
        at.selectbox(key="period_from").set_value("2025-12").run()
        self.store_february(at)
        assert at.selectbox(key="period_from").value == "2025-12"
        assert at.selectbox(key="period_to").value == "2026-01"

    def test_reversed_period_is_read_the_right_way_round(self, open_app: OpenApp) -> None:
        at = open_app()
        at.selectbox(key="period_from").set_value("2026-01").run()
        at.selectbox(key="period_to").set_value("2025-12").run()
        assert tiles(at)["Months covered"] == "2"
        assert "the other way round" in at.sidebar.caption[0].value
