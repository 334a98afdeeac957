"""The QBR pack in a real browser: opened from disk with the network cut it draws every chart,
and the sidebar's button downloads it for the chosen period."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from core.db import Database
from core.i18n import t
from core.metrics import Period
from core.report import render_report
from core.scope import Aliases, Scope

pytestmark = pytest.mark.e2e

TRAILING_12 = Period.from_text("2025-11", "2026-10")
ZH_ANONYMISED = Scope(
    anonymise=True,
    index_month=TRAILING_12.start,
    aliases=Aliases(**{part: t(f"scope.alias.{part}", "zh") for part in ("account", "group")}),
)
"""As the sidebar and `keystone report --lang zh --anonymise --index` make it."""


@pytest.fixture(scope="module")
def packs(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's trailing-12-month pack: English, and Chinese anonymised with indexed money."""
    folder = tmp_path_factory.mktemp("packs")
    db = Database(demo_database)
    made = {
        "en": render_report(db, TRAILING_12, "en"),
        "zh": render_report(db, TRAILING_12, "zh", ZH_ANONYMISED),
    }
    paths = {}
    for name, report in made.items():
        paths[name] = folder / f"pack-{name}.html"
        paths[name].write_text(report.html, encoding="utf-8")
    return paths


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A browser context with the network off; every request that is not a file is recorded
    and refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    refused: list[str] = []

    def refuse(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    try:
        yield context, refused
    finally:
        context.close()


@pytest.mark.parametrize("name", ["en", "zh"])
def test_the_pack_opens_offline_and_draws_its_charts(
    packs: dict[str, Path], offline: tuple[BrowserContext, list[str]], name: str
) -> None:
    context, refused = offline
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(packs[name].as_uri(), wait_until="load")
    charts = page.locator("div.chart")
    count = charts.count()
    assert count == 5  # bridge, Pareto, whale curve, price waterfall, segment shares
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart.locator(".main-svg").first).to_be_visible()
    expect(page.locator("section")).to_have_count(5)
    expect(page.locator(".panel.mistake")).to_have_count(5)
    assert errors == []
    assert refused == []


def test_the_chinese_pack_reads_in_chinese(
    packs: dict[str, Path], offline: tuple[BrowserContext, list[str]]
) -> None:
    context, _ = offline
    page = context.new_page()
    page.goto(packs["zh"].as_uri(), wait_until="load")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="五大误区检查")).to_be_visible()
    expect(page.locator("h1")).to_have_text("QBR 汇报包 · 2025-11 – 2026-10")
    # Hover labels carry the aliases too: the largest account over all history is 客户 001.
    pareto = page.locator("#chart-pareto")
    pareto.scroll_into_view_if_needed()
    pareto.locator(".trace.bars .point path").first.hover(force=True)
    hover = pareto.locator(".hoverlayer")
    expect(hover).to_contain_text("客户 0")
    assert "有限公司" not in (hover.text_content() or "")


def test_the_sidebar_button_downloads_the_pack(
    page_at: Callable[..., Page], tmp_path: Path
) -> None:
    page = page_at(None, query="?from=2026-08&to=2026-10")
    button = page.get_by_test_id("stSidebar").get_by_role("button", name="Download QBR pack")
    expect(button).to_be_visible()
    with page.expect_download(timeout=120_000) as started:
        button.click()
    download = started.value
    assert download.suggested_filename == "keystone-qbr-2026-08_2026-10.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = saved.read_text(encoding="utf-8")
    assert "<title>QBR pack · 2026-08 – 2026-10</title>" in document
    assert document.count("Plotly.newPlot(") == 5
