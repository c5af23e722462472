"""Reforms adopted during a run (the county model's decision points) act from the next day on."""

import pytest

from sandbox.errors import InputError
from sandbox.model import TownshipModel


def test_a_reform_adopted_mid_run_takes_effect_and_keeps_every_matter(small):
    m = TownshipModel("vertical_grid", rng=3, **small)
    for _ in range(40):
        m.step()
    before = m.metrics["trips_per_counter_matter"]
    m.set_levers(one_window=True, parallel_approval=True, one_responsible_body=True, one_form=True,
                 one_form_fidelity=1.0, form_creep=0.0)
    assert m.centre is not None and not m.stations
    assert m.reporting_load.forms == pytest.approx(2.2 / 5)  # one consolidated form, merged in full
    raised_at_switch = m.metrics["matters_raised"]
    for _ in range(80):
        m.step()
    s = m.metrics
    # every matter raised is open, settled or abandoned: none lost in the rebuild
    assert s["matters_raised"] > raised_at_switch
    assert s["matters_open"] + s["matters_settled"] + s["matters_abandoned"] == \
        s["matters_raised"] - s["open_disputes"] - m.disputes_settled - m.disputes_faded
    assert s["trips_per_counter_matter"] < before


def test_who_lives_where_cannot_change_mid_run(small):
    m = TownshipModel("base", rng=1, **small)
    with pytest.raises(InputError, match="township: cannot change during a run"):
        m.set_levers(residents=9000)
