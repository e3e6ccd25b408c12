"""A report a student hands in: one HTML file with the plots, the runs table, observations and answers.

Everything is inside the file (pictures as embedded PNG), so it opens in any browser
offline and survives being mailed or copied to a USB stick. Every text that comes from
the student or a run is escaped: a run named "<script>" is shown, never executed.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..training.summary import RunSummary
from .observations import Observation

STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { border: 1px solid #ccc; padding: 0.25em 0.5em; }
th { background: #f2f2f2; } td.n { text-align: right; } img { max-width: 100%; border: 1px solid #ddd; }
.answer { white-space: pre-wrap; background: #f7f7f2; padding: 0.5em; border-left: 3px solid #888; }
"""
COLUMNS = (("run", "name", ""), ("test acc", "test_accuracy", ".4f"), ("best val", "best_val_accuracy", ".4f"),
           ("train acc", "final_train_accuracy", ".4f"), ("val acc", "final_val_accuracy", ".4f"),
           ("gap", "gap", "+.3f"), ("best ep.", "best_epoch", "d"), ("stop ep.", "stop_epoch", "d"),
           ("sparsity", "sparsity", ".1%"), ("configuration", "configuration", ""))


@dataclass(frozen=True)
class ExerciseAnswer:
    title: str
    question: str
    answer: str
    done: bool


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cell(value: object, fmt: str) -> str:
    if value is None:
        return "<td>–</td>"
    if fmt:
        return f"<td class='n'>{_e(format(value, fmt))}</td>"
    return f"<td>{_e(value)}</td>"


def report_html(title: str, summaries: Sequence[RunSummary], observations: Sequence[Observation],
                answers: Sequence[ExerciseAnswer], notes: str, pictures: Sequence[tuple[str, bytes]],
                made: datetime | None = None) -> str:
    made = made or datetime.now()
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{_e(title)}</h1>",
             f"<p>Made with RegStudio on {_e(made.strftime('%d %B %Y, %H:%M'))}.</p>"]
    parts.append("<h2>Runs</h2>")
    if summaries:
        parts.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h, _, _ in COLUMNS) + "</tr>")
        for s in summaries:
            parts.append("<tr>" + "".join(_cell(getattr(s, key), fmt) for _, key, fmt in COLUMNS) + "</tr>")
        parts.append("</table><p>gap = training minus validation accuracy; sparsity = share of first-layer weights "
                     "with |w| &lt; 0.001. With dropout, training accuracy is measured with dropout on.</p>")
    else:
        parts.append("<p>No runs yet.</p>")
    for caption, png in pictures:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{_e(caption)}</figcaption></figure>")
    parts.append("<h2>What the runs showed</h2>")
    parts.append("<ul>" + "".join(f"<li>{_e(o.text)}</li>" for o in observations) + "</ul>" if observations
                 else "<p>Nothing stood out yet.</p>")
    if answers:
        parts.append("<h2>Exercises</h2>")
        for a in answers:
            state = "done" if a.done else "not finished"
            parts.append(f"<h3>{_e(a.title)} ({state})</h3><p><b>{_e(a.question)}</b></p>"
                         f"<div class='answer'>{_e(a.answer) or '(no answer yet)'}</div>")
    parts.append("<h2>Notes</h2>")
    parts.append(f"<div class='answer'>{_e(notes)}</div>" if notes.strip() else "<p>(no notes)</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
