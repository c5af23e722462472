"""Lessons as data: the schema's one-line messages, `sandbox validate`, and every shipped lesson
run start to end with each revealed answer computed by the model."""

from __future__ import annotations

import re
import time

import pytest
from typer.testing import CliRunner

from sandbox.answers import DIRECTIONS, plan_for
from sandbox.cli import app
from sandbox.county_run import simulate_county
from sandbox.errors import InputError
from sandbox.lesson import LESSON_DIR, lesson_names, load_lesson
from sandbox.run import simulate
from sandbox.scenario import build_scenario
from sandbox.stats import mean_ci, paired_diff_ci

ARTICLE_LESSONS = {"one_window", "one_form", "grid", "co_creation", "fengqiao"}
COUNTY_LESSONS = {"showcase_to_landscape", "champion_rotation"}  # 盆景→风景, 人走政息
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
HEAD = 'title = ["课", "Lesson"]\nsummary = ["概要", "Summary"]\n'
STEP = '[[steps]]\ntitle = ["一", "One"]\nscenario = "vertical_grid"\n'
Q = ('[steps.question]\nkind = "direction"\nprompt = ["问", "Q"]\nmetric = "trips_per_matter"\n'
     'a = { scenario = "vertical_grid" }\nb = { scenario = "vertical_grid", levers = { one_window = true } }\n')
CSTEP = '[[steps]]\ntitle = ["一", "One"]\ncounty = "dies_with_rotation"\nquarters = 4\n'
CQ = ('[steps.question]\nkind = "direction"\nprompt = ["问", "Q"]\nmetric = "survival_after_champion"\n'
      'a = { county = "dies_with_rotation" }\n'
      'b = { county = "dies_with_rotation", levers = { "lifecycle.institutionalise_rate" = 4.0 } }\n')


def test_the_seven_article_lessons_ship_and_load():
    assert set(lesson_names()) >= ARTICLE_LESSONS | COUNTY_LESSONS
    for name in lesson_names():
        lesson = load_lesson(name)
        assert lesson.questions(), f"{name} asks nothing"
        assert {q.kind for _, q in lesson.questions()} <= {"direction", "number", "which"}


def _texts(obj, path=""):
    """Every ["中文", "English"] pair in a lesson, with where it is."""
    if isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(x, str) for x in obj):
        yield path, obj
    elif hasattr(type(obj), "model_fields"):
        for f in type(obj).model_fields:
            yield from _texts(getattr(obj, f), f"{path}.{f}")
    elif isinstance(obj, list):
        for i, x in enumerate(obj):
            yield from _texts(x, f"{path}[{i}]")


@pytest.mark.parametrize("name", sorted(ARTICLE_LESSONS | COUNTY_LESSONS))
def test_lesson_texts_are_bilingual_and_english_has_no_chinese(name):
    lesson = load_lesson(name)
    pairs = list(_texts(lesson))
    assert len(pairs) > 10
    for where, (zh, en) in pairs:
        assert CJK.search(zh), f"{name}{where}: the Chinese text has no Chinese"
        assert not CJK.search(en), f"{name}{where}: Chinese in the English text: {en}"
    for step in lesson.steps:
        if step.passage:
            assert CJK.search(step.passage.zh) and not CJK.search(step.passage.en)


def test_no_shipped_lesson_states_an_answer():
    for path in LESSON_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(answer|answers|expected|correct|solution)\s*=", text, re.M), path.name


