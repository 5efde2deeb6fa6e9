"""The chair's questionnaire pages and the delegation's answer page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import policy
from consult.downloads import DOCX_TYPE, download
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.policy import Need, can
from consult.questionnaires import exports, services
from consult.questionnaires.forms import (
    DeadlineForm,
    DesignateForm,
    QuestionForm,
    QuestionnaireForm,
    answer_form,
    answers_from,
    seen_version,
)
from consult.questionnaires.models import Question, Questionnaire, QuestionnaireResponse
from consult.rooms.models import Room
from consult.taxonomy import forms as tag_forms
from consult.taxonomy import services as taxonomy
from consult.timeutil import from_local, to_local

bp = Blueprint("questionnaires", __name__)


def _room(questionnaire: Questionnaire) -> Room:
    return policy.load(Room, questionnaire.room_id)


def room_section(room: Room, user) -> tuple[str, dict] | None:
    """The room page's "Questionnaires": those this person may see, and "Issue" for chairs."""
    rows = services.questionnaires_in(room, user)
    manages = can(Need.MANAGE, room, user) and not room.is_archived
    if not rows and not manages:
        return None
    return "questionnaires/_room_section.html", {"room": room, "rows": rows, "manages": manages}


# ---- the chair ---------------------------------------------------------------------------------


def _settings(form: QuestionnaireForm, room: Room) -> dict:
    return dict(
        title=form.title.data or "",
        introduction=form.introduction.data or "",
        closes_at=from_local(form.closes_at.data, room.time_zone),
        is_shared_with_room=form.sharing.data != "chair",
        attribution=form.attribution.data or "",
    )


@bp.route("/rooms/<slug>/questionnaires/new", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="title")
def new(room: Room):
    """Prepare a questionnaire (in drafting until issued; questions are added next)."""
    form = QuestionnaireForm()
    if form.validate_on_submit():
        questionnaire = services.create(room, current_user, **_settings(form, room))
        flash(
            _("The questionnaire is saved in drafting: add its questions, then issue it."),
            "success",
        )
        return redirect(url_for("questionnaires.add_question", questionnaire_id=questionnaire.id))
    status = 422 if form.is_submitted() else 200
    return render("questionnaires/settings.html", room=room, form=form, q=None, status=status)


@bp.route("/questionnaires/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), field="title")
def edit(questionnaire: Questionnaire):
    """Change the settings (only the deadline once issued)."""
    room = _room(questionnaire)
    form = QuestionnaireForm()
    if request.method == "GET":
        form.title.data = questionnaire.title
        form.introduction.data = questionnaire.introduction
        form.closes_at.data = to_local(questionnaire.closes_at, room.time_zone)
        form.sharing.data = "room" if questionnaire.is_shared_with_room else "chair"
        form.attribution.data = questionnaire.attribution
    if form.validate_on_submit():
        services.update(questionnaire, current_user, **_settings(form, room))
        flash(_("The questionnaire's settings are saved."), "success")
        return redirect(_page(questionnaire))
    status = 422 if form.is_submitted() else 200
    return render(
        "questionnaires/settings.html", room=room, form=form, q=questionnaire, status=status
    )


def _page(questionnaire: Questionnaire) -> str:
    return url_for("questionnaires.questionnaire", questionnaire_id=questionnaire.id)


def _question_page(questionnaire: Questionnaire, form: QuestionForm, question, status: int):
    return render(
        "questionnaires/question.html",
        q=questionnaire,
        room=_room(questionnaire),
        form=form,
        question=question,
        status=status,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), field="text")
def add_question(questionnaire: Questionnaire):
    """Add a question, tagged with stages, activities and articles."""
    form = QuestionForm()
    tag_forms.prepare(form)
    if form.validate_on_submit():
        tags = tag_forms.tags_from(form)
        question = services.add_question(questionnaire, current_user, form.text.data or "")
        tag_forms.apply(question, tags)
        flash(_("The question is added."), "success")
        if request.form.get("another"):
            return redirect(
                url_for("questionnaires.add_question", questionnaire_id=questionnaire.id)
            )
        return redirect(_page(questionnaire))
    return _question_page(questionnaire, form, None, 422 if form.is_submitted() else 200)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@handler(question=Load(Question, Need.MANAGE), field="text")
