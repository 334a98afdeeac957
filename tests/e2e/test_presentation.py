"""Presentation mode in a real browser: no sidebar, the pages along the top, the period in the
title, and the way back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e


def test_presentation_mode_hides_the_sidebar(page_at: Callable[..., Page]) -> None:
    page = page_at(None, query="?present=1&anonymise=1&from=2026-01&to=2026-03")
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    title = page.locator("h1").first
    expect(title).to_be_visible()
    after = page.evaluate("el => getComputedStyle(el, '::after').content", title.element_handle())
    assert "2026-01" in after and "2026-03" in after
    # The pages are still reachable, from the bar along the top.
    page.get_by_role("link", name="Concentration").first.click()
    page.wait_for_url("**/concentration?**")
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    page.get_by_role("button", name="Leave presentation mode").click()
    page.wait_for_timeout(300)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    assert "present=1" not in page.url
