"""The Secretariat's letter on a written procedure, through the house Word writer (and PDF).

It says what a secretariat's letter to the States Parties says: what was circulated, when, by
whom, under which procedure and until when (to the second, the room's zone named), whether the
deadline was extended and why, the outcome (adopted by silence, or silence broken by whom),
the responses received, and the draft decision in an annex. Before the deadline the room's
managers get the same letter marked as a draft.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from consult.dates import document_date
from consult.exports.pdf import docx_to_pdf
from consult.exports.word import DocxWriter, HouseDocument
from consult.extensions import db
from consult.procedures import services
from consult.procedures.forms import ANSWER_LABELS
from consult.procedures.models import Answer, Outcome, ProcedureMode, WrittenProcedure
from consult.rooms.models import Room
from consult.timeutil import utcnow


def _answer_label(procedure: WrittenProcedure, answer: Answer) -> str:
    if answer is Answer.COMMENT:
        return _("Comment")
    return str(ANSWER_LABELS[procedure.mode][answer])


def letter_docx(procedure: WrittenProcedure, language: str = "en") -> bytes:
    room = db.session.get(Room, procedure.room_id)
    paper, revision = services.revision_of(procedure)
    counted = services.tally(procedure)
    zone = room.time_zone
    decided = procedure.outcome is not None
    with force_locale(language):
        kind = (
            _("Written procedure: letter on the outcome")
            if decided
            else _("Written procedure: draft letter (the procedure is still open)")
        )
        writer = DocxWriter.house(
            HouseDocument(
                title=procedure.title,
                body=room.title,
                issued_at=procedure.decided_at or utcnow(),
                symbol=paper.symbol if paper and paper.symbol else None,
                revision=revision.label if revision and paper and paper.symbol else None,
                kind=kind,
                language=language,
                time_zone=zone,
            )
        )
        circulated = document_date(procedure.circulated_at, language, zone)
        what = procedure.title
        if paper is not None:
            what = " ".join(p for p in (paper.symbol, revision.label if revision else "") if p)
            what = f"{procedure.title} ({what})" if what else procedure.title
        facts = {
            "date": circulated,
            "what": what,
            "n": procedure.addressed_count,
            "room": room.title,
            "deadline": services.deadline_text(
                procedure.first_closes_at or procedure.closes_at, room
            ),
        }
        writer.text(
            _(
                "On %(date)s, the draft decision “%(what)s” was circulated to the %(n)s "
                "States Parties of %(room)s under the silence procedure, with a deadline of "
                "%(deadline)s.",
                **facts,
            )
            if procedure.mode is ProcedureMode.SILENCE
            else _(
                "On %(date)s, the draft decision “%(what)s” was circulated to the %(n)s "
                "States Parties of %(room)s for explicit approval, with a deadline of "
                "%(deadline)s.",
                **facts,
            )
        )
        if procedure.mode is ProcedureMode.APPROVAL:
            writer.text(
                _(
                    "The decision was to be adopted if at least %(n)s States Parties approved it "
                    "and none objected.",
                    n=procedure.quorum,
                )
            )
        if procedure.was_extended:
            writer.text(
                _(
                    "On %(date)s the deadline was extended to %(deadline)s: %(reason)s",
                    date=document_date(procedure.extended_at, language, zone),
                    deadline=services.deadline_text(procedure.closes_at, room),
                    reason=procedure.extension_reason,
                )
            )
        writer.heading(_("Outcome"), 1)
        if procedure.outcome is Outcome.WITHDRAWN:
            writer.text(
                _(
                    "The draft decision was withdrawn on %(date)s: %(reason)s",
                    date=document_date(procedure.decided_at, language, zone),
                    reason=procedure.withdrawal_reason,
                )
            )
        elif decided:
            writer.text(services.outcome_line(procedure, counted), bold=True)
            if procedure.mode is ProcedureMode.SILENCE and not counted.objections:
                writer.text(
                    _(
                        "No objection was received by the deadline; the silence procedure "
                        "was not broken."
                    )
                )
        else:
            writer.text(
                _(
                    "The procedure is open: %(n)s responses so far; %(objections)s objections.",
                    n=len(counted.responses),
                    objections=len(counted.objections),
                ),
                italic=True,
            )
        writer.heading(_("Responses received"), 1)
        if counted.responses:
            rows = [[_("Delegation"), _("Response"), _("Date"), _("Reason or comment")]]
            for response in counted.responses:
                rows.append(
                    [
                        response.delegation.name,
                        _answer_label(procedure, response.answer),
                        document_date(response.amended_at or response.responded_at, language, zone),
                        response.reason,
                    ]
                )
            writer.plain_table(rows)
        else:
            writer.text(_("No response was received."))
        if counted.silent and procedure.mode is ProcedureMode.APPROVAL:
            writer.text(
                _(
                    "States Parties that did not respond: %(names)s.",
                    names=", ".join(d.name for d in counted.silent),
                )
            )
        writer.heading(_("Annex: the draft decision"), 1)
        if revision is not None:
            writer.markdown(revision.source)
        else:
            writer.markdown(procedure.text)
    return writer.to_bytes()


def letter_pdf(procedure: WrittenProcedure, language: str = "en") -> bytes:
    """The Word letter as LibreOffice prints it (PdfUnavailable when it cannot)."""
    return docx_to_pdf(letter_docx(procedure, language))
