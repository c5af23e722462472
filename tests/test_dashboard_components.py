"""Dashboard components without a browser (solara.render): state, messages, options, language,
the map's layout and doors, honest comparisons, what a browser may send."""

from __future__ import annotations

import json
import math
import re

import ipyvuetify as v
import numpy as np
import pytest

from sandbox.defaults import DEFAULT_SEED
import solara
from matplotlib.path import Path as Polygon

from sandbox.model import TownshipModel
from sandbox.replicates import Estimate, Plan, Results, Setting
from sandbox.viz import charts, compare, journey, levers, map as township_map, map_layout, sessions, tradeoff
from sandbox.viz.background import Job
from sandbox.viz.controls import is_pending
from sandbox.viz.echarts_widget import SafeEchartsWidget
from sandbox.viz.i18n import language
from sandbox.viz.state import Replicated, Session, Settings, Twin, for_people
from sandbox.viz.views import VIEWS, lesson_views

SMALL = 1500
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def chinese():
    language.set("zh")
    yield
    language.set("zh")


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setenv("SANDBOX_DASHBOARD_RESIDENTS", str(SMALL))
    return Session()


def texts(rc) -> list[str]:
    return [w.children[0] for w in rc.find(v.Html).widgets if w.children and isinstance(w.children[0], str)]


def option_json(widget) -> str:
    return json.dumps(widget.option.value, allow_nan=False)  # NaN would break the browser's JSON parser


def test_page_in_app_layout_steps_and_updates_charts():
    import sandbox.viz.app

    box, rc = solara.render(solara.AppLayout(children=[sandbox.viz.app.Page()]), handle_error=False)
    rc.find(v.Html, children=["第 0 个工作日"]).assert_single()
    assert "第 0 个工作日：还没有数据。点上方的“单步”或“运行”开始。" in str(rc.find(v.Alert).widgets[0].children)
    charts_before = {w.attributes["style"]: option_json(w) for w in rc.find(SafeEchartsWidget).widgets}
    assert len(charts_before) >= 4  # map, trips, cadres, trade-off
    rc.find(v.Btn, children=["单步"]).widget.click()
    rc.find(v.Html, children=["第 1 个工作日"]).assert_single()
    after = [option_json(w) for w in rc.find(SafeEchartsWidget).widgets]
    assert all(a != b for a, b in zip(charts_before.values(), after)), "every chart's data changes with a step"
    assert not [a for a in rc.find(v.Alert).widgets if "第 0 个工作日" in str(a.children)]  # the day-0 hint is gone
    rc.close()


def test_every_view_is_registered_with_a_label_and_lesson_views_need_no_session(stepped):
    from sandbox.glossary import term

    for view in VIEWS:
        assert callable(view.load())
        assert term("ui", f"tab_{view.key}", "zh") and term("ui", f"tab_{view.key}", "en")
    assert lesson_views() == ["map", "trips", "cadres", "tradeoff"]
    for key in lesson_views():
        box, rc = solara.render(next(v_ for v_ in VIEWS if v_.key == key).load()(stepped, None), handle_error=False)
        assert len(rc.find(SafeEchartsWidget).widgets) == 1
        rc.close()


