"""The Key people page in a real browser on the demo data, with its planted gaps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.demo import DEMO_SEED
from core.demo_people import people_planted
from core.demo_portfolio import build_portfolio
from tests.e2e.conftest import assert_no_exception, wait_idle

PageAt = Callable[..., Page]

pytestmark = pytest.mark.e2e


def metric_value(page: Page, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return tile.get_by_test_id("stMetricValue").inner_text()


class TestKeyPeoplePage:
    def test_tiles_heatmap_and_the_planted_alerts(self, page_at: PageAt) -> None:
        page = page_at("Key people")
        expect(page.get_by_role("heading", name="Key people", exact=True)).to_be_visible()
        assert metric_value(page, "Single-threaded accounts") == "2"
        assert metric_value(page, "Key accounts") == "160"
        charts = page.get_by_test_id("stPlotlyChart")
        expect(charts).to_have_count(2)
        for index in range(2):
            expect(charts.nth(index).locator(".main-svg").first).to_be_visible()
        expect(charts.first).to_contain_text("Economic buyer")
        expect(page.get_by_text("Thin key-account coverage").first).to_be_attached()
        expect(page.get_by_text("Influential detractor").first).to_be_attached()

    def test_gaps_view_shows_exactly_the_planted_key_accounts(self, page_at: PageAt) -> None:
        page = page_at("Key people")
        page.get_by_test_id("stButtonGroup").get_by_text("Key accounts with a gap (4)").click()
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        heatmap = page.get_by_test_id("stPlotlyChart").first
        names = build_portfolio(DEMO_SEED).accounts.set_index("account_id")["account_name"]
        planted = [a for ids in people_planted().values() for a in ids]
        shown = heatmap.locator(".yaxislayer-above .ytick text")
        expect(shown).to_have_count(4)
        assert sorted(t.strip() for t in shown.all_text_contents()) == sorted(names[planted])

    def test_chinese_and_another_account(self, page_at: PageAt) -> None:
        page = page_at("关键人", query="?lang=zh")
        expect(page.get_by_role("heading", name="关键人", exact=True)).to_be_visible()
        expect(page.get_by_text("关系推进抓手")).to_be_visible()
        [detractor] = people_planted()["influential_detractor"]
        page.get_by_role("combobox", name="客户", exact=True).click()
        page.keyboard.type(detractor)
        page.get_by_role("option").filter(has_text=detractor).first.click()
        page.wait_for_timeout(300)
        wait_idle(page)
        assert_no_exception(page)
        people = page.get_by_test_id("stDataFrame").first
        expect(people).to_contain_text("反对者")
