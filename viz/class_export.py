"""What an instructor takes home from a class: the answers as a table (CSV / Parquet) and a
one-page summary image (PNG) of every question: the class's answers and the model's."""

from __future__ import annotations

import io
import math
import textwrap
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sandbox.lesson import Question, county_years
from sandbox.viz.classroom import Room, choices
from sandbox.viz.i18n import tr

COLUMNS = {
    "class": pa.string(), "lesson": pa.string(), "step": pa.int64(), "kind": pa.string(), "metric": pa.string(),
    "prompt_zh": pa.string(), "prompt_en": pa.string(), "trainee": pa.string(), "answer": pa.string(),
    "answered_at": pa.timestamp("ms", tz="UTC"), "correct": pa.bool_(), "model_answer": pa.string(),
    "model_value": pa.float64(), "model_low": pa.float64(), "model_high": pa.float64(), "model_estimates": pa.string(),
    "replications": pa.int64(), "days": pa.int64(), "years": pa.int64(), "residents": pa.int64(), "seed": pa.int64(),
}  # a county question: `years` its runs' horizon, `residents` each township's; a township one: `days`, its residents


def metric_label(q: Question, lang: str) -> str:
    """The question's metric by its glossary name (a county figure's composed per reform)."""
    if q.is_county:
        from sandbox.county_metrics import metric_name

        return metric_name(q.metric, lang)
    return tr("metrics", q.metric, lang)


def setup_label(s, lang: str) -> str:
    """A setting as the class reads it: the scenario's short name and the levers changed."""
    from sandbox.viz.levers import describe_change, label, scenario_label

    sep = "，" if lang == "zh" else ", "
    if s.is_county:  # county levers by path (their glossary names), township levers by leaf
        name = label("county_scenarios", s.county, lang)
        changes = [describe_change(k, v, lang, name=label("county_params", k, lang) if "." in k else None)
                   for k, v in s.levers.items()]
    else:
        name = scenario_label(s.scenario, lang)
        changes = [describe_change(k, v, lang) for k, v in s.levers.items()]
    return name + (f" + {sep.join(changes)}" if changes else "")


def choice_label(q: Question, value: str, lang: str) -> str:
    if q.kind == "direction":
        return tr("ui", f"answer_{value}", lang)
    if q.kind == "which":
        return q.options[int(value) - 1].label[0 if lang == "zh" else 1]
    return f"{float(value):g}"


def setting_labels(q: Question, lang: str) -> list[str]:
    i = 0 if lang == "zh" else 1
    if q.kind == "direction":
        return [f"{side}{'：' if lang == 'zh' else ': '}{setup_label(s, lang)}" for side, s in (("A", q.a), ("B", q.b))]
    if q.kind == "which":
        return [o.label[i] for o in q.options]
    return [tr("ui", "model", lang)]


def headline(q: Question, answer) -> tuple[str, float, float, float]:
    """The model's answer as text and its key number with interval: B − A, the best option, or the value."""
    if q.kind == "direction":
        d = answer.difference
        return answer.correct[0], d.mean, d.low, d.high
    if q.kind == "which":
        best = answer.estimates[int(answer.correct[0]) - 1]
        return ",".join(answer.correct), best.mean, best.low, best.high
    e = answer.estimates[0]
    return f"{e.mean:.4g}", e.mean, e.low, e.high


