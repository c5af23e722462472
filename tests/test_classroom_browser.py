"""A class in real browsers on one real server: an instructor's page on the projector, trainees'
pages on their laptops (each a browser context: a session of its own).

The default set runs a whole lesson with three trainees. `-m classroom40` runs a class of 40
(heavy on 2 shared cores; see README)."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

import dashboard_fixtures as fx

from sandbox.lesson import load_lesson

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
ANSWER_WAIT = 240_000  # a question's replications on the shared cores
COUNTY_ANSWER_WAIT = 600_000  # a county question's: eight county runs of five years, on a loaded CI machine
_classes: list[Instructor] = []  # classes opened by the running test, ended after it


@pytest.fixture(autouse=True)
def classes_end():
    """After every test, pass or fail, its classes end: their queued runs would hold the server's
    one background worker and starve the next test on this server (as a class left open in a
    lecture room would hold a real server's)."""
    yield
    while _classes:
        _classes.pop().end()


class Instructor:
    def __init__(self, browser, url: str, lesson: str):
        _classes.append(self)
        self.browser = browser
        self.context = browser.new_context(viewport=PROJECTOR, accept_downloads=True)
        self.page = p = self.context.new_page()
        p.set_default_timeout(fx.WAIT_MS)
        self.problems: list = []
        p.on("pageerror", lambda e: self.problems.append(str(e)))
        p.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        p.goto(url + "teach")
        p.locator(f".lesson-{lesson} .btn-open-class").click()
        expect(p.locator(".room-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}$"))
        self.code = p.locator(".room-code").inner_text().strip()
        p.wait_for_url(re.compile(r"/teach\?room=[A-Z0-9]{4}&key="))
        self.url = p.url  # the instructor's address, with the class's key

    def step_n(self, n: int, total: int) -> None:
        expect(self.page.locator(".step-n")).to_have_text(f"第 {n}/{total} 步")

    def end(self) -> None:
        """End the class from the instructor's address (the test's own page may be closed by now)."""
        if not hasattr(self, "code"):
            return  # it never opened
        context = self.browser.new_context(viewport=PROJECTOR)
        try:
            page = context.new_page()
            page.goto(self.url)
            ended = page.locator(".msg-error")
            page.locator(".btn-end-class, .msg-error").first.wait_for(timeout=fx.WAIT_MS)
            if not ended.count():
                page.locator(".btn-end-class").click()
                page.goto(self.url)
            expect(ended).to_contain_text(self.code)  # "no such class": its runs are cancelled
        finally:
            context.close()

    def download(self, label: str) -> bytes:
        with self.page.expect_download() as info:
            self.page.get_by_role("button", name=label).click()
        return open(info.value.path(), "rb").read()


class Trainee:
    def __init__(self, browser, url: str, code: str, name: str, via_link: bool = False):
        self.context = browser.new_context(viewport=LAPTOP)
        self.page = p = self.context.new_page()
        p.set_default_timeout(fx.WAIT_MS)
        self.problems: list = []
        p.on("pageerror", lambda e: self.problems.append(str(e)))
        p.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.name = name
        p.goto(url + (f"class?room={code}" if via_link else "class"))
        if not via_link:
            p.locator(".input-code input").fill(code)
        p.locator(".input-name input").fill(name)
        p.locator(".input-name input").press("Enter")
        p.wait_for_timeout(200)
        p.locator(".btn-join").click()
        expect(p.locator(".hello")).to_have_text(f"{name} · 课堂 {code}")

    def step_n(self, n: int, total: int) -> None:
        expect(self.page.locator(".step-n")).to_have_text(f"第 {n}/{total} 步")

    def answer(self, q, value: str) -> None:
        if q.kind == "number":
            box = self.page.locator(".input-number input")
            box.fill(value)
            box.press("Enter")
            self.page.wait_for_timeout(200)
            self.page.locator(".btn-submit").click()
        else:
            self.page.locator(f".choice-{value}").click()
        expect(self.page.locator(".my-answer")).to_contain_text("你的回答")


def choices(q) -> list[str]:
    from sandbox.viz.classroom import choices as c

    return c(q) or ["1", "2", "3"]


def test_a_full_lesson_with_three_trainees(chromium_browser, dashboard_url):
    lesson = load_lesson("one_window")
    total = len(lesson.steps)
    teacher = Instructor(chromium_browser, dashboard_url, "one_window")
    trainees = [Trainee(chromium_browser, dashboard_url, teacher.code, name, via_link=(k == 2))
                for k, name in enumerate(("张三", "李四", "Wang $x$"))]
    page = teacher.page
    expect(page.locator(".trainees-count")).to_have_text("已加入 3 人")
    for t in trainees:
        t.step_n(1, total)
        expect(t.page.locator(".btn-next")).to_have_count(0)  # no instructor control on a trainee's page
    teacher.step_n(1, total)
    expect(page.locator(".chart-map canvas").first).to_be_visible()  # the step's view, on the class's township
    expected_rows = {}
    for i, step in enumerate(lesson.steps):
        if i:
            page.locator(".btn-next").click()
        teacher.step_n(i + 1, total)
        for t in trainees:
            t.step_n(i + 1, total)  # every trainee's screen follows
            expect(t.page.locator(".step-title")).to_have_text(step.title[0])
        q = step.question
        if q is None:
            continue
        opts = choices(q)
        picks = [opts[0], opts[-1], opts[len(opts) // 2]]
        trainees[0].answer(q, opts[-1])  # changes her mind below: still one answer
        for t, pick in zip(trainees, picks):
            t.answer(q, pick)
        expect(page.locator(".answered-count")).to_have_text("已回答 3/3")
        page.locator(".btn-close-answers").click()
        for t in trainees:
            expect(t.page.locator(".answers-closed")).to_be_visible()
            expect(t.page.locator(".class-answers-title")).to_have_text("全班的回答（3 人）")
        expect(page.locator(".btn-reveal")).to_be_enabled(timeout=ANSWER_WAIT)
        page.locator(".btn-reveal").click()
        expect(page.locator(".model-verdict")).to_contain_text("模型：")
        for t in trainees:
            expect(t.page.locator(".model-verdict")).to_have_text(page.locator(".model-verdict").inner_text())
            if q.kind != "number":
                expect(t.page.locator(".my-verdict")).to_be_visible()
        if step.discussion:
            expect(page.locator(".discussion")).to_contain_text(step.discussion[0])
        expected_rows[i + 1] = dict(zip([t.name for t in trainees], picks))
        page.wait_for_timeout(500)
        teacher.page.screenshot(path=fx.ARTIFACTS / f"class-teacher-step{i + 1}.png")
        trainees[0].page.screenshot(path=fx.ARTIFACTS / f"class-trainee-step{i + 1}.png")
    # what the instructor takes home: one row per trainee and question, each answer once
    rows = list(csv.DictReader(io.StringIO(teacher.download("答案（CSV）").decode("utf-8-sig"))))
    got: dict[int, dict[str, str]] = {}
    for r in rows:
        got.setdefault(int(r["step"]), {})[r["trainee"]] = r["answer"]
    assert {k: {n: v.removesuffix(".0") if v.endswith(".0") else v for n, v in d.items()} for k, d in got.items()} == expected_rows
    assert all(r["model_answer"] for r in rows)
    assert teacher.download("一页总结（PNG）")[:8] == b"\x89PNG\r\n\x1a\n"
    assert teacher.download("答案（Parquet）")[:4] == b"PAR1"
    teacher.page.screenshot(path=fx.ARTIFACTS / "class-teacher-end.png")
    assert teacher.problems == [] and all(t.problems == [] for t in trainees)
    for c in [teacher.context] + [t.context for t in trainees]:
        c.close()


def test_instructor_controls_only_with_the_key_and_private_sandboxes(chromium_browser, dashboard_url):
    teacher = Instructor(chromium_browser, dashboard_url, "one_form")
    a = Trainee(chromium_browser, dashboard_url, teacher.code, "甲")
    b = Trainee(chromium_browser, dashboard_url, teacher.code, "乙")
    # a trainee who types the instructor's address without its key gets no controls
    spy = a.context.new_page()
    spy.goto(dashboard_url + f"teach?room={teacher.code}")
    expect(spy.locator(".msg-instructor-only")).to_have_text("此页面仅供授课教师使用：地址里没有正确的授课密钥。")
    expect(spy.locator(".btn-next")).to_have_count(0)
    spy.goto(dashboard_url + f"teach?room={teacher.code}&key=guess")
    expect(spy.locator(".msg-instructor-only")).to_be_visible()
    spy.close()
    teacher.page.locator(".btn-next").click()
    teacher.page.locator(".btn-next").click()
    a.step_n(3, 4)
    # the step's link carries its levers (the button can be redrawn a moment after the step label)
    expect(a.page.locator(".btn-sandbox")).to_have_attribute("href", re.compile("one_form=1"))
    # each trainee's own sandbox, opened from the step: its own session
    with a.context.expect_page() as opened:
        a.page.locator(".btn-sandbox").click()
    mine = opened.value
    mine.set_default_timeout(fx.WAIT_MS)
    expect(mine.locator(".scenario-line")).to_have_text("情景：条线式乡镇＋网格")
    expect(mine.locator(".applied-levers")).to_contain_text("一张表 = 是")
    mine.locator(".btn-step").click()
    expect(mine.locator(".day-label")).to_have_text("第 1 个工作日")
    with b.context.expect_page() as opened:
        b.page.locator(".btn-sandbox").click()
    theirs = opened.value
    expect(theirs.locator(".day-label")).to_have_text("第 0 个工作日", timeout=fx.WAIT_MS)  # a's step is a's only
    expect(mine.locator(".day-label")).to_have_text("第 1 个工作日")
    teacher.step_n(3, 4)  # the class did not move
    a.step_n(3, 4)
    for c in (teacher.context, a.context, b.context):
        c.close()


def test_a_county_lesson_shows_the_class_county_and_answers_from_county_runs(chromium_browser, dashboard_url):
    """人走政息: the county on the projector and on a laptop, a number question answered by county
    replications, and the trainee's own sandbox opening on the county tab."""
    lesson = load_lesson("champion_rotation")
    total = len(lesson.steps)
    teacher = Instructor(chromium_browser, dashboard_url, "champion_rotation")
    t = Trainee(chromium_browser, dashboard_url, teacher.code, "赵六")
    t.page.get_by_text("在我的屏幕上也显示图表").click()  # a laptop shows the charts only when asked
    for page in (teacher.page, t.page):  # the county is built in the background when the class opens
        expect(page.locator(".chart-county-map canvas").first).to_be_visible(timeout=ANSWER_WAIT)
        expect(page.locator(".class-township")).to_have_text(
            re.compile(r"^课堂的县：8 个乡镇，每镇 1,000 名居民（按比例缩小），第 1 年第 2 季度$"))
        expect(page.locator(".chart-county-leaders canvas").first).to_be_visible()
    teacher.page.locator(".btn-next").click()
    teacher.step_n(2, total)  # at once: a page never waits for a step's model to be built
    t.step_n(2, total)
    expect(t.page.locator(".class-township")).to_contain_text("第 3 年第 4 季度", timeout=ANSWER_WAIT)
    q = lesson.steps[1].question
    assert q.kind == "number" and q.metric == "survival_after_champion"
    t.answer(q, "0.3")
    expect(teacher.page.locator(".answered-count")).to_have_text("已回答 1/1")
    teacher.page.locator(".btn-close-answers").click()
    expect(teacher.page.locator(".btn-reveal")).to_be_enabled(timeout=COUNTY_ANSWER_WAIT)
    teacher.page.locator(".btn-reveal").click()
    expect(teacher.page.locator(".model-verdict")).to_contain_text("模型：")
    expect(t.page.locator(".model-verdict")).to_have_text(teacher.page.locator(".model-verdict").inner_text())
    expect(teacher.page.locator(".chart-model-result canvas").first).to_be_visible()
    expect(t.page.locator(".btn-sandbox")).to_have_attribute("href", "/?county=dies_with_rotation")
    with t.context.expect_page() as opened:
        t.page.locator(".btn-sandbox").click()
    mine = opened.value
    mine.set_default_timeout(fx.WAIT_MS)
    expect(mine.locator(".county-quarter-label")).to_have_text("尚未开始（第 0 季度）")
    expect(mine.locator(".chart-county-map canvas").first).to_be_visible()
    mine.locator(".county-quarter").click()
    expect(mine.locator(".county-quarter-label")).to_have_text("第 1 年第 1 季度")
    teacher.step_n(2, total)  # the trainee's county is the trainee's own
    teacher.page.screenshot(path=fx.ARTIFACTS / "class-county-teacher.png")
    teacher.page.locator(".btn-end-class").click()  # the class's queued county runs stop: the server's other tests need its worker
    expect(t.page.locator(".class-ended")).to_be_visible()
    assert teacher.problems == [] and t.problems == []
    for c in (teacher.context, t.context):
        c.close()


@pytest.mark.classroom40
def test_a_class_of_forty(chromium_browser, dashboard_url):
    """Forty trainees, each a browser context, on one server: all follow, every answer counted once."""
    n = 40
    lesson = load_lesson("one_window")
    total = len(lesson.steps)
    teacher = Instructor(chromium_browser, dashboard_url, "one_window")
    names = [f"学员{k:02d}" for k in range(n)]
    trainees = [Trainee(chromium_browser, dashboard_url, teacher.code, name) for name in names]
    expect(teacher.page.locator(".trainees-count")).to_have_text(f"已加入 {n} 人")
    i, q = lesson.questions()[0]
    for _ in range(i):
        teacher.page.locator(".btn-next").click()
    for t in trainees:
        t.step_n(i + 1, total)
    for k, t in enumerate(trainees):
        t.answer(q, "up")
        if k % 2:
            t.answer(q, "down")  # half change their minds
    expect(teacher.page.locator(".answered-count")).to_have_text(f"已回答 {n}/{n}")
    teacher.page.locator(".btn-close-answers").click()
    for t in trainees:
        expect(t.page.locator(".class-answers-title")).to_have_text(f"全班的回答（{n} 人）")
    rows = [r for r in csv.DictReader(io.StringIO(teacher.download("答案（CSV）").decode("utf-8-sig"))) if r["step"] == str(i + 1)]
    assert sorted(r["trainee"] for r in rows) == names  # each trainee once
    assert sum(r["answer"] == "down" for r in rows) == n // 2 and sum(r["answer"] == "up" for r in rows) == n // 2
    for t in trainees:
        expect(t.page.locator(".btn-next")).to_have_count(0)
    opened = []
    for t in trainees[:3]:  # a few private sandboxes beside the class
        with t.context.expect_page() as p:
            t.page.locator(".btn-sandbox").click()
        opened.append(p.value)
    opened[0].locator(".btn-step").click()
    expect(opened[0].locator(".day-label")).to_have_text("第 1 个工作日")
    for p in opened[1:]:
        expect(p.locator(".day-label")).to_have_text("第 0 个工作日")
    assert teacher.problems == [] and all(t.problems == [] for t in trainees)
    for c in [t.context for t in trainees] + [teacher.context]:
        c.close()
