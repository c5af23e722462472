"""The county tab's levers: what a policy designer sets is what the county is built with, what
cannot be is one message in the page's language, and a lesson's link carries its step's levers."""

from __future__ import annotations

import pytest

from sandbox.county_params import LEVER_SECTIONS
from sandbox.county_scenario import county_names
from sandbox.errors import InputError
from sandbox.glossary import term
from sandbox.lesson import load_lesson
from sandbox.viz import county_levers, levers
from sandbox.viz.county import CountySession

SMALL = 600


def test_every_shown_lever_is_a_schema_lever_with_both_names_and_a_slider_inside_its_range():
    for path in county_levers.SHOWN:
        section, leaf = path.split(".")
        assert leaf in LEVER_SECTIONS[section].model_fields
        assert term("county_params", path, "zh") != term("county_params", path, "en")
        if county_levers.kind(path) is not bool:
            lo, hi, _ = county_levers.SLIDERS[path]
            valid_lo, valid_hi = county_levers.bounds(path)
            assert valid_lo <= lo < hi <= valid_hi, path
    for name in county_names():  # every shipped county's values can be shown on its slider
        for path, value in county_levers.scenario_values(name).items():
            if path in county_levers.SLIDERS:
                lo, hi, _ = county_levers.SLIDERS[path]
                assert lo <= value <= hi, (name, path, value)


def test_only_what_differs_from_the_county_scenario_is_sent():
    base = county_levers.scenario_values("dies_with_rotation")
    draft = {**base, "lifecycle.institutionalise_rate": 4.0, "incentives.publicise_pilots": "0"}
    assert county_levers.overrides("dies_with_rotation", draft, "en") == {
        "lifecycle.institutionalise_rate": 4.0, "incentives.publicise_pilots": False}
    assert county_levers.overrides("dies_with_rotation", base, "en") == {}


@pytest.mark.parametrize("change, lang, message", [
    ({"leaders.tenure_min_years": 6}, "zh", "最短任期（6 年）不能长于最长任期（5 年）"),
    ({"leaders.tenure_min_years": 6}, "en", "The shortest term (6 years) cannot be longer than the longest (5 years)"),
    ({"leaders.tenure_min_years": 4}, "zh", "这个县情景里青山镇领导的任期是 3 年，须在最短和最长任期（4–5 年）之间"),
    ({"leaders.tenure_min_years": 4}, "en",
     "In this county scenario the leader of qingshan serves 3 years, which must be within the shortest and longest terms (4–5 years)"),
    ({"leaders.tenure_max_years": 2, "leaders.tenure_min_years": 1}, "zh", "这个县情景里青山镇领导的任期是 3 年，须在最短和最长任期（1–2 年）之间"),
    ({"lifecycle.institutionalise_rate": 11}, "zh", "制度化速度（每年）必须是 0 到 10 之间的数，而不是“11”"),
    ({"learning.delay_quarters": 1.5}, "en", "Delay before peers' results are seen (quarters) must be a whole number from 0 to 12, not \"1.5\""),
    ({"incentives.publicise_pilots": "maybe"}, "zh", "县里推介试点只能是“是”或“否”"),
])
def test_a_lever_that_does_not_fit_is_one_message_in_the_page_language(change, lang, message):
    draft = {**county_levers.scenario_values("dies_with_rotation"), **change}
    with pytest.raises(InputError) as err:
        county_levers.overrides("dies_with_rotation", draft, lang)
    assert err.value.message == message


def test_past_the_horizon_is_said_in_the_page_language():
    draft = {**county_levers.scenario_values("pilot_spreads"), "leaders.tenure_min_years": 7, "leaders.tenure_max_years": 8}
    with pytest.raises(InputError) as err:
        county_levers.overrides("pilot_spreads", draft, "zh")
    assert err.value.message == "最短任期（7 年）长于模拟年数（5 年）：没有一位领导会在模拟期内调任"


