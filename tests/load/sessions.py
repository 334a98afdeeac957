"""Concurrent browser sessions: each opens every page by its URL, in turn, until the deadline.

One headless Chromium (Debian's, the e2e tests' arguments) holds one context per session, so
each session has its own cookies and its own Streamlit session, as separate users would. The
asynchronous Playwright API drives them all from one thread; the synchronous `wait_idle` of
tests/e2e/conftest.py cannot, so `wait_idle` here is its asynchronous twin on the same IDLE_JS.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, IDLE_TIMEOUT_S, SETTLE_S

VIEWS: tuple[str, ...] = (
    "",
    "?lang=zh",
    "?segment=strategic",
    "?preset=ytd",
    "?from=2026-08&to=2026-10&basis=last_year",
)
"""Query strings a session may add to every URL (session n takes view n modulo the views in
use): users look at different languages, filters and periods, so not every visit is a cache
hit. `--views K` uses the first K; the default, 2, is the default view in English and Chinese."""


@dataclass(frozen=True)
class Visit:
    """One page visit of one session."""

    session: int
    page: str
    """The page's URL path; '' is the landing page."""
    view: str
    """The query string the session adds."""
    started_s: float
    """When the visit began, in seconds since the sessions started."""
    seconds: float | None
    """From navigation start until the app became idle for good; None when it never did."""
    error: str | None
    """An exception box's text, a timeout or a navigation failure; None when clean."""
    timed_out: bool = False
    """The app was still busy at the visit's time limit."""
    elements: int | None = None
    """Streamlit elements on the rendered page (stElementContainer)."""


class NotIdle(Exception):
    """The app did not become idle in time."""


async def wait_idle(page: Page, timeout_s: float = IDLE_TIMEOUT_S) -> float:
    """The monotonic time at which the app became idle and then stayed idle for SETTLE_S."""
    deadline = time.monotonic() + timeout_s
    idle_since, state = None, "?"
    while time.monotonic() < deadline:
        try:
            state = await page.evaluate(IDLE_JS)
        except PlaywrightError:
            state = "navigating"
        now = time.monotonic()
        if state == "idle":
            idle_since = idle_since or now
            if now - idle_since >= SETTLE_S:
                return idle_since
        else:
            idle_since = None
        await asyncio.sleep(0.1)
    raise NotIdle(f"the app did not become idle within {timeout_s:.0f}s (last state: {state})")


async def visit(
    page: Page, url: str, path: str, view: str, timeout_s: float
) -> tuple[float | None, str | None, bool, int | None]:
    """Open url/path+view and wait for the app: seconds to idle, the error text or None,
    whether it timed out, and the number of elements drawn."""
    started = time.monotonic()
    try:
        await page.goto(f"{url}/{path}{view}", wait_until="domcontentloaded")
        idle_at = await wait_idle(page, timeout_s)
    except NotIdle as exc:
        return None, f"{type(exc).__name__}: {exc}", True, None
    except (PlaywrightError, TimeoutError) as exc:
        return None, f"{type(exc).__name__}: {exc}", False, None
    seconds = idle_at - started
    elements = await page.get_by_test_id("stElementContainer").count()
    boxes = await page.get_by_test_id("stException").all_inner_texts()
    if boxes:
        return seconds, "exception box:\n" + "\n---\n".join(boxes), False, elements
    landed = await page.evaluate("() => location.pathname")
    if landed.rstrip("/") != f"/{path}".rstrip("/"):
        return seconds, f"asked for /{path}, landed on {landed}", False, elements
    return seconds, None, False, elements


@dataclass(frozen=True)
class Plan:
    """What the sessions do."""

    url: str
    paths: list[str]
    """URL paths of the pages, in navigation order."""
    views: tuple[str, ...]
    sessions: int
    seconds: float
    """How long sessions start new visits."""
    visit_timeout_s: float = 3 * IDLE_TIMEOUT_S
    """A visit that is not idle by then counts as an error (a timeout)."""
    warmup_timeout_s: float = 300
    """The same for a warm-up visit, which computes every figure from cold."""


async def session(
    number: int, context: BrowserContext, plan: Plan, zero: float, visits: list[Visit]
) -> None:
    """Visit every page in turn, from page `number` on, until the deadline passes."""
    view = plan.views[number % len(plan.views)]
    shift = number % len(plan.paths)
    order = plan.paths[shift:] + plan.paths[:shift]
    deadline = zero + plan.seconds
    page = await context.new_page()
    while time.monotonic() < deadline:
        for path in order:
            if time.monotonic() >= deadline:
                break
            started = time.monotonic()
            outcome = await visit(page, plan.url, path, view, plan.visit_timeout_s)
            visits.append(Visit(number, path, view, started - zero, *outcome))
            if page.is_closed():
                page = await context.new_page()


async def warm_up(context: BrowserContext, plan: Plan) -> list[Visit]:
    """One session opens every page in every view once, from cold caches, before the run."""
    page, visits, zero = await context.new_page(), [], time.monotonic()
    for view in plan.views:
        for path in plan.paths:
            started = time.monotonic()
            outcome = await visit(page, plan.url, path, view, plan.warmup_timeout_s)
            visits.append(Visit(-1, path, view, started - zero, *outcome))
            if page.is_closed():
                page = await context.new_page()
    return visits


async def _new_context(browser: Browser, timeout_s: float) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    context.set_default_timeout(timeout_s * 1000)
    return context


async def drive(plan: Plan, warmup: bool) -> tuple[list[Visit], list[Visit]]:
    """The warm-up visits (none without `warmup`) and the sessions' visits.

    Visits under way at the deadline finish (each within visit_timeout_s); none starts after."""
    warm, visits = [], []
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            if warmup:
                context = await _new_context(browser, plan.warmup_timeout_s)
                budget = (plan.warmup_timeout_s + 30) * len(plan.paths) * len(plan.views)
                warm = await asyncio.wait_for(warm_up(context, plan), timeout=budget)
                await context.close()
            contexts = [
                await _new_context(browser, plan.visit_timeout_s) for _ in range(plan.sessions)
            ]
            zero = time.monotonic()
            await asyncio.wait_for(
                asyncio.gather(
                    *(session(n, ctx, plan, zero, visits) for n, ctx in enumerate(contexts))
                ),
                timeout=plan.seconds + 2 * plan.visit_timeout_s + 60,
            )
        finally:
            await browser.close()
    return warm, visits