# -- messages for people ------------------------------------------------------------------------
def test_apply_bad_input_is_a_translated_message_without_a_path(session):
    m0 = session.model.value
    draft = dict(session.draft.value["levers"])
    assert session.apply("base", "x", draft, "zh") is False
    assert session.error.value == "无法应用这些参数：随机种子必须是整数，而不是“x”"
    assert session.model.value is m0
    assert session.apply("base", "7", {**draft, "residents": "50"}, "zh") is False
    assert session.error.value == "无法应用这些参数：居民人数必须是 100 到 50,000 之间的整数，而不是“50”"
    assert session.apply("base", "7", {**draft, "residents": "50"}, "en") is False
    assert session.error.value == 'Cannot apply these settings: Residents must be a whole number from 100 to 50,000, not "50"'
    assert session.apply("base", "7", {**draft, "residents": "60000"}, "zh") is False
    assert "50,000" in session.error.value and "sandbox run" in session.error.value
    assert session.apply("base", "7", {**draft, "cadres_per_village": 99}, "zh") is False
    assert session.error.value == "无法应用这些参数：每村干部数必须是 1 到 50 之间的整数，而不是“99”"
    session.step(3)
    assert session.model.value.day == 3  # still working
    assert session.apply("base", "7", {**draft, "one_window": True, "cadres_per_village": 6}, "zh") is True
    m = session.model.value
    assert session.error.value is None
    assert m.day == 0 and m.p.structure.one_window and m.p.staffing.cadres_per_village == 6
    assert session.settings.value == Settings("base", 7, (("cadres_per_village", 6), ("one_window", True), ("residents", SMALL), ("villages", 1)))
    twin = TownshipModel("base", rng=7, residents=SMALL, villages=1, one_window=True, cadres_per_village=6)
    session.step(5)
    twin.run_for(5)
    assert session.model.value.metrics == pytest.approx(twin.metrics, nan_ok=True)


@pytest.mark.parametrize("seed,zh,en", [
    ("-1", "随机种子必须是 0 到 9,223,372,036,854,775,807 之间的整数，而不是“-1”",
     'The random seed must be a whole number from 0 to 9,223,372,036,854,775,807, not "-1"'),
    ("9223372036854775808", "随机种子必须是 0 到 9,223,372,036,854,775,807 之间的整数，而不是“9223372036854775808”", None),
])
def test_a_negative_or_huge_seed_is_a_message(session, seed, zh, en):
    draft = session.draft.value["levers"]
    assert session.apply("base", seed, draft, "zh") is False
    assert session.error.value == f"无法应用这些参数：{zh}"
    if en:
        session.apply("base", seed, draft, "en")
        assert session.error.value == f"Cannot apply these settings: {en}"
    assert session.model.value.day == 0 and session.settings.value.seed == DEFAULT_SEED


def test_a_full_width_seed_applies_and_the_pending_notice_clears(session):
    draft = session.draft.value["levers"]
    session.draft.set({**session.draft.value, "seed": "４２"})
    assert session.apply("base", "４２", draft, "zh")
    assert session.settings.value.seed == 42
    assert not is_pending(session)  # it used to compare the text "４２" with "42" and never clear


