"""One test per input that used to crash the sandbox or escape its checks (issue 7): each now
gets one `error:` line naming file / key / value, exit code 2, no traceback, nothing written
(or, where the input is fine, a result)."""

from __future__ import annotations

import errno
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_sweep import TINY_SWEEP
from inputs_support import files_under, invoke, one_error_line

from sandbox.cli_support import OutputDir

MAX_SEED = 2**63 - 1


def refused(args, where: Path) -> str:
    """Run, assert exit 2, one error line and nothing new under `where`; the message."""
    before = files_under(where)
    code, _, err = invoke(args, where)
    assert code == 2, err
    line = one_error_line(err)
    assert files_under(where) == before, "something was written"
    return line


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SWEEP = TINY_SWEEP


# -- files that are not UTF-8 TOML ----------------------------------------------------------------

def test_non_utf8_scenario_file(tmp_path):
    f = write(tmp_path / "latin1.toml", '[structure]\none_window = true\ndescription = "caf\xe9"\n'.encode("latin-1"))
    assert refused(["run", f, "--out", "o"], tmp_path) == \
        f"error: {f}: not UTF-8 text (byte 0xe9 at position 48); TOML files are UTF-8"


def test_non_utf8_sweep_file(tmp_path):
    f = write(tmp_path / "s.toml", b'description = "\xff"\n')
    assert refused(["sweep", f, "--dry-run"], tmp_path) == \
        f"error: {f}: not UTF-8 text (byte 0xff at position 15); TOML files are UTF-8"


def test_toml_nested_600_deep(tmp_path):
    deep = "x = " + "[" * 600 + "]" * 600 + "\n"
    f = write(tmp_path / "deep.toml", "[structure]\n" + deep)
    assert refused(["validate", f], tmp_path) == f"error: {f}: invalid TOML: arrays or tables nested too deeply"
    s = write(tmp_path / "deep_sweep.toml", deep)
    assert refused(["sweep", s, "--dry-run"], tmp_path) == f"error: {s}: invalid TOML: arrays or tables nested too deeply"


def test_extends_chain_of_1000_files(tmp_path):
    write(tmp_path / "s0.toml", 'extends = "base"\n')
    for i in range(1, 1000):
        write(tmp_path / f"s{i}.toml", f'extends = "s{i - 1}"\n')
    line = refused(["validate", tmp_path / "s999.toml"], tmp_path)
    assert line.endswith(": extends: a chain of more than 64 files; a scenario may extend at most 63 others in a row")


