"""The county view in a real browser against a real server (`sandbox dashboard`): start a county,
step quarters and a year, see the map, adoption curves and rotation timeline change, click a
township (on the map and by its button) through to its own views, switch language."""

from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("SANDBOX_DASHBOARD_COUNTY_RESIDENTS", "1200")  # read by the server the fixture starts

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)


from sandbox.county_scenario import load_county
from sandbox.viz.county import MAP, map_extent

pytestmark = pytest.mark.browser
WAIT = 120_000  # a county quarter on a loaded machine


def _open_county(open_dash):
    d = open_dash()
    d.tab("全县")
    d.page.locator(".county-start").click()
    d.chart("county-map")
    expect(d.page.locator(".county-quarter-label")).to_have_text("尚未开始（第 0 季度）", timeout=WAIT)
    return d


def _map_point(name: str) -> tuple[float, float]:
    """Where township `name` of the default county is drawn inside the map's canvas."""
    spec = load_county("pilot_spreads")
    (x0, x1), (y0, y1) = map_extent([t.x for t in spec.townships], [t.y for t in spec.townships])
    t = next(t for t in spec.townships if t.name == name)
    return (MAP["left"] + (t.x - x0) / (x1 - x0) * MAP["width"], MAP["top"] + (y1 - t.y) / (y1 - y0) * MAP["height"])


def test_county_view_steps_draws_and_clicks_through_to_a_township(open_dash):
    d = _open_county(open_dash)
    page = d.page
    before = {name: d.chart_pixels(name) for name in ("county-map", "county-adoption", "county-leaders")}
    page.locator(".county-quarter").click()
    expect(page.locator(".county-quarter-label")).to_have_text("第 1 年第 1 季度", timeout=WAIT)
    page.locator(".county-year").click()
    expect(page.locator(".county-quarter-label")).to_have_text("第 2 年第 1 季度", timeout=WAIT)
    # after five quarters the pilot has been designated (the map), the curve has moved, time has passed for the leaders
    for name, pixels in before.items():
        assert d.chart_pixels(name) != pixels, f"{name} did not change after five quarters"
    d.screenshot("county-view-zh")
    # a click on the map opens that township's own views
    x, y = _map_point("dongtan")
    box = d.chart("county-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.locator(".county-township-title")).to_contain_text("东滩镇 · 第 312 个工作日", timeout=WAIT)
    expect(page.locator(".county-township .chart-map canvas").first).to_be_visible(timeout=WAIT)
    # and so does its button; the township tabs show its trips and cadres
    page.locator(".county-township-hexi").click()
    expect(page.locator(".county-township-title")).to_contain_text("河西镇", timeout=WAIT)
    page.locator(".county-township").get_by_role("tab", name="干部的一天", exact=True).click()
    expect(page.locator(".county-township .chart-cadres canvas").first).to_be_visible(timeout=WAIT)
    d.screenshot("county-township-zh")
    assert d.problems == []


def test_county_view_follows_the_language_and_the_reform_picked(open_dash):
    d = _open_county(open_dash)
    page = d.page
    page.locator(".county-quarter").click()
    expect(page.locator(".county-quarter-label")).to_have_text("第 1 年第 1 季度", timeout=WAIT)
    zh = d.chart_pixels("county-adoption")
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    expect(page.locator(".county-quarter-label")).to_have_text("Year 1, quarter 1", timeout=WAIT)
    expect(d.button("Next quarter")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^8 townships · 1,200 residents each"))).to_be_visible()
    assert d.chart_pixels("county-adoption") != zh
    d.choose("county-reform", "One window with parallel approval")
    expect(page.locator(".county-reform")).to_contain_text("One window with parallel approval")
    d.screenshot("county-view-en")
    assert d.problems == []


def test_county_levers_build_the_county_a_bad_pair_is_one_message_and_a_link_sets_them(open_dash):
    """A policy designer's county question in the tab: institutionalise faster and restart; terms
    that cannot be (shortest longer than longest) are one message and the county stays; a lesson's
    link opens the county with its levers set."""
    d = _open_county(open_dash)
    page = d.page
    page.get_by_role("button", name=re.compile("^县级杠杆")).click()
    # pilot_spreads has a designated pilot but no mandate: the tab says which lever acts through nothing here
    expect(page.locator(".idle-incentives-mandate_compliance")).to_have_text("本县情景没有强制推行，此项不起作用")
    expect(page.locator(".idle-incentives-publicise_pilots")).to_have_count(0)
    rate = page.get_by_role("slider", name="制度化速度（每年）")
    rate.focus()
    rate.press("End")  # 5 a year, the top of the tab's range
    expect(page.locator(".county-lever-lifecycle-institutionalise_rate .lever-value")).to_have_text("5（0–5）")
    page.locator(".county-start").click()
    expect(page.locator(".county-applied")).to_have_text("本县改动的杠杆：制度化速度（每年） = 5", timeout=WAIT)
    page.locator(".county-quarter").click()
    expect(page.locator(".county-quarter-label")).to_have_text("第 1 年第 1 季度", timeout=WAIT)
    expect(page.locator(".county-lever-leaders-tenure_min_years")).to_be_visible()  # the fold-out stays open
    d.screenshot("county-levers-zh")
    shortest = page.get_by_role("slider", name="最短任期（年）")
    shortest.focus()
    shortest.press("End")  # 10 years, longer than the longest term (5)
    expect(page.locator(".county-lever-leaders-tenure_min_years .lever-value")).to_have_text("10（1–10）")
    page.locator(".county-start").click()
    expect(page.locator(".county-error")).to_have_text("最短任期（10 年）不能长于最长任期（5 年）")
    expect(page.locator(".county-quarter-label")).to_have_text("第 1 年第 1 季度")  # the county as it was
    expect(page.locator(".county-applied")).to_have_text("本县改动的杠杆：制度化速度（每年） = 5")
    assert d.problems == []
    # a lesson's county step links to the county tab with the step's levers
    link = open_dash(path="/?county=dies_with_rotation&leaders.tenure_min_years=2&leaders.tenure_max_years=3"
                          "&lifecycle.institutionalise_rate=4.0", wait_for_day=False)
    expect(link.page.locator(".county-quarter-label")).to_have_text("尚未开始（第 0 季度）", timeout=WAIT)
    expect(link.page.locator(".county-applied")).to_have_text(
        "本县改动的杠杆：最短任期（年） = 2 · 最长任期（年） = 3 · 制度化速度（每年） = 4", timeout=WAIT)
    expect(link.page.locator(".county-scenario")).to_contain_text("dies_with_rotation")
    assert link.problems == []
