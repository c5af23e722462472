"""Sweep definitions: shipped files are valid, bad files give one exact message, exit 2, nothing written."""

from __future__ import annotations

import numpy as np
import pytest
from conftest_sweep import SMALL_GRID, cli, write_def

from sandbox.errors import InputError
from sandbox.experiments.definition import DEFINITIONS_DIR, definition_names
from sandbox.experiments.plan import build_plan, run_seed
from sandbox.scenario import resolve_path

SHIPPED = ["article_claims", "county_levers", "morris_screening", "reform_burden", "sobol_levers", "structure_switches"]


def test_shipped_definitions_resolve_to_the_documented_designs():
    assert definition_names() == SHIPPED
    sizes = {name: (len(build_plan(name).points), build_plan(name).total) for name in SHIPPED}
    assert sizes == {
        "structure_switches": (32, 320),          # 2^5 grid × 10
        "sobol_levers": (128 * (8 + 2), 2560),    # Saltelli N (D + 2) × 2
        "morris_screening": (20 * (12 + 1), 260),  # trajectories × (D + 1)
        "article_claims": (21, 630),              # 7 claim arms + 14 mechanism-off arms, × 30
        "reform_burden": (2 * 11 * 2 * 12, 1056), # scenario × leftover × 办 commands 中心 × forms, × 2
        "county_levers": (2 * 2, 20),             # cost weighing × consolidation, × 5 (the county's run function)
    }


def test_article_claims_come_from_the_one_claims_file():
    """article_claims names scenarios/data/claims.toml; every claim is a contrast, with its arms
    and expectations, and again with its mechanism off in both arms."""
    from sandbox.claims import claims

    plan = build_plan("article_claims")
    by_name = {c["name"]: c for c in plan.contrasts}
    assert set(by_name) == set(claims()) | {f"{k}_off" for k in claims()}
    for key, claim in claims().items():
        c = by_name[key]
        ref, treat = plan.points[c["reference"]], plan.points[c["treatment"]]
        assert (ref.scenario, treat.scenario) == (claim.reference, claim.treatment)
        assert c["expect"] == claim.expect and c["at_most"] == claim.at_most
        off = by_name[f"{key}_off"]
        for point in (plan.points[off["reference"]], plan.points[off["treatment"]]):
            assert {k.split(".")[1]: v for k, v in point.values.items() if k.split(".")[1] in claim.off} == claim.off


def test_grid_points_are_the_full_factorial_of_validated_scenarios(tmp_path):
    plan = build_plan(write_def(tmp_path, "g", SMALL_GRID, reps=3, days=20))
    assert [p.values for p in plan.points] == [
        {"township.residents": 2000, "run.days": 20, "structure.one_window": w, "structure.one_form": f}
        for w in (False, True) for f in (False, True)
    ]
    assert all(p.scenario == "vertical_grid" and p.params["structure.parallel_approval"] is False for p in plan.points)
    assert plan.total == 12


def test_seeds_derive_from_master_seed_and_run_index_only(tmp_path):
    plan = build_plan(write_def(tmp_path, "g", SMALL_GRID, reps=3, days=20))
    seeds = {(t.point, t.replication): t.seed for t in plan.tasks()}
    # common random numbers: replication r has one seed at every point, a different one per r
    assert all(seeds[(p, r)] == seeds[(0, r)] for p in range(4) for r in range(3))
    assert len({seeds[(0, r)] for r in range(3)}) == 3
    assert seeds[(2, 1)] == run_seed(11, 2, 1, "common") == run_seed(11, 0, 1, "common")
    assert run_seed(11, 2, 1, "independent") != run_seed(11, 0, 1, "independent")
    assert all(0 <= s < 2**63 for s in seeds.values())
    skipped = {(t.point, t.replication) for t in plan.tasks(skip={(1, 0), (3, 2)})}
    assert skipped == set(seeds) - {(1, 0), (3, 2)}


def test_sobol_and_morris_designs_come_from_salib_with_the_master_seed(tmp_path):
    from SALib.sample import morris, sobol

    text = """
        base = "base"
        seed = 9
        replications = 1
        [parameters]
        redirect_prob = {{ low = 0.1, high = 0.5 }}
        cadres_per_village = {{ low = 2, high = 8 }}
        assisted_service = [false, true]
        [design]
        kind = "{kind}"
        samples = {n}
    """
    problem = {"num_vars": 3, "names": ["structure.redirect_prob", "staffing.cadres_per_village", "digital.assisted_service"],
               "bounds": [[0.1, 0.5], [2.0, 8.0], [0.0, 1.0]]}
    plan = build_plan(write_def(tmp_path, "s", text, kind="sobol", n=8))
    X = sobol.sample(problem, 8, calc_second_order=False, seed=9)
    np.testing.assert_array_equal(plan.X, X)
    assert [p.values["structure.redirect_prob"] for p in plan.points] == [float(x) for x in X[:, 0]]
    assert [p.values["staffing.cadres_per_village"] for p in plan.points] == [int(round(x)) for x in X[:, 1]]
    assert [p.values["digital.assisted_service"] for p in plan.points] == [bool(x >= 0.5) for x in X[:, 2]]
    plan = build_plan(write_def(tmp_path, "m", text, kind="morris", n=4))
    np.testing.assert_array_equal(plan.X, morris.sample(problem, 4, num_levels=4, seed=9))


