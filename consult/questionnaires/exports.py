"""The compilation of a questionnaire's answers as Word and CSV files, for the chair.

Built from the compilation the person may read (`services.compile_answers`), so a file never
holds an answer its reader could not see on the page, nor a name the attribution withholds.
"""

from __future__ import annotations

from docx.shared import Pt
from flask_babel import gettext as _

from consult import dates
from consult.exports.tables import csv_file
from consult.exports.word import DocxWriter
from consult.questionnaires.services import Compilation


def compilation_docx(c: Compilation) -> bytes:
    """Title, the questionnaire's introduction, then per question its text and the answers
    one after the other, each under the delegation's name (or letter) when attributed."""
    q = c.questionnaire
    writer = DocxWriter.new()
    writer.header(c.room.title, _("Compilation of answers"))
    writer.page_numbers()
    writer.properties(title=q.title, author="", when=c.generated_at)
    writer.text(q.title, style="Title")
    writer.text(_("Compilation of answers: %(n)s responses", n=c.responses), bold=True, size=Pt(11))
    writer.text(
        _("Generated %(when)s", when=dates.zoned(c.generated_at, zone=c.room.time_zone)),
        italic=True,
        size=Pt(9),
    )
    if q.attribution == "unattributed":
        writer.text(_("Answers are shown without attribution."), italic=True, size=Pt(9))
    if q.introduction.strip():
        writer.markdown(q.introduction)
    for item in c.questions:
        writer.heading(_("Question %(n)s", n=item.number), 2)
        writer.markdown(item.question.text)
        if not item.answers:
            writer.text(_("No answers."), italic=True, size=Pt(10))
        for answer in item.answers:
            if answer.who:
                writer.text(answer.who, bold=True)
            writer.markdown(answer.body)
    return writer.to_bytes()


def compilation_csv(c: Compilation) -> bytes:
    """One row per answer, for a spreadsheet (consult.exports.tables)."""
    columns = [
        _("Question number"),
        _("Question"),
        _("Delegation"),
        _("Answer"),
        _("Submitted (UTC)"),
        _("Amended (UTC)"),
    ]
    rows = (
        (
            item.number,
            item.question.text,
            answer.who,
            answer.body,
            answer.submitted_at,
            answer.amended_at,
        )  # fmt: skip
        for item in c.questions
        for answer in item.answers
    )
    return csv_file(columns, rows)