def _nullable(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def answers_table(room: Room) -> pa.Table:
    """One row per trainee's answer to each question (a question nobody answered: one row, no trainee)."""
    c = room.lesson.class_
    rows = []
    for i, q in room.lesson.questions():
        comp = room.computations.get(i)
        ans = comp.answer if comp else None
        if ans is not None:
            text, value, low, high = headline(q, ans)
            estimates = "; ".join(f"{lab}: {e.mean:.4g} [{e.low:.4g}, {e.high:.4g}]"
                                  for lab, e in zip(setting_labels(q, "en"), ans.estimates))
        else:
            text, value, low, high, estimates = None, None, None, None, None
        base = {"class": room.code, "lesson": room.lesson_name, "step": i + 1, "kind": q.kind, "metric": q.metric,
                "prompt_zh": q.prompt[0], "prompt_en": q.prompt[1], "model_answer": text, "model_value": _nullable(value),
                "model_low": _nullable(low), "model_high": _nullable(high), "model_estimates": estimates,
                "replications": c.replications, "seed": c.seed,
                **({"days": None, "years": q.years or county_years(q.setups()[0][1].county, c), "residents": c.county_residents}
                   if q.is_county else
                   {"days": q.days or c.days, "years": None, "residents": c.size()["residents"]})}
        answered = sorted(room.responses.get(i, {}).values(), key=lambda r: r.at)
        if not answered:
            rows.append({**base, "trainee": None, "answer": None, "answered_at": None, "correct": None})
        for r in answered:
            rows.append({**base, "trainee": room.trainees[r.trainee].name, "answer": str(r.value),
                         "answered_at": datetime.fromtimestamp(r.at, UTC),
                         "correct": ans.is_correct(r.value) if ans is not None else None})
    return pa.Table.from_pylist(rows, schema=pa.schema(COLUMNS))


def csv_bytes(room: Room) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(answers_table(room), buf)
    return b"\xef\xbb\xbf" + buf.getvalue()  # a BOM: spreadsheet programs then read the Chinese as UTF-8


def parquet_bytes(room: Room) -> bytes:
    buf = io.BytesIO()
    pq.write_table(answers_table(room), buf)
    return buf.getvalue()


def summary_png(room: Room, lang: str) -> bytes:
    """One page: the lesson, then per question its prompt, the class's answers and the model's answer."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold CJK face: regular is fine
    import matplotlib.pyplot as plt

    questions = room.lesson.questions()
    k = 0 if lang == "zh" else 1
    rc = {"font.sans-serif": ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"],
          "font.family": "sans-serif", "axes.unicode_minus": False, "text.parse_math": False, "font.size": 11}
    with plt.rc_context(rc):
        n = max(1, len(questions))
        fig = plt.figure(figsize=(16, 1.6 + 2.7 * n), dpi=100)
        title = f"{room.lesson.title[k]}"
        sub = tr("ui", "summary_subtitle", lang, code=room.code, date=datetime.now().strftime("%Y-%m-%d"),
                 trainees=len(room.trainees), replications=room.lesson.class_.replications,
                 residents=f"{room.lesson.class_.size()['residents']:,}")
        fig.text(0.02, 1 - 0.45 / (1.6 + 2.7 * n), title, fontsize=20, fontweight="bold", va="top")
        fig.text(0.02, 1 - 1.05 / (1.6 + 2.7 * n), sub, fontsize=12, color="#444", va="top")
        grid = fig.add_gridspec(n, 3, left=0.03, right=0.98, top=1 - 1.6 / (1.6 + 2.7 * n), bottom=0.04,
                                width_ratios=[1.1, 1, 1], hspace=0.75, wspace=0.3)
        for row, (i, q) in enumerate(questions):
            _question_row(fig, grid, row, room, i, q, lang)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def _question_row(fig, grid, row: int, room: Room, i: int, q: Question, lang: str) -> None:
    k = 0 if lang == "zh" else 1
    comp = room.computations.get(i)
    ans = comp.answer if comp else None
    width = 30 if lang == "zh" else 55
    text_ax = fig.add_subplot(grid[row, 0])
    text_ax.axis("off")
    prompt = "\n".join(textwrap.wrap(f"{i + 1}. {q.prompt[k]}", width))
    text_ax.text(0, 1, prompt, va="top", fontsize=13, fontweight="bold")
    metric = metric_label(q, lang)
    verdict = _verdict_text(q, ans, lang)
    colon = "：" if lang == "zh" else ": "
    text_ax.text(0, 0.35, "\n".join(textwrap.wrap(f"{tr('ui', 'metric', lang)}{colon}{metric}", width + 10)), va="top", fontsize=11, color="#333")
    text_ax.text(0, 0.1, "\n".join(textwrap.wrap(verdict, width + 10)), va="top", fontsize=11, color="#1b5e20")
    class_ax = fig.add_subplot(grid[row, 1])
    class_ax.set_title(tr("ui", "class_answers_n", lang, n=len(room.responses.get(i, {}))), fontsize=11, loc="left")
    if q.kind == "number":
        nums = room.numbers(i)
        if nums:
            class_ax.hist(nums, bins=min(12, max(3, len(set(nums)))), color="#90a4ae")
        if ans is not None and math.isfinite(ans.estimates[0].mean):
            e = ans.estimates[0]
            class_ax.axvline(e.mean, color="#1b5e20", lw=2)
            if math.isfinite(e.low):
                class_ax.axvspan(e.low, e.high, color="#a5d6a7", alpha=0.5)
    else:
        dist = room.distribution(i)
        labels = ["\n".join(textwrap.wrap(choice_label(q, c, lang), 8 if lang == "zh" else 16)) for c in choices(q)]
        colours = ["#43a047" if ans is not None and c in ans.correct else "#90a4ae" for c in choices(q)]
        class_ax.bar(range(len(labels)), list(dist.values()), color=colours)
        class_ax.set_xticks(range(len(labels)), labels, fontsize=9)
        class_ax.yaxis.get_major_locator().set_params(integer=True)
    model_ax = fig.add_subplot(grid[row, 2])
    model_ax.set_title(tr("ui", "model_result_n", lang, r=room.lesson.class_.replications), fontsize=11, loc="left")
    if ans is None:
        model_ax.axis("off")
        model_ax.text(0, 0.5, tr("ui", "not_computed", lang), fontsize=11)
        return
    labels = ["\n".join(textwrap.wrap(x, 8 if lang == "zh" else 16)) for x in setting_labels(q, lang)]
    means = [e.mean for e in ans.estimates]
    errs = [[max(0.0, e.mean - e.low) if math.isfinite(e.low) else 0 for e in ans.estimates],
            [max(0.0, e.high - e.mean) if math.isfinite(e.high) else 0 for e in ans.estimates]]
    model_ax.bar(range(len(labels)), means, yerr=errs, capsize=6, color="#64b5f6")
    model_ax.set_xticks(range(len(labels)), labels, fontsize=9)
    model_ax.set_ylabel(metric, fontsize=9)


def _verdict_text(q: Question, ans, lang: str) -> str:
    if ans is None:
        return tr("ui", "not_computed", lang)
    if q.kind == "direction":
        d = ans.difference
        return tr("ui", "verdict_direction", lang, answer=tr("ui", f"answer_{ans.correct[0]}", lang),
                  diff=f"{d.mean:+.3g}", low=f"{d.low:+.3g}", high=f"{d.high:+.3g}")
    if q.kind == "which":
        names = "、".join if lang == "zh" else ", ".join
        return tr("ui", "verdict_which", lang, answer=names(choice_label(q, c, lang) for c in ans.correct))
    e = ans.estimates[0]
    return tr("ui", "verdict_number", lang, mean=f"{e.mean:.3g}", low=f"{e.low:.3g}", high=f"{e.high:.3g}")