def test_a_chain_of_63_extends_is_fine(tmp_path):
    write(tmp_path / "s0.toml", 'extends = "base"\n')
    for i in range(1, 63):
        write(tmp_path / f"s{i}.toml", f'extends = "s{i - 1}"\n[township]\nresidents = {1000 + i}\n')
    code, out, err = invoke(["validate", tmp_path / "s62.toml"], tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("where", ["validate", "run", "extends", "sweep base"])
def test_names_over_255_characters(tmp_path, where):
    long = "x" * 300
    if where == "validate":
        line = refused(["validate", long], tmp_path)
    elif where == "run":
        line = refused(["run", f"{long}.toml", "--out", "o"], tmp_path)
    elif where == "extends":
        f = write(tmp_path / "child.toml", f'extends = "{long}"\n')
        line = refused(["validate", f], tmp_path)
    else:
        f = write(tmp_path / "s.toml", SWEEP.replace('"vertical_grid"', f'"{long}"'))
        line = refused(["sweep", f, "--dry-run"], tmp_path)
    assert "names have at most 255 bytes" in line and "x" * 81 not in line  # the name is cut in the message


# -- seeds ----------------------------------------------------------------------------------------

def test_negative_seed(tmp_path):
    assert refused(["run", "base", "--seed", "-1", "--out", "o"], tmp_path) == \
        f"error: --seed -1: must be a whole number from 0 to {MAX_SEED}"


def test_seed_over_63_bits_is_refused_before_simulating(tmp_path):
    assert refused(["run", "base", "--seed", str(2**63), "--out", "o"], tmp_path) == \
        f"error: --seed {2**63}: must be a whole number from 0 to {MAX_SEED}"


def test_compare_seed_plus_replications_over_63_bits(tmp_path):
    line = refused(["compare", "base", "-r", "3", "--seed", str(MAX_SEED - 1), "--out", "o"], tmp_path)
    assert line == (f"error: --seed {MAX_SEED - 1} with --replications 3: replication i uses seed + i, "
                    f"and the last, {MAX_SEED + 1}, is over {MAX_SEED}")


def test_largest_seed_runs(tmp_path):
    code, _, err = invoke(["run", "base", "--seed", str(MAX_SEED), "--days", "2", "--residents", "200",
                           "--set", "villages=1", "--out", "o"], tmp_path)
    assert code == 0, err
    assert pq.read_table(tmp_path / "o" / "summary.parquet").column("seed").to_pylist() == [MAX_SEED]


# -- names ----------------------------------------------------------------------------------------

def test_compare_refuses_two_scenarios_with_one_name(tmp_path):
    write(tmp_path / "my" / "vertical_grid.toml", 'extends = "integrated_grid"\n')
    assert refused(["compare", "vertical_grid", "my/vertical_grid.toml", "--out", "o"], tmp_path) == \
        ("error: scenarios: my/vertical_grid.toml and vertical_grid are both named 'vertical_grid'; "
         "each scenario may appear once (rename a file to compare both)")


def test_dollar_signs_in_names_are_text_not_tex(tmp_path):
    write(tmp_path / "$x_1$.toml", 'extends = "integrated_grid"\n')
    code, out, err = invoke(["compare", "base", "$x_1$.toml", "-r", "2", "--days", "3", "--residents", "300",
                             "--set", "villages=1", "--workers", "1", "--out", "c"], tmp_path)
    assert code == 0, err
    assert "$x_1$" in (tmp_path / "c" / "report.html").read_text(encoding="utf-8")


def test_dollar_signs_in_a_contrast_name(tmp_path):
    f = write(tmp_path / "c.toml", """
        base = "base"
        seed = 1
        replications = 2
        days = 3
        [fixed]
        residents = 300
        villages = 1
        [design]
        kind = "contrasts"
        [[contrasts]]
        name = "w"
        claim = "$\\\\frac{a$"
        reference = "vertical_grid"
        treatment = "integrated_grid"
        expect = { trips_per_matter = "decrease" }
    """)
    assert invoke(["sweep", f, "--workers", "1", "--out", "s"], tmp_path)[0] == 0
    code, _, err = invoke(["analyze", "s"], tmp_path)
    assert code == 0, err


def test_control_characters_from_files_are_escaped(tmp_path):
    f = write(tmp_path / "esc.toml", '[structure]\n"one\\u001b[31mwindow\\u202e" = true\n')
    line = refused(["validate", f], tmp_path)
    assert "\x1b" not in line and "\u202e" not in line
    assert line == f"error: {f}: unknown key 'structure.one\\x1b[31mwindow\\u202e'; did you mean 'structure.one_window'?"


# -- output folders -------------------------------------------------------------------------------

@pytest.mark.parametrize("out", [".", "", "..", "sub/.."])
def test_out_is_the_current_folder(tmp_path, out):
    (tmp_path / "sub").mkdir()
    line = refused(["run", "base", "--days", "2", "--out", out], tmp_path)
    assert line.startswith((f"error: --out {out}", "error: --out ''"))


def test_out_under_a_file(tmp_path):
    write(tmp_path / "afile", "x")
    assert refused(["run", "base", "--days", "2", "--out", "afile/o"], tmp_path) == \
        f"error: --out afile/o: {tmp_path / 'afile'} is a file, not a folder"
    assert refused(["sweep", write(tmp_path / "s.toml", SWEEP), "--out", "afile/s"], tmp_path) == \
        f"error: --out afile/s: {tmp_path / 'afile'} is a file, not a folder"


def test_out_where_nothing_can_be_written(tmp_path):
    line = refused(["run", "base", "--days", "2", "--out", "/proc/sandbox-results"], tmp_path)
    assert line.startswith("error: --out /proc/sandbox-results: cannot write: ")


def test_two_commands_racing_for_one_out(tmp_path):
    target = tmp_path / "o"
    holder = OutputDir(target)  # another command claimed it first and is still running
    try:
        line = refused(["run", "base", "--days", "2", "--out", "o"], tmp_path)
        assert line.startswith("error: --out o: another command is writing to this folder right now")
    finally:
        holder.__exit__(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert not target.exists() and not (tmp_path / ".o.partial").exists()


def test_a_full_disk_while_writing_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import sandbox.outputs

    real = sandbox.outputs.pq.write_table

    def full(table, where, *a, **k):
        if str(where).endswith(".tmp") and "summary" in str(where):
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, *a, **k)

    monkeypatch.setattr(sandbox.outputs.pq, "write_table", full)
    line = refused(["run", "base", "--days", "2", "--residents", "200", "--set", "villages=1", "--out", "o"], tmp_path)
    assert line == "error: --out o: cannot write: no space left on the device (" + line.split("(", 1)[1]


# -- sweep designs --------------------------------------------------------------------------------

def test_grid_with_a_ranged_lever_and_no_levels(tmp_path):
    f = write(tmp_path / "g.toml", SWEEP.replace("one_window = [false, true]", "redirect_prob = { low = 0.0, high = 0.5 }"))
    assert refused(["sweep", f, "--dry-run"], tmp_path) == (
        f"error: {f}: design.levels is missing: a grid needs the number of values to take from each ranged "
        "parameter (structure.redirect_prob), e.g. levels = 3")


@pytest.mark.parametrize("design, points", [
    ('kind = "lhs"\nsamples = 1000000', "1,000,000"),
    ('kind = "sobol"\nsamples = 524288', "5,242,880"),
    ('kind = "grid"\nlevels = 1000', "1,000,000"),
])
def test_designs_too_large_are_refused_before_sampling(tmp_path, design, points):
    params = "\n".join(f"{k} = {{ low = 0.0, high = 0.5 }}" for k in
                       ("redirect_prob", "app_push", "field_overlap", "paper_share", "elderly_share",
                        "trust", "civic_propensity", "missing_doc_prob")[: 2 if "grid" in design else 8])
    text = SWEEP.replace("one_window = [false, true]", params).replace('kind = "grid"', design)
    line = refused(["sweep", write(tmp_path / "big.toml", text), "--dry-run"], tmp_path)
    assert f"has {points} design points; at most 100,000" in line


def test_analyze_a_scenario_factor_given_as_a_file(tmp_path):
    write(tmp_path / "mine.toml", 'extends = "integrated_grid"\n')
    text = SWEEP.replace("one_window = [false, true]", 'scenario = ["vertical_grid", "mine.toml"]')
    assert invoke(["sweep", write(tmp_path / "s.toml", text), "--workers", "1", "--out", "s"], tmp_path)[0] == 0
    code, out, err = invoke(["analyze", "s"], tmp_path)
    assert code == 0, err
    assert "mine.toml" in (tmp_path / "s" / "report.html").read_text(encoding="utf-8")


def test_a_township_too_big_for_the_machine(tmp_path):
    line = refused(["run", "base", "--residents", "2000000", "--days", "3650", "--set", "rate_scale=20",
                    "--set", "villages=200", "--out", "o"], tmp_path)
    assert line.startswith("error: base: township.residents = 2000000, run.days = 3650, matters.rate_scale = 20: "
                           "one run would need about ")
    assert line.endswith("; lower residents, days or rate_scale")


def test_a_bad_set_is_not_dropped_by_the_option(tmp_path):
    assert refused(["run", "base", "--set", "residents=-3", "--residents", "3000", "--out", "o"], tmp_path) == \
        "error: --set residents=-3 and --residents 3000: both set township.residents; give it once"


# -- sweep files are data -------------------------------------------------------------------------

def test_a_sweep_file_cannot_run_other_code_even_in_a_dry_run(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    write(tmp_path / "evil_mod.py", f"open({str(marker)!r}, 'w').close()\ndef run(p, s):\n    return {{}}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for function in ("subprocess:call", "evil_mod:run"):
        f = write(tmp_path / "s.toml", f'function = "{function}"\nseed = 1\nreplications = 1\nmetrics = ["y"]\n'
                                        '[fixed]\nargs = ["touch", "pwned"]\n[design]\nkind = "grid"\n')
        line = refused(["sweep", f, "--dry-run"], tmp_path)
        assert line.endswith("a sweep file runs other code only with --allow-code")
        assert not marker.exists() and "evil_mod" not in sys.modules
    f.unlink()


def test_compare_prints_no_runtime_warning(tmp_path):
    code, out, err = invoke(["compare", "base", "fengqiao_off", "-r", "2", "--days", "1", "--residents", "200",
                             "--set", "villages=1", "--workers", "1", "--out", "c"], tmp_path)
    assert code == 0, err
    assert "Warning" not in out + err


def test_compare_resumes_after_an_interruption(tmp_path, monkeypatch):
    from sandbox.cli_support import RESUME
    from sandbox.compare import compare
    from sandbox.experiments import runner
    from sandbox.scenario import build_scenario

    args = ["compare", "base", "integrated_grid", "-r", "3", "--days", "3", "--residents", "300",
            "--set", "villages=1", "--workers", "1"]
    code, _, err = invoke([*args, "--out", "whole"], tmp_path)
    assert code == 0, err
    # a first attempt at --out resumed, interrupted after one replication of each scenario
    built = {n: build_scenario(n, days=3, residents=300, villages=1) for n in ("base", "integrated_grid")}
    first = OutputDir(tmp_path / "resumed", resumable=True)
    first.keep = True
    with pytest.raises(KeyboardInterrupt), first as tmp:
        compare(built, 1, seed=1, workers=1, resume=tmp / RESUME)
        raise KeyboardInterrupt
    assert len(list((tmp_path / ".resumed.partial" / RESUME / "runs").rglob("run-*.parquet"))) == 2
    # another command may not take that folder over
    line = refused(["run", "base", "--days", "2", "--out", "resumed"], tmp_path)
    assert line.endswith("holds the finished runs of an interrupted `sandbox compare`; rerun that command to "
                         "finish it, or choose another folder")
    calls = []
    real = runner._simulate
    monkeypatch.setattr(runner, "_simulate", lambda params, seed: calls.append(seed) or real(params, seed))
    code, _, err = invoke([*args, "--out", "resumed"], tmp_path)
    assert code == 0, err
    assert sorted(calls) == [2, 2, 3, 3]  # only the missing replications ran
    assert pq.read_table(tmp_path / "whole" / "summary.parquet").equals(pq.read_table(tmp_path / "resumed" / "summary.parquet"))
    assert pq.read_table(tmp_path / "whole" / "daily.parquet").equals(pq.read_table(tmp_path / "resumed" / "daily.parquet"))
    assert not (tmp_path / ".resumed.partial").exists()


def test_out_with_a_name_over_255_characters(tmp_path):
    # found by the fuzz test: the check for an existing folder raised ENAMETOOLONG
    line = refused(["compare", "--days", "2", "--out", "x" * 300], tmp_path)
    assert line.startswith("error: --out " + "x" * 80 + "…: a name in this path is 300 characters long")


def test_analyze_refuses_what_sweep_did_not_write(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    assert refused(["analyze", "notes"], tmp_path) == \
        "error: notes/manifest.json: not a manifest written by `sandbox sweep` (format grassroots-sandbox-sweep/1)"
    assert refused(["analyze", "x" * 300], tmp_path).startswith("error: " + "x" * 300 + ": ")


def test_a_refused_run_prints_only_its_error_not_notes_before_it(tmp_path):
    # leftover stations without one window is inert (a note), and --out is refused: one line
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep").write_text("mine")
    line = refused(["run", "base", "--days", "2", "--set", "leftover_station_share=0.3", "--out", "o"], tmp_path)
    assert line.endswith("already exists and is not empty; choose another folder (results are never overwritten)")
