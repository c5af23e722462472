"""Dashboard speed: per-step update time of every chart, and many concurrent browser sessions.

    python benchmarks/bench_dashboard.py                 # charts, 5,000 residents, 60 steps
    python benchmarks/bench_dashboard.py --sessions 20   # + 20 browser sessions on one server

Part 1 (in-process) times what one Step costs a session's server: the model step plus
building every chart's ECharts option and encoding it as the JSON sent to the browser
(the browser draws it), for a 5,000-resident township; median and 90th percentile.
Part 2 starts a real server (`sandbox dashboard`), opens N browser contexts (N sessions)
from one chromium, clicks Step in all of them in turn and measures the time from each click
to that session's new day label; then checks every session shows its own day.
Figures, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sandbox.viz import charts, compare, journey, map as township_map, tradeoff  # noqa: E402
from sandbox.viz.state import Settings, Twin  # noqa: E402

SIZES: dict[str, int] = {}


def all_charts(a, b, lang: str = "zh") -> dict[str, float]:
    """Seconds to build + JSON-encode each chart's option once."""
    out = {}
    mid = journey.most_trips(a)
    jobs = {
        "map": lambda: township_map.map_option(a, lang, "open"),
        "trips": lambda: charts.trips_option(a, lang),
        "cadres": lambda: charts.cadres_option(a, lang),
        "tradeoff": lambda: tradeoff.tradeoff_option(a, lang),
        "journey": lambda: journey.journey_option(a, lang, mid.id) if mid else None,
        "compare": lambda: compare.compare_option(a, lang, b),
    }
    for name, job in jobs.items():
        t = time.perf_counter()
        option = job()
        if option is not None:
            SIZES[name] = len(json.dumps(option, allow_nan=False))
        out[name] = time.perf_counter() - t
    return out


def bench_charts(residents: int, steps: int, warmup: int) -> None:
    base = Settings(overrides=(("residents", residents),))
    a = base.build()
    b = Twin("base", "one_window", True).settings(base).build()
    for _ in range(warmup):
        a.step()
        b.step()
    all_charts(a, b)  # fonts, caches
    step_t, totals, per = [], [], {}
    for _ in range(steps):
        t = time.perf_counter()
        a.step()
        b.step()
        s = time.perf_counter() - t
        c = all_charts(a, b)
        step_t.append(s / 2)
        totals.append(s / 2 + sum(v for k, v in c.items() if k != "compare"))
        for k, v in c.items():
            per.setdefault(k, []).append(v)
    ms = lambda xs: f"{1000 * statistics.median(xs):6.1f} ms (p90 {1000 * sorted(xs)[int(0.9 * (len(xs) - 1))]:6.1f})"  # noqa: E731
    print(f"township: {residents:,} residents, days {warmup}..{warmup + steps}, {steps} steps")
    print(f"  model step          {ms(step_t)}")
    for k, v in per.items():
        print(f"  chart {k:<13} {ms(v)}   {SIZES.get(k, 0) / 1000:6.1f} kB JSON")
    print(f"  STEP + ALL 5 VIEWS  {ms(totals)}   <- one Step, every chart of the main views rebuilt")
    print(f"  (+ comparison view  {ms(per['compare'])} when a comparison runs)")


# In the page: click Step, resolve when the day label changed AND every chart on the page
# has drawn its new option (the dashboard's chart element counts draws in data-drawn),
# then two animation frames later (painted). `at` = wall-clock ms to click at (0: now).
STEP_AND_WAIT = """at => new Promise(resolve => {
  const charts = [...document.querySelectorAll('.solara-echarts')];
  const before = charts.map(e => e.dataset.drawn || '0');
  const label = document.querySelector('.day-label');
  const was = label.innerText;
  const go = () => {
    const t0 = performance.now();
    const check = () => {
      if (label.innerText !== was && charts.every((e, i) => (e.dataset.drawn || '0') !== before[i])) {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      } else { requestAnimationFrame(check); }
    };
    document.querySelector('.btn-step').click();
    requestAnimationFrame(check);
  };
  at ? setTimeout(go, Math.max(0, at - Date.now())) : go();
})"""


def bench_sessions(n: int, rounds: int, residents: int, tab: str | None = None) -> None:
    """N browser sessions (contexts) against one real server."""
    import contextlib

    import dashboard_fixtures as fx
    from playwright.sync_api import sync_playwright

    fx.SERVER_ENV["SANDBOX_DASHBOARD_RESIDENTS"] = str(residents)
    server = contextlib.contextmanager(fx.dashboard_url.__wrapped__)()
    q = lambda xs: f"median {statistics.median(xs):.0f} ms, p90 {sorted(xs)[int(0.9 * (len(xs) - 1))]:.0f} ms, max {max(xs):.0f} ms"  # noqa: E731
    with server as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=fx.chromium_path(), headless=True, args=fx.CHROMIUM_ARGS)
        t = time.perf_counter()
        dashes = [fx.Dash(browser.new_context(viewport=fx.VIEWPORT), url) for _ in range(n)]
        for d in dashes:
            if tab:
                d.tab(tab)
            d.page.locator(".chart canvas").first.wait_for()
        print(f"\n{n} browser sessions on one server ({residents:,} residents each), opened in {time.perf_counter() - t:.1f} s;"
              f" page load to first day label: median {statistics.median(fx.TIMINGS):.1f} s")
        # one after another: what a trainee sees when pressing Step while the others idle
        seq = []
        for r in range(rounds):
            for i, d in enumerate(dashes):
                seq.append(d.page.evaluate(STEP_AND_WAIT, 0))
                d.page.wait_for_timeout(250)  # a trainee does not click 4 times a second
        print(f"  Step → new day and every chart redrawn, one session at a time ({len(seq)} steps): {q(seq)}")
        # everyone at once: all sessions press Step at the same moment (worst case in a room)
        together = []
        for r in range(rounds):
            at = time.time() * 1000 + 1500
            handles = [d.page.evaluate_handle(f"window.__lat = ({STEP_AND_WAIT})({at})") for d in dashes]
            together += [d.page.evaluate("window.__lat") for d in dashes]
            del handles
        print(f"  Step → new day and every chart redrawn, all {n} sessions pressing Step together ({len(together)} steps): {q(together)}")
        days = [int(re.search(r"\d+", d.day_label().inner_text()).group()) for d in dashes]
        print(f"  isolation: every session at day {2 * rounds} (its own steps only): {set(days) == {2 * rounds}}")
        print(f"  console errors + failed requests, all sessions: {sum(len(d.problems) for d in dashes)}")
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=40, help="days run before timing (charts with some history)")
    ap.add_argument("--sessions", type=int, default=0, help="also open this many browser sessions on one server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tab", default=None, help="tab shown while stepping (default: the map)")
    args = ap.parse_args()
    bench_charts(args.residents, args.steps, args.warmup)
    if args.sessions:
        bench_sessions(args.sessions, args.rounds, args.residents, args.tab)


if __name__ == "__main__":
    main()