def test_an_unexpected_failure_is_one_translated_line(session, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("/srv/secret/path/model.py exploded")

    monkeypatch.setattr(session.model.value, "step", boom)
    assert session.step(1, lang="en") is False
    assert session.error.value == 'Something went wrong: "Step" was not done. The sandbox keeps working.'
    assert "/srv" not in session.error.value


def test_messages_lose_server_paths():
    assert for_people("/home/u/x/scenarios/base.toml (with overrides): township.residents = 5: nope") == \
        "base.toml (with overrides): township.residents = 5: nope"
    assert for_people(r"C:\Users\me\lesson.toml: bad") == "lesson.toml: bad"


def test_messages_component_shows_error_and_notices(session):
    from sandbox.viz.controls import Messages

    session.apply("base", "seven", session.draft.value["levers"], "zh")
    box, rc = solara.render(Messages(session), handle_error=False)
    assert "无法应用这些参数：随机种子必须是整数，而不是“seven”" in str(rc.find(v.Alert).widgets[0].children)
    rc.close()


def test_inert_levers_become_notices_in_both_languages(session):
    draft = {**session.draft.value["levers"], "online_channel": False, "co_creation": False, "share_results": False}
    assert session.apply("base", "42", draft, "zh")
    assert [n.text("zh") for n in session.notices.value] == [
        "“帮办代办”不起作用：没有线上渠道，网格员无法代为网上提交",
        "“窗口推用App概率”不起作用：没有线上渠道，无App可推",
        "“共同缔造”不起作用：单独切换了五个环节，但共同缔造本身未开启",
    ]
    assert session.notices.value[0].text("en") == '"Assisted service" has no effect: grid workers file online for residents, but there is no online channel'


# -- what a browser may send ----------------------------------------------------------------------
def test_the_scenario_picker_loads_only_listed_names(session, monkeypatch):
    """The select's value arrives over the websocket: setting the widget's v_model is exactly what
    an incoming message does. A path loads nothing and the message shows no path."""
    from sandbox.viz.controls import Levers

    read = []
    real = levers.build_scenario
    monkeypatch.setattr(levers, "build_scenario", lambda name, **k: read.append(name) or real(name, **k))
    box, rc = solara.render(Levers(session), handle_error=False)
    select = rc.find(v.Select, class_="scenario-select").widget
    for sent in ("/etc/passwd", "../../etc/passwd", "scenarios/base.toml", 42):
        select.v_model = sent
        assert session.draft.value["scenario"] == "base"
        assert "/" not in session.error.value and "情景" in session.error.value
    assert read == []
    select.v_model = "integrated_grid"
    assert session.draft.value["scenario"] == "integrated_grid" and session.draft.value["levers"]["one_window"] is True
    rc.close()
    assert session.apply("/etc/passwd", "1", session.draft.value["levers"], "en") is False
    assert session.error.value == 'Cannot apply these settings: Scenario "∕etc∕passwd" is not in the list'
    assert session.compare(Twin("/etc/passwd"), "zh") is False


def test_sandbox_links_read_only_listed_scenarios_and_shown_levers():
    scenario, draft = levers.from_link("scenario=integrated_grid&one_window=0&cadres_per_village=6&residents=3000", "zh")
    assert scenario == "integrated_grid" and draft["one_window"] is False and draft["cadres_per_village"] == 6
    assert levers.overrides(scenario, draft, "zh")["residents"] == 3000
    for bad, message in (("scenario=/etc/passwd", "情景“∕etc∕passwd”不在列表中"),
                         ("scenario=base&redirect_prob=1", "地址中的设置未能全部采用：redirect_prob"),
                         ("scenario=base&one_window=maybe", "一窗受理只能是“是”或“否”"),
                         ("scenario=base&cadres_per_village=500", "每村干部数必须是 1 到 50 之间的整数，而不是“500”")):
        with pytest.raises(Exception) as e:
            levers.from_link(bad, "zh")
        assert e.value.message == message
    assert levers.link("vertical_grid", {"one_window": True, "outside_capacity": 0.8}) == "/?scenario=vertical_grid&one_window=1"


def test_journey_and_map_ignore_values_no_matter_has(stepped):
    box, rc = solara.render(journey.JourneyView(stepped), handle_error=False)
    pick = rc.find(v.Select, class_="journey-pick").widget
    for sent in (10**9, -1, "x", None):
        pick.v_model = sent
        assert any("跑了" in t for t in texts(rc))  # falls back to the newest matter
    rc.close()
    box, rc = solara.render(township_map.MapView(stepped), handle_error=False)
    rc.find(v.Select, class_="map-colour").widget.v_model = "<script>"
    assert len(rc.find(SafeEchartsWidget).widgets) == 1
    rc.close()


# -- sessions ----------------------------------------------------------------------------------
def test_a_session_stops_at_its_size_limit(session, monkeypatch):
    monkeypatch.setattr(sessions, "RESIDENT_DAYS", SMALL * 10)
    assert sessions.max_days(SMALL) == 10
    assert session.step(8)
    assert session.step(5)  # clipped to the limit
    assert session.model.value.day == 10
    assert session.step(1, lang="zh") is False
    assert session.error.value == f"本沙盘已到上限：{SMALL:,} 名居民最多运行 10 个工作日。请点“应用并重新开始”。"
    assert session.model.value.day == 10


# -- side by side, honestly ---------------------------------------------------------------------
def test_comparison_twin_same_seed_one_lever_in_lockstep_and_replicated_in_the_background(session):
    assert session.compare(Twin("base", "one_window", True), "zh", replications=3, days=20)
    rep = session.replicated.value
    assert rep.plan.seeds == (DEFAULT_SEED, DEFAULT_SEED + 1, DEFAULT_SEED + 2) and rep.plan.days == 20
    assert rep.plan.settings == (Setting("base", ()), Setting("base", (("one_window", True),)))
    assert dict(rep.plan.size) == {"residents": SMALL, "villages": 1}
    session.step(10)
    a, b = session.model.value, session.twin.value
    assert a.day == b.day == 10
    ref_b = TownshipModel("base", rng=DEFAULT_SEED, residents=SMALL, villages=1, one_window=True)
    ref_b.run_for(10)
    assert b.metrics == pytest.approx(ref_b.metrics, nan_ok=True)
    assert compare.heading(session, "zh") == "A：校准基准（条线式＋网格）　　B：校准基准（条线式＋网格） + 一窗受理 = 是　　（第 10 个工作日）"
    assert rep.job.done.wait(300), "the background runs did not finish"
    assert rep.job.error is None
    from sandbox.replicates import run_summary
    first = run_summary("base", {"one_window": True, "residents": SMALL, "villages": 1}, DEFAULT_SEED, 20)
    assert rep.job.results.summaries[(1, DEFAULT_SEED)] == pytest.approx(first, nan_ok=True)
    html = compare.table_html(rep, "zh")
    assert html.count("data-metric=") == len(compare.ROWS)
    session.stop_compare()
    assert session.twin.value is None and session.replicated.value is None and rep.job.cancelled


def _results(diffs: dict[str, list[float]]) -> Replicated:
    """A finished comparison with chosen paired differences B − A per metric (A all 1.0)."""
    n = len(next(iter(diffs.values())))
    plan = Plan((Setting("base"), Setting("integrated_grid")), 10, tuple(range(n)))
    res = Results(plan)
    for i, s in plan.runs():
        res.summaries[(i, s)] = {k: 1.0 + (d[s] if i == 1 else 0.0) for k, d in diffs.items()}
    job = Job(plan)
    job.results = res
    return Replicated(Settings(), Settings("integrated_grid"), job)


def test_only_differences_whose_interval_excludes_zero_are_coloured():
    keys = [k for k, _, _ in compare.ROWS]
    diffs = {k: [0.0, 0.0, 0.0] for k in keys}
    diffs["trips_per_matter"] = [-0.5, -0.6, -0.55]   # clearly fewer trips: better
    diffs["participation"] = [-0.2, -0.25, -0.22]     # clearly less participation: worse
    diffs["escalations"] = [-3.0, 2.5, 1.0]           # sign flips between seeds: not coloured
    diffs["vitality_index"] = [0.0004, 0.0005, 0.0006]  # certain but tiny: coloured, and shown with its digits
    html = compare.table_html(_results(diffs), "zh")
    assert {m: c for c, m in re.findall(r'<tr class="(better|worse)" data-metric="(\w+)"', html)} == {
        "trips_per_matter": "better", "participation": "worse", "vitality_index": "better"}
    assert "+0.0005" in html.split('data-metric="vitality_index"')[1].split("</tr>")[0]
    assert 'class="unclear" data-metric="escalations"' in html and "区分不出" in html
    assert "[" in html  # the interval is shown
    assert compare.verdict(Estimate(-1, -2, 0.5), -1) == ""
    assert compare.verdict(Estimate(-1, -2, -0.5), -1) == "better"
    assert compare.verdict(Estimate(math.nan, math.nan, math.nan), +1) == ""


def test_the_preset_compares_vertical_with_integrated(session):
    assert session.preset("zh", replications=3, days=20)
    assert session.settings.value.scenario == "vertical_grid"
    assert session.twin_spec.value == Twin("integrated_grid")
    rep = session.replicated.value
    assert [s.scenario for s in rep.plan.settings] == ["vertical_grid", "integrated_grid"]
    session.stop_compare()


# -- charts ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stepped():
    m = Settings(overrides=(("residents", SMALL), ("villages", 1))).build()
    m.run_for(25)
    return m


def _unit_axes(option):
    axes = option.get("yAxis", [])
    for ax in axes if isinstance(axes, list) else [axes]:
        if ax.get("min") == 0 and ax.get("max") == 1:
            yield ax


def test_options_are_valid_json_in_both_languages_and_0_1_axes_have_round_ticks(stepped):
    b = Twin("base", "one_form", True).settings(Settings(overrides=(("residents", SMALL), ("villages", 1)))).build()
    b.run_for(25)
    mid = journey.most_trips(stepped).id
    for lang in ("zh", "en"):
        options = (charts.trips_option(stepped, lang), charts.cadres_option(stepped, lang),
                   township_map.map_option(stepped, lang, "open"), township_map.map_option(stepped, lang, "grievance", mid),
                   township_map.map_option(stepped, lang, "participating"), tradeoff.tradeoff_option(stepped, lang),
                   journey.journey_option(stepped, lang, mid), compare.compare_option(stepped, lang, b))
        units = 0
        for option in options:
            json.dumps(option, allow_nan=False)
            for ax in _unit_axes(option):
                units += 1
                assert ax.get("interval") in (0.25, 0.5), ax  # ECharts' own ticks print 0.9 on top of 1
        assert units >= 5


def test_trips_chart_has_a_line_per_group_and_metric(stepped):
    o = charts.trips_option(stepped, "en")
    names = {s["name"] for s in o["series"]}
    assert names == {"all residents", "elderly", "low digital literacy", "remote"}
    assert len(o["series"]) == 12
    last = o["series"][0]["data"][-1]
    assert last[0] == 25 and last[1] == pytest.approx(stepped.metrics["trips_per_matter"], abs=1e-4)


def test_cadre_day_shows_hours_worked_never_more_than_a_day_can_hold():
    """A village with one cadre and every bureau's forms is asked for far more than a day: the stack
    shows what was worked (working day + overtime at most), the dashed line what was demanded."""
    m = TownshipModel("vertical_grid", rng=3, residents=SMALL, villages=1, cadres_per_village=1, community_workers_per_10k=1.0,
                      forms_per_bureau_week=6.0)
    m.run_for(30)
    o = charts.cadres_option(m, "en")
    p = m.p.staffing
    day = [s for s in o["series"] if s.get("stack") == "day"]
    worked = [sum(s["data"][d] for s in day) for d in range(30)]
    demanded = next(s for s in o["series"] if s["name"] == "Hours demanded from above")["data"]
    assert max(demanded) > p.hours_per_day + p.overtime_cap  # the forms ask for more than a day has
    assert max(worked) <= p.hours_per_day + p.overtime_cap + 1e-6
    h = m.metrics
    assert demanded[-1] == pytest.approx(sum(h[f"cadre_{a}_hours"] for a in charts.TOP_DOWN) + h["cadre_unfinished_hours"], abs=1e-3)
    assert worked[-1] == pytest.approx(sum(h[f"cadre_{a}_hours"] for a in charts.ACTIVITIES), abs=1e-3)
    caption = charts.cadres_caption(m, "zh")
    assert caption.startswith(f"每名干部每日：实际工作 {worked[-1]:.1f} 小时")
    assert f"上级要求 {demanded[-1]:.1f} 小时" in caption


def test_map_lays_cells_out_without_overlap_and_residents_inside_their_cell():
    m = TownshipModel("vertical_grid", rng=5, residents=6000, villages=4)
    lay = map_layout.layout(m)
    shapes = [Polygon(o) for o in lay.cell_outlines]
    pop = m.population
    for c, shape in enumerate(shapes):
        inside = shape.contains_points(lay.xy[pop.cell == c], radius=1e-9)
        assert inside.all(), f"cell {c}: a resident drawn outside their cell"
    lo, hi = lay.xy.min(axis=0) - 1, lay.xy.max(axis=0) + 1
    grid = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160)), -1).reshape(-1, 2)
    cover = sum(s.contains_points(grid, radius=-1e-6).astype(int) for s in shapes)
    assert cover.max() == 1, "two cells overlap"
    assert len(lay.cell_centres) == len(m.grid_workers)


