"""The shared period and filters: they narrow every page, survive page switches, and travel in
the URL so that a link reopens the same view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database

DISCOUNTS = "app_pages/discounts.py"
CONCENTRATION = "app_pages/concentration.py"

REGIONS_CSV = """\
Month,Account ID,Account Name,Region,Owner,Segment,List Revenue,Discount,Net Revenue,Cost
2025-11,A1,Acme,East,Li,strategic,1000,100,900,600
2025-12,A2,Beta,West,Wang,intrinsic,1000,300,700,400
2026-01,A1,Acme,East,Li,strategic,1000,100,900,600
"""
"""By hand: discount rate over everything 500 / 3,000 = 16.7%; East alone 200 / 2,000 = 10.0%;
West alone (A2) 300 / 1,000 = 30.0%; December alone is A2's month, 30.0% too."""

OpenApp = Callable[..., AppTest]


@pytest.fixture
def regions(make_database: Callable[..., Database]) -> Database:
    return make_database({"regions.csv": REGIONS_CSV})


def discount_rate(at: AppTest) -> str:
    return next(metric.value for metric in at.metric if metric.label == "Discount rate")


@pytest.mark.usefixtures("regions")
class TestFilters:
    def test_a_filter_narrows_the_page_and_enters_the_url(self, open_app: OpenApp) -> None:
        at = open_app(DISCOUNTS)
        assert discount_rate(at) == "16.7%"
        at.multiselect(key="filter_regions").set_value(["East"]).run()
        assert discount_rate(at) == "10.0%"
        assert at.query_params["region"] == "East"
        at.multiselect(key="filter_regions").set_value([]).run()
        assert discount_rate(at) == "16.7%"
        assert "region" not in at.query_params

    def test_segments_are_offered_by_name(self, open_app: OpenApp) -> None:
        at = open_app(DISCOUNTS)
        segments = at.multiselect(key="filter_segments")
        assert segments.options == ["Intrinsic", "Strategic"]
        segments.set_value(["strategic"]).run()
        assert discount_rate(at) == "10.0%"


@pytest.mark.usefixtures("regions")
class TestPeriod:
    def test_the_period_survives_a_page_switch(self, open_app: OpenApp) -> None:
        at = open_app()
        at.selectbox(key="period_from").set_value("2025-12").run()
        assert at.selectbox(key="period_preset").value == "custom"
        at.switch_page(DISCOUNTS).run()
        assert at.selectbox(key="period_from").value == "2025-12"
        assert discount_rate(at) == "20.0%"  # (300 + 100) / 2,000
        at.switch_page(CONCENTRATION).run()
        assert at.selectbox(key="period_from").value == "2025-12"

    def test_presets_fill_the_months(self, open_app: OpenApp) -> None:
        at = open_app()
        assert at.selectbox(key="period_preset").value == "t12m"
        at.selectbox(key="period_preset").set_value("month").run()
        assert (at.selectbox(key="period_from").value, at.selectbox(key="period_to").value) == (
            "2026-01",
            "2026-01",
        )
        at.selectbox(key="period_to").set_value("2025-12").run()
        assert at.selectbox(key="period_from").value == "2025-12", "a preset follows 'To'"
        at.selectbox(key="period_preset").set_value("ytd").run()
        # January 2025 is before the first stored month, so the range starts there.
        assert at.selectbox(key="period_from").value == "2025-11"
        at.selectbox(key="period_to").set_value("2026-01").run()
        assert at.selectbox(key="period_from").value == "2026-01"
        at.selectbox(key="period_preset").set_value("t12m").run()
        assert at.selectbox(key="period_from").value == "2025-11"
        assert at.query_params["preset"] == "t12m"


class TestLinks:
    def test_a_link_reopens_the_same_view(self, regions: Database, open_app: OpenApp) -> None:
        query = {"from": "2025-12", "to": "2025-12", "region": "West", "basis": "last_year"}
        at = open_app(DISCOUNTS, query=query)
        assert at.selectbox(key="period_from").value == "2025-12"
        assert at.selectbox(key="period_to").value == "2025-12"
        assert at.selectbox(key="period_preset").value == "custom"
        assert at.multiselect(key="filter_regions").value == ["West"]
        assert at.segmented_control(key="basis").value == "last_year"
        assert discount_rate(at) == "30.0%"

    def test_unknown_values_in_a_link_are_ignored(
        self, regions: Database, open_app: OpenApp
    ) -> None:
        at = open_app(DISCOUNTS, query={"from": "1999-01", "to": "2026-01", "region": "Mars"})
        assert at.selectbox(key="period_from").value == "2025-11"
        assert at.multiselect(key="filter_regions").value == []
        assert discount_rate(at) == "16.7%"


@pytest.mark.usefixtures("regions")
class TestBasis:
    def test_the_basis_decides_which_change_a_tile_leads_with(self, open_app: OpenApp) -> None:
        """January against December: A1's 10.0% against A2's 30.0%, −20.0 pp. No stored
        January a year before, so against last year there is no comparison."""
        at = open_app(DISCOUNTS, query={"from": "2026-01", "to": "2026-01"})
        rate = next(metric for metric in at.metric if metric.label == "Discount rate")
        assert rate.value == "10.0%" and rate.delta == "-20.0 pp"
        assert any("same period last year: no comparison" in c.value for c in at.caption)
        at.segmented_control(key="basis").set_value("last_year").run()
        rate = next(metric for metric in at.metric if metric.label == "Discount rate")
        assert rate.delta in (None, "")
        lines = " ".join(caption.value for caption in at.caption)
        assert "same period last year: no comparison" in lines
        assert "vs prior period" in lines and "-20.0 pp" in lines