def _scenario_error(name: str) -> str:
    """The scenario loader's own message (owned by sandbox/scenario.py), prefixed by where it was met."""
    try:
        resolve_path(name)
    except InputError as exc:
        return exc.message.replace("{", "{{").replace("}", "}}")
    raise AssertionError(f"scenario {name} exists")


BAD = {
    "unknown top-level key": ('replicatons = 3\nseed = 1\n[design]\nkind = "grid"\n',
                              "{p}: unknown key 'replicatons'; did you mean 'replications'?; allowed: name, description, description_zh, base, "
                              "function, seed, seeds, replications, days, metrics, fixed, parameters, design, claims, contrasts"),
    "missing seed": ('replications = 3\n[design]\nkind = "grid"\n',
                     "{p}: missing key 'seed' (master seed: every run's seed derives from it)"),
    "design kind": ('seed = 1\nreplications = 3\n[design]\nkind = "grdi"\n',
                    '{p}: design.kind = "grdi": must be one of grid, lhs, sobol, morris, contrasts'),
    "unknown lever": ('seed = 1\nreplications = 2\n[parameters]\none_windw = [false, true]\n[design]\nkind = "grid"\n',
                      "{p}: [parameters]: unknown key 'one_windw'; did you mean 'one_window'?"),
    "lever out of range": ('seed = 1\nreplications = 2\n[parameters]\nleftover_station_share = { low = 0.0, high = 1.5 }\n'
                           '[design]\nkind = "lhs"\nsamples = 4\n',
                           "{p}: [parameters]: structure.leftover_station_share = 1.5: must be a number from 0.0 to 1.0"),
    "fixed lever of wrong type": ('seed = 1\nreplications = 2\n[fixed]\none_window = "yes"\n[design]\nkind = "grid"\n',
                                  '{p}: design point 0 (): structure.one_window = "yes": must be true or false'),
    "sobol needs a power of two": ('seed = 1\nreplications = 1\n[parameters]\nredirect_prob = { low = 0.0, high = 0.5 }\n'
                                   '[design]\nkind = "sobol"\nsamples = 100\n',
                                   "{p}: design.samples = 100: Sobol sampling needs a power of 2 (e.g. 64 or 128)"),
    "switch given a range": ('seed = 1\nreplications = 1\n[parameters]\none_window = { low = 0, high = 1 }\n[design]\nkind = "lhs"\nsamples = 4\n',
                             "{p}: [parameters]: one_window is a switch: list its values, e.g. one_window = [false, true]"),
    "unknown metric": ('seed = 1\nreplications = 1\nmetrics = ["trips_per_mater"]\n[design]\nkind = "grid"\n',
                       "{p}: metrics: unknown metric 'trips_per_mater'; did you mean 'trips_per_matter'?; "
                       "see `sandbox run` output or docs/experiments.md for the list"),
    "unknown base scenario": ('base = "integrated_gird"\nseed = 1\nreplications = 1\n[design]\nkind = "grid"\n',
                              "{p}: base: " + _scenario_error("integrated_gird")),
    "function not importable": ('function = "sandbox.experiments.nowhere:f"\nseed = 1\nreplications = 1\nmetrics = ["y"]\n[design]\nkind = "grid"\n',
                                "{p}: function = \"sandbox.experiments.nowhere:f\": cannot import module 'sandbox.experiments.nowhere': "
                                "No module named 'sandbox.experiments.nowhere'"),
    "contrast direction": ('seed = 1\nreplications = 2\n[design]\nkind = "contrasts"\n[[contrasts]]\nname = "c"\n'
                           'reference = "base"\ntreatment = "integrated_grid"\nexpect = { escalations = "down" }\n',
                           '{p}: contrasts[0].expect.escalations = "down": must be one of increase, decrease, similar, not_lower'),
    "invalid TOML": ("seed = = 1\n", "{p}: invalid TOML: Invalid value (at line 1, column 8)"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_definition_one_message_exit_2_nothing_written(tmp_path, case):
    text, message = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    result = cli("sweep", path, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == f"error: {message.format(p=path)}\n"
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_experiment_name_lists_the_known_ones(tmp_path):
    result = cli("sweep", "structure_switchs", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert result.stderr == ("error: experiment 'structure_switchs' not found; did you mean 'structure_switches'? Known experiments: "
                             f"{', '.join(SHIPPED)}\n")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "tcp://127.0.0.1:1", "--local-cluster"], "--scheduler and --local-cluster: choose one"),
    (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"],
     "--workers 2: the cluster at --scheduler has its own workers; drop --workers"),
])
def test_conflicting_backend_options(tmp_path, args, message):
    result = cli("sweep", "structure_switches", "--out", tmp_path / "r", *args)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert not (tmp_path / "r").exists()


def test_dry_run_validates_and_writes_nothing(tmp_path):
    result = cli("sweep", "article_claims", "--dry-run", "--workers", "2", "--out", tmp_path / "r")
    assert result.exit_code == 0
    assert result.stdout == (f"article_claims: 21 design points × 30 replications = 630 runs; 0 recorded, 630 to run on "
                             f"local process pool (2 workers) → {tmp_path / 'r'}/\n")
    assert not (tmp_path / "r").exists()


def test_experiments_command_lists_definitions():
    result = cli("experiments")
    assert result.exit_code == 0
    for name in SHIPPED:
        assert name in result.stdout
    assert DEFINITIONS_DIR.is_dir()
