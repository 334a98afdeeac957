"""The Discounts page in a real browser on the demo data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_idle

PageAt = Callable[..., Page]
PLANTED_CREEP = ("C00221", "C00720")
"""The demo's accounts planted with a creeping discount."""

pytestmark = pytest.mark.e2e


class TestDiscountsPage:
    def test_draws_its_charts_and_lists_the_planted_creep(self, page_at: PageAt) -> None:
        page = page_at("Discounts")
        expect(page.get_by_role("heading", name="Discounts and price realisation")).to_be_visible()
        charts = page.get_by_test_id("stPlotlyChart")
        expect(charts).to_have_count(5)
        for index in range(5):
            expect(charts.nth(index).locator(".main-svg").first).to_be_visible()
        expect(page.get_by_text("Rate based on 100% of net revenue").first).to_be_visible()
        creep = page.get_by_test_id("stDataFrame").first
        for account in PLANTED_CREEP:
            expect(creep).to_contain_text(account)
        expect(page.get_by_text("paid more, got nothing").first).to_be_attached()

    def test_chinese_and_the_account_waterfall(self, page_at: PageAt) -> None:
        page = page_at("折扣", query="?lang=zh")
        expect(page.get_by_role("heading", name="折扣与价格实现")).to_be_visible()
        page.get_by_role("radio", name="客户", exact=True).click()
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_text("价格瀑布").first).to_be_attached()
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(5)

    def test_clicking_a_scatter_point_opens_its_account(self, page_at: PageAt) -> None:
        page = page_at("Discounts")
        drill = page.get_by_role("combobox", name="Account (type to search)")
        before = drill.input_value()
        assert before.endswith(")"), before
        scatter = page.get_by_test_id("stPlotlyChart").nth(1)
        expect(scatter).to_contain_text("paid more, got nothing")
        # The first trace holds the accounts that are not flagged: any of them is some account
        # other than the fastest creeper the drill-down starts at. The middle one is on screen.
        points = scatter.locator(".scatterlayer .trace").first.locator("path.point")
        point = points.nth(points.count() // 2)
        point.scroll_into_view_if_needed()
        box = point.bounding_box()
        assert box is not None
        # Plotly hears clicks on its drag layer, so click where the point is drawn.
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        expect(drill).not_to_have_value(before)
        opened = drill.input_value()
        name = opened.rsplit(" (", 1)[0]
        expect(page.get_by_test_id("stPlotlyChart").last).to_contain_text(name)
