"""The Account page in a real browser on the demo data."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_idle

PageAt = Callable[..., Page]
ONE_PRODUCT = "C00617"
"""The demo's key account with about 96% of its revenue in one product (Gearbox)."""
CREEP = "C00221"
"""One of the demo's accounts planted with a creeping discount."""

pytestmark = pytest.mark.e2e


class TestAccountPage:
    def test_draws_from_the_navigation(self, page_at: PageAt) -> None:
        page = page_at("Account")
        expect(page.get_by_role("heading", name="Account drill-down")).to_be_visible()
        charts = page.get_by_test_id("stPlotlyChart")
        expect(charts).to_have_count(4)
        for index in range(4):
            expect(charts.nth(index).locator(".main-svg").first).to_be_attached()
        assert re.search(r"[?&]account=C\d{5}", page.url), page.url

    def test_a_link_opens_the_one_product_account(self, page_at: PageAt) -> None:
        page = page_at(query=f"account?account={ONE_PRODUCT}")
        picker = page.get_by_role("combobox", name="Account (type a name or id to search)")
        expect(picker).to_have_value(re.compile(rf"\({ONE_PRODUCT}\)$"))
        expect(page.get_by_text("Key account (top 20% by revenue)")).to_be_visible()
        expect(page.get_by_text("Big product ≠ big customer: 96%").first).to_be_visible()
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(4)

    def test_a_full_width_id_typed_in_chinese_opens_the_creeping_account(
        self, page_at: PageAt
    ) -> None:
        page = page_at(query=f"account?account={ONE_PRODUCT}&lang=zh")
        expect(page.get_by_role("heading", name="客户详情")).to_be_visible()
        picker = page.get_by_role("combobox", name="客户（输入名称或编码搜索）")
        picker.click()
        picker.fill("Ｃ００２２１")
        picker.press("Enter")
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_text("“Ｃ００２２１”的最佳匹配").first).to_be_visible()
        expect(page.get_by_text("折扣未换来增长").first).to_be_visible()
        page.wait_for_function(
            "account => location.search.includes('account=' + account)", arg=CREEP
        )
