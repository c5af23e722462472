"""Invariants that must hold for any valid parameter set, on every day."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.agents import Cadre, Department
from sandbox.agents.cadre import RESIDENT, UPWARD
from sandbox.matter import ABANDONED, OPEN, SETTLED
from sandbox.model import TownshipModel

levers = st.fixed_dictionaries({
    "residents": st.integers(300, 3000),
    "villages": st.integers(1, 6),
    "one_window": st.booleans(),
    "parallel_approval": st.booleans(),
    "one_responsible_body": st.booleans(),
    "notify_all_requirements": st.booleans(),
    "one_form": st.booleans(),
    "leftover_station_share": st.floats(0.0, 1.0),
    "office_commands_centre": st.booleans(),
    "online_channel": st.booleans(),
    "assisted_service": st.booleans(),
    "app_push": st.floats(0.0, 1.0),
    "co_creation": st.booleans(),
    "local_mediation": st.booleans(),
    "work_groups": st.integers(0, 120),
    "cadres_per_village": st.integers(1, 8),
    "patrol_hours": st.floats(0.0, 8.0),
    "rate_scale": st.floats(0.2, 5.0),
    "max_days_open": st.integers(5, 60),
    "window_fidelity": st.floats(0.0, 1.0),
    "parallel_fidelity": st.floats(0.0, 1.0),
    "one_form_fidelity": st.floats(0.0, 1.0),
    "accountability_pressure": st.floats(0.0, 1.0),
    "quit_rate": st.floats(0.0, 0.1),
    "vacancy_days": st.integers(0, 30),
    "dispute_fade": st.floats(0.0, 0.2),
    "township_mediators_per_10k": st.floats(0.0, 5.0),
    "facilitation_hours": st.floats(0.0, 8.0),
    "forms_per_bureau_week": st.floats(0.0, 10.0),
})


def check_invariants(m: TownshipModel) -> None:
    p = m.p
    service = [x for x in m.matters if x.type.kind == "service"]
    status = Counter(x.status for x in service)
    o = m.outcomes
    # every service matter is settled, abandoned or open, and the tallies agree
    assert status[SETTLED] + status[ABANDONED] + status[OPEN] == len(service)
    assert (status[SETTLED], status[ABANDONED], status[OPEN]) == (o.settled[0], o.abandoned[0], m.matters_open)
    assert o.closed[0] == o.settled[0] + o.abandoned[0] == o.hist[0].sum()
    # each open matter waits in exactly one place: one day's queue, or one back office's queue
    queued = Counter(id(x) for q in m.due.values() for x in q)
    queued.update(id(e[0]) for d in m.agents_by_type[Department] for e in d.queue)
    assert all(v == 1 for v in queued.values())
    assert len(queued) == status[OPEN]
    # disputes: open ones are on the list and on their party's count
    disputes = [x for x in m.matters if x.type.kind == "dispute"]
    assert sum(x.status == OPEN for x in disputes) == len(m.open_disputes) == int(m.population.open_disputes.sum())
    assert m.disputes_settled + m.disputes_faded == sum(x.status != OPEN for x in disputes)
    # public problems: raised = unseen + awaiting action + resolved + faded
    assert m.problems_raised == len(m.undetected) + len(m.backlog) + m.problems_resolved + m.problems_faded
    # cadre hours: a serving cadre's day is its working hours plus overtime, all accounted for
    for c in m.agents_by_type[Cadre] if m.day > 0 else []:
        h = c.hours
        worked = sum(h[k] for k in (*UPWARD, *RESIDENT)) + h["slack"]
        if not c.on_duty:  # a vacant post
            assert worked == 0.0 and h["overtime"] == 0.0
            continue
        assert abs(worked - (p.staffing.hours_per_day + h["overtime"])) < 1e-6, (h, worked)
        assert 0.0 <= h["overtime"] <= p.staffing.overtime_cap + 1e-9
        assert 0.0 <= c.fatigue <= 1.0
    for k in ("order_index", "vitality_index", "fairness_index", "share_one_trip", "gini_trips", "voice_equality", "participation"):
        v = m.metrics[k]
        assert v != v or 0.0 <= v <= 1.0, (k, v)  # NaN only before anything has settled


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=levers, seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_every_day(levers, seed):
    m = TownshipModel("base", rng=seed, **levers)
    check_invariants(m)
    for _ in range(25):
        m.step()
        check_invariants(m)
    assert m.matters_raised > 0