@pytest.mark.parametrize("scenario,kinds", [
    ("vertical_grid", ["station"] * 9), ("integrated_grid", ["window"]),
    ("leftover_stations", ["window"] + ["leftover"] * 4)])
def test_the_seat_shows_its_doors(scenario, kinds):
    m = TownshipModel(scenario, rng=1, residents=SMALL, villages=1)
    ds = map_layout.doors(m)
    assert [d.kind for d in ds] == kinds
    assert sum(len(d.hosts) for d in ds) == 9
    o = township_map.map_option(m, "zh")["baseOption"]
    door_series = o["series"][-1]
    assert len(door_series["data"]) == len(kinds)
    assert o["title"][0]["text"] == f"镇区的门 · 群众要找的门：{len(kinds)} 扇"


def test_grid_workers_are_drawn_on_top_and_the_followed_matter_has_its_route(stepped):
    o = township_map.map_option(stepped, "zh", "open", journey.most_trips(stepped).id)["baseOption"]
    by_name = {s.get("name"): s for s in o["series"]}
    workers = next(s for n, s in by_name.items() if n and n.startswith("网格员"))
    residents = [s for s in o["series"] if s.get("type") == "scatter" and s.get("symbolSize") in (3, 6)]
    assert workers["z"] > max(s["z"] for s in residents)
    m = journey.most_trips(stepped)
    route = next(s for n, s in by_name.items() if n and n.startswith("跟踪的事项"))
    path = route["data"][0]["coords"]
    home = [float(x) for x in map_layout.layout(stepped).xy[m.resident]]
    assert path[0] == home and path[-1] == home
    visits = sum(1 for _, place, event in m.journey if place not in ("home", "app") and event in township_map.VISITS)
    assert len(path) == 1 + 2 * visits
    assert route["effect"]["show"] is True


