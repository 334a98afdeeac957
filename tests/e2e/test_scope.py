"""The shared period in a real browser: a link with query parameters reopens the same view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def test_a_link_reopens_the_same_period_on_every_page(page_at: Callable[..., Page]) -> None:
    page = page_at("Discounts", query="?from=2026-01&to=2026-03&segment=strategic")
    expect(page.get_by_role("combobox", name="From", exact=True)).to_have_value("2026-01")
    expect(page.get_by_role("combobox", name="To", exact=True)).to_have_value("2026-03")
    expect(page.get_by_text("Filters (1)")).to_be_visible()
    # The URL keeps the view after a page switch, so a link copied anywhere reopens it.
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Concentration").click()
    page.wait_for_url("**/concentration?**")
    wait_idle(page)
    assert "from=2026-01" in page.url and "to=2026-03" in page.url
    assert "segment=strategic" in page.url
    expect(page.get_by_role("combobox", name="From", exact=True)).to_have_value("2026-01")
