"""Classes in the server's memory, without a browser: joining, answering once, the instructor's key,
the phases of a question, the bounds, and what the instructor exports."""

from __future__ import annotations

import io
import threading
import time

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sandbox.answers import Answer
from sandbox.lesson import load_lesson
from sandbox.replicates import Estimate
from sandbox.viz import class_export, classroom
from sandbox.viz.classroom import ASKING, CLOSED, REVEALED, SHOW, ClassError, Computation, Room


@pytest.fixture
def room():
    """The one-window lesson on a small township, its answers set by hand (the model's answers are
    tested in test_lessons.py; here only the room's bookkeeping)."""
    lesson = classroom.sized(load_lesson("one_window"), 1000)
    r = Room("ABCD", "secret", "one_window", lesson)
    for i, q in lesson.questions():
        n = len(q.setups())
        est = tuple(Estimate(2.0 - k, 1.9 - k, 2.1 - k) for k in range(n))
        r.computations[i] = Computation(16, 16, Answer(q.kind, q.metric, est, Estimate(-1.0, -1.1, -0.9) if q.kind == "direction" else None,
                                                        ("down",) if q.kind == "direction" else ("3",), 8, 120))
    return r


def first_question(room: Room) -> int:
    return room.lesson.questions()[0][0]


def err(fn, *args) -> ClassError:
    with pytest.raises(ClassError) as e:
        fn(*args)
    return e.value


def test_join_names_are_trimmed_unique_and_bounded(room, monkeypatch):
    a = room.join("  张三  ")
    assert a.name == "张三"
    assert err(room.join, "张三").key == "name_taken"
    assert err(room.join, "   ").key == "name_empty"
    assert err(room.join, "x" * 21).fields == {"limit": 20}
    assert err(room.join, "bad\x07name").key == "name_empty"
    assert room.join("张三", a.id) is a  # a reload rejoins as the same trainee
    monkeypatch.setattr(classroom, "MAX_TRAINEES", 2)
    room.join("李四")
    assert err(room.join, "王五").key == "class_full"
    assert len(room.trainees) == 2


def test_each_trainee_counts_once_and_can_change_until_closed(room):
    i = first_question(room)
    a, b = room.join("A"), room.join("B")
    assert err(room.respond, a.id, i, "down").key == "question_closed"  # the class is not at the question yet
    room.go("secret", i)
    assert room.phase == ASKING
    room.respond(a.id, i, "up")
    room.respond(a.id, i, "down")  # changed: still one answer
    room.respond(b.id, i, "down")
    assert room.distribution(i) == {"up": 0, "down": 2, "same": 0}
    assert err(room.respond, "nobody", i, "up").key == "not_joined"
    assert err(room.respond, a.id, i, "sideways").key == "bad_choice"
    room.close("secret")
    assert room.phase == CLOSED
    assert err(room.respond, b.id, i, "up").key == "question_closed"
    assert room.distribution(i) == {"up": 0, "down": 2, "same": 0}


def test_number_answers_are_parsed_and_checked(room):
    lesson = classroom.sized(load_lesson("one_form"), 1000)
    r = Room("EFGH", "k", "one_form", lesson)
    i, q = lesson.questions()[0]
    assert q.kind == "number" and q.range == (0, 24)
    t = r.join("A")
    r.go("k", i)
    assert r.respond(t.id, i, " 1,5 ").value == 15  # a thousands separator, as a Chinese keyboard types it
    assert r.respond(t.id, i, "4。5").value == 4.5  # a Chinese full stop as the decimal point
    assert err(r.respond, t.id, i, "four").key == "not_a_number"
    assert err(r.respond, t.id, i, "nan").key == "not_a_number"
    assert err(r.respond, t.id, i, "30").fields == {"low": "0", "high": "24"}
    assert r.numbers(i) == [4.5]


def test_only_the_instructor_key_moves_the_class(room):
    i = first_question(room)
    for action in (lambda k: room.go(k, i), lambda k: room.close(k), lambda k: room.reveal(k)):
        for key in (None, "", "SECRET", "secret "):
            assert err(action, key).key == "not_instructor"
    assert room.step == 0 and room.phase == SHOW


def test_question_phases_and_the_reveal(room):
    i = first_question(room)
    room.go("secret", i)
    room.computations[i].answer = None
    room.computations[i].done = 5
    e = err(room.reveal, "secret")
    assert e.key == "still_computing" and e.fields == {"done": 5, "total": 16}
    assert room.phase == ASKING
    room.computations[i].answer = Answer("direction", "x", (), Estimate(-1, -2, -0.5), ("down",), 8, 120)
    room.close("secret")
    room.reveal("secret")
    assert room.phase == REVEALED
    room.go("secret", i + 1)
    room.go("secret", i)
    assert room.phase == REVEALED  # going back to a revealed question shows its answer
    room.go("secret", 999)
    assert room.step == len(room.lesson.steps) - 1


