"""Browser tests: a real `streamlit run app.py` on the demo database, driven by headless Chromium.

A page test asks for `page_at` and opens a page by its English navigation title:

    @pytest.mark.e2e
    def test_my_page(page_at):
        page = page_at("My page")
        expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()

`page_at` waits until the app is idle and fails on any exception box in the page.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KEYSTONE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 120
IDLE_TIMEOUT_S = 60
SETTLE_S = 0.5
"""How long the app must stay idle before a page counts as rendered."""

IDLE_JS = r"""
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no app';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return 'script running';
  const connection = app.getAttribute('data-test-connection-state');
  if (connection && connection !== 'CONNECTED') return 'connection ' + connection;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && status.querySelector('[data-testid^="stStatusWidgetRunning"]'))
    return 'status running';
  if (document.querySelector('[data-testid="stAppSkeleton"], [data-testid="stSkeleton"]'))
    return 'skeleton';
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main || !main.querySelector('[data-testid="stElementContainer"]')) return 'main empty';
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (!chart.querySelector('.main-svg')) return 'chart drawing';
  return 'idle';
}
"""
"""'idle' once Streamlit has finished the run and drawn it, else what it is still doing."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _keystone() -> list[str]:
    script = Path(sys.executable).with_name("keystone")
    return [str(script)] if script.exists() else [sys.executable, "-m", "core.cli"]


def _wait_healthy(process: subprocess.Popen, url: str, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop exactly the server this session started."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def wait_idle(page: playwright_api.Page, timeout_s: float = IDLE_TIMEOUT_S) -> None:
    """Wait until the app has finished its run and stays idle for SETTLE_S."""
    deadline = time.monotonic() + timeout_s
    idle_since, state = None, "?"
    while time.monotonic() < deadline:
        try:
            state = page.evaluate(IDLE_JS)
        except playwright_api.Error:
            state = "navigating"
        now = time.monotonic()
        if state == "idle":
            idle_since = idle_since or now
            if now - idle_since >= SETTLE_S:
                return
        else:
            idle_since = None
        time.sleep(0.1)
    pytest.fail(f"the app did not become idle within {timeout_s:.0f}s (last state: {state})")


def assert_no_exception(page: playwright_api.Page) -> None:
    """Fail with the text of any exception box Streamlit shows."""
    boxes = page.get_by_test_id("stException")
    if boxes.count():
        pytest.fail("the page shows an exception:\n" + "\n---\n".join(boxes.all_inner_texts()))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built from the shipped demo exports, through `keystone demo`."""
    path = tmp_path_factory.mktemp("e2e") / "keystone.duckdb"
    done = subprocess.run(
        [*_keystone(), "demo", "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not path.exists():
        pytest.fail(f"keystone demo failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return path


@pytest.fixture(scope="session")
def app_url(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `streamlit run app.py` on a free loopback port, serving the demo data."""
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {
        **os.environ,
        "KEYSTONE_DB_PATH": str(demo_database),
        "KEYSTONE_LANGUAGE": "en",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url, log)
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_api.Browser]:
    """Debian's Chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (make browser)")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: playwright_api.Browser) -> Iterator[playwright_api.Page]:
    """A fresh browser tab (own cookies, own Streamlit session) for each test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(IDLE_TIMEOUT_S * 1000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page_at(page: playwright_api.Page, app_url: str) -> Callable[..., playwright_api.Page]:
    """Open the app, then the page with this navigation title (None: the landing page)."""

    def open_page(title: str | None = None, query: str = "") -> playwright_api.Page:
        page.goto(f"{app_url}/{query}", wait_until="domcontentloaded")
        wait_idle(page)
        assert_no_exception(page)
        if title is not None:
            link = page.get_by_test_id("stSidebarNavLink").filter(
                has=page.get_by_text(title, exact=True)
            )
            playwright_api.expect(link).to_have_count(1)
            before = page.url
            link.click()
            page.wait_for_function("before => location.href !== before", arg=before, timeout=10_000)
            wait_idle(page)
            assert_no_exception(page)
        return page

    return open_page