def test_tradeoff_radar_today_matches_the_metrics(stepped):
    o = tradeoff.tradeoff_option(stepped, "zh")
    radar = o["series"][0]
    assert radar["data"][-1]["value"] == [round(stepped.metrics[k], 3) for k in tradeoff.INDICES]
    assert len(radar["data"]) == 1 + len(tradeoff.snapshot_days(25))
    assert [i["name"].split()[0] for i in o["radar"]["indicator"]] == ["秩序", "活力", "公平"]


def test_journey_counts_trips_and_waits(stepped):
    m = journey.most_trips(stepped)
    path = journey.stops(m, stepped.day)
    counter_events = {"full", "redirected", "missing_document", "pushed_to_app", "accepted"}
    assert sum(s.event in counter_events for s in path) == m.trips
    assert [s.day for s in path] == [d for d, _, _ in m.journey]
    if m.status == "open":
        assert path[-1].day + path[-1].wait == stepped.day
    assert f"跑了 {m.trips} 次" in journey.summary(m, stepped.day, "zh")


def test_journey_view_picks_the_matter_with_most_trips_and_shares_it_with_the_map(session):
    session.step(25)
    model = session.model.value
    box, rc = solara.render(journey.JourneyView(model, session), handle_error=False)
    rc.find(v.Btn, children=["跑得最多的一件"]).widget.click()
    best = journey.most_trips(model)
    assert journey.summary(best, model.day, "zh") in texts(rc)
    assert session.followed.value == best.id  # the map draws this matter's route
    rc.close()


