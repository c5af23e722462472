"""Real server + real browser for the dashboard tests (Debian's chromium driven by Playwright).

The server is started exactly as a user starts it (`sandbox dashboard --port P`), on
127.0.0.1 and a free port, and stopped by its handle. No `playwright install`: the
browser is the system's chromium. Without chromium the tests skip, unless
REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.defaults import DEFAULT_SEED
from sandbox.replicates import villages_for

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
RESIDENTS = 2000  # small township: fast steps, same code paths
VILLAGES = villages_for(RESIDENTS)  # the dashboard keeps the base's residents per village
SEED = DEFAULT_SEED  # the dashboard opens on the one default seed
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
CLASS_RESIDENTS = 1000  # a class's township in tests: the same lessons, answers computed in seconds
SERVER_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SANDBOX_DASHBOARD_RESIDENTS": str(RESIDENTS),
              "SANDBOX_CLASS_RESIDENTS": str(CLASS_RESIDENTS), "SANDBOX_WORKERS": "1"}
WAIT_MS = 30_000
TIMINGS: list[float] = []  # page load → day label, seconds  # generous: the machine may be loaded


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _no_browser(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"{reason} (apt-get install chromium; set REQUIRE_BROWSER=1 to make this a failure)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(extra_env: dict[str, str] | None = None, name: str = "dashboard-server", port: int | None = None):
    """`sandbox dashboard` on a free loopback port (or `port`); yields (url, process)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = port or _free_port()
    log = open(ARTIFACTS / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "dashboard", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env={**os.environ, **SERVER_ENV, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, proc, log.name)
        yield url, proc
    finally:
        proc.terminate()  # our own process, by its handle
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_until_up(url: str, proc, log_name: str = "", seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with {proc.returncode}; see {log_name}")
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not ready after {seconds:.0f} s")
        time.sleep(0.25)


@pytest.fixture(scope="session")
def dashboard_url():
    """The dashboard for the browser tests (not named solara_server: pytest-ipywidgets owns that)."""
    with serve() as (url, _):
        yield url


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)  # 2 cores shared with other work: Playwright's 5 s is too short
    path = chromium_path()
    if not path:
        _no_browser("no chromium on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Dash:
    """One browser tab on the dashboard, recording every console error and failed request."""

    def __init__(self, context, url: str, wait_for_day: bool = True):
        self.context = context
        self.page = page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        self.problems: list = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(("console", m.text)))
        page.on("pageerror", lambda e: self.problems.append(("pageerror", str(e))))
        page.on("requestfailed", lambda r: self.problems.append(("requestfailed", r.url, r.failure)))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(("http", r.status, r.url)))
        t0 = time.perf_counter()
        page.goto(url)
        if wait_for_day:
            self.expect_day(0)
            TIMINGS.append(time.perf_counter() - t0)

    # -- reading ---------------------------------------------------------------------
    def day_label(self):
        return self.page.locator(".day-label")

    def expect_day(self, day: int, lang: str = "zh") -> None:
        from playwright.sync_api import expect

        text = f"第 {day} 个工作日" if lang == "zh" else f"Working day {day}"
        expect(self.day_label()).to_have_text(text, timeout=WAIT_MS)

    def chart(self, name: str):
        """The chart's canvas, once ECharts has drawn it."""
        canvas = self.page.locator(f".chart-{name} canvas").first
        canvas.wait_for(state="visible")
        return canvas

    def chart_pixels(self, name: str) -> bytes:
        """A screenshot of the chart as drawn in the browser (to tell whether it changed)."""
        canvas = self.chart(name)
        self.page.wait_for_timeout(300)
        return canvas.screenshot()

    # -- acting ----------------------------------------------------------------------
    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def step(self, label: str = "单步") -> None:
        self.button(label).click()

    def days_per_step(self, days: int) -> None:
        """Choose `days` per step and wait until the server's Step button says so (the toggle shows
        the click at once; a click lost on a loaded machine is made again, once)."""
        from playwright.sync_api import expect

        toggle = self.page.locator(".days-per-step")
        confirmed = self.page.locator(f".btn-step.step-{days}")
        for attempt in range(2):
            if attempt:  # the toggle may show `days` while the server still has another value
                toggle.get_by_role("button", name="1", exact=True).click()
                expect(self.page.locator(".btn-step.step-1")).to_be_attached()
            toggle.get_by_role("button", name=str(days), exact=True).click()
            try:
                expect(confirmed).to_be_attached(timeout=WAIT_MS // 3)
                return
            except AssertionError:
                if attempt:
                    raise

    def tab(self, label: str) -> None:
        self.page.get_by_role("tab", name=label, exact=True).click()

    def choose(self, select_class: str, option: str) -> None:
        """Pick `option` in the v-select with CSS class `select_class`."""
        self.page.locator(f".{select_class} .v-select__slot").first.click()
        self.page.locator(".menuable__content__active [role=option]").filter(has_text=re.compile("^" + re.escape(option))).first.click()

    def type_into(self, label: str, text: str) -> None:
        box = self.page.get_by_label(label, exact=True)
        box.fill(text)
        box.press("Enter")
        self.page.wait_for_timeout(300)  # let the value reach the server before a following click

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.wait_for_timeout(400)  # let the PNGs swap in
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path)
        return path


@pytest.fixture
def open_dash(chromium_browser, dashboard_url):
    """Factory: a fresh browser context (its own session) per call; closed at the end of the test."""
    contexts = []

    def make(viewport: dict | None = None, path: str = "", wait_for_day: bool = True) -> Dash:
        ctx = chromium_browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True)
        contexts.append(ctx)
        return Dash(ctx, dashboard_url + path.lstrip("/"), wait_for_day)

    yield make
    for ctx in contexts:
        ctx.close()
