"""County lessons (盆景→风景, 人走政息): a lesson's county step on the projector, a county question's
plan and its place in the export, the sandbox link to the county tab, and runs shared between
plans by the background runner."""

from __future__ import annotations

import pytest
import solara

from sandbox.answers import plan_for
from sandbox.county import CountyModel
from sandbox.errors import InputError
from sandbox.lesson import load_lesson
from sandbox.replicates import Plan, Setting, run_summary, villages_for
from sandbox.viz import classroom, levers
from sandbox.viz.background import Runner
from sandbox.viz.class_export import answers_table, metric_label, setting_labels
from sandbox.viz.echarts_widget import SafeEchartsWidget
from sandbox.viz.views import VIEWS, lesson_views

SMALL = 500  # residents of each of the county's townships in these tests


@pytest.fixture(scope="module")
def county():
    m = CountyModel("dies_with_rotation", rng=1, overrides={"township.residents": SMALL, "township.villages": 1})
    m.run(3)
    return m


def test_a_county_step_shows_the_class_county_read_only(county, monkeypatch):
    from types import SimpleNamespace

    import ipyvuetify as v

    assert lesson_views(county=True) == ["county"]
    view = next(x for x in VIEWS if x.key == "county")
    controls = ("county-start", "county-quarter", "county-year")
    # the sandbox's county tab (opened by a `?county=` link) has the controls that build and step it
    monkeypatch.setenv("SANDBOX_DASHBOARD_COUNTY_RESIDENTS", str(SMALL))
    box, rc = solara.render(view.load()(None, SimpleNamespace(county_link="dies_with_rotation")), handle_error=False)
    assert all(len(rc.find(v.Btn, class_=c).widgets) == 1 for c in controls)
    rc.close()
    # a lesson's county step: the class's county as it stands, nothing to build or step it with
    box, rc = solara.render(view.load()(county, None), handle_error=False)
    assert len(rc.find(SafeEchartsWidget).widgets) == 3  # the map, the adoption curve, the leaders' terms
    assert all(len(rc.find(v.Btn, class_=c).widgets) == 0 for c in controls)
    assert len(rc.find(v.Btn, class_="county-township-button county-township-qingshan").widgets) == 1  # a township opens on a click
    # the reform shown is the one the scenario's champions started (co-creation), not the first on the agenda
    assert rc.find(v.Select, class_="county-reform").widget.v_model == "co_creation"
    assert county.spec.agenda[0] != "co_creation"
    assert county.quarter == 3  # showing it did not step it
    rc.close()


def test_a_county_question_plans_county_runs_at_the_class_size():
    lesson = load_lesson("champion_rotation")
    (i, q), *_ = lesson.questions()
    plan = plan_for(lesson, q)
    assert q.is_county and all(s.county for s in plan.settings)
    assert dict(plan.size) == {"township.residents": 2000, "township.villages": villages_for(2000)}
    assert plan.years is None and plan.seeds == tuple(range(1, 9))
    job = plan.job(0, 1)
    assert job[4] is True and job[1]["township.residents"] == 2000
    sized = classroom.sized(lesson, SMALL)
    assert sized.class_.county_residents == SMALL and sized.class_.residents == SMALL


def test_county_questions_name_their_settings_and_metric_in_both_languages():
    lesson = load_lesson("champion_rotation")
    q = lesson.questions()[1][1]
    zh, en = setting_labels(q, "zh"), setting_labels(q, "en")
    assert zh[0].startswith("A：人走政息") and "制度化速度（每年） = 4" in zh[1]
    assert en[1].startswith("B: Co-creation never institutionalised") and "Yearly rate of institutionalisation = 4" in en[1]
    assert metric_label(q, "zh") == "倡导者离任两年后仍在实施的比例"
    assert metric_label(q, "en") == "Share still in force two years after the champion left"