# -- language --------------------------------------------------------------------------------------
def test_language_switch_component_changes_session_language():
    from sandbox.viz.controls import LanguageSwitch

    box, rc = solara.render(LanguageSwitch(), handle_error=False)
    toggle = rc.find(v.BtnToggle).widget
    rc.find(v.Btn, children=["English"]).assert_single()
    toggle.v_model = 1  # what the browser sends when "English" is clicked
    assert language.value == "en"
    toggle.v_model = 0
    assert language.value == "zh"
    rc.close()


def test_scenario_names_are_in_the_session_language():
    from sandbox.viz.controls import scenario_items

    zh = {i["value"]: i["text"] for i in scenario_items("zh")}
    en = {i["value"]: i["text"] for i in scenario_items("en")}
    assert zh["vertical_grid"] == "条线式乡镇＋网格" and en["vertical_grid"] == "Vertical township + grid"
    assert all(CJK.search(t) for t in zh.values())
    assert not any(CJK.search(t) for t in en.values())
    from sandbox.glossary import term
    assert term("params", "office_commands_centre", "en") == "The office commands the centre"


def test_components_plug_into_mesa_solaraviz(stepped):
    """The views follow Mesa's component convention: usable in SolaraViz(components=[...])."""
    from mesa.visualization import SolaraViz

    box, rc = solara.render(SolaraViz(stepped, components=[(charts.TripsView, 0)], name="sandbox"), handle_error=False)
    assert len(rc.find(SafeEchartsWidget).widgets) == 1
    rc.close()


