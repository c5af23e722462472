"""Bad input: one clear message naming file, key and what is allowed; exit 2; nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.errors import InputError
from sandbox.params import LEAVES, SECTIONS
from sandbox.scenario import load_scenario, scenario_names
from sandbox.scenarios import SCENARIO_DIR

SANDBOX = str(Path(sys.executable).parent / "sandbox")


def cli(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([SANDBOX, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


CASES = {
    "unknown_key": ("[structure]\none_windw = true\n", "{f}: unknown key 'structure.one_windw'; did you mean 'structure.one_window'?"),
    "key_in_wrong_section": ("[structure]\npatrol_hours = 1\n", "{f}: unknown key 'structure.patrol_hours'; 'patrol_hours' belongs in [grid]"),
    "unknown_section": ("[structur]\none_window = true\n", "{f}: unknown key 'structur'; did you mean 'structure'?"),
    "wrong_type": ('[structure]\none_window = "yes"\n', '{f}: structure.one_window = "yes": must be true or false'),
    "out_of_range": ("[township]\nresidents = 10\n", "{f}: township.residents = 10: must be a whole number from 100 to 2000000"),
    "float_out_of_range": ("[structure]\nleftover_station_share = 1.5\n", "{f}: structure.leftover_station_share = 1.5: must be a number from 0.0 to 1.0"),
    "bad_toml": ("[structure\none_window = true\n", "{f}: invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 11)"),
    "missing_parent": ('extends = "nowhere"\n', "{f}: extends: scenario 'nowhere' not found. Known scenarios: " + ", ".join(scenario_names())),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_scenario_file(tmp_path, case):
    text, expected = CASES[case]
    f = write(tmp_path, f"{case}.toml", text)
    out = tmp_path / "out"
    r = cli("run", str(f), "--days", "2", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == "error: " + expected.format(f=f)
    assert "Traceback" not in r.stdout + r.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name]  # nothing else written
    with pytest.raises(InputError) as exc:
        load_scenario(f)
    assert exc.value.message == expected.format(f=f)


def test_inheritance_loop(tmp_path):
    a = write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a"\n')
    r = cli("validate", str(a))
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: {a}: extends loop: a -> b -> a"


def test_missing_scenario_suggests_the_close_one(tmp_path):
    r = cli("run", "vertical_grd", "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: scenario 'vertical_grd' not found; did you mean 'vertical_grid'? Known scenarios: ")
    assert not (tmp_path / "o").exists()


def test_missing_file(tmp_path):
    r = cli("validate", str(tmp_path / "nope.toml"))
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: {tmp_path / 'nope.toml'}: no such scenario file"


def test_bad_cli_values(tmp_path):
    out = tmp_path / "o"
    r = cli("run", "base", "--days", "0", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: {SCENARIO_DIR / 'base.toml'} (with overrides): run.days = 0: must be a whole number from 1 to 3650"
    r = cli("run", "base", "--set", "one_windw=true", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --set one_windw=true: unknown key 'one_windw'; did you mean 'one_window'?"
    r = cli("run", "base", "--seed", "abc", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: sandbox run: Invalid value for '--seed': ")
    assert r.stderr.strip().endswith(" (see sandbox run --help)") and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_existing_output_is_never_overwritten(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = cli("run", "base", "--days", "2", "--residents", "500", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: --out {out}: already exists and is not empty; choose another folder (results are never overwritten)"
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_every_shipped_scenario_validates():
    names = scenario_names()
    assert {"base", "vertical_grid", "integrated_grid", "vertical_cocreation", "integrated_cocreation",
            "leftover_stations", "one_form_only", "apps_no_assist", "fengqiao_off"} <= set(names)
    r = cli("validate", *names)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok: ") == len(names)


def test_leaf_names_are_unique():
    leaves = [leaf for cls in SECTIONS.values() for leaf in cls.model_fields]
    assert len(leaves) == len(set(leaves)) == len(LEAVES)


def test_user_file_can_extend_a_sibling_and_a_shipped_scenario(tmp_path):
    write(tmp_path, "mine.toml", 'extends = "integrated_grid"\n[structure]\nleftover_station_share = 0.2\n')
    child = write(tmp_path, "child.toml", 'extends = "mine"\n[governance]\nco_creation = true\n')
    sc = load_scenario(child)
    assert sc.structure.one_window and sc.structure.leftover_station_share == 0.2 and sc.governance.co_creation