def test_the_export_of_a_county_question_says_years_and_township_size():
    lesson = classroom.sized(load_lesson("champion_rotation"), SMALL)
    room = classroom.Room("CNTY", "key", "champion_rotation", lesson)
    t = room.join("甲")
    first = lesson.questions()[0][0]
    room.go("key", first)
    room.respond(t.id, first, "0.4")
    rows = answers_table(room).to_pylist()
    row = next(r for r in rows if r["step"] == first + 1)
    assert row["years"] == 5 and row["days"] is None and row["residents"] == SMALL and row["answer"] == "0.4"


def test_the_sandbox_link_opens_the_county_tab_only_on_a_listed_county():
    assert levers.county_link("dies_with_rotation") == "/?county=dies_with_rotation"
    assert levers.county_from_link("county=dies_with_rotation", "en") == ("dies_with_rotation", {})
    assert levers.county_from_link("scenario=base", "en") is None
    for bad in ("county=../../etc/passwd", "county=pilot_spreads&one_window=1", "county=nope"):
        with pytest.raises(InputError):
            levers.county_from_link(bad, "en")


def test_the_runner_runs_a_shared_setting_once_and_answers_every_plan_from_it():
    submitted = []

    class Counting(Runner):
        def _executor(self):
            pool = super()._executor()
            if not hasattr(pool, "real_submit"):  # count what reaches the real worker pool
                pool.real_submit = pool.submit

                def submit(fn, *args):
                    submitted.append(args)
                    return pool.real_submit(fn, *args)

                pool.submit = submit
            return pool

    size = (("residents", 500), ("villages", 1))
    one = Plan((Setting("vertical_grid"), Setting("integrated_grid")), 10, (1, 2), size)
    two = Plan((Setting("integrated_grid"), Setting("one_window_only")), 10, (1, 2), size)
    runner = Counting(workers=2)
    try:
        a, b = runner.submit(one), runner.submit(two)  # b's integrated_grid runs are a's, in flight or done
        assert a.done.wait(120) and b.done.wait(120)
        assert len(submitted) == 6  # 2 settings × 2 seeds + 1 new setting × 2 seeds
        for seed in (1, 2):
            assert b.results.summaries[(0, seed)] == a.results.summaries[(1, seed)]
        again = runner.submit(one)  # everything run before: answered at once, nothing submitted
        assert again.done.is_set() and len(submitted) == 6
        assert again.results.summaries == a.results.summaries
        alone = run_summary("one_window_only", dict(size), 2, 10)
        assert b.results.summaries[(1, 2)] == pytest.approx(alone, nan_ok=True)
    finally:
        runner.shutdown()


def test_the_adoption_curve_stacks_each_quarter_to_the_share_in_force(county):
    from sandbox.county_metrics import in_force_share
    from sandbox.viz.county import adoption_option

    o = adoption_option(county, "en", "co_creation")
    assert o["xAxis"]["type"] == "category" and o["xAxis"]["data"] == [str(q) for q in range(1, county.spec.quarters + 1)]
    assert all(len(s["data"]) == county.quarter for s in o["series"])
    stacked = [sum(s["data"][q] for s in o["series"]) for q in range(county.quarter)]
    assert stacked == pytest.approx([in_force_share(county, "co_creation", q + 1) for q in range(county.quarter)], abs=1e-3)
    assert max(stacked) > 0  # the champions' co-creation is in force


def test_a_lesson_can_name_exactly_the_figures_a_county_run_reports():
    from sandbox.county_metrics import summary_keys
    from sandbox.county_run import county_summary
    from sandbox.lesson import known_county_metrics
    from sandbox.reforms import catalogue

    reported = set(county_summary({"county": "county_base", "years": 3, "township.residents": SMALL, "township.villages": 1}, 1))
    assert known_county_metrics() == frozenset(summary_keys())
    assert reported == set(summary_keys())  # the base county's agenda is the whole catalogue
    assert {k for k in reported if k.startswith("in_force_share_")} == {f"in_force_share_{r}" for r in catalogue()}
