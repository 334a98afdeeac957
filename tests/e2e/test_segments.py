"""The Segments and Strategy pages in a real browser on the demo data, in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_idle

PageAt = Callable[..., Page]
SEGMENT_CHARTS = 5
"""Mix areas, revenue against profit share, the bridge, the tier Sankey, contribution bars."""

pytestmark = pytest.mark.e2e


def expect_charts_drawn(page: Page, count: int) -> None:
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(count)
    for index in range(count):
        expect(charts.nth(index).locator(".main-svg").first).to_be_visible()


class TestSegmentsPage:
    def test_draws_every_chart(self, page_at: PageAt) -> None:
        page = page_at("Segments")
        expect(page.get_by_role("heading", name="Value segments and scorecard")).to_be_visible()
        expect_charts_drawn(page, SEGMENT_CHARTS)
        expect(page.get_by_text("Revenue bridge, Portfolio").first).to_be_attached()
        expect(page.get_by_text("Tier migration from").first).to_be_attached()

    def test_chinese(self, page_at: PageAt) -> None:
        page = page_at("客户细分", query="?lang=zh")
        expect(page.get_by_role("heading", name="价值细分与评分卡")).to_be_visible()
        expect_charts_drawn(page, SEGMENT_CHARTS)
        expect(page.get_by_text("收入桥（整体组合）").first).to_be_attached()

    def test_invalid_weights_keep_the_page(self, page_at: PageAt) -> None:
        page = page_at("Segments")
        page.get_by_text("Scorecard weights", exact=True).click()
        revenue = page.get_by_role("spinbutton", name="Revenue", exact=True)
        revenue.fill("50")
        page.get_by_role("button", name="Apply weights").click()
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_text("scorecard weights must sum to 100, not 120").first).to_be_visible()
        expect_charts_drawn(page, SEGMENT_CHARTS)


class TestStrategyPage:
    def test_a_card_per_segment(self, page_at: PageAt) -> None:
        page = page_at("Strategy")
        expect(page.get_by_role("heading", name="Strategy by value segment")).to_be_visible()
        for name in (
            "Intrinsic value (transactional)",
            "Extrinsic value (consultative)",
            "Strategic value (enterprise)",
            "Other, small and mid accounts",
        ):
            expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.get_by_text("Triggered actions").first).to_be_visible()

    def test_chinese(self, page_at: PageAt) -> None:
        page = page_at("细分策略", query="?lang=zh")
        expect(page.get_by_role("heading", name="按价值细分的策略")).to_be_visible()
        expect(page.get_by_role("heading", name="战略价值客户（企业级）")).to_be_visible()
        expect(page.get_by_text("常规打法").first).to_be_visible()