BAD = [
    ("answer", HEAD + STEP + Q + 'answer = "down"\n',
     "step 1: question.answer: a lesson does not state answers; the revealed answer is computed by running the model"),
    ("typo_key", HEAD + STEP.replace("scenario =", "scenaro ="), "step 1: unknown key 'scenaro'; did you mean 'scenario'?"),
    ("metric", HEAD + STEP + Q.replace("trips_per_matter", "trips_per_mater"),
     "step 1: question.metric = \"trips_per_mater\": not a metric of the model; did you mean 'trips_per_matter'?"),
    ("lever", HEAD + STEP + Q.replace("one_window = true", "one_windw = true"),
     "step 1: question.b.levers.one_windw: not a lever; did you mean 'one_window'?"),
    ("lever_value", HEAD + STEP + Q.replace("one_window = true", "one_window = 3"),
     "step 1: question.b.levers: structure.one_window = 3: must be true or false"),
    ("view", HEAD + STEP + 'view = "mapp"\n', "step 1: view = \"mapp\": not a view a lesson can show; did you mean 'map'?"),
    ("kind", HEAD + STEP + Q.replace('"direction"', '"updown"'),
     "step 1: question.kind = \"updown\": must be one of 'direction', 'number' or 'which'"),
    ("missing_b", HEAD + STEP + Q.replace('b = { scenario = "vertical_grid", levers = { one_window = true } }\n', ""),
     "step 1: question: a 'direction' question needs 'b'"),
    ("text_one", HEAD.replace('["课", "Lesson"]', '["课"]') + STEP, 'title must be two texts: ["中文", "English"]'),
    ("text_blank", HEAD.replace('["课", "Lesson"]', '["课", " "]') + STEP, 'title: both texts must be written: ["中文", "English"]'),
    ("days", HEAD + STEP + "days = 5000\n", "step 1: days = 5000: must be at most 1000"),
    ("township", HEAD + STEP + "levers = { residents = 300 }\n", "step 1: levers.residents: the township's size is set once, in [class]"),
    ("no_steps", HEAD, "missing key 'steps'"),
    ("replications", HEAD + "[class]\nreplications = 1\n" + STEP, "class.replications = 1: must be at least 3"),
    ("scenario_path", HEAD + STEP.replace('"vertical_grid"', '"/etc/passwd"'), 'step 1: scenario = "/etc/passwd": not a listed scenario; allowed: '),
    ("option_label", HEAD + STEP + '[steps.question]\nkind = "which"\nprompt = ["问", "Q"]\nmetric = "trips_per_matter"\n'
                                   'best = "lowest"\noptions = [{ scenario = "base" }, { label = ["b", "B"], scenario = "base" }]\n',
     "step 1: missing key 'question.options[1].label'"),
    ("wrong_kind_field", HEAD + STEP + Q + 'of = { scenario = "base" }\n', "step 1: question: 'of' belongs to a 'number' question, not a 'direction' one"),
    ("not_utf8", None, "not UTF-8 text"),
    # county steps and questions
    ("county_and_scenario", HEAD + STEP + 'county = "dies_with_rotation"\n',
     "step 1: a step shows a township 'scenario' or a 'county', not both"),
    ("county_name", HEAD + CSTEP.replace('"dies_with_rotation"', '"dies_with_rotaton"'),
     "step 1: county = \"dies_with_rotaton\": not a listed county scenario; did you mean 'dies_with_rotation'?"),
    ("quarters_township", HEAD + STEP + "quarters = 4\n", "step 1: quarters need a county in the same step"),
    ("days_county", HEAD + CSTEP + "days = 30\n", "step 1: a county step runs 'quarters', not 'days'"),
    ("quarters_horizon", HEAD + CSTEP.replace("quarters = 4", "quarters = 21"),
     "step 1: quarters = 21: must be at most 20 (the county's horizon)"),
    ("county_view", HEAD + CSTEP + 'view = "map"\n', "step 1: view = \"map\": not a view a county step can show; allowed: county"),
    ("township_view_county", HEAD + STEP + 'view = "county"\n',
     "step 1: view = \"county\": not a view a lesson can show; allowed: map, trips, cadres, tradeoff"),
    ("county_metric", HEAD + CSTEP + CQ.replace("survival_after_champion", "trips_per_matter"),
     "step 1: question.metric = \"trips_per_matter\": not a metric of a county; did you mean 'trips_per_matter_last_year'?"),
    ("county_lever", HEAD + CSTEP + CQ.replace("institutionalise_rate", "institutionalise_rat"),
     "step 1: question.b.levers: unknown key 'lifecycle.institutionalise_rat'; did you mean 'institutionalise_rate'?"),
    ("county_size", HEAD + CSTEP.replace("quarters = 4", 'quarters = 4\nlevers = { "township.residents" = 500 }'),
     "step 1: levers.township.residents: the county's size and horizon are set once, in [class]"),
    ("mixed", HEAD + CSTEP + CQ.replace('a = { county = "dies_with_rotation" }', 'a = { scenario = "vertical_grid" }'),
     "step 1: question: a question compares townships or counties, not both"),
    ("both_places", HEAD + CSTEP + CQ.replace('a = { county = "dies_with_rotation" }',
                                              'a = { county = "dies_with_rotation", scenario = "base" }'),
     "step 1: question.a: name either a township 'scenario' or a 'county' scenario (one of the two)"),
    ("county_days", HEAD + CSTEP + CQ + "days = 60\n", "step 1: question: a county question runs 'years', not 'days'"),
    ("off_agenda", HEAD + CSTEP + CQ.replace("survival_after_champion", "in_force_share_one_form").replace(
        'levers = { "lifecycle.institutionalise_rate" = 4.0 }', 'levers = { "reforms.one_form.agenda" = false }'),
     "step 1: question.b.county = \"dies_with_rotation\": does not report in_force_share_one_form "
     "(its reform is off this county's agenda)"),
    ("county_years", HEAD + "[class]\nyears = 1\n" + CSTEP.replace("quarters = 4", "quarters = 2"),
     "step 1: levers: leaders.tenure_min_years = 3: longer than horizon.years = 1"),
]


