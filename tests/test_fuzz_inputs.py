"""Property-based fuzzing (hypothesis) of every input a user hands the CLI: scenario files, CLI
options and sweep files. For every generated input, `sandbox` either exits 0 with its results,
or exits 2 with one `error:` line, no traceback and nothing written.

CI runs FUZZ_EXAMPLES (default 100) examples per family; benchmarks/fuzz_inputs.py runs 10,000
in all and prints the outcome (README quotes it).
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_support import files_under, invoke, one_error_line

from sandbox.metric_registry import metrics
from sandbox.params import SECTIONS
from sandbox.scenario import scenario_names

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
OUTCOMES = os.environ.get("FUZZ_OUTCOMES")  # a JSON-lines file the 10,000-example script counts from
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not OUTCOMES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])

def mostly(good, bad, odds: int = 9):
    """`good` nine times in ten (by default), `bad` otherwise: most inputs run, the rest probe."""
    return st.integers(0, odds).flatmap(lambda i: good if i else bad)


SCENARIOS = scenario_names()
LEVERS = [(s, f) for s, cls in SECTIONS.items() for f in cls.model_fields]
METRICS = list(metrics())
NASTY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
NAMES = st.one_of(st.sampled_from(SCENARIOS), st.text(string.ascii_letters + "_$./\x1b\u202e", min_size=0, max_size=20),
                  st.just("x" * 300), st.just("base"), st.just("../scenarios/base.toml"))
SCENARIO_ARG = mostly(st.sampled_from(SCENARIOS), NAMES, 3)


# -- values and TOML -------------------------------------------------------------------------------

def toml_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value == value and abs(value) != float("inf") else ("nan" if value != value else ("inf" if value > 0 else "-inf"))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_literal(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


SCALARS = st.one_of(st.booleans(), st.integers(-10, 3000), st.integers(-(2**64), 2**64),
                    st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1), NASTY_TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=2)),
                      max_leaves=6)


def lever_value(section: str, leaf: str):
    """Mostly values within the lever's range (so most files run), sometimes just outside it,
    sometimes anything."""
    field = SECTIONS[section].model_fields[leaf]
    kind = field.annotation
    if kind is bool:
        return mostly(st.booleans(), VALUES, 7)
    lo = next((m.ge for m in field.metadata if hasattr(m, "ge")), 0)
    hi = next((m.le for m in field.metadata if hasattr(m, "le")), 1000)
    hi = min(hi, lo + 100)  # keep accepted townships small and quick
    inside = st.integers(int(lo), int(hi)) if kind is int else st.floats(lo, hi)
    outside = st.sampled_from([lo - 1, hi * 10 + 1]).map(kind)
    return mostly(inside, st.one_of(outside, VALUES), 7)


@st.composite
def scenario_text(draw) -> str | bytes:
    """A scenario file: mostly structured TOML, sometimes broken bytes."""
    if draw(st.integers(0, 14)) == 0:
        return draw(st.one_of(st.binary(max_size=200), st.just(b"[structure]\none_window = \xff\n"),
                              st.just(("x = " + "[" * 700 + "]" * 700).encode()), st.text(max_size=200).map(str.encode)))
    lines = []
    if draw(st.integers(0, 2)) == 0:
        lines.append(f"extends = {toml_literal(draw(mostly(st.sampled_from([*SCENARIOS, 'sibling']), st.one_of(NAMES, VALUES), 3)))}")
    if draw(st.booleans()):
        lines.append(f"description = {toml_literal(draw(NASTY_TEXT))}")
    chosen = draw(st.lists(st.sampled_from(LEVERS), max_size=6, unique=True))
    by_section: dict[str, list[str]] = {}
    for section, leaf in chosen:
        by_section.setdefault(section, []).append(f"{leaf} = {toml_literal(draw(lever_value(section, leaf)))}")
    if draw(st.integers(0, 7)) == 0:  # an unknown or misplaced key
        section = draw(st.sampled_from([*SECTIONS, "structur", "extra"]))
        by_section.setdefault(section, []).append(f"{json.dumps(draw(NASTY_TEXT))} = {toml_literal(draw(VALUES))}")
    for section, entries in by_section.items():
        lines.append(f"[{section}]")
        lines += entries
    return "\n".join(lines) + "\n"


# -- the property ----------------------------------------------------------------------------------

def check(args: list[str], root: Path, inputs: set[str], results: list[str], family: str) -> int:
    """Run `sandbox ARGS` in `root`: exit 0 and `results` exist, or exit 2, one error line, nothing written."""
    code, out, err = invoke(args, root)
    assert "Traceback" not in out + err, err
    if code == 0:
        for name in results:
            assert (root / name).exists(), f"exit 0 but no {name}: {args}\n{err}"
    else:
        assert code == 2, f"exit {code} for {args}:\n{out}\n{err}"
        one_error_line(err)
        assert files_under(root) == inputs, f"{args} wrote {files_under(root) - inputs}"
    if OUTCOMES:
        with open(OUTCOMES, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"family": family, "command": args[0], "exit": code}) + "\n")
    return code


def put(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def small_run_options(draw) -> list[str]:
    """Keeps accepted runs tiny: a few days of a few hundred residents (a township's own size
    and length are overridden; anything else in the file stands)."""
    return ["--days", str(draw(st.integers(1, 3))), "--residents", str(draw(st.integers(100, 400)))]


@FUZZ
@given(data=st.data())
def test_fuzz_scenario_files(data):
    text = data.draw(scenario_text())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = put(root / data.draw(st.sampled_from(["mine.toml", "$x$.toml", "café.toml"])), text)
        if data.draw(st.booleans()):  # a sibling it may extend
            (root / "sibling.toml").write_text('extends = "integrated_grid"\n[township]\nvillages = 1\n', encoding="utf-8")
        inputs = files_under(root)
        command = data.draw(st.sampled_from(["validate", "run", "run"]))
        if command == "validate":
            check(["validate", path.name], root, inputs, [], "scenario files")
        else:
            check(["run", path.name, *small_run_options(data.draw), "--set", "villages=1", "--out", "o"],
                  root, inputs, ["o/summary.parquet", "o/daily.parquet", "o/params.json"], "scenario files")


OPTION_VALUES = st.one_of(st.integers(-3, 5).map(str), st.integers(-(2**64), 2**64).map(str), st.just(str(2**63 - 1)),
                          NASTY_TEXT, st.just(""), st.just("."), st.just("x" * 300))
SETS = mostly(
    st.sampled_from([lv for lv in LEVERS if lv[1] not in ("residents", "days", "villages")]).flatmap(
        lambda lv: lever_value(*lv).map(lambda v: f"{lv[1]}={toml_literal(v)}")),
    st.one_of(st.builds(lambda lever, v: f"{lever[1]}={toml_literal(v)}", st.sampled_from(LEVERS), VALUES),
              st.builds(lambda lever, v: f"{lever[0]}.{lever[1]}={v}", st.sampled_from(LEVERS), NASTY_TEXT),
              NASTY_TEXT), 3)
PLAUSIBLE = {"--seed": st.integers(0, 10**6), "--days": st.integers(1, 3), "--residents": st.integers(100, 400),
             "--out": st.sampled_from(["o2", "new/o3"]), "-r": st.integers(1, 2), "--workers": st.integers(1, 2),
             "--bogus": st.just("1")}


@FUZZ
@given(data=st.data())
def test_fuzz_cli_options(data):
    command = data.draw(st.sampled_from(["run", "compare", "validate", "list"]))
    args = [command]
    if command in ("run", "validate"):
        args.append(data.draw(SCENARIO_ARG))
    elif command == "compare":
        args += data.draw(st.lists(SCENARIO_ARG, min_size=0, max_size=3))
    results: list[str] = []
    if command in ("run", "compare"):
        options = data.draw(st.lists(st.sampled_from(["--seed", "--days", "--residents", "--set", "--out", "-r",
                                                      "--workers", "--bogus"]), max_size=4))
        for opt in options:
            if opt == "--set":
                args += ["--set", data.draw(SETS)]
            else:
                args += [opt, str(data.draw(mostly(PLAUSIBLE[opt], OPTION_VALUES, 3)))]
        args += [*small_run_options(data.draw), "--set", "villages=1"]
        if command == "compare" and "-r" not in options:
            args += ["-r", "2"]
        if command == "compare" and "--workers" not in options:
            args += ["--workers", "1"]
        if "--out" not in options:
            args += ["--out", "o"]
            results = ["o/summary.parquet"]
        if command == "compare" and "--workers" in options:
            args += ["--workers", "1"]  # accepted comparisons stay in this process (pools are tested elsewhere)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        check(args, root, files_under(root), results, "CLI options")


@st.composite
def sweep_text(draw) -> str | bytes:
    """A sweep file: a small valid sweep with, now and then, one part of it wrong."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.one_of(st.binary(max_size=200), st.just(b'description = "\xfe"\n')))
    top = {
        "base": draw(mostly(st.sampled_from(SCENARIOS), NAMES)),
        "seed": draw(mostly(st.integers(0, 2**63 - 1), st.one_of(st.integers(-5, -1), st.integers(2**63, 2**64), NASTY_TEXT))),
        "replications": draw(mostly(st.integers(1, 2), st.one_of(st.integers(-2, 0), VALUES))),
        "days": draw(mostly(st.integers(1, 3), VALUES)),
    }
    for key in [k for k in top if draw(st.integers(0, 29)) == 0]:
        del top[key]
    if draw(st.booleans()):
        top["metrics"] = draw(mostly(st.one_of(st.lists(st.sampled_from(METRICS), min_size=1, max_size=3, unique=True),
                                               st.just("all")),
                                     st.one_of(st.lists(NASTY_TEXT, max_size=2), VALUES), 4))
    if draw(st.integers(0, 9)) == 0:
        top["function"] = draw(st.sampled_from(["subprocess:call", "os:system", "sandbox.experiments.runner:township",
                                                "no_such_module:f", "not a function"]))
    if draw(st.integers(0, 5)) == 0:
        top["seeds"] = draw(mostly(st.sampled_from(["common", "independent", "sequential"]), st.just("other"), 4))
    lines = [f"{k} = {toml_literal(v)}" for k, v in top.items()]
    fixed = {"residents": draw(st.integers(100, 300)), "villages": 1}
    if draw(st.integers(0, 3)) == 0:
        section, leaf = draw(st.sampled_from(LEVERS))
        fixed[leaf] = draw(lever_value(section, leaf))
    lines.append("[fixed]")
    lines += [f"{k} = {toml_literal(v)}" for k, v in fixed.items()]
    kind = draw(mostly(st.sampled_from(["grid", "grid", "lhs", "sobol", "morris", "contrasts"]), st.just("other"), 14))
    params = {}
    free = [lv for lv in LEVERS if lv[1] not in fixed]
    if kind != "contrasts" or draw(st.integers(0, 9)) == 0:
        for section, leaf in draw(st.lists(st.sampled_from(free), min_size=1, max_size=2, unique=True)):
            field = SECTIONS[section].model_fields[leaf]
            if field.annotation is bool:
                good = st.just([False, True])
            else:
                lo = next((m.ge for m in field.metadata if hasattr(m, "ge")), 0)
                hi = min(next((m.le for m in field.metadata if hasattr(m, "le")), 10), lo + 10)
                good = st.one_of(st.lists(lever_value(section, leaf), min_size=1, max_size=2),
                                 st.just({"low": lo, "high": hi}))
            params[leaf] = draw(mostly(good, VALUES, 6))
        if draw(st.integers(0, 6)) == 0:
            params["scenario"] = draw(st.lists(SCENARIO_ARG, min_size=1, max_size=2, unique=True))
    if params:
        lines.append("[parameters]")
        lines += [f"{json.dumps(k)} = {toml_literal(v)}" for k, v in params.items()]
    lines += ["[design]", f"kind = {json.dumps(kind)}"]
    if kind in ("lhs", "sobol", "morris") or draw(st.integers(0, 9)) == 0:
        lines.append(f"samples = {toml_literal(draw(mostly(st.sampled_from([1, 2]), st.one_of(st.integers(-1, 2**20), VALUES), 6)))}")
    if kind == "grid" or draw(st.integers(0, 9)) == 0:
        lines.append(f"levels = {toml_literal(draw(mostly(st.just(2), st.one_of(st.integers(-1, 10**6), VALUES), 6)))}")
    if kind == "contrasts":
        if draw(st.integers(0, 3)) == 0:
            lines.insert(0, f"claims = {toml_literal(draw(mostly(st.just('claims'), NAMES, 3)))}")
        for _ in range(draw(st.integers(0, 2))):
            lines += ["[[contrasts]]", f"name = {toml_literal(draw(mostly(st.sampled_from(['c', 'd', '$c$']), NASTY_TEXT, 6)))}",
                      f"claim = {toml_literal(draw(NASTY_TEXT))}",
                      f"reference = {toml_literal(draw(SCENARIO_ARG))}",
                      f"treatment = {toml_literal(draw(mostly(st.sampled_from(SCENARIOS), st.one_of(NAMES, VALUES), 6)))}",
                      f"expect = {toml_literal({draw(st.sampled_from(METRICS)): draw(mostly(st.sampled_from(['increase', 'decrease', 'similar']), st.just('up'), 6))})}"]
    return "\n".join(lines) + "\n"


@FUZZ
@given(data=st.data())
def test_fuzz_sweep_files(data):
    text = data.draw(sweep_text())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = put(root / data.draw(st.sampled_from(["sweep.toml", "$s$.toml"])), text)
        inputs = files_under(root)
        if data.draw(st.integers(0, 3)) == 0:
            check(["sweep", path.name, "--dry-run"], root, inputs, [], "sweep files")
            assert files_under(root) == inputs  # a dry run writes nothing, ever
            return
        code = check(["sweep", path.name, "--workers", "1", "--out", "s"], root, inputs, ["s/manifest.json"], "sweep files")
        if code == 0 and data.draw(st.integers(0, 4)) == 0:  # the report's plots are slow: analyse one in five
            check(["analyze", "s"], root, files_under(root), ["s/report.html"], "sweep files")