def edit_question(question: Question):
    questionnaire = policy.load(Questionnaire, question.questionnaire_id)
    form = QuestionForm()
    tag_forms.prepare(form, question)
    if request.method == "GET":
        form.text.data = question.text
    if form.validate_on_submit():
        tags = tag_forms.tags_from(form, question)
        services.edit_question(question, current_user, form.text.data or "")
        tag_forms.apply(question, tags)
        flash(_("The question is saved."), "success")
        return redirect(_page(questionnaire))
    return _question_page(questionnaire, form, question, 422 if form.is_submitted() else 200)


def _back_to_questionnaire(**loaded) -> str:
    obj = next(iter(loaded.values()))
    ident = obj.questionnaire_id if isinstance(obj, Question) else obj.id
    return url_for("questionnaires.questionnaire", questionnaire_id=ident)


@bp.route("/questions/<int:question_id>/remove", methods=["GET", "POST"])
@handler(question=Load(Question, Need.MANAGE), refused=_back_to_questionnaire)
def remove_question(question: Question):
    """Remove a question from a questionnaire in drafting, after a confirmation."""
    questionnaire = policy.load(Questionnaire, question.questionnaire_id)
    if request.method == "GET":
        return render(
            "questionnaires/remove_question.html",
            q=questionnaire,
            room=_room(questionnaire),
            question=question,
        )
    text = question.text
    services.remove_question(question, current_user)
    flash(
        _(
            "The question “%(text)s” is removed. It is not kept: add it again if that was a "
            "mistake.",
            text=text[:80],
        ),
        "success",
    )
    return redirect(_page(questionnaire))


@bp.route("/questions/<int:question_id>/up", methods=["POST"])
@handler(question=Load(Question, Need.MANAGE), refused=_back_to_questionnaire)
def move_question(question: Question):
    services.move_up(question, current_user)
    flash(_("The question is moved up."), "success")
    return redirect(
        url_for("questionnaires.questionnaire", questionnaire_id=question.questionnaire_id)
    )


