"""Dashboard components without a browser (solara.render): state, messages, options, language."""

from __future__ import annotations

import json

import ipyvuetify as v
import pytest
import solara

from sandbox.model import TownshipModel
from sandbox.viz import charts, compare, journey, levers, map as township_map, tradeoff
from sandbox.viz.echarts_widget import SafeEchartsWidget
from sandbox.viz.i18n import language
from sandbox.viz.state import Session, Settings, Twin

SMALL = 1500


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
    charts_before = {w.attributes["style"]: option_json(w) for w in rc.find(SafeEchartsWidget).widgets}
    assert len(charts_before) >= 4  # map, trips, cadres, trade-off
    rc.find(v.Btn, children=["单步"]).widget.click()
    rc.find(v.Html, children=["第 1 个工作日"]).assert_single()
    after = [option_json(w) for w in rc.find(SafeEchartsWidget).widgets]
    assert all(a != b for a, b in zip(charts_before.values(), after)), "every chart's data changes with a step"
    rc.close()


def test_reset_applies_levers_and_bad_input_is_a_message(session):
    m0 = session.model.value
    draft = dict(session.draft.value["levers"])
    assert session.apply("base", "x", draft, "zh") is False
    assert session.error.value == "无法应用这些参数：随机种子必须是整数，而不是“x”"
    assert session.model.value is m0
    assert session.apply("base", "7", {**draft, "residents": "50"}, "en") is False
    assert "township.residents = 50: must be a whole number from 100 to 2000000" in session.error.value
    assert session.error.value.startswith("Cannot apply these settings: ")
    assert session.apply("base", "7", {**draft, "residents": "60000"}, "zh") is False
    assert "50,000" in session.error.value
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


def test_inert_levers_become_notices_in_both_languages(session):
    draft = {**session.draft.value["levers"], "online_channel": False, "co_creation": False, "share_results": False}
    assert session.apply("base", "42", draft, "zh")
    texts_zh = [n.text("zh") for n in session.notices.value]
    assert texts_zh == [
        "“帮办代办”不起作用：没有线上渠道，网格员无法代为网上提交",
        "“窗口推用App概率”不起作用：没有线上渠道，无App可推",
        "“共同缔造”不起作用：单独切换了五个环节，但共同缔造本身未开启",
    ]
    assert session.notices.value[0].text("en") == '"Assisted service" has no effect: grid workers file online for residents, but there is no online channel'


def test_messages_component_shows_error_and_notices(session):
    from sandbox.viz.controls import Messages

    session.apply("base", "seven", session.draft.value["levers"], "zh")
    box, rc = solara.render(Messages(session), handle_error=False)
    assert "无法应用这些参数：随机种子必须是整数，而不是“seven”" in str(rc.find(v.Alert).widgets[0].children)
    rc.close()


def test_scenario_choice_keeps_township_size_and_sends_only_differences():
    d = levers.draft_for("integrated_grid", keep={"residents": "3000"})
    assert d["one_window"] is True and d["residents"] == "3000"
    v = d["villages"]
    assert v == levers.default_villages()
    assert levers.overrides("integrated_grid", d, "zh") == {"residents": 3000, "villages": v}
    assert levers.overrides("integrated_grid", {**d, "one_form": False}, "zh") == {"residents": 3000, "villages": v, "one_form": False}


def test_comparison_twin_same_seed_one_lever_in_lockstep(session):
    assert session.compare(Twin("base", "one_window", True), "zh")
    session.step(10)
    a, b = session.model.value, session.twin.value
    assert a.day == b.day == 10
    ref_b = TownshipModel("base", rng=42, residents=SMALL, villages=1, one_window=True)
    ref_b.run_for(10)
    assert b.metrics == pytest.approx(ref_b.metrics, nan_ok=True)
    html = compare.table_html(a, b, "zh")
    assert html.count("data-metric=") == len(compare.ROWS)
    assert compare.heading(session, "zh") == "A：base　　B：base + 一窗受理 = 是　　（第 10 个工作日）"
    session.stop_compare()
    assert session.twin.value is None


