"""The dashboard in a real browser against a real server (`sandbox dashboard`)."""

from __future__ import annotations

import os
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

from dashboard_fixtures import RESIDENTS, SEED, VILLAGES, chromium_browser, dashboard_url, open_dash  # noqa: F401 (fixtures)
from sandbox.glossary import term as tr
from sandbox.model import TownshipModel

pytestmark = pytest.mark.browser

VIEWS = (("乡镇地图", "map"), ("居民跑腿", "trips"), ("干部的一天", "cadres"), ("秩序·活力·公平", "tradeoff"))


def test_page_loads_clean_steps_and_every_chart_changes(open_dash):
    d = open_dash()
    page = d.page
    expect(page.get_by_text("基层治理政策沙盘").first).to_be_visible()
    expect(page.locator(".township-size")).to_have_text(re.compile(rf"^{RESIDENTS:,} 名居民"))
    before = {}
    for tab, name in VIEWS:
        d.tab(tab)
        before[name] = d.chart_pixels(name)
    d.step()
    d.expect_day(1)
    page.locator(".days-per-step").get_by_role("button", name="22", exact=True).click()
    d.step()
    d.expect_day(23)
    for tab, name in VIEWS:
        d.tab(tab)
        assert d.chart_pixels(name) != before[name], f"{name} chart did not change after 23 days"
        d.screenshot(f"dashboard-{name}-zh")
    caption = page.locator(".caption-tradeoff")
    expect(caption).to_contain_text("秩序指数")
    assert d.problems == []


def test_play_runs_and_pause_stops(open_dash):
    d = open_dash()
    d.button("运行").click()
    expect(d.button("暂停")).to_be_visible()
    expect(d.button("单步")).to_be_disabled()
    d.page.wait_for_function(
        "() => { const m = document.querySelector('.day-label')?.innerText.match(/(\\d+)/); return m && +m[1] >= 2 }",
        timeout=30_000)
    d.button("暂停").click()
    expect(d.button("运行")).to_be_visible()
    stopped = d.day_label().inner_text()
    d.page.wait_for_timeout(800)
    assert d.day_label().inner_text() == stopped
    assert d.problems == []


def test_language_switch_changes_every_label(open_dash):
    d = open_dash()
    page = d.page
    d.tab("居民跑腿")
    zh_chart = d.chart_pixels("trips")
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    d.expect_day(0, lang="en")
    for label in ("Step", "Play", "Reset"):
        expect(d.button(label)).to_be_visible()
    for tab in ("Township map", "Residents' trips", "Cadres' day", "Order · vitality · fairness", "Follow one matter", "Side by side"):
        expect(page.get_by_role("tab", name=tab, exact=True)).to_be_visible()
    expect(page.get_by_text("One window", exact=True)).to_be_visible()
    d.page.wait_for_timeout(300)
    assert d.chart_pixels("trips") != zh_chart  # chart redrawn in English
    d.screenshot("dashboard-trips-en")
    page.locator(".lang-switch").get_by_role("button", name="中文").click()
    d.expect_day(0)
    expect(page.get_by_text("一窗受理", exact=True)).to_be_visible()
    assert d.problems == []


def test_lever_change_and_reset_rebuild_the_model(open_dash):
    d = open_dash()
    page = d.page
    d.step()
    d.expect_day(1)
    page.get_by_text("一窗受理", exact=True).click()  # checkbox label
    expect(page.locator(".msg-pending")).to_have_text(re.compile("点击“重置”后生效"))
    slider = page.get_by_role("slider", name="每村干部数")
    slider.focus()
    slider.press("Home")  # 1
    for _ in range(5):
        slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "6")
    page.wait_for_timeout(300)
    d.button("重置").click()
    d.expect_day(0)
    expect(page.locator(".msg-pending")).to_have_count(0)
    expect(page.locator(".applied-levers")).to_have_text(
        f"本模型改动的杠杆：一窗受理 = 是 · 每村干部数 = 6 · 居民人数 = {RESIDENTS} · 村（社区）数 = {VILLAGES}")
    m = TownshipModel("base", rng=SEED, residents=RESIDENTS, villages=VILLAGES, one_window=True, cadres_per_village=6)
    expect(page.locator(".township-size")).to_have_text(
        f"{RESIDENTS:,} 名居民 · {VILLAGES} 个村（社区）· {len(m.grid_workers)} 个网格 · {sum(m.cadres_in_village)} 名干部")
    d.tab("乡镇地图")
    d.screenshot("dashboard-map-one-window-zh")
    assert d.problems == []