@bp.route("/questionnaires/<int:questionnaire_id>/issue", methods=["POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), refused=_back_to_questionnaire)
def issue(questionnaire: Questionnaire):
    """Issue it: the room's delegations see it and are notified."""
    told = services.issue(questionnaire, current_user)
    flash(
        _(
            "The questionnaire is issued; %(n)s people of the room's delegations were told.",
            n=told,
        ),
        "success",
    )
    return redirect(_page(questionnaire))


@bp.route("/questionnaires/<int:questionnaire_id>/close", methods=["GET", "POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), refused=_back_to_questionnaire)
def close(questionnaire: Questionnaire):
    """Close it before its deadline, after a confirmation (reopen undoes it)."""
    if request.method == "GET":
        return render("questionnaires/close.html", q=questionnaire, room=_room(questionnaire))
    services.close(questionnaire, current_user)
    flash(
        _("The questionnaire is closed. Reopen it with a new deadline if that was a mistake."),
        "success",
    )
    return redirect(_page(questionnaire))


@bp.route("/questionnaires/<int:questionnaire_id>/reopen", methods=["GET", "POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), field="closes_at")
def reopen(questionnaire: Questionnaire):
    """Take answers again until a new deadline."""
    room = _room(questionnaire)
    form = DeadlineForm()
    if request.method == "GET":
        form.closes_at.data = to_local(questionnaire.closes_at, room.time_zone)
    if form.validate_on_submit():
        services.reopen(
            questionnaire, current_user, from_local(form.closes_at.data, room.time_zone)
        )
        flash(_("The questionnaire is open for answers again."), "success")
        return redirect(_page(questionnaire))
    status = 422 if form.is_submitted() else 200
    return render(
        "questionnaires/reopen.html", q=questionnaire, room=room, form=form, status=status
    )


@bp.route("/questionnaires/<int:questionnaire_id>")
@handler(questionnaire=Load(Questionnaire))
def questionnaire(questionnaire: Questionnaire):
    """The questionnaire: its questions; for the chair, who answered and who did not."""
    room = _room(questionnaire)
    questions = services.questions_of(questionnaire)
    manages = can(Need.MANAGE, questionnaire)
    own = services.response_of(questionnaire, current_user.delegation_id)
    return render(
        "questionnaires/questionnaire.html",
        q=questionnaire,
        room=room,
        questions=questions,
        tags=taxonomy.tags_of_many(questions) if questions else {},
        manages=manages,
        standing=services.standing(questionnaire, current_user) if manages else None,
        own=own,
        answers=can(Need.TAKE_PART, questionnaire),
        closed_reason=services.closed_reason(questionnaire),
    )


# ---- the delegation ------------------------------------------------------------------------------


def _answer_page(questionnaire: Questionnaire, form, status: int = 200):
    room = _room(questionnaire)
    questions = services.questions_of(questionnaire)
    response = services.response_of(questionnaire, current_user.delegation_id)
    conflict = (
        form.is_submitted() and response is not None and seen_version(form) != response.version
    )
    designate_form = None
    if can(Need.DECIDE, questionnaire):
        designate_form = DesignateForm(formdata=None)
        designate_form.designated.choices = [("", _("Nobody else (only the focal point)"))] + [
            (str(u.id), u.name)
            for u in services.colleagues(current_user.delegation_id)
            if u.id != current_user.id
        ]
        if response is not None and response.designated_id:
            designate_form.designated.data = str(response.designated_id)
    return render(
        "questionnaires/answer.html",
        status=status,
        q=questionnaire,
        room=room,
        questions=questions,
        tags=taxonomy.tags_of_many(questions) if questions else {},
        form=form,
        response=response,
        submitted=services.submitted_texts(response) if response else {},
        conflict=conflict,
        may_submit=can(Need.AUTHOR, questionnaire),
        focal_points=services.focal_points(current_user.delegation_id),
        designate_form=designate_form,
        designated=db_user(response.designated_id) if response and response.designated_id else None,
        history=services.history(response, current_user) if response else [],
        closed_reason=services.closed_reason(questionnaire),
    )


def db_user(user_id: int):
    from consult.accounts.models import User
    from consult.extensions import db

    return db.session.get(User, user_id)


@bp.route("/questionnaires/<int:questionnaire_id>/answer", methods=["GET", "POST"])
@handler(questionnaire=Load(Questionnaire, Need.TAKE_PART))
def answer(questionnaire: Questionnaire):
    """The delegation's answers: colleagues save the draft, the focal point (or the designated
    colleague) submits, and amends until the deadline."""
    questions = services.questions_of(questionnaire)
    if not questions:
        abort(404)
    form = answer_form(questions)
    if request.method == "GET":
        response = services.response_of(questionnaire, current_user.delegation_id)
        draft = (response.draft or {}) if response else {}
        for q in questions:
            form[services.answer_field(q)].data = draft.get(str(q.id), "")
        return _answer_page(questionnaire, form)
    if form.validate_on_submit():
        action = form.action.data
        values = dict(seen=seen_version(form), answers=answers_from(form, questions))
        if action == "submit":
            services.first_submission(questionnaire, current_user, **values)
            flash(
                _(
                    "The answers of %(delegation)s are submitted. You can amend them until the "
                    "deadline.",
                    delegation=current_user.delegation.name,
                ),
                "success",
            )
        elif action == "amend":
            services.amend(questionnaire, current_user, **values)
            flash(
                _("The amendment is submitted; the previous text is kept in the history."),
                "success",
            )
        else:
            services.save_draft(questionnaire, current_user, **values)
            flash(
                _(
                    "The draft is saved. Your colleagues of %(delegation)s can read and edit "
                    "it; nobody else sees it.",
                    delegation=current_user.delegation.name,
                ),
                "success",
            )
        return redirect(url_for("questionnaires.answer", questionnaire_id=questionnaire.id))
    return _answer_page(questionnaire, form, status=422)


@bp.route("/questionnaires/<int:questionnaire_id>/designate", methods=["POST"])
@handler(
    questionnaire=Load(Questionnaire, Need.TAKE_PART),
    refused=lambda questionnaire: url_for(
        "questionnaires.answer", questionnaire_id=questionnaire.id
    ),
)
def designate(questionnaire: Questionnaire):
    """The focal point designates the colleague who may submit for the delegation."""
    raw = (request.form.get("designated") or "").strip()
    ident = parse_id(raw) if raw else None
    if raw and ident is None:
        raise services.QuestionnaireError(_("Choose a colleague of your delegation."))
    services.designate(questionnaire, current_user, ident)
    flash(_("Saved: who may submit for your delegation."), "success")
    return redirect(url_for("questionnaires.answer", questionnaire_id=questionnaire.id))


@bp.route("/questionnaire-responses/<int:response_id>")
@handler(response=Load(QuestionnaireResponse))
def response(response: QuestionnaireResponse):
    """One delegation's submitted answers with the history of its amendments."""
    questionnaire = policy.load(Questionnaire, response.questionnaire_id)
    if not response.is_submitted and response.delegation_id != current_user.delegation_id:
        abort(404)
    attributed = (
        questionnaire.attribution == "attributed"
        or can(Need.MANAGE, questionnaire)
        or response.delegation_id == current_user.delegation_id
    )
    if not attributed:
        abort(404)  # an unattributed answer is read in the compilation, under no name
    return render(
        "questionnaires/response.html",
        q=questionnaire,
        room=_room(questionnaire),
        response=response,
        delegation=db_delegation(response.delegation_id),
        questions=services.questions_of(questionnaire),
        submitted=services.submitted_texts(response),
        history=services.history(response, current_user),
    )


def db_delegation(delegation_id: int):
    from consult.accounts.models import Delegation
    from consult.extensions import db

    return db.session.get(Delegation, delegation_id)


# ---- the compilation -----------------------------------------------------------------------


@bp.route("/questionnaires/<int:questionnaire_id>/compilation")
@handler(questionnaire=Load(Questionnaire))
def compilation(questionnaire: Questionnaire):
    """The answers this person may read, question by question, side by side."""
    c = services.compile_answers(questionnaire, current_user)
    return render(
        "questionnaires/compilation.html",
        q=questionnaire,
        room=c.room,
        c=c,
        manages=can(Need.MANAGE, questionnaire),
        tags=taxonomy.tags_of_many([item.question for item in c.questions]) if c.questions else {},
    )


@bp.route("/questionnaires/<int:questionnaire_id>/compilation.docx")
@handler(questionnaire=Load(Questionnaire, Need.EXPORT))
def export_docx(questionnaire: Questionnaire):
    c = services.compile_answers(questionnaire, current_user)
    return download(
        exports.compilation_docx(c), f"questionnaire-{questionnaire.id}-answers.docx", DOCX_TYPE
    )


@bp.route("/questionnaires/<int:questionnaire_id>/compilation.csv")
@handler(questionnaire=Load(Questionnaire, Need.EXPORT))
def export_csv(questionnaire: Questionnaire):
    c = services.compile_answers(questionnaire, current_user)
    return download(
        exports.compilation_csv(c),
        f"questionnaire-{questionnaire.id}-answers.csv",
        "text/csv; charset=utf-8",
    )


@bp.route("/questionnaires/<int:questionnaire_id>/paper", methods=["POST"])
@handler(questionnaire=Load(Questionnaire, Need.MANAGE), refused=_back_to_questionnaire)
def to_paper(questionnaire: Questionnaire):
    """Turn the compilation into a chair's summary paper of the room, in drafting."""
    paper = services.to_paper(questionnaire, current_user)
    flash(
        _(
            "The chair's summary “%(title)s” is made from the compilation, in drafting: only "
            "the room's managers see it until you open it for comments.",
            title=paper.title,
        ),
        "success",
    )
    return redirect(url_for("papers.paper", paper_id=paper.id))