def test_pages_wake_when_the_instructor_acts(room):
    """A trainee's page waits on the stage: answers arriving do not wake it, the next step does."""
    i = first_question(room)
    t = room.join("A")
    room.go("secret", i)
    seen = room.stage
    woke = []
    thread = threading.Thread(target=lambda: woke.append(room.wait(seen, 10, stage=True)))
    thread.start()
    room.respond(t.id, i, "up")
    time.sleep(0.3)
    assert woke == []  # an answer bumps the version only
    room.close("secret")
    thread.join(5)
    assert woke == [seen + 1]
    assert room.wait(room.version, 0.05) == room.version  # nothing new: returns after the timeout


def test_rooms_are_bounded_found_by_code_and_dropped_when_idle(monkeypatch):
    monkeypatch.setattr(classroom, "_rooms", {})
    monkeypatch.setattr(classroom, "MAX_ROOMS", 2)
    monkeypatch.setattr(classroom, "CLASS_RESIDENTS", "800")
    a = classroom.open_room("grid")
    b = classroom.open_room("fengqiao")
    assert len(a.code) == 4 and set(a.code) <= set(classroom.CODE_ALPHABET) and a.code != b.code
    assert a.lesson.class_.residents == 800
    assert err(classroom.open_room, "grid").key == "too_many_classes"
    assert err(classroom.open_room, "../../etc/passwd").key == "no_such_lesson"
    assert classroom.find(f" {a.code.lower()} ") is a
    assert err(classroom.find, "ZZZZ").key == "no_such_class"
    classroom.close(b.code)
    assert b.ended
    monkeypatch.setattr(classroom, "IDLE_SECONDS", 0)
    a.touched -= 1
    c = classroom.open_room("one_form")  # opening a room drops the idle ones
    assert classroom.rooms() == [c] and a.ended


def test_export_tables_have_one_row_per_answer(room):
    i = first_question(room)
    a, b = room.join("张三"), room.join("Bob, \"the $x$\"")
    room.go("secret", i)
    room.respond(a.id, i, "down")
    room.respond(b.id, i, "up")
    room.close("secret")
    room.reveal("secret")
    t = class_export.answers_table(room)
    rows = [r for r in t.to_pylist() if r["step"] == i + 1]
    assert sorted((r["trainee"], r["answer"], r["correct"]) for r in rows) == [("Bob, \"the $x$\"", "up", False), ("张三", "down", True)]
    assert all(r["model_answer"] == "down" and r["model_low"] == -1.1 for r in rows)
    others = [r for r in t.to_pylist() if r["step"] != i + 1]
    assert others and all(r["trainee"] is None for r in others)  # questions nobody answered keep a row
    data = class_export.csv_bytes(room)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pacsv.read_csv(io.BytesIO(data[3:]))
    assert back.num_rows == t.num_rows and "张三" in back.column("trainee").to_pylist()
    back = pq.read_table(io.BytesIO(class_export.parquet_bytes(room)))
    assert back.schema.field("answered_at").type == t.schema.field("answered_at").type
    assert back.to_pylist() == t.to_pylist()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_image_is_one_png_page(room, lang):
    i = first_question(room)
    t = room.join("A")
    room.go("secret", i)
    room.respond(t.id, i, "down")
    png = class_export.summary_png(room, lang)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width == 1600 and 800 < height < 1600  # one page for three questions


def test_a_class_button_never_shows_a_traceback():
    from sandbox.viz.i18n import language
    from sandbox.viz.teach import attempt

    language.set("zh")
    shown = []
    assert attempt(lambda: (_ for _ in ()).throw(RuntimeError("/srv/x.py broke")), shown.append, "submit") is False
    assert shown == ["出错了，“提交”没有完成。沙盘仍可继续使用。"]
    assert attempt(lambda: (_ for _ in ()).throw(ClassError("class_full", limit=60)), shown.append, "join") is False
    assert shown[-1] == "课堂已满（最多 60 人）"
    assert attempt(lambda: None, shown.append, "join") is True and shown[-1] is None


def test_closing_the_answers_removes_the_close_button_and_keeps_the_reveal_button(room):
    """The instructor's Reveal button stays one widget when Close goes: unkeyed, the Close widget
    became a second Reveal while the first was still on the page (CI saw two for a moment)."""
    import ipyvuetify as v
    import solara

    from sandbox.viz.teach import Teaching

    room.go("secret", first_question(room))
    box, rc = solara.render(Teaching(room, "secret"), handle_error=False)
    try:
        close = rc.find(v.Btn, class_="btn-close-answers").widget
        reveal = rc.find(v.Btn, class_="btn-reveal").widget
        room.close("secret")
        deadline = time.monotonic() + 30  # the page redraws from its own thread, woken by the room
        while rc.find(v.Btn, class_="btn-close-answers").widgets and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rc.find(v.Btn, class_="btn-close-answers").widgets == []
        assert rc.find(v.Btn, class_="btn-reveal").widgets == [reveal] and reveal is not close
    finally:
        rc.close()