def test_comparison_verdicts():
    assert compare.verdict(2.0, 1.0, -1) == "better"
    assert compare.verdict(0.5, 0.4, +1) == "worse"
    assert compare.verdict(1.0, 1.01, -1) == ""
    assert compare.verdict(float("nan"), 1.0, -1) == ""


@pytest.fixture(scope="module")
def stepped():
    m = Settings(overrides=(("residents", SMALL), ("villages", 1))).build()
    m.run_for(25)
    return m


def test_options_are_valid_json_in_both_languages(stepped):
    b = Twin("base", "one_form", True).settings(Settings(overrides=(("residents", SMALL), ("villages", 1)))).build()
    b.run_for(25)
    mid = journey.most_trips(stepped).id
    for lang in ("zh", "en"):
        for option in (charts.trips_option(stepped, lang), charts.cadres_option(stepped, lang),
                       township_map.map_option(stepped, lang, "open"), township_map.map_option(stepped, lang, "grievance"),
                       township_map.map_option(stepped, lang, "participating"), tradeoff.tradeoff_option(stepped, lang),
                       journey.journey_option(stepped, lang, mid), compare.compare_option(stepped, lang, b)):
            json.dumps(option, allow_nan=False)


def test_trips_chart_has_a_line_per_group_and_metric(stepped):
    o = charts.trips_option(stepped, "en")
    names = {s["name"] for s in o["series"]}
    assert names == {"all residents", "elderly", "low digital literacy", "remote"}
    assert len(o["series"]) == 12
    last = o["series"][0]["data"][-1]
    assert last[0] == 25 and last[1] == pytest.approx(stepped.metrics["trips_per_matter"], abs=1e-4)


def test_cadre_stack_adds_up_to_the_day(stepped):
    o = charts.cadres_option(stepped, "zh")
    day = [s for s in o["series"] if s.get("stack") == "day"]
    total = sum(s["data"][-1] for s in day)
    h = stepped.metrics
    top_down = sum(h[f"cadre_{a}_hours"] for a in ("reporting", "delivery", "work_groups", "inspections", "facilitation"))
    assert total == pytest.approx(top_down + h["cadre_face_to_face_hours"], abs=1e-3)
    over = [s for s in o["series"] if s.get("stack") == "over"]
    assert [s["name"] for s in over] == ["加班", "未完成任务"]


def test_map_shows_every_resident_cell_and_office(stepped):
    o = township_map.map_option(stepped, "zh", "open")
    by_name = {s["name"]: s for s in o["series"]}
    residents = sum(len(s["data"]) for s in o["series"][1:3])
    assert residents == stepped.population.n
    assert len(by_name["网格"]["data"]) == len(stepped.grid_workers)
    assert len(by_name["村（社区）便民服务站"]["data"]) == len(stepped.village_sizes)
    open_now = int(township_map.open_matter_residents(stepped).sum())
    assert f"有在办事项 ({open_now})" in by_name


def test_tradeoff_radar_today_matches_the_metrics(stepped):
    o = tradeoff.tradeoff_option(stepped, "zh")
    radar = o["series"][0]
    today = radar["data"][-1]["value"]
    assert today == [round(stepped.metrics[k], 3) for k in tradeoff.INDICES]
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
    summary = journey.summary(m, stepped.day, "zh")
    assert f"跑了 {m.trips} 次" in summary


def test_journey_view_picks_the_matter_with_most_trips(stepped):
    box, rc = solara.render(journey.JourneyView(stepped), handle_error=False)
    rc.find(v.Btn, children=["跑得最多的一件"]).widget.click()
    best = journey.most_trips(stepped)
    assert journey.summary(best, stepped.day, "zh") in texts(rc)
    rc.close()


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


def test_components_plug_into_mesa_solaraviz(stepped):
    """The views follow Mesa's component convention: usable in SolaraViz(components=[...])."""
    from mesa.visualization import SolaraViz

    box, rc = solara.render(SolaraViz(stepped, components=[(charts.TripsView, 0)], name="sandbox"), handle_error=False)
    assert len(rc.find(SafeEchartsWidget).widgets) == 1
    rc.close()


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