@pytest.mark.parametrize("name,text,message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_lesson_gets_one_message_naming_file_step_and_key(tmp_path, name, text, message):
    path = tmp_path / f"{name}.toml"
    if text is None:
        path.write_bytes(HEAD.encode("utf-16"))
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_lesson(path)
    assert err.value.message.startswith(f"{path}: {message}")
    assert "\n" not in err.value.message


def test_validate_command_checks_lessons_and_scenarios(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["validate", "one_window", "base", str(LESSON_DIR / "grid.toml")])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["ok: one_window", "ok: base", f"ok: {LESSON_DIR / 'grid.toml'}"]
    bad = tmp_path / "mine.toml"
    bad.write_text(HEAD + STEP + Q.replace("trips_per_matter", "trips"), encoding="utf-8")
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 2
    assert r.output.strip() == f'error: {bad}: step 1: question.metric = "trips": not a metric of the model; did you mean \'trips_p90\'?'
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


# -- every shipped lesson, start to end, headless ------------------------------------------------
SMALL_CLASS = 1000  # residents: the same code paths, a fraction of the time


def _independent(lesson, q, done: dict, res, first_seed_only: bool):
    """The question's numbers computed here, from sandbox.run.simulate (or simulate_county) and
    sandbox.stats alone; each run done here must equal the background runner's run of the same
    setting and seed (`res`). `done` keeps the lesson's runs (questions share settings). With
    `first_seed_only` (a county run is seconds) only the first seed is re-run here and the
    other seeds' values are the runner's."""
    plan = plan_for(lesson, q)
    values = []
    for j, st in enumerate(plan.settings):
        levers = {**dict(st.levers), **dict(plan.size)}
        row = []
        for s in plan.seeds:
            if first_seed_only and s != plan.seeds[0]:
                row.append(res.summaries[(j, s)][q.metric])
                continue
            key = (st, s, plan.days, plan.years)
            if key not in done:
                done[key] = (simulate_county(st.scenario, s, years=plan.years, daily=False, overrides=levers).summary if st.county
                             else simulate(build_scenario(st.scenario, **levers), seed=s, days=plan.days).summary)
            assert res.summaries[(j, s)] == pytest.approx(done[key], nan_ok=True)
            row.append(done[key][q.metric])
        values.append(row)
    ests = [mean_ci(v) for v in values]
    diff = paired_diff_ci(values[0], values[1]) if q.kind == "direction" else None
    return ests, diff


@pytest.mark.parametrize("name", sorted(ARTICLE_LESSONS | COUNTY_LESSONS))
def test_shipped_lesson_runs_start_to_end_with_answers_from_the_model(name):
    """Every step shown on the class's township or county, every question answered by the model:
    the runner's runs are the model's own runs (re-run here: every seed of a township question,
    the first seed of a county question), and the revealed answer follows from them."""
    from sandbox.viz import classroom
    from sandbox.viz.background import Runner

    lesson = classroom.sized(load_lesson(name), SMALL_CLASS)
    lesson = lesson.model_copy(update={"class_": lesson.class_.model_copy(update={"replications": 3})})
    room = classroom.Room("TEST", "key", name, lesson)
    runner = Runner(workers=2)
    try:
        room.start(runner)
        alice, bob = room.join("Alice"), room.join("Bob")
        done = {}
        for i, step in enumerate(lesson.steps):
            room.go("key", i)
            assert room.step == i
            model = room.model_for(i)
            if step.scenario:
                assert model.day == step.days and model.population.n == SMALL_CLASS
            if step.county:
                assert model.quarter == step.quarters and len(model.townships) == 8
                assert {t.info["residents"] for t in model.townships} == {SMALL_CLASS}
            q = step.question
            if q is None:
                assert room.phase == classroom.SHOW
                continue
            assert room.phase == classroom.ASKING
            choices = classroom.choices(q) or [str(x) for x in (q.range or (1, 2))]
            room.respond(alice.id, i, choices[0])
            room.respond(bob.id, i, choices[-1])
            room.close("key")
            deadline = time.monotonic() + 240
            while room.computations[i].answer is None:
                assert room.computations[i].error is None, room.computations[i].error
                assert time.monotonic() < deadline, f"{name} step {i + 1}: no answer after 240 s"
                time.sleep(0.2)
            room.reveal("key")
            assert room.phase == classroom.REVEALED
            ans = room.computations[i].answer
            job = room._jobs[[k for k, _ in lesson.questions()].index(i)]
            ests, diff = _independent(lesson, q, done, job.results, first_seed_only=q.is_county)
            assert [e.mean for e in ans.estimates] == pytest.approx([e[0] for e in ests], nan_ok=True)
            assert [e.low for e in ans.estimates] == pytest.approx([e[1] for e in ests], nan_ok=True)
            if q.kind == "direction":
                assert ans.difference.mean == pytest.approx(diff[0]) and ans.difference.low == pytest.approx(diff[1])
                assert ans.correct[0] in DIRECTIONS
                if ans.correct == ("up",):
                    assert diff[1] > 0
                elif ans.correct == ("down",):
                    assert diff[2] < 0
                elif q.same_within == 0:
                    assert diff[1] <= 0 <= diff[2]
            elif q.kind == "which":
                sign = 1 if q.best == "highest" else -1
                best = max(range(len(ests)), key=lambda k: sign * ests[k][0])
                assert str(best + 1) in ans.correct
            else:
                assert ans.correct == ()
            assert sum(room.distribution(i).values()) == 2 if q.kind != "number" else len(room.numbers(i)) == 2
    finally:
        runner.shutdown()