# -- the command ---------------------------------------------------------------------------------
def test_cli_validates_port_and_host():
    from typer.testing import CliRunner

    from sandbox.cli import app

    r = CliRunner().invoke(app, ["dashboard", "--port", "70000"])
    assert r.exit_code == 2
    assert "--port 70000: must be a whole number from 1 to 65535" in r.output
    r = CliRunner().invoke(app, ["dashboard", "--host", " "])
    assert r.exit_code == 2 and "--host: must not be empty" in r.output


def test_cli_command_line_is_local_and_production():
    from sandbox.viz.cli import DEFAULT_HOST, DEFAULT_PORT, command

    assert (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8765)
    assert command("127.0.0.1", 9000)[2:] == ["solara", "run", "sandbox.viz.app", "--host", "127.0.0.1", "--port", "9000", "--production"]


def test_port_check_ignores_connections_left_in_time_wait():
    """A dashboard stopped a moment ago leaves its closed connections in TIME-WAIT: the port is free
    for a new server (uvicorn binds with SO_REUSEADDR), so the check must not call it busy."""
    import socket

    from sandbox.viz.cli import check

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = server.accept()
    conn.close()  # the server side closes first: its end of the connection waits in TIME-WAIT
    client.close()
    server.close()
    check("127.0.0.1", port)  # raised "Address already in use" before


def test_a_matter_done_online_draws_no_route(stepped):
    """It made no trip: a one-point route broke ECharts in the browser (a console TypeError)."""
    online = next(m for m in stepped.matters if not any(e in township_map.VISITS for _, _, e in m.journey))
    o = township_map.map_option(stepped, "zh", "open", online.id)["baseOption"]
    assert not [s for s in o["series"] if str(s.get("name", "")).startswith("跟踪的事项")]
    for s in o["series"]:
        if s.get("type") == "lines":
            assert all(len(d["coords"]) >= 2 for d in s["data"])


def test_cli_lessons_folder_is_checked_before_the_server_starts(tmp_path):
    from typer.testing import CliRunner

    from sandbox.cli import app

    r = CliRunner().invoke(app, ["dashboard", "--lessons", str(tmp_path / "missing")])
    assert r.exit_code == 2 and f"--lessons {tmp_path / 'missing'}: not a folder" in r.output
    (tmp_path / "bad.toml").write_text('title = ["课", "L"]\nsummary = ["概", "S"]\n[[steps]]\ntitle = ["一", "One"]\nview = "map"\n',
                                       encoding="utf-8")
    r = CliRunner().invoke(app, ["dashboard", "--lessons", str(tmp_path)])
    assert r.exit_code == 2
    assert r.output.strip() == f"error: {tmp_path / 'bad.toml'}: step 1: levers, days and view need a scenario in the same step"