def test_invalid_values_show_a_message_and_the_session_keeps_working(open_dash):
    d = open_dash()
    page = d.page
    error = page.locator(".msg-error")
    d.type_into("居民人数", "abc")
    d.button("重置").click()
    expect(error).to_have_text("无法应用这些参数：居民人数必须是整数，而不是“abc”")
    d.step()
    d.expect_day(1)  # the old model still runs
    d.type_into("居民人数", "50")
    d.button("重置").click()
    expect(error).to_contain_text("township.residents = 50: must be a whole number from 100 to 2000000")
    d.type_into("居民人数", str(RESIDENTS))
    d.type_into("随机种子", "seven")
    d.button("重置").click()
    expect(error).to_have_text("无法应用这些参数：随机种子必须是整数，而不是“seven”")
    d.step()
    d.expect_day(2)
    d.type_into("随机种子", "7")
    page.get_by_text("线上渠道（App）", exact=True).click()  # off: assisted service and app push become inert
    d.button("重置").click()
    d.expect_day(0)
    expect(error).to_have_count(0)
    warnings = page.locator(".msg-inert")
    expect(warnings.first).to_be_visible()
    expect(warnings).to_have_text([
        "“帮办代办”不起作用：没有线上渠道，网格员无法代为网上提交",
        "“窗口推用App概率”不起作用：没有线上渠道，无App可推",
    ])
    d.screenshot("dashboard-messages-zh")
    d.step()
    d.expect_day(1)
    assert d.problems == []


def test_side_by_side_runs_both_models_in_lockstep(open_dash):
    d = open_dash()
    page = d.page
    d.tab("方案对比")
    expect(page.get_by_text("尚未开始对比", exact=False)).to_be_visible()
    d.choose("compare-lever", "一窗受理")
    page.locator(".compare-start").click()
    heading = page.locator(".compare-heading")
    expect(heading).to_have_text("A：base　　B：base + 一窗受理 = 是　　（第 0 个工作日）")
    page.locator(".days-per-step").get_by_role("button", name="22", exact=True).click()
    d.step()
    d.expect_day(22)
    expect(heading).to_contain_text("（第 22 个工作日）")
    rows = page.locator(".compare-table tr[data-metric]")
    expect(rows).to_have_count(16)
    # same seed, one lever: B's numbers are computed by the model, checked here against an in-process twin
    a = TownshipModel("base", rng=SEED, residents=RESIDENTS, villages=VILLAGES)
    b = TownshipModel("base", rng=SEED, residents=RESIDENTS, villages=VILLAGES, one_window=True)
    a.run_for(22)
    b.run_for(22)
    row = page.locator('.compare-table tr[data-metric="trips_per_matter"] td')
    expect(row.nth(1)).to_have_text(f"{a.metrics['trips_per_matter']:.2f}")
    expect(row.nth(2)).to_have_text(f"{b.metrics['trips_per_matter']:.2f}")
    expect(page.locator(".compare-table tr.better, .compare-table tr.worse").first).to_be_visible()
    d.chart("compare")
    d.screenshot("dashboard-compare-zh")
    page.locator(".compare-stop").click()
    expect(page.get_by_text("尚未开始对比", exact=False)).to_be_visible()
    assert d.problems == []


def test_follow_one_matter_shows_its_doors_trips_and_days(open_dash):
    d = open_dash()
    page = d.page
    page.locator(".days-per-step").get_by_role("button", name="22", exact=True).click()
    d.step()
    d.expect_day(22)
    d.tab("跟踪一件事")
    page.locator(".journey-most").click()
    # the matter with most trips in an in-process twin of this session's model
    m = TownshipModel("base", rng=SEED, residents=RESIDENTS, villages=VILLAGES)
    m.run_for(22)
    best = max(m.matters, key=lambda x: (x.trips, len(x.journey), -x.id))
    days = (best.closed if best.closed is not None else 22) - best.created
    status = {"open": "在办", "settled": "已办结", "abandoned": "已放弃"}[best.status]
    expect(page.locator(".journey-summary")).to_have_text(
        f"{tr('matters', best.type.id, 'zh')}：跑了 {best.trips} 次，用了 {days} 天，{status}")
    expect(page.locator(".journey-table tr")).to_have_count(len(best.journey) + 1)
    d.chart("journey")
    d.screenshot("dashboard-journey-zh")
    assert d.problems == []


def test_two_browser_sessions_are_isolated(open_dash):
    a, b = open_dash(), open_dash()
    a.step()
    a.step()
    a.expect_day(2)
    a.page.locator(".lang-switch").get_by_role("button", name="English").click()
    a.expect_day(2, lang="en")
    b.expect_day(0)  # still Chinese, still day 0
    b.step()
    b.expect_day(1)
    a.expect_day(2, lang="en")
    assert a.problems == [] and b.problems == []
