"""The metric registry is the one list: every metric the model records is in it, with its
aggregation, names and bounds; run summaries, sweeps, reports and the glossary all read it."""

import math

import pytest

from sandbox.glossary import term
from sandbox.metric_registry import activities, activity_metric, groups, headline, metric, metrics, participation_window_days, stacked_hours
from sandbox.metrics import GROUPS
from sandbox.model import TownshipModel
from sandbox.run import simulate
from sandbox.scenario import build_scenario


@pytest.fixture(scope="module")
def run():
    return simulate(build_scenario("integrated_cocreation", residents=1500, villages=1, days=30), seed=3)


def test_every_recorded_metric_is_in_the_registry_and_nothing_else(run):
    recorded = set(run.daily.column_names) - {"day"}
    assert recorded == set(metrics())


def test_groups_are_the_models_groups():
    assert tuple(groups()) == GROUPS[1:]
    assert metric("trips_per_matter_elderly").group == "elderly"
    assert term("metrics", "trips_per_matter_elderly", "zh") == "每件事跑腿次数（老年人）"
    assert term("metrics", "share_abandoned_remote", "en") == "Share abandoned (remote)"


def test_summary_aggregates_as_the_registry_says(run):
    daily = {k: run.daily.column(k).to_pylist() for k in run.daily.column_names}
    n = len(daily["day"]) - 1
    for key, value in run.summary.items():
        agg = metric(key).aggregate
        if agg == "mean":
            expected = sum(daily[key][1:]) / n
        elif agg == "second_half":
            vals = daily[key][max(1, (n + 1) // 2):]
            expected = sum(vals) / len(vals)
        else:
            expected = daily[key][-1]
        if expected is None or (isinstance(expected, float) and math.isnan(expected)):
            assert math.isnan(value), key
        else:
            assert value == pytest.approx(expected), key
    assert metric("cadre_reporting_hours").aggregate == "mean"
    assert metric("escalations").aggregate == "end"
    assert metric("order_index").aggregate == "second_half"


def test_summary_values_lie_within_registry_bounds(run):
    for key, value in run.summary.items():
        m = metric(key)
        if math.isnan(value):
            continue
        assert m.low is None or value >= m.low - 1e-9, (key, value)
        assert m.high is None or value <= m.high + 1e-9, (key, value)


def test_unknown_metric_names_the_registry():
    with pytest.raises(KeyError, match="not in .*metrics.toml"):
        metric("trips_per_matterz")


def test_headline_is_one_list_for_compare_and_sweeps():
    from sandbox.experiments.plan import build_plan

    hl = headline()
    assert "trips_per_counter_matter" in hl and "order_index" in hl and "cadre_facilitation_hours" in hl
    plan = build_plan("article_claims")
    assert set(hl) <= set(plan.metrics)


def test_cadre_activities_in_stacking_order_and_every_activity_recorded(run):
    assert activities() == ("reporting", "delivery", "work_groups", "inspections", "stability", "face_to_face",
                            "mediation", "facilitation", "slack", "overtime", "unfinished")
    assert activities(by="model") == ("face_to_face", "mediation", "facilitation")  # the model credits what residents took
    for a in activities():
        assert activity_metric(a) in run.summary
    # a cadre's day stacks to the working hours plus overtime: no hour counted twice or lost
    day = stacked_hours({a: run.summary[activity_metric(a)] for a in activities(faces=("above", "residents", "spare"))})
    assert run.summary["cadre_mediation_hours"] > 0
    assert sum(day.values()) == pytest.approx(8.0 + run.summary["cadre_overtime_hours"], abs=1e-6)


def test_participation_window_is_one_number_in_labels_and_model():
    w = participation_window_days()
    assert term("metrics", "participation", "zh") == f"近{w}天参与率"
    assert term("metrics", "participation", "en") == f"Took part within {w} days"
    m = TownshipModel("integrated_cocreation", rng=2, residents=1500, villages=1)
    for _ in range(5):
        m.step()
    pop = m.population
    assert m.metrics["participation"] == pytest.approx(float(((m.day - pop.last_part) <= w).mean()))
