"""Dashboard speed: per-step update time of every chart, many concurrent browser sessions, a class.

    python benchmarks/bench_dashboard.py                 # charts, 5,000 residents, 60 steps
    python benchmarks/bench_dashboard.py --sessions 20   # + 20 browser sessions on one server
    python benchmarks/bench_dashboard.py --class 40      # + a class of 40 trainees following an instructor
    python benchmarks/bench_dashboard.py --skip-charts --class 10 --lesson showcase_to_landscape   # a county lesson

Part 1 (in-process) times what one Step costs a session's server: the model step plus
building every chart's ECharts option and encoding it as the JSON sent to the browser
(the browser draws it), for a 5,000-resident township; median and 90th percentile.
Part 2 starts a real server (`sandbox dashboard`), opens N browser contexts (N sessions)
from one chromium, clicks Step in all of them in turn and measures the time from each click
to that session's new day label; then checks every session shows its own day.
Part 3 opens a class (the one-window lesson, its own 5,000-resident township) on a real server,
joins N trainees (N browser contexts) and has the instructor press "next step" through the
lesson (closing each question once everyone answered); it reports the server's memory (and its
background workers') and, per press, the time until each trainee's page shows the new step
(median, p90, and the slowest trainee). Every browser runs on the same 2 cores as the server.
Figures, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
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

    import dashboard_fixtures as fx
    from playwright.sync_api import sync_playwright

    fx.SERVER_ENV["SANDBOX_DASHBOARD_RESIDENTS"] = str(residents)
    server = fx.serve(name="bench-sessions")
    q = lambda xs: f"median {statistics.median(xs):.0f} ms, p90 {sorted(xs)[int(0.9 * (len(xs) - 1))]:.0f} ms, max {max(xs):.0f} ms"  # noqa: E731
    with server as (url, _), sync_playwright() as pw:
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


# In every trainee's page: note when each step label first appears (a MutationObserver fires on the
# DOM change itself, unthrottled), so the instructor's click time can be compared with all of them.
WATCH_STEPS = """() => { window.__seen = {}; const note = () => { const e = document.querySelector('.step-n');
  if (e && !(e.innerText in window.__seen)) window.__seen[e.innerText] = Date.now(); };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true}); note(); }"""
CLICK = "sel => { document.querySelector(sel).click(); return Date.now(); }"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    import subprocess

    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def bench_class(n: int, lesson_name: str = "one_window") -> None:
    """A class of n trainees (browser contexts) following an instructor through a lesson."""
    import dashboard_fixtures as fx
    from playwright.sync_api import expect, sync_playwright

    from sandbox.lesson import load_lesson
    from sandbox.viz.classroom import choices

    lesson = load_lesson(lesson_name)
    total = len(lesson.steps)
    q = lambda xs: f"median {statistics.median(xs):.0f} ms, p90 {sorted(xs)[int(0.9 * (len(xs) - 1))]:.0f} ms, max {max(xs):.0f} ms"  # noqa: E731
    with fx.serve({"SANDBOX_CLASS_RESIDENTS": ""}, name="bench-class") as (url, proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=fx.chromium_path(), headless=True, args=fx.CHROMIUM_ARGS)
        expect.set_options(timeout=120_000)
        idle = rss_mb(proc.pid)
        teacher = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        teacher.goto(url + "teach")
        teacher.locator(f".lesson-{lesson_name} .btn-open-class").click()
        code = teacher.locator(".room-code").inner_text().strip()
        t0 = time.perf_counter()
        pages = []
        for k in range(n):
            p = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            p.goto(url + f"class?room={code}")
            p.locator(".input-name input").fill(f"学员{k:02d}")
            p.locator(".input-name input").press("Enter")
            p.wait_for_timeout(100)
            p.locator(".btn-join").click()
            expect(p.locator(".step-n")).to_have_text(f"第 1/{total} 步")
            p.evaluate(WATCH_STEPS)
            pages.append(p)
        joined = time.perf_counter() - t0
        expect(teacher.locator(".trainees-count")).to_have_text(f"已加入 {n} 人")
        c = lesson.class_
        place = (f"a county of {c.county_residents:,}-resident townships" if any(st.county for st in lesson.steps)
                 else f"{c.size()['residents']:,}-resident class township")
        print(f"\nclass of {n} on one server ({lesson_name}, {place}): "
              f"{n} joined in {joined:.0f} s; server RSS {idle:.0f} MB idle -> {rss_mb(proc.pid):.0f} MB with the class")
        cpu0 = cpu_seconds(proc.pid)
        time.sleep(5)
        print(f"  server CPU while the class waits: {100 * (cpu_seconds(proc.pid) - cpu0) / 5:.0f} % of a core")
        latencies, slowest, server_cpu = [], [], []
        for i in range(1, total):
            cpu0 = cpu_seconds(proc.pid)
            clicked = teacher.evaluate(CLICK, ".btn-next")
            label = f"第 {i + 1}/{total} 步"
            for p in pages:
                expect(p.locator(".step-n")).to_have_text(label)
            server_cpu.append(cpu_seconds(proc.pid) - cpu0)
            seen = [p.evaluate("l => window.__seen[l]", label) - clicked for p in pages]
            latencies += seen
            slowest.append(max(seen))
            step = lesson.steps[i]
            if step.question is not None:  # everyone answers, the instructor closes the question
                pick = (choices(step.question) or ["1"])[0]
                for p in pages:
                    if step.question.kind == "number":
                        p.locator(".input-number input").fill(pick)
                        p.locator(".input-number input").press("Enter")
                        p.wait_for_timeout(50)
                        p.locator(".btn-submit").click()
                    else:
                        p.locator(f".choice-{pick}").click()
                expect(teacher.locator(".answered-count")).to_have_text(f"已回答 {n}/{n}")
                teacher.locator(".btn-close-answers").click()
                for p in pages:
                    expect(p.locator(".class-answers-title")).to_have_text(f"全班的回答（{n} 人）")
        workers = sum(rss_mb(c) for c in children(proc.pid))
        print(f"  next step -> the new step on every trainee's page ({len(slowest)} presses x {n} trainees): {q(latencies)}")
        print(f"  slowest trainee per press: {', '.join(f'{x / 1000:.1f} s' for x in slowest)}")
        print(f"  server CPU per press (all {n} pages redrawn): {', '.join(f'{x:.2f} s' for x in server_cpu)}")
        print(f"  server RSS after the lesson {rss_mb(proc.pid):.0f} MB (+ {workers:.0f} MB in its background worker processes)")
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=40, help="days run before timing (charts with some history)")
    ap.add_argument("--sessions", type=int, default=0, help="also open this many browser sessions on one server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tab", default=None, help="tab shown while stepping (default: the map)")
    ap.add_argument("--class", dest="trainees", type=int, default=0, help="also run a class of this many trainees")
    ap.add_argument("--lesson", default="one_window", help="the class's lesson (a county one: showcase_to_landscape)")
    ap.add_argument("--skip-charts", action="store_true", help="only the browser parts")
    args = ap.parse_args()
    if not args.skip_charts:
        bench_charts(args.residents, args.steps, args.warmup)
    if args.sessions:
        bench_sessions(args.sessions, args.rounds, args.residents, args.tab)
    if args.trainees:
        bench_class(args.trainees, args.lesson)


if __name__ == "__main__":
    main()
