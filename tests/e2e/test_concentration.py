"""The Concentration page in a real browser on the demo data."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_idle

PageAt = Callable[..., Page]
PLANTED_GROUP = "华辰重工集团"
"""The demo's parent group planted above the 10% disclosure threshold."""

pytestmark = pytest.mark.e2e


class TestConcentrationPage:
    def test_draws_its_charts_and_flags_the_planted_group(self, page_at: PageAt) -> None:
        page = page_at("Concentration")
        title = page.get_by_role("heading", name="Concentration and dependency risk")
        expect(title).to_be_visible()
        charts = page.get_by_test_id("stPlotlyChart")
        expect(charts).to_have_count(4)
        for index in range(4):
            expect(charts.nth(index).locator(".main-svg").first).to_be_visible()
        expect(page.get_by_text("accounts = 80%").first).to_be_attached()
        alert = page.get_by_test_id("stAlertContentError").filter(has_text=PLANTED_GROUP)
        expect(alert.first).to_contain_text("Single-customer dependency")
        picker = page.get_by_role("combobox", name="Parent group (type to search)")
        expect(picker).to_have_value(re.compile(f"^⚠️ {PLANTED_GROUP} · "))
        expect(page.get_by_text("vs same period last year:").first).to_be_visible()

    def test_chinese_and_the_group_level(self, page_at: PageAt) -> None:
        page = page_at("集中度", query="?lang=zh")
        expect(page.get_by_role("heading", name="客户集中度与依赖风险")).to_be_visible()
        page.get_by_role("radio", name="母集团", exact=True).click()
        page.wait_for_timeout(300)

        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(4)
        expect(page.get_by_text("单一客户依赖").first).to_be_visible()
        page.get_by_role("radio", name="按季度", exact=True).click()
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_text("按季度集中度").first).to_be_attached()