def test_the_county_tab_builds_with_the_levers_and_keeps_its_county_on_a_bad_pair(monkeypatch):
    monkeypatch.setenv("SANDBOX_DASHBOARD_COUNTY_RESIDENTS", str(SMALL))
    cs = CountySession()
    cs.choose("dies_with_rotation")
    cs.set_lever("lifecycle.institutionalise_rate", 4.0)
    cs.set_lever("decay.new_broom", 0.0)
    cs.start("dies_with_rotation", lang="en")
    county = cs.county.value
    assert cs.error.value is None
    assert county.p.lifecycle.institutionalise_rate == 4.0 and county.p.decay.new_broom == 0.0
    assert cs.applied.value == {"lifecycle.institutionalise_rate": 4.0, "decay.new_broom": 0.0}
    cs.advance(1)
    cs.set_lever("leaders.tenure_min_years", 9)
    cs.start("dies_with_rotation", lang="en")
    assert cs.error.value == "The shortest term (9 years) cannot be longer than the longest (5 years)"
    assert cs.county.value is county and county.quarter == 1  # nothing half-built replaced it
    cs.choose("pilot_spreads")  # another scenario in the picker: the levers show its values
    assert cs.draft.value == county_levers.scenario_values("pilot_spreads")
    cs.choose("../../scenarios/county/pilot_spreads.toml", "en")  # what a crafted websocket message could send
    assert cs.error.value == 'Scenario "..∕..∕scenarios∕county∕pilot_spreads.tom" is not in the list'  # a name is cut at 40 characters
    assert cs.scenario.value == "pilot_spreads"
    cs.set_lever("lifecycle.institutionalise_rate", 99)  # nor a value past a slider's end
    cs.start("pilot_spreads", lang="zh")
    assert cs.error.value == "制度化速度（每年）必须是 0 到 10 之间的数，而不是“99”"


def test_a_lesson_county_step_links_with_its_levers_and_the_link_reads_back():
    step = next(s for s in load_lesson("champion_rotation").steps if s.county and s.levers)
    href = levers.county_link(step.county, dict(step.levers))
    assert href == ("/?county=dies_with_rotation&leaders.tenure_min_years=2&leaders.tenure_max_years=3"
                    "&lifecycle.pilot_quarters=2&lifecycle.adapted_min_quarters=1&lifecycle.institutionalise_rate=4.0")
    name, draft = levers.county_from_link(href.removeprefix("/?"), "zh")
    assert name == "dies_with_rotation" and draft == dict(step.levers)


@pytest.mark.parametrize("search, message", [
    ("county=dies_with_rotation&leaders.tenure_min_years=4", "这个县情景里青山镇领导的任期是 3 年，须在最短和最长任期（4–5 年）之间"),
    ("county=dies_with_rotation&one_window=1", "地址中的设置未能全部采用：one_window"),
    ("county=dies_with_rotation&leaders.tenure_min_years=x", "最短任期（年）必须是 1 到 15 之间的整数，而不是“x”"),
    ("county=nope&lifecycle.institutionalise_rate=1", "地址中的设置未能全部采用：nope"),
])
def test_a_county_link_that_cannot_be_followed_says_why(search, message):
    with pytest.raises(InputError) as err:
        levers.county_from_link(search, "zh")
    assert err.value.message == message


def _summary(county: str, years: int, **levers) -> dict[str, float]:
    from sandbox.county_run import simulate_county

    return simulate_county(county, 1, years=years, daily=False,
                           overrides={"township.residents": SMALL, "township.villages": 1, **levers}).summary


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)  # NaN equals NaN here


@pytest.mark.parametrize("county", county_names())
def test_a_lever_the_tab_calls_idle_changes_nothing_in_that_county(county):
    """The note under a lever is true: with no mandate, designated pilot or package, flipping the
    lever that acts through it leaves every summary figure as it was."""
    idle = [p for p in county_levers.NEEDS if county_levers.idle(county, p)]
    if not idle:
        pytest.skip(f"{county}: every such lever acts")
    base = _summary(county, 3)
    values = county_levers.scenario_values(county)
    for path in idle:
        flipped = (not values[path]) if county_levers.kind(path) is bool else 0.0
        assert _same(_summary(county, 3, **{path: flipped}), base), path


@pytest.mark.parametrize("county, path, other", [
    ("mandate_rollout", "incentives.mandate_compliance", 0.0),
    ("mandate_rollout", "incentives.publicise_pilots", False),
    ("showcase_stays", "incentives.package_for_adopters", True),
])
def test_where_the_tab_does_not_call_it_idle_the_lever_acts(county, path, other):
    assert county_levers.idle(county, path) is None
    assert not _same(_summary(county, 3, **{path: other}), _summary(county, 3))


def test_a_county_the_server_cannot_build_is_named_by_its_file_not_the_server_path(monkeypatch):
    monkeypatch.setenv("SANDBOX_DASHBOARD_COUNTY_RESIDENTS", "10")  # an operator's setting below a township's minimum
    cs = CountySession()
    cs.start("pilot_spreads", lang="en")
    assert cs.county.value is None
    assert cs.error.value == ("pilot_spreads.toml: townships[0] (chengguan): township.residents = 10: "
                              "must be a whole number from 100 to 2000000")
