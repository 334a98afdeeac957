"""The Overview in a real browser on the demo data: tiles, the revenue bridge and the five
mistakes' panels render without an exception, in English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

PageAt = Callable[..., Page]

pytestmark = pytest.mark.e2e

TILES = (
    "Net revenue",
    "Gross profit",
    "Gross margin %",
    "Active accounts",
    "Top-20% share",
    "HHI",
    "Discount rate",
)
PANELS = {
    "en": (
        "1 · Judging by a single indicator",
        "2 · Big over small",
        "3 · A big product is not a big customer",
        "4 · Where the profit comes from",
        "5 · Ever-better terms",
    ),
    "zh": (
        "1 · 只看单一指标",
        "2 · 重大轻小",
        "3 · 大单品不等于大客户",
        "4 · 利润从哪里来",
        "5 · 条件越给越好",
    ),
}


def tile_labels(page: Page) -> list[str]:
    return [label.strip() for label in page.get_by_test_id("stMetricLabel").all_inner_texts()]


class TestOverview:
    def test_tiles_bridge_and_five_panels(self, page_at: PageAt) -> None:
        page = page_at()
        expect(page.get_by_role("heading", name="Key-account portfolio")).to_be_visible()
        expect(page.get_by_test_id("stMetric")).to_have_count(len(TILES))
        assert tile_labels(page) == list(TILES)
        bridge = page.get_by_test_id("stPlotlyChart").first
        expect(bridge.locator(".main-svg").first).to_be_visible()
        expect(bridge).to_contain_text("Expansion")
        for name in PANELS["en"]:
            expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="The five-mistakes check")).to_be_visible()
        expect(page.get_by_text("What needs attention", exact=False)).to_be_visible()

    def test_an_account_alert_links_to_the_account(self, page_at: PageAt) -> None:
        page = page_at()
        links = page.get_by_test_id("stPageLink").locator("a[href*='account=']")
        assert links.count() > 0, "the demo's discount alerts each open their account"
        assert "account?account=C" in (links.first.get_attribute("href") or "")

    def test_in_chinese(self, page_at: PageAt) -> None:
        page = page_at(query="?lang=zh")
        expect(page.get_by_role("heading", name="大客户组合概览")).to_be_visible()
        expect(page.get_by_test_id("stMetric")).to_have_count(len(TILES))
        assert tile_labels(page)[0] == "销售额"
        expect(page.get_by_test_id("stPlotlyChart").first).to_contain_text("扩大")
        for name in PANELS["zh"]:
            expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
