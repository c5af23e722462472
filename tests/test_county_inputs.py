"""Bad county files and options: one message naming file, key and what is allowed; exit 2; nothing written."""

from __future__ import annotations

import pytest
from test_inputs import cli, write

from sandbox.county_scenario import county_names, load_county
from sandbox.errors import InputError
from sandbox.params import SECTIONS
from sandbox.scenario import scenario_names

TWO = """
[horizon]
years = 3
[[townships]]
name = "a"
scenario = "vertical_grid"
[[townships]]
name = "b"
scenario = "vertical_grid"
"""

CASES = {
    "unknown_township_scenario": (TWO.replace('name = "b"\nscenario = "vertical_grid"', 'name = "b"\nscenario = "vertcal_grid"'),
                                  "{f}: townships[1] (b).scenario: scenario 'vertcal_grid' not found; did you mean 'vertical_grid'? "
                                  "Known scenarios: " + ", ".join(scenario_names())),
    "tie_to_missing_township": (TWO + '[ties]\nneighbours = [["a", "c"]]\n',
                                '{f}: ties.neighbours[0] = "c": no such township; townships: a, b'),
    "tenure_longer_than_horizon": (TWO + "[leaders]\ntenure_min_years = 4\n",
                                   "{f}: leaders.tenure_min_years = 4: longer than horizon.years = 3; leaders' terms must be at "
                                   "most the horizon (1 to 3 years), or lengthen the horizon"),
    "pilot_of_unknown_reform": (TWO + '[[pilots]]\ntownship = "a"\nreform = "one_windo"\n',
                                "{f}: pilots[0].reform = \"one_windo\": no such reform; did you mean 'one_window'?; reforms: "
                                + ", ".join(["one_window", "one_form", "co_creation", "fengqiao", "assisted_service"])),
    "pilot_in_missing_township": (TWO + '[[pilots]]\ntownship = "z"\nreform = "one_form"\n',
                                  '{f}: pilots[0].township = "z": no such township; townships: a, b'),
    "unknown_lever": (TWO + "[leaders]\ntenure_min_year = 2\n",
                      "{f}: unknown key 'leaders.tenure_min_year'; did you mean 'tenure_min_years'?; allowed: tenure_min_years, "
                      "tenure_max_years, appetite_mean, appetite_concentration, topdown_attention, appetite_weight, support_weight, "
                      "cost_weight, adoption_threshold, keep_threshold, new_per_quarter"),
    "out_of_range": (TWO + "[decay]\ninstitution_protection = 1.5\n",
                     "{f}: decay.institution_protection = 1.5: must be a number from 0.0 to 1.0"),
    "duplicate_township": (TWO.replace('name = "b"', 'name = "a"'),
                           '{f}: townships[1].name = "a": used twice; every township needs its own name'),
    "unknown_stage": (TWO.replace('name = "b"\n', 'name = "b"\nreforms = { one_form = "piloted" }\n'),
                      '{f}: townships[1] (b).reforms.one_form = "piloted": must be one of not_adopted, pilot, adapted, institutionalised, optimised'),
    "bad_inline_lever": (TWO + '[townships.structure]\none_window = "yes"\n',
                         '{f}: townships[1] (b): structure.one_window = "yes": must be true or false'),
    "unknown_township_key": (TWO.replace('name = "b"\n', 'name = "b"\nresidents = 5000\n'),
                             "{f}: unknown key 'townships[1] (b).residents'; allowed: name, zh, scenario, x, y, reforms, leader and "
                             "township sections (" + ", ".join(SECTIONS) + ")"),
    "package_changes_who_lives_where": (TWO + '[[pilots]]\ntownship = "a"\nreform = "one_form"\nlevers = { residents = 9000 }\n',
                                        "{f}: pilots[0].levers: 'residents' cannot change during a run (residents and villages are built "
                                        "once); a package may change levers outside [township], [population]"),
    "no_townships": ("[horizon]\nyears = 3\n", "{f}: missing [[townships]]: a county needs at least one township (name and scenario)"),
    "pilot_after_horizon": (TWO + '[[pilots]]\ntownship = "a"\nreform = "one_form"\nquarter = 12\n',
                            "{f}: pilots[0].quarter = 12: must be before the last quarter (11 at most for horizon.years = 3)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_county_file(tmp_path, case):
    text, expected = CASES[case]
    f = write(tmp_path, f"{case}.toml", text)
    out = tmp_path / "out"
    r = cli("run", str(f), "--out", str(out))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip() == "error: " + expected.format(f=f)
    assert "Traceback" not in r.stdout + r.stderr
    assert not out.exists()


def test_county_options_that_do_not_fit(tmp_path):
    f = write(tmp_path, "c.toml", TWO)
    r = cli("run", str(f), "--days", "10", "--out", str(tmp_path / "o"))
    assert (r.returncode, r.stderr.strip()) == (2, "error: --days 10: a county runs in years (four quarters of working days each); use --years")
    r = cli("run", "vertical_grid", "--years", "2", "--out", str(tmp_path / "o"))
    assert (r.returncode, r.stderr.strip()) == (2, "error: --years 2: only for county scenarios (see `sandbox list`); 'vertical_grid' is a township scenario")
    r = cli("run", str(f), "--set", "leaders.tenure=2", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.startswith(f"error: {f} (with overrides): unknown key 'leaders.tenure'; did you mean 'tenure_min_years'?")
    r = cli("compare", str(f), "vertical_grid", "--out", str(tmp_path / "o"))
    assert (r.returncode, r.stderr.strip()) == (2, "error: scenarios: 'vertical_grid' is a township scenario; compare county scenarios with county scenarios")
    r = cli("run", str(f), "--years", "2", "--set", "leaders.tenure_min_years=1", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.startswith("error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert not (tmp_path / "o").exists()


def test_every_shipped_county_scenario_loads_and_names_no_scenario_twice():
    assert {"pilot_spreads", "showcase_stays", "dies_with_rotation", "window_pilot", "mandate_rollout"} <= set(county_names())
    assert not set(county_names()) & set(scenario_names())
    for name in county_names():
        spec = load_county(name)
        assert spec.county.description and spec.county.description_zh, name
        assert len(spec.townships) >= 3


def test_overrides_reach_county_levers_reform_settings_and_every_township():
    spec = load_county("pilot_spreads", {"leaders.tenure_max_years": 4, "reforms.one_form.money": 9.0, "township.residents": 3000,
                                         "one_window": True, "parallel_approval": True, "one_responsible_body": True,
                                         "notify_all_requirements": True})
    assert spec.county.leaders.tenure_max_years == 4
    assert spec.reforms["one_form"].money == 9.0
    assert {t.scenario.township.residents for t in spec.townships} == {3000}
    # a reform already in a township's levers (every switch of it) starts institutionalised
    assert {t.stages["one_window"] for t in spec.townships} == {3}
    part = load_county("pilot_spreads", {"one_window": True})  # the window alone is not the reform
    assert {t.stages["one_window"] for t in part.townships} == {0}
    with pytest.raises(InputError, match="unknown reform 'one_windw' in 'reforms.one_windw.money'; did you mean 'one_window'"):
        load_county("pilot_spreads", {"reforms.one_windw.money": 1.0})


def test_every_county_lever_has_a_default_a_range_and_a_source():
    from annotated_types import Ge, Le

    from sandbox.county_params import LEVER_SECTIONS, source_of

    for section, cls in LEVER_SECTIONS.items():
        for leaf, f in cls.model_fields.items():
            assert f.default is not None and source_of(section, leaf), (section, leaf)
            if f.annotation in (int, float):
                kinds = {type(m) for m in f.metadata}
                assert {Ge, Le} <= kinds, (section, leaf)
