"""Metric formulas and the calibration the article gives."""

import numpy as np
import pytest

from sandbox.glossary import glossary, term
from sandbox.metrics import gini_from_hist, percentile_from_hist
from sandbox.model import TownshipModel
from sandbox.params import LEAVES
from sandbox.reporting import daily_load
from sandbox.run import simulate
from sandbox.scenario import build_scenario


def test_gini_of_known_distributions():
    assert gini_from_hist(np.array([0, 10])) == 0.0           # everyone one trip
    assert gini_from_hist(np.array([0, 0, 0])) == 0.0
    # half make 0 trips, half make 2: Gini 0.5
    assert gini_from_hist(np.array([5, 0, 5])) == pytest.approx(0.5)
    # one of four makes all the trips: Gini 0.75
    assert gini_from_hist(np.array([3, 0, 0, 0, 1])) == pytest.approx(0.75)


def test_percentile_from_histogram():
    hist = np.array([0, 50, 30, 10, 10])  # 100 matters
    assert percentile_from_hist(hist, 0.5) == 1
    assert percentile_from_hist(hist, 0.9) == 3


def test_vertical_base_reproduces_the_articles_village():
    """A village with 4 cadres: 2 fill statistical reports, 1 is on the road delivering paper forms
    (the calibration targets, docs/calibration.md): what cadres choose to spend, not a formula."""
    runs = [simulate(build_scenario("vertical_grid", residents=10000, villages=6, days=200), seed=s).summary for s in (1, 2)]
    reporting = np.mean([r["cadre_reporting_hours"] for r in runs]) / 8.0
    delivery = np.mean([r["cadre_delivery_hours"] for r in runs]) / 8.0
    assert reporting == pytest.approx(2 / 4, abs=0.1)   # 2 of 4 cadres' time
    assert delivery == pytest.approx(1 / 4, abs=0.1)    # 1 of 4
    # the form load asked of them is more than that: the rest is filled perfunctorily or missed
    demanded = daily_load(build_scenario("vertical_grid"), 9, 0)
    assert demanded.fields * 14.3 / 60 / 4 > 8.0 * reporting
    assert all(r["share_forms_perfunctory"] > 0.1 for r in runs)


def test_one_form_removes_duplicate_fields_and_most_paper():
    v = daily_load(build_scenario("vertical_grid"), 9, 0)
    f = daily_load(build_scenario("one_form_only"), 9, 0)
    assert v.duplicate_fields > 0 and f.duplicate_fields == 0
    assert f.fields < v.fields * 0.5 and f.paper_trips == pytest.approx(v.paper_trips / 9)


def test_community_workers_follow_the_2024_standard():
    m = TownshipModel("base", rng=1, residents=20000, villages=10, urban_share=1.0)
    expected = [max(1, round(18 * s / 10000)) for s in m.village_sizes]
    assert m.cadres_in_village == expected


def test_glossary_names_every_lever_metric_and_matter_in_both_languages():
    g = glossary()
    m = TownshipModel("base", rng=1, residents=500, villages=2)
    for key in m.metrics:
        if key != "day":
            assert term("metrics", key, "zh") and term("metrics", key, "en")
    for leaf in LEAVES:
        assert leaf in g["params"], leaf
    for section in ("matters", "departments", "events", "params", "metrics"):
        for key, (zh, en) in g[section].items():
            assert zh and en and zh != en or key == "app", (section, key)
    with pytest.raises(ValueError, match="language 'fr'"):
        term("metrics", "trips_per_matter", "fr")


def test_every_journey_stop_has_a_name():
    seen_events, seen_places = set(), set()
    for sc in ("vertical_grid", "apps_no_assist", "leftover_stations", "fengqiao_off"):
        m = TownshipModel(sc, rng=2, residents=1500, villages=3)
        m.run_for(30)
        for matter in m.matters:
            for _, place, event in matter.journey:
                seen_events.add(event)
                seen_places.add(place)
    assert {"accepted", "redirected", "missing_document", "settled", "filed_online", "pushed_to_app"} <= seen_events
    for e in seen_events:
        assert term("events", e, "zh") and term("events", e, "en")
    for p in seen_places:
        assert term("places", p, "zh") and term("places", p, "en")


def test_inert_lever_combinations_are_named():
    from sandbox.consistency import inert_levers

    assert inert_levers(build_scenario("integrated_grid")) == []
    p = build_scenario("vertical_grid", leftover_station_share=0.3, online_channel=False)
    assert [k for k, _ in inert_levers(p)] == ["leftover_station_share", "assisted_service", "app_push"]
    assert all(not inert_levers(build_scenario(n)) for n in ("vertical_grid", "integrated_cocreation", "apps_no_assist"))
