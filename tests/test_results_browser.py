"""The results view in a real browser against a real server: open a finished search and a finished
discovery, click a package (and a case in a PRIM box) and watch it load into the sandbox."""

from __future__ import annotations

import json
import os
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

from conftest_search import run_search, small_search
from conftest_sweep import cli, write_def
from dashboard_fixtures import SEED

from sandbox.model import TownshipModel
from sandbox.viz.results import leaf_overrides

pytestmark = pytest.mark.browser

# the reform on a small grid of leftover stations × form pressure, one replication
TINY_SWEEP = """
    base = "vertical_grid"
    seed = 5
    replications = 1
    days = 20
    metrics = ["cadre_face_to_face_hours", "cadre_reporting_hours"]
    [fixed]
    residents = 2000
    villages = 1
    [parameters]
    scenario = ["vertical_grid", "integrated_grid"]
    leftover_station_share = [0.0, 0.25, 0.5, 0.75, 1.0]
    forms_per_bureau_week = [1.0, 2.5, 4.0, 5.5]
    [design]
    kind = "grid"
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A folder holding a finished search and a finished discovery, as a user's results/ would."""
    root = tmp_path_factory.mktemp("results")
    run_search(small_search(root, population=6, generations=2), root / "search-small", "--workers", "2")
    r = cli("sweep", write_def(root, "tiny", TINY_SWEEP), "--workers", "2", "--out", root / "sweep-tiny")
    assert r.exit_code == 0, r.output
    where = "effect(scenario, cadre_face_to_face_hours) < 0.5"
    r = cli("discover", root / "sweep-tiny", "--where", where, "--resamples", "0", "--out", root / "sweep-tiny" / "discovery")
    assert r.exit_code == 0, r.output
    return root


def township_size(overrides: dict) -> str:
    m = TownshipModel(overrides.pop("scenario"), rng=SEED, **overrides)
    return f"{m.population.n:,} 名居民 · {len(m.village_sizes)} 个村（社区）· {len(m.grid_workers)} 个网格 · {sum(m.cadres_in_village)} 名干部"


def test_a_search_and_a_discovery_open_and_load_into_the_sandbox(open_dash, results):
    search = json.loads((results / "search-small" / "search.json").read_text())
    discovery = json.loads((results / "sweep-tiny" / "discovery" / "discovery.json").read_text())
    d = open_dash()
    page = d.page
    d.tab("结果浏览")
    expect(page.locator(".results-none")).to_be_visible()  # the server's own results/ holds none
    d.type_into("结果文件夹", str(results))
    # the search comes first (folders sorted): its Pareto set, best-ranked first
    table = page.locator(".pareto-table")
    expect(table.locator("tr")).to_have_count(len(search["pareto"]) + 1)
    expect(page.locator(".pareto-heading")).to_have_text(
        f"帕累托集：{search['counts']['pareto']} 个方案（共提出 {search['counts']['packages']} 个，模拟 {search['counts']['evaluated']} 个）")
    best = search["pareto"][0]
    expect(table.locator("tr").nth(1).locator("td").nth(1)).to_have_text(f"#{best['package']}")
    page.locator(f".load-package-{best['package']}").click()
    expect(page.locator(".results-loaded")).to_have_text(
        f"已载入方案 #{best['package']}（情景 vertical_grid）。切换到其他标签页，点“运行”或“单步”观看。")
    package = {"scenario": "vertical_grid", **leaf_overrides(best["levers"])}
    expect(page.locator(".township-size")).to_have_text(township_size(package))
    expect(page.locator(".applied-levers")).to_contain_text(f"一窗受理 = {'是' if package['one_window'] else '否'}")
    d.expect_day(0)
    d.step()
    d.expect_day(1)  # the loaded package runs live
    d.screenshot("results-search-zh")

    # the discovery: its boxes, and a case inside the first loads the reformed township where the reform falls short
    d.choose("results-select", "情景发现")
    box = discovery["boxes"][0]
    expect(page.locator(".box-heading-1")).to_have_text(
        f"盒子 1：覆盖率 {box['coverage']:.2f} · 密度 {box['density']:.2f} · 受限杠杆 {box['restricted']} 个")
    expect(page.locator(".box-1")).to_contain_text("保留站所比例")
    case = box["cases_in_box"][0]
    page.locator(f".load-case-{case['point']}").click()
    expect(page.locator(".results-loaded")).to_have_text(re.compile(rf"^已载入设计点 {case['point']}（情景 {case['scenario']}）"))
    expect(page.locator(".township-size")).to_have_text(township_size({"scenario": case["scenario"], **leaf_overrides(case["values"])}))
    d.screenshot("results-discovery-zh")
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    expect(page.locator(".box-heading-1")).to_have_text(re.compile(r"^Box 1: coverage "))
    expect(page.locator(".box-1")).to_contain_text("Share of leftover stations")
    assert d.problems == []


def test_an_unfinished_or_broken_folder_shows_a_message(open_dash, tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "search.json").write_text("{ not json")
    d = open_dash()
    d.tab("结果浏览")
    d.type_into("结果文件夹", str(tmp_path))
    expect(d.page.locator(".results-error")).to_contain_text(f"无法读取：{tmp_path / 'broken' / 'search.json'}: ")
    d.step()
    d.expect_day(1)  # the session keeps working
    assert d.problems == []
