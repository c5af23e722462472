"""No inert levers: a Morris screening over every lever, in two shipped scenarios, finds each one
moving at least one headline metric beyond the noise floor of a seed change."""

import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from sandbox.experiments.screening import DUMMY, HEADLINE, design, factors, inert, screen
from sandbox.scenario import build_scenario

SIZE = {"residents": 3000, "villages": 2, "days": 100}


def test_every_lever_but_the_township_size_is_screened_within_its_range():
    base = build_scenario("integrated_cocreation", **SIZE)
    fs = factors(base)
    names = [f.name for f in fs]
    assert "township.residents" not in names and "structure.one_window" in names and len(names) > 150
    X = design(fs, 2, seed=1)
    assert X.shape == (2 * (len(fs) + 2), len(fs) + 1)  # SALib: N × (factors + 1) rows, the dummy included
    for f, col in zip(fs, X.T):
        values = {f.value(x) for x in col}
        assert len(values) >= 1 and all(type(v) is f.kind for v in values)
        for v in values:  # every screened value is one the schema accepts
            build_scenario("integrated_cocreation", **SIZE, **{f.name.partition(".")[2]: v})


@pytest.mark.slow
def test_no_lever_is_inert_in_the_shipped_scenarios():
    with ProcessPoolExecutor(min(2, os.cpu_count() or 1)) as ex:
        results = [screen(sc, SIZE, trajectories=4, seed=11, mapper=ex.map) for sc in ("integrated_cocreation", "vertical_grid")]
    assert set(results[0][DUMMY]) == set(HEADLINE)
    assert inert(results) == []
