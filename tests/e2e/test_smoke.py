"""The app in a real browser on the demo data: it opens, draws, and the Data page works."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

PageAt = Callable[..., Page]
DEMO_UPLOADS = 38
"""36 monthly exports, plus the demo contacts and accounts files."""

pytestmark = pytest.mark.e2e


def metric_value(page: Page, label: str) -> str:
    """The shown value of the metric tile with this label."""
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return tile.get_by_test_id("stMetricValue").inner_text()


class TestLandingPage:
    def test_opens_on_the_demo_portfolio(self, page_at: PageAt) -> None:
        page = page_at()
        expect(page.get_by_role("heading", name="Key-account portfolio")).to_be_visible()
        expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
        net_revenue = float(re.sub(r"[^\d.]", "", metric_value(page, "Net revenue")))
        assert net_revenue > 0
        expect(page.get_by_text("2025-11 – 2026-10 · 12 months", exact=False)).to_be_visible()

    def test_chinese_from_the_url_stays_across_pages(self, page_at: PageAt) -> None:
        page = page_at(query="?lang=zh")
        expect(page.get_by_role("heading", name="大客户组合概览")).to_be_visible()
        page.get_by_test_id("stSidebarNavLink").filter(has_text="数据").click()
        expect(page.get_by_role("heading", name="上传导出文件")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/data\?lang=zh(&|$)"))


class TestDataPage:
    def test_shows_the_upload_history_of_the_demo(self, page_at: PageAt) -> None:
        page = page_at("Data")
        expect(page.get_by_role("heading", name="Upload history")).to_be_visible()
        expect(page.get_by_text(f"Uploads: {DEMO_UPLOADS}", exact=False)).to_be_visible()
        history = page.get_by_test_id("stDataFrame").last
        expect(history).to_be_visible()

    def test_a_file_chosen_in_the_browser_is_read_and_previewed(self, page_at: PageAt) -> None:
        page = page_at("Data")
        export = "Month,Account ID,Account Name,Net Revenue\n2030-01,X1,Probe Ltd,100\n"
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "probe.csv", "mimeType": "text/csv", "buffer": export.encode()}]
        )
        expander = page.get_by_test_id("stExpander").filter(has_text="probe.csv")
        expect(expander).to_contain_text("rows: 1", timeout=60_000)
        expect(page.get_by_role("button", name="Store 1 file(s)")).to_be_enabled()
